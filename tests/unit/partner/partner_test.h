/* SPDX-License-Identifier: MIT
 * Helpers shared by the partner tests: files of the source tree, parsing with problems kept,
 * and lookups in the problem list. */
#ifndef XD_TESTS_PARTNER_TEST_H
#define XD_TESTS_PARTNER_TEST_H

#include <stdbool.h>
#include <stddef.h>

#include "partner/partner.h"

/* $CROSSDOCK_SRC/<rel> into a malloc'd NUL-terminated string (aborts when missing). */
char *pt_read_src(const char *rel, size_t *len);

/* Parse <text>; the problems stay in <pr> (initialised here, cleaned by the caller). */
enum xd_status pt_parse(const char *text, enum xd_partner_syntax syntax,
                        struct xd_partner_profile **out, struct xd_partner_problems *pr);
/* Parse a YAML text that must be valid; fails the test with its problems otherwise. */
struct xd_partner_profile *pt_valid(const char *yaml);

/* The problem with this code and path, or NULL. */
const struct xd_partner_problem *pt_find(const struct xd_partner_problems *pr, const char *code,
                                         const char *path);
/* Print every problem (for failing tests). */
void pt_dump(const struct xd_partner_problems *pr);

/* The profile as compact JSON (stored form), malloc'd. */
char *pt_json(const struct xd_partner_profile *p, enum xd_partner_emit mode);

#endif
