/* SPDX-License-Identifier: MIT
 * Reading profile text into the tree the decoder walks. YAML goes through libfyaml's event
 * parser, so every node, mapping and sequence included, keeps its line and column; JSON goes
 * through jansson (duplicate members refused) and carries paths only. Hostile input meets caps
 * on size, nesting and node count; anchors, aliases and tags are refused (an alias can expand
 * a small file into a huge tree, and a profile gains nothing from them). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libfyaml.h>

#include "partner/partner_int.h"

#define SCALAR_MAX ((size_t)64 * 1024)

/* ------------------------------------------------------------------------------------------ */
/* YAML 1.2 core schema resolution of plain scalars */

static bool all_digits(const char *s, size_t n, const char *alphabet)
{
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strchr(alphabet, s[i]) == NULL || s[i] == '\0') {
            return false;
        }
    }
    return true;
}

static bool is_one_of(const char *s, size_t n, const char *const *words)
{
    for (size_t i = 0; words[i] != NULL; i++) {
        if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_float(const char *s, size_t n)
{
    static const char *const special[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                          "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
                                          ".NaN",  ".NAN",  NULL};
    if (is_one_of(s, n, special)) {
        return true;
    }
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        i++;
    }
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
            i++;
        }
        size_t exp = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            exp++;
        }
        if (exp == 0) {
            return false;
        }
    }
    return i == n;
}

uint8_t xd_partner__plain_type(const char *s, size_t n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
    if (is_one_of(s, n, nulls)) {
        return XD_PARTNER__S_NULL;
    }
    if (is_one_of(s, n, bools)) {
        return XD_PARTNER__S_BOOL;
    }
    size_t sign = n > 0 && (s[0] == '-' || s[0] == '+');
    if (all_digits(s + sign, n - sign, "0123456789") ||
        (n > 2 && s[0] == '0' && s[1] == 'o' && all_digits(s + 2, n - 2, "01234567")) ||
        (n > 2 && s[0] == '0' && s[1] == 'x' &&
         all_digits(s + 2, n - 2, "0123456789abcdefABCDEF"))) {
        return XD_PARTNER__S_INT;
    }
    return is_float(s, n) ? XD_PARTNER__S_REAL : XD_PARTNER__S_STR;
}

/* ------------------------------------------------------------------------------------------ */
/* Building: a stack of open containers, each collecting its children in a growable vector
 * that is copied into the arena when the container closes. */

struct frame {
    struct xd_partner__node *node;
    struct xd_partner__node **items;
    struct xd_partner__pair *pairs;
    size_t n, cap;
    bool have_key; /* mappings: a key was read, its value comes next */
};

struct builder {
    struct xd_partner__tree *t;
    struct xd_partner_problems *problems;
    struct frame stack[XD_PARTNER_MAX_DEPTH];
    size_t depth;
    enum xd_status st;
};

static void problem(struct builder *b, const char *code, int line, int column, const char *fmt, ...)
    XD_PRINTF(5, 6);

static void problem(struct builder *b, const char *code, int line, int column, const char *fmt, ...)
{
    if (b->problems == NULL) {
        return;
    }
    char msg[XD_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (xd_partner_problems_add(b->problems, code, "", line, column, "%s", msg) != XD_OK) {
        b->st = XD_ENOMEM;
    }
}

static struct xd_partner__node *node_new(struct builder *b, uint8_t kind, int line, int column)
{
    if (++b->t->nodes > XD_PARTNER_MAX_NODES) {
        problem(b, "too_big", line, column, "more than %d values in one profile",
                XD_PARTNER_MAX_NODES);
        b->st = XD_ETOOBIG;
        return NULL;
    }
    struct xd_partner__node *n = xd_arena_calloc(b->t->arena, 1, sizeof *n);
    if (n == NULL) {
        b->st = XD_ENOMEM;
        return NULL;
    }
    n->kind = kind;
    n->line = line;
    n->column = column;
    return n;
}

static bool grow(struct builder *b, struct frame *f)
{
    if (f->n < f->cap) {
        return true;
    }
    size_t ncap = f->cap ? f->cap * 2 : 8;
    bool ok;
    if (f->node->kind == XD_PARTNER__N_MAP) {
        struct xd_partner__pair *g = xd_reallocarray(f->pairs, ncap, sizeof *g);
        ok = g != NULL;
        if (ok) {
            f->pairs = g;
        }
    } else {
        struct xd_partner__node **g = xd_reallocarray(f->items, ncap, sizeof *g);
        ok = g != NULL;
        if (ok) {
            f->items = g;
        }
    }
    if (!ok) {
        b->st = XD_ENOMEM;
        return false;
    }
    f->cap = ncap;
    return true;
}

/* Hand a finished node to the open container (or make it the root). Mapping keys must be
 * scalars and unique. */
static void attach(struct builder *b, struct xd_partner__node *n)
{
    if (b->depth == 0) {
        b->t->root = n;
        return;
    }
    struct frame *f = &b->stack[b->depth - 1];
    if (f->node->kind == XD_PARTNER__N_SEQ) {
        if (grow(b, f)) {
            f->items[f->n++] = n;
        }
        return;
    }
    if (f->have_key) {
        f->pairs[f->n - 1].value = n;
        f->have_key = false;
        return;
    }
    if (n->kind != XD_PARTNER__N_SCALAR) {
        problem(b, "unsupported", n->line, n->column, "mapping keys must be plain text");
        b->st = XD_EPARSE;
        return;
    }
    for (size_t i = 0; i < f->n; i++) {
        if (f->pairs[i].key_len == n->len && memcmp(f->pairs[i].key, n->text, n->len) == 0) {
            problem(b, "duplicate_key", n->line, n->column, "duplicate key '%s' (first at line %d)",
                    n->text, f->pairs[i].line);
            b->st = XD_EPARSE;
            return;
        }
    }
    if (!grow(b, f)) {
        return;
    }
    f->pairs[f->n++] = (struct xd_partner__pair){
        .key = n->text, .key_len = n->len, .line = n->line, .column = n->column, .value = NULL};
    f->have_key = true;
}

static void open_container(struct builder *b, uint8_t kind, int line, int column)
{
    if (b->depth == XD_PARTNER_MAX_DEPTH) {
        problem(b, "too_deep", line, column, "nested deeper than %d levels", XD_PARTNER_MAX_DEPTH);
        b->st = XD_ETOOBIG;
        return;
    }
    struct xd_partner__node *n = node_new(b, kind, line, column);
    if (n != NULL) {
        b->stack[b->depth++] = (struct frame){.node = n};
    }
}

static void close_container(struct builder *b)
{
    struct frame *f = &b->stack[--b->depth];
    struct xd_partner__node *n = f->node;
    if (f->n > 0) {
        if (n->kind == XD_PARTNER__N_MAP) {
            n->pairs = xd_arena_memdup(b->t->arena, f->pairs, f->n * sizeof *f->pairs);
        } else {
            n->items = xd_arena_memdup(b->t->arena, f->items, f->n * sizeof *f->items);
        }
        if (n->pairs == NULL && n->items == NULL) {
            b->st = XD_ENOMEM;
        }
    }
    n->n = f->n;
    xd_free(f->pairs);
    xd_free(f->items);
    *f = (struct frame){0};
    if (b->st == XD_OK) {
        attach(b, n);
    }
}

static void scalar(struct builder *b, const char *text, size_t len, uint8_t stype, bool plain,
                   int line, int column)
{
    if (len > SCALAR_MAX) {
        problem(b, "too_big", line, column, "a value longer than %zu bytes", SCALAR_MAX);
        b->st = XD_ETOOBIG;
        return;
    }
    struct xd_partner__node *n = node_new(b, XD_PARTNER__N_SCALAR, line, column);
    if (n == NULL) {
        return;
    }
    n->text = xd_arena_strndup(b->t->arena, text != NULL ? text : "", len);
    n->len = len;
    n->stype = stype;
    n->plain = plain;
    if (n->text == NULL) {
        b->st = XD_ENOMEM;
        return;
    }
    attach(b, n);
}

static void builder_cleanup(struct builder *b)
{
    while (b->depth > 0) {
        struct frame *f = &b->stack[--b->depth];
        xd_free(f->pairs);
        xd_free(f->items);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* YAML */

static void yaml_diag_quiet(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

static void mark_of(struct fy_event *e, int *line, int *column)
{
    const struct fy_mark *m = fy_event_start_mark(e);
    *line = m != NULL ? m->line + 1 : 0;
    *column = m != NULL ? m->column + 1 : 0;
}

/* Anchors and tags: refused. Returns false after reporting. */
static bool plain_node(struct builder *b, struct fy_token *anchor, struct fy_token *tag, int line,
                       int column)
{
    if (anchor != NULL) {
        problem(b, "unsupported", line, column,
                "anchors and aliases are not supported in profiles; write the value out");
        b->st = XD_EPARSE;
        return false;
    }
    if (tag != NULL) {
        problem(b, "unsupported", line, column,
                "tags are not supported in profiles; quote a value to make it text");
        b->st = XD_EPARSE;
        return false;
    }
    return true;
}

static void yaml_event(struct builder *b, struct fy_event *e, int *documents)
{
    int line, column;
    mark_of(e, &line, &column);
    switch (e->type) {
    case FYET_DOCUMENT_START:
        if (++*documents > 1) {
            problem(b, "syntax", line, column, "a profile file holds exactly one YAML document");
            b->st = XD_EPARSE;
        }
        break;
    case FYET_MAPPING_START:
        if (plain_node(b, e->mapping_start.anchor, e->mapping_start.tag, line, column)) {
            open_container(b, XD_PARTNER__N_MAP, line, column);
        }
        break;
    case FYET_SEQUENCE_START:
        if (plain_node(b, e->sequence_start.anchor, e->sequence_start.tag, line, column)) {
            open_container(b, XD_PARTNER__N_SEQ, line, column);
        }
        break;
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
        if (b->depth > 0) {
            close_container(b);
        }
        break;
    case FYET_SCALAR: {
        if (!plain_node(b, e->scalar.anchor, e->scalar.tag, line, column)) {
            break;
        }
        size_t len = 0;
        const char *text = fy_token_get_text(e->scalar.value, &len);
        bool plain = fy_token_scalar_style(e->scalar.value) == FYSS_PLAIN;
        uint8_t stype =
            plain ? xd_partner__plain_type(text != NULL ? text : "", len) : XD_PARTNER__S_STR;
        scalar(b, text, len, stype, plain, line, column);
        break;
    }
    case FYET_ALIAS:
        problem(b, "unsupported", line, column,
                "anchors and aliases are not supported in profiles; write the value out");
        b->st = XD_EPARSE;
        break;
    default:
        break;
    }
}

static void yaml_errors(struct builder *b, struct fy_diag *diag)
{
    void *it = NULL;
    struct fy_diag_error *de;
    size_t n = 0;
    while ((de = fy_diag_errors_iterate(diag, &it)) != NULL) {
        problem(b, "syntax", de->line, de->column, "%s", de->msg != NULL ? de->msg : "not YAML");
        n++;
    }
    if (n == 0) {
        problem(b, "syntax", 0, 0, "not valid YAML");
    }
}

/* The offset of the first byte of <text> that is not part of well-formed UTF-8 (no overlong
 * forms, no surrogates, nothing past U+10FFFF), or <len>; its line and column (characters,
 * from 1) in *line and *column. YAML text is Unicode, and libfyaml 0.7 (Debian 12) loops
 * forever on a directive line holding such a byte, so it never sees one. */
static size_t bad_utf8(const unsigned char *text, size_t len, int *line, int *column)
{
    *line = 1;
    *column = 1;
    size_t i = 0;
    while (i < len) {
        size_t n = xd_utf8_seq_len(text + i, len - i);
        if (n == 0) {
            return i;
        }
        if (text[i] == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
        i += n;
    }
    return len;
}

static enum xd_status read_yaml(struct builder *b, const char *text, size_t len)
{
    int line = 0, column = 0;
    size_t at = bad_utf8((const unsigned char *)text, len, &line, &column);
    if (at < len) {
        problem(b, "encoding", line, column, "byte 0x%02X is not UTF-8: a profile is UTF-8 text",
                (unsigned)(unsigned char)text[at]);
        return b->st = XD_EPARSE;
    }
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = yaml_diag_quiet;
    dc.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dc);
    if (diag == NULL) {
        return XD_ENOMEM;
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
                               .diag = diag};
    struct fy_parser *p = fy_parser_create(&cfg);
    if (p == NULL) {
        fy_diag_destroy(diag);
        return XD_ENOMEM;
    }
    if (fy_parser_set_string(p, text, len) != 0) {
        fy_parser_destroy(p);
        fy_diag_destroy(diag);
        return XD_ENOMEM;
    }
    int documents = 0;
    struct fy_event *e;
    while (b->st == XD_OK && (e = fy_parser_parse(p)) != NULL) {
        yaml_event(b, e, &documents);
        fy_parser_event_free(p, e);
    }
    if (b->st == XD_OK && fy_parser_get_stream_error(p)) {
        yaml_errors(b, diag);
        b->st = XD_EPARSE;
    }
    fy_parser_destroy(p);
    fy_diag_destroy(diag);
    return b->st;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON */

static void json_walk(struct builder *b, const json_t *v, size_t depth)
{
    if (b->st != XD_OK) {
        return;
    }
    char num[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (depth >= XD_PARTNER_MAX_DEPTH) {
            problem(b, "too_deep", 0, 0, "nested deeper than %d levels", XD_PARTNER_MAX_DEPTH);
            b->st = XD_ETOOBIG;
            return;
        }
        open_container(b, XD_PARTNER__N_MAP, 0, 0);
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)v, key, val)
        {
            if (b->st != XD_OK) {
                break;
            }
            scalar(b, key, strlen(key), XD_PARTNER__S_STR, false, 0, 0);
            json_walk(b, val, depth + 1);
        }
        if (b->st == XD_OK) {
            close_container(b);
        }
        return;
    }
    case JSON_ARRAY: {
        if (depth >= XD_PARTNER_MAX_DEPTH) {
            problem(b, "too_deep", 0, 0, "nested deeper than %d levels", XD_PARTNER_MAX_DEPTH);
            b->st = XD_ETOOBIG;
            return;
        }
        open_container(b, XD_PARTNER__N_SEQ, 0, 0);
        size_t i;
        json_t *val;
        json_array_foreach(v, i, val)
        {
            json_walk(b, val, depth + 1);
        }
        if (b->st == XD_OK) {
            close_container(b);
        }
        return;
    }
    case JSON_STRING:
        scalar(b, json_string_value(v), json_string_length(v), XD_PARTNER__S_STR, false, 0, 0);
        return;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        scalar(b, num, strlen(num), XD_PARTNER__S_INT, false, 0, 0);
        return;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        scalar(b, num, strlen(num), XD_PARTNER__S_REAL, false, 0, 0);
        return;
    case JSON_TRUE:
        scalar(b, "true", 4, XD_PARTNER__S_BOOL, false, 0, 0);
        return;
    case JSON_FALSE:
        scalar(b, "false", 5, XD_PARTNER__S_BOOL, false, 0, 0);
        return;
    case JSON_NULL:
        scalar(b, "null", 4, XD_PARTNER__S_NULL, false, 0, 0);
        return;
    }
}

static enum xd_status read_json(struct builder *b, const char *text, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        problem(b, "syntax", je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0, "%s",
                je.text);
        return XD_EPARSE;
    }
    json_walk(b, root, 0);
    json_decref(root);
    return b->st;
}

/* ------------------------------------------------------------------------------------------ */

enum xd_status xd_partner__tree_read(const char *text, size_t len, enum xd_partner_syntax syntax,
                                     struct xd_partner__tree *out,
                                     struct xd_partner_problems *problems)
{
    memset(out, 0, sizeof *out);
    out->yaml = syntax == XD_PARTNER_YAML;
    struct builder b = {.t = out, .problems = problems, .st = XD_OK};
    if (len > XD_PARTNER_MAX_BYTES) {
        problem(&b, "too_big", 0, 0, "the profile has %zu bytes; the limit is %zu", len,
                XD_PARTNER_MAX_BYTES);
        return XD_ETOOBIG;
    }
    out->arena = xd_arena_create(64 * 1024, 0);
    if (out->arena == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = out->yaml ? read_yaml(&b, text != NULL ? text : "", len)
                                  : read_json(&b, text != NULL ? text : "", len);
    builder_cleanup(&b);
    if (st == XD_OK && out->root == NULL) {
        problem(&b, "required", 0, 0, "the profile is empty");
        st = XD_EPARSE;
    }
    if (b.st == XD_ENOMEM) {
        st = XD_ENOMEM;
    }
    if (st != XD_OK) {
        xd_partner__tree_cleanup(out);
    }
    return st;
}

void xd_partner__tree_cleanup(struct xd_partner__tree *t)
{
    xd_arena_destroy(t->arena);
    memset(t, 0, sizeof *t);
}

const struct xd_partner__pair *xd_partner__map_get(const struct xd_partner__node *n,
                                                   const char *key)
{
    if (n == NULL || n->kind != XD_PARTNER__N_MAP) {
        return NULL;
    }
    size_t kl = strlen(key);
    for (size_t i = 0; i < n->n; i++) {
        if (n->pairs[i].key_len == kl && memcmp(n->pairs[i].key, key, kl) == 0) {
            return &n->pairs[i];
        }
    }
    return NULL;
}

/* One segment of a path: a key (plain or ["quoted"]) or an index. Returns false at the end. */
static bool next_segment(const char **pp, char *key, size_t cap, long *index)
{
    const char *p = *pp;
    if (*p == '.') {
        p++;
    }
    if (*p == '\0') {
        return false;
    }
    *index = -1;
    key[0] = '\0';
    if (p[0] == '[' && p[1] == '"') {
        size_t n = 0;
        p += 2;
        while (*p != '\0' && *p != '"') {
            if (*p == '\\' && p[1] != '\0') {
                p++;
            }
            if (n + 1 < cap) {
                key[n++] = *p;
            }
            p++;
        }
        key[n] = '\0';
        p += *p == '"';
        p += *p == ']';
    } else if (p[0] == '[') {
        char *end = NULL;
        errno = 0;
        long v = strtol(p + 1, &end, 10);
        *index = errno == 0 && end != NULL && *end == ']' ? v : -2;
        p = end != NULL && *end == ']' ? end + 1 : p + strlen(p);
    } else {
        size_t n = strcspn(p, ".[");
        size_t c = n < cap - 1 ? n : cap - 1;
        memcpy(key, p, c);
        key[c] = '\0';
        p += n;
    }
    *pp = p;
    return true;
}

void xd_partner__tree_locate(const struct xd_partner__tree *t, const char *path, int *line,
                             int *column)
{
    const struct xd_partner__node *n = t != NULL ? t->root : NULL;
    *line = n != NULL ? n->line : 0;
    *column = n != NULL ? n->column : 0;
    const char *p = path;
    char key[256];
    long index;
    while (n != NULL && next_segment(&p, key, sizeof key, &index)) {
        const struct xd_partner__node *next = NULL;
        if (index >= 0 && n->kind == XD_PARTNER__N_SEQ && (size_t)index < n->n) {
            next = n->items[index];
        } else if (index == -1) {
            const struct xd_partner__pair *pr = xd_partner__map_get(n, key);
            if (pr != NULL) {
                *line = pr->line;
                *column = pr->column;
                next = pr->value;
            }
        }
        if (next == NULL) {
            return;
        }
        n = next;
        *line = n->line;
        *column = n->column;
    }
}

static json_t *scalar_to_json(const struct xd_partner__node *n)
{
    switch (n->stype) {
    case XD_PARTNER__S_NULL:
        return json_null();
    case XD_PARTNER__S_BOOL:
        return json_boolean(n->text[0] == 't' || n->text[0] == 'T');
    case XD_PARTNER__S_INT: {
        int64_t v;
        if (xd_parse_i64(n->text, n->len, INT64_MIN, INT64_MAX, &v) == XD_OK) {
            return json_integer(v);
        }
        if (n->len > 2 && n->text[0] == '0' && (n->text[1] == 'x' || n->text[1] == 'o')) {
            unsigned base = n->text[1] == 'x' ? 16 : 8;
            uint64_t acc = 0;
            bool ok = n->len <= 2 + (base == 16 ? 15 : 20);
            for (size_t i = 2; ok && i < n->len; i++) {
                char c = n->text[i];
                unsigned d = c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
                acc = acc * base + d;
                ok = acc <= (uint64_t)INT64_MAX;
            }
            if (ok) {
                return json_integer((json_int_t)acc);
            }
        }
        return json_stringn(n->text, n->len); /* out of range: keep the digits */
    }
    case XD_PARTNER__S_REAL:
        return json_real(strtod(n->text, NULL));
    default:
        return json_stringn(n->text, n->len);
    }
}

json_t *xd_partner__node_to_json(const struct xd_partner__node *n)
{
    if (n == NULL) {
        return json_null();
    }
    if (n->kind == XD_PARTNER__N_SCALAR) {
        return scalar_to_json(n);
    }
    json_t *out = n->kind == XD_PARTNER__N_MAP ? json_object() : json_array();
    for (size_t i = 0; out != NULL && i < n->n; i++) {
        const struct xd_partner__node *child =
            n->kind == XD_PARTNER__N_MAP ? n->pairs[i].value : n->items[i];
        json_t *v = xd_partner__node_to_json(child);
        int rc = v == NULL ? -1
                 : n->kind == XD_PARTNER__N_MAP
                     ? json_object_setn_new(out, n->pairs[i].key, n->pairs[i].key_len, v)
                     : json_array_append_new(out, v);
        if (rc != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}
