/* SPDX-License-Identifier: MIT
 * ERP documents into the hub: one poll of an ERP partner (purchase orders changed since the
 * stored cursor, each journaled through the inbound pipeline on channel "erp" with the cursor
 * past it in the same transaction), the master data sync, and the poller thread of `crossdock
 * serve` that runs both for every ERP partner on its schedule.
 *
 * Exactly once across restarts: the cursor only moves in the transaction that journals the
 * order it passes (or, for an order skipped or recognised as seen, on its own after it), so a
 * crash before a commit fetches the same order again and its dedupe key recognises it.
 * Threads: xd_erp_poll and xd_erp_sync run on the caller's thread; the poller owns its state. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "erp/erp_int.h"
#include "inbound/pipeline.h"
#include "store/store.h"

static void cursor_name(const struct xd_partner_profile *p, char *out, size_t cap)
{
    snprintf(out, cap, "erp:%s:purchase", p->id);
}

/* The ERP reference's description ("content <hash> open|withdrawn") of the last purchase order
 * of <thread> this partner sent for the same ERP record (<ref>), into <out>; "" when none. */
static enum xd_status last_fingerprint(const struct xd_inbound_ctx *ctx,
                                       const struct xd_partner_profile *p, const char *thread,
                                       const char *ref, char *out, size_t cap, struct xd_error *err)
{
    out[0] = '\0';
    struct xd_arena *a = xd_arena_create(64 * 1024, (size_t)256 * 1024 * 1024);
    if (a == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    struct xd_store_doc *docs = NULL;
    size_t n = 0;
    enum xd_status st = xd_store_thread_docs(ctx->store, thread, 0, a, &docs, &n, err);
    for (size_t i = n; st == XD_OK && i > 0 && out[0] == '\0'; i--) {
        const struct xd_store_doc *doc = &docs[i - 1];
        if (strcmp(doc->doc_type, "purchase_order") != 0 || strcmp(doc->partner, p->id) != 0) {
            continue;
        }
        json_t *body = json_loadb(doc->body, doc->body_len, 0, NULL);
        size_t k;
        const json_t *r;
        json_array_foreach(json_object_get(body, "references"), k, r)
        {
            const char *v = json_string_value(json_object_get(r, "value"));
            const char *desc = json_string_value(json_object_get(r, "description"));
            if (v != NULL && desc != NULL && strcmp(v, ref) == 0) {
                snprintf(out, cap, "%s", desc);
            }
        }
        json_decref(body);
    }
    xd_arena_destroy(a);
    return st;
}

/* Set the purpose the hub's history calls for; *purpose NULL: skip the order (a withdrawal of
 * one the hub never saw, or what the hub last journaled for it, unchanged: Tryton rewrites a
 * purchase when its shipments and invoices move). */
static enum xd_status decide(const struct xd_inbound_ctx *ctx, const struct xd_partner_profile *p,
                             const struct xd_erp_doc *d, json_t *po, const char **purpose,
                             struct xd_error *err)
{
    char thread[XD_CORRELATION_ID_MAX + 1];
    struct xd_error lerr;
    xd_error_clear(&lerr);
    enum xd_status st =
        xd_store_thread_by_key(ctx->store, "po_number", d->po_number, thread, sizeof thread, &lerr);
    if (st != XD_OK && st != XD_ENOTFOUND) {
        *err = lerr;
        return st;
    }
    bool known = st == XD_OK;
    char last[128] = "";
    const char *ref = json_string_value(
        json_object_get(json_array_get(json_object_get(po, "references"), 0), "value"));
    if (known && ref != NULL &&
        (st = last_fingerprint(ctx, p, thread, ref, last, sizeof last, err)) != XD_OK) {
        return st;
    }
    if (known && d->fingerprint != NULL && strcmp(last, d->fingerprint) == 0) {
        *purpose = NULL;
        return XD_OK;
    }
    *purpose = d->withdrawn ? (known ? "cancel" : NULL) : (known ? "change" : "original");
    if (*purpose != NULL && json_object_set_new(po, "purpose", json_string(*purpose)) != 0) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    return XD_OK;
}

static enum xd_status set_cursor(const struct xd_inbound_ctx *ctx, const char *name,
                                 const char *value, struct xd_error *err)
{
    struct xd_store_op op = {.kind = XD_STORE_OP_CURSOR_SET};
    op.u.cursor.name = name;
    op.u.cursor.value = value;
    enum xd_status st = xd_store_execute(ctx->store, &op);
    if (st != XD_OK) {
        *err = op.err;
    }
    xd_store_op_cleanup(&op);
    return st;
}

/* Journal one fetched order. *advanced: the cursor moved with it (else the caller moves it). */
static enum xd_status ingest_one(const struct xd_inbound_ctx *ctx,
                                 const struct xd_partner_profile *p, const struct xd_erp_doc *d,
                                 const char *cname, bool *advanced, bool *stored,
                                 struct xd_error *err)
{
    *advanced = false;
    *stored = false;
    json_error_t jerr;
    json_t *po =
        d->json != NULL ? json_loadb(d->json, d->json_len, JSON_PRESERVE_ORDER, &jerr) : NULL;
    if (po == NULL) {
        return d->json == NULL ? XD_OK : xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    const char *purpose = NULL;
    enum xd_status st = decide(ctx, p, d, po, &purpose, err);
    char *text =
        st == XD_OK && purpose != NULL ? json_dumps(po, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(po);
    if (st != XD_OK || purpose == NULL) {
        return st;
    }
    if (text == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    /* The same order is the same content as the ERP has it, whatever purpose the hub's
     * history gives it now. */
    uint8_t same[XD_SHA256_LEN];
    xd_sha256(d->json, d->json_len, same);
    struct xd_inbound_request req = {
        .partner = p->id,
        .channel = "erp",
        .content_type = "application/json",
        .dedupe_hash = same,
        .data = text,
        .len = strlen(text),
        .actor = "erp-poller",
        .dedupe_key = d->dedupe_key,
        .cursor_name = cname,
        .cursor_value = d->cursor,
    };
    struct xd_inbound_result res;
    xd_inbound_result_init(&res);
    st = xd_inbound_process(ctx, &req, &res, err);
    free(text);
    const struct xd_log_ctx lc = {.partner = p->id, .action = "erp.poll"};
    if (st == XD_OK && res.outcome == XD_INBOUND_STORED) {
        *advanced = true;
        *stored = true;
        XD_LOG_INFO("erp", &lc, "purchase order %s (%s): %s", d->po_number, purpose, res.reason);
    } else if (st == XD_OK && res.outcome == XD_INBOUND_REFUSED) {
        /* Not journaled (the profile does not take purchase orders): the same would be
         * refused again, so it is passed, loudly. */
        XD_LOG_ERROR("erp", &lc, "purchase order %s refused: %s", d->po_number, res.reason);
    }
    xd_inbound_result_cleanup(&res);
    return st;
}

/* One poll with an open connector (its session kept between polls by the poller). */
static enum xd_status poll_with(const struct xd_inbound_ctx *ctx, struct xd_erp *e,
                                const struct xd_partner_profile *p, size_t max_batches,
                                size_t *ingested, struct xd_error *err)
{
    *ingested = 0;
    enum xd_status st = XD_OK;
    char cname[XD_STORE_CURSOR_NAME_MAX + 1];
    cursor_name(p, cname, sizeof cname);
    char cursor[XD_STORE_CURSOR_VALUE_MAX + 1];
    struct xd_error lerr;
    xd_error_clear(&lerr);
    st = xd_store_poll_cursor_get(ctx->store, cname, cursor, sizeof cursor, &lerr);
    if (st == XD_ENOTFOUND) {
        cursor[0] = '\0';
        st = XD_OK;
    } else if (st != XD_OK) {
        *err = lerr;
    }
    bool more = st == XD_OK;
    for (size_t b = 0; more && b < max_batches; b++) {
        struct xd_erp_batch batch;
        st = xd_erp_fetch(e, cursor, &batch, err);
        if (st != XD_OK) {
            break;
        }
        const char *pending = NULL; /* cursor past orders skipped or seen, not yet stored */
        for (size_t i = 0; i < batch.n_docs && st == XD_OK; i++) {
            bool advanced = false, stored = false;
            st = ingest_one(ctx, p, &batch.docs[i], cname, &advanced, &stored, err);
            pending = advanced ? NULL : batch.docs[i].cursor;
            *ingested += stored;
        }
        if (st == XD_OK && pending != NULL) {
            st = set_cursor(ctx, cname, pending, err);
        }
        if (st == XD_OK && batch.n_docs > 0) {
            snprintf(cursor, sizeof cursor, "%s", batch.docs[batch.n_docs - 1].cursor);
        }
        more = batch.more;
        xd_erp_batch_cleanup(&batch);
    }
    return st;
}

enum xd_status xd_erp_poll(const struct xd_inbound_ctx *ctx, const struct xd_partner_profile *p,
                           size_t max_batches, size_t *ingested, struct xd_error *err)
{
    *ingested = 0;
    struct xd_erp *e = NULL;
    enum xd_status st = xd_erp_open(p, ctx->partners, &e, err);
    if (st == XD_OK) {
        st = poll_with(ctx, e, p, max_batches, ingested, err);
    }
    xd_erp_close(e);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Master data */

static enum xd_status sync_with(const struct xd_inbound_ctx *ctx, struct xd_erp *e,
                                const struct xd_partner_profile *p, size_t *stored,
                                struct xd_error *err)
{
    *stored = 0;
    struct xd_erp_master m;
    enum xd_status st = xd_erp_master(e, &m, err);
    if (st != XD_OK) {
        return st;
    }
    /* The same master data again is recognised (its hash is the key) and journaled once. */
    uint8_t h[XD_SHA256_LEN];
    xd_sha256(m.json, m.json_len, h);
    char hex[XD_SHA256_HEX_LEN + 1];
    xd_hex_encode(h, XD_SHA256_LEN, hex);
    char key[128];
    snprintf(key, sizeof key, "erp-master:%s", hex);
    struct xd_inbound_request req = {
        .partner = p->id,
        .channel = "erp",
        .content_type = "application/json",
        .data = m.json,
        .len = m.json_len,
        .actor = "erp-sync",
        .dedupe_key = key,
    };
    struct xd_inbound_result res;
    xd_inbound_result_init(&res);
    st = xd_inbound_process(ctx, &req, &res, err);
    if (st == XD_OK && res.outcome == XD_INBOUND_REFUSED) {
        st = xd_error_set(err, XD_EDECLINED, "master data refused: %s", res.reason);
    } else if (st == XD_OK && res.outcome == XD_INBOUND_STORED &&
               strcmp(res.status, "accepted") != 0) {
        st = xd_error_set(err, XD_EINVALDOC, "master data %s: %s", res.status, res.reason);
        *stored = res.documents;
    } else if (st == XD_OK) {
        *stored = res.outcome == XD_INBOUND_STORED ? res.documents : 0;
        const struct xd_log_ctx lc = {.partner = p->id, .action = "erp.sync"};
        XD_LOG_INFO("erp", &lc, "master data: %zu items, %zu parties, %zu locations (%s)", m.items,
                    m.parties, m.locations,
                    res.outcome == XD_INBOUND_STORED ? "journaled" : "unchanged");
    }
    xd_inbound_result_cleanup(&res);
    xd_erp_master_cleanup(&m);
    return st;
}

enum xd_status xd_erp_sync(const struct xd_inbound_ctx *ctx, const struct xd_partner_profile *p,
                           size_t *stored, struct xd_error *err)
{
    *stored = 0;
    struct xd_erp *e = NULL;
    enum xd_status st = xd_erp_open(p, ctx->partners, &e, err);
    if (st == XD_OK) {
        st = sync_with(ctx, e, p, stored, err);
    }
    xd_erp_close(e);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* The poller thread */

#define POLLER_PARTNERS_MAX 64
#define ERROR_LOG_EVERY_MS  60000 /* while an ERP stays down, one error a minute */
#define BACKOFF_MAX_MS      60000
#define TICK_MS             500

struct partner_state {
    char id[XD_PARTNER_ID_MAX + 1];
    struct xd_erp *erp; /* open on the profile it was opened with (its session reused) */
    int64_t next_poll_ms;
    int64_t next_sync_ms;
    int64_t failures;
    int64_t last_error_log_ms;
};

struct xd_erp_poller {
    struct xd_inbound_ctx ctx;
    int64_t sync_interval_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;            /* under mu */
    atomic_bool stopping; /* the same, for calls under way to abandon theirs */
    /* The thread's own. */
    struct partner_state st[POLLER_PARTNERS_MAX];
    size_t n;
};

static struct partner_state *state_for(struct xd_erp_poller *pl, const char *id, int64_t now)
{
    for (size_t i = 0; i < pl->n; i++) {
        if (strcmp(pl->st[i].id, id) == 0) {
            return &pl->st[i];
        }
    }
    if (pl->n == POLLER_PARTNERS_MAX) {
        return NULL;
    }
    struct partner_state *s = &pl->st[pl->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", id);
    s->next_poll_ms = now;
    s->next_sync_ms = now;
    return s;
}

/* A failed poll: back off (doubling up to a minute) and log when it starts failing, then at
 * most once a minute, so an ERP that is down for hours does not flood the log. */
static void failed(struct partner_state *s, const struct xd_partner_profile *p, const char *what,
                   const struct xd_error *err, int64_t now)
{
    s->failures++;
    int64_t backoff = p->erp->poll_interval_ms;
    for (int64_t i = 1; i < s->failures && backoff < BACKOFF_MAX_MS; i++) {
        backoff *= 2;
    }
    s->next_poll_ms = now + (backoff < BACKOFF_MAX_MS ? backoff : BACKOFF_MAX_MS);
    if (s->failures == 1 || now - s->last_error_log_ms >= ERROR_LOG_EVERY_MS) {
        const struct xd_log_ctx lc = {.partner = p->id, .action = what};
        XD_LOG_ERROR("erp", &lc, "%s of %s failed (%lld in a row; next try in %lld s): %s", what,
                     p->id, (long long)s->failures, (long long)((s->next_poll_ms - now) / 1000),
                     err->message);
        s->last_error_log_ms = now;
    }
}

static void run_partner(struct xd_erp_poller *pl, const struct xd_partner_profile *p, int64_t now)
{
    struct partner_state *s = state_for(pl, p->id, now);
    if (s == NULL || now < s->next_poll_ms) {
        return;
    }
    struct xd_error err;
    xd_error_clear(&err);
    if (s->erp != NULL && s->erp->p != p) {
        xd_erp_close(s->erp); /* the profile changed: its settings and credential too */
        s->erp = NULL;
    }
    if (s->erp == NULL && xd_erp_open(p, pl->ctx.partners, &s->erp, &err) != XD_OK) {
        failed(s, p, "erp.poll", &err, now);
        return;
    }
    s->erp->cancel = &pl->stopping;
    size_t n = 0;
    enum xd_status st = poll_with(&pl->ctx, s->erp, p, 10, &n, &err);
    if (st == XD_ECLOSED && atomic_load(&pl->stopping)) {
        return;
    }
    if (st != XD_OK) {
        failed(s, p, "erp.poll", &err, now);
        return;
    }
    if (s->failures > 0) {
        const struct xd_log_ctx lc = {.partner = p->id, .action = "erp.poll"};
        XD_LOG_INFO("erp", &lc, "%s answers again after %lld failed polls", p->id,
                    (long long)s->failures);
    }
    s->failures = 0;
    s->next_poll_ms = now + p->erp->poll_interval_ms;
    if (pl->sync_interval_ms > 0 && now >= s->next_sync_ms) {
        size_t stored = 0;
        if (sync_with(&pl->ctx, s->erp, p, &stored, &err) != XD_OK) {
            const struct xd_log_ctx lc = {.partner = p->id, .action = "erp.sync"};
            XD_LOG_ERROR("erp", &lc, "master data sync of %s failed: %s", p->id, err.message);
        }
        s->next_sync_ms = now + pl->sync_interval_ms;
    }
}

static void *poller_main(void *arg)
{
    pthread_setname_np(pthread_self(), "xd-erp-poll"); /* shown by top -H, perf, gdb */
    struct xd_erp_poller *pl = arg;
    for (;;) {
        struct xd_partner_snapshot *snap = xd_partner_registry_acquire(pl->ctx.partners);
        for (size_t i = 0; snap != NULL && i < xd_partner_snapshot_count(snap); i++) {
            const struct xd_partner_profile *p = xd_partner_snapshot_at(snap, i);
            if (p->role == XD_PARTNER_ROLE_ERP && p->erp != NULL) {
                run_partner(pl, p, xd_now_ms());
            }
        }
        xd_partner_snapshot_release(snap);
        pthread_mutex_lock(&pl->mu);
        if (!pl->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)TICK_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&pl->cv, &pl->mu, &ts);
        }
        bool stop = pl->stop;
        pthread_mutex_unlock(&pl->mu);
        if (stop) {
            return NULL;
        }
    }
}

enum xd_status xd_erp_poller_start(const struct xd_inbound_ctx *ctx, int64_t sync_interval_ms,
                                   struct xd_erp_poller **out, struct xd_error *err)
{
    struct xd_erp_poller *pl = xd_calloc(1, sizeof *pl);
    if (pl == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    pl->ctx = *ctx;
    pl->sync_interval_ms = sync_interval_ms;
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->cv, NULL);
    if (pthread_create(&pl->thread, NULL, poller_main, pl) != 0) {
        pthread_cond_destroy(&pl->cv);
        pthread_mutex_destroy(&pl->mu);
        xd_free(pl);
        return xd_error_set(err, XD_EIO, "cannot start the ERP poller thread");
    }
    *out = pl;
    return XD_OK;
}

void xd_erp_poller_stop(struct xd_erp_poller *pl)
{
    if (pl == NULL) {
        return;
    }
    atomic_store(&pl->stopping, true);
    pthread_mutex_lock(&pl->mu);
    pl->stop = true;
    pthread_cond_signal(&pl->cv);
    pthread_mutex_unlock(&pl->mu);
    pthread_join(pl->thread, NULL);
    for (size_t i = 0; i < pl->n; i++) {
        xd_erp_close(pl->st[i].erp);
    }
    pthread_cond_destroy(&pl->cv);
    pthread_mutex_destroy(&pl->mu);
    xd_free(pl);
}
