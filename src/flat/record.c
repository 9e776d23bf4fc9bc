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

/* Character offsets of a UTF-8 fixed-width line with non-ASCII text, so positions count
 * characters. False (with a problem) when the line is not UTF-8. */
static enum xd_status line_chars(struct xd_flat_reader *r)
{
    const struct xd_flat__rec *rec = &r->rec;
    r->line_ok = true;
    r->nchars = rec->raw_len;
    bool ascii = true;
    for (size_t i = 0; i < rec->raw_len && ascii; i++) {
        ascii = (unsigned char)rec->raw[i] < 0x80;
    }
    if (r->m->charset != XD_FLAT__UTF8 || ascii) {
        return XD_OK;
    }
    size_t bad = xd_flat__utf8_check(rec->raw, rec->raw_len);
    if (bad != rec->raw_len) {
        r->line_ok = false;
        return record_problem(r, "encoding", rec->line, NULL, "not valid UTF-8 at byte %zu",
                              bad + 1);
    }
    r->nchars = xd_flat__utf8_count(rec->raw, rec->raw_len);
    if (r->nchars + 1 > r->offs_cap) {
        size_t *n = xd_reallocarray(r->offs, r->nchars + 1, sizeof *n);
        if (n == NULL) {
            return XD_ENOMEM;
        }
        r->offs = n;
        r->offs_cap = r->nchars + 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < rec->raw_len; i++) {
        if (((unsigned char)rec->raw[i] & 0xC0) != 0x80) {
            r->offs[k++] = i;
        }
    }
    r->offs[k] = rec->raw_len;
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
        *blank = xd_flat__blank(r->rec.bytes.data + c->off, c->len);
    }
    if (r->rec.too_many) {
        st = record_problem(r, "limit", r->rec.line, NULL, "more than %zu fields", m->lim.fields);
    }
    return st;
}

/* The text of CSV cell <i> in UTF-8 (in r->conv), trimmed. False when it is not valid text. */
static enum xd_status cell_text(struct xd_flat_reader *r, size_t i, struct xd_slice *out, bool *ok)
{
    const struct xd_flat__cell *c = &r->rec.cells[i];
    size_t bad;
    xd_buf_reset(&r->conv);
    enum xd_status st =
        xd_flat__to_utf8(r->m->charset, r->rec.bytes.data + c->off, c->len, &r->conv, &bad);
    *ok = st == XD_OK;
    if (st != XD_EPARSE && st != XD_OK) {
        return st;
    }
    *out = xd_slice_trim((struct xd_slice){r->conv.data ? r->conv.data : "", r->conv.len});
    return XD_OK;
}

enum xd_status xd_flat__record_header(struct xd_flat_reader *r)
{
    const struct xd_flat_map *m = r->m;
    char missing[XD_ERROR_MESSAGE_MAX] = "";
    size_t used = 0, nmissing = 0;
    for (size_t g = 0, rt = 0; rt < m->nrecords; rt++) {
        for (size_t i = 0; i < m->records[rt].nfields; i++, g++) {
            const struct xd_flat__field *f = &m->records[rt].fields[i];
            if (!f->has_source || f->column == NULL) {
                continue;
            }
            size_t k = 0;
            for (; k < r->rec.ncells; k++) {
                struct xd_slice name;
                bool ok;
                enum xd_status st = cell_text(r, k, &name, &ok);
                if (st != XD_OK) {
                    return st;
                }
                if (ok && name.len == strlen(f->column) &&
                    strncasecmp(name.p, f->column, name.len) == 0) {
                    break;
                }
            }
            r->col[g] = k;
            if (k == r->rec.ncells && f->has_path) {
                int n = snprintf(missing + used, sizeof missing - used, "%s'%s'",
                                 nmissing ? ", " : "", f->column);
                used = n > 0 && (size_t)n < sizeof missing - used ? used + (size_t)n : used;
                nmissing++;
            }
        }
    }
    r->header_done = true;
    if (nmissing == 0) {
        return XD_OK;
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
        return xd_slice_trim(xd_flat__line_slice(&r->rec,
                                                 r->nchars == r->rec.raw_len ? NULL : r->offs,
                                                 r->nchars, m->tag_start, m->tag_length));
    }
    if (m->tag_start > r->rec.ncells) {
        return (struct xd_slice){"", 0};
    }
    const struct xd_flat__cell *c = &r->rec.cells[m->tag_start - 1];
    return xd_slice_trim((struct xd_slice){r->rec.bytes.data + c->off, c->len});
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
static struct xd_slice raw_value(const struct xd_flat_reader *r, const struct xd_flat__field *f,
                                 size_t g, int *line)
{
    if (r->m->format == XD_FLAT__FIXED) {
        *line = r->rec.line;
        return xd_flat__line_slice(&r->rec, r->nchars == r->rec.raw_len ? NULL : r->offs, r->nchars,
                                   f->start, f->length);
    }
    size_t k = r->col[g];
    if (k >= r->rec.ncells) {
        *line = r->rec.line;
        return (struct xd_slice){"", 0};
    }
    const struct xd_flat__cell *c = &r->rec.cells[k];
    *line = c->line;
    return (struct xd_slice){r->rec.bytes.data + c->off, c->len};
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
    st = xd_flat__value_decode(f, r->conv.data ? r->conv.data : "", r->conv.len, &r->tmp, val, why,
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
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct xd_flat__field *f = &rec->fields[i];
        if (!ok || !f->has_source || !f->has_path) {
            continue;
        }
        enum xd_status st = field_value(r, f, rec->first + i, &r->vals[i]);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}
