/* SPDX-License-Identifier: MIT
 * Timed chains of messages a simulated partner sends: the acknowledgement, then the ship
 * notice, then the invoice of one order, each due at its offset from the chain's start and
 * never before the step before it was taken by the hub (so a hub that is down delays, but
 * never reorders, what one order's partner says). A chain waits in a heap by due time;
 * worker threads take the earliest due one, render its current step the first time (control
 * numbers are then fixed: a retry sends the same bytes with the same Idempotency-Key) and
 * send it. A retryable failure puts it back with exponential backoff and jitter; a permanent
 * one, or too many attempts, drops the rest of the chain with a log line.
 * Threads: the heap, the counters and the stop flag are under r->mu; a chain belongs to the
 * worker that popped it until it is pushed back. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim/sim_int.h"

#define WORKERS_MAX    64u
#define BACKOFF_MAX_MS 30000
#define HEAP_MAX       ((size_t)1 << 22) /* chains waiting, past it new ones are refused */
#define CANCELS_KEPT   64u

struct chain {
    uint64_t id;               /* in the journal */
    uint64_t seq;              /* order of creation, for cancellations */
    char tag[XD_SIM__TAG_MAX]; /* the order it answers (po_number), "" when none */
    int64_t base_ms;           /* monotonic start */
    int64_t due_ms;
    struct xd_sim__step *steps;
    size_t n, i;
    uint32_t attempts;
    struct xd_sim__message *msg;
};

struct xd_sim__runner {
    struct xd_sim__partner *pt;
    struct xd_sim__journal *journal; /* NULL: nothing kept across restarts */
    struct xd_sim_send_options o;
    pthread_t workers[WORKERS_MAX];
    size_t n_workers;

    pthread_mutex_t mu;
    pthread_cond_t cond; /* the heap changed, or stop */
    bool stop;
    struct chain **heap;
    size_t n_heap, cap_heap;
    size_t in_flight;
    struct xd_sim_partner_stats stats;
    uint64_t seq_next;
    /* The latest cancellations: a chain in flight when its order was cancelled is dropped
     * when its worker is done with the step under way. */
    struct {
        char tag[XD_SIM__TAG_MAX];
        uint64_t upto; /* chains up to this seq */
    } cancels[CANCELS_KEPT];
    size_t n_cancels;
};

static int64_t mono_ms(void)
{
    return xd_mono_ns() / 1000000;
}

static void chain_free(struct chain *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        json_decref(c->steps[i].doc);
    }
    xd_free(c->steps);
    xd_sim__message_destroy(c->msg);
    xd_free(c);
}

/* ------------------------------------------------------------------------------------------ */
/* Heap by due_ms (under mu) */

static void heap_swap(struct xd_sim__runner *r, size_t a, size_t b)
{
    struct chain *t = r->heap[a];
    r->heap[a] = r->heap[b];
    r->heap[b] = t;
}

static bool heap_push(struct xd_sim__runner *r, struct chain *c)
{
    if (r->n_heap == r->cap_heap) {
        size_t cap = r->cap_heap ? r->cap_heap * 2 : 256;
        struct chain **g = cap <= HEAP_MAX ? xd_reallocarray(r->heap, cap, sizeof *g) : NULL;
        if (g == NULL) {
            return false;
        }
        r->heap = g;
        r->cap_heap = cap;
    }
    size_t i = r->n_heap++;
    r->heap[i] = c;
    while (i > 0 && r->heap[(i - 1) / 2]->due_ms > r->heap[i]->due_ms) {
        heap_swap(r, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return true;
}

static struct chain *heap_pop(struct xd_sim__runner *r)
{
    struct chain *top = r->heap[0];
    r->heap[0] = r->heap[--r->n_heap];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < r->n_heap && r->heap[l]->due_ms < r->heap[m]->due_ms) {
            m = l;
        }
        if (l + 1 < r->n_heap && r->heap[l + 1]->due_ms < r->heap[m]->due_ms) {
            m = l + 1;
        }
        if (m == i) {
            break;
        }
        heap_swap(r, i, m);
        i = m;
    }
    return top;
}

/* Under mu: was <c>'s order cancelled after <c> was made? */
static bool cancelled(const struct xd_sim__runner *r, const struct chain *c)
{
    size_t n = r->n_cancels < CANCELS_KEPT ? r->n_cancels : CANCELS_KEPT;
    for (size_t i = 0; c->tag[0] != '\0' && i < n; i++) {
        if (r->cancels[i].upto >= c->seq && strcmp(r->cancels[i].tag, c->tag) == 0) {
            return true;
        }
    }
    return false;
}

/* <c> is owed no more: on disk too. */
static void finish(struct xd_sim__runner *r, const struct chain *c)
{
    struct xd_error err = {0};
    if (r->journal != NULL && c->n > 0 &&
        xd_sim__journal_done(r->journal, c->id, c->n - 1, &err) != XD_OK) {
        XD_LOG_ERROR("sim", NULL, "journal: %s", err.message);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Workers */

static int64_t backoff_ms(const struct xd_sim__runner *r, uint32_t attempts, unsigned *seed)
{
    int64_t wait = r->o.backoff_ms;
    for (uint32_t i = 1; i < attempts && wait < BACKOFF_MAX_MS; i++) {
        wait *= 2;
    }
    wait = wait < BACKOFF_MAX_MS ? wait : BACKOFF_MAX_MS;
    /* Jitter of +-25% so partners that failed together do not come back together. */
    int64_t spread = wait / 2;
    return wait - wait / 4 + (spread > 0 ? (int64_t)rand_r(seed) % (spread + 1) : 0);
}

/* Take one step of <c>; true when the chain goes back into the heap. */
static bool run_step(struct xd_sim__runner *r, struct chain *c, struct xd_sim__http *client,
                     unsigned *seed)
{
    struct xd_error err = {0};
    enum xd_status st = XD_OK;
    if (c->msg == NULL) {
        st = xd_sim__partner_render(r->pt, c->steps[c->i].doc, &c->msg, &err);
        /* On disk before the first attempt: after a restart the same bytes and key go again. */
        struct xd_error jerr = {0};
        if (st == XD_OK && r->journal != NULL &&
            xd_sim__journal_rendered(r->journal, c->id, c->i, c->msg, &jerr) != XD_OK) {
            XD_LOG_ERROR("sim", NULL, "journal: %s", jerr.message);
        }
    }
    if (st == XD_OK) {
        st = xd_sim__partner_send(r->pt, client, c->msg, &err);
    }
    const char *id = xd_sim__partner_id(r->pt);
    struct xd_error jerr = {0};
    bool owed = st == XD_EAGAIN && c->attempts + 1 < r->o.max_attempts;
    /* Sent: this step is owed no more. Given up: neither are the steps after it. */
    size_t done = st == XD_OK ? c->i : c->n - 1;
    if (!owed && r->journal != NULL &&
        xd_sim__journal_done(r->journal, c->id, done, &jerr) != XD_OK) {
        XD_LOG_ERROR("sim", NULL, "journal: %s", jerr.message);
    }
    pthread_mutex_lock(&r->mu);
    bool again = false;
    if (st == XD_OK) {
        r->stats.sent++;
        XD_LOG_INFO("sim", NULL, "%s sent %s (%s)", id, c->msg->what, c->msg->key);
        xd_sim__message_destroy(c->msg);
        c->msg = NULL;
        c->attempts = 0;
        if (++c->i < c->n) {
            int64_t now = mono_ms(), due = c->base_ms + c->steps[c->i].offset_ms;
            c->due_ms = due > now ? due : now;
            again = true;
        }
    } else if (st == XD_EAGAIN && ++c->attempts < r->o.max_attempts) {
        r->stats.retried++;
        /* The hub's Retry-After, when longer than our own backoff. */
        int64_t wait = backoff_ms(r, c->attempts, seed);
        int64_t asked = xd_sim__http_retry_after_ms(client);
        c->due_ms = mono_ms() + (asked > wait ? asked : wait);
        XD_LOG_WARN("sim", NULL, "%s: attempt %u of %s failed, trying again: %s", id, c->attempts,
                    c->msg != NULL ? c->msg->what : "a message", err.message);
        again = true;
    } else {
        r->stats.given_up++;
        XD_LOG_ERROR("sim", NULL, "%s gives up %s and %zu later message(s) of its chain: %s", id,
                     c->msg != NULL ? c->msg->what : "a message", c->n - c->i - 1, err.message);
    }
    pthread_mutex_unlock(&r->mu);
    return again;
}

static void *worker(void *arg)
{
    struct xd_sim__runner *r = arg;
    unsigned seed = (unsigned)xd_mono_ns() ^ (unsigned)(uintptr_t)&seed;
    struct xd_sim__http *client = NULL;
    if (xd_sim__http_create(&client) != XD_OK) {
        client = NULL; /* each request then opens a connection of its own */
    }
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        if (r->n_heap == 0) {
            pthread_cond_wait(&r->cond, &r->mu);
            continue;
        }
        int64_t now = mono_ms(), due = r->heap[0]->due_ms;
        if (due > now) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t ns = ts.tv_nsec + (due - now) * 1000000;
            ts.tv_sec += ns / 1000000000;
            ts.tv_nsec = ns % 1000000000;
            pthread_cond_timedwait(&r->cond, &r->mu, &ts);
            continue;
        }
        struct chain *c = heap_pop(r);
        r->in_flight++;
        pthread_mutex_unlock(&r->mu);
        bool again = run_step(r, c, client, &seed);
        pthread_mutex_lock(&r->mu);
        r->in_flight--;
        if (again && cancelled(r, c)) {
            finish(r, c);
            again = false;
        }
        if (again && !heap_push(r, c)) {
            r->stats.given_up++;
            XD_LOG_ERROR("sim", NULL, "%s: out of memory, a chain of messages is dropped",
                         xd_sim__partner_id(r->pt));
            again = false;
        }
        if (!again) {
            chain_free(c);
        }
        pthread_cond_signal(&r->cond);
    }
    pthread_mutex_unlock(&r->mu);
    xd_sim__http_destroy(client);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */

size_t xd_sim__runner_cancel(struct xd_sim__runner *r, const char *tag)
{
    struct chain **dropped = NULL;
    size_t n_dropped = 0, steps = 0;
    pthread_mutex_lock(&r->mu);
    dropped = r->n_heap > 0 ? xd_calloc(r->n_heap, sizeof *dropped) : NULL;
    /* Keep the others, then make the array a heap again. */
    size_t kept = 0;
    for (size_t i = 0; i < r->n_heap; i++) {
        struct chain *c = r->heap[i];
        if (dropped != NULL && strcmp(c->tag, tag) == 0) {
            dropped[n_dropped++] = c;
            steps += c->n - c->i;
        } else {
            r->heap[kept++] = c;
        }
    }
    r->n_heap = 0;
    for (size_t i = 0; i < kept; i++) {
        if (!heap_push(r, r->heap[i])) { /* cannot fail: the array holds them already */
            break;
        }
    }
    size_t slot = r->n_cancels++ % CANCELS_KEPT;
    snprintf(r->cancels[slot].tag, sizeof r->cancels[slot].tag, "%s", tag);
    r->cancels[slot].upto = r->seq_next;
    pthread_mutex_unlock(&r->mu);
    for (size_t i = 0; i < n_dropped; i++) {
        finish(r, dropped[i]);
        chain_free(dropped[i]);
    }
    xd_free(dropped);
    return steps;
}

enum xd_status xd_sim__runner_add(struct xd_sim__runner *r, const char *tag,
                                  struct xd_sim__step *steps, size_t n)
{
    uint64_t id = 0;
    struct xd_error err = {0};
    if (n > 0 && r->journal != NULL &&
        xd_sim__journal_add(r->journal, tag, steps, n, xd_now_ms(), &id, &err) != XD_OK) {
        XD_LOG_ERROR("sim", NULL, "journal: %s", err.message);
        for (size_t i = 0; i < n; i++) {
            json_decref(steps[i].doc);
        }
        return XD_EIO;
    }
    struct chain *c = n > 0 ? xd_calloc(1, sizeof *c) : NULL;
    struct xd_sim__step *copy = c != NULL ? xd_calloc(n, sizeof *copy) : NULL;
    if (copy == NULL) {
        xd_free(c);
        for (size_t i = 0; i < n; i++) {
            json_decref(steps[i].doc);
        }
        return n > 0 ? XD_ENOMEM : XD_OK;
    }
    memcpy(copy, steps, n * sizeof *copy);
    c->id = id;
    snprintf(c->tag, sizeof c->tag, "%s", tag != NULL ? tag : "");
    c->steps = copy;
    c->n = n;
    c->base_ms = mono_ms();
    c->due_ms = c->base_ms + steps[0].offset_ms;
    pthread_mutex_lock(&r->mu);
    c->seq = ++r->seq_next;
    bool ok = heap_push(r, c);
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->mu);
    if (!ok) {
        chain_free(c);
        return XD_ENOMEM;
    }
    return XD_OK;
}

void xd_sim__runner_stats(struct xd_sim__runner *r, struct xd_sim_partner_stats *out)
{
    pthread_mutex_lock(&r->mu);
    uint64_t pending = 0;
    for (size_t i = 0; i < r->n_heap; i++) {
        pending += r->heap[i]->n - r->heap[i]->i;
    }
    out->sent = r->stats.sent;
    out->retried = r->stats.retried;
    out->given_up = r->stats.given_up;
    out->pending = pending + r->in_flight;
    pthread_mutex_unlock(&r->mu);
}

void xd_sim__runner_destroy(struct xd_sim__runner *r)
{
    if (r == NULL) {
        return;
    }
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
    for (size_t i = 0; i < r->n_workers; i++) {
        pthread_join(r->workers[i], NULL);
    }
    for (size_t i = 0; i < r->n_heap; i++) {
        chain_free(r->heap[i]);
    }
    xd_free(r->heap);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->mu);
    xd_free(r);
}

/* Chains from the journal, each due as it was planned (its start taken from the wall clock
 * it was recorded with). Taken: <restored> is freed here. */
static enum xd_status restore(struct xd_sim__runner *r, struct xd_sim__journal_chain *restored,
                              size_t n)
{
    enum xd_status st = XD_OK;
    int64_t now = mono_ms(), wall = xd_now_ms();
    for (size_t i = 0; i < n; i++) {
        struct chain *c = st == XD_OK ? xd_calloc(1, sizeof *c) : NULL;
        if (c == NULL) {
            st = XD_ENOMEM;
            continue;
        }
        struct xd_sim__journal_chain *jc = &restored[i];
        c->id = jc->id;
        c->seq = ++r->seq_next;
        snprintf(c->tag, sizeof c->tag, "%s", jc->tag);
        c->steps = jc->steps;
        c->n = jc->n;
        c->msg = jc->msg;
        c->base_ms = now - (wall - jc->base_wall_ms);
        int64_t due = c->base_ms + c->steps[0].offset_ms;
        c->due_ms = due > now ? due : now;
        jc->steps = NULL;
        jc->n = 0;
        jc->msg = NULL;
        if (!heap_push(r, c)) {
            chain_free(c);
            st = XD_ENOMEM;
        }
    }
    if (n > 0) {
        XD_LOG_INFO("sim", NULL, "%s: %zu chain(s) of messages still owed, from the journal",
                    xd_sim__partner_id(r->pt), n);
    }
    xd_sim__journal_chains_free(restored, n);
    return st;
}

enum xd_status xd_sim__runner_create(struct xd_sim__partner *pt,
                                     const struct xd_sim_send_options *o,
                                     struct xd_sim__journal *journal,
                                     struct xd_sim__journal_chain *restored, size_t n_restored,
                                     struct xd_sim__runner **out)
{
    struct xd_sim__runner *r = xd_calloc(1, sizeof *r);
    if (r == NULL) {
        xd_sim__journal_chains_free(restored, n_restored);
        return XD_ENOMEM;
    }
    r->pt = pt;
    r->o = *o;
    r->journal = journal;
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (restore(r, restored, n_restored) != XD_OK) {
        xd_sim__runner_destroy(r);
        return XD_ENOMEM;
    }
    size_t want = o->workers == 0 ? 1 : o->workers > WORKERS_MAX ? WORKERS_MAX : o->workers;
    for (; r->n_workers < want; r->n_workers++) {
        if (pthread_create(&r->workers[r->n_workers], NULL, worker, r) != 0) {
            xd_sim__runner_destroy(r);
            return XD_ENOMEM;
        }
    }
    *out = r;
    return XD_OK;
}
