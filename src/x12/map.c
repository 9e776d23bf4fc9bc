/* SPDX-License-Identifier: MIT
 * The partner mapping of the X12 translator: which qualifier carries which canonical member
 * (item IDs, N1 entity codes, REF/N9 qualifiers, DTM/G62 qualifiers, QTY qualifiers), code
 * table overrides, unit of measure translation, location and party cross-references and a
 * few settings. Built from sensible defaults, optionally overridden by a JSON description
 * (docs/x12.md, "Mapping"), which may override again per canonical document type. Immutable
 * once built; may be shared by threads. Every string lives in the map's arena. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "x12/x12_tr.h"

#define MAP_ARENA_CAP ((size_t)16 << 20) /* a description is a few KB; this bounds hostile ones */
#define PATH_TEXT_MAX 160

/* ---- Defaults ------------------------------------------------------------------------------ */

#define ANY_DOC (-1)

struct def_entry {
    int doc; /* enum xd_canon_type the entry is for, or ANY_DOC */
    unsigned char cat;
    const char *member;
    const char *codes[XD_X12_MAP_MAX_CODES + 1];
};

/* Member names are canonical member names; "codes" entries are "list.code". The first code of
 * each list is the one written; all are accepted on reading. */
static const struct def_entry defaults[] = {
    /* In warehouse documents the depositor's item number (VN) is our SKU. */
    {XD_CANON_SHIPPING_ORDER, XD_X12__CAT_ITEM_IDS, "sku", {"VN", "SK"}},
    {XD_CANON_SHIPMENT_CONFIRMATION, XD_X12__CAT_ITEM_IDS, "sku", {"VN", "SK"}},
    {XD_CANON_RECEIPT, XD_X12__CAT_ITEM_IDS, "sku", {"VN", "SK"}},
    {XD_CANON_INVENTORY_SNAPSHOT, XD_X12__CAT_ITEM_IDS, "sku", {"VN", "SK"}},
    {XD_CANON_RECEIPT, XD_X12__CAT_PARTIES, "supplier", {"SF", "SU", "SE", "VN"}},
    {ANY_DOC, XD_X12__CAT_ITEM_IDS, "sku", {"SK"}},
    {ANY_DOC, XD_X12__CAT_ITEM_IDS, "vendor_part", {"VP", "VN", "VC"}},
    {ANY_DOC, XD_X12__CAT_ITEM_IDS, "buyer_part", {"BP", "IN", "CB"}},
    {ANY_DOC, XD_X12__CAT_ITEM_IDS, "customer_part", {"CB"}},
    {ANY_DOC, XD_X12__CAT_ITEM_IDS, "gtin", {"UK", "EN", "UP", "UA"}},
    {ANY_DOC, XD_X12__CAT_ITEM_IDS, "lot_number", {"LT"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "buyer", {"BY"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "supplier", {"SU", "SE", "VN"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "ship_to", {"ST"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "bill_to", {"BT"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "ship_from", {"SF"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "remit_to", {"RI"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "warehouse", {"WH"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "requester", {"BY"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "return_to", {"RT"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "carrier", {"CA"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "location_id", {"WH"}},
    /* 824: FR Message From, TO Message To */
    {ANY_DOC, XD_X12__CAT_PARTIES, "sender", {"FR"}},
    {ANY_DOC, XD_X12__CAT_PARTIES, "receiver", {"TO"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "bill_of_lading", {"BM"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "pro_number", {"CN"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "shipment_id", {"SI"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "asn_number", {"SI"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "tracking_number", {"2I"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "po_number", {"PO"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "po_line_number", {"LI"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "customer_line_number", {"LI"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "account_number", {"11"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "note", {"L1"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "lot_number", {"LT"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "reason", {"L1"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "serial_numbers", {"SE"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "original_po_number", {"PO"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "original_invoice_number", {"IV"}},
    {ANY_DOC, XD_X12__CAT_REFERENCES, "original_order_number", {"CO"}},
    {ANY_DOC, XD_X12__CAT_DATES, "requested_ship_date", {"010"}},
    {ANY_DOC, XD_X12__CAT_DATES, "requested_delivery_date", {"002"}},
    {ANY_DOC, XD_X12__CAT_DATES, "cancel_after_date", {"001"}},
    {ANY_DOC, XD_X12__CAT_DATES, "ship_date", {"011"}},
    {ANY_DOC, XD_X12__CAT_DATES, "estimated_delivery_date", {"017"}},
    {ANY_DOC, XD_X12__CAT_DATES, "expiry_date", {"036"}},
    {ANY_DOC, XD_X12__CAT_DATES, "production_date", {"405"}},
    {ANY_DOC, XD_X12__CAT_DATES, "confirmed_ship_date", {"068"}},
    {ANY_DOC, XD_X12__CAT_DATES, "confirmed_delivery_date", {"067"}},
    {ANY_DOC, XD_X12__CAT_DATES, "as_of", {"007"}},
    {ANY_DOC, XD_X12__CAT_DATES, "received_at", {"050"}},
    {ANY_DOC, XD_X12__CAT_DATES, "rma_date", {"324"}},
    /* 824: the advised document's own date, 097 Transaction Creation whatever its type */
    {ANY_DOC, XD_X12__CAT_DATES, "document_date", {"097"}},
    /* G62 (warehouse sets) qualifiers, element 432 */
    {ANY_DOC, XD_X12__CAT_DATES, "order_date.g62", {"04"}},
    {ANY_DOC, XD_X12__CAT_DATES, "requested_ship_date.g62", {"10"}},
    {ANY_DOC, XD_X12__CAT_DATES, "requested_delivery_date.g62", {"02"}},
    {ANY_DOC, XD_X12__CAT_DATES, "shipped_at.g62", {"11"}},
    {ANY_DOC, XD_X12__CAT_DATES, "received_at.g62", {"09"}},
    /* element 673: 17 Quantity on Hand, 33 Quantity Available for Sale (stock quantity) */
    {ANY_DOC, XD_X12__CAT_QUANTITIES, "on_hand", {"17"}},
    {ANY_DOC, XD_X12__CAT_QUANTITIES, "available", {"33"}},
    {ANY_DOC, XD_X12__CAT_QUANTITIES, "allocated", {"74"}},
    {ANY_DOC, XD_X12__CAT_QUANTITIES, "on_hold", {"76"}},
    {ANY_DOC, XD_X12__CAT_QUANTITIES, "in_transit", {"71"}},
    /* W1302 receiving condition codes (mutually defined defaults) */
    {ANY_DOC, XD_X12__CAT_QUANTITIES, "damaged_quantity", {"01"}},
    {ANY_DOC, XD_X12__CAT_QUANTITIES, "rejected_quantity", {"RJ"}},
};

static const char *const category_names[XD_X12__CAT_COUNT] = {
    "item_ids", "parties", "references", "dates", "quantities", "codes", "uom"};

/* ---- Storage ------------------------------------------------------------------------------- */

struct entry {
    const char *member;
    const char *codes[XD_X12_MAP_MAX_CODES];
    size_t n;
};

struct layer {
    struct entry *entries[XD_X12__CAT_COUNT];
    size_t n[XD_X12__CAT_COUNT];
    bool present;
};

struct xref {
    const char *id; /* location_id or party_id */
    const char *qualifier, *code;
};

struct xd_x12_map {
    struct xd_arena *arena;
    struct layer base;
    struct layer docs[XD_CANON_TYPE_COUNT];
    /* What lookups read: per document type and category, the explicit entries (the
     * document's, then the description's) and the defaults whose codes no explicit entry
     * claims, so "dates": {"cancel_after_date": "002"} takes 002 from the default. */
    struct layer effective[XD_CANON_TYPE_COUNT];
    struct xref *locations, *parties;
    size_t n_locations, n_parties;
    const char *assigned_qualifier; /* N103 written for assigned_id */
    const char *currency;           /* when a document that needs one has no CUR */
    const char *rma_status;         /* a 180 states no status: this one */
    int time_offset_min;            /* minutes east of UTC of times without a time code */
    bool hub_ids;                   /* write party_id/location_id as labelled references */
    /* The code lists with this map's overrides, compiled at the first use of each type by
     * any thread (xd_x12__map_code_lists) and kept until the map is destroyed. */
    _Atomic(struct xd_x12__codes *) codes[XD_CANON_TYPE_COUNT];
};

/* ---- Parsing ------------------------------------------------------------------------------- */

struct mctx {
    struct xd_x12_map *m;
    struct xd_diags *diags;
    enum xd_status st;
    bool bad;
};

static void problem(struct mctx *c, const char *path, const char *fmt, ...) XD_PRINTF(3, 4);

static void problem(struct mctx *c, const char *path, const char *fmt, ...)
{
    c->bad = true;
    if (c->diags == NULL) {
        return;
    }
    char msg[XD_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (xd_diags_add(c->diags, "map", path, "%s", msg) != XD_OK) {
        c->st = XD_ENOMEM;
    }
}

/* "<a>.<b>" or "<a>[<i>]" into <dst>; a path too long for it is cut (it only names a place). */
static void path_join(char *dst, size_t cap, const char *a, const char *b)
{
    int n = snprintf(dst, cap, "%s.%s", a, b);
    if (n < 0 || (size_t)n >= cap) {
        dst[cap - 1] = '\0';
    }
}

static void path_index(char *dst, size_t cap, const char *a, size_t i)
{
    int n = snprintf(dst, cap, "%s[%zu]", a, i);
    if (n < 0 || (size_t)n >= cap) {
        dst[cap - 1] = '\0';
    }
}

static const char *dup_str(struct mctx *c, const char *s)
{
    char *d = xd_arena_strdup(c->m->arena, s);
    if (d == NULL) {
        c->st = XD_ENOMEM;
    }
    return d;
}

/* A code: printable ASCII, no blank, 1 to XD_X12_MAP_CODE_MAX characters. */
static bool code_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] <= ' ' || s[i] > '~') {
            return false;
        }
    }
    return true;
}

/* "codes" members are "list.code" (nested objects in JSON); the others a string or a list of
 * strings. */
static void parse_codes(struct mctx *c, struct entry *e, const json_t *v, const char *path)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!code_ok(s, XD_X12_MAP_CODE_MAX)) {
            problem(c, path, "\"%s\" is not a code of 1 to %d printable characters", s,
                    XD_X12_MAP_CODE_MAX);
            return;
        }
        e->codes[e->n++] = dup_str(c, s);
        return;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > XD_X12_MAP_MAX_CODES) {
        problem(c, path, "must be a code or a list of 1 to %d codes", XD_X12_MAP_MAX_CODES);
        return;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        char p[PATH_TEXT_MAX];
        path_index(p, sizeof p, path, i);
        parse_codes(c, e, item, p);
    }
}

static struct entry *layer_add(struct mctx *c, struct layer *l, enum xd_x12__map_cat cat,
                               const char *member)
{
    if (l->n[cat] == XD_X12_MAP_MAX_ENTRIES) {
        problem(c, category_names[cat], "more than %d entries", XD_X12_MAP_MAX_ENTRIES);
        return NULL;
    }
    if (l->entries[cat] == NULL) {
        l->entries[cat] =
            xd_arena_calloc(c->m->arena, XD_X12_MAP_MAX_ENTRIES, sizeof *l->entries[cat]);
        if (l->entries[cat] == NULL) {
            c->st = XD_ENOMEM;
            return NULL;
        }
    }
    const char *name = dup_str(c, member);
    if (name == NULL) {
        return NULL;
    }
    struct entry *e = &l->entries[cat][l->n[cat]++];
    e->member = name;
    return e;
}

/* One category object: {"member": code or [codes] ...}; for "codes", {"list": {"member":
 * code or [codes]}}; for "uom", {"partner code": "canonical code"}. */
static void parse_category(struct mctx *c, struct layer *l, enum xd_x12__map_cat cat,
                           const json_t *obj, const char *path)
{
    if (!json_is_object(obj)) {
        problem(c, path, "must be an object");
        return;
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        char p[PATH_TEXT_MAX];
        path_join(p, sizeof p, path, key);
        if (cat == XD_X12__CAT_CODES && json_is_object(v)) {
            const char *k2;
            const json_t *v2;
            json_object_foreach((json_t *)v, k2, v2)
            {
                char member[PATH_TEXT_MAX], p2[PATH_TEXT_MAX];
                path_join(member, sizeof member, key, k2);
                path_join(p2, sizeof p2, p, k2);
                struct entry *e = layer_add(c, l, cat, member);
                if (e != NULL) {
                    parse_codes(c, e, v2, p2);
                }
            }
            continue;
        }
        struct entry *e = layer_add(c, l, cat, key);
        if (e != NULL) {
            parse_codes(c, e, v, p);
        }
    }
}

static int category_of(const char *name)
{
    for (int i = 0; i < XD_X12__CAT_COUNT; i++) {
        if (strcmp(category_names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static void parse_xrefs(struct mctx *c, const json_t *v, const char *id_name, struct xref **out,
                        size_t *n, const char *path)
{
    if (!json_is_array(v) || json_array_size(v) > XD_X12_MAP_MAX_XREF) {
        problem(c, path, "must be a list of at most %d entries", XD_X12_MAP_MAX_XREF);
        return;
    }
    *out = xd_arena_calloc(c->m->arena, json_array_size(v) + 1, sizeof **out);
    if (*out == NULL) {
        c->st = XD_ENOMEM;
        return;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        char p[PATH_TEXT_MAX];
        path_index(p, sizeof p, path, i);
        const char *id = json_string_value(json_object_get(item, id_name));
        const char *q = json_string_value(json_object_get(item, "qualifier"));
        const char *code = json_string_value(json_object_get(item, "id"));
        if (!json_is_object(item) || json_object_size(item) != 3 || id == NULL || q == NULL ||
            code == NULL || !code_ok(q, 3) || code[0] == '\0') {
            problem(c, p, "must be {\"%s\": ..., \"qualifier\": N103, \"id\": N104}", id_name);
            continue;
        }
        (*out)[*n] = (struct xref){dup_str(c, id), dup_str(c, q), dup_str(c, code)};
        (*n)++;
    }
}

/* "Z", "+HH:MM" or "-HH:MM". */
static bool parse_offset(const char *s, int *minutes)
{
    if (strcmp(s, "Z") == 0) {
        *minutes = 0;
        return true;
    }
    if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') {
        return false;
    }
    int64_t h, m;
    if (xd_parse_i64(s + 1, 2, 0, 23, &h) != XD_OK || xd_parse_i64(s + 4, 2, 0, 59, &m) != XD_OK) {
        return false;
    }
    *minutes = (int)(h * 60 + m) * (s[0] == '-' ? -1 : 1);
    return true;
}

static void parse_setting(struct mctx *c, const char *key, const json_t *v, const char *path)
{
    struct xd_x12_map *m = c->m;
    const char *s = json_string_value(v);
    if (strcmp(key, "hub_ids") == 0) {
        if (!json_is_boolean(v)) {
            problem(c, path, "must be true or false");
        }
        m->hub_ids = json_is_true(v);
    } else if (strcmp(key, "time_offset") == 0) {
        if (s == NULL || !parse_offset(s, &m->time_offset_min)) {
            problem(c, path, "must be \"Z\" or \"+HH:MM\" / \"-HH:MM\"");
        }
    } else if (strcmp(key, "assigned_id_qualifier") == 0 && s != NULL && code_ok(s, 3)) {
        m->assigned_qualifier = dup_str(c, s);
    } else if (strcmp(key, "currency") == 0 && s != NULL && strlen(s) == 3) {
        m->currency = dup_str(c, s);
    } else if (strcmp(key, "rma_status") == 0 && s != NULL &&
               xd_canon_code_valid("rma_status", s)) {
        m->rma_status = dup_str(c, s);
    } else {
        problem(c, path, "unknown setting or bad value (see docs/x12.md, Mapping)");
    }
}

static void parse_layer(struct mctx *c, struct layer *l, const json_t *obj, const char *path,
                        bool root);

static void parse_documents(struct mctx *c, const json_t *v, const char *path)
{
    if (!json_is_object(v)) {
        problem(c, path, "must be an object of document types");
        return;
    }
    const char *key;
    const json_t *doc;
    json_object_foreach((json_t *)v, key, doc)
    {
        char p[PATH_TEXT_MAX];
        path_join(p, sizeof p, path, key);
        enum xd_canon_type t;
        if (xd_canon_type_parse(key, strlen(key), &t) != XD_OK) {
            problem(c, p, "not a canonical document type");
            continue;
        }
        parse_layer(c, &c->m->docs[t], doc, p, false);
    }
}

static void parse_layer(struct mctx *c, struct layer *l, const json_t *obj, const char *path,
                        bool root)
{
    if (!json_is_object(obj)) {
        problem(c, path, "must be an object");
        return;
    }
    l->present = true;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        char p[PATH_TEXT_MAX];
        path_join(p, sizeof p, path, key);
        int cat = category_of(key);
        if (cat >= 0) {
            parse_category(c, l, (enum xd_x12__map_cat)cat, v, p);
        } else if (!root) {
            problem(c, p,
                    "unknown member (a document may override item_ids, parties, "
                    "references, dates, quantities, codes and uom)");
        } else if (strcmp(key, "documents") == 0) {
            parse_documents(c, v, p);
        } else if (strcmp(key, "locations") == 0) {
            parse_xrefs(c, v, "location_id", &c->m->locations, &c->m->n_locations, p);
        } else if (strcmp(key, "party_ids") == 0) {
            parse_xrefs(c, v, "party_id", &c->m->parties, &c->m->n_parties, p);
        } else {
            parse_setting(c, key, v, p);
        }
    }
}

static void build_effective(struct mctx *c, enum xd_canon_type t);

enum xd_status xd_x12_map_create(const struct json_t *spec, struct xd_x12_map **out,
                                 struct xd_diags *diags)
{
    struct xd_x12_map *m = xd_calloc(1, sizeof *m);
    if (m == NULL) {
        return XD_ENOMEM;
    }
    m->arena = xd_arena_create(0, MAP_ARENA_CAP);
    if (m->arena == NULL) {
        xd_free(m);
        return XD_ENOMEM;
    }
    m->assigned_qualifier = "92";
    m->currency = "USD"; /* X12 amounts without CUR are in the trading agreement's, USD here */
    m->rma_status = "requested";
    m->hub_ids = true;
    struct mctx c = {m, diags, XD_OK, false};
    if (spec != NULL) {
        parse_layer(&c, &m->base, spec, "$", true);
    }
    for (int t = 0; t < XD_CANON_TYPE_COUNT && c.st == XD_OK && !c.bad; t++) {
        build_effective(&c, (enum xd_canon_type)t);
    }
    if (c.st != XD_OK || c.bad) {
        xd_x12_map_destroy(m);
        return c.st != XD_OK ? c.st : XD_EINVAL;
    }
    *out = m;
    return XD_OK;
}

void xd_x12_map_destroy(struct xd_x12_map *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        xd_x12__codes_destroy(atomic_load(&m->codes[t]));
    }
    xd_arena_destroy(m->arena);
    xd_free(m);
}

enum xd_status xd_x12__map_code_lists(const struct xd_x12_map *m, enum xd_canon_type t,
                                      const struct xd_x12__codes **out)
{
    /* A memo: the map stays logically unchanged, and threads that share it may race to compile
     * the same lists; the first to publish wins and the others free their copies. */
    _Atomic(struct xd_x12__codes *) *slot = &((struct xd_x12_map *)m)->codes[t];
    struct xd_x12__codes *c = atomic_load_explicit(slot, memory_order_acquire);
    if (c == NULL) {
        struct xd_x12__codes *fresh = NULL;
        enum xd_status st = xd_x12__codes_create(m, t, &fresh);
        if (st != XD_OK) {
            return st;
        }
        if (atomic_compare_exchange_strong_explicit(slot, &c, fresh, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            c = fresh;
        } else {
            xd_x12__codes_destroy(fresh);
        }
    }
    *out = c;
    return XD_OK;
}

/* ---- Lookups ------------------------------------------------------------------------------- */

static const struct entry *layer_find(const struct layer *l, enum xd_x12__map_cat cat,
                                      const char *member)
{
    for (size_t i = 0; i < l->n[cat]; i++) {
        if (strcmp(l->entries[cat][i].member, member) == 0) {
            return &l->entries[cat][i];
        }
    }
    return NULL;
}

size_t xd_x12__map_codes(const struct xd_x12_map *m, enum xd_canon_type t, enum xd_x12__map_cat cat,
                         const char *member, const char *const **codes)
{
    *codes = NULL;
    if (m == NULL || (size_t)t >= XD_CANON_TYPE_COUNT) {
        return 0;
    }
    const struct entry *e = layer_find(&m->effective[t], cat, member);
    if (e == NULL) {
        return 0;
    }
    *codes = e->codes;
    return e->n;
}

/* ---- The effective tables ------------------------------------------------------------------ */

static bool claimed(const struct layer *l, enum xd_x12__map_cat cat, const char *code)
{
    for (size_t i = 0; i < l->n[cat]; i++) {
        for (size_t k = 0; k < l->entries[cat][i].n; k++) {
            if (strcmp(l->entries[cat][i].codes[k], code) == 0) {
                return true;
            }
        }
    }
    return false;
}

static void add_effective(struct mctx *c, struct layer *eff, enum xd_x12__map_cat cat,
                          const char *member, const char *const *codes, size_t n,
                          const struct layer *explicit_layers, size_t nlayers)
{
    if (layer_find(eff, cat, member) != NULL) {
        return; /* an explicit entry of a nearer layer wins */
    }
    struct entry *e = layer_add(c, eff, cat, member);
    for (size_t i = 0; e != NULL && i < n; i++) {
        bool taken = false;
        for (size_t k = 0; k < nlayers && explicit_layers != NULL; k++) {
            taken = taken || claimed(&explicit_layers[k], cat, codes[i]);
        }
        if (!taken) {
            e->codes[e->n++] = codes[i];
        }
    }
}

static void build_effective(struct mctx *c, enum xd_canon_type t)
{
    struct xd_x12_map *m = c->m;
    struct layer *eff = &m->effective[t];
    const struct layer layers[2] = {m->docs[t], m->base};
    for (int cat = 0; cat < XD_X12__CAT_COUNT; cat++) {
        for (size_t l = 0; l < 2; l++) {
            for (size_t i = 0; i < layers[l].n[cat]; i++) {
                const struct entry *e = &layers[l].entries[cat][i];
                add_effective(c, eff, (enum xd_x12__map_cat)cat, e->member, e->codes, e->n, NULL,
                              0);
            }
        }
        for (size_t i = 0; i < XD_ARRAY_LEN(defaults); i++) {
            const struct def_entry *d = &defaults[i];
            size_t n = 0;
            while (n < XD_X12_MAP_MAX_CODES && d->codes[n] != NULL) {
                n++;
            }
            if (d->cat == cat && (d->doc == ANY_DOC || d->doc == (int)t)) {
                add_effective(c, eff, (enum xd_x12__map_cat)cat, d->member, d->codes, n, layers, 2);
            }
        }
    }
}

/* Partner unit <code> in canonical terms (the map's "uom" table), else <code> itself. */
const char *xd_x12__map_uom_in(const struct xd_x12_map *m, enum xd_canon_type t, const char *code)
{
    for (int pass = 0; m != NULL && pass < 2; pass++) {
        const struct layer *l =
            pass == 0 && (size_t)t < XD_CANON_TYPE_COUNT ? &m->docs[t] : &m->base;
        const struct entry *e = layer_find(l, XD_X12__CAT_UOM, code);
        if (e != NULL && e->n > 0) {
            return e->codes[0];
        }
    }
    return code;
}

/* Canonical unit <code> as the partner writes it: the first "uom" entry that maps to it. */
const char *xd_x12__map_uom_out(const struct xd_x12_map *m, enum xd_canon_type t, const char *code)
{
    for (int pass = 0; m != NULL && pass < 2; pass++) {
        const struct layer *l =
            pass == 0 && (size_t)t < XD_CANON_TYPE_COUNT ? &m->docs[t] : &m->base;
        for (size_t i = 0; i < l->n[XD_X12__CAT_UOM]; i++) {
            const struct entry *e = &l->entries[XD_X12__CAT_UOM][i];
            if (e->n > 0 && strcmp(e->codes[0], code) == 0) {
                return e->member;
            }
        }
    }
    return code;
}

static const struct xref *xref_by_code(const struct xref *x, size_t n, const char *qualifier,
                                       const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(x[i].qualifier, qualifier) == 0 && strcmp(x[i].code, code) == 0) {
            return &x[i];
        }
    }
    return NULL;
}

static const struct xref *xref_by_id(const struct xref *x, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(x[i].id, id) == 0) {
            return &x[i];
        }
    }
    return NULL;
}

const char *xd_x12__map_xref_id(const struct xd_x12_map *m, bool location, const char *qualifier,
                                const char *code)
{
    if (m == NULL) {
        return NULL;
    }
    const struct xref *x = location ? xref_by_code(m->locations, m->n_locations, qualifier, code)
                                    : xref_by_code(m->parties, m->n_parties, qualifier, code);
    return x ? x->id : NULL;
}

bool xd_x12__map_xref_code(const struct xd_x12_map *m, bool location, const char *id,
                           const char **qualifier, const char **code)
{
    if (m == NULL) {
        return false;
    }
    const struct xref *x = location ? xref_by_id(m->locations, m->n_locations, id)
                                    : xref_by_id(m->parties, m->n_parties, id);
    if (x == NULL) {
        return false;
    }
    *qualifier = x->qualifier;
    *code = x->code;
    return true;
}

const char *xd_x12__map_assigned_qualifier(const struct xd_x12_map *m)
{
    return m ? m->assigned_qualifier : "92";
}

const char *xd_x12__map_currency(const struct xd_x12_map *m)
{
    return m ? m->currency : "USD";
}

const char *xd_x12__map_rma_status(const struct xd_x12_map *m)
{
    return m ? m->rma_status : "requested";
}

int xd_x12__map_time_offset(const struct xd_x12_map *m)
{
    return m ? m->time_offset_min : 0;
}

bool xd_x12__map_hub_ids(const struct xd_x12_map *m)
{
    return m == NULL || m->hub_ids;
}
