/* SPDX-License-Identifier: MIT
 * Time: wall clock in milliseconds since the Unix epoch for records, a monotonic clock for
 * durations, and strict RFC 3339 / ISO 8601 date parsing and formatting (always UTC out). */
#ifndef XD_CORE_CLOCK_H
#define XD_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define XD_TIME_STR_MAX 32 /* "2026-11-28T12:00:00.000Z" and NUL */

int64_t xd_now_ms(void);  /* wall clock, ms since epoch */
int64_t xd_mono_ns(void); /* monotonic, for measuring durations */

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" into <buf> (>= XD_TIME_STR_MAX). */
void xd_time_format(int64_t epoch_ms, char *buf, size_t cap);
/* RFC 3339 date-time: "2026-11-28T09:30:00Z", fractional seconds and a numeric offset
 * allowed. XD_EPARSE when malformed or not a real calendar instant. */
enum xd_status xd_time_parse(const char *s, size_t len, int64_t *epoch_ms) XD_NODISCARD;
/* Calendar date "YYYY-MM-DD" (checks the month's length and leap years). */
bool xd_date_valid(const char *s, size_t len);
/* "HH:MM" or "HH:MM:SS" wall-clock time. */
bool xd_timeofday_valid(const char *s, size_t len);
/* Days since 1970-01-01 for a proleptic Gregorian date (no validation). */
int64_t xd_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
