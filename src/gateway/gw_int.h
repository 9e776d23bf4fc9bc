/* SPDX-License-Identifier: MIT
 * Gateway internals shared by its files: the request object, routes, responses, metrics. */
#ifndef XD_GATEWAY_GW_INT_H
#define XD_GATEWAY_GW_INT_H

#include <stdatomic.h>
#include <stdbool.h>

#include <microhttpd.h>

#include "core/core.h"
#include "gateway/gateway.h"
#include "store/store.h"

#define GW_MAX_PARAMS     2
#define GW_MAX_HEADERS    8
#define GW_RESPONSE_MAX   (64u * 1024 * 1024) /* largest body we build (thread listings) */
#define GW_REQUEST_ARENA  (8u * 1024 * 1024)  /* per-request arena cap beyond the body */
#define GW_IDEM_KEY_MAX   255
#define GW_METRIC_BUCKETS 12

enum gw_method {
    GW_GET = 1 << 0,
    GW_HEAD = 1 << 1,
    GW_POST = 1 << 2,
    GW_PUT = 1 << 3,
    GW_DELETE = 1 << 4,
    GW_PATCH = 1 << 5,
    GW_OPTIONS = 1 << 6,
};

struct xd_gw_request;
typedef void (*gw_handler_fn)(struct xd_gw_request *r);

struct gw_route {
    const char *pattern; /* "/v1/documents/{id}": each {name} matches one path segment */
    unsigned methods;
    const char *name;   /* metrics label */
    bool auth;          /* needs a bearer token */
    unsigned char body; /* takes a request body: GW_BODY_JSON (true), _JSON_YAML or _ANY */
    gw_handler_fn handler;
    unsigned char roles; /* token roles allowed (auth routes); 0: admin and operator */
};

#define GW_BODY_JSON      1 /* application/json */
#define GW_BODY_JSON_YAML 2 /* application/json or application/yaml */
#define GW_BODY_ANY       3 /* any content type: the handler decides (partner messages) */

/* Token roles a route admits (403 for the others). Handlers may narrow further (admin only,
 * a partner's own data only). */
#define GW_ROLE_ADMIN    1u
#define GW_ROLE_OPERATOR 2u
#define GW_ROLE_PARTNER  4u
#define GW_ROLES_STAFF   (GW_ROLE_ADMIN | GW_ROLE_OPERATOR)
#define GW_ROLES_ALL     (GW_ROLES_STAFF | GW_ROLE_PARTNER)

/* The route table (router.c) and its size. Index GW_ROUTE_NONE means "no route matched". */
extern const struct gw_route xd_gw__routes[];
extern const size_t xd_gw__route_count;
#define GW_ROUTE_NONE xd_gw__route_count

struct gw_header {
    const char *name;
    const char *value; /* in the request arena */
};

struct gw_response {
    int status;
    const char *content_type;
    struct xd_buf body;
    struct gw_header headers[GW_MAX_HEADERS];
    size_t n_headers;
};

enum gw_state {
    GW_STATE_READING = 0, /* receiving the body */
    GW_STATE_WAITING,     /* suspended until the store completes */
    GW_STATE_RESUMED,     /* the store completed: the handler's resume function answers */
    GW_STATE_DONE,        /* response ready to queue */
};

struct gw_metrics; /* metrics.c */

struct xd_gateway {
    struct xd_gateway_options opts;
    struct xd_store *store;
    struct MHD_Daemon *daemon;
    uint16_t port;
    atomic_int stopping;
    atomic_long in_flight; /* requests accepted and not yet completed */
    struct gw_metrics *metrics;
    struct gw_idem_table *idem;    /* idem.c: keys of requests in flight */
    struct gw_token_cache *tokens; /* auth.c */
    int64_t started_ms;
};

struct xd_gw_request {
    struct xd_gateway *gw;
    struct MHD_Connection *conn;
    struct xd_arena *arena;
    enum gw_method method;
    const char *path;
    size_t route; /* index into xd_gw__routes, or GW_ROUTE_NONE */
    const char *params[GW_MAX_PARAMS];
    struct xd_buf body;
    bool body_too_big;
    int64_t t0_ns;
    atomic_int state;
    /* Caller identity, set by auth.c when the route needs it. */
    struct xd_store_token token;
    /* Tracing: W3C trace context and X-Correlation-ID of the caller. */
    char trace_id[33];
    char span_id[17];
    char trace_flags[3];
    const char *caller_correlation_id;
    /* Idempotency key registered in the in-flight table, released at completion. */
    char *idem_slot;
    /* Asynchronous store operation of a write request. */
    struct xd_store_op op;
    /* Set with xd_gw__wake: runs on a pool thread once the connection is resumed. */
    void (*resume)(struct xd_gw_request *r);
    void *resume_arg;
    struct gw_response resp;
};

/* ---- responses (response.c) ---- */
const char *xd_gw__header(struct xd_gw_request *r, const char *name);
/* A query parameter of the request, NULL when absent. */
const char *xd_gw__query(struct xd_gw_request *r, const char *name);
void xd_gw__add_header(struct xd_gw_request *r, const char *name, const char *value);
/* A JSON body (already serialised) with <status>. */
void xd_gw__json(struct xd_gw_request *r, int status, const char *json, size_t len);
/* RFC 9457 problem+json. <slug> names the problem type (urn:crossdock:problem:<slug>).
 * <diags> may be NULL; when given, each entry becomes an element of "errors". */
void xd_gw__problem(struct xd_gw_request *r, int status, const char *slug, const char *title,
                    const struct xd_diags *diags, const char *detail_fmt, ...) XD_PRINTF(6, 7);
/* 503 with Retry-After for storage or capacity trouble. */
void xd_gw__unavailable(struct xd_gw_request *r, const char *detail);
/* Mark the response ready (state DONE). Handlers that answer synchronously need not call it. */
void xd_gw__finish(struct xd_gw_request *r);

/* ---- suspension (server.c) ---- */
/* Suspend the connection before handing work to the store; resume it from the completion
 * callback with xd_gw__complete. */
void xd_gw__suspend(struct xd_gw_request *r);
void xd_gw__complete(struct xd_gw_request *r);
/* Instead of xd_gw__complete when building the answer is more than the completion thread (the
 * store's writer) should do: resume the connection, and r->resume answers on a pool thread. */
void xd_gw__wake(struct xd_gw_request *r);

/* ---- auth (auth.c) ---- */
struct gw_token_cache *xd_gw__tokens_create(void);
void xd_gw__tokens_destroy(struct gw_token_cache *c);
/* Check the Authorization header; on failure the 401 problem is already set. */
bool xd_gw__authenticate(struct xd_gw_request *r);

/* ---- idempotency keys in flight (idem.c) ---- */
struct gw_idem_table *xd_gw__idem_create(void);
void xd_gw__idem_destroy(struct gw_idem_table *t);
/* Claim (scope, key). XD_EEXIST when another request holds it; XD_ENOMEM. On XD_OK
 * r->idem_slot is set and released by xd_gw__idem_release. */
enum xd_status xd_gw__idem_claim(struct xd_gw_request *r, const char *scope, const char *key);
void xd_gw__idem_release(struct xd_gw_request *r);
/* The Idempotency-Key of a write request: 400 when malformed, 409 while another request with it
 * is in flight, the stored answer when it completed (422 when that was a different request:
 * method, path and body are fingerprinted into <request_hash>). False when an answer is set;
 * otherwise *idem_key is the key (NULL when none) and the key is claimed until completion. */
bool xd_gw__idem_begin(struct xd_gw_request *r, const char **idem_key,
                       uint8_t request_hash[XD_SHA256_LEN]);
/* xd_gw__idem_begin without the look-up of completed requests, for a write whose store
 * operation checks the key itself in its transaction (an ingest): the look-up is then needed
 * only when the request fails before reaching the store (xd_gw__idem_answer_stored). */
bool xd_gw__idem_claim_key(struct xd_gw_request *r, const char **idem_key,
                           uint8_t request_hash[XD_SHA256_LEN]);
/* When a request with <idem_key> (may be NULL) completed before: answer as
 * xd_gw__idem_begin would have and return true (also when the look-up failed: 503). */
bool xd_gw__idem_answer_stored(struct xd_gw_request *r, const char *idem_key,
                               const uint8_t request_hash[XD_SHA256_LEN]);
/* Answer with what an earlier request with the same key stored, or 422 when its fingerprint
 * differs from <request_hash>. */
void xd_gw__idem_replay(struct xd_gw_request *r, const uint8_t *request_hash,
                        const uint8_t *stored_hash, int status, const char *body, size_t len);

/* ---- metrics (metrics.c) ---- */
struct gw_metrics *xd_gw__metrics_create(size_t routes);
void xd_gw__metrics_destroy(struct gw_metrics *m);
void xd_gw__metrics_observe(struct gw_metrics *m, size_t route, int status, int64_t elapsed_ns);
enum xd_status xd_gw__metrics_render(struct xd_gateway *gw, struct xd_buf *out);

/* ---- documents as stored and as shown (gw_doc.c) ---- */
struct xd_canon_doc;
/* Give a decoded document its hub-assigned id and source (channel, format, received_at, the
 * partner the token speaks for) and encode it for the store. A correlation_id inside the body
 * becomes *correlation_hint. XD_EINVALDOC with <diags> when the body sets what only the hub
 * may set (its id). */
enum xd_status xd_gw__doc_stamp(struct xd_gw_request *r, struct xd_canon_doc *doc, const char *id,
                                const char *received_at, const char **correlation_hint,
                                struct xd_buf *out, struct xd_diags *diags);
/* Append a stored document as clients see it: its canonical JSON with correlation_id set. */
enum xd_status xd_gw__doc_render(struct xd_gw_request *r, const struct xd_store_doc *d,
                                 struct xd_buf *out);

/* ---- handlers ---- */
void xd_gw__h_health(struct xd_gw_request *r);
void xd_gw__h_metrics(struct xd_gw_request *r);
void xd_gw__h_openapi(struct xd_gw_request *r);
void xd_gw__h_schema(struct xd_gw_request *r);
void xd_gw__h_schemas(struct xd_gw_request *r);
void xd_gw__h_document_post(struct xd_gw_request *r);
void xd_gw__h_document_get(struct xd_gw_request *r);
void xd_gw__h_document_raw(struct xd_gw_request *r);
void xd_gw__h_transaction_get(struct xd_gw_request *r);
void xd_gw__h_outbox_list(struct xd_gw_request *r);
void xd_gw__h_outbox_post(struct xd_gw_request *r);
void xd_gw__h_outbox_get(struct xd_gw_request *r);
void xd_gw__h_dlq_list(struct xd_gw_request *r);
void xd_gw__h_dlq_replay(struct xd_gw_request *r);
void xd_gw__h_endpoints_list(struct xd_gw_request *r);
void xd_gw__h_endpoint_enable(struct xd_gw_request *r);
void xd_gw__h_partner_put(struct xd_gw_request *r);
void xd_gw__h_inbound_post(struct xd_gw_request *r);
void xd_gw__h_exceptions_list(struct xd_gw_request *r);
void xd_gw__h_flows_list(struct xd_gw_request *r);
void xd_gw__h_exception_get(struct xd_gw_request *r);
void xd_gw__h_exception_action(struct xd_gw_request *r);
void xd_gw__h_partner_get(struct xd_gw_request *r);
void xd_gw__h_partners_list(struct xd_gw_request *r);
/* application/yaml, application/x-yaml or text/yaml, parameters ignored (h_partners.c). */
bool xd_gw__is_yaml_type(const char *content_type);

/* Route matching (router.c): sets r->route and r->params; returns the methods the matching
 * pattern allows (0 when no pattern matches the path). */
unsigned xd_gw__route(struct xd_gw_request *r);
enum gw_method xd_gw__method_parse(const char *m);
const char *xd_gw__method_name(enum gw_method m);

#endif
