/* SPDX-License-Identifier: MIT
 * Helpers shared by the flat-file tests: maps and documents from JSON text, decoding and
 * encoding with every problem printed when a test fails, and exact diagnostics checks. */
#ifndef XD_TEST_FLAT_HELPERS_H
#define XD_TEST_FLAT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/core.h"
#include "flat/flat.h"

/* JSON text to a value; the test fails on malformed text. */
json_t *tf_json(const char *text);
/* A map that must compile. */
struct xd_flat_map *tf_map(const char *json);
/* A map that must not compile: the status, problems in <d> (initialised by the caller). */
enum xd_status tf_map_fails(const char *json, struct xd_diags *d);
/* Decode <len> bytes; XD_OK and the documents, or the status with every problem in <d>. */
enum xd_status tf_decode(const struct xd_flat_map *m, const char *data, size_t len, json_t **docs,
                         struct xd_diags *d);
/* Decode text that must decode without a problem. */
json_t *tf_decode_ok(const struct xd_flat_map *m, const char *text);
/* The documents must equal <expected> (JSON text); both are printed when they do not. */
void tf_assert_json(const json_t *got, const char *expected);
/* Problem <i> of <d> must have exactly this path and message. */
void tf_assert_diag(const struct xd_diags *d, size_t i, const char *path, const char *message);
/* Print every problem (for failing tests). */
void tf_print_diags(const struct xd_diags *d);
/* Encode <docs> (JSON text) that must encode; the bytes, NUL-terminated (xd_free). */
char *tf_encode_ok(const struct xd_flat_map *m, const char *docs, size_t *len);
/* encode then decode must give <docs> back. */
void tf_assert_roundtrip(const struct xd_flat_map *m, const char *docs);
/* A whole file from tests/data/flat (xd_free). */
char *tf_data(const char *name, size_t *len);

#endif
