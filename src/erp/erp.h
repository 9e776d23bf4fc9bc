/* SPDX-License-Identifier: MIT
 * ERP connectors: the hub's link to the system of record. A connector fetches new business
 * documents (confirmed purchase orders) since a cursor, posts canonical documents into the ERP
 * (acknowledgements, ship notices, receipts, invoices) with an idempotency guard, and reads the
 * ERP's master data (products, suppliers, warehouses); identifiers are mapped both ways with the
 * ERP partner profile's `erp:` section. Tryton (tryton.c) is the first; others plug in through
 * struct xd_erp_ops. docs/erp-tryton.md is the manual.
 *
 * Threads: a connector handle is used by one thread at a time (the poller has its own; each
 * delivery attempt opens one). The poller (poll.c) runs on a thread of its own and talks to the
 * store and the inbound pipeline only. */
#ifndef XD_ERP_ERP_H
#define XD_ERP_ERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "deliver/deliver.h"

struct xd_partner_profile;
struct xd_partner_registry;
struct xd_inbound_ctx;

#define XD_ERP_BATCH_MAX    100                        /* documents fetched per call */
#define XD_ERP_RESPONSE_MAX ((size_t)32 * 1024 * 1024) /* bytes of one ERP answer */
#define XD_ERP_DETAIL_MAX   512 /* bytes of what the ERP answered, for the DLQ */
#define XD_ERP_CURSOR_MAX   256 /* bytes of a fetch cursor */

/* How a call into the ERP ended, for the delivery engine. */
enum xd_erp_outcome {
    XD_ERP_DONE,    /* done now, or found done before (the idempotency guard) */
    XD_ERP_RETRY,   /* the ERP is unreachable, slow or busy: try again later */
    XD_ERP_REFUSED, /* the ERP (or the document) says no: retrying the same will not help */
};

/* One fetched business document: canonical JSON in the ERP's codes mapped to ours, the key that
 * recognises it when fetched again, the cursor just past it, and whether it withdraws an order
 * (cancelled or back to draft in the ERP). Strings are owned by the batch. */
struct xd_erp_doc {
    char *json;
    size_t json_len;
    char *dedupe_key;
    char *cursor;
    char *po_number;
    char *fingerprint; /* "content <hash> open|withdrawn": in the order's ERP reference */
    bool withdrawn;
};

struct xd_erp_batch {
    struct xd_erp_doc *docs;
    size_t n_docs;
    bool more; /* the ERP has more past the last one */
};
void xd_erp_batch_cleanup(struct xd_erp_batch *b);

/* Master data read from the ERP: canonical item, party and location documents, as one JSON
 * array (owned). */
struct xd_erp_master {
    char *json;
    size_t json_len;
    size_t items;
    size_t parties;
    size_t locations;
};
void xd_erp_master_cleanup(struct xd_erp_master *m);

struct xd_erp;

/* What a connector implements. Every function fills <err> on failure. */
struct xd_erp_ops {
    const char *name;
    /* Purchase orders changed since <cursor> ("" for the beginning), oldest change first, at
     * most XD_ERP_BATCH_MAX. XD_EUNAVAIL when the ERP cannot be reached or fails. */
    enum xd_status (*fetch)(struct xd_erp *e, const char *cursor, struct xd_erp_batch *out,
                            struct xd_error *err);
    /* Post one canonical document (JSON). *outcome says what became of it; <detail> (cap
     * bytes) what the ERP did or answered. XD_OK unless the hub itself failed (XD_ENOMEM). */
    enum xd_status (*post)(struct xd_erp *e, const char *json, size_t len,
                           enum xd_erp_outcome *outcome, char *detail, size_t cap);
    enum xd_status (*master)(struct xd_erp *e, struct xd_erp_master *out, struct xd_error *err);
    void (*close)(struct xd_erp *e);
};

/* A connector for the ERP partner <p> (role erp with an erp section): its settings, mapping
 * and the plaintext of its credential opened through <partners>. Nothing is sent yet.
 * XD_EINVAL (not an ERP profile), XD_ENOTFOUND/XD_EPERM/XD_ECORRUPT (credential), XD_ENOMEM. */
enum xd_status xd_erp_open(const struct xd_partner_profile *p, struct xd_partner_registry *partners,
                           struct xd_erp **out, struct xd_error *err) XD_NODISCARD;
void xd_erp_close(struct xd_erp *e);
enum xd_status xd_erp_fetch(struct xd_erp *e, const char *cursor, struct xd_erp_batch *out,
                            struct xd_error *err) XD_NODISCARD;
enum xd_status xd_erp_post(struct xd_erp *e, const char *json, size_t len,
                           enum xd_erp_outcome *outcome, char *detail, size_t cap) XD_NODISCARD;
enum xd_status xd_erp_master(struct xd_erp *e, struct xd_erp_master *out,
                             struct xd_error *err) XD_NODISCARD;

/* Identifier mapping with the profile's erp section: ERP code -> ours (NULL when unmapped:
 * the caller keeps the ERP's code), ours -> ERP code (the code itself when unmapped). */
enum xd_erp_map_kind {
    XD_ERP_MAP_PRODUCT, /* product code <-> SKU */
    XD_ERP_MAP_PARTY,   /* party code <-> partner id */
    XD_ERP_MAP_LOCATION,
    XD_ERP_MAP_UNIT,
};
const char *xd_erp_map_in(const struct xd_erp *e, enum xd_erp_map_kind k, const char *erp_code);
const char *xd_erp_map_out(const struct xd_erp *e, enum xd_erp_map_kind k, const char *ours);

/* ------------------------------------------------------------------------------------------ */
/* The poller and master data sync (poll.c): ERP documents into the hub as inbound messages of
 * the ERP partner on channel "erp". */

/* One poll of partner <p>: fetch what changed since the stored cursor and journal each
 * purchase order as one message, the cursor past it committed in the same transaction (a
 * duplicate advances the cursor alone). Purpose: original the first time a PO is seen, change
 * after, cancel when the ERP withdrew one the hub knew (one it never saw is skipped). Up to
 * <max_batches> fetches. *ingested counts the messages journaled. XD_EUNAVAIL: the ERP or the
 * store failed (err says which); what was journaled stays. */
enum xd_status xd_erp_poll(const struct xd_inbound_ctx *ctx, const struct xd_partner_profile *p,
                           size_t max_batches, size_t *ingested, struct xd_error *err) XD_NODISCARD;

/* Master data of partner <p> into the hub: the ERP's items, parties and locations journaled as
 * one message of canonical documents (unchanged data is recognised and not journaled again).
 * *stored: documents journaled (0 when unchanged). */
enum xd_status xd_erp_sync(const struct xd_inbound_ctx *ctx, const struct xd_partner_profile *p,
                           size_t *stored, struct xd_error *err) XD_NODISCARD;

/* The poller thread of `crossdock serve`: every ERP partner of the registry (profiles applied
 * later included) is polled at its poll_interval and synced every <sync_interval_ms> (0: never).
 * While an ERP is unreachable, one error is logged when it fails and then at most once a
 * minute, and polls back off up to a minute; the hub keeps serving. */
struct xd_erp_poller;
enum xd_status xd_erp_poller_start(const struct xd_inbound_ctx *ctx, int64_t sync_interval_ms,
                                   struct xd_erp_poller **out, struct xd_error *err) XD_NODISCARD;
/* Stop and join (a poll under way finishes first). NULL-safe. */
void xd_erp_poller_stop(struct xd_erp_poller *pl);

/* Connectors kept open between delivery attempts (and their ERP sessions with them), at most
 * XD_ERP_POOL_MAX idle ones; a connector of a profile that changed since is closed, not reused.
 * Thread-safe. <partners> is borrowed and must outlive the pool. */
#define XD_ERP_POOL_MAX 16
struct xd_erp_pool;
enum xd_status xd_erp_pool_create(struct xd_partner_registry *partners,
                                  struct xd_erp_pool **out) XD_NODISCARD;
/* Closes the idle connectors; no attempt may be under way (stop the engine first). */
void xd_erp_pool_destroy(struct xd_erp_pool *pool);

/* The delivery engine's hook for endpoints of kind erp (src/deliver calls it on a worker
 * thread): take a connector of <partner> from <arg> (a struct xd_erp_pool) or open one, and
 * post the message body. Matches xd_deliver_erp_fn. */
enum xd_deliver_erp_result xd_erp_deliver(void *arg, const char *partner, const char *body,
                                          size_t len, int64_t timeout_ms, char *detail, size_t cap);

#endif
