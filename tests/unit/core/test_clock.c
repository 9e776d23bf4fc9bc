/* Calendar validation and RFC 3339 parsing/formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"

static int64_t parse(const char *s)
{
    int64_t ms = 0;
    assert_int_equal(xd_time_parse(s, strlen(s), &ms), XD_OK);
    return ms;
}

static void test_dates(void **state)
{
    (void)state;
    assert_true(xd_date_valid("2024-02-29", 10));
    assert_false(xd_date_valid("2023-02-29", 10));
    assert_false(xd_date_valid("1900-02-29", 10));
    assert_true(xd_date_valid("2000-02-29", 10));
    assert_false(xd_date_valid("2026-04-31", 10));
    assert_false(xd_date_valid("2026-13-01", 10));
    assert_false(xd_date_valid("2026-1-01", 9));
    assert_false(xd_date_valid("20261128", 8));
    assert_true(xd_timeofday_valid("23:59", 5));
    assert_true(xd_timeofday_valid("23:59:59", 8));
    assert_false(xd_timeofday_valid("24:00", 5));
}

static void test_time_parse_format(void **state)
{
    (void)state;
    assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse("2026-11-28T12:00:00.250Z"), 1795867200250LL);
    assert_int_equal(parse("2026-11-28T13:30:00+01:30"), 1795867200000LL);
    char buf[XD_TIME_STR_MAX];
    xd_time_format(1795867200250LL, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-28T12:00:00.250Z");
    xd_time_format(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    int64_t ms;
    const char *bad[] = {"2026-11-28",           "2026-11-28T12:00:00",   "2026-11-28T25:00:00Z",
                         "2026-02-30T00:00:00Z", "2026-11-28T12:00:00.Z", "2026-11-28 12:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(xd_time_parse(bad[i], strlen(bad[i]), &ms), XD_EPARSE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_time_parse_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
