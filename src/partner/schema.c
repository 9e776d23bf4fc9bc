/* SPDX-License-Identifier: MIT
 * The one definition of a partner profile: every field of every level, with its type, bounds,
 * default and documentation. The decoder, the JSON/YAML writer and the reference in
 * docs/partner-profiles.md are all driven by these tables; nothing else lists fields. String
 * classes (what a string may hold) and the small value tables the rules share live here too. */
#include <arpa/inet.h>

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "partner/partner_int.h"

static_assert(sizeof(enum xd_partner_role) == sizeof(int), "enums are stored as int");
static_assert(sizeof(enum xd_canon_type) == sizeof(int), "enums are stored as int");

/* ------------------------------------------------------------------------------------------ */
/* Enumerations: names as written in a profile, in the order of the C enum. */

#define ENUM_DOC(var, docs, ...)                                                                   \
    static const char *const var##_names[] = {__VA_ARGS__};                                        \
    static const struct xd_partner__enum var = {var##_names, docs,                                 \
                                                sizeof var##_names / sizeof var##_names[0]}

static const char *const role_docs[] = {
    "sells goods to the distributor",
    "runs a warehouse (WMS) that stocks the distributor's goods",
    "third-party logistics provider: stores and ships for the distributor",
    "moves goods",
    "buys goods (B2B customer, eCommerce channel)",
    "sales channel passing on its customers' orders",
    "the distributor's own ERP, the system of record",
};
static const char *const role_names[] = {"supplier", "warehouse",   "3pl", "carrier",
                                         "customer", "marketplace", "erp"};
const struct xd_partner__enum xd_partner__roles = {role_names, role_docs, 7};

static const char *const format_docs[] = {
    "canonical JSON documents (docs/canonical-documents.md)",
    "ANSI ASC X12",
    "delimited flat file, read and written through a flat map (docs/flat-files.md)",
    "fixed-width flat file, read and written through a flat map",
};
static const char *const format_names[] = {"json", "x12", "csv", "fixed_width"};
const struct xd_partner__enum xd_partner__formats = {format_names, format_docs, 4};

ENUM_DOC(directions, NULL, "in", "out");
static const char *const kind_docs[] = {
    "HTTP requests to the partner's API (url, method, headers, auth)",
    "HTTP POST of canonical JSON, signed the Standard Webhooks way with signing_secret",
    "a file written to partners/<id>/outbox for the partner to collect (SFTP)",
    ("posted into the ERP by its connector (the `erp` section: URL, database, credential); role "
     "erp only"),
};
ENUM_DOC(endpoint_kinds, kind_docs, "http", "webhook", "file", "erp");
ENUM_DOC(methods, NULL, "POST", "PUT");
static const char *const auth_docs[] = {
    "Authorization: Bearer with a token credential",
    "Authorization: Basic with a password credential (its username and value)",
    "the token credential in the header named by `header`",
};
ENUM_DOC(auth_kinds, auth_docs, "bearer", "basic", "header");
static const char *const cred_docs[] = {
    "an API token or key",
    "a password, with `username`",
    "a key for HMAC signatures (webhook signing)",
};
ENUM_DOC(credential_kinds, cred_docs, "token", "password", "hmac_key");
static const char *const ack_docs[] = {
    "997 functional acknowledgement",
    "999 implementation acknowledgement",
    "no acknowledgement",
};
ENUM_DOC(acks, ack_docs, "997", "999", "none");
static const char *const unknown_docs[] = {
    "leave the partner's value as it is (canon validation may still refuse it)",
    "a value the mapping does not know is a problem",
};
ENUM_DOC(unknowns, unknown_docs, "keep", "error");
ENUM_DOC(connectors, NULL, "tryton");
ENUM_DOC(invoice_states, NULL, "draft", "posted");

const char *xd_partner_role_name(enum xd_partner_role r)
{
    return (size_t)r < xd_partner__roles.n ? xd_partner__roles.names[r] : "?";
}

const char *xd_partner_format_name(enum xd_partner_format f)
{
    return (size_t)f < xd_partner__formats.n ? xd_partner__formats.names[f] : "?";
}

/* ------------------------------------------------------------------------------------------ */
/* String classes */

static bool why(char *out, size_t cap, const char *text)
{
    snprintf(out, cap, "%s", text);
    return false;
}

static bool utf8_text(const char *s, size_t len, char *w, size_t cap)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            return why(w, cap, "must not contain control characters");
        }
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > len) {
            return why(w, cap, "is not valid UTF-8");
        }
        for (size_t k = 1; k < n; k++) {
            if (((unsigned char)s[i + k] >> 6) != 2) {
                return why(w, cap, "is not valid UTF-8");
            }
        }
        i += n;
    }
    return true;
}

static bool ident(const char *s, size_t len, char *w, size_t cap)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e) {
            return why(w, cap, "must be printable ASCII");
        }
    }
    if (s[0] == ' ' || s[len - 1] == ' ') {
        return why(w, cap, "must not start or end with a blank");
    }
    return true;
}

static bool name_class(const char *s, size_t len, char *w, size_t cap)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '_' && c != '.') {
            return why(w, cap, "may hold only lower-case letters, digits, '-', '_' and '.'");
        }
        if ((i == 0 || i == len - 1) && !alnum) {
            return why(w, cap, "must start and end with a letter or digit");
        }
    }
    if (strstr(s, "..") != NULL) {
        return why(w, cap, "must not contain '..'");
    }
    return true;
}

static bool url_class(const char *s, size_t len, char *w, size_t cap)
{
    size_t scheme = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
    if (scheme == 0) {
        return why(w, cap, "must start with https:// or http://");
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] <= 0x20 || s[i] > 0x7e) {
            return why(w, cap, "must not contain blanks, control or non-ASCII characters");
        }
    }
    size_t auth_len = strcspn(s + scheme, "/?#");
    if (auth_len == 0) {
        return why(w, cap, "has no host");
    }
    if (memchr(s + scheme, '@', auth_len) != NULL) {
        return why(w, cap,
                   "must not carry credentials (user:password@); use auth and a "
                   "credential");
    }
    if (strchr(s, '#') != NULL) {
        return why(w, cap, "must not have a fragment (#...)");
    }
    return true;
}

static bool isa_qualifier(const char *s, size_t len, char *w, size_t cap)
{
    /* X12 element I05 (interchange ID qualifier). */
    static const char *const codes[] = {"01", "02", "03", "04", "07", "08", "09", "10", "11",
                                        "12", "13", "14", "15", "16", "17", "18", "19", "20",
                                        "27", "28", "29", "30", "31", "32", "33", "34", "35",
                                        "36", "37", "38", "AM", "NR", "SA", "SN", "ZZ"};
    for (size_t i = 0; len == 2 && i < XD_ARRAY_LEN(codes); i++) {
        if (memcmp(s, codes[i], 2) == 0) {
            return true;
        }
    }
    return why(w, cap, "is not an X12 interchange ID qualifier (01, 08, 12, 14, ZZ ...)");
}

static bool x12_id(const char *s, size_t len, char *w, size_t cap)
{
    static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789 &'()+,-./;=?@_";
    if (strspn(s, allowed) != len) {
        return why(w, cap,
                   "may hold letters, digits, blanks and & ' ( ) + , - . / ; = ? @ _ "
                   "only (no X12 separators)");
    }
    if (s[0] == ' ' || s[len - 1] == ' ') {
        return why(w, cap, "must not start or end with a blank (padding is added when sent)");
    }
    return true;
}

static bool digits_only(const char *s, size_t len)
{
    return strspn(s, "0123456789") == len;
}

static bool x12_version(const char *s, size_t len, char *w, size_t cap)
{
    if (len < 6 || !digits_only(s, 6) ||
        strspn(s + 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != len - 6) {
        return why(w, cap, "must be an X12 version such as 004010 or 005010X231A1");
    }
    return true;
}

static bool x12_set(const char *s, size_t len, char *w, size_t cap)
{
    return len == 3 && digits_only(s, 3) ? true
                                         : why(w, cap, "must be a transaction set id (3 digits)");
}

static bool delimiter(const char *s, size_t len, char *w, size_t cap)
{
    unsigned char c = (unsigned char)s[0];
    bool ok = len == 1 && c > 0x20 && c < 0x7f &&
              !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
    return ok ? true : why(w, cap, "must be one printable character that is not a letter or digit");
}

bool xd_partner__gs1_ok(const char *s, size_t n)
{
    if (n < 2 || !digits_only(s, n)) {
        return false;
    }
    unsigned sum = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        /* Weights 3, 1, 3 ... from the digit next to the check digit. */
        unsigned d = (unsigned)(s[n - 2 - i] - '0');
        sum += (i % 2 == 0) ? 3 * d : d;
    }
    return (10 - sum % 10) % 10 == (unsigned)(s[n - 1] - '0');
}

static bool gln(const char *s, size_t len, char *w, size_t cap)
{
    if (len != 13 || !digits_only(s, len)) {
        return why(w, cap, "must be 13 digits (a GS1 GLN)");
    }
    return xd_partner__gs1_ok(s, len) ? true : why(w, cap, "has a wrong GS1 check digit");
}

static bool gtin(const char *s, size_t len, char *w, size_t cap)
{
    if ((len != 8 && len != 12 && len != 13 && len != 14) || !digits_only(s, len)) {
        return why(w, cap, "must be 8, 12, 13 or 14 digits (a GTIN)");
    }
    return xd_partner__gs1_ok(s, len) ? true : why(w, cap, "has a wrong GS1 check digit");
}

static bool duns(const char *s, size_t len, char *w, size_t cap)
{
    return (len == 9 || len == 13) && digits_only(s, len)
               ? true
               : why(w, cap, "must be 9 digits (or 13 with a suffix)");
}

static bool uom(const char *s, size_t len, char *w, size_t cap)
{
    (void)len;
    return xd_canon_uom_valid(s)
               ? true
               : why(w, cap, "is not a canonical unit of measure (EA, CA, BX ...)");
}

bool xd_partner__ip_parse(const char *s, size_t len, bool cidr, uint8_t out[16], size_t *n_bytes,
                          unsigned *bits)
{
    char tmp[64];
    size_t addr_len = cidr ? strcspn(s, "/") : len;
    if (addr_len == 0 || addr_len >= sizeof tmp || (cidr && addr_len == len)) {
        return false;
    }
    memcpy(tmp, s, addr_len);
    tmp[addr_len] = '\0';
    if (inet_pton(AF_INET, tmp, out) == 1) {
        *n_bytes = 4;
    } else if (inet_pton(AF_INET6, tmp, out) == 1) {
        *n_bytes = 16;
    } else {
        return false;
    }
    *bits = (unsigned)(*n_bytes * 8);
    if (cidr) {
        uint64_t b;
        const char *p = s + addr_len + 1;
        if (xd_parse_u64(p, len - addr_len - 1, *n_bytes * 8, &b) != XD_OK) {
            return false;
        }
        *bits = (unsigned)b;
    }
    return true;
}

bool xd_partner__ip_in(const uint8_t *addr, size_t n, const uint8_t *net, size_t net_n,
                       unsigned bits)
{
    if (n != net_n) {
        return false;
    }
    for (unsigned i = 0; i < bits; i++) {
        unsigned byte = i / 8;
        unsigned mask = 0x80u >> (i % 8);
        if ((addr[byte] & mask) != (net[byte] & mask)) {
            return false;
        }
    }
    return true;
}

bool xd_partner__ip_private(const uint8_t *a, size_t n)
{
    static const struct {
        const char *net;
        unsigned bits;
    } ranges[] = {
        {"0.0.0.0", 8},      {"10.0.0.0", 8},    {"100.64.0.0", 10},  {"127.0.0.0", 8},
        {"169.254.0.0", 16}, {"172.16.0.0", 12}, {"192.168.0.0", 16}, {"::", 128},
        {"::1", 128},        {"fc00::", 7},      {"fe80::", 10},
    };
    if (n == 16) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, mapped, 12) == 0) {
            return xd_partner__ip_private(a + 12, 4);
        }
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(ranges); i++) {
        uint8_t net[16];
        size_t nn;
        unsigned b;
        if (xd_partner__ip_parse(ranges[i].net, strlen(ranges[i].net), false, net, &nn, &b) &&
            xd_partner__ip_in(a, n, net, nn, ranges[i].bits)) {
            return true;
        }
    }
    return false;
}

static bool cidr(const char *s, size_t len, char *w, size_t cap)
{
    uint8_t a[16];
    size_t n;
    unsigned bits;
    return xd_partner__ip_parse(s, len, true, a, &n, &bits)
               ? true
               : why(w, cap, "must be an address range such as 127.0.0.0/8 or ::1/128");
}

static bool glob(const char *s, size_t len, char *w, size_t cap)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '/') {
            return why(w, cap, "must be printable ASCII without '/'");
        }
    }
    return strcmp(s, ".") != 0 && strcmp(s, "..") != 0 ? true : why(w, cap, "is not a file name");
}

static bool header_name(const char *s, size_t len, char *w, size_t cap)
{
    /* Headers the hub sets itself; a profile must not override them. */
    static const char *const reserved[] = {"authorization",     "host",       "content-length",
                                           "transfer-encoding", "connection", "content-type",
                                           "idempotency-key",   "webhook-id", "webhook-timestamp",
                                           "webhook-signature"};
    if (strspn(s,
               "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
        len) {
        return why(w, cap, "is not an HTTP header name");
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(reserved); i++) {
        if (strcasecmp(s, reserved[i]) == 0) {
            return why(w, cap, "is set by the hub (use auth for credentials)");
        }
    }
    return true;
}

static bool header_value(const char *s, size_t len, char *w, size_t cap)
{
    for (size_t i = 0; i < len; i++) {
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] > 0x7e) {
            return why(w, cap, "must be printable ASCII on one line");
        }
    }
    return true;
}

static bool filename_tpl(const char *s, size_t len, char *w, size_t cap)
{
    static const char *const holders[] = {"{partner}", "{type}", "{id}", "{ext}", "{date}"};
    bool has_id = false;
    for (size_t i = 0; i < len;) {
        if (s[i] == '{') {
            size_t k = 0;
            while (k < XD_ARRAY_LEN(holders) &&
                   strncmp(s + i, holders[k], strlen(holders[k])) != 0) {
                k++;
            }
            if (k == XD_ARRAY_LEN(holders)) {
                return why(w, cap, "knows only {partner} {type} {id} {ext} {date}");
            }
            has_id |= k == 2;
            i += strlen(holders[k]);
            continue;
        }
        char c = s[i++];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_';
        if (!ok) {
            return why(w, cap, "may hold letters, digits, '.', '-', '_' and placeholders only");
        }
    }
    return has_id ? true : why(w, cap, "must contain {id}, so no two files share a name");
}

static bool member_word(const char **p)
{
    const char *s = *p;
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
    *p = s + n;
    return n > 0;
}

static bool member_path(const char *s, size_t len, char *w, size_t cap)
{
    (void)len;
    const char *p = s;
    for (;;) {
        if (!member_word(&p)) {
            break;
        }
        if (p[0] == '[' && p[1] == ']') {
            p += 2;
        }
        if (*p == '\0') {
            return true;
        }
        if (*p++ != '.') {
            break;
        }
    }
    return why(w, cap, "must be a member path such as lines[].status");
}

static bool date_member(const char *s, size_t len, char *w, size_t cap)
{
    const char *dot = strchr(s, '.');
    const char *p = dot != NULL ? dot + 1 : NULL;
    if (dot == NULL || dot == s || !member_word(&p) || *p != '\0' || (size_t)(p - s) != len) {
        return why(w, cap,
                   "must be document_type.member, such as "
                   "purchase_order.requested_delivery_date");
    }
    return true;
}

const struct xd_partner__sclass_def xd_partner__sclasses[XD_PARTNER__C_COUNT] = {
    [XD_PARTNER__C_TEXT] = {"text", "any characters except control characters", utf8_text},
    [XD_PARTNER__C_IDENT] = {"identifier", "printable ASCII, no blank at either end", ident},
    [XD_PARTNER__C_NAME] = {"name",
                            "lower-case letters, digits, `-` `_` `.`; starts and ends with a "
                            "letter or digit; at most 64",
                            name_class},
    [XD_PARTNER__C_URL] = {"url", "http:// or https:// URL without user:password@ or fragment",
                           url_class},
    [XD_PARTNER__C_ISA_QUALIFIER] = {"isa-qualifier",
                                     "X12 interchange ID qualifier (I05): 01, 08, 12, 14, ZZ ...",
                                     isa_qualifier},
    [XD_PARTNER__C_X12_ID] = {"x12-id",
                              "letters, digits, blanks and & ' ( ) + , - . / ; = ? @ _; no "
                              "blank at either end",
                              x12_id},
    [XD_PARTNER__C_X12_VERSION] = {"x12-version",
                                   "six digits, optionally an implementation "
                                   "suffix: 004010, 005010X231A1",
                                   x12_version},
    [XD_PARTNER__C_X12_SET] = {"x12-set", "three digits: 850, 855, 856 ...", x12_set},
    [XD_PARTNER__C_DELIMITER] = {"delimiter",
                                 "one printable character that is not a letter or digit",
                                 delimiter},
    [XD_PARTNER__C_GLN] = {"gln", "13-digit GS1 GLN with a correct check digit", gln},
    [XD_PARTNER__C_GTIN] = {"gtin", "GTIN-8, -12, -13 or -14 with a correct check digit", gtin},
    [XD_PARTNER__C_DUNS] = {"duns", "D-U-N-S number: 9 digits, or 13", duns},
    [XD_PARTNER__C_UOM] = {"uom", "canonical unit of measure (the uom code list)", uom},
    [XD_PARTNER__C_CIDR] = {"cidr", "IPv4 or IPv6 address range: 127.0.0.0/8, ::1/128", cidr},
    [XD_PARTNER__C_GLOB] = {"glob",
                            "file name pattern as in a shell: `*` any characters, `?` one, `[...]` "
                            "one of a set; no `/`",
                            glob},
    [XD_PARTNER__C_HEADER_NAME] = {"header-name",
                                   "HTTP header name, not one the hub sets (Authorization, "
                                   "Content-Type, Idempotency-Key, webhook-*, ...)",
                                   header_name},
    [XD_PARTNER__C_HEADER_VALUE] = {"header-value", "printable ASCII on one line", header_value},
    [XD_PARTNER__C_FILENAME] = {"filename",
                                "letters, digits, `.` `-` `_` and {partner} {type} {id} {ext} "
                                "{date}; must contain {id}",
                                filename_tpl},
    [XD_PARTNER__C_MEMBER_PATH] = {"member-path",
                                   "canonical member path: `lines[].status`, `purpose`",
                                   member_path},
    [XD_PARTNER__C_DATE_MEMBER] = {"date-member",
                                   "document_type.member naming a date of that document",
                                   date_member},
    [XD_PARTNER__C_CODE] = {"code", "printable ASCII code, at most 80", ident},
};

/* ------------------------------------------------------------------------------------------ */
/* Durations */

static const struct {
    const char *unit;
    int64_t ms;
} duration_units[] = {
    {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1},
};

bool xd_partner__duration_parse(const char *s, size_t len, int64_t *ms)
{
    int64_t total = 0;
    size_t i = 0;
    size_t parts = 0;
    size_t last_unit = 0;
    while (i < len) {
        int64_t v = 0;
        size_t digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (v > (INT64_MAX - 9) / 10) {
                return false;
            }
            v = v * 10 + (s[i++] - '0');
            digits++;
        }
        size_t u = 0;
        /* "ms" before "m": try the longer unit first. */
        if (i + 1 < len && s[i] == 'm' && s[i + 1] == 's') {
            u = 4;
            i += 2;
        } else {
            while (u < 4 && (i >= len || s[i] != duration_units[u].unit[0])) {
                u++;
            }
            if (u == 4) {
                return false;
            }
            i++;
        }
        /* Units from largest to smallest, each once: "1h30m", not "30m1h" or "1h1h". */
        if (digits == 0 || (parts > 0 && u <= last_unit) ||
            v > (INT64_MAX - total) / duration_units[u].ms) {
            return false;
        }
        total += v * duration_units[u].ms;
        last_unit = u;
        parts++;
    }
    if (parts == 0) {
        return false;
    }
    *ms = total;
    return true;
}

void xd_partner__duration_format(int64_t ms, char *buf, size_t cap)
{
    if (ms == 0) {
        snprintf(buf, cap, "0s");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t u = 0; u < XD_ARRAY_LEN(duration_units) && ms > 0; u++) {
        int64_t n = ms / duration_units[u].ms;
        if (n == 0) {
            continue;
        }
        ms -= n * duration_units[u].ms;
        int w = snprintf(buf + used, cap - used, "%lld%s", (long long)n, duration_units[u].unit);
        if (w < 0 || (size_t)w >= cap - used) {
            return;
        }
        used += (size_t)w;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* X12 transaction sets of each canonical type; the first is the default. */

const char *const *xd_partner__x12_sets(enum xd_canon_type t)
{
    static const char *const item[] = {"832", NULL};
    static const char *const po[] = {"850", "860", NULL};
    static const char *const ack[] = {"855", "865", NULL};
    static const char *const asn[] = {"856", NULL};
    static const char *const receipt[] = {"944", "861", NULL};
    static const char *const invoice[] = {"810", NULL};
    static const char *const rma[] = {"180", NULL};
    static const char *const so[] = {"940", NULL};
    static const char *const sc[] = {"945", NULL};
    static const char *const mv[] = {"947", NULL};
    static const char *const snap[] = {"846", NULL};
    static const char *const advice[] = {"824", NULL};
    switch (t) {
    case XD_CANON_ITEM:
        return item;
    case XD_CANON_PURCHASE_ORDER:
        return po;
    case XD_CANON_PO_ACKNOWLEDGEMENT:
        return ack;
    case XD_CANON_SHIP_NOTICE:
        return asn;
    case XD_CANON_RECEIPT:
        return receipt;
    case XD_CANON_INVOICE:
        return invoice;
    case XD_CANON_RETURN_AUTHORIZATION:
        return rma;
    case XD_CANON_SHIPPING_ORDER:
        return so;
    case XD_CANON_SHIPMENT_CONFIRMATION:
        return sc;
    case XD_CANON_INVENTORY_MOVEMENT:
        return mv;
    case XD_CANON_INVENTORY_SNAPSHOT:
        return snap;
    case XD_CANON_APPLICATION_ADVICE:
        return advice;
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The tables, innermost first. One row per field:
 *   key, type, class, required, where, bounds, child/element/names, default, doc. */

#define AT(T, m) .offset = offsetof(T, m)
#define N(T, m)  .count_offset = offsetof(T, m)
#define SCHEMA(var, T, docstr, rows)                                                               \
    const struct xd_partner__schema var = {#T,       docstr, sizeof(T), rows, XD_ARRAY_LEN(rows),  \
                                           SIZE_MAX, 0,      NULL}
#define STR(k, T, m, cls, maxlen, req, dt)                                                         \
    {                                                                                              \
        .key = k, .type = XD_PARTNER__F_STR, .sclass = XD_PARTNER__C_##cls, .required = req,       \
        AT(T, m), .min = 1, .max = maxlen, .doc = dt                                               \
    }
#define ENUMF(k, T, m, en, req, defv, dt)                                                          \
    {                                                                                              \
        .key = k, .type = XD_PARTNER__F_ENUM, .required = req, AT(T, m), .names = &en,             \
        .def = defv, .doc = dt                                                                     \
    }
#define BOOLF(k, T, m, defv, dt)                                                                   \
    {                                                                                              \
        .key = k, .type = XD_PARTNER__F_BOOL, AT(T, m), .def = defv, .doc = dt                     \
    }
#define INTF(k, T, m, lo, hi, defv, dt)                                                            \
    {                                                                                              \
        .key = k, .type = XD_PARTNER__F_INT, AT(T, m), .min = lo, .max = hi, .def = defv,          \
        .doc = dt                                                                                  \
    }
#define DUR(k, T, m, lo, hi, req, defv, dt)                                                        \
    {                                                                                              \
        .key = k, .type = XD_PARTNER__F_DURATION, .required = req, AT(T, m), .min = lo, .max = hi, \
        .def = defv, .doc = dt                                                                     \
    }
#define SEC  1000LL
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)

/* Elements of lists and maps of scalars. */
static const struct xd_partner__field elem_format = {
    .key = "format", .type = XD_PARTNER__F_ENUM, .names = &xd_partner__formats};
static const struct xd_partner__field elem_cidr = {
    .key = "cidr", .type = XD_PARTNER__F_STR, .sclass = XD_PARTNER__C_CIDR, .min = 1, .max = 64};
static const struct xd_partner__field elem_header_value = {.key = "value",
                                                           .type = XD_PARTNER__F_STR,
                                                           .sclass = XD_PARTNER__C_HEADER_VALUE,
                                                           .min = 1,
                                                           .max = 1024};
static const struct xd_partner__field elem_uom = {
    .key = "uom", .type = XD_PARTNER__F_STR, .sclass = XD_PARTNER__C_UOM, .min = 1, .max = 2};
static const struct xd_partner__field elem_code = {
    .key = "code", .type = XD_PARTNER__F_STR, .sclass = XD_PARTNER__C_CODE, .min = 1, .max = 80};
static const struct xd_partner__field elem_sku = {
    .key = "sku", .type = XD_PARTNER__F_STR, .sclass = XD_PARTNER__C_IDENT, .min = 1, .max = 48};
static const struct xd_partner__field elem_partner = {.key = "partner",
                                                      .type = XD_PARTNER__F_STR,
                                                      .sclass = XD_PARTNER__C_NAME,
                                                      .min = 1,
                                                      .max = XD_PARTNER_ID_MAX};
static const struct xd_partner__field elem_location = {.key = "location",
                                                       .type = XD_PARTNER__F_STR,
                                                       .sclass = XD_PARTNER__C_IDENT,
                                                       .min = 1,
                                                       .max = 64};

#define LIST_OF(k, T, m, cnt, sch, maxn, req, dt)                                                  \
    {                                                                                              \
        .key = k, .type = XD_PARTNER__F_LIST, .required = req, AT(T, m), N(T, cnt), .min = 1,      \
        .max = maxn, .child = &sch, .doc = dt                                                      \
    }
#define LIST_ELEM(k, T, m, cnt, el, maxn, req, dt)                                                 \
    {                                                                                              \
        .key = k, .type = XD_PARTNER__F_LIST, .required = req, AT(T, m), N(T, cnt), .min = 1,      \
        .max = maxn, .elem = &el, .doc = dt                                                        \
    }
#define MAP_KV(k, T, m, cnt, keycls, el, maxn, req, dt)                                            \
    {                                                                                              \
        .key = k, .type = XD_PARTNER__F_MAP, .sclass = XD_PARTNER__C_##keycls, .required = req,    \
        AT(T, m), N(T, cnt), .min = 1, .max = maxn, .elem = &el, .doc = dt                         \
    }

static const struct xd_partner__field identifier_rows[] = {
    STR("isa_qualifier", struct xd_partner_identifiers, isa_qualifier, ISA_QUALIFIER, 2, false,
        "ISA05/ISA07 qualifier of the partner's interchange ID; with isa_id"),
    STR("isa_id", struct xd_partner_identifiers, isa_id, X12_ID, 15, false,
        "ISA06/ISA08 interchange ID; an inbound interchange must come from it"),
    STR("gs_id", struct xd_partner_identifiers, gs_id, X12_ID, 15, false,
        "GS02/GS03 application code"),
    STR("gln", struct xd_partner_identifiers, gln, GLN, 13, false, "GS1 Global Location Number"),
    STR("duns", struct xd_partner_identifiers, duns, DUNS, 13, false, "D-U-N-S number"),
};
static SCHEMA(identifiers_schema, struct xd_partner_identifiers,
              "How the partner identifies itself. X12 identifiers are unique across partners: the "
              "hub finds the sender of an interchange by them.",
              identifier_rows);

static const struct xd_partner__field x12_rows[] = {
    ENUMF("acknowledgement", struct xd_partner_x12, acknowledgement, acks, false, "997",
          "Acknowledgement sent back for every inbound interchange"),
    BOOLF("ta1", struct xd_partner_x12, ta1, "false", "Also send a TA1 for each interchange"),
    STR("hub_qualifier", struct xd_partner_x12, hub_qualifier, ISA_QUALIFIER, 2, false,
        "Our ISA qualifier as this partner knows us; with hub_id"),
    STR("hub_id", struct xd_partner_x12, hub_id, X12_ID, 15, false,
        "Our ISA interchange ID as this partner knows us"),
    STR("hub_gs_id", struct xd_partner_x12, hub_gs_id, X12_ID, 15, false,
        "Our GS application code as this partner knows us"),
    {.key = "element_separator",
     .type = XD_PARTNER__F_STR,
     .sclass = XD_PARTNER__C_DELIMITER,
     AT(struct xd_partner_x12, element_separator),
     .min = 1,
     .max = 1,
     .def = "*",
     .doc = "Element separator of interchanges sent to the partner"},
    {.key = "component_separator",
     .type = XD_PARTNER__F_STR,
     .sclass = XD_PARTNER__C_DELIMITER,
     AT(struct xd_partner_x12, component_separator),
     .min = 1,
     .max = 1,
     .def = ":",
     .doc = "Component separator (ISA16)"},
    {.key = "repetition_separator",
     .type = XD_PARTNER__F_STR,
     .sclass = XD_PARTNER__C_DELIMITER,
     AT(struct xd_partner_x12, repetition_separator),
     .min = 1,
     .max = 1,
     .def = "^",
     .doc = "Repetition separator (ISA11, version 00402 and later)"},
    {.key = "segment_terminator",
     .type = XD_PARTNER__F_STR,
     .sclass = XD_PARTNER__C_DELIMITER,
     AT(struct xd_partner_x12, segment_terminator),
     .min = 1,
     .max = 1,
     .def = "~",
     .doc = "Segment terminator"},
    BOOLF("newline", struct xd_partner_x12, newline, "false",
          "Write a line feed after each segment terminator"),
};
static SCHEMA(x12_schema, struct xd_partner_x12,
              "X12 envelope settings. Present when the partner exchanges X12.", x12_rows);

static const struct xd_partner__field http_rows[] = {
    BOOLF("enabled", struct xd_partner_http_in, enabled, "true",
          "false turns the channel off without deleting it"),
    LIST_ELEM("formats", struct xd_partner_http_in, formats, n_formats, elem_format, 4, true,
              "Formats accepted on POST /v1/inbound/{partner}: json, x12, csv, fixed_width"),
};
static SCHEMA(http_schema, struct xd_partner_http_in,
              "The partner posts to POST /v1/inbound/{partner} with its own token.", http_rows);

static const struct xd_partner__field inbox_rule_rows[] = {
    STR("pattern", struct xd_partner_inbox_rule, pattern, GLOB, 128, true,
        "File name pattern, e.g. `*.edi` or `ASN_*.csv`"),
    ENUMF("format", struct xd_partner_inbox_rule, format, xd_partner__formats, true, NULL,
          "Format of the files it matches"),
    {.key = "document",
     .type = XD_PARTNER__F_DOCTYPE,
     AT(struct xd_partner_inbox_rule, document),
     .has_offset = offsetof(struct xd_partner_inbox_rule, has_document),
     .doc = "Canonical type of the files (required for csv and fixed_width)"},
};
static SCHEMA(inbox_rule_schema, struct xd_partner_inbox_rule,
              "One file name pattern of the inbox; the first that matches decides.",
              inbox_rule_rows);

static const struct xd_partner__field inbox_rows[] = {
    BOOLF("enabled", struct xd_partner_inbox, enabled, "true",
          "false turns the inbox off without deleting it"),
    LIST_OF("files", struct xd_partner_inbox, files, n_files, inbox_rule_schema, 32, true,
            "Which files are taken, and as what"),
};
static SCHEMA(inbox_schema, struct xd_partner_inbox,
              "Files the partner drops into partners/<id>/inbox under the data directory (an "
              "SFTP chroot).",
              inbox_rows);

static const struct xd_partner__field inbound_rows[] = {
    {.key = "http",
     .type = XD_PARTNER__F_OBJ,
     AT(struct xd_partner_inbound, http),
     .child = &http_schema,
     .doc = "HTTP channel; absent: none"},
    {.key = "inbox",
     .type = XD_PARTNER__F_OBJ,
     AT(struct xd_partner_inbound, inbox),
     .child = &inbox_schema,
     .doc = "File inbox; absent: none"},
};
static SCHEMA(inbound_schema, struct xd_partner_inbound,
              "How the partner's messages reach the hub.", inbound_rows);

static const struct xd_partner__field auth_rows[] = {
    ENUMF("type", struct xd_partner_auth, type, auth_kinds, true, NULL, "How to authenticate"),
    STR("credential", struct xd_partner_auth, credential, NAME, 64, true,
        "Name of the credential (under credentials) to use"),
    STR("header", struct xd_partner_auth, header, HEADER_NAME, 64, false,
        "Header carrying the token (type header)"),
};
static SCHEMA(auth_schema, struct xd_partner_auth,
              "How the hub authenticates to the endpoint; the secret is a credential.", auth_rows);

static const struct xd_partner__field endpoint_rows[] = {
    STR("name", struct xd_partner_endpoint, name, NAME, 64, true,
        "Name documents refer to; unique in the profile"),
    ENUMF("kind", struct xd_partner_endpoint, kind, endpoint_kinds, true, NULL,
          "http, webhook, file or erp"),
    STR("url", struct xd_partner_endpoint, url, URL, 2048, false,
        "Where requests go (http, webhook); loopback and private addresses only with "
        "allow_private_networks"),
    ENUMF("method", struct xd_partner_endpoint, method, methods, false, "POST",
          "HTTP method (http)"),
    MAP_KV("headers", struct xd_partner_endpoint, headers, n_headers, HEADER_NAME,
           elem_header_value, 32, false, "Extra request headers, name: value (no secrets)"),
    {.key = "auth",
     .type = XD_PARTNER__F_OBJ,
     AT(struct xd_partner_endpoint, auth),
     .child = &auth_schema,
     .doc = "Authentication; absent: none"},
    STR("signing_secret", struct xd_partner_endpoint, signing_secret, NAME, 64, false,
        "Credential (hmac_key) webhooks are signed with; required for webhook"),
    DUR("connect_timeout", struct xd_partner_endpoint, connect_timeout_ms, 100, 1 * MIN, false,
        "5s", "Time to establish the connection"),
    DUR("timeout", struct xd_partner_endpoint, timeout_ms, 1 * SEC, 10 * MIN, false, "30s",
        "Time for the whole request, at least connect_timeout"),
    LIST_ELEM("allow_private_networks", struct xd_partner_endpoint, allow_private_networks,
              n_allow_private_networks, elem_cidr, 32, false,
              "Address ranges the URL may resolve into although they are loopback, link-local "
              "or private"),
    BOOLF("ordered", struct xd_partner_endpoint, ordered, "true",
          "Deliver one message at a time, in order; false: concurrently"),
    INTF("max_in_flight", struct xd_partner_endpoint, max_in_flight, 1, 1024, "8",
         "Attempts under way at once when ordered is false (a partner that takes many requests "
         "at a time); ignored when ordered"),
    STR("filename", struct xd_partner_endpoint, filename, FILENAME, 128, false,
        "Name of each file (file); required for file"),
};
static SCHEMA(endpoint_schema, struct xd_partner_endpoint, "One place the hub delivers to.",
              endpoint_rows);

static const struct xd_partner__field retry_rows[] = {
    INTF("max_attempts", struct xd_partner_retry, max_attempts, 1, 1000, "10",
         "Attempts before the message goes to the dead-letter queue"),
    DUR("max_age", struct xd_partner_retry, max_age_ms, 1 * MIN, 30 * DAY, false, "24h",
        "Age after which a message is not retried any more"),
    DUR("backoff_base", struct xd_partner_retry, backoff_base_ms, 100, 1 * HOUR, false, "1s",
        "First wait; doubles each attempt, with jitter"),
    DUR("backoff_max", struct xd_partner_retry, backoff_max_ms, 1 * SEC, 1 * DAY, false, "10m",
        "Longest wait between attempts, at least backoff_base"),
};
static SCHEMA(retry_schema, struct xd_partner_retry, "Retries of failed deliveries.", retry_rows);

static const struct xd_partner__field breaker_rows[] = {
    INTF("failures_to_open", struct xd_partner_breaker, failures_to_open, 1, 1000, "5",
         "Consecutive failures that open the breaker"),
    DUR("pause", struct xd_partner_breaker, pause_ms, 1 * SEC, 1 * HOUR, false, "30s",
        "Time open before one probe message is let through"),
};
static SCHEMA(breaker_schema, struct xd_partner_breaker, "Circuit breaker of each endpoint.",
              breaker_rows);

static const struct xd_partner__field failover_rows[] = {
    STR("alternate", struct xd_partner_failover, alternate, NAME, XD_PARTNER_ID_MAX, true,
        "Partner id new work goes to (not this partner)"),
    DUR("after", struct xd_partner_failover, after_ms, 1 * MIN, 7 * DAY, false, "15m",
        "How long the breaker must stay open before work is re-routed"),
};
static SCHEMA(failover_schema, struct xd_partner_failover,
              "Where new work goes while this partner is down.", failover_rows);

static const struct xd_partner__field outbound_rows[] = {
    LIST_OF("endpoints", struct xd_partner_outbound, endpoints, n_endpoints, endpoint_schema, 16,
            false, "Endpoints"),
    {.key = "retry",
     .type = XD_PARTNER__F_INL,
     AT(struct xd_partner_outbound, retry),
     .child = &retry_schema,
     .doc = "Retry policy"},
    {.key = "circuit_breaker",
     .type = XD_PARTNER__F_INL,
     AT(struct xd_partner_outbound, circuit_breaker),
     .child = &breaker_schema,
     .doc = "Circuit breaker"},
    {.key = "failover",
     .type = XD_PARTNER__F_OBJ,
     AT(struct xd_partner_outbound, failover),
     .child = &failover_schema,
     .doc = "Failover; absent: none"},
};
static SCHEMA(outbound_schema, struct xd_partner_outbound, "Where the hub sends documents.",
              outbound_rows);

static const struct xd_partner__field document_rows[] = {
    {.key = "type",
     .type = XD_PARTNER__F_DOCTYPE,
     .required = true,
     AT(struct xd_partner_document, type),
     .doc = "Canonical document type"},
    ENUMF("direction", struct xd_partner_document, direction, directions, true, NULL,
          "in: the partner sends it; out: the hub sends it to the partner"),
    ENUMF("format", struct xd_partner_document, format, xd_partner__formats, true, NULL,
          "json, x12, csv or fixed_width"),
    STR("version", struct xd_partner_document, version, IDENT, 16, false,
        "Format version: X12 004010, 005010 ... (GS08)"),
    STR("set", struct xd_partner_document, x12_set, X12_SET, 3, false,
        "X12 transaction set; default from the type (850 for purchase_order ...)"),
    STR("endpoint", struct xd_partner_document, endpoint, NAME, 64, false,
        "Endpoint an outbound document goes to; may be left out when there is one endpoint"),
    {.key = "map",
     .type = XD_PARTNER__F_JSON,
     AT(struct xd_partner_document, map),
     .doc = "Flat map (csv, fixed_width), as docs/flat-files.md describes"},
};
static SCHEMA(document_schema, struct xd_partner_document,
              "Format and version of one document type in one direction.", document_rows);

static const struct xd_partner__field item_rows[] = {
    STR("sku", struct xd_partner_item_xref, sku, IDENT, 48, true, "Our item number"),
    STR("vendor_part", struct xd_partner_item_xref, vendor_part, IDENT, 48, false,
        "The supplier's part number"),
    STR("buyer_part", struct xd_partner_item_xref, buyer_part, IDENT, 48, false,
        "The buyer's part number (customers)"),
    STR("gtin", struct xd_partner_item_xref, gtin, GTIN, 14, false, "GTIN or UPC"),
};
static SCHEMA(item_schema, struct xd_partner_item_xref,
              "One item cross-reference: the partner's ids of one of our SKUs.", item_rows);

static const struct xd_partner__field conversion_rows[] = {
    STR("from", struct xd_partner_conversion, from, UOM, 2, true, "The partner's unit"),
    STR("to", struct xd_partner_conversion, to, UOM, 2, true, "Our unit"),
    {.key = "factor",
     .type = XD_PARTNER__F_DECIMAL,
     .required = true,
     AT(struct xd_partner_conversion, factor),
     .doc = "1 from = factor to (exact decimal > 0)"},
    STR("sku", struct xd_partner_conversion, sku, IDENT, 48, false,
        "Only for this item; absent: every item"),
};
static SCHEMA(conversion_schema, struct xd_partner_conversion,
              "A unit conversion, such as 1 CA = 12 EA.", conversion_rows);

static const struct xd_partner__field units_rows[] = {
    MAP_KV("codes", struct xd_partner_units, codes, n_codes, CODE, elem_uom, 200, false,
           "The partner's spelling of a unit: canonical unit (CS: CA, EACH: EA)"),
    LIST_OF("conversions", struct xd_partner_units, conversions, n_conversions, conversion_schema,
            10000, false, "Conversions applied to inbound quantities"),
};
static SCHEMA(units_schema, struct xd_partner_units, "Units of measure.", units_rows);

static const struct xd_partner__field location_rows[] = {
    STR("location_id", struct xd_partner_location_xref, location_id, IDENT, 64, true,
        "Our location id"),
    STR("code", struct xd_partner_location_xref, code, IDENT, 35, false,
        "The partner's code for it"),
    STR("gln", struct xd_partner_location_xref, gln, GLN, 13, false, "Its GLN"),
};
static SCHEMA(location_schema, struct xd_partner_location_xref, "A location cross-reference.",
              location_rows);

static const struct xd_partner__field party_rows[] = {
    STR("party_id", struct xd_partner_party_xref, party_id, IDENT, 64, true, "Our party id"),
    STR("code", struct xd_partner_party_xref, code, IDENT, 80, false,
        "The partner's code for it (N104 with 91/92)"),
    STR("gln", struct xd_partner_party_xref, gln, GLN, 13, false, "Its GLN"),
    STR("duns", struct xd_partner_party_xref, duns, DUNS, 13, false, "Its D-U-N-S number"),
};
static SCHEMA(party_schema, struct xd_partner_party_xref, "A party cross-reference.", party_rows);

static const struct xd_partner__field code_list_rows[] = {
    {.key = "document",
     .type = XD_PARTNER__F_DOCTYPE,
     .required = true,
     AT(struct xd_partner_code_list, document),
     .doc = "Document type it applies to"},
    STR("path", struct xd_partner_code_list, path, MEMBER_PATH, 128, true,
        "Member it translates, e.g. lines[].status"),
    MAP_KV("map", struct xd_partner_code_list, map, n_map, CODE, elem_code, 1000, true,
           "Partner code: canonical code"),
    ENUMF("unknown", struct xd_partner_code_list, unknown, unknowns, false, "keep",
          "A code missing from the map: keep or error"),
};
static SCHEMA(code_list_schema, struct xd_partner_code_list, "Translation of one member's codes.",
              code_list_rows);

static const struct xd_partner__field mapping_rows[] = {
    LIST_OF("items", struct xd_partner_mapping, items, n_items, item_schema, 50000, false,
            "Item cross-references"),
    ENUMF("unknown_items", struct xd_partner_mapping, unknown_items, unknowns, false, "keep",
          "A line whose item has no SKU and no cross-reference: keep or error"),
    {.key = "units",
     .type = XD_PARTNER__F_INL,
     AT(struct xd_partner_mapping, units),
     .child = &units_schema,
     .doc = "Units of measure"},
    LIST_OF("locations", struct xd_partner_mapping, locations, n_locations, location_schema, 1000,
            false, "Location cross-references"),
    LIST_OF("parties", struct xd_partner_mapping, parties, n_parties, party_schema, 1000, false,
            "Party cross-references"),
    LIST_OF("code_lists", struct xd_partner_mapping, code_lists, n_code_lists, code_list_schema,
            200, false, "Code list translations"),
    {.key = "x12",
     .type = XD_PARTNER__F_JSON,
     AT(struct xd_partner_mapping, x12),
     .doc = "X12 translation choices (qualifiers, item ID qualifiers, N1 codes), as the X12 "
            "engine defines them"},
};
static SCHEMA(mapping_schema, struct xd_partner_mapping,
              "How the partner's codes become ours. Applied to every inbound document before "
              "it is validated.",
              mapping_rows);

static const struct xd_partner__field sla_rows[] = {
    {.key = "expect",
     .type = XD_PARTNER__F_DOCTYPE,
     .required = true,
     AT(struct xd_partner_sla, expect),
     .doc = "Document the partner owes"},
    {.key = "after",
     .type = XD_PARTNER__F_DOCTYPE,
     AT(struct xd_partner_sla, after),
     .has_offset = offsetof(struct xd_partner_sla, has_after),
     .doc = "It is due `within` after this document (e.g. purchase_order)"},
    DUR("within", struct xd_partner_sla, within_ms, 1 * SEC, 365 * DAY, false, NULL,
        "How long after `after` it is due (seconds are for simulations and tests)"),
    STR("before", struct xd_partner_sla, before, DATE_MEMBER, 96, false,
        "Or: due before this date, e.g. purchase_order.requested_delivery_date"),
    DUR("lead", struct xd_partner_sla, lead_ms, 0, 365 * DAY, false, "0s",
        "How long before `before` it is due"),
    DUR("at_risk", struct xd_partner_sla, at_risk_ms, 0, 365 * DAY, false, "0s",
        "Flag the SLA at risk this long before it is due (0s: never)"),
};
static SCHEMA(sla_schema, struct xd_partner_sla, "One service level the partner promises.",
              sla_rows);

static const struct xd_partner__field credential_rows[] = {
    ENUMF("type", struct xd_partner_credential, type, credential_kinds, true, NULL,
          "token, password or hmac_key"),
    STR("username", struct xd_partner_credential, username, IDENT, 128, false,
        "User name (password)"),
    {.key = "value",
     .type = XD_PARTNER__F_SECRET,
     AT(struct xd_partner_credential, value),
     .doc = "The secret. Encrypted when applied, shown as \"***\"; leave it out (or \"***\") to "
            "keep the stored value"},
};
static const struct xd_partner__schema credential_schema = {
    "struct xd_partner_credential",
    "A secret the hub uses with this partner, by name.",
    sizeof(struct xd_partner_credential),
    credential_rows,
    XD_ARRAY_LEN(credential_rows),
    offsetof(struct xd_partner_credential, name),
    XD_PARTNER__C_NAME,
    "credential name (lower-case letters, digits, - _ .)",
};

static const struct xd_partner__field erp_rows[] = {
    ENUMF("connector", struct xd_partner_erp, connector, connectors, true, NULL,
          "Which ERP: tryton"),
    STR("url", struct xd_partner_erp, url, URL, 2048, true,
        "Base URL of the ERP's API (Tryton: the trytond JSON-RPC root)"),
    STR("database", struct xd_partner_erp, database, IDENT, 64, true, "ERP database name"),
    STR("credential", struct xd_partner_erp, credential, NAME, 64, true,
        "Password credential of the ERP user the hub logs in as"),
    DUR("poll_interval", struct xd_partner_erp, poll_interval_ms, 1 * SEC, 1 * DAY, false, "30s",
        "How often new and changed business documents are fetched"),
    ENUMF("invoice_state", struct xd_partner_erp, invoice_state, invoice_states, false, "draft",
          "State of supplier invoices the hub creates: draft or posted"),
    MAP_KV("products", struct xd_partner_erp, products, n_products, CODE, elem_sku, 50000, false,
           "ERP product code: our SKU, where they differ"),
    MAP_KV("parties", struct xd_partner_erp, parties, n_parties, CODE, elem_partner, 10000, false,
           "ERP party code: partner id"),
    MAP_KV("locations", struct xd_partner_erp, locations, n_locations, CODE, elem_location, 1000,
           false, "ERP stock location code: our location id"),
    MAP_KV("units", struct xd_partner_erp, units, n_units, CODE, elem_uom, 200, false,
           "ERP unit symbol: canonical unit"),
};
static SCHEMA(erp_schema, struct xd_partner_erp, "ERP connector settings (role erp only).",
              erp_rows);

static const struct xd_partner__field profile_rows[] = {
    STR("id", struct xd_partner_profile, id, NAME, XD_PARTNER_ID_MAX, true,
        "Partner id: the name in URLs, tokens, inbox folders and documents' source.partner"),
    STR("name", struct xd_partner_profile, name, TEXT, 120, true, "Name for people"),
    ENUMF("role", struct xd_partner_profile, role, xd_partner__roles, true, NULL,
          "What the partner is to the distributor"),
    {.key = "identifiers",
     .type = XD_PARTNER__F_INL,
     AT(struct xd_partner_profile, identifiers),
     .child = &identifiers_schema,
     .doc = "Identifiers"},
    {.key = "x12",
     .type = XD_PARTNER__F_OBJ,
     AT(struct xd_partner_profile, x12),
     .child = &x12_schema,
     .doc = "X12 envelope settings"},
    {.key = "inbound",
     .type = XD_PARTNER__F_INL,
     AT(struct xd_partner_profile, inbound),
     .child = &inbound_schema,
     .doc = "Inbound channels"},
    {.key = "outbound",
     .type = XD_PARTNER__F_INL,
     AT(struct xd_partner_profile, outbound),
     .child = &outbound_schema,
     .doc = "Outbound delivery"},
    LIST_OF("documents", struct xd_partner_profile, documents, n_documents, document_schema, 64,
            false, "Document types exchanged, each with its direction and format"),
    {.key = "mapping",
     .type = XD_PARTNER__F_INL,
     AT(struct xd_partner_profile, mapping),
     .child = &mapping_schema,
     .doc = "Code mapping"},
    LIST_OF("slas", struct xd_partner_profile, slas, n_slas, sla_schema, 32, false,
            "Service levels"),
    {.key = "credentials",
     .type = XD_PARTNER__F_MAP,
     AT(struct xd_partner_profile, credentials),
     N(struct xd_partner_profile, n_credentials),
     .min = 1,
     .max = 32,
     .child = &credential_schema,
     .doc = "Secrets, by name"},
    {.key = "erp",
     .type = XD_PARTNER__F_OBJ,
     AT(struct xd_partner_profile, erp),
     .child = &erp_schema,
     .doc = "ERP connector (role erp)"},
};
SCHEMA(xd_partner__profile_schema, struct xd_partner_profile,
       "A partner profile: one YAML (or JSON) document per partner.", profile_rows);

size_t xd_partner__elem_size(const struct xd_partner__field *f)
{
    switch (f->type) {
    case XD_PARTNER__F_ENUM:
    case XD_PARTNER__F_DOCTYPE:
        return sizeof(int);
    default:
        return sizeof(const char *);
    }
}
