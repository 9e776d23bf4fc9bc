/* SPDX-License-Identifier: MIT
 * Region allocator: one arena per unit of work (an HTTP request, an inbound document, a job).
 * Everything allocated from it dies in one xd_arena_destroy; cleanup hooks release what the
 * work borrowed (statements, jansson references), in reverse order of registration.
 * An arena is owned by one thread at a time. */
#ifndef XD_CORE_ARENA_H
#define XD_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "core/status.h"

struct xd_arena;

/* <chunk_bytes>: size of each block (0 = 4 KiB). <cap_bytes>: total the arena may hold, so a
 * hostile document cannot exhaust memory (0 = unlimited). NULL on allocation failure. */
struct xd_arena *xd_arena_create(size_t chunk_bytes, size_t cap_bytes);
/* Run cleanup hooks (last registered first), then free every block. NULL-safe. */
void xd_arena_destroy(struct xd_arena *a);
/* Same as destroy then create with the same settings, but keeps the first block. */
void xd_arena_reset(struct xd_arena *a);

/* Memory aligned for any type, or NULL when out of memory or over the cap. Not zeroed. */
void *xd_arena_alloc(struct xd_arena *a, size_t n);
void *xd_arena_calloc(struct xd_arena *a, size_t count, size_t size);
char *xd_arena_strndup(struct xd_arena *a, const char *s, size_t n);
char *xd_arena_strdup(struct xd_arena *a, const char *s);
void *xd_arena_memdup(struct xd_arena *a, const void *p, size_t n);
char *xd_arena_printf(struct xd_arena *a, const char *fmt, ...) XD_PRINTF(2, 3);
char *xd_arena_vprintf(struct xd_arena *a, const char *fmt, va_list ap) XD_PRINTF(2, 0);

/* Register fn(arg) to run at destroy/reset. XD_ENOMEM when it cannot be registered (the caller
 * then still owns what <arg> refers to). */
enum xd_status xd_arena_on_cleanup(struct xd_arena *a, void (*fn)(void *), void *arg);

/* Bytes handed out so far. */
size_t xd_arena_used(const struct xd_arena *a);

#endif
