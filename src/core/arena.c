/* SPDX-License-Identifier: MIT
 * Arena: a list of blocks, bump allocation inside the newest one; requests larger than a block
 * get a block of their own. Cleanup hooks are themselves allocated from the arena. */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define ARENA_ALIGN         16
#define ARENA_DEFAULT_CHUNK 4096

struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct xd_arena {
    struct arena_block *head;
    struct arena_cleanup *cleanups;
    size_t chunk_bytes;
    size_t cap_bytes;
    size_t reserved; /* bytes of blocks allocated, counted against the cap */
    size_t used;
};

static struct arena_block *block_new(size_t size)
{
    struct arena_block *b = xd_malloc(sizeof *b + size);
    if (b == NULL) {
        return NULL;
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct xd_arena *xd_arena_create(size_t chunk_bytes, size_t cap_bytes)
{
    struct xd_arena *a = xd_calloc(1, sizeof *a);
    if (a == NULL) {
        return NULL;
    }
    a->chunk_bytes = chunk_bytes ? chunk_bytes : ARENA_DEFAULT_CHUNK;
    a->cap_bytes = cap_bytes;
    return a;
}

static void run_cleanups(struct xd_arena *a)
{
    struct arena_cleanup *c = a->cleanups;
    a->cleanups = NULL;
    for (; c != NULL; c = c->next) {
        c->fn(c->arg);
    }
}

static void free_blocks(struct arena_block *b)
{
    while (b != NULL) {
        struct arena_block *next = b->next;
        xd_free(b);
        b = next;
    }
}

void xd_arena_destroy(struct xd_arena *a)
{
    if (a == NULL) {
        return;
    }
    run_cleanups(a);
    free_blocks(a->head);
    xd_free(a);
}

void xd_arena_reset(struct xd_arena *a)
{
    run_cleanups(a);
    struct arena_block *last = a->head;
    if (last == NULL) {
        return;
    }
    /* Keep the oldest block (the tail): it has the standard size. */
    struct arena_block *prev = NULL;
    while (last->next != NULL) {
        prev = last;
        last = last->next;
    }
    if (prev != NULL) {
        prev->next = NULL;
        free_blocks(a->head);
    }
    last->used = 0;
    a->head = last;
    a->reserved = last->size;
    a->used = 0;
}

void *xd_arena_alloc(struct xd_arena *a, size_t n)
{
    size_t need = (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n) {
        return NULL;
    }
    struct arena_block *b = a->head;
    if (b == NULL || b->size - b->used < need) {
        size_t size = need > a->chunk_bytes ? need : a->chunk_bytes;
        if (a->cap_bytes != 0 && (size > a->cap_bytes || a->reserved > a->cap_bytes - size)) {
            return NULL;
        }
        struct arena_block *nb = block_new(size);
        if (nb == NULL) {
            return NULL;
        }
        a->reserved += size;
        if (b != NULL && need > a->chunk_bytes) {
            /* A large one-off block goes behind the current one so the current one's free
             * space stays usable. */
            nb->next = b->next;
            b->next = nb;
            nb->used = need;
            a->used += need;
            return nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->used += need;
    return p;
}

void *xd_arena_calloc(struct xd_arena *a, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        return NULL;
    }
    void *p = xd_arena_alloc(a, bytes);
    if (p != NULL) {
        memset(p, 0, bytes);
    }
    return p;
}

char *xd_arena_strndup(struct xd_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) {
        return NULL;
    }
    char *p = xd_arena_alloc(a, n + 1);
    if (p == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    return p;
}

char *xd_arena_strdup(struct xd_arena *a, const char *s)
{
    return xd_arena_strndup(a, s, strlen(s));
}

void *xd_arena_memdup(struct xd_arena *a, const void *p, size_t n)
{
    void *q = xd_arena_alloc(a, n);
    if (q != NULL && n > 0) {
        memcpy(q, p, n);
    }
    return q;
}

char *xd_arena_vprintf(struct xd_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return NULL;
    }
    char *p = xd_arena_alloc(a, (size_t)n + 1);
    if (p == NULL) {
        return NULL;
    }
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *xd_arena_printf(struct xd_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xd_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

enum xd_status xd_arena_on_cleanup(struct xd_arena *a, void (*fn)(void *), void *arg)
{
    struct arena_cleanup *c = xd_arena_alloc(a, sizeof *c);
    if (c == NULL) {
        return XD_ENOMEM;
    }
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return XD_OK;
}

size_t xd_arena_used(const struct xd_arena *a)
{
    return a->used;
}
