/* SPDX-License-Identifier: MIT
 * Reads on the calling thread: a pool of read-only connections (created on demand up to
 * readers_max, guarded by pool_mu; a connection taken from the pool belongs to the taking
 * thread until it is given back). WAL readers never block the writer and see every commit. */
#include <string.h>

#include "store/store_int.h"

enum xd_status xd_store__reader_take(struct xd_store *s, struct xd_store__conn **out,
                                     struct xd_error *err)
{
    pthread_mutex_lock(&s->pool_mu);
    for (;;) {
        if (s->pool_n_free > 0) {
            *out = s->pool_free[--s->pool_n_free];
            pthread_mutex_unlock(&s->pool_mu);
            return XD_OK;
        }
        if (s->pool_open < s->opts.readers_max) {
            break;
        }
        pthread_cond_wait(&s->pool_cv, &s->pool_mu);
    }
    s->pool_open++;
    pthread_mutex_unlock(&s->pool_mu);
    /* Opening touches the file system: do it outside the lock, the slot is reserved. */
    enum xd_status st = s->be->reader_open(s->db, out, err);
    if (st != XD_OK) {
        pthread_mutex_lock(&s->pool_mu);
        s->pool_open--;
        pthread_cond_signal(&s->pool_cv);
        pthread_mutex_unlock(&s->pool_mu);
    }
    return st;
}

void xd_store__reader_give(struct xd_store *s, struct xd_store__conn *c, enum xd_status st)
{
    if (st == XD_EUNAVAIL) {
        /* The storage under it failed; a fresh connection is cheap and starts clean. */
        s->be->conn_close(c);
        pthread_mutex_lock(&s->pool_mu);
        s->pool_open--;
    } else {
        pthread_mutex_lock(&s->pool_mu);
        s->pool_free[s->pool_n_free++] = c;
    }
    pthread_cond_signal(&s->pool_cv);
    pthread_mutex_unlock(&s->pool_mu);
}

void xd_store__pool_close(struct xd_store *s)
{
    pthread_mutex_lock(&s->pool_mu);
    XD_ASSERT(s->pool_n_free == s->pool_open); /* xd_store_close with reads still running */
    for (size_t i = 0; i < s->pool_n_free; i++) {
        s->be->conn_close(s->pool_free[i]);
    }
    s->pool_n_free = 0;
    s->pool_open = 0;
    pthread_mutex_unlock(&s->pool_mu);
}

/* ------------------------------------------------------------------------------------------ */

static enum xd_status need(struct xd_error *err, const char *what, const void *p)
{
    return p != NULL ? XD_OK : xd_error_set(err, XD_EINVAL, "store read: %s is required", what);
}

enum xd_status xd_store_doc_get(struct xd_store *s, const char *id, struct xd_arena *a,
                                struct xd_store_doc *out, struct xd_error *err)
{
    enum xd_status st = need(err, "id", id);
    if (st == XD_OK && (s == NULL || a == NULL || out == NULL)) {
        st = xd_error_set(err, XD_EINVAL, "store read: store, arena and output are required");
    }
    struct xd_store__conn *c = NULL;
    if (st == XD_OK) {
        st = xd_store__reader_take(s, &c, err);
    }
    if (st != XD_OK) {
        return st;
    }
    st = s->be->doc_get(c, id, a, out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_thread_docs(struct xd_store *s, const char *correlation_id, size_t limit,
                                    struct xd_arena *a, struct xd_store_doc **out, size_t *n_out,
                                    struct xd_error *err)
{
    enum xd_status st = need(err, "correlation id", correlation_id);
    if (st == XD_OK && (s == NULL || a == NULL || out == NULL || n_out == NULL)) {
        st = xd_error_set(err, XD_EINVAL, "store read: store, arena and outputs are required");
    }
    struct xd_store__conn *c = NULL;
    if (st == XD_OK) {
        st = xd_store__reader_take(s, &c, err);
    }
    if (st != XD_OK) {
        return st;
    }
    st = s->be->thread_docs(c, correlation_id, limit, a, out, n_out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_thread_by_key(struct xd_store *s, const char *name, const char *value,
                                      char *out, size_t cap, struct xd_error *err)
{
    if (s == NULL || name == NULL || value == NULL || out == NULL ||
        cap < XD_CORRELATION_ID_MAX + 1) {
        return xd_error_set(err, XD_EINVAL,
                            "thread by key: name, value and an output of "
                            "XD_CORRELATION_ID_MAX + 1 bytes are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    char found[XD_CORRELATION_ID_MAX + 1];
    st = s->be->key_thread(c, name, value, found, err);
    xd_store__reader_give(s, c, st);
    if (st == XD_ENOTFOUND) {
        return xd_error_set(err, st, "no thread for %s %s", name, value);
    }
    if (st == XD_OK) {
        memcpy(out, found, strlen(found) + 1);
    }
    return st;
}

enum xd_status xd_store_token_find(struct xd_store *s, const uint8_t hash[XD_SHA256_LEN],
                                   struct xd_arena *a, struct xd_store_token *out,
                                   struct xd_error *err)
{
    if (s == NULL || hash == NULL || a == NULL || out == NULL) {
        return xd_error_set(err, XD_EINVAL, "token find: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->token_find(c, hash, a, out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_token_list(struct xd_store *s, struct xd_arena *a,
                                   struct xd_store_token **out, size_t *n_out, struct xd_error *err)
{
    if (s == NULL || a == NULL || out == NULL || n_out == NULL) {
        return xd_error_set(err, XD_EINVAL, "token list: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->token_list(c, a, out, n_out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_idem_get(struct xd_store *s, const char *scope, const char *key,
                                 struct xd_arena *a, struct xd_store_idem *out,
                                 struct xd_error *err)
{
    if (s == NULL || scope == NULL || key == NULL || a == NULL || out == NULL) {
        return xd_error_set(err, XD_EINVAL, "idempotency lookup: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->idem_find(c, scope, key, a, out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_partner_get(struct xd_store *s, const char *id, int64_t version,
                                    struct xd_arena *a, struct xd_store_partner *out,
                                    struct xd_error *err)
{
    if (s == NULL || id == NULL || version < 0 || a == NULL || out == NULL) {
        return xd_error_set(err, XD_EINVAL, "partner get: bad arguments");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->partner_get(c, id, version, a, out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_partner_list(struct xd_store *s, struct xd_arena *a,
                                     struct xd_store_partner_row **out, size_t *n_out,
                                     struct xd_error *err)
{
    if (s == NULL || a == NULL || out == NULL || n_out == NULL) {
        return xd_error_set(err, XD_EINVAL, "partner list: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->partner_list(c, a, out, n_out, err);
    xd_store__reader_give(s, c, st);
    return st;
}
