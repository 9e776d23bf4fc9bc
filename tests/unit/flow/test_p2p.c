/* The procure-to-pay rules without I/O: one step at a time on a thread's working data, checking
 * the state the rules choose, what they send, the timers they arm and cancel, the exceptions
 * they raise, and the exact-decimal tolerances of the three-way match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "canon/canon.h"
#include "core/decimal.h"
#include "flow/flow_int.h"

struct thread {
    char state[32];
    json_t *data;
    json_t *fx; /* effects of the last step */
};

static struct xd_flow_tolerances tol;
static int64_t now_ms = 1000; /* the clock of the next step */

static struct xd_decimal d(const char *s)
{
    struct xd_decimal v;
    assert_int_equal(xd_decimal_parse(s, strlen(s), XD_DECIMAL_STRICT, &v), XD_OK);
    return v;
}

static void run(struct thread *t, const char *type, json_t *doc, const struct xd_flow_sla *slas,
                size_t n_slas)
{
    json_decref(t->fx);
    struct xd_flow_step s = {.state = t->state[0] ? t->state : NULL,
                             .data = t->data,
                             .doc = doc,
                             .doc_type = type,
                             .doc_id = "doc",
                             .partner = "p",
                             .channel = "http",
                             .now_ms = now_ms,
                             .slas = slas,
                             .n_slas = n_slas,
                             .tol = tol,
                             .fx = json_object()};
    if (strcmp(type, "timer") == 0) {
        s.timer_kind = json_string_value(json_object_get(doc, "kind"));
        s.doc = NULL;
    } else if (strcmp(type, "action") == 0) {
        s.action = doc;
        s.doc = NULL;
    }
    assert_int_equal(xd_flow__p2p_step(&s), XD_OK);
    t->fx = s.fx;
    const char *st = json_string_value(json_object_get(s.fx, "state"));
    if (st != NULL) {
        snprintf(t->state, sizeof t->state, "%s", st);
    }
    json_decref(doc);
}

static json_t *po(const char *purpose)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:[{s:i, s:s, s:s, s:s, s:s}]}", "type",
                     "purchase_order", "po_number", "P1", "purpose", purpose,
                     "requested_delivery_date", "1970-01-11", "lines", "line_number", 1, "sku", "A",
                     "quantity", "10", "uom", "EA", "unit_price", "2.00");
}

static struct thread *new_thread(void)
{
    static struct thread t;
    json_decref(t.data);
    json_decref(t.fx);
    memset(&t, 0, sizeof t);
    t.data = json_pack("{s:s, s:s, s:s}", "supplier", "acme", "erp", "erp", "warehouse", "wms");
    return &t;
}

static size_t count_sent(const struct thread *t, const char *to)
{
    size_t n = 0, i;
    json_t *m;
    json_array_foreach(json_object_get(t->fx, "send"), i, m)
    {
        n += strcmp(json_string_value(json_object_get(m, "to")), to) == 0;
    }
    return n;
}

/* The first document this step sent to <to>, or NULL. */
static const json_t *sent_doc(const struct thread *t, const char *to)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(t->fx, "send"), i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "to")), to) == 0) {
            return json_object_get(m, "doc");
        }
    }
    return NULL;
}

static const char *first_exception(const struct thread *t)
{
    json_t *x = json_array_get(json_object_get(t->fx, "exceptions"), 0);
    return x != NULL ? json_string_value(json_object_get(x, "type")) : NULL;
}

/* ack, ship and receive 10 of line 1 */
static void through_receipt(struct thread *t)
{
    run(t, "purchase_order", po("original"), NULL, 0);
    run(t, "po_acknowledgement", json_pack("{s:s, s:s}", "po_number", "P1", "status", "accepted"),
        NULL, 0);
    run(t, "ship_notice",
        json_pack("{s:s, s:[{s:s, s:[{s:i, s:s, s:s}]}]}", "asn_number", "S1", "orders",
                  "po_number", "P1", "items", "line_number", 1, "quantity", "10", "uom", "EA"),
        NULL, 0);
    run(t, "receipt",
        json_pack("{s:s, s:s, s:[{s:i, s:s}]}", "receipt_number", "R1", "asn_number", "S1", "lines",
                  "po_line_number", 1, "received_quantity", "10"),
        NULL, 0);
    assert_string_equal(t->state, "received");
}

static json_t *invoice(const char *number, const char *qty, const char *price, const char *sub)
{
    return json_pack("{s:s, s:[{s:i, s:s, s:s}], s:{s:s}}", "invoice_number", number, "lines",
                     "po_line_number", 1, "quantity", qty, "unit_price", price, "totals",
                     "subtotal", sub);
}

static void test_order_is_sent_with_its_slas(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    const struct xd_flow_sla slas[] = {
        {.expect = "po_acknowledgement",
         .after = "purchase_order",
         .within_ms = 500,
         .at_risk_ms = 100},
        {.expect = "ship_notice", .before_member = "requested_delivery_date", .lead_ms = 86400000},
    };
    run(t, "purchase_order", po("original"), slas, 2);
    assert_string_equal(t->state, "sent");
    assert_int_equal(count_sent(t, "supplier"), 1);
    json_t *timers = json_object_get(t->fx, "timers");
    assert_int_equal(json_array_size(timers), 3);
    /* ack missed at now + 500, at risk 100 earlier; ASN due a day before day 10 of 1970 */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(timers, 0), "due_at")),
                     1500);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(timers, 1), "due_at")),
                     1400);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(timers, 2), "due_at")),
                     9LL * 86400000);
    assert_string_equal(json_string_value(json_object_get(t->fx, "owner")), "supplier");
}

static void test_unroutable_order_raises_for_the_buyer(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    json_object_del(t->data, "supplier");
    run(t, "purchase_order", po("original"), NULL, 0);
    assert_string_equal(t->state, "unroutable");
    assert_int_equal(count_sent(t, "supplier"), 0);
    assert_string_equal(first_exception(t), "unroutable");
}

static void test_cancel_stops_everything_and_late_documents_are_exceptions(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    run(t, "purchase_order", po("original"), NULL, 0);
    run(t, "purchase_order", po("cancel"), NULL, 0);
    assert_string_equal(t->state, "cancelled");
    assert_int_equal(count_sent(t, "supplier"), 1); /* the cancellation itself */
    assert_true(json_array_size(json_object_get(t->fx, "timers_cancel")) >= 2);
    run(t, "invoice", invoice("I1", "10", "2.00", "20.00"), NULL, 0);
    assert_string_equal(t->state, "cancelled");
    assert_string_equal(first_exception(t), "unexpected_document");
}

static void test_three_way_match_tolerances(void **state)
{
    (void)state;
    /* Exact: 2.01 against 2.00 is 0.5 %: refused at 0 %, accepted at 0.5 %. */
    struct thread *t = new_thread();
    through_receipt(t);
    run(t, "invoice", invoice("I1", "10", "2.01", "20.10"), NULL, 0);
    assert_string_equal(first_exception(t), "invoice_mismatch");
    assert_int_equal(count_sent(t, "erp"), 0);

    t = new_thread();
    tol.unit_price_pct = d("0.5");
    tol.amount = d("0.10");
    through_receipt(t);
    run(t, "invoice", invoice("I1", "10", "2.01", "20.10"), NULL, 0);
    assert_null(first_exception(t));
    assert_int_equal(count_sent(t, "erp"), 1);
    assert_string_equal(t->state, "closed");
    xd_flow_tolerances_init(&tol);
}

static void test_line_rounding_is_not_a_difference(void **state)
{
    (void)state;
    /* 10 x 2.0005 = 20.005 billed as 20.01 (rounded to the cent): matched; 20.02: not. */
    struct thread *t = new_thread();
    through_receipt(t);
    json_object_set_new(json_object_get(json_object_get(t->data, "lines"), "1"), "unit_price",
                        json_string("2.0005"));
    run(t, "invoice", invoice("I1", "10", "2.0005", "20.01"), NULL, 0);
    assert_null(first_exception(t));
    t = new_thread();
    through_receipt(t);
    json_object_set_new(json_object_get(json_object_get(t->data, "lines"), "1"), "unit_price",
                        json_string("2.0005"));
    run(t, "invoice", invoice("I1", "10", "2.0005", "20.02"), NULL, 0);
    assert_string_equal(first_exception(t), "invoice_mismatch");
}

static void test_invoice_waits_for_goods_in_transit(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    run(t, "purchase_order", po("original"), NULL, 0);
    run(t, "ship_notice",
        json_pack("{s:s, s:[{s:s, s:[{s:i, s:s, s:s}]}]}", "asn_number", "S1", "orders",
                  "po_number", "P1", "items", "line_number", 1, "quantity", "10", "uom", "EA"),
        NULL, 0);
    run(t, "invoice", invoice("I1", "10", "2.00", "20.00"), NULL, 0);
    assert_null(first_exception(t)); /* held, not a mismatch: the goods are on their way */
    assert_int_equal(count_sent(t, "erp"), 0);
    run(t, "receipt",
        json_pack("{s:s, s:s, s:[{s:i, s:s}]}", "receipt_number", "R1", "asn_number", "S1", "lines",
                  "po_line_number", 1, "received_quantity", "10"),
        NULL, 0);
    assert_int_equal(count_sent(t, "erp"), 2); /* the receipt and the invoice it released */
    assert_string_equal(t->state, "closed");
}

static void test_sla_timer_marks_the_thread(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    run(t, "purchase_order", po("original"), NULL, 0);
    run(t, "timer", json_pack("{s:s}", "kind", "sla.po_acknowledgement.missed"), NULL, 0);
    assert_string_equal(json_string_value(json_object_get(t->fx, "sla")), "missed");
    assert_string_equal(first_exception(t), "sla_missed");
    run(t, "po_acknowledgement", json_pack("{s:s, s:s}", "po_number", "P1", "status", "accepted"),
        NULL, 0);
    assert_string_equal(json_string_value(json_object_get(t->fx, "sla")), "ok");
    assert_int_equal(json_array_size(json_object_get(t->fx, "resolve")), 2);
}

static void test_invoice_sla_after_the_receipt(void **state)
{
    (void)state;
    const struct xd_flow_sla slas[] = {
        {.expect = "invoice", .after = "receipt", .within_ms = 3000},
    };
    struct thread *t = new_thread();
    run(t, "purchase_order", po("original"), slas, 1);
    assert_int_equal(json_array_size(json_object_get(t->fx, "timers")), 0);
    run(t, "receipt",
        json_pack("{s:s, s:[{s:i, s:s}]}", "receipt_number", "R1", "lines", "po_line_number", 1,
                  "received_quantity", "10"),
        slas, 1);
    json_t *timers = json_object_get(t->fx, "timers");
    assert_int_equal(json_array_size(timers), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(timers, 0), "kind")),
                        "sla.invoice.missed");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(timers, 0), "due_at")),
                     4000);
    run(t, "invoice", invoice("I1", "10", "2.00", "20.00"), slas, 1);
    json_t *cancel = json_object_get(t->fx, "timers_cancel");
    bool cancelled = false;
    size_t i;
    json_t *k;
    json_array_foreach(cancel, i, k)
    {
        cancelled |= strcmp(json_string_value(k), "sla.invoice.missed") == 0;
    }
    assert_true(cancelled);
}

/* ---- several ship notices and receipts, holds, and what closes which exception ------------- */

static json_t *asn_of(const char *number, const char *qty)
{
    return json_pack("{s:s, s:s, s:[{s:s, s:[{s:i, s:s, s:s}]}]}", "type", "ship_notice",
                     "asn_number", number, "orders", "po_number", "P1", "items", "line_number", 1,
                     "quantity", qty, "uom", "EA");
}

static json_t *receipt_of(const char *number, const char *asn, const char *qty, const char *dmg)
{
    return json_pack("{s:s, s:s, s:s, s:[{s:i, s:s, s:s}]}", "type", "receipt", "receipt_number",
                     number, "asn_number", asn, "lines", "po_line_number", 1, "received_quantity",
                     qty, "damaged_quantity", dmg);
}

static void acked(struct thread *t)
{
    run(t, "purchase_order", po("original"), NULL, 0);
    run(t, "po_acknowledgement", json_pack("{s:s, s:s}", "po_number", "P1", "status", "accepted"),
        NULL, 0);
}

/* The exception of this step's effects of <type> (the first), or NULL. */
static json_t *raised(const struct thread *t, const char *type)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(t->fx, "exceptions"), i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "type")), type) == 0) {
            return x;
        }
    }
    return NULL;
}

static bool subject_is(const json_t *o, const char *document, const char *number)
{
    const json_t *sub = json_object_get(o, "subject");
    const char *n = json_string_value(json_object_get(sub, "number"));
    return sub != NULL &&
           strcmp(json_string_value(json_object_get(sub, "document")), document) == 0 &&
           (number == NULL ? n == NULL : n != NULL && strcmp(n, number) == 0);
}

static bool has_string(const json_t *arr, const char *v)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), v) == 0) {
            return true;
        }
    }
    return false;
}

static const char *invoice_state(const struct thread *t, const char *number)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(t->data, "invoices"), number), "state"));
}

/* The hold timer this step armed, or -1. */
static int64_t hold_due(const struct thread *t)
{
    size_t i;
    json_t *tm;
    json_array_foreach(json_object_get(t->fx, "timers"), i, tm)
    {
        if (strcmp(json_string_value(json_object_get(tm, "kind")), "invoice.hold") == 0) {
            return json_integer_value(json_object_get(tm, "due_at"));
        }
    }
    return -1;
}

/* Ship notice S1 announces 10; receipt R1 takes in 4 (short: a variance on S1); invoice I1
 * bills all 10 while the other 6 are still awaited: held, not a mismatch. */
static void invoice_between_receipts(struct thread *t)
{
    acked(t);
    run(t, "ship_notice", asn_of("S1", "10"), NULL, 0);
    run(t, "receipt", receipt_of("R1", "S1", "4", "0"), NULL, 0);
    assert_string_equal(t->state, "partially_received");
    json_t *v = raised(t, "receipt_variance");
    assert_non_null(v);
    assert_true(subject_is(v, "ship_notice", "S1"));
    run(t, "invoice", invoice("I1", "10", "2.00", "20.00"), NULL, 0);
    assert_null(first_exception(t));
    assert_int_equal(count_sent(t, "erp"), 0);
    assert_string_equal(invoice_state(t, "I1"), "held");
    assert_string_equal(t->state, "invoiced");
    assert_string_equal(json_string_value(json_object_get(t->fx, "owner")), "warehouse");
    assert_int_equal(hold_due(t), now_ms + tol.hold_ms);
}

static void test_invoice_between_two_receipts_of_one_asn_is_held(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    invoice_between_receipts(t);
    /* The rest of the ship notice arrives: the variance of S1 closes, the invoice matches. */
    run(t, "receipt", receipt_of("R2", "S1", "6", "0"), NULL, 0);
    assert_null(first_exception(t));
    assert_int_equal(count_sent(t, "erp"), 2); /* the receipt and the invoice it released */
    assert_string_equal(invoice_state(t, "I1"), "matched");
    assert_string_equal(t->state, "closed");
    json_t *r = json_object_get(t->fx, "resolve");
    assert_int_equal(json_array_size(r), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 0), "type")),
                        "receipt_variance");
    assert_true(subject_is(json_array_get(r, 0), "ship_notice", "S1"));
    assert_true(has_string(json_object_get(t->fx, "timers_cancel"), "invoice.hold"));
}

static void test_held_invoice_ends_in_a_mismatch_when_its_hold_expires(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    invoice_between_receipts(t);
    int64_t due = now_ms + tol.hold_ms;
    /* A timer that comes early (a restart's leftover) changes nothing and is set again. */
    now_ms = due - 1;
    run(t, "timer", json_pack("{s:s}", "kind", "invoice.hold"), NULL, 0);
    assert_null(first_exception(t));
    assert_string_equal(invoice_state(t, "I1"), "held");
    assert_int_equal(hold_due(t), due);
    /* The hold ends with 6 never received: a mismatch for accounts payable, not a hang. */
    now_ms = due;
    run(t, "timer", json_pack("{s:s}", "kind", "invoice.hold"), NULL, 0);
    json_t *x = raised(t, "invoice_mismatch");
    assert_non_null(x);
    assert_true(subject_is(x, "invoice", "I1"));
    assert_true(json_is_true(json_object_get(json_object_get(x, "detail"), "hold_expired")));
    json_t *p = json_array_get(json_object_get(json_object_get(x, "detail"), "problems"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "kind")), "quantity");
    assert_string_equal(json_string_value(json_object_get(p, "received")), "4");
    assert_string_equal(invoice_state(t, "I1"), "mismatch");
    assert_int_equal(count_sent(t, "erp"), 0);
    assert_string_equal(t->state, "invoiced");
    assert_string_equal(json_string_value(json_object_get(t->fx, "owner")), "accounts_payable");
    assert_true(has_string(json_object_get(t->fx, "timers_cancel"), "invoice.hold"));
    /* The goods come after all: the invoice matches and its own exception closes. */
    now_ms = due + 10;
    run(t, "receipt", receipt_of("R2", "S1", "6", "0"), NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "matched");
    assert_int_equal(count_sent(t, "erp"), 2);
    bool closed_invoice = false;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(t->fx, "resolve"), i, r)
    {
        closed_invoice |= subject_is(r, "invoice", "I1");
    }
    assert_true(closed_invoice);
    assert_string_equal(t->state, "closed");
    now_ms = 1000;
}

static void test_invoice_held_without_an_end_gets_one(void **state)
{
    (void)state;
    /* A thread held by a hub that gave holds no end: the next receipt gives it one. */
    struct thread *t = new_thread();
    invoice_between_receipts(t);
    json_object_del(json_object_get(json_object_get(t->data, "invoices"), "I1"), "held_until");
    now_ms = 5000;
    run(t, "receipt", receipt_of("R2", "S1", "1", "0"), NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "held");
    assert_int_equal(hold_due(t), 5000 + tol.hold_ms);
    now_ms = 1000;
}

static void test_written_off_shortage_ends_the_hold(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    invoice_between_receipts(t);
    /* The buyer accepts the shortage: nothing is awaited any more, the invoice bills 10 for
     * 4 received: a mismatch now (the hold did not expire: it was ended). */
    run(t, "action",
        json_pack("{s:s, s:{s:s, s:s}}", "action", "accept_variance", "exception", "type",
                  "receipt_variance", "id", "x1"),
        NULL, 0);
    json_t *x = raised(t, "invoice_mismatch");
    assert_non_null(x);
    assert_null(json_object_get(json_object_get(x, "detail"), "hold_expired"));
    assert_string_equal(invoice_state(t, "I1"), "mismatch");
    assert_true(has_string(json_object_get(t->fx, "timers_cancel"), "invoice.hold"));
}

static void test_mismatch_when_more_is_billed_than_awaited(void **state)
{
    (void)state;
    /* 4 received, 3 more announced on S2 (S1 is complete): billing 10 is 3 too many. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("S1", "4"), NULL, 0);
    run(t, "ship_notice", asn_of("S2", "3"), NULL, 0);
    run(t, "receipt", receipt_of("R1", "S1", "4", "0"), NULL, 0);
    run(t, "invoice", invoice("I1", "10", "2.00", "20.00"), NULL, 0);
    assert_string_equal(first_exception(t), "invoice_mismatch");
    /* Billing 7 waits for S2. */
    run(t, "invoice", invoice("I2", "7", "2.00", "14.00"), NULL, 0);
    assert_null(first_exception(t));
    assert_string_equal(invoice_state(t, "I2"), "held");
}

static void test_a_receipt_closes_only_its_ship_notices_variance(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("A", "5"), NULL, 0);
    run(t, "ship_notice", asn_of("B", "5"), NULL, 0);
    run(t, "receipt", receipt_of("RA", "A", "3", "1"), NULL, 0); /* short and damaged */
    json_t *xa = json_deep_copy(raised(t, "receipt_variance"));
    assert_true(subject_is(xa, "ship_notice", "A"));
    run(t, "receipt", receipt_of("RB1", "B", "2", "0"), NULL, 0);
    json_t *xb = json_deep_copy(raised(t, "receipt_variance"));
    assert_true(subject_is(xb, "ship_notice", "B"));
    run(t, "receipt", receipt_of("RB2", "B", "3", "0"), NULL, 0);
    assert_null(first_exception(t));
    json_t *r = json_object_get(t->fx, "resolve");
    assert_int_equal(json_array_size(r), 1);
    assert_true(xd_flow__resolves(json_array_get(r, 0), xb));
    assert_false(xd_flow__resolves(json_array_get(r, 0), xa)); /* A is still short */
    /* The rest of A comes, but A had damage: no receipt makes that up, its variance stays. */
    run(t, "receipt", receipt_of("RA2", "A", "2", "0"), NULL, 0);
    assert_int_equal(json_array_size(json_object_get(t->fx, "resolve")), 0);
    json_decref(xa);
    json_decref(xb);
}

static void test_a_rematch_closes_only_its_invoices_mismatch(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    acked(t);
    /* Billed before anything shipped: I1 a quantity mismatch, I2 a price one. */
    run(t, "invoice", invoice("I1", "10", "2.00", "20.00"), NULL, 0);
    json_t *x1 = json_deep_copy(raised(t, "invoice_mismatch"));
    assert_true(subject_is(x1, "invoice", "I1"));
    run(t, "invoice", invoice("I2", "1", "3.00", "3.00"), NULL, 0);
    json_t *x2 = json_deep_copy(raised(t, "invoice_mismatch"));
    assert_true(subject_is(x2, "invoice", "I2"));
    run(t, "ship_notice", asn_of("S1", "10"), NULL, 0);
    run(t, "receipt", receipt_of("R1", "S1", "10", "0"), NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "matched");
    assert_string_equal(invoice_state(t, "I2"), "mismatch");
    /* One entry closes invoice mismatches (the other is the complete ship notice's). */
    size_t i, n = 0;
    json_t *r;
    json_array_foreach(json_object_get(t->fx, "resolve"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "type")), "invoice_mismatch") == 0) {
            n++;
            assert_true(xd_flow__resolves(r, x1));
            assert_false(xd_flow__resolves(r, x2));
        }
    }
    assert_int_equal(n, 1);
    json_decref(x1);
    json_decref(x2);
}

static void test_an_sla_met_closes_only_its_own_exceptions(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    run(t, "purchase_order", po("original"), NULL, 0);
    run(t, "timer", json_pack("{s:s}", "kind", "sla.po_acknowledgement.missed"), NULL, 0);
    json_t *ack = json_deep_copy(raised(t, "sla_missed"));
    run(t, "timer", json_pack("{s:s}", "kind", "sla.ship_notice.missed"), NULL, 0);
    json_t *ship = json_deep_copy(raised(t, "sla_missed"));
    assert_true(subject_is(ship, "ship_notice", NULL));
    run(t, "po_acknowledgement", json_pack("{s:s, s:s}", "po_number", "P1", "status", "accepted"),
        NULL, 0);
    json_t *r = json_object_get(t->fx, "resolve");
    size_t i;
    json_t *e;
    bool ack_closed = false;
    json_array_foreach(r, i, e)
    {
        ack_closed |= xd_flow__resolves(e, ack);
        assert_false(xd_flow__resolves(e, ship));
    }
    assert_true(ack_closed);
    /* The ship notice's SLA is still missed. */
    assert_string_equal(json_string_value(json_object_get(t->fx, "sla")), "missed");
    json_decref(ack);
    json_decref(ship);
}

static void test_resolves_by_type_and_subject(void **state)
{
    (void)state;
    json_t *r = json_pack("{s:s, s:{s:s, s:s}}", "type", "receipt_variance", "subject", "document",
                          "ship_notice", "number", "A");
    json_t *same = json_pack("{s:s, s:{s:s, s:s}}", "type", "receipt_variance", "subject",
                             "document", "ship_notice", "number", "A");
    json_t *other = json_pack("{s:s, s:{s:s, s:s}}", "type", "receipt_variance", "subject",
                              "document", "ship_notice", "number", "B");
    json_t *legacy = json_pack("{s:s}", "type", "receipt_variance"); /* stored before subjects */
    json_t *type = json_pack("{s:s}", "type", "invoice_mismatch");
    json_t *every = json_pack("{s:s}", "type", "receipt_variance"); /* no subject: all */
    assert_true(xd_flow__resolves(r, same));
    assert_false(xd_flow__resolves(r, other));
    assert_true(xd_flow__resolves(r, legacy));
    assert_false(xd_flow__resolves(r, type));
    assert_true(xd_flow__resolves(every, other));
    json_t *all[] = {r, same, other, legacy, type, every};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        json_decref(all[i]);
    }
}

/* ---- receipts naming no ship notice, and write-offs of one subject ------------------------ */

/* A receipt of line 1 that names no ship notice (a 944 without the shipment's number); <exp>
 * the quantity the warehouse expected, or NULL. */
static json_t *receipt_unnamed(const char *number, const char *qty, const char *exp)
{
    json_t *r = json_pack("{s:s, s:[{s:i, s:s}]}", "receipt_number", number, "lines",
                          "po_line_number", 1, "received_quantity", qty);
    if (exp != NULL) {
        json_object_set_new(json_array_get(json_object_get(r, "lines"), 0), "expected_quantity",
                            json_string(exp));
    }
    return r;
}

static const char *str_at(const json_t *o, const char *a, const char *b, const char *c)
{
    const json_t *v = json_object_get(json_object_get(json_object_get(o, a), b), c);
    return json_string_value(v);
}

/* What ship notice <asn> counts as received of line 1. */
static const char *asn_got(const struct thread *t, const char *asn)
{
    return str_at(json_object_get(t->data, "asns"), asn, "got", "1");
}

static const char *line1(const struct thread *t, const char *member)
{
    return str_at(t->data, "lines", "1", member);
}

/* The detail of this step's event <name> (the first), or NULL. */
static json_t *event_detail(const struct thread *t, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(t->fx, "events"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "event")), name) == 0) {
            return json_object_get(e, "detail");
        }
    }
    return NULL;
}

/* A person accepts the variance <x> (an exception as raised; taken). */
static void accept(struct thread *t, json_t *x)
{
    json_object_set_new(x, "id", json_string("x"));
    run(t, "action", json_pack("{s:s, s:o}", "action", "accept_variance", "exception", x), NULL, 0);
}

/* The <i>th receipt this step sent to the ERP, or NULL. */
static const json_t *sent_receipt(const struct thread *t, size_t i)
{
    size_t k;
    json_t *m;
    json_array_foreach(json_object_get(t->fx, "send"), k, m)
    {
        const json_t *doc = json_object_get(m, "doc");
        if (strcmp(json_string_value(json_object_get(m, "to")), "erp") == 0 &&
            json_object_get(doc, "receipt_number") != NULL && i-- == 0) {
            return doc;
        }
    }
    return NULL;
}

/* Member <k> of line <i> of document <doc>. */
static const char *line_str(const json_t *doc, size_t i, const char *k)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(doc, "lines"), i), k));
}

static void test_a_receipt_naming_no_asn_counts_on_the_oldest_ship_notices(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("S1", "4"), NULL, 0);
    run(t, "ship_notice", asn_of("S2", "6"), NULL, 0);
    run(t, "invoice", invoice("I1", "10", "2.00", "20.00"), NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "held");
    /* 7 received against the order: S1 takes its 4, S2 the other 3; nothing is a variance. */
    run(t, "receipt", receipt_unnamed("R1", "7", NULL), NULL, 0);
    assert_null(first_exception(t));
    assert_string_equal(asn_got(t, "S1"), "4");
    assert_string_equal(asn_got(t, "S2"), "3");
    json_t *on = json_object_get(event_detail(t, "receipt.received"), "counted_on");
    assert_string_equal(json_string_value(json_object_get(json_object_get(on, "S1"), "1")), "4");
    assert_string_equal(json_string_value(json_object_get(json_object_get(on, "S2"), "1")), "3");
    /* The ERP books receipts per incoming shipment: it gets one per ship notice. */
    const json_t *r1 = sent_receipt(t, 0), *r2 = sent_receipt(t, 1);
    assert_null(sent_receipt(t, 2));
    assert_string_equal(json_string_value(json_object_get(r1, "asn_number")), "S1");
    assert_string_equal(json_string_value(json_object_get(r1, "receipt_number")), "R1");
    assert_string_equal(line_str(r1, 0, "received_quantity"), "4");
    assert_string_equal(json_string_value(json_object_get(r2, "asn_number")), "S2");
    assert_string_equal(line_str(r2, 0, "received_quantity"), "3");
    json_t *inf = json_object_get(event_detail(t, "receipt.received"), "asn_numbers_inferred");
    assert_int_equal(json_array_size(inf), 2);
    assert_string_equal(json_string_value(json_array_get(inf, 1)), "S2");
    assert_string_equal(invoice_state(t, "I1"), "held"); /* 3 still awaited on S2 */
    assert_string_equal(t->state, "invoiced");
    /* The same receipt again counts once. */
    run(t, "receipt", receipt_unnamed("R1", "7", NULL), NULL, 0);
    assert_string_equal(asn_got(t, "S2"), "3");
    assert_string_equal(line1(t, "received"), "7");
    /* The rest arrives, again naming no ship notice: the invoice matches, the order closes. */
    run(t, "receipt", receipt_unnamed("R2", "3", NULL), NULL, 0);
    assert_null(first_exception(t));
    assert_string_equal(asn_got(t, "S1"), "4"); /* S1 took nothing more than it announced */
    assert_string_equal(asn_got(t, "S2"), "6");
    assert_string_equal(invoice_state(t, "I1"), "matched");
    assert_int_equal(count_sent(t, "erp"), 2); /* the receipt and the invoice it released */
    assert_string_equal(t->state, "closed");
}

static void test_goods_no_ship_notice_awaits_are_unannounced(void **state)
{
    (void)state;
    /* S1 awaits 4: a receipt of 6 naming none counts 4 on S1; 2 were announced by nobody. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("S1", "4"), NULL, 0);
    run(t, "receipt", receipt_unnamed("R1", "6", NULL), NULL, 0);
    assert_string_equal(asn_got(t, "S1"), "4");
    json_t *x = raised(t, "receipt_variance");
    assert_non_null(x);
    assert_true(subject_is(x, "receipt", "R1"));
    json_t *v = json_array_get(json_object_get(x, "detail"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "kind")), "unannounced");
    assert_int_equal(json_integer_value(json_object_get(v, "line_number")), 1);
    assert_string_equal(json_string_value(json_object_get(v, "expected")), "4");
    assert_string_equal(json_string_value(json_object_get(v, "actual")), "6");
    assert_int_equal(json_array_size(json_object_get(x, "detail")), 1);
    /* A receipt naming a ship notice the order does not know is unannounced as a whole and
     * counts on no ship notice. */
    run(t, "ship_notice", asn_of("S2", "5"), NULL, 0);
    run(t, "receipt", receipt_of("R2", "S9", "5", "0"), NULL, 0);
    x = raised(t, "receipt_variance");
    assert_true(subject_is(x, "receipt", "R2"));
    v = json_array_get(json_object_get(x, "detail"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "kind")), "unannounced");
    assert_null(json_object_get(v, "line_number"));
    assert_null(asn_got(t, "S2"));
}

static void test_the_erp_is_told_the_ship_notices_a_receipt_was_counted_on(void **state)
{
    (void)state;
    /* One ship notice awaits the goods: the ERP's copy of a receipt naming none names it. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("S1", "10"), NULL, 0);
    run(t, "receipt", receipt_unnamed("R1", "6", NULL), NULL, 0);
    assert_string_equal(json_string_value(json_object_get(sent_receipt(t, 0), "asn_number")), "S1");
    assert_null(sent_receipt(t, 1));
    json_t *inf = json_object_get(event_detail(t, "receipt.received"), "asn_numbers_inferred");
    assert_int_equal(json_array_size(inf), 1);
    assert_string_equal(json_string_value(json_array_get(inf, 0)), "S1");
    /* Two await line 1: counted on the older, as the hub counts it. */
    run(t, "ship_notice", asn_of("S2", "5"), NULL, 0);
    run(t, "receipt", receipt_unnamed("R2", "2", NULL), NULL, 0);
    assert_string_equal(json_string_value(json_object_get(sent_receipt(t, 0), "asn_number")), "S1");
    assert_null(sent_receipt(t, 1));
    assert_string_equal(asn_got(t, "S1"), "8");
    /* Goods beyond what is awaited: not all of it is of a ship notice, the ERP gets it as it
     * came. */
    run(t, "receipt", receipt_unnamed("R3", "9", NULL), NULL, 0);
    assert_null(json_object_get(sent_receipt(t, 0), "asn_number"));
    assert_null(sent_receipt(t, 1));
    assert_null(json_object_get(event_detail(t, "receipt.received"), "asn_numbers_inferred"));
}

static void test_a_receipt_split_over_ship_notices_keeps_every_quantity(void **state)
{
    (void)state;
    /* S1 awaits 4 of line 1, S2 6. The warehouse counted two lots of line 1, 3 (1 damaged,
     * 4 expected) and 5, and a third it expected 2 of and received nothing of: S1 takes the
     * first lot and 1 of the second, S2 the other 4; the line of nothing goes with the first
     * copy. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("S1", "4"), NULL, 0);
    run(t, "ship_notice", asn_of("S2", "6"), NULL, 0);
    json_t *r =
        json_pack("{s:s, s:[{s:i, s:i, s:s, s:s, s:s}, {s:i, s:i, s:s}, {s:i, s:i, s:s, "
                  "s:s}]}",
                  "receipt_number", "R1", "lines", "line_number", 1, "po_line_number", 1,
                  "received_quantity", "3", "damaged_quantity", "1", "expected_quantity", "4",
                  "line_number", 2, "po_line_number", 1, "received_quantity", "5", "line_number", 3,
                  "po_line_number", 1, "received_quantity", "0", "expected_quantity", "2");
    run(t, "receipt", r, NULL, 0);
    const json_t *c1 = sent_receipt(t, 0), *c2 = sent_receipt(t, 1);
    assert_null(sent_receipt(t, 2));
    assert_string_equal(json_string_value(json_object_get(c1, "asn_number")), "S1");
    assert_int_equal(json_array_size(json_object_get(c1, "lines")), 3);
    assert_string_equal(line_str(c1, 0, "received_quantity"), "3");
    assert_string_equal(line_str(c1, 0, "damaged_quantity"), "1");
    assert_string_equal(line_str(c1, 0, "expected_quantity"), "4");
    assert_string_equal(line_str(c1, 1, "received_quantity"), "1");
    assert_string_equal(line_str(c1, 2, "received_quantity"), "0");
    assert_string_equal(line_str(c1, 2, "expected_quantity"), "2");
    assert_string_equal(json_string_value(json_object_get(c2, "asn_number")), "S2");
    assert_int_equal(json_array_size(json_object_get(c2, "lines")), 1);
    assert_string_equal(line_str(c2, 0, "received_quantity"), "4");
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(c2, "lines"), 0), "line_number")),
                     2);
    assert_null(line_str(c2, 0, "damaged_quantity"));
    assert_string_equal(asn_got(t, "S1"), "4");
    assert_string_equal(asn_got(t, "S2"), "4");
}

static void test_a_receipt_naming_no_asn_completes_a_ship_notice(void **state)
{
    (void)state;
    /* R1 names S1 and is short (a variance on S1); the rest comes on a receipt naming none:
     * S1 is complete, its variance closes. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("S1", "10"), NULL, 0);
    run(t, "receipt", receipt_of("R1", "S1", "4", "0"), NULL, 0);
    assert_true(subject_is(raised(t, "receipt_variance"), "ship_notice", "S1"));
    run(t, "receipt", receipt_unnamed("R2", "6", NULL), NULL, 0);
    assert_null(first_exception(t));
    json_t *r = json_object_get(t->fx, "resolve");
    assert_int_equal(json_array_size(r), 1);
    assert_true(subject_is(json_array_get(r, 0), "ship_notice", "S1"));
    assert_string_equal(t->state, "received");
}

static void test_a_receipt_before_its_ship_notice_counts_when_it_comes(void **state)
{
    (void)state;
    /* The warehouse receives S1's goods before the supplier's 856 reaches the hub: the receipt
     * is unannounced for now; when S1 comes, what was counted is S1's, the exception closes. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "receipt", receipt_of("R1", "S1", "6", "0"), NULL, 0);
    assert_true(subject_is(raised(t, "receipt_variance"), "receipt", "R1"));
    run(t, "ship_notice", asn_of("S1", "6"), NULL, 0);
    assert_null(raised(t, "receipt_variance"));
    json_t *r = json_object_get(t->fx, "resolve");
    assert_int_equal(json_array_size(r), 1);
    assert_true(subject_is(json_array_get(r, 0), "receipt", "R1"));
    assert_string_equal(asn_got(t, "S1"), "6");
    json_t *d = event_detail(t, "asn.early_receipts");
    assert_non_null(d);
    assert_int_equal(json_array_size(json_object_get(d, "variances")), 0);
    assert_null(json_object_get(json_object_get(t->data, "early_receipts"), "S1"));
    /* S2 is announced 4, but its early receipt counted 3, one damaged: a variance about S2,
     * which a later receipt of S2 can make up. */
    run(t, "receipt", receipt_of("R2", "S2", "3", "1"), NULL, 0);
    run(t, "ship_notice", asn_of("S2", "4"), NULL, 0);
    json_t *x = raised(t, "receipt_variance");
    assert_true(subject_is(x, "ship_notice", "S2"));
    json_t *v = json_object_get(x, "detail");
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "kind")), "short");
    assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "expected")), "4");
    assert_string_equal(json_string_value(json_object_get(json_array_get(v, 1), "kind")),
                        "damaged");
    assert_string_equal(asn_got(t, "S2"), "3");
    /* A later receipt of S2 takes only what S2 still awaits. */
    run(t, "receipt", receipt_of("R3", "S2", "1", "0"), NULL, 0);
    assert_null(raised(t, "receipt_variance"));
    assert_string_equal(asn_got(t, "S2"), "4");
    assert_string_equal(line1(t, "received"), "10");
}

/* The documents this step sent to <to>, as "type:number" joined by spaces. */
static void sent_to(const struct thread *t, const char *to, char *out, size_t cap)
{
    out[0] = '\0';
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(t->fx, "send"), i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "to")), to) != 0) {
            continue;
        }
        const json_t *doc = json_object_get(m, "doc");
        const char *n = json_string_value(json_object_get(doc, "receipt_number"));
        n = n != NULL ? n : json_string_value(json_object_get(doc, "asn_number"));
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s:%s", len ? " " : "",
                 json_string_value(json_object_get(doc, "type")), n != NULL ? n : "?");
    }
}

static void test_a_receipt_before_its_ship_notice_reaches_the_erp_after_it(void **state)
{
    (void)state;
    /* An ERP that books receipts against the incoming shipment must know the shipment first:
     * the receipt is held, and sent right after the ship notice when it comes. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "receipt", receipt_of("R1", "S1", "6", "0"), NULL, 0);
    assert_int_equal(count_sent(t, "erp"), 0);
    assert_int_equal(hold_due(t), now_ms + tol.hold_ms);
    json_t *d = event_detail(t, "receipt.received");
    assert_string_equal(json_string_value(json_object_get(d, "erp_held_for")), "S1");
    run(t, "ship_notice", asn_of("S1", "6"), NULL, 0);
    char sent[256];
    sent_to(t, "erp", sent, sizeof sent);
    assert_string_equal(sent, "ship_notice:S1 receipt:R1");
    assert_int_equal(
        json_integer_value(json_object_get(event_detail(t, "asn.early_receipts"), "posted_to_erp")),
        1);
    assert_true(has_string(json_object_get(t->fx, "timers_cancel"), "invoice.hold"));
}

static void test_a_held_receipt_goes_to_the_erp_when_its_hold_ends(void **state)
{
    (void)state;
    /* The ship notice never comes (the warehouse mistyped it): when the hold ends the receipt
     * goes to the ERP as it came; its counts stay kept for that ship notice. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "receipt", receipt_of("R1", "S9", "6", "0"), NULL, 0);
    int64_t due = hold_due(t);
    assert_true(due > now_ms);
    now_ms = due - 1;
    run(t, "timer", json_pack("{s:s}", "kind", "invoice.hold"), NULL, 0);
    assert_int_equal(count_sent(t, "erp"), 0);
    assert_int_equal(hold_due(t), due);
    now_ms = due;
    run(t, "timer", json_pack("{s:s}", "kind", "invoice.hold"), NULL, 0);
    char sent[256];
    sent_to(t, "erp", sent, sizeof sent);
    assert_string_equal(sent, "receipt:R1");
    json_t *d = event_detail(t, "receipt.hold_expired");
    assert_string_equal(json_string_value(json_object_get(d, "asn_number")), "S9");
    assert_true(has_string(json_object_get(t->fx, "timers_cancel"), "invoice.hold"));
    json_t *e = json_object_get(json_object_get(t->data, "early_receipts"), "S9");
    assert_non_null(json_object_get(e, "got"));
    assert_null(json_object_get(e, "erp"));
    /* The hold does not fire twice. */
    run(t, "timer", json_pack("{s:s}", "kind", "invoice.hold"), NULL, 0);
    assert_int_equal(count_sent(t, "erp"), 0);
    now_ms = 1000;
}

static void test_cancelling_sends_receipts_held_for_their_ship_notice(void **state)
{
    (void)state;
    /* The goods of a receipt held for its ship notice are on the dock whatever becomes of the
     * order: cancelling it sends the receipt to the ERP as it came. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "receipt", receipt_of("R1", "S9", "6", "0"), NULL, 0);
    assert_int_equal(count_sent(t, "erp"), 0);
    run(t, "purchase_order", po("cancel"), NULL, 0);
    assert_string_equal(t->state, "cancelled");
    char sent[256];
    sent_to(t, "erp", sent, sizeof sent);
    assert_string_equal(sent, "receipt:R1");
    assert_int_equal(count_sent(t, "supplier"), 1);
    json_t *d = event_detail(t, "po.cancelled");
    assert_int_equal(json_integer_value(json_object_get(d, "receipts_posted_to_erp")), 1);
}

static json_t *advice(const char *number, const char *status)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "application_advice",
                     "advice_number", number, "status", status, "document_type", "purchase_order",
                     "document_number", "P1", "reason", "priced below the catalog");
}

static void test_an_advice_rejecting_the_order_is_the_buyers(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    run(t, "purchase_order", po("original"), NULL, 0);
    run(t, "application_advice", advice("A1", "rejected"), NULL, 0);
    json_t *x = raised(t, "document_rejected");
    assert_non_null(x);
    assert_true(subject_is(x, "purchase_order", "P1"));
    assert_string_equal(json_string_value(json_object_get(x, "owner")), "buyer");
    assert_true(has_string(json_object_get(x, "actions"), "resend"));
    assert_string_equal(t->state, "sent");
    run(t, "application_advice", advice("A1", "rejected"), NULL, 0);
    assert_null(raised(t, "document_rejected"));
    assert_non_null(event_detail(t, "application_advice.duplicate"));
    run(t, "application_advice", advice("A2", "accepted_with_errors"), NULL, 0);
    x = raised(t, "document_errors");
    assert_non_null(x);
    assert_false(has_string(json_object_get(x, "actions"), "resend"));
    run(t, "application_advice", advice("A3", "accepted"), NULL, 0);
    assert_null(first_exception(t));
    json_t *r = json_object_get(t->fx, "resolve");
    assert_int_equal(json_array_size(r), 2);
    assert_true(subject_is(json_array_get(r, 0), "purchase_order", "P1"));
    assert_true(subject_is(json_array_get(r, 1), "purchase_order", "P1"));
    assert_string_equal(t->state, "sent");
}

static void test_accepting_a_ship_notices_variance_writes_off_only_its_shortage(void **state)
{
    (void)state;
    /* Ordered 10, shipped on A (5) and B (5). A is received short (3); the buyer accepts A's
     * shortage while B is still on its way: 2 written off, B still awaited. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("A", "5"), NULL, 0);
    run(t, "ship_notice", asn_of("B", "5"), NULL, 0);
    run(t, "receipt", receipt_of("RA", "A", "3", "0"), NULL, 0);
    json_t *xa = json_deep_copy(raised(t, "receipt_variance"));
    assert_true(subject_is(xa, "ship_notice", "A"));
    run(t, "invoice", invoice("I1", "8", "2.00", "16.00"), NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "held");
    accept(t, json_deep_copy(xa));
    assert_string_equal(line1(t, "short_accepted"), "2");
    json_t *done = json_object_get(event_detail(t, "exception.action"), "written_off");
    assert_string_equal(json_string_value(json_object_get(done, "1")), "2");
    assert_string_equal(invoice_state(t, "I1"), "held"); /* the 5 of B are still awaited */
    assert_null(first_exception(t));
    assert_string_equal(json_string_value(json_object_get(t->fx, "owner")), "warehouse");
    /* Accepting it again (another exception about A) writes nothing off twice. */
    accept(t, json_deep_copy(xa));
    assert_string_equal(line1(t, "short_accepted"), "2");
    /* B arrives: the invoice matches, the order closes (3 + 5 received, 2 written off). */
    run(t, "receipt", receipt_of("RB", "B", "5", "0"), NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "matched");
    assert_string_equal(t->state, "closed");
    json_decref(xa);
}

static void test_accepting_a_ship_notices_variance_leaves_its_other_lines_awaited(void **state)
{
    (void)state;
    /* Two lines of 10, both on ship notice A. The warehouse receives line 1 first, 8 of 10: the
     * variance names line 1. Accepting it writes off line 1's 2; line 2 of A, not received
     * yet, is still awaited: an invoice for it is held, and its receipt matches it. */
    struct thread *t = new_thread();
    json_t *order = po("original");
    json_array_append_new(json_object_get(order, "lines"),
                          json_pack("{s:i, s:s, s:s, s:s, s:s}", "line_number", 2, "sku", "B",
                                    "quantity", "10", "uom", "EA", "unit_price", "1.00"));
    run(t, "purchase_order", order, NULL, 0);
    run(t, "po_acknowledgement", json_pack("{s:s, s:s}", "po_number", "P1", "status", "accepted"),
        NULL, 0);
    run(t, "ship_notice",
        json_pack("{s:s, s:[{s:s, s:[{s:i, s:s}, {s:i, s:s}]}]}", "asn_number", "A", "orders",
                  "po_number", "P1", "items", "line_number", 1, "quantity", "10", "line_number", 2,
                  "quantity", "10"),
        NULL, 0);
    run(t, "receipt", receipt_of("RA1", "A", "8", "0"), NULL, 0);
    json_t *x = json_deep_copy(raised(t, "receipt_variance"));
    accept(t, x);
    assert_string_equal(line1(t, "short_accepted"), "2");
    assert_null(str_at(t->data, "lines", "2", "short_accepted"));
    run(t, "invoice",
        json_pack("{s:s, s:[{s:i, s:s, s:s}], s:{s:s}}", "invoice_number", "I2", "lines",
                  "po_line_number", 2, "quantity", "10", "unit_price", "1.00", "totals", "subtotal",
                  "10.00"),
        NULL, 0);
    assert_string_equal(invoice_state(t, "I2"), "held");
    run(t, "receipt",
        json_pack("{s:s, s:s, s:[{s:i, s:s}]}", "receipt_number", "RA2", "asn_number", "A", "lines",
                  "po_line_number", 2, "received_quantity", "10"),
        NULL, 0);
    assert_string_equal(invoice_state(t, "I2"), "matched");
    assert_string_equal(t->state, "invoiced"); /* line 1's 8 are not billed yet */
}

static void
test_accepting_damage_writes_off_what_the_ship_notice_lacks_in_good_condition(void **state)
{
    (void)state;
    /* A (5) arrives in full with 1 damaged, B (5) not yet: the write-off is A's damaged 1. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("A", "5"), NULL, 0);
    run(t, "ship_notice", asn_of("B", "5"), NULL, 0);
    run(t, "receipt", receipt_of("RA", "A", "5", "1"), NULL, 0);
    json_t *xa = json_deep_copy(raised(t, "receipt_variance"));
    accept(t, xa);
    assert_string_equal(line1(t, "short_accepted"), "1");
    assert_string_equal(t->state, "partially_received");
    run(t, "receipt", receipt_of("RB", "B", "5", "0"), NULL, 0);
    assert_string_equal(t->state, "received");
}

static void test_accepting_a_receipts_shortage_stops_awaiting_it(void **state)
{
    (void)state;
    /* S1 announces 10; a receipt naming none expected 10 and got 8 (short, about the receipt):
     * the invoice for 8 matches, and accepting the shortage closes the order: the 2 are
     * written off and S1 no longer awaits them. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "ship_notice", asn_of("S1", "10"), NULL, 0);
    run(t, "receipt", receipt_unnamed("R1", "8", "10"), NULL, 0);
    json_t *x = json_deep_copy(raised(t, "receipt_variance"));
    assert_true(subject_is(x, "receipt", "R1"));
    assert_string_equal(asn_got(t, "S1"), "8");
    run(t, "invoice", invoice("I1", "10", "2.00", "20.00"), NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "held"); /* 2 awaited on S1 */
    accept(t, x);
    assert_string_equal(line1(t, "short_accepted"), "2");
    assert_string_equal(str_at(json_object_get(t->data, "asns"), "S1", "off", "1"), "2");
    /* Nothing is awaited any more: billing 10 for 8 is a mismatch at once, not a long hold. */
    assert_string_equal(invoice_state(t, "I1"), "mismatch");
}

static void test_accepting_a_ship_notice_discrepancy_leaves_invoices_alone(void **state)
{
    (void)state;
    /* An over-shipment (a discrepancy of S1) and a mismatched invoice: accepting the ship
     * notice's discrepancy does not accept the invoice. */
    struct thread *t = new_thread();
    acked(t);
    run(t, "invoice", invoice("I1", "1", "3.00", "3.00"), NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "mismatch");
    run(t, "ship_notice", asn_of("S1", "12"), NULL, 0);
    json_t *x = json_deep_copy(raised(t, "asn_discrepancy"));
    assert_non_null(x);
    accept(t, x);
    assert_string_equal(invoice_state(t, "I1"), "mismatch");
    assert_int_equal(count_sent(t, "erp"), 0);
}

static void test_a_rejected_invoice_keeps_why(void **state)
{
    (void)state;
    struct thread *t = new_thread();
    through_receipt(t);
    run(t, "invoice", invoice("I1", "10", "2.01", "20.10"), NULL, 0);
    json_t *x = json_deep_copy(raised(t, "invoice_mismatch"));
    json_object_set_new(x, "id", json_string("x"));
    run(t, "action",
        json_pack("{s:s, s:s, s:o}", "action", "reject_invoice", "comment", "price is 2.00\n",
                  "exception", x),
        NULL, 0);
    assert_string_equal(invoice_state(t, "I1"), "rejected");
    assert_string_equal(str_at(t->data, "invoices", "I1", "rejected_reason"), "price is 2.00\n");
    json_t *d = event_detail(t, "invoice.rejected");
    assert_string_equal(json_string_value(json_object_get(d, "reason")), "price is 2.00\n");
    assert_int_equal(count_sent(t, "erp"), 0);
    /* The supplier is told, in an application advice: rejected, why, and what did not match. */
    assert_int_equal(count_sent(t, "supplier"), 1);
    const json_t *a = sent_doc(t, "supplier");
    assert_string_equal(json_string_value(json_object_get(a, "type")), "application_advice");
    assert_string_equal(json_string_value(json_object_get(a, "advice_number")), "REJ-I1");
    assert_string_equal(json_string_value(json_object_get(d, "advice_number")), "REJ-I1");
    assert_string_equal(json_string_value(json_object_get(a, "status")), "rejected");
    assert_string_equal(json_string_value(json_object_get(a, "document_number")), "I1");
    assert_string_equal(json_string_value(json_object_get(a, "po_number")), "P1");
    /* (the line break at its end dropped: X12 drops blanks at the end of a value) */
    assert_string_equal(json_string_value(json_object_get(a, "reason")), "price is 2.00");
    const json_t *p = json_array_get(json_object_get(a, "problems"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "kind")), "price");
    assert_string_equal(json_string_value(json_object_get(p, "expected")), "2");
    assert_string_equal(json_string_value(json_object_get(p, "actual")), "2.01");
    /* ... a document the canonical codec takes as it is (what the supplier's renderer reads). */
    char *text = json_dumps(a, JSON_COMPACT);
    struct xd_arena *ar = xd_arena_create(0, 0);
    struct xd_diags diags;
    xd_diags_init(&diags, 10);
    struct xd_canon_doc *doc = NULL;
    enum xd_status st = xd_canon_decode(text, strlen(text), ar, &doc, &diags);
    if (st != XD_OK) {
        fail_msg("%s: %s %s", text, diags.count ? diags.items[0].path : "",
                 diags.count ? diags.items[0].message : xd_strerror(st));
    }
    xd_diags_cleanup(&diags);
    xd_arena_destroy(ar);
    free(text);
}

static void test_a_rejection_reason_is_cut_to_canonical_text(void **state)
{
    (void)state;
    /* A comment with line breaks, longer than an advice's reason may be: the advice carries its
     * first 264 characters, line breaks as spaces; the invoice keeps it whole. */
    struct thread *t = new_thread();
    through_receipt(t);
    run(t, "invoice", invoice("I1", "12", "2.00", "24.00"), NULL, 0);
    json_t *x = json_deep_copy(raised(t, "invoice_mismatch"));
    json_object_set_new(x, "id", json_string("x"));
    char why[400];
    memset(why, 'a', sizeof why - 1);
    why[sizeof why - 1] = '\0';
    why[3] = '\n';
    memcpy(why + 262, "\xc3\xa9", 2); /* the 263rd character is two bytes */
    run(t, "action",
        json_pack("{s:s, s:s, s:o}", "action", "reject_invoice", "comment", why, "exception", x),
        NULL, 0);
    const json_t *a = sent_doc(t, "supplier");
    const char *r = json_string_value(json_object_get(a, "reason"));
    assert_int_equal(strlen(r), 265);
    assert_int_equal(r[3], ' ');
    assert_memory_equal(r + 262,
                        "\xc3\xa9"
                        "a",
                        3);
    assert_string_equal(str_at(t->data, "invoices", "I1", "rejected_reason"), why);
    const json_t *p = json_array_get(json_object_get(a, "problems"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "kind")), "quantity");
    assert_string_equal(json_string_value(json_object_get(p, "actual")), "12");
}

int main(void)
{
    xd_flow_tolerances_init(&tol);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_is_sent_with_its_slas),
        cmocka_unit_test(test_unroutable_order_raises_for_the_buyer),
        cmocka_unit_test(test_cancel_stops_everything_and_late_documents_are_exceptions),
        cmocka_unit_test(test_three_way_match_tolerances),
        cmocka_unit_test(test_line_rounding_is_not_a_difference),
        cmocka_unit_test(test_invoice_waits_for_goods_in_transit),
        cmocka_unit_test(test_sla_timer_marks_the_thread),
        cmocka_unit_test(test_invoice_sla_after_the_receipt),
        cmocka_unit_test(test_invoice_between_two_receipts_of_one_asn_is_held),
        cmocka_unit_test(test_held_invoice_ends_in_a_mismatch_when_its_hold_expires),
        cmocka_unit_test(test_invoice_held_without_an_end_gets_one),
        cmocka_unit_test(test_written_off_shortage_ends_the_hold),
        cmocka_unit_test(test_mismatch_when_more_is_billed_than_awaited),
        cmocka_unit_test(test_a_receipt_closes_only_its_ship_notices_variance),
        cmocka_unit_test(test_a_rematch_closes_only_its_invoices_mismatch),
        cmocka_unit_test(test_an_sla_met_closes_only_its_own_exceptions),
        cmocka_unit_test(test_resolves_by_type_and_subject),
        cmocka_unit_test(test_a_receipt_naming_no_asn_counts_on_the_oldest_ship_notices),
        cmocka_unit_test(test_goods_no_ship_notice_awaits_are_unannounced),
        cmocka_unit_test(test_a_receipt_naming_no_asn_completes_a_ship_notice),
        cmocka_unit_test(test_the_erp_is_told_the_ship_notices_a_receipt_was_counted_on),
        cmocka_unit_test(test_a_receipt_split_over_ship_notices_keeps_every_quantity),
        cmocka_unit_test(test_a_receipt_before_its_ship_notice_counts_when_it_comes),
        cmocka_unit_test(test_a_receipt_before_its_ship_notice_reaches_the_erp_after_it),
        cmocka_unit_test(test_a_held_receipt_goes_to_the_erp_when_its_hold_ends),
        cmocka_unit_test(test_cancelling_sends_receipts_held_for_their_ship_notice),
        cmocka_unit_test(test_an_advice_rejecting_the_order_is_the_buyers),
        cmocka_unit_test(test_accepting_a_ship_notices_variance_writes_off_only_its_shortage),
        cmocka_unit_test(test_accepting_a_ship_notices_variance_leaves_its_other_lines_awaited),
        cmocka_unit_test(
            test_accepting_damage_writes_off_what_the_ship_notice_lacks_in_good_condition),
        cmocka_unit_test(test_accepting_a_receipts_shortage_stops_awaiting_it),
        cmocka_unit_test(test_accepting_a_ship_notice_discrepancy_leaves_invoices_alone),
        cmocka_unit_test(test_a_rejected_invoice_keeps_why),
        cmocka_unit_test(test_a_rejection_reason_is_cut_to_canonical_text),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    struct thread *t = new_thread();
    json_decref(t->data);
    t->data = NULL;
    return rc;
}
