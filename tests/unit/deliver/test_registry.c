/* Endpoint configuration: the JSON form (every field, defaults, secrets by environment), what
 * is refused and how the error names the field, all-or-nothing loading, lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deliver/deliver_int.h"

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static struct xd_deliver_memreg *reg;
static struct xd_deliver_registry r;

static int setup(void **state)
{
    (void)state;
    if (xd_deliver_memreg_create(&reg) != XD_OK) {
        return -1;
    }
    xd_deliver_memreg_registry(reg, &r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xd_deliver_memreg_destroy(reg);
    return 0;
}

static enum xd_status parse(const char *json, struct xd_error *err)
{
    return xd_deliver_memreg_parse(reg, json, strlen(json), err);
}

static void test_full_endpoint(void **state)
{
    (void)state;
    setenv("XD_TEST_TOKEN", "tok-123", 1);
    const char *json =
        "{\"endpoints\":[{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"webhook\","
        "\"url\":\"https://hooks.acme.example/in\",\"method\":\"PUT\","
        "\"headers\":{\"X-Api-Version\":\"2\"},\"bearer_token_env\":\"XD_TEST_TOKEN\","
        "\"webhook_secret\":\"" SECRET "\",\"connect_timeout_ms\":1000,\"timeout_ms\":4000,"
        "\"ordered\":false,\"max_in_flight\":4,"
        "\"retry\":{\"max_attempts\":7,\"max_age_s\":3600,\"backoff_base_ms\":200,"
        "\"backoff_max_ms\":9000},\"breaker\":{\"failures\":3,\"open_ms\":2500},"
        "\"allow_private\":[\"127.0.0.0/8\",\"::1\"],"
        "\"alternate\":{\"partner\":\"acme-backup\",\"after_ms\":60000}},"
        "{\"partner\":\"wh-east\",\"name\":\"sftp\",\"kind\":\"file\"}]}";
    struct xd_error err = {0};
    assert_int_equal(parse(json, &err), XD_OK);
    uint64_t gen = r.generation(r.arg);
    struct xd_deliver_endpoint e;
    assert_int_equal(r.lookup(r.arg, "acme", "orders", &e), XD_OK);
    assert_int_equal(e.kind, XD_DELIVER_WEBHOOK);
    assert_string_equal(e.method, "PUT");
    assert_int_equal(e.n_headers, 1);
    assert_string_equal(e.headers[0].name, "X-Api-Version");
    assert_int_equal(e.auth.kind, XD_DELIVER_AUTH_BEARER);
    assert_string_equal(e.auth.secret, "tok-123");
    assert_int_equal(e.signing_key_len, 24);
    assert_int_equal(e.connect_timeout_ms, 1000);
    assert_int_equal(e.timeout_ms, 4000);
    assert_false(e.ordered);
    assert_int_equal(e.max_in_flight, 4);
    assert_int_equal(e.retry.max_attempts, 7);
    assert_int_equal(e.retry.max_age_ms, 3600000);
    assert_int_equal(e.retry.base_ms, 200);
    assert_int_equal(e.retry.max_ms, 9000);
    assert_int_equal(e.breaker.failures, 3);
    assert_int_equal(e.breaker.open_ms, 2500);
    assert_int_equal(e.n_allow, 2);
    assert_string_equal(e.alternate_partner, "acme-backup");
    assert_int_equal(e.failover_after_ms, 60000);
    /* Defaults for what is not given. */
    assert_int_equal(r.lookup(r.arg, "wh-east", "sftp", &e), XD_OK);
    assert_int_equal(e.kind, XD_DELIVER_FILE);
    assert_true(e.ordered);
    assert_int_equal(e.retry.max_attempts, 10);
    assert_int_equal(r.lookup(r.arg, "acme", "nope", &e), XD_ENOTFOUND);
    /* Replacing an endpoint changes the generation. */
    assert_int_equal(parse("{\"endpoints\":[{\"partner\":\"wh-east\",\"name\":\"sftp\","
                           "\"kind\":\"file\",\"ordered\":false}]}",
                           &err),
                     XD_OK);
    assert_true(r.generation(r.arg) != gen);
    assert_int_equal(r.lookup(r.arg, "wh-east", "sftp", &e), XD_OK);
    assert_false(e.ordered);
}

static void test_refusals(void **state)
{
    (void)state;
    const struct {
        const char *endpoint; /* one endpoint object */
        const char *field;    /* what the error must name */
    } cases[] = {
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"ftp://x/\"}", "url"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://u:p@x/\"}", "url"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"webhook\",\"url\":\"http://x/\"}",
         "webhook_secret"},
        {"{\"partner\":\"../a\",\"name\":\"b\",\"kind\":\"file\"}", "partner"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"ftp\"}", "kind"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\",\"retries\":3}", "retries"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\",\"retry\":{\"max_attempts\":0}}",
         "retry.max_attempts"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\",\"retry\":{\"tries\":2}}",
         "retry.tries"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"headers\":{\"Authorization\":\"x\"}}",
         "headers"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"method\":\"GET\"}",
         "method"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\",\"allow_private\":[\"10/8\"]}",
         "allow_private"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\",\"bearer_token_env\":"
         "\"XD_NOT_SET_ANYWHERE\"}",
         "bearer_token_env"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\",\"alternate\":{\"partner\":\"a\"}}",
         "alternate"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"connect_timeout_ms\":5000,\"timeout_ms\":1000}",
         "timeout_ms"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"bearer_token\":\"t\",\"api_key\":\"k\",\"api_key_header\":\"X-Key\"}",
         "api_key"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"basic_password\":\"pw\"}",
         "basic_username"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"basic_username\":\"a:b\",\"basic_password\":\"pw\"}",
         "basic_username"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"api_key\":\"k\"}",
         "api_key_header"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"api_key\":\"k\",\"api_key_header\":\"Idempotency-Key\"}",
         "api_key_header"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"api_key\":\"k\",\"api_key_header\":\"X-Key\",\"headers\":{\"x-key\":\"v\"}}",
         "api_key_header"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"url\":\"http://x/\","
         "\"bearer_token\":\"a\\nX-Injected: 1\"}",
         "bearer_token"},
        {"{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\",\"bearer_token\":\"t\"}", "auth"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"endpoints\":[{\"partner\":\"ok\",\"name\":\"first\",\"kind\":\"file\"},%s]}",
                 cases[i].endpoint);
        struct xd_error err = {0};
        if (parse(json, &err) == XD_OK) {
            fail_msg("accepted: %s", cases[i].endpoint);
        }
        char want[96];
        snprintf(want, sizeof want, "endpoints[1].%s", cases[i].field);
        if (strstr(err.message, want) == NULL) {
            fail_msg("error '%s' does not name %s", err.message, want);
        }
    }
    /* Nothing of a refused file was kept, not even its valid first endpoint. */
    struct xd_deliver_endpoint e;
    assert_int_equal(r.lookup(r.arg, "ok", "first", &e), XD_ENOTFOUND);
    struct xd_error err = {0};
    assert_int_not_equal(parse("[]", &err), XD_OK);
    assert_int_not_equal(parse("{\"endpoints\":[],\"extra\":1}", &err), XD_OK);
    assert_int_not_equal(parse("{\"endpoints\":[", &err), XD_OK);
    assert_int_not_equal(
        parse("{\"endpoints\":[{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\"},"
              "{\"partner\":\"a\",\"name\":\"b\",\"kind\":\"file\"}]}",
              &err),
        XD_OK);
}

/* Basic credentials and API key headers; the error for a bad secret never quotes it. */
static void test_auth_kinds(void **state)
{
    (void)state;
    setenv("XD_TEST_PASSWORD", "pa ss:wörd", 1);
    const char *json = "{\"endpoints\":[{\"partner\":\"a\",\"name\":\"basic\",\"kind\":\"http\","
                       "\"url\":\"https://a.example/\",\"basic_username\":\"crossdock\","
                       "\"basic_password_env\":\"XD_TEST_PASSWORD\"},"
                       "{\"partner\":\"a\",\"name\":\"key\",\"kind\":\"http\","
                       "\"url\":\"https://a.example/\",\"api_key_header\":\"X-Api-Key\","
                       "\"api_key\":\"k-123\"}]}";
    struct xd_error err = {0};
    assert_int_equal(parse(json, &err), XD_OK);
    struct xd_deliver_endpoint e;
    assert_int_equal(r.lookup(r.arg, "a", "basic", &e), XD_OK);
    assert_int_equal(e.auth.kind, XD_DELIVER_AUTH_BASIC);
    assert_string_equal(e.auth.username, "crossdock");
    assert_string_equal(e.auth.secret, "pa ss:wörd");
    assert_int_equal(r.lookup(r.arg, "a", "key", &e), XD_OK);
    assert_int_equal(e.auth.kind, XD_DELIVER_AUTH_HEADER);
    assert_string_equal(e.auth.header, "X-Api-Key");
    assert_string_equal(e.auth.secret, "k-123");
    /* A token that would inject a header line: refused, without the token in the message. */
    snprintf(e.auth.secret, sizeof e.auth.secret, "SeCrEt\r\nX-Evil: 1");
    assert_int_equal(xd_deliver_endpoint_check(&e, &err), XD_EINVAL);
    assert_null(strstr(err.message, "SeCrEt"));
    /* A configuration error makes the rest irrelevant: only names are checked. */
    struct xd_deliver_endpoint broken;
    xd_deliver_endpoint_defaults(&broken);
    snprintf(broken.partner, sizeof broken.partner, "a");
    snprintf(broken.name, sizeof broken.name, "hook");
    snprintf(broken.config_error, sizeof broken.config_error, "credential x does not open");
    assert_int_equal(xd_deliver_memreg_put(reg, &broken, &err), XD_OK);
    memset(&e, 0, sizeof e);
}

static enum xd_status count_one(void *arg, const struct xd_deliver_endpoint *e)
{
    (void)e;
    (*(size_t *)arg)++;
    return XD_OK;
}

static void test_put_and_each(void **state)
{
    (void)state;
    struct xd_deliver_endpoint e;
    xd_deliver_endpoint_defaults(&e);
    snprintf(e.partner, sizeof e.partner, "p1");
    snprintf(e.name, sizeof e.name, "e1");
    e.kind = XD_DELIVER_HTTP;
    snprintf(e.url, sizeof e.url, "http://127.0.0.1:9/");
    struct xd_error err = {0};
    assert_int_equal(xd_deliver_memreg_put(reg, &e, &err), XD_OK);
    snprintf(e.name, sizeof e.name, "e2");
    assert_int_equal(xd_deliver_memreg_put(reg, &e, &err), XD_OK);
    assert_int_equal(xd_deliver_memreg_put(reg, &e, &err), XD_OK); /* replaced, not added */
    size_t n = 0;
    assert_int_equal(r.each(r.arg, count_one, &n), XD_OK);
    assert_int_equal(n, 2);
    e.kind = XD_DELIVER_WEBHOOK; /* without a secret */
    assert_int_equal(xd_deliver_memreg_put(reg, &e, &err), XD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_and_each, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
