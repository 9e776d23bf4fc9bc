/* SPDX-License-Identifier: MIT
 * Data element checks: presence, type (AN, ID, Nn, R, DT, TM), length, code lists, composites,
 * repetitions and the relational syntax notes of a segment. Each problem carries the AK403
 * code it will have in a 997 (IK403 in a 999). Lengths of N and R count digits only, as X12
 * defines them (sign and decimal point excluded). */
#include <string.h>

#include "x12/x12_int.h"

#define NOTE_MAX_POSITIONS 10
#define MAX_COMPONENTS     32
#define MAX_REPEATS        100

static const struct xd_slice empty_slice = {"", 0};

bool xd_x12__code_in(struct xd_slice s, const char *const *codes)
{
    for (size_t i = 0; codes[i] != NULL; i++) {
        if (strlen(codes[i]) == s.len && memcmp(codes[i], s.p, s.len) == 0) {
            return true;
        }
    }
    return false;
}

size_t xd_x12__split(struct xd_slice s, unsigned char sep, struct xd_slice *parts, size_t cap)
{
    size_t n = 0;
    const char *p = s.p, *end = s.p + s.len;
    for (;;) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        if (n < cap) {
            parts[n].p = p;
            parts[n].len = (size_t)((q ? q : end) - p);
        }
        n++;
        if (q == NULL) {
            return n;
        }
        p = q + 1;
    }
}

void xd_x12__copy(char *dst, size_t cap, struct xd_slice s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n > 0) {
        memcpy(dst, s.p, n);
    }
    dst[n] = '\0';
}

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
    }
    return n > 0;
}

bool xd_x12__parse_count(struct xd_slice s, uint64_t *out)
{
    return all_digits(s.p, s.len) && xd_parse_u64(s.p, s.len, UINT64_MAX, out) == XD_OK;
}

bool xd_x12__parse_amount(struct xd_slice s, int implied_decimals, struct xd_decimal *out)
{
    struct xd_decimal d;
    if (xd_decimal_parse(s.p, s.len, XD_DECIMAL_LENIENT, &d) != XD_OK) {
        return false;
    }
    if (implied_decimals > 0) {
        if (memchr(s.p, '.', s.len) != NULL || d.scale + implied_decimals > XD_DECIMAL_MAX_SCALE) {
            return false;
        }
        d.scale = (int16_t)(d.scale + implied_decimals);
    }
    *out = d;
    return true;
}

static unsigned two(const char *p)
{
    return (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
}

bool xd_x12__date_valid(struct xd_slice s)
{
    if (!all_digits(s.p, s.len) || (s.len != 6 && s.len != 8)) {
        return false;
    }
    const char *md = s.p + s.len - 4;
    unsigned year = s.len == 8 ? two(s.p) * 100 + two(s.p + 2) : 2000 + two(s.p);
    unsigned month = two(md), day = two(md + 2);
    static const unsigned days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) {
        return false;
    }
    /* A six-digit year is ambiguous about the century; 2000 is leap, so Feb 29 passes. */
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return !(month == 2 && day == 29 && !leap);
}

bool xd_x12__time_valid(struct xd_slice s)
{
    if (!all_digits(s.p, s.len) || s.len < 4 || s.len > 8 || s.len == 5) {
        return false;
    }
    if (two(s.p) > 23 || two(s.p + 2) > 59) {
        return false;
    }
    return s.len < 6 || two(s.p + 4) <= 59;
}

/* Digits of an N or R value, or -1 when the value is not a number of that type. */
static long numeric_digits(struct xd_slice v, bool decimal_point)
{
    size_t i = 0, digits = 0;
    bool point = false;
    if (v.len > 0 && v.p[0] == '-') {
        i = 1;
    }
    for (; i < v.len; i++) {
        char c = v.p[i];
        if (c >= '0' && c <= '9') {
            digits++;
        } else if (c == '.' && decimal_point && !point) {
            point = true;
        } else {
            return -1;
        }
    }
    return digits > 0 ? (long)digits : -1;
}

static bool chars_ok(struct xd_slice v)
{
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c < 0x20 || c == 0x7F) {
            return false;
        }
    }
    return true;
}

struct walk {
    const struct xd_x12__check_ctx *ctx;
    long problems;
    enum xd_status failed;
};

static void problem(struct walk *w, const char *code, unsigned el, unsigned comp, unsigned rep,
                    struct xd_slice v, const char *what)
{
    struct xd_x12__elem_problem p = {code, el, comp, rep, v, what, NULL, 0, 0, 0};
    w->problems++;
    if (w->failed == XD_OK) {
        enum xd_status st = w->ctx->report(w->ctx->report_ctx, &p);
        if (st != XD_OK) {
            w->failed = st;
        }
    }
}

/* Type and length of one simple value; NULL when fine, else the AK403 code and *what. */
static const char *check_simple(const struct xd_x12__elem *e, bool v5, struct xd_slice v,
                                const char **what)
{
    size_t len = v.len;
    unsigned max = (v5 && e->max5) ? e->max5 : e->max;
    switch ((enum xd_x12__type)e->type) {
    case XD_X12__N:
    case XD_X12__R: {
        long d = numeric_digits(v, e->type == XD_X12__R);
        if (d < 0) {
            *what = e->type == XD_X12__N ? "not a whole number" : "not a decimal number";
            return "6";
        }
        len = (size_t)d;
        break;
    }
    case XD_X12__DT:
        if (!all_digits(v.p, v.len)) {
            *what = "date is not numeric";
            return "8";
        }
        break;
    case XD_X12__TM:
        if (!all_digits(v.p, v.len)) {
            *what = "time is not numeric";
            return "9";
        }
        break;
    default:
        if (!chars_ok(v)) {
            *what = "invalid character (control character) in data element";
            return "6";
        }
        break;
    }
    if (len < e->min) {
        *what = "data element too short";
        return "4";
    }
    if (len > max) {
        *what = "data element too long";
        return "5";
    }
    if (e->type == XD_X12__DT && !xd_x12__date_valid(v)) {
        *what = "invalid date";
        return "8";
    }
    if (e->type == XD_X12__TM && !xd_x12__time_valid(v)) {
        *what = "invalid time";
        return "9";
    }
    if (e->type == XD_X12__ID && e->codes != NULL && !xd_x12__code_in(v, e->codes)) {
        *what = "invalid code value";
        return "7";
    }
    return NULL;
}

/* Evaluate relational notes over values vals[0..n-1] (position 1 = vals[0]). Presence is a
 * bit mask built once, so each note costs a few instructions. */
static void check_notes(struct walk *w, const char *const *notes, const struct xd_slice *vals,
                        size_t n, unsigned el, bool in_composite)
{
    if (notes == NULL) {
        return;
    }
    uint64_t mask = 0;
    for (size_t i = 0; i < n && i < 63; i++) {
        mask |= (uint64_t)(vals[i].len > 0) << (i + 1);
    }
    for (size_t k = 0; notes[k] != NULL; k++) {
        const char *s = notes[k];
        uint64_t set = 0;
        unsigned first = 0, second = 0;
        for (const char *q = s + 1; q[0] && q[1]; q += 2) {
            unsigned pos = two(q);
            set |= pos < 64 ? (uint64_t)1 << pos : 0;
            second = first != 0 && second == 0 ? pos : second;
            first = first == 0 ? pos : first;
        }
        uint64_t have = set & mask;
        if (have == 0 && s[0] != 'R') {
            continue; /* nothing present: only "at least one" can fail */
        }
        unsigned bad = 0;
        const char *code = "2";
        uint64_t absent = set & ~mask;
        bool first_present = first < 64 && (mask >> first) & 1;
        switch (s[0]) {
        case 'P':
            bad = absent ? (unsigned)__builtin_ctzll(absent) : 0;
            break;
        case 'R':
            bad = have == 0 ? first : 0;
            break;
        case 'E':
            if (__builtin_popcountll(have) > 1) {
                bad = (unsigned)__builtin_ctzll(have & (have - 1));
                code = "10";
            }
            break;
        case 'C':
            bad = first_present && absent ? (unsigned)__builtin_ctzll(absent) : 0;
            break;
        case 'L':
            bad = first_present && __builtin_popcountll(have) < 2 ? second : 0;
            break;
        default:
            break;
        }
        if (bad != 0) {
            const char *what = code[0] == '1' ? "exclusion condition violated"
                                              : "conditional required data element missing";
            struct xd_slice v = bad <= n ? vals[bad - 1] : empty_slice;
            problem(w, code, in_composite ? el : bad, in_composite ? bad : 0, 0, v, what);
        }
    }
}

static void check_value(struct walk *w, const struct xd_x12__elem *e, struct xd_slice v,
                        unsigned el, unsigned comp, unsigned rep);

static void check_composite(struct walk *w, const struct xd_x12__elem *e, struct xd_slice v,
                            unsigned el, unsigned rep)
{
    const struct xd_x12__composite *c = e->comp;
    struct xd_slice parts[MAX_COMPONENTS];
    size_t n = xd_x12__split(v, w->ctx->delims->component, parts, MAX_COMPONENTS);
    size_t stored = n < MAX_COMPONENTS ? n : MAX_COMPONENTS;
    for (size_t i = c->n; i < stored; i++) {
        if (parts[i].len > 0) {
            problem(w, w->ctx->v5 ? "13" : "6", el, (unsigned)i + 1, rep, parts[i],
                    "too many components");
            break;
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        check_value(w, &c->elems[i], i < stored ? parts[i] : empty_slice, el, (unsigned)i + 1, rep);
    }
    check_notes(w, c->notes, parts, stored < c->n ? stored : c->n, el, true);
}

static void check_value(struct walk *w, const struct xd_x12__elem *e, struct xd_slice v,
                        unsigned el, unsigned comp, unsigned rep)
{
    if (v.len == 0) {
        if (e->req == 'M') {
            problem(w, "1", el, comp, rep, v, "mandatory data element missing");
        }
        return;
    }
    if (e->type == XD_X12__COMP) {
        check_composite(w, e, v, el, rep);
        return;
    }
    const struct xd_x12_delims *d = w->ctx->delims;
    if (comp == 0 && memchr(v.p, d->component, v.len) != NULL) {
        problem(w, w->ctx->v5 ? "13" : "6", el, comp, rep, v,
                "component separator in a simple data element");
        return;
    }
    const char *what = NULL;
    const char *code = check_simple(e, w->ctx->v5, v, &what);
    if (code != NULL) {
        problem(w, code, el, comp, rep, v, what);
    }
}

static void check_element(struct walk *w, const struct xd_x12__elem *e, struct xd_slice v,
                          unsigned el)
{
    unsigned char rsep = w->ctx->delims->repetition;
    if (rsep == 0 || v.len == 0 || memchr(v.p, rsep, v.len) == NULL) {
        check_value(w, e, v, el, 0, e->repeat > 1 ? 1 : 0);
        return;
    }
    if (e->repeat <= 1) {
        problem(w, w->ctx->v5 ? "12" : "6", el, 0, 0, v,
                "repetition separator in a data element that does not repeat");
        return;
    }
    struct xd_slice reps[MAX_REPEATS];
    size_t n = xd_x12__split(v, rsep, reps, MAX_REPEATS);
    if (n > e->repeat) {
        problem(w, "12", el, 0, (unsigned)e->repeat + 1, v, "too many repetitions");
    }
    for (size_t i = 0; i < n && i < MAX_REPEATS && i < e->repeat; i++) {
        check_value(w, e, reps[i], el, 0, (unsigned)i + 1);
    }
}

long xd_x12__check_segment(const struct xd_x12__check_ctx *ctx, const struct xd_x12__segdef *def,
                           const struct xd_x12_segment *seg)
{
    struct walk w = {ctx, 0, XD_OK};
    size_t ndata = seg->count - 1;
    const struct xd_slice *vals = seg->elements + 1;
    for (size_t i = def->n; i < ndata; i++) {
        if (vals[i].len > 0) {
            problem(&w, "3", (unsigned)i + 1, 0, 0, vals[i], "too many data elements");
            break;
        }
    }
    size_t upto = ndata < def->n ? ndata : def->n;
    for (size_t i = 0; i < upto; i++) {
        if (vals[i].len > 0) {
            check_element(&w, &def->elems[i], vals[i], (unsigned)i + 1);
        } else if (def->elems[i].req == 'M') {
            problem(&w, "1", (unsigned)i + 1, 0, 0, vals[i], "mandatory data element missing");
        }
    }
    for (size_t i = upto; i < def->n; i++) {
        if (def->elems[i].req == 'M') {
            problem(&w, "1", (unsigned)i + 1, 0, 0, empty_slice, "mandatory data element missing");
        }
    }
    check_notes(&w, def->notes, vals, ndata < def->n ? ndata : def->n, 0, false);
    return w.failed != XD_OK ? (long)w.failed : w.problems;
}
