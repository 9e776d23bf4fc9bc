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

static enum xd_status put(struct out *o, const char *s, size_t n)
{
    TRY(room(o, n));
    memcpy(o->p, s, n);
    o->p += n;
    return XD_OK;
}

static enum xd_status put_char(struct out *o, char c)
{
    TRY(room(o, 1));
    *o->p++ = c;
    return XD_OK;
}

/* Bytes copied into a JSON string as they are: printable ASCII but '"' and '\\' (NUL is not). */
#define PLAIN16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char plain_byte[256] = {
    PLAIN16(0), PLAIN16(0),
    /* 0x20-0x2F: '"' is 0x22 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, PLAIN16(1), PLAIN16(1),
    /* 0x50-0x5F: '\\' is 0x5C */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, PLAIN16(1),
    /* 0x70-0x7F: DEL is 0x7F */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
#undef PLAIN16

/* A quoted string. Printable ASCII without '"' or '\\' (nearly every value) is copied as it is;
 * anything else goes through xd_buf_append_json_str, which escapes and replaces bytes that are
 * not UTF-8 (a document built in C may hold some). */
static enum xd_status put_string(struct out *o, const char *s)
{
    size_t n = 0;
    while (plain_byte[(unsigned char)s[n]]) {
        n++;
    }
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

static enum xd_status put_object(struct out *o, enum xd_canon__sid sid, const void *obj);

/* Is this member present? (Required scalars always are.) */
static bool present(const struct xd_canon__field *f, const void *base)
{
    const void *at = XD_CANON__AT_CONST(base, f->offset);
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_DECIMAL:
    case XD_CANON__K_INT:
    case XD_CANON__K_BOOL:
        return xd_canon__scalar_present(f, base);
    case XD_CANON__K_ARRAY:
    case XD_CANON__K_STRINGS:
        return *(const size_t *)XD_CANON__AT_CONST(base, f->count_offset) > 0;
    case XD_CANON__K_INLINE:
        return true;
    default:
        return *(const void *const *)at != NULL;
    }
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_array(struct out *o, const struct xd_canon__field *f, const void *base)
{
    size_t n = *(const size_t *)XD_CANON__AT_CONST(base, f->count_offset);
    const char *items = *(const char *const *)XD_CANON__AT_CONST(base, f->offset);
    if (n > 0 && items == NULL) {
        return XD_EINVAL;
    }
    TRY(put_char(o, '['));
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            TRY(put_char(o, ','));
        }
        if (f->kind == XD_CANON__K_ARRAY) {
            TRY(put_object(o, f->sub, items + i * f->elem_size));
        } else {
            const char *s = ((const char *const *)(const void *)items)[i];
            if (s == NULL) {
                return XD_EINVAL;
            }
            TRY(put_string(o, s));
        }
    }
    return put_char(o, ']');
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_value(struct out *o, const struct xd_canon__field *f, const void *base)
{
    const void *at = XD_CANON__AT_CONST(base, f->offset);
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
    case XD_CANON__K_CODE:
    case XD_CANON__K_DATE:
    case XD_CANON__K_DATETIME:
        return put_string(o, *(const char *const *)at);
    case XD_CANON__K_DECIMAL:
        return put_decimal(o, *(const struct xd_decimal *)at);
    case XD_CANON__K_INT:
        return put_int(o, *(const int64_t *)at);
    case XD_CANON__K_BOOL:
        return *(const bool *)at ? put(o, "true", 4) : put(o, "false", 5);
    case XD_CANON__K_OBJECT:
        return put_object(o, f->sub, *(const void *const *)at);
    case XD_CANON__K_ARRAY:
    case XD_CANON__K_STRINGS:
        return put_array(o, f, base);
    case XD_CANON__K_INLINE:
        break;
    }
    return XD_EINVAL;
}

/* Members of <sid> into the object being written, each after a ',' unless <first>.
 * NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_members(struct out *o, enum xd_canon__sid sid, const void *obj,
                                  bool first)
{
    const struct xd_canon__flat *ft = &xd_canon__flats[sid];
    for (size_t i = 0; i < ft->n_fields; i++) {
        const struct xd_canon__field *f = &ft->fields[i];
        if (!present(f, obj)) {
            continue;
        }
        TRY(room(o, f->json_key_len + 1));
        if (!first) {
            *o->p++ = ',';
        }
        first = false;
        memcpy(o->p, f->json_key, f->json_key_len);
        o->p += f->json_key_len;
        TRY(put_value(o, f, obj));
    }
    return XD_OK;
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_object(struct out *o, enum xd_canon__sid sid, const void *obj)
{
    TRY(put_char(o, '{'));
    TRY(put_members(o, sid, obj, true));
    return put_char(o, '}');
}

static enum xd_status put_document(struct out *o, const struct xd_canon_doc *doc)
{
    const struct xd_canon__type *t = &xd_canon__types[doc->type];
    TRY(put(o, "{\"type\":\"", 9));
    TRY(put(o, t->name, strlen(t->name)));
    TRY(put_char(o, '"'));
    TRY(put_members(o, t->sid, doc->body, false));
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
