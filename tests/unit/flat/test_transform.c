/* SPDX-License-Identifier: MIT
 * Every per-field transform, both ways, as tables: what a partner writes, what the canonical
 * document holds, and the exact reason when a value does not convert. */
#include <stdio.h>
#include <string.h>

#include "flat_helpers.h"

struct dcase {
    const char *cell;  /* as written */
    const char *want;  /* canonical JSON value; NULL: absent */
    const char *error; /* or this problem */
};

struct ecase {
    const char *value; /* canonical JSON value; NULL: absent */
    const char *want;  /* as written */
    const char *error; /* or this problem */
};

static struct xd_flat_map *one_field_map(const char *opts)
{
    char spec[2048];
    snprintf(spec, sizeof spec,
             "{\"format\": \"csv\", \"document_type\": \"item\","
             " \"csv\": {\"header\": false, \"delimiter\": \"|\", \"quote\": \"\"},"
             " \"fields\": [{\"position\": 1, \"path\": \"v\"%s}]}",
             opts);
    return tf_map(spec);
}

static void decode_cases(const char *opts, const struct dcase *cases, size_t n)
{
    struct xd_flat_map *m = one_field_map(opts);
    for (size_t i = 0; i < n; i++) {
        char in[256];
        snprintf(in, sizeof in, "%s|x\n", cases[i].cell);
        struct xd_diags d;
        xd_diags_init(&d, 10);
        json_t *docs = NULL;
        enum xd_status st = tf_decode(m, in, strlen(in), &docs, &d);
        if (cases[i].error != NULL) {
            if (st != XD_EINVALDOC) {
                fail_msg("'%s' decoded; wanted: %s", cases[i].cell, cases[i].error);
            }
            tf_assert_diag(&d, 0, "line 1, column 1 (v)", cases[i].error);
        } else {
            if (st != XD_OK) {
                tf_print_diags(&d);
                fail_msg("'%s' did not decode", cases[i].cell);
            }
            json_t *v = json_object_get(json_array_get(docs, 0), "v");
            if (cases[i].want == NULL) {
                assert_null(v);
            } else {
                tf_assert_json(v, cases[i].want);
            }
        }
        json_decref(docs);
        xd_diags_cleanup(&d);
    }
    xd_flat_map_destroy(m);
}

static void encode_cases(const char *opts, const struct ecase *cases, size_t n)
{
    struct xd_flat_map *m = one_field_map(opts);
    for (size_t i = 0; i < n; i++) {
        char doc[256];
        snprintf(doc, sizeof doc, "{\"type\": \"item\"%s%s}", cases[i].value ? ", \"v\": " : "",
                 cases[i].value ? cases[i].value : "");
        json_t *v = tf_json(doc);
        struct xd_buf out;
        xd_buf_init(&out, 4096);
        struct xd_diags d;
        xd_diags_init(&d, 10);
        enum xd_status st = xd_flat_encode(m, v, &out, &d);
        if (cases[i].error != NULL) {
            if (st != XD_EINVALDOC) {
                fail_msg("%s encoded; wanted: %s", doc, cases[i].error);
            }
            tf_assert_diag(&d, 0, "document 1, $.v (column 1)", cases[i].error);
            assert_int_equal(out.len, 0);
        } else {
            if (st != XD_OK) {
                tf_print_diags(&d);
                fail_msg("%s did not encode", doc);
            }
            char want[256];
            snprintf(want, sizeof want, "%s\r\n", cases[i].want);
            assert_string_equal(out.data, want);
        }
        json_decref(v);
        xd_buf_cleanup(&out);
        xd_diags_cleanup(&d);
    }
    xd_flat_map_destroy(m);
}

#define DECODE(opts, ...)                                                                          \
    do {                                                                                           \
        const struct dcase c_[] = {__VA_ARGS__};                                                   \
        decode_cases(opts, c_, XD_ARRAY_LEN(c_));                                                  \
    } while (0)
#define ENCODE(opts, ...)                                                                          \
    do {                                                                                           \
        const struct ecase c_[] = {__VA_ARGS__};                                                   \
        encode_cases(opts, c_, XD_ARRAY_LEN(c_));                                                  \
    } while (0)

static void test_trim_case_nulls(void **state)
{
    (void)state;
    DECODE("", {"  a b  ", "\"a b\"", NULL}, {"\t", NULL, NULL}, {"", NULL, NULL});
    DECODE(", \"trim\": false", {"  a  ", "\"  a  \"", NULL});
    DECODE(", \"case\": \"upper\"", {"abc-1 ä", "\"ABC-1 ä\"", NULL});
    DECODE(", \"case\": \"lower\"", {"ABC", "\"abc\"", NULL});
    DECODE(", \"null_values\": [\"N/A\", \"-\"]", {"N/A", NULL, NULL}, {" - ", NULL, NULL},
           {"n/a", "\"n/a\"", NULL});
    ENCODE(", \"case\": \"upper\"", {"\"abc\"", "ABC", NULL});
    ENCODE(", \"null_values\": [\"N/A\", \"-\"]", {NULL, "N/A", NULL}, {"\"x\"", "x", NULL});
}

static void test_required_and_default(void **state)
{
    (void)state;
    DECODE(", \"required\": true", {"", NULL, "required value is missing"},
           {"  ", NULL, "required value is missing"}, {"a", "\"a\"", NULL});
    DECODE(", \"default\": \"EA\"", {"", "\"EA\"", NULL}, {"CA", "\"CA\"", NULL});
    DECODE(", \"required\": true, \"default\": \"EA\"", {"", "\"EA\"", NULL});
    DECODE(", \"type\": \"integer\", \"default\": \"1\"", {"", "1", NULL});
    ENCODE(", \"required\": true", {NULL, NULL, "required value is missing"},
           {"null", NULL, "required value is missing"});
    ENCODE(", \"default\": \"EA\"", {NULL, "EA", NULL});
}

static void test_constants(void **state)
{
    (void)state;
    struct xd_flat_map *m =
        tf_map("{\"format\": \"csv\", \"document_type\": \"invoice\","
               " \"csv\": {\"columns\": [\"Invoice\", \"Vendor\", \"SKU\", \"Notes\"]},"
               " \"group\": {\"mode\": \"consecutive\", \"by\": [\"invoice_number\"]},"
               " \"fields\": ["
               "  {\"column\": \"Invoice\", \"path\": \"invoice_number\"},"
               "  {\"column\": \"Vendor\", \"constant\": \"ACME-01\"},"
               "  {\"column\": \"SKU\", \"path\": \"lines[].sku\"},"
               "  {\"column\": \"Notes\"},"
               "  {\"path\": \"currency\", \"constant\": \"USD\"},"
               "  {\"path\": \"lines[].uom\", \"constant\": \"EA\"}]}");
    json_t *docs =
        tf_decode_ok(m, "Invoice,Vendor,SKU,Notes\nINV-1,WHO,A,n\nINV-1,,B,\nINV-2,,,\n");
    /* a constant fills every element, but makes none: INV-2 has no line */
    tf_assert_json(docs,
                   "[{\"type\":\"invoice\",\"invoice_number\":\"INV-1\",\"currency\":\"USD\","
                   "  \"lines\":[{\"sku\":\"A\",\"uom\":\"EA\"},{\"sku\":\"B\",\"uom\":\"EA\"}]},"
                   " {\"type\":\"invoice\",\"invoice_number\":\"INV-2\",\"currency\":\"USD\"}]");
    size_t len;
    char *out =
        tf_encode_ok(m, "[{\"invoice_number\":\"INV-1\",\"lines\":[{\"sku\":\"A\"}]}]", &len);
    assert_string_equal(out, "Invoice,Vendor,SKU,Notes\r\nINV-1,ACME-01,A,\r\n");
    xd_free(out);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

/* A document's constant is its own: changing it does not change the map. */
static void test_constants_are_copies(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{\"format\": \"csv\", \"document_type\": \"item\","
                                   " \"csv\": {\"header\": false},"
                                   " \"fields\": [{\"position\": 1, \"path\": \"sku\"},"
                                   "  {\"path\": \"currency\", \"constant\": \"USD\"}]}");
    json_t *docs = tf_decode_ok(m, "A\n");
    assert_int_equal(json_string_set(json_object_get(json_array_get(docs, 0), "currency"), "EUR"),
                     0);
    json_t *again = tf_decode_ok(m, "B\n");
    tf_assert_json(again, "[{\"type\":\"item\",\"sku\":\"B\",\"currency\":\"USD\"}]");
    json_decref(again);
    json_decref(docs);
    xd_flat_map_destroy(m);
}

static void test_dates(void **state)
{
    (void)state;
    DECODE(", \"type\": \"date\"", {"2026-03-15", "\"2026-03-15\"", NULL},
           {"2026-3-15", NULL, "'2026-3-15' is not a date in the format %Y-%m-%d"});
    DECODE(", \"type\": \"date\", \"date_format\": \"%Y%m%d\"",
           {"20260315", "\"2026-03-15\"", NULL}, {"20240229", "\"2024-02-29\"", NULL},
           {"20260229", NULL, "'20260229' is not a date in the format %Y%m%d"},
           {"20261315", NULL, "'20261315' is not a date in the format %Y%m%d"},
           {"2026031", NULL, "'2026031' is not a date in the format %Y%m%d"},
           {"202603150", NULL, "'202603150' is not a date in the format %Y%m%d"},
           {"2026031x", NULL, "'2026031x' is not a date in the format %Y%m%d"});
    DECODE(", \"type\": \"date\", \"date_format\": \"%m/%d/%Y\"",
           {"03/15/2026", "\"2026-03-15\"", NULL},
           {"3/15/2026", NULL, "'3/15/2026' is not a date in the format %m/%d/%Y"});
    DECODE(", \"type\": \"date\", \"date_format\": \"%-m/%-d/%Y\"",
           {"3/5/2026", "\"2026-03-05\"", NULL}, {"12/31/2026", "\"2026-12-31\"", NULL},
           {"3/5/26", NULL, "'3/5/26' is not a date in the format %-m/%-d/%Y"});
    DECODE(", \"type\": \"date\", \"date_format\": \"%d.%m.%Y\"",
           {"15.03.2026", "\"2026-03-15\"", NULL});
    DECODE(", \"type\": \"date\", \"date_format\": \"%y%m%d\"", {"260315", "\"2026-03-15\"", NULL},
           {"690101", "\"1969-01-01\"", NULL}, {"681231", "\"2068-12-31\"", NULL});
    DECODE(", \"type\": \"date\", \"date_format\": \"%d-%b-%Y\"",
           {"15-MAR-2026", "\"2026-03-15\"", NULL}, {"01-dec-2026", "\"2026-12-01\"", NULL},
           {"15-Mrz-2026", NULL, "'15-Mrz-2026' is not a date in the format %d-%b-%Y"});
    DECODE(", \"type\": \"date\", \"date_format\": \"%Y%m%d\", \"null_values\": [\"00000000\"]",
           {"00000000", NULL, NULL});
    ENCODE(", \"type\": \"date\", \"date_format\": \"%-m/%-d/%Y\"",
           {"\"2026-03-05\"", "3/5/2026", NULL});
    ENCODE(", \"type\": \"date\", \"date_format\": \"%d-%b-%y\"",
           {"\"2026-03-05\"", "05-Mar-26", NULL},
           {"\"2070-01-01\"", NULL, "year 2070 cannot be written with %y"});
    ENCODE(", \"type\": \"date\", \"date_format\": \"%Y%m%d\"",
           {"\"2026-12-31\"", "20261231", NULL},
           {"\"2026-02-30\"", NULL, "is not a date (YYYY-MM-DD)"},
           {"20260101", NULL, "is not a date (YYYY-MM-DD)"});
}

static void test_decimals(void **state)
{
    (void)state;
    DECODE(", \"type\": \"decimal\"", {"12.50", "\"12.50\"", NULL}, {"+3", "\"3\"", NULL},
           {".5", "\"0.5\"", NULL}, {"-0", "\"0\"", NULL}, {" 007 ", "\"7\"", NULL},
           {"twelve", NULL, "'twelve' is not a number"}, {"1e3", NULL, "'1e3' is not a number"},
           {"1,5", NULL, "'1,5' is not a number"}, {"1 000", NULL, "'1 000' is not a number"},
           {"12.3.4", NULL, "'12.3.4' is not a number"},
           {"99999999999999999999", NULL, "'99999999999999999999' is out of range"});
    DECODE(", \"type\": \"decimal\", \"decimal_separator\": \",\"", {"12,50", "\"12.50\"", NULL},
           {"12.50", NULL, "'12.50' is not a number"});
    DECODE(", \"type\": \"decimal\", \"thousands_separator\": \",\"",
           {"1,234.56", "\"1234.56\"", NULL});
    DECODE(", \"type\": \"decimal\", \"decimal_separator\": \",\", \"thousands_separator\": \".\"",
           {"1.234,56", "\"1234.56\"", NULL});
    DECODE(", \"type\": \"decimal\", \"implied_decimals\": 2", {"1250", "\"12.50\"", NULL},
           {"-000125", "\"-1.25\"", NULL}, {"0", "\"0.00\"", NULL},
           {"12.50", NULL, "'12.50' has a decimal separator but the field has 2 implied decimals"});
    DECODE(", \"type\": \"decimal\", \"implied_decimals\": 2, \"trailing_sign\": true",
           {"125-", "\"-1.25\"", NULL}, {"125+", "\"1.25\"", NULL}, {"-125", "\"-1.25\"", NULL},
           {"-", NULL, "'-' is not a number"});
    ENCODE(", \"type\": \"decimal\", \"decimal_separator\": \",\"", {"\"12.50\"", "12,50", NULL},
           {"3", "3", NULL}, {"\"abc\"", NULL, "is not a decimal string"},
           {"1.5", NULL, "is not a decimal string"});
    ENCODE(", \"type\": \"decimal\", \"implied_decimals\": 2", {"\"12.5\"", "1250", NULL},
           {"\"-0.07\"", "-7", NULL}, {"\"12.300\"", "1230", NULL},
           {"\"12.345\"", NULL, "12.345 cannot be written with 2 implied decimals"});
    ENCODE(", \"type\": \"decimal\", \"implied_decimals\": 2, \"trailing_sign\": true",
           {"\"-1.25\"", "125-", NULL}, {"\"1.25\"", "125", NULL});
}

static void test_integers(void **state)
{
    (void)state;
    DECODE(", \"type\": \"integer\"", {"0042", "42", NULL}, {"4.0", "4", NULL}, {"-7", "-7", NULL},
           {"4.5", NULL, "'4.5' is not a whole number"});
    DECODE(", \"type\": \"integer\", \"thousands_separator\": \" \"", {"1 000", "1000", NULL});
    ENCODE(", \"type\": \"integer\"", {"42", "42", NULL}, {"\"7\"", "7", NULL},
           {"\"7.5\"", NULL, "7.5 is not a whole number"}, {"true", NULL, "is not a whole number"});
}

static void test_value_maps(void **state)
{
    (void)state;
    const char *uom = ", \"map\": {\"EACH\": \"EA\", \"EA\": \"EA\", \"CASE\": \"CA\"}";
    DECODE(uom, {"EACH", "\"EA\"", NULL}, {"CASE", "\"CA\"", NULL},
           {"BOX", NULL, "'BOX' is not one of the codes of the value map"},
           {"each", NULL, "'each' is not one of the codes of the value map"});
    char opts[256];
    snprintf(opts, sizeof opts, "%s, \"case\": \"upper\"", uom);
    DECODE(opts, {"each", "\"EA\"", NULL});
    snprintf(opts, sizeof opts, "%s, \"unknown_codes\": \"keep\"", uom);
    DECODE(opts, {"BOX", "\"BOX\"", NULL});
    ENCODE(uom, {"\"EA\"", "EACH", NULL}, {"\"CA\"", "CASE", NULL},
           {"\"PK\"", NULL, "'PK' has no partner code in the value map"});
    ENCODE(opts, {"\"PK\"", "PK", NULL});
}

static void test_string_values_from_json(void **state)
{
    (void)state;
    ENCODE("", {"12", "12", NULL}, {"\"x\"", "x", NULL},
           {"1.5", NULL, "is a JSON number with a fraction (decimals are strings), not a string"},
           {"{}", NULL, "is a JSON object, not a string"},
           {"[1]", NULL, "is a JSON array, not a string"},
           {"true", NULL, "is a JSON literal, not a string"});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trim_case_nulls),
        cmocka_unit_test(test_required_and_default),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_constants_are_copies),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_value_maps),
        cmocka_unit_test(test_string_values_from_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
