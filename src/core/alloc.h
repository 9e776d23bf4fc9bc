/* SPDX-License-Identifier: MIT
 * The one allocator of Crossdock. Every allocation goes through these functions so a test build
 * can fail the Nth one and prove that library parts return XD_ENOMEM and leak nothing (curl's
 * torture tests, SQLite's test_malloc.c). xd_free(NULL) is a no-op. */
#ifndef XD_CORE_ALLOC_H
#define XD_CORE_ALLOC_H

#include <stddef.h>

void *xd_malloc(size_t n);
void *xd_calloc(size_t count, size_t size);
void *xd_realloc(void *p, size_t n);
/* realloc for <count> elements of <size>; NULL on overflow or failure (<p> is kept). */
void *xd_reallocarray(void *p, size_t count, size_t size);
void xd_free(void *p);
char *xd_strdup(const char *s);
/* Copy of the first <n> bytes of <s>, NUL-terminated; <s> need not be NUL-terminated. */
char *xd_strndup(const char *s, size_t n);
void *xd_memdup(const void *p, size_t n);

/* Fault injection for tests: after <n> more successful allocations every allocation fails
 * (n = 0 fails the next one); a negative <n> turns injection off. Thread-safe. */
void xd_alloc_fail_after(long n);
/* Allocations that failed because of injection since the last xd_alloc_fail_after call. */
long xd_alloc_injected_failures(void);

#endif
