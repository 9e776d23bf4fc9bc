/* SPDX-License-Identifier: MIT
 * The shape of the canonical structs as the translator needs it to name the X12 segment behind
 * a canonical validation problem: member names, kinds, offsets, expanded from the public
 * definitions (canon_defs.h) so they cannot drift from them. Walks a JSON path such as
 * "$.orders[0].packs[2].sscc" down a document to the deepest object it names. */
#include <string.h>

#include "x12/x12_shape.h"

#define XD_X12__SID(name, doc) XD_X12__S_##name,
enum { XD_CANON_STRUCTS(XD_X12__SID) XD_X12__S_COUNT };
#undef XD_X12__SID

enum { K_SCALAR, K_OBJECT, K_INLINE, K_ARRAY };

struct cfield {
    const char *name;
    unsigned char kind, sub;
    size_t off, count_off, size;
};

#define K_OF_STRING   K_SCALAR
#define K_OF_CODE     K_SCALAR
#define K_OF_DECIMAL  K_SCALAR
#define K_OF_INT      K_SCALAR
#define K_OF_BOOL     K_SCALAR
#define K_OF_DATE     K_SCALAR
#define K_OF_DATETIME K_SCALAR
#define K_OF_STRINGS  K_SCALAR
#define K_OF_OBJECT   K_OBJECT
#define K_OF_INLINE   K_INLINE
#define K_OF_ARRAY    K_ARRAY

#define SUB_STRING(A)   0
#define SUB_CODE(A)     0
#define SUB_DECIMAL(A)  0
#define SUB_INT(A)      0
#define SUB_BOOL(A)     0
#define SUB_DATE(A)     0
#define SUB_DATETIME(A) 0
#define SUB_STRINGS(A)  0
#define SUB_OBJECT(A)   XD_X12__S_##A
#define SUB_INLINE(A)   XD_X12__S_##A
#define SUB_ARRAY(A)    XD_X12__S_##A

#define CNT_ARRAY(S, m)    offsetof(struct xd_canon_##S, n_##m)
#define CNT_OTHER(S, m)    0
#define CNT_STRING(S, m)   CNT_OTHER(S, m)
#define CNT_CODE(S, m)     CNT_OTHER(S, m)
#define CNT_DECIMAL(S, m)  CNT_OTHER(S, m)
#define CNT_INT(S, m)      CNT_OTHER(S, m)
#define CNT_BOOL(S, m)     CNT_OTHER(S, m)
#define CNT_DATE(S, m)     CNT_OTHER(S, m)
#define CNT_DATETIME(S, m) CNT_OTHER(S, m)
#define CNT_STRINGS(S, m)  CNT_OTHER(S, m)
#define CNT_OBJECT(S, m)   CNT_OTHER(S, m)
#define CNT_INLINE(S, m)   CNT_OTHER(S, m)

#define SIZE_ARRAY(A)    sizeof(struct xd_canon_##A)
#define SIZE_STRING(A)   0
#define SIZE_CODE(A)     0
#define SIZE_DECIMAL(A)  0
#define SIZE_INT(A)      0
#define SIZE_BOOL(A)     0
#define SIZE_DATE(A)     0
#define SIZE_DATETIME(A) 0
#define SIZE_STRINGS(A)  0
#define SIZE_OBJECT(A)   0
#define SIZE_INLINE(A)   0

#define XD_X12__FIELD(S, K, m, P, A, B, key, doc)                                                  \
    {#m, K_OF_##K, SUB_##K(A), offsetof(struct xd_canon_##S, m), CNT_##K(S, m), SIZE_##K(A)},
#define XD_X12__TABLE(name, doc)                                                                   \
    static const struct cfield f_##name[] = {XD_CANON_FIELDS_##name(XD_X12__FIELD, name)};
XD_CANON_STRUCTS(XD_X12__TABLE)
#undef XD_X12__TABLE

#define XD_X12__ENTRY(name, doc) [XD_X12__S_##name] = {f_##name, XD_ARRAY_LEN(f_##name)},
static const struct {
    const struct cfield *fields;
    size_t n;
} shapes[XD_X12__S_COUNT] = {XD_CANON_STRUCTS(XD_X12__ENTRY)};
#undef XD_X12__ENTRY

#define XD_X12__DOCSID(E, s) [XD_CANON_##E] = XD_X12__S_##s,
static const unsigned char doc_sid[XD_CANON_TYPE_COUNT] = {XD_CANON_DOCUMENTS(XD_X12__DOCSID)};
#undef XD_X12__DOCSID

/* The member <name> of struct <sid>, looking into INLINE members; *base grows by the offset of
 * the inline struct that holds it. */
static const struct cfield *find(unsigned sid, const char *name, size_t len, size_t *base)
{
    for (size_t i = 0; i < shapes[sid].n; i++) {
        const struct cfield *f = &shapes[sid].fields[i];
        if (f->kind == K_INLINE) {
            size_t b = *base + f->off;
            const struct cfield *in = find(f->sub, name, len, &b);
            if (in != NULL) {
                *base = b;
                return in;
            }
        } else if (strlen(f->name) == len && memcmp(f->name, name, len) == 0) {
            return f;
        }
    }
    return NULL;
}

size_t xd_x12__shape_walk(enum xd_canon_type t, const void *body, const char *path,
                          const void **objs, size_t cap)
{
    if ((size_t)t >= XD_CANON_TYPE_COUNT || body == NULL || path[0] != '$') {
        return 0;
    }
    unsigned sid = doc_sid[t];
    const char *obj = body;
    size_t n = 0;
    if (n < cap) {
        objs[n++] = obj;
    }
    const char *p = path + 1;
    while (*p == '.') {
        const char *name = ++p;
        while (*p && *p != '.' && *p != '[') {
            p++;
        }
        size_t base = 0;
        const struct cfield *f = find(sid, name, (size_t)(p - name), &base);
        if (f == NULL || f->kind == K_SCALAR) {
            break;
        }
        const char *at = obj + base + f->off;
        if (f->kind == K_OBJECT) {
            obj = *(const char *const *)at;
        } else if (f->kind == K_ARRAY) {
            size_t idx = 0;
            if (*p != '[') {
                break;
            }
            for (p++; *p >= '0' && *p <= '9'; p++) {
                idx = idx * 10 + (size_t)(*p - '0');
            }
            p += *p == ']';
            size_t count = *(const size_t *)(obj + base + f->count_off);
            if (idx >= count) {
                break;
            }
            obj = *(const char *const *)at + idx * f->size;
        }
        if (obj == NULL) {
            break;
        }
        sid = f->sub;
        if (n < cap) {
            objs[n++] = obj;
        }
    }
    return n;
}
