/* Exact decimals: parsing modes, formatting round trips, arithmetic and overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/decimal.h"

static struct xd_decimal dec(const char *s)
{
    struct xd_decimal d = {0, 0};
    assert_int_equal(xd_decimal_parse(s, strlen(s), XD_DECIMAL_LENIENT, &d), XD_OK);
    return d;
}

static void assert_dec_str(struct xd_decimal d, const char *want)
{
    char buf[XD_DECIMAL_STR_MAX];
    xd_decimal_format(d, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_strict_round_trip(void **state)
{
    (void)state;
    const char *ok[] = {"0",
                        "12.50",
                        "-3.125",
                        "1000000",
                        "0.000000000000000001",
                        "9223372036854775807",
                        "-9223372036854775808",
                        "-922337203685477.5808"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct xd_decimal d;
        assert_int_equal(xd_decimal_parse(ok[i], strlen(ok[i]), XD_DECIMAL_STRICT, &d), XD_OK);
        assert_dec_str(d, ok[i]);
    }
}

static void test_strict_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"",   "-",  "+1", ".5",   "5.",  "01",   "1e3", "1.2.3",
                         " 1", "1 ", "-0", "-0.0", "abc", "0x10", "1,5", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct xd_decimal d = {42, 1};
        assert_int_equal(xd_decimal_parse(bad[i], strlen(bad[i]), XD_DECIMAL_STRICT, &d),
                         XD_EPARSE);
        assert_int_equal(d.units, 42); /* untouched on failure */
    }
}

static void test_lenient(void **state)
{
    (void)state;
    assert_dec_str(dec("+1"), "1");
    assert_dec_str(dec(".5"), "0.5");
    assert_dec_str(dec("5."), "5");
    assert_dec_str(dec("007.10"), "7.10");
    assert_dec_str(dec("-0"), "0");
}

static void test_too_big(void **state)
{
    (void)state;
    struct xd_decimal d;
    const char *s = "9223372036854775808";
    assert_int_equal(xd_decimal_parse(s, strlen(s), XD_DECIMAL_STRICT, &d), XD_ETOOBIG);
    s = "0.1234567890123456789"; /* 19 fraction digits */
    assert_int_equal(xd_decimal_parse(s, strlen(s), XD_DECIMAL_STRICT, &d), XD_ETOOBIG);
    s = "99999999999999999999999999";
    assert_int_equal(xd_decimal_parse(s, strlen(s), XD_DECIMAL_STRICT, &d), XD_ETOOBIG);
}

static void test_arithmetic(void **state)
{
    (void)state;
    struct xd_decimal r;
    assert_int_equal(xd_decimal_add(dec("12.50"), dec("0.125"), &r), XD_OK);
    assert_dec_str(r, "12.625");
    assert_int_equal(xd_decimal_sub(dec("1"), dec("1.01"), &r), XD_OK);
    assert_dec_str(r, "-0.01");
    assert_int_equal(xd_decimal_mul(dec("12"), dec("2.50"), &r), XD_OK);
    assert_dec_str(r, "30.00");
    assert_int_equal(xd_decimal_div(dec("10"), dec("3"), 4, XD_ROUND_HALF_EVEN, &r), XD_OK);
    assert_dec_str(r, "3.3333");
    assert_int_equal(xd_decimal_div(dec("2.5"), dec("1"), 0, XD_ROUND_HALF_EVEN, &r), XD_OK);
    assert_dec_str(r, "2");
    assert_int_equal(xd_decimal_div(dec("3.5"), dec("1"), 0, XD_ROUND_HALF_EVEN, &r), XD_OK);
    assert_dec_str(r, "4");
    assert_int_equal(xd_decimal_div(dec("-2.5"), dec("1"), 0, XD_ROUND_HALF_UP, &r), XD_OK);
    assert_dec_str(r, "-3");
    assert_int_equal(xd_decimal_div(dec("1"), dec("0"), 2, XD_ROUND_HALF_EVEN, &r), XD_EINVAL);
    assert_int_equal(xd_decimal_rescale(dec("1.005"), 2, XD_ROUND_HALF_UP, &r), XD_OK);
    assert_dec_str(r, "1.01");
    assert_int_equal(xd_decimal_rescale(dec("1.5"), 3, XD_ROUND_DOWN, &r), XD_OK);
    assert_dec_str(r, "1.500");
    assert_dec_str(xd_decimal_normalize(dec("12.500")), "12.5");
}

static void test_overflow_detected(void **state)
{
    (void)state;
    struct xd_decimal r = {7, 0};
    assert_int_equal(xd_decimal_add(dec("9223372036854775807"), dec("1"), &r), XD_ETOOBIG);
    assert_int_equal(xd_decimal_sub(dec("-9223372036854775808"), dec("1"), &r), XD_ETOOBIG);
    assert_int_equal(xd_decimal_mul(dec("9223372036854775807"), dec("2"), &r), XD_ETOOBIG);
    assert_int_equal(xd_decimal_neg(dec("-9223372036854775808"), &r), XD_ETOOBIG);
    assert_int_equal(xd_decimal_rescale(dec("92233720368547758"), 3, XD_ROUND_DOWN, &r),
                     XD_ETOOBIG);
    /* Aligning scales can overflow too: 10^17 at scale 0 against a scale-2 value. */
    assert_int_equal(xd_decimal_add(dec("100000000000000000"), dec("0.01"), &r), XD_ETOOBIG);
    assert_int_equal(r.units, 7);
}

static void test_mul_reduces_scale(void **state)
{
    (void)state;
    struct xd_decimal r;
    assert_int_equal(xd_decimal_mul(dec("0.0000000010"), dec("0.0000000010"), &r), XD_OK);
    assert_dec_str(r, "0.000000000000000001");
    assert_int_equal(xd_decimal_mul(dec("0.0000000011"), dec("0.0000000011"), &r), XD_ETOOBIG);
}

static void test_compare(void **state)
{
    (void)state;
    assert_int_equal(xd_decimal_cmp(dec("1.0"), dec("1")), 0);
    assert_int_equal(xd_decimal_cmp(dec("-1"), dec("0.001")), -1);
    assert_int_equal(xd_decimal_cmp(dec("9223372036854775807"), dec("0.000000000000000001")), 1);
    int64_t v;
    assert_true(xd_decimal_to_int(dec("12.00"), &v));
    assert_int_equal(v, 12);
    assert_false(xd_decimal_to_int(dec("12.01"), &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strict_round_trip), cmocka_unit_test(test_strict_rejects),
        cmocka_unit_test(test_lenient),           cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_arithmetic),        cmocka_unit_test(test_overflow_detected),
        cmocka_unit_test(test_mul_reduces_scale), cmocka_unit_test(test_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
