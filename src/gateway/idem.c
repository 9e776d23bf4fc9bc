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
