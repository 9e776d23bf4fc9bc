/* SPDX-License-Identifier: MIT
 * Writing documents: header rows, quoting, byte order marks, line ends, encodings, the output
 * cap, the one-document-at-a-time API, and round trips through every transform. */
#include <string.h>

#include "flat_helpers.h"

static const char *const ack_map =
    "{\"format\": \"csv\", \"document_type\": \"po_acknowledgement\","
    " \"group\": {\"mode\": \"consecutive\", \"by\": [\"po_number\"]},"
    " \"fields\": ["
    "  {\"column\": \"PO Number\", \"path\": \"po_number\", \"required\": true},"
    "  {\"column\": \"Ack Date\", \"path\": \"acknowledged_on\", \"type\": \"date\","
    "   \"date_format\": \"%m/%d/%Y\"},"
    "  {\"column\": \"Vendor Name\", \"path\": \"supplier.name\"},"
    "  {\"column\": \"Item\", \"path\": \"lines[].sku\"},"
    "  {\"column\": \"Status\", \"path\": \"lines[].status\","
    "   \"map\": {\"IA\": \"accepted\", \"IR\": \"rejected\", \"IQ\": \"quantity_changed\"}},"
    "  {\"column\": \"Qty\", \"path\": \"lines[].quantity\", \"type\": \"decimal\"},"
    "  {\"column\": \"Price\", \"path\": \"lines[].unit_price\", \"type\": \"decimal\","
    "   \"decimal_separator\": \",\"}]}";

static const char *const ack_docs =
    "[{\"type\":\"po_acknowledgement\",\"po_number\":\"4500001\",\"acknowledged_on\":\"2026-01-"
    "15\","
    "  \"supplier\":{\"name\":\"Acme, \\\"West\\\"\\nDivision\"},"
    "  \"lines\":[{\"sku\":\"A-1\",\"status\":\"accepted\",\"quantity\":\"10\","
    "             \"unit_price\":\"12.50\"},"
    "            {\"sku\":\"B 2 \",\"status\":\"quantity_changed\",\"quantity\":\"-1.5\"}]},"
    " {\"type\":\"po_acknowledgement\",\"po_number\":\"4500002\"}]";

static void test_csv_output(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(ack_map);
    size_t len;
    char *out = tf_encode_ok(m, ack_docs, &len);
    assert_string_equal(
        out, "PO Number,Ack Date,Vendor Name,Item,Status,Qty,Price\r\n"
             "4500001,01/15/2026,\"Acme, \"\"West\"\"\nDivision\",A-1,IA,10,\"12,50\"\r\n"
             "4500001,01/15/2026,\"Acme, \"\"West\"\"\nDivision\",B 2 ,IQ,-1.5,\r\n"
             "4500002,,,,,,\r\n");
    assert_int_equal(len, strlen(out));
    xd_free(out);
    xd_flat_map_destroy(m);
}

static void test_csv_roundtrip(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(ack_map);
    /* "B 2 " comes back trimmed: the one value that does not round-trip, so leave it out */
    const char *docs =
        "[{\"type\":\"po_acknowledgement\",\"po_number\":\"4500001\",\"acknowledged_on\":\"2026-01-"
        "15\","
        "  \"supplier\":{\"name\":\"Acme, \\\"West\\\"\\nDivision\"},"
        "  \"lines\":[{\"sku\":\"A-1\",\"status\":\"accepted\",\"quantity\":\"10\","
        "             \"unit_price\":\"12.50\"},"
        "            {\"sku\":\"B-2\",\"status\":\"quantity_changed\",\"quantity\":\"-1.5\"}]},"
        " {\"type\":\"po_acknowledgement\",\"po_number\":\"4500002\"}]";
    tf_assert_roundtrip(m, docs);
    xd_flat_map_destroy(m);
}

static void test_quoting_options(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
                                   " \"line_ending\": \"lf\", \"bom\": true,"
                                   " \"csv\": {\"quoting\": \"always\", \"delimiter\": \";\"},"
                                   " \"fields\": [{\"column\": \"SKU\", \"path\": \"sku\"},"
                                   "              {\"column\": \"Name\", \"path\": \"name\"}]}");
    size_t len;
    char *out = tf_encode_ok(m, "[{\"sku\":\"A\",\"name\":\"x;y\"}]", &len);
    assert_string_equal(out, "\xEF\xBB\xBF\"SKU\";\"Name\"\n\"A\";\"x;y\"\n");
    xd_free(out);
    tf_assert_roundtrip(m, "[{\"type\":\"item\",\"sku\":\"A\",\"name\":\"x;y\"}]");
    xd_flat_map_destroy(m);

    m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
               " \"csv\": {\"quote\": \"\", \"delimiter\": \"|\", \"header\": false},"
               " \"fields\": [{\"position\": 1, \"path\": \"sku\"},"
               "              {\"position\": 2, \"path\": \"name\"}]}");
    out = tf_encode_ok(m, "[{\"sku\":\"A\",\"name\":\"x,\\\"y\\\"\"}]", &len);
    assert_string_equal(out, "A|x,\"y\"\r\n");
    xd_free(out);
    json_t *docs = tf_json("[{\"sku\":\"A|B\",\"name\":\"x\"}]");
    struct xd_buf buf;
    xd_buf_init(&buf, 1024);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    assert_int_equal(xd_flat_encode(m, docs, &buf, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "document 1, $.sku (column 1)",
                   "a value needs quotes but the map has no quote character");
    assert_int_equal(buf.len, 0);
    xd_diags_cleanup(&d);
    xd_buf_cleanup(&buf);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_output_encoding(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{\"format\": \"csv\", \"document_type\": \"party\","
                                   " \"encoding\": \"windows-1252\", \"line_ending\": \"lf\","
                                   " \"fields\": [{\"column\": \"Firma\", \"path\": \"name\"}]}");
    size_t len;
    char *out = tf_encode_ok(m, "[{\"name\":\"Müller – 5 €\"}]", &len);
    assert_string_equal(out, "Firma\nM\xFCller \x96 5 \x80\n");
    xd_free(out);
    tf_assert_roundtrip(m, "[{\"type\":\"party\",\"name\":\"Müller – 5 €\"}]");
    json_t *docs = tf_json("[{\"name\":\"東京\"}]");
    struct xd_buf buf;
    xd_buf_init(&buf, 1024);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    assert_int_equal(xd_flat_encode(m, docs, &buf, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "document 1, $.name (column 'Firma')",
                   "'東京' cannot be written in windows-1252");
    xd_diags_cleanup(&d);
    xd_buf_cleanup(&buf);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_output_cap_and_streaming(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(ack_map);
    json_t *docs = tf_json(ack_docs);
    struct xd_buf small;
    xd_buf_init(&small, 64);
    assert_int_equal(xd_buf_append_str(&small, "x"), XD_OK);
    assert_int_equal(xd_flat_encode(m, docs, &small, NULL), XD_ETOOBIG);
    assert_int_equal(small.len, 1);
    xd_buf_cleanup(&small);

    /* one document at a time gives the same bytes as all at once */
    struct xd_buf all, one;
    xd_buf_init(&all, 1u << 20);
    xd_buf_init(&one, 1u << 20);
    assert_int_equal(xd_flat_encode(m, docs, &all, NULL), XD_OK);
    assert_int_equal(xd_flat_encode_begin(m, &one), XD_OK);
    for (size_t i = 0; i < json_array_size(docs); i++) {
        assert_int_equal(xd_flat_encode_doc(m, json_array_get(docs, i), i + 1, &one, NULL), XD_OK);
    }
    assert_int_equal(one.len, all.len);
    assert_memory_equal(one.data, all.data, all.len);
    xd_buf_cleanup(&all);
    xd_buf_cleanup(&one);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_documents_that_are_not_objects(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(ack_map);
    struct xd_buf buf;
    xd_buf_init(&buf, 4096);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    json_t *v = tf_json("[{\"po_number\":\"1\",\"lines\":[7,{\"sku\":\"A\"}]},\"text\"]");
    assert_int_equal(xd_flat_encode(m, v, &buf, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "document 1", "element 0 of lines is not an object");
    tf_assert_diag(&d, 1, "document 2", "is not a JSON object");
    json_decref(v);
    v = tf_json("42");
    assert_int_equal(xd_flat_encode(m, v, &buf, &d), XD_EINVAL);
    json_decref(v);
    /* one object is one document */
    v = tf_json("{\"po_number\":\"9\"}");
    assert_int_equal(xd_flat_encode(m, v, &buf, &d), XD_OK);
    assert_string_equal(buf.data, "PO Number,Ack Date,Vendor Name,Item,Status,Qty,Price\r\n"
                                  "9,,,,,,\r\n");
    json_decref(v);
    xd_diags_cleanup(&d);
    xd_buf_cleanup(&buf);
    xd_flat_map_destroy(m);
}

/* A record for one array leaves the columns of another blank: no defaults there, or reading
 * it back would make an element out of the default. */
static void test_defaults_only_where_elements_are(void **state)
{
    (void)state;
    struct xd_flat_map *m =
        tf_map("{\"format\": \"csv\", \"document_type\": \"purchase_order\","
               " \"group\": {\"mode\": \"consecutive\", \"by\": [\"po_number\"]},"
               " \"fields\": [{\"column\": \"PO\", \"path\": \"po_number\"},"
               "  {\"column\": \"SKU\", \"path\": \"lines[].sku\"},"
               "  {\"column\": \"UOM\", \"path\": \"lines[].uom\", \"default\": \"EA\","
               "   \"required\": true},"
               "  {\"column\": \"Charge\", \"path\": \"charges[].code\"}]}");
    const char *docs = "[{\"type\":\"purchase_order\",\"po_number\":\"P1\","
                       "  \"lines\":[{\"sku\":\"A\",\"uom\":\"EA\"}],"
                       "  \"charges\":[{\"code\":\"FRT\"}]}]";
    size_t len;
    char *out = tf_encode_ok(m, docs, &len);
    assert_string_equal(out, "PO,SKU,UOM,Charge\r\nP1,A,EA,\r\nP1,,,FRT\r\n");
    xd_free(out);
    tf_assert_roundtrip(m, docs);
    xd_flat_map_destroy(m);
}

/* Quoting can make a record longer than the reader takes: the writer refuses it. */
static void test_record_cap_on_output(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
                                   " \"csv\": {\"header\": false},"
                                   " \"limits\": {\"max_record_bytes\": 16},"
                                   " \"fields\": [{\"position\": 1, \"path\": \"name\"}]}");
    json_t *fits = tf_decode_ok(m, "ab\"cd\"ef\"gh\"ij\n");
    struct xd_buf buf;
    xd_buf_init(&buf, 1024);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    assert_int_equal(xd_flat_encode(m, fits, &buf, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "document 1",
                   "a record would be 20 bytes, more than limits.max_record_bytes (16)");
    assert_int_equal(buf.len, 0);
    xd_diags_cleanup(&d);
    xd_buf_cleanup(&buf);
    json_decref(fits);
    xd_flat_map_destroy(m);
}

/* A document with nothing mapped would be a blank record, which reads as nothing. */
static void test_blank_record_refused(void **state)
{
    (void)state;
    const char *maps[] = {
        "{\"format\": \"csv\", \"document_type\": \"item\", \"csv\": {\"header\": false},"
        " \"fields\": [{\"position\": 1, \"path\": \"sku\"}, {\"position\": 2, \"path\": \"x\"}]}",
        "{\"format\": \"fixed\", \"document_type\": \"item\","
        " \"fields\": [{\"start\": 1, \"length\": 4, \"path\": \"sku\"}]}",
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(maps); i++) {
        struct xd_flat_map *m = tf_map(maps[i]);
        json_t *docs = tf_json("[{\"type\":\"item\",\"other\":1}]");
        struct xd_buf buf;
        xd_buf_init(&buf, 1024);
        struct xd_diags d;
        xd_diags_init(&d, 10);
        assert_int_equal(xd_flat_encode(m, docs, &buf, &d), XD_EINVALDOC);
        tf_assert_diag(&d, 0, "document 1",
                       "has nothing to write: its record would be blank, and a blank record "
                       "reads as nothing");
        xd_diags_cleanup(&d);
        xd_buf_cleanup(&buf);
        json_decref(docs);
        xd_flat_map_destroy(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_output),
        cmocka_unit_test(test_csv_roundtrip),
        cmocka_unit_test(test_quoting_options),
        cmocka_unit_test(test_output_encoding),
        cmocka_unit_test(test_output_cap_and_streaming),
        cmocka_unit_test(test_documents_that_are_not_objects),
        cmocka_unit_test(test_defaults_only_where_elements_are),
        cmocka_unit_test(test_record_cap_on_output),
        cmocka_unit_test(test_blank_record_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
