/* SPDX-License-Identifier: MIT
 * What decode and validate share: the JSON path of the member being looked at, recording a
 * problem there, and the checks of one member's value against its definition (lengths, string
 * classes, GS1 check digits, code lists, calendar dates, decimal scale and sign, bounds). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "canon/canon_int.h"

void xd_canon__ctx_init(struct xd_canon__ctx *c, struct xd_diags *diags, struct xd_arena *arena)
{
    /* Member by member: segs[] (over a kilobyte) is written before it is read, and zeroing it
     * cost as much as checking a small document. */
    c->diags = diags;
    c->log = NULL;
    c->arena = arena;
    c->problems = 0;
    c->oom = false;
    c->depth = 0;
}

/* The path is kept as segments and written out only when a problem is reported: most members
 * have none, and formatting every path was a tenth of the decoder's time. */

static bool plain_word(const char *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_')) {
            return false;
        }
    }
    return true;
}

/* One segment as ".name", ["odd name"] or "[i]" into <seg>; returns its length. */
static size_t segment_text(const struct xd_canon__seg *sg, char *seg, size_t cap)
{
    size_t n = 0;
    if (sg->name == NULL) {
        int w = snprintf(seg, cap, "[%zu]", sg->index);
        return w > 0 ? (size_t)w : 0;
    }
    if (plain_word(sg->name, sg->len) && sg->len < cap - 1) {
        seg[n++] = '.';
        memcpy(seg + n, sg->name, sg->len);
        return n + sg->len;
    }
    /* An odd member name (from hostile input) is quoted, clipped and made printable. */
    char clipped[72];
    xd_canon__clip(sg->name, sg->len, clipped, sizeof clipped);
    seg[n++] = '[';
    seg[n++] = '"';
    for (const char *p = clipped; *p != '\0' && n < cap - 4; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\') {
            seg[n++] = '\\';
        }
        seg[n++] = (char)(ch < 0x20 || ch == 0x7f ? '?' : ch);
    }
    seg[n++] = '"';
    seg[n++] = ']';
    return n;
}

/* "$" and every segment; a path that would not fit (or has more segments than are kept) ends
 * in "..." so it is never silently wrong. */
static void path_text(const struct xd_canon__ctx *c, char *out, size_t cap)
{
    size_t len = 1;
    out[0] = '$';
    size_t kept = c->depth < XD_CANON__PATH_SEGS ? c->depth : XD_CANON__PATH_SEGS;
    bool cut = kept < c->depth;
    for (size_t i = 0; i < kept && !cut; i++) {
        char seg[96];
        size_t n = segment_text(&c->segs[i], seg, sizeof seg);
        if (len + n + 4 > cap) {
            cut = true;
        } else {
            memcpy(out + len, seg, n);
            len += n;
        }
    }
    if (cut) {
        memcpy(out + len, "...", 3);
        len += 3;
    }
    out[len] = '\0';
}

/* --- The problem log -------------------------------------------------------------------------- */

struct xd_canon__problem {
    uint32_t ord[XD_CANON__PATH_SEGS];
    size_t depth;
    uint64_t seq;
    const char *code; /* a literal */
    char path[XD_CANON__PATH_MAX];
    char message[XD_ERROR_MESSAGE_MAX];
};

void xd_canon__plog_init(struct xd_canon__plog *l, size_t limit)
{
    memset(l, 0, sizeof *l);
    l->limit = limit;
}

void xd_canon__plog_reset(struct xd_canon__plog *l)
{
    l->n = 0;
    l->dropped = 0;
    l->seq = 0;
}

void xd_canon__plog_cleanup(struct xd_canon__plog *l)
{
    if (l == NULL) {
        return;
    }
    xd_free(l->slots);
    xd_free(l->heap);
    l->slots = NULL;
    l->heap = NULL;
    l->n = l->cap = 0;
}

/* Order of two problems: by ordinals, a path before the paths inside it, then as they came. */
static int problem_cmp(const struct xd_canon__problem *a, const struct xd_canon__problem *b)
{
    size_t n = a->depth < b->depth ? a->depth : b->depth;
    for (size_t i = 0; i < n; i++) {
        if (a->ord[i] != b->ord[i]) {
            return a->ord[i] < b->ord[i] ? -1 : 1;
        }
    }
    if (a->depth != b->depth) {
        return a->depth < b->depth ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool heap_less(const struct xd_canon__plog *l, size_t i, size_t k)
{
    return problem_cmp(&l->slots[l->heap[i]], &l->slots[l->heap[k]]) < 0;
}

static void heap_swap(struct xd_canon__plog *l, size_t i, size_t k)
{
    size_t t = l->heap[i];
    l->heap[i] = l->heap[k];
    l->heap[k] = t;
}

static void sift_down(struct xd_canon__plog *l, size_t i, size_t n)
{
    for (;;) {
        size_t big = i, a = 2 * i + 1, b = 2 * i + 2;
        if (a < n && heap_less(l, big, a)) {
            big = a;
        }
        if (b < n && heap_less(l, big, b)) {
            big = b;
        }
        if (big == i) {
            return;
        }
        heap_swap(l, i, big);
        i = big;
    }
}

static void sift_up(struct xd_canon__plog *l, size_t i)
{
    while (i > 0 && heap_less(l, (i - 1) / 2, i)) {
        heap_swap(l, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

/* The slot the next problem goes into, or NULL when it is not kept (or memory ran out). */
static struct xd_canon__problem *plog_slot(struct xd_canon__ctx *c,
                                           const struct xd_canon__problem *key)
{
    struct xd_canon__plog *l = c->log;
    if (l->n == l->limit) {
        if (l->n == 0 || problem_cmp(key, &l->slots[l->heap[0]]) >= 0) {
            l->dropped++;
            return NULL;
        }
        l->dropped++; /* the largest kept one leaves */
        return &l->slots[l->heap[0]];
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        ncap = ncap < l->limit ? ncap : l->limit;
        struct xd_canon__problem *slots = xd_reallocarray(l->slots, ncap, sizeof *slots);
        if (slots == NULL) {
            c->oom = true;
            return NULL;
        }
        l->slots = slots;
        size_t *heap = xd_reallocarray(l->heap, ncap, sizeof *heap);
        if (heap == NULL) {
            c->oom = true;
            return NULL;
        }
        l->heap = heap;
        l->cap = ncap;
    }
    l->heap[l->n] = l->n;
    return &l->slots[l->n++];
}

static void plog_add(struct xd_canon__ctx *c, const char *code, const char *fmt, va_list ap)
{
    struct xd_canon__plog *l = c->log;
    struct xd_canon__problem key;
    key.depth = c->depth < XD_CANON__PATH_SEGS ? c->depth : XD_CANON__PATH_SEGS;
    for (size_t i = 0; i < key.depth; i++) {
        key.ord[i] = c->segs[i].ord;
    }
    key.seq = l->seq++;
    bool replacing = l->n == l->limit;
    struct xd_canon__problem *p = plog_slot(c, &key);
    if (p == NULL) {
        return;
    }
    memcpy(p->ord, key.ord, key.depth * sizeof key.ord[0]);
    p->depth = key.depth;
    p->seq = key.seq;
    p->code = code;
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    path_text(c, p->path, sizeof p->path);
    if (replacing) {
        sift_down(l, 0, l->n);
    } else {
        sift_up(l, l->n - 1);
    }
}

enum xd_status xd_canon__plog_flush(struct xd_canon__plog *l, struct xd_diags *diags)
{
    /* Heap sort in place: the largest goes to the end, so heap[] ends up ascending. */
    for (size_t end = l->n; end > 1; end--) {
        heap_swap(l, 0, end - 1);
        sift_down(l, 0, end - 1);
    }
    enum xd_status st = XD_OK;
    for (size_t i = 0; i < l->n; i++) {
        const struct xd_canon__problem *p = &l->slots[l->heap[i]];
        if (st == XD_OK) {
            st = xd_diags_add(diags, p->code, p->path, "%s", p->message);
        }
    }
    diags->dropped += l->dropped;
    xd_canon__plog_reset(l);
    return st;
}

void xd_canon__report(struct xd_canon__ctx *c, const char *code, const char *fmt, ...)
{
    c->problems++;
    if (c->diags == NULL) {
        return;
    }
    va_list ap;
    if (c->log != NULL) {
        va_start(ap, fmt);
        plog_add(c, code, fmt, ap);
        va_end(ap);
        return;
    }
    if (c->diags->count >= c->diags->limit) {
        /* Past the cap only the count grows; no need to format a message nobody keeps. */
        c->diags->dropped++;
        return;
    }
    char msg[XD_ERROR_MESSAGE_MAX];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char path[XD_CANON__PATH_MAX];
    path_text(c, path, sizeof path);
    if (xd_diags_add(c->diags, code, path, "%s", msg) != XD_OK) {
        c->oom = true;
    }
}

const char *xd_canon__clip(const char *s, size_t len, char *out, size_t cap)
{
    size_t max = cap - 4;
    size_t n = len;
    if (n > max) {
        n = max;
        /* Back up to the start of a UTF-8 sequence so the message stays valid UTF-8. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    memcpy(out, s, n);
    if (n < len) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

size_t xd_canon__distance(const char *a, size_t alen, const char *b, size_t blen, size_t cap)
{
    enum { MAXN = 64 };
    if (alen > MAXN || blen > MAXN) {
        return cap + 1;
    }
    size_t prev[MAXN + 1], cur[MAXN + 1];
    for (size_t j = 0; j <= blen; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= alen; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        for (size_t j = 1; j <= blen; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1;
            size_t ins = cur[j - 1] + 1;
            size_t m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
            row_min = cur[j] < row_min ? cur[j] : row_min;
        }
        if (row_min > cap) {
            return cap + 1;
        }
        memcpy(prev, cur, (blen + 1) * sizeof prev[0]);
    }
    return prev[blen];
}

bool xd_canon__gs1_check_digit_ok(const char *s, size_t n)
{
    if (n < 2) {
        return false;
    }
    unsigned sum = 0;
    unsigned weight = 3; /* 3, 1, 3 ... leftwards, alternated without a branch */
    for (size_t i = n - 1; i-- > 0;) {
        sum += (unsigned)(s[i] - '0') * weight;
        weight ^= 3 ^ 1;
    }
    return (10 - sum % 10) % 10 == (unsigned)(s[n - 1] - '0');
}

/* --- Spans of plain ASCII ------------------------------------------------------------------ */

#if defined(__SSE2__)
#include <emmintrin.h>

#define NO_ASAN __attribute__((no_sanitize_address))

/* The span of <s> up to the first byte below 0x20 (the NUL included), 0x7F or above, <q> or
 * <b> (pass 0x7F for both to stop at no other byte), sixteen bytes at a time from the aligned
 * block holding <s> on. An aligned load never crosses a page, so reading the rest of the block
 * the terminating NUL sits in is safe, though those bytes are no part of the string: the
 * address sanitizer, which checks every byte read against its object, is told not to look
 * here (glibc's strlen reads the same way). */
NO_ASAN static inline __attribute__((always_inline)) size_t span(const char *s, unsigned char q,
                                                                 unsigned char b)
{
    const __m128i low = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F);
    const __m128i vq = _mm_set1_epi8((char)q), vb = _mm_set1_epi8((char)b);
    uintptr_t skip = (uintptr_t)s & 15; /* bytes of the first block before <s> */
    /* As an integer: the block may start before the string, where C's pointer arithmetic
     * may not go. NOLINTNEXTLINE(performance-no-int-to-ptr) */
    const __m128i *p = (const __m128i *)(const void *)((uintptr_t)s - skip);
    size_t n = 0; /* bytes of <s> in the blocks before p */
    for (;; p++) {
        __m128i v = _mm_load_si128(p);
        /* signed: bytes 0x80-0xFF are negative, so below 0x20 too */
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, low), _mm_cmpeq_epi8(v, del)),
                                    _mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vb)));
        unsigned mask = (unsigned)_mm_movemask_epi8(stop) >> skip;
        if (mask != 0) {
            return n + (size_t)__builtin_ctz(mask);
        }
        n += 16 - skip;
        skip = 0;
    }
}
#else
/* A byte ends a span when it is below 0x20 (the NUL included), 0x7F or above, or one of <q>
 * and <b> (pass 0x7F for both to stop at no other byte). */
static inline bool ends_span(unsigned char c, unsigned char q, unsigned char b)
{
    return c < 0x20 || c >= 0x7F || c == q || c == b;
}

#define NO_ASAN

static inline size_t span(const char *s, unsigned char q, unsigned char b)
{
    size_t n = 0;
    while (!ends_span((unsigned char)s[n], q, b)) {
        n++;
    }
    return n;
}
#endif

/* The functions span is inlined into need the sanitizer's attribute too. */
NO_ASAN size_t xd_canon__printable_span(const char *s)
{
    return span(s, 0x7F, 0x7F);
}

NO_ASAN size_t xd_canon__json_plain_span(const char *s)
{
    return span(s, '"', '\\');
}

/* Characters in valid UTF-8 <s>, or SIZE_MAX when it is not valid UTF-8. */
static size_t utf8_chars(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t chars = 0;
    for (size_t i = 0; i < len; chars++) {
        unsigned char b = u[i];
        if (b < 0x80) { /* nearly all text: no decoding needed */
            i++;
            continue;
        }
        size_t n = b < 0x80             ? 1
                   : (b & 0xE0) == 0xC0 ? 2
                   : (b & 0xF0) == 0xE0 ? 3
                   : (b & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (n == 0 || i + n > len) {
            return SIZE_MAX;
        }
        uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
        for (size_t k = 1; k < n; k++) {
            if ((u[i + k] & 0xC0) != 0x80) {
                return SIZE_MAX;
            }
            cp = (cp << 6) | (u[i + k] & 0x3Fu);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return SIZE_MAX;
        }
        i += n;
    }
    return chars;
}

static bool all_in(const char *s, size_t len, char lo, char hi)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < lo || s[i] > hi) {
            return false;
        }
    }
    return true;
}

/* GTIN, GLN, SSCC: digits of an allowed length, then the GS1 check digit. */
static bool gs1_ok(const char *s, size_t len, bool length_ok)
{
    return length_ok && all_in(s, len, '0', '9') && xd_canon__gs1_check_digit_ok(s, len);
}

bool xd_canon__class_ok(enum xd_canon__cid cls, const char *s, size_t len)
{
    switch (cls) {
    case XD_CANON__C_TEXT:
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
                return false;
            }
        }
        return true;
    case XD_CANON__C_IDENT:
        return all_in(s, len, ' ', '~') && s[0] != ' ' && s[len - 1] != ' ';
    case XD_CANON__C_CURRENCY:
        return len == 3 && all_in(s, len, 'A', 'Z');
    case XD_CANON__C_COUNTRY:
        return len == 2 && all_in(s, len, 'A', 'Z');
    case XD_CANON__C_SCAC:
        return len >= 2 && len <= 4 && all_in(s, len, 'A', 'Z');
    case XD_CANON__C_GTIN:
        return gs1_ok(s, len, len == 8 || len == 12 || len == 13 || len == 14);
    case XD_CANON__C_GLN:
        return gs1_ok(s, len, len == 13);
    case XD_CANON__C_SSCC:
        return gs1_ok(s, len, len == 18);
    case XD_CANON__C_DUNS:
        return (len == 9 || len == 13) && all_in(s, len, '0', '9');
    case XD_CANON__C_EMAIL: {
        const char *at = memchr(s, '@', len);
        return at != NULL && at != s && at != s + len - 1 &&
               memchr(at + 1, '@', len - (size_t)(at - s) - 1) == NULL &&
               memchr(s, ' ', len) == NULL;
    }
    case XD_CANON__C_COUNT:
        break;
    }
    return true;
}

/* A GS1 key that is not one: the wrong length or not digits, else the check digit. */
static void report_bad_gs1(struct xd_canon__ctx *c, const char *s, size_t len, bool length_ok,
                           const char *what)
{
    if (!length_ok || !all_in(s, len, '0', '9')) {
        xd_canon__report(c, "format", "must be %s", what);
        return;
    }
    unsigned sum = 0, weight = 3;
    for (size_t i = len - 1; i-- > 0;) {
        sum += (unsigned)(s[i] - '0') * weight;
        weight = weight == 3 ? 1 : 3;
    }
    xd_canon__report(c, "check_digit", "check digit is %c but must be %u", s[len - 1],
                     (10 - sum % 10) % 10);
}

static void report_bad_ident(struct xd_canon__ctx *c)
{
    xd_canon__report(c, "format", "must be printable ASCII without leading or trailing spaces");
}

/* What xd_canon__class_ok refused, said for the class. */
static void check_class(struct xd_canon__ctx *c, enum xd_canon__cid cls, const char *s, size_t len)
{
    if (xd_canon__class_ok(cls, s, len)) {
        return;
    }
    switch (cls) {
    case XD_CANON__C_TEXT:
        xd_canon__report(c, "format",
                         "must not contain control characters (line breaks, tabs ...)");
        return;
    case XD_CANON__C_IDENT:
        report_bad_ident(c);
        return;
    case XD_CANON__C_CURRENCY:
        xd_canon__report(c, "format", "must be an ISO 4217 currency code such as \"USD\"");
        return;
    case XD_CANON__C_COUNTRY:
        xd_canon__report(c, "format", "must be an ISO 3166-1 alpha-2 country code such as \"US\"");
        return;
    case XD_CANON__C_SCAC:
        xd_canon__report(c, "format", "must be a SCAC of 2 to 4 capital letters");
        return;
    case XD_CANON__C_GTIN:
        report_bad_gs1(c, s, len, len == 8 || len == 12 || len == 13 || len == 14,
                       "a GTIN of 8, 12, 13 or 14 digits");
        return;
    case XD_CANON__C_GLN:
        report_bad_gs1(c, s, len, len == 13, "a GLN of 13 digits");
        return;
    case XD_CANON__C_SSCC:
        report_bad_gs1(c, s, len, len == 18, "an SSCC of 18 digits");
        return;
    case XD_CANON__C_DUNS:
        xd_canon__report(c, "format", "must be a D-U-N-S number of 9 or 13 digits");
        return;
    case XD_CANON__C_EMAIL:
        xd_canon__report(c, "format", "must be an e-mail address such as \"ap@example.com\"");
        return;
    case XD_CANON__C_COUNT:
        break;
    }
}

/* "unknown unit of measure 'ea' (did you mean 'EA'?)" or the whole list when it is short. */
static void report_bad_code(struct xd_canon__ctx *c, const struct xd_canon__list *l, const char *s,
                            size_t len)
{
    char clipped[40];
    xd_canon__clip(s, len, clipped, sizeof clipped);
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < l->n_codes; i++) {
        const char *code = l->codes[i].code;
        if (strlen(code) == len && strncasecmp(code, s, len) == 0) {
            best = code;
            break;
        }
        size_t d = xd_canon__distance(s, len, code, strlen(code), 2);
        if (d < best_d && d < strlen(code)) {
            best_d = d;
            best = code;
        }
    }
    if (best != NULL) {
        xd_canon__report(c, "code", "'%s' is not in the %s code list (did you mean '%s'?)", clipped,
                         l->name, best);
        return;
    }
    if (l->n_codes <= 10) {
        char all[160];
        size_t n = 0;
        for (size_t i = 0; i < l->n_codes && n < sizeof all; i++) {
            int w = snprintf(all + n, sizeof all - n, "%s%s", i ? ", " : "", l->codes[i].code);
            n += w > 0 ? (size_t)w : 0;
        }
        xd_canon__report(c, "code", "'%s' is not in the %s code list: one of %s", clipped, l->name,
                         all);
        return;
    }
    xd_canon__report(c, "code", "'%s' is not in the %s code list (see docs/canonical-documents.md)",
                     clipped, l->name);
}

static void check_text(struct xd_canon__ctx *c, const struct xd_canon__field *f, const char *s,
                       size_t len, size_t chars, bool printable);

void xd_canon__check_string(struct xd_canon__ctx *c, const struct xd_canon__field *f, const char *s,
                            size_t len)
{
    if (len == 0) {
        xd_canon__report(c, "empty", "must not be empty; leave an optional member out instead");
        return;
    }
    size_t chars = utf8_chars(s, len);
    if (chars == SIZE_MAX) {
        xd_canon__report(c, "format", "must be valid UTF-8");
        return;
    }
    check_text(c, f, s, len, chars, false);
}

void xd_canon__check_cstr(struct xd_canon__ctx *c, const struct xd_canon__field *f, const char *s)
{
    /* Nearly every value built in C is printable ASCII: then its length is its character count
     * and it holds no control character, found in one pass. */
    size_t n = xd_canon__printable_span(s);
    if (s[n] != '\0') {
        xd_canon__check_string(c, f, s, n + strlen(s + n));
        return;
    }
    if (n == 0) {
        xd_canon__report(c, "empty", "must not be empty; leave an optional member out instead");
        return;
    }
    check_text(c, f, s, n, n, true);
}

void xd_canon__check_text(struct xd_canon__ctx *c, const struct xd_canon__field *f, const char *s,
                          size_t len, size_t chars)
{
    check_text(c, f, s, len, chars, false);
}

/* <printable>: <s> is known to hold only bytes 0x20-0x7E (no control character to look for). */
static void check_text(struct xd_canon__ctx *c, const struct xd_canon__field *f, const char *s,
                       size_t len, size_t chars, bool printable)
{
    if (len == 0) {
        xd_canon__report(c, "empty", "must not be empty; leave an optional member out instead");
        return;
    }
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_DATE:
        if (!xd_date_valid(s, len)) {
            xd_canon__report(c, "date",
                             "must be a calendar date YYYY-MM-DD such as "
                             "\"2026-03-02\"");
        }
        return;
    case XD_CANON__K_DATETIME: {
        int64_t ms;
        if (xd_time_parse(s, len, &ms) != XD_OK) {
            xd_canon__report(c, "datetime",
                             "must be an RFC 3339 date-time with a time zone such "
                             "as \"2026-03-02T14:30:00Z\"");
        }
        return;
    }
    case XD_CANON__K_CODE:
        if (xd_canon__code_index(&xd_canon__lists[f->list], s, len) < 0) {
            report_bad_code(c, &xd_canon__lists[f->list], s, len);
        }
        return;
    default:
        break;
    }
    if ((int64_t)chars > f->max) {
        xd_canon__report(c, "max_length", "must be at most %lld characters, not %zu",
                         (long long)f->max, chars);
        return;
    }
    if (printable && f->str_class == XD_CANON__C_TEXT) {
        return;
    }
    if (printable && f->str_class == XD_CANON__C_IDENT) {
        /* check_class without its scan for bytes outside ' '..'~': there are none */
        if (s[0] == ' ' || s[len - 1] == ' ') {
            report_bad_ident(c);
        }
        return;
    }
    check_class(c, (enum xd_canon__cid)f->str_class, s, len);
}

void xd_canon__check_decimal(struct xd_canon__ctx *c, const struct xd_canon__field *f,
                             struct xd_decimal d)
{
    if (d.scale < 0 || d.scale > XD_DECIMAL_MAX_SCALE) {
        xd_canon__report(c, "invalid", "decimal scale %d is outside 0..%d", d.scale,
                         XD_DECIMAL_MAX_SCALE);
        return;
    }
    if (d.scale > f->max) {
        xd_canon__report(c, "scale", "must have at most %lld digits after the decimal point",
                         (long long)f->max);
    }
    if (f->sign == XD_CANON__SIGN_NONNEG && xd_decimal_is_negative(d)) {
        xd_canon__report(c, "range", "must not be negative");
    } else if (f->sign == XD_CANON__SIGN_POS && d.units <= 0) {
        xd_canon__report(c, "range", "must be greater than zero");
    }
}

void xd_canon__check_int(struct xd_canon__ctx *c, const struct xd_canon__field *f, int64_t v)
{
    if (v < f->min || v > f->max) {
        xd_canon__report(c, "range", "must be a whole number from %lld to %lld", (long long)f->min,
                         (long long)f->max);
    }
}
