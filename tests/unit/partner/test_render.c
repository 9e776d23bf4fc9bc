/* Outbound rendering: the example PO as three real partners of examples/partners receive it —
 * an X12 850 in the supplier's envelope and delimiters, a CSV through its map, canonical JSON —
 * and the errors when a profile cannot receive a document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "canon/canon_tree.h"
#include "core/arena.h"
#include "partner_test.h"

static json_t *example_po(const char *supplier)
{
    size_t len = 0;
    char *text = pt_read_src("examples/documents/purchase_order.json", &len);
    json_t *po = json_loadb(text, len, 0, NULL);
    free(text);
    assert_non_null(po);
    json_object_set_new(json_object_get(po, "supplier"), "party_id", json_string(supplier));
    json_object_del(po, "note"); /* its ':' would be the X12 component separator */
    return po;
}

static struct xd_partner_profile *example(const char *file)
{
    char rel[256];
    snprintf(rel, sizeof rel, "examples/partners/%s", file);
    size_t len = 0;
    char *text = pt_read_src(rel, &len);
    struct xd_partner_profile *p = pt_valid(text);
    free(text);
    return p;
}

static const struct xd_partner_controls controls = {
    .isa = 42, .gs = 7, .st = 3, .at_ms = 1795000000000};

static void test_x12_in_the_partners_envelope(void **state)
{
    (void)state;
    struct xd_partner_profile *p = example("acme-fasteners.yaml");
    json_t *po = example_po("acme-fasteners");
    struct xd_partner_rendered r;
    struct xd_error err = {0};
    assert_int_equal(xd_partner_render(p, po, &controls, &r, &err), XD_OK);
    assert_string_equal(r.content_type, "application/edi-x12");
    assert_string_equal(r.endpoint, "edi-gateway");
    assert_true(r.uses_controls);
    char *x = strndup(r.body.data, r.body.len);
    assert_true(strncmp(x, "ISA*00*", 7) == 0);
    assert_non_null(strstr(x, "*ZZ*NORTHWIND      *ZZ*ACMEFAST       *"));
    assert_non_null(strstr(x, "*000000042*"));           /* ISA13 from the store's counter */
    assert_non_null(strstr(x, "ST*850*0003"));           /* ST02 */
    assert_non_null(strstr(x, "BEG*00*SA*4500012345*")); /* the order */
    assert_non_null(strstr(x, ">"));                     /* the profile's component separator */
    free(x);
    xd_partner_rendered_cleanup(&r);
    json_decref(po);
    xd_partner_profile_unref(p);
}

static void test_csv_through_the_map(void **state)
{
    (void)state;
    struct xd_partner_profile *p = example("globex-packaging.yaml");
    json_t *po = example_po("globex-packaging");
    struct xd_partner_rendered r;
    struct xd_error err = {0};
    assert_int_equal(xd_partner_render(p, po, &controls, &r, &err), XD_OK);
    assert_string_equal(r.content_type, "text/csv");
    assert_false(r.uses_controls);
    char *x = strndup(r.body.data, r.body.len);
    assert_true(strncmp(x, "PO Number,PO Date", 17) == 0);
    assert_non_null(strstr(x, "4500012345,03/02/2026"));
    free(x);
    xd_partner_rendered_cleanup(&r);
    json_decref(po);
    xd_partner_profile_unref(p);
}

static void test_json_as_is(void **state)
{
    (void)state;
    struct xd_partner_profile *p = example("safehands-medical.yaml");
    json_t *po = example_po("safehands-medical");
    struct xd_partner_rendered r;
    struct xd_error err = {0};
    assert_int_equal(xd_partner_render(p, po, &controls, &r, &err), XD_OK);
    assert_string_equal(r.content_type, "application/json");
    json_t *back = json_loadb(r.body.data, r.body.len, 0, NULL);
    assert_true(json_equal(back, po));
    json_decref(back);
    xd_partner_rendered_cleanup(&r);
    json_decref(po);
    xd_partner_profile_unref(p);
}

/* A stored document rendered from its text gives the bytes its tree gives: X12 decoded from the
 * text, JSON the text itself (escapes and UTF-8 included). */
static void test_stored_text_renders_alike(void **state)
{
    (void)state;
    static const char *const partners[][2] = {{"acme-fasteners.yaml", "acme-fasteners"},
                                              {"safehands-medical.yaml", "safehands-medical"}};
    for (size_t i = 0; i < sizeof partners / sizeof partners[0]; i++) {
        struct xd_partner_profile *p = example(partners[i][0]);
        json_t *po = example_po(partners[i][1]);
        json_object_set_new(json_object_get(po, "buyer"), "name",
                            json_string("Gro\xc3\x9fh\xc3\xa4ndler \"Nord\" \\ S\xc3\xbc"
                                        "d"));
        /* The text as the journal holds it: the canonical encoding. */
        struct xd_arena *a = xd_arena_create(0, 0);
        struct xd_diags diags;
        xd_diags_init(&diags, 5);
        struct xd_canon_doc *doc = NULL;
        assert_int_equal(xd_canon_tree_decode(po, a, &doc, &diags), XD_OK);
        struct xd_buf text;
        xd_buf_init(&text, (size_t)1 << 20);
        assert_int_equal(xd_canon_encode(doc, &text), XD_OK);
        struct xd_partner_rendered from_tree, from_text;
        struct xd_error err = {0};
        assert_int_equal(xd_partner_render(p, po, &controls, &from_tree, &err), XD_OK);
        assert_int_equal(
            xd_partner_render_stored(p, po, text.data, text.len, &controls, &from_text, &err),
            XD_OK);
        assert_string_equal(from_text.content_type, from_tree.content_type);
        assert_int_equal(from_text.body.len, from_tree.body.len);
        assert_memory_equal(from_text.body.data, from_tree.body.data, from_tree.body.len);
        xd_partner_rendered_cleanup(&from_tree);
        xd_partner_rendered_cleanup(&from_text);
        /* What is rendered is the text, not the tree written out: another number shows. */
        char *other = strstr(text.data, "4500012345");
        assert_non_null(other);
        for (; other != NULL; other = strstr(other, "4500012345")) {
            memcpy(other, "4500099999", 10);
        }
        assert_int_equal(
            xd_partner_render_stored(p, po, text.data, text.len, &controls, &from_text, &err),
            XD_OK);
        char *body = strndup(from_text.body.data, from_text.body.len);
        assert_non_null(strstr(body, "4500099999"));
        assert_null(strstr(body, "4500012345"));
        free(body);
        xd_partner_rendered_cleanup(&from_text);
        xd_buf_cleanup(&text);
        xd_diags_cleanup(&diags);
        xd_arena_destroy(a);
        json_decref(po);
        xd_partner_profile_unref(p);
    }
}

static void test_what_cannot_be_sent(void **state)
{
    (void)state;
    struct xd_partner_rendered r;
    struct xd_error err = {0};
    /* A profile without an endpoint for the type. */
    struct xd_partner_profile *p = pt_valid("id: quiet\nname: Q\nrole: supplier\n");
    json_t *po = example_po("quiet");
    assert_int_equal(xd_partner_render(p, po, &controls, &r, &err), XD_ENOTFOUND);
    assert_non_null(strstr(err.message, "no outbound endpoint"));
    xd_partner_profile_unref(p);
    /* A value holding the X12 component separator ':' (the note) cannot be written. */
    p = example("acme-fasteners.yaml");
    json_object_set_new(po, "note", json_string("deliver 07:00"));
    json_object_set_new(json_object_get(po, "supplier"), "party_id", json_string("acme"));
    xd_error_clear(&err);
    enum xd_status st = xd_partner_render(p, po, &controls, &r, &err);
    assert_int_equal(st, XD_OK); /* acme's component separator is '>', so ':' is fine */
    xd_partner_rendered_cleanup(&r);
    json_object_set_new(po, "note", json_string("a > b"));
    assert_int_equal(xd_partner_render(p, po, &controls, &r, &err), XD_EINVAL);
    assert_non_null(strstr(err.message, "separator"));
    /* Not a canonical document at all. */
    json_t *junk = json_pack("{s:s}", "type", "nonsense");
    assert_int_equal(xd_partner_render(p, junk, &controls, &r, &err), XD_EINVAL);
    json_decref(junk);
    json_decref(po);
    xd_partner_profile_unref(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x12_in_the_partners_envelope),
        cmocka_unit_test(test_csv_through_the_map),
        cmocka_unit_test(test_json_as_is),
        cmocka_unit_test(test_stored_text_renders_alike),
        cmocka_unit_test(test_what_cannot_be_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
