/* SPDX-License-Identifier: MIT
 * Compiling a map from its JSON description. Every option of every level is a row of a table
 * (name, setter, offset, bounds), so unknown options, wrong types and out-of-range values are
 * reported the same way, each with its path in the description. layout.c then checks how the
 * fields fit together. */
#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flat/flat_int.h"

static_assert(sizeof(enum xd_flat__type) == sizeof(int), "enums are stored as int");

#define PATH_MAX_TEXT 128

struct name_val {
    const char *name;
    int value;
};

struct opt;
typedef void (*opt_fn)(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                       const char *path);

struct opt {
    const char *name;
    opt_fn set;
    size_t offset;
    size_t min, max;
    const struct name_val *names;
};

void xd_flat__problem(struct xd_flat__mctx *c, const char *path, const char *fmt, ...)
{
    c->bad = true;
    if (c->diags == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char msg[XD_ERROR_MESSAGE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (xd_diags_add(c->diags, "map", path, "%s", msg) != XD_OK) {
        c->st = XD_ENOMEM;
    }
}

static void *at(void *obj, size_t offset)
{
    return (char *)obj + offset;
}

/* ---------------------------------------------------------------- setters */

static void set_string(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                       const char *path)
{
    if (!json_is_string(v)) {
        xd_flat__problem(c, path, "must be a string");
        return;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        xd_flat__problem(c, path, "must not contain NUL");
        return;
    }
    char **slot = at(obj, o->offset);
    xd_free(*slot);
    *slot = xd_strdup(json_string_value(v));
    if (*slot == NULL) {
        c->st = XD_ENOMEM;
    }
}

static void set_bool(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                     const char *path)
{
    if (!json_is_boolean(v)) {
        xd_flat__problem(c, path, "must be true or false");
        return;
    }
    *(bool *)at(obj, o->offset) = json_is_true(v);
}

static bool integer_in(struct xd_flat__mctx *c, const struct opt *o, const json_t *v,
                       const char *path)
{
    if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)o->min ||
        json_integer_value(v) > (json_int_t)o->max) {
        xd_flat__problem(c, path, "must be a whole number from %zu to %zu", o->min, o->max);
        return false;
    }
    return true;
}

static void set_size(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                     const char *path)
{
    if (integer_in(c, o, v, path)) {
        *(size_t *)at(obj, o->offset) = (size_t)json_integer_value(v);
    }
}

static void set_int(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                    const char *path)
{
    if (integer_in(c, o, v, path)) {
        *(int *)at(obj, o->offset) = (int)json_integer_value(v);
    }
}

static void set_enum(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                     const char *path)
{
    const char *s = json_string_value(v);
    for (size_t i = 0; s != NULL && o->names[i].name != NULL; i++) {
        if (strcmp(s, o->names[i].name) == 0) {
            *(int *)at(obj, o->offset) = o->names[i].value;
            return;
        }
    }
    char allowed[160] = "";
    size_t used = 0;
    for (size_t i = 0; o->names[i].name != NULL && used < sizeof allowed; i++) {
        int n = snprintf(allowed + used, sizeof allowed - used, "%s%s", i ? ", " : "",
                         o->names[i].name);
        used += n > 0 ? (size_t)n : 0;
    }
    xd_flat__problem(c, path, "must be one of: %s", allowed);
}

/* One character out of the few a file format allows there (o->names lists them). */
static void set_char(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                     const char *path)
{
    const char *s = json_string_value(v);
    for (size_t i = 0; s != NULL && o->names[i].name != NULL; i++) {
        if (strcmp(s, o->names[i].name) == 0) {
            *(char *)at(obj, o->offset) = (char)o->names[i].value;
            return;
        }
    }
    xd_flat__problem(c, path, "is not a character this option allows");
}

static void set_strings(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                        const char *path)
{
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n > o->max) {
        xd_flat__problem(c, path, "must be a list of at most %zu strings", o->max);
        return;
    }
    struct xd_flat__strings *list = at(obj, o->offset);
    if (list->v != NULL || n == 0) {
        return;
    }
    list->v = xd_calloc(n, sizeof *list->v);
    if (list->v == NULL) {
        c->st = XD_ENOMEM;
        return;
    }
    list->n = n;
    for (size_t i = 0; i < n; i++) {
        char sub[PATH_MAX_TEXT];
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        struct opt one = {.offset = i * sizeof(char *)};
        set_string(c, &one, json_array_get(v, i), list->v, sub);
    }
}

/* Stash a composite option for a later pass (o->offset is into the context). */
static void set_later(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                      const char *path)
{
    (void)obj;
    (void)path;
    *(const json_t **)at(c, o->offset) = v;
}

/* ------------------------------------------------------------------ walk */

static void walk(struct xd_flat__mctx *c, const struct opt *table, const json_t *v, void *obj,
                 const char *path)
{
    if (!json_is_object(v)) {
        xd_flat__problem(c, path, "must be an object");
        return;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        char sub[PATH_MAX_TEXT];
        snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", key);
        const struct opt *o = table;
        while (o->name != NULL && strcmp(o->name, key) != 0) {
            o++;
        }
        if (o->name == NULL) {
            xd_flat__problem(c, sub, "unknown option");
            continue;
        }
        o->set(c, o, val, obj, sub);
    }
}

/* --------------------------------------------------------------- fields */

/* The value map of a field, and its reverse for writing (the first partner code wins). */
static void set_value_map(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                          const char *path)
{
    (void)o;
    struct xd_flat__field *f = obj;
    if (!json_is_object(v) || json_object_size(v) == 0) {
        xd_flat__problem(c, path, "must be an object of partner code to canonical code");
        return;
    }
    json_t *map = json_object();
    json_t *rmap = json_object();
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        if (!json_is_string(val) || strlen(json_string_value(val)) != json_string_length(val)) {
            xd_flat__problem(c, path, "'%s' must map to a string", key);
            continue;
        }
        if (map == NULL || rmap == NULL || json_object_set(map, key, val) != 0 ||
            (json_object_get(rmap, json_string_value(val)) == NULL &&
             json_object_set_new(rmap, json_string_value(val), json_string(key)) != 0)) {
            c->st = XD_ENOMEM;
            break;
        }
    }
    json_decref(f->map);
    json_decref(f->rmap);
    f->map = map;
    f->rmap = rmap;
}

static void set_date(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                     const char *path)
{
    struct xd_flat__field *f = obj;
    set_string(c, o, v, obj, path);
    if (f->date_text == NULL) {
        return;
    }
    char why[XD_ERROR_MESSAGE_MAX];
    if (xd_flat__date_compile(f->date_text, &f->date, why, sizeof why) != XD_OK) {
        xd_flat__problem(c, path, "%s", why);
    }
}

static bool name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* "orders[].packs[].sscc" into segments. False when malformed. */
static bool path_parse(const char *text, struct xd_flat__path *p, enum xd_status *st)
{
    struct xd_flat__seg seg[XD_FLAT_MAX_SEGMENTS];
    size_t n = 0, arrays = 0;
    const char *s = text;
    *st = XD_OK;
    for (;;) {
        size_t len = 0;
        while (name_char(s[len])) {
            len++;
        }
        if (len == 0 || n == XD_FLAT_MAX_SEGMENTS) {
            return false;
        }
        seg[n].name = (char *)s; /* for now; copied below */
        seg[n].array = s[len] == '[';
        if (seg[n].array && s[len + 1] != ']') {
            return false;
        }
        arrays += seg[n].array;
        s += len + (seg[n].array ? 2 : 0);
        n++;
        if (*s == '\0') {
            break;
        }
        if (*s++ != '.') {
            return false;
        }
    }
    if (seg[n - 1].array || arrays > XD_FLAT_MAX_DEPTH) {
        return false;
    }
    p->seg = xd_calloc(n, sizeof *p->seg);
    p->text = xd_strdup(text);
    if (p->seg == NULL || p->text == NULL) {
        *st = XD_ENOMEM;
        return true;
    }
    p->nseg = n;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        while (name_char(seg[i].name[len])) {
            len++;
        }
        p->seg[i].array = seg[i].array;
        p->seg[i].name = xd_strndup(seg[i].name, len);
        if (p->seg[i].name == NULL) {
            *st = XD_ENOMEM;
            return true;
        }
    }
    return true;
}

static void set_path(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                     const char *path)
{
    (void)o;
    struct xd_flat__field *f = obj;
    enum xd_status st;
    if (!json_is_string(v) || f->has_path) {
        xd_flat__problem(c, path, "must be a string");
        return;
    }
    if (!path_parse(json_string_value(v), &f->path, &st)) {
        xd_flat__problem(c, path,
                         "'%s' is not a document path (names, '.', '[]' after arrays, "
                         "at most %d arrays deep, ending with a name)",
                         json_string_value(v), XD_FLAT_MAX_DEPTH);
        return;
    }
    if (st != XD_OK) {
        c->st = st;
        return;
    }
    f->has_path = true;
    if (strcmp(f->path.seg[0].name, "type") == 0) {
        xd_flat__problem(c, path, "'type' is set from document_type");
    }
}

static const struct name_val type_names[] = {{"string", XD_FLAT__STRING},
                                             {"decimal", XD_FLAT__DECIMAL},
                                             {"integer", XD_FLAT__INTEGER},
                                             {"date", XD_FLAT__DATE},
                                             {NULL, 0}};
static const struct name_val case_names[] = {
    {"upper", XD_FLAT__UPPER}, {"lower", XD_FLAT__LOWER}, {"keep", XD_FLAT__KEEP}, {NULL, 0}};
static const struct name_val align_names[] = {
    {"left", XD_FLAT__LEFT}, {"right", XD_FLAT__RIGHT}, {NULL, 0}};
static const struct name_val unknown_names[] = {
    {"error", XD_FLAT__UNKNOWN_ERROR}, {"keep", XD_FLAT__UNKNOWN_KEEP}, {NULL, 0}};
static const struct name_val dec_sep_chars[] = {{".", '.'}, {",", ','}, {NULL, 0}};
static const struct name_val thou_sep_chars[] = {{",", ','},  {".", '.'}, {" ", ' '},
                                                 {"'", '\''}, {"", 0},    {NULL, 0}};
static const struct name_val pad_chars[] = {{" ", ' '}, {"0", '0'}, {"_", '_'}, {NULL, 0}};

#define FIELD(member) offsetof(struct xd_flat__field, member)
static const struct opt field_opts[] = {
    {"column", set_string, FIELD(column), 0, 0, NULL},
    {"name", set_string, FIELD(column), 0, 0, NULL},
    {"position", set_size, FIELD(position), 1, XD_FLAT_MAX_FIELDS, NULL},
    {"start", set_size, FIELD(start), 1, XD_FLAT_MAX_RECORD_BYTES, NULL},
    {"length", set_size, FIELD(length), 1, XD_FLAT_MAX_RECORD_BYTES, NULL},
    {"path", set_path, 0, 0, 0, NULL},
    {"type", set_enum, FIELD(type), 0, 0, type_names},
    {"required", set_bool, FIELD(required), 0, 0, NULL},
    {"trim", set_bool, FIELD(trim), 0, 0, NULL},
    {"case", set_enum, FIELD(letter_case), 0, 0, case_names},
    {"default", set_string, FIELD(def), 0, 0, NULL},
    {"constant", set_string, FIELD(constant), 0, 0, NULL},
    {"null_values", set_strings, FIELD(nulls), 0, 32, NULL},
    {"map", set_value_map, 0, 0, 0, NULL},
    {"unknown_codes", set_enum, FIELD(unknown), 0, 0, unknown_names},
    {"date_format", set_date, FIELD(date_text), 0, 0, NULL},
    {"implied_decimals", set_int, FIELD(implied), 0, XD_DECIMAL_MAX_SCALE, NULL},
    {"decimal_separator", set_char, FIELD(dec_sep), 0, 0, dec_sep_chars},
    {"thousands_separator", set_char, FIELD(thou_sep), 0, 0, thou_sep_chars},
    {"trailing_sign", set_bool, FIELD(trailing_sign), 0, 0, NULL},
    {"align", set_enum, FIELD(align), 0, 0, align_names},
    {"pad", set_char, FIELD(pad), 0, 0, pad_chars},
    {"truncate", set_bool, FIELD(truncate), 0, 0, NULL},
    {NULL, NULL, 0, 0, 0, NULL},
};
#undef FIELD

/* Options that only one format knows, and what each type allows. */
static void field_applicable(struct xd_flat__mctx *c, const json_t *v, bool fixed,
                             const struct xd_flat__field *f, const char *path)
{
    static const char *const csv_only[] = {"column", "position"};
    static const char *const fixed_only[] = {"name", "start", "length", "align", "pad", "truncate"};
    const char *const *wrong = fixed ? csv_only : fixed_only;
    size_t nwrong = fixed ? XD_ARRAY_LEN(csv_only) : XD_ARRAY_LEN(fixed_only);
    for (size_t i = 0; i < nwrong; i++) {
        if (json_object_get(v, wrong[i]) != NULL) {
            xd_flat__problem(c, path, "'%s' is for %s files", wrong[i],
                             fixed ? "CSV" : "fixed-width");
        }
    }
    bool numeric = f->type == XD_FLAT__DECIMAL || f->type == XD_FLAT__INTEGER;
    if (!numeric && (f->implied || f->dec_sep != '.' || f->thou_sep || f->trailing_sign)) {
        xd_flat__problem(c, path, "number options need type decimal or integer");
    }
    if (f->type == XD_FLAT__INTEGER && f->implied) {
        xd_flat__problem(c, path, "implied_decimals needs type decimal");
    }
    if (f->type != XD_FLAT__DATE && f->date_text != NULL) {
        xd_flat__problem(c, path, "date_format needs type date");
    }
    if (f->type != XD_FLAT__STRING && f->map != NULL) {
        xd_flat__problem(c, path, "a value map needs type string");
    }
    if (f->thou_sep != 0 && f->thou_sep == f->dec_sep) {
        xd_flat__problem(c, path, "the thousands and decimal separators must differ");
    }
}

/* Which of column, positions, path and constant a field has, and whether they fit together:
 * a mapped column (source and path), a constant value (path and constant), a written-only
 * column (source and constant) or an ignored column (source only). */
static void field_roles(struct xd_flat__mctx *c, struct xd_flat__field *f, bool fixed,
                        const char *path)
{
    if (fixed) {
        f->has_source = f->start > 0 || f->length > 0;
        if (f->has_source && (f->start == 0 || f->length == 0)) {
            xd_flat__problem(c, path, "needs both start and length");
        }
    } else {
        f->has_source = f->column != NULL || f->position > 0;
        if (f->column != NULL && f->position > 0) {
            xd_flat__problem(c, path, "give column or position, not both");
        }
    }
    if (f->column != NULL && !xd_flat__column_name_ok(f->column)) {
        xd_flat__problem(c, path,
                         "a column name cannot be empty, have blanks around it or begin with a "
                         "byte order mark");
    }
    if (f->has_path && f->has_source && f->constant != NULL) {
        xd_flat__problem(c, path, "a constant has no column");
    } else if (!f->has_path && !f->has_source) {
        xd_flat__problem(c, path, "needs a path, a %s, or both",
                         fixed ? "start and length" : "column");
    } else if (f->has_path && !f->has_source && f->constant == NULL) {
        xd_flat__problem(c, path, "needs a %s or a constant",
                         fixed ? "start and length" : "column");
    }
    if (f->required && !(f->has_path && f->has_source)) {
        xd_flat__problem(c, path, "only a mapped column can be required");
    }
    if (f->def != NULL && !(f->has_path && f->has_source)) {
        xd_flat__problem(c, path, "only a mapped column can have a default");
    }
}

/* The JSON value a default or constant gives documents, checked against the field's type. */
static void field_fill(struct xd_flat__mctx *c, struct xd_flat__field *f, const char *path)
{
    const char *text = f->has_source ? f->def : f->constant;
    if (!f->has_path || text == NULL) {
        return;
    }
    size_t n = strlen(text);
    struct xd_decimal d;
    int64_t i;
    bool ok = true;
    switch (f->type) {
    case XD_FLAT__STRING:
        f->fill = json_string(text);
        break;
    case XD_FLAT__DECIMAL:
        ok = xd_decimal_parse(text, n, XD_DECIMAL_STRICT, &d) == XD_OK;
        f->fill = ok ? json_string(text) : NULL;
        break;
    case XD_FLAT__INTEGER:
        ok = xd_parse_i64(text, n, INT64_MIN, INT64_MAX, &i) == XD_OK;
        f->fill = ok ? json_integer((json_int_t)i) : NULL;
        break;
    case XD_FLAT__DATE:
        ok = n == 10 && xd_date_valid(text, n);
        f->fill = ok ? json_string(text) : NULL;
        break;
    }
    if (!ok) {
        xd_flat__problem(c, path, "'%s' is not a canonical value of the field's type", text);
    } else if (f->fill == NULL) {
        c->st = XD_ENOMEM;
    }
}

static void field_label(struct xd_flat__mctx *c, struct xd_flat__field *f, bool fixed)
{
    char label[PATH_MAX_TEXT];
    char ex[XD_FLAT_EXCERPT_MAX + 4];
    xd_flat__excerpt(f->column ? f->column : "", f->column ? strlen(f->column) : 0, ex, sizeof ex);
    if (fixed && f->column != NULL) {
        snprintf(label, sizeof label, "field '%s' (positions %zu-%zu)", ex, f->start,
                 f->start + f->length - 1);
    } else if (fixed) {
        snprintf(label, sizeof label, "positions %zu-%zu", f->start, f->start + f->length - 1);
    } else if (f->column != NULL) {
        snprintf(label, sizeof label, "column '%s'", ex);
    } else {
        snprintf(label, sizeof label, "column %zu", f->position);
    }
    f->label = xd_strdup(label);
    if (f->label == NULL) {
        c->st = XD_ENOMEM;
    }
}

static void parse_field(struct xd_flat__mctx *c, const json_t *v, struct xd_flat__field *f,
                        const char *path)
{
    bool fixed = c->m->format == XD_FLAT__FIXED;
    f->trim = true;
    f->pad = ' ';
    f->dec_sep = '.';
    walk(c, field_opts, v, f, path);
    if (!json_is_object(v) || c->st != XD_OK) {
        return;
    }
    field_applicable(c, v, fixed, f, path);
    field_roles(c, f, fixed, path);
    if (f->type == XD_FLAT__DATE && f->date_text == NULL) {
        char why[XD_ERROR_MESSAGE_MAX];
        enum xd_status st = xd_flat__date_compile("%Y-%m-%d", &f->date, why, sizeof why);
        f->date_text = xd_strdup("%Y-%m-%d");
        if (st != XD_OK || f->date_text == NULL) {
            c->st = XD_ENOMEM;
        }
    }
    bool numeric = f->type == XD_FLAT__DECIMAL || f->type == XD_FLAT__INTEGER;
    if (f->align == XD_FLAT__ALIGN_AUTO) {
        f->align = numeric ? XD_FLAT__RIGHT : XD_FLAT__LEFT;
    }
    if (numeric && f->pad == '0' && f->align == XD_FLAT__LEFT) {
        xd_flat__problem(c, path, "a number padded with zeros must be aligned right");
    }
    field_fill(c, f, path);
    field_label(c, f, fixed);
}

/* A list of fields into *fields (owned by the map; *n set at once so destroy sees them). */
static void parse_fields(struct xd_flat__mctx *c, const json_t *v, struct xd_flat__field **fields,
                         size_t *n, const char *path)
{
    if (!json_is_array(v) || json_array_size(v) == 0 ||
        json_array_size(v) > XD_FLAT_MAX_MAP_FIELDS) {
        xd_flat__problem(c, path, "must be a list of 1 to %zu fields", XD_FLAT_MAX_MAP_FIELDS);
        return;
    }
    *fields = xd_calloc(json_array_size(v), sizeof **fields);
    if (*fields == NULL) {
        c->st = XD_ENOMEM;
        return;
    }
    *n = json_array_size(v);
    for (size_t i = 0; i < *n && c->st == XD_OK; i++) {
        char sub[PATH_MAX_TEXT];
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        parse_field(c, json_array_get(v, i), &(*fields)[i], sub);
    }
}

/* -------------------------------------------------------------- records */

static const struct name_val role_names[] = {{"header", XD_FLAT__HEADER},
                                             {"detail", XD_FLAT__DETAIL},
                                             {"trailer", XD_FLAT__TRAILER},
                                             {"ignore", XD_FLAT__IGNORE},
                                             {NULL, 0}};

struct record_spec {
    char *tag;
    int role;
    const json_t *fields;
};

static void set_record_fields(struct xd_flat__mctx *c, const struct opt *o, const json_t *v,
                              void *obj, const char *path)
{
    (void)c;
    (void)o;
    (void)path;
    ((struct record_spec *)obj)->fields = v;
}

static const struct opt record_opts[] = {
    {"tag", set_string, offsetof(struct record_spec, tag), 0, 0, NULL},
    {"role", set_enum, offsetof(struct record_spec, role), 0, 0, role_names},
    {"fields", set_record_fields, 0, 0, 0, NULL},
    {NULL, NULL, 0, 0, 0, NULL},
};

static void parse_records(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    if (c->records != NULL && c->fields != NULL) {
        xd_flat__problem(c, "records", "give records or fields, not both");
        return;
    }
    if (c->records == NULL && c->fields == NULL) {
        xd_flat__problem(c, "fields", "is required");
        return;
    }
    if (c->records != NULL && (!json_is_array(c->records) || json_array_size(c->records) == 0 ||
                               json_array_size(c->records) > 64)) {
        xd_flat__problem(c, "records", "must be a list of 1 to 64 record types");
        return;
    }
    size_t n = c->records ? json_array_size(c->records) : 1;
    m->records = xd_calloc(n, sizeof *m->records);
    if (m->records == NULL) {
        c->st = XD_ENOMEM;
        return;
    }
    m->nrecords = n;
    if (c->fields != NULL) {
        parse_fields(c, c->fields, &m->records[0].fields, &m->records[0].nfields, "fields");
        m->nfields = m->records[0].nfields;
        return;
    }
    for (size_t i = 0; i < n && c->st == XD_OK; i++) {
        char path[PATH_MAX_TEXT];
        snprintf(path, sizeof path, "records[%zu]", i);
        struct record_spec spec = {.role = XD_FLAT__DETAIL};
        walk(c, record_opts, json_array_get(c->records, i), &spec, path);
        m->records[i].tag = spec.tag;
        m->records[i].role = (enum xd_flat__role)spec.role;
        if (spec.tag == NULL || spec.tag[0] == '\0') {
            xd_flat__problem(c, path, "needs a tag");
        }
        if (spec.fields == NULL) {
            if (spec.role != XD_FLAT__IGNORE) {
                xd_flat__problem(c, path, "needs fields");
            }
            continue;
        }
        snprintf(path, sizeof path, "records[%zu].fields", i);
        parse_fields(c, spec.fields, &m->records[i].fields, &m->records[i].nfields, path);
        m->nfields += m->records[i].nfields;
    }
}

/* ------------------------------------------------------------- top level */

static const struct name_val format_names[] = {
    {"csv", XD_FLAT__CSV}, {"fixed", XD_FLAT__FIXED}, {NULL, 0}};
static const struct name_val charset_names[] = {{"utf-8", XD_FLAT__UTF8},
                                                {"latin-1", XD_FLAT__LATIN1},
                                                {"windows-1252", XD_FLAT__CP1252},
                                                {NULL, 0}};
static const struct name_val eol_names[] = {
    {"crlf", XD_FLAT__CRLF}, {"lf", XD_FLAT__LF}, {NULL, 0}};
static const struct name_val quoting_names[] = {
    {"needed", XD_FLAT__QUOTE_NEEDED}, {"always", XD_FLAT__QUOTE_ALWAYS}, {NULL, 0}};
static const struct name_val delim_chars[] = {{",", ','}, {";", ';'}, {"\t", '\t'}, {"|", '|'},
                                              {"^", '^'}, {"~", '~'}, {NULL, 0}};
static const struct name_val quote_chars[] = {{"\"", '"'}, {"'", '\''}, {"", 0}, {NULL, 0}};

#define MAP(member) offsetof(struct xd_flat_map, member)
#define CTX(member) offsetof(struct xd_flat__mctx, member)
static const struct opt csv_opts[] = {
    {"delimiter", set_char, MAP(delim), 0, 0, delim_chars},
    {"quote", set_char, MAP(quote), 0, 0, quote_chars},
    {"header", set_bool, MAP(header), 0, 0, NULL},
    {"columns", set_strings, MAP(columns), 0, XD_FLAT_MAX_FIELDS, NULL},
    {"quoting", set_enum, MAP(quoting), 0, 0, quoting_names},
    {NULL, NULL, 0, 0, 0, NULL},
};
static const struct opt fixed_opts[] = {
    {"record_length", set_size, MAP(record_length), 1, XD_FLAT_MAX_RECORD_BYTES, NULL},
    {NULL, NULL, 0, 0, 0, NULL},
};
static const struct opt tag_opts[] = {
    {"start", set_size, MAP(tag_start), 1, XD_FLAT_MAX_RECORD_BYTES, NULL},
    {"length", set_size, MAP(tag_length), 1, 16, NULL},
    {"position", set_size, MAP(tag_start), 1, XD_FLAT_MAX_FIELDS, NULL},
    {NULL, NULL, 0, 0, 0, NULL},
};
static const struct opt limit_opts[] = {
    {"max_record_bytes", set_size, MAP(lim.record_bytes), 16, XD_FLAT_MAX_RECORD_BYTES, NULL},
    {"max_fields", set_size, MAP(lim.fields), 1, XD_FLAT_MAX_FIELDS, NULL},
    {"max_rows_per_document", set_size, MAP(lim.rows), 1, XD_FLAT_MAX_ROWS, NULL},
    {"max_documents", set_size, MAP(lim.documents), 1, XD_FLAT_MAX_DOCUMENTS, NULL},
    {"max_errors_per_document", set_size, MAP(lim.errors), 1, XD_FLAT_MAX_ERRORS, NULL},
    {NULL, NULL, 0, 0, 0, NULL},
};

static void set_csv(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                    const char *path)
{
    (void)o;
    walk(c, csv_opts, v, obj, path);
}

static void set_fixed(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                      const char *path)
{
    (void)o;
    walk(c, fixed_opts, v, obj, path);
}

static void set_tag(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                    const char *path)
{
    (void)o;
    c->m->has_tag = true;
    c->tag = v;
    walk(c, tag_opts, v, obj, path);
}

static void set_limits(struct xd_flat__mctx *c, const struct opt *o, const json_t *v, void *obj,
                       const char *path)
{
    (void)o;
    walk(c, limit_opts, v, obj, path);
}

static const struct opt map_opts[] = {
    {"format", set_enum, MAP(format), 0, 0, format_names},
    {"document_type", set_string, MAP(document_type), 0, 0, NULL},
    {"encoding", set_enum, MAP(charset), 0, 0, charset_names},
    {"line_ending", set_enum, MAP(eol), 0, 0, eol_names},
    {"bom", set_bool, MAP(bom), 0, 0, NULL},
    {"skip_lines", set_size, MAP(skip_lines), 0, 1000, NULL},
    {"csv", set_csv, 0, 0, 0, NULL},
    {"fixed", set_fixed, 0, 0, 0, NULL},
    {"record_tag", set_tag, 0, 0, 0, NULL},
    {"limits", set_limits, 0, 0, 0, NULL},
    {"fields", set_later, CTX(fields), 0, 0, NULL},
    {"records", set_later, CTX(records), 0, 0, NULL},
    {"group", set_later, CTX(group), 0, 0, NULL},
    {"arrays", set_later, CTX(arrays), 0, 0, NULL},
    {NULL, NULL, 0, 0, 0, NULL},
};
#undef MAP
#undef CTX

static void map_defaults(struct xd_flat_map *m)
{
    m->format = (enum xd_flat__format) - 1;
    m->charset = XD_FLAT__UTF8;
    m->eol = XD_FLAT__CRLF;
    m->delim = ',';
    m->quote = '"';
    m->header = true;
    m->tag_length = 1;
    m->lim = (struct xd_flat__limits){
        .record_bytes = 65536, .fields = 1024, .rows = 100000, .documents = 100000, .errors = 100};
}

static bool type_name_ok(const char *s)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
              (i > 0 && s[i] >= '0' && s[i] <= '9'))) {
            return false;
        }
    }
    return s[0] != '\0';
}

static void map_top(struct xd_flat__mctx *c, const json_t *spec)
{
    struct xd_flat_map *m = c->m;
    walk(c, map_opts, spec, m, "");
    if (c->st != XD_OK || !json_is_object(spec)) {
        return;
    }
    if ((int)m->format == -1) {
        xd_flat__problem(c, "format", "is required (csv or fixed)");
        return;
    }
    if (m->document_type == NULL || !type_name_ok(m->document_type)) {
        xd_flat__problem(c, "document_type",
                         "is required: a canonical type such as purchase_order");
    }
    if (json_object_get(spec, m->format == XD_FLAT__CSV ? "fixed" : "csv") != NULL) {
        xd_flat__problem(c, m->format == XD_FLAT__CSV ? "fixed" : "csv", "does not fit format %s",
                         m->format == XD_FLAT__CSV ? "csv" : "fixed");
    }
    if (m->format == XD_FLAT__CSV && m->delim == m->quote) {
        xd_flat__problem(c, "csv.quote", "must differ from the delimiter");
    }
    if (m->bom && m->charset != XD_FLAT__UTF8) {
        xd_flat__problem(c, "bom", "only UTF-8 files have a byte order mark");
    }
    parse_records(c);
}

enum xd_status xd_flat_map_create(const json_t *spec, struct xd_flat_map **out,
                                  struct xd_diags *diags)
{
    struct xd_flat_map *m = xd_calloc(1, sizeof *m);
    if (m == NULL) {
        return XD_ENOMEM;
    }
    map_defaults(m);
    struct xd_flat__mctx c = {.m = m, .diags = diags, .st = XD_OK};
    map_top(&c, spec);
    if (c.st == XD_OK && !c.bad) {
        xd_flat__map_layout(&c);
    }
    if (c.st != XD_OK || c.bad) {
        xd_flat_map_destroy(m);
        return c.st != XD_OK ? c.st : XD_EINVAL;
    }
    *out = m;
    return XD_OK;
}

/* ------------------------------------------------------------- teardown */

static void strings_free(struct xd_flat__strings *list)
{
    for (size_t i = 0; list->v != NULL && i < list->n; i++) {
        xd_free(list->v[i]);
    }
    xd_free(list->v);
}

static void field_cleanup(struct xd_flat__field *f)
{
    xd_free(f->label);
    xd_free(f->column);
    for (size_t i = 0; f->path.seg != NULL && i < f->path.nseg; i++) {
        xd_free(f->path.seg[i].name);
    }
    xd_free(f->path.seg);
    xd_free(f->path.text);
    xd_free(f->def);
    xd_free(f->constant);
    json_decref(f->map);
    json_decref(f->rmap);
    json_decref(f->fill);
    xd_free(f->date_text);
    strings_free(&f->nulls);
}

void xd_flat_map_destroy(struct xd_flat_map *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t r = 0; m->records != NULL && r < m->nrecords; r++) {
        struct xd_flat__record *rec = &m->records[r];
        for (size_t i = 0; rec->fields != NULL && i < rec->nfields; i++) {
            field_cleanup(&rec->fields[i]);
        }
        xd_free(rec->fields);
        xd_free(rec->tag);
        xd_free(rec->nodes);
        xd_free(rec->leaf);
        xd_free(rec->key_field);
        xd_free(rec->group_field);
        xd_free(rec->order);
    }
    xd_free(m->records);
    for (size_t i = 0; m->nodes != NULL && i < m->nnodes; i++) {
        xd_free(m->nodes[i].text);
        xd_free(m->nodes[i].key);
        xd_free(m->nodes[i].number);
    }
    xd_free(m->nodes);
    strings_free(&m->keys);
    strings_free(&m->columns);
    xd_free(m->document_type);
    xd_free(m);
}

const char *xd_flat_map_document_type(const struct xd_flat_map *m)
{
    return m->document_type;
}
