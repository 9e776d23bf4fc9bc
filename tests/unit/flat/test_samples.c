/* SPDX-License-Identifier: MIT
 * Realistic partner files from tests/data/flat, each with its map and the documents it must
 * give: a supplier's PO acknowledgement exported from a spreadsheet (UTF-8 with BOM, CRLF,
 * US dates, quoted descriptions), a 3PL's ship notice with one row per carton line, a German
 * supplier's invoice (Windows-1252, semicolons, decimal commas), and a mainframe ship notice in
 * fixed-width records with a file envelope. Each must also survive encode and decode. */
#include <stdio.h>
#include <string.h>

#include "flat_helpers.h"

struct sample {
    const char *name;
    const char *input;
};

static const struct sample samples[] = {
    {"po_ack_acme", "po_ack_acme.csv"},
    {"asn_globex", "asn_globex.csv"},
    {"invoice_mueller", "invoice_mueller.csv"},
    {"asn_fixed_initech", "asn_fixed_initech.txt"},
};

static struct xd_flat_map *sample_map(const char *name)
{
    char file[128];
    snprintf(file, sizeof file, "%s.map.json", name);
    size_t len;
    char *spec = tf_data(file, &len);
    struct xd_flat_map *m = tf_map(spec);
    xd_free(spec);
    return m;
}

static void test_samples_decode_as_expected(void **state)
{
    (void)state;
    for (size_t i = 0; i < XD_ARRAY_LEN(samples); i++) {
        struct xd_flat_map *m = sample_map(samples[i].name);
        size_t len;
        char *input = tf_data(samples[i].input, &len);
        char file[128];
        snprintf(file, sizeof file, "%s.expected.json", samples[i].name);
        size_t elen;
        char *expected = tf_data(file, &elen);
        struct xd_diags d;
        xd_diags_init(&d, 50);
        json_t *docs = NULL;
        enum xd_status st = tf_decode(m, input, len, &docs, &d);
        if (st != XD_OK) {
            tf_print_diags(&d);
        }
        assert_int_equal(st, XD_OK);
        tf_assert_json(docs, expected);

        /* what the map writes reads back the same */
        struct xd_buf out;
        xd_buf_init(&out, 1u << 20);
        assert_int_equal(xd_flat_encode(m, docs, &out, &d), XD_OK);
        json_t *back = NULL;
        assert_int_equal(tf_decode(m, out.data, out.len, &back, &d), XD_OK);
        tf_assert_json(back, expected);
        json_decref(back);
        xd_buf_cleanup(&out);
        json_decref(docs);
        xd_diags_cleanup(&d);
        xd_free(expected);
        xd_free(input);
        xd_flat_map_destroy(m);
    }
}

/* Replace the first <from> in <text> with <to> (the result is xd_free'd by the caller). */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    struct xd_buf b;
    xd_buf_init(&b, 1u << 20);
    assert_int_equal(xd_buf_append(&b, text, (size_t)(at - text)), XD_OK);
    assert_int_equal(xd_buf_append_str(&b, to), XD_OK);
    assert_int_equal(xd_buf_append_str(&b, at + strlen(from)), XD_OK);
    return xd_buf_steal(&b, NULL);
}

/* What the onboarding harness shows for a spoiled acknowledgement: every problem, where. */
static void test_spoiled_acknowledgement(void **state)
{
    (void)state;
    struct xd_flat_map *m = sample_map("po_ack_acme");
    size_t len;
    char *input = tf_data("po_ack_acme.csv", &len);
    char *a = edit(input, "EA,\"1,149.00\",IA,3/9/2026", "EA,\"1,149.00\",OK,3/39/2026");
    char *b = edit(a, ",96,cs,", ",ninety-six,cs,");
    char *c = edit(b, "4500012388,3/4/2026,ACK-88131", "4500012388,3/4/2026,");
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs;
    assert_int_equal(tf_decode(m, c, strlen(c), &docs, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 4);
    tf_assert_diag(&d, 0, "line 2, column 'Line Status' (lines[].status)",
                   "'OK' is not one of the codes of the value map");
    tf_assert_diag(&d, 1, "line 2, column 'Est Ship Date' (lines[].ship_date)",
                   "'3/39/2026' is not a date in the format %-m/%-d/%Y");
    tf_assert_diag(&d, 2, "line 3, column 'Ack Qty' (lines[].quantity)",
                   "'ninety-six' is not a number");
    tf_assert_diag(&d, 3, "line 6, column 'Ack Number' (ack_number)", "required value is missing");
    xd_diags_cleanup(&d);
    xd_free(c);
    xd_free(b);
    xd_free(a);
    xd_free(input);
    xd_flat_map_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_decode_as_expected),
        cmocka_unit_test(test_spoiled_acknowledgement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
