/* The workflow operation: thread rows under a version guard, timeline, timers, exceptions,
 * outbound messages and the journal cursor commit together or not at all; a stale version or
 * cursor changes nothing; the reads see exactly what was committed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "store_test.h"

static char dir[TEST_DIR_MAX];
static struct xd_store *s;
static struct xd_arena *arena;

static int setup(void **state)
{
    (void)state;
    test_dir_make(dir);
    s = test_open(dir, false);
    arena = xd_arena_create(0, (size_t)64 << 20);
    return s == NULL || arena == NULL;
}

static int teardown(void **state)
{
    (void)state;
    xd_arena_destroy(arena);
    xd_store_close(s);
    test_dir_remove(dir);
    return 0;
}

struct step {
    struct xd_store_op op;
    struct xd_store_flow_row row;
    struct xd_store_flow_event ev;
    struct xd_store_timer timer;
    struct xd_store_exception exc;
    struct xd_store_outbound out;
    const char *closed[1];
};

/* One step of thread <cid> from <version> into <state>, with an event, a timer, an exception
 * and an outbound message; cursor moves from..to when to > 0. */
static void step_init(struct step *t, const char *cid, int64_t version, const char *state,
                      int64_t from, int64_t to)
{
    memset(t, 0, sizeof *t);
    t->op.kind = XD_STORE_OP_FLOW;
    t->row = (struct xd_store_flow_row){.correlation_id = cid,
                                        .flow = "p2p",
                                        .state = state,
                                        .key = "PO-1",
                                        .partner = "acme",
                                        .owner = "supplier",
                                        .next_step = "po_acknowledgement",
                                        .sla = "ok",
                                        .data = "{\"lines\":{}}",
                                        .version = version};
    t->ev = (struct xd_store_flow_event){
        .correlation_id = cid, .event = "po.sent", .to_state = state, .detail = "{\"n\":1}"};
    t->timer = (struct xd_store_timer){.id = "t1",
                                       .correlation_id = cid,
                                       .kind = "sla.po_acknowledgement.missed",
                                       .due_at_ms = 50};
    t->exc = (struct xd_store_exception){.id = "x1",
                                         .correlation_id = cid,
                                         .type = "sla_missed",
                                         .partner = "acme",
                                         .owner = "supplier",
                                         .state = "open",
                                         .body = "{\"type\":\"sla_missed\"}"};
    assert_int_equal(xd_id_new(t->out.id), XD_OK);
    t->out.partner = "acme";
    t->out.endpoint = "edi";
    t->out.content_type = "application/edi-x12";
    t->out.body = "ISA...";
    t->out.body_len = 6;
    t->out.correlation_id = cid;
    t->out.source = "flow:doc";
    struct xd_store_flow *f = &t->op.u.flow;
    f->rows = &t->row;
    f->n_rows = 1;
    f->events = &t->ev;
    f->n_events = 1;
    f->timers = &t->timer;
    f->n_timers = 1;
    f->exceptions = &t->exc;
    f->n_exceptions = 1;
    f->outbox = &t->out;
    f->n_outbox = 1;
    f->actor = "flow";
    f->at_ms = 10;
    if (to > 0) {
        f->cursor = "flow";
        f->cursor_from = from;
        f->cursor_to = to;
    }
}

static size_t events_of(const char *cid)
{
    struct xd_store_flow_event *ev = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_flow_events(s, cid, arena, &ev, &n, NULL), XD_OK);
    return n;
}

static void test_step_commits_everything(void **state)
{
    (void)state;
    struct step t;
    step_init(&t, "T1", 0, "sent", 0, 7);
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    assert_int_equal(t.row.version, 1);
    xd_store_op_cleanup(&t.op);

    struct xd_store_flow_row row;
    assert_int_equal(xd_store_flow_get(s, "T1", arena, &row, NULL), XD_OK);
    assert_string_equal(row.state, "sent");
    assert_string_equal(row.owner, "supplier");
    assert_int_equal(row.version, 1);
    assert_int_equal(events_of("T1"), 1);
    int64_t pos = 0;
    assert_int_equal(xd_store_cursor_get(s, "flow", &pos, NULL), XD_OK);
    assert_int_equal(pos, 7);
    struct xd_store_timer *due = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_timers_due(s, 49, 10, arena, &due, &n, NULL), XD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(xd_store_timers_due(s, 50, 10, arena, &due, &n, NULL), XD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(due[0].kind, "sla.po_acknowledgement.missed");
    struct xd_store_exception x;
    assert_int_equal(xd_store_exception_get(s, "x1", arena, &x, NULL), XD_OK);
    assert_string_equal(x.state, "open");
    assert_int_equal(x.created_at_ms, 10);
    struct xd_store_outbox_msg m;
    assert_int_equal(xd_store_outbox_get(s, t.out.id, arena, &m, NULL), XD_OK);
    assert_string_equal(m.correlation_id, "T1");
    /* Audited: the exception's opening. */
    assert_true(
        test_sql_int(dir, "SELECT count(*) FROM audit WHERE action = ?1", "exception.open") == 1);
}

static void test_stale_version_changes_nothing(void **state)
{
    (void)state;
    struct step t;
    step_init(&t, "T2", 0, "sent", 0, 3);
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    xd_store_op_cleanup(&t.op);
    /* A second "new thread" step for the same thread: the row exists. */
    step_init(&t, "T2", 0, "acknowledged", 3, 4);
    t.exc.id = "x2";
    assert_int_equal(xd_store_execute(s, &t.op), XD_ECONFLICT);
    xd_store_op_cleanup(&t.op);
    /* A step built on version 5 that the thread never had. */
    step_init(&t, "T2", 5, "acknowledged", 3, 4);
    t.exc.id = "x3";
    assert_int_equal(xd_store_execute(s, &t.op), XD_ECONFLICT);
    xd_store_op_cleanup(&t.op);
    /* Nothing of either landed: no event, no exception, no outbox message, cursor unmoved. */
    assert_int_equal(events_of("T2"), 1);
    struct xd_store_exception x;
    assert_int_equal(xd_store_exception_get(s, "x2", arena, &x, NULL), XD_ENOTFOUND);
    assert_int_equal(xd_store_exception_get(s, "x3", arena, &x, NULL), XD_ENOTFOUND);
    int64_t pos = 0;
    assert_int_equal(xd_store_cursor_get(s, "flow", &pos, NULL), XD_OK);
    assert_int_equal(pos, 3);
    /* The right version goes through. */
    step_init(&t, "T2", 1, "acknowledged", 3, 4);
    t.exc.id = "x4";
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    assert_int_equal(t.row.version, 2);
    xd_store_op_cleanup(&t.op);
    assert_int_equal(events_of("T2"), 2);
}

static void test_stale_cursor_changes_nothing(void **state)
{
    (void)state;
    struct step t;
    step_init(&t, "T3", 0, "sent", 0, 9);
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    xd_store_op_cleanup(&t.op);
    step_init(&t, "T4", 0, "sent", 0, 12); /* read the cursor at 0: another step moved it */
    t.exc.id = "x5";
    assert_int_equal(xd_store_execute(s, &t.op), XD_ECONFLICT);
    xd_store_op_cleanup(&t.op);
    struct xd_store_flow_row row;
    assert_int_equal(xd_store_flow_get(s, "T4", arena, &row, NULL), XD_ENOTFOUND);
}

static void test_timer_close_and_exception_update(void **state)
{
    (void)state;
    struct step t;
    step_init(&t, "T5", 0, "sent", 0, 0);
    t.timer.id = "T5:t";
    t.exc.id = "x6";
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    xd_store_op_cleanup(&t.op);
    /* The timer fires: closed in the step that handles it; the exception resolved. */
    step_init(&t, "T5", 1, "sent", 0, 0);
    t.op.u.flow.n_timers = 0;
    t.closed[0] = "T5:t";
    t.op.u.flow.timers_closed = t.closed;
    t.op.u.flow.n_timers_closed = 1;
    t.op.u.flow.n_outbox = 0;
    t.op.u.flow.n_events = 0;
    t.exc.id = "x6";
    t.exc.state = "resolved";
    t.exc.body = "{\"type\":\"sla_missed\",\"history\":[1]}";
    t.op.u.flow.at_ms = 99;
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    xd_store_op_cleanup(&t.op);
    struct xd_store_timer *due = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_timers_due(s, INT64_MAX, 100, arena, &due, &n, NULL), XD_OK);
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(due[i].id, "T5:t");
    }
    struct xd_store_exception x;
    assert_int_equal(xd_store_exception_get(s, "x6", arena, &x, NULL), XD_OK);
    assert_string_equal(x.state, "resolved");
    assert_int_equal(x.created_at_ms, 10); /* kept from the opening */
    assert_int_equal(x.updated_at_ms, 99);
    /* Filters. */
    struct xd_store_exception_filter f = {.state = "resolved", .correlation_id = "T5"};
    struct xd_store_exception *xs = NULL;
    assert_int_equal(xd_store_exception_list(s, &f, arena, &xs, &n, NULL), XD_OK);
    assert_int_equal(n, 1);
    f = (struct xd_store_exception_filter){.owner = "warehouse"};
    assert_int_equal(xd_store_exception_list(s, &f, arena, &xs, &n, NULL), XD_OK);
    assert_int_equal(n, 0);
}

/* How many exceptions <f> lists (its first ones in *xs). */
static size_t listed(struct xd_store_exception_filter f, struct xd_store_exception **xs)
{
    size_t n = 0;
    assert_int_equal(xd_store_exception_list(s, &f, arena, xs, &n, NULL), XD_OK);
    return n;
}
/* The filter's members, listed into the caller's xs. */
#define LISTED(...) listed((struct xd_store_exception_filter){__VA_ARGS__}, &xs)

static void test_exceptions_filtered_by_subject(void **state)
{
    (void)state;
    /* Three exceptions: about ship notice A, about invoice A, about nothing in particular. */
    const char *const bodies[] = {
        "{\"type\":\"receipt_variance\",\"subject\":{\"document\":\"ship_notice\","
        "\"number\":\"A\"}}",
        "{\"type\":\"invoice_mismatch\",\"subject\":{\"document\":\"invoice\","
        "\"number\":\"A\"}}",
        "{\"type\":\"unexpected_document\"}"};
    const char *const ids[] = {"s1", "s2", "s3"};
    const char *const documents[] = {"ship_notice", "invoice", NULL};
    const char *const numbers[] = {"A", "A", NULL};
    const char *const types[] = {"receipt_variance", "invoice_mismatch", "unexpected_document"};
    struct step t;
    for (int i = 0; i < 3; i++) {
        step_init(&t, "T8", i, "sent", 0, 0);
        t.exc.id = ids[i];
        t.exc.body = bodies[i];
        t.exc.subject_document = documents[i];
        t.exc.subject_number = numbers[i];
        t.exc.type = types[i];
        t.op.u.flow.n_timers = 0;
        t.op.u.flow.n_outbox = 0;
        assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
        xd_store_op_cleanup(&t.op);
    }
    struct xd_store_exception *xs = NULL;
    assert_int_equal(LISTED(.subject_document = "ship_notice"), 1);
    assert_string_equal(xs[0].id, "s1");
    /* Any document numbered A. */
    assert_int_equal(LISTED(.subject_number = "A"), 2);
    assert_int_equal(LISTED(.subject_document = "invoice", .subject_number = "A"), 1);
    assert_string_equal(xs[0].id, "s2");
    assert_int_equal(LISTED(.subject_document = "invoice", .subject_number = "B"), 0);
    assert_int_equal(LISTED(.correlation_id = "T8"), 3);
    /* The other filters still apply beside a number: s2 is of type invoice_mismatch. */
    assert_int_equal(LISTED(.subject_number = "A", .type = "receipt_variance"), 1);
    assert_string_equal(xs[0].id, "s1");
}

static void test_bad_operations_are_refused(void **state)
{
    (void)state;
    struct step t;
    step_init(&t, "T6", 0, "sent", 0, 0);
    t.row.state = NULL;
    assert_int_equal(xd_store_execute(s, &t.op), XD_EINVAL);
    assert_non_null(strstr(t.op.err.message, "state"));
    xd_store_op_cleanup(&t.op);
    step_init(&t, "T6", 0, "sent", 5, 4);
    t.op.u.flow.cursor = "flow";
    assert_int_equal(xd_store_execute(s, &t.op), XD_EINVAL);
    xd_store_op_cleanup(&t.op);
    step_init(&t, "T6", 0, "sent", 0, 0);
    t.op.u.flow.n_events = XD_STORE_FLOW_ITEMS_MAX + 1;
    assert_int_equal(xd_store_execute(s, &t.op), XD_EINVAL);
    xd_store_op_cleanup(&t.op);
}

/* Lists are newest first (ties by correlation id), for one state and for all: the list of all
 * is merged from each state's own, so it must agree with one sort of every thread. */
static void test_lists_newest_first(void **state)
{
    (void)state;
    static const char *const states[] = {"sent", "acknowledged", "closed"};
    static const int64_t at[] = {5, 9, 9, 2, 7, 9, 1, 8, 3, 9};
    enum { N = sizeof at / sizeof at[0] };
    char cids[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(cids[i], sizeof cids[i], "L%d", i);
        struct step t;
        step_init(&t, cids[i], 0, states[i % 3], 0, 0);
        t.op.u.flow.n_events = t.op.u.flow.n_timers = 0;
        t.op.u.flow.n_exceptions = t.op.u.flow.n_outbox = 0;
        t.op.u.flow.at_ms = at[i];
        assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
        xd_store_op_cleanup(&t.op);
    }
    /* By hand: 9 (L1 L2 L5 L9), 8 (L7), 7 (L4), 5 (L0), 3 (L8), 2 (L3), 1 (L6). */
    static const char *const want[] = {"L1", "L2", "L5", "L9", "L7", "L4", "L0", "L8", "L3", "L6"};
    for (size_t limit = 1; limit <= N + 1; limit++) {
        struct xd_store_flow_row *rows = NULL;
        size_t n = 0;
        assert_int_equal(xd_store_flow_list(s, NULL, limit, arena, &rows, &n, NULL), XD_OK);
        assert_int_equal(n, limit < N ? limit : N);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(rows[i].correlation_id, want[i]);
            assert_int_equal(rows[i].updated_at_ms, at[rows[i].correlation_id[1] - '0']);
        }
    }
    struct xd_store_flow_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_flow_list(s, "acknowledged", 10, arena, &rows, &n, NULL), XD_OK);
    assert_int_equal(n, 3); /* L1 (9), L7 (8), L4 (7) */
    assert_string_equal(rows[0].correlation_id, "L1");
    assert_string_equal(rows[1].correlation_id, "L7");
    assert_string_equal(rows[2].correlation_id, "L4");
    assert_int_equal(xd_store_flow_list(s, "cancelled", 10, arena, &rows, &n, NULL), XD_OK);
    assert_int_equal(n, 0);
}

/* "state=n ..." of the counts the control tower shows, threads then open exceptions. */
static void counts_text(char *out, size_t cap)
{
    struct xd_store_count *st = NULL, *ex = NULL;
    size_t nst = 0, nex = 0;
    assert_int_equal(xd_store_flow_counts(s, arena, &st, &nst, &ex, &nex, NULL), XD_OK);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < nst; i++) {
        used += (size_t)snprintf(out + used, cap - used, "%s=%lld ", st[i].name,
                                 (long long)st[i].count);
    }
    used += (size_t)snprintf(out + used, cap - used, "|");
    for (size_t i = 0; i < nex; i++) {
        used += (size_t)snprintf(out + used, cap - used, " %s=%lld", ex[i].name,
                                 (long long)ex[i].count);
    }
}

/* One step of thread <cid> from <version> into <state>, with exception <xid> (<type>, <xstate>):
 * the store must answer <want>. */
static void count_step(const char *cid, int64_t version, const char *state, const char *xid,
                       const char *type, const char *xstate, enum xd_status want)
{
    struct step t;
    step_init(&t, cid, version, state, 0, 0);
    t.exc.id = xid;
    t.exc.type = type;
    t.exc.state = xstate;
    t.op.u.flow.n_timers = t.op.u.flow.n_outbox = 0;
    assert_int_equal(xd_store_execute(s, &t.op), want);
    xd_store_op_cleanup(&t.op);
}

/* The counts are kept as rows change (by the writer), so they must agree with counting the
 * rows. */
static void test_counts_follow_changes(void **state)
{
    (void)state;
    char got[256];
    count_step("CA", 0, "sent", "ca-x", "sla_missed", "open", XD_OK);
    counts_text(got, sizeof got);
    assert_string_equal(got, "sent=1 | sla_missed=1");
    count_step("CA", 1, "acknowledged", "ca-x", "sla_missed", "resolved", XD_OK);
    counts_text(got, sizeof got);
    assert_string_equal(got, "acknowledged=1 |");
    count_step("CB", 0, "sent", "cb-x", "invoice_mismatch", "open", XD_OK);
    /* A step that fails (stale version) changes no count either. */
    count_step("CB", 0, "closed", "cb-y", "sla_missed", "open", XD_ECONFLICT);
    counts_text(got, sizeof got);
    assert_string_equal(got, "acknowledged=1 sent=1 | invoice_mismatch=1");
    assert_int_equal(test_sql_int(dir, "SELECT count(*) FROM flows WHERE state = ?1", "sent"), 1);
    assert_int_equal(test_sql_int(dir, "SELECT count(*) FROM exceptions WHERE state = ?1", "open"),
                     1);
    /* The open ones (their own index) and the others, with the other filters beside. */
    struct xd_store_exception *xs = NULL;
    assert_int_equal(LISTED(.state = "open", .limit = 10), 1);
    assert_string_equal(xs[0].id, "cb-x");
    assert_int_equal(LISTED(.state = "open", .type = "sla_missed", .limit = 10), 0);
    assert_int_equal(LISTED(.state = "resolved", .limit = 10), 1);
    assert_string_equal(xs[0].id, "ca-x");
}

/* One operation touching more keys than the writer sums at a time (40 states, 40 types, and
 * the update of a thread and an exception written earlier): the counts still agree with the
 * rows. */
static void test_counts_of_a_large_step(void **state)
{
    (void)state;
    count_step("LA", 0, "sent", "la-x", "sla_missed", "open", XD_OK);
    enum { N = 40 };
    struct xd_store_flow_row rows[N + 1];
    struct xd_store_exception excs[N + 1];
    char names[N][3][32];
    for (int i = 0; i < N; i++) {
        snprintf(names[i][0], sizeof names[i][0], "LB%02d", i);
        snprintf(names[i][1], sizeof names[i][1], "state_%02d", i);
        snprintf(names[i][2], sizeof names[i][2], "type_%02d", i);
        rows[i] = (struct xd_store_flow_row){.correlation_id = names[i][0],
                                             .flow = "p2p",
                                             .state = names[i][1],
                                             .sla = "ok",
                                             .data = "{}"};
        excs[i] = (struct xd_store_exception){.id = names[i][0],
                                              .correlation_id = names[i][0],
                                              .type = names[i][2],
                                              .owner = "buyer",
                                              .state = "open",
                                              .body = "{}"};
    }
    rows[N] = (struct xd_store_flow_row){.correlation_id = "LA",
                                         .flow = "p2p",
                                         .state = "closed",
                                         .sla = "ok",
                                         .data = "{}",
                                         .version = 1};
    excs[N] = (struct xd_store_exception){.id = "la-x",
                                          .correlation_id = "LA",
                                          .type = "sla_missed",
                                          .owner = "supplier",
                                          .state = "resolved",
                                          .body = "{}"};
    struct xd_store_op op = {.kind = XD_STORE_OP_FLOW};
    op.u.flow = (struct xd_store_flow){
        .rows = rows, .n_rows = N + 1, .exceptions = excs, .n_exceptions = N + 1, .actor = "test"};
    assert_int_equal(xd_store_execute(s, &op), XD_OK);
    xd_store_op_cleanup(&op);
    const char *disagree =
        "SELECT count(*) FROM (SELECT 'flows' k, state a, '' b, count(*) n FROM flows GROUP BY "
        "state UNION ALL SELECT 'exceptions', state, type, count(*) FROM exceptions GROUP BY "
        "state, type) r FULL JOIN (SELECT * FROM counts WHERE n <> 0) c "
        "ON r.k = c.kind AND r.a = c.a AND r.b = c.b WHERE r.n IS NOT c.n";
    assert_int_equal(test_sql_int(dir, disagree, NULL), 0);
    assert_int_equal(
        test_sql_int(dir, "SELECT n FROM counts WHERE kind = 'flows' AND a = ?1", "closed"), 1);
    assert_int_equal(
        test_sql_int(dir, "SELECT n FROM counts WHERE kind = 'flows' AND a = ?1", "sent"), 0);
    assert_int_equal(test_sql_int(dir, "SELECT count(*) FROM counts WHERE n <> 0", NULL),
                     2 * N + 2); /* 40 states, closed; 40 types open, sla_missed resolved */
}

/* What the control tower asks at every look must be index seeks, whatever the history holds:
 * the open exceptions (with the other filters as the store writes them), those about one
 * document number, a state's threads, the counts. */
static void test_query_plans(void **state)
{
    (void)state;
    const struct {
        const char *sql;
        const char *uses;
    } plans[] = {
        {"SELECT id FROM exceptions WHERE state = 'open' AND (?1 IS NULL OR type = ?1) AND "
         "(?2 IS NULL OR owner = ?2) ORDER BY created_at DESC, id LIMIT 10",
         "exceptions_open"},
        {"SELECT id FROM exceptions WHERE subject_number = ?9 AND (?1 IS NULL OR type = ?1) "
         "ORDER BY created_at DESC, id LIMIT 10",
         "exceptions_subject"},
        {"SELECT correlation_id FROM flows WHERE state = ?1 ORDER BY updated_at DESC, "
         "correlation_id LIMIT 10",
         "flows_state"},
        {"SELECT a, n FROM counts WHERE kind = 'flows' AND n > 0 ORDER BY a", "PRIMARY KEY"},
        /* the documents' feed: a rowid range, each joined to its journal row by seq */
        {"SELECT d.id FROM documents d JOIN journal j ON j.seq = d.seq WHERE d.docno >= ?1 "
         "ORDER BY d.docno LIMIT ?2",
         "INTEGER PRIMARY KEY (rowid>?)"},
        {"SELECT seq FROM documents WHERE docno >= ?1 ORDER BY docno LIMIT 1",
         "INTEGER PRIMARY KEY (rowid>?)"},
        {"SELECT b, n FROM counts WHERE kind = 'exceptions' AND a = 'open' AND n > 0 ORDER BY b",
         "PRIMARY KEY"},
    };
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        if (!test_sql_plan_uses(dir, plans[i].sql, plans[i].uses)) {
            fail_msg("%s does not use %s", plans[i].sql, plans[i].uses);
        }
    }
}

static void test_docs_after_follows_the_journal(void **state)
{
    (void)state;
    int64_t head = 0;
    assert_int_equal(xd_store_journal_head(s, &head, NULL), XD_OK);
    struct test_ingest a, b;
    test_ingest_init(&a, "purchase_order");
    test_ingest_key(&a, "po_number", "F-1");
    assert_int_equal(xd_store_execute(s, &a.op), XD_OK);
    test_ingest_init(&b, "invoice");
    test_ingest_key(&b, "po_number", "F-1");
    assert_int_equal(xd_store_execute(s, &b.op), XD_OK);
    struct xd_store_doc *docs = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_docs_after(s, head, 10, arena, &docs, &n, NULL), XD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(docs[0].doc_type, "purchase_order");
    assert_string_equal(docs[1].doc_type, "invoice");
    assert_string_equal(docs[0].correlation_id, docs[1].correlation_id);
    assert_int_equal(xd_store_docs_after(s, docs[0].seq, 10, arena, &docs, &n, NULL), XD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(xd_store_docs_after(s, docs[0].seq, 10, arena, &docs, &n, NULL), XD_OK);
    assert_int_equal(n, 0);
    xd_store_op_cleanup(&a.op);
    xd_store_op_cleanup(&b.op);
}

/* The feed against the journal it follows: single documents and messages of three (one seq
 * for all three), then every starting point and several limits read back exactly the
 * documents journaled after it, in journal order. */
#define FEED_ROUNDS 40
static void test_docs_after_every_start(void **state)
{
    (void)state;
    static struct {
        int64_t seq;
        char id[XD_ID_LEN + 1];
    } want[FEED_ROUNDS * 3];
    size_t n_want = 0;
    int64_t first = 0;
    assert_int_equal(xd_store_journal_head(s, &first, NULL), XD_OK);
    for (int r = 0; r < FEED_ROUNDS; r++) {
        if (r % 3 == 2) {
            struct xd_store_op op = {.kind = XD_STORE_OP_MESSAGE};
            struct xd_store_message *m = &op.u.message;
            struct xd_store_ingest docs[3];
            memset(docs, 0, sizeof docs);
            assert_int_equal(xd_id_new(m->id), XD_OK);
            m->partner = "acme";
            m->channel = "http";
            m->format = "x12";
            m->content_type = "application/edi-x12";
            m->raw = "ISA*...~";
            m->raw_len = 8;
            m->status = "accepted";
            m->received_at_ms = 1;
            m->actor = "test";
            m->http_status = 201;
            for (int i = 0; i < 3; i++) {
                assert_int_equal(xd_id_new(docs[i].id), XD_OK);
                docs[i].doc_type = "ship_notice";
                docs[i].body = "{\"type\":\"ship_notice\"}";
                docs[i].body_len = strlen(docs[i].body);
            }
            m->docs = docs;
            m->n_docs = 3;
            assert_int_equal(xd_store_execute(s, &op), XD_OK);
            for (int i = 0; i < 3; i++) {
                want[n_want].seq = m->seq;
                memcpy(want[n_want++].id, docs[i].id, XD_ID_LEN + 1);
            }
            xd_store_op_cleanup(&op);
        } else {
            struct test_ingest t;
            test_ingest_init(&t, "invoice");
            assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
            want[n_want].seq = t.op.u.ingest.seq;
            memcpy(want[n_want++].id, t.op.u.ingest.id, XD_ID_LEN + 1);
            xd_store_op_cleanup(&t.op);
        }
    }
    int64_t last = want[n_want - 1].seq;
    const size_t limits[] = {1, 2, 4, 1000};
    for (int64_t after = first - 1; after <= last + 1; after++) {
        size_t from = 0;
        while (from < n_want && want[from].seq <= after) {
            from++;
        }
        for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
            struct xd_store_doc *docs = NULL;
            size_t n = 0;
            assert_int_equal(xd_store_docs_after(s, after, limits[l], arena, &docs, &n, NULL),
                             XD_OK);
            size_t expect = n_want - from < limits[l] ? n_want - from : limits[l];
            if (n != expect) {
                fail_msg("after %lld, limit %zu: %zu documents, want %zu", (long long)after,
                         limits[l], n, expect);
            }
            for (size_t i = 0; i < n; i++) {
                assert_string_equal(docs[i].id, want[from + i].id);
                assert_int_equal(docs[i].seq, want[from + i].seq);
            }
        }
    }
}

static void test_control_numbers_in_blocks(void **state)
{
    (void)state;
    struct xd_store_controls *c = NULL;
    assert_int_equal(xd_store_controls_create(s, 4, &c), XD_OK);
    int64_t a = 0, b = 0, x = 0;
    assert_int_equal(xd_store_controls_take(c, "acme", "isa", 1, "t", &a, NULL), XD_OK);
    assert_int_equal(xd_store_controls_take(c, "acme", "isa", 2, "t", &b, NULL), XD_OK);
    assert_int_equal(b, a + 1); /* from the same block: no commit */
    assert_int_equal(test_sql_int(dir, "SELECT next FROM counters WHERE kind = ?1", "isa"), 5);
    /* A run that does not fit what is left starts a new block (the rest is a gap). */
    assert_int_equal(xd_store_controls_take(c, "acme", "isa", 2, "t", &x, NULL), XD_OK);
    assert_int_equal(x, 5);
    /* Larger than a block: one block of that size. */
    assert_int_equal(xd_store_controls_take(c, "acme", "isa", 10, "t", &x, NULL), XD_OK);
    assert_int_equal(x, 9);
    xd_store_controls_destroy(c);
    /* A restart (a new cache) never hands out a number reserved before. */
    assert_int_equal(xd_store_controls_create(s, 4, &c), XD_OK);
    assert_int_equal(xd_store_controls_take(c, "acme", "isa", 1, "t", &x, NULL), XD_OK);
    assert_int_equal(x, 19);
    /* Partners and kinds count apart; bad requests are refused. */
    assert_int_equal(xd_store_controls_take(c, "acme", "gs", 1, "t", &x, NULL), XD_OK);
    assert_int_equal(x, 1);
    assert_int_equal(xd_store_controls_take(c, "acme", "gs", 0, "t", &x, NULL), XD_EINVAL);
    xd_store_controls_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_step_commits_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_version_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_cursor_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_close_and_exception_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exceptions_filtered_by_subject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_operations_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_follow_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_of_a_large_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_plans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs_after_follows_the_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs_after_every_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_numbers_in_blocks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
