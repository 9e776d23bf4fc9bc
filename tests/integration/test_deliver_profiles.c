/* Delivery configured by partner profiles, end to end: the real `crossdock serve` and real
 * `crossdock sim receiver` processes on loopback ports. A profile applied with PUT
 * /v1/partners/{id} gives a webhook endpoint (signed with the profile's hmac_key, bearer
 * token), an http endpoint (PUT, basic authentication) and a file endpoint; messages enqueued
 * with POST /v1/outbox arrive signed and authenticated, files land in partners/<id>/outbox/.
 * Applying the profile again with another URL and an API key header sends the next message
 * there, also after a restart. An --endpoints file serves only what no profile defines. No
 * secret reaches the log or the API. */
#include <sys/wait.h>

#include <dirent.h>
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

#include "hub.h"

#define WHSEC    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define TOKEN    "FAKE-bearer-token-8c2d51"
#define API_KEY  "FAKE-api-key-77e0b3"
#define USERNAME "crossdock"
#define PASSWORD "FAKE-basic-pw-31"
/* base64("crossdock:FAKE-basic-pw-31") */
#define BASIC "Y3Jvc3Nkb2NrOkZBS0UtYmFzaWMtcHctMzE="

static struct test_hub hub;

/* ------------------------------------------------------------------------------------------ */
/* Helpers */

static json_t *api(const char *method, const char *path, const char *body, const char *ct,
                   long *status)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", hub.url, path);
    char ct_header[64];
    snprintf(ct_header, sizeof ct_header, "Content-Type: %s", ct);
    const char *headers[] = {ct_header, NULL};
    struct http_resp r;
    http_request(method, url, hub.token, body, body ? strlen(body) : 0, headers, &r);
    *status = r.status;
    json_error_t e;
    json_t *j = json_loadb(r.body, r.len, 0, &e);
    if (j == NULL && r.status >= 300) {
        fprintf(stderr, "%s %s: %ld %s\n", method, path, r.status, r.body);
    }
    http_resp_free(&r);
    return j;
}

/* The profile of partner acme with the webhook at <hook_url> authenticated by <hook_auth>
 * (with its credential, a YAML line under credentials: every credential must be used), and
 * the http endpoint (PUT, basic authentication) at <api_base>/acme/api. */
static void apply_profile(const char *hook_url, const char *hook_auth, const char *hook_cred,
                          const char *api_base, long want_status)
{
    char yaml[4096];
    int n = snprintf(yaml, sizeof yaml,
                     "id: acme\n"
                     "name: Acme 3PL\n"
                     "role: 3pl\n"
                     "outbound:\n"
                     "  endpoints:\n"
                     "    - name: orders\n"
                     "      kind: webhook\n"
                     "      url: %s\n"
                     "      signing_secret: hook-key\n"
                     "      auth: %s\n"
                     "      headers: {X-Tenant: northwind}\n"
                     "      allow_private_networks: [127.0.0.0/8]\n"
                     "    - name: api\n"
                     "      kind: http\n"
                     "      url: %s/acme/api\n"
                     "      method: PUT\n"
                     "      auth: {type: basic, credential: login}\n"
                     "      allow_private_networks: [127.0.0.0/8]\n"
                     "    - name: drop\n"
                     "      kind: file\n"
                     "      filename: \"SO_{id}.json\"\n"
                     "      ordered: false\n"
                     "      max_in_flight: 3\n"
                     "  retry: {max_attempts: 50, max_age: 1h, backoff_base: 100ms, "
                     "backoff_max: 1s}\n"
                     "  circuit_breaker: {failures_to_open: 20, pause: 1s}\n"
                     "documents:\n"
                     "  - {type: shipping_order, direction: out, format: json, endpoint: "
                     "orders}\n"
                     "credentials:\n"
                     "  %s\n"
                     "  login: {type: password, username: " USERNAME ", value: \"" PASSWORD "\"}\n"
                     "  hook-key: {type: hmac_key, value: \"" WHSEC "\"}\n",
                     hook_url, hook_auth, api_base, hook_cred);
    assert_true(n > 0 && (size_t)n < sizeof yaml);
    long status = 0;
    json_t *j = api("PUT", "/v1/partners/acme", yaml, "application/yaml", &status);
    if (status != want_status) {
        char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
        fail_msg("PUT /v1/partners/acme: %ld, want %ld: %s", status, want_status, text ? text : "");
    }
    json_decref(j);
}

static void enqueue(const char *partner, const char *endpoint, int n, char (*ids)[48])
{
    for (int i = 0; i < n; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"partner\":\"%s\",\"endpoint\":\"%s\",\"body\":{\"n\":%d}}",
                 partner, endpoint, i);
        long status = 0;
        json_t *j = api("POST", "/v1/outbox", body, "application/json", &status);
        if (status != 201) {
            fail_msg("enqueue to %s/%s: %ld", partner, endpoint, status);
        }
        snprintf(ids[i], 48, "%s", json_string_value(json_object_get(j, "id")));
        json_decref(j);
    }
}

static int count_delivered(void)
{
    long status = 0;
    json_t *j =
        api("GET", "/v1/outbox?state=delivered&limit=1000", NULL, "application/json", &status);
    assert_int_equal(status, 200);
    int n = (int)json_array_size(json_object_get(j, "messages"));
    json_decref(j);
    return n;
}

static void wait_delivered(int want)
{
    int got = -1;
    for (int waited = 0; waited <= 30000; waited += 50) {
        if ((got = count_delivered()) == want) {
            return;
        }
        usleep(50000);
    }
    long status = 0;
    json_t *j = api("GET", "/v1/outbox?limit=1000", NULL, "application/json", &status);
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    fail_msg("%d messages delivered, want %d: %s", got, want, text ? text : "");
}

static json_t *received(const struct test_rcv *r)
{
    char url[128];
    snprintf(url, sizeof url, "%s/_received", r->url);
    struct http_resp resp;
    assert_int_equal(http_request("GET", url, NULL, NULL, 0, NULL, &resp), 0);
    json_error_t e;
    json_t *j = json_loadb(resp.body, resp.len, 0, &e);
    http_resp_free(&resp);
    assert_non_null(j);
    return j;
}

/* <r> processed exactly the messages <ids>, in order, each with <method> on <path>, with a
 * valid signature (when <signed_>) and the headers <r> requires (when <checked>). */
static void assert_received(const struct test_rcv *r, char (*ids)[48], int n, const char *method,
                            const char *path, bool signed_, bool checked)
{
    json_t *rec = received(r);
    json_t *list = json_object_get(rec, "records");
    if ((int)json_array_size(list) != n) {
        char *text = json_dumps(rec, JSON_COMPACT);
        fail_msg("%s received %zu requests, want %d: %s", r->url, json_array_size(list), n, text);
    }
    for (int i = 0; i < n; i++) {
        json_t *x = json_array_get(list, (size_t)i);
        assert_string_equal(json_string_value(json_object_get(x, "key")), ids[i]);
        assert_string_equal(json_string_value(json_object_get(x, "method")), method);
        assert_string_equal(json_string_value(json_object_get(x, "path")), path);
        assert_true(json_is_true(json_object_get(x, "processed")));
        assert_true(checked ? json_is_true(json_object_get(x, "headers_valid"))
                            : json_is_null(json_object_get(x, "headers_valid")));
        assert_true(signed_ ? json_is_true(json_object_get(x, "signature_valid"))
                            : json_is_null(json_object_get(x, "signature_valid")));
    }
    json_decref(rec);
}

/* GET /v1/endpoints' object for acme/<name> (a new reference). */
static json_t *endpoint_state(const char *partner, const char *name)
{
    long status = 0;
    json_t *j = api("GET", "/v1/endpoints", NULL, "application/json", &status);
    assert_int_equal(status, 200);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_null(strstr(text, TOKEN)); /* never a secret in the API */
    assert_null(strstr(text, API_KEY));
    assert_null(strstr(text, PASSWORD));
    free(text);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "endpoints"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "partner")), partner) == 0 &&
            strcmp(json_string_value(json_object_get(e, "name")), name) == 0) {
            json_incref(e);
            json_decref(j);
            return e;
        }
    }
    fail_msg("no endpoint %s/%s", partner, name);
    return NULL;
}

static void assert_no_secret_in_log(void)
{
    assert_int_equal(hub_log_count(&hub, TOKEN), 0);
    assert_int_equal(hub_log_count(&hub, API_KEY), 0);
    assert_int_equal(hub_log_count(&hub, PASSWORD), 0);
    assert_int_equal(hub_log_count(&hub, BASIC), 0);
    assert_int_equal(hub_log_count(&hub, WHSEC + 6), 0);
}

/* The files of partners/acme/outbox, sorted; each name holds the id of the message in that
 * place, and no temporary file is left. */
static void assert_outbox(char (*ids)[48], int n)
{
    char dir[700];
    snprintf(dir, sizeof dir, "%s/partners/acme/outbox", hub.data);
    struct dirent **names = NULL;
    int got = scandir(dir, &names, NULL, alphasort);
    assert_int_equal(got, n + 2); /* ., .. */
    for (int k = 2; k < got; k++) {
        assert_non_null(strstr(names[k]->d_name, ids[k - 2]));
        assert_non_null(strstr(names[k]->d_name, "-drop-"));
        assert_null(strstr(names[k]->d_name, ".part"));
    }
    for (int k = 0; k < got; k++) {
        free(names[k]);
    }
    free(names);
}

/* ------------------------------------------------------------------------------------------ */

static void test_profile_configures_delivery(void **state)
{
    (void)state;
    assert_int_equal(hub_setup(&hub, NULL), 0);
    struct test_rcv first, second, basic, legacy;
    const char *first_args[] = {"--secret",
                                WHSEC,
                                "--require-header",
                                "Authorization: Bearer " TOKEN,
                                "--require-header",
                                "X-Tenant: northwind",
                                NULL};
    const char *second_args[] = {"--secret", WHSEC, "--require-header", "X-Api-Key: " API_KEY,
                                 NULL};
    const char *basic_args[] = {"--require-header", "Authorization: Basic " BASIC, NULL};
    const char *legacy_args[] = {NULL};
    assert_int_equal(rcv_start(&first, &hub, hub.dir, 0, first_args), 0);
    assert_int_equal(rcv_start(&second, &hub, hub.dir, 0, second_args), 0);
    assert_int_equal(rcv_start(&basic, &hub, hub.dir, 0, basic_args), 0);
    assert_int_equal(rcv_start(&legacy, &hub, hub.dir, 0, legacy_args), 0);

    /* The file defines acme/orders too (somewhere wrong): the profile's wins. */
    char path[600];
    snprintf(path, sizeof path, "%s/endpoints.json", hub.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"endpoints\":["
            "{\"partner\":\"acme\",\"name\":\"orders\",\"kind\":\"http\","
            "\"url\":\"%s/wrong\",\"allow_private\":[\"127.0.0.0/8\"]},"
            "{\"partner\":\"legacy\",\"name\":\"hook\",\"kind\":\"http\","
            "\"url\":\"%s/legacy\",\"allow_private\":[\"127.0.0.0/8\"]}]}",
            legacy.url, legacy.url);
    fclose(f);
    const char *args[] = {"--endpoints", path, NULL};
    assert_int_equal(hub_start(&hub, args, NULL), 0);

    /* Profile version 1: the webhook on the first receiver with a bearer token. */
    char url[128];
    snprintf(url, sizeof url, "%s/acme/orders", first.url);
    apply_profile(url, "{type: bearer, credential: api-token}",
                  "api-token: {type: token, value: \"" TOKEN "\"}", basic.url, 201);
    char a[3][48], b[2][48], files[2][48], l[1][48];
    enqueue("acme", "orders", 3, a);
    enqueue("acme", "api", 2, b);
    enqueue("acme", "drop", 2, files);
    enqueue("legacy", "hook", 1, l);
    wait_delivered(8);
    assert_received(&first, a, 3, "POST", "/acme/orders", true, true);
    assert_received(&basic, b, 2, "PUT", "/acme/api", false, true);
    assert_outbox(files, 2);
    assert_received(&legacy, l, 1, "POST", "/legacy", false, false);
    json_t *e = endpoint_state("acme", "drop");
    assert_non_null(
        strstr(json_string_value(json_object_get(e, "target")), "/partners/acme/outbox/"));
    assert_true(json_is_false(json_object_get(e, "ordered")));
    assert_int_equal(json_integer_value(json_object_get(e, "max_in_flight")), 3);
    json_decref(e);
    e = endpoint_state("acme", "api"); /* ordered, the default: one at a time */
    assert_int_equal(json_integer_value(json_object_get(e, "max_in_flight")), 1);
    json_decref(e);
    assert_no_secret_in_log();

    /* Version 2: the webhook moves to the second receiver, authenticated by an API key
     * header. The next messages go there; nothing more reaches the first. */
    snprintf(url, sizeof url, "%s/acme/orders-v2", second.url);
    apply_profile(url, "{type: header, header: X-Api-Key, credential: api-key}",
                  "api-key: {type: token, value: \"" API_KEY "\"}", basic.url, 200);
    e = endpoint_state("acme", "orders");
    assert_non_null(strstr(json_string_value(json_object_get(e, "target")), second.url));
    assert_true(json_is_null(json_object_get(e, "config_error")));
    json_decref(e);
    char c[2][48];
    enqueue("acme", "orders", 2, c);
    wait_delivered(10);
    assert_received(&second, c, 2, "POST", "/acme/orders-v2", true, true);
    assert_received(&first, a, 3, "POST", "/acme/orders", true, true);
    assert_no_secret_in_log();

    /* After a restart the profile comes from the store, its credentials open with the data
     * directory's key, and the file's acme/orders is named as shadowed. */
    int status = hub_stop(&hub, SIGTERM);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(hub_start(&hub, args, NULL), 0);
    assert_int_equal(hub_log_count(&hub, "acme/orders is defined by the partner's profile"), 1);
    char d[1][48];
    enqueue("acme", "orders", 1, d);
    wait_delivered(11);
    char all[3][48];
    memcpy(all[0], c[0], 48);
    memcpy(all[1], c[1], 48);
    memcpy(all[2], d[0], 48);
    assert_received(&second, all, 3, "POST", "/acme/orders-v2", true, true);
    assert_no_secret_in_log();

    rcv_stop(&first, SIGTERM);
    rcv_stop(&second, SIGTERM);
    rcv_stop(&basic, SIGTERM);
    rcv_stop(&legacy, SIGTERM);
    hub_teardown(&hub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_configures_delivery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
