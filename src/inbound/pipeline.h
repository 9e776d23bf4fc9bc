/* SPDX-License-Identifier: MIT
 * The inbound pipeline: one message a partner sent (a POST to /v1/inbound/{partner}, a file in
 * its inbox) from bytes to durable documents.
 *
 *   1. the partner's profile (the channel decides who sent it, never the message);
 *   2. the format: the inbox rule the file name matches, the Content-Type, else a look at the
 *      first bytes; the channel must accept it;
 *   3. X12: the interchange sender (ISA05/06) must be the channel's partner, else the message
 *      is refused whole (ISA01-04 are no security); an interchange with ISA15 T is a test: it
 *      is journaled and acknowledged, and its documents reach nothing;
 *   4. decode, map and validate every document the profile's way (src/partner's harness, the
 *      same code `crossdock partner test` runs);
 *   5. X12: the 997 or 999 the profile asks for, with control numbers allocated through the
 *      store, queued to the partner's outbound channel;
 *   6. one store operation journals the raw bytes with the outcome, records every valid
 *      document in its thread and writes the acknowledgement to the outbox, all or nothing.
 *
 * A message nothing valid came out of is still journaled (status rejected) with what was wrong,
 * so nothing a partner sent is lost, and the partner is told (the answer, the 997, the
 * quarantine reason). The same interchange (sender and ISA13) or Idempotency-Key again gets
 * the first answer and changes nothing. */
#ifndef XD_INBOUND_PIPELINE_H
#define XD_INBOUND_PIPELINE_H
#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

struct xd_store;
struct xd_partner_registry;

struct xd_store_controls;

struct xd_inbound_ctx {
    struct xd_store *store;
    struct xd_partner_registry *partners;
    /* Control numbers of the acknowledgements, reserved in blocks; NULL: one store operation
     * per number (tests, tools). */
    struct xd_store_controls *controls;
};

struct xd_inbound_request {
    const char *partner;      /* the partner the channel belongs to */
    const char *channel;      /* "http", "inbox" or "erp" (fetched by the ERP connector) */
    const char *content_type; /* may be NULL (inbox) */
    const char *file_name;    /* inbox: the file's name, for the profile's rules; else NULL */
    const char *data;
    size_t len;
    const char *actor;      /* who delivered it (token name, "inbox") */
    const char *idem_scope; /* optional Idempotency-Key and its scope */
    const char *idem_key;
    const uint8_t *idem_hash; /* the request's fingerprint for the key (NULL: of the bytes) */
    const char *trace_id;     /* W3C trace id, or NULL */
    /* Optional: the key that recognises the message when it comes again (the ERP connector's
     * "tryton:purchase:<id>:..."), instead of the X12 interchange's. */
    const char *dedupe_key;
    const uint8_t *dedupe_hash; /* what "the same message" means for it (NULL: the bytes) */
    /* Optional: a poller's cursor committed with the message (store.h, xd_store_message). */
    const char *cursor_name;
    const char *cursor_value;
};

enum xd_inbound_outcome {
    XD_INBOUND_STORED,    /* journaled: accepted, partial, rejected or test (see status) */
    XD_INBOUND_DUPLICATE, /* seen before: answer is the first one's */
    XD_INBOUND_REFUSED,   /* not journaled: no such partner, channel closed, key conflict */
};

struct xd_inbound_result {
    enum xd_inbound_outcome outcome;
    int http_status;      /* 201 stored, 422 rejected, 403/404/409/415 refused, 200 dup */
    const char *status;   /* accepted, partial, rejected, test (STORED, DUPLICATE) */
    struct xd_buf answer; /* JSON: the message's answer (store.h), or a problem */
    char reason[512];     /* one line for people (quarantine, logs) */
    size_t documents;     /* stored */
};

void xd_inbound_result_init(struct xd_inbound_result *r);
void xd_inbound_result_cleanup(struct xd_inbound_result *r);

/* Run one message through the pipeline. XD_OK with <res> filled, whatever the outcome; the
 * store's failures (XD_EUNAVAIL, XD_EAGAIN: try again later, nothing was acknowledged) and
 * XD_ENOMEM otherwise, with <err>. Blocks until the commit. Thread-safe. */
enum xd_status xd_inbound_process(const struct xd_inbound_ctx *ctx,
                                  const struct xd_inbound_request *req,
                                  struct xd_inbound_result *res, struct xd_error *err) XD_NODISCARD;

/* The same without blocking, for callers that must not hold a thread through the commit (the
 * HTTP server). XD_OK and *job NULL: <res> is final already (a refusal, or the store refused at
 * once). XD_OK and *job set: the message's store operation is queued; <done>(<done_arg>) runs
 * once, on the store's writer thread, when it completed (do little there), and the caller then
 * calls xd_inbound_finish on a thread of its own. Failures as xd_inbound_process, nothing
 * pending. <req>'s strings and data must stay valid until then (not the struct itself, nor
 * its hashes: the operation holds copies); <res> too. */
typedef void (*xd_inbound_done_fn)(void *done_arg);
struct xd_inbound_job;
enum xd_status xd_inbound_start(const struct xd_inbound_ctx *ctx,
                                const struct xd_inbound_request *req, struct xd_inbound_result *res,
                                xd_inbound_done_fn done, void *done_arg,
                                struct xd_inbound_job **job, struct xd_error *err) XD_NODISCARD;
/* <res> filled and the job released; returns as xd_inbound_process would have. */
enum xd_status xd_inbound_finish(struct xd_inbound_job *job, struct xd_error *err) XD_NODISCARD;

#endif
