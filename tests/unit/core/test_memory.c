/* Allocator fault injection, arenas and capped buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

static void test_fail_after(void **state)
{
    (void)state;
    xd_alloc_fail_after(2);
    void *a = xd_malloc(8);
    void *b = xd_malloc(8);
    void *c = xd_malloc(8);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_int_equal(xd_alloc_injected_failures(), 1);
    xd_alloc_fail_after(-1);
    void *d = xd_malloc(8);
    assert_non_null(d);
    xd_free(a);
    xd_free(b);
    xd_free(d);
}

static void test_arena_basics(void **state)
{
    (void)state;
    struct xd_arena *a = xd_arena_create(64, 0);
    assert_non_null(a);
    char *s = xd_arena_strdup(a, "purchase_order");
    assert_string_equal(s, "purchase_order");
    char *big = xd_arena_alloc(a, 1000); /* larger than a chunk */
    assert_non_null(big);
    memset(big, 'x', 1000);
    char *f = xd_arena_printf(a, "%s-%d", "PO", 4500001);
    assert_string_equal(f, "PO-4500001");
    assert_true(((uintptr_t)xd_arena_alloc(a, 3) % 16) == 0);
    assert_string_equal(s, "purchase_order"); /* earlier allocations stay valid */
    xd_arena_reset(a);
    assert_int_equal(xd_arena_used(a), 0);
    assert_non_null(xd_arena_strdup(a, "again"));
    xd_arena_destroy(a);
    xd_arena_destroy(NULL);
}

static int cleanup_order[4];
static int cleanup_count;

static void record_cleanup(void *arg)
{
    cleanup_order[cleanup_count++] = (int)(intptr_t)arg;
}

static void test_arena_cleanups_reverse(void **state)
{
    (void)state;
    cleanup_count = 0;
    struct xd_arena *a = xd_arena_create(0, 0);
    assert_int_equal(xd_arena_on_cleanup(a, record_cleanup, (void *)1), XD_OK);
    assert_int_equal(xd_arena_on_cleanup(a, record_cleanup, (void *)2), XD_OK);
    assert_int_equal(xd_arena_on_cleanup(a, record_cleanup, (void *)3), XD_OK);
    xd_arena_destroy(a);
    assert_int_equal(cleanup_count, 3);
    assert_int_equal(cleanup_order[0], 3);
    assert_int_equal(cleanup_order[2], 1);
}

static void test_arena_cap(void **state)
{
    (void)state;
    struct xd_arena *a = xd_arena_create(1024, 4096);
    int got = 0;
    while (xd_arena_alloc(a, 512) != NULL) {
        got++;
        assert_true(got < 100);
    }
    assert_true(got >= 6 && got <= 8);
    assert_null(xd_arena_alloc(a, 10000));
    xd_arena_destroy(a);
}

static void test_arena_oom_each_step(void **state)
{
    (void)state;
    /* Fail the Nth allocation for every N until the sequence succeeds: nothing may leak
     * (ASan's leak checker is the judge) and the failure must be reported. */
    for (long n = 0;; n++) {
        xd_alloc_fail_after(n);
        struct xd_arena *a = xd_arena_create(32, 0);
        int ok = a != NULL;
        for (int i = 0; ok && i < 10; i++) {
            ok = xd_arena_strdup(a, "a string longer than thirty-two bytes, to force blocks") !=
                 NULL;
        }
        xd_arena_destroy(a);
        xd_alloc_fail_after(-1);
        if (ok) {
            assert_true(n > 3);
            break;
        }
    }
}

/* A cap of SIZE_MAX means "no cap": b->max + 1 must not wrap to 0 and shrink the allocation. */
static void test_buf_uncapped(void **state)
{
    (void)state;
    struct xd_buf b;
    xd_buf_init(&b, SIZE_MAX);
    assert_int_equal(xd_buf_append_str(&b, "purchase_order 4500001"), XD_OK);
    assert_int_equal(xd_buf_printf(&b, " line %d", 10), XD_OK);
    assert_string_equal(b.data, "purchase_order 4500001 line 10");
    assert_true(b.alloc > b.len);
    xd_buf_cleanup(&b);
}

static void test_buf_cap_and_json(void **state)
{
    (void)state;
    struct xd_buf b;
    xd_buf_init(&b, 10);
    assert_int_equal(xd_buf_append_str(&b, "0123456789"), XD_OK);
    assert_int_equal(xd_buf_append_char(&b, 'x'), XD_ETOOBIG);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    xd_buf_cleanup(&b);

    xd_buf_init(&b, 1024);
    const char raw[] = "a\"b\\c\n\x01\xC3\xA9\xFF";
    assert_int_equal(xd_buf_append_json_str(&b, raw, sizeof raw - 1), XD_OK);
    assert_string_equal(b.data, "a\\\"b\\\\c\\n\\u0001\xC3\xA9\xEF\xBF\xBD");
    size_t len = 0;
    char *s = xd_buf_steal(&b, &len);
    assert_int_equal(len, strlen(s));
    assert_null(b.data);
    xd_free(s);
    assert_int_equal(xd_buf_printf(&b, "%d-%s", 7, "x"), XD_OK);
    assert_string_equal(b.data, "7-x");
    xd_buf_cleanup(&b);
}

static void test_diags_capped(void **state)
{
    (void)state;
    struct xd_diags d;
    xd_diags_init(&d, 3);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(xd_diags_add(&d, "required", "$.lines[0]", "problem %d", i), XD_OK);
    }
    assert_int_equal(d.count, 3);
    assert_int_equal(d.dropped, 2);
    assert_int_equal(xd_diags_total(&d), 5);
    assert_string_equal(d.items[2].message, "problem 2");
    xd_diags_cleanup(&d);
}

static void test_parse_int(void **state)
{
    (void)state;
    int64_t v;
    uint64_t u;
    assert_int_equal(xd_parse_i64("-42", 3, -100, 100, &v), XD_OK);
    assert_int_equal(v, -42);
    assert_int_equal(xd_parse_i64("101", 3, -100, 100, &v), XD_ETOOBIG);
    assert_int_equal(xd_parse_i64("", 0, -100, 100, &v), XD_EPARSE);
    assert_int_equal(xd_parse_i64("1a", 2, -100, 100, &v), XD_EPARSE);
    assert_int_equal(xd_parse_u64("18446744073709551615", 20, UINT64_MAX, &u), XD_OK);
    assert_int_equal(xd_parse_u64("18446744073709551616", 20, UINT64_MAX, &u), XD_ETOOBIG);
    assert_int_equal(xd_parse_i64("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &v), XD_OK);
    assert_true(v == INT64_MIN);
}

/* A sample is read from the line that starts with its series: not from a longer series it
 * begins, nor from a line that merely mentions it. */
static void test_metric_value(void **state)
{
    (void)state;
    static const char text[] = "x_count 3\n"
                               "# HELP x_sum the sum; x_sum 9 is not a sample\n"
                               "x_sum_total 7\n"
                               "x_sum 2.5\n"
                               "y{route=\"a\",status=\"201\"} 12\n";
    assert_true(xd_metric_value(text, "x_count") == 3);
    assert_true(xd_metric_value(text, "x_sum") == 2.5);
    assert_true(xd_metric_value(text, "y{route=\"a\",status=\"201\"}") == 12);
    assert_true(xd_metric_value(text, "y") == -1);
    assert_true(xd_metric_value(text, "z") == -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_after),
        cmocka_unit_test(test_arena_basics),
        cmocka_unit_test(test_arena_cleanups_reverse),
        cmocka_unit_test(test_arena_cap),
        cmocka_unit_test(test_arena_oom_each_step),
        cmocka_unit_test(test_buf_cap_and_json),
        cmocka_unit_test(test_buf_uncapped),
        cmocka_unit_test(test_diags_capped),
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_metric_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
