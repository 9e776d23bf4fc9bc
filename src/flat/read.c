/* SPDX-License-Identifier: MIT
 * The reader: records in, documents out, one at a time. Records are grouped into documents by
 * the map (a document per record, per file, per run of records sharing a key, per key over the
 * whole file, or from a header record to the next); each document collects its own problems
 * and is handed out whole or reported invalid. Apart from mode "all", which must see the end of
 * the file before any document is complete, the reader holds at most the document it is
 * handing out and the one being assembled. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flat/flat_int.h"

enum xd_status xd_flat_reader_create(const struct xd_flat_map *m, const void *data, size_t len,
                                     struct xd_flat_reader **out)
{
    struct xd_flat_reader *r = xd_calloc(1, sizeof *r);
    if (r == NULL) {
        return XD_ENOMEM;
    }
    r->m = m;
    r->data = data ? data : "";
    r->len = data ? len : 0;
    r->line = 1;
    r->fatal = XD_OK;
    xd_error_clear(&r->err);
    xd_flat__rec_init(&r->rec, m->lim.record_bytes);
    xd_diags_init(&r->rec_errs, m->lim.errors);
    xd_buf_init(&r->conv, m->lim.record_bytes * 4);
    xd_buf_init(&r->tmp, m->lim.record_bytes * 4);
    xd_buf_init(&r->key, m->lim.record_bytes * 8);
    size_t most = 1;
    for (size_t i = 0; i < m->nrecords; i++) {
        most = m->records[i].nfields > most ? m->records[i].nfields : most;
    }
    r->nvals = most;
    r->vals = xd_calloc(most, sizeof(json_t *));
    r->col = xd_calloc(m->nfields ? m->nfields : 1, sizeof *r->col);
    if (r->vals == NULL || r->col == NULL) {
        xd_flat_reader_destroy(r);
        return XD_ENOMEM;
    }
    for (size_t g = 0, rt = 0; rt < m->nrecords; rt++) {
        for (size_t i = 0; i < m->records[rt].nfields; i++) {
            r->col[g++] = m->records[rt].fields[i].col;
        }
    }
    r->header_done = !(m->format == XD_FLAT__CSV && m->header);
    *out = r;
    return XD_OK;
}

static void slot_cleanup(struct xd_flat__slot *s)
{
    json_decref(s->json);
    s->json = NULL;
    xd_diags_cleanup(&s->diags);
    xd_free(s->key);
    s->key = NULL;
}

void xd_flat_reader_destroy(struct xd_flat_reader *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = r->qhead; i < r->qlen; i++) {
        slot_cleanup(&r->q[i]);
    }
    xd_free(r->q);
    json_decref(r->index);
    xd_flat__rec_cleanup(&r->rec);
    xd_diags_cleanup(&r->rec_errs);
    xd_buf_cleanup(&r->conv);
    xd_buf_cleanup(&r->tmp);
    xd_buf_cleanup(&r->key);
    xd_free(r->vals);
    xd_free(r->col);
    xd_free(r);
}

/* ------------------------------------------------------------- problems */

static enum xd_status fail(struct xd_flat_reader *r, enum xd_status st, int line, const char *fmt,
                           ...) XD_PRINTF(4, 5);

/* Make the reader fail for good with a reason at <line>. */
static enum xd_status fail(struct xd_flat_reader *r, enum xd_status st, int line, const char *fmt,
                           ...)
{
    va_list ap;
    va_start(ap, fmt);
    xd_error_setv(&r->err, st, fmt, ap);
    va_end(ap);
    xd_error_at(&r->err, NULL, -1, line);
    return st;
}

/* Append every problem of <src> to <dst> (NULL: drop them) and empty <src>. */
static enum xd_status diags_move(struct xd_diags *dst, struct xd_diags *src)
{
    enum xd_status st = XD_OK;
    for (size_t i = 0; dst != NULL && i < src->count && st == XD_OK; i++) {
        st = xd_diags_add(dst, src->items[i].code, src->items[i].path, "%s", src->items[i].message);
    }
    if (dst != NULL) {
        dst->dropped += src->dropped;
    }
    xd_diags_reset(src);
    return st;
}

/* ---------------------------------------------------------- documents */

static struct xd_flat__slot *current(struct xd_flat_reader *r)
{
    if (r->qlen > r->qhead && r->q[r->qlen - 1].open) {
        return &r->q[r->qlen - 1];
    }
    return NULL;
}

/* A new open document whose first record is r->rec, with group key r->key. */
static enum xd_status slot_open(struct xd_flat_reader *r, struct xd_flat__slot **out)
{
    const struct xd_flat_map *m = r->m;
    if (r->ndocs == m->lim.documents) {
        return fail(r, XD_ETOOBIG, r->rec.line, "more than %zu documents (limits.max_documents)",
                    m->lim.documents);
    }
    if (r->qhead > 0) {
        memmove(r->q, r->q + r->qhead, (r->qlen - r->qhead) * sizeof *r->q);
        r->qlen -= r->qhead;
        r->qhead = 0;
    }
    if (r->qlen == r->qcap) {
        size_t ncap = r->qcap ? r->qcap * 2 : 4;
        struct xd_flat__slot *n = xd_reallocarray(r->q, ncap, sizeof *n);
        if (n == NULL) {
            return XD_ENOMEM;
        }
        r->q = n;
        r->qcap = ncap;
    }
    struct xd_flat__slot *s = &r->q[r->qlen];
    memset(s, 0, sizeof *s);
    xd_diags_init(&s->diags, m->lim.errors);
    s->json = json_object();
    json_t *type = json_string(m->document_type);
    if (s->json == NULL || type == NULL || json_object_set_new(s->json, "type", type) != 0) {
        json_decref(s->json);
        return XD_ENOMEM;
    }
    s->key = xd_memdup(xd_flat__buf(&r->key), r->key.len);
    if (s->key == NULL) {
        json_decref(s->json);
        return XD_ENOMEM;
    }
    s->key_len = r->key.len;
    s->line = r->rec.line;
    s->open = true;
    r->qlen++;
    r->ndocs++;
    *out = s;
    return XD_OK;
}

/* No more records for <s>: give it its constants, defaults and line numbers. */
static enum xd_status slot_close(struct xd_flat_reader *r, struct xd_flat__slot *s)
{
    s->open = false;
    if (s->orphan || xd_diags_total(&s->diags) > 0) {
        return XD_OK;
    }
    return xd_flat__finish(r->m, s->json);
}

/* Hand out the oldest closed document. */
static enum xd_status slot_pop(struct xd_flat_reader *r, json_t **doc, struct xd_diags *diags)
{
    struct xd_flat__slot *s = &r->q[r->qhead++];
    enum xd_status st = XD_OK;
    if (s->orphan || xd_diags_total(&s->diags) > 0) {
        st = diags_move(diags, &s->diags);
        st = st == XD_OK ? XD_EINVALDOC : st;
    } else {
        *doc = s->json;
        s->json = NULL;
    }
    slot_cleanup(s);
    if (r->qhead == r->qlen) {
        r->qhead = r->qlen = 0;
    }
    return st;
}

/* The group key of the record (r->key); false when the record carries none. */
static enum xd_status record_key(struct xd_flat_reader *r, const struct xd_flat__record *rec,
                                 bool *has)
{
    xd_buf_reset(&r->key);
    *has = false;
    for (size_t k = 0; rec != NULL && rec->group_field != NULL && k < r->m->keys.n; k++) {
        if (rec->group_field[k] < 0) {
            continue;
        }
        *has = true;
        enum xd_status st = xd_flat__value_key(r->vals[rec->group_field[k]], &r->key);
        if (st != XD_OK) {
            return st == XD_ETOOBIG ? XD_ENOMEM : st;
        }
    }
    return XD_OK;
}

/* Mode all: the document of key r->key, opened when new. */
static enum xd_status keyed_slot(struct xd_flat_reader *r, struct xd_flat__slot **out)
{
    if (r->index == NULL && (r->index = json_object()) == NULL) {
        return XD_ENOMEM;
    }
    json_t *at = json_object_getn(r->index, xd_flat__buf(&r->key), r->key.len);
    if (at != NULL) {
        *out = &r->q[json_integer_value(at)];
        return XD_OK;
    }
    json_t *pos = json_integer((json_int_t)r->qlen);
    enum xd_status st = pos ? slot_open(r, out) : XD_ENOMEM;
    if (st == XD_OK &&
        json_object_setn_new(r->index, xd_flat__buf(&r->key), r->key.len, pos) != 0) {
        return XD_ENOMEM;
    }
    if (st != XD_OK) {
        json_decref(pos);
    }
    return st;
}

/* Header mode: a header starts a document; other records before any header are orphans. */
static enum xd_status header_slot(struct xd_flat_reader *r, const struct xd_flat__record *rec,
                                  struct xd_flat__slot **out)
{
    struct xd_flat__slot *cur = current(r);
    if (rec != NULL && rec->role == XD_FLAT__HEADER) {
        enum xd_status st = cur ? slot_close(r, cur) : XD_OK;
        return st == XD_OK ? slot_open(r, out) : st;
    }
    if (cur != NULL) {
        *out = cur;
        return XD_OK;
    }
    enum xd_status st = slot_open(r, out);
    if (st == XD_OK) {
        (*out)->orphan = true;
        char where[32];
        snprintf(where, sizeof where, "line %d", r->rec.line);
        st = xd_diags_add(&(*out)->diags, "record", where, "%s comes before any header record",
                          rec ? "this record" : "a record of unknown type");
    }
    return st;
}

/* The document record r->rec belongs to, by the map's grouping. */
static enum xd_status choose_slot(struct xd_flat_reader *r, const struct xd_flat__record *rec,
                                  struct xd_flat__slot **out)
{
    struct xd_flat__slot *cur = current(r);
    bool keyed;
    enum xd_status st = record_key(r, rec, &keyed);
    if (st != XD_OK) {
        return st;
    }
    switch (r->m->group) {
    case XD_FLAT__GROUP_ROW:
        return slot_open(r, out);
    case XD_FLAT__GROUP_HEADER:
        return header_slot(r, rec, out);
    case XD_FLAT__GROUP_ALL:
        if (keyed || cur == NULL) {
            return keyed_slot(r, out);
        }
        break;
    case XD_FLAT__GROUP_CONSECUTIVE:
        if (cur != NULL && keyed &&
            (cur->key_len != r->key.len ||
             memcmp(cur->key, xd_flat__buf(&r->key), r->key.len) != 0)) {
            st = slot_close(r, cur);
            cur = NULL;
        }
        break;
    case XD_FLAT__GROUP_FILE:
        break;
    }
    if (st == XD_OK && cur == NULL) {
        return slot_open(r, out);
    }
    *out = cur;
    return st;
}

/* ------------------------------------------------------------- records */

/* The byte order mark and the lines the map skips. */
static void begin(struct xd_flat_reader *r)
{
    r->begun = true;
    if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0 && r->m->charset == XD_FLAT__UTF8) {
        r->pos = 3;
    }
    for (size_t i = 0; i < r->m->skip_lines && r->pos < r->len; i++) {
        const char *nl = memchr(r->data + r->pos, '\n', r->len - r->pos);
        r->pos = nl ? (size_t)(nl - r->data) + 1 : r->len;
        r->line++;
    }
}

/* File the record's values and problems under its document. */
static enum xd_status place(struct xd_flat_reader *r, const struct xd_flat__record *rec)
{
    struct xd_flat__slot *s;
    enum xd_status st = choose_slot(r, rec, &s);
    if (st != XD_OK) {
        return st;
    }
    st = diags_move(&s->diags, &r->rec_errs);
    if (st != XD_OK) {
        return st;
    }
    if (++s->rows > r->m->lim.rows) {
        return fail(r, XD_ETOOBIG, r->rec.line,
                    "the document that starts on line %d has more than %zu records "
                    "(limits.max_rows_per_document)",
                    s->line, r->m->lim.rows);
    }
    if (rec != NULL && !s->orphan && xd_diags_total(&s->diags) == 0) {
        st = xd_flat__apply(r->m, rec, r->vals, s->json);
    }
    bool ends = r->m->group == XD_FLAT__GROUP_ROW || (rec && rec->role == XD_FLAT__TRAILER);
    if (st == XD_OK && ends) {
        st = slot_close(r, s);
    }
    return st;
}

static void vals_release(struct xd_flat_reader *r)
{
    for (size_t i = 0; i < r->nvals; i++) {
        json_decref(r->vals[i]);
        r->vals[i] = NULL;
    }
}

/* Read one record and file it. */
static enum xd_status step(struct xd_flat_reader *r)
{
    if (!r->begun) {
        begin(r);
        return XD_OK;
    }
    if (r->pos >= r->len) {
        r->eof = true;
        return XD_OK;
    }
    bool blank;
    enum xd_status st = xd_flat__record_read(r, &blank);
    if (st != XD_OK || blank) {
        return st;
    }
    if (!r->header_done && r->rec_errs.count > 0) {
        /* A header row that does not split cleanly cannot name the columns. */
        return fail(r, XD_EPARSE, r->rec.line, "the header row: %s", r->rec_errs.items[0].message);
    }
    if (!r->header_done) {
        return xd_flat__record_header(r);
    }
    const struct xd_flat__record *rec;
    st = xd_flat__record_type(r, &rec);
    if (st != XD_OK) {
        return st;
    }
    if (rec != NULL && rec->role == XD_FLAT__IGNORE && xd_diags_total(&r->rec_errs) == 0) {
        return XD_OK;
    }
    if (rec != NULL && rec->role != XD_FLAT__IGNORE) {
        st = xd_flat__record_values(r, rec);
    }
    if (st == XD_OK) {
        st = place(r, rec != NULL && rec->role != XD_FLAT__IGNORE ? rec : NULL);
    }
    vals_release(r);
    return st;
}

/* --------------------------------------------------------------- public */

static enum xd_status report_fatal(struct xd_flat_reader *r, struct xd_diags *diags)
{
    if (!r->fatal_reported && r->fatal != XD_ENOMEM && diags != NULL) {
        r->fatal_reported = true;
        char where[32];
        snprintf(where, sizeof where, "line %d", r->err.line);
        if (xd_diags_add(diags, r->fatal == XD_ETOOBIG ? "limit" : "file", where, "%s",
                         r->err.message) != XD_OK) {
            return XD_ENOMEM;
        }
    }
    return r->fatal;
}

enum xd_status xd_flat_reader_next(struct xd_flat_reader *r, json_t **doc, struct xd_diags *diags)
{
    for (;;) {
        /* Documents completed before a fatal problem are still handed out. */
        bool ready = r->qhead < r->qlen && !r->q[r->qhead].open;
        if (r->fatal != XD_OK && (r->fatal == XD_ENOMEM || !ready)) {
            return report_fatal(r, diags);
        }
        enum xd_status st = XD_OK;
        if (ready) {
            json_t *d = NULL;
            st = slot_pop(r, &d, diags);
            if (st == XD_OK || st == XD_EINVALDOC) {
                if (st == XD_OK) {
                    *doc = d;
                }
                return st;
            }
        } else if (r->eof && r->qhead == r->qlen) {
            *doc = NULL;
            return XD_OK;
        } else if (r->eof) {
            for (size_t i = r->qhead; i < r->qlen && st == XD_OK; i++) {
                st = r->q[i].open ? slot_close(r, &r->q[i]) : XD_OK;
            }
        } else {
            st = step(r);
        }
        if (st != XD_OK) {
            r->fatal = st;
            if (st == XD_ENOMEM) {
                return st;
            }
        }
    }
}

enum xd_status xd_flat_decode(const struct xd_flat_map *m, const void *data, size_t len,
                              json_t **docs, struct xd_diags *diags)
{
    struct xd_flat_reader *r = NULL;
    json_t *all = json_array();
    enum xd_status result = XD_OK;
    enum xd_status st = all ? xd_flat_reader_create(m, data, len, &r) : XD_ENOMEM;
    while (st == XD_OK || st == XD_EINVALDOC) {
        json_t *doc = NULL;
        st = xd_flat_reader_next(r, &doc, diags);
        if (st == XD_EINVALDOC) {
            result = XD_EINVALDOC;
        } else if (st == XD_OK && doc == NULL) {
            break;
        } else if (st == XD_OK && json_array_append_new(all, doc) != 0) {
            st = XD_ENOMEM;
        }
    }
    xd_flat_reader_destroy(r);
    if (st == XD_OK && result == XD_OK) {
        *docs = all;
        return XD_OK;
    }
    json_decref(all);
    return st != XD_OK ? st : result;
}
