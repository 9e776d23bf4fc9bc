/* SPDX-License-Identifier: MIT
 * CSV as partners write it: RFC 4180 quoting, line ends, byte order marks, blank rows, header
 * rows, encodings, and the problems a broken file gets, each with its exact line and column. */
#include <string.h>

#include "flat_helpers.h"

static const char *const row_map =
    "{\"format\": \"csv\", \"document_type\": \"item\","
    " \"fields\": ["
    "  {\"column\": \"id\", \"path\": \"id\"},"
    "  {\"column\": \"name\", \"path\": \"name\"},"
    "  {\"column\": \"note\", \"path\": \"note\", \"trim\": false}]}";

/* Decode <text> with the row map and compare with <expected>. */
static void check_rows(const char *text, size_t len, const char *expected)
{
    struct xd_flat_map *m = tf_map(row_map);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs = NULL;
    enum xd_status st = tf_decode(m, text, len, &docs, &d);
    if (st != XD_OK) {
        tf_print_diags(&d);
    }
    assert_int_equal(st, XD_OK);
    tf_assert_json(docs, expected);
    json_decref(docs);
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

static void test_quoted_fields(void **state)
{
    (void)state;
    const char *in = "id,name,note\r\n"
                     "1,\"Widget, large\",\"say \"\"hi\"\"\"\r\n"
                     "2,\"two\r\nlines\",\"\"\r\n";
    check_rows(
        in, strlen(in),
        "[{\"type\":\"item\",\"id\":\"1\",\"name\":\"Widget, large\",\"note\":\"say \\\"hi\\\"\"},"
        " {\"type\":\"item\",\"id\":\"2\",\"name\":\"two\\r\\nlines\"}]");
}

static void test_line_ends(void **state)
{
    (void)state;
    const char *want = "[{\"type\":\"item\",\"id\":\"1\",\"name\":\"a\"},"
                       " {\"type\":\"item\",\"id\":\"2\",\"name\":\"b\"}]";
    const char *lf = "id,name,note\n1,a,\n2,b,\n";
    const char *crlf = "id,name,note\r\n1,a,\r\n2,b,\r\n";
    const char *no_end = "id,name,note\r\n1,a,\r\n2,b,";
    const char *cr_at_end = "id,name,note\n1,a,\n2,b,\r";
    check_rows(lf, strlen(lf), want);
    check_rows(crlf, strlen(crlf), want);
    check_rows(no_end, strlen(no_end), want);
    check_rows(cr_at_end, strlen(cr_at_end), want);
}

static void test_bom_blank_rows_and_short_rows(void **state)
{
    (void)state;
    const char *in = "\xEF\xBB\xBFid,name,note\r\n"
                     "\r\n"
                     "1,a\r\n"
                     ",,\r\n"
                     "  ,\t, \r\n"
                     "2\r\n"
                     "\r\n";
    check_rows(
        in, strlen(in),
        "[{\"type\":\"item\",\"id\":\"1\",\"name\":\"a\"}, {\"type\":\"item\",\"id\":\"2\"}]");
}

static void test_header_names_and_order(void **state)
{
    (void)state;
    /* Columns found by name whatever their order, case and blanks; extra columns ignored. */
    const char *in = " NOTE ,Extra,Name,ID\n n ,x,b,7\n";
    check_rows(in, strlen(in),
               "[{\"type\":\"item\",\"id\":\"7\",\"name\":\"b\",\"note\":\" n \"}]");
}

/* Two fields naming one column in different case read and write the same column. */
static void test_column_names_ignore_case(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
                                   " \"fields\": [{\"column\": \"SKU\", \"path\": \"sku\"},"
                                   "  {\"column\": \"sku\", \"path\": \"item.sku\"}]}");
    size_t len;
    char *out = tf_encode_ok(m, "[{\"sku\":\"A\",\"item\":{\"sku\":\"A\"}}]", &len);
    assert_string_equal(out, "SKU\r\nA\r\n");
    xd_free(out);
    tf_assert_roundtrip(m, "[{\"type\":\"item\",\"sku\":\"A\",\"item\":{\"sku\":\"A\"}}]");
    xd_flat_map_destroy(m);
}

static void test_quote_inside_unquoted_field(void **state)
{
    (void)state;
    const char *in = "id,name,note\n1,12\" PIPE,x\n";
    check_rows(in, strlen(in),
               "[{\"type\":\"item\",\"id\":\"1\",\"name\":\"12\\\" PIPE\",\"note\":\"x\"}]");
}

static void test_blanks_after_closing_quote(void **state)
{
    (void)state;
    const char *in = "id,name,note\n1,\"a\"  ,\"b\"\t\n";
    check_rows(in, strlen(in), "[{\"type\":\"item\",\"id\":\"1\",\"name\":\"a\",\"note\":\"b\"}]");
}

static void test_embedded_nul_is_not_text(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(row_map);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs;
    const char in[] = "id,name,note\n1,a\0b,\n";
    assert_int_equal(tf_decode(m, in, sizeof in - 1, &docs, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "line 2, column 'name' (name)", "byte 0x00 at 2 is not utf-8");
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

static void test_other_delimiters(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
                                   " \"csv\": {\"delimiter\": \"\\t\", \"header\": false,"
                                   "          \"quote\": \"\"},"
                                   " \"fields\": [{\"position\": 2, \"path\": \"name\"},"
                                   "              {\"position\": 1, \"path\": \"id\"}]}");
    json_t *docs = tf_decode_ok(m, "7\t\"quoted\" as is\n8\tb,c\n");
    tf_assert_json(docs, "[{\"type\":\"item\",\"id\":\"7\",\"name\":\"\\\"quoted\\\" as is\"},"
                         " {\"type\":\"item\",\"id\":\"8\",\"name\":\"b,c\"}]");
    json_decref(docs);
    xd_flat_map_destroy(m);

    m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
               " \"csv\": {\"delimiter\": \";\", \"quote\": \"'\", \"header\": false},"
               " \"fields\": [{\"column\": \"a\", \"path\": \"id\"},"
               "              {\"column\": \"b\", \"path\": \"name\"}]}");
    docs = tf_decode_ok(m, "1;'x;''y'''\n");
    tf_assert_json(docs, "[{\"type\":\"item\",\"id\":\"1\",\"name\":\"x;'y'\"}]");
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_single_byte_encodings(void **state)
{
    (void)state;
    const char *map = "{\"format\": \"csv\", \"document_type\": \"party\", \"encoding\": \"%s\","
                      " \"csv\": {\"header\": false},"
                      " \"fields\": [{\"column\": \"n\", \"path\": \"name\"}]}";
    char spec[512];
    snprintf(spec, sizeof spec, map, "windows-1252");
    struct xd_flat_map *m = tf_map(spec);
    json_t *docs = tf_decode_ok(m, "M\xFCller \x80 \x93Spezial\x94\n");
    tf_assert_json(
        docs, "[{\"type\":\"party\",\"name\":\"M\\u00fcller \\u20ac \\u201cSpezial\\u201d\"}]");
    json_decref(docs);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    assert_int_equal(tf_decode(m, "a\x81z\n", 4, &docs, &d), XD_EINVALDOC);
    tf_assert_diag(&d, 0, "line 1, column 'n' (name)", "byte 0x81 at 2 is not windows-1252");
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);

    snprintf(spec, sizeof spec, map, "latin-1");
    m = tf_map(spec);
    docs = tf_decode_ok(m, "\xC5ngstr\xF6m \x80\n");
    tf_assert_json(docs, "[{\"type\":\"party\",\"name\":\"\\u00c5ngstr\\u00f6m \\u0080\"}]");
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(row_map);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs;
    const char *in = "id,name,note\n1,ok,\n2,caf\xE9,\n3,\xED\xA0\x80,\n";
    assert_int_equal(tf_decode(m, in, strlen(in), &docs, &d), XD_EINVALDOC);
    assert_null(docs);
    assert_int_equal(d.count, 2);
    tf_assert_diag(&d, 0, "line 3, column 'name' (name)", "byte 0xe9 at 4 is not utf-8");
    tf_assert_diag(&d, 1, "line 4, column 'name' (name)", "byte 0xed at 1 is not utf-8");
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

/* The reader goes on after a bad document and files problems under the right one. */
static void test_reader_continues_after_bad_document(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(row_map);
    const char *in = "id,name,note\n1,a,\n2,\"b\"x,\n3,c,\n";
    struct xd_flat_reader *r;
    assert_int_equal(xd_flat_reader_create(m, in, strlen(in), &r), XD_OK);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *doc = NULL;
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_OK);
    tf_assert_json(doc, "{\"type\":\"item\",\"id\":\"1\",\"name\":\"a\"}");
    json_decref(doc);
    assert_int_equal(d.count, 0);
    doc = NULL;
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_EINVALDOC);
    assert_null(doc);
    tf_assert_diag(&d, 0, "line 3, column 2", "'x' after the closing quote");
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_OK);
    tf_assert_json(doc, "{\"type\":\"item\",\"id\":\"3\",\"name\":\"c\"}");
    json_decref(doc);
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_OK);
    assert_null(doc);
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_OK);
    assert_null(doc);
    assert_int_equal(d.count, 1);
    xd_diags_cleanup(&d);
    xd_flat_reader_destroy(r);
    xd_flat_map_destroy(m);
}

static void test_unterminated_quote_is_fatal(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(row_map);
    const char *in = "id,name,note\n1,a,\n2,\"open\n3,c,\n";
    struct xd_flat_reader *r;
    assert_int_equal(xd_flat_reader_create(m, in, strlen(in), &r), XD_OK);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *doc = NULL;
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_OK);
    json_decref(doc);
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_EPARSE);
    assert_int_equal(xd_flat_reader_next(r, &doc, &d), XD_EPARSE);
    assert_int_equal(d.count, 1);
    tf_assert_diag(&d, 0, "line 3", "quoted field opened on line 3 is never closed");
    assert_string_equal(d.items[0].code, "file");
    xd_diags_cleanup(&d);
    xd_flat_reader_destroy(r);
    xd_flat_map_destroy(m);
}

static void test_missing_header_columns(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(row_map);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs;
    const char *in = "\n\nid,Nom,Remarque\n1,a,b\n";
    assert_int_equal(tf_decode(m, in, strlen(in), &docs, &d), XD_EPARSE);
    tf_assert_diag(&d, 0, "line 3", "the header row has no column 'name', 'note'");
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

static void test_malformed_header_row(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(row_map);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs;
    const char *in = "id,\"name\"x,note\n1,a,b\n";
    assert_int_equal(tf_decode(m, in, strlen(in), &docs, &d), XD_EPARSE);
    assert_int_equal(d.count, 1);
    tf_assert_diag(&d, 0, "line 1", "the header row: 'x' after the closing quote");
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

static void test_caps(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
                                   " \"csv\": {\"header\": false},"
                                   " \"limits\": {\"max_record_bytes\": 16, \"max_fields\": 3},"
                                   " \"fields\": [{\"position\": 1, \"path\": \"id\"}]}");
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs;
    const char *wide = "1,2,3\n4,5,6,7,8\n9\n";
    assert_int_equal(tf_decode(m, wide, strlen(wide), &docs, &d), XD_EINVALDOC);
    assert_int_equal(d.count, 1);
    tf_assert_diag(&d, 0, "line 2", "more than 3 fields");
    xd_diags_reset(&d);
    /* exactly 16 bytes and its CR LF pass; 17 do not */
    const char *fits = "1234567890123456\r\n";
    assert_int_equal(tf_decode(m, fits, strlen(fits), &docs, &d), XD_OK);
    json_decref(docs);
    const char *too_long = "ok\n12345678901234567\n";
    assert_int_equal(tf_decode(m, too_long, strlen(too_long), &docs, &d), XD_ETOOBIG);
    tf_assert_diag(&d, 0, "line 2", "record is longer than 16 bytes");
    assert_string_equal(d.items[0].code, "limit");
    xd_diags_reset(&d);
    const char *long_quote = "\"12345678\n12345678\n1234\"\n";
    assert_int_equal(tf_decode(m, long_quote, strlen(long_quote), &docs, &d), XD_ETOOBIG);
    tf_assert_diag(&d, 0, "line 1", "record is longer than 16 bytes");
    xd_diags_reset(&d);
    const char *many_commas = ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,";
    assert_int_equal(tf_decode(m, many_commas, strlen(many_commas), &docs, &d), XD_ETOOBIG);
    xd_diags_cleanup(&d);
    xd_flat_map_destroy(m);
}

static void test_empty_inputs(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map(row_map);
    const char *inputs[] = {"", "\xEF\xBB\xBF", "id,name,note", "id,name,note\r\n\r\n\r\n"};
    for (size_t i = 0; i < XD_ARRAY_LEN(inputs); i++) {
        json_t *docs = tf_decode_ok(m, inputs[i]);
        assert_int_equal(json_array_size(docs), 0);
        json_decref(docs);
    }
    json_t *docs = NULL;
    assert_int_equal(xd_flat_decode(m, NULL, 0, &docs, NULL), XD_OK);
    assert_int_equal(json_array_size(docs), 0);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_skip_lines(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
                                   " \"skip_lines\": 2,"
                                   " \"fields\": [{\"column\": \"SKU\", \"path\": \"sku\"}]}");
    json_t *docs = tf_decode_ok(m, "Acme Supply - Open Orders Report\nRun 2026-03-01\nSKU\nA-1\n");
    tf_assert_json(docs, "[{\"type\":\"item\",\"sku\":\"A-1\"}]");
    json_decref(docs);
    xd_flat_map_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_bom_blank_rows_and_short_rows),
        cmocka_unit_test(test_header_names_and_order),
        cmocka_unit_test(test_column_names_ignore_case),
        cmocka_unit_test(test_quote_inside_unquoted_field),
        cmocka_unit_test(test_blanks_after_closing_quote),
        cmocka_unit_test(test_embedded_nul_is_not_text),
        cmocka_unit_test(test_other_delimiters),
        cmocka_unit_test(test_single_byte_encodings),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_reader_continues_after_bad_document),
        cmocka_unit_test(test_unterminated_quote_is_fatal),
        cmocka_unit_test(test_missing_header_columns),
        cmocka_unit_test(test_malformed_header_row),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_empty_inputs),
        cmocka_unit_test(test_skip_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
