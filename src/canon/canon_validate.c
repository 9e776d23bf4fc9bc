/* SPDX-License-Identifier: MIT
 * Checks of a document built in C, member by member with the same checks decode applies, then
 * the cross-field rules; and the business keys a document carries, found by walking the
 * members marked with a key in the definitions. */
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

/* --- The members, one function per struct, expanded from the definitions ---------------------
 *
 * val_<struct> tests each member with the definition's limits as constants, inline for what
 * nearly every member is (an absent optional member, a printable TEXT or IDENT string within
 * its length, a code of its list, a date, a decimal or whole number within its bounds). A
 * member that fails the quick test, or whose kind has none, goes through check_member, the
 * full check that reports: the quick tests only ever pass values it would pass, so what is
 * reported, and in which order, is what the full check alone gives (test_validate compares
 * both with decoding on every member of the examples). */

#define VAL_PROTO(name, doc) static void val_##name(struct xd_canon__ctx *c, const void *obj);
XD_CANON_STRUCTS(VAL_PROTO)
#undef VAL_PROTO

/* Flattened member <i> of struct <sid>, at the current path plus its name. */
static void check_member(struct xd_canon__ctx *c, enum xd_canon__sid sid, size_t i, const void *obj)
{
    const struct xd_canon__field *f = &xd_canon__flats[sid].fields[i];
    size_t mark = xd_canon__path_member(c, f->name, f->name_len);
    validate_value(c, f, obj);
    xd_canon__path_restore(c, mark);
}

/* Printable ASCII of 1 to <max> characters (what check_text passes for TEXT): its length, or 0
 * when it is not. */
static inline size_t printable_len(const char *s, int64_t max)
{
    size_t n = xd_canon__printable_span(s);
    return s[n] == '\0' && (int64_t)n <= max ? n : 0;
}

static inline bool text_ok(const char *s, int64_t max)
{
    return printable_len(s, max) > 0;
}

static inline bool ident_ok(const char *s, int64_t max)
{
    size_t n = printable_len(s, max);
    return n > 0 && s[0] != ' ' && s[n - 1] != ' ';
}

static inline bool code_ok(const char *s, enum xd_canon__lid list)
{
    size_t n = xd_canon__printable_span(s);
    return s[n] == '\0' && n > 0 && xd_canon__code_index(&xd_canon__lists[list], s, n) >= 0;
}

static inline bool date_ok(const char *s)
{
    size_t n = xd_canon__printable_span(s);
    return s[n] == '\0' && xd_date_valid(s, n);
}

static inline bool decimal_ok(struct xd_decimal d, int64_t max_scale, enum xd_canon__sign sign)
{
    if (d.scale < 0 || d.scale > XD_DECIMAL_MAX_SCALE || d.scale > max_scale) {
        return false;
    }
    return sign == XD_CANON__SIGN_NONNEG ? !xd_decimal_is_negative(d)
           : sign == XD_CANON__SIGN_POS  ? d.units > 0
                                         : true;
}

/* The quick test of a string of each class; the classes without one always take the full
 * check (a few members per document). */
#define STRING_OK_TEXT(s_, max_)     text_ok(s_, max_)
#define STRING_OK_IDENT(s_, max_)    ident_ok(s_, max_)
#define STRING_OK_CURRENCY(s_, max_) false
#define STRING_OK_COUNTRY(s_, max_)  false
#define STRING_OK_SCAC(s_, max_)     false
#define STRING_OK_GTIN(s_, max_)     false
#define STRING_OK_GLN(s_, max_)      false
#define STRING_OK_SSCC(s_, max_)     false
#define STRING_OK_DUNS(s_, max_)     false
#define STRING_OK_EMAIL(s_, max_)    false

#define MEMBER(O_, BASE_, m_)  (((const struct xd_canon_##O_ *)XD_CANON__AT_CONST(obj, BASE_))->m_)
#define HAS_REQ(O_, BASE_, m_) true
#define HAS_OPT(O_, BASE_, m_) MEMBER(O_, BASE_, has_##m_)
#define REQUIRED_REQ           true
#define REQUIRED_OPT           false
#define CHECK_MEMBER(S_, ID_)  check_member(c, XD_CANON__S_##S_, XD_CANON__FO_##S_##__##ID_, obj)

/* A string member: absent (a problem when required), or passing <ok_>, or fully checked. */
#define VAL_STR(S_, ID_, O_, BASE_, m_, P_, ok_)                                                   \
    {                                                                                              \
        const char *s_ = MEMBER(O_, BASE_, m_);                                                    \
        if (s_ == NULL ? REQUIRED_##P_ : !(ok_)) {                                                 \
            CHECK_MEMBER(S_, ID_);                                                                 \
        }                                                                                          \
    }
#define VAL_STRING(S_, ID_, O_, BASE_, m_, P_, A_, B_)                                             \
    VAL_STR(S_, ID_, O_, BASE_, m_, P_, STRING_OK_##B_(s_, A_))
#define VAL_CODE(S_, ID_, O_, BASE_, m_, P_, A_, B_)                                               \
    VAL_STR(S_, ID_, O_, BASE_, m_, P_, code_ok(s_, XD_CANON__L_##A_))
#define VAL_DATE(S_, ID_, O_, BASE_, m_, P_, A_, B_)                                               \
    VAL_STR(S_, ID_, O_, BASE_, m_, P_, date_ok(s_))
#define VAL_DATETIME(S_, ID_, O_, BASE_, m_, P_, A_, B_) VAL_STR(S_, ID_, O_, BASE_, m_, P_, false)
#define VAL_DECIMAL(S_, ID_, O_, BASE_, m_, P_, A_, B_)                                            \
    if (HAS_##P_(O_, BASE_, m_) && !decimal_ok(MEMBER(O_, BASE_, m_), B_, XD_CANON__SIGN_##A_)) {  \
        CHECK_MEMBER(S_, ID_);                                                                     \
    }
#define VAL_INT(S_, ID_, O_, BASE_, m_, P_, A_, B_)                                                \
    if (HAS_##P_(O_, BASE_, m_) &&                                                                 \
        (MEMBER(O_, BASE_, m_) < (A_) || MEMBER(O_, BASE_, m_) > (B_))) {                          \
        CHECK_MEMBER(S_, ID_);                                                                     \
    }
#define VAL_BOOL(S_, ID_, O_, BASE_, m_, P_, A_, B_) /* nothing to check */
#define VAL_OBJECT(S_, ID_, O_, BASE_, m_, P_, A_, B_)                                             \
    if (MEMBER(O_, BASE_, m_) != NULL) {                                                           \
        size_t mark_ = xd_canon__path_member(c, #m_, sizeof #m_ - 1);                              \
        val_##A_(c, MEMBER(O_, BASE_, m_));                                                        \
        xd_canon__path_restore(c, mark_);                                                          \
    } else if (REQUIRED_##P_) {                                                                    \
        CHECK_MEMBER(S_, ID_);                                                                     \
    }
#define VAL_ARRAY(S_, ID_, O_, BASE_, m_, P_, A_, B_)                                              \
    if (MEMBER(O_, BASE_, n_##m_) > 0 || REQUIRED_##P_) {                                          \
        CHECK_MEMBER(S_, ID_);                                                                     \
    }
#define VAL_STRINGS VAL_ARRAY

#define VAL_MEMBER(S_, O_, BASE_, ID_, K_, m_, P_, A_, B_, key_, doc_)                             \
    VAL_##K_(S_, ID_, O_, BASE_, m_, P_, A_, B_)
#define VAL_STRUCT(name, doc)                                                                      \
    static void val_##name(struct xd_canon__ctx *c, const void *obj)                               \
    {                                                                                              \
        XD_CANON__FLAT_EACH(VAL_MEMBER, name)                                                      \
    }
/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
XD_CANON_STRUCTS(VAL_STRUCT)
#undef VAL_STRUCT

#define VAL_ENTRY(name, doc) [XD_CANON__S_##name] = val_##name,
static void (*const validators[XD_CANON__S_COUNT])(struct xd_canon__ctx *c,
                                                   const void *obj) = {XD_CANON_STRUCTS(VAL_ENTRY)};
#undef VAL_ENTRY

void xd_canon__validate_struct(struct xd_canon__ctx *c, enum xd_canon__sid sid, const void *obj)
{
    validators[sid](c, obj);
}

enum xd_status xd_canon_validate(const struct xd_canon_doc *doc, struct xd_diags *diags)
{
    if (doc == NULL || (unsigned)doc->type >= XD_CANON_TYPE_COUNT || doc->body == NULL) {
        return XD_EINVAL;
    }
    struct xd_canon__ctx c;
    xd_canon__ctx_init(&c, diags, NULL);
    enum xd_canon__sid sid = xd_canon__types[doc->type].sid;
    xd_canon__validate_struct(&c, sid, doc->body);
    if (c.problems == 0) {
        xd_canon__rules_walk(&c, sid, doc->body);
    }
    if (c.oom) {
        return XD_ENOMEM;
    }
    return c.problems > 0 ? XD_EINVALDOC : XD_OK;
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

size_t xd_canon_keys(const struct xd_canon_doc *doc, struct xd_canon_key *keys, size_t cap,
                     size_t *total)
{
    struct keys_walk w = {.keys = keys, .cap = keys != NULL ? cap : 0};
    if (doc != NULL && (unsigned)doc->type < XD_CANON_TYPE_COUNT && doc->body != NULL) {
        w.root = doc->body;
        w.root_sid = xd_canon__types[doc->type].sid;
        keys_struct(&w, w.root_sid, w.root);
    }
    if (total != NULL) {
        *total = w.total;
    }
    return w.written;
}
