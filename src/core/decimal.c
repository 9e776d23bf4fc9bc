/* SPDX-License-Identifier: MIT
 * Exact decimal arithmetic on scaled int64 values. Intermediate products and comparisons use
 * a 128-bit integer so that only the final result needs a range check. */
#include "core/decimal.h"

#include <string.h>

__extension__ typedef __int128 i128;

static const int64_t pow10_tab[19] = {1LL,
                                      10LL,
                                      100LL,
                                      1000LL,
                                      10000LL,
                                      100000LL,
                                      1000000LL,
                                      10000000LL,
                                      100000000LL,
                                      1000000000LL,
                                      10000000000LL,
                                      100000000000LL,
                                      1000000000000LL,
                                      10000000000000LL,
                                      100000000000000LL,
                                      1000000000000000LL,
                                      10000000000000000LL,
                                      100000000000000000LL,
                                      1000000000000000000LL};

static bool fits_i64(i128 v)
{
    return v >= (i128)INT64_MIN && v <= (i128)INT64_MAX;
}

static i128 pow10_128(int k)
{
    i128 r = 1;
    while (k-- > 0) {
        r *= 10;
    }
    return r;
}

/* Divide <num> by <den> (> 0) and round the quotient as <mode> says. */
static i128 div_round(i128 num, i128 den, enum xd_decimal_rounding mode)
{
    i128 q = num / den;
    i128 r = num % den;
    if (r == 0 || mode == XD_ROUND_DOWN) {
        return q;
    }
    i128 ar = r < 0 ? -r : r;
    int neg = num < 0;
    int away;
    if (2 * ar > den) {
        away = 1;
    } else if (2 * ar < den) {
        away = 0;
    } else if (mode == XD_ROUND_HALF_UP) {
        away = 1;
    } else {
        away = (q % 2) != 0; /* half-even: round to the even neighbour */
    }
    if (away) {
        q += neg ? -1 : 1;
    }
    return q;
}

enum xd_status xd_decimal_parse(const char *s, size_t len, enum xd_decimal_parse_mode mode,
                                struct xd_decimal *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '-' || (mode == XD_DECIMAL_LENIENT && s[i] == '+'))) {
        neg = s[i] == '-';
        i++;
    }
    size_t int_start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
    }
    size_t int_digits = i - int_start;
    size_t frac_digits = 0;
    size_t frac_start = 0;
    int has_point = 0;
    if (i < len && s[i] == '.') {
        has_point = 1;
        i++;
        frac_start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        frac_digits = i - frac_start;
    }
    if (i != len || int_digits + frac_digits == 0) {
        return XD_EPARSE;
    }
    if (mode == XD_DECIMAL_STRICT) {
        if (int_digits == 0 || (has_point && frac_digits == 0)) {
            return XD_EPARSE;
        }
        if (int_digits > 1 && s[int_start] == '0') {
            return XD_EPARSE;
        }
    }
    if (frac_digits > XD_DECIMAL_MAX_SCALE) {
        return XD_ETOOBIG;
    }
    i128 v = 0;
    for (size_t k = int_start; k < int_start + int_digits; k++) {
        v = v * 10 + (s[k] - '0');
        if (v > (i128)INT64_MAX + 1) {
            return XD_ETOOBIG;
        }
    }
    for (size_t k = frac_start; k < frac_start + frac_digits; k++) {
        v = v * 10 + (s[k] - '0');
        if (v > (i128)INT64_MAX + 1) {
            return XD_ETOOBIG;
        }
    }
    if (neg) {
        v = -v;
    }
    if (!fits_i64(v)) {
        return XD_ETOOBIG;
    }
    if (mode == XD_DECIMAL_STRICT && neg && v == 0) {
        return XD_EPARSE; /* "-0.00" would not survive a round trip */
    }
    out->units = (int64_t)v;
    out->scale = (int16_t)frac_digits;
    return XD_OK;
}

size_t xd_decimal_format(struct xd_decimal d, char *buf, size_t cap)
{
    char tmp[XD_DECIMAL_STR_MAX + 4];
    size_t n = 0;
    /* Work on the magnitude as unsigned so INT64_MIN is representable. */
    uint64_t mag = d.units < 0 ? (uint64_t)0 - (uint64_t)d.units : (uint64_t)d.units;
    int scale = d.scale;
    int digits = 0;
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
        digits++;
        if (digits == scale) {
            tmp[n++] = '.';
        }
    } while (mag != 0 || digits <= scale);
    if (tmp[n - 1] == '.') {
        tmp[n++] = '0';
    }
    if (d.units < 0) {
        tmp[n++] = '-';
    }
    size_t out = n < cap ? n : (cap ? cap - 1 : 0);
    for (size_t k = 0; k < out; k++) {
        buf[k] = tmp[n - 1 - k];
    }
    if (cap) {
        buf[out] = '\0';
    }
    return out;
}

struct xd_decimal xd_decimal_from_int(int64_t v)
{
    return (struct xd_decimal){v, 0};
}

bool xd_decimal_to_int(struct xd_decimal d, int64_t *out)
{
    int64_t p = pow10_tab[d.scale];
    if (d.units % p != 0) {
        return false;
    }
    *out = d.units / p;
    return true;
}

/* Both values at the larger scale, as 128-bit integers. */
static int align(struct xd_decimal a, struct xd_decimal b, i128 *ua, i128 *ub)
{
    int s = a.scale > b.scale ? a.scale : b.scale;
    *ua = (i128)a.units * pow10_tab[s - a.scale];
    *ub = (i128)b.units * pow10_tab[s - b.scale];
    return s;
}

static enum xd_status finish(i128 v, int scale, struct xd_decimal *out)
{
    if (!fits_i64(v)) {
        return XD_ETOOBIG;
    }
    out->units = (int64_t)v;
    out->scale = (int16_t)scale;
    return XD_OK;
}

enum xd_status xd_decimal_add(struct xd_decimal a, struct xd_decimal b, struct xd_decimal *out)
{
    i128 ua, ub;
    int s = align(a, b, &ua, &ub);
    return finish(ua + ub, s, out);
}

enum xd_status xd_decimal_sub(struct xd_decimal a, struct xd_decimal b, struct xd_decimal *out)
{
    i128 ua, ub;
    int s = align(a, b, &ua, &ub);
    return finish(ua - ub, s, out);
}

enum xd_status xd_decimal_mul(struct xd_decimal a, struct xd_decimal b, struct xd_decimal *out)
{
    i128 v = (i128)a.units * (i128)b.units;
    int s = a.scale + b.scale;
    while (s > XD_DECIMAL_MAX_SCALE || (!fits_i64(v) && s > 0 && v % 10 == 0)) {
        if (v % 10 != 0) {
            return XD_ETOOBIG;
        }
        v /= 10;
        s--;
    }
    return finish(v, s, out);
}

enum xd_status xd_decimal_div(struct xd_decimal a, struct xd_decimal b, int scale,
                              enum xd_decimal_rounding mode, struct xd_decimal *out)
{
    if (b.units == 0) {
        return XD_EINVAL;
    }
    if (scale < 0 || scale > XD_DECIMAL_MAX_SCALE) {
        return XD_EINVAL;
    }
    /* a/b = (ua / 10^sa) / (ub / 10^sb); result units = ua * 10^(scale + sb - sa) / ub. */
    int shift = scale + b.scale - a.scale;
    i128 num = a.units;
    i128 den = b.units;
    if (shift >= 0) {
        if (shift > 36) {
            return XD_ETOOBIG;
        }
        num *= pow10_128(shift);
    } else {
        den *= pow10_128(-shift);
    }
    if (den < 0) {
        num = -num;
        den = -den;
    }
    return finish(div_round(num, den, mode), scale, out);
}

enum xd_status xd_decimal_rescale(struct xd_decimal d, int scale, enum xd_decimal_rounding mode,
                                  struct xd_decimal *out)
{
    if (scale < 0 || scale > XD_DECIMAL_MAX_SCALE) {
        return XD_EINVAL;
    }
    if (scale >= d.scale) {
        return finish((i128)d.units * pow10_tab[scale - d.scale], scale, out);
    }
    return finish(div_round(d.units, pow10_tab[d.scale - scale], mode), scale, out);
}

struct xd_decimal xd_decimal_normalize(struct xd_decimal d)
{
    while (d.scale > 0 && d.units % 10 == 0) {
        d.units /= 10;
        d.scale--;
    }
    return d;
}

int xd_decimal_cmp(struct xd_decimal a, struct xd_decimal b)
{
    i128 ua, ub;
    align(a, b, &ua, &ub);
    return ua < ub ? -1 : (ua > ub ? 1 : 0);
}

bool xd_decimal_is_zero(struct xd_decimal d)
{
    return d.units == 0;
}

bool xd_decimal_is_negative(struct xd_decimal d)
{
    return d.units < 0;
}

enum xd_status xd_decimal_neg(struct xd_decimal d, struct xd_decimal *out)
{
    return finish(-(i128)d.units, d.scale, out);
}

enum xd_status xd_decimal_abs(struct xd_decimal d, struct xd_decimal *out)
{
    return finish(d.units < 0 ? -(i128)d.units : (i128)d.units, d.scale, out);
}
