/* SPDX-License-Identifier: MIT
 * The strict JSON pull parser (src/canon/canon_json.c) on its own: every edge of RFC 8259 it
 * must accept or refuse (escapes and surrogate pairs, UTF-8 without overlong forms, numbers,
 * literals, blanks, byte order marks, trailing bytes, nesting, duplicate names), where it says
 * a problem is, and what strings and numbers come back as. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canon/canon_json.h"

/* Parse one whole document of <len> bytes; returns the status, with "line L, column C" of a
 * failure in <where> and its message in <msg> (either may be NULL). */
static enum xd_status parse_n(const char *text, size_t len, char *where, char *msg)
{
    struct xd_arena *a = xd_arena_create(0, 0);
    assert_non_null(a);
    struct xd_canon__json j;
    xd_canon__json_init(&j, text, len, a);
    if (xd_canon__json_skip(&j)) {
        (void)xd_canon__json_finish(&j);
    }
    enum xd_status st = j.status;
    if (where != NULL) {
        xd_canon__json_where(&j, where, 64);
    }
    if (msg != NULL) {
        snprintf(msg, XD_CANON__JSON_MSG_MAX, "%s", j.err);
    }
    xd_canon__json_cleanup(&j);
    xd_arena_destroy(a);
    return st;
}

static enum xd_status parse(const char *text)
{
    return parse_n(text, strlen(text), NULL, NULL);
}

static void expect_ok(const char *text)
{
    char where[64], msg[XD_CANON__JSON_MSG_MAX];
    enum xd_status st = parse_n(text, strlen(text), where, msg);
    if (st != XD_OK) {
        print_message("refused %s: %s at %s\n", text, msg, where);
    }
    assert_int_equal(st, XD_OK);
}

/* Refused with XD_EPARSE at "line 1, column <column>" (0: anywhere), message containing <part>
 * (NULL: any). */
static void expect_bad(const char *text, size_t len, int column, const char *part)
{
    char where[64], msg[XD_CANON__JSON_MSG_MAX];
    enum xd_status st = parse_n(text, len, where, msg);
    char want[64];
    snprintf(want, sizeof want, "line 1, column %d", column);
    bool ok = st == XD_EPARSE && (column == 0 || strcmp(where, want) == 0) &&
              (part == NULL || strstr(msg, part) != NULL);
    if (!ok) {
        print_message("%.*s: %s \"%s\" at %s; wanted EPARSE at column %d with \"%s\"\n", (int)len,
                      text, xd_status_name(st), msg, where, column, part ? part : "");
    }
    assert_true(ok);
}

#define BAD(lit, column, part) expect_bad((lit), sizeof(lit) - 1, (column), (part))

/* The decoded text of the JSON string <text>, with its character count. */
static void expect_decoded(const char *text, const char *want, size_t want_len, size_t want_chars)
{
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon__json j;
    xd_canon__json_init(&j, text, strlen(text), a);
    assert_int_equal(xd_canon__json_peek(&j), XD_CANON__J_STRING);
    struct xd_canon__jstr s;
    assert_true(xd_canon__json_string(&j, &s, true));
    assert_true(xd_canon__json_finish(&j));
    if (s.len != want_len || memcmp(s.p, want, want_len) != 0 || s.chars != want_chars) {
        print_message("%s decoded to %zu bytes, %zu chars\n", text, s.len, s.chars);
    }
    assert_int_equal(s.len, want_len);
    assert_memory_equal(s.p, want, want_len);
    assert_int_equal(s.chars, want_chars);
    const char *c = xd_canon__json_cstr(&j, &s);
    assert_non_null(c);
    assert_int_equal(strlen(c), want_len);
    xd_canon__json_cleanup(&j);
    xd_arena_destroy(a);
}

static void test_escapes(void **state)
{
    (void)state;
    expect_decoded("\"plain\"", "plain", 5, 5);
    expect_decoded("\"\"", "", 0, 0);
    expect_decoded("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8, 8);
    expect_decoded("\"\\u0041\\u00e9\\u00C9\"", "A\xC3\xA9\xC3\x89", 5, 3);
    expect_decoded("\"\\u20ac\"", "\xE2\x82\xAC", 3, 1);
    expect_decoded("\"\\ud83d\\ude00!\"", "\xF0\x9F\x98\x80!", 5, 2); /* a pair is one */
    expect_decoded("\"\\uDBFF\\uDFFF\"", "\xF4\x8F\xBF\xBF", 4, 1);   /* U+10FFFF */
    expect_decoded("\"\\u0001\\u001f\"", "\x01\x1f", 2, 2);           /* controls, escaped */
    expect_decoded("\"caf\xC3\xA9 \xE2\x82\xAC\"", "caf\xC3\xA9 \xE2\x82\xAC", 9, 6);

    BAD("\"\\x\"", 2, "invalid escape");
    BAD("\"\\'\"", 2, "invalid escape");
    BAD("\"\\u12\"", 2, "four hex digits");
    BAD("\"\\u12G4\"", 2, "four hex digits");
    BAD("\"\\", 2, "ends inside an escape");
    BAD("\"\\u00", 2, "four hex digits");
    BAD("\"\\u0000\"", 2, "\\u0000");
    BAD("\"ab\\ud800\"", 4, "first half");
    BAD("\"\\ud800\\u0041\"", 2, "first half");
    BAD("\"\\ud800\\ud800\"", 2, "first half");
    BAD("\"\\ud800x\\udc00\"", 2, "first half");
    BAD("\"\\udc00\"", 2, "second half");
    BAD("\"\\udfff\\ud800\"", 2, "second half");
}

static void test_utf8(void **state)
{
    (void)state;
    expect_ok("\"\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF\"");
    expect_ok("\"\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF \x7F\""); /* U+10000, U+10FFFF, DEL */
    BAD("\"\x80\"", 2, "invalid UTF-8");                     /* a lone continuation byte */
    BAD("\"\xC0\xAF\"", 2, "invalid UTF-8");                 /* overlong '/' */
    BAD("\"\xC1\xBF\"", 2, "invalid UTF-8");
    BAD("\"\xE0\x80\xAF\"", 2, "invalid UTF-8"); /* overlong, three bytes */
    BAD("\"\xE0\x9F\xBF\"", 2, "invalid UTF-8");
    BAD("\"\xF0\x80\x80\xAF\"", 2, "invalid UTF-8"); /* overlong, four bytes */
    BAD("\"\xF0\x8F\xBF\xBF\"", 2, "invalid UTF-8");
    BAD("\"\xED\xA0\x80\"", 2, "invalid UTF-8");     /* U+D800 as UTF-8 */
    BAD("\"\xED\xBF\xBF\"", 2, "invalid UTF-8");     /* U+DFFF */
    BAD("\"\xF4\x90\x80\x80\"", 2, "invalid UTF-8"); /* U+110000 */
    BAD("\"\xF5\x80\x80\x80\"", 2, "invalid UTF-8");
    BAD("\"\xFF\"", 2, "invalid UTF-8");
    BAD("\"\xFE\xFF\"", 2, "invalid UTF-8");
    BAD("\"x\xE2\x82\"", 3, "invalid UTF-8"); /* cut short by the quote */
    BAD("\"\xE2\x82", 2, "invalid UTF-8");    /* cut short by the end */
    BAD("\"\xC3\x28\"", 2, "invalid UTF-8");  /* second byte not continuation */
    BAD("\"\xF0\x9F\x98\"", 2, "invalid UTF-8");
    /* Outside strings nothing but ASCII belongs. */
    BAD("[\xC2\xA0"
        "1]",
        2, "expected a value");
    /* Raw control characters must be escaped; columns count characters, not bytes. */
    BAD("\"\xC3\xA9\x01\"", 3, "control character U+0001");
    BAD("\"a\tb\"", 3, "control character U+0009");
    BAD("\"a\nb\"", 3, "control character U+000A");
    BAD("\"\x1F\"", 2, "control character");
    expect_bad("\"a\0b\"", 5, 3, "control character U+0000");
    expect_bad("[1,\0]", 5, 4, "expected a value");
}

static void test_numbers(void **state)
{
    (void)state;
    const char *good[] = {"0",
                          "-0",
                          "1",
                          "-1",
                          "10",
                          "1.5",
                          "-0.0",
                          "1e5",
                          "1E+5",
                          "1e-5",
                          "-0.0e0",
                          "0e0",
                          "123.456e-789",
                          "1e999",
                          "-1e-999",
                          "123456789012345678901234567890123456789012345678901234567890"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        expect_ok(good[i]);
    }
    BAD("01", 2, "leading zeros");
    BAD("-01", 3, "leading zeros");
    BAD("00", 2, "leading zeros");
    BAD("1.", 3, "after '.'");
    BAD("1.e3", 3, "after '.'");
    BAD(".5", 1, "expected a value");
    BAD("+1", 1, "expected a value");
    BAD("-", 2, "after '-'");
    BAD("--1", 2, "after '-'");
    BAD("-a", 2, "after '-'");
    BAD("1e", 3, "exponent");
    BAD("1e+", 4, "exponent");
    BAD("1E-x", 4, "exponent");
    BAD("0x10", 2, "end of the input");
    BAD("1.5.3", 4, "end of the input");
    BAD("Infinity", 1, "expected a value");
    BAD("NaN", 1, "expected a value");
    BAD("[1 2]", 4, "',' or ']'");

    /* The text and whether it is an integer come back as they were. */
    const char *cases[][2] = {
        {"-0", "i"}, {"12", "i"}, {"1.0", "r"}, {"1e2", "r"}, {"99999999999999999999999", "i"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct xd_arena *a = xd_arena_create(0, 0);
        struct xd_canon__json j;
        const char *text = cases[i][0];
        xd_canon__json_init(&j, text, strlen(text), a);
        assert_int_equal(xd_canon__json_peek(&j), XD_CANON__J_NUMBER);
        const char *got;
        size_t len;
        bool integer;
        assert_true(xd_canon__json_number(&j, &got, &len, &integer));
        assert_int_equal(len, strlen(text));
        assert_memory_equal(got, text, len);
        assert_int_equal(integer, cases[i][1][0] == 'i');
        xd_canon__json_cleanup(&j);
        xd_arena_destroy(a);
    }
}

static void test_literals_and_blanks(void **state)
{
    (void)state;
    expect_ok("true");
    expect_ok("false");
    expect_ok("null");
    expect_ok(" \t\r\n[ true , false\t,\nnull\r] \n");
    expect_ok("{ \"a\" : [ ] , \"b\" : { } }");
    BAD("tru", 1, "such as true");
    BAD("nul", 1, "such as null");
    BAD("fals", 1, "such as false");
    BAD("TRUE", 1, "expected a value");
    BAD("truex", 5, "end of the input");
    BAD("[nulll]", 6, "',' or ']'");
    /* Only space, tab, CR and LF are blanks. */
    BAD("[\f1]", 2, "expected a value");
    BAD("[\v1]", 2, "expected a value");
    BAD("\xEF\xBB\xBF{}", 1, "byte order mark");
    BAD("", 1, "not the end of the input");
    BAD("   ", 4, "not the end of the input");
    expect_ok("{}\n");
    BAD("{} x", 4, "the end of the input after the document");
    BAD("{}{}", 3, "the end of the input after the document");
    BAD("[]]", 3, "after the document");
    BAD("\"a\" \"b\"", 5, "after the document");
}

static void test_structure(void **state)
{
    (void)state;
    BAD("{\"a\" 1}", 6, "':'");
    BAD("{\"a\":}", 6, "expected a value");
    BAD("{,}", 2, "member name (a string) or '}'");
    BAD("{\"a\":1,}", 8, "member name (a string) after ','");
    BAD("{\"a\":1 \"b\":2}", 8, "',' or '}'");
    BAD("{1:2}", 2, "member name");
    BAD("{'a':1}", 2, "member name");
    BAD("[1,]", 4, "expected a value");
    BAD("[,1]", 2, "expected a value");
    BAD("[1,,2]", 4, "expected a value");
    BAD("\"abc", 1, "not closed");
    BAD("{\"a\":\"b", 6, "not closed");
    BAD("{\"a\":1", 7, "',' or '}'");
    BAD("[", 2, "expected a value");
    BAD("]", 1, "expected a value");
    BAD("}", 1, "expected a value");
    /* Lines and columns: a problem on line 3, after tabs and a two-byte character. */
    char where[64];
    const char *lines = "[\n 1,\n\t\"\xC3\xA9\", x]";
    assert_int_equal(parse_n(lines, strlen(lines), where, NULL), XD_EPARSE);
    assert_string_equal(where, "line 3, column 7");
}

static char *nested(size_t levels, const char *open, const char *close)
{
    size_t lo = strlen(open), lc = strlen(close);
    char *s = xd_malloc(levels * (lo + lc) + 1);
    assert_non_null(s);
    for (size_t i = 0; i < levels; i++) {
        memcpy(s + i * lo, open, lo);
        memcpy(s + levels * lo + i * lc, close, lc);
    }
    s[levels * (lo + lc)] = '\0';
    return s;
}

static void test_depth(void **state)
{
    (void)state;
    char where[64], msg[XD_CANON__JSON_MSG_MAX];
    char *ok = nested(XD_CANON_MAX_DEPTH, "[", "]");
    assert_int_equal(parse(ok), XD_OK);
    xd_free(ok);
    ok = nested(XD_CANON_MAX_DEPTH, "{\"a\":[", "]}");
    assert_int_equal(parse(ok), XD_ETOOBIG); /* 32 containers */
    xd_free(ok);
    ok = nested(XD_CANON_MAX_DEPTH / 2, "{\"a\":[", "]}");
    assert_int_equal(parse(ok), XD_OK);
    xd_free(ok);
    char *deep = nested(XD_CANON_MAX_DEPTH + 1, "[", "]");
    assert_int_equal(parse_n(deep, strlen(deep), where, msg), XD_ETOOBIG);
    assert_string_equal(where, "line 1, column 17");
    assert_non_null(strstr(msg, "nested deeper than 16"));
    xd_free(deep);
    /* Mixed objects and arrays, the cap reached inside a value that is only skipped. */
    deep = nested(XD_CANON_MAX_DEPTH + 1, "{\"k\":[", "]}");
    assert_int_equal(parse_n(deep, strlen(deep), where, NULL), XD_ETOOBIG);
    assert_string_equal(where, "line 1, column 49"); /* the 17th container: 8 pairs, then '{' */
    xd_free(deep);
    /* A syntax problem before the cap is the one reported. */
    assert_int_equal(parse("[[[[[[[[[[[[[[[[[[[[[[[[[x"), XD_ETOOBIG);
    assert_int_equal(parse("[[[[x[[[[[[[[[[[[[[[[[[[[["), XD_EPARSE);
    /* A bomb far past the cap costs only the cap. */
    size_t n = 1000000;
    char *bomb = xd_malloc(n);
    assert_non_null(bomb);
    memset(bomb, '[', n);
    assert_int_equal(parse_n(bomb, n, where, NULL), XD_ETOOBIG);
    xd_free(bomb);
}

static void test_duplicates(void **state)
{
    (void)state;
    BAD("{\"a\":1,\"a\":2}", 8, "duplicate member 'a'");
    BAD("{\"a\":1,\"\\u0061\":2}", 8, "duplicate member 'a'"); /* equal once decoded */
    BAD("{\"x\":{\"b\":[{\"c\":1,\"d\":2,\"c\":3}]}}", 25, "duplicate member 'c'");
    BAD("{\"\":1,\"\":2}", 7, "duplicate member ''");
    /* Same names in sibling and nested objects are fine; so are names differing in length. */
    expect_ok("[{\"a\":1},{\"a\":2},{\"a\":{\"a\":{\"a\":3}}}]");
    expect_ok("{\"a\":1,\"aa\":2,\"a \":3,\"A\":4,\"\\u00e9\":5,\"e\\u0301\":6}");
    /* Many names: distinct ones pass, one repeated at the end is found, in any object. */
    struct xd_buf b;
    xd_buf_init(&b, 1u << 24);
    assert_int_equal(xd_buf_append_str(&b, "[{\"x\":0}, {"), XD_OK);
    for (int i = 0; i < 20000; i++) {
        assert_int_equal(xd_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", (i * 7919) % 20000, i),
                         XD_OK);
    }
    assert_int_equal(xd_buf_append_str(&b, "}]"), XD_OK);
    assert_int_equal(parse_n(b.data, b.len, NULL, NULL), XD_OK);
    b.len -= 2;
    assert_int_equal(xd_buf_append_str(&b, ",\"k12345\":1}]"), XD_OK);
    char msg[XD_CANON__JSON_MSG_MAX];
    assert_int_equal(parse_n(b.data, b.len, NULL, msg), XD_EPARSE);
    assert_string_equal(msg, "duplicate member 'k12345'");
    xd_buf_cleanup(&b);
}

/* Strings without escapes come back as slices of the input; with escapes, decoded in the pool.
 * Either way xd_canon__json_cstr gives a C string and the pool needs one arena block. */
static void test_slices_and_pool(void **state)
{
    (void)state;
    const char *text = "{\"a\":\"plain\",\"b\":\"esc\\u0061ped\",\"c\":\"x\"}";
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon__json j;
    xd_canon__json_init(&j, text, strlen(text), a);
    assert_int_equal(xd_canon__json_peek(&j), XD_CANON__J_OBJECT);
    assert_true(xd_canon__json_begin(&j));
    struct xd_canon__jstr key, v;
    const char *got[3];
    for (int i = 0; i < 3; i++) {
        assert_true(xd_canon__json_member(&j, &key));
        assert_int_equal(key.len, 1);
        assert_int_equal(xd_canon__json_peek(&j), XD_CANON__J_STRING);
        assert_true(xd_canon__json_string(&j, &v, true));
        assert_int_equal(v.escaped, i == 1);
        if (i != 1) {
            assert_true(v.p > text && v.p < text + strlen(text)); /* a slice */
        }
        got[i] = xd_canon__json_cstr(&j, &v);
    }
    assert_false(xd_canon__json_member(&j, &key));
    assert_int_equal(j.status, XD_OK);
    assert_true(xd_canon__json_finish(&j));
    assert_string_equal(got[0], "plain");
    assert_string_equal(got[1], "escaped");
    assert_string_equal(got[2], "x");
    size_t used = xd_arena_used(a);
    assert_true(used <= strlen(text) + 16); /* one block for all three */
    xd_canon__json_cleanup(&j);
    xd_arena_destroy(a);
}

/* A failed parser stays failed: every later call answers false at once. */
static void test_sticky_failure(void **state)
{
    (void)state;
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon__json j;
    const char *text = "[1,x,2]";
    xd_canon__json_init(&j, text, strlen(text), a);
    assert_int_equal(xd_canon__json_peek(&j), XD_CANON__J_ARRAY);
    assert_true(xd_canon__json_begin(&j));
    assert_true(xd_canon__json_item(&j));
    assert_true(xd_canon__json_skip(&j));
    assert_true(xd_canon__json_item(&j));
    assert_false(xd_canon__json_skip(&j));
    assert_int_equal(j.status, XD_EPARSE);
    assert_int_equal(j.err_at, 3);
    assert_false(xd_canon__json_item(&j));
    assert_int_equal(xd_canon__json_peek(&j), XD_CANON__J_NONE);
    assert_false(xd_canon__json_finish(&j));
    assert_int_equal(j.err_at, 3);
    xd_canon__json_rewind(&j);
    assert_int_equal(j.status, XD_OK);
    assert_true(xd_canon__json_skip(&j) == false && j.err_at == 3);
    xd_canon__json_cleanup(&j);
    xd_arena_destroy(a);
}

/* Out of memory while decoding strings or remembering names: XD_ENOMEM, nothing leaked. */
static void test_out_of_memory(void **state)
{
    (void)state;
    const char *text = "{\"x\":{\"a\\u0062\":\"\\u00e9\",\"c\":1,\"d\":2},\"y\":\"s\\n\"}";
    long n = 0;
    for (;; n++) {
        struct xd_arena *a = xd_arena_create(64, 0);
        assert_non_null(a);
        struct xd_canon__json j;
        xd_canon__json_init(&j, text, strlen(text), a);
        xd_alloc_fail_after(n);
        bool ok = xd_canon__json_skip(&j) && xd_canon__json_finish(&j);
        long injected = xd_alloc_injected_failures();
        xd_alloc_fail_after(-1);
        enum xd_status st = j.status;
        xd_canon__json_cleanup(&j);
        xd_arena_destroy(a);
        if (injected == 0) {
            assert_true(ok);
            break;
        }
        assert_int_equal(st, XD_ENOMEM);
    }
    assert_true(n >= 3); /* the pool, and the name tables' two arrays */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_numbers),        cmocka_unit_test(test_literals_and_blanks),
        cmocka_unit_test(test_structure),      cmocka_unit_test(test_depth),
        cmocka_unit_test(test_duplicates),     cmocka_unit_test(test_slices_and_pool),
        cmocka_unit_test(test_sticky_failure), cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
