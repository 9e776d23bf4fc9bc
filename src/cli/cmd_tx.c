/* SPDX-License-Identifier: MIT
 * crossdock tx show|exceptions|act: where a transaction stands and what is stuck, from a running
 * hub over its HTTP API (GET /v1/transactions/{id}, GET /v1/exceptions,
 * POST /v1/exceptions/{id}/actions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/remote.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: crossdock tx show PO-NUMBER|CORRELATION-ID [--json] [--url URL] [--token T]\n"
            "       crossdock tx exceptions [--type T] [--owner O] [--partner P]\n"
            "                               [--subject-document D] [--subject-number N] [--all]\n"
            "       crossdock tx act EXCEPTION-ID ACTION [--comment TEXT]\n"
            "ACTION: resend, accept_variance, reject_invoice, reroute, retry, resolve (needs\n"
            "--comment).\n"
            "--subject-document and --subject-number: only the exceptions about that document\n"
            "(ship_notice, receipt, invoice, po_acknowledgement) and number (ASN-1001).\n"
            "--url and --token default to CROSSDOCK_URL (else http://127.0.0.1:8080) and "
            "CROSSDOCK_TOKEN.\n");
}

/* Percent-encode one path or query component. */
static void encode(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p != '\0' && n + 4 < cap; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            out[n++] = (char)*p;
        } else {
            n += (size_t)snprintf(out + n, cap - n, "%%%02X", *p);
        }
    }
    out[n] = '\0';
}

/* GET or POST and parse the JSON answer; NULL after a message. */
static json_t *call(const struct xd_remote *r, const char *cmd, const char *method,
                    const char *path, const char *body)
{
    struct xd_buf b;
    xd_buf_init(&b, XD_REMOTE_ANSWER_MAX);
    long status = 0;
    struct xd_error err = {0};
    json_t *j = NULL;
    if (xd_remote_call(r, method, path, body, &status, &b, &err) != XD_OK) {
        fprintf(stderr, "crossdock %s: %s\n", cmd, err.message);
    } else if (status != 200) {
        xd_remote_print_problem(stderr, cmd, status, &b);
    } else {
        json_error_t je;
        j = json_loadb(b.data, b.len, 0, &je);
        if (j == NULL) {
            fprintf(stderr, "crossdock %s: the hub answered something that is not JSON\n", cmd);
        }
    }
    xd_buf_cleanup(&b);
    return j;
}

static const char *s(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v != NULL ? v : "-";
}

/* One line per exception; what it is about (its subject) after the summary. */
static void print_exception(const json_t *x)
{
    const json_t *about = json_object_get(x, "subject");
    const char *number = json_string_value(json_object_get(about, "number"));
    printf("  %-36s %-20s %-16s %-8s %6llds  %s", s(x, "id"), s(x, "type"), s(x, "owner"),
           s(x, "state"), (long long)json_integer_value(json_object_get(x, "age_seconds")),
           s(x, "summary"));
    if (about != NULL) {
        printf(" [%s%s%s]", s(about, "document"), number != NULL ? " " : "",
               number != NULL ? number : "");
    }
    printf("\n");
}

static int show(const struct xd_remote *r, const char *id, bool as_json)
{
    char enc[512], path[600];
    encode(id, enc, sizeof enc);
    snprintf(path, sizeof path, "/v1/transactions/%s", enc);
    json_t *t = call(r, "tx show", "GET", path, NULL);
    if (t == NULL) {
        return 1;
    }
    if (as_json) {
        char *text = json_dumps(t, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(text != NULL ? text : "{}");
        free(text);
        json_decref(t);
        return 0;
    }
    const json_t *f = json_object_get(t, "flow");
    printf("transaction %s, %zu document(s)\n", s(t, "correlation_id"),
           json_array_size(json_object_get(t, "documents")));
    if (f == NULL) {
        puts("no workflow runs on this thread");
        json_decref(t);
        return 0;
    }
    const json_t *parts = json_object_get(f, "participants");
    printf("PO %s: %s   next: %s (%s)   SLA: %s\n", s(f, "po_number"), s(f, "state"),
           s(f, "next_step"), s(f, "owner"), s(f, "sla"));
    printf("supplier %s, warehouse %s, ERP %s\n\n", s(parts, "supplier"), s(parts, "warehouse"),
           s(parts, "erp"));
    printf("  %-4s %-16s %-12s %10s %10s %10s %10s %10s %10s\n", "LINE", "SKU", "STATUS", "ORDERED",
           "CONFIRMED", "SHIPPED", "RECEIVED", "DAMAGED", "INVOICED");
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(f, "lines"), i, l)
    {
        printf("  %-4lld %-16s %-12s %10s %10s %10s %10s %10s %10s\n",
               (long long)json_integer_value(json_object_get(l, "line_number")), s(l, "sku"),
               s(l, "status"), s(l, "ordered"), s(l, "confirmed"), s(l, "shipped"),
               s(l, "received"), s(l, "damaged"), s(l, "invoiced"));
    }
    puts("\ntimeline:");
    json_array_foreach(json_object_get(f, "timeline"), i, l)
    {
        printf("  %-24s %-24s %-20s %-16s %s\n", s(l, "at"), s(l, "event"), s(l, "to"),
               s(l, "partner"), s(l, "channel"));
    }
    const json_t *xs = json_object_get(f, "exceptions");
    if (json_array_size(xs) > 0) {
        puts("\nexceptions:");
        json_array_foreach(xs, i, l)
        {
            print_exception(l);
        }
    }
    json_decref(t);
    return 0;
}

static int exceptions(const struct xd_remote *r, int argc, char **argv)
{
    char path[4096] = "/v1/exceptions?limit=1000";
    bool all = false;
    /* Each option and the query parameter of GET /v1/exceptions it sets. */
    static const struct {
        const char *option, *param;
    } filters[] = {{"--type", "type"},
                   {"--owner", "owner"},
                   {"--partner", "partner"},
                   {"--subject-document", "subject_document"},
                   {"--subject-number", "subject_number"}};
    for (int i = 1; i < argc; i++) {
        bool took = false;
        for (size_t k = 0; k < XD_ARRAY_LEN(filters) && !took; k++) {
            if (strcmp(argv[i], filters[k].option) == 0 && i + 1 < argc) {
                char enc[600];
                if (strlen(argv[++i]) > 128) {
                    fprintf(stderr, "crossdock tx exceptions: %s must be 1-128 characters\n",
                            filters[k].option);
                    return 2;
                }
                encode(argv[i], enc, sizeof enc);
                size_t n = strlen(path);
                snprintf(path + n, sizeof path - n, "&%s=%s", filters[k].param, enc);
                took = true;
            }
        }
        if (!took && strcmp(argv[i], "--all") == 0) {
            all = took = true;
        }
        if (!took) {
            usage(stderr);
            return 2;
        }
    }
    if (!all) {
        size_t n = strlen(path);
        snprintf(path + n, sizeof path - n, "&state=open");
    }
    json_t *j = call(r, "tx exceptions", "GET", path, NULL);
    if (j == NULL) {
        return 1;
    }
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(j, "exceptions"), i, x)
    {
        print_exception(x);
    }
    printf("%lld exception(s)\n", (long long)json_integer_value(json_object_get(j, "count")));
    json_decref(j);
    return 0;
}

static int act(const struct xd_remote *r, int argc, char **argv)
{
    if (argc < 3) {
        usage(stderr);
        return 2;
    }
    const char *comment = NULL;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--comment") == 0 && i + 1 < argc) {
            comment = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    json_t *body = json_object();
    json_object_set_new(body, "action", json_string(argv[2]));
    if (comment != NULL) {
        json_object_set_new(body, "comment", json_string(comment));
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char enc[512], path[600];
    encode(argv[1], enc, sizeof enc);
    snprintf(path, sizeof path, "/v1/exceptions/%s/actions", enc);
    json_t *j = text != NULL ? call(r, "tx act", "POST", path, text) : NULL;
    free(text);
    if (j == NULL) {
        return 1;
    }
    print_exception(j);
    json_decref(j);
    return 0;
}

int xd_cmd_tx(int argc, char **argv)
{
    struct xd_remote r;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!xd_remote_init(&r, "tx", &argc, argv)) {
        return 2;
    }
    if (strcmp(argv[1], "show") == 0 && (argc == 3 || argc == 4)) {
        bool as_json = argc == 4 && strcmp(argv[3], "--json") == 0;
        if (argc == 4 && !as_json) {
            usage(stderr);
            return 2;
        }
        return show(&r, argv[2], as_json);
    }
    if (strcmp(argv[1], "exceptions") == 0) {
        return exceptions(&r, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "act") == 0) {
        return act(&r, argc - 1, argv + 1);
    }
    usage(stderr);
    return 2;
}
