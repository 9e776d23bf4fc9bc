/* SPDX-License-Identifier: MIT
 * One value between its written form and its canonical form, both ways: padding and blanks,
 * null spellings, letter case, code lists, exact decimals (separators, implied decimals,
 * trailing signs), integers and dates. Each type is a row of one table. Decimals never pass
 * through a double. */
#include <stdio.h>
#include <string.h>

#include "flat/flat_int.h"

/* ------------------------------------------------------------------ dates */

static const struct {
    const char *spec; /* after the '%' */
    enum xd_flat__date_tok kind;
    unsigned min_digits, max_digits;
} date_directives[] = {
    {"Y", XD_FLAT__D_YEAR4, 4, 4},   {"y", XD_FLAT__D_YEAR2, 2, 2}, {"m", XD_FLAT__D_MONTH, 2, 2},
    {"-m", XD_FLAT__D_MONTH1, 1, 2}, {"d", XD_FLAT__D_DAY, 2, 2},   {"-d", XD_FLAT__D_DAY1, 1, 2},
    {"b", XD_FLAT__D_MON, 0, 0},
};

static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* 'y' for the year directives, 'm' for months, 'd' for days. */
static char date_part(enum xd_flat__date_tok k)
{
    switch (k) {
    case XD_FLAT__D_YEAR4:
    case XD_FLAT__D_YEAR2:
        return 'y';
    case XD_FLAT__D_MONTH:
    case XD_FLAT__D_MONTH1:
    case XD_FLAT__D_MON:
        return 'm';
    case XD_FLAT__D_DAY:
    case XD_FLAT__D_DAY1:
        return 'd';
    case XD_FLAT__D_LIT:
        break;
    }
    return 0;
}

enum xd_status xd_flat__date_compile(const char *fmt, struct xd_flat__date *out, char *why,
                                     size_t why_cap)
{
    struct xd_flat__date d = {.n = 0};
    int seen_y = 0, seen_m = 0, seen_d = 0;
    for (size_t i = 0; fmt[i] != '\0';) {
        if (d.n == XD_FLAT_DATE_MAX_TOKENS) {
            snprintf(why, why_cap, "more than %d parts", XD_FLAT_DATE_MAX_TOKENS);
            return XD_EINVAL;
        }
        if (fmt[i] != '%' || fmt[i + 1] == '%') {
            d.tok[d.n].kind = XD_FLAT__D_LIT;
            d.tok[d.n++].lit = fmt[i];
            i += fmt[i] == '%' ? 2 : 1;
            continue;
        }
        size_t k = 0;
        while (k < XD_ARRAY_LEN(date_directives) && strncmp(fmt + i + 1, date_directives[k].spec,
                                                            strlen(date_directives[k].spec)) != 0) {
            k++;
        }
        if (k == XD_ARRAY_LEN(date_directives)) {
            snprintf(why, why_cap,
                     "unknown directive at '%.3s' (use %%Y %%y %%m %%-m %%d %%-d %%b)", fmt + i);
            return XD_EINVAL;
        }
        d.tok[d.n++].kind = date_directives[k].kind;
        char part = date_part(date_directives[k].kind);
        seen_y += part == 'y';
        seen_m += part == 'm';
        seen_d += part == 'd';
        i += 1 + strlen(date_directives[k].spec);
    }
    if (seen_y != 1 || seen_m != 1 || seen_d != 1) {
        snprintf(why, why_cap, "needs exactly one year, one month and one day");
        return XD_EINVAL;
    }
    *out = d;
    return XD_OK;
}

static unsigned directive_digits(enum xd_flat__date_tok kind, unsigned *min_digits)
{
    for (size_t k = 0; k < XD_ARRAY_LEN(date_directives); k++) {
        if (date_directives[k].kind == kind) {
            *min_digits = date_directives[k].min_digits;
            return date_directives[k].max_digits;
        }
    }
    *min_digits = 0;
    return 0;
}

/* Read <s> as written in <fmt> into year/month/day. False when it does not match. */
static bool date_scan(const struct xd_flat__date *fmt, const char *s, size_t n, unsigned v[3])
{
    size_t i = 0;
    for (size_t t = 0; t < fmt->n; t++) {
        enum xd_flat__date_tok kind = fmt->tok[t].kind;
        if (kind == XD_FLAT__D_LIT) {
            if (i >= n || s[i] != fmt->tok[t].lit) {
                return false;
            }
            i++;
            continue;
        }
        char part = date_part(kind);
        unsigned *slot = &v[part == 'y' ? 0 : part == 'm' ? 1 : 2];
        if (kind == XD_FLAT__D_MON) {
            size_t m = 0;
            while (m < 12 && (n - i < 3 || strncasecmp(s + i, month_names[m], 3) != 0)) {
                m++;
            }
            if (m == 12) {
                return false;
            }
            *slot = (unsigned)m + 1;
            i += 3;
            continue;
        }
        unsigned min_digits;
        unsigned max_digits = directive_digits(kind, &min_digits);
        unsigned got = 0, val = 0;
        while (got < max_digits && i < n && s[i] >= '0' && s[i] <= '9') {
            val = val * 10 + (unsigned)(s[i++] - '0');
            got++;
        }
        if (got < min_digits) {
            return false;
        }
        if (kind == XD_FLAT__D_YEAR2) {
            val += val >= 69 ? 1900 : 2000;
        }
        *slot = val;
    }
    return i == n;
}

static enum xd_status date_decode(const struct xd_flat__field *f, const char *s, size_t n,
                                  json_t **out, char *why, size_t why_cap)
{
    unsigned v[3] = {0, 0, 0};
    char iso[16];
    if (date_scan(&f->date, s, n, v) && v[0] <= 9999 && v[1] <= 12 && v[2] <= 31) {
        snprintf(iso, sizeof iso, "%04u-%02u-%02u", v[0], v[1], v[2]);
        if (xd_date_valid(iso, 10)) {
            *out = json_string(iso);
            return *out ? XD_OK : XD_ENOMEM;
        }
    }
    char ex[XD_FLAT_EXCERPT_MAX + 4];
    xd_flat__excerpt(s, n, ex, sizeof ex);
    snprintf(why, why_cap, "'%s' is not a date in the format %s", ex, f->date_text);
    return XD_EPARSE;
}

static enum xd_status date_encode(const struct xd_flat__field *f, const json_t *v,
                                  struct xd_buf *out, char *why, size_t why_cap)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (s == NULL || json_string_length(v) != 10 || !xd_date_valid(s, 10)) {
        snprintf(why, why_cap, "is not a date (YYYY-MM-DD)");
        return XD_EINVAL;
    }
    unsigned y =
        (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    enum xd_status st = XD_OK;
    for (size_t t = 0; t < f->date.n && st == XD_OK; t++) {
        switch (f->date.tok[t].kind) {
        case XD_FLAT__D_LIT:
            st = xd_buf_append_char(out, f->date.tok[t].lit);
            break;
        case XD_FLAT__D_YEAR4:
            st = xd_buf_printf(out, "%04u", y);
            break;
        case XD_FLAT__D_YEAR2:
            if (y < 1969 || y > 2068) {
                snprintf(why, why_cap, "year %u cannot be written with %%y", y);
                return XD_EINVAL;
            }
            st = xd_buf_printf(out, "%02u", y % 100);
            break;
        case XD_FLAT__D_MONTH:
            st = xd_buf_printf(out, "%02u", m);
            break;
        case XD_FLAT__D_MONTH1:
            st = xd_buf_printf(out, "%u", m);
            break;
        case XD_FLAT__D_DAY:
            st = xd_buf_printf(out, "%02u", d);
            break;
        case XD_FLAT__D_DAY1:
            st = xd_buf_printf(out, "%u", d);
            break;
        case XD_FLAT__D_MON:
            st = xd_buf_append_str(out, month_names[m - 1]);
            break;
        }
    }
    return st;
}

/* --------------------------------------------------------------- numbers */

/* Rewrite a partner's number into the lenient decimal spelling of core/decimal.h: thousands
 * separators dropped, the decimal separator made a point, a trailing sign moved to the front.
 * False when a character has no place in a number of this field. */
static bool number_normalize(const struct xd_flat__field *f, const char *s, size_t n,
                             struct xd_buf *tmp, enum xd_status *st)
{
    xd_buf_reset(tmp);
    *st = XD_OK;
    if (f->trailing_sign && n > 1 && (s[n - 1] == '-' || s[n - 1] == '+')) {
        *st = xd_buf_append_char(tmp, s[n - 1]);
        n--;
    }
    for (size_t i = 0; i < n && *st == XD_OK; i++) {
        char c = s[i];
        if (f->thou_sep != 0 && c == f->thou_sep) {
            continue;
        }
        if (c == f->dec_sep) {
            c = '.';
        } else if (c == '.' || c == ',' || c == ' ') {
            return false;
        }
        *st = xd_buf_append_char(tmp, c);
    }
    return true;
}

/* The exact value of a partner's number; XD_EPARSE/XD_ETOOBIG with a reason. */
static enum xd_status number_parse(const struct xd_flat__field *f, const char *s, size_t n,
                                   struct xd_buf *tmp, struct xd_decimal *out, char *why,
                                   size_t why_cap)
{
    char ex[XD_FLAT_EXCERPT_MAX + 4];
    xd_flat__excerpt(s, n, ex, sizeof ex);
    enum xd_status st;
    if (!number_normalize(f, s, n, tmp, &st)) {
        snprintf(why, why_cap, "'%s' is not a number", ex);
        return XD_EPARSE;
    }
    if (st != XD_OK) {
        return st;
    }
    if (f->implied > 0 && memchr(xd_flat__buf(tmp), '.', tmp->len) != NULL) {
        snprintf(why, why_cap, "'%s' has a decimal separator but the field has %d implied decimals",
                 ex, f->implied);
        return XD_EPARSE;
    }
    struct xd_decimal d;
    st = xd_decimal_parse(xd_flat__buf(tmp), tmp->len, XD_DECIMAL_LENIENT, &d);
    if (st == XD_EPARSE) {
        snprintf(why, why_cap, "'%s' is not a number", ex);
        return XD_EPARSE;
    }
    if (st != XD_OK) {
        snprintf(why, why_cap, "'%s' is out of range", ex);
        return XD_EPARSE;
    }
    d.scale = (int16_t)(d.scale + f->implied);
    *out = d;
    return XD_OK;
}

static enum xd_status decimal_decode(const struct xd_flat__field *f, const char *s, size_t n,
                                     struct xd_buf *tmp, json_t **out, char *why, size_t why_cap)
{
    struct xd_decimal d;
    enum xd_status st = number_parse(f, s, n, tmp, &d, why, why_cap);
    if (st != XD_OK) {
        return st;
    }
    char text[XD_DECIMAL_STR_MAX];
    size_t len = xd_decimal_format(d, text, sizeof text);
    *out = json_stringn(text, len);
    return *out ? XD_OK : XD_ENOMEM;
}

static enum xd_status integer_decode(const struct xd_flat__field *f, const char *s, size_t n,
                                     struct xd_buf *tmp, json_t **out, char *why, size_t why_cap)
{
    struct xd_decimal d;
    enum xd_status st = number_parse(f, s, n, tmp, &d, why, why_cap);
    if (st != XD_OK) {
        return st;
    }
    int64_t v;
    if (!xd_decimal_to_int(d, &v)) {
        char ex[XD_FLAT_EXCERPT_MAX + 4];
        xd_flat__excerpt(s, n, ex, sizeof ex);
        snprintf(why, why_cap, "'%s' is not a whole number", ex);
        return XD_EPARSE;
    }
    *out = json_integer((json_int_t)v);
    return *out ? XD_OK : XD_ENOMEM;
}

/* The canonical number in <v>: a decimal string or a JSON integer. */
static bool number_of(const json_t *v, struct xd_decimal *d)
{
    if (json_is_integer(v)) {
        *d = xd_decimal_from_int((int64_t)json_integer_value(v));
        return true;
    }
    return json_is_string(v) && xd_decimal_parse(json_string_value(v), json_string_length(v),
                                                 XD_DECIMAL_STRICT, d) == XD_OK;
}

/* Write <d> as the field spells numbers. */
static enum xd_status number_write(const struct xd_flat__field *f, struct xd_decimal d,
                                   struct xd_buf *out, char *why, size_t why_cap)
{
    char text[XD_DECIMAL_STR_MAX];
    if (f->implied > 0 || f->type == XD_FLAT__INTEGER) {
        struct xd_decimal r;
        struct xd_decimal norm = xd_decimal_normalize(d);
        if (norm.scale > f->implied ||
            xd_decimal_rescale(d, f->implied, XD_ROUND_DOWN, &r) != XD_OK) {
            xd_decimal_format(d, text, sizeof text);
            if (f->implied == 0) {
                snprintf(why, why_cap, "%s is not a whole number", text);
            } else {
                snprintf(why, why_cap, "%s cannot be written with %d implied decimals", text,
                         f->implied);
            }
            return XD_EINVAL;
        }
        d = (struct xd_decimal){r.units, 0};
    }
    size_t len = xd_decimal_format(d, text, sizeof text);
    bool neg = text[0] == '-';
    enum xd_status st = XD_OK;
    if (neg && !f->trailing_sign) {
        st = xd_buf_append_char(out, '-');
    }
    for (size_t i = neg ? 1 : 0; i < len && st == XD_OK; i++) {
        char c = text[i];
        if (c == '.') {
            c = f->dec_sep;
        }
        st = xd_buf_append_char(out, c);
    }
    if (neg && f->trailing_sign && st == XD_OK) {
        st = xd_buf_append_char(out, '-');
    }
    return st;
}

static enum xd_status number_encode(const struct xd_flat__field *f, const json_t *v,
                                    struct xd_buf *out, char *why, size_t why_cap)
{
    struct xd_decimal d;
    if (!number_of(v, &d)) {
        snprintf(why, why_cap, "is not a %s",
                 f->type == XD_FLAT__INTEGER ? "whole number" : "decimal string");
        return XD_EINVAL;
    }
    return number_write(f, d, out, why, why_cap);
}

/* --------------------------------------------------------------- strings */

static enum xd_status string_decode(const struct xd_flat__field *f, const char *s, size_t n,
                                    struct xd_buf *tmp, json_t **out, char *why, size_t why_cap)
{
    (void)tmp;
    if (f->map != NULL) {
        json_t *code = json_object_getn(f->map, s, n);
        if (code != NULL) {
            *out = json_deep_copy(code);
            return *out ? XD_OK : XD_ENOMEM;
        }
        if (f->unknown == XD_FLAT__UNKNOWN_ERROR) {
            char ex[XD_FLAT_EXCERPT_MAX + 4];
            xd_flat__excerpt(s, n, ex, sizeof ex);
            snprintf(why, why_cap, "'%s' is not one of the codes of the value map", ex);
            return XD_EPARSE;
        }
    }
    *out = json_stringn(s, n);
    return *out ? XD_OK : XD_ENOMEM;
}

static enum xd_status string_encode(const struct xd_flat__field *f, const json_t *v,
                                    struct xd_buf *out, char *why, size_t why_cap)
{
    if (json_is_integer(v)) {
        return xd_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    }
    if (!json_is_string(v)) {
        snprintf(why, why_cap, "is a JSON %s, not a string",
                 json_is_object(v)  ? "object"
                 : json_is_array(v) ? "array"
                 : json_is_real(v)  ? "number with a fraction (decimals are strings)"
                                    : "literal");
        return XD_EINVAL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (f->rmap != NULL) {
        json_t *code = json_object_getn(f->rmap, s, n);
        if (code != NULL) {
            return xd_buf_append(out, json_string_value(code), json_string_length(code));
        }
        if (f->unknown == XD_FLAT__UNKNOWN_ERROR) {
            char ex[XD_FLAT_EXCERPT_MAX + 4];
            xd_flat__excerpt(s, n, ex, sizeof ex);
            snprintf(why, why_cap, "'%s' has no partner code in the value map", ex);
            return XD_EINVAL;
        }
    }
    return xd_buf_append(out, s, n);
}

/* ----------------------------------------------------------------- table */

typedef enum xd_status (*decode_fn)(const struct xd_flat__field *f, const char *s, size_t n,
                                    struct xd_buf *tmp, json_t **out, char *why, size_t why_cap);
typedef enum xd_status (*encode_fn)(const struct xd_flat__field *f, const json_t *v,
                                    struct xd_buf *out, char *why, size_t why_cap);

static enum xd_status date_decode_t(const struct xd_flat__field *f, const char *s, size_t n,
                                    struct xd_buf *tmp, json_t **out, char *why, size_t why_cap)
{
    (void)tmp;
    return date_decode(f, s, n, out, why, why_cap);
}

static const struct {
    decode_fn decode;
    encode_fn encode;
} value_types[] = {
    [XD_FLAT__STRING] = {string_decode, string_encode},
    [XD_FLAT__DECIMAL] = {decimal_decode, number_encode},
    [XD_FLAT__INTEGER] = {integer_decode, number_encode},
    [XD_FLAT__DATE] = {date_decode_t, date_encode},
};

static bool is_numeric(const struct xd_flat__field *f)
{
    return f->type == XD_FLAT__DECIMAL || f->type == XD_FLAT__INTEGER;
}

/* Strip a fixed-width field's padding from the side it pads. Zeros that pad a number are
 * digits to the parser, so they stay. */
static struct xd_slice strip_pad(const struct xd_flat__field *f, struct xd_slice v)
{
    if (f->start == 0 || (f->pad == '0' && is_numeric(f))) {
        return v;
    }
    if (f->align == XD_FLAT__RIGHT) {
        while (v.len > 0 && v.p[0] == f->pad) {
            v.p++;
            v.len--;
        }
    } else {
        while (v.len > 0 && v.p[v.len - 1] == f->pad) {
            v.len--;
        }
    }
    return v;
}

static void change_case(enum xd_flat__case c, char *s, size_t n)
{
    for (size_t i = 0; i < n && c != XD_FLAT__KEEP; i++) {
        if (c == XD_FLAT__UPPER && s[i] >= 'a' && s[i] <= 'z') {
            s[i] = (char)(s[i] - 'a' + 'A');
        } else if (c == XD_FLAT__LOWER && s[i] >= 'A' && s[i] <= 'Z') {
            s[i] = (char)(s[i] - 'A' + 'a');
        }
    }
}

enum xd_status xd_flat__value_decode(const struct xd_flat__field *f, const char *s, size_t n,
                                     struct xd_buf *tmp, json_t **out, char *why, size_t why_cap)
{
    struct xd_slice v = strip_pad(f, (struct xd_slice){s, n});
    if (f->trim) {
        v = xd_slice_trim(v);
    }
    for (size_t i = 0; i < f->nulls.n; i++) {
        if (xd_slice_eq_cstr(v, f->nulls.v[i])) {
            v.len = 0;
        }
    }
    if (v.len == 0) {
        *out = NULL;
        return XD_OK;
    }
    /* A private copy, because changing the letter case writes to it. */
    char *copy = xd_strndup(v.p, v.len);
    if (copy == NULL) {
        return XD_ENOMEM;
    }
    change_case(f->letter_case, copy, v.len);
    enum xd_status st = value_types[f->type].decode(f, copy, v.len, tmp, out, why, why_cap);
    xd_free(copy);
    return st;
}

enum xd_status xd_flat__value_encode(const struct xd_flat__field *f, const json_t *v,
                                     struct xd_buf *out, char *why, size_t why_cap)
{
    json_t *def = NULL;
    if ((v == NULL || json_is_null(v)) && f->def != NULL) {
        def = json_string(f->def);
        if (def == NULL) {
            return XD_ENOMEM;
        }
        v = def;
    }
    enum xd_status st = XD_OK;
    if (v == NULL || json_is_null(v)) {
        if (f->required) {
            snprintf(why, why_cap, "required value is missing");
            st = XD_EINVAL;
        } else if (f->nulls.n > 0) {
            st = xd_buf_append_str(out, f->nulls.v[0]);
        }
        goto out;
    }
    size_t mark = out->len;
    st = value_types[f->type].encode(f, v, out, why, why_cap);
    if (st == XD_OK) {
        change_case(f->letter_case, out->data != NULL ? out->data + mark : NULL, out->len - mark);
    }
out:
    json_decref(def);
    return st;
}

enum xd_status xd_flat__value_key(const json_t *v, struct xd_buf *out)
{
    if (json_is_string(v)) {
        enum xd_status st = xd_buf_printf(out, "%zu:", json_string_length(v));
        if (st == XD_OK) {
            st = xd_buf_append(out, json_string_value(v), json_string_length(v));
        }
        return st;
    }
    if (json_is_integer(v)) {
        return xd_buf_printf(out, "i%" JSON_INTEGER_FORMAT ";", json_integer_value(v));
    }
    return xd_buf_append_str(out, "-;");
}
