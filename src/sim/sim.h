/* SPDX-License-Identifier: MIT
 * Simulated partners for tests and demos, each a real server on a real channel. The receiver
 * is a partner's HTTP endpoint: it records what arrives, checks Standard Webhooks signatures,
 * honours idempotency keys, and misbehaves on request (fails, hangs, drops connections).
 * Later simulators (ERP, supplier, warehouse) live beside it.
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

#define XD_SIM_REQUIRED_HEADERS_MAX 8

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
};

void xd_sim_receiver_options_init(struct xd_sim_receiver_options *o);

/* Start serving. Every POST or PUT is a delivery; GET /_received answers
 * {"count":N,"records":[...]}: per request, in arrival order, its time (ms), method and path,
 * idempotency key, whether its signature was valid (null without a secret), whether the
 * required headers were there (null when none are required), the SHA-256 of its body, the
 * status answered, whether it was processed and whether it was a duplicate (a key already
 * processed: acknowledged, not processed again). */
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

#endif
