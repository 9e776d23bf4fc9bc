/* SPDX-License-Identifier: MIT
 * JSON text to and from jansson trees, for the parts that work on documents as trees (the
 * workflow engine, partner mappings, the inbound pipeline): jansson's own parser (a character
 * stream with a lookahead per byte) and encoder (a UTF-8 decode per character of every
 * string) cost the workflow engine more than all its rules together.
 * Loading goes through the canonical codec's pull parser (src/canon/canon_json.h): the tree is
 * the same as json_loadb's, the grammar stricter (duplicate member names and \u0000 are
 * refused). Dumping writes what json_dumps(JSON_COMPACT) writes, byte for byte. */
#include "canon/canon_tree.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon/canon_json.h"

/* Integers that fit json_int_t, reals that fit a double; anything else is refused, as
 * json_loadb refuses it. */
static json_t *number(struct xd_canon__json *j)
{
    const char *text = NULL;
    size_t len = 0;
    bool integer = false;
    if (!xd_canon__json_number(j, &text, &len, &integer)) {
        return NULL;
    }
    if (integer) {
        int64_t n = 0;
        enum xd_status st = xd_parse_i64(text, len, INT64_MIN, INT64_MAX, &n);
        json_t *v = st == XD_OK ? json_integer((json_int_t)n) : NULL;
        if (v == NULL && j->status == XD_OK) {
            j->status = st != XD_OK ? XD_EPARSE : XD_ENOMEM;
        }
        return v;
    }
    char small[64]; /* strtod wants a C string */
    char *s = len < sizeof small ? small : xd_arena_strndup(j->arena, text, len);
    if (s == NULL) {
        j->status = XD_ENOMEM;
        return NULL;
    }
    if (s == small) {
        memcpy(small, text, len);
        small[len] = '\0';
    }
    errno = 0;
    double d = strtod(s, NULL);
    json_t *v = errno == 0 ? json_real(d) : NULL;
    if (v == NULL && j->status == XD_OK) {
        j->status = errno != 0 ? XD_EPARSE : XD_ENOMEM;
    }
    return v;
}

static json_t *value(struct xd_canon__json *j);

/* A value could not be built or kept: stop the parser (every later call fails at once). */
static void fail(struct xd_canon__json *j)
{
    if (j->status == XD_OK) {
        j->status = XD_ENOMEM;
    }
}

static json_t *object(struct xd_canon__json *j)
{
    json_t *o = xd_canon__json_begin(j) ? json_object() : NULL;
    struct xd_canon__jstr k;
    while (o != NULL && xd_canon__json_member(j, &k)) {
        json_t *v = value(j);
        size_t had = json_object_size(o);
        if (v == NULL || json_object_setn_new_nocheck(o, k.p, k.len, v) != 0) {
            fail(j);
        } else if (json_object_size(o) == had) {
            /* The set replaced a member of that name (one hash lookup per member, not two). */
            xd_canon__json_fail_duplicate(j, &k);
            break;
        }
    }
    if (o == NULL || j->status != XD_OK) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *array(struct xd_canon__json *j)
{
    json_t *a = xd_canon__json_begin(j) ? json_array() : NULL;
    while (a != NULL && xd_canon__json_item(j)) {
        json_t *v = value(j);
        if (v == NULL || json_array_append_new(a, v) != 0) {
            fail(j);
        }
    }
    if (a == NULL || j->status != XD_OK) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *value(struct xd_canon__json *j)
{
    struct xd_canon__jstr s;
    json_t *v = NULL;
    switch (xd_canon__json_peek(j)) {
    case XD_CANON__J_OBJECT:
        return object(j);
    case XD_CANON__J_ARRAY:
        return array(j);
    case XD_CANON__J_STRING:
        v = xd_canon__json_string(j, &s, true) ? json_stringn_nocheck(s.p, s.len) : NULL;
        break;
    case XD_CANON__J_NUMBER:
        return number(j);
    case XD_CANON__J_TRUE:
        v = xd_canon__json_literal(j) ? json_true() : NULL;
        break;
    case XD_CANON__J_FALSE:
        v = xd_canon__json_literal(j) ? json_false() : NULL;
        break;
    case XD_CANON__J_NULL:
        v = xd_canon__json_literal(j) ? json_null() : NULL;
        break;
    case XD_CANON__J_NONE:
        return NULL;
    }
    if (v == NULL) {
        fail(j);
    }
    return v;
}

json_t *xd_canon_tree_load(const char *text, size_t len, struct xd_arena *a)
{
    struct xd_arena *own = a == NULL ? xd_arena_create(0, 0) : NULL;
    if (a == NULL && own == NULL) {
        return NULL;
    }
    struct xd_canon__json j;
    xd_canon__json_init(&j, text, len, a != NULL ? a : own);
    json_t *v = value(&j);
    if (v != NULL && !xd_canon__json_finish(&j)) {
        json_decref(v);
        v = NULL;
    }
    bool too_deep = j.status == XD_ETOOBIG;
    xd_canon__json_cleanup(&j);
    xd_arena_destroy(own);
    if (too_deep) {
        /* Deeper than a canonical document may nest, yet JSON all the same (a thread's working
         * data holds whole documents a few levels down): jansson's parser, as strict. */
        v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    }
    return v;
}

/* ---- dump ---------------------------------------------------------------------------------- */

/* A string as jansson writes it without JSON_ENSURE_ASCII: '"', '\\' and control characters
 * escaped, everything else (valid UTF-8, as jansson keeps it) copied in runs. */
static enum xd_status put_string(struct xd_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    enum xd_status st = xd_buf_append_char(b, '"');
    size_t run = 0;
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        st = xd_buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t len = 2;
        switch (c) {
        case '"':
        case '\\':
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
            break;
        }
        if (st == XD_OK) {
            st = xd_buf_append(b, esc, len);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append(b, s + run, n - run);
    }
    return st == XD_OK ? xd_buf_append_char(b, '"') : st;
}

/* A real as jansson writes it: 17 significant digits, always recognisable as a real (".0"
 * added to a whole number), the exponent without '+' or leading zeros. */
static int real_text(char *num, size_t cap, double d)
{
    int n = isfinite(d) ? snprintf(num, cap, "%.17g", d) : -1;
    if (n <= 0 || (size_t)n >= cap - 2) {
        return -1;
    }
    char *e = strchr(num, 'e');
    if (e == NULL) {
        if (strchr(num, '.') == NULL) {
            memcpy(num + n, ".0", 3);
            n += 2;
        }
        return n;
    }
    char *from = e + 1; /* an optional sign, then the digits */
    char *to = from;
    if (*from == '-') {
        to++;
        from++;
    } else if (*from == '+') {
        from++;
    }
    while (*from == '0' && from[1] != '\0') {
        from++;
    }
    memmove(to, from, strlen(from) + 1);
    return (int)strlen(num);
}

static enum xd_status put_value(struct xd_buf *b, const json_t *v, unsigned depth)
{
    char num[40];
    int n = 0;
    enum xd_status st = XD_OK;
    if (depth > XD_CANON_MAX_DEPTH * 4) {
        return XD_ETOOBIG; /* a tree built by the rules, never this deep */
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k = NULL;
        const json_t *m = NULL;
        bool first = true;
        st = xd_buf_append_char(b, '{');
        json_object_foreach((json_t *)v, k, m)
        {
            if (st == XD_OK && !first) {
                st = xd_buf_append_char(b, ',');
            }
            first = false;
            if (st == XD_OK) {
                st = put_string(b, k, strlen(k));
            }
            if (st == XD_OK) {
                st = xd_buf_append_char(b, ':');
            }
            if (st == XD_OK) {
                st = put_value(b, m, depth + 1);
            }
        }
        return st == XD_OK ? xd_buf_append_char(b, '}') : st;
    }
    case JSON_ARRAY: {
        st = xd_buf_append_char(b, '[');
        for (size_t i = 0; st == XD_OK && i < json_array_size(v); i++) {
            if (i > 0) {
                st = xd_buf_append_char(b, ',');
            }
            if (st == XD_OK) {
                st = put_value(b, json_array_get(v, i), depth + 1);
            }
        }
        return st == XD_OK ? xd_buf_append_char(b, ']') : st;
    }
    case JSON_STRING:
        return put_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        n = real_text(num, sizeof num, json_real_value(v));
        break;
    case JSON_TRUE:
        return xd_buf_append(b, "true", 4);
    case JSON_FALSE:
        return xd_buf_append(b, "false", 5);
    case JSON_NULL:
        return xd_buf_append(b, "null", 4);
    }
    if (n <= 0 || (size_t)n >= sizeof num) {
        return XD_EINVAL; /* NaN or infinity: not JSON, as json_dumps refuses them */
    }
    return xd_buf_append(b, num, (size_t)n);
}

enum xd_status xd_canon_tree_write(const json_t *v, struct xd_buf *out)
{
    return v != NULL ? put_value(out, v, 0) : XD_EINVAL;
}

enum xd_status xd_canon_tree_decode(const json_t *v, struct xd_arena *a, struct xd_canon_doc **out,
                                    struct xd_diags *diags)
{
    struct xd_buf text;
    xd_buf_init(&text, XD_CANON_MAX_INPUT);
    enum xd_status st = xd_canon_tree_write(v, &text);
    if (st == XD_OK) {
        st = xd_canon_decode(text.data, text.len, a, out, diags);
    } else if (st == XD_ETOOBIG) {
        st = xd_diags_add(diags, "size", "$", "the document is larger than %zu bytes",
                          XD_CANON_MAX_INPUT) == XD_OK
                 ? XD_EINVALDOC
                 : XD_ENOMEM;
    }
    xd_buf_cleanup(&text);
    return st;
}

char *xd_canon_tree_dump(const json_t *v, struct xd_buf *scratch, struct xd_arena *a)
{
    xd_buf_reset(scratch);
    if (xd_canon_tree_write(v, scratch) != XD_OK) {
        return NULL;
    }
    return xd_arena_strndup(a, scratch->data, scratch->len);
}
