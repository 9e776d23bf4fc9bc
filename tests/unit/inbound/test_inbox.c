/* The inbox watcher on a real directory with inotify: complete files are taken once, temporary
 * names never, refused files are quarantined with a reason, transient failures retried. */
#include <sys/stat.h>

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "inbound/inbox.h"

#define MAX_SEEN 64

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char seen[MAX_SEEN][128];
static int n_seen;
static int retries_left;

/* Contents decide: "ok..." accepted, "bad..." refused, "retry..." retried while retries_left. */
static enum xd_inbox_verdict handler(void *arg, const struct xd_inbox_file *f, char *reason,
                                     size_t cap)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    if (n_seen < MAX_SEEN) {
        snprintf(seen[n_seen++], sizeof seen[0], "%s/%s", f->partner, f->name);
    }
    enum xd_inbox_verdict v = XD_INBOX_ACCEPTED;
    if (f->len >= 3 && memcmp(f->data, "bad", 3) == 0) {
        snprintf(reason, cap, "line 1: not a document this partner sends");
        v = XD_INBOX_REJECTED;
    } else if (f->len >= 5 && memcmp(f->data, "retry", 5) == 0 && retries_left > 0) {
        retries_left--;
        snprintf(reason, cap, "store unavailable");
        v = XD_INBOX_RETRY;
    }
    pthread_mutex_unlock(&mu);
    return v;
}

static int count_seen(const char *what)
{
    pthread_mutex_lock(&mu);
    int n = 0;
    for (int i = 0; i < n_seen; i++) {
        n += strcmp(seen[i], what) == 0;
    }
    pthread_mutex_unlock(&mu);
    return n;
}

static bool wait_seen(const char *what, int times, int ms)
{
    for (int t = 0; t < ms; t += 20) {
        if (count_seen(what) >= times) {
            return true;
        }
        usleep(20000);
    }
    return false;
}

static char dir[256];
static struct xd_inbox *ib;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static bool exists(const char *fmt, const char *a)
{
    char p[1024];
    snprintf(p, sizeof p, fmt, dir, a);
    return access(p, F_OK) == 0;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/crossdock-inbox.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    n_seen = 0;
    struct xd_error err;
    xd_error_clear(&err);
    if (xd_inbox_ensure_partner(dir, "acme", &err) != XD_OK) {
        return -1;
    }
    char early[512];
    snprintf(early, sizeof early, "%s/partners/acme/inbox/early.csv", dir);
    write_file(early, "ok early");
    struct xd_inbox_options o;
    xd_inbox_options_init(&o, dir);
    o.quiet_ms = 300;
    o.rescan_ms = 500;
    o.retry_ms = 100;
    o.max_file_bytes = 1024;
    o.handler = handler;
    return xd_inbox_start(&o, &ib, &err) == XD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    xd_inbox_stop(ib);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_file_present_at_start(void **state)
{
    (void)state;
    assert_true(wait_seen("acme/early.csv", 1, 3000));
    char day[XD_TIME_STR_MAX];
    xd_time_format(xd_now_ms(), day, sizeof day);
    day[10] = '\0';
    char p[600];
    snprintf(p, sizeof p, "%s/archive/acme/%s/early.csv", dir, day);
    for (int i = 0; i < 50 && access(p, F_OK) != 0; i++) {
        usleep(20000);
    }
    assert_int_equal(access(p, F_OK), 0);
    assert_false(exists("%s/partners/acme/inbox/%s", "early.csv"));
}

static void test_written_in_place_taken_once(void **state)
{
    (void)state;
    char p[512];
    snprintf(p, sizeof p, "%s/partners/acme/inbox/po-1.csv", dir);
    write_file(p, "ok po 1");
    assert_true(wait_seen("acme/po-1.csv", 1, 3000));
    usleep(1200 * 1000); /* past a rescan: still only once */
    assert_int_equal(count_seen("acme/po-1.csv"), 1);
}

static void test_part_then_rename(void **state)
{
    (void)state;
    char part[512], final[512];
    snprintf(part, sizeof part, "%s/partners/acme/inbox/asn-7.csv.part", dir);
    snprintf(final, sizeof final, "%s/partners/acme/inbox/asn-7.csv", dir);
    write_file(part, "ok asn");
    usleep(700 * 1000);
    assert_int_equal(count_seen("acme/asn-7.csv.part"), 0);
    assert_int_equal(rename(part, final), 0);
    assert_true(wait_seen("acme/asn-7.csv", 1, 3000));
    assert_int_equal(count_seen("acme/asn-7.csv.part"), 0);
}

/* OpenSSH's server renames by link()+unlink(): only IN_CREATE is seen; the quiet rule takes it. */
static void test_hard_link_taken_when_quiet(void **state)
{
    (void)state;
    char tmp[512], final[512];
    snprintf(tmp, sizeof tmp, "%s/partners/acme/inbox/.upload-inv", dir);
    snprintf(final, sizeof final, "%s/partners/acme/inbox/inv-3.csv", dir);
    write_file(tmp, "ok invoice");
    assert_int_equal(link(tmp, final), 0);
    assert_int_equal(unlink(tmp), 0);
    int64_t t0 = xd_now_ms();
    assert_true(wait_seen("acme/inv-3.csv", 1, 4000));
    assert_true(xd_now_ms() - t0 >= 250); /* not before the quiet period */
}

static void test_rejected_goes_to_quarantine_with_reason(void **state)
{
    (void)state;
    char p[512];
    snprintf(p, sizeof p, "%s/partners/acme/inbox/garbage.csv", dir);
    write_file(p, "bad data");
    assert_true(wait_seen("acme/garbage.csv", 1, 3000));
    char reason[600];
    snprintf(reason, sizeof reason, "%s/quarantine/acme/garbage.csv.reason.txt", dir);
    for (int i = 0; i < 50 && access(reason, F_OK) != 0; i++) {
        usleep(20000);
    }
    FILE *f = fopen(reason, "r");
    assert_non_null(f);
    char text[1024];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "reason: line 1: not a document this partner sends"));
    assert_non_null(strstr(text, "sha256: "));
    assert_true(exists("%s/quarantine/acme/%s", "garbage.csv"));
    usleep(1200 * 1000);
    assert_int_equal(count_seen("acme/garbage.csv"), 1); /* never retried in a loop */
}

static void test_too_big_is_quarantined_unread(void **state)
{
    (void)state;
    char p[512];
    snprintf(p, sizeof p, "%s/partners/acme/inbox/huge.csv", dir);
    char big[2048];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    write_file(p, big);
    char reason[600];
    snprintf(reason, sizeof reason, "%s/quarantine/acme/huge.csv.reason.txt", dir);
    for (int i = 0; i < 150 && access(reason, F_OK) != 0; i++) {
        usleep(20000);
    }
    assert_int_equal(access(reason, F_OK), 0);
    assert_int_equal(count_seen("acme/huge.csv"), 0);
}

/* A symbolic link (an SFTP client can make one, pointing outside the partner's chroot): never
 * followed, quarantined as a link with its reason, and not retried. */
static void test_symlink_is_quarantined_unfollowed(void **state)
{
    (void)state;
    char target[512], p[512], reason[600], moved[600];
    snprintf(target, sizeof target, "%s/secret.txt", dir);
    write_file(target, "ok secret: the handler must never see this");
    snprintf(p, sizeof p, "%s/partners/acme/inbox/link.csv", dir);
    assert_int_equal(symlink(target, p), 0);
    snprintf(reason, sizeof reason, "%s/quarantine/acme/link.csv.reason.txt", dir);
    for (int i = 0; i < 150 && access(reason, F_OK) != 0; i++) {
        usleep(20000);
    }
    assert_int_equal(access(reason, F_OK), 0);
    snprintf(moved, sizeof moved, "%s/quarantine/acme/link.csv", dir);
    struct stat sb;
    assert_int_equal(lstat(moved, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    assert_false(exists("%s/partners/acme/inbox/%s", "link.csv"));
    assert_int_equal(count_seen("acme/link.csv"), 0);
    FILE *f = fopen(reason, "r");
    assert_non_null(f);
    char text[1024];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "reason: not a regular file"));
    struct xd_inbox_stats before, after;
    xd_inbox_stats(ib, &before);
    usleep(1200 * 1000); /* two rescans */
    xd_inbox_stats(ib, &after);
    assert_int_equal(after.retried, before.retried);
    assert_int_equal(after.rejected, before.rejected);
}

static void test_retry_then_accept(void **state)
{
    (void)state;
    pthread_mutex_lock(&mu);
    retries_left = 2;
    pthread_mutex_unlock(&mu);
    char p[512];
    snprintf(p, sizeof p, "%s/partners/acme/inbox/later.csv", dir);
    write_file(p, "retry me");
    assert_true(wait_seen("acme/later.csv", 3, 5000));
    for (int i = 0; i < 50 && exists("%s/partners/acme/inbox/%s", "later.csv"); i++) {
        usleep(20000);
    }
    assert_false(exists("%s/partners/acme/inbox/%s", "later.csv"));
    assert_int_equal(count_seen("acme/later.csv"), 3);
}

static void test_new_partner_folder_is_watched(void **state)
{
    (void)state;
    struct xd_error err;
    xd_error_clear(&err);
    assert_int_equal(xd_inbox_ensure_partner(dir, "wh-atlanta", &err), XD_OK);
    usleep(100 * 1000);
    char p[512];
    snprintf(p, sizeof p, "%s/partners/wh-atlanta/inbox/945-1.edi", dir);
    write_file(p, "ok 945");
    assert_true(wait_seen("wh-atlanta/945-1.edi", 1, 3000));
    assert_int_equal(xd_inbox_ensure_partner(dir, "../escape", &err), XD_EINVAL);
    struct xd_inbox_stats s;
    xd_inbox_stats(ib, &s);
    assert_true(s.accepted >= 5);
    assert_true(s.rejected >= 2);
    assert_true(s.retried >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_present_at_start),
        cmocka_unit_test(test_written_in_place_taken_once),
        cmocka_unit_test(test_part_then_rename),
        cmocka_unit_test(test_hard_link_taken_when_quiet),
        cmocka_unit_test(test_rejected_goes_to_quarantine_with_reason),
        cmocka_unit_test(test_too_big_is_quarantined_unread),
        cmocka_unit_test(test_symlink_is_quarantined_unfollowed),
        cmocka_unit_test(test_retry_then_accept),
        cmocka_unit_test(test_new_partner_folder_is_watched),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
