/* SPDX-License-Identifier: MIT
 * SQLite backend: one database file, <data_dir>/crossdock.db, in WAL mode; the schema as a list
 * of migrations; every statement prepared once per connection and cached. Threads: connections
 * are opened NOMUTEX and used by one thread at a time (the writer's by the writer thread, a
 * reader's by whoever took it from the pool). The anchor connection is opened with the first
 * writer connection and closed by xd_store_close; after that it only sits there (see below). */
#include <sys/stat.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store_int.h"
#include "store/store_vfs.h"

#define DB_FILE         "crossdock.db"
#define BUSY_TIMEOUT_MS 5000
/* Page size of a new database (an existing one keeps its own). A document's rows (the raw
 * message in the journal, the canonical body) are a few kilobytes each: with 4 KiB pages each
 * took a page of its own, a third of it empty, and every page is a WAL frame written by its
 * own system calls. With 8 KiB pages three share a page: the store writes a quarter fewer
 * bytes in half the frames, for a fifth less CPU (docs/performance.md, "Ingest"). Larger pages
 * gained nothing more and cost small commits more bytes. */
#define PAGE_SIZE "8192"
/* WAL bytes between two passes of the checkpointer thread, which copies them to the database
 * while the writer goes on committing. Done by the writer alone, 16 MiB cost a p99 of 24 ms to
 * 64 blocking callers in bench_store, 4 MiB 13 ms, at the same throughput. */
#define CHECKPOINT_BYTES (4 << 20)
/* WAL bytes before the writer starts it over: after the thread's last pass it copies the
 * frames appended meanwhile itself, between two batches, so that its next transaction can
 * start the WAL from the beginning (see sq_maintain). Each such copy stops the writer and
 * syncs both files; once every 4 MiB it took a tenth of the writer's time under load. */
#define RESTART_BYTES    (32 << 20)
#define WAL_SIZE_LIMIT   "67108864"
#define WRITER_CACHE_KIB "32768"

/* The background checkpointer: one thread and its own connection, started at the first
 * request. Its passes copy the WAL's committed frames into the database file; a failure is
 * kept for the writer to report (sq_maintain), which then reconnects as after any storage
 * failure, and the connection that failed is closed. */
struct checkpointer {
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, requested, busy;
    uint64_t passes; /* completed passes */
    enum xd_status failed;
    char why[XD_ERROR_MESSAGE_MAX];
};

struct xd_store__db {
    char *path;
    const char *vfs; /* SQLite's default, or the fault VFS in test mode; under the WAL writer
                      * (store_vfs.c) when durable */
    bool durable;
    struct checkpointer ck;
    /* A read-only connection that stays open as long as the store, so that the WAL index in
     * shared memory outlives every writer connection. Without it, reopening the writer after a
     * failed fsync could be the first connection again, and SQLite's WAL recovery would then
     * find the frames of the failed transaction, complete with their commit frame, and bring
     * back a batch every caller was told had failed. With it, those frames lie past the
     * index's last commit, are ignored, and the next commit overwrites them. */
    sqlite3 *anchor;
};

enum stmt_id {
    S_BEGIN,
    S_READ_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_SAVEPOINT,
    S_RELEASE,
    S_ROLLBACK_TO,
    S_DATA_VERSION,
    S_USER_VERSION,
    S_AUDIT_HEAD,
    S_AUDIT_PUT,
    S_IDEM_GET,
    S_IDEM_PUT,
    S_KEY_THREAD,
    S_KEY_PUT,
    S_JOURNAL_PUT,
    S_DOC_PUT,
    S_TOKEN_PUT,
    S_TOKEN_REVOKE,
    S_TOKEN_EXISTS,
    S_COUNTER_TAKE,
    S_DOC_GET,
    S_DOC_RAW,
    S_THREAD_DOCS,
    S_THREAD_EXISTS,
    S_TOKEN_FIND,
    S_TOKEN_LIST,
    S_AUDIT_SCAN,
    S_AUDIT_SCAN_ACTION,
    S_AUDIT_FIND_HASH,
    S_OUTBOX_PUT,
    S_ENDPOINT_DISABLED,
    S_OUTBOX_CLAIM,
    S_OUTBOX_DELIVERING,
    S_OUTBOX_DELIVERED,
    S_OUTBOX_RETRY,
    S_OUTBOX_DEAD,
    S_OUTBOX_REPLAY_ID,
    S_OUTBOX_REPLAY_SEL,
    S_OUTBOX_REROUTE,
    S_OUTBOX_MOVE,
    S_ENDPOINT_ROW,
    S_ENDPOINT_PUT,
    S_ENDPOINT_LIST,
    S_OUTBOX_GET_ID,
    S_OUTBOX_GET_SEQ,
    S_OUTBOX_GET_SEQS,
    S_OUTBOX_QUEUE,
    S_OUTBOX_LIST_STATE,
    S_OUTBOX_LIST_THREAD,
    S_OUTBOX_LIST_ALL,
    S_OUTBOX_DEPTHS,
    S_OUTBOX_QUEUES,
    S_PARTNER_HEAD,
    S_PARTNER_VERSION_PUT,
    S_PARTNER_SECRET_PUT,
    S_PARTNER_UPSERT,
    S_PARTNER_GET,
    S_PARTNER_SECRETS,
    S_PARTNER_LIST,
    S_SECRET_SCAN,
    S_SECRET_UPDATE,
    S_MESSAGE_PUT,
    S_FLOW_INSERT,
    S_FLOW_UPDATE,
    S_FLOW_EVENT_PUT,
    S_TIMER_PUT,
    S_TIMER_CLOSE,
    S_EXCEPTION_PUT,
    S_FLOW_STATE,
    S_EXCEPTION_STATE,
    S_COUNT_ADD,
    S_CURSOR_GET,
    S_CURSOR_PUT,
    S_DOCS_FROM,
    S_DOC_AT,
    S_DOC_LAST,
    S_JOURNAL_HEAD,
    S_FLOW_GET,
    S_FLOW_EVENTS,
    S_FLOW_LIST_STATE,
    S_FLOW_STATES,
    S_EXCEPTION_TYPES,
    S_TIMERS_DUE,
    S_EXCEPTION_GET,
    S_EXCEPTION_LIST,
    S_EXCEPTION_LIST_SUBJECT,
    S_EXCEPTION_LIST_OPEN,
    S_POLL_CURSOR_PUT,
    S_POLL_CURSOR_GET,
    S_COUNT
};

#define DOC_COLUMNS                                                                                \
    "d.id, d.type, d.correlation_id, j.partner, j.channel, j.format, d.trace_id, d.seq, "          \
    "j.received_at, d.body FROM documents d JOIN journal j ON j.seq = d.seq "
#define TOKEN_COLUMNS "id, name, role, partner, created_at, revoked_at FROM tokens "
/* The open states (pending, delivering, disabled: all but the two final ones), spelled exactly
 * as in the partial index outbox_queue: SQLite uses a partial index only for a query whose WHERE
 * contains its WHERE term. Two values, not the three open ones: every insert or update of a row
 * evaluates the index's WHERE, and SQLite tests a list of more than two constants through a
 * temporary b-tree it builds each time (schema 9). */
#define OUTBOX_OPEN "state NOT IN ('delivered', 'dead')"
/* Column order read by outbox_row(); the last column is the body (NULL in listings). */
#define OUTBOX_META                                                                                \
    "seq, id, partner, endpoint, content_type, idem_key, correlation_id, source, state, "          \
    "created_at, retry_from, attempts, next_attempt_at, last_attempt_at, last_status, "            \
    "last_error, last_response, delivered_at, dead_reason, rerouted_from, replays"
#define OUTBOX_ROW  "SELECT " OUTBOX_META ", body FROM outbox "
#define OUTBOX_LIST "SELECT " OUTBOX_META ", NULL FROM outbox "
/* A RETRY, replay or re-route makes a message pending, or disabled when its endpoint is. */
#define PENDING_OR_DISABLED(p, e)                                                                  \
    "CASE WHEN EXISTS (SELECT 1 FROM endpoints WHERE partner = " p " AND name = " e                \
    " AND disabled = 1) THEN 'disabled' ELSE 'pending' END"
#define OUTBOX_REF "RETURNING seq, id, partner, endpoint, correlation_id, state"
#define LIST_FILTERS                                                                               \
    "seq > ?2 AND (?3 IS NULL OR partner = ?3) AND (?4 IS NULL OR endpoint = ?4) AND "             \
    "(?5 IS NULL OR correlation_id = ?5) "
#define ENDPOINT_COLUMNS                                                                           \
    "partner, name, disabled, disabled_reason, disabled_at, breaker, breaker_since, down_since, "  \
    "updated_at FROM endpoints "

#define FLOW_COLUMNS                                                                               \
    "correlation_id, flow, state, version, key, partner, owner, next_step, sla, data, "            \
    "created_at, updated_at FROM flows "
#define EXCEPTION_COLUMNS                                                                          \
    "id, correlation_id, type, partner, owner, state, body, created_at, updated_at "               \
    "FROM exceptions "
/* The filters of an exception list (xd_store_exception_filter), ?9 the subject number aside. */
#define EXCEPTION_FILTERS                                                                          \
    "(?1 IS NULL OR type = ?1) AND (?2 IS NULL OR partner = ?2) AND "                              \
    "(?3 IS NULL OR owner = ?3) AND (?4 IS NULL OR state = ?4) AND "                               \
    "(?5 IS NULL OR correlation_id = ?5) AND (?6 = 0 OR created_at < ?6) AND "                     \
    "(?8 IS NULL OR subject_document = ?8) "

static const char *const sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_READ_BEGIN] = "BEGIN", /* deferred: the snapshot is taken by the first read */
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT op",
    [S_RELEASE] = "RELEASE op",
    [S_ROLLBACK_TO] = "ROLLBACK TO op",
    [S_DATA_VERSION] = "PRAGMA data_version",
    [S_USER_VERSION] = "PRAGMA user_version",
    [S_AUDIT_HEAD] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
    [S_AUDIT_PUT] = "INSERT INTO audit (seq, at, actor, action, object, before, after, "
                    "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_IDEM_GET] = "SELECT request_hash, http_status, body, created_at FROM idempotency "
                   "WHERE scope = ?1 AND key = ?2",
    [S_IDEM_PUT] = "INSERT INTO idempotency (scope, key, request_hash, http_status, body, "
                   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_KEY_THREAD] = "SELECT correlation_id FROM thread_keys WHERE name = ?1 AND value = ?2",
    [S_KEY_PUT] = "INSERT INTO thread_keys (name, value, correlation_id) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (name, value) DO NOTHING",
    [S_JOURNAL_PUT] = "INSERT INTO journal (id, received_at, partner, channel, format, "
                      "content_type, raw, idem_scope, idem_key, raw_prefix, raw_suffix) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [S_MESSAGE_PUT] = "INSERT INTO journal (id, received_at, partner, channel, format, "
                      "content_type, raw, idem_scope, idem_key, status, detail, file_name, "
                      "raw_prefix, raw_suffix) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [S_DOC_PUT] = "INSERT INTO documents (id, seq, type, correlation_id, trace_id, body) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_TOKEN_PUT] = "INSERT INTO tokens (id, name, role, partner, hash, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_TOKEN_REVOKE] = "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
    [S_TOKEN_EXISTS] = "SELECT 1 FROM tokens WHERE id = ?1",
    /* The WHERE keeps the counter an exact integer: past INT64_MAX SQLite would turn it into
     * a REAL and start handing out rounded, repeated numbers. */
    [S_COUNTER_TAKE] = "INSERT INTO counters (partner, kind, next) VALUES (?1, ?2, 1 + ?3) "
                       "ON CONFLICT (partner, kind) DO UPDATE SET next = next + ?3 "
                       "WHERE next <= 9223372036854775807 - ?3 RETURNING next",
    [S_DOC_GET] = "SELECT " DOC_COLUMNS "WHERE d.id = ?1",
    [S_DOC_RAW] = "SELECT j.id, j.partner, j.content_type, j.raw, j.raw_prefix, j.raw_suffix, "
                  "d.body FROM documents d JOIN journal j ON j.seq = d.seq WHERE d.id = ?1",
    [S_THREAD_DOCS] = "SELECT " DOC_COLUMNS "WHERE d.correlation_id = ?1 "
                      "ORDER BY d.seq, d.docno LIMIT ?2",
    [S_THREAD_EXISTS] = "SELECT 1 FROM documents WHERE correlation_id = ?1 LIMIT 1",
    [S_TOKEN_FIND] = "SELECT " TOKEN_COLUMNS "WHERE hash = ?1 AND revoked_at IS NULL",
    [S_TOKEN_LIST] = "SELECT " TOKEN_COLUMNS "ORDER BY created_at, id",
    [S_AUDIT_SCAN] = "SELECT seq, at, actor, action, object, before, after, prev_hash, hash "
                     "FROM audit WHERE seq >= ?1 ORDER BY seq",
    [S_AUDIT_SCAN_ACTION] = "SELECT seq, at, actor, action, object, before, after, prev_hash, "
                            "hash FROM audit WHERE seq >= ?1 AND seq <= ?2 AND action = ?3 "
                            "ORDER BY seq",
    [S_AUDIT_FIND_HASH] = "SELECT seq FROM audit WHERE hash = ?1 ORDER BY seq LIMIT 1",
    [S_OUTBOX_PUT] = "INSERT INTO outbox (id, partner, endpoint, content_type, body, idem_key, "
                     "correlation_id, source, created_at, state, next_attempt_at, retry_from) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?9)",
    [S_ENDPOINT_DISABLED] = "SELECT disabled FROM endpoints WHERE partner = ?1 AND name = ?2",
    [S_OUTBOX_CLAIM] = "UPDATE outbox SET state = 'delivering', attempts = attempts + 1, "
                       "last_attempt_at = ?2 WHERE seq = ?1 AND state IN ('pending', 'delivering')",
    /* A delivery's result: the row, then an UPDATE without RETURNING (which makes SQLite build
     * a temporary table for every statement; 10 us of the writer's time per delivery). */
    [S_OUTBOX_DELIVERING] = "SELECT seq, id, partner, endpoint, correlation_id, 'delivered' "
                            "FROM outbox WHERE seq = ?1 AND state = 'delivering'",
    [S_OUTBOX_DELIVERED] = "UPDATE outbox SET state = 'delivered', delivered_at = ?2, "
                           "last_status = ?3, last_error = NULL, last_response = ?5 "
                           "WHERE seq = ?1",
    [S_OUTBOX_RETRY] = "UPDATE outbox SET state = " PENDING_OR_DISABLED(
        "outbox.partner",
        "outbox.endpoint") ", next_attempt_at = ?2, last_status = ?3, last_error = ?4, "
                           "last_response = ?5 WHERE seq = ?1 AND state = 'delivering' " OUTBOX_REF,
    [S_OUTBOX_DEAD] = "UPDATE outbox SET state = 'dead', dead_reason = ?6, last_status = ?3, "
                      "last_error = ?4, last_response = ?5, next_attempt_at = ?2 "
                      "WHERE seq = ?1 AND state = 'delivering' " OUTBOX_REF,
    [S_OUTBOX_REPLAY_ID] = "UPDATE outbox SET state = " PENDING_OR_DISABLED(
        "outbox.partner",
        "outbox.endpoint") ", attempts = 0, next_attempt_at = ?2, retry_from = ?2, "
                           "dead_reason = NULL, replays = replays + 1 "
                           "WHERE id = ?1 AND state = 'dead' " OUTBOX_REF,
    [S_OUTBOX_REPLAY_SEL] = "UPDATE outbox SET state = " PENDING_OR_DISABLED(
        "outbox.partner",
        "outbox.endpoint") ", attempts = 0, next_attempt_at = ?2, retry_from = ?2, "
                           "dead_reason = NULL, replays = replays + 1 WHERE seq IN "
                           "(SELECT seq FROM outbox WHERE state = 'dead' AND "
                           "(?1 IS NULL OR partner = ?1) ORDER BY seq LIMIT ?3) " OUTBOX_REF,
    /* The open-state term is redundant with state = 'pending' but lets the partial index
     * serve the lookup. */
    [S_OUTBOX_REROUTE] = "UPDATE outbox SET partner = ?3, endpoint = ?4, rerouted_from = ?5, "
                         "state = " PENDING_OR_DISABLED(
                             "?3", "?4") " WHERE partner = ?1 AND endpoint = ?2 AND " OUTBOX_OPEN
                                         " AND state = 'pending' AND attempts = 0 " OUTBOX_REF,
    [S_OUTBOX_MOVE] =
        "UPDATE outbox SET state = ?4, next_attempt_at = CASE WHEN ?4 = 'pending' "
        "THEN ?5 ELSE next_attempt_at END WHERE partner = ?1 AND endpoint = ?2 AND " OUTBOX_OPEN
        " AND state = ?3",
    [S_ENDPOINT_ROW] = "SELECT " ENDPOINT_COLUMNS "WHERE partner = ?1 AND name = ?2",
    [S_ENDPOINT_PUT] = "INSERT INTO endpoints (partner, name, disabled, disabled_reason, "
                       "disabled_at, breaker, breaker_since, down_since, updated_at) VALUES "
                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (partner, name) DO "
                       "UPDATE SET disabled = excluded.disabled, disabled_reason = "
                       "excluded.disabled_reason, disabled_at = excluded.disabled_at, breaker = "
                       "excluded.breaker, breaker_since = excluded.breaker_since, down_since = "
                       "excluded.down_since, updated_at = excluded.updated_at",
    [S_ENDPOINT_LIST] = "SELECT " ENDPOINT_COLUMNS "ORDER BY partner, name",
    [S_OUTBOX_GET_ID] = OUTBOX_ROW "WHERE id = ?1",
    [S_OUTBOX_GET_SEQ] = OUTBOX_ROW "WHERE seq = ?1",
    /* One statement, one read snapshot for a whole turn of attempts: ?1 is a JSON array. */
    [S_OUTBOX_GET_SEQS] = OUTBOX_ROW "WHERE seq IN (SELECT value FROM json_each(?1)) ORDER BY seq",
    [S_OUTBOX_QUEUE] = OUTBOX_LIST "WHERE partner = ?1 AND endpoint = ?2 AND " OUTBOX_OPEN
                                   " AND seq > ?3 ORDER BY seq LIMIT ?4",
    [S_OUTBOX_LIST_STATE] =
        OUTBOX_LIST "WHERE state = ?1 AND " LIST_FILTERS "ORDER BY seq LIMIT ?6",
    [S_OUTBOX_LIST_THREAD] = OUTBOX_LIST "WHERE correlation_id = ?5 AND (?1 IS NULL OR state = "
                                         "?1) AND " LIST_FILTERS "ORDER BY seq LIMIT ?6",
    [S_OUTBOX_LIST_ALL] =
        OUTBOX_LIST "WHERE (?1 IS NULL OR state = ?1) AND " LIST_FILTERS "ORDER BY seq LIMIT ?6",
    [S_OUTBOX_DEPTHS] = "SELECT partner, endpoint, state, count(*) FROM outbox WHERE state IN "
                        "('pending', 'delivering', 'disabled', 'dead') "
                        "GROUP BY partner, endpoint, state ORDER BY partner, endpoint, state",
    [S_OUTBOX_QUEUES] =
        "SELECT DISTINCT partner, endpoint, 'pending', 0 FROM outbox WHERE " OUTBOX_OPEN
        " ORDER BY partner, endpoint",
    [S_PARTNER_HEAD] = "SELECT version, content_hash FROM partners WHERE id = ?1",
    [S_PARTNER_VERSION_PUT] = "INSERT INTO partner_versions (id, version, name, role, body, "
                              "content_hash, created_at, actor) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_PARTNER_SECRET_PUT] = "INSERT INTO partner_secrets (id, version, name, sealed) "
                             "VALUES (?1, ?2, ?3, ?4)",
    [S_PARTNER_UPSERT] = "INSERT INTO partners (id, version, name, role, content_hash, "
                         "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE "
                         "SET version = excluded.version, name = excluded.name, "
                         "role = excluded.role, content_hash = excluded.content_hash, "
                         "updated_at = excluded.updated_at",
    /* Version ?2, or the current one when ?2 is 0. */
    [S_PARTNER_GET] = "SELECT id, name, role, actor, body, version, created_at, content_hash "
                      "FROM partner_versions WHERE id = ?1 AND version = CASE WHEN ?2 > 0 "
                      "THEN ?2 ELSE (SELECT version FROM partners WHERE id = ?1) END",
    [S_PARTNER_SECRETS] = "SELECT name, sealed FROM partner_secrets WHERE id = ?1 AND "
                          "version = ?2 ORDER BY name",
    [S_PARTNER_LIST] = "SELECT id, name, role, version, updated_at FROM partners ORDER BY id",
    [S_SECRET_SCAN] = "SELECT id, version, name, sealed FROM partner_secrets "
                      "ORDER BY id, version, name",
    [S_SECRET_UPDATE] = "UPDATE partner_secrets SET sealed = ?4 WHERE id = ?1 AND version = ?2 "
                        "AND name = ?3",
    [S_FLOW_INSERT] = "INSERT INTO flows (correlation_id, flow, state, version, key, partner, "
                      "owner, next_step, sla, data, created_at, updated_at) "
                      "VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    /* The version guard: no row changes when another step moved the thread in between. */
    [S_FLOW_UPDATE] = "UPDATE flows SET state = ?3, version = version + 1, key = ?4, "
                      "partner = ?5, owner = ?6, next_step = ?7, sla = ?8, data = ?9, "
                      "updated_at = ?10 WHERE correlation_id = ?1 AND version = ?2",
    [S_FLOW_EVENT_PUT] = "INSERT INTO flow_events (correlation_id, at, event, from_state, "
                         "to_state, document_id, partner, channel, detail) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_TIMER_PUT] = "INSERT INTO timers (id, correlation_id, kind, due_at, payload) "
                    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET "
                    "correlation_id = excluded.correlation_id, kind = excluded.kind, "
                    "due_at = excluded.due_at, payload = excluded.payload",
    [S_TIMER_CLOSE] = "DELETE FROM timers WHERE id = ?1",
    [S_EXCEPTION_PUT] = "INSERT INTO exceptions (id, correlation_id, type, partner, owner, "
                        "state, body, created_at, updated_at, subject_document, subject_number) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                        "ON CONFLICT (id) DO UPDATE SET "
                        "owner = excluded.owner, state = excluded.state, body = excluded.body, "
                        "updated_at = excluded.updated_at, "
                        "subject_document = excluded.subject_document, "
                        "subject_number = excluded.subject_number",
    /* What a row counted as before it changes (the counts, sq_flow_apply). */
    [S_FLOW_STATE] = "SELECT state FROM flows WHERE correlation_id = ?1 AND version = ?2",
    [S_EXCEPTION_STATE] = "SELECT state, type FROM exceptions WHERE id = ?1",
    [S_COUNT_ADD] = "INSERT INTO counts (kind, a, b, n) VALUES (?1, ?2, ?3, ?4) "
                    "ON CONFLICT (kind, a, b) DO UPDATE SET n = n + ?4",
    [S_CURSOR_GET] = "SELECT position FROM cursors WHERE name = ?1",
    [S_CURSOR_PUT] = "INSERT INTO cursors (name, position, updated_at) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
                     "updated_at = excluded.updated_at",
    [S_DOCS_FROM] = "SELECT " DOC_COLUMNS "WHERE d.docno >= ?1 ORDER BY d.docno LIMIT ?2",
    [S_DOC_AT] = "SELECT seq FROM documents WHERE docno >= ?1 ORDER BY docno LIMIT 1",
    [S_DOC_LAST] = "SELECT docno, seq FROM documents ORDER BY docno DESC LIMIT 1",
    [S_JOURNAL_HEAD] = "SELECT coalesce(max(seq), 0) FROM journal",
    [S_FLOW_GET] = "SELECT " FLOW_COLUMNS "WHERE correlation_id = ?1",
    [S_FLOW_EVENTS] = "SELECT seq, correlation_id, at, event, from_state, to_state, "
                      "document_id, partner, channel, detail FROM flow_events "
                      "WHERE correlation_id = ?1 ORDER BY seq",
    /* A state's list walks the index (state, updated_at) backwards. The list of all threads is
     * the lists of each state (the states the counts know) merged, instead of a sort of every
     * thread (no index on updated_at alone: it would cost a page at every step). */
    [S_FLOW_LIST_STATE] = "SELECT " FLOW_COLUMNS "WHERE state = ?1 "
                          "ORDER BY updated_at DESC, correlation_id LIMIT ?2",
    /* The counters sq_flow_apply keeps (schema 8, 10), not a count of every row at each look. */
    [S_FLOW_STATES] = "SELECT a, n FROM counts WHERE kind = 'flows' AND n > 0 ORDER BY a",
    [S_EXCEPTION_TYPES] = "SELECT b, n FROM counts WHERE kind = 'exceptions' AND a = 'open' "
                          "AND n > 0 ORDER BY b",
    [S_TIMERS_DUE] = "SELECT id, correlation_id, kind, payload, due_at FROM timers "
                     "WHERE due_at <= ?1 ORDER BY due_at, id LIMIT ?2",
    [S_EXCEPTION_GET] = "SELECT " EXCEPTION_COLUMNS "WHERE id = ?1",
    [S_EXCEPTION_LIST] = "SELECT " EXCEPTION_COLUMNS "WHERE " EXCEPTION_FILTERS
                         "AND ?9 IS NULL ORDER BY created_at DESC, id LIMIT ?7",
    /* About one document number: through the index on subject_number, not a scan. */
    [S_EXCEPTION_LIST_SUBJECT] =
        "SELECT " EXCEPTION_COLUMNS "WHERE subject_number = ?9 AND " EXCEPTION_FILTERS
        "ORDER BY created_at DESC, id LIMIT ?7",
    /* The open ones, the work queue: through the partial index of open exceptions, not a walk
     * over every exception ever raised (the literal 'open' is what lets SQLite use it). */
    [S_EXCEPTION_LIST_OPEN] =
        "SELECT " EXCEPTION_COLUMNS "WHERE state = 'open' AND " EXCEPTION_FILTERS "AND ?9 IS NULL "
        "ORDER BY created_at DESC, id LIMIT ?7",
    [S_POLL_CURSOR_PUT] = "INSERT INTO poll_cursors (name, value, updated_at) VALUES (?1, ?2, ?3) "
                          "ON CONFLICT (name) DO UPDATE SET value = ?2, updated_at = ?3",
    [S_POLL_CURSOR_GET] = "SELECT value FROM poll_cursors WHERE name = ?1",
};

/* The counts of threads by state and of exceptions by state and type, from the rows (schema 8;
 * again in 10). */
#define COUNT_ALL                                                                                  \
    "INSERT INTO counts (kind, a, b, n)"                                                           \
    "  SELECT 'flows', state, '', count(*) FROM flows GROUP BY state;"                             \
    "INSERT INTO counts (kind, a, b, n)"                                                           \
    "  SELECT 'exceptions', state, type, count(*) FROM exceptions GROUP BY state, type;"

/* The schema, one entry per version; user_version names the last one applied. Never edit an
 * entry that has shipped (COUNT_ALL is the text it always had): add the next one. */
static const struct {
    int version;
    const char *sql;
} migrations[] = {
    {1, "CREATE TABLE journal ("
        "  seq INTEGER PRIMARY KEY,"
        "  id TEXT NOT NULL,"
        "  received_at INTEGER NOT NULL,"
        "  partner TEXT NOT NULL,"
        "  channel TEXT NOT NULL,"
        "  format TEXT NOT NULL,"
        "  content_type TEXT NOT NULL,"
        "  raw BLOB,"
        "  idem_scope TEXT,"
        "  idem_key TEXT);"
        "CREATE TABLE threads ("
        "  correlation_id TEXT PRIMARY KEY,"
        "  created_at INTEGER NOT NULL,"
        "  first_doc TEXT NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE thread_keys ("
        "  name TEXT NOT NULL,"
        "  value TEXT NOT NULL,"
        "  correlation_id TEXT NOT NULL,"
        "  PRIMARY KEY (name, value)) WITHOUT ROWID;"
        "CREATE TABLE documents ("
        "  docno INTEGER PRIMARY KEY,"
        "  id TEXT NOT NULL UNIQUE,"
        "  seq INTEGER NOT NULL,"
        "  type TEXT NOT NULL,"
        "  correlation_id TEXT NOT NULL,"
        "  trace_id TEXT,"
        "  body TEXT NOT NULL);"
        "CREATE INDEX documents_thread ON documents (correlation_id, seq);"
        "CREATE TABLE idempotency ("
        "  scope TEXT NOT NULL,"
        "  key TEXT NOT NULL,"
        "  request_hash BLOB NOT NULL,"
        "  http_status INTEGER NOT NULL,"
        "  body BLOB NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  PRIMARY KEY (scope, key)) WITHOUT ROWID;"
        "CREATE TABLE tokens ("
        "  id TEXT PRIMARY KEY,"
        "  name TEXT NOT NULL,"
        "  role TEXT NOT NULL,"
        "  partner TEXT,"
        "  hash BLOB NOT NULL UNIQUE,"
        "  created_at INTEGER NOT NULL,"
        "  revoked_at INTEGER);"
        "CREATE TABLE audit ("
        "  seq INTEGER PRIMARY KEY,"
        "  at INTEGER NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  action TEXT NOT NULL,"
        "  object TEXT NOT NULL,"
        "  before TEXT,"
        "  after TEXT,"
        "  prev_hash TEXT NOT NULL,"
        "  hash TEXT NOT NULL);"
        "CREATE TABLE counters ("
        "  partner TEXT NOT NULL,"
        "  kind TEXT NOT NULL,"
        "  next INTEGER NOT NULL,"
        "  PRIMARY KEY (partner, kind)) WITHOUT ROWID;"},
    /* The transactional outbox and the durable state of delivery endpoints (src/deliver). */
    {2, "CREATE TABLE outbox ("
        "  seq INTEGER PRIMARY KEY,"
        "  id TEXT NOT NULL UNIQUE,"
        "  partner TEXT NOT NULL,"
        "  endpoint TEXT NOT NULL,"
        "  content_type TEXT NOT NULL,"
        "  body BLOB NOT NULL,"
        "  idem_key TEXT NOT NULL,"
        "  correlation_id TEXT,"
        "  source TEXT NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  state TEXT NOT NULL,"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  next_attempt_at INTEGER NOT NULL,"
        "  retry_from INTEGER NOT NULL,"
        "  last_attempt_at INTEGER,"
        "  last_status INTEGER,"
        "  last_error TEXT,"
        "  last_response BLOB,"
        "  delivered_at INTEGER,"
        "  dead_reason TEXT,"
        "  rerouted_from TEXT,"
        "  replays INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX outbox_queue ON outbox (partner, endpoint, seq)"
        "  WHERE state IN ('pending', 'delivering', 'disabled');"
        "CREATE INDEX outbox_state ON outbox (state, seq);"
        "CREATE INDEX outbox_thread ON outbox (correlation_id) WHERE correlation_id IS NOT NULL;"
        "CREATE TABLE endpoints ("
        "  partner TEXT NOT NULL,"
        "  name TEXT NOT NULL,"
        "  disabled INTEGER NOT NULL DEFAULT 0,"
        "  disabled_reason TEXT,"
        "  disabled_at INTEGER,"
        "  breaker TEXT NOT NULL DEFAULT 'closed',"
        "  breaker_since INTEGER NOT NULL DEFAULT 0,"
        "  down_since INTEGER NOT NULL DEFAULT 0,"
        "  updated_at INTEGER NOT NULL,"
        "  PRIMARY KEY (partner, name)) WITHOUT ROWID;"},
    /* Partner profiles: the current version of each, every version's body (no secret values)
     * and every version's sealed credentials. */
    {3, "CREATE TABLE partners ("
        "  id TEXT PRIMARY KEY,"
        "  version INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  role TEXT NOT NULL,"
        "  content_hash BLOB NOT NULL,"
        "  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE partner_versions ("
        "  id TEXT NOT NULL,"
        "  version INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  role TEXT NOT NULL,"
        "  body TEXT NOT NULL,"
        "  content_hash BLOB NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  PRIMARY KEY (id, version));"
        "CREATE TABLE partner_secrets ("
        "  id TEXT NOT NULL,"
        "  version INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  sealed BLOB NOT NULL,"
        "  PRIMARY KEY (id, version, name)) WITHOUT ROWID;"},
    /* Inbound partner messages: the outcome of each (documents posted to /v1/documents keep
     * NULL: accepted) and the file it came in. */
    {4, "ALTER TABLE journal ADD COLUMN status TEXT;"
        "ALTER TABLE journal ADD COLUMN detail TEXT;"
        "ALTER TABLE journal ADD COLUMN file_name TEXT;"},
    /* Workflows (src/flow): each thread's state machine, its timeline, durable timers,
     * exceptions for people, and the positions of journal consumers. */
    {5, "CREATE TABLE flows ("
        "  correlation_id TEXT PRIMARY KEY,"
        "  flow TEXT NOT NULL,"
        "  state TEXT NOT NULL,"
        "  version INTEGER NOT NULL,"
        "  key TEXT,"
        "  partner TEXT,"
        "  owner TEXT,"
        "  next_step TEXT,"
        "  sla TEXT NOT NULL,"
        "  data TEXT NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
        "CREATE INDEX flows_state ON flows (state, updated_at);"
        "CREATE TABLE flow_events ("
        "  seq INTEGER PRIMARY KEY,"
        "  correlation_id TEXT NOT NULL,"
        "  at INTEGER NOT NULL,"
        "  event TEXT NOT NULL,"
        "  from_state TEXT,"
        "  to_state TEXT NOT NULL,"
        "  document_id TEXT,"
        "  partner TEXT,"
        "  channel TEXT,"
        "  detail TEXT);"
        "CREATE INDEX flow_events_thread ON flow_events (correlation_id, seq);"
        "CREATE TABLE timers ("
        "  id TEXT PRIMARY KEY,"
        "  correlation_id TEXT NOT NULL,"
        "  kind TEXT NOT NULL,"
        "  due_at INTEGER NOT NULL,"
        "  payload TEXT) WITHOUT ROWID;"
        "CREATE INDEX timers_due ON timers (due_at);"
        "CREATE TABLE exceptions ("
        "  id TEXT PRIMARY KEY,"
        "  correlation_id TEXT NOT NULL,"
        "  type TEXT NOT NULL,"
        "  partner TEXT,"
        "  owner TEXT NOT NULL,"
        "  state TEXT NOT NULL,"
        "  body TEXT NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
        "CREATE INDEX exceptions_created ON exceptions (created_at);"
        "CREATE INDEX exceptions_thread ON exceptions (correlation_id);"
        "CREATE INDEX documents_seq ON documents (seq);"
        "CREATE TABLE cursors ("
        "  name TEXT PRIMARY KEY,"
        "  position INTEGER NOT NULL,"
        "  updated_at INTEGER NOT NULL) WITHOUT ROWID;"},
    /* Cursors of pollers (the ERP connector's "purchases changed since", an opaque text),
     * advanced in the same transaction as the messages they fetched. */
    {6, "CREATE TABLE poll_cursors ("
        "  name TEXT PRIMARY KEY,"
        "  value TEXT NOT NULL,"
        "  updated_at INTEGER NOT NULL) WITHOUT ROWID;"},
    /* Large rows out of WITHOUT ROWID tables, whose b-trees keep each row whole among the
     * keys, spill rows over ~1 KB to overflow pages and rewrite that chain at every update
     * (SQLite's advice: WITHOUT ROWID for small rows only). Idempotency records (the answer
     * body, ~700 bytes, inserted where the caller's key sorts) and flows (the working data,
     * ~3 KB, rewritten at every step) cost 7 of the ~30 pages a p2p commit wrote
     * (docs/performance.md). Now both are rowid tables found through small unique indexes. */
    {7, "CREATE TABLE idempotency_records ("
        "  id INTEGER PRIMARY KEY,"
        "  scope TEXT NOT NULL,"
        "  key TEXT NOT NULL,"
        "  request_hash BLOB NOT NULL,"
        "  http_status INTEGER NOT NULL,"
        "  body BLOB NOT NULL,"
        "  created_at INTEGER NOT NULL);"
        "INSERT INTO idempotency_records (scope, key, request_hash, http_status, body, created_at)"
        "  SELECT scope, key, request_hash, http_status, body, created_at FROM idempotency"
        "  ORDER BY created_at;"
        "DROP TABLE idempotency;"
        "ALTER TABLE idempotency_records RENAME TO idempotency;"
        "CREATE UNIQUE INDEX idempotency_key ON idempotency (scope, key);"
        "CREATE TABLE flow_rows ("
        "  id INTEGER PRIMARY KEY,"
        "  correlation_id TEXT NOT NULL,"
        "  flow TEXT NOT NULL,"
        "  state TEXT NOT NULL,"
        "  version INTEGER NOT NULL,"
        "  key TEXT,"
        "  partner TEXT,"
        "  owner TEXT,"
        "  next_step TEXT,"
        "  sla TEXT NOT NULL,"
        "  data TEXT NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  updated_at INTEGER NOT NULL);"
        "INSERT INTO flow_rows (correlation_id, flow, state, version, key, partner, owner,"
        "  next_step, sla, data, created_at, updated_at)"
        "  SELECT correlation_id, flow, state, version, key, partner, owner, next_step, sla, data,"
        "  created_at, updated_at FROM flows ORDER BY created_at;"
        "DROP TABLE flows;"
        "ALTER TABLE flow_rows RENAME TO flows;"
        "CREATE UNIQUE INDEX flows_thread ON flows (correlation_id);"
        "CREATE INDEX flows_state ON flows (state, updated_at);"},
    /* Version 8: what an exception is about (its body's subject) in columns of their own, so
     * that listing the exceptions about one document number is an index lookup; the index
     * holds only exceptions that have a subject; another holds the open ones (the work queue
     * people list), which would otherwise be found by walking every exception ever raised.
     * And the counts the control tower shows (threads by state, open exceptions by type), kept
     * by triggers in the transactions that change them instead of counted over every row at
     * each look: counts (kind, a, b, n) with ('flows', state, '') and ('exceptions', state,
     * type). */
    {8, "ALTER TABLE exceptions ADD COLUMN subject_document TEXT;"
        "ALTER TABLE exceptions ADD COLUMN subject_number TEXT;"
        "UPDATE exceptions SET subject_document = json_extract(body, '$.subject.document'),"
        "  subject_number = json_extract(body, '$.subject.number')"
        "  WHERE json_type(body, '$.subject') = 'object';"
        "CREATE INDEX exceptions_subject ON exceptions (subject_number)"
        "  WHERE subject_number IS NOT NULL;"
        "CREATE INDEX exceptions_open ON exceptions (created_at) WHERE state = 'open';"
        "CREATE TABLE counts ("
        "  kind TEXT NOT NULL,"
        "  a TEXT NOT NULL,"
        "  b TEXT NOT NULL,"
        "  n INTEGER NOT NULL,"
        "  PRIMARY KEY (kind, a, b)) WITHOUT ROWID;" COUNT_ALL
        "CREATE TRIGGER flows_count_insert AFTER INSERT ON flows BEGIN"
        "  INSERT INTO counts (kind, a, b, n) VALUES ('flows', NEW.state, '', 1)"
        "  ON CONFLICT (kind, a, b) DO UPDATE SET n = n + 1; END;"
        "CREATE TRIGGER flows_count_update AFTER UPDATE OF state ON flows"
        "  WHEN OLD.state IS NOT NEW.state BEGIN"
        "  UPDATE counts SET n = n - 1 WHERE kind = 'flows' AND a = OLD.state AND b = '';"
        "  INSERT INTO counts (kind, a, b, n) VALUES ('flows', NEW.state, '', 1)"
        "  ON CONFLICT (kind, a, b) DO UPDATE SET n = n + 1; END;"
        "CREATE TRIGGER flows_count_delete AFTER DELETE ON flows BEGIN"
        "  UPDATE counts SET n = n - 1 WHERE kind = 'flows' AND a = OLD.state AND b = ''; END;"
        "CREATE TRIGGER exceptions_count_insert AFTER INSERT ON exceptions BEGIN"
        "  INSERT INTO counts (kind, a, b, n) VALUES ('exceptions', NEW.state, NEW.type, 1)"
        "  ON CONFLICT (kind, a, b) DO UPDATE SET n = n + 1; END;"
        "CREATE TRIGGER exceptions_count_update AFTER UPDATE OF state, type ON exceptions"
        "  WHEN OLD.state IS NOT NEW.state OR OLD.type IS NOT NEW.type BEGIN"
        "  UPDATE counts SET n = n - 1"
        "    WHERE kind = 'exceptions' AND a = OLD.state AND b = OLD.type;"
        "  INSERT INTO counts (kind, a, b, n) VALUES ('exceptions', NEW.state, NEW.type, 1)"
        "  ON CONFLICT (kind, a, b) DO UPDATE SET n = n + 1; END;"
        "CREATE TRIGGER exceptions_count_delete AFTER DELETE ON exceptions BEGIN"
        "  UPDATE counts SET n = n - 1"
        "    WHERE kind = 'exceptions' AND a = OLD.state AND b = OLD.type; END;"},
    /* The same open outbox rows, tested without a temporary b-tree (OUTBOX_OPEN). */
    {9, "DROP INDEX outbox_queue;"
        "CREATE INDEX outbox_queue ON outbox (partner, endpoint, seq) WHERE " OUTBOX_OPEN ";"},
    /* The counts without triggers: each fired a sub-program for every row a step wrote (about
     * a tenth of ingest's throughput, docs/performance.md). The writer, the only one to write
     * flows and exceptions (sq_flow_apply), now sums a step's changes and writes each count
     * once. Counted afresh here. */
    {10, "DROP TRIGGER flows_count_insert;"
         "DROP TRIGGER flows_count_update;"
         "DROP TRIGGER flows_count_delete;"
         "DROP TRIGGER exceptions_count_insert;"
         "DROP TRIGGER exceptions_count_update;"
         "DROP TRIGGER exceptions_count_delete;"
         "DELETE FROM counts;" COUNT_ALL},
    /* A document's raw bytes as what they have in common with its canonical body, the longest
     * prefix and suffix, and the bytes between (sq_journal_put): NULL for a message stored
     * whole. Rows before this keep their raw bytes whole. */
    {11, "ALTER TABLE journal ADD COLUMN raw_prefix INTEGER;"
         "ALTER TABLE journal ADD COLUMN raw_suffix INTEGER;"},
    /* A thread is its documents (documents_thread finds them): the table that named each
     * thread once more cost every new order a b-tree of its own, three pages of each ingest
     * commit, and nothing read it but the existence checks that documents answer as well. */
    {12, "DROP TABLE threads;"},
    /* The feed of documents after a seq finds where they begin by docno (docno_after): the
     * index on seq cost every document an entry, two pages of each ingest commit. */
    {13, "DROP INDEX documents_seq;"},
};

#define SCHEMA_LATEST (migrations[XD_ARRAY_LEN(migrations) - 1].version)

struct xd_store__conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
    int64_t data_version;
    bool have_version;
    int wal_frames;             /* WAL size after the last commit, from the WAL hook */
    int checkpoint_frames;      /* CHECKPOINT_BYTES in this database's pages */
    int restart_frames;         /* RESTART_BYTES in this database's pages */
    int pass_from;              /* WAL size when the last pass was asked for */
    struct xd_store__db *owner; /* the writer's: its checkpointer */
    uint64_t passes_seen;       /* checkpointer passes the writer has looked at */
};

/* ------------------------------------------------------------------------------------------ */
/* Errors */

static enum xd_status rc_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOMEM:
        return XD_ENOMEM;
    case SQLITE_CONSTRAINT:
        return XD_ECONFLICT;
    case SQLITE_TOOBIG:
        return XD_ETOOBIG;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
    case SQLITE_PERM:
        return XD_EUNAVAIL;
    default:
        return XD_EIO;
    }
}

/* What an operator should read for the I/O failures SQLite reports with one generic text. */
static const char *io_detail(int rc)
{
    static const struct {
        int rc;
        const char *text;
    } details[] = {
        {SQLITE_IOERR_FSYNC, "fsync failed"},
        {SQLITE_IOERR_DIR_FSYNC, "directory fsync failed"},
        {SQLITE_IOERR_WRITE, "write failed"},
        {SQLITE_IOERR_READ, "read failed"},
        {SQLITE_IOERR_SHORT_READ, "short read"},
        {SQLITE_IOERR_TRUNCATE, "truncate failed"},
        {SQLITE_IOERR_SHMMAP, "shared memory failed"},
        {SQLITE_FULL, "disk full"},
        {SQLITE_READONLY, "read-only"},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(details); i++) {
        if (details[i].rc == rc) {
            return details[i].text;
        }
    }
    return NULL;
}

static enum xd_status db_fail(sqlite3 *db, int rc, const char *what, struct xd_error *err)
{
    const char *msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const char *detail = io_detail(rc);
    if (detail != NULL) {
        return xd_error_set(err, rc_status(rc), "%s: %s, %s (sqlite code %d)", what, msg, detail,
                            rc);
    }
    return xd_error_set(err, rc_status(rc), "%s: %s (sqlite code %d)", what, msg, rc);
}

/* ------------------------------------------------------------------------------------------ */
/* Statements: bind a list of arguments, step, reset. */

enum arg_kind { ARG_TEXT, ARG_BLOB, ARG_INT };

struct arg {
    enum arg_kind kind;
    const void *p; /* ARG_TEXT: NULL binds SQL NULL */
    size_t len;
    int64_t i;
};

static struct arg text(const char *s)
{
    return (struct arg){.kind = ARG_TEXT, .p = s, .len = s != NULL ? strlen(s) : 0};
}

static struct arg textn(const char *s, size_t n)
{
    return (struct arg){.kind = ARG_TEXT, .p = s, .len = n};
}

static struct arg blob(const void *p, size_t n)
{
    return (struct arg){.kind = ARG_BLOB, .p = p != NULL ? p : "", .len = n};
}

static struct arg i64(int64_t v)
{
    return (struct arg){.kind = ARG_INT, .i = v};
}

/* 0 (none) binds SQL NULL. */
static struct arg i64_or_null(int64_t v)
{
    return v == 0 ? text(NULL) : i64(v);
}

static struct arg blob_or_null(const void *p, size_t n)
{
    return p == NULL ? text(NULL) : blob(p, n);
}

static int bind_args(sqlite3_stmt *st, const struct arg *a, size_t n)
{
    int rc = SQLITE_OK;
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
        int idx = (int)i + 1;
        switch (a[i].kind) {
        case ARG_TEXT:
            rc = a[i].p == NULL
                     ? sqlite3_bind_null(st, idx)
                     : sqlite3_bind_text64(st, idx, a[i].p, a[i].len, SQLITE_STATIC, SQLITE_UTF8);
            break;
        case ARG_BLOB:
            rc = sqlite3_bind_blob64(st, idx, a[i].p, a[i].len, SQLITE_STATIC);
            break;
        case ARG_INT:
            rc = sqlite3_bind_int64(st, idx, a[i].i);
            break;
        }
    }
    return rc;
}

static enum xd_status prepare(struct xd_store__conn *c, enum stmt_id id, sqlite3_stmt **out,
                              struct xd_error *err)
{
    if (c->stmt[id] == NULL) {
        int rc =
            sqlite3_prepare_v3(c->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[id], NULL);
        if (rc != SQLITE_OK) {
            return db_fail(c->db, rc, sql[id], err);
        }
    }
    *out = c->stmt[id];
    return XD_OK;
}

/* Bind and take the first step. XD_OK: a row is there (*out positioned on it; finish with
 * sqlite3_reset). XD_ENOTFOUND: no row (already reset). Anything else: failed (reset). */
static enum xd_status query(struct xd_store__conn *c, enum stmt_id id, const struct arg *a,
                            size_t n, sqlite3_stmt **out, struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = prepare(c, id, &st, err);
    if (s != XD_OK) {
        return s;
    }
    int rc = bind_args(st, a, n);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW) {
        *out = st;
        return XD_OK;
    }
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return XD_ENOTFOUND;
    }
    s = db_fail(c->db, rc, sql[id], err);
    sqlite3_reset(st);
    return s;
}

/* The first column of the first row of statement <id> into *out, <none> when there is no row. */
static enum xd_status int_query(struct xd_store__conn *c, enum stmt_id id, const struct arg *args,
                                size_t n, int64_t none, int64_t *out, struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, id, args, n, &st, err);
    *out = none;
    if (s == XD_OK) {
        *out = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return s == XD_ENOTFOUND ? XD_OK : s;
}

/* Run a statement that returns no row to completion. */
static enum xd_status exec(struct xd_store__conn *c, enum stmt_id id, const struct arg *a, size_t n,
                           struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, id, a, n, &st, err);
    if (s == XD_ENOTFOUND) {
        return XD_OK;
    }
    if (s == XD_OK) {
        sqlite3_reset(st);
        return xd_error_set(err, XD_EIO, "%s: unexpected row", sql[id]);
    }
    return s;
}

static enum xd_status pragma_int(sqlite3 *db, const char *pragma, int *value, struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, pragma, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
    }
    enum xd_status s = XD_OK;
    if (rc == SQLITE_ROW) {
        *value = sqlite3_column_int(st, 0);
    } else if (rc == SQLITE_DONE) {
        s = xd_error_set(err, XD_EIO, "%s returned nothing", pragma);
    } else {
        s = db_fail(db, rc, pragma, err);
    }
    sqlite3_finalize(st);
    return s;
}

static enum xd_status exec_pragma(sqlite3 *db, const char *pragma, const char *expect,
                                  struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, pragma, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
    }
    while (rc == SQLITE_ROW) {
        const char *got = (const char *)sqlite3_column_text(st, 0);
        if (expect != NULL && (got == NULL || strcmp(got, expect) != 0)) {
            sqlite3_finalize(st);
            return xd_error_set(err, XD_EUNAVAIL, "%s: got %s, need %s", pragma,
                                got != NULL ? got : "nothing", expect);
        }
        rc = sqlite3_step(st);
    }
    enum xd_status s = rc == SQLITE_DONE ? XD_OK : db_fail(db, rc, pragma, err);
    sqlite3_finalize(st);
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Opening */

static void sqlite_configure(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static enum xd_status sq_db_open(const struct xd_store_options *o, struct xd_store__db **out,
                                 struct xd_error *err)
{
    struct xd_error mk = {0};
    if (xd_mkdirs(o->data_dir, 0700, &mk) != XD_OK) {
        return xd_error_set(err, XD_EUNAVAIL, "data directory: %s", mk.message);
    }
    /* Before SQLite initializes: its per-allocation statistics take a global mutex that the
     * writer would pay for on every row. Refused (harmlessly) if SQLite is already running. */
    static pthread_once_t config_once = PTHREAD_ONCE_INIT;
    pthread_once(&config_once, sqlite_configure);
    struct xd_store__db *d = xd_calloc(1, sizeof *d);
    struct xd_buf path;
    xd_buf_init(&path, 4096);
    if (d == NULL || xd_buf_printf(&path, "%s/%s", o->data_dir, DB_FILE) != XD_OK) {
        xd_free(d);
        xd_buf_cleanup(&path);
        return xd_error_set(err, XD_ENOMEM, "store: out of memory");
    }
    d->path = path.data;
    d->durable = o->durable;
    pthread_mutex_init(&d->ck.mu, NULL);
    pthread_cond_init(&d->ck.cv, NULL);
    const char *faults = getenv("CROSSDOCK_TEST_FAULTS");
    if (faults != NULL && strcmp(faults, "1") == 0) {
        d->vfs = xd_store__faultvfs_register();
        if (d->vfs == NULL) {
            xd_free(d->path);
            xd_free(d);
            return xd_error_set(err, XD_EIO, "cannot register the fault-injection VFS");
        }
        XD_LOG_WARN("store", NULL, "CROSSDOCK_TEST_FAULTS=1: storage fault injection is active");
    }
    if (d->durable) {
        /* Every commit syncs the WAL: its writes can wait for the sync (store_vfs.c). */
        const char *wal = xd_store__walvfs_register(d->vfs);
        if (wal == NULL) {
            xd_free(d->path);
            xd_free(d);
            return xd_error_set(err, XD_EIO, "cannot register the write-ahead log writer VFS");
        }
        d->vfs = wal;
    }
    *out = d;
    return XD_OK;
}

static void sq_conn_close(struct xd_store__conn *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < S_COUNT; i++) {
        sqlite3_finalize(c->stmt[i]);
    }
    int rc = sqlite3_close(c->db);
    if (rc != SQLITE_OK) {
        XD_LOG_ERROR("store", NULL, "closing a database connection: %s", sqlite3_errstr(rc));
    }
    xd_free(c);
}

static void checkpointer_stop(struct xd_store__db *d);

static void sq_db_close(struct xd_store__db *d)
{
    if (d == NULL) {
        return;
    }
    checkpointer_stop(d);
    pthread_mutex_destroy(&d->ck.mu);
    pthread_cond_destroy(&d->ck.cv);
    if (d->anchor != NULL && sqlite3_close(d->anchor) != SQLITE_OK) {
        XD_LOG_ERROR("store", NULL, "closing the anchor connection failed");
    }
    xd_free(d->path);
    xd_free(d);
}

static enum xd_status open_handle(const char *path, const char *vfs, int flags, sqlite3 **out,
                                  struct xd_error *err)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, flags | SQLITE_OPEN_NOMUTEX, vfs);
    if (rc != SQLITE_OK) {
        enum xd_status st = xd_error_set(err, XD_EUNAVAIL, "cannot open %s: %s", path,
                                         h != NULL ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return st;
    }
    sqlite3_extended_result_codes(h, 1);
    sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
    *out = h;
    return XD_OK;
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    struct xd_store__conn *c = arg;
    c->wal_frames = frames;
    return SQLITE_OK;
}

static enum xd_status conn_new(const char *path, const char *vfs, int flags,
                               struct xd_store__conn **out, struct xd_error *err)
{
    struct xd_store__conn *c = xd_calloc(1, sizeof *c);
    if (c == NULL) {
        return xd_error_set(err, XD_ENOMEM, "store: out of memory");
    }
    enum xd_status st = open_handle(path, vfs, flags, &c->db, err);
    if (st != XD_OK) {
        xd_free(c);
        return st;
    }
    *out = c;
    return XD_OK;
}

static enum xd_status open_anchor(struct xd_store__db *d, struct xd_error *err)
{
    enum xd_status st = open_handle(d->path, d->vfs, SQLITE_OPEN_READONLY, &d->anchor, err);
    if (st != XD_OK) {
        return st;
    }
    /* A connection attaches to the WAL index on its first read, not at open. */
    st = exec_pragma(d->anchor, "PRAGMA schema_version", NULL, err);
    if (st != XD_OK) {
        sqlite3_close(d->anchor);
        d->anchor = NULL;
    }
    return st;
}

/* ---- the background checkpointer ---------------------------------------------------------- */

static enum xd_status checkpointer_connect(struct xd_store__db *d, sqlite3 **out,
                                           struct xd_error *err)
{
    enum xd_status st = open_handle(d->path, d->vfs, SQLITE_OPEN_READWRITE, out, err);
    if (st == XD_OK) {
        /* The same durability as the writer's: FULL syncs the WAL, then the database file. */
        st = exec_pragma(*out, d->durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF",
                         NULL, err);
        if (st != XD_OK) {
            sqlite3_close(*out);
            *out = NULL;
        }
    }
    return st;
}

static void *checkpointer_main(void *arg)
{
    pthread_setname_np(pthread_self(), "xd-checkpoint"); /* shown by top -H, perf, gdb */
    struct xd_store__db *d = arg;
    struct checkpointer *k = &d->ck;
    sqlite3 *h = NULL;
    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (!k->stop && !k->requested) {
            pthread_cond_wait(&k->cv, &k->mu);
        }
        if (k->stop) {
            break;
        }
        k->requested = false;
        k->busy = true;
        pthread_mutex_unlock(&k->mu);

        struct xd_error err = {0};
        enum xd_status st = h == NULL ? checkpointer_connect(d, &h, &err) : XD_OK;
        bool done = false;
        if (st == XD_OK) {
            int rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
            done = rc == SQLITE_OK;
            if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
                st = db_fail(h, rc, "WAL checkpoint", &err);
            }
        }
        if (st != XD_OK && h != NULL) {
            sqlite3_close(h); /* never sync again through a handle whose sync failed */
            h = NULL;
        }

        pthread_mutex_lock(&k->mu);
        k->busy = false;
        k->passes += done;
        if (st != XD_OK) {
            k->failed = st;
            snprintf(k->why, sizeof k->why, "%s", err.message);
        }
        pthread_cond_broadcast(&k->cv);
    }
    pthread_mutex_unlock(&k->mu);
    if (h != NULL) {
        sqlite3_close(h);
    }
    return NULL;
}

/* Ask for a pass; false when no thread can run one (the caller checkpoints itself). Under mu. */
static bool checkpointer_request(struct xd_store__db *d)
{
    struct checkpointer *k = &d->ck;
    if (!k->started) {
        if (k->stop || pthread_create(&k->thread, NULL, checkpointer_main, d) != 0) {
            return false;
        }
        k->started = true;
    }
    k->requested = true;
    pthread_cond_signal(&k->cv);
    return true;
}

/* Wait for a pass under way, then end the thread. */
static void checkpointer_stop(struct xd_store__db *d)
{
    struct checkpointer *k = &d->ck;
    pthread_mutex_lock(&k->mu);
    k->stop = true;
    bool started = k->started;
    k->started = false;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
    if (started) {
        pthread_join(k->thread, NULL);
    }
}

static enum xd_status sq_writer_open(struct xd_store__db *d, struct xd_store__conn **out,
                                     struct xd_error *err)
{
    struct xd_store__conn *c = NULL;
    enum xd_status st =
        conn_new(d->path, d->vfs, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &c, err);
    if (st != XD_OK) {
        return st;
    }
    /* SQLite quietly falls back to read-only when it may not write the file (read-only file
     * system, permissions); a writer that cannot write must say so now, not at its first
     * commit. */
    if (sqlite3_db_readonly(c->db, "main") == 1) {
        sq_conn_close(c);
        return xd_error_set(err, XD_EUNAVAIL,
                            "cannot open %s for writing (read-only file system or permissions)",
                            d->path);
    }
    /* synchronous=FULL makes every commit fsync the WAL before COMMIT returns: that fsync is
     * what the group commit shares among the batch. wal_autocheckpoint=0 because the writer
     * checkpoints between batches itself (maintain), after the batch was acknowledged. */
    const char *pragmas[][2] = {
        {"PRAGMA page_size=" PAGE_SIZE, NULL}, /* before WAL mode, which writes the header */
        {"PRAGMA journal_mode=WAL", "wal"},
        {d->durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF", NULL},
        {"PRAGMA wal_autocheckpoint=0", NULL},
        {"PRAGMA journal_size_limit=" WAL_SIZE_LIMIT, NULL},
        {"PRAGMA cache_size=-" WRITER_CACHE_KIB, NULL},
        {"PRAGMA temp_store=MEMORY", NULL},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(pragmas) && st == XD_OK; i++) {
        st = exec_pragma(c->db, pragmas[i][0], pragmas[i][1], err);
    }
    int page_size = 0;
    if (st == XD_OK) {
        st = pragma_int(c->db, "PRAGMA page_size", &page_size, err);
    }
    if (st == XD_OK) {
        c->checkpoint_frames = CHECKPOINT_BYTES / (page_size > 0 ? page_size : 4096);
        c->restart_frames = RESTART_BYTES / (page_size > 0 ? page_size : 4096);
    }
    if (st == XD_OK && d->anchor == NULL) {
        st = open_anchor(d, err);
    }
    if (st != XD_OK) {
        sq_conn_close(c);
        return st;
    }
    sqlite3_wal_hook(c->db, wal_hook, c);
    c->owner = d;
    *out = c;
    return XD_OK;
}

static enum xd_status sq_reader_open(struct xd_store__db *d, struct xd_store__conn **out,
                                     struct xd_error *err)
{
    return conn_new(d->path, d->vfs, SQLITE_OPEN_READONLY, out, err);
}

static enum xd_status user_version(struct xd_store__conn *c, int *out, struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_USER_VERSION, NULL, 0, &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, XD_EIO, "PRAGMA user_version returned nothing");
    }
    if (s == XD_OK) {
        *out = sqlite3_column_int(st, 0);
        sqlite3_reset(st);
    }
    return s;
}

static enum xd_status sq_verify_open(const char *data_dir, struct xd_store__conn **out,
                                     struct xd_error *err)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", data_dir, DB_FILE);
    if (n < 0 || (size_t)n >= sizeof path) {
        return xd_error_set(err, XD_EINVAL, "data directory path too long");
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return xd_error_set(err, XD_ENOTFOUND, "no database at %s", path);
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = conn_new(path, NULL, SQLITE_OPEN_READONLY, &c, err);
    int v = 0;
    if (st == XD_OK) {
        st = user_version(c, &v, err);
    }
    if (st == XD_OK && (v < 1 || v > SCHEMA_LATEST)) {
        st = xd_error_set(err, XD_ECORRUPT, "%s: schema version %d, this binary reads 1 to %d",
                          path, v, SCHEMA_LATEST);
    }
    if (st != XD_OK) {
        sq_conn_close(c);
        return st;
    }
    *out = c;
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Transactions */

static enum xd_status sq_begin(struct xd_store__conn *c, bool *others_wrote, struct xd_error *err)
{
    enum xd_status st = exec(c, S_BEGIN, NULL, 0, err);
    if (st != XD_OK) {
        return st;
    }
    /* data_version changes when another connection (another process: this one has a single
     * writer) committed; then what the writer cached, the audit head, is stale. */
    sqlite3_stmt *s = NULL;
    st = query(c, S_DATA_VERSION, NULL, 0, &s, err);
    if (st == XD_ENOTFOUND) {
        return xd_error_set(err, XD_EIO, "PRAGMA data_version returned nothing");
    }
    if (st != XD_OK) {
        return st;
    }
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    *others_wrote = c->have_version && v != c->data_version;
    c->data_version = v;
    c->have_version = true;
    return XD_OK;
}

static enum xd_status sq_commit(struct xd_store__conn *c, struct xd_error *err)
{
    return exec(c, S_COMMIT, NULL, 0, err);
}

static enum xd_status sq_read_begin(struct xd_store__conn *c, struct xd_error *err)
{
    return exec(c, S_READ_BEGIN, NULL, 0, err);
}

static enum xd_status sq_read_end(struct xd_store__conn *c, struct xd_error *err)
{
    /* A failed read may have ended the transaction already. */
    return sqlite3_get_autocommit(c->db) ? XD_OK : exec(c, S_COMMIT, NULL, 0, err);
}

static void sq_rollback(struct xd_store__conn *c)
{
    if (!sqlite3_get_autocommit(c->db)) {
        struct xd_error ignored = {0};
        (void)exec(c, S_ROLLBACK, NULL, 0, &ignored);
    }
}

static enum xd_status sq_savepoint(struct xd_store__conn *c, struct xd_error *err)
{
    return exec(c, S_SAVEPOINT, NULL, 0, err);
}

static enum xd_status sq_release(struct xd_store__conn *c, struct xd_error *err)
{
    return exec(c, S_RELEASE, NULL, 0, err);
}

static enum xd_status sq_rollback_to(struct xd_store__conn *c, struct xd_error *err)
{
    return exec(c, S_ROLLBACK_TO, NULL, 0, err);
}

static uint64_t sq_changes(struct xd_store__conn *c)
{
    return (uint64_t)sqlite3_total_changes64(c->db);
}

static bool sq_in_transaction(struct xd_store__conn *c)
{
    return !sqlite3_get_autocommit(c->db);
}

static enum xd_status sq_migrate(struct xd_store__conn *c, int *from, int *to, struct xd_error *err)
{
    int v = 0;
    enum xd_status st = user_version(c, &v, err);
    if (st != XD_OK) {
        return st;
    }
    if (v > SCHEMA_LATEST) {
        return xd_error_set(err, XD_ECORRUPT,
                            "database schema version %d is newer than this binary (%d)", v,
                            SCHEMA_LATEST);
    }
    /* The tables migrations drop hold rows that live on elsewhere (copied into their new
     * table, or kept by the documents): with secure_delete on, as Debian builds SQLite, each
     * of their pages would be zeroed through the WAL, a table's size in one transaction; FAST
     * frees them without. The connection's own setting comes back afterwards. */
    int secure = 0;
    if (v < SCHEMA_LATEST) {
        st = pragma_int(c->db, "PRAGMA secure_delete", &secure, err);
        st = st == XD_OK ? exec_pragma(c->db, "PRAGMA secure_delete=FAST", NULL, err) : st;
    }
    for (size_t i = 0; st == XD_OK && i < XD_ARRAY_LEN(migrations); i++) {
        if (migrations[i].version <= v) {
            continue;
        }
        char *msg = NULL;
        int rc = sqlite3_exec(c->db, migrations[i].sql, NULL, NULL, &msg);
        if (rc == SQLITE_OK) {
            char pragma[48];
            snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", migrations[i].version);
            rc = sqlite3_exec(c->db, pragma, NULL, NULL, &msg);
        }
        if (rc != SQLITE_OK) {
            st = xd_error_set(err, rc_status(rc), "schema migration to version %d: %s",
                              migrations[i].version, msg != NULL ? msg : sqlite3_errstr(rc));
        }
        sqlite3_free(msg);
    }
    if (v < SCHEMA_LATEST) {
        char pragma[40]; /* the pragma reads 0, 1 or 2, and takes 2 as FAST only by name */
        snprintf(pragma, sizeof pragma, "PRAGMA secure_delete=%s",
                 secure == 2   ? "FAST"
                 : secure != 0 ? "ON"
                               : "OFF");
        struct xd_error ignored = {0};
        enum xd_status back = exec_pragma(c->db, pragma, NULL, st == XD_OK ? err : &ignored);
        st = st == XD_OK ? back : st;
    }
    if (st != XD_OK) {
        return st;
    }
    *from = v;
    *to = SCHEMA_LATEST > v ? SCHEMA_LATEST : v;
    return XD_OK;
}

/* Between batches, after the acknowledgements. The WAL can start over only when a checkpoint
 * has copied all of it while no transaction added to it, and the writer adds to it almost all
 * the time under load. So the checkpointer thread copies the bulk, a pass every
 * CHECKPOINT_BYTES, while the writer goes on; past RESTART_BYTES the writer copies the little it
 * appended during the last pass itself, between two of its batches, before its next transaction
 * starts the WAL over. A background failure is the writer's storage failure. */
static enum xd_status sq_maintain(struct xd_store__conn *c, bool final, struct xd_error *err)
{
    struct checkpointer *k = &c->owner->ck;
    if (final) {
        checkpointer_stop(c->owner);
    } else {
        pthread_mutex_lock(&k->mu);
        if (k->failed != XD_OK) {
            enum xd_status st = xd_error_set(err, k->failed, "background %s", k->why);
            k->failed = XD_OK;
            pthread_mutex_unlock(&k->mu);
            return st;
        }
        bool here = false;
        if (!k->busy && !k->requested) {
            bool pass_ended = k->passes > c->passes_seen;
            c->passes_seen = k->passes;
            if (c->wal_frames < c->pass_from) {
                c->pass_from = 0; /* the WAL started over */
            }
            bool restart = c->wal_frames >= c->restart_frames;
            if (restart && pass_ended) {
                here = true; /* the tail of the pass that just ended */
            } else if (restart || c->wal_frames - c->pass_from >= c->checkpoint_frames) {
                c->pass_from = c->wal_frames;
                here = !checkpointer_request(c->owner); /* no thread: copy it all here */
            }
        }
        pthread_mutex_unlock(&k->mu);
        if (!here) {
            return XD_OK;
        }
    }
    /* Closing: copy everything and empty the WAL, so the next open has nothing to recover. */
    int mode = final ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE;
    int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, mode, NULL, NULL);
    if (rc == SQLITE_BUSY) {
        return XD_OK; /* readers still on old frames: the next batch tries again */
    }
    return rc == SQLITE_OK ? XD_OK : db_fail(c->db, rc, "WAL checkpoint", err);
}

/* ------------------------------------------------------------------------------------------ */
/* Rows written by the writer */

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? (const char *)src : "");
}

static enum xd_status sq_audit_head(struct xd_store__conn *c, int64_t *seq,
                                    char hash[XD_SHA256_HEX_LEN + 1], struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_AUDIT_HEAD, NULL, 0, &st, err);
    if (s != XD_OK) {
        return s;
    }
    *seq = sqlite3_column_int64(st, 0);
    copy_text(hash, XD_SHA256_HEX_LEN + 1, sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    return XD_OK;
}

static enum xd_status sq_audit_put(struct xd_store__conn *c, const struct xd_audit_record *r,
                                   struct xd_error *err)
{
    const struct arg a[] = {
        i64(r->seq),     i64(r->at_ms),  text(r->actor),     text(r->action), text(r->object),
        text(r->before), text(r->after), text(r->prev_hash), text(r->hash),
    };
    return exec(c, S_AUDIT_PUT, a, XD_ARRAY_LEN(a), err);
}

static enum xd_status idem_row(sqlite3_stmt *st, uint8_t hash[XD_SHA256_LEN], int *http_status,
                               struct xd_error *err)
{
    if (sqlite3_column_bytes(st, 0) != XD_SHA256_LEN) {
        return xd_error_set(err, XD_ECORRUPT, "idempotency record with a malformed hash");
    }
    memcpy(hash, sqlite3_column_blob(st, 0), XD_SHA256_LEN);
    *http_status = sqlite3_column_int(st, 1);
    return XD_OK;
}

static enum xd_status sq_idem_get(struct xd_store__conn *c, const char *scope, const char *key,
                                  uint8_t hash[XD_SHA256_LEN], int *http_status, char **body,
                                  size_t *body_len, struct xd_error *err)
{
    const struct arg a[] = {text(scope), text(key)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_IDEM_GET, a, XD_ARRAY_LEN(a), &st, err);
    if (s != XD_OK) {
        return s;
    }
    s = idem_row(st, hash, http_status, err);
    if (s == XD_OK) {
        const void *p = sqlite3_column_blob(st, 2);
        size_t n = (size_t)sqlite3_column_bytes(st, 2);
        char *copy = xd_strndup(p != NULL ? p : "", n);
        if (copy == NULL) {
            s = xd_error_set(err, XD_ENOMEM, "idempotency record: out of memory");
        } else {
            *body = copy;
            *body_len = n;
        }
    }
    sqlite3_reset(st);
    return s;
}

static enum xd_status sq_idem_put(struct xd_store__conn *c, const char *scope, const char *key,
                                  const uint8_t hash[XD_SHA256_LEN], int http_status,
                                  const struct xd_buf *body, int64_t at_ms, struct xd_error *err)
{
    const struct arg a[] = {
        text(scope),
        text(key),
        blob(hash, XD_SHA256_LEN),
        i64(http_status),
        blob(body->data, body->len),
        i64(at_ms),
    };
    return exec(c, S_IDEM_PUT, a, XD_ARRAY_LEN(a), err);
}

static enum xd_status sq_key_thread(struct xd_store__conn *c, const char *name, const char *value,
                                    char *out, struct xd_error *err)
{
    const struct arg a[] = {text(name), text(value)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_KEY_THREAD, a, XD_ARRAY_LEN(a), &st, err);
    if (s != XD_OK) {
        return s;
    }
    if (sqlite3_column_bytes(st, 0) > XD_CORRELATION_ID_MAX) {
        s = xd_error_set(err, XD_ECORRUPT, "stored correlation id too long");
    } else {
        copy_text(out, XD_CORRELATION_ID_MAX + 1, sqlite3_column_text(st, 0));
    }
    sqlite3_reset(st);
    return s;
}

static enum xd_status sq_thread_known(struct xd_store__conn *c, const char *correlation_id,
                                      bool *known, struct xd_error *err)
{
    const struct arg args[] = {text(correlation_id)};
    int64_t one = 0;
    enum xd_status s = int_query(c, S_THREAD_EXISTS, args, 1, 0, &one, err);
    *known = one != 0;
    return s;
}

static enum xd_status sq_key_put(struct xd_store__conn *c, const char *name, const char *value,
                                 const char *correlation_id, struct xd_error *err)
{
    const struct arg a[] = {text(name), text(value), text(correlation_id)};
    return exec(c, S_KEY_PUT, a, XD_ARRAY_LEN(a), err);
}

/* How many of the first <n> bytes of <a> and <b> agree, compared a block at a time (memcmp
 * compares words; a byte loop over a 2 KB document was 4 % of the writer's time in ingest). */
static size_t common_prefix(const char *a, const char *b, size_t n)
{
    enum { BLOCK = 64 };
    size_t p = 0;
    while (n - p >= BLOCK && memcmp(a + p, b + p, BLOCK) == 0) {
        p += BLOCK;
    }
    while (p < n && a[p] == b[p]) {
        p++;
    }
    return p;
}

/* How many of the last <n> bytes before <a_end> and <b_end> agree. */
static size_t common_suffix(const char *a_end, const char *b_end, size_t n)
{
    enum { BLOCK = 64 };
    size_t s = 0;
    while (n - s >= BLOCK && memcmp(a_end - s - BLOCK, b_end - s - BLOCK, BLOCK) == 0) {
        s += BLOCK;
    }
    while (s < n && a_end[-1 - (ptrdiff_t)s] == b_end[-1 - (ptrdiff_t)s]) {
        s++;
    }
    return s;
}

/* The journal's raw, raw_prefix and raw_suffix for <raw> (NULL: the body itself) beside the
 * canonical <body> of the one document it carried (NULL: none, or several). Raw bytes that are
 * the body byte for byte are journaled once, as NULL. Most raw JSON is the body but for the
 * members the hub fills in (the document's id, source.message_id and source.received_at): the
 * bytes between the longest common prefix and suffix are then a few hundred of the document's
 * kilobytes, kept with the two lengths, and the rest is rebuilt from the body (raw_rebuild).
 * Raw bytes that share less with the body (X12, CSV, JSON laid out otherwise) are kept whole. */
static void raw_columns(const char *raw, size_t raw_len, const char *body, size_t body_len,
                        struct arg out[3])
{
    out[0] = blob(raw, raw_len);
    out[1] = out[2] = text(NULL);
    if (raw == NULL || (body != NULL && raw_len == body_len && memcmp(raw, body, raw_len) == 0)) {
        out[0] = text(NULL);
        return;
    }
    if (body == NULL) {
        return;
    }
    size_t most = raw_len < body_len ? raw_len : body_len;
    size_t p = common_prefix(raw, body, most);
    size_t s = common_suffix(raw + raw_len, body + body_len, most - p);
    if (raw_len - p - s <= raw_len / 2) {
        out[0] = blob(raw + p, raw_len - p - s);
        out[1] = i64((int64_t)p);
        out[2] = i64((int64_t)s);
    }
}

static enum xd_status sq_journal_put(struct xd_store__conn *c, const struct xd_store_ingest *in,
                                     int64_t *seq, struct xd_error *err)
{
    struct arg raw[3];
    raw_columns(in->raw, in->raw_len, in->body, in->body_len, raw);
    const struct arg a[] = {
        text(in->id),
        i64(in->received_at_ms),
        text(in->partner),
        text(in->channel),
        text(in->format),
        text(in->content_type),
        raw[0],
        text(in->idem_key != NULL ? in->idem_scope : NULL),
        text(in->idem_key),
        raw[1],
        raw[2],
    };
    enum xd_status s = exec(c, S_JOURNAL_PUT, a, XD_ARRAY_LEN(a), err);
    if (s == XD_OK) {
        *seq = sqlite3_last_insert_rowid(c->db);
    }
    return s;
}

static enum xd_status sq_message_put(struct xd_store__conn *c, const struct xd_store_message *m,
                                     int64_t *seq, struct xd_error *err)
{
    /* A message of one document (an ERP's JSON order) is journaled like an ingest. */
    struct arg raw[3];
    const struct xd_store_ingest *only = m->n_docs == 1 ? &m->docs[0] : NULL;
    raw_columns(m->raw, m->raw_len, only != NULL ? only->body : NULL,
                only != NULL ? only->body_len : 0, raw);
    const struct arg a[] = {
        text(m->id),
        i64(m->received_at_ms),
        text(m->partner),
        text(m->channel),
        text(m->format),
        text(m->content_type),
        raw[0],
        text(m->idem_key != NULL ? m->idem_scope : NULL),
        text(m->idem_key),
        text(m->status),
        text(m->detail),
        text(m->file_name),
        raw[1],
        raw[2],
    };
    enum xd_status s = exec(c, S_MESSAGE_PUT, a, XD_ARRAY_LEN(a), err);
    if (s == XD_OK) {
        *seq = sqlite3_last_insert_rowid(c->db);
    }
    return s;
}

static enum xd_status sq_doc_put(struct xd_store__conn *c, const struct xd_store_ingest *in,
                                 int64_t seq, const char *correlation_id, struct xd_error *err)
{
    const struct arg a[] = {
        text(in->id),         i64(seq),           text(in->doc_type),
        text(correlation_id), text(in->trace_id), textn(in->body, in->body_len),
    };
    return exec(c, S_DOC_PUT, a, XD_ARRAY_LEN(a), err);
}

static enum xd_status sq_token_put(struct xd_store__conn *c, const struct xd_store_token_create *t,
                                   int64_t at_ms, struct xd_error *err)
{
    const struct arg a[] = {
        text(t->id),
        text(t->name),
        text(t->role),
        text(t->partner),
        blob(t->token_hash, XD_SHA256_LEN),
        i64(at_ms),
    };
    return exec(c, S_TOKEN_PUT, a, XD_ARRAY_LEN(a), err);
}

static enum xd_status sq_token_revoke(struct xd_store__conn *c, const char *id, int64_t at_ms,
                                      bool *was_active, struct xd_error *err)
{
    const struct arg a[] = {text(id), i64(at_ms)};
    enum xd_status s = exec(c, S_TOKEN_REVOKE, a, XD_ARRAY_LEN(a), err);
    if (s != XD_OK) {
        return s;
    }
    if (sqlite3_changes(c->db) > 0) {
        *was_active = true;
        return XD_OK;
    }
    sqlite3_stmt *st = NULL;
    s = query(c, S_TOKEN_EXISTS, a, 1, &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, XD_ENOTFOUND, "no token %s", id);
    }
    if (s == XD_OK) {
        sqlite3_reset(st);
        *was_active = false;
    }
    return s;
}

static enum xd_status sq_counter_take(struct xd_store__conn *c, const char *partner,
                                      const char *kind, int64_t count, int64_t *first,
                                      struct xd_error *err)
{
    const struct arg a[] = {text(partner), text(kind), i64(count)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_COUNTER_TAKE, a, XD_ARRAY_LEN(a), &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, XD_ETOOBIG, "control numbers %s/%s exhausted", partner, kind);
    }
    if (s != XD_OK) {
        return s;
    }
    int64_t next = sqlite3_column_int64(st, 0);
    int rc = sqlite3_step(st); /* run the RETURNING statement to its end */
    s = rc == SQLITE_DONE ? XD_OK : db_fail(c->db, rc, "control numbers", err);
    sqlite3_reset(st);
    if (s == XD_OK) {
        *first = next - count;
    }
    return s;
}

static enum xd_status sq_poll_cursor_put(struct xd_store__conn *c, const char *name,
                                         const char *value, int64_t at_ms, struct xd_error *err)
{
    const struct arg a[] = {text(name), text(value), i64(at_ms)};
    return exec(c, S_POLL_CURSOR_PUT, a, XD_ARRAY_LEN(a), err);
}

/* ------------------------------------------------------------------------------------------ */
/* Reads */

static enum xd_status sq_poll_cursor_get(struct xd_store__conn *c, const char *name, char *out,
                                         size_t cap, struct xd_error *err)
{
    const struct arg a[] = {text(name)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_POLL_CURSOR_GET, a, XD_ARRAY_LEN(a), &st, err);
    if (s != XD_OK) {
        return s;
    }
    if ((size_t)sqlite3_column_bytes(st, 0) >= cap) {
        s = xd_error_set(err, XD_ECORRUPT, "stored cursor %s too long", name);
    } else {
        copy_text(out, cap, sqlite3_column_text(st, 0));
    }
    sqlite3_reset(st);
    return s;
}

/* Column <i> as a string in the arena; NULL stays NULL. */
static enum xd_status col_str(sqlite3_stmt *st, int i, struct xd_arena *a, const char **out)
{
    const unsigned char *p = sqlite3_column_text(st, i);
    if (p == NULL) {
        *out = NULL;
        return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ? XD_ENOMEM : XD_OK;
    }
    char *copy = xd_arena_strndup(a, (const char *)p, (size_t)sqlite3_column_bytes(st, i));
    if (copy == NULL) {
        return XD_ENOMEM;
    }
    *out = copy;
    return XD_OK;
}

static enum xd_status doc_row(sqlite3_stmt *st, struct xd_arena *a, struct xd_store_doc *d)
{
    const char **strs[] = {&d->id,      &d->doc_type, &d->correlation_id, &d->partner,
                           &d->channel, &d->format,   &d->trace_id};
    for (size_t i = 0; i < XD_ARRAY_LEN(strs); i++) {
        enum xd_status s = col_str(st, (int)i, a, strs[i]);
        if (s != XD_OK) {
            return s;
        }
    }
    d->seq = sqlite3_column_int64(st, 7);
    d->received_at_ms = sqlite3_column_int64(st, 8);
    d->body_len = (size_t)sqlite3_column_bytes(st, 9);
    return col_str(st, 9, a, &d->body);
}

/* Columns <first>.. as strings into <dst> in order. */
static enum xd_status col_strs(sqlite3_stmt *st, int first, struct xd_arena *a,
                               const char **const *dst, size_t n)
{
    enum xd_status s = XD_OK;
    for (size_t i = 0; s == XD_OK && i < n; i++) {
        s = col_str(st, first + (int)i, a, dst[i]);
    }
    return s;
}

static enum xd_status sq_doc_get(struct xd_store__conn *c, const char *id, struct xd_arena *a,
                                 struct xd_store_doc *out, struct xd_error *err)
{
    const struct arg args[] = {text(id)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_DOC_GET, args, 1, &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, s, "no document %s", id);
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_doc d = {0};
    s = doc_row(st, a, &d);
    sqlite3_reset(st);
    if (s != XD_OK) {
        return xd_error_set(err, s, "document %s: %s", id, xd_strerror(s));
    }
    *out = d;
    return XD_OK;
}

/* The raw bytes of the row <st> is on (S_DOC_RAW's columns), rebuilt as raw_columns stored
 * them, into the arena. */
static enum xd_status raw_rebuild(sqlite3_stmt *st, struct xd_arena *a, struct xd_store_raw *out,
                                  const char *id, struct xd_error *err)
{
    const char *raw = sqlite3_column_blob(st, 3);
    size_t raw_len = (size_t)sqlite3_column_bytes(st, 3);
    const char *body = (const char *)sqlite3_column_text(st, 6);
    size_t body_len = (size_t)sqlite3_column_bytes(st, 6);
    if (body == NULL || (raw == NULL && raw_len > 0)) {
        return xd_error_set(err, XD_ENOMEM, "document %s: reading its raw bytes", id);
    }
    size_t prefix = 0, suffix = body_len; /* NULL raw, no affixes: the body, byte for byte */
    if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
        int64_t p = sqlite3_column_int64(st, 4), s = sqlite3_column_int64(st, 5);
        if (p < 0 || s < 0 || (uint64_t)p > body_len || (uint64_t)s > body_len - (uint64_t)p) {
            return xd_error_set(err, XD_ECORRUPT,
                                "document %s: its journal entry keeps %" PRId64 " + %" PRId64
                                " bytes of a %zu-byte body",
                                id, p, s, body_len);
        }
        prefix = (size_t)p;
        suffix = (size_t)s;
    } else if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        suffix = 0; /* stored whole */
    }
    size_t len = prefix + raw_len + suffix;
    char *bytes = xd_arena_alloc(a, len + 1);
    if (bytes == NULL) {
        return xd_error_set(err, XD_ENOMEM, "document %s: %zu raw bytes", id, len);
    }
    memcpy(bytes, body, prefix);
    if (raw_len > 0) {
        memcpy(bytes + prefix, raw, raw_len);
    }
    memcpy(bytes + prefix + raw_len, body + body_len - suffix, suffix);
    bytes[len] = '\0';
    out->bytes = bytes;
    out->len = len;
    return XD_OK;
}

static enum xd_status sq_doc_raw(struct xd_store__conn *c, const char *id, struct xd_arena *a,
                                 struct xd_store_raw *out, struct xd_error *err)
{
    const struct arg args[] = {text(id)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_DOC_RAW, args, 1, &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, s, "no document %s", id);
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_raw r = {0};
    const char **cols[] = {&r.message_id, &r.partner, &r.content_type};
    s = col_strs(st, 0, a, cols, XD_ARRAY_LEN(cols));
    if (s != XD_OK) {
        s = xd_error_set(err, s, "document %s: %s", id, xd_strerror(s));
    } else {
        s = raw_rebuild(st, a, &r, id, err);
    }
    sqlite3_reset(st);
    if (s == XD_OK) {
        *out = r;
    }
    return s;
}

/* Step through the rows of <st> (positioned on the first) into an array in the arena. */
static enum xd_status collect_docs(struct xd_store__conn *c, sqlite3_stmt *st, struct xd_arena *a,
                                   struct xd_store_doc **out, size_t *n_out, struct xd_error *err)
{
    struct xd_store_doc *docs = NULL;
    size_t n = 0;
    size_t cap = 0;
    enum xd_status s = XD_OK;
    int rc = SQLITE_ROW;
    while (rc == SQLITE_ROW && s == XD_OK) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct xd_store_doc *g = xd_reallocarray(docs, ncap, sizeof *g);
            if (g == NULL) {
                s = XD_ENOMEM;
                break;
            }
            docs = g;
            cap = ncap;
        }
        memset(&docs[n], 0, sizeof docs[n]);
        s = doc_row(st, a, &docs[n]);
        n++;
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, "thread documents", err);
    } else if (s != XD_OK) {
        xd_error_set(err, s, "thread documents: %s", xd_strerror(s));
    }
    sqlite3_reset(st);
    struct xd_store_doc *arr = NULL;
    if (s == XD_OK) {
        arr = xd_arena_memdup(a, docs, n * sizeof *docs);
        if (arr == NULL) {
            s = xd_error_set(err, XD_ENOMEM, "thread documents: out of memory");
        }
    }
    xd_free(docs);
    if (s == XD_OK) {
        *out = arr;
        *n_out = n;
    }
    return s;
}

static enum xd_status sq_thread_docs(struct xd_store__conn *c, const char *correlation_id,
                                     size_t limit, struct xd_arena *a, struct xd_store_doc **out,
                                     size_t *n_out, struct xd_error *err)
{
    int64_t lim = limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit;
    const struct arg args[] = {text(correlation_id), i64(lim)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_THREAD_DOCS, args, XD_ARRAY_LEN(args), &st, err);
    if (s == XD_ENOTFOUND) {
        /* A thread is its documents: none, no thread. */
        return xd_error_set(err, s, "no transaction thread %s", correlation_id);
    }
    if (s != XD_OK) {
        return s;
    }
    return collect_docs(c, st, a, out, n_out, err);
}

static enum xd_status token_row(sqlite3_stmt *st, struct xd_arena *a, struct xd_store_token *t)
{
    const char **strs[] = {&t->id, &t->name, &t->role, &t->partner};
    for (size_t i = 0; i < XD_ARRAY_LEN(strs); i++) {
        enum xd_status s = col_str(st, (int)i, a, strs[i]);
        if (s != XD_OK) {
            return s;
        }
    }
    t->created_at_ms = sqlite3_column_int64(st, 4);
    t->revoked_at_ms = sqlite3_column_int64(st, 5);
    return XD_OK;
}

static enum xd_status sq_token_find(struct xd_store__conn *c, const uint8_t hash[XD_SHA256_LEN],
                                    struct xd_arena *a, struct xd_store_token *out,
                                    struct xd_error *err)
{
    const struct arg args[] = {blob(hash, XD_SHA256_LEN)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_TOKEN_FIND, args, 1, &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, s, "no such token");
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_token t = {0};
    s = token_row(st, a, &t);
    sqlite3_reset(st);
    if (s != XD_OK) {
        return xd_error_set(err, s, "token: %s", xd_strerror(s));
    }
    *out = t;
    return XD_OK;
}

static enum xd_status sq_token_list(struct xd_store__conn *c, struct xd_arena *a,
                                    struct xd_store_token **out, size_t *n_out,
                                    struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_TOKEN_LIST, NULL, 0, &st, err);
    if (s == XD_ENOTFOUND) {
        *out = NULL;
        *n_out = 0;
        return XD_OK;
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_token *toks = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = SQLITE_ROW;
    while (s == XD_OK && rc == SQLITE_ROW) {
        if (n == cap) {
            /* Arena arrays cannot grow in place: copy into a bigger one. Token lists are
             * short (people and partners, not messages). */
            size_t ncap = cap ? cap * 2 : 8;
            struct xd_store_token *g = xd_arena_calloc(a, ncap, sizeof *g);
            if (g == NULL) {
                s = XD_ENOMEM;
                break;
            }
            if (n > 0) {
                memcpy(g, toks, n * sizeof *g);
            }
            toks = g;
            cap = ncap;
        }
        s = token_row(st, a, &toks[n++]);
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, "token list", err);
    } else if (s != XD_OK) {
        xd_error_set(err, s, "token list: %s", xd_strerror(s));
    }
    sqlite3_reset(st);
    if (s == XD_OK) {
        *out = toks;
        *n_out = n;
    }
    return s;
}

static enum xd_status sq_idem_find(struct xd_store__conn *c, const char *scope, const char *key,
                                   struct xd_arena *a, struct xd_store_idem *out,
                                   struct xd_error *err)
{
    const struct arg args[] = {text(scope), text(key)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_IDEM_GET, args, XD_ARRAY_LEN(args), &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, s, "no idempotency record");
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_idem r = {0};
    s = idem_row(st, r.request_hash, &r.http_status, err);
    if (s == XD_OK) {
        const void *p = sqlite3_column_blob(st, 2);
        r.body_len = (size_t)sqlite3_column_bytes(st, 2);
        r.body = xd_arena_strndup(a, p != NULL ? p : "", r.body_len);
        if (r.body == NULL) {
            s = xd_error_set(err, XD_ENOMEM, "idempotency record: out of memory");
        }
    }
    sqlite3_reset(st);
    if (s == XD_OK) {
        *out = r;
    }
    return s;
}

static void audit_row(sqlite3_stmt *st, struct xd_audit_record *r)
{
    r->seq = sqlite3_column_int64(st, 0);
    r->at_ms = sqlite3_column_int64(st, 1);
    r->actor = (const char *)sqlite3_column_text(st, 2);
    r->action = (const char *)sqlite3_column_text(st, 3);
    r->object = (const char *)sqlite3_column_text(st, 4);
    r->before = (const char *)sqlite3_column_text(st, 5);
    r->after = (const char *)sqlite3_column_text(st, 6);
    copy_text(r->prev_hash, sizeof r->prev_hash, sqlite3_column_text(st, 7));
    copy_text(r->hash, sizeof r->hash, sqlite3_column_text(st, 8));
}

static enum xd_status audit_rows(struct xd_store__conn *c, enum stmt_id id, const struct arg *args,
                                 size_t n_args,
                                 enum xd_status (*fn)(void *arg, const struct xd_audit_record *r),
                                 void *arg, struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, id, args, n_args, &st, err);
    if (s == XD_ENOTFOUND) {
        return XD_OK;
    }
    int rc = SQLITE_ROW;
    while (s == XD_OK && rc == SQLITE_ROW) {
        struct xd_audit_record r;
        audit_row(st, &r);
        s = fn(arg, &r);
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, "audit scan", err);
    }
    if (st != NULL) {
        sqlite3_reset(st);
    }
    return s;
}

static enum xd_status sq_audit_scan(struct xd_store__conn *c, int64_t from_seq,
                                    enum xd_status (*fn)(void *arg,
                                                         const struct xd_audit_record *r),
                                    void *arg, struct xd_error *err)
{
    const struct arg args[] = {i64(from_seq)};
    return audit_rows(c, S_AUDIT_SCAN, args, XD_ARRAY_LEN(args), fn, arg, err);
}

static enum xd_status
sq_audit_scan_action(struct xd_store__conn *c, int64_t from_seq, int64_t to_seq, const char *action,
                     enum xd_status (*fn)(void *arg, const struct xd_audit_record *r), void *arg,
                     struct xd_error *err)
{
    const struct arg args[] = {i64(from_seq), i64(to_seq), text(action)};
    return audit_rows(c, S_AUDIT_SCAN_ACTION, args, XD_ARRAY_LEN(args), fn, arg, err);
}

static enum xd_status sq_audit_find_hash(struct xd_store__conn *c, const char *hash, int64_t *seq,
                                         struct xd_error *err)
{
    const struct arg args[] = {text(hash)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_AUDIT_FIND_HASH, args, 1, &st, err);
    if (s == XD_OK) {
        *seq = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* The outbox */

static enum xd_status sq_outbox_put(struct xd_store__conn *c, const struct xd_store_outbound *m,
                                    const char *correlation_id, enum xd_store_outbox_state state,
                                    int64_t at_ms, int64_t *seq, struct xd_error *err)
{
    const struct arg a[] = {
        text(m->id),
        text(m->partner),
        text(m->endpoint),
        text(m->content_type),
        blob(m->body, m->body_len),
        text(m->idem_key != NULL ? m->idem_key : m->id),
        text(correlation_id),
        text(m->source),
        i64(at_ms),
        text(xd_store_outbox_state_name(state)),
    };
    enum xd_status s = exec(c, S_OUTBOX_PUT, a, XD_ARRAY_LEN(a), err);
    if (s == XD_OK) {
        *seq = sqlite3_last_insert_rowid(c->db);
    }
    return s;
}

static enum xd_status sq_endpoint_disabled(struct xd_store__conn *c, const char *partner,
                                           const char *name, bool *disabled, struct xd_error *err)
{
    const struct arg a[] = {text(partner), text(name)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_ENDPOINT_DISABLED, a, XD_ARRAY_LEN(a), &st, err);
    if (s == XD_ENOTFOUND) {
        *disabled = false;
        return XD_OK;
    }
    if (s == XD_OK) {
        *disabled = sqlite3_column_int(st, 0) != 0;
        sqlite3_reset(st);
    }
    return s;
}

static enum xd_status sq_outbox_claim(struct xd_store__conn *c, int64_t seq, int64_t at_ms,
                                      bool *applied, struct xd_error *err)
{
    const struct arg a[] = {i64(seq), i64(at_ms)};
    enum xd_status s = exec(c, S_OUTBOX_CLAIM, a, XD_ARRAY_LEN(a), err);
    if (s == XD_OK) {
        *applied = sqlite3_changes(c->db) > 0;
    }
    return s;
}

static void ref_row(sqlite3_stmt *st, struct xd_store__outbox_ref *ref)
{
    ref->seq = sqlite3_column_int64(st, 0);
    copy_text(ref->id, sizeof ref->id, sqlite3_column_text(st, 1));
    copy_text(ref->partner, sizeof ref->partner, sqlite3_column_text(st, 2));
    copy_text(ref->endpoint, sizeof ref->endpoint, sqlite3_column_text(st, 3));
    copy_text(ref->correlation_id, sizeof ref->correlation_id, sqlite3_column_text(st, 4));
    enum xd_store_outbox_state state = XD_OUTBOX_PENDING;
    if (xd_store_outbox_state_parse((const char *)sqlite3_column_text(st, 5), &state) != XD_OK) {
        state = XD_OUTBOX_PENDING;
    }
    ref->state = state;
}

/* Step a statement that returns one outbox reference at most (an UPDATE ... RETURNING) to its
 * end; *found tells whether it returned a row (<ref>). */
static enum xd_status returning_one(struct xd_store__conn *c, enum stmt_id id, const struct arg *a,
                                    size_t n, struct xd_store__outbox_ref *ref, bool *found,
                                    struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, id, a, n, &st, err);
    *found = false;
    if (s == XD_ENOTFOUND) {
        return XD_OK;
    }
    if (s != XD_OK) {
        return s;
    }
    ref_row(st, ref);
    *found = true;
    int rc = sqlite3_step(st);
    s = rc == SQLITE_DONE ? XD_OK : db_fail(c->db, rc, sql[id], err);
    sqlite3_reset(st);
    return s;
}

static enum xd_status sq_outbox_settle(struct xd_store__conn *c,
                                       const struct xd_store_outbox_result *r,
                                       struct xd_store__outbox_ref *ref, bool *applied,
                                       struct xd_error *err)
{
    static const enum stmt_id by_outcome[] = {
        [XD_STORE_OUTBOX_DELIVERED] = S_OUTBOX_DELIVERED,
        [XD_STORE_OUTBOX_RETRY] = S_OUTBOX_RETRY,
        [XD_STORE_OUTBOX_DEAD] = S_OUTBOX_DEAD,
    };
    enum stmt_id id = by_outcome[r->outcome];
    size_t rlen = r->response_len > XD_STORE_EXCERPT_MAX ? XD_STORE_EXCERPT_MAX : r->response_len;
    const struct arg a[] = {
        i64(r->seq),
        i64(r->outcome == XD_STORE_OUTBOX_RETRY ? r->next_attempt_at_ms : r->at_ms),
        i64_or_null(r->http_status),
        text(r->error),
        blob_or_null(r->response, rlen),
        text(r->reason),
    };
    if (id != S_OUTBOX_DELIVERED) {
        return returning_one(c, id, a, id == S_OUTBOX_DEAD ? 6 : 5, ref, applied, err);
    }
    /* The row as it will be, then the change (the SELECT checked the state it changes from). */
    enum xd_status s = returning_one(c, S_OUTBOX_DELIVERING, a, 1, ref, applied, err);
    if (s == XD_OK && *applied) {
        /* No ?4 (its error is NULL), but binding a slot below its highest is fine. */
        s = exec(c, S_OUTBOX_DELIVERED, a, 5, err);
    }
    return s;
}

/* Collect RETURNING rows first, then report them: the callback writes audit rows, which must not
 * interleave with a statement still stepping. */
static enum xd_status report_refs(struct xd_store__conn *c, enum stmt_id id, const struct arg *a,
                                  size_t n, xd_store__ref_fn fn, void *arg, struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, id, a, n, &st, err);
    if (s == XD_ENOTFOUND) {
        return XD_OK;
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store__outbox_ref *refs = NULL;
    size_t count = 0;
    size_t cap = 0;
    int rc = SQLITE_ROW;
    while (s == XD_OK && rc == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct xd_store__outbox_ref *g = xd_reallocarray(refs, ncap, sizeof *g);
            if (g == NULL) {
                s = xd_error_set(err, XD_ENOMEM, "outbox: out of memory");
                break;
            }
            refs = g;
            cap = ncap;
        }
        ref_row(st, &refs[count++]);
        rc = sqlite3_step(st);
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, sql[id], err);
    }
    sqlite3_reset(st);
    for (size_t i = 0; s == XD_OK && i < count; i++) {
        s = fn(arg, &refs[i]);
    }
    xd_free(refs);
    return s;
}

static enum xd_status sq_outbox_replay(struct xd_store__conn *c, const char *id,
                                       const char *partner, size_t limit, int64_t at_ms,
                                       xd_store__ref_fn fn, void *arg, struct xd_error *err)
{
    if (id != NULL) {
        const struct arg a[] = {text(id), i64(at_ms)};
        return report_refs(c, S_OUTBOX_REPLAY_ID, a, XD_ARRAY_LEN(a), fn, arg, err);
    }
    const struct arg a[] = {text(partner), i64(at_ms), i64((int64_t)limit)};
    return report_refs(c, S_OUTBOX_REPLAY_SEL, a, XD_ARRAY_LEN(a), fn, arg, err);
}

static enum xd_status sq_outbox_reroute(struct xd_store__conn *c,
                                        const struct xd_store_outbox_reroute *r, const char *from,
                                        xd_store__ref_fn fn, void *arg, struct xd_error *err)
{
    const struct arg a[] = {
        text(r->from_partner),
        text(r->from_endpoint),
        text(r->to_partner),
        text(r->to_endpoint),
        text(from),
    };
    return report_refs(c, S_OUTBOX_REROUTE, a, XD_ARRAY_LEN(a), fn, arg, err);
}

static enum xd_status sq_outbox_move(struct xd_store__conn *c, const char *partner,
                                     const char *name, enum xd_store_outbox_state from,
                                     enum xd_store_outbox_state to, int64_t at_ms, size_t *moved,
                                     struct xd_error *err)
{
    const struct arg a[] = {
        text(partner),
        text(name),
        text(xd_store_outbox_state_name(from)),
        text(xd_store_outbox_state_name(to)),
        i64(at_ms),
    };
    enum xd_status s = exec(c, S_OUTBOX_MOVE, a, XD_ARRAY_LEN(a), err);
    if (s == XD_OK) {
        *moved = (size_t)sqlite3_changes(c->db);
    }
    return s;
}

static enum xd_status endpoint_row(sqlite3_stmt *st, struct xd_arena *a,
                                   struct xd_store_endpoint *e)
{
    memset(e, 0, sizeof *e);
    enum xd_status s = col_str(st, 0, a, &e->partner);
    if (s == XD_OK) {
        s = col_str(st, 1, a, &e->name);
    }
    if (s == XD_OK) {
        s = col_str(st, 3, a, &e->disabled_reason);
    }
    if (s == XD_OK) {
        s = col_str(st, 5, a, &e->breaker);
    }
    e->disabled = sqlite3_column_int(st, 2) != 0;
    e->disabled_at_ms = sqlite3_column_int64(st, 4);
    e->breaker_since_ms = sqlite3_column_int64(st, 6);
    e->down_since_ms = sqlite3_column_int64(st, 7);
    e->updated_at_ms = sqlite3_column_int64(st, 8);
    return s;
}

static enum xd_status sq_endpoint_row(struct xd_store__conn *c, const char *partner,
                                      const char *name, struct xd_arena *a,
                                      struct xd_store_endpoint *out, struct xd_error *err)
{
    const struct arg args[] = {text(partner), text(name)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_ENDPOINT_ROW, args, XD_ARRAY_LEN(args), &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, s, "no state for endpoint %s/%s", partner, name);
    }
    if (s != XD_OK) {
        return s;
    }
    s = endpoint_row(st, a, out);
    sqlite3_reset(st);
    return s == XD_OK ? XD_OK : xd_error_set(err, s, "endpoint: %s", xd_strerror(s));
}

static enum xd_status sq_endpoint_put(struct xd_store__conn *c, const struct xd_store_endpoint *e,
                                      struct xd_error *err)
{
    const struct arg a[] = {
        text(e->partner),
        text(e->name),
        i64(e->disabled ? 1 : 0),
        text(e->disabled_reason),
        i64_or_null(e->disabled_at_ms),
        text(e->breaker != NULL ? e->breaker : "closed"),
        i64(e->breaker_since_ms),
        i64(e->down_since_ms),
        i64(e->updated_at_ms),
    };
    return exec(c, S_ENDPOINT_PUT, a, XD_ARRAY_LEN(a), err);
}

/* A message row (OUTBOX_META, then the body or NULL) into <m>, strings in the arena. */
static enum xd_status outbox_row(sqlite3_stmt *st, struct xd_arena *a,
                                 struct xd_store_outbox_msg *m)
{
    memset(m, 0, sizeof *m);
    static const int str_cols[] = {1, 2, 3, 4, 5, 6, 7, 15, 18, 19};
    const char **strs[] = {&m->id,          &m->partner,        &m->endpoint, &m->content_type,
                           &m->idem_key,    &m->correlation_id, &m->source,   &m->last_error,
                           &m->dead_reason, &m->rerouted_from};
    for (size_t i = 0; i < XD_ARRAY_LEN(str_cols); i++) {
        enum xd_status s = col_str(st, str_cols[i], a, strs[i]);
        if (s != XD_OK) {
            return s;
        }
    }
    m->seq = sqlite3_column_int64(st, 0);
    enum xd_store_outbox_state state = XD_OUTBOX_PENDING;
    if (xd_store_outbox_state_parse((const char *)sqlite3_column_text(st, 8), &state) != XD_OK) {
        return XD_ECORRUPT;
    }
    m->state = state;
    m->created_at_ms = sqlite3_column_int64(st, 9);
    m->retry_from_ms = sqlite3_column_int64(st, 10);
    m->attempts = sqlite3_column_int(st, 11);
    m->next_attempt_at_ms = sqlite3_column_int64(st, 12);
    m->last_attempt_at_ms = sqlite3_column_int64(st, 13);
    m->last_status = sqlite3_column_int(st, 14);
    m->delivered_at_ms = sqlite3_column_int64(st, 17);
    m->replays = sqlite3_column_int(st, 20);
    const struct {
        int col;
        const char **p;
        size_t *len;
    } blobs[] = {{16, &m->last_response, &m->last_response_len}, {21, &m->body, &m->body_len}};
    for (size_t i = 0; i < XD_ARRAY_LEN(blobs); i++) {
        if (sqlite3_column_type(st, blobs[i].col) == SQLITE_NULL) {
            continue;
        }
        const void *p = sqlite3_column_blob(st, blobs[i].col);
        size_t n = (size_t)sqlite3_column_bytes(st, blobs[i].col);
        char *copy = xd_arena_strndup(a, p != NULL ? p : "", n);
        if (copy == NULL) {
            return XD_ENOMEM;
        }
        *blobs[i].p = copy;
        *blobs[i].len = n;
    }
    return XD_OK;
}

static enum xd_status sq_outbox_get(struct xd_store__conn *c, const char *id, int64_t seq,
                                    struct xd_arena *a, struct xd_store_outbox_msg *out,
                                    struct xd_error *err)
{
    const struct arg by_id[] = {text(id)};
    const struct arg by_seq[] = {i64(seq)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = id != NULL ? query(c, S_OUTBOX_GET_ID, by_id, 1, &st, err)
                                  : query(c, S_OUTBOX_GET_SEQ, by_seq, 1, &st, err);
    if (s == XD_ENOTFOUND) {
        return id != NULL ? xd_error_set(err, s, "no outbound message %s", id)
                          : xd_error_set(err, s, "no outbound message #%lld", (long long)seq);
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_outbox_msg m;
    s = outbox_row(st, a, &m);
    sqlite3_reset(st);
    if (s != XD_OK) {
        return xd_error_set(err, s, "outbound message: %s", xd_strerror(s));
    }
    *out = m;
    return XD_OK;
}

/* Step <st> (positioned on its first row, or NULL for none) into an arena array. */
static enum xd_status collect_msgs(struct xd_store__conn *c, sqlite3_stmt *st, size_t cap_hint,
                                   struct xd_arena *a, struct xd_store_outbox_msg **out,
                                   size_t *n_out, struct xd_error *err)
{
    struct xd_store_outbox_msg *msgs = xd_arena_calloc(a, cap_hint ? cap_hint : 1, sizeof *msgs);
    if (msgs == NULL) {
        if (st != NULL) {
            sqlite3_reset(st);
        }
        return xd_error_set(err, XD_ENOMEM, "outbox: out of memory");
    }
    size_t n = 0;
    enum xd_status s = XD_OK;
    int rc = st != NULL ? SQLITE_ROW : SQLITE_DONE;
    while (s == XD_OK && rc == SQLITE_ROW && n < cap_hint) {
        s = outbox_row(st, a, &msgs[n]);
        if (s == XD_OK) {
            n++;
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        s = db_fail(c->db, rc, "outbox listing", err);
    } else if (s != XD_OK) {
        xd_error_set(err, s, "outbox listing: %s", xd_strerror(s));
    }
    if (st != NULL) {
        sqlite3_reset(st);
    }
    if (s == XD_OK) {
        *out = msgs;
        *n_out = n;
    }
    return s;
}

static enum xd_status sq_outbox_get_seqs(struct xd_store__conn *c, const int64_t *seqs, size_t n,
                                         struct xd_arena *a, struct xd_store_outbox_msg **out,
                                         size_t *n_out, struct xd_error *err)
{
    struct xd_buf list;
    xd_buf_init(&list, 32 * n + 8);
    enum xd_status s = xd_buf_append_char(&list, '[');
    for (size_t i = 0; s == XD_OK && i < n; i++) {
        s = xd_buf_printf(&list, "%s%lld", i ? "," : "", (long long)seqs[i]);
    }
    if (s == XD_OK) {
        s = xd_buf_append_char(&list, ']');
    }
    if (s != XD_OK) {
        xd_buf_cleanup(&list);
        return xd_error_set(err, s, "outbox: out of memory");
    }
    const struct arg args[] = {textn(list.data, list.len)};
    sqlite3_stmt *st = NULL;
    s = query(c, S_OUTBOX_GET_SEQS, args, 1, &st, err);
    if (s == XD_ENOTFOUND) {
        st = NULL;
    } else if (s != XD_OK) {
        xd_buf_cleanup(&list);
        return s;
    }
    s = collect_msgs(c, st, n, a, out, n_out, err);
    xd_buf_cleanup(&list);
    return s;
}

static enum xd_status sq_outbox_queue(struct xd_store__conn *c, const char *partner,
                                      const char *endpoint, int64_t after_seq, size_t limit,
                                      struct xd_arena *a, struct xd_store_outbox_msg **out,
                                      size_t *n_out, struct xd_error *err)
{
    const struct arg args[] = {text(partner), text(endpoint), i64(after_seq), i64((int64_t)limit)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_OUTBOX_QUEUE, args, XD_ARRAY_LEN(args), &st, err);
    if (s == XD_ENOTFOUND) {
        st = NULL;
    } else if (s != XD_OK) {
        return s;
    }
    return collect_msgs(c, st, limit, a, out, n_out, err);
}

static enum xd_status sq_outbox_list(struct xd_store__conn *c,
                                     const struct xd_store_outbox_filter *f, struct xd_arena *a,
                                     struct xd_store_outbox_msg **out, size_t *n_out,
                                     struct xd_error *err)
{
    const struct arg args[] = {
        text(f->has_state ? xd_store_outbox_state_name(f->state) : NULL),
        i64(f->after_seq),
        text(f->partner),
        text(f->endpoint),
        text(f->correlation_id),
        i64((int64_t)f->limit),
    };
    /* The most selective index the filter allows: the thread's, the state's, or the table. */
    enum stmt_id id = f->correlation_id != NULL ? S_OUTBOX_LIST_THREAD
                      : f->has_state            ? S_OUTBOX_LIST_STATE
                                                : S_OUTBOX_LIST_ALL;
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, id, args, XD_ARRAY_LEN(args), &st, err);
    if (s == XD_ENOTFOUND) {
        st = NULL;
    } else if (s != XD_OK) {
        return s;
    }
    return collect_msgs(c, st, f->limit, a, out, n_out, err);
}

static enum xd_status sq_outbox_depths(struct xd_store__conn *c, bool queues_only,
                                       struct xd_arena *a, struct xd_store_outbox_depth **out,
                                       size_t *n_out, struct xd_error *err)
{
    enum stmt_id id = queues_only ? S_OUTBOX_QUEUES : S_OUTBOX_DEPTHS;
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, id, NULL, 0, &st, err);
    *out = NULL;
    *n_out = 0;
    if (s == XD_ENOTFOUND) {
        return XD_OK;
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_outbox_depth *rows = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = SQLITE_ROW;
    while (s == XD_OK && rc == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            struct xd_store_outbox_depth *g = xd_arena_calloc(a, ncap, sizeof *g);
            if (g == NULL) {
                s = XD_ENOMEM;
                break;
            }
            if (n > 0) {
                memcpy(g, rows, n * sizeof *g);
            }
            rows = g;
            cap = ncap;
        }
        struct xd_store_outbox_depth *d = &rows[n++];
        s = col_str(st, 0, a, &d->partner);
        if (s == XD_OK) {
            s = col_str(st, 1, a, &d->endpoint);
        }
        if (s == XD_OK && xd_store_outbox_state_parse((const char *)sqlite3_column_text(st, 2),
                                                      &d->state) != XD_OK) {
            s = XD_ECORRUPT;
        }
        d->count = sqlite3_column_int64(st, 3);
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, "outbox depths", err);
    } else if (s != XD_OK) {
        xd_error_set(err, s, "outbox depths: %s", xd_strerror(s));
    }
    sqlite3_reset(st);
    if (s == XD_OK) {
        *out = rows;
        *n_out = n;
    }
    return s;
}

static enum xd_status sq_endpoint_list(struct xd_store__conn *c, struct xd_arena *a,
                                       struct xd_store_endpoint **out, size_t *n_out,
                                       struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_ENDPOINT_LIST, NULL, 0, &st, err);
    *out = NULL;
    *n_out = 0;
    if (s == XD_ENOTFOUND) {
        return XD_OK;
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_endpoint *rows = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = SQLITE_ROW;
    while (s == XD_OK && rc == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct xd_store_endpoint *g = xd_arena_calloc(a, ncap, sizeof *g);
            if (g == NULL) {
                s = XD_ENOMEM;
                break;
            }
            if (n > 0) {
                memcpy(g, rows, n * sizeof *g);
            }
            rows = g;
            cap = ncap;
        }
        s = endpoint_row(st, a, &rows[n++]);
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, "endpoint list", err);
    } else if (s != XD_OK) {
        xd_error_set(err, s, "endpoint list: %s", xd_strerror(s));
    }
    sqlite3_reset(st);
    if (s == XD_OK) {
        *out = rows;
        *n_out = n;
    }
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Partner profiles */

static enum xd_status sq_partner_head(struct xd_store__conn *c, const char *id, int64_t *version,
                                      uint8_t hash[XD_SHA256_LEN], struct xd_error *err)
{
    const struct arg a[] = {text(id)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_PARTNER_HEAD, a, 1, &st, err);
    if (s != XD_OK) {
        return s;
    }
    if (sqlite3_column_bytes(st, 1) != XD_SHA256_LEN) {
        s = xd_error_set(err, XD_ECORRUPT, "partner %s: malformed content hash", id);
    } else {
        *version = sqlite3_column_int64(st, 0);
        memcpy(hash, sqlite3_column_blob(st, 1), XD_SHA256_LEN);
    }
    sqlite3_reset(st);
    return s;
}

static enum xd_status sq_partner_put(struct xd_store__conn *c, const struct xd_store_partner_put *p,
                                     int64_t version, int64_t at_ms, struct xd_error *err)
{
    const struct arg v[] = {
        text(p->id),
        i64(version),
        text(p->name),
        text(p->role),
        textn(p->body, p->body_len),
        blob(p->content_hash, XD_SHA256_LEN),
        i64(at_ms),
        text(p->actor),
    };
    enum xd_status s = exec(c, S_PARTNER_VERSION_PUT, v, XD_ARRAY_LEN(v), err);
    for (size_t i = 0; s == XD_OK && i < p->n_secrets; i++) {
        const struct arg a[] = {text(p->id), i64(version), text(p->secrets[i].name),
                                blob(p->secrets[i].sealed, p->secrets[i].sealed_len)};
        s = exec(c, S_PARTNER_SECRET_PUT, a, XD_ARRAY_LEN(a), err);
    }
    if (s == XD_OK) {
        const struct arg u[] = {text(p->id),
                                i64(version),
                                text(p->name),
                                text(p->role),
                                blob(p->content_hash, XD_SHA256_LEN),
                                i64(at_ms)};
        s = exec(c, S_PARTNER_UPSERT, u, XD_ARRAY_LEN(u), err);
    }
    return s;
}

static enum xd_status sq_secret_scan(struct xd_store__conn *c,
                                     enum xd_status (*fn)(void *arg, const char *partner,
                                                          int64_t version, const char *name,
                                                          const uint8_t *sealed, size_t len),
                                     void *arg, struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_SECRET_SCAN, NULL, 0, &st, err);
    if (s == XD_ENOTFOUND) {
        return XD_OK;
    }
    int rc = SQLITE_ROW;
    while (s == XD_OK && rc == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 2);
        const void *sealed = sqlite3_column_blob(st, 3);
        size_t len = (size_t)sqlite3_column_bytes(st, 3);
        s = id != NULL && name != NULL && sealed != NULL
                ? fn(arg, id, sqlite3_column_int64(st, 1), name, sealed, len)
                : xd_error_set(err, XD_ECORRUPT, "partner secret row with NULL columns");
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, "partner secrets", err);
    }
    sqlite3_reset(st);
    return s;
}

static enum xd_status sq_secret_update(struct xd_store__conn *c, const char *partner,
                                       int64_t version, const char *name, const uint8_t *sealed,
                                       size_t len, struct xd_error *err)
{
    const struct arg a[] = {text(partner), i64(version), text(name), blob(sealed, len)};
    enum xd_status s = exec(c, S_SECRET_UPDATE, a, XD_ARRAY_LEN(a), err);
    if (s == XD_OK && sqlite3_changes(c->db) != 1) {
        s = xd_error_set(err, XD_EIO, "partner secret %s/%lld/%s vanished", partner,
                         (long long)version, name);
    }
    return s;
}

static enum xd_status partner_secrets(struct xd_store__conn *c, const char *id, int64_t version,
                                      struct xd_arena *a, struct xd_store_partner *out,
                                      struct xd_error *err)
{
    const struct arg args[] = {text(id), i64(version)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_PARTNER_SECRETS, args, XD_ARRAY_LEN(args), &st, err);
    out->secrets = NULL;
    out->n_secrets = 0;
    if (s == XD_ENOTFOUND) {
        return XD_OK;
    }
    struct xd_store_partner_secret *arr =
        s == XD_OK ? xd_arena_calloc(a, XD_STORE_PARTNER_SECRETS_MAX, sizeof *arr) : NULL;
    if (s == XD_OK && arr == NULL) {
        s = xd_error_set(err, XD_ENOMEM, "partner secrets: out of memory");
    }
    int rc = SQLITE_ROW;
    size_t n = 0;
    while (s == XD_OK && rc == SQLITE_ROW) {
        if (n == XD_STORE_PARTNER_SECRETS_MAX) {
            s = xd_error_set(err, XD_ECORRUPT, "partner %s has too many secrets", id);
            break;
        }
        const void *p = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        s = col_str(st, 0, a, &arr[n].name);
        arr[n].sealed = s == XD_OK ? xd_arena_memdup(a, p != NULL ? p : "", len) : NULL;
        arr[n].sealed_len = len;
        if (s == XD_OK && (arr[n].sealed == NULL || arr[n].name == NULL)) {
            s = xd_error_set(err, XD_ENOMEM, "partner secrets: out of memory");
        }
        n++;
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, "partner secrets", err);
    }
    if (st != NULL) {
        sqlite3_reset(st);
    }
    if (s == XD_OK) {
        out->secrets = arr;
        out->n_secrets = n;
    }
    return s;
}

static enum xd_status sq_partner_get(struct xd_store__conn *c, const char *id, int64_t version,
                                     struct xd_arena *a, struct xd_store_partner *out,
                                     struct xd_error *err)
{
    const struct arg args[] = {text(id), i64(version)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_PARTNER_GET, args, XD_ARRAY_LEN(args), &st, err);
    if (s == XD_ENOTFOUND) {
        return version > 0
                   ? xd_error_set(err, s, "partner %s has no version %lld", id, (long long)version)
                   : xd_error_set(err, s, "no partner %s", id);
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_partner p = {0};
    const char **strs[] = {&p.id, &p.name, &p.role, &p.actor, &p.body};
    for (size_t i = 0; s == XD_OK && i < XD_ARRAY_LEN(strs); i++) {
        s = col_str(st, (int)i, a, strs[i]);
    }
    p.body_len = (size_t)sqlite3_column_bytes(st, 4);
    p.version = sqlite3_column_int64(st, 5);
    p.created_at_ms = sqlite3_column_int64(st, 6);
    if (s == XD_OK && sqlite3_column_bytes(st, 7) != XD_SHA256_LEN) {
        s = xd_error_set(err, XD_ECORRUPT, "partner %s: malformed content hash", id);
    } else if (s == XD_OK) {
        memcpy(p.content_hash, sqlite3_column_blob(st, 7), XD_SHA256_LEN);
    } else {
        xd_error_set(err, s, "partner %s: %s", id, xd_strerror(s));
    }
    sqlite3_reset(st);
    if (s == XD_OK) {
        s = partner_secrets(c, id, p.version, a, &p, err);
    }
    if (s == XD_OK) {
        *out = p;
    }
    return s;
}

static enum xd_status sq_partner_list(struct xd_store__conn *c, struct xd_arena *a,
                                      struct xd_store_partner_row **out, size_t *n_out,
                                      struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_PARTNER_LIST, NULL, 0, &st, err);
    if (s == XD_ENOTFOUND) {
        *out = NULL;
        *n_out = 0;
        return XD_OK;
    }
    if (s != XD_OK) {
        return s;
    }
    struct xd_store_partner_row *rows = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = SQLITE_ROW;
    while (s == XD_OK && rc == SQLITE_ROW) {
        if (n == cap) {
            /* Arena arrays cannot grow in place: copy into a bigger one (partners are few). */
            size_t ncap = cap ? cap * 2 : 16;
            struct xd_store_partner_row *g = xd_arena_calloc(a, ncap, sizeof *g);
            if (g == NULL) {
                s = XD_ENOMEM;
                break;
            }
            if (n > 0) {
                memcpy(g, rows, n * sizeof *g);
            }
            rows = g;
            cap = ncap;
        }
        struct xd_store_partner_row *r = &rows[n++];
        s = col_str(st, 0, a, &r->id);
        if (s == XD_OK) {
            s = col_str(st, 1, a, &r->name);
        }
        if (s == XD_OK) {
            s = col_str(st, 2, a, &r->role);
        }
        r->version = sqlite3_column_int64(st, 3);
        r->updated_at_ms = sqlite3_column_int64(st, 4);
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, "partner list", err);
    } else if (s != XD_OK) {
        xd_error_set(err, s, "partner list: %s", xd_strerror(s));
    }
    sqlite3_reset(st);
    if (s == XD_OK) {
        *out = rows;
        *n_out = n;
    }
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Workflows */

/* The changes of one flow operation to the counts (table counts: ('flows', state, '') and
 * ('exceptions', state, type)), summed by key and written once each at its end. */
#define COUNT_KEYS 32

struct count_delta {
    const char *kind;
    char a[XD_STORE_FLOW_TEXT_MAX + 1], b[XD_STORE_FLOW_TEXT_MAX + 1];
    int64_t n;
};

struct counts {
    struct count_delta d[COUNT_KEYS];
    size_t n;
};

static enum xd_status counts_write(struct xd_store__conn *c, struct counts *k, struct xd_error *err)
{
    enum xd_status s = XD_OK;
    for (size_t i = 0; s == XD_OK && i < k->n; i++) {
        const struct count_delta *d = &k->d[i];
        if (d->n != 0) {
            const struct arg a[] = {text(d->kind), text(d->a), text(d->b), i64(d->n)};
            s = exec(c, S_COUNT_ADD, a, XD_ARRAY_LEN(a), err);
        }
    }
    k->n = 0;
    return s;
}

static enum xd_status count_add(struct xd_store__conn *c, struct counts *k, const char *kind,
                                const char *a, const char *b, int64_t n, struct xd_error *err)
{
    if (strlen(a) > XD_STORE_FLOW_TEXT_MAX || strlen(b) > XD_STORE_FLOW_TEXT_MAX) {
        return xd_error_set(err, XD_ECORRUPT, "a stored %s state or type is over %d bytes", kind,
                            XD_STORE_FLOW_TEXT_MAX);
    }
    for (size_t i = 0; i < k->n; i++) {
        struct count_delta *d = &k->d[i];
        if (strcmp(d->kind, kind) == 0 && strcmp(d->a, a) == 0 && strcmp(d->b, b) == 0) {
            d->n += n;
            return XD_OK;
        }
    }
    enum xd_status s = k->n == COUNT_KEYS ? counts_write(c, k, err) : XD_OK;
    if (s == XD_OK) {
        struct count_delta *d = &k->d[k->n++];
        d->kind = kind;
        snprintf(d->a, sizeof d->a, "%s", a);
        snprintf(d->b, sizeof d->b, "%s", b);
        d->n = n;
    }
    return s;
}

/* Exception <id> as stored leaves the counts (its state and type: -1) and its type, which an
 * update keeps, goes into <type>; *stored is false (and nothing counted) when it is new. */
static enum xd_status uncount_exception(struct xd_store__conn *c, struct counts *k, const char *id,
                                        char type[XD_STORE_FLOW_TEXT_MAX + 1], bool *stored,
                                        struct xd_error *err)
{
    const struct arg g[] = {text(id)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_EXCEPTION_STATE, g, 1, &st, err);
    *stored = s == XD_OK;
    if (s == XD_OK) {
        const char *was = (const char *)sqlite3_column_text(st, 0);
        const char *t = (const char *)sqlite3_column_text(st, 1);
        snprintf(type, XD_STORE_FLOW_TEXT_MAX + 1, "%s", t != NULL ? t : "");
        s = count_add(c, k, "exceptions", was != NULL ? was : "", type, -1, err);
        sqlite3_reset(st);
    }
    return s == XD_ENOTFOUND ? XD_OK : s;
}

static enum xd_status sq_flow_apply(struct xd_store__conn *c, struct xd_store_flow *f,
                                    int64_t at_ms, struct xd_error *err)
{
    enum xd_status s = XD_OK;
    struct counts k;
    k.n = 0;
    for (size_t i = 0; s == XD_OK && i < f->n_rows; i++) {
        struct xd_store_flow_row *r = &f->rows[i];
        if (r->version == 0) {
            const struct arg a[] = {
                text(r->correlation_id), text(r->flow),  text(r->state),     text(r->key),
                text(r->partner),        text(r->owner), text(r->next_step), text(r->sla),
                text(r->data),           i64(at_ms)};
            s = exec(c, S_FLOW_INSERT, a, XD_ARRAY_LEN(a), err);
            if (s == XD_ECONFLICT) {
                s = xd_error_set(err, XD_ECONFLICT, "thread %s has a flow already",
                                 r->correlation_id);
            }
            if (s == XD_OK) {
                r->version = 1;
                s = count_add(c, &k, "flows", r->state, "", 1, err);
            }
            continue;
        }
        /* The state it counted as: the row of this version (none when another step moved it). */
        const struct arg g[] = {text(r->correlation_id), i64(r->version)};
        sqlite3_stmt *st = NULL;
        s = query(c, S_FLOW_STATE, g, XD_ARRAY_LEN(g), &st, err);
        if (s == XD_OK) {
            const char *was = (const char *)sqlite3_column_text(st, 0);
            s = count_add(c, &k, "flows", was != NULL ? was : "", "", -1, err);
            sqlite3_reset(st);
        }
        if (s == XD_ENOTFOUND) {
            s = xd_error_set(err, XD_ECONFLICT, "thread %s moved past version %lld",
                             r->correlation_id, (long long)r->version);
        }
        const struct arg a[] = {
            text(r->correlation_id), i64(r->version), text(r->state),     text(r->key),
            text(r->partner),        text(r->owner),  text(r->next_step), text(r->sla),
            text(r->data),           i64(at_ms)};
        if (s == XD_OK) { /* the row of this version is there: read above, same transaction */
            s = exec(c, S_FLOW_UPDATE, a, XD_ARRAY_LEN(a), err);
        }
        if (s == XD_OK) {
            r->version++;
            s = count_add(c, &k, "flows", r->state, "", 1, err);
        }
    }
    for (size_t i = 0; s == XD_OK && i < f->n_events; i++) {
        const struct xd_store_flow_event *e = &f->events[i];
        const struct arg a[] = {text(e->correlation_id), i64(at_ms),        text(e->event),
                                text(e->from_state),     text(e->to_state), text(e->document_id),
                                text(e->partner),        text(e->channel),  text(e->detail)};
        s = exec(c, S_FLOW_EVENT_PUT, a, XD_ARRAY_LEN(a), err);
    }
    for (size_t i = 0; s == XD_OK && i < f->n_timers_closed; i++) {
        const struct arg a[] = {text(f->timers_closed[i])};
        s = exec(c, S_TIMER_CLOSE, a, XD_ARRAY_LEN(a), err);
    }
    for (size_t i = 0; s == XD_OK && i < f->n_timers; i++) {
        const struct xd_store_timer *t = &f->timers[i];
        const struct arg a[] = {text(t->id), text(t->correlation_id), text(t->kind),
                                i64(t->due_at_ms), text(t->payload)};
        s = exec(c, S_TIMER_PUT, a, XD_ARRAY_LEN(a), err);
    }
    for (size_t i = 0; s == XD_OK && i < f->n_exceptions; i++) {
        const struct xd_store_exception *e = &f->exceptions[i];
        int64_t created = e->created_at_ms != 0 ? e->created_at_ms : at_ms;
        const struct arg a[] = {text(e->id),
                                text(e->correlation_id),
                                text(e->type),
                                text(e->partner),
                                text(e->owner),
                                text(e->state),
                                text(e->body),
                                i64(created),
                                i64(at_ms),
                                text(e->subject_document),
                                text(e->subject_number)};
        char type[XD_STORE_FLOW_TEXT_MAX + 1];
        bool stored = false;
        s = uncount_exception(c, &k, e->id, type, &stored, err);
        if (s == XD_OK) {
            s = exec(c, S_EXCEPTION_PUT, a, XD_ARRAY_LEN(a), err);
        }
        if (s == XD_OK) {
            s = count_add(c, &k, "exceptions", e->state, stored ? type : e->type, 1, err);
        }
    }
    if (s == XD_OK && f->cursor != NULL) {
        const struct arg g[] = {text(f->cursor)};
        sqlite3_stmt *st = NULL;
        int64_t pos = 0;
        s = query(c, S_CURSOR_GET, g, 1, &st, err);
        if (s == XD_OK) {
            pos = sqlite3_column_int64(st, 0);
            sqlite3_reset(st);
        } else if (s == XD_ENOTFOUND) {
            s = XD_OK;
        }
        if (s == XD_OK && pos != f->cursor_from) {
            s = xd_error_set(err, XD_ECONFLICT, "cursor %s is at %lld, not %lld", f->cursor,
                             (long long)pos, (long long)f->cursor_from);
        }
        if (s == XD_OK) {
            const struct arg a[] = {text(f->cursor), i64(f->cursor_to), i64(at_ms)};
            s = exec(c, S_CURSOR_PUT, a, XD_ARRAY_LEN(a), err);
        }
    }
    return s == XD_OK ? counts_write(c, &k, err) : s;
}

/* Step through the rows of <st> (positioned on the first), each read by <row> into a new
 * element of <size> bytes of an array in the arena. */
typedef enum xd_status (*row_fn)(sqlite3_stmt *st, struct xd_arena *a, void *elem);

static enum xd_status collect(struct xd_store__conn *c, sqlite3_stmt *st, struct xd_arena *a,
                              size_t size, row_fn row, const char *what, void **out, size_t *n_out,
                              struct xd_error *err)
{
    unsigned char *items = NULL;
    size_t n = 0;
    size_t cap = 0;
    enum xd_status s = XD_OK;
    int rc = SQLITE_ROW;
    while (rc == SQLITE_ROW && s == XD_OK) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            unsigned char *g = xd_reallocarray(items, ncap, size);
            if (g == NULL) {
                s = XD_ENOMEM;
                break;
            }
            items = g;
            cap = ncap;
        }
        memset(items + n * size, 0, size);
        s = row(st, a, items + n * size);
        n++;
        if (s == XD_OK) {
            rc = sqlite3_step(st);
        }
    }
    if (s == XD_OK && rc != SQLITE_DONE) {
        s = db_fail(c->db, rc, what, err);
    } else if (s != XD_OK) {
        xd_error_set(err, s, "%s: %s", what, xd_strerror(s));
    }
    sqlite3_reset(st);
    void *arr = NULL;
    if (s == XD_OK && n > 0) {
        arr = xd_arena_memdup(a, items, n * size);
        if (arr == NULL) {
            s = xd_error_set(err, XD_ENOMEM, "%s: out of memory", what);
        }
    }
    xd_free(items);
    if (s == XD_OK) {
        *out = arr;
        *n_out = n;
    }
    return s;
}

/* Run <id> with <args> and collect its rows (none is an empty result, not an error). */
static enum xd_status query_all(struct xd_store__conn *c, enum stmt_id id, const struct arg *args,
                                size_t n_args, struct xd_arena *a, size_t size, row_fn row,
                                void **out, size_t *n_out, struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, id, args, n_args, &st, err);
    if (s == XD_ENOTFOUND) {
        *out = NULL;
        *n_out = 0;
        return XD_OK;
    }
    if (s != XD_OK) {
        return s;
    }
    return collect(c, st, a, size, row, sql[id], out, n_out, err);
}

static enum xd_status doc_elem(sqlite3_stmt *st, struct xd_arena *a, void *elem)
{
    return doc_row(st, a, elem);
}

/* The seq of the first document whose docno is <docno> or more (INT64_MAX when none). */
static enum xd_status seq_at(struct xd_store__conn *c, int64_t docno, int64_t *seq,
                             struct xd_error *err)
{
    const struct arg args[] = {i64(docno)};
    return int_query(c, S_DOC_AT, args, 1, INT64_MAX, seq, err);
}

/* Where the documents journaled after <after_seq> begin: the least v such that the first
 * document from docno v on has a seq past it (*from: past the last document when none has).
 * One writer appends the journal and the documents in order, so docno ascends with seq and
 * that first seq never decreases as v grows: a search over docno, galloping back from the
 * newest document (the feed asks about the recent past), in rowid seeks. It replaced an index
 * on documents (seq) that every document paid an entry for (schema 13). */
static enum xd_status docno_after(struct xd_store__conn *c, int64_t after_seq, int64_t *from,
                                  struct xd_error *err)
{
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_DOC_LAST, NULL, 0, &st, err);
    if (s == XD_ENOTFOUND) {
        *from = 1;
        return XD_OK;
    }
    if (s != XD_OK) {
        return s;
    }
    int64_t hi = sqlite3_column_int64(st, 0), last_seq = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    if (last_seq <= after_seq) {
        *from = hi + 1;
        return XD_OK;
    }
    int64_t lo = 0; /* 0, or a docno whose first document is not past after_seq */
    for (int64_t step = 1; s == XD_OK; step *= 2) {
        int64_t v = hi - step;
        if (v < 1) {
            break;
        }
        int64_t seq = 0;
        s = seq_at(c, v, &seq, err);
        if (seq <= after_seq) {
            lo = v;
            break;
        }
        hi = v;
        if (step > INT64_MAX / 4) {
            break;
        }
    }
    while (s == XD_OK && hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        int64_t seq = 0;
        s = seq_at(c, mid, &seq, err);
        if (seq > after_seq) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    *from = hi;
    return s;
}

static enum xd_status sq_docs_after(struct xd_store__conn *c, int64_t after_seq, size_t limit,
                                    struct xd_arena *a, struct xd_store_doc **out, size_t *n_out,
                                    struct xd_error *err)
{
    int64_t from = 0;
    enum xd_status s = docno_after(c, after_seq, &from, err);
    if (s != XD_OK) {
        return s;
    }
    const struct arg args[] = {i64(from), i64((int64_t)limit)};
    void *v = NULL;
    s = query_all(c, S_DOCS_FROM, args, XD_ARRAY_LEN(args), a, sizeof **out, doc_elem, &v, n_out,
                  err);
    *out = v;
    return s;
}

static enum xd_status sq_cursor_get(struct xd_store__conn *c, const char *name, int64_t *out,
                                    struct xd_error *err)
{
    const struct arg args[] = {text(name)};
    return int_query(c, S_CURSOR_GET, args, 1, 0, out, err);
}

static enum xd_status sq_journal_head(struct xd_store__conn *c, int64_t *out, struct xd_error *err)
{
    return int_query(c, S_JOURNAL_HEAD, NULL, 0, 0, out, err);
}

static enum xd_status flow_elem(sqlite3_stmt *st, struct xd_arena *a, void *elem)
{
    struct xd_store_flow_row *r = elem;
    const char **const cols[] = {&r->correlation_id, &r->flow, &r->state};
    const char **const rest[] = {&r->key, &r->partner, &r->owner, &r->next_step, &r->sla, &r->data};
    enum xd_status s = col_strs(st, 0, a, cols, XD_ARRAY_LEN(cols));
    r->version = sqlite3_column_int64(st, 3);
    if (s == XD_OK) {
        s = col_strs(st, 4, a, rest, XD_ARRAY_LEN(rest));
    }
    r->created_at_ms = sqlite3_column_int64(st, 10);
    r->updated_at_ms = sqlite3_column_int64(st, 11);
    return s;
}

static enum xd_status sq_flow_get(struct xd_store__conn *c, const char *correlation_id,
                                  struct xd_arena *a, struct xd_store_flow_row *out,
                                  struct xd_error *err)
{
    const struct arg args[] = {text(correlation_id)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_FLOW_GET, args, 1, &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, s, "thread %s has no flow", correlation_id);
    }
    if (s == XD_OK) {
        memset(out, 0, sizeof *out);
        s = flow_elem(st, a, out);
        sqlite3_reset(st);
        if (s != XD_OK) {
            xd_error_set(err, s, "flow of %s: %s", correlation_id, xd_strerror(s));
        }
    }
    return s;
}

static enum xd_status event_elem(sqlite3_stmt *st, struct xd_arena *a, void *elem)
{
    struct xd_store_flow_event *e = elem;
    const char **const cols[] = {&e->correlation_id};
    const char **const rest[] = {&e->event,   &e->from_state, &e->to_state, &e->document_id,
                                 &e->partner, &e->channel,    &e->detail};
    e->seq = sqlite3_column_int64(st, 0);
    e->at_ms = sqlite3_column_int64(st, 2);
    enum xd_status s = col_strs(st, 1, a, cols, 1);
    return s == XD_OK ? col_strs(st, 3, a, rest, XD_ARRAY_LEN(rest)) : s;
}

static enum xd_status sq_flow_events(struct xd_store__conn *c, const char *correlation_id,
                                     struct xd_arena *a, struct xd_store_flow_event **out,
                                     size_t *n_out, struct xd_error *err)
{
    const struct arg args[] = {text(correlation_id)};
    void *v = NULL;
    enum xd_status s =
        query_all(c, S_FLOW_EVENTS, args, 1, a, sizeof **out, event_elem, &v, n_out, err);
    *out = v;
    return s;
}

static enum xd_status flows_of_state(struct xd_store__conn *c, const char *state, size_t limit,
                                     struct xd_arena *a, struct xd_store_flow_row **out,
                                     size_t *n_out, struct xd_error *err)
{
    const struct arg args[] = {text(state), i64((int64_t)limit)};
    void *v = NULL;
    enum xd_status s =
        query_all(c, S_FLOW_LIST_STATE, args, 2, a, sizeof **out, flow_elem, &v, n_out, err);
    *out = v;
    return s;
}

/* Newest first, then by correlation id: the order of S_FLOW_LIST_STATE. */
static bool flow_before(const struct xd_store_flow_row *x, const struct xd_store_flow_row *y)
{
    return x->updated_at_ms != y->updated_at_ms ? x->updated_at_ms > y->updated_at_ms
                                                : strcmp(x->correlation_id, y->correlation_id) < 0;
}

/* The first <limit> of two ordered lists, ordered. */
static enum xd_status flows_merge(struct xd_arena *a, const struct xd_store_flow_row *x, size_t nx,
                                  const struct xd_store_flow_row *y, size_t ny, size_t limit,
                                  struct xd_store_flow_row **out, size_t *n_out)
{
    size_t n = nx + ny < limit ? nx + ny : limit;
    struct xd_store_flow_row *m = xd_arena_alloc(a, (n + 1) * sizeof *m);
    if (m == NULL) {
        return XD_ENOMEM;
    }
    size_t i = 0, j = 0;
    for (size_t k = 0; k < n; k++) {
        m[k] = j == ny || (i < nx && flow_before(&x[i], &y[j])) ? x[i++] : y[j++];
    }
    *out = m;
    *n_out = n;
    return XD_OK;
}

static enum xd_status count_elem(sqlite3_stmt *st, struct xd_arena *a, void *elem)
{
    struct xd_store_count *n = elem;
    n->count = sqlite3_column_int64(st, 1);
    return col_str(st, 0, a, &n->name);
}

static enum xd_status sq_flow_list(struct xd_store__conn *c, const char *state, size_t limit,
                                   struct xd_arena *a, struct xd_store_flow_row **out,
                                   size_t *n_out, struct xd_error *err)
{
    if (state != NULL) {
        return flows_of_state(c, state, limit, a, out, n_out, err);
    }
    void *v = NULL;
    size_t n_states = 0;
    enum xd_status s = query_all(c, S_FLOW_STATES, NULL, 0, a, sizeof(struct xd_store_count),
                                 count_elem, &v, &n_states, err);
    const struct xd_store_count *states = v;
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; s == XD_OK && i < n_states; i++) {
        struct xd_store_flow_row *rows = NULL;
        size_t n = 0;
        s = flows_of_state(c, states[i].name, limit, a, &rows, &n, err);
        if (s == XD_OK && flows_merge(a, *out, *n_out, rows, n, limit, out, n_out) != XD_OK) {
            s = xd_error_set(err, XD_ENOMEM, "flow list: out of memory");
        }
    }
    return s;
}

static enum xd_status sq_flow_counts(struct xd_store__conn *c, struct xd_arena *a,
                                     struct xd_store_count **states, size_t *n_states,
                                     struct xd_store_count **exceptions, size_t *n_exceptions,
                                     struct xd_error *err)
{
    void *v = NULL;
    void *w = NULL;
    enum xd_status s =
        query_all(c, S_FLOW_STATES, NULL, 0, a, sizeof **states, count_elem, &v, n_states, err);
    if (s == XD_OK) {
        s = query_all(c, S_EXCEPTION_TYPES, NULL, 0, a, sizeof **exceptions, count_elem, &w,
                      n_exceptions, err);
    }
    *states = v;
    *exceptions = w;
    return s;
}

static enum xd_status timer_elem(sqlite3_stmt *st, struct xd_arena *a, void *elem)
{
    struct xd_store_timer *t = elem;
    const char **const cols[] = {&t->id, &t->correlation_id, &t->kind, &t->payload};
    t->due_at_ms = sqlite3_column_int64(st, 4);
    return col_strs(st, 0, a, cols, XD_ARRAY_LEN(cols));
}

static enum xd_status sq_timers_due(struct xd_store__conn *c, int64_t now_ms, size_t limit,
                                    struct xd_arena *a, struct xd_store_timer **out, size_t *n_out,
                                    struct xd_error *err)
{
    const struct arg args[] = {i64(now_ms), i64((int64_t)limit)};
    void *v = NULL;
    enum xd_status s =
        query_all(c, S_TIMERS_DUE, args, 2, a, sizeof **out, timer_elem, &v, n_out, err);
    *out = v;
    return s;
}

static enum xd_status exception_elem(sqlite3_stmt *st, struct xd_arena *a, void *elem)
{
    struct xd_store_exception *e = elem;
    const char **const cols[] = {&e->id,    &e->correlation_id, &e->type, &e->partner,
                                 &e->owner, &e->state,          &e->body};
    e->created_at_ms = sqlite3_column_int64(st, 7);
    e->updated_at_ms = sqlite3_column_int64(st, 8);
    return col_strs(st, 0, a, cols, XD_ARRAY_LEN(cols));
}

static enum xd_status sq_exception_get(struct xd_store__conn *c, const char *id, struct xd_arena *a,
                                       struct xd_store_exception *out, struct xd_error *err)
{
    const struct arg args[] = {text(id)};
    sqlite3_stmt *st = NULL;
    enum xd_status s = query(c, S_EXCEPTION_GET, args, 1, &st, err);
    if (s == XD_ENOTFOUND) {
        return xd_error_set(err, s, "no exception %s", id);
    }
    if (s == XD_OK) {
        memset(out, 0, sizeof *out);
        s = exception_elem(st, a, out);
        sqlite3_reset(st);
    }
    return s;
}

static enum xd_status sq_exception_list(struct xd_store__conn *c,
                                        const struct xd_store_exception_filter *f,
                                        struct xd_arena *a, struct xd_store_exception **out,
                                        size_t *n_out, struct xd_error *err)
{
    const struct arg args[] = {
        text(f->type),          text(f->partner),          text(f->owner),
        text(f->state),         text(f->correlation_id),   i64(f->created_before_ms),
        i64((int64_t)f->limit), text(f->subject_document), text(f->subject_number)};
    void *v = NULL;
    enum stmt_id id = f->subject_number != NULL                           ? S_EXCEPTION_LIST_SUBJECT
                      : f->state != NULL && strcmp(f->state, "open") == 0 ? S_EXCEPTION_LIST_OPEN
                                                                          : S_EXCEPTION_LIST;
    enum xd_status s =
        query_all(c, id, args, XD_ARRAY_LEN(args), a, sizeof **out, exception_elem, &v, n_out, err);
    *out = v;
    return s;
}

const struct xd_store__backend xd_store__sqlite = {
    .name = "sqlite",
    .db_open = sq_db_open,
    .db_close = sq_db_close,
    .writer_open = sq_writer_open,
    .reader_open = sq_reader_open,
    .verify_open = sq_verify_open,
    .conn_close = sq_conn_close,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .migrate = sq_migrate,
    .changes = sq_changes,
    .in_transaction = sq_in_transaction,
    .maintain = sq_maintain,
    .audit_head = sq_audit_head,
    .audit_put = sq_audit_put,
    .idem_get = sq_idem_get,
    .idem_put = sq_idem_put,
    .key_thread = sq_key_thread,
    .thread_known = sq_thread_known,
    .key_put = sq_key_put,
    .journal_put = sq_journal_put,
    .doc_put = sq_doc_put,
    .token_put = sq_token_put,
    .token_revoke = sq_token_revoke,
    .counter_take = sq_counter_take,
    .poll_cursor_put = sq_poll_cursor_put,
    .poll_cursor_get = sq_poll_cursor_get,
    .doc_get = sq_doc_get,
    .doc_raw = sq_doc_raw,
    .thread_docs = sq_thread_docs,
    .token_find = sq_token_find,
    .token_list = sq_token_list,
    .idem_find = sq_idem_find,
    .audit_scan = sq_audit_scan,
    .audit_scan_action = sq_audit_scan_action,
    .audit_find_hash = sq_audit_find_hash,
    .outbox_put = sq_outbox_put,
    .endpoint_disabled = sq_endpoint_disabled,
    .outbox_claim = sq_outbox_claim,
    .outbox_settle = sq_outbox_settle,
    .outbox_replay = sq_outbox_replay,
    .outbox_reroute = sq_outbox_reroute,
    .outbox_move = sq_outbox_move,
    .endpoint_row = sq_endpoint_row,
    .endpoint_put = sq_endpoint_put,
    .outbox_get = sq_outbox_get,
    .outbox_get_seqs = sq_outbox_get_seqs,
    .outbox_queue = sq_outbox_queue,
    .outbox_list = sq_outbox_list,
    .outbox_depths = sq_outbox_depths,
    .endpoint_list = sq_endpoint_list,
    .partner_head = sq_partner_head,
    .partner_put = sq_partner_put,
    .secret_scan = sq_secret_scan,
    .secret_update = sq_secret_update,
    .partner_get = sq_partner_get,
    .partner_list = sq_partner_list,
    .message_put = sq_message_put,
    .flow_apply = sq_flow_apply,
    .docs_after = sq_docs_after,
    .cursor_get = sq_cursor_get,
    .journal_head = sq_journal_head,
    .flow_get = sq_flow_get,
    .flow_events = sq_flow_events,
    .flow_list = sq_flow_list,
    .flow_counts = sq_flow_counts,
    .timers_due = sq_timers_due,
    .exception_get = sq_exception_get,
    .exception_list = sq_exception_list,
};
