/* SPDX-License-Identifier: MIT
 * The JSON codec: every example decodes, validates and round-trips byte for byte; malformed,
 * hostile and mistyped input gets the right status and problem; documents built in C encode and
 * validate; keys; and every allocation failure during decode and encode yields XD_ENOMEM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "canon_test.h"

#define OUT_MAX (1u << 24)

/* The example minified the way the encoder writes: jansson keeps member order. */
static char *minified(const char *text, size_t len)
{
    json_error_t jerr;
    json_t *j = json_loadb(text, len, 0, &jerr);
    assert_non_null(j);
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *copy = xd_strdup(s);
    free(s);
    json_decref(j);
    return copy;
}

static void test_examples_round_trip(void **state)
{
    (void)state;
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        const char *name = xd_canon_type_name((enum xd_canon_type)t);
        size_t len;
        char *text = canon_test_example(name, &len);
        struct xd_arena *a = xd_arena_create(0, 0);
        struct xd_diags d;
        xd_diags_init(&d, 0);
        struct xd_canon_doc *doc = NULL;
        enum xd_status st = xd_canon_decode(text, len, a, &doc, &d);
        if (st != XD_OK) {
            print_message("%s: %s\n", name, xd_status_name(st));
            canon_test_print_diags(&d);
        }
        assert_int_equal(st, XD_OK);
        assert_int_equal(doc->type, t);
        assert_int_equal(xd_canon_validate(doc, &d), XD_OK);
        assert_int_equal(d.count, 0);

        struct xd_buf out;
        xd_buf_init(&out, OUT_MAX);
        assert_int_equal(xd_canon_encode(doc, &out), XD_OK);
        char *want = minified(text, len);
        if (strcmp(out.data, want) != 0) {
            print_message("%s encodes as\n%s\nnot\n%s\n", name, out.data, want);
        }
        assert_string_equal(out.data, want);

        /* decode(encode(d)) == d: its encoding is the same again. */
        struct xd_canon_doc *again = NULL;
        assert_int_equal(xd_canon_decode(out.data, out.len, a, &again, &d), XD_OK);
        struct xd_buf out2;
        xd_buf_init(&out2, OUT_MAX);
        assert_int_equal(xd_canon_encode(again, &out2), XD_OK);
        assert_string_equal(out.data, out2.data);

        xd_buf_cleanup(&out);
        xd_buf_cleanup(&out2);
        xd_free(want);
        xd_diags_cleanup(&d);
        xd_arena_destroy(a);
        xd_free(text);
    }
}

static void test_type_names(void **state)
{
    (void)state;
    enum xd_canon_type t;
    assert_int_equal(xd_canon_type_parse("ship_notice", 11, &t), XD_OK);
    assert_int_equal(t, XD_CANON_SHIP_NOTICE);
    assert_string_equal(xd_canon_type_name(XD_CANON_INVENTORY_SNAPSHOT), "inventory_snapshot");
    assert_null(xd_canon_type_name(XD_CANON_TYPE_COUNT));
    assert_int_equal(xd_canon_type_parse("ship_notic", 10, &t), XD_ENOTFOUND);
    assert_int_equal(xd_canon_type_parse("ship_notices", 11, &t), XD_OK); /* length counts */
    assert_true(xd_canon_uom_valid("CA"));
    assert_false(xd_canon_uom_valid("ca"));
    assert_false(xd_canon_uom_valid("KGM"));
    assert_true(xd_canon_code_valid("party_role", "3pl"));
    assert_false(xd_canon_code_valid("party_role", "erp"));
    assert_false(xd_canon_code_valid("no_such_list", "EA"));
}

static void test_unknown_type(void **state)
{
    (void)state;
    const char *missing[] = {"type_unknown $.type", NULL};
    canon_test_expect("{\"po_number\":\"1\"}", XD_ENOTFOUND, missing);
    canon_test_expect("{\"type\":\"purchase_ordr\"}", XD_ENOTFOUND, missing);
    canon_test_expect("{\"type\":7}", XD_ENOTFOUND, missing);
    const char *not_object[] = {"not_object $", NULL};
    canon_test_expect("[{\"type\":\"item\"}]", XD_EINVALDOC, not_object);
}

static void test_malformed_json(void **state)
{
    (void)state;
    const char *syntax3[] = {"syntax line 3, column 13", NULL};
    canon_test_expect("{\"type\":\"item\",\n \"sku\": \"A\",\n  \"x\": [1,2,}", XD_EPARSE, syntax3);
    /* Positions are those of the offending byte: a duplicate member's name starts there. */
    const char *dup[] = {"syntax line 1, column 26", NULL};
    canon_test_expect("{\"type\":\"item\",\"sku\":\"A\",\"sku\":\"B\"}", XD_EPARSE, dup);
    const char *empty[] = {"syntax line 1, column 1", NULL};
    canon_test_expect("", XD_EPARSE, empty);
    const char *trailing[] = {"syntax line 1, column 17", NULL};
    canon_test_expect("{\"type\":\"item\"} x", XD_EPARSE, trailing);
    /* \u0000 would cut a C string short: refused, at its backslash. */
    const char *nul[] = {"syntax line 1, column 24", NULL};
    canon_test_expect("{\"type\":\"item\",\"sku\":\"A\\u0000B\",\"x\":1}", XD_EPARSE, nul);
}

static void test_depth_bomb(void **state)
{
    (void)state;
    size_t n = 100000;
    char *bomb = xd_malloc(2 * n + 1);
    assert_non_null(bomb);
    memset(bomb, '[', n);
    memset(bomb + n, ']', n);
    bomb[2 * n] = '\0';
    const char *deep[] = {"too_deep line 1, column 17", NULL};
    canon_test_expect(bomb, XD_ETOOBIG, deep);
    /* Brackets inside strings do not count; sixteen levels are fine for the scan. */
    const char *ok_depth = "{\"type\":\"item\",\"note\":\"[[[[[[[[[[[[[[[[[[[[[[[[\",\"a\":[[[[[[["
                           "[[[[[[[[1]]]]]]]]]]]]]]]}";
    const char *not_deeper[] = {"unknown_member $.note", "unknown_member $.a", NULL};
    /* (and sku, description, base_uom missing) */
    const char *all[] = {"required $.sku",      "required $.description",
                         "required $.base_uom", not_deeper[0],
                         not_deeper[1],         NULL};
    canon_test_expect(ok_depth, XD_EINVALDOC, all);
    xd_free(bomb);
}

static void test_input_too_big(void **state)
{
    (void)state;
    size_t n = XD_CANON_MAX_INPUT + 1;
    char *big = xd_malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_diags d;
    xd_diags_init(&d, 0);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(big, n, a, &doc, &d), XD_ETOOBIG);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].code, "too_big");
    assert_null(doc);
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
    xd_free(big);
}

static void test_member_types(void **state)
{
    (void)state;
    char *json = canon_test_edit("purchase_order", "[[\"lines.0.quantity\", 400],"
                                                   " [\"lines.1.unit_price\", 0.1325],"
                                                   " [\"lines.2.line_number\", \"3\"],"
                                                   " [\"lines.2.unit_price\", null],"
                                                   " [\"revision\", 1.5],"
                                                   " [\"buyer\", \"northwind\"],"
                                                   " [\"lines.1.note\", \"\"],"
                                                   " [\"note\", [\"a\"]],"
                                                   " [\"ship_to.address.country\", true]]");
    const char *want[] = {"type $.revision",
                          "type $.buyer",
                          "type $.ship_to.address.country",
                          "type $.note",
                          "type $.lines[0].quantity",
                          "type $.lines[1].unit_price",
                          "empty $.lines[1].note",
                          "type $.lines[2].line_number",
                          "type $.lines[2].unit_price",
                          NULL};
    canon_test_expect(json, XD_EINVALDOC, want);
    xd_free(json);
}

static void test_decimal_number_message(void **state)
{
    (void)state;
    char *json = canon_test_edit("invoice", "[[\"lines.0.unit_price\", 6.85]]");
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_diags d;
    xd_diags_init(&d, 0);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(json, strlen(json), a, &doc, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].path, "$.lines[0].unit_price");
    assert_non_null(strstr(d.items[0].message, "decimal string such as \"12.50\""));
    assert_non_null(strstr(d.items[0].message, "not a JSON number"));
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
    xd_free(json);
}

static void test_decimal_spelling(void **state)
{
    (void)state;
    char *json =
        canon_test_edit("purchase_order", "[[\"lines.0.quantity\", \"1e3\"],"
                                          " [\"lines.1.quantity\", \"+5\"],"
                                          " [\"lines.2.quantity\", \"0.0000001\"],"
                                          " [\"lines.0.unit_price\", \"-1.00\"],"
                                          " [\"lines.1.unit_price\", \"99999999999999999999\"],"
                                          " [\"totals.total_amount\", \"1.\"]]");
    const char *want[] = {"decimal $.lines[0].quantity",
                          "range $.lines[0].unit_price",
                          "decimal $.lines[1].quantity",
                          "range $.lines[1].unit_price",
                          "scale $.lines[2].quantity",
                          "decimal $.totals.total_amount",
                          NULL};
    canon_test_expect(json, XD_EINVALDOC, want);
    xd_free(json);
    /* Zero is not a positive quantity, whatever its spelling. */
    json = canon_test_edit("purchase_order", "[[\"lines.0.quantity\", \"0.000\"]]");
    const char *zero[] = {"range $.lines[0].quantity", NULL};
    canon_test_expect(json, XD_EINVALDOC, zero);
    xd_free(json);
}

static void test_unknown_members(void **state)
{
    (void)state;
    char *json = canon_test_edit("purchase_order", "[[\"lines.1.qty\", \"3\"],"
                                                   " [\"lines.1.uom_code\", \"EA\"],"
                                                   " [\"po_numbr\", \"x\"],"
                                                   " [\"source.isa13\", \"1\"],"
                                                   " [\"we\\\"ird key\", 1]]");
    /* Each object's unknown members follow its own members, so nested objects come first. */
    const char *want[] = {"unknown_member $.source.isa13",       "unknown_member $.lines[1].qty",
                          "unknown_member $.lines[1].uom_code",  "unknown_member $.po_numbr",
                          "unknown_member $[\"we\\\"ird key\"]", NULL};
    canon_test_expect(json, XD_EINVALDOC, want);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_diags d;
    xd_diags_init(&d, 0);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(json, strlen(json), a, &doc, &d), XD_EINVALDOC);
    assert_string_equal(d.items[1].message, "unknown member 'qty' (did you mean 'quantity'?)");
    assert_string_equal(d.items[2].message, "unknown member 'uom_code'");
    assert_string_equal(d.items[3].message,
                        "unknown member 'po_numbr' (did you mean 'po_number'?)");
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
    xd_free(json);
}

static void test_strings_and_codes(void **state)
{
    (void)state;
    char *json = canon_test_edit(
        "ship_notice", "[[\"asn_number\", \"ASN 1 \"],"
                       " [\"carrier.scac\", \"odfl\"],"
                       " [\"carrier.service_level\", \"LTL\"],"
                       " [\"ship_date\", \"2026-02-30\"],"
                       " [\"source.received_at\", \"2026-03-09 17:40:02\"],"
                       " [\"ship_to.name\", \"Northwind\\nChicago\"],"
                       " [\"ship_to.gln\", \"061414100002\"],"
                       " [\"orders.0.packs.0.sscc\", \"006141410041000018\"],"
                       " [\"orders.0.packs.0.items.0.serial_numbers\", [\"S1\", 2, \"\"]],"
                       " [\"orders.0.packs.0.items.0.uom\", \"BOX\"],"
                       " [\"orders.0.packs.1.kind\", \"skid\"],"
                       " [\"orders.0.po_number\", \"45000123450000000000000\"]]");
    const char *want[] = {"datetime $.source.received_at",
                          "format $.asn_number",
                          "date $.ship_date",
                          "format $.ship_to.name",
                          "format $.ship_to.gln",
                          "format $.carrier.scac",
                          "code $.carrier.service_level",
                          "max_length $.orders[0].po_number",
                          "check_digit $.orders[0].packs[0].sscc",
                          "code $.orders[0].packs[0].items[0].uom",
                          "type $.orders[0].packs[0].items[0].serial_numbers[1]",
                          "empty $.orders[0].packs[0].items[0].serial_numbers[2]",
                          "code $.orders[0].packs[1].kind",
                          NULL};
    canon_test_expect(json, XD_EINVALDOC, want);
    xd_free(json);
}

static void test_arrays(void **state)
{
    (void)state;
    char *json = canon_test_edit("item", "[[\"packagings\", []]]");
    const char *empty[] = {"min_items $.packagings", NULL};
    canon_test_expect(json, XD_EINVALDOC, empty);
    xd_free(json);
    /* 21 packagings where 20 are allowed: one problem, the items are not looked at. */
    struct xd_buf edits;
    xd_buf_init(&edits, 4096);
    assert_int_equal(xd_buf_append_str(&edits, "[[\"packagings\", ["), XD_OK);
    for (int i = 0; i < 21; i++) {
        assert_int_equal(xd_buf_append_str(&edits, i ? ",{\"bad\":1}" : "{\"bad\":1}"), XD_OK);
    }
    assert_int_equal(xd_buf_append_str(&edits, "]]]"), XD_OK);
    json = canon_test_edit("item", edits.data);
    xd_buf_cleanup(&edits);
    const char *many[] = {"max_items $.packagings", NULL};
    canon_test_expect(json, XD_EINVALDOC, many);
    xd_free(json);
    json = canon_test_edit("item", "[[\"packagings.0\", \"CA\"]]");
    const char *not_obj[] = {"type $.packagings[0]", NULL};
    canon_test_expect(json, XD_EINVALDOC, not_obj);
    xd_free(json);
}

static void test_diags_cap(void **state)
{
    (void)state;
    /* 300 unknown members, a list capped at 10: 10 kept, the rest counted. */
    struct xd_buf b;
    xd_buf_init(&b, 1u << 20);
    assert_int_equal(xd_buf_append_str(&b, "{\"type\":\"location\""), XD_OK);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(xd_buf_printf(&b, ",\"m%d\":1", i), XD_OK);
    }
    assert_int_equal(xd_buf_append_char(&b, '}'), XD_OK);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(b.data, b.len, a, &doc, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 10);
    assert_int_equal(xd_diags_total(&d), 303); /* + location_id, kind, name */
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
    xd_buf_cleanup(&b);
}

/* `type` need not come first: the document decodes the same, problems in the same order. */
static void test_type_anywhere(void **state)
{
    (void)state;
    const char *first = "{\"type\":\"location\",\"location_id\":\"DC-1\",\"kind\":\"warehouse\","
                        "\"name\":\"Chicago\"}";
    const char *last = "{\"location_id\":\"DC-1\",\"kind\":\"warehouse\",\"name\":\"Chicago\","
                       "\"type\":\"location\"}";
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon_doc *d1 = NULL, *d2 = NULL;
    assert_int_equal(xd_canon_decode(first, strlen(first), a, &d1, NULL), XD_OK);
    assert_int_equal(xd_canon_decode(last, strlen(last), a, &d2, NULL), XD_OK);
    struct xd_buf o1, o2;
    xd_buf_init(&o1, OUT_MAX);
    xd_buf_init(&o2, OUT_MAX);
    assert_int_equal(xd_canon_encode(d1, &o1), XD_OK);
    assert_int_equal(xd_canon_encode(d2, &o2), XD_OK);
    assert_string_equal(o1.data, o2.data);
    assert_string_equal(o1.data, first);
    xd_buf_cleanup(&o1);
    xd_buf_cleanup(&o2);
    xd_arena_destroy(a);

    const char *probs[] = {"code $.kind", "required $.name", "unknown_member $.nam", NULL};
    canon_test_expect(
        "{\"nam\":\"x\",\"kind\":\"shop\",\"type\":\"location\",\"location_id\":\"1\"}",
        XD_EINVALDOC, probs);
    /* A second `type`, wherever the first was, is a duplicate member. */
    const char *dup[] = {"syntax line 1, column 31", NULL};
    canon_test_expect("{\"name\":\"x\",\"type\":\"location\",\"type\":\"item\"}", XD_EPARSE, dup);
    const char *dup2[] = {"syntax line 1, column 20", NULL};
    canon_test_expect("{\"type\":\"bogus\",\"a\":1,\"type\":\"item\"}", XD_EPARSE,
                      (const char *[]){"syntax line 1, column 23", NULL});
    canon_test_expect("{\"type\":\"location\",\"type\":1}", XD_EPARSE, dup2);
    /* Missing or unknown only when the whole input is JSON; otherwise the syntax problem. */
    const char *missing[] = {"type_unknown $.type", NULL};
    canon_test_expect("{\"a\":{\"b\":[1,2]},\"c\":null}", XD_ENOTFOUND, missing);
    canon_test_expect("{\"a\":1,\"type\":{\"x\":[]},\"b\":2}", XD_ENOTFOUND, missing);
    const char *bad_later[] = {"syntax line 1, column 23", NULL};
    canon_test_expect("{\"type\":\"nope\",\"a\":[1,}", XD_EPARSE, bad_later);
    const char *dup_later[] = {"syntax line 1, column 14", NULL};
    canon_test_expect("{\"a\":1,\"b\":2,\"a\":3}", XD_EPARSE, dup_later);
    const char *deep_later[] = {"too_deep line 1, column 35", NULL};
    canon_test_expect("{\"type\":\"item\",\"x\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}", XD_ETOOBIG,
                      deep_later);
}

/* Members out of definition order: problems still come in definition order, the cap keeps the
 * first ones in that order and counts the rest. */
static void test_problem_order(void **state)
{
    (void)state;
    const char *json = "{\"zz\":1,\"name\":\"\",\"type\":\"location\",\"kind\":\"x\",\"aa\":2,"
                       "\"address\":{\"country\":\"us\",\"city\":\"\"},\"gln\":\"1\"}";
    const char *want[] = {"required $.location_id",
                          "code $.kind",
                          "empty $.name",
                          "format $.gln",
                          "required $.address.line1",
                          "empty $.address.city",
                          "format $.address.country",
                          "unknown_member $.zz",
                          "unknown_member $.aa",
                          NULL};
    canon_test_expect(json, XD_EINVALDOC, want);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_diags d;
    xd_diags_init(&d, 4);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(json, strlen(json), a, &doc, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 4);
    assert_int_equal(xd_diags_total(&d), 9);
    for (size_t i = 0; i < 4; i++) {
        char got[128];
        snprintf(got, sizeof got, "%s %s", d.items[i].code, d.items[i].path);
        assert_string_equal(got, want[i]);
    }
    xd_diags_cleanup(&d);
    /* A caller's list that already holds problems keeps them first and its own cap. */
    xd_diags_init(&d, 3);
    assert_int_equal(xd_diags_add(&d, "earlier", "$", "from before"), XD_OK);
    assert_int_equal(xd_canon_decode(json, strlen(json), a, &doc, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 3);
    assert_string_equal(d.items[0].code, "earlier");
    assert_string_equal(d.items[1].path, "$.location_id");
    assert_string_equal(d.items[2].path, "$.kind");
    assert_int_equal(xd_diags_total(&d), 10);
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
}

/* An array past its max_items: one problem, none from its items, others kept. */
static void test_overlong_array(void **state)
{
    (void)state;
    struct xd_buf b;
    xd_buf_init(&b, 1u << 20);
    assert_int_equal(xd_buf_append_str(&b,
                                       "{\"zz\":1,\"type\":\"party\",\"party_id\":\"p\","
                                       "\"role\":\"supplier\",\"name\":\"n\",\"identifiers\":["),
                     XD_OK);
    for (int i = 0; i < 25; i++) {
        assert_int_equal(
            xd_buf_printf(&b, "%s{\"scheme\":\"bad%d\",\"value\":[%d]}", i ? "," : "", i, i),
            XD_OK);
    }
    assert_int_equal(xd_buf_append_str(&b, "],\"contacts\":[{\"name\":7}],\"currency\":\"usd\"}"),
                     XD_OK);
    const char *want[] = {"max_items $.identifiers", "type $.contacts[0].name", "format $.currency",
                          "unknown_member $.zz", NULL};
    canon_test_expect(b.data, XD_EINVALDOC, want);
    /* With a cap smaller than the items' problems would have been. */
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_diags d;
    xd_diags_init(&d, 2);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(b.data, b.len, a, &doc, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 2);
    assert_int_equal(xd_diags_total(&d), 4);
    assert_string_equal(d.items[0].message, "must have at most 20 items, not 25");
    assert_string_equal(d.items[1].path, "$.contacts[0].name");
    xd_diags_cleanup(&d);
    /* Nested: an item too long inside an array too long is not looked at. */
    xd_diags_init(&d, 0);
    assert_int_equal(xd_canon_decode(b.data, b.len, a, &doc, NULL), XD_EINVALDOC);
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
    xd_buf_cleanup(&b);
}

/* Numbers are text until a member says what they are. */
static void test_numbers_in_members(void **state)
{
    (void)state;
    const char *base =
        "{\"type\":\"item\",\"sku\":\"A\",\"description\":\"d\",\"base_uom\":\"EA\",";
    char json[512];
    const char *range[] = {"range $.shelf_life_days", NULL};
    snprintf(json, sizeof json, "%s\"shelf_life_days\":99999999999999999999}", base);
    canon_test_expect(json, XD_EINVALDOC, range);
    snprintf(json, sizeof json, "%s\"shelf_life_days\":-9223372036854775809}", base);
    canon_test_expect(json, XD_EINVALDOC, range);
    snprintf(json, sizeof json, "%s\"shelf_life_days\":-9223372036854775808}", base);
    canon_test_expect(json, XD_EINVALDOC, range);
    snprintf(json, sizeof json, "%s\"shelf_life_days\":-0}", base);
    canon_test_expect(json, XD_EINVALDOC, range);
    const char *frac[] = {"type $.shelf_life_days", NULL};
    snprintf(json, sizeof json, "%s\"shelf_life_days\":1e2}", base);
    canon_test_expect(json, XD_EINVALDOC, frac);
    /* Anything JSON allows is fine where nobody reads it. */
    const char *unknown[] = {"unknown_member $.x", NULL};
    snprintf(json, sizeof json, "%s\"x\":[1e999,-123456789012345678901234567890,-0.0e-0]}", base);
    canon_test_expect(json, XD_EINVALDOC, unknown);
    /* Escapes decode before a value is read: names, decimals, codes. */
    const char *ok[] = {NULL};
    snprintf(json, sizeof json,
             "%s\"\\u0073hel\\u0066_life_days\":36500,\"packagings\":[{\"uom\":\"\\u0043A\","
             "\"base_quantity\":\"\\u0031\\u0032.5\"}]}",
             base);
    canon_test_expect(json, XD_OK, ok);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(json, strlen(json), a, &doc, NULL), XD_OK);
    const struct xd_canon_item *it = doc->body;
    assert_int_equal(it->shelf_life_days, 36500);
    assert_string_equal(it->packagings[0].uom, "CA");
    assert_int_equal(it->packagings[0].base_quantity.units, 125);
    assert_int_equal(it->packagings[0].base_quantity.scale, 1);
    xd_arena_destroy(a);
}

/* A purchase order built in C the way a translator would. */
static struct xd_canon_doc *build_po(struct xd_arena *a)
{
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_doc_create(a, XD_CANON_PURCHASE_ORDER, &doc), XD_OK);
    struct xd_canon_purchase_order *po = doc->body;
    po->po_number = "PO-77";
    po->purpose = "original";
    po->order_date = "2026-03-02";
    po->buyer = xd_arena_calloc(a, 1, sizeof *po->buyer);
    po->supplier = xd_arena_calloc(a, 1, sizeof *po->supplier);
    po->buyer->party_id = "northwind";
    po->supplier->party_id = "acme-fasteners";
    po->currency = "USD";
    po->lines = xd_arena_calloc(a, 2, sizeof *po->lines);
    po->n_lines = 2;
    for (size_t i = 0; i < 2; i++) {
        po->lines[i].line_number = (int64_t)i + 1;
        po->lines[i].sku = i ? "NW-2" : "NW-1";
        po->lines[i].quantity = (struct xd_decimal){1200, 2};
        po->lines[i].uom = "EA";
    }
    po->lines[1].unit_price = (struct xd_decimal){250, 2};
    po->lines[1].has_unit_price = true;
    xd_canon_doc_header(doc)->correlation_id = "corr-1";
    return doc;
}

static void test_built_in_c(void **state)
{
    (void)state;
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon_doc *doc = build_po(a);
    struct xd_diags d;
    xd_diags_init(&d, 0);
    assert_int_equal(xd_canon_validate(doc, &d), XD_OK);
    struct xd_buf out;
    xd_buf_init(&out, OUT_MAX);
    assert_int_equal(xd_canon_encode(doc, &out), XD_OK);
    assert_string_equal(out.data,
                        "{\"type\":\"purchase_order\",\"correlation_id\":\"corr-1\",\"po_number\":"
                        "\"PO-77\",\"purpose\":\"original\",\"order_date\":\"2026-03-02\","
                        "\"buyer\":{\"party_id\":\"northwind\"},\"supplier\":{\"party_id\":"
                        "\"acme-fasteners\"},\"currency\":\"USD\",\"lines\":[{\"line_number\":1,"
                        "\"sku\":\"NW-1\",\"quantity\":\"12.00\",\"uom\":\"EA\"},{\"line_number\":"
                        "2,\"sku\":\"NW-2\",\"quantity\":\"12.00\",\"uom\":\"EA\",\"unit_price\":"
                        "\"2.50\"}]}");
    struct xd_canon_doc *back = NULL;
    assert_int_equal(xd_canon_decode(out.data, out.len, a, &back, &d), XD_OK);
    const struct xd_canon_purchase_order *po = back->body;
    assert_false(po->lines[0].has_unit_price);
    assert_true(po->lines[1].has_unit_price);
    assert_int_equal(po->lines[1].unit_price.units, 250);
    assert_int_equal(po->lines[1].unit_price.scale, 2);
    assert_false(po->has_revision);
    assert_null(po->totals);

    /* Broken in ways only C can break it: every problem reported, encode refuses. */
    struct xd_canon_purchase_order *bad = doc->body;
    bad->supplier = NULL;
    bad->lines[0].uom = "E\xff";
    bad->lines[1].quantity.scale = 30;
    bad->lines[0].line_number = 0;
    xd_diags_reset(&d);
    assert_int_equal(xd_canon_validate(doc, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 4);
    assert_string_equal(d.items[0].path, "$.supplier");
    assert_string_equal(d.items[0].code, "required");
    assert_string_equal(d.items[1].path, "$.lines[0].line_number");
    assert_string_equal(d.items[2].path, "$.lines[0].uom");
    assert_string_equal(d.items[2].code, "format");
    assert_string_equal(d.items[3].path, "$.lines[1].quantity");
    assert_string_equal(d.items[3].code, "invalid");
    /* Strings built in C: printable ASCII takes validate's one-pass check, the rest the
     * UTF-8 one; both report the same way. */
    bad->supplier = bad->buyer;
    bad->lines[0].line_number = 1;
    bad->lines[0].uom = "EA";
    bad->lines[1].quantity.scale = 2;
    const char *notes[][2] = {
        {"caf\xc3\xa9 au lait", NULL}, {"plain text", NULL},  {"", "empty"},
        {"tab\there", "format"},       {"del\x7f", "format"}, {"bad \xff", "format"},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(notes); i++) {
        bad->lines[1].note = notes[i][0];
        xd_diags_reset(&d);
        enum xd_status want = notes[i][1] ? XD_EINVALDOC : XD_OK;
        assert_int_equal(xd_canon_validate(doc, &d), want);
        if (notes[i][1] != NULL) {
            assert_int_equal(d.count, 1);
            assert_string_equal(d.items[0].path, "$.lines[1].note");
            assert_string_equal(d.items[0].code, notes[i][1]);
        }
    }
    bad->lines[1].note = NULL;
    /* An IDENT member (sku): the printable path checks only the spaces at either end, the
     * other the whole class; both give the same problem. */
    const char *skus[][2] = {
        {"NW 2", NULL},       {" NW-2", "format"},     {"NW-2 ", "format"}, {" ", "format"},
        {"NW\x01", "format"}, {"N\xc3\xa9", "format"}, {"NW-2~", NULL},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(skus); i++) {
        bad->lines[1].sku = skus[i][0];
        xd_diags_reset(&d);
        enum xd_status want = skus[i][1] ? XD_EINVALDOC : XD_OK;
        assert_int_equal(xd_canon_validate(doc, &d), want);
        if (skus[i][1] != NULL) {
            assert_int_equal(d.count, 1);
            assert_string_equal(d.items[0].path, "$.lines[1].sku");
            assert_string_equal(d.items[0].code, skus[i][1]);
            assert_non_null(strstr(d.items[0].message, "without leading or trailing spaces"));
        }
    }
    bad->lines[1].sku = "NW-2";
    bad->lines[1].quantity.scale = 2;
    bad->lines = NULL;
    xd_diags_reset(&d);
    assert_int_equal(xd_canon_validate(doc, &d), XD_EINVALDOC);
    assert_string_equal(d.items[d.count - 1].code, "invalid");
    assert_string_equal(d.items[d.count - 1].path, "$.lines");
    xd_buf_reset(&out);
    assert_int_equal(xd_canon_encode(doc, &out), XD_EINVAL);
    assert_int_equal(out.len, 0);
    assert_int_equal(xd_canon_validate(NULL, &d), XD_EINVAL);
    struct xd_canon_doc none = {XD_CANON_TYPE_COUNT, doc->body};
    assert_int_equal(xd_canon_encode(&none, &out), XD_EINVAL);

    xd_buf_cleanup(&out);
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
}

static void test_encode_cap(void **state)
{
    (void)state;
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon_doc *doc = build_po(a);
    struct xd_buf out;
    xd_buf_init(&out, 64);
    assert_int_equal(xd_canon_encode(doc, &out), XD_ETOOBIG);
    assert_int_equal(out.len, 0);
    xd_buf_cleanup(&out);
    xd_arena_destroy(a);
}

/* Each byte a string may hold is written as xd_buf_append_json_str writes it: plain bytes
 * copied (the encoder's table), the others escaped or replaced. */
static void test_encode_every_byte(void **state)
{
    (void)state;
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon_doc *doc = build_po(a);
    struct xd_canon_purchase_order *po = doc->body;
    char text[3] = "A?";
    po->po_number = text;
    struct xd_buf out, want;
    xd_buf_init(&out, OUT_MAX);
    xd_buf_init(&want, OUT_MAX);
    for (unsigned c = 1; c < 256; c++) {
        text[1] = (char)c;
        out.len = 0;
        assert_int_equal(xd_canon_encode(doc, &out), XD_OK);
        want.len = 0;
        assert_int_equal(xd_buf_append(&want, "\"po_number\":\"", 13), XD_OK);
        assert_int_equal(xd_buf_append_json_str(&want, text, 2), XD_OK);
        assert_int_equal(xd_buf_append(&want, "\"", 1), XD_OK);
        assert_non_null(strstr(out.data, want.data));
    }
    xd_buf_cleanup(&out);
    xd_buf_cleanup(&want);
    xd_arena_destroy(a);
}

static void test_keys(void **state)
{
    (void)state;
    char *json = canon_test_edit("receipt", "[[\"lines.1.po_number\", \"4500019999\"],"
                                            " [\"lines.2.po_number\", \"4500020000\"]]");
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(json, strlen(json), a, &doc, NULL), XD_OK);
    struct xd_canon_key keys[8];
    size_t total = 0;
    assert_int_equal(xd_canon_keys(doc, keys, 8, &total), 5);
    assert_int_equal(total, 5);
    const char *want[][2] = {{"receipt_number", "R260311-004"},
                             {"asn_number", "ASN-0098812"},
                             {"po_number", "4500012345"},
                             {"po_number", "4500019999"},
                             {"po_number", "4500020000"}};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(keys[i].name, want[i][0]);
        assert_string_equal(keys[i].value, want[i][1]);
    }
    /* Fewer slots than keys: the first ones, and the true count without duplicates. */
    assert_int_equal(xd_canon_keys(doc, keys, 2, &total), 2);
    assert_int_equal(total, 5);
    assert_int_equal(xd_canon_keys(doc, NULL, 0, &total), 0);
    assert_int_equal(total, 5);
    xd_arena_destroy(a);
    xd_free(json);
}

/* The keys of an application advice edited by <edits>, as "name=value" joined by spaces. */
static void advice_keys(const char *edits, const char *want)
{
    char *json = canon_test_edit("application_advice", edits);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(json, strlen(json), a, &doc, NULL), XD_OK);
    struct xd_canon_key keys[4];
    size_t total = 0;
    size_t n = xd_canon_keys(doc, keys, 4, &total);
    assert_int_equal(n, total);
    char got[256] = "";
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%s=%s", i ? " " : "", keys[i].name, keys[i].value);
    }
    assert_string_equal(got, want);
    xd_arena_destroy(a);
    xd_free(json);
}

/* An advice about an order without a REF PO is correlated by the order's number (OTI03). */
static void test_keys_of_an_advice(void **state)
{
    (void)state;
    advice_keys("[]", "po_number=4500012345"); /* about an invoice, with its order */
    advice_keys("[[\"po_number\"]]", "");      /* about an invoice alone */
    advice_keys("[[\"po_number\"], [\"document_type\", \"purchase_order\"],"
                " [\"document_number\", \"4500077777\"]]",
                "po_number=4500077777");
    advice_keys("[[\"document_type\", \"purchase_order\"],"
                " [\"document_number\", \"4500077777\"]]",
                "po_number=4500012345"); /* REF PO names it: that one */
}

static void test_header(void **state)
{
    (void)state;
    size_t len;
    char *text = canon_test_example("shipment_confirmation", &len);
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(text, len, a, &doc, NULL), XD_OK);
    struct xd_canon_header *h = xd_canon_doc_header(doc);
    assert_null(h->id); /* examples are documents as sent: the hub assigns ids */
    assert_string_equal(h->source->control_numbers->interchange, "000000318");
    assert_true(h->source->received_at != NULL);
    h->id = "journal-42";
    struct xd_buf out;
    xd_buf_init(&out, OUT_MAX);
    assert_int_equal(xd_canon_encode(doc, &out), XD_OK);
    assert_memory_equal(out.data, "{\"type\":\"shipment_confirmation\",\"id\":\"journal-42\",", 50);
    assert_int_equal(xd_canon_doc_create(a, XD_CANON_TYPE_COUNT, &doc), XD_EINVAL);
    xd_buf_cleanup(&out);
    xd_arena_destroy(a);
    xd_free(text);
}

/* Fail the Nth allocation of decode + encode for N = 0, 1, 2 ... until none fails: each run must
 * end in XD_ENOMEM and leak nothing (ASan checks). */
static long torture(const char *json, size_t len, enum xd_status final)
{
    for (long n = 0;; n++) {
        struct xd_diags d;
        xd_diags_init(&d, 0);
        struct xd_buf out;
        xd_buf_init(&out, OUT_MAX);
        xd_alloc_fail_after(n);
        /* Small blocks, so nearly every arena allocation of the decoder is a failure point. */
        struct xd_arena *a = xd_arena_create(128, 0);
        enum xd_status st = XD_ENOMEM;
        if (a != NULL) {
            struct xd_canon_doc *doc = NULL;
            st = xd_canon_decode(json, len, a, &doc, &d);
            if (st == XD_OK) {
                st = xd_canon_encode(doc, &out);
            }
        }
        long injected = xd_alloc_injected_failures();
        xd_alloc_fail_after(-1);
        xd_buf_cleanup(&out);
        xd_diags_cleanup(&d);
        xd_arena_destroy(a);
        if (injected == 0) {
            assert_int_equal(st, final);
            return n;
        }
        if (st != XD_ENOMEM) {
            print_message("allocation %ld failed but the result was %s\n", n, xd_status_name(st));
        }
        assert_int_equal(st, XD_ENOMEM);
    }
}

static void test_oom_torture(void **state)
{
    (void)state;
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        size_t len;
        char *text = canon_test_example(xd_canon_type_name((enum xd_canon_type)t), &len);
        /* The document, its structs (each its own block with 128-byte chunks), one string pool,
         * the encoder's buffer: a handful of failure points, each of them tried. */
        long runs = torture(text, len, XD_OK);
        assert_true(runs >= 4);
        xd_free(text);
    }
    /* Invalid documents too: recording problems allocates. */
    char *bad = canon_test_edit("invoice", "[[\"lines.0.quantity\", 1], [\"extra\", 2],"
                                           " [\"totals.subtotal\", \"1.00\"]]");
    torture(bad, strlen(bad), XD_EINVALDOC);
    xd_free(bad);
    bad = canon_test_edit("invoice", "[[\"totals.subtotal\", \"1.00\"]]");
    torture(bad, strlen(bad), XD_EINVALDOC);
    xd_free(bad);
    bad = canon_test_edit("ship_notice", "[[\"package_count\", 3]]");
    torture(bad, strlen(bad), XD_EINVALDOC);
    xd_free(bad);
    /* The decoder's second readings: `type` last (decoding starts over), an array past its
     * max_items (a second pass), escapes decoded into the pool, names nobody described. */
    const char *late = "{\"location_id\":\"DC\\u002d1\",\"kind\":\"warehouse\","
                       "\"name\":\"Chicago\",\"type\":\"location\"}";
    torture(late, strlen(late), XD_OK);
    struct xd_buf b;
    xd_buf_init(&b, 1u << 20);
    assert_int_equal(xd_buf_append_str(&b, "{\"type\":\"party\",\"party_id\":\"p\",\"role\":"
                                           "\"supplier\",\"name\":\"n\",\"x\":{\"a\":[1]},"
                                           "\"identifiers\":["),
                     XD_OK);
    for (int i = 0; i < 21; i++) {
        assert_int_equal(
            xd_buf_printf(&b, "%s{\"scheme\":\"gln\",\"v\\u0061lue\":\"%d\"}", i ? "," : "", i),
            XD_OK);
    }
    assert_int_equal(xd_buf_append_str(&b, "]}"), XD_OK);
    torture(b.data, b.len, XD_EINVALDOC);
    xd_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_round_trip),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_unknown_type),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_depth_bomb),
        cmocka_unit_test(test_input_too_big),
        cmocka_unit_test(test_member_types),
        cmocka_unit_test(test_decimal_number_message),
        cmocka_unit_test(test_decimal_spelling),
        cmocka_unit_test(test_unknown_members),
        cmocka_unit_test(test_strings_and_codes),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_diags_cap),
        cmocka_unit_test(test_type_anywhere),
        cmocka_unit_test(test_problem_order),
        cmocka_unit_test(test_overlong_array),
        cmocka_unit_test(test_numbers_in_members),
        cmocka_unit_test(test_built_in_c),
        cmocka_unit_test(test_encode_cap),
        cmocka_unit_test(test_encode_every_byte),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_keys_of_an_advice),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_oom_torture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
