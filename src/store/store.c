/* SPDX-License-Identifier: MIT
 * The store's core: opening and closing, the bounded queue, the writer thread's group commit,
 * storage failure and recovery, completion, statistics, outbox change events. Threads: the queue
 * (head, tail, depth), closing, healthy and the outbox watcher belong to s->mu; the writer
 * thread alone owns wconn, the audit head, the batch's outbox events and the scratch buffers (the
 * opening thread owns them before the writer starts, the closing thread after it was joined); stats
 * belong to stats_mu; op->done_flag_ to done_mu. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"

#define RECOVER_BACKOFF_MIN_MS 100
#define RECOVER_BACKOFF_MAX_MS 5000
#define SCRATCH_MAX            ((size_t)16 * 1024 * 1024)

const uint64_t xd_store_commit_buckets_us[XD_STORE_TIME_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, UINT64_MAX,
};

static const size_t batch_bucket_max[XD_STORE_BATCH_BUCKETS] = {
    1, 3, 7, 15, 63, 255, 1023, SIZE_MAX,
};

void xd_store_options_init(struct xd_store_options *o, const char *data_dir)
{
    *o = (struct xd_store_options){
        .data_dir = data_dir,
        .queue_cap = 65536,
        .batch_max = 2048,
        .durable = true,
        .readers_max = 8,
    };
}

/* ------------------------------------------------------------------------------------------ */
/* Completion */

static void answer_unavailable(struct xd_store_op *op, const char *why)
{
    op->status = XD_EUNAVAIL;
    xd_error_set(&op->err, XD_EUNAVAIL, "storage failure: %s", why);
    /* An op that met its idempotency record and then lost its batch reports the loss only. */
    xd_free(op->idem_body);
    op->idem_body = NULL;
    op->idem_body_len = 0;
}

/* Report every op of <list> (linked by next_). A done callback may free its op, so next_ is
 * read first; waiters are woken together under done_mu. */
static void complete_list(struct xd_store *s, struct xd_store_op *list)
{
    struct xd_store_op *waiters = NULL;
    for (struct xd_store_op *op = list, *next; op != NULL; op = next) {
        next = op->next_;
        if (op->done != NULL) {
            op->next_ = NULL;
            op->done(op, op->done_arg);
        } else {
            op->next_ = waiters;
            waiters = op;
        }
    }
    if (waiters == NULL) {
        return;
    }
    pthread_mutex_lock(&s->done_mu);
    for (struct xd_store_op *op = waiters, *next; op != NULL; op = next) {
        next = op->next_;
        op->next_ = NULL;
        op->done_flag_ = 1;
    }
    pthread_cond_broadcast(&s->done_cv);
    pthread_mutex_unlock(&s->done_mu);
}

/* The bucket of xd_store_commit_buckets_us that <ns> falls in. */
static size_t time_bucket(int64_t ns)
{
    uint64_t us = ns > 0 ? (uint64_t)ns / 1000 : 0;
    size_t c = 0;
    while (us > xd_store_commit_buckets_us[c]) {
        c++;
    }
    return c;
}

/* <taken>: when the writer took the batch off the queue; <apply_ns>: from then to the commit. */
static void count_outcomes(struct xd_store *s, struct xd_store_op *list, size_t n, int64_t taken,
                           int64_t apply_ns, int64_t commit_ns)
{
    uint64_t wait_hist[XD_STORE_TIME_BUCKETS] = {0};
    uint64_t wait_sum = 0;
    uint64_t ok = 0;
    uint64_t dup = 0;
    uint64_t failed = 0;
    int64_t journal_seq = 0;
    for (struct xd_store_op *op = list; op != NULL; op = op->next_) {
        int64_t wait = taken - op->submitted_ns_;
        wait_hist[time_bucket(wait)]++;
        wait_sum += wait > 0 ? (uint64_t)wait : 0;
        if (op->status == XD_OK) {
            ok++;
            if (op->kind == XD_STORE_OP_INGEST && op->u.ingest.seq > journal_seq) {
                journal_seq = op->u.ingest.seq;
            } else if (op->kind == XD_STORE_OP_MESSAGE && op->u.message.seq > journal_seq) {
                journal_seq = op->u.message.seq;
            }
        } else if (op->status == XD_EEXIST) {
            dup++;
        } else {
            failed++;
        }
    }
    size_t b = 0;
    while (n > batch_bucket_max[b]) {
        b++;
    }
    pthread_mutex_lock(&s->stats_mu);
    s->stats.batches++;
    s->stats.ops_committed += ok;
    s->stats.ops_duplicate += dup;
    s->stats.ops_failed += failed;
    s->stats.batch_size_hist[b]++;
    s->stats.commit_hist[time_bucket(commit_ns)]++;
    s->stats.commit_ns_sum += (uint64_t)commit_ns;
    s->stats.apply_hist[time_bucket(apply_ns)]++;
    s->stats.apply_ns_sum += (uint64_t)apply_ns;
    for (size_t k = 0; k < XD_STORE_TIME_BUCKETS; k++) {
        s->stats.queue_wait_hist[k] += wait_hist[k];
    }
    s->stats.queue_wait_ns_sum += wait_sum;
    if (journal_seq > s->stats.journal_seq) {
        s->stats.journal_seq = journal_seq;
    }
    if ((uint64_t)commit_ns > s->stats.commit_ns_max) {
        s->stats.commit_ns_max = (uint64_t)commit_ns;
    }
    pthread_mutex_unlock(&s->stats_mu);
}

/* ------------------------------------------------------------------------------------------ */
/* Writer connection */

static enum xd_status load_head(struct xd_store *s, struct xd_error *err)
{
    enum xd_status st = s->be->audit_head(s->wconn, &s->audit.seq, s->audit.hash, err);
    if (st == XD_ENOTFOUND) {
        s->audit.seq = 0;
        memcpy(s->audit.hash, xd_store__audit_genesis, sizeof s->audit.hash);
        st = XD_OK;
    }
    s->audit_valid = st == XD_OK;
    return st;
}

static void writer_disconnect(struct xd_store *s)
{
    if (s->wconn != NULL) {
        s->be->rollback(s->wconn);
        s->be->conn_close(s->wconn);
        s->wconn = NULL;
    }
    s->audit_valid = false;
}

/* Open the writer's connection and prove it with a transaction: migrate the schema, load the
 * audit head, and record why we (re)connected (<recovery_json>: NULL at first open). */
static enum xd_status writer_connect(struct xd_store *s, const char *recovery_json,
                                     struct xd_error *err)
{
    enum xd_status st = s->be->writer_open(s->db, &s->wconn, err);
    if (st != XD_OK) {
        s->wconn = NULL;
        return st;
    }
    bool others = false;
    int from = 0;
    int to = 0;
    st = s->be->begin(s->wconn, &others, err);
    if (st == XD_OK) {
        st = s->be->migrate(s->wconn, &from, &to, err);
    }
    if (st == XD_OK) {
        st = load_head(s, err);
    }
    int64_t journal_seq = 0;
    if (st == XD_OK) {
        st = s->be->journal_head(s->wconn, &journal_seq, err);
    }
    if (st == XD_OK && from != to) {
        char after[64];
        snprintf(after, sizeof after, "{\"schema_from\":%d,\"schema_to\":%d}", from, to);
        st = xd_store__audit_system(s, "store.migrate", after, err);
    }
    if (st == XD_OK && recovery_json != NULL) {
        st = xd_store__audit_system(s, "store.recover", recovery_json, err);
    }
    if (st == XD_OK) {
        st = s->be->commit(s->wconn, err);
    }
    if (st != XD_OK) {
        writer_disconnect(s);
        return st;
    }
    pthread_mutex_lock(&s->stats_mu);
    s->stats.journal_seq = journal_seq;
    pthread_mutex_unlock(&s->stats_mu);
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Storage failure and recovery */

/* The batch in <list> (and everything still queued) is lost: answer all of it unavailable,
 * close the connection (a failed fsync is never retried on the same handle: the kernel may
 * have dropped the dirty pages and a second fsync would report success for data that is not
 * on disk), and let the writer loop recover. */
static void storage_failed(struct xd_store *s, struct xd_store_op *list, size_t n,
                           const struct xd_error *why)
{
    writer_disconnect(s);
    snprintf(s->last_failure, sizeof s->last_failure, "%s", why->message);
    /* Counted before anyone can see the store unhealthy (a submit refused at once). */
    pthread_mutex_lock(&s->stats_mu);
    s->stats.storage_failures++;
    pthread_mutex_unlock(&s->stats_mu);

    pthread_mutex_lock(&s->mu);
    atomic_store(&s->healthy, false);
    struct xd_store_op *queued = s->head;
    size_t n_queued = s->depth;
    s->head = s->tail = NULL;
    s->depth = 0;
    pthread_mutex_unlock(&s->mu);

    XD_LOG_ERROR("store", NULL,
                 "storage failure, writer reconnecting; %zu operations answered unavailable: %s",
                 n + n_queued, why->message);
    for (struct xd_store_op *op = list; op != NULL; op = op->next_) {
        answer_unavailable(op, why->message);
    }
    for (struct xd_store_op *op = queued; op != NULL; op = op->next_) {
        answer_unavailable(op, why->message);
    }
    pthread_mutex_lock(&s->stats_mu);
    s->stats.ops_failed += n + n_queued;
    pthread_mutex_unlock(&s->stats_mu);
    complete_list(s, list);
    complete_list(s, queued);
}

/* Sleep until <deadline> (CLOCK_MONOTONIC) or until closing; true when closing. */
static bool wait_or_close(struct xd_store *s, const struct timespec *deadline)
{
    pthread_mutex_lock(&s->mu);
    while (!s->closing) {
        if (pthread_cond_timedwait(&s->work_cv, &s->mu, deadline) == ETIMEDOUT) {
            break;
        }
    }
    bool closing = s->closing;
    pthread_mutex_unlock(&s->mu);
    return closing;
}

/* Reopen with backoff until a probe transaction commits. False when the store closes first. */
static bool recover(struct xd_store *s)
{
    int64_t backoff_ms = RECOVER_BACKOFF_MIN_MS;
    for (unsigned attempt = 1;; attempt++) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += backoff_ms / 1000;
        deadline.tv_nsec += (backoff_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        if (wait_or_close(s, &deadline)) {
            return false;
        }
        struct xd_buf *j = &s->scratch;
        xd_buf_reset(j);
        enum xd_status st = xd_buf_printf(j, "{\"attempt\":%u,\"failure\":\"", attempt);
        if (st == XD_OK) {
            st = xd_buf_append_json_str(j, s->last_failure, strlen(s->last_failure));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(j, "\"}");
        }
        struct xd_error err = {0};
        if (st == XD_OK) {
            st = writer_connect(s, j->data, &err);
        } else {
            xd_error_set(&err, st, "recovery record: %s", xd_strerror(st));
        }
        if (st == XD_OK) {
            pthread_mutex_lock(&s->mu);
            atomic_store(&s->healthy, true);
            pthread_mutex_unlock(&s->mu);
            pthread_mutex_lock(&s->stats_mu);
            s->stats.recoveries++;
            pthread_mutex_unlock(&s->stats_mu);
            XD_LOG_INFO("store", NULL, "storage recovered after %u attempts; accepting writes",
                        attempt);
            return true;
        }
        XD_LOG_WARN("store", NULL, "storage still unavailable (attempt %u, next in %lld ms): %s",
                    attempt, (long long)backoff_ms, err.message);
        backoff_ms =
            backoff_ms * 2 > RECOVER_BACKOFF_MAX_MS ? RECOVER_BACKOFF_MAX_MS : backoff_ms * 2;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Outbox change events */

void xd_store__event_add(struct xd_store *s, enum xd_store_outbox_event kind, const char *partner,
                         const char *endpoint)
{
    if (s->events_overflow) {
        return;
    }
    if (s->n_events > 0) {
        const struct xd_store__event *last = &s->events[s->n_events - 1];
        if (last->kind == kind && strcmp(last->partner, partner) == 0 &&
            strcmp(last->endpoint, endpoint) == 0) {
            return; /* a run of messages for one queue, the common case of a bulk enqueue */
        }
    }
    if (s->n_events == XD_STORE_EVENTS_MAX || strlen(partner) > XD_STORE_NAME_MAX ||
        strlen(endpoint) > XD_STORE_NAME_MAX) {
        s->events_overflow = true;
        return;
    }
    struct xd_store__event *e = &s->events[s->n_events++];
    e->kind = kind;
    snprintf(e->partner, sizeof e->partner, "%s", partner);
    snprintf(e->endpoint, sizeof e->endpoint, "%s", endpoint);
}

static void events_reset(struct xd_store *s)
{
    s->n_events = 0;
    s->events_overflow = false;
}

/* After the commit: tell the watcher what changed. */
static void events_report(struct xd_store *s)
{
    if (s->n_events == 0 && !s->events_overflow) {
        return;
    }
    /* Under mu, so that once xd_store_outbox_watch(NULL) returned no call is under way. */
    pthread_mutex_lock(&s->mu);
    xd_store_outbox_watch_fn fn = s->watch_fn;
    void *arg = s->watch_arg;
    if (fn != NULL && s->events_overflow) {
        fn(arg, XD_STORE_OUTBOX_ALL, NULL, NULL);
    } else if (fn != NULL) {
        for (size_t i = 0; i < s->n_events; i++) {
            fn(arg, s->events[i].kind, s->events[i].partner, s->events[i].endpoint);
        }
    }
    pthread_mutex_unlock(&s->mu);
    events_reset(s);
}

void xd_store_outbox_watch(struct xd_store *s, xd_store_outbox_watch_fn fn, void *arg)
{
    pthread_mutex_lock(&s->mu);
    s->watch_fn = fn;
    s->watch_arg = arg;
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------------------------------------ */
/* Group commit */

/* Undo what the previous attempt at <op> reported, before it is applied (again). */
static void reset_outputs(struct xd_store_op *op)
{
    op->status = XD_OK;
    xd_error_clear(&op->err);
    xd_free(op->idem_body);
    op->idem_body = NULL;
    op->idem_body_len = 0;
    op->idem_http_status = 0;
}

/* Apply every op of the batch inside the open transaction. Ops normally run bare: a failing op
 * is rare, and savepoints cost two statements per op. When an op fails after it wrote rows (or
 * the backend lost the transaction), XD_EAGAIN asks the caller to roll back and run the batch
 * again with <safe> set, where each op has its own savepoint and a failure undoes only its own
 * rows. Either way a failed op's audit record goes too: the in-memory head is put back.
 * XD_EUNAVAIL: storage failed, the batch is lost. */
static enum xd_status apply_all(struct xd_store *s, struct xd_store_op *list, bool safe,
                                struct xd_error *err)
{
    const struct xd_store__backend *be = s->be;
    events_reset(s);
    for (struct xd_store_op *op = list; op != NULL; op = op->next_) {
        reset_outputs(op);
        if (safe && be->savepoint(s->wconn, err) != XD_OK) {
            return XD_EUNAVAIL;
        }
        struct xd_store__audit_head before = s->audit;
        uint64_t mark = be->changes(s->wconn);
        size_t events_mark = s->n_events;
        bool overflow_mark = s->events_overflow;
        if (xd_store__op_apply(s, op, err) != XD_OK) {
            return XD_EUNAVAIL;
        }
        if (op->status != XD_OK) {
            s->audit = before;
            s->n_events = events_mark; /* a failed op changed nothing to report */
            s->events_overflow = overflow_mark;
            if (!safe && (be->changes(s->wconn) != mark || !be->in_transaction(s->wconn))) {
                return XD_EAGAIN;
            }
            if (safe && be->rollback_to(s->wconn, err) != XD_OK) {
                return XD_EUNAVAIL;
            }
        }
        if (safe && be->release(s->wconn, err) != XD_OK) {
            return XD_EUNAVAIL;
        }
    }
    return XD_OK;
}

/* Begin the batch's transaction; the audit head is reloaded when somebody else wrote. */
static enum xd_status batch_begin(struct xd_store *s, struct xd_error *err)
{
    bool others = false;
    enum xd_status st = s->be->begin(s->wconn, &others, err);
    if (st == XD_OK && (others || !s->audit_valid)) {
        st = load_head(s, err);
    }
    return st;
}

static void run_batch(struct xd_store *s, struct xd_store_op *list, size_t n, int64_t taken)
{
    struct xd_error err = {0};
    enum xd_status st = batch_begin(s, &err);
    struct xd_store__audit_head committed = s->audit;
    if (st == XD_OK) {
        st = apply_all(s, list, false, &err);
    }
    if (st == XD_EAGAIN) {
        s->be->rollback(s->wconn);
        s->audit = committed;
        st = batch_begin(s, &err);
        committed = s->audit;
        if (st == XD_OK) {
            st = apply_all(s, list, true, &err);
        }
    }
    int64_t t0 = xd_mono_ns();
    if (st == XD_OK) {
        st = s->be->commit(s->wconn, &err);
    }
    int64_t commit_ns = xd_mono_ns() - t0;
    if (st != XD_OK) {
        s->audit = committed;
        events_reset(s);
        storage_failed(s, list, n, &err);
        return;
    }
    count_outcomes(s, list, n, taken, t0 - taken, commit_ns);
    /* Committed: the watcher hears of the new work before the submitters hear of their ops,
     * so whoever waited for a commit may rely on the engine knowing. */
    events_report(s);
    complete_list(s, list);
    /* After the acknowledgements: a checkpoint delays the next batch, never this one. */
    if (s->be->maintain(s->wconn, false, &err) != XD_OK) {
        storage_failed(s, NULL, 0, &err);
    }
}

/* Take up to batch_max ops off the queue; the caller holds mu. */
static struct xd_store_op *take_batch(struct xd_store *s, size_t *n_out)
{
    struct xd_store_op *first = s->head;
    struct xd_store_op *last = first;
    size_t n = 1;
    while (n < s->opts.batch_max && last->next_ != NULL) {
        last = last->next_;
        n++;
    }
    s->head = last->next_;
    if (s->head == NULL) {
        s->tail = NULL;
    }
    last->next_ = NULL;
    s->depth -= n;
    *n_out = n;
    return first;
}

static void *writer_main(void *arg)
{
    pthread_setname_np(pthread_self(), "xd-store"); /* shown by top -H, perf, gdb */
    struct xd_store *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (s->head == NULL && !s->closing && atomic_load(&s->healthy)) {
            pthread_cond_wait(&s->work_cv, &s->mu);
        }
        if (!atomic_load(&s->healthy)) {
            pthread_mutex_unlock(&s->mu);
            if (!recover(s)) {
                break;
            }
            continue;
        }
        if (s->head == NULL) {
            pthread_mutex_unlock(&s->mu); /* closing, and everything queued is done */
            break;
        }
        size_t n = 0;
        struct xd_store_op *batch = take_batch(s, &n);
        pthread_mutex_unlock(&s->mu);
        run_batch(s, batch, n, xd_mono_ns());
    }
    if (s->wconn != NULL) {
        struct xd_error err = {0};
        if (s->be->maintain(s->wconn, true, &err) != XD_OK) {
            XD_LOG_WARN("store", NULL, "final checkpoint: %s", err.message);
        }
        writer_disconnect(s);
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Open and close */

static void store_free(struct xd_store *s)
{
    xd_buf_cleanup(&s->respond_body);
    xd_buf_cleanup(&s->scratch);
    xd_buf_cleanup(&s->scratch2);
    xd_free(s->events);
    xd_free(s->pool_free);
    xd_free(s->data_dir);
    xd_free(s);
}

static enum xd_status sync_init(struct xd_store *s)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) {
        return XD_ENOMEM;
    }
    /* Recovery backoff waits on work_cv with a deadline that must not jump with the wall
     * clock. */
    int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0) {
        rc = pthread_cond_init(&s->work_cv, &ca);
    }
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        return XD_ENOMEM;
    }
    pthread_mutex_t *mus[] = {&s->mu, &s->done_mu, &s->stats_mu, &s->pool_mu};
    for (size_t i = 0; i < XD_ARRAY_LEN(mus); i++) {
        if (pthread_mutex_init(mus[i], NULL) != 0) {
            return XD_ENOMEM; /* the process is out of resources; leaking what exists is moot */
        }
    }
    if (pthread_cond_init(&s->done_cv, NULL) != 0 || pthread_cond_init(&s->pool_cv, NULL) != 0) {
        return XD_ENOMEM;
    }
    return XD_OK;
}

static void sync_destroy(struct xd_store *s)
{
    pthread_cond_destroy(&s->work_cv);
    pthread_cond_destroy(&s->done_cv);
    pthread_cond_destroy(&s->pool_cv);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->done_mu);
    pthread_mutex_destroy(&s->stats_mu);
    pthread_mutex_destroy(&s->pool_mu);
}

static enum xd_status options_check(const struct xd_store_options *o, struct xd_error *err)
{
    if (o == NULL || o->data_dir == NULL || o->data_dir[0] == '\0') {
        return xd_error_set(err, XD_EINVAL, "store: a data directory is required");
    }
    if (o->queue_cap == 0 || o->batch_max == 0 || o->readers_max == 0) {
        return xd_error_set(err, XD_EINVAL,
                            "store: queue_cap, batch_max and readers_max must be at least 1");
    }
    return XD_OK;
}

static enum xd_status store_alloc(const struct xd_store_options *o, struct xd_store **out,
                                  struct xd_error *err)
{
    struct xd_store *s = xd_calloc(1, sizeof *s);
    if (s == NULL) {
        return xd_error_set(err, XD_ENOMEM, "store: out of memory");
    }
    s->be = &xd_store__sqlite;
    s->opts = *o;
    s->data_dir = xd_strdup(o->data_dir);
    s->pool_free = xd_calloc(o->readers_max, sizeof *s->pool_free);
    s->events = xd_calloc(XD_STORE_EVENTS_MAX, sizeof *s->events);
    xd_buf_init(&s->respond_body, XD_STORE_RESPONSE_MAX);
    xd_buf_init(&s->scratch, SCRATCH_MAX);
    xd_buf_init(&s->scratch2, SCRATCH_MAX);
    if (s->data_dir == NULL || s->pool_free == NULL || s->events == NULL) {
        store_free(s);
        return xd_error_set(err, XD_ENOMEM, "store: out of memory");
    }
    s->opts.data_dir = s->data_dir;
    *out = s;
    return XD_OK;
}

enum xd_status xd_store_open(const struct xd_store_options *o, struct xd_store **out,
                             struct xd_error *err)
{
    enum xd_status st = options_check(o, err);
    struct xd_store *s = NULL;
    if (st == XD_OK) {
        st = store_alloc(o, &s, err);
    }
    if (st != XD_OK) {
        return st;
    }
    if (sync_init(s) != XD_OK) {
        store_free(s);
        return xd_error_set(err, XD_ENOMEM, "store: cannot create locks");
    }
    st = s->be->db_open(&s->opts, &s->db, err);
    if (st == XD_OK) {
        st = writer_connect(s, NULL, err);
    }
    if (st == XD_OK) {
        atomic_store(&s->healthy, true);
        if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
            writer_disconnect(s);
            st = xd_error_set(err, XD_ENOMEM, "store: cannot start the writer thread");
        }
    }
    if (st != XD_OK) {
        s->be->db_close(s->db);
        sync_destroy(s);
        store_free(s);
        return st;
    }
    XD_LOG_INFO("store", NULL, "store open at %s (backend %s, durable %s)", s->data_dir,
                s->be->name, s->opts.durable ? "yes" : "no");
    *out = s;
    return XD_OK;
}

void xd_store_close(struct xd_store *s)
{
    if (s == NULL) {
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->closing = true;
    pthread_cond_broadcast(&s->work_cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->writer, NULL);
    xd_store__pool_close(s);
    s->be->db_close(s->db);
    sync_destroy(s);
    store_free(s);
}

/* ------------------------------------------------------------------------------------------ */
/* Submitting */

enum xd_status xd_store_submit(struct xd_store *s, struct xd_store_op *op)
{
    if (s == NULL || op == NULL) {
        return XD_EINVAL;
    }
    xd_error_clear(&op->err);
    op->idem_body = NULL;
    op->idem_body_len = 0;
    op->idem_http_status = 0;
    op->next_ = NULL;
    op->done_flag_ = 0;
    enum xd_status st = xd_store__op_validate(op);
    if (st != XD_OK) {
        op->status = st;
        return st;
    }
    op->submitted_ns_ = xd_mono_ns(); /* the clock read outside the submitters' lock */
    pthread_mutex_lock(&s->mu);
    if (s->closing) {
        st = XD_ECLOSED;
    } else if (!atomic_load(&s->healthy)) {
        st = XD_EUNAVAIL;
    } else if (s->depth >= s->opts.queue_cap) {
        st = XD_EAGAIN;
    } else {
        op->status = XD_EAGAIN; /* until the writer says otherwise */
        if (s->tail != NULL) {
            s->tail->next_ = op;
        } else {
            s->head = op;
            pthread_cond_signal(&s->work_cv);
        }
        s->tail = op;
        s->depth++;
    }
    pthread_mutex_unlock(&s->mu);
    if (st != XD_OK) {
        op->status = st;
        xd_error_set(&op->err, st, "store: %s",
                     st == XD_EUNAVAIL ? "storage unavailable, recovering" : xd_strerror(st));
    }
    return st;
}

enum xd_status xd_store_wait(struct xd_store *s, struct xd_store_op *op)
{
    pthread_mutex_lock(&s->done_mu);
    while (!op->done_flag_) {
        pthread_cond_wait(&s->done_cv, &s->done_mu);
    }
    pthread_mutex_unlock(&s->done_mu);
    return op->status;
}

/* One blocking caller of xd_store_execute: woken alone, not with every waiter of the batch. */
struct exec_waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
};

static void exec_wake(struct xd_store_op *op, void *arg)
{
    (void)op;
    struct exec_waiter *w = arg;
    pthread_mutex_lock(&w->mu);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

enum xd_status xd_store_execute(struct xd_store *s, struct xd_store_op *op)
{
    if (op == NULL) {
        return XD_EINVAL;
    }
    struct exec_waiter w = {.done = false};
    if (pthread_mutex_init(&w.mu, NULL) != 0) {
        return XD_ENOMEM;
    }
    if (pthread_cond_init(&w.cv, NULL) != 0) {
        pthread_mutex_destroy(&w.mu);
        return XD_ENOMEM;
    }
    op->done = exec_wake;
    op->done_arg = &w;
    enum xd_status st = xd_store_submit(s, op);
    if (st == XD_OK) {
        pthread_mutex_lock(&w.mu);
        while (!w.done) {
            pthread_cond_wait(&w.cv, &w.mu);
        }
        pthread_mutex_unlock(&w.mu);
        st = op->status;
    }
    op->done = NULL;
    op->done_arg = NULL;
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return st;
}

void xd_store_op_cleanup(struct xd_store_op *op)
{
    if (op == NULL) {
        return;
    }
    xd_free(op->idem_body);
    op->idem_body = NULL;
    op->idem_body_len = 0;
}

enum xd_status xd_store_control_next(struct xd_store *s, const char *partner, const char *kind,
                                     int64_t count, const char *actor, int64_t *first,
                                     struct xd_error *err)
{
    struct xd_store_op op = {.kind = XD_STORE_OP_CONTROL_ALLOC};
    op.u.control = (struct xd_store_control_alloc){
        .partner = partner, .kind = kind, .count = count, .actor = actor};
    enum xd_status st = xd_store_execute(s, &op);
    if (st != XD_OK) {
        if (err != NULL) {
            *err = op.err;
        }
        return st;
    }
    *first = op.u.control.first;
    return XD_OK;
}

void xd_store_stats(struct xd_store *s, struct xd_store_stats *out)
{
    pthread_mutex_lock(&s->stats_mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->stats_mu);
    pthread_mutex_lock(&s->mu);
    out->queue_depth = s->depth;
    pthread_mutex_unlock(&s->mu);
    out->healthy = atomic_load(&s->healthy);
}
