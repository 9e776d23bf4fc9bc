/* SPDX-License-Identifier: MIT
 * The storage interface: the durable journal of every inbound message, the documents and the
 * transaction threads they form, idempotency records, access tokens, partner profile versions
 * and the hash-chained audit log. Nothing above this header speaks SQL; SQLite (store_sqlite.c)
 * is the embedded backend and PostgreSQL will sit behind the same functions.
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
    size_t readers_max;    /* read connections kept for reads on calling threads */
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

#define XD_STORE_KEY_MAX       16  /* business keys per document */
#define XD_STORE_KEY_NAME_MAX  64  /* bytes of a business key's name */
#define XD_STORE_KEY_VALUE_MAX 256 /* bytes of a business key's value */
#define XD_CORRELATION_ID_MAX  128 /* longest correlation id, without NUL */
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

/* Journal one inbound message and record the canonical document it carries. */
struct xd_store_ingest {
    /* In: all strings borrowed until completion. */
    char id[XD_ID_LEN + 1];       /* document id, assigned by the caller (xd_id_new) */
    const char *doc_type;         /* "purchase_order" ... */
    const char *partner;          /* who sent it ("api" for the HTTP API's own callers) */
    const char *channel;          /* "http", "inbox", "nats" ... */
    const char *format;           /* "json", "x12", "csv" */
    const char *content_type;     /* of the raw bytes */
    const char *raw;              /* the bytes as received; NULL (raw_len 0) when they are body */
    size_t raw_len;
    const char *body;             /* canonical JSON of the document */
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

/* Revoke a token: token_find no longer finds it. Completes with XD_ENOTFOUND when no token has
 * that id; revoking a revoked token is XD_OK with was_active false (nothing changes). */
struct xd_store_token_revoke {
    char id[XD_ID_LEN + 1];
    const char *actor;
    bool was_active;              /* out */
};

/* Allocate <count> consecutive control numbers of <kind> for <partner> (X12 ISA13, GS06, ST02:
 * kinds "isa", "gs", "st"; any [a-z0-9_] name of 1-32 bytes is accepted). Numbers start at 1,
 * only grow and are never handed out twice, also across a crash: they are committed before the
 * operation completes. The caller maps them into its format's range. */
#define XD_STORE_CONTROL_COUNT_MAX 1000000
struct xd_store_control_alloc {
    const char *partner;
    const char *kind;
    int64_t count;                /* 1..XD_STORE_CONTROL_COUNT_MAX */
    const char *actor;
    int64_t first;                /* out: the first of the <count> numbers */
};

/* Append one record to the audit log (state changes made outside the store's own operations,
 * for example a configuration change). before/after are JSON or NULL. */
struct xd_store_audit_append {
    const char *actor;
    const char *action;
    const char *object;
    const char *before;
    const char *after;
    int64_t seq;                  /* out: the record's sequence number */
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
                                             const uint8_t *sealed, size_t len,
                                             struct xd_buf *out, struct xd_error *err);
struct xd_store_partner_rekey {
    xd_store_reseal_fn reseal;
    void *arg;
    const char *key_id; /* of the new key, for the audit record; may be NULL */
    const char *actor;
    int64_t count; /* out: values re-sealed */
};

enum xd_store_op_kind {
    XD_STORE_OP_INGEST,
    XD_STORE_OP_TOKEN_CREATE,
    XD_STORE_OP_TOKEN_REVOKE,
    XD_STORE_OP_CONTROL_ALLOC,
    XD_STORE_OP_AUDIT_APPEND,
    XD_STORE_OP_PARTNER_PUT,
    XD_STORE_OP_PARTNER_REKEY,
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
        struct xd_store_partner_put partner;
        struct xd_store_partner_rekey rekey;
    } u;
    xd_store_done_fn done;        /* NULL: use xd_store_wait */
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
    int64_t created_at_ms;
    int64_t revoked_at_ms;        /* 0 while active; token_find never returns revoked ones */
};
enum xd_status xd_store_token_find(struct xd_store *s, const uint8_t hash[XD_SHA256_LEN],
                                   struct xd_arena *a, struct xd_store_token *out,
                                   struct xd_error *err) XD_NODISCARD;
/* Every token, revoked ones included, oldest first (never their hashes). */
enum xd_status xd_store_token_list(struct xd_store *s, struct xd_arena *a,
                                   struct xd_store_token **out, size_t *n_out,
                                   struct xd_error *err) XD_NODISCARD;

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
    uint64_t ops_committed;    /* completed XD_OK */
    uint64_t ops_failed;       /* completed with an error other than XD_EEXIST */
    uint64_t queue_depth;      /* now */
    uint64_t batch_size_hist[8]; /* batches of 1, 2-3, 4-7, 8-15, 16-63, 64-255, 256-1023, 1024+ */
    uint64_t commit_ns_sum;    /* time spent in commit (incl. fsync) */
    uint64_t commit_ns_max;
    uint64_t commit_hist[12];  /* commit latency buckets, see xd_store_commit_buckets_us */
    bool healthy;              /* false while the writer is recovering from a storage failure */
    uint64_t ops_duplicate;    /* completed XD_EEXIST (idempotent replays), in neither above */
    uint64_t storage_failures; /* batches lost to a storage failure */
    uint64_t recoveries;       /* times the writer reopened storage after a failure */
};
void xd_store_stats(struct xd_store *s, struct xd_store_stats *out);
/* Upper bounds in microseconds of commit_hist's buckets (the last is +Inf). */
extern const uint64_t xd_store_commit_buckets_us[12];

#endif
