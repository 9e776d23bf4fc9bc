/* The onboarding harness: the example partners' sample files pass through their profiles, and
 * files with something wrong fail with the problem named: an unknown item, the wrong X12
 * sender, a document type the profile does not take, a value the flat map cannot read, a
 * format that cannot be told. */
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

static struct xd_partner_profile *profile_file(const char *rel)
{
    char *yaml = pt_read_src(rel, NULL);
    struct xd_partner_profile *p = pt_valid(yaml);
    free(yaml);
    return p;
}

static void run(const struct xd_partner_profile *p, const char *name, const char *data, int format,
                struct xd_partner_sample *s)
{
    struct xd_partner_sample_options o = {.file_name = name, .format = format, .document = -1};
    xd_partner_sample_init(s);
    assert_int_equal(xd_partner_sample_run(p, &o, data, strlen(data), s), XD_OK);
}

static bool has_problem(const struct xd_partner_sample *s, const char *code)
{
    for (size_t i = 0; i < s->problems.count; i++) {
        if (strcmp(s->problems.items[i].code, code) == 0) {
            return true;
        }
    }
    return false;
}

static void expect_pass(const char *profile, const char *sample, size_t docs)
{
    struct xd_partner_profile *p = profile_file(profile);
    char *data = pt_read_src(sample, NULL);
    struct xd_partner_sample s;
    run(p, strrchr(sample, '/') + 1, data, -1, &s);
    if (!s.passed) {
        for (size_t i = 0; i < s.problems.count; i++) {
            fprintf(stderr, "  %s %s\n", s.problems.items[i].path, s.problems.items[i].message);
        }
        fail_msg("%s through %s failed", sample, profile);
    }
    assert_int_equal(json_array_size(s.documents), docs);
    xd_partner_sample_cleanup(&s);
    free(data);
    xd_partner_profile_unref(p);
}

static void test_examples_pass(void **state)
{
    (void)state;
    expect_pass("examples/partners/acme-fasteners.yaml",
                "examples/partners/samples/acme-fasteners/855_4500012345.edi", 1);
    expect_pass("examples/partners/safehands-medical.yaml",
                "examples/partners/samples/safehands-medical/ack-4500012401.json", 1);
    expect_pass("examples/partners/globex-packaging.yaml",
                "examples/partners/samples/globex-packaging/ACK_20260304.csv", 1);
    expect_pass("examples/partners/globex-packaging.yaml",
                "examples/partners/samples/globex-packaging/ASN_20260310.csv", 1);
    expect_pass("examples/partners/globex-packaging.yaml",
                "examples/partners/samples/globex-packaging/INV_20260311.csv", 1);
    expect_pass("examples/partners/wms-newark.yaml",
                "examples/partners/samples/wms-newark/SHIPCONF_20260316.csv", 1);
    expect_pass("examples/partners/wms-newark.yaml",
                "examples/partners/samples/wms-newark/STOCK_20260316.csv", 1);
    expect_pass("examples/partners/wms-chicago.yaml",
                "examples/partners/samples/wms-chicago/receipt-R260311-004.json", 1);
}

static void test_mapping_shows_in_result(void **state)
{
    (void)state;
    struct xd_partner_profile *p = profile_file("examples/partners/safehands-medical.yaml");
    char *data =
        pt_read_src("examples/partners/samples/safehands-medical/ack-4500012401.json", NULL);
    struct xd_partner_sample s;
    run(p, "ack.json", data, -1, &s);
    assert_true(s.passed);
    json_t *line = json_array_get(json_object_get(json_array_get(s.documents, 0), "lines"), 0);
    assert_string_equal(json_string_value(json_object_get(line, "sku")), "NW-20417");
    assert_string_equal(json_string_value(json_object_get(line, "uom")), "BX");
    assert_string_equal(json_string_value(json_object_get(line, "confirmed_quantity")), "400");
    json_t *src = json_object_get(json_array_get(s.documents, 0), "source");
    assert_string_equal(json_string_value(json_object_get(src, "partner")), "safehands-medical");
    assert_true(s.notes.count >= 6);
    xd_partner_sample_cleanup(&s);
    free(data);
    xd_partner_profile_unref(p);
}

/* What the partner got wrong and the X12 translation corrected is shown as a note of the
 * sample, and the document still passes. */
static void test_translation_warning_shows(void **state)
{
    (void)state;
    struct xd_partner_profile *p = profile_file("examples/partners/acme-fasteners.yaml");
    char *data = pt_read_src("examples/partners/samples/acme-fasteners/855_4500012345.edi", NULL);
    char *bak = strstr(data, "*SO-778120*20260303~");
    assert_non_null(bak);
    memcpy(bak + strlen("*SO-778120*"), "20260301", 8); /* a day before the order's */
    struct xd_partner_sample s;
    run(p, "855.edi", data, -1, &s);
    assert_true(s.passed);
    bool seen = false;
    for (size_t i = 0; i < s.notes.count; i++) {
        seen = seen || (strcmp(s.notes.items[i].code, "x12_translation_warning") == 0 &&
                        strstr(s.notes.items[i].message, "BAK09") != NULL);
    }
    assert_true(seen);
    xd_partner_sample_cleanup(&s);
    free(data);
    xd_partner_profile_unref(p);
}

static void test_failures_are_named(void **state)
{
    (void)state;
    struct xd_partner_profile *p = profile_file("examples/partners/safehands-medical.yaml");
    struct xd_partner_sample s;
    /* An item the profile cannot resolve (unknown_items: error). */
    run(p, "a.json",
        "{\"type\":\"invoice\",\"invoice_number\":\"I1\",\"invoice_type\":\"invoice\","
        "\"invoice_date\":\"2026-03-01\",\"supplier\":{\"party_id\":\"safehands-medical\"},"
        "\"buyer\":{\"party_id\":\"northwind\"},\"currency\":\"USD\",\"lines\":[{\"line_number\":1,"
        "\"vendor_part\":\"SH-UNKNOWN\",\"quantity\":\"1\",\"uom\":\"EA\",\"unit_price\":\"1\"}],"
        "\"totals\":{\"subtotal\":\"1\",\"total_amount\":\"1\"}}",
        -1, &s);
    assert_false(s.passed);
    assert_true(has_problem(&s, "item_unknown"));
    xd_partner_sample_cleanup(&s);
    /* A type the profile does not take inbound, and canon's own problems. */
    run(p, "b.json", "[{\"type\":\"receipt\",\"receipt_number\":\"R\"}]", -1, &s);
    assert_false(s.passed);
    assert_true(has_problem(&s, "not_configured"));
    assert_true(has_problem(&s, "required"));
    xd_partner_sample_cleanup(&s);
    /* Not JSON at all. */
    run(p, "c.json", "{\"type\": ", XD_PARTNER_FORMAT_JSON, &s);
    assert_false(s.passed);
    assert_true(has_problem(&s, "syntax"));
    xd_partner_sample_cleanup(&s);
    /* A file whose format cannot be told. */
    run(p, "d.txt", "hello,world\n", -1, &s);
    assert_false(s.passed);
    assert_true(has_problem(&s, "format"));
    xd_partner_sample_cleanup(&s);
    xd_partner_profile_unref(p);

    /* X12 from another sender than the profile's identifiers. */
    p = profile_file("examples/partners/great-lakes-3pl.yaml");
    char *edi = pt_read_src("examples/partners/samples/acme-fasteners/855_4500012345.edi", NULL);
    run(p, "x.edi", edi, -1, &s);
    assert_false(s.passed);
    assert_true(has_problem(&s, "sender"));
    assert_true(has_problem(&s, "not_configured")); /* Great Lakes sends no 855 */
    xd_partner_sample_cleanup(&s);
    free(edi);
    xd_partner_profile_unref(p);

    /* A flat file with a value its map cannot read. */
    p = profile_file("examples/partners/globex-packaging.yaml");
    run(p, "INV_1.csv",
        "Invoice,Invoice Date,PO,Line,Vendor Part,Qty,UOM,Unit Price,Amount,Subtotal,Total\n"
        "GX-1,2026-03-11,45,1,GX-SW-18-80,twelve,CS,1.00,1.00,1.00,1.00\n",
        -1, &s);
    assert_false(s.passed);
    assert_true(has_problem(&s, "value"));
    xd_partner_sample_cleanup(&s);
    xd_partner_profile_unref(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_pass),
        cmocka_unit_test(test_mapping_shows_in_result),
        cmocka_unit_test(test_translation_warning_shows),
        cmocka_unit_test(test_failures_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
