/* The audit chain: intact logs verify; a record edited, removed or reordered behind the store's
 * back (raw SQL on the file) is named, the first bad one, with what happened to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store_int.h"
#include "store_test.h"

#define RECORDS 12 /* ingests; the log also holds store.migrate as record 1 */

static int setup(void **state)
{
    char *dir = xd_calloc(1, TEST_DIR_MAX);
    test_dir_make(dir);
    struct xd_store *s = test_open(dir, true);
    if (s == NULL) {
        return -1;
    }
    for (int i = 0; i < RECORDS; i++) {
        struct test_ingest t;
        test_ingest_init(&t, "purchase_order");
        char po[16];
        snprintf(po, sizeof po, "PO-%d", i % 4);
        test_ingest_key(&t, "po_number", po);
        if (xd_store_execute(s, &t.op) != XD_OK) {
            return -1;
        }
    }
    xd_store_close(s);
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    test_dir_remove(*state);
    xd_free(*state);
    return 0;
}

static void expect_corrupt(const char *dir, int64_t seq, const char *what)
{
    struct xd_error err = {0};
    int64_t checked = -1;
    assert_int_equal(xd_store_audit_verify(dir, &checked, &err), XD_ECORRUPT);
    char where[32];
    snprintf(where, sizeof where, "audit seq %lld", (long long)seq);
    print_message("    %s\n", err.message);
    assert_string_equal(err.where, where);
    assert_non_null(strstr(err.message, what));
    assert_int_equal(checked, seq - 1); /* everything before the bad record was fine */
}

static void test_intact(void **state)
{
    const char *dir = *state;
    int64_t checked = 0;
    struct xd_error err = {0};
    assert_int_equal(xd_store_audit_verify(dir, &checked, &err), XD_OK);
    assert_int_equal(checked, RECORDS + 1);
    assert_int_equal(
        test_sql_int(dir, "SELECT count(*) FROM audit WHERE action = ?", "document.ingest"),
        RECORDS);
    /* Verification works beside a running store. */
    struct xd_store *s = test_open(dir, true);
    assert_non_null(s);
    struct test_ingest t;
    test_ingest_init(&t, "invoice");
    assert_int_equal(xd_store_execute(s, &t.op), XD_OK);
    assert_int_equal(xd_store_audit_verify(dir, &checked, &err), XD_OK);
    assert_int_equal(checked, RECORDS + 2);
    xd_store_close(s);
}

static void test_edited(void **state)
{
    const char *dir = *state;
    test_sql(dir, "UPDATE audit SET after = '{\"seq\":1,\"type\":\"invoice\"}' WHERE seq = 5");
    expect_corrupt(dir, 5, "was edited");
}

static void test_time_changed(void **state)
{
    const char *dir = *state;
    test_sql(dir, "UPDATE audit SET at = at + 1 WHERE seq = 3");
    expect_corrupt(dir, 3, "was edited");
}

static void test_removed(void **state)
{
    const char *dir = *state;
    test_sql(dir, "DELETE FROM audit WHERE seq = 7");
    expect_corrupt(dir, 7, "was removed");
}

static void test_first_removed(void **state)
{
    const char *dir = *state;
    test_sql(dir, "DELETE FROM audit WHERE seq = 1");
    expect_corrupt(dir, 1, "was removed");
}

static void test_reordered(void **state)
{
    const char *dir = *state;
    test_sql(dir, "UPDATE audit SET seq = -1 WHERE seq = 6;"
                  "UPDATE audit SET seq = 6 WHERE seq = 7;"
                  "UPDATE audit SET seq = 7 WHERE seq = -1;");
    expect_corrupt(dir, 6, "was reordered");
}

/* A copy of one record that outlives the scan callback. */
struct record_copy {
    struct xd_audit_record r;
    char actor[32];
    char action[32];
    char object[64];
    char after[512];
    bool found;
};

static enum xd_status copy_first(void *arg, const struct xd_audit_record *r)
{
    struct record_copy *c = arg;
    c->r = *r;
    snprintf(c->actor, sizeof c->actor, "%s", r->actor);
    snprintf(c->action, sizeof c->action, "%s", r->action);
    snprintf(c->object, sizeof c->object, "%s", r->object);
    snprintf(c->after, sizeof c->after, "%s", r->after != NULL ? r->after : "");
    c->r.actor = c->actor;
    c->r.action = c->action;
    c->r.object = c->object;
    c->r.after = r->after != NULL ? c->after : NULL;
    c->r.before = NULL; /* ingest records have none */
    c->found = true;
    return XD_EDECLINED;
}

/* A forger who recomputes the edited record's hash still breaks the next link. */
static void test_edited_and_rehashed(void **state)
{
    const char *dir = *state;
    test_sql(dir, "UPDATE audit SET actor = 'mallory' WHERE seq = 4");
    struct xd_store *s = test_open(dir, false);
    assert_non_null(s);
    struct record_copy c = {.found = false};
    assert_int_equal(xd_store_audit_scan(s, 4, copy_first, &c, NULL), XD_EDECLINED);
    xd_store_close(s);
    assert_true(c.found);
    assert_string_equal(c.actor, "mallory");
    struct xd_buf tmp;
    xd_buf_init(&tmp, 1 << 20);
    char hash[XD_SHA256_HEX_LEN + 1];
    assert_int_equal(xd_store__audit_hash(&c.r, &tmp, hash), XD_OK);
    xd_buf_cleanup(&tmp);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE audit SET hash = '%s' WHERE seq = 4", hash);
    test_sql(dir, sql);
    expect_corrupt(dir, 5, "does not link to record 4");
}

static void test_missing_database(void **state)
{
    (void)state;
    struct xd_error err = {0};
    assert_int_equal(xd_store_audit_verify("/tmp/xd-store-no-such-dir", NULL, &err), XD_ENOTFOUND);
    assert_non_null(strstr(err.message, "no database"));
}

/* The serialization is part of the on-disk format: pin one hash (computed independently from
 * docs/internals/store.md with Python's hashlib). */
static void test_hash_is_stable(void **state)
{
    (void)state;
    struct xd_audit_record r = {
        .seq = 1,
        .at_ms = 1764331200000,
        .actor = "system",
        .action = "store.migrate",
        .object = "store",
        .before = NULL,
        .after = "{\"schema_from\":0,\"schema_to\":1}",
    };
    memcpy(r.prev_hash, xd_store__audit_genesis, sizeof r.prev_hash);
    struct xd_buf tmp;
    xd_buf_init(&tmp, 4096);
    char h1[XD_SHA256_HEX_LEN + 1];
    assert_int_equal(xd_store__audit_hash(&r, &tmp, h1), XD_OK);
    /* NULL and "" differ; so do fields whose bytes shift from one to the next. */
    r.before = "";
    char h2[XD_SHA256_HEX_LEN + 1];
    assert_int_equal(xd_store__audit_hash(&r, &tmp, h2), XD_OK);
    assert_string_not_equal(h1, h2);
    r.before = NULL;
    r.actor = "systems";
    r.action = "tore.migrate";
    assert_int_equal(xd_store__audit_hash(&r, &tmp, h2), XD_OK);
    assert_string_not_equal(h1, h2);
    xd_buf_cleanup(&tmp);
    assert_string_equal(h1, "42aa80b3dc47df776203bf46e9da4fb3d60bc29c9bef5afaaad9466e2919aa8d");
}

struct seen {
    int64_t seqs[64];
    size_t n, stop_after;
};

static enum xd_status collect(void *arg, const struct xd_audit_record *r)
{
    struct seen *v = arg;
    assert_string_equal(r->action, "document.ingest");
    v->seqs[v->n++] = r->seq;
    return v->stop_after != 0 && v->n == v->stop_after ? XD_ECLOSED : XD_OK;
}

/* One action's records only, up to the head at the start, and where to go on from. */
static void test_scan_action(void **state)
{
    const char *dir = *state;
    struct xd_store *s = test_open(dir, true);
    assert_non_null(s);
    int64_t head = test_sql_int(dir, "SELECT max(seq) FROM audit", NULL);
    struct seen v = {0};
    int64_t through = -1;
    assert_int_equal(
        xd_store_audit_scan_action(s, 1, "document.ingest", collect, &v, &through, NULL), XD_OK);
    assert_int_equal(v.n, RECORDS); /* record 1, store.migrate, is not one of them */
    assert_int_equal(v.seqs[0], 2);
    assert_int_equal(through, head);
    /* From the middle, stopped early by the callback: its status comes back. */
    struct seen w = {.stop_after = 3};
    assert_int_equal(
        xd_store_audit_scan_action(s, 5, "document.ingest", collect, &w, &through, NULL),
        XD_ECLOSED);
    assert_int_equal(w.n, 3);
    assert_int_equal(w.seqs[0], 5);
    assert_int_equal(w.seqs[2], 7);
    /* Nothing of that action: the head all the same, so the next scan starts after it. */
    struct seen none = {0};
    assert_int_equal(
        xd_store_audit_scan_action(s, 1, "outbox.dead", collect, &none, &through, NULL), XD_OK);
    assert_int_equal(none.n, 0);
    assert_int_equal(through, head);
    /* Past the head: nothing read, the position stays where it was asked to start. */
    assert_int_equal(
        xd_store_audit_scan_action(s, head + 1, "document.ingest", collect, &none, &through, NULL),
        XD_OK);
    assert_int_equal(none.n, 0);
    assert_int_equal(through, head);
    xd_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_action, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reordered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_and_rehashed, setup, teardown),
        cmocka_unit_test(test_missing_database),
        cmocka_unit_test(test_hash_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
