/* SPDX-License-Identifier: MIT
 * The simulated supplier and warehouse: a receiver (receiver.c) whose handler reads what the
 * hub delivered the partner's way (partner.c), plans the partner's answers (docs.c) and hands
 * them to the runner (runner.c), which sends them to the hub after their delays. A delivery
 * is answered 2xx once its answers are planned; one that is not usable gets 4xx with the
 * reason (the hub then does not send it again), a planning failure 503 (it does).
 * With a state file, what is owed is journaled (journal.c) before the 2xx, and sent after a
 * restart; without one it lives in memory only.
 * Threads: the receiver hands deliveries over one at a time; counters are under sp->mu. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "partner/partner.h"
#include "sim/sim_int.h"

enum role { ROLE_SUPPLIER, ROLE_WAREHOUSE };

struct xd_sim_partner {
    enum role role;
    struct xd_sim_supplier_options supplier;
    struct xd_sim_warehouse_options warehouse;
    struct xd_sim__po_problems po_problems;
    struct xd_sim__receipt_problems receipt_problems;
    struct xd_sim__partner *pt;
    struct xd_sim__runner *runner;
    struct xd_sim__journal *journal;
    struct xd_sim_receiver *receiver;

    pthread_mutex_t mu;
    uint64_t received; /* documents received: numbers them for --every */
    uint64_t refused;
};

void xd_sim_send_options_init(struct xd_sim_send_options *o)
{
    memset(o, 0, sizeof *o);
    o->workers = 4;
    o->max_attempts = 30;
    o->backoff_ms = 200;
    o->timeout_ms = 10000;
}

void xd_sim_supplier_options_init(struct xd_sim_supplier_options *o)
{
    memset(o, 0, sizeof *o);
    xd_sim_receiver_options_init(&o->listen);
    xd_sim_send_options_init(&o->send);
    o->ack_delay_ms = 100;
    o->ship_delay_ms = 200;
    o->invoice_delay_ms = 300;
}

void xd_sim_warehouse_options_init(struct xd_sim_warehouse_options *o)
{
    memset(o, 0, sizeof *o);
    xd_sim_receiver_options_init(&o->listen);
    xd_sim_send_options_init(&o->send);
    o->receive_delay_ms = 200;
}

/* {"error": message} as the answer to a delivery that cannot be used. */
static int refuse(struct xd_sim_partner *sp, int status, const char *message, struct xd_buf *answer)
{
    pthread_mutex_lock(&sp->mu);
    sp->refused++;
    pthread_mutex_unlock(&sp->mu);
    XD_LOG_WARN("sim", NULL, "%s refuses a delivery (%d): %s", xd_sim__partner_id(sp->pt), status,
                message);
    json_t *j = json_pack("{s:s}", "error", message);
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    if (text != NULL && xd_buf_append_str(answer, text) != XD_OK) {
        xd_buf_reset(answer);
    }
    free(text);
    json_decref(j);
    return status;
}

/* The number of this document, and whether the problems apply to it (every Nth). */
static bool next_applies(struct xd_sim_partner *sp, uint32_t every)
{
    pthread_mutex_lock(&sp->mu);
    uint64_t n = ++sp->received;
    pthread_mutex_unlock(&sp->mu);
    return every <= 1 || n % every == 0;
}

static enum xd_status add(struct xd_sim_partner *sp, const char *tag, struct xd_sim__step *steps,
                          size_t n, struct xd_error *err)
{
    enum xd_status st = xd_sim__runner_add(sp->runner, tag, steps, n);
    if (st != XD_OK) {
        return xd_error_set(err, st,
                            st == XD_EIO ? "what is owed cannot be journaled" : "out of memory");
    }
    return XD_OK;
}

/* A change order or a cancellation (purpose change, replace, cancel): acknowledged. A
 * cancellation also drops what is still owed for the order (what shipped has shipped); a
 * change does not re-plan the shipments of the original. A duplicate is taken silently. */
static enum xd_status plan_po_update(struct xd_sim_partner *sp, const json_t *po,
                                     const char *purpose, uint64_t serial, const char *today,
                                     struct xd_error *err)
{
    const char *po_number = json_string_value(json_object_get(po, "po_number"));
    json_t *ack = NULL;
    enum xd_status st = XD_OK;
    if (strcmp(purpose, "cancel") == 0) {
        st = xd_sim__cancel_ack_build(po, today, serial, &ack, err);
        size_t dropped =
            st == XD_OK && po_number != NULL ? xd_sim__runner_cancel(sp->runner, po_number) : 0;
        XD_LOG_INFO("sim", NULL, "%s: purchase order %s cancelled, %zu message(s) not sent",
                    xd_sim__partner_id(sp->pt), po_number != NULL ? po_number : "?", dropped);
    } else {
        static const struct xd_sim__po_problems none = {0};
        struct xd_sim__supplier_docs d;
        st = xd_sim__supplier_docs_build(po, &none, today, serial, &d, err);
        if (st == XD_OK) {
            ack = json_incref(d.ack);
            xd_sim__supplier_docs_cleanup(&d);
            st = json_object_set_new(ack, "purpose", json_string(purpose)) == 0
                     ? XD_OK
                     : xd_error_set(err, XD_ENOMEM, "out of memory");
        }
    }
    if (st != XD_OK) {
        json_decref(ack);
        return st;
    }
    struct xd_sim__step step = {ack, sp->supplier.ack_delay_ms};
    return add(sp, po_number, &step, 1, err);
}

static enum xd_status plan_po(struct xd_sim_partner *sp, const json_t *po, struct xd_error *err)
{
    static const struct xd_sim__po_problems none = {0};
    const struct xd_sim_supplier_options *o = &sp->supplier;
    const char *purpose = json_string_value(json_object_get(po, "purpose"));
    if (purpose != NULL && strcmp(purpose, "duplicate") == 0) {
        return XD_OK;
    }
    bool update =
        purpose != NULL && (strcmp(purpose, "change") == 0 || strcmp(purpose, "replace") == 0 ||
                            strcmp(purpose, "cancel") == 0);
    bool applies = !update && next_applies(sp, o->every);
    uint64_t serial = 0;
    enum xd_status st = xd_sim__partner_next(sp->pt, &serial, err);
    if (st != XD_OK) {
        return st;
    }
    char today[16];
    xd_sim__date(xd_now_ms(), today, sizeof today);
    if (update) {
        return plan_po_update(sp, po, purpose, serial, today, err);
    }
    struct xd_sim__supplier_docs d;
    st =
        xd_sim__supplier_docs_build(po, applies ? &sp->po_problems : &none, today, serial, &d, err);
    if (st != XD_OK) {
        return st;
    }
    struct xd_sim__step steps[2 + 3 * XD_SIM__MAX_ASNS];
    size_t n = 0;
    int64_t ship = o->ship_delay_ms, invoice = o->invoice_delay_ms;
    steps[n++] = (struct xd_sim__step){json_incref(d.ack), o->ack_delay_ms};
    for (size_t k = 0; k < d.n_asns; k++) {
        /* A back order ships one ship delay after the shipment before it. */
        int64_t later = (int64_t)k * (ship > 0 ? ship : 1);
        steps[n++] = (struct xd_sim__step){json_incref(d.asns[k]), ship + later};
        if (applies && o->duplicate_asn) {
            steps[n++] = (struct xd_sim__step){json_incref(d.asns[k]), ship + later};
        }
        steps[n++] = (struct xd_sim__step){json_incref(d.invoices[k]), invoice + later};
    }
    xd_sim__supplier_docs_cleanup(&d);
    return add(sp, json_string_value(json_object_get(po, "po_number")), steps, n, err);
}

static enum xd_status plan_receipt(struct xd_sim_partner *sp, const json_t *asn,
                                   struct xd_error *err)
{
    static const struct xd_sim__receipt_problems none = {0};
    const struct xd_sim_warehouse_options *o = &sp->warehouse;
    bool applies = next_applies(sp, o->every);
    uint64_t serial = 0;
    enum xd_status st = xd_sim__partner_next(sp->pt, &serial, err);
    if (st != XD_OK) {
        return st;
    }
    char at[XD_TIME_STR_MAX];
    xd_time_format(xd_now_ms() + o->receive_delay_ms, at, sizeof at);
    json_t *receipt = NULL;
    st = xd_sim__receipt_build(asn, applies ? &sp->receipt_problems : &none, at,
                               o->location_id != NULL ? o->location_id : "DC-CHI", serial, &receipt,
                               err);
    if (st != XD_OK) {
        return st;
    }
    struct xd_sim__step step = {receipt, o->receive_delay_ms};
    return add(sp, json_string_value(json_object_get(asn, "asn_number")), &step, 1, err);
}

static int on_delivery(void *ctx, const struct xd_sim_delivery *dl, struct xd_buf *answer)
{
    struct xd_sim_partner *sp = ctx;
    enum xd_canon_type want =
        sp->role == ROLE_SUPPLIER ? XD_CANON_PURCHASE_ORDER : XD_CANON_SHIP_NOTICE;
    struct xd_error err = {0};
    json_t *docs = NULL;
    enum xd_status st =
        xd_sim__partner_decode(sp->pt, dl->content_type, dl->body, dl->body_len, want, &docs, &err);
    if (st == XD_ENOMEM) {
        return refuse(sp, 503, "out of memory", answer);
    }
    if (st != XD_OK) {
        return refuse(sp, 400, err.message, answer);
    }
    if (json_array_size(docs) == 0) {
        /* A 997 for what the partner sent, or a document it has nothing to answer to: taken
         * (a real partner would not have the hub send it again and again), not answered. */
        json_decref(docs);
        XD_LOG_INFO("sim", NULL, "%s: a delivery without a %s, nothing to answer",
                    xd_sim__partner_id(sp->pt), xd_canon_type_name(want));
        if (xd_buf_append_str(answer, "{\"accepted\":0}") != XD_OK) {
            xd_buf_reset(answer);
        }
        return 200;
    }
    size_t i;
    json_t *doc;
    json_array_foreach(docs, i, doc)
    {
        st = sp->role == ROLE_SUPPLIER ? plan_po(sp, doc, &err) : plan_receipt(sp, doc, &err);
        if (st != XD_OK) {
            break;
        }
    }
    json_decref(docs);
    /* Documents planned before a failure are not taken back: the hub sends the message again
     * under the same key only when we answer 5xx, and the partner answers it twice then. */
    if (st == XD_EINVAL) {
        return refuse(sp, 422, err.message, answer);
    }
    if (st != XD_OK) {
        return refuse(sp, 503, err.message, answer);
    }
    if (xd_buf_printf(answer, "{\"accepted\":%zu}", i) != XD_OK) {
        xd_buf_reset(answer);
    }
    return 200;
}

static enum xd_status parse_qty(const char *text, const char *what, struct xd_decimal *out,
                                struct xd_error *err)
{
    if (xd_decimal_parse(text, strlen(text), XD_DECIMAL_STRICT, out) != XD_OK ||
        xd_decimal_is_negative(*out)) {
        return xd_error_set(err, XD_EINVAL, "%s: '%s' is not a quantity", what, text);
    }
    return XD_OK;
}

static enum xd_status start(struct xd_sim_partner *sp, const struct xd_partner_profile *p,
                            const struct xd_sim_receiver_options *listen,
                            const struct xd_sim_send_options *send, const enum xd_canon_type *sends,
                            size_t n_sends, struct xd_error *err)
{
    pthread_mutex_init(&sp->mu, NULL);
    enum xd_status st = xd_sim__partner_create(p, send, &sp->pt, err);
    enum xd_canon_type receives =
        sp->role == ROLE_SUPPLIER ? XD_CANON_PURCHASE_ORDER : XD_CANON_SHIP_NOTICE;
    if (st == XD_OK && !xd_sim__partner_receives(sp->pt, receives)) {
        st = xd_error_set(err, XD_EINVAL,
                          "profile %s receives no %s (add a documents entry with direction out)",
                          p->id, xd_canon_type_name(receives));
    }
    for (size_t i = 0; st == XD_OK && i < n_sends; i++) {
        st = xd_sim__partner_can_send(sp->pt, sends[i], err) ? XD_OK : XD_EINVAL;
    }
    struct xd_sim__journal_chain *owed = NULL;
    size_t n_owed = 0;
    if (st == XD_OK && send->state_path != NULL) {
        char path[1024];
        int n = snprintf(path, sizeof path, "%s.journal", send->state_path);
        st = n > 0 && (size_t)n < sizeof path
                 ? xd_sim__journal_open(path, &sp->journal, &owed, &n_owed, err)
                 : xd_error_set(err, XD_EINVAL, "--state path too long");
    }
    if (st == XD_OK &&
        xd_sim__runner_create(sp->pt, send, sp->journal, owed, n_owed, &sp->runner) != XD_OK) {
        st = xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    if (st == XD_OK) {
        struct xd_sim_receiver_options ro = *listen;
        ro.handle = on_delivery;
        ro.handle_ctx = sp;
        /* With a state file the keys processed are kept too (FILE.received, unless --record
         * names another file): the hub's retry of a delivery answered before a restart is a
         * duplicate, not a second purchase order. */
        char received[1024];
        if (ro.record_path == NULL && send->state_path != NULL) {
            int n = snprintf(received, sizeof received, "%s.received", send->state_path);
            ro.record_path = n > 0 && (size_t)n < sizeof received ? received : NULL;
        }
        st = xd_sim_receiver_start(&ro, &sp->receiver, err);
    }
    if (st != XD_OK) {
        xd_sim_partner_stop(sp);
    }
    return st;
}

enum xd_status xd_sim_supplier_start(const struct xd_partner_profile *p,
                                     const struct xd_sim_supplier_options *o,
                                     struct xd_sim_partner **out, struct xd_error *err)
{
    struct xd_sim__po_problems pb = {.reject_line = o->reject_line,
                                     .change_line = o->change_line,
                                     .partial_percent = o->partial_percent,
                                     .price_error_percent = o->price_error_percent};
    if (o->change_line > 0 &&
        parse_qty(o->change_qty, "--change-qty", &pb.change_qty, err) != XD_OK) {
        return XD_EINVAL;
    }
    if (o->partial_percent > 100) {
        return xd_error_set(err, XD_EINVAL, "--partial is a percentage (0-100)");
    }
    struct xd_sim_partner *sp = xd_calloc(1, sizeof *sp);
    if (sp == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    sp->role = ROLE_SUPPLIER;
    sp->supplier = *o;
    sp->po_problems = pb;
    static const enum xd_canon_type sends[] = {XD_CANON_PO_ACKNOWLEDGEMENT, XD_CANON_SHIP_NOTICE,
                                               XD_CANON_INVOICE};
    enum xd_status st = start(sp, p, &o->listen, &o->send, sends, XD_ARRAY_LEN(sends), err);
    if (st == XD_OK) {
        *out = sp;
    }
    return st;
}

enum xd_status xd_sim_warehouse_start(const struct xd_partner_profile *p,
                                      const struct xd_sim_warehouse_options *o,
                                      struct xd_sim_partner **out, struct xd_error *err)
{
    struct xd_sim__receipt_problems pb = {
        .short_line = o->short_line, .over_line = o->over_line, .damaged_line = o->damaged_line};
    if ((o->short_line > 0 && parse_qty(o->short_qty, "--short", &pb.short_qty, err) != XD_OK) ||
        (o->over_line > 0 && parse_qty(o->over_qty, "--over", &pb.over_qty, err) != XD_OK) ||
        (o->damaged_line > 0 &&
         parse_qty(o->damaged_qty, "--damaged", &pb.damaged_qty, err) != XD_OK)) {
        return XD_EINVAL;
    }
    struct xd_sim_partner *sp = xd_calloc(1, sizeof *sp);
    if (sp == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    sp->role = ROLE_WAREHOUSE;
    sp->warehouse = *o;
    sp->receipt_problems = pb;
    static const enum xd_canon_type sends[] = {XD_CANON_RECEIPT};
    enum xd_status st = start(sp, p, &o->listen, &o->send, sends, XD_ARRAY_LEN(sends), err);
    if (st == XD_OK) {
        *out = sp;
    }
    return st;
}

uint16_t xd_sim_partner_port(const struct xd_sim_partner *sp)
{
    return xd_sim_receiver_port(sp->receiver);
}

void xd_sim_partner_stats(struct xd_sim_partner *sp, struct xd_sim_partner_stats *out)
{
    memset(out, 0, sizeof *out);
    xd_sim__runner_stats(sp->runner, out);
    pthread_mutex_lock(&sp->mu);
    out->received = sp->received;
    out->refused = sp->refused;
    pthread_mutex_unlock(&sp->mu);
}

void xd_sim_partner_stop(struct xd_sim_partner *sp)
{
    if (sp == NULL) {
        return;
    }
    xd_sim_receiver_stop(sp->receiver);
    xd_sim__runner_destroy(sp->runner);
    xd_sim__journal_close(sp->journal);
    xd_sim__partner_destroy(sp->pt);
    pthread_mutex_destroy(&sp->mu);
    xd_free(sp);
}
