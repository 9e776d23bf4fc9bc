/* SPDX-License-Identifier: MIT
 * Exact decimals for quantities and money: value = units / 10^scale, units a signed 64-bit
 * integer, scale 0..18. Every operation detects overflow and answers XD_ETOOBIG instead of
 * wrapping; nothing here ever goes through a double. The scale is part of the value's
 * spelling: "12.50" parses to {1250, 2} and formats back to "12.50", so JSON round-trips. */
#ifndef XD_CORE_DECIMAL_H
#define XD_CORE_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define XD_DECIMAL_MAX_SCALE 18
/* Longest text xd_decimal_format writes, with sign, point and NUL. */
#define XD_DECIMAL_STR_MAX 24

struct xd_decimal {
    int64_t units;
    int16_t scale;
};

enum xd_decimal_parse_mode {
    /* Canonical JSON spelling: -?(0|[1-9][0-9]*)(\.[0-9]+)? ; no "+", no exponent, no "-0". */
    XD_DECIMAL_STRICT = 0,
    /* Partner formats (X12 R, CSV): also "+1", ".5", "5.", leading zeros, "-0". */
    XD_DECIMAL_LENIENT = 1,
};

enum xd_decimal_rounding {
    XD_ROUND_HALF_EVEN, /* banker's rounding, the default for money */
    XD_ROUND_HALF_UP,   /* away from zero at .5 */
    XD_ROUND_DOWN,      /* toward zero */
};

/* Parse <len> bytes of <s>. XD_EPARSE for malformed text, XD_ETOOBIG when it does not fit
 * (more than 18 fraction digits or out of int64 range). <*out> untouched on failure. */
enum xd_status xd_decimal_parse(const char *s, size_t len, enum xd_decimal_parse_mode mode,
                                struct xd_decimal *out) XD_NODISCARD;
/* Write the value with exactly `scale` fraction digits into <buf> (>= XD_DECIMAL_STR_MAX).
 * Returns the length written. */
size_t xd_decimal_format(struct xd_decimal d, char *buf, size_t cap);

struct xd_decimal xd_decimal_from_int(int64_t v);
/* True when the value is a whole number that fits in int64; writes it to <out>. */
bool xd_decimal_to_int(struct xd_decimal d, int64_t *out);

enum xd_status xd_decimal_add(struct xd_decimal a, struct xd_decimal b,
                              struct xd_decimal *out) XD_NODISCARD;
enum xd_status xd_decimal_sub(struct xd_decimal a, struct xd_decimal b,
                              struct xd_decimal *out) XD_NODISCARD;
/* Exact product; scale = a.scale + b.scale, reduced by dropping trailing zeros when it would
 * pass 18. XD_ETOOBIG when the exact result does not fit. */
enum xd_status xd_decimal_mul(struct xd_decimal a, struct xd_decimal b,
                              struct xd_decimal *out) XD_NODISCARD;
/* a / b rounded to <scale> fraction digits. XD_EINVAL when b is zero. */
enum xd_status xd_decimal_div(struct xd_decimal a, struct xd_decimal b, int scale,
                              enum xd_decimal_rounding mode, struct xd_decimal *out) XD_NODISCARD;
/* Change the scale. Rounds when the scale shrinks; XD_ETOOBIG when growing overflows. */
enum xd_status xd_decimal_rescale(struct xd_decimal d, int scale, enum xd_decimal_rounding mode,
                                  struct xd_decimal *out) XD_NODISCARD;
/* Same value, fewest fraction digits ("12.50" -> "12.5", "3.00" -> "3"). */
struct xd_decimal xd_decimal_normalize(struct xd_decimal d);
/* -1, 0, 1 by numeric value, whatever the scales ("1.0" equals "1"). */
int xd_decimal_cmp(struct xd_decimal a, struct xd_decimal b);
bool xd_decimal_is_zero(struct xd_decimal d);
bool xd_decimal_is_negative(struct xd_decimal d);
enum xd_status xd_decimal_neg(struct xd_decimal d, struct xd_decimal *out) XD_NODISCARD;
enum xd_status xd_decimal_abs(struct xd_decimal d, struct xd_decimal *out) XD_NODISCARD;

#endif
