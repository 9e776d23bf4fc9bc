/* SPDX-License-Identifier: MIT
 * Inside the store: the backend-neutral core (queue, writer thread, operations, audit chain,
 * reader pool) and the table of functions a backend (store_sqlite.c, later store_pg.c)
 * implements. Backend functions never lock: the core calls a connection from one thread at a
 * time (the writer's from the writer thread, a reader's from whoever took it from the pool). */
#ifndef XD_STORE_STORE_INT_H
#define XD_STORE_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

/* What the audit record of a changed outbound message needs to name. */
struct xd_store__outbox_ref {
    int64_t seq;
    char id[XD_ID_LEN + 1];
    char partner[XD_STORE_NAME_MAX + 1];
    char endpoint[XD_STORE_NAME_MAX + 1];
    char correlation_id[XD_CORRELATION_ID_MAX + 1]; /* "" when none */
    enum xd_store_outbox_state state;               /* the state it entered */
};
typedef enum xd_status (*xd_store__ref_fn)(void *arg, const struct xd_store__outbox_ref *ref);

/* A backend's state for one open store (SQLite: paths, the anchor connection). */
struct xd_store__db;
/* One backend connection with its cached statements. */
struct xd_store__conn;

/* Status conventions of every backend function below:
 *   XD_EUNAVAIL  storage failure (I/O error, disk full, read-only, corrupt, cannot open,
 *                locked out): the core abandons the whole transaction and, on the writer,
 *                reopens the connection;
 *   XD_ENOTFOUND the row looked up does not exist;
 *   XD_ECONFLICT a uniqueness constraint refused a row;
 *   XD_ENOMEM, XD_ETOOBIG, XD_EIO (anything else): the one operation fails.
 * Every failure fills <err>. */
struct xd_store__backend {
    const char *name;

    /* Lifecycle. db_open prepares (and creates the directory of) the store without opening
     * connections; writer_open opens (creating the database when missing) a connection for the
     * writer; reader_open a read-only one. verify_open opens a read-only connection on a data
     * directory without a running store and never creates anything (XD_ENOTFOUND when there is
     * no database). conn_close is NULL-safe. */
    enum xd_status (*db_open)(const struct xd_store_options *o, struct xd_store__db **out,
                              struct xd_error *err);
    void (*db_close)(struct xd_store__db *db);
    enum xd_status (*writer_open)(struct xd_store__db *db, struct xd_store__conn **out,
                                  struct xd_error *err);
    enum xd_status (*reader_open)(struct xd_store__db *db, struct xd_store__conn **out,
                                  struct xd_error *err);
    enum xd_status (*verify_open)(const char *data_dir, struct xd_store__conn **out,
                                  struct xd_error *err);
    void (*conn_close)(struct xd_store__conn *c);
    /* A read transaction on a reader: what it reads between the two is one snapshot. */
    enum xd_status (*read_begin)(struct xd_store__conn *c, struct xd_error *err);
    enum xd_status (*read_end)(struct xd_store__conn *c, struct xd_error *err);

    /* Writer transactions. begin starts a write transaction and tells whether anybody else
     * (another process) committed since this connection's last commit, so cached state must be
     * reloaded. migrate brings the schema to the newest version inside that transaction. */
    enum xd_status (*begin)(struct xd_store__conn *c, bool *others_wrote, struct xd_error *err);
    enum xd_status (*commit)(struct xd_store__conn *c, struct xd_error *err);
    void (*rollback)(struct xd_store__conn *c);
    enum xd_status (*savepoint)(struct xd_store__conn *c, struct xd_error *err);
    enum xd_status (*release)(struct xd_store__conn *c, struct xd_error *err);
    enum xd_status (*rollback_to)(struct xd_store__conn *c, struct xd_error *err);
    enum xd_status (*migrate)(struct xd_store__conn *c, int *from, int *to, struct xd_error *err);
    /* A count of rows written through <c> that only grows (equal before and after: nothing was
     * written), and whether a transaction is still open (some failures end it). */
    uint64_t (*changes)(struct xd_store__conn *c);
    bool (*in_transaction)(struct xd_store__conn *c);
    /* Housekeeping between batches, outside any transaction (SQLite: WAL checkpoint when the
     * log grew past its threshold; <final>: checkpoint everything, the store is closing). */
    enum xd_status (*maintain)(struct xd_store__conn *c, bool final, struct xd_error *err);

    /* Rows, inside the writer's transaction. */
    enum xd_status (*audit_head)(struct xd_store__conn *c, int64_t *seq,
                                 char hash[XD_SHA256_HEX_LEN + 1], struct xd_error *err);
    enum xd_status (*audit_put)(struct xd_store__conn *c, const struct xd_audit_record *r,
                                struct xd_error *err);
    /* The stored response of (scope, key); *body is xd_malloc'd for the caller. */
    enum xd_status (*idem_get)(struct xd_store__conn *c, const char *scope, const char *key,
                               uint8_t hash[XD_SHA256_LEN], int *http_status, char **body,
                               size_t *body_len, struct xd_error *err);
    enum xd_status (*idem_put)(struct xd_store__conn *c, const char *scope, const char *key,
                               const uint8_t hash[XD_SHA256_LEN], int http_status,
                               const struct xd_buf *body, int64_t at_ms, struct xd_error *err);
    /* The thread of a business key into <out> (XD_CORRELATION_ID_MAX + 1 bytes). */
    enum xd_status (*key_thread)(struct xd_store__conn *c, const char *name, const char *value,
                                 char *out, struct xd_error *err);
    /* Whether thread <correlation_id> exists: a thread is its documents, so whether one of
     * them (written before, or earlier in this transaction) names it. */
    enum xd_status (*thread_known)(struct xd_store__conn *c, const char *correlation_id,
                                   bool *known, struct xd_error *err);
    /* Attach a key to a thread unless some thread holds it already. */
    enum xd_status (*key_put)(struct xd_store__conn *c, const char *name, const char *value,
                              const char *correlation_id, struct xd_error *err);
    enum xd_status (*journal_put)(struct xd_store__conn *c, const struct xd_store_ingest *in,
                                  int64_t *seq, struct xd_error *err);
    /* Journal an inbound partner message with its outcome (status, detail). */
    enum xd_status (*message_put)(struct xd_store__conn *c, const struct xd_store_message *m,
                                  int64_t *seq, struct xd_error *err);
    enum xd_status (*doc_put)(struct xd_store__conn *c, const struct xd_store_ingest *in,
                              int64_t seq, const char *correlation_id, struct xd_error *err);
    enum xd_status (*token_put)(struct xd_store__conn *c, const struct xd_store_token_create *t,
                                int64_t at_ms, struct xd_error *err);
    /* Mark revoked; *was_active false when it already was. XD_ENOTFOUND for an unknown id. */
    enum xd_status (*token_revoke)(struct xd_store__conn *c, const char *id, int64_t at_ms,
                                   bool *was_active, struct xd_error *err);
    /* Reserve <count> numbers of the (partner, kind) counter; *first is the first of them. */
    enum xd_status (*counter_take)(struct xd_store__conn *c, const char *partner, const char *kind,
                                   int64_t count, int64_t *first, struct xd_error *err);

    /* A poller's cursor: insert or replace (writer); read into <out> of <cap> bytes
     * (XD_ENOTFOUND when it was never set). */
    enum xd_status (*poll_cursor_put)(struct xd_store__conn *c, const char *name, const char *value,
                                      int64_t at_ms, struct xd_error *err);
    enum xd_status (*poll_cursor_get)(struct xd_store__conn *c, const char *name, char *out,
                                      size_t cap, struct xd_error *err);
    /* The outbox, inside the writer's transaction. outbox_put inserts a message in <state>
     * (pending or disabled) and returns its seq. endpoint_disabled reads the endpoint's flag
     * (false when it has no row). claim and settle change one message by seq when it is in the
     * state they expect, else *applied is false; settle fills <ref> for the audit record. RETRY
     * chooses pending or disabled by the endpoint's flag inside the statement. replay and
     * reroute call <fn> for every message they changed, after the statement completed. */
    enum xd_status (*outbox_put)(struct xd_store__conn *c, const struct xd_store_outbound *m,
                                 const char *correlation_id, enum xd_store_outbox_state state,
                                 int64_t at_ms, int64_t *seq, struct xd_error *err);
    enum xd_status (*endpoint_disabled)(struct xd_store__conn *c, const char *partner,
                                        const char *name, bool *disabled, struct xd_error *err);
    enum xd_status (*outbox_claim)(struct xd_store__conn *c, int64_t seq, int64_t at_ms,
                                   bool *applied, struct xd_error *err);
    enum xd_status (*outbox_settle)(struct xd_store__conn *c,
                                    const struct xd_store_outbox_result *r,
                                    struct xd_store__outbox_ref *ref, bool *applied,
                                    struct xd_error *err);
    enum xd_status (*outbox_replay)(struct xd_store__conn *c, const char *id, const char *partner,
                                    size_t limit, int64_t at_ms, xd_store__ref_fn fn, void *arg,
                                    struct xd_error *err);
    enum xd_status (*outbox_reroute)(struct xd_store__conn *c,
                                     const struct xd_store_outbox_reroute *r, const char *from,
                                     xd_store__ref_fn fn, void *arg, struct xd_error *err);
    /* Move the open messages of an endpoint from one state to another (pending <-> disabled);
     * entering pending makes them due at <at_ms>. */
    enum xd_status (*outbox_move)(struct xd_store__conn *c, const char *partner, const char *name,
                                  enum xd_store_outbox_state from, enum xd_store_outbox_state to,
                                  int64_t at_ms, size_t *moved, struct xd_error *err);
    /* The endpoint's row into <out> (strings in <a>); XD_ENOTFOUND when it has none. */
    enum xd_status (*endpoint_row)(struct xd_store__conn *c, const char *partner, const char *name,
                                   struct xd_arena *a, struct xd_store_endpoint *out,
                                   struct xd_error *err);
    enum xd_status (*endpoint_put)(struct xd_store__conn *c, const struct xd_store_endpoint *e,
                                   struct xd_error *err);
    /* Partner profiles. partner_head: the current version and its content hash
     * (XD_ENOTFOUND when the partner has none). partner_put: insert version <version> with its
     * secrets and make it current. secret_scan calls <fn> for every stored secret of every
     * version; secret_update replaces one. */
    enum xd_status (*partner_head)(struct xd_store__conn *c, const char *id, int64_t *version,
                                   uint8_t hash[XD_SHA256_LEN], struct xd_error *err);
    enum xd_status (*partner_put)(struct xd_store__conn *c, const struct xd_store_partner_put *p,
                                  int64_t version, int64_t at_ms, struct xd_error *err);
    enum xd_status (*secret_scan)(struct xd_store__conn *c,
                                  enum xd_status (*fn)(void *arg, const char *partner,
                                                       int64_t version, const char *name,
                                                       const uint8_t *sealed, size_t len),
                                  void *arg, struct xd_error *err);
    enum xd_status (*secret_update)(struct xd_store__conn *c, const char *partner, int64_t version,
                                    const char *name, const uint8_t *sealed, size_t len,
                                    struct xd_error *err);

    /* Reads, on any connection; strings land in the arena. */
    enum xd_status (*doc_get)(struct xd_store__conn *c, const char *id, struct xd_arena *a,
                              struct xd_store_doc *out, struct xd_error *err);
    enum xd_status (*doc_raw)(struct xd_store__conn *c, const char *id, struct xd_arena *a,
                              struct xd_store_raw *out, struct xd_error *err);
    enum xd_status (*thread_docs)(struct xd_store__conn *c, const char *correlation_id,
                                  size_t limit, struct xd_arena *a, struct xd_store_doc **out,
                                  size_t *n_out, struct xd_error *err);
    enum xd_status (*token_find)(struct xd_store__conn *c, const uint8_t hash[XD_SHA256_LEN],
                                 struct xd_arena *a, struct xd_store_token *out,
                                 struct xd_error *err);
    enum xd_status (*token_list)(struct xd_store__conn *c, struct xd_arena *a,
                                 struct xd_store_token **out, size_t *n_out, struct xd_error *err);
    enum xd_status (*idem_find)(struct xd_store__conn *c, const char *scope, const char *key,
                                struct xd_arena *a, struct xd_store_idem *out,
                                struct xd_error *err);
    /* Version <version> (0: current) of a partner, with its secrets. */
    enum xd_status (*partner_get)(struct xd_store__conn *c, const char *id, int64_t version,
                                  struct xd_arena *a, struct xd_store_partner *out,
                                  struct xd_error *err);
    enum xd_status (*partner_list)(struct xd_store__conn *c, struct xd_arena *a,
                                   struct xd_store_partner_row **out, size_t *n_out,
                                   struct xd_error *err);
    /* Records from <from_seq> on in seq order, in one consistent snapshot; stops at the first
     * non-OK status of <fn> and returns it. */
    enum xd_status (*audit_scan)(struct xd_store__conn *c, int64_t from_seq,
                                 enum xd_status (*fn)(void *arg, const struct xd_audit_record *r),
                                 void *arg, struct xd_error *err);
    /* The same for the records of one <action> with seq from <from_seq> to <to_seq>. */
    enum xd_status (*audit_scan_action)(struct xd_store__conn *c, int64_t from_seq, int64_t to_seq,
                                        const char *action,
                                        enum xd_status (*fn)(void *arg,
                                                             const struct xd_audit_record *r),
                                        void *arg, struct xd_error *err);
    /* The lowest seq whose stored hash is <hash> (XD_ENOTFOUND when none). Only used to explain
     * a broken chain, so it may scan. */
    enum xd_status (*audit_find_hash)(struct xd_store__conn *c, const char *hash, int64_t *seq,
                                      struct xd_error *err);
    /* Outbox reads: by id (or by seq when id is NULL), a queue's open messages, a listing,
     * depths per endpoint and state, the queues with open messages, endpoint rows. */
    enum xd_status (*outbox_get)(struct xd_store__conn *c, const char *id, int64_t seq,
                                 struct xd_arena *a, struct xd_store_outbox_msg *out,
                                 struct xd_error *err);
    enum xd_status (*outbox_get_seqs)(struct xd_store__conn *c, const int64_t *seqs, size_t n,
                                      struct xd_arena *a, struct xd_store_outbox_msg **out,
                                      size_t *n_out, struct xd_error *err);
    enum xd_status (*outbox_queue)(struct xd_store__conn *c, const char *partner,
                                   const char *endpoint, int64_t after_seq, size_t limit,
                                   struct xd_arena *a, struct xd_store_outbox_msg **out,
                                   size_t *n_out, struct xd_error *err);
    enum xd_status (*outbox_list)(struct xd_store__conn *c, const struct xd_store_outbox_filter *f,
                                  struct xd_arena *a, struct xd_store_outbox_msg **out,
                                  size_t *n_out, struct xd_error *err);
    enum xd_status (*outbox_depths)(struct xd_store__conn *c, bool queues_only, struct xd_arena *a,
                                    struct xd_store_outbox_depth **out, size_t *n_out,
                                    struct xd_error *err);
    enum xd_status (*endpoint_list)(struct xd_store__conn *c, struct xd_arena *a,
                                    struct xd_store_endpoint **out, size_t *n_out,
                                    struct xd_error *err);

    /* Workflows. flow_apply writes a flow operation's rows inside the writer's transaction:
     * XD_ECONFLICT when a row's version or the cursor's position is not the one read. */
    enum xd_status (*flow_apply)(struct xd_store__conn *c, struct xd_store_flow *f, int64_t at_ms,
                                 struct xd_error *err);
    enum xd_status (*docs_after)(struct xd_store__conn *c, int64_t after_seq, size_t limit,
                                 struct xd_arena *a, struct xd_store_doc **out, size_t *n_out,
                                 struct xd_error *err);
    enum xd_status (*cursor_get)(struct xd_store__conn *c, const char *name, int64_t *out,
                                 struct xd_error *err);
    enum xd_status (*journal_head)(struct xd_store__conn *c, int64_t *out, struct xd_error *err);
    enum xd_status (*flow_get)(struct xd_store__conn *c, const char *correlation_id,
                               struct xd_arena *a, struct xd_store_flow_row *out,
                               struct xd_error *err);
    enum xd_status (*flow_events)(struct xd_store__conn *c, const char *correlation_id,
                                  struct xd_arena *a, struct xd_store_flow_event **out,
                                  size_t *n_out, struct xd_error *err);
    enum xd_status (*flow_list)(struct xd_store__conn *c, const char *state, size_t limit,
                                struct xd_arena *a, struct xd_store_flow_row **out, size_t *n_out,
                                struct xd_error *err);
    enum xd_status (*flow_counts)(struct xd_store__conn *c, struct xd_arena *a,
                                  struct xd_store_count **states, size_t *n_states,
                                  struct xd_store_count **exceptions, size_t *n_exceptions,
                                  struct xd_error *err);
    enum xd_status (*timers_due)(struct xd_store__conn *c, int64_t now_ms, size_t limit,
                                 struct xd_arena *a, struct xd_store_timer **out, size_t *n_out,
                                 struct xd_error *err);
    enum xd_status (*exception_get)(struct xd_store__conn *c, const char *id, struct xd_arena *a,
                                    struct xd_store_exception *out, struct xd_error *err);
    enum xd_status (*exception_list)(struct xd_store__conn *c,
                                     const struct xd_store_exception_filter *f, struct xd_arena *a,
                                     struct xd_store_exception **out, size_t *n_out,
                                     struct xd_error *err);
};

extern const struct xd_store__backend xd_store__sqlite;

/* store_faultvfs.c (test builds of the SQLite backend): register the fault-injection VFS once
 * and return its name, NULL when SQLite refused it. */
const char *xd_store__faultvfs_register(void);

/* ------------------------------------------------------------------------------------------ */
/* The core's handle. */

#define XD_STORE_BATCH_BUCKETS 8

/* The head of the audit chain as the writer sees it. */
struct xd_store__audit_head {
    int64_t seq;
    char hash[XD_SHA256_HEX_LEN + 1];
};

struct xd_store {
    const struct xd_store__backend *be;
    struct xd_store__db *db;
    struct xd_store_options opts;
    char *data_dir; /* opts.data_dir points here */

    /* Queue, guarded by mu. healthy and closing change only under mu as well; healthy is
     * atomic so stats can read it without the lock. */
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* writer: work arrived, closing, or recovery wait */
    struct xd_store_op *head;
    struct xd_store_op *tail;
    size_t depth;
    bool closing;
    atomic_bool healthy;

    /* The outbox watcher (xd_store_outbox_watch), guarded by mu. */
    xd_store_outbox_watch_fn watch_fn;
    void *watch_arg;

    /* Completion of ops without a done callback (xd_store_wait). */
    pthread_mutex_t done_mu;
    pthread_cond_t done_cv;

    /* Owned by the writer thread while it runs; by the closing thread after the join. */
    pthread_t writer;
    struct xd_store__conn *wconn;
    struct xd_store__audit_head audit; /* committed head; valid when audit_valid */
    bool audit_valid;
    struct xd_buf respond_body; /* respond callbacks write here */
    struct xd_buf scratch;      /* audit JSON and hash input */
    struct xd_buf scratch2;
    char last_failure[XD_ERROR_MESSAGE_MAX];
    /* Outbox changes of the batch being applied, reported to the watcher after the commit. */
    struct xd_store__event *events;
    size_t n_events;
    bool events_overflow;

    /* Statistics, guarded by stats_mu (written once per batch). */
    pthread_mutex_t stats_mu;
    struct xd_store_stats stats;

    /* Read connections, guarded by pool_mu. */
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    struct xd_store__conn **pool_free;
    size_t pool_n_free;
    size_t pool_open; /* connections in existence, free or lent */
};

/* One outbox change of the batch under way (store_ops.c records, store.c reports). */
#define XD_STORE_EVENTS_MAX 1024
struct xd_store__event {
    enum xd_store_outbox_event kind;
    char partner[XD_STORE_NAME_MAX + 1];
    char endpoint[XD_STORE_NAME_MAX + 1];
};
/* Record an event on the writer thread (consecutive duplicates are dropped; past
 * XD_STORE_EVENTS_MAX the batch reports XD_STORE_OUTBOX_ALL instead). */
void xd_store__event_add(struct xd_store *s, enum xd_store_outbox_event kind, const char *partner,
                         const char *endpoint);

/* store_outbox.c: the outbox operations (validation and application), like store_ops.c. */
enum xd_status xd_store__enqueue_validate(struct xd_store_op *op);
enum xd_status xd_store__update_validate(struct xd_store_op *op);
enum xd_status xd_store__replay_validate(struct xd_store_op *op);
enum xd_status xd_store__reroute_validate(struct xd_store_op *op);
enum xd_status xd_store__endpoint_validate(struct xd_store_op *op);
/* Validate the outbound messages of an op (<field> names them in errors). */
enum xd_status xd_store__outbound_validate(const struct xd_store_outbound *m, size_t n,
                                           bool in_ingest, const char *field, struct xd_error *err);

/* Where an op is being applied: a storage failure must abandon the batch, any other failure
 * only the op. */
struct xd_store__apply {
    struct xd_store *s;
    struct xd_store_op *op;
    bool storage_failed;
};
enum xd_status xd_store__fail(struct xd_store__apply *x, enum xd_status st);
/* Write <m> (n of them) for an op being applied; <correlation_id> and <source> are the defaults
 * for messages that name none. */
enum xd_status xd_store__outbound_write(struct xd_store__apply *x, struct xd_store_outbound *m,
                                        size_t n, const char *correlation_id, const char *source,
                                        const char *actor);
enum xd_status xd_store__enqueue_apply(struct xd_store__apply *x);
enum xd_status xd_store__update_apply(struct xd_store__apply *x);
enum xd_status xd_store__replay_apply(struct xd_store__apply *x);
enum xd_status xd_store__reroute_apply(struct xd_store__apply *x);
enum xd_status xd_store__endpoint_apply(struct xd_store__apply *x);
/* Idempotency of a request (ingest, enqueue): the stored answer, or XD_ENOTFOUND. */
enum xd_status xd_store__idem_check(struct xd_store__apply *x, const char *scope, const char *key);
enum xd_status xd_store__idem_record(struct xd_store__apply *x, const char *scope, const char *key,
                                     const uint8_t hash[XD_SHA256_LEN], xd_store_respond_fn respond,
                                     void *respond_arg, const char *correlation_id);
/* Small audit JSON helpers of store_ops.c, shared with store_outbox.c. */
enum xd_status xd_store__json_begin(struct xd_buf *b);
enum xd_status xd_store__json_str(struct xd_buf *b, const char *name, const char *v);
enum xd_status xd_store__json_int(struct xd_buf *b, const char *name, int64_t v);
enum xd_status xd_store__json_end(struct xd_buf *b);
enum xd_status xd_store__audit_op(struct xd_store__apply *x, const char *actor, const char *action,
                                  const char *object, const char *before, const char *after);

/* store_partner.c: the partner operations, for store_ops.c's table. */
enum xd_status xd_store__partner_put_validate(struct xd_store_op *op);
enum xd_status xd_store__partner_put_apply(struct xd_store__apply *x);
enum xd_status xd_store__partner_rekey_validate(struct xd_store_op *op);
enum xd_status xd_store__partner_rekey_apply(struct xd_store__apply *x);

/* store_flow.c: the workflow operation, for store_ops.c's table. */
enum xd_status xd_store__flow_validate(struct xd_store_op *op);
enum xd_status xd_store__flow_apply(struct xd_store__apply *x);

/* store_ops.c: validation and application of each operation kind on the writer thread. */
enum xd_status xd_store__op_validate(struct xd_store_op *op);
/* Apply <op> inside the open transaction; fills op->status and op's outputs. Returns XD_OK when
 * the batch may go on (the op itself may have failed: op->status), XD_EUNAVAIL when storage
 * failed and the whole batch must be abandoned (err says why). */
enum xd_status xd_store__op_apply(struct xd_store *s, struct xd_store_op *op, struct xd_error *err);
/* Audit "store.recover"/"store.migrate" records written by the writer itself. */
enum xd_status xd_store__audit_system(struct xd_store *s, const char *action, const char *after,
                                      struct xd_error *err);

/* store_audit.c: the chain. The prev_hash of record 1. */
extern const char xd_store__audit_genesis[XD_SHA256_HEX_LEN + 1];
/* Compute r->hash from the other members of <r> (prev_hash included), using <tmp>. */
enum xd_status xd_store__audit_hash(const struct xd_audit_record *r, struct xd_buf *tmp,
                                    char out[XD_SHA256_HEX_LEN + 1]);
/* Append one record after s->audit (the pending head) and advance it. */
enum xd_status xd_store__audit_append(struct xd_store *s, const char *actor, const char *action,
                                      const char *object, const char *before, const char *after,
                                      int64_t *seq_out, struct xd_error *err);

/* store_read.c: the pool. */
enum xd_status xd_store__reader_take(struct xd_store *s, struct xd_store__conn **out,
                                     struct xd_error *err);
/* Give a connection back; <st> is the status of what ran on it (a storage failure closes it
 * instead of keeping it). */
void xd_store__reader_give(struct xd_store *s, struct xd_store__conn *c, enum xd_status st);
void xd_store__pool_close(struct xd_store *s);

#endif
