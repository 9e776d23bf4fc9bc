/* SPDX-License-Identifier: MIT
 * The HTTP API: libmicrohttpd serving /v1 (documents, transactions, schemas, OpenAPI, health)
 * and /metrics. Requests that write are answered only after the store committed them: the
 * connection is suspended while the writer works and resumed by its completion callback.
 *
 * Threads: libmicrohttpd's pool threads run the handlers; store completion callbacks run on the
 * store's writer thread and only hand results back. */
#ifndef XD_GATEWAY_GATEWAY_H
#define XD_GATEWAY_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct xd_store;
struct xd_gateway;
struct xd_deliver;
struct xd_partner_registry;
struct xd_inbound_ctx;
struct xd_flow;

struct xd_gateway_options {
    char host[64];                 /* numeric IPv4 address to bind, e.g. "127.0.0.1" */
    uint16_t port;                 /* 0: any free port (see xd_gateway_port) */
    size_t max_body_bytes;         /* request bodies past this get 413 */
    unsigned threads;              /* libmicrohttpd pool threads */
    unsigned max_connections;      /* concurrent connections before new ones are refused */
    unsigned connection_timeout_s; /* idle keep-alive connections are closed after this */
    struct xd_deliver *deliver;    /* outbound delivery (borrowed), or NULL: its routes say 503 */
    /* Partner profiles (/v1/partners), borrowed; NULL: those routes answer 503. */
    struct xd_partner_registry *partners;
    /* The inbound pipeline (POST /v1/inbound/{partner}), borrowed; NULL: 503. */
    const struct xd_inbound_ctx *inbound;
    /* Called after a profile was applied (e.g. to create its inbox folders); may be NULL. */
    void (*partner_applied)(void *arg, const char *id);
    void *partner_applied_arg;
    /* The workflow engine (POST /v1/exceptions/{id}/actions), borrowed; NULL: 503. */
    struct xd_flow *flow;
};

/* Defaults: 127.0.0.1:8080, 1 MiB bodies, 2 threads, 1024 connections, 60 s, no delivery, no
 * partners. */
void xd_gateway_options_init(struct xd_gateway_options *o);

/* Parse "HOST:PORT" (IPv4) into <o>. XD_EINVAL with a message when malformed. */
enum xd_status xd_gateway_parse_listen(const char *text, struct xd_gateway_options *o,
                                       struct xd_error *err) XD_NODISCARD;

/* Bind and start serving. <store> is borrowed and must outlive the gateway. */
enum xd_status xd_gateway_start(const struct xd_gateway_options *o, struct xd_store *store,
                                struct xd_gateway **out, struct xd_error *err) XD_NODISCARD;
/* The port actually bound. */
uint16_t xd_gateway_port(const struct xd_gateway *gw);
/* Graceful stop: close the listening socket, let every accepted request finish (their writes
 * commit and their answers are sent), then stop. NULL-safe. */
void xd_gateway_stop(struct xd_gateway *gw);

#endif
