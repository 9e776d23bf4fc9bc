/* SPDX-License-Identifier: MIT
 * The inbound mapping, applied to a canonical document in JSON form before canon validates it:
 * code lists, unit spellings, item cross-references, unit conversions, location and party
 * codes. Works on the JSON tree so it serves every decoder alike (partner JSON, flat files,
 * X12 translation), and reports each change as a note and each failure as a problem, both with
 * the document's JSON path. Quantities stay exact decimals throughout. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "partner/partner_int.h"

#define MAP_DEPTH_MAX 32
#define CHAIN_MAX     32 /* conversion steps; more than there are units */
#define PRICE_SCALE   6

/* Members that hold a quantity in the object's uom, and prices per that uom. */
static const char *const quantity_members[] = {
    "quantity",          "ordered_quantity",  "confirmed_quantity", "backordered_quantity",
    "expected_quantity", "received_quantity", "damaged_quantity",   "rejected_quantity",
    "shipped_quantity",  "on_hand",           "available",          "allocated",
    "on_hold",           "in_transit",
};
static const char *const price_members[] = {"unit_price", "confirmed_unit_price"};

struct mctx {
    const struct xd_partner_profile *p;
    struct xd_diags *notes;
    struct xd_diags *problems;
    size_t n_problems;
    bool oom;
    struct xd_decimal qty_delta; /* change of top-level lines' quantity, for totals */
    bool qty_changed;
};

static void note(struct mctx *m, const char *code, const char *path, const char *fmt, ...)
    XD_PRINTF(4, 5);
static void problem(struct mctx *m, const char *code, const char *path, const char *fmt, ...)
    XD_PRINTF(4, 5);

static void add(struct xd_diags *d, bool *oom, const char *code, const char *path, const char *fmt,
                va_list ap) XD_PRINTF(5, 0);

static void add(struct xd_diags *d, bool *oom, const char *code, const char *path, const char *fmt,
                va_list ap)
{
    if (d == NULL) {
        return;
    }
    char msg[XD_ERROR_MESSAGE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (xd_diags_add(d, code, path, "%s", msg) != XD_OK) {
        *oom = true;
    }
}

static void note(struct mctx *m, const char *code, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(m->notes, &m->oom, code, path, fmt, ap);
    va_end(ap);
}

static void problem(struct mctx *m, const char *code, const char *path, const char *fmt, ...)
{
    m->n_problems++;
    va_list ap;
    va_start(ap, fmt);
    add(m->problems, &m->oom, code, path, fmt, ap);
    va_end(ap);
}

static const char *str_member(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void set_str(struct mctx *m, json_t *o, const char *key, const char *value)
{
    if (json_object_set_new(o, key, json_string(value)) != 0) {
        m->oom = true;
    }
}

static void set_decimal(struct mctx *m, json_t *o, const char *key, struct xd_decimal d)
{
    char buf[XD_DECIMAL_STR_MAX];
    size_t n = xd_decimal_format(d, buf, sizeof buf);
    if (json_object_set_new(o, key, json_stringn(buf, n)) != 0) {
        m->oom = true;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Conversion chains */

struct chain {
    const char *unit[CHAIN_MAX + 1];
    struct xd_decimal factor[CHAIN_MAX + 1]; /* from the start unit to unit[i] */
    size_t n;
};

/* Follow the conversions from <unit> for <sku>. XD_ETOOBIG when the factors overflow. */
static enum xd_status chain_build(const struct xd_partner_profile *p, const char *sku,
                                  const char *unit, struct chain *c)
{
    c->unit[0] = unit;
    c->factor[0] = xd_decimal_from_int(1);
    c->n = 1;
    const struct xd_partner_conversion *cv;
    while (c->n <= CHAIN_MAX &&
           (cv = xd_partner__conversion_next(p, sku, c->unit[c->n - 1])) != NULL) {
        struct xd_decimal f;
        enum xd_status st = xd_decimal_mul(c->factor[c->n - 1], cv->factor, &f);
        if (st != XD_OK) {
            return st;
        }
        c->unit[c->n] = cv->to;
        c->factor[c->n] = xd_decimal_normalize(f);
        c->n++;
    }
    return XD_OK;
}

enum xd_status xd_partner_convert(const struct xd_partner_profile *p, const char *sku,
                                  struct xd_decimal qty, const char *from, const char *to,
                                  struct xd_decimal *out, struct xd_error *err)
{
    struct chain a, b;
    if (chain_build(p, sku, from, &a) != XD_OK || chain_build(p, sku, to, &b) != XD_OK) {
        return xd_error_set(err, XD_ETOOBIG, "the conversion factors from %s to %s overflow", from,
                            to);
    }
    /* The first unit both chains reach: from -> X <- to. */
    for (size_t i = 0; i < a.n; i++) {
        for (size_t j = 0; j < b.n; j++) {
            if (strcmp(a.unit[i], b.unit[j]) != 0) {
                continue;
            }
            struct xd_decimal num, res, back;
            if (xd_decimal_mul(qty, a.factor[i], &num) != XD_OK ||
                xd_decimal_div(num, b.factor[j], PRICE_SCALE, XD_ROUND_HALF_EVEN, &res) != XD_OK ||
                xd_decimal_mul(res, b.factor[j], &back) != XD_OK) {
                return xd_error_set(err, XD_ETOOBIG, "converting from %s to %s overflows", from,
                                    to);
            }
            if (xd_decimal_cmp(back, num) != 0) {
                char q[XD_DECIMAL_STR_MAX], f[XD_DECIMAL_STR_MAX];
                xd_decimal_format(qty, q, sizeof q);
                xd_decimal_format(b.factor[j], f, sizeof f);
                return xd_error_set(err, XD_EINVAL,
                                    "%s %s is not a whole number of %s (1 %s = %s %s)", q, from, to,
                                    to, f, b.unit[j]);
            }
            *out = xd_decimal_normalize(res);
            return XD_OK;
        }
    }
    return xd_error_set(err, XD_ENOTFOUND, "no conversion joins %s and %s%s%s", from, to,
                        sku ? " for " : "", sku ? sku : "");
}

/* ------------------------------------------------------------------------------------------ */
/* One object of the document */

static bool has_item_ids(const json_t *o)
{
    static const char *const ids[] = {"sku", "vendor_part", "buyer_part", "gtin"};
    for (size_t i = 0; i < XD_ARRAY_LEN(ids); i++) {
        if (json_is_string(json_object_get(o, ids[i]))) {
            return true;
        }
    }
    return false;
}

static void map_uom(struct mctx *m, json_t *o, const char *path)
{
    const char *u = str_member(o, "uom");
    const struct xd_partner_units *units = &m->p->mapping.units;
    for (size_t i = 0; u != NULL && i < units->n_codes; i++) {
        if (strcmp(units->codes[i].key, u) == 0 && strcmp(units->codes[i].value, u) != 0) {
            note(m, "uom", path, "uom %s -> %s", u, units->codes[i].value);
            set_str(m, o, "uom", units->codes[i].value);
            return;
        }
    }
}

static void map_item(struct mctx *m, json_t *o, const char *path)
{
    if (!has_item_ids(o)) {
        return;
    }
    const char *sku = str_member(o, "sku");
    const char *vp = str_member(o, "vendor_part");
    const char *bp = str_member(o, "buyer_part");
    const char *gtin = str_member(o, "gtin");
    const char *x = xd_partner_item_sku(m->p, vp, bp, gtin);
    const char *by = vp != NULL && xd_partner_item_sku(m->p, vp, NULL, NULL) != NULL   ? vp
                     : bp != NULL && xd_partner_item_sku(m->p, NULL, bp, NULL) != NULL ? bp
                                                                                       : gtin;
    if (sku == NULL && x != NULL) {
        note(m, "item", path, "sku %s from cross-reference of %s", x, by);
        set_str(m, o, "sku", x);
    } else if (sku != NULL && x != NULL && strcmp(sku, x) != 0) {
        problem(m, "item_mismatch", path, "sku %s contradicts the cross-reference of %s (%s)", sku,
                by, x);
    } else if (sku == NULL && m->p->mapping.unknown_items == XD_PARTNER_UNKNOWN_ERROR) {
        problem(m, "item_unknown", path, "no sku and no cross-reference for %s %s",
                vp   ? "vendor_part"
                : bp ? "buyer_part"
                     : "gtin",
                vp   ? vp
                : bp ? bp
                     : gtin);
    }
}

static bool has_quantity(const json_t *o)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(quantity_members); i++) {
        if (json_is_string(json_object_get(o, quantity_members[i]))) {
            return true;
        }
    }
    return false;
}

/* Convert the object's quantities and prices along its uom's conversion chain. <line_level>:
 * a top-level line, whose quantity change the totals follow. */
static void map_units(struct mctx *m, json_t *o, const char *path, bool line_level)
{
    const char *uom = str_member(o, "uom");
    if (uom == NULL || !has_quantity(o)) {
        return;
    }
    const char *sku = str_member(o, "sku");
    struct chain c;
    if (chain_build(m->p, sku, uom, &c) != XD_OK) {
        problem(m, "conversion", path, "the conversion factors from %s overflow", uom);
        return;
    }
    if (c.n == 1) {
        return;
    }
    struct xd_decimal f = c.factor[c.n - 1];
    const char *to = c.unit[c.n - 1];
    char fb[XD_DECIMAL_STR_MAX];
    xd_decimal_format(f, fb, sizeof fb);
    char *from = xd_strdup(uom); /* <uom> points into the member about to be replaced */
    if (from == NULL) {
        m->oom = true;
        return;
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(quantity_members); i++) {
        const char *s = str_member(o, quantity_members[i]);
        struct xd_decimal q, r;
        if (s == NULL || xd_decimal_parse(s, strlen(s), XD_DECIMAL_LENIENT, &q) != XD_OK) {
            continue;
        }
        if (xd_decimal_mul(q, f, &r) != XD_OK) {
            problem(m, "conversion", path, "%s %s x %s overflows", quantity_members[i], s, fb);
            continue;
        }
        r = xd_decimal_normalize(r);
        if (line_level && strcmp(quantity_members[i], "quantity") == 0) {
            struct xd_decimal d;
            if (xd_decimal_sub(r, q, &d) == XD_OK &&
                xd_decimal_add(m->qty_delta, d, &m->qty_delta) == XD_OK) {
                m->qty_changed = true;
            }
        }
        char rb[XD_DECIMAL_STR_MAX];
        xd_decimal_format(r, rb, sizeof rb);
        note(m, "unit", path, "%s %s %s -> %s %s (1 %s = %s %s%s%s)", quantity_members[i], s, from,
             rb, to, from, fb, to, sku ? ", " : "", sku ? sku : "");
        set_decimal(m, o, quantity_members[i], r);
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(price_members); i++) {
        const char *s = str_member(o, price_members[i]);
        struct xd_decimal pr, r;
        if (s == NULL || xd_decimal_parse(s, strlen(s), XD_DECIMAL_LENIENT, &pr) != XD_OK) {
            continue;
        }
        if (xd_decimal_div(pr, f, PRICE_SCALE, XD_ROUND_HALF_EVEN, &r) != XD_OK) {
            problem(m, "conversion", path, "%s %s / %s cannot be computed", price_members[i], s,
                    fb);
            continue;
        }
        r = xd_decimal_normalize(r);
        struct xd_decimal back;
        bool exact = xd_decimal_mul(r, f, &back) == XD_OK && xd_decimal_cmp(back, pr) == 0;
        char rb[XD_DECIMAL_STR_MAX];
        xd_decimal_format(r, rb, sizeof rb);
        note(m, "unit", path, "%s %s per %s -> %s per %s%s", price_members[i], s, from, rb, to,
             exact ? "" : " (rounded half-even to 6 decimals)");
        set_decimal(m, o, price_members[i], r);
    }
    set_str(m, o, "uom", to);
    xd_free(from);
}

static void map_places(struct mctx *m, json_t *o, const char *path)
{
    static const char *const loc_members[] = {"location_id", "to_location_id"};
    for (size_t i = 0; i < XD_ARRAY_LEN(loc_members); i++) {
        const char *v = str_member(o, loc_members[i]);
        const char *ours = v != NULL ? xd_partner_location_id(m->p, v, NULL) : NULL;
        if (ours != NULL && strcmp(ours, v) != 0) {
            note(m, "location", path, "%s %s -> %s", loc_members[i], v, ours);
            set_str(m, o, loc_members[i], ours);
        }
    }
    /* A party reference (N1 loop): the partner's code, GLN or D-U-N-S name one of ours. */
    const char *code = str_member(o, "assigned_id");
    const char *gln = str_member(o, "gln");
    const char *duns = str_member(o, "duns");
    if (code == NULL && gln == NULL && duns == NULL) {
        return;
    }
    if (json_object_get(o, "location_id") == NULL) {
        const char *loc = xd_partner_location_id(m->p, code, gln);
        if (loc != NULL) {
            note(m, "location", path, "location_id %s from %s", loc, code ? code : gln);
            set_str(m, o, "location_id", loc);
        }
    }
    if (json_object_get(o, "party_id") == NULL) {
        const char *party = xd_partner_party_id(m->p, code, gln, duns);
        if (party != NULL) {
            note(m, "party", path, "party_id %s from %s", party, code ? code : gln ? gln : duns);
            set_str(m, o, "party_id", party);
        }
    }
}

static void walk(struct mctx *m, json_t *v, char *path, size_t len, size_t cap, size_t depth);

static void walk_object(struct mctx *m, json_t *o, char *path, size_t len, size_t cap, size_t depth)
{
    bool line_level = depth == 2 && strncmp(path, "$.lines[", 8) == 0;
    map_uom(m, o, path);
    map_item(m, o, path);
    map_units(m, o, path, line_level);
    map_places(m, o, path);
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val)
    {
        if (!json_is_object(val) && !json_is_array(val)) {
            continue;
        }
        int n = snprintf(path + len, cap - len, ".%s", key);
        if (n > 0 && (size_t)n < cap - len) {
            walk(m, val, path, len + (size_t)n, cap, depth + 1);
        }
        path[len] = '\0';
    }
}

static void walk(struct mctx *m, json_t *v, char *path, size_t len, size_t cap, size_t depth)
{
    if (depth > MAP_DEPTH_MAX || m->oom) {
        return;
    }
    if (json_is_object(v)) {
        walk_object(m, v, path, len, cap, depth);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        int n = snprintf(path + len, cap - len, "[%zu]", i);
        if (n > 0 && (size_t)n < cap - len && (json_is_object(item) || json_is_array(item))) {
            walk(m, item, path, len + (size_t)n, cap, depth + 1);
        }
        path[len] = '\0';
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Code lists: by member path, "lines[].status". */

static void code_at(struct mctx *m, const struct xd_partner_code_list *cl, json_t *v,
                    const char *rest, char *path, size_t len, size_t cap)
{
    size_t seg = strcspn(rest, ".[");
    char name[80];
    if (seg == 0 || seg >= sizeof name || !json_is_object(v)) {
        return;
    }
    memcpy(name, rest, seg);
    name[seg] = '\0';
    rest += seg;
    json_t *child = json_object_get(v, name);
    int n = snprintf(path + len, cap - len, ".%s", name);
    if (child == NULL || n <= 0 || (size_t)n >= cap - len) {
        path[len] = '\0';
        return;
    }
    size_t nlen = len + (size_t)n;
    if (rest[0] == '[' && rest[1] == ']') {
        rest += rest[2] == '.' ? 3 : 2;
        size_t i;
        json_t *item;
        json_array_foreach(child, i, item)
        {
            int k = snprintf(path + nlen, cap - nlen, "[%zu]", i);
            if (k > 0 && (size_t)k < cap - nlen) {
                code_at(m, cl, item, rest, path, nlen + (size_t)k, cap);
            }
        }
        path[len] = '\0';
        return;
    }
    if (*rest == '.') {
        code_at(m, cl, child, rest + 1, path, nlen, cap);
        path[len] = '\0';
        return;
    }
    const char *code = json_string_value(child);
    if (code != NULL) {
        for (size_t i = 0; i < cl->n_map; i++) {
            if (strcmp(cl->map[i].key, code) == 0) {
                note(m, "code", path, "%s -> %s", code, cl->map[i].value);
                set_str(m, v, name, cl->map[i].value);
                path[len] = '\0';
                return;
            }
        }
        /* A value the list maps to is ours already (an X12 translation reads the X12 code
         * lists itself): nothing to map, nothing unknown. */
        bool ours = false;
        for (size_t i = 0; i < cl->n_map && !ours; i++) {
            ours = strcmp(cl->map[i].value, code) == 0;
        }
        if (!ours && cl->unknown == XD_PARTNER_UNKNOWN_ERROR) {
            problem(m, "code_unknown", path, "'%s' is not in the profile's code list for %s", code,
                    cl->path);
        }
    }
    path[len] = '\0';
}

/* ------------------------------------------------------------------------------------------ */

static void adjust_totals(struct mctx *m, json_t *doc)
{
    json_t *totals = json_object_get(doc, "totals");
    const char *s = str_member(totals, "total_quantity");
    struct xd_decimal t, r;
    if (!m->qty_changed || s == NULL ||
        xd_decimal_parse(s, strlen(s), XD_DECIMAL_LENIENT, &t) != XD_OK) {
        return;
    }
    if (xd_decimal_add(t, m->qty_delta, &r) != XD_OK) {
        problem(m, "conversion", "$.totals.total_quantity", "the converted total overflows");
        return;
    }
    r = xd_decimal_normalize(r);
    char rb[XD_DECIMAL_STR_MAX];
    xd_decimal_format(r, rb, sizeof rb);
    note(m, "unit", "$.totals.total_quantity", "%s -> %s (lines converted)", s, rb);
    set_decimal(m, totals, "total_quantity", r);
}

enum xd_status xd_partner_map_inbound(const struct xd_partner_profile *p, json_t *doc,
                                      struct xd_diags *notes, struct xd_diags *problems)
{
    const char *type = str_member(doc, "type");
    enum xd_canon_type t;
    if (!json_is_object(doc) || type == NULL ||
        xd_canon_type_parse(type, strlen(type), &t) != XD_OK) {
        return XD_EINVAL;
    }
    struct mctx m = {.p = p, .notes = notes, .problems = problems};
    m.qty_delta = xd_decimal_from_int(0);
    char path[XD_PARTNER__PATH_MAX] = "$";
    for (size_t i = 0; i < p->mapping.n_code_lists && !m.oom; i++) {
        const struct xd_partner_code_list *cl = &p->mapping.code_lists[i];
        if (cl->document == t) {
            code_at(&m, cl, doc, cl->path, path, 1, sizeof path);
        }
    }
    walk(&m, doc, path, 1, sizeof path, 0);
    adjust_totals(&m, doc);
    if (m.oom) {
        return XD_ENOMEM;
    }
    return m.n_problems > 0 ? XD_EINVALDOC : XD_OK;
}
