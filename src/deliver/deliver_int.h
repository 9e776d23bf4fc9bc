/* SPDX-License-Identifier: MIT
 * Inside the delivery engine: the pure decisions (status classification, backoff, Retry-After,
 * the breaker's state machine, address classification, which messages of a queue may start)
 * that the unit tests drive directly, and the pieces the engine's files share. Nothing here
 * locks: the engine thread owns queues, transfers and breakers; deliver.c says who owns the
 * rest. */
#ifndef XD_DELIVER_DELIVER_INT_H
#define XD_DELIVER_DELIVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "core/core.h"
#include "deliver/deliver.h"
#include "store/store.h"

/* ------------------------------------------------------------------------------------------ */
/* policy.c: what an answer means and when to try again */

enum xd_deliver__class {
    XD_DELIVER__DELIVERED, /* 2xx, or the file is in place */
    XD_DELIVER__RETRY,     /* worth another attempt: 408, 409, 425, 429, 5xx, network */
    XD_DELIVER__DEAD,      /* cannot succeed by retrying: 400, 401, 403, 404, 422, 3xx ... */
    XD_DELIVER__DISABLE,   /* 410 Gone: the endpoint is disabled until an operator enables it */
};

/* The class of an HTTP status (a table: specific codes, then the class of the hundred). */
enum xd_deliver__class xd_deliver__classify_status(int status);
/* The class of a transfer that ended without an HTTP answer (libcurl's code), and a short
 * text for the error ("connection refused", "timed out"). */
enum xd_deliver__class xd_deliver__classify_curl(int curl_code, const char **text);
/* True when the breaker counts this class as the endpoint failing. 4xx answers (dead) are the
 * message's fault and prove the endpoint alive. */
bool xd_deliver__counts_as_failure(enum xd_deliver__class c);

/* Backoff before attempt <attempt> + 1 after <attempt> failed (attempt >= 1): base * 2^(n-1)
 * capped at max, with "equal jitter": a uniform value in [d/2, d] from <random>. */
int64_t xd_deliver__backoff_ms(int64_t base_ms, int64_t max_ms, uint32_t attempt, uint64_t random);

/* A Retry-After value: delta-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime, as
 * RFC 9110 asks recipients to accept). *delay_ms is never negative (a past date is 0).
 * XD_EPARSE when it is neither. */
enum xd_status xd_deliver__retry_after(const char *value, int64_t now_ms,
                                       int64_t *delay_ms) XD_NODISCARD;

/* What to do after a failed attempt that may be retried: retry at *next_at_ms, or give up
 * (returns false and writes the reason). Retry-After (retry_after_ms >= 0) replaces the backoff
 * but not the bounds. */
bool xd_deliver__plan_retry(const struct xd_deliver_endpoint *e, uint32_t attempts,
                            int64_t retry_from_ms, int64_t now_ms, int64_t retry_after_ms,
                            uint64_t random, int64_t *next_at_ms, char *why, size_t why_cap);

/* ------------------------------------------------------------------------------------------ */
/* breaker.c: closed -> open after N consecutive failures -> half-open after the pause -> one
 * probe -> closed on success, open again on failure. */

struct xd_deliver__breaker {
    enum xd_deliver_breaker_state state;
    uint32_t failures;     /* consecutive, while closed */
    int64_t since_ms;      /* entered the current state */
    int64_t down_since_ms; /* left closed (kept through open/half-open cycles); 0 when closed */
    bool probe_out;        /* half-open: the probe is under way */
    uint64_t transitions[XD_DELIVER_BREAKER_STATES];
};

enum xd_deliver__gate {
    XD_DELIVER__GATE_SHUT,  /* open: nothing may start */
    XD_DELIVER__GATE_PROBE, /* half-open: one attempt may start (the probe) */
    XD_DELIVER__GATE_OPEN,  /* closed: as many as the queue allows */
};

void xd_deliver__breaker_init(struct xd_deliver__breaker *b);
/* May attempts start now? Moves open -> half-open once the pause is over (*changed true). */
enum xd_deliver__gate xd_deliver__breaker_gate(struct xd_deliver__breaker *b, int64_t open_ms,
                                               int64_t now_ms, bool *changed);
/* An attempt starts under the gate: in half-open it is the probe. */
void xd_deliver__breaker_started(struct xd_deliver__breaker *b);
/* Outcomes; true when the state changed. */
bool xd_deliver__breaker_success(struct xd_deliver__breaker *b, int64_t now_ms);
bool xd_deliver__breaker_failure(struct xd_deliver__breaker *b, uint32_t failures_to_open,
                                 int64_t now_ms);
/* An attempt ended without telling anything about the endpoint (refused by the address check,
 * abandoned at shutdown): a half-open probe slot is given back. */
void xd_deliver__breaker_neutral(struct xd_deliver__breaker *b);
/* When an open breaker half-opens (INT64_MAX when it is not open). */
int64_t xd_deliver__breaker_wake_ms(const struct xd_deliver__breaker *b, int64_t open_ms);
/* Restore from the store's row ("closed", "open", "half_open"); a half-open breaker comes back
 * open with its pause over, so one probe goes out first. */
void xd_deliver__breaker_restore(struct xd_deliver__breaker *b, const char *state, int64_t since_ms,
                                 int64_t down_since_ms, int64_t open_ms);

/* ------------------------------------------------------------------------------------------ */
/* ssrf.c: which addresses an endpoint may reach */

enum xd_deliver__addr_class {
    XD_DELIVER__ADDR_PUBLIC,
    XD_DELIVER__ADDR_UNSPECIFIED,
    XD_DELIVER__ADDR_LOOPBACK,
    XD_DELIVER__ADDR_PRIVATE, /* RFC 1918, unique local (fc00::/7), site-local */
    XD_DELIVER__ADDR_SHARED,  /* carrier-grade NAT 100.64.0.0/10 */
    XD_DELIVER__ADDR_LINK_LOCAL,
    XD_DELIVER__ADDR_MULTICAST,
    XD_DELIVER__ADDR_BROADCAST,
    XD_DELIVER__ADDR_RESERVED,   /* documentation, benchmarking, future use, IETF, discard */
    XD_DELIVER__ADDR_TRANSLATED, /* an IPv6 form that hides an IPv4 address we cannot see */
};

/* Classify an address (family AF_INET: 4 bytes, AF_INET6: 16 bytes). IPv6 forms that embed
 * an IPv4 address (mapped ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) are classified by that address. */
enum xd_deliver__addr_class xd_deliver__addr_classify(int family, const uint8_t *addr);
const char *xd_deliver__addr_class_name(enum xd_deliver__addr_class c);
bool xd_deliver__cidr_match(const struct xd_deliver_cidr *c, int family, const uint8_t *addr);
/* May the endpoint connect to this address? Public addresses always; any other only when
 * its allow-list covers it (or the IPv4 address it embeds). On refusal <why> says which
 * class the address is in. */
bool xd_deliver__addr_allowed(const struct xd_deliver_endpoint *e, int family, const uint8_t *addr,
                              char *why, size_t why_cap);

/* ------------------------------------------------------------------------------------------ */
/* queue.c: the window of a queue's open messages and which of them may start */

enum xd_deliver__phase {
    XD_DELIVER__IDLE,     /* waiting for its turn or its time */
    XD_DELIVER__CLAIMING, /* the claim is being committed */
    XD_DELIVER__SENDING,  /* the attempt is under way */
    XD_DELIVER__SETTLING, /* its result is being committed */
};

struct xd_deliver__msg {
    int64_t seq;
    int attempts;
    int64_t next_at_ms;
    int64_t retry_from_ms;
    enum xd_deliver__phase phase;
    bool leaving; /* SETTLING as delivered or dead: no longer holds the queue's order */
};

/* The oldest open messages of one queue, sorted by seq. Capped at <cap>. */
struct xd_deliver__window {
    struct xd_deliver__msg *m;
    struct xd_deliver__msg *scratch; /* merge target, swapped with m */
    size_t n;
    size_t cap;
    bool more; /* the store may hold open messages past the window */
};

enum xd_status xd_deliver__window_init(struct xd_deliver__window *w, size_t cap) XD_NODISCARD;
void xd_deliver__window_cleanup(struct xd_deliver__window *w);
/* The message with <seq>, or NULL. */
struct xd_deliver__msg *xd_deliver__window_find(struct xd_deliver__window *w, int64_t seq);
void xd_deliver__window_remove(struct xd_deliver__window *w, int64_t seq);
/* Replace the idle part of the window with the store's view <rows> (sorted by seq): messages
 * under way are kept as they are, idle ones not in <rows> are dropped (re-routed, replayed
 * away), new ones enter idle. <more>: the store had more than it returned. */
void xd_deliver__window_merge(struct xd_deliver__window *w, const struct xd_deliver__msg *rows,
                              size_t n, bool more);
/* Messages under way (claiming, sending or settling). */
size_t xd_deliver__window_busy(const struct xd_deliver__window *w);

/* Indexes (into w->m) of the messages that may start now, at most <limit> (the breaker's gate
 * and the free slots decide it), oldest first, into <out> (out_cap entries). Ordered: only the
 * oldest message that is not leaving, when nothing else is under way and it is due. Unordered:
 * every due idle message. <skip_untried>: messages never attempted are about to be re-routed
 * and must not start. */
size_t xd_deliver__pick(const struct xd_deliver__window *w, bool ordered, size_t limit,
                        int64_t now_ms, bool skip_untried, size_t *out, size_t out_cap);
/* The earliest time a pick could find something new to start (INT64_MAX: only an event). */
int64_t xd_deliver__window_due_ms(const struct xd_deliver__window *w, bool ordered);

/* ------------------------------------------------------------------------------------------ */
/* Shared helpers */

/* The URL of a configuration split for the address check: scheme ("http"/"https"), host
 * without brackets, port (the scheme's default when absent). XD_EINVAL when it is not an
 * absolute http(s) URL with a host. */
struct xd_deliver__url {
    char scheme[8];
    char host[256];
    unsigned port;
    bool host_is_ip;
    int family;
    uint8_t addr[16];
};
enum xd_status xd_deliver__url_parse(const char *url, struct xd_deliver__url *out,
                                     struct xd_error *err) XD_NODISCARD;
/* scheme://host[:port]/path of <url>: what may be shown (no user info, query or fragment). */
enum xd_status xd_deliver__url_redact(const char *url, char *out, size_t cap) XD_NODISCARD;

/* The file outbox's name for a message: "<seq, 20 digits>-<endpoint>-<id>.<ext>" where the
 * extension follows the content type (json, x12, csv, xml, txt, else bin). */
enum xd_status xd_deliver__file_name(int64_t seq, const char *endpoint, const char *id,
                                     const char *content_type, char *out, size_t cap) XD_NODISCARD;
/* Write <data> as <dir>/<name> atomically and durably: <dir>/.<name>.part, fsync, rename,
 * fsync of the folder. Creates <dir> (and its parents) when missing. */
enum xd_status xd_deliver__file_write(const char *dir, const char *name, const void *data,
                                      size_t len, struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* The engine's state, shared by engine.c (the loop), transfer.c (attempts), worker.c (blocking
 * work) and status.c (what the API and /metrics show). */

#define XD_DELIVER__LATENCY_BUCKETS 12
#define XD_DELIVER__ANSWER_READ_MAX ((size_t)64 * 1024) /* answer bytes read before cutting */
#define XD_DELIVER__DNS_ADDRS       8

extern const int64_t xd_deliver__latency_bounds_us[XD_DELIVER__LATENCY_BUCKETS - 1];

/* What the API and /metrics see of a queue: written by the engine, read by anyone, under the
 * engine's view_mu. */
struct xd_deliver__view {
    bool configured;
    enum xd_deliver_breaker_state breaker;
    uint32_t failures;
    int64_t breaker_since_ms;
    int64_t down_since_ms;
    uint64_t transitions[XD_DELIVER_BREAKER_STATES];
    bool disabled;
    char disabled_reason[XD_STORE_ERROR_TEXT_MAX + 1];
    size_t busy;
    bool failover;
    uint64_t delivered;
    uint64_t retried;
    uint64_t dead;
    uint64_t rerouted;
    uint64_t latency[XD_DELIVER__LATENCY_BUCKETS];
    uint64_t latency_sum_us;
};

/* One (partner, endpoint) queue. Everything but <view> belongs to the engine thread. */
struct xd_deliver__queue {
    char partner[XD_STORE_NAME_MAX + 1];
    char endpoint[XD_STORE_NAME_MAX + 1];
    struct xd_deliver__window win;
    struct xd_deliver_endpoint cfg; /* the registry's (or defaults when it has none) */
    bool configured;
    uint64_t cfg_generation;
    bool cfg_loaded;
    struct xd_deliver__breaker br;
    bool disabled;
    bool reload;    /* read the window again from the store */
    bool rerouting; /* a re-route operation is being committed */
    size_t busy;    /* messages claiming, sending or settling */
    struct xd_deliver__view view;
};

/* One attempt. Owned by the engine thread, or by a worker while it runs the attempt's blocking
 * step (DNS lookup, file write); the hand-over goes through the worker queue and the inbox. */
enum xd_deliver__step {
    XD_DELIVER__STEP_RESOLVE,
    XD_DELIVER__STEP_FILE,
    XD_DELIVER__STEP_ERP,
};

struct xd_deliver__xfer {
    struct xd_deliver *d;
    struct xd_deliver__queue *q;
    int64_t seq;
    struct xd_arena *arena; /* the message and everything else of this attempt */
    struct xd_store_outbox_msg msg;
    struct xd_deliver_endpoint *cfg; /* a copy taken when the attempt started */
    struct xd_deliver__url url;
    /* The address checked and pinned. */
    int family;
    uint8_t addr[16];
    /* HTTP */
    CURL *easy;
    struct curl_slist *headers;
    struct curl_slist *connect_to;
    char excerpt[XD_STORE_EXCERPT_MAX];
    size_t excerpt_len;
    size_t answer_bytes;
    char retry_after[64];
    char location[256];
    int64_t t0_ns;
    /* Blocking step, run by a worker. */
    enum xd_deliver__step step;
    int resolve_error; /* getaddrinfo's code, 0 when it resolved */
    size_t n_addrs;
    struct {
        int family;
        uint8_t addr[16];
    } addrs[XD_DELIVER__DNS_ADDRS];
    enum xd_status file_status;
    char file_error[XD_ERROR_MESSAGE_MAX];
    enum xd_deliver_erp_result erp_result;
    char erp_detail[XD_STORE_ERROR_TEXT_MAX];
    char errbuf[CURL_ERROR_SIZE];
    struct xd_deliver__xfer *next;  /* worker queue, inbox */
    struct xd_deliver__xfer *lprev; /* the engine's list of attempts with a running transfer */
    struct xd_deliver__xfer *lnext;
};

/* A store operation the engine submitted; completes on the writer thread into the inbox. */
enum xd_deliver__op_kind {
    XD_DELIVER__OP_UPDATE,
    XD_DELIVER__OP_REROUTE,
    XD_DELIVER__OP_ENDPOINT,
};

struct xd_deliver__op {
    struct xd_store_op op;
    struct xd_deliver *d;
    enum xd_deliver__op_kind kind;
    struct xd_arena *arena;
    struct xd_deliver__queue *q; /* REROUTE, ENDPOINT */
    /* UPDATE: parallel to op.u.outbox's arrays. */
    struct xd_store_outbox_result *results;
    struct xd_deliver__queue **result_q;
    int64_t *claims;
    struct xd_deliver__queue **claim_q;
    bool *applied;
    size_t cap;
    struct xd_deliver__op *next;
};

struct xd_deliver__event {
    enum xd_store_outbox_event kind;
    char partner[XD_STORE_NAME_MAX + 1];
    char endpoint[XD_STORE_NAME_MAX + 1];
};

#define XD_DELIVER__INBOX_EVENTS 256
#define XD_DELIVER__QUEUES_MAX   4096

struct xd_deliver {
    struct xd_deliver_options opts;
    char *partners_dir;
    struct xd_store *store;
    struct xd_deliver_registry reg;
    pthread_t thread;
    CURLM *multi;
    atomic_bool stopping;

    /* The engine thread's. */
    struct xd_deliver__queue **queues;
    size_t n_queues;
    size_t queues_cap;
    uint32_t *index; /* open addressing: queue number + 1, 0 = empty */
    size_t index_cap;
    size_t in_flight;                /* messages claiming, sending or settling */
    size_t transfers;                /* attempts with a running step (curl or worker) */
    size_t ops_out;                  /* store operations submitted and not yet seen back */
    struct xd_deliver__xfer *live;   /* attempts whose HTTP transfer runs in the multi handle */
    struct xd_deliver__op *building; /* the update operation of this turn */
    int64_t store_pause_until_ms;
    size_t rr; /* round-robin start among queues */
    struct xd_arena *scratch;
    uint64_t rng;
    struct {
        char host[256];
        int64_t at_ms;
        int error;
        size_t n;
        struct {
            int family;
            uint8_t addr[16];
        } a[XD_DELIVER__DNS_ADDRS];
    } dns[64];
    size_t dns_next;

    /* Inbox: what other threads hand the engine, under inbox_mu. */
    pthread_mutex_t inbox_mu;
    struct xd_deliver__op *done_ops;
    struct xd_deliver__op **done_ops_tail;
    struct xd_deliver__xfer *done_steps;
    struct xd_deliver__xfer **done_steps_tail;
    struct xd_deliver__event events[XD_DELIVER__INBOX_EVENTS];
    size_t n_events;
    bool events_all;

    /* Workers: queue of blocking steps under work_mu. */
    pthread_mutex_t work_mu;
    pthread_cond_t work_cv;
    struct xd_deliver__xfer *work_head;
    struct xd_deliver__xfer *work_tail;
    bool work_stop;
    pthread_t *workers;
    unsigned n_workers;

    /* What others read: queue views and the queue list, under view_mu. */
    pthread_mutex_t view_mu;
    atomic_size_t view_in_flight;
};

/* engine.c */
void xd_deliver__wake(struct xd_deliver *d);
/* transfer.c: start an attempt whose claim committed, with its message when the caller read it
 * (NULL: the attempt reads it); finish one (its result joins this turn's update operation);
 * step results from workers and libcurl. */
void xd_deliver__attempt_start(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t seq,
                               const struct xd_store_outbox_msg *msg);
void xd_deliver__attempt_step_done(struct xd_deliver *d, struct xd_deliver__xfer *x);
void xd_deliver__attempt_http_done(struct xd_deliver *d, CURL *easy, CURLcode rc);
/* Abandon an attempt at shutdown: the message stays delivering in the store. */
void xd_deliver__attempt_abandon(struct xd_deliver *d, struct xd_deliver__xfer *x);
/* engine.c, for transfer.c: record the result of an attempt of <q>'s message <seq>. */
enum xd_deliver__effect {
    XD_DELIVER__EFFECT_NONE,    /* says nothing about the endpoint */
    XD_DELIVER__EFFECT_SUCCESS, /* the endpoint answered */
    XD_DELIVER__EFFECT_FAILURE, /* the endpoint failed */
};
struct xd_deliver__outcome {
    enum xd_deliver__class c;
    enum xd_deliver__effect effect;
    int http_status;
    const char *error;  /* why it failed (NULL on success) */
    const char *reason; /* DEAD: why it is given up (defaults to error) */
    const char *excerpt;
    size_t excerpt_len;
    int64_t retry_after_ms; /* -1: none */
    int64_t latency_us;     /* -1: no transfer was made */
};
void xd_deliver__record(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t seq,
                        const struct xd_store_outbox_msg *msg, const struct xd_deliver__outcome *o);
/* worker.c */
enum xd_status xd_deliver__workers_start(struct xd_deliver *d, unsigned n) XD_NODISCARD;
void xd_deliver__workers_stop(struct xd_deliver *d);
void xd_deliver__workers_post(struct xd_deliver *d, struct xd_deliver__xfer *x);
/* engine.c: a worker finished <x>'s step. */
void xd_deliver__inbox_step(struct xd_deliver *d, struct xd_deliver__xfer *x);

#endif
