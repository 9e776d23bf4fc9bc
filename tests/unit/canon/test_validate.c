/* SPDX-License-Identifier: MIT
 * xd_canon_validate against xd_canon_decode: the validator tests most members with quick
 * checks generated from the definitions and falls back to the full check only when one fails,
 * so a quick check that passed a value the full check refuses would let an invalid document
 * out. Every member of every example, one at a time, is given values on both sides of each
 * limit (empty, blanks at the ends, control and non-ASCII bytes, the longest allowed and one
 * more, codes, dates, decimal scales and signs, integer bounds, absent); the validator must
 * report what decoding the encoded document reports, problem for problem, and
 * xd_canon_encode_valid what the validator reports, writing what xd_canon_encode writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "canon/canon_int.h"
#include "canon_test.h"

#define MAX_PROBLEMS  50
#define ITEMS_VISITED 2 /* elements of each array given the mutations */

struct probe {
    struct xd_canon_doc *doc;
    struct xd_arena *arena; /* for the decoded copies, reset after each */
    struct xd_buf json, checked;
    struct xd_diags validated, decoded, fused;
    size_t compared, invalid;
};

/* xd_canon_encode_valid says what xd_canon_validate says and, for a valid document, writes
 * what xd_canon_encode writes (p->json), after what the buffer held. */
static void assert_fused_agrees(struct probe *p, enum xd_status validated)
{
    xd_diags_reset(&p->fused);
    xd_buf_reset(&p->checked);
    assert_int_equal(xd_buf_append(&p->checked, "[", 1), XD_OK);
    assert_int_equal(xd_canon_encode_valid(p->doc, &p->checked, &p->fused), validated);
    assert_int_equal(p->fused.count, p->validated.count);
    for (size_t i = 0; i < p->fused.count; i++) {
        assert_string_equal(p->fused.items[i].code, p->validated.items[i].code);
        assert_string_equal(p->fused.items[i].path, p->validated.items[i].path);
        assert_string_equal(p->fused.items[i].message, p->validated.items[i].message);
    }
    if (validated == XD_OK) {
        assert_int_equal(p->checked.len, p->json.len + 1);
        assert_memory_equal(p->checked.data + 1, p->json.data, p->json.len);
    } else {
        assert_int_equal(p->checked.len, 1);
    }
    assert_int_equal(p->checked.data[p->checked.len], '\0');
}

static void assert_same_problems(struct probe *p)
{
    xd_diags_reset(&p->validated);
    xd_diags_reset(&p->decoded);
    enum xd_status sv = xd_canon_validate(p->doc, &p->validated);
    assert_true(sv == XD_OK || sv == XD_EINVALDOC);
    p->compared++;
    p->invalid += sv != XD_OK;
    xd_buf_reset(&p->json);
    if (xd_canon_encode(p->doc, &p->json) != XD_OK) {
        /* Only what the codec cannot represent (a scale outside 0..18) fails to encode. */
        assert_int_equal(sv, XD_EINVALDOC);
        assert_fused_agrees(p, sv);
        return;
    }
    assert_fused_agrees(p, sv);
    struct xd_canon_doc *copy = NULL;
    enum xd_status sd = xd_canon_decode(p->json.data, p->json.len, p->arena, &copy, &p->decoded);
    xd_arena_reset(p->arena);
    if (sv != sd || p->validated.count != p->decoded.count) {
        print_message("%s\nvalidate: %s\n", p->json.data, xd_status_name(sv));
        canon_test_print_diags(&p->validated);
        print_message("decode: %s\n", xd_status_name(sd));
        canon_test_print_diags(&p->decoded);
    }
    assert_int_equal(sv, sd);
    assert_int_equal(p->validated.count, p->decoded.count);
    for (size_t i = 0; i < p->validated.count; i++) {
        assert_string_equal(p->validated.items[i].code, p->decoded.items[i].code);
        assert_string_equal(p->validated.items[i].path, p->decoded.items[i].path);
    }
}

/* Strings on both sides of the quick checks; the lengths around the member's maximum are
 * added by mutate_string. */
static const char *const strings[] = {
    "",
    " ",
    " A",
    "A ",
    "A",
    "A B",
    "\t",
    "A\x7f",
    "A\n",
    "caf\xc3\xa9",
    "a\"b",
    "a\\b",
    "012345678905",
    "012345678906",
    "1234567890128",
    "00012345600012345675",
    "123456789",
    "USD",
    "usd",
    "US",
    "UPSN",
    "EA",
    "ZZZZ",
    "original",
    "2026-02-28",
    "2026-02-30",
    "2026-2-28",
    "20260228",
    "2026-03-02T14:30:00Z",
    "a@b.example",
    "x12",
    "edi",
};

static void mutate_string(struct probe *p, const struct xd_canon__field *f, const char **at)
{
    const char *saved = *at;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        *at = strings[i];
        assert_same_problems(p);
    }
    if (f->kind == XD_CANON__K_STRING && f->max < 300) {
        char run[302];
        for (int64_t len = f->max - 1; len <= f->max + 1; len++) {
            if (len < 1) {
                continue;
            }
            memset(run, 'A', (size_t)len);
            run[len] = '\0';
            *at = run;
            assert_same_problems(p);
        }
    }
    *at = NULL;
    assert_same_problems(p);
    *at = saved;
}

static void mutate_decimal(struct probe *p, const struct xd_canon__field *f, void *obj)
{
    struct xd_decimal *at = XD_CANON__AT(obj, f->offset);
    bool *has = f->has_offset != 0 ? XD_CANON__AT(obj, f->has_offset) : NULL;
    const struct xd_decimal saved = *at;
    bool saved_has = has != NULL && *has;
    const struct xd_decimal values[] = {
        {1, 0},  {0, 0},  {-1, 0}, {-5, 2},        {5, (int16_t)f->max}, {5, (int16_t)(f->max + 1)},
        {1, -1}, {1, 18}, {1, 19}, {INT64_MIN, 0}, {INT64_MAX, 4},
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        *at = values[i];
        if (has != NULL) {
            *has = true;
        }
        assert_same_problems(p);
    }
    if (has != NULL) {
        *has = false;
        assert_same_problems(p);
        *has = saved_has;
    }
    *at = saved;
}

static void mutate_int(struct probe *p, const struct xd_canon__field *f, void *obj)
{
    int64_t *at = XD_CANON__AT(obj, f->offset);
    bool *has = f->has_offset != 0 ? XD_CANON__AT(obj, f->has_offset) : NULL;
    const int64_t saved = *at;
    bool saved_has = has != NULL && *has;
    const int64_t values[] = {f->min - 1, f->min, f->max, f->max + 1, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        *at = values[i];
        if (has != NULL) {
            *has = true;
        }
        assert_same_problems(p);
    }
    if (has != NULL) {
        *has = false;
        assert_same_problems(p);
        *has = saved_has;
    }
    *at = saved;
}

/* Every member of <obj> (struct <sid>), then those of the structs inside it. */
/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static void mutate_struct(struct probe *p, enum xd_canon__sid sid, void *obj)
{
    const struct xd_canon__flat *ft = &xd_canon__flats[sid];
    for (size_t i = 0; i < ft->n_fields; i++) {
        const struct xd_canon__field *f = &ft->fields[i];
        void *at = XD_CANON__AT(obj, f->offset);
        switch ((enum xd_canon__kind)f->kind) {
        case XD_CANON__K_STRING:
        case XD_CANON__K_CODE:
        case XD_CANON__K_DATE:
        case XD_CANON__K_DATETIME:
            mutate_string(p, f, at);
            break;
        case XD_CANON__K_DECIMAL:
            mutate_decimal(p, f, obj);
            break;
        case XD_CANON__K_INT:
            mutate_int(p, f, obj);
            break;
        case XD_CANON__K_OBJECT: {
            void *sub = *(void **)at;
            *(void **)at = NULL;
            assert_same_problems(p);
            *(void **)at = sub;
            if (sub != NULL) {
                mutate_struct(p, f->sub, sub);
            }
            break;
        }
        case XD_CANON__K_ARRAY:
        case XD_CANON__K_STRINGS: {
            size_t *n = XD_CANON__AT(obj, f->count_offset);
            size_t saved = *n;
            *n = 0;
            assert_same_problems(p);
            *n = saved;
            char *items = *(char **)at;
            for (size_t k = 0; k < saved && k < ITEMS_VISITED; k++) {
                if (f->kind == XD_CANON__K_ARRAY) {
                    mutate_struct(p, f->sub, items + k * f->elem_size);
                } else {
                    mutate_string(p, f, (const char **)(void *)(items + k * sizeof(char *)));
                }
            }
            break;
        }
        case XD_CANON__K_BOOL:
        case XD_CANON__K_INLINE:
            break;
        }
    }
}

static void test_validate_agrees_with_decode(void **state)
{
    (void)state;
    struct probe p = {.arena = xd_arena_create(1 << 16, 1 << 26)};
    assert_non_null(p.arena);
    struct xd_arena *docs = xd_arena_create(1 << 16, 1 << 26);
    assert_non_null(docs);
    xd_buf_init(&p.json, 1 << 24);
    xd_buf_init(&p.checked, 1 << 24);
    xd_diags_init(&p.validated, MAX_PROBLEMS);
    xd_diags_init(&p.decoded, MAX_PROBLEMS);
    xd_diags_init(&p.fused, MAX_PROBLEMS);
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        size_t len;
        char *json = canon_test_example(xd_canon_type_name((enum xd_canon_type)t), &len);
        struct xd_diags d;
        xd_diags_init(&d, MAX_PROBLEMS);
        assert_int_equal(xd_canon_decode(json, len, docs, &p.doc, &d), XD_OK);
        xd_diags_cleanup(&d);
        xd_free(json);
        size_t invalid = p.invalid;
        assert_same_problems(&p);
        assert_int_equal(p.invalid, invalid); /* the example itself is valid */
        mutate_struct(&p, xd_canon__types[t].sid, p.doc->body);
        xd_arena_reset(docs);
    }
    print_message("%zu documents compared, %zu invalid\n", p.compared, p.invalid);
    assert_true(p.invalid > 1000);
    xd_diags_cleanup(&p.validated);
    xd_diags_cleanup(&p.decoded);
    xd_diags_cleanup(&p.fused);
    xd_buf_cleanup(&p.json);
    xd_buf_cleanup(&p.checked);
    xd_arena_destroy(docs);
    xd_arena_destroy(p.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_agrees_with_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
