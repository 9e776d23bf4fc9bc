/* SPDX-License-Identifier: MIT
 * The hash-chained audit log: the record serialization that is hashed, appending on the writer
 * thread (which owns s->audit, the chain's head), scanning, and verification. Verification
 * runs on its own read-only connection and shares nothing with a running store. */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

/* The hashed bytes of a record, version 1 (docs/internals/store.md):
 *   "XDAUDIT1" | u64be seq | u64be at_ms (two's complement) | str actor | str action |
 *   str object | opt before | opt after | prev_hash as 64 lower-case hex characters
 * where str = u32be length, bytes; opt = str, or u32be 0xFFFFFFFF for NULL. Every field has a
 * length or fixed size, so no two different records serialize to the same bytes. */
#define AUDIT_MAGIC    "XDAUDIT1"
#define AUDIT_NULL_LEN 0xFFFFFFFFu

const char xd_store__audit_genesis[XD_SHA256_HEX_LEN + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static enum xd_status put_u64(struct xd_buf *b, uint64_t v)
{
    unsigned char be[8];
    for (int i = 0; i < 8; i++) {
        be[i] = (unsigned char)(v >> (56 - 8 * i));
    }
    return xd_buf_append(b, be, sizeof be);
}

static enum xd_status put_str(struct xd_buf *b, const char *s)
{
    size_t n = s == NULL ? 0 : strlen(s);
    if (n >= AUDIT_NULL_LEN) {
        return XD_ETOOBIG;
    }
    uint32_t len = s == NULL ? AUDIT_NULL_LEN : (uint32_t)n;
    unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                           (unsigned char)(len >> 8), (unsigned char)len};
    enum xd_status st = xd_buf_append(b, be, sizeof be);
    if (st == XD_OK && n > 0) {
        st = xd_buf_append(b, s, n);
    }
    return st;
}

enum xd_status xd_store__audit_hash(const struct xd_audit_record *r, struct xd_buf *tmp,
                                    char out[XD_SHA256_HEX_LEN + 1])
{
    if (r->actor == NULL || r->action == NULL || r->object == NULL) {
        return XD_EINVAL;
    }
    xd_buf_reset(tmp);
    enum xd_status st = xd_buf_append(tmp, AUDIT_MAGIC, sizeof AUDIT_MAGIC - 1);
    if (st == XD_OK) {
        st = put_u64(tmp, (uint64_t)r->seq);
    }
    if (st == XD_OK) {
        st = put_u64(tmp, (uint64_t)r->at_ms);
    }
    const char *strs[] = {r->actor, r->action, r->object, r->before, r->after};
    for (size_t i = 0; i < XD_ARRAY_LEN(strs) && st == XD_OK; i++) {
        st = put_str(tmp, strs[i]);
    }
    if (st == XD_OK) {
        st = xd_buf_append(tmp, r->prev_hash, strnlen(r->prev_hash, XD_SHA256_HEX_LEN));
    }
    if (st != XD_OK) {
        return st;
    }
    uint8_t digest[XD_SHA256_LEN];
    xd_sha256(tmp->data, tmp->len, digest);
    xd_hex_encode(digest, sizeof digest, out);
    return XD_OK;
}

enum xd_status xd_store__audit_append(struct xd_store *s, const char *actor, const char *action,
                                      const char *object, const char *before, const char *after,
                                      int64_t *seq_out, struct xd_error *err)
{
    struct xd_audit_record r = {
        .seq = s->audit.seq + 1,
        .at_ms = xd_now_ms(),
        .actor = actor,
        .action = action,
        .object = object,
        .before = before,
        .after = after,
    };
    memcpy(r.prev_hash, s->audit.hash, sizeof r.prev_hash);
    enum xd_status st = xd_store__audit_hash(&r, &s->scratch2, r.hash);
    if (st != XD_OK) {
        return xd_error_set(err, st, "audit record for %s: %s", object, xd_strerror(st));
    }
    st = s->be->audit_put(s->wconn, &r, err);
    if (st != XD_OK) {
        return st;
    }
    s->audit.seq = r.seq;
    memcpy(s->audit.hash, r.hash, sizeof s->audit.hash);
    if (seq_out != NULL) {
        *seq_out = r.seq;
    }
    return XD_OK;
}

enum xd_status xd_store_audit_scan(struct xd_store *s, int64_t from_seq,
                                   enum xd_status (*fn)(void *arg, const struct xd_audit_record *r),
                                   void *arg, struct xd_error *err)
{
    if (s == NULL || fn == NULL) {
        return xd_error_set(err, XD_EINVAL, "audit scan: store and callback are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    st = s->be->audit_scan(c, from_seq, fn, arg, err);
    xd_store__reader_give(s, c, st);
    return st;
}

enum xd_status xd_store_audit_scan_action(struct xd_store *s, int64_t from_seq, const char *action,
                                          enum xd_status (*fn)(void *arg,
                                                               const struct xd_audit_record *r),
                                          void *arg, int64_t *through, struct xd_error *err)
{
    if (s == NULL || action == NULL || fn == NULL || through == NULL) {
        return xd_error_set(err, XD_EINVAL,
                            "audit scan: store, action, callback and position are required");
    }
    struct xd_store__conn *c = NULL;
    enum xd_status st = xd_store__reader_take(s, &c, err);
    if (st != XD_OK) {
        return st;
    }
    /* The head first: every record up to it is committed, so the scan's later snapshot sees
     * them all, and a record appended meanwhile lies after *through for the next scan. */
    int64_t head = 0;
    char hash[XD_SHA256_HEX_LEN + 1];
    st = s->be->audit_head(c, &head, hash, err);
    if (st == XD_ENOTFOUND) {
        head = 0;
        st = XD_OK;
    }
    if (st == XD_OK && head >= from_seq) {
        st = s->be->audit_scan_action(c, from_seq, head, action, fn, arg, err);
    }
    xd_store__reader_give(s, c, st);
    if (st == XD_OK) {
        *through = head > from_seq - 1 ? head : from_seq - 1;
    }
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Verification */

enum audit_fault {
    FAULT_NONE,
    FAULT_REMOVED, /* a seq is missing */
    FAULT_LINK,    /* prev_hash does not name the record before */
    FAULT_EDITED,  /* the record's content does not hash to its stored hash */
};

struct verify_state {
    struct xd_buf tmp;
    int64_t expect_seq;
    char prev_hash[XD_SHA256_HEX_LEN + 1];
    int64_t checked;
    enum audit_fault fault;
    int64_t fault_seq; /* the first bad record (for FAULT_REMOVED: the missing seq) */
    int64_t found_seq; /* the seq actually found there */
    char bad_prev[XD_SHA256_HEX_LEN + 1];
    bool content_ok; /* for FAULT_LINK: the record hashes to its stored hash */
    enum xd_status oom;
};

static enum xd_status verify_one(void *arg, const struct xd_audit_record *r)
{
    struct verify_state *v = arg;
    if (r->seq != v->expect_seq) {
        v->fault = FAULT_REMOVED;
        v->fault_seq = v->expect_seq;
        v->found_seq = r->seq;
        return XD_ECORRUPT;
    }
    char h[XD_SHA256_HEX_LEN + 1];
    enum xd_status st = xd_store__audit_hash(r, &v->tmp, h);
    if (st != XD_OK) {
        v->oom = st;
        return st;
    }
    bool content_ok = strcmp(h, r->hash) == 0;
    if (strcmp(r->prev_hash, v->prev_hash) != 0) {
        v->fault = FAULT_LINK;
        v->fault_seq = r->seq;
        v->content_ok = content_ok;
        memcpy(v->bad_prev, r->prev_hash, sizeof v->bad_prev);
        return XD_ECORRUPT;
    }
    if (!content_ok) {
        v->fault = FAULT_EDITED;
        v->fault_seq = r->seq;
        return XD_ECORRUPT;
    }
    memcpy(v->prev_hash, r->hash, sizeof v->prev_hash);
    v->expect_seq++;
    v->checked++;
    return XD_OK;
}

/* Turn the first fault into a sentence that names the record and what happened to it. */
static enum xd_status explain(const struct xd_store__backend *be, struct xd_store__conn *c,
                              const struct verify_state *v, struct xd_error *err)
{
    char where[32];
    snprintf(where, sizeof where, "audit seq %lld", (long long)v->fault_seq);
    enum xd_status st = XD_ECORRUPT;
    if (v->fault == FAULT_REMOVED && v->fault_seq == 1) {
        xd_error_set(err, st, "audit record 1 was removed: the log starts at record %lld",
                     (long long)v->found_seq);
    } else if (v->fault == FAULT_REMOVED) {
        xd_error_set(err, st,
                     "audit record %lld was removed: the log goes from record %lld to record %lld",
                     (long long)v->fault_seq, (long long)v->fault_seq - 1, (long long)v->found_seq);
    } else if (v->fault == FAULT_EDITED) {
        xd_error_set(err, st, "audit record %lld was edited: its content does not match its hash",
                     (long long)v->fault_seq);
    } else {
        int64_t linked = 0;
        struct xd_error ferr = {0};
        enum xd_status fst = be->audit_find_hash(c, v->bad_prev, &linked, &ferr);
        if (fst == XD_OK && linked != v->fault_seq - 1) {
            xd_error_set(err, st,
                         "audit record %lld was reordered: it follows the record now at seq "
                         "%lld, not record %lld",
                         (long long)v->fault_seq, (long long)linked, (long long)v->fault_seq - 1);
        } else if (!v->content_ok) {
            xd_error_set(err, st,
                         "audit record %lld was edited: its link to record %lld and its hash "
                         "do not match",
                         (long long)v->fault_seq, (long long)v->fault_seq - 1);
        } else {
            xd_error_set(err, st,
                         "audit record %lld does not link to record %lld: a record before it "
                         "was removed or rewritten",
                         (long long)v->fault_seq, (long long)v->fault_seq - 1);
        }
    }
    xd_error_at(err, where, -1, 0);
    return st;
}

enum xd_status xd_store_audit_verify(const char *data_dir, int64_t *records_checked,
                                     struct xd_error *err)
{
    if (data_dir == NULL) {
        return xd_error_set(err, XD_EINVAL, "audit verify: data directory is required");
    }
    const struct xd_store__backend *be = &xd_store__sqlite;
    struct xd_store__conn *c = NULL;
    enum xd_status st = be->verify_open(data_dir, &c, err);
    if (st != XD_OK) {
        return st;
    }
    struct verify_state v = {.expect_seq = 1, .oom = XD_OK};
    memcpy(v.prev_hash, xd_store__audit_genesis, sizeof v.prev_hash);
    xd_buf_init(&v.tmp, SIZE_MAX / 2);
    st = be->audit_scan(c, 1, verify_one, &v, err);
    if (st == XD_ECORRUPT && v.fault != FAULT_NONE) {
        st = explain(be, c, &v, err);
    } else if (st != XD_OK && v.oom != XD_OK) {
        st = xd_error_set(err, v.oom, "audit verify: %s", xd_strerror(v.oom));
    }
    xd_buf_cleanup(&v.tmp);
    be->conn_close(c);
    if (records_checked != NULL) {
        *records_checked = v.checked;
    }
    return st;
}
