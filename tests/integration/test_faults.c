/* Storage failures never produce a 2xx: a failing fsync (fault-injection VFS), a full disk and a
 * read-only filesystem (a real tmpfs, when this machine lets us mount one). The requests of the
 * failed batch get 503 with Retry-After, nothing of them is kept, and the hub recovers by
 * itself once the disk is usable again. */
#include <sys/mount.h>
#include <sys/stat.h>

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
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "docs.h"
#include "hub.h"

static const char *const fault_env[] = {"CROSSDOCK_TEST_FAULTS=1", NULL};

static long post_po(struct test_hub *h, const char *po_number)
{
    char *doc = doc_example("purchase_order", "po_number", po_number, NULL);
    char u[128], cid[128];
    snprintf(u, sizeof u, "%s/v1/documents", h->url);
    snprintf(cid, sizeof cid, "X-Correlation-ID: %s", po_number);
    const char *hdr[] = {"Content-Type: application/json", cid, NULL};
    struct http_resp r;
    http_request("POST", u, h->token, doc, strlen(doc), hdr, &r);
    long status = r.status;
    if (status == 503) {
        char ra[16];
        assert_true(http_header(&r, "Retry-After", ra, sizeof ra));
        json_t *j = doc_parse(r.body);
        assert_string_equal(json_string_value(json_object_get(j, "type")),
                            "urn:crossdock:problem:unavailable");
        json_decref(j);
    }
    http_resp_free(&r);
    free(doc);
    return status;
}

/* 200 when the thread named <cid> exists, 404 when not. */
static long thread_status(struct test_hub *h, const char *cid)
{
    char u[256];
    snprintf(u, sizeof u, "%s/v1/transactions/%s", h->url, cid);
    struct http_resp r;
    http_request("GET", u, h->token, NULL, 0, NULL, &r);
    long s = r.status;
    http_resp_free(&r);
    return s;
}

/* Post until the hub accepts again (it reopens its database with backoff). */
static void wait_recovered(struct test_hub *h, const char *prefix)
{
    for (int i = 0; i < 200; i++) {
        char po[64];
        snprintf(po, sizeof po, "%s-%d", prefix, i);
        long s = post_po(h, po);
        if (s == 201) {
            return;
        }
        assert_int_equal(s, 503);
        usleep(100000);
    }
    fail_msg("the hub did not recover within 20 s");
}

static void touch(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
}

static void removef(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    assert_int_equal(unlink(p), 0);
}

static void test_fsync_failure(void **state)
{
    (void)state;
    struct test_hub h;
    assert_int_equal(hub_setup(&h, NULL), 0);
    assert_int_equal(hub_start(&h, NULL, fault_env), 0);
    assert_int_equal(post_po(&h, "FSYNC-OK-1"), 201);
    touch(h.data, ".fault-fsync");
    assert_int_equal(post_po(&h, "FSYNC-FAIL-1"), 503);
    assert_int_equal(post_po(&h, "FSYNC-FAIL-2"), 503);
    removef(h.data, ".fault-fsync");
    wait_recovered(&h, "FSYNC-AFTER");
    assert_int_equal(thread_status(&h, "FSYNC-OK-1"), 200);
    assert_int_equal(thread_status(&h, "FSYNC-FAIL-1"), 404);
    assert_int_equal(thread_status(&h, "FSYNC-FAIL-2"), 404);
    assert_true(hub_log_count(&h, "fsync failed") > 0);
    assert_true(hub_log_count(&h, "storage recovered") > 0);
    hub_stop(&h, SIGTERM);
    const char *args[] = {"audit", "verify", "--data", h.data, NULL};
    assert_int_equal(hub_run_cli(&h, args, NULL, 0), 0);
    hub_teardown(&h);
}

struct slow_post {
    struct test_hub *h;
    long status;
    char body[1024];
};

static void *post_with_key(void *arg)
{
    struct slow_post *p = arg;
    char *doc = doc_example("purchase_order", "po_number", "INFLIGHT-1", NULL);
    char u[128];
    snprintf(u, sizeof u, "%s/v1/documents", p->h->url);
    const char *hdr[] = {"Content-Type: application/json", "Idempotency-Key: inflight-1", NULL};
    struct http_resp r;
    http_request("POST", u, p->h->token, doc, strlen(doc), hdr, &r);
    p->status = r.status;
    snprintf(p->body, sizeof p->body, "%s", r.body);
    http_resp_free(&r);
    free(doc);
    return NULL;
}

/* A retry while the first request is still being committed gets 409; once it is done, the
 * retry gets the first answer. The slow disk keeps the first request in flight. */
static void test_idempotency_key_in_flight(void **state)
{
    (void)state;
    struct test_hub h;
    assert_int_equal(hub_setup(&h, NULL), 0);
    assert_int_equal(hub_start(&h, NULL, fault_env), 0);
    touch(h.data, ".fault-slow");
    struct slow_post first = {.h = &h}, second = {.h = &h}, third = {.h = &h};
    pthread_t t;
    pthread_create(&t, NULL, post_with_key, &first);
    usleep(150 * 1000);
    post_with_key(&second);
    pthread_join(t, NULL);
    removef(h.data, ".fault-slow");
    assert_int_equal(first.status, 201);
    assert_int_equal(second.status, 409);
    assert_non_null(strstr(second.body, "request-in-progress"));
    post_with_key(&third);
    assert_int_equal(third.status, 201);
    assert_string_equal(third.body, first.body);
    hub_stop(&h, SIGTERM);
    hub_teardown(&h);
}

/* A 3 MiB tmpfs as the data directory. Skips (cmocka's skip) when mounting is not allowed. */
static int mount_small(const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        return -1;
    }
    return mount("tmpfs", dir, "tmpfs", 0, "size=3m");
}

static void test_disk_full_then_freed(void **state)
{
    (void)state;
    struct test_hub h;
    char tmp[] = "/tmp/crossdock-full.XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char data[512];
    snprintf(data, sizeof data, "%s/data", tmp);
    if (mount_small(data) != 0) {
        rmdir(tmp);
        skip();
    }
    assert_int_equal(hub_setup(&h, data), 0);
    assert_int_equal(hub_start(&h, NULL, NULL), 0);
    assert_int_equal(post_po(&h, "FULL-OK-1"), 201);
    char filler[600];
    snprintf(filler, sizeof filler, "%s/filler", data);
    FILE *f = fopen(filler, "w");
    char block[4096];
    memset(block, 'x', sizeof block);
    while (fwrite(block, 1, sizeof block, f) == sizeof block) {
    }
    fclose(f);
    int refused = 0;
    for (int i = 0; i < 50 && refused == 0; i++) {
        char po[32];
        snprintf(po, sizeof po, "FULL-%d", i);
        long s = post_po(&h, po);
        assert_true(s == 201 || s == 503);
        refused += s == 503;
    }
    assert_int_equal(refused, 1);
    unlink(filler);
    wait_recovered(&h, "FULL-AFTER");
    assert_int_equal(thread_status(&h, "FULL-OK-1"), 200);

    hub_stop(&h, SIGTERM);

    /* Read-only: Linux refuses to remount a filesystem read-only while the hub holds files open
     * for writing (EBUSY), so the read-only case is a hub started on one: it must refuse to
     * serve rather than answer anything, and serve again once the disk is writable. */
    assert_int_equal(mount("tmpfs", data, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=3m"), 0);
    assert_int_not_equal(hub_start(&h, NULL, NULL), 0);
    assert_true(hub_log_count(&h, "cannot open the store") == 1);
    assert_int_equal(mount("tmpfs", data, "tmpfs", MS_REMOUNT, "size=3m"), 0);
    assert_int_equal(hub_start(&h, NULL, NULL), 0);
    assert_int_equal(thread_status(&h, "FULL-OK-1"), 200);
    hub_stop(&h, SIGTERM);
    hub_teardown(&h);
    umount(data);
    rmdir(data);
    rmdir(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fsync_failure),
        cmocka_unit_test(test_idempotency_key_in_flight),
        cmocka_unit_test(test_disk_full_then_freed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
