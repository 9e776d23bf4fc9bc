/* Delivery policy: the status and transport-error tables, backoff with jitter within its
 * bounds, Retry-After in every form RFC 9110 allows, and the retry bounds (attempts, age). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "deliver/deliver_int.h"

static void test_status_table(void **state)
{
    (void)state;
    const struct {
        int status;
        enum xd_deliver__class c;
    } cases[] = {
        {200, XD_DELIVER__DELIVERED}, {201, XD_DELIVER__DELIVERED}, {202, XD_DELIVER__DELIVERED},
        {204, XD_DELIVER__DELIVERED}, {299, XD_DELIVER__DELIVERED}, {301, XD_DELIVER__DEAD},
        {302, XD_DELIVER__DEAD},      {307, XD_DELIVER__DEAD},      {308, XD_DELIVER__DEAD},
        {400, XD_DELIVER__DEAD},      {401, XD_DELIVER__DEAD},      {403, XD_DELIVER__DEAD},
        {404, XD_DELIVER__DEAD},      {405, XD_DELIVER__DEAD},      {413, XD_DELIVER__DEAD},
        {415, XD_DELIVER__DEAD},      {422, XD_DELIVER__DEAD},      {408, XD_DELIVER__RETRY},
        {409, XD_DELIVER__RETRY},     {425, XD_DELIVER__RETRY},     {429, XD_DELIVER__RETRY},
        {410, XD_DELIVER__DISABLE},   {500, XD_DELIVER__RETRY},     {502, XD_DELIVER__RETRY},
        {503, XD_DELIVER__RETRY},     {504, XD_DELIVER__RETRY},     {599, XD_DELIVER__RETRY},
        {100, XD_DELIVER__RETRY},     {0, XD_DELIVER__RETRY},       {600, XD_DELIVER__RETRY},
        {-1, XD_DELIVER__RETRY},      {999, XD_DELIVER__RETRY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (xd_deliver__classify_status(cases[i].status) != cases[i].c) {
            fail_msg("status %d classified %d, want %d", cases[i].status,
                     xd_deliver__classify_status(cases[i].status), cases[i].c);
        }
    }
    assert_true(xd_deliver__counts_as_failure(XD_DELIVER__RETRY));
    assert_false(xd_deliver__counts_as_failure(XD_DELIVER__DEAD));
    assert_false(xd_deliver__counts_as_failure(XD_DELIVER__DELIVERED));
    assert_false(xd_deliver__counts_as_failure(XD_DELIVER__DISABLE));
}

static void test_transport_table(void **state)
{
    (void)state;
    const char *text = NULL;
    assert_int_equal(xd_deliver__classify_curl(CURLE_COULDNT_CONNECT, &text), XD_DELIVER__RETRY);
    assert_string_equal(text, "connection refused");
    assert_int_equal(xd_deliver__classify_curl(CURLE_OPERATION_TIMEDOUT, &text), XD_DELIVER__RETRY);
    assert_string_equal(text, "timed out");
    assert_int_equal(xd_deliver__classify_curl(CURLE_GOT_NOTHING, &text), XD_DELIVER__RETRY);
    assert_int_equal(xd_deliver__classify_curl(CURLE_RECV_ERROR, &text), XD_DELIVER__RETRY);
    assert_int_equal(xd_deliver__classify_curl(CURLE_PEER_FAILED_VERIFICATION, &text),
                     XD_DELIVER__RETRY);
    assert_int_equal(xd_deliver__classify_curl(CURLE_URL_MALFORMAT, &text), XD_DELIVER__DEAD);
    assert_int_equal(xd_deliver__classify_curl(CURLE_UNSUPPORTED_PROTOCOL, &text),
                     XD_DELIVER__DEAD);
    /* Unknown codes are the transport's trouble: retried, with libcurl's own text. */
    assert_int_equal(xd_deliver__classify_curl(CURLE_OUT_OF_MEMORY, &text), XD_DELIVER__RETRY);
    assert_non_null(text);
}

static void test_backoff_bounds(void **state)
{
    (void)state;
    const int64_t base = 1000;
    const int64_t max = 60000;
    for (uint32_t attempt = 1; attempt <= 40; attempt++) {
        int64_t full = base;
        for (uint32_t k = 1; k < attempt && full < max; k++) {
            full = full * 2 > max ? max : full * 2;
        }
        int64_t lo = INT64_MAX;
        int64_t hi = 0;
        for (uint64_t r = 0; r < 2000; r++) {
            uint64_t random = r * 0x9E3779B97F4A7C15ULL;
            int64_t d = xd_deliver__backoff_ms(base, max, attempt, random);
            if (d < full - full / 2 || d > full) {
                fail_msg("attempt %u: %lld outside [%lld, %lld]", attempt, (long long)d,
                         (long long)(full - full / 2), (long long)full);
            }
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        /* The jitter really spreads: both ends of the range are reached (within 2%). */
        assert_true(lo <= full - full / 2 + full / 50);
        assert_true(hi >= full - full / 50);
    }
    /* Extreme inputs stay bounded. */
    assert_true(xd_deliver__backoff_ms(base, max, UINT32_MAX, UINT64_MAX) <= max);
    assert_true(xd_deliver__backoff_ms(0, 0, 1, 5) >= 0);
    assert_true(xd_deliver__backoff_ms(INT64_MAX / 2, INT64_MAX, 80, 7) <= INT64_MAX);
}

static void test_retry_after(void **state)
{
    (void)state;
    /* 1994-11-06T08:49:37Z */
    const int64_t at = 784111777000LL;
    const int64_t now = at - 30000;
    int64_t d = -1;
    assert_int_equal(xd_deliver__retry_after("120", now, &d), XD_OK);
    assert_int_equal(d, 120000);
    assert_int_equal(xd_deliver__retry_after(" 0 ", now, &d), XD_OK);
    assert_int_equal(d, 0);
    const char *dates[] = {
        "Sun, 06 Nov 1994 08:49:37 GMT",  /* IMF-fixdate */
        "Sunday, 06-Nov-94 08:49:37 GMT", /* RFC 850 */
        "Sun Nov  6 08:49:37 1994",       /* asctime */
    };
    for (size_t i = 0; i < 3; i++) {
        d = -1;
        assert_int_equal(xd_deliver__retry_after(dates[i], now, &d), XD_OK);
        assert_int_equal(d, 30000);
    }
    /* A date in the past means now. */
    assert_int_equal(xd_deliver__retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at + 5000, &d),
                     XD_OK);
    assert_int_equal(d, 0);
    /* Huge delays are clamped to a year, not overflowed. */
    assert_int_equal(xd_deliver__retry_after("99999999999999999999", now, &d), XD_OK);
    assert_int_equal(d, 31536000LL * 1000);
    const char *bad[] = {"",
                         "soon",
                         "-5",
                         "1.5",
                         "12abc",
                         "Sun, 06 Nov 1994 08:49:37",
                         "Sun, 31 Feb 1994 08:49:37 GMT",
                         "Sun, 06 Nov 1994 25:49:37 GMT",
                         "Sun, 06 Foo 1994 08:49:37 GMT",
                         "Sun, 06 Nov 1994 08:49:37 GMT extra",
                         NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (xd_deliver__retry_after(bad[i], now, &d) == XD_OK) {
            fail_msg("'%s' was accepted", bad[i] ? bad[i] : "(null)");
        }
    }
}

static void test_plan_retry(void **state)
{
    (void)state;
    struct xd_deliver_endpoint e;
    xd_deliver_endpoint_defaults(&e);
    e.retry.max_attempts = 3;
    e.retry.base_ms = 100;
    e.retry.max_ms = 1000;
    e.retry.max_age_ms = 10000;
    int64_t next = 0;
    char why[160];
    const int64_t t0 = 1000000;
    assert_true(xd_deliver__plan_retry(&e, 1, t0, t0 + 10, -1, 42, &next, why, sizeof why));
    assert_true(next >= t0 + 10 + 50 && next <= t0 + 10 + 100);
    /* Retry-After replaces the backoff. */
    assert_true(xd_deliver__plan_retry(&e, 2, t0, t0 + 10, 3000, 42, &next, why, sizeof why));
    assert_int_equal(next, t0 + 3010);
    /* Attempts exhausted. */
    assert_false(xd_deliver__plan_retry(&e, 3, t0, t0 + 10, -1, 42, &next, why, sizeof why));
    assert_non_null(strstr(why, "after 3 attempts"));
    /* Too old, also when Retry-After asks to wait past the age. */
    assert_false(xd_deliver__plan_retry(&e, 1, t0, t0 + 9990, -1, 42, &next, why, sizeof why));
    assert_non_null(strstr(why, "maximum age"));
    assert_false(xd_deliver__plan_retry(&e, 1, t0, t0 + 10, 20000, 42, &next, why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_table),   cmocka_unit_test(test_transport_table),
        cmocka_unit_test(test_backoff_bounds), cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_plan_retry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
