/* SPDX-License-Identifier: MIT
 * Every document type with broken members and broken cross-field rules: each problem reported,
 * with its exact JSON path and code. Member problems hide rule problems (rules run on documents
 * whose members are valid), so each type has a member case and a rule case. Rules report a
 * struct's own problems before those of the structs inside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "canon_test.h"

static void expect_edit(const char *type, const char *edits, const char *const *want)
{
    char *json = canon_test_edit(type, edits);
    canon_test_expect(json, want[0] ? XD_EINVALDOC : XD_OK, want);
    xd_free(json);
}

static void test_item(void **state)
{
    (void)state;
    const char *members[] = {"check_digit $.gtin",
                             "code $.base_uom",
                             "range $.packagings[0].base_quantity",
                             "code $.packagings[0].dimensions.uom",
                             "type $.lot_controlled",
                             "range $.shelf_life_days",
                             "unknown_member $.colour",
                             NULL};
    expect_edit("item",
                "[[\"gtin\", \"00614141204176\"], [\"base_uom\", \"EACH\"],"
                " [\"shelf_life_days\", 0], [\"packagings.0.base_quantity\", \"0\"],"
                " [\"packagings.0.dimensions.uom\", \"KG\"], [\"lot_controlled\", \"yes\"],"
                " [\"colour\", \"blue\"]]",
                members);
    const char *rules[] = {"duplicate $.packagings[0].uom", "duplicate $.packagings[1].uom", NULL};
    expect_edit("item", "[[\"packagings.0.uom\", \"BX\"], [\"packagings.1.uom\", \"BX\"]]", rules);
}

static void test_party(void **state)
{
    (void)state;
    const char *members[] = {"required $.role", "code $.identifiers[0].scheme",
                             "max_length $.addresses[0].country", "format $.contacts[0].email",
                             NULL};
    expect_edit("party",
                "[[\"role\"], [\"identifiers.0.scheme\", \"GLN\"],"
                " [\"addresses.0.country\", \"USA\"], [\"contacts.0.email\", \"marco at acme\"]]",
                members);
    const char *rules[] = {"duplicate $.identifiers[5]", "format $.identifiers[1].value",
                           "missing $.identifiers[2].qualifier", "missing $.contacts[1]", NULL};
    expect_edit("party",
                "[[\"identifiers.1.value\", \"80473513\"], [\"identifiers.2.qualifier\"],"
                " [\"identifiers.5\", {\"scheme\":\"gln\",\"value\":\"0714300000010\"}],"
                " [\"contacts.1\", {\"role\":\"edi\"}]]",
                rules);
}

static void test_location(void **state)
{
    (void)state;
    const char *members[] = {"code $.kind", "format $.gln", "required $.address.line1", NULL};
    expect_edit("location",
                "[[\"kind\", \"wharehouse\"], [\"gln\", \"061414100003\"],"
                " [\"address.line1\"]]",
                members);
    const char *rules[] = {"inconsistent $.parent_location_id", NULL};
    expect_edit("location", "[[\"parent_location_id\", \"WH-ATL\"]]", rules);
}

static void test_purchase_order(void **state)
{
    (void)state;
    const char *members[] = {
        "required $.order_date",        "check_digit $.buyer.gln",  "format $.currency",
        "range $.lines[0].line_number", "code $.lines[0].uom",      "unknown_member $.lines[1].qty",
        "type $.lines[2].quantity",     "type $.totals.line_count", NULL};
    expect_edit("purchase_order",
                "[[\"lines.2.quantity\", 12.5], [\"lines.1.qty\", \"3\"],"
                " [\"lines.0.uom\", \"ea\"], [\"currency\", \"usd\"], [\"order_date\"],"
                " [\"buyer.gln\", \"0614141000013\"], [\"lines.0.line_number\", 0],"
                " [\"totals.line_count\", \"3\"]]",
                members);
    const char *rules[] = {"duplicate $.lines[1].line_number",
                           "order $.requested_delivery_date",
                           "order $.requested_delivery_date",
                           "mismatch $.totals.line_count",
                           "mismatch $.totals.total_quantity",
                           "mismatch $.totals.total_amount",
                           "missing $.ship_to",
                           "missing $.lines[2]",
                           NULL};
    expect_edit("purchase_order",
                "[[\"lines.1.line_number\", 1], [\"requested_delivery_date\", \"2026-03-01\"],"
                " [\"ship_to\", {\"address\": {\"line1\": \"1 Main St\", \"city\": \"Chicago\","
                " \"country\": \"US\"}}],"
                " [\"lines.2.sku\"], [\"lines.2.vendor_part\"],"
                " [\"totals.line_count\", 4], [\"totals.total_quantity\", \"2935\"],"
                " [\"totals.total_amount\", \"5015.26\"]]",
                rules);
    const char *no_lines[] = {"missing $.lines", "missing $.currency", NULL};
    expect_edit("purchase_order",
                "[[\"lines\"], [\"totals\"], [\"currency\"],"
                " [\"lines\", [{\"line_number\": 1, \"sku\": \"A\", \"quantity\": \"1\","
                " \"uom\": \"EA\", \"unit_price\": \"1.00\"}]]]",
                no_lines + 1);
    expect_edit("purchase_order", "[[\"lines\"], [\"totals\"]]",
                (const char *[]){no_lines[0], NULL});
    const char *fine[] = {NULL};
    expect_edit("purchase_order", "[[\"lines\"], [\"totals\"], [\"purpose\", \"cancel\"]]", fine);
    /* Line changes belong to change orders (860). */
    const char *change[] = {"inconsistent $.lines[1].change", NULL};
    expect_edit("purchase_order", "[[\"lines.1.change\", \"delete\"]]", change);
    expect_edit("purchase_order",
                "[[\"lines.1.change\", \"delete\"], [\"purpose\", \"change\"], [\"revision\", 1]]",
                fine);
    const char *refs[] = {"required $.references[0].value", "max_length $.references[1].qualifier",
                          NULL};
    expect_edit("purchase_order",
                "[[\"references.0.value\"], [\"references.1.qualifier\", \"VNDR\"]]", refs);
}

static void test_po_acknowledgement(void **state)
{
    (void)state;
    const char *members[] = {"code $.status", "date $.ack_date", "code $.lines[1].status",
                             "range $.lines[2].backordered_quantity", NULL};
    expect_edit("po_acknowledgement",
                "[[\"status\", \"accepted_with_change\"], [\"ack_date\", \"03/03/2026\"],"
                " [\"lines.1.status\", \"IC\"], [\"lines.2.backordered_quantity\", \"-12\"]]",
                members);
    const char *rules[] = {"order $.ack_date",
                           "inconsistent $.lines[1].status",
                           "inconsistent $.lines[2].status",
                           "missing $.lines[1].status",
                           "missing $.lines[2].status",
                           NULL};
    expect_edit("po_acknowledgement",
                "[[\"status\", \"accepted\"], [\"po_date\", \"2026-03-04\"],"
                " [\"lines.1.confirmed_quantity\"], [\"lines.1.confirmed_unit_price\"],"
                " [\"lines.1.confirmed_ship_date\"], [\"lines.2.backordered_quantity\"],"
                " [\"lines.2.confirmed_ship_date\"]]",
                rules);
    const char *rejected[] = {"inconsistent $.lines[0].status", "inconsistent $.lines[1].status",
                              "inconsistent $.lines[2].status", NULL};
    expect_edit("po_acknowledgement", "[[\"status\", \"rejected\"]]", rejected);
    const char *uom[] = {"missing $.lines[0].uom", NULL};
    expect_edit("po_acknowledgement", "[[\"lines.0.uom\"]]", uom);
}

static void test_ship_notice(void **state)
{
    (void)state;
    const char *members[] = {"required $.ship_to", "min_items $.orders[0].packs[0].items",
                             "check_digit $.orders[0].packs[2].parent_sscc", NULL};
    expect_edit("ship_notice",
                "[[\"ship_to\"], [\"orders.0.packs.0.items\", []],"
                " [\"orders.0.packs.2.parent_sscc\", \"006141410041000027\"]]",
                members);
    const char *rules[] = {"order $.estimated_delivery_date",
                           "duplicate $.orders[0].packs[3].sscc",
                           "reference $.orders[0].packs[2].parent_sscc",
                           "missing $.orders[0].packs[1]",
                           "mismatch $.package_count",
                           "mismatch $.orders[0].packs[0].items[0].serial_numbers",
                           "missing $.orders[1]",
                           NULL};
    expect_edit("ship_notice",
                "[[\"estimated_delivery_date\", \"2026-03-08\"],"
                " [\"orders.0.packs.3.sscc\", \"006141410041000019\"],"
                " [\"orders.0.packs.3.parent_sscc\"],"
                " [\"orders.0.packs.2.parent_sscc\", \"006141410041000057\"],"
                " [\"orders.0.packs.0.items.0.serial_numbers\", [\"SN1\", \"SN2\"]],"
                " [\"orders.1\", {\"po_number\": \"4500012346\"}]]",
                rules);
    /* Packs 1 and 2 sit on each other; pack 3 sits on that loop. */
    const char *loop[] = {
        "reference $.orders[0].packs[1].parent_sscc", "reference $.orders[0].packs[2].parent_sscc",
        "reference $.orders[0].packs[3].parent_sscc", "mismatch $.package_count", NULL};
    expect_edit("ship_notice",
                "[[\"orders.0.packs.1.parent_sscc\", \"006141410041000033\"],"
                " [\"orders.0.packs.2.parent_sscc\", \"006141410041000026\"]]",
                loop);
}

static void test_receipt(void **state)
{
    (void)state;
    const char *members[] = {"datetime $.received_at", "required $.lines[0].received_quantity",
                             "code $.lines[2].condition", NULL};
    expect_edit("receipt",
                "[[\"received_at\", \"2026-03-11T10:15:00\"], [\"lines.0.received_quantity\"],"
                " [\"lines.2.condition\", \"crushed\"]]",
                members);
    const char *rules[] = {"duplicate $.lines[2].line_number", "missing $.lines[1]",
                           "inconsistent $.lines[2].received_quantity", NULL};
    expect_edit("receipt",
                "[[\"lines.1.sku\"], [\"lines.2.rejected_quantity\", \"24\"],"
                " [\"lines.2.line_number\", 1]]",
                rules);
}

static void test_invoice(void **state)
{
    (void)state;
    const char *members[] = {"required $.currency", "code $.charges[0].code",
                             "type $.totals.total_amount", NULL};
    expect_edit("invoice",
                "[[\"currency\"], [\"charges.0.code\", \"FREIGHT\"],"
                " [\"totals.total_amount\", 4401.15]]",
                members);
    /* The wrong line amount also makes the subtotal wrong: both are reported. */
    const char *rules[] = {"order $.due_date",
                           "mismatch $.totals.line_count",
                           "mismatch $.totals.subtotal",
                           "mismatch $.totals.tax_total",
                           "mismatch $.totals.total_amount",
                           "mismatch $.lines[1].amount",
                           NULL};
    expect_edit("invoice",
                "[[\"lines.1.amount\", \"323.76\"], [\"due_date\", \"2026-03-01\"],"
                " [\"totals.line_count\", 2], [\"taxes.0.amount\", \"1.00\"],"
                " [\"totals.total_amount\", \"4401.16\"]]",
                rules);
    /* Rounding: 2500 x 0.1295 = 323.75 exactly; 3 x 0.3333 = 0.9999 rounds to 1.00. */
    const char *fine[] = {NULL};
    expect_edit("invoice",
                "[[\"lines.1.quantity\", \"3\"], [\"lines.1.unit_price\", \"0.3333\"],"
                " [\"lines.1.amount\", \"1.00\"], [\"totals.subtotal\", \"4037.00\"],"
                " [\"totals.total_amount\", \"4078.40\"]]",
                fine);
}

static void test_return_authorization(void **state)
{
    (void)state;
    const char *members[] = {"code $.status", "range $.lines[0].quantity", NULL};
    expect_edit("return_authorization",
                "[[\"status\", \"approved\"], [\"lines.0.quantity\", \"-1\"]]", members);
    const char *rules[] = {"order $.expiry_date", "missing $.lines[0].reason",
                           "mismatch $.lines[0].serial_numbers", NULL};
    expect_edit("return_authorization",
                "[[\"reason\"], [\"expiry_date\", \"2026-03-01\"],"
                " [\"lines.0.serial_numbers\", [\"A1\", \"A2\"]]]",
                rules);
}

static void test_shipping_order(void **state)
{
    (void)state;
    const char *members[] = {"required $.location_id", "code $.priority", "required $.lines[1].sku",
                             NULL};
    expect_edit("shipping_order",
                "[[\"location_id\"], [\"priority\", \"asap\"], [\"lines.1.sku\"]]", members);
    const char *rules[] = {"duplicate $.lines[1].line_number", "order $.requested_ship_date",
                           "order $.requested_delivery_date", "missing $.ship_to", NULL};
    expect_edit("shipping_order",
                "[[\"lines.1.line_number\", 1], [\"requested_ship_date\", \"2026-03-13\"],"
                " [\"requested_delivery_date\", \"2026-03-12\"],"
                " [\"ship_to\", {\"contact\": {\"name\": \"Lee\"}}]]",
                rules);
}

static void test_shipment_confirmation(void **state)
{
    (void)state;
    const char *members[] = {"required $.shipment_id", "datetime $.shipped_at",
                             "code $.lines[1].status", NULL};
    expect_edit("shipment_confirmation",
                "[[\"shipment_id\"], [\"shipped_at\", \"yesterday\"],"
                " [\"lines.1.status\", \"short\"]]",
                members);
    const char *rules[] = {"reference $.packages[1].contents[1].line_number",
                           "mismatch $.lines[0].shipped_quantity",
                           "inconsistent $.lines[1].shipped_quantity", NULL};
    expect_edit("shipment_confirmation",
                "[[\"lines.1.status\", \"cancelled\"], [\"packages.1.contents.1.line_number\", 3],"
                " [\"packages.1.contents.0.quantity\", \"31\"]]",
                rules);
    const char *dup[] = {"duplicate $.packages[1].sscc", NULL};
    expect_edit("shipment_confirmation", "[[\"packages.1.sscc\", \"006141410052000015\"]]", dup);
}

static void test_inventory_movement(void **state)
{
    (void)state;
    const char *members[] = {"code $.kind", "datetime $.occurred_at", "empty $.bin", NULL};
    expect_edit(
        "inventory_movement",
        "[[\"kind\", \"PICK\"], [\"occurred_at\", \"2026-03-16T25:01:52Z\"], [\"bin\", \"\"]]",
        members);
    const char *rules[] = {"range $.quantity", "inconsistent $.to_location_id",
                           "missing $.references", NULL};
    expect_edit("inventory_movement",
                "[[\"quantity\", \"-60\"], [\"to_location_id\", \"DC-CHI\"], [\"references\", {}]]",
                rules);
    const char *transfer[] = {"missing $.to_location_id", NULL};
    expect_edit("inventory_movement", "[[\"kind\", \"transfer\"]]", transfer);
    const char *adjust[] = {NULL};
    expect_edit("inventory_movement", "[[\"kind\", \"adjustment\"], [\"quantity\", \"-2\"]]",
                adjust);
    const char *zero[] = {"range $.quantity", NULL};
    expect_edit("inventory_movement", "[[\"kind\", \"adjustment\"], [\"quantity\", \"0\"]]", zero);
}

static void test_inventory_snapshot(void **state)
{
    (void)state;
    const char *members[] = {"required $.as_of", "range $.lines[0].on_hand",
                             "type $.lines[1].available", NULL};
    expect_edit("inventory_snapshot",
                "[[\"as_of\"], [\"lines.0.on_hand\", \"-1\"], [\"lines.1.available\", 0]]",
                members);
    const char *rules[] = {"duplicate $.lines[3]", "inconsistent $.lines[0].available", NULL};
    expect_edit("inventory_snapshot",
                "[[\"lines.0.available\", \"1141\"],"
                " [\"lines.3\", {\"sku\": \"NW-10042\", \"uom\": \"EA\", \"on_hand\": \"5\"}]]",
                rules);
    /* The same SKU in another lot is another line. */
    const char *fine[] = {NULL};
    expect_edit("inventory_snapshot",
                "[[\"lines.3\", {\"sku\": \"NW-20417\", \"lot_number\": \"L2603-002\","
                " \"uom\": \"BX\", \"on_hand\": \"5\"}]]",
                fine);
}

static void test_shared_parts(void **state)
{
    (void)state;
    const char *rules[] = {"missing $.payment_terms.discount_days", "missing $.carrier", NULL};
    expect_edit("purchase_order",
                "[[\"payment_terms.discount_days\"], [\"carrier\", {\"account_number\": \"A1\"}]]",
                rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_item),
        cmocka_unit_test(test_party),
        cmocka_unit_test(test_location),
        cmocka_unit_test(test_purchase_order),
        cmocka_unit_test(test_po_acknowledgement),
        cmocka_unit_test(test_ship_notice),
        cmocka_unit_test(test_receipt),
        cmocka_unit_test(test_invoice),
        cmocka_unit_test(test_return_authorization),
        cmocka_unit_test(test_shipping_order),
        cmocka_unit_test(test_shipment_confirmation),
        cmocka_unit_test(test_inventory_movement),
        cmocka_unit_test(test_inventory_snapshot),
        cmocka_unit_test(test_shared_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
