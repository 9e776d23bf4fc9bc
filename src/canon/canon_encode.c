/* SPDX-License-Identifier: MIT
 * Canonical document to compact JSON: `type` first, then members in definition order, absent
 * optional members left out, decimals as strings with their exact scale. Writes straight into
 * the caller's capped buffer; allocates nothing else. */
#include <inttypes.h>
#include <string.h>

#include "canon/canon_int.h"

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        enum xd_status st_ = (expr);                                                               \
        if (st_ != XD_OK) {                                                                        \
            return st_;                                                                            \
        }                                                                                          \
    } while (0)

static enum xd_status put_string(struct xd_buf *b, const char *s)
{
    TRY(xd_buf_append_char(b, '"'));
    TRY(xd_buf_append_json_str(b, s, strlen(s)));
    return xd_buf_append_char(b, '"');
}

static enum xd_status put_key(struct xd_buf *b, bool *first, const char *name)
{
    if (!*first) {
        TRY(xd_buf_append_char(b, ','));
    }
    *first = false;
    TRY(put_string(b, name));
    return xd_buf_append_char(b, ':');
}

static enum xd_status put_decimal(struct xd_buf *b, struct xd_decimal d)
{
    if (d.scale < 0 || d.scale > XD_DECIMAL_MAX_SCALE) {
        return XD_EINVAL;
    }
    char tmp[XD_DECIMAL_STR_MAX];
    size_t n = xd_decimal_format(d, tmp, sizeof tmp);
    TRY(xd_buf_append_char(b, '"'));
    TRY(xd_buf_append(b, tmp, n));
    return xd_buf_append_char(b, '"');
}

static enum xd_status put_object(struct xd_buf *b, enum xd_canon__sid sid, const void *obj);

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
static enum xd_status put_array(struct xd_buf *b, const struct xd_canon__field *f, const void *base)
{
    size_t n = *(const size_t *)XD_CANON__AT_CONST(base, f->count_offset);
    const char *items = *(const char *const *)XD_CANON__AT_CONST(base, f->offset);
    if (n > 0 && items == NULL) {
        return XD_EINVAL;
    }
    TRY(xd_buf_append_char(b, '['));
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            TRY(xd_buf_append_char(b, ','));
        }
        if (f->kind == XD_CANON__K_ARRAY) {
            TRY(put_object(b, f->sub, items + i * f->elem_size));
        } else {
            const char *s = ((const char *const *)(const void *)items)[i];
            if (s == NULL) {
                return XD_EINVAL;
            }
            TRY(put_string(b, s));
        }
    }
    return xd_buf_append_char(b, ']');
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_value(struct xd_buf *b, const struct xd_canon__field *f, const void *base)
{
    const void *at = XD_CANON__AT_CONST(base, f->offset);
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
    case XD_CANON__K_CODE:
    case XD_CANON__K_DATE:
    case XD_CANON__K_DATETIME:
        return put_string(b, *(const char *const *)at);
    case XD_CANON__K_DECIMAL:
        return put_decimal(b, *(const struct xd_decimal *)at);
    case XD_CANON__K_INT:
        return xd_buf_printf(b, "%" PRId64, *(const int64_t *)at);
    case XD_CANON__K_BOOL:
        return xd_buf_append_str(b, *(const bool *)at ? "true" : "false");
    case XD_CANON__K_OBJECT:
        return put_object(b, f->sub, *(const void *const *)at);
    case XD_CANON__K_ARRAY:
    case XD_CANON__K_STRINGS:
        return put_array(b, f, base);
    case XD_CANON__K_INLINE:
        break;
    }
    return XD_EINVAL;
}

/* Members of <sid> into the object being written; INLINE members join the same object.
 * NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_members(struct xd_buf *b, enum xd_canon__sid sid, const void *obj,
                                  bool *first)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            TRY(put_members(b, f->sub, XD_CANON__AT_CONST(obj, f->offset), first));
            continue;
        }
        if (!present(f, obj)) {
            continue;
        }
        TRY(put_key(b, first, f->name));
        TRY(put_value(b, f, obj));
    }
    return XD_OK;
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status put_object(struct xd_buf *b, enum xd_canon__sid sid, const void *obj)
{
    bool first = true;
    TRY(xd_buf_append_char(b, '{'));
    TRY(put_members(b, sid, obj, &first));
    return xd_buf_append_char(b, '}');
}

enum xd_status xd_canon_encode(const struct xd_canon_doc *doc, struct xd_buf *out)
{
    if (doc == NULL || (unsigned)doc->type >= XD_CANON_TYPE_COUNT || doc->body == NULL) {
        return XD_EINVAL;
    }
    size_t start = out->len;
    bool first = false;
    enum xd_status st = xd_buf_append_str(out, "{\"type\":");
    if (st == XD_OK) {
        st = put_string(out, xd_canon__types[doc->type].name);
    }
    if (st == XD_OK) {
        st = put_members(out, xd_canon__types[doc->type].sid, doc->body, &first);
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(out, '}');
    }
    if (st != XD_OK) {
        /* Leave the buffer as it was rather than holding half a document. */
        out->len = start;
        if (out->data != NULL) {
            out->data[start] = '\0';
        }
    }
    return st;
}
