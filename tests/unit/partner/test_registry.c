/* The registry and applying profiles against a real store: lookups by id, X12 sender, GS id
 * and inbox; snapshots unchanged by later applies; versions (created, updated, unchanged);
 * credentials sealed, kept, replaced, opened, refused with the wrong key, caught when tampered
 * with, re-sealed by a key rotation; conflicts with other partners; and no secret value in the
 * database file, the audit log or the log output. */
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

#include "partner_test.h"
#include "store_test.h"

#define SECRET_A "s3cr3t-Alpha-9b1f"
#define SECRET_B "s3cr3t-Bravo-77c2"

static char dir[TEST_DIR_MAX];
static struct xd_store *s;
static struct xd_secret_key *key;
static struct xd_partner_registry *reg;

static int setup(void **state)
{
    (void)state;
    test_dir_make(dir);
    s = test_open(dir, false);
    assert_int_equal(xd_secret_key_generate(&key, NULL), XD_OK);
    assert_int_equal(xd_partner_registry_create(key, &reg), XD_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xd_partner_registry_destroy(reg);
    xd_secret_key_destroy(key);
    xd_store_close(s);
    test_dir_remove(dir);
    return 0;
}

static const char *supplier(const char *id, const char *isa, const char *secret, int attempts)
{
    static char buf[2048];
    char value[128] = "";
    if (secret != NULL) {
        snprintf(value, sizeof value, ", value: \"%s\"", secret);
    }
    snprintf(buf, sizeof buf,
             "id: %s\nname: Supplier %s\nrole: supplier\n"
             "identifiers: {isa_qualifier: ZZ, isa_id: %s, gs_id: %s}\n"
             "inbound:\n  inbox:\n    files: [{pattern: \"*.edi\", format: x12}]\n"
             "outbound:\n  endpoints:\n    - {name: api, kind: http, url: \"https://%s.example/\", "
             "auth: {type: bearer, credential: api-token}}\n"
             "  retry: {max_attempts: %d}\n"
             "documents:\n  - {type: purchase_order, direction: out, format: x12}\n"
             "  - {type: invoice, direction: in, format: x12}\n"
             "credentials:\n  api-token: {type: token%s}\n",
             id, id, isa, isa, id, attempts, value);
    return buf;
}

static enum xd_status apply(const char *yaml, struct xd_partner_apply_result *res,
                            struct xd_partner_problems *pr)
{
    struct xd_partner_profile *p = pt_valid(yaml);
    xd_partner_problems_init(pr, 50);
    struct xd_error err = {0};
    enum xd_status st = xd_partner_apply(reg, s, p, "tester", res, pr, &err);
    xd_partner_profile_unref(p);
    return st;
}

static void apply_ok(const char *yaml, bool created, bool unchanged, int64_t version)
{
    struct xd_partner_apply_result res;
    struct xd_partner_problems pr;
    enum xd_status st = apply(yaml, &res, &pr);
    if (st != XD_OK) {
        pt_dump(&pr);
        fail_msg("apply: %s", xd_status_name(st));
    }
    assert_int_equal(res.created, created);
    assert_int_equal(res.unchanged, unchanged);
    assert_int_equal(res.version, version);
    xd_partner_problems_cleanup(&pr);
}

static void expect_secret(struct xd_partner_registry *r, const char *id, const char *want,
                          enum xd_status want_st)
{
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(r);
    const struct xd_partner_profile *p = xd_partner_snapshot_find(snap, id);
    assert_non_null(p);
    struct xd_secret *sec = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_partner_credential_open(r, p, "api-token", &sec, &err), want_st);
    if (want_st == XD_OK) {
        assert_true(xd_secret_equals(sec, want, strlen(want)));
    }
    xd_secret_destroy(sec);
    xd_partner_snapshot_release(snap);
}

static void test_versions_and_credentials(void **state)
{
    (void)state;
    apply_ok(supplier("acme", "ACMEFAST", SECRET_A, 5), true, false, 1);
    expect_secret(reg, "acme", SECRET_A, XD_OK);
    /* The same again, the value left out, or given as "***": no new version. */
    apply_ok(supplier("acme", "ACMEFAST", SECRET_A, 5), false, true, 1);
    apply_ok(supplier("acme", "ACMEFAST", NULL, 5), false, true, 1);
    apply_ok(supplier("acme", "ACMEFAST", "***", 5), false, true, 1);
    /* A change of content keeps the stored value. */
    apply_ok(supplier("acme", "ACMEFAST", NULL, 6), false, false, 2);
    expect_secret(reg, "acme", SECRET_A, XD_OK);
    /* A new value is a new version, named in the audit record. */
    apply_ok(supplier("acme", "ACMEFAST", SECRET_B, 6), false, false, 3);
    expect_secret(reg, "acme", SECRET_B, XD_OK);
    assert_int_equal(test_sql_int(dir,
                                  "SELECT count(*) FROM audit WHERE action = 'partner.update' AND "
                                  "after LIKE '%\"credentials_changed\":[\"api-token\"]%'",
                                  NULL),
                     1);
    assert_int_equal(
        test_sql_int(dir, "SELECT count(*) FROM partner_versions WHERE id = 'acme'", NULL), 3);
    /* Any version reads back, sealed values attached, never the plaintext in the body. */
    struct xd_partner_profile *v1 = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_partner_load(s, "acme", 1, &v1, &err), XD_OK);
    assert_int_equal(v1->version, 1);
    assert_int_equal(v1->outbound.retry.max_attempts, 5);
    assert_non_null(v1->credentials[0].sealed);
    xd_partner_profile_unref(v1);
    assert_int_equal(xd_partner_load(s, "acme", 9, &v1, &err), XD_ENOTFOUND);
    int64_t checked = 0;
    assert_int_equal(xd_store_audit_verify(dir, &checked, &err), XD_OK);
}

static void test_first_apply_needs_a_value(void **state)
{
    (void)state;
    struct xd_partner_apply_result res;
    struct xd_partner_problems pr;
    assert_int_equal(apply(supplier("newco", "NEWCO", NULL, 5), &res, &pr), XD_EINVALDOC);
    assert_non_null(pt_find(&pr, "required", "credentials[\"api-token\"].value"));
    xd_partner_problems_cleanup(&pr);
    assert_int_equal(test_sql_int(dir, "SELECT count(*) FROM partners", NULL), 0);
}

static void test_conflicts_with_others(void **state)
{
    (void)state;
    apply_ok(supplier("acme", "ACMEFAST", SECRET_A, 5), true, false, 1);
    /* Another partner claiming the same X12 sender or GS id is refused, whole. */
    struct xd_partner_apply_result res;
    struct xd_partner_problems pr;
    assert_int_equal(apply(supplier("impostor", "ACMEFAST", SECRET_A, 5), &res, &pr), XD_EINVALDOC);
    assert_non_null(pt_find(&pr, "conflict", "identifiers.isa_id"));
    assert_non_null(pt_find(&pr, "conflict", "identifiers.gs_id"));
    xd_partner_problems_cleanup(&pr);
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(reg);
    assert_null(xd_partner_snapshot_find(snap, "impostor"));
    xd_partner_snapshot_release(snap);
    /* A 3PL failing over to a supplier is refused; to an unknown partner, accepted. */
    static const char tpl[] =
        "id: tpl\nname: T\nrole: 3pl\n"
        "outbound:\n  endpoints: [{name: e, kind: file, filename: \"{id}\"}]\n"
        "  failover: {alternate: %s}\n";
    char y[512];
    snprintf(y, sizeof y, tpl, "acme");
    assert_int_equal(apply(y, &res, &pr), XD_EINVALDOC);
    assert_non_null(pt_find(&pr, "reference", "outbound.failover.alternate"));
    xd_partner_problems_cleanup(&pr);
    snprintf(y, sizeof y, tpl, "not-yet-there");
    apply_ok(y, true, false, 1);
}

static void test_lookups_and_snapshots(void **state)
{
    (void)state;
    apply_ok(supplier("acme", "ACMEFAST", SECRET_A, 5), true, false, 1);
    apply_ok(supplier("beta", "BETA01", SECRET_B, 5), true, false, 1);
    struct xd_partner_snapshot *old = xd_partner_registry_acquire(reg);
    assert_int_equal(xd_partner_snapshot_count(old), 2);
    assert_string_equal(xd_partner_snapshot_at(old, 0)->id, "acme");
    /* ISA ids arrive padded to 15 characters. */
    const struct xd_partner_profile *p = xd_partner_snapshot_find_isa(old, "ZZ", "ACMEFAST       ");
    assert_non_null(p);
    assert_string_equal(p->id, "acme");
    assert_null(xd_partner_snapshot_find_isa(old, "01", "ACMEFAST"));
    assert_string_equal(xd_partner_snapshot_find_gs(old, "BETA01")->id, "beta");
    assert_string_equal(xd_partner_snapshot_find_inbox(old, "beta")->id, "beta");
    assert_null(xd_partner_snapshot_find(old, "gamma"));
    const struct xd_partner_endpoint *e =
        xd_partner_endpoint_for(xd_partner_snapshot_find(old, "acme"), XD_CANON_PURCHASE_ORDER);
    assert_string_equal(e->name, "api");
    /* Apply a change: the old snapshot is untouched, a new one sees it, and the generation
     * (what caches of derived configuration watch) moved. */
    uint64_t gen = xd_partner_registry_generation(reg);
    apply_ok(supplier("acme", "ACMEFAST", NULL, 9), false, false, 2);
    assert_true(xd_partner_registry_generation(reg) != gen);
    assert_int_equal(xd_partner_snapshot_find(old, "acme")->outbound.retry.max_attempts, 5);
    struct xd_partner_snapshot *now = xd_partner_registry_acquire(reg);
    assert_int_equal(xd_partner_snapshot_find(now, "acme")->outbound.retry.max_attempts, 9);
    assert_int_equal(xd_partner_snapshot_find(now, "acme")->version, 2);
    /* The unchanged profile is shared, not copied. */
    assert_ptr_equal(xd_partner_snapshot_find(now, "beta"), xd_partner_snapshot_find(old, "beta"));
    xd_partner_snapshot_release(old);
    xd_partner_snapshot_release(now);
    /* A load replaces everything: a new generation too. */
    gen = xd_partner_registry_generation(reg);
    struct xd_error err = {0};
    assert_int_equal(xd_partner_registry_load(reg, s, &err), XD_OK);
    assert_true(xd_partner_registry_generation(reg) != gen);
}

static void test_restart_wrong_key_tamper_rotation(void **state)
{
    (void)state;
    apply_ok(supplier("acme", "ACMEFAST", SECRET_A, 5), true, false, 1);
    struct xd_error err = {0};
    /* A fresh registry loads everything from the store and opens the credential. */
    struct xd_partner_registry *r2 = NULL;
    assert_int_equal(xd_partner_registry_create(key, &r2), XD_OK);
    assert_int_equal(xd_partner_registry_load(r2, s, &err), XD_OK);
    expect_secret(r2, "acme", SECRET_A, XD_OK);
    xd_partner_registry_destroy(r2);
    /* With another key: refused, and said so (not mistaken for tampering). */
    struct xd_secret_key *other = NULL;
    assert_int_equal(xd_secret_key_generate(&other, NULL), XD_OK);
    assert_int_equal(xd_partner_registry_create(other, &r2), XD_OK);
    assert_int_equal(xd_partner_registry_load(r2, s, &err), XD_OK);
    expect_secret(r2, "acme", NULL, XD_EPERM);
    xd_partner_registry_destroy(r2);
    /* Rotation: everything re-sealed with the new key; the old one no longer opens it. */
    int64_t count = 0;
    assert_int_equal(xd_partner_rekey(s, key, other, "tester", &count, &err), XD_OK);
    assert_int_equal(count, 1);
    assert_int_equal(xd_partner_registry_create(other, &r2), XD_OK);
    assert_int_equal(xd_partner_registry_load(r2, s, &err), XD_OK);
    expect_secret(r2, "acme", SECRET_A, XD_OK);
    xd_partner_registry_destroy(r2);
    assert_int_equal(xd_partner_registry_create(key, &r2), XD_OK);
    assert_int_equal(xd_partner_registry_load(r2, s, &err), XD_OK);
    expect_secret(r2, "acme", NULL, XD_EPERM);
    xd_partner_registry_destroy(r2);
    /* Rotating with the wrong old key changes nothing. */
    assert_int_equal(xd_partner_rekey(s, key, other, "tester", &count, &err), XD_EPERM);
    /* Tampered ciphertext: caught by the GCM tag. */
    test_sql(dir, "UPDATE partner_secrets SET sealed = "
                  "substr(sealed, 1, 30) || X'00' || substr(sealed, 32)");
    assert_int_equal(xd_partner_registry_create(other, &r2), XD_OK);
    assert_int_equal(xd_partner_registry_load(r2, s, &err), XD_OK);
    expect_secret(r2, "acme", NULL, XD_ECORRUPT);
    xd_partner_registry_destroy(r2);
    xd_secret_key_destroy(other);
}

static bool file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return false;
    }
    static char buf[16 * 1024 * 1024];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

/* Secret values appear nowhere they could leak: the database file (WAL included), the audit
 * log, the output of the API's form, and the log, even at debug level. */
static void test_no_secret_anywhere(void **state)
{
    (void)state;
    char log_path[128];
    snprintf(log_path, sizeof log_path, "%s/log.txt", dir);
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    xd_log_set_fd(fd);
    xd_log_set_level(XD_LOG_DEBUG);
    apply_ok(supplier("acme", "ACMEFAST", SECRET_A, 5), true, false, 1);
    apply_ok(supplier("acme", "ACMEFAST", SECRET_B, 6), false, false, 2);
    /* A profile refused for another reason while carrying a secret. */
    struct xd_partner_apply_result res;
    struct xd_partner_problems pr;
    assert_int_equal(apply(supplier("impostor", "ACMEFAST", SECRET_A, 5), &res, &pr), XD_EINVALDOC);
    for (size_t i = 0; i < pr.count; i++) {
        assert_null(strstr(pr.items[i].message, "s3cr3t"));
    }
    xd_partner_problems_cleanup(&pr);
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(reg);
    char *json = pt_json(xd_partner_snapshot_find(snap, "acme"), XD_PARTNER_EMIT_REDACTED);
    assert_null(strstr(json, "s3cr3t"));
    assert_non_null(strstr(json, "\"***\""));
    free(json);
    xd_partner_snapshot_release(snap);
    xd_log_set_fd(2);
    xd_log_set_level(XD_LOG_INFO);
    close(fd);
    assert_int_equal(test_sql_int(dir,
                                  "SELECT count(*) FROM audit WHERE before LIKE '%s3cr3t%' OR "
                                  "after LIKE '%s3cr3t%'",
                                  NULL),
                     0);
    assert_int_equal(
        test_sql_int(dir, "SELECT count(*) FROM partner_versions WHERE body LIKE '%s3cr3t%'", NULL),
        0);
    char path[128];
    snprintf(path, sizeof path, "%s/crossdock.db", dir);
    assert_false(file_contains(path, "s3cr3t"));
    snprintf(path, sizeof path, "%s/crossdock.db-wal", dir);
    assert_false(file_contains(path, "s3cr3t"));
    assert_false(file_contains(log_path, "s3cr3t"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_versions_and_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_apply_needs_a_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicts_with_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookups_and_snapshots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_wrong_key_tamper_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_secret_anywhere, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
