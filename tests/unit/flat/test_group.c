/* SPDX-License-Identifier: MIT
 * How records become documents: one per record, one per file, runs of a key, a key over the
 * whole file; arrays that continue or append; keyed and nested arrays; line numbers; and the
 * caps on records per document, documents per file and problems per document. */
#include <stdio.h>
#include <string.h>

#include "flat_helpers.h"

static struct xd_flat_map *po_map(const char *group, const char *arrays)
{
    char spec[2048];
    snprintf(spec, sizeof spec,
             "{\"format\": \"csv\", \"document_type\": \"purchase_order\", %s%s"
             " \"fields\": ["
             "  {\"column\": \"PO\", \"path\": \"po_number\"},"
             "  {\"column\": \"Buyer\", \"path\": \"buyer.name\"},"
             "  {\"column\": \"Line\", \"path\": \"lines[].line_number\", \"type\": \"integer\"},"
             "  {\"column\": \"SKU\", \"path\": \"lines[].sku\"},"
             "  {\"column\": \"Qty\", \"path\": \"lines[].quantity\", \"type\": \"decimal\"}]}",
             group, arrays);
    return tf_map(spec);
}

static const char *const po_rows = "PO,Buyer,Line,SKU,Qty\n"
                                   "P1,Ann,,A,1\n"
                                   "P1,Bob,,B,2\n"
                                   "P2,Cy,,C,3\n"
                                   "P1,Di,,D,4\n";

static void test_group_consecutive(void **state)
{
    (void)state;
    struct xd_flat_map *m =
        po_map("\"group\": {\"mode\": \"consecutive\", \"by\": [\"po_number\"]},",
               "\"arrays\": {\"lines\": {\"number\": \"line_number\"}},");
    json_t *docs = tf_decode_ok(m, po_rows);
    /* header-level values come from the first record of the document */
    tf_assert_json(
        docs, "[{\"type\":\"purchase_order\",\"po_number\":\"P1\",\"buyer\":{\"name\":\"Ann\"},"
              "  \"lines\":[{\"sku\":\"A\",\"quantity\":\"1\",\"line_number\":1},"
              "            {\"sku\":\"B\",\"quantity\":\"2\",\"line_number\":2}]},"
              " {\"type\":\"purchase_order\",\"po_number\":\"P2\",\"buyer\":{\"name\":\"Cy\"},"
              "  \"lines\":[{\"sku\":\"C\",\"quantity\":\"3\",\"line_number\":1}]},"
              " {\"type\":\"purchase_order\",\"po_number\":\"P1\",\"buyer\":{\"name\":\"Di\"},"
              "  \"lines\":[{\"sku\":\"D\",\"quantity\":\"4\",\"line_number\":1}]}]");
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_group_all(void **state)
{
    (void)state;
    struct xd_flat_map *m = po_map("\"group\": {\"mode\": \"all\", \"by\": [\"po_number\"]},", "");
    json_t *docs = tf_decode_ok(m, po_rows);
    tf_assert_json(
        docs, "[{\"type\":\"purchase_order\",\"po_number\":\"P1\",\"buyer\":{\"name\":\"Ann\"},"
              "  \"lines\":[{\"sku\":\"A\",\"quantity\":\"1\"},{\"sku\":\"B\",\"quantity\":\"2\"},"
              "            {\"sku\":\"D\",\"quantity\":\"4\"}]},"
              " {\"type\":\"purchase_order\",\"po_number\":\"P2\",\"buyer\":{\"name\":\"Cy\"},"
              "  \"lines\":[{\"sku\":\"C\",\"quantity\":\"3\"}]}]");
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_group_row_and_file(void **state)
{
    (void)state;
    struct xd_flat_map *m = po_map("", "");
    json_t *docs = tf_decode_ok(m, po_rows);
    assert_int_equal(json_array_size(docs), 4);
    tf_assert_json(json_array_get(docs, 3),
                   "{\"type\":\"purchase_order\",\"po_number\":\"P1\",\"buyer\":{\"name\":\"Di\"},"
                   " \"lines\":[{\"sku\":\"D\",\"quantity\":\"4\"}]}");
    json_decref(docs);
    /* one document per record: a document with two lines cannot be written */
    json_t *two = tf_json("[{\"po_number\":\"P1\",\"lines\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]}]");
    struct xd_buf out;
    xd_buf_init(&out, 4096);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    assert_int_equal(xd_flat_encode(m, two, &out, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "document 1, $.po_number (column 'PO')",
                   "the document makes 2 records, but the map reads each record as a document");
    assert_int_equal(out.len, 0);
    xd_buf_cleanup(&out);
    xd_diags_cleanup(&d);
    json_decref(two);
    xd_flat_map_destroy(m);

    m = po_map("\"group\": {\"mode\": \"file\"},", "");
    docs = tf_decode_ok(m, po_rows);
    assert_int_equal(json_array_size(docs), 1);
    assert_int_equal(json_array_size(json_object_get(json_array_get(docs, 0), "lines")), 4);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_keyed_lines_and_given_numbers(void **state)
{
    (void)state;
    /* Two records for one line (a continuation row) merge; explicit line numbers are kept. */
    struct xd_flat_map *m =
        po_map("\"group\": {\"mode\": \"consecutive\", \"by\": [\"po_number\"]},",
               "\"arrays\": {\"lines\": {\"key\": \"line_number\", \"number\": \"line_number\"}},");
    json_t *docs = tf_decode_ok(m, "PO,Buyer,Line,SKU,Qty\n"
                                   "P1,Ann,10,A,\n"
                                   "P1,,10,,5\n"
                                   "P1,,20,B,1\n");
    tf_assert_json(
        docs, "[{\"type\":\"purchase_order\",\"po_number\":\"P1\",\"buyer\":{\"name\":\"Ann\"},"
              "  \"lines\":[{\"line_number\":10,\"sku\":\"A\",\"quantity\":\"5\"},"
              "            {\"line_number\":20,\"sku\":\"B\",\"quantity\":\"1\"}]}]");
    json_decref(docs);
    xd_flat_map_destroy(m);
}

/* A CSV ship notice with one row per item: orders and packs continue while their keys repeat. */
static const char *const asn_map =
    "{\"format\": \"csv\", \"document_type\": \"ship_notice\","
    " \"group\": {\"mode\": \"consecutive\", \"by\": [\"asn_number\"]},"
    " \"arrays\": {\"orders\": {\"key\": \"po_number\"},"
    "            \"orders[].packs\": {\"key\": \"sscc\"},"
    "            \"orders[].packs[].items\": {\"number\": \"line_number\"}},"
    " \"fields\": ["
    "  {\"column\": \"ASN\", \"path\": \"asn_number\"},"
    "  {\"column\": \"PO\", \"path\": \"orders[].po_number\"},"
    "  {\"column\": \"SSCC\", \"path\": \"orders[].packs[].sscc\"},"
    "  {\"column\": \"SKU\", \"path\": \"orders[].packs[].items[].sku\"},"
    "  {\"column\": \"Qty\", \"path\": \"orders[].packs[].items[].quantity\", \"type\": "
    "\"decimal\"},"
    "  {\"column\": \"Charge\", \"path\": \"charges[].code\"},"
    "  {\"column\": \"Amount\", \"path\": \"charges[].amount\", \"type\": \"decimal\"}]}";

static const char *const asn_docs =
    "[{\"type\":\"ship_notice\",\"asn_number\":\"A1\","
    "  \"orders\":[{\"po_number\":\"P1\",\"packs\":["
    "     {\"sscc\":\"001\",\"items\":[{\"sku\":\"X\",\"quantity\":\"1\",\"line_number\":1},"
    "                               {\"sku\":\"Y\",\"quantity\":\"2\",\"line_number\":2}]},"
    "     {\"sscc\":\"002\",\"items\":[{\"sku\":\"X\",\"quantity\":\"3\",\"line_number\":1}]}]},"
    "   {\"po_number\":\"P2\",\"packs\":["
    "     {\"sscc\":\"003\",\"items\":[{\"sku\":\"Z\",\"quantity\":\"4\",\"line_number\":1}]}]}],"
    "  \"charges\":[{\"code\":\"FRT\",\"amount\":\"25.00\"}]},"
    " {\"type\":\"ship_notice\",\"asn_number\":\"A2\",\"orders\":[{\"po_number\":\"P3\"}]}]";

static void test_nested_keyed_arrays(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(asn_map);
    json_t *docs = tf_decode_ok(m, "ASN,PO,SSCC,SKU,Qty,Charge,Amount\n"
                                   "A1,P1,001,X,1,,\n"
                                   "A1,P1,001,Y,2,,\n"
                                   "A1,P1,002,X,3,,\n"
                                   "A1,P2,003,Z,4,,\n"
                                   "A1,,,,,FRT,25.00\n"
                                   "A2,P3,,,,,\n");
    tf_assert_json(docs, asn_docs);
    json_decref(docs);
    size_t len;
    char *out = tf_encode_ok(m, asn_docs, &len);
    assert_string_equal(out, "ASN,PO,SSCC,SKU,Qty,Charge,Amount\r\n"
                             "A1,P1,001,X,1,,\r\n"
                             "A1,P1,001,Y,2,,\r\n"
                             "A1,P1,002,X,3,,\r\n"
                             "A1,P2,003,Z,4,,\r\n"
                             "A1,,,,,FRT,25.00\r\n"
                             "A2,P3,,,,,\r\n");
    xd_free(out);
    tf_assert_roundtrip(m, asn_docs);
    xd_flat_map_destroy(m);
}

static void test_caps(void **state)
{
    (void)state;
    struct xd_flat_map *m =
        tf_map("{\"format\": \"csv\", \"document_type\": \"purchase_order\","
               " \"csv\": {\"header\": false},"
               " \"group\": {\"mode\": \"consecutive\", \"by\": [\"po_number\"]},"
               " \"limits\": {\"max_rows_per_document\": 2, \"max_documents\": 2,"
               "            \"max_errors_per_document\": 2},"
               " \"fields\": [{\"position\": 1, \"path\": \"po_number\"},"
               "              {\"position\": 2, \"path\": \"lines[].quantity\","
               "               \"type\": \"decimal\"}]}");
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs;
    const char *rows = "P1,1\nP1,2\nP1,3\n";
    assert_int_equal(tf_decode(m, rows, strlen(rows), &docs, &d), XD_ETOOBIG);
    tf_assert_diag(&d, 0, "line 3",
                   "the document that starts on line 1 has more than 2 records "
                   "(limits.max_rows_per_document)");
    xd_diags_reset(&d);
    const char *docs3 = "P1,1\nP2,2\nP3,3\n";
    assert_int_equal(tf_decode(m, docs3, strlen(docs3), &docs, &d), XD_ETOOBIG);
    tf_assert_diag(&d, 0, "line 3", "more than 2 documents (limits.max_documents)");
    xd_diags_reset(&d);
    const char *bad = "P1,x\nP1,y\nP2,z\n";
    assert_int_equal(tf_decode(m, bad, strlen(bad), &docs, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 3);
    assert_int_equal(xd_diags_total(&d), 3);
    tf_assert_diag(&d, 1, "line 2, column 2 (lines[].quantity)", "'y' is not a number");
    tf_assert_diag(&d, 2, "line 3, column 2 (lines[].quantity)", "'z' is not a number");
    xd_diags_reset(&d);
    const char *worse = "P1,a\nP1,b\n";
    struct xd_flat_map *m2 =
        tf_map("{\"format\": \"csv\", \"document_type\": \"purchase_order\","
               " \"csv\": {\"header\": false}, \"group\": {\"mode\": \"file\"},"
               " \"limits\": {\"max_errors_per_document\": 1},"
               " \"fields\": [{\"position\": 2, \"path\": \"lines[].quantity\","
               "               \"type\": \"decimal\"}]}");
    assert_int_equal(tf_decode(m2, worse, strlen(worse), &docs, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.dropped, 1);
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m2);
    xd_flat_map_destroy(m);
}

/* Past the cap on documents the reader still hands out the ones it completed, then fails. */
static void test_documents_before_a_fatal_problem(void **state)
{
    (void)state;
    struct xd_flat_map *m =
        tf_map("{\"format\": \"csv\", \"document_type\": \"purchase_order\","
               " \"csv\": {\"header\": false}, \"limits\": {\"max_documents\": 2},"
               " \"group\": {\"mode\": \"consecutive\", \"by\": [\"po_number\"]},"
               " \"fields\": [{\"position\": 1, \"path\": \"po_number\"}]}");
    const char *in = "P1\nP2\nP3\n";
    struct xd_flat_reader *r;
    assert_int_equal(xd_flat_reader_create(m, in, strlen(in), &r), XD_OK);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    json_t *doc = NULL;
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_OK);
    tf_assert_json(doc, "{\"type\":\"purchase_order\",\"po_number\":\"P1\"}");
    json_decref(doc);
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_OK);
    tf_assert_json(doc, "{\"type\":\"purchase_order\",\"po_number\":\"P2\"}");
    json_decref(doc);
    assert_int_equal(d.count, 0);
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_ETOOBIG);
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_ETOOBIG);
    assert_int_equal(d.count, 1);
    tf_assert_diag(&d, 0, "line 3", "more than 2 documents (limits.max_documents)");
    xd_diags_cleanup(&d);
    xd_flat_reader_destroy(r);
    xd_flat_map_destroy(m);
}

/* The caller's problem list has its own cap: documents go on being counted past it. */
static void test_caller_diag_cap(void **state)
{
    (void)state;
    struct xd_flat_map *m = po_map("", "");
    struct xd_diags d;
    xd_diags_init(&d, 2);
    json_t *docs;
    const char *rows = "PO,Buyer,Line,SKU,Qty\nP1,,,,x\nP2,,,,y\nP3,,,,z\nP4,,,,1\n";
    assert_int_equal(tf_decode(m, rows, strlen(rows), &docs, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 2);
    assert_int_equal(xd_diags_total(&d), 3);
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

/* Documents the reader would merge are not written: same key next to each other (consecutive),
 * same key anywhere (all), more than one (file). */
static void expect_merge_refused(struct xd_flat_map *m, const char *docs_text, const char *path,
                                 const char *message)
{
    json_t *docs = tf_json(docs_text);
    struct xd_buf buf;
    xd_buf_init(&buf, 4096);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    assert_int_equal(xd_flat_encode(m, docs, &buf, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 1);
    tf_assert_diag(&d, 0, path, message);
    assert_int_equal(buf.len, 0);
    xd_diags_cleanup(&d);
    xd_buf_cleanup(&buf);
    json_decref(docs);
}

static void test_writer_keeps_documents_apart(void **state)
{
    (void)state;
    const char *same_key = "has the group key of an earlier document; they would read back as one";
    struct xd_flat_map *m =
        po_map("\"group\": {\"mode\": \"consecutive\", \"by\": [\"po_number\"]},", "");
    expect_merge_refused(m, "[{\"po_number\":\"P1\"},{\"po_number\":\"P1\"}]", "document 2",
                         same_key);
    tf_assert_roundtrip(m, "[{\"type\":\"purchase_order\",\"po_number\":\"P1\"},"
                           " {\"type\":\"purchase_order\",\"po_number\":\"P2\"},"
                           " {\"type\":\"purchase_order\",\"po_number\":\"P1\"}]");
    xd_flat_map_destroy(m);
    m = po_map("\"group\": {\"mode\": \"all\", \"by\": [\"po_number\"]},", "");
    expect_merge_refused(m,
                         "[{\"po_number\":\"P1\"},{\"po_number\":\"P2\"},{\"po_number\":\"P1\"}]",
                         "document 3", same_key);
    xd_flat_map_destroy(m);
    m = po_map("\"group\": {\"mode\": \"file\"},", "");
    expect_merge_refused(m, "[{\"po_number\":\"P1\"},{\"po_number\":\"P2\"}]", "document 2",
                         "the map reads the whole file as one document");
    xd_flat_map_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_consecutive),
        cmocka_unit_test(test_group_all),
        cmocka_unit_test(test_group_row_and_file),
        cmocka_unit_test(test_keyed_lines_and_given_numbers),
        cmocka_unit_test(test_nested_keyed_arrays),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_caller_diag_cap),
        cmocka_unit_test(test_documents_before_a_fatal_problem),
        cmocka_unit_test(test_writer_keeps_documents_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
