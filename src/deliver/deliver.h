/* SPDX-License-Identifier: MIT
 * Outbound delivery: the engine that takes messages from the store's transactional outbox and
 * delivers them to partner endpoints (HTTP, Standard Webhooks, a file outbox a partner collects
 * by SFTP), in order per endpoint queue, with retries, a circuit breaker per endpoint, a
 * dead-letter queue and failover to an alternate partner. docs/delivery.md is the manual.
 *
 * Endpoint configuration comes from a registry (struct xd_deliver_registry): the hub's is over
 * partner profiles (src/endpoints), with xd_deliver_memreg, the in-memory one, beside it.
 *
 * Threads: one engine thread drives every HTTP transfer through libcurl's multi interface and
 * owns the queues; worker threads do what blocks (DNS lookups, file writes). Every function
 * below is safe to call from any thread once xd_deliver_start returned. */
#ifndef XD_DELIVER_DELIVER_H
#define XD_DELIVER_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct xd_store;
struct xd_deliver;

/* ------------------------------------------------------------------------------------------ */
/* Endpoint configuration */

#define XD_DELIVER_NAME_MAX       64   /* partner and endpoint names (as the store's) */
#define XD_DELIVER_URL_MAX        2048 /* bytes of an endpoint URL */
#define XD_DELIVER_HEADERS_MAX    32   /* extra request headers (as many as a profile may give) */
#define XD_DELIVER_HEADER_NAME    64   /* bytes of a header name */
#define XD_DELIVER_HEADER_VALUE   1024 /* bytes of a header value */
#define XD_DELIVER_SECRET_MAX     256  /* bytes of a decoded signing key */
#define XD_DELIVER_CREDENTIAL_MAX 4096 /* bytes of a token, API key or password */
#define XD_DELIVER_USERNAME_MAX   128  /* bytes of a basic authentication user name */
#define XD_DELIVER_ALLOW_MAX      32   /* allow-listed address ranges */
#define XD_DELIVER_PROBLEM_MAX    320  /* bytes of the reason a configuration cannot be used */
#define XD_DELIVER_ATTEMPTS_MAX   1000 /* the largest retry.max_attempts accepted */
#define XD_DELIVER_IN_FLIGHT_MAX  1024 /* the largest max_in_flight accepted */

enum xd_deliver_kind {
    XD_DELIVER_HTTP,    /* POST (or PUT) the body with an Idempotency-Key */
    XD_DELIVER_WEBHOOK, /* the same, signed the Standard Webhooks way */
    XD_DELIVER_FILE,    /* write <partners_dir>/<partner>/outbox/<seq>-<endpoint>-<id>.<ext> */
    XD_DELIVER_ERP,     /* hand the body to the ERP connector (options.erp_post) */
};

/* How the hub authenticates to an endpoint. The secret goes on the wire and nowhere else. */
enum xd_deliver_auth_kind {
    XD_DELIVER_AUTH_NONE,
    XD_DELIVER_AUTH_BEARER, /* Authorization: Bearer <secret> */
    XD_DELIVER_AUTH_BASIC,  /* Authorization: Basic base64(<username>:<secret>) (RFC 7617) */
    XD_DELIVER_AUTH_HEADER, /* <header>: <secret> (an API key header) */
};

struct xd_deliver_auth {
    enum xd_deliver_auth_kind kind;
    char header[XD_DELIVER_HEADER_NAME + 1];    /* HEADER: the header's name */
    char username[XD_DELIVER_USERNAME_MAX + 1]; /* BASIC: not secret, no ':' */
    char secret[XD_DELIVER_CREDENTIAL_MAX + 1]; /* token, API key or password: never shown */
};

/* An address range of an allow-list: 127.0.0.0/8, ::1/128. */
struct xd_deliver_cidr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    unsigned prefix;
};

struct xd_deliver_endpoint {
    char partner[XD_DELIVER_NAME_MAX + 1];
    char name[XD_DELIVER_NAME_MAX + 1];
    enum xd_deliver_kind kind;
    char url[XD_DELIVER_URL_MAX + 1]; /* http:// or https://; unused for files */
    char method[8];                   /* POST or PUT */
    struct {
        char name[XD_DELIVER_HEADER_NAME + 1];
        char value[XD_DELIVER_HEADER_VALUE + 1];
    } headers[XD_DELIVER_HEADERS_MAX];
    size_t n_headers;
    /* Secrets: sent, never logged, never shown by the API. */
    struct xd_deliver_auth auth;
    uint8_t signing_key[XD_DELIVER_SECRET_MAX]; /* webhooks: the decoded whsec_ secret */
    size_t signing_key_len;
    int64_t connect_timeout_ms;
    int64_t timeout_ms;     /* the whole attempt */
    bool ordered;           /* one message in flight, oldest first (the default) */
    uint32_t max_in_flight; /* unordered endpoints: attempts at once */
    struct {
        uint32_t max_attempts;
        int64_t max_age_ms; /* counted from enqueue (or the last replay) */
        int64_t base_ms;    /* first backoff; doubles per attempt, with jitter */
        int64_t max_ms;     /* the longest backoff */
    } retry;
    struct {
        uint32_t failures; /* consecutive failed attempts that open it */
        int64_t open_ms;   /* how long it stays open before one probe */
    } breaker;
    /* Private, loopback and other non-public addresses this endpoint may reach. */
    struct xd_deliver_cidr allow[XD_DELIVER_ALLOW_MAX];
    size_t n_allow;
    /* Failover: when the breaker has been open for failover_after_ms, messages never attempted
     * yet move to this partner's endpoint (same name when alternate_endpoint is ""). */
    char alternate_partner[XD_DELIVER_NAME_MAX + 1];
    char alternate_endpoint[XD_DELIVER_NAME_MAX + 1];
    int64_t failover_after_ms;
    /* Not "": the registry knows this endpoint but cannot give a usable configuration (a
     * credential that does not open, a value delivery cannot send). The endpoint exists (messages
     * are accepted) but no attempt is made: each waits under the retry policy with this reason,
     * so the dead-letter queue says what to fix. Never holds a secret. */
    char config_error[XD_DELIVER_PROBLEM_MAX + 1];
};

/* Defaults: webhook kind, POST, ordered, connect 5 s, total 30 s, max_in_flight 8, retry 10
 * attempts within 24 h from 1 s up to 5 min, breaker 5 failures and 30 s open, failover after
 * 5 min, no allow-list, no alternate, no authentication. Names and URL empty. */
void xd_deliver_endpoint_defaults(struct xd_deliver_endpoint *e);
/* Check a configuration (names, URL scheme, method, header names and the ones we set ourselves,
 * authentication, bounds). One with a config_error is checked for its names only.
 * XD_EINVAL with the field in <err> (the message never quotes a secret). */
enum xd_status xd_deliver_endpoint_check(const struct xd_deliver_endpoint *e,
                                         struct xd_error *err) XD_NODISCARD;
/* "10.0.0.0/8", "::1/128", or a bare address (a /32 or /128). XD_EINVAL when malformed. */
enum xd_status xd_deliver_cidr_parse(const char *text, struct xd_deliver_cidr *out) XD_NODISCARD;
/* "http", "webhook", "file", "erp"; XD_EINVAL for anything else. */
const char *xd_deliver_kind_name(enum xd_deliver_kind k);
enum xd_status xd_deliver_kind_parse(const char *name, enum xd_deliver_kind *out) XD_NODISCARD;

/* What became of a message handed to an ERP connector: taken (or found taken before), to be
 * retried (the ERP is down or busy: counts against the breaker), or refused (the ERP says no:
 * dead-letter queue with <detail>, what the ERP answered). */
enum xd_deliver_erp_result {
    XD_DELIVER_ERP_DONE,
    XD_DELIVER_ERP_RETRY,
    XD_DELIVER_ERP_REFUSED,
};
/* <timeout_ms>: the endpoint's timeout (the connector bounds each call it makes by it). */
typedef enum xd_deliver_erp_result (*xd_deliver_erp_fn)(void *arg, const char *partner,
                                                        const char *body, size_t len,
                                                        int64_t timeout_ms, char *detail,
                                                        size_t cap);

typedef enum xd_status (*xd_deliver_each_fn)(void *arg, const struct xd_deliver_endpoint *e);

/* Where configuration comes from. Every function is called from any thread (the engine's, the
 * HTTP server's) and must be thread-safe. */
struct xd_deliver_registry {
    void *arg;
    /* Copy the configuration of (partner, name) into *out; XD_ENOTFOUND when there is none. */
    enum xd_status (*lookup)(void *arg, const char *partner, const char *name,
                             struct xd_deliver_endpoint *out);
    /* Call fn for every endpoint; stop at the first status that is not XD_OK and return it. */
    enum xd_status (*each)(void *arg, xd_deliver_each_fn fn, void *fn_arg);
    /* A number that changes whenever any configuration changed (the engine caches lookups). */
    uint64_t (*generation)(void *arg);
};

/* The in-memory registry: endpoints put by code or loaded from a JSON file (docs/delivery.md,
 * "Endpoint configuration"); the hub uses it beside partner profiles, for endpoints no profile
 * defines. Thread-safe; at most XD_DELIVER_MEMREG_MAX endpoints. */
#define XD_DELIVER_MEMREG_MAX 4096
struct xd_deliver_memreg;
enum xd_status xd_deliver_memreg_create(struct xd_deliver_memreg **out) XD_NODISCARD;
void xd_deliver_memreg_destroy(struct xd_deliver_memreg *r);
/* Add or replace (same partner and name) one endpoint after xd_deliver_endpoint_check. */
enum xd_status xd_deliver_memreg_put(struct xd_deliver_memreg *r,
                                     const struct xd_deliver_endpoint *e,
                                     struct xd_error *err) XD_NODISCARD;
/* Parse a JSON document {"endpoints":[...]} and put every endpoint, or none when any is
 * invalid (err names it: "endpoints[2].retry.max_attempts: ..."). Secrets may be given inline
 * or by the name of an environment variable (bearer_token_env, basic_password_env, api_key_env,
 * webhook_secret_env). */
enum xd_status xd_deliver_memreg_parse(struct xd_deliver_memreg *r, const char *json, size_t len,
                                       struct xd_error *err) XD_NODISCARD;
/* xd_deliver_memreg_parse on the contents of a file (at most 4 MiB). */
enum xd_status xd_deliver_memreg_load(struct xd_deliver_memreg *r, const char *path,
                                      struct xd_error *err) XD_NODISCARD;
/* The registry interface over <r> (borrowed: <r> must outlive its users). */
void xd_deliver_memreg_registry(struct xd_deliver_memreg *r, struct xd_deliver_registry *out);

/* ------------------------------------------------------------------------------------------ */
/* Standard Webhooks signatures (https://www.standardwebhooks.com) */

#define XD_DELIVER_SIGNATURE_MAX 64 /* "v1," and base64 of 32 bytes, NUL included */

/* Decode "whsec_<base64>" into <key> (XD_DELIVER_SECRET_MAX bytes); XD_EINVAL when malformed. */
enum xd_status xd_deliver_secret_decode(const char *secret, uint8_t *key,
                                        size_t *key_len) XD_NODISCARD;
/* "v1," + base64(HMAC-SHA256(key, msg_id "." timestamp "." body)) into <out>
 * (XD_DELIVER_SIGNATURE_MAX bytes). */
enum xd_status xd_deliver_sign(const uint8_t *key, size_t key_len, const char *msg_id,
                               int64_t timestamp, const void *body, size_t body_len,
                               char out[XD_DELIVER_SIGNATURE_MAX]) XD_NODISCARD;
/* True when one of the space-separated signatures of a webhook-signature header is the
 * signature of this message (compared in constant time). */
bool xd_deliver_verify(const uint8_t *key, size_t key_len, const char *msg_id, int64_t timestamp,
                       const void *body, size_t body_len, const char *header);

/* ------------------------------------------------------------------------------------------ */
/* The engine */

struct xd_deliver_options {
    struct xd_store *store;              /* borrowed; must outlive the engine */
    struct xd_deliver_registry registry; /* copied; what it points to is borrowed */
    /* <data>/partners: a file endpoint writes into <partners_dir>/<partner>/outbox/, the
     * folder the partner collects from (the file inbox's layout, src/inbound/inbox.h). */
    const char *partners_dir;
    size_t max_in_flight;  /* attempts under way at once, all endpoints */
    size_t window;         /* messages of one queue held in memory */
    unsigned workers;      /* threads for DNS lookups and file writes */
    int64_t stop_grace_ms; /* how long xd_deliver_stop lets attempts finish */
    /* Endpoints of kind erp: the ERP connector's post (src/erp, xd_erp_deliver), called on a
     * worker thread with <erp_arg>. NULL: their messages wait under the retry policy. */
    xd_deliver_erp_fn erp_post;
    void *erp_arg;
};

/* Defaults: max_in_flight 256, window 64, workers 2, stop_grace_ms 10000, no erp_post. */
void xd_deliver_options_init(struct xd_deliver_options *o);

/* Start the engine: read the endpoints' durable state and the queues that hold work, watch the
 * store for new work, start the threads. Messages a crash left delivering are attempted again
 * (with the same idempotency key). XD_EINVAL for bad options, XD_EUNAVAIL when the store cannot
 * be read, XD_ENOMEM. */
enum xd_status xd_deliver_start(const struct xd_deliver_options *o, struct xd_deliver **out,
                                struct xd_error *err) XD_NODISCARD;
/* Stop starting attempts, let those under way finish for up to stop_grace_ms (the rest stay
 * delivering in the store and are attempted again at the next start), record the results,
 * stop the threads. Call before xd_store_close. NULL-safe. */
void xd_deliver_stop(struct xd_deliver *d);

/* True when the registry configures (partner, name). */
bool xd_deliver_endpoint_exists(struct xd_deliver *d, const char *partner, const char *name);

enum xd_deliver_breaker_state {
    XD_DELIVER_BREAKER_CLOSED,
    XD_DELIVER_BREAKER_OPEN,
    XD_DELIVER_BREAKER_HALF_OPEN,
};
#define XD_DELIVER_BREAKER_STATES 3
/* "closed", "open", "half_open". */
const char *xd_deliver_breaker_name(enum xd_deliver_breaker_state st);

/* What the API shows of an endpoint: its configuration without secrets and its live state.
 * Strings in the arena passed. */
struct xd_deliver_endpoint_status {
    const char *partner;
    const char *name;
    bool configured; /* in the registry (false: known only from its messages) */
    enum xd_deliver_kind kind;
    const char *target;       /* scheme://host[:port]/path of the URL, or the folder */
    const char *config_error; /* why the configuration cannot be used; NULL when it can */
    bool ordered;
    uint32_t max_in_flight; /* attempts at once when not ordered */
    bool disabled;
    const char *disabled_reason; /* NULL when enabled */
    enum xd_deliver_breaker_state breaker;
    uint32_t consecutive_failures;
    int64_t breaker_since_ms;
    int64_t down_since_ms;                           /* when it left closed; 0 while closed */
    uint64_t transitions[XD_DELIVER_BREAKER_STATES]; /* into each state since start */
    size_t in_flight;
    uint64_t delivered; /* attempts by outcome since start */
    uint64_t retried;
    uint64_t dead;
    const char *alternate_partner; /* NULL when none */
    const char *alternate_endpoint;
    bool failover_active;
    uint64_t rerouted; /* messages re-routed to the alternate since start */
};
/* Every endpoint the registry configures or the engine has seen, sorted by partner and name. */
enum xd_status xd_deliver_endpoints(struct xd_deliver *d, struct xd_arena *a,
                                    struct xd_deliver_endpoint_status **out, size_t *n_out,
                                    struct xd_error *err) XD_NODISCARD;

/* Append the delivery metrics in Prometheus text format: attempts by endpoint and outcome,
 * in flight, messages per state, breaker state and transitions, re-routes, and a latency
 * histogram of attempts. Reads the store for the queue depths. */
enum xd_status xd_deliver_metrics_render(struct xd_deliver *d, struct xd_buf *out) XD_NODISCARD;

#endif
