/* SPDX-License-Identifier: MIT
 * Data element checks: presence, type (AN, ID, Nn, R, DT, TM), length, code lists, composites,
 * repetitions and the relational syntax notes of a segment. Each problem carries the AK403
 * code it will have in a 997 (IK403 in a 999). Lengths of N and R count digits only, as X12
 * defines them (sign and decimal point excluded). */
#include <string.h>

#include "x12/x12_int.h"

#define NOTE_MAX_POSITIONS    10
#define MAX_COMPONENTS        32
#define MAX_REPEATS           100
#define OBSOLETE_MAX_ELEMENTS 16 /* segments with an obsolete rule are short (DTM: 6) */

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

/* The usual spelling of an amount, digits with at most one decimal point between digits and
 * at most 18 digits in all (so no overflow), read as xd_decimal_parse reads it; false for
 * anything else (a sign, a leading or trailing point, more digits), left to that parser. */
static bool plain_amount(struct xd_slice s, struct xd_decimal *out)
{
    uint64_t units = 0;
    size_t digits = 0, point = 0; /* point: digits before it, when there is one */
    bool have_point = false;
    if (s.len == 0 || s.len > 19) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned)(unsigned char)s.p[i] - '0';
        if (d <= 9) {
            units = units * 10 + d;
            digits++;
        } else if (s.p[i] == '.' && !have_point && digits > 0) {
            have_point = true;
            point = digits;
        } else {
            return false;
        }
    }
    if (digits > 18 || (have_point && point == digits)) {
        return false;
    }
    *out = (struct xd_decimal){(int64_t)units, (int16_t)(have_point ? digits - point : 0)};
    return true;
}

bool xd_x12__parse_amount(struct xd_slice s, int implied_decimals, struct xd_decimal *out)
{
    struct xd_decimal d;
    if (!plain_amount(s, &d) && xd_decimal_parse(s.p, s.len, XD_DECIMAL_LENIENT, &d) != XD_OK) {
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
    const struct xd_x12_segment *seg;
    long problems;
    enum xd_status failed;
};

static void problem_dev(struct walk *w, const char *code, enum xd_x12__deviation dev, unsigned el,
                        unsigned comp, unsigned rep, struct xd_slice v, const char *what)
{
    struct xd_x12__elem_problem p = {code, dev, el, comp, rep, v, what, NULL, 0, 0, 0};
    w->problems++;
    if (w->failed == XD_OK) {
        enum xd_status st = w->ctx->report(w->ctx->report_ctx, &p);
        if (st != XD_OK) {
            w->failed = st;
        }
    }
}

static void problem(struct walk *w, const char *code, unsigned el, unsigned comp, unsigned rep,
                    struct xd_slice v, const char *what)
{
    problem_dev(w, code, XD_X12__DEV_NONE, el, comp, rep, v, what);
}

/* May elements[i] of the segment hold what <mask> marks? Exact below 63, a hint from 63 on
 * (the reader's masks, struct xd_x12_segment). */
static bool marked(uint64_t mask, size_t i)
{
    return (mask >> (i < 63 ? i : 63)) & 1;
}

/* Type and length of one simple value; NULL when fine, else the AK403 code and *what.
 * <scan> when the element may hold a control character or delimiter byte (else the
 * character check of AN and ID values is already known to pass). */
static inline const char *check_simple(const struct xd_x12__elem *e, bool v5, struct xd_slice v,
                                       bool scan, const char **what)
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
        if (scan && !chars_ok(v)) {
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

/* check_simple of a value holding no delimiter or control character, as a yes or no: the same
 * conditions, tested without choosing a problem to report. */
static inline __attribute__((always_inline)) bool simple_ok(const struct xd_x12__elem *e, bool v5,
                                                            struct xd_slice v)
{
    size_t len = v.len;
    unsigned max = v5 && e->max5 ? e->max5 : e->max;
    /* AN and ID (most values) before the switch: its jump through a table was the most
     * mispredicted branch of validation (perf). */
    if (e->type == XD_X12__AN || e->type == XD_X12__ID) {
        return len >= e->min && len <= max &&
               (e->type == XD_X12__AN || e->codes == NULL || xd_x12__code_in(v, e->codes));
    }
    switch ((enum xd_x12__type)e->type) {
    case XD_X12__N:
    case XD_X12__R: {
        long d = numeric_digits(v, e->type == XD_X12__R);
        return d >= 0 && (size_t)d >= e->min && (size_t)d <= max;
    }
    case XD_X12__DT:
        return len >= e->min && len <= max && xd_x12__date_valid(v);
    case XD_X12__TM:
        return len >= e->min && len <= max && xd_x12__time_valid(v);
    default:
        return false;
    }
}

/* Does the violation at position <bad> (1-based) leave a qualifier or unit without the element
 * it qualifies, or that element without its qualifier? <mask> has bit n set when position n
 * holds a value. Then the reading is ambiguous and the violation is an error. */
static bool dangling(const struct xd_x12__elem *defs, size_t n, uint64_t mask, unsigned bad)
{
    bool bad_present = (mask >> bad) & 1;
    if (bad == 0 || bad > n) {
        return false;
    }
    unsigned char q = defs[bad - 1].qual;
    if (q == XD_X12__Q_NEXT && bad < n && bad + 1 < 64 &&
        ((mask >> (bad + 1)) & 1) != bad_present) {
        return true;
    }
    if (q == XD_X12__Q_PREV && bad > 1 && ((mask >> (bad - 1)) & 1) != bad_present) {
        return true;
    }
    if (bad > 1 && defs[bad - 2].qual == XD_X12__Q_NEXT &&
        ((mask >> (bad - 1)) & 1) != bad_present) {
        return true;
    }
    return bad < n && bad + 1 < 64 && defs[bad].qual == XD_X12__Q_PREV &&
           ((mask >> (bad + 1)) & 1) != bad_present;
}

/* Position a violated note points at (0 when the note holds). */
static unsigned note_violation(const struct xd_x12__note *nt, uint64_t mask, const char **code)
{
    uint64_t have = nt->mask & mask;
    uint64_t absent = nt->mask & ~mask;
    bool first_present = (mask >> nt->first) & 1;
    *code = "2";
    switch (nt->kind) {
    case 'P':
        return have && absent ? (unsigned)__builtin_ctzll(absent) : 0;
    case 'R':
        return have == 0 ? nt->first : 0;
    case 'E':
        if (__builtin_popcountll(have) > 1) {
            *code = "10";
            return (unsigned)__builtin_ctzll(have & (have - 1));
        }
        return 0;
    case 'C':
        return first_present && absent ? (unsigned)__builtin_ctzll(absent) : 0;
    case 'L':
        return first_present && __builtin_popcountll(have) < 2 ? nt->second : 0;
    default:
        return 0;
    }
}

/* Evaluate relational notes over values vals[0..n-1] (position 1 = vals[0]), whose definitions
 * are defs[0..n-1]. Presence is a bit mask built once; each compiled note is a few
 * instructions. A violation is a warning (XD_X12__DEV_RELATIONAL) unless it leaves a
 * qualifier dangling. */
static uint64_t presence(const struct xd_slice *vals, size_t n)
{
    uint64_t mask = 0;
    for (size_t i = 0; i < n && i < 63; i++) {
        mask |= (uint64_t)(vals[i].len > 0) << (i + 1);
    }
    return mask;
}

static void check_notes(struct walk *w, const struct xd_x12__note *notes,
                        const struct xd_x12__elem *defs, size_t ndefs, uint64_t mask,
                        const struct xd_slice *vals, size_t n, unsigned el, bool in_composite)
{
    for (const struct xd_x12__note *nt = notes; nt->kind != 0; nt++) {
        /* Nearly every note has all its positions present or none: then only R (none) or E
         * (all, of two or more) can fail. */
        uint64_t have = nt->mask & mask;
        if ((have == 0 && nt->kind != 'R') || (have == nt->mask && nt->kind != 'E')) {
            continue;
        }
        const char *code;
        unsigned bad = note_violation(nt, mask, &code);
        if (bad == 0) {
            continue;
        }
        bool exclusion = code[0] == '1';
        const char *what = exclusion ? "exclusion condition violated"
                                     : "conditional required data element missing";
        enum xd_x12__deviation dev = !exclusion && dangling(defs, ndefs, mask, bad)
                                         ? XD_X12__DEV_NONE
                                         : XD_X12__DEV_RELATIONAL;
        struct xd_slice v = bad <= n ? vals[bad - 1] : empty_slice;
        problem_dev(w, code, dev, in_composite ? el : bad, in_composite ? bad : 0, 0, v, what);
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
    size_t upto = stored < c->n ? stored : c->n;
    if (c->notes != NULL) {
        check_notes(w, c->notes, c->elems, c->n, presence(parts, upto), parts, upto, el, true);
    }
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
    if (comp == 0 && marked(w->seg->components, el) && memchr(v.p, d->component, v.len) != NULL) {
        /* No escape exists in X12, so the byte can only be data here: read it as such. */
        problem_dev(w, w->ctx->v5 ? "13" : "6", XD_X12__DEV_DELIMITER, el, comp, rep, v,
                    "component separator in a simple data element, read as data");
    }
    const char *what = NULL;
    bool scan = marked(w->seg->controls | w->seg->components | w->seg->repetitions, el);
    const char *code = check_simple(e, w->ctx->v5, v, scan, &what);
    if (code != NULL) {
        problem(w, code, el, comp, rep, v, what);
    }
}

static void check_element(struct walk *w, const struct xd_x12__elem *e, struct xd_slice v,
                          unsigned el)
{
    unsigned char rsep = w->ctx->delims->repetition;
    if (rsep == 0 || !marked(w->seg->repetitions, el) || memchr(v.p, rsep, v.len) == NULL) {
        check_value(w, e, v, el, 0, e->repeat > 1 ? 1 : 0);
        return;
    }
    if (e->repeat <= 1) {
        problem_dev(w, w->ctx->v5 ? "12" : "6", XD_X12__DEV_DELIMITER, el, 0, 0, v,
                    "repetition separator in a data element that does not repeat, read as data");
        check_value(w, e, v, el, 0, 0);
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

/* An element written as an older version defined it (table xd_x12__obsolete): reported as a
 * warning and blanked in <vals> so the current definition's checks do not see it; returns
 * the position blanked, or 0. */
static unsigned check_obsolete(struct walk *w, const struct xd_x12__obsolete *o,
                               struct xd_slice *vals, size_t n)
{
    if (o->kind != XD_X12__OBS_CENTURY || o->element > n || o->date_element > n) {
        return 0;
    }
    struct xd_slice c = vals[o->element - 1], date = vals[o->date_element - 1];
    bool century = c.len == 2 && all_digits(c.p, 2) &&
                   (date.len == 6 || (date.len == 8 && memcmp(date.p, c.p, 2) == 0));
    if (!century) {
        return 0;
    }
    problem_dev(w, "7", XD_X12__DEV_OBSOLETE, o->element, 0, 0, c,
                "a century, as element 624 was before 004010; read as the date's century");
    vals[o->element - 1] = empty_slice;
    return o->element;
}

static void facts_fill(const struct xd_x12__segdef *def, struct xd_x12__seg_facts *f)
{
    *f = (struct xd_x12__seg_facts){.mandatory = 1, .indexed = true, .clean_mask = 1};
    for (size_t i = 0; i < def->n && i < 62; i++) {
        f->mandatory |= def->elems[i].req == 'M' ? (uint64_t)1 << (i + 1) : 0;
    }
    for (size_t i = 0; def->notes != NULL && def->notes[i].kind != 0; i++) {
        const struct xd_x12__note *nt = &def->notes[i];
        if (i >= 64) {
            f->indexed = false;
        } else if (nt->kind == 'P' && nt->first < 63 && nt->mask == (uint64_t)3 << nt->first) {
            f->pairs |= (uint64_t)1 << nt->first;
        } else {
            f->others |= (uint64_t)1 << i;
        }
    }
}

/* The facts of <def>: from the context's cache (filled on first use), or into <tmp>. */
static struct xd_x12__seg_facts *facts_of(const struct xd_x12__check_ctx *ctx,
                                          const struct xd_x12__segdef *def,
                                          struct xd_x12__seg_facts *tmp)
{
    struct xd_x12__seg_facts *f = ctx->facts != NULL ? &ctx->facts[def->ordinal] : tmp;
    if (f->mandatory == 0 || f == tmp) {
        facts_fill(def, f);
    }
    return f;
}

/* Do all of the segment's notes hold? The paired positions (P0607 ...: both or neither) at
 * once, the others one by one. false sends the caller to check_notes, which reports in
 * order. */
static bool notes_hold(const struct xd_x12__note *notes, const struct xd_x12__seg_facts *f,
                       uint64_t mask)
{
    if (!f->indexed || ((mask ^ (mask >> 1)) & f->pairs) != 0) {
        return false;
    }
    for (uint64_t o = f->others; o != 0; o &= o - 1) {
        const struct xd_x12__note *nt = &notes[__builtin_ctzll(o)];
        uint64_t have = nt->mask & mask;
        if ((have == 0 && nt->kind != 'R') || (have == nt->mask && nt->kind != 'E')) {
            continue;
        }
        const char *code;
        if (note_violation(nt, mask, &code) != 0) {
            return false;
        }
    }
    return true;
}

/* Mandatory positions after the <upto> the segment has, in order. */
static void missing_after(struct walk *w, const struct xd_x12__segdef *def,
                          const struct xd_x12__seg_facts *f, size_t upto)
{
    if (upto >= def->n) {
        return;
    }
    uint64_t m = f->mandatory;
    /* Positions upto+1 .. 62 from the mask, any later ones from the table. */
    m &= upto + 1 < 63 ? ~(((uint64_t)1 << (upto + 1)) - 1) : 0;
    for (; m != 0; m &= m - 1) {
        unsigned pos = (unsigned)__builtin_ctzll(m);
        problem(w, "1", pos, 0, 0, empty_slice, "mandatory data element missing");
    }
    for (size_t i = upto > 62 ? upto : 62; i < def->n; i++) {
        if (def->elems[i].req == 'M') {
            problem(w, "1", (unsigned)i + 1, 0, 0, empty_slice, "mandatory data element missing");
        }
    }
}

long xd_x12__check_segment(const struct xd_x12__check_ctx *ctx, const struct xd_x12__segdef *def,
                           const struct xd_x12_segment *seg)
{
    struct walk w = {ctx, seg, 0, XD_OK};
    size_t ndata = seg->count - 1;
    const struct xd_slice *vals = seg->elements + 1;
    /* Bit n = position n present: the reader's mask, exact below 63. */
    uint64_t mask = ndata < 63 ? seg->present & ~(uint64_t)1 : presence(vals, ndata);
    struct xd_slice fixed[OBSOLETE_MAX_ELEMENTS];
    if (def->obsolete != NULL && ndata <= OBSOLETE_MAX_ELEMENTS) {
        memcpy(fixed, vals, ndata * sizeof *vals);
        unsigned blanked = check_obsolete(&w, def->obsolete, fixed, ndata);
        mask &= blanked ? ~((uint64_t)1 << blanked) : ~(uint64_t)0;
        vals = fixed;
    }
    for (size_t i = def->n; i < ndata; i++) {
        if (vals[i].len > 0) {
            problem(&w, "3", (unsigned)i + 1, 0, 0, vals[i], "too many data elements");
            break;
        }
    }
    size_t upto = ndata < def->n ? ndata : def->n;
    /* Elements holding no delimiter or control character (nearly all) are simple values
     * checked here at once; the others go through check_element. */
    uint64_t marks = seg->components | seg->repetitions | seg->controls;
    for (size_t i = 0; i < upto; i++) {
        const struct xd_x12__elem *e = &def->elems[i];
        if (vals[i].len == 0) {
            if (e->req == 'M') {
                problem(&w, "1", (unsigned)i + 1, 0, 0, vals[i], "mandatory data element missing");
            }
        } else if (e->type != XD_X12__COMP && !marked(marks, i + 1)) {
            const char *what = NULL;
            const char *code = check_simple(e, ctx->v5, vals[i], false, &what);
            if (code != NULL) {
                problem(&w, code, (unsigned)i + 1, 0, e->repeat > 1 ? 1 : 0, vals[i], what);
            }
        } else {
            check_element(&w, e, vals[i], (unsigned)i + 1);
        }
    }
    struct xd_x12__seg_facts tmp;
    const struct xd_x12__seg_facts *facts = facts_of(ctx, def, &tmp);
    missing_after(&w, def, facts, upto);
    if (def->notes != NULL && !notes_hold(def->notes, facts, mask)) {
        check_notes(&w, def->notes, def->elems, def->n, mask, vals, upto, 0, false);
    }
    return w.failed != XD_OK ? (long)w.failed : w.problems;
}

/* The present elements (absent ones can only fail by being mandatory), each with simple_ok.
 * Inlined with <v5> a constant, so each version's loop reads one maximum length. */
static inline __attribute__((always_inline)) bool values_ok(const struct xd_x12__segdef *def,
                                                            const struct xd_x12_segment *seg,
                                                            uint64_t mask, bool v5)
{
    for (uint64_t m = mask; m != 0; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctzll(m);
        if (!simple_ok(&def->elems[i - 1], v5, seg->elements[i])) {
            return false;
        }
    }
    return true;
}

bool xd_x12__segment_clean(const struct xd_x12__check_ctx *ctx, const struct xd_x12__segdef *def,
                           const struct xd_x12_segment *seg)
{
    size_t ndata = seg->count - 1;
    /* What the masks cannot answer exactly goes to the full check. */
    if (ndata >= 63 || def->n > 62 || (seg->components | seg->repetitions | seg->controls) != 0) {
        return false;
    }
    uint64_t mask = seg->present & ~(uint64_t)1;
    struct xd_x12__seg_facts tmp;
    struct xd_x12__seg_facts *facts = facts_of(ctx, def, &tmp);
    if (mask != facts->clean_mask) {
        if ((mask >> (def->n + 1)) != 0) {
            return false; /* too many data elements */
        }
        if (def->obsolete != NULL && ((mask >> def->obsolete->element) & 1) != 0) {
            return false; /* may be written as an older version defined it */
        }
        if ((facts->mandatory & ~(uint64_t)1 & ~mask) != 0) {
            return false; /* a mandatory element missing */
        }
        if (def->notes != NULL && !notes_hold(def->notes, facts, mask)) {
            return false;
        }
        facts->clean_mask = mask;
    }
    return ctx->v5 ? values_ok(def, seg, mask, true) : values_ok(def, seg, mask, false);
}
