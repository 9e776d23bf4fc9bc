/* SPDX-License-Identifier: MIT
 * Fuzz target for src/flat. The first byte picks what the rest is:
 *   0..N-1: a file read with map N of a fixed set (CSV and fixed width, every grouping mode,
 *           record types, encodings, small caps so the limits are reached). Every document
 *           read is written back with the same map and read again: it must come back equal.
 *   N..255: a map description (JSON); when it compiles, a small file is read and written
 *           with it.
 * Any crash, leak, sanitizer report or broken round trip is a finding. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core.h"
#include "flat/flat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const maps[] = {
    /* a CSV ship notice: header row, keyed nested arrays, runs of a key */
    "{\"format\": \"csv\", \"document_type\": \"ship_notice\","
    " \"limits\": {\"max_record_bytes\": 512, \"max_fields\": 16, \"max_rows_per_document\": 40,"
    "            \"max_documents\": 30, \"max_errors_per_document\": 5},"
    " \"group\": {\"mode\": \"consecutive\", \"by\": [\"asn\"]},"
    " \"arrays\": {\"orders\": {\"key\": \"po\"}, \"orders[].packs\": {\"key\": \"sscc\"},"
    "            \"orders[].packs[].items\": {\"number\": \"n\"}},"
    " \"fields\": ["
    "  {\"column\": \"ASN\", \"path\": \"asn\", \"required\": true},"
    "  {\"column\": \"Date\", \"path\": \"date\", \"type\": \"date\", \"date_format\": "
    "\"%-m/%-d/%Y\"},"
    "  {\"column\": \"PO\", \"path\": \"orders[].po\"},"
    "  {\"column\": \"SSCC\", \"path\": \"orders[].packs[].sscc\"},"
    "  {\"column\": \"SKU\", \"path\": \"orders[].packs[].items[].sku\", \"case\": \"upper\"},"
    "  {\"column\": \"Qty\", \"path\": \"orders[].packs[].items[].qty\", \"type\": \"decimal\","
    "   \"thousands_separator\": \",\"},"
    "  {\"column\": \"UOM\", \"path\": \"orders[].packs[].items[].uom\","
    "   \"map\": {\"EACH\": \"EA\", \"EA\": \"EA\", \"CS\": \"CA\"}, \"default\": \"EA\"},"
    "  {\"column\": \"Charge\", \"path\": \"charges[].code\"},"
    "  {\"path\": \"currency\", \"constant\": \"USD\"}]}",
    /* positions, semicolons, decimal commas, Windows-1252, a key over the whole file */
    "{\"format\": \"csv\", \"document_type\": \"invoice\", \"encoding\": \"windows-1252\","
    " \"csv\": {\"delimiter\": \";\", \"header\": false, \"quote\": \"'\"},"
    " \"limits\": {\"max_record_bytes\": 256, \"max_fields\": 8, \"max_documents\": 20},"
    " \"group\": {\"mode\": \"all\", \"by\": [\"number\"]},"
    " \"fields\": ["
    "  {\"position\": 1, \"path\": \"number\"},"
    "  {\"position\": 2, \"path\": \"date\", \"type\": \"date\", \"date_format\": \"%d.%m.%y\"},"
    "  {\"position\": 3, \"path\": \"lines[].amount\", \"type\": \"decimal\","
    "   \"decimal_separator\": \",\", \"thousands_separator\": \".\"},"
    "  {\"position\": 4, \"path\": \"lines[].count\", \"type\": \"integer\","
    "   \"null_values\": [\"-\"]},"
    "  {\"position\": 5, \"path\": \"lines[].text\", \"trim\": false}]}",
    /* fixed width, UTF-8 positions, header / detail / trailer with an ignored envelope */
    "{\"format\": \"fixed\", \"document_type\": \"receipt\", \"line_ending\": \"lf\","
    " \"fixed\": {\"record_length\": 40},"
    " \"limits\": {\"max_record_bytes\": 200, \"max_rows_per_document\": 30,"
    "            \"max_documents\": 20, \"max_errors_per_document\": 4},"
    " \"record_tag\": {\"start\": 1, \"length\": 1},"
    " \"arrays\": {\"orders[].lines\": {\"number\": \"n\"}},"
    " \"records\": ["
    "  {\"tag\": \"F\", \"role\": \"ignore\"},"
    "  {\"tag\": \"H\", \"role\": \"header\", \"fields\": ["
    "    {\"start\": 2, \"length\": 8, \"path\": \"id\", \"required\": true},"
    "    {\"start\": 10, \"length\": 8, \"path\": \"on\", \"type\": \"date\","
    "     \"date_format\": \"%Y%m%d\", \"null_values\": [\"00000000\"]}]},"
    "  {\"tag\": \"O\", \"fields\": [{\"start\": 2, \"length\": 10, \"path\": \"orders[].po\"}]},"
    "  {\"tag\": \"D\", \"fields\": ["
    "    {\"start\": 2, \"length\": 10, \"path\": \"orders[].lines[].sku\"},"
    "    {\"start\": 12, \"length\": 7, \"path\": \"orders[].lines[].qty\", \"type\": \"decimal\","
    "     \"implied_decimals\": 2, \"pad\": \"0\", \"trailing_sign\": true},"
    "    {\"start\": 19, \"length\": 6, \"path\": \"orders[].lines[].name\", \"truncate\": true}]},"
    "  {\"tag\": \"T\", \"role\": \"trailer\", \"fields\": ["
    "    {\"start\": 2, \"length\": 4, \"path\": \"count\", \"type\": \"integer\", \"pad\": "
    "\"0\"}]}]}",
    /* CSV record types in one file, no header, every record its own document */
    "{\"format\": \"csv\", \"document_type\": \"item\", \"line_ending\": \"lf\","
    " \"csv\": {\"header\": false, \"quoting\": \"always\"},"
    " \"record_tag\": {\"position\": 1},"
    " \"group\": {\"mode\": \"row\"},"
    " \"records\": ["
    "  {\"tag\": \"I\", \"fields\": [{\"position\": 2, \"path\": \"sku\", \"required\": true},"
    "    {\"position\": 3, \"path\": \"made\", \"type\": \"date\", \"date_format\": "
    "\"%d-%b-%Y\"}]},"
    "  {\"tag\": \"X\", \"role\": \"ignore\"}]}",
    /* one fixed-width document per file, Latin-1 */
    "{\"format\": \"fixed\", \"document_type\": \"inventory_snapshot\", \"encoding\": \"latin-1\","
    " \"group\": {\"mode\": \"file\"},"
    " \"limits\": {\"max_record_bytes\": 100, \"max_rows_per_document\": 60},"
    " \"fields\": ["
    "  {\"start\": 1, \"length\": 6, \"path\": \"items[].sku\", \"align\": \"right\", \"pad\": "
    "\"0\"},"
    "  {\"start\": 7, \"length\": 9, \"path\": \"items[].on_hand\", \"type\": \"decimal\","
    "   \"implied_decimals\": 3},"
    "  {\"start\": 16, \"length\": 6, \"path\": \"items[].counted\", \"type\": \"date\","
    "   \"date_format\": \"%y%m%d\"},"
    "  {\"start\": 22, \"length\": 4, \"path\": \"items[].bin\", \"case\": \"lower\"}]}",
};

#define NMAPS (sizeof maps / sizeof maps[0])

/* Decode <len> bytes, write back what was read, and read that again. */
static void exercise(const struct xd_flat_map *m, const uint8_t *data, size_t len)
{
    struct xd_diags d;
    xd_diags_init(&d, 20);
    struct xd_flat_reader *r = NULL;
    json_t *docs = json_array();
    if (docs == NULL || xd_flat_reader_create(m, data, len, &r) != XD_OK) {
        goto out;
    }
    for (;;) {
        json_t *doc = NULL;
        enum xd_status st = xd_flat_reader_next(r, &doc, &d);
        if (st == XD_EINVALDOC) {
            continue;
        }
        if (st != XD_OK || doc == NULL) {
            break;
        }
        json_array_append_new(docs, doc);
    }
    struct xd_buf out;
    xd_buf_init(&out, 1u << 20);
    if (xd_flat_encode(m, docs, &out, &d) == XD_OK) {
        json_t *back = NULL;
        enum xd_status st = xd_flat_decode(m, out.data ? out.data : "", out.len, &back, &d);
        if (st != XD_OK || !json_equal(back, docs)) {
            abort();
        }
        json_decref(back);
    }
    xd_buf_cleanup(&out);
out:
    json_decref(docs);
    xd_flat_reader_destroy(r);
    xd_diags_cleanup(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xd_flat_map *compiled[NMAPS];
    static int ready;
    if (!ready) {
        for (size_t i = 0; i < NMAPS; i++) {
            json_t *spec = json_loads(maps[i], 0, NULL);
            if (spec == NULL || xd_flat_map_create(spec, &compiled[i], NULL) != XD_OK) {
                abort();
            }
            json_decref(spec);
        }
        ready = 1;
    }
    if (size == 0) {
        return 0;
    }
    if (data[0] < NMAPS) {
        exercise(compiled[data[0]], data + 1, size - 1);
        return 0;
    }
    json_t *spec = json_loadb((const char *)data + 1, size - 1, 0, NULL);
    struct xd_flat_map *m = NULL;
    struct xd_diags d;
    xd_diags_init(&d, 20);
    if (spec != NULL && xd_flat_map_create(spec, &m, &d) == XD_OK) {
        static const char sample[] = "A,B,C,D\n1,2,3,4\n1,x,\"y\"\"z\",\n2,,,\n"
                                     "H1234567820260101\nD0000012345abc\nT0001\n";
        exercise(m, (const uint8_t *)sample, sizeof sample - 1);
    }
    xd_flat_map_destroy(m);
    xd_diags_cleanup(&d);
    json_decref(spec);
    return 0;
}
