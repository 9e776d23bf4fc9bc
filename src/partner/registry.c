/* SPDX-License-Identifier: MIT
 * The registry: the profiles in effect, as immutable snapshots. A snapshot holds a reference on
 * each of its profiles and sorted indexes by id, X12 interchange sender and GS application
 * code. Applying a profile builds a new snapshot that shares every unchanged profile and swaps
 * it in; readers holding the old one keep it until they release it.
 *
 * Threads: `mu` guards the `current` pointer only (held for a copy and a reference increment);
 * `wmu` serializes the building of new snapshots; `apply_mu` serializes whole applies
 * (apply.c), so checks against other profiles and the store's version see no interleaving.
 * `generation` is atomic: it changes after the swap, so a reader that saw the new number sees the
 * new snapshot when it acquires one. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "partner/partner_int.h"
#include "partner/registry_int.h"

static void snapshot_free(struct xd_partner_snapshot *s)
{
    for (size_t i = 0; i < s->n; i++) {
        xd_partner_profile_unref(s->by_id[i]);
    }
    xd_free(s->by_id);
    xd_free(s->by_isa);
    xd_free(s->by_gs);
    xd_free(s);
}

void xd_partner_snapshot_release(struct xd_partner_snapshot *s)
{
    if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1) {
        snapshot_free(s);
    }
}

/* ISA ids travel padded with blanks to 15 characters: compare without trailing blanks. */
static size_t trimmed_len(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    return n;
}

static int cmp_trimmed(const char *a, const char *b)
{
    size_t la = trimmed_len(a);
    size_t lb = trimmed_len(b);
    int c = memcmp(a, b, la < lb ? la : lb);
    return c != 0 ? c : (la < lb ? -1 : la > lb);
}

static int cmp_id(const void *a, const void *b)
{
    const struct xd_partner_profile *x = *(const struct xd_partner_profile *const *)a;
    const struct xd_partner_profile *y = *(const struct xd_partner_profile *const *)b;
    return strcmp(x->id, y->id);
}

static int cmp_isa_key(const char *qa, const char *ia, const char *qb, const char *ib)
{
    int c = strcmp(qa, qb);
    return c != 0 ? c : cmp_trimmed(ia, ib);
}

static int cmp_isa(const void *a, const void *b)
{
    const struct xd_partner_profile *x = *(const struct xd_partner_profile *const *)a;
    const struct xd_partner_profile *y = *(const struct xd_partner_profile *const *)b;
    return cmp_isa_key(x->identifiers.isa_qualifier, x->identifiers.isa_id,
                       y->identifiers.isa_qualifier, y->identifiers.isa_id);
}

static int cmp_gs(const void *a, const void *b)
{
    const struct xd_partner_profile *x = *(const struct xd_partner_profile *const *)a;
    const struct xd_partner_profile *y = *(const struct xd_partner_profile *const *)b;
    return cmp_trimmed(x->identifiers.gs_id, y->identifiers.gs_id);
}

/* A snapshot of <n> profiles whose references the caller hands over (released on failure). */
static enum xd_status snapshot_build(const struct xd_partner_profile **profiles, size_t n,
                                     struct xd_partner_snapshot **out)
{
    struct xd_partner_snapshot *s = xd_calloc(1, sizeof *s);
    if (s == NULL) {
        for (size_t i = 0; i < n; i++) {
            xd_partner_profile_unref(profiles[i]);
        }
        xd_free(profiles);
        return XD_ENOMEM;
    }
    atomic_init(&s->refs, 1);
    s->by_id = profiles;
    s->n = n;
    s->by_isa = xd_calloc(n + 1, sizeof *s->by_isa);
    s->by_gs = xd_calloc(n + 1, sizeof *s->by_gs);
    if (s->by_isa == NULL || s->by_gs == NULL) {
        snapshot_free(s);
        return XD_ENOMEM;
    }
    qsort(s->by_id, n, sizeof *s->by_id, cmp_id);
    for (size_t i = 0; i < n; i++) {
        const struct xd_partner_identifiers *id = &profiles[i]->identifiers;
        if (id->isa_qualifier != NULL && id->isa_id != NULL) {
            s->by_isa[s->n_isa++] = profiles[i];
        }
        if (id->gs_id != NULL) {
            s->by_gs[s->n_gs++] = profiles[i];
        }
    }
    qsort(s->by_isa, s->n_isa, sizeof *s->by_isa, cmp_isa);
    qsort(s->by_gs, s->n_gs, sizeof *s->by_gs, cmp_gs);
    *out = s;
    return XD_OK;
}

enum xd_status xd_partner_registry_create(const struct xd_secret_key *key,
                                          struct xd_partner_registry **out)
{
    struct xd_partner_registry *r = xd_calloc(1, sizeof *r);
    if (r == NULL) {
        return XD_ENOMEM;
    }
    const struct xd_partner_profile **none = xd_calloc(1, sizeof *none);
    if (none == NULL || snapshot_build(none, 0, &r->current) != XD_OK) {
        xd_free(r);
        return XD_ENOMEM;
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->wmu, NULL);
    pthread_mutex_init(&r->apply_mu, NULL);
    atomic_init(&r->generation, 0);
    r->key = key;
    *out = r;
    return XD_OK;
}

void xd_partner_registry_destroy(struct xd_partner_registry *r)
{
    if (r == NULL) {
        return;
    }
    xd_partner_snapshot_release(r->current);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->wmu);
    pthread_mutex_destroy(&r->apply_mu);
    xd_free(r);
}

struct xd_partner_snapshot *xd_partner_registry_acquire(struct xd_partner_registry *r)
{
    pthread_mutex_lock(&r->mu);
    struct xd_partner_snapshot *s = r->current;
    atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&r->mu);
    return s;
}

/* Swap in <s> (the registry takes the caller's reference) and release the old one. */
static void swap_in(struct xd_partner_registry *r, struct xd_partner_snapshot *s)
{
    pthread_mutex_lock(&r->mu);
    struct xd_partner_snapshot *old = r->current;
    r->current = s;
    pthread_mutex_unlock(&r->mu);
    atomic_fetch_add(&r->generation, 1);
    xd_partner_snapshot_release(old);
}

uint64_t xd_partner_registry_generation(struct xd_partner_registry *r)
{
    return (uint64_t)atomic_load(&r->generation);
}

enum xd_status xd_partner__registry_replace(struct xd_partner_registry *r,
                                            const struct xd_partner_profile **profiles, size_t n)
{
    struct xd_partner_snapshot *s = NULL;
    enum xd_status st = snapshot_build(profiles, n, &s);
    if (st != XD_OK) {
        return st;
    }
    pthread_mutex_lock(&r->wmu);
    swap_in(r, s);
    pthread_mutex_unlock(&r->wmu);
    return XD_OK;
}

enum xd_status xd_partner_registry_put(struct xd_partner_registry *r,
                                       const struct xd_partner_profile *p)
{
    pthread_mutex_lock(&r->wmu);
    struct xd_partner_snapshot *cur = xd_partner_registry_acquire(r);
    enum xd_status st = XD_OK;
    size_t n = cur->n;
    if (n >= XD_PARTNER_REGISTRY_MAX && xd_partner_snapshot_find(cur, p->id) == NULL) {
        st = XD_ETOOBIG;
    }
    const struct xd_partner_profile **arr = st == XD_OK ? xd_calloc(n + 1, sizeof *arr) : NULL;
    if (st == XD_OK && arr == NULL) {
        st = XD_ENOMEM;
    }
    struct xd_partner_snapshot *s = NULL;
    if (st == XD_OK) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(cur->by_id[i]->id, p->id) != 0) {
                arr[k++] = xd_partner_profile_ref(cur->by_id[i]);
            }
        }
        arr[k++] = xd_partner_profile_ref(p);
        st = snapshot_build(arr, k, &s);
    }
    xd_partner_snapshot_release(cur);
    if (st == XD_OK) {
        swap_in(r, s);
    }
    pthread_mutex_unlock(&r->wmu);
    return st;
}

size_t xd_partner_snapshot_count(const struct xd_partner_snapshot *s)
{
    return s->n;
}

const struct xd_partner_profile *xd_partner_snapshot_at(const struct xd_partner_snapshot *s,
                                                        size_t i)
{
    return i < s->n ? s->by_id[i] : NULL;
}

const struct xd_partner_profile *xd_partner_snapshot_find(const struct xd_partner_snapshot *s,
                                                          const char *id)
{
    size_t lo = 0;
    size_t hi = s->n;
    while (id != NULL && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->by_id[mid]->id, id);
        if (c == 0) {
            return s->by_id[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct xd_partner_profile *xd_partner_snapshot_find_isa(const struct xd_partner_snapshot *s,
                                                              const char *qualifier,
                                                              const char *isa_id)
{
    size_t lo = 0;
    size_t hi = s->n_isa;
    while (qualifier != NULL && isa_id != NULL && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct xd_partner_identifiers *m = &s->by_isa[mid]->identifiers;
        int c = cmp_isa_key(m->isa_qualifier, m->isa_id, qualifier, isa_id);
        if (c == 0) {
            return s->by_isa[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct xd_partner_profile *xd_partner_snapshot_find_gs(const struct xd_partner_snapshot *s,
                                                             const char *gs_id)
{
    size_t lo = 0;
    size_t hi = s->n_gs;
    while (gs_id != NULL && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_trimmed(s->by_gs[mid]->identifiers.gs_id, gs_id);
        if (c == 0) {
            return s->by_gs[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct xd_partner_profile *xd_partner_snapshot_find_inbox(const struct xd_partner_snapshot *s,
                                                                const char *folder)
{
    const struct xd_partner_profile *p = xd_partner_snapshot_find(s, folder);
    return p != NULL && p->inbound.inbox != NULL && p->inbound.inbox->enabled ? p : NULL;
}

enum xd_status xd_partner__credential_aad(const char *partner, const char *name, struct xd_buf *out)
{
    enum xd_status st = xd_buf_append(out, partner, strlen(partner) + 1);
    return st == XD_OK ? xd_buf_append(out, name, strlen(name)) : st;
}

enum xd_status xd_partner_credential_open(const struct xd_partner_registry *r,
                                          const struct xd_partner_profile *p, const char *name,
                                          struct xd_secret **out, struct xd_error *err)
{
    const struct xd_partner_credential *cr = xd_partner_credential_find(p, name);
    if (cr == NULL || (cr->sealed == NULL && cr->value == NULL)) {
        return xd_error_set(err, XD_ENOTFOUND, "partner %s has no credential %s", p->id,
                            name != NULL ? name : "(null)");
    }
    if (cr->sealed == NULL) {
        size_t len;
        const uint8_t *v = xd_secret_reveal(cr->value, &len);
        enum xd_status st = xd_secret_create(v, len, out);
        return st == XD_OK ? XD_OK : xd_error_set(err, st, "credential: %s", xd_strerror(st));
    }
    if (r == NULL || r->key == NULL) {
        return xd_error_set(err, XD_EUNSUPPORTED, "no secret key: credentials cannot be opened");
    }
    struct xd_buf aad;
    xd_buf_init(&aad, 256);
    enum xd_status st = xd_partner__credential_aad(p->id, cr->name, &aad);
    if (st == XD_OK) {
        st = xd_secret_open(r->key, aad.data, aad.len, cr->sealed, cr->sealed_len, out, err);
    } else {
        xd_error_set(err, st, "credential: %s", xd_strerror(st));
    }
    xd_buf_cleanup(&aad);
    return st;
}
