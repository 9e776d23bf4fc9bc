/* SPDX-License-Identifier: MIT
 * Applying a profile: checks against the other partners, sealing of credentials, the store's
 * new version (or none when nothing changed), the registry's refresh; loading profiles back
 * from the store; re-sealing every credential with a new master key. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "partner/partner_int.h"
#include "partner/registry_int.h"
#include "store/store.h"

#define CONTENT_DOMAIN "crossdock-partner-content-v1"

/* ------------------------------------------------------------------------------------------ */
/* Loading */

static enum xd_status attach_secrets(struct xd_partner_profile *p,
                                     const struct xd_store_partner *row, struct xd_error *err)
{
    for (size_t i = 0; i < p->n_credentials; i++) {
        struct xd_partner_credential *cr = &p->credentials[i];
        for (size_t k = 0; k < row->n_secrets; k++) {
            if (strcmp(row->secrets[k].name, cr->name) != 0) {
                continue;
            }
            cr->sealed = xd_arena_memdup(p->priv_->arena, row->secrets[k].sealed,
                                         row->secrets[k].sealed_len);
            if (cr->sealed == NULL) {
                return xd_error_set(err, XD_ENOMEM, "partner %s: out of memory", p->id);
            }
            cr->sealed_len = row->secrets[k].sealed_len;
        }
        if (cr->sealed == NULL) {
            return xd_error_set(err, XD_ECORRUPT,
                                "partner %s version %lld: credential %s has no "
                                "stored value",
                                p->id, (long long)row->version, cr->name);
        }
    }
    return XD_OK;
}

static enum xd_status load_row(const struct xd_store_partner *row, struct xd_partner_profile **out,
                               struct xd_error *err)
{
    struct xd_partner_problems problems;
    xd_partner_problems_init(&problems, 4);
    struct xd_partner_profile *p = NULL;
    enum xd_status st = xd_partner_parse(row->body, row->body_len, XD_PARTNER_JSON, &p, &problems);
    if (st == XD_ENOMEM) {
        xd_error_set(err, st, "partner %s: out of memory", row->id);
    } else if (st != XD_OK) {
        /* A body the store accepted once no longer parses: a newer binary wrote it, or the
         * parser became stricter. Say which field, so it can be fixed by a new apply. */
        st = xd_error_set(err, XD_ECORRUPT,
                          "stored profile %s version %lld no longer parses: %s%s%s", row->id,
                          (long long)row->version, problems.count > 0 ? problems.items[0].path : "",
                          problems.count > 0 ? ": " : "",
                          problems.count > 0 ? problems.items[0].message : xd_strerror(st));
    }
    xd_partner_problems_cleanup(&problems);
    if (st == XD_OK) {
        st = attach_secrets(p, row, err);
    }
    if (st != XD_OK) {
        xd_partner_profile_unref(p);
        return st;
    }
    p->version = row->version;
    p->updated_at_ms = row->created_at_ms;
    memcpy(p->priv_->content_hash, row->content_hash, XD_SHA256_LEN);
    *out = p;
    return XD_OK;
}

enum xd_status xd_partner_load(struct xd_store *s, const char *id, int64_t version,
                               struct xd_partner_profile **out, struct xd_error *err)
{
    struct xd_arena *a = xd_arena_create(64 * 1024, 0);
    if (a == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    struct xd_store_partner row;
    enum xd_status st = xd_store_partner_get(s, id, version, a, &row, err);
    if (st == XD_OK) {
        st = load_row(&row, out, err);
    }
    xd_arena_destroy(a);
    return st;
}

enum xd_status xd_partner_registry_load(struct xd_partner_registry *r, struct xd_store *s,
                                        struct xd_error *err)
{
    struct xd_arena *a = xd_arena_create(64 * 1024, 0);
    if (a == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    struct xd_store_partner_row *rows = NULL;
    size_t n = 0;
    enum xd_status st = xd_store_partner_list(s, a, &rows, &n, err);
    if (st == XD_OK && n > XD_PARTNER_REGISTRY_MAX) {
        st = xd_error_set(err, XD_ETOOBIG, "%zu partners; the registry holds at most %d", n,
                          XD_PARTNER_REGISTRY_MAX);
    }
    const struct xd_partner_profile **arr = st == XD_OK ? xd_calloc(n + 1, sizeof *arr) : NULL;
    if (st == XD_OK && arr == NULL) {
        st = xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        struct xd_partner_profile *p = NULL;
        st = xd_partner_load(s, rows[i].id, 0, &p, err);
        if (st == XD_OK) {
            arr[k++] = p;
        }
    }
    xd_arena_destroy(a);
    if (st != XD_OK) {
        for (size_t i = 0; i < k; i++) {
            xd_partner_profile_unref(arr[i]);
        }
        xd_free(arr);
        return st;
    }
    pthread_mutex_lock(&r->apply_mu);
    st = xd_partner__registry_replace(r, arr, k);
    pthread_mutex_unlock(&r->apply_mu);
    return st == XD_OK ? XD_OK : xd_error_set(err, st, "registry: %s", xd_strerror(st));
}

/* ------------------------------------------------------------------------------------------ */
/* Applying */

static bool same_family(enum xd_partner_role a, enum xd_partner_role b)
{
    bool wa = a == XD_PARTNER_ROLE_WAREHOUSE || a == XD_PARTNER_ROLE_3PL;
    bool wb = b == XD_PARTNER_ROLE_WAREHOUSE || b == XD_PARTNER_ROLE_3PL;
    return a == b || (wa && wb);
}

/* What the other partners constrain: X12 identifiers are unique (the hub finds an
 * interchange's sender by them), and a failover alternate, when it exists, can do the job. */
static void check_others(const struct xd_partner_snapshot *snap, const struct xd_partner_profile *p,
                         struct xd_partner_problems *problems, size_t *n)
{
    const struct xd_partner_identifiers *id = &p->identifiers;
    const struct xd_partner_profile *o =
        xd_partner_snapshot_find_isa(snap, id->isa_qualifier, id->isa_id);
    if (o != NULL && strcmp(o->id, p->id) != 0) {
        (*n)++;
        xd_partner_problems_add(problems, "conflict", "identifiers.isa_id", 0, 0,
                                "%s/%s is already the X12 sender id of partner %s",
                                id->isa_qualifier, id->isa_id, o->id);
    }
    o = xd_partner_snapshot_find_gs(snap, id->gs_id);
    if (o != NULL && strcmp(o->id, p->id) != 0) {
        (*n)++;
        xd_partner_problems_add(problems, "conflict", "identifiers.gs_id", 0, 0,
                                "%s is already the GS id of partner %s", id->gs_id, o->id);
    }
    const struct xd_partner_failover *f = p->outbound.failover;
    o = f != NULL ? xd_partner_snapshot_find(snap, f->alternate) : NULL;
    if (o != NULL && !same_family(o->role, p->role)) {
        (*n)++;
        xd_partner_problems_add(problems, "reference", "outbound.failover.alternate", 0, 0,
                                "partner %s is a %s; it cannot stand in for a %s", o->id,
                                xd_partner_role_name(o->role), xd_partner_role_name(p->role));
    }
}

struct sealed {
    struct xd_store_partner_secret secrets[XD_STORE_PARTNER_SECRETS_MAX];
    struct xd_buf bufs[XD_STORE_PARTNER_SECRETS_MAX]; /* newly sealed values */
    size_t n;
    struct xd_buf changed; /* JSON array of credential names whose value changed */
};

static void sealed_cleanup(struct sealed *s)
{
    for (size_t i = 0; i < XD_STORE_PARTNER_SECRETS_MAX; i++) {
        xd_buf_cleanup(&s->bufs[i]);
    }
    xd_buf_cleanup(&s->changed);
}

static const struct xd_store_partner_secret *stored_secret(const struct xd_store_partner *cur,
                                                           const char *name)
{
    for (size_t i = 0; cur != NULL && i < cur->n_secrets; i++) {
        if (strcmp(cur->secrets[i].name, name) == 0) {
            return &cur->secrets[i];
        }
    }
    return NULL;
}

/* Is the stored value the same as the one given? Opening fails for a value sealed with another
 * key or tampered with: then it is simply not the same, and the new value replaces it. */
static bool same_value(const struct xd_secret_key *key, const char *aad, size_t aad_len,
                       const struct xd_store_partner_secret *old, const struct xd_secret *v)
{
    struct xd_secret *plain = NULL;
    struct xd_error e = {0};
    if (xd_secret_open(key, aad, aad_len, old->sealed, old->sealed_len, &plain, &e) != XD_OK) {
        return false;
    }
    size_t len;
    const uint8_t *bytes = xd_secret_reveal(v, &len);
    bool same = xd_secret_equals(plain, bytes, len);
    xd_secret_destroy(plain);
    return same;
}

/* One sealed value per credential: kept from the current version when no value is given (or
 * the same one), newly sealed otherwise. */
static enum xd_status seal_credentials(const struct xd_secret_key *key,
                                       const struct xd_partner_profile *p,
                                       const struct xd_store_partner *cur, struct sealed *out,
                                       struct xd_partner_problems *problems, size_t *n_problems)
{
    enum xd_status st = xd_buf_append_char(&out->changed, '[');
    struct xd_buf aad;
    xd_buf_init(&aad, 256);
    for (size_t i = 0; st == XD_OK && i < p->n_credentials; i++) {
        const struct xd_partner_credential *cr = &p->credentials[i];
        const struct xd_store_partner_secret *old = stored_secret(cur, cr->name);
        xd_buf_reset(&aad);
        st = xd_partner__credential_aad(p->id, cr->name, &aad);
        if (st != XD_OK) {
            break;
        }
        struct xd_store_partner_secret *s = &out->secrets[out->n++];
        s->name = cr->name;
        if (cr->value == NULL && old == NULL) {
            (*n_problems)++;
            char path[128];
            bool plain =
                strspn(cr->name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(cr->name);
            snprintf(path, sizeof path,
                     plain ? "credentials.%s.value" : "credentials[\"%s\"].value", cr->name);
            xd_partner_problems_add(problems, "required", path, 0, 0,
                                    "no value is stored for credential '%s' yet: give it",
                                    cr->name);
            continue;
        }
        if (cr->value == NULL ||
            (old != NULL && same_value(key, aad.data, aad.len, old, cr->value))) {
            s->sealed = old->sealed;
            s->sealed_len = old->sealed_len;
            continue;
        }
        size_t len;
        const uint8_t *v = xd_secret_reveal(cr->value, &len);
        struct xd_buf *b = &out->bufs[i];
        st = xd_secret_seal(key, aad.data, aad.len, v, len, b);
        s->sealed = (const uint8_t *)b->data;
        s->sealed_len = b->len;
        if (st == XD_OK) {
            st = xd_buf_printf(&out->changed, "%s\"", out->changed.len > 1 ? "," : "");
        }
        if (st == XD_OK) {
            st = xd_buf_append_json_str(&out->changed, cr->name, strlen(cr->name));
        }
        if (st == XD_OK) {
            st = xd_buf_append_char(&out->changed, '"');
        }
    }
    xd_buf_cleanup(&aad);
    return st == XD_OK ? xd_buf_append_char(&out->changed, ']') : st;
}

/* SHA-256 over the body and every sealed value, each length-prefixed. A credential whose value
 * did not change keeps its sealed bytes, so the same content gives the same hash; a new value
 * is sealed with a fresh nonce and changes it. */
static enum xd_status content_hash(const struct xd_buf *body, const struct sealed *s,
                                   uint8_t out[XD_SHA256_LEN])
{
    struct xd_sha256_ctx c;
    if (xd_sha256_begin(&c) != XD_OK) {
        return XD_ENOMEM;
    }
    xd_sha256_update(&c, CONTENT_DOMAIN, sizeof CONTENT_DOMAIN);
    uint64_t n = body->len;
    xd_sha256_update(&c, &n, sizeof n);
    xd_sha256_update(&c, body->data, body->len);
    for (size_t i = 0; i < s->n; i++) {
        n = strlen(s->secrets[i].name);
        xd_sha256_update(&c, &n, sizeof n);
        xd_sha256_update(&c, s->secrets[i].name, n);
        n = s->secrets[i].sealed_len;
        xd_sha256_update(&c, &n, sizeof n);
        xd_sha256_update(&c, s->secrets[i].sealed, n);
    }
    xd_sha256_end(&c, out);
    return XD_OK;
}

static enum xd_status apply_locked(struct xd_partner_registry *r, struct xd_store *s,
                                   const struct xd_partner_profile *p, const char *actor,
                                   struct xd_partner_apply_result *res,
                                   struct xd_partner_problems *problems, struct xd_error *err)
{
    struct xd_arena *a = xd_arena_create(64 * 1024, 0);
    struct sealed *sl = xd_calloc(1, sizeof *sl);
    struct xd_buf body;
    xd_buf_init(&body, XD_STORE_PARTNER_BODY_MAX);
    enum xd_status st = a != NULL && sl != NULL ? XD_OK : XD_ENOMEM;
    for (size_t i = 0; sl != NULL && i < XD_STORE_PARTNER_SECRETS_MAX; i++) {
        xd_buf_init(&sl->bufs[i], XD_SECRET_SEALED_LEN(XD_SECRET_MAX));
    }
    if (sl != NULL) {
        xd_buf_init(&sl->changed, 4096);
    }
    struct xd_store_partner cur;
    bool have_cur = false;
    if (st == XD_OK) {
        st = xd_store_partner_get(s, p->id, 0, a, &cur, err);
        have_cur = st == XD_OK;
        st = st == XD_ENOTFOUND ? XD_OK : st;
    } else {
        xd_error_set(err, st, "out of memory");
    }
    size_t n_problems = 0;
    if (st == XD_OK) {
        struct xd_partner_snapshot *snap = xd_partner_registry_acquire(r);
        check_others(snap, p, problems, &n_problems);
        xd_partner_snapshot_release(snap);
        st = seal_credentials(r->key, p, have_cur ? &cur : NULL, sl, problems, &n_problems);
    }
    if (st == XD_OK && n_problems > 0) {
        st = XD_EINVALDOC;
    }
    if (st == XD_OK) {
        st = xd_partner_to_json(p, XD_PARTNER_EMIT_STORED, &body);
    }
    struct xd_store_op op;
    memset(&op, 0, sizeof op);
    op.kind = XD_STORE_OP_PARTNER_PUT;
    struct xd_store_partner_put *put = &op.u.partner;
    if (st == XD_OK) {
        st = content_hash(&body, sl, put->content_hash);
    }
    if (st == XD_OK) {
        put->id = p->id;
        put->name = p->name;
        put->role = xd_partner_role_name(p->role);
        put->body = body.data;
        put->body_len = body.len;
        put->secrets = sl->secrets;
        put->n_secrets = sl->n;
        put->expected_version = have_cur ? cur.version : 0;
        put->changed_credentials = sl->changed.data;
        put->actor = actor;
        st = xd_store_execute(s, &op);
        if (st != XD_OK && err != NULL) {
            *err = op.err;
        }
        xd_store_op_cleanup(&op);
    } else if (st != XD_EINVALDOC && st != XD_OK) {
        xd_error_set(err, st, "partner %s: %s", p->id, xd_strerror(st));
    }
    struct xd_partner_profile *stored = NULL;
    if (st == XD_OK) {
        res->created = put->created;
        res->unchanged = put->unchanged;
        res->version = put->version;
        /* The registry holds the profile exactly as stored: read back, sealed values attached. */
        st = xd_partner_load(s, p->id, put->version, &stored, err);
    }
    if (st == XD_OK) {
        st = xd_partner_registry_put(r, stored);
        if (st != XD_OK) {
            xd_error_set(err, st, "registry: %s", xd_strerror(st));
        }
    }
    xd_partner_profile_unref(stored);
    if (sl != NULL) {
        sealed_cleanup(sl);
    }
    xd_free(sl);
    xd_buf_cleanup(&body);
    xd_arena_destroy(a);
    return st;
}

enum xd_status xd_partner_apply(struct xd_partner_registry *r, struct xd_store *s,
                                const struct xd_partner_profile *p, const char *actor,
                                struct xd_partner_apply_result *res,
                                struct xd_partner_problems *problems, struct xd_error *err)
{
    if (r == NULL || s == NULL || p == NULL || actor == NULL || res == NULL || problems == NULL) {
        return xd_error_set(err, XD_EINVAL, "partner apply: bad arguments");
    }
    if (r->key == NULL) {
        return xd_error_set(err, XD_EUNSUPPORTED, "no secret key: profiles cannot be applied");
    }
    memset(res, 0, sizeof *res);
    pthread_mutex_lock(&r->apply_mu);
    enum xd_status st = apply_locked(r, s, p, actor, res, problems, err);
    pthread_mutex_unlock(&r->apply_mu);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Rotation of the master key */

struct rekey_ctx {
    const struct xd_secret_key *old_key;
    const struct xd_secret_key *new_key;
};

static enum xd_status reseal(void *arg, const char *partner, const char *name,
                             const uint8_t *sealed, size_t len, struct xd_buf *out,
                             struct xd_error *err)
{
    struct rekey_ctx *k = arg;
    struct xd_buf aad;
    xd_buf_init(&aad, 256);
    struct xd_secret *plain = NULL;
    enum xd_status st = xd_partner__credential_aad(partner, name, &aad);
    if (st == XD_OK) {
        struct xd_error e = {0};
        st = xd_secret_open(k->old_key, aad.data, aad.len, sealed, len, &plain, &e);
        if (st != XD_OK) {
            xd_error_set(err, st, "partner %s credential %s: %s", partner, name, e.message);
        }
    }
    if (st == XD_OK) {
        size_t n;
        const uint8_t *v = xd_secret_reveal(plain, &n);
        st = xd_secret_seal(k->new_key, aad.data, aad.len, v, n, out);
        if (st != XD_OK) {
            xd_error_set(err, st, "partner %s credential %s: sealing failed", partner, name);
        }
    }
    xd_secret_destroy(plain);
    xd_buf_cleanup(&aad);
    return st;
}

enum xd_status xd_partner_rekey(struct xd_store *s, const struct xd_secret_key *old_key,
                                const struct xd_secret_key *new_key, const char *actor,
                                int64_t *count, struct xd_error *err)
{
    struct rekey_ctx k = {old_key, new_key};
    char key_id[XD_SECRET_KEY_ID_HEX + 1];
    xd_secret_key_id(new_key, key_id);
    struct xd_store_op op;
    memset(&op, 0, sizeof op);
    op.kind = XD_STORE_OP_PARTNER_REKEY;
    op.u.rekey = (struct xd_store_partner_rekey){
        .reseal = reseal, .arg = &k, .key_id = key_id, .actor = actor};
    enum xd_status st = xd_store_execute(s, &op);
    if (st == XD_OK) {
        *count = op.u.rekey.count;
    } else if (err != NULL) {
        *err = op.err;
    }
    xd_store_op_cleanup(&op);
    return st;
}

/* ------------------------------------------------------------------------------------------ */

void xd_partner_problems_locate(struct xd_partner_problems *problems, const char *text, size_t len,
                                enum xd_partner_syntax syntax)
{
    bool any = false;
    for (size_t i = 0; i < problems->count; i++) {
        any |= problems->items[i].line == 0 && problems->items[i].path[0] != '\0';
    }
    struct xd_partner__tree tree;
    if (!any || syntax != XD_PARTNER_YAML ||
        xd_partner__tree_read(text, len, syntax, &tree, NULL) != XD_OK) {
        return;
    }
    for (size_t i = 0; i < problems->count; i++) {
        struct xd_partner_problem *pr = &problems->items[i];
        if (pr->line == 0 && pr->path[0] != '\0') {
            xd_partner__tree_locate(&tree, pr->path, &pr->line, &pr->column);
        }
    }
    xd_partner__tree_cleanup(&tree);
}
