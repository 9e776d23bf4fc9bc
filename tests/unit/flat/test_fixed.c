/* SPDX-License-Identifier: MIT
 * Fixed-width files: positions, padding and alignment, record types selected by a tag
 * (header, detail, trailer, ignored envelopes), character positions in UTF-8, and the
 * problems of lines that do not fit. */
#include <string.h>

#include "flat_helpers.h"

/* A warehouse receipt: H header, D detail, T trailer, and the file envelope FH/FT ignored. */
static const char *const receipt_map =
    "{\"format\": \"fixed\", \"document_type\": \"receipt\","
    " \"fixed\": {\"record_length\": 40},"
    " \"record_tag\": {\"start\": 1, \"length\": 2},"
    " \"records\": ["
    "  {\"tag\": \"FH\", \"role\": \"ignore\"},"
    "  {\"tag\": \"H\", \"role\": \"header\", \"fields\": ["
    "    {\"name\": \"receipt\", \"start\": 3, \"length\": 10, \"path\": \"receipt_number\","
    "     \"required\": true},"
    "    {\"name\": \"date\", \"start\": 13, \"length\": 8, \"path\": \"received_on\","
    "     \"type\": \"date\", \"date_format\": \"%Y%m%d\"},"
    "    {\"name\": \"dock\", \"start\": 21, \"length\": 4, \"path\": \"location.dock\"}]},"
    "  {\"tag\": \"D\", \"fields\": ["
    "    {\"name\": \"sku\", \"start\": 3, \"length\": 12, \"path\": \"lines[].sku\","
    "     \"required\": true},"
    "    {\"name\": \"qty\", \"start\": 15, \"length\": 7, \"path\": \"lines[].quantity\","
    "     \"type\": \"decimal\", \"implied_decimals\": 2, \"pad\": \"0\"},"
    "    {\"name\": \"uom\", \"start\": 22, \"length\": 2, \"path\": \"lines[].uom\"}]},"
    "  {\"tag\": \"T\", \"role\": \"trailer\", \"fields\": ["
    "    {\"name\": \"count\", \"start\": 3, \"length\": 4, \"path\": \"line_count\","
    "     \"type\": \"integer\", \"pad\": \"0\"}]},"
    "  {\"tag\": \"FT\", \"role\": \"ignore\"}],"
    " \"arrays\": {\"lines\": {\"number\": \"line_number\"}}}";

static void test_records_and_envelope(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(receipt_map);
    const char *in = "FH20260302\n"
                     "H RCV-1001  20260302D4  \n"
                     "D WID-100     0001250EA\n"
                     "D GAD-7       0000003CA\n"
                     "T 0002\n"
                     "H RCV-1002  20260303    \n"
                     "D WID-200     0010000EA\n"
                     "T 0001\n"
                     "FT000002\n";
    json_t *docs = tf_decode_ok(m, in);
    tf_assert_json(docs, "[{\"type\":\"receipt\",\"receipt_number\":\"RCV-1001\","
                         "  \"received_on\":\"2026-03-02\",\"location\":{\"dock\":\"D4\"},"
                         "  \"lines\":[{\"sku\":\"WID-100\",\"quantity\":\"12.50\",\"uom\":\"EA\","
                         "             \"line_number\":1},"
                         "            {\"sku\":\"GAD-7\",\"quantity\":\"0.03\",\"uom\":\"CA\","
                         "             \"line_number\":2}],"
                         "  \"line_count\":2},"
                         " {\"type\":\"receipt\",\"receipt_number\":\"RCV-1002\","
                         "  \"received_on\":\"2026-03-03\","
                         "  \"lines\":[{\"sku\":\"WID-200\",\"quantity\":\"100.00\",\"uom\":\"EA\","
                         "             \"line_number\":1}],"
                         "  \"line_count\":1}]");
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_record_problems(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(receipt_map);
    const char *in = "D ORPHAN      0000100EA\n"
                     "H RCV-1     20260230    \n"
                     "X what is this\n"
                     "D             00001x0EA\n"
                     "H RCV-2     20260301\n"
                     "D WID-1       0000100EA  and then some more text\n"
                     "T 0001\n"
                     "D AFTER       0000100EA\n";
    struct xd_diags d;
    xd_diags_init(&d, 50);
    struct xd_flat_reader *r;
    assert_int_equal(xd_flat_reader_create(m, in, strlen(in), &r), XD_OK);
    json_t *doc = NULL;
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "line 1", "this record comes before any header record");
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 1, "line 2, field 'date' (positions 13-20) (received_on)",
                   "'20260230' is not a date in the format %Y%m%d");
    tf_assert_diag(&d, 2, "line 3", "unknown record type 'X'");
    tf_assert_diag(&d, 3, "line 4, field 'sku' (positions 3-14) (lines[].sku)",
                   "required value is missing");
    tf_assert_diag(&d, 4, "line 4, field 'qty' (positions 15-21) (lines[].quantity)",
                   "'00001x0' is not a number");
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 5, "line 6", "line is 48 characters, longer than the record length 40");
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 6, "line 8", "this record comes before any header record");
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_OK);
    assert_null(doc);
    assert_int_equal(d.count, 7);
    xd_diags_cleanup(&d);
    xd_flat_reader_destroy(r);
    xd_flat_map_destroy(m);
}

static void test_roundtrip_records(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(receipt_map);
    const char *docs =
        "[{\"type\":\"receipt\",\"receipt_number\":\"RCV-1001\",\"received_on\":\"2026-03-02\","
        "  \"location\":{\"dock\":\"D4\"},"
        "  "
        "\"lines\":[{\"sku\":\"WID-100\",\"quantity\":\"12.50\",\"uom\":\"EA\",\"line_number\":1},"
        "            {\"sku\":\"GAD-7\",\"quantity\":\"-0.03\",\"uom\":\"CA\",\"line_number\":2}],"
        "  \"line_count\":2},"
        " {\"type\":\"receipt\",\"receipt_number\":\"RCV-1002\",\"line_count\":0}]";
    size_t len;
    char *out = tf_encode_ok(m, docs, &len);
    const char *want = "H RCV-1001  20260302D4                  \r\n"
                       "D WID-100     0001250EA                 \r\n"
                       "D GAD-7       -000003CA                 \r\n"
                       "T 0002                                  \r\n"
                       "H RCV-1002                              \r\n"
                       "T 0000                                  \r\n";
    assert_string_equal(out, want);
    xd_free(out);
    tf_assert_roundtrip(m, docs);
    xd_flat_map_destroy(m);
}

static const char *const utf8_map =
    "{\"format\": \"fixed\", \"document_type\": \"party\", \"line_ending\": \"lf\","
    " \"fields\": ["
    "  {\"name\": \"name\", \"start\": 1, \"length\": 8, \"path\": \"name\"},"
    "  {\"name\": \"city\", \"start\": 9, \"length\": 6, \"path\": \"city\"},"
    "  {\"name\": \"code\", \"start\": 15, \"length\": 3, \"path\": \"code\", \"align\": "
    "\"right\"}]}";

static void test_utf8_positions_count_characters(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(utf8_map);
    json_t *docs = tf_decode_ok(m, "Müller  Köln    7\nAB      Zürich 42\n");
    tf_assert_json(docs,
                   "[{\"type\":\"party\",\"name\":\"Müller\",\"city\":\"Köln\",\"code\":\"7\"},"
                   " {\"type\":\"party\",\"name\":\"AB\",\"city\":\"Zürich\",\"code\":\"42\"}]");
    json_decref(docs);
    size_t len;
    char *out = tf_encode_ok(m, "[{\"name\":\"Müller\",\"city\":\"Köln\",\"code\":\"7\"}]", &len);
    assert_string_equal(out, "Müller  Köln    7\n");
    xd_free(out);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    assert_int_equal(tf_decode(m, "M\xFCller  K\n", 10, &docs, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "line 1", "not valid UTF-8 at byte 2");
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

static void test_short_lines_and_blank_lines(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(utf8_map);
    /* senders trim trailing blanks: the fields past the end are empty */
    json_t *docs = tf_decode_ok(m, "\n   \nAcme    Reno\r\nZed\r\n\r\n");
    tf_assert_json(docs, "[{\"type\":\"party\",\"name\":\"Acme\",\"city\":\"Reno\"},"
                         " {\"type\":\"party\",\"name\":\"Zed\"}]");
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_padding_and_alignment(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(
        "{\"format\": \"fixed\", \"document_type\": \"item\", \"line_ending\": \"lf\","
        " \"fields\": ["
        "  {\"start\": 1, \"length\": 6, \"path\": \"a\", \"pad\": \"_\"},"
        "  {\"start\": 7, \"length\": 6, \"path\": \"b\", \"pad\": \"_\", \"align\": \"right\"},"
        "  {\"start\": 13, \"length\": 6, \"path\": \"c\", \"type\": \"integer\", \"pad\": \"0\"},"
        "  {\"start\": 19, \"length\": 6, \"path\": \"d\", \"type\": \"decimal\"},"
        "  {\"start\": 25, \"length\": 6, \"path\": \"e\", \"pad\": \"0\", \"align\": \"right\"},"
        "  {\"start\": 31, \"length\": 4, \"path\": \"f\", \"trim\": false}]}");
    json_t *docs = tf_decode_ok(m, "ab________cd-00042   0.5000A12 x  \n");
    /* trim false keeps the leading blank; the trailing ones are the padding */
    tf_assert_json(docs, "[{\"type\":\"item\",\"a\":\"ab\",\"b\":\"cd\",\"c\":-42,"
                         "  \"d\":\"0.5\",\"e\":\"A12\",\"f\":\" x\"}]");
    json_decref(docs);
    /* -00042: the zeros go after the sign */
    tf_assert_roundtrip(m, "[{\"type\":\"item\",\"a\":\"ab\",\"b\":\"cd\",\"c\":-42,"
                           "  \"d\":\"-1.5\",\"e\":\"A12\",\"f\":\" x\"}]");
    size_t len;
    char *out = tf_encode_ok(m, "[{\"a\":\"ab\",\"b\":\"cd\",\"c\":-42,\"d\":\"-1.5\"}]", &len);
    assert_string_equal(out, "ab________cd-00042  -1.5          \n");
    xd_free(out);
    xd_flat_map_destroy(m);
}

static void test_truncation_is_refused_unless_allowed(void **state)
{
    (void)state;
    struct xd_flat_map *m =
        tf_map("{\"format\": \"fixed\", \"document_type\": \"item\", \"line_ending\": \"lf\","
               " \"fields\": ["
               "  {\"name\": \"sku\", \"start\": 1, \"length\": 5, \"path\": \"sku\"},"
               "  {\"name\": \"text\", \"start\": 6, \"length\": 5, \"path\": \"description\","
               "   \"truncate\": true},"
               "  {\"name\": \"qty\", \"start\": 11, \"length\": 3, \"path\": \"qty\","
               "   \"type\": \"decimal\"}]}");
    size_t len;
    char *out =
        tf_encode_ok(m, "[{\"sku\":\"A\",\"description\":\"Blue widgët\",\"qty\":\"1\"}]", &len);
    assert_string_equal(out, "A    Blue   1\n");
    xd_free(out);
    json_t *docs = tf_json("[{\"sku\":\"ABCDEFG\",\"qty\":\"1.25\"},{\"sku\":\"A\\nB\"}]");
    struct xd_buf buf;
    xd_buf_init(&buf, 1024);
    assert_int_equal(xd_buf_append_str(&buf, "kept"), XD_OK);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    assert_int_equal(xd_flat_encode(m, docs, &buf, &d), XD_EINVALDOC);
    assert_int_equal(buf.len, 4);
    assert_int_equal(d.count, 3);
    tf_assert_diag(&d, 0, "document 1, $.sku (field 'sku' (positions 1-5))",
                   "'ABCDEFG' is 7 characters, the field holds 5");
    tf_assert_diag(&d, 1, "document 1, $.qty (field 'qty' (positions 11-13))",
                   "'1.25' is 4 characters, the field holds 3");
    tf_assert_diag(&d, 2, "document 2, $.sku (field 'sku' (positions 1-5))",
                   "a fixed-width value cannot hold a line break");
    xd_diags_cleanup(&d);
    xd_buf_cleanup(&buf);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

/* A value with the pad character on the padded side would read back without it. */
static void test_pad_characters_in_values(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(
        "{\"format\": \"fixed\", \"document_type\": \"item\", \"line_ending\": \"lf\","
        " \"fields\": ["
        "  {\"name\": \"sku\", \"start\": 1, \"length\": 6, \"path\": \"sku\", \"pad\": \"0\","
        "   \"align\": \"right\"},"
        "  {\"name\": \"bin\", \"start\": 7, \"length\": 4, \"path\": \"bin\", \"pad\": \"_\"},"
        "  {\"name\": \"note\", \"start\": 11, \"length\": 4, \"path\": \"note\"}]}");
    tf_assert_roundtrip(m, "[{\"type\":\"item\",\"sku\":\"89\",\"bin\":\"A_1\",\"note\":\"x\"}]");
    /* a sign in a string is text: the zeros go before it */
    size_t len;
    char *out = tf_encode_ok(m, "[{\"sku\":\"-7\"}]", &len);
    assert_string_equal(out, "0000-7        \n");
    xd_free(out);
    tf_assert_roundtrip(m, "[{\"type\":\"item\",\"sku\":\"-7\"}]");
    json_t *docs = tf_json("[{\"sku\":\"089\",\"bin\":\"A1_\",\"note\":\"x \"}]");
    struct xd_buf buf;
    xd_buf_init(&buf, 1024);
    struct xd_diags d;
    xd_diags_init(&d, 10);
    assert_int_equal(xd_flat_encode(m, docs, &buf, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 2);
    tf_assert_diag(&d, 0, "document 1, $.sku (field 'sku' (positions 1-6))",
                   "'089' begins with the pad character '0' and would read back without it");
    tf_assert_diag(&d, 1, "document 1, $.bin (field 'bin' (positions 7-10))",
                   "'A1_' ends with the pad character '_' and would read back without it");
    xd_diags_cleanup(&d);
    xd_buf_cleanup(&buf);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_line_cap(void **state)
{
    (void)state;
    struct xd_flat_map *m =
        tf_map("{\"format\": \"fixed\", \"document_type\": \"item\","
               " \"limits\": {\"max_record_bytes\": 20},"
               " \"fields\": [{\"start\": 1, \"length\": 5, \"path\": \"a\"}]}");
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs;
    const char *in = "12345678901234567890\r\n123456789012345678901\n";
    assert_int_equal(tf_decode(m, in, strlen(in), &docs, &d), XD_ETOOBIG);
    tf_assert_diag(&d, 0, "line 2", "line is longer than 20 bytes");
    xd_diags_reset(&d);
    const char *no_end = "1234567890123456789012345";
    assert_int_equal(tf_decode(m, no_end, strlen(no_end), &docs, &d), XD_ETOOBIG);
    tf_assert_diag(&d, 0, "line 1", "line is longer than 20 bytes");
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_and_envelope),
        cmocka_unit_test(test_record_problems),
        cmocka_unit_test(test_roundtrip_records),
        cmocka_unit_test(test_utf8_positions_count_characters),
        cmocka_unit_test(test_short_lines_and_blank_lines),
        cmocka_unit_test(test_padding_and_alignment),
        cmocka_unit_test(test_truncation_is_refused_unless_allowed),
        cmocka_unit_test(test_pad_characters_in_values),
        cmocka_unit_test(test_line_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
