/* SPDX-License-Identifier: MIT
 * Idempotency keys of requests still in flight, so a second request with the same key gets 409
 * while the first is being processed (draft-ietf-httpapi-idempotency-key-header). Completed
 * requests are recognised by the store, which keeps their responses durably.
 * Threads: pool threads claim, pool or writer threads release; one mutex guards the table. */
#include <pthread.h>
#include <string.h>

#include "gateway/gw_int.h"

#define IDEM_BUCKETS 1024

struct idem_entry {
    struct idem_entry *next;
    char key[]; /* "scope\nkey" */
};

struct gw_idem_table {
    pthread_mutex_t mu;
    struct idem_entry *buckets[IDEM_BUCKETS];
};

struct gw_idem_table *xd_gw__idem_create(void)
{
    struct gw_idem_table *t = xd_calloc(1, sizeof *t);
    if (t != NULL) {
        pthread_mutex_init(&t->mu, NULL);
    }
    return t;
}

void xd_gw__idem_destroy(struct gw_idem_table *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < IDEM_BUCKETS; i++) {
        struct idem_entry *e = t->buckets[i];
        while (e != NULL) {
            struct idem_entry *next = e->next;
            xd_free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&t->mu);
    xd_free(t);
}

/* FNV-1a: the table only spreads keys of requests in flight, nothing here needs a secure hash. */
static size_t bucket_of(const char *k)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)k; *p != '\0'; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return (size_t)(h % IDEM_BUCKETS);
}

enum xd_status xd_gw__idem_claim(struct xd_gw_request *r, const char *scope, const char *key)
{
    struct gw_idem_table *t = r->gw->idem;
    size_t sl = strlen(scope), kl = strlen(key);
    struct idem_entry *e = xd_malloc(sizeof *e + sl + kl + 2);
    if (e == NULL) {
        return XD_ENOMEM;
    }
    memcpy(e->key, scope, sl);
    e->key[sl] = '\n';
    memcpy(e->key + sl + 1, key, kl + 1);
    size_t b = bucket_of(e->key);
    pthread_mutex_lock(&t->mu);
    for (struct idem_entry *it = t->buckets[b]; it != NULL; it = it->next) {
        if (strcmp(it->key, e->key) == 0) {
            pthread_mutex_unlock(&t->mu);
            xd_free(e);
            return XD_EEXIST;
        }
    }
    e->next = t->buckets[b];
    t->buckets[b] = e;
    pthread_mutex_unlock(&t->mu);
    r->idem_slot = e->key;
    return XD_OK;
}

void xd_gw__idem_release(struct xd_gw_request *r)
{
    if (r->idem_slot == NULL) {
        return;
    }
    struct gw_idem_table *t = r->gw->idem;
    size_t b = bucket_of(r->idem_slot);
    pthread_mutex_lock(&t->mu);
    for (struct idem_entry **pp = &t->buckets[b]; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->key == r->idem_slot) {
            struct idem_entry *e = *pp;
            *pp = e->next;
            xd_free(e);
            break;
        }
    }
    pthread_mutex_unlock(&t->mu);
    r->idem_slot = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The header, the fingerprint and replays: shared by every route that takes a key. */

/* Idempotency-Key: a Structured Field string ("..."); bare tokens are accepted too. */
static const char *idempotency_key(struct xd_gw_request *r, bool *bad)
{
    const char *h = xd_gw__header(r, "Idempotency-Key");
    *bad = false;
    if (h == NULL) {
        return NULL;
    }
    size_t n = strlen(h);
    if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
        h++;
        n -= 2;
    }
    if (n == 0 || n > GW_IDEM_KEY_MAX) {
        *bad = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (h[i] < 0x20 || h[i] > 0x7e || h[i] == '"' || h[i] == '\\') {
            *bad = true;
            return NULL;
        }
    }
    return xd_arena_strndup(r->arena, h, n);
}

/* SHA-256 over method, path and body: what "the same request" means for a key. */
static void request_fingerprint(struct xd_gw_request *r, uint8_t out[XD_SHA256_LEN])
{
    struct xd_sha256_ctx c;
    if (xd_sha256_begin(&c) != XD_OK) {
        memset(out, 0, XD_SHA256_LEN);
        return;
    }
    const char *m = xd_gw__method_name(r->method);
    xd_sha256_update(&c, m, strlen(m));
    xd_sha256_update(&c, "\n", 1);
    xd_sha256_update(&c, r->path, strlen(r->path));
    xd_sha256_update(&c, "\n", 1);
    if (r->body.len > 0) {
        xd_sha256_update(&c, r->body.data, r->body.len);
    }
    xd_sha256_end(&c, out);
}

void xd_gw__idem_replay(struct xd_gw_request *r, const uint8_t *request_hash,
                        const uint8_t *stored_hash, int status, const char *body, size_t len)
{
    if (!xd_ct_equal(stored_hash, request_hash, XD_SHA256_LEN)) {
        xd_gw__problem(r, 422, "idempotency-key-reused", "Unprocessable Content", NULL,
                       "this Idempotency-Key was already used for a different request");
        return;
    }
    xd_gw__json(r, status, body, len);
    xd_gw__add_header(r, "Idempotent-Replayed", "true");
}

/* Look the key up among completed requests. Returns true when the answer is set. */
static bool idempotency_lookup(struct xd_gw_request *r, const char *key,
                               const uint8_t request_hash[XD_SHA256_LEN])
{
    struct xd_store_idem prior;
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_store_idem_get(r->gw->store, r->token.id, key, r->arena, &prior, &err);
    if (st == XD_ENOTFOUND) {
        return false;
    }
    if (st != XD_OK) {
        XD_LOG_ERROR("http", NULL, "idempotency lookup failed: %s", err.message);
        xd_gw__unavailable(r, "cannot check the Idempotency-Key right now");
        return true;
    }
    xd_gw__idem_replay(r, request_hash, prior.request_hash, prior.http_status, prior.body,
                       prior.body_len);
    return true;
}

bool xd_gw__idem_claim_key(struct xd_gw_request *r, const char **idem_key,
                           uint8_t request_hash[XD_SHA256_LEN])
{
    bool bad = false;
    *idem_key = idempotency_key(r, &bad);
    if (bad) {
        xd_gw__problem(r, 400, "invalid-idempotency-key", "Bad Request", NULL,
                       "Idempotency-Key must be 1-%d printable ASCII characters", GW_IDEM_KEY_MAX);
        return false;
    }
    if (*idem_key == NULL) {
        return true;
    }
    enum xd_status st = xd_gw__idem_claim(r, r->token.id, *idem_key);
    if (st == XD_EEXIST) {
        xd_gw__problem(r, 409, "request-in-progress", "Conflict", NULL,
                       "a request with this Idempotency-Key is still being processed");
        return false;
    }
    if (st != XD_OK) {
        xd_gw__unavailable(r, "out of memory");
        return false;
    }
    request_fingerprint(r, request_hash);
    return true;
}

bool xd_gw__idem_answer_stored(struct xd_gw_request *r, const char *idem_key,
                               const uint8_t request_hash[XD_SHA256_LEN])
{
    return idem_key != NULL && idempotency_lookup(r, idem_key, request_hash);
}

bool xd_gw__idem_begin(struct xd_gw_request *r, const char **idem_key,
                       uint8_t request_hash[XD_SHA256_LEN])
{
    return xd_gw__idem_claim_key(r, idem_key, request_hash) &&
           !xd_gw__idem_answer_stored(r, *idem_key, request_hash);
}
