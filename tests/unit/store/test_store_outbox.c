/* The transactional outbox: messages commit with the ingest that carries them or not at all,
 * the delivery lifecycle (claim, retry, delivered, dead), replay, re-route, endpoint disable and
 * enable, change events, reads, validation, and the query plans the delivery engine relies on. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "store_test.h"

struct fixture {
    char dir[TEST_DIR_MAX];
    struct xd_store *s;
    struct xd_arena *a;
    /* Events seen by the watcher. */
    pthread_mutex_t mu;
    char events[64][160];
    size_t n_events;
};

static void watch(void *arg, enum xd_store_outbox_event ev, const char *partner,
                  const char *endpoint)
{
    struct fixture *f = arg;
    pthread_mutex_lock(&f->mu);
    if (f->n_events < 64) {
        snprintf(f->events[f->n_events++], sizeof f->events[0], "%s %s/%s",
                 ev == XD_STORE_OUTBOX_QUEUE      ? "queue"
                 : ev == XD_STORE_OUTBOX_ENDPOINT ? "endpoint"
                                                  : "all",
                 partner ? partner : "-", endpoint ? endpoint : "-");
    }
    pthread_mutex_unlock(&f->mu);
}

static bool saw_event(struct fixture *f, const char *text)
{
    pthread_mutex_lock(&f->mu);
    bool found = false;
    for (size_t i = 0; i < f->n_events; i++) {
        found |= strcmp(f->events[i], text) == 0;
    }
    pthread_mutex_unlock(&f->mu);
    return found;
}

static int setup(void **state)
{
    struct fixture *f = xd_calloc(1, sizeof *f);
    test_dir_make(f->dir);
    f->s = test_open(f->dir, false);
    f->a = xd_arena_create(0, 0);
    pthread_mutex_init(&f->mu, NULL);
    if (f->s == NULL || f->a == NULL) {
        return -1;
    }
    xd_store_outbox_watch(f->s, watch, f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    xd_store_close(f->s);
    xd_arena_destroy(f->a);
    pthread_mutex_destroy(&f->mu);
    test_dir_remove(f->dir);
    xd_free(f);
    return 0;
}

static void outbound_init(struct xd_store_outbound *m, const char *partner, const char *endpoint,
                          const char *body)
{
    memset(m, 0, sizeof *m);
    assert_int_equal(xd_id_new(m->id), XD_OK);
    m->partner = partner;
    m->endpoint = endpoint;
    m->content_type = "application/json";
    m->body = body;
    m->body_len = strlen(body);
    m->source = "test";
}

/* Enqueue <n> messages to partner/endpoint; their seqs into <seqs> (may be NULL). */
static void enqueue(struct fixture *f, const char *partner, const char *endpoint, size_t n,
                    int64_t *seqs)
{
    struct xd_store_outbound m[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        outbound_init(&m[i], partner, endpoint, "{\"n\":1}");
    }
    struct xd_store_op op = {.kind = XD_STORE_OP_OUTBOX_ENQUEUE};
    op.u.enqueue = (struct xd_store_outbox_enqueue){.msgs = m, .n_msgs = n, .actor = "test"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    for (size_t i = 0; seqs != NULL && i < n; i++) {
        seqs[i] = m[i].seq;
    }
}

static enum xd_status update(struct fixture *f, const struct xd_store_outbox_result *r, size_t nr,
                             const int64_t *claims, size_t nc, size_t *skipped)
{
    struct xd_store_op op = {.kind = XD_STORE_OP_OUTBOX_UPDATE};
    op.u.outbox = (struct xd_store_outbox_update){.results = r,
                                                  .n_results = nr,
                                                  .claims = claims,
                                                  .n_claims = nc,
                                                  .at_ms = xd_now_ms(),
                                                  .actor = "deliver"};
    enum xd_status st = xd_store_execute(f->s, &op);
    if (skipped != NULL) {
        *skipped = op.u.outbox.skipped;
    }
    return st;
}

static struct xd_store_outbox_msg get(struct fixture *f, int64_t seq)
{
    struct xd_store_outbox_msg m;
    struct xd_error err = {0};
    assert_int_equal(xd_store_outbox_get_seq(f->s, seq, f->a, &m, &err), XD_OK);
    return m;
}

static int64_t audit_count(struct fixture *f, const char *action)
{
    return test_sql_int(f->dir, "SELECT count(*) FROM audit WHERE action = ?1", action);
}

/* ------------------------------------------------------------------------------------------ */

static void test_ingest_carries_outbox(void **state)
{
    struct fixture *f = *state;
    struct test_ingest t;
    test_ingest_init(&t, "purchase_order");
    test_ingest_hint(&t, "PO-7");
    struct xd_store_outbound m[2];
    outbound_init(&m[0], "acme", "orders", "<850/>");
    outbound_init(&m[1], "wh-east", "orders", "{}");
    m[0].source = NULL; /* inside an ingest: the document is the source */
    m[1].idem_key = "po-7-east";
    t.op.u.ingest.outbox = m;
    t.op.u.ingest.n_outbox = 2;
    assert_int_equal(xd_store_execute(f->s, &t.op), XD_OK);
    assert_true(m[0].seq > 0 && m[1].seq > m[0].seq);

    struct xd_store_outbox_msg got = get(f, m[0].seq);
    assert_string_equal(got.id, m[0].id);
    assert_string_equal(got.correlation_id, "PO-7");
    assert_string_equal(got.idem_key, m[0].id); /* default: the message id */
    assert_int_equal(got.state, XD_OUTBOX_PENDING);
    assert_int_equal(got.body_len, 6);
    assert_memory_equal(got.body, "<850/>", 6);
    char source[64];
    snprintf(source, sizeof source, "document:%s", t.op.u.ingest.id);
    assert_string_equal(got.source, source);
    got = get(f, m[1].seq);
    assert_string_equal(got.idem_key, "po-7-east");
    assert_int_equal(audit_count(f, "outbox.enqueue"), 2);
    assert_true(saw_event(f, "queue acme/orders"));
    assert_true(saw_event(f, "queue wh-east/orders"));
}

/* A respond callback that fails: the ingest is refused after it wrote its rows. */
static enum xd_status failing_respond(void *arg, const char *correlation_id, int *http_status,
                                      struct xd_buf *body)
{
    (void)arg;
    (void)correlation_id;
    (void)http_status;
    (void)body;
    return XD_EIO;
}

/* Holds the writer inside the first op until the test queued the rest, so all land in one
 * batch and the failing one takes the savepoint path. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool open;
};

static enum xd_status gated_respond(void *arg, const char *correlation_id, int *http_status,
                                    struct xd_buf *body)
{
    struct gate *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->open) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    *http_status = 201;
    return xd_buf_printf(body, "{\"correlation_id\":\"%s\"}", correlation_id);
}

static void test_failed_ingest_leaves_no_outbox_row(void **state)
{
    struct fixture *f = *state;
    /* Alone. */
    struct test_ingest bad;
    test_ingest_init(&bad, "purchase_order");
    test_ingest_idem(&bad, "scope", "k-bad");
    bad.op.u.ingest.respond = failing_respond;
    struct xd_store_outbound m;
    outbound_init(&m, "acme", "orders", "lost");
    bad.op.u.ingest.outbox = &m;
    bad.op.u.ingest.n_outbox = 1;
    assert_int_equal(xd_store_execute(f->s, &bad.op), XD_EIO);
    xd_store_op_cleanup(&bad.op);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM outbox", NULL), 0);
    assert_int_equal(audit_count(f, "outbox.enqueue"), 0);

    /* In one batch between two good ingests that carry messages too. */
    struct gate g = {.open = false};
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    struct test_ingest first, last;
    struct xd_store_outbound m1, m2, m3;
    test_ingest_init(&first, "purchase_order");
    test_ingest_idem(&first, "scope", "k-first");
    first.op.u.ingest.respond = gated_respond;
    first.op.u.ingest.respond_arg = &g;
    outbound_init(&m1, "acme", "orders", "first");
    first.op.u.ingest.outbox = &m1;
    first.op.u.ingest.n_outbox = 1;
    test_ingest_init(&bad, "purchase_order");
    test_ingest_idem(&bad, "scope", "k-bad-2");
    bad.op.u.ingest.respond = failing_respond;
    outbound_init(&m2, "acme", "orders", "lost");
    bad.op.u.ingest.outbox = &m2;
    bad.op.u.ingest.n_outbox = 1;
    test_ingest_init(&last, "purchase_order");
    outbound_init(&m3, "acme", "orders", "last");
    last.op.u.ingest.outbox = &m3;
    last.op.u.ingest.n_outbox = 1;
    assert_int_equal(xd_store_submit(f->s, &first.op), XD_OK);
    assert_int_equal(xd_store_submit(f->s, &bad.op), XD_OK);
    assert_int_equal(xd_store_submit(f->s, &last.op), XD_OK);
    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    assert_int_equal(xd_store_wait(f->s, &first.op), XD_OK);
    assert_int_equal(xd_store_wait(f->s, &bad.op), XD_EIO);
    assert_int_equal(xd_store_wait(f->s, &last.op), XD_OK);
    xd_store_op_cleanup(&first.op);
    xd_store_op_cleanup(&bad.op);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM outbox", NULL), 2);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM outbox WHERE id = ?1", m2.id), 0);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM outbox WHERE id = ?1", m3.id), 1);
    assert_int_equal(audit_count(f, "outbox.enqueue"), 2);
    pthread_cond_destroy(&g.cv);
    pthread_mutex_destroy(&g.mu);
}

static void test_lifecycle(void **state)
{
    struct fixture *f = *state;
    int64_t seq[3];
    enqueue(f, "acme", "orders", 3, seq);

    struct xd_store_outbox_msg *q = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    assert_int_equal(xd_store_outbox_queue(f->s, "acme", "orders", 0, 10, f->a, &q, &n, &err),
                     XD_OK);
    assert_int_equal(n, 3);
    assert_true(q[0].seq == seq[0] && q[1].seq == seq[1] && q[2].seq == seq[2]);
    assert_null(q[0].body);

    size_t skipped = 99;
    assert_int_equal(update(f, NULL, 0, &seq[0], 1, &skipped), XD_OK);
    assert_int_equal(skipped, 0);
    struct xd_store_outbox_msg m = get(f, seq[0]);
    assert_int_equal(m.state, XD_OUTBOX_DELIVERING);
    assert_int_equal(m.attempts, 1);

    int64_t later = xd_now_ms() + 60000;
    struct xd_store_outbox_result r = {.seq = seq[0],
                                       .outcome = XD_STORE_OUTBOX_RETRY,
                                       .http_status = 503,
                                       .error = "HTTP 503",
                                       .response = "busy",
                                       .response_len = 4,
                                       .next_attempt_at_ms = later,
                                       .at_ms = xd_now_ms()};
    /* Settle the retry and claim again in one operation: claims come after results. */
    assert_int_equal(update(f, &r, 1, &seq[0], 1, &skipped), XD_OK);
    assert_int_equal(skipped, 0);
    m = get(f, seq[0]);
    assert_int_equal(m.state, XD_OUTBOX_DELIVERING);
    assert_int_equal(m.attempts, 2);
    assert_int_equal(m.last_status, 503);
    assert_string_equal(m.last_error, "HTTP 503");
    assert_int_equal(m.last_response_len, 4);

    r = (struct xd_store_outbox_result){.seq = seq[0],
                                        .outcome = XD_STORE_OUTBOX_DELIVERED,
                                        .http_status = 200,
                                        .at_ms = xd_now_ms()};
    assert_int_equal(update(f, &r, 1, NULL, 0, &skipped), XD_OK);
    m = get(f, seq[0]);
    assert_int_equal(m.state, XD_OUTBOX_DELIVERED);
    assert_true(m.delivered_at_ms > 0);
    assert_null(m.last_error);
    /* Settling again does not apply: it is no longer delivering. */
    assert_int_equal(update(f, &r, 1, NULL, 0, &skipped), XD_OK);
    assert_int_equal(skipped, 1);
    assert_int_equal(audit_count(f, "outbox.delivered"), 1);

    assert_int_equal(xd_store_outbox_queue(f->s, "acme", "orders", 0, 10, f->a, &q, &n, &err),
                     XD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(xd_store_outbox_queue(f->s, "acme", "orders", seq[1], 10, f->a, &q, &n, &err),
                     XD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(q[0].seq, seq[2]);

    /* Dead, with reason and response kept; cut to the excerpt size. */
    assert_int_equal(update(f, NULL, 0, &seq[1], 1, NULL), XD_OK);
    char big[XD_STORE_EXCERPT_MAX * 2];
    memset(big, 'x', sizeof big);
    r = (struct xd_store_outbox_result){.seq = seq[1],
                                        .outcome = XD_STORE_OUTBOX_DEAD,
                                        .http_status = 404,
                                        .error = "HTTP 404",
                                        .reason = "HTTP 404 Not Found",
                                        .response = big,
                                        .response_len = sizeof big,
                                        .at_ms = xd_now_ms()};
    assert_int_equal(update(f, &r, 1, NULL, 0, NULL), XD_OK);
    m = get(f, seq[1]);
    assert_int_equal(m.state, XD_OUTBOX_DEAD);
    assert_string_equal(m.dead_reason, "HTTP 404 Not Found");
    assert_int_equal(m.last_response_len, XD_STORE_EXCERPT_MAX);
    assert_int_equal(audit_count(f, "outbox.dead"), 1);
}

static void kill_message(struct fixture *f, int64_t seq)
{
    assert_int_equal(update(f, NULL, 0, &seq, 1, NULL), XD_OK);
    struct xd_store_outbox_result r = {.seq = seq,
                                       .outcome = XD_STORE_OUTBOX_DEAD,
                                       .http_status = 422,
                                       .reason = "HTTP 422",
                                       .at_ms = xd_now_ms()};
    assert_int_equal(update(f, &r, 1, NULL, 0, NULL), XD_OK);
}

static void test_replay(void **state)
{
    struct fixture *f = *state;
    int64_t a[3], b[2];
    enqueue(f, "acme", "orders", 3, a);
    enqueue(f, "beta", "orders", 2, b);
    for (int i = 0; i < 3; i++) {
        kill_message(f, a[i]);
    }
    for (int i = 0; i < 2; i++) {
        kill_message(f, b[i]);
    }
    struct xd_store_outbox_msg before = get(f, a[1]);

    /* By id: one dead, one unknown. */
    char unknown[XD_ID_LEN + 1];
    assert_int_equal(xd_id_new(unknown), XD_OK);
    const char *ids[] = {before.id, unknown};
    bool replayed[2] = {false, true};
    struct xd_store_op op = {.kind = XD_STORE_OP_OUTBOX_REPLAY};
    op.u.replay = (struct xd_store_outbox_replay){
        .ids = ids, .n_ids = 2, .actor = "ops", .replayed = replayed};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    assert_int_equal(op.u.replay.count, 1);
    assert_true(replayed[0]);
    assert_false(replayed[1]);
    struct xd_store_outbox_msg after = get(f, a[1]);
    assert_int_equal(after.state, XD_OUTBOX_PENDING);
    assert_int_equal(after.attempts, 0);
    assert_int_equal(after.replays, 1);
    assert_int_equal(after.seq, before.seq);
    assert_string_equal(after.idem_key, before.idem_key);
    assert_null(after.dead_reason);
    assert_true(after.retry_from_ms >= before.created_at_ms);

    /* By partner, with a limit. */
    op.u.replay = (struct xd_store_outbox_replay){.partner = "acme", .limit = 1, .actor = "ops"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    assert_int_equal(op.u.replay.count, 1);
    assert_true(op.u.replay.more);
    assert_int_equal(get(f, a[0]).state, XD_OUTBOX_PENDING); /* oldest first */
    assert_int_equal(get(f, a[2]).state, XD_OUTBOX_DEAD);
    /* All. */
    op.u.replay = (struct xd_store_outbox_replay){.all = true, .limit = 100, .actor = "ops"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    assert_int_equal(op.u.replay.count, 3);
    assert_false(op.u.replay.more);
    assert_int_equal(get(f, b[1]).state, XD_OUTBOX_PENDING);
    assert_int_equal(audit_count(f, "outbox.replay"), 5);
    assert_true(saw_event(f, "queue beta/orders"));

    /* Two selectors, or none, are refused before they reach the writer. */
    op.u.replay =
        (struct xd_store_outbox_replay){.partner = "acme", .all = true, .limit = 1, .actor = "ops"};
    assert_int_equal(xd_store_submit(f->s, &op), XD_EINVAL);
    op.u.replay = (struct xd_store_outbox_replay){.limit = 1, .actor = "ops"};
    assert_int_equal(xd_store_submit(f->s, &op), XD_EINVAL);
}

static void endpoint_op(struct fixture *f, enum xd_store_endpoint_action action, bool *changed,
                        size_t *messages)
{
    struct xd_store_op op = {.kind = XD_STORE_OP_ENDPOINT_UPDATE};
    op.u.endpoint = (struct xd_store_endpoint_update){.partner = "acme",
                                                      .name = "orders",
                                                      .action = action,
                                                      .reason = "HTTP 410 Gone",
                                                      .actor = "deliver"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    *changed = op.u.endpoint.changed;
    *messages = op.u.endpoint.messages;
}

static void test_disable_enable(void **state)
{
    struct fixture *f = *state;
    int64_t seq[3];
    enqueue(f, "acme", "orders", 3, seq);
    assert_int_equal(update(f, NULL, 0, &seq[0], 1, NULL), XD_OK); /* in flight */
    bool changed = false;
    size_t moved = 0;
    endpoint_op(f, XD_STORE_ENDPOINT_DISABLE, &changed, &moved);
    assert_true(changed);
    assert_int_equal(moved, 2); /* the pending ones; the one in flight settles later */
    assert_int_equal(get(f, seq[1]).state, XD_OUTBOX_DISABLED);
    endpoint_op(f, XD_STORE_ENDPOINT_DISABLE, &changed, &moved);
    assert_false(changed);
    assert_true(saw_event(f, "endpoint acme/orders"));

    /* The attempt in flight comes back for a retry: it waits disabled too. */
    struct xd_store_outbox_result r = {.seq = seq[0],
                                       .outcome = XD_STORE_OUTBOX_RETRY,
                                       .http_status = 410,
                                       .error = "HTTP 410",
                                       .next_attempt_at_ms = xd_now_ms(),
                                       .at_ms = xd_now_ms()};
    assert_int_equal(update(f, &r, 1, NULL, 0, NULL), XD_OK);
    assert_int_equal(get(f, seq[0]).state, XD_OUTBOX_DISABLED);
    /* New messages for it wait as well. */
    int64_t later[1];
    enqueue(f, "acme", "orders", 1, later);
    assert_int_equal(get(f, later[0]).state, XD_OUTBOX_DISABLED);

    struct xd_store_endpoint e;
    struct xd_error err = {0};
    assert_int_equal(xd_store_endpoint_get(f->s, "acme", "orders", f->a, &e, &err), XD_OK);
    assert_true(e.disabled);
    assert_string_equal(e.disabled_reason, "HTTP 410 Gone");

    int64_t t0 = xd_now_ms();
    endpoint_op(f, XD_STORE_ENDPOINT_ENABLE, &changed, &moved);
    assert_true(changed);
    assert_int_equal(moved, 4);
    struct xd_store_outbox_msg m = get(f, seq[2]);
    assert_int_equal(m.state, XD_OUTBOX_PENDING);
    assert_true(m.next_attempt_at_ms >= t0);
    assert_int_equal(xd_store_endpoint_get(f->s, "acme", "orders", f->a, &e, &err), XD_OK);
    assert_false(e.disabled);
    assert_int_equal(audit_count(f, "endpoint.disable"), 1);
    assert_int_equal(audit_count(f, "endpoint.enable"), 1);
    /* Enabling an endpoint that never had state changes nothing. */
    struct xd_store_op op = {.kind = XD_STORE_OP_ENDPOINT_UPDATE};
    op.u.endpoint = (struct xd_store_endpoint_update){
        .partner = "nobody", .name = "x", .action = XD_STORE_ENDPOINT_ENABLE, .actor = "ops"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    assert_false(op.u.endpoint.changed);

    /* Breaker transitions are kept for a restart. */
    op.u.endpoint = (struct xd_store_endpoint_update){.partner = "acme",
                                                      .name = "orders",
                                                      .action = XD_STORE_ENDPOINT_BREAKER,
                                                      .breaker = "open",
                                                      .breaker_since_ms = 1234,
                                                      .down_since_ms = 1000,
                                                      .actor = "deliver"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    xd_store_close(f->s);
    f->s = test_open(f->dir, false);
    assert_non_null(f->s);
    assert_int_equal(xd_store_endpoint_get(f->s, "acme", "orders", f->a, &e, &err), XD_OK);
    assert_string_equal(e.breaker, "open");
    assert_int_equal(e.breaker_since_ms, 1234);
    assert_int_equal(e.down_since_ms, 1000);
    struct xd_store_endpoint *rows = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_endpoint_list(f->s, f->a, &rows, &n, &err), XD_OK);
    assert_int_equal(n, 1);
}

static void test_reroute(void **state)
{
    struct fixture *f = *state;
    int64_t seq[3];
    enqueue(f, "3pl-a", "orders", 3, seq);
    assert_int_equal(update(f, NULL, 0, &seq[0], 1, NULL), XD_OK); /* tried: stays */
    struct xd_store_op op = {.kind = XD_STORE_OP_OUTBOX_REROUTE};
    op.u.reroute = (struct xd_store_outbox_reroute){.from_partner = "3pl-a",
                                                    .from_endpoint = "orders",
                                                    .to_partner = "3pl-b",
                                                    .to_endpoint = "orders",
                                                    .reason = "breaker open 60 s",
                                                    .actor = "deliver"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    assert_int_equal(op.u.reroute.count, 2);
    struct xd_store_outbox_msg m = get(f, seq[1]);
    assert_string_equal(m.partner, "3pl-b");
    assert_string_equal(m.rerouted_from, "3pl-a/orders");
    assert_int_equal(m.state, XD_OUTBOX_PENDING);
    m = get(f, seq[0]);
    assert_string_equal(m.partner, "3pl-a");
    assert_null(m.rerouted_from);
    assert_int_equal(audit_count(f, "outbox.reroute"), 2);
    assert_true(saw_event(f, "queue 3pl-b/orders"));
    /* The audit record names the thread and where it came from. */
    assert_int_equal(test_sql_int(f->dir,
                                  "SELECT count(*) FROM audit WHERE action = 'outbox.reroute' "
                                  "AND after LIKE '%' || ?1 || '%'",
                                  "\"rerouted_from\":\"3pl-a/orders\""),
                     2);
}

static void test_reads(void **state)
{
    struct fixture *f = *state;
    int64_t a[3], b[2];
    enqueue(f, "acme", "orders", 3, a);
    enqueue(f, "beta", "asn", 2, b);
    kill_message(f, b[0]);
    struct xd_error err = {0};
    struct xd_store_outbox_depth *d = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_outbox_depths(f->s, f->a, &d, &n, &err), XD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(d[0].partner, "acme");
    assert_int_equal(d[0].state, XD_OUTBOX_PENDING);
    assert_int_equal(d[0].count, 3);
    assert_int_equal(d[1].state, XD_OUTBOX_DEAD);
    assert_int_equal(d[2].count, 1);
    assert_int_equal(xd_store_outbox_queues(f->s, f->a, &d, &n, &err), XD_OK);
    assert_int_equal(n, 2);

    struct xd_store_outbox_filter fl = {.has_state = true, .state = XD_OUTBOX_DEAD, .limit = 10};
    struct xd_store_outbox_msg *m = NULL;
    assert_int_equal(xd_store_outbox_list(f->s, &fl, f->a, &m, &n, &err), XD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].seq, b[0]);
    fl = (struct xd_store_outbox_filter){.partner = "acme", .limit = 2};
    assert_int_equal(xd_store_outbox_list(f->s, &fl, f->a, &m, &n, &err), XD_OK);
    assert_int_equal(n, 2);
    fl.after_seq = m[1].seq;
    assert_int_equal(xd_store_outbox_list(f->s, &fl, f->a, &m, &n, &err), XD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].seq, a[2]);
    struct xd_store_outbox_msg one;
    char unknown[XD_ID_LEN + 1];
    assert_int_equal(xd_id_new(unknown), XD_OK);
    assert_int_equal(xd_store_outbox_get(f->s, unknown, f->a, &one, &err), XD_ENOTFOUND);
}

static void test_validation(void **state)
{
    struct fixture *f = *state;
    struct xd_store_outbound m;
    struct xd_store_op op = {.kind = XD_STORE_OP_OUTBOX_ENQUEUE};
    const struct {
        const char *field;
        const char *value;
    } cases[] = {
        {"partner", "../etc"},      {"partner", ".hidden"},
        {"endpoint", "a/b"},        {"endpoint", ""},
        {"idem_key", "a\"b"},       {"idem_key", "line\nbreak"},
        {"content_type", "x\r\ny"}, {"correlation_id", "has space"},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(cases); i++) {
        outbound_init(&m, "acme", "orders", "{}");
        const char **slot = strcmp(cases[i].field, "partner") == 0        ? &m.partner
                            : strcmp(cases[i].field, "endpoint") == 0     ? &m.endpoint
                            : strcmp(cases[i].field, "idem_key") == 0     ? &m.idem_key
                            : strcmp(cases[i].field, "content_type") == 0 ? &m.content_type
                                                                          : &m.correlation_id;
        *slot = cases[i].value;
        op.u.enqueue = (struct xd_store_outbox_enqueue){.msgs = &m, .n_msgs = 1, .actor = "t"};
        if (xd_store_submit(f->s, &op) != XD_EINVAL) {
            fail_msg("%s '%s' was accepted", cases[i].field, cases[i].value);
        }
    }
    outbound_init(&m, "acme", "orders", "{}");
    m.source = NULL; /* alone, a message must say where it came from */
    op.u.enqueue = (struct xd_store_outbox_enqueue){.msgs = &m, .n_msgs = 1, .actor = "t"};
    assert_int_equal(xd_store_submit(f->s, &op), XD_EINVAL);
    op.u.enqueue = (struct xd_store_outbox_enqueue){
        .msgs = &m, .n_msgs = XD_STORE_OUTBOUND_MAX + 1, .actor = "t"};
    assert_int_equal(xd_store_submit(f->s, &op), XD_EINVAL);
    /* The same message id twice fails the operation, and nothing of it stays. */
    struct xd_store_outbound two[2];
    outbound_init(&two[0], "acme", "orders", "{}");
    two[1] = two[0];
    op.u.enqueue = (struct xd_store_outbox_enqueue){.msgs = two, .n_msgs = 2, .actor = "t"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_EINVAL);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM outbox", NULL), 0);
}

/* The delivery engine reads a queue's head on every turn and the operator lists by state: both
 * must be index seeks, not scans, whatever the outbox holds. */
static void test_query_plans(void **state)
{
    struct fixture *f = *state;
    enqueue(f, "acme", "orders", 1, NULL);
    const struct {
        const char *sql;
        const char *index;
    } plans[] = {
        {"SELECT seq FROM outbox WHERE partner = 'a' AND endpoint = 'b' AND state NOT IN "
         "('delivered', 'dead') AND seq > 0 ORDER BY seq LIMIT 10",
         "outbox_queue"},
        {"SELECT seq FROM outbox WHERE state = 'dead' AND seq > 0 ORDER BY seq LIMIT 10",
         "outbox_state"},
        {"SELECT seq FROM outbox WHERE correlation_id = 'x' ORDER BY seq LIMIT 10",
         "outbox_thread"},
    };
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        if (!test_sql_plan_uses(f->dir, plans[i].sql, plans[i].index)) {
            fail_msg("%s does not use %s", plans[i].sql, plans[i].index);
        }
    }
    /* Each insert and update of a row tests it against the partial index outbox_queue: with no
     * temporary b-tree built for it (an IN list of more than two values needs one). */
    const char *writes[] = {
        "INSERT INTO outbox (id, partner, endpoint, content_type, body, created_at, state, "
        "next_attempt_at) VALUES ('x', 'a', 'b', 'c', 'd', 1, 'pending', 1)",
        "UPDATE outbox SET state = 'delivered' WHERE seq = 1",
        "UPDATE outbox SET state = 'disabled' WHERE seq = 1",
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        assert_int_equal(test_sql_opcodes(f->dir, writes[i], "OpenEphemeral"), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ingest_carries_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_ingest_leaves_no_outbox_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reroute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_plans, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
