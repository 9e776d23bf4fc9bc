/* SPDX-License-Identifier: MIT
 * The transactional outbox: validation (submitting thread) and application (writer thread,
 * inside the batch's transaction) of the outbox and endpoint operations, and the outbox
 * messages written by other operations (an ingest). Every state change a person would ask about
 * is audited: enqueue, delivered, dead, replay, re-route, endpoint disable/enable and breaker
 * transitions; claims and retries are recorded on the message row (attempts, last_*), which is
 * where an operator looks for them. Each change that gives the delivery engine work is recorded
 * as an event (xd_store__event_add) and reported after the commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define CONTENT_TYPE_MAX 255
#define SOURCE_MAX       128
#define ACTOR_MAX        128
#define OBJECT_MAX       (16 + XD_ID_LEN)

static const char *const state_names[XD_OUTBOX_STATE_COUNT] = {
    [XD_OUTBOX_PENDING] = "pending",     [XD_OUTBOX_DELIVERING] = "delivering",
    [XD_OUTBOX_DELIVERED] = "delivered", [XD_OUTBOX_DEAD] = "dead",
    [XD_OUTBOX_DISABLED] = "disabled",
};

const char *xd_store_outbox_state_name(enum xd_store_outbox_state st)
{
    return (size_t)st < XD_ARRAY_LEN(state_names) ? state_names[st] : "unknown";
}

enum xd_status xd_store_outbox_state_parse(const char *name, enum xd_store_outbox_state *out)
{
    for (size_t i = 0; name != NULL && i < XD_ARRAY_LEN(state_names); i++) {
        if (strcmp(name, state_names[i]) == 0) {
            *out = (enum xd_store_outbox_state)i;
            return XD_OK;
        }
    }
    return XD_EINVAL;
}

bool xd_store_name_valid(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '.') {
        return false;
    }
    size_t n = strnlen(name, XD_STORE_NAME_MAX + 1);
    if (n > XD_STORE_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Validation: every message names the field. */

static enum xd_status bad(struct xd_error *err, const char *field, const char *why)
{
    xd_error_set(err, XD_EINVAL, "%s: %s", field, why);
    xd_error_at(err, field, -1, 0);
    return XD_EINVAL;
}

/* Printable ASCII (it becomes an HTTP header value): 1..max bytes, none of <banned>. */
static bool header_safe(const char *v, size_t max, const char *banned)
{
    size_t n = strnlen(v, max + 1);
    if (n == 0 || n > max) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] < 0x20 || v[i] > 0x7e || strchr(banned, v[i]) != NULL) {
            return false;
        }
    }
    return true;
}

static bool correlation_valid(const char *s)
{
    size_t n = strnlen(s, XD_CORRELATION_ID_MAX + 1);
    return n > 0 && n <= XD_CORRELATION_ID_MAX &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

static enum xd_status one_outbound(const struct xd_store_outbound *m, bool in_ingest,
                                   struct xd_error *err, const char *field)
{
    if (!xd_id_valid(m->id, strnlen(m->id, sizeof m->id))) {
        return bad(err, field, "id is not a UUID");
    }
    if (!xd_store_name_valid(m->partner)) {
        return bad(err, field, "partner must be 1-64 of [A-Za-z0-9._-], not starting with '.'");
    }
    if (!xd_store_name_valid(m->endpoint)) {
        return bad(err, field, "endpoint must be 1-64 of [A-Za-z0-9._-], not starting with '.'");
    }
    if (m->content_type == NULL || !header_safe(m->content_type, CONTENT_TYPE_MAX, "")) {
        return bad(err, field, "content_type must be 1-255 printable ASCII characters");
    }
    if (m->body == NULL) {
        return bad(err, field, "body is required");
    }
    if (m->body_len > XD_STORE_OUTBOUND_BODY_MAX) {
        return bad(err, field, "body is larger than XD_STORE_OUTBOUND_BODY_MAX");
    }
    if (m->idem_key != NULL && !header_safe(m->idem_key, XD_STORE_IDEM_KEY_MAX, "\"\\")) {
        return bad(err, field,
                   "idem_key must be 1-255 printable ASCII characters without \" or \\");
    }
    if (m->correlation_id != NULL && !correlation_valid(m->correlation_id)) {
        return bad(err, field, "correlation_id must be 1-128 of [A-Za-z0-9._:-]");
    }
    if (m->source == NULL && !in_ingest) {
        return bad(err, field, "source is required");
    }
    if (m->source != NULL &&
        (m->source[0] == '\0' || strnlen(m->source, SOURCE_MAX + 1) > SOURCE_MAX)) {
        return bad(err, field, "source must be 1-128 bytes");
    }
    return XD_OK;
}

enum xd_status xd_store__outbound_validate(const struct xd_store_outbound *m, size_t n,
                                           bool in_ingest, const char *field, struct xd_error *err)
{
    if (n > XD_STORE_OUTBOUND_MAX) {
        return bad(err, field, "more than XD_STORE_OUTBOUND_MAX messages");
    }
    if ((n > 0) != (m != NULL) || (!in_ingest && n == 0)) {
        return bad(err, field, "messages and their count do not agree");
    }
    for (size_t i = 0; i < n; i++) {
        enum xd_status st = one_outbound(&m[i], in_ingest, err, field);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static enum xd_status need(struct xd_error *err, const char *field, const char *v, size_t max)
{
    if (v == NULL || v[0] == '\0') {
        return bad(err, field, "required");
    }
    return strnlen(v, max + 1) > max ? bad(err, field, "too long") : XD_OK;
}

enum xd_status xd_store__enqueue_validate(struct xd_store_op *op)
{
    const struct xd_store_outbox_enqueue *q = &op->u.enqueue;
    struct xd_error *err = &op->err;
    enum xd_status st = need(err, "enqueue.actor", q->actor, ACTOR_MAX);
    if (st == XD_OK) {
        st = xd_store__outbound_validate(q->msgs, q->n_msgs, false, "enqueue.msgs", err);
    }
    if (st == XD_OK && q->idem_key != NULL) {
        if (!header_safe(q->idem_key, XD_STORE_IDEM_KEY_MAX, "")) {
            return bad(err, "enqueue.idem_key", "must be 1-255 printable ASCII characters");
        }
        st = need(err, "enqueue.idem_scope", q->idem_scope, ACTOR_MAX);
        if (st == XD_OK && q->respond == NULL) {
            st = bad(err, "enqueue.respond", "required with an idempotency key");
        }
    }
    return st;
}

enum xd_status xd_store__update_validate(struct xd_store_op *op)
{
    const struct xd_store_outbox_update *u = &op->u.outbox;
    struct xd_error *err = &op->err;
    if (u->n_results + u->n_claims == 0) {
        return bad(err, "outbox", "neither results nor claims");
    }
    if ((u->n_results > 0 && u->results == NULL) || (u->n_claims > 0 && u->claims == NULL)) {
        return bad(err, "outbox", "a count is set but its array is NULL");
    }
    for (size_t i = 0; i < u->n_results; i++) {
        const struct xd_store_outbox_result *r = &u->results[i];
        if (r->outcome > XD_STORE_OUTBOX_DEAD || r->seq <= 0) {
            return bad(err, "outbox.results[]", "unknown outcome or seq");
        }
        if (r->outcome == XD_STORE_OUTBOX_DEAD && (r->reason == NULL || r->reason[0] == '\0')) {
            return bad(err, "outbox.results[].reason", "a dead message needs a reason");
        }
        if (r->response == NULL && r->response_len > 0) {
            return bad(err, "outbox.results[].response", "response_len is set but no response");
        }
    }
    return need(err, "outbox.actor", u->actor, ACTOR_MAX);
}

enum xd_status xd_store__replay_validate(struct xd_store_op *op)
{
    const struct xd_store_outbox_replay *r = &op->u.replay;
    struct xd_error *err = &op->err;
    int selectors = (r->n_ids > 0) + (r->partner != NULL) + (r->all ? 1 : 0);
    if (selectors != 1) {
        return bad(err, "replay", "exactly one of ids, partner and all");
    }
    if (r->n_ids > XD_STORE_OUTBOUND_MAX || (r->n_ids > 0 && r->ids == NULL)) {
        return bad(err, "replay.ids", "at most XD_STORE_OUTBOUND_MAX ids");
    }
    for (size_t i = 0; i < r->n_ids; i++) {
        if (r->ids[i] == NULL || !xd_id_valid(r->ids[i], strnlen(r->ids[i], XD_ID_LEN + 1))) {
            return bad(err, "replay.ids[]", "not a UUID");
        }
    }
    if (r->partner != NULL && !xd_store_name_valid(r->partner)) {
        return bad(err, "replay.partner", "not a partner name");
    }
    if (r->n_ids == 0 && (r->limit == 0 || r->limit > XD_STORE_REPLAY_MAX)) {
        return bad(err, "replay.limit", "must be 1..XD_STORE_REPLAY_MAX");
    }
    return need(err, "replay.actor", r->actor, ACTOR_MAX);
}

enum xd_status xd_store__reroute_validate(struct xd_store_op *op)
{
    const struct xd_store_outbox_reroute *r = &op->u.reroute;
    struct xd_error *err = &op->err;
    const char *names[] = {r->from_partner, r->from_endpoint, r->to_partner, r->to_endpoint};
    for (size_t i = 0; i < XD_ARRAY_LEN(names); i++) {
        if (!xd_store_name_valid(names[i])) {
            return bad(err, "reroute", "partner and endpoint names must be valid");
        }
    }
    if (strcmp(r->from_partner, r->to_partner) == 0 &&
        strcmp(r->from_endpoint, r->to_endpoint) == 0) {
        return bad(err, "reroute", "from and to are the same endpoint");
    }
    enum xd_status st = need(err, "reroute.reason", r->reason, XD_STORE_ERROR_TEXT_MAX);
    return st == XD_OK ? need(err, "reroute.actor", r->actor, ACTOR_MAX) : st;
}

enum xd_status xd_store__endpoint_validate(struct xd_store_op *op)
{
    const struct xd_store_endpoint_update *e = &op->u.endpoint;
    struct xd_error *err = &op->err;
    if (!xd_store_name_valid(e->partner) || !xd_store_name_valid(e->name)) {
        return bad(err, "endpoint", "partner and endpoint names must be valid");
    }
    if (e->action > XD_STORE_ENDPOINT_BREAKER) {
        return bad(err, "endpoint.action", "unknown action");
    }
    if (e->action == XD_STORE_ENDPOINT_DISABLE) {
        enum xd_status st = need(err, "endpoint.reason", e->reason, XD_STORE_ERROR_TEXT_MAX);
        if (st != XD_OK) {
            return st;
        }
    }
    if (e->action == XD_STORE_ENDPOINT_BREAKER &&
        (e->breaker == NULL ||
         (strcmp(e->breaker, "closed") != 0 && strcmp(e->breaker, "open") != 0 &&
          strcmp(e->breaker, "half_open") != 0))) {
        return bad(err, "endpoint.breaker", "must be closed, open or half_open");
    }
    return need(err, "endpoint.actor", e->actor, ACTOR_MAX);
}

/* ------------------------------------------------------------------------------------------ */
/* Audit records */

static enum xd_status oom(struct xd_store__apply *x, enum xd_status st)
{
    return xd_error_set(&x->op->err, st, "building the audit record: %s", xd_strerror(st));
}

static enum xd_status audit_msg(struct xd_store__apply *x, const char *actor, const char *action,
                                const char *id, const char *before, const char *after)
{
    char object[OBJECT_MAX];
    snprintf(object, sizeof object, "outbound:%s", id);
    return xd_store__audit_op(x, actor, action, object, before, after);
}

/* {"seq":..,"partner":..,"endpoint":..,"correlation_id":..,"state":..} plus what the caller adds
 * before json_end. */
static enum xd_status ref_json(struct xd_buf *b, const struct xd_store__outbox_ref *ref)
{
    enum xd_status st = xd_store__json_begin(b);
    if (st == XD_OK) {
        st = xd_store__json_int(b, "seq", ref->seq);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "partner", ref->partner);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "endpoint", ref->endpoint);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "correlation_id",
                                ref->correlation_id[0] ? ref->correlation_id : NULL);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "state", xd_store_outbox_state_name(ref->state));
    }
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Enqueue (alone or inside another operation) */

static enum xd_status enqueue_audit(struct xd_store__apply *x, const struct xd_store_outbound *m,
                                    const char *correlation_id, const char *source,
                                    enum xd_store_outbox_state state, const char *actor)
{
    struct xd_buf *b = &x->s->scratch;
    enum xd_status st = xd_store__json_begin(b);
    if (st == XD_OK) {
        st = xd_store__json_int(b, "seq", m->seq);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "partner", m->partner);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "endpoint", m->endpoint);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "content_type", m->content_type);
    }
    if (st == XD_OK) {
        st = xd_store__json_int(b, "bytes", (int64_t)m->body_len);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "idempotency_key", m->idem_key ? m->idem_key : m->id);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "correlation_id", correlation_id);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "source", source);
    }
    if (st == XD_OK) {
        st = xd_store__json_str(b, "state", xd_store_outbox_state_name(state));
    }
    if (st == XD_OK) {
        st = xd_store__json_end(b);
    }
    return st == XD_OK ? audit_msg(x, actor, "outbox.enqueue", m->id, NULL, b->data) : oom(x, st);
}

enum xd_status xd_store__outbound_write(struct xd_store__apply *x, struct xd_store_outbound *m,
                                        size_t n, const char *correlation_id, const char *source,
                                        const char *actor)
{
    const struct xd_store__backend *be = x->s->be;
    struct xd_error *err = &x->op->err;
    bool disabled = false;
    for (size_t i = 0; i < n; i++) {
        /* Messages of one operation usually go to one endpoint: read its flag once. */
        if (i == 0 || strcmp(m[i].partner, m[i - 1].partner) != 0 ||
            strcmp(m[i].endpoint, m[i - 1].endpoint) != 0) {
            enum xd_status st =
                be->endpoint_disabled(x->s->wconn, m[i].partner, m[i].endpoint, &disabled, err);
            if (st != XD_OK) {
                return xd_store__fail(x, st);
            }
        }
        const char *cid = m[i].correlation_id != NULL ? m[i].correlation_id : correlation_id;
        const char *src = m[i].source != NULL ? m[i].source : source;
        struct xd_store_outbound row = m[i];
        row.correlation_id = cid;
        row.source = src;
        enum xd_store_outbox_state state = disabled ? XD_OUTBOX_DISABLED : XD_OUTBOX_PENDING;
        int64_t now = xd_now_ms();
        enum xd_status st = be->outbox_put(x->s->wconn, &row, cid, state, now, &m[i].seq, err);
        if (st == XD_ECONFLICT) {
            return xd_error_set(err, XD_EINVAL, "outbound message %s is already stored", m[i].id);
        }
        if (st != XD_OK) {
            return xd_store__fail(x, st);
        }
        st = enqueue_audit(x, &m[i], cid, src, state, actor);
        if (st != XD_OK) {
            return st;
        }
        if (state == XD_OUTBOX_PENDING) {
            xd_store__event_add(x->s, XD_STORE_OUTBOX_QUEUE, m[i].partner, m[i].endpoint);
        }
    }
    return XD_OK;
}

enum xd_status xd_store__enqueue_apply(struct xd_store__apply *x)
{
    struct xd_store_outbox_enqueue *q = &x->op->u.enqueue;
    if (q->idem_key != NULL) {
        enum xd_status st = xd_store__idem_check(x, q->idem_scope, q->idem_key);
        if (st != XD_ENOTFOUND) {
            return st;
        }
    }
    enum xd_status st = xd_store__outbound_write(x, q->msgs, q->n_msgs, NULL, NULL, q->actor);
    if (st == XD_OK && q->idem_key != NULL) {
        const char *cid = q->msgs[0].correlation_id != NULL ? q->msgs[0].correlation_id : "";
        st = xd_store__idem_record(x, q->idem_scope, q->idem_key, q->request_hash, q->respond,
                                   q->respond_arg, cid);
    }
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Delivery results and claims */

static enum xd_status settle_audit(struct xd_store__apply *x,
                                   const struct xd_store_outbox_result *r,
                                   const struct xd_store__outbox_ref *ref, const char *actor)
{
    struct xd_buf *b = &x->s->scratch;
    enum xd_status st = ref_json(b, ref);
    if (st == XD_OK && r->http_status != 0) {
        st = xd_store__json_int(b, "http_status", r->http_status);
    }
    if (st == XD_OK && r->outcome == XD_STORE_OUTBOX_DEAD) {
        st = xd_store__json_str(b, "reason", r->reason);
    }
    if (st == XD_OK) {
        st = xd_store__json_end(b);
    }
    if (st != XD_OK) {
        return oom(x, st);
    }
    const char *action =
        r->outcome == XD_STORE_OUTBOX_DELIVERED ? "outbox.delivered" : "outbox.dead";
    return audit_msg(x, actor, action, ref->id, "{\"state\":\"delivering\"}", b->data);
}

enum xd_status xd_store__update_apply(struct xd_store__apply *x)
{
    struct xd_store_outbox_update *u = &x->op->u.outbox;
    const struct xd_store__backend *be = x->s->be;
    struct xd_error *err = &x->op->err;
    u->skipped = 0;
    for (size_t i = 0; i < u->n_results; i++) {
        struct xd_store__outbox_ref ref;
        bool applied = false;
        enum xd_status st = be->outbox_settle(x->s->wconn, &u->results[i], &ref, &applied, err);
        if (st != XD_OK) {
            return xd_store__fail(x, st);
        }
        if (u->applied != NULL) {
            u->applied[i] = applied;
        }
        if (!applied) {
            u->skipped++;
            continue;
        }
        if (u->results[i].outcome != XD_STORE_OUTBOX_RETRY) {
            st = settle_audit(x, &u->results[i], &ref, u->actor);
            if (st != XD_OK) {
                return st;
            }
        }
    }
    for (size_t i = 0; i < u->n_claims; i++) {
        bool applied = false;
        enum xd_status st = be->outbox_claim(x->s->wconn, u->claims[i], u->at_ms, &applied, err);
        if (st != XD_OK) {
            return xd_store__fail(x, st);
        }
        u->skipped += applied ? 0 : 1;
        if (u->applied != NULL) {
            u->applied[u->n_results + i] = applied;
        }
    }
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Replay and re-route: the backend reports each changed message. */

struct changed {
    struct xd_store__apply *x;
    const char *action;
    const char *before;
    const char *extra_name; /* one more member of the after JSON, or NULL */
    const char *extra_value;
    size_t count;
};

static enum xd_status on_changed(void *arg, const struct xd_store__outbox_ref *ref)
{
    struct changed *c = arg;
    struct xd_buf *b = &c->x->s->scratch;
    enum xd_status st = ref_json(b, ref);
    if (st == XD_OK && c->extra_name != NULL) {
        st = xd_store__json_str(b, c->extra_name, c->extra_value);
    }
    if (st == XD_OK) {
        st = xd_store__json_end(b);
    }
    if (st != XD_OK) {
        return oom(c->x, st);
    }
    const char *actor = c->x->op->kind == XD_STORE_OP_OUTBOX_REPLAY ? c->x->op->u.replay.actor
                                                                    : c->x->op->u.reroute.actor;
    st = audit_msg(c->x, actor, c->action, ref->id, c->before, b->data);
    if (st == XD_OK && ref->state == XD_OUTBOX_PENDING) {
        xd_store__event_add(c->x->s, XD_STORE_OUTBOX_QUEUE, ref->partner, ref->endpoint);
    }
    c->count++;
    return st;
}

enum xd_status xd_store__replay_apply(struct xd_store__apply *x)
{
    struct xd_store_outbox_replay *r = &x->op->u.replay;
    const struct xd_store__backend *be = x->s->be;
    struct changed c = {.x = x, .action = "outbox.replay", .before = "{\"state\":\"dead\"}"};
    int64_t now = xd_now_ms();
    r->count = 0;
    r->more = false;
    for (size_t i = 0; i < r->n_ids; i++) {
        size_t before = c.count;
        enum xd_status st =
            be->outbox_replay(x->s->wconn, r->ids[i], NULL, 1, now, on_changed, &c, &x->op->err);
        if (st != XD_OK) {
            return xd_store__fail(x, st);
        }
        if (r->replayed != NULL) {
            r->replayed[i] = c.count > before;
        }
    }
    if (r->n_ids == 0) {
        enum xd_status st = be->outbox_replay(x->s->wconn, NULL, r->all ? NULL : r->partner,
                                              r->limit, now, on_changed, &c, &x->op->err);
        if (st != XD_OK) {
            return xd_store__fail(x, st);
        }
        r->more = c.count == r->limit;
    }
    r->count = c.count;
    return XD_OK;
}

enum xd_status xd_store__reroute_apply(struct xd_store__apply *x)
{
    struct xd_store_outbox_reroute *r = &x->op->u.reroute;
    char from[2 * XD_STORE_NAME_MAX + 2];
    snprintf(from, sizeof from, "%s/%s", r->from_partner, r->from_endpoint);
    struct changed c = {
        .x = x,
        .action = "outbox.reroute",
        .extra_name = "rerouted_from",
        .extra_value = from,
    };
    char before_json[2 * XD_STORE_NAME_MAX + 64];
    snprintf(before_json, sizeof before_json, "{\"partner\":\"%s\",\"endpoint\":\"%s\"}",
             r->from_partner, r->from_endpoint);
    c.before = before_json;
    enum xd_status st = x->s->be->outbox_reroute(x->s->wconn, r, from, on_changed, &c, &x->op->err);
    if (st != XD_OK) {
        return xd_store__fail(x, st);
    }
    r->count = c.count;
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Endpoint state */

static enum xd_status endpoint_audit(struct xd_store__apply *x, const char *action,
                                     const char *before, const char *after)
{
    const struct xd_store_endpoint_update *e = &x->op->u.endpoint;
    char object[2 * XD_STORE_NAME_MAX + 16];
    snprintf(object, sizeof object, "endpoint:%s/%s", e->partner, e->name);
    return xd_store__audit_op(x, e->actor, action, object, before, after);
}

/* DISABLE and ENABLE: flip the flag, move the open messages, audit. */
static enum xd_status endpoint_toggle(struct xd_store__apply *x, struct xd_store_endpoint *row,
                                      int64_t now)
{
    struct xd_store_endpoint_update *e = &x->op->u.endpoint;
    const struct xd_store__backend *be = x->s->be;
    bool disable = e->action == XD_STORE_ENDPOINT_DISABLE;
    if (row->disabled == disable) {
        e->changed = false; /* already so: nothing to audit */
        return XD_OK;
    }
    row->disabled = disable;
    row->disabled_reason = disable ? e->reason : NULL;
    row->disabled_at_ms = disable ? now : 0;
    enum xd_status st = be->endpoint_put(x->s->wconn, row, &x->op->err);
    if (st == XD_OK) {
        st = be->outbox_move(
            x->s->wconn, e->partner, e->name, disable ? XD_OUTBOX_PENDING : XD_OUTBOX_DISABLED,
            disable ? XD_OUTBOX_DISABLED : XD_OUTBOX_PENDING, now, &e->messages, &x->op->err);
    }
    if (st != XD_OK) {
        return xd_store__fail(x, st);
    }
    e->changed = true;
    struct xd_buf *b = &x->s->scratch;
    st = xd_store__json_begin(b);
    if (st == XD_OK) {
        st = xd_store__json_str(b, "state", disable ? "disabled" : "enabled");
    }
    if (st == XD_OK && disable) {
        st = xd_store__json_str(b, "reason", e->reason);
    }
    if (st == XD_OK) {
        st = xd_store__json_int(b, "messages", (int64_t)e->messages);
    }
    if (st == XD_OK) {
        st = xd_store__json_end(b);
    }
    if (st != XD_OK) {
        return oom(x, st);
    }
    st = endpoint_audit(x, disable ? "endpoint.disable" : "endpoint.enable",
                        disable ? "{\"state\":\"enabled\"}" : "{\"state\":\"disabled\"}", b->data);
    if (st == XD_OK) {
        xd_store__event_add(x->s, XD_STORE_OUTBOX_ENDPOINT, e->partner, e->name);
        if (!disable && e->messages > 0) {
            xd_store__event_add(x->s, XD_STORE_OUTBOX_QUEUE, e->partner, e->name);
        }
    }
    return st;
}

static enum xd_status endpoint_breaker(struct xd_store__apply *x, struct xd_store_endpoint *row,
                                       const char *old_state)
{
    struct xd_store_endpoint_update *e = &x->op->u.endpoint;
    row->breaker = e->breaker;
    row->breaker_since_ms = e->breaker_since_ms;
    row->down_since_ms = e->down_since_ms;
    enum xd_status st = x->s->be->endpoint_put(x->s->wconn, row, &x->op->err);
    if (st != XD_OK) {
        return xd_store__fail(x, st);
    }
    e->changed = strcmp(old_state, e->breaker) != 0;
    char before[64];
    snprintf(before, sizeof before, "{\"breaker\":\"%s\"}", old_state);
    struct xd_buf *b = &x->s->scratch;
    st = xd_store__json_begin(b);
    if (st == XD_OK) {
        st = xd_store__json_str(b, "breaker", e->breaker);
    }
    if (st == XD_OK) {
        st = xd_store__json_int(b, "since_ms", e->breaker_since_ms);
    }
    if (st == XD_OK && e->down_since_ms != 0) {
        st = xd_store__json_int(b, "down_since_ms", e->down_since_ms);
    }
    if (st == XD_OK) {
        st = xd_store__json_end(b);
    }
    return st == XD_OK ? endpoint_audit(x, "endpoint.breaker", before, b->data) : oom(x, st);
}

enum xd_status xd_store__endpoint_apply(struct xd_store__apply *x)
{
    struct xd_store_endpoint_update *e = &x->op->u.endpoint;
    struct xd_arena *a = xd_arena_create(1024, (size_t)64 * 1024);
    if (a == NULL) {
        return xd_error_set(&x->op->err, XD_ENOMEM, "endpoint update: out of memory");
    }
    int64_t now = xd_now_ms();
    struct xd_store_endpoint row;
    enum xd_status st =
        x->s->be->endpoint_row(x->s->wconn, e->partner, e->name, a, &row, &x->op->err);
    if (st == XD_ENOTFOUND) {
        row =
            (struct xd_store_endpoint){.partner = e->partner, .name = e->name, .breaker = "closed"};
        st = XD_OK;
    } else if (st != XD_OK) {
        st = xd_store__fail(x, st);
    }
    e->changed = false;
    e->messages = 0;
    if (st == XD_OK) {
        row.updated_at_ms = now;
        const char *old_breaker = row.breaker != NULL ? row.breaker : "closed";
        st = e->action == XD_STORE_ENDPOINT_BREAKER ? endpoint_breaker(x, &row, old_breaker)
                                                    : endpoint_toggle(x, &row, now);
    }
    xd_arena_destroy(a);
    return st;
}
