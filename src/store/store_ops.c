/* SPDX-License-Identifier: MIT
 * The write operations: validation (on the submitting thread, before an op is queued) and
 * application (on the writer thread, inside the batch's transaction, each op in its own
 * savepoint). One table row per operation kind. Correlation and idempotency live here, above
 * the backend, so every backend resolves threads the same way. */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

#define NAME_MAX_BYTES   128 /* partner, actor, token name, idempotency scope */
#define SHORT_MAX_BYTES  64  /* document type, channel, format, role, action */
#define IDEM_KEY_MAX     255
#define CONTENT_TYPE_MAX 255
#define OBJECT_MAX       256
#define CONTROL_KIND_MAX 32
#define TRACE_ID_LEN     32

enum xd_status xd_store__fail(struct xd_store__apply *x, enum xd_status st)
{
    if (st == XD_EUNAVAIL) {
        x->storage_failed = true;
    }
    return st;
}

static enum xd_status fail(struct xd_store__apply *x, enum xd_status st)
{
    return xd_store__fail(x, st);
}

/* ------------------------------------------------------------------------------------------ */
/* Validation helpers: every message names the field. */

static enum xd_status bad(struct xd_error *err, const char *field, const char *why)
{
    xd_error_set(err, XD_EINVAL, "%s: %s", field, why);
    xd_error_at(err, field, -1, 0);
    return XD_EINVAL;
}

static enum xd_status need_str(struct xd_error *err, const char *field, const char *v, size_t max)
{
    if (v == NULL || v[0] == '\0') {
        return bad(err, field, "required");
    }
    if (strnlen(v, max + 1) > max) {
        return bad(err, field, "too long");
    }
    return XD_OK;
}

/* Required strings of an op, each with its field name and byte cap. */
struct str_rule {
    const char *field;
    const char *value;
    size_t max;
};

static enum xd_status need_strs(struct xd_error *err, const struct str_rule *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum xd_status st = need_str(err, r[i].field, r[i].value, r[i].max);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static enum xd_status opt_str(struct xd_error *err, const char *field, const char *v, size_t max)
{
    return v == NULL ? XD_OK : need_str(err, field, v, max);
}

static bool correlation_id_valid(const char *s)
{
    size_t n = strnlen(s, XD_CORRELATION_ID_MAX + 1);
    if (n == 0 || n > XD_CORRELATION_ID_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static bool trace_id_valid(const char *s)
{
    if (strnlen(s, TRACE_ID_LEN + 1) != TRACE_ID_LEN) {
        return false;
    }
    for (size_t i = 0; i < TRACE_ID_LEN; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static bool control_kind_valid(const char *s)
{
    size_t n = strnlen(s, CONTROL_KIND_MAX + 1);
    if (n == 0 || n > CONTROL_KIND_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) {
            return false;
        }
    }
    return true;
}

static enum xd_status validate_keys(const struct xd_store_ingest *in, struct xd_error *err)
{
    if (in->n_keys > XD_STORE_KEY_MAX) {
        return bad(err, "ingest.keys", "more than XD_STORE_KEY_MAX business keys");
    }
    if (in->n_keys > 0 && in->keys == NULL) {
        return bad(err, "ingest.keys", "n_keys is set but keys is NULL");
    }
    for (size_t i = 0; i < in->n_keys; i++) {
        enum xd_status st =
            need_str(err, "ingest.keys[].name", in->keys[i].name, XD_STORE_KEY_NAME_MAX);
        if (st == XD_OK) {
            st = need_str(err, "ingest.keys[].value", in->keys[i].value, XD_STORE_KEY_VALUE_MAX);
        }
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static enum xd_status validate_idem(const struct xd_store_ingest *in, struct xd_error *err)
{
    if (in->idem_key == NULL) {
        return XD_OK;
    }
    enum xd_status st = need_str(err, "ingest.idem_key", in->idem_key, IDEM_KEY_MAX);
    if (st == XD_OK) {
        st = need_str(err, "ingest.idem_scope", in->idem_scope, NAME_MAX_BYTES);
    }
    if (st == XD_OK && in->respond == NULL) {
        st = bad(err, "ingest.respond", "required with an idempotency key");
    }
    return st;
}

static enum xd_status ingest_validate(struct xd_store_op *op)
{
    struct xd_store_ingest *in = &op->u.ingest;
    struct xd_error *err = &op->err;
    if (!xd_id_valid(in->id, strnlen(in->id, sizeof in->id))) {
        return bad(err, "ingest.id", "not a UUID");
    }
    const struct str_rule strs[] = {
        {"ingest.doc_type", in->doc_type, SHORT_MAX_BYTES},
        {"ingest.partner", in->partner, NAME_MAX_BYTES},
        {"ingest.channel", in->channel, SHORT_MAX_BYTES},
        {"ingest.format", in->format, SHORT_MAX_BYTES},
        {"ingest.content_type", in->content_type, CONTENT_TYPE_MAX},
        {"ingest.actor", in->actor, NAME_MAX_BYTES},
    };
    enum xd_status st = need_strs(err, strs, XD_ARRAY_LEN(strs));
    if (st != XD_OK) {
        return st;
    }
    if (in->raw == NULL && in->raw_len > 0) {
        return bad(err, "ingest.raw", "raw_len is set but raw is NULL");
    }
    if (in->body == NULL || in->body_len == 0) {
        return bad(err, "ingest.body", "required");
    }
    if (in->correlation_hint != NULL && !correlation_id_valid(in->correlation_hint)) {
        return bad(err, "ingest.correlation_hint", "must be 1-128 of [A-Za-z0-9._:-]");
    }
    if (in->trace_id != NULL && !trace_id_valid(in->trace_id)) {
        return bad(err, "ingest.trace_id", "must be 32 lower-case hex digits");
    }
    if (in->received_at_ms < 0) {
        return bad(err, "ingest.received_at_ms", "negative");
    }
    st = validate_keys(in, err);
    if (st == XD_OK) {
        st = validate_idem(in, err);
    }
    if (st == XD_OK && (in->n_outbox > 0 || in->outbox != NULL)) {
        st = xd_store__outbound_validate(in->outbox, in->n_outbox, true, "ingest.outbox", err);
    }
    return st;
}

static enum xd_status token_validate(struct xd_store_op *op)
{
    const struct xd_store_token_create *t = &op->u.token;
    struct xd_error *err = &op->err;
    if (!xd_id_valid(t->id, strnlen(t->id, sizeof t->id))) {
        return bad(err, "token.id", "not a UUID");
    }
    enum xd_status st = need_str(err, "token.name", t->name, NAME_MAX_BYTES);
    if (st == XD_OK) {
        st = need_str(err, "token.role", t->role, SHORT_MAX_BYTES);
    }
    if (st == XD_OK) {
        st = opt_str(err, "token.partner", t->partner, NAME_MAX_BYTES);
    }
    if (st == XD_OK) {
        st = need_str(err, "token.actor", t->actor, NAME_MAX_BYTES);
    }
    return st;
}

static enum xd_status revoke_validate(struct xd_store_op *op)
{
    const struct xd_store_token_revoke *r = &op->u.revoke;
    if (!xd_id_valid(r->id, strnlen(r->id, sizeof r->id))) {
        return bad(&op->err, "revoke.id", "not a UUID");
    }
    return need_str(&op->err, "revoke.actor", r->actor, NAME_MAX_BYTES);
}

static enum xd_status control_validate(struct xd_store_op *op)
{
    const struct xd_store_control_alloc *c = &op->u.control;
    struct xd_error *err = &op->err;
    enum xd_status st = need_str(err, "control.partner", c->partner, NAME_MAX_BYTES);
    if (st == XD_OK && (c->kind == NULL || !control_kind_valid(c->kind))) {
        st = bad(err, "control.kind", "must be 1-32 of [a-z0-9_]");
    }
    if (st == XD_OK && (c->count < 1 || c->count > XD_STORE_CONTROL_COUNT_MAX)) {
        st = bad(err, "control.count", "must be 1..XD_STORE_CONTROL_COUNT_MAX");
    }
    if (st == XD_OK) {
        st = need_str(err, "control.actor", c->actor, NAME_MAX_BYTES);
    }
    return st;
}

static enum xd_status audit_validate(struct xd_store_op *op)
{
    const struct xd_store_audit_append *a = &op->u.audit;
    struct xd_error *err = &op->err;
    enum xd_status st = need_str(err, "audit.actor", a->actor, NAME_MAX_BYTES);
    if (st == XD_OK) {
        st = need_str(err, "audit.action", a->action, SHORT_MAX_BYTES);
    }
    if (st == XD_OK) {
        st = need_str(err, "audit.object", a->object, OBJECT_MAX);
    }
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Audit JSON: small objects built in s->scratch. */

/* json_begin wrote the '{'; every member after the first needs a comma. <name> is one of this
 * file's literals, never input, so it needs no escaping. */
static enum xd_status json_key(struct xd_buf *b, const char *name)
{
    enum xd_status st = b->len > 1 ? xd_buf_append_char(b, ',') : XD_OK;
    if (st == XD_OK) {
        st = xd_buf_append_char(b, '"');
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, name);
    }
    return st == XD_OK ? xd_buf_append(b, "\":", 2) : st;
}

enum xd_status xd_store__json_str(struct xd_buf *b, const char *name, const char *v)
{
    enum xd_status st = json_key(b, name);
    if (st != XD_OK) {
        return st;
    }
    if (v == NULL) {
        return xd_buf_append_str(b, "null");
    }
    st = xd_buf_append_char(b, '"');
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, v, strlen(v));
    }
    return st == XD_OK ? xd_buf_append_char(b, '"') : st;
}

enum xd_status xd_store__json_int(struct xd_buf *b, const char *name, int64_t v)
{
    enum xd_status st = json_key(b, name);
    return st == XD_OK ? xd_buf_printf(b, "%lld", (long long)v) : st;
}

static enum xd_status json_bool(struct xd_buf *b, const char *name, bool v)
{
    enum xd_status st = json_key(b, name);
    return st == XD_OK ? xd_buf_append_str(b, v ? "true" : "false") : st;
}

enum xd_status xd_store__json_begin(struct xd_buf *b)
{
    xd_buf_reset(b);
    return xd_buf_append_char(b, '{');
}

enum xd_status xd_store__json_end(struct xd_buf *b)
{
    return xd_buf_append_char(b, '}');
}

static enum xd_status json_keys(struct xd_buf *b, const struct xd_store_ingest *in)
{
    enum xd_status st = json_key(b, "keys");
    if (st == XD_OK) {
        st = xd_buf_append_char(b, '{');
    }
    for (size_t i = 0; i < in->n_keys && st == XD_OK; i++) {
        st = xd_buf_printf(b, "%s\"", i > 0 ? "," : "");
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, in->keys[i].name, strlen(in->keys[i].name));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\":\"");
        }
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, in->keys[i].value, strlen(in->keys[i].value));
        }
        if (st == XD_OK) {
            st = xd_buf_append_char(b, '"');
        }
    }
    return st == XD_OK ? xd_buf_append_char(b, '}') : st;
}

enum xd_status xd_store__audit_op(struct xd_store__apply *x, const char *actor, const char *action,
                                  const char *object, const char *before, const char *after)
{
    enum xd_status st =
        xd_store__audit_append(x->s, actor, action, object, before, after, NULL, &x->op->err);
    return st == XD_OK ? XD_OK : fail(x, st);
}

static enum xd_status oom(struct xd_store__apply *x, enum xd_status st)
{
    return xd_error_set(&x->op->err, st, "building the audit record: %s", xd_strerror(st));
}

/* ------------------------------------------------------------------------------------------ */
/* Ingest */

/* Find or make the document's thread (store.h: keys first, then the hint, then a new id). */
static enum xd_status resolve_thread(struct xd_store__apply *x, struct xd_store_ingest *in)
{
    const struct xd_store__backend *be = x->s->be;
    struct xd_store__conn *c = x->s->wconn;
    struct xd_error *err = &x->op->err;
    size_t decided = in->n_keys;
    for (size_t i = 0; i < in->n_keys; i++) {
        enum xd_status st =
            be->key_thread(c, in->keys[i].name, in->keys[i].value, in->correlation_id, err);
        if (st == XD_OK) {
            decided = i;
            break;
        }
        if (st != XD_ENOTFOUND) {
            return fail(x, st);
        }
    }
    in->new_thread = false;
    if (decided == in->n_keys && in->correlation_hint != NULL) {
        size_t n = strlen(in->correlation_hint);
        memcpy(in->correlation_id, in->correlation_hint, n + 1);
        bool known = false;
        enum xd_status st = be->thread_known(c, in->correlation_id, &known, err);
        if (st != XD_OK) {
            return fail(x, st);
        }
        in->new_thread = !known;
    } else if (decided == in->n_keys) {
        /* A UUIDv7 of our own names no thread yet. */
        if (xd_id_new(in->correlation_id) != XD_OK) {
            return xd_error_set(err, XD_EIO, "no randomness for a correlation id");
        }
        in->new_thread = true;
    }
    for (size_t i = 0; i < in->n_keys; i++) {
        if (i == decided) {
            continue;
        }
        enum xd_status st =
            be->key_put(c, in->keys[i].name, in->keys[i].value, in->correlation_id, err);
        if (st != XD_OK) {
            return fail(x, st);
        }
    }
    return XD_OK;
}

enum xd_status xd_store__idem_record(struct xd_store__apply *x, const char *scope, const char *key,
                                     const uint8_t hash[XD_SHA256_LEN], xd_store_respond_fn respond,
                                     void *respond_arg, const char *correlation_id)
{
    struct xd_buf *body = &x->s->respond_body;
    xd_buf_reset(body);
    int http_status = 0;
    enum xd_status st = respond(respond_arg, correlation_id, &http_status, body);
    if (st != XD_OK) {
        return xd_error_set(&x->op->err, st, "respond callback failed: %s", xd_strerror(st));
    }
    st = x->s->be->idem_put(x->s->wconn, scope, key, hash, http_status, body, xd_now_ms(),
                            &x->op->err);
    return st == XD_OK ? XD_OK : fail(x, st);
}

enum xd_status xd_store__idem_check(struct xd_store__apply *x, const char *scope, const char *key)
{
    struct xd_store_op *op = x->op;
    enum xd_status st =
        x->s->be->idem_get(x->s->wconn, scope, key, op->idem_request_hash, &op->idem_http_status,
                           &op->idem_body, &op->idem_body_len, &op->err);
    if (st == XD_OK) {
        return xd_error_set(&op->err, XD_EEXIST, "idempotency key already used");
    }
    return st == XD_ENOTFOUND ? XD_ENOTFOUND : fail(x, st);
}

static enum xd_status ingest_audit(struct xd_store__apply *x, const struct xd_store_ingest *in)
{
    struct xd_buf *b = &x->s->scratch;
    enum xd_status st = xd_store__json_begin(b);
    if (st == XD_OK) {
        st = xd_store__json_int(b, "seq", in->seq);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "type", in->doc_type);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "correlation_id", in->correlation_id);
    }
    if (st == XD_OK) {
        st = json_bool(b, "new_thread", in->new_thread);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "partner", in->partner);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "channel", in->channel);
    }
    if (st == XD_OK) {
        st = json_keys(b, in);
    }
    if (st == XD_OK) {
        st = xd_store__json_end(b);
    }
    if (st != XD_OK) {
        return oom(x, st);
    }
    char object[16 + XD_ID_LEN];
    snprintf(object, sizeof object, "document:%s", in->id);
    return xd_store__audit_op(x, in->actor, "document.ingest", object, NULL, b->data);
}

static enum xd_status ingest_apply(struct xd_store__apply *x)
{
    struct xd_store_op *op = x->op;
    struct xd_store_ingest *in = &op->u.ingest;
    const struct xd_store__backend *be = x->s->be;
    struct xd_store__conn *c = x->s->wconn;
    enum xd_status st;
    if (in->idem_key != NULL) {
        st = xd_store__idem_check(x, in->idem_scope, in->idem_key);
        if (st != XD_ENOTFOUND) {
            return st;
        }
    }
    st = resolve_thread(x, in);
    if (st == XD_OK) {
        st = fail(x, be->journal_put(c, in, &in->seq, &op->err));
    }
    if (st == XD_OK) {
        st = fail(x, be->doc_put(c, in, in->seq, in->correlation_id, &op->err));
        if (st == XD_ECONFLICT) {
            st = xd_error_set(&op->err, XD_EINVAL, "document %s is already stored", in->id);
        }
    }
    if (st == XD_OK) {
        st = ingest_audit(x, in);
    }
    if (st == XD_OK && in->n_outbox > 0) {
        char source[16 + XD_ID_LEN];
        snprintf(source, sizeof source, "document:%s", in->id);
        st = xd_store__outbound_write(x, in->outbox, in->n_outbox, in->correlation_id, source,
                                      in->actor);
    }
    /* Last, so that a failing callback also takes back the audit record just appended. */
    if (st == XD_OK && in->idem_key != NULL) {
        st = xd_store__idem_record(x, in->idem_scope, in->idem_key, in->request_hash, in->respond,
                                   in->respond_arg, in->correlation_id);
    }
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Inbound partner messages */

#define MESSAGE_ANSWER_DOCS 100

static const char *const message_statuses[] = {"accepted", "partial", "rejected", "test"};

/* A cursor's name and value: both present and within their caps. */
static enum xd_status cursor_check(struct xd_error *err, const char *field, const char *name,
                                   const char *value)
{
    enum xd_status st = need_str(err, field, name, XD_STORE_CURSOR_NAME_MAX);
    return st == XD_OK ? need_str(err, "cursor value", value, XD_STORE_CURSOR_VALUE_MAX) : st;
}

static enum xd_status message_validate(struct xd_store_op *op)
{
    struct xd_store_message *m = &op->u.message;
    struct xd_error *err = &op->err;
    if (!xd_id_valid(m->id, strnlen(m->id, sizeof m->id))) {
        return bad(err, "message.id", "not a UUID");
    }
    const struct str_rule strs[] = {
        {"message.partner", m->partner, NAME_MAX_BYTES},
        {"message.channel", m->channel, SHORT_MAX_BYTES},
        {"message.format", m->format, SHORT_MAX_BYTES},
        {"message.content_type", m->content_type, CONTENT_TYPE_MAX},
        {"message.status", m->status, SHORT_MAX_BYTES},
        {"message.actor", m->actor, NAME_MAX_BYTES},
    };
    enum xd_status st = need_strs(err, strs, XD_ARRAY_LEN(strs));
    if (st != XD_OK) {
        return st;
    }
    bool known = false;
    for (size_t i = 0; i < XD_ARRAY_LEN(message_statuses); i++) {
        known |= strcmp(m->status, message_statuses[i]) == 0;
    }
    if (!known) {
        return bad(err, "message.status", "must be accepted, partial, rejected or test");
    }
    st = opt_str(err, "message.detail", m->detail, XD_STORE_DETAIL_MAX);
    if (st == XD_OK) {
        st = opt_str(err, "message.file_name", m->file_name, 255);
    }
    if (st == XD_OK) {
        st = opt_str(err, "message.dedupe_key", m->dedupe_key, IDEM_KEY_MAX);
    }
    if (st != XD_OK) {
        return st;
    }
    if (m->raw == NULL || m->raw_len == 0) {
        return bad(err, "message.raw", "required");
    }
    if (m->trace_id != NULL && !trace_id_valid(m->trace_id)) {
        return bad(err, "message.trace_id", "must be 32 lower-case hex digits");
    }
    if (m->idem_key != NULL &&
        ((st = need_str(err, "message.idem_key", m->idem_key, IDEM_KEY_MAX)) != XD_OK ||
         (st = need_str(err, "message.idem_scope", m->idem_scope, NAME_MAX_BYTES)) != XD_OK)) {
        return st;
    }
    if (m->http_status < 200 || m->http_status > 599) {
        return bad(err, "message.http_status", "must be an HTTP status");
    }
    if (m->n_docs > XD_STORE_MESSAGE_DOCS_MAX || (m->n_docs > 0 && m->docs == NULL)) {
        return bad(err, "message.docs", "at most XD_STORE_MESSAGE_DOCS_MAX");
    }
    for (size_t i = 0; i < m->n_docs; i++) {
        struct xd_store_ingest *d = &m->docs[i];
        if (!xd_id_valid(d->id, strnlen(d->id, sizeof d->id))) {
            return bad(err, "message.docs[].id", "not a UUID");
        }
        if ((st = need_str(err, "message.docs[].doc_type", d->doc_type, SHORT_MAX_BYTES)) !=
            XD_OK) {
            return st;
        }
        if (d->body == NULL || d->body_len == 0) {
            return bad(err, "message.docs[].body", "required");
        }
        if (d->correlation_hint != NULL && !correlation_id_valid(d->correlation_hint)) {
            return bad(err, "message.docs[].correlation_hint", "must be 1-128 of [A-Za-z0-9._:-]");
        }
        if ((st = validate_keys(d, err)) != XD_OK) {
            return st;
        }
    }
    if (m->n_outbox > 0 || m->outbox != NULL) {
        st = xd_store__outbound_validate(m->outbox, m->n_outbox, true, "message.outbox", err);
    }
    if (st == XD_OK && (m->cursor_name != NULL || m->cursor_value != NULL)) {
        st = cursor_check(err, "message.cursor_name", m->cursor_name, m->cursor_value);
    }
    return st;
}

enum xd_status xd_store_message_answer(const struct xd_store_message *m, struct xd_buf *b)
{
    enum xd_status st = xd_store__json_begin(b);
    if (st == XD_OK) {
        st = xd_store__json_str(b, "id", m->id);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "partner", m->partner);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "status", m->status);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "detail", m->detail);
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, ",\"documents\":[");
    }
    for (size_t i = 0; st == XD_OK && i < m->n_docs && i < MESSAGE_ANSWER_DOCS; i++) {
        const struct xd_store_ingest *d = &m->docs[i];
        st = xd_buf_append_strs(b, i ? ",{\"id\":\"" : "{\"id\":\"", d->id, "\",\"type\":\"",
                                d->doc_type, "\",\"correlation_id\":\"", d->correlation_id, "\"}",
                                NULL);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, "],\"documents_total\":%zu,\"outbound\":[", m->n_docs);
    }
    for (size_t i = 0; st == XD_OK && i < m->n_outbox; i++) {
        const struct xd_store_outbound *o = &m->outbox[i];
        st = xd_buf_append_strs(b, i ? ",{\"id\":\"" : "{\"id\":\"", o->id, "\",\"partner\":\"",
                                o->partner, "\",\"endpoint\":\"", o->endpoint, "\"}", NULL);
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(b, ']');
    }
    if (st == XD_OK && m->answer_extra != NULL && m->answer_extra[0] != '\0') {
        st = xd_buf_append_strs(b, ",", m->answer_extra, NULL);
    }
    return st == XD_OK ? xd_store__json_end(b) : st;
}

/* A key seen before: the first answer (XD_EEXIST), or XD_ECONFLICT when it came with other
 * bytes; XD_ENOTFOUND when new. */
static enum xd_status message_seen(struct xd_store__apply *x, const char *scope, const char *key,
                                   const uint8_t *hash)
{
    struct xd_store_op *op = x->op;
    enum xd_status st = xd_store__idem_check(x, scope, key);
    if (st == XD_EEXIST && memcmp(op->idem_request_hash, hash, XD_SHA256_LEN) != 0) {
        xd_free(op->idem_body);
        op->idem_body = NULL;
        op->idem_body_len = 0;
        return xd_error_set(&op->err, XD_ECONFLICT, "%s %s was used before for a different message",
                            scope, key);
    }
    return st;
}

static enum xd_status message_record(struct xd_store__apply *x, const char *scope, const char *key,
                                     const uint8_t *hash, const struct xd_buf *answer)
{
    const struct xd_store_message *m = &x->op->u.message;
    enum xd_status st = x->s->be->idem_put(x->s->wconn, scope, key, hash, m->http_status, answer,
                                           xd_now_ms(), &x->op->err);
    return st == XD_OK ? XD_OK : xd_store__fail(x, st);
}

static enum xd_status message_audit(struct xd_store__apply *x, const struct xd_store_message *m)
{
    struct xd_buf *b = &x->s->scratch;
    enum xd_status st = xd_store__json_begin(b);
    if (st == XD_OK) {
        st = xd_store__json_int(b, "seq", m->seq);
    }
    const char *strs[][2] = {{"partner", m->partner}, {"channel", m->channel},
                             {"format", m->format},   {"status", m->status},
                             {"file", m->file_name},  {"detail", m->detail}};
    for (size_t i = 0; st == XD_OK && i < XD_ARRAY_LEN(strs); i++) {
        st = xd_store__json_str(b, strs[i][0], strs[i][1]);
    }
    if (st == XD_OK) {
        st = xd_store__json_int(b, "documents", (int64_t)m->n_docs);
    }
    if (st == XD_OK) {
        st = xd_store__json_end(b);
    }
    if (st != XD_OK) {
        return oom(x, st);
    }
    char object[16 + XD_ID_LEN];
    snprintf(object, sizeof object, "message:%s", m->id);
    return xd_store__audit_op(x, m->actor, "message.receive", object, NULL, b->data);
}

static enum xd_status message_apply(struct xd_store__apply *x)
{
    struct xd_store_op *op = x->op;
    struct xd_store_message *m = &op->u.message;
    const struct xd_store__backend *be = x->s->be;
    struct xd_store__conn *c = x->s->wconn;
    char dedupe_scope[16 + NAME_MAX_BYTES];
    snprintf(dedupe_scope, sizeof dedupe_scope, "partner:%s", m->partner);
    enum xd_status st = XD_ENOTFOUND;
    m->key_conflict = false;
    if (m->idem_key != NULL) {
        st = message_seen(x, m->idem_scope, m->idem_key, m->idem_hash);
        m->key_conflict = st == XD_ECONFLICT;
    }
    if (st == XD_ENOTFOUND && m->dedupe_key != NULL) {
        st = message_seen(x, dedupe_scope, m->dedupe_key, m->request_hash);
    }
    if (st != XD_ENOTFOUND) {
        return st;
    }
    st = xd_store__fail(x, be->message_put(c, m, &m->seq, &op->err));
    for (size_t i = 0; st == XD_OK && i < m->n_docs; i++) {
        struct xd_store_ingest *d = &m->docs[i];
        d->partner = m->partner;
        d->channel = m->channel;
        d->format = m->format;
        d->content_type = m->content_type;
        d->trace_id = m->trace_id;
        d->received_at_ms = m->received_at_ms;
        d->actor = m->actor;
        d->seq = m->seq;
        st = resolve_thread(x, d);
        if (st == XD_OK) {
            st = xd_store__fail(x, be->doc_put(c, d, m->seq, d->correlation_id, &op->err));
            if (st == XD_ECONFLICT) {
                st = xd_error_set(&op->err, XD_EINVAL, "document %s is already stored", d->id);
            }
        }
        if (st == XD_OK) {
            st = ingest_audit(x, d);
        }
    }
    if (st == XD_OK) {
        st = message_audit(x, m);
    }
    if (st == XD_OK && m->cursor_name != NULL) {
        st =
            fail(x, be->poll_cursor_put(c, m->cursor_name, m->cursor_value, xd_now_ms(), &op->err));
    }
    if (st == XD_OK && m->n_outbox > 0) {
        char source[16 + XD_ID_LEN];
        snprintf(source, sizeof source, "message:%s", m->id);
        st = xd_store__outbound_write(x, m->outbox, m->n_outbox,
                                      m->n_docs > 0 ? m->docs[0].correlation_id : NULL, source,
                                      m->actor);
    }
    if (st == XD_OK && (m->idem_key != NULL || m->dedupe_key != NULL)) {
        struct xd_buf *answer = &x->s->respond_body;
        xd_buf_reset(answer);
        st = xd_store_message_answer(m, answer);
        if (st != XD_OK) {
            return xd_error_set(&op->err, st, "building the answer: %s", xd_strerror(st));
        }
        if (m->idem_key != NULL) {
            st = message_record(x, m->idem_scope, m->idem_key, m->idem_hash, answer);
        }
        /* A rejected interchange does not hold its control number: the partner may send the
         * corrected one under the same number. */
        if (st == XD_OK && m->dedupe_key != NULL && strcmp(m->status, "rejected") != 0) {
            st = message_record(x, dedupe_scope, m->dedupe_key, m->request_hash, answer);
        }
    }
    return st;
}

static enum xd_status cursor_validate(struct xd_store_op *op)
{
    const struct xd_store_cursor_set *c = &op->u.cursor;
    return cursor_check(&op->err, "cursor.name", c->name, c->value);
}

/* A cursor is the poller's bookkeeping, not a state change of business data: not audited. */
static enum xd_status cursor_apply(struct xd_store__apply *x)
{
    const struct xd_store_cursor_set *c = &x->op->u.cursor;
    return fail(
        x, x->s->be->poll_cursor_put(x->s->wconn, c->name, c->value, xd_now_ms(), &x->op->err));
}

/* ------------------------------------------------------------------------------------------ */
/* Tokens, control numbers, plain audit records */

static enum xd_status token_apply(struct xd_store__apply *x)
{
    const struct xd_store_token_create *t = &x->op->u.token;
    enum xd_status st = x->s->be->token_put(x->s->wconn, t, xd_now_ms(), &x->op->err);
    if (st == XD_ECONFLICT) {
        return xd_error_set(&x->op->err, XD_EEXIST, "a token with this id or secret exists");
    }
    if (st != XD_OK) {
        return fail(x, st);
    }
    struct xd_buf *b = &x->s->scratch;
    st = xd_store__json_begin(b);
    if (st == XD_OK) {
        st = xd_store__json_str(b, "name", t->name);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "role", t->role);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "partner", t->partner);
    }
    if (st == XD_OK) {
        st = xd_store__json_end(b);
    }
    if (st != XD_OK) {
        return oom(x, st);
    }
    char object[16 + XD_ID_LEN];
    snprintf(object, sizeof object, "token:%s", t->id);
    return xd_store__audit_op(x, t->actor, "token.create", object, NULL, b->data);
}

static enum xd_status revoke_apply(struct xd_store__apply *x)
{
    struct xd_store_token_revoke *r = &x->op->u.revoke;
    enum xd_status st =
        x->s->be->token_revoke(x->s->wconn, r->id, xd_now_ms(), &r->was_active, &x->op->err);
    if (st == XD_ENOTFOUND) {
        return st;
    }
    if (st != XD_OK) {
        return fail(x, st);
    }
    if (!r->was_active) {
        return XD_OK; /* nothing changed, so nothing to audit */
    }
    char object[16 + XD_ID_LEN];
    snprintf(object, sizeof object, "token:%s", r->id);
    return xd_store__audit_op(x, r->actor, "token.revoke", object, "{\"active\":true}",
                              "{\"active\":false}");
}

static enum xd_status control_apply(struct xd_store__apply *x)
{
    struct xd_store_control_alloc *c = &x->op->u.control;
    enum xd_status st =
        x->s->be->counter_take(x->s->wconn, c->partner, c->kind, c->count, &c->first, &x->op->err);
    if (st != XD_OK) {
        return fail(x, st);
    }
    char before[48];
    char after[48];
    snprintf(before, sizeof before, "{\"next\":%lld}", (long long)c->first);
    int64_t next = c->first + c->count; /* counter_take kept it within int64 */
    snprintf(after, sizeof after, "{\"next\":%lld}", (long long)next);
    struct xd_buf *b = &x->s->scratch;
    xd_buf_reset(b);
    st = xd_buf_printf(b, "control:%s:%s", c->partner, c->kind);
    if (st != XD_OK) {
        return oom(x, st);
    }
    return xd_store__audit_op(x, c->actor, "control.alloc", b->data, before, after);
}

static enum xd_status audit_apply(struct xd_store__apply *x)
{
    struct xd_store_audit_append *a = &x->op->u.audit;
    enum xd_status st = xd_store__audit_append(x->s, a->actor, a->action, a->object, a->before,
                                               a->after, &a->seq, &x->op->err);
    return st == XD_OK ? XD_OK : fail(x, st);
}

/* ------------------------------------------------------------------------------------------ */

static const struct {
    enum xd_status (*validate)(struct xd_store_op *op);
    enum xd_status (*apply)(struct xd_store__apply *x);
} kinds[] = {
    [XD_STORE_OP_INGEST] = {ingest_validate, ingest_apply},
    [XD_STORE_OP_TOKEN_CREATE] = {token_validate, token_apply},
    [XD_STORE_OP_TOKEN_REVOKE] = {revoke_validate, revoke_apply},
    [XD_STORE_OP_CONTROL_ALLOC] = {control_validate, control_apply},
    [XD_STORE_OP_AUDIT_APPEND] = {audit_validate, audit_apply},
    [XD_STORE_OP_OUTBOX_ENQUEUE] = {xd_store__enqueue_validate, xd_store__enqueue_apply},
    [XD_STORE_OP_OUTBOX_UPDATE] = {xd_store__update_validate, xd_store__update_apply},
    [XD_STORE_OP_OUTBOX_REPLAY] = {xd_store__replay_validate, xd_store__replay_apply},
    [XD_STORE_OP_OUTBOX_REROUTE] = {xd_store__reroute_validate, xd_store__reroute_apply},
    [XD_STORE_OP_ENDPOINT_UPDATE] = {xd_store__endpoint_validate, xd_store__endpoint_apply},
    [XD_STORE_OP_PARTNER_PUT] = {xd_store__partner_put_validate, xd_store__partner_put_apply},
    [XD_STORE_OP_PARTNER_REKEY] = {xd_store__partner_rekey_validate, xd_store__partner_rekey_apply},
    [XD_STORE_OP_MESSAGE] = {message_validate, message_apply},
    [XD_STORE_OP_FLOW] = {xd_store__flow_validate, xd_store__flow_apply},
    [XD_STORE_OP_CURSOR_SET] = {cursor_validate, cursor_apply},
};

enum xd_status xd_store__op_validate(struct xd_store_op *op)
{
    if ((size_t)op->kind >= XD_ARRAY_LEN(kinds) || kinds[op->kind].validate == NULL) {
        return bad(&op->err, "op.kind", "unknown operation");
    }
    return kinds[op->kind].validate(op);
}

enum xd_status xd_store__op_apply(struct xd_store *s, struct xd_store_op *op, struct xd_error *err)
{
    struct xd_store__apply x = {.s = s, .op = op, .storage_failed = false};
    enum xd_status st = kinds[op->kind].apply(&x);
    if (x.storage_failed) {
        *err = op->err;
        return XD_EUNAVAIL;
    }
    op->status = st;
    if (st == XD_OK) {
        xd_error_clear(&op->err);
    }
    return XD_OK;
}

enum xd_status xd_store__audit_system(struct xd_store *s, const char *action, const char *after,
                                      struct xd_error *err)
{
    return xd_store__audit_append(s, "system", action, "store", NULL, after, NULL, err);
}
