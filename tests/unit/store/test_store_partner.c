/* Partner profile versions in the store: a new version per changed content, none for the same
 * content, a conflict when built on a stale version, secrets kept per version and re-sealed
 * all together (or not at all), audit records without secret values, reads of any version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_test.h"

static char dir[TEST_DIR_MAX];
static struct xd_store *s;

static int setup(void **state)
{
    (void)state;
    test_dir_make(dir);
    s = test_open(dir, false);
    return s == NULL;
}

static int teardown(void **state)
{
    (void)state;
    xd_store_close(s);
    test_dir_remove(dir);
    return 0;
}

static enum xd_status put(const char *id, const char *body, const char *hash_seed, int64_t expected,
                          const char *sealed, struct xd_store_partner_put *out)
{
    struct xd_store_op op;
    memset(&op, 0, sizeof op);
    op.kind = XD_STORE_OP_PARTNER_PUT;
    struct xd_store_partner_secret sec = {"api-token", (const uint8_t *)sealed,
                                          sealed ? strlen(sealed) : 0};
    struct xd_store_partner_put *p = &op.u.partner;
    p->id = id;
    p->name = "Acme";
    p->role = "supplier";
    p->body = body;
    p->body_len = strlen(body);
    p->secrets = sealed ? &sec : NULL;
    p->n_secrets = sealed ? 1 : 0;
    xd_sha256(hash_seed, strlen(hash_seed), p->content_hash);
    p->expected_version = expected;
    p->changed_credentials = sealed ? "[\"api-token\"]" : NULL;
    p->actor = "test";
    enum xd_status st = xd_store_execute(s, &op);
    if (out != NULL) {
        *out = op.u.partner;
    }
    xd_store_op_cleanup(&op);
    return st;
}

static void test_versions(void **state)
{
    (void)state;
    struct xd_store_partner_put r;
    assert_int_equal(put("acme", "{\"v\":1}", "h1", 0, "SEALED-1", &r), XD_OK);
    assert_true(r.created);
    assert_false(r.unchanged);
    assert_int_equal(r.version, 1);
    /* The same content: no new version, nothing audited. */
    int64_t audits = test_sql_int(dir, "SELECT count(*) FROM audit", NULL);
    assert_int_equal(put("acme", "{\"v\":1}", "h1", 1, "SEALED-1", &r), XD_OK);
    assert_true(r.unchanged);
    assert_int_equal(r.version, 1);
    assert_int_equal(test_sql_int(dir, "SELECT count(*) FROM audit", NULL), audits);
    /* Changed content. */
    assert_int_equal(put("acme", "{\"v\":2}", "h2", 1, "SEALED-2", &r), XD_OK);
    assert_false(r.created);
    assert_int_equal(r.version, 2);
    /* Built on a stale version: refused, nothing changes. */
    assert_int_equal(put("acme", "{\"v\":3}", "h3", 1, NULL, &r), XD_ECONFLICT);
    assert_int_equal(put("fresh", "{\"v\":1}", "h1", 5, NULL, &r), XD_ECONFLICT);

    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_store_partner p;
    struct xd_error err = {0};
    assert_int_equal(xd_store_partner_get(s, "acme", 0, a, &p, &err), XD_OK);
    assert_int_equal(p.version, 2);
    assert_string_equal(p.body, "{\"v\":2}");
    assert_int_equal(p.n_secrets, 1);
    assert_memory_equal(p.secrets[0].sealed, "SEALED-2", 8);
    assert_int_equal(xd_store_partner_get(s, "acme", 1, a, &p, &err), XD_OK);
    assert_string_equal(p.body, "{\"v\":1}");
    assert_memory_equal(p.secrets[0].sealed, "SEALED-1", 8);
    assert_int_equal(xd_store_partner_get(s, "acme", 3, a, &p, &err), XD_ENOTFOUND);
    assert_int_equal(xd_store_partner_get(s, "nobody", 0, a, &p, &err), XD_ENOTFOUND);

    assert_int_equal(put("beta", "{\"b\":1}", "b1", -1, NULL, &r), XD_OK);
    struct xd_store_partner_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(xd_store_partner_list(s, a, &rows, &n, &err), XD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].id, "acme");
    assert_int_equal(rows[0].version, 2);
    assert_string_equal(rows[1].id, "beta");
    xd_arena_destroy(a);

    /* Audited: create then update, before and after bodies, never the sealed values. */
    assert_int_equal(
        test_sql_int(dir, "SELECT count(*) FROM audit WHERE object = 'partner:acme'", NULL), 2);
    assert_int_equal(test_sql_int(dir,
                                  "SELECT count(*) FROM audit WHERE action = 'partner.update' AND "
                                  "before LIKE '{\"version\":1,\"profile\":{\"v\":1}}' AND after "
                                  "LIKE '%\"credentials_changed\":[\"api-token\"]%'",
                                  NULL),
                     1);
    assert_int_equal(test_sql_int(dir,
                                  "SELECT count(*) FROM audit WHERE before LIKE '%SEALED%' OR "
                                  "after LIKE '%SEALED%'",
                                  NULL),
                     0);
    int64_t checked = 0;
    assert_int_equal(xd_store_audit_verify(dir, &checked, &err), XD_OK);
}

static enum xd_status prefix_reseal(void *arg, const char *partner, const char *name,
                                    const uint8_t *sealed, size_t len, struct xd_buf *out,
                                    struct xd_error *err)
{
    (void)name;
    (void)err;
    const char *fail_for = arg;
    if (fail_for != NULL && strcmp(partner, fail_for) == 0) {
        return XD_ECORRUPT;
    }
    enum xd_status st = xd_buf_append_str(out, "NEW:");
    return st == XD_OK ? xd_buf_append(out, sealed, len) : st;
}

static enum xd_status rekey(const char *fail_for, int64_t *count)
{
    struct xd_store_op op;
    memset(&op, 0, sizeof op);
    op.kind = XD_STORE_OP_PARTNER_REKEY;
    op.u.rekey = (struct xd_store_partner_rekey){
        .reseal = prefix_reseal, .arg = (void *)fail_for, .key_id = "k2", .actor = "test"};
    enum xd_status st = xd_store_execute(s, &op);
    *count = op.u.rekey.count;
    xd_store_op_cleanup(&op);
    return st;
}

static void test_rekey(void **state)
{
    (void)state;
    assert_int_equal(put("acme", "{\"v\":1}", "h1", 0, "S1", NULL), XD_OK);
    assert_int_equal(put("acme", "{\"v\":2}", "h2", 1, "S2", NULL), XD_OK);
    assert_int_equal(put("zeta", "{\"z\":1}", "z1", 0, "Z1", NULL), XD_OK);
    int64_t count = -1;
    /* One that cannot be re-sealed: nothing changes. */
    assert_int_equal(rekey("zeta", &count), XD_ECORRUPT);
    assert_int_equal(
        test_sql_int(dir,
                     "SELECT count(*) FROM partner_secrets WHERE CAST(sealed AS TEXT) LIKE 'NEW:%'",
                     NULL),
        0);
    assert_int_equal(rekey(NULL, &count), XD_OK);
    assert_int_equal(count, 3);
    assert_int_equal(
        test_sql_int(dir,
                     "SELECT count(*) FROM partner_secrets WHERE CAST(sealed AS TEXT) LIKE 'NEW:%'",
                     NULL),
        3);
    assert_int_equal(test_sql_int(dir,
                                  "SELECT count(*) FROM audit WHERE action = 'partner.rekey' "
                                  "AND after = '{\"credentials\":3,\"key_id\":\"k2\"}'",
                                  NULL),
                     1);
}

static void test_validation(void **state)
{
    (void)state;
    struct xd_store_op op;
    memset(&op, 0, sizeof op);
    op.kind = XD_STORE_OP_PARTNER_PUT;
    op.u.partner.id = "acme";
    op.u.partner.name = "Acme";
    op.u.partner.role = "supplier";
    op.u.partner.actor = "t";
    assert_int_equal(xd_store_execute(s, &op), XD_EINVAL); /* no body */
    assert_non_null(strstr(op.err.message, "partner.body"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rekey, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
