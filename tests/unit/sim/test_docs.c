/* Unit tests of src/sim/docs.c: what the simulated supplier and warehouse answer with. Every
 * document built must be a valid canonical document (checked with canon's decoder), and each
 * problem option must have exactly its effect on the quantities, prices and totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/sim_int.h"

/* A purchase order of 3 lines: 400 BX at 6.85, 2500 EA at 0.1325, 1 CA at 54.00. */
static json_t *po(void)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:s, s:["
                          "{s:i, s:s, s:s, s:s, s:s},"
                          "{s:i, s:s, s:s, s:s, s:s},"
                          "{s:i, s:s, s:s, s:s, s:s}]}",
                          "type", "purchase_order", "po_number", "PO-1", "purpose", "original",
                          "order_date", "2026-03-02", "buyer", "party_id", "northwind", "supplier",
                          "party_id", "acme", "ship_to", "location_id", "DC-CHI", "currency", "USD",
                          "lines", "line_number", 1, "sku", "NW-20417", "quantity", "400", "uom",
                          "BX", "unit_price", "6.85", "line_number", 2, "sku", "NW-10042",
                          "quantity", "2500", "uom", "EA", "unit_price", "0.1325", "line_number", 3,
                          "sku", "NW-31190", "quantity", "1", "uom", "CA", "unit_price", "54.00");
    assert_non_null(p);
    return p;
}

static void assert_valid(const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    struct xd_arena *a = xd_arena_create(16 * 1024, 0);
    struct xd_diags d;
    xd_diags_init(&d, 5);
    struct xd_canon_doc *cd = NULL;
    enum xd_status st = xd_canon_decode(text, strlen(text), a, &cd, &d);
    if (st != XD_OK) {
        fail_msg("%s: %s: %s", text, d.count ? d.items[0].path : "",
                 d.count ? d.items[0].message : "");
    }
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
    free(text);
}

static const char *str(const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s != NULL ? s : "";
}

/* The item of PO line <line> in ship notice <asn>, NULL when it does not ship. */
static json_t *item(const json_t *asn, json_int_t line)
{
    size_t p, i;
    json_t *pack, *it;
    json_array_foreach(json_object_get(json_array_get(json_object_get(asn, "orders"), 0), "packs"),
                       p, pack)
    {
        json_array_foreach(json_object_get(pack, "items"), i, it)
        {
            if (json_integer_value(json_object_get(it, "line_number")) == line) {
                return it;
            }
        }
    }
    return NULL;
}

static void build(const json_t *order, const struct xd_sim__po_problems *pb,
                  struct xd_sim__supplier_docs *d)
{
    struct xd_error err = {0};
    assert_int_equal(xd_sim__supplier_docs_build(order, pb, "2026-03-03", 42, d, &err), XD_OK);
    assert_valid(d->ack);
    for (size_t k = 0; k < d->n_asns; k++) {
        assert_valid(d->asns[k]);
        assert_valid(d->invoices[k]);
    }
}

static void test_as_ordered(void **state)
{
    (void)state;
    json_t *p = po();
    struct xd_sim__po_problems pb = {0};
    struct xd_sim__supplier_docs d;
    build(p, &pb, &d);
    assert_string_equal(str(d.ack, "status"), "accepted");
    assert_string_equal(str(d.ack, "po_date"), "2026-03-02");
    assert_int_equal(d.n_asns, 1);
    assert_string_equal(str(item(d.asns[0], 2), "quantity"), "2500");
    assert_string_equal(str(d.asns[0], "asn_number"), "ASN-PO-1-1");
    assert_string_equal(str(d.invoices[0], "asn_number"), "ASN-PO-1-1");
    assert_string_equal(str(d.invoices[0], "po_date"), "2026-03-02");
    json_t *totals = json_object_get(d.invoices[0], "totals");
    /* 2740.00 + 331.25 + 54.00 */
    assert_string_equal(str(totals, "total_amount"), "3125.25");
    assert_int_equal(json_integer_value(json_object_get(totals, "line_count")), 3);
    xd_sim__supplier_docs_cleanup(&d);
    json_decref(p);
}

static void test_rejected_and_changed(void **state)
{
    (void)state;
    json_t *p = po();
    struct xd_sim__po_problems pb = {.reject_line = 1, .change_line = 2};
    assert_int_equal(xd_decimal_parse("2000", 4, XD_DECIMAL_STRICT, &pb.change_qty), XD_OK);
    struct xd_sim__supplier_docs d;
    build(p, &pb, &d);
    json_t *lines = json_object_get(d.ack, "lines");
    assert_string_equal(str(json_array_get(lines, 0), "status"), "rejected");
    assert_null(json_object_get(json_array_get(lines, 0), "confirmed_quantity"));
    assert_string_equal(str(json_array_get(lines, 1), "status"), "changed");
    assert_string_equal(str(json_array_get(lines, 1), "confirmed_quantity"), "2000");
    assert_string_equal(str(json_array_get(lines, 1), "ordered_quantity"), "2500");
    assert_null(item(d.asns[0], 1));
    assert_string_equal(str(item(d.asns[0], 2), "quantity"), "2000");
    json_t *il = json_object_get(d.invoices[0], "lines");
    assert_int_equal(json_array_size(il), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(il, 0), "po_line_number")),
                     2);
    assert_string_equal(str(json_array_get(il, 0), "amount"), "265.00");
    xd_sim__supplier_docs_cleanup(&d);
    json_decref(p);
}

static void test_everything_rejected(void **state)
{
    (void)state;
    json_t *p =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s}, s:s, s:[{s:i, s:s, s:s, s:s}]}", "type",
                  "purchase_order", "po_number", "PO-2", "purpose", "original", "order_date",
                  "2026-03-02", "buyer", "party_id", "b", "supplier", "party_id", "s", "currency",
                  "USD", "lines", "line_number", 1, "sku", "X-1", "quantity", "5", "uom", "EA");
    struct xd_sim__po_problems pb = {.reject_line = 1};
    struct xd_sim__supplier_docs d;
    build(p, &pb, &d);
    assert_string_equal(str(d.ack, "status"), "rejected");
    assert_int_equal(d.n_asns, 0); /* nothing ships, nothing is invoiced */
    xd_sim__supplier_docs_cleanup(&d);
    json_decref(p);
}

static void test_partial(void **state)
{
    (void)state;
    json_t *p = po();
    struct xd_sim__po_problems pb = {.partial_percent = 33};
    struct xd_sim__supplier_docs d;
    build(p, &pb, &d);
    assert_int_equal(d.n_asns, 2);
    /* 33% of 400 is 132, rounded down; 33% of 1 is 0: that line ships only later. */
    assert_string_equal(str(item(d.asns[0], 1), "quantity"), "132");
    assert_string_equal(str(item(d.asns[1], 1), "quantity"), "268");
    assert_string_equal(str(item(d.asns[0], 2), "quantity"), "825");
    assert_string_equal(str(item(d.asns[1], 2), "quantity"), "1675");
    assert_null(item(d.asns[0], 3));
    assert_string_equal(str(item(d.asns[1], 3), "quantity"), "1");
    assert_string_not_equal(str(d.asns[0], "asn_number"), str(d.asns[1], "asn_number"));
    assert_string_equal(str(d.invoices[1], "asn_number"), str(d.asns[1], "asn_number"));
    assert_string_not_equal(str(d.invoices[0], "invoice_number"),
                            str(d.invoices[1], "invoice_number"));
    xd_sim__supplier_docs_cleanup(&d);
    json_decref(p);
}

static void test_price_error(void **state)
{
    (void)state;
    json_t *p = po();
    struct xd_sim__po_problems pb = {.price_error_percent = 3};
    struct xd_sim__supplier_docs d;
    build(p, &pb, &d);
    json_t *l1 = json_array_get(json_object_get(d.invoices[0], "lines"), 0);
    /* 6.85 x 1.03 = 7.0555, at 4 decimals; 400 of them 2822.20 */
    assert_string_equal(str(l1, "unit_price"), "7.0555");
    assert_string_equal(str(l1, "amount"), "2822.20");
    /* The acknowledgement confirmed the right price: the mismatch is the invoice's. */
    assert_string_equal(
        str(json_array_get(json_object_get(d.ack, "lines"), 0), "confirmed_unit_price"), "6.85");
    xd_sim__supplier_docs_cleanup(&d);
    json_decref(p);
}

/* GS1 mod-10 over the first 17 digits, computed here independently of docs.c. */
static void test_sscc_check_digit(void **state)
{
    (void)state;
    json_t *p = po();
    struct xd_sim__po_problems pb = {0};
    struct xd_sim__supplier_docs d;
    build(p, &pb, &d);
    const char *code = str(
        json_array_get(
            json_object_get(json_array_get(json_object_get(d.asns[0], "orders"), 0), "packs"), 0),
        "sscc");
    assert_int_equal(strlen(code), 18);
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (code[i] - '0') * (i % 2 == 0 ? 3 : 1);
    }
    assert_int_equal(code[17] - '0', (10 - sum % 10) % 10);
    xd_sim__supplier_docs_cleanup(&d);
    json_decref(p);
}

static void test_not_a_purchase_order(void **state)
{
    (void)state;
    struct xd_sim__po_problems pb = {0};
    struct xd_sim__supplier_docs d;
    struct xd_error err = {0};
    json_t *p = json_pack("{s:s, s:s}", "type", "purchase_order", "po_number", "X");
    assert_int_equal(xd_sim__supplier_docs_build(p, &pb, "2026-03-03", 1, &d, &err), XD_EINVAL);
    json_decref(p);
    p = po();
    json_object_set_new(json_array_get(json_object_get(p, "lines"), 0), "quantity",
                        json_integer(4));
    assert_int_equal(xd_sim__supplier_docs_build(p, &pb, "2026-03-03", 1, &d, &err), XD_EINVAL);
    assert_non_null(strstr(err.message, "lines[0]"));
    json_decref(p);
}

static void test_receipt_short_and_damaged(void **state)
{
    (void)state;
    json_t *p = po();
    struct xd_sim__po_problems none = {0};
    struct xd_sim__supplier_docs d;
    build(p, &none, &d);
    struct xd_sim__receipt_problems pb = {.short_line = 1, .over_line = 2, .damaged_line = 3};
    assert_int_equal(xd_decimal_parse("10", 2, XD_DECIMAL_STRICT, &pb.over_qty), XD_OK);
    assert_int_equal(xd_decimal_parse("500", 3, XD_DECIMAL_STRICT, &pb.short_qty), XD_OK);
    assert_int_equal(xd_decimal_parse("7", 1, XD_DECIMAL_STRICT, &pb.damaged_qty), XD_OK);
    json_t *r = NULL;
    struct xd_error err = {0};
    assert_int_equal(
        xd_sim__receipt_build(d.asns[0], &pb, "2026-03-11T10:15:00Z", "DC-X", 9, &r, &err), XD_OK);
    assert_valid(r);
    assert_string_equal(str(r, "asn_number"), "ASN-PO-1-1");
    assert_string_equal(str(r, "po_number"), "PO-1");
    assert_string_equal(str(r, "location_id"), "DC-CHI"); /* the ASN's, not the default */
    json_t *lines = json_object_get(r, "lines");
    assert_int_equal(json_array_size(lines), 3);
    json_t *l1 = json_array_get(lines, 0), *l3 = json_array_get(lines, 2);
    /* 500 short of 400: none received, never below zero. */
    assert_string_equal(str(l1, "expected_quantity"), "400");
    assert_string_equal(str(l1, "received_quantity"), "0");
    /* 7 damaged of 1 received: at most what was received. */
    assert_string_equal(str(l3, "damaged_quantity"), "1");
    assert_string_equal(str(l3, "condition"), "damaged");
    assert_string_equal(str(json_array_get(lines, 1), "condition"), "good");
    assert_string_equal(str(json_array_get(lines, 1), "expected_quantity"), "2500");
    assert_string_equal(str(json_array_get(lines, 1), "received_quantity"), "2510");
    json_decref(r);
    xd_sim__supplier_docs_cleanup(&d);
    json_decref(p);
}

static void test_purchase_orders(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int i = 0; i < 50; i++) {
        json_t *p = NULL;
        assert_int_equal(
            xd_sim__purchase_order_build("PO-7", "acme", "DC-CHI", "2026-03-02", &seed, &p), XD_OK);
        assert_valid(p); /* totals must match the lines, or canon refuses it */
        size_t n = json_array_size(json_object_get(p, "lines"));
        assert_true(n >= 1 && n <= 5);
        assert_string_equal(str(json_object_get(p, "supplier"), "party_id"), "acme");
        json_decref(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_ordered),
        cmocka_unit_test(test_rejected_and_changed),
        cmocka_unit_test(test_everything_rejected),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_price_error),
        cmocka_unit_test(test_sscc_check_digit),
        cmocka_unit_test(test_not_a_purchase_order),
        cmocka_unit_test(test_receipt_short_and_damaged),
        cmocka_unit_test(test_purchase_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
