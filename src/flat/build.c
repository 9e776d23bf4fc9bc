/* SPDX-License-Identifier: MIT
 * Assembling documents from records. A record's values land at their paths; for each array a
 * path goes through, the record either continues the array's last element or appends one:
 *   - an array with a key (arrays.<path>.key) continues its last element while the key stays
 *     the same, and appends when it changes;
 *   - otherwise the deepest arrays of the record append and the arrays above them continue;
 *   - an element is made only for values the record has: empty columns make nothing.
 * Values already set stay (the first record of a document gives its header-level values). */
#include <string.h>

#include "flat/flat_int.h"

json_t *xd_flat__get(const struct xd_flat__seg *seg, size_t from, size_t nseg,
                     const json_t *container)
{
    json_t *v = (json_t *)container;
    for (size_t k = from; k < nseg && v != NULL; k++) {
        v = json_object_get(v, seg[k].name);
    }
    return v;
}

/* Member <name> of <obj>, made as an object or array when missing and <create> says so.
 * NULL when it is missing, of another kind, or cannot be made. */
static json_t *child(json_t *obj, const char *name, bool array, bool create)
{
    json_t *v = json_object_get(obj, name);
    if (v != NULL) {
        return (array ? json_is_array(v) : json_is_object(v)) ? v : NULL;
    }
    if (!create) {
        return NULL;
    }
    v = array ? json_array() : json_object();
    if (v == NULL || json_object_set_new(obj, name, v) != 0) {
        return NULL;
    }
    return v;
}

json_t *xd_flat__node_array(const struct xd_flat_map *m, int node, json_t *container, bool create)
{
    const struct xd_flat__node *n = &m->nodes[node];
    json_t *v = container;
    for (size_t k = n->from; k <= n->to && v != NULL; k++) {
        v = child(v, n->seg[k].name, k == n->to, create);
    }
    return v;
}

/* Set seg[from..nseg) below <container> to <value> unless something is there already. */
static enum xd_status set_if_absent(json_t *container, const struct xd_flat__seg *seg, size_t from,
                                    size_t nseg, json_t *value)
{
    json_t *obj = container;
    for (size_t k = from; k + 1 < nseg; k++) {
        obj = child(obj, seg[k].name, false, true);
        if (obj == NULL) {
            return XD_ENOMEM;
        }
    }
    if (json_object_get(obj, seg[nseg - 1].name) != NULL) {
        return XD_OK;
    }
    return json_object_set(obj, seg[nseg - 1].name, value) == 0 ? XD_OK : XD_ENOMEM;
}

/* True when a value of <rec> lies inside <node>'s elements. */
static bool has_values(const struct xd_flat_map *m, const struct xd_flat__record *rec,
                       json_t *const *vals, int node)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        if (vals[i] != NULL && xd_flat__node_within(m, rec->fields[i].path.node, node)) {
            return true;
        }
    }
    return false;
}

/* The element of rec->nodes[k] this record writes into, or NULL when it writes none there. */
static enum xd_status choose_element(const struct xd_flat_map *m, const struct xd_flat__record *rec,
                                     json_t *const *vals, size_t k, json_t *container,
                                     json_t **elem)
{
    int node = rec->nodes[k];
    *elem = NULL;
    if (container == NULL || !has_values(m, rec, vals, node)) {
        return XD_OK;
    }
    json_t *arr = xd_flat__node_array(m, node, container, true);
    if (arr == NULL) {
        return XD_ENOMEM;
    }
    size_t n = json_array_size(arr);
    json_t *last = n > 0 ? json_array_get(arr, n - 1) : NULL;
    bool reuse;
    if (rec->key_field[k] >= 0) {
        json_t *was = last ? json_object_get(last, m->nodes[node].key) : NULL;
        json_t *now = vals[rec->key_field[k]];
        reuse = last != NULL && (was == now || (was && now && json_equal(was, now)));
    } else {
        reuse = last != NULL && !rec->leaf[k];
    }
    if (reuse) {
        *elem = last;
        return XD_OK;
    }
    json_t *e = json_object();
    if (e == NULL || json_array_append_new(arr, e) != 0) {
        return XD_ENOMEM;
    }
    *elem = e;
    return XD_OK;
}

/* Set the values of <rec> that live in <container>, the element of <node> (-1: the document). */
static enum xd_status set_values(const struct xd_flat__record *rec, json_t *const *vals, int node,
                                 json_t *container)
{
    for (size_t i = 0; i < rec->nfields && container != NULL; i++) {
        const struct xd_flat__field *f = &rec->fields[i];
        if (vals[i] == NULL || f->path.node != node) {
            continue;
        }
        enum xd_status st =
            set_if_absent(container, f->path.seg, f->path.rel, f->path.nseg, vals[i]);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

enum xd_status xd_flat__apply(const struct xd_flat_map *m, const struct xd_flat__record *rec,
                              json_t *const *vals, json_t *doc)
{
    /* An element's own values before the arrays inside it, so documents read in the order of
     * their columns. */
    json_t *elem[XD_FLAT_MAX_NODES] = {NULL};
    enum xd_status st = set_values(rec, vals, -1, doc);
    for (size_t k = 0; k < rec->nnodes && st == XD_OK; k++) {
        int node = rec->nodes[k];
        int parent = m->nodes[node].parent;
        st = choose_element(m, rec, vals, k, parent < 0 ? doc : elem[parent], &elem[node]);
        if (st == XD_OK) {
            st = set_values(rec, vals, node, elem[node]);
        }
    }
    return st;
}

/* ---------------------------------------------------------- finishing */

typedef enum xd_status (*element_fn)(json_t *elem, size_t index, const void *arg);

/* Call fn on every element of <node>'s arrays in <doc>, with its index in its array. */
static enum xd_status each_element(const struct xd_flat_map *m, int node, json_t *doc,
                                   element_fn fn, const void *arg)
{
    int chain[XD_FLAT_MAX_DEPTH];
    size_t depth = m->nodes[node].depth;
    for (int n = node; n >= 0; n = m->nodes[n].parent) {
        chain[m->nodes[n].depth - 1] = n;
    }
    json_t *arr[XD_FLAT_MAX_DEPTH];
    size_t idx[XD_FLAT_MAX_DEPTH];
    size_t level = 0;
    arr[0] = xd_flat__node_array(m, chain[0], doc, false);
    idx[0] = 0;
    for (;;) {
        if (arr[level] == NULL || idx[level] >= json_array_size(arr[level])) {
            if (level == 0) {
                return XD_OK;
            }
            idx[--level]++;
            continue;
        }
        json_t *e = json_array_get(arr[level], idx[level]);
        if (level + 1 == depth) {
            enum xd_status st = json_is_object(e) ? fn(e, idx[level], arg) : XD_OK;
            if (st != XD_OK) {
                return st;
            }
            idx[level]++;
            continue;
        }
        level++;
        arr[level] = json_is_object(e) ? xd_flat__node_array(m, chain[level], e, false) : NULL;
        idx[level] = 0;
    }
}

/* The field's default or constant at its path below <container>, unless a value is there.
 * Documents get their own copy: the map's value is shared by every reader. */
static enum xd_status fill_at(json_t *container, const struct xd_flat__field *f, size_t from)
{
    json_t *copy = json_deep_copy(f->fill);
    if (copy == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = set_if_absent(container, f->path.seg, from, f->path.nseg, copy);
    json_decref(copy);
    return st;
}

static enum xd_status fill_element(json_t *elem, size_t index, const void *arg)
{
    (void)index;
    const struct xd_flat__field *f = arg;
    return fill_at(elem, f, f->path.rel);
}

static enum xd_status number_element(json_t *elem, size_t index, const void *arg)
{
    const char *member = arg;
    if (json_object_get(elem, member) != NULL) {
        return XD_OK;
    }
    return json_object_set_new(elem, member, json_integer((json_int_t)index + 1)) == 0 ? XD_OK
                                                                                       : XD_ENOMEM;
}

enum xd_status xd_flat__finish(const struct xd_flat_map *m, json_t *doc)
{
    enum xd_status st = XD_OK;
    for (size_t r = 0; r < m->nrecords && st == XD_OK; r++) {
        const struct xd_flat__record *rec = &m->records[r];
        for (size_t i = 0; i < rec->nfields && st == XD_OK; i++) {
            const struct xd_flat__field *f = &rec->fields[i];
            if (f->fill == NULL) {
                continue;
            }
            st = f->path.node < 0 ? fill_at(doc, f, 0)
                                  : each_element(m, f->path.node, doc, fill_element, f);
        }
    }
    for (size_t n = 0; n < m->nnodes && st == XD_OK; n++) {
        if (m->nodes[n].number != NULL) {
            st = each_element(m, (int)n, doc, number_element, m->nodes[n].number);
        }
    }
    return st;
}
