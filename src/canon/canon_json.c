/* SPDX-License-Identifier: MIT
 * The strict JSON pull parser (canon_json.h). A cursor over the input, a bit per open container
 * saying whether it is an object and whether it has an element yet, and a string pool in the
 * arena sized on first use for everything the rest of the input could decode to, so strings
 * cost one copy and no allocation each. Nothing recurses: skipping a value is a loop over the
 * same calls the decoder makes, with the container stack held in the two bit sets. */
#include "canon/canon_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "canon/canon_int.h"

/* Bytes a string can hold as they are: everything but controls, '"', '\\' and non-ASCII (which
 * is checked as UTF-8 on the slow path). */
static const unsigned char plain_byte[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
};

/* --- Failing ---------------------------------------------------------------------------------- */

static bool fail(struct xd_canon__json *j, enum xd_status st, const char *at, const char *fmt, ...)
    XD_PRINTF(4, 5);

static bool fail(struct xd_canon__json *j, enum xd_status st, const char *at, const char *fmt, ...)
{
    if (j->status != XD_OK) {
        return false;
    }
    j->status = st;
    j->err_at = (size_t)(at - j->text);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err, sizeof j->err, fmt, ap);
    va_end(ap);
    return false;
}

static bool fail_nomem(struct xd_canon__json *j)
{
    return fail(j, XD_ENOMEM, j->cur, "out of memory");
}

/* What is at <at>, for "expected X, not Y". */
static const char *found(const struct xd_canon__json *j, const char *at, char *buf, size_t cap)
{
    if (at >= j->end) {
        return "the end of the input";
    }
    unsigned char c = (unsigned char)*at;
    if (c >= 0x21 && c < 0x7f) {
        snprintf(buf, cap, "'%c'", c);
    } else {
        snprintf(buf, cap, "byte 0x%02X", c);
    }
    return buf;
}

static bool fail_expected(struct xd_canon__json *j, const char *what)
{
    char buf[16];
    if (j->cur == j->text && j->end - j->cur >= 3 && memcmp(j->cur, "\xEF\xBB\xBF", 3) == 0) {
        return fail(j, XD_EPARSE, j->cur,
                    "a byte order mark is not allowed: send UTF-8 without one");
    }
    return fail(j, XD_EPARSE, j->cur, "expected %s, not %s", what,
                found(j, j->cur, buf, sizeof buf));
}

bool xd_canon__json_expected(struct xd_canon__json *j, const char *what)
{
    return fail_expected(j, what);
}

/* --- Set-up ----------------------------------------------------------------------------------- */

void xd_canon__json_init(struct xd_canon__json *j, const char *text, size_t len, struct xd_arena *a)
{
    memset(j, 0, sizeof *j);
    j->text = text;
    j->cur = text;
    j->end = text + len;
    j->arena = a;
}

void xd_canon__json_rewind(struct xd_canon__json *j)
{
    j->cur = j->text;
    j->depth = 0;
    j->is_object = 0;
    j->has_elements = 0;
    j->status = XD_OK;
    j->err_at = 0;
    j->err[0] = '\0';
}

void xd_canon__json_cleanup(struct xd_canon__json *j)
{
    if (j == NULL) {
        return;
    }
    for (size_t d = 0; d <= XD_CANON_MAX_DEPTH; d++) {
        xd_free(j->keys[d].items);
        xd_free(j->keys[d].scratch);
        j->keys[d] = (struct xd_canon__jkeys){0};
    }
}

/* <n> bytes for a decoded string. The first request takes room for everything the rest of the
 * input could decode to (a string never decodes to more bytes than it takes in the input, its
 * NUL included, as its quotes are two), so a document needs one block. */
static char *pool_alloc(struct xd_canon__json *j, size_t n)
{
    if (j->pool_left < n) {
        size_t size = n + (size_t)(j->end - j->cur);
        char *p = xd_arena_alloc(j->arena, size);
        if (p == NULL) {
            fail_nomem(j);
            return NULL;
        }
        j->pool = p;
        j->pool_left = size;
    }
    char *p = j->pool;
    j->pool += n;
    j->pool_left -= n;
    return p;
}

/* --- Structure -------------------------------------------------------------------------------- */

static void skip_blanks(struct xd_canon__json *j)
{
    const char *p = j->cur;
    while (p < j->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
        p++;
    }
    j->cur = p;
}

enum xd_canon__jtype xd_canon__json_peek(struct xd_canon__json *j)
{
    if (j->status != XD_OK) {
        return XD_CANON__J_NONE;
    }
    skip_blanks(j);
    if (j->cur == j->end) {
        fail_expected(j, "a value");
        return XD_CANON__J_NONE;
    }
    switch (*j->cur) {
    case '{':
        return XD_CANON__J_OBJECT;
    case '[':
        return XD_CANON__J_ARRAY;
    case '"':
        return XD_CANON__J_STRING;
    case 't':
        return XD_CANON__J_TRUE;
    case 'f':
        return XD_CANON__J_FALSE;
    case 'n':
        return XD_CANON__J_NULL;
    default:
        if (*j->cur == '-' || (*j->cur >= '0' && *j->cur <= '9')) {
            return XD_CANON__J_NUMBER;
        }
        fail_expected(j, "a value");
        return XD_CANON__J_NONE;
    }
}

bool xd_canon__json_begin(struct xd_canon__json *j)
{
    if (j->status != XD_OK) {
        return false;
    }
    if (j->depth == XD_CANON_MAX_DEPTH) {
        return fail(j, XD_ETOOBIG, j->cur, "nested deeper than %d objects and arrays",
                    XD_CANON_MAX_DEPTH);
    }
    bool object = *j->cur == '{';
    j->cur++;
    j->depth++;
    uint32_t bit = UINT32_C(1) << j->depth;
    j->is_object = object ? j->is_object | bit : j->is_object & ~bit;
    j->has_elements &= ~bit;
    j->keys[j->depth].n = 0;
    return true;
}

/* Consume the closing bracket of the innermost container. */
static bool close_container(struct xd_canon__json *j)
{
    j->cur++;
    j->depth--;
    return false;
}

bool xd_canon__json_member(struct xd_canon__json *j, struct xd_canon__jstr *key)
{
    if (j->status != XD_OK) {
        return false;
    }
    XD_ASSERT(j->depth > 0 && (j->is_object >> j->depth & 1u));
    uint32_t bit = UINT32_C(1) << j->depth;
    skip_blanks(j);
    if (j->cur < j->end && *j->cur == '}') {
        return close_container(j);
    }
    if (j->has_elements & bit) {
        if (j->cur == j->end || *j->cur != ',') {
            return fail_expected(j, "',' or '}' after a member");
        }
        j->cur++;
        skip_blanks(j);
        if (j->cur == j->end || *j->cur != '"') {
            return fail_expected(j, "a member name (a string) after ','");
        }
    } else if (j->cur == j->end || *j->cur != '"') {
        return fail_expected(j, "a member name (a string) or '}'");
    }
    j->has_elements |= bit;
    if (!xd_canon__json_string(j, key, true)) {
        return false;
    }
    skip_blanks(j);
    if (j->cur == j->end || *j->cur != ':') {
        return fail_expected(j, "':' after the member name");
    }
    j->cur++;
    return true;
}

bool xd_canon__json_item(struct xd_canon__json *j)
{
    if (j->status != XD_OK) {
        return false;
    }
    XD_ASSERT(j->depth > 0 && !(j->is_object >> j->depth & 1u));
    uint32_t bit = UINT32_C(1) << j->depth;
    skip_blanks(j);
    if (j->cur < j->end && *j->cur == ']') {
        return close_container(j);
    }
    if (j->has_elements & bit) {
        if (j->cur == j->end || *j->cur != ',') {
            return fail_expected(j, "',' or ']' after an item");
        }
        j->cur++;
    }
    j->has_elements |= bit;
    return true;
}

bool xd_canon__json_finish(struct xd_canon__json *j)
{
    if (j->status != XD_OK) {
        return false;
    }
    skip_blanks(j);
    if (j->cur != j->end) {
        return fail_expected(j, "the end of the input after the document");
    }
    return true;
}

/* --- Strings ---------------------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at <s> (Unicode 15, table 3-7: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *s, const unsigned char *end)
{
    unsigned c = s[0];
    size_t avail = (size_t)(end - s);
    if (c < 0xC2 || c > 0xF4) {
        return 0;
    }
    if (c < 0xE0) {
        return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    }
    unsigned lo = 0x80, hi = 0xBF;
    if (c == 0xE0) {
        lo = 0xA0;
    } else if (c == 0xED) {
        hi = 0x9F;
    } else if (c == 0xF0) {
        lo = 0x90;
    } else if (c == 0xF4) {
        hi = 0x8F;
    }
    size_t n = c < 0xF0 ? 3 : 4;
    if (avail < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t k = 2; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return n;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The four hex digits at <p> (caller checked they exist), or -1. */
static long hex4(const unsigned char *p)
{
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hex_value(p[k]);
        if (h < 0) {
            return -1;
        }
        v = v * 16 + h;
    }
    return v;
}

/* The code point of the escape at <s> ('\\'); *next receives where the escape ends. -1 (and the
 * parser fails) for a malformed one. */
static long escape_at(struct xd_canon__json *j, const unsigned char *s, const unsigned char **next)
{
    const unsigned char *end = (const unsigned char *)j->end;
    const char *at = (const char *)s;
    if (end - s < 2) {
        fail(j, XD_EPARSE, at, "the string ends inside an escape");
        return -1;
    }
    static const char simple_in[] = "\"\\/bfnrt";
    static const char simple_out[] = "\"\\/\b\f\n\r\t";
    const char *k = s[1] != '\0' ? strchr(simple_in, s[1]) : NULL;
    if (k != NULL) {
        *next = s + 2;
        return (unsigned char)simple_out[k - simple_in];
    }
    if (s[1] != 'u') {
        char buf[16];
        fail(j, XD_EPARSE, at, "invalid escape: '\\' followed by %s",
             found(j, at + 1, buf, sizeof buf));
        return -1;
    }
    long cp = end - s >= 6 ? hex4(s + 2) : -1;
    if (cp < 0) {
        fail(j, XD_EPARSE, at, "\\u must be followed by four hex digits");
        return -1;
    }
    if (cp == 0) {
        fail(j, XD_EPARSE, at, "\\u0000 is not allowed: member values are text without NUL");
        return -1;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail(j, XD_EPARSE, at, "\\u%04lX is the second half of a surrogate pair without a first",
             cp);
        return -1;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        long low = end - s >= 12 && s[6] == '\\' && s[7] == 'u' ? hex4(s + 8) : -1;
        if (low < 0xDC00 || low > 0xDFFF) {
            fail(j, XD_EPARSE, at,
                 "\\u%04lX is the first half of a surrogate pair without its second", cp);
            return -1;
        }
        *next = s + 12;
        return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    *next = s + 6;
    return cp;
}

static size_t put_utf8(char *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode the checked raw text [s, e) of a string into the pool. */
static bool decode_escapes(struct xd_canon__json *j, const unsigned char *s, const unsigned char *e,
                           struct xd_canon__jstr *out)
{
    char *d = pool_alloc(j, (size_t)(e - s) + 1);
    if (d == NULL) {
        return false;
    }
    size_t n = 0, cont = 0;
    while (s < e) {
        if (*s != '\\') {
            cont += (*s & 0xC0) == 0x80;
            d[n++] = (char)*s++;
            continue;
        }
        const unsigned char *next = s;
        long cp = escape_at(j, s, &next);
        XD_ASSERT(cp > 0); /* checked by the scan */
        size_t w = put_utf8(d + n, cp);
        cont += w - 1;
        n += w;
        s = next;
    }
    d[n] = '\0';
    out->p = d;
    out->len = n;
    out->chars = n - cont;
    return true;
}

bool xd_canon__json_string(struct xd_canon__json *j, struct xd_canon__jstr *out, bool decode)
{
    if (j->status != XD_OK) {
        return false;
    }
    XD_ASSERT(j->cur < j->end && *j->cur == '"');
    const unsigned char *start = (const unsigned char *)j->cur + 1;
    const unsigned char *end = (const unsigned char *)j->end;
    const unsigned char *s = start;
    size_t cont = 0;
    bool escaped = false;
    for (;;) {
        while (s < end && plain_byte[*s]) {
            s++;
        }
        if (s == end) {
            return fail(j, XD_EPARSE, j->cur, "this string is not closed before the input ends");
        }
        if (*s == '"') {
            break;
        }
        if (*s == '\\') {
            const unsigned char *next = s;
            if (escape_at(j, s, &next) < 0) {
                return false;
            }
            escaped = true;
            s = next;
        } else if (*s < 0x20) {
            return fail(j, XD_EPARSE, (const char *)s,
                        "control character U+%04X in a string: write it as an escape", *s);
        } else {
            size_t n = utf8_sequence(s, end);
            if (n == 0) {
                return fail(j, XD_EPARSE, (const char *)s,
                            "invalid UTF-8: 0x%02X starts no well-formed character", *s);
            }
            cont += n - 1;
            s += n;
        }
    }
    out->at = (size_t)(j->cur - j->text);
    out->escaped = escaped;
    out->p = (const char *)start;
    out->len = (size_t)(s - start);
    out->chars = out->len - cont;
    if (escaped && decode && !decode_escapes(j, start, s, out)) {
        return false;
    }
    j->cur = (const char *)s + 1;
    return true;
}

const char *xd_canon__json_cstr(struct xd_canon__json *j, const struct xd_canon__jstr *s)
{
    if (s->escaped) {
        return s->p; /* decoded into the pool, NUL-terminated */
    }
    char *p = pool_alloc(j, s->len + 1);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, s->p, s->len);
    p[s->len] = '\0';
    return p;
}

/* --- Numbers and literals --------------------------------------------------------------------- */

static const char *digits(const char *p, const char *end)
{
    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }
    return p;
}

static bool is_digit_at(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

bool xd_canon__json_number(struct xd_canon__json *j, const char **text, size_t *len, bool *integer)
{
    if (j->status != XD_OK) {
        return false;
    }
    const char *p = j->cur, *end = j->end;
    bool whole = true;
    if (*p == '-') {
        p++;
    }
    if (!is_digit_at(p, end)) {
        return fail(j, XD_EPARSE, p, "a number needs a digit after '-'");
    }
    if (*p == '0') {
        p++;
        if (is_digit_at(p, end)) {
            return fail(j, XD_EPARSE, p, "a number must not have leading zeros");
        }
    } else {
        p = digits(p, end);
    }
    if (p < end && *p == '.') {
        whole = false;
        if (!is_digit_at(++p, end)) {
            return fail(j, XD_EPARSE, p, "a number needs a digit after '.'");
        }
        p = digits(p, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        whole = false;
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        if (!is_digit_at(p, end)) {
            return fail(j, XD_EPARSE, p, "a number needs a digit in its exponent");
        }
        p = digits(p, end);
    }
    if (text != NULL) {
        *text = j->cur;
        *len = (size_t)(p - j->cur);
        *integer = whole;
    }
    j->cur = p;
    return true;
}

bool xd_canon__json_literal(struct xd_canon__json *j)
{
    if (j->status != XD_OK) {
        return false;
    }
    const char *word = *j->cur == 't' ? "true" : *j->cur == 'f' ? "false" : "null";
    size_t n = strlen(word);
    if ((size_t)(j->end - j->cur) < n || memcmp(j->cur, word, n) != 0) {
        return fail(j, XD_EPARSE, j->cur, "expected a value such as %s", word);
    }
    j->cur += n;
    return true;
}

/* --- Skipping --------------------------------------------------------------------------------- */

bool xd_canon__json_skip(struct xd_canon__json *j)
{
    unsigned base = j->depth;
    for (;;) {
        struct xd_canon__jstr s = {0};
        bool ok;
        switch (xd_canon__json_peek(j)) {
        case XD_CANON__J_NONE:
            return false;
        case XD_CANON__J_OBJECT:
        case XD_CANON__J_ARRAY:
            ok = xd_canon__json_begin(j);
            break;
        case XD_CANON__J_STRING:
            ok = xd_canon__json_string(j, &s, false);
            break;
        case XD_CANON__J_NUMBER:
            ok = xd_canon__json_number(j, NULL, NULL, NULL);
            break;
        default:
            ok = xd_canon__json_literal(j);
            break;
        }
        if (!ok) {
            return false;
        }
        /* Close what is finished until the next value to read, or the end of this one. */
        for (;;) {
            if (j->depth == base) {
                return true;
            }
            if (j->is_object >> j->depth & 1u) {
                if (xd_canon__json_member(j, &s)) {
                    if (!xd_canon__json_key_unique(j, &s)) {
                        return false;
                    }
                    break;
                }
            } else if (xd_canon__json_item(j)) {
                break;
            }
            if (j->status != XD_OK) {
                return false;
            }
        }
    }
}

/* --- Duplicate member names ------------------------------------------------------------------- */

static int key_cmp(const struct xd_canon__jstr *a, const struct xd_canon__jstr *b)
{
    if (a->len != b->len) {
        return a->len < b->len ? -1 : 1;
    }
    return a->len == 0 ? 0 : memcmp(a->p, b->p, a->len);
}

static bool run_has(const struct xd_canon__jstr *run, size_t n, const struct xd_canon__jstr *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(&run[mid], key);
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* Merge the sorted runs [a, a+n) and [a+n, a+2n). */
static void merge_runs(struct xd_canon__jstr *a, size_t n, struct xd_canon__jstr *scratch)
{
    memcpy(scratch, a, n * sizeof *a);
    size_t i = 0, k = n, o = 0;
    while (i < n && k < 2 * n) {
        a[o++] = key_cmp(&scratch[i], &a[k]) <= 0 ? scratch[i++] : a[k++];
    }
    while (i < n) {
        a[o++] = scratch[i++];
    }
}

bool xd_canon__json_key_unique(struct xd_canon__json *j, const struct xd_canon__jstr *key)
{
    if (j->status != XD_OK) {
        return false;
    }
    struct xd_canon__jkeys *t = &j->keys[j->depth];
    size_t start = 0;
    for (size_t size = (size_t)1 << (sizeof(size_t) * 8 - 1); size > 0; size >>= 1) {
        if (t->n & size) {
            if (run_has(t->items + start, size, key)) {
                xd_canon__json_fail_duplicate(j, key);
                return false;
            }
            start += size;
        }
    }
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        struct xd_canon__jstr *items = xd_reallocarray(t->items, ncap, sizeof *items);
        if (items == NULL) {
            return fail_nomem(j);
        }
        t->items = items;
        struct xd_canon__jstr *scratch = xd_reallocarray(t->scratch, ncap, sizeof *scratch);
        if (scratch == NULL) {
            return fail_nomem(j);
        }
        t->scratch = scratch;
        t->cap = ncap;
    }
    t->items[t->n++] = *key;
    /* The new run of one joins equal runs before it, as a binary counter carries. */
    for (size_t s = 1; (t->n & s) == 0; s <<= 1) {
        merge_runs(t->items + t->n - 2 * s, s, t->scratch);
    }
    return true;
}

void xd_canon__json_fail_duplicate(struct xd_canon__json *j, const struct xd_canon__jstr *key)
{
    char name[48];
    xd_canon__clip(key->p, key->len, name, sizeof name);
    fail(j, XD_EPARSE, j->text + key->at, "duplicate member '%s'", name);
}

/* --- Position --------------------------------------------------------------------------------- */

void xd_canon__json_where(const struct xd_canon__json *j, char *out, size_t cap)
{
    size_t line = 1, column = 1;
    size_t at = j->err_at;
    for (size_t i = 0; i < at; i++) {
        unsigned char c = (unsigned char)j->text[i];
        if (c == '\n') {
            line++;
            column = 1;
        } else if ((c & 0xC0) != 0x80) {
            column++;
        }
    }
    snprintf(out, cap, "line %zu, column %zu", line, column);
}
