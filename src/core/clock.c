/* SPDX-License-Identifier: MIT
 * Clocks and calendar arithmetic. The civil-date conversion is Howard Hinnant's well-known
 * days_from_civil algorithm, written from its description. */
#include "core/clock.h"

#include <stdio.h>
#include <time.h>

int64_t xd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t xd_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t xd_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void xd_time_format(int64_t epoch_ms, char *buf, size_t cap)
{
    int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
    int ms = (int)(epoch_ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, cap, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), ms);
}

/* Read exactly <n> digits at s[*i]; -1 when they are not all digits. */
static int digits(const char *s, size_t len, size_t *i, int n)
{
    int v = 0;
    for (int k = 0; k < n; k++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9') {
            return -1;
        }
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    return v;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
    if (*i < len && s[*i] == c) {
        (*i)++;
        return true;
    }
    return false;
}

static unsigned month_days(int y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Parse "YYYY-MM-DD" at s[*i]. */
static bool parse_date(const char *s, size_t len, size_t *i, int *y, int *m, int *d)
{
    *y = digits(s, len, i, 4);
    if (*y < 0 || !expect(s, len, i, '-')) {
        return false;
    }
    *m = digits(s, len, i, 2);
    if (*m < 1 || *m > 12 || !expect(s, len, i, '-')) {
        return false;
    }
    *d = digits(s, len, i, 2);
    return *d >= 1 && (unsigned)*d <= month_days(*y, (unsigned)*m);
}

bool xd_date_valid(const char *s, size_t len)
{
    size_t i = 0;
    int y, m, d;
    return parse_date(s, len, &i, &y, &m, &d) && i == len;
}

bool xd_timeofday_valid(const char *s, size_t len)
{
    size_t i = 0;
    int h = digits(s, len, &i, 2);
    if (h < 0 || h > 23 || !expect(s, len, &i, ':')) {
        return false;
    }
    int mi = digits(s, len, &i, 2);
    if (mi < 0 || mi > 59) {
        return false;
    }
    if (i == len) {
        return true;
    }
    if (!expect(s, len, &i, ':')) {
        return false;
    }
    int sec = digits(s, len, &i, 2);
    return sec >= 0 && sec <= 59 && i == len;
}

enum xd_status xd_time_parse(const char *s, size_t len, int64_t *epoch_ms)
{
    size_t i = 0;
    int y, mo, d;
    if (!parse_date(s, len, &i, &y, &mo, &d)) {
        return XD_EPARSE;
    }
    if (!expect(s, len, &i, 'T') && !expect(s, len, &i, 't')) {
        return XD_EPARSE;
    }
    int h = digits(s, len, &i, 2);
    if (h < 0 || h > 23 || !expect(s, len, &i, ':')) {
        return XD_EPARSE;
    }
    int mi = digits(s, len, &i, 2);
    if (mi < 0 || mi > 59 || !expect(s, len, &i, ':')) {
        return XD_EPARSE;
    }
    int sec = digits(s, len, &i, 2);
    if (sec < 0 || sec > 60) { /* 60: a leap second, folded into the next minute */
        return XD_EPARSE;
    }
    int ms = 0;
    if (expect(s, len, &i, '.')) {
        int nd = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (nd < 3) {
                ms = ms * 10 + (s[i] - '0');
            }
            nd++;
            i++;
        }
        if (nd == 0 || nd > 9) {
            return XD_EPARSE;
        }
        for (; nd < 3; nd++) {
            ms *= 10;
        }
    }
    int offset_min = 0;
    if (expect(s, len, &i, 'Z') || expect(s, len, &i, 'z')) {
        offset_min = 0;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        i++;
        int oh = digits(s, len, &i, 2);
        if (oh < 0 || oh > 23 || !expect(s, len, &i, ':')) {
            return XD_EPARSE;
        }
        int om = digits(s, len, &i, 2);
        if (om < 0 || om > 59) {
            return XD_EPARSE;
        }
        offset_min = sign * (oh * 60 + om);
    } else {
        return XD_EPARSE;
    }
    if (i != len) {
        return XD_EPARSE;
    }
    int64_t days = xd_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)offset_min * 60;
    *epoch_ms = secs * 1000 + ms;
    return XD_OK;
}
