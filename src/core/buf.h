/* SPDX-License-Identifier: MIT
 * Growable byte buffer with a hard cap (curl's dynbuf). The content is always NUL-terminated
 * so it can be handed to functions that want a C string; it may also hold binary data.
 * Members are readable; change them only through these functions. */
#ifndef XD_CORE_BUF_H
#define XD_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

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

/* Appends that need the allocation to grow (or fail); the inline functions below call it. */
enum xd_status xd_buf__append_slow(struct xd_buf *b, const void *p, size_t n) XD_NODISCARD;

/* Inline, since encoders append a few bytes at a time: when the bytes and the NUL already fit
 * (alloc never exceeds max + 1, so the cap holds too), copy them; else grow. */
XD_NODISCARD static inline enum xd_status xd_buf_append(struct xd_buf *b, const void *p, size_t n)
{
    if (n < b->alloc - b->len) {
        if (n > 0) {
            memcpy(b->data + b->len, p, n);
        }
        b->len += n;
        b->data[b->len] = '\0';
        return XD_OK;
    }
    return xd_buf__append_slow(b, p, n);
}

XD_NODISCARD static inline enum xd_status xd_buf_append_char(struct xd_buf *b, char c)
{
    if (1 < b->alloc - b->len) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return XD_OK;
    }
    return xd_buf__append_slow(b, &c, 1);
}

enum xd_status xd_buf_append_str(struct xd_buf *b, const char *s) XD_NODISCARD;
/* Append each C string argument in turn, up to a NULL; all or nothing. Cheaper than printf for
 * assembling JSON on hot paths. */
enum xd_status xd_buf_append_strs(struct xd_buf *b, ...) __attribute__((sentinel)) XD_NODISCARD;
enum xd_status xd_buf_printf(struct xd_buf *b, const char *fmt, ...) XD_PRINTF(2, 3) XD_NODISCARD;
enum xd_status xd_buf_vprintf(struct xd_buf *b, const char *fmt, va_list ap)
    XD_PRINTF(2, 0) XD_NODISCARD;
/* Length of the well-formed UTF-8 sequence starting at s[0] (1 to 4; no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 when it is not one. <n> > 0 bytes are readable. */
size_t xd_utf8_seq_len(const unsigned char *s, size_t n);
/* Append <s> escaped as the inside of a JSON string (no surrounding quotes). Bytes that are not
 * valid UTF-8 are written as U+FFFD so the output is always valid JSON. */
enum xd_status xd_buf_append_json_str(struct xd_buf *b, const char *s, size_t n) XD_NODISCARD;
/* Make sure at least <n> more bytes fit without reallocation. */
enum xd_status xd_buf_reserve(struct xd_buf *b, size_t n) XD_NODISCARD;
/* Hand the content to the caller (free with xd_free); the buffer becomes empty. Never NULL
 * unless out of memory: an empty buffer yields "". */
char *xd_buf_steal(struct xd_buf *b, size_t *len_out);

#endif
