/* SPDX-License-Identifier: MIT
 * Partner profile operations on the writer thread: a new version (or none, when the content is
 * the current version's), and the re-sealing of every stored credential when the master key
 * rotates. The store keeps what it is given: bodies without secret values and credentials
 * already sealed by the caller; it never sees a plaintext secret. */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

#define ID_MAX          64
#define NAME_MAX_BYTES  256
#define ROLE_MAX        32
#define ACTOR_MAX       128
#define SECRET_NAME_MAX 64

static enum xd_status bad(struct xd_error *err, const char *field, const char *why)
{
    xd_error_set(err, XD_EINVAL, "%s: %s", field, why);
    xd_error_at(err, field, -1, 0);
    return XD_EINVAL;
}

static bool str_ok(const char *v, size_t max)
{
    return v != NULL && v[0] != '\0' && strnlen(v, max + 1) <= max;
}

enum xd_status xd_store__partner_put_validate(struct xd_store_op *op)
{
    const struct xd_store_partner_put *p = &op->u.partner;
    struct xd_error *err = &op->err;
    if (!str_ok(p->id, ID_MAX)) {
        return bad(err, "partner.id", "required, at most 64 bytes");
    }
    if (!str_ok(p->name, NAME_MAX_BYTES) || !str_ok(p->role, ROLE_MAX)) {
        return bad(err, "partner.name", "name and role are required");
    }
    if (p->body == NULL || p->body_len == 0 || p->body_len > XD_STORE_PARTNER_BODY_MAX) {
        return bad(err, "partner.body", "required, at most XD_STORE_PARTNER_BODY_MAX bytes");
    }
    if (p->n_secrets > XD_STORE_PARTNER_SECRETS_MAX || (p->n_secrets > 0 && p->secrets == NULL)) {
        return bad(err, "partner.secrets", "at most XD_STORE_PARTNER_SECRETS_MAX");
    }
    for (size_t i = 0; i < p->n_secrets; i++) {
        const struct xd_store_partner_secret *sc = &p->secrets[i];
        if (!str_ok(sc->name, SECRET_NAME_MAX) || sc->sealed == NULL || sc->sealed_len == 0 ||
            sc->sealed_len > XD_STORE_PARTNER_SEALED_MAX) {
            return bad(err, "partner.secrets", "each needs a name and a sealed value");
        }
    }
    if (p->expected_version < -1) {
        return bad(err, "partner.expected_version", "must be -1, 0 or a version");
    }
    if (!str_ok(p->actor, ACTOR_MAX)) {
        return bad(err, "partner.actor", "required");
    }
    return XD_OK;
}

/* {"version":N,"profile":<body>[,"credentials_changed":[...]]}: the body is our own JSON. */
static enum xd_status version_json(struct xd_buf *b, int64_t version, const char *body,
                                   size_t body_len, const char *changed)
{
    xd_buf_reset(b);
    enum xd_status st = xd_buf_printf(b, "{\"version\":%lld,\"profile\":", (long long)version);
    if (st == XD_OK) {
        st = xd_buf_append(b, body, body_len);
    }
    if (st == XD_OK && changed != NULL) {
        st = xd_buf_printf(b, ",\"credentials_changed\":%s", changed);
    }
    return st == XD_OK ? xd_buf_append_char(b, '}') : st;
}

static enum xd_status put_audit(struct xd_store__apply *x, int64_t before_version)
{
    struct xd_store *s = x->s;
    struct xd_store_partner_put *p = &x->op->u.partner;
    struct xd_error *err = &x->op->err;
    const char *before = NULL;
    struct xd_arena *a = NULL;
    /* Not s->scratch2: appending the audit record hashes through it. */
    struct xd_buf prev_json;
    xd_buf_init(&prev_json, 2 * XD_STORE_PARTNER_BODY_MAX);
    enum xd_status st = XD_OK;
    if (before_version > 0) {
        a = xd_arena_create(64 * 1024, 0);
        struct xd_store_partner prev;
        st = a == NULL ? XD_ENOMEM
                       : s->be->partner_get(s->wconn, p->id, before_version, a, &prev, err);
        if (st == XD_OK) {
            st = version_json(&prev_json, before_version, prev.body, prev.body_len, NULL);
            before = prev_json.data;
        }
    }
    if (st == XD_OK) {
        st = version_json(&s->scratch, p->version, p->body, p->body_len,
                          p->changed_credentials != NULL ? p->changed_credentials : "[]");
    }
    char object[16 + ID_MAX];
    snprintf(object, sizeof object, "partner:%s", p->id);
    if (st == XD_OK) {
        st = xd_store__audit_append(s, p->actor, p->created ? "partner.create" : "partner.update",
                                    object, before, s->scratch.data, NULL, err);
    } else if (st == XD_ENOMEM || st == XD_ETOOBIG) {
        xd_error_set(err, st, "building the audit record: %s", xd_strerror(st));
    }
    xd_arena_destroy(a);
    xd_buf_cleanup(&prev_json);
    return xd_store__fail(x, st);
}

enum xd_status xd_store__partner_put_apply(struct xd_store__apply *x)
{
    struct xd_store *s = x->s;
    struct xd_store_partner_put *p = &x->op->u.partner;
    struct xd_error *err = &x->op->err;
    int64_t current = 0;
    uint8_t hash[XD_SHA256_LEN];
    enum xd_status st = s->be->partner_head(s->wconn, p->id, &current, hash, err);
    if (st == XD_ENOTFOUND) {
        current = 0;
    } else if (st != XD_OK) {
        return xd_store__fail(x, st);
    }
    if (p->expected_version >= 0 && p->expected_version != current) {
        return xd_error_set(err, XD_ECONFLICT,
                            "partner %s is at version %lld, not %lld: applied meanwhile", p->id,
                            (long long)current, (long long)p->expected_version);
    }
    p->created = current == 0;
    if (current > 0 && memcmp(hash, p->content_hash, XD_SHA256_LEN) == 0) {
        p->version = current;
        p->unchanged = true;
        return XD_OK;
    }
    p->unchanged = false;
    p->version = current + 1;
    st = s->be->partner_put(s->wconn, p, p->version, xd_now_ms(), err);
    if (st != XD_OK) {
        return xd_store__fail(x, st);
    }
    return put_audit(x, current);
}

enum xd_status xd_store__partner_rekey_validate(struct xd_store_op *op)
{
    const struct xd_store_partner_rekey *r = &op->u.rekey;
    if (r->reseal == NULL) {
        return bad(&op->err, "rekey.reseal", "required");
    }
    return str_ok(r->actor, ACTOR_MAX) ? XD_OK : bad(&op->err, "rekey.actor", "required");
}

struct sealed_row {
    char *partner;
    int64_t version;
    char *name;
    uint8_t *sealed;
    size_t len;
};

struct row_list {
    struct sealed_row *rows;
    size_t n, cap;
};

static enum xd_status collect(void *arg, const char *partner, int64_t version, const char *name,
                              const uint8_t *sealed, size_t len)
{
    struct row_list *l = arg;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        struct sealed_row *g = xd_reallocarray(l->rows, ncap, sizeof *g);
        if (g == NULL) {
            return XD_ENOMEM;
        }
        l->rows = g;
        l->cap = ncap;
    }
    struct sealed_row *r = &l->rows[l->n];
    r->partner = xd_strdup(partner);
    r->name = xd_strdup(name);
    r->sealed = xd_memdup(sealed, len);
    r->version = version;
    r->len = len;
    if (r->partner == NULL || r->name == NULL || r->sealed == NULL) {
        xd_free(r->partner);
        xd_free(r->name);
        xd_free(r->sealed);
        return XD_ENOMEM;
    }
    l->n++;
    return XD_OK;
}

static void rows_free(struct row_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        xd_free(l->rows[i].partner);
        xd_free(l->rows[i].name);
        xd_free(l->rows[i].sealed);
    }
    xd_free(l->rows);
}

enum xd_status xd_store__partner_rekey_apply(struct xd_store__apply *x)
{
    struct xd_store *s = x->s;
    struct xd_store_partner_rekey *r = &x->op->u.rekey;
    struct xd_error *err = &x->op->err;
    struct row_list l = {0};
    /* Read everything first: the rows are rewritten below, and a statement must not run over
     * a table being updated under it. */
    enum xd_status st = s->be->secret_scan(s->wconn, collect, &l, err);
    struct xd_buf out;
    xd_buf_init(&out, XD_STORE_PARTNER_SEALED_MAX);
    for (size_t i = 0; st == XD_OK && i < l.n; i++) {
        xd_buf_reset(&out);
        st = r->reseal(r->arg, l.rows[i].partner, l.rows[i].name, l.rows[i].sealed, l.rows[i].len,
                       &out, err);
        if (st == XD_OK) {
            st = s->be->secret_update(s->wconn, l.rows[i].partner, l.rows[i].version,
                                      l.rows[i].name, (const uint8_t *)out.data, out.len, err);
        }
    }
    xd_buf_cleanup(&out);
    r->count = st == XD_OK ? (int64_t)l.n : 0;
    rows_free(&l);
    if (st != XD_OK) {
        return xd_store__fail(x, st);
    }
    struct xd_buf *b = &s->scratch;
    xd_buf_reset(b);
    st = xd_buf_printf(b, "{\"credentials\":%lld,\"key_id\":\"", (long long)r->count);
    if (st == XD_OK && r->key_id != NULL) {
        st = xd_buf_append_json_str(b, r->key_id, strlen(r->key_id));
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "\"}");
    }
    if (st != XD_OK) {
        return xd_error_set(err, st, "building the audit record: %s", xd_strerror(st));
    }
    st = xd_store__audit_append(s, r->actor, "partner.rekey", "partners", NULL, b->data, NULL, err);
    return xd_store__fail(x, st);
}
