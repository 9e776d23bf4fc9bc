/* Delivery endpoints from partner profiles: the mapping of every field a profile expresses
 * (URL, method, headers, bearer, basic and API-key authentication with their credentials,
 * the webhook signing secret, timeouts, private networks, order, retry, breaker, failover and
 * the alternate's endpoint), what cannot be used becoming config_error without a secret in it,
 * credentials sealed in a real store and opened (or not, with another key), and the registry:
 * profiles first, the fallback for what no profile defines, and a generation that moves on
 * every apply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "endpoints/endpoints.h"
#include "partner_test.h"
#include "store_test.h"

#define WHSEC    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define TOKEN    "FAKE-bearer-7d1e"
#define PASSWORD "FAKE-pass:word-42"
#define API_KEY  "FAKE-api-key-0c9a"

static const char acme_yaml[] =
    "id: acme\n"
    "name: Acme 3PL\n"
    "role: 3pl\n"
    "outbound:\n"
    "  endpoints:\n"
    "    - name: orders\n"
    "      kind: webhook\n"
    "      url: http://127.0.0.1:8099/hook?tenant=7\n"
    "      signing_secret: hook-key\n"
    "      auth: {type: bearer, credential: api-token}\n"
    "      headers: {X-Api-Version: \"2\", X-Tenant: northwind}\n"
    "      connect_timeout: 2s\n"
    "      timeout: 10s\n"
    "      allow_private_networks: [127.0.0.0/8, \"::1/128\"]\n"
    "      ordered: false\n"
    "      max_in_flight: 32\n"
    "    - name: api\n"
    "      kind: http\n"
    "      url: https://api.acme.example/v1/orders\n"
    "      method: PUT\n"
    "      auth: {type: basic, credential: login}\n"
    "    - name: keyed\n"
    "      kind: http\n"
    "      url: https://api.acme.example/v1/asn\n"
    "      auth: {type: header, header: X-Api-Key, credential: api-key}\n"
    "    - name: sftp\n"
    "      kind: file\n"
    "      filename: \"PO_{id}.json\"\n"
    "  retry: {max_attempts: 7, max_age: 2h, backoff_base: 2s, backoff_max: 1m}\n"
    "  circuit_breaker: {failures_to_open: 4, pause: 45s}\n"
    "  failover: {alternate: acme-b, after: 20m}\n"
    "documents:\n"
    "  - {type: shipping_order, direction: out, format: json, endpoint: orders}\n"
    "credentials:\n"
    "  api-token: {type: token, value: \"" TOKEN "\"}\n"
    "  login: {type: password, username: crossdock, value: \"" PASSWORD "\"}\n"
    "  api-key: {type: token, value: \"" API_KEY "\"}\n"
    "  hook-key: {type: hmac_key, value: \"" WHSEC "\"}\n";

/* The alternate: no "orders", two endpoints, shipping orders go to wms-in, and an "api". */
static const char acme_b_yaml[] =
    "id: acme-b\n"
    "name: Acme B\n"
    "role: 3pl\n"
    "outbound:\n"
    "  endpoints:\n"
    "    - {name: api, kind: http, url: \"https://b.example/api\"}\n"
    "    - {name: wms-in, kind: http, url: \"https://b.example/wms\"}\n"
    "documents:\n"
    "  - {type: shipping_order, direction: out, format: json, endpoint: wms-in}\n";

static struct xd_partner_registry *reg;

static int setup(void **state)
{
    (void)state;
    return xd_partner_registry_create(NULL, &reg) == XD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    xd_partner_registry_destroy(reg);
    return 0;
}

/* Parse and put a profile (credentials stay plaintext: no store, no key needed). */
static void put(const char *yaml)
{
    struct xd_partner_profile *p = pt_valid(yaml);
    assert_int_equal(xd_partner_registry_put(reg, p), XD_OK);
    xd_partner_profile_unref(p);
}

static void map(const char *partner, const char *name, struct xd_deliver_endpoint *out)
{
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(reg);
    const struct xd_partner_profile *p = xd_partner_snapshot_find(snap, partner);
    assert_non_null(p);
    const struct xd_partner_endpoint *pe = xd_partner_endpoint_find(p, name);
    assert_non_null(pe);
    assert_int_equal(xd_endpoints_map(reg, snap, p, pe, out), XD_OK);
    xd_partner_snapshot_release(snap);
}

static void test_webhook_fields(void **state)
{
    (void)state;
    put(acme_yaml);
    put(acme_b_yaml);
    struct xd_deliver_endpoint e;
    map("acme", "orders", &e);
    assert_string_equal(e.config_error, "");
    assert_string_equal(e.partner, "acme");
    assert_string_equal(e.name, "orders");
    assert_int_equal(e.kind, XD_DELIVER_WEBHOOK);
    assert_string_equal(e.url, "http://127.0.0.1:8099/hook?tenant=7");
    assert_string_equal(e.method, "POST");
    assert_int_equal(e.n_headers, 2);
    assert_string_equal(e.headers[0].name, "X-Api-Version");
    assert_string_equal(e.headers[0].value, "2");
    assert_string_equal(e.headers[1].name, "X-Tenant");
    assert_int_equal(e.auth.kind, XD_DELIVER_AUTH_BEARER);
    assert_string_equal(e.auth.secret, TOKEN);
    /* The signing key is the decoded whsec_ secret, as the receiver decodes it. */
    uint8_t key[XD_DELIVER_SECRET_MAX];
    size_t key_len = 0;
    assert_int_equal(xd_deliver_secret_decode(WHSEC, key, &key_len), XD_OK);
    assert_int_equal(e.signing_key_len, key_len);
    assert_memory_equal(e.signing_key, key, key_len);
    assert_int_equal(e.connect_timeout_ms, 2000);
    assert_int_equal(e.timeout_ms, 10000);
    assert_false(e.ordered);
    assert_int_equal(e.max_in_flight, 32);
    assert_int_equal(e.n_allow, 2);
    struct xd_deliver_cidr want;
    assert_int_equal(xd_deliver_cidr_parse("127.0.0.0/8", &want), XD_OK);
    assert_memory_equal(&e.allow[0], &want, sizeof want);
    /* The partner's policies, for each of its endpoints. */
    assert_int_equal(e.retry.max_attempts, 7);
    assert_int_equal(e.retry.max_age_ms, 2 * 3600 * 1000);
    assert_int_equal(e.retry.base_ms, 2000);
    assert_int_equal(e.retry.max_ms, 60000);
    assert_int_equal(e.breaker.failures, 4);
    assert_int_equal(e.breaker.open_ms, 45000);
    /* Failover: acme-b has no "orders"; it takes shipping orders at wms-in. */
    assert_string_equal(e.alternate_partner, "acme-b");
    assert_string_equal(e.alternate_endpoint, "wms-in");
    assert_int_equal(e.failover_after_ms, 20 * 60 * 1000);
    struct xd_error err = {0};
    assert_int_equal(xd_deliver_endpoint_check(&e, &err), XD_OK);
    memset(&e, 0, sizeof e);
}

static void test_auth_kinds_file_and_alternates(void **state)
{
    (void)state;
    put(acme_yaml);
    put(acme_b_yaml);
    struct xd_deliver_endpoint e;
    map("acme", "api", &e);
    assert_string_equal(e.config_error, "");
    assert_int_equal(e.kind, XD_DELIVER_HTTP);
    assert_string_equal(e.method, "PUT");
    assert_int_equal(e.auth.kind, XD_DELIVER_AUTH_BASIC);
    assert_string_equal(e.auth.username, "crossdock");
    assert_string_equal(e.auth.secret, PASSWORD);
    assert_int_equal(e.signing_key_len, 0);
    assert_string_equal(e.alternate_endpoint, "api"); /* the same name */
    map("acme", "keyed", &e);
    assert_string_equal(e.config_error, "");
    assert_int_equal(e.auth.kind, XD_DELIVER_AUTH_HEADER);
    assert_string_equal(e.auth.header, "X-Api-Key");
    assert_string_equal(e.auth.secret, API_KEY);
    assert_string_equal(e.alternate_endpoint, ""); /* nothing fits: the same name, unconfigured */
    map("acme", "sftp", &e);
    assert_string_equal(e.config_error, "");
    assert_int_equal(e.kind, XD_DELIVER_FILE);
    assert_int_equal(e.auth.kind, XD_DELIVER_AUTH_NONE);
    assert_string_equal(e.url, "");
    /* An alternate with one endpoint: that one, whatever its name. */
    put("id: solo-b\nname: Solo B\nrole: 3pl\noutbound:\n  endpoints:\n"
        "    - {name: single, kind: http, url: \"https://solo-b.example/\"}\n");
    put("id: solo\nname: Solo\nrole: 3pl\noutbound:\n  endpoints:\n"
        "    - {name: out, kind: http, url: \"https://solo.example/\"}\n"
        "  failover: {alternate: solo-b}\n");
    map("solo", "out", &e);
    assert_string_equal(e.alternate_partner, "solo-b");
    assert_string_equal(e.alternate_endpoint, "single");
    assert_int_equal(e.failover_after_ms, 15 * 60 * 1000); /* the profile's default */
    /* Without the alternate's profile nothing can be resolved: the same name. */
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(reg);
    const struct xd_partner_profile *p = xd_partner_snapshot_find(snap, "acme");
    assert_int_equal(xd_endpoints_map(reg, NULL, p, xd_partner_endpoint_find(p, "orders"), &e),
                     XD_OK);
    assert_string_equal(e.alternate_partner, "acme-b");
    assert_string_equal(e.alternate_endpoint, "");
    xd_partner_snapshot_release(snap);
    memset(&e, 0, sizeof e);
}

/* The ERP's endpoint: kind erp, the ERP's URL as its target, no authentication of its own
 * (the connector logs in with erp.credential). */
static void test_erp_endpoint(void **state)
{
    (void)state;
    put("id: erp\nname: ERP\nrole: erp\noutbound:\n  endpoints:\n"
        "    - {name: tryton, kind: erp}\n"
        "erp: {connector: tryton, url: \"http://10.0.0.5:8000/\", database: nw, "
        "credential: login}\n"
        "credentials:\n  login: {type: password, username: crossdock, value: pw}\n");
    struct xd_deliver_endpoint e;
    map("erp", "tryton", &e);
    assert_string_equal(e.config_error, "");
    assert_int_equal(e.kind, XD_DELIVER_ERP);
    assert_string_equal(e.url, "http://10.0.0.5:8000/");
    assert_int_equal(e.auth.kind, XD_DELIVER_AUTH_NONE);
    struct xd_error err = {0};
    assert_int_equal(xd_deliver_endpoint_check(&e, &err), XD_OK);
}

/* What the profile allows but delivery cannot send: config_error, secrets left out. */
static void test_unusable_without_secrets(void **state)
{
    (void)state;
    char long_key[400];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "id: odd\nname: Odd\nrole: customer\n"
             "outbound:\n  endpoints:\n"
             "    - {name: hook, kind: webhook, url: \"https://odd.example/h\", "
             "signing_secret: raw-key}\n"
             "    - {name: api, kind: http, url: \"https://odd.example/a\", "
             "auth: {type: basic, credential: login}}\n"
             "    - {name: plain, kind: http, url: \"https://odd.example/p\", "
             "auth: {type: bearer, credential: tok}}\n"
             "documents:\n  - {type: shipping_order, direction: out, format: json, "
             "endpoint: hook}\n"
             "credentials:\n"
             "  raw-key: {type: hmac_key, value: \"%s\"}\n"
             "  login: {type: password, username: \"a:b\", value: \"" PASSWORD "\"}\n"
             "  tok: {type: token, value: \"short-raw-key\"}\n",
             long_key);
    put(yaml);
    struct xd_deliver_endpoint e;
    map("odd", "hook", &e);
    assert_non_null(strstr(e.config_error, "signing_secret: credential raw-key"));
    assert_int_equal(e.signing_key_len, 0);
    map("odd", "api", &e);
    assert_non_null(strstr(e.config_error, "basic_username"));
    assert_null(strstr(e.config_error, PASSWORD));
    assert_string_equal(e.auth.secret, "");
    /* A key that is not whsec_ is the key's bytes. */
    map("odd", "plain", &e);
    assert_string_equal(e.config_error, "");
    memset(&e, 0, sizeof e);
}

/* Sealed in a real store: opened with the hub's key; with another key the endpoint exists but
 * cannot be used, and says why without the value. */
static void test_sealed_credentials(void **state)
{
    (void)state;
    char dir[TEST_DIR_MAX];
    test_dir_make(dir);
    struct xd_store *s = test_open(dir, false);
    struct xd_secret_key *key = NULL;
    struct xd_secret_key *other = NULL;
    assert_int_equal(xd_secret_key_generate(&key, NULL), XD_OK);
    assert_int_equal(xd_secret_key_generate(&other, NULL), XD_OK);
    struct xd_partner_registry *r = NULL;
    assert_int_equal(xd_partner_registry_create(key, &r), XD_OK);
    struct xd_partner_profile *p = pt_valid(acme_yaml);
    struct xd_partner_apply_result res;
    struct xd_partner_problems pr;
    xd_partner_problems_init(&pr, 20);
    struct xd_error err = {0};
    assert_int_equal(xd_partner_apply(r, s, p, "tester", &res, &pr, &err), XD_OK);
    xd_partner_problems_cleanup(&pr);
    xd_partner_profile_unref(p);
    struct xd_endpoints *eps = NULL;
    assert_int_equal(xd_endpoints_create(r, NULL, &eps), XD_OK);
    struct xd_deliver_registry dr;
    xd_endpoints_registry(eps, &dr);
    struct xd_deliver_endpoint e;
    assert_int_equal(dr.lookup(dr.arg, "acme", "orders", &e), XD_OK);
    assert_string_equal(e.config_error, "");
    assert_string_equal(e.auth.secret, TOKEN);
    assert_true(e.signing_key_len > 0);
    xd_endpoints_destroy(eps);
    xd_partner_registry_destroy(r);

    assert_int_equal(xd_partner_registry_create(other, &r), XD_OK);
    assert_int_equal(xd_partner_registry_load(r, s, &err), XD_OK);
    assert_int_equal(xd_endpoints_create(r, NULL, &eps), XD_OK);
    xd_endpoints_registry(eps, &dr);
    assert_int_equal(dr.lookup(dr.arg, "acme", "orders", &e), XD_OK);
    assert_non_null(strstr(e.config_error, "credential api-token cannot be opened"));
    assert_null(strstr(e.config_error, TOKEN));
    assert_string_equal(e.auth.secret, "");
    assert_int_equal(e.signing_key_len, 0);
    assert_int_equal(xd_deliver_endpoint_check(&e, &err), XD_OK); /* known, unusable */
    xd_endpoints_destroy(eps);
    xd_partner_registry_destroy(r);
    xd_secret_key_destroy(key);
    xd_secret_key_destroy(other);
    xd_store_close(s);
    test_dir_remove(dir);
    memset(&e, 0, sizeof e);
}

struct seen {
    char names[16][256];
    size_t n;
};

static enum xd_status collect(void *arg, const struct xd_deliver_endpoint *e)
{
    struct seen *s = arg;
    assert_true(s->n < 16);
    snprintf(s->names[s->n++], sizeof s->names[0], "%s/%s %.64s", e->partner, e->name, e->url);
    return XD_OK;
}

static bool has(const struct seen *s, const char *text)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->names[i], text) == 0) {
            return true;
        }
    }
    return false;
}

static void test_registry_profiles_first(void **state)
{
    (void)state;
    put(acme_yaml);
    struct xd_deliver_memreg *mem = NULL;
    assert_int_equal(xd_deliver_memreg_create(&mem), XD_OK);
    const char *json =
        "{\"endpoints\":["
        "{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"http\",\"url\":\"http://file/\"},"
        "{\"partner\":\"acme\",\"name\":\"extra\",\"kind\":\"http\",\"url\":\"http://extra/\"},"
        "{\"partner\":\"legacy\",\"name\":\"hook\",\"kind\":\"http\",\"url\":\"http://old/\"}]}";
    struct xd_error err = {0};
    assert_int_equal(xd_deliver_memreg_parse(mem, json, strlen(json), &err), XD_OK);
    struct xd_deliver_registry fb;
    xd_deliver_memreg_registry(mem, &fb);
    struct xd_endpoints *eps = NULL;
    assert_int_equal(xd_endpoints_create(reg, &fb, &eps), XD_OK);
    struct xd_deliver_registry dr;
    xd_endpoints_registry(eps, &dr);

    /* The profile's endpoint wins; the file serves what no profile defines. */
    struct xd_deliver_endpoint e;
    assert_int_equal(dr.lookup(dr.arg, "acme", "orders", &e), XD_OK);
    assert_string_equal(e.url, "http://127.0.0.1:8099/hook?tenant=7");
    assert_int_equal(dr.lookup(dr.arg, "acme", "extra", &e), XD_OK);
    assert_string_equal(e.url, "http://extra/");
    assert_int_equal(dr.lookup(dr.arg, "legacy", "hook", &e), XD_OK);
    assert_int_equal(dr.lookup(dr.arg, "acme", "nope", &e), XD_ENOTFOUND);
    assert_int_equal(dr.lookup(dr.arg, "nobody", "orders", &e), XD_ENOTFOUND);
    struct seen seen = {0};
    assert_int_equal(dr.each(dr.arg, collect, &seen), XD_OK);
    assert_int_equal(seen.n, 6); /* acme's four, then extra and legacy/hook; not file's orders */
    assert_true(has(&seen, "acme/orders http://127.0.0.1:8099/hook?tenant=7"));
    assert_true(has(&seen, "acme/sftp "));
    assert_true(has(&seen, "acme/extra http://extra/"));
    assert_true(has(&seen, "legacy/hook http://old/"));

    /* Applying a profile (here: a new URL) moves the generation and the next lookup sees it. */
    uint64_t g = dr.generation(dr.arg);
    char changed[sizeof acme_yaml + 16];
    snprintf(changed, sizeof changed, "%s", acme_yaml);
    char *at = strstr(changed, "8099/hook");
    memcpy(at, "8100", 4);
    put(changed);
    assert_true(dr.generation(dr.arg) != g);
    assert_int_equal(dr.lookup(dr.arg, "acme", "orders", &e), XD_OK);
    assert_string_equal(e.url, "http://127.0.0.1:8100/hook?tenant=7");
    /* So does a change of the fallback. */
    g = dr.generation(dr.arg);
    assert_int_equal(xd_deliver_memreg_parse(mem, json, strlen(json), &err), XD_OK);
    assert_true(dr.generation(dr.arg) != g);
    xd_endpoints_destroy(eps);
    xd_deliver_memreg_destroy(mem);
    memset(&e, 0, sizeof e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_webhook_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_kinds_file_and_alternates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unusable_without_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erp_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sealed_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_profiles_first, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
