/* SPDX-License-Identifier: MIT
 * The storage interface: the durable journal of every inbound message, the documents and the
 * transaction threads they form, idempotency records, access tokens, the transactional outbox of
 * outbound messages and the state of their endpoints, partner profile versions, and the
 * hash-chained audit log. Nothing above this header speaks SQL; SQLite (store_sqlite.c) is the
 * embedded backend and PostgreSQL will sit behind the same functions.
 *
 * Threads: writes are operations handed to one writer thread through a bounded queue; the writer
 * commits many of them in one transaction with one fsync (group commit) and only then completes
 * each one. Reads run on the calling thread on a read connection of their own and see every
 * committed write. All functions are safe to call from any thread once xd_store_open returned. */
#ifndef XD_STORE_STORE_H
#define XD_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct xd_store;

/* ------------------------------------------------------------------------------------------ */
/* Opening and closing */

struct xd_store_options {
    const char *data_dir; /* created if missing; the database lives inside it */
    size_t queue_cap;     /* pending write operations before submit answers XD_EAGAIN */
    size_t batch_max;     /* operations per transaction */
    bool durable;         /* fsync at every commit (synchronous=FULL); false only for tests */
    size_t readers_max;   /* read connections kept for reads on calling threads */
};

/* Defaults: queue_cap 65536, batch_max 2048, durable true, readers_max 8. */
void xd_store_options_init(struct xd_store_options *o, const char *data_dir);

/* Open (and create or migrate) the store and start its writer thread. XD_EINVAL for bad
 * options; XD_EUNAVAIL when the data directory or database cannot be created, opened or written
 * (read-only file system, permissions), with the path and reason in <err>; XD_ECORRUPT when the
 * database has a newer schema than this binary. Test builds: with CROSSDOCK_TEST_FAULTS=1 in the
 * environment, the files <data_dir>/.fault-fsync and <data_dir>/.fault-write make every fsync or
 * write fail while they exist (docs/operations.md). */
enum xd_status xd_store_open(const struct xd_store_options *o, struct xd_store **out,
                             struct xd_error *err) XD_NODISCARD;
/* Stop accepting writes, finish and commit everything already queued, stop the writer, close.
 * NULL-safe. */
void xd_store_close(struct xd_store *s);

/* ------------------------------------------------------------------------------------------ */
/* Write operations */

#define XD_STORE_KEY_MAX       16    /* business keys per document */
#define XD_STORE_KEY_NAME_MAX  64    /* bytes of a business key's name */
#define XD_STORE_KEY_VALUE_MAX 256   /* bytes of a business key's value */
#define XD_CORRELATION_ID_MAX  128   /* longest correlation id, without NUL */
#define XD_STORE_RESPONSE_MAX  65536 /* bytes of a stored idempotent response body */

/* A business key of a document: ("po_number", "4500001"). Documents sharing one join a thread. */
struct xd_store_key {
    const char *name;
    const char *value;
};

/* Build the stored response of an idempotent request once the writer knows the outcome (the
 * correlation id). Runs on the writer thread inside the transaction; must not block. It may run
 * more than once for one operation (when another operation of its batch failed and the batch
 * is applied again); only the last call's answer is stored. */
typedef enum xd_status (*xd_store_respond_fn)(void *arg, const char *correlation_id,
                                              int *http_status, struct xd_buf *body);

/* Outbound messages (the transactional outbox). A message is written by an operation in the
 * same transaction as the state change that caused it (an ingest now, a flow transition later)
 * or alone (XD_STORE_OP_OUTBOX_ENQUEUE), and delivered by src/deliver. Partner and endpoint
 * names are 1-64 of [A-Za-z0-9._-], not starting with '.' (they name folders and URL path
 * segments). */
#define XD_STORE_NAME_MAX          64                         /* partner, endpoint */
#define XD_STORE_OUTBOUND_MAX      1024                       /* messages per operation */
#define XD_STORE_OUTBOUND_BODY_MAX ((size_t)16 * 1024 * 1024) /* bytes of one message body */
#define XD_STORE_IDEM_KEY_MAX      255                        /* bytes of an idempotency key */
#define XD_STORE_EXCERPT_MAX       1024 /* bytes of a stored response excerpt */
#define XD_STORE_ERROR_TEXT_MAX    512  /* bytes of a stored error or reason */

struct xd_store_outbound {
    char id[XD_ID_LEN + 1];   /* message id, assigned by the caller (xd_id_new) */
    const char *partner;      /* who receives it */
    const char *endpoint;     /* the partner's endpoint name ("orders", "asn" ...) */
    const char *content_type; /* "application/json", "application/edi-x12" ... */
    const char *body;         /* the bytes to deliver (borrowed until completion) */
    size_t body_len;
    /* The Idempotency-Key every attempt carries; NULL: the message id. Printable ASCII without
     * '"' or '\\', 1-255 bytes. Stable across retries, replays and failover. */
    const char *idem_key;
    /* The transaction thread; NULL inside an ingest: the ingested document's thread. */
    const char *correlation_id;
    const char *source; /* what caused it: "document:<id>", "api:<token>" ... */
    int64_t seq;        /* out: its place in the outbox (delivery order) */
};

/* Journal one inbound message and record the canonical document it carries. */
struct xd_store_ingest {
    /* In: all strings borrowed until completion. */
    char id[XD_ID_LEN + 1];   /* document id, assigned by the caller (xd_id_new) */
    const char *doc_type;     /* "purchase_order" ... */
    const char *partner;      /* who sent it ("api" for the HTTP API's own callers) */
    const char *channel;      /* "http", "inbox", "nats" ... */
    const char *format;       /* "json", "x12", "csv" */
    const char *content_type; /* of the raw bytes */
    const char *raw;          /* the bytes as received; NULL (raw_len 0) when they are body */
    size_t raw_len;
    const char *body; /* canonical JSON of the document */
    size_t body_len;
    const struct xd_store_key *keys; /* business keys, up to XD_STORE_KEY_MAX */
    size_t n_keys;
    /* X-Correlation-ID of the caller (validated: 1-128 of [A-Za-z0-9._:-]). Correlation: a
     * document whose business key names an existing thread joins it; otherwise one with a hint
     * joins (or starts) the thread of that id; otherwise a new thread gets a new UUID.
     * Keys are tried in the order given and the first that names a thread decides. Every key of
     * the document that no thread has claimed yet is then attached to the document's thread; a
     * key already claimed by another thread stays with that thread (first writer wins), so a
     * document whose keys name two threads joins the first and does not merge them. Documents
     * of one batch see each other: the second of two new documents sharing a key joins the
     * first one's thread. */
    const char *correlation_hint;
    const char *trace_id; /* W3C trace-id of the caller's traceparent, or NULL */
    int64_t received_at_ms;
    const char *actor; /* token name, for the audit log */
    /* Idempotency (optional: idem_key NULL = none). Keys are unique per scope. */
    const char *idem_scope; /* the caller's token id */
    const char *idem_key;
    uint8_t request_hash[XD_SHA256_LEN];
    xd_store_respond_fn respond; /* required when idem_key is set */
    void *respond_arg;
    /* Outbound messages written in the same transaction as the document (up to
     * XD_STORE_OUTBOUND_MAX): all of them or none, with the document. Their seq is filled in. */
    struct xd_store_outbound *outbox;
    size_t n_outbox;

    /* Out, valid when the operation completed with XD_OK. */
    char correlation_id[XD_CORRELATION_ID_MAX + 1];
    int64_t seq;     /* journal sequence number, increasing */
    bool new_thread; /* this document started its thread */
};

/* One inbound partner message (an interchange, a file from an inbox, a partner's POST):
 * journaled once with its raw bytes and its outcome, with the documents it carried and the
 * messages it causes (its 997), all in one transaction: all of it or nothing. A rejected
 * message (no document) is journaled all the same, so nothing a partner sent is ever lost.
 * Duplicates: an optional dedupe key (the partner's interchange control number) and an
 * optional Idempotency-Key; a message whose key was seen completes XD_EEXIST with the first
 * answer in op->idem_body (the same key over different bytes: XD_ECONFLICT). */
#define XD_STORE_MESSAGE_DOCS_MAX 10000
#define XD_STORE_DETAIL_MAX       4096 /* bytes of a message's detail, cut with "..." past it */
struct xd_store_message {
    char id[XD_ID_LEN + 1]; /* the message's id (xd_id_new) */
    const char *partner;
    const char *channel; /* "http", "inbox" */
    const char *format;  /* "x12", "csv", "fixed_width", "json" */
    const char *content_type;
    const char *file_name; /* inbox: the file's name; NULL otherwise */
    const char *raw;       /* the bytes as received (required) */
    size_t raw_len;
    const char *status; /* "accepted", "partial", "rejected", "test" */
    const char *detail; /* what was wrong, for people; NULL when nothing */
    const char *trace_id;
    int64_t received_at_ms;
    const char *actor;
    const char *dedupe_key; /* unique per partner, e.g. "isa:ZZ/ACME/000000123"; NULL: none */
    const char *idem_scope; /* Idempotency-Key (optional), as for an ingest */
    const char *idem_key;
    uint8_t idem_hash[XD_SHA256_LEN];    /* the request's fingerprint kept with the key */
    uint8_t request_hash[XD_SHA256_LEN]; /* of the raw bytes, kept with the dedupe key */
    int http_status;                     /* the answer recorded for replays */
    /* Members appended to the recorded answer (a JSON fragment, "\"a\":1,\"b\":[]"), or NULL. */
    const char *answer_extra;
    /* The documents: only id, doc_type, body, keys and correlation_hint are read; the rest is
     * the message's. Out: each one's correlation_id and new_thread. */
    struct xd_store_ingest *docs;
    size_t n_docs; /* up to XD_STORE_MESSAGE_DOCS_MAX */
    struct xd_store_outbound *outbox;
    size_t n_outbox; /* up to XD_STORE_OUTBOUND_MAX; their thread: the first document's */
    /* A poller's cursor set in the same transaction (optional, both or neither): the message
     * and the cursor past it commit together, so a restart neither misses nor repeats it. A
     * duplicate (XD_EEXIST) sets nothing: set the cursor alone (XD_STORE_OP_CURSOR_SET). */
    const char *cursor_name;
    const char *cursor_value;
    int64_t seq; /* out: journal sequence number */
    /* out, with XD_ECONFLICT: true when the Idempotency-Key came with other bytes, false when
     * the dedupe key did (an X12 control number reused for another interchange). */
    bool key_conflict;
};
/* The answer recorded for a message, as JSON: {"id", "partner", "status", "detail",
 * "documents": [{"id", "type", "correlation_id"}...] (the first 100), "documents_total",
 * "outbound": [{"id", "partner", "endpoint"}...], then answer_extra}. The gateway answers with
 * it, and a replay gets it back byte for byte. */
enum xd_status xd_store_message_answer(const struct xd_store_message *m,
                                       struct xd_buf *out) XD_NODISCARD;

/* Set a poller's cursor on its own ("erp:<partner>:purchase" -> an opaque position), for a
 * poll that fetched nothing new to journal. Names 1-128 bytes, values 1-1024 bytes. */
#define XD_STORE_CURSOR_NAME_MAX  128
#define XD_STORE_CURSOR_VALUE_MAX 1024
struct xd_store_cursor_set {
    const char *name;
    const char *value;
};

/* Create an access token record. The token itself never reaches the store, only its hash. */
struct xd_store_token_create {
    char id[XD_ID_LEN + 1];
    const char *name;
    const char *role;    /* "admin", "operator", "partner" ... */
    const char *partner; /* for role partner: the partner it speaks for; else NULL */
    uint8_t token_hash[XD_SHA256_LEN];
    const char *actor;
};

/* Revoke a token: token_find no longer finds it. Completes with XD_ENOTFOUND when no token has
 * that id; revoking a revoked token is XD_OK with was_active false (nothing changes). */
struct xd_store_token_revoke {
    char id[XD_ID_LEN + 1];
    const char *actor;
    bool was_active; /* out */
};

/* Allocate <count> consecutive control numbers of <kind> for <partner> (X12 ISA13, GS06, ST02:
 * kinds "isa", "gs", "st"; any [a-z0-9_] name of 1-32 bytes is accepted). Numbers start at 1,
 * only grow and are never handed out twice, also across a crash: they are committed before the
 * operation completes. The caller maps them into its format's range. */
#define XD_STORE_CONTROL_COUNT_MAX 1000000
struct xd_store_control_alloc {
    const char *partner;
    const char *kind;
    int64_t count; /* 1..XD_STORE_CONTROL_COUNT_MAX */
    const char *actor;
    int64_t first; /* out: the first of the <count> numbers */
};

/* Append one record to the audit log (state changes made outside the store's own operations,
 * for example a configuration change). before/after are JSON or NULL. */
struct xd_store_audit_append {
    const char *actor;
    const char *action;
    const char *object;
    const char *before;
    const char *after;
    int64_t seq; /* out: the record's sequence number */
};

/* Enqueue outbound messages on their own (an operator, a connector: POST /v1/outbox), with the
 * same optional request idempotency as an ingest (scope, key, request hash, respond; the
 * respond callback gets the first message's correlation id, "" when it has none). */
struct xd_store_outbox_enqueue {
    struct xd_store_outbound *msgs;
    size_t n_msgs; /* 1..XD_STORE_OUTBOUND_MAX */
    const char *actor;
    const char *idem_scope;
    const char *idem_key;
    uint8_t request_hash[XD_SHA256_LEN];
    xd_store_respond_fn respond;
    void *respond_arg;
};

/* What became of one delivery attempt (or of a claim: see xd_store_outbox_update). */
enum xd_store_outbox_outcome {
    XD_STORE_OUTBOX_DELIVERED, /* the receiver took it: state delivered */
    XD_STORE_OUTBOX_RETRY,     /* try again at next_attempt_at_ms: state pending (or disabled
                                * when its endpoint is disabled by then) */
    XD_STORE_OUTBOX_DEAD,      /* dead-letter queue, with <reason> */
};

struct xd_store_outbox_result {
    int64_t seq; /* the message, by its outbox seq */
    enum xd_store_outbox_outcome outcome;
    int http_status;      /* the answer's status, 0 when none arrived */
    const char *error;    /* why the attempt failed; NULL when delivered */
    const char *response; /* excerpt of the answer's body (cut to XD_STORE_EXCERPT_MAX) */
    size_t response_len;
    int64_t next_attempt_at_ms; /* RETRY */
    const char *reason;         /* DEAD: why it was given up */
    int64_t at_ms;              /* when the attempt ended */
};

/* The delivery engine's bookkeeping, one operation per round: settle finished attempts, then
 * claim the messages it is about to send (state delivering, attempts + 1). A result applies only
 * to a message in state delivering and a claim only to one pending or delivering (a crashed
 * attempt); anything else (an operator acted in between) is skipped and counted. Audited:
 * delivered and dead (per message); claims and retries are recorded on the message itself. */
struct xd_store_outbox_update {
    const struct xd_store_outbox_result *results;
    size_t n_results;
    const int64_t *claims; /* seqs */
    size_t n_claims;
    int64_t at_ms; /* claim time */
    const char *actor;
    bool *applied;  /* optional out: n_results + n_claims flags, results first */
    size_t skipped; /* out: results and claims that did not apply */
};

/* Dead-letter replay: dead messages go back to pending (disabled when their endpoint is) with
 * attempts reset, their seq (order) and idempotency key kept. Exactly one selector: ids, a
 * partner, or all. At most <limit> messages (1..XD_STORE_REPLAY_MAX), oldest first. */
#define XD_STORE_REPLAY_MAX 100000
struct xd_store_outbox_replay {
    const char *const *ids;
    size_t n_ids; /* up to XD_STORE_OUTBOUND_MAX */
    const char *partner;
    bool all;
    size_t limit;
    const char *actor;
    bool *replayed; /* optional, n_ids entries: out, which ids were dead */
    size_t count;   /* out: messages replayed */
    bool more;      /* out: dead messages of the selection remain (limit) */
};

/* Failover: the pending messages of (from_partner, from_endpoint) never attempted yet move to
 * (to_partner, to_endpoint), keeping id, seq, idempotency key and thread; each records where it
 * came from and gets an "outbox.reroute" audit record naming its thread. */
struct xd_store_outbox_reroute {
    const char *from_partner;
    const char *from_endpoint;
    const char *to_partner;
    const char *to_endpoint;
    const char *reason;
    const char *actor;
    size_t count; /* out */
};

/* An endpoint's durable state. Disabled (a 410 Gone, or an operator): its open messages wait in
 * state disabled until it is enabled again; enabling makes them pending and due. The breaker
 * fields are what src/deliver persists at each transition so a restart resumes them. */
enum xd_store_endpoint_action {
    XD_STORE_ENDPOINT_DISABLE,
    XD_STORE_ENDPOINT_ENABLE,
    XD_STORE_ENDPOINT_BREAKER,
};
struct xd_store_endpoint_update {
    const char *partner;
    const char *name;
    enum xd_store_endpoint_action action;
    const char *reason;       /* DISABLE: why */
    const char *breaker;      /* BREAKER: "closed", "open", "half_open" */
    int64_t breaker_since_ms; /* BREAKER: when it entered that state */
    int64_t down_since_ms;    /* BREAKER: when it left closed (0 when closed) */
    const char *actor;
    bool changed;    /* out: DISABLE/ENABLE changed the state */
    size_t messages; /* out: messages that changed state with it */
};

/* Partner profiles: every apply of a profile is a version; a version's credentials are kept
 * sealed (encrypted by the caller) beside it, never in the body. */
#define XD_STORE_PARTNER_SECRETS_MAX 64
#define XD_STORE_PARTNER_BODY_MAX    ((size_t)8 * 1024 * 1024)
#define XD_STORE_PARTNER_SEALED_MAX  8192

struct xd_store_partner_secret {
    const char *name;
    const uint8_t *sealed;
    size_t sealed_len;
};

/* Make <body> the partner's next version, unless it is the current one already. The content
 * hash decides "the same" (the caller hashes the body and the credential values); an equal
 * hash completes XD_OK with unchanged set and writes nothing. <expected_version> is the version
 * the caller built on (0: the partner must not exist yet; -1: do not check): another version in
 * between completes XD_ECONFLICT and changes nothing. A new version is audited as
 * partner.create or partner.update with the previous and the new body (no secrets in either)
 * and the names of credentials whose value changed. */
struct xd_store_partner_put {
    const char *id;
    const char *name;
    const char *role;
    const char *body; /* canonical JSON of the profile, without credential values */
    size_t body_len;
    const struct xd_store_partner_secret *secrets; /* up to XD_STORE_PARTNER_SECRETS_MAX */
    size_t n_secrets;
    uint8_t content_hash[XD_SHA256_LEN];
    int64_t expected_version;
    const char *changed_credentials; /* JSON array of names, or NULL */
    const char *actor;
    /* Out, valid when the operation completed with XD_OK. */
    int64_t version; /* the new version, or the current one when unchanged */
    bool created;    /* the partner's first version */
    bool unchanged;
};

/* Re-seal every stored credential of every version (rotation of the master key), all in the
 * batch's transaction: <reseal> gets each sealed value and appends its replacement to <out>; a
 * failure of any fails the whole operation (nothing changes). Audited as partner.rekey. */
typedef enum xd_status (*xd_store_reseal_fn)(void *arg, const char *partner, const char *name,
                                             const uint8_t *sealed, size_t len, struct xd_buf *out,
                                             struct xd_error *err);
struct xd_store_partner_rekey {
    xd_store_reseal_fn reseal;
    void *arg;
    const char *key_id; /* of the new key, for the audit record; may be NULL */
    const char *actor;
    int64_t count; /* out: values re-sealed */
};

/* Workflows (src/flow): a transaction thread's state machine. One operation commits a whole step
 * of the flow engine: the threads' new states (each guarded by the version it was read at), the
 * timeline events, the timers set and closed, the exceptions opened or changed, the outbound
 * messages emitted and the engine's journal cursor: all of it or nothing. */
#define XD_STORE_FLOW_ITEMS_MAX 4096      /* rows of each kind per operation */
#define XD_STORE_FLOW_DATA_MAX  (1 << 22) /* bytes of one thread's or exception's JSON */
#define XD_STORE_FLOW_TEXT_MAX  128       /* bytes of a state, event, owner, kind, type ... */

struct xd_store_flow_row {
    const char *correlation_id;
    const char *flow;      /* "p2p" */
    const char *state;     /* "sent", "acknowledged" ... */
    const char *key;       /* the business key people search by (the PO number) or NULL */
    const char *partner;   /* the counterpart (the supplier) or NULL */
    const char *owner;     /* who owes the next step: "supplier", "warehouse" ... or NULL */
    const char *next_step; /* what is awaited: "po_acknowledgement" ... or NULL */
    const char *sla;       /* "ok", "at_risk", "missed" */
    const char *data;      /* JSON object: the flow's working state */
    int64_t version;       /* in: the version read (0: the row must not exist); out: new */
    int64_t created_at_ms; /* reads */
    int64_t updated_at_ms; /* reads */
};

struct xd_store_flow_event {
    const char *correlation_id;
    const char *event;      /* "po.sent", "asn.received", "sla.at_risk" ... */
    const char *from_state; /* NULL: none */
    const char *to_state;
    const char *document_id; /* the document that caused it, or NULL */
    const char *partner;     /* who it concerns, or NULL */
    const char *channel;     /* how it came or went ("http", "x12" ...), or NULL */
    const char *detail;      /* JSON object or NULL */
    int64_t at_ms;           /* reads (writes: the operation's time) */
    int64_t seq;             /* reads */
};

/* A durable timer: fires (at or after due_at_ms) until closed. */
struct xd_store_timer {
    const char *id; /* unique, chosen by the caller: "<correlation id>:<kind>" */
    const char *correlation_id;
    const char *kind;    /* "sla.ack.at_risk" ... */
    const char *payload; /* JSON or NULL */
    int64_t due_at_ms;
};

/* An exception: a thread needing a person. Written whole (insert or replace by id). */
struct xd_store_exception {
    const char *id;
    const char *correlation_id;
    const char *type;    /* "invoice_mismatch", "sla_missed" ... */
    const char *partner; /* or NULL */
    const char *owner;   /* "supplier", "warehouse", "accounts_payable", "buyer" */
    const char *state;   /* "open", "resolved" */
    const char *body;    /* JSON object: detail, actions, history */
    /* What it is about, as in the body's subject ({document, number}); NULL when nothing in
     * particular. Written for the filters; reads leave them NULL (the body has them). */
    const char *subject_document;
    const char *subject_number;
    int64_t created_at_ms;
    int64_t updated_at_ms;
};

struct xd_store_flow {
    struct xd_store_flow_row *rows; /* version checked; out: the new versions */
    size_t n_rows;
    const struct xd_store_flow_event *events;
    size_t n_events;
    const struct xd_store_timer *timers; /* set (replacing a timer of the same id) */
    size_t n_timers;
    const char *const *timers_closed; /* ids of timers fired or cancelled */
    size_t n_timers_closed;
    const struct xd_store_exception *exceptions;
    size_t n_exceptions;
    struct xd_store_outbound *outbox; /* each names its own thread */
    size_t n_outbox;
    const char *cursor;  /* the consumer whose position moves, or NULL */
    int64_t cursor_from; /* its position read (checked) */
    int64_t cursor_to;   /* its new position */
    const char *audit;   /* JSON of an audited action (an exception action), or NULL */
    const char *audit_action;
    const char *audit_object;
    const char *actor;
    int64_t at_ms; /* the time of the step (0: now) */
};

enum xd_store_op_kind {
    XD_STORE_OP_INGEST,
    XD_STORE_OP_TOKEN_CREATE,
    XD_STORE_OP_TOKEN_REVOKE,
    XD_STORE_OP_CONTROL_ALLOC,
    XD_STORE_OP_AUDIT_APPEND,
    XD_STORE_OP_OUTBOX_ENQUEUE,
    XD_STORE_OP_OUTBOX_UPDATE,
    XD_STORE_OP_OUTBOX_REPLAY,
    XD_STORE_OP_OUTBOX_REROUTE,
    XD_STORE_OP_ENDPOINT_UPDATE,
    XD_STORE_OP_PARTNER_PUT,
    XD_STORE_OP_PARTNER_REKEY,
    XD_STORE_OP_MESSAGE,
    XD_STORE_OP_FLOW,
    XD_STORE_OP_CURSOR_SET,
};

struct xd_store_op;
/* Called on the writer thread once the operation's transaction committed (op->status XD_OK)
 * or failed. Must be quick and must not call back into the store's write path. */
typedef void (*xd_store_done_fn)(struct xd_store_op *op, void *arg);

struct xd_store_op {
    enum xd_store_op_kind kind;
    union {
        struct xd_store_ingest ingest;
        struct xd_store_token_create token;
        struct xd_store_token_revoke revoke;
        struct xd_store_control_alloc control;
        struct xd_store_audit_append audit;
        struct xd_store_outbox_enqueue enqueue;
        struct xd_store_outbox_update outbox;
        struct xd_store_outbox_replay replay;
        struct xd_store_outbox_reroute reroute;
        struct xd_store_endpoint_update endpoint;
        struct xd_store_partner_put partner;
        struct xd_store_partner_rekey rekey;
        struct xd_store_message message;
        struct xd_store_flow flow;
        struct xd_store_cursor_set cursor;
    } u;
    xd_store_done_fn done; /* NULL: use xd_store_wait */
    void *done_arg;
    /* Out: XD_OK (committed); XD_EEXIST (idempotency key already used: see idem_* below; for
     * token create: the id or secret exists); XD_EUNAVAIL (storage failed: nothing of this
     * operation was kept; retry later; docs/internals/store.md names the one window where a
     * failed fsync followed by a crash of the process is ambiguous); XD_ECLOSED (store shutting
     * down); XD_EINVAL (bad operation, e.g. a document id already stored); XD_ENOTFOUND (token
     * revoke of an unknown id); XD_ETOOBIG (control numbers exhausted); XD_ENOMEM; or the status
     * of a failed respond callback. A failed operation changed nothing. */
    enum xd_status status;
    struct xd_error err;
    /* For XD_EEXIST on an idempotent ingest or enqueue: what the first request stored. Owned by the
     * op, released by xd_store_op_cleanup. */
    uint8_t idem_request_hash[XD_SHA256_LEN];
    int idem_http_status;
    char *idem_body;
    size_t idem_body_len;
    /* private to the store */
    struct xd_store_op *next_;
    int done_flag_;
    int64_t submitted_ns_; /* monotonic, when queued */
};

/* Queue <op> for the writer. XD_OK: queued, op->done (or xd_store_wait) will report.
 * XD_EAGAIN: the queue is full (answer 503 and let the sender retry). XD_EUNAVAIL: the store is
 * failed and recovering. XD_ECLOSED: closing. XD_EINVAL: the operation is malformed (op->err
 * says which field, in err.where). On any error the op was not queued, op->status holds the
 * error and done will not be called. <op> must stay valid until completion. Submit resets the
 * op's outputs (status, err, idem_*); release a completed op with xd_store_op_cleanup before
 * submitting it again. */
enum xd_status xd_store_submit(struct xd_store *s, struct xd_store_op *op) XD_NODISCARD;
/* Block until <op>, submitted with done == NULL, completed; returns op->status. */
enum xd_status xd_store_wait(struct xd_store *s, struct xd_store_op *op) XD_NODISCARD;
/* Submit and block until committed or failed; returns op->status (or the submit error).
 * op->done and done_arg are overwritten (NULL on return). Never call it from a done callback. */
enum xd_status xd_store_execute(struct xd_store *s, struct xd_store_op *op) XD_NODISCARD;
/* Convenience: allocate control numbers synchronously (XD_STORE_OP_CONTROL_ALLOC). */
enum xd_status xd_store_control_next(struct xd_store *s, const char *partner, const char *kind,
                                     int64_t count, const char *actor, int64_t *first,
                                     struct xd_error *err) XD_NODISCARD;
/* A cache of control numbers reserved in blocks of <block> (one commit per block, not per
 * message); thread-safe. take hands out <count> consecutive numbers of (partner, kind), never
 * twice, also across a crash (numbers reserved and unused when the hub stops are a gap). */
struct xd_store_controls;
enum xd_status xd_store_controls_create(struct xd_store *s, int64_t block,
                                        struct xd_store_controls **out) XD_NODISCARD;
void xd_store_controls_destroy(struct xd_store_controls *c);
enum xd_status xd_store_controls_take(struct xd_store_controls *c, const char *partner,
                                      const char *kind, int64_t count, const char *actor,
                                      int64_t *first, struct xd_error *err) XD_NODISCARD;

/* Release what a completed op owns (idem_body). The op itself belongs to the caller. */
void xd_store_op_cleanup(struct xd_store_op *op);

/* ------------------------------------------------------------------------------------------ */
/* Reads */

/* A stored document's metadata and canonical JSON; strings allocated in the arena passed. */
struct xd_store_doc {
    const char *id;
    const char *doc_type;
    const char *correlation_id;
    const char *partner;
    const char *channel;
    const char *format;
    const char *trace_id; /* NULL when the sender sent none */
    int64_t seq;
    int64_t received_at_ms;
    const char *body;
    size_t body_len;
};

enum xd_status xd_store_doc_get(struct xd_store *s, const char *id, struct xd_arena *a,
                                struct xd_store_doc *out, struct xd_error *err) XD_NODISCARD;

/* The bytes a document arrived in, exactly as received: its own JSON, or the whole X12
 * interchange or file that carried it. Allocated in the arena passed; bytes is NUL-terminated
 * after len (the bytes themselves may hold NULs). */
struct xd_store_raw {
    const char *message_id;   /* the journal entry's id */
    const char *partner;      /* who sent it */
    const char *content_type; /* as received */
    const char *bytes;
    size_t len;
};

/* XD_ENOTFOUND when there is no document <id>; XD_ECORRUPT when its journal entry cannot give
 * the bytes back (a damaged row). */
enum xd_status xd_store_doc_raw(struct xd_store *s, const char *id, struct xd_arena *a,
                                struct xd_store_raw *out, struct xd_error *err) XD_NODISCARD;

/* The thread's documents in journal order (at most <limit>, 0 = all). XD_ENOTFOUND when the
 * thread does not exist. Bodies are included. */
enum xd_status xd_store_thread_docs(struct xd_store *s, const char *correlation_id, size_t limit,
                                    struct xd_arena *a, struct xd_store_doc **out, size_t *n_out,
                                    struct xd_error *err) XD_NODISCARD;
/* The thread a business key belongs to; XD_ENOTFOUND when none. <cap> >= XD_CORRELATION_ID_MAX+1.
 */
enum xd_status xd_store_thread_by_key(struct xd_store *s, const char *name, const char *value,
                                      char *out, size_t cap, struct xd_error *err) XD_NODISCARD;

/* A poller's cursor into <out> (at least XD_STORE_CURSOR_VALUE_MAX + 1 bytes); XD_ENOTFOUND
 * when it was never set. */
enum xd_status xd_store_poll_cursor_get(struct xd_store *s, const char *name, char *out, size_t cap,
                                        struct xd_error *err) XD_NODISCARD;

/* The stored answer of a completed idempotent request; XD_ENOTFOUND when the key is unused. */
struct xd_store_idem {
    uint8_t request_hash[XD_SHA256_LEN];
    int http_status;
    const char *body;
    size_t body_len;
};
enum xd_status xd_store_idem_get(struct xd_store *s, const char *scope, const char *key,
                                 struct xd_arena *a, struct xd_store_idem *out,
                                 struct xd_error *err) XD_NODISCARD;

/* A token by the hash of its secret; XD_ENOTFOUND when none. */
struct xd_store_token {
    const char *id;
    const char *name;
    const char *role;
    const char *partner;
    int64_t created_at_ms;
    int64_t revoked_at_ms; /* 0 while active; token_find never returns revoked ones */
};
enum xd_status xd_store_token_find(struct xd_store *s, const uint8_t hash[XD_SHA256_LEN],
                                   struct xd_arena *a, struct xd_store_token *out,
                                   struct xd_error *err) XD_NODISCARD;
/* Every token, revoked ones included, oldest first (never their hashes). */
enum xd_status xd_store_token_list(struct xd_store *s, struct xd_arena *a,
                                   struct xd_store_token **out, size_t *n_out,
                                   struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* The outbox: reads and change notifications */

enum xd_store_outbox_state {
    XD_OUTBOX_PENDING,    /* waiting for its turn or its next attempt */
    XD_OUTBOX_DELIVERING, /* an attempt is under way (or was, when the hub died) */
    XD_OUTBOX_DELIVERED,
    XD_OUTBOX_DEAD,     /* in the dead-letter queue */
    XD_OUTBOX_DISABLED, /* waiting for its disabled endpoint to be enabled */
};
#define XD_OUTBOX_STATE_COUNT 5
/* "pending", "delivering", "delivered", "dead", "disabled". */
const char *xd_store_outbox_state_name(enum xd_store_outbox_state st);
/* XD_EINVAL for an unknown name. */
enum xd_status xd_store_outbox_state_parse(const char *name,
                                           enum xd_store_outbox_state *out) XD_NODISCARD;

/* A stored outbound message; strings in the arena. body is NULL in queue and list reads. */
struct xd_store_outbox_msg {
    int64_t seq;
    const char *id;
    const char *partner;
    const char *endpoint;
    const char *content_type;
    const char *body;
    size_t body_len;
    const char *idem_key;
    const char *correlation_id; /* NULL when none */
    const char *source;
    enum xd_store_outbox_state state;
    int64_t created_at_ms;
    int64_t retry_from_ms; /* the age bound counts from here (created, or last replay) */
    int attempts;
    int64_t next_attempt_at_ms;
    int64_t last_attempt_at_ms; /* 0: never attempted */
    int last_status;            /* 0: no answer */
    const char *last_error;     /* NULL when none */
    const char *last_response;  /* excerpt, NULL when none */
    size_t last_response_len;
    int64_t delivered_at_ms;   /* 0 until delivered */
    const char *dead_reason;   /* NULL unless dead */
    const char *rerouted_from; /* "partner/endpoint" after a failover, else NULL */
    int replays;
};

/* One message by id, body included. XD_ENOTFOUND when none. */
enum xd_status xd_store_outbox_get(struct xd_store *s, const char *id, struct xd_arena *a,
                                   struct xd_store_outbox_msg *out,
                                   struct xd_error *err) XD_NODISCARD;
/* One message by seq, body included (the delivery engine's read). */
enum xd_status xd_store_outbox_get_seq(struct xd_store *s, int64_t seq, struct xd_arena *a,
                                       struct xd_store_outbox_msg *out,
                                       struct xd_error *err) XD_NODISCARD;
/* Several messages by seq in one read (the delivery engine starts many attempts at once),
 * bodies included, in seq order; seqs not found are left out. At most XD_STORE_LIST_MAX. */
enum xd_status xd_store_outbox_get_seqs(struct xd_store *s, const int64_t *seqs, size_t n,
                                        struct xd_arena *a, struct xd_store_outbox_msg **out,
                                        size_t *n_out, struct xd_error *err) XD_NODISCARD;
/* The open messages (pending, delivering, disabled) of one queue with seq > after_seq, oldest
 * first, at most <limit>; without bodies. */
enum xd_status xd_store_outbox_queue(struct xd_store *s, const char *partner, const char *endpoint,
                                     int64_t after_seq, size_t limit, struct xd_arena *a,
                                     struct xd_store_outbox_msg **out, size_t *n_out,
                                     struct xd_error *err) XD_NODISCARD;

/* A listing: every member optional (NULL / has_state false). Newest first when <desc>. */
#define XD_STORE_LIST_MAX 1000
struct xd_store_outbox_filter {
    bool has_state;
    enum xd_store_outbox_state state;
    const char *partner;
    const char *endpoint;
    const char *correlation_id;
    int64_t after_seq; /* paging: only seq > after_seq (ascending order) */
    size_t limit;      /* 1..XD_STORE_LIST_MAX */
};
enum xd_status xd_store_outbox_list(struct xd_store *s, const struct xd_store_outbox_filter *f,
                                    struct xd_arena *a, struct xd_store_outbox_msg **out,
                                    size_t *n_out, struct xd_error *err) XD_NODISCARD;

/* Messages per (partner, endpoint, state) for every state but delivered. */
struct xd_store_outbox_depth {
    const char *partner;
    const char *endpoint;
    enum xd_store_outbox_state state;
    int64_t count;
};
enum xd_status xd_store_outbox_depths(struct xd_store *s, struct xd_arena *a,
                                      struct xd_store_outbox_depth **out, size_t *n_out,
                                      struct xd_error *err) XD_NODISCARD;
/* The queues (partner, endpoint) that hold open messages, as depth rows with count 0. */
enum xd_status xd_store_outbox_queues(struct xd_store *s, struct xd_arena *a,
                                      struct xd_store_outbox_depth **out, size_t *n_out,
                                      struct xd_error *err) XD_NODISCARD;

/* Endpoint state rows (only endpoints that were ever disabled or had a breaker transition). */
struct xd_store_endpoint {
    const char *partner;
    const char *name;
    bool disabled;
    const char *disabled_reason; /* NULL when enabled */
    int64_t disabled_at_ms;
    const char *breaker; /* "closed", "open", "half_open" */
    int64_t breaker_since_ms;
    int64_t down_since_ms;
    int64_t updated_at_ms;
};
enum xd_status xd_store_endpoint_list(struct xd_store *s, struct xd_arena *a,
                                      struct xd_store_endpoint **out, size_t *n_out,
                                      struct xd_error *err) XD_NODISCARD;
/* XD_ENOTFOUND when the endpoint has no row (never disabled, no breaker transition). */
enum xd_status xd_store_endpoint_get(struct xd_store *s, const char *partner, const char *name,
                                     struct xd_arena *a, struct xd_store_endpoint *out,
                                     struct xd_error *err) XD_NODISCARD;

/* Change notification for the delivery engine. After each commit, on the writer thread, <fn> is
 * called once per queue that got open messages (enqueued, replayed, re-routed to it, enabled:
 * XD_STORE_OUTBOX_QUEUE) and once per endpoint whose state changed (XD_STORE_OUTBOX_ENDPOINT);
 * XD_STORE_OUTBOX_ALL (partner and endpoint NULL) when a batch changed more queues than the store
 * tracks per batch. It runs with the store's queue lock held: it must be quick and must not call
 * the store at all. One watcher; NULL removes it, and once that returned no call is under way. */
enum xd_store_outbox_event {
    XD_STORE_OUTBOX_QUEUE,
    XD_STORE_OUTBOX_ENDPOINT,
    XD_STORE_OUTBOX_ALL,
};
typedef void (*xd_store_outbox_watch_fn)(void *arg, enum xd_store_outbox_event ev,
                                         const char *partner, const char *endpoint);
void xd_store_outbox_watch(struct xd_store *s, xd_store_outbox_watch_fn fn, void *arg);

/* True for a valid partner or endpoint name (see above). */
bool xd_store_name_valid(const char *name);
/* A partner profile version as stored; strings in the arena. */
struct xd_store_partner {
    const char *id;
    const char *name;
    const char *role;
    int64_t version;
    int64_t created_at_ms; /* when this version was applied */
    const char *actor;
    const char *body;
    size_t body_len;
    uint8_t content_hash[XD_SHA256_LEN];
    struct xd_store_partner_secret *secrets;
    size_t n_secrets;
};
/* Version <version> of a partner (0: the current one). XD_ENOTFOUND when there is none. */
enum xd_status xd_store_partner_get(struct xd_store *s, const char *id, int64_t version,
                                    struct xd_arena *a, struct xd_store_partner *out,
                                    struct xd_error *err) XD_NODISCARD;

/* The current version of every partner, by id. */
struct xd_store_partner_row {
    const char *id;
    const char *name;
    const char *role;
    int64_t version;
    int64_t updated_at_ms;
};
enum xd_status xd_store_partner_list(struct xd_store *s, struct xd_arena *a,
                                     struct xd_store_partner_row **out, size_t *n_out,
                                     struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Workflow reads */

/* One snapshot for the calling thread's reads of <s> until xd_store_read_end: they share a
 * read transaction on one connection (and its page cache, which a new transaction drops after
 * any commit), and see nothing committed after the first of them. Nests (the outermost end
 * ends it); one store per thread at a time. Not for a thread that waits for its own writes in
 * between: it would not see them. */
enum xd_status xd_store_read_begin(struct xd_store *s, struct xd_error *err) XD_NODISCARD;
void xd_store_read_end(struct xd_store *s);

/* Documents journaled after <after_seq> in journal order (at most <limit>, up to
 * XD_STORE_MESSAGE_DOCS_MAX + 1 so one message's documents always fit), bodies included: the
 * flow engine's feed. */
enum xd_status xd_store_docs_after(struct xd_store *s, int64_t after_seq, size_t limit,
                                   struct xd_arena *a, struct xd_store_doc **out, size_t *n_out,
                                   struct xd_error *err) XD_NODISCARD;
/* A consumer's position; 0 when it never moved. */
enum xd_status xd_store_cursor_get(struct xd_store *s, const char *name, int64_t *out,
                                   struct xd_error *err) XD_NODISCARD;
/* The journal's last seq (0 when empty). */
enum xd_status xd_store_journal_head(struct xd_store *s, int64_t *out,
                                     struct xd_error *err) XD_NODISCARD;
/* A thread's flow row; XD_ENOTFOUND when the thread has no flow. */
enum xd_status xd_store_flow_get(struct xd_store *s, const char *correlation_id, struct xd_arena *a,
                                 struct xd_store_flow_row *out, struct xd_error *err) XD_NODISCARD;
/* A thread's timeline, oldest first. */
enum xd_status xd_store_flow_events(struct xd_store *s, const char *correlation_id,
                                    struct xd_arena *a, struct xd_store_flow_event **out,
                                    size_t *n_out, struct xd_error *err) XD_NODISCARD;
/* Threads with a flow, newest first, optionally of one state (NULL: all), at most <limit>. */
enum xd_status xd_store_flow_list(struct xd_store *s, const char *state, size_t limit,
                                  struct xd_arena *a, struct xd_store_flow_row **out, size_t *n_out,
                                  struct xd_error *err) XD_NODISCARD;
/* Number of flows per state (rows: state, count), and of open exceptions per type. */
struct xd_store_count {
    const char *name;
    int64_t count;
};
enum xd_status xd_store_flow_counts(struct xd_store *s, struct xd_arena *a,
                                    struct xd_store_count **states, size_t *n_states,
                                    struct xd_store_count **exceptions, size_t *n_exceptions,
                                    struct xd_error *err) XD_NODISCARD;
/* Open timers due at or before <now_ms>, earliest first, at most <limit>. */
enum xd_status xd_store_timers_due(struct xd_store *s, int64_t now_ms, size_t limit,
                                   struct xd_arena *a, struct xd_store_timer **out, size_t *n_out,
                                   struct xd_error *err) XD_NODISCARD;
/* One exception; XD_ENOTFOUND when none. */
enum xd_status xd_store_exception_get(struct xd_store *s, const char *id, struct xd_arena *a,
                                      struct xd_store_exception *out,
                                      struct xd_error *err) XD_NODISCARD;
/* Exceptions, newest first; every filter optional (NULL / 0). */
struct xd_store_exception_filter {
    const char *type;
    const char *partner;
    const char *owner;
    const char *state;
    const char *correlation_id;
    const char *subject_document; /* what they are about (the body's subject.document) */
    const char *subject_number;   /* and its number (subject.number) */
    int64_t created_before_ms;    /* only those older than this (age filter) */
    size_t limit;                 /* 1..XD_STORE_LIST_MAX */
};
enum xd_status xd_store_exception_list(struct xd_store *s,
                                       const struct xd_store_exception_filter *f,
                                       struct xd_arena *a, struct xd_store_exception **out,
                                       size_t *n_out, struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Audit log: append-only, each record holds the SHA-256 of the one before. */

struct xd_audit_record {
    int64_t seq;
    int64_t at_ms;
    const char *actor;
    const char *action; /* "document.ingest", "token.create" ... */
    const char *object; /* "document:<id>" ... */
    const char *before; /* JSON or NULL */
    const char *after;  /* JSON or NULL */
    char prev_hash[XD_SHA256_HEX_LEN + 1];
    char hash[XD_SHA256_HEX_LEN + 1];
};

/* Call <fn> for every record from <from_seq> on, in order; stop early when fn returns non-OK
 * and return that status. */
enum xd_status xd_store_audit_scan(struct xd_store *s, int64_t from_seq,
                                   enum xd_status (*fn)(void *arg, const struct xd_audit_record *r),
                                   void *arg, struct xd_error *err) XD_NODISCARD;
/* The records of one <action> from <from_seq> on, in order, up to the log's head when the scan
 * began, which goes into *through: on XD_OK every record of <action> up to it was passed to
 * <fn>, so the next scan starts after it (a consumer of rare records, such as the flow engine
 * of outbox.dead, reads only those). <fn> stops the scan with a non-OK status, returned here. */
enum xd_status
xd_store_audit_scan_action(struct xd_store *s, int64_t from_seq, const char *action,
                           enum xd_status (*fn)(void *arg, const struct xd_audit_record *r),
                           void *arg, int64_t *through, struct xd_error *err) XD_NODISCARD;
/* Recompute the chain. XD_OK when intact; XD_ECORRUPT with err naming the first bad record
 * (seq, and whether it was edited, removed or reordered) otherwise. Opens the database of
 * <data_dir> read-only without starting a writer, so it can run beside a live hub. */
enum xd_status xd_store_audit_verify(const char *data_dir, int64_t *records_checked,
                                     struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Health and metrics */

/* Buckets of the store's time histograms (commit_hist, queue_wait_hist, apply_hist). */
#define XD_STORE_TIME_BUCKETS 12
struct xd_store_stats {
    uint64_t batches;            /* transactions committed */
    uint64_t ops_committed;      /* completed XD_OK */
    uint64_t ops_failed;         /* completed with an error other than XD_EEXIST */
    uint64_t queue_depth;        /* now */
    uint64_t batch_size_hist[8]; /* batches of 1, 2-3, 4-7, 8-15, 16-63, 64-255, 256-1023, 1024+ */
    uint64_t commit_ns_sum;      /* time spent in commit (incl. fsync) */
    uint64_t commit_ns_max;
    uint64_t commit_hist[XD_STORE_TIME_BUCKETS]; /* commit latency, xd_store_commit_buckets_us */
    bool healthy;              /* false while the writer is recovering from a storage failure */
    uint64_t ops_duplicate;    /* completed XD_EEXIST (idempotent replays), in neither above */
    uint64_t storage_failures; /* batches lost to a storage failure */
    uint64_t recoveries;       /* times the writer reopened storage after a failure */
    int64_t journal_seq;       /* the journal's last committed sequence number */
    /* Where a committed operation's time goes, before the commit: waiting in the queue for the
     * writer (per operation), and the writer applying its batch (per batch, from taking it off
     * the queue to the start of the commit). Buckets as commit_hist's. */
    uint64_t queue_wait_hist[XD_STORE_TIME_BUCKETS];
    uint64_t queue_wait_ns_sum;
    uint64_t apply_hist[XD_STORE_TIME_BUCKETS];
    uint64_t apply_ns_sum;
};
void xd_store_stats(struct xd_store *s, struct xd_store_stats *out);
/* Upper bounds in microseconds of the buckets of commit_hist, queue_wait_hist and apply_hist
 * (the last is +Inf). */
extern const uint64_t xd_store_commit_buckets_us[XD_STORE_TIME_BUCKETS];

#endif
