/* SPDX-License-Identifier: MIT
 * What simulated partners answer with, built from what they received: a supplier's
 * acknowledgement, ship notices and invoices for a purchase order, a warehouse's receipt for a
 * ship notice, and the ERP's purchase orders. Canonical JSON in, canonical JSON out; every
 * quantity and amount is an exact decimal. Pure: no I/O, no clock (dates are passed in). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim/sim_int.h"

#define AMOUNT_SCALE 2   /* invoice line amounts and totals, in the currency's cents */
#define PACKS_MAX    49u /* per ship notice: SSCC serial references have room for 2 x 50 */

void xd_sim__date(int64_t epoch_ms, char *out, size_t cap)
{
    time_t t = (time_t)(epoch_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(out, cap, "%Y-%m-%d", &tm) == 0 && cap > 0) {
        out[0] = '\0';
    }
}

/* ------------------------------------------------------------------------------------------ */
/* JSON helpers: each returns false on a missing or malformed member or on allocation failure */

static bool set(json_t *o, const char *name, json_t *v)
{
    return v != NULL && json_object_set_new(o, name, v) == 0;
}

static bool set_str(json_t *o, const char *name, const char *s)
{
    return s == NULL || set(o, name, json_string(s));
}

/* <from>.<name> copied as <to>.<as>, when present. */
static bool copy_as(json_t *to, const json_t *from, const char *name, const char *as)
{
    json_t *v = json_object_get(from, name);
    return v == NULL || set(to, as, json_deep_copy(v));
}

static bool copy(json_t *to, const json_t *from, const char *name)
{
    return copy_as(to, from, name, name);
}

/* A party reference copied with a name: X12 writes parties as N1 with a name (N102), which a
 * canonical reference may leave out; its party or location id stands in. */
static bool copy_party(json_t *to, const json_t *from, const char *name)
{
    const json_t *v = json_object_get(from, name);
    if (v == NULL) {
        return true;
    }
    json_t *c = json_deep_copy(v);
    if (c != NULL && json_object_get(c, "name") == NULL) {
        const char *id = json_string_value(json_object_get(c, "party_id"));
        id = id != NULL ? id : json_string_value(json_object_get(c, "location_id"));
        if (json_object_set_new(c, "name", json_string(id != NULL ? id : name)) != 0) {
            json_decref(c);
            c = NULL;
        }
    }
    return set(to, name, c);
}

/* Append <v> (taken) when <good>, else drop it; false unless appended. */
static bool append(json_t *array, json_t *v, bool good)
{
    if (!good) {
        json_decref(v);
        return false;
    }
    return json_array_append_new(array, v) == 0;
}

static bool set_dec(json_t *o, const char *name, struct xd_decimal d)
{
    char text[XD_DECIMAL_STR_MAX];
    return xd_decimal_format(d, text, sizeof text) < sizeof text && set_str(o, name, text);
}

static bool get_dec(const json_t *o, const char *name, struct xd_decimal *out)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s != NULL && xd_decimal_parse(s, strlen(s), XD_DECIMAL_STRICT, out) == XD_OK;
}

/* The item identifiers of a line, copied onto another line. */
static bool copy_item(json_t *to, const json_t *from)
{
    static const char *const ids[] = {"sku", "vendor_part", "buyer_part", "gtin"};
    for (size_t i = 0; i < XD_ARRAY_LEN(ids); i++) {
        if (!copy(to, from, ids[i])) {
            return false;
        }
    }
    return true;
}

/* A GS1 SSCC: extension digit 0, company prefix 0614141, a 9-digit serial reference and the
 * mod-10 check digit. */
static void sscc(uint64_t serial_ref, char out[19])
{
    snprintf(out, 19, "00614141%09llu", (unsigned long long)(serial_ref % 1000000000ULL));
    unsigned sum = 0;
    for (int i = 0; i < 17; i++) {
        unsigned d = (unsigned)(out[16 - i] - '0');
        sum += i % 2 == 0 ? d * 3 : d;
    }
    out[17] = (char)('0' + (10 - sum % 10) % 10);
    out[18] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* Supplier */

/* What the supplier does with one PO line. */
struct plan_line {
    const json_t *po_line;
    int64_t line_number;
    bool rejected;
    struct xd_decimal confirmed;
    struct xd_decimal price;
    struct xd_decimal shipped[XD_SIM__MAX_ASNS];
};

static enum xd_status plan_lines(const json_t *po, const struct xd_sim__po_problems *pb,
                                 struct plan_line *pl, size_t n, struct xd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *line = json_array_get(json_object_get(po, "lines"), i);
        struct plan_line *l = &pl[i];
        l->po_line = line;
        l->line_number = json_integer_value(json_object_get(line, "line_number"));
        if (l->line_number <= 0 || !get_dec(line, "quantity", &l->confirmed)) {
            return xd_error_set(err, XD_EINVAL, "lines[%zu]: no line_number or quantity", i);
        }
        if (!get_dec(line, "unit_price", &l->price)) {
            l->price = xd_decimal_from_int(0);
        }
        l->rejected = l->line_number == pb->reject_line;
        if (!l->rejected && l->line_number == pb->change_line) {
            l->confirmed = pb->change_qty;
        }
        struct xd_decimal first = l->confirmed;
        if (!l->rejected && pb->partial_percent > 0 && pb->partial_percent < 100) {
            struct xd_decimal share;
            enum xd_status st = xd_decimal_mul(
                l->confirmed, xd_decimal_from_int((int64_t)pb->partial_percent), &share);
            if (st == XD_OK) {
                st = xd_decimal_div(share, xd_decimal_from_int(100), 0, XD_ROUND_DOWN, &first);
            }
            if (st != XD_OK) {
                return xd_error_set(err, XD_EINVAL, "lines[%zu]: quantity out of range", i);
            }
        }
        l->shipped[0] = l->rejected ? xd_decimal_from_int(0) : first;
        if (xd_decimal_sub(l->rejected ? l->shipped[0] : l->confirmed, l->shipped[0],
                           &l->shipped[1]) != XD_OK) {
            return xd_error_set(err, XD_EINVAL, "lines[%zu]: quantity out of range", i);
        }
    }
    return XD_OK;
}

static json_t *build_ack(const json_t *po, const struct plan_line *pl, size_t n, const char *date,
                         uint64_t serial)
{
    json_t *ack = json_object();
    json_t *lines = json_array();
    bool ok = ack != NULL && lines != NULL;
    size_t accepted = 0, rejected = 0;
    for (size_t i = 0; ok && i < n; i++) {
        const struct plan_line *l = &pl[i];
        struct xd_decimal ordered;
        ok = get_dec(l->po_line, "quantity", &ordered);
        bool changed = ok && !l->rejected && xd_decimal_cmp(ordered, l->confirmed) != 0;
        json_t *a = json_object();
        ok = ok && set(a, "line_number", json_integer(l->line_number)) &&
             copy_item(a, l->po_line) &&
             set_str(a, "status",
                     l->rejected ? "rejected"
                     : changed   ? "changed"
                                 : "accepted") &&
             copy_as(a, l->po_line, "quantity", "ordered_quantity") && copy(a, l->po_line, "uom");
        if (ok && !l->rejected) {
            const char *ship =
                json_string_value(json_object_get(l->po_line, "requested_ship_date"));
            if (ship == NULL) {
                ship = json_string_value(json_object_get(po, "requested_ship_date"));
            }
            ok = set_dec(a, "confirmed_quantity", l->confirmed) &&
                 set_dec(a, "confirmed_unit_price", l->price) &&
                 set_str(a, "confirmed_ship_date",
                         ship != NULL && strcmp(ship, date) >= 0 ? ship : date);
        }
        if (ok && (l->rejected || changed)) {
            ok = set_str(a, "reason", l->rejected ? "Item discontinued" : "Quantity available");
        }
        ok = append(lines, a, ok);
        rejected += l->rejected;
        accepted += !l->rejected && !changed;
    }
    char number[32];
    snprintf(number, sizeof number, "SO-%llu", (unsigned long long)serial);
    const char *status = accepted == n ? "accepted" : rejected == n ? "rejected" : NULL;
    ok = ok && set_str(ack, "type", "po_acknowledgement") && copy(ack, po, "po_number") &&
         set_str(ack, "ack_number", number) && set_str(ack, "purpose", "original") &&
         set_str(ack, "status", status != NULL ? status : "accepted_with_changes") &&
         copy_as(ack, po, "order_date", "po_date") && set_str(ack, "ack_date", date) &&
         copy_party(ack, po, "buyer") && copy_party(ack, po, "supplier") &&
         copy_party(ack, po, "ship_to") && copy(ack, po, "currency") &&
         json_object_set(ack, "lines", lines) == 0;
    json_decref(lines);
    if (!ok) {
        json_decref(ack);
        return NULL;
    }
    return ack;
}

enum xd_status xd_sim__cancel_ack_build(const json_t *po, const char *today, uint64_t serial,
                                        json_t **out, struct xd_error *err)
{
    const char *po_number = json_string_value(json_object_get(po, "po_number"));
    if (po_number == NULL) {
        return xd_error_set(err, XD_EINVAL, "a cancellation without a po_number");
    }
    const char *order_date = json_string_value(json_object_get(po, "order_date"));
    const char *date = order_date != NULL && strcmp(order_date, today) > 0 ? order_date : today;
    char number[32];
    snprintf(number, sizeof number, "SO-%llu", (unsigned long long)serial);
    json_t *ack = json_object();
    bool ok = set_str(ack, "type", "po_acknowledgement") && set_str(ack, "po_number", po_number) &&
              set_str(ack, "ack_number", number) && set_str(ack, "purpose", "cancel") &&
              set_str(ack, "status", "accepted") && copy_as(ack, po, "order_date", "po_date") &&
              set_str(ack, "ack_date", date) && copy_party(ack, po, "buyer") &&
              copy_party(ack, po, "supplier");
    if (!ok) {
        json_decref(ack);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    *out = ack;
    return XD_OK;
}

/* Ship notice <k> (0 first): one order, its items in cartons of up to ceil(n / PACKS_MAX)
 * lines. NULL with *none set when nothing ships in it. */
static json_t *build_asn(const json_t *po, const struct plan_line *pl, size_t n, size_t k,
                         const char *date, uint64_t serial, bool *none)
{
    size_t shipping = 0;
    for (size_t i = 0; i < n; i++) {
        shipping += !xd_decimal_is_zero(pl[i].shipped[k]);
    }
    *none = shipping == 0;
    if (shipping == 0) {
        return NULL;
    }
    size_t per_pack = 1 + (shipping - 1) / PACKS_MAX;
    json_t *asn = json_object(), *order = json_object(), *packs = json_array();
    bool ok = asn != NULL && order != NULL && packs != NULL;
    json_t *pack = NULL;
    size_t in_pack = 0, n_packs = 0;
    for (size_t i = 0; ok && i < n; i++) {
        const struct plan_line *l = &pl[i];
        if (xd_decimal_is_zero(l->shipped[k])) {
            continue;
        }
        if (pack == NULL || in_pack == per_pack) {
            char code[19];
            sscc((serial % 10000000) * 100 + k * 50 + n_packs, code);
            pack = json_object();
            ok = append(packs, pack,
                        pack != NULL && set_str(pack, "sscc", code) &&
                            set_str(pack, "kind", "carton") && set(pack, "items", json_array()));
            in_pack = 0;
            n_packs++;
        }
        json_t *item = json_object();
        ok = append(json_object_get(pack, "items"), item,
                    ok && set(item, "line_number", json_integer(l->line_number)) &&
                        copy_item(item, l->po_line) && set_dec(item, "quantity", l->shipped[k]) &&
                        copy(item, l->po_line, "uom"));
        in_pack++;
    }
    char number[40], shipment[40];
    const char *po_number = json_string_value(json_object_get(po, "po_number"));
    snprintf(number, sizeof number, "ASN-%s-%zu", po_number, k + 1);
    snprintf(shipment, sizeof shipment, "SHP-%s-%zu", po_number, k + 1);
    const json_t *ship_to = json_object_get(po, "ship_to");
    json_t *orders = json_array();
    ok = ok && set_str(order, "po_number", po_number) &&
         copy_as(order, po, "order_date", "po_date") && set(order, "packs", json_incref(packs)) &&
         json_array_append(orders, order) == 0;
    ok = ok && set_str(asn, "type", "ship_notice") && set_str(asn, "asn_number", number) &&
         set_str(asn, "purpose", "original") && set_str(asn, "shipment_id", shipment) &&
         set_str(asn, "notice_date", date) && set_str(asn, "ship_date", date) &&
         copy_party(asn, po, "supplier") &&
         (ship_to != NULL
              ? copy_party(asn, po, "ship_to")
              : set(asn, "ship_to",
                    json_pack("{s:s, s:s}", "location_id", "DC-CHI", "name", "DC-CHI"))) &&
         copy(asn, po, "carrier") && set(asn, "package_count", json_integer((json_int_t)n_packs)) &&
         set(asn, "orders", json_incref(orders));
    json_decref(orders);
    json_decref(order);
    json_decref(packs);
    if (!ok) {
        json_decref(asn);
        return NULL;
    }
    return asn;
}

static json_t *build_invoice(const json_t *po, const struct plan_line *pl, size_t n, size_t k,
                             const json_t *asn, const char *date, uint64_t serial,
                             uint32_t price_error_percent)
{
    json_t *inv = json_object(), *lines = json_array();
    bool ok = inv != NULL && lines != NULL;
    struct xd_decimal subtotal = xd_decimal_from_int(0);
    int64_t line_number = 0;
    for (size_t i = 0; ok && i < n; i++) {
        const struct plan_line *l = &pl[i];
        if (xd_decimal_is_zero(l->shipped[k])) {
            continue;
        }
        struct xd_decimal price = l->price, amount;
        if (line_number == 0 && k == 0 && price_error_percent > 0) {
            /* The first line billed above the confirmed price: price * (100 + p) / 100. */
            struct xd_decimal raised;
            ok = xd_decimal_mul(price, xd_decimal_from_int(100 + (int64_t)price_error_percent),
                                &raised) == XD_OK &&
                 xd_decimal_div(raised, xd_decimal_from_int(100), 4, XD_ROUND_HALF_UP, &price) ==
                     XD_OK;
            price = xd_decimal_normalize(price);
        }
        ok = ok && xd_decimal_mul(l->shipped[k], price, &amount) == XD_OK &&
             xd_decimal_rescale(amount, AMOUNT_SCALE, XD_ROUND_HALF_UP, &amount) == XD_OK &&
             xd_decimal_add(subtotal, amount, &subtotal) == XD_OK;
        json_t *il = json_object();
        ok = append(lines, il,
                    ok && set(il, "line_number", json_integer(++line_number)) &&
                        set(il, "po_line_number", json_integer(l->line_number)) &&
                        copy_item(il, l->po_line) && copy(il, l->po_line, "description") &&
                        set_dec(il, "quantity", l->shipped[k]) && copy(il, l->po_line, "uom") &&
                        set_dec(il, "unit_price", price) && set_dec(il, "amount", amount));
    }
    /* Business keys: the hub correlates by their values, so they come from the PO's number
     * (unique in the network), the simulator's serial only when that does not fit. */
    char number[64];
    const char *po_number = json_string_value(json_object_get(po, "po_number"));
    if ((size_t)snprintf(number, sizeof number, "IN-%s-%zu", po_number, k + 1) > 22) {
        snprintf(number, sizeof number, "INV-%llu-%zu", (unsigned long long)serial, k + 1);
    }
    const json_t *currency = json_object_get(po, "currency");
    json_t *totals = json_object();
    ok = ok && totals != NULL && set(totals, "line_count", json_integer(line_number)) &&
         set_dec(totals, "subtotal", subtotal) && set_dec(totals, "total_amount", subtotal);
    ok = ok && set_str(inv, "type", "invoice") && set_str(inv, "invoice_number", number) &&
         set_str(inv, "invoice_type", "invoice") && set_str(inv, "invoice_date", date) &&
         copy(inv, po, "po_number") && copy_as(inv, po, "order_date", "po_date") &&
         copy(inv, asn, "asn_number") && copy_party(inv, po, "supplier") &&
         copy_party(inv, po, "buyer") && copy_party(inv, po, "ship_to") &&
         set(inv, "currency", currency != NULL ? json_deep_copy(currency) : json_string("USD")) &&
         copy(inv, po, "payment_terms") && set_str(inv, "ship_date", date) &&
         json_object_set(inv, "lines", lines) == 0 && json_object_set(inv, "totals", totals) == 0;
    json_decref(lines);
    json_decref(totals);
    if (!ok) {
        json_decref(inv);
        return NULL;
    }
    return inv;
}

void xd_sim__supplier_docs_cleanup(struct xd_sim__supplier_docs *d)
{
    json_decref(d->ack);
    for (size_t i = 0; i < XD_SIM__MAX_ASNS; i++) {
        json_decref(d->asns[i]);
        json_decref(d->invoices[i]);
    }
    memset(d, 0, sizeof *d);
}

enum xd_status xd_sim__supplier_docs_build(const json_t *po, const struct xd_sim__po_problems *pb,
                                           const char *today, uint64_t serial,
                                           struct xd_sim__supplier_docs *out, struct xd_error *err)
{
    memset(out, 0, sizeof *out);
    const json_t *lines = json_object_get(po, "lines");
    const char *type = json_string_value(json_object_get(po, "type"));
    const char *po_number = json_string_value(json_object_get(po, "po_number"));
    if (type == NULL || strcmp(type, "purchase_order") != 0 || po_number == NULL ||
        !json_is_array(lines) || json_array_size(lines) == 0) {
        return xd_error_set(err, XD_EINVAL, "not a purchase order with lines");
    }
    if (json_object_get(po, "supplier") == NULL || json_object_get(po, "buyer") == NULL) {
        return xd_error_set(err, XD_EINVAL, "purchase order %s names no supplier or buyer",
                            po_number);
    }
    /* Dates never before the order's (acknowledgement and invoice rules). */
    const char *order_date = json_string_value(json_object_get(po, "order_date"));
    const char *date = order_date != NULL && strcmp(order_date, today) > 0 ? order_date : today;
    size_t n = json_array_size(lines);
    struct plan_line *pl = xd_calloc(n, sizeof *pl);
    if (pl == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    enum xd_status st = plan_lines(po, pb, pl, n, err);
    if (st != XD_OK) {
        xd_free(pl);
        return st;
    }
    out->ack = build_ack(po, pl, n, date, serial);
    st = out->ack != NULL ? XD_OK : XD_ENOMEM;
    for (size_t k = 0; st == XD_OK && k < XD_SIM__MAX_ASNS; k++) {
        bool none = false;
        json_t *asn = build_asn(po, pl, n, k, date, serial, &none);
        if (none) {
            continue;
        }
        json_t *inv = asn != NULL ? build_invoice(po, pl, n, k, asn, date, serial,
                                                  out->n_asns == 0 ? pb->price_error_percent : 0)
                                  : NULL;
        if (asn == NULL || inv == NULL) {
            json_decref(asn);
            st = XD_ENOMEM;
            break;
        }
        out->asns[out->n_asns] = asn;
        out->invoices[out->n_asns++] = inv;
    }
    xd_free(pl);
    if (st != XD_OK) {
        xd_sim__supplier_docs_cleanup(out);
        return xd_error_set(err, st, "out of memory");
    }
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Warehouse */

static enum xd_status receipt_line(json_t *lines, const json_t *item, const char *po_number,
                                   const char *sscc_code, const struct xd_sim__receipt_problems *pb)
{
    struct xd_decimal expected, received, damaged = xd_decimal_from_int(0);
    int64_t po_line = json_integer_value(json_object_get(item, "line_number"));
    if (!get_dec(item, "quantity", &expected)) {
        return XD_EINVAL;
    }
    received = expected;
    if (po_line > 0 && po_line == pb->short_line &&
        xd_decimal_sub(expected, pb->short_qty, &received) == XD_OK &&
        xd_decimal_is_negative(received)) {
        received = xd_decimal_from_int(0);
    }
    if (po_line > 0 && po_line == pb->over_line &&
        xd_decimal_add(expected, pb->over_qty, &received) != XD_OK) {
        return XD_EINVAL;
    }
    if (po_line > 0 && po_line == pb->damaged_line) {
        damaged = xd_decimal_cmp(pb->damaged_qty, received) > 0 ? received : pb->damaged_qty;
    }
    json_t *l = json_object();
    bool ok = set(l, "line_number", json_integer((json_int_t)json_array_size(lines) + 1)) &&
              set_str(l, "po_number", po_number) &&
              (po_line <= 0 || set(l, "po_line_number", json_integer(po_line))) &&
              copy_item(l, item) && set_dec(l, "expected_quantity", expected) &&
              set_dec(l, "received_quantity", received) &&
              (xd_decimal_is_zero(damaged) || set_dec(l, "damaged_quantity", damaged)) &&
              copy(l, item, "uom") &&
              set_str(l, "condition", xd_decimal_is_zero(damaged) ? "good" : "damaged") &&
              copy(l, item, "lot_number") && copy(l, item, "expiry_date") &&
              set_str(l, "sscc", sscc_code);
    return append(lines, l, ok) ? XD_OK : XD_ENOMEM;
}

static enum xd_status receipt_items(json_t *lines, const json_t *items, const char *po_number,
                                    const char *sscc_code,
                                    const struct xd_sim__receipt_problems *pb)
{
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item)
    {
        enum xd_status st = receipt_line(lines, item, po_number, sscc_code, pb);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

enum xd_status xd_sim__receipt_build(const json_t *asn, const struct xd_sim__receipt_problems *pb,
                                     const char *received_at, const char *location, uint64_t serial,
                                     json_t **out, struct xd_error *err)
{
    const char *asn_number = json_string_value(json_object_get(asn, "asn_number"));
    const json_t *orders = json_object_get(asn, "orders");
    if (asn_number == NULL || !json_is_array(orders) || json_array_size(orders) == 0) {
        return xd_error_set(err, XD_EINVAL, "not a ship notice with orders");
    }
    json_t *lines = json_array();
    enum xd_status st = lines != NULL ? XD_OK : XD_ENOMEM;
    size_t i, j;
    const json_t *order, *pack;
    json_array_foreach(orders, i, order)
    {
        const char *po_number = json_string_value(json_object_get(order, "po_number"));
        st = st == XD_OK
                 ? receipt_items(lines, json_object_get(order, "items"), po_number, NULL, pb)
                 : st;
        json_array_foreach(json_object_get(order, "packs"), j, pack)
        {
            const char *code = json_string_value(json_object_get(pack, "sscc"));
            st = st == XD_OK
                     ? receipt_items(lines, json_object_get(pack, "items"), po_number, code, pb)
                     : st;
        }
    }
    if (st == XD_OK && json_array_size(lines) == 0) {
        st = XD_EINVAL;
    }
    if (st != XD_OK) {
        json_decref(lines);
        return xd_error_set(err, st,
                            st == XD_EINVAL ? "ship notice %s: no item with a quantity"
                                            : "out of memory (ship notice %s)",
                            asn_number);
    }
    const char *loc =
        json_string_value(json_object_get(json_object_get(asn, "ship_to"), "location_id"));
    char number[64];
    if ((size_t)snprintf(number, sizeof number, "R-%s", asn_number) > 30) {
        snprintf(number, sizeof number, "RCV-%llu", (unsigned long long)serial);
    }
    json_t *r = json_object();
    bool ok = r != NULL && set_str(r, "type", "receipt") && set_str(r, "receipt_number", number) &&
              set_str(r, "asn_number", asn_number) &&
              set(r, "po_number",
                  json_deep_copy(json_object_get(json_array_get(orders, 0), "po_number"))) &&
              set_str(r, "location_id", loc != NULL ? loc : location) &&
              set_str(r, "received_at", received_at) && copy_party(r, asn, "supplier") &&
              copy(r, asn, "carrier") && copy(r, asn, "bill_of_lading") &&
              json_object_set(r, "lines", lines) == 0;
    json_decref(lines);
    if (!ok) {
        json_decref(r);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    *out = r;
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* ERP */

struct catalogue_item {
    const char *sku, *vendor_part, *description, *uom, *unit_price;
    unsigned max_qty;
};

/* Items the example supplier (examples/partners/acme-fasteners.yaml) cross-references. */
static const struct catalogue_item catalogue[] = {
    {"NW-20417", "SH-NIT-L-100", "Nitrile exam gloves, large, box of 100", "BX", "6.85", 400},
    {"NW-10042", "HB-M8-40-Z", "Hex bolt M8 x 40 mm, zinc plated", "EA", "0.1325", 5000},
    {"NW-31190", "TP-DUCT-48", "Duct tape 48 mm x 55 m, silver", "CA", "54.00", 40},
};

enum xd_status xd_sim__purchase_order_build(const char *po_number, const char *supplier,
                                            const char *location, const char *today, unsigned *seed,
                                            json_t **out)
{
    size_t n_lines = 1 + (size_t)rand_r(seed) % 5;
    json_t *po = json_object(), *lines = json_array();
    bool ok = po != NULL && lines != NULL;
    struct xd_decimal total_qty = xd_decimal_from_int(0), total_amount = xd_decimal_from_int(0);
    for (size_t i = 0; ok && i < n_lines; i++) {
        /* Lines go round the catalogue from a random start: items repeat only past 3 lines. */
        const struct catalogue_item *c =
            &catalogue[((size_t)rand_r(seed) + i) % XD_ARRAY_LEN(catalogue)];
        struct xd_decimal qty = xd_decimal_from_int(1 +
                                                    (int64_t)((unsigned)rand_r(seed) % c->max_qty)),
                          price, amount;
        ok = xd_decimal_parse(c->unit_price, strlen(c->unit_price), XD_DECIMAL_STRICT, &price) ==
                 XD_OK &&
             xd_decimal_mul(qty, price, &amount) == XD_OK &&
             xd_decimal_add(total_qty, qty, &total_qty) == XD_OK &&
             xd_decimal_add(total_amount, amount, &total_amount) == XD_OK;
        json_t *l =
            ok ? json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "line_number", (json_int_t)i + 1,
                           "sku", c->sku, "vendor_part", c->vendor_part, "description",
                           c->description, "uom", c->uom, "unit_price", c->unit_price)
               : NULL;
        ok = append(lines, l, l != NULL && set_dec(l, "quantity", qty));
    }
    json_t *totals = json_object();
    ok = ok && totals != NULL && set(totals, "line_count", json_integer((json_int_t)n_lines)) &&
         set_dec(totals, "total_quantity", total_qty) &&
         xd_decimal_rescale(total_amount, 4, XD_ROUND_HALF_EVEN, &total_amount) == XD_OK &&
         set_dec(totals, "total_amount", xd_decimal_normalize(total_amount));
    ok = ok && set_str(po, "type", "purchase_order") && set_str(po, "po_number", po_number) &&
         set_str(po, "purpose", "original") && set_str(po, "order_type", "standard") &&
         set_str(po, "order_date", today) &&
         set(po, "buyer",
             json_pack("{s:s, s:s}", "party_id", "northwind", "name",
                       "Northwind Industrial Supply")) &&
         set(po, "supplier", json_pack("{s:s, s:s}", "party_id", supplier, "name", supplier)) &&
         set(po, "ship_to", json_pack("{s:s, s:s}", "location_id", location, "name", location)) &&
         set_str(po, "currency", "USD") && json_object_set(po, "lines", lines) == 0 &&
         json_object_set(po, "totals", totals) == 0;
    json_decref(lines);
    json_decref(totals);
    if (!ok) {
        json_decref(po);
        return XD_ENOMEM;
    }
    *out = po;
    return XD_OK;
}
