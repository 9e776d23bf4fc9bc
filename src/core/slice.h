/* SPDX-License-Identifier: MIT
 * A borrowed view into bytes someone else owns: parsers hand these out instead of copies. */
#ifndef XD_CORE_SLICE_H
#define XD_CORE_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct xd_slice {
    const char *p;
    size_t len;
};

#define XD_SLICE_LIT(s) ((struct xd_slice){(s), sizeof(s) - 1})

static inline struct xd_slice xd_slice_from_cstr(const char *s)
{
    return (struct xd_slice){s, s ? strlen(s) : 0};
}

static inline bool xd_slice_eq(struct xd_slice a, struct xd_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool xd_slice_eq_cstr(struct xd_slice a, const char *s)
{
    return xd_slice_eq(a, xd_slice_from_cstr(s));
}

/* The slice without leading and trailing ASCII blanks (space, tab, CR, LF). */
struct xd_slice xd_slice_trim(struct xd_slice s);

#endif
