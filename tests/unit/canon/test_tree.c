/* SPDX-License-Identifier: MIT
 * The jansson tree loader and writer (src/canon/canon_tree.c) against jansson's own: the same
 * tree and the same text for every example document and for tricky values, NULL for what is
 * not one JSON value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canon/canon_tree.h"

static struct xd_arena *arena;
static struct xd_buf scratch;

static int setup(void **state)
{
    (void)state;
    arena = xd_arena_create(0, 0);
    xd_buf_init(&scratch, 1 << 20);
    return arena != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    xd_arena_destroy(arena);
    xd_buf_cleanup(&scratch);
    return 0;
}

/* Loaded by both (ours with the caller's arena and with its own), equal as trees and as their
 * compact text (member order kept). */
static void same_as_jansson(const char *text)
{
    json_error_t e;
    json_t *want = json_loadb(text, strlen(text), JSON_DECODE_ANY, &e);
    assert_non_null(want);
    json_t *got = xd_canon_tree_load(text, strlen(text), arena);
    assert_non_null(got);
    assert_true(json_equal(want, got));
    json_t *own = xd_canon_tree_load(text, strlen(text), NULL); /* its own scratch arena */
    assert_non_null(own);
    assert_true(json_equal(want, own));
    json_decref(own);
    char *a = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
    char *b = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_string_equal(a, b);
    const char *c = xd_canon_tree_dump(got, &scratch, arena);
    assert_non_null(c);
    assert_string_equal(a, c);
    free(a);
    free(b);
    json_decref(want);
    json_decref(got);
}

static void refused(const char *text)
{
    json_t *got = xd_canon_tree_load(text, strlen(text), arena);
    if (got != NULL) {
        fail_msg("loaded what is not one JSON value: %s", text);
    }
}

static void test_examples(void **state)
{
    (void)state;
    const char *src = getenv("CROSSDOCK_SRC");
    assert_non_null(src);
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) { /* one example of every type */
        char path[1024];
        snprintf(path, sizeof path, "%s/examples/documents/%s.json", src,
                 xd_canon_type_name((enum xd_canon_type)t));
        json_error_t e;
        json_t *j = json_load_file(path, 0, &e);
        assert_non_null(j);
        char *text = json_dumps(j, JSON_INDENT(2));
        assert_non_null(text);
        same_as_jansson(text);
        free(text);
        json_decref(j);
    }
}

static void test_values(void **state)
{
    (void)state;
    same_as_jansson("{}");
    same_as_jansson("[]");
    same_as_jansson(" {\"a\" : [1, -2, 3.5, 1e3, true, false, null, \"\"]} ");
    same_as_jansson("{\"esc\":\"quote \\\" slash \\\\ \\u00e9 \\ud83d\\ude00 \\n\"}");
    same_as_jansson("{\"n\":9223372036854775807,\"m\":-9223372036854775808}");
    same_as_jansson("[[[[{\"deep\":[{}]}]]]]");
    /* Deeper than a canonical document nests: handed to jansson, the same tree. */
    same_as_jansson("{\"a\":[[[[[[[[[[[[[[[[[[[[{\"b\":[1,\"x\"]}]]]]]]]]]]]]]]]]]]]]}");
    same_as_jansson("\"only a string\"");
    same_as_jansson("{\"z\":1,\"a\":2,\"m\":{\"y\":[],\"b\":{}}}");
}

/* Every byte jansson may escape, reals, integers at their limits: the same text as json_dumps. */
static void test_dump(void **state)
{
    (void)state;
    char bytes[0x80];
    for (int i = 1; i < 0x80; i++) {
        bytes[i - 1] = (char)i;
    }
    bytes[0x7f] = '\0';
    json_t *o = json_object();
    assert_non_null(o);
    assert_int_equal(json_object_set_new(o, "ascii", json_string(bytes)), 0);
    assert_int_equal(
        json_object_set_new(o, "utf-8 \u00e9 \u2028", json_string("caf\u00e9 \u2028 \U0001F600")),
        0);
    assert_int_equal(json_object_set_new(o, "max", json_integer(INT64_MAX)), 0);
    assert_int_equal(json_object_set_new(o, "min", json_integer(INT64_MIN)), 0);
    assert_int_equal(json_object_set_new(o, "real", json_real(12.5)), 0);
    assert_int_equal(json_object_set_new(o, "whole real", json_real(3.0)), 0);
    assert_int_equal(json_object_set_new(o, "tiny", json_real(1e-300)), 0);
    assert_int_equal(json_object_set_new(o, "third", json_real(1.0 / 3.0)), 0);
    assert_int_equal(json_object_set_new(o, "large", json_real(1.5e32)), 0);
    assert_int_equal(json_object_set_new(o, "negative small", json_real(-2.5e-7)), 0);
    json_t *arr = json_loads("[{}, [], null, true, false, \"\", [[1]]]", 0, NULL);
    assert_non_null(arr);
    assert_int_equal(json_object_set_new(o, "mixed", arr), 0);
    char *want = json_dumps(o, JSON_COMPACT);
    const char *got = xd_canon_tree_dump(o, &scratch, arena);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(want, got);
    free(want);
    json_decref(o);
}

static void test_refused(void **state)
{
    (void)state;
    refused("");
    refused("{");
    refused("{\"a\":1,}");
    refused("{\"a\":1}{}");
    refused("[1 2]");
    refused("{\"a\":1,\"a\":2}");                   /* duplicate member */
    refused("{\"a\":{\"x\":1},\"b\":2,\"a\":[3]}"); /* apart, the first an object */
    refused("{\"o\":{\"a\":1,\"a\":1}}");           /* nested, the same value twice */
    refused("{\"a\":\"\\u0000\"}");                 /* NUL inside a string */
    refused("{\"n\":9223372036854775808}");         /* beyond a 64-bit integer, as json_loadb */
    refused("{\"s\":\"\xc3\x28\"}");                /* not UTF-8 */
    refused("nul");
    char deep[400];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    refused(deep);
    refused("{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]],\"a\":1}"); /* deep, duplicate */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
