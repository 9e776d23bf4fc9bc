/* SPDX-License-Identifier: MIT
 * X12 tokenizer. Delimiters come from each ISA: the element separator is the byte after "ISA",
 * ISA16 is the component separator and the byte after it terminates segments; ISA11 is the
 * repetition separator from version 00402 on. Counting element separators (rather than
 * trusting byte 103) keeps a malformed ISA readable, so the validator can say what is wrong.
 * Between segments, CR, LF, blanks and tabs are skipped (line breaks and indentation), and so
 * are a UTF-8 BOM at the start and DOS end-of-file bytes (0x1A). The last segment may lack
 * its terminator. The reader owns a window of the input (or borrows the caller's buffer), so
 * memory does not grow with the input. */
#include <stdio.h>
#include <string.h>

#include "x12/x12_int.h"

#define ISA_ELEMENTS   16
#define ISA_SCAN_LIMIT 512 /* a 106-byte ISA padded badly still fits; beyond this it is not X12 */

struct xd_x12_reader {
    xd_x12_read_fn fn;
    void *fn_ctx;
    char *buf; /* owned window (stream mode, or decoded EBCDIC copy) */
    size_t cap;
    const char *data; /* current window */
    size_t len;
    size_t pos;
    uint64_t base; /* input offset of data[0] */
    bool eof;
    bool ebcdic;
    bool started; /* the first ISA has been read */
    struct xd_x12_delims delims;
    unsigned char cls[256]; /* byte class while splitting (enum byte_class bits) */
    /* The element separator, terminator, component and repetition separator, each in 16
     * bytes, for the SSE2 scan: loaded per segment instead of broadcast again. */
    _Alignas(16) unsigned char vec[4][16];
    uint64_t index;
    enum xd_status failed;
    const char *failure_code; /* TA105 that describes the failure */
    struct xd_error failure;
    struct xd_slice elems[XD_X12_MAX_ELEMENTS + 1];
};

/* What a byte means inside a segment; 0 for plain data (the common case, one test). */
enum byte_class {
    BC_ELEMENT = 1,
    BC_COMPONENT = 2,
    BC_REPETITION = 4,
    BC_CONTROL = 8,
};

static void build_classes(struct xd_x12_reader *r)
{
    memset(r->cls, 0, sizeof r->cls);
    for (unsigned c = 0; c < 0x20; c++) {
        r->cls[c] = BC_CONTROL;
    }
    r->cls[0x7F] = BC_CONTROL;
    /* A delimiter that is a control byte (0x1D, 0x1F ...) counts as the delimiter. */
    r->cls[r->delims.element] = BC_ELEMENT;
    r->cls[r->delims.component] = BC_COMPONENT;
    if (r->delims.repetition != 0) {
        r->cls[r->delims.repetition] = BC_REPETITION;
    }
    memset(r->vec[0], r->delims.element, 16);
    memset(r->vec[1], r->delims.segment, 16);
    memset(r->vec[2], r->delims.component, 16);
    memset(r->vec[3], r->delims.repetition, 16);
}

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_blank(unsigned char c)
{
    /* '\r', '\n', ' ', '\t' and 0x1A, as one bit test */
    const uint64_t blanks = (uint64_t)1 << '\r' | (uint64_t)1 << '\n' | (uint64_t)1 << ' ' |
                            (uint64_t)1 << '\t' | (uint64_t)1 << 0x1A;
    return c <= ' ' && ((blanks >> c) & 1) != 0;
}

static void decode_ebcdic(char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (char)xd_x12__cp037[(unsigned char)p[i]];
    }
}

static bool looks_ebcdic(const char *p, size_t n)
{
    return n >= 3 && (unsigned char)p[0] == 0xC9 && (unsigned char)p[1] == 0xE2 &&
           (unsigned char)p[2] == 0xC1;
}

enum xd_status xd_x12_reader_create_mem(const char *data, size_t len, struct xd_x12_reader **out)
{
    struct xd_x12_reader *r = xd_calloc(1, sizeof *r);
    if (r == NULL) {
        return XD_ENOMEM;
    }
    r->data = data ? data : "";
    r->len = len;
    r->eof = true;
    if (looks_ebcdic(r->data, len)) {
        r->buf = xd_memdup(data, len);
        if (r->buf == NULL) {
            xd_free(r);
            return XD_ENOMEM;
        }
        decode_ebcdic(r->buf, len);
        r->data = r->buf;
        r->ebcdic = true;
    }
    *out = r;
    return XD_OK;
}

enum xd_status xd_x12_reader_create(xd_x12_read_fn fn, void *ctx, size_t window_bytes,
                                    struct xd_x12_reader **out)
{
    if (fn == NULL) {
        return XD_EINVAL;
    }
    size_t cap = window_bytes ? window_bytes : XD_X12_DEFAULT_WINDOW;
    if (cap < 2 * (size_t)XD_X12_MAX_SEGMENT_BYTES) {
        cap = 2 * (size_t)XD_X12_MAX_SEGMENT_BYTES;
    }
    struct xd_x12_reader *r = xd_calloc(1, sizeof *r);
    if (r == NULL) {
        return XD_ENOMEM;
    }
    r->buf = xd_malloc(cap);
    if (r->buf == NULL) {
        xd_free(r);
        return XD_ENOMEM;
    }
    r->cap = cap;
    r->fn = fn;
    r->fn_ctx = ctx;
    r->data = r->buf;
    *out = r;
    return XD_OK;
}

void xd_x12_reader_destroy(struct xd_x12_reader *r)
{
    if (r == NULL) {
        return;
    }
    xd_free(r->buf);
    xd_free(r);
}

const char *xd_x12_reader_encoding(const struct xd_x12_reader *r)
{
    return r->ebcdic ? "ebcdic-cp037" : "ascii";
}

const char *xd_x12__reader_failure_code(const struct xd_x12_reader *r)
{
    return r->failure_code ? r->failure_code : "022";
}

static enum xd_status fail(struct xd_x12_reader *r, enum xd_status st, struct xd_error *err,
                           uint64_t offset, const char *fmt, ...) XD_PRINTF(5, 6);

/* The TA105 code of the next failure (the default is 022, invalid control structure). */
static void fail_code(struct xd_x12_reader *r, const char *code)
{
    r->failure_code = code;
}

static enum xd_status fail(struct xd_x12_reader *r, enum xd_status st, struct xd_error *err,
                           uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xd_error_setv(&r->failure, st, fmt, ap);
    va_end(ap);
    xd_error_at(&r->failure, NULL, (int64_t)offset, 0);
    r->failed = st;
    if (err != NULL) {
        *err = r->failure;
    }
    return st;
}

/* Stream mode: keep the unread part and read more behind it. Returns XD_OK (possibly with
 * r->eof set) or the callback's failure. */
static enum xd_status refill(struct xd_x12_reader *r, struct xd_error *err)
{
    if (r->eof) {
        return XD_OK;
    }
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->base += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    while (r->len < r->cap) {
        size_t got = 0;
        struct xd_error e;
        xd_error_clear(&e);
        enum xd_status st = r->fn(r->fn_ctx, r->buf + r->len, r->cap - r->len, &got, &e);
        if (st != XD_OK) {
            return fail(r, st, err, r->base + r->len, "%s",
                        e.message[0] ? e.message : xd_strerror(st));
        }
        if (got == 0) {
            r->eof = true;
            break;
        }
        if (got > r->cap - r->len) {
            return fail(r, XD_EINVAL, err, r->base + r->len, "read callback overran its buffer");
        }
        if (r->base == 0 && r->len == 0 && looks_ebcdic(r->buf, got)) {
            r->ebcdic = true;
        }
        if (r->ebcdic) {
            decode_ebcdic(r->buf + r->len, got);
        }
        r->len += got;
        /* One read is enough unless the window holds less than a whole segment. */
        if (r->len >= XD_X12_MAX_SEGMENT_BYTES) {
            break;
        }
    }
    return XD_OK;
}

/* Make at least <want> bytes available from r->pos, unless the input ends first. */
static enum xd_status ensure(struct xd_x12_reader *r, size_t want, struct xd_error *err)
{
    if (r->len - r->pos >= want || r->eof) {
        return XD_OK;
    }
    return refill(r, err);
}

static enum xd_status skip_blanks(struct xd_x12_reader *r, struct xd_error *err)
{
    for (;;) {
        if (r->pos == 0 && r->base == 0) {
            enum xd_status st = ensure(r, 3, err);
            if (st != XD_OK) {
                return st;
            }
            if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0) {
                r->pos = 3;
            }
        }
        while (r->pos < r->len && is_blank((unsigned char)r->data[r->pos])) {
            r->pos++;
        }
        if (r->pos < r->len || r->eof) {
            return XD_OK;
        }
        enum xd_status st = refill(r, err);
        if (st != XD_OK) {
            return st;
        }
    }
}

static const char *printable(unsigned char c, char *tmp, size_t cap)
{
    if (c >= 0x21 && c < 0x7F) {
        snprintf(tmp, cap, "'%c'", c);
    } else {
        snprintf(tmp, cap, "0x%02X", c);
    }
    return tmp;
}

/* Length of a UTF-8 sequence starting with lead byte <c> (0 when <c> is not a lead byte). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xC2 && c <= 0xDF) {
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        return 4;
    }
    return 0;
}

static bool continuation_follows(const char *p, size_t avail, size_t n)
{
    if (n == 0 || avail < n) {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (((unsigned char)p[i] & 0xC0) != 0x80) {
            return false;
        }
    }
    return true;
}

static enum xd_status check_delimiter(struct xd_x12_reader *r, const char *name, const char *code,
                                      const char *at, size_t avail, uint64_t offset,
                                      struct xd_error *err)
{
    unsigned char c = (unsigned char)at[0];
    fail_code(r, code);
    char tmp[8];
    if (c >= 0x80) {
        size_t n = utf8_len(c);
        if (continuation_follows(at, avail, n)) {
            return fail(r, XD_EPARSE, err, offset,
                        "%s is a %zu-byte UTF-8 character: X12 delimiters are single bytes", name,
                        n);
        }
        return fail(r, XD_EPARSE, err, offset,
                    "%s %s is not an ASCII byte: X12 delimiters are single ASCII bytes", name,
                    printable(c, tmp, sizeof tmp));
    }
    if (is_alnum(c) || c == ' ') {
        return fail(r, XD_EPARSE, err, offset,
                    "%s %s is a letter, digit or blank: the interchange has no usable %s", name,
                    printable(c, tmp, sizeof tmp), name);
    }
    return XD_OK;
}

/* The repetition separator of ISA11, when the version (ISA12) defines one. */
static unsigned char repetition_of(const char *isa11, size_t len11, const char *isa12, size_t len12,
                                   const struct xd_x12_delims *d)
{
    uint64_t version = 0;
    if (len11 != 1 || xd_parse_u64(isa12, len12, 99999, &version) != XD_OK || version < 402) {
        return 0;
    }
    unsigned char c = (unsigned char)isa11[0];
    if (is_alnum(c) || c == ' ' || c >= 0x80 || c == d->element || c == d->component ||
        c == d->segment) {
        return 0;
    }
    return c;
}

/* r->pos is at "ISA": find its delimiters. */
static enum xd_status read_isa_delims(struct xd_x12_reader *r, struct xd_error *err)
{
    enum xd_status st = ensure(r, ISA_SCAN_LIMIT, err);
    if (st != XD_OK) {
        return st;
    }
    const char *p = r->data + r->pos;
    size_t avail = r->len - r->pos;
    uint64_t off = r->base + r->pos;
    struct xd_x12_delims d = {0};
    d.element = (unsigned char)p[3];
    st = check_delimiter(r, "element separator (byte 4 of ISA)", "026", p + 3, avail - 3, off + 3,
                         err);
    if (st != XD_OK) {
        return st;
    }
    size_t seps = 0, i = 3, isa11 = 0, isa12 = 0, isa13 = 0;
    size_t limit = avail < ISA_SCAN_LIMIT ? avail : ISA_SCAN_LIMIT;
    for (; i < limit && seps < ISA_ELEMENTS; i++) {
        if ((unsigned char)p[i] == d.element) {
            seps++;
            isa11 = seps == 11 ? i + 1 : isa11;
            isa12 = seps == 12 ? i + 1 : isa12;
            isa13 = seps == 13 ? i + 1 : isa13;
        }
    }
    if (seps < ISA_ELEMENTS || i + 1 >= avail) {
        fail_code(r, "023");
        return fail(r, XD_EPARSE, err, off,
                    "ISA segment is truncated: found %zu of its 16 elements and no terminator",
                    seps);
    }
    d.component = (unsigned char)p[i];
    d.segment = (unsigned char)p[i + 1];
    st = check_delimiter(r, "component separator (ISA16)", "027", p + i, avail - i, off + i, err);
    if (st == XD_OK) {
        st = check_delimiter(r, "segment terminator", "004", p + i + 1, avail - i - 1, off + i + 1,
                             err);
    }
    if (st != XD_OK) {
        return st;
    }
    if (d.component == d.element || d.segment == d.element || d.segment == d.component) {
        fail_code(r, "004");
        return fail(r, XD_EPARSE, err, off + i,
                    "ISA delimiters collide: element, component and segment separators must "
                    "differ");
    }
    d.repetition = repetition_of(p + isa11, isa12 - isa11 - 1, p + isa12, isa13 - isa12 - 1, &d);
    r->delims = d;
    build_classes(r);
    r->started = true;
    r->failure_code = NULL;
    return XD_OK;
}

static bool at_isa(const struct xd_x12_reader *r)
{
    const char *p = r->data + r->pos;
    size_t avail = r->len - r->pos;
    return avail >= 4 && p[0] == 'I' && p[1] == 'S' && p[2] == 'A' &&
           !is_alnum((unsigned char)p[3]) && p[3] != ' ';
}

static enum xd_status not_x12(struct xd_x12_reader *r, struct xd_error *err)
{
    char shown[24];
    size_t n = 0;
    for (size_t i = r->pos; i < r->len && n + 1 < sizeof shown && n < 16; i++) {
        unsigned char c = (unsigned char)r->data[i];
        shown[n++] = (c >= 0x20 && c < 0x7F) ? (char)c : '.';
    }
    shown[n] = '\0';
    if (r->len == r->pos) {
        return fail(r, XD_EPARSE, err, r->base + r->pos, "not X12: the input is empty");
    }
    return fail(r, XD_EPARSE, err, r->base + r->pos,
                "not X12: an interchange must start with an ISA segment, found \"%s\"", shown);
}

/* Find the end of the segment starting at r->pos; *end is the terminator's index (or r->len
 * at the end of input without one). */
static enum xd_status find_end(struct xd_x12_reader *r, size_t *end, struct xd_error *err)
{
    size_t from = r->pos;
    for (;;) {
        const char *t = memchr(r->data + from, r->delims.segment, r->len - from);
        if (t != NULL) {
            *end = (size_t)(t - r->data);
            break;
        }
        if (r->eof) {
            *end = r->len;
            break;
        }
        if (r->len - r->pos > XD_X12_MAX_SEGMENT_BYTES) {
            break;
        }
        size_t scanned = r->len - r->pos;
        enum xd_status st = refill(r, err);
        if (st != XD_OK) {
            return st;
        }
        from = r->pos + scanned;
    }
    if (*end - r->pos > XD_X12_MAX_SEGMENT_BYTES) {
        return fail(r, XD_ETOOBIG, err, r->base + r->pos,
                    "segment longer than %u bytes (no terminator found)",
                    (unsigned)XD_X12_MAX_SEGMENT_BYTES);
    }
    return XD_OK;
}

/* Splitting a segment into elements: where the current element started, which byte classes
 * it holds, and what is known of the elements so far. */
struct splitter {
    struct xd_slice *elems;
    const unsigned char *start;
    unsigned seen;
    size_t count;
    bool overflow;
    uint64_t present, marks[3]; /* components, repetitions, controls */
};

/* The element from sp->start ends at <at> (a separator or the segment's end). Inline: it
 * runs once per element. */
static inline void close_element(struct splitter *sp, const unsigned char *at)
{
    size_t i = sp->count;
    if (i == XD_X12_MAX_ELEMENTS + 1) {
        sp->overflow = true;
        return;
    }
    unsigned shift = i < 63 ? (unsigned)i : 63;
    sp->elems[i].p = (const char *)sp->start;
    sp->elems[i].len = (size_t)(at - sp->start);
    sp->present |= (uint64_t)(at > sp->start) << shift;
    if (sp->seen != 0) { /* rare: a delimiter or control character inside */
        sp->marks[0] |= (uint64_t)((sp->seen & BC_COMPONENT) != 0) << shift;
        sp->marks[1] |= (uint64_t)((sp->seen & BC_REPETITION) != 0) << shift;
        sp->marks[2] |= (uint64_t)((sp->seen & BC_CONTROL) != 0) << shift;
        sp->seen = 0;
    }
    sp->count = i + 1;
    sp->start = at + 1;
}

/* The splitter's results into <seg>; XD_ETOOBIG past XD_X12_MAX_ELEMENTS. */
static enum xd_status finish_split(struct xd_x12_reader *r, const struct splitter *sp,
                                   struct xd_x12_segment *seg, struct xd_error *err)
{
    if (sp->overflow) {
        return fail(r, XD_ETOOBIG, err, seg->offset, "segment has more than %u data elements",
                    (unsigned)XD_X12_MAX_ELEMENTS);
    }
    seg->elements = r->elems;
    seg->count = sp->count;
    seg->id.p = seg->raw.p; /* field by field: see take_segment */
    seg->id.len = r->elems[0].len;
    seg->present = sp->present;
    seg->components = sp->marks[0];
    seg->repetitions = sp->marks[1];
    seg->controls = sp->marks[2];
    return XD_OK;
}

/* One pass over the segment's bytes: element boundaries, and which elements hold component
 * or repetition separators or control characters (struct xd_x12_segment). */
static void split_elements(struct xd_x12_reader *r, const char *p, size_t n, struct splitter *sp)
{
    const unsigned char *s = (const unsigned char *)p, *end = s + n;
    const unsigned char *cls = r->cls;
    *sp = (struct splitter){.elems = r->elems, .start = s};
    for (; s < end; s++) {
        unsigned k = cls[*s];
        if (k == BC_ELEMENT) {
            close_element(sp, s);
        } else {
            sp->seen |= k;
        }
    }
    close_element(sp, end);
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* The events of one block that the fast loop below does not take: one by one, as
 * split_elements does. */
static void block_events(struct splitter *sp, const unsigned char *cls, const unsigned char *s,
                         unsigned events, unsigned els)
{
    for (; events != 0; events &= events - 1) {
        unsigned i = (unsigned)__builtin_ctz(events);
        if ((els >> i) & 1) {
            close_element(sp, s + i);
        } else {
            sp->seen |= cls[s[i]];
        }
    }
}

/* Sixteen bytes at a time: a bit per terminator, per element separator and per other byte of
 * a class (delimiter or control character); then only those bytes are looked at. Returns where
 * the scan stopped: at the terminator (*found set) or where fewer than 16 bytes are left before
 * <wend> or <stop> has been passed. The delimiters' vectors are made once per ISA
 * (build_classes): _mm_set1_epi8 of a variable compiles, without SSSE3, to a byte store and a
 * wider load of the same stack slot, a store-forwarding stall on every segment. */
static inline const unsigned char *scan_wide(struct splitter *sp, const struct xd_x12_reader *r,
                                             const unsigned char *s, const unsigned char *stop,
                                             const unsigned char *wend, bool *found)
{
    const __m128i el = _mm_load_si128((const __m128i *)(const void *)r->vec[0]);
    const __m128i term = _mm_load_si128((const __m128i *)(const void *)r->vec[1]);
    const __m128i comp = _mm_load_si128((const __m128i *)(const void *)r->vec[2]);
    const __m128i rep = _mm_load_si128((const __m128i *)(const void *)r->vec[3]);
    const __m128i low = _mm_set1_epi8(0x1F), del = _mm_set1_epi8(0x7F);
    /* The splitter's state in locals, so it stays in registers: the next slice to fill and
     * the presence bit of its element. */
    struct xd_slice *next = sp->elems + sp->count, *const fast_end = sp->elems + 62 - 16;
    const unsigned char *start = sp->start;
    uint64_t present = sp->present, bit = (uint64_t)1 << sp->count;
    bool pending = false; /* the open element holds a byte of a class: close_element marks it */
    while (s < stop && wend - s >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        unsigned els = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, el));
        unsigned ends = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, term));
        __m128i other = _mm_or_si128(_mm_cmpeq_epi8(v, comp), _mm_cmpeq_epi8(v, rep));
        other = _mm_or_si128(other, _mm_cmpeq_epi8(_mm_max_epu8(v, low), low));
        other = _mm_or_si128(other, _mm_cmpeq_epi8(v, del));
        unsigned others = (unsigned)_mm_movemask_epi8(other) & ~els;
        /* The bytes of this segment in the block: all 16, or those before its terminator. */
        unsigned mine = ends != 0 ? (ends & (0u - ends)) - 1 : 0xFFFFu;
        unsigned seps = els & mine;
        if ((others & mine) == 0 && next <= fast_end && !pending) {
            /* Only element separators, and even 16 more elements stay below the masks' 63rd
             * bit: each is one slice and one presence bit. */
            for (; seps != 0; seps &= seps - 1) {
                const unsigned char *at = s + __builtin_ctz(seps);
                size_t len = (size_t)(at - start);
                next->p = (const char *)start;
                next->len = len;
                next++;
                present |= len != 0 ? bit : 0;
                bit <<= 1;
                start = at + 1;
            }
        } else {
            sp->start = start;
            sp->count = (size_t)(next - sp->elems);
            sp->present = present;
            block_events(sp, r->cls, s, (els | others) & mine, els);
            start = sp->start;
            next = sp->elems + sp->count;
            present = sp->present;
            bit = sp->count < 63 ? (uint64_t)1 << sp->count : 0;
            pending = sp->seen != 0;
        }
        if (ends != 0) {
            *found = true;
            s += __builtin_ctz(ends);
            break;
        }
        s += 16;
    }
    sp->start = start;
    sp->count = (size_t)(next - sp->elems);
    sp->present = present;
    return s;
}
#endif

/* The common case in one pass: the segment at r->pos ends inside the window, within
 * XD_X12_MAX_SEGMENT_BYTES; its terminator is found while its elements are split. *end is the
 * terminator's index. false when it does not end there (the window must grow, the input ends
 * without a terminator, or the segment is too long): the caller takes the slow path, which
 * starts over. Forced inline: called from both paths, gcc would keep one out-of-line copy, and
 * the common path would pay a call and a spilled splitter on every segment. */
static inline __attribute__((always_inline)) bool scan_segment(struct xd_x12_reader *r,
                                                               struct splitter *sp, size_t *end)
{
    const unsigned char *base = (const unsigned char *)r->data, *s = base + r->pos;
    const unsigned char *wend = base + r->len, *cls = r->cls;
    size_t room = r->len - r->pos;
    const unsigned char *stop =
        s + (room > XD_X12_MAX_SEGMENT_BYTES + 1 ? (size_t)XD_X12_MAX_SEGMENT_BYTES + 1 : room);
    unsigned char term = r->delims.segment;
    /* The fast loop keeps its state in registers (scan_wide); this fills the rest. */
    *sp = (struct splitter){.elems = r->elems, .start = s};
    bool found = false;
#if defined(__SSE2__)
    s = scan_wide(sp, r, s, stop, wend, &found);
#endif
    for (; !found && s < stop; s++) {
        unsigned c = *s;
        if (c == term) {
            found = true;
            break;
        }
        unsigned k = cls[c];
        if (k == BC_ELEMENT) {
            close_element(sp, s);
        } else {
            sp->seen |= k;
        }
    }
    if (!found || s >= stop) {
        return false;
    }
    close_element(sp, s);
    *end = (size_t)(s - base);
    return true;
}

/* Fill <seg> with the segment r->data[r->pos..end) split into <sp>, and step past it. */
static inline void take_segment(struct xd_x12_reader *r, const struct splitter *sp, size_t end,
                                struct xd_x12_segment *seg)
{
    seg->offset = r->base + r->pos;
    seg->raw.p = r->data + r->pos;
    seg->raw.len = end - r->pos;
    seg->index = ++r->index;
    seg->delims = &r->delims;
    seg->elements = r->elems;
    seg->count = sp->count;
    /* Not seg->id = r->elems[0]: gcc copies that as one 16-byte load of the two 8-byte
     * stores just made, which cannot be forwarded (a stall on every segment). The first
     * element starts where the segment does. */
    seg->id.p = seg->raw.p;
    seg->id.len = r->elems[0].len;
    seg->present = sp->present;
    seg->components = sp->marks[0];
    seg->repetitions = sp->marks[1];
    seg->controls = sp->marks[2];
    r->pos = end + 1;
}

/* The common case, without the checks below for the start of the input, an ISA, the end of
 * the window or of the input: after the first segment, line breaks then a segment that is
 * not an ISA and ends inside the window within the size cap. false leaves the rest to the
 * general path (r->pos may have moved past line breaks, which it skips again harmlessly). */
static inline bool next_common(struct xd_x12_reader *r, struct xd_x12_segment *seg)
{
    if (!r->started || r->failed != XD_OK) {
        return false;
    }
    size_t pos = r->pos;
    while (pos < r->len && is_blank((unsigned char)r->data[pos])) {
        pos++;
    }
    r->pos = pos;
    if (r->len - pos < 4 || r->data[pos] == 'I') {
        return false; /* maybe an ISA, or too near the end of the window to tell */
    }
    struct splitter sp;
    size_t end;
    if (!scan_segment(r, &sp, &end) || sp.overflow) {
        return false;
    }
    take_segment(r, &sp, end, seg);
    return true;
}

/* Everything else: the first segment, an ISA, the end of the window or of the input, a
 * failure. Out of line, so the common path keeps a small frame. */
static XD_X12__OUT_OF_LINE enum xd_status
next_general(struct xd_x12_reader *r, struct xd_x12_segment *seg, struct xd_error *err)
{
    if (r->failed != XD_OK) {
        if (err != NULL) {
            *err = r->failure;
        }
        return r->failed;
    }
    enum xd_status st = skip_blanks(r, err);
    if (st != XD_OK) {
        return st;
    }
    if (r->pos >= r->len) {
        return r->started ? XD_ENOTFOUND : not_x12(r, err);
    }
    st = ensure(r, 4, err);
    if (st != XD_OK) {
        return st;
    }
    if (at_isa(r)) {
        st = read_isa_delims(r, err);
        if (st != XD_OK) {
            return st;
        }
    } else if (!r->started) {
        return not_x12(r, err);
    }
    size_t end = 0;
    struct splitter sp;
    bool whole = scan_segment(r, &sp, &end);
    if (!whole) {
        st = find_end(r, &end, err);
        if (st != XD_OK) {
            return st;
        }
    }
    size_t n = end - r->pos;
    const char *p = r->data + r->pos;
    if (end == r->len) {
        while (n > 0 && is_blank((unsigned char)p[n - 1])) {
            n--; /* the unterminated last segment: drop trailing line breaks */
        }
    }
    seg->offset = r->base + r->pos;
    seg->raw.p = p;
    seg->raw.len = n;
    seg->index = ++r->index;
    seg->delims = &r->delims;
    if (!whole) {
        split_elements(r, p, n, &sp);
    }
    st = finish_split(r, &sp, seg, err);
    if (st != XD_OK) {
        return st;
    }
    r->pos = end < r->len ? end + 1 : end;
    return XD_OK;
}

enum xd_status xd_x12_reader_next(struct xd_x12_reader *r, struct xd_x12_segment *seg,
                                  struct xd_error *err)
{
    return next_common(r, seg) ? XD_OK : next_general(r, seg, err);
}
