/* SPDX-License-Identifier: MIT
 * Reads on the calling thread: a pool of read-only connections (created on demand up to
 * readers_max, guarded by pool_mu; a connection taken from the pool belongs to the taking
 * thread until it is given back). WAL readers never block the writer and see every commit. */
#include <string.h>

#include "store/store_int.h"

/* The calling thread's read snapshot (xd_store_read_begin), when it has one. */
static _Thread_local struct {
    struct xd_store *s;
    struct xd_store__conn *c;
    unsigned depth;
    enum xd_status failed; /* XD_EUNAVAIL once a read on it failed so: closed at the end */
} pin;

static enum xd_status pool_take(struct xd_store *s, struct xd_store__conn **out,
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

enum xd_status xd_store__reader_take(struct xd_store *s, struct xd_store__conn **out,
                                     struct xd_error *err)
{
    if (pin.s == s) {
        *out = pin.c;
        return XD_OK;
    }
    return pool_take(s, out, err);
}

static void pool_give(struct xd_store *s, struct xd_store__conn *c, enum xd_status st)
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

void xd_store__reader_give(struct xd_store *s, struct xd_store__conn *c, enum xd_status st)
{
    if (pin.s == s && c == pin.c) {
        if (st == XD_EUNAVAIL) {
            pin.failed = XD_EUNAVAIL; /* kept until xd_store_read_end, which closes it */
        }
        return;
    }
    pool_give(s, c, st);
}

enum xd_status xd_store_read_begin(struct xd_store *s, struct xd_error *err)
{
    if (s == NULL) {
        return xd_error_set(err, XD_EINVAL, "store read: store is required");
    }
    if (pin.s == s) {
        pin.depth++;
        return XD_OK;
    }
    if (pin.s != NULL) {
        return xd_error_set(err, XD_EINVAL,
                            "store read: this thread reads another store's snapshot");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = pool_take(s, &c, err);
    if (st == XD_OK) {
        st = s->be->read_begin(c, err);
        if (st != XD_OK) {
            pool_give(s, c, XD_EUNAVAIL);
            return st;
        }
        pin.s = s;
        pin.c = c;
        pin.depth = 1;
        pin.failed = XD_OK;
    }
    return st;
}

void xd_store_read_end(struct xd_store *s)
{
    if (s == NULL || pin.s != s || --pin.depth > 0) {
        return;
    }
    enum xd_status st = pin.failed;
    struct xd_error err = {0};
    if (st == XD_OK && s->be->read_end(pin.c, &err) != XD_OK) {
        st = XD_EUNAVAIL;
    }
    struct xd_store__conn *c = pin.c;
    pin.s = NULL;
    pin.c = NULL;
    pool_give(s, c, st);
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

/* The checks of a read of document <id> into <out>, and a connection for it. */
static enum xd_status doc_read_take(struct xd_store *s, const char *id, const struct xd_arena *a,
                                    const void *out, struct xd_store__conn **c,
                                    struct xd_error *err)
{
    enum xd_status st = need(err, "id", id);
    if (st == XD_OK && (s == NULL || a == NULL || out == NULL)) {
        st = xd_error_set(err, XD_EINVAL, "store read: store, arena and output are required");
    }
    return st == XD_OK ? xd_store__reader_take(s, c, err) : st;
}

enum xd_status xd_store_doc_get(struct xd_store *s, const char *id, struct xd_arena *a,
                                struct xd_store_doc *out, struct xd_error *err)
{
    struct xd_store__conn *c = NULL;
    enum xd_status st = doc_read_take(s, id, a, out, &c, err);
    if (st == XD_OK) {
        st = s->be->doc_get(c, id, a, out, err);
        xd_store__reader_give(s, c, st);
    }
    return st;
}

enum xd_status xd_store_doc_raw(struct xd_store *s, const char *id, struct xd_arena *a,
                                struct xd_store_raw *out, struct xd_error *err)
{
    struct xd_store__conn *c = NULL;
    enum xd_status st = doc_read_take(s, id, a, out, &c, err);
    if (st == XD_OK) {
        st = s->be->doc_raw(c, id, a, out, err);
        xd_store__reader_give(s, c, st);
    }
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

enum xd_status xd_store_poll_cursor_get(struct xd_store *s, const char *name, char *out, size_t cap,
                                        struct xd_error *err)
{
    if (s == NULL || name == NULL || out == NULL || cap < XD_STORE_CURSOR_VALUE_MAX + 1) {
        return xd_error_set(err, XD_EINVAL,
                            "cursor get: a name and an output of XD_STORE_CURSOR_VALUE_MAX + 1 "
                            "bytes are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->poll_cursor_get(c, name, out, cap, err);
    xd_store__reader_give(s, c, st);
    return st == XD_ENOTFOUND ? xd_error_set(err, st, "no cursor %s", name) : st;
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

/* ------------------------------------------------------------------------------------------ */
/* The outbox */

enum xd_status xd_store_outbox_get(struct xd_store *s, const char *id, struct xd_arena *a,
                                   struct xd_store_outbox_msg *out, struct xd_error *err)
{
    if (s == NULL || id == NULL || a == NULL || out == NULL) {
        return xd_error_set(err, XD_EINVAL, "outbox get: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->outbox_get(c, id, 0, a, out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_outbox_get_seq(struct xd_store *s, int64_t seq, struct xd_arena *a,
                                       struct xd_store_outbox_msg *out, struct xd_error *err)
{
    if (s == NULL || a == NULL || out == NULL) {
        return xd_error_set(err, XD_EINVAL, "outbox get: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->outbox_get(c, NULL, seq, a, out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_outbox_get_seqs(struct xd_store *s, const int64_t *seqs, size_t n,
                                        struct xd_arena *a, struct xd_store_outbox_msg **out,
                                        size_t *n_out, struct xd_error *err)
{
    if (s == NULL || (seqs == NULL && n > 0) || a == NULL || out == NULL || n_out == NULL ||
        n > XD_STORE_LIST_MAX) {
        return xd_error_set(err, XD_EINVAL, "outbox get: up to %d seqs and outputs are required",
                            XD_STORE_LIST_MAX);
    }
    if (n == 0) {
        *out = NULL;
        *n_out = 0;
        return XD_OK;
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->outbox_get_seqs(c, seqs, n, a, out, n_out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_outbox_queue(struct xd_store *s, const char *partner, const char *endpoint,
                                     int64_t after_seq, size_t limit, struct xd_arena *a,
                                     struct xd_store_outbox_msg **out, size_t *n_out,
                                     struct xd_error *err)
{
    if (s == NULL || partner == NULL || endpoint == NULL || a == NULL || out == NULL ||
        n_out == NULL || limit == 0 || limit > XD_STORE_LIST_MAX) {
        return xd_error_set(err, XD_EINVAL,
                            "outbox queue: a queue, an output and a limit of 1..%d are required",
                            XD_STORE_LIST_MAX);
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->outbox_queue(c, partner, endpoint, after_seq, limit, a, out, n_out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_outbox_list(struct xd_store *s, const struct xd_store_outbox_filter *f,
                                    struct xd_arena *a, struct xd_store_outbox_msg **out,
                                    size_t *n_out, struct xd_error *err)
{
    if (s == NULL || f == NULL || a == NULL || out == NULL || n_out == NULL || f->limit == 0 ||
        f->limit > XD_STORE_LIST_MAX) {
        return xd_error_set(err, XD_EINVAL,
                            "outbox list: a filter with a limit of 1..%d is required",
                            XD_STORE_LIST_MAX);
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->outbox_list(c, f, a, out, n_out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

static enum xd_status depths(struct xd_store *s, bool queues_only, struct xd_arena *a,
                             struct xd_store_outbox_depth **out, size_t *n_out,
                             struct xd_error *err)
{
    if (s == NULL || a == NULL || out == NULL || n_out == NULL) {
        return xd_error_set(err, XD_EINVAL, "outbox depths: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->outbox_depths(c, queues_only, a, out, n_out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_outbox_depths(struct xd_store *s, struct xd_arena *a,
                                      struct xd_store_outbox_depth **out, size_t *n_out,
                                      struct xd_error *err)
{
    return depths(s, false, a, out, n_out, err);
}

enum xd_status xd_store_outbox_queues(struct xd_store *s, struct xd_arena *a,
                                      struct xd_store_outbox_depth **out, size_t *n_out,
                                      struct xd_error *err)
{
    return depths(s, true, a, out, n_out, err);
}

enum xd_status xd_store_endpoint_list(struct xd_store *s, struct xd_arena *a,
                                      struct xd_store_endpoint **out, size_t *n_out,
                                      struct xd_error *err)
{
    if (s == NULL || a == NULL || out == NULL || n_out == NULL) {
        return xd_error_set(err, XD_EINVAL, "endpoint list: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->endpoint_list(c, a, out, n_out, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_endpoint_get(struct xd_store *s, const char *partner, const char *name,
                                     struct xd_arena *a, struct xd_store_endpoint *out,
                                     struct xd_error *err)
{
    if (s == NULL || partner == NULL || name == NULL || a == NULL || out == NULL) {
        return xd_error_set(err, XD_EINVAL, "endpoint get: all arguments are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->endpoint_row(c, partner, name, a, out, err);
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
