/* SPDX-License-Identifier: MIT
 * The delivery engine's loop. Each turn: take what other threads handed in (committed store
 * operations, finished DNS lookups and file writes, the store's "this queue has work" events),
 * let libcurl move the transfers and collect the finished ones, read the windows of queues
 * that changed, decide which messages start (order, breaker, failover, limits), and commit the
 * turn's bookkeeping as one store operation: the results of finished attempts, then the claims
 * of the next ones. A claim commits before its attempt starts, so the store always knows what
 * may have reached a partner; a result commits before the next message of an ordered queue is
 * claimed, in the same transaction at the latest.
 *
 * Threads: the engine thread owns the queues, their windows and breakers, the attempts, the
 * DNS cache and the operation being built. The inbox (done operations, done steps, events) is
 * under inbox_mu: the store's writer thread and the workers fill it, the engine empties it.
 * Queue views are under view_mu: the engine writes them, the HTTP server reads them. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "deliver/deliver_int.h"

#define STORE_PAUSE_MS 500  /* after a failed store operation, before claiming again */
#define POLL_MAX_MS    1000 /* the loop wakes at least this often */
#define STOP_POLL_MS   50
#define OP_ARENA_CHUNK ((size_t)64 * 1024)
#define PICK_MAX       64
#define START_CHUNK    512 /* messages read in one statement when attempts start */

const int64_t xd_deliver__latency_bounds_us[XD_DELIVER__LATENCY_BUCKETS - 1] = {
    5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};

void xd_deliver_options_init(struct xd_deliver_options *o)
{
    *o = (struct xd_deliver_options){
        .max_in_flight = 256,
        .window = 64,
        .workers = 2,
        .stop_grace_ms = 10000,
    };
}

static uint64_t next_random(struct xd_deliver *d)
{
    /* xorshift64*: jitter needs spread, not secrecy. */
    d->rng ^= d->rng >> 12;
    d->rng ^= d->rng << 25;
    d->rng ^= d->rng >> 27;
    return d->rng * 2685821657736338717ULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Queues */

static uint64_t queue_hash(const char *partner, const char *endpoint)
{
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = partner; *p != '\0'; p++) {
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    }
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = endpoint; *p != '\0'; p++) {
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    }
    return h;
}

static struct xd_deliver__queue *queue_find(struct xd_deliver *d, const char *partner,
                                            const char *endpoint)
{
    if (d->index_cap == 0) {
        return NULL;
    }
    size_t mask = d->index_cap - 1;
    for (size_t i = queue_hash(partner, endpoint) & mask; d->index[i] != 0; i = (i + 1) & mask) {
        struct xd_deliver__queue *q = d->queues[d->index[i] - 1];
        if (strcmp(q->partner, partner) == 0 && strcmp(q->endpoint, endpoint) == 0) {
            return q;
        }
    }
    return NULL;
}

static enum xd_status index_grow(struct xd_deliver *d)
{
    size_t cap = d->index_cap ? d->index_cap * 2 : 64;
    uint32_t *idx = xd_calloc(cap, sizeof *idx);
    if (idx == NULL) {
        return XD_ENOMEM;
    }
    for (size_t k = 0; k < d->n_queues; k++) {
        size_t i = queue_hash(d->queues[k]->partner, d->queues[k]->endpoint) & (cap - 1);
        while (idx[i] != 0) {
            i = (i + 1) & (cap - 1);
        }
        idx[i] = (uint32_t)k + 1;
    }
    xd_free(d->index);
    d->index = idx;
    d->index_cap = cap;
    return XD_OK;
}

static void view_publish(struct xd_deliver *d, struct xd_deliver__queue *q)
{
    pthread_mutex_lock(&d->view_mu);
    q->view.configured = q->configured;
    q->view.breaker = q->br.state;
    q->view.failures = q->br.failures;
    q->view.breaker_since_ms = q->br.since_ms;
    q->view.down_since_ms = q->br.down_since_ms;
    memcpy(q->view.transitions, q->br.transitions, sizeof q->view.transitions);
    q->view.disabled = q->disabled;
    q->view.busy = q->busy;
    pthread_mutex_unlock(&d->view_mu);
}

/* The registry's configuration of <q>, read again when the registry changed. */
static void queue_config(struct xd_deliver *d, struct xd_deliver__queue *q)
{
    uint64_t gen = d->reg.generation(d->reg.arg);
    if (q->cfg_loaded && gen == q->cfg_generation) {
        return;
    }
    struct xd_deliver_endpoint e;
    if (d->reg.lookup(d->reg.arg, q->partner, q->endpoint, &e) == XD_OK) {
        q->cfg = e;
        q->configured = true;
        if (e.config_error[0] != '\0') {
            XD_LOG_WARN("deliver", NULL, "endpoint %s/%s cannot be used: %s", q->partner,
                        q->endpoint, e.config_error);
        }
    } else {
        /* Messages for an endpoint nobody configured wait under the default retry policy and
         * end in the dead-letter queue if it never appears. */
        xd_deliver_endpoint_defaults(&q->cfg);
        snprintf(q->cfg.partner, sizeof q->cfg.partner, "%s", q->partner);
        snprintf(q->cfg.name, sizeof q->cfg.name, "%s", q->endpoint);
        q->configured = false;
    }
    memset(&e, 0, sizeof e); /* it held secrets */
    q->cfg_generation = gen;
    q->cfg_loaded = true;
    view_publish(d, q);
}

static struct xd_deliver__queue *queue_get(struct xd_deliver *d, const char *partner,
                                           const char *endpoint)
{
    struct xd_deliver__queue *q = queue_find(d, partner, endpoint);
    if (q != NULL || !xd_store_name_valid(partner) || !xd_store_name_valid(endpoint)) {
        return q;
    }
    if (d->n_queues == XD_DELIVER__QUEUES_MAX) {
        XD_LOG_ERROR("deliver", NULL, "more than %d delivery queues; %s/%s is not served",
                     XD_DELIVER__QUEUES_MAX, partner, endpoint);
        return NULL;
    }
    if ((d->n_queues + 1) * 2 > d->index_cap && index_grow(d) != XD_OK) {
        return NULL;
    }
    q = xd_calloc(1, sizeof *q);
    if (q == NULL || xd_deliver__window_init(&q->win, d->opts.window) != XD_OK) {
        xd_free(q);
        return NULL;
    }
    snprintf(q->partner, sizeof q->partner, "%s", partner);
    snprintf(q->endpoint, sizeof q->endpoint, "%s", endpoint);
    xd_deliver__breaker_init(&q->br);
    q->reload = true;
    pthread_mutex_lock(&d->view_mu);
    if (d->n_queues == d->queues_cap) {
        size_t cap = d->queues_cap ? d->queues_cap * 2 : 16;
        struct xd_deliver__queue **g =
            xd_reallocarray(d->queues, cap, sizeof(struct xd_deliver__queue *));
        if (g == NULL) {
            pthread_mutex_unlock(&d->view_mu);
            xd_deliver__window_cleanup(&q->win);
            xd_free(q);
            return NULL;
        }
        d->queues = g;
        d->queues_cap = cap;
    }
    d->queues[d->n_queues++] = q;
    pthread_mutex_unlock(&d->view_mu);
    size_t mask = d->index_cap - 1;
    size_t i = queue_hash(partner, endpoint) & mask;
    while (d->index[i] != 0) {
        i = (i + 1) & mask;
    }
    d->index[i] = (uint32_t)d->n_queues;
    queue_config(d, q);
    return q;
}

static void queue_free(struct xd_deliver__queue *q)
{
    xd_deliver__window_cleanup(&q->win);
    memset(&q->cfg, 0, sizeof q->cfg);
    xd_free(q);
}

/* ------------------------------------------------------------------------------------------ */
/* Inbox */

void xd_deliver__wake(struct xd_deliver *d)
{
    curl_multi_wakeup(d->multi);
}

/* Writer thread: a store operation of the engine completed. */
static void op_completed(struct xd_store_op *op, void *arg)
{
    (void)op;
    struct xd_deliver__op *o = arg;
    struct xd_deliver *d = o->d;
    pthread_mutex_lock(&d->inbox_mu);
    o->next = NULL;
    *d->done_ops_tail = o;
    d->done_ops_tail = &o->next;
    pthread_mutex_unlock(&d->inbox_mu);
    xd_deliver__wake(d);
}

void xd_deliver__inbox_step(struct xd_deliver *d, struct xd_deliver__xfer *x)
{
    pthread_mutex_lock(&d->inbox_mu);
    x->next = NULL;
    *d->done_steps_tail = x;
    d->done_steps_tail = &x->next;
    pthread_mutex_unlock(&d->inbox_mu);
    xd_deliver__wake(d);
}

/* Writer thread, with the store's queue lock held: remember which queues got work. */
static void on_store_event(void *arg, enum xd_store_outbox_event kind, const char *partner,
                           const char *endpoint)
{
    struct xd_deliver *d = arg;
    pthread_mutex_lock(&d->inbox_mu);
    if (kind == XD_STORE_OUTBOX_ALL || d->n_events == XD_DELIVER__INBOX_EVENTS) {
        d->events_all = true;
    } else if (!d->events_all) {
        bool seen = false;
        for (size_t i = 0; i < d->n_events && !seen; i++) {
            const struct xd_deliver__event *e = &d->events[i];
            seen = e->kind == kind && strcmp(e->partner, partner) == 0 &&
                   strcmp(e->endpoint, endpoint) == 0;
        }
        if (!seen) {
            struct xd_deliver__event *e = &d->events[d->n_events++];
            e->kind = kind;
            snprintf(e->partner, sizeof e->partner, "%s", partner);
            snprintf(e->endpoint, sizeof e->endpoint, "%s", endpoint);
        }
    }
    pthread_mutex_unlock(&d->inbox_mu);
    xd_deliver__wake(d);
}

/* ------------------------------------------------------------------------------------------ */
/* Store operations */

static struct xd_deliver__op *op_new(struct xd_deliver *d, enum xd_deliver__op_kind kind)
{
    struct xd_arena *a = xd_arena_create(OP_ARENA_CHUNK, 0);
    struct xd_deliver__op *o = a != NULL ? xd_arena_calloc(a, 1, sizeof *o) : NULL;
    if (o == NULL) {
        xd_arena_destroy(a);
        return NULL;
    }
    o->d = d;
    o->kind = kind;
    o->arena = a;
    o->op.done = op_completed;
    o->op.done_arg = o;
    return o;
}

static void op_free(struct xd_deliver__op *o)
{
    xd_store_op_cleanup(&o->op);
    xd_arena_destroy(o->arena);
}

static void update_done(struct xd_deliver *d, struct xd_deliver__op *o);
static void other_done(struct xd_deliver *d, struct xd_deliver__op *o);

/* Submit <o>; when the store refuses it outright, complete it here as failed. */
static void op_submit(struct xd_deliver *d, struct xd_deliver__op *o)
{
    enum xd_status st = xd_store_submit(d->store, &o->op);
    if (st == XD_OK) {
        d->ops_out++;
        return;
    }
    if (st == XD_EINVAL) {
        XD_LOG_ERROR("deliver", NULL, "the store refused a delivery operation: %s",
                     o->op.err.message);
    }
    o->op.status = st;
    if (o->kind == XD_DELIVER__OP_UPDATE) {
        update_done(d, o);
    } else {
        other_done(d, o);
    }
    op_free(o);
}

/* The update operation of this turn, created on first use. */
static struct xd_deliver__op *building(struct xd_deliver *d)
{
    if (d->building != NULL) {
        return d->building;
    }
    struct xd_deliver__op *o = op_new(d, XD_DELIVER__OP_UPDATE);
    size_t cap = d->opts.max_in_flight;
    if (o != NULL) {
        o->cap = cap;
        o->results = xd_arena_calloc(o->arena, cap, sizeof *o->results);
        o->result_q = xd_arena_calloc(o->arena, cap, sizeof(struct xd_deliver__queue *));
        o->claims = xd_arena_calloc(o->arena, cap, sizeof *o->claims);
        o->claim_q = xd_arena_calloc(o->arena, cap, sizeof(struct xd_deliver__queue *));
        o->applied = xd_arena_calloc(o->arena, 2 * cap, sizeof *o->applied);
        o->op.kind = XD_STORE_OP_OUTBOX_UPDATE;
        if (o->results == NULL || o->result_q == NULL || o->claims == NULL || o->claim_q == NULL ||
            o->applied == NULL) {
            op_free(o);
            o = NULL;
        }
    }
    d->building = o;
    return o;
}

static void flush(struct xd_deliver *d)
{
    struct xd_deliver__op *o = d->building;
    if (o == NULL) {
        return;
    }
    d->building = NULL;
    struct xd_store_outbox_update *u = &o->op.u.outbox;
    if (u->n_results + u->n_claims == 0) {
        op_free(o);
        return;
    }
    u->results = o->results;
    u->claims = o->claims;
    u->at_ms = xd_now_ms();
    u->actor = "deliver";
    u->applied = o->applied;
    op_submit(d, o);
}

static const char *arena_copy(struct xd_arena *a, const char *s, size_t n)
{
    return s == NULL ? NULL : xd_arena_strndup(a, s, n);
}

/* Add a result to this turn's operation. The in-flight limit bounds results and claims of a
 * turn, so a full operation means a bug; it is flushed and a new one started all the same. */
static bool add_result(struct xd_deliver *d, struct xd_deliver__queue *q,
                       const struct xd_store_outbox_result *r)
{
    struct xd_deliver__op *o = building(d);
    if (o != NULL && o->op.u.outbox.n_results == o->cap) {
        flush(d);
        o = building(d);
    }
    if (o == NULL) {
        return false;
    }
    size_t i = o->op.u.outbox.n_results;
    struct xd_store_outbox_result *dst = &o->results[i];
    *dst = *r;
    dst->error = arena_copy(o->arena, r->error, r->error ? strlen(r->error) : 0);
    dst->reason = arena_copy(o->arena, r->reason, r->reason ? strlen(r->reason) : 0);
    dst->response = r->response_len > 0 ? arena_copy(o->arena, r->response, r->response_len) : NULL;
    dst->response_len = dst->response != NULL ? r->response_len : 0;
    o->result_q[i] = q;
    o->op.u.outbox.n_results++;
    return true;
}

static bool add_claim(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t seq)
{
    struct xd_deliver__op *o = building(d);
    if (o != NULL && o->op.u.outbox.n_claims == o->cap) {
        flush(d);
        o = building(d);
    }
    if (o == NULL) {
        return false;
    }
    o->claims[o->op.u.outbox.n_claims] = seq;
    o->claim_q[o->op.u.outbox.n_claims++] = q;
    return true;
}

static void breaker_persist(struct xd_deliver *d, struct xd_deliver__queue *q)
{
    struct xd_deliver__op *o = op_new(d, XD_DELIVER__OP_ENDPOINT);
    if (o == NULL) {
        return; /* only the record for a restart is lost; the breaker itself works on */
    }
    o->q = q;
    o->op.kind = XD_STORE_OP_ENDPOINT_UPDATE;
    o->op.u.endpoint = (struct xd_store_endpoint_update){
        .partner = q->partner,
        .name = q->endpoint,
        .action = XD_STORE_ENDPOINT_BREAKER,
        .breaker = xd_deliver_breaker_name(q->br.state),
        .breaker_since_ms = q->br.since_ms,
        .down_since_ms = q->br.down_since_ms,
        .actor = "deliver",
    };
    op_submit(d, o);
}

static void breaker_changed(struct xd_deliver *d, struct xd_deliver__queue *q)
{
    struct xd_log_ctx ctx = {.partner = q->partner, .action = "breaker"};
    if (q->br.state == XD_DELIVER_BREAKER_OPEN) {
        XD_LOG_WARN("deliver", &ctx, "breaker of %s/%s open for %lld ms", q->partner, q->endpoint,
                    (long long)q->cfg.breaker.open_ms);
    } else {
        XD_LOG_INFO("deliver", &ctx, "breaker of %s/%s %s", q->partner, q->endpoint,
                    xd_deliver_breaker_name(q->br.state));
    }
    view_publish(d, q);
    breaker_persist(d, q);
}

static void disable_endpoint(struct xd_deliver *d, struct xd_deliver__queue *q, const char *why)
{
    struct xd_log_ctx ctx = {.partner = q->partner, .action = "disable"};
    XD_LOG_WARN("deliver", &ctx, "endpoint %s/%s disabled until an operator enables it: %s",
                q->partner, q->endpoint, why);
    q->disabled = true;
    pthread_mutex_lock(&d->view_mu);
    snprintf(q->view.disabled_reason, sizeof q->view.disabled_reason, "%s", why);
    pthread_mutex_unlock(&d->view_mu);
    view_publish(d, q);
    struct xd_deliver__op *o = op_new(d, XD_DELIVER__OP_ENDPOINT);
    if (o == NULL) {
        return;
    }
    o->q = q;
    o->op.kind = XD_STORE_OP_ENDPOINT_UPDATE;
    o->op.u.endpoint = (struct xd_store_endpoint_update){
        .partner = q->partner,
        .name = q->endpoint,
        .action = XD_STORE_ENDPOINT_DISABLE,
        .reason = xd_arena_strdup(o->arena, why),
        .actor = "deliver",
    };
    op_submit(d, o);
}

/* ------------------------------------------------------------------------------------------ */
/* Completed operations */

static void release(struct xd_deliver *d, struct xd_deliver__queue *q)
{
    q->busy--;
    d->in_flight--;
    atomic_store(&d->view_in_flight, d->in_flight);
}

/* Start the attempts of claims that committed: their messages are read in one statement (one
 * read snapshot per chunk instead of one per attempt), then each attempt goes its way. */
static void start_claimed(struct xd_deliver *d, const int64_t *seqs,
                          struct xd_deliver__queue *const *queues, size_t n)
{
    for (size_t done = 0; done < n;) {
        size_t k = n - done < START_CHUNK ? n - done : START_CHUNK;
        struct xd_arena *a = xd_arena_create(OP_ARENA_CHUNK, 0);
        struct xd_store_outbox_msg *msgs = NULL;
        size_t got = 0;
        struct xd_error err = {0};
        if (a == NULL ||
            xd_store_outbox_get_seqs(d->store, seqs + done, k, a, &msgs, &got, &err) != XD_OK) {
            got = 0; /* each attempt reads its own message, and reports why it cannot */
        }
        for (size_t i = done; i < done + k; i++) {
            /* The rows come in seq order; claims in the order queues were visited. */
            size_t lo = 0;
            size_t hi = got;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (msgs[mid].seq < seqs[i]) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            const struct xd_store_outbox_msg *m =
                lo < got && msgs[lo].seq == seqs[i] ? &msgs[lo] : NULL;
            xd_deliver__attempt_start(d, queues[i], seqs[i], m);
        }
        xd_arena_destroy(a);
        done += k;
    }
}

static void update_done(struct xd_deliver *d, struct xd_deliver__op *o)
{
    const struct xd_store_outbox_update *u = &o->op.u.outbox;
    bool ok = o->op.status == XD_OK;
    int64_t now = xd_now_ms();
    if (!ok) {
        XD_LOG_WARN("deliver", NULL,
                    "recording %zu results and %zu claims failed (%s); they are attempted again",
                    u->n_results, u->n_claims,
                    o->op.err.message[0] ? o->op.err.message : xd_strerror(o->op.status));
        d->store_pause_until_ms = now + STORE_PAUSE_MS;
    }
    for (size_t i = 0; i < u->n_results; i++) {
        struct xd_deliver__queue *q = o->result_q[i];
        struct xd_deliver__msg *m = xd_deliver__window_find(&q->win, o->results[i].seq);
        if (m == NULL) {
            continue;
        }
        bool applied = ok && o->applied[i];
        if (!applied) {
            /* Not recorded: the store still says delivering, so the message goes again (with
             * its key: an idempotent receiver takes it once). */
            m->phase = XD_DELIVER__IDLE;
            m->leaving = false;
            m->next_at_ms = ok ? now : now + STORE_PAUSE_MS;
            q->reload |= ok; /* applied nowhere: somebody changed it, read it again */
        } else if (o->results[i].outcome == XD_STORE_OUTBOX_RETRY) {
            m->phase = XD_DELIVER__IDLE;
            m->next_at_ms = o->results[i].next_attempt_at_ms;
        } else {
            xd_deliver__window_remove(&q->win, o->results[i].seq);
        }
        release(d, q);
        view_publish(d, q);
    }
    bool stopping = atomic_load(&d->stopping);
    size_t n_start = 0;
    for (size_t i = 0; i < u->n_claims; i++) {
        struct xd_deliver__queue *q = o->claim_q[i];
        struct xd_deliver__msg *m = xd_deliver__window_find(&q->win, o->claims[i]);
        if (m == NULL) {
            continue;
        }
        if (ok && o->applied[u->n_results + i] && !stopping) {
            m->attempts++;
            m->phase = XD_DELIVER__SENDING;
            /* Compact the claims to start in place: their messages are read together. */
            o->claims[n_start] = o->claims[i];
            o->claim_q[n_start++] = q;
            continue;
        }
        m->phase = XD_DELIVER__IDLE;
        q->reload |= ok && !o->applied[u->n_results + i];
        xd_deliver__breaker_neutral(&q->br);
        release(d, q);
        view_publish(d, q);
    }
    start_claimed(d, o->claims, o->claim_q, n_start);
}

static void other_done(struct xd_deliver *d, struct xd_deliver__op *o)
{
    struct xd_deliver__queue *q = o->q;
    if (o->kind == XD_DELIVER__OP_REROUTE) {
        q->rerouting = false;
        const struct xd_store_outbox_reroute *r = &o->op.u.reroute;
        if (o->op.status != XD_OK) {
            XD_LOG_ERROR("deliver", NULL, "failover of %s/%s to %s/%s not recorded: %s", q->partner,
                         q->endpoint, r->to_partner, r->to_endpoint, o->op.err.message);
            d->store_pause_until_ms = xd_now_ms() + STORE_PAUSE_MS;
            return;
        }
        if (r->count > 0) {
            struct xd_log_ctx ctx = {.partner = q->partner, .action = "failover"};
            XD_LOG_WARN("deliver", &ctx, "%zu messages of %s/%s re-routed to %s/%s: %s", r->count,
                        q->partner, q->endpoint, r->to_partner, r->to_endpoint, r->reason);
            pthread_mutex_lock(&d->view_mu);
            q->view.rerouted += r->count;
            pthread_mutex_unlock(&d->view_mu);
        }
        q->reload = true;
        return;
    }
    if (o->op.status != XD_OK) {
        XD_LOG_ERROR("deliver", NULL, "endpoint state of %s/%s not recorded: %s", q->partner,
                     q->endpoint, o->op.err.message);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Events and windows */

static void endpoint_state(struct xd_deliver *d, struct xd_deliver__queue *q)
{
    struct xd_store_endpoint e;
    struct xd_error err = {0};
    xd_arena_reset(d->scratch);
    enum xd_status st =
        xd_store_endpoint_get(d->store, q->partner, q->endpoint, d->scratch, &e, &err);
    if (st != XD_OK && st != XD_ENOTFOUND) {
        XD_LOG_WARN("deliver", NULL, "reading the state of %s/%s: %s", q->partner, q->endpoint,
                    err.message);
        return;
    }
    bool disabled = st == XD_OK && e.disabled;
    if (q->disabled && !disabled) {
        struct xd_log_ctx ctx = {.partner = q->partner, .action = "enable"};
        XD_LOG_INFO("deliver", &ctx, "endpoint %s/%s enabled", q->partner, q->endpoint);
        q->reload = true;
    }
    q->disabled = disabled;
    pthread_mutex_lock(&d->view_mu);
    snprintf(q->view.disabled_reason, sizeof q->view.disabled_reason, "%s",
             disabled && e.disabled_reason != NULL ? e.disabled_reason : "");
    pthread_mutex_unlock(&d->view_mu);
    view_publish(d, q);
}

/* Every queue with open messages in the store (at start, and when events were lost). */
static enum xd_status discover(struct xd_deliver *d, struct xd_error *err)
{
    struct xd_store_outbox_depth *rows = NULL;
    size_t n = 0;
    xd_arena_reset(d->scratch);
    enum xd_status st = xd_store_outbox_queues(d->store, d->scratch, &rows, &n, err);
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        struct xd_deliver__queue *q = queue_get(d, rows[i].partner, rows[i].endpoint);
        if (q != NULL) {
            q->reload = true;
        }
    }
    return st;
}

static void drain(struct xd_deliver *d)
{
    pthread_mutex_lock(&d->inbox_mu);
    struct xd_deliver__op *ops = d->done_ops;
    struct xd_deliver__xfer *steps = d->done_steps;
    d->done_ops = NULL;
    d->done_ops_tail = &d->done_ops;
    d->done_steps = NULL;
    d->done_steps_tail = &d->done_steps;
    size_t n_events = d->n_events;
    bool all = d->events_all;
    struct xd_deliver__event events[XD_DELIVER__INBOX_EVENTS];
    memcpy(events, d->events, n_events * sizeof *events);
    d->n_events = 0;
    d->events_all = false;
    pthread_mutex_unlock(&d->inbox_mu);

    for (struct xd_deliver__op *o = ops, *next; o != NULL; o = next) {
        next = o->next;
        d->ops_out--;
        if (o->kind == XD_DELIVER__OP_UPDATE) {
            update_done(d, o);
        } else {
            other_done(d, o);
        }
        op_free(o);
    }
    for (struct xd_deliver__xfer *x = steps, *next; x != NULL; x = next) {
        next = x->next;
        xd_deliver__attempt_step_done(d, x);
    }
    for (size_t i = 0; i < n_events; i++) {
        struct xd_deliver__queue *q = queue_get(d, events[i].partner, events[i].endpoint);
        if (q == NULL) {
            continue;
        }
        if (events[i].kind == XD_STORE_OUTBOX_ENDPOINT) {
            endpoint_state(d, q);
        } else {
            q->reload = true;
        }
    }
    if (all) {
        struct xd_error err = {0};
        for (size_t i = 0; i < d->n_queues; i++) {
            endpoint_state(d, d->queues[i]);
            d->queues[i]->reload = true;
        }
        if (discover(d, &err) != XD_OK) {
            XD_LOG_WARN("deliver", NULL, "reading the outbox's queues: %s", err.message);
        }
    }
}

static void load_window(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t now)
{
    struct xd_store_outbox_msg *msgs = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    xd_arena_reset(d->scratch);
    size_t cap = q->win.cap;
    enum xd_status st = xd_store_outbox_queue(d->store, q->partner, q->endpoint, 0, cap, d->scratch,
                                              &msgs, &n, &err);
    if (st != XD_OK) {
        XD_LOG_WARN("deliver", NULL, "reading the queue %s/%s: %s", q->partner, q->endpoint,
                    err.message);
        d->store_pause_until_ms = now + STORE_PAUSE_MS;
        return;
    }
    struct xd_deliver__msg *rows = xd_arena_calloc(d->scratch, n ? n : 1, sizeof *rows);
    if (rows == NULL) {
        return;
    }
    bool disabled = false;
    for (size_t i = 0; i < n; i++) {
        rows[i] = (struct xd_deliver__msg){
            .seq = msgs[i].seq,
            .attempts = msgs[i].attempts,
            .next_at_ms = msgs[i].next_attempt_at_ms,
            .retry_from_ms = msgs[i].retry_from_ms,
        };
        disabled |= msgs[i].state == XD_OUTBOX_DISABLED;
    }
    xd_deliver__window_merge(&q->win, rows, n, n == cap);
    q->reload = false;
    if (disabled && !q->disabled) {
        endpoint_state(d, q); /* the store disabled it and the event has not reached us */
    }
}

static void refresh(struct xd_deliver *d, int64_t now)
{
    /* The queues' windows in one snapshot, sharing its connection's page cache; without one
     * (the store cannot lend a connection now), each read takes its own. */
    struct xd_error err = {0};
    bool snapshot = false;
    for (size_t i = 0; i < d->n_queues && now >= d->store_pause_until_ms; i++) {
        struct xd_deliver__queue *q = d->queues[i];
        if (q->reload || (q->win.more && q->win.n < q->win.cap / 2)) {
            snapshot = snapshot || xd_store_read_begin(d->store, &err) == XD_OK;
            load_window(d, q, now);
        }
    }
    if (snapshot) {
        xd_store_read_end(d->store);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Scheduling */

static bool failover_due(const struct xd_deliver__queue *q, int64_t now)
{
    return q->configured && q->cfg.alternate_partner[0] != '\0' &&
           q->br.state != XD_DELIVER_BREAKER_CLOSED && q->br.down_since_ms != 0 &&
           now - q->br.down_since_ms >= q->cfg.failover_after_ms;
}

static void reroute(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t now)
{
    bool untried = q->win.more;
    for (size_t i = 0; i < q->win.n && !untried; i++) {
        untried = q->win.m[i].phase == XD_DELIVER__IDLE && q->win.m[i].attempts == 0;
    }
    if (!untried || q->rerouting) {
        return;
    }
    const char *to_ep = q->cfg.alternate_endpoint[0] ? q->cfg.alternate_endpoint : q->endpoint;
    if (!xd_deliver_endpoint_exists(d, q->cfg.alternate_partner, to_ep)) {
        return; /* the alternate is not configured: keep the messages where they are */
    }
    struct xd_deliver__op *o = op_new(d, XD_DELIVER__OP_REROUTE);
    if (o == NULL) {
        return;
    }
    o->q = q;
    o->op.kind = XD_STORE_OP_OUTBOX_REROUTE;
    o->op.u.reroute = (struct xd_store_outbox_reroute){
        .from_partner = q->partner,
        .from_endpoint = q->endpoint,
        .to_partner = xd_arena_strdup(o->arena, q->cfg.alternate_partner),
        .to_endpoint = xd_arena_strdup(o->arena, to_ep),
        .reason = xd_arena_printf(o->arena, "breaker of %s/%s not closed for %lld s", q->partner,
                                  q->endpoint, (long long)((now - q->br.down_since_ms) / 1000)),
        .actor = "deliver",
    };
    q->rerouting = true;
    op_submit(d, o);
}

static size_t active(const struct xd_deliver__queue *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->win.n; i++) {
        n += q->win.m[i].phase != XD_DELIVER__IDLE && !q->win.m[i].leaving;
    }
    return n;
}

/* Claim up to <limit> messages of <q> that may start; returns how many. */
static size_t claim(struct xd_deliver *d, struct xd_deliver__queue *q, size_t limit, int64_t now,
                    bool skip_untried)
{
    size_t idx[PICK_MAX];
    size_t n = xd_deliver__pick(&q->win, q->cfg.ordered, limit, now, skip_untried, idx, PICK_MAX);
    size_t claimed = 0;
    for (size_t i = 0; i < n; i++) {
        struct xd_deliver__msg *m = &q->win.m[idx[i]];
        if (!add_claim(d, q, m->seq)) {
            break;
        }
        m->phase = XD_DELIVER__CLAIMING;
        q->busy++;
        d->in_flight++;
        xd_deliver__breaker_started(&q->br);
        claimed++;
    }
    if (claimed > 0) {
        atomic_store(&d->view_in_flight, d->in_flight);
        view_publish(d, q);
    }
    return claimed;
}

static void schedule_queue(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t now)
{
    if (q->reload || q->disabled || q->win.n == 0) {
        return;
    }
    queue_config(d, q);
    bool changed = false;
    enum xd_deliver__gate gate =
        xd_deliver__breaker_gate(&q->br, q->cfg.breaker.open_ms, now, &changed);
    if (changed) {
        breaker_changed(d, q);
    }
    bool failover = failover_due(q, now);
    if (failover != q->view.failover) {
        pthread_mutex_lock(&d->view_mu);
        q->view.failover = failover;
        pthread_mutex_unlock(&d->view_mu);
    }
    /* During failover, messages never attempted go to the alternate, except the half-open
     * probe: it is the queue's head whatever it is, so the primary's recovery is noticed (real
     * traffic is the only probe there is). Its claim commits before the re-route, which then
     * leaves it alone (it is delivering). While a re-route is being committed, nothing untried
     * is claimed: it may be moving. */
    bool probe = gate == XD_DELIVER__GATE_PROBE;
    if (failover && !probe) {
        reroute(d, q, now);
    }
    size_t per_queue = q->cfg.ordered ? 1 : q->cfg.max_in_flight;
    if (probe) {
        per_queue = 1;
    }
    size_t busy = active(q);
    size_t room = d->opts.max_in_flight - d->in_flight;
    if (gate != XD_DELIVER__GATE_SHUT && busy < per_queue && room > 0) {
        size_t limit = per_queue - busy < room ? per_queue - busy : room;
        bool skip_untried = q->rerouting || (failover && !probe);
        if (claim(d, q, limit, now, skip_untried) > 0 && failover && probe) {
            flush(d);
        }
    }
    if (failover && probe) {
        reroute(d, q, now);
    }
}

static void schedule(struct xd_deliver *d, int64_t now)
{
    if (atomic_load(&d->stopping) || now < d->store_pause_until_ms || d->n_queues == 0) {
        return;
    }
    size_t n = d->n_queues;
    for (size_t k = 0; k < n && d->in_flight < d->opts.max_in_flight; k++) {
        schedule_queue(d, d->queues[(d->rr + k) % n], now);
    }
    d->rr = (d->rr + 1) % n;
}

/* ------------------------------------------------------------------------------------------ */
/* Results */

static void observe_latency(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t us)
{
    size_t b = XD_DELIVER__LATENCY_BUCKETS - 1;
    for (size_t i = 0; i + 1 < XD_DELIVER__LATENCY_BUCKETS; i++) {
        if (us <= xd_deliver__latency_bounds_us[i]) {
            b = i;
            break;
        }
    }
    pthread_mutex_lock(&d->view_mu);
    q->view.latency[b]++;
    q->view.latency_sum_us += (uint64_t)us;
    pthread_mutex_unlock(&d->view_mu);
}

static void count(struct xd_deliver *d, struct xd_deliver__queue *q, uint64_t *counter)
{
    pthread_mutex_lock(&d->view_mu);
    (*counter)++;
    pthread_mutex_unlock(&d->view_mu);
    (void)q;
}

/* Turn an outcome into what the store records; updates the breaker. */
static void decide(struct xd_deliver *d, struct xd_deliver__queue *q, struct xd_deliver__msg *m,
                   const struct xd_deliver__outcome *o, int64_t now,
                   struct xd_store_outbox_result *r, char *why, size_t why_cap)
{
    switch (o->c) {
    case XD_DELIVER__DELIVERED:
        r->outcome = XD_STORE_OUTBOX_DELIVERED;
        count(d, q, &q->view.delivered);
        break;
    case XD_DELIVER__DEAD:
        r->outcome = XD_STORE_OUTBOX_DEAD;
        r->reason = o->reason != NULL ? o->reason : o->error;
        count(d, q, &q->view.dead);
        break;
    case XD_DELIVER__DISABLE:
        /* The attempt counts; the message waits for the endpoint, not in the dead letters. */
        r->outcome = XD_STORE_OUTBOX_RETRY;
        r->next_attempt_at_ms = now;
        count(d, q, &q->view.retried);
        disable_endpoint(d, q, o->error);
        break;
    case XD_DELIVER__RETRY: {
        int64_t next = 0;
        char bound[160];
        if (xd_deliver__plan_retry(&q->cfg, (uint32_t)m->attempts, m->retry_from_ms, now,
                                   o->retry_after_ms, next_random(d), &next, bound, sizeof bound)) {
            r->outcome = XD_STORE_OUTBOX_RETRY;
            r->next_attempt_at_ms = next;
            count(d, q, &q->view.retried);
        } else {
            snprintf(why, why_cap, "%s; last error: %s", bound, o->error);
            r->outcome = XD_STORE_OUTBOX_DEAD;
            r->reason = why;
            count(d, q, &q->view.dead);
        }
        break;
    }
    }
}

static void log_outcome(const struct xd_deliver__queue *q, const struct xd_deliver__msg *m,
                        const struct xd_store_outbox_msg *msg,
                        const struct xd_store_outbox_result *r)
{
    struct xd_log_ctx ctx = {
        .correlation_id = msg != NULL ? msg->correlation_id : NULL,
        .partner = q->partner,
        .action = "deliver",
    };
    const char *id = msg != NULL ? msg->id : "?";
    switch (r->outcome) {
    case XD_STORE_OUTBOX_DELIVERED:
        XD_LOG_DEBUG("deliver", &ctx, "%s delivered to %s/%s (attempt %d)", id, q->partner,
                     q->endpoint, m->attempts);
        break;
    case XD_STORE_OUTBOX_RETRY:
        XD_LOG_INFO("deliver", &ctx, "%s to %s/%s: attempt %d failed (%s), next in %lld ms", id,
                    q->partner, q->endpoint, m->attempts, r->error ? r->error : "?",
                    (long long)(r->next_attempt_at_ms - r->at_ms));
        break;
    case XD_STORE_OUTBOX_DEAD:
        XD_LOG_WARN("deliver", &ctx, "%s to %s/%s dead-lettered: %s", id, q->partner, q->endpoint,
                    r->reason);
        break;
    }
}

void xd_deliver__record(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t seq,
                        const struct xd_store_outbox_msg *msg, const struct xd_deliver__outcome *o)
{
    d->transfers--;
    struct xd_deliver__msg *m = xd_deliver__window_find(&q->win, seq);
    if (XD_NEVER(m == NULL)) {
        return;
    }
    int64_t now = xd_now_ms();
    bool changed = false;
    if (o->effect == XD_DELIVER__EFFECT_SUCCESS) {
        changed = xd_deliver__breaker_success(&q->br, now);
    } else if (o->effect == XD_DELIVER__EFFECT_FAILURE) {
        changed = xd_deliver__breaker_failure(&q->br, q->cfg.breaker.failures, now);
    } else {
        xd_deliver__breaker_neutral(&q->br);
    }
    if (changed) {
        breaker_changed(d, q);
    }
    if (o->latency_us >= 0) {
        observe_latency(d, q, o->latency_us);
    }
    struct xd_store_outbox_result r = {
        .seq = seq,
        .http_status = o->http_status,
        .error = o->c == XD_DELIVER__DELIVERED ? NULL : o->error,
        .response = o->excerpt,
        .response_len = o->excerpt_len,
        .at_ms = now,
    };
    char why[XD_STORE_ERROR_TEXT_MAX];
    decide(d, q, m, o, now, &r, why, sizeof why);
    log_outcome(q, m, msg, &r);
    if (!add_result(d, q, &r)) {
        /* Out of memory for the bookkeeping: the store still says delivering; go again. */
        m->phase = XD_DELIVER__IDLE;
        m->next_at_ms = now + STORE_PAUSE_MS;
        release(d, q);
        view_publish(d, q);
        return;
    }
    m->phase = XD_DELIVER__SETTLING;
    m->leaving = r.outcome != XD_STORE_OUTBOX_RETRY;
}

/* ------------------------------------------------------------------------------------------ */
/* The loop */

static void read_completions(struct xd_deliver *d)
{
    int left = 0;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(d->multi, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE) {
            xd_deliver__attempt_http_done(d, msg->easy_handle, msg->data.result);
        }
    }
}

static int64_t next_wake(struct xd_deliver *d, int64_t now)
{
    int64_t wake = now + POLL_MAX_MS;
    bool paused = now < d->store_pause_until_ms;
    if (paused && d->store_pause_until_ms < wake) {
        wake = d->store_pause_until_ms;
    }
    for (size_t i = 0; i < d->n_queues; i++) {
        const struct xd_deliver__queue *q = d->queues[i];
        if (q->reload && !paused) {
            return 0;
        }
        if (q->disabled) {
            continue;
        }
        int64_t t = xd_deliver__breaker_wake_ms(&q->br, q->cfg.breaker.open_ms);
        int64_t due = xd_deliver__window_due_ms(&q->win, q->cfg.ordered);
        if (due > now && due < t) {
            t = due; /* a due message waits for an event (a completion), not for time */
        }
        if (q->configured && q->cfg.alternate_partner[0] != '\0' && q->br.down_since_ms != 0 &&
            !q->rerouting) {
            int64_t f = q->br.down_since_ms + q->cfg.failover_after_ms;
            if (f > now && f < t) {
                t = f;
            }
        }
        if (t < wake) {
            wake = t;
        }
    }
    long curl_ms = -1;
    if (curl_multi_timeout(d->multi, &curl_ms) == CURLM_OK && curl_ms >= 0 &&
        now + curl_ms < wake) {
        wake = now + curl_ms;
    }
    return wake > now ? wake - now : 0;
}

static void abandon_transfers(struct xd_deliver *d)
{
    while (d->live != NULL) {
        xd_deliver__attempt_abandon(d, d->live);
    }
}

static void *engine_main(void *arg)
{
    pthread_setname_np(pthread_self(), "xd-deliver"); /* shown by top -H, perf, gdb */
    struct xd_deliver *d = arg;
    int64_t deadline = 0;
    for (;;) {
        drain(d);
        int64_t now = xd_now_ms();
        bool stopping = atomic_load(&d->stopping);
        if (stopping && deadline == 0) {
            deadline = now + d->opts.stop_grace_ms;
        }
        if (stopping && now >= deadline && d->live != NULL) {
            XD_LOG_WARN("deliver", NULL,
                        "stopping: attempts still under way after %lld ms are left for the "
                        "next start",
                        (long long)d->opts.stop_grace_ms);
            abandon_transfers(d);
        }
        int running = 0;
        curl_multi_perform(d->multi, &running);
        read_completions(d);
        if (now >= d->store_pause_until_ms) {
            refresh(d, now);
        }
        schedule(d, now);
        flush(d);
        if (stopping && d->transfers == 0 && d->ops_out == 0) {
            break;
        }
        int64_t wait = next_wake(d, xd_now_ms());
        if (stopping && wait > STOP_POLL_MS) {
            wait = STOP_POLL_MS;
        }
        curl_multi_poll(d->multi, NULL, 0, (int)wait, NULL);
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Start and stop */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The endpoints' durable state and the queues that hold work, read before the thread runs. */
static enum xd_status load_state(struct xd_deliver *d, struct xd_error *err)
{
    struct xd_store_endpoint *rows = NULL;
    size_t n = 0;
    struct xd_arena *a = xd_arena_create(0, 0);
    if (a == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    enum xd_status st = xd_store_endpoint_list(d->store, a, &rows, &n, err);
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        struct xd_deliver__queue *q = queue_get(d, rows[i].partner, rows[i].name);
        if (q == NULL) {
            continue;
        }
        q->disabled = rows[i].disabled;
        snprintf(q->view.disabled_reason, sizeof q->view.disabled_reason, "%s",
                 rows[i].disabled_reason != NULL ? rows[i].disabled_reason : "");
        xd_deliver__breaker_restore(&q->br, rows[i].breaker, rows[i].breaker_since_ms,
                                    rows[i].down_since_ms, q->cfg.breaker.open_ms);
        view_publish(d, q);
    }
    xd_arena_destroy(a);
    return st == XD_OK ? discover(d, err) : st;
}

static void free_all(struct xd_deliver *d)
{
    for (size_t i = 0; i < d->n_queues; i++) {
        queue_free(d->queues[i]);
    }
    xd_free(d->queues);
    xd_free(d->index);
    if (d->multi != NULL) {
        curl_multi_cleanup(d->multi);
    }
    xd_arena_destroy(d->scratch);
    pthread_mutex_destroy(&d->inbox_mu);
    pthread_mutex_destroy(&d->view_mu);
    pthread_mutex_destroy(&d->work_mu);
    pthread_cond_destroy(&d->work_cv);
    xd_free(d->partners_dir);
    xd_free(d);
}

static enum xd_status options_check(const struct xd_deliver_options *o, struct xd_error *err)
{
    if (o == NULL || o->store == NULL || o->registry.lookup == NULL || o->registry.each == NULL ||
        o->registry.generation == NULL || o->partners_dir == NULL) {
        return xd_error_set(err, XD_EINVAL,
                            "delivery: a store, a registry and the partners folder are required");
    }
    if (o->max_in_flight == 0 || o->max_in_flight > 65536 || o->window == 0 ||
        o->window > XD_STORE_LIST_MAX || o->workers == 0 || o->workers > 64 ||
        o->stop_grace_ms < 0) {
        return xd_error_set(err, XD_EINVAL,
                            "delivery: max_in_flight 1..65536, window 1..1000, workers 1..64");
    }
    return XD_OK;
}

enum xd_status xd_deliver_start(const struct xd_deliver_options *o, struct xd_deliver **out,
                                struct xd_error *err)
{
    enum xd_status st = options_check(o, err);
    if (st != XD_OK) {
        return st;
    }
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        return xd_error_set(err, XD_EIO, "libcurl: %s", curl_easy_strerror(curl_init_rc));
    }
    struct xd_deliver *d = xd_calloc(1, sizeof *d);
    if (d == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    d->opts = *o;
    d->store = o->store;
    d->reg = o->registry;
    d->partners_dir = xd_strdup(o->partners_dir);
    d->opts.partners_dir = d->partners_dir;
    d->done_ops_tail = &d->done_ops;
    d->done_steps_tail = &d->done_steps;
    pthread_mutex_init(&d->inbox_mu, NULL);
    pthread_mutex_init(&d->view_mu, NULL);
    pthread_mutex_init(&d->work_mu, NULL);
    pthread_cond_init(&d->work_cv, NULL);
    d->multi = curl_multi_init();
    d->scratch = xd_arena_create(OP_ARENA_CHUNK, 0);
    uint64_t seed = 0;
    if (xd_random_bytes(&seed, sizeof seed) != XD_OK) {
        seed = (uint64_t)xd_mono_ns();
    }
    d->rng = seed | 1;
    if (d->partners_dir == NULL || d->multi == NULL || d->scratch == NULL) {
        free_all(d);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    /* Idle connections kept for reuse, per host and overall: enough for every attempt. */
    curl_multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, (long)o->max_in_flight);
    /* Watch first: what commits from now on arrives as events, what committed before is in
     * what load_state reads. Events wait in the inbox until the thread runs. */
    xd_store_outbox_watch(d->store, on_store_event, d);
    st = load_state(d, err);
    if (st == XD_OK) {
        st = xd_deliver__workers_start(d, o->workers);
    }
    if (st != XD_OK) {
        xd_store_outbox_watch(d->store, NULL, NULL);
        free_all(d);
        return st;
    }
    if (pthread_create(&d->thread, NULL, engine_main, d) != 0) {
        xd_store_outbox_watch(d->store, NULL, NULL);
        xd_deliver__workers_stop(d);
        free_all(d);
        return xd_error_set(err, XD_ENOMEM, "cannot start the delivery thread");
    }
    XD_LOG_INFO("deliver", NULL,
                "delivery engine started: %zu queues with work or state, up to "
                "%zu attempts at once",
                d->n_queues, o->max_in_flight);
    *out = d;
    return XD_OK;
}

void xd_deliver_stop(struct xd_deliver *d)
{
    if (d == NULL) {
        return;
    }
    atomic_store(&d->stopping, true);
    xd_deliver__wake(d);
    pthread_join(d->thread, NULL);
    xd_store_outbox_watch(d->store, NULL, NULL);
    xd_deliver__workers_stop(d);
    XD_LOG_INFO("deliver", NULL, "delivery engine stopped");
    free_all(d);
}
