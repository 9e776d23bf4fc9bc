/* SPDX-License-Identifier: MIT
 * The procure-to-pay flow as data: the states of a purchase order's thread, the rules that move
 * it (from which states, on which event, under which guard, doing which action, into which
 * state), and the actions themselves. Pure: the thread's working data and the arriving document
 * in, effects out (struct xd_flow_step, flow_int.h); the engine does the I/O.
 *
 * Working data of a thread (JSON, stored with its row):
 *   po_number, po_doc, supplier, erp, warehouse   the order and who takes part
 *   lines {"<n>": {line_number, sku, uom, ordered, unit_price, status, confirmed,
 *                  confirmed_price, shipped, received, damaged, invoiced, short_accepted}}
 *   asns {"<asn_number>": {doc, seq (arrival order), lines {"<n>": qty},
 *                          got {"<n>": qty received}, bad {"<n>": qty damaged or rejected},
 *                          off {"<n>": qty written off}, received, damaged,
 *                          written_off (with every shortage of the order)}}
 *   receipts [numbers]
 *   advices [numbers of the application advices received]
 *   early_receipts {"<asn_number>": {got, bad, receipts [{receipt_number, wrong_items}],
 *                                    erp [receipts held from the ERP], held_until (ms)}}
 *   invoices {"<invoice_number>": {state, doc, body, lines {"<n>": qty}, problems [...],
 *                                  held_until (ms, while held), rejected_reason}}
 *   variances [...], asn_accuracy {asns, accurate}, acknowledged, sla, sla_open {expect: true},
 *   unroutable */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/decimal.h"
#include "flow/flow_int.h"

const char xd_flow__p2p_name[] = "p2p";

enum state {
    ST_NONE,
    ST_SENT,
    ST_ACKNOWLEDGED,
    ST_PARTIALLY_SHIPPED,
    ST_SHIPPED,
    ST_PARTIALLY_RECEIVED,
    ST_RECEIVED,
    ST_INVOICED,
    ST_CLOSED,
    ST_REJECTED,
    ST_CANCELLED,
    ST_UNROUTABLE,
    ST_COUNT
};

static const char *const state_names[ST_COUNT] = {
    [ST_NONE] = "none",
    [ST_SENT] = "sent",
    [ST_ACKNOWLEDGED] = "acknowledged",
    [ST_PARTIALLY_SHIPPED] = "partially_shipped",
    [ST_SHIPPED] = "shipped",
    [ST_PARTIALLY_RECEIVED] = "partially_received",
    [ST_RECEIVED] = "received",
    [ST_INVOICED] = "invoiced",
    [ST_CLOSED] = "closed",
    [ST_REJECTED] = "rejected",
    [ST_CANCELLED] = "cancelled",
    [ST_UNROUTABLE] = "unroutable",
};

#define BIT(s) (1u << (s))
#define OPEN                                                                                       \
    (BIT(ST_SENT) | BIT(ST_ACKNOWLEDGED) | BIT(ST_PARTIALLY_SHIPPED) | BIT(ST_SHIPPED) |           \
     BIT(ST_PARTIALLY_RECEIVED) | BIT(ST_RECEIVED) | BIT(ST_INVOICED))
#define ANY      (~0u & ~BIT(ST_NONE))
#define STAY     (-1) /* the thread keeps its state */
#define PROGRESS (-2) /* the state follows from the quantities (progress()) */

/* The timer of the thread's held invoices (one per thread, due when the first hold ends). */
#define HOLD_TIMER "invoice.hold"

static enum state state_parse(const char *name)
{
    for (int i = 0; name != NULL && i < ST_COUNT; i++) {
        if (strcmp(state_names[i], name) == 0) {
            return (enum state)i;
        }
    }
    return ST_NONE;
}

/* ---- small readers ------------------------------------------------------------------------- */

static struct xd_decimal dec(struct xd_flow_step *s, const json_t *o, const char *k)
{
    return xd_flow__dec(s, o, k);
}

static bool is_zero(struct xd_decimal d)
{
    return xd_decimal_is_zero(d);
}

static int cmp(struct xd_decimal a, struct xd_decimal b)
{
    return xd_decimal_cmp(a, b);
}

static json_t *lines(struct xd_flow_step *s)
{
    return xd_flow__obj(s, s->data, "lines");
}

static void line_key(json_int_t n, char *buf, size_t cap)
{
    snprintf(buf, cap, "%lld", (long long)n);
}

/* The PO line a document line names: by its PO line number (<num_key>), else by SKU. */
static json_t *po_line(struct xd_flow_step *s, const json_t *dl, const char *num_key)
{
    json_t *ls = lines(s);
    const json_t *n = json_object_get(dl, num_key);
    if (json_is_integer(n)) {
        char k[24];
        line_key(json_integer_value(n), k, sizeof k);
        json_t *l = json_object_get(ls, k);
        if (l != NULL) {
            return l;
        }
    }
    const char *sku = xd_flow__str(dl, "sku");
    const char *key = NULL;
    json_t *l = NULL;
    json_object_foreach(ls, key, l)
    {
        const char *lsku = xd_flow__str(l, "sku");
        if (sku != NULL && lsku != NULL && strcmp(sku, lsku) == 0) {
            return l;
        }
    }
    return NULL;
}

/* What the supplier owes of a line: the confirmed quantity once acknowledged, else ordered. */
static struct xd_decimal target(struct xd_flow_step *s, const json_t *l)
{
    const json_t *c = json_object_get(l, "confirmed");
    return c != NULL ? dec(s, l, "confirmed") : dec(s, l, "ordered");
}

static struct xd_decimal good(struct xd_flow_step *s, const json_t *l)
{
    return xd_flow__sub(s, dec(s, l, "received"), dec(s, l, "damaged"));
}

static bool line_rejected(const json_t *l)
{
    const char *st = xd_flow__str(l, "status");
    return st != NULL && strcmp(st, "rejected") == 0;
}

static void add_to(struct xd_flow_step *s, json_t *l, const char *k, struct xd_decimal d)
{
    xd_flow__set_dec(s, l, k, xd_flow__add(s, dec(s, l, k), d));
}

/* ---- effects ------------------------------------------------------------------------------- */

json_t *xd_flow__event(struct xd_flow_step *s, const char *name, json_t *detail)
{
    json_t *e = json_object();
    xd_flow__set_str(s, e, "event", name);
    if (detail != NULL) {
        xd_flow__set(s, e, "detail", detail);
    }
    if (s->doc_id != NULL && s->doc != NULL) {
        xd_flow__set_str(s, e, "document_id", s->doc_id);
    }
    if (s->partner != NULL) {
        xd_flow__set_str(s, e, "partner", s->partner);
    }
    if (s->channel != NULL) {
        xd_flow__set_str(s, e, "channel", s->channel);
    }
    xd_flow__append(s, xd_flow__arr(s, s->fx, "events"), e);
    return e;
}

/* Send <doc> to a participant ("supplier", "erp", "warehouse"); the engine renders it in the
 * participant's format and queues it. Nobody in that role: nothing is sent, which the event
 * says. */
static void send(struct xd_flow_step *s, const char *to, const json_t *doc)
{
    const char *who = xd_flow__str(s->data, to);
    if (who == NULL) {
        json_t *d = json_object();
        xd_flow__set_str(s, d, "role", to);
        xd_flow__set_str(s, d, "document", xd_flow__str(doc, "type"));
        xd_flow__event(s, "send.skipped", d);
        return;
    }
    json_t *m = json_object();
    xd_flow__set_str(s, m, "to", to);
    /* The arriving document goes as it came: a reference (nothing changes it). A document a
     * rule built is copied, as the rule may go on changing it. */
    xd_flow__set(s, m, "doc", doc == s->doc ? json_incref((json_t *)doc) : json_deep_copy(doc));
    xd_flow__append(s, xd_flow__arr(s, s->fx, "send"), m);
}

static void timer(struct xd_flow_step *s, const char *kind, int64_t due_at)
{
    json_t *t = json_object();
    xd_flow__set_str(s, t, "kind", kind);
    xd_flow__set(s, t, "due_at", json_integer(due_at));
    xd_flow__append(s, xd_flow__arr(s, s->fx, "timers"), t);
}

static void cancel_timers(struct xd_flow_step *s, const char *expect)
{
    char k[96];
    const char *const what[] = {"at_risk", "missed"};
    for (size_t i = 0; i < XD_ARRAY_LEN(what); i++) {
        snprintf(k, sizeof k, "sla.%s.%s", expect, what[i]);
        xd_flow__append(s, xd_flow__arr(s, s->fx, "timers_cancel"), json_string(k));
    }
}

/* Raise an exception for a person. <actions> is a NULL-terminated list. */
void xd_flow__exception(struct xd_flow_step *s, const char *type, const char *owner,
                        const char *partner, const char *summary, json_t *detail, json_t *subject,
                        const char *const *actions)
{
    json_t *x = json_object();
    xd_flow__set_str(s, x, "type", type);
    xd_flow__set_str(s, x, "owner", owner);
    xd_flow__set_str(s, x, "summary", summary);
    if (partner != NULL) {
        xd_flow__set_str(s, x, "partner", partner);
    }
    xd_flow__set(s, x, "detail", detail != NULL ? detail : json_object());
    json_t *acts = json_array();
    for (size_t i = 0; actions[i] != NULL; i++) {
        xd_flow__append(s, acts, json_string(actions[i]));
    }
    xd_flow__set(s, x, "actions", acts);
    if (s->doc_id != NULL) {
        xd_flow__set_str(s, x, "document_id", s->doc_id);
    }
    if (subject != NULL) {
        xd_flow__set(s, x, "subject", subject);
    }
    xd_flow__append(s, xd_flow__arr(s, s->fx, "exceptions"), x);
}

/* What an exception is about: a document of <document> type, by its <number> (or NULL: the
 * document type itself, as for the one an SLA awaits). */
static json_t *about(struct xd_flow_step *s, const char *document, const char *number)
{
    json_t *j = json_object();
    xd_flow__set_str(s, j, "document", document);
    if (number != NULL) {
        xd_flow__set_str(s, j, "number", number);
    }
    return j;
}

/* An exception of the rules: its partner is the one that owes the next step. */
static void raise_exc(struct xd_flow_step *s, const char *type, const char *owner,
                      const char *summary, json_t *detail, json_t *subject,
                      const char *const *actions)
{
    const char *partner = strcmp(owner, "warehouse") == 0  ? xd_flow__str(s->data, "warehouse")
                          : strcmp(owner, "supplier") == 0 ? xd_flow__str(s->data, "supplier")
                                                           : NULL;
    xd_flow__exception(s, type, owner, partner, summary, detail, subject, actions);
}

/* The step closes the thread's open exceptions of <type> about <subject> (taken; NULL: every
 * one of <type>). */
static void resolve_exc(struct xd_flow_step *s, const char *type, json_t *subject)
{
    json_t *r = json_object();
    xd_flow__set_str(s, r, "type", type);
    if (subject != NULL) {
        xd_flow__set(s, r, "subject", subject);
    }
    xd_flow__append(s, xd_flow__arr(s, s->fx, "resolve"), r);
}

bool xd_flow__resolves(const json_t *r, const json_t *x)
{
    const char *rt = xd_flow__str(r, "type");
    const char *xt = xd_flow__str(x, "type");
    if (rt == NULL || xt == NULL || strcmp(rt, xt) != 0) {
        return false;
    }
    const json_t *rs = json_object_get(r, "subject");
    const json_t *xs = json_object_get(x, "subject");
    return rs == NULL || xs == NULL || json_equal(rs, xs);
}

static json_t *detail_str(struct xd_flow_step *s, const char *k, const char *v)
{
    json_t *d = json_object();
    xd_flow__set_str(s, d, k, v);
    return d;
}

/* ---- SLAs ---------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a "YYYY-MM-DD" date (proleptic Gregorian); false when malformed. */
static bool date_ms(const char *d, int64_t *out)
{
    int y = 0, m = 0, day = 0;
    if (d == NULL || sscanf(d, "%4d-%2d-%2d", &y, &m, &day) != 3 || m < 1 || m > 12 || day < 1 ||
        day > 31) {
        return false;
    }
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = (era * 146097 + doe - 719468) * 86400000LL;
    return true;
}

/* Arm the timers of every SLA due after <after> (a document type that just happened), and, at
 * the PO, those due before a date of the PO. */
static void arm_slas(struct xd_flow_step *s, const char *after, const json_t *po)
{
    for (size_t i = 0; i < s->n_slas; i++) {
        const struct xd_flow_sla *sla = &s->slas[i];
        int64_t due = 0;
        if (sla->after != NULL && strcmp(sla->after, after) == 0) {
            due = s->now_ms + sla->within_ms;
        } else if (po != NULL && sla->before_member != NULL &&
                   date_ms(xd_flow__str(po, sla->before_member), &due)) {
            due -= sla->lead_ms;
        } else {
            continue;
        }
        char k[96];
        snprintf(k, sizeof k, "sla.%s.missed", sla->expect);
        timer(s, k, due);
        if (sla->at_risk_ms > 0) {
            snprintf(k, sizeof k, "sla.%s.at_risk", sla->expect);
            timer(s, k, due - sla->at_risk_ms);
        }
    }
}

/* The expected document arrived: its SLA timers stop and its SLA exceptions close. */
static void sla_met(struct xd_flow_step *s, const char *expect)
{
    cancel_timers(s, expect);
    json_t *open = json_object_get(s->data, "sla_open");
    if (json_object_get(open, expect) != NULL) {
        resolve_exc(s, "sla_at_risk", about(s, expect, NULL));
        resolve_exc(s, "sla_missed", about(s, expect, NULL));
        json_object_del(open, expect);
        if (json_object_size(open) == 0) {
            xd_flow__set_str(s, s->data, "sla", "ok");
        }
    }
}

/* ---- the state the quantities say ---------------------------------------------------------- */

struct totals {
    bool any_line, all_rejected, any_shipped, all_shipped, any_received, all_received;
    bool invoices, invoices_settled, all_invoiced, invoice_blocked;
};

static struct totals totals(struct xd_flow_step *s)
{
    struct totals t = {.all_rejected = true,
                       .all_shipped = true,
                       .all_received = true,
                       .invoices_settled = true,
                       .all_invoiced = true};
    const char *k = NULL;
    json_t *l = NULL;
    json_object_foreach(lines(s), k, l)
    {
        t.any_line = true;
        if (line_rejected(l)) {
            continue;
        }
        t.all_rejected = false;
        struct xd_decimal want = target(s, l);
        struct xd_decimal shipped = dec(s, l, "shipped");
        struct xd_decimal received = good(s, l);
        struct xd_decimal settled = xd_flow__add(s, received, dec(s, l, "short_accepted"));
        t.any_shipped |= !is_zero(shipped);
        t.all_shipped &= cmp(shipped, want) >= 0;
        t.any_received |= !is_zero(dec(s, l, "received"));
        t.all_received &= cmp(settled, want) >= 0;
        t.all_invoiced &= cmp(dec(s, l, "invoiced"), received) >= 0;
    }
    json_t *inv = NULL;
    json_object_foreach(json_object_get(s->data, "invoices"), k, inv)
    {
        t.invoices = true;
        const char *st = xd_flow__str(inv, "state");
        bool settled = st != NULL && (strcmp(st, "matched") == 0 || strcmp(st, "accepted") == 0 ||
                                      strcmp(st, "rejected") == 0);
        t.invoices_settled &= settled;
        t.invoice_blocked |= st != NULL && strcmp(st, "mismatch") == 0;
    }
    if (!t.any_line) {
        t.all_rejected = false;
    }
    return t;
}

static enum state progress(struct xd_flow_step *s, const struct totals *tp)
{
    if (json_is_true(json_object_get(s->data, "unroutable"))) {
        return ST_UNROUTABLE;
    }
    const struct totals t = *tp;
    bool acked = json_is_true(json_object_get(s->data, "acknowledged"));
    if (acked && t.all_rejected) {
        return ST_REJECTED;
    }
    if (t.all_received && t.invoices && t.invoices_settled && t.all_invoiced) {
        return ST_CLOSED;
    }
    if (t.invoices) {
        return ST_INVOICED;
    }
    if (t.any_received) {
        return t.all_received ? ST_RECEIVED : ST_PARTIALLY_RECEIVED;
    }
    if (t.any_shipped) {
        return t.all_shipped ? ST_SHIPPED : ST_PARTIALLY_SHIPPED;
    }
    return acked ? ST_ACKNOWLEDGED : ST_SENT;
}

/* Who owes the next step and what it is, for people (the row's owner and next_step). */
static void next_step(struct xd_flow_step *s, enum state st, const struct totals *tp)
{
    const char *owner = NULL;
    const char *next = NULL;
    const struct totals t = *tp;
    switch (st) {
    case ST_SENT:
        owner = "supplier", next = "po_acknowledgement";
        break;
    case ST_ACKNOWLEDGED:
    case ST_PARTIALLY_SHIPPED:
        owner = "supplier", next = "ship_notice";
        break;
    case ST_SHIPPED:
        owner = "warehouse", next = "receipt";
        break;
    case ST_PARTIALLY_RECEIVED:
        owner = t.all_shipped ? "warehouse" : "supplier";
        next = t.all_shipped ? "receipt" : "ship_notice";
        break;
    case ST_RECEIVED:
        owner = "supplier", next = "invoice";
        break;
    case ST_INVOICED:
        owner = t.invoice_blocked ? "accounts_payable" : !t.all_received ? "warehouse" : "supplier";
        next = t.invoice_blocked ? "invoice_review" : !t.all_received ? "receipt" : "invoice";
        break;
    case ST_UNROUTABLE:
        owner = "buyer", next = "routing";
        break;
    default:
        break;
    }
    xd_flow__set_str(s, s->fx, "owner", owner);
    xd_flow__set_str(s, s->fx, "next_step", next);
}

/* ---- guards -------------------------------------------------------------------------------- */

static bool purpose_is(const struct xd_flow_step *s, const char *p)
{
    const char *v = xd_flow__str(s->doc, "purpose");
    return v != NULL && strcmp(v, p) == 0;
}

static bool is_new_order(struct xd_flow_step *s)
{
    return !purpose_is(s, "change") && !purpose_is(s, "cancel");
}

static bool is_change(struct xd_flow_step *s)
{
    return purpose_is(s, "change") || purpose_is(s, "replace");
}

static bool is_cancel(struct xd_flow_step *s)
{
    return purpose_is(s, "cancel");
}

/* Seen before: the member <key> of the document is already a key of data[<set>] (an object)
 * or in it (an array). */
static bool seen(struct xd_flow_step *s, const char *set, const char *key)
{
    const char *v = xd_flow__str(s->doc, key);
    const json_t *c = json_object_get(s->data, set);
    if (v == NULL || c == NULL) {
        return false;
    }
    if (json_is_object(c)) {
        return json_object_get(c, v) != NULL;
    }
    size_t i = 0;
    const json_t *e = NULL;
    json_array_foreach(c, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), v) == 0) {
            return true;
        }
    }
    return false;
}

static bool dup_asn(struct xd_flow_step *s)
{
    return seen(s, "asns", "asn_number");
}

static bool dup_receipt(struct xd_flow_step *s)
{
    return seen(s, "receipts", "receipt_number");
}

static bool dup_invoice(struct xd_flow_step *s)
{
    return seen(s, "invoices", "invoice_number");
}

static bool dup_advice(struct xd_flow_step *s)
{
    return seen(s, "advices", "advice_number");
}

/* ---- actions ------------------------------------------------------------------------------- */

static void po_lines(struct xd_flow_step *s, const json_t *po)
{
    json_t *ls = lines(s);
    size_t i = 0;
    const json_t *pl = NULL;
    json_array_foreach(json_object_get(po, "lines"), i, pl)
    {
        char k[24];
        line_key(json_integer_value(json_object_get(pl, "line_number")), k, sizeof k);
        const char *change = xd_flow__str(pl, "change");
        json_t *l = json_object_get(ls, k);
        if (change != NULL && strcmp(change, "delete") == 0) {
            if (l != NULL) {
                xd_flow__set_str(s, l, "status", "rejected");
                xd_flow__set_str(s, l, "confirmed", "0");
            }
            continue;
        }
        if (l == NULL) {
            l = json_object();
            xd_flow__set(s, ls, k, l);
            xd_flow__set(s, l, "line_number",
                         json_integer(json_integer_value(json_object_get(pl, "line_number"))));
            xd_flow__set_str(s, l, "status", "open");
        }
        const char *const copy[] = {"sku", "uom", "unit_price"};
        for (size_t c = 0; c < XD_ARRAY_LEN(copy); c++) {
            const char *v = xd_flow__str(pl, copy[c]);
            if (v != NULL) {
                xd_flow__set_str(s, l, copy[c], v);
            }
        }
        xd_flow__set_str(s, l, "ordered", xd_flow__str(pl, "quantity"));
        json_object_del(l, "confirmed"); /* a changed line awaits a new answer */
    }
}

static void po_create(struct xd_flow_step *s)
{
    xd_flow__set_str(s, s->data, "po_number", xd_flow__str(s->doc, "po_number"));
    xd_flow__set_str(s, s->data, "po_doc", s->doc_id);
    xd_flow__set_str(s, s->data, "sla", "ok");
    po_lines(s, s->doc);
    if (xd_flow__str(s->data, "supplier") == NULL) {
        xd_flow__set(s, s->data, "unroutable", json_true());
        json_t *sup = json_object_get(s->doc, "supplier");
        json_t *d = json_object();
        /* A reference into the arriving document, which nothing changes. */
        xd_flow__set(s, d, "supplier", sup != NULL ? json_incref(sup) : json_null());
        raise_exc(s, "unroutable", "buyer",
                  "No partner profile matches the order's supplier: nothing was sent", d, NULL,
                  (const char *const[]){"resend", "resolve", NULL});
        xd_flow__event(s, "po.unroutable", NULL);
        return;
    }
    send(s, "supplier", s->doc);
    xd_flow__event(s, "po.sent", detail_str(s, "to", xd_flow__str(s->data, "supplier")));
    arm_slas(s, "purchase_order", s->doc);
}

static void po_change(struct xd_flow_step *s)
{
    po_lines(s, s->doc);
    xd_flow__set(s, s->data, "acknowledged", json_false());
    send(s, "supplier", s->doc);
    xd_flow__event(s, "po.changed", NULL);
    arm_slas(s, "purchase_order", NULL);
}

/* Send the receipts <e> (an early_receipts entry) held from the ERP, after what this step sent
 * before (the ship notice they name); returns how many. */
static size_t post_held(struct xd_flow_step *s, json_t *e)
{
    json_t *held = json_object_get(e, "erp");
    size_t n = json_array_size(held);
    size_t i = 0;
    const json_t *r = NULL;
    json_array_foreach(held, i, r)
    {
        send(s, "erp", r);
    }
    json_object_del(e, "erp");
    json_object_del(e, "held_until");
    return n;
}

/* post_held for the early_receipts entry <e> of <asn_number>, and the timeline's detail of it:
 * the ship notice, its receipts and how many of them went to the ERP now. */
static json_t *post_held_detail(struct xd_flow_step *s, const char *asn_number, json_t *e)
{
    json_t *d = json_object();
    xd_flow__set_str(s, d, "asn_number", asn_number);
    xd_flow__set(s, d, "receipts", json_deep_copy(json_object_get(e, "receipts")));
    xd_flow__set(s, d, "posted_to_erp", json_integer((json_int_t)post_held(s, e)));
    return d;
}

static void po_cancel(struct xd_flow_step *s)
{
    send(s, "supplier", s->doc);
    const char *const expects[] = {"po_acknowledgement", "ship_notice", "invoice"};
    for (size_t i = 0; i < XD_ARRAY_LEN(expects); i++) {
        cancel_timers(s, expects[i]);
    }
    resolve_exc(s, "sla_at_risk", NULL);
    resolve_exc(s, "sla_missed", NULL);
    /* Goods received on receipts still held for their ship notice are there all the same: the
     * ERP learns of them now, as they came. */
    size_t posted = 0;
    const char *k = NULL;
    json_t *e = NULL;
    json_object_foreach(json_object_get(s->data, "early_receipts"), k, e)
    {
        posted += post_held(s, e);
    }
    json_t *d = NULL;
    if (posted > 0) {
        d = json_object();
        xd_flow__set(s, d, "receipts_posted_to_erp", json_integer((json_int_t)posted));
    }
    xd_flow__event(s, "po.cancelled", d);
}

static void po_again(struct xd_flow_step *s)
{
    xd_flow__event(s, "po.duplicate",
                   detail_str(s, "note", "the order was issued before; not sent again"));
}

static void ack_apply(struct xd_flow_step *s)
{
    sla_met(s, "po_acknowledgement");
    xd_flow__set(s, s->data, "acknowledged", json_true());
    const char *header = xd_flow__str(s->doc, "status");
    bool all_rejected = header != NULL && strcmp(header, "rejected") == 0;
    json_t *changes = json_array();
    const json_t *acked = json_object_get(s->doc, "lines");
    const char *k = NULL;
    json_t *l = NULL;
    json_object_foreach(lines(s), k, l)
    {
        /* A line the acknowledgement does not name follows its header. */
        const json_t *al = NULL;
        size_t i = 0;
        const json_t *c = NULL;
        json_array_foreach(acked, i, c)
        {
            if (json_integer_value(json_object_get(c, "line_number")) ==
                json_integer_value(json_object_get(l, "line_number"))) {
                al = c;
            }
        }
        const char *st = al != NULL     ? xd_flow__str(al, "status")
                         : all_rejected ? "rejected"
                                        : "accepted";
        xd_flow__set_str(s, l, "status", st);
        if (strcmp(st, "rejected") == 0) {
            xd_flow__set_str(s, l, "confirmed", "0");
        } else {
            const char *q = al != NULL ? xd_flow__str(al, "confirmed_quantity") : NULL;
            xd_flow__set_str(s, l, "confirmed", q != NULL ? q : xd_flow__str(l, "ordered"));
            const char *p = al != NULL ? xd_flow__str(al, "confirmed_unit_price") : NULL;
            if (p != NULL) {
                xd_flow__set_str(s, l, "confirmed_price", p);
            }
        }
        if (strcmp(st, "accepted") != 0) {
            json_t *ch = json_object();
            xd_flow__set(s, ch, "line_number", json_deep_copy(json_object_get(l, "line_number")));
            xd_flow__set_str(s, ch, "status", st);
            xd_flow__set_str(s, ch, "confirmed", xd_flow__str(l, "confirmed"));
            xd_flow__append(s, changes, ch);
        }
    }
    send(s, "erp", s->doc);
    json_t *d = json_object();
    xd_flow__set_str(s, d, "status", header);
    xd_flow__set(s, d, "changes", changes);
    xd_flow__event(s, "ack.received", d);
    if (all_rejected) {
        raise_exc(s, "po_rejected", "buyer", "The supplier rejected the order", NULL, NULL,
                  (const char *const[]){"resolve", NULL});
    }
}

/* Member <from> of <src>, when it has one, as member <to> of <dst>. */
static void copy_to(struct xd_flow_step *s, json_t *dst, const char *to, const json_t *src,
                    const char *from)
{
    const json_t *v = json_object_get(src, from);
    if (v != NULL) {
        xd_flow__set(s, dst, to, json_deep_copy(v));
    }
}

/* An application advice (X12 824) from the supplier about a document it was sent: on the
 * timeline; rejected, the buyer gets document_rejected (the order can be sent again once
 * corrected), accepted with errors document_errors; an advice accepting the same document later
 * closes both. */
static void advice_apply(struct xd_flow_step *s)
{
    xd_flow__append(s, xd_flow__arr(s, s->data, "advices"),
                    json_string(xd_flow__str(s->doc, "advice_number")));
    const char *status = xd_flow__str(s->doc, "status");
    const char *type = xd_flow__str(s->doc, "document_type");
    const char *number = xd_flow__str(s->doc, "document_number");
    json_t *d = json_object();
    const char *const members[] = {"advice_number",   "status", "document_type",
                                   "document_number", "reason", "problems"};
    for (size_t i = 0; i < XD_ARRAY_LEN(members); i++) {
        copy_to(s, d, members[i], s->doc, members[i]);
    }
    xd_flow__event(s, "advice.received", json_deep_copy(d));
    if (status != NULL && strcmp(status, "accepted") == 0) {
        resolve_exc(s, "document_rejected", about(s, type, number));
        resolve_exc(s, "document_errors", about(s, type, number));
        json_decref(d);
        return;
    }
    bool rejected = status != NULL && strcmp(status, "rejected") == 0;
    bool order = type != NULL && strcmp(type, "purchase_order") == 0;
    raise_exc(s, rejected ? "document_rejected" : "document_errors", "buyer",
              rejected ? "The supplier rejected a document it was sent"
                       : "The supplier accepted a document with errors to correct",
              d, about(s, type, number),
              rejected && order ? (const char *const[]){"resend", "resolve", NULL}
                                : (const char *const[]){"resolve", NULL});
}

/* One variance of a receipt or shipment line. */
static void variance(struct xd_flow_step *s, json_t *list, const char *kind, const json_t *l,
                     const char *sku, struct xd_decimal expected, struct xd_decimal actual)
{
    json_t *v = json_object();
    xd_flow__set_str(s, v, "kind", kind);
    if (l != NULL) {
        xd_flow__set(s, v, "line_number", json_deep_copy(json_object_get(l, "line_number")));
    }
    if (sku != NULL) {
        xd_flow__set_str(s, v, "sku", sku);
    }
    xd_flow__set_dec(s, v, "expected", expected);
    xd_flow__set_dec(s, v, "actual", actual);
    xd_flow__set_str(s, v, "document",
                     xd_flow__str(s->doc, "receipt_number") != NULL
                         ? xd_flow__str(s->doc, "receipt_number")
                         : xd_flow__str(s->doc, "asn_number"));
    xd_flow__append(s, list, v);
    xd_flow__append(s, xd_flow__arr(s, s->data, "variances"), json_deep_copy(v));
}

/* Every item of a ship notice, wherever it sits (packs or the order level). */
static void asn_items(const json_t *asn, const char *po_number, json_t *out)
{
    size_t i = 0;
    const json_t *o = NULL;
    json_array_foreach(json_object_get(asn, "orders"), i, o)
    {
        const char *pn = xd_flow__str(o, "po_number");
        if (po_number != NULL && pn != NULL && strcmp(pn, po_number) != 0) {
            continue;
        }
        size_t j = 0;
        const json_t *it = NULL;
        json_array_foreach(json_object_get(o, "items"), j, it)
        {
            json_array_append(out, (json_t *)it);
        }
        const json_t *p = NULL;
        json_array_foreach(json_object_get(o, "packs"), j, p)
        {
            size_t m = 0;
            json_array_foreach(json_object_get(p, "items"), m, it)
            {
                json_array_append(out, (json_t *)it);
            }
        }
    }
}

static void asn_apply(struct xd_flow_step *s)
{
    sla_met(s, "ship_notice");
    const char *asn_number = xd_flow__str(s->doc, "asn_number");
    json_t *rec = json_object();
    json_t *per_line = json_object();
    xd_flow__set(s, rec, "lines", per_line);
    xd_flow__set_str(s, rec, "doc", s->doc_id);
    json_t *asns = xd_flow__obj(s, s->data, "asns");
    xd_flow__set(s, rec, "seq", json_integer((json_int_t)json_object_size(asns) + 1));
    xd_flow__set(s, asns, asn_number, rec);
    json_t *items = json_array();
    json_t *problems = json_array();
    if (items == NULL) {
        s->st = XD_ENOMEM;
        return;
    }
    asn_items(s->doc, xd_flow__str(s->data, "po_number"), items);
    size_t i = 0;
    const json_t *it = NULL;
    json_array_foreach(items, i, it)
    {
        struct xd_decimal q = dec(s, it, "quantity");
        json_t *l = po_line(s, it, "line_number");
        if (l == NULL || line_rejected(l)) {
            variance(s, problems, l == NULL ? "unknown_item" : "rejected_line_shipped", l,
                     xd_flow__str(it, "sku"), (struct xd_decimal){0, 0}, q);
            continue;
        }
        add_to(s, l, "shipped", q);
        char k[24];
        line_key(json_integer_value(json_object_get(l, "line_number")), k, sizeof k);
        add_to(s, per_line, k, q);
        struct xd_decimal want = target(s, l);
        struct xd_decimal shipped = dec(s, l, "shipped");
        if (cmp(shipped, want) > 0) {
            variance(s, problems, "over_shipped", l, xd_flow__str(l, "sku"), want, shipped);
        }
    }
    json_decref(items);
    json_t *acc = xd_flow__obj(s, s->data, "asn_accuracy");
    xd_flow__set(s, acc, "asns",
                 json_integer(json_integer_value(json_object_get(acc, "asns")) + 1));
    bool accurate = json_array_size(problems) == 0;
    xd_flow__set(
        s, acc, "accurate",
        json_integer(json_integer_value(json_object_get(acc, "accurate")) + (accurate ? 1 : 0)));
    send(s, "warehouse", s->doc);
    send(s, "erp", s->doc);
    json_t *d = json_object();
    xd_flow__set_str(s, d, "asn_number", asn_number);
    xd_flow__set(s, d, "accurate", json_boolean(accurate));
    if (!accurate) {
        xd_flow__set(s, d, "variances", json_deep_copy(problems));
        raise_exc(s, "asn_discrepancy", "supplier", "The ship notice does not match the order",
                  json_deep_copy(problems), about(s, "ship_notice", asn_number),
                  (const char *const[]){"accept_variance", "resolve", NULL});
    }
    json_decref(problems);
    xd_flow__event(s, "asn.received", d);
    arm_slas(s, "ship_notice", NULL);
}

static const struct xd_decimal ZERO = {0, 0};

static struct xd_decimal at_least_zero(struct xd_decimal d)
{
    return xd_decimal_is_negative(d) ? ZERO : d;
}

static struct xd_decimal min_dec(struct xd_decimal a, struct xd_decimal b)
{
    return cmp(a, b) <= 0 ? a : b;
}

/* What ship notice <asn> still awaits of line <k>: what it announced, less what its receipts
 * took in and what was written off of it, never below zero (goods received over one ship
 * notice do not make up another's). One written off with every shortage of the order (by an
 * exception without a subject) awaits nothing. */
static struct xd_decimal asn_awaits(struct xd_flow_step *s, const json_t *asn, const char *k)
{
    if (json_is_true(json_object_get(asn, "written_off"))) {
        return ZERO;
    }
    struct xd_decimal gap = xd_flow__sub(s, dec(s, json_object_get(asn, "lines"), k),
                                         dec(s, json_object_get(asn, "got"), k));
    return at_least_zero(xd_flow__sub(s, gap, dec(s, json_object_get(asn, "off"), k)));
}

/* The order's ship notices, oldest first: their numbers by arrival (seq; those recorded before
 * ship notices had one come first, in the order kept). NULL (and the sticky status) when out
 * of memory. The caller owns the array. */
static json_t *asns_by_age(struct xd_flow_step *s)
{
    json_t *asns = json_object_get(s->data, "asns");
    json_t *order = json_array();
    const char *n = NULL;
    json_t *asn = NULL;
    json_object_foreach(asns, n, asn)
    {
        json_int_t seq = json_integer_value(json_object_get(asn, "seq"));
        size_t at = json_array_size(order);
        while (at > 0) {
            const json_t *prev =
                json_object_get(asns, json_string_value(json_array_get(order, at - 1)));
            if (json_integer_value(json_object_get(prev, "seq")) <= seq) {
                break;
            }
            at--;
        }
        if (order == NULL || json_array_insert_new(order, at, json_string(n)) != 0) {
            s->st = s->st != XD_OK ? s->st : XD_ENOMEM;
            json_decref(order);
            return NULL;
        }
    }
    return order;
}

/* Count <qty> of line <k> on the order's ship notices, oldest first, into each one's <member>
 * ("got": received, "off": written off): each takes what it still awaits of the line
 * (asn_awaits), so no quantity counts on two of them and none beyond what one announced. What
 * each took is added to <drawn> ({asn: {line: qty}}) unless NULL; the result is the quantity
 * taken (the rest was awaited by none). */
static struct xd_decimal take_in(struct xd_flow_step *s, const char *k, struct xd_decimal qty,
                                 const char *member, json_t *drawn)
{
    struct xd_decimal left = qty;
    json_t *asns = json_object_get(s->data, "asns");
    json_t *order = asns_by_age(s);
    size_t i = 0;
    const json_t *n = NULL;
    json_array_foreach(order, i, n)
    {
        json_t *asn = json_object_get(asns, json_string_value(n));
        struct xd_decimal take = min_dec(asn_awaits(s, asn, k), left);
        if (cmp(left, ZERO) <= 0 || is_zero(take)) {
            continue;
        }
        add_to(s, xd_flow__obj(s, asn, member), k, take);
        if (drawn != NULL) {
            add_to(s, xd_flow__obj(s, drawn, json_string_value(n)), k, take);
        }
        left = xd_flow__sub(s, left, take);
    }
    json_decref(order);
    return xd_flow__sub(s, qty, left);
}

/* Every line of the ship notice received in full, over all its receipts, and nothing of it
 * damaged (a damage is a variance no later receipt makes up). */
static bool asn_complete(struct xd_flow_step *s, const json_t *asn)
{
    if (json_is_true(json_object_get(asn, "damaged"))) {
        return false;
    }
    const char *k = NULL;
    json_t *q = NULL;
    const json_t *got = json_object_get(asn, "got");
    json_object_foreach((json_t *)json_object_get(asn, "lines"), k, q)
    {
        if (cmp(dec(s, got, k), dec(s, json_object_get(asn, "lines"), k)) < 0) {
            return false;
        }
    }
    return true;
}

/* <rec> of line <k> received on ship notice <on> (or kept for one still to come), <bad> of
 * it damaged or rejected. */
static void count_on(struct xd_flow_step *s, json_t *on, const char *k, struct xd_decimal rec,
                     struct xd_decimal bad)
{
    add_to(s, xd_flow__obj(s, on, "got"), k, rec);
    if (!is_zero(bad)) {
        add_to(s, xd_flow__obj(s, on, "bad"), k, bad);
        xd_flow__set(s, on, "damaged", json_true());
    }
}

/* The variances of <rec> received of PO line <l>, <bad> of it damaged or rejected, against
 * <exp> when <compare>. */
static void line_variances(struct xd_flow_step *s, json_t *found, const json_t *l, bool compare,
                           struct xd_decimal exp, struct xd_decimal rec, struct xd_decimal bad)
{
    const char *sku = xd_flow__str(l, "sku");
    if (compare && cmp(rec, exp) < 0) {
        variance(s, found, "short", l, sku, exp, rec);
    } else if (compare && cmp(rec, exp) > 0) {
        variance(s, found, "over", l, sku, exp, rec);
    }
    if (!is_zero(bad)) {
        variance(s, found, "damaged", l, sku, rec, bad);
    }
}

/* One receipt line against the ship notice it names (<asn>, or NULL): what the ship notice
 * announced for the line and no earlier receipt of it took in is what is expected (several
 * receipts per ship notice); without one, what the receipt line says it expected, if
 * anything. A receipt naming no ship notice at all (<drawn> not NULL) takes its goods in on
 * the order's ship notices (take_in); what none of them awaited is unannounced. One naming a
 * ship notice still to come counts on <early>, its early_receipts entry. */
static void receipt_line(struct xd_flow_step *s, const json_t *rl, json_t *asn, json_t *drawn,
                         json_t *early, json_t *found)
{
    struct xd_decimal rec = dec(s, rl, "received_quantity");
    struct xd_decimal bad =
        xd_flow__add(s, dec(s, rl, "damaged_quantity"), dec(s, rl, "rejected_quantity"));
    json_t *l = po_line(s, rl, "po_line_number");
    if (l == NULL) {
        variance(s, found, "wrong_item", NULL, xd_flow__str(rl, "sku"), ZERO, rec);
        return;
    }
    const char *sku = xd_flow__str(l, "sku");
    char k[24];
    line_key(json_integer_value(json_object_get(l, "line_number")), k, sizeof k);
    bool compare = json_object_get(rl, "expected_quantity") != NULL;
    struct xd_decimal exp = dec(s, rl, "expected_quantity");
    if (asn != NULL) {
        json_t *got = xd_flow__obj(s, asn, "got");
        exp = at_least_zero(
            xd_flow__sub(s, dec(s, json_object_get(asn, "lines"), k), dec(s, got, k)));
        compare = true;
        count_on(s, asn, k, rec, bad);
    } else if (drawn != NULL) {
        /* The warehouse received against the order, not a shipment (a 944 without the
         * ship notice's number): the goods count on the ship notices that await them. */
        struct xd_decimal taken = take_in(s, k, rec, "got", drawn);
        if (cmp(taken, rec) < 0) {
            variance(s, found, "unannounced", l, sku, taken, rec);
        }
    } else if (early != NULL) {
        count_on(s, early, k, rec, bad); /* for a ship notice still to come (early_receipts) */
    }
    add_to(s, l, "received", rec);
    add_to(s, l, "damaged", bad);
    line_variances(s, found, l, compare, exp, rec, bad);
}

/* Whether the variances <found> hold one of kind <kind>. */
static bool has_kind(const json_t *found, const char *kind)
{
    size_t i = 0;
    const json_t *v = NULL;
    json_array_foreach(found, i, v)
    {
        const char *k = xd_flow__str(v, "kind");
        if (k != NULL && strcmp(k, kind) == 0) {
            return true;
        }
    }
    return false;
}

/* Take <take> of the receipt line quantity <k> still <left> in <rl> into the line copy <part>,
 * all that is left when <last>. A zero quantity is left out. */
static void part_qty(struct xd_flow_step *s, const json_t *rl, json_t *part, const char *k,
                     json_t *left, struct xd_decimal take, bool last)
{
    if (json_object_get(rl, k) == NULL) {
        return;
    }
    struct xd_decimal have = json_object_get(left, k) != NULL ? dec(s, left, k) : dec(s, rl, k);
    struct xd_decimal q = last ? have : min_dec(have, take);
    xd_flow__set_dec(s, left, k, xd_flow__sub(s, have, q));
    if (is_zero(q)) {
        json_object_del(part, k);
    } else {
        xd_flow__set_dec(s, part, k, q);
    }
}

/* Receipt line <rl> split over the ship notices it was counted on: each one's part (in
 * <parts>, by ASN number) gets a copy of the line holding what was counted on it (<left>,
 * {asn: {line: qty}}, less what earlier lines took). The expected, damaged and rejected
 * quantities go with the received ones, the first parts taking what they can. */
static void split_line(struct xd_flow_step *s, const json_t *rl, const json_t *order, json_t *left,
                       json_t *parts)
{
    const json_t *l = po_line(s, rl, "po_line_number");
    char k[24];
    line_key(json_integer_value(json_object_get(l, "line_number")), k, sizeof k);
    struct xd_decimal rest = dec(s, rl, "received_quantity");
    bool nothing = is_zero(rest); /* a line of nothing received goes with the first part */
    json_t *owed = json_object(); /* what of the line's other quantities is still to place */
    size_t i = 0;
    const json_t *n = NULL;
    json_array_foreach(order, i, n)
    {
        json_t *on = json_object_get(left, json_string_value(n));
        struct xd_decimal take = min_dec(dec(s, on, k), rest);
        if (on == NULL || (is_zero(take) && !nothing)) {
            continue;
        }
        nothing = false;
        xd_flow__set_dec(s, on, k, xd_flow__sub(s, dec(s, on, k), take));
        rest = xd_flow__sub(s, rest, take);
        json_t *part = json_deep_copy(rl);
        xd_flow__set_dec(s, part, "received_quantity", take);
        static const char *const also[] = {"expected_quantity", "damaged_quantity",
                                           "rejected_quantity"};
        for (size_t a = 0; a < XD_ARRAY_LEN(also); a++) {
            part_qty(s, rl, part, also[a], owed, take, is_zero(rest));
        }
        xd_flow__append(s, xd_flow__arr(s, xd_flow__obj(s, parts, json_string_value(n)), "lines"),
                        part);
    }
    json_decref(owed);
}

/* The copies of a receipt naming no ship notice that the ERP is sent: ERPs book a receipt
 * against its incoming shipment (Tryton refuses one without it), so the ERP gets the receipt
 * the way the hub counted it (<drawn>, {asn: {line: qty}}, oldest ship notice first): one copy
 * per ship notice it was counted on, naming it and holding the lines and quantities counted on
 * it. NULL when it brought goods no ship notice awaited or that are not on the order (<found>):
 * then it goes to the ERP as it came. The caller owns the array. */
static json_t *erp_receipts(struct xd_flow_step *s, const json_t *drawn, const json_t *found)
{
    if (json_object_size(drawn) == 0 || has_kind(found, "unannounced") ||
        has_kind(found, "wrong_item")) {
        return NULL;
    }
    json_t *order = asns_by_age(s);
    json_t *left = json_deep_copy(drawn);
    json_t *parts = json_object();
    size_t i = 0;
    const json_t *rl = NULL;
    json_array_foreach(json_object_get(s->doc, "lines"), i, rl)
    {
        split_line(s, rl, order, left, parts);
    }
    json_t *copies = json_array();
    const json_t *n = NULL;
    json_array_foreach(order, i, n)
    {
        const char *asn = json_string_value(n);
        const json_t *part = json_object_get(parts, asn);
        if (part == NULL) {
            continue;
        }
        json_t *copy = json_deep_copy(s->doc);
        xd_flow__set_str(s, copy, "asn_number", asn);
        xd_flow__set(s, copy, "lines", json_incref(json_object_get(part, "lines")));
        xd_flow__append(s, copies, copy);
    }
    json_decref(order);
    json_decref(left);
    json_decref(parts);
    if (s->st != XD_OK || copies == NULL) {
        s->st = s->st != XD_OK ? s->st : XD_ENOMEM;
        json_decref(copies);
        return NULL;
    }
    return copies;
}

static void receipt_apply(struct xd_flow_step *s)
{
    sla_met(s, "receipt");
    const char *rn = xd_flow__str(s->doc, "receipt_number");
    xd_flow__append(s, xd_flow__arr(s, s->data, "receipts"), json_string(rn));
    const char *asn_number = xd_flow__str(s->doc, "asn_number");
    bool names_none = asn_number == NULL || asn_number[0] == '\0';
    json_t *asns = json_object_get(s->data, "asns");
    json_t *asn = names_none ? NULL : json_object_get(asns, asn_number);
    json_t *found = json_array();
    json_t *drawn = names_none ? json_object() : NULL;
    if (found == NULL || (names_none && drawn == NULL)) {
        s->st = s->st != XD_OK ? s->st : XD_ENOMEM;
        json_decref(found);
        json_decref(drawn);
        return;
    }
    if (asn != NULL) {
        xd_flow__set(s, asn, "received", json_true());
    }
    /* It names a ship notice the order does not know: nothing to count it against yet. The
     * warehouse may have been faster than the supplier's 856: what it counted is kept for that
     * ship notice (early_receipts). */
    json_t *early = asn == NULL && !names_none
                        ? xd_flow__obj(s, xd_flow__obj(s, s->data, "early_receipts"), asn_number)
                        : NULL;
    if (early != NULL) {
        variance(s, found, "unannounced", NULL, NULL, ZERO, ZERO);
    }
    size_t i = 0;
    const json_t *rl = NULL;
    json_array_foreach(json_object_get(s->doc, "lines"), i, rl)
    {
        receipt_line(s, rl, asn, drawn, early, found);
    }
    if (early != NULL) {
        /* Its exception closes when the ship notice comes, unless it holds more than that. */
        json_t *r = json_object();
        xd_flow__set_str(s, r, "receipt_number", rn);
        xd_flow__set(s, r, "wrong_items", json_boolean(has_kind(found, "wrong_item")));
        xd_flow__append(s, xd_flow__arr(s, early, "receipts"), r);
        /* The ERP learns of it after the ship notice (an ERP that books receipts against the
         * incoming shipment knows none yet), or when the hold ends without one. */
        xd_flow__append(s, xd_flow__arr(s, early, "erp"), json_deep_copy(s->doc));
        if (json_object_get(early, "held_until") == NULL) {
            xd_flow__set(s, early, "held_until", json_integer(s->now_ms + s->tol.hold_ms));
        }
    }
    /* The warehouse's document in the journal stays as it came. */
    json_t *to_erp = drawn != NULL ? erp_receipts(s, drawn, found) : NULL;
    json_t *inferred = json_array();
    const json_t *copy = NULL;
    json_array_foreach(to_erp, i, copy)
    {
        xd_flow__append(s, inferred, json_string(xd_flow__str(copy, "asn_number")));
        send(s, "erp", copy);
    }
    if (to_erp == NULL && early == NULL && s->st == XD_OK) {
        send(s, "erp", s->doc);
    }
    json_decref(to_erp);
    json_t *d = json_object();
    xd_flow__set_str(s, d, "receipt_number", rn);
    xd_flow__set(s, d, "variances", json_deep_copy(found));
    if (drawn != NULL) {
        xd_flow__set(s, d, "counted_on", json_deep_copy(drawn));
    }
    if (json_array_size(inferred) > 0) {
        xd_flow__set(s, d, "asn_numbers_inferred", json_incref(inferred));
    }
    if (early != NULL) {
        xd_flow__set_str(s, d, "erp_held_for", asn_number);
        xd_flow__set(s, d, "held_until_ms", json_incref(json_object_get(early, "held_until")));
    }
    json_decref(inferred);
    xd_flow__event(s, "receipt.received", d);
    arm_slas(s, "receipt", NULL);
    /* This receipt made up what an earlier one of a ship notice lacked: that ship notice's
     * variances close, not those of other ship notices. */
    if (asn != NULL && json_array_size(found) == 0 && asn_complete(s, asn)) {
        resolve_exc(s, "receipt_variance", about(s, "ship_notice", asn_number));
    }
    const char *n = NULL;
    json_t *took = NULL;
    json_object_foreach(drawn, n, took)
    {
        json_t *a = json_object_get(asns, n);
        xd_flow__set(s, a, "received", json_true());
        if (json_array_size(found) == 0 && asn_complete(s, a)) {
            resolve_exc(s, "receipt_variance", about(s, "ship_notice", n));
        }
    }
    if (json_array_size(found) > 0) {
        /* About the ship notice the goods came on (what a later receipt of it can make up),
         * else about the receipt itself. */
        raise_exc(s, "receipt_variance", "buyer",
                  "The goods received differ from what was announced or ordered",
                  json_deep_copy(found),
                  asn != NULL ? about(s, "ship_notice", asn_number) : about(s, "receipt", rn),
                  (const char *const[]){"accept_variance", "resolve", NULL});
    }
    json_decref(found);
    json_decref(drawn);
}

/* What is still awaited of line <k>: summed over the order's ship notices, what each still
 * awaits (asn_awaits). */
static struct xd_decimal awaited_qty(struct xd_flow_step *s, const char *k)
{
    struct xd_decimal sum = ZERO;
    const char *n = NULL;
    json_t *asn = NULL;
    json_object_foreach(json_object_get(s->data, "asns"), n, asn)
    {
        sum = xd_flow__add(s, sum, asn_awaits(s, asn, k));
    }
    return sum;
}

/* Three-way match of one invoice against the order (prices) and the receipts (quantities).
 * "held" (only when <may_hold>) while what it bills beyond the goods received is still awaited
 * (awaited_qty); "mismatch" when it bills more than received or at another price, beyond the
 * tolerances; else "matched". */
static void match_invoice(struct xd_flow_step *s, json_t *inv, const json_t *doc, bool may_hold)
{
    json_t *problems = json_array();
    json_t *per_line = xd_flow__obj(s, inv, "lines");
    bool waiting = false;
    struct xd_decimal expected_total = {0, 0};
    size_t i = 0;
    const json_t *il = NULL;
    json_array_foreach(json_object_get(doc, "lines"), i, il)
    {
        json_t *l = po_line(s, il, "po_line_number");
        struct xd_decimal q = dec(s, il, "quantity");
        struct xd_decimal price = dec(s, il, "unit_price");
        json_t *p = json_object();
        if (l == NULL) {
            xd_flow__set_str(s, p, "kind", "not_ordered");
            xd_flow__set_str(s, p, "sku", xd_flow__str(il, "sku"));
            xd_flow__append(s, problems, p);
            continue;
        }
        char k[24];
        line_key(json_integer_value(json_object_get(l, "line_number")), k, sizeof k);
        xd_flow__set_dec(s, per_line, k, q);
        xd_flow__set(s, p, "line_number", json_deep_copy(json_object_get(l, "line_number")));
        /* Quantity: what is billed against what was received and not billed yet. */
        struct xd_decimal open = xd_flow__sub(s, good(s, l), dec(s, l, "invoiced"));
        if (!xd_flow__within_pct(s, q, open, s->tol.quantity_pct) && cmp(q, open) > 0) {
            if (may_hold && cmp(xd_flow__sub(s, q, open), awaited_qty(s, k)) <= 0) {
                waiting = true; /* shipped, not received yet: wait for the receipts */
            } else {
                xd_flow__set_str(s, p, "kind", "quantity");
                xd_flow__set_dec(s, p, "invoiced", q);
                xd_flow__set_dec(s, p, "received", open);
            }
        }
        /* Price: the acknowledged price, else the ordered one. */
        struct xd_decimal agreed = json_object_get(l, "confirmed_price") != NULL
                                       ? dec(s, l, "confirmed_price")
                                       : dec(s, l, "unit_price");
        if (!xd_flow__within_pct(s, price, agreed, s->tol.unit_price_pct)) {
            xd_flow__set_str(s, p, "kind",
                             json_object_get(p, "kind") != NULL ? "quantity_and_price" : "price");
            xd_flow__set_dec(s, p, "invoiced_price", price);
            xd_flow__set_dec(s, p, "agreed_price", agreed);
        }
        expected_total = xd_flow__add(s, expected_total, xd_flow__mul(s, q, agreed));
        if (json_object_get(p, "kind") != NULL) {
            xd_flow__append(s, problems, p);
        } else {
            json_decref(p);
        }
    }
    /* Total: the goods billed against their value at the agreed prices. Line amounts are
     * rounded to the cent, each by at most half a cent, so that much per line is rounding,
     * not a difference. */
    struct xd_decimal subtotal = dec(s, json_object_get(doc, "totals"), "subtotal");
    struct xd_decimal diff = xd_flow__sub(s, subtotal, expected_total);
    struct xd_decimal adiff = {0, 0};
    struct xd_decimal rounding =
        xd_flow__mul(s, (struct xd_decimal){5, 3},
                     xd_decimal_from_int((int64_t)json_array_size(json_object_get(doc, "lines"))));
    struct xd_decimal allowed = xd_flow__add(s, s->tol.amount, rounding);
    if (xd_decimal_abs(diff, &adiff) == XD_OK && cmp(adiff, allowed) > 0 &&
        json_array_size(problems) == 0 && !waiting) {
        json_t *p = json_object();
        xd_flow__set_str(s, p, "kind", "amount");
        xd_flow__set_dec(s, p, "invoiced", subtotal);
        xd_flow__set_dec(s, p, "expected", expected_total);
        xd_flow__append(s, problems, p);
    }
    const char *state = json_array_size(problems) > 0 ? "mismatch" : waiting ? "held" : "matched";
    xd_flow__set_str(s, inv, "state", state);
    xd_flow__set(s, inv, "problems", problems);
}

/* Count a matched (or accepted) invoice's quantities as invoiced. */
static void book_invoice(struct xd_flow_step *s, json_t *inv)
{
    const char *k = NULL;
    json_t *q = NULL;
    json_object_foreach(json_object_get(inv, "lines"), k, q)
    {
        json_t *l = json_object_get(lines(s), k);
        if (l != NULL) {
            add_to(s, l, "invoiced", dec(s, json_object_get(inv, "lines"), k));
        }
    }
}

static bool state_is(const json_t *o, const char *state)
{
    const char *st = xd_flow__str(o, "state");
    return st != NULL && strcmp(st, state) == 0;
}

/* Match invoice <number> and do what its outcome says: post it (matched), raise
 * invoice_mismatch (mismatch), or hold it for the goods still awaited, until held_until. */
static void settle_invoice(struct xd_flow_step *s, const char *number, json_t *inv,
                           const json_t *doc, bool may_hold)
{
    bool was_held = state_is(inv, "held");
    match_invoice(s, inv, doc, may_hold);
    const char *state = xd_flow__str(inv, "state");
    if (state == NULL) {
        return; /* out of memory: the sticky status says so */
    }
    json_t *d = json_object();
    xd_flow__set_str(s, d, "invoice_number", number);
    xd_flow__set_str(s, d, "match", state);
    if (strcmp(state, "held") != 0) {
        json_object_del(inv, "held_until");
    }
    if (strcmp(state, "matched") == 0) {
        book_invoice(s, inv);
        send(s, "erp", doc);
        xd_flow__event(s, "invoice.matched", d);
    } else if (strcmp(state, "mismatch") == 0) {
        xd_flow__set(s, d, "problems", json_deep_copy(json_object_get(inv, "problems")));
        xd_flow__event(s, "invoice.mismatch", d);
        json_t *x = json_object();
        xd_flow__set_str(s, x, "invoice_number", number);
        xd_flow__set(s, x, "problems", json_deep_copy(json_object_get(inv, "problems")));
        if (!may_hold) {
            xd_flow__set(s, x, "hold_expired", json_true());
        }
        raise_exc(s, "invoice_mismatch", "accounts_payable",
                  !may_hold ? "The goods the invoice bills did not all arrive while it was held"
                            : "The invoice does not match the order and the receipts",
                  x, about(s, "invoice", number),
                  (const char *const[]){"accept_variance", "reject_invoice", "resolve", NULL});
    } else if (!was_held) {
        xd_flow__set(s, inv, "held_until", json_integer(s->now_ms + s->tol.hold_ms));
        xd_flow__set(s, d, "held_until_ms", json_integer(s->now_ms + s->tol.hold_ms));
        xd_flow__event(s, "invoice.held", d);
    } else {
        json_decref(d); /* still held: nothing new to say */
    }
}

/* The hold timer follows the held invoices and the receipts held from the ERP for their ship
 * notice: due when the first hold ends, cancelled when nothing is held any more. */
static void hold_timer(struct xd_flow_step *s)
{
    int64_t first = INT64_MAX; /* the first hold's end; none held: INT64_MAX */
    const char *k = NULL;
    json_t *inv = NULL;
    json_t *e = NULL;
    json_object_foreach(json_object_get(s->data, "early_receipts"), k, e)
    {
        json_t *until = json_object_get(e, "held_until");
        if (json_array_size(json_object_get(e, "erp")) > 0 && json_is_integer(until)) {
            first = json_integer_value(until) < first ? json_integer_value(until) : first;
        }
    }
    json_object_foreach(json_object_get(s->data, "invoices"), k, inv)
    {
        if (!state_is(inv, "held")) {
            continue;
        }
        if (!json_is_integer(json_object_get(inv, "held_until"))) {
            /* Held by a hub whose holds had no end: its hold starts now. */
            xd_flow__set(s, inv, "held_until", json_integer(s->now_ms + s->tol.hold_ms));
        }
        int64_t until = json_integer_value(json_object_get(inv, "held_until"));
        first = until < first ? until : first;
    }
    if (first != INT64_MAX) {
        timer(s, HOLD_TIMER, first);
    } else {
        xd_flow__append(s, xd_flow__arr(s, s->fx, "timers_cancel"), json_string(HOLD_TIMER));
    }
}

static void invoice_apply(struct xd_flow_step *s)
{
    sla_met(s, "invoice");
    const char *number = xd_flow__str(s->doc, "invoice_number");
    json_t *inv = json_object();
    xd_flow__set_str(s, inv, "doc", s->doc_id);
    xd_flow__set(s, inv, "body", json_deep_copy(s->doc));
    xd_flow__set(s, xd_flow__obj(s, s->data, "invoices"), number, inv);
    settle_invoice(s, number, inv, s->doc, true);
    if (state_is(inv, "held")) {
        hold_timer(s);
    }
}

/* Goods arrived, or what is missing was written off: held invoices are matched again (held
 * still, matched or mismatched), and a mismatched one that the goods now cover is matched and
 * its exception (that invoice's only) closed; otherwise it stays as it was, nothing raised
 * twice. */
static void rematch_invoices(struct xd_flow_step *s)
{
    bool held = false;
    const char *k = NULL;
    json_t *inv = NULL;
    json_object_foreach(json_object_get(s->data, "invoices"), k, inv)
    {
        if (state_is(inv, "held")) {
            held = true;
            settle_invoice(s, k, inv, json_object_get(inv, "body"), true);
        } else if (state_is(inv, "mismatch")) {
            json_t *probe = json_deep_copy(inv);
            if (probe == NULL) {
                s->st = s->st != XD_OK ? s->st : XD_ENOMEM;
                return;
            }
            match_invoice(s, probe, json_object_get(inv, "body"), true);
            if (state_is(probe, "matched")) {
                settle_invoice(s, k, inv, json_object_get(inv, "body"), true);
                resolve_exc(s, "invoice_mismatch", about(s, "invoice", k));
            }
            json_decref(probe);
        }
    }
    if (held) {
        hold_timer(s);
    }
}

/* Receipts that named ship notice <asn_number> before it came (the warehouse was faster than
 * the supplier's 856): what they counted is counted on it now, as if they had come after it;
 * their unannounced variances close (unless they also held goods not on the order), and what
 * they counted is compared with what the ship notice announced. */
static void early_receipts(struct xd_flow_step *s, const char *asn_number, json_t *asn)
{
    json_t *all = json_object_get(s->data, "early_receipts");
    json_t *e = json_object_get(all, asn_number);
    if (e == NULL) {
        return;
    }
    json_t *found = json_array();
    const json_t *got = json_object_get(e, "got");
    const json_t *bad = json_object_get(e, "bad");
    const char *k = NULL;
    json_t *q = NULL;
    json_object_foreach((json_t *)got, k, q)
    {
        struct xd_decimal rec = dec(s, got, k), b = dec(s, bad, k);
        count_on(s, asn, k, rec, b);
        line_variances(s, found, json_object_get(lines(s), k), true,
                       dec(s, json_object_get(asn, "lines"), k), rec, b);
    }
    xd_flow__set(s, asn, "received", json_true());
    size_t i = 0;
    const json_t *r = NULL;
    json_array_foreach(json_object_get(e, "receipts"), i, r)
    {
        if (!json_is_true(json_object_get(r, "wrong_items"))) {
            resolve_exc(s, "receipt_variance",
                        about(s, "receipt", xd_flow__str(r, "receipt_number")));
        }
    }
    json_t *d = post_held_detail(s, asn_number, e);
    xd_flow__set(s, d, "variances", json_deep_copy(found));
    xd_flow__event(s, "asn.early_receipts", d);
    if (json_array_size(found) > 0) {
        raise_exc(s, "receipt_variance", "buyer",
                  "The goods received differ from what was announced or ordered",
                  json_deep_copy(found), about(s, "ship_notice", asn_number),
                  (const char *const[]){"accept_variance", "resolve", NULL});
    }
    json_decref(found);
    json_object_del(all, asn_number);
    rematch_invoices(s);
    hold_timer(s);
}

/* A ship notice may take in receipts that named it before it came. */
static void asn_then_early_receipts(struct xd_flow_step *s)
{
    asn_apply(s);
    const char *asn_number = xd_flow__str(s->doc, "asn_number");
    early_receipts(s, asn_number, json_object_get(json_object_get(s->data, "asns"), asn_number));
}

/* A receipt may release invoices held for it. */
static void receipt_then_invoices(struct xd_flow_step *s)
{
    receipt_apply(s);
    rematch_invoices(s);
    if (json_object_size(json_object_get(s->data, "early_receipts")) > 0) {
        hold_timer(s); /* it may be held for its ship notice */
    }
}

static bool is_hold_timer(struct xd_flow_step *s)
{
    return s->timer_kind != NULL && strcmp(s->timer_kind, HOLD_TIMER) == 0;
}

/* A hold is over. Invoices waiting for goods: each whose hold ended is matched against what
 * arrived, and what did not arrive makes it a mismatch for accounts payable. Receipts held from
 * the ERP for a ship notice that did not come: they go to the ERP as they came (their counts
 * stay kept for that ship notice, and their unannounced variance open for the buyer). */
static void hold_expired(struct xd_flow_step *s)
{
    const char *k = NULL;
    json_t *e = NULL;
    json_object_foreach(json_object_get(s->data, "early_receipts"), k, e)
    {
        json_t *until = json_object_get(e, "held_until");
        if (json_is_integer(until) && json_integer_value(until) <= s->now_ms) {
            xd_flow__event(s, "receipt.hold_expired", post_held_detail(s, k, e));
        }
    }
    json_t *inv = NULL;
    json_object_foreach(json_object_get(s->data, "invoices"), k, inv)
    {
        json_t *until = json_object_get(inv, "held_until");
        if (state_is(inv, "held") && json_is_integer(until) &&
            json_integer_value(until) <= s->now_ms) {
            xd_flow__event(s, "invoice.hold_expired", detail_str(s, "invoice_number", k));
            settle_invoice(s, k, inv, json_object_get(inv, "body"), false);
        }
    }
    hold_timer(s);
}

static void duplicate(struct xd_flow_step *s)
{
    char name[64];
    snprintf(name, sizeof name, "%s.duplicate", s->doc_type);
    xd_flow__event(s, name, detail_str(s, "note", "seen before: not counted again"));
}

static void unexpected(struct xd_flow_step *s)
{
    json_t *d = json_object();
    xd_flow__set_str(s, d, "document", s->doc_type);
    xd_flow__set_str(s, d, "state", s->state);
    xd_flow__event(s, "document.unexpected", json_deep_copy(d));
    raise_exc(s, "unexpected_document", "buyer",
              "A document arrived that the order's state does not expect", d, NULL,
              (const char *const[]){"resolve", NULL});
}

static void timer_fire(struct xd_flow_step *s)
{
    /* "sla.<expect>.<at_risk|missed>" */
    char expect[64] = "";
    char what[16] = "";
    if (sscanf(s->timer_kind, "sla.%63[a-z_].%15[a-z_]", expect, what) != 2) {
        xd_flow__event(s, "timer.unknown", detail_str(s, "kind", s->timer_kind));
        return;
    }
    bool missed = strcmp(what, "missed") == 0;
    xd_flow__set_str(s, s->data, "sla", missed ? "missed" : "at_risk");
    xd_flow__set(s, xd_flow__obj(s, s->data, "sla_open"), expect, json_true());
    json_t *d = json_object();
    xd_flow__set_str(s, d, "expect", expect);
    xd_flow__event(s, missed ? "sla.missed" : "sla.at_risk", json_deep_copy(d));
    if (missed) {
        resolve_exc(s, "sla_at_risk", about(s, expect, NULL));
    }
    char summary[160];
    snprintf(summary, sizeof summary, "The supplier's %s is %s", expect,
             missed ? "overdue" : "due soon");
    raise_exc(s, missed ? "sla_missed" : "sla_at_risk", "supplier", summary, d,
              about(s, expect, NULL), (const char *const[]){"resend", "resolve", NULL});
}

/* ---- writing a shortage off ----------------------------------------------------------- */

/* What line <l> lacks to count as received in full: what the supplier owes, less what came in
 * good condition and what was written off before; never below zero. */
static struct xd_decimal line_gap(struct xd_flow_step *s, const json_t *l)
{
    return at_least_zero(
        xd_flow__sub(s, target(s, l), xd_flow__add(s, good(s, l), dec(s, l, "short_accepted"))));
}

/* Write <qty> of line <k> off, at most what the line lacks (so nothing is written off twice,
 * whichever exception it came by); what was written off is added to <done> ({line: qty}). */
static void write_off_line(struct xd_flow_step *s, const char *k, struct xd_decimal qty,
                           json_t *done)
{
    json_t *l = json_object_get(lines(s), k);
    if (l == NULL || line_rejected(l)) {
        return;
    }
    struct xd_decimal q = min_dec(qty, line_gap(s, l));
    if (cmp(q, ZERO) > 0) {
        add_to(s, l, "short_accepted", q);
        add_to(s, done, k, q);
    }
}

/* The line a variance of an exception is about, into <k>, when it is a shortage (short, or
 * damaged goods taken in); false for the others (over, wrong_item, unannounced). */
static bool shortage_line(const json_t *v, char *k, size_t cap)
{
    const char *kind = xd_flow__str(v, "kind");
    const json_t *n = json_object_get(v, "line_number");
    if (kind == NULL || !json_is_integer(n) ||
        (strcmp(kind, "short") != 0 && strcmp(kind, "damaged") != 0)) {
        return false;
    }
    line_key(json_integer_value(n), k, cap);
    return true;
}

/* Ship notice <asn>'s shortage on the lines its exception's <variances> say are short or
 * damaged is written off: of each, what the ship notice announced and its receipts did not
 * bring in good condition, less what was written off of it before. It awaits nothing more of
 * those lines; its other lines (not received yet, say) and the order's other ship notices are
 * awaited as they were. */
static void write_off_asn(struct xd_flow_step *s, json_t *asn, const json_t *variances,
                          json_t *done)
{
    const json_t *announced = json_object_get(asn, "lines");
    const json_t *got = json_object_get(asn, "got");
    const json_t *bad = json_object_get(asn, "bad");
    json_t *off = xd_flow__obj(s, asn, "off");
    size_t i = 0;
    const json_t *v = NULL;
    json_array_foreach(variances, i, v)
    {
        char k[24];
        if (!shortage_line(v, k, sizeof k) || json_object_get(announced, k) == NULL) {
            continue;
        }
        /* A ship notice damaged before damage was counted per ship notice: at most what the
         * line took in damaged (write_off_line caps it at what the line lacks). */
        struct xd_decimal b = bad != NULL ? dec(s, bad, k)
                              : json_is_true(json_object_get(asn, "damaged"))
                                  ? dec(s, json_object_get(lines(s), k), "damaged")
                                  : ZERO;
        struct xd_decimal in_good = xd_flow__sub(s, dec(s, got, k), b);
        struct xd_decimal lacks = at_least_zero(
            xd_flow__sub(s, xd_flow__sub(s, dec(s, announced, k), in_good), dec(s, off, k)));
        if (!is_zero(lacks)) {
            write_off_line(s, k, lacks, done);
            add_to(s, off, k, lacks);
        }
    }
}

/* A receipt no known ship notice covers: its own shortage (what it expected and did not get)
 * and damage, from its exception's variances. What it lacked is no longer awaited either: the
 * order's ship notices that await those lines stop awaiting as much, oldest first. */
static void write_off_receipt(struct xd_flow_step *s, const json_t *variances, json_t *done)
{
    size_t i = 0;
    const json_t *v = NULL;
    json_array_foreach(variances, i, v)
    {
        char k[24];
        if (!shortage_line(v, k, sizeof k)) {
            continue;
        }
        if (strcmp(xd_flow__str(v, "kind"), "short") == 0) {
            struct xd_decimal lacks =
                at_least_zero(xd_flow__sub(s, dec(s, v, "expected"), dec(s, v, "actual")));
            write_off_line(s, k, lacks, done);
            take_in(s, k, lacks, "off", NULL);
        } else {
            write_off_line(s, k, dec(s, v, "actual"), done); /* damaged: all of it */
        }
    }
}

/* accept_variance on a receipt_variance: the shortage of what the exception is about (its
 * subject: a ship notice, or a receipt no known ship notice covers, on the lines its variances
 * name) is written off, and only that; the order's other ship notices still await their goods. An
 * exception stored before exceptions had subjects writes off every shortage of the order, as it
 * did. */
static void write_off(struct xd_flow_step *s, const json_t *x, json_t *done)
{
    const json_t *sub = json_object_get(x, "subject");
    const char *what = xd_flow__str(sub, "document");
    const char *number = xd_flow__str(sub, "number");
    if (what != NULL && number != NULL && strcmp(what, "ship_notice") == 0) {
        json_t *asn = json_object_get(json_object_get(s->data, "asns"), number);
        if (asn != NULL) {
            write_off_asn(s, asn, json_object_get(x, "detail"), done);
        }
        return;
    }
    if (what != NULL && strcmp(what, "receipt") == 0) {
        write_off_receipt(s, json_object_get(x, "detail"), done);
        return;
    }
    const char *k = NULL;
    json_t *l = NULL;
    json_object_foreach(lines(s), k, l)
    {
        write_off_line(s, k, line_gap(s, l), done);
    }
    const char *n = NULL;
    json_t *asn = NULL;
    json_object_foreach(json_object_get(s->data, "asns"), n, asn)
    {
        xd_flow__set(s, asn, "written_off", json_true());
    }
}

/* <in> as canonical free text of at most <max> characters into <out> (room for 4 bytes per
 * character): control characters (a comment's line breaks) become spaces, what is not UTF-8
 * ends it, and blanks at its end are dropped (X12 drops them from a value). */
static void text_cut(const char *in, size_t max, char *out)
{
    size_t o = 0, n = strlen(in);
    for (size_t i = 0, chars = 0; i < n && chars < max; chars++) {
        size_t len = xd_utf8_seq_len((const unsigned char *)in + i, n - i);
        if (len == 0) {
            break;
        }
        unsigned char c = (unsigned char)in[i];
        if (len == 1 && (c < 0x20 || c == 0x7f)) {
            out[o++] = ' ';
        } else {
            memcpy(out + o, in + i, len);
            o += len;
        }
        i += len;
    }
    while (o > 0 && out[o - 1] == ' ') {
        o--;
    }
    out[o] = '\0';
}

/* An application advice's problem of kind <kind> about the invoice line of match problem <p>,
 * with what was expected and what the invoice says (members <exp> and <act> of <p>). */
static void advice_problem(struct xd_flow_step *s, json_t *problems, const json_t *p,
                           const char *kind, const char *exp, const char *act, const char *msg)
{
    json_t *a = json_object();
    xd_flow__set_str(s, a, "kind", kind);
    copy_to(s, a, "line_number", p, "line_number");
    copy_to(s, a, "sku", p, "sku");
    if (exp != NULL) {
        copy_to(s, a, "expected", p, exp);
        copy_to(s, a, "actual", p, act);
    }
    xd_flow__set_str(s, a, "message", msg);
    xd_flow__append(s, problems, a);
}

/* The match problems of an invoice (match_invoice) as an application advice's problems: one
 * per problem, two for a line whose quantity and price both differ. */
static json_t *advice_problems(struct xd_flow_step *s, const json_t *inv)
{
    json_t *out = json_array();
    size_t i = 0;
    const json_t *p = NULL;
    json_array_foreach(json_object_get(inv, "problems"), i, p)
    {
        const char *kind = xd_flow__str(p, "kind");
        kind = kind != NULL ? kind : "";
        bool qty = strcmp(kind, "quantity") == 0 || strcmp(kind, "quantity_and_price") == 0;
        bool price = strcmp(kind, "price") == 0 || strcmp(kind, "quantity_and_price") == 0;
        if (qty) {
            advice_problem(s, out, p, "quantity", "received", "invoiced",
                           "quantity billed is more than was received");
        }
        if (price) {
            advice_problem(s, out, p, "price", "agreed_price", "invoiced_price",
                           "unit price is not the agreed price");
        }
        if (strcmp(kind, "amount") == 0) {
            advice_problem(s, out, p, "amount", "expected", "invoiced",
                           "subtotal is not the goods' value at agreed prices");
        } else if (strcmp(kind, "not_ordered") == 0) {
            advice_problem(s, out, p, "not_ordered", NULL, NULL, "item not on the order");
        } else if (!qty && !price) {
            advice_problem(s, out, p, "other", NULL, NULL, "the invoice does not match");
        }
    }
    return out;
}

/* What the supplier is told when accounts payable rejects its invoice <number>: an application
 * advice (canonical application_advice; X12 824) with the reason and the match problems. */
static json_t *rejection_advice(struct xd_flow_step *s, const char *number, const json_t *inv,
                                const char *why)
{
    const json_t *body = json_object_get(inv, "body");
    char now[40], no[32];
    xd_time_format(s->now_ms, now, sizeof now);
    now[10] = '\0';                            /* the date of the timestamp (UTC) */
    snprintf(no, sizeof no, "REJ-%s", number); /* invoice numbers have at most 22 characters */
    json_t *a = json_object();
    const char *const fixed[][2] = {
        {"type", "application_advice"}, {"advice_number", no},        {"advice_date", now},
        {"status", "rejected"},         {"document_type", "invoice"}, {"document_number", number},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(fixed); i++) {
        xd_flow__set_str(s, a, fixed[i][0], fixed[i][1]);
    }
    copy_to(s, a, "document_date", body, "invoice_date");
    copy_to(s, a, "po_number", s->data, "po_number");
    copy_to(s, a, "sender", body, "buyer");
    copy_to(s, a, "receiver", body, "supplier");
    char reason[264 * 4 + 1];
    text_cut(why != NULL ? why : "", 264, reason);
    if (reason[0] != '\0') {
        xd_flow__set_str(s, a, "reason", reason);
    }
    json_t *problems = advice_problems(s, inv);
    if (json_array_size(problems) > 0) {
        xd_flow__set(s, a, "problems", problems);
    } else {
        json_decref(problems);
    }
    return a;
}

/* A person's action on one of the thread's exceptions (the engine checked that it applies). */
static void action_apply(struct xd_flow_step *s)
{
    const char *act = xd_flow__str(s->action, "action");
    const json_t *x = json_object_get(s->action, "exception");
    const char *type = xd_flow__str(x, "type");
    json_t *d = json_object();
    xd_flow__set_str(s, d, "action", act);
    xd_flow__set_str(s, d, "exception", xd_flow__str(x, "id"));
    xd_flow__set_str(s, d, "comment", xd_flow__str(s->action, "comment"));
    xd_flow__event(s, "exception.action", d);
    if (strcmp(act, "resend") == 0) {
        const json_t *po = json_object_get(s->action, "po");
        if (po != NULL && xd_flow__str(s->data, "supplier") != NULL) {
            json_object_del(s->data, "unroutable");
            send(s, "supplier", po);
            xd_flow__event(s, "po.resent", detail_str(s, "to", xd_flow__str(s->data, "supplier")));
        }
        return;
    }
    if (strcmp(act, "reroute") == 0) {
        /* The goods go to the alternate warehouse: it gets the ship notices still open. */
        const char *to = xd_flow__str(s->action, "reroute_to");
        json_t *d2 = json_object();
        xd_flow__set_str(s, d2, "from", xd_flow__str(s->data, "warehouse"));
        xd_flow__set_str(s, d2, "to", to);
        xd_flow__set_str(s, s->data, "warehouse", to);
        size_t i = 0;
        const json_t *asn = NULL;
        json_array_foreach(json_object_get(s->action, "asns"), i, asn)
        {
            send(s, "warehouse", asn);
        }
        xd_flow__event(s, "warehouse.rerouted", d2);
        return;
    }
    if (strcmp(act, "accept_variance") == 0 && type != NULL &&
        strcmp(type, "receipt_variance") == 0) {
        json_t *done = json_object();
        write_off(s, x, done);
        xd_flow__set(s, d, "written_off", done);
        /* Invoices held for goods that are no longer awaited are matched against what came. */
        rematch_invoices(s);
        return;
    }
    if (type == NULL || strcmp(type, "invoice_mismatch") != 0) {
        return; /* a ship notice's discrepancy accepted: the goods are taken as shipped */
    }
    /* The invoice the exception is about (its subject; before subjects, its detail names it;
     * an exception naming none is about every mismatched invoice, as it always was). */
    const json_t *sub = json_object_get(x, "subject");
    const char *sub_doc = xd_flow__str(sub, "document");
    const char *inv_no = sub_doc != NULL && strcmp(sub_doc, "invoice") == 0
                             ? xd_flow__str(sub, "number")
                             : xd_flow__str(json_object_get(x, "detail"), "invoice_number");
    json_t *invs = json_object_get(s->data, "invoices");
    const char *k = NULL;
    json_t *inv = NULL;
    json_object_foreach(invs, k, inv)
    {
        const char *st = xd_flow__str(inv, "state");
        if (st == NULL || strcmp(st, "mismatch") != 0 || (inv_no != NULL && strcmp(k, inv_no))) {
            continue;
        }
        if (strcmp(act, "accept_variance") == 0) {
            xd_flow__set_str(s, inv, "state", "accepted");
            book_invoice(s, inv);
            send(s, "erp", json_object_get(inv, "body"));
            xd_flow__event(s, "invoice.accepted", detail_str(s, "invoice_number", k));
        } else if (strcmp(act, "reject_invoice") == 0) {
            /* Why, on the invoice and the timeline, and to the supplier in an application
             * advice (when its profile takes them). */
            const char *why = xd_flow__str(s->action, "comment");
            json_t *rd = detail_str(s, "invoice_number", k);
            xd_flow__set_str(s, inv, "state", "rejected");
            if (why != NULL) {
                xd_flow__set_str(s, inv, "rejected_reason", why);
                xd_flow__set_str(s, rd, "reason", why);
            }
            json_t *advice = rejection_advice(s, k, inv, why);
            if (s->st == XD_OK) {
                send(s, "supplier", advice);
                xd_flow__set_str(s, rd, "advice_number", xd_flow__str(advice, "advice_number"));
            }
            json_decref(advice);
            xd_flow__event(s, "invoice.rejected", rd);
        }
    }
}

/* A message of the thread that delivery gave up on (the engine read it from the audit log). */
static void dead_letter(struct xd_flow_step *s)
{
    const json_t *m = s->action;
    json_t *d = json_object();
    const char *const keys[] = {"partner", "endpoint", "reason"};
    for (size_t i = 0; i < XD_ARRAY_LEN(keys); i++) {
        xd_flow__set_str(s, d, keys[i], xd_flow__str(m, keys[i]));
    }
    xd_flow__set(s, d, "outbox_seq", json_deep_copy(json_object_get(m, "seq")));
    xd_flow__event(s, "delivery.dead", json_deep_copy(d));
    const char *erp = xd_flow__str(s->data, "erp");
    const char *to = xd_flow__str(m, "partner");
    bool to_erp = erp != NULL && to != NULL && strcmp(erp, to) == 0;
    const char *wh = xd_flow__str(s->data, "warehouse");
    bool to_wh = wh != NULL && to != NULL && strcmp(wh, to) == 0;
    raise_exc(s, "delivery_failed", "buyer",
              to_erp  ? "A posting to the ERP was given up: the ERP refused it or was unreachable"
              : to_wh ? "The warehouse could not be given the ship notice: re-route it to the "
                        "alternate warehouse, or resolve"
                      : "A message to a partner was given up after its retries",
              d, NULL,
              to_wh ? (const char *const[]){"reroute", "resolve", NULL}
                    : (const char *const[]){"resolve", NULL});
}

/* ---- the table ----------------------------------------------------------------------------- */

struct rule {
    unsigned from;     /* states (bits) it applies in */
    const char *event; /* document type, "timer" or "action" */
    bool (*guard)(struct xd_flow_step *s);
    void (*action)(struct xd_flow_step *s);
    int to; /* a state, STAY or PROGRESS */
};

static const struct rule rules[] = {
    {BIT(ST_NONE), "purchase_order", is_new_order, po_create, PROGRESS},
    {OPEN | BIT(ST_UNROUTABLE), "purchase_order", is_cancel, po_cancel, ST_CANCELLED},
    {OPEN, "purchase_order", is_change, po_change, PROGRESS},
    {OPEN, "purchase_order", NULL, po_again, STAY},
    {OPEN, "po_acknowledgement", NULL, ack_apply, PROGRESS},
    {OPEN, "application_advice", dup_advice, duplicate, STAY},
    {OPEN, "application_advice", NULL, advice_apply, STAY},
    {OPEN, "ship_notice", dup_asn, duplicate, STAY},
    {OPEN, "ship_notice", NULL, asn_then_early_receipts, PROGRESS},
    {OPEN, "receipt", dup_receipt, duplicate, STAY},
    {OPEN, "receipt", NULL, receipt_then_invoices, PROGRESS},
    {OPEN | BIT(ST_CLOSED), "invoice", dup_invoice, duplicate, STAY},
    {OPEN, "invoice", NULL, invoice_apply, PROGRESS},
    {OPEN, "timer", is_hold_timer, hold_expired, PROGRESS},
    {OPEN, "timer", NULL, timer_fire, STAY},
    {ANY, "dead_letter", NULL, dead_letter, STAY},
    {ANY, "action", NULL, action_apply, PROGRESS},
};

bool xd_flow__p2p_handles(const char *doc_type)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(rules); i++) {
        if (strcmp(rules[i].event, doc_type) == 0) {
            return true;
        }
    }
    return false;
}

enum xd_status xd_flow__p2p_step(struct xd_flow_step *s)
{
    enum state from = state_parse(s->state);
    const struct rule *r = NULL;
    for (size_t i = 0; i < XD_ARRAY_LEN(rules) && r == NULL; i++) {
        if ((rules[i].from & BIT(from)) != 0 && strcmp(rules[i].event, s->doc_type) == 0 &&
            (rules[i].guard == NULL || rules[i].guard(s))) {
            r = &rules[i];
        }
    }
    enum state to = from;
    struct totals t;
    if (r == NULL) {
        if (from == ST_NONE || strcmp(s->doc_type, "timer") == 0) {
            /* Not a flow's business (a document of a thread no order started), or a timer
             * of a thread that moved on. */
            xd_flow__set(s, s->fx, "ignore", json_true());
            return s->st;
        }
        unexpected(s);
    } else {
        r->action(s);
    }
    t = totals(s); /* the quantities after the step, for its state and its next step */
    if (r != NULL) {
        to = r->to == STAY ? from : r->to == PROGRESS ? progress(s, &t) : (enum state)r->to;
    }
    if (to == ST_NONE) {
        to = ST_SENT;
    }
    xd_flow__set_str(s, s->fx, "state", state_names[to]);
    next_step(s, to, &t);
    const char *sla = xd_flow__str(s->data, "sla");
    xd_flow__set_str(s, s->fx, "sla", sla != NULL ? sla : "ok");
    if (to == ST_CLOSED || to == ST_CANCELLED || to == ST_REJECTED) {
        const char *const expects[] = {"po_acknowledgement", "ship_notice", "receipt", "invoice"};
        for (size_t i = 0; i < XD_ARRAY_LEN(expects); i++) {
            cancel_timers(s, expects[i]);
        }
        xd_flow__append(s, xd_flow__arr(s, s->fx, "timers_cancel"), json_string(HOLD_TIMER));
    }
    return s->st;
}
