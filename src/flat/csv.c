/* SPDX-License-Identifier: MIT
 * CSV records as RFC 4180 writes them: fields split by a delimiter, quoted fields that hold
 * delimiters, doubled quotes and line breaks, CRLF or LF line ends, the last line with or
 * without its end. Two partner habits are tolerated: a quote inside an unquoted field is data
 * (12" PIPE), and blanks between a closing quote and the delimiter are dropped. */
#include <string.h>

#include "flat/flat_int.h"

void xd_flat__rec_init(struct xd_flat__rec *rec, size_t record_bytes)
{
    memset(rec, 0, sizeof *rec);
    xd_buf_init(&rec->bytes, record_bytes);
}

void xd_flat__rec_cleanup(struct xd_flat__rec *rec)
{
    xd_buf_cleanup(&rec->bytes);
    xd_free(rec->cells);
    rec->cells = NULL;
}

static enum xd_status add_cell(struct xd_flat__rec *rec, size_t off, int line, size_t max)
{
    if (rec->ncells == max) {
        rec->too_many = true;
        return XD_OK;
    }
    if (rec->ncells == rec->cap) {
        size_t ncap = rec->cap ? rec->cap * 2 : 16;
        struct xd_flat__cell *n = xd_reallocarray(rec->cells, ncap, sizeof *n);
        if (n == NULL) {
            return XD_ENOMEM;
        }
        rec->cells = n;
        rec->cap = ncap;
    }
    rec->cells[rec->ncells++] = (struct xd_flat__cell){off, rec->bytes.len - off, line};
    return XD_OK;
}

static int count_lines(const char *s, size_t n)
{
    int lines = 0;
    for (const char *p = memchr(s, '\n', n); p != NULL;
         p = memchr(p + 1, '\n', n - (size_t)(p + 1 - s))) {
        lines++;
    }
    return lines;
}

/* A line end at data[p]: LF, CRLF, or a CR that ends the input. Its length, or 0. */
static size_t eol_at(const char *data, size_t len, size_t p)
{
    if (p < len && data[p] == '\n') {
        return 1;
    }
    if (p < len && data[p] == '\r' && (p + 1 == len || data[p + 1] == '\n')) {
        return p + 1 == len ? 1 : 2;
    }
    return 0;
}

struct scan {
    const struct xd_flat_map *m;
    const char *data;
    size_t len;  /* input length */
    size_t stop; /* the cap: a record may not reach past here */
    size_t p;
    int line;
    struct xd_flat__rec *rec;
    struct xd_error *err;
};

static enum xd_status too_long(struct scan *s)
{
    xd_error_set(s->err, XD_ETOOBIG, "record is longer than %zu bytes", s->m->lim.record_bytes);
    xd_error_at(s->err, NULL, -1, s->rec->line);
    return XD_ETOOBIG;
}

/* Bytes of an unquoted field up to the delimiter or the line end. */
static enum xd_status unquoted(struct scan *s)
{
    size_t from = s->p;
    while (s->p < s->stop && s->data[s->p] != s->m->delim && s->data[s->p] != '\n' &&
           eol_at(s->data, s->len, s->p) == 0) {
        s->p++;
    }
    if (s->p == s->stop && s->stop < s->len) {
        return too_long(s);
    }
    enum xd_status st = xd_buf_append(&s->rec->bytes, s->data + from, s->p - from);
    return st == XD_ETOOBIG ? too_long(s) : st;
}

/* A quoted field from its opening quote through the closing one. */
static enum xd_status quoted(struct scan *s)
{
    const char q = s->m->quote;
    int opened = s->line;
    s->p++;
    for (;;) {
        const char *at = memchr(s->data + s->p, q, s->stop - s->p);
        size_t end = at ? (size_t)(at - s->data) : s->stop;
        s->line += count_lines(s->data + s->p, end - s->p);
        enum xd_status st = xd_buf_append(&s->rec->bytes, s->data + s->p, end - s->p);
        if (st != XD_OK) {
            return st == XD_ETOOBIG ? too_long(s) : st;
        }
        s->p = end;
        if (at == NULL) {
            if (s->stop < s->len) {
                return too_long(s);
            }
            xd_error_set(s->err, XD_EPARSE, "quoted field opened on line %d is never closed",
                         opened);
            xd_error_at(s->err, NULL, -1, opened);
            return XD_EPARSE;
        }
        if (s->p + 1 < s->stop && s->data[s->p + 1] == q) {
            st = xd_buf_append_char(&s->rec->bytes, q);
            if (st != XD_OK) {
                return st == XD_ETOOBIG ? too_long(s) : st;
            }
            s->p += 2;
            continue;
        }
        s->p++;
        return XD_OK;
    }
}

/* After a closing quote: blanks, then the delimiter or the line end. Anything else spoils the
 * record; it is kept as data so the rest of the line still splits into fields. */
static enum xd_status after_quote(struct scan *s, struct xd_diags *errs, size_t field)
{
    while (s->p < s->stop && (s->data[s->p] == ' ' || s->data[s->p] == '\t') &&
           s->data[s->p] != s->m->delim) {
        s->p++;
    }
    if (s->p >= s->len || s->data[s->p] == s->m->delim || eol_at(s->data, s->len, s->p) > 0) {
        return XD_OK;
    }
    char where[48];
    snprintf(where, sizeof where, "line %d, column %zu", s->line, field + 1);
    char c = s->data[s->p];
    enum xd_status st = xd_diags_add(errs, "csv", where,
                                     c >= 0x20 && c < 0x7F ? "'%c' after the closing quote"
                                                           : "byte 0x%02x after the closing quote",
                                     c >= 0x20 && c < 0x7F ? c : (unsigned char)c);
    return st == XD_OK ? unquoted(s) : st;
}

enum xd_status xd_flat__csv_read(const struct xd_flat_map *m, const char *data, size_t len,
                                 size_t *pos, int *line, struct xd_flat__rec *rec,
                                 struct xd_diags *errs, struct xd_error *err)
{
    size_t room = len - *pos;
    struct scan s = {
        .m = m,
        .data = data,
        .len = len,
        /* two bytes of slack for the CR LF that ends a record of exactly the cap */
        .stop = room > m->lim.record_bytes + 2 ? *pos + m->lim.record_bytes + 2 : len,
        .p = *pos,
        .line = *line,
        .rec = rec,
        .err = err,
    };
    xd_buf_reset(&rec->bytes);
    rec->ncells = 0;
    rec->too_many = false;
    rec->line = *line;
    enum xd_status st = XD_OK;
    for (;;) {
        size_t off = rec->bytes.len;
        int cell_line = s.line;
        if (m->quote != 0 && s.p < s.stop && data[s.p] == m->quote) {
            st = quoted(&s);
            if (st == XD_OK) {
                st = after_quote(&s, errs, rec->ncells);
            }
        } else {
            st = unquoted(&s);
        }
        if (st == XD_OK) {
            st = add_cell(rec, off, cell_line, m->lim.fields);
        }
        if (st != XD_OK || s.p >= len) {
            break;
        }
        if (data[s.p] == m->delim) {
            s.p++;
            continue;
        }
        s.p += eol_at(data, len, s.p);
        s.line++;
        break;
    }
    if (st == XD_OK) {
        *pos = s.p;
        *line = s.line;
    }
    return st;
}

static bool needs_quotes(const struct xd_flat_map *m, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == m->delim || s[i] == '\r' || s[i] == '\n' || (m->quote && s[i] == m->quote)) {
            return true;
        }
    }
    return false;
}

enum xd_status xd_flat__csv_put(const struct xd_flat_map *m, const char *s, size_t n,
                                struct xd_buf *out)
{
    bool quote = m->quoting == XD_FLAT__QUOTE_ALWAYS || needs_quotes(m, s, n);
    if (!quote) {
        return xd_buf_append(out, s, n);
    }
    if (m->quote == 0) {
        return XD_EINVAL;
    }
    enum xd_status st = xd_buf_append_char(out, m->quote);
    for (size_t i = 0; i < n && st == XD_OK; i++) {
        if (s[i] == m->quote) {
            st = xd_buf_append_char(out, m->quote);
        }
        if (st == XD_OK) {
            st = xd_buf_append_char(out, s[i]);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(out, m->quote);
    }
    return st;
}
