/* SPDX-License-Identifier: MIT
 * One record of the input: read it (CSV or fixed width), tell its type by its tag, and decode
 * each mapped column into its canonical value. Problems of the record go to r->rec_errs with
 * the line, the column and the field path; the reader then files them under the document the
 * record belongs to. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flat/flat_int.h"

#define WHERE_MAX 256

static enum xd_status record_problem(struct xd_flat_reader *r, const char *code, int line,
                                     const struct xd_flat__field *f, const char *fmt, ...)
    XD_PRINTF(5, 6);

/* Add "line 7, column 'qty' (lines[].quantity): <message>" to the record's problems. */
static enum xd_status record_problem(struct xd_flat_reader *r, const char *code, int line,
                                     const struct xd_flat__field *f, const char *fmt, ...)
{
    char where[WHERE_MAX];
    if (f == NULL) {
        snprintf(where, sizeof where, "line %d", line);
    } else if (f->has_path) {
        snprintf(where, sizeof where, "line %d, %s (%s)", line, f->label, f->path.text);
    } else {
        snprintf(where, sizeof where, "line %d, %s", line, f->label);
    }
    va_list ap;
    va_start(ap, fmt);
    char msg[XD_ERROR_MESSAGE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return xd_diags_add(&r->rec_errs, code, where, "%s", msg);
}

/* How a fixed-width line's positions map to bytes. A UTF-8 line with non-ASCII text counts
 * characters, and must be valid UTF-8 (else a problem and no values from it). */
static enum xd_status line_chars(struct xd_flat_reader *r)
{
    const struct xd_flat__rec *rec = &r->rec;
    r->line_ok = true;
    r->single = true;
    r->nchars = rec->raw_len;
    r->cur = (struct xd_flat__cursor){0, 0};
    for (size_t i = 0; i < rec->raw_len && r->single; i++) {
        r->single = (unsigned char)rec->raw[i] < 0x80;
    }
    if (r->m->charset != XD_FLAT__UTF8 || r->single) {
        r->single = true;
        return XD_OK;
    }
    size_t bad = xd_flat__utf8_check(rec->raw, rec->raw_len);
    if (bad != rec->raw_len) {
        r->line_ok = false;
        return record_problem(r, "encoding", rec->line, NULL, "not valid UTF-8 at byte %zu",
                              bad + 1);
    }
    r->nchars = xd_flat__utf8_count(rec->raw, rec->raw_len);
    return XD_OK;
}

enum xd_status xd_flat__record_read(struct xd_flat_reader *r, bool *blank)
{
    const struct xd_flat_map *m = r->m;
    xd_diags_reset(&r->rec_errs);
    if (m->format == XD_FLAT__FIXED) {
        enum xd_status st =
            xd_flat__line_read(m, r->data, r->len, &r->pos, &r->line, &r->rec, &r->err);
        if (st != XD_OK) {
            return st;
        }
        *blank = xd_flat__blank(r->rec.raw, r->rec.raw_len);
        return *blank ? XD_OK : line_chars(r);
    }
    enum xd_status st =
        xd_flat__csv_read(m, r->data, r->len, &r->pos, &r->line, &r->rec, &r->rec_errs, &r->err);
    if (st != XD_OK) {
        return st;
    }
    *blank = r->rec_errs.count == 0 && r->rec_errs.dropped == 0;
    for (size_t i = 0; i < r->rec.ncells && *blank; i++) {
        const struct xd_flat__cell *c = &r->rec.cells[i];
        *blank = xd_flat__blank(xd_flat__buf(&r->rec.bytes) + c->off, c->len);
    }
    if (r->rec.too_many) {
        st = record_problem(r, "limit", r->rec.line, NULL, "more than %zu fields", m->lim.fields);
    }
    return st;
}

/* The header row's names in UTF-8, trimmed, into r->conv; names[k] locates cell k's (an
 * empty name for a cell that is not text in the map's encoding). */
static enum xd_status header_names(struct xd_flat_reader *r, struct xd_flat__cell *names)
{
    xd_buf_reset(&r->conv);
    for (size_t k = 0; k < r->rec.ncells; k++) {
        const struct xd_flat__cell *c = &r->rec.cells[k];
        size_t mark = r->conv.len, bad;
        enum xd_status st = xd_flat__to_utf8(r->m->charset, xd_flat__buf(&r->rec.bytes) + c->off,
                                             c->len, &r->conv, &bad);
        if (st != XD_OK && st != XD_EPARSE) {
            return st;
        }
        /* offsets, not pointers: the buffer may move as it grows */
        const char *base = xd_flat__buf(&r->conv);
        struct xd_slice name = {base + mark, r->conv.len - mark};
        name = st == XD_OK ? xd_slice_trim(name) : (struct xd_slice){name.p, 0};
        names[k] = (struct xd_flat__cell){(size_t)(name.p - base), name.len, c->line};
    }
    return XD_OK;
}

/* The cell whose name is <column> (ASCII case ignored), or ncells. */
static size_t find_column(const struct xd_flat_reader *r, const struct xd_flat__cell *names,
                          const char *column)
{
    size_t len = strlen(column);
    const char *base = xd_flat__buf(&r->conv);
    for (size_t k = 0; k < r->rec.ncells; k++) {
        if (names[k].len == len && strncasecmp(base + names[k].off, column, len) == 0) {
            return k;
        }
    }
    return r->rec.ncells;
}

enum xd_status xd_flat__record_header(struct xd_flat_reader *r)
{
    const struct xd_flat_map *m = r->m;
    struct xd_flat__cell *names = xd_calloc(r->rec.ncells ? r->rec.ncells : 1, sizeof *names);
    enum xd_status st = names ? header_names(r, names) : XD_ENOMEM;
    char missing[XD_ERROR_MESSAGE_MAX] = "";
    size_t used = 0, nmissing = 0;
    for (size_t g = 0, rt = 0; rt < m->nrecords && st == XD_OK; rt++) {
        for (size_t i = 0; i < m->records[rt].nfields; i++, g++) {
            const struct xd_flat__field *f = &m->records[rt].fields[i];
            if (!f->has_source || f->column == NULL) {
                continue;
            }
            r->col[g] = find_column(r, names, f->column);
            if (r->col[g] == r->rec.ncells && f->has_path) {
                int n = snprintf(missing + used, sizeof missing - used, "%s'%s'",
                                 nmissing ? ", " : "", f->column);
                used = n > 0 && (size_t)n < sizeof missing - used ? used + (size_t)n : used;
                nmissing++;
            }
        }
    }
    xd_free(names);
    r->header_done = true;
    if (st != XD_OK || nmissing == 0) {
        return st;
    }
    xd_error_set(&r->err, XD_EPARSE, "the header row has no column %s", missing);
    xd_error_at(&r->err, NULL, -1, r->rec.line);
    return XD_EPARSE;
}

/* The record's tag, as the file spells it, without blanks around it. */
static struct xd_slice record_tag(struct xd_flat_reader *r)
{
    const struct xd_flat_map *m = r->m;
    if (m->format == XD_FLAT__FIXED) {
        return xd_slice_trim(
            xd_flat__line_slice(&r->rec, r->single, &r->cur, m->tag_start, m->tag_length));
    }
    if (m->tag_start > r->rec.ncells) {
        return (struct xd_slice){"", 0};
    }
    const struct xd_flat__cell *c = &r->rec.cells[m->tag_start - 1];
    return xd_slice_trim((struct xd_slice){xd_flat__buf(&r->rec.bytes) + c->off, c->len});
}

enum xd_status xd_flat__record_type(struct xd_flat_reader *r, const struct xd_flat__record **out)
{
    const struct xd_flat_map *m = r->m;
    *out = NULL;
    if (!m->has_tag) {
        *out = &m->records[0];
        return XD_OK;
    }
    struct xd_slice tag = record_tag(r);
    for (size_t i = 0; i < m->nrecords; i++) {
        if (xd_slice_eq_cstr(tag, m->records[i].tag)) {
            *out = &m->records[i];
            return XD_OK;
        }
    }
    char ex[XD_FLAT_EXCERPT_MAX + 4];
    xd_flat__excerpt(tag.p, tag.len, ex, sizeof ex);
    return record_problem(r, "record", r->rec.line, NULL, "unknown record type '%s'", ex);
}

/* The written text of field <f> (index <g> among the map's fields) and its line. */
static struct xd_slice raw_value(struct xd_flat_reader *r, const struct xd_flat__field *f, size_t g,
                                 int *line)
{
    if (r->m->format == XD_FLAT__FIXED) {
        *line = r->rec.line;
        return xd_flat__line_slice(&r->rec, r->single, &r->cur, f->start, f->length);
    }
    size_t k = r->col[g];
    if (k >= r->rec.ncells) {
        *line = r->rec.line;
        return (struct xd_slice){"", 0};
    }
    const struct xd_flat__cell *c = &r->rec.cells[k];
    *line = c->line;
    return (struct xd_slice){xd_flat__buf(&r->rec.bytes) + c->off, c->len};
}

/* Decode one field into *val; a problem goes to the record. */
static enum xd_status field_value(struct xd_flat_reader *r, const struct xd_flat__field *f,
                                  size_t g, json_t **val)
{
    int line;
    struct xd_slice raw = raw_value(r, f, g, &line);
    size_t bad;
    xd_buf_reset(&r->conv);
    enum xd_status st = xd_flat__to_utf8(r->m->charset, raw.p, raw.len, &r->conv, &bad);
    if (st == XD_EPARSE) {
        return record_problem(r, "encoding", line, f, "byte 0x%02x at %zu is not %s",
                              (unsigned char)raw.p[bad], bad + 1,
                              xd_flat__charset_name(r->m->charset));
    }
    if (st != XD_OK) {
        return st;
    }
    char why[XD_ERROR_MESSAGE_MAX];
    st = xd_flat__value_decode(f, xd_flat__buf(&r->conv), r->conv.len, &r->tmp, val, why,
                               sizeof why);
    if (st == XD_EPARSE) {
        return record_problem(r, "value", line, f, "%s", why);
    }
    if (st == XD_OK && *val == NULL && f->required && f->fill == NULL) {
        return record_problem(r, "required", line, f, "required value is missing");
    }
    return st;
}

enum xd_status xd_flat__record_values(struct xd_flat_reader *r, const struct xd_flat__record *rec)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        r->vals[i] = NULL;
    }
    bool ok = true;
    if (r->m->format == XD_FLAT__FIXED) {
        ok = r->line_ok;
        if (ok && r->m->record_length > 0 && r->nchars > r->m->record_length) {
            ok = false;
            enum xd_status st =
                record_problem(r, "record", r->rec.line, NULL,
                               "line is %zu characters, longer than the record length %zu",
                               r->nchars, r->m->record_length);
            if (st != XD_OK) {
                return st;
            }
        }
    }
    /* Fixed-width fields left to right, so slicing the line is one pass. */
    bool fixed = r->m->format == XD_FLAT__FIXED;
    size_t n = fixed ? rec->norder : rec->nfields;
    for (size_t k = 0; k < n && ok; k++) {
        size_t i = fixed ? rec->order[k] : k;
        const struct xd_flat__field *f = &rec->fields[i];
        if (!f->has_source || !f->has_path) {
            continue;
        }
        enum xd_status st = field_value(r, f, rec->first + i, &r->vals[i]);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}
