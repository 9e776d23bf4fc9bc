/* The inbound mapping on canonical JSON documents: code lists, unit spellings, item
 * cross-references (found, contradicted, unknown), unit conversions (item and global, chained,
 * exact quantities, rounded prices, adjusted totals), location and party codes; and
 * xd_partner_convert between any two units joined by conversions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "partner_test.h"

static const char profile[] = "id: supplier-x\n"
                              "name: Supplier X\n"
                              "role: supplier\n"
                              "mapping:\n"
                              "  unknown_items: error\n"
                              "  items:\n"
                              "    - {sku: NW-1, vendor_part: V-1, gtin: \"00614141204175\"}\n"
                              "    - {sku: NW-2, vendor_part: V-2}\n"
                              "    - {sku: NW-3, buyer_part: B-3}\n"
                              "  units:\n"
                              "    codes: {CS: CA, EACH: EA}\n"
                              "    conversions:\n"
                              "      - {from: CA, to: BX, factor: 10, sku: NW-1}\n"
                              "      - {from: BX, to: EA, factor: 100, sku: NW-1}\n"
                              "      - {from: DZ, to: EA, factor: 12}\n"
                              "      - {from: CA, to: EA, factor: 24}\n"
                              "  locations:\n"
                              "    - {location_id: DC-CHI, code: CHI01, gln: \"0614141000029\"}\n"
                              "  parties:\n"
                              "    - {party_id: northwind, code: NW, duns: \"804735132\"}\n"
                              "  code_lists:\n"
                              "    - document: po_acknowledgement\n"
                              "      path: \"lines[].status\"\n"
                              "      map: {IA: accepted, IR: rejected}\n"
                              "      unknown: error\n"
                              "    - document: po_acknowledgement\n"
                              "      path: status\n"
                              "      map: {AC: accepted_with_changes}\n";

static struct xd_partner_profile *prof;

static int setup(void **state)
{
    (void)state;
    prof = pt_valid(profile);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xd_partner_profile_unref(prof);
    return 0;
}

struct mapped {
    json_t *doc;
    struct xd_diags notes;
    struct xd_diags problems;
    enum xd_status st;
};

static void map(const char *json, struct mapped *m)
{
    m->doc = json_loads(json, 0, NULL);
    assert_non_null(m->doc);
    xd_diags_init(&m->notes, 100);
    xd_diags_init(&m->problems, 100);
    m->st = xd_partner_map_inbound(prof, m->doc, &m->notes, &m->problems);
}

static void done(struct mapped *m)
{
    json_decref(m->doc);
    xd_diags_cleanup(&m->notes);
    xd_diags_cleanup(&m->problems);
}

static const char *at(json_t *doc, const char *line_member, size_t line)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(doc, "lines"), line), line_member));
}

static bool has_diag(const struct xd_diags *d, const char *code, const char *path)
{
    for (size_t i = 0; i < d->count; i++) {
        if (strcmp(d->items[i].code, code) == 0 && strcmp(d->items[i].path, path) == 0) {
            return true;
        }
    }
    return false;
}

static void test_items_units_codes(void **state)
{
    (void)state;
    struct mapped m;
    map("{\"type\":\"po_acknowledgement\",\"po_number\":\"1\",\"status\":\"AC\","
        "\"ack_date\":\"2026-03-03\",\"lines\":["
        "{\"line_number\":1,\"vendor_part\":\"V-1\",\"status\":\"IA\",\"uom\":\"CS\","
        "\"confirmed_quantity\":\"3\",\"confirmed_unit_price\":\"60.00\"},"
        "{\"line_number\":2,\"vendor_part\":\"V-2\",\"status\":\"IR\",\"uom\":\"CS\","
        "\"ordered_quantity\":\"2\",\"confirmed_unit_price\":\"1.00\"},"
        "{\"line_number\":3,\"gtin\":\"00614141204175\",\"status\":\"IA\",\"uom\":\"EACH\","
        "\"confirmed_quantity\":\"7\"}]}",
        &m);
    assert_int_equal(m.st, XD_OK);
    assert_string_equal(json_string_value(json_object_get(m.doc, "status")),
                        "accepted_with_changes");
    /* Line 1: NW-1 by vendor part, CS -> CA, then the item's own chain CA -> BX -> EA. */
    assert_string_equal(at(m.doc, "sku", 0), "NW-1");
    assert_string_equal(at(m.doc, "status", 0), "accepted");
    assert_string_equal(at(m.doc, "uom", 0), "EA");
    assert_string_equal(at(m.doc, "confirmed_quantity", 0), "3000");
    assert_string_equal(at(m.doc, "confirmed_unit_price", 0), "0.06");
    /* Line 2: NW-2 has no conversion of its own: the global CA = 24 EA applies. 1.00 / 24 is
     * not exact: rounded half-even to 6 decimals, and the note says so. */
    assert_string_equal(at(m.doc, "sku", 1), "NW-2");
    assert_string_equal(at(m.doc, "uom", 1), "EA");
    assert_string_equal(at(m.doc, "ordered_quantity", 1), "48");
    assert_string_equal(at(m.doc, "confirmed_unit_price", 1), "0.041667");
    bool rounded = false;
    for (size_t i = 0; i < m.notes.count; i++) {
        rounded |= strstr(m.notes.items[i].message, "rounded") != NULL;
    }
    assert_true(rounded);
    /* Line 3: by GTIN; EACH -> EA, no conversion from EA. */
    assert_string_equal(at(m.doc, "sku", 2), "NW-1");
    assert_string_equal(at(m.doc, "uom", 2), "EA");
    assert_string_equal(at(m.doc, "confirmed_quantity", 2), "7");
    assert_true(has_diag(&m.notes, "item", "$.lines[0]"));
    assert_true(has_diag(&m.notes, "code", "$.lines[1].status"));
    assert_int_equal(m.problems.count, 0);
    done(&m);
}

static void test_item_problems(void **state)
{
    (void)state;
    struct mapped m;
    map("{\"type\":\"invoice\",\"lines\":["
        "{\"line_number\":1,\"sku\":\"NW-9\",\"vendor_part\":\"V-1\",\"quantity\":\"1\","
        "\"uom\":\"EA\"},"
        "{\"line_number\":2,\"vendor_part\":\"V-404\",\"quantity\":\"1\",\"uom\":\"EA\"},"
        "{\"line_number\":3,\"buyer_part\":\"B-3\",\"quantity\":\"1\",\"uom\":\"EA\"}]}",
        &m);
    assert_int_equal(m.st, XD_EINVALDOC);
    assert_true(has_diag(&m.problems, "item_mismatch", "$.lines[0]"));
    assert_true(has_diag(&m.problems, "item_unknown", "$.lines[1]"));
    assert_string_equal(at(m.doc, "sku", 2), "NW-3");
    assert_int_equal(m.problems.count, 2);
    done(&m);
    /* A code outside a list with unknown: error. */
    map("{\"type\":\"po_acknowledgement\",\"lines\":[{\"line_number\":1,\"status\":\"XX\"}]}", &m);
    assert_int_equal(m.st, XD_EINVALDOC);
    assert_true(has_diag(&m.problems, "code_unknown", "$.lines[0].status"));
    done(&m);
    /* Not a document. */
    json_t *j = json_loads("[1]", 0, NULL);
    assert_int_equal(xd_partner_map_inbound(prof, j, NULL, NULL), XD_EINVAL);
    json_decref(j);
}

static void test_totals_follow_lines(void **state)
{
    (void)state;
    struct mapped m;
    map("{\"type\":\"purchase_order\",\"lines\":["
        "{\"line_number\":1,\"sku\":\"NW-2\",\"quantity\":\"2\",\"uom\":\"CA\"},"
        "{\"line_number\":2,\"sku\":\"NW-5\",\"quantity\":\"5\",\"uom\":\"EA\"}],"
        "\"totals\":{\"total_quantity\":\"7\"}}",
        &m);
    assert_int_equal(m.st, XD_OK);
    assert_string_equal(at(m.doc, "quantity", 0), "48");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(m.doc, "totals"), "total_quantity")),
        "53");
    done(&m);
}

static void test_places(void **state)
{
    (void)state;
    struct mapped m;
    map("{\"type\":\"ship_notice\",\"ship_to\":{\"gln\":\"0614141000029\"},"
        "\"supplier\":{\"duns\":\"804735132\"},\"ship_from\":{\"assigned_id\":\"ZZZ\"},"
        "\"orders\":[]}",
        &m);
    assert_int_equal(m.st, XD_OK);
    json_t *st = json_object_get(m.doc, "ship_to");
    assert_string_equal(json_string_value(json_object_get(st, "location_id")), "DC-CHI");
    json_t *su = json_object_get(m.doc, "supplier");
    assert_string_equal(json_string_value(json_object_get(su, "party_id")), "northwind");
    assert_null(json_object_get(json_object_get(m.doc, "ship_from"), "location_id"));
    done(&m);
    map("{\"type\":\"receipt\",\"location_id\":\"CHI01\",\"lines\":[]}", &m);
    assert_string_equal(json_string_value(json_object_get(m.doc, "location_id")), "DC-CHI");
    assert_true(has_diag(&m.notes, "location", "$"));
    done(&m);
}

static void test_convert(void **state)
{
    (void)state;
    struct xd_decimal out;
    struct xd_error err = {0};
    struct xd_decimal two = xd_decimal_from_int(2);
    /* Forward along the item's chain, backward, and across two chains meeting in EA. */
    assert_int_equal(xd_partner_convert(prof, "NW-1", two, "CA", "EA", &out, &err), XD_OK);
    assert_int_equal(out.units, 2000);
    assert_int_equal(
        xd_partner_convert(prof, "NW-1", xd_decimal_from_int(3000), "EA", "CA", &out, &err), XD_OK);
    assert_int_equal(out.units, 3);
    assert_int_equal(xd_partner_convert(prof, "NW-2", two, "CA", "DZ", &out, &err), XD_OK);
    assert_int_equal(out.units, 4);
    assert_int_equal(out.scale, 0);
    /* Not a whole number of cases. */
    assert_int_equal(
        xd_partner_convert(prof, "NW-2", xd_decimal_from_int(25), "EA", "CA", &out, &err),
        XD_EINVAL);
    assert_non_null(strstr(err.message, "not a whole number"));
    /* Nothing joins them. */
    assert_int_equal(xd_partner_convert(prof, NULL, two, "KG", "EA", &out, &err), XD_ENOTFOUND);
    /* Lookups. */
    assert_string_equal(xd_partner_item_sku(prof, NULL, "B-3", NULL), "NW-3");
    assert_null(xd_partner_item_sku(prof, "nope", NULL, NULL));
    assert_string_equal(xd_partner_uom(prof, "CS"), "CA");
    assert_string_equal(xd_partner_uom(prof, "BX"), "BX");
    assert_null(xd_partner_uom(prof, "CASE"));
    assert_string_equal(xd_partner_location_id(prof, NULL, "0614141000029"), "DC-CHI");
    assert_string_equal(xd_partner_party_id(prof, "NW", NULL, NULL), "northwind");
}

/* A large catalogue stays fast: the lookups are indexed, not linear. */
static void test_large_catalogue(void **state)
{
    (void)state;
    struct xd_buf y;
    xd_buf_init(&y, (size_t)4 * 1024 * 1024);
    assert_int_equal(
        xd_buf_append_str(&y, "id: big\nname: Big\nrole: supplier\nmapping:\n  items:\n"), XD_OK);
    for (int i = 0; i < 40000; i++) {
        assert_int_equal(xd_buf_printf(&y, "    - {sku: S%d, vendor_part: V%d}\n", i, i), XD_OK);
    }
    assert_int_equal(xd_buf_append_str(&y, "  units:\n    conversions:\n"), XD_OK);
    for (int i = 0; i < 5000; i++) {
        assert_int_equal(
            xd_buf_printf(&y, "      - {from: CA, to: EA, factor: %d, sku: S%d}\n", i % 50 + 2, i),
            XD_OK);
    }
    struct xd_partner_problems pr;
    struct xd_partner_profile *p = NULL;
    int64_t t0 = xd_mono_ns();
    assert_int_equal(pt_parse(y.data, XD_PARTNER_YAML, &p, &pr), XD_OK);
    int64_t ms = (xd_mono_ns() - t0) / 1000000;
    assert_true(ms < 20000); /* seconds even under sanitizers; quadratic would be hours */
    assert_string_equal(xd_partner_item_sku(p, "V39999", NULL, NULL), "S39999");
    struct xd_decimal out;
    assert_int_equal(xd_partner_convert(p, "S4999", xd_decimal_from_int(1), "CA", "EA", &out, NULL),
                     XD_OK);
    assert_int_equal(out.units, 4999 % 50 + 2);
    xd_partner_problems_cleanup(&pr);
    xd_partner_profile_unref(p);
    xd_buf_cleanup(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items_units_codes),
        cmocka_unit_test(test_item_problems),
        cmocka_unit_test(test_totals_follow_lines),
        cmocka_unit_test(test_places),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_large_catalogue),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
