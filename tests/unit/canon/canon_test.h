/* SPDX-License-Identifier: MIT
 * Helpers shared by the canon tests: read an example document, edit it by path, decode it and
 * compare the problems found with the ones expected. */
#ifndef XD_TESTS_CANON_TEST_H
#define XD_TESTS_CANON_TEST_H

#include <stddef.h>

#include "canon/canon.h"

/* Contents of examples/documents/<type>.json (CROSSDOCK_SRC), NUL-terminated; free with
 * xd_free. Fails the test when it cannot be read. */
char *canon_test_example(const char *type, size_t *len);

/* The example of <type> with <edits> applied: a JSON array of [path] (delete the member) and
 * [path, value] (set it), paths written "lines.2.quantity". Returns compact JSON text (free with
 * xd_free). */
char *canon_test_edit(const char *type, const char *edits);

/* Decode <json>, assert the status, and assert the problems are exactly <expected>, a
 * NULL-terminated list of "code path" strings in the order reported. */
void canon_test_expect(const char *json, enum xd_status want, const char *const *expected);

/* Print every problem (for a failing test's log). */
void canon_test_print_diags(const struct xd_diags *d);

#endif
