/* SPDX-License-Identifier: MIT
 * Allocation wrappers with countdown fault injection. The countdown is one atomic so any thread
 * may allocate; injection is off (-1) unless a test turns it on. */
#include "core/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_long fail_countdown = -1;
static atomic_long injected_failures = 0;

void xd_alloc_fail_after(long n)
{
    atomic_store(&injected_failures, 0);
    atomic_store(&fail_countdown, n < 0 ? -1 : n);
}

long xd_alloc_injected_failures(void)
{
    return atomic_load(&injected_failures);
}

/* True when this allocation must fail. The fast path is one relaxed load. */
static int should_fail(void)
{
    long c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (c < 0) {
        return 0;
    }
    for (;;) {
        if (c == 0) {
            atomic_fetch_add(&injected_failures, 1);
            return 1;
        }
        if (atomic_compare_exchange_weak(&fail_countdown, &c, c - 1)) {
            return 0;
        }
        if (c < 0) {
            return 0;
        }
    }
}

void *xd_malloc(size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    return malloc(n ? n : 1);
}

void *xd_calloc(size_t count, size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return calloc(count ? count : 1, size ? size : 1);
}

void *xd_realloc(void *p, size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    return realloc(p, n ? n : 1);
}

void *xd_reallocarray(void *p, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        return NULL;
    }
    return xd_realloc(p, bytes);
}

void xd_free(void *p)
{
    free(p);
}

void *xd_memdup(const void *p, size_t n)
{
    void *q = xd_malloc(n);
    if (q != NULL && n > 0) {
        memcpy(q, p, n);
    }
    return q;
}

char *xd_strndup(const char *s, size_t n)
{
    if (n == SIZE_MAX) {
        return NULL;
    }
    char *q = xd_malloc(n + 1);
    if (q == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(q, s, n);
    }
    q[n] = '\0';
    return q;
}

char *xd_strdup(const char *s)
{
    return xd_strndup(s, strlen(s));
}
