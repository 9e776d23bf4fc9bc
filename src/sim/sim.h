/* SPDX-License-Identifier: MIT
 * Simulated partners for tests and demos, each a real server on a real channel. The receiver
 * is a partner's HTTP endpoint: it records what arrives, checks Standard Webhooks signatures,
 * honours idempotency keys, and misbehaves on request (fails, hangs, drops connections).
 * The supplier, warehouse and ERP simulators (supplier.c, warehouse.c, erp.c) are receivers
 * with a handler: what arrives is decoded the partner's way and answered, later, with the
 * documents that partner would send, rendered and sent as its profile says (partner.c).
 *
 * Threads: libmicrohttpd runs one thread per connection; a receiver's records and keys are
 * under its own mutex. Every function is safe from any thread. */
#ifndef XD_SIM_SIM_H
#define XD_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct xd_sim_receiver;
struct xd_buf;

#define XD_SIM_REQUIRED_HEADERS_MAX 8

/* One delivery handed to a receiver's handler: borrowed for the duration of the call. */
struct xd_sim_delivery {
    const char *method, *path;
    const char *content_type; /* "" when absent */
    const char *key;          /* Idempotency-Key, NULL when absent */
    const char *body;
    size_t body_len;
};

/* Process one delivery whose key was not processed before; answer the HTTP status (2xx: the
 * key counts as processed and is never handed over again; anything else: the sender may send
 * it again). <answer> (capped) may receive a JSON body for the answer; empty: the default.
 * Deliveries are handed over one at a time. */
typedef int (*xd_sim_handle_fn)(void *ctx, const struct xd_sim_delivery *d, struct xd_buf *answer);
/* Answer a GET other than /_received: the status, the JSON body in <out>. */
typedef int (*xd_sim_get_fn)(void *ctx, const char *path, struct xd_buf *out);

struct xd_sim_receiver_options {
    char host[64];           /* numeric IPv4 address to bind */
    uint16_t port;           /* 0: any free port */
    uint32_t drop_first;     /* close the connection without an answer, first N requests */
    uint32_t fail_first;     /* answer fail_status to the N requests after those */
    int fail_status;         /* default 500 */
    int status;              /* the answer after that; default 200 */
    const char *retry_after; /* Retry-After on every answer that is not 2xx, or NULL */
    uint32_t delay_ms;       /* process, then wait this long before answering */
    uint8_t secret[256];     /* Standard Webhooks key (decoded); checked when secret_len > 0 */
    size_t secret_len;
    /* "Name: value" headers every delivery must carry exactly (authentication the partner
     * expects); one missing or different gets 401. Borrowed: must outlive the receiver. */
    const char *required_headers[XD_SIM_REQUIRED_HEADERS_MAX];
    size_t n_required_headers;
    const char *record_path; /* JSON lines appended per request, or NULL; read at start so
                              * keys processed before a restart stay processed */
    size_t max_records;      /* kept in memory for GET /_received; default 100000 */
    uint32_t down_for_ms;    /* answer 503 to every delivery this long after start */
    bool keep_bodies;        /* records (and the record file) hold each processed body */
    xd_sim_handle_fn handle; /* NULL: every delivery is just recorded */
    void *handle_ctx;
    xd_sim_get_fn get; /* NULL: only GET /_received */
    void *get_ctx;
};

void xd_sim_receiver_options_init(struct xd_sim_receiver_options *o);

/* Start serving. Every POST or PUT is a delivery; GET /_received answers
 * {"count":N,"records":[...]}: per request, in arrival order, its time (ms), method and path,
 * idempotency key, whether its signature was valid (null without a secret), whether the
 * required headers were there (null when none are required), the SHA-256 of its body, the
 * status answered, whether it was processed and whether it was a duplicate (a key already
 * processed: acknowledged, not processed again); with keep_bodies also its body ("document"
 * when it is JSON, else "body" as text). */
enum xd_status xd_sim_receiver_start(const struct xd_sim_receiver_options *o,
                                     struct xd_sim_receiver **out,
                                     struct xd_error *err) XD_NODISCARD;
uint16_t xd_sim_receiver_port(const struct xd_sim_receiver *r);
/* Answer <status> from now on (after the drops and failures still due). */
void xd_sim_receiver_set_status(struct xd_sim_receiver *r, int status);
struct xd_sim_receiver_stats {
    uint64_t requests;   /* deliveries that arrived (dropped ones included) */
    uint64_t processed;  /* distinct keys processed */
    uint64_t duplicates; /* acknowledged again without processing */
    uint64_t dropped;
    uint64_t failed; /* answered with a status that is not 2xx */
    uint64_t bad_signatures;
};
void xd_sim_receiver_stats(struct xd_sim_receiver *r, struct xd_sim_receiver_stats *out);
/* Stop serving; NULL-safe. */
void xd_sim_receiver_stop(struct xd_sim_receiver *r);

/* ------------------------------------------------------------------------------------------
 * Simulated trading partners. Each takes its own options (cmd_sim.c fills them from the
 * command line), serves on its listen address until stopped, and sends to the hub over the
 * hub's real channels: POST {hub}/v1/inbound/{partner} with the partner's token, or a file
 * renamed into the partner's inbox. */

struct xd_partner_profile;

/* How a simulated partner sends (partner.c). */
struct xd_sim_send_options {
    const char *hub_url;    /* http://HOST:PORT of the hub, or NULL (then inbox only) */
    const char *token;      /* the partner's bearer token for /v1/inbound */
    const char *inbox_dir;  /* the hub's <data>/partners/<id>/inbox, or NULL */
    const char *state_path; /* control numbers and counters kept across restarts, or NULL */
    uint32_t workers;       /* threads sending; default 4 */
    uint32_t max_attempts;  /* per message before it is given up (logged); default 30 */
    uint32_t backoff_ms;    /* first wait after a retryable failure, doubling; default 200 */
    uint32_t timeout_ms;    /* per HTTP request; default 10000 */
};

/* Problems a supplier or warehouse builds into its answers; each applies to every Nth
 * document received (every: 0 or 1 = all). */
struct xd_sim_supplier_options {
    struct xd_sim_receiver_options listen; /* down_for_ms: endpoint down at start */
    struct xd_sim_send_options send;
    uint32_t ack_delay_ms, ship_delay_ms, invoice_delay_ms;
    uint32_t every;
    int64_t reject_line; /* PO line rejected in the ack, not shipped, not invoiced */
    int64_t change_line; /* PO line whose quantity the ack changes ... */
    char change_qty[XD_DECIMAL_STR_MAX]; /* ... to this quantity */
    uint32_t partial_percent;            /* ship this share first, the rest in a second ASN */
    uint32_t price_error_percent;        /* the invoice's first line priced off by this much */
    bool duplicate_asn;                  /* every ship notice is sent twice */
};

struct xd_sim_warehouse_options {
    struct xd_sim_receiver_options listen;
    struct xd_sim_send_options send;
    uint32_t receive_delay_ms;
    uint32_t every;
    int64_t short_line;                 /* PO line received short ... */
    char short_qty[XD_DECIMAL_STR_MAX]; /* ... by this quantity */
    int64_t over_line;                  /* PO line received over ... */
    char over_qty[XD_DECIMAL_STR_MAX];  /* ... by this quantity */
    int64_t damaged_line;
    char damaged_qty[XD_DECIMAL_STR_MAX];
    const char *location_id; /* receipts' location when the ASN names none; NULL: "DC-CHI" */
};

void xd_sim_send_options_init(struct xd_sim_send_options *o);
void xd_sim_supplier_options_init(struct xd_sim_supplier_options *o);
void xd_sim_warehouse_options_init(struct xd_sim_warehouse_options *o);

struct xd_sim_partner;

/* Counters of a running simulated partner. */
struct xd_sim_partner_stats {
    uint64_t received; /* documents received and planned for */
    uint64_t refused;  /* deliveries that could not be used (answered 4xx) */
    uint64_t sent;     /* messages the hub accepted */
    uint64_t retried;  /* attempts that failed and were tried again */
    uint64_t given_up; /* messages dropped after a permanent error or too many attempts */
    uint64_t pending;  /* messages waiting to be sent */
};

/* Start a supplier (or warehouse) for profile <p> (borrowed reference taken). Refuses a
 * profile that cannot do the job with XD_EINVAL and a message: no purchase_order (ship_notice)
 * it receives, no way to send its documents (an inbound entry per document type, on an
 * HTTP channel with a hub URL and token, or an inbox with --inbox). */
enum xd_status xd_sim_supplier_start(const struct xd_partner_profile *p,
                                     const struct xd_sim_supplier_options *o,
                                     struct xd_sim_partner **out,
                                     struct xd_error *err) XD_NODISCARD;
enum xd_status xd_sim_warehouse_start(const struct xd_partner_profile *p,
                                      const struct xd_sim_warehouse_options *o,
                                      struct xd_sim_partner **out,
                                      struct xd_error *err) XD_NODISCARD;
uint16_t xd_sim_partner_port(const struct xd_sim_partner *sp);
void xd_sim_partner_stats(struct xd_sim_partner *sp, struct xd_sim_partner_stats *out);
/* Stop receiving, then stop sending (what is still pending is dropped and counted); NULL-safe. */
void xd_sim_partner_stop(struct xd_sim_partner *sp);

/* The ERP (erp.c): records every posting; optionally issues purchase orders to the hub. */
struct xd_sim_erp_options {
    struct xd_sim_receiver_options listen; /* keep_bodies is forced on */
    const char *hub_url;
    const char *token;
    uint32_t orders;      /* purchase orders to issue, 0: none */
    uint32_t rate_per_s;  /* orders per second; default 10 */
    const char *supplier; /* supplier.party_id; default "acme-fasteners" */
    const char *location; /* ship_to.location_id; default "DC-CHI" */
    const char *prefix;   /* po_number prefix; default "PO" */
    uint32_t seed;        /* catalogue choices; 0: from the clock */
    uint32_t connections; /* orders posted at once, each on its own connection; default 1 */
};
#define XD_SIM_ERP_CONNECTIONS_MAX 64

void xd_sim_erp_options_init(struct xd_sim_erp_options *o);
struct xd_sim_erp;
enum xd_status xd_sim_erp_start(const struct xd_sim_erp_options *o, struct xd_sim_erp **out,
                                struct xd_error *err) XD_NODISCARD;
uint16_t xd_sim_erp_port(const struct xd_sim_erp *e);
/* True once every order was issued (accepted by the hub or given up). */
bool xd_sim_erp_orders_done(struct xd_sim_erp *e, uint64_t *issued, uint64_t *failed);
void xd_sim_erp_stop(struct xd_sim_erp *e);

#endif
