/* SPDX-License-Identifier: MIT
 * The connector handle: opened from an ERP partner's profile (settings, mapping, credential),
 * dispatched to its connector's operations; identifier mapping over the profile's erp section;
 * the delivery engine's hook for endpoints of kind erp.
 * Threads: a handle belongs to one thread at a time; the pool hands idle ones to the delivery
 * workers under its mutex. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "deliver/deliver.h"
#include "erp/erp_int.h"

static const struct xd_erp_ops *const connectors[] = {
    [XD_PARTNER_ERP_TRYTON] = &xd_erp__tryton,
};

enum xd_status xd_erp_open(const struct xd_partner_profile *p, struct xd_partner_registry *partners,
                           struct xd_erp **out, struct xd_error *err)
{
    if (p == NULL || p->role != XD_PARTNER_ROLE_ERP || p->erp == NULL) {
        return xd_error_set(err, XD_EINVAL, "partner %s is not an ERP with an erp section",
                            p != NULL ? p->id : "(none)");
    }
    const struct xd_partner_erp *cfg = p->erp;
    if ((size_t)cfg->connector >= XD_ARRAY_LEN(connectors)) {
        return xd_error_set(err, XD_EUNSUPPORTED, "unknown ERP connector");
    }
    const struct xd_partner_credential *cred = xd_partner_credential_find(p, cfg->credential);
    if (cred == NULL || cred->username == NULL) {
        return xd_error_set(err, XD_ENOTFOUND, "partner %s has no password credential %s", p->id,
                            cfg->credential);
    }
    struct xd_erp *e = xd_calloc(1, sizeof *e);
    if (e == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    size_t ulen = strlen(cfg->url);
    int n = snprintf(e->rpc_url, sizeof e->rpc_url, "%s%s%s/", cfg->url,
                     ulen > 0 && cfg->url[ulen - 1] == '/' ? "" : "/", cfg->database);
    int u = snprintf(e->username, sizeof e->username, "%s", cred->username);
    if (n < 0 || (size_t)n >= sizeof e->rpc_url || u < 0 || (size_t)u >= sizeof e->username) {
        xd_free(e);
        return xd_error_set(err, XD_ETOOBIG, "erp.url or the username is too long");
    }
    enum xd_status st = xd_partner_credential_open(partners, p, cfg->credential, &e->password, err);
    if (st != XD_OK) {
        xd_free(e);
        return st;
    }
    e->context = json_object();
    if (e->context == NULL) {
        xd_secret_destroy(e->password);
        xd_free(e);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    e->ops = connectors[cfg->connector];
    e->p = xd_partner_profile_ref(p);
    e->timeout_ms = 60000;
    *out = e;
    return XD_OK;
}

void xd_erp_close(struct xd_erp *e)
{
    if (e == NULL) {
        return;
    }
    e->ops->close(e);
    json_decref(e->context);
    xd_secret_destroy(e->password);
    xd_partner_profile_unref(e->p);
    xd_free(e);
}

enum xd_status xd_erp_fetch(struct xd_erp *e, const char *cursor, struct xd_erp_batch *out,
                            struct xd_error *err)
{
    return e->ops->fetch(e, cursor, out, err);
}

enum xd_status xd_erp_post(struct xd_erp *e, const char *json, size_t len,
                           enum xd_erp_outcome *outcome, char *detail, size_t cap)
{
    return e->ops->post(e, json, len, outcome, detail, cap);
}

enum xd_status xd_erp_master(struct xd_erp *e, struct xd_erp_master *out, struct xd_error *err)
{
    return e->ops->master(e, out, err);
}

void xd_erp_batch_cleanup(struct xd_erp_batch *b)
{
    for (size_t i = 0; b->docs != NULL && i < b->n_docs; i++) {
        xd_free(b->docs[i].json);
        xd_free(b->docs[i].dedupe_key);
        xd_free(b->docs[i].cursor);
        xd_free(b->docs[i].po_number);
        xd_free(b->docs[i].fingerprint);
    }
    xd_free(b->docs);
    memset(b, 0, sizeof *b);
}

void xd_erp_master_cleanup(struct xd_erp_master *m)
{
    xd_free(m->json);
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------------------------------------ */
/* Identifier mapping */

static void map_table(const struct xd_erp *e, enum xd_erp_map_kind k,
                      const struct xd_partner_kv **kv, size_t *n)
{
    const struct xd_partner_erp *c = e->p->erp;
    switch (k) {
    case XD_ERP_MAP_PRODUCT:
        *kv = c->products, *n = c->n_products;
        return;
    case XD_ERP_MAP_PARTY:
        *kv = c->parties, *n = c->n_parties;
        return;
    case XD_ERP_MAP_LOCATION:
        *kv = c->locations, *n = c->n_locations;
        return;
    case XD_ERP_MAP_UNIT:
        *kv = c->units, *n = c->n_units;
        return;
    }
    *kv = NULL, *n = 0;
}

const char *xd_erp_map_in(const struct xd_erp *e, enum xd_erp_map_kind k, const char *erp_code)
{
    const struct xd_partner_kv *kv = NULL;
    size_t n = 0;
    map_table(e, k, &kv, &n);
    for (size_t i = 0; erp_code != NULL && i < n; i++) {
        if (strcmp(kv[i].key, erp_code) == 0) {
            return kv[i].value;
        }
    }
    return NULL;
}

const char *xd_erp_map_out(const struct xd_erp *e, enum xd_erp_map_kind k, const char *ours)
{
    const struct xd_partner_kv *kv = NULL;
    size_t n = 0;
    map_table(e, k, &kv, &n);
    for (size_t i = 0; ours != NULL && i < n; i++) {
        if (strcmp(kv[i].value, ours) == 0) {
            return kv[i].key;
        }
    }
    return ours;
}

/* ------------------------------------------------------------------------------------------ */
/* Delivery */

struct xd_erp_pool {
    struct xd_partner_registry *partners;
    pthread_mutex_t mu;
    struct xd_erp *idle[XD_ERP_POOL_MAX]; /* under mu */
    size_t n;
};

enum xd_status xd_erp_pool_create(struct xd_partner_registry *partners, struct xd_erp_pool **out)
{
    struct xd_erp_pool *pool = xd_calloc(1, sizeof *pool);
    if (pool == NULL) {
        return XD_ENOMEM;
    }
    pool->partners = partners;
    pthread_mutex_init(&pool->mu, NULL);
    *out = pool;
    return XD_OK;
}

void xd_erp_pool_destroy(struct xd_erp_pool *pool)
{
    if (pool == NULL) {
        return;
    }
    for (size_t i = 0; i < pool->n; i++) {
        xd_erp_close(pool->idle[i]);
    }
    pthread_mutex_destroy(&pool->mu);
    xd_free(pool);
}

/* An idle connector of <p> (removed from the pool), or NULL. Connectors of an older version of
 * the same partner's profile are taken out into <stale> to be closed. */
static struct xd_erp *pool_take(struct xd_erp_pool *pool, const struct xd_partner_profile *p,
                                struct xd_erp **stale, size_t *n_stale)
{
    struct xd_erp *found = NULL;
    *n_stale = 0;
    pthread_mutex_lock(&pool->mu);
    for (size_t i = 0; i < pool->n;) {
        struct xd_erp *e = pool->idle[i];
        bool same_partner = strcmp(e->p->id, p->id) == 0;
        if (same_partner && (e->p != p || found != NULL)) {
            stale[(*n_stale)++] = e; /* an older profile: its settings may have changed */
        } else if (same_partner) {
            found = e;
        } else {
            i++;
            continue;
        }
        pool->idle[i] = pool->idle[--pool->n];
    }
    pthread_mutex_unlock(&pool->mu);
    return found;
}

static void pool_give(struct xd_erp_pool *pool, struct xd_erp *e)
{
    pthread_mutex_lock(&pool->mu);
    bool kept = pool->n < XD_ERP_POOL_MAX;
    if (kept) {
        pool->idle[pool->n++] = e;
    }
    pthread_mutex_unlock(&pool->mu);
    if (!kept) {
        xd_erp_close(e);
    }
}

enum xd_deliver_erp_result xd_erp_deliver(void *arg, const char *partner, const char *body,
                                          size_t len, int64_t timeout_ms, char *detail, size_t cap)
{
    struct xd_erp_pool *pool = arg;
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(pool->partners);
    const struct xd_partner_profile *p =
        snap != NULL ? xd_partner_snapshot_find(snap, partner) : NULL;
    struct xd_error err;
    xd_error_clear(&err);
    struct xd_erp *stale[XD_ERP_POOL_MAX];
    size_t n_stale = 0;
    struct xd_erp *e = p != NULL ? pool_take(pool, p, stale, &n_stale) : NULL;
    for (size_t i = 0; i < n_stale; i++) {
        xd_erp_close(stale[i]);
    }
    enum xd_status st = e != NULL   ? XD_OK
                        : p != NULL ? xd_erp_open(p, pool->partners, &e, &err)
                                    : xd_error_set(&err, XD_ENOTFOUND, "no partner %s", partner);
    xd_partner_snapshot_release(snap);
    if (st != XD_OK) {
        /* A profile or credential to fix: wait under the retry policy, saying why. */
        snprintf(detail, cap, "ERP connector of %s cannot be opened: %s", partner, err.message);
        return XD_DELIVER_ERP_RETRY;
    }
    enum xd_erp_outcome out = XD_ERP_RETRY;
    /* Each call to the ERP within the endpoint's timeout (a posting makes a few). */
    e->timeout_ms = timeout_ms > 0 ? timeout_ms : 60000;
    st = xd_erp_post(e, body, len, &out, detail, cap);
    pool_give(pool, e);
    if (st != XD_OK) {
        snprintf(detail, cap, "posting to the ERP: %s", xd_strerror(st));
        return XD_DELIVER_ERP_RETRY;
    }
    return out == XD_ERP_DONE    ? XD_DELIVER_ERP_DONE
           : out == XD_ERP_RETRY ? XD_DELIVER_ERP_RETRY
                                 : XD_DELIVER_ERP_REFUSED;
}
