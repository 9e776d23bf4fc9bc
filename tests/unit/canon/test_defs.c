/* SPDX-License-Identifier: MIT
 * The definitions themselves: checks a future edit of canon_defs.h could break without any
 * compiler noticing (duplicate member names, keys on non-strings, unused structs, nesting deeper
 * than the decoder allows), and the reference in docs/ kept equal to the generated one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canon/canon_int.h"
#include "canon_test.h"

/* Names of <sid>'s members as the JSON object shows them (INLINE merged). */
static size_t flat_names(enum xd_canon__sid sid, const char **names, size_t n, size_t cap)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            n = flat_names(f->sub, names, n, cap);
        } else {
            assert_true(n < cap);
            names[n++] = f->name;
        }
    }
    return n;
}

static void test_member_names_unique(void **state)
{
    (void)state;
    for (int s = 0; s < XD_CANON__S_COUNT; s++) {
        const char *names[128];
        size_t n = flat_names((enum xd_canon__sid)s, names, 0, 128);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < i; j++) {
                if (strcmp(names[i], names[j]) == 0) {
                    fail_msg("%s has two members named %s", xd_canon__structs[s].name, names[i]);
                }
            }
        }
    }
}

static void test_fields_well_formed(void **state)
{
    (void)state;
    for (int s = 0; s < XD_CANON__S_COUNT; s++) {
        const struct xd_canon__struct *st = &xd_canon__structs[s];
        assert_true(strlen(st->doc) > 0);
        for (size_t i = 0; i < st->n_fields; i++) {
            const struct xd_canon__field *f = &st->fields[i];
            assert_true(strlen(f->doc) > 0);
            if (f->key != NULL) {
                /* Keys correlate by exact text: identifiers only. */
                assert_int_equal(f->kind, XD_CANON__K_STRING);
                assert_int_equal(f->str_class, XD_CANON__C_IDENT);
            }
            if (f->kind == XD_CANON__K_STRING || f->kind == XD_CANON__K_STRINGS) {
                assert_true(f->max > 0);
            }
            if (f->kind == XD_CANON__K_ARRAY || f->kind == XD_CANON__K_STRINGS) {
                assert_true(f->max_items > 0);
                assert_true(f->count_offset > f->offset);
            }
            if (f->kind == XD_CANON__K_INLINE) {
                assert_true(f->required);
            }
            bool scalar = f->kind == XD_CANON__K_DECIMAL || f->kind == XD_CANON__K_INT ||
                          f->kind == XD_CANON__K_BOOL;
            assert_int_equal(scalar && !f->required, f->has_offset != 0);
        }
    }
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        /* `type` is the codec's own first member of every document. */
        const char *names[128];
        size_t n = flat_names((enum xd_canon__sid)xd_canon__types[t].sid, names, 0, 128);
        for (size_t i = 0; i < n; i++) {
            assert_string_not_equal(names[i], "type");
        }
        const struct xd_canon__struct *st = &xd_canon__structs[xd_canon__types[t].sid];
        assert_int_equal(st->fields[0].kind, XD_CANON__K_INLINE);
        assert_int_equal(st->fields[0].sub, XD_CANON__S_header);
    }
}

/* The flattened tables the decoder and encoder use say the same as the nested ones: members in
 * the same order, offsets of INLINE members shifted by where they are embedded, no INLINE left,
 * and the required mask matching. */
static size_t check_flat(enum xd_canon__sid sid, const struct xd_canon__flat *ft, size_t n,
                         size_t base)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            n = check_flat(f->sub, ft, n, base + f->offset);
            continue;
        }
        assert_true(n < ft->n_fields);
        const struct xd_canon__field *g = &ft->fields[n];
        assert_string_equal(g->name, f->name);
        assert_int_equal(g->kind, f->kind);
        assert_int_equal(g->offset, base + f->offset);
        assert_int_equal(g->has_offset, f->has_offset ? base + f->has_offset : 0);
        assert_int_equal(g->count_offset, f->count_offset ? base + f->count_offset : 0);
        assert_int_equal(g->required, f->required);
        assert_int_equal((ft->required >> n) & 1u, f->required);
        char key[80];
        snprintf(key, sizeof key, "\"%s\":", f->name);
        assert_string_equal(g->json_key, key);
        assert_int_equal(g->json_key_len, strlen(key));
        n++;
    }
    return n;
}

static void test_flat_tables(void **state)
{
    (void)state;
    for (int s = 0; s < XD_CANON__S_COUNT; s++) {
        const struct xd_canon__flat *ft = &xd_canon__flats[s];
        size_t n = check_flat((enum xd_canon__sid)s, ft, 0, 0);
        assert_int_equal(n, ft->n_fields);
        assert_true(n <= 64);
        if (n < 64) {
            assert_int_equal(ft->required >> n, 0);
        }
    }
}

/* Deepest JSON nesting a struct can produce (an object is one level, an array one more). */
static int depth(enum xd_canon__sid sid)
{
    int deepest = 1;
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        int d = 0;
        if (f->kind == XD_CANON__K_OBJECT) {
            d = 1 + depth(f->sub);
        } else if (f->kind == XD_CANON__K_INLINE) {
            d = depth(f->sub);
        } else if (f->kind == XD_CANON__K_ARRAY) {
            d = 2 + depth(f->sub);
        } else if (f->kind == XD_CANON__K_STRINGS) {
            d = 2;
        }
        deepest = d > deepest ? d : deepest;
    }
    return deepest;
}

static void mark_used(enum xd_canon__sid sid, bool *used)
{
    used[sid] = true;
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_OBJECT || f->kind == XD_CANON__K_INLINE ||
            f->kind == XD_CANON__K_ARRAY) {
            mark_used(f->sub, used);
        }
    }
}

static void test_structs_used_and_shallow(void **state)
{
    (void)state;
    bool used[XD_CANON__S_COUNT] = {false};
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        enum xd_canon__sid sid = xd_canon__types[t].sid;
        mark_used(sid, used);
        /* Valid documents must fit well inside the decoder's depth cap. */
        assert_true(depth(sid) + 2 <= XD_CANON_MAX_DEPTH);
    }
    for (int s = 0; s < XD_CANON__S_COUNT; s++) {
        if (!used[s]) {
            fail_msg("struct %s is in no document", xd_canon__structs[s].name);
        }
    }
    for (size_t r = 0; r < xd_canon__n_rules; r++) {
        assert_true(xd_canon__rules[r].sid < XD_CANON__S_COUNT);
        assert_true(strlen(xd_canon__rules[r].doc) > 0);
    }
}

static void test_code_lists(void **state)
{
    (void)state;
    for (int l = 0; l < XD_CANON__L_COUNT; l++) {
        const struct xd_canon__list *list = &xd_canon__lists[l];
        assert_true(list->n_codes > 0);
        for (size_t i = 0; i < list->n_codes; i++) {
            for (size_t j = 0; j < i; j++) {
                assert_string_not_equal(list->codes[i].code, list->codes[j].code);
            }
        }
    }
    const char *uoms[] = {"EA", "CA", "BX", "PK", "LB", "KG", "PL", "DZ", "CT", "FT", "MR"};
    for (size_t i = 0; i < sizeof uoms / sizeof uoms[0]; i++) {
        assert_true(xd_canon_uom_valid(uoms[i]));
    }
    assert_true(xd_canon__gs1_check_digit_ok("00614141204175", 14));
    assert_true(xd_canon__gs1_check_digit_ok("006141410041000019", 18));
    assert_false(xd_canon__gs1_check_digit_ok("006141410041000018", 18));
}

/* The part of docs/canonical-documents.md between its markers is xd_canon_describe's text. */
static void test_reference_doc_current(void **state)
{
    (void)state;
    const char *src = getenv("CROSSDOCK_SRC");
    assert_non_null(src);
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/canonical-documents.md", src);
    struct xd_buf doc, gen;
    xd_buf_init(&doc, 1u << 22);
    xd_buf_init(&gen, 1u << 22);
    struct xd_error err;
    xd_error_clear(&err);
    assert_int_equal(xd_file_read(path, &doc, &err), XD_OK);
    assert_int_equal(xd_canon_describe(&gen), XD_OK);
    const char *begin = strstr(doc.data, "<!-- BEGIN GENERATED by canon_docgen: do not edit -->\n");
    assert_non_null(begin);
    begin = strchr(begin, '\n') + 1;
    const char *end = strstr(begin, "<!-- END GENERATED -->");
    assert_non_null(end);
    if ((size_t)(end - begin) != gen.len || memcmp(begin, gen.data, gen.len) != 0) {
        fail_msg("docs/canonical-documents.md is out of date: run "
                 "build/src/canon/canon_docgen docs/canonical-documents.md");
    }
    xd_buf_cleanup(&doc);
    xd_buf_cleanup(&gen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_names_unique), cmocka_unit_test(test_fields_well_formed),
        cmocka_unit_test(test_flat_tables),         cmocka_unit_test(test_structs_used_and_shallow),
        cmocka_unit_test(test_code_lists),          cmocka_unit_test(test_reference_doc_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
