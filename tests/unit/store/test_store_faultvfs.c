/* Storage failures through the fault-injection VFS: a failed fsync or write fails the whole
 * batch with XD_EUNAVAIL and keeps nothing of it; the store refuses writes while it recovers,
 * then serves again, and the audit chain stays intact. The WAL writer (store_vfs.c) sits on
 * the fault VFS here, as on SQLite's own in the hub. */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void ingest_expect(struct xd_store *s, struct test_ingest *t, enum xd_status want)
{
    test_ingest_init(t, "purchase_order");
    test_ingest_key(t, "po_number", "PO-FAULT");
    test_ingest_idem(t, "token", t->op.u.ingest.id);
    enum xd_status st = xd_store_execute(s, &t->op);
    if (st != want) {
        print_error("got %s (%s), want %s\n", xd_status_name(st), t->op.err.message,
                    xd_status_name(want));
    }
    assert_int_equal(st, want);
    xd_store_op_cleanup(&t->op);
}

static bool doc_exists(struct xd_store *s, const char *id)
{
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_store_doc d;
    enum xd_status st = xd_store_doc_get(s, id, a, &d, NULL);
    xd_arena_destroy(a);
    assert_true(st == XD_OK || st == XD_ENOTFOUND);
    return st == XD_OK;
}

static void fail_and_recover(struct fixture *f, const char *fault)
{
    struct test_ingest before[3];
    for (int i = 0; i < 3; i++) {
        ingest_expect(f->s, &before[i], XD_OK);
    }
    test_flag(f->dir, fault, true);
    struct test_ingest lost;
    ingest_expect(f->s, &lost, XD_EUNAVAIL);
    assert_non_null(strstr(lost.op.err.message, "storage failure"));
    struct xd_store_stats st;
    xd_store_stats(f->s, &st);
    assert_false(st.healthy);
    assert_int_equal(st.storage_failures, 1);
    /* While unhealthy, writes are refused at once, never queued. */
    struct test_ingest refused;
    test_ingest_init(&refused, "invoice");
    assert_int_equal(xd_store_submit(f->s, &refused.op), XD_EUNAVAIL);
    /* It stays down while the fault lasts (recovery probes keep failing). */
    assert_false(test_wait_healthy(f->s, 400));
    assert_false(doc_exists(f->s, lost.op.u.ingest.id));
    assert_true(doc_exists(f->s, before[2].op.u.ingest.id));

    test_flag(f->dir, fault, false);
    assert_true(test_wait_healthy(f->s, 15000));
    xd_store_stats(f->s, &st);
    assert_int_equal(st.recoveries, 1);
    struct test_ingest after;
    ingest_expect(f->s, &after, XD_OK);
    assert_true(doc_exists(f->s, after.op.u.ingest.id));
    assert_false(doc_exists(f->s, lost.op.u.ingest.id));
    /* The failed op's idempotency key was never recorded: a retry is a first attempt. */
    struct test_ingest retry;
    test_ingest_init(&retry, "purchase_order");
    test_ingest_idem(&retry, "token", lost.op.u.ingest.id);
    assert_int_equal(xd_store_execute(f->s, &retry.op), XD_OK);

    /* Nothing of the lost batch comes back when the files are reopened, and the chain holds
     * (with a store.recover record saying why). */
    xd_store_close(f->s);
    f->s = test_open(f->dir, true);
    assert_non_null(f->s);
    assert_false(doc_exists(f->s, lost.op.u.ingest.id));
    assert_true(doc_exists(f->s, after.op.u.ingest.id));
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), 5);
    assert_int_equal(
        test_sql_int(f->dir, "SELECT count(*) FROM audit WHERE action = ?", "store.recover"), 1);
    assert_int_equal(xd_store_audit_verify(f->dir, NULL, NULL), XD_OK);
}

static void test_fsync_failure(void **state)
{
    fail_and_recover(*state, ".fault-fsync");
}

/* A checkpoint that cannot write or sync the database file is a storage failure like any other,
 * also when the checkpointer thread meets it: the writer reports it between batches and
 * reconnects, every document acknowledged before stays (it is in the WAL), and checkpoints
 * succeed again once the disk does. <why>: what the store.recover record says. */
static void checkpoint_fails(struct fixture *f, const char *fault, const char *why)
{
    test_flag(f->dir, fault, true);
    enum { MAX = 20000 };
    static char ids[MAX + 1][sizeof(struct test_ingest){0}.op.u.ingest.id];
    int ok = 0;
    enum xd_status st = XD_OK;
    /* Each document adds a few WAL frames: a checkpoint is due after some hundreds. */
    while (ok < MAX) {
        struct test_ingest t;
        test_ingest_init(&t, "purchase_order");
        memcpy(ids[ok], t.op.u.ingest.id, sizeof ids[ok]);
        st = xd_store_execute(f->s, &t.op);
        xd_store_op_cleanup(&t.op);
        if (st != XD_OK) {
            break;
        }
        ok++;
    }
    assert_int_equal(st, XD_EUNAVAIL);
    struct xd_store_stats stats;
    xd_store_stats(f->s, &stats);
    assert_true(stats.storage_failures >= 1);

    test_flag(f->dir, fault, false);
    assert_true(test_wait_healthy(f->s, 15000));
    struct test_ingest after;
    ingest_expect(f->s, &after, XD_OK);
    xd_store_close(f->s);
    f->s = test_open(f->dir, true);
    assert_non_null(f->s);
    for (int i = 0; i < ok; i++) {
        assert_true(doc_exists(f->s, ids[i]));
    }
    assert_false(doc_exists(f->s, ids[ok]));
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), ok + 1);
    char like[128];
    snprintf(like, sizeof like,
             "SELECT count(*) FROM audit WHERE action = ? AND after LIKE '%%%s%%'", why);
    assert_true(test_sql_int(f->dir, like, "store.recover") >= 1);
    assert_int_equal(xd_store_audit_verify(f->dir, NULL, NULL), XD_OK);
    /* Closing checkpointed everything: the WAL is empty. */
    char wal[TEST_DIR_MAX + 32];
    snprintf(wal, sizeof wal, "%s/crossdock.db-wal", f->dir);
    struct stat sb;
    assert_true(stat(wal, &sb) != 0 || sb.st_size == 0);
}

/* The checkpointer thread copies while the writer commits, and fails at its first write. */
static void test_checkpoint_write_failure(void **state)
{
    checkpoint_fails(*state, ".fault-write-db",
                     "background WAL checkpoint: database or disk is full");
}

/* The database file is synced by the pass that reaches the end of the WAL: the writer's copy of
 * the tail (SQLite does not sync after a pass that new commits overtook). */
static void test_checkpoint_fsync_failure(void **state)
{
    checkpoint_fails(*state, ".fault-fsync-db", "WAL checkpoint: disk I/O error, fsync failed");
}

static void test_write_failure(void **state)
{
    fail_and_recover(*state, ".fault-write");
}

/* One flow operation of <n> exceptions of ~2 KB each on thread <cid>: over 4 MiB, more than
 * the WAL writer gathers before it writes (store_vfs.c). */
#define BIG_N 3000

static enum xd_status big_step(struct xd_store *s, const char *cid)
{
    static char body[2100];
    memset(body, 'x', sizeof body);
    memcpy(body, "{\"pad\":\"", 8);
    memcpy(body + sizeof body - 3, "\"}", 3);
    struct xd_store_exception *ex = xd_calloc(BIG_N, sizeof *ex);
    char(*ids)[40] = xd_calloc(BIG_N, sizeof *ids);
    assert_non_null(ex);
    assert_non_null(ids);
    for (size_t i = 0; i < BIG_N; i++) {
        snprintf(ids[i], sizeof ids[i], "%s-%zu", cid, i);
        ex[i] = (struct xd_store_exception){.id = ids[i],
                                            .correlation_id = cid,
                                            .type = "processing_failed",
                                            .owner = "buyer",
                                            .state = "open",
                                            .body = body};
    }
    struct xd_store_op op = {.kind = XD_STORE_OP_FLOW};
    op.u.flow = (struct xd_store_flow){.exceptions = ex, .n_exceptions = BIG_N, .actor = "test"};
    enum xd_status st = xd_store_execute(s, &op);
    xd_store_op_cleanup(&op);
    xd_free(ids);
    xd_free(ex);
    return st;
}

/* A commit larger than the WAL writer's buffer: another connection sees all of it once it is
 * answered, and so does the store reopened; with the disk refusing writes the whole commit
 * fails and nothing of it is kept. */
static void test_commit_larger_than_the_wal_buffer(void **state)
{
    struct fixture *f = *state;
    const char *q = "SELECT count(*) FROM exceptions WHERE correlation_id = ?1";
    assert_int_equal(big_step(f->s, "BIG-1"), XD_OK);
    assert_int_equal(test_sql_int(f->dir, q, "BIG-1"), BIG_N);
    test_flag(f->dir, ".fault-write", true);
    assert_int_equal(big_step(f->s, "BIG-2"), XD_EUNAVAIL);
    test_flag(f->dir, ".fault-write", false);
    assert_true(test_wait_healthy(f->s, 15000));
    assert_int_equal(test_sql_int(f->dir, q, "BIG-2"), 0);
    assert_int_equal(big_step(f->s, "BIG-3"), XD_OK);
    xd_store_close(f->s);
    f->s = test_open(f->dir, true);
    assert_non_null(f->s);
    assert_int_equal(test_sql_int(f->dir, q, "BIG-1"), BIG_N);
    assert_int_equal(test_sql_int(f->dir, q, "BIG-2"), 0);
    assert_int_equal(test_sql_int(f->dir, q, "BIG-3"), BIG_N);
    assert_int_equal(test_sql_int(f->dir,
                                  "SELECT count(*) FROM pragma_integrity_check "
                                  "WHERE integrity_check <> 'ok'",
                                  NULL),
                     0);
}

#define QUEUED 200

struct counter {
    int done;
    int unavailable;
};

static void count_done(struct xd_store_op *op, void *arg)
{
    struct counter *c = arg;
    c->done++; /* done callbacks all run on the writer thread */
    c->unavailable += op->status == XD_EUNAVAIL;
}

/* Everything queued behind a failed batch is answered too, none is left hanging. */
static void test_queued_ops_answered(void **state)
{
    struct fixture *f = *state;
    test_flag(f->dir, ".fault-fsync", true);
    struct test_ingest *ops = xd_calloc(QUEUED, sizeof *ops);
    struct counter c = {0, 0};
    int submitted = 0;
    for (int i = 0; i < QUEUED; i++) {
        test_ingest_init(&ops[i], "receipt");
        ops[i].op.done = count_done;
        ops[i].op.done_arg = &c;
        enum xd_status st = xd_store_submit(f->s, &ops[i].op);
        assert_true(st == XD_OK || st == XD_EUNAVAIL);
        submitted += st == XD_OK;
    }
    /* Answered only once the batch failed (or refused after it): the store is down now. */
    struct test_ingest sync;
    test_ingest_init(&sync, "receipt");
    assert_int_equal(xd_store_execute(f->s, &sync.op), XD_EUNAVAIL);
    assert_false(test_wait_healthy(f->s, 300));
    test_flag(f->dir, ".fault-fsync", false);
    assert_true(test_wait_healthy(f->s, 15000));
    xd_store_close(f->s); /* joins the writer: every callback has run */
    f->s = test_open(f->dir, true);
    assert_int_equal(c.done, submitted);
    assert_int_equal(c.unavailable, submitted);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL), 0);
    xd_free(ops);
}

static void test_unwritable_directory(void **state)
{
    (void)state;
    struct xd_store_options o;
    xd_store_options_init(&o, "/proc/crossdock-cannot-exist");
    struct xd_store *s = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_store_open(&o, &s, &err), XD_EUNAVAIL);
    assert_null(s);
    assert_non_null(strstr(err.message, "/proc/crossdock-cannot-exist"));
    print_message("    %s\n", err.message);
}

int main(void)
{
    setenv("CROSSDOCK_TEST_FAULTS", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fsync_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_write_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_fsync_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queued_ops_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_larger_than_the_wal_buffer, setup, teardown),
        cmocka_unit_test(test_unwritable_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
