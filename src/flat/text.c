/* SPDX-License-Identifier: MIT
 * Character encodings of flat files: strict UTF-8 checking and counting, and the single-byte
 * encodings partners' spreadsheets still write (ISO-8859-1, Windows-1252), converted to and
 * from UTF-8 at the edge so everything inside is UTF-8. */
#include <string.h>

#include "flat/flat_int.h"

/* Windows-1252 0x80..0x9F; 0 marks the five bytes the code page leaves undefined. Everything
 * else in Windows-1252 and all of ISO-8859-1 is the code point of the same number. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static const char *const charset_names[] = {
    [XD_FLAT__UTF8] = "utf-8",
    [XD_FLAT__LATIN1] = "latin-1",
    [XD_FLAT__CP1252] = "windows-1252",
};

const char *xd_flat__charset_name(enum xd_flat__charset cs)
{
    return charset_names[cs];
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 when invalid; *cp receives the code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return c == 0 ? 0 : 1;
    }
    size_t len;
    unsigned long v;
    unsigned long min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07u, min = 0x10000;
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
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        return 0;
    }
    *cp = v;
    return len;
}

size_t xd_flat__utf8_check(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] >= 0x01 && u[i] < 0x80) {
            i++;
            continue;
        }
        unsigned long cp;
        size_t k = utf8_seq(u + i, n - i, &cp);
        if (k == 0) {
            return i;
        }
        i += k;
    }
    return n;
}

size_t xd_flat__utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            count++;
        }
    }
    return count;
}

size_t xd_flat__utf8_offset(const char *s, size_t n, size_t k)
{
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (seen == k) {
                return i;
            }
            seen++;
        }
    }
    return n;
}

static enum xd_status put_utf8(struct xd_buf *out, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    return xd_buf_append(out, b, n);
}

enum xd_status xd_flat__to_utf8(enum xd_flat__charset cs, const char *s, size_t n,
                                struct xd_buf *out, size_t *bad)
{
    if (cs == XD_FLAT__UTF8) {
        size_t at = xd_flat__utf8_check(s, n);
        if (at != n) {
            *bad = at;
            return XD_EPARSE;
        }
        return xd_buf_append(out, s, n);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned long cp = c;
        if (c == 0) {
            *bad = i;
            return XD_EPARSE;
        }
        if (cs == XD_FLAT__CP1252 && c >= 0x80 && c <= 0x9F) {
            cp = cp1252_high[c - 0x80];
            if (cp == 0) {
                *bad = i;
                return XD_EPARSE;
            }
        }
        enum xd_status st = put_utf8(out, cp);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

/* The single byte for <cp> in <cs>, or -1 when it has none. */
static int single_byte(enum xd_flat__charset cs, unsigned long cp)
{
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) {
        return (int)cp;
    }
    if (cs == XD_FLAT__LATIN1) {
        return cp <= 0xFF ? (int)cp : -1;
    }
    for (int i = 0; i < 32; i++) {
        if (cp1252_high[i] != 0 && cp1252_high[i] == cp) {
            return 0x80 + i;
        }
    }
    return -1;
}

enum xd_status xd_flat__from_utf8(enum xd_flat__charset cs, const char *s, size_t n,
                                  struct xd_buf *out, size_t *bad)
{
    if (cs == XD_FLAT__UTF8) {
        return xd_buf_append(out, s, n);
    }
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned long cp;
        size_t k = utf8_seq(u + i, n - i, &cp);
        int b = k == 0 ? -1 : single_byte(cs, cp);
        if (b < 0) {
            *bad = i;
            return XD_EPARSE;
        }
        enum xd_status st = xd_buf_append_char(out, (char)b);
        if (st != XD_OK) {
            return st;
        }
        i += k;
    }
    return XD_OK;
}

void xd_flat__excerpt(const char *s, size_t n, char *dst, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    size_t o = 0;
    if (cap < 8) {
        if (cap > 0) {
            dst[0] = '\0';
        }
        return;
    }
    size_t limit = cap < XD_FLAT_EXCERPT_MAX + 4 ? cap - 4 : XD_FLAT_EXCERPT_MAX;
    while (i < n && o < limit) {
        unsigned long cp;
        size_t k = u[i] < 0x80 ? 1 : utf8_seq(u + i, n - i, &cp);
        if (k == 0 || u[i] < 0x20 || u[i] == 0x7F) {
            dst[o++] = '?';
            i++;
            continue;
        }
        if (o + k > limit) {
            break;
        }
        memcpy(dst + o, s + i, k);
        o += k;
        i += k;
    }
    if (i < n) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}
