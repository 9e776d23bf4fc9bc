/* SPDX-License-Identifier: MIT
 * How the fields of a map fit together: the arrays their paths open (nodes), what each record
 * type touches, how records become documents (grouping), the CSV column layout and the
 * fixed-width positions. Runs once the fields themselves are known to be well formed. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flat/flat_int.h"

#define TEXT_MAX 512

bool xd_flat__node_within(const struct xd_flat_map *m, int inner, int outer)
{
    while (inner >= 0 && inner != outer) {
        inner = m->nodes[inner].parent;
    }
    return inner == outer;
}

/* "orders[].packs" for seg[0..to]. */
static bool seg_text(const struct xd_flat__seg *seg, size_t to, char *out, size_t cap)
{
    size_t used = 0;
    for (size_t i = 0; i <= to; i++) {
        int n = snprintf(out + used, cap - used, "%s%s%s", i ? "." : "", seg[i].name,
                         seg[i].array && i < to ? "[]" : "");
        if (n < 0 || (size_t)n >= cap - used) {
            return false;
        }
        used += (size_t)n;
    }
    return true;
}

static int node_find(const struct xd_flat_map *m, const char *text)
{
    for (size_t i = 0; i < m->nnodes; i++) {
        if (strcmp(m->nodes[i].text, text) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Field <g> of the map, counting over all record types in order (g < m->nfields). */
static struct xd_flat__field *field_at(const struct xd_flat_map *m, size_t g)
{
    size_t r = 0;
    while (g >= m->records[r].nfields) {
        g -= m->records[r++].nfields;
    }
    return &m->records[r].fields[g];
}

/* One node per distinct array prefix of any path; each path learns its deepest node. */
static void build_nodes(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    size_t cap = 0;
    for (size_t g = 0; g < m->nfields; g++) {
        struct xd_flat__field *f = field_at(m, g);
        f->path.node = -1;
        for (size_t k = 0; f->has_path && k < f->path.nseg; k++) {
            cap += f->path.seg[k].array;
        }
    }
    if (cap == 0) {
        return;
    }
    m->nodes = xd_calloc(cap, sizeof *m->nodes);
    if (m->nodes == NULL) {
        c->st = XD_ENOMEM;
        return;
    }
    for (size_t g = 0; g < m->nfields; g++) {
        struct xd_flat__field *f = field_at(m, g);
        int parent = -1;
        size_t from = 0;
        for (size_t k = 0; f->has_path && k < f->path.nseg && c->st == XD_OK; k++) {
            if (!f->path.seg[k].array) {
                continue;
            }
            char text[TEXT_MAX];
            seg_text(f->path.seg, k, text, sizeof text);
            int id = node_find(m, text);
            if (id < 0 && m->nnodes == XD_FLAT_MAX_NODES) {
                xd_flat__problem(c, "fields", "the paths open more than %d arrays",
                                 XD_FLAT_MAX_NODES);
                return;
            }
            if (id < 0) {
                struct xd_flat__node *n = &m->nodes[m->nnodes];
                n->text = xd_strdup(text);
                if (n->text == NULL) {
                    c->st = XD_ENOMEM;
                    return;
                }
                n->seg = f->path.seg;
                n->from = from;
                n->to = k;
                n->parent = parent;
                n->depth = parent < 0 ? 1 : m->nodes[parent].depth + 1;
                id = (int)m->nnodes++;
            }
            parent = id;
            from = k + 1;
        }
        f->path.node = parent;
        f->path.rel = from;
    }
}

/* Two paths that cannot both exist in one document: "ship_to" as a value and "ship_to.name",
 * or "lines" as an array in one and an object in the other. */
static void path_conflicts(struct xd_flat__mctx *c)
{
    const struct xd_flat_map *m = c->m;
    for (size_t g = 0; g < m->nfields; g++) {
        struct xd_flat__field *a = field_at(m, g);
        if (!a->has_path) {
            continue;
        }
        for (size_t h = g + 1; h < m->nfields; h++) {
            struct xd_flat__field *b = field_at(m, h);
            if (!b->has_path) {
                continue;
            }
            size_t n = a->path.nseg < b->path.nseg ? a->path.nseg : b->path.nseg;
            for (size_t k = 0; k < n; k++) {
                if (strcmp(a->path.seg[k].name, b->path.seg[k].name) != 0) {
                    break;
                }
                bool ends = k + 1 == a->path.nseg || k + 1 == b->path.nseg;
                if (a->path.seg[k].array != b->path.seg[k].array ||
                    (ends && a->path.nseg != b->path.nseg)) {
                    xd_flat__problem(c, "fields", "paths '%s' and '%s' cannot both exist",
                                     a->path.text, b->path.text);
                    break;
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- arrays */

struct array_spec {
    char *key, *number;
};

static void array_opts(struct xd_flat__mctx *c, const char *name, const json_t *v, int id)
{
    char path[TEXT_MAX];
    snprintf(path, sizeof path, "arrays.%s", name);
    const char *key;
    json_t *val;
    if (!json_is_object(v)) {
        xd_flat__problem(c, path, "must be an object with key and/or number");
        return;
    }
    struct xd_flat__node *n = &c->m->nodes[id];
    json_object_foreach((json_t *)v, key, val)
    {
        char **slot = strcmp(key, "key") == 0      ? &n->key
                      : strcmp(key, "number") == 0 ? &n->number
                                                   : NULL;
        if (slot == NULL) {
            xd_flat__problem(c, path, "unknown option '%s'", key);
            continue;
        }
        if (!json_is_string(val) || json_string_length(val) == 0 ||
            strchr(json_string_value(val), '.') != NULL ||
            strlen(json_string_value(val)) != json_string_length(val)) {
            xd_flat__problem(c, path, "'%s' must name a member of the array's elements", key);
            continue;
        }
        *slot = xd_strdup(json_string_value(val));
        if (*slot == NULL) {
            c->st = XD_ENOMEM;
        }
    }
}

/* True when some mapped column of the map writes <member> of <node>'s elements. */
static bool member_mapped(const struct xd_flat_map *m, int node, const char *member)
{
    for (size_t g = 0; g < m->nfields; g++) {
        struct xd_flat__field *f = field_at(m, g);
        if (f->has_source && f->has_path && f->path.node == node &&
            f->path.rel + 1 == f->path.nseg && strcmp(f->path.seg[f->path.rel].name, member) == 0) {
            return true;
        }
    }
    return false;
}

static void parse_arrays(struct xd_flat__mctx *c)
{
    if (c->arrays == NULL) {
        return;
    }
    if (!json_is_object(c->arrays)) {
        xd_flat__problem(c, "arrays", "must be an object keyed by array path");
        return;
    }
    const char *name;
    json_t *val;
    json_object_foreach((json_t *)c->arrays, name, val)
    {
        int id = node_find(c->m, name);
        if (id < 0) {
            xd_flat__problem(c, "arrays", "no field maps into an array '%s'", name);
            continue;
        }
        array_opts(c, name, val, id);
        const struct xd_flat__node *n = &c->m->nodes[id];
        if (n->key != NULL && !member_mapped(c->m, id, n->key)) {
            xd_flat__problem(c, "arrays", "no column maps the key '%s[].%s'", name, n->key);
        }
    }
}

/* --------------------------------------------------------------- records */

/* Nodes the mapped columns of <rec> touch, ancestors included, shallowest first. */
static void record_nodes(struct xd_flat__mctx *c, struct xd_flat__record *rec)
{
    const struct xd_flat_map *m = c->m;
    rec->home = -1;
    if (m->nnodes == 0) {
        return;
    }
    bool *used = xd_calloc(m->nnodes, sizeof *used);
    rec->nodes = xd_calloc(m->nnodes, sizeof *rec->nodes);
    rec->leaf = xd_calloc(m->nnodes, sizeof *rec->leaf);
    rec->key_field = xd_calloc(m->nnodes, sizeof *rec->key_field);
    if (used == NULL || rec->nodes == NULL || rec->leaf == NULL || rec->key_field == NULL) {
        xd_free(used);
        c->st = XD_ENOMEM;
        return;
    }
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct xd_flat__field *f = &rec->fields[i];
        for (int n = f->has_source && f->has_path ? f->path.node : -1; n >= 0;
             n = m->nodes[n].parent) {
            used[n] = true;
        }
    }
    for (size_t depth = 1; depth <= XD_FLAT_MAX_DEPTH; depth++) {
        for (size_t n = 0; n < m->nnodes; n++) {
            if (used[n] && m->nodes[n].depth == depth) {
                rec->nodes[rec->nnodes++] = (int)n;
            }
        }
    }
    xd_free(used);
    for (size_t k = 0; k < rec->nnodes; k++) {
        int n = rec->nodes[k];
        rec->leaf[k] = true;
        for (size_t j = 0; j < rec->nnodes; j++) {
            rec->leaf[k] = rec->leaf[k] && m->nodes[rec->nodes[j]].parent != n;
        }
        rec->key_field[k] = -1;
        for (size_t i = 0; m->nodes[n].key != NULL && i < rec->nfields; i++) {
            const struct xd_flat__field *f = &rec->fields[i];
            if (f->has_source && f->has_path && f->path.node == n &&
                f->path.rel + 1 == f->path.nseg &&
                strcmp(f->path.seg[f->path.rel].name, m->nodes[n].key) == 0) {
                rec->key_field[k] = (int)i;
                break;
            }
        }
    }
    /* One chain from the root down: one node per depth. */
    bool chain = true;
    for (size_t k = 0; k < rec->nnodes; k++) {
        chain = chain && m->nodes[rec->nodes[k]].depth == k + 1 &&
                (k == 0 || m->nodes[rec->nodes[k]].parent == rec->nodes[k - 1]);
    }
    rec->home = chain && rec->nnodes > 0 ? rec->nodes[rec->nnodes - 1] : -1;
    if (!chain && c->records != NULL) {
        xd_flat__problem(c, "records", "record '%s' maps arrays that are not nested in each other",
                         rec->tag ? rec->tag : "");
    }
}

static void check_records(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    size_t headers = 0;
    size_t first = 0;
    for (size_t r = 0; r < m->nrecords && c->st == XD_OK; r++) {
        struct xd_flat__record *rec = &m->records[r];
        rec->first = first;
        first += rec->nfields;
        record_nodes(c, rec);
        headers += rec->role == XD_FLAT__HEADER;
        if ((rec->role == XD_FLAT__HEADER || rec->role == XD_FLAT__TRAILER) && rec->nnodes > 0) {
            xd_flat__problem(c, "records", "%s record '%s' cannot map array values",
                             rec->role == XD_FLAT__HEADER ? "header" : "trailer", rec->tag);
        }
        for (size_t k = 0; k < r; k++) {
            if (rec->tag && m->records[k].tag && strcmp(rec->tag, m->records[k].tag) == 0) {
                xd_flat__problem(c, "records", "tag '%s' is used twice", rec->tag);
            }
        }
    }
    if (c->records != NULL && !m->has_tag) {
        xd_flat__problem(c, "record_tag", "is required with records");
    }
    if (c->records == NULL && m->has_tag) {
        xd_flat__problem(c, "record_tag", "needs records");
    }
    if (headers > 1) {
        xd_flat__problem(c, "records", "only one record type can have the role header");
    }
    if (headers > 0) {
        if (c->group != NULL) {
            xd_flat__problem(c, "group", "header records already start documents");
        }
        m->group = XD_FLAT__GROUP_HEADER;
    } else if (c->records != NULL && m->nrecords > 1 && c->group == NULL) {
        xd_flat__problem(c, "group", "is required when no record has the role header");
    }
}

/* ----------------------------------------------------------------- group */

static void parse_group(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    if (c->group == NULL) {
        return;
    }
    if (!json_is_object(c->group)) {
        xd_flat__problem(c, "group", "must be an object");
        return;
    }
    static const char *const modes[] = {
        [XD_FLAT__GROUP_ROW] = "row",
        [XD_FLAT__GROUP_FILE] = "file",
        [XD_FLAT__GROUP_CONSECUTIVE] = "consecutive",
        [XD_FLAT__GROUP_ALL] = "all",
    };
    const char *mode = json_string_value(json_object_get(c->group, "mode"));
    size_t k = 0;
    while (k < XD_ARRAY_LEN(modes) && (mode == NULL || strcmp(mode, modes[k]) != 0)) {
        k++;
    }
    if (k == XD_ARRAY_LEN(modes)) {
        xd_flat__problem(c, "group.mode", "must be one of: row, file, consecutive, all");
        return;
    }
    m->group = (enum xd_flat__group)k;
    const json_t *by = json_object_get(c->group, "by");
    bool keyed = m->group == XD_FLAT__GROUP_CONSECUTIVE || m->group == XD_FLAT__GROUP_ALL;
    if (json_object_size(c->group) != 1 + (by != NULL)) {
        xd_flat__problem(c, "group", "knows only mode and by");
    }
    if (keyed != (by != NULL)) {
        xd_flat__problem(c, "group.by", keyed ? "is required for mode %s" : "does not fit mode %s",
                         mode);
        return;
    }
    if (!keyed) {
        return;
    }
    if (!json_is_array(by) || json_array_size(by) == 0 || json_array_size(by) > 8) {
        xd_flat__problem(c, "group.by", "must be a list of 1 to 8 document paths");
        return;
    }
    m->keys.v = xd_calloc(json_array_size(by), sizeof *m->keys.v);
    if (m->keys.v == NULL) {
        c->st = XD_ENOMEM;
        return;
    }
    for (size_t i = 0; i < json_array_size(by); i++) {
        const char *p = json_string_value(json_array_get(by, i));
        bool mapped = false;
        for (size_t g = 0; g < m->nfields; g++) {
            struct xd_flat__field *f = field_at(m, g);
            mapped = mapped || (p != NULL && f->has_source && f->has_path && f->path.node < 0 &&
                                strcmp(f->path.text, p) == 0);
        }
        if (!mapped) {
            xd_flat__problem(c, "group.by", "'%s' is not a document-level path of a mapped column",
                             p ? p : "(not a string)");
            continue;
        }
        m->keys.v[m->keys.n] = xd_strdup(p);
        if (m->keys.v[m->keys.n++] == NULL) {
            c->st = XD_ENOMEM;
            return;
        }
    }
}

static void group_fields(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    for (size_t r = 0; r < m->nrecords && m->keys.n > 0; r++) {
        struct xd_flat__record *rec = &m->records[r];
        rec->group_field = xd_calloc(m->keys.n, sizeof *rec->group_field);
        if (rec->group_field == NULL) {
            c->st = XD_ENOMEM;
            return;
        }
        for (size_t k = 0; k < m->keys.n; k++) {
            rec->group_field[k] = -1;
            for (size_t i = 0; i < rec->nfields && rec->group_field[k] < 0; i++) {
                const struct xd_flat__field *f = &rec->fields[i];
                if (f->has_source && f->has_path && strcmp(f->path.text, m->keys.v[k]) == 0) {
                    rec->group_field[k] = (int)i;
                }
            }
        }
    }
}

/* ------------------------------------------------------------ CSV layout */

/* Columns are told apart as the reader does: ASCII case does not count. */
static int column_index(const struct xd_flat__strings *cols, const char *name)
{
    for (size_t i = 0; i < cols->n; i++) {
        if (strcasecmp(cols->v[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Without csv.columns the layout is the named columns in the order the fields name them. */
static void derive_columns(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    m->columns.v = xd_calloc(m->nfields, sizeof *m->columns.v);
    if (m->columns.v == NULL) {
        c->st = XD_ENOMEM;
        return;
    }
    for (size_t g = 0; g < m->nfields; g++) {
        struct xd_flat__field *f = field_at(m, g);
        if (f->column != NULL && column_index(&m->columns, f->column) < 0) {
            m->columns.v[m->columns.n] = xd_strdup(f->column);
            if (m->columns.v[m->columns.n++] == NULL) {
                c->st = XD_ENOMEM;
                return;
            }
        }
    }
}

bool xd_flat__column_name_ok(const char *name)
{
    struct xd_slice s = xd_slice_from_cstr(name);
    return s.len > 0 && xd_slice_trim(s).len == s.len && strncmp(name, "\xEF\xBB\xBF", 3) != 0;
}

/* Names the reader can find (xd_flat__column_name_ok), none twice. */
static void check_names(struct xd_flat__mctx *c)
{
    const struct xd_flat__strings *cols = &c->m->columns;
    for (size_t i = 0; i < cols->n; i++) {
        if (!xd_flat__column_name_ok(cols->v[i])) {
            xd_flat__problem(c, "csv.columns",
                             "'%s' is empty, has blanks around it or begins with a byte order mark",
                             cols->v[i]);
        }
        for (size_t k = 0; k < i; k++) {
            if (strcasecmp(cols->v[k], cols->v[i]) == 0) {
                xd_flat__problem(c, "csv.columns", "'%s' is there twice", cols->v[i]);
            }
        }
    }
}

static void csv_layout(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    check_names(c);
    bool named = false, positioned = false;
    for (size_t g = 0; g < m->nfields; g++) {
        struct xd_flat__field *f = field_at(m, g);
        named = named || f->column != NULL;
        positioned = positioned || (f->has_source && f->column == NULL);
    }
    if (m->columns.v == NULL && named && positioned) {
        xd_flat__problem(c, "csv.columns",
                         "is required when fields mix column names and positions");
        return;
    }
    if (m->header && m->columns.v == NULL && positioned) {
        xd_flat__problem(c, "csv.header", "a header row needs column names (csv.columns)");
        return;
    }
    if (m->columns.v == NULL && named) {
        derive_columns(c);
        if (c->st != XD_OK) {
            return;
        }
    }
    m->width = m->columns.n;
    for (size_t g = 0; g < m->nfields; g++) {
        struct xd_flat__field *f = field_at(m, g);
        if (!f->has_source) {
            continue;
        }
        int idx = f->column ? column_index(&m->columns, f->column) : (int)f->position - 1;
        if (idx < 0) {
            xd_flat__problem(c, "csv.columns", "has no column '%s'", f->column);
            continue;
        }
        f->col = (size_t)idx;
        if (f->col >= m->lim.fields) {
            xd_flat__problem(c, "limits.max_fields", "is less than the columns the map reads");
        }
        if (m->has_tag && f->col + 1 == m->tag_start) {
            xd_flat__problem(c, "record_tag", "column %zu also holds %s", m->tag_start, f->label);
        }
        m->width = f->col + 1 > m->width ? f->col + 1 : m->width;
    }
    if (m->has_tag) {
        if (json_object_get(c->tag, "position") == NULL || json_object_size(c->tag) != 1) {
            xd_flat__problem(c, "record_tag", "a CSV record tag has only a position");
        }
        m->width = m->tag_start > m->width ? m->tag_start : m->width;
    }
}

/* ------------------------------------------------------ fixed positions */

/* The positioned fields of <rec> by start, and the length of a written record. */
static void fixed_order(struct xd_flat__mctx *c, struct xd_flat__record *rec)
{
    const struct xd_flat_map *m = c->m;
    rec->width = m->has_tag ? m->tag_start + m->tag_length - 1 : 0;
    rec->order = xd_calloc(rec->nfields ? rec->nfields : 1, sizeof *rec->order);
    if (rec->order == NULL) {
        c->st = XD_ENOMEM;
        return;
    }
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct xd_flat__field *f = &rec->fields[i];
        if (!f->has_source) {
            continue;
        }
        size_t k = rec->norder++;
        while (k > 0 && rec->fields[rec->order[k - 1]].start > f->start) {
            rec->order[k] = rec->order[k - 1];
            k--;
        }
        rec->order[k] = i;
        size_t end = f->start + f->length - 1;
        rec->width = end > rec->width ? end : rec->width;
    }
    if (m->record_length > 0) {
        rec->width = m->record_length;
    }
}

static void fixed_layout(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    if (m->has_tag && json_object_get(c->tag, "position") != NULL) {
        xd_flat__problem(c, "record_tag", "a fixed-width record tag has a start and a length");
    }
    for (size_t r = 0; r < m->nrecords && c->st == XD_OK; r++) {
        struct xd_flat__record *rec = &m->records[r];
        fixed_order(c, rec);
        if (rec->tag != NULL && xd_flat__utf8_count(rec->tag, strlen(rec->tag)) > m->tag_length) {
            xd_flat__problem(c, "records", "tag '%s' is longer than record_tag.length", rec->tag);
        }
        for (size_t i = 0; i < rec->nfields; i++) {
            const struct xd_flat__field *f = &rec->fields[i];
            size_t end = f->start + f->length - 1;
            if (!f->has_source) {
                continue;
            }
            if (m->record_length > 0 && end > m->record_length) {
                xd_flat__problem(c, "fields", "%s ends past record_length %zu", f->label,
                                 m->record_length);
            }
            if (m->has_tag && f->start < m->tag_start + m->tag_length && m->tag_start <= end) {
                xd_flat__problem(c, "fields", "%s overlaps the record tag", f->label);
            }
            for (size_t j = 0; j < i; j++) {
                const struct xd_flat__field *g = &rec->fields[j];
                if (g->has_source && f->start <= g->start + g->length - 1 && g->start <= end) {
                    xd_flat__problem(c, "fields", "%s overlaps %s", f->label, g->label);
                }
            }
        }
    }
}

void xd_flat__map_layout(struct xd_flat__mctx *c)
{
    struct xd_flat_map *m = c->m;
    if (m->nfields > XD_FLAT_MAX_MAP_FIELDS) {
        xd_flat__problem(c, "fields", "a map has at most %zu fields", XD_FLAT_MAX_MAP_FIELDS);
        return;
    }
    build_nodes(c);
    if (c->st != XD_OK) {
        return;
    }
    path_conflicts(c);
    parse_arrays(c);
    check_records(c);
    parse_group(c);
    if (c->st != XD_OK || c->bad) {
        return;
    }
    group_fields(c);
    if (c->st != XD_OK) {
        return;
    }
    if (m->format == XD_FLAT__CSV) {
        csv_layout(c);
    } else {
        fixed_layout(c);
    }
}
