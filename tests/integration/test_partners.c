/* Partner profiles end to end: the real hub on a loopback port. PUT and GET in YAML and JSON,
 * versions and unchanged content, invalid profiles refused whole with their lines, admin-only
 * changes and partner tokens confined to their own profile, secrets never shown or logged,
 * the audit chain, the CLI (apply, list, show, test) against the hub, and the whole example
 * network applied. */
#include <sys/stat.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "hub.h"

#define SECRET "FAKE-integration-secret-5f1c9a"

static struct test_hub hub;

static int setup(void **state)
{
    (void)state;
    if (hub_setup(&hub, NULL) != 0 || hub_start(&hub, NULL, NULL) != 0) {
        fprintf(stderr, "could not start the hub (log: %s)\n", hub.log);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hub_teardown(&hub);
    return 0;
}

static char *url(const char *path)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", hub.url, path);
    return buf;
}

static const char *src_path(const char *rel)
{
    static char buf[8][1024];
    static int k;
    const char *src = getenv("CROSSDOCK_SRC");
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", src ? src : ".", rel);
    return buf[k];
}

static const char *const yaml_ct[] = {"Content-Type: application/yaml", NULL};
static const char *const json_ct[] = {"Content-Type: application/json", NULL};

static void put(const char *id, const char *body, const char *const *ct, const char *token,
                struct http_resp *r)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/partners/%s", id);
    http_request("PUT", url(path), token, body, strlen(body), ct, r);
}

static json_t *body_json(const struct http_resp *r)
{
    json_t *j = json_loads(r->body, 0, NULL);
    if (j == NULL) {
        fail_msg("not JSON: %s", r->body);
    }
    return j;
}

static const char profile_v1[] = "id: acme-int\n"
                                 "name: Acme Integration\n"
                                 "role: supplier\n"
                                 "identifiers: {isa_qualifier: ZZ, isa_id: ACMEINT}\n"
                                 "outbound:\n"
                                 "  endpoints:\n"
                                 "    - name: api\n"
                                 "      kind: http\n"
                                 "      url: https://acme-int.example/po\n"
                                 "      auth: {type: bearer, credential: api-token}\n"
                                 "documents:\n"
                                 "  - {type: purchase_order, direction: out, format: x12}\n"
                                 "credentials:\n"
                                 "  api-token: {type: token, value: \"" SECRET "\"}\n";

static char *token_for(const char *name, const char *role, const char *partner)
{
    static char out[8][128];
    static int k;
    k = (k + 1) % 8;
    const char *args[] = {"token",  "create", "--data",
                          hub.data, "--name", name,
                          "--role", role,     partner ? "--partner" : NULL,
                          partner,  NULL};
    assert_int_equal(hub_run_cli(&hub, args, out[k], sizeof out[k]), 0);
    out[k][strcspn(out[k], "\n")] = '\0';
    return out[k];
}

static void test_put_get_versions(void **state)
{
    (void)state;
    struct http_resp r;
    put("acme-int", profile_v1, yaml_ct, hub.token, &r);
    assert_int_equal(r.status, 201);
    json_t *j = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    assert_true(json_is_true(json_object_get(j, "created")));
    char loc[128];
    assert_true(http_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/v1/partners/acme-int");
    json_decref(j);
    http_resp_free(&r);
    /* The same content again: 200, unchanged, still version 1. */
    put("acme-int", profile_v1, yaml_ct, hub.token, &r);
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    assert_true(json_is_true(json_object_get(j, "unchanged")));
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    json_decref(j);
    http_resp_free(&r);
    /* GET as JSON: the secret is ***; that JSON, changed, PUT back as JSON: version 2, and the
     * stored secret kept. */
    http_request("GET", url("/v1/partners/acme-int"), hub.token, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, SECRET));
    j = body_json(&r);
    json_t *cred = json_object_get(json_object_get(j, "credentials"), "api-token");
    assert_string_equal(json_string_value(json_object_get(cred, "value")), "***");
    char v[32];
    assert_true(http_header(&r, "X-Partner-Version", v, sizeof v));
    assert_string_equal(v, "1");
    json_object_set_new(j, "name", json_string("Acme Integration Two"));
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_resp_free(&r);
    put("acme-int", body, json_ct, hub.token, &r);
    free(body);
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_false(json_is_true(json_object_get(j, "unchanged")));
    json_decref(j);
    http_resp_free(&r);
    /* YAML on request; an earlier version on request. */
    const char *accept_yaml[] = {"Accept: application/yaml", NULL};
    http_request("GET", url("/v1/partners/acme-int"), hub.token, NULL, 0, accept_yaml, &r);
    assert_int_equal(r.status, 200);
    char ct[64];
    assert_true(http_header(&r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/yaml");
    assert_non_null(strstr(r.body, "name: Acme Integration Two\n"));
    assert_non_null(strstr(r.body, "value: \"***\""));
    http_resp_free(&r);
    http_request("GET", url("/v1/partners/acme-int?version=1"), hub.token, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"name\":\"Acme Integration\""));
    http_resp_free(&r);
    http_request("GET", url("/v1/partners/acme-int?version=7"), hub.token, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 404);
    http_resp_free(&r);
    http_request("GET", url("/v1/partners/acme-int?version=x"), hub.token, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
    http_request("GET", url("/v1/partners"), hub.token, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    json_t *first = json_array_get(json_object_get(j, "partners"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "id")), "acme-int");
    assert_int_equal(json_integer_value(json_object_get(first, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(first, "role")), "supplier");
    json_decref(j);
    http_resp_free(&r);
    assert_int_equal(hub_log_count(&hub, SECRET), 0);
    assert_int_equal(hub_log_count(&hub, "partner.apply"), 3);
    /* A restart keeps it all: the registry is loaded from the store, the key from its file. */
    assert_int_equal(hub_stop(&hub, SIGTERM), 0);
    assert_int_equal(hub_start(&hub, NULL, NULL), 0);
    http_request("GET", url("/v1/partners/acme-int"), hub.token, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Acme Integration Two"));
    http_resp_free(&r);
    put("acme-int", profile_v1, yaml_ct, hub.token, &r);
    j = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
    json_decref(j);
    http_resp_free(&r);
    char key_path[600];
    snprintf(key_path, sizeof key_path, "%s/secret.key", hub.data);
    struct stat sb;
    assert_int_equal(stat(key_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* Never in the log (this run's), whatever happened. */
    assert_int_equal(hub_log_count(&hub, SECRET), 0);
    assert_int_equal(hub_log_count(&hub, "partner.apply"), 1);
}

static void test_invalid_refused_whole(void **state)
{
    (void)state;
    static const char bad[] = "id: broken\n"
                              "name: Broken\n"
                              "role: suplier\n"
                              "outbound:\n"
                              "  endpoints:\n"
                              "    - {name: e, kind: http, url: \"http://10.0.0.5/x\"}\n"
                              "  retry: {max_atempts: 3}\n";
    struct http_resp r;
    put("broken", bad, yaml_ct, hub.token, &r);
    assert_int_equal(r.status, 422);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "urn:crossdock:problem:invalid-profile");
    json_t *errs = json_object_get(j, "errors");
    /* Field problems; the rules (the private address of the url) wait until those are fixed. */
    assert_int_equal(json_array_size(errs), 2);
    static const struct {
        const char *path;
        int line;
    } want[] = {{"role", 3}, {"outbound.retry.max_atempts", 7}};
    for (size_t i = 0; i < 2; i++) {
        bool found = false;
        size_t k;
        json_t *e;
        json_array_foreach(errs, k, e)
        {
            if (strcmp(json_string_value(json_object_get(e, "path")), want[i].path) == 0) {
                found = true;
                assert_int_equal(json_integer_value(json_object_get(e, "line")), want[i].line);
            }
        }
        if (!found) {
            fail_msg("no problem at %s: %s", want[i].path, r.body);
        }
    }
    json_decref(j);
    http_resp_free(&r);
    static const char fixed[] = "id: broken\n"
                                "name: Broken\n"
                                "role: carrier\n"
                                "outbound:\n"
                                "  endpoints:\n"
                                "    - {name: e, kind: http, url: \"http://10.0.0.5/x\"}\n"
                                "  retry: {max_attempts: 3}\n";
    put("broken", fixed, yaml_ct, hub.token, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"path\":\"outbound.endpoints[0].url\",\"line\":6"));
    http_resp_free(&r);
    http_request("GET", url("/v1/partners/broken"), hub.token, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 404);
    http_resp_free(&r);
    /* Not YAML at all; the id of the body not the URL's; a media type it does not take. */
    put("broken", "id: [x\n", yaml_ct, hub.token, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"code\":\"syntax\""));
    http_resp_free(&r);
    put("other-id", profile_v1, yaml_ct, hub.token, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"code\":\"mismatch\""));
    assert_non_null(strstr(r.body, "\"line\":1"));
    http_resp_free(&r);
    const char *text[] = {"Content-Type: text/plain", NULL};
    put("acme-int", profile_v1, text, hub.token, &r);
    assert_int_equal(r.status, 415);
    http_resp_free(&r);
}

static void test_tokens_and_isolation(void **state)
{
    (void)state;
    struct http_resp r;
    put("acme-int", profile_v1, yaml_ct, hub.token, &r);
    http_resp_free(&r);
    char other[4096];
    snprintf(other, sizeof other, "%s", profile_v1);
    char *p = strstr(other, "acme-int");
    memcpy(p, "beta-int", 8);
    p = strstr(other, "ACMEINT");
    memcpy(p, "BETAINT", 7);
    put("beta-int", other, yaml_ct, hub.token, &r);
    assert_int_equal(r.status, 201);
    http_resp_free(&r);

    const char *acme = token_for("acme-int-token", "partner", "acme-int");
    const char *operator= token_for("ops", "operator", NULL);
    /* Only admins change profiles. */
    put("acme-int", profile_v1, yaml_ct, acme, &r);
    assert_int_equal(r.status, 403);
    http_resp_free(&r);
    put("acme-int", profile_v1, yaml_ct, operator, & r);
    assert_int_equal(r.status, 403);
    http_resp_free(&r);
    put("acme-int", profile_v1, yaml_ct, NULL, &r);
    assert_int_equal(r.status, 401);
    http_resp_free(&r);
    /* A partner reads its own profile, not another's, and lists only itself. */
    http_request("GET", url("/v1/partners/acme-int"), acme, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, SECRET));
    http_resp_free(&r);
    http_request("GET", url("/v1/partners/beta-int"), acme, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 403);
    http_resp_free(&r);
    http_request("GET", url("/v1/partners"), acme, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "acme-int"));
    assert_null(strstr(r.body, "beta-int"));
    http_resp_free(&r);
    http_request("GET", url("/v1/partners/beta-int"), operator, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
}

static void test_audit(void **state)
{
    (void)state;
    struct http_resp r;
    put("acme-int", profile_v1, yaml_ct, hub.token, &r);
    http_resp_free(&r);
    char changed[4096];
    snprintf(changed, sizeof changed, "%s  \n", profile_v1);
    char *p = strstr(changed, "Acme Integration");
    memcpy(p, "Acme Integrated!", 16);
    put("acme-int", changed, yaml_ct, hub.token, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    const char *args[] = {"audit", "verify", "--data", hub.data, NULL};
    char out[512];
    assert_int_equal(hub_run_cli(&hub, args, out, sizeof out), 0);
    assert_non_null(strstr(out, "intact"));
}

static int cli(const char *const *args, char *out, size_t cap)
{
    const char *argv[40];
    size_t n = 0;
    for (size_t i = 0; args[i] != NULL && n < 34; i++) {
        argv[n++] = args[i];
    }
    argv[n++] = "--url";
    argv[n++] = hub.url;
    argv[n++] = "--token";
    argv[n++] = hub.token;
    argv[n] = NULL;
    return hub_run_cli(&hub, argv, out, cap);
}

static void test_cli_against_hub(void **state)
{
    (void)state;
    static char out[65536];
    /* The whole example network, its ERP password from the secrets file. */
    static const char *const files[] = {
        "acme-fasteners",     "erp-northwind", "globex-packaging",  "great-lakes-3pl",
        "northwind-b2b-shop", "odfl",          "safehands-medical", "summit-3pl",
        "wms-chicago",        "wms-dallas",    "wms-newark",        "wms-reno",
    };
    const char *args[40] = {"partner", "apply"};
    size_t n = 2;
    char paths[13][1024];
    const char *src = getenv("CROSSDOCK_SRC");
    for (size_t i = 0; i < 12; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/examples/partners/%s.yaml", src ? src : ".",
                 files[i]);
        args[n++] = paths[i];
    }
    snprintf(paths[12], sizeof paths[12], "%s/examples/secrets/partner-secrets.example.yaml",
             src ? src : ".");
    args[n++] = "--secrets";
    args[n++] = paths[12];
    args[n] = NULL;
    int rc = cli(args, out, sizeof out);
    if (rc != 0) {
        fail_msg("apply of the examples failed:\n%s", out);
    }
    for (size_t i = 0; i < 12; i++) {
        char want[128];
        snprintf(want, sizeof want, "%s created, version 1", files[i]);
        assert_non_null(strstr(out, want));
    }
    /* Again: all unchanged. */
    assert_int_equal(cli(args, out, sizeof out), 0);
    assert_non_null(strstr(out, "wms-reno unchanged, version 1"));
    assert_int_equal(hub_log_count(&hub, "FAKE-tryton-password"), 0);

    const char *list[] = {"partner", "list", NULL};
    assert_int_equal(cli(list, out, sizeof out), 0);
    assert_non_null(strstr(out, "great-lakes-3pl"));
    assert_non_null(strstr(out, "erp-northwind"));

    const char *show[] = {"partner", "show", "erp-northwind", "--yaml", NULL};
    assert_int_equal(cli(show, out, sizeof out), 0);
    assert_non_null(strstr(out, "connector: tryton"));
    assert_non_null(strstr(out, "value: \"***\""));
    assert_null(strstr(out, "FAKE-tryton-password"));

    /* A refused file: every problem as FILE:LINE:COLUMN; exit 1. */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad.yaml", hub.dir);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("id: bad-one\nname: Bad\nrole: carrier\noutbound:\n  retry: {max_attempts: 0}\n", f);
    fclose(f);
    const char *apply_bad[] = {"partner", "apply", bad, NULL};
    assert_int_equal(cli(apply_bad, out, sizeof out), 1);
    char want[700];
    snprintf(want, sizeof want, "%s:5:25: outbound.retry.max_attempts:", bad);
    if (strstr(out, want) == NULL) {
        fail_msg("expected '%s' in:\n%s", want, out);
    }
    assert_non_null(strstr(out, "refused, 1 problem(s)"));

    /* The harness, offline: examples pass (exit 0), a broken sample fails (exit 1). */
    const char *test_ok[] = {
        "partner",
        "test",
        src_path("examples/partners/globex-packaging.yaml"),
        src_path("examples/partners/samples/globex-packaging/ACK_20260304.csv"),
        src_path("examples/partners/samples/globex-packaging/ASN_20260310.csv"),
        src_path("examples/partners/samples/globex-packaging/INV_20260311.csv"),
        NULL};
    assert_int_equal(hub_run_cli(&hub, test_ok, out, sizeof out), 0);
    assert_non_null(strstr(out, "3 of 3 sample(s) passed"));
    assert_non_null(strstr(out, "\"sku\": \"NW-10077\""));
    char sample[600];
    snprintf(sample, sizeof sample, "%s/ACK_bad.csv", hub.dir);
    f = fopen(sample, "w");
    assert_non_null(f);
    fputs("PO Number,Ack Number,Ack Date,Status,Line,Vendor Part,Line Status,Ordered,Confirmed,"
          "UOM,Price,Ship Date\n"
          "4500012388,GX-1,03/04/2026,Accepted,1,GX-NOPE,Accepted,1,1,CS,1.00,03/10/2026\n",
          f);
    fclose(f);
    const char *test_bad[] = {"partner", "test",
                              src_path("examples/partners/globex-packaging.yaml"), sample, NULL};
    assert_int_equal(hub_run_cli(&hub, test_bad, out, sizeof out), 1);
    assert_non_null(strstr(out, "FAIL"));
    assert_non_null(strstr(out, "GX-NOPE"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_versions),     cmocka_unit_test(test_invalid_refused_whole),
        cmocka_unit_test(test_tokens_and_isolation), cmocka_unit_test(test_audit),
        cmocka_unit_test(test_cli_against_hub),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
