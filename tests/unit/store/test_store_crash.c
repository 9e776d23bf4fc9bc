/* Crash durability: a child process ingests from several threads and reports every committed
 * (seq, id) to the parent through a pipe; the parent kills it with SIGKILL mid-stream, reopens
 * the store and checks that every reported document is there exactly once, with its seq, and
 * that the audit chain verifies. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
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

#include "store/store.h"
#include "store_test.h"

#define CHILD_THREADS 6
#define KILL_AFTER    3000 /* reports before the kill */
#define MAX_REPORTS   200000

/* One pipe write each: smaller than PIPE_BUF, so never torn. */
struct report {
    int64_t seq;
    char id[XD_ID_LEN + 1];
};

struct child_ctx {
    struct xd_store *s;
    int fd;
};

static void *child_worker(void *arg)
{
    struct child_ctx *c = arg;
    struct test_ingest t;
    for (unsigned i = 0;; i++) {
        test_ingest_init(&t, "purchase_order");
        char po[32];
        snprintf(po, sizeof po, "PO-%u", i % 50);
        test_ingest_key(&t, "po_number", po);
        test_ingest_idem(&t, "crash", t.op.u.ingest.id);
        if (xd_store_execute(c->s, &t.op) != XD_OK) {
            _exit(3);
        }
        struct report r = {.seq = t.op.u.ingest.seq};
        memcpy(r.id, t.op.u.ingest.id, sizeof r.id);
        if (write(c->fd, &r, sizeof r) != (ssize_t)sizeof r) {
            _exit(4);
        }
    }
    return NULL;
}

static _Noreturn void child_main(const char *dir, int fd)
{
    struct child_ctx c = {.s = test_open(dir, true), .fd = fd};
    if (c.s == NULL) {
        _exit(2);
    }
    pthread_t th[CHILD_THREADS];
    for (int i = 0; i < CHILD_THREADS; i++) {
        pthread_create(&th[i], NULL, child_worker, &c);
    }
    pthread_join(th[0], NULL); /* never returns: the parent kills us */
    _exit(5);
}

static size_t read_reports(int fd, struct report *out, size_t have, size_t want)
{
    while (have < want) {
        ssize_t n = read(fd, &out[have], sizeof out[have]);
        if (n == 0) {
            break;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        assert_int_equal(n, sizeof out[have]);
        have++;
    }
    return have;
}

static void test_kill9_keeps_every_acknowledged_ingest(void **state)
{
    (void)state;
    char dir[TEST_DIR_MAX];
    test_dir_make(dir);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child_main(dir, p[1]);
    }
    close(p[1]);
    struct report *reports = xd_calloc(MAX_REPORTS, sizeof *reports);
    size_t n = read_reports(p[0], reports, 0, KILL_AFTER);
    assert_int_equal(n, KILL_AFTER);
    /* Let the child run on (its reports pile up in the pipe) so the kill hits it mid-batch. */
    struct timespec ts = {0, 30 * 1000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    n = read_reports(p[0], reports, n, MAX_REPORTS); /* what was written before the kill */
    close(p[0]);
    print_message("    %zu acknowledged ingests before SIGKILL\n", n);

    struct xd_store *s = test_open(dir, true);
    assert_non_null(s);
    struct xd_arena *a = xd_arena_create(0, 0);
    for (size_t i = 0; i < n; i++) {
        struct xd_store_doc d;
        enum xd_status st = xd_store_doc_get(s, reports[i].id, a, &d, NULL);
        if (st != XD_OK) {
            print_error("acknowledged document %s (seq %lld) lost\n", reports[i].id,
                        (long long)reports[i].seq);
        }
        assert_int_equal(st, XD_OK);
        assert_int_equal(d.seq, reports[i].seq);
        xd_arena_reset(a);
    }
    xd_arena_destroy(a);
    xd_store_close(s);
    /* Exactly once: one journal entry per id, and the journal and documents agree. */
    assert_int_equal(test_sql_int(dir, "SELECT count(*) - count(DISTINCT id) FROM journal", NULL),
                     0);
    assert_int_equal(test_sql_int(dir,
                                  "SELECT count(*) FROM journal j LEFT JOIN documents d "
                                  "ON d.seq = j.seq WHERE d.id IS NULL OR d.id <> j.id",
                                  NULL),
                     0);
    assert_true(test_sql_int(dir, "SELECT count(*) FROM journal", NULL) >= (int64_t)n);
    assert_int_equal(test_sql_int(dir,
                                  "SELECT count(*) FROM journal WHERE id NOT IN (SELECT "
                                  "substr(object, 10) FROM audit WHERE action = "
                                  "'document.ingest')",
                                  NULL),
                     0);
    int64_t checked = 0;
    struct xd_error err = {0};
    assert_int_equal(xd_store_audit_verify(dir, &checked, &err), XD_OK);
    assert_true(checked > (int64_t)n);
    xd_free(reports);
    test_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_keeps_every_acknowledged_ingest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
