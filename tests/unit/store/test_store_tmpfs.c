/* Real storage faults on a tiny tmpfs: a full disk fails batches with XD_EUNAVAIL and the store
 * recovers once space is freed; a read-only file system refuses to open with a clear error and
 * opens again once writable. Needs mount(2) (root): exits 77 (skipped) when not permitted.
 * Linux refuses `mount -o remount,ro` while any file on it is open for writing (EBUSY), so the
 * read-only case is tested at open; a file system turned read-only under a running store fails
 * its writes like the full disk does (SQLITE_IOERR_WRITE / SQLITE_READONLY, same path). */
#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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

#define TMPFS_SIZE "size=3m"
#define FILLER     "filler"

struct fixture {
    char mnt[TEST_DIR_MAX];
    char dir[TEST_DIR_MAX + 16];
};

static int setup(void **state)
{
    struct fixture *f = xd_calloc(1, sizeof *f);
    test_dir_make(f->mnt);
    if (mount("tmpfs", f->mnt, "tmpfs", 0, TMPFS_SIZE) != 0) {
        perror("mount tmpfs");
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "%s/data", f->mnt);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (umount2(f->mnt, MNT_DETACH) != 0) {
        perror("umount");
    }
    test_dir_remove(f->mnt);
    xd_free(f);
    return 0;
}

/* Write the rest of the file system full; returns the bytes written. */
static size_t fill(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, FILLER);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    static char block[4096];
    size_t total = 0;
    for (;;) {
        ssize_t n = write(fd, block, sizeof block);
        if (n <= 0) {
            assert_int_equal(errno, ENOSPC);
            break;
        }
        total += (size_t)n;
    }
    close(fd);
    return total;
}

static void unfill(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, FILLER);
    assert_int_equal(unlink(path), 0);
}

static void test_disk_full(void **state)
{
    struct fixture *f = *state;
    struct xd_store *s = test_open(f->dir, true);
    assert_non_null(s);
    struct test_ingest t;
    for (int i = 0; i < 20; i++) {
        test_ingest_init(&t, "purchase_order");
        assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    }
    size_t filled = fill(f->dir);
    print_message("    filled %zu bytes\n", filled);
    int ok_after_full = 0;
    enum xd_status st = XD_OK;
    while (st == XD_OK && ok_after_full < 100000) {
        test_ingest_init(&t, "purchase_order");
        st = xd_store_execute(s, &t.op);
        ok_after_full += st == XD_OK;
    }
    print_message("    %d ingests fit into the WAL's slack, then: %s\n", ok_after_full,
                  t.op.err.message);
    assert_int_equal(st, XD_EUNAVAIL);
    char lost[XD_ID_LEN + 1];
    memcpy(lost, t.op.u.ingest.id, sizeof lost);
    struct xd_store_stats stats;
    xd_store_stats(s, &stats);
    assert_false(stats.healthy);
    /* Whether a recovery probe (one small audit record) fits while the disk is full depends on
     * the WAL's slack, so only the way back is asserted. */

    unfill(f->dir);
    assert_true(test_wait_healthy(s, 15000));
    test_ingest_init(&t, "purchase_order");
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    xd_store_close(s);

    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal WHERE id = ?", lost), 0);
    assert_int_equal(test_sql_int(f->dir, "SELECT count(*) FROM journal", NULL),
                     20 + ok_after_full + 1);
    assert_int_equal(xd_store_audit_verify(f->dir, NULL, NULL), XD_OK);
}

static void test_read_only(void **state)
{
    struct fixture *f = *state;
    struct xd_store *s = test_open(f->dir, true);
    assert_non_null(s);
    struct test_ingest t;
    test_ingest_init(&t, "invoice");
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    xd_store_close(s);

    assert_int_equal(mount(NULL, f->mnt, NULL, MS_REMOUNT | MS_RDONLY, TMPFS_SIZE), 0);
    struct xd_store_options o;
    xd_store_options_init(&o, f->dir);
    struct xd_error err = {0};
    s = NULL;
    assert_int_equal(xd_store_open(&o, &s, &err), XD_EUNAVAIL);
    assert_null(s);
    print_message("    %s\n", err.message);
    assert_non_null(strstr(err.message, "crossdock.db"));
    /* Verification reads only: it works on the read-only copy. */
    enum xd_status vst = xd_store_audit_verify(f->dir, NULL, &err);
    assert_int_equal(mount(NULL, f->mnt, NULL, MS_REMOUNT, TMPFS_SIZE), 0);
    if (vst != XD_OK) {
        print_error("verify on the read-only file system: %s\n", err.message);
    }
    assert_int_equal(vst, XD_OK);
    s = test_open(f->dir, true);
    assert_non_null(s);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_store_doc d;
    assert_int_equal(xd_store_doc_get(s, t.op.u.ingest.id, a, &d, NULL), XD_OK);
    xd_arena_destroy(a);
    test_ingest_init(&t, "invoice");
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    xd_store_close(s);
}

int main(void)
{
    /* A mount namespace of our own: the tmpfs mounts are invisible to everybody else on this
     * machine and vanish with the process, even when a failed test leaves one behind. */
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "skipped: no private mount namespace here: %s\n", strerror(errno));
        return 77;
    }
    char probe[TEST_DIR_MAX];
    test_dir_make(probe);
    if (mount("tmpfs", probe, "tmpfs", 0, TMPFS_SIZE) != 0) {
        fprintf(stderr, "skipped: cannot mount tmpfs here: %s\n", strerror(errno));
        rmdir(probe);
        return 77;
    }
    umount(probe);
    rmdir(probe);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
