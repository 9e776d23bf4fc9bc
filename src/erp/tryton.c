/* SPDX-License-Identifier: MIT
 * The Tryton connector (Tryton 6.0: purchase, stock, account_invoice). What it reads and writes,
 * and how each post is guarded against doing twice what a retry asks again:
 *   - fetch: purchase.purchase by (write_date, id) past the cursor, as canonical purchase
 *     orders; a purchase line's id is the order line's line_number (stable across changes);
 *   - po_acknowledgement: a note per purchase line and a summary in the purchase's comment,
 *     each carrying the marker "[crossdock <document>]" that is looked for before writing;
 *     confirmed delivery dates become the planned date of the line's open moves; the
 *     acknowledgement number becomes the purchase's reference (the supplier's) when it has none;
 *   - ship_notice: an incoming shipment (stock.shipment.in) whose reference is the ASN number,
 *     made of the purchase's open moves set to the shipped quantities; guard: a shipment of the
 *     supplier with that reference;
 *   - receipt: that shipment (by the receipt's asn_number) received and done with the moves set
 *     to the quantities received (less those refused); lines not received leave the shipment, so
 *     Tryton keeps them open on the purchase; guard: a shipment already received or done;
 *   - invoice: a supplier invoice (account.invoice, type in) whose reference is the invoice
 *     number, lines tied to the purchase lines, posted when the profile says so; guard: an
 *     invoice of the supplier with that reference.
 * Threads: the handle's thread only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erp/erp_int.h"

#define LIMIT_TEXT "100"

/* ------------------------------------------------------------------------------------------ */
/* Small JSON helpers */

/* <a> unless NULL, else <b>. */
static const char *nz(const char *a, const char *b)
{
    return a != NULL ? a : b;
}

static const char *str_of(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "party." -> its "code" (Tryton's related read). */
static const char *rel_str(const json_t *o, const char *rel, const char *key)
{
    return str_of(json_object_get(o, rel), key);
}

static json_int_t int_of(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

static bool set_str(json_t *o, const char *key, const char *v)
{
    return v == NULL || v[0] == '\0' || json_object_set_new(o, key, json_string(v)) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Fetch */

static const char *const po_fields[] = {
    "number",
    "reference",
    "state",
    "write_date",
    "purchase_date",
    "delivery_date",
    "party.code",
    "party.name",
    "company.party.name",
    "company.party.code",
    "currency.code",
    "warehouse.code",
    "warehouse.name",
    "lines.type",
    "lines.quantity",
    "lines.unit_price",
    "lines.description",
    "lines.product.code",
    "lines.unit.symbol",
    "lines.delivery_date_store",
};

static json_t *party_ref(const struct xd_erp *e, const char *code, const char *name)
{
    json_t *r = json_object();
    const char *ours = code != NULL ? xd_erp_map_in(e, XD_ERP_MAP_PARTY, code) : NULL;
    char nm[61];
    snprintf(nm, sizeof nm, "%s", name != NULL ? name : "");
    if (r == NULL || !set_str(r, "party_id", ours) || !set_str(r, "name", nm) ||
        !set_str(r, "assigned_id", code)) {
        json_decref(r);
        return NULL;
    }
    return r;
}

static json_t *po_line(const struct xd_erp *e, const json_t *l)
{
    const char *code = rel_str(l, "product.", "code");
    const char *unit = rel_str(l, "unit.", "symbol");
    const char *sku = code != NULL ? xd_erp_map_in(e, XD_ERP_MAP_PRODUCT, code) : NULL;
    const char *uom = unit != NULL ? xd_erp_map_in(e, XD_ERP_MAP_UNIT, unit) : NULL;
    char qty[64], price[64], date[40], desc[81];
    json_t *o = json_object();
    if (o == NULL || json_object_set_new(o, "line_number", json_integer(int_of(l, "id"))) != 0) {
        json_decref(o);
        return NULL;
    }
    snprintf(desc, sizeof desc, "%s", str_of(l, "description") ? str_of(l, "description") : "");
    bool ok = set_str(o, "sku", sku != NULL ? sku : code) && set_str(o, "description", desc);
    if (ok && xd_erp__number_text(json_object_get(l, "quantity"), qty, sizeof qty)) {
        ok = set_str(o, "quantity", qty);
    }
    ok = ok && set_str(o, "uom", uom != NULL ? uom : unit);
    if (ok && xd_erp__number_text(json_object_get(l, "unit_price"), price, sizeof price)) {
        ok = set_str(o, "unit_price", price);
    }
    /* The date the buyer asked for on the line; Tryton's delivery_date of a processing line
     * is its moves' planned date, which the hub itself sets from acknowledgements. */
    if (ok && xd_erp__date_text(json_object_get(l, "delivery_date_store"), date, sizeof date)) {
        ok = set_str(o, "requested_delivery_date", date);
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The canonical purchase order of one purchase (purpose original: the poller decides). */
static json_t *po_doc(const struct xd_erp *e, const json_t *r)
{
    char date[40];
    json_t *po = json_pack("{s:s, s:s, s:s, s:s}", "type", "purchase_order", "po_number",
                           str_of(r, "number"), "purpose", "original", "order_type", "standard");
    if (po == NULL) {
        return NULL;
    }
    bool ok = true;
    if (xd_erp__date_text(json_object_get(r, "purchase_date"), date, sizeof date)) {
        ok = set_str(po, "order_date", date);
    } else if (xd_erp__date_text(json_object_get(r, "write_date"), date, sizeof date)) {
        date[10] = '\0';
        ok = set_str(po, "order_date", date);
    }
    const json_t *company = json_object_get(r, "company.");
    ok = ok && json_object_set_new(po, "buyer",
                                   party_ref(e, rel_str(company, "party.", "code"),
                                             rel_str(company, "party.", "name"))) == 0;
    ok = ok && json_object_set_new(
                   po, "supplier",
                   party_ref(e, rel_str(r, "party.", "code"), rel_str(r, "party.", "name"))) == 0;
    const char *wh = rel_str(r, "warehouse.", "code");
    if (ok && wh != NULL) {
        const char *loc = xd_erp_map_in(e, XD_ERP_MAP_LOCATION, wh);
        char nm[61];
        snprintf(nm, sizeof nm, "%s", nz(rel_str(r, "warehouse.", "name"), ""));
        json_t *st = json_object();
        ok = st != NULL && set_str(st, "location_id", loc) && set_str(st, "name", nm) &&
             set_str(st, "assigned_id", wh) && json_object_set_new(po, "ship_to", st) == 0;
    }
    ok = ok && set_str(po, "currency", rel_str(r, "currency.", "code"));
    if (ok && xd_erp__date_text(json_object_get(r, "delivery_date"), date, sizeof date)) {
        ok = set_str(po, "requested_delivery_date", date);
    }
    /* The purchase's comment is not the order's note: the hub writes acknowledgements there,
     * and reading them back would make every acknowledgement a change of the order. */
    json_t *lines = json_array();
    const json_t *l;
    size_t i;
    json_array_foreach(json_object_get(r, "lines."), i, l)
    {
        const char *type = str_of(l, "type");
        if (type != NULL && strcmp(type, "line") != 0) {
            continue; /* comments, titles, subtotals */
        }
        ok = ok && lines != NULL && json_array_append_new(lines, po_line(e, l)) == 0;
    }
    if (ok && lines != NULL && json_array_size(lines) > 0) {
        ok = json_object_set_new(po, "lines", lines) == 0;
    } else {
        json_decref(lines);
    }
    if (!ok) {
        json_decref(po);
        return NULL;
    }
    return po;
}

static bool withdrawn_state(const char *state)
{
    static const char *const open[] = {"confirmed", "processing", "done"};
    for (size_t i = 0; i < XD_ARRAY_LEN(open); i++) {
        if (state != NULL && strcmp(state, open[i]) == 0) {
            return false;
        }
    }
    return true;
}

/* One purchase as a fetched document. */
static enum xd_status fetched(const struct xd_erp *e, const json_t *r, struct xd_erp_doc *d)
{
    char wd[40];
    if (!xd_erp__date_text(json_object_get(r, "write_date"), wd, sizeof wd)) {
        snprintf(wd, sizeof wd, "0000-00-00T00:00:00.000000");
    }
    long long id = (long long)int_of(r, "id");
    d->cursor = xd_malloc(XD_ERP_CURSOR_MAX);
    if (d->cursor == NULL) {
        return XD_ENOMEM;
    }
    snprintf(d->cursor, XD_ERP_CURSOR_MAX, "%s|%lld", wd, id);
    const char *state = str_of(r, "state");
    d->withdrawn = withdrawn_state(state);
    const char *number = str_of(r, "number");
    if (number == NULL || number[0] == '\0') {
        return XD_OK; /* a draft never numbered: nothing the hub can know of */
    }
    d->po_number = xd_strdup(number);
    json_t *po = po_doc(e, r);
    char *text = po != NULL ? json_dumps(po, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    /* The order's fingerprint: what it says (content) and whether it stands. The poller
     * compares it with the last order journaled for this purchase; it travels in the order's
     * reference to the Tryton record. */
    uint8_t h[XD_SHA256_LEN];
    char hex[XD_SHA256_HEX_LEN + 1];
    xd_sha256(text != NULL ? text : "", text != NULL ? strlen(text) : 0, h);
    xd_hex_encode(h, 8, hex);
    free(text);
    d->fingerprint = xd_malloc(64);
    if (d->fingerprint != NULL) {
        snprintf(d->fingerprint, 64, "content %.16s %s", hex, d->withdrawn ? "withdrawn" : "open");
    }
    char id_ref[64];
    snprintf(id_ref, sizeof id_ref, "purchase.purchase:%lld", id);
    json_t *refs = d->fingerprint != NULL
                       ? json_pack("[{s:s, s:s, s:s}]", "qualifier", "ERP", "value", id_ref,
                                   "description", d->fingerprint)
                       : NULL;
    text = po != NULL && refs != NULL && json_object_set_new(po, "references", refs) == 0
               ? json_dumps(po, JSON_COMPACT | JSON_PRESERVE_ORDER)
               : NULL;
    json_decref(po);
    if (d->po_number == NULL || text == NULL) {
        free(text);
        return XD_ENOMEM;
    }
    d->json_len = strlen(text);
    d->json = xd_malloc(d->json_len + 1);
    if (d->json != NULL) {
        memcpy(d->json, text, d->json_len + 1);
    }
    free(text);
    if (d->json == NULL) {
        return XD_ENOMEM;
    }
    /* One write of the purchase is one message: fetched again (a crash before the cursor
     * moved), it is recognised. */
    d->dedupe_key = xd_malloc(128);
    if (d->dedupe_key == NULL) {
        return XD_ENOMEM;
    }
    snprintf(d->dedupe_key, 128, "tryton:purchase:%lld:%s", id, wd);
    return XD_OK;
}

/* Tryton's domain for "after the cursor": write_date > W, or write_date = W and id > I. */
static json_t *after_domain(const char *cursor)
{
    int y, mo, d, h, mi, s;
    long us;
    long long id;
    if (cursor == NULL || cursor[0] == '\0') {
        return json_array();
    }
    if (sscanf(cursor, "%4d-%2d-%2dT%2d:%2d:%2d.%6ld|%lld", &y, &mo, &d, &h, &mi, &s, &us, &id) !=
        8) {
        return NULL;
    }
    json_t *dt = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:I}", "__class__", "datetime",
                           "year", y, "month", mo, "day", d, "hour", h, "minute", mi, "second", s,
                           "microsecond", (json_int_t)us);
    json_t *domain = json_pack("[s, [[s, s, O]], [[s, s, O], [s, s, I]]]", "OR", "write_date", ">",
                               dt, "write_date", "=", dt, "id", ">", (json_int_t)id);
    json_decref(dt);
    return domain;
}

static enum xd_status tryton_fetch(struct xd_erp *e, const char *cursor, struct xd_erp_batch *out,
                                   struct xd_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *domain = after_domain(cursor);
    if (domain == NULL) {
        return xd_error_set(err, XD_ECORRUPT, "the stored cursor '%.64s' is not WRITE_DATE|ID",
                            cursor);
    }
    json_t *fields = json_array();
    for (size_t i = 0; fields != NULL && i < XD_ARRAY_LEN(po_fields); i++) {
        json_array_append_new(fields, json_string(po_fields[i]));
    }
    json_t *params = json_pack("[o, i, i, [[s, s], [s, s]], o]", domain, 0, XD_ERP_BATCH_MAX + 1,
                               "write_date", "ASC", "id", "ASC", fields);
    json_t *rows = NULL;
    enum xd_status st =
        xd_erp__model(e, "purchase.purchase", "search_read", params, &rows, NULL, err);
    if (st != XD_OK) {
        return st == XD_EDECLINED ? xd_error_set(err, XD_EUNAVAIL, "%s", err->message) : st;
    }
    size_t n = json_array_size(rows);
    out->more = n > XD_ERP_BATCH_MAX;
    n = out->more ? XD_ERP_BATCH_MAX : n;
    out->docs = n > 0 ? xd_calloc(n, sizeof *out->docs) : NULL;
    if (n > 0 && out->docs == NULL) {
        json_decref(rows);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && st == XD_OK; i++) {
        st = fetched(e, json_array_get(rows, i), &out->docs[i]);
        out->n_docs = i + 1;
    }
    json_decref(rows);
    if (st != XD_OK) {
        xd_erp_batch_cleanup(out);
        return xd_error_set(err, st, "reading Tryton's purchases: %s", xd_strerror(st));
    }
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Posting: shared pieces */

struct post {
    struct xd_erp *e;
    const json_t *doc;
    enum xd_erp_outcome outcome;
    char *detail;
    size_t cap;
    struct xd_erp__fault fault;
    struct xd_error err;
};

/* End a post: a Tryton error refuses (or retries) with what Tryton answered; other failures
 * of the call retry. Always returns XD_OK but for XD_ENOMEM. */
static enum xd_status post_failed(struct post *p, enum xd_status st)
{
    if (st == XD_ENOMEM) {
        return st;
    }
    p->outcome = st == XD_EDECLINED && p->fault.refused ? XD_ERP_REFUSED : XD_ERP_RETRY;
    snprintf(p->detail, p->cap, "%s", p->err.message);
    return XD_OK;
}

static enum xd_status refuse(struct post *p, const char *fmt, ...) XD_PRINTF(2, 3);
static enum xd_status refuse(struct post *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->detail, p->cap, fmt, ap);
    va_end(ap);
    p->outcome = XD_ERP_REFUSED;
    return XD_OK;
}

static enum xd_status done(struct post *p, const char *fmt, ...) XD_PRINTF(2, 3);
static enum xd_status done(struct post *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->detail, p->cap, fmt, ap);
    va_end(ap);
    p->outcome = XD_ERP_DONE;
    return XD_OK;
}

/* search_read of <model> with <domain> (stolen) and <fields> (a NULL-terminated list). */
static enum xd_status search_read(struct post *p, const char *model, json_t *domain,
                                  const char *const *fields, json_t **rows)
{
    json_t *f = json_array();
    for (size_t i = 0; f != NULL && fields[i] != NULL; i++) {
        json_array_append_new(f, json_string(fields[i]));
    }
    json_t *params = json_pack("[o, i, n, n, o]", domain, 0, f);
    return xd_erp__model(p->e, model, "search_read", params, rows, &p->fault, &p->err);
}

/* A model method on ids with more arguments: model.<m>.<method>([ids], args...). */
static enum xd_status model_call(struct post *p, const char *model, const char *method,
                                 json_t *params)
{
    json_t *r = NULL;
    enum xd_status st = xd_erp__model(p->e, model, method, params, &r, &p->fault, &p->err);
    json_decref(r);
    return st;
}

static const char *const purchase_fields[] = {
    "number",    "state",   "party", "company", "currency",   "warehouse", "invoice_address",
    "reference", "comment", "lines", "moves",   "party.code", NULL,
};

/* The purchase numbered <po_number>; *row NULL when Tryton has none. */
static enum xd_status find_purchase(struct post *p, const char *po_number, json_t **row)
{
    json_t *rows = NULL;
    *row = NULL;
    enum xd_status st =
        search_read(p, "purchase.purchase", json_pack("[[s, s, s]]", "number", "=", po_number),
                    purchase_fields, &rows);
    if (st == XD_OK && json_array_size(rows) > 0) {
        *row = json_incref(json_array_get(rows, 0));
    }
    json_decref(rows);
    return st;
}

static bool int_in(const json_t *list, json_int_t v)
{
    size_t i;
    const json_t *x;
    json_array_foreach(list, i, x)
    {
        if (json_integer_value(x) == v) {
            return true;
        }
    }
    return false;
}

/* "[crossdock <type> <key>]": what a guarded text write carries and is looked for. */
static void marker(const json_t *doc, const char *type, const char *fallback, char *out, size_t cap)
{
    const char *id = str_of(doc, "id");
    snprintf(out, cap, "[crossdock %s %s]", type, id != NULL ? id : fallback);
}

/* ------------------------------------------------------------------------------------------ */
/* po_acknowledgement */

static void ack_line_text(const json_t *l, const char *mark, char *out, size_t cap)
{
    const char *parts[][2] = {
        {"", str_of(l, "status")},
        {" qty ", str_of(l, "confirmed_quantity")},
        {" ", str_of(l, "uom")},
        {" price ", str_of(l, "confirmed_unit_price")},
        {" ship ", str_of(l, "confirmed_ship_date")},
        {" delivery ", str_of(l, "confirmed_delivery_date")},
        {" backordered ", str_of(l, "backordered_quantity")},
        {": ", str_of(l, "reason")},
    };
    size_t n = (size_t)snprintf(out, cap, "Supplier acknowledgement: ");
    for (size_t i = 0; i < XD_ARRAY_LEN(parts) && n < cap; i++) {
        if (parts[i][1] != NULL) {
            n += (size_t)snprintf(out + n, cap - n, "%s%s", parts[i][0], parts[i][1]);
        }
    }
    if (n < cap) {
        snprintf(out + n, cap - n, " %s", mark);
    }
}

/* Append <text> to the text field <field> of one record unless <mark> is in it already. */
static enum xd_status append_note(struct post *p, const char *model, json_int_t id,
                                  const char *field, const char *old, const char *text,
                                  const char *mark)
{
    if (old != NULL && strstr(old, mark) != NULL) {
        return XD_OK;
    }
    size_t n = (old != NULL ? strlen(old) : 0) + strlen(text) + 2;
    char *v = xd_malloc(n);
    if (v == NULL) {
        return XD_ENOMEM;
    }
    snprintf(v, n, "%s%s%s", old != NULL ? old : "", old != NULL && old[0] ? "\n" : "", text);
    json_t *params = json_pack("[[I], {s:s}]", id, field, v);
    xd_free(v);
    return model_call(p, model, "write", params);
}

static enum xd_status ack_line(struct post *p, const json_t *purchase, const json_t *l,
                               const char *mark)
{
    json_int_t line_id = int_of(l, "line_number");
    if (!int_in(json_object_get(purchase, "lines"), line_id)) {
        return refuse(p, "line %lld is not a line of Tryton purchase %s", (long long)line_id,
                      str_of(purchase, "number"));
    }
    json_t *rows = NULL;
    static const char *const f[] = {"note", "moves", NULL};
    enum xd_status st =
        search_read(p, "purchase.line", json_pack("[[s, s, I]]", "id", "=", line_id), f, &rows);
    const json_t *row = json_array_get(rows, 0);
    char text[600];
    ack_line_text(l, mark, text, sizeof text);
    if (st == XD_OK && row != NULL) {
        st = append_note(p, "purchase.line", line_id, "note", str_of(row, "note"), text, mark);
    }
    const char *date = str_of(l, "confirmed_delivery_date");
    const json_t *moves = json_object_get(row, "moves");
    if (st == XD_OK && date != NULL && json_array_size(moves) > 0) {
        /* The expected arrival of what is still open on the line. */
        json_t *open = NULL;
        static const char *const mf[] = {"state", NULL};
        st = search_read(
            p, "stock.move",
            json_pack("[[s, s, O], [s, s, s]]", "id", "in", moves, "state", "=", "draft"), mf,
            &open);
        json_t *ids = json_array();
        size_t i;
        const json_t *m;
        json_array_foreach(open, i, m)
        {
            json_array_append_new(ids, json_integer(int_of(m, "id")));
        }
        if (st == XD_OK && json_array_size(ids) > 0) {
            st = model_call(p, "stock.move", "write",
                            json_pack("[O, {s:o}]", ids, "planned_date", xd_erp__date(date)));
        }
        json_decref(ids);
        json_decref(open);
    }
    json_decref(rows);
    return st;
}

static enum xd_status post_ack(struct post *p)
{
    const char *po = str_of(p->doc, "po_number");
    json_t *purchase = NULL;
    enum xd_status st = find_purchase(p, po, &purchase);
    if (st != XD_OK) {
        return post_failed(p, st);
    }
    if (purchase == NULL) {
        return refuse(p, "Tryton has no purchase numbered %s", po);
    }
    char mark[160];
    char fallback[120];
    snprintf(fallback, sizeof fallback, "%s/%s", po,
             nz(nz(str_of(p->doc, "ack_number"), str_of(p->doc, "ack_date")), "ack"));
    marker(p->doc, "po_acknowledgement", fallback, mark, sizeof mark);
    const char *comment = str_of(purchase, "comment");
    if (comment != NULL && strstr(comment, mark) != NULL) {
        json_decref(purchase);
        return done(p, "acknowledgement already on Tryton purchase %s", po);
    }
    size_t i;
    const json_t *l;
    json_array_foreach(json_object_get(p->doc, "lines"), i, l)
    {
        if (st == XD_OK && p->outcome != XD_ERP_REFUSED) {
            st = ack_line(p, purchase, l, mark);
        }
    }
    json_int_t id = int_of(purchase, "id");
    const char *ack_number = str_of(p->doc, "ack_number");
    const char *ref = str_of(purchase, "reference");
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED && ack_number != NULL &&
        (ref == NULL || ref[0] == '\0')) {
        st = model_call(p, "purchase.purchase", "write",
                        json_pack("[[I], {s:s}]", id, "reference", ack_number));
    }
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED) {
        char text[400];
        const char *status = str_of(p->doc, "status");
        snprintf(text, sizeof text, "Supplier acknowledgement %s of %s: %s%s%s %s",
                 nz(ack_number, "-"), nz(str_of(p->doc, "ack_date"), "-"), nz(status, "-"),
                 str_of(p->doc, "note") ? ". " : "", nz(str_of(p->doc, "note"), ""), mark);
        st = append_note(p, "purchase.purchase", id, "comment", comment, text, mark);
    }
    json_decref(purchase);
    if (st != XD_OK) {
        return post_failed(p, st);
    }
    return p->outcome == XD_ERP_REFUSED
               ? XD_OK
               : done(p, "acknowledgement written on Tryton purchase %s", po);
}

/* ------------------------------------------------------------------------------------------ */
/* ship_notice */

/* Every item of an ASN order (loose and in packs) into <items> (borrowed references). */
static void asn_items(const json_t *order, json_t *items)
{
    size_t i, k;
    const json_t *x, *pack;
    json_array_foreach(json_object_get(order, "items"), i, x)
    {
        json_array_append(items, (json_t *)x);
    }
    json_array_foreach(json_object_get(order, "packs"), k, pack)
    {
        json_array_foreach(json_object_get(pack, "items"), i, x)
        {
            json_array_append(items, (json_t *)x);
        }
    }
}

/* Is <m> (a stock.move read with origin and product.code) the move of a document line? By the
 * purchase line (<line_id>, the order's line_number) when the line names it, else by the item:
 * the SKU mapped back to the ERP's product code. */
static bool move_of(const struct xd_erp *e, const json_t *m, json_int_t line_id, const char *sku)
{
    if (line_id > 0) {
        char origin[64];
        snprintf(origin, sizeof origin, "purchase.line,%lld", (long long)line_id);
        const char *o = str_of(m, "origin");
        return o != NULL && strcmp(o, origin) == 0;
    }
    const char *code = rel_str(m, "product.", "code");
    return sku != NULL && code != NULL &&
           strcmp(code, xd_erp_map_out(e, XD_ERP_MAP_PRODUCT, sku)) == 0;
}

/* The open move of an ASN item not taken yet, or -1. */
static json_int_t pick_move(const struct xd_erp *e, const json_t *moves, const json_t *item,
                            json_t *taken)
{
    size_t i;
    const json_t *m;
    json_array_foreach(moves, i, m)
    {
        json_int_t id = int_of(m, "id");
        const char *state = str_of(m, "state");
        bool free_move =
            json_is_null(json_object_get(m, "shipment")) || json_object_get(m, "shipment") == NULL;
        if (move_of(e, m, int_of(item, "line_number"), str_of(item, "sku")) && state != NULL &&
            strcmp(state, "draft") == 0 && free_move && !int_in(taken, id)) {
            return id;
        }
    }
    return -1;
}

static enum xd_status asn_order(struct post *p, const json_t *order, json_t *purchase_out[1],
                                json_t *move_ids)
{
    const char *po = str_of(order, "po_number");
    json_t *purchase = NULL;
    enum xd_status st = find_purchase(p, po, &purchase);
    if (st != XD_OK || purchase == NULL) {
        return st != XD_OK ? st : (refuse(p, "Tryton has no purchase numbered %s", po), XD_OK);
    }
    json_t *moves = NULL;
    static const char *const mf[] = {"origin",   "state",        "shipment",
                                     "quantity", "product.code", NULL};
    st = search_read(p, "stock.move",
                     json_pack("[[s, s, O]]", "id", "in", json_object_get(purchase, "moves")), mf,
                     &moves);
    json_t *items = json_array();
    if (st == XD_OK && items != NULL) {
        asn_items(order, items);
    }
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
    {
        if (st != XD_OK || p->outcome == XD_ERP_REFUSED) {
            break;
        }
        json_int_t move = pick_move(p->e, moves, it, move_ids);
        const char *qty = str_of(it, "quantity");
        if (move < 0 || qty == NULL) {
            refuse(p, "no open move of line %lld (%s) of Tryton purchase %s for the ship notice",
                   (long long)int_of(it, "line_number"), nz(str_of(it, "sku"), "no sku"), po);
            break;
        }
        json_array_append_new(move_ids, json_integer(move));
        /* Tryton's quantities are floats on the wire. */
        st = model_call(p, "stock.move", "write",
                        json_pack("[[I], {s:f}]", move, "quantity", strtod(qty, NULL)));
    }
    json_decref(items);
    json_decref(moves);
    if (purchase_out[0] == NULL) {
        purchase_out[0] = purchase;
    } else {
        json_decref(purchase);
    }
    return st;
}

/* The incoming shipment of the supplier with reference <ref>: its id and state, or id 0. */
static enum xd_status find_shipment(struct post *p, const char *ref, json_int_t party,
                                    json_int_t *id, char *state, size_t cap, json_t **moves)
{
    json_t *rows = NULL;
    static const char *const f[] = {"state", "incoming_moves", NULL};
    json_t *domain = party > 0 ? json_pack("[[s, s, s], [s, s, I]]", "reference", "=", ref,
                                           "supplier", "=", party)
                               : json_pack("[[s, s, s]]", "reference", "=", ref);
    enum xd_status st = search_read(p, "stock.shipment.in", domain, f, &rows);
    const json_t *row = json_array_get(rows, 0);
    *id = row != NULL ? int_of(row, "id") : 0;
    snprintf(state, cap, "%s", row != NULL && str_of(row, "state") ? str_of(row, "state") : "");
    if (moves != NULL) {
        *moves = row != NULL ? json_incref(json_object_get(row, "incoming_moves")) : NULL;
    }
    json_decref(rows);
    return st;
}

static enum xd_status post_asn(struct post *p)
{
    const char *asn = str_of(p->doc, "asn_number");
    const json_t *orders = json_object_get(p->doc, "orders");
    if (json_array_size(orders) == 0) {
        return refuse(p, "the ship notice has no orders");
    }
    size_t k;
    const json_t *ord;
    json_array_foreach(orders, k, ord)
    {
        if (str_of(ord, "po_number") == NULL) {
            return refuse(p, "orders[%zu] of the ship notice has no po_number", k);
        }
    }
    json_t *purchase[1] = {NULL};
    json_t *move_ids = json_array();
    if (move_ids == NULL) {
        return XD_ENOMEM;
    }
    /* The guard: the supplier of the first order, a shipment with this reference. */
    json_t *first = NULL;
    enum xd_status st = find_purchase(p, str_of(json_array_get(orders, 0), "po_number"), &first);
    json_int_t shipment = 0;
    char state[32];
    if (st == XD_OK && first != NULL) {
        st = find_shipment(p, asn, int_of(first, "party"), &shipment, state, sizeof state, NULL);
    }
    json_decref(first);
    if (st == XD_OK && shipment > 0) {
        json_decref(move_ids);
        return done(p, "Tryton incoming shipment %lld for ASN %s exists (%s)", (long long)shipment,
                    asn, state);
    }
    size_t i;
    const json_t *o;
    json_array_foreach(orders, i, o)
    {
        if (st == XD_OK && p->outcome != XD_ERP_REFUSED) {
            st = asn_order(p, o, purchase, move_ids);
        }
    }
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED && purchase[0] != NULL) {
        const json_t *pu = purchase[0];
        const char *date =
            nz(str_of(p->doc, "estimated_delivery_date"), str_of(p->doc, "ship_date"));
        json_t *vals =
            json_pack("{s:I, s:I, s:I, s:s, s:[[s, O]]}", "company", int_of(pu, "company"),
                      "supplier", int_of(pu, "party"), "warehouse", int_of(pu, "warehouse"),
                      "reference", asn, "incoming_moves", "add", move_ids);
        if (vals != NULL && date != NULL) {
            json_object_set_new(vals, "planned_date", xd_erp__date(date));
        }
        json_t *ids = NULL;
        st = xd_erp__model(p->e, "stock.shipment.in", "create", json_pack("[[o]]", vals), &ids,
                           &p->fault, &p->err);
        if (st == XD_OK) {
            shipment = json_integer_value(json_array_get(ids, 0));
        }
        json_decref(ids);
    }
    json_decref(purchase[0]);
    json_decref(move_ids);
    if (st != XD_OK) {
        return post_failed(p, st);
    }
    return p->outcome == XD_ERP_REFUSED
               ? XD_OK
               : done(p, "Tryton incoming shipment %lld created for ASN %s", (long long)shipment,
                      asn);
}

/* ------------------------------------------------------------------------------------------ */
/* receipt */

/* The move of the shipment for a receipt line (by purchase line, else by item), or -1. */
static json_int_t receipt_move(const struct xd_erp *e, const json_t *moves, const json_t *l)
{
    size_t i;
    const json_t *m;
    json_array_foreach(moves, i, m)
    {
        if (move_of(e, m, int_of(l, "po_line_number"), str_of(l, "sku"))) {
            return int_of(m, "id");
        }
    }
    return -1;
}

/* received_quantity less rejected_quantity, as Tryton's float. */
static double receipt_qty(const json_t *l)
{
    const char *r = str_of(l, "received_quantity");
    const char *x = str_of(l, "rejected_quantity");
    double q = (r != NULL ? strtod(r, NULL) : 0.0) - (x != NULL ? strtod(x, NULL) : 0.0);
    return q > 0 ? q : 0.0;
}

#define RECEIPT_MOVES_MAX 256

/* The shipment's moves a receipt names, with the sum of its lines for each (one line per lot
 * or pack is common): <ids> and <sums>, *n of them. Refuses a line that received something
 * and has no move; a line of nothing received needs none. */
static void receipt_sums(struct post *p, const json_t *moves, json_int_t ids[RECEIPT_MOVES_MAX],
                         double sums[RECEIPT_MOVES_MAX], size_t *n)
{
    *n = 0;
    size_t i;
    const json_t *l;
    json_array_foreach(json_object_get(p->doc, "lines"), i, l)
    {
        json_int_t move = receipt_move(p->e, moves, l);
        if (move < 0 && receipt_qty(l) == 0) {
            continue;
        }
        if (move < 0) {
            refuse(p, "receipt line %lld: no move of purchase line %lld (%s) in the shipment",
                   (long long)int_of(l, "line_number"), (long long)int_of(l, "po_line_number"),
                   nz(str_of(l, "sku"), "no sku"));
            return;
        }
        size_t k = 0;
        while (k < *n && ids[k] != move) {
            k++;
        }
        if (k == *n && *n == RECEIPT_MOVES_MAX) {
            refuse(p, "the receipt names more than %d moves", RECEIPT_MOVES_MAX);
            return;
        }
        if (k == *n) {
            ids[k] = move;
            sums[k] = 0;
            (*n)++;
        }
        sums[k] += receipt_qty(l);
    }
}

static enum xd_status read_moves(struct post *p, const json_t *move_ids, json_t **moves)
{
    static const char *const mf[] = {"origin", "quantity", "product.code", NULL};
    return search_read(p, "stock.move", json_pack("[[s, s, O]]", "id", "in", move_ids), mf, moves);
}

static enum xd_status receipt_moves(struct post *p, json_int_t shipment, const json_t *move_ids)
{
    json_t *moves = NULL;
    enum xd_status st = read_moves(p, move_ids, &moves);
    json_t *kept = json_array();
    json_t *drop = json_array();
    double sums[RECEIPT_MOVES_MAX];
    json_int_t sum_ids[RECEIPT_MOVES_MAX];
    size_t n_sums = 0;
    if (st == XD_OK) {
        receipt_sums(p, moves, sum_ids, sums, &n_sums);
    }
    for (size_t k = 0; k < n_sums && st == XD_OK && p->outcome != XD_ERP_REFUSED; k++) {
        if (sums[k] > 0) {
            json_array_append_new(kept, json_integer(sum_ids[k]));
            st = model_call(p, "stock.move", "write",
                            json_pack("[[I], {s:f}]", sum_ids[k], "quantity", sums[k]));
        }
    }
    /* Moves nothing was received of leave the shipment: Tryton keeps them open on the
     * purchase, which is how the short quantity stays visible there. */
    size_t i;
    const json_t *l;
    json_array_foreach(moves, i, l)
    {
        if (!int_in(kept, int_of(l, "id"))) {
            json_array_append_new(drop, json_integer(int_of(l, "id")));
        }
    }
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED && json_array_size(drop) > 0) {
        st = model_call(
            p, "stock.shipment.in", "write",
            json_pack("[[I], {s:[[s, O]]}]", shipment, "incoming_moves", "remove", drop));
    }
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED && json_array_size(kept) == 0) {
        refuse(p, "the receipt received nothing of the shipment");
    }
    json_decref(kept);
    json_decref(drop);
    json_decref(moves);
    return st;
}

/* Whether the shipment (received or done) holds exactly what this receipt received: it is the
 * receipt that did it, posted again (a retry after a lost answer). Another receipt of the same
 * shipment would change nothing in Tryton and must not be said done. */
static enum xd_status receipt_booked(struct post *p, const json_t *move_ids, bool *same)
{
    json_t *moves = NULL;
    enum xd_status st = read_moves(p, move_ids, &moves);
    double sums[RECEIPT_MOVES_MAX];
    json_int_t ids[RECEIPT_MOVES_MAX];
    size_t n = 0;
    if (st == XD_OK) {
        receipt_sums(p, moves, ids, sums, &n);
    }
    *same = st == XD_OK && p->outcome != XD_ERP_REFUSED && n == json_array_size(moves);
    size_t i;
    const json_t *m;
    json_array_foreach(*same ? moves : NULL, i, m)
    {
        size_t k = 0;
        while (k < n && ids[k] != int_of(m, "id")) {
            k++;
        }
        double q = json_number_value(json_object_get(m, "quantity"));
        /* Tryton's floats, read to 6 fraction digits */
        *same = *same && k < n && fabs(sums[k] - q) <= 1e-6 * (fabs(q) > 1 ? fabs(q) : 1);
    }
    json_decref(moves);
    return st;
}

static enum xd_status post_receipt(struct post *p)
{
    const char *asn = str_of(p->doc, "asn_number");
    if (asn == NULL) {
        return refuse(p, "a receipt for Tryton needs the asn_number of its incoming shipment");
    }
    /* ASN numbers are the suppliers': with the order, only its supplier's shipment. */
    json_int_t supplier = 0;
    json_t *purchase = NULL;
    enum xd_status st = XD_OK;
    const char *po = str_of(p->doc, "po_number");
    if (po != NULL && (st = find_purchase(p, po, &purchase)) == XD_OK && purchase == NULL) {
        return refuse(p, "Tryton has no purchase numbered %s", po);
    }
    supplier = int_of(purchase, "party");
    json_decref(purchase);
    json_int_t shipment = 0;
    char state[32];
    json_t *moves = NULL;
    if (st == XD_OK) {
        st = find_shipment(p, asn, supplier, &shipment, state, sizeof state, &moves);
    }
    if (st == XD_OK && shipment == 0) {
        json_decref(moves);
        return refuse(p, "Tryton has no incoming shipment with reference %s", asn);
    }
    if (st == XD_OK && (strcmp(state, "done") == 0 || strcmp(state, "received") == 0)) {
        bool same = false;
        st = receipt_booked(p, moves, &same);
        json_decref(moves);
        if (st != XD_OK) {
            return post_failed(p, st);
        }
        if (same) {
            return done(p, "Tryton incoming shipment %lld of ASN %s is already %s",
                        (long long)shipment, asn, state);
        }
        return refuse(p,
                      "Tryton incoming shipment %lld of ASN %s is already %s with other quantities "
                      "(another receipt of the same shipment): the connector books one receipt "
                      "per incoming shipment; enter the difference in Tryton",
                      (long long)shipment, asn, state);
    }
    if (st == XD_OK) {
        st = receipt_moves(p, shipment, moves);
    }
    json_decref(moves);
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED) {
        st = model_call(p, "stock.shipment.in", "receive", json_pack("[[I]]", shipment));
    }
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED) {
        st = find_shipment(p, asn, supplier, &shipment, state, sizeof state, NULL);
        if (st == XD_OK && strcmp(state, "received") == 0) {
            st = model_call(p, "stock.shipment.in", "done", json_pack("[[I]]", shipment));
        }
    }
    if (st != XD_OK) {
        return post_failed(p, st);
    }
    return p->outcome == XD_ERP_REFUSED
               ? XD_OK
               : done(p, "Tryton incoming shipment %lld of ASN %s received and done",
                      (long long)shipment, asn);
}

/* ------------------------------------------------------------------------------------------ */
/* invoice */

/* The expense account of a purchase line's product: its account category's (Tryton computes
 * the product's own in Python only, so it cannot be read over RPC). 0 when it has none. */
static enum xd_status expense_account(struct post *p, const json_t *line, json_int_t *account)
{
    *account = 0;
    json_int_t category =
        int_of(json_object_get(json_object_get(line, "product."), "template."), "account_category");
    if (category <= 0) {
        return XD_OK;
    }
    json_t *rows = NULL;
    static const char *const f[] = {"account_expense", NULL};
    enum xd_status st =
        search_read(p, "product.category", json_pack("[[s, s, I]]", "id", "=", category), f, &rows);
    *account = int_of(json_array_get(rows, 0), "account_expense");
    json_decref(rows);
    return st;
}

/* The purchase's line of the item <sku> (mapped back to the ERP's product code), 0 when none. */
static enum xd_status line_by_sku(struct post *p, const json_t *purchase, const char *sku,
                                  json_int_t *line)
{
    json_t *rows = NULL;
    static const char *const f[] = {"product", NULL};
    enum xd_status st =
        search_read(p, "purchase.line",
                    json_pack("[[s, s, I], [s, s, s]]", "purchase", "=", int_of(purchase, "id"),
                              "product.code", "=", xd_erp_map_out(p->e, XD_ERP_MAP_PRODUCT, sku)),
                    f, &rows);
    *line = int_of(json_array_get(rows, 0), "id");
    json_decref(rows);
    return st;
}

static enum xd_status invoice_line(struct post *p, const json_t *purchase, const json_t *l,
                                   json_t *lines)
{
    json_int_t pl = int_of(l, "po_line_number");
    if (pl <= 0 && str_of(l, "sku") != NULL) {
        enum xd_status st = line_by_sku(p, purchase, str_of(l, "sku"), &pl);
        if (st != XD_OK) {
            return st;
        }
    }
    if (pl <= 0 || !int_in(json_object_get(purchase, "lines"), pl)) {
        return refuse(p,
                      "invoice line %lld: neither its po_line_number nor its sku names a line of "
                      "Tryton purchase %s",
                      (long long)int_of(l, "line_number"), str_of(purchase, "number"));
    }
    json_t *rows = NULL;
    static const char *const f[] = {"product",      "unit",
                                    "description",  "product.template.account_category",
                                    "product.code", NULL};
    enum xd_status st =
        search_read(p, "purchase.line", json_pack("[[s, s, I]]", "id", "=", pl), f, &rows);
    const json_t *row = json_array_get(rows, 0);
    json_int_t account = 0;
    if (st == XD_OK && row != NULL) {
        st = expense_account(p, row, &account);
    }
    if (st == XD_OK && row != NULL && account <= 0) {
        refuse(p,
               "product %s of purchase line %lld has no expense account in Tryton (its "
               "account category)",
               nz(rel_str(row, "product.", "code"), "?"), (long long)pl);
    } else if (st == XD_OK && row != NULL) {
        char origin[64];
        snprintf(origin, sizeof origin, "purchase.line,%lld", (long long)pl);
        /* Tryton's quantities are floats on the wire. */
        json_t *v = json_pack(
            "{s:s, s:I, s:I, s:f, s:o, s:s, s:s, s:I}", "type", "line", "product",
            int_of(row, "product"), "unit", int_of(row, "unit"), "quantity",
            strtod(nz(str_of(l, "quantity"), "0"), NULL), "unit_price",
            xd_erp__decimal(nz(str_of(l, "unit_price"), "0")), "origin", origin, "description",
            nz(nz(str_of(l, "description"), str_of(row, "description")), ""), "account", account);
        if (v == NULL || json_array_append_new(lines, v) != 0) {
            st = XD_ENOMEM;
        }
    }
    json_decref(rows);
    return st;
}

static enum xd_status invoice_create(struct post *p, const json_t *purchase, json_int_t *id)
{
    json_t *party = NULL, *journals = NULL;
    static const char *const pf[] = {"account_payable", NULL};
    static const char *const jf[] = {"code", NULL};
    enum xd_status st =
        search_read(p, "party.party",
                    json_pack("[[s, s, I]]", "id", "=", int_of(purchase, "party")), pf, &party);
    if (st == XD_OK) {
        st = search_read(p, "account.journal", json_pack("[[s, s, s]]", "type", "=", "expense"), jf,
                         &journals);
    }
    json_t *lines = json_array();
    size_t i;
    const json_t *l;
    json_array_foreach(json_object_get(p->doc, "lines"), i, l)
    {
        if (st == XD_OK && p->outcome != XD_ERP_REFUSED) {
            st = invoice_line(p, purchase, l, lines);
        }
    }
    json_int_t payable = int_of(json_array_get(party, 0), "account_payable");
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED && payable <= 0) {
        refuse(p, "Tryton party %s has no payable account",
               nz(rel_str(purchase, "party.", "code"), "?"));
    }
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED) {
        json_t *v = json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:s, s:[[s, O]]}", "type", "in", "company",
            int_of(purchase, "company"), "party", int_of(purchase, "party"), "invoice_address",
            int_of(purchase, "invoice_address"), "currency", int_of(purchase, "currency"),
            "account", payable, "reference", str_of(p->doc, "invoice_number"), "invoice_date",
            xd_erp__date(str_of(p->doc, "invoice_date")), "description", str_of(purchase, "number"),
            "lines", "create", lines);
        const json_t *journal = json_array_get(journals, 0);
        if (v != NULL && journal != NULL) {
            json_object_set_new(v, "journal", json_integer(int_of(journal, "id")));
        }
        json_t *ids = NULL;
        st = xd_erp__model(p->e, "account.invoice", "create", json_pack("[[o]]", v), &ids,
                           &p->fault, &p->err);
        *id = st == XD_OK ? json_integer_value(json_array_get(ids, 0)) : 0;
        json_decref(ids);
    }
    json_decref(lines);
    json_decref(party);
    json_decref(journals);
    return st;
}

static enum xd_status post_invoice(struct post *p)
{
    const char *po = str_of(p->doc, "po_number");
    const char *number = str_of(p->doc, "invoice_number");
    if (po == NULL) {
        return refuse(p, "an invoice for Tryton needs the po_number it invoices");
    }
    json_t *purchase = NULL;
    enum xd_status st = find_purchase(p, po, &purchase);
    if (st == XD_OK && purchase == NULL) {
        return refuse(p, "Tryton has no purchase numbered %s", po);
    }
    json_t *rows = NULL;
    static const char *const f[] = {"state", NULL};
    if (st == XD_OK) {
        st = search_read(p, "account.invoice",
                         json_pack("[[s, s, s], [s, s, s], [s, s, I]]", "type", "=", "in",
                                   "reference", "=", number, "party", "=",
                                   int_of(purchase, "party")),
                         f, &rows);
    }
    const json_t *found = json_array_get(rows, 0);
    json_int_t id = found != NULL ? int_of(found, "id") : 0;
    const char *state = found != NULL ? str_of(found, "state") : NULL;
    bool existed = id > 0;
    if (st == XD_OK && !existed) {
        st = invoice_create(p, purchase, &id);
        state = "draft";
    }
    bool post_it = p->e->p->erp->invoice_state == XD_PARTNER_INVOICE_POSTED;
    if (st == XD_OK && p->outcome != XD_ERP_REFUSED && post_it && state != NULL &&
        strcmp(state, "draft") == 0) {
        st = model_call(p, "account.invoice", "post", json_pack("[[I]]", id));
        state = "posted";
    }
    char state_copy[32];
    snprintf(state_copy, sizeof state_copy, "%s", nz(state, "?"));
    json_decref(rows);
    json_decref(purchase);
    if (st != XD_OK) {
        return post_failed(p, st);
    }
    if (p->outcome == XD_ERP_REFUSED) {
        return XD_OK;
    }
    return done(p, "Tryton supplier invoice %lld for %s %s (%s)", (long long)id, number,
                existed ? "exists" : "created", state_copy);
}

/* ------------------------------------------------------------------------------------------ */

static enum xd_status tryton_post(struct xd_erp *e, const char *json, size_t len,
                                  enum xd_erp_outcome *outcome, char *detail, size_t cap)
{
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, 0, &jerr);
    struct post p = {.e = e, .doc = doc, .outcome = XD_ERP_DONE, .detail = detail, .cap = cap};
    const char *type = str_of(doc, "type");
    static const struct {
        const char *type;
        enum xd_status (*fn)(struct post *p);
        const char *key; /* required member */
    } kinds[] = {
        {"po_acknowledgement", post_ack, "po_number"},
        {"ship_notice", post_asn, "asn_number"},
        {"receipt", post_receipt, "receipt_number"},
        {"invoice", post_invoice, "invoice_number"},
    };
    enum xd_status st = XD_OK;
    size_t k = 0;
    while (k < XD_ARRAY_LEN(kinds) && (type == NULL || strcmp(type, kinds[k].type) != 0)) {
        k++;
    }
    if (doc == NULL) {
        refuse(&p, "the message is not JSON: %s", jerr.text);
    } else if (k == XD_ARRAY_LEN(kinds)) {
        refuse(&p, "the Tryton connector does not post %s documents", type ? type : "untyped");
    } else if (str_of(doc, kinds[k].key) == NULL) {
        refuse(&p, "the %s has no %s", type, kinds[k].key);
    } else {
        st = kinds[k].fn(&p);
    }
    json_decref(doc);
    *outcome = p.outcome;
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Master data */

static enum xd_status read_all(struct xd_erp *e, const char *model, json_t *domain,
                               const char *const *fields, json_t **rows, struct xd_error *err)
{
    json_t *f = json_array();
    for (size_t i = 0; f != NULL && fields[i] != NULL; i++) {
        json_array_append_new(f, json_string(fields[i]));
    }
    json_t *params = json_pack("[o, i, i, n, o]", domain, 0, 100000, f);
    enum xd_status st = xd_erp__model(e, model, "search_read", params, rows, NULL, err);
    return st == XD_EDECLINED ? xd_error_set(err, XD_EUNAVAIL, "%s", err->message) : st;
}

static enum xd_status master_items(struct xd_erp *e, json_t *out, size_t *n, struct xd_error *err)
{
    static const char *const f[] = {"code", "name", "active", "default_uom.symbol", NULL};
    json_t *rows = NULL;
    enum xd_status st =
        read_all(e, "product.product", json_pack("[[s, s, n]]", "code", "!="), f, &rows, err);
    size_t i;
    const json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *code = str_of(r, "code");
        const char *unit = rel_str(r, "default_uom.", "symbol");
        const char *sku = xd_erp_map_in(e, XD_ERP_MAP_PRODUCT, code);
        const char *uom = unit != NULL ? xd_erp_map_in(e, XD_ERP_MAP_UNIT, unit) : NULL;
        char desc[81];
        snprintf(desc, sizeof desc, "%s", nz(str_of(r, "name"), code));
        json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "item", "sku",
                                nz(sku, code), "description", desc, "status",
                                json_is_false(json_object_get(r, "active")) ? "inactive" : "active",
                                "vendor_part", code, "base_uom", nz(nz(uom, unit), "EA"));
        if (doc == NULL || json_array_append_new(out, doc) != 0) {
            st = XD_ENOMEM;
        }
        (*n)++;
    }
    json_decref(rows);
    return st;
}

static enum xd_status master_parties(struct xd_erp *e, json_t *out, size_t *n, struct xd_error *err)
{
    /* Suppliers: the parties with a payable account or purchases; all parties in Tryton 6.0
     * have no supplier flag, so every party with a code is read. */
    static const char *const f[] = {"code", "name", "active", NULL};
    json_t *rows = NULL;
    enum xd_status st =
        read_all(e, "party.party", json_pack("[[s, s, n]]", "code", "!="), f, &rows, err);
    size_t i;
    const json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *code = str_of(r, "code");
        const char *ours = xd_erp_map_in(e, XD_ERP_MAP_PARTY, code);
        char name[61];
        snprintf(name, sizeof name, "%s", nz(str_of(r, "name"), code));
        json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:b, s:[{s:s, s:s}]}", "type", "party",
                                "party_id", nz(ours, code), "role", "supplier", "name", name,
                                "active", !json_is_false(json_object_get(r, "active")),
                                "identifiers", "scheme", "internal", "value", code);
        if (doc == NULL || json_array_append_new(out, doc) != 0) {
            st = XD_ENOMEM;
        }
        (*n)++;
    }
    json_decref(rows);
    return st;
}

static enum xd_status master_locations(struct xd_erp *e, json_t *out, size_t *n,
                                       struct xd_error *err)
{
    static const char *const f[] = {"code", "name", "active", NULL};
    json_t *rows = NULL;
    enum xd_status st = read_all(e, "stock.location",
                                 json_pack("[[s, s, s]]", "type", "=", "warehouse"), f, &rows, err);
    size_t i;
    const json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *code = str_of(r, "code");
        if (code == NULL) {
            continue;
        }
        const char *ours = xd_erp_map_in(e, XD_ERP_MAP_LOCATION, code);
        char name[61];
        snprintf(name, sizeof name, "%s", nz(str_of(r, "name"), code));
        json_t *doc =
            json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "type", "location", "location_id",
                      nz(ours, code), "kind", "warehouse", "name", name, "active",
                      !json_is_false(json_object_get(r, "active")), "external_code", code);
        if (doc == NULL || json_array_append_new(out, doc) != 0) {
            st = XD_ENOMEM;
        }
        (*n)++;
    }
    json_decref(rows);
    return st;
}

static enum xd_status tryton_master(struct xd_erp *e, struct xd_erp_master *out,
                                    struct xd_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *docs = json_array();
    if (docs == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    enum xd_status st = master_items(e, docs, &out->items, err);
    if (st == XD_OK) {
        st = master_parties(e, docs, &out->parties, err);
    }
    if (st == XD_OK) {
        st = master_locations(e, docs, &out->locations, err);
    }
    char *text = st == XD_OK ? json_dumps(docs, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(docs);
    if (st != XD_OK) {
        return st == XD_ENOMEM ? xd_error_set(err, st, "out of memory") : st;
    }
    if (text == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    out->json_len = strlen(text);
    out->json = xd_malloc(out->json_len + 1);
    if (out->json != NULL) {
        memcpy(out->json, text, out->json_len + 1);
    }
    free(text);
    return out->json != NULL ? XD_OK : xd_error_set(err, XD_ENOMEM, "out of memory");
}

static void tryton_close(struct xd_erp *e)
{
    xd_erp__rpc_close(e);
}

const struct xd_erp_ops xd_erp__tryton = {
    .name = "tryton",
    .fetch = tryton_fetch,
    .post = tryton_post,
    .master = tryton_master,
    .close = tryton_close,
};
