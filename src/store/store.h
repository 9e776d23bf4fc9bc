/* SPDX-License-Identifier: MIT
 * The storage interface: the durable journal of every inbound message, the documents and the
 * transaction threads they form, idempotency records, access tokens and the hash-chained audit
 * log. Nothing above this header speaks SQL; SQLite (store_sqlite.c) is the embedded backend and
 * PostgreSQL will sit behind the same functions.
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
    const char *data_dir;  /* created if missing; the database lives inside it */
    size_t queue_cap;      /* pending write operations before submit answers XD_EAGAIN */
    size_t batch_max;      /* operations per transaction */
    bool durable;          /* fsync at every commit (synchronous=FULL); false only for tests */
};

/* Defaults: queue_cap 65536, batch_max 2048, durable true. */
void xd_store_options_init(struct xd_store_options *o, const char *data_dir);

/* Open (and create or migrate) the store and start its writer thread. */
enum xd_status xd_store_open(const struct xd_store_options *o, struct xd_store **out,
                             struct xd_error *err) XD_NODISCARD;
/* Stop accepting writes, finish and commit everything already queued, stop the writer, close.
 * NULL-safe. */
void xd_store_close(struct xd_store *s);

/* ------------------------------------------------------------------------------------------ */
/* Write operations */

#define XD_STORE_KEY_MAX       16  /* business keys per document */
#define XD_CORRELATION_ID_MAX  128 /* longest correlation id, without NUL */

/* A business key of a document: ("po_number", "4500001"). Documents sharing one join a thread. */
struct xd_store_key {
    const char *name;
    const char *value;
};

/* Build the stored response of an idempotent request once the writer knows the outcome (the
 * correlation id). Runs on the writer thread inside the transaction; must not block. */
typedef enum xd_status (*xd_store_respond_fn)(void *arg, const char *correlation_id,
                                              int *http_status, struct xd_buf *body);

/* Journal one inbound message and record the canonical document it carries. */
struct xd_store_ingest {
    /* In: all strings borrowed until completion. */
    char id[XD_ID_LEN + 1];       /* document id, assigned by the caller (xd_id_new) */
    const char *doc_type;         /* "purchase_order" ... */
    const char *partner;          /* who sent it ("api" for the HTTP API's own callers) */
    const char *channel;          /* "http", "inbox", "nats" ... */
    const char *format;           /* "json", "x12", "csv" */
    const char *content_type;     /* of the raw bytes */
    const char *raw;              /* the bytes as received */
    size_t raw_len;
    const char *body;             /* canonical JSON of the document */
    size_t body_len;
    const struct xd_store_key *keys; /* business keys, up to XD_STORE_KEY_MAX */
    size_t n_keys;
    /* X-Correlation-ID of the caller (validated: 1-128 of [A-Za-z0-9._:-]). Correlation: a
     * document whose business key names an existing thread joins it; otherwise one with a hint
     * joins (or starts) the thread of that id; otherwise a new thread gets a new UUID. */
    const char *correlation_hint;
    const char *trace_id;         /* W3C trace-id of the caller's traceparent, or NULL */
    int64_t received_at_ms;
    const char *actor;            /* token name, for the audit log */
    /* Idempotency (optional: idem_key NULL = none). Keys are unique per scope. */
    const char *idem_scope;       /* the caller's token id */
    const char *idem_key;
    uint8_t request_hash[XD_SHA256_LEN];
    xd_store_respond_fn respond;  /* required when idem_key is set */
    void *respond_arg;

    /* Out, valid when the operation completed with XD_OK. */
    char correlation_id[XD_CORRELATION_ID_MAX + 1];
    int64_t seq;                  /* journal sequence number, increasing */
    bool new_thread;              /* this document started its thread */
};

/* Create an access token record. The token itself never reaches the store, only its hash. */
struct xd_store_token_create {
    char id[XD_ID_LEN + 1];
    const char *name;
    const char *role;             /* "admin", "operator", "partner" ... */
    const char *partner;          /* for role partner: the partner it speaks for; else NULL */
    uint8_t token_hash[XD_SHA256_LEN];
    const char *actor;
};

enum xd_store_op_kind {
    XD_STORE_OP_INGEST,
    XD_STORE_OP_TOKEN_CREATE,
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
    } u;
    xd_store_done_fn done;        /* NULL: use xd_store_wait */
    void *done_arg;
    /* Out: XD_OK (committed); XD_EEXIST (idempotency key already used: see idem_* below);
     * XD_EUNAVAIL (storage failed: nothing of this operation was kept; retry later);
     * XD_ECLOSED (store shutting down); XD_EINVAL (bad operation). */
    enum xd_status status;
    struct xd_error err;
    /* For XD_EEXIST on an idempotent ingest: what the first request stored. Owned by the op,
     * released by xd_store_op_cleanup. */
    uint8_t idem_request_hash[XD_SHA256_LEN];
    int idem_http_status;
    char *idem_body;
    size_t idem_body_len;
    /* private to the store */
    struct xd_store_op *next_;
    int done_flag_;
};

/* Queue <op> for the writer. XD_OK: queued, op->done (or xd_store_wait) will report.
 * XD_EAGAIN: the queue is full (answer 503 and let the sender retry). XD_EUNAVAIL: the store is
 * failed and recovering. XD_ECLOSED: closing. On any error the op was not queued and done will
 * not be called. <op> must stay valid until completion. */
enum xd_status xd_store_submit(struct xd_store *s, struct xd_store_op *op) XD_NODISCARD;
/* Submit and block until committed or failed; returns op->status (or the submit error). */
enum xd_status xd_store_execute(struct xd_store *s, struct xd_store_op *op) XD_NODISCARD;
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
    const char *trace_id;         /* NULL when the sender sent none */
    int64_t seq;
    int64_t received_at_ms;
    const char *body;
    size_t body_len;
};

enum xd_status xd_store_doc_get(struct xd_store *s, const char *id, struct xd_arena *a,
                                struct xd_store_doc *out, struct xd_error *err) XD_NODISCARD;
/* The thread's documents in journal order (at most <limit>, 0 = all). XD_ENOTFOUND when the
 * thread does not exist. Bodies are included. */
enum xd_status xd_store_thread_docs(struct xd_store *s, const char *correlation_id,
                                    size_t limit, struct xd_arena *a, struct xd_store_doc **out,
                                    size_t *n_out, struct xd_error *err) XD_NODISCARD;
/* The thread a business key belongs to; XD_ENOTFOUND when none. <cap> >= XD_CORRELATION_ID_MAX+1. */
enum xd_status xd_store_thread_by_key(struct xd_store *s, const char *name, const char *value,
                                      char *out, size_t cap, struct xd_error *err) XD_NODISCARD;

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
};
enum xd_status xd_store_token_find(struct xd_store *s, const uint8_t hash[XD_SHA256_LEN],
                                   struct xd_arena *a, struct xd_store_token *out,
                                   struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Audit log: append-only, each record holds the SHA-256 of the one before. */

struct xd_audit_record {
    int64_t seq;
    int64_t at_ms;
    const char *actor;
    const char *action;   /* "document.ingest", "token.create" ... */
    const char *object;   /* "document:<id>" ... */
    const char *before;   /* JSON or NULL */
    const char *after;    /* JSON or NULL */
    char prev_hash[XD_SHA256_HEX_LEN + 1];
    char hash[XD_SHA256_HEX_LEN + 1];
};

/* Call <fn> for every record from <from_seq> on, in order; stop early when fn returns non-OK
 * and return that status. */
enum xd_status xd_store_audit_scan(struct xd_store *s, int64_t from_seq,
                                   enum xd_status (*fn)(void *arg,
                                                        const struct xd_audit_record *r),
                                   void *arg, struct xd_error *err) XD_NODISCARD;
/* Recompute the chain. XD_OK when intact; XD_ECORRUPT with err naming the first bad record
 * (seq, and whether it was edited, removed or reordered) otherwise. Opens the database of
 * <data_dir> read-only without starting a writer, so it can run beside a live hub. */
enum xd_status xd_store_audit_verify(const char *data_dir, int64_t *records_checked,
                                     struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Health and metrics */

struct xd_store_stats {
    uint64_t batches;          /* transactions committed */
    uint64_t ops_committed;
    uint64_t ops_failed;
    uint64_t queue_depth;      /* now */
    uint64_t batch_size_hist[8]; /* batches of 1, 2-3, 4-7, 8-15, 16-63, 64-255, 256-1023, 1024+ */
    uint64_t commit_ns_sum;    /* time spent in commit (incl. fsync) */
    uint64_t commit_ns_max;
    uint64_t commit_hist[12];  /* commit latency buckets, see xd_store_commit_buckets_us */
    bool healthy;              /* false while the writer is recovering from a storage failure */
};
void xd_store_stats(struct xd_store *s, struct xd_store_stats *out);
/* Upper bounds in microseconds of commit_hist's buckets (the last is +Inf). */
extern const uint64_t xd_store_commit_buckets_us[12];

#endif
