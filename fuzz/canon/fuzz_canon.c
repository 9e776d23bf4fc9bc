/* SPDX-License-Identifier: MIT
 * libFuzzer target for the canonical JSON codec: decode anything; a document that decodes must
 * validate, encode (alone and checked, to the same bytes), decode again and encode to the same
 * bytes, load as a jansson tree and be written from it to the same bytes again (what a partner
 * receives when the hub renders a stored document from its text instead of its tree), and its
 * keys must agree however many slots the caller gives. Any broken promise aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canon/canon.h"
#include "canon/canon_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX     (64u * 1024 * 1024)
#define ARENA_MAX   (512u * 1024 * 1024)
#define CHECK(cond) ((cond) ? (void)0 : abort())

static void check_keys(const struct xd_canon_doc *doc)
{
    struct xd_canon_key all[64], few[2];
    size_t total_all = 0, total_few = 0;
    size_t n = xd_canon_keys(doc, all, 64, &total_all);
    size_t m = xd_canon_keys(doc, few, 2, &total_few);
    CHECK(total_all == total_few);
    CHECK(m <= 2 && m <= n);
    for (size_t i = 0; i < m; i++) {
        CHECK(strcmp(all[i].name, few[i].name) == 0 && strcmp(all[i].value, few[i].value) == 0);
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            CHECK(strcmp(all[i].name, all[j].name) != 0 || strcmp(all[i].value, all[j].value) != 0);
        }
    }
}

/* encode(doc) into <out>, decode that, encode again: same bytes. */
static void check_round_trip(struct xd_arena *a, const struct xd_canon_doc *doc)
{
    struct xd_diags d;
    xd_diags_init(&d, 0);
    CHECK(xd_canon_validate(doc, &d) == XD_OK);
    struct xd_buf one, two;
    xd_buf_init(&one, OUT_MAX);
    xd_buf_init(&two, OUT_MAX);
    CHECK(xd_canon_encode(doc, &one) == XD_OK);
    CHECK(xd_canon_encode_valid(doc, &two, &d) == XD_OK);
    CHECK(one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
    xd_buf_reset(&two);
    struct xd_canon_doc *again = NULL;
    enum xd_status st = xd_canon_decode(one.data, one.len, a, &again, &d);
    CHECK(st == XD_OK);
    CHECK(again->type == doc->type);
    CHECK(xd_canon_encode(again, &two) == XD_OK);
    CHECK(one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
    json_t *tree = xd_canon_tree_load(one.data, one.len, a);
    CHECK(tree != NULL);
    xd_buf_reset(&two);
    CHECK(xd_canon_tree_write(tree, &two) == XD_OK);
    CHECK(one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
    json_decref(tree);
    xd_buf_cleanup(&one);
    xd_buf_cleanup(&two);
    xd_diags_cleanup(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xd_arena *a = xd_arena_create(0, ARENA_MAX);
    if (a == NULL) {
        return 0;
    }
    struct xd_diags d;
    xd_diags_init(&d, 0);
    struct xd_canon_doc *doc = NULL;
    enum xd_status st = xd_canon_decode((const char *)data, size, a, &doc, &d);
    switch (st) {
    case XD_OK:
        CHECK(doc != NULL && xd_diags_total(&d) == 0);
        check_round_trip(a, doc);
        check_keys(doc);
        break;
    case XD_EPARSE:
    case XD_ENOTFOUND:
    case XD_ETOOBIG:
        CHECK(doc == NULL && d.count == 1);
        break;
    case XD_EINVALDOC:
        CHECK(doc == NULL && xd_diags_total(&d) > 0);
        break;
    case XD_ENOMEM:
        /* Only the arena cap can cause it here. */
        CHECK(doc == NULL);
        break;
    default:
        abort();
    }
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
    return 0;
}
