/* SPDX-License-Identifier: MIT
 * The workflow engine: drives each transaction thread through its state machine (today the
 * procure-to-pay flow, src/flow/p2p.c: PO → 850 → 855 → 856 → receipt → 810 → three-way match
 * → ERP). docs/workflows.md is the manual.
 *
 * The engine follows the journal: every document committed (from the HTTP API, a partner's
 * message, an inbox file, the ERP connector) is a step of its thread's flow. A step's new state,
 * timeline events, timers, exceptions, outbound messages and the engine's journal position
 * commit in one store transaction, so a crash replays nothing twice and loses nothing: after a
 * restart the engine resumes at the first document it had not yet committed a step for.
 * Timers (SLA deadlines) live in the store and fire after a restart. Exception actions taken by
 * people (POST /v1/exceptions/{id}/actions) run on the engine's thread too, so one writer
 * changes a thread's flow at a time (each write is also guarded by the thread's version).
 *
 * Threads: one engine thread; xd_flow_notify and xd_flow_action are safe from any thread. */
#ifndef XD_FLOW_FLOW_H
#define XD_FLOW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

struct xd_store;
struct xd_store_controls;
struct xd_store_exception;
struct xd_partner_registry;
struct xd_flow;
struct xd_flow_step;
struct json_t;

/* Three-way match tolerances (configuration `matching:`; docs/workflows.md). */
struct xd_flow_tolerances {
    struct xd_decimal quantity_pct;   /* invoiced vs received, percent; default 0 */
    struct xd_decimal unit_price_pct; /* invoiced vs ordered (acknowledged) price; default 0 */
    struct xd_decimal amount;         /* invoice total vs the matched value; default 0.00 */
    /* How long an invoice that bills goods shipped but not yet received is held for them;
     * when the hold ends it is matched against what arrived. Default 14 days. */
    int64_t hold_ms;
};
void xd_flow_tolerances_init(struct xd_flow_tolerances *t);

struct xd_flow_options {
    struct xd_store *store;               /* required */
    struct xd_partner_registry *partners; /* required: routing and rendering */
    /* X12 control numbers of what the engine sends, reserved in blocks (shared with the
     * inbound pipeline's acknowledgements); NULL: the engine keeps a cache of its own. */
    struct xd_store_controls *controls;
    struct xd_flow_tolerances tolerances;
    int64_t poll_ms;  /* idle wait between looks at the journal and timers; default 200 */
    size_t batch_max; /* documents per step transaction; default 256 */
    /* Tests only (NULL in the hub): asked before the rules take each step (flow_int.h); a
     * status other than XD_OK fails that step as the rules failing so would. */
    enum xd_status (*fault)(void *arg, const struct xd_flow_step *s);
    void *fault_arg;
};
void xd_flow_options_init(struct xd_flow_options *o);

enum xd_status xd_flow_start(const struct xd_flow_options *o, struct xd_flow **out,
                             struct xd_error *err) XD_NODISCARD;
/* Finish the step under way and stop. NULL-safe. */
void xd_flow_stop(struct xd_flow *f);
/* New documents were committed: look now rather than at the next poll. */
void xd_flow_notify(struct xd_flow *f);

/* Counters for /metrics. */
struct xd_flow_stats {
    uint64_t steps;     /* documents, timers and actions processed */
    uint64_t commits;   /* step transactions committed */
    uint64_t conflicts; /* steps retried after a version conflict */
    uint64_t failures;  /* step transactions that failed (retried later) */
    uint64_t set_aside; /* messages, timers, dead letters that kept failing, set aside */
    int64_t position;   /* journal seq processed */
};
void xd_flow_stats(struct xd_flow *f, struct xd_flow_stats *out);

/* Take a remediation action on an exception, on the engine's thread, and wait for it:
 * "resend", "accept_variance", "reject_invoice", "reroute", "retry", "resolve" (docs/workflows.md
 * says which apply to which exception). <comment> is kept in the exception's history (required for
 * "resolve"). XD_OK with the updated exception's JSON in <out>; XD_ENOTFOUND (no such
 * exception); XD_ECONFLICT (it is not open, or the action does not apply: err says which
 * apply); XD_EINVAL; XD_EUNAVAIL/XD_EAGAIN (store); XD_ECLOSED (stopping). */
enum xd_status xd_flow_action(struct xd_flow *f, const char *exception_id, const char *action,
                              const char *comment, const char *actor, struct xd_buf *out,
                              struct xd_error *err) XD_NODISCARD;

/* ---- Views (any thread; read the store only) ---------------------------------------------- */

/* A thread's flow as JSON for people: {flow, state, po_number, partner, owner, next_step, sla,
 * version, created_at, updated_at, timeline: [{at, event, from, to, document_id, partner,
 * channel, detail}], exceptions: [...], lines: [...]}; NULL in *out when the thread has no
 * flow. The caller owns *out (json_decref). */
enum xd_status xd_flow_view(struct xd_store *s, const char *correlation_id, struct json_t **out,
                            struct xd_error *err) XD_NODISCARD;
/* An exception's JSON (its stored body with id, state, owner, age_seconds ...). */
enum xd_status xd_flow_exception_json(const struct xd_store_exception *e, int64_t now_ms,
                                      struct json_t **out) XD_NODISCARD;

#endif
