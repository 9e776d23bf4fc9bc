/* SPDX-License-Identifier: MIT
 * Translation specifications of the warehouse sets: 940 (shipping_order), 945
 * (shipment_confirmation), 944 (receipt) and 846 (inventory_snapshot). The warehouse's location
 * is its N1 WH; members X12 has no element for travel as labelled references (N9*ZZ*value*
 * LABEL, docs/x12.md). A 945 writes one LX loop per shipped line, then one per package (MAN
 * GM/CP, or MAN ZZ with the LX number for a package with neither, and a W12 per content naming
 * its line in N9 LI). */
#include <stdio.h>
#include <string.h>

#include "x12/x12_spec.h"

/* ---- Shared -------------------------------------------------------------------------------- */

static const struct xd_x12__bind nte_gen[] = {BF(1, "GEN", 0)};

/* Sum of a decimal member over an array of the root, as N0/R text. */
static void sum_text(const void *items, size_t n, size_t size, size_t off, char *buf, size_t cap)
{
    struct xd_decimal total = {0, 0};
    for (size_t i = 0; i < n; i++) {
        const struct xd_decimal *d = (const void *)((const char *)items + i * size + off);
        if (xd_decimal_add(total, *d, &total) != XD_OK) {
            break;
        }
    }
    xd_decimal_format(total, buf, cap);
}

/* The date (CCYYMMDD) and time of an RFC 3339 member, as the partner's wall clock. */
static bool split_datetime(struct xd_x12__out *o, const char *v, char date[9], char time[7])
{
    const char *zone;
    return v != NULL && xd_x12__out_datetime(o, v, date, time, &zone);
}

/* ---- 940 ----------------------------------------------------------------------------------- */

enum { SC_SO_CARRIER = XD_X12__SC_DYNAMIC };
static const struct xd_x12__scope so_scopes[] = {
    {XD_X12__SC_ROOT, OFF(shipping_order, carrier), SIZE(carrier)}};

static const struct xd_x12__member so_parties[] = {
    M(shipping_order, warehouse, FIXED), M(shipping_order, location_id, STR),
    M(shipping_order, ship_to, FIXED), M(shipping_order, bill_to, FIXED)};
static const struct xd_x12__party_list so_party_list = {so_parties, COUNT(so_parties), true, true};
static const struct xd_x12__member so_refs_members[] = {
    {"priority", OFF(shipping_order, priority), 0, XD_X12__CV_CODE, 0, 0, 0},
    {"service_level", OFF(carrier, service_level), 0, XD_X12__CV_CODE, 0, SC_SO_CARRIER, 0},
    {"account_number", OFF(carrier, account_number), 0, XD_X12__CV_STR, 0, SC_SO_CARRIER, 0}};
static const struct xd_x12__refs so_refs = {OFF(shipping_order, references),
                                            OFF(shipping_order, n_references)};
static const struct xd_x12__member so_dates[] = {M(shipping_order, order_date, DATE),
                                                 M(shipping_order, requested_ship_date, DATE),
                                                 M(shipping_order, requested_delivery_date, DATE)};
static const struct xd_x12__member so_instructions[] = {M(shipping_order, instructions, STR)};
static const struct xd_x12__member so_item_ids[] = {M(so_line, sku, STR), M(so_line, gtin, STR),
                                                    M(so_line, customer_part, STR)};
static const struct xd_x12__member so_line_refs[] = {M(so_line, lot_number, STR),
                                                     MH(so_line, customer_line_number, INT)};
static const uint8_t w01_pairs[] = {4, 6, 12, 0};

static const struct xd_x12__bind w05[] = {BC(1, ORDER_STATUS, shipping_order, purpose),
                                          B(2, STR, shipping_order, order_number),
                                          B(3, STR, shipping_order, customer_po_number)};
static const struct xd_x12__bind w66_root[] = {
    BCA(1, FREIGHT, shipping_order, freight_terms, "DF")};
static const struct xd_x12__bind w66_carrier[] = {BCA(2, TRANSPORT, carrier, transport_mode, "ZZ"),
                                                  B(5, STR, carrier, name),
                                                  B(10, STR, carrier, scac)};
static const struct xd_x12__bind w01[] = {B(1, DEC, so_line, quantity), B(2, UOM, so_line, uom),
                                          B(3, GTIN, so_line, gtin)};
static const struct xd_x12__bind w01_out[] = {B(1, DEC, so_line, quantity),
                                              B(2, UOM, so_line, uom)};
static const struct xd_x12__bind g69[] = {B(1, STR, so_line, description)};
static const struct xd_x12__bind so_amt[] = {BF(1, "LI", 2), BH(2, DEC, so_line, unit_price)};
static const struct xd_x12__bind lx_out[] = {B(1, INT, so_line, line_number)};
static const struct xd_x12__lines so_lines = {XD_X12__SC_ROOT,
                                              OFF(shipping_order, lines),
                                              OFF(shipping_order, n_lines),
                                              SIZE(so_line),
                                              true,
                                              OFF(so_line, line_number),
                                              0,
                                              1,
                                              0,
                                              XD_X12__SC_LINE};

static void h_w01(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    void *l = t->obj[XD_X12__SC_LINE];
    if (l != NULL) {
        xd_x12__tr_bind(t, l, r->binds, r->nbinds, seg);
        xd_x12__tr_item_pairs(t, l, seg, w01_pairs, r->members, r->nmembers);
    }
}

#define WH_PARTY_RULES(members)                                                                    \
    RULE("N1", "N1", "", xd_x12__h_party, XD_X12__SC_ROOT, NO_BINDS, T(members), NULL),            \
        RULE("N2", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("N3", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("N4", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("PER", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),  \
        RULE("REF", "N1", "", xd_x12__h_ref, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL)

static const struct xd_x12__rule rules_940[] = {
    RULE("W05", "", NULL, NULL, XD_X12__SC_ROOT, T(w05), NO_MEMB, NULL),
    WH_PARTY_RULES(so_parties),
    RULE("N9", "", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(so_refs_members), &so_refs),
    RULE("G62", "", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(so_dates), NULL),
    RULE("NTE", "", NULL, xd_x12__h_note, XD_X12__SC_ROOT, NO_BINDS, T(so_instructions), NULL),
    RULE("W66", "", NULL, NULL, XD_X12__SC_ROOT, T(w66_root), NO_MEMB, NULL),
    RULE("W66", "", NULL, NULL, SC_SO_CARRIER, T(w66_carrier), NO_MEMB, NULL),
    RULE("LX", "LX", NULL, xd_x12__h_line, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, &so_lines),
    RULE("W01", "W01", "LX", h_w01, XD_X12__SC_LINE, T(w01), T(so_item_ids), NULL),
    RULE("G69", "W01", "LX", NULL, XD_X12__SC_LINE, T(g69), NO_MEMB, NULL),
    RULE("N9", "W01", "LX", xd_x12__h_ref, XD_X12__SC_LINE, NO_BINDS, T(so_line_refs), NULL),
    RULE_KEY("AMT", "W01", "LX", NULL, XD_X12__SC_LINE, T(so_amt), NO_MEMB, NULL, 1, "LI"),
};

static enum xd_status w_w01(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const void *l = o->obj[XD_X12__SC_LINE];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, l, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    xd_x12__out_item_pairs(o, l, w01_pairs, s->members, s->nmembers);
    return xd_x12__out_write(o, "W01");
}

/* W66 is mandatory: freight terms, mode, carrier name and SCAC. */
static enum xd_status w_w66(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    (void)s;
    const struct xd_canon_shipping_order *so = o->obj[XD_X12__SC_ROOT];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, so, w66_root, COUNT(w66_root)) == SIZE_MAX ||
        xd_x12__out_bind(o, so->carrier, w66_carrier, COUNT(w66_carrier)) == SIZE_MAX) {
        return XD_EINVAL;
    }
    return xd_x12__out_write(o, "W66");
}

static enum xd_status w_w76(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    (void)s;
    const struct xd_canon_shipping_order *so = o->obj[XD_X12__SC_ROOT];
    char total[XD_DECIMAL_STR_MAX];
    sum_text(so->lines, so->n_lines, sizeof *so->lines, OFF(so_line, quantity), total,
             sizeof total);
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, total);
    return xd_x12__out_write(o, "W76");
}

static const struct xd_x12__step so_line_steps[] = {
    STEP_REQ("LX", XD_X12__SC_LINE, T(lx_out)),
    STEP("W01", XD_X12__SC_LINE, w_w01, T(w01_out), T(so_item_ids), NULL),
    STEP("G69", XD_X12__SC_LINE, NULL, T(g69), NO_MEMB, NULL),
    STEP("N9", XD_X12__SC_LINE, xd_x12__w_refs, NO_BINDS, T(so_line_refs), NULL),
    STEP("AMT", XD_X12__SC_LINE, NULL, T(so_amt), NO_MEMB, NULL),
};
static const struct xd_x12__each so_each = {OFF(shipping_order, lines),
                                            OFF(shipping_order, n_lines),
                                            SIZE(so_line),
                                            XD_X12__SC_LINE,
                                            so_line_steps,
                                            COUNT(so_line_steps)};
static const struct xd_x12__step steps_940[] = {
    STEP_REQ("W05", XD_X12__SC_ROOT, T(w05)),
    STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &so_party_list),
    STEP("N9", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, T(so_refs_members), &so_refs),
    STEP("G62", XD_X12__SC_ROOT, xd_x12__w_dtms, NO_BINDS, T(so_dates), NULL),
    STEP("NTE", XD_X12__SC_ROOT, xd_x12__w_note, T(nte_gen), T(so_instructions), "WHI"),
    STEP("W66", XD_X12__SC_ROOT, w_w66, NO_BINDS, NO_MEMB, NULL),
    STEP("LX", XD_X12__SC_ROOT, xd_x12__w_lines, NO_BINDS, NO_MEMB, &so_each),
    STEP("W76", XD_X12__SC_ROOT, w_w76, NO_BINDS, NO_MEMB, NULL),
};

/* The warehouse's own N1 names the location: a warehouse party that holds nothing more than
 * that identifier is the same thing said twice. */
static void finish_940(struct xd_x12__tr *t)
{
    struct xd_canon_shipping_order *so = t->doc->body;
    xd_x12__tr_drop_zero_lines(t, so, OFF(shipping_order, lines), OFF(shipping_order, n_lines),
                               SIZE(so_line), OFF(so_line, quantity), 1);
    if (so->order_date == NULL && t->group_date[0]) {
        /* No G62 order date: the order is dated when its group was (GS04). */
        const char *d = xd_x12__tr_datetime(t, xd_slice_from_cstr(t->group_date),
                                            (struct xd_slice){"", 0}, (struct xd_slice){"", 0}, 4);
        so->order_date = d ? xd_arena_strndup(t->arena, d, 10) : NULL;
        xd_x12__tr_at(t, NULL, "GS");
        xd_x12__tr_note(t, 4, "no G62 04: the order date is the group's, GS04");
    }
    const struct xd_canon_party_ref *w = so->warehouse;
    if (w != NULL && w->name == NULL && w->address == NULL && w->contact == NULL &&
        w->party_id == NULL && w->gln == NULL && w->duns == NULL &&
        (w->assigned_id == NULL ||
         (so->location_id && strcmp(w->assigned_id, so->location_id) == 0))) {
        so->warehouse = NULL;
    }
}

/* ---- 945 ----------------------------------------------------------------------------------- */

enum { SC_SC_CARRIER = XD_X12__SC_DYNAMIC, SC_SC_WEIGHT, SC_PK_WEIGHT, SC_PK_DIMS };
static const struct xd_x12__scope sc_scopes[] = {
    {XD_X12__SC_ROOT, OFF(shipment_confirmation, carrier), SIZE(carrier)},
    {XD_X12__SC_ROOT, OFF(shipment_confirmation, gross_weight), SIZE(weight)},
    {XD_X12__SC_PACK, OFF(sc_package, gross_weight), SIZE(weight)},
    {XD_X12__SC_PACK, OFF(sc_package, dimensions), SIZE(dimensions)},
};

#define LX_PENDING 'L' /* an LX whose kind (line or package) is not known yet */
#define LX_LINE    'I'
#define LX_PACKAGE 'K'

static const struct xd_x12__member sc_parties[] = {M(shipment_confirmation, ship_to, FIXED),
                                                   M(shipment_confirmation, location_id, STR)};
static const struct xd_x12__party_list sc_party_list = {sc_parties, COUNT(sc_parties), true, true};
static const struct xd_x12__member sc_refs_members[] = {
    M(shipment_confirmation, bill_of_lading, STR),
    M(shipment_confirmation, tracking_number, STR),
    {"service_level", OFF(carrier, service_level), 0, XD_X12__CV_CODE, 0, SC_SC_CARRIER, 0}};
static const struct xd_x12__refs sc_refs = {OFF(shipment_confirmation, references),
                                            OFF(shipment_confirmation, n_references)};
static const struct xd_x12__member sc_dates[] = {
    {"shipped_at", OFF(shipment_confirmation, shipped_at), 0, XD_X12__CV_DATETIME, 0, 0, 0}};
static const struct xd_x12__member sc_item_ids[] = {M(sc_line, sku, STR), M(sc_line, gtin, STR)};
static const struct xd_x12__member sc_line_refs[] = {
    M(sc_line, lot_number, STR),
    {"serial_numbers", OFF(sc_line, serial_numbers), OFF(sc_line, n_serial_numbers),
     XD_X12__CV_STRINGS, 0, 0, 0}};
static const struct xd_x12__member pack_refs[] = {
    {"pack_kind", OFF(sc_package, kind), 0, XD_X12__CV_CODE, 0, 0, 0}};
static const uint8_t w12_pairs[] = {7, 13, 16, 0};

static const struct xd_x12__bind w06[] = {B(2, STR, shipment_confirmation, order_number),
                                          B(4, STR, shipment_confirmation, shipment_id),
                                          B(6, STR, shipment_confirmation, customer_po_number)};
static const struct xd_x12__bind w27[] = {BCA(1, TRANSPORT, carrier, transport_mode, "ZZ"),
                                          B(2, STR, carrier, scac), B(3, STR, carrier, name)};
static const struct xd_x12__bind w12[] = {
    BCA(1, LINE_STATUS, sc_line, status, "ZZ"), BH(2, DEC, sc_line, ordered_quantity),
    B(3, DEC, sc_line, shipped_quantity), B(5, UOM, sc_line, uom), B(6, STR, sc_line, gtin)};
static const struct xd_x12__bind w12_out[] = {
    BCA(1, LINE_STATUS, sc_line, status, "ZZ"), BH(2, DEC, sc_line, ordered_quantity),
    B(3, DEC, sc_line, shipped_quantity), B(5, UOM, sc_line, uom)};
static const struct xd_x12__bind content_w12[] = {B(3, DEC, package_content, quantity)};
static const struct xd_x12__bind content_n9[] = {B(2, INT, package_content, line_number)};
static const struct xd_x12__bind man_gm[] = {BF(1, "GM", 0), B(2, SSCC, sc_package, sscc)};
static const struct xd_x12__bind man_cp[] = {BF(1, "CP", 0),
                                             B(2, STR, sc_package, tracking_number)};
static const struct xd_x12__bind w20[] = {B(4, DEC, weight, value), BF(5, "G", 4),
                                          BC(6, WEIGHT_UNIT, weight, uom)};
static const struct xd_x12__bind w03[] = {B(2, DEC, weight, value), B(3, STR, weight, uom)};
static const struct xd_x12__bind mea_ln[] = {
    B(3, DEC, dimensions, length),
    {"uom", 4, 1, XD_X12__CV_STR, 0, 0, OFF(dimensions, uom), 0, NULL, NULL}};
static const struct xd_x12__bind mea_wd[] = {B(3, DEC, dimensions, width)};
static const struct xd_x12__bind mea_ht[] = {B(3, DEC, dimensions, height)};

struct sc_state {
    struct xd_slice lx; /* LX01, copied */
    char lx_text[16];
};

static void begin_945(struct xd_x12__tr *t)
{
    t->state = xd_arena_calloc(t->arena, 1, sizeof(struct sc_state));
}

static void h_lx945(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                    const struct xd_x12__rule *r)
{
    (void)r;
    struct sc_state *s = t->state;
    t->level = LX_PENDING;
    t->obj[XD_X12__SC_LINE] = t->obj[XD_X12__SC_PACK] = t->obj[XD_X12__SC_EXTRA] = NULL;
    if (s != NULL) {
        xd_x12__copy(s->lx_text, sizeof s->lx_text, xd_x12__tr_elem(seg, 1, 0));
        s->lx = xd_slice_from_cstr(s->lx_text);
    }
}

/* The LX turns out to be a shipped line: open it, numbered by LX01. */
static void *line_of(struct xd_x12__tr *t)
{
    if (t->level != LX_PENDING) {
        return t->level == LX_LINE ? t->obj[XD_X12__SC_LINE] : NULL;
    }
    struct xd_canon_shipment_confirmation *sc = t->doc->body;
    struct xd_canon_sc_line *l = xd_x12__tr_append(t, sc, OFF(shipment_confirmation, lines),
                                                   OFF(shipment_confirmation, n_lines), sizeof *l);
    const struct sc_state *s = t->state;
    t->level = LX_LINE;
    t->obj[XD_X12__SC_LINE] = l;
    if (l != NULL) {
        uint64_t n = 0;
        bool numbered = s != NULL && xd_x12__parse_count(s->lx, &n) && n > 0 && n <= 999999;
        l->line_number = numbered ? (int64_t)n : (int64_t)sc->n_lines;
    }
    return l;
}

static void h_man(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    if (t->level == LX_PENDING) {
        struct xd_canon_shipment_confirmation *sc = t->doc->body;
        t->obj[XD_X12__SC_PACK] = xd_x12__tr_append(t, sc, OFF(shipment_confirmation, packages),
                                                    OFF(shipment_confirmation, n_packages),
                                                    sizeof(struct xd_canon_sc_package));
        t->level = LX_PACKAGE;
    }
    if (t->level == LX_PACKAGE && t->obj[XD_X12__SC_PACK] != NULL) {
        xd_x12__tr_bind(t, t->obj[XD_X12__SC_PACK], r->binds, r->nbinds, seg);
    }
}

static void h_lx_n9(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                    const struct xd_x12__rule *r)
{
    if (t->level == LX_PACKAGE) {
        struct xd_x12__rule pr = *r;
        pr.scope = XD_X12__SC_PACK;
        pr.members = pack_refs;
        pr.nmembers = COUNT(pack_refs);
        xd_x12__h_ref(t, seg, &pr);
    } else if (line_of(t) != NULL) {
        xd_x12__h_ref(t, seg, r);
    }
}

static void h_w12(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    if (t->level == LX_PACKAGE) {
        void *p = t->obj[XD_X12__SC_PACK];
        if (xd_x12__tr_elem(seg, 3, 0).len == 0) {
            /* No quantity: the W12 only carries the package's weight and measures (what
             * put_package writes for a package without contents), it is no content. */
            t->obj[XD_X12__SC_EXTRA] = NULL;
            return;
        }
        t->obj[XD_X12__SC_EXTRA] =
            p ? xd_x12__tr_append(t, p, OFF(sc_package, contents), OFF(sc_package, n_contents),
                                  sizeof(struct xd_canon_package_content))
              : NULL;
        xd_x12__tr_bind(t, t->obj[XD_X12__SC_EXTRA], content_w12, COUNT(content_w12), seg);
        return;
    }
    void *l = line_of(t);
    if (l != NULL) {
        xd_x12__tr_bind(t, l, r->binds, r->nbinds, seg);
        xd_x12__tr_item_pairs(t, l, seg, w12_pairs, r->members, r->nmembers);
    }
}

static const struct xd_x12__rule rules_945[] = {
    RULE("W06", "", NULL, NULL, XD_X12__SC_ROOT, T(w06), NO_MEMB, NULL),
    WH_PARTY_RULES(sc_parties),
    RULE("N9", "", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(sc_refs_members), &sc_refs),
    RULE("G62", "", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(sc_dates), NULL),
    RULE("W27", "", NULL, NULL, SC_SC_CARRIER, T(w27), NO_MEMB, NULL),
    RULE("LX", "LX", NULL, h_lx945, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, NULL),
    RULE_KEY("MAN", "LX", NULL, h_man, XD_X12__SC_PACK, T(man_gm), NO_MEMB, NULL, 1, "GM"),
    RULE_KEY("MAN", "LX", NULL, h_man, XD_X12__SC_PACK, T(man_cp), NO_MEMB, NULL, 1, "CP"),
    /* Any MAN marks a package, whatever its qualifier (and the one written for a package
     * without SSCC or tracking number, below). */
    RULE("MAN", "LX", NULL, h_man, XD_X12__SC_PACK, NO_BINDS, NO_MEMB, NULL),
    RULE("N9", "LX", NULL, h_lx_n9, XD_X12__SC_LINE, NO_BINDS, T(sc_line_refs), NULL),
    RULE("W12", "W12", "LX", h_w12, XD_X12__SC_LINE, T(w12), T(sc_item_ids), NULL),
    RULE_AT_KEY(LX_PACKAGE, "N9", "W12", "LX", NULL, XD_X12__SC_EXTRA, T(content_n9), NO_MEMB, NULL,
                1, "LI"),
    RULE_AT(LX_LINE, "N9", "W12", "LX", xd_x12__h_ref, XD_X12__SC_LINE, NO_BINDS, T(sc_line_refs),
            NULL),
    RULE_AT(LX_PACKAGE, "W20", "W12", "LX", NULL, SC_PK_WEIGHT, T(w20), NO_MEMB, NULL),
    RULE_AT_KEY(LX_PACKAGE, "MEA", "W12", "LX", NULL, SC_PK_DIMS, T(mea_ln), NO_MEMB, NULL, 2,
                "LN"),
    RULE_AT_KEY(LX_PACKAGE, "MEA", "W12", "LX", NULL, SC_PK_DIMS, T(mea_wd), NO_MEMB, NULL, 2,
                "WD"),
    RULE_AT_KEY(LX_PACKAGE, "MEA", "W12", "LX", NULL, SC_PK_DIMS, T(mea_ht), NO_MEMB, NULL, 2,
                "HT"),
    RULE("W03", "", NULL, NULL, SC_SC_WEIGHT, T(w03), NO_MEMB, NULL),
};

static enum xd_status w_w06(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_shipment_confirmation *sc = o->obj[XD_X12__SC_ROOT];
    char date[9], time[7];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, sc, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    xd_x12__out_setf(o, 1, "F");
    if (split_datetime(o, sc->shipped_at, date, time)) {
        xd_x12__out_setf(o, 3, date);
    }
    return xd_x12__out_write(o, "W06");
}

static enum xd_status w_w27(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_shipment_confirmation *sc = o->obj[XD_X12__SC_ROOT];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, sc->carrier, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    return xd_x12__out_write(o, "W27");
}

static const struct xd_x12__bind lx_sc[] = {B(1, INT, sc_line, line_number)};

static enum xd_status w_line_lx(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const void *l = o->obj[XD_X12__SC_LINE];
    (void)s;
    xd_x12__out_begin(o);
    (void)xd_x12__out_bind(o, l, lx_sc, COUNT(lx_sc));
    enum xd_status st = xd_x12__out_write(o, "LX");
    if (st == XD_OK) {
        const struct xd_x12__step n9 =
            STEP("N9", XD_X12__SC_LINE, NULL, NO_BINDS, T(sc_line_refs), NULL);
        st = xd_x12__w_refs(o, &n9);
    }
    if (st == XD_OK) {
        xd_x12__out_begin(o);
        if (xd_x12__out_bind(o, l, w12_out, COUNT(w12_out)) == SIZE_MAX) {
            return XD_EINVAL;
        }
        xd_x12__out_item_pairs(o, l, w12_pairs, sc_item_ids, COUNT(sc_item_ids));
        st = xd_x12__out_write(o, "W12");
    }
    return st;
}

/* The line a package content names, for its unit. */
static const struct xd_canon_sc_line *line_numbered(const struct xd_canon_shipment_confirmation *sc,
                                                    int64_t n)
{
    for (size_t i = 0; i < sc->n_lines; i++) {
        if (sc->lines[i].line_number == n) {
            return &sc->lines[i];
        }
    }
    return NULL;
}

static enum xd_status put_measure(struct xd_x12__out *o, const char *what, struct xd_decimal v,
                                  const char *uom)
{
    char text[XD_DECIMAL_STR_MAX];
    xd_decimal_format(v, text, sizeof text);
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, "PD");
    xd_x12__out_setf(o, 2, what);
    xd_x12__out_setf(o, 3, text);
    xd_x12__out_setf(o, 4, uom);
    return xd_x12__out_write(o, "MEA");
}

/* The package's weight and dimensions ride in its first W12 loop. */
static enum xd_status put_package_measures(struct xd_x12__out *o,
                                           const struct xd_canon_sc_package *p)
{
    enum xd_status st = XD_OK;
    if (p->gross_weight != NULL) {
        xd_x12__out_begin(o);
        if (xd_x12__out_bind(o, p->gross_weight, w20, COUNT(w20)) == SIZE_MAX) {
            return XD_EINVAL;
        }
        st = xd_x12__out_write(o, "W20");
    }
    const struct xd_canon_dimensions *d = p->dimensions;
    if (st == XD_OK && d != NULL) {
        st = put_measure(o, "LN", d->length, d->uom);
        st = st == XD_OK ? put_measure(o, "WD", d->width, d->uom) : st;
        st = st == XD_OK ? put_measure(o, "HT", d->height, d->uom) : st;
    }
    return st;
}

static enum xd_status put_content(struct xd_x12__out *o,
                                  const struct xd_canon_shipment_confirmation *sc,
                                  const struct xd_canon_package_content *c)
{
    const struct xd_canon_sc_line *l = c ? line_numbered(sc, c->line_number) : NULL;
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, "CC");
    if (c != NULL && xd_x12__out_bind(o, c, content_w12, COUNT(content_w12)) == SIZE_MAX) {
        return XD_EINVAL;
    }
    if (l != NULL) {
        xd_x12__out_setf(o, 5, xd_x12__map_uom_out(o->map, o->spec->type, l->uom));
    }
    enum xd_status st = xd_x12__out_write(o, "W12");
    if (st == XD_OK && c != NULL) {
        xd_x12__out_begin(o);
        xd_x12__out_setf(o, 1, "LI");
        (void)xd_x12__out_bind(o, c, content_n9, COUNT(content_n9));
        st = xd_x12__out_write(o, "N9");
    }
    return st;
}

static enum xd_status put_package(struct xd_x12__out *o, const struct xd_canon_sc_package *p,
                                  size_t number)
{
    const struct xd_canon_shipment_confirmation *sc = o->obj[XD_X12__SC_ROOT];
    char lx[24];
    snprintf(lx, sizeof lx, "%zu", number);
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, lx);
    enum xd_status st = xd_x12__out_write(o, "LX");
    o->obj[XD_X12__SC_PACK] = p;
    if (st == XD_OK && p->sscc == NULL && p->tracking_number == NULL) {
        /* No label to write: a MAN all the same (mutually defined, its LX number), since only
         * a MAN tells a package's LX loop from a line's. */
        xd_x12__out_begin(o);
        xd_x12__out_setf(o, 1, "ZZ");
        xd_x12__out_setf(o, 2, lx);
        st = xd_x12__out_write(o, "MAN");
    }
    const struct xd_x12__step man[] = {
        STEP("MAN", XD_X12__SC_PACK, NULL, T(man_gm), NO_MEMB, NULL),
        STEP("MAN", XD_X12__SC_PACK, NULL, T(man_cp), NO_MEMB, NULL),
        STEP("N9", XD_X12__SC_PACK, xd_x12__w_refs, NO_BINDS, T(pack_refs), NULL)};
    if (st == XD_OK) {
        st = xd_x12__out_steps(o, man, COUNT(man));
    }
    for (size_t i = 0; st == XD_OK && i < (p->n_contents ? p->n_contents : 1); i++) {
        st = put_content(o, sc, p->n_contents ? &p->contents[i] : NULL);
        if (st == XD_OK && i == 0) {
            st = put_package_measures(o, p);
        }
    }
    return st;
}

static enum xd_status w_packages(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    (void)s;
    const struct xd_canon_shipment_confirmation *sc = o->obj[XD_X12__SC_ROOT];
    for (size_t i = 0; i < sc->n_packages; i++) {
        enum xd_status st = put_package(o, &sc->packages[i], sc->n_lines + i + 1);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static enum xd_status w_w03(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    (void)s;
    const struct xd_canon_shipment_confirmation *sc = o->obj[XD_X12__SC_ROOT];
    char total[XD_DECIMAL_STR_MAX];
    sum_text(sc->lines, sc->n_lines, sizeof *sc->lines, OFF(sc_line, shipped_quantity), total,
             sizeof total);
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, total);
    if (sc->gross_weight != NULL &&
        xd_x12__out_bind(o, sc->gross_weight, w03, COUNT(w03)) == SIZE_MAX) {
        return XD_EINVAL;
    }
    return xd_x12__out_write(o, "W03");
}

static const struct xd_x12__step sc_line_steps[] = {
    STEP("LX", XD_X12__SC_LINE, w_line_lx, NO_BINDS, NO_MEMB, NULL),
};
static const struct xd_x12__each sc_each = {OFF(shipment_confirmation, lines),
                                            OFF(shipment_confirmation, n_lines),
                                            SIZE(sc_line),
                                            XD_X12__SC_LINE,
                                            sc_line_steps,
                                            COUNT(sc_line_steps)};
static const struct xd_x12__step steps_945[] = {
    STEP("W06", XD_X12__SC_ROOT, w_w06, T(w06), NO_MEMB, NULL),
    STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &sc_party_list),
    STEP("N9", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, T(sc_refs_members), &sc_refs),
    STEP("G62", XD_X12__SC_ROOT, xd_x12__w_dtms, NO_BINDS, T(sc_dates), NULL),
    STEP("W27", XD_X12__SC_ROOT, w_w27, T(w27), NO_MEMB, NULL),
    STEP("LX", XD_X12__SC_ROOT, xd_x12__w_lines, NO_BINDS, NO_MEMB, &sc_each),
    STEP("LX", XD_X12__SC_ROOT, w_packages, NO_BINDS, NO_MEMB, NULL),
    STEP("W03", XD_X12__SC_ROOT, w_w03, NO_BINDS, NO_MEMB, NULL),
};

/* ---- 944 ----------------------------------------------------------------------------------- */

static const struct xd_x12__member rc_parties[] = {
    M(receipt, location_id, STR),
    M(receipt, supplier, FIXED),
    {"carrier", OFF(receipt, carrier), 0, XD_X12__CV_CARRIER, 0, 0, 0}};
static const struct xd_x12__party_list rc_party_list = {rc_parties, COUNT(rc_parties), true, true};
static const struct xd_x12__member rc_refs_members[] = {M(receipt, bill_of_lading, STR)};
static const struct xd_x12__refs rc_refs = {OFF(receipt, references), OFF(receipt, n_references)};
static const struct xd_x12__member rc_dates[] = {
    {"received_at", OFF(receipt, received_at), 0, XD_X12__CV_DATETIME, 0, 0, 0}};
static const struct xd_x12__member rc_note[] = {M(receipt, note, STR)};
static const struct xd_x12__member rc_item_ids[] = {
    M(receipt_line, sku, STR), M(receipt_line, gtin, STR), M(receipt_line, vendor_part, STR),
    M(receipt_line, buyer_part, STR)};
static const struct xd_x12__member rc_line_refs[] = {
    M(receipt_line, po_number, STR),
    MH(receipt_line, po_line_number, INT),
    M(receipt_line, lot_number, STR),
    {"expiry_date", OFF(receipt_line, expiry_date), 0, XD_X12__CV_DATE, 0, 0, 4},
    {"serial_numbers", OFF(receipt_line, serial_numbers), OFF(receipt_line, n_serial_numbers),
     XD_X12__CV_STRINGS, 0, 0, 0},
    M(receipt_line, sscc, STR),
    {"condition", OFF(receipt_line, condition), 0, XD_X12__CV_CODE, 0, 0, 0},
    MH(receipt_line, expected_quantity, DEC),
    M(receipt_line, note, TEXT)};
static const struct xd_x12__member rc_line_note[] = {M(receipt_line, note, TEXT)};
static const struct xd_x12__member rc_quantities[] = {MH(receipt_line, damaged_quantity, DEC),
                                                      MH(receipt_line, rejected_quantity, DEC)};
static const uint8_t w07_pairs[] = {4, 6, 0};

struct rc_state {
    char date[9]; /* W1702 */
};

static const struct xd_x12__bind w17[] = {B(3, STR, receipt, receipt_number),
                                          B(4, STR, receipt, po_number),
                                          B(5, STR, receipt, asn_number)};
static const struct xd_x12__bind w07[] = {
    B(1, DEC, receipt_line, received_quantity), B(2, UOM, receipt_line, uom),
    B(3, STR, receipt_line, gtin), B(8, STR, receipt_line, lot_number)};
static const struct xd_x12__bind w07_out[] = {B(1, DEC, receipt_line, received_quantity),
                                              B(2, UOM, receipt_line, uom)};
static const struct xd_x12__bind lx_rc[] = {B(1, INT, receipt_line, line_number)};
static const struct xd_x12__lines rc_lines = {XD_X12__SC_ROOT,
                                              OFF(receipt, lines),
                                              OFF(receipt, n_lines),
                                              SIZE(receipt_line),
                                              true,
                                              OFF(receipt_line, line_number),
                                              0,
                                              1,
                                              0,
                                              XD_X12__SC_LINE};
static const struct xd_x12__lines rc_w07_lines = {XD_X12__SC_ROOT,
                                                  OFF(receipt, lines),
                                                  OFF(receipt, n_lines),
                                                  SIZE(receipt_line),
                                                  true,
                                                  OFF(receipt_line, line_number),
                                                  0,
                                                  0,
                                                  0,
                                                  XD_X12__SC_LINE};

static void begin_944(struct xd_x12__tr *t)
{
    t->state = xd_arena_calloc(t->arena, 1, sizeof(struct rc_state));
}

static void h_w17(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    struct rc_state *s = t->state;
    xd_x12__h_bind(t, seg, r);
    if (s != NULL) {
        xd_x12__copy(s->date, sizeof s->date, xd_x12__tr_elem(seg, 2, 0));
    }
}

static void h_w07(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    if (r->arg != NULL) {
        xd_x12__h_line(t, seg, r); /* a W07 loop without LX is its own line */
    } else {
        xd_x12__tr_bind(t, t->obj[XD_X12__SC_LINE], r->binds, r->nbinds, seg);
    }
    void *l = t->obj[XD_X12__SC_LINE];
    if (l != NULL) {
        xd_x12__tr_item_pairs(t, l, seg, w07_pairs, r->members, r->nmembers);
    }
}

/* W13: quantity (W1301) in the condition W1302 (map "quantities"), unit W1303. */
static void h_w13(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    void *l = t->obj[XD_X12__SC_LINE];
    struct xd_slice code = xd_x12__tr_elem(seg, 2, 0);
    for (size_t i = 0; l != NULL && i < r->nmembers; i++) {
        const char *const *codes = NULL;
        size_t n =
            xd_x12__tr_map_codes(t, XD_X12__CAT_QUANTITIES, r->members[i].name, false, &codes);
        for (size_t k = 0; k < n; k++) {
            if (xd_slice_eq_cstr(code, codes[k])) {
                (void)xd_x12__tr_set(t, l, r->members[i].off, r->members[i].has, XD_X12__CV_DEC, 0,
                                     xd_x12__tr_elem(seg, 1, 0), 1);
                return;
            }
        }
    }
}

#define RC_LINE_RULES(L, P)                                                                        \
    RULE("N9", L, P, xd_x12__h_ref, XD_X12__SC_LINE, NO_BINDS, T(rc_line_refs), NULL),             \
        RULE("W13", "W13", L, h_w13, XD_X12__SC_LINE, NO_BINDS, T(rc_quantities), NULL)

static const struct xd_x12__rule rules_944[] = {
    RULE("W17", "", NULL, h_w17, XD_X12__SC_ROOT, T(w17), NO_MEMB, NULL),
    WH_PARTY_RULES(rc_parties),
    RULE("N9", "", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(rc_refs_members), &rc_refs),
    RULE("G62", "", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(rc_dates), NULL),
    RULE("NTE", "", NULL, xd_x12__h_note, XD_X12__SC_ROOT, NO_BINDS, T(rc_note), NULL),
    RULE("LX", "LX", NULL, xd_x12__h_line, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, &rc_lines),
    RULE("W07", "W07", "LX", h_w07, XD_X12__SC_LINE, T(w07), T(rc_item_ids), NULL),
    RULE("W07", "W07", "", h_w07, XD_X12__SC_ROOT, T(w07), T(rc_item_ids), &rc_w07_lines),
    RC_LINE_RULES("W07", "LX"),
    RC_LINE_RULES("W07", ""),
};

/* Received at: the G62 when there is one, else the W17 date at midnight. */
static void finish_944(struct xd_x12__tr *t)
{
    struct xd_canon_receipt *rc = t->doc->body;
    const struct rc_state *s = t->state;
    if (rc->received_at == NULL && s != NULL && s->date[0]) {
        rc->received_at = xd_x12__tr_datetime(
            t, xd_slice_from_cstr(s->date), (struct xd_slice){"", 0}, (struct xd_slice){"", 0}, 2);
    }
}

static enum xd_status w_w17(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_receipt *rc = o->obj[XD_X12__SC_ROOT];
    char date[9], time[7];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, rc, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    xd_x12__out_setf(o, 1, "F");
    if (split_datetime(o, rc->received_at, date, time)) {
        xd_x12__out_setf(o, 2, date);
    }
    return xd_x12__out_write(o, "W17");
}

static enum xd_status w_w07(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const void *l = o->obj[XD_X12__SC_LINE];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, l, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    xd_x12__out_item_pairs(o, l, w07_pairs, s->members, s->nmembers);
    return xd_x12__out_write(o, "W07");
}

/* W13 per quantity member present, in its map condition code, with the line's unit. */
static enum xd_status w_w13(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_receipt_line *l = o->obj[XD_X12__SC_LINE];
    for (size_t i = 0; i < s->nmembers; i++) {
        const struct xd_x12__member *m = &s->members[i];
        const char *const *codes = NULL;
        bool here;
        if (xd_x12__map_codes(o->map, o->spec->type, XD_X12__CAT_QUANTITIES, m->name, &codes) ==
            0) {
            continue;
        }
        xd_x12__out_begin(o);
        if (xd_x12__out_member(o, 1, l, m->off, m->has, XD_X12__CV_DEC, 0, &here) != XD_OK) {
            return XD_EINVAL;
        }
        if (!here) {
            continue;
        }
        xd_x12__out_setf(o, 2, codes[0]);
        xd_x12__out_setf(o, 3, xd_x12__map_uom_out(o->map, o->spec->type, l->uom));
        enum xd_status st = xd_x12__out_write(o, "W13");
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static enum xd_status w_w14(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    (void)s;
    const struct xd_canon_receipt *rc = o->obj[XD_X12__SC_ROOT];
    char total[XD_DECIMAL_STR_MAX];
    sum_text(rc->lines, rc->n_lines, sizeof *rc->lines, OFF(receipt_line, received_quantity), total,
             sizeof total);
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, total);
    return xd_x12__out_write(o, "W14");
}

static const struct xd_x12__step rc_line_steps[] = {
    STEP_REQ("LX", XD_X12__SC_LINE, T(lx_rc)),
    STEP("W07", XD_X12__SC_LINE, w_w07, T(w07_out), T(rc_item_ids), NULL),
    STEP("N9D", XD_X12__SC_LINE, xd_x12__w_note, NO_BINDS, T(rc_line_note), NULL),
    STEP("N9", XD_X12__SC_LINE, xd_x12__w_refs, NO_BINDS, T(rc_line_refs), NULL),
    STEP("W13", XD_X12__SC_LINE, w_w13, NO_BINDS, T(rc_quantities), NULL),
};
static const struct xd_x12__each rc_each = {OFF(receipt, lines), OFF(receipt, n_lines),
                                            SIZE(receipt_line),  XD_X12__SC_LINE,
                                            rc_line_steps,       COUNT(rc_line_steps)};
static const struct xd_x12__step steps_944[] = {
    STEP("W17", XD_X12__SC_ROOT, w_w17, T(w17), NO_MEMB, NULL),
    STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &rc_party_list),
    STEP("N9", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, T(rc_refs_members), &rc_refs),
    STEP("G62", XD_X12__SC_ROOT, xd_x12__w_dtms, NO_BINDS, T(rc_dates), NULL),
    STEP("NTE", XD_X12__SC_ROOT, xd_x12__w_note, T(nte_gen), T(rc_note), "GEN"),
    STEP("LX", XD_X12__SC_ROOT, xd_x12__w_lines, NO_BINDS, NO_MEMB, &rc_each),
    STEP("W14", XD_X12__SC_ROOT, w_w14, NO_BINDS, NO_MEMB, NULL),
};

/* ---- 846 ----------------------------------------------------------------------------------- */

static const struct xd_x12__member snap_parties[] = {M(inventory_snapshot, location_id, STR)};
static const struct xd_x12__party_list snap_party_list = {snap_parties, COUNT(snap_parties), true,
                                                          true};
static const struct xd_x12__member snap_refs[] = {
    {"owner", OFF(inventory_snapshot, owner_party_id), 0, XD_X12__CV_STR, 0, 0, 0},
    MH(inventory_snapshot, complete, BOOL)};
static const struct xd_x12__member snap_dates[] = {
    {"as_of", OFF(inventory_snapshot, as_of), 0, XD_X12__CV_DATETIME, 0, 0, 0}};
static const struct xd_x12__member snap_item_ids[] = {
    M(snapshot_line, sku, STR), M(snapshot_line, gtin, STR), M(snapshot_line, lot_number, STR)};
static const struct xd_x12__member snap_quantities[] = {
    M(snapshot_line, on_hand, DEC), MH(snapshot_line, available, DEC),
    MH(snapshot_line, allocated, DEC), MH(snapshot_line, on_hold, DEC),
    MH(snapshot_line, in_transit, DEC)};
static const struct xd_x12__member snap_uom = M(snapshot_line, uom, UOM);

struct snap_state {
    char date[9], time[9]; /* BIA04, BIA05 */
};

static const struct xd_x12__bind bia[] = {B(3, STR, inventory_snapshot, snapshot_id)};
static const struct xd_x12__bind uit[] = {
    {"uom", 1, 1, XD_X12__CV_UOM, 0, 0, OFF(snapshot_line, uom), 0, NULL, NULL}};
static const struct xd_x12__lines snap_lines = {XD_X12__SC_ROOT,
                                                OFF(inventory_snapshot, lines),
                                                OFF(inventory_snapshot, n_lines),
                                                SIZE(snapshot_line),
                                                false,
                                                0,
                                                0,
                                                0,
                                                2,
                                                XD_X12__SC_LINE};

static void begin_846(struct xd_x12__tr *t)
{
    t->state = xd_arena_calloc(t->arena, 1, sizeof(struct snap_state));
}

static void h_bia(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    struct snap_state *s = t->state;
    xd_x12__h_bind(t, seg, r);
    if (s != NULL) {
        xd_x12__copy(s->date, sizeof s->date, xd_x12__tr_elem(seg, 4, 0));
        xd_x12__copy(s->time, sizeof s->time, xd_x12__tr_elem(seg, 5, 0));
    }
}

static const struct xd_x12__rule rules_846[] = {
    RULE("BIA", "", NULL, h_bia, XD_X12__SC_ROOT, T(bia), NO_MEMB, NULL),
    RULE("REF", "", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(snap_refs), NULL),
    RULE("DTM", "", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(snap_dates), NULL),
    WH_PARTY_RULES(snap_parties),
    RULE("LIN", "LIN", NULL, xd_x12__h_line, XD_X12__SC_ROOT, NO_BINDS, T(snap_item_ids),
         &snap_lines),
    RULE("QTY", "QTY", "LIN", xd_x12__h_qty, XD_X12__SC_LINE, NO_BINDS, T(snap_quantities),
         &snap_uom),
    RULE("UIT", "QTY", "LIN", NULL, XD_X12__SC_LINE, T(uit), NO_MEMB, NULL),
};

/* As of: the DTM when there is one, else BIA04 and BIA05. Location: the N1 that names it,
 * else the interchange sender's (an 846 advises the inventory of the party that sends it, a
 * warehouse or a supplier), through the map's location cross-reference when it has one. */
static void finish_846(struct xd_x12__tr *t)
{
    struct xd_canon_inventory_snapshot *snap = t->doc->body;
    const struct snap_state *s = t->state;
    if (snap->location_id == NULL && t->sender != NULL && t->sender[0] &&
        strlen(t->sender) < XD_X12__N104_MIN) {
        /* A location no N1 can name could be sent nowhere (found by the fuzzer); the parties
         * taken from the envelope follow the same rule (translate.c). */
        xd_x12__tr_at(t, NULL, "ISA");
        xd_x12__tr_problem(t, 6,
                           "no N1 names the location, and the interchange sender '%s' cannot be "
                           "one: N104 holds 2 to 80 characters",
                           t->sender);
    } else if (snap->location_id == NULL && t->sender != NULL && t->sender[0]) {
        const char *id = xd_x12__map_xref_id(t->map, true, t->sender_qual, t->sender);
        snap->location_id = id ? id : t->sender;
        xd_x12__tr_at(t, NULL, "ISA");
        xd_x12__tr_warn(t, 6,
                        "no N1 names the location: the interchange sender's (%s %s), location "
                        "'%s'",
                        t->sender_qual, t->sender, snap->location_id);
    }
    if (snap->as_of == NULL && s != NULL && s->date[0]) {
        snap->as_of = xd_x12__tr_datetime(t, xd_slice_from_cstr(s->date),
                                          xd_slice_from_cstr(s->time), (struct xd_slice){"", 0}, 4);
    }
}

static enum xd_status w_bia(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_inventory_snapshot *snap = o->obj[XD_X12__SC_ROOT];
    char date[9], time[7];
    xd_x12__out_begin(o);
    if (xd_x12__out_bind(o, snap, s->binds, s->nbinds) == SIZE_MAX) {
        return XD_EINVAL;
    }
    xd_x12__out_setf(o, 1, "00");
    xd_x12__out_setf(o, 2, "MM");
    if (split_datetime(o, snap->as_of, date, time)) {
        xd_x12__out_setf(o, 4, date);
        xd_x12__out_setf(o, 5, time);
    }
    return xd_x12__out_write(o, "BIA");
}

/* QTY per quantity present: qualifier, value, the line's unit. */
static enum xd_status w_qty(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_snapshot_line *l = o->obj[XD_X12__SC_LINE];
    for (size_t i = 0; i < s->nmembers; i++) {
        const struct xd_x12__member *m = &s->members[i];
        const char *const *codes = NULL;
        bool here;
        if (xd_x12__map_codes(o->map, o->spec->type, XD_X12__CAT_QUANTITIES, m->name, &codes) ==
            0) {
            continue;
        }
        xd_x12__out_begin(o);
        if (xd_x12__out_member(o, 2, l, m->off, m->has, XD_X12__CV_DEC, 0, &here) != XD_OK) {
            return XD_EINVAL;
        }
        if (!here) {
            continue;
        }
        xd_x12__out_setf(o, 1, codes[0]);
        xd_x12__out_setf(o, 3, xd_x12__map_uom_out(o->map, o->spec->type, l->uom));
        enum xd_status st = xd_x12__out_write(o, "QTY");
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static enum xd_status w_lin(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    xd_x12__out_begin(o);
    xd_x12__out_set(o, 1, (struct xd_slice){"", 0});
    (void)xd_x12__out_item_ids(o, o->obj[XD_X12__SC_LINE], 2, s->members, s->nmembers);
    return xd_x12__out_write(o, "LIN");
}

static enum xd_status w_snap_ctt(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    (void)s;
    const struct xd_canon_inventory_snapshot *snap = o->obj[XD_X12__SC_ROOT];
    char n[24];
    snprintf(n, sizeof n, "%zu", snap->n_lines);
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, n);
    return xd_x12__out_write(o, "CTT");
}

static const struct xd_x12__step snap_line_steps[] = {
    STEP("LIN", XD_X12__SC_LINE, w_lin, NO_BINDS, T(snap_item_ids), NULL),
    STEP("QTY", XD_X12__SC_LINE, w_qty, NO_BINDS, T(snap_quantities), NULL),
};
static const struct xd_x12__each snap_each = {OFF(inventory_snapshot, lines),
                                              OFF(inventory_snapshot, n_lines),
                                              SIZE(snapshot_line),
                                              XD_X12__SC_LINE,
                                              snap_line_steps,
                                              COUNT(snap_line_steps)};
static const struct xd_x12__step steps_846[] = {
    STEP("BIA", XD_X12__SC_ROOT, w_bia, T(bia), NO_MEMB, NULL),
    STEP("REF", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, T(snap_refs), NULL),
    STEP("DTM", XD_X12__SC_ROOT, xd_x12__w_dtms, NO_BINDS, T(snap_dates), NULL),
    STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &snap_party_list),
    STEP("LIN", XD_X12__SC_ROOT, xd_x12__w_lines, NO_BINDS, NO_MEMB, &snap_each),
    STEP("CTT", XD_X12__SC_ROOT, w_snap_ctt, NO_BINDS, NO_MEMB, NULL),
};

/* ---- The specifications -------------------------------------------------------------------- */

const struct xd_x12__tspec xd_x12__spec_940 = {.set_id = "940",
                                               .group = "OW",
                                               .type = XD_CANON_SHIPPING_ORDER,
                                               .scopes = so_scopes,
                                               .nscopes = COUNT(so_scopes),
                                               .rules = rules_940,
                                               .nrules = COUNT(rules_940),
                                               .finish = finish_940,
                                               .steps = steps_940,
                                               .nsteps = COUNT(steps_940)};
const struct xd_x12__tspec xd_x12__spec_945 = {.set_id = "945",
                                               .group = "SW",
                                               .type = XD_CANON_SHIPMENT_CONFIRMATION,
                                               .scopes = sc_scopes,
                                               .nscopes = COUNT(sc_scopes),
                                               .rules = rules_945,
                                               .nrules = COUNT(rules_945),
                                               .begin = begin_945,
                                               .steps = steps_945,
                                               .nsteps = COUNT(steps_945)};
const struct xd_x12__tspec xd_x12__spec_944 = {.set_id = "944",
                                               .group = "RE",
                                               .type = XD_CANON_RECEIPT,
                                               .rules = rules_944,
                                               .nrules = COUNT(rules_944),
                                               .begin = begin_944,
                                               .finish = finish_944,
                                               .steps = steps_944,
                                               .nsteps = COUNT(steps_944)};
const struct xd_x12__tspec xd_x12__spec_846 = {.set_id = "846",
                                               .group = "IB",
                                               .type = XD_CANON_INVENTORY_SNAPSHOT,
                                               .rules = rules_846,
                                               .nrules = COUNT(rules_846),
                                               .begin = begin_846,
                                               .finish = finish_846,
                                               .steps = steps_846,
                                               .nsteps = COUNT(steps_846)};
