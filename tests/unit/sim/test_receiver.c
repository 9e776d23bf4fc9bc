/* Unit tests of the receiver's handler hooks (src/sim/receiver.c), which the supplier,
 * warehouse and ERP simulators are built on: a key is handed to the handler until it answers
 * 2xx and never after; a retry that arrives while its first delivery is being handled is a
 * duplicate; --down-for answers 503 without handing anything over; extra GET routes; kept
 * bodies listed as documents. */
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
#include <curl/curl.h>

#include "sim/sim_int.h"

struct handler {
    pthread_mutex_t mu;
    int calls;
    int answer;       /* status to answer */
    useconds_t delay; /* how long handling takes */
};

static int handle(void *ctx, const struct xd_sim_delivery *d, struct xd_buf *answer)
{
    struct handler *h = ctx;
    usleep(h->delay);
    pthread_mutex_lock(&h->mu);
    h->calls++;
    int status = h->answer;
    pthread_mutex_unlock(&h->mu);
    if (xd_buf_printf(answer, "{\"len\":%zu}", d->body_len) != XD_OK) {
        return 500;
    }
    return status;
}

static int get(void *ctx, const char *path, struct xd_buf *out)
{
    (void)ctx;
    if (strcmp(path, "/_summary") != 0) {
        return 404;
    }
    return xd_buf_append_str(out, "{\"ok\":true}") == XD_OK ? 200 : 500;
}

static long post(uint16_t port, const char *key, const char *body, struct xd_buf *answer)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/in", (unsigned)port);
    long status = 0;
    struct xd_error err = {0};
    xd_buf_reset(answer);
    if (xd_sim__http_post(NULL, url, NULL, "application/json", key, body, strlen(body), 5000,
                          &status, answer, &err) != XD_OK) {
        return -1;
    }
    return status;
}

static struct xd_sim_receiver *start(struct handler *h, uint32_t down_for_ms)
{
    struct xd_sim_receiver_options o;
    xd_sim_receiver_options_init(&o);
    o.handle = handle;
    o.handle_ctx = h;
    o.get = get;
    o.down_for_ms = down_for_ms;
    o.keep_bodies = true;
    struct xd_sim_receiver *r = NULL;
    assert_int_equal(xd_sim_receiver_start(&o, &r, NULL), XD_OK);
    return r;
}

static void test_key_handled_until_taken(void **state)
{
    (void)state;
    struct handler h = {PTHREAD_MUTEX_INITIALIZER, 0, 503, 0};
    struct xd_sim_receiver *r = start(&h, 0);
    struct xd_buf answer;
    xd_buf_init(&answer, 4096);
    uint16_t port = xd_sim_receiver_port(r);
    assert_int_equal(post(port, "k1", "{\"type\":\"x\"}", &answer), 503);
    h.answer = 200;
    assert_int_equal(post(port, "k1", "{\"type\":\"x\"}", &answer), 200);
    assert_string_equal(answer.data, "{\"len\":12}"); /* the handler's own answer */
    assert_int_equal(post(port, "k1", "{\"type\":\"x\"}", &answer), 200);
    assert_non_null(strstr(answer.data, "\"duplicate\":true"));
    assert_int_equal(h.calls, 2);
    struct xd_sim_receiver_stats st;
    xd_sim_receiver_stats(r, &st);
    assert_int_equal(st.processed, 1);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.failed, 1);
    xd_buf_cleanup(&answer);
    xd_sim_receiver_stop(r);
}

struct racer {
    uint16_t port;
    long status;
};

static void *send_k2(void *arg)
{
    struct racer *rc = arg;
    struct xd_buf answer;
    xd_buf_init(&answer, 4096);
    rc->status = post(rc->port, "k2", "{}", &answer);
    xd_buf_cleanup(&answer);
    return NULL;
}

/* The hub timed out and sent again while the first delivery was still being handled. */
static void test_retry_during_handling_is_a_duplicate(void **state)
{
    (void)state;
    struct handler h = {PTHREAD_MUTEX_INITIALIZER, 0, 200, 300000};
    struct xd_sim_receiver *r = start(&h, 0);
    struct racer a = {xd_sim_receiver_port(r), 0}, b = a;
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, send_k2, &a), 0);
    usleep(50000);
    assert_int_equal(pthread_create(&tb, NULL, send_k2, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    assert_int_equal(h.calls, 1);
    xd_sim_receiver_stop(r);
}

static void test_down_for_then_up(void **state)
{
    (void)state;
    struct handler h = {PTHREAD_MUTEX_INITIALIZER, 0, 200, 0};
    struct xd_sim_receiver *r = start(&h, 300);
    struct xd_buf answer;
    xd_buf_init(&answer, 1 << 20);
    uint16_t port = xd_sim_receiver_port(r);
    assert_int_equal(post(port, "k3", "{\"type\":\"receipt\"}", &answer), 503);
    assert_int_equal(h.calls, 0);
    usleep(350000);
    assert_int_equal(post(port, "k3", "{\"type\":\"receipt\"}", &answer), 200);
    assert_int_equal(h.calls, 1);
    /* Extra GET routes, and the kept body listed as a document. */
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/_received", (unsigned)port);
    FILE *out = tmpfile();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long len = ftell(out);
    rewind(out);
    char *text = calloc(1, (size_t)len + 1);
    assert_int_equal(fread(text, 1, (size_t)len, out), (size_t)len);
    fclose(out);
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    json_t *records = json_object_get(j, "records");
    assert_int_equal(json_array_size(records), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(records, 0), "status")),
                     503);
    assert_null(json_object_get(json_array_get(records, 0), "document"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(records, 1), "document"), "type")),
                        "receipt");
    json_decref(j);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/_summary", (unsigned)port);
    out = tmpfile();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    assert_int_equal(code, 200);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/_nothing", (unsigned)port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    assert_int_equal(code, 404);
    fclose(out);
    curl_easy_cleanup(c);
    xd_buf_cleanup(&answer);
    xd_sim_receiver_stop(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_handled_until_taken),
        cmocka_unit_test(test_retry_during_handling_is_a_duplicate),
        cmocka_unit_test(test_down_for_then_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
