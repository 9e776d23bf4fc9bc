/* SPDX-License-Identifier: MIT
 * The writer: canonical documents to CSV or fixed-width records with the same map the reader
 * uses, so that reading the output gives the documents back (for the mapped fields).
 *   - A map with one record type writes one record per innermost array element it maps (with
 *     the values of the enclosing elements and of the document repeated), or one record when
 *     the document has no such element.
 *   - A map with record types writes, depth first, each type where its deepest array is: the
 *     header records, then per element of each array the records of that array, then the
 *     trailers. A detail record whose mapped values are all empty is left out.
 * Nothing is truncated or rounded silently: a value that does not fit is a problem. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flat/flat_int.h"

struct writer {
    const struct xd_flat_map *m;
    const json_t *doc;
    size_t index;
    struct xd_diags *diags;
    json_t *elem[XD_FLAT_MAX_NODES]; /* the element of each array being written */
    size_t idx[XD_FLAT_MAX_NODES];
    struct xd_buf out;  /* this document's records */
    struct xd_buf line; /* fixed width: the record being written */
    struct xd_buf text; /* one value, UTF-8 */
    struct xd_buf conv; /* values of the record, in the file's encoding */
    size_t *cell_off;   /* CSV: where each column's text is in conv */
    size_t *cell_len;
    size_t rows;
    bool bad;
    enum xd_status st; /* XD_ENOMEM or XD_ETOOBIG: stop */
};

static const char *eol(const struct xd_flat_map *m)
{
    return m->eol == XD_FLAT__CRLF ? "\r\n" : "\n";
}

/* "$.orders[0].packs[2].sscc" for field <f> at the elements being written. */
static void concrete_path(const struct writer *w, const struct xd_flat__field *f, char *out,
                          size_t cap)
{
    int chain[XD_FLAT_MAX_DEPTH];
    size_t depth = 0;
    for (int n = f->path.node; n >= 0; n = w->m->nodes[n].parent) {
        depth++;
    }
    size_t d = depth;
    for (int n = f->path.node; n >= 0; n = w->m->nodes[n].parent) {
        chain[--d] = n;
    }
    size_t used = (size_t)snprintf(out, cap, "$");
    for (size_t k = 0, a = 0; k < f->path.nseg && used < cap; k++) {
        int n = f->path.seg[k].array && a < depth
                    ? snprintf(out + used, cap - used, ".%s[%zu]", f->path.seg[k].name,
                               w->idx[chain[a++]])
                    : snprintf(out + used, cap - used, ".%s", f->path.seg[k].name);
        used += n > 0 ? (size_t)n : 0;
    }
}

static void problem(struct writer *w, const struct xd_flat__field *f, const char *fmt, ...)
    XD_PRINTF(3, 4);

static void problem(struct writer *w, const struct xd_flat__field *f, const char *fmt, ...)
{
    char where[XD_ERROR_WHERE_MAX + 64];
    char path[XD_ERROR_WHERE_MAX] = "$";
    if (f != NULL && f->has_path) {
        concrete_path(w, f, path, sizeof path);
    }
    if (f != NULL) {
        snprintf(where, sizeof where, "document %zu, %s (%s)", w->index, path, f->label);
    } else {
        snprintf(where, sizeof where, "document %zu", w->index);
    }
    va_list ap;
    va_start(ap, fmt);
    char msg[XD_ERROR_MESSAGE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->bad = true;
    if (w->diags != NULL && xd_diags_add(w->diags, "encode", where, "%s", msg) != XD_OK) {
        w->st = XD_ENOMEM;
    }
}

/* ---------------------------------------------------------------- values */

/* Field <f>'s text for the elements being written, in UTF-8, into w->text. False when the
 * value cannot be written (a problem was reported). */
static bool field_text(struct writer *w, const struct xd_flat__field *f)
{
    xd_buf_reset(&w->text);
    enum xd_status st = XD_OK;
    if (!f->has_path) {
        st = f->constant ? xd_buf_append_str(&w->text, f->constant) : XD_OK;
    } else {
        json_t *container = f->path.node < 0 ? (json_t *)w->doc : w->elem[f->path.node];
        if (container == NULL) {
            /* No element here (a record for a sibling array): blank, not a default. */
            return true;
        }
        json_t *v = xd_flat__get(f->path.seg, f->path.rel, f->path.nseg, container);
        char why[XD_ERROR_MESSAGE_MAX];
        st = xd_flat__value_encode(f, v, &w->text, why, sizeof why);
        if (st == XD_EINVAL) {
            problem(w, f, "%s", why);
            return false;
        }
    }
    if (st != XD_OK) {
        w->st = st;
        return false;
    }
    return true;
}

/* w->text converted to the file's encoding, appended to w->conv; its length in characters. */
static bool convert(struct writer *w, const struct xd_flat__field *f, size_t *chars)
{
    size_t bad;
    size_t mark = w->conv.len;
    enum xd_status st =
        xd_flat__from_utf8(w->m->charset, xd_flat__buf(&w->text), w->text.len, &w->conv, &bad);
    if (st == XD_EPARSE) {
        char ex[XD_FLAT_EXCERPT_MAX + 4];
        xd_flat__excerpt(xd_flat__buf(&w->text) + bad, w->text.len - bad, ex, sizeof ex);
        problem(w, f, "'%s' cannot be written in %s", ex, xd_flat__charset_name(w->m->charset));
        return false;
    }
    if (st != XD_OK) {
        w->st = st;
        return false;
    }
    *chars = w->m->charset == XD_FLAT__UTF8
                 ? xd_flat__utf8_count(xd_flat__buf(&w->conv) + mark, w->conv.len - mark)
                 : w->conv.len - mark;
    return true;
}

/* A record the reader would refuse for its length, or skip as blank, is not written either. */
static void check_record(struct writer *w, size_t bytes, bool blank)
{
    if (blank) {
        problem(w, NULL,
                "has nothing to write: its record would be blank, and a blank record "
                "reads as nothing");
    } else if (bytes > w->m->lim.record_bytes) {
        problem(w, NULL, "a record would be %zu bytes, more than limits.max_record_bytes (%zu)",
                bytes, w->m->lim.record_bytes);
    }
}

/* ------------------------------------------------------------------ CSV */

static enum xd_status csv_row(struct writer *w, const struct xd_flat__record *rec)
{
    const struct xd_flat_map *m = w->m;
    memset(w->cell_len, 0, m->width * sizeof *w->cell_len);
    xd_buf_reset(&w->conv);
    size_t filled = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct xd_flat__field *f = &rec->fields[i];
        size_t chars;
        if (!f->has_source || w->cell_len[f->col] > 0 || !field_text(w, f)) {
            continue;
        }
        size_t mark = w->conv.len;
        if (convert(w, f, &chars)) {
            w->cell_off[f->col] = mark;
            w->cell_len[f->col] = w->conv.len - mark;
            filled += f->has_path && chars > 0;
        }
    }
    if (m->has_tag) {
        w->cell_off[m->tag_start - 1] = w->conv.len;
        w->cell_len[m->tag_start - 1] = strlen(rec->tag);
        enum xd_status st = xd_buf_append_str(&w->conv, rec->tag);
        if (st != XD_OK) {
            return st;
        }
    }
    if (w->st != XD_OK || w->bad || (filled == 0 && rec->role == XD_FLAT__DETAIL && m->has_tag)) {
        return w->st;
    }
    enum xd_status st = XD_OK;
    size_t mark = w->out.len;
    const char *base = xd_flat__buf(&w->conv);
    bool blank = true;
    for (size_t c = 0; c < m->width; c++) {
        blank = blank && xd_flat__blank(base + w->cell_off[c], w->cell_len[c]);
    }
    for (size_t c = 0; c < m->width && st == XD_OK; c++) {
        st = c > 0 ? xd_buf_append_char(&w->out, m->delim) : XD_OK;
        if (st == XD_OK) {
            st = xd_flat__csv_put(m, base + w->cell_off[c], w->cell_len[c], &w->out);
        }
    }
    if (st == XD_EINVAL) {
        problem(w, &rec->fields[0], "a value needs quotes but the map has no quote character");
        return XD_OK;
    }
    if (st == XD_OK) {
        check_record(w, w->out.len - mark, blank);
    }
    w->rows++;
    return st == XD_OK ? xd_buf_append_str(&w->out, eol(m)) : st;
}

/* ---------------------------------------------------------- fixed width */

static enum xd_status pad(struct xd_buf *b, char c, size_t n)
{
    enum xd_status st = XD_OK;
    for (size_t i = 0; i < n && st == XD_OK; i++) {
        st = xd_buf_append_char(b, c);
    }
    return st;
}

/* Append the field's converted text (at conv[from..]) padded and aligned to its width. */
static enum xd_status place_field(struct writer *w, const struct xd_flat__field *f, size_t from,
                                  size_t chars)
{
    const char *s = xd_flat__buf(&w->conv) + from;
    size_t n = w->conv.len - from;
    if (chars > f->length) {
        n = w->m->charset == XD_FLAT__UTF8 ? xd_flat__utf8_offset(s, n, f->length) : f->length;
        chars = f->length;
    }
    size_t fill = f->length - chars;
    enum xd_status st = XD_OK;
    if (n == 0) {
        /* No value is blanks: zeros would read back as the number 0. */
        return pad(&w->line, ' ', fill);
    }
    if (f->align == XD_FLAT__LEFT) {
        st = xd_buf_append(&w->line, s, n);
        return st == XD_OK ? pad(&w->line, f->pad, fill) : st;
    }
    /* Zeros go between a number's sign and its digits: -0001250. */
    bool numeric = f->type == XD_FLAT__DECIMAL || f->type == XD_FLAT__INTEGER;
    if (numeric && f->pad == '0' && n > 0 && (s[0] == '-' || s[0] == '+')) {
        st = xd_buf_append_char(&w->line, s[0]);
        s++;
        n--;
    }
    st = st == XD_OK ? pad(&w->line, f->pad, fill) : st;
    return st == XD_OK ? xd_buf_append(&w->line, s, n) : st;
}

/* The text of one positioned field, checked against its width; false when it cannot be
 * written. */
static bool fixed_text(struct writer *w, const struct xd_flat__field *f, size_t *chars,
                       bool *filled)
{
    if (!field_text(w, f)) {
        return false;
    }
    if (memchr(xd_flat__buf(&w->text), '\n', w->text.len) != NULL ||
        memchr(xd_flat__buf(&w->text), '\r', w->text.len) != NULL) {
        problem(w, f, "a fixed-width value cannot hold a line break");
        return false;
    }
    if (!convert(w, f, chars)) {
        return false;
    }
    if (*chars > f->length && !f->truncate) {
        char ex[XD_FLAT_EXCERPT_MAX + 4];
        xd_flat__excerpt(xd_flat__buf(&w->text), w->text.len, ex, sizeof ex);
        problem(w, f, "'%s' is %zu characters, the field holds %zu", ex, *chars, f->length);
        return false;
    }
    /* The reader strips pad characters from the padded side: a value that has one there would
     * come back without it ("089" padded with zeros reads "89"). Blanks that trimming removes
     * anyway are the documented exception; zeros before a number are digits. */
    bool numeric = f->type == XD_FLAT__DECIMAL || f->type == XD_FLAT__INTEGER;
    if (w->text.len > 0 && !(numeric && f->pad == '0') && !(f->pad == ' ' && f->trim)) {
        bool right = f->align == XD_FLAT__RIGHT;
        if (w->text.data[right ? 0 : w->text.len - 1] == f->pad) {
            char ex[XD_FLAT_EXCERPT_MAX + 4];
            xd_flat__excerpt(xd_flat__buf(&w->text), w->text.len, ex, sizeof ex);
            problem(w, f, "'%s' %s with the pad character '%c' and would read back without it", ex,
                    right ? "begins" : "ends", f->pad);
            return false;
        }
    }
    *filled = *filled || (f->has_path && *chars > 0);
    return true;
}

static enum xd_status fixed_row(struct writer *w, const struct xd_flat__record *rec)
{
    const struct xd_flat_map *m = w->m;
    size_t at = 1; /* next character position to write */
    bool filled = false;
    enum xd_status st = XD_OK;
    xd_buf_reset(&w->line);
    if (m->has_tag) {
        struct xd_flat__field tag = {
            .start = m->tag_start, .length = m->tag_length, .pad = ' ', .align = XD_FLAT__LEFT};
        xd_buf_reset(&w->conv);
        st = pad(&w->line, ' ', m->tag_start - 1);
        st = st == XD_OK ? xd_buf_append_str(&w->conv, rec->tag) : st;
        st = st == XD_OK ? place_field(w, &tag, 0, xd_flat__utf8_count(rec->tag, strlen(rec->tag)))
                         : st;
        at = m->tag_start + m->tag_length;
    }
    for (size_t k = 0; k < rec->norder && st == XD_OK && w->st == XD_OK; k++) {
        const struct xd_flat__field *f = &rec->fields[rec->order[k]];
        size_t chars;
        xd_buf_reset(&w->conv);
        if (!fixed_text(w, f, &chars, &filled)) {
            continue;
        }
        /* fields never overlap each other or the tag (layout.c), so at <= f->start */
        st = pad(&w->line, ' ', f->start - at);
        st = st == XD_OK ? place_field(w, f, 0, chars) : st;
        at = f->start + f->length;
    }
    st = st == XD_OK && at <= rec->width ? pad(&w->line, ' ', rec->width + 1 - at) : st;
    if (st != XD_OK || w->st != XD_OK) {
        return st != XD_OK ? st : w->st;
    }
    if (w->bad || (!filled && rec->role == XD_FLAT__DETAIL && m->has_tag)) {
        return XD_OK;
    }
    check_record(w, w->line.len, xd_flat__blank(xd_flat__buf(&w->line), w->line.len));
    w->rows++;
    st = xd_buf_append(&w->out, xd_flat__buf(&w->line), w->line.len);
    return st == XD_OK ? xd_buf_append_str(&w->out, eol(m)) : st;
}

static enum xd_status write_record(struct writer *w, const struct xd_flat__record *rec)
{
    return w->m->format == XD_FLAT__CSV ? csv_row(w, rec) : fixed_row(w, rec);
}

/* ------------------------------------------------------------ traversal */

/* The <nth> array directly inside <node> (-1: the document) that the walk visits: any array
 * of the map for record types, the arrays of the one record otherwise. -1 past the last. */
static int nth_child(const struct writer *w, const struct xd_flat__record *single, int node,
                     size_t nth)
{
    const struct xd_flat_map *m = w->m;
    size_t count = single ? single->nnodes : m->nnodes;
    for (size_t k = 0; k < count; k++) {
        int n = single ? single->nodes[k] : (int)k;
        if (m->nodes[n].parent == node && nth-- == 0) {
            return n;
        }
    }
    return -1;
}

/* Record types: write those whose deepest array is <node> and whose role is <role>. */
static enum xd_status write_homed(struct writer *w, int node, enum xd_flat__role role)
{
    enum xd_status st = XD_OK;
    for (size_t r = 0; r < w->m->nrecords && st == XD_OK; r++) {
        const struct xd_flat__record *rec = &w->m->records[r];
        if (rec->home == node && rec->role == role) {
            st = write_record(w, rec);
        }
    }
    return st;
}

/* Entering <node> (-1: the document): its header records first, then the details. */
static enum xd_status write_entry(struct writer *w, int node)
{
    enum xd_status st = node < 0 ? write_homed(w, node, XD_FLAT__HEADER) : XD_OK;
    return st == XD_OK ? write_homed(w, node, XD_FLAT__DETAIL) : st;
}

struct frame {
    size_t child, elem;
    int node;
    bool any; /* an element below was visited */
};

/* Depth first over the document's arrays. With one record type (<single>), a record per
 * innermost element; with record types, each where it lives. */
static enum xd_status walk(struct writer *w, const struct xd_flat__record *single)
{
    struct frame stack[XD_FLAT_MAX_DEPTH + 1];
    size_t sp = 0;
    stack[sp++] = (struct frame){.node = -1};
    enum xd_status st = single ? XD_OK : write_entry(w, -1);
    while (sp > 0 && st == XD_OK && w->st == XD_OK) {
        struct frame *f = &stack[sp - 1];
        int c = nth_child(w, single, f->node, f->child);
        if (c < 0) {
            if (single && !f->any) {
                st = write_record(w, single);
            } else if (!single && f->node < 0) {
                st = write_homed(w, -1, XD_FLAT__TRAILER);
            }
            sp--;
            continue;
        }
        json_t *container = f->node < 0 ? (json_t *)w->doc : w->elem[f->node];
        json_t *arr = xd_flat__node_array(w->m, c, container, false);
        if (arr == NULL || f->elem >= json_array_size(arr)) {
            f->child++;
            f->elem = 0;
            w->elem[c] = NULL;
            continue;
        }
        w->elem[c] = json_array_get(arr, f->elem);
        w->idx[c] = f->elem++;
        if (!json_is_object(w->elem[c])) {
            problem(w, NULL, "element %zu of %s is not an object", w->idx[c], w->m->nodes[c].text);
            continue;
        }
        f->any = true;
        stack[sp++] = (struct frame){.node = c};
        st = single ? XD_OK : write_entry(w, c);
    }
    return st != XD_OK ? st : w->st;
}

/* --------------------------------------------------------------- public */

static void writer_cleanup(struct writer *w)
{
    xd_buf_cleanup(&w->out);
    xd_buf_cleanup(&w->line);
    xd_buf_cleanup(&w->text);
    xd_buf_cleanup(&w->conv);
    xd_free(w->cell_off);
    xd_free(w->cell_len);
}

static enum xd_status header_row(const struct xd_flat_map *m, struct xd_buf *out)
{
    enum xd_status st = XD_OK;
    struct xd_buf conv;
    xd_buf_init(&conv, out->max);
    for (size_t c = 0; c < m->width && st == XD_OK; c++) {
        const char *name = c < m->columns.n ? m->columns.v[c] : "";
        size_t bad;
        xd_buf_reset(&conv);
        st = c > 0 ? xd_buf_append_char(out, m->delim) : XD_OK;
        st = st == XD_OK ? xd_flat__from_utf8(m->charset, name, strlen(name), &conv, &bad) : st;
        st = st == XD_OK ? xd_flat__csv_put(m, xd_flat__buf(&conv), conv.len, out) : st;
    }
    xd_buf_cleanup(&conv);
    return st == XD_OK ? xd_buf_append_str(out, eol(m)) : st;
}

enum xd_status xd_flat_encode_begin(const struct xd_flat_map *m, struct xd_buf *out)
{
    struct xd_buf b;
    xd_buf_init(&b, out->max);
    enum xd_status st = m->bom ? xd_buf_append(&b, "\xEF\xBB\xBF", 3) : XD_OK;
    if (st == XD_OK && m->format == XD_FLAT__CSV && m->header) {
        st = header_row(m, &b);
    }
    if (st == XD_EPARSE || st == XD_EINVAL) {
        st = XD_EINVAL; /* a column name the encoding or the quoting cannot write */
    }
    st = st == XD_OK ? xd_buf_append(out, xd_flat__buf(&b), b.len) : st;
    xd_buf_cleanup(&b);
    return st;
}

enum xd_status xd_flat_encode_doc(const struct xd_flat_map *m, const json_t *doc, size_t index,
                                  struct xd_buf *out, struct xd_diags *diags)
{
    struct writer w = {.m = m, .doc = doc, .index = index, .diags = diags, .st = XD_OK};
    xd_buf_init(&w.out, out->max);
    xd_buf_init(&w.line, out->max);
    xd_buf_init(&w.text, out->max);
    xd_buf_init(&w.conv, out->max);
    enum xd_status st = XD_OK;
    if (m->format == XD_FLAT__CSV) {
        w.cell_off = xd_calloc(m->width ? m->width : 1, sizeof *w.cell_off);
        w.cell_len = xd_calloc(m->width ? m->width : 1, sizeof *w.cell_len);
        st = w.cell_off && w.cell_len ? XD_OK : XD_ENOMEM;
    }
    if (st == XD_OK && !json_is_object(doc)) {
        problem(&w, NULL, "is not a JSON object");
        st = w.st;
    } else if (st == XD_OK) {
        st = walk(&w, m->has_tag ? NULL : &m->records[0]);
    }
    if (st == XD_OK && !w.bad && m->group == XD_FLAT__GROUP_ROW && w.rows > 1 && m->nfields > 0) {
        problem(&w, &m->records[0].fields[0],
                "the document makes %zu records, but the map reads each record as a document",
                w.rows);
        st = w.st;
    }
    if (st == XD_OK && w.bad) {
        st = XD_EINVALDOC;
    }
    if (st == XD_OK) {
        st = xd_buf_append(out, xd_flat__buf(&w.out), w.out.len);
    }
    writer_cleanup(&w);
    return st;
}

/* The group key the reader will find in <doc>, from its canonical values. */
static enum xd_status doc_key(const struct xd_flat_map *m, const json_t *doc, struct xd_buf *key)
{
    xd_buf_reset(key);
    enum xd_status st = XD_OK;
    for (size_t k = 0; k < m->keys.n && st == XD_OK; k++) {
        const json_t *v = NULL;
        for (size_t r = 0; r < m->nrecords; r++) {
            const struct xd_flat__record *rec = &m->records[r];
            if (rec->group_field != NULL && rec->group_field[k] >= 0) {
                const struct xd_flat__field *f = &rec->fields[rec->group_field[k]];
                v = xd_flat__get(f->path.seg, 0, f->path.nseg, doc);
                break;
            }
        }
        st = xd_flat__value_key(v, key);
    }
    return st;
}

/* Documents the reader could not tell apart: more than one when the file is one document,
 * neighbours with the same key (consecutive), any two with the same key (all). */
static enum xd_status check_grouping(const struct xd_flat_map *m, const json_t *docs,
                                     struct xd_diags *diags, bool *bad)
{
    bool keyed = m->group == XD_FLAT__GROUP_CONSECUTIVE || m->group == XD_FLAT__GROUP_ALL;
    if (!keyed && m->group != XD_FLAT__GROUP_FILE) {
        return XD_OK;
    }
    json_t *seen = json_object();
    struct xd_buf key, prev;
    xd_buf_init(&key, XD_FLAT_MAX_RECORD_BYTES);
    xd_buf_init(&prev, XD_FLAT_MAX_RECORD_BYTES);
    enum xd_status st = seen ? XD_OK : XD_ENOMEM;
    for (size_t i = 0; i < json_array_size(docs) && st == XD_OK; i++) {
        const json_t *doc = json_array_get(docs, i);
        char where[48];
        snprintf(where, sizeof where, "document %zu", i + 1);
        if (!keyed) {
            if (i > 0) {
                *bad = true;
                st = diags ? xd_diags_add(diags, "encode", where,
                                          "the map reads the whole file as one document")
                           : XD_OK;
            }
            continue;
        }
        st = json_is_object(doc) ? doc_key(m, doc, &key) : XD_OK;
        if (st != XD_OK || !json_is_object(doc)) {
            continue;
        }
        const char *k = xd_flat__buf(&key);
        bool clash =
            m->group == XD_FLAT__GROUP_ALL
                ? json_object_getn(seen, k, key.len) != NULL
                : i > 0 && prev.len == key.len && memcmp(xd_flat__buf(&prev), k, key.len) == 0;
        if (clash) {
            *bad = true;
            st = diags ? xd_diags_add(diags, "encode", where,
                                      "has the group key of an earlier document; they would "
                                      "read back as one")
                       : XD_OK;
        }
        if (st == XD_OK && m->group == XD_FLAT__GROUP_ALL) {
            st = json_object_setn_new(seen, k, key.len, json_true()) == 0 ? XD_OK : XD_ENOMEM;
        }
        xd_buf_reset(&prev);
        st = st == XD_OK ? xd_buf_append(&prev, k, key.len) : st;
    }
    xd_buf_cleanup(&key);
    xd_buf_cleanup(&prev);
    json_decref(seen);
    return st == XD_ETOOBIG ? XD_ENOMEM : st;
}

enum xd_status xd_flat_encode(const struct xd_flat_map *m, const json_t *docs, struct xd_buf *out,
                              struct xd_diags *diags)
{
    if (!json_is_object(docs) && !json_is_array(docs)) {
        return XD_EINVAL;
    }
    struct xd_buf all;
    xd_buf_init(&all, out->max);
    enum xd_status st = xd_flat_encode_begin(m, &all);
    enum xd_status result = XD_OK;
    if (json_is_object(docs)) {
        st = st == XD_OK ? xd_flat_encode_doc(m, docs, 1, &all, diags) : st;
    }
    for (size_t i = 0; json_is_array(docs) && i < json_array_size(docs); i++) {
        if (st != XD_OK && st != XD_EINVALDOC) {
            break;
        }
        result = st == XD_EINVALDOC ? st : result;
        st = xd_flat_encode_doc(m, json_array_get(docs, i), i + 1, &all, diags);
    }
    result = st == XD_EINVALDOC ? st : result;
    bool bad = false;
    if ((st == XD_OK || st == XD_EINVALDOC) && json_is_array(docs)) {
        st = check_grouping(m, docs, diags, &bad);
        result = bad ? XD_EINVALDOC : result;
    }
    if (st == XD_OK || st == XD_EINVALDOC) {
        st = result == XD_OK ? xd_buf_append(out, xd_flat__buf(&all), all.len) : result;
    }
    xd_buf_cleanup(&all);
    return st;
}
