/* SPDX-License-Identifier: MIT
 * Growable byte buffer with a hard cap (curl's dynbuf). The content is always NUL-terminated
 * so it can be handed to functions that want a C string; it may also hold binary data.
 * Members are readable; change them only through these functions. */
#ifndef XD_CORE_BUF_H
#define XD_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/status.h"

struct xd_buf {
    char *data;   /* NULL until the first append */
    size_t len;   /* bytes of content, without the terminating NUL */
    size_t alloc; /* bytes allocated */
    size_t max;   /* content may not exceed this many bytes */
};

/* <max_bytes>: the cap; appends that would exceed it fail with XD_ETOOBIG and change nothing. */
void xd_buf_init(struct xd_buf *b, size_t max_bytes);
void xd_buf_cleanup(struct xd_buf *b);
/* Empty the content, keep the allocation. */
void xd_buf_reset(struct xd_buf *b);

enum xd_status xd_buf_append(struct xd_buf *b, const void *p, size_t n) XD_NODISCARD;
enum xd_status xd_buf_append_str(struct xd_buf *b, const char *s) XD_NODISCARD;
enum xd_status xd_buf_append_char(struct xd_buf *b, char c) XD_NODISCARD;
/* Append each C string argument in turn, up to a NULL; all or nothing. Cheaper than printf for
 * assembling JSON on hot paths. */
enum xd_status xd_buf_append_strs(struct xd_buf *b, ...) __attribute__((sentinel)) XD_NODISCARD;
enum xd_status xd_buf_printf(struct xd_buf *b, const char *fmt, ...) XD_PRINTF(2, 3) XD_NODISCARD;
enum xd_status xd_buf_vprintf(struct xd_buf *b, const char *fmt, va_list ap)
    XD_PRINTF(2, 0) XD_NODISCARD;
/* Append <s> escaped as the inside of a JSON string (no surrounding quotes). Bytes that are not
 * valid UTF-8 are written as U+FFFD so the output is always valid JSON. */
enum xd_status xd_buf_append_json_str(struct xd_buf *b, const char *s, size_t n) XD_NODISCARD;
/* Make sure at least <n> more bytes fit without reallocation. */
enum xd_status xd_buf_reserve(struct xd_buf *b, size_t n) XD_NODISCARD;
/* Hand the content to the caller (free with xd_free); the buffer becomes empty. Never NULL
 * unless out of memory: an empty buffer yields "". */
char *xd_buf_steal(struct xd_buf *b, size_t *len_out);

#endif
