/* Outbound delivery end to end: the real `crossdock serve` and real `crossdock sim receiver`
 * processes on loopback ports. Receivers that succeed, fail with 500 for a while, hang past
 * the timeout, drop connections, answer 4xx, 410 and 429, and come back; the address guard;
 * failover; and hub restarts (SIGTERM and kill -9) in the middle of deliveries. Every test
 * checks, from the receivers' own records, that nothing was lost, nothing was processed twice
 * and each partner's messages were processed in the order they were enqueued. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "hub.h"

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
/* Fast policies so failures and recoveries happen within a test's seconds. */
#define FAST_POLICY                                                                                \
    "\"retry\":{\"max_attempts\":60,\"max_age_s\":600,\"backoff_base_ms\":50,"                     \
    "\"backoff_max_ms\":200},\"breaker\":{\"failures\":3,\"open_ms\":400},"                        \
    "\"allow_private\":[\"127.0.0.0/8\"]"
#define ID_MAX 40

static struct test_hub hub;

static int setup(void **state)
{
    (void)state;
    return hub_setup(&hub, NULL);
}

static int teardown(void **state)
{
    (void)state;
    hub_teardown(&hub);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Helpers */

static void start_hub(const char *endpoints_json)
{
    char path[600];
    snprintf(path, sizeof path, "%s/endpoints.json", hub.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(endpoints_json, f);
    fclose(f);
    const char *args[] = {"--endpoints", path, NULL};
    assert_int_equal(hub_start(&hub, args, NULL), 0);
}

/* Stop the hub with <sig> (when it runs) and start it again on the same data. A SIGTERM stop
 * must be clean (exit 0). */
static void restart_hub(int sig)
{
    if (hub.pid > 0) {
        int status = hub_stop(&hub, sig);
        if (sig == SIGTERM) {
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
    }
    char path[600];
    snprintf(path, sizeof path, "%s/endpoints.json", hub.dir);
    const char *args[] = {"--endpoints", path, NULL};
    assert_int_equal(hub_start(&hub, args, NULL), 0);
}

/* An API call with the admin token; the answer parsed (NULL when not JSON). */
static json_t *api(const char *method, const char *path, const char *body, long *status)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", hub.url, path);
    const char *headers[] = {"Content-Type: application/json", NULL};
    struct http_resp r;
    http_request(method, url, hub.token, body, body ? strlen(body) : 0, headers, &r);
    *status = r.status;
    json_error_t e;
    json_t *j = json_loadb(r.body, r.len, 0, &e);
    http_resp_free(&r);
    return j;
}

/* Enqueue <n> messages through POST /v1/outbox; their ids into <ids>. */
static void enqueue(const char *partner, const char *endpoint, int n, char (*ids)[ID_MAX],
                    const char *correlation_id)
{
    for (int i = 0; i < n; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"partner\":\"%s\",\"endpoint\":\"%s\",\"body\":{\"partner\":\"%s\","
                 "\"n\":%d}%s%s%s}",
                 partner, endpoint, partner, i, correlation_id ? ",\"correlation_id\":\"" : "",
                 correlation_id ? correlation_id : "", correlation_id ? "\"" : "");
        long status = 0;
        json_t *j = api("POST", "/v1/outbox", body, &status);
        if (status != 201) {
            fail_msg("enqueue to %s/%s: %ld %s", partner, endpoint, status,
                     j ? json_string_value(json_object_get(j, "detail")) : "");
        }
        snprintf(ids[i], ID_MAX, "%s", json_string_value(json_object_get(j, "id")));
        json_decref(j);
    }
}

/* Messages in <state> (of <partner> when not NULL), every page. */
static int count_state(const char *state, const char *partner)
{
    int n = 0;
    long long after = 0;
    for (;;) {
        char path[256];
        snprintf(path, sizeof path, "/v1/outbox?state=%s&limit=1000&after=%lld%s%s", state, after,
                 partner ? "&partner=" : "", partner ? partner : "");
        long status = 0;
        json_t *j = api("GET", path, NULL, &status);
        assert_int_equal(status, 200);
        n += (int)json_array_size(json_object_get(j, "messages"));
        json_t *next = json_object_get(j, "next_after");
        after = json_is_integer(next) ? (long long)json_integer_value(next) : 0;
        json_decref(j);
        if (after == 0) {
            return n;
        }
    }
}

static void wait_count(const char *state, const char *partner, int want, int timeout_ms)
{
    int got = -1;
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        got = count_state(state, partner);
        if (got == want) {
            return;
        }
        usleep(50000);
    }
    fail_msg("%d messages %s%s%s, want %d", got, state, partner ? " for " : "",
             partner ? partner : "", want);
}

static json_t *message(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/outbox/%s", id);
    long status = 0;
    json_t *j = api("GET", path, NULL, &status);
    assert_int_equal(status, 200);
    return j;
}

/* The endpoint's object of GET /v1/endpoints (a new reference). */
static json_t *endpoint_state(const char *partner, const char *name)
{
    long status = 0;
    json_t *j = api("GET", "/v1/endpoints", NULL, &status);
    assert_int_equal(status, 200);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "endpoints"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "partner")), partner) == 0 &&
            strcmp(json_string_value(json_object_get(e, "name")), name) == 0) {
            json_incref(e);
            json_decref(j);
            return e;
        }
    }
    fail_msg("no endpoint %s/%s", partner, name);
    return NULL;
}

static json_t *received(const struct test_rcv *r)
{
    char url[128];
    snprintf(url, sizeof url, "%s/_received", r->url);
    struct http_resp resp;
    assert_int_equal(http_request("GET", url, NULL, NULL, 0, NULL, &resp), 0);
    json_error_t e;
    json_t *j = json_loadb(resp.body, resp.len, 0, &e);
    http_resp_free(&resp);
    assert_non_null(j);
    return j;
}

/* A receiver's record file, every run, as {"records":[...]} like GET /_received. */
static json_t *record_file(const char *path)
{
    json_t *list = json_array();
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048];
    while (fgets(line, sizeof line, f) != NULL) {
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        assert_non_null(j);
        json_array_append_new(list, j);
    }
    fclose(f);
    json_t *root = json_object();
    json_object_set_new(root, "records", list);
    return root;
}

/* Every one of <ids> was processed exactly once, in this order; duplicates (acknowledged, not
 * processed again) are allowed. */
static void assert_once_in_order(json_t *rec, char (*ids)[ID_MAX], int n)
{
    int next = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(rec, "records"), i, r)
    {
        const char *key = json_string_value(json_object_get(r, "key"));
        if (key == NULL || !json_is_true(json_object_get(r, "processed"))) {
            continue;
        }
        for (int k = 0; k < n; k++) {
            if (strcmp(key, ids[k]) != 0) {
                continue;
            }
            if (k < next) {
                fail_msg("message %d (%s) processed twice", k, key);
            }
            if (k > next) {
                fail_msg("message %d processed before message %d", k, next);
            }
            next++;
        }
    }
    if (next != n) {
        fail_msg("%d of %d messages were processed", next, n);
    }
}

/* The receiver processed exactly <n> messages in all: no message arrived under another key. */
static void assert_processed(json_t *rec, int n)
{
    int processed = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(rec, "records"), i, r)
    {
        processed += json_is_true(json_object_get(r, "processed"));
    }
    if (processed != n) {
        fail_msg("the receiver processed %d messages, want %d", processed, n);
    }
}

static void endpoints_json(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void endpoints_json(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < cap);
}

static void start_receiver(struct test_rcv *r, uint16_t port, const char *const *args)
{
    assert_int_equal(rcv_start(r, &hub, hub.dir, port, args), 0);
}

/* ------------------------------------------------------------------------------------------ */

static void test_signed_webhooks_and_files_in_order(void **state)
{
    (void)state;
    struct test_rcv r;
    const char *args[] = {"--secret", SECRET, NULL};
    start_receiver(&r, 0, args);
    char eps[2048];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":["
                   "{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"webhook\",\"url\":\"%s/"
                   "acme\",\"webhook_secret\":\"" SECRET "\"," FAST_POLICY "},"
                   "{\"partner\":\"beta\",\"name\":\"orders\",\"kind\":\"webhook\",\"url\":\"%s/"
                   "beta\",\"webhook_secret\":\"" SECRET "\"," FAST_POLICY "},"
                   "{\"partner\":\"wh-east\",\"name\":\"sftp\",\"kind\":\"file\"}]}",
                   r.url, r.url);
    start_hub(eps);
    char a[30][ID_MAX], b[30][ID_MAX], f[5][ID_MAX];
    for (int i = 0; i < 30; i++) { /* interleaved: the queues run side by side */
        enqueue("acme", "orders", 1, &a[i], NULL);
        enqueue("beta", "orders", 1, &b[i], NULL);
    }
    enqueue("wh-east", "sftp", 5, f, NULL);
    wait_count("delivered", NULL, 65, 30000);
    json_t *rec = received(&r);
    assert_once_in_order(rec, a, 30);
    assert_once_in_order(rec, b, 30);
    assert_processed(rec, 60);
    assert_int_equal(json_integer_value(json_object_get(rec, "duplicates")), 0);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rec, "records"), i, x)
    {
        assert_true(json_is_true(json_object_get(x, "signature_valid")));
    }
    json_decref(rec);
    /* The file outbox: one file per message, named in delivery order, none half-written. */
    char dir[700];
    snprintf(dir, sizeof dir, "%s/partners/wh-east/outbox", hub.data);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_int_equal(n, 7);
    for (int k = 2; k < n; k++) {
        assert_non_null(strstr(names[k]->d_name, f[k - 2]));
    }
    for (int k = 0; k < n; k++) {
        free(names[k]);
    }
    free(names);
    rcv_stop(&r, SIGTERM);
}

static long long metric(const char *text, const char *series)
{
    const char *p = strstr(text, series);
    return p != NULL ? strtoll(p + strlen(series), NULL, 10) : -1;
}

static void test_failing_endpoint_breaker_and_recovery(void **state)
{
    (void)state;
    struct test_rcv r;
    const char *args[] = {"--fail-first", "9", NULL}; /* 500 nine times, then fine */
    start_receiver(&r, 0, args);
    char eps[1024];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":[{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"http\","
                   "\"url\":\"%s/in\"," FAST_POLICY "}]}",
                   r.url);
    start_hub(eps);
    char ids[5][ID_MAX];
    enqueue("acme", "orders", 5, ids, NULL);
    /* The breaker opens after 3 consecutive failures: watch it from the API. */
    bool seen_open = false;
    for (int i = 0; i < 200 && !seen_open; i++) {
        json_t *e = endpoint_state("acme", "orders");
        const char *bs = json_string_value(json_object_get(json_object_get(e, "breaker"), "state"));
        seen_open = strcmp(bs, "open") == 0;
        json_decref(e);
        usleep(20000);
    }
    assert_true(seen_open);
    wait_count("delivered", "acme", 5, 30000);
    json_t *e = endpoint_state("acme", "orders");
    json_t *br = json_object_get(e, "breaker");
    json_t *tr = json_object_get(br, "transitions");
    assert_string_equal(json_string_value(json_object_get(br, "state")), "closed");
    assert_true(json_integer_value(json_object_get(tr, "open")) >= 1);
    assert_true(json_integer_value(json_object_get(tr, "half_open")) >= 1);
    assert_int_equal(json_integer_value(json_object_get(tr, "closed")), 1);
    /* Every half-open period let exactly one probe through: after the first opening each
     * failure reopens it, so opens = 1 + failed probes. */
    assert_int_equal(json_integer_value(json_object_get(tr, "open")),
                     json_integer_value(json_object_get(tr, "half_open")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "attempts"), "retried")),
                     9);
    json_decref(e);
    struct http_resp m;
    char url[128];
    snprintf(url, sizeof url, "%s/metrics", hub.url);
    assert_int_equal(http_request("GET", url, NULL, NULL, 0, NULL, &m), 0);
    assert_true(metric(m.body, "crossdock_delivery_breaker_transitions_total{partner=\"acme\","
                               "endpoint=\"orders\",to=\"open\"} ") >= 1);
    assert_int_equal(metric(m.body, "crossdock_delivery_breaker_state{partner=\"acme\","
                                    "endpoint=\"orders\",state=\"closed\"} "),
                     1);
    assert_int_equal(metric(m.body, "crossdock_delivery_attempts_total{partner=\"acme\","
                                    "endpoint=\"orders\",outcome=\"delivered\"} "),
                     5);
    assert_non_null(strstr(m.body, "crossdock_delivery_duration_seconds_bucket{partner=\"acme\""));
    http_resp_free(&m);
    json_t *rec = received(&r);
    assert_once_in_order(rec, ids, 5);
    assert_processed(rec, 5);
    json_decref(rec);
    rcv_stop(&r, SIGTERM);
}

static void test_hanging_and_dropping_receivers_come_back(void **state)
{
    (void)state;
    char record[600];
    snprintf(record, sizeof record, "%s/slow.jsonl", hub.dir);
    struct test_rcv slow, flaky;
    const char *slow_args[] = {"--delay", "1500", "--record", record, NULL};
    const char *flaky_args[] = {"--drop-first", "3", NULL};
    start_receiver(&slow, 0, slow_args);
    start_receiver(&flaky, 0, flaky_args);
    char eps[2048];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":["
                   "{\"partner\":\"slow\",\"name\":\"orders\",\"kind\":\"http\",\"url\":\"%s/in\","
                   "\"timeout_ms\":400,\"connect_timeout_ms\":200," FAST_POLICY "},"
                   "{\"partner\":\"flaky\",\"name\":\"orders\",\"kind\":\"http\",\"url\":\"%s/"
                   "in\"," FAST_POLICY "}]}",
                   slow.url, flaky.url);
    start_hub(eps);
    char s[3][ID_MAX], f[3][ID_MAX];
    enqueue("slow", "orders", 3, s, NULL);
    enqueue("flaky", "orders", 3, f, NULL);
    wait_count("delivered", "flaky", 3, 20000);
    json_t *rec = received(&flaky);
    assert_int_equal(json_integer_value(json_object_get(rec, "dropped")), 3);
    assert_once_in_order(rec, f, 3);
    assert_processed(rec, 3);
    json_decref(rec);
    /* The slow one processed the first message but never answered in time: the hub tries
     * again (the receiver sees the key again and does not process it twice). */
    for (int i = 0; i < 100; i++) {
        json_t *j = received(&slow);
        json_int_t n = json_integer_value(json_object_get(j, "count"));
        json_decref(j);
        if (n >= 2) {
            break;
        }
        usleep(100000);
    }
    assert_int_equal(count_state("delivered", "slow"), 0);
    /* It goes down, and comes back fast on the same port with the same memory of keys. */
    uint16_t port = slow.port;
    rcv_stop(&slow, SIGTERM);
    usleep(500000); /* refused connections meanwhile */
    const char *back_args[] = {"--record", record, NULL};
    start_receiver(&slow, port, back_args);
    wait_count("delivered", "slow", 3, 30000);
    rcv_stop(&slow, SIGTERM);
    rcv_stop(&flaky, SIGTERM);
    json_t *all = record_file(record);
    assert_once_in_order(all, s, 3);
    assert_processed(all, 3);
    /* The first message really was sent more than once. */
    size_t i;
    json_t *x;
    int dups = 0;
    json_array_foreach(json_object_get(all, "records"), i, x)
    {
        dups += json_is_true(json_object_get(x, "duplicate"));
    }
    assert_true(dups >= 1);
    json_decref(all);
}

static void test_dead_letters_and_replay(void **state)
{
    (void)state;
    char record[600];
    snprintf(record, sizeof record, "%s/dlq.jsonl", hub.dir);
    struct test_rcv r;
    const char *args[] = {"--status", "422", "--record", record, NULL};
    start_receiver(&r, 0, args);
    char eps[1024];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":[{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"http\","
                   "\"url\":\"%s/in\"," FAST_POLICY "}]}",
                   r.url);
    start_hub(eps);
    char ids[4][ID_MAX];
    enqueue("acme", "orders", 4, ids, NULL);
    wait_count("dead", "acme", 4, 20000);
    long status = 0;
    json_t *dlq = api("GET", "/v1/dlq?partner=acme", NULL, &status);
    assert_int_equal(status, 200);
    json_t *first = json_array_get(json_object_get(dlq, "messages"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "id")), ids[0]);
    assert_string_equal(json_string_value(json_object_get(first, "dead_reason")), "HTTP 422");
    assert_int_equal(json_integer_value(json_object_get(first, "last_status")), 422);
    assert_int_equal(json_integer_value(json_object_get(first, "attempts")), 1);
    assert_non_null(strstr(json_string_value(json_object_get(first, "last_response")), "422"));
    json_decref(dlq);

    const char *list_args[] = {"dlq",   "list",    "--partner", "acme", "--url",
                               hub.url, "--token", hub.token,   NULL};
    char out[8192];
    assert_int_equal(hub_run_cli(&hub, list_args, out, sizeof out), 0);
    for (int i = 0; i < 4; i++) {
        assert_non_null(strstr(out, ids[i]));
    }
    assert_non_null(strstr(out, "HTTP 422"));

    /* The partner fixed its side: replay keeps order and keys. */
    uint16_t port = r.port;
    rcv_stop(&r, SIGTERM);
    const char *ok_args[] = {"--record", record, NULL};
    start_receiver(&r, port, ok_args);
    const char *replay_args[] = {"dlq",   "replay",  "--partner", "acme", "--url",
                                 hub.url, "--token", hub.token,   NULL};
    assert_int_equal(hub_run_cli(&hub, replay_args, out, sizeof out), 0);
    assert_non_null(strstr(out, "replayed 4 messages"));
    wait_count("delivered", "acme", 4, 20000);
    json_t *m = message(ids[2]);
    assert_string_equal(json_string_value(json_object_get(m, "idempotency_key")), ids[2]);
    assert_int_equal(json_integer_value(json_object_get(m, "replays")), 1);
    json_decref(m);
    rcv_stop(&r, SIGTERM);
    json_t *all = record_file(record);
    /* The 422 phase saw the same keys, in the same order, as the replay. */
    size_t i;
    json_t *x;
    int k = 0;
    json_array_foreach(json_object_get(all, "records"), i, x)
    {
        if (json_integer_value(json_object_get(x, "status")) == 422) {
            assert_string_equal(json_string_value(json_object_get(x, "key")), ids[k++]);
        }
    }
    assert_int_equal(k, 4);
    assert_once_in_order(all, ids, 4);
    assert_processed(all, 4);
    json_decref(all);
    /* Replaying what is not dead reports it. */
    long st = 0;
    char body[128];
    snprintf(body, sizeof body, "{\"ids\":[\"%s\"]}", ids[0]);
    json_t *res = api("POST", "/v1/dlq/replay", body, &st);
    assert_int_equal(st, 200);
    assert_int_equal(json_integer_value(json_object_get(res, "replayed")), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(res, "not_dead"), 0)),
                        ids[0]);
    json_decref(res);
}

static void test_gone_disables_until_enabled(void **state)
{
    (void)state;
    struct test_rcv r;
    const char *args[] = {"--status", "410", NULL};
    start_receiver(&r, 0, args);
    char eps[1024];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":[{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"http\","
                   "\"url\":\"%s/in\"," FAST_POLICY "}]}",
                   r.url);
    start_hub(eps);
    char ids[3][ID_MAX];
    enqueue("acme", "orders", 3, ids, NULL);
    wait_count("disabled", "acme", 3, 20000);
    assert_int_equal(count_state("dead", NULL), 0);
    json_t *e = endpoint_state("acme", "orders");
    assert_string_equal(json_string_value(json_object_get(e, "state")), "disabled");
    assert_string_equal(json_string_value(json_object_get(e, "disabled_reason")), "HTTP 410 Gone");
    json_decref(e);
    uint16_t port = r.port;
    rcv_stop(&r, SIGTERM);
    start_receiver(&r, port, NULL);
    /* Disabled survives a restart; nothing moves until an operator enables it. */
    restart_hub(SIGTERM);
    usleep(500000);
    assert_int_equal(count_state("disabled", "acme"), 3);
    long status = 0;
    json_t *j = api("POST", "/v1/endpoints/acme/orders/enable", NULL, &status);
    assert_int_equal(status, 200);
    assert_true(json_is_true(json_object_get(j, "changed")));
    assert_int_equal(json_integer_value(json_object_get(j, "messages")), 3);
    json_decref(j);
    wait_count("delivered", "acme", 3, 20000);
    json_t *rec = received(&r);
    assert_once_in_order(rec, ids, 3);
    assert_processed(rec, 3);
    json_decref(rec);
    j = api("POST", "/v1/endpoints/nobody/orders/enable", NULL, &status);
    assert_int_equal(status, 404);
    json_decref(j);
    rcv_stop(&r, SIGTERM);
}

static void test_loopback_refused_without_allow_list(void **state)
{
    (void)state;
    struct test_rcv r;
    start_receiver(&r, 0, NULL);
    char eps[1024];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":["
                   "{\"partner\":\"evil\",\"name\":\"literal\",\"kind\":\"http\",\"url\":\"%s/x\"},"
                   "{\"partner\":\"evil\",\"name\":\"named\",\"kind\":\"http\","
                   "\"url\":\"http://localhost:%u/x\"}]}",
                   r.url, (unsigned)r.port);
    start_hub(eps);
    char a[1][ID_MAX], b[1][ID_MAX];
    enqueue("evil", "literal", 1, a, NULL);
    enqueue("evil", "named", 1, b, NULL);
    wait_count("dead", "evil", 2, 20000);
    json_t *m = message(a[0]);
    assert_non_null(strstr(json_string_value(json_object_get(m, "dead_reason")),
                           "127.0.0.1 is loopback and not in the endpoint's allow-list"));
    json_decref(m);
    m = message(b[0]);
    assert_non_null(strstr(json_string_value(json_object_get(m, "dead_reason")),
                           "localhost resolves to no allowed address"));
    json_decref(m);
    json_t *rec = received(&r);
    assert_int_equal(json_integer_value(json_object_get(rec, "count")), 0);
    json_decref(rec);
    rcv_stop(&r, SIGTERM);
}

static void test_retry_after_is_honoured(void **state)
{
    (void)state;
    struct test_rcv r;
    const char *args[] = {"--fail-first", "1", "--fail-status", "429", "--retry-after", "2", NULL};
    start_receiver(&r, 0, args);
    char eps[1024];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":[{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"http\","
                   "\"url\":\"%s/in\"," FAST_POLICY "}]}",
                   r.url);
    start_hub(eps);
    char ids[1][ID_MAX];
    enqueue("acme", "orders", 1, ids, NULL);
    wait_count("delivered", "acme", 1, 20000);
    json_t *rec = received(&r);
    json_t *list = json_object_get(rec, "records");
    assert_int_equal(json_array_size(list), 2);
    json_int_t t0 = json_integer_value(json_object_get(json_array_get(list, 0), "at_ms"));
    json_int_t t1 = json_integer_value(json_object_get(json_array_get(list, 1), "at_ms"));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "status")), 429);
    /* The backoff alone would be 25-50 ms. */
    if (t1 - t0 < 1900) {
        fail_msg("retried after %lld ms, Retry-After said 2 s", (long long)(t1 - t0));
    }
    json_decref(rec);
    rcv_stop(&r, SIGTERM);
}

/* Deliveries under way when the hub stops (SIGTERM), then when it dies (kill -9). */
static void test_hub_restarts_lose_and_duplicate_nothing(void **state)
{
    (void)state;
    char record[600];
    snprintf(record, sizeof record, "%s/restart.jsonl", hub.dir);
    struct test_rcv r;
    const char *args[] = {"--delay", "15", "--record", record, NULL};
    start_receiver(&r, 0, args);
    char eps[2048];
    endpoints_json(
        eps, sizeof eps,
        "{\"endpoints\":["
        "{\"partner\":\"p1\",\"name\":\"orders\",\"kind\":\"http\",\"url\":\"%s/1\"," FAST_POLICY
        "},"
        "{\"partner\":\"p2\",\"name\":\"orders\",\"kind\":\"http\",\"url\":\"%s/2\"," FAST_POLICY
        "},"
        "{\"partner\":\"p3\",\"name\":\"orders\",\"kind\":\"http\",\"url\":\"%s/3\"," FAST_POLICY
        "}]}",
        r.url, r.url, r.url);
    start_hub(eps);
    enum { PER = 80 };
    static char ids[3][PER][ID_MAX];
    const char *partners[] = {"p1", "p2", "p3"};
    for (int p = 0; p < 3; p++) {
        enqueue(partners[p], "orders", PER, ids[p], NULL);
    }
    for (int i = 0; i < 400 && count_state("delivered", NULL) < 50; i++) {
        usleep(20000);
    }
    restart_hub(SIGTERM);
    for (int i = 0; i < 400 && count_state("delivered", NULL) < 130; i++) {
        usleep(20000);
    }
    int before_kill = count_state("delivered", NULL);
    assert_true(before_kill < 3 * PER); /* the kill does land in the middle */
    restart_hub(SIGKILL);
    wait_count("delivered", NULL, 3 * PER, 60000);
    rcv_stop(&r, SIGTERM);
    json_t *all = record_file(record);
    for (int p = 0; p < 3; p++) {
        assert_once_in_order(all, ids[p], PER);
    }
    assert_processed(all, 3 * PER);
    json_decref(all);
    const char *verify[] = {"audit", "verify", "--data", hub.data, NULL};
    hub_stop(&hub, SIGTERM);
    assert_int_equal(hub_run_cli(&hub, verify, NULL, 0), 0);
}

static uint16_t closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    socklen_t len = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd); /* nobody listens there: connections are refused */
    return ntohs(sa.sin_port);
}

static void test_failover_to_the_alternate(void **state)
{
    (void)state;
    struct test_rcv b;
    start_receiver(&b, 0, NULL);
    char eps[2048];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":["
                   "{\"partner\":\"3pl-a\",\"name\":\"orders\",\"kind\":\"http\","
                   "\"url\":\"http://127.0.0.1:%u/in\",\"allow_private\":[\"127.0.0.0/8\"],"
                   "\"retry\":{\"max_attempts\":3,\"backoff_base_ms\":50,\"backoff_max_ms\":100},"
                   "\"breaker\":{\"failures\":2,\"open_ms\":5000},"
                   "\"alternate\":{\"partner\":\"3pl-b\",\"after_ms\":500}},"
                   "{\"partner\":\"3pl-b\",\"name\":\"orders\",\"kind\":\"http\",\"url\":\"%s/"
                   "in\"," FAST_POLICY "}]}",
                   (unsigned)closed_port(), b.url);
    start_hub(eps);
    char first[4][ID_MAX], later[2][ID_MAX];
    enqueue("3pl-a", "orders", 4, first, "PO-FAILOVER-1");
    /* The head was tried at 3pl-a; the three behind it were not, and move. */
    wait_count("delivered", "3pl-b", 3, 20000);
    json_t *m = message(first[1]);
    assert_string_equal(json_string_value(json_object_get(m, "partner")), "3pl-b");
    assert_string_equal(json_string_value(json_object_get(m, "rerouted_from")), "3pl-a/orders");
    assert_string_equal(json_string_value(json_object_get(m, "correlation_id")), "PO-FAILOVER-1");
    assert_string_equal(json_string_value(json_object_get(m, "idempotency_key")), first[1]);
    json_decref(m);
    json_t *e = endpoint_state("3pl-a", "orders");
    json_t *fo = json_object_get(e, "failover");
    assert_string_equal(json_string_value(json_object_get(fo, "alternate")), "3pl-b/orders");
    assert_true(json_integer_value(json_object_get(fo, "rerouted")) >= 3);
    json_decref(e);
    /* New work goes to the alternate while the circuit stays open. */
    enqueue("3pl-a", "orders", 2, later, "PO-FAILOVER-2");
    wait_count("delivered", "3pl-b", 5, 20000);
    /* The message that was tried stays with its partner: after the pause it is the half-open
     * probe, fails a third time and ends in the dead letters. */
    wait_count("dead", "3pl-a", 1, 20000);
    m = message(first[0]);
    assert_true(json_is_null(json_object_get(m, "rerouted_from")));
    assert_non_null(strstr(json_string_value(json_object_get(m, "dead_reason")), "3 attempts"));
    json_decref(m);
    long status = 0;
    json_t *thread = api("GET", "/v1/outbox?correlation_id=PO-FAILOVER-1", NULL, &status);
    assert_int_equal(json_array_size(json_object_get(thread, "messages")), 4);
    json_decref(thread);
    json_t *rec = received(&b);
    char moved[5][ID_MAX];
    memcpy(moved[0], first[1], ID_MAX);
    memcpy(moved[1], first[2], ID_MAX);
    memcpy(moved[2], first[3], ID_MAX);
    memcpy(moved[3], later[0], ID_MAX);
    memcpy(moved[4], later[1], ID_MAX);
    assert_once_in_order(rec, moved, 5);
    assert_processed(rec, 5);
    json_decref(rec);
    rcv_stop(&b, SIGTERM);
}

static void test_outbox_api(void **state)
{
    (void)state;
    struct test_rcv r;
    start_receiver(&r, 0, NULL);
    char eps[1024];
    endpoints_json(eps, sizeof eps,
                   "{\"endpoints\":[{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"http\","
                   "\"url\":\"%s/in\"," FAST_POLICY "}]}",
                   r.url);
    start_hub(eps);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/outbox", hub.url);
    const char *body = "{\"partner\":\"acme\",\"endpoint\":\"orders\",\"content_type\":"
                       "\"application/edi-x12\",\"body\":\"ISA*00~\",\"idempotency_key\":\"po-9\"}";
    const char *h1[] = {"Content-Type: application/json", "Idempotency-Key: \"req-1\"", NULL};
    struct http_resp a, b;
    assert_int_equal(http_request("POST", url, hub.token, body, strlen(body), h1, &a), 0);
    assert_int_equal(a.status, 201);
    assert_int_equal(http_request("POST", url, hub.token, body, strlen(body), h1, &b), 0);
    assert_int_equal(b.status, 201);
    assert_string_equal(a.body, b.body); /* replayed, not enqueued twice */
    char replayed[16];
    assert_true(http_header(&b, "Idempotent-Replayed", replayed, sizeof replayed));
    http_resp_free(&b);
    const char *other = "{\"partner\":\"acme\",\"endpoint\":\"orders\",\"body\":{\"x\":1}}";
    assert_int_equal(http_request("POST", url, hub.token, other, strlen(other), h1, &b), 0);
    assert_int_equal(b.status, 422);
    http_resp_free(&b);
    json_error_t je;
    json_t *created = json_loads(a.body, 0, &je);
    http_resp_free(&a);
    wait_count("delivered", "acme", 1, 20000);
    json_t *m = message(json_string_value(json_object_get(created, "id")));
    assert_string_equal(json_string_value(json_object_get(m, "body")), "ISA*00~");
    assert_string_equal(json_string_value(json_object_get(m, "idempotency_key")), "po-9");
    assert_string_equal(json_string_value(json_object_get(m, "content_type")),
                        "application/edi-x12");
    json_decref(m);
    json_decref(created);
    json_t *rec = received(&r);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(rec, "records"), 0), "key")),
                        "po-9");
    json_decref(rec);

    long status = 0;
    json_t *j = api("POST", "/v1/outbox",
                    "{\"partner\":\"acme\",\"endpoint\":\"nope\",\"body\":{}}", &status);
    assert_int_equal(status, 422);
    json_decref(j);
    j = api("POST", "/v1/outbox", "{\"partner\":\"acme\",\"endpoint\":\"orders\",\"body\":\"x\"}",
            &status);
    assert_int_equal(status, 422); /* a string body needs its content type */
    json_decref(j);
    j = api("GET", "/v1/outbox/01a00000-0000-7000-8000-000000000000", NULL, &status);
    assert_int_equal(status, 404);
    json_decref(j);
    j = api("GET", "/v1/outbox?state=nonsense", NULL, &status);
    assert_int_equal(status, 400);
    json_decref(j);

    /* Partners see none of it. */
    const char *create[] = {"token",  "create",  "--data",    hub.data, "--name", "acme-token",
                            "--role", "partner", "--partner", "acme",   NULL};
    char token[256];
    hub_stop(&hub, SIGTERM);
    assert_int_equal(hub_run_cli(&hub, create, token, sizeof token), 0);
    token[strcspn(token, "\n")] = '\0';
    restart_hub(SIGTERM);
    struct http_resp p;
    snprintf(url, sizeof url, "%s/v1/dlq", hub.url);
    http_request("GET", url, token, NULL, 0, NULL, &p);
    assert_int_equal(p.status, 403);
    http_resp_free(&p);
    rcv_stop(&r, SIGTERM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signed_webhooks_and_files_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_endpoint_breaker_and_recovery, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_hanging_and_dropping_receivers_come_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dead_letters_and_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone_disables_until_enabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loopback_refused_without_allow_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_is_honoured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_restarts_lose_and_duplicate_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failover_to_the_alternate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_api, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
