/* SPDX-License-Identifier: MIT
 * Allocation failure torture (curl's torture tests): fail the Nth allocation for N = 0, 1, 2,
 * ... until the operation succeeds without a failure. Each failing run must answer XD_ENOMEM
 * and leak nothing (ASan checks at exit); the run that succeeds must give the same result as
 * a run with no injection at all. */
#include <stdio.h>
#include <string.h>

#include "flat_helpers.h"

#define MAX_RUNS 100000

static char *sample(const char *name)
{
    size_t len;
    return tf_data(name, &len);
}

static enum xd_status compile(const char *spec_text, struct xd_flat_map **m, struct xd_diags *d)
{
    json_t *spec = tf_json(spec_text);
    enum xd_status st = xd_flat_map_create(spec, m, d);
    json_decref(spec);
    return st;
}

/* Map compilation, good and bad descriptions. */
static void torture_map(const char *spec_text, enum xd_status want, size_t want_problems)
{
    long n = 0;
    for (; n < MAX_RUNS; n++) {
        struct xd_diags d;
        xd_diags_init(&d, 50);
        struct xd_flat_map *m = NULL;
        xd_alloc_fail_after(n);
        enum xd_status st = compile(spec_text, &m, &d);
        long injected = xd_alloc_injected_failures();
        xd_alloc_fail_after(-1);
        xd_flat_map_destroy(m);
        size_t problems = d.count;
        xd_diags_cleanup(&d);
        if (injected == 0) {
            assert_int_equal(st, want);
            assert_int_equal(problems, want_problems);
            break;
        }
        if (st != XD_ENOMEM) {
            fail_msg("allocation %ld failed but the map answered %s", n, xd_status_name(st));
        }
    }
    assert_true(n > 0 && n < MAX_RUNS);
}

static void test_map_torture(void **state)
{
    (void)state;
    char *spec = sample("asn_fixed_initech.map.json");
    torture_map(spec, XD_OK, 0);
    xd_free(spec);
    spec = sample("po_ack_acme.map.json");
    torture_map(spec, XD_OK, 0);
    xd_free(spec);
    torture_map("{\"format\": \"csv\", \"document_type\": \"x\", \"bogus\": 1, \"fields\": ["
                "{\"column\": \"A\", \"path\": \"a\", \"type\": \"date\", \"date_format\": \"%Y\"},"
                "{\"column\": \"B\", \"path\": \"lines[].b\", \"map\": {\"x\": \"y\"}}]}",
                XD_EINVAL, 2);
}

/* Decoding <input>: the documents (compact JSON) or the problems, as one string. */
static enum xd_status decode_to_text(const struct xd_flat_map *m, const char *input,
                                     struct xd_buf *text)
{
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs = NULL;
    enum xd_status st = xd_flat_decode(m, input, strlen(input), &docs, &d);
    if (st == XD_OK) {
        char *s = json_dumps(docs, JSON_COMPACT);
        assert_non_null(s);
        assert_int_equal(xd_buf_append_str(text, s), XD_OK);
        free(s);
    }
    for (size_t i = 0; i < d.count; i++) {
        assert_int_equal(xd_buf_printf(text, "%s: %s\n", d.items[i].path, d.items[i].message),
                         XD_OK);
    }
    json_decref(docs);
    xd_diags_cleanup(&d);
    return st;
}

static void torture_decode(const char *map_file, const char *input)
{
    char *spec = sample(map_file);
    struct xd_flat_map *m = NULL;
    assert_int_equal(compile(spec, &m, NULL), XD_OK);
    struct xd_buf want;
    xd_buf_init(&want, 1u << 22);
    enum xd_status want_st = decode_to_text(m, input, &want);
    long n = 0;
    for (; n < MAX_RUNS; n++) {
        struct xd_buf got;
        xd_buf_init(&got, 1u << 22);
        xd_alloc_fail_after(n);
        struct xd_diags d;
        xd_diags_init(&d, 50);
        json_t *docs = NULL;
        enum xd_status st = xd_flat_decode(m, input, strlen(input), &docs, &d);
        long injected = xd_alloc_injected_failures();
        xd_alloc_fail_after(-1);
        json_decref(docs);
        xd_diags_cleanup(&d);
        if (injected == 0) {
            assert_int_equal(st, want_st);
            assert_int_equal(decode_to_text(m, input, &got), want_st);
            assert_string_equal(got.data ? got.data : "", want.data ? want.data : "");
            xd_buf_cleanup(&got);
            break;
        }
        xd_buf_cleanup(&got);
        if (st != XD_ENOMEM) {
            fail_msg("allocation %ld failed but decoding answered %s", n, xd_status_name(st));
        }
    }
    assert_true(n > 0 && n < MAX_RUNS);
    xd_buf_cleanup(&want);
    xd_flat_map_destroy(m);
    xd_free(spec);
}

static void test_decode_torture(void **state)
{
    (void)state;
    char *input = sample("asn_fixed_initech.txt");
    torture_decode("asn_fixed_initech.map.json", input);
    xd_free(input);
    input = sample("po_ack_acme.csv");
    torture_decode("po_ack_acme.map.json", input);
    xd_free(input);
    /* problems in documents, an orphan record and a fatal end */
    torture_decode("asn_fixed_initech.map.json", "IT000001BAD\r\n"
                                                 "HDSN1                 20260230\r\n"
                                                 "ZZ\r\n"
                                                 "TR0000000x000\r\n");
    torture_decode("asn_globex.map.json", "ASN #,Ship Date,PO #,Carton SSCC,Item #,Qty Shipped\n"
                                          "A,2026-01-01,P,S,I,1\n"
                                          "A,2026-01-01,P,S,I,x\n"
                                          "B,\"2026-01-01\n");
}

static void torture_encode(const char *map_file, const char *expected_file)
{
    char *spec = sample(map_file);
    char *docs_text = sample(expected_file);
    struct xd_flat_map *m = NULL;
    assert_int_equal(compile(spec, &m, NULL), XD_OK);
    json_t *docs = tf_json(docs_text);
    struct xd_buf want;
    xd_buf_init(&want, 1u << 22);
    assert_int_equal(xd_flat_encode(m, docs, &want, NULL), XD_OK);
    long n = 0;
    for (; n < MAX_RUNS; n++) {
        struct xd_buf got;
        xd_buf_init(&got, 1u << 22);
        struct xd_diags d;
        xd_diags_init(&d, 50);
        xd_alloc_fail_after(n);
        enum xd_status st = xd_flat_encode(m, docs, &got, &d);
        long injected = xd_alloc_injected_failures();
        xd_alloc_fail_after(-1);
        if (injected == 0) {
            assert_int_equal(st, XD_OK);
            assert_int_equal(got.len, want.len);
            assert_memory_equal(got.data, want.data, want.len);
        } else if (st != XD_ENOMEM) {
            fail_msg("allocation %ld failed but encoding answered %s", n, xd_status_name(st));
        } else {
            assert_int_equal(got.len, 0);
        }
        xd_buf_cleanup(&got);
        xd_diags_cleanup(&d);
        if (injected == 0) {
            break;
        }
    }
    assert_true(n > 0 && n < MAX_RUNS);
    xd_buf_cleanup(&want);
    json_decref(docs);
    xd_flat_map_destroy(m);
    xd_free(docs_text);
    xd_free(spec);
}

static void test_encode_torture(void **state)
{
    (void)state;
    torture_encode("asn_fixed_initech.map.json", "asn_fixed_initech.expected.json");
    torture_encode("invoice_mueller.map.json", "invoice_mueller.expected.json");
    torture_encode("asn_globex.map.json", "asn_globex.expected.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_torture),
        cmocka_unit_test(test_decode_torture),
        cmocka_unit_test(test_encode_torture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
