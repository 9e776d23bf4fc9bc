/* SPDX-License-Identifier: MIT
 * Checks that need more than one segment: the HL parent/child structure (856), the CTT line
 * count and hash total, and the 810's TDS total (lines + charges - allowances + taxes).
 * HL problems are errors; totals that do not add up are reported through <total_fn>, which
 * the validator makes warnings unless strict totals were asked for. */
#include <string.h>

#include "x12/x12_int.h"

#define HL_HAS_CHILDREN 1
#define HL_NO_CHILDREN  2

struct xd_x12__totals {
    const struct xd_x12__setdef *def;
    uint32_t line_codes[2], hash_code; /* the def's segment IDs, xd_x12__id_code */
    uint64_t lines[2];
    struct xd_decimal hash; /* sum of values */
    uint64_t digit_hash;    /* X12 hash: digits summed without decimal point */
    bool hash_ok;
    /* 810 TDS */
    struct xd_decimal amount; /* lines + charges - allowances + taxes */
    bool amount_ok;
    bool have_tds;
    struct xd_decimal tds;
    char tds_value[20];
    uint64_t tds_position, tds_index, tds_offset;
    uint64_t position; /* segments seen, ST = 1 */
    /* HL */
    struct xd_x12__idset hl;
    uint64_t hl_count;
};

enum xd_status xd_x12__totals_begin(const struct xd_x12__setdef *def, struct xd_x12__totals **out)
{
    struct xd_x12__totals *t = xd_calloc(1, sizeof *t);
    if (t == NULL) {
        return XD_ENOMEM;
    }
    xd_x12__idset_init(&t->hl, XD_X12_MAX_HL_PER_SET);
    xd_x12__totals_reset(t, def);
    *out = t;
    return XD_OK;
}

void xd_x12__totals_reset(struct xd_x12__totals *t, const struct xd_x12__setdef *def)
{
    /* Field by field, only what a set reads before writing: a memset of the whole struct ran
     * as rep stos, slow to start (2% of validation time, perf). The segment ID codes are the
     * table's, kept while the sets are of one kind. */
    if (t->def != def) {
        t->def = def;
        t->line_codes[0] = xd_x12__id_code_str(def->line_segments[0]);
        t->line_codes[1] = xd_x12__id_code_str(def->line_segments[1]);
        t->hash_code = xd_x12__id_code_str(def->hash_segment);
    }
    t->lines[0] = t->lines[1] = 0;
    t->hash = (struct xd_decimal){0, 0};
    t->digit_hash = 0;
    t->hash_ok = true;
    t->amount = (struct xd_decimal){0, 0};
    t->amount_ok = true;
    t->have_tds = false; /* tds and its value and place are read only when set */
    t->position = 1;
    t->hl_count = 0;
    if (def->hl_structure) {
        xd_x12__idset_clear(&t->hl);
    }
}

void xd_x12__totals_free(struct xd_x12__totals *t)
{
    if (t == NULL) {
        return;
    }
    xd_x12__idset_cleanup(&t->hl);
    xd_free(t);
}

static struct xd_slice elem(const struct xd_x12_segment *seg, size_t i)
{
    return i < seg->count ? seg->elements[i] : (struct xd_slice){"", 0};
}

static enum xd_status problem(xd_x12__problem_fn fn, void *ctx, const char *code, unsigned el,
                              struct xd_slice v, const char *what)
{
    struct xd_x12__elem_problem p = {code, XD_X12__DEV_NONE, el, 0, 0, v, what, NULL, 0, 0, 0};
    return fn(ctx, &p);
}

/* true and *out for a whole number of up to 18 digits (nearly every count and quantity); such
 * a value is read here without the general decimal parser. */
static bool small_count(struct xd_slice v, uint64_t *out)
{
    uint64_t n = 0;
    if (v.len == 0 || v.len > 18) {
        return false;
    }
    for (size_t i = 0; i < v.len; i++) {
        unsigned digit = (unsigned)(unsigned char)v.p[i] - '0';
        if (digit > 9) {
            return false;
        }
        n = n * 10 + digit;
    }
    *out = n;
    return true;
}

static XD_X12__OUT_OF_LINE void add_hash(struct xd_x12__totals *t, struct xd_slice v)
{
    struct xd_decimal d;
    uint64_t n;
    if (small_count(v, &n)) {
        /* What xd_x12__parse_amount reads from such a value, and its digits modulo 10^10
         * (the X12 hash below computes the same remainder digit by digit). */
        d = (struct xd_decimal){(int64_t)n, 0};
        int64_t sum;
        if (t->hash.scale == 0 && !__builtin_add_overflow(t->hash.units, d.units, &sum)) {
            t->hash.units = sum; /* whole numbers: what xd_decimal_add gives, without i128 */
        } else if (xd_decimal_add(t->hash, d, &t->hash) != XD_OK) {
            t->hash_ok = false;
        }
        t->digit_hash = (t->digit_hash + n % 10000000000ULL) % 10000000000ULL;
        return;
    }
    if (!xd_x12__parse_amount(v, 0, &d) || xd_decimal_add(t->hash, d, &t->hash) != XD_OK) {
        t->hash_ok = false;
    }
    uint64_t digits = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] >= '0' && v.p[i] <= '9') {
            digits = digits * 10 + (uint64_t)(v.p[i] - '0');
            digits %= 10000000000ULL;
        }
    }
    t->digit_hash = (t->digit_hash + digits) % 10000000000ULL;
}

static void add_amount(struct xd_x12__totals *t, struct xd_decimal d, bool subtract)
{
    if (!t->amount_ok) {
        return;
    }
    enum xd_status st = subtract ? xd_decimal_sub(t->amount, d, &t->amount)
                                 : xd_decimal_add(t->amount, d, &t->amount);
    t->amount_ok = st == XD_OK;
}

/* 810: IT102 x IT104 per line, SAC05 (N2) as charge or allowance, TXI02 taxes. */
static XD_X12__OUT_OF_LINE void track_amount(struct xd_x12__totals *t,
                                             const struct xd_x12_segment *seg, uint32_t id)
{
    struct xd_decimal a, b, p;
    if (id == XD_X12__ID3('I', 'T', '1')) {
        if (elem(seg, 2).len && elem(seg, 4).len) {
            if (xd_x12__parse_amount(elem(seg, 2), 0, &a) &&
                xd_x12__parse_amount(elem(seg, 4), 0, &b) && xd_decimal_mul(a, b, &p) == XD_OK) {
                add_amount(t, p, false);
            } else {
                t->amount_ok = false;
            }
        }
    } else if (id == XD_X12__ID3('S', 'A', 'C') && elem(seg, 5).len) {
        if (xd_x12__parse_amount(elem(seg, 5), 2, &a)) {
            char kind = elem(seg, 1).len == 1 ? elem(seg, 1).p[0] : 'N';
            if (kind == 'A' || kind == 'C') {
                add_amount(t, a, kind == 'A');
            }
        } else {
            t->amount_ok = false;
        }
    } else if (id == XD_X12__ID3('T', 'X', 'I') && elem(seg, 2).len) {
        if (xd_x12__parse_amount(elem(seg, 2), 0, &a)) {
            add_amount(t, a, false);
        } else {
            t->amount_ok = false;
        }
    } else if (id == XD_X12__ID3('T', 'D', 'S') && !t->have_tds) {
        t->have_tds = xd_x12__parse_amount(elem(seg, 1), 2, &t->tds);
        xd_x12__copy(t->tds_value, sizeof t->tds_value, elem(seg, 1));
        t->tds_position = t->position;
        t->tds_index = seg->index;
        t->tds_offset = seg->offset;
    }
}

static XD_X12__OUT_OF_LINE enum xd_status check_ctt(struct xd_x12__totals *t,
                                                    const struct xd_x12_segment *seg,
                                                    xd_x12__problem_fn total_fn, void *ctx)
{
    const struct xd_x12__setdef *def = t->def;
    uint64_t n;
    struct xd_slice v1 = elem(seg, 1), v2 = elem(seg, 2);
    if (def->line_segments[0] != NULL && (small_count(v1, &n) || xd_x12__parse_count(v1, &n)) &&
        n != t->lines[0] && (def->line_segments[1] == NULL || n != t->lines[1])) {
        enum xd_status st =
            problem(total_fn, ctx, "7", 1, v1, "CTT01 does not match the number of line items");
        if (st != XD_OK) {
            return st;
        }
    }
    if (def->hash_segment != NULL && v2.len > 0) {
        struct xd_decimal d;
        uint64_t digits;
        bool sum_matches, digits_match;
        if (small_count(v2, &digits)) { /* read as the two calls below would */
            d = (struct xd_decimal){(int64_t)digits, 0};
            sum_matches = t->hash_ok && xd_decimal_cmp(d, t->hash) == 0;
            digits_match = digits == t->digit_hash;
        } else {
            sum_matches =
                t->hash_ok && xd_x12__parse_amount(v2, 0, &d) && xd_decimal_cmp(d, t->hash) == 0;
            digits_match = xd_x12__parse_count(v2, &digits) && digits == t->digit_hash;
        }
        if (!sum_matches && !digits_match) {
            return problem(total_fn, ctx, "7", 2, v2, "CTT02 hash total does not match");
        }
    }
    return XD_OK;
}

static XD_X12__OUT_OF_LINE enum xd_status check_hl(struct xd_x12__totals *t,
                                                   const struct xd_x12_segment *seg,
                                                   xd_x12__problem_fn error_fn, void *ctx)
{
    struct xd_slice id = elem(seg, 1), parent = elem(seg, 2), child = elem(seg, 4);
    uint8_t flags = child.len == 1 && child.p[0] == '0'   ? HL_NO_CHILDREN
                    : child.len == 1 && child.p[0] == '1' ? HL_HAS_CHILDREN
                                                          : 0;
    enum xd_status st;
    t->hl_count++;
    if (parent.len > 0) {
        uint8_t pflags = 0;
        if (!xd_x12__idset_get(&t->hl, parent, &pflags)) {
            st = problem(error_fn, ctx, "7", 2, parent,
                         "HL02 names a parent that does not precede it in the set");
        } else if (pflags == HL_NO_CHILDREN) {
            st = problem(error_fn, ctx, "7", 2, parent,
                         "HL02 names a parent whose HL04 says it has no children");
        } else {
            st = XD_OK;
        }
        if (st != XD_OK) {
            return st;
        }
    } else if (t->hl_count > 1 && t->hl.used > 0) {
        st = problem(error_fn, ctx, "1", 2, parent,
                     "HL02 missing: only the first HL of a set may be a root");
        if (st != XD_OK) {
            return st;
        }
    }
    if (id.len == 0) {
        return XD_OK; /* reported as a missing mandatory element */
    }
    bool found = false;
    st = xd_x12__idset_add(&t->hl, id, flags, &found, NULL);
    if (st == XD_ETOOBIG) {
        return XD_OK; /* past the cap the loop's maximum use is reported instead */
    }
    if (st != XD_OK) {
        return st;
    }
    return found ? problem(error_fn, ctx, "7", 1, id, "HL01 is not unique within the set") : XD_OK;
}

enum xd_status xd_x12__totals_segment(struct xd_x12__totals *t, const struct xd_x12_segment *seg,
                                      uint32_t id, xd_x12__problem_fn error_fn,
                                      xd_x12__problem_fn total_fn, void *ctx)
{
    const struct xd_x12__setdef *def = t->def;
    t->position++;
    if (id == 0) {
        return XD_OK; /* not a segment ID: none of those below */
    }
    /* Kept small (the rest out of line): it runs for every segment, and most are counted
     * at most. */
    t->lines[0] += id == t->line_codes[0];
    t->lines[1] += id == t->line_codes[1];
    if (id == t->hash_code && def->hash_element < seg->count &&
        seg->elements[def->hash_element].len > 0) {
        add_hash(t, seg->elements[def->hash_element]);
    }
    if (def->tds_total) {
        track_amount(t, seg, id);
    }
    if (def->hl_structure && id == XD_X12__ID3('H', 'L', 0)) {
        return check_hl(t, seg, error_fn, ctx);
    }
    if (id == XD_X12__ID3('C', 'T', 'T')) {
        return check_ctt(t, seg, total_fn, ctx);
    }
    return XD_OK;
}

enum xd_status xd_x12__totals_end(struct xd_x12__totals *t, xd_x12__problem_fn total_fn, void *ctx)
{
    if (!t->def->tds_total || !t->have_tds || !t->amount_ok) {
        return XD_OK;
    }
    struct xd_decimal expect;
    if (xd_decimal_rescale(t->amount, 2, XD_ROUND_HALF_UP, &expect) != XD_OK ||
        xd_decimal_cmp(expect, t->tds) == 0) {
        return XD_OK;
    }
    char buf[XD_DECIMAL_STR_MAX];
    xd_decimal_format(expect, buf, sizeof buf);
    (void)buf;
    struct xd_x12__elem_problem p = {
        "7",
        XD_X12__DEV_TOTALS,
        1,
        0,
        0,
        xd_slice_from_cstr(t->tds_value),
        "TDS01 does not equal the lines plus charges, less allowances, "
        "plus taxes",
        "TDS",
        t->tds_position,
        t->tds_index,
        t->tds_offset};
    return total_fn(ctx, &p);
}
