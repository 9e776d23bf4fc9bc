/* SPDX-License-Identifier: MIT
 * crossdock dlq list|replay: the dead-letter queue of a running hub, over its HTTP API
 * (GET /v1/dlq, POST /v1/dlq/replay). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/remote.h"
#include "store/store.h"

#define PAGE 1000

static void usage(FILE *f)
{
    fprintf(f, "usage: crossdock dlq list [--partner P] [--url URL] [--token T]\n"
               "       crossdock dlq replay ID... | --partner P | --all [--url URL] [--token T]\n"
               "--url and --token default to CROSSDOCK_URL (else http://127.0.0.1:8080) and "
               "CROSSDOCK_TOKEN.\n");
}

/* One page of the listing; prints its messages and returns the next cursor (0: done), -1 on
 * failure. */
static int64_t list_page(const struct xd_remote *r, const char *partner, int64_t after,
                         size_t *shown)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/dlq?limit=%d&after=%lld%s%s", PAGE, (long long)after,
             partner ? "&partner=" : "", partner ? partner : "");
    struct xd_buf b;
    xd_buf_init(&b, XD_REMOTE_ANSWER_MAX);
    long status = 0;
    struct xd_error err = {0};
    int64_t next = -1;
    if (xd_remote_call(r, "GET", path, NULL, &status, &b, &err) != XD_OK) {
        fprintf(stderr, "crossdock dlq list: %s\n", err.message);
    } else if (status != 200) {
        xd_remote_print_problem(stderr, "dlq list", status, &b);
    } else {
        json_error_t je;
        json_t *j = json_loadb(b.data, b.len, 0, &je);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(j, "messages"), i, m)
        {
            const char *id = json_string_value(json_object_get(m, "id"));
            const char *p = json_string_value(json_object_get(m, "partner"));
            const char *e = json_string_value(json_object_get(m, "endpoint"));
            const char *reason = json_string_value(json_object_get(m, "dead_reason"));
            json_t *s = json_object_get(m, "last_status");
            char where[160];
            char code[16];
            snprintf(where, sizeof where, "%s/%s", p ? p : "?", e ? e : "?");
            snprintf(code, sizeof code, json_is_integer(s) ? "%lld" : "-",
                     (long long)json_integer_value(s));
            printf("%-36s  %-32s  %8lld  %6s  %s\n", id ? id : "?", where,
                   (long long)json_integer_value(json_object_get(m, "attempts")), code,
                   reason ? reason : "");
            (*shown)++;
        }
        json_t *n = json_object_get(j, "next_after");
        next = json_is_integer(n) ? (int64_t)json_integer_value(n) : 0;
        json_decref(j);
    }
    xd_buf_cleanup(&b);
    return next;
}

static int dlq_list(const struct xd_remote *r, int argc, char **argv)
{
    const char *partner = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--partner") == 0 && i + 1 < argc && xd_store_name_valid(argv[i + 1])) {
            partner = argv[++i];
            continue;
        }
        usage(stderr);
        return 2;
    }
    printf("%-36s  %-32s  %8s  %6s  %s\n", "ID", "ENDPOINT", "ATTEMPTS", "STATUS", "REASON");
    size_t shown = 0;
    int64_t after = 0;
    do {
        after = list_page(r, partner, after, &shown);
    } while (after > 0);
    if (after < 0) {
        return 1;
    }
    fprintf(stderr, "%zu dead message%s\n", shown, shown == 1 ? "" : "s");
    return 0;
}

/* The request body of a replay from the arguments; NULL (after the usage) when malformed. */
static char *replay_body(int argc, char **argv)
{
    json_t *o = json_object();
    json_t *ids = json_array();
    bool bad = argc < 2;
    for (int i = 1; i < argc && !bad; i++) {
        if (strcmp(argv[i], "--all") == 0) {
            json_object_set_new(o, "all", json_true());
        } else if (strcmp(argv[i], "--partner") == 0 && i + 1 < argc) {
            json_object_set_new(o, "partner", json_string(argv[++i]));
        } else if (xd_id_valid(argv[i], strlen(argv[i]))) {
            json_array_append_new(ids, json_string(argv[i]));
        } else {
            bad = true;
        }
    }
    if (json_array_size(ids) > 0) {
        json_object_set(o, "ids", ids);
    }
    json_decref(ids);
    char *body = !bad && json_object_size(o) == 1 ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (body == NULL) {
        usage(stderr);
    }
    return body;
}

static int dlq_replay(const struct xd_remote *r, int argc, char **argv)
{
    char *body = replay_body(argc, argv);
    if (body == NULL) {
        return 2;
    }
    struct xd_buf b;
    xd_buf_init(&b, XD_REMOTE_ANSWER_MAX);
    long status = 0;
    struct xd_error err = {0};
    int rc = 1;
    if (xd_remote_call(r, "POST", "/v1/dlq/replay", body, &status, &b, &err) != XD_OK) {
        fprintf(stderr, "crossdock dlq replay: %s\n", err.message);
    } else if (status != 200) {
        xd_remote_print_problem(stderr, "dlq replay", status, &b);
    } else {
        json_error_t je;
        json_t *j = json_loadb(b.data, b.len, 0, &je);
        long long n = (long long)json_integer_value(json_object_get(j, "replayed"));
        printf("replayed %lld message%s\n", n, n == 1 ? "" : "s");
        size_t i;
        json_t *id;
        json_array_foreach(json_object_get(j, "not_dead"), i, id)
        {
            printf("not dead (unknown or in another state): %s\n", json_string_value(id));
        }
        if (json_is_true(json_object_get(j, "more"))) {
            printf("more dead messages remain: run the command again\n");
        }
        json_decref(j);
        rc = 0;
    }
    free(body);
    xd_buf_cleanup(&b);
    return rc;
}

int xd_cmd_dlq(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct xd_remote r;
    int n = argc - 1;
    char **sub = argv + 1;
    if (!xd_remote_init(&r, "dlq", &n, sub)) {
        return 2;
    }
    if (strcmp(sub[0], "list") == 0) {
        return dlq_list(&r, n, sub);
    }
    if (strcmp(sub[0], "replay") == 0) {
        return dlq_replay(&r, n, sub);
    }
    usage(stderr);
    return 2;
}
