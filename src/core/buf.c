/* SPDX-License-Identifier: MIT
 * Capped growable buffer and slice helpers. */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/slice.h"

void xd_buf_init(struct xd_buf *b, size_t max_bytes)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max = max_bytes;
}

void xd_buf_cleanup(struct xd_buf *b)
{
    if (b == NULL) {
        return;
    }
    xd_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void xd_buf_reset(struct xd_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

enum xd_status xd_buf_reserve(struct xd_buf *b, size_t n)
{
    /* The last test keeps need (content plus NUL) from wrapping when max is SIZE_MAX. */
    if (n > b->max || b->len > b->max - n || b->len + n == SIZE_MAX) {
        return XD_ETOOBIG;
    }
    size_t need = b->len + n + 1;
    if (need <= b->alloc) {
        return XD_OK;
    }
    size_t ncap = b->alloc ? b->alloc : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) {
            ncap = need;
            break;
        }
        ncap *= 2;
    }
    /* Never allocate past the cap; written as ncap - 1 > max because max + 1 wraps to 0 for an
     * uncapped buffer (max SIZE_MAX). ncap is never 0 here. */
    if (ncap - 1 > b->max) {
        ncap = b->max + 1;
    }
    char *p = xd_realloc(b->data, ncap);
    if (p == NULL) {
        return XD_ENOMEM;
    }
    b->data = p;
    b->alloc = ncap;
    return XD_OK;
}

enum xd_status xd_buf__append_slow(struct xd_buf *b, const void *p, size_t n)
{
    enum xd_status st = xd_buf_reserve(b, n);
    if (st != XD_OK) {
        return st;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return XD_OK;
}

enum xd_status xd_buf_append_str(struct xd_buf *b, const char *s)
{
    return xd_buf_append(b, s, strlen(s));
}

enum xd_status xd_buf_append_strs(struct xd_buf *b, ...)
{
    size_t start = b->len;
    va_list ap;
    va_start(ap, b);
    const char *s;
    enum xd_status st = XD_OK;
    while (st == XD_OK && (s = va_arg(ap, const char *)) != NULL) {
        st = xd_buf_append(b, s, strlen(s));
    }
    va_end(ap);
    if (st != XD_OK && b->data != NULL) {
        b->len = start;
        b->data[start] = '\0';
    }
    return st;
}

enum xd_status xd_buf_vprintf(struct xd_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return XD_EINVAL;
    }
    enum xd_status st = xd_buf_reserve(b, (size_t)n);
    if (st != XD_OK) {
        return st;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return XD_OK;
}

enum xd_status xd_buf_printf(struct xd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum xd_status st = xd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return st;
}

size_t xd_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* Reject overlong forms, surrogates and values past U+10FFFF. */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        return 0;
    }
    return len;
}

enum xd_status xd_buf_append_json_str(struct xd_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' && u[run] != '\\') {
            run++;
        }
        if (run > i) {
            enum xd_status st = xd_buf_append(b, s + i, run - i);
            if (st != XD_OK) {
                return st;
            }
            i = run;
            continue;
        }
        unsigned char c = u[i];
        char esc[8];
        size_t elen = 0;
        size_t adv = 1;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            elen = 2;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : (c == '\r' ? 'r' : 't');
            elen = 2;
        } else if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        } else {
            adv = xd_utf8_seq_len(u + i, n - i);
            if (adv == 0) {
                memcpy(esc, "\xEF\xBF\xBD", 3); /* U+FFFD for an invalid byte */
                elen = 3;
                adv = 1;
            } else {
                enum xd_status st = xd_buf_append(b, s + i, adv);
                if (st != XD_OK) {
                    return st;
                }
                i += adv;
                continue;
            }
        }
        enum xd_status st = xd_buf_append(b, esc, elen);
        if (st != XD_OK) {
            return st;
        }
        i += adv;
    }
    return XD_OK;
}

char *xd_buf_steal(struct xd_buf *b, size_t *len_out)
{
    char *p = b->data;
    size_t len = b->len;
    if (p == NULL) {
        p = xd_strdup("");
        if (p == NULL) {
            return NULL;
        }
        len = 0;
    }
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    if (len_out != NULL) {
        *len_out = len;
    }
    return p;
}

struct xd_slice xd_slice_trim(struct xd_slice s)
{
    while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n')) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' ||
                         s.p[s.len - 1] == '\r' || s.p[s.len - 1] == '\n')) {
        s.len--;
    }
    return s;
}
