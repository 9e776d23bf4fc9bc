/* SPDX-License-Identifier: MIT
 * Compiling maps: every mistake a profile author can make is reported with its path in the
 * description and a reason, all of them at once. */
#include <stdio.h>
#include <string.h>

#include "flat_helpers.h"

#define CSV_HEAD "\"format\": \"csv\", \"document_type\": \"purchase_order\""
#define FIX_HEAD "\"format\": \"fixed\", \"document_type\": \"purchase_order\""
#define PO_FIELD "{\"column\": \"PO\", \"path\": \"po_number\"}"

struct bad_map {
    const char *json;
    const char *path;
    const char *message;
};

static const struct bad_map bad_maps[] = {
    {"[]", "", "must be an object"},
    {"{\"document_type\": \"item\", \"fields\": [" PO_FIELD "]}", "format",
     "is required (csv or fixed)"},
    {"{\"format\": \"xml\", \"document_type\": \"item\", \"fields\": [" PO_FIELD "]}", "format",
     "must be one of: csv, fixed"},
    {"{" CSV_HEAD ", \"formt\": 1, \"fields\": [" PO_FIELD "]}", "formt", "unknown option"},
    {"{\"format\": \"csv\", \"fields\": [" PO_FIELD "]}", "document_type",
     "is required: a canonical type such as purchase_order"},
    {"{\"format\": \"csv\", \"document_type\": \"Purchase Order\", \"fields\": [" PO_FIELD "]}",
     "document_type", "is required: a canonical type such as purchase_order"},
    {"{" CSV_HEAD "}", "fields", "is required"},
    {"{" CSV_HEAD ", \"fields\": []}", "fields", "must be a list of 1 to 4096 fields"},
    {"{" CSV_HEAD ", \"fields\": [" PO_FIELD "], \"records\": []}", "records",
     "give records or fields, not both"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"PO\", \"path\": \"po\", \"requird\": true}]}",
     "fields[0].requird", "unknown option"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"PO\", \"path\": \"lines[].\"}]}", "fields[0].path",
     "'lines[].' is not a document path (names, '.', '[]' after arrays, at most 8 arrays deep, "
     "ending with a name)"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"PO\", \"path\": \"lines[]\"}]}", "fields[0].path",
     "'lines[]' is not a document path (names, '.', '[]' after arrays, at most 8 arrays deep, "
     "ending with a name)"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"PO\", \"path\": \"a b\"}]}", "fields[0].path",
     "'a b' is not a document path (names, '.', '[]' after arrays, at most 8 arrays deep, "
     "ending with a name)"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"PO\", \"path\": \"type\"}]}", "fields[0].path",
     "'type' is set from document_type"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"PO\", \"path\": \"po\", \"type\": \"money\"}]}",
     "fields[0].type", "must be one of: string, decimal, integer, date"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": 7, \"path\": \"po\"}]}", "fields[0].column",
     "must be a string"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"PO\", \"path\": \"po\", \"required\": 1}]}",
     "fields[0].required", "must be true or false"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"D\", \"path\": \"d\", \"type\": \"date\","
     " \"date_format\": \"%Q\"}]}",
     "fields[0].date_format", "unknown directive at '%Q' (use %Y %y %m %-m %d %-d %b)"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"D\", \"path\": \"d\", \"type\": \"date\","
     " \"date_format\": \"%Y%m\"}]}",
     "fields[0].date_format", "needs exactly one year, one month and one day"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"D\", \"path\": \"d\", \"date_format\": \"%Y\"}]}",
     "fields[0]", "date_format needs type date"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"Q\", \"path\": \"q\", \"implied_decimals\": 2}]}",
     "fields[0]", "number options need type decimal or integer"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"Q\", \"path\": \"q\", \"type\": \"integer\","
     " \"implied_decimals\": 2}]}",
     "fields[0]", "implied_decimals needs type decimal"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"Q\", \"path\": \"q\", \"type\": \"decimal\","
     " \"implied_decimals\": 19}]}",
     "fields[0].implied_decimals", "must be a whole number from 0 to 18"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"Q\", \"path\": \"q\", \"type\": \"decimal\","
     " \"decimal_separator\": \",\", \"thousands_separator\": \",\"}]}",
     "fields[0]", "the thousands and decimal separators must differ"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"U\", \"path\": \"u\", \"type\": \"decimal\","
     " \"map\": {\"A\": \"B\"}}]}",
     "fields[0]", "a value map needs type string"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"U\", \"path\": \"u\", \"map\": {\"EACH\": 1}}]}",
     "fields[0].map", "'EACH' must map to a string"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"U\", \"path\": \"u\", \"map\": {}}]}",
     "fields[0].map", "must be an object of partner code to canonical code"},
    {"{" FIX_HEAD ", \"fields\": [{\"column\": \"PO\", \"path\": \"po\"}]}", "fields[0]",
     "'column' is for CSV files"},
    {"{" CSV_HEAD ", \"fields\": [{\"start\": 1, \"length\": 2, \"path\": \"po\"}]}", "fields[0]",
     "'start' is for fixed-width files"},
    {"{" FIX_HEAD ", \"fields\": [{\"start\": 1, \"length\": 4, \"path\": \"q\","
     " \"type\": \"integer\", \"pad\": \"0\", \"align\": \"left\"}]}",
     "fields[0]", "a number padded with zeros must be aligned right"},
    {"{" FIX_HEAD ", \"fields\": [{\"start\": 1, \"path\": \"po\"}]}", "fields[0]",
     "needs both start and length"},
    {"{" CSV_HEAD ", \"fields\": [{}]}", "fields[0]", "needs a path, a column, or both"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"\", \"path\": \"x\"}]}", "fields[0]",
     "a column name cannot be empty, have blanks around it or begin with a byte order mark"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \" PO\", \"path\": \"x\"}]}", "fields[0]",
     "a column name cannot be empty, have blanks around it or begin with a byte order mark"},
    /* Written first in a file, the mark would be read as the file's own and the column lost
     * (found by fuzz_flat: a map that could not read back what it wrote). */
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"\xEF\xBB\xBFPO\", \"path\": \"x\"}]}", "fields[0]",
     "a column name cannot be empty, have blanks around it or begin with a byte order mark"},
    {"{" CSV_HEAD ", \"csv\": {\"columns\": [\"\xEF\xBB\xBFPO\"]}, \"fields\": [" PO_FIELD "]}",
     "csv.columns",
     "'\xEF\xBB\xBFPO' is empty, has blanks around it or begins with a byte order mark"},
    {"{" CSV_HEAD ", \"csv\": {\"columns\": [\"PO\", \"po\"]}, \"fields\": [" PO_FIELD "]}",
     "csv.columns", "'po' is there twice"},
    {"{" CSV_HEAD ", \"csv\": {\"columns\": [\"PO\", \"\"]}, \"fields\": [" PO_FIELD "]}",
     "csv.columns", "'' is empty, has blanks around it or begins with a byte order mark"},
    {"{" CSV_HEAD ", \"fields\": [{\"path\": \"po\"}]}", "fields[0]",
     "needs a column or a constant"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"C\", \"path\": \"c\", \"constant\": \"x\"}]}",
     "fields[0]", "a constant has no column"},
    {"{" CSV_HEAD ", \"fields\": [{\"path\": \"c\", \"constant\": \"x\", \"required\": true}]}",
     "fields[0]", "only a mapped column can be required"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"Q\", \"path\": \"q\", \"type\": \"decimal\","
     " \"default\": \"1,5\"}]}",
     "fields[0]", "'1,5' is not a canonical value of the field's type"},
    {"{" CSV_HEAD
     ", \"fields\": [{\"path\": \"d\", \"type\": \"date\", \"constant\": \"2026-02-30\"}]}",
     "fields[0]", "'2026-02-30' is not a canonical value of the field's type"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"A\", \"path\": \"ship_to\"},"
     " {\"column\": \"B\", \"path\": \"ship_to.name\"}]}",
     "fields", "paths 'ship_to' and 'ship_to.name' cannot both exist"},
    {"{" CSV_HEAD ", \"fields\": [{\"column\": \"A\", \"path\": \"lines[].sku\"},"
     " {\"column\": \"B\", \"path\": \"lines.sku\"}]}",
     "fields", "paths 'lines[].sku' and 'lines.sku' cannot both exist"},
    {"{" CSV_HEAD
     ", \"group\": {\"mode\": \"consecutive\", \"by\": [\"po\"]}, \"fields\": [" PO_FIELD "]}",
     "group.by", "'po' is not a document-level path of a mapped column"},
    {"{" CSV_HEAD ", \"group\": {\"mode\": \"consecutive\", \"by\": [\"lines[].sku\"]},"
     " \"fields\": [{\"column\": \"S\", \"path\": \"lines[].sku\"}]}",
     "group.by", "'lines[].sku' is not a document-level path of a mapped column"},
    {"{" CSV_HEAD ", \"group\": {\"mode\": \"batch\"}, \"fields\": [" PO_FIELD "]}", "group.mode",
     "must be one of: row, file, consecutive, all"},
    {"{" CSV_HEAD ", \"group\": {\"mode\": \"consecutive\"}, \"fields\": [" PO_FIELD "]}",
     "group.by", "is required for mode consecutive"},
    {"{" CSV_HEAD
     ", \"group\": {\"mode\": \"row\", \"by\": [\"po_number\"]}, \"fields\": [" PO_FIELD "]}",
     "group.by", "does not fit mode row"},
    {"{" CSV_HEAD ", \"arrays\": {\"linez\": {\"number\": \"n\"}}, \"fields\": [" PO_FIELD "]}",
     "arrays", "no field maps into an array 'linez'"},
    {"{" CSV_HEAD ", \"arrays\": {\"lines\": {\"key\": \"line_number\"}},"
     " \"fields\": [{\"column\": \"S\", \"path\": \"lines[].sku\"}]}",
     "arrays", "no column maps the key 'lines[].line_number'"},
    {"{" CSV_HEAD ", \"arrays\": {\"lines\": {\"sort\": \"sku\"}},"
     " \"fields\": [{\"column\": \"S\", \"path\": \"lines[].sku\"}]}",
     "arrays.lines", "unknown option 'sort'"},
    {"{" FIX_HEAD ", \"records\": [{\"tag\": \"H\", \"role\": \"header\", \"fields\": ["
     "{\"start\": 2, \"length\": 3, \"path\": \"po\"}]}]}",
     "record_tag", "is required with records"},
    {"{" FIX_HEAD ", \"record_tag\": {\"start\": 1, \"length\": 1}, \"fields\": ["
     "{\"start\": 2, \"length\": 3, \"path\": \"po\"}]}",
     "record_tag", "needs records"},
    {"{" FIX_HEAD ", \"record_tag\": {\"start\": 1, \"length\": 1}, \"records\": ["
     "{\"tag\": \"D\", \"role\": \"header\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": "
     "\"a\"}]},"
     "{\"tag\": \"D\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": \"b\"}]}]}",
     "records", "tag 'D' is used twice"},
    {"{" FIX_HEAD ", \"record_tag\": {\"start\": 1, \"length\": 1}, \"records\": ["
     "{\"tag\": \"A\", \"role\": \"header\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": "
     "\"a\"}]},"
     "{\"tag\": \"B\", \"role\": \"header\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": "
     "\"b\"}]}]}",
     "records", "only one record type can have the role header"},
    {"{" FIX_HEAD ", \"record_tag\": {\"start\": 1, \"length\": 1}, \"records\": ["
     "{\"tag\": \"H\", \"role\": \"header\", \"fields\": ["
     "{\"start\": 2, \"length\": 3, \"path\": \"lines[].a\"}]}]}",
     "records", "header record 'H' cannot map array values"},
    {"{" FIX_HEAD ", \"record_tag\": {\"start\": 1, \"length\": 1}, \"records\": ["
     "{\"tag\": \"H\", \"role\": \"header\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": "
     "\"a\"}]},"
     "{\"tag\": \"D\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": \"lines[].a\"},"
     "{\"start\": 5, \"length\": 3, \"path\": \"charges[].a\"}]}]}",
     "records", "record 'D' maps arrays that are not nested in each other"},
    {"{" FIX_HEAD ", \"record_tag\": {\"start\": 1, \"length\": 1}, \"records\": ["
     "{\"tag\": \"HDR\", \"role\": \"header\", \"fields\": [{\"start\": 2, \"length\": 3, "
     "\"path\": \"a\"}]}]}",
     "records", "tag 'HDR' is longer than record_tag.length"},
    {"{" FIX_HEAD ", \"record_tag\": {\"start\": 1, \"length\": 1}, \"records\": ["
     "{\"tag\": \"A\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": \"a\"}]},"
     "{\"tag\": \"B\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": \"b\"}]}]}",
     "group", "is required when no record has the role header"},
    {"{" FIX_HEAD ", \"record_tag\": {\"position\": 1}, \"records\": ["
     "{\"tag\": \"A\", \"role\": \"header\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": "
     "\"a\"}]}]}",
     "record_tag", "a fixed-width record tag has a start and a length"},
    {"{" CSV_HEAD ", \"csv\": {\"header\": false}, \"record_tag\": {\"start\": 1, \"length\": 1},"
     " \"records\": [{\"tag\": \"A\", \"role\": \"header\", \"fields\": ["
     "{\"position\": 2, \"path\": \"a\"}]}]}",
     "record_tag", "a CSV record tag has only a position"},
    {"{" CSV_HEAD ", \"csv\": {\"header\": false}, \"record_tag\": {\"position\": 2},"
     " \"records\": [{\"tag\": \"A\", \"role\": \"header\", \"fields\": ["
     "{\"position\": 2, \"path\": \"a\"}]}]}",
     "record_tag", "column 2 also holds column 2"},
    {"{" FIX_HEAD ", \"fields\": [{\"start\": 1, \"length\": 6, \"path\": \"a\"},"
     " {\"start\": 5, \"length\": 6, \"path\": \"b\"}]}",
     "fields", "positions 5-10 overlaps positions 1-6"},
    {"{" FIX_HEAD ", \"fixed\": {\"record_length\": 4}, \"fields\": ["
     "{\"name\": \"a\", \"start\": 1, \"length\": 6, \"path\": \"a\"}]}",
     "fields", "field 'a' (positions 1-6) ends past record_length 4"},
    {"{" FIX_HEAD ", \"record_tag\": {\"start\": 1, \"length\": 2}, \"records\": ["
     "{\"tag\": \"A\", \"role\": \"header\", \"fields\": [{\"start\": 2, \"length\": 3, \"path\": "
     "\"a\"}]}]}",
     "fields", "positions 2-4 overlaps the record tag"},
    {"{" CSV_HEAD ", \"fields\": [" PO_FIELD ", {\"position\": 3, \"path\": \"x\"}]}",
     "csv.columns", "is required when fields mix column names and positions"},
    {"{" CSV_HEAD ", \"fields\": [{\"position\": 3, \"path\": \"x\"}]}", "csv.header",
     "a header row needs column names (csv.columns)"},
    {"{" CSV_HEAD ", \"csv\": {\"columns\": [\"A\"]}, \"fields\": [" PO_FIELD "]}", "csv.columns",
     "has no column 'PO'"},
    {"{" CSV_HEAD ", \"csv\": {\"delimiter\": \"::\"}, \"fields\": [" PO_FIELD "]}",
     "csv.delimiter", "is not a character this option allows"},
    {"{" CSV_HEAD ", \"encoding\": \"latin-1\", \"bom\": true, \"fields\": [" PO_FIELD "]}", "bom",
     "only UTF-8 files have a byte order mark"},
    {"{" CSV_HEAD ", \"encoding\": \"ebcdic\", \"fields\": [" PO_FIELD "]}", "encoding",
     "must be one of: utf-8, latin-1, windows-1252"},
    {"{" CSV_HEAD ", \"limits\": {\"max_fields\": 0}, \"fields\": [" PO_FIELD "]}",
     "limits.max_fields", "must be a whole number from 1 to 65536"},
    {"{" CSV_HEAD ", \"csv\": {\"header\": false}, \"limits\": {\"max_fields\": 2},"
     " \"fields\": [{\"position\": 3, \"path\": \"x\"}]}",
     "limits.max_fields", "is less than the columns the map reads"},
    {"{" FIX_HEAD ", \"csv\": {}, \"fields\": [{\"start\": 1, \"length\": 2, \"path\": \"x\"}]}",
     "csv", "does not fit format fixed"},
    {"{" CSV_HEAD ", \"csv\": [], \"fields\": [" PO_FIELD "]}", "csv", "must be an object"},
};

static bool has_problem(const struct xd_diags *d, const char *path, const char *message)
{
    for (size_t i = 0; i < d->count; i++) {
        if (strcmp(d->items[i].path, path) == 0 && strcmp(d->items[i].message, message) == 0) {
            return true;
        }
    }
    return false;
}

static void test_bad_maps(void **state)
{
    (void)state;
    for (size_t i = 0; i < XD_ARRAY_LEN(bad_maps); i++) {
        struct xd_diags d;
        xd_diags_init(&d, 50);
        assert_int_equal(tf_map_fails(bad_maps[i].json, &d), XD_EINVAL);
        if (!has_problem(&d, bad_maps[i].path, bad_maps[i].message)) {
            fprintf(stderr, "map %zu: %s\nwanted %s: %s\nhave:\n", i, bad_maps[i].json,
                    bad_maps[i].path, bad_maps[i].message);
            tf_print_diags(&d);
            fail();
        }
        xd_diags_cleanup(&d);
    }
}

static void test_every_problem_at_once(void **state)
{
    (void)state;
    struct xd_diags d;
    xd_diags_init(&d, 50);
    assert_int_equal(tf_map_fails("{" CSV_HEAD ", \"bogus\": 1, \"fields\": ["
                                  "{\"column\": \"A\", \"path\": \"a\", \"type\": \"date\","
                                  " \"date_format\": \"%Y\"},"
                                  "{\"column\": \"B\", \"path\": \"b\", \"trim\": \"yes\"}]}",
                                  &d),
                     XD_EINVAL);
    assert_int_equal(d.count, 3);
    tf_assert_diag(&d, 0, "bogus", "unknown option");
    tf_assert_diag(&d, 1, "fields[0].date_format", "needs exactly one year, one month and one day");
    tf_assert_diag(&d, 2, "fields[1].trim", "must be true or false");
    xd_diags_cleanup(&d);
    /* without a list the status still says why */
    json_t *spec = tf_json("{}");
    struct xd_flat_map *m = NULL;
    assert_int_equal(xd_flat_map_create(spec, &m, NULL), XD_EINVAL);
    assert_null(m);
    json_decref(spec);
}

static void test_good_map_accessors(void **state)
{
    (void)state;
    struct xd_flat_map *m = tf_map("{" CSV_HEAD ", \"fields\": [" PO_FIELD "]}");
    assert_string_equal(xd_flat_map_document_type(m), "purchase_order");
    xd_flat_map_destroy(m);
    xd_flat_map_destroy(NULL);
    xd_flat_reader_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_maps),
        cmocka_unit_test(test_every_problem_at_once),
        cmocka_unit_test(test_good_map_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
