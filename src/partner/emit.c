/* SPDX-License-Identifier: MIT
 * Writing a profile back: the field table walked into a JSON value (every field with its
 * effective value, defaults included, in table order), then JSON text or YAML text. Parsing
 * either output gives the same profile. Credential values are never written: the stored form
 * has none, the API's shows "***". */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "partner/partner_int.h"

static const void *at(const void *obj, size_t off)
{
    return (const char *)obj + off;
}

static json_t *emit_object(const struct xd_partner__schema *s, const void *obj,
                           enum xd_partner_emit mode);

static json_t *emit_scalar(const struct xd_partner__field *f, const void *slot)
{
    switch (f->type) {
    case XD_PARTNER__F_STR: {
        const char *v = *(const char *const *)slot;
        return v != NULL ? json_string(v) : NULL;
    }
    case XD_PARTNER__F_ENUM: {
        int v = *(const int *)slot;
        return (size_t)v < f->names->n ? json_string(f->names->names[v]) : NULL;
    }
    case XD_PARTNER__F_DOCTYPE:
        return json_string(xd_canon_type_name(*(const enum xd_canon_type *)slot));
    case XD_PARTNER__F_BOOL:
        return json_boolean(*(const bool *)slot);
    case XD_PARTNER__F_INT:
        return json_integer(*(const int64_t *)slot);
    case XD_PARTNER__F_DURATION: {
        int64_t ms = *(const int64_t *)slot;
        if (ms == 0 && f->def == NULL) {
            return NULL; /* an optional duration left out */
        }
        char buf[64];
        xd_partner__duration_format(ms, buf, sizeof buf);
        return json_string(buf);
    }
    case XD_PARTNER__F_DECIMAL: {
        char buf[XD_DECIMAL_STR_MAX];
        size_t n = xd_decimal_format(*(const struct xd_decimal *)slot, buf, sizeof buf);
        return json_stringn(buf, n);
    }
    default:
        return NULL;
    }
}

static json_t *emit_list(const struct xd_partner__field *f, const void *obj,
                         enum xd_partner_emit mode)
{
    size_t n = *(const size_t *)at(obj, f->count_offset);
    const char *arr = *(const char *const *)at(obj, f->offset);
    if (n == 0 || arr == NULL) {
        return NULL;
    }
    size_t esz = f->child != NULL ? f->child->size : xd_partner__elem_size(f->elem);
    json_t *out = json_array();
    for (size_t i = 0; out != NULL && i < n; i++) {
        const void *el = arr + i * esz;
        json_t *v = f->child != NULL ? emit_object(f->child, el, mode) : emit_scalar(f->elem, el);
        if (v == NULL || json_array_append_new(out, v) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

static json_t *emit_map(const struct xd_partner__field *f, const void *obj,
                        enum xd_partner_emit mode)
{
    size_t n = *(const size_t *)at(obj, f->count_offset);
    const char *arr = *(const char *const *)at(obj, f->offset);
    if (n == 0 || arr == NULL) {
        return NULL;
    }
    size_t esz = f->child != NULL ? f->child->size : sizeof(struct xd_partner_kv);
    json_t *out = json_object();
    for (size_t i = 0; out != NULL && i < n; i++) {
        const void *el = arr + i * esz;
        const char *key;
        json_t *v;
        if (f->child != NULL) {
            key = *(const char *const *)at(el, f->child->key_offset);
            v = emit_object(f->child, el, mode);
        } else {
            const struct xd_partner_kv *kv = el;
            key = kv->key;
            v = emit_scalar(f->elem, &kv->value);
        }
        if (key == NULL || v == NULL || json_object_set_new(out, key, v) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* One field into <out>; false when out of memory. */
static bool emit_field(json_t *out, const struct xd_partner__field *f, const void *obj,
                       enum xd_partner_emit mode)
{
    json_t *v = NULL;
    switch (f->type) {
    case XD_PARTNER__F_OBJ: {
        const void *child = *(const void *const *)at(obj, f->offset);
        if (child == NULL) {
            return true;
        }
        v = emit_object(f->child, child, mode);
        break;
    }
    case XD_PARTNER__F_INL:
        v = emit_object(f->child, at(obj, f->offset), mode);
        if (v != NULL && json_object_size(v) == 0) {
            json_decref(v); /* nothing set and nothing defaulted: leave it out */
            return true;
        }
        break;
    case XD_PARTNER__F_LIST:
        if (*(const size_t *)at(obj, f->count_offset) == 0) {
            return true;
        }
        v = emit_list(f, obj, mode);
        break;
    case XD_PARTNER__F_MAP:
        if (*(const size_t *)at(obj, f->count_offset) == 0) {
            return true;
        }
        v = emit_map(f, obj, mode);
        break;
    case XD_PARTNER__F_JSON: {
        const json_t *j = *(const json_t *const *)at(obj, f->offset);
        if (j == NULL) {
            return true;
        }
        v = json_deep_copy(j);
        break;
    }
    case XD_PARTNER__F_SECRET: {
        /* Only credentials hold one. */
        const struct xd_partner_credential *cr = obj;
        if (mode != XD_PARTNER_EMIT_REDACTED || (cr->value == NULL && cr->sealed == NULL)) {
            return true;
        }
        v = json_string("***");
        break;
    }
    case XD_PARTNER__F_DOCTYPE:
        if (f->has_offset != 0 && !*(const bool *)at(obj, f->has_offset)) {
            return true;
        }
        v = emit_scalar(f, at(obj, f->offset));
        break;
    case XD_PARTNER__F_STR:
        if (*(const char *const *)at(obj, f->offset) == NULL) {
            return true;
        }
        v = emit_scalar(f, at(obj, f->offset));
        break;
    case XD_PARTNER__F_DURATION:
        if (*(const int64_t *)at(obj, f->offset) == 0 && f->def == NULL) {
            return true;
        }
        v = emit_scalar(f, at(obj, f->offset));
        break;
    default:
        v = emit_scalar(f, at(obj, f->offset));
        break;
    }
    return v != NULL && json_object_set_new(out, f->key, v) == 0;
}

static json_t *emit_object(const struct xd_partner__schema *s, const void *obj,
                           enum xd_partner_emit mode)
{
    json_t *out = json_object();
    for (size_t i = 0; out != NULL && i < s->n_fields; i++) {
        if (!emit_field(out, &s->fields[i], obj, mode)) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

json_t *xd_partner__to_json_value(const struct xd_partner_profile *p, enum xd_partner_emit mode)
{
    return emit_object(&xd_partner__profile_schema, p, mode);
}

enum xd_status xd_partner_to_json(const struct xd_partner_profile *p, enum xd_partner_emit mode,
                                  struct xd_buf *out)
{
    json_t *v = xd_partner__to_json_value(p, mode);
    if (v == NULL) {
        return XD_ENOMEM;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(v);
    if (text == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = xd_buf_append_str(out, text);
    free(text);
    return st;
}

enum xd_status xd_partner_to_yaml(const struct xd_partner_profile *p, enum xd_partner_emit mode,
                                  struct xd_buf *out)
{
    json_t *v = xd_partner__to_json_value(p, mode);
    if (v == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = xd_partner__json_to_yaml(v, out);
    json_decref(v);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* YAML: block style, plain scalars where they read back as the same text, JSON-style double
 * quotes otherwise (a JSON string literal is a valid YAML double-quoted scalar). */

static bool plain_safe(const char *s, size_t n)
{
    if (n == 0 || xd_partner__plain_type(s, n) != XD_PARTNER__S_STR) {
        return false;
    }
    char first = s[0];
    bool first_ok = (first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z') ||
                    (first >= '0' && first <= '9') || first == '/' || first == '_' || first == '.';
    if (!first_ok || s[n - 1] == ' ' || s[n - 1] == ':') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  strchr(" _./@+-()=;,:", c) != NULL;
        if (!ok || c == '\0' || (c == ':' && s[i + 1] == ' ') || (c == ' ' && s[i + 1] == ' ')) {
            return false;
        }
    }
    return true;
}

static enum xd_status yaml_string(struct xd_buf *b, const char *s, size_t n)
{
    if (plain_safe(s, n)) {
        return xd_buf_append(b, s, n);
    }
    enum xd_status st = xd_buf_append_char(b, '"');
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, s, n);
    }
    return st == XD_OK ? xd_buf_append_char(b, '"') : st;
}

static enum xd_status yaml_scalar(struct xd_buf *b, const json_t *v)
{
    if (json_is_string(v)) {
        return yaml_string(b, json_string_value(v), json_string_length(v));
    }
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (text == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = xd_buf_append_str(b, text);
    free(text);
    return st;
}

static enum xd_status indent_to(struct xd_buf *b, size_t n)
{
    enum xd_status st = XD_OK;
    for (size_t i = 0; i < n && st == XD_OK; i++) {
        st = xd_buf_append_char(b, ' ');
    }
    return st;
}

static bool is_container(const json_t *v)
{
    return json_is_object(v) || json_is_array(v);
}

static bool is_empty(const json_t *v)
{
    return json_is_object(v) ? json_object_size(v) == 0 : json_array_size(v) == 0;
}

static enum xd_status yaml_value(struct xd_buf *b, const json_t *v, size_t indent,
                                 bool inline_first);

/* After "key:" or "- ": a scalar or empty container on the same line, else a new line. */
static enum xd_status yaml_after_key(struct xd_buf *b, const json_t *v, size_t indent)
{
    if (!is_container(v)) {
        enum xd_status st = xd_buf_append_char(b, ' ');
        st = st == XD_OK ? yaml_scalar(b, v) : st;
        return st == XD_OK ? xd_buf_append_char(b, '\n') : st;
    }
    if (is_empty(v)) {
        return xd_buf_append_str(b, json_is_object(v) ? " {}\n" : " []\n");
    }
    enum xd_status st = xd_buf_append_char(b, '\n');
    return st == XD_OK ? yaml_value(b, v, indent, false) : st;
}

static enum xd_status yaml_value(struct xd_buf *b, const json_t *v, size_t indent,
                                 bool inline_first)
{
    enum xd_status st = XD_OK;
    if (json_is_object(v)) {
        const char *key;
        json_t *val;
        bool first = true;
        json_object_foreach((json_t *)v, key, val)
        {
            if (st == XD_OK && !(first && inline_first)) {
                st = indent_to(b, indent);
            }
            first = false;
            if (st == XD_OK) {
                st = yaml_string(b, key, strlen(key));
            }
            if (st == XD_OK) {
                st = xd_buf_append_char(b, ':');
            }
            if (st == XD_OK) {
                st = yaml_after_key(b, val, indent + 2);
            }
        }
        return st;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (st == XD_OK && !(i == 0 && inline_first)) {
            st = indent_to(b, indent);
        }
        if (st != XD_OK) {
            break;
        }
        if (json_is_object(item) && !is_empty(item)) {
            st = xd_buf_append_str(b, "- ");
            if (st == XD_OK) {
                st = yaml_value(b, item, indent + 2, true);
            }
        } else {
            st = xd_buf_append_char(b, '-');
            if (st == XD_OK) {
                st = yaml_after_key(b, item, indent + 2);
            }
        }
    }
    return st;
}

enum xd_status xd_partner__json_to_yaml(const json_t *v, struct xd_buf *out)
{
    if (!is_container(v) || is_empty(v)) {
        enum xd_status st = is_container(v)
                                ? xd_buf_append_str(out, json_is_object(v) ? "{}" : "[]")
                                : yaml_scalar(out, v);
        return st == XD_OK ? xd_buf_append_char(out, '\n') : st;
    }
    return yaml_value(out, v, 0, false);
}
