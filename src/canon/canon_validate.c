/* SPDX-License-Identifier: MIT
 * The full check of one member of a document built in C, with the same checks decode applies,
 * reporting every problem (the walk in canon_encode.c calls it for the members its quick tests
 * do not pass); and the business keys a document carries, found by walking the members marked
 * with a key in the definitions. */
#include <string.h>

#include "canon/canon_int.h"

static void validate_value(struct xd_canon__ctx *c, const struct xd_canon__field *f,
                           const void *base);

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static void validate_array(struct xd_canon__ctx *c, const struct xd_canon__field *f,
                           const void *base)
{
    size_t n = *(const size_t *)XD_CANON__AT_CONST(base, f->count_offset);
    const char *items = *(const char *const *)XD_CANON__AT_CONST(base, f->offset);
    if (n == 0) {
        if (f->required) {
            xd_canon__report(c, "required", "required member is missing");
        }
        return;
    }
    if (items == NULL) {
        xd_canon__report(c, "invalid", "n_%s is %zu but %s is NULL", f->name, n, f->name);
        return;
    }
    if (n > f->max_items) {
        xd_canon__report(c, "max_items", "must have at most %u items, not %zu",
                         (unsigned)f->max_items, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t mark = xd_canon__path_index(c, i);
        if (f->kind == XD_CANON__K_ARRAY) {
            xd_canon__validate_struct(c, f->sub, items + i * f->elem_size);
        } else {
            const char *s = ((const char *const *)(const void *)items)[i];
            if (s == NULL) {
                xd_canon__report(c, "invalid", "item is NULL");
            } else {
                xd_canon__check_cstr(c, f, s);
            }
        }
        xd_canon__path_restore(c, mark);
    }
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static void validate_value(struct xd_canon__ctx *c, const struct xd_canon__field *f,
                           const void *base)
{
    const void *at = XD_CANON__AT_CONST(base, f->offset);
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
    case XD_CANON__K_CODE:
    case XD_CANON__K_DATE:
    case XD_CANON__K_DATETIME: {
        const char *s = *(const char *const *)at;
        if (s == NULL) {
            if (f->required) {
                xd_canon__report(c, "required", "required member is missing");
            }
        } else {
            xd_canon__check_cstr(c, f, s);
        }
        return;
    }
    case XD_CANON__K_DECIMAL:
        if (xd_canon__scalar_present(f, base)) {
            xd_canon__check_decimal(c, f, *(const struct xd_decimal *)at);
        }
        return;
    case XD_CANON__K_INT:
        if (xd_canon__scalar_present(f, base)) {
            xd_canon__check_int(c, f, *(const int64_t *)at);
        }
        return;
    case XD_CANON__K_BOOL:
    case XD_CANON__K_INLINE:
        return;
    case XD_CANON__K_OBJECT: {
        const void *sub = *(const void *const *)at;
        if (sub == NULL) {
            if (f->required) {
                xd_canon__report(c, "required", "required member is missing");
            }
        } else {
            xd_canon__validate_struct(c, f->sub, sub);
        }
        return;
    }
    case XD_CANON__K_ARRAY:
    case XD_CANON__K_STRINGS:
        validate_array(c, f, base);
        return;
    }
}

void xd_canon__check_member(struct xd_canon__ctx *c, enum xd_canon__sid sid, size_t i,
                            const void *obj)
{
    const struct xd_canon__field *f = &xd_canon__flats[sid].fields[i];
    size_t mark = xd_canon__path_member(c, f->name, f->name_len);
    validate_value(c, f, obj);
    xd_canon__path_restore(c, mark);
}

/* --- Business keys --------------------------------------------------------------------------- */

/* Candidates are numbered in walk order; one is new when no earlier candidate has the same name
 * and value. Those written to keys[] are compared there; past the cap, a probe walk over the
 * candidates before it answers, so only documents with more distinct keys than the caller asked
 * for pay for that. */
struct keys_walk {
    const void *root;
    enum xd_canon__sid root_sid;
    struct xd_canon_key *keys;
    size_t cap;
    size_t written;
    size_t total;
    size_t seen;                      /* candidates visited so far */
    const struct xd_canon_key *probe; /* probe mode: look for this before candidate stop_at */
    size_t stop_at;
    bool done; /* probe mode: found, or reached stop_at */
};

static void keys_struct(struct keys_walk *w, enum xd_canon__sid sid, const void *obj);

/* NOLINTNEXTLINE(misc-no-recursion): a probe walk never probes again (one level). */
static bool seen_before(const struct keys_walk *w, size_t index, const char *name,
                        const char *value)
{
    struct xd_canon_key k = {name, value};
    struct keys_walk probe = {
        .root = w->root, .root_sid = w->root_sid, .probe = &k, .stop_at = index};
    keys_struct(&probe, w->root_sid, w->root);
    return probe.total > 0;
}

/* NOLINTNEXTLINE(misc-no-recursion): a probe walk never probes again (one level). */
static void keys_candidate(struct keys_walk *w, const char *name, const char *value)
{
    size_t index = w->seen++;
    if (w->probe != NULL) {
        if (index >= w->stop_at) {
            w->done = true;
        } else if (strcmp(w->probe->name, name) == 0 && strcmp(w->probe->value, value) == 0) {
            w->total = 1;
            w->done = true;
        }
        return;
    }
    for (size_t i = 0; i < w->written; i++) {
        if (strcmp(w->keys[i].name, name) == 0 && strcmp(w->keys[i].value, value) == 0) {
            return;
        }
    }
    if (w->written < w->cap) {
        w->keys[w->written++] = (struct xd_canon_key){name, value};
        w->total++;
    } else if (!seen_before(w, index, name, value)) {
        w->total++;
    }
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static void keys_struct(struct keys_walk *w, enum xd_canon__sid sid, const void *obj)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields && !w->done; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        const void *at = XD_CANON__AT_CONST(obj, f->offset);
        if (f->kind == XD_CANON__K_STRING && f->key != NULL && *(const char *const *)at != NULL) {
            keys_candidate(w, f->key, *(const char *const *)at);
        } else if (f->kind == XD_CANON__K_INLINE) {
            keys_struct(w, f->sub, at);
        } else if (f->kind == XD_CANON__K_OBJECT && *(const void *const *)at != NULL) {
            keys_struct(w, f->sub, *(const void *const *)at);
        } else if (f->kind == XD_CANON__K_ARRAY && *(const void *const *)at != NULL) {
            size_t n = *(const size_t *)XD_CANON__AT_CONST(obj, f->count_offset);
            const char *items = *(const char *const *)at;
            for (size_t k = 0; k < n && !w->done; k++) {
                keys_struct(w, f->sub, items + k * f->elem_size);
            }
        }
    }
}

/* An application advice about an order names the order by its number (X12 OTI03), often
 * without a REF PO: that number is then its po_number key, so the advice joins the order's
 * thread. After the walk, so that the walk's candidates keep the numbers its probes count. */
static void advice_key(struct keys_walk *w, const struct xd_canon_doc *doc)
{
    if (doc->type != XD_CANON_APPLICATION_ADVICE) {
        return;
    }
    const struct xd_canon_application_advice *a = doc->body;
    if (a->po_number == NULL && a->document_number != NULL && a->document_type != NULL &&
        strcmp(a->document_type, "purchase_order") == 0) {
        keys_candidate(w, "po_number", a->document_number);
    }
}

size_t xd_canon_keys(const struct xd_canon_doc *doc, struct xd_canon_key *keys, size_t cap,
                     size_t *total)
{
    struct keys_walk w = {.keys = keys, .cap = keys != NULL ? cap : 0};
    if (doc != NULL && (unsigned)doc->type < XD_CANON_TYPE_COUNT && doc->body != NULL) {
        w.root = doc->body;
        w.root_sid = xd_canon__types[doc->type].sid;
        keys_struct(&w, w.root_sid, w.root);
        advice_key(&w, doc);
    }
    if (total != NULL) {
        *total = w.total;
    }
    return w.written;
}
