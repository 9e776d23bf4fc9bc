/* SPDX-License-Identifier: MIT
 * Translation specifications of the procure-to-pay sets: 850 and 860 (purchase_order), 855
 * (po_acknowledgement), 810 (invoice), 180 (return_authorization, inbound only). Each is a
 * table of bindings (element <-> member), inbound rules (segment in loop -> bindings or
 * handler) and outbound steps in X12 order; docs/x12.md lists the element each member
 * travels in. */
#include <stdio.h>
#include <string.h>

#include "x12/x12_spec.h"

/* ---- Shared by the purchase order sets ----------------------------------------------------- */

static const struct xd_x12__member po_item_ids[] = {
    M(po_line, sku, STR), M(po_line, vendor_part, STR), M(po_line, buyer_part, STR),
    M(po_line, gtin, STR)};
static const struct xd_x12__member po_parties[] = {
    M(purchase_order, buyer, FIXED), M(purchase_order, supplier, FIXED),
    M(purchase_order, ship_to, FIXED), M(purchase_order, bill_to, FIXED)};
static const struct xd_x12__party_list po_party_list = {po_parties, XD_ARRAY_LEN(po_parties), true,
                                                        true};
static const struct xd_x12__member po_dates[] = {M(purchase_order, requested_ship_date, DATE),
                                                 M(purchase_order, requested_delivery_date, DATE),
                                                 M(purchase_order, cancel_after_date, DATE)};
static const struct xd_x12__member po_line_dates[] = {M(po_line, requested_ship_date, DATE),
                                                      M(po_line, requested_delivery_date, DATE)};
static const struct xd_x12__member po_note[] = {M(purchase_order, note, TEXT)};
static const struct xd_x12__member po_line_note[] = {M(po_line, note, TEXT)};
static const struct xd_x12__refs po_refs = {OFF(purchase_order, references),
                                            OFF(purchase_order, n_references)};

enum { SC_PO_CARRIER = XD_X12__SC_DYNAMIC, SC_PO_TERMS, SC_PO_TOTALS };
static const struct xd_x12__scope po_scopes[] = {
    {XD_X12__SC_ROOT, OFF(purchase_order, carrier), SIZE(carrier)},
    {XD_X12__SC_ROOT, OFF(purchase_order, payment_terms), SIZE(payment_terms)},
    {XD_X12__SC_ROOT, OFF(purchase_order, totals), SIZE(po_totals)},
};

static const struct xd_x12__bind po_cur[] = {BF(1, "BY", 2), B(2, STR, purchase_order, currency)};
static const struct xd_x12__bind po_fob[] = {BC(1, FREIGHT, purchase_order, freight_terms)};
static const struct xd_x12__bind po_itd[] = {
    BC(2, TERMS_BASIS, payment_terms, basis), BH(3, DEC, payment_terms, discount_percent),
    BH(5, INT, payment_terms, discount_days), B(6, DATE, payment_terms, due_date),
    BH(7, INT, payment_terms, net_days),      B(12, STR, payment_terms, description)};
/* TD5: TD503 is a SCAC only when TD502 says so (2); the outbound form writes both. */
const struct xd_x12__bind xd_x12__td5_in[3] = {BC(4, TRANSPORT, carrier, transport_mode),
                                               B(5, STR, carrier, name),
                                               BC(12, SERVICE, carrier, service_level)};
const struct xd_x12__bind xd_x12__td5_scac[1] = {B(3, STR, carrier, scac)};
const struct xd_x12__bind xd_x12__td5_out[5] = {
    BF(2, "2", 3),
    B(3, STR, carrier, scac),
    BC(4, TRANSPORT, carrier, transport_mode),
    B(5, STR, carrier, name),
    BC(12, SERVICE, carrier, service_level),
};
static const struct xd_x12__bind pid[] = {BF(1, "F", 5), B(5, STR, po_line, description)};
static const struct xd_x12__bind po_ctt[] = {BH(1, INT, po_totals, line_count),
                                             BH(2, DEC, po_totals, total_quantity)};
static const struct xd_x12__bind po_amt[] = {BF(1, "TT", 2), BH(2, DEC, po_totals, total_amount)};

/* ---- 850 ----------------------------------------------------------------------------------- */

static const struct xd_x12__bind beg[] = {
    BC(1, PURPOSE, purchase_order, purpose), BCA(2, ORDER_TYPE, purchase_order, order_type, "NE"),
    B(3, STR, purchase_order, po_number),    B(4, STR, purchase_order, release_number),
    B(5, DATE, purchase_order, order_date),
};
static const struct xd_x12__bind po1[] = {B(2, DEC, po_line, quantity), B(3, UOM, po_line, uom),
                                          BH(4, DEC, po_line, unit_price)};
static const struct xd_x12__bind po1_out[] = {
    B(1, INT, po_line, line_number), B(1, STR, po_line, line_id), B(2, DEC, po_line, quantity),
    B(3, UOM, po_line, uom), BH(4, DEC, po_line, unit_price)};
static const struct xd_x12__lines po_lines = {XD_X12__SC_ROOT,
                                              OFF(purchase_order, lines),
                                              OFF(purchase_order, n_lines),
                                              SIZE(po_line),
                                              true,
                                              OFF(po_line, line_number),
                                              OFF(po_line, line_id),
                                              1,
                                              6,
                                              XD_X12__SC_LINE};

#define PO_HEADER_RULES                                                                            \
    RULE("CUR", "", NULL, NULL, XD_X12__SC_ROOT, T(po_cur), NO_MEMB, NULL),                        \
        RULE("REF", "", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, &po_refs),        \
        RULE("FOB", "", NULL, NULL, XD_X12__SC_ROOT, T(po_fob), NO_MEMB, NULL),                    \
        RULE("ITD", "", NULL, NULL, SC_PO_TERMS, T(po_itd), NO_MEMB, NULL),                        \
        RULE("DTM", "", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(po_dates), NULL),        \
        RULE("TD5", "", NULL, NULL, SC_PO_CARRIER, T(xd_x12__td5_in), NO_MEMB, NULL),              \
        RULE_KEY("TD5", "", NULL, NULL, SC_PO_CARRIER, T(xd_x12__td5_scac), NO_MEMB, NULL, 2,      \
                 "2"),                                                                             \
        RULE("N9", "N9", "", xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(po_note), NULL),          \
        RULE("MSG", "N9", "", xd_x12__h_note, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, NULL),           \
        RULE("N1", "N1", "", xd_x12__h_party, XD_X12__SC_ROOT, NO_BINDS, T(po_parties), NULL),     \
        RULE("N2", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("N3", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("N4", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("PER", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),  \
        RULE("REF", "N1", "", xd_x12__h_ref, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),           \
        RULE("CTT", "CTT", NULL, NULL, SC_PO_TOTALS, T(po_ctt), NO_MEMB, NULL),                    \
        RULE_KEY("AMT", "CTT", NULL, NULL, SC_PO_TOTALS, T(po_amt), NO_MEMB, NULL, 1, "TT")

#define PO_LINE_RULES(L)                                                                           \
    RULE_KEY("PID", "PID", L, NULL, XD_X12__SC_LINE, T(pid), NO_MEMB, NULL, 1, "F"),               \
        RULE("DTM", L, NULL, xd_x12__h_dtm, XD_X12__SC_LINE, NO_BINDS, T(po_line_dates), NULL),    \
        RULE("N9", "N9", L, xd_x12__h_ref, XD_X12__SC_LINE, NO_BINDS, T(po_line_note), NULL),      \
        RULE("MSG", "N9", L, xd_x12__h_note, XD_X12__SC_LINE, NO_BINDS, NO_MEMB, NULL)

static const struct xd_x12__rule rules_850[] = {
    RULE("BEG", "", NULL, NULL, XD_X12__SC_ROOT, T(beg), NO_MEMB, NULL),
    PO_HEADER_RULES,
    RULE("PO1", "PO1", NULL, xd_x12__h_line, XD_X12__SC_ROOT, T(po1), T(po_item_ids), &po_lines),
    PO_LINE_RULES("PO1"),
};

/* CTT of an order's totals: CTT01 is mandatory, so a document whose totals give no line count
 * gets the number of its lines (read back as line_count). */
static enum xd_status w_po_ctt(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const void *tot = xd_x12__out_scope(o, s->scope);
    if (tot == NULL) {
        return XD_OK;
    }
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, tot, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    if (o->n == 0 || o->vals[0].len == 0) {
        const struct xd_canon_purchase_order *po = o->obj[XD_X12__SC_ROOT];
        char n[24];
        snprintf(n, sizeof n, "%zu", po->n_lines);
        xd_x12__out_setf(o, 1, n);
    }
    return xd_x12__out_write(o, "CTT");
}

#define PO_HEADER_STEPS                                                                            \
    STEP("CUR", XD_X12__SC_ROOT, NULL, T(po_cur), NO_MEMB, NULL),                                  \
        STEP("REF", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, NO_MEMB, &po_refs),                 \
        STEP("FOB", XD_X12__SC_ROOT, NULL, T(po_fob), NO_MEMB, NULL),                              \
        STEP("ITD", SC_PO_TERMS, NULL, T(po_itd), NO_MEMB, NULL),                                  \
        STEP("DTM", XD_X12__SC_ROOT, xd_x12__w_dtms, NO_BINDS, T(po_dates), NULL),                 \
        STEP("TD5", SC_PO_CARRIER, NULL, T(xd_x12__td5_out), NO_MEMB, NULL),                       \
        STEP("N9", XD_X12__SC_ROOT, xd_x12__w_note, NO_BINDS, T(po_note), NULL),                   \
        STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &po_party_list)

#define PO_LINE_STEPS                                                                              \
    STEP("PID", XD_X12__SC_LINE, NULL, T(pid), NO_MEMB, NULL),                                     \
        STEP("DTM", XD_X12__SC_LINE, xd_x12__w_dtms, NO_BINDS, T(po_line_dates), NULL),            \
        STEP("N9", XD_X12__SC_LINE, xd_x12__w_note, NO_BINDS, T(po_line_note), NULL)

#define PO_TOTAL_STEPS                                                                             \
    STEP("CTT", SC_PO_TOTALS, w_po_ctt, T(po_ctt), NO_MEMB, NULL),                                 \
        STEP("AMT", SC_PO_TOTALS, NULL, T(po_amt), NO_MEMB, NULL)

static const struct xd_x12__step po1_steps[] = {
    STEP_IDS("PO1", XD_X12__SC_LINE, T(po1_out), T(po_item_ids), 6),
    PO_LINE_STEPS,
};
static const struct xd_x12__each po1_each = {OFF(purchase_order, lines),
                                             OFF(purchase_order, n_lines),
                                             SIZE(po_line),
                                             XD_X12__SC_LINE,
                                             po1_steps,
                                             XD_ARRAY_LEN(po1_steps)};
static const struct xd_x12__step steps_850[] = {
    STEP_REQ("BEG", XD_X12__SC_ROOT, T(beg)),
    PO_HEADER_STEPS,
    STEP("PO1", XD_X12__SC_ROOT, xd_x12__w_lines, NO_BINDS, NO_MEMB, &po1_each),
    PO_TOTAL_STEPS,
};

/* ---- 860 ----------------------------------------------------------------------------------- */

static const struct xd_x12__bind bch[] = {
    BC(1, PURPOSE, purchase_order, purpose), BCA(2, ORDER_TYPE, purchase_order, order_type, "NE"),
    B(3, STR, purchase_order, po_number),    B(4, STR, purchase_order, release_number),
    BH(5, INT, purchase_order, revision),    B(6, DATE, purchase_order, order_date),
};
static const struct xd_x12__bind poc[] = {
    BCA(2, LINE_CHANGE, po_line, change, "NC"),
    B(3, DEC, po_line, quantity),
    {"uom", 5, 1, XD_X12__CV_UOM, 0, 0, OFF(po_line, uom), 0, NULL, NULL},
    BH(6, DEC, po_line, unit_price)};
static const struct xd_x12__bind poc_out[] = {B(1, INT, po_line, line_number),
                                              B(1, STR, po_line, line_id),
                                              BCA(2, LINE_CHANGE, po_line, change, "NC"),
                                              B(3, DEC, po_line, quantity),
                                              B(5, UOM, po_line, uom),
                                              BH(6, DEC, po_line, unit_price)};
static const struct xd_x12__lines poc_lines = {XD_X12__SC_ROOT,
                                               OFF(purchase_order, lines),
                                               OFF(purchase_order, n_lines),
                                               SIZE(po_line),
                                               true,
                                               OFF(po_line, line_number),
                                               OFF(po_line, line_id),
                                               1,
                                               8,
                                               XD_X12__SC_LINE};

static const struct xd_x12__rule rules_860[] = {
    RULE("BCH", "", NULL, NULL, XD_X12__SC_ROOT, T(bch), NO_MEMB, NULL),
    PO_HEADER_RULES,
    RULE("POC", "POC", NULL, xd_x12__h_line, XD_X12__SC_ROOT, T(poc), T(po_item_ids), &poc_lines),
    PO_LINE_RULES("POC"),
};

static const struct xd_x12__step poc_steps[] = {
    STEP_IDS("POC", XD_X12__SC_LINE, T(poc_out), T(po_item_ids), 8),
    PO_LINE_STEPS,
};
static const struct xd_x12__each poc_each = {OFF(purchase_order, lines),
                                             OFF(purchase_order, n_lines),
                                             SIZE(po_line),
                                             XD_X12__SC_LINE,
                                             poc_steps,
                                             XD_ARRAY_LEN(poc_steps)};
static const struct xd_x12__step steps_860[] = {
    STEP_REQ("BCH", XD_X12__SC_ROOT, T(bch)),
    PO_HEADER_STEPS,
    STEP("POC", XD_X12__SC_ROOT, xd_x12__w_lines, NO_BINDS, NO_MEMB, &poc_each),
    PO_TOTAL_STEPS,
};

/* A purchase order's lines carry a change code only when it is a change (canonical rule):
 * an 860 that cancels reads its POC02 codes as nothing. */
/* CTT totals that do not add up (the validator warned) are control data gone wrong: a sum is
 * left out, with a note, rather than carried as a fact; the line count is the lines'. */
static void po_totals(struct xd_x12__tr *t, struct xd_canon_purchase_order *po)
{
    struct xd_canon_po_totals *tot = po->totals;
    struct xd_decimal sum = {0, 0};
    bool ok = true;
    for (size_t i = 0; i < po->n_lines && ok; i++) {
        ok = xd_decimal_add(sum, po->lines[i].quantity, &sum) == XD_OK;
    }
    if (tot->has_line_count && (uint64_t)tot->line_count != (uint64_t)po->n_lines) {
        /* CTT01 is mandatory wherever totals travel: the count of lines there are. */
        xd_x12__tr_note(t, 1, "CTT01 %lld does not count the lines; read as the %zu there are",
                        (long long)tot->line_count, po->n_lines);
        tot->line_count = (int64_t)po->n_lines;
    }
    if (tot->has_total_quantity && (!ok || xd_decimal_cmp(sum, tot->total_quantity) != 0)) {
        tot->has_total_quantity = false;
        xd_x12__tr_note(t, 2, "CTT02 is not the sum of line quantities; left out");
    }
    if (!tot->has_line_count && !tot->has_total_quantity && !tot->has_total_amount) {
        po->totals = NULL;
    }
}

static void finish_po(struct xd_x12__tr *t)
{
    struct xd_canon_purchase_order *po = t->doc->body;
    if (po->totals != NULL) {
        xd_x12__tr_at(t, po->totals, "CTT");
        po_totals(t, po);
    }
    /* after the totals: CTT01 counts the lines as sent */
    if (xd_x12__tr_drop_zero_lines(t, po, OFF(purchase_order, lines), OFF(purchase_order, n_lines),
                                   SIZE(po_line), OFF(po_line, quantity), 2) > 0) {
        xd_x12__tr_number_by_place(po, &po_lines);
        if (po->totals != NULL && po->totals->has_line_count) {
            po->totals->line_count = (int64_t)po->n_lines;
        }
    }
    for (size_t i = 0; po->currency == NULL && i < po->n_lines; i++) {
        if (po->lines[i].has_unit_price) {
            po->currency = xd_x12__map_currency(t->map); /* prices without CUR */
        }
    }
    if (po->purpose != NULL && strcmp(po->purpose, "change") != 0) {
        for (size_t i = 0; i < po->n_lines; i++) {
            po->lines[i].change = NULL;
        }
    }
}

/* ---- 855 ----------------------------------------------------------------------------------- */

static const struct xd_x12__member ack_item_ids[] = {
    M(ack_line, sku, STR), M(ack_line, vendor_part, STR), M(ack_line, buyer_part, STR),
    M(ack_line, gtin, STR)};
static const struct xd_x12__member ack_parties[] = {M(po_acknowledgement, buyer, FIXED),
                                                    M(po_acknowledgement, supplier, FIXED),
                                                    M(po_acknowledgement, ship_to, FIXED)};
static const struct xd_x12__party_list ack_party_list = {ack_parties, XD_ARRAY_LEN(ack_parties),
                                                         true, true};
static const struct xd_x12__member ack_note[] = {M(po_acknowledgement, note, TEXT)};
static const struct xd_x12__member ack_reason[] = {M(ack_line, reason, TEXT)};
static const struct xd_x12__member ack_dates[] = {M(ack_line, confirmed_ship_date, DATE),
                                                  M(ack_line, confirmed_delivery_date, DATE)};
static const struct xd_x12__refs ack_refs = {OFF(po_acknowledgement, references),
                                             OFF(po_acknowledgement, n_references)};

static const struct xd_x12__bind bak[] = {
    {"purpose", 1, 0, XD_X12__CV_CODE, XD_X12__L_PURPOSE, 0, OFF(po_acknowledgement, purpose), 0,
     NULL, "00"},
    BC(2, ACK_STATUS, po_acknowledgement, status),
    B(3, STR, po_acknowledgement, po_number),
    B(4, DATE, po_acknowledgement, po_date),
    B(8, STR, po_acknowledgement, ack_number),
    B(9, DATE, po_acknowledgement, ack_date),
};
static const struct xd_x12__bind ack_cur[] = {BF(1, "SE", 2),
                                              B(2, STR, po_acknowledgement, currency)};
static const struct xd_x12__bind ack_po1[] = {BH(2, DEC, ack_line, ordered_quantity),
                                              B(3, UOM, ack_line, uom),
                                              BH(4, DEC, ack_line, confirmed_unit_price)};
static const struct xd_x12__bind ack_po1_out[] = {
    B(1, INT, ack_line, line_number), B(1, STR, ack_line, line_id),
    BH(2, DEC, ack_line, ordered_quantity), B(3, UOM, ack_line, uom),
    BH(4, DEC, ack_line, confirmed_unit_price)};
static const struct xd_x12__bind ack_pid[] = {BF(1, "F", 5), B(5, STR, ack_line, description)};
static const struct xd_x12__bind ack_ack[] = {BC(1, LINE_ACK, ack_line, status),
                                              BH(2, DEC, ack_line, confirmed_quantity)};
static const struct xd_x12__lines ack_lines = {XD_X12__SC_ROOT,
                                               OFF(po_acknowledgement, lines),
                                               OFF(po_acknowledgement, n_lines),
                                               SIZE(ack_line),
                                               true,
                                               OFF(ack_line, line_number),
                                               OFF(ack_line, line_id),
                                               1,
                                               6,
                                               XD_X12__SC_LINE};

/* ACK: the first of a line carries its status and confirmed quantity; a later one with a
 * backorder code the quantity to ship later. */
static void h_ack(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    struct xd_canon_ack_line *l = t->obj[XD_X12__SC_LINE];
    if (l == NULL) {
        return;
    }
    struct xd_slice u = xd_x12__tr_elem(seg, 3, 0), q = xd_x12__tr_elem(seg, 2, 0);
    if (l->status == NULL) {
        xd_x12__tr_bind(t, l, r->binds, r->nbinds, seg);
    } else if (q.len > 0) {
        (void)xd_x12__tr_set(t, l, OFF(ack_line, backordered_quantity),
                             HAS(ack_line, backordered_quantity), XD_X12__CV_DEC, 0, q, 2);
    }
    if (u.len > 0 && l->uom == NULL) {
        (void)xd_x12__tr_set(t, l, OFF(ack_line, uom), 0, XD_X12__CV_UOM, 0, u, 3);
    }
    /* ACK04/ACK05: the date the line is confirmed for (068 ship, 067 delivery by default). */
    if (xd_x12__tr_elem(seg, 5, 0).len > 0) {
        struct xd_x12__rule dates = *r;
        dates.members = ack_dates;
        dates.nmembers = XD_ARRAY_LEN(ack_dates);
        xd_x12__h_dtm(t, seg, &dates);
    }
}

static enum xd_status w_ack(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_ack_line *l = o->obj[XD_X12__SC_LINE];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, l, ack_ack, XD_ARRAY_LEN(ack_ack)) == SIZE_MAX) {
        return XD_EINVAL;
    }
    if (l->has_confirmed_quantity && l->uom != NULL) {
        xd_x12__out_setf(o, 3, xd_x12__map_uom_out(o->map, o->spec->type, l->uom));
    }
    enum xd_status st = xd_x12__out_write(o, s->seg);
    if (st != XD_OK || !l->has_backordered_quantity) {
        return st;
    }
    const char *ib = xd_x12__codes_out(o->codes, XD_X12__L_LINE_ACK, "backordered");
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, ib ? ib : "IB");
    bool here;
    st = xd_x12__out_member(o, 2, l, OFF(ack_line, backordered_quantity),
                            HAS(ack_line, backordered_quantity), XD_X12__CV_DEC, 0, &here);
    if (st == XD_OK && l->uom != NULL) {
        xd_x12__out_setf(o, 3, xd_x12__map_uom_out(o->map, o->spec->type, l->uom));
    }
    return st == XD_OK ? xd_x12__out_write(o, s->seg) : st;
}

/* BAK04 is mandatory: without the order's date, the acknowledgement's. */
static enum xd_status w_bak(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_po_acknowledgement *a = o->obj[XD_X12__SC_ROOT];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, a, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    if (a->po_date == NULL) {
        bool here;
        if (xd_x12__out_member(o, 4, a, OFF(po_acknowledgement, ack_date), 0, XD_X12__CV_DATE, 0,
                               &here) != XD_OK) {
            return XD_EINVAL;
        }
    }
    return xd_x12__out_write(o, s->seg);
}

/* A PO1 without ACK answers as the header does: rejected with a rejected order, else
 * accepted (an order accepted with changes changes other lines). */
static void finish_855(struct xd_x12__tr *t)
{
    struct xd_canon_po_acknowledgement *a = t->doc->body;
    if (a->ack_date == NULL && t->group_date[0]) {
        /* No BAK09: the acknowledgement is dated when its group was (GS04). */
        a->ack_date = xd_x12__tr_datetime(t, xd_slice_from_cstr(t->group_date),
                                          (struct xd_slice){"", 0}, (struct xd_slice){"", 0}, 4);
        a->ack_date = a->ack_date ? xd_arena_strndup(t->arena, a->ack_date, 10) : NULL;
        xd_x12__tr_at(t, NULL, "GS");
        xd_x12__tr_note(t, 4, "no BAK09: the acknowledgement date is the group's, GS04");
    }
    /* An answer cannot come before the order it answers: a date written wrong (or a group
     * date older than the order). The order's date is the earliest it can be. */
    if (a->ack_date != NULL && a->po_date != NULL && strcmp(a->ack_date, a->po_date) < 0) {
        xd_x12__tr_at(t, NULL, "BAK");
        xd_x12__tr_warn(t, 9,
                        "the acknowledgement date %s is before the order's (BAK04 %s): read as "
                        "the order's date",
                        a->ack_date, a->po_date);
        a->ack_date = a->po_date;
    }
    bool rejected = a->status != NULL && strcmp(a->status, "rejected") == 0;
    for (size_t i = 0; i < a->n_lines; i++) {
        if (a->lines[i].status == NULL) {
            a->lines[i].status = rejected ? "rejected" : "accepted";
        }
    }
}

static const struct xd_x12__rule rules_855[] = {
    RULE("BAK", "", NULL, NULL, XD_X12__SC_ROOT, T(bak), NO_MEMB, NULL),
    RULE("CUR", "", NULL, NULL, XD_X12__SC_ROOT, T(ack_cur), NO_MEMB, NULL),
    RULE("REF", "", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, &ack_refs),
    RULE("N9", "N9", "", xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(ack_note), NULL),
    RULE("MSG", "N9", "", xd_x12__h_note, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, NULL),
    RULE("N1", "N1", "", xd_x12__h_party, XD_X12__SC_ROOT, NO_BINDS, T(ack_parties), NULL),
    RULE("N2", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("N3", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("N4", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("PER", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("REF", "N1", "", xd_x12__h_ref, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("PO1", "PO1", NULL, xd_x12__h_line, XD_X12__SC_ROOT, T(ack_po1), T(ack_item_ids),
         &ack_lines),
    RULE_KEY("PID", "PID", "PO1", NULL, XD_X12__SC_LINE, T(ack_pid), NO_MEMB, NULL, 1, "F"),
    RULE("DTM", "PO1", NULL, xd_x12__h_dtm, XD_X12__SC_LINE, NO_BINDS, T(ack_dates), NULL),
    RULE("ACK", "ACK", "PO1", h_ack, XD_X12__SC_LINE, T(ack_ack), NO_MEMB, NULL),
    RULE("N9", "N9", "PO1", xd_x12__h_ref, XD_X12__SC_LINE, NO_BINDS, T(ack_reason), NULL),
    RULE("MSG", "N9", "PO1", xd_x12__h_note, XD_X12__SC_LINE, NO_BINDS, NO_MEMB, NULL),
};

static const struct xd_x12__bind ack_ctt[] = {BF(1, "0", 0)};

/* CTT01: the number of PO1 lines. */
static enum xd_status w_ctt_lines(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_x12__each *e = s->arg;
    const char *root = o->obj[XD_X12__SC_ROOT];
    char n[24];
    snprintf(n, sizeof n, "%zu", *(const size_t *)(root + e->count_off));
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, n);
    return xd_x12__out_write(o, "CTT");
}

static const struct xd_x12__step ack_po1_steps[] = {
    STEP_IDS("PO1", XD_X12__SC_LINE, T(ack_po1_out), T(ack_item_ids), 6),
    STEP("PID", XD_X12__SC_LINE, NULL, T(ack_pid), NO_MEMB, NULL),
    STEP("DTM", XD_X12__SC_LINE, xd_x12__w_dtms, NO_BINDS, T(ack_dates), NULL),
    STEP("ACK", XD_X12__SC_LINE, w_ack, NO_BINDS, NO_MEMB, NULL),
    STEP("N9", XD_X12__SC_LINE, xd_x12__w_note, NO_BINDS, T(ack_reason), NULL),
};
static const struct xd_x12__each ack_each = {OFF(po_acknowledgement, lines),
                                             OFF(po_acknowledgement, n_lines),
                                             SIZE(ack_line),
                                             XD_X12__SC_LINE,
                                             ack_po1_steps,
                                             XD_ARRAY_LEN(ack_po1_steps)};
static const struct xd_x12__step steps_855[] = {
    STEP("BAK", XD_X12__SC_ROOT, w_bak, T(bak), NO_MEMB, NULL),
    STEP("CUR", XD_X12__SC_ROOT, NULL, T(ack_cur), NO_MEMB, NULL),
    STEP("REF", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, NO_MEMB, &ack_refs),
    STEP("N9", XD_X12__SC_ROOT, xd_x12__w_note, NO_BINDS, T(ack_note), NULL),
    STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &ack_party_list),
    STEP("PO1", XD_X12__SC_ROOT, xd_x12__w_lines, NO_BINDS, NO_MEMB, &ack_each),
    STEP("CTT", XD_X12__SC_ROOT, w_ctt_lines, T(ack_ctt), NO_MEMB, &ack_each),
};

/* ---- 810 ----------------------------------------------------------------------------------- */

static const struct xd_x12__member inv_item_ids[] = {
    M(invoice_line, sku, STR), M(invoice_line, vendor_part, STR), M(invoice_line, buyer_part, STR),
    M(invoice_line, gtin, STR)};
static const struct xd_x12__member inv_parties[] = {
    M(invoice, supplier, FIXED), M(invoice, buyer, FIXED), M(invoice, remit_to, FIXED),
    M(invoice, ship_to, FIXED)};
static const struct xd_x12__party_list inv_party_list = {inv_parties, XD_ARRAY_LEN(inv_parties),
                                                         true, true};
static const struct xd_x12__member inv_refs_members[] = {M(invoice, asn_number, STR)};
static const struct xd_x12__member inv_line_refs[] = {MH(invoice_line, po_line_number, INT)};
static const struct xd_x12__member inv_dates[] = {M(invoice, ship_date, DATE)};
static const struct xd_x12__refs inv_refs = {OFF(invoice, references), OFF(invoice, n_references)};

enum { SC_INV_TERMS = XD_X12__SC_DYNAMIC, SC_INV_TOTALS };
static const struct xd_x12__scope inv_scopes[] = {
    {XD_X12__SC_ROOT, OFF(invoice, payment_terms), SIZE(payment_terms)},
    {XD_X12__SC_ROOT, OFF(invoice, totals), SIZE(invoice_totals)},
};

static const struct xd_x12__bind big[] = {
    B(1, DATE, invoice, invoice_date), B(2, STR, invoice, invoice_number),
    B(3, DATE, invoice, po_date), B(4, STR, invoice, po_number),
    BC(7, INVOICE_TYPE, invoice, invoice_type)};
static const struct xd_x12__bind inv_cur[] = {BF(1, "SE", 2), B(2, STR, invoice, currency)};
static const struct xd_x12__bind inv_itd[] = {
    BC(2, TERMS_BASIS, payment_terms, basis), BH(3, DEC, payment_terms, discount_percent),
    BH(5, INT, payment_terms, discount_days), BH(7, INT, payment_terms, net_days),
    B(12, STR, payment_terms, description)};
static const struct xd_x12__bind inv_itd_due[] = {B(6, DATE, invoice, due_date)};
static const struct xd_x12__bind it1[] = {B(2, DEC, invoice_line, quantity),
                                          B(3, UOM, invoice_line, uom),
                                          B(4, DEC, invoice_line, unit_price)};
static const struct xd_x12__bind it1_out[] = {
    B(1, INT, invoice_line, line_number), B(1, STR, invoice_line, line_id),
    B(2, DEC, invoice_line, quantity), B(3, UOM, invoice_line, uom),
    B(4, DEC, invoice_line, unit_price)};
static const struct xd_x12__bind inv_pid[] = {BF(1, "F", 5), B(5, STR, invoice_line, description)};
static const struct xd_x12__bind tds[] = {B(1, N2, invoice_totals, total_amount),
                                          B(2, N2, invoice_totals, subtotal)};
static const struct xd_x12__bind txi[] = {BC(1, TAX, tax, type), B(2, DEC, tax, amount),
                                          BH(3, DEC, tax, rate_percent), BF(4, "VD", 5),
                                          B(5, STR, tax, jurisdiction)};
static const struct xd_x12__bind sac_c[] = {
    BF(1, "C", 0), BC(2, CHARGE, charge, code), B(5, N2, charge, amount),
    BF(6, "3", 7), BH(7, DEC, charge, percent), B(15, STR, charge, description)};
static const struct xd_x12__bind sac_a[] = {
    BF(1, "A", 0), BC(2, CHARGE, charge, code), B(5, N2, charge, amount),
    BF(6, "3", 7), BH(7, DEC, charge, percent), B(15, STR, charge, description)};
static const struct xd_x12__bind inv_ctt[] = {BH(1, INT, invoice_totals, line_count)};
static const struct xd_x12__lines inv_lines = {XD_X12__SC_ROOT,
                                               OFF(invoice, lines),
                                               OFF(invoice, n_lines),
                                               SIZE(invoice_line),
                                               true,
                                               OFF(invoice_line, line_number),
                                               OFF(invoice_line, line_id),
                                               1,
                                               6,
                                               XD_X12__SC_LINE};
static const struct xd_x12__lines inv_taxes = {
    XD_X12__SC_ROOT, OFF(invoice, taxes), OFF(invoice, n_taxes), SIZE(tax), false, 0, 0, 0, 0,
    XD_X12__SC_EXTRA};
static const struct xd_x12__lines inv_charges = {XD_X12__SC_ROOT,
                                                 OFF(invoice, charges),
                                                 OFF(invoice, n_charges),
                                                 SIZE(charge),
                                                 false,
                                                 0,
                                                 0,
                                                 0,
                                                 0,
                                                 XD_X12__SC_EXTRA};
static const struct xd_x12__lines inv_allowances = {XD_X12__SC_ROOT,
                                                    OFF(invoice, allowances),
                                                    OFF(invoice, n_allowances),
                                                    SIZE(charge),
                                                    false,
                                                    0,
                                                    0,
                                                    0,
                                                    0,
                                                    XD_X12__SC_EXTRA};

/* SAC: a charge or allowance whose SAC02 has no canonical code is kept as "other" (its amount
 * counts in the totals), the X12 code in its description when it has none. */
static void h_sac(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    xd_x12__h_line(t, seg, r);
    struct xd_canon_charge *c = t->obj[XD_X12__SC_EXTRA];
    struct xd_slice code = xd_x12__tr_elem(seg, 2, 0);
    if (c != NULL && c->code == NULL) {
        c->code = "other";
        if (c->description == NULL && code.len > 0) {
            c->description = xd_arena_printf(t->arena, "SAC02 %.*s", (int)code.len, code.p);
        }
    }
}

/* IT1 lines without IT104 (a quantity and its unit, no price), counted for one warning. */
struct inv_state {
    size_t unpriced;
    uint64_t first_unpriced; /* its position in the set */
};

static void begin_810(struct xd_x12__tr *t)
{
    t->state = xd_arena_calloc(t->arena, 1, sizeof(struct inv_state));
}

static void h_it1(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    xd_x12__h_line(t, seg, r);
    struct inv_state *s = t->state;
    if (s != NULL && t->obj[XD_X12__SC_LINE] != NULL && xd_x12__tr_elem(seg, 4, 0).len == 0) {
        s->first_unpriced = s->unpriced++ == 0 ? t->position : s->first_unpriced;
    }
}

/* Lines without a price are billed at 0: one warning, at the first of them. */
static void warn_unpriced(struct xd_x12__tr *t)
{
    const struct inv_state *s = t->state;
    if (s == NULL || s->unpriced == 0) {
        return;
    }
    xd_x12__tr_at(t, NULL, "IT1");
    t->position = s->first_unpriced;
    xd_x12__tr_warn(t, 4,
                    "%zu IT1 line%s without a unit price (IT104), the first here: unit_price "
                    "0, they add nothing to the total",
                    s->unpriced, s->unpriced == 1 ? "" : "s");
}

static const struct xd_x12__rule rules_810[] = {
    RULE("BIG", "", NULL, NULL, XD_X12__SC_ROOT, T(big), NO_MEMB, NULL),
    RULE("CUR", "", NULL, NULL, XD_X12__SC_ROOT, T(inv_cur), NO_MEMB, NULL),
    RULE("REF", "", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(inv_refs_members), &inv_refs),
    RULE("N1", "N1", "", xd_x12__h_party, XD_X12__SC_ROOT, NO_BINDS, T(inv_parties), NULL),
    RULE("N2", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("N3", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("N4", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("PER", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("REF", "N1", "", xd_x12__h_ref, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("ITD", "", NULL, NULL, SC_INV_TERMS, T(inv_itd), NO_MEMB, NULL),
    RULE("ITD", "", NULL, NULL, XD_X12__SC_ROOT, T(inv_itd_due), NO_MEMB, NULL),
    RULE("DTM", "", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(inv_dates), NULL),
    RULE("IT1", "IT1", NULL, h_it1, XD_X12__SC_ROOT, T(it1), T(inv_item_ids), &inv_lines),
    RULE_KEY("PID", "PID", "IT1", NULL, XD_X12__SC_LINE, T(inv_pid), NO_MEMB, NULL, 1, "F"),
    RULE("REF", "IT1", NULL, xd_x12__h_ref, XD_X12__SC_LINE, NO_BINDS, T(inv_line_refs), NULL),
    RULE("TDS", "", NULL, NULL, SC_INV_TOTALS, T(tds), NO_MEMB, NULL),
    RULE("TXI", "", NULL, xd_x12__h_line, XD_X12__SC_ROOT, T(txi), NO_MEMB, &inv_taxes),
    RULE("TXI", "IT1", NULL, xd_x12__h_line, XD_X12__SC_ROOT, T(txi), NO_MEMB, &inv_taxes),
    /* summary SAC loop, and SAC of an IT1 loop: both count in the invoice's totals */
    RULE_KEY("SAC", "SAC", "", h_sac, XD_X12__SC_ROOT, T(sac_c), NO_MEMB, &inv_charges, 1, "C"),
    RULE_KEY("SAC", "SAC", "", h_sac, XD_X12__SC_ROOT, T(sac_a), NO_MEMB, &inv_allowances, 1, "A"),
    RULE_KEY("SAC", "SAC", "IT1", h_sac, XD_X12__SC_ROOT, T(sac_c), NO_MEMB, &inv_charges, 1, "C"),
    RULE_KEY("SAC", "SAC", "IT1", h_sac, XD_X12__SC_ROOT, T(sac_a), NO_MEMB, &inv_allowances, 1,
             "A"),
    RULE("CTT", "", NULL, NULL, SC_INV_TOTALS, T(inv_ctt), NO_MEMB, NULL),
};

/* Each element of an array of the root through <binds> (taxes, charges, allowances). */
static enum xd_status w_each_seg(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_x12__lines *a = s->arg;
    const char *root = o->obj[XD_X12__SC_ROOT];
    size_t n = *(const size_t *)(root + a->count_off);
    const char *items = *(const char *const *)(root + a->arr_off);
    for (size_t i = 0; i < n; i++) {
        xd_x12__out_begin(o);
        if (xd_x12__out_bind(o, items + i * a->size, s->binds, s->nbinds) == SIZE_MAX) {
            return XD_EINVAL;
        }
        enum xd_status st = xd_x12__out_write(o, s->seg);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

/* ITD: the payment terms and the invoice's due date in one segment. */
static enum xd_status w_inv_itd(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_invoice *inv = o->obj[XD_X12__SC_ROOT];
    xd_x12__out_begin(o);
    size_t a = xd_x12__out_bind(o, inv->payment_terms, inv_itd, XD_ARRAY_LEN(inv_itd));
    size_t b = xd_x12__out_bind(o, inv, inv_itd_due, XD_ARRAY_LEN(inv_itd_due));
    if (a == SIZE_MAX || b == SIZE_MAX) {
        return XD_EINVAL;
    }
    return a + b > 0 ? xd_x12__out_write(o, s->seg) : XD_OK;
}

static const struct xd_x12__step it1_steps[] = {
    STEP_IDS("IT1", XD_X12__SC_LINE, T(it1_out), T(inv_item_ids), 6),
    STEP("PID", XD_X12__SC_LINE, NULL, T(inv_pid), NO_MEMB, NULL),
    STEP("REF", XD_X12__SC_LINE, xd_x12__w_refs, NO_BINDS, T(inv_line_refs), NULL),
};
static const struct xd_x12__each it1_each = {OFF(invoice, lines), OFF(invoice, n_lines),
                                             SIZE(invoice_line),  XD_X12__SC_LINE,
                                             it1_steps,           XD_ARRAY_LEN(it1_steps)};
static const struct xd_x12__step steps_810[] = {
    STEP_REQ("BIG", XD_X12__SC_ROOT, T(big)),
    STEP("CUR", XD_X12__SC_ROOT, NULL, T(inv_cur), NO_MEMB, NULL),
    STEP("REF", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, T(inv_refs_members), &inv_refs),
    STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &inv_party_list),
    STEP("ITD", XD_X12__SC_ROOT, w_inv_itd, NO_BINDS, NO_MEMB, NULL),
    STEP("DTM", XD_X12__SC_ROOT, xd_x12__w_dtms, NO_BINDS, T(inv_dates), NULL),
    STEP("IT1", XD_X12__SC_ROOT, xd_x12__w_lines, NO_BINDS, NO_MEMB, &it1_each),
    STEP_REQ("TDS", SC_INV_TOTALS, T(tds)),
    STEP("TXI", XD_X12__SC_ROOT, w_each_seg, T(txi), NO_MEMB, &inv_taxes),
    STEP("SAC", XD_X12__SC_ROOT, w_each_seg, T(sac_c), NO_MEMB, &inv_charges),
    STEP("SAC", XD_X12__SC_ROOT, w_each_seg, T(sac_a), NO_MEMB, &inv_allowances),
    STEP("CTT", SC_INV_TOTALS, NULL, T(inv_ctt), NO_MEMB, NULL),
};

/* Sum of <n> amounts at <off> in elements of <size> bytes; false on overflow. */
static bool sum(const void *items, size_t n, size_t size, size_t off, struct xd_decimal *out)
{
    *out = (struct xd_decimal){0, 2};
    for (size_t i = 0; i < n; i++) {
        const struct xd_decimal *d = (const void *)((const char *)items + i * size + off);
        if (xd_decimal_add(*out, *d, out) != XD_OK) {
            return false;
        }
    }
    return true;
}

/* subtotal + charges - allowances + taxes, as the canonical invoice defines its total. */
static bool computed_total(const struct xd_canon_invoice_totals *tot, struct xd_decimal *out)
{
    struct xd_decimal zero = {0, 2};
    return xd_decimal_add(tot->subtotal, tot->has_charges_total ? tot->charges_total : zero, out) ==
               XD_OK &&
           xd_decimal_sub(*out, tot->has_allowances_total ? tot->allowances_total : zero, out) ==
               XD_OK &&
           xd_decimal_add(*out, tot->has_tax_total ? tot->tax_total : zero, out) == XD_OK;
}

/* TDS01 is what the supplier bills. When it is not the sum of what the invoice lists, the
 * difference is kept as a charge (or an allowance) coded "other", so the total billed stays
 * and the invoice adds up; three-way matching then sees the difference for what it is. */
static void settle_tds(struct xd_x12__tr *t, struct xd_canon_invoice *inv,
                       struct xd_canon_invoice_totals *tot)
{
    struct xd_decimal total, diff, amount;
    if (!computed_total(tot, &total) || xd_decimal_sub(tot->total_amount, total, &diff) != XD_OK ||
        xd_decimal_is_zero(diff) || xd_decimal_abs(diff, &amount) != XD_OK) {
        return;
    }
    bool charge = !xd_decimal_is_negative(diff);
    xd_x12__tr_at(t, tot, "TDS");
    struct xd_canon_charge *c = charge
                                    ? xd_x12__tr_append(t, inv, OFF(invoice, charges),
                                                        OFF(invoice, n_charges), SIZE(charge))
                                    : xd_x12__tr_append(t, inv, OFF(invoice, allowances),
                                                        OFF(invoice, n_allowances), SIZE(charge));
    if (c == NULL) {
        return;
    }
    c->code = "other";
    c->amount = amount;
    c->description = "TDS01 difference";
    struct xd_decimal *sum_of = charge ? &tot->charges_total : &tot->allowances_total;
    bool *has = charge ? &tot->has_charges_total : &tot->has_allowances_total;
    if (!*has) {
        *sum_of = (struct xd_decimal){0, 2};
    }
    *has = xd_decimal_add(*sum_of, amount, sum_of) == XD_OK;
    char billed[XD_DECIMAL_STR_MAX], listed[XD_DECIMAL_STR_MAX], kept[XD_DECIMAL_STR_MAX];
    (void)xd_decimal_format(tot->total_amount, billed, sizeof billed);
    (void)xd_decimal_format(total, listed, sizeof listed);
    (void)xd_decimal_format(amount, kept, sizeof kept);
    xd_x12__tr_warn(t, 1,
                    "TDS01 %s is not lines + charges - allowances + taxes (%s): the difference "
                    "%s is kept as %s coded 'other'",
                    billed, listed, kept, charge ? "a charge" : "an allowance");
}

/* What an 810 does not write but an invoice holds: the type (DI when BIG07 is absent), line
 * amounts (quantity x price to the cent) and the sums of lines, charges, allowances, taxes. */
static void finish_810(struct xd_x12__tr *t)
{
    struct xd_canon_invoice *inv = t->doc->body;
    warn_unpriced(t);
    struct xd_canon_invoice_totals *ctt = inv->totals;
    size_t dropped = xd_x12__tr_drop_zero_lines(t, inv, OFF(invoice, lines), OFF(invoice, n_lines),
                                                SIZE(invoice_line), OFF(invoice_line, quantity), 2);
    if (dropped > 0) {
        xd_x12__tr_number_by_place(inv, &inv_lines);
    }
    if (dropped > 0 && ctt != NULL && ctt->has_line_count &&
        ctt->line_count == (int64_t)(inv->n_lines + dropped)) {
        ctt->line_count = (int64_t)inv->n_lines; /* CTT01 counted the lines as sent */
    }
    if (inv->invoice_type == NULL) {
        inv->invoice_type = "invoice";
    }
    if (inv->currency == NULL) {
        inv->currency = xd_x12__map_currency(t->map);
    }
    for (size_t i = 0; i < inv->n_lines; i++) {
        struct xd_canon_invoice_line *l = &inv->lines[i];
        struct xd_decimal ext;
        if (!l->has_amount && xd_decimal_mul(l->quantity, l->unit_price, &ext) == XD_OK &&
            xd_decimal_rescale(ext, 2, XD_ROUND_HALF_UP, &l->amount) == XD_OK) {
            l->has_amount = true;
        }
    }
    struct xd_canon_invoice_totals *tot = xd_x12__tr_scope(t, SC_INV_TOTALS);
    if (tot == NULL) {
        return;
    }
    (void)sum(inv->lines, inv->n_lines, sizeof *inv->lines, OFF(invoice_line, amount),
              &tot->subtotal);
    tot->has_charges_total =
        inv->n_charges > 0 && sum(inv->charges, inv->n_charges, sizeof *inv->charges,
                                  OFF(charge, amount), &tot->charges_total);
    tot->has_allowances_total =
        inv->n_allowances > 0 && sum(inv->allowances, inv->n_allowances, sizeof *inv->allowances,
                                     OFF(charge, amount), &tot->allowances_total);
    tot->has_tax_total = inv->n_taxes > 0 && sum(inv->taxes, inv->n_taxes, sizeof *inv->taxes,
                                                 OFF(tax, amount), &tot->tax_total);
    settle_tds(t, inv, tot);
}

/* ---- 180 (inbound) ------------------------------------------------------------------------- */

static const struct xd_x12__member rma_parties[] = {M(return_authorization, requester, FIXED),
                                                    M(return_authorization, return_to, FIXED)};
static const struct xd_x12__member rma_refs_members[] = {
    M(return_authorization, original_po_number, STR),
    M(return_authorization, original_invoice_number, STR),
    M(return_authorization, original_order_number, STR)};
static const struct xd_x12__member rma_dates[] = {M(return_authorization, expiry_date, DATE)};
static const struct xd_x12__member rma_item_ids[] = {
    M(rma_line, sku, STR), M(rma_line, vendor_part, STR), M(rma_line, buyer_part, STR),
    M(rma_line, gtin, STR), M(rma_line, lot_number, STR)};
static const struct xd_x12__refs rma_refs = {OFF(return_authorization, references),
                                             OFF(return_authorization, n_references)};
static const struct xd_x12__bind bgn[] = {B(2, STR, return_authorization, rma_number),
                                          B(3, DATE, return_authorization, rma_date)};
static const struct xd_x12__bind rma_prf[] = {B(1, STR, return_authorization, original_po_number)};
static const struct xd_x12__bind rma_rdr[] = {
    BC(1, RETURN_REASON, return_authorization, reason),
    BC(2, DISPOSITION, return_authorization, disposition)};
static const struct xd_x12__bind bli[] = {B(3, DEC, rma_line, quantity), B(4, UOM, rma_line, uom),
                                          BH(6, DEC, rma_line, credit_unit_price)};
static const struct xd_x12__bind line_rdr[] = {BC(2, RETURN_REASON, rma_line, reason),
                                               BC(1, DISPOSITION, rma_line, disposition)};
static const struct xd_x12__lines rma_lines = {XD_X12__SC_ROOT,
                                               OFF(return_authorization, lines),
                                               OFF(return_authorization, n_lines),
                                               SIZE(rma_line),
                                               true,
                                               OFF(rma_line, line_number),
                                               0,
                                               0,
                                               0,
                                               XD_X12__SC_LINE};

/* BLI: the item in BLI01/BLI02 and the pairs from BLI08 on, quantity, unit and credit price
 * between (one pass, so an ID kept for want of another sees all the line's pairs). */
static const uint8_t bli_pairs[] = {1, 8, 10, 12, 14, 16, 0};

static void h_bli(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    xd_x12__h_line(t, seg, r);
    void *l = t->obj[XD_X12__SC_LINE];
    if (l != NULL) {
        xd_x12__tr_item_pairs(t, l, seg, bli_pairs, r->members, r->nmembers);
    }
}

/* A 180 names no status: the map's (requested by default). */
static void finish_180(struct xd_x12__tr *t)
{
    struct xd_canon_return_authorization *r = t->doc->body;
    r->status = xd_x12__map_rma_status(t->map);
    xd_x12__tr_drop_zero_lines(t, r, OFF(return_authorization, lines),
                               OFF(return_authorization, n_lines), SIZE(rma_line),
                               OFF(rma_line, quantity), 3);
}

static const struct xd_x12__rule rules_180[] = {
    RULE("BGN", "", NULL, NULL, XD_X12__SC_ROOT, T(bgn), NO_MEMB, NULL),
    RULE("RDR", "", NULL, NULL, XD_X12__SC_ROOT, T(rma_rdr), NO_MEMB, NULL),
    RULE("PRF", "", NULL, NULL, XD_X12__SC_ROOT, T(rma_prf), NO_MEMB, NULL),
    RULE("DTM", "", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(rma_dates), NULL),
    RULE("N9", "", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(rma_refs_members), &rma_refs),
    RULE("N1", "N1", "", xd_x12__h_party, XD_X12__SC_ROOT, NO_BINDS, T(rma_parties), NULL),
    RULE("N2", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("N3", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("N4", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("PER", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),
    RULE("BLI", "BLI", NULL, h_bli, XD_X12__SC_ROOT, T(bli), T(rma_item_ids), &rma_lines),
    RULE("RDR", "BLI", NULL, NULL, XD_X12__SC_LINE, T(line_rdr), NO_MEMB, NULL),
};

/* ---- The specifications -------------------------------------------------------------------- */

const struct xd_x12__tspec xd_x12__spec_850 = {.set_id = "850",
                                               .group = "PO",
                                               .type = XD_CANON_PURCHASE_ORDER,
                                               .scopes = po_scopes,
                                               .nscopes = COUNT(po_scopes),
                                               .rules = rules_850,
                                               .nrules = COUNT(rules_850),
                                               .finish = finish_po,
                                               .steps = steps_850,
                                               .nsteps = COUNT(steps_850),
                                               .sender_party = OFF(purchase_order, buyer),
                                               .receiver_party = OFF(purchase_order, supplier)};
const struct xd_x12__tspec xd_x12__spec_860 = {.set_id = "860",
                                               .group = "PC",
                                               .type = XD_CANON_PURCHASE_ORDER,
                                               .scopes = po_scopes,
                                               .nscopes = COUNT(po_scopes),
                                               .rules = rules_860,
                                               .nrules = COUNT(rules_860),
                                               .finish = finish_po,
                                               .steps = steps_860,
                                               .nsteps = COUNT(steps_860),
                                               .sender_party = OFF(purchase_order, buyer),
                                               .receiver_party = OFF(purchase_order, supplier)};
const struct xd_x12__tspec xd_x12__spec_855 = {.set_id = "855",
                                               .group = "PR",
                                               .type = XD_CANON_PO_ACKNOWLEDGEMENT,
                                               .rules = rules_855,
                                               .nrules = COUNT(rules_855),
                                               .finish = finish_855,
                                               .steps = steps_855,
                                               .nsteps = COUNT(steps_855)};
const struct xd_x12__tspec xd_x12__spec_810 = {.set_id = "810",
                                               .group = "IN",
                                               .type = XD_CANON_INVOICE,
                                               .scopes = inv_scopes,
                                               .nscopes = COUNT(inv_scopes),
                                               .rules = rules_810,
                                               .nrules = COUNT(rules_810),
                                               .begin = begin_810,
                                               .finish = finish_810,
                                               .steps = steps_810,
                                               .nsteps = COUNT(steps_810),
                                               .sender_party = OFF(invoice, supplier),
                                               .receiver_party = OFF(invoice, buyer)};
const struct xd_x12__tspec xd_x12__spec_180 = {.set_id = "180",
                                               .group = "AN",
                                               .type = XD_CANON_RETURN_AUTHORIZATION,
                                               .rules = rules_180,
                                               .nrules = COUNT(rules_180),
                                               .finish = finish_180,
                                               .sender_party =
                                                   OFF(return_authorization, requester)};
