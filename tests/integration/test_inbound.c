/* The inbound pipeline end to end, against the real hub on a loopback port: X12 posted by a
 * partner with its own token (documents stored in their threads, a 997 queued back, the same
 * interchange twice stored once), an impostor's interchange refused whole, test interchanges
 * kept out of production, broken sets negatively acknowledged, partners confined to their own
 * channel and documents, and the file inbox: archive for what was journaled, quarantine with a
 * reason for what cannot be used. */
#include <sys/stat.h>

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "hub.h"

static struct test_hub hub;
static char partner_token[128];
static char other_token[128];
static char operator_token[128];

static const char profile[] =
    "id: tp-x12\n"
    "name: Test X12 Supplier\n"
    "role: supplier\n"
    "identifiers: {isa_qualifier: ZZ, isa_id: TPX12, gs_id: TPX12}\n"
    "x12: {acknowledgement: \"997\", hub_qualifier: ZZ, hub_id: NORTHWIND,"
    " hub_gs_id: NORTHWIND}\n"
    "inbound:\n"
    "  http: {formats: [x12, json]}\n"
    "  inbox:\n"
    "    files:\n"
    "      - {pattern: \"*.edi\", format: x12}\n"
    "outbound:\n"
    "  endpoints:\n"
    "    - {name: edi-out, kind: file, filename: \"997_{id}.edi\"}\n"
    "documents:\n"
    "  - {type: po_acknowledgement, direction: in, format: x12}\n"
    "  - {type: po_acknowledgement, direction: in, format: json}\n"
    "  - {type: purchase_order, direction: out, format: x12}\n";

static const char other_profile[] = "id: tp-other\n"
                                    "name: Another Supplier\n"
                                    "role: supplier\n"
                                    "identifiers: {isa_qualifier: ZZ, isa_id: OTHERSUP}\n"
                                    "inbound:\n"
                                    "  inbox:\n"
                                    "    files: [{pattern: \"*.json\", format: json}]\n"
                                    "documents:\n"
                                    "  - {type: po_acknowledgement, direction: in, format: json}\n";

static char *url(const char *path)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", hub.url, path);
    return buf;
}

static void token_for(const char *name, const char *role, const char *partner, char *out,
                      size_t cap)
{
    const char *args[] = {"token",  "create", "--data",
                          hub.data, "--name", name,
                          "--role", role,     partner ? "--partner" : NULL,
                          partner,  NULL};
    assert_int_equal(hub_run_cli(&hub, args, out, cap), 0);
    out[strcspn(out, "\n")] = '\0';
}

/* PUT a profile on hub <h>; fails the test unless it was created or updated: the status. */
static long apply_to(const struct test_hub *h, const char *id, const char *yaml)
{
    static const char *const ct[] = {"Content-Type: application/yaml", NULL};
    char u[512];
    snprintf(u, sizeof u, "%s/v1/partners/%s", h->url, id);
    struct http_resp r;
    http_request("PUT", u, h->token, yaml, strlen(yaml), ct, &r);
    if (r.status != 201 && r.status != 200) {
        fail_msg("applying %s: %ld %s", id, r.status, r.body);
    }
    long status = r.status;
    http_resp_free(&r);
    return status;
}

static void apply(const char *id, const char *yaml)
{
    (void)apply_to(&hub, id, yaml);
}

static int setup(void **state)
{
    (void)state;
    if (hub_setup(&hub, NULL) != 0 || hub_start(&hub, NULL, NULL) != 0) {
        fprintf(stderr, "could not start the hub (log: %s)\n", hub.log);
        return -1;
    }
    apply("tp-x12", profile);
    apply("tp-other", other_profile);
    token_for("tp-x12-token", "partner", "tp-x12", partner_token, sizeof partner_token);
    token_for("tp-other-token", "partner", "tp-other", other_token, sizeof other_token);
    token_for("ops", "operator", NULL, operator_token, sizeof operator_token);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hub_teardown(&hub);
    return 0;
}

/* An 855 from <sender> with interchange control <control>, usage <usage> ('P' or 'T'), for
 * <po>; <bad> leaves out the mandatory BAK segment. */
static char *interchange(const char *sender, unsigned control, char usage, const char *po, bool bad)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    fprintf(f,
            "ISA*00*          *00*          *ZZ*%-15s*ZZ*NORTHWIND      *261128*1015*U*00401*"
            "%09u*0*%c*>~\n",
            sender, control, usage);
    fprintf(f, "GS*PR*%s*NORTHWIND*20261128*1015*%u*X*004010~\n", sender, control);
    fprintf(f, "ST*855*0001~\n");
    if (!bad) {
        fprintf(f, "BAK*00*AC*%s*20261127****SO-1*20261128~\n", po);
    }
    fprintf(f, "PO1*1*10*EA*2.50**SK*NW-10042~\n");
    fprintf(f, "ACK*IA*10*EA~\n");
    fprintf(f, "CTT*1*10~\n");
    fprintf(f, "SE*%d*0001~\n", bad ? 5 : 6);
    fprintf(f, "GE*1*%u~\nIEA*1*%09u~\n", control, control);
    fclose(f);
    return out;
}

/* Wait until a file in <dir> (relative to the data directory) holds <needle>. */
static bool wait_for_content(const char *dir, const char *needle, int ms)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", hub.data, dir);
    for (int waited = 0; waited < ms; waited += 100) {
        DIR *d = opendir(path);
        for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
            if (e->d_name[0] == '.') {
                continue;
            }
            char file[2048];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            FILE *f = fopen(file, "r");
            char *text = NULL;
            size_t cap = 0;
            bool hit =
                f != NULL && getdelim(&text, &cap, '\0', f) > 0 && strstr(text, needle) != NULL;
            free(text);
            if (f != NULL) {
                fclose(f);
            }
            if (hit) {
                closedir(d);
                return true;
            }
        }
        if (d != NULL) {
            closedir(d);
        }
        usleep(100 * 1000);
    }
    return false;
}

static const char *const x12_ct[] = {"Content-Type: application/edi-x12", NULL};

static json_t *post_x12(const char *partner, const char *token, const char *body, long want)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/inbound/%s", partner);
    struct http_resp r;
    http_request("POST", url(path), token, body, strlen(body), x12_ct, &r);
    if (r.status != want) {
        fail_msg("POST %s: %ld, wanted %ld: %s", path, r.status, want, r.body);
    }
    json_t *j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    http_resp_free(&r);
    return j;
}

static long get_status(const char *path, const char *token, json_t **out)
{
    struct http_resp r;
    http_request("GET", url(path), token, NULL, 0, NULL, &r);
    long status = r.status;
    if (out != NULL) {
        *out = json_loads(r.body, 0, NULL);
    }
    http_resp_free(&r);
    return status;
}

static const char *str(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v != NULL ? v : "";
}

static void test_x12_accepted_and_acknowledged(void **state)
{
    (void)state;
    char *x = interchange("TPX12", 101, 'P', "PO-INB-1", false);
    json_t *a = post_x12("tp-x12", partner_token, x, 201);
    assert_string_equal(str(a, "status"), "accepted");
    assert_int_equal(json_integer_value(json_object_get(a, "documents_total")), 1);
    json_t *doc = json_array_get(json_object_get(a, "documents"), 0);
    assert_string_equal(str(doc, "type"), "po_acknowledgement");
    /* The 997 back: from us to the partner, accepting the group, queued to its endpoint. */
    json_t *ack = json_object_get(a, "acknowledgement");
    assert_string_equal(str(ack, "kind"), "997");
    const char *x997 = str(ack, "x12");
    assert_non_null(strstr(x997, "*ZZ*NORTHWIND      *ZZ*TPX12          *"));
    assert_non_null(strstr(x997, "AK1*PR*101"));
    assert_non_null(strstr(x997, "AK9*A*1*1*1"));
    json_t *ob = json_array_get(json_object_get(a, "outbound"), 0);
    assert_string_equal(str(ob, "endpoint"), "edi-out");
    char path[256];
    snprintf(path, sizeof path, "/v1/outbox/%s", str(ob, "id"));
    json_t *m = NULL;
    assert_int_equal(get_status(path, hub.token, &m), 200);
    assert_string_equal(str(m, "partner"), "tp-x12");
    json_decref(m);
    /* ... and delivered: a file in the partner's outbox folder, for it to collect. */
    assert_true(wait_for_content("partners/tp-x12/outbox", "AK1*PR*101", 15000));
    /* The document: the partner reads it, another partner may not. */
    snprintf(path, sizeof path, "/v1/documents/%s", str(doc, "id"));
    json_t *d = NULL;
    assert_int_equal(get_status(path, partner_token, &d), 200);
    json_t *src = json_object_get(d, "source");
    assert_string_equal(str(src, "partner"), "tp-x12");
    assert_string_equal(str(d, "po_number"), "PO-INB-1");
    json_decref(d);
    assert_int_equal(get_status(path, other_token, NULL), 403);
    /* What the partner sent for it: the whole interchange, byte for byte, as it came. */
    snprintf(path, sizeof path, "/v1/documents/%s/raw", str(doc, "id"));
    struct http_resp raw;
    http_request("GET", url(path), partner_token, NULL, 0, NULL, &raw);
    assert_int_equal(raw.status, 200);
    assert_int_equal(raw.len, strlen(x));
    assert_memory_equal(raw.body, x, raw.len);
    char ct[64];
    assert_true(http_header(&raw, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/edi-x12");
    http_resp_free(&raw);
    assert_int_equal(get_status(path, other_token, NULL), 403);
    snprintf(path, sizeof path, "/v1/transactions/%s", str(doc, "correlation_id"));
    assert_int_equal(get_status(path, other_token, NULL), 403);
    assert_int_equal(get_status(path, partner_token, NULL), 200);

    /* The same interchange again: the first answer, nothing new stored. */
    struct http_resp r;
    http_request("POST", url("/v1/inbound/tp-x12"), partner_token, x, strlen(x), x12_ct, &r);
    assert_int_equal(r.status, 201);
    char replayed[16];
    assert_true(http_header(&r, "Idempotent-Replayed", replayed, sizeof replayed));
    json_t *again = json_loads(r.body, 0, NULL);
    assert_string_equal(str(again, "id"), str(a, "id"));
    http_resp_free(&r);
    json_decref(again);
    json_t *t = NULL;
    assert_int_equal(get_status(path, hub.token, &t), 200);
    assert_int_equal(json_array_size(json_object_get(t, "documents")), 1);
    json_decref(t);
    /* The same control number over other bytes: a conflict, not a silent duplicate. */
    char *y = interchange("TPX12", 101, 'P', "PO-INB-OTHER", false);
    json_decref(post_x12("tp-x12", partner_token, y, 409));
    free(y);
    json_decref(a);
    free(x);
}

/* An Idempotency-Key over HTTP, as on /v1/documents: the same bytes again are answered as
 * first stored and store nothing new; other bytes under the key are 422 and store nothing;
 * also after a restart. The store checks the key in the message's transaction; a control
 * number reused under a new key stays the interchange's conflict; a request refused before the
 * store is still answered as stored when it was. */
static long post_keyed(const char *body, const char *key, struct http_resp *r)
{
    char header[128];
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    const char *const h[] = {x12_ct[0], header, NULL};
    http_request("POST", url("/v1/inbound/tp-x12"), partner_token, body, strlen(body), h, r);
    return r->status;
}

/* POST <body> under <key>: answered <status>, a problem of type <type>. */
static void refused_keyed(const char *body, const char *key, long status, const char *type)
{
    struct http_resp r;
    assert_int_equal(post_keyed(body, key, &r), status);
    json_t *p = json_loads(r.body, 0, NULL);
    assert_string_equal(str(p, "type"), type);
    json_decref(p);
    http_resp_free(&r);
}

static size_t thread_documents(const char *po)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/transactions/%s", po);
    json_t *t = NULL;
    long status = get_status(path, hub.token, &t);
    size_t n = status == 200 ? json_array_size(json_object_get(t, "documents")) : 0;
    json_decref(t);
    return n;
}

static void test_idempotency_key(void **state)
{
    (void)state;
    char *x = interchange("TPX12", 150, 'P', "PO-INB-KEY", false);
    struct http_resp r;
    assert_int_equal(post_keyed(x, "inbound-key-1", &r), 201);
    json_t *first = json_loads(r.body, 0, NULL);
    char replayed[16];
    assert_false(http_header(&r, "Idempotent-Replayed", replayed, sizeof replayed));
    http_resp_free(&r);
    assert_int_equal(thread_documents("PO-INB-KEY"), 1);

    for (int round = 0; round < 2; round++) {
        assert_int_equal(post_keyed(x, "inbound-key-1", &r), 201);
        assert_true(http_header(&r, "Idempotent-Replayed", replayed, sizeof replayed));
        json_t *again = json_loads(r.body, 0, NULL);
        assert_string_equal(str(again, "id"), str(first, "id"));
        json_decref(again);
        http_resp_free(&r);

        char *y = interchange("TPX12", 151, 'P', "PO-INB-KEY-OTHER", false);
        refused_keyed(y, "inbound-key-1", 422, "urn:crossdock:problem:idempotency-key-reused");
        free(y);
        assert_int_equal(thread_documents("PO-INB-KEY"), 1);
        assert_int_equal(thread_documents("PO-INB-KEY-OTHER"), 0);
        if (round == 0) {
            assert_int_equal(WEXITSTATUS(hub_stop(&hub, SIGTERM)), 0);
            assert_int_equal(hub_start(&hub, NULL, NULL), 0);
        }
    }
    /* A new key over a reused control number: the interchange's conflict (409), not the key's. */
    char *z = interchange("TPX12", 150, 'P', "PO-INB-KEY-THIRD", false);
    refused_keyed(z, "inbound-key-2", 409, "urn:crossdock:problem:inbound-refused");
    free(z);
    assert_int_equal(thread_documents("PO-INB-KEY-THIRD"), 0);
    /* Refused before the store now (the profile no longer takes X12 over HTTP): a retry of the
     * stored request is still answered as stored; a new one is refused. */
    char *json_only = strdup(profile);
    assert_non_null(json_only);
    char *formats = strstr(json_only, "formats: [x12, json]");
    assert_non_null(formats);
    memcpy(formats, "formats: [json]     ", strlen("formats: [x12, json]"));
    apply("tp-x12", json_only);
    assert_int_equal(post_keyed(x, "inbound-key-1", &r), 201);
    assert_true(http_header(&r, "Idempotent-Replayed", replayed, sizeof replayed));
    http_resp_free(&r);
    char *w = interchange("TPX12", 152, 'P', "PO-INB-KEY-FOURTH", false);
    assert_int_equal(post_keyed(w, "inbound-key-3", &r), 415);
    http_resp_free(&r);
    free(w);
    apply("tp-x12", profile);
    free(json_only);
    json_decref(first);
    free(x);
}

static void test_impostor_refused_whole(void **state)
{
    (void)state;
    /* The channel is tp-x12's, the interchange claims to come from OTHERSUP. */
    char *x = interchange("OTHERSUP", 102, 'P', "PO-INB-2", false);
    json_t *a = post_x12("tp-x12", partner_token, x, 403);
    assert_string_equal(str(a, "status"), "rejected");
    assert_int_equal(json_integer_value(json_object_get(a, "documents_total")), 0);
    assert_int_equal(json_array_size(json_object_get(a, "outbound")), 0);
    assert_non_null(strstr(str(a, "detail"), "ZZ/OTHERSUP is not partner tp-x12"));
    json_decref(a);
    free(x);
    /* Nor may a partner's token post on another partner's channel at all. */
    x = interchange("TPX12", 103, 'P', "PO-INB-3", false);
    json_t *p = post_x12("tp-other", partner_token, x, 403);
    json_decref(p);
    /* A channel the profile does not open. */
    p = post_x12("tp-other", other_token, x, 403);
    assert_non_null(strstr(str(p, "detail"), "no HTTP inbound channel"));
    json_decref(p);
    free(x);
}

static void test_test_interchange_reaches_nothing(void **state)
{
    (void)state;
    char *x = interchange("TPX12", 104, 'T', "PO-INB-TEST", false);
    json_t *a = post_x12("tp-x12", operator_token, x, 201);
    assert_string_equal(str(a, "status"), "test");
    assert_int_equal(json_integer_value(json_object_get(a, "documents_total")), 0);
    /* Acknowledged all the same, as a test interchange itself. */
    const char *x997 = str(json_object_get(a, "acknowledgement"), "x12");
    assert_non_null(strstr(x997, "*0*T*"));
    assert_non_null(strstr(x997, "AK9*A"));
    json_decref(a);
    free(x);
}

static void test_broken_set_rejected_with_997(void **state)
{
    (void)state;
    char *x = interchange("TPX12", 105, 'P', "PO-INB-5", true);
    json_t *a = post_x12("tp-x12", partner_token, x, 422);
    assert_string_equal(str(a, "status"), "rejected");
    assert_int_equal(json_integer_value(json_object_get(a, "documents_total")), 0);
    assert_true(json_integer_value(json_object_get(a, "problems_total")) > 0);
    const char *x997 = str(json_object_get(a, "acknowledgement"), "x12");
    assert_non_null(strstr(x997, "AK5*R"));
    assert_non_null(strstr(x997, "AK9*R"));
    /* Journaled all the same, and the ack queued. */
    assert_int_equal(json_array_size(json_object_get(a, "outbound")), 1);
    json_decref(a);
    free(x);
    /* A Content-Type longer than the journal keeps: the message is still taken. */
    char long_ct[400];
    snprintf(long_ct, sizeof long_ct, "Content-Type: text/plain; note=%0300d", 0);
    const char *const ct[] = {long_ct, NULL};
    char *y = interchange("TPX12", 106, 'P', "PO-INB-6", false);
    struct http_resp r;
    http_request("POST", url("/v1/inbound/tp-x12"), partner_token, y, strlen(y), ct, &r);
    assert_int_equal(r.status, 201);
    http_resp_free(&r);
    free(y);
    /* Not X12 at all, declared as X12: rejected, with a reason. */
    json_t *g = post_x12("tp-x12", partner_token, "hello, this is not EDI", 422);
    assert_string_equal(str(g, "status"), "rejected");
    json_decref(g);
    /* The journal's last message carries no document: the workflow engine is not behind it. */
    bool caught_up = false;
    for (int i = 0; i < 500 && !caught_up; i++) {
        http_request("GET", url("/metrics"), NULL, NULL, 0, NULL, &r);
        assert_int_equal(r.status, 200);
        caught_up = strstr(r.body, "\ncrossdock_flow_journal_lag 0\n") != NULL;
        http_resp_free(&r);
        usleep(caught_up ? 0 : 10 * 1000);
    }
    assert_true(caught_up);
}

/* ------------------------------------------------------------------------------------------ */
/* The file inbox */

static bool wait_for_file(const char *path, int ms)
{
    struct stat st;
    for (int waited = 0; waited < ms; waited += 50) {
        if (stat(path, &st) == 0) {
            return true;
        }
        usleep(50 * 1000);
    }
    return false;
}

static void drop(const char *name, const char *body)
{
    char tmp[1024], final[1024];
    snprintf(tmp, sizeof tmp, "%s/partners/tp-x12/inbox/.%s.part", hub.data, name);
    snprintf(final, sizeof final, "%s/partners/tp-x12/inbox/%s", hub.data, name);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(body, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, final), 0); /* moved in: complete */
}

static void test_inbox_archive_and_quarantine(void **state)
{
    (void)state;
    char today[16];
    time_t now = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
    char path[1024];
    snprintf(path, sizeof path, "%s/partners/tp-x12/inbox", hub.data);
    struct stat st;
    assert_int_equal(stat(path, &st), 0); /* made when the profile was applied */

    char *x = interchange("TPX12", 201, 'P', "PO-INBOX-1", false);
    drop("ack-201.edi", x);
    snprintf(path, sizeof path, "%s/archive/tp-x12/%s/ack-201.edi", hub.data, today);
    assert_true(wait_for_file(path, 15000));
    free(x);
    /* Journaled with its document before the file left the inbox. */
    assert_int_equal(hub_log_count(&hub, "ack-201.edi: accepted, 1 document(s)"), 1);

    /* Garbage: quarantined with its reason beside it, not retried. */
    drop("junk.edi", "this is not an interchange at all\n");
    snprintf(path, sizeof path, "%s/quarantine/tp-x12/junk.edi", hub.data);
    assert_true(wait_for_file(path, 15000));
    snprintf(path, sizeof path, "%s/quarantine/tp-x12/junk.edi.reason.txt", hub.data);
    assert_true(wait_for_file(path, 2000));
    char *reason = NULL;
    size_t rlen = 0;
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_true(getdelim(&reason, &rlen, '\0', f) > 0);
    fclose(f);
    assert_non_null(strstr(reason, "no document could be read"));
    free(reason);
    /* An impostor's file: quarantined as well. */
    x = interchange("OTHERSUP", 202, 'P', "PO-INBOX-2", false);
    drop("impostor.edi", x);
    free(x);
    snprintf(path, sizeof path, "%s/quarantine/tp-x12/impostor.edi.reason.txt", hub.data);
    assert_true(wait_for_file(path, 15000));
    snprintf(path, sizeof path, "%s/partners/tp-x12/inbox/impostor.edi", hub.data);
    assert_int_equal(stat(path, &st), -1);
}

/* A flat file partner: its CSV, picked by the inbox rule for ASN_*.csv, through the profile's
 * map, journaled with the one ship notice its rows make, then archived. */
static void test_inbox_csv(void **state)
{
    (void)state;
    size_t len = 0;
    char *yaml = test_read_src_file("examples/partners/globex-packaging.yaml", &len);
    assert_non_null(yaml);
    apply("globex-packaging", yaml);
    free(yaml);
    char *csv =
        test_read_src_file("examples/partners/samples/globex-packaging/ASN_20260310.csv", &len);
    assert_non_null(csv);
    char path[1024], final[1024];
    snprintf(path, sizeof path, "%s/partners/globex-packaging/inbox/.ASN_20260310.csv.part",
             hub.data);
    snprintf(final, sizeof final, "%s/partners/globex-packaging/inbox/ASN_20260310.csv", hub.data);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(csv, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(path, final), 0);
    free(csv);
    char today[16];
    time_t now = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
    snprintf(path, sizeof path, "%s/archive/globex-packaging/%s/ASN_20260310.csv", hub.data, today);
    assert_true(wait_for_file(path, 15000));
    assert_int_equal(hub_log_count(&hub, "ASN_20260310.csv: accepted, 1 document(s)"), 1);
}

/* A hub of its own, one HTTP thread and the fault-injection VFS, to see the disk at work. */
struct slow_post {
    struct test_hub *h;
    const char *body;
    long status;
};

static void *post_slow(void *arg)
{
    struct slow_post *p = arg;
    char u[128];
    snprintf(u, sizeof u, "%s/v1/inbound/tp-x12", p->h->url);
    struct http_resp r;
    http_request("POST", u, p->h->token, p->body, strlen(p->body), x12_ct, &r);
    p->status = r.status;
    http_resp_free(&r);
    return NULL;
}

static void flag_file(const struct test_hub *h, const char *name, bool on)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", h->data, name);
    if (on) {
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fclose(f);
    } else {
        assert_int_equal(unlink(p), 0);
    }
}

/* A message waits for its commit without holding a server thread: with a single HTTP thread
 * and a disk that takes half a second per fsync, /v1/health answers while an interchange is
 * being committed. A commit that fails gets 503 with Retry-After and keeps nothing: the same
 * interchange is new when sent again. */
static void test_messages_wait_for_the_disk_not_a_thread(void **state)
{
    (void)state;
    static const char *const env[] = {"CROSSDOCK_TEST_FAULTS=1", NULL};
    struct test_hub h;
    assert_int_equal(hub_setup(&h, NULL), 0);
    char cfg[600];
    snprintf(cfg, sizeof cfg, "%s/one-thread.yaml", h.dir);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fputs("http_threads: 1\n", f);
    fclose(f);
    const char *args[] = {"--config", cfg, NULL};
    assert_int_equal(hub_start(&h, args, env), 0);
    assert_int_equal(apply_to(&h, "tp-x12", profile), 201);
    char path[600];
    struct http_resp r;

    /* The first 997 reserves a block of control numbers, a commit of its own (not this). */
    char *w = interchange("TPX12", 500, 'P', "PO-WARM-1", false);
    struct slow_post warm = {.h = &h, .body = w};
    post_slow(&warm);
    assert_int_equal(warm.status, 201);
    free(w);

    flag_file(&h, ".fault-slow", true);
    char *x = interchange("TPX12", 501, 'P', "PO-SLOW-1", false);
    struct slow_post p = {.h = &h, .body = x};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, post_slow, &p), 0);
    usleep(150 * 1000); /* the interchange is in its commit by now */
    snprintf(path, sizeof path, "%s/v1/health", h.url);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    http_request("GET", path, NULL, NULL, 0, NULL, &r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    pthread_join(t, NULL);
    assert_int_equal(p.status, 201);
    if (ms >= 300) {
        fail_msg("health took %ld ms while a message waited for the disk", ms);
    }
    flag_file(&h, ".fault-slow", false);

    flag_file(&h, ".fault-fsync", true);
    char *y = interchange("TPX12", 502, 'P', "PO-FAIL-1", false);
    snprintf(path, sizeof path, "%s/v1/inbound/tp-x12", h.url);
    http_request("POST", path, h.token, y, strlen(y), x12_ct, &r);
    assert_int_equal(r.status, 503);
    char ra[16];
    assert_true(http_header(&r, "Retry-After", ra, sizeof ra));
    http_resp_free(&r);
    flag_file(&h, ".fault-fsync", false);
    long status = 503;
    for (int i = 0; i < 200 && status == 503; i++) {
        usleep(100 * 1000);
        http_request("POST", path, h.token, y, strlen(y), x12_ct, &r);
        status = r.status;
        char replayed[8];
        assert_false(http_header(&r, "Idempotent-Replayed", replayed, sizeof replayed));
        http_resp_free(&r);
    }
    assert_int_equal(status, 201);
    free(x);
    free(y);
    hub_stop(&h, SIGTERM);
    hub_teardown(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x12_accepted_and_acknowledged),
        cmocka_unit_test(test_idempotency_key),
        cmocka_unit_test(test_impostor_refused_whole),
        cmocka_unit_test(test_test_interchange_reaches_nothing),
        cmocka_unit_test(test_broken_set_rejected_with_997),
        cmocka_unit_test(test_inbox_archive_and_quarantine),
        cmocka_unit_test(test_inbox_csv),
        cmocka_unit_test(test_messages_wait_for_the_disk_not_a_thread),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
