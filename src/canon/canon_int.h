/* SPDX-License-Identifier: MIT
 * Private to src/canon: the descriptor tables generated from canon_defs.h and the helpers every
 * generic walker (decode, encode, validate, rules, keys, schema, describe) shares. The walkers
 * recurse over descriptors, so their depth is that of the definitions (a few levels), never one
 * an input chooses. */
#ifndef XD_CANON_CANON_INT_H
#define XD_CANON_CANON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canon/canon.h"

enum xd_canon__kind {
    XD_CANON__K_STRING,
    XD_CANON__K_CODE,
    XD_CANON__K_DECIMAL,
    XD_CANON__K_INT,
    XD_CANON__K_BOOL,
    XD_CANON__K_DATE,
    XD_CANON__K_DATETIME,
    XD_CANON__K_OBJECT,
    XD_CANON__K_INLINE,
    XD_CANON__K_ARRAY,
    XD_CANON__K_STRINGS,
};

enum xd_canon__sign { XD_CANON__SIGN_ANY, XD_CANON__SIGN_NONNEG, XD_CANON__SIGN_POS };

#define XD_CANON__SID(name, doc) XD_CANON__S_##name,
enum xd_canon__sid { XD_CANON_STRUCTS(XD_CANON__SID) XD_CANON__S_COUNT };
#undef XD_CANON__SID

#define XD_CANON__LID(name, doc) XD_CANON__L_##name,
enum xd_canon__lid { XD_CANON_CODE_LISTS(XD_CANON__LID) XD_CANON__L_COUNT };
#undef XD_CANON__LID

#define XD_CANON__CID(name, pattern, doc) XD_CANON__C_##name,
enum xd_canon__cid { XD_CANON_STRING_CLASSES(XD_CANON__CID) XD_CANON__C_COUNT };
#undef XD_CANON__CID

/* One member of a struct. Offsets of has_ flags and n_ counts are never 0 (the value member
 * comes first), so 0 means "none". */
struct xd_canon__field {
    const char *name;
    size_t name_len;
    const char *json_key; /* "\"name\":", as the encoder writes it */
    size_t json_key_len;
    const char *doc;
    const char *key; /* business key name, or NULL */
    size_t offset;
    size_t has_offset;   /* optional DECIMAL, INT, BOOL */
    size_t count_offset; /* ARRAY, STRINGS */
    size_t elem_size;    /* ARRAY */
    int64_t min;         /* INT */
    int64_t max;         /* INT maximum; STRING, STRINGS characters; DECIMAL fraction digits */
    uint32_t max_items;  /* ARRAY, STRINGS */
    uint8_t kind;        /* enum xd_canon__kind */
    bool required;
    uint8_t sign;      /* DECIMAL: enum xd_canon__sign */
    uint8_t str_class; /* STRING, STRINGS: enum xd_canon__cid */
    uint8_t list;      /* CODE: enum xd_canon__lid */
    uint8_t sub;       /* OBJECT, INLINE, ARRAY: enum xd_canon__sid */
};

struct xd_canon__struct {
    const char *name;
    const char *doc;
    const struct xd_canon__field *fields;
    size_t n_fields;
    size_t size;
};

struct xd_canon__code {
    const char *code;
    size_t len;
    const char *doc;
};

struct xd_canon__list {
    const char *name;
    const char *doc;
    const struct xd_canon__code *codes;
    size_t n_codes;
};

struct xd_canon__class {
    const char *name;
    const char *pattern; /* NULL when it has none */
    const char *doc;
};

struct xd_canon__type {
    const char *name;
    uint8_t sid;
};

/* A struct's members as its JSON object shows them: INLINE members replaced by the members of
 * the struct they embed, offsets relative to the outer struct. Member i is bit i of a presence
 * mask; <required> has the bits of the required ones. */
struct xd_canon__flat {
    const struct xd_canon__field *fields;
    size_t n_fields;
    uint64_t required;
};

/* XD_CANON__FLAT_EACH(V, S) calls V(S, O, BASE, ID, K, m, P, A, B, key, doc) for every member
 * of struct S with its INLINE members replaced by theirs: O is the struct that declares m, BASE
 * where O sits inside S, ID a name unique within S. One level of INLINE is supported, which is
 * all the definitions use (test_defs checks no flattened member is INLINE). */
#define XD_CANON__UNPACK(...)      __VA_ARGS__
#define XD_CANON__CALL(m_, ...)    m_(__VA_ARGS__)
#define XD_CANON__CALL_IN(m_, ...) m_(__VA_ARGS__)

#define XD_CANON__FLAT_EACH(V_, S_) XD_CANON_FIELDS_##S_(XD_CANON__VISIT, (V_, S_))
#define XD_CANON__VISIT(T_, K_, m_, P_, A_, B_, key_, doc_)                                        \
    XD_CANON__CALL(XD_CANON__VISIT_##K_, XD_CANON__UNPACK T_, K_, m_, P_, A_, B_, key_, doc_)
#define XD_CANON__VISIT_ONE(V_, S_, K_, m_, P_, A_, B_, key_, doc_)                                \
    V_(S_, S_, 0, m_, K_, m_, P_, A_, B_, key_, doc_)
#define XD_CANON__VISIT_STRING   XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_CODE     XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_DECIMAL  XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_INT      XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_BOOL     XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_DATE     XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_DATETIME XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_OBJECT   XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_ARRAY    XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_STRINGS  XD_CANON__VISIT_ONE
#define XD_CANON__VISIT_INLINE(V_, S_, K_, m_, P_, A_, B_, key_, doc_)                             \
    XD_CANON_FIELDS_##A_(XD_CANON__VISIT_IN, (V_, S_, m_, A_))
#define XD_CANON__VISIT_IN(T_, K_, m_, P_, A_, B_, key_, doc_)                                     \
    XD_CANON__CALL_IN(XD_CANON__VISIT_IN_, XD_CANON__UNPACK T_, K_, m_, P_, A_, B_, key_, doc_)
#define XD_CANON__VISIT_IN_(V_, S_, I_, O_, K_, m_, P_, A_, B_, key_, doc_)                        \
    V_(S_, O_, offsetof(struct xd_canon_##S_, I_), I_##__##m_, K_, m_, P_, A_, B_, key_, doc_)

/* The position of each flattened member: its index in xd_canon__flats[S].fields and its bit
 * in a presence mask. */
#define XD_CANON__FLAT_ORDINAL(S_, O_, BASE_, ID_, K_, m_, P_, A_, B_, key_, doc_)                 \
    XD_CANON__FO_##S_##__##ID_,
#define XD_CANON__FLAT_ENUM(name, doc)                                                             \
    enum { XD_CANON__FLAT_EACH(XD_CANON__FLAT_ORDINAL, name) XD_CANON__FO_##name##__COUNT };       \
    _Static_assert(XD_CANON__FO_##name##__COUNT <= 64, #name " has more members than a mask");
XD_CANON_STRUCTS(XD_CANON__FLAT_ENUM)

extern const struct xd_canon__struct xd_canon__structs[XD_CANON__S_COUNT];
extern const struct xd_canon__flat xd_canon__flats[XD_CANON__S_COUNT];
extern const struct xd_canon__list xd_canon__lists[XD_CANON__L_COUNT];
extern const struct xd_canon__class xd_canon__classes[XD_CANON__C_COUNT];
extern const struct xd_canon__type xd_canon__types[XD_CANON_TYPE_COUNT];

/* Address of a member inside a struct instance. */
#define XD_CANON__AT(base, off)       ((void *)((char *)(base) + (off)))
#define XD_CANON__AT_CONST(base, off) ((const void *)((const char *)(base) + (off)))

/* Index of <code> in <list>, or -1. */
int xd_canon__code_index(const struct xd_canon__list *list, const char *code, size_t len);
/* Is this optional scalar present? Required scalars always are. */
bool xd_canon__scalar_present(const struct xd_canon__field *f, const void *base);

/* --- Walk context: current JSON path and where problems go ------------------------------- */

#define XD_CANON__PATH_MAX  320
#define XD_CANON__PATH_SEGS 40 /* more than XD_CANON_MAX_DEPTH allows: objects and indexes */

struct xd_canon__seg {
    const char *name; /* member name (not NUL-terminated), or NULL for an array index */
    size_t len;
    size_t index;
    uint32_t ord; /* where the segment sorts among its siblings (decode's problem order) */
};

/* Problems the decoder finds, kept in the order of the definitions rather than of the input.
 * The decoder reads members as they come, but reports what an object holds in definition order
 * (each member's problems, those inside it included, then unknown members in input order), so a
 * problem is filed under the ordinals of its path and the log hands out the first <limit> of
 * them in that order: a max-heap of the smallest so far, so hostile input with millions of
 * problems costs at most <limit> entries. */
struct xd_canon__problem;
struct xd_canon__plog {
    struct xd_canon__problem *slots;
    size_t *heap; /* indexes into slots, a max-heap by order */
    size_t n, cap, limit;
    size_t dropped; /* problems not kept: past the limit */
    uint64_t seq;   /* ties (two problems of one member) keep the order they came in */
};

struct xd_canon__ctx {
    struct xd_diags *diags;     /* may be NULL: problems are then only counted */
    struct xd_canon__plog *log; /* when set, problems go here (sorted) before reaching diags */
    struct xd_arena *arena;     /* decode only */
    size_t problems;
    bool oom;
    size_t depth; /* segments of the current path; those past XD_CANON__PATH_SEGS are cut */
    struct xd_canon__seg segs[XD_CANON__PATH_SEGS];
};

void xd_canon__ctx_init(struct xd_canon__ctx *c, struct xd_diags *diags, struct xd_arena *arena);
/* Append ".name" (["name"] when it is not a plain word) or "[i]" to the current path and
 * return the mark to restore it with. <name> must stay valid until the path is restored. The
 * walkers do this for every member they look at, so these are inline: a segment is only
 * recorded, and written out as text when a problem is reported. */
/* With the ordinal the segment sorts by in the problem log. */
static inline size_t xd_canon__path_member_at(struct xd_canon__ctx *c, const char *name, size_t len,
                                              uint32_t ord)
{
    size_t mark = c->depth;
    if (c->depth < XD_CANON__PATH_SEGS) {
        c->segs[c->depth] = (struct xd_canon__seg){name, len, 0, ord};
    }
    c->depth++;
    return mark;
}

static inline size_t xd_canon__path_member(struct xd_canon__ctx *c, const char *name, size_t len)
{
    return xd_canon__path_member_at(c, name, len, 0);
}

static inline size_t xd_canon__path_index(struct xd_canon__ctx *c, size_t index)
{
    size_t mark = c->depth;
    if (c->depth < XD_CANON__PATH_SEGS) {
        uint32_t ord = index < UINT32_MAX ? (uint32_t)index : UINT32_MAX;
        c->segs[c->depth] = (struct xd_canon__seg){NULL, 0, index, ord};
    }
    c->depth++;
    return mark;
}

static inline void xd_canon__path_restore(struct xd_canon__ctx *c, size_t mark)
{
    c->depth = mark;
}
/* Record one problem at the current path. */
void xd_canon__report(struct xd_canon__ctx *c, const char *code, const char *fmt, ...)
    XD_PRINTF(3, 4);
/* A log keeping at most <limit> problems. */
void xd_canon__plog_init(struct xd_canon__plog *l, size_t limit);
/* Forget every problem (the memory stays for reuse). */
void xd_canon__plog_reset(struct xd_canon__plog *l);
void xd_canon__plog_cleanup(struct xd_canon__plog *l);
/* Hand the kept problems to <diags> in order and count the others as dropped. XD_ENOMEM when
 * diags could not take one. The log is empty afterwards. */
enum xd_status xd_canon__plog_flush(struct xd_canon__plog *l, struct xd_diags *diags);
/* Copy at most <max> bytes of <s> into <out> (cap > max + 3), cut at a character boundary and
 * marked with "...", for quoting input in messages. */
const char *xd_canon__clip(const char *s, size_t len, char *out, size_t cap);

/* --- Member checks shared by decode and validate ---------------------------------------- */

/* STRING, CODE, DATE, DATETIME members and STRINGS items: emptiness, UTF-8, length, class,
 * code list, calendar. Reports at the current path. */
void xd_canon__check_string(struct xd_canon__ctx *c, const struct xd_canon__field *f, const char *s,
                            size_t len);
/* xd_canon__check_string of a NUL-terminated string, its length found in the same pass. */
void xd_canon__check_cstr(struct xd_canon__ctx *c, const struct xd_canon__field *f, const char *s);
/* The same for text already known to be valid UTF-8 of <chars> code points (the parser
 * checked and counted it). */
void xd_canon__check_text(struct xd_canon__ctx *c, const struct xd_canon__field *f, const char *s,
                          size_t len, size_t chars);
void xd_canon__check_decimal(struct xd_canon__ctx *c, const struct xd_canon__field *f,
                             struct xd_decimal d);
void xd_canon__check_int(struct xd_canon__ctx *c, const struct xd_canon__field *f, int64_t v);
/* Bytes at the start of NUL-terminated <s> that are printable ASCII (0x20-0x7E): its length
 * when s[result] is the NUL. The second also stops at '"' and '\\', which JSON escapes. */
size_t xd_canon__printable_span(const char *s);
size_t xd_canon__json_plain_span(const char *s);
/* Edit distance between two names, or a value above <cap> when it is larger (names longer than
 * 64 bytes are never close). For "did you mean" hints. */
size_t xd_canon__distance(const char *a, size_t alen, const char *b, size_t blen, size_t cap);
/* Does <s> (<len> bytes, not empty) belong to string class <cls>? What check_string reports
 * as "format" or "check_digit" when it does not. */
bool xd_canon__class_ok(enum xd_canon__cid cls, const char *s, size_t len);
/* GS1 mod-10 check digit over <n> ASCII digits (the last being the check digit). */
bool xd_canon__gs1_check_digit_ok(const char *s, size_t n);

/* --- Cross-field rules (canon_rules.c) -------------------------------------------------- */

struct xd_canon__rule {
    uint8_t sid;
    const char *doc;
    void (*check)(struct xd_canon__ctx *c, const void *obj);
};
/* Each struct's rules run in table order (rules_<struct> in canon_rules.c). */
extern const struct xd_canon__rule xd_canon__rules[];
extern const size_t xd_canon__n_rules;

/* Run the rules of struct <sid> and of every struct inside it; the path is that of <obj>. */
void xd_canon__rules_walk(struct xd_canon__ctx *c, enum xd_canon__sid sid, const void *obj);

/* Member checks of a C struct tree, reported at the current path: the walk of canon_encode.c,
 * checking only. */
void xd_canon__validate_struct(struct xd_canon__ctx *c, enum xd_canon__sid sid, const void *obj);
/* The full check of flattened member <i> of struct <sid> in <obj> (canon_validate.c): every
 * problem it has, reported at the current path plus its name. */
void xd_canon__check_member(struct xd_canon__ctx *c, enum xd_canon__sid sid, size_t i,
                            const void *obj);

#endif
