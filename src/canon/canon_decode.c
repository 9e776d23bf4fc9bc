/* SPDX-License-Identifier: MIT
 * JSON text to a canonical document. jansson parses (rejecting duplicate keys) after a cheap scan
 * has refused nesting deeper than XD_CANON_MAX_DEPTH; then one walk over the type's descriptors
 * converts every member into the C struct in the caller's arena and records every problem with
 * its path. Cross-field rules run only on a document whose members are each valid, so a rule
 * never repeats a member's own error. */
#include <string.h>

#include <jansson.h>

#include "canon/canon_int.h"

/* --- Before parsing -------------------------------------------------------------------------- */

/* Byte offset where nesting first passes the cap, or SIZE_MAX when it never does. Strings are
 * skipped so brackets inside them do not count. */
static size_t depth_overflow_at(const char *json, size_t len)
{
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char ch = json[i];
        if (in_string) {
            if (ch == '\\') {
                i++;
            } else if (ch == '"') {
                in_string = false;
            }
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > XD_CANON_MAX_DEPTH) {
                return i;
            }
        } else if ((ch == '}' || ch == ']') && depth > 0) {
            depth--;
        }
    }
    return SIZE_MAX;
}

static void line_column(const char *json, size_t off, int *line, int *column)
{
    int l = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < off; i++) {
        if (json[i] == '\n') {
            l++;
            line_start = i + 1;
        }
    }
    *line = l;
    *column = (int)(off - line_start) + 1;
}

/* --- Members --------------------------------------------------------------------------------- */

static const char *json_kind_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "something else";
}

static const char *expected(const struct xd_canon__field *f)
{
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
        return "a string";
    case XD_CANON__K_CODE:
        return "a code string";
    case XD_CANON__K_DECIMAL:
        return "a decimal string such as \"12.50\"";
    case XD_CANON__K_INT:
        return "a whole number such as 3";
    case XD_CANON__K_BOOL:
        return "true or false";
    case XD_CANON__K_DATE:
        return "a date string such as \"2026-03-02\"";
    case XD_CANON__K_DATETIME:
        return "a date-time string such as \"2026-03-02T14:30:00Z\"";
    case XD_CANON__K_OBJECT:
    case XD_CANON__K_INLINE:
        return "an object";
    case XD_CANON__K_ARRAY:
        return "an array of objects";
    case XD_CANON__K_STRINGS:
        return "an array of strings";
    }
    return "something else";
}

static void report_type(struct xd_canon__ctx *c, const struct xd_canon__field *f, const json_t *v)
{
    if (json_is_null(v)) {
        xd_canon__report(c, "type", "must be %s, not null; leave an optional member out instead",
                         expected(f));
    } else if (f->kind == XD_CANON__K_DECIMAL && json_is_number(v)) {
        xd_canon__report(c, "type",
                         "must be a decimal string such as \"12.50\", not a JSON number: "
                         "numbers lose digits in binary floating point");
    } else if (f->kind == XD_CANON__K_INT && json_is_real(v)) {
        xd_canon__report(c, "type", "must be a whole number such as 3, without a fraction");
    } else {
        xd_canon__report(c, "type", "must be %s, not %s", expected(f), json_kind_name(v));
    }
}

static void decode_object(struct xd_canon__ctx *c, enum xd_canon__sid sid, const json_t *obj,
                          void *base, bool root);

static const char *copy_string(struct xd_canon__ctx *c, const json_t *v)
{
    char *s = xd_arena_strndup(c->arena, json_string_value(v), json_string_length(v));
    if (s == NULL) {
        c->oom = true;
    }
    return s;
}

static void decode_decimal(struct xd_canon__ctx *c, const struct xd_canon__field *f,
                           const json_t *v, void *base)
{
    struct xd_decimal d;
    enum xd_status st =
        xd_decimal_parse(json_string_value(v), json_string_length(v), XD_DECIMAL_STRICT, &d);
    if (st == XD_ETOOBIG) {
        xd_canon__report(c, "range", "has more digits than an exact decimal holds (18 digits)");
        return;
    }
    if (st != XD_OK) {
        xd_canon__report(c, "decimal",
                         "must be a decimal string such as \"12.50\": digits, an "
                         "optional leading '-' and '.', no exponent");
        return;
    }
    xd_canon__check_decimal(c, f, d);
    *(struct xd_decimal *)XD_CANON__AT(base, f->offset) = d;
    if (f->has_offset != 0) {
        *(bool *)XD_CANON__AT(base, f->has_offset) = true;
    }
}

/* An array of objects or of strings: the size checks, then each item at its index.
 * NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting, not the input's. */
static void decode_array(struct xd_canon__ctx *c, const struct xd_canon__field *f, const json_t *v,
                         void *base)
{
    size_t n = json_array_size(v);
    if (n == 0) {
        xd_canon__report(c, "min_items", "must not be empty; leave the member out instead");
        return;
    }
    if (n > f->max_items) {
        xd_canon__report(c, "max_items", "must have at most %u items, not %zu",
                         (unsigned)f->max_items, n);
        return;
    }
    size_t elem = f->kind == XD_CANON__K_ARRAY ? f->elem_size : sizeof(const char *);
    char *items = xd_arena_calloc(c->arena, n, elem);
    if (items == NULL) {
        c->oom = true;
        return;
    }
    for (size_t i = 0; i < n && !c->oom; i++) {
        const json_t *it = json_array_get(v, i);
        size_t mark = xd_canon__path_index(c, i);
        if (f->kind == XD_CANON__K_ARRAY) {
            if (json_is_object(it)) {
                decode_object(c, f->sub, it, items + i * elem, false);
            } else {
                xd_canon__report(c, "type", "must be an object, not %s", json_kind_name(it));
            }
        } else if (json_is_string(it)) {
            xd_canon__check_string(c, f, json_string_value(it), json_string_length(it));
            ((const char **)(void *)items)[i] = copy_string(c, it);
        } else {
            xd_canon__report(c, "type", "must be a string, not %s", json_kind_name(it));
        }
        xd_canon__path_restore(c, mark);
    }
    *(void **)XD_CANON__AT(base, f->offset) = items;
    *(size_t *)XD_CANON__AT(base, f->count_offset) = n;
}

static bool json_kind_fits(const struct xd_canon__field *f, const json_t *v)
{
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
    case XD_CANON__K_CODE:
    case XD_CANON__K_DECIMAL:
    case XD_CANON__K_DATE:
    case XD_CANON__K_DATETIME:
        return json_is_string(v);
    case XD_CANON__K_INT:
        return json_is_integer(v);
    case XD_CANON__K_BOOL:
        return json_is_boolean(v);
    case XD_CANON__K_OBJECT:
    case XD_CANON__K_INLINE:
        return json_is_object(v);
    case XD_CANON__K_ARRAY:
    case XD_CANON__K_STRINGS:
        return json_is_array(v);
    }
    return false;
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting, not the input's. */
static void decode_value(struct xd_canon__ctx *c, const struct xd_canon__field *f, const json_t *v,
                         void *base)
{
    if (!json_kind_fits(f, v)) {
        report_type(c, f, v);
        return;
    }
    void *at = XD_CANON__AT(base, f->offset);
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
    case XD_CANON__K_CODE:
    case XD_CANON__K_DATE:
    case XD_CANON__K_DATETIME:
        xd_canon__check_string(c, f, json_string_value(v), json_string_length(v));
        *(const char **)at = copy_string(c, v);
        return;
    case XD_CANON__K_DECIMAL:
        decode_decimal(c, f, v, base);
        return;
    case XD_CANON__K_INT:
        xd_canon__check_int(c, f, (int64_t)json_integer_value(v));
        *(int64_t *)at = (int64_t)json_integer_value(v);
        break;
    case XD_CANON__K_BOOL:
        *(bool *)at = json_is_true(v);
        break;
    case XD_CANON__K_OBJECT: {
        void *sub = xd_arena_calloc(c->arena, 1, xd_canon__structs[f->sub].size);
        if (sub == NULL) {
            c->oom = true;
            return;
        }
        *(void **)at = sub;
        decode_object(c, f->sub, v, sub, false);
        return;
    }
    case XD_CANON__K_ARRAY:
    case XD_CANON__K_STRINGS:
        decode_array(c, f, v, base);
        return;
    case XD_CANON__K_INLINE:
        return;
    }
    if (f->has_offset != 0) {
        *(bool *)XD_CANON__AT(base, f->has_offset) = true;
    }
}

/* Every member of the definition, in definition order; INLINE members read from the same
 * JSON object. NOLINTNEXTLINE(misc-no-recursion): one level, for INLINE. */
static void decode_fields(struct xd_canon__ctx *c, enum xd_canon__sid sid, const json_t *obj,
                          void *base)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields && !c->oom; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            decode_fields(c, f->sub, obj, XD_CANON__AT(base, f->offset));
            continue;
        }
        const json_t *v = json_object_get(obj, f->name);
        size_t mark = xd_canon__path_member(c, f->name, f->name_len);
        if (v == NULL) {
            if (f->required) {
                xd_canon__report(c, "required", "required member is missing");
            }
        } else {
            decode_value(c, f, v, base);
        }
        xd_canon__path_restore(c, mark);
    }
}

/* Best "did you mean" candidate among the members of <sid> (through INLINE).
 * NOLINTNEXTLINE(misc-no-recursion): one level, for INLINE. */
static void suggest_member(enum xd_canon__sid sid, const char *key, size_t len, const char **best,
                           size_t *best_score)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            suggest_member(f->sub, key, len, best, best_score);
            continue;
        }
        size_t nlen = f->name_len;
        size_t score = xd_canon__distance(key, len, f->name, nlen, 2);
        if (score > 2) {
            /* An abbreviation ("qty" for "quantity"): same first letter, letters in order. */
            size_t k = 0;
            for (size_t j = 0; j < nlen && k < len && len >= 2 && key[0] == f->name[0]; j++) {
                k += f->name[j] == key[k];
            }
            score = len >= 2 && k == len ? 3 : SIZE_MAX;
        }
        if (score < *best_score) {
            *best_score = score;
            *best = f->name;
        }
    }
}

static void report_unknown_members(struct xd_canon__ctx *c, enum xd_canon__sid sid,
                                   const json_t *obj, bool root)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t len = strlen(key);
        size_t base;
        if ((root && strcmp(key, "type") == 0) || xd_canon__field_find(sid, key, len, &base)) {
            continue;
        }
        const char *best = NULL;
        size_t best_score = 4;
        suggest_member(sid, key, len, &best, &best_score);
        size_t mark = xd_canon__path_member(c, key, len);
        char clipped[72];
        xd_canon__clip(key, len, clipped, sizeof clipped);
        if (best != NULL) {
            xd_canon__report(c, "unknown_member", "unknown member '%s' (did you mean '%s'?)",
                             clipped, best);
        } else {
            xd_canon__report(c, "unknown_member", "unknown member '%s'", clipped);
        }
        xd_canon__path_restore(c, mark);
    }
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting, not the input's. */
static void decode_object(struct xd_canon__ctx *c, enum xd_canon__sid sid, const json_t *obj,
                          void *base, bool root)
{
    decode_fields(c, sid, obj, base);
    if (!c->oom) {
        report_unknown_members(c, sid, obj, root);
    }
}

/* --- Entry point ----------------------------------------------------------------------------- */

static void report_type_member(struct xd_canon__ctx *c, const json_t *t)
{
    char names[320];
    size_t n = 0;
    for (int i = 0; i < XD_CANON_TYPE_COUNT; i++) {
        int w =
            snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", xd_canon__types[i].name);
        n += w > 0 && (size_t)w < sizeof names - n ? (size_t)w : 0;
    }
    size_t mark = xd_canon__path_member(c, "type", 4);
    if (t == NULL) {
        xd_canon__report(c, "type_unknown", "required member is missing: one of %s", names);
    } else if (!json_is_string(t)) {
        xd_canon__report(c, "type_unknown", "must be a string naming the document type: one of %s",
                         names);
    } else {
        char clipped[40];
        xd_canon__clip(json_string_value(t), json_string_length(t), clipped, sizeof clipped);
        xd_canon__report(c, "type_unknown", "'%s' is not a document type: one of %s", clipped,
                         names);
    }
    xd_canon__path_restore(c, mark);
}

/* Parse with jansson; on failure one "syntax" (or "too_deep") problem with line and column. */
static enum xd_status parse(struct xd_canon__ctx *c, const char *json, size_t len, json_t **out)
{
    char where[64];
    size_t deep = depth_overflow_at(json, len);
    if (deep != SIZE_MAX) {
        int line, col;
        line_column(json, deep, &line, &col);
        snprintf(where, sizeof where, "line %d, column %d", line, col);
        c->problems++;
        if (c->diags != NULL &&
            xd_diags_add(c->diags, "too_deep", where, "nested deeper than %d objects and arrays",
                         XD_CANON_MAX_DEPTH) != XD_OK) {
            return XD_ENOMEM;
        }
        return XD_ETOOBIG;
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (json_error_code(&jerr) == json_error_out_of_memory) {
            return XD_ENOMEM;
        }
        snprintf(where, sizeof where, "line %d, column %d", jerr.line, jerr.column);
        c->problems++;
        if (c->diags != NULL && xd_diags_add(c->diags, "syntax", where, "%s (byte %d)", jerr.text,
                                             jerr.position) != XD_OK) {
            return XD_ENOMEM;
        }
        return XD_EPARSE;
    }
    *out = root;
    return XD_OK;
}

/* Convert, then check the rules when every member is fine. */
static enum xd_status decode_root(struct xd_canon__ctx *c, const json_t *root,
                                  struct xd_canon_doc **out)
{
    const json_t *t = json_object_get(root, "type");
    enum xd_canon_type type;
    if (t == NULL || !json_is_string(t) ||
        xd_canon_type_parse(json_string_value(t), json_string_length(t), &type) != XD_OK) {
        report_type_member(c, t);
        return c->oom ? XD_ENOMEM : XD_ENOTFOUND;
    }
    struct xd_canon_doc *doc = NULL;
    if (xd_canon_doc_create(c->arena, type, &doc) != XD_OK) {
        return XD_ENOMEM;
    }
    enum xd_canon__sid sid = xd_canon__types[type].sid;
    decode_object(c, sid, root, doc->body, true);
    if (c->problems == 0 && !c->oom) {
        xd_canon__rules_walk(c, sid, doc->body);
    }
    if (c->oom) {
        return XD_ENOMEM;
    }
    if (c->problems > 0) {
        return XD_EINVALDOC;
    }
    *out = doc;
    return XD_OK;
}

enum xd_status xd_canon_decode(const char *json, size_t len, struct xd_arena *a,
                               struct xd_canon_doc **out, struct xd_diags *diags)
{
    struct xd_canon__ctx c;
    xd_canon__ctx_init(&c, diags, a);
    if (len > XD_CANON_MAX_INPUT) {
        if (diags != NULL && xd_diags_add(diags, "too_big", "$", "larger than %u bytes",
                                          (unsigned)XD_CANON_MAX_INPUT) != XD_OK) {
            return XD_ENOMEM;
        }
        return XD_ETOOBIG;
    }
    json_t *root = NULL;
    enum xd_status st = parse(&c, json, len, &root);
    if (st != XD_OK) {
        return st;
    }
    if (!json_is_object(root)) {
        xd_canon__report(&c, "not_object", "a document must be a JSON object, not %s",
                         json_kind_name(root));
        st = c.oom ? XD_ENOMEM : XD_EINVALDOC;
    } else {
        st = decode_root(&c, root, out);
    }
    json_decref(root);
    return st;
}
