/* SPDX-License-Identifier: MIT
 * Three kinds of assertion (shared/style-anchors.md §9):
 *   XD_ASSERT(c)  - debug-only, cheap invariants; compiled out with NDEBUG.
 *   XD_BUG_ON(c)  - always compiled; logs file and line and aborts, for states where going on
 *                   would corrupt the journal.
 *   XD_NEVER(c)   - a defensive branch: asserts in debug builds, evaluates to c in release so
 *                   the caller can recover: `if (XD_NEVER(n > cap)) return XD_EINVAL;`
 * No side effects inside the condition. */
#ifndef XD_CORE_CHECK_H
#define XD_CORE_CHECK_H

#include <stdbool.h>

_Noreturn void xd__bug(const char *file, int line, const char *cond);

#define XD_BUG_ON(cond)                                                                            \
    do {                                                                                           \
        if (cond) {                                                                                \
            xd__bug(__FILE__, __LINE__, #cond);                                                    \
        }                                                                                          \
    } while (0)

#ifdef NDEBUG
#define XD_ASSERT(cond) ((void)0)
#define XD_NEVER(cond)  (cond)
#else
#define XD_ASSERT(cond) XD_BUG_ON(!(cond))
#define XD_NEVER(cond)  ((cond) ? (xd__bug(__FILE__, __LINE__, #cond), true) : false)
#endif

#endif
