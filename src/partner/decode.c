/* SPDX-License-Identifier: MIT
 * The table-driven decoder: walks the tree against the field table, writing each value into
 * the profile's structs (allocated in the profile's arena) and reporting every problem with its
 * path and position. Unknown keys, wrong types, values out of bounds and missing required keys
 * are all reported the same way, wherever they are. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "partner/partner_int.h"

/* ------------------------------------------------------------------------------------------ */
/* Path and problems */

static bool plain_word(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    return n > 0 && s[n] == '\0';
}

static void path_append(struct xd_partner__ctx *c, const char *s, size_t n)
{
    if (c->path_len + n >= sizeof c->path) {
        n = sizeof c->path - 1 - c->path_len; /* cut: the position still comes from the tree */
    }
    memcpy(c->path + c->path_len, s, n);
    c->path_len += n;
    c->path[c->path_len] = '\0';
}

size_t xd_partner__path_key(struct xd_partner__ctx *c, const char *key)
{
    size_t mark = c->path_len;
    if (plain_word(key)) {
        if (c->path_len > 0) {
            path_append(c, ".", 1);
        }
        path_append(c, key, strlen(key));
        return mark;
    }
    path_append(c, "[\"", 2);
    for (const char *p = key; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            path_append(c, "\\", 1);
        }
        path_append(c, p, 1);
    }
    path_append(c, "\"]", 2);
    return mark;
}

size_t xd_partner__path_index(struct xd_partner__ctx *c, size_t i)
{
    size_t mark = c->path_len;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "[%zu]", i);
    path_append(c, buf, (size_t)n);
    return mark;
}

void xd_partner__path_restore(struct xd_partner__ctx *c, size_t mark)
{
    c->path_len = mark;
    c->path[mark] = '\0';
}

static void report_v(struct xd_partner__ctx *c, const char *path, int line, int column,
                     const char *code, const char *fmt, va_list ap) XD_PRINTF(6, 0);

static void report_v(struct xd_partner__ctx *c, const char *path, int line, int column,
                     const char *code, const char *fmt, va_list ap)
{
    c->n_problems++;
    if (c->problems == NULL) {
        return;
    }
    char msg[XD_ERROR_MESSAGE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (xd_partner_problems_add(c->problems, code, path, line, column, "%s", msg) != XD_OK) {
        c->oom = true;
    }
}

void xd_partner__report(struct xd_partner__ctx *c, const struct xd_partner__node *n,
                        const char *code, const char *fmt, ...)
{
    int line = 0;
    int column = 0;
    if (n != NULL) {
        line = n->line;
        column = n->column;
    } else {
        xd_partner__tree_locate(c->tree, c->path, &line, &column);
    }
    va_list ap;
    va_start(ap, fmt);
    report_v(c, c->path, line, column, code, fmt, ap);
    va_end(ap);
}

void xd_partner__report_at(struct xd_partner__ctx *c, const char *path, const char *code,
                           const char *fmt, ...)
{
    int line = 0;
    int column = 0;
    xd_partner__tree_locate(c->tree, path, &line, &column);
    va_list ap;
    va_start(ap, fmt);
    report_v(c, path, line, column, code, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------------------------ */
/* "Did you mean": the closest name within a small edit distance. */

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    if (la > 63 || lb > 63) {
        return SIZE_MAX;
    }
    size_t prev[64];
    size_t cur[64];
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1;
            size_t ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

static const char *closest(const char *word, const char *const *names, size_t n, size_t stride)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    size_t limit = strlen(word) / 3 + 1;
    if (limit > 3) {
        limit = 3;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = *(const char *const *)((const char *)names + i * stride);
        size_t d = distance(word, name);
        if (d <= limit && d < best_d) {
            best = name;
            best_d = d;
        }
    }
    return best;
}

/* ------------------------------------------------------------------------------------------ */
/* Scalars */

static void *at(void *obj, size_t off)
{
    return (char *)obj + off;
}

static const char *kind_name(const struct xd_partner__node *n)
{
    if (n->kind == XD_PARTNER__N_MAP) {
        return "a mapping";
    }
    if (n->kind == XD_PARTNER__N_SEQ) {
        return "a list";
    }
    static const char *const names[] = {"null", "true or false", "a number", "a number", "text"};
    return names[n->stype];
}

/* The text of a scalar where text belongs: any YAML plain scalar but null, or a JSON string.
 * NULL after reporting. */
static const char *text_of(struct xd_partner__ctx *c, const struct xd_partner__node *n,
                           const char *what)
{
    if (n->kind != XD_PARTNER__N_SCALAR) {
        xd_partner__report(c, n, "type", "must be %s, not %s", what, kind_name(n));
        return NULL;
    }
    if (n->stype == XD_PARTNER__S_NULL) {
        xd_partner__report(c, n, "type", "must be %s, not null (leave the key out instead)", what);
        return NULL;
    }
    if (!n->plain && n->stype != XD_PARTNER__S_STR) {
        xd_partner__report(c, n, "type", "must be %s, not %s", what, kind_name(n));
        return NULL;
    }
    if (strlen(n->text) != n->len) {
        xd_partner__report(c, n, "format", "must not contain NUL characters");
        return NULL;
    }
    return n->text;
}

static void enum_choices(const struct xd_partner__enum *e, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < e->n && used < cap; i++) {
        int w = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", e->names[i]);
        if (w < 0) {
            return;
        }
        used += (size_t)w;
    }
}

static int enum_index(const struct xd_partner__enum *e, const char *s)
{
    for (size_t i = 0; i < e->n; i++) {
        if (strcmp(e->names[i], s) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void bad_enum(struct xd_partner__ctx *c, const struct xd_partner__node *n,
                     const struct xd_partner__enum *e, const char *s)
{
    char choices[512];
    enum_choices(e, choices, sizeof choices);
    const char *hint = closest(s, e->names, e->n, sizeof *e->names);
    if (hint != NULL) {
        xd_partner__report(c, n, "enum", "'%s' is not one of %s (did you mean '%s'?)", s, choices,
                           hint);
    } else {
        xd_partner__report(c, n, "enum", "'%s' is not one of %s", s, choices);
    }
}

static void bad_doctype(struct xd_partner__ctx *c, const struct xd_partner__node *n, const char *s)
{
    const char *names[XD_CANON_TYPE_COUNT];
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        names[t] = xd_canon_type_name((enum xd_canon_type)t);
    }
    const char *hint = closest(s, names, XD_CANON_TYPE_COUNT, sizeof *names);
    xd_partner__report(c, n, "enum", "'%s' is not a canonical document type%s%s%s", s,
                       hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
}

/* A string field's checks: length, then class. */
static bool string_ok(struct xd_partner__ctx *c, const struct xd_partner__node *n, uint8_t cls,
                      int64_t max, const char *s)
{
    size_t len = strlen(s);
    if (len == 0) {
        xd_partner__report(c, n, "empty", "must not be empty");
        return false;
    }
    if (max > 0 && len > (size_t)max) {
        xd_partner__report(c, n, "max_length", "is %zu bytes long; at most %lld are allowed", len,
                           (long long)max);
        return false;
    }
    char why[160];
    if (!xd_partner__sclasses[cls].check(s, len, why, sizeof why)) {
        xd_partner__report(c, n, "format", "'%.*s' %s", len > 80 ? 80 : (int)len, s, why);
        return false;
    }
    return true;
}

/* Store one textual scalar (STR, ENUM, DURATION, DECIMAL, DOCTYPE, INT, BOOL given as text,
 * e.g. a default) of field <f> into <slot>. <n> positions problems (NULL for defaults). */
static void store_text(struct xd_partner__ctx *c, const struct xd_partner__field *f,
                       const struct xd_partner__node *n, const char *s, void *slot)
{
    switch (f->type) {
    case XD_PARTNER__F_STR: {
        if (!string_ok(c, n, f->sclass, f->max, s)) {
            return;
        }
        const char *copy = xd_arena_strdup(c->arena, s);
        c->oom |= copy == NULL;
        memcpy(slot, &copy, sizeof copy);
        return;
    }
    case XD_PARTNER__F_ENUM: {
        int v = enum_index(f->names, s);
        if (v < 0) {
            bad_enum(c, n, f->names, s);
            return;
        }
        memcpy(slot, &v, sizeof v);
        return;
    }
    case XD_PARTNER__F_DOCTYPE: {
        enum xd_canon_type t;
        if (xd_canon_type_parse(s, strlen(s), &t) != XD_OK) {
            bad_doctype(c, n, s);
            return;
        }
        int v = (int)t;
        memcpy(slot, &v, sizeof v);
        return;
    }
    case XD_PARTNER__F_DURATION: {
        int64_t ms;
        char lo[32], hi[32];
        if (!xd_partner__duration_parse(s, strlen(s), &ms)) {
            xd_partner__report(c, n, "format",
                               "'%s' is not a duration such as 500ms, 30s, 15m, 24h, 7d or 1h30m",
                               s);
            return;
        }
        if (ms < f->min || ms > f->max) {
            xd_partner__duration_format(f->min, lo, sizeof lo);
            xd_partner__duration_format(f->max, hi, sizeof hi);
            xd_partner__report(c, n, "range", "%s is not from %s to %s", s, lo, hi);
            return;
        }
        memcpy(slot, &ms, sizeof ms);
        return;
    }
    case XD_PARTNER__F_DECIMAL: {
        struct xd_decimal d;
        if (xd_decimal_parse(s, strlen(s), XD_DECIMAL_LENIENT, &d) != XD_OK || d.scale > 6) {
            xd_partner__report(c, n, "format",
                               "'%s' is not a decimal number with at most 6 fraction digits", s);
            return;
        }
        if (xd_decimal_is_negative(d) || xd_decimal_is_zero(d)) {
            xd_partner__report(c, n, "range", "must be greater than zero");
            return;
        }
        d = xd_decimal_normalize(d);
        memcpy(slot, &d, sizeof d);
        return;
    }
    case XD_PARTNER__F_INT: {
        int64_t v;
        if (xd_parse_i64(s, strlen(s), INT64_MIN, INT64_MAX, &v) != XD_OK) {
            xd_partner__report(c, n, "type", "'%s' is not a whole number", s);
            return;
        }
        if (v < f->min || v > f->max) {
            xd_partner__report(c, n, "range", "%lld is not from %lld to %lld", (long long)v,
                               (long long)f->min, (long long)f->max);
            return;
        }
        memcpy(slot, &v, sizeof v);
        return;
    }
    case XD_PARTNER__F_BOOL: {
        bool v = strcmp(s, "true") == 0;
        memcpy(slot, &v, sizeof v);
        return;
    }
    default:
        return;
    }
}

static void decode_scalar(struct xd_partner__ctx *c, const struct xd_partner__field *f,
                          const struct xd_partner__node *n, void *slot)
{
    if (f->type == XD_PARTNER__F_BOOL || f->type == XD_PARTNER__F_INT) {
        uint8_t want = f->type == XD_PARTNER__F_BOOL ? XD_PARTNER__S_BOOL : XD_PARTNER__S_INT;
        if (n->kind != XD_PARTNER__N_SCALAR || n->stype != want) {
            xd_partner__report(c, n, "type", "must be %s, not %s",
                               want == XD_PARTNER__S_BOOL ? "true or false" : "a whole number",
                               kind_name(n));
            return;
        }
        const char *s = n->text;
        if (want == XD_PARTNER__S_BOOL) {
            s = (s[0] == 't' || s[0] == 'T') ? "true" : "false";
        }
        store_text(c, f, n, s, slot);
        return;
    }
    if (f->type == XD_PARTNER__F_DECIMAL && n->kind == XD_PARTNER__N_SCALAR &&
        n->stype == XD_PARTNER__S_INT && !n->plain) {
        store_text(c, f, n, n->text, slot); /* a JSON integer is an exact decimal */
        return;
    }
    static const char *const what[] = {
        [XD_PARTNER__F_STR] = "text",
        [XD_PARTNER__F_ENUM] = "text",
        [XD_PARTNER__F_DURATION] = "a duration",
        [XD_PARTNER__F_DECIMAL] = "a decimal string",
        [XD_PARTNER__F_DOCTYPE] = "a document type",
    };
    const char *s = text_of(c, n, what[f->type] != NULL ? what[f->type] : "text");
    if (s != NULL) {
        store_text(c, f, n, s, slot);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Containers */

static void decode_object(struct xd_partner__ctx *c, const struct xd_partner__schema *s,
                          const struct xd_partner__node *n, void *obj);

static void decode_secret(struct xd_partner__ctx *c, const struct xd_partner__node *n, void *slot)
{
    const char *v = text_of(c, n, "text");
    if (v == NULL) {
        return;
    }
    size_t len = strlen(v);
    if (len == 0 || len > XD_SECRET_MAX) {
        xd_partner__report(c, n, len == 0 ? "empty" : "max_length",
                           "a credential value has 1 to %d bytes", XD_SECRET_MAX);
        return;
    }
    if (strcmp(v, "***") == 0) {
        return; /* "keep the stored value": what GET shows, so a GET can be PUT back */
    }
    struct xd_secret *sec = NULL;
    if (xd_secret_create(v, len, &sec) != XD_OK) {
        c->oom = true;
        return;
    }
    memcpy(slot, &sec, sizeof sec);
}

static void decode_json(struct xd_partner__ctx *c, const struct xd_partner__node *n, void *slot)
{
    if (n->kind != XD_PARTNER__N_MAP) {
        xd_partner__report(c, n, "type", "must be a mapping, not %s", kind_name(n));
        return;
    }
    struct json_t *j = xd_partner__node_to_json(n);
    if (j == NULL || xd_partner__profile_keep_json(c->profile, j) != XD_OK) {
        c->oom = true;
        return;
    }
    const struct json_t *cj = j;
    memcpy(slot, &cj, sizeof cj);
}

static void *new_child(struct xd_partner__ctx *c, const struct xd_partner__schema *s)
{
    void *child = xd_arena_calloc(c->arena, 1, s->size);
    if (child == NULL) {
        c->oom = true;
        return NULL;
    }
    xd_partner__defaults(c, s, child);
    return child;
}

static void decode_list(struct xd_partner__ctx *c, const struct xd_partner__field *f,
                        const struct xd_partner__node *n, void *obj)
{
    if (n->kind != XD_PARTNER__N_SEQ) {
        xd_partner__report(c, n, "type", "must be a list, not %s", kind_name(n));
        return;
    }
    if (n->n == 0) {
        xd_partner__report(c, n, "empty", "must not be an empty list (leave the key out)");
        return;
    }
    if ((int64_t)n->n > f->max) {
        xd_partner__report(c, n, "max_items", "has %zu items; at most %lld are allowed", n->n,
                           (long long)f->max);
        return;
    }
    size_t esz = f->child != NULL ? f->child->size : xd_partner__elem_size(f->elem);
    char *arr = xd_arena_calloc(c->arena, n->n, esz);
    if (arr == NULL) {
        c->oom = true;
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        size_t mark = xd_partner__path_index(c, i);
        void *el = arr + i * esz;
        if (f->child != NULL) {
            xd_partner__defaults(c, f->child, el);
            decode_object(c, f->child, n->items[i], el);
        } else {
            decode_scalar(c, f->elem, n->items[i], el);
        }
        xd_partner__path_restore(c, mark);
    }
    memcpy(at(obj, f->offset), &arr, sizeof arr);
    size_t count = n->n;
    memcpy(at(obj, f->count_offset), &count, sizeof count);
}

static void decode_map(struct xd_partner__ctx *c, const struct xd_partner__field *f,
                       const struct xd_partner__node *n, void *obj)
{
    if (n->kind != XD_PARTNER__N_MAP) {
        xd_partner__report(c, n, "type", "must be a mapping, not %s", kind_name(n));
        return;
    }
    if (n->n == 0) {
        xd_partner__report(c, n, "empty", "must not be an empty mapping (leave the key out)");
        return;
    }
    if ((int64_t)n->n > f->max) {
        xd_partner__report(c, n, "max_items", "has %zu entries; at most %lld are allowed", n->n,
                           (long long)f->max);
        return;
    }
    size_t esz = f->child != NULL ? f->child->size : sizeof(struct xd_partner_kv);
    uint8_t key_class = f->child != NULL ? f->child->key_class : f->sclass;
    int64_t key_max = key_class == XD_PARTNER__C_NAME ? XD_PARTNER_ID_MAX : 80;
    char *arr = xd_arena_calloc(c->arena, n->n, esz);
    if (arr == NULL) {
        c->oom = true;
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const struct xd_partner__pair *pr = &n->pairs[i];
        size_t mark = xd_partner__path_key(c, pr->key);
        struct xd_partner__node keynode = {.line = pr->line, .column = pr->column};
        const char *key = NULL;
        if (strlen(pr->key) == pr->key_len && string_ok(c, &keynode, key_class, key_max, pr->key)) {
            key = xd_arena_strdup(c->arena, pr->key);
            c->oom |= key == NULL;
        } else if (strlen(pr->key) != pr->key_len) {
            xd_partner__report(c, &keynode, "format", "a key must not contain NUL characters");
        }
        void *el = arr + i * esz;
        if (f->child != NULL) {
            xd_partner__defaults(c, f->child, el);
            memcpy(at(el, f->child->key_offset), &key, sizeof key);
            decode_object(c, f->child, pr->value, el);
        } else {
            struct xd_partner_kv *kv = el;
            kv->key = key;
            decode_scalar(c, f->elem, pr->value, &kv->value);
        }
        xd_partner__path_restore(c, mark);
    }
    memcpy(at(obj, f->offset), &arr, sizeof arr);
    size_t count = n->n;
    memcpy(at(obj, f->count_offset), &count, sizeof count);
}

static void decode_field(struct xd_partner__ctx *c, const struct xd_partner__field *f,
                         const struct xd_partner__node *n, void *obj)
{
    switch (f->type) {
    case XD_PARTNER__F_OBJ: {
        if (n->kind != XD_PARTNER__N_MAP) {
            xd_partner__report(c, n, "type", "must be a mapping, not %s", kind_name(n));
            return;
        }
        void *child = new_child(c, f->child);
        if (child != NULL) {
            decode_object(c, f->child, n, child);
            memcpy(at(obj, f->offset), &child, sizeof child);
        }
        return;
    }
    case XD_PARTNER__F_INL:
        decode_object(c, f->child, n, at(obj, f->offset));
        return;
    case XD_PARTNER__F_LIST:
        decode_list(c, f, n, obj);
        return;
    case XD_PARTNER__F_MAP:
        decode_map(c, f, n, obj);
        return;
    case XD_PARTNER__F_JSON:
        decode_json(c, n, at(obj, f->offset));
        return;
    case XD_PARTNER__F_SECRET:
        decode_secret(c, n, at(obj, f->offset));
        return;
    case XD_PARTNER__F_DOCTYPE: {
        size_t before = c->n_problems;
        decode_scalar(c, f, n, at(obj, f->offset));
        if (f->has_offset != 0 && c->n_problems == before) {
            *(bool *)at(obj, f->has_offset) = true;
        }
        return;
    }
    default:
        decode_scalar(c, f, n, at(obj, f->offset));
        return;
    }
}

static const struct xd_partner__field *find_field(const struct xd_partner__schema *s,
                                                  const char *key)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        if (strcmp(s->fields[i].key, key) == 0) {
            return &s->fields[i];
        }
    }
    return NULL;
}

static void unknown_key(struct xd_partner__ctx *c, const struct xd_partner__schema *s,
                        const struct xd_partner__pair *pr)
{
    struct xd_partner__node keynode = {.line = pr->line, .column = pr->column};
    const char *hint = closest(pr->key, &s->fields[0].key, s->n_fields, sizeof *s->fields);
    if (hint != NULL) {
        xd_partner__report(c, &keynode, "unknown_key", "unknown key '%s' (did you mean '%s'?)",
                           pr->key, hint);
    } else {
        xd_partner__report(c, &keynode, "unknown_key", "unknown key '%s'", pr->key);
    }
}

static void decode_object(struct xd_partner__ctx *c, const struct xd_partner__schema *s,
                          const struct xd_partner__node *n, void *obj)
{
    if (n->kind != XD_PARTNER__N_MAP) {
        xd_partner__report(c, n, "type", "must be a mapping, not %s", kind_name(n));
        return;
    }
    for (size_t i = 0; i < n->n && !c->oom; i++) {
        const struct xd_partner__pair *pr = &n->pairs[i];
        size_t mark = xd_partner__path_key(c, pr->key);
        const struct xd_partner__field *f = find_field(s, pr->key);
        if (f == NULL) {
            unknown_key(c, s, pr);
        } else {
            decode_field(c, f, pr->value, obj);
        }
        xd_partner__path_restore(c, mark);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct xd_partner__field *f = &s->fields[i];
        if (f->required && xd_partner__map_get(n, f->key) == NULL) {
            size_t mark = xd_partner__path_key(c, f->key);
            xd_partner__report(c, n, "required", "required key '%s' is missing", f->key);
            xd_partner__path_restore(c, mark);
        }
    }
}

void xd_partner__defaults(struct xd_partner__ctx *c, const struct xd_partner__schema *s, void *obj)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct xd_partner__field *f = &s->fields[i];
        if (f->type == XD_PARTNER__F_INL) {
            xd_partner__defaults(c, f->child, at(obj, f->offset));
        } else if (f->def != NULL) {
            size_t before = c->n_problems;
            store_text(c, f, NULL, f->def, at(obj, f->offset));
            /* A default its own field refuses is a bug in the table. */
            XD_BUG_ON(c->n_problems != before);
        }
    }
}

void xd_partner__decode(struct xd_partner__ctx *c, const struct xd_partner__node *root)
{
    xd_partner__defaults(c, &xd_partner__profile_schema, c->profile);
    decode_object(c, &xd_partner__profile_schema, root, c->profile);
}
