/* SPDX-License-Identifier: MIT
 * Translation specification of the 856 ship notice: the HL hierarchy shipment / order / pack
 * (P, or T for a pallet holding packs) / item, read by remembering each HL's place so a
 * child finds its parent by HL02, and written parents first with HL02 pointing back. SSCC in
 * MAN GM, tracking in MAN CP, lot as the LT item ID, serials as REF SE, expiry and production
 * dates as DTM 036 and 405 (docs/x12.md). */
#include <stdio.h>
#include <string.h>

#include "x12/x12_spec.h"

#define ASN_HL_ID_MAX 13 /* HL01 is AN 1/12 */

struct hl_entry {
    char id[ASN_HL_ID_MAX];
    char level; /* 'S', 'O', 'P', 'I' */
    size_t order, pack;
    bool has_pack;
};

struct asn_state {
    struct hl_entry *hl;
    size_t n, cap;
    bool order_level; /* an HL O was seen: orders are the sender's, not implied */
    uint64_t first_item_position;
};

enum { SC_CARRIER = XD_X12__SC_DYNAMIC, SC_WEIGHT, SC_PACK_WEIGHT };
static const struct xd_x12__scope asn_scopes[] = {
    {XD_X12__SC_ROOT, OFF(ship_notice, carrier), SIZE(carrier)},
    {XD_X12__SC_ROOT, OFF(ship_notice, gross_weight), SIZE(weight)},
    {XD_X12__SC_PACK, OFF(asn_pack, gross_weight), SIZE(weight)},
};

static const struct xd_x12__member asn_parties[] = {M(ship_notice, supplier, FIXED),
                                                    M(ship_notice, ship_from, FIXED),
                                                    M(ship_notice, ship_to, FIXED)};
static const struct xd_x12__party_list asn_party_list = {asn_parties, COUNT(asn_parties), true,
                                                         true};
static const struct xd_x12__member asn_refs_members[] = {
    M(ship_notice, bill_of_lading, STR), M(ship_notice, pro_number, STR),
    M(ship_notice, shipment_id, STR), M(ship_notice, tracking_number, STR)};
static const struct xd_x12__refs asn_refs = {OFF(ship_notice, references),
                                             OFF(ship_notice, n_references)};
static const struct xd_x12__member asn_dates[] = {M(ship_notice, ship_date, DATE),
                                                  M(ship_notice, estimated_delivery_date, DATE)};
static const struct xd_x12__member item_ids[] = {
    M(asn_item, sku, STR), M(asn_item, vendor_part, STR), M(asn_item, buyer_part, STR),
    M(asn_item, gtin, STR), M(asn_item, lot_number, STR)};
static const struct xd_x12__member item_dates[] = {M(asn_item, production_date, DATE),
                                                   M(asn_item, expiry_date, DATE)};
static const struct xd_x12__member item_serials[] = {
    {"serial_numbers", OFF(asn_item, serial_numbers), OFF(asn_item, n_serial_numbers),
     XD_X12__CV_STRINGS, 0, 0, 0}};

static const struct xd_x12__bind bsn[] = {
    BC(1, PURPOSE, ship_notice, purpose), B(2, STR, ship_notice, asn_number),
    B(3, DATE, ship_notice, notice_date), BF(4, "0000", 0), BF(5, "0001", 0)};
static const struct xd_x12__bind ship_td1[] = {BH(2, INT, ship_notice, package_count)};
static const struct xd_x12__bind weight_td1[] = {BF(6, "G", 7), B(7, DEC, weight, value),
                                                 B(8, STR, weight, uom)};
static const struct xd_x12__bind prf[] = {B(1, STR, asn_order, po_number),
                                          B(2, STR, asn_order, release_number),
                                          B(4, DATE, asn_order, po_date)};
static const struct xd_x12__bind man_gm[] = {BF(1, "GM", 0), B(2, SSCC, asn_pack, sscc)};
static const struct xd_x12__bind man_cp[] = {BF(1, "CP", 0), B(2, STR, asn_pack, tracking_number)};
static const struct xd_x12__bind lin[] = {BH(1, INT, asn_item, line_number)};
static const struct xd_x12__bind sn1[] = {B(2, DEC, asn_item, quantity), B(3, UOM, asn_item, uom)};
static const struct xd_x12__bind pid[] = {BF(1, "F", 5), B(5, STR, asn_item, description)};

/* ---- Inbound ------------------------------------------------------------------------------- */

static void begin(struct xd_x12__tr *t)
{
    t->state = xd_arena_calloc(t->arena, 1, sizeof(struct asn_state));
}

static const struct hl_entry *hl_find(const struct asn_state *s, struct xd_slice id)
{
    for (size_t i = s->n; i-- > 0;) {
        if (xd_slice_eq_cstr(id, s->hl[i].id)) {
            return &s->hl[i];
        }
    }
    return NULL;
}

static struct hl_entry *hl_add(struct xd_x12__tr *t, struct asn_state *s)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct hl_entry *grown = xd_arena_alloc(t->arena, cap * sizeof *grown);
        if (grown == NULL) {
            return NULL;
        }
        if (s->n > 0) {
            memcpy(grown, s->hl, s->n * sizeof *grown);
        }
        s->hl = grown;
        s->cap = cap;
    }
    return &s->hl[s->n++];
}

static struct xd_canon_asn_order *order_at(struct xd_x12__tr *t, size_t i)
{
    struct xd_canon_ship_notice *sn = t->doc->body;
    return i < sn->n_orders ? &sn->orders[i] : NULL;
}

/* The order a pack or item belongs to: its parent's, else the last one (made if none). */
static size_t order_of(struct xd_x12__tr *t, const struct hl_entry *parent)
{
    struct xd_canon_ship_notice *sn = t->doc->body;
    if (parent != NULL && parent->level != 'S') {
        return parent->order;
    }
    if (sn->n_orders == 0) {
        (void)xd_x12__tr_append(t, sn, OFF(ship_notice, orders), OFF(ship_notice, n_orders),
                                sizeof(struct xd_canon_asn_order));
    }
    return sn->n_orders - 1;
}

static void hl_pack(struct xd_x12__tr *t, struct hl_entry *e, const struct hl_entry *parent)
{
    e->order = order_of(t, parent);
    struct xd_canon_asn_order *o = order_at(t, e->order);
    struct xd_canon_asn_pack *p =
        o ? xd_x12__tr_append(t, o, OFF(asn_order, packs), OFF(asn_order, n_packs), sizeof *p)
          : NULL;
    if (p == NULL) {
        return;
    }
    e->pack = o->n_packs - 1;
    e->has_pack = true;
    if (parent != NULL && parent->has_pack) {
        p->parent_sscc = order_at(t, parent->order)->packs[parent->pack].sscc;
    }
    t->obj[XD_X12__SC_PACK] = p;
}

static void hl_item(struct xd_x12__tr *t, struct hl_entry *e, const struct hl_entry *parent)
{
    struct asn_state *s = t->state;
    if (s->first_item_position == 0) {
        s->first_item_position = t->position;
    }
    e->order = order_of(t, parent);
    struct xd_canon_asn_order *o = order_at(t, e->order);
    if (o == NULL) {
        return;
    }
    void *owner = o;
    size_t arr = OFF(asn_order, items), cnt = OFF(asn_order, n_items);
    if (parent != NULL && parent->has_pack) {
        owner = &o->packs[parent->pack];
        arr = OFF(asn_pack, items);
        cnt = OFF(asn_pack, n_items);
    }
    t->obj[XD_X12__SC_ITEM] =
        xd_x12__tr_append(t, owner, arr, cnt, sizeof(struct xd_canon_asn_item));
}

static void h_hl(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                 const struct xd_x12__rule *r)
{
    (void)r;
    struct asn_state *s = t->state;
    struct xd_slice code = xd_x12__tr_elem(seg, 3, 0);
    const struct hl_entry *parent = s ? hl_find(s, xd_x12__tr_elem(seg, 2, 0)) : NULL;
    struct hl_entry *e = s ? hl_add(t, s) : NULL;
    if (e == NULL) {
        return;
    }
    xd_x12__copy(e->id, sizeof e->id, xd_x12__tr_elem(seg, 1, 0));
    e->level = code.len == 1 ? code.p[0] : '?';
    e->level = e->level == 'T' ? 'P' : e->level;
    e->has_pack = false;
    t->obj[XD_X12__SC_PACK] = t->obj[XD_X12__SC_ITEM] = NULL;
    switch (e->level) {
    case 'S':
        break;
    case 'O': {
        struct xd_canon_ship_notice *sn = t->doc->body;
        s->order_level = true;
        t->obj[XD_X12__SC_ORDER] =
            xd_x12__tr_append(t, sn, OFF(ship_notice, orders), OFF(ship_notice, n_orders),
                              sizeof(struct xd_canon_asn_order));
        e->order = sn->n_orders - 1;
        break;
    }
    case 'P':
        hl_pack(t, e, parent);
        break;
    case 'I':
        hl_item(t, e, parent);
        break;
    default:
        e->level = '?'; /* a level this canonical shape has no place for: its segments wait */
        break;
    }
    t->level = e->level;
}

/* TD1 of a pack: TD101 is packaging (103, first three characters) and material (80). */
static void h_pack_td1(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                       const struct xd_x12__rule *r)
{
    struct xd_canon_asn_pack *p = t->obj[XD_X12__SC_PACK];
    struct xd_slice kind = xd_x12__tr_elem(seg, 1, 0);
    if (p == NULL) {
        return;
    }
    if (kind.len >= 3) {
        kind.len = 3;
        p->kind = xd_x12__codes_in(t->codes, XD_X12__L_PACK_KIND, kind);
    }
    if (xd_x12__tr_elem(seg, 7, 0).len > 0) {
        xd_x12__tr_bind(t, xd_x12__tr_scope(t, SC_PACK_WEIGHT), r->binds, r->nbinds, seg);
    }
}

static void h_ship_td1(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                       const struct xd_x12__rule *r)
{
    xd_x12__tr_bind(t, t->obj[XD_X12__SC_ROOT], ship_td1, COUNT(ship_td1), seg);
    if (xd_x12__tr_elem(seg, 7, 0).len > 0) {
        xd_x12__tr_bind(t, xd_x12__tr_scope(t, SC_WEIGHT), r->binds, r->nbinds, seg);
    }
}

static void h_lin(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    void *item = t->obj[XD_X12__SC_ITEM];
    if (item != NULL) {
        xd_x12__tr_bind(t, item, r->binds, r->nbinds, seg);
        xd_x12__tr_item_ids(t, item, seg, 2, r->members, r->nmembers);
    }
}

/* Without an order level (HL O), the PRF of an item says which order it ships against: the
 * implied order takes the first PO number named, and an item (not in a pack) naming another
 * moves to an implied order of its own PO number, made when none has it yet. A packed item
 * stays with its pack, with a warning when its PRF names another order. */
static void h_item_prf(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                       const struct xd_x12__rule *r)
{
    struct asn_state *s = t->state;
    struct hl_entry *e = s != NULL && s->n > 0 ? &s->hl[s->n - 1] : NULL;
    struct xd_slice po = xd_x12__tr_elem(seg, 1, 0);
    struct xd_canon_ship_notice *sn = t->doc->body;
    struct xd_canon_asn_order *o = e != NULL ? order_at(t, e->order) : NULL;
    if (s == NULL || s->order_level || e == NULL || e->level != 'I' || o == NULL || po.len == 0) {
        return;
    }
    if (o->po_number == NULL) {
        xd_x12__tr_bind(t, o, r->binds, r->nbinds, seg);
        return;
    }
    if (xd_slice_eq_cstr(po, o->po_number)) {
        return;
    }
    bool direct = o->n_items > 0 && (void *)&o->items[o->n_items - 1] == t->obj[XD_X12__SC_ITEM];
    if (!direct) {
        xd_x12__tr_warn(t, 1,
                        "the item's PRF names order '%.*s'; its pack ships with order '%s' "
                        "and the item with it",
                        (int)po.len, po.p, o->po_number);
        return;
    }
    size_t to = 0;
    while (to < sn->n_orders &&
           (sn->orders[to].po_number == NULL || !xd_slice_eq_cstr(po, sn->orders[to].po_number))) {
        to++;
    }
    size_t from = e->order;
    struct xd_canon_asn_item moved = o->items[o->n_items - 1];
    if (to == sn->n_orders) {
        struct xd_canon_asn_order *n = xd_x12__tr_append(
            t, sn, OFF(ship_notice, orders), OFF(ship_notice, n_orders), SIZE(asn_order));
        if (n == NULL) {
            return;
        }
        xd_x12__tr_bind(t, n, r->binds, r->nbinds, seg);
    }
    struct xd_canon_asn_order *dst = &sn->orders[to], *src = &sn->orders[from];
    struct xd_canon_asn_item *item =
        xd_x12__tr_append(t, dst, OFF(asn_order, items), OFF(asn_order, n_items), SIZE(asn_item));
    if (item == NULL) {
        return;
    }
    *item = moved;
    xd_x12__tr_remove(t, src, OFF(asn_order, items), OFF(asn_order, n_items), SIZE(asn_item),
                      src->n_items - 1);
    e->order = to;
    t->obj[XD_X12__SC_ITEM] = item;
}

#define PARTY_RULE(seg, fn, scope, members)                                                        \
    {                                                                                              \
        seg, "N1", "HL", fn, scope, 0, NULL, 'S', NO_BINDS, members, NULL                          \
    }

static const struct xd_x12__rule rules_856[] = {
    RULE("BSN", "", NULL, NULL, XD_X12__SC_ROOT, T(bsn), NO_MEMB, NULL),
    RULE("DTM", "", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(asn_dates), NULL),
    RULE("HL", "HL", NULL, h_hl, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, NULL),
    RULE_AT('S', "TD1", "HL", NULL, h_ship_td1, XD_X12__SC_ROOT, T(weight_td1), NO_MEMB, NULL),
    RULE_AT('S', "TD5", "HL", NULL, NULL, SC_CARRIER, T(xd_x12__td5_in), NO_MEMB, NULL),
    RULE_AT_KEY('S', "TD5", "HL", NULL, NULL, SC_CARRIER, T(xd_x12__td5_scac), NO_MEMB, NULL, 2,
                "2"),
    RULE_AT('S', "REF", "HL", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(asn_refs_members),
            &asn_refs),
    RULE_AT('S', "DTM", "HL", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(asn_dates), NULL),
    PARTY_RULE("N1", xd_x12__h_party, XD_X12__SC_ROOT, T(asn_parties)),
    PARTY_RULE("N2", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_MEMB),
    PARTY_RULE("N3", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_MEMB),
    PARTY_RULE("N4", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_MEMB),
    PARTY_RULE("PER", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_MEMB),
    PARTY_RULE("REF", xd_x12__h_ref, XD_X12__SC_PARTY, NO_MEMB),
    RULE_AT('O', "PRF", "HL", NULL, NULL, XD_X12__SC_ORDER, T(prf), NO_MEMB, NULL),
    RULE_AT('P', "TD1", "HL", NULL, h_pack_td1, XD_X12__SC_PACK, T(weight_td1), NO_MEMB, NULL),
    RULE_AT_KEY('P', "MAN", "HL", NULL, NULL, XD_X12__SC_PACK, T(man_gm), NO_MEMB, NULL, 1, "GM"),
    RULE_AT_KEY('P', "MAN", "HL", NULL, NULL, XD_X12__SC_PACK, T(man_cp), NO_MEMB, NULL, 1, "CP"),
    RULE_AT('I', "LIN", "HL", NULL, h_lin, XD_X12__SC_ITEM, T(lin), T(item_ids), NULL),
    RULE_AT('I', "PRF", "HL", NULL, h_item_prf, XD_X12__SC_ITEM, T(prf), NO_MEMB, NULL),
    RULE_AT('I', "SN1", "HL", NULL, NULL, XD_X12__SC_ITEM, T(sn1), NO_MEMB, NULL),
    RULE_AT_KEY('I', "PID", "HL", NULL, NULL, XD_X12__SC_ITEM, T(pid), NO_MEMB, NULL, 1, "F"),
    RULE_AT('I', "DTM", "HL", NULL, xd_x12__h_dtm, XD_X12__SC_ITEM, NO_BINDS, T(item_dates), NULL),
    RULE_AT('I', "REF", "HL", NULL, xd_x12__h_ref, XD_X12__SC_ITEM, NO_BINDS, T(item_serials),
            NULL),
};

/* ---- Outbound ------------------------------------------------------------------------------ */

static const struct xd_x12__step ship_steps[] = {
    STEP("TD5", SC_CARRIER, NULL, T(xd_x12__td5_out), NO_MEMB, NULL),
    STEP("REF", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, T(asn_refs_members), &asn_refs),
    STEP("DTM", XD_X12__SC_ROOT, xd_x12__w_dtms, NO_BINDS, T(asn_dates), NULL),
    STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &asn_party_list),
};
static const struct xd_x12__step item_steps[] = {
    STEP_IDS("LIN", XD_X12__SC_ITEM, T(lin), T(item_ids), 2),
    STEP_REQ("SN1", XD_X12__SC_ITEM, T(sn1)),
    STEP("PID", XD_X12__SC_ITEM, NULL, T(pid), NO_MEMB, NULL),
    STEP("REF", XD_X12__SC_ITEM, xd_x12__w_refs, NO_BINDS, T(item_serials), NULL),
    STEP("DTM", XD_X12__SC_ITEM, xd_x12__w_dtms, NO_BINDS, T(item_dates), NULL),
};
static const struct xd_x12__step pack_steps[] = {
    STEP("MAN", XD_X12__SC_PACK, NULL, T(man_gm), NO_MEMB, NULL),
    STEP("MAN", XD_X12__SC_PACK, NULL, T(man_cp), NO_MEMB, NULL),
};

static enum xd_status put_hl(struct xd_x12__out *o, uint64_t parent, const char *level,
                             uint64_t *id)
{
    char me[24], up[24];
    *id = ++o->hl;
    snprintf(me, sizeof me, "%llu", (unsigned long long)*id);
    snprintf(up, sizeof up, "%llu", (unsigned long long)parent);
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, me);
    xd_x12__out_setf(o, 2, parent ? up : "");
    xd_x12__out_setf(o, 3, level);
    return xd_x12__out_write(o, "HL");
}

/* TD1 of the shipment (package count, weight) or of a pack (kind, weight). */
static enum xd_status put_td1(struct xd_x12__out *o, const char *kind, const char *count,
                              const struct xd_canon_weight *w)
{
    if (kind == NULL && count == NULL && w == NULL) {
        return XD_OK;
    }
    xd_x12__out_begin(o);
    if (kind != NULL) {
        xd_x12__out_setf(o, 1, kind);
        xd_x12__out_setf(o, 2, "1");
    }
    if (count != NULL) {
        xd_x12__out_setf(o, 2, count);
    }
    if (w != NULL && xd_x12__out_bind(o, w, weight_td1, COUNT(weight_td1)) == SIZE_MAX) {
        return XD_EINVAL;
    }
    return xd_x12__out_write(o, "TD1");
}

static enum xd_status put_items(struct xd_x12__out *o, const struct xd_canon_asn_item *items,
                                size_t n, uint64_t parent)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t id;
        enum xd_status st = put_hl(o, parent, "I", &id);
        o->obj[XD_X12__SC_ITEM] = &items[i];
        if (st == XD_OK) {
            st = xd_x12__out_steps(o, item_steps, COUNT(item_steps));
        }
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static bool is_parent(const struct xd_canon_asn_order *ord, const struct xd_canon_asn_pack *p)
{
    for (size_t i = 0; p->sscc != NULL && i < ord->n_packs; i++) {
        if (ord->packs[i].parent_sscc && strcmp(ord->packs[i].parent_sscc, p->sscc) == 0) {
            return true;
        }
    }
    return false;
}

static enum xd_status put_pack(struct xd_x12__out *o, const struct xd_canon_asn_order *ord,
                               size_t i, uint64_t parent, uint64_t *id)
{
    const struct xd_canon_asn_pack *p = &ord->packs[i];
    enum xd_status st = put_hl(o, parent, is_parent(ord, p) ? "T" : "P", id);
    o->obj[XD_X12__SC_PACK] = p;
    const char *kind = p->kind ? xd_x12__codes_out(o->codes, XD_X12__L_PACK_KIND, p->kind) : NULL;
    if (st == XD_OK && p->kind != NULL && kind == NULL) {
        return xd_error_set(o->err, XD_EINVAL, "pack_kind '%s' has no X12 code", p->kind);
    }
    if (st == XD_OK) {
        st = put_td1(o, kind, NULL, p->gross_weight);
    }
    if (st == XD_OK) {
        st = xd_x12__out_steps(o, pack_steps, COUNT(pack_steps));
    }
    return st == XD_OK ? put_items(o, p->items, p->n_items, *id) : st;
}

/* Packs parents first: each pass writes those whose parent is written (or who have none). */
static enum xd_status put_packs(struct xd_x12__out *o, const struct xd_canon_asn_order *ord,
                                uint64_t order_hl)
{
    uint64_t *ids = xd_calloc(ord->n_packs + 1, sizeof *ids);
    if (ids == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = XD_OK;
    size_t done = 0;
    for (bool progress = true; st == XD_OK && progress && done < ord->n_packs;) {
        progress = false;
        for (size_t i = 0; st == XD_OK && i < ord->n_packs; i++) {
            const char *up = ord->packs[i].parent_sscc;
            uint64_t parent = up == NULL ? order_hl : 0;
            for (size_t k = 0; up != NULL && k < ord->n_packs; k++) {
                if (ids[k] && ord->packs[k].sscc && strcmp(ord->packs[k].sscc, up) == 0) {
                    parent = ids[k];
                }
            }
            if (ids[i] != 0 || parent == 0) {
                continue;
            }
            st = put_pack(o, ord, i, parent, &ids[i]);
            done++;
            progress = true;
        }
    }
    if (st == XD_OK && done < ord->n_packs) {
        st = xd_error_set(o->err, XD_EINVAL, "a pack's parent_sscc names no pack of its order");
    }
    xd_free(ids);
    return st;
}

static enum xd_status w_hl_tree(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    (void)s;
    const struct xd_canon_ship_notice *sn = o->obj[XD_X12__SC_ROOT];
    uint64_t ship;
    char count[24];
    snprintf(count, sizeof count, "%lld", (long long)sn->package_count);
    enum xd_status st = put_hl(o, 0, "S", &ship);
    if (st == XD_OK) {
        st = put_td1(o, NULL, sn->has_package_count ? count : NULL, sn->gross_weight);
    }
    if (st == XD_OK) {
        st = xd_x12__out_steps(o, ship_steps, COUNT(ship_steps));
    }
    for (size_t i = 0; st == XD_OK && i < sn->n_orders; i++) {
        const struct xd_canon_asn_order *ord = &sn->orders[i];
        uint64_t oid;
        st = put_hl(o, ship, "O", &oid);
        o->obj[XD_X12__SC_ORDER] = ord;
        if (st == XD_OK) {
            xd_x12__out_begin(o);
            if (xd_x12__out_bind(o, ord, prf, COUNT(prf)) == SIZE_MAX) {
                return XD_EINVAL;
            }
            st = xd_x12__out_write(o, "PRF");
        }
        if (st == XD_OK) {
            st = put_packs(o, ord, oid);
        }
        if (st == XD_OK) {
            st = put_items(o, ord->items, ord->n_items, oid);
        }
    }
    if (st == XD_OK) {
        snprintf(count, sizeof count, "%llu", (unsigned long long)o->hl);
        xd_x12__out_begin(o);
        xd_x12__out_setf(o, 1, count);
        st = xd_x12__out_write(o, "CTT");
    }
    return st;
}

/* No BSN02: the shipment's own identifiers name the notice, the transaction set control number
 * when it has none. */
static void implied_asn_number(struct xd_x12__tr *t, struct xd_canon_ship_notice *sn)
{
    const struct xd_canon_control_numbers *c =
        sn->header.source != NULL ? sn->header.source->control_numbers : NULL;
    const char *st02 = c != NULL ? c->transaction_set : NULL;
    const char *id = sn->shipment_id      ? sn->shipment_id
                     : sn->bill_of_lading ? sn->bill_of_lading
                                          : st02;
    const char *what = sn->shipment_id      ? "its shipment ID (REF SI)"
                       : sn->bill_of_lading ? "its bill of lading (REF BM)"
                                            : "the transaction set control number (ST02)";
    if (id == NULL) {
        return;
    }
    sn->asn_number = id;
    xd_x12__tr_at(t, NULL, "BSN");
    xd_x12__tr_warn(t, 2, "no shipment identification: the notice is numbered by %s, '%s'", what,
                    id);
}

/* Without a DTM 011 the notice's date (BSN03) is taken as the ship date, and said so. */
static void finish_856(struct xd_x12__tr *t)
{
    struct xd_canon_ship_notice *sn = t->doc->body;
    const struct asn_state *s = t->state;
    if (sn->asn_number == NULL) {
        implied_asn_number(t, sn);
    }
    if (s != NULL && !s->order_level && sn->n_orders > 0) {
        xd_x12__tr_at(t, NULL, "HL");
        t->position = s->first_item_position;
        xd_x12__tr_warn(t, 0,
                        "no order level (HL O): the items make %zu implied order%s, by the PO "
                        "their PRF names",
                        sn->n_orders, sn->n_orders == 1 ? "" : "s");
    }
    if (sn->ship_date == NULL && sn->notice_date != NULL) {
        sn->ship_date = sn->notice_date;
        xd_x12__tr_at(t, NULL, "BSN");
        xd_x12__tr_note(t, 3, "no DTM 011: the ship date is the notice's date, BSN03");
    }
}

/* BSN03 is mandatory: without a notice date, the ship date. */
static enum xd_status w_bsn(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_ship_notice *sn = o->obj[XD_X12__SC_ROOT];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, sn, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    bool here;
    if (sn->notice_date == NULL && xd_x12__out_member(o, 3, sn, OFF(ship_notice, ship_date), 0,
                                                      XD_X12__CV_DATE, 0, &here) != XD_OK) {
        return XD_EINVAL;
    }
    return xd_x12__out_write(o, "BSN");
}

static const struct xd_x12__step steps_856[] = {
    STEP("BSN", XD_X12__SC_ROOT, w_bsn, T(bsn), NO_MEMB, NULL),
    STEP("HL", XD_X12__SC_ROOT, w_hl_tree, NO_BINDS, NO_MEMB, NULL),
};

const struct xd_x12__tspec xd_x12__spec_856 = {.set_id = "856",
                                               .group = "SH",
                                               .type = XD_CANON_SHIP_NOTICE,
                                               .scopes = asn_scopes,
                                               .nscopes = COUNT(asn_scopes),
                                               .rules = rules_856,
                                               .nrules = COUNT(rules_856),
                                               .begin = begin,
                                               .finish = finish_856,
                                               .steps = steps_856,
                                               .nsteps = COUNT(steps_856),
                                               /* a notice goes to whom the goods go */
                                               .receiver_party = OFF(ship_notice, ship_to)};
