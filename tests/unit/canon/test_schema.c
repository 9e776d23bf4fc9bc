/* SPDX-License-Identifier: MIT
 * The generated JSON Schemas: valid JSON, required members as the definitions say, and every
 * example valid against what its schema states, checked by a small schema walker (type,
 * properties, required, additionalProperties, $ref, enum, const, pattern, lengths, bounds, items)
 * that also proves it rejects broken variants. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "canon_test.h"

static json_t *load_schema(enum xd_canon_type t)
{
    struct xd_buf b;
    xd_buf_init(&b, 1u << 22);
    assert_int_equal(xd_canon_schema(t, &b), XD_OK);
    json_error_t jerr;
    json_t *s = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
    if (s == NULL) {
        print_message("%s schema: %s at %d\n", xd_canon_type_name(t), jerr.text, jerr.position);
    }
    assert_non_null(s);
    xd_buf_cleanup(&b);
    return s;
}

/* --- A small JSON Schema checker ------------------------------------------------------------ */

struct checker {
    json_t *root;
    int errors;
    bool verbose;
};

static void problem(struct checker *k, const char *path, const char *what)
{
    if (k->errors++ < 20 && k->verbose) {
        print_message("    schema: %s: %s\n", path, what);
    }
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

static bool type_is(const char *type, const json_t *v)
{
    return (strcmp(type, "object") == 0 && json_is_object(v)) ||
           (strcmp(type, "array") == 0 && json_is_array(v)) ||
           (strcmp(type, "string") == 0 && json_is_string(v)) ||
           (strcmp(type, "integer") == 0 && json_is_integer(v)) ||
           (strcmp(type, "boolean") == 0 && json_is_boolean(v));
}

static void check(struct checker *k, json_t *schema, json_t *v, const char *path);

static void check_string(struct checker *k, json_t *schema, json_t *v, const char *path)
{
    const char *s = json_string_value(v);
    json_t *min = json_object_get(schema, "minLength");
    json_t *max = json_object_get(schema, "maxLength");
    json_t *pattern = json_object_get(schema, "pattern");
    if (min && utf8_len(s) < (size_t)json_integer_value(min)) {
        problem(k, path, "shorter than minLength");
    }
    if (max && utf8_len(s) > (size_t)json_integer_value(max)) {
        problem(k, path, "longer than maxLength");
    }
    if (pattern != NULL) {
        regex_t re;
        assert_int_equal(regcomp(&re, json_string_value(pattern), REG_EXTENDED | REG_NOSUB), 0);
        if (regexec(&re, s, 0, NULL, 0) != 0) {
            problem(k, path, "does not match pattern");
        }
        regfree(&re);
    }
}

static void check_object(struct checker *k, json_t *schema, json_t *v, const char *path)
{
    json_t *props = json_object_get(schema, "properties");
    json_t *req = json_object_get(schema, "required");
    json_t *extra = json_object_get(schema, "additionalProperties");
    size_t i;
    json_t *name;
    json_array_foreach(req, i, name)
    {
        if (json_object_get(v, json_string_value(name)) == NULL) {
            problem(k, path, "required member missing");
        }
    }
    const char *key;
    json_t *member;
    json_object_foreach(v, key, member)
    {
        char sub[512];
        snprintf(sub, sizeof sub, "%s.%s", path, key);
        json_t *ps = props ? json_object_get(props, key) : NULL;
        if (ps != NULL) {
            check(k, ps, member, sub);
        } else if (json_is_false(extra)) {
            problem(k, sub, "additional property");
        }
    }
}

static void check_array(struct checker *k, json_t *schema, json_t *v, const char *path)
{
    json_t *min = json_object_get(schema, "minItems");
    json_t *max = json_object_get(schema, "maxItems");
    if (min && json_array_size(v) < (size_t)json_integer_value(min)) {
        problem(k, path, "fewer than minItems");
    }
    if (max && json_array_size(v) > (size_t)json_integer_value(max)) {
        problem(k, path, "more than maxItems");
    }
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it)
    {
        char sub[512];
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        check(k, json_object_get(schema, "items"), it, sub);
    }
}

static void check(struct checker *k, json_t *schema, json_t *v, const char *path)
{
    json_t *ref = json_object_get(schema, "$ref");
    if (ref != NULL) {
        const char *r = json_string_value(ref);
        assert_int_equal(strncmp(r, "#/$defs/", 8), 0);
        json_t *target = json_object_get(json_object_get(k->root, "$defs"), r + 8);
        assert_non_null(target);
        check(k, target, v, path);
    }
    json_t *c = json_object_get(schema, "const");
    if (c != NULL && !json_equal(c, v)) {
        problem(k, path, "not the const value");
    }
    json_t *en = json_object_get(schema, "enum");
    if (en != NULL) {
        bool found = false;
        size_t i;
        json_t *e;
        json_array_foreach(en, i, e)
        {
            found = found || json_equal(e, v);
        }
        if (!found) {
            problem(k, path, "not in enum");
        }
    }
    json_t *type = json_object_get(schema, "type");
    if (type != NULL && !type_is(json_string_value(type), v)) {
        problem(k, path, "wrong type");
        return;
    }
    if (json_is_string(v)) {
        check_string(k, schema, v, path);
    } else if (json_is_integer(v)) {
        json_t *min = json_object_get(schema, "minimum");
        json_t *max = json_object_get(schema, "maximum");
        if ((min && json_integer_value(v) < json_integer_value(min)) ||
            (max && json_integer_value(v) > json_integer_value(max))) {
            problem(k, path, "out of bounds");
        }
    } else if (json_is_object(v)) {
        check_object(k, schema, v, path);
    } else if (json_is_array(v)) {
        check_array(k, schema, v, path);
    }
}

static int schema_errors(enum xd_canon_type t, const char *json, bool verbose)
{
    json_t *schema = load_schema(t);
    json_error_t jerr;
    json_t *doc = json_loads(json, 0, &jerr);
    assert_non_null(doc);
    struct checker k = {schema, 0, verbose};
    check(&k, schema, doc, "$");
    json_decref(doc);
    json_decref(schema);
    return k.errors;
}

/* --- Tests ---------------------------------------------------------------------------------- */

static const char *const required_members[XD_CANON_TYPE_COUNT] = {
    [XD_CANON_ITEM] = "type sku description base_uom",
    [XD_CANON_PARTY] = "type party_id role name",
    [XD_CANON_LOCATION] = "type location_id kind name",
    [XD_CANON_PURCHASE_ORDER] = "type po_number purpose order_date buyer supplier",
    [XD_CANON_PO_ACKNOWLEDGEMENT] = "type po_number status ack_date",
    [XD_CANON_SHIP_NOTICE] = "type asn_number purpose ship_date ship_to orders",
    [XD_CANON_RECEIPT] = "type receipt_number location_id received_at lines",
    [XD_CANON_INVOICE] =
        "type invoice_number invoice_type invoice_date supplier buyer currency lines totals",
    [XD_CANON_RETURN_AUTHORIZATION] = "type rma_number status rma_date requester lines",
    [XD_CANON_SHIPPING_ORDER] = "type order_number purpose order_date location_id ship_to lines",
    [XD_CANON_SHIPMENT_CONFIRMATION] = "type order_number shipment_id location_id shipped_at lines",
    [XD_CANON_INVENTORY_MOVEMENT] =
        "type movement_id kind occurred_at location_id sku quantity uom",
    [XD_CANON_INVENTORY_SNAPSHOT] = "type snapshot_id location_id as_of lines",
    [XD_CANON_APPLICATION_ADVICE] =
        "type advice_number advice_date status document_type document_number",
};

static void test_schema_shape(void **state)
{
    (void)state;
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        json_t *s = load_schema((enum xd_canon_type)t);
        const char *name = xd_canon_type_name((enum xd_canon_type)t);
        assert_string_equal(json_string_value(json_object_get(s, "$schema")),
                            "https://json-schema.org/draft/2020-12/schema");
        assert_string_equal(json_string_value(json_object_get(s, "title")), name);
        assert_true(json_is_false(json_object_get(s, "additionalProperties")));
        char got[512] = "";
        size_t n = 0;
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(s, "required"), i, r)
        {
            n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", i ? " " : "",
                                  json_string_value(r));
        }
        assert_string_equal(got, required_members[t]);
        /* Every member is documented. */
        const char *key;
        json_t *p;
        json_object_foreach(json_object_get(s, "properties"), key, p)
        {
            assert_true(json_is_string(json_object_get(p, "description")));
        }
        json_decref(s);
    }
    json_t *po = load_schema(XD_CANON_PURCHASE_ORDER);
    json_t *props = json_object_get(po, "properties");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(props, "po_number"), "x-crossdock-key")),
        "po_number");
    json_t *line =
        json_object_get(json_object_get(json_object_get(po, "$defs"), "po_line"), "properties");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(line, "quantity"), "type")), "string");
    json_decref(po);
    struct xd_buf b;
    xd_buf_init(&b, 16);
    assert_int_equal(xd_canon_schema(XD_CANON_ITEM, &b), XD_ETOOBIG);
    assert_int_equal(xd_canon_schema(XD_CANON_TYPE_COUNT, &b), XD_EINVAL);
    xd_buf_cleanup(&b);
}

static void test_examples_match_schema(void **state)
{
    (void)state;
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        const char *name = xd_canon_type_name((enum xd_canon_type)t);
        char *text = canon_test_example(name, NULL);
        int errors = schema_errors((enum xd_canon_type)t, text, true);
        if (errors != 0) {
            print_message("%s: %d schema errors\n", name, errors);
        }
        assert_int_equal(errors, 0);
        xd_free(text);
    }
}

static void expect_schema_rejects(enum xd_canon_type t, const char *edits)
{
    char *json = canon_test_edit(xd_canon_type_name(t), edits);
    assert_true(schema_errors(t, json, false) > 0);
    xd_free(json);
}

static void test_schema_rejects(void **state)
{
    (void)state;
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"lines.0.quantity\", 400]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"lines.0.quantity\", \"4e2\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"lines.0.quantity\", \"0\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"lines.0.unit_price\", \"6.8500001\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"po_number\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"qty\", 1]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"currency\", \"usd\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"type\", \"invoice\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"lines\", []]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"lines.0.uom\", \"ea\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"lines.0.line_number\", 0]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"order_date\", \"2026-3-2\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"source.received_at\", \"2026-03-02\"]]");
    expect_schema_rejects(XD_CANON_PURCHASE_ORDER, "[[\"buyer.contact.role\", \"boss\"]]");
    expect_schema_rejects(XD_CANON_SHIP_NOTICE,
                          "[[\"orders.0.packs.0.items.0.serial_numbers\", [\" x\"]]]");
    expect_schema_rejects(XD_CANON_INVENTORY_MOVEMENT, "[[\"quantity\", \"-0.0000001\"]]");
    expect_schema_rejects(XD_CANON_INVENTORY_SNAPSHOT, "[[\"complete\", \"true\"]]");
    expect_schema_rejects(XD_CANON_PARTY, "[[\"addresses.0.kind\"]]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_shape),
        cmocka_unit_test(test_examples_match_schema),
        cmocka_unit_test(test_schema_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
