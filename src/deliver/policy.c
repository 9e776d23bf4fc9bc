/* SPDX-License-Identifier: MIT
 * What an answer means and when to try again: the status and transport-error tables, the
 * exponential backoff with jitter, Retry-After in both of its forms, and the retry bounds.
 * Pure functions of their arguments; no thread owns anything here. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "deliver/deliver_int.h"

/* ------------------------------------------------------------------------------------------ */
/* Classification */

/* Codes whose meaning differs from the rest of their hundred. 409: with an Idempotency-Key it
 * means "the same request is still being processed" (draft-ietf-httpapi-idempotency-key-header
 * section 2.6), worth retrying; 425 Too Early likewise. */
static const struct {
    int status;
    enum xd_deliver__class c;
} statuses[] = {
    {400, XD_DELIVER__DEAD},    {401, XD_DELIVER__DEAD},  {403, XD_DELIVER__DEAD},
    {404, XD_DELIVER__DEAD},    {408, XD_DELIVER__RETRY}, {409, XD_DELIVER__RETRY},
    {410, XD_DELIVER__DISABLE}, {422, XD_DELIVER__DEAD},  {425, XD_DELIVER__RETRY},
    {429, XD_DELIVER__RETRY},
};

/* By hundred: 1xx cannot end a transfer and is treated as a broken answer; 3xx is a redirect we
 * do not follow (a partner moved its endpoint: the profile must say where). */
static const enum xd_deliver__class hundreds[] = {
    [1] = XD_DELIVER__RETRY, [2] = XD_DELIVER__DELIVERED, [3] = XD_DELIVER__DEAD,
    [4] = XD_DELIVER__DEAD,  [5] = XD_DELIVER__RETRY,
};

enum xd_deliver__class xd_deliver__classify_status(int status)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(statuses); i++) {
        if (statuses[i].status == status) {
            return statuses[i].c;
        }
    }
    if (status < 100 || status > 599) {
        return XD_DELIVER__RETRY;
    }
    return hundreds[status / 100];
}

static const struct {
    CURLcode code;
    enum xd_deliver__class c;
    const char *text;
} curl_codes[] = {
    {CURLE_COULDNT_CONNECT, XD_DELIVER__RETRY, "connection refused"},
    {CURLE_OPERATION_TIMEDOUT, XD_DELIVER__RETRY, "timed out"},
    {CURLE_GOT_NOTHING, XD_DELIVER__RETRY, "connection closed without an answer"},
    {CURLE_RECV_ERROR, XD_DELIVER__RETRY, "receiving the answer failed"},
    {CURLE_SEND_ERROR, XD_DELIVER__RETRY, "sending the request failed"},
    {CURLE_PARTIAL_FILE, XD_DELIVER__RETRY, "the answer was cut short"},
    {CURLE_COULDNT_RESOLVE_HOST, XD_DELIVER__RETRY, "host name not found"},
    {CURLE_SSL_CONNECT_ERROR, XD_DELIVER__RETRY, "TLS handshake failed"},
    {CURLE_PEER_FAILED_VERIFICATION, XD_DELIVER__RETRY, "TLS certificate not trusted"},
    {CURLE_SSL_CACERT_BADFILE, XD_DELIVER__RETRY, "TLS trust store unreadable"},
    {CURLE_WEIRD_SERVER_REPLY, XD_DELIVER__RETRY, "malformed answer"},
    {CURLE_HTTP2, XD_DELIVER__RETRY, "HTTP/2 error"},
    {CURLE_HTTP2_STREAM, XD_DELIVER__RETRY, "HTTP/2 stream error"},
    {CURLE_WRITE_ERROR, XD_DELIVER__RETRY, "answer too large"},
    {CURLE_UNSUPPORTED_PROTOCOL, XD_DELIVER__DEAD, "unsupported protocol"},
    {CURLE_URL_MALFORMAT, XD_DELIVER__DEAD, "malformed URL"},
    {CURLE_TOO_MANY_REDIRECTS, XD_DELIVER__DEAD, "redirect not followed"},
};

enum xd_deliver__class xd_deliver__classify_curl(int curl_code, const char **text)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(curl_codes); i++) {
        if ((int)curl_codes[i].code == curl_code) {
            *text = curl_codes[i].text;
            return curl_codes[i].c;
        }
    }
    /* Anything else is the transport's trouble, not the message's: try again. */
    *text = curl_easy_strerror((CURLcode)curl_code);
    return XD_DELIVER__RETRY;
}

bool xd_deliver__counts_as_failure(enum xd_deliver__class c)
{
    return c == XD_DELIVER__RETRY;
}

/* ------------------------------------------------------------------------------------------ */
/* Backoff */

int64_t xd_deliver__backoff_ms(int64_t base_ms, int64_t max_ms, uint32_t attempt, uint64_t random)
{
    if (base_ms < 1) {
        base_ms = 1;
    }
    if (max_ms < base_ms) {
        max_ms = base_ms;
    }
    uint32_t doublings = attempt > 0 ? attempt - 1 : 0;
    int64_t d = base_ms;
    while (doublings-- > 0 && d < max_ms) {
        d = d > max_ms / 2 ? max_ms : d * 2;
    }
    if (d > max_ms) {
        d = max_ms;
    }
    /* Equal jitter: half fixed, half random, so retries of many messages spread out but never
     * come sooner than half the backoff. */
    int64_t half = d / 2;
    return d - half + (int64_t)(random % (uint64_t)(half + 1));
}

/* ------------------------------------------------------------------------------------------ */
/* Retry-After */

#define RETRY_AFTER_MAX_S 31536000 /* a year: longer answers are clamped, then bounded by age */

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const days_short[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const days_long[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};

/* The three HTTP-date forms of RFC 9110 section 5.6.7, one letter per field:
 *   w: short weekday  W: long weekday  D: 2-digit day  d: day as " 6" or "16"
 *   M: month name  Y: 4-digit year  y: 2-digit year  T: HH:MM:SS  Z: "GMT"
 *   anything else: itself */
static const char *const date_forms[] = {
    "w, D M Y T Z", /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    "W, D-M-y T Z", /* RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT */
    "w M d T Y",    /* asctime:     Sun Nov  6 08:49:37 1994 */
};

struct date_parts {
    int year, month, day, hour, minute, second;
    bool two_digit_year;
};

static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool word(const char **p, const char *const *names, size_t n, int *index)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (strncmp(*p, names[i], len) == 0) {
            *p += len;
            *index = (int)i;
            return true;
        }
    }
    return false;
}

static bool field(char f, const char **p, struct date_parts *d)
{
    int ignored = 0;
    switch (f) {
    case 'w':
        return word(p, days_short, XD_ARRAY_LEN(days_short), &ignored);
    case 'W':
        return word(p, days_long, XD_ARRAY_LEN(days_long), &ignored);
    case 'D':
        return digits(p, 2, &d->day);
    case 'd':
        if (**p == ' ') {
            (*p)++;
            return digits(p, 1, &d->day);
        }
        return digits(p, 2, &d->day);
    case 'M':
        if (!word(p, months, XD_ARRAY_LEN(months), &d->month)) {
            return false;
        }
        d->month++;
        return true;
    case 'Y':
        return digits(p, 4, &d->year);
    case 'y':
        d->two_digit_year = true;
        return digits(p, 2, &d->year);
    case 'Z':
        if (strncmp(*p, "GMT", 3) != 0) {
            return false;
        }
        *p += 3;
        return true;
    case 'T':
        return digits(p, 2, &d->hour) && *(*p)++ == ':' && digits(p, 2, &d->minute) &&
               *(*p)++ == ':' && digits(p, 2, &d->second);
    default:
        return *(*p)++ == f;
    }
}

static bool match_form(const char *form, const char *s, struct date_parts *d)
{
    memset(d, 0, sizeof *d);
    const char *p = s;
    for (const char *f = form; *f != '\0'; f++) {
        if (*p == '\0' || !field(*f, &p, d)) {
            return false;
        }
    }
    return *p == '\0';
}

static bool http_date(const char *s, int64_t now_ms, int64_t *epoch_ms)
{
    struct date_parts d;
    size_t i = 0;
    while (i < XD_ARRAY_LEN(date_forms) && !match_form(date_forms[i], s, &d)) {
        i++;
    }
    if (i == XD_ARRAY_LEN(date_forms)) {
        return false;
    }
    if (d.two_digit_year) {
        /* RFC 9110: a two-digit year more than 50 years ahead is the most recent past year
         * with those digits. */
        int64_t this_year = 1970 + now_ms / ((int64_t)86400000 * 36525 / 100);
        int64_t y = this_year - this_year % 100 + d.year;
        if (y > this_year + 50) {
            y -= 100;
        }
        d.year = (int)y;
    }
    char ymd[16];
    snprintf(ymd, sizeof ymd, "%04d-%02d-%02d", d.year, d.month, d.day);
    if (!xd_date_valid(ymd, strlen(ymd)) || d.hour > 23 || d.minute > 59 || d.second > 60) {
        return false;
    }
    int64_t days = xd_days_from_civil(d.year, (unsigned)d.month, (unsigned)d.day);
    *epoch_ms = ((days * 24 + d.hour) * 60 + d.minute) * 60000 + (int64_t)d.second * 1000;
    return true;
}

enum xd_status xd_deliver__retry_after(const char *value, int64_t now_ms, int64_t *delay_ms)
{
    if (value == NULL) {
        return XD_EPARSE;
    }
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t')) {
        n--;
    }
    char v[64];
    if (n == 0 || n >= sizeof v) {
        return XD_EPARSE;
    }
    memcpy(v, value, n);
    v[n] = '\0';
    if (strspn(v, "0123456789") == n) {
        uint64_t s = 0;
        enum xd_status st = xd_parse_u64(v, n, RETRY_AFTER_MAX_S, &s);
        if (st == XD_ETOOBIG) {
            s = RETRY_AFTER_MAX_S;
        } else if (st != XD_OK) {
            return XD_EPARSE;
        }
        *delay_ms = (int64_t)s * 1000;
        return XD_OK;
    }
    int64_t at = 0;
    if (!http_date(v, now_ms, &at)) {
        return XD_EPARSE;
    }
    int64_t d = at - now_ms;
    *delay_ms = d < 0                                   ? 0
                : d > (int64_t)RETRY_AFTER_MAX_S * 1000 ? (int64_t)RETRY_AFTER_MAX_S * 1000
                                                        : d;
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Bounds */

bool xd_deliver__plan_retry(const struct xd_deliver_endpoint *e, uint32_t attempts,
                            int64_t retry_from_ms, int64_t now_ms, int64_t retry_after_ms,
                            uint64_t random, int64_t *next_at_ms, char *why, size_t why_cap)
{
    if (attempts >= e->retry.max_attempts) {
        snprintf(why, why_cap, "gave up after %u attempts", (unsigned)attempts);
        return false;
    }
    int64_t delay = retry_after_ms >= 0 ? retry_after_ms
                                        : xd_deliver__backoff_ms(e->retry.base_ms, e->retry.max_ms,
                                                                 attempts, random);
    int64_t next = now_ms + delay;
    if (next - retry_from_ms > e->retry.max_age_ms) {
        snprintf(why, why_cap,
                 "gave up after %u attempts: the next would be past the maximum age of %lld s",
                 (unsigned)attempts, (long long)(e->retry.max_age_ms / 1000));
        return false;
    }
    *next_at_ms = next;
    return true;
}
