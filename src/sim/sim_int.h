/* SPDX-License-Identifier: MIT
 * Private to src/sim: the documents simulated partners answer with (docs.c), the partner's way
 * of reading and sending messages (partner.c) and the queue of timed sends (runner.c). The
 * document builders are pure (JSON in, JSON out) so unit tests drive them directly. */
#ifndef XD_SIM_SIM_INT_H
#define XD_SIM_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "canon/canon.h"
#include "core/core.h"
#include "sim/sim.h"

#define XD_SIM__MAX_ASNS 2  /* a shipment and its back order */
#define XD_SIM__TAG_MAX  32 /* a chain's tag: the po_number it answers (22 at most) and NUL */

/* ------------------------------------------------------------------------------------------ */
/* docs.c: answers built from what was received */

struct xd_sim__po_problems {
    int64_t reject_line; /* 0: none */
    int64_t change_line; /* 0: none */
    struct xd_decimal change_qty;
    uint32_t partial_percent;     /* 0 or 100: one shipment */
    uint32_t price_error_percent; /* 0: prices as confirmed */
};

struct xd_sim__supplier_docs {
    json_t *ack;
    json_t *asns[XD_SIM__MAX_ASNS];
    json_t *invoices[XD_SIM__MAX_ASNS]; /* one per ship notice, same index */
    size_t n_asns;
};

/* The acknowledgement, ship notice(s) and invoice(s) a supplier answers purchase order <po>
 * with (canonical JSON, valid), dated <today> (YYYY-MM-DD) or the order date when later.
 * <serial> makes the supplier's numbers unique (ack, invoice, SSCC). Lines: every line
 * accepted with its quantity, price and the requested ship date, except the rejected one
 * (not shipped, not invoiced) and the changed one (confirmed with the new quantity); with a
 * partial share, the first ship notice carries that share of each line (rounded down) and the
 * second the rest; each invoice bills its ship notice's quantities at the confirmed prices,
 * the first line off by price_error_percent. No ship notice when nothing is shipped.
 * XD_OK; XD_EINVAL when <po> is not a usable purchase order (message); XD_ENOMEM. */
enum xd_status xd_sim__supplier_docs_build(const json_t *po, const struct xd_sim__po_problems *pb,
                                           const char *today, uint64_t serial,
                                           struct xd_sim__supplier_docs *out,
                                           struct xd_error *err) XD_NODISCARD;
void xd_sim__supplier_docs_cleanup(struct xd_sim__supplier_docs *d);

/* The acknowledgement of a cancellation (purpose cancel, status accepted, no lines) of
 * purchase order <po>. XD_OK, XD_EINVAL (no po_number), XD_ENOMEM. */
enum xd_status xd_sim__cancel_ack_build(const json_t *po, const char *today, uint64_t serial,
                                        json_t **out, struct xd_error *err) XD_NODISCARD;

struct xd_sim__receipt_problems {
    int64_t short_line; /* PO line number, 0: none */
    struct xd_decimal short_qty;
    int64_t over_line;
    struct xd_decimal over_qty;
    int64_t damaged_line;
    struct xd_decimal damaged_qty;
};

/* The receipt a warehouse posts for ship notice <asn>: one line per item, expected as
 * announced, received as announced except short_line (less by short_qty, not below 0),
 * over_line (more by over_qty) and
 * damaged_line (damaged_qty of it damaged). The location is the ASN's ship_to location_id,
 * else <location>. XD_OK, XD_EINVAL (not a usable ship notice), XD_ENOMEM. */
enum xd_status xd_sim__receipt_build(const json_t *asn, const struct xd_sim__receipt_problems *pb,
                                     const char *received_at, const char *location, uint64_t serial,
                                     json_t **out, struct xd_error *err) XD_NODISCARD;

/* A realistic purchase order: 1-5 lines from a small catalogue (choices from *seed). */
enum xd_status xd_sim__purchase_order_build(const char *po_number, const char *supplier,
                                            const char *location, const char *today, unsigned *seed,
                                            json_t **out) XD_NODISCARD;

/* "YYYY-MM-DD" of <epoch_ms> (UTC) into <out> (at least 11 bytes). */
void xd_sim__date(int64_t epoch_ms, char *out, size_t cap);

/* ------------------------------------------------------------------------------------------ */
/* partner.c: a partner's way of reading what it receives and of sending to the hub */

struct xd_sim__partner;
struct xd_sim__http;

/* One message ready to send: the same bytes and key on every attempt. */
struct xd_sim__message {
    char *body;
    size_t len;
    const char *content_type;
    char key[96];
    char file_name[128]; /* inbox channel: the name it is renamed to */
    char what[96];       /* "po_acknowledgement 4500012345" for logs */
    bool inbox;
};

enum xd_status xd_sim__partner_create(const struct xd_partner_profile *p,
                                      const struct xd_sim_send_options *o,
                                      struct xd_sim__partner **out,
                                      struct xd_error *err) XD_NODISCARD;
void xd_sim__partner_destroy(struct xd_sim__partner *pt);
/* Whether the partner can send <type> (an inbound entry with a usable channel); false with
 * the reason in <err>. */
bool xd_sim__partner_can_send(const struct xd_sim__partner *pt, enum xd_canon_type type,
                              struct xd_error *err);
/* Whether the profile says the hub sends it <type>. */
bool xd_sim__partner_receives(const struct xd_sim__partner *pt, enum xd_canon_type type);

/* The canonical documents in a message the hub sent (X12 through the X12 engine's
 * translation with the profile's mapping, or canonical JSON: one document or an array), as a
 * JSON array (caller's). Documents of other types than <want> are skipped. XD_OK (possibly an
 * empty array), XD_EPARSE / XD_EINVALDOC (not usable: message in <err>), XD_ENOMEM. */
enum xd_status xd_sim__partner_decode(struct xd_sim__partner *pt, const char *content_type,
                                      const char *body, size_t len, enum xd_canon_type want,
                                      json_t **out, struct xd_error *err) XD_NODISCARD;

/* Render <doc> the way the partner sends it (its format for the type: one X12 interchange
 * with the partner as sender and fresh control numbers, or canonical JSON), with an
 * idempotency key. Caller frees with xd_sim__message_destroy. XD_OK, XD_EINVAL, XD_EIO
 * (state file), XD_ENOMEM. */
enum xd_status xd_sim__partner_render(struct xd_sim__partner *pt, const json_t *doc,
                                      struct xd_sim__message **out,
                                      struct xd_error *err) XD_NODISCARD;
void xd_sim__message_destroy(struct xd_sim__message *m);

/* Send one message: XD_OK when the hub took it (2xx, or the file renamed into the inbox);
 * XD_EAGAIN when it may be sent again (5xx, 429, connection error, timeout); XD_EDECLINED
 * for a permanent refusal (other 4xx: the hub's problem detail in <err>); XD_EIO for a file
 * that cannot be written. <client> (may be NULL) is the calling thread's. */
enum xd_status xd_sim__partner_send(struct xd_sim__partner *pt, struct xd_sim__http *client,
                                    const struct xd_sim__message *m,
                                    struct xd_error *err) XD_NODISCARD;

/* The next number of a named counter ("serial"), persisted with the control numbers. */
enum xd_status xd_sim__partner_next(struct xd_sim__partner *pt, uint64_t *out,
                                    struct xd_error *err) XD_NODISCARD;
const char *xd_sim__partner_id(const struct xd_sim__partner *pt);

/* An HTTP client for one thread at a time (http.c): its connection is kept between requests.
 * XD_ENOMEM. */
enum xd_status xd_sim__http_create(struct xd_sim__http **out) XD_NODISCARD;
void xd_sim__http_destroy(struct xd_sim__http *h);
/* The Retry-After of the client's last answer in ms (at most 5 minutes), 0 when none. */
int64_t xd_sim__http_retry_after_ms(const struct xd_sim__http *h);

/* One HTTP POST with libcurl through <client> (NULL: a connection of its own): *status 0 when
 * no answer came (connection error, timeout). <answer> receives the body (capped). XD_OK when
 * an answer came; XD_EIO otherwise (message in <err>); XD_ENOMEM. */
enum xd_status xd_sim__http_post(struct xd_sim__http *client, const char *url, const char *token,
                                 const char *content_type, const char *key, const char *body,
                                 size_t len, uint32_t timeout_ms, long *status,
                                 struct xd_buf *answer, struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* journal.c: what is still owed to the hub, on disk (--state FILE keeps it in FILE.journal) */

struct xd_sim__journal;

/* A chain not finished when the journal was last closed: the steps still owed (the first one
 * possibly rendered already: its message is then sent as it was). */
struct xd_sim__journal_chain {
    uint64_t id;
    char tag[XD_SIM__TAG_MAX];
    int64_t base_wall_ms;
    struct xd_sim__step *steps;
    size_t n;
    struct xd_sim__message *msg;
};

/* Open (or create) the journal at <path>, replay it into the chains still owed (caller's, free
 * with xd_sim__journal_chains_free) and rewrite it with only them. XD_OK, XD_EIO, XD_ENOMEM. */
enum xd_status xd_sim__journal_open(const char *path, struct xd_sim__journal **out,
                                    struct xd_sim__journal_chain **chains, size_t *n,
                                    struct xd_error *err) XD_NODISCARD;
void xd_sim__journal_chains_free(struct xd_sim__journal_chain *chains, size_t n);
/* Each returns once the record is on disk (fdatasync); XD_EIO then and for ever after. */
enum xd_status xd_sim__journal_add(struct xd_sim__journal *j, const char *tag,
                                   const struct xd_sim__step *steps, size_t n, int64_t base_wall_ms,
                                   uint64_t *id, struct xd_error *err) XD_NODISCARD;
enum xd_status xd_sim__journal_rendered(struct xd_sim__journal *j, uint64_t id, size_t step,
                                        const struct xd_sim__message *m,
                                        struct xd_error *err) XD_NODISCARD;
/* Step <step> of chain <id> was sent, or given up: it is owed no more. */
enum xd_status xd_sim__journal_done(struct xd_sim__journal *j, uint64_t id, size_t step,
                                    struct xd_error *err) XD_NODISCARD;
void xd_sim__journal_close(struct xd_sim__journal *j);

/* ------------------------------------------------------------------------------------------ */
/* runner.c: timed chains of messages, sent by worker threads with retries */

struct xd_sim__runner;

/* One step of a chain: a document sent at <offset_ms> after the chain started (or as soon
 * as the step before it was sent, when later). */
struct xd_sim__step {
    json_t *doc; /* owned */
    int64_t offset_ms;
};

/* <journal> (may be NULL, borrowed: close it after destroying the runner) records every chain
 * added and every step sent; <restored> (taken, may be NULL) are chains from it to finish. */
enum xd_status xd_sim__runner_create(struct xd_sim__partner *pt,
                                     const struct xd_sim_send_options *o,
                                     struct xd_sim__journal *journal,
                                     struct xd_sim__journal_chain *restored, size_t n_restored,
                                     struct xd_sim__runner **out) XD_NODISCARD;
/* Queue a chain tagged with the order it answers (<tag> may be NULL), taking the documents
 * (also on failure), on disk first when there is a journal. XD_OK, XD_EIO (journal: not
 * accepted), XD_ENOMEM. */
enum xd_status xd_sim__runner_add(struct xd_sim__runner *r, const char *tag,
                                  struct xd_sim__step *steps, size_t n) XD_NODISCARD;
/* Drop what every chain tagged <tag> so far still owes (a cancelled order): waiting chains at
 * once, one being sent after its current step. Returns the steps dropped at once. */
size_t xd_sim__runner_cancel(struct xd_sim__runner *r, const char *tag);
void xd_sim__runner_stats(struct xd_sim__runner *r, struct xd_sim_partner_stats *out);
/* Stop the workers (waiting for the sends in progress) and free what is pending. */
void xd_sim__runner_destroy(struct xd_sim__runner *r);

#endif
