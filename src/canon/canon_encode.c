/* SPDX-License-Identifier: MIT
 * Canonical document to compact JSON: `type` first, then members in definition order (the
 * flattened tables, so INLINE members sit where they are defined), absent optional members
 * left out, decimals as strings with their exact scale. Writes straight into the caller's
 * capped buffer through a cursor: member names are copied pre-escaped ("\"name\":"), strings
 * of plain ASCII are copied whole, numbers are formatted in place, and the buffer is reserved
 * once for a typical document (4 KiB) and doubled past that. Allocates nothing else. */
#include <string.h>

#include "canon/canon_int.h"

#define FIRST_RESERVE 4096 /* most documents encode to 0.5-3 KB */
#define INT_TEXT_MAX  21   /* "-9223372036854775808" */

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        enum xd_status st_ = (expr);                                                               \
        if (st_ != XD_OK) {                                                                        \
            return st_;                                                                            \
        }                                                                                          \
    } while (0)

/* A cursor into the buffer's free space. The buffer's len is brought up to date when it grows
 * and at the end; <end> leaves room for the NUL the buffer always ends with. */
struct out {
    struct xd_buf *b;
    char *p;
    char *end;
};

static void sync_len(struct out *o)
{
    if (o->b->data != NULL) {
        o->b->len = (size_t)(o->p - o->b->data);
    }
}

static void reload(struct out *o)
{
    struct xd_buf *b = o->b;
    o->p = b->data + b->len;
    o->end = b->data + b->alloc - 1;
}

/* Make room for <n> more bytes: FIRST_RESERVE at once when the cap allows (one allocation for
 * a typical document), else exactly what is needed; xd_buf doubles from there. */
static enum xd_status grow(struct out *o, size_t n)
{
    sync_len(o);
    enum xd_status st = xd_buf_reserve(o->b, n < FIRST_RESERVE ? FIRST_RESERVE : n);
    if (st != XD_OK) {
        st = xd_buf_reserve(o->b, n);
    }
    if (st == XD_OK) {
        reload(o);
    }
    return st;
}

static inline enum xd_status room(struct out *o, size_t n)
{
    return o->p != NULL && (size_t)(o->end - o->p) >= n ? XD_OK : grow(o, n);
}

/* Inline: most calls copy a constant (a member's name), which is then a few moves. */
static inline __attribute__((always_inline)) enum xd_status put(struct out *o, const char *s,
                                                                size_t n)
{
    TRY(room(o, n));
    memcpy(o->p, s, n);
    o->p += n;
    return XD_OK;
}

static inline __attribute__((always_inline)) enum xd_status put_char(struct out *o, char c)
{
    TRY(room(o, 1));
    *o->p++ = c;
    return XD_OK;
}

/* A quoted string. Printable ASCII without '"' or '\\' (nearly every value) is copied as it is;
 * anything else goes through xd_buf_append_json_str, which escapes and replaces bytes that are
 * not UTF-8 (a document built in C may hold some). */
static enum xd_status put_string(struct out *o, const char *s)
{
    size_t n = xd_canon__json_plain_span(s);
    if (s[n] == '\0') {
        TRY(room(o, n + 2));
        *o->p++ = '"';
        memcpy(o->p, s, n);
        o->p += n;
        *o->p++ = '"';
        return XD_OK;
    }
    TRY(put_char(o, '"'));
    sync_len(o);
    TRY(xd_buf_append_json_str(o->b, s, n + strlen(s + n)));
    reload(o);
    return put_char(o, '"');
}

static enum xd_status put_decimal(struct out *o, struct xd_decimal d)
{
    if (d.scale < 0 || d.scale > XD_DECIMAL_MAX_SCALE) {
        return XD_EINVAL;
    }
    TRY(room(o, XD_DECIMAL_STR_MAX + 2));
    *o->p++ = '"';
    o->p += xd_decimal_format(d, o->p, XD_DECIMAL_STR_MAX);
    *o->p++ = '"';
    return XD_OK;
}

static enum xd_status put_int(struct out *o, int64_t v)
{
    char tmp[INT_TEXT_MAX];
    size_t n = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    if (v < 0) {
        tmp[n++] = '-';
    }
    TRY(room(o, n));
    while (n > 0) {
        *o->p++ = tmp[--n];
    }
    return XD_OK;
}

/* --- The members, one function per struct, expanded from the definitions ---------------------
 *
 * enc_<struct> writes each present member as `,"name":value`, in definition order (INLINE
 * members flattened): presence tests, names and limits are constants of the generated code
 * instead of a walk over descriptors. put_object turns the first ',' into the '{' (or writes
 * "{}" when no member is present), so no member needs to know whether it is the first. */

typedef enum xd_status (*enc_fn)(struct out *o, const void *obj);

#define ENC_PROTO(name, doc) static enum xd_status enc_##name(struct out *o, const void *obj);
XD_CANON_STRUCTS(ENC_PROTO)
#undef ENC_PROTO

static enum xd_status put_object(struct out *o, enc_fn members, const void *obj)
{
    TRY(room(o, 2));
    size_t open = (size_t)(o->p - o->b->data);
    TRY(members(o, obj));
    if (o->b->data + open == o->p) {
        return put(o, "{}", 2);
    }
    o->b->data[open] = '{';
    return put_char(o, '}');
}

/* A member's name with the ',' before it. */
#define PUT_KEY(m_) TRY(put(o, ",\"" #m_ "\":", sizeof(",\"" #m_ "\":") - 1))

/* The member m_ of the struct O_ that sits at BASE_ in the one being written. */
#define MEMBER(O_, BASE_, m_)  (((const struct xd_canon_##O_ *)XD_CANON__AT_CONST(obj, BASE_))->m_)
#define HAS_REQ(O_, BASE_, m_) true
#define HAS_OPT(O_, BASE_, m_) MEMBER(O_, BASE_, has_##m_)

#define ENC_STR(O_, BASE_, m_)                                                                     \
    if (MEMBER(O_, BASE_, m_) != NULL) {                                                           \
        PUT_KEY(m_);                                                                               \
        TRY(put_string(o, MEMBER(O_, BASE_, m_)));                                                 \
    }
#define ENC_STRING(O_, BASE_, m_, P_, A_)   ENC_STR(O_, BASE_, m_)
#define ENC_CODE(O_, BASE_, m_, P_, A_)     ENC_STR(O_, BASE_, m_)
#define ENC_DATE(O_, BASE_, m_, P_, A_)     ENC_STR(O_, BASE_, m_)
#define ENC_DATETIME(O_, BASE_, m_, P_, A_) ENC_STR(O_, BASE_, m_)
#define ENC_DECIMAL(O_, BASE_, m_, P_, A_)                                                         \
    if (HAS_##P_(O_, BASE_, m_)) {                                                                 \
        PUT_KEY(m_);                                                                               \
        TRY(put_decimal(o, MEMBER(O_, BASE_, m_)));                                                \
    }
#define ENC_INT(O_, BASE_, m_, P_, A_)                                                             \
    if (HAS_##P_(O_, BASE_, m_)) {                                                                 \
        PUT_KEY(m_);                                                                               \
        TRY(put_int(o, MEMBER(O_, BASE_, m_)));                                                    \
    }
#define ENC_BOOL(O_, BASE_, m_, P_, A_)                                                            \
    if (HAS_##P_(O_, BASE_, m_)) {                                                                 \
        PUT_KEY(m_);                                                                               \
        TRY(MEMBER(O_, BASE_, m_) ? put(o, "true", 4) : put(o, "false", 5));                       \
    }
#define ENC_OBJECT(O_, BASE_, m_, P_, A_)                                                          \
    if (MEMBER(O_, BASE_, m_) != NULL) {                                                           \
        PUT_KEY(m_);                                                                               \
        TRY(put_object(o, enc_##A_, MEMBER(O_, BASE_, m_)));                                       \
    }
#define ENC_ARRAY(O_, BASE_, m_, P_, A_)                                                           \
    if (MEMBER(O_, BASE_, n_##m_) > 0) {                                                           \
        PUT_KEY(m_);                                                                               \
        TRY(put_items(o, enc_##A_, MEMBER(O_, BASE_, m_), sizeof(struct xd_canon_##A_),            \
                      MEMBER(O_, BASE_, n_##m_)));                                                 \
    }
#define ENC_STRINGS(O_, BASE_, m_, P_, A_)                                                         \
    if (MEMBER(O_, BASE_, n_##m_) > 0) {                                                           \
        PUT_KEY(m_);                                                                               \
        TRY(put_strings(o, MEMBER(O_, BASE_, m_), MEMBER(O_, BASE_, n_##m_)));                     \
    }

/* "[...]" of <n> structs of <size> bytes at <items>. */
static enum xd_status put_items(struct out *o, enc_fn members, const void *items, size_t size,
                                size_t n)
{
    if (items == NULL) {
        return XD_EINVAL;
    }
    TRY(put_char(o, '['));
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            TRY(put_char(o, ','));
        }
        TRY(put_object(o, members, (const char *)items + i * size));
    }
    return put_char(o, ']');
}

static enum xd_status put_strings(struct out *o, const char *const *items, size_t n)
{
    if (items == NULL) {
        return XD_EINVAL;
    }
    TRY(put_char(o, '['));
    for (size_t i = 0; i < n; i++) {
        if (items[i] == NULL) {
            return XD_EINVAL;
        }
        if (i > 0) {
            TRY(put_char(o, ','));
        }
        TRY(put_string(o, items[i]));
    }
    return put_char(o, ']');
}

#define ENC_MEMBER(S_, O_, BASE_, ID_, K_, m_, P_, A_, B_, key_, doc_)                             \
    ENC_##K_(O_, BASE_, m_, P_, A_)
#define ENC_STRUCT(name, doc)                                                                      \
    static enum xd_status enc_##name(struct out *o, const void *obj)                               \
    {                                                                                              \
        XD_CANON__FLAT_EACH(ENC_MEMBER, name)                                                      \
        return XD_OK;                                                                              \
    }
XD_CANON_STRUCTS(ENC_STRUCT)
#undef ENC_STRUCT

/* Every struct's writer, which is also what keeps those only INLINEd (header) from being
 * unused functions. */
#define ENC_ENTRY(name, doc) [XD_CANON__S_##name] = enc_##name,
static const enc_fn encoders[XD_CANON__S_COUNT] = {XD_CANON_STRUCTS(ENC_ENTRY)};
#undef ENC_ENTRY

static enum xd_status put_document(struct out *o, const struct xd_canon_doc *doc)
{
    const struct xd_canon__type *t = &xd_canon__types[doc->type];
    TRY(put(o, "{\"type\":\"", 9));
    TRY(put(o, t->name, strlen(t->name)));
    TRY(put_char(o, '"'));
    TRY(encoders[t->sid](o, doc->body));
    return put_char(o, '}');
}

enum xd_status xd_canon_encode(const struct xd_canon_doc *doc, struct xd_buf *out)
{
    if (doc == NULL || (unsigned)doc->type >= XD_CANON_TYPE_COUNT || doc->body == NULL) {
        return XD_EINVAL;
    }
    size_t start = out->len;
    struct out o = {.b = out};
    if (out->data != NULL) {
        reload(&o);
    }
    enum xd_status st = put_document(&o, doc);
    if (st == XD_OK) {
        sync_len(&o);
        out->data[out->len] = '\0';
        return XD_OK;
    }
    /* Leave the buffer as it was rather than holding half a document. */
    out->len = start;
    if (out->data != NULL) {
        out->data[start] = '\0';
    }
    return st;
}
