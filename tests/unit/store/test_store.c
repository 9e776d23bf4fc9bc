/* The store: group commit under concurrency, idempotency, correlation, reads, tokens, control
 * numbers, closing with queued work, validation and allocation failures. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "store/store.h"
#include "store_test.h"

struct fixture {
    char dir[TEST_DIR_MAX];
    struct xd_store *s;
};

static int setup(void **state)
{
    struct fixture *f = xd_calloc(1, sizeof *f);
    test_dir_make(f->dir);
    f->s = test_open(f->dir, true);
    if (f->s == NULL) {
        test_dir_remove(f->dir);
        xd_free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    xd_store_close(f->s);
    test_dir_remove(f->dir);
    xd_free(f);
    return 0;
}

static void reopen(struct fixture *f)
{
    xd_store_close(f->s);
    f->s = test_open(f->dir, true);
    assert_non_null(f->s);
}

/* ------------------------------------------------------------------------------------------ */
/* Group commit under concurrency */

#define SYNC_THREADS 8
#define SYNC_PER     400
#define ASYNC_OPS    3000
#define ASYNC_QUEUE  256

struct sync_worker {
    struct xd_store *s;
    int64_t seqs[SYNC_PER];
    char ids[SYNC_PER][XD_ID_LEN + 1];
    int failures;
};

static void *sync_worker_main(void *arg)
{
    struct sync_worker *w = arg;
    struct test_ingest t;
    for (int i = 0; i < SYNC_PER; i++) {
        test_ingest_init(&t, "purchase_order");
        if (xd_store_execute(w->s, &t.op) != XD_OK) {
            w->failures++;
            continue;
        }
        w->seqs[i] = t.op.u.ingest.seq;
        memcpy(w->ids[i], t.op.u.ingest.id, sizeof w->ids[i]);
    }
    return NULL;
}

struct async_state {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    int failed;
};

static void async_done(struct xd_store_op *op, void *arg)
{
    struct async_state *a = arg;
    pthread_mutex_lock(&a->mu);
    if (op->status != XD_OK) {
        a->failed++;
    }
    a->done++;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_concurrent_sync_ingests(void **state)
{
    struct fixture *f = *state;
    static struct sync_worker w[SYNC_THREADS];
    pthread_t th[SYNC_THREADS];
    for (int i = 0; i < SYNC_THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].s = f->s;
        assert_int_equal(pthread_create(&th[i], NULL, sync_worker_main, &w[i]), 0);
    }
    for (int i = 0; i < SYNC_THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    static int64_t all[SYNC_THREADS * SYNC_PER];
    size_t n = 0;
    for (int i = 0; i < SYNC_THREADS; i++) {
        assert_int_equal(w[i].failures, 0);
        for (int j = 0; j < SYNC_PER; j++) {
            if (j > 0) {
                assert_true(w[i].seqs[j] > w[i].seqs[j - 1]); /* one caller's commits in order */
            }
            all[n++] = w[i].seqs[j];
        }
    }
    qsort(all, n, sizeof all[0], cmp_i64);
    for (size_t i = 1; i < n; i++) {
        assert_true(all[i] > all[i - 1]); /* no seq handed out twice */
    }
    struct xd_store_stats st;
    xd_store_stats(f->s, &st);
    assert_int_equal(st.ops_committed, n);
    assert_true(st.batches < n); /* group commit happened */
    uint64_t multi = 0;
    uint64_t hist_sum = 0;
    for (int b = 0; b < 8; b++) {
        hist_sum += st.batch_size_hist[b];
        multi += b > 0 ? st.batch_size_hist[b] : 0;
    }
    assert_int_equal(hist_sum, st.batches);
    assert_true(multi > 0);
    print_message("    %zu ingests in %llu batches\n", n, (unsigned long long)st.batches);

    /* Everything acknowledged is there exactly once, also after a restart. */
    reopen(f);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), (int64_t)n);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(DISTINCT id) FROM documents", NULL),
                     (int64_t)n);
    struct xd_arena *a = xd_arena_create(0, 0);
    for (int i = 0; i < SYNC_THREADS; i++) {
        for (int j = 0; j < SYNC_PER; j += 37) {
            struct xd_store_doc d;
            assert_int_equal(xd_store_doc_get(f->s, w[i].ids[j], a, &d, NULL), XD_OK);
            assert_int_equal(d.seq, w[i].seqs[j]);
        }
    }
    xd_arena_destroy(a);
}

static void test_async_ingests_with_backpressure(void **state)
{
    struct fixture *f = *state;
    xd_store_close(f->s);
    struct xd_store_options o;
    xd_store_options_init(&o, f->dir);
    o.queue_cap = ASYNC_QUEUE;
    assert_int_equal(xd_store_open(&o, &f->s, NULL), XD_OK);

    struct test_ingest *ops = xd_calloc(ASYNC_OPS, sizeof *ops);
    struct async_state a = {.done = 0};
    pthread_mutex_init(&a.mu, NULL);
    pthread_cond_init(&a.cv, NULL);
    int eagain = 0;
    for (int i = 0; i < ASYNC_OPS; i++) {
        test_ingest_init(&ops[i], "ship_notice");
        ops[i].op.done = async_done;
        ops[i].op.done_arg = &a;
        enum xd_status st;
        while ((st = xd_store_submit(f->s, &ops[i].op)) == XD_EAGAIN) {
            eagain++;
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        assert_int_equal(st, XD_OK);
    }
    pthread_mutex_lock(&a.mu);
    while (a.done < ASYNC_OPS) {
        pthread_cond_wait(&a.cv, &a.mu);
    }
    pthread_mutex_unlock(&a.mu);
    assert_int_equal(a.failed, 0);
    for (int i = 1; i < ASYNC_OPS; i++) {
        /* one submitter: journal order is submission order */
        assert_true(ops[i].op.u.ingest.seq > ops[i - 1].op.u.ingest.seq);
    }
    print_message("    queue full %d times\n", eagain);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), ASYNC_OPS);
    pthread_mutex_destroy(&a.mu);
    pthread_cond_destroy(&a.cv);
    xd_free(ops);
}

/* ------------------------------------------------------------------------------------------ */
/* Idempotency */

static void test_idempotency(void **state)
{
    struct fixture *f = *state;
    struct test_ingest first;
    test_ingest_init(&first, "purchase_order");
    test_ingest_idem(&first, "token-a", "key-1");
    assert_int_equal(xd_store_execute(f->s, &first.op), XD_OK);

    struct test_ingest again;
    test_ingest_init(&again, "purchase_order");
    test_ingest_idem(&again, "token-a", "key-1");
    assert_int_equal(xd_store_execute(f->s, &again.op), XD_EEXIST);
    assert_int_equal(again.op.idem_http_status, 201);
    char expect[256];
    snprintf(expect, sizeof expect, "{\"id\":\"%s\",\"correlation_id\":\"%s\"}",
             first.op.u.ingest.id, first.op.u.ingest.correlation_id);
    assert_string_equal(again.op.idem_body, expect);
    assert_int_equal(again.op.idem_body_len, strlen(expect));
    assert_memory_equal(again.op.idem_request_hash, first.op.u.ingest.request_hash, XD_SHA256_LEN);
    xd_store_op_cleanup(&again.op);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_store_doc d;
    assert_int_equal(xd_store_doc_get(f->s, again.op.u.ingest.id, a, &d, NULL), XD_ENOTFOUND);

    /* Another caller's key space is independent. */
    struct test_ingest other;
    test_ingest_init(&other, "purchase_order");
    test_ingest_idem(&other, "token-b", "key-1");
    assert_int_equal(xd_store_execute(f->s, &other.op), XD_OK);

    /* Still recognised after a restart; readable outside the writer too. */
    reopen(f);
    test_ingest_init(&again, "invoice");
    test_ingest_idem(&again, "token-a", "key-1");
    assert_int_equal(xd_store_execute(f->s, &again.op), XD_EEXIST);
    assert_string_equal(again.op.idem_body, expect);
    xd_store_op_cleanup(&again.op);
    struct xd_store_idem r;
    assert_int_equal(xd_store_idem_get(f->s, "token-a", "key-1", a, &r, NULL), XD_OK);
    assert_int_equal(r.http_status, 201);
    assert_string_equal(r.body, expect);
    assert_int_equal(xd_store_idem_get(f->s, "token-c", "key-1", a, &r, NULL), XD_ENOTFOUND);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), 2);
    xd_arena_destroy(a);
}

#define RACERS 12

struct racer {
    struct xd_store *s;
    enum xd_status st;
};

static void *racer_main(void *arg)
{
    struct racer *r = arg;
    struct test_ingest t;
    test_ingest_init(&t, "purchase_order");
    test_ingest_idem(&t, "token-a", "same-key");
    r->st = xd_store_execute(r->s, &t.op);
    xd_store_op_cleanup(&t.op);
    return NULL;
}

static void test_idempotency_race(void **state)
{
    struct fixture *f = *state;
    struct racer r[RACERS];
    pthread_t th[RACERS];
    for (int i = 0; i < RACERS; i++) {
        r[i].s = f->s;
        pthread_create(&th[i], NULL, racer_main, &r[i]);
    }
    int ok = 0;
    int exist = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(th[i], NULL);
        ok += r[i].st == XD_OK;
        exist += r[i].st == XD_EEXIST;
    }
    assert_int_equal(ok, 1);
    assert_int_equal(exist, RACERS - 1);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), 1);
}

static enum xd_status failing_respond(void *arg, const char *correlation_id, int *http_status,
                                      struct xd_buf *body)
{
    (void)arg;
    (void)correlation_id;
    (void)http_status;
    (void)body;
    return XD_ETOOBIG;
}

static void test_failed_op_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct test_ingest t;
    test_ingest_init(&t, "purchase_order");
    test_ingest_key(&t, "po_number", "PO-FAIL");
    test_ingest_idem(&t, "token-a", "key-fail");
    t.op.u.ingest.respond = failing_respond;
    assert_int_equal(xd_store_execute(f->s, &t.op), XD_ETOOBIG);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), 0);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM thread_keys", NULL), 0);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM documents", NULL), 0);
    /* The same document id again: stored once, the second time refused. */
    struct test_ingest ok;
    test_ingest_init(&ok, "purchase_order");
    assert_int_equal(xd_store_execute(f->s, &ok.op), XD_OK);
    assert_int_equal(xd_store_execute(f->s, &ok.op), XD_EINVAL);
    assert_non_null(strstr(ok.op.err.message, "already stored"));
    int64_t audits = test_sql_int(f->dir, "SELECT count(*) FROM audit", NULL);
    /* The chain skipped nothing for the failed ops: the next record links to the last. */
    struct test_ingest next;
    test_ingest_init(&next, "purchase_order");
    assert_int_equal(xd_store_execute(f->s, &next.op), XD_OK);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM audit", NULL), audits + 1);
    assert_int_equal(xd_store_audit_verify(f->dir, NULL, NULL), XD_OK);
}

/* ------------------------------------------------------------------------------------------ */
/* Correlation */

static void ingest_ok(struct xd_store *s, struct test_ingest *t)
{
    enum xd_status st = xd_store_execute(s, &t->op);
    if (st != XD_OK) {
        print_error("ingest: %s\n", t->op.err.message);
    }
    assert_int_equal(st, XD_OK);
}

static void test_correlation_by_keys_and_hints(void **state)
{
    struct fixture *f = *state;
    struct test_ingest po;
    test_ingest_init(&po, "purchase_order");
    test_ingest_key(&po, "po_number", "4500001");
    ingest_ok(f->s, &po);
    const char *thread_po = po.op.u.ingest.correlation_id;
    assert_true(po.op.u.ingest.new_thread);
    assert_true(xd_id_valid(thread_po, strlen(thread_po)));

    struct test_ingest inv;
    test_ingest_init(&inv, "invoice");
    test_ingest_key(&inv, "invoice_number", "INV-9");
    test_ingest_key(&inv, "po_number", "4500001");
    ingest_ok(f->s, &inv);
    assert_string_equal(inv.op.u.ingest.correlation_id, thread_po);
    assert_false(inv.op.u.ingest.new_thread);
    char found[XD_CORRELATION_ID_MAX + 1];
    assert_int_equal(
        xd_store_thread_by_key(f->s, "invoice_number", "INV-9", found, sizeof found, NULL), XD_OK);
    assert_string_equal(found, thread_po); /* the new key joined the PO's thread */

    struct test_ingest h1;
    test_ingest_init(&h1, "shipping_order");
    test_ingest_hint(&h1, "caller-trace:42");
    ingest_ok(f->s, &h1);
    assert_string_equal(h1.op.u.ingest.correlation_id, "caller-trace:42");
    assert_true(h1.op.u.ingest.new_thread);
    struct test_ingest h2;
    test_ingest_init(&h2, "shipment_confirmation");
    test_ingest_hint(&h2, "caller-trace:42");
    test_ingest_key(&h2, "shipment_id", "SH-1");
    ingest_ok(f->s, &h2);
    assert_string_equal(h2.op.u.ingest.correlation_id, "caller-trace:42");
    assert_false(h2.op.u.ingest.new_thread);

    /* Keys naming two threads: the first found wins, nothing is merged or moved. */
    struct test_ingest both;
    test_ingest_init(&both, "receipt");
    test_ingest_key(&both, "po_number", "4500001");
    test_ingest_key(&both, "shipment_id", "SH-1");
    test_ingest_key(&both, "receipt_number", "R-1");
    test_ingest_hint(&both, "ignored-hint");
    ingest_ok(f->s, &both);
    assert_string_equal(both.op.u.ingest.correlation_id, thread_po);
    assert_int_equal(xd_store_thread_by_key(f->s, "shipment_id", "SH-1", found, sizeof found, NULL),
                     XD_OK);
    assert_string_equal(found, "caller-trace:42");
    assert_int_equal(
        xd_store_thread_by_key(f->s, "receipt_number", "R-1", found, sizeof found, NULL), XD_OK);
    assert_string_equal(found, thread_po);
    assert_int_equal(xd_store_thread_by_key(f->s, "po_number", "nope", found, sizeof found, NULL),
                     XD_ENOTFOUND);

    /* The thread's documents in journal order, with a limit, and unknown threads. */
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_store_doc *docs = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_thread_docs(f->s, thread_po, 0, a, &docs, &n, NULL), XD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(docs[0].id, po.op.u.ingest.id);
    assert_string_equal(docs[1].id, inv.op.u.ingest.id);
    assert_string_equal(docs[2].id, both.op.u.ingest.id);
    assert_string_equal(docs[1].doc_type, "invoice");
    assert_true(docs[0].seq < docs[1].seq && docs[1].seq < docs[2].seq);
    assert_int_equal(xd_store_thread_docs(f->s, thread_po, 2, a, &docs, &n, NULL), XD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(xd_store_thread_docs(f->s, "no-such-thread", 0, a, &docs, &n, NULL),
                     XD_ENOTFOUND);
    xd_arena_destroy(a);
    /* Whether a hinted thread exists is a look-up in the documents' thread index. */
    assert_true(test_sql_plan_uses(
        f->dir, "SELECT 1 FROM documents WHERE correlation_id = 'x' LIMIT 1", "documents_thread"));
}

/* A respond callback that holds the writer until the test queued more work, so that what
 * follows lands in one batch. Tests only: production callbacks must not block. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool entered;
    bool open;
};

static enum xd_status gated_respond(void *arg, const char *correlation_id, int *http_status,
                                    struct xd_buf *body)
{
    struct gate *g = arg;
    pthread_mutex_lock(&g->mu);
    g->entered = true;
    pthread_cond_broadcast(&g->cv);
    while (!g->open) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    *http_status = 201;
    return xd_buf_printf(body, "{\"correlation_id\":\"%s\"}", correlation_id);
}

#define SAME_BATCH   6
#define GATE_HOLD_MS 60

static void test_correlation_within_one_batch(void **state)
{
    struct fixture *f = *state;
    struct gate g = {.entered = false, .open = false};
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    struct test_ingest blocker;
    test_ingest_init(&blocker, "item");
    test_ingest_idem(&blocker, "t", "blocker");
    blocker.op.u.ingest.respond = gated_respond;
    blocker.op.u.ingest.respond_arg = &g;
    assert_int_equal(xd_store_submit(f->s, &blocker.op), XD_OK);
    pthread_mutex_lock(&g.mu);
    while (!g.entered) {
        pthread_cond_wait(&g.cv, &g.mu);
    }
    pthread_mutex_unlock(&g.mu);

    /* The writer is inside the blocker's batch: these queue up behind it. */
    static struct test_ingest docs[SAME_BATCH];
    for (int i = 0; i < SAME_BATCH; i++) {
        test_ingest_init(&docs[i], i == 0 ? "purchase_order" : "po_acknowledgement");
        test_ingest_key(&docs[i], "po_number", "PO-BATCH");
        if (i == 3) {
            test_ingest_key(&docs[i], "order_number", "SO-77");
        }
        assert_int_equal(xd_store_submit(f->s, &docs[i].op), XD_OK);
    }
    /* Two that name the same new thread by a hint: the second finds the first's document. */
    static struct test_ingest hinted[2];
    for (int i = 0; i < 2; i++) {
        test_ingest_init(&hinted[i], "shipping_order");
        test_ingest_hint(&hinted[i], "batch-hint:7");
        assert_int_equal(xd_store_submit(f->s, &hinted[i].op), XD_OK);
    }
    struct xd_store_stats before;
    xd_store_stats(f->s, &before);
    /* Held 60 ms longer: the queued ops wait at least that long, the blocker's batch applies at
     * least that long, and the store's time histograms say so. */
    nanosleep(&(struct timespec){.tv_nsec = GATE_HOLD_MS * 1000000L}, NULL);
    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    assert_int_equal(xd_store_wait(f->s, &blocker.op), XD_OK);
    for (int i = 0; i < SAME_BATCH; i++) {
        assert_int_equal(xd_store_wait(f->s, &docs[i].op), XD_OK);
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(xd_store_wait(f->s, &hinted[i].op), XD_OK);
        assert_string_equal(hinted[i].op.u.ingest.correlation_id, "batch-hint:7");
    }
    assert_true(hinted[0].op.u.ingest.new_thread);
    assert_false(hinted[1].op.u.ingest.new_thread);
    struct xd_store_stats after;
    xd_store_stats(f->s, &after);
    assert_int_equal(after.batches - before.batches, 2); /* the blocker's, then all eight */
    assert_int_equal(after.batch_size_hist[3] - before.batch_size_hist[3], 1); /* 8-15 */
    uint64_t waits = 0, long_waits = 0, long_applies = 0;
    for (size_t k = 0; k < XD_STORE_TIME_BUCKETS; k++) {
        waits += after.queue_wait_hist[k] - before.queue_wait_hist[k];
        if (xd_store_commit_buckets_us[k] > GATE_HOLD_MS * 1000) { /* buckets above the hold */
            long_waits += after.queue_wait_hist[k] - before.queue_wait_hist[k];
            long_applies += after.apply_hist[k] - before.apply_hist[k];
        }
    }
    assert_int_equal(waits, 1 + SAME_BATCH + 2);
    assert_int_equal(long_waits, SAME_BATCH + 2); /* the blocker was taken at once */
    assert_true(long_applies >= 1);
    assert_true(after.queue_wait_ns_sum - before.queue_wait_ns_sum >=
                (uint64_t)(SAME_BATCH + 2) * GATE_HOLD_MS * 1000000);
    assert_true(after.apply_ns_sum - before.apply_ns_sum >= (uint64_t)GATE_HOLD_MS * 1000000);

    int started = 0;
    for (int i = 0; i < SAME_BATCH; i++) {
        assert_string_equal(docs[i].op.u.ingest.correlation_id, docs[0].op.u.ingest.correlation_id);
        started += docs[i].op.u.ingest.new_thread;
    }
    assert_int_equal(started, 1);
    assert_true(docs[0].op.u.ingest.new_thread);
    char found[XD_CORRELATION_ID_MAX + 1];
    assert_int_equal(
        xd_store_thread_by_key(f->s, "order_number", "SO-77", found, sizeof found, NULL), XD_OK);
    assert_string_equal(found, docs[0].op.u.ingest.correlation_id);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_store_doc *got = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_thread_docs(f->s, found, 0, a, &got, &n, NULL), XD_OK);
    assert_int_equal(n, SAME_BATCH);
    for (int i = 0; i < SAME_BATCH; i++) {
        assert_string_equal(got[i].id, docs[i].op.u.ingest.id);
    }
    xd_arena_destroy(a);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cv);
}

/* ------------------------------------------------------------------------------------------ */
/* Reads */

static void test_reads_see_commits(void **state)
{
    struct fixture *f = *state;
    struct xd_arena *a = xd_arena_create(0, 0);
    for (int i = 0; i < 50; i++) {
        struct test_ingest t;
        test_ingest_init(&t, "inventory_movement");
        t.op.u.ingest.trace_id = i % 2 ? "4bf92f3577b34da6a3ce929d0e0e4736" : NULL;
        t.op.u.ingest.channel = "inbox";
        ingest_ok(f->s, &t);
        struct xd_store_doc d;
        assert_int_equal(xd_store_doc_get(f->s, t.op.u.ingest.id, a, &d, NULL), XD_OK);
        assert_string_equal(d.id, t.op.u.ingest.id);
        assert_string_equal(d.doc_type, "inventory_movement");
        assert_string_equal(d.correlation_id, t.op.u.ingest.correlation_id);
        assert_string_equal(d.partner, "acme");
        assert_string_equal(d.channel, "inbox");
        assert_string_equal(d.format, "json");
        assert_int_equal(d.seq, t.op.u.ingest.seq);
        assert_int_equal(d.received_at_ms, t.op.u.ingest.received_at_ms);
        assert_int_equal(d.body_len, strlen(t.body));
        assert_memory_equal(d.body, t.body, d.body_len);
        if (i % 2) {
            assert_string_equal(d.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        } else {
            assert_null(d.trace_id);
        }
    }
    struct xd_store_doc d;
    assert_int_equal(xd_store_doc_get(f->s, "00000000-0000-7000-8000-000000000000", a, &d, NULL),
                     XD_ENOTFOUND);
    xd_arena_destroy(a);
}

struct reader_arg {
    struct xd_store *s;
    const char *id;
    enum xd_status st;
};

static void *reader_main(void *arg)
{
    struct reader_arg *r = arg;
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_store_doc d;
    r->st = a != NULL ? xd_store_doc_get(r->s, r->id, a, &d, NULL) : XD_ENOMEM;
    xd_arena_destroy(a);
    return NULL;
}

/* A thread's read snapshot: its reads between xd_store_read_begin and the outermost
 * xd_store_read_end see the store as at the first of them, on one connection that goes back to
 * the pool at the end (closing the store asserts every connection came back). */
static void test_read_snapshot(void **state)
{
    struct fixture *f = *state;
    struct xd_arena *a = xd_arena_create(0, 0);
    struct test_ingest before, during;
    test_ingest_init(&before, "inventory_movement");
    ingest_ok(f->s, &before);
    struct xd_store_doc d;
    assert_int_equal(xd_store_read_begin(f->s, NULL), XD_OK);
    assert_int_equal(xd_store_doc_get(f->s, before.op.u.ingest.id, a, &d, NULL), XD_OK);
    assert_int_equal(xd_store_read_begin(f->s, NULL), XD_OK); /* nested */
    test_ingest_init(&during, "inventory_movement");
    ingest_ok(f->s, &during);
    assert_int_equal(xd_store_doc_get(f->s, during.op.u.ingest.id, a, &d, NULL), XD_ENOTFOUND);
    xd_store_read_end(f->s); /* the inner end: still the snapshot */
    assert_int_equal(xd_store_doc_get(f->s, during.op.u.ingest.id, a, &d, NULL), XD_ENOTFOUND);
    /* Another thread's reads are not in it. */
    struct reader_arg r = {f->s, during.op.u.ingest.id, XD_EIO};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(r.st, XD_OK);
    /* One store's snapshot per thread. */
    char other_dir[TEST_DIR_MAX];
    test_dir_make(other_dir);
    struct xd_store *other = test_open(other_dir, true);
    assert_non_null(other);
    struct xd_error err = {0};
    assert_int_equal(xd_store_read_begin(other, &err), XD_EINVAL);
    assert_non_null(strstr(err.message, "another store"));
    xd_store_close(other);
    test_dir_remove(other_dir);
    xd_store_read_end(f->s);
    assert_int_equal(xd_store_doc_get(f->s, during.op.u.ingest.id, a, &d, NULL), XD_OK);
    assert_string_equal(d.id, during.op.u.ingest.id);
    xd_arena_destroy(a);
}

/* The bytes the document arrived in, as read back, must be <raw> exactly. */
static void assert_raw_back(struct xd_store *s, const char *id, const char *raw, size_t len)
{
    struct xd_arena *a = xd_arena_create(4096, 1 << 20);
    struct xd_store_raw r;
    struct xd_error err;
    assert_int_equal(xd_store_doc_raw(s, id, a, &r, &err), XD_OK);
    assert_int_equal(r.len, len);
    assert_memory_equal(r.bytes, raw, len);
    assert_int_equal(r.bytes[len], '\0');
    assert_string_equal(r.message_id, id);
    assert_string_equal(r.partner, "acme");
    assert_string_equal(r.content_type, "application/json");
    xd_arena_destroy(a);
}

/* The raw bytes are journaled once: NULL when they are the canonical body, as the bytes
 * between what they share with it at both ends when that is at most half of them, else whole;
 * and every form reads back as the bytes received. */
static void test_raw_journaled_once(void **state)
{
    struct fixture *f = *state;
    const char *whole = "SELECT raw_prefix IS NULL AND raw IS NOT NULL FROM journal WHERE id = ?";
    const char *kept = "SELECT length(raw) FROM journal WHERE id = ?";

    struct test_ingest same;
    test_ingest_init(&same, "invoice");
    char copy[sizeof same.body];
    memcpy(copy, same.body, sizeof copy);
    same.op.u.ingest.raw = copy; /* equal bytes, another buffer */
    ingest_ok(f->s, &same);
    struct test_ingest none;
    test_ingest_init(&none, "invoice");
    none.op.u.ingest.raw = NULL;
    none.op.u.ingest.raw_len = 0;
    ingest_ok(f->s, &none);
    const char *q = "SELECT raw IS NULL AND raw_prefix IS NULL FROM journal WHERE id = ?";
    assert_int_equal(test_sql_int(f->dir, q, same.op.u.ingest.id), 1);
    assert_int_equal(test_sql_int(f->dir, q, none.op.u.ingest.id), 1);
    assert_raw_back(f->s, same.op.u.ingest.id, same.body, strlen(same.body));
    assert_raw_back(f->s, none.op.u.ingest.id, none.body, strlen(none.body));

    struct test_ingest x12;
    test_ingest_init(&x12, "invoice");
    static const char isa[] = "ISA*00*          *00*          *ZZ*ACME~IEA*1*000000001~";
    x12.op.u.ingest.raw = isa;
    x12.op.u.ingest.raw_len = sizeof isa - 1;
    x12.op.u.ingest.format = "x12";
    ingest_ok(f->s, &x12);
    assert_int_equal(test_sql_int(f->dir, whole, x12.op.u.ingest.id), 1);
    assert_int_equal(test_sql_int(f->dir,
                                  "SELECT CAST(raw AS TEXT) = 'ISA*00*          *00*          "
                                  "*ZZ*ACME~IEA*1*000000001~' FROM journal WHERE id = ?",
                                  x12.op.u.ingest.id),
                     1);
    assert_raw_back(f->s, x12.op.u.ingest.id, isa, sizeof isa - 1);

    /* The HTTP API's case: the body is the sender's JSON with the members the hub filled in. */
    struct test_ingest near;
    test_ingest_init(&near, "invoice");
    char sent[sizeof near.body];
    const char *lines = strstr(near.body, "\"lines\"");
    int n = snprintf(sent, sizeof sent, "{\"type\":\"invoice\",%s", lines);
    assert_true(n > 0 && (size_t)n < sizeof sent);
    sent[n / 4] = 'X'; /* and one byte changed further on (as source.received_at is) */
    near.op.u.ingest.raw = sent;
    near.op.u.ingest.raw_len = (size_t)n;
    ingest_ok(f->s, &near);
    /* Shared: up to the first member's opening quote, and everything after the changed byte. */
    int64_t shared = (int64_t)strlen("{\"type\":\"invoice\",\"");
    assert_int_equal(
        test_sql_int(f->dir, "SELECT raw_prefix FROM journal WHERE id = ?", near.op.u.ingest.id),
        shared);
    assert_int_equal(test_sql_int(f->dir, kept, near.op.u.ingest.id), n / 4 + 1 - shared);
    assert_raw_back(f->s, near.op.u.ingest.id, sent, (size_t)n);

    /* Laid out otherwise (a byte differs at each end): kept whole. */
    struct test_ingest other;
    test_ingest_init(&other, "invoice");
    char spaced[sizeof other.body + 2];
    n = snprintf(spaced, sizeof spaced, " %s\n", other.body);
    other.op.u.ingest.raw = spaced;
    other.op.u.ingest.raw_len = (size_t)n;
    ingest_ok(f->s, &other);
    assert_int_equal(test_sql_int(f->dir, whole, other.op.u.ingest.id), 1);
    assert_raw_back(f->s, other.op.u.ingest.id, spaced, (size_t)n);

    /* What the two share at both ends may overlap: the body's last bytes sent twice. */
    struct test_ingest twice;
    test_ingest_init(&twice, "invoice");
    char doubled[sizeof twice.body + 8];
    size_t blen = strlen(twice.body);
    memcpy(doubled, twice.body, blen);
    memcpy(doubled + blen, twice.body + blen - 8, 8);
    twice.op.u.ingest.raw = doubled;
    twice.op.u.ingest.raw_len = blen + 8;
    ingest_ok(f->s, &twice);
    assert_int_equal(test_sql_int(f->dir, kept, twice.op.u.ingest.id), 8);
    assert_raw_back(f->s, twice.op.u.ingest.id, doubled, blen + 8);

    /* Edits anywhere, of any size, NULs included: every one reads back byte for byte. */
    unsigned seed = 7;
    for (int i = 0; i < 60; i++) {
        struct test_ingest e;
        test_ingest_init(&e, "invoice");
        blen = strlen(e.body);
        static char buf[4 * sizeof e.body];
        size_t at = (size_t)rand_r(&seed) % (blen + 1);
        size_t cut = (size_t)rand_r(&seed) % (blen - at + 1) / (i % 3 == 0 ? 1 : 16);
        size_t add = (size_t)rand_r(&seed) % (i % 2 == 0 ? 8 : blen);
        memcpy(buf, e.body, at);
        for (size_t k = 0; k < add; k++) {
            buf[at + k] = (char)(rand_r(&seed) % 4 == 0 ? 0 : 'a' + rand_r(&seed) % 26);
        }
        memcpy(buf + at + add, e.body + at + cut, blen - at - cut);
        size_t len = at + add + blen - at - cut;
        e.op.u.ingest.raw = buf;
        e.op.u.ingest.raw_len = len;
        ingest_ok(f->s, &e);
        assert_raw_back(f->s, e.op.u.ingest.id, buf, len);
    }

    /* A damaged row is told, not read wrong. */
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE journal SET raw_prefix = 100000 WHERE id = '%s'",
             near.op.u.ingest.id);
    test_sql(f->dir, sql);
    struct xd_arena *a = xd_arena_create(4096, 1 << 20);
    struct xd_store_raw r;
    struct xd_error err;
    assert_int_equal(xd_store_doc_raw(f->s, near.op.u.ingest.id, a, &r, &err), XD_ECORRUPT);
    assert_non_null(strstr(err.message, "journal entry keeps 100000"));
    assert_int_equal(xd_store_doc_raw(f->s, "no-such-document", a, &r, &err), XD_ENOTFOUND);
    xd_arena_destroy(a);
}

/* ------------------------------------------------------------------------------------------ */
/* Tokens */

static enum xd_status token_create(struct xd_store *s, const char *name, const char *role,
                                   const char *secret, char id_out[XD_ID_LEN + 1])
{
    struct xd_store_op op = {.kind = XD_STORE_OP_TOKEN_CREATE};
    struct xd_store_token_create *t = &op.u.token;
    assert_int_equal(xd_id_new(t->id), XD_OK);
    t->name = name;
    t->role = role;
    t->partner = strcmp(role, "partner") == 0 ? "acme" : NULL;
    t->actor = "cli";
    xd_sha256(secret, strlen(secret), t->token_hash);
    memcpy(id_out, t->id, XD_ID_LEN + 1);
    return xd_store_execute(s, &op);
}

static enum xd_status token_revoke(struct xd_store *s, const char *id, bool *was_active)
{
    struct xd_store_op op = {.kind = XD_STORE_OP_TOKEN_REVOKE};
    snprintf(op.u.revoke.id, sizeof op.u.revoke.id, "%s", id);
    op.u.revoke.actor = "cli";
    enum xd_status st = xd_store_execute(s, &op);
    *was_active = op.u.revoke.was_active;
    return st;
}

static void test_tokens(void **state)
{
    struct fixture *f = *state;
    char admin[XD_ID_LEN + 1];
    char partner[XD_ID_LEN + 1];
    char dup[XD_ID_LEN + 1];
    assert_int_equal(token_create(f->s, "ops", "admin", "secret-1", admin), XD_OK);
    assert_int_equal(token_create(f->s, "acme-api", "partner", "secret-2", partner), XD_OK);
    assert_int_equal(token_create(f->s, "again", "admin", "secret-1", dup), XD_EEXIST);

    struct xd_arena *a = xd_arena_create(0, 0);
    uint8_t h[XD_SHA256_LEN];
    struct xd_store_token t;
    xd_sha256("secret-2", 8, h);
    assert_int_equal(xd_store_token_find(f->s, h, a, &t, NULL), XD_OK);
    assert_string_equal(t.id, partner);
    assert_string_equal(t.name, "acme-api");
    assert_string_equal(t.role, "partner");
    assert_string_equal(t.partner, "acme");
    assert_int_equal(t.revoked_at_ms, 0);
    xd_sha256("secret-1", 8, h);
    assert_int_equal(xd_store_token_find(f->s, h, a, &t, NULL), XD_OK);
    assert_null(t.partner);
    xd_sha256("wrong", 5, h);
    assert_int_equal(xd_store_token_find(f->s, h, a, &t, NULL), XD_ENOTFOUND);

    bool was_active = false;
    assert_int_equal(token_revoke(f->s, admin, &was_active), XD_OK);
    assert_true(was_active);
    assert_int_equal(token_revoke(f->s, admin, &was_active), XD_OK);
    assert_false(was_active);
    assert_int_equal(token_revoke(f->s, "00000000-0000-7000-8000-000000000001", &was_active),
                     XD_ENOTFOUND);
    xd_sha256("secret-1", 8, h);
    assert_int_equal(xd_store_token_find(f->s, h, a, &t, NULL), XD_ENOTFOUND);

    struct xd_store_token *list = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_token_list(f->s, a, &list, &n, NULL), XD_OK);
    assert_int_equal(n, 2);
    int revoked = (list[0].revoked_at_ms != 0) + (list[1].revoked_at_ms != 0);
    assert_int_equal(revoked, 1);
    /* token.create twice and token.revoke once were audited; the no-op revoke was not. */
    assert_int_equal(
        test_sql_int(f->dir, "SELECT count(*) FROM audit WHERE action LIKE 'token.%'", NULL), 3);
    xd_arena_destroy(a);
}

/* ------------------------------------------------------------------------------------------ */
/* Control numbers */

#define CONTROL_THREADS 4
#define CONTROL_PER     100

struct control_worker {
    struct xd_store *s;
    int64_t got[CONTROL_PER];
};

static void *control_main(void *arg)
{
    struct control_worker *w = arg;
    for (int i = 0; i < CONTROL_PER; i++) {
        if (xd_store_control_next(w->s, "globex", "st", 1, "x12", &w->got[i], NULL) != XD_OK) {
            w->got[i] = -1;
        }
    }
    return NULL;
}

static void test_control_numbers(void **state)
{
    struct fixture *f = *state;
    int64_t first = 0;
    struct xd_error err = {0};
    assert_int_equal(xd_store_control_next(f->s, "acme", "isa", 1, "x12", &first, &err), XD_OK);
    assert_int_equal(first, 1);
    assert_int_equal(xd_store_control_next(f->s, "acme", "isa", 3, "x12", &first, &err), XD_OK);
    assert_int_equal(first, 2);
    assert_int_equal(xd_store_control_next(f->s, "acme", "gs", 1, "x12", &first, &err), XD_OK);
    assert_int_equal(first, 1);
    assert_int_equal(xd_store_control_next(f->s, "initech", "isa", 1, "x12", &first, &err), XD_OK);
    assert_int_equal(first, 1);
    assert_int_equal(xd_store_control_next(f->s, "acme", "ISA", 1, "x12", &first, &err), XD_EINVAL);
    assert_int_equal(xd_store_control_next(f->s, "acme", "isa", 0, "x12", &first, &err), XD_EINVAL);
    reopen(f);
    assert_int_equal(xd_store_control_next(f->s, "acme", "isa", 1, "x12", &first, &err), XD_OK);
    assert_int_equal(first, 5); /* never reused across a restart */

    struct control_worker w[CONTROL_THREADS];
    pthread_t th[CONTROL_THREADS];
    for (int i = 0; i < CONTROL_THREADS; i++) {
        w[i].s = f->s;
        pthread_create(&th[i], NULL, control_main, &w[i]);
    }
    static int64_t all[CONTROL_THREADS * CONTROL_PER];
    size_t n = 0;
    for (int i = 0; i < CONTROL_THREADS; i++) {
        pthread_join(th[i], NULL);
        for (int j = 0; j < CONTROL_PER; j++) {
            all[n++] = w[i].got[j];
        }
    }
    qsort(all, n, sizeof all[0], cmp_i64);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(all[i], (int64_t)i + 1); /* 1..400, each exactly once */
    }
    /* Counters past INT64_MAX would silently become floating point: refused instead. */
    test_sql(f->dir, "UPDATE counters SET next = 9223372036854775000 WHERE kind = 'gs'");
    reopen(f);
    assert_int_equal(xd_store_control_next(f->s, "acme", "gs", 1000, "x12", &first, &err),
                     XD_ETOOBIG);
    assert_int_equal(xd_store_control_next(f->s, "acme", "gs", 10, "x12", &first, &err), XD_OK);
    assert_int_equal(first, 9223372036854775000LL);
}

/* ------------------------------------------------------------------------------------------ */
/* Closing, validation, audit records from outside */

#define CLOSE_OPS 500

static void test_close_completes_queued(void **state)
{
    struct fixture *f = *state;
    struct test_ingest *ops = xd_calloc(CLOSE_OPS, sizeof *ops);
    struct async_state a = {.done = 0};
    pthread_mutex_init(&a.mu, NULL);
    pthread_cond_init(&a.cv, NULL);
    for (int i = 0; i < CLOSE_OPS; i++) {
        test_ingest_init(&ops[i], "receipt");
        ops[i].op.done = async_done;
        ops[i].op.done_arg = &a;
        assert_int_equal(xd_store_submit(f->s, &ops[i].op), XD_OK);
    }
    xd_store_close(f->s);
    assert_int_equal(a.done, CLOSE_OPS);
    assert_int_equal(a.failed, 0);
    f->s = test_open(f->dir, true);
    assert_non_null(f->s);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), CLOSE_OPS);
    assert_int_equal(xd_store_audit_verify(f->dir, NULL, NULL), XD_OK);
    pthread_mutex_destroy(&a.mu);
    pthread_cond_destroy(&a.cv);
    xd_free(ops);
}

static void test_validation(void **state)
{
    struct fixture *f = *state;
    struct test_ingest t;
    test_ingest_init(&t, "purchase_order");
    memcpy(t.op.u.ingest.id, "not-a-uuid", 11);
    assert_int_equal(xd_store_submit(f->s, &t.op), XD_EINVAL);
    assert_string_equal(t.op.err.where, "ingest.id");
    assert_int_equal(t.op.status, XD_EINVAL);

    test_ingest_init(&t, "purchase_order");
    test_ingest_hint(&t, "has space");
    assert_int_equal(xd_store_execute(f->s, &t.op), XD_EINVAL);
    assert_string_equal(t.op.err.where, "ingest.correlation_hint");

    test_ingest_init(&t, "purchase_order");
    test_ingest_idem(&t, "scope", "key");
    t.op.u.ingest.respond = NULL;
    assert_int_equal(xd_store_execute(f->s, &t.op), XD_EINVAL);

    test_ingest_init(&t, "purchase_order");
    t.op.u.ingest.n_keys = XD_STORE_KEY_MAX + 1;
    assert_int_equal(xd_store_execute(f->s, &t.op), XD_EINVAL);

    test_ingest_init(&t, "purchase_order");
    t.op.u.ingest.trace_id = "XYZ";
    assert_int_equal(xd_store_execute(f->s, &t.op), XD_EINVAL);

    struct xd_store_op op = {.kind = (enum xd_store_op_kind)99};
    assert_int_equal(xd_store_submit(f->s, &op), XD_EINVAL);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), 0);

    struct xd_store_options o;
    xd_store_options_init(&o, NULL);
    struct xd_store *s = NULL;
    assert_int_equal(xd_store_open(&o, &s, NULL), XD_EINVAL);
    assert_null(s);
}

static enum xd_status count_records(void *arg, const struct xd_audit_record *r)
{
    int64_t *n = arg;
    (*n)++;
    return strcmp(r->action, "stop.here") == 0 ? XD_EDECLINED : XD_OK;
}

static void test_audit_append_and_scan(void **state)
{
    struct fixture *f = *state;
    struct xd_store_op op = {.kind = XD_STORE_OP_AUDIT_APPEND};
    op.u.audit = (struct xd_store_audit_append){.actor = "admin",
                                                .action = "config.change",
                                                .object = "config:listen",
                                                .before = "{\"listen\":\"127.0.0.1:8080\"}",
                                                .after = "{\"listen\":\"0.0.0.0:8080\"}"};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    int64_t seq = op.u.audit.seq;
    assert_true(seq >= 2); /* after store.migrate */
    op.u.audit = (struct xd_store_audit_append){
        .actor = "admin", .action = "stop.here", .object = "x", .before = NULL, .after = NULL};
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    assert_int_equal(xd_store_execute(f->s, &op), XD_OK);
    int64_t n = 0;
    assert_int_equal(xd_store_audit_scan(f->s, seq, count_records, &n, NULL), XD_EDECLINED);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(xd_store_audit_scan(f->s, 1, count_records, &n, NULL), XD_EDECLINED);
    assert_int_equal(n, seq + 1);
}

/* ------------------------------------------------------------------------------------------ */
/* Allocation failures: every path answers XD_ENOMEM or succeeds, leaks nothing (ASan), and
 * leaves the store consistent. */

static void test_oom_reads(void **state)
{
    struct fixture *f = *state;
    struct test_ingest t;
    test_ingest_init(&t, "purchase_order");
    test_ingest_key(&t, "po_number", "OOM-1");
    ingest_ok(f->s, &t);
    char thread[XD_CORRELATION_ID_MAX + 1];
    memcpy(thread, t.op.u.ingest.correlation_id, sizeof thread);
    char tok[XD_ID_LEN + 1];
    assert_int_equal(token_create(f->s, "n", "admin", "s", tok), XD_OK);
    int failures = 0;
    for (long n = 0;; n++) {
        xd_alloc_fail_after(n);
        struct xd_arena *a = xd_arena_create(64, 0);
        enum xd_status st = XD_ENOMEM;
        if (a != NULL) {
            struct xd_store_doc d;
            struct xd_store_doc *docs;
            size_t nd;
            struct xd_store_token *toks;
            st = xd_store_doc_get(f->s, t.op.u.ingest.id, a, &d, NULL);
            if (st == XD_OK) {
                st = xd_store_thread_docs(f->s, thread, 0, a, &docs, &nd, NULL);
            }
            if (st == XD_OK) {
                st = xd_store_token_list(f->s, a, &toks, &nd, NULL);
            }
            struct xd_store_raw raw;
            if (st == XD_OK) {
                st = xd_store_doc_raw(f->s, t.op.u.ingest.id, a, &raw, NULL);
            }
        }
        xd_arena_destroy(a);
        xd_alloc_fail_after(-1);
        if (st == XD_OK) {
            break;
        }
        assert_int_equal(st, XD_ENOMEM);
        failures++;
    }
    assert_true(failures > 3);
}

static void test_oom_writes(void **state)
{
    struct fixture *f = *state;
    int ok = 0;
    int nomem = 0;
    for (long n = 0; ok < 3; n++) {
        struct test_ingest t;
        test_ingest_init(&t, "purchase_order");
        char key[32];
        snprintf(key, sizeof key, "K-%ld", n);
        test_ingest_key(&t, "po_number", key);
        test_ingest_idem(&t, "scope", key);
        xd_alloc_fail_after(n);
        enum xd_status st = xd_store_execute(f->s, &t.op);
        xd_alloc_fail_after(-1);
        if (st == XD_OK) {
            ok++;
            continue;
        }
        assert_int_equal(st, XD_ENOMEM);
        nomem++;
        /* Nothing of a failed op may stay behind. */
        assert_int_equal(
            test_sql_int(f->dir, "SELECT count(*) FROM journal WHERE id = ?", t.op.u.ingest.id), 0);
        assert_int_equal(
            test_sql_int(f->dir, "SELECT count(*) FROM idempotency WHERE key = ?", key), 0);
    }
    assert_true(nomem > 0);
    assert_int_equal(xd_store_audit_verify(f->dir, NULL, NULL), XD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_concurrent_sync_ingests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_ingests_with_backpressure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotency_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_op_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_correlation_by_keys_and_hints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_correlation_within_one_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads_see_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_journaled_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_completes_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_append_and_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom_writes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
