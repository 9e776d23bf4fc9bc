/* The delivery engine in-process: a real store, the in-memory registry and simulated receivers
 * on loopback ports. Order per partner with signed webhooks, retries and the breaker's
 * transitions, the file outbox, the address guard, dead letters and replay, 410 and enable. */
#include <sys/stat.h>

#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "deliver/deliver_int.h"
#include "sim/sim.h"
#include "store/store.h"

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

struct env {
    char dir[64];
    char partners[128];
    struct xd_store *s;
    struct xd_deliver_memreg *reg;
    struct xd_deliver *d;
    struct xd_arena *a;
};

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    struct env *e = xd_calloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/xd-deliver-test-XXXXXX");
    if (mkdtemp(e->dir) == NULL) {
        return -1;
    }
    snprintf(e->partners, sizeof e->partners, "%s/partners", e->dir);
    struct xd_store_options o;
    xd_store_options_init(&o, e->dir);
    o.durable = false;
    struct xd_error err = {0};
    if (xd_store_open(&o, &e->s, &err) != XD_OK || xd_deliver_memreg_create(&e->reg) != XD_OK) {
        return -1;
    }
    e->a = xd_arena_create(0, 0);
    *state = e;
    return 0;
}

/* The ERP connector's hook as the next test sets it (NULL: none). */
static xd_deliver_erp_fn erp_post;

static void start(struct env *e)
{
    struct xd_deliver_options o;
    xd_deliver_options_init(&o);
    o.store = e->s;
    o.erp_post = erp_post;
    o.erp_arg = e;
    o.partners_dir = e->partners;
    o.stop_grace_ms = 2000;
    xd_deliver_memreg_registry(e->reg, &o.registry);
    struct xd_error err = {0};
    if (xd_deliver_start(&o, &e->d, &err) != XD_OK) {
        fail_msg("start: %s", err.message);
    }
}

static int teardown(void **state)
{
    struct env *e = *state;
    xd_deliver_stop(e->d);
    xd_store_close(e->s);
    xd_deliver_memreg_destroy(e->reg);
    xd_arena_destroy(e->a);
    nftw(e->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    xd_free(e);
    return 0;
}

static struct xd_sim_receiver *receiver(const char *secret, int status, uint32_t fail_first)
{
    struct xd_sim_receiver_options o;
    xd_sim_receiver_options_init(&o);
    o.status = status;
    o.fail_first = fail_first;
    if (secret != NULL) {
        assert_int_equal(xd_deliver_secret_decode(secret, o.secret, &o.secret_len), XD_OK);
    }
    struct xd_sim_receiver *r = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_sim_receiver_start(&o, &r, &err), XD_OK);
    return r;
}

static void endpoint(struct env *e, const char *partner, const char *name,
                     enum xd_deliver_kind kind, struct xd_sim_receiver *r, bool allow)
{
    struct xd_deliver_endpoint ep;
    xd_deliver_endpoint_defaults(&ep);
    snprintf(ep.partner, sizeof ep.partner, "%s", partner);
    snprintf(ep.name, sizeof ep.name, "%s", name);
    ep.kind = kind;
    if (r != NULL) {
        snprintf(ep.url, sizeof ep.url, "http://127.0.0.1:%u/in/%s", xd_sim_receiver_port(r),
                 partner);
    } else if (kind == XD_DELIVER_ERP) {
        snprintf(ep.url, sizeof ep.url, "http://erp.invalid/"); /* shown, never connected to */
    }
    if (kind == XD_DELIVER_WEBHOOK) {
        assert_int_equal(xd_deliver_secret_decode(SECRET, ep.signing_key, &ep.signing_key_len),
                         XD_OK);
    }
    if (allow) {
        assert_int_equal(xd_deliver_cidr_parse("127.0.0.0/8", &ep.allow[ep.n_allow++]), XD_OK);
    }
    ep.retry.base_ms = 20;
    ep.retry.max_ms = 60;
    ep.breaker.failures = 2;
    ep.breaker.open_ms = 150;
    ep.timeout_ms = 2000;
    ep.connect_timeout_ms = 1000;
    struct xd_error err = {0};
    if (xd_deliver_memreg_put(e->reg, &ep, &err) != XD_OK) {
        fail_msg("endpoint: %s", err.message);
    }
}

/* Enqueue <n> messages; their ids into <ids> (n * (XD_ID_LEN + 1) bytes) when not NULL. */
static void enqueue(struct env *e, const char *partner, const char *name, size_t n,
                    char (*ids)[XD_ID_LEN + 1])
{
    struct xd_store_outbound m[32];
    char bodies[32][64];
    assert_true(n <= 32);
    for (size_t i = 0; i < n; i++) {
        memset(&m[i], 0, sizeof m[i]);
        assert_int_equal(xd_id_new(m[i].id), XD_OK);
        snprintf(bodies[i], sizeof bodies[i], "{\"partner\":\"%s\",\"n\":%zu}", partner, i);
        m[i].partner = partner;
        m[i].endpoint = name;
        m[i].content_type = "application/json";
        m[i].body = bodies[i];
        m[i].body_len = strlen(bodies[i]);
        m[i].source = "test";
        if (ids != NULL) {
            memcpy(ids[i], m[i].id, XD_ID_LEN + 1);
        }
    }
    struct xd_store_op op = {.kind = XD_STORE_OP_OUTBOX_ENQUEUE};
    op.u.enqueue = (struct xd_store_outbox_enqueue){.msgs = m, .n_msgs = n, .actor = "test"};
    assert_int_equal(xd_store_execute(e->s, &op), XD_OK);
}

static int64_t count_state(struct env *e, enum xd_store_outbox_state state)
{
    struct xd_store_outbox_filter f = {.has_state = true, .state = state, .limit = 1000};
    struct xd_store_outbox_msg *m = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    xd_arena_reset(e->a);
    assert_int_equal(xd_store_outbox_list(e->s, &f, e->a, &m, &n, &err), XD_OK);
    return (int64_t)n;
}

static void wait_state(struct env *e, enum xd_store_outbox_state state, int64_t want,
                       int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        if (count_state(e, state) == want) {
            return;
        }
        usleep(20000);
    }
    fail_msg("%lld messages %s, want %lld", (long long)count_state(e, state),
             xd_store_outbox_state_name(state), (long long)want);
}

static struct xd_deliver_endpoint_status *status_of(struct env *e, const char *partner,
                                                    const char *name)
{
    struct xd_deliver_endpoint_status *s = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    xd_arena_reset(e->a);
    assert_int_equal(xd_deliver_endpoints(e->d, e->a, &s, &n, &err), XD_OK);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s[i].partner, partner) == 0 && strcmp(s[i].name, name) == 0) {
            return &s[i];
        }
    }
    fail_msg("no endpoint %s/%s", partner, name);
    return NULL;
}

static size_t sink(char *data, size_t size, size_t nmemb, void *arg)
{
    return xd_buf_append(arg, data, size * nmemb) == XD_OK ? size * nmemb : 0;
}

/* The receiver's records (GET /_received). */
static json_t *received(struct xd_sim_receiver *r)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/_received", xd_sim_receiver_port(r));
    struct xd_buf b;
    xd_buf_init(&b, 64 * 1024 * 1024);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    json_error_t je;
    json_t *j = json_loadb(b.data, b.len, 0, &je);
    xd_buf_cleanup(&b);
    assert_non_null(j);
    return j;
}

/* The keys of <ids> appear in the records in this order, each processed once. */
static void assert_in_order(json_t *rec, char (*ids)[XD_ID_LEN + 1], size_t n)
{
    size_t next = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(rec, "records"), i, r)
    {
        const char *key = json_string_value(json_object_get(r, "key"));
        for (size_t k = 0; key != NULL && k < n; k++) {
            if (strcmp(key, ids[k]) != 0 || !json_is_true(json_object_get(r, "processed"))) {
                continue;
            }
            if (k != next) {
                fail_msg("message %zu processed when %zu was expected", k, next);
            }
            assert_true(json_is_true(json_object_get(r, "signature_valid")));
            next++;
        }
    }
    assert_int_equal(next, n);
}

/* ------------------------------------------------------------------------------------------ */

static void test_signed_webhooks_in_order(void **state)
{
    struct env *e = *state;
    struct xd_sim_receiver *r = receiver(SECRET, 200, 0);
    endpoint(e, "acme", "orders", XD_DELIVER_WEBHOOK, r, true);
    endpoint(e, "beta", "orders", XD_DELIVER_WEBHOOK, r, true);
    char a[20][XD_ID_LEN + 1], b[20][XD_ID_LEN + 1];
    enqueue(e, "acme", "orders", 20, a);
    enqueue(e, "beta", "orders", 20, b);
    start(e);
    wait_state(e, XD_OUTBOX_DELIVERED, 40, 20000);
    struct xd_sim_receiver_stats st;
    xd_sim_receiver_stats(r, &st);
    assert_int_equal(st.processed, 40);
    assert_int_equal(st.duplicates, 0);
    assert_int_equal(st.bad_signatures, 0);
    /* Each partner's messages arrived in enqueue order (the keys are the ids). */
    json_t *rec = received(r);
    assert_in_order(rec, a, 20);
    assert_in_order(rec, b, 20);
    json_decref(rec);
    struct xd_deliver_endpoint_status *s = status_of(e, "acme", "orders");
    assert_int_equal(s->delivered, 20);
    assert_int_equal(s->breaker, XD_DELIVER_BREAKER_CLOSED);
    xd_sim_receiver_stop(r);
}

static void test_retries_and_breaker(void **state)
{
    struct env *e = *state;
    struct xd_sim_receiver *r = receiver(NULL, 200, 6);
    endpoint(e, "acme", "orders", XD_DELIVER_HTTP, r, true);
    enqueue(e, "acme", "orders", 4, NULL);
    start(e);
    wait_state(e, XD_OUTBOX_DELIVERED, 4, 20000);
    struct xd_deliver_endpoint_status *s = status_of(e, "acme", "orders");
    assert_int_equal(s->breaker, XD_DELIVER_BREAKER_CLOSED);
    assert_true(s->transitions[XD_DELIVER_BREAKER_OPEN] >= 1);
    assert_true(s->transitions[XD_DELIVER_BREAKER_HALF_OPEN] >= 1);
    assert_int_equal(s->transitions[XD_DELIVER_BREAKER_CLOSED], 1);
    assert_int_equal(s->retried, 6);
    struct xd_sim_receiver_stats st;
    xd_sim_receiver_stats(r, &st);
    assert_int_equal(st.processed, 4);
    assert_int_equal(st.failed, 6);
    xd_sim_receiver_stop(r);
}

static void test_file_outbox(void **state)
{
    struct env *e = *state;
    endpoint(e, "wh-east", "sftp", XD_DELIVER_FILE, NULL, false);
    char ids[3][XD_ID_LEN + 1];
    enqueue(e, "wh-east", "sftp", 3, ids);
    start(e);
    wait_state(e, XD_OUTBOX_DELIVERED, 3, 10000);
    char dir[256];
    snprintf(dir, sizeof dir, "%s/wh-east/outbox", e->partners);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_int_equal(n, 5); /* ., .., three messages: no .part left behind */
    for (int i = 2; i < n; i++) {
        assert_non_null(strstr(names[i]->d_name, ids[i - 2])); /* in delivery order */
        assert_non_null(strstr(names[i]->d_name, "-sftp-"));
        assert_non_null(strstr(names[i]->d_name, ".json"));
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        FILE *f = fopen(path, "r");
        char body[128] = "";
        assert_non_null(fgets(body, sizeof body, f));
        fclose(f);
        char want[64];
        snprintf(want, sizeof want, "{\"partner\":\"wh-east\",\"n\":%d}", i - 2);
        assert_string_equal(body, want);
    }
    for (int i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

/* A fake ERP connector: down for the first two posts, then it takes message 0 and refuses
 * message 1 saying why. Runs on a worker thread. */
static atomic_int erp_calls;

static enum xd_deliver_erp_result fake_erp(void *arg, const char *partner, const char *body,
                                           size_t len, int64_t timeout_ms, char *detail, size_t cap)
{
    (void)arg;
    (void)len;
    assert_int_equal(timeout_ms, 2000); /* the endpoint's */
    assert_string_equal(partner, "erp-x");
    if (atomic_fetch_add(&erp_calls, 1) < 2) {
        snprintf(detail, cap, "the ERP cannot be reached");
        return XD_DELIVER_ERP_RETRY;
    }
    if (strstr(body, "\"n\":1") != NULL) {
        snprintf(detail, cap, "ERP answered UserError: no such purchase");
        return XD_DELIVER_ERP_REFUSED;
    }
    snprintf(detail, cap, "posted");
    return XD_DELIVER_ERP_DONE;
}

static void test_erp_endpoint(void **state)
{
    struct env *e = *state;
    endpoint(e, "erp-x", "tryton", XD_DELIVER_ERP, NULL, false);
    char ids[2][XD_ID_LEN + 1];
    enqueue(e, "erp-x", "tryton", 2, ids);
    atomic_store(&erp_calls, 0);
    erp_post = fake_erp;
    start(e);
    erp_post = NULL;
    wait_state(e, XD_OUTBOX_DELIVERED, 1, 10000);
    wait_state(e, XD_OUTBOX_DEAD, 1, 10000);
    struct xd_store_outbox_msg m;
    struct xd_error err = {0};
    assert_int_equal(xd_store_outbox_get(e->s, ids[0], e->a, &m, &err), XD_OK);
    assert_int_equal(m.state, XD_OUTBOX_DELIVERED);
    assert_int_equal(m.attempts, 3); /* twice down, then taken */
    assert_int_equal(xd_store_outbox_get(e->s, ids[1], e->a, &m, &err), XD_OK);
    assert_int_equal(m.attempts, 1); /* a refusal is not retried */
    assert_string_equal(m.dead_reason, "ERP answered UserError: no such purchase");
    assert_int_equal(atomic_load(&erp_calls), 4);
}

static void test_loopback_refused_without_allow_list(void **state)
{
    struct env *e = *state;
    struct xd_sim_receiver *r = receiver(NULL, 200, 0);
    endpoint(e, "acme", "orders", XD_DELIVER_HTTP, r, false);
    char ids[1][XD_ID_LEN + 1];
    enqueue(e, "acme", "orders", 1, ids);
    start(e);
    wait_state(e, XD_OUTBOX_DEAD, 1, 10000);
    struct xd_store_outbox_msg m;
    struct xd_error err = {0};
    assert_int_equal(xd_store_outbox_get(e->s, ids[0], e->a, &m, &err), XD_OK);
    assert_non_null(strstr(m.dead_reason, "127.0.0.1 is loopback"));
    struct xd_sim_receiver_stats st;
    xd_sim_receiver_stats(r, &st);
    assert_int_equal(st.requests, 0);
    xd_sim_receiver_stop(r);
}

static void test_dead_letter_and_replay(void **state)
{
    struct env *e = *state;
    struct xd_sim_receiver *r = receiver(NULL, 422, 0);
    endpoint(e, "acme", "orders", XD_DELIVER_HTTP, r, true);
    char ids[3][XD_ID_LEN + 1];
    enqueue(e, "acme", "orders", 3, ids);
    start(e);
    wait_state(e, XD_OUTBOX_DEAD, 3, 10000);
    struct xd_store_outbox_msg m;
    struct xd_error err = {0};
    assert_int_equal(xd_store_outbox_get(e->s, ids[1], e->a, &m, &err), XD_OK);
    assert_string_equal(m.dead_reason, "HTTP 422");
    assert_int_equal(m.last_status, 422);
    assert_non_null(m.last_response);
    assert_int_equal(m.attempts, 1); /* no retry for a 422 */
    xd_sim_receiver_set_status(r, 200);
    struct xd_store_op op = {.kind = XD_STORE_OP_OUTBOX_REPLAY};
    op.u.replay = (struct xd_store_outbox_replay){.partner = "acme", .limit = 100, .actor = "test"};
    assert_int_equal(xd_store_execute(e->s, &op), XD_OK);
    assert_int_equal(op.u.replay.count, 3);
    wait_state(e, XD_OUTBOX_DELIVERED, 3, 10000);
    assert_int_equal(xd_store_outbox_get(e->s, ids[1], e->a, &m, &err), XD_OK);
    assert_string_equal(m.idem_key, ids[1]);
    assert_int_equal(m.replays, 1);
    struct xd_sim_receiver_stats st;
    xd_sim_receiver_stats(r, &st);
    assert_int_equal(st.processed, 3);
    xd_sim_receiver_stop(r);
}

static void test_gone_disables_until_enabled(void **state)
{
    struct env *e = *state;
    struct xd_sim_receiver *r = receiver(NULL, 410, 0);
    endpoint(e, "acme", "orders", XD_DELIVER_HTTP, r, true);
    enqueue(e, "acme", "orders", 2, NULL);
    start(e);
    wait_state(e, XD_OUTBOX_DISABLED, 2, 10000);
    assert_int_equal(count_state(e, XD_OUTBOX_DEAD), 0);
    struct xd_deliver_endpoint_status *s = status_of(e, "acme", "orders");
    assert_true(s->disabled);
    assert_string_equal(s->disabled_reason, "HTTP 410 Gone");
    xd_sim_receiver_set_status(r, 200);
    usleep(300000); /* nothing moves while disabled */
    assert_int_equal(count_state(e, XD_OUTBOX_DISABLED), 2);
    struct xd_store_op op = {.kind = XD_STORE_OP_ENDPOINT_UPDATE};
    op.u.endpoint = (struct xd_store_endpoint_update){
        .partner = "acme", .name = "orders", .action = XD_STORE_ENDPOINT_ENABLE, .actor = "test"};
    assert_int_equal(xd_store_execute(e->s, &op), XD_OK);
    wait_state(e, XD_OUTBOX_DELIVERED, 2, 10000);
    assert_false(status_of(e, "acme", "orders")->disabled);
    xd_sim_receiver_stop(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signed_webhooks_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_and_breaker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erp_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loopback_refused_without_allow_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_letter_and_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone_disables_until_enabled, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
