/* SPDX-License-Identifier: MIT
 * libFuzzer target for the canonical codec's JSON parser (src/canon/canon_json.c), with jansson
 * as an independent oracle: both must accept or refuse the same input (save where the parser is
 * documented to differ: it nests at most XD_CANON_MAX_DEPTH deep, keeps numbers as text where
 * jansson refuses integers past int64 and reals past a double, and refuses the NUL byte jansson
 * lets pass after a number or literal), and on what both accept
 * the parser must hand out the same tree: member names in order, decoded strings and their
 * character counts, integers, reals, literals. Any disagreement aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "canon/canon_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) ((cond) ? (void)0 : abort())

/* Code points in valid UTF-8. */
static size_t chars_of(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return n;
}

static void same_number(struct xd_canon__json *j, const json_t *v)
{
    const char *text;
    size_t len;
    bool integer;
    CHECK(xd_canon__json_peek(j) == XD_CANON__J_NUMBER);
    CHECK(xd_canon__json_number(j, &text, &len, &integer));
    CHECK(integer == json_is_integer(v));
    char buf[512];
    if (len >= sizeof buf) {
        return; /* long spellings: the grammar was compared, the value is jansson's business */
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (integer) {
        int64_t n = 0;
        CHECK(xd_parse_i64(buf, len, INT64_MIN, INT64_MAX, &n) == XD_OK);
        CHECK(n == (int64_t)json_integer_value(v));
    } else {
        CHECK(strtod(buf, NULL) == json_real_value(v));
    }
}

/* The parser's next value is <v>. Recursion follows <v>, which the parser already refused past
 * XD_CANON_MAX_DEPTH levels. */
static void same(struct xd_canon__json *j, const json_t *v)
{
    struct xd_canon__jstr s;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        CHECK(xd_canon__json_peek(j) == XD_CANON__J_OBJECT);
        CHECK(xd_canon__json_begin(j));
        void *it = json_object_iter((json_t *)v);
        while (xd_canon__json_member(j, &s)) {
            CHECK(it != NULL);
            const char *key = json_object_iter_key(it);
            CHECK(s.len == json_object_iter_key_len(it) && memcmp(s.p, key, s.len) == 0);
            CHECK(s.chars == chars_of(key, s.len));
            same(j, json_object_iter_value(it));
            it = json_object_iter_next((json_t *)v, it);
        }
        CHECK(j->status == XD_OK && it == NULL);
        return;
    }
    case JSON_ARRAY: {
        CHECK(xd_canon__json_peek(j) == XD_CANON__J_ARRAY);
        CHECK(xd_canon__json_begin(j));
        size_t i = 0;
        while (xd_canon__json_item(j)) {
            CHECK(i < json_array_size(v));
            same(j, json_array_get(v, i++));
        }
        CHECK(j->status == XD_OK && i == json_array_size(v));
        return;
    }
    case JSON_STRING:
        CHECK(xd_canon__json_peek(j) == XD_CANON__J_STRING);
        CHECK(xd_canon__json_string(j, &s, true));
        CHECK(s.len == json_string_length(v) && memcmp(s.p, json_string_value(v), s.len) == 0);
        CHECK(s.chars == chars_of(s.p, s.len));
        return;
    case JSON_INTEGER:
    case JSON_REAL:
        same_number(j, v);
        return;
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL: {
        enum xd_canon__jtype want = json_is_true(v)    ? XD_CANON__J_TRUE
                                    : json_is_false(v) ? XD_CANON__J_FALSE
                                                       : XD_CANON__J_NULL;
        CHECK(xd_canon__json_peek(j) == want);
        CHECK(xd_canon__json_literal(j));
        return;
    }
    }
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xd_arena *a = xd_arena_create(0, 0);
    if (a == NULL) {
        return 0;
    }
    const char *text = (const char *)data;
    struct xd_canon__json j;
    xd_canon__json_init(&j, text, size, a);
    bool ok = xd_canon__json_skip(&j) && xd_canon__json_finish(&j);
    CHECK(ok == (j.status == XD_OK));
    CHECK(j.status == XD_OK || j.status == XD_EPARSE || j.status == XD_ETOOBIG);
    if (!ok) {
        char where[64];
        CHECK(j.err_at <= size && j.err[0] != '\0');
        xd_canon__json_where(&j, where, sizeof where);
    }

    json_error_t jerr;
    json_t *root = json_loadb(text, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (ok && root == NULL) {
        CHECK(json_error_code(&jerr) == json_error_numeric_overflow);
    } else if (ok) {
        xd_canon__json_rewind(&j);
        same(&j, root);
        CHECK(xd_canon__json_finish(&j));
    } else if (j.status == XD_EPARSE && root != NULL) {
        /* jansson skips a NUL byte right after a number or literal ("[1\0]"); RFC 8259 has no
         * such blank, and the parser must be refusing exactly that byte. */
        CHECK(j.err_at < size && data[j.err_at] == 0);
    }
    json_decref(root);
    xd_canon__json_cleanup(&j);
    xd_arena_destroy(a);
    return 0;
}
