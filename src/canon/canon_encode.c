/* SPDX-License-Identifier: MIT
 * The walk over a document built in C, one function per struct expanded from the definitions:
 * it writes compact JSON (xd_canon_encode), checks every member (xd_canon_validate), or both in
 * one pass (xd_canon_encode_valid, which scans each string once). JSON: `type` first, then
 * members in definition order (INLINE members where they are defined), absent optional members
 * left out, decimals as strings with their exact scale. Writes straight into the caller's
 * capped buffer through a cursor: member names are constants, strings of plain ASCII are copied
 * whole, numbers are formatted in place, and the buffer is reserved once for a typical
 * document (4 KiB) and doubled past that. Allocates nothing else. */
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

/* A quoted string of <n> bytes that need no escape (xd_canon__json_plain_span). */
static enum xd_status put_plain(struct out *o, const char *s, size_t n)
{
    TRY(room(o, n + 2));
    *o->p++ = '"';
    memcpy(o->p, s, n);
    o->p += n;
    *o->p++ = '"';
    return XD_OK;
}

/* A quoted string whose first <n> bytes need no escape but the rest may: escaped by
 * xd_buf_append_json_str, which also replaces bytes that are not UTF-8 (a document built in C
 * may hold some). */
static enum xd_status put_escaped(struct out *o, const char *s, size_t n)
{
    TRY(put_char(o, '"'));
    sync_len(o);
    TRY(xd_buf_append_json_str(o->b, s, n + strlen(s + n)));
    reload(o);
    return put_char(o, '"');
}

static enum xd_status put_string(struct out *o, const char *s)
{
    size_t n = xd_canon__json_plain_span(s);
    return s[n] == '\0' ? put_plain(o, s, n) : put_escaped(o, s, n);
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

/* --- The walk ---------------------------------------------------------------------------------
 *
 * walk_<struct> takes each member with its definition's limits as constants. Checking, it
 * tests inline what nearly every member is (an absent optional member, plain TEXT or IDENT
 * ASCII within its length, a code of its list, a date, a decimal or whole number within its
 * bounds, a string of its class); a member that fails the quick test, or whose kind has none
 * (a date-time, a list of strings), goes through xd_canon__check_member, the full check that
 * reports. Quick tests
 * only pass values the full check passes, so the problems, and their order, are what the full
 * check alone gives (test_validate compares them with decoding on every member of the
 * examples). Writing, a member is `,"name":value`; put_object turns the first ',' into the
 * '{', so no member needs to know whether it is the first. A document found invalid is not
 * written further (its JSON is thrown away), so what cannot be written is only reported. */

struct walk {
    struct out o;
    bool write;              /* o is written */
    struct xd_canon__ctx *c; /* NULL: nothing is checked */
};

typedef enum xd_status (*walk_fn)(struct walk *w, const void *obj);

/* Each struct's walk comes in two variants, whether it checks a constant in each: "write"
 * (xd_canon_encode, on the hub's every response) has no test of a check; "check" writes while
 * w->write (xd_canon_encode_valid; xd_canon_validate writes nothing). */
#define CHECKING_write false
#define CHECKING_check true

#define WALK_PROTO(name, doc)                                                                      \
    static enum xd_status walk_check_##name(struct walk *w, const void *obj);                      \
    static enum xd_status walk_write_##name(struct walk *w, const void *obj);
XD_CANON_STRUCTS(WALK_PROTO)
#undef WALK_PROTO

/* The full check of flattened member <i> of struct <sid>; the first problem stops the
 * writing. */
static void check(struct walk *w, enum xd_canon__sid sid, size_t i, const void *obj)
{
    size_t before = w->c->problems;
    xd_canon__check_member(w->c, sid, i, obj);
    if (w->c->problems != before) {
        w->write = false;
    }
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_object(struct walk *w, walk_fn members, const void *obj)
{
    if (!w->write) {
        return members(w, obj);
    }
    struct out *o = &w->o;
    TRY(room(o, 2));
    size_t open = (size_t)(o->p - o->b->data);
    TRY(members(w, obj));
    if (!w->write) {
        return XD_OK; /* found invalid inside */
    }
    if (o->b->data + open == o->p) {
        return put(o, "{}", 2);
    }
    o->b->data[open] = '{';
    return put_char(o, '}');
}

/* An OBJECT member, at its name in the path. */
/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_member_object(struct walk *w, const char *name, size_t len,
                                        walk_fn members, const void *obj)
{
    size_t mark = w->c != NULL ? xd_canon__path_member(w->c, name, len) : 0;
    enum xd_status st = put_object(w, members, obj);
    if (w->c != NULL) {
        xd_canon__path_restore(w->c, mark);
    }
    return st;
}

/* The <n> items of an ARRAY member (n > 0), at its name in the path; <max> items at most. */
/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_items(struct walk *w, const char *name, size_t len, walk_fn members,
                                const void *items, size_t size, size_t n, size_t max)
{
    if (w->write && items == NULL) {
        return XD_EINVAL; /* only when not checking: a check has reported it */
    }
    if (items == NULL || (w->c != NULL && n > max)) {
        return XD_OK; /* reported; the items are not looked at */
    }
    size_t mark = w->c != NULL ? xd_canon__path_member(w->c, name, len) : 0;
    if (w->write) {
        TRY(put_char(&w->o, '['));
    }
    for (size_t i = 0; i < n; i++) {
        size_t item = w->c != NULL ? xd_canon__path_index(w->c, i) : 0;
        if (w->write && i > 0) {
            TRY(put_char(&w->o, ','));
        }
        TRY(put_object(w, members, (const char *)items + i * size));
        if (w->c != NULL) {
            xd_canon__path_restore(w->c, item);
        }
    }
    if (w->c != NULL) {
        xd_canon__path_restore(w->c, mark);
    }
    return w->write ? put_char(&w->o, ']') : XD_OK;
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

/* Quick tests of a plain string <s> of <n> bytes (printable ASCII without '"' or '\\', so <n>
 * is also its character count). */
static inline bool length_ok(size_t n, int64_t max)
{
    return n > 0 && (int64_t)n <= max;
}

static inline bool ident_ok(const char *s, size_t n, int64_t max)
{
    return length_ok(n, max) && s[0] != ' ' && s[n - 1] != ' ';
}

static inline bool code_ok(const char *s, size_t n, enum xd_canon__lid list)
{
    return n > 0 && xd_canon__code_index(&xd_canon__lists[list], s, n) >= 0;
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

/* The quick test of each string class: inline for the two nearly every string has, the class
 * check of the full one for the others (a few members per document). */
#define STRING_OK_TEXT(s_, n_, max_)  length_ok(n_, max_)
#define STRING_OK_IDENT(s_, n_, max_) ident_ok(s_, n_, max_)
#define STRING_OK_CLASS(cls_, s_, n_, max_)                                                        \
    (length_ok(n_, max_) && xd_canon__class_ok(XD_CANON__C_##cls_, s_, n_))
#define STRING_OK_CURRENCY(s_, n_, max_) STRING_OK_CLASS(CURRENCY, s_, n_, max_)
#define STRING_OK_COUNTRY(s_, n_, max_)  STRING_OK_CLASS(COUNTRY, s_, n_, max_)
#define STRING_OK_SCAC(s_, n_, max_)     STRING_OK_CLASS(SCAC, s_, n_, max_)
#define STRING_OK_GTIN(s_, n_, max_)     STRING_OK_CLASS(GTIN, s_, n_, max_)
#define STRING_OK_GLN(s_, n_, max_)      STRING_OK_CLASS(GLN, s_, n_, max_)
#define STRING_OK_SSCC(s_, n_, max_)     STRING_OK_CLASS(SSCC, s_, n_, max_)
#define STRING_OK_DUNS(s_, n_, max_)     STRING_OK_CLASS(DUNS, s_, n_, max_)
#define STRING_OK_EMAIL(s_, n_, max_)    STRING_OK_CLASS(EMAIL, s_, n_, max_)

/* The member m_ of the struct O_ that sits at BASE_ in the one walked. */
#define MEMBER(O_, BASE_, m_)  (((const struct xd_canon_##O_ *)XD_CANON__AT_CONST(obj, BASE_))->m_)
#define HAS_REQ(O_, BASE_, m_) true
#define HAS_OPT(O_, BASE_, m_) MEMBER(O_, BASE_, has_##m_)
#define REQUIRED_REQ           true
#define REQUIRED_OPT           false
#define CHECK_MEMBER(S_, ID_)  check(w, XD_CANON__S_##S_, XD_CANON__FO_##S_##__##ID_, obj)
#define KEY(m_)                ",\"" #m_ "\":"
#define PUT_KEY(m_)            TRY(put(&w->o, KEY(m_), sizeof KEY(m_) - 1))

/* A string member: one scan finds its plain prefix, which is all of it for nearly every value;
 * <ok_> is its quick test (of s_ and n_). */
#define WALK_STR(M_, S_, ID_, O_, BASE_, m_, P_, ok_)                                              \
    {                                                                                              \
        const char *s_ = MEMBER(O_, BASE_, m_);                                                    \
        if (s_ == NULL) {                                                                          \
            if (REQUIRED_##P_ && CHECKING_##M_) {                                                  \
                CHECK_MEMBER(S_, ID_);                                                             \
            }                                                                                      \
        } else {                                                                                   \
            size_t n_ = xd_canon__json_plain_span(s_);                                             \
            bool plain_ = s_[n_] == '\0';                                                          \
            if (CHECKING_##M_ && !(plain_ && (ok_))) {                                             \
                CHECK_MEMBER(S_, ID_);                                                             \
            }                                                                                      \
            if (w->write) {                                                                        \
                PUT_KEY(m_);                                                                       \
                TRY(plain_ ? put_plain(&w->o, s_, n_) : put_escaped(&w->o, s_, n_));               \
            }                                                                                      \
        }                                                                                          \
    }
#define WALK_STRING(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                        \
    WALK_STR(M_, S_, ID_, O_, BASE_, m_, P_, STRING_OK_##B_(s_, n_, A_))
#define WALK_CODE(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                          \
    WALK_STR(M_, S_, ID_, O_, BASE_, m_, P_, code_ok(s_, n_, XD_CANON__L_##A_))
#define WALK_DATE(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                          \
    WALK_STR(M_, S_, ID_, O_, BASE_, m_, P_, xd_date_valid(s_, n_))
#define WALK_DATETIME(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                      \
    WALK_STR(M_, S_, ID_, O_, BASE_, m_, P_, false)
#define WALK_DECIMAL(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                       \
    if (HAS_##P_(O_, BASE_, m_)) {                                                                 \
        if (CHECKING_##M_ && !decimal_ok(MEMBER(O_, BASE_, m_), B_, XD_CANON__SIGN_##A_)) {        \
            CHECK_MEMBER(S_, ID_);                                                                 \
        }                                                                                          \
        if (w->write) {                                                                            \
            PUT_KEY(m_);                                                                           \
            TRY(put_decimal(&w->o, MEMBER(O_, BASE_, m_)));                                        \
        }                                                                                          \
    }
#define WALK_INT(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                           \
    if (HAS_##P_(O_, BASE_, m_)) {                                                                 \
        if (CHECKING_##M_ && (MEMBER(O_, BASE_, m_) < (A_) || MEMBER(O_, BASE_, m_) > (B_))) {     \
            CHECK_MEMBER(S_, ID_);                                                                 \
        }                                                                                          \
        if (w->write) {                                                                            \
            PUT_KEY(m_);                                                                           \
            TRY(put_int(&w->o, MEMBER(O_, BASE_, m_)));                                            \
        }                                                                                          \
    }
#define WALK_BOOL(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                          \
    if (HAS_##P_(O_, BASE_, m_) && w->write) {                                                     \
        PUT_KEY(m_);                                                                               \
        TRY(MEMBER(O_, BASE_, m_) ? put(&w->o, "true", 4) : put(&w->o, "false", 5));               \
    }
#define WALK_OBJECT(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                        \
    if (MEMBER(O_, BASE_, m_) != NULL) {                                                           \
        if (w->write) {                                                                            \
            PUT_KEY(m_);                                                                           \
        }                                                                                          \
        TRY(put_member_object(w, #m_, sizeof #m_ - 1, walk_##M_##_##A_, MEMBER(O_, BASE_, m_)));   \
    } else if (REQUIRED_##P_ && CHECKING_##M_) {                                                   \
        CHECK_MEMBER(S_, ID_);                                                                     \
    }
/* The full check says what is wrong with the count or the pointer; the items are walked when
 * neither is. */
#define WALK_ARRAY(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                         \
    if (MEMBER(O_, BASE_, n_##m_) == 0) {                                                          \
        if (REQUIRED_##P_ && CHECKING_##M_) {                                                      \
            CHECK_MEMBER(S_, ID_);                                                                 \
        }                                                                                          \
    } else {                                                                                       \
        if (CHECKING_##M_ &&                                                                       \
            (MEMBER(O_, BASE_, m_) == NULL || MEMBER(O_, BASE_, n_##m_) > (B_))) {                 \
            CHECK_MEMBER(S_, ID_);                                                                 \
        }                                                                                          \
        if (w->write) {                                                                            \
            PUT_KEY(m_);                                                                           \
        }                                                                                          \
        TRY(put_items(w, #m_, sizeof #m_ - 1, walk_##M_##_##A_, MEMBER(O_, BASE_, m_),             \
                      sizeof(struct xd_canon_##A_), MEMBER(O_, BASE_, n_##m_), B_));               \
    }
/* Lists of strings are rare: checked in full, and written. */
#define WALK_STRINGS(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)                                       \
    if (MEMBER(O_, BASE_, n_##m_) > 0 || REQUIRED_##P_) {                                          \
        if (CHECKING_##M_) {                                                                       \
            CHECK_MEMBER(S_, ID_);                                                                 \
        }                                                                                          \
        if (w->write && MEMBER(O_, BASE_, n_##m_) > 0) {                                           \
            PUT_KEY(m_);                                                                           \
            TRY(put_strings(&w->o, MEMBER(O_, BASE_, m_), MEMBER(O_, BASE_, n_##m_)));             \
        }                                                                                          \
    }

#define WALK_MEMBER(M_, S_, ID_, K_, O_, BASE_, m_, P_, A_, B_)                                    \
    WALK_##K_(M_, S_, ID_, O_, BASE_, m_, P_, A_, B_)
#define WALK_MEMBER_check(S_, O_, BASE_, ID_, K_, m_, P_, A_, B_, key_, doc_)                      \
    WALK_MEMBER(check, S_, ID_, K_, O_, BASE_, m_, P_, A_, B_)
#define WALK_MEMBER_write(S_, O_, BASE_, ID_, K_, m_, P_, A_, B_, key_, doc_)                      \
    WALK_MEMBER(write, S_, ID_, K_, O_, BASE_, m_, P_, A_, B_)
#define WALK_VARIANT(M_, name)                                                                     \
    static enum xd_status walk_##M_##_##name(struct walk *w, const void *obj)                      \
    {                                                                                              \
        XD_CANON__FLAT_EACH(WALK_MEMBER_##M_, name)                                                \
        return XD_OK;                                                                              \
    }
/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
#define WALK_STRUCT(name, doc)                                                                     \
    WALK_VARIANT(check, name)                                                                      \
    WALK_VARIANT(write, name)
XD_CANON_STRUCTS(WALK_STRUCT)
#undef WALK_STRUCT

/* Every struct's walks, which is also what keeps those only INLINEd (header) from being
 * unused functions. */
#define WALK_ENTRY(name, doc) [XD_CANON__S_##name] = {walk_check_##name, walk_write_##name},
enum { CHECK, WRITE };
static const walk_fn walkers[XD_CANON__S_COUNT][2] = {XD_CANON_STRUCTS(WALK_ENTRY)};
#undef WALK_ENTRY

void xd_canon__validate_struct(struct xd_canon__ctx *c, enum xd_canon__sid sid, const void *obj)
{
    struct walk w = {.write = false, .c = c};
    (void)walkers[sid][CHECK](&w, obj); /* nothing written, nothing to fail */
}

/* Walk <doc> (type and body checked by the caller), writing into <out> when it is not NULL
 * and checking into <c> when it is not NULL. On a failure, or when the document was found
 * invalid, <out> is left as it was. */
static enum xd_status walk_document(const struct xd_canon_doc *doc, struct xd_buf *out,
                                    struct xd_canon__ctx *c)
{
    const struct xd_canon__type *t = &xd_canon__types[doc->type];
    struct walk w = {.o = {.b = out}, .write = out != NULL, .c = c};
    if (out == NULL) {
        return walkers[t->sid][CHECK](&w, doc->body);
    }
    size_t start = out->len;
    if (out->data != NULL) {
        reload(&w.o);
    }
    enum xd_status st = put(&w.o, "{\"type\":\"", 9);
    if (st == XD_OK) {
        st = put(&w.o, t->name, strlen(t->name));
    }
    if (st == XD_OK) {
        st = put_char(&w.o, '"');
    }
    if (st == XD_OK) {
        st = walkers[t->sid][c != NULL ? CHECK : WRITE](&w, doc->body);
    }
    if (st == XD_OK && w.write) {
        st = put_char(&w.o, '}');
    }
    if (st == XD_OK && w.write) {
        sync_len(&w.o);
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

static bool doc_ok(const struct xd_canon_doc *doc)
{
    return doc != NULL && (unsigned)doc->type < XD_CANON_TYPE_COUNT && doc->body != NULL;
}

enum xd_status xd_canon_encode(const struct xd_canon_doc *doc, struct xd_buf *out)
{
    return doc_ok(doc) ? walk_document(doc, out, NULL) : XD_EINVAL;
}

enum xd_status xd_canon_validate(const struct xd_canon_doc *doc, struct xd_diags *diags)
{
    return xd_canon_encode_valid(doc, NULL, diags);
}

enum xd_status xd_canon_encode_valid(const struct xd_canon_doc *doc, struct xd_buf *out,
                                     struct xd_diags *diags)
{
    if (!doc_ok(doc)) {
        return XD_EINVAL;
    }
    struct xd_canon__ctx c;
    xd_canon__ctx_init(&c, diags, NULL);
    size_t start = out != NULL ? out->len : 0;
    enum xd_status st = walk_document(doc, out, &c);
    if (st == XD_OK && c.problems == 0) {
        xd_canon__rules_walk(&c, xd_canon__types[doc->type].sid, doc->body);
    }
    if (st == XD_OK && c.problems > 0 && out != NULL && out->len > start) {
        out->len = start; /* a rule refused it */
        out->data[start] = '\0';
    }
    if (st != XD_OK) {
        return st;
    }
    if (c.oom) {
        return XD_ENOMEM;
    }
    return c.problems > 0 ? XD_EINVALDOC : XD_OK;
}
