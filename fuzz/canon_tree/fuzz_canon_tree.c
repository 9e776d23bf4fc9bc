/* SPDX-License-Identifier: MIT
 * libFuzzer target for the jansson tree loader and writer (src/canon/canon_tree.c), with
 * jansson as the oracle: what the loader accepts jansson accepts too, as an equal tree (the
 * loader may refuse more: duplicate names, \u0000), and the
 * dumper writes what json_dumps(JSON_COMPACT) writes for every tree jansson builds. Any
 * disagreement aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "canon/canon_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) ((cond) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_buf out;
    xd_buf_init(&out, (size_t)16 << 20);
    CHECK(a != NULL);
    json_t *ours = xd_canon_tree_load((const char *)data, size, a);
    json_t *theirs = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (ours != NULL) {
        CHECK(theirs != NULL);
        CHECK(json_equal(ours, theirs));
    }
    if (theirs != NULL) {
        char *want = json_dumps(theirs, JSON_COMPACT | JSON_ENCODE_ANY);
        const char *got = xd_canon_tree_dump(theirs, &out, a);
        CHECK(want != NULL && got != NULL && strcmp(want, got) == 0);
        free(want);
    }
    json_decref(ours);
    json_decref(theirs);
    xd_buf_cleanup(&out);
    xd_arena_destroy(a);
    return 0;
}
