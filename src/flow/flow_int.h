/* SPDX-License-Identifier: MIT
 * Inside the flow engine: the step context the procure-to-pay rules work on, and the exact
 * quantity arithmetic they share. Everything here is pure: JSON and decimals in, JSON out. */
#ifndef XD_FLOW_FLOW_INT_H
#define XD_FLOW_FLOW_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"
#include "flow/flow.h"

/* One service-level agreement of the supplier, reduced to what the rules need. */
struct xd_flow_sla {
    const char *expect; /* "po_acknowledgement", "ship_notice", "invoice" */
    const char *after;  /* due <within_ms> after this document type, or NULL */
    int64_t within_ms;
    const char *before_member; /* or: due <lead_ms> before this PO member (a date) */
    int64_t lead_ms;
    int64_t at_risk_ms; /* flagged this long before due; 0: never */
};

/* One step: a thread's state and working data, the event that arrived, and what the step
 * does (effects, a JSON object the engine turns into one store operation):
 *   state, owner, next_step, sla      the thread's new row
 *   events[]   {event, detail?, partner?, channel?, document_id?}
 *   send[]     {to: "supplier"|"erp"|"warehouse", doc: canonical JSON}
 *   timers[]   {kind, due_at}          timers_cancel[]  kinds
 *   exceptions[] {type, owner, partner?, summary, detail, actions[], subject?}
 *   resolve[]  {type, subject?}: the thread's open exceptions the step closes (those of
 *              <type> about <subject>; every one of <type> when the entry names no subject)
 * A sticky status: the first failure (XD_ENOMEM, XD_ETOOBIG) stays in <st> and later helpers
 * do nothing, so rules read straight and the engine checks once. */
struct xd_flow_step {
    const char *state;      /* current; NULL for a thread without a flow */
    json_t *data;           /* working state (owned by the engine, changed in place) */
    const json_t *doc;      /* the arriving canonical document, or NULL */
    const char *doc_text;   /* its canonical JSON as the journal holds it (NULL: not at hand) */
    size_t doc_len;         /* of doc_text */
    const char *doc_type;   /* its type, "timer" or "action" */
    const char *doc_id;     /* its stored id, or NULL */
    const char *partner;    /* who sent it */
    const char *channel;    /* how */
    const char *timer_kind; /* for a timer */
    const json_t *action;   /* for an action: {action, comment, exception: {type ...}} */
    int64_t now_ms;
    const struct xd_flow_sla *slas; /* the supplier's */
    size_t n_slas;
    struct xd_flow_tolerances tol;
    json_t *fx;
    enum xd_status st;
};

/* p2p.c: run the procure-to-pay rules for one step. XD_OK with the effects in step->fx, or
 * the sticky status. A document the flow does not expect in its state is not an error: it is
 * recorded and raises an exception. */
enum xd_status xd_flow__p2p_step(struct xd_flow_step *s) XD_NODISCARD;
/* The flow's name and whether an event of <doc_type> has a rule (journal documents of other
 * types are no step). */
extern const char xd_flow__p2p_name[];
bool xd_flow__p2p_handles(const char *doc_type);

/* Effects every step may have (p2p.c): a timeline event (document, sender and channel of the
 * step filled in; <detail> is taken), an exception for a person (<detail> and <subject> taken;
 * <actions> NULL-terminated). The subject, {document, number?}, is what the exception is
 * about (a ship notice, an invoice, the document an SLA awaits): an event closes an exception
 * automatically only when it resolves that subject. NULL: about nothing in particular. */
json_t *xd_flow__event(struct xd_flow_step *s, const char *name, json_t *detail);
void xd_flow__exception(struct xd_flow_step *s, const char *type, const char *owner,
                        const char *partner, const char *summary, json_t *detail, json_t *subject,
                        const char *const *actions);
/* Whether the resolve entry <r> ({type, subject?}, from fx.resolve[]) closes the exception
 * <x> (its stored body): same type, and the same subject when both name one (an exception
 * stored before exceptions had subjects closes by its type, as it always did). */
bool xd_flow__resolves(const json_t *r, const json_t *x);

/* match.c: exact decimals in JSON strings. A missing member reads as zero; a malformed one
 * or an overflow sets step->st. */
struct xd_decimal xd_flow__dec(struct xd_flow_step *s, const json_t *obj, const char *key);
void xd_flow__set_dec(struct xd_flow_step *s, json_t *obj, const char *key, struct xd_decimal d);
struct xd_decimal xd_flow__add(struct xd_flow_step *s, struct xd_decimal a, struct xd_decimal b);
struct xd_decimal xd_flow__sub(struct xd_flow_step *s, struct xd_decimal a, struct xd_decimal b);
struct xd_decimal xd_flow__mul(struct xd_flow_step *s, struct xd_decimal a, struct xd_decimal b);
/* |actual - expected| <= expected * percent / 100 (percent a decimal such as "0.5"). */
bool xd_flow__within_pct(struct xd_flow_step *s, struct xd_decimal actual,
                         struct xd_decimal expected, struct xd_decimal percent);
/* JSON helpers that record XD_ENOMEM in the step. */
void xd_flow__set(struct xd_flow_step *s, json_t *obj, const char *key, json_t *v);
void xd_flow__append(struct xd_flow_step *s, json_t *arr, json_t *v);
void xd_flow__set_str(struct xd_flow_step *s, json_t *obj, const char *key, const char *v);
/* The member <key> of <obj>, created as an empty object (or array) when missing. */
json_t *xd_flow__obj(struct xd_flow_step *s, json_t *obj, const char *key);
json_t *xd_flow__arr(struct xd_flow_step *s, json_t *obj, const char *key);
const char *xd_flow__str(const json_t *obj, const char *key);

#endif
