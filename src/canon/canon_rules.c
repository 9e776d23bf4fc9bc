/* SPDX-License-Identifier: MIT
 * Cross-field rules: what one member's definition cannot say (unique line numbers, totals that
 * add up, dates in order, a ship notice's pack hierarchy). A table of small functions, each bound
 * to the struct it looks at and described in one line for the reference. They run only on
 * documents whose members are each valid, so they can trust formats and presence flags. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "canon/canon_int.h"

/* --- Reporting below the current path -------------------------------------------------------- */

static size_t at(struct xd_canon__ctx *c, const char *member)
{
    return xd_canon__path_member(c, member, strlen(member));
}

/* "$...<array>[i].<member>" (member may be NULL). */
static size_t at_item(struct xd_canon__ctx *c, const char *array, size_t i, const char *member)
{
    size_t mark = at(c, array);
    xd_canon__path_index(c, i);
    if (member != NULL) {
        at(c, member);
    }
    return mark;
}

static const char *dec_str(struct xd_decimal d, char *buf)
{
    xd_decimal_format(d, buf, XD_DECIMAL_STR_MAX);
    return buf;
}

/* --- A set of item indexes keyed by a hash, for duplicate and reference checks --------------- */

typedef bool (*match_fn)(const void *items, size_t index, const void *key);

/* Sets of up to SET_INLINE / 2 items (nearly every document) live in the struct itself; only
 * larger ones allocate. */
#define SET_INLINE 64

struct index_set {
    size_t *slots; /* index + 1; 0 is empty */
    size_t mask;
    size_t inline_slots[SET_INLINE];
};

static bool set_init(struct xd_canon__ctx *c, struct index_set *s, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) {
        cap *= 2;
    }
    s->mask = cap - 1;
    if (cap <= SET_INLINE) {
        s->slots = s->inline_slots;
        memset(s->slots, 0, cap * sizeof *s->slots);
        return true;
    }
    s->slots = xd_calloc(cap, sizeof *s->slots);
    if (s->slots == NULL) {
        c->oom = true;
        return false;
    }
    return true;
}

static void set_cleanup(struct index_set *s)
{
    if (s->slots != s->inline_slots) {
        xd_free(s->slots);
    }
    s->slots = NULL;
}

/* Index of an earlier item matching <key>, or SIZE_MAX; with <add>, <index> joins the set when
 * none matches. */
static size_t set_find(struct index_set *s, uint64_t hash, const void *key, match_fn match,
                       const void *items, bool add, size_t index)
{
    for (size_t i = (size_t)hash & s->mask;; i = (i + 1) & s->mask) {
        if (s->slots[i] == 0) {
            if (add) {
                s->slots[i] = index + 1;
            }
            return SIZE_MAX;
        }
        if (match(items, s->slots[i] - 1, key)) {
            return s->slots[i] - 1;
        }
    }
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    }
    return (h ^ 0xff) * 1099511628211u;
}

static uint64_t hash_int(int64_t v)
{
    uint64_t x = (uint64_t)v * 0x9E3779B97F4A7C15u;
    return x ^ (x >> 29);
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* --- Shared checks ---------------------------------------------------------------------------- */

struct line_view {
    const char *items;
    size_t size;
    size_t offset;
};

static bool line_number_match(const void *items, size_t index, const void *key)
{
    const struct line_view *v = items;
    return *(const int64_t *)(const void *)(v->items + index * v->size + v->offset) ==
           *(const int64_t *)key;
}

/* Each line's line_number appears once in <array>. */
static void unique_line_numbers(struct xd_canon__ctx *c, const char *array, const void *items,
                                size_t n, size_t size, size_t offset)
{
    struct index_set s;
    if (n < 2 || !set_init(c, &s, n)) {
        return;
    }
    struct line_view v = {items, size, offset};
    for (size_t i = 0; i < n; i++) {
        const int64_t *num = (const int64_t *)(const void *)(v.items + i * size + offset);
        size_t prev = set_find(&s, hash_int(*num), num, line_number_match, &v, true, i);
        if (prev != SIZE_MAX) {
            size_t mark = at_item(c, array, i, "line_number");
            xd_canon__report(c, "duplicate", "line_number %lld is also used by %s[%zu]",
                             (long long)*num, array, prev);
            xd_canon__path_restore(c, mark);
        }
    }
    set_cleanup(&s);
}

#define UNIQUE_LINES(c, doc, array, type)                                                          \
    unique_line_numbers((c), #array, (doc)->array, (doc)->n_##array, sizeof(struct type),          \
                        offsetof(struct type, line_number))

/* <later> (a date) must not come before <earlier>; reported at <later_name>. */
static void date_order(struct xd_canon__ctx *c, const char *earlier_name, const char *earlier,
                       const char *later_name, const char *later)
{
    if (earlier != NULL && later != NULL && strcmp(later, earlier) < 0) {
        size_t mark = at(c, later_name);
        xd_canon__report(c, "order", "must not be before %s (%s)", earlier_name, earlier);
        xd_canon__path_restore(c, mark);
    }
}

static void require_one(struct xd_canon__ctx *c, bool ok, const char *what)
{
    if (!ok) {
        xd_canon__report(c, "missing", "must have at least one of %s", what);
    }
}

/* True when <given> equals <exact> rounded to <given>'s scale (half up or half even: partners
 * use both). */
static bool rounds_to(struct xd_decimal given, struct xd_decimal exact)
{
    struct xd_decimal r;
    if (xd_decimal_rescale(exact, given.scale, XD_ROUND_HALF_UP, &r) == XD_OK &&
        xd_decimal_cmp(r, given) == 0) {
        return true;
    }
    return xd_decimal_rescale(exact, given.scale, XD_ROUND_HALF_EVEN, &r) == XD_OK &&
           xd_decimal_cmp(r, given) == 0;
}

/* Report at <member> when <given> is not <exact> as rounded to its scale. */
static void expect_amount(struct xd_canon__ctx *c, const char *member, struct xd_decimal given,
                          struct xd_decimal exact, const char *what)
{
    if (!rounds_to(given, exact)) {
        char g[XD_DECIMAL_STR_MAX], e[XD_DECIMAL_STR_MAX];
        size_t mark = at(c, member);
        xd_canon__report(c, "mismatch", "is %s but %s is %s", dec_str(given, g), what,
                         dec_str(exact, e));
        xd_canon__path_restore(c, mark);
    }
}

/* acc += v; false (and a report) when the sum does not fit. */
static bool add_to(struct xd_canon__ctx *c, struct xd_decimal *acc, struct xd_decimal v)
{
    if (xd_decimal_add(*acc, v, acc) != XD_OK) {
        xd_canon__report(c, "range", "a total does not fit in an exact decimal");
        return false;
    }
    return true;
}

/* A serial number per unit: their count must equal the quantity. */
static void serials_match(struct xd_canon__ctx *c, size_t n_serials, struct xd_decimal qty,
                          const char *qty_name)
{
    int64_t whole;
    if (n_serials > 0 &&
        (!xd_decimal_to_int(qty, &whole) || whole < 0 || (uint64_t)whole != (uint64_t)n_serials)) {
        char q[XD_DECIMAL_STR_MAX];
        size_t mark = at(c, "serial_numbers");
        xd_canon__report(c, "mismatch", "holds %zu serial numbers but %s is %s", n_serials,
                         qty_name, dec_str(qty, q));
        xd_canon__path_restore(c, mark);
    }
}

/* --- Shared parts ----------------------------------------------------------------------------- */

static void rule_party_ref(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_party_ref *p = obj;
    require_one(c, p->party_id || p->location_id || p->name || p->gln || p->duns || p->assigned_id,
                "party_id, location_id, name, gln, duns, assigned_id");
}

static void rule_carrier(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_carrier *k = obj;
    require_one(c, k->scac || k->name || k->service_level || k->transport_mode,
                "scac, name, service_level, transport_mode");
}

static void rule_contact(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_contact *k = obj;
    require_one(c, k->name || k->phone || k->email, "name, phone, email");
}

static void rule_payment_terms(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_payment_terms *t = obj;
    if (t->has_discount_percent != t->has_discount_days) {
        size_t mark = at(c, t->has_discount_percent ? "discount_days" : "discount_percent");
        xd_canon__report(c, "missing", "discount_percent and discount_days go together");
        xd_canon__path_restore(c, mark);
    }
}

static void rule_movement_refs(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_movement_refs *r = obj;
    require_one(c,
                r->order_number || r->shipment_id || r->po_number || r->asn_number ||
                    r->receipt_number || r->rma_number,
                "order_number, shipment_id, po_number, asn_number, receipt_number, rma_number");
}

#define ITEM_NAMED(l) ((l)->sku || (l)->vendor_part || (l)->buyer_part || (l)->gtin)
#define ITEM_RULE(type)                                                                            \
    static void rule_item_##type(struct xd_canon__ctx *c, const void *obj)                         \
    {                                                                                              \
        const struct xd_canon_##type *l = obj;                                                     \
        require_one(c, ITEM_NAMED(l), "sku, vendor_part, buyer_part, gtin");                       \
    }
ITEM_RULE(po_line)
ITEM_RULE(ack_line)
ITEM_RULE(asn_item)
ITEM_RULE(receipt_line)
ITEM_RULE(invoice_line)
ITEM_RULE(rma_line)

/* --- Master data ------------------------------------------------------------------------------ */

static void rule_identifier(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_identifier *id = obj;
    size_t len = strlen(id->value);
    bool digits = strspn(id->value, "0123456789") == len;
    const char *problem = NULL;
    if (strcmp(id->scheme, "gln") == 0 &&
        (len != 13 || !digits || !xd_canon__gs1_check_digit_ok(id->value, len))) {
        problem = "a GLN must be 13 digits with a valid check digit";
    } else if (strcmp(id->scheme, "duns") == 0 && (len != 9 || !digits)) {
        problem = "a D-U-N-S number must be 9 digits";
    } else if (strcmp(id->scheme, "duns_plus4") == 0 && (len != 13 || !digits)) {
        problem = "a D-U-N-S+4 number must be 13 digits";
    } else if (strcmp(id->scheme, "scac") == 0 &&
               (len < 2 || len > 4 || strspn(id->value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != len)) {
        problem = "a SCAC must be 2 to 4 capital letters";
    } else if (strcmp(id->scheme, "x12_isa") == 0 && len > 15) {
        problem = "an X12 interchange ID has at most 15 characters";
    }
    if (problem != NULL) {
        size_t mark = at(c, "value");
        xd_canon__report(c, "format", "%s", problem);
        xd_canon__path_restore(c, mark);
    }
    if (strcmp(id->scheme, "x12_isa") == 0 && id->qualifier == NULL) {
        size_t mark = at(c, "qualifier");
        xd_canon__report(c, "missing", "an x12_isa identifier needs its ISA05/ISA07 qualifier");
        xd_canon__path_restore(c, mark);
    }
}

static bool identifier_match(const void *items, size_t index, const void *key)
{
    const struct xd_canon_identifier *a = &((const struct xd_canon_identifier *)items)[index];
    const struct xd_canon_identifier *b = key;
    return strcmp(a->scheme, b->scheme) == 0 && strcmp(a->value, b->value) == 0 &&
           same_str(a->qualifier, b->qualifier);
}

static void rule_party(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_party *p = obj;
    struct index_set s;
    if (p->n_identifiers < 2 || !set_init(c, &s, p->n_identifiers)) {
        return;
    }
    for (size_t i = 0; i < p->n_identifiers; i++) {
        const struct xd_canon_identifier *id = &p->identifiers[i];
        uint64_t h = hash_str(hash_str(hash_str(14695981039346656037u, id->scheme), id->value),
                              id->qualifier);
        size_t prev = set_find(&s, h, id, identifier_match, p->identifiers, true, i);
        if (prev != SIZE_MAX) {
            size_t mark = at_item(c, "identifiers", i, NULL);
            xd_canon__report(c, "duplicate", "same identifier as identifiers[%zu]", prev);
            xd_canon__path_restore(c, mark);
        }
    }
    set_cleanup(&s);
}

static void rule_item(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_item *it = obj;
    for (size_t i = 0; i < it->n_packagings; i++) {
        const char *uom = it->packagings[i].uom;
        const char *problem = strcmp(uom, it->base_uom) == 0 ? "is the base_uom itself" : NULL;
        for (size_t k = 0; k < i && problem == NULL; k++) {
            problem = strcmp(uom, it->packagings[k].uom) == 0 ? "appears twice" : NULL;
        }
        if (problem != NULL) {
            size_t mark = at_item(c, "packagings", i, "uom");
            xd_canon__report(c, "duplicate", "packaging unit %s %s", uom, problem);
            xd_canon__path_restore(c, mark);
        }
    }
}

static void rule_location(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_location *l = obj;
    if (l->parent_location_id != NULL && strcmp(l->parent_location_id, l->location_id) == 0) {
        size_t mark = at(c, "parent_location_id");
        xd_canon__report(c, "inconsistent", "a location cannot be its own parent");
        xd_canon__path_restore(c, mark);
    }
}

/* --- Purchase order and acknowledgement ------------------------------------------------------- */

static void po_totals(struct xd_canon__ctx *c, const struct xd_canon_purchase_order *po)
{
    const struct xd_canon_po_totals *t = po->totals;
    struct xd_decimal qty = {0, 0}, amount = {0, 0};
    bool priced = true;
    for (size_t i = 0; i < po->n_lines; i++) {
        const struct xd_canon_po_line *l = &po->lines[i];
        struct xd_decimal ext;
        if (!add_to(c, &qty, l->quantity)) {
            return;
        }
        if (!l->has_unit_price) {
            priced = false;
        } else if (xd_decimal_mul(l->quantity, l->unit_price, &ext) != XD_OK ||
                   !add_to(c, &amount, ext)) {
            return;
        }
    }
    size_t mark = at(c, "totals");
    if (t->has_line_count && (uint64_t)t->line_count != (uint64_t)po->n_lines) {
        size_t m2 = at(c, "line_count");
        xd_canon__report(c, "mismatch", "is %lld but the order has %zu lines",
                         (long long)t->line_count, po->n_lines);
        xd_canon__path_restore(c, m2);
    }
    if (t->has_total_quantity) {
        expect_amount(c, "total_quantity", t->total_quantity, qty, "the sum of line quantities");
    }
    if (t->has_total_amount && priced) {
        expect_amount(c, "total_amount", t->total_amount, amount,
                      "the sum of quantity x unit_price");
    } else if (t->has_total_amount) {
        size_t m2 = at(c, "total_amount");
        xd_canon__report(c, "inconsistent", "is given but some lines have no unit_price");
        xd_canon__path_restore(c, m2);
    }
    xd_canon__path_restore(c, mark);
}

static void rule_purchase_order(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_purchase_order *po = obj;
    if (po->n_lines == 0 && strcmp(po->purpose, "cancel") != 0) {
        size_t mark = at(c, "lines");
        xd_canon__report(c, "missing", "an order needs lines unless its purpose is cancel");
        xd_canon__path_restore(c, mark);
    }
    UNIQUE_LINES(c, po, lines, xd_canon_po_line);
    date_order(c, "order_date", po->order_date, "requested_ship_date", po->requested_ship_date);
    date_order(c, "order_date", po->order_date, "requested_delivery_date",
               po->requested_delivery_date);
    date_order(c, "requested_ship_date", po->requested_ship_date, "requested_delivery_date",
               po->requested_delivery_date);
    date_order(c, "order_date", po->order_date, "cancel_after_date", po->cancel_after_date);
    bool priced = false;
    bool change = strcmp(po->purpose, "change") == 0;
    for (size_t i = 0; i < po->n_lines; i++) {
        priced = priced || po->lines[i].has_unit_price;
        size_t mark = at_item(c, "lines", i, NULL);
        date_order(c, "order_date", po->order_date, "requested_delivery_date",
                   po->lines[i].requested_delivery_date);
        if (po->lines[i].change != NULL && !change) {
            size_t m2 = at(c, "change");
            xd_canon__report(c, "inconsistent",
                             "only an order with purpose change has line "
                             "changes");
            xd_canon__path_restore(c, m2);
        }
        xd_canon__path_restore(c, mark);
    }
    if (priced && po->currency == NULL) {
        size_t mark = at(c, "currency");
        xd_canon__report(c, "missing", "lines have prices, so the order needs a currency");
        xd_canon__path_restore(c, mark);
    }
    if (po->totals != NULL) {
        po_totals(c, po);
    }
}

static void rule_ack_line(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_ack_line *l = obj;
    bool confirmed = l->has_confirmed_quantity || l->has_confirmed_unit_price ||
                     l->confirmed_ship_date || l->confirmed_delivery_date;
    if (strcmp(l->status, "changed") == 0 && !confirmed) {
        size_t mark = at(c, "status");
        xd_canon__report(c, "missing", "a changed line needs a confirmed quantity, price or date");
        xd_canon__path_restore(c, mark);
    }
    if (strcmp(l->status, "backordered") == 0 && !l->has_backordered_quantity &&
        !l->confirmed_ship_date && !l->confirmed_delivery_date) {
        size_t mark = at(c, "status");
        xd_canon__report(c, "missing",
                         "a backordered line needs backordered_quantity or a "
                         "confirmed date");
        xd_canon__path_restore(c, mark);
    }
    bool quantities =
        l->has_ordered_quantity || l->has_confirmed_quantity || l->has_backordered_quantity;
    if (quantities && l->uom == NULL) {
        size_t mark = at(c, "uom");
        xd_canon__report(c, "missing", "the line has quantities, so it needs their uom");
        xd_canon__path_restore(c, mark);
    }
}

static void rule_po_acknowledgement(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_po_acknowledgement *a = obj;
    UNIQUE_LINES(c, a, lines, xd_canon_ack_line);
    date_order(c, "po_date", a->po_date, "ack_date", a->ack_date);
    bool rejected = strcmp(a->status, "rejected") == 0;
    bool accepted = strcmp(a->status, "accepted") == 0;
    for (size_t i = 0; i < a->n_lines; i++) {
        const char *ls = a->lines[i].status;
        const char *problem = NULL;
        if (rejected && strcmp(ls, "rejected") != 0) {
            problem = "the order is rejected, so every line must be rejected";
        } else if (accepted && strcmp(ls, "accepted") != 0) {
            problem = "the order is accepted as is; use accepted_with_changes for line changes";
        }
        if (problem != NULL) {
            size_t mark = at_item(c, "lines", i, "status");
            xd_canon__report(c, "inconsistent", "%s", problem);
            xd_canon__path_restore(c, mark);
        }
    }
}

/* --- Ship notice ------------------------------------------------------------------------------ */

struct pack_ref {
    const struct xd_canon_asn_pack *pack;
    size_t order;
    size_t index;
    bool has_child;
};

static bool sscc_match(const void *items, size_t index, const void *key)
{
    return strcmp(((const struct pack_ref *)items)[index].pack->sscc, key) == 0;
}

static size_t report_pack(struct xd_canon__ctx *c, const struct pack_ref *r, const char *member)
{
    size_t mark = at_item(c, "orders", r->order, NULL);
    at_item(c, "packs", r->index, member);
    return mark;
}

/* SSCCs unique; parent_sscc names another pack, no loops, at most four levels; no empty pack;
 * package_count counts the outermost packs. */
static void asn_packs(struct xd_canon__ctx *c, const struct xd_canon_ship_notice *sn,
                      struct pack_ref *refs, size_t n, struct index_set *s)
{
    for (size_t i = 0; i < n; i++) {
        const char *sscc = refs[i].pack->sscc;
        if (sscc != NULL &&
            set_find(s, hash_str(0, sscc), sscc, sscc_match, refs, true, i) != SIZE_MAX) {
            size_t mark = report_pack(c, &refs[i], "sscc");
            xd_canon__report(c, "duplicate", "SSCC %s appears on more than one pack", sscc);
            xd_canon__path_restore(c, mark);
        }
    }
    size_t outer = 0;
    for (size_t i = 0; i < n; i++) {
        const char *parent = refs[i].pack->parent_sscc;
        size_t cur = i;
        int levels = 0;
        const char *problem = NULL;
        outer += parent == NULL;
        while (parent != NULL && problem == NULL) {
            size_t p = set_find(s, hash_str(0, parent), parent, sscc_match, refs, false, 0);
            if (p == SIZE_MAX) {
                problem = cur == i ? "names no pack of this shipment" : NULL;
                break;
            }
            refs[p].has_child = refs[p].has_child || cur == i;
            if (p == i) {
                problem = "leads back to this pack";
            } else if (++levels > 3) {
                problem = "nests packs more than four levels deep, or loops";
            }
            cur = p;
            parent = refs[p].pack->parent_sscc;
        }
        if (problem != NULL) {
            size_t mark = report_pack(c, &refs[i], "parent_sscc");
            xd_canon__report(c, "reference", "%s", problem);
            xd_canon__path_restore(c, mark);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (refs[i].pack->n_items == 0 && !refs[i].has_child) {
            size_t mark = report_pack(c, &refs[i], NULL);
            xd_canon__report(c, "missing", "a pack needs items or packs on it");
            xd_canon__path_restore(c, mark);
        }
    }
    if (sn->has_package_count && n > 0 && (uint64_t)sn->package_count != (uint64_t)outer) {
        size_t mark = at(c, "package_count");
        xd_canon__report(c, "mismatch", "is %lld but the shipment has %zu outermost packs",
                         (long long)sn->package_count, outer);
        xd_canon__path_restore(c, mark);
    }
}

static void rule_ship_notice(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_ship_notice *sn = obj;
    date_order(c, "ship_date", sn->ship_date, "estimated_delivery_date",
               sn->estimated_delivery_date);
    size_t n = 0;
    for (size_t o = 0; o < sn->n_orders; o++) {
        n += sn->orders[o].n_packs;
    }
    if (n == 0) {
        return;
    }
    struct pack_ref few[16];
    struct pack_ref *refs = n <= 16 ? few : xd_calloc(n, sizeof *refs);
    struct index_set s;
    if (refs == NULL) {
        c->oom = true;
        return;
    }
    if (!set_init(c, &s, n)) {
        if (refs != few) {
            xd_free(refs);
        }
        return;
    }
    size_t k = 0;
    for (size_t o = 0; o < sn->n_orders; o++) {
        for (size_t p = 0; p < sn->orders[o].n_packs; p++) {
            refs[k++] = (struct pack_ref){&sn->orders[o].packs[p], o, p, false};
        }
    }
    asn_packs(c, sn, refs, n, &s);
    set_cleanup(&s);
    if (refs != few) {
        xd_free(refs);
    }
}

static void rule_asn_order(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_asn_order *o = obj;
    if (o->n_packs == 0 && o->n_items == 0) {
        xd_canon__report(c, "missing", "an order needs packs or items");
    }
}

static void rule_asn_item(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_asn_item *it = obj;
    serials_match(c, it->n_serial_numbers, it->quantity, "quantity");
    date_order(c, "production_date", it->production_date, "expiry_date", it->expiry_date);
}

/* --- Receipt and invoice ---------------------------------------------------------------------- */

static void rule_receipt(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_receipt *r = obj;
    UNIQUE_LINES(c, r, lines, xd_canon_receipt_line);
}

static void rule_receipt_line(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_receipt_line *l = obj;
    struct xd_decimal out = {0, 0};
    if (l->has_damaged_quantity && !add_to(c, &out, l->damaged_quantity)) {
        return;
    }
    if (l->has_rejected_quantity && !add_to(c, &out, l->rejected_quantity)) {
        return;
    }
    if (xd_decimal_cmp(out, l->received_quantity) > 0) {
        size_t mark = at(c, "received_quantity");
        xd_canon__report(c, "inconsistent", "is less than damaged_quantity + rejected_quantity");
        xd_canon__path_restore(c, mark);
    }
    serials_match(c, l->n_serial_numbers, l->received_quantity, "received_quantity");
}

static void rule_invoice_line(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_invoice_line *l = obj;
    struct xd_decimal ext;
    if (xd_decimal_mul(l->quantity, l->unit_price, &ext) != XD_OK) {
        xd_canon__report(c, "range", "quantity x unit_price does not fit in an exact decimal");
        return;
    }
    if (l->has_amount) {
        expect_amount(c, "amount", l->amount, ext, "quantity x unit_price");
    }
}

/* Sum of <n> charges (or taxes: same layout of amount) into *sum; false when it overflows. */
static bool sum_amounts(struct xd_canon__ctx *c, const void *items, size_t n, size_t size,
                        size_t offset, struct xd_decimal *sum)
{
    *sum = (struct xd_decimal){0, 0};
    for (size_t i = 0; i < n; i++) {
        const struct xd_decimal *a = (const void *)((const char *)items + i * size + offset);
        if (!add_to(c, sum, *a)) {
            return false;
        }
    }
    return true;
}

static void invoice_totals(struct xd_canon__ctx *c, const struct xd_canon_invoice *inv)
{
    const struct xd_canon_invoice_totals *t = inv->totals;
    struct xd_decimal sub = {0, 0}, charges, allowances, taxes, ext, total;
    for (size_t i = 0; i < inv->n_lines; i++) {
        const struct xd_canon_invoice_line *l = &inv->lines[i];
        if (xd_decimal_mul(l->quantity, l->unit_price, &ext) != XD_OK ||
            !add_to(c, &sub, l->has_amount ? l->amount : ext)) {
            return;
        }
    }
    if (!sum_amounts(c, inv->charges, inv->n_charges, sizeof *inv->charges,
                     offsetof(struct xd_canon_charge, amount), &charges) ||
        !sum_amounts(c, inv->allowances, inv->n_allowances, sizeof *inv->allowances,
                     offsetof(struct xd_canon_charge, amount), &allowances) ||
        !sum_amounts(c, inv->taxes, inv->n_taxes, sizeof *inv->taxes,
                     offsetof(struct xd_canon_tax, amount), &taxes)) {
        return;
    }
    size_t mark = at(c, "totals");
    if (t->has_line_count && (uint64_t)t->line_count != (uint64_t)inv->n_lines) {
        size_t m2 = at(c, "line_count");
        xd_canon__report(c, "mismatch", "is %lld but the invoice has %zu lines",
                         (long long)t->line_count, inv->n_lines);
        xd_canon__path_restore(c, m2);
    }
    expect_amount(c, "subtotal", t->subtotal, sub, "the sum of line amounts");
    expect_amount(c, "charges_total", t->has_charges_total ? t->charges_total : charges, charges,
                  "the sum of charges");
    expect_amount(c, "allowances_total", t->has_allowances_total ? t->allowances_total : allowances,
                  allowances, "the sum of allowances");
    expect_amount(c, "tax_total", t->has_tax_total ? t->tax_total : taxes, taxes,
                  "the sum of taxes");
    if (xd_decimal_add(t->subtotal, charges, &total) != XD_OK ||
        xd_decimal_sub(total, allowances, &total) != XD_OK ||
        xd_decimal_add(total, taxes, &total) != XD_OK) {
        xd_canon__report(c, "range", "the invoice total does not fit in an exact decimal");
    } else {
        expect_amount(c, "total_amount", t->total_amount, total,
                      "subtotal + charges - allowances + taxes");
    }
    xd_canon__path_restore(c, mark);
}

static void rule_invoice(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_invoice *inv = obj;
    UNIQUE_LINES(c, inv, lines, xd_canon_invoice_line);
    date_order(c, "invoice_date", inv->invoice_date, "due_date", inv->due_date);
    date_order(c, "po_date", inv->po_date, "invoice_date", inv->invoice_date);
    invoice_totals(c, inv);
}

/* --- Returns and order to ship ---------------------------------------------------------------- */

static void rule_return_authorization(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_return_authorization *r = obj;
    UNIQUE_LINES(c, r, lines, xd_canon_rma_line);
    date_order(c, "rma_date", r->rma_date, "expiry_date", r->expiry_date);
    for (size_t i = 0; i < r->n_lines && r->reason == NULL; i++) {
        if (r->lines[i].reason == NULL) {
            size_t mark = at_item(c, "lines", i, "reason");
            xd_canon__report(c, "missing", "the line has no reason and the document none either");
            xd_canon__path_restore(c, mark);
        }
    }
}

static void rule_rma_line(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_rma_line *l = obj;
    serials_match(c, l->n_serial_numbers, l->quantity, "quantity");
}

static void rule_shipping_order(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_shipping_order *so = obj;
    UNIQUE_LINES(c, so, lines, xd_canon_so_line);
    date_order(c, "order_date", so->order_date, "requested_ship_date", so->requested_ship_date);
    date_order(c, "requested_ship_date", so->requested_ship_date, "requested_delivery_date",
               so->requested_delivery_date);
}

static void rule_sc_line(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_sc_line *l = obj;
    bool none = xd_decimal_is_zero(l->shipped_quantity);
    const char *problem = NULL;
    if (l->status != NULL && strcmp(l->status, "cancelled") == 0 && !none) {
        problem = "a cancelled line ships nothing";
    } else if (l->status != NULL && strcmp(l->status, "shipped") == 0 && l->has_ordered_quantity &&
               xd_decimal_cmp(l->shipped_quantity, l->ordered_quantity) < 0) {
        problem = "is less than ordered_quantity but the status says shipped in full";
    }
    if (problem != NULL) {
        size_t mark = at(c, "shipped_quantity");
        xd_canon__report(c, "inconsistent", "%s", problem);
        xd_canon__path_restore(c, mark);
    }
    serials_match(c, l->n_serial_numbers, l->shipped_quantity, "shipped_quantity");
}

static bool package_sscc_match(const void *items, size_t index, const void *key)
{
    return same_str(((const struct xd_canon_sc_package *)items)[index].sscc, key);
}

static void sc_unique_ssccs(struct xd_canon__ctx *c,
                            const struct xd_canon_shipment_confirmation *sc)
{
    struct index_set s;
    if (sc->n_packages < 2 || !set_init(c, &s, sc->n_packages)) {
        return;
    }
    for (size_t p = 0; p < sc->n_packages; p++) {
        const char *sscc = sc->packages[p].sscc;
        if (sscc == NULL) {
            continue;
        }
        size_t prev =
            set_find(&s, hash_str(0, sscc), sscc, package_sscc_match, sc->packages, true, p);
        if (prev != SIZE_MAX) {
            size_t mark = at_item(c, "packages", p, "sscc");
            xd_canon__report(c, "duplicate", "SSCC %s is also on packages[%zu]", sscc, prev);
            xd_canon__path_restore(c, mark);
        }
    }
    set_cleanup(&s);
}

/* Add each package content to packed[] of its line; report contents naming no line. <lines>
 * holds the line numbers (unique: checked before). */
static void sc_packed(struct xd_canon__ctx *c, const struct xd_canon_shipment_confirmation *sc,
                      struct index_set *lines, struct xd_decimal *packed)
{
    struct line_view v = {(const char *)sc->lines, sizeof *sc->lines,
                          offsetof(struct xd_canon_sc_line, line_number)};
    for (size_t p = 0; p < sc->n_packages; p++) {
        const struct xd_canon_sc_package *pk = &sc->packages[p];
        for (size_t k = 0; k < pk->n_contents; k++) {
            const int64_t *num = &pk->contents[k].line_number;
            size_t line = set_find(lines, hash_int(*num), num, line_number_match, &v, false, 0);
            if (line == SIZE_MAX) {
                size_t mark = at_item(c, "packages", p, NULL);
                at_item(c, "contents", k, "line_number");
                xd_canon__report(c, "reference", "names no line of this shipment");
                xd_canon__path_restore(c, mark);
            } else if (!add_to(c, &packed[line], pk->contents[k].quantity)) {
                return;
            }
        }
    }
}

static void rule_shipment_confirmation(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_shipment_confirmation *sc = obj;
    size_t before = c->problems;
    UNIQUE_LINES(c, sc, lines, xd_canon_sc_line);
    sc_unique_ssccs(c, sc);
    if (sc->n_packages == 0 || c->problems != before) {
        return;
    }
    struct index_set lines;
    if (!set_init(c, &lines, sc->n_lines)) {
        return;
    }
    struct line_view v = {(const char *)sc->lines, sizeof *sc->lines,
                          offsetof(struct xd_canon_sc_line, line_number)};
    for (size_t i = 0; i < sc->n_lines; i++) {
        const int64_t *num = &sc->lines[i].line_number;
        set_find(&lines, hash_int(*num), num, line_number_match, &v, true, i);
    }
    struct xd_decimal few[32];
    struct xd_decimal *packed = sc->n_lines <= 32 ? few : xd_calloc(sc->n_lines, sizeof *packed);
    if (packed == NULL) {
        c->oom = true;
        set_cleanup(&lines);
        return;
    }
    if (packed == few) {
        memset(few, 0, sizeof few);
    }
    sc_packed(c, sc, &lines, packed);
    for (size_t i = 0; i < sc->n_lines; i++) {
        if (xd_decimal_cmp(packed[i], sc->lines[i].shipped_quantity) > 0) {
            char q[XD_DECIMAL_STR_MAX];
            size_t mark = at_item(c, "lines", i, "shipped_quantity");
            xd_canon__report(c, "mismatch", "is less than the %s packed in packages",
                             dec_str(packed[i], q));
            xd_canon__path_restore(c, mark);
        }
    }
    if (packed != few) {
        xd_free(packed);
    }
    set_cleanup(&lines);
}

/* --- Inventory -------------------------------------------------------------------------------- */

static void rule_inventory_movement(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_inventory_movement *m = obj;
    bool transfer = strcmp(m->kind, "transfer") == 0;
    const char *problem = NULL;
    if (strcmp(m->kind, "adjustment") == 0) {
        problem = xd_decimal_is_zero(m->quantity) ? "an adjustment must not be zero" : NULL;
    } else if (strcmp(m->kind, "count") == 0) {
        problem = xd_decimal_is_negative(m->quantity) ? "a count must not be negative" : NULL;
    } else if (m->quantity.units <= 0) {
        problem = "must be greater than zero for this kind; the kind says which way stock moves";
    }
    if (problem != NULL) {
        size_t mark = at(c, "quantity");
        xd_canon__report(c, "range", "%s", problem);
        xd_canon__path_restore(c, mark);
    }
    problem = NULL;
    if (transfer && m->to_location_id == NULL) {
        problem = "a transfer needs to_location_id";
    } else if (transfer && strcmp(m->to_location_id, m->location_id) == 0 && m->bin == NULL) {
        problem = "a transfer must go to another location";
    } else if (!transfer && m->to_location_id != NULL) {
        problem = "only a transfer has a destination";
    }
    if (problem != NULL) {
        size_t mark = at(c, "to_location_id");
        xd_canon__report(c, transfer ? "missing" : "inconsistent", "%s", problem);
        xd_canon__path_restore(c, mark);
    }
}

struct sku_lot {
    const char *sku;
    const char *lot;
};

static bool sku_lot_match(const void *items, size_t index, const void *key)
{
    const struct xd_canon_snapshot_line *l = &((const struct xd_canon_snapshot_line *)items)[index];
    const struct sku_lot *k = key;
    return strcmp(l->sku, k->sku) == 0 && same_str(l->lot_number, k->lot);
}

static void rule_inventory_snapshot(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_inventory_snapshot *s = obj;
    struct index_set set;
    if (s->n_lines < 2 || !set_init(c, &set, s->n_lines)) {
        return;
    }
    for (size_t i = 0; i < s->n_lines; i++) {
        struct sku_lot k = {s->lines[i].sku, s->lines[i].lot_number};
        uint64_t h = hash_str(hash_str(14695981039346656037u, k.sku), k.lot);
        size_t prev = set_find(&set, h, &k, sku_lot_match, s->lines, true, i);
        if (prev != SIZE_MAX) {
            size_t mark = at_item(c, "lines", i, NULL);
            xd_canon__report(c, "duplicate", "same sku and lot_number as lines[%zu]", prev);
            xd_canon__path_restore(c, mark);
        }
    }
    set_cleanup(&set);
}

static void rule_snapshot_line(struct xd_canon__ctx *c, const void *obj)
{
    const struct xd_canon_snapshot_line *l = obj;
    if (l->has_available && xd_decimal_cmp(l->available, l->on_hand) > 0) {
        size_t mark = at(c, "available");
        xd_canon__report(c, "inconsistent", "must not exceed on_hand");
        xd_canon__path_restore(c, mark);
    }
}

/* --- The table -------------------------------------------------------------------------------- */

/* Rules run in this order for each struct, a struct's own before those of the structs inside.
 * Grouped by struct in the order of XD_CANON_STRUCTS, so the walker finds a struct's rules by
 * binary search (test_defs checks the order). */
/* Grouped by struct, in the order of XD_CANON_STRUCTS: R(struct, check, doc, S). */
#define XD_CANON__RULE_LIST(R, S)                                                                  \
    R(contact, rule_contact, "Has a name, phone or email.", S)                                     \
    R(party_ref, rule_party_ref,                                                                   \
      "Names the party: party_id, location_id, name, gln, duns or assigned_id.", S)                \
    R(carrier, rule_carrier, "Says something: scac, name, service_level or transport_mode.", S)    \
    R(payment_terms, rule_payment_terms, "discount_percent and discount_days come together.", S)   \
    R(identifier, rule_identifier,                                                                 \
      "value fits its scheme (GLN check digit, D-U-N-S digits, SCAC letters, ISA ID "              \
      "length); x12_isa has a qualifier.",                                                         \
      S)                                                                                           \
    R(item, rule_item, "Each packaging uom appears once and differs from base_uom.", S)            \
    R(party, rule_party, "identifiers are unique.", S)                                             \
    R(location, rule_location, "parent_location_id differs from location_id.", S)                  \
    R(po_line, rule_item_po_line, "Names its item: sku, vendor_part, buyer_part or gtin.", S)      \
    R(purchase_order, rule_purchase_order,                                                         \
      "lines present unless purpose is cancel; line_number unique; requested and cancel"           \
      " dates not before order_date, delivery not before ship; line `change` only when "           \
      "purpose is change; currency present when any line has a unit_price; totals "                \
      "(line_count, total_quantity, total_amount) match the lines.",                               \
      S)                                                                                           \
    R(ack_line, rule_item_ack_line, "Names its item: sku, vendor_part, buyer_part or gtin.", S)    \
    R(ack_line, rule_ack_line,                                                                     \
      "changed carries a confirmed quantity, price or date; backordered carries "                  \
      "backordered_quantity or a confirmed date; uom present when a quantity is.",                 \
      S)                                                                                           \
    R(po_acknowledgement, rule_po_acknowledgement,                                                 \
      "line_number unique; ack_date not before po_date; status accepted has only "                 \
      "accepted lines, rejected only rejected lines.",                                             \
      S)                                                                                           \
    R(asn_item, rule_item_asn_item, "Names its item: sku, vendor_part, buyer_part or gtin.", S)    \
    R(asn_item, rule_asn_item,                                                                     \
      "As many serial_numbers as quantity; expiry_date not before production_date.", S)            \
    R(asn_order, rule_asn_order, "Holds packs or items.", S)                                       \
    R(ship_notice, rule_ship_notice,                                                               \
      "estimated_delivery_date not before ship_date; SSCCs unique; parent_sscc names "             \
      "another pack, without loops, at most four levels; every pack holds items or "               \
      "packs; package_count equals the outermost packs.",                                          \
      S)                                                                                           \
    R(receipt_line, rule_item_receipt_line,                                                        \
      "Names its item: sku, vendor_part, buyer_part or gtin.", S)                                  \
    R(receipt_line, rule_receipt_line,                                                             \
      "damaged_quantity + rejected_quantity <= received_quantity; as many "                        \
      "serial_numbers as received_quantity.",                                                      \
      S)                                                                                           \
    R(receipt, rule_receipt, "line_number unique.", S)                                             \
    R(invoice_line, rule_item_invoice_line,                                                        \
      "Names its item: sku, vendor_part, buyer_part or gtin.", S)                                  \
    R(invoice_line, rule_invoice_line,                                                             \
      "amount is quantity x unit_price rounded to amount's scale (half up or half "                \
      "even).",                                                                                    \
      S)                                                                                           \
    R(invoice, rule_invoice,                                                                       \
      "line_number unique; due_date not before invoice_date, invoice_date not before "             \
      "po_date; totals: line_count, subtotal = sum of line amounts, charges_total, "               \
      "allowances_total and tax_total = sums of their lists, total_amount = subtotal + "           \
      "charges - allowances + taxes (each compared after rounding to its own scale).",             \
      S)                                                                                           \
    R(rma_line, rule_item_rma_line, "Names its item: sku, vendor_part, buyer_part or gtin.", S)    \
    R(rma_line, rule_rma_line, "As many serial_numbers as quantity.", S)                           \
    R(return_authorization, rule_return_authorization,                                             \
      "line_number unique; expiry_date not before rma_date; every line has a reason, "             \
      "its own or the document's.",                                                                \
      S)                                                                                           \
    R(shipping_order, rule_shipping_order,                                                         \
      "line_number unique; requested_ship_date not before order_date, delivery not "               \
      "before ship.",                                                                              \
      S)                                                                                           \
    R(sc_line, rule_sc_line,                                                                       \
      "cancelled ships nothing; shipped ships at least ordered_quantity; as many "                 \
      "serial_numbers as shipped_quantity.",                                                       \
      S)                                                                                           \
    R(shipment_confirmation, rule_shipment_confirmation,                                           \
      "line_number unique; package contents name lines of the shipment and add up to no"           \
      " more than each line's shipped_quantity; package SSCCs unique.",                            \
      S)                                                                                           \
    R(movement_refs, rule_movement_refs, "Names at least one document.", S)                        \
    R(inventory_movement, rule_inventory_movement,                                                 \
      "quantity: adjustment non-zero (signed), count >= 0, other kinds > 0; a transfer "           \
      "has to_location_id (another location or bin), other kinds none.",                           \
      S)                                                                                           \
    R(snapshot_line, rule_snapshot_line, "available <= on_hand.", S)                               \
    R(inventory_snapshot, rule_inventory_snapshot, "sku and lot_number unique together.", S)

#define XD_CANON__RULE_ENTRY(s_, fn_, doc_, S_)                                                    \
    {.sid = XD_CANON__S_##s_, .check = (fn_), .doc = (doc_)},
const struct xd_canon__rule xd_canon__rules[] = {XD_CANON__RULE_LIST(XD_CANON__RULE_ENTRY, 0)};
const size_t xd_canon__n_rules = sizeof xd_canon__rules / sizeof xd_canon__rules[0];

/* --- The walk, one function per struct, expanded from the definitions -------------------------
 *
 * rules_<struct> calls its struct's rules, in table order, then walks into the members that
 * hold structs, first to last: the order the problems are reported in. A member whose struct
 * has no rule at any depth (RULES_DEEP_<struct> is 0: a source, an address, a reference) is
 * not walked into at all. A struct's members' structs come before it in XD_CANON_STRUCTS, so
 * each RULES_DEEP_ is a constant made of earlier ones. */

#define RULE_OF(s_, fn_, doc_, S_)                      +(XD_CANON__S_##s_ == XD_CANON__S_##S_)
#define DEEP_STRING(A_)                                 0
#define DEEP_CODE(A_)                                   0
#define DEEP_DECIMAL(A_)                                0
#define DEEP_INT(A_)                                    0
#define DEEP_BOOL(A_)                                   0
#define DEEP_DATE(A_)                                   0
#define DEEP_DATETIME(A_)                               0
#define DEEP_STRINGS(A_)                                0
#define DEEP_OBJECT(A_)                                 RULES_DEEP_##A_
#define DEEP_INLINE(A_)                                 RULES_DEEP_##A_
#define DEEP_ARRAY(A_)                                  RULES_DEEP_##A_
#define DEEP_MEMBER(S_, K_, m_, P_, A_, B_, key_, doc_) || DEEP_##K_(A_)
#define DEEP_ENUM(name, doc)                                                                       \
    enum {                                                                                         \
        RULES_DEEP_##name = (0 XD_CANON__RULE_LIST(RULE_OF, name)) > 0 ||                          \
                            0 XD_CANON_FIELDS_##name(DEEP_MEMBER, name)                            \
    };
XD_CANON_STRUCTS(DEEP_ENUM)
#undef DEEP_ENUM

#define RULES_PROTO(name, doc) static void rules_##name(struct xd_canon__ctx *c, const void *obj);
XD_CANON_STRUCTS(RULES_PROTO)
#undef RULES_PROTO

/* The rule is called in the walker of its own struct only: a constant condition. */
#define RULE_CALL(s_, fn_, doc_, S_)                                                               \
    if (XD_CANON__S_##s_ == XD_CANON__S_##S_) {                                                    \
        fn_(c, obj);                                                                               \
    }

#define MEMBER(S_, m_) (((const struct xd_canon_##S_ *)obj)->m_)
#define WALK_STRING(S_, m_, A_)
#define WALK_CODE(S_, m_, A_)
#define WALK_DECIMAL(S_, m_, A_)
#define WALK_INT(S_, m_, A_)
#define WALK_BOOL(S_, m_, A_)
#define WALK_DATE(S_, m_, A_)
#define WALK_DATETIME(S_, m_, A_)
#define WALK_STRINGS(S_, m_, A_)
#define WALK_INLINE(S_, m_, A_)                                                                    \
    if (RULES_DEEP_##A_) {                                                                         \
        rules_##A_(c, &MEMBER(S_, m_));                                                            \
    }
#define WALK_OBJECT(S_, m_, A_)                                                                    \
    if (RULES_DEEP_##A_ && MEMBER(S_, m_) != NULL) {                                               \
        size_t mark_ = xd_canon__path_member(c, #m_, sizeof #m_ - 1);                              \
        rules_##A_(c, MEMBER(S_, m_));                                                             \
        xd_canon__path_restore(c, mark_);                                                          \
    }
#define WALK_ARRAY(S_, m_, A_)                                                                     \
    if (RULES_DEEP_##A_ && MEMBER(S_, n_##m_) > 0 && MEMBER(S_, m_) != NULL) {                     \
        size_t mark_ = xd_canon__path_member(c, #m_, sizeof #m_ - 1);                              \
        for (size_t k_ = 0; k_ < MEMBER(S_, n_##m_); k_++) {                                       \
            size_t item_ = xd_canon__path_index(c, k_);                                            \
            rules_##A_(c, &MEMBER(S_, m_)[k_]);                                                    \
            xd_canon__path_restore(c, item_);                                                      \
        }                                                                                          \
        xd_canon__path_restore(c, mark_);                                                          \
    }
#define WALK_MEMBER(S_, K_, m_, P_, A_, B_, key_, doc_) WALK_##K_(S_, m_, A_)

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
#define RULES_STRUCT(name, doc)                                                                    \
    static void rules_##name(struct xd_canon__ctx *c, const void *obj)                             \
    {                                                                                              \
        XD_CANON__RULE_LIST(RULE_CALL, name)                                                       \
        XD_CANON_FIELDS_##name(WALK_MEMBER, name)                                                  \
    }
XD_CANON_STRUCTS(RULES_STRUCT)
#undef RULES_STRUCT

#define RULES_ENTRY(name, doc) [XD_CANON__S_##name] = rules_##name,
static void (*const walkers[XD_CANON__S_COUNT])(struct xd_canon__ctx *c,
                                                const void *obj) = {XD_CANON_STRUCTS(RULES_ENTRY)};
#undef RULES_ENTRY

void xd_canon__rules_walk(struct xd_canon__ctx *c, enum xd_canon__sid sid, const void *obj)
{
    walkers[sid](c, obj);
}
