/* The workflow engine against a real store on disk: a journal step that keeps failing (here
 * the disk refuses every write) is taken again after a wait that doubles, not at every poll,
 * and done once the disk takes writes again; a message whose own step keeps failing is set
 * aside with an exception, the messages around it go on, and an operator's retry applies it
 * once the cause is gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../store/store_test.h"
#include "core/arena.h"
#include "core/buf.h"
#include "flow/flow.h"
#include "flow/flow_int.h"
#include "partner/partner.h"
#include "store/store.h"

static void test_failing_step_backs_off(void **state)
{
    (void)state;
    char dir[TEST_DIR_MAX];
    test_dir_make(dir);
    setenv("CROSSDOCK_TEST_FAULTS", "1", 1);
    struct xd_store *s = test_open(dir, true);
    assert_non_null(s);
    struct test_ingest po;
    test_ingest_init(&po, "purchase_order");
    test_ingest_key(&po, "po_number", "PO-BACKOFF");
    assert_int_equal(xd_store_execute(s, &po.op), XD_OK);
    int64_t seq = po.op.u.ingest.seq;
    xd_store_op_cleanup(&po.op);

    struct xd_partner_registry *partners = NULL;
    assert_int_equal(xd_partner_registry_create(NULL, &partners), XD_OK);
    struct xd_flow_options o;
    xd_flow_options_init(&o);
    o.store = s;
    o.partners = partners;
    test_flag(dir, ".fault-write", true); /* the order is journaled; its step cannot be */
    struct xd_flow *f = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_flow_start(&o, &f, &err), XD_OK);
    usleep(1200 * 1000);
    struct xd_flow_stats st;
    xd_flow_stats(f, &st);
    /* Polling every 25 ms would have failed ~48 times; waits of 25, 50, 100, 200, 400 and
     * 800 ms allow 6. */
    print_message("    %llu failed attempts in 1.2 s\n", (unsigned long long)st.failures);
    assert_true(st.failures >= 3 && st.failures <= 7);
    assert_true(st.position < seq);
    assert_int_equal(st.set_aside, 0); /* the disk's failure is no message's own */

    test_flag(dir, ".fault-write", false);
    for (int i = 0; i < 200 && st.position < seq; i++) {
        usleep(50 * 1000);
        xd_flow_stats(f, &st);
    }
    assert_true(st.position >= seq);
    uint64_t failures = st.failures;
    usleep(300 * 1000);
    xd_flow_stats(f, &st);
    assert_int_equal(st.failures, failures); /* done: no more attempts */
    xd_flow_stop(f);
    xd_partner_registry_destroy(partners);
    xd_store_close(s);
    test_dir_remove(dir);
}

/* An order of its own number and supplier (one no profile names: the flow makes it
 * unroutable), journaled; its document id and thread into <id> and <cid>. */
static int64_t order(struct xd_store *s, const char *po_number, char id[XD_ID_LEN + 1],
                     char cid[XD_CORRELATION_ID_MAX + 1])
{
    struct test_ingest po;
    test_ingest_init(&po, "purchase_order");
    struct xd_store_ingest *in = &po.op.u.ingest;
    snprintf(po.body, sizeof po.body,
             "{\"type\":\"purchase_order\",\"id\":\"%s\",\"po_number\":\"%s\","
             "\"supplier\":{\"party_id\":\"nobody\"},\"lines\":[{\"line_number\":1,"
             "\"sku\":\"A-1\",\"quantity\":\"2\",\"uom\":\"EA\",\"unit_price\":\"1.00\"}]}",
             in->id, po_number);
    in->raw_len = in->body_len = strlen(po.body);
    test_ingest_key(&po, "po_number", po_number);
    assert_int_equal(xd_store_execute(s, &po.op), XD_OK);
    snprintf(id, XD_ID_LEN + 1, "%s", in->id);
    snprintf(cid, XD_CORRELATION_ID_MAX + 1, "%s", in->correlation_id);
    int64_t seq = in->seq;
    xd_store_op_cleanup(&po.op);
    return seq;
}

struct poison {
    char id[XD_ID_LEN + 1]; /* a document's */
    char timers_of[32];     /* an order whose timers fail */
    char dead_of[32];       /* an order whose dead letters fail */
    _Atomic bool on;
};

/* The step of its document (of its thread's timers) fails as though memory were short, every
 * time, as a bug in the rules would. */
static enum xd_status poison_fault(void *arg, const struct xd_flow_step *s)
{
    struct poison *p = arg;
    bool doc = s->doc_id != NULL && strcmp(s->doc_id, p->id) == 0;
    const char *po = json_string_value(json_object_get(s->data, "po_number"));
    bool timer = s->timer_kind != NULL && po != NULL && strcmp(po, p->timers_of) == 0;
    bool dead =
        strcmp(s->doc_type, "dead_letter") == 0 && po != NULL && strcmp(po, p->dead_of) == 0;
    return p->on && (doc || timer || dead) ? XD_ENOMEM : XD_OK;
}

static const char *flow_state(struct xd_store *s, struct xd_arena *a, const char *cid)
{
    struct xd_store_flow_row row;
    struct xd_error err = {0};
    return xd_store_flow_get(s, cid, a, &row, &err) == XD_OK ? row.state : NULL;
}

/* A store on disk with orders journaled, and the engine over it (with the poison fault). */
struct world {
    char dir[TEST_DIR_MAX];
    struct xd_store *s;
    struct xd_partner_registry *partners;
    struct xd_flow *f;
    struct xd_arena *a;
    struct poison p;
};

static void world_open(struct world *w)
{
    memset(w, 0, sizeof *w);
    test_dir_make(w->dir);
    w->s = test_open(w->dir, true);
    assert_non_null(w->s);
    w->a = xd_arena_create(0, (size_t)16 << 20);
    assert_non_null(w->a);
    assert_int_equal(xd_partner_registry_create(NULL, &w->partners), XD_OK);
    w->p.on = true;
}

static void world_start(struct world *w)
{
    struct xd_flow_options o;
    xd_flow_options_init(&o);
    o.store = w->s;
    o.partners = w->partners;
    o.poll_ms = 5;
    o.fault = poison_fault;
    o.fault_arg = &w->p;
    struct xd_error err = {0};
    assert_int_equal(xd_flow_start(&o, &w->f, &err), XD_OK);
}

static void world_close(struct world *w)
{
    xd_flow_stop(w->f);
    xd_partner_registry_destroy(w->partners);
    xd_arena_destroy(w->a);
    xd_store_close(w->s);
    test_dir_remove(w->dir);
}

/* Wait up to 10 s for <done> of the engine's stats. */
#define WAIT_STATS(f, st, done)                                                                    \
    do {                                                                                           \
        xd_flow_stats((f), &(st));                                                                 \
        for (int i_ = 0; i_ < 200 && !(done); i_++) {                                              \
            usleep(50 * 1000);                                                                     \
            xd_flow_stats((f), &(st));                                                             \
        }                                                                                          \
    } while (0)

/* The open exceptions of thread <cid> of type <type>: how many, the first's id in <id>. */
static size_t open_exceptions(struct world *w, const char *cid, const char *type,
                              char id[XD_ID_LEN + 1])
{
    struct xd_store_exception_filter xf = {
        .correlation_id = cid, .type = type, .state = "open", .limit = 10};
    struct xd_store_exception *ex = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    assert_int_equal(xd_store_exception_list(w->s, &xf, w->a, &ex, &n, &err), XD_OK);
    if (n > 0 && id != NULL) {
        snprintf(id, XD_ID_LEN + 1, "%s", ex[0].id);
    }
    return n;
}

/* Exception <id>'s action <action>; what the engine answers, its message in <err>. */
static enum xd_status act(struct world *w, const char *id, const char *action, struct xd_error *err)
{
    struct xd_buf out;
    xd_buf_init(&out, 1 << 20);
    *err = (struct xd_error){0};
    enum xd_status st = xd_flow_action(w->f, id, action, NULL, "test", &out, err);
    xd_buf_cleanup(&out);
    return st;
}

/* Retrying exception <exc_id> (on thread <cid>) while the fault lasts: refused with the reason,
 * the exception still open. */
static void retry_refused(struct world *w, const char *exc_id, const char *cid)
{
    struct xd_error err = {0};
    assert_int_equal(act(w, exc_id, "retry", &err), XD_ECONFLICT);
    assert_non_null(strstr(err.message, "still cannot be applied"));
    assert_int_equal(open_exceptions(w, cid, "processing_failed", NULL), 1);
}

/* Retrying it once the fault is gone: applied, the exception resolved. */
static void retry_applied(struct world *w, const char *exc_id, const char *cid)
{
    struct xd_error err = {0};
    w->p.on = false;
    assert_int_equal(act(w, exc_id, "retry", &err), XD_OK);
    assert_int_equal(open_exceptions(w, cid, "processing_failed", NULL), 0);
}

/* Two orders journaled, <poison> first, and the engine started and through both (the fault
 * set up before). */
static void two_orders(struct world *w, const char *poison, const char *fine,
                       char cids[2][XD_CORRELATION_ID_MAX + 1])
{
    char id[XD_ID_LEN + 1];
    order(w->s, poison, id, cids[0]);
    int64_t last = order(w->s, fine, id, cids[1]);
    world_start(w);
    struct xd_flow_stats st;
    WAIT_STATS(w->f, st, st.position >= last);
    assert_true(st.position >= last);
}

static void test_failing_message_is_set_aside(void **state)
{
    (void)state;
    struct world w;
    world_open(&w);
    char ids[3][XD_ID_LEN + 1], cids[3][XD_CORRELATION_ID_MAX + 1];
    order(w.s, "PO-BEFORE", ids[0], cids[0]);
    order(w.s, "PO-POISON", ids[1], cids[1]);
    int64_t last = order(w.s, "PO-AFTER", ids[2], cids[2]);
    snprintf(w.p.id, sizeof w.p.id, "%s", ids[1]);
    world_start(&w);
    struct xd_flow_stats st;
    WAIT_STATS(w.f, st, st.position >= last);
    assert_true(st.position >= last);
    assert_int_equal(st.set_aside, 1);
    assert_true(st.failures >= 8); /* the batch of three, then the order alone 8 times */

    assert_string_equal(flow_state(w.s, w.a, cids[0]), "unroutable");
    assert_string_equal(flow_state(w.s, w.a, cids[2]), "unroutable");
    assert_null(flow_state(w.s, w.a, cids[1]));
    char exc_id[XD_ID_LEN + 1];
    assert_int_equal(open_exceptions(&w, cids[1], NULL, exc_id), 1);
    struct xd_store_exception ex;
    struct xd_error err = {0};
    assert_int_equal(xd_store_exception_get(w.s, exc_id, w.a, &ex, &err), XD_OK);
    assert_string_equal(ex.type, "processing_failed");
    assert_non_null(strstr(ex.body, ids[1]));
    assert_non_null(strstr(ex.body, "\"actions\":[\"retry\",\"resolve\"]"));
    assert_non_null(strstr(ex.body, "out of memory"));

    /* Retried while the cause lasts: refused, nothing changes. */
    retry_refused(&w, exc_id, cids[1]);
    assert_null(flow_state(w.s, w.a, cids[1]));
    /* Retried once it is gone: the order takes its step, the exception is resolved. */
    retry_applied(&w, exc_id, cids[1]);
    assert_string_equal(flow_state(w.s, w.a, cids[1]), "unroutable");
    assert_int_equal(open_exceptions(&w, cids[1], "unroutable", NULL), 1);
    world_close(&w);
}

/* Set due timers on two orders' threads, as a step would. */
static void due_timers(struct xd_store *s, const char *cid1, const char *cid2)
{
    char id1[XD_CORRELATION_ID_MAX + 64], id2[XD_CORRELATION_ID_MAX + 64];
    const char *kind = "sla.po_acknowledgement.at_risk";
    snprintf(id1, sizeof id1, "%s:%s", cid1, kind);
    snprintf(id2, sizeof id2, "%s:%s", cid2, kind);
    int64_t now = xd_now_ms();
    struct xd_store_timer tm[2] = {
        {.id = id1, .correlation_id = cid1, .kind = kind, .due_at_ms = now - 10},
        {.id = id2, .correlation_id = cid2, .kind = kind, .due_at_ms = now - 5},
    };
    struct xd_store_op op = {.kind = XD_STORE_OP_FLOW};
    op.u.flow = (struct xd_store_flow){.timers = tm, .n_timers = 2, .actor = "test"};
    assert_int_equal(xd_store_execute(s, &op), XD_OK);
    xd_store_op_cleanup(&op);
}

static void test_failing_timer_is_set_aside(void **state)
{
    (void)state;
    struct world w;
    world_open(&w);
    char cids[2][XD_CORRELATION_ID_MAX + 1];
    snprintf(w.p.timers_of, sizeof w.p.timers_of, "PO-T-POISON");
    two_orders(&w, "PO-T-POISON", "PO-T-FINE", cids);

    /* The first timer fails every time; the second, due after it, fires all the same (the
     * orders are unroutable: a due SLA timer of theirs changes nothing). */
    due_timers(w.s, cids[0], cids[1]);
    struct xd_flow_stats st;
    WAIT_STATS(w.f, st, st.set_aside >= 1);
    assert_int_equal(st.set_aside, 1);
    const char *timers = "SELECT count(*) FROM timers";
    for (int i = 0; i < 100 && test_sql_int(w.dir, timers, NULL) > 0; i++) {
        usleep(50 * 1000);
    }
    assert_int_equal(test_sql_int(w.dir, timers, NULL), 0);
    assert_int_equal(open_exceptions(&w, cids[1], "processing_failed", NULL), 0);
    char exc_id[XD_ID_LEN + 1];
    assert_int_equal(open_exceptions(&w, cids[0], "processing_failed", exc_id), 1);
    struct xd_store_exception ex;
    struct xd_error err = {0};
    assert_int_equal(xd_store_exception_get(w.s, exc_id, w.a, &ex, &err), XD_OK);
    assert_non_null(strstr(ex.body, "\"timer\":\"sla.po_acknowledgement.at_risk\""));

    /* The retry fires it once the cause is gone. */
    retry_refused(&w, exc_id, cids[0]);
    retry_applied(&w, exc_id, cids[0]);
    assert_string_equal(flow_state(w.s, w.a, cids[0]), "unroutable");
    world_close(&w);
}

/* Delivery gives up a message of each of two threads (an outbox.dead record each, as the
 * delivery engine writes them). */
static void dead_letters(struct xd_store *s, const char *cid1, const char *cid2)
{
    const char *cids[] = {cid1, cid2};
    for (size_t i = 0; i < 2; i++) {
        char after[256];
        snprintf(after, sizeof after,
                 "{\"seq\":%zu,\"partner\":\"acme\",\"endpoint\":\"edi\","
                 "\"reason\":\"refused\",\"correlation_id\":\"%s\"}",
                 i + 1, cids[i]);
        struct xd_store_op op = {.kind = XD_STORE_OP_AUDIT_APPEND};
        op.u.audit = (struct xd_store_audit_append){
            .actor = "deliver", .action = "outbox.dead", .object = "outbox:1", .after = after};
        assert_int_equal(xd_store_execute(s, &op), XD_OK);
        xd_store_op_cleanup(&op);
    }
}

static void test_failing_dead_letter_is_set_aside(void **state)
{
    (void)state;
    struct world w;
    world_open(&w);
    char cids[2][XD_CORRELATION_ID_MAX + 1];
    snprintf(w.p.dead_of, sizeof w.p.dead_of, "PO-D-POISON");
    two_orders(&w, "PO-D-POISON", "PO-D-FINE", cids);

    /* The first fails every time; the second, logged after it, still raises its exception. */
    dead_letters(w.s, cids[0], cids[1]);
    struct xd_flow_stats st;
    WAIT_STATS(w.f, st,
               st.set_aside >= 1 && open_exceptions(&w, cids[1], "delivery_failed", NULL) == 1);
    assert_int_equal(st.set_aside, 1);
    assert_int_equal(open_exceptions(&w, cids[1], "delivery_failed", NULL), 1);
    assert_int_equal(open_exceptions(&w, cids[0], "delivery_failed", NULL), 0);
    char exc_id[XD_ID_LEN + 1];
    assert_int_equal(open_exceptions(&w, cids[0], "processing_failed", exc_id), 1);

    /* The retry applies the dead letter once the cause is gone. */
    retry_refused(&w, exc_id, cids[0]);
    retry_applied(&w, exc_id, cids[0]);
    assert_int_equal(open_exceptions(&w, cids[0], "delivery_failed", NULL), 1);
    world_close(&w);
}

/* Batches of many threads, each met twice in a batch: 150 orders, then each one's number again
 * (journaled together before the engine starts, so that a batch of 256 holds both documents of
 * most orders). Every order is one thread with one flow, and the second document finds the
 * thread its first made in the same batch (a thread made twice would insert its flow twice:
 * a conflict, and the batch would fail). */
static void test_batch_of_many_threads(void **state)
{
    (void)state;
    struct world w;
    world_open(&w);
    w.p.on = false;
    enum { ORDERS = 150 };
    static char cids[ORDERS][XD_CORRELATION_ID_MAX + 1];
    int64_t last = 0;
    for (int i = 0; i < 2 * ORDERS; i++) {
        char number[32], id[XD_ID_LEN + 1], cid[XD_CORRELATION_ID_MAX + 1];
        snprintf(number, sizeof number, "PO-MANY-%d", i % ORDERS);
        last = order(w.s, number, id, cid);
        if (i < ORDERS) {
            snprintf(cids[i], sizeof cids[i], "%s", cid);
        } else {
            assert_string_equal(cid, cids[i % ORDERS]); /* the second joined the first's thread */
        }
    }
    world_start(&w);
    struct xd_flow_stats st;
    WAIT_STATS(w.f, st, st.position >= last);
    assert_true(st.position >= last);
    assert_int_equal(st.failures, 0);
    assert_int_equal(st.set_aside, 0);
    assert_int_equal(st.steps, 2 * ORDERS);
    struct xd_store_count *states = NULL, *excs = NULL;
    size_t n_states = 0, n_excs = 0;
    struct xd_error err = {0};
    assert_int_equal(xd_store_flow_counts(w.s, w.a, &states, &n_states, &excs, &n_excs, &err),
                     XD_OK);
    int64_t flows = 0;
    for (size_t i = 0; i < n_states; i++) {
        flows += states[i].count;
    }
    assert_int_equal(flows, ORDERS);
    for (int i = 0; i < ORDERS; i += 37) {
        assert_non_null(flow_state(w.s, w.a, cids[i]));
        assert_int_equal(open_exceptions(&w, cids[i], "unroutable", NULL), 1);
    }
    world_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failing_step_backs_off),
        cmocka_unit_test(test_failing_message_is_set_aside),
        cmocka_unit_test(test_failing_timer_is_set_aside),
        cmocka_unit_test(test_failing_dead_letter_is_set_aside),
        cmocka_unit_test(test_batch_of_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
