/* SPDX-License-Identifier: MIT
 * Outbound delivery over the API: the outbox (list, one message, enqueue), the dead-letter
 * queue (list, replay) and endpoints (state with breaker, enable). Reading needs an admin or
 * operator token; enqueueing an admin token; partners see none of it (403). Writes go through
 * the store's writer like every write: the connection is suspended until the commit.
 * Threads: handlers run on libmicrohttpd's pool threads; completion callbacks on the store's
 * writer thread only build the answer and resume the connection. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "deliver/deliver.h"
#include "gateway/gw_int.h"

#define LIST_DEFAULT   100
#define REPLAY_DEFAULT 10000
#define SOURCE_MAX     128

/* ------------------------------------------------------------------------------------------ */
/* Access and parameters */

/* Operators read and act on delivery; enqueueing arbitrary messages to partners is an admin's
 * (it is what flows do). */
static bool allowed(struct xd_gw_request *r, bool admin_only)
{
    const char *role = r->token.role != NULL ? r->token.role : "";
    bool ok = strcmp(role, "admin") == 0 || (!admin_only && strcmp(role, "operator") == 0);
    if (!ok) {
        xd_gw__problem(r, 403, "forbidden", "Forbidden", NULL, "this needs an %s token",
                       admin_only ? "admin" : "admin or operator");
    }
    return ok;
}

static struct xd_deliver *engine(struct xd_gw_request *r)
{
    if (r->gw->opts.deliver == NULL) {
        xd_gw__unavailable(r, "outbound delivery is not running");
    }
    return r->gw->opts.deliver;
}

/* limit and after of a listing; false when an answer (400) is set. */
static bool paging(struct xd_gw_request *r, struct xd_store_outbox_filter *f)
{
    const char *limit = xd_gw__query(r, "limit");
    const char *after = xd_gw__query(r, "after");
    uint64_t n = LIST_DEFAULT;
    uint64_t a = 0;
    if (limit != NULL &&
        (xd_parse_u64(limit, strlen(limit), XD_STORE_LIST_MAX, &n) != XD_OK || n == 0)) {
        xd_gw__problem(r, 400, "invalid-limit", "Bad Request", NULL,
                       "limit must be a whole number from 1 to %d", XD_STORE_LIST_MAX);
        return false;
    }
    if (after != NULL && xd_parse_u64(after, strlen(after), INT64_MAX, &a) != XD_OK) {
        xd_gw__problem(r, 400, "invalid-after", "Bad Request", NULL,
                       "after must be the seq of a message (a whole number)");
        return false;
    }
    f->limit = (size_t)n;
    f->after_seq = (int64_t)a;
    return true;
}

/* A partner or endpoint filter; false when an answer is set. */
static bool name_arg(struct xd_gw_request *r, const char *name, const char **out)
{
    *out = xd_gw__query(r, name);
    if (*out != NULL && !xd_store_name_valid(*out)) {
        xd_gw__problem(r, 400, "invalid-name", "Bad Request", NULL,
                       "%s must be 1-64 of A-Z a-z 0-9 . _ -", name);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Rendering */

static enum xd_status str_member(struct xd_buf *b, const char *name, const char *v, size_t n)
{
    enum xd_status st = xd_buf_printf(b, ",\"%s\":", name);
    if (st != XD_OK || v == NULL) {
        return st == XD_OK ? xd_buf_append_str(b, "null") : st;
    }
    st = xd_buf_append_char(b, '"');
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, v, n);
    }
    return st == XD_OK ? xd_buf_append_char(b, '"') : st;
}

static enum xd_status time_member(struct xd_buf *b, const char *name, int64_t ms)
{
    if (ms == 0) {
        return xd_buf_printf(b, ",\"%s\":null", name);
    }
    char t[XD_TIME_STR_MAX];
    xd_time_format(ms, t, sizeof t);
    return xd_buf_printf(b, ",\"%s\":\"%s\"", name, t);
}

static enum xd_status msg_json(struct xd_buf *b, const struct xd_store_outbox_msg *m,
                               bool with_body)
{
    enum xd_status st = xd_buf_printf(b, "{\"id\":\"%s\",\"seq\":%lld", m->id, (long long)m->seq);
    const struct {
        const char *name;
        const char *v;
    } strs[] = {
        {"partner", m->partner},
        {"endpoint", m->endpoint},
        {"state", xd_store_outbox_state_name(m->state)},
        {"content_type", m->content_type},
        {"idempotency_key", m->idem_key},
        {"correlation_id", m->correlation_id},
        {"source", m->source},
        {"last_error", m->last_error},
        {"dead_reason", m->dead_reason},
        {"rerouted_from", m->rerouted_from},
    };
    for (size_t i = 0; st == XD_OK && i < XD_ARRAY_LEN(strs); i++) {
        st = str_member(b, strs[i].name, strs[i].v, strs[i].v ? strlen(strs[i].v) : 0);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, ",\"attempts\":%d,\"replays\":%d", m->attempts, m->replays);
    }
    if (st == XD_OK) {
        st = m->last_status != 0 ? xd_buf_printf(b, ",\"last_status\":%d", m->last_status)
                                 : xd_buf_append_str(b, ",\"last_status\":null");
    }
    if (st == XD_OK) {
        st = str_member(b, "last_response", m->last_response, m->last_response_len);
    }
    const struct {
        const char *name;
        int64_t v;
    } times[] = {
        {"created_at", m->created_at_ms},
        {"next_attempt_at", m->state == XD_OUTBOX_PENDING ? m->next_attempt_at_ms : 0},
        {"last_attempt_at", m->last_attempt_at_ms},
        {"delivered_at", m->delivered_at_ms},
    };
    for (size_t i = 0; st == XD_OK && i < XD_ARRAY_LEN(times); i++) {
        st = time_member(b, times[i].name, times[i].v);
    }
    if (st == XD_OK && with_body) {
        st = xd_buf_printf(b, ",\"body_bytes\":%zu", m->body_len);
        if (st == XD_OK) {
            st = str_member(b, "body", m->body, m->body_len);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, ",\"links\":{\"self\":\"/v1/outbox/%s\"", m->id);
    }
    if (st == XD_OK && m->correlation_id != NULL) {
        st = xd_buf_append_str(b, ",\"transaction\":\"/v1/transactions/");
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, m->correlation_id, strlen(m->correlation_id));
        }
        if (st == XD_OK) {
            st = xd_buf_append_char(b, '"');
        }
    }
    return st == XD_OK ? xd_buf_append_str(b, "}}") : st;
}

static void list_answer(struct xd_gw_request *r, const struct xd_store_outbox_filter *f)
{
    struct xd_store_outbox_msg *m = NULL;
    size_t n = 0;
    struct xd_error err;
    xd_error_clear(&err);
    if (xd_store_outbox_list(r->gw->store, f, r->arena, &m, &n, &err) != XD_OK) {
        xd_gw__unavailable(r, "the outbox cannot be read right now");
        return;
    }
    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    enum xd_status st = xd_buf_append_str(b, "{\"messages\":[");
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        st = i > 0 ? xd_buf_append_char(b, ',') : XD_OK;
        if (st == XD_OK) {
            st = msg_json(b, &m[i], false);
        }
    }
    if (st == XD_OK) {
        st = n == f->limit ? xd_buf_printf(b, "],\"next_after\":%lld}", (long long)m[n - 1].seq)
                           : xd_buf_append_str(b, "],\"next_after\":null}");
    }
    if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the listing could not be rendered: %s", xd_strerror(st));
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "application/json";
}

/* ------------------------------------------------------------------------------------------ */
/* GET /v1/outbox, /v1/outbox/{id}, /v1/dlq */

void xd_gw__h_outbox_list(struct xd_gw_request *r)
{
    struct xd_store_outbox_filter f = {0};
    if (!allowed(r, false) || !paging(r, &f) || !name_arg(r, "partner", &f.partner) ||
        !name_arg(r, "endpoint", &f.endpoint)) {
        return;
    }
    const char *state = xd_gw__query(r, "state");
    if (state != NULL) {
        if (xd_store_outbox_state_parse(state, &f.state) != XD_OK) {
            xd_gw__problem(r, 400, "invalid-state", "Bad Request", NULL,
                           "state must be pending, delivering, delivered, dead or disabled");
            return;
        }
        f.has_state = true;
    }
    f.correlation_id = xd_gw__query(r, "correlation_id");
    if (f.correlation_id != NULL &&
        (f.correlation_id[0] == '\0' || strlen(f.correlation_id) > XD_CORRELATION_ID_MAX)) {
        xd_gw__problem(r, 400, "invalid-correlation-id", "Bad Request", NULL,
                       "correlation_id must be 1-%d characters", XD_CORRELATION_ID_MAX);
        return;
    }
    list_answer(r, &f);
}

void xd_gw__h_dlq_list(struct xd_gw_request *r)
{
    struct xd_store_outbox_filter f = {.has_state = true, .state = XD_OUTBOX_DEAD};
    if (allowed(r, false) && paging(r, &f) && name_arg(r, "partner", &f.partner) &&
        name_arg(r, "endpoint", &f.endpoint)) {
        list_answer(r, &f);
    }
}

void xd_gw__h_outbox_get(struct xd_gw_request *r)
{
    if (!allowed(r, false)) {
        return;
    }
    struct xd_store_outbox_msg m;
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_store_outbox_get(r->gw->store, r->params[0], r->arena, &m, &err);
    if (st == XD_ENOTFOUND) {
        xd_gw__problem(r, 404, "message-not-found", "Not Found", NULL,
                       "there is no outbound message %s", r->params[0]);
        return;
    }
    if (st != XD_OK) {
        xd_gw__unavailable(r, "the outbox cannot be read right now");
        return;
    }
    xd_buf_reset(&r->resp.body);
    if (msg_json(&r->resp.body, &m, true) != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the message could not be rendered");
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "application/json";
}

/* ------------------------------------------------------------------------------------------ */
/* POST /v1/outbox */

struct enqueue_ctx {
    struct xd_gw_request *r;
    struct xd_store_outbound msg;
};

/* The 201 body: a pure function of what the store recorded, so a replay gets the same bytes. */
static enum xd_status created_body(const struct enqueue_ctx *c, struct xd_buf *b)
{
    const struct xd_store_outbound *m = &c->msg;
    enum xd_status st = xd_buf_printf(b, "{\"id\":\"%s\",\"seq\":%lld", m->id, (long long)m->seq);
    if (st == XD_OK) {
        st = str_member(b, "partner", m->partner, strlen(m->partner));
    }
    if (st == XD_OK) {
        st = str_member(b, "endpoint", m->endpoint, strlen(m->endpoint));
    }
    if (st == XD_OK) {
        const char *key = m->idem_key != NULL ? m->idem_key : m->id;
        st = str_member(b, "idempotency_key", key, strlen(key));
    }
    if (st == XD_OK) {
        st = str_member(b, "correlation_id", m->correlation_id,
                        m->correlation_id ? strlen(m->correlation_id) : 0);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, ",\"links\":{\"self\":\"/v1/outbox/%s\"}}", m->id);
    }
    return st;
}

static enum xd_status enqueue_respond(void *arg, const char *correlation_id, int *http_status,
                                      struct xd_buf *body)
{
    (void)correlation_id;
    *http_status = 201;
    return created_body(arg, body);
}

static void enqueue_done(struct xd_store_op *op, void *arg)
{
    struct enqueue_ctx *c = arg;
    struct xd_gw_request *r = c->r;
    switch (op->status) {
    case XD_OK:
        xd_buf_reset(&r->resp.body);
        if (created_body(c, &r->resp.body) != XD_OK) {
            xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                           "the message was stored but the answer could not be built");
            break;
        }
        r->resp.status = 201;
        r->resp.content_type = "application/json";
        char *loc = xd_arena_printf(r->arena, "/v1/outbox/%s", c->msg.id);
        if (loc != NULL) {
            xd_gw__add_header(r, "Location", loc);
        }
        break;
    case XD_EEXIST:
        xd_gw__idem_replay(r, op->u.enqueue.request_hash, op->idem_request_hash,
                           op->idem_http_status, op->idem_body, op->idem_body_len);
        break;
    case XD_EUNAVAIL:
    case XD_EAGAIN:
    case XD_ECLOSED:
        xd_gw__unavailable(r, "the message could not be stored durably; nothing was kept, "
                              "retry later");
        break;
    default:
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "store: %s",
                       op->err.message[0] ? op->err.message : xd_strerror(op->status));
        break;
    }
    xd_gw__complete(r);
}

/* A string member of the request copied into the arena, or NULL; false (with a diagnostic)
 * when it is not a string. */
static bool opt_string(struct xd_gw_request *r, json_t *o, const char *name, const char **out,
                       struct xd_diags *d)
{
    json_t *v = json_object_get(o, name);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return true;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        char path[64];
        snprintf(path, sizeof path, "$.%s", name);
        xd_diags_add(d, "type", path, "must be a string");
        return false;
    }
    *out = xd_arena_strndup(r->arena, json_string_value(v), json_string_length(v));
    if (*out == NULL) {
        xd_diags_add(d, "memory", "$", "out of memory");
        return false;
    }
    return true;
}

static const char *const enqueue_members[] = {
    "partner", "endpoint", "content_type", "body", "idempotency_key", "correlation_id", "source",
};

/* Read the request into c->msg (strings in the request arena); problems into <d>. */
static void enqueue_read(struct xd_gw_request *r, json_t *o, struct enqueue_ctx *c,
                         struct xd_diags *d)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < XD_ARRAY_LEN(enqueue_members); i++) {
            known |= strcmp(key, enqueue_members[i]) == 0;
        }
        if (!known) {
            char path[96];
            snprintf(path, sizeof path, "$.%.64s", key);
            xd_diags_add(d, "unknown", path, "is not a member of an outbound message");
        }
    }
    const char *partner, *endpoint, *ctype, *idem, *cid, *source;
    opt_string(r, o, "partner", &partner, d);
    opt_string(r, o, "endpoint", &endpoint, d);
    opt_string(r, o, "content_type", &ctype, d);
    opt_string(r, o, "idempotency_key", &idem, d);
    opt_string(r, o, "correlation_id", &cid, d);
    opt_string(r, o, "source", &source, d);
    if (!xd_store_name_valid(partner)) {
        xd_diags_add(d, "required", "$.partner", "1-64 of A-Z a-z 0-9 . _ -");
    }
    if (!xd_store_name_valid(endpoint)) {
        xd_diags_add(d, "required", "$.endpoint", "1-64 of A-Z a-z 0-9 . _ -");
    }
    json_t *body = json_object_get(o, "body");
    char *bytes = NULL;
    if (json_is_string(body)) {
        bytes = xd_arena_strndup(r->arena, json_string_value(body), json_string_length(body));
        c->msg.body_len = json_string_length(body);
        if (ctype == NULL) {
            xd_diags_add(d, "required", "$.content_type", "a string body needs its content type");
        }
    } else if (json_is_object(body) || json_is_array(body)) {
        char *text = json_dumps(body, JSON_COMPACT);
        bytes = text != NULL ? xd_arena_strdup(r->arena, text) : NULL;
        c->msg.body_len = bytes != NULL ? strlen(bytes) : 0;
        free(text);
        ctype = ctype != NULL ? ctype : "application/json";
    } else {
        xd_diags_add(d, "required", "$.body", "a string, or a JSON object or array");
    }
    if (body != NULL && bytes == NULL &&
        (json_is_string(body) || json_is_object(body) || json_is_array(body))) {
        xd_diags_add(d, "memory", "$.body", "out of memory");
    }
    c->msg.partner = partner;
    c->msg.endpoint = endpoint;
    c->msg.content_type = ctype;
    c->msg.body = bytes;
    c->msg.idem_key = idem;
    c->msg.correlation_id = cid != NULL ? cid
                                        : (r->caller_correlation_id && r->caller_correlation_id[0]
                                               ? r->caller_correlation_id
                                               : NULL);
    c->msg.source =
        source != NULL ? source : xd_arena_printf(r->arena, "api:%.100s", r->token.name);
}

/* Parse and check the request; false when an answer is set. */
static bool enqueue_parse(struct xd_gw_request *r, struct xd_deliver *dl, struct enqueue_ctx *c)
{
    json_error_t je;
    json_t *o =
        json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        xd_gw__problem(r, 400, "malformed-json", "Bad Request", NULL,
                       "the body must be a JSON object (line %d: %s)", je.line,
                       o == NULL ? je.text : "not an object");
        json_decref(o);
        return false;
    }
    struct xd_diags d;
    xd_diags_init(&d, 20);
    enqueue_read(r, o, c, &d);
    json_decref(o);
    /* What the store checks besides (key and content type characters, lengths) comes back
     * from xd_store_submit as XD_EINVAL and is answered 422 too. */
    bool ok = xd_diags_total(&d) == 0;
    if (!ok) {
        xd_gw__problem(r, 422, "invalid-outbound-message", "Unprocessable Content", &d,
                       "the message has %zu problem(s)", xd_diags_total(&d));
    } else if (!xd_deliver_endpoint_exists(dl, c->msg.partner, c->msg.endpoint)) {
        xd_gw__problem(r, 422, "unknown-endpoint", "Unprocessable Content", NULL,
                       "no endpoint %s/%s is configured", c->msg.partner, c->msg.endpoint);
        ok = false;
    }
    xd_diags_cleanup(&d);
    return ok;
}

void xd_gw__h_outbox_post(struct xd_gw_request *r)
{
    struct xd_deliver *dl = NULL;
    if (!allowed(r, true) || (dl = engine(r)) == NULL) {
        return;
    }
    r->op.kind = XD_STORE_OP_OUTBOX_ENQUEUE;
    struct xd_store_outbox_enqueue *q = &r->op.u.enqueue;
    const char *idem_key = NULL;
    if (!xd_gw__idem_begin(r, &idem_key, q->request_hash)) {
        return;
    }
    struct enqueue_ctx *c = xd_arena_calloc(r->arena, 1, sizeof *c);
    if (c == NULL || xd_id_new(c->msg.id) != XD_OK) {
        xd_gw__unavailable(r, "out of memory");
        return;
    }
    c->r = r;
    if (!enqueue_parse(r, dl, c)) {
        return;
    }
    q->msgs = &c->msg;
    q->n_msgs = 1;
    q->actor = r->token.name;
    if (idem_key != NULL) {
        q->idem_scope = r->token.id;
        q->idem_key = idem_key;
        q->respond = enqueue_respond;
        q->respond_arg = c;
    }
    r->op.done = enqueue_done;
    r->op.done_arg = c;
    xd_gw__suspend(r);
    enum xd_status st = xd_store_submit(r->gw->store, &r->op);
    if (st != XD_OK) {
        if (st == XD_EINVAL) {
            xd_gw__problem(r, 422, "invalid-outbound-message", "Unprocessable Content", NULL, "%s",
                           r->op.err.message);
        } else {
            xd_gw__unavailable(r, st == XD_EAGAIN ? "too many writes waiting to be stored"
                                                  : "the store is not accepting writes right now");
        }
        xd_gw__complete(r);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* POST /v1/dlq/replay */

static void replay_done(struct xd_store_op *op, void *arg)
{
    struct xd_gw_request *r = arg;
    const struct xd_store_outbox_replay *p = &op->u.replay;
    if (op->status != XD_OK) {
        if (op->status == XD_EUNAVAIL || op->status == XD_EAGAIN || op->status == XD_ECLOSED) {
            xd_gw__unavailable(r, "the replay could not be stored; nothing was replayed");
        } else {
            xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "store: %s",
                           op->err.message);
        }
        xd_gw__complete(r);
        return;
    }
    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    enum xd_status st = xd_buf_printf(b, "{\"replayed\":%zu,\"more\":%s,\"not_dead\":[", p->count,
                                      p->more ? "true" : "false");
    bool first = true;
    for (size_t i = 0; st == XD_OK && i < p->n_ids; i++) {
        if (!p->replayed[i]) {
            st = xd_buf_printf(b, "%s\"%s\"", first ? "" : ",", p->ids[i]);
            first = false;
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "]}");
    }
    if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the answer could not be built");
    } else {
        r->resp.status = 200;
        r->resp.content_type = "application/json";
    }
    xd_gw__complete(r);
}

/* Fill the replay op from {"ids":[...]} | {"partner":"p"} | {"all":true} (+ "limit"). */
static bool replay_parse(struct xd_gw_request *r, json_t *o, struct xd_store_outbox_replay *p)
{
    json_t *ids = json_object_get(o, "ids");
    json_t *partner = json_object_get(o, "partner");
    json_t *all = json_object_get(o, "all");
    json_t *limit = json_object_get(o, "limit");
    int selectors = (ids != NULL) + (partner != NULL) + (all != NULL);
    size_t members = (size_t)selectors + (limit != NULL);
    if (selectors != 1 || json_object_size(o) != members || (all != NULL && !json_is_true(all))) {
        xd_gw__problem(r, 400, "invalid-replay", "Bad Request", NULL,
                       "send exactly one of {\"ids\":[...]}, {\"partner\":\"P\"} or "
                       "{\"all\":true}, optionally with \"limit\"");
        return false;
    }
    uint64_t lim = REPLAY_DEFAULT;
    if (limit != NULL) {
        if (!json_is_integer(limit) || json_integer_value(limit) < 1 ||
            json_integer_value(limit) > XD_STORE_REPLAY_MAX) {
            xd_gw__problem(r, 400, "invalid-limit", "Bad Request", NULL, "limit must be 1 to %d",
                           XD_STORE_REPLAY_MAX);
            return false;
        }
        lim = (uint64_t)json_integer_value(limit);
    }
    p->limit = (size_t)lim;
    p->all = all != NULL;
    if (partner != NULL) {
        if (!json_is_string(partner) || !xd_store_name_valid(json_string_value(partner))) {
            xd_gw__problem(r, 400, "invalid-replay", "Bad Request", NULL,
                           "partner must be a partner name");
            return false;
        }
        p->partner = xd_arena_strdup(r->arena, json_string_value(partner));
    }
    if (ids != NULL) {
        size_t n = json_array_size(ids);
        if (!json_is_array(ids) || n == 0 || n > XD_STORE_OUTBOUND_MAX) {
            xd_gw__problem(r, 400, "invalid-replay", "Bad Request", NULL,
                           "ids must be a list of 1 to %d message ids", XD_STORE_OUTBOUND_MAX);
            return false;
        }
        const char **list = xd_arena_calloc(r->arena, n, sizeof *list);
        p->replayed = xd_arena_calloc(r->arena, n, sizeof *p->replayed);
        for (size_t i = 0; list != NULL && i < n; i++) {
            const char *id = json_string_value(json_array_get(ids, i));
            if (id == NULL || !xd_id_valid(id, strlen(id))) {
                xd_gw__problem(r, 400, "invalid-replay", "Bad Request", NULL,
                               "ids[%zu] is not a message id", i);
                return false;
            }
            list[i] = xd_arena_strdup(r->arena, id);
        }
        p->ids = list;
        p->n_ids = n;
    }
    return true;
}

void xd_gw__h_dlq_replay(struct xd_gw_request *r)
{
    if (!allowed(r, false)) {
        return;
    }
    json_error_t je;
    json_t *o =
        json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
    r->op.kind = XD_STORE_OP_OUTBOX_REPLAY;
    struct xd_store_outbox_replay *p = &r->op.u.replay;
    bool ok = json_is_object(o) && replay_parse(r, o, p);
    if (!json_is_object(o)) {
        xd_gw__problem(r, 400, "malformed-json", "Bad Request", NULL,
                       "the body must be a JSON object");
    }
    json_decref(o);
    if (!ok) {
        return;
    }
    p->actor = r->token.name;
    r->op.done = replay_done;
    r->op.done_arg = r;
    xd_gw__suspend(r);
    if (xd_store_submit(r->gw->store, &r->op) != XD_OK) {
        xd_gw__unavailable(r, "the store is not accepting writes right now");
        xd_gw__complete(r);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* GET /v1/endpoints, POST /v1/endpoints/{partner}/{name}/enable */

static enum xd_status endpoint_json(struct xd_buf *b, const struct xd_deliver_endpoint_status *e,
                                    const struct xd_store_outbox_depth *depths, size_t n_depths)
{
    int64_t q[XD_OUTBOX_STATE_COUNT] = {0};
    for (size_t i = 0; i < n_depths; i++) {
        if (strcmp(depths[i].partner, e->partner) == 0 &&
            strcmp(depths[i].endpoint, e->name) == 0) {
            q[depths[i].state] += depths[i].count;
        }
    }
    enum xd_status st = xd_buf_printf(b, "{\"partner\":\"%s\",\"name\":\"%s\",\"configured\":%s",
                                      e->partner, e->name, e->configured ? "true" : "false");
    if (st == XD_OK) {
        st = xd_buf_printf(b, ",\"kind\":\"%s\",\"ordered\":%s,\"max_in_flight\":%u",
                           xd_deliver_kind_name(e->kind), e->ordered ? "true" : "false",
                           e->max_in_flight);
    }
    if (st == XD_OK) {
        st = str_member(b, "target", e->target, e->target ? strlen(e->target) : 0);
    }
    if (st == XD_OK) {
        st = str_member(b, "config_error", e->config_error,
                        e->config_error ? strlen(e->config_error) : 0);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, ",\"state\":\"%s\"", e->disabled ? "disabled" : "enabled");
    }
    if (st == XD_OK) {
        st = str_member(b, "disabled_reason", e->disabled_reason,
                        e->disabled_reason ? strlen(e->disabled_reason) : 0);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, ",\"breaker\":{\"state\":\"%s\",\"consecutive_failures\":%u",
                           xd_deliver_breaker_name(e->breaker), (unsigned)e->consecutive_failures);
    }
    if (st == XD_OK) {
        st = time_member(b, "since", e->breaker_since_ms);
    }
    if (st == XD_OK) {
        st = time_member(b, "down_since", e->down_since_ms);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(
            b,
            ",\"transitions\":{\"open\":%llu,\"half_open\":%llu,\"closed\":%llu}},"
            "\"in_flight\":%zu,\"attempts\":{\"delivered\":%llu,\"retried\":%llu,\"dead\":%llu},"
            "\"queue\":{\"pending\":%lld,\"delivering\":%lld,\"disabled\":%lld,\"dead\":%lld}",
            (unsigned long long)e->transitions[XD_DELIVER_BREAKER_OPEN],
            (unsigned long long)e->transitions[XD_DELIVER_BREAKER_HALF_OPEN],
            (unsigned long long)e->transitions[XD_DELIVER_BREAKER_CLOSED], e->in_flight,
            (unsigned long long)e->delivered, (unsigned long long)e->retried,
            (unsigned long long)e->dead, (long long)q[XD_OUTBOX_PENDING],
            (long long)q[XD_OUTBOX_DELIVERING], (long long)q[XD_OUTBOX_DISABLED],
            (long long)q[XD_OUTBOX_DEAD]);
    }
    if (st == XD_OK && e->alternate_partner != NULL) {
        st = xd_buf_printf(b,
                           ",\"failover\":{\"alternate\":\"%s/%s\",\"active\":%s,\"rerouted\":"
                           "%llu}",
                           e->alternate_partner, e->alternate_endpoint,
                           e->failover_active ? "true" : "false", (unsigned long long)e->rerouted);
    } else if (st == XD_OK) {
        st = xd_buf_append_str(b, ",\"failover\":null");
    }
    return st == XD_OK ? xd_buf_append_char(b, '}') : st;
}

void xd_gw__h_endpoints_list(struct xd_gw_request *r)
{
    struct xd_deliver *dl = NULL;
    if (!allowed(r, false) || (dl = engine(r)) == NULL) {
        return;
    }
    struct xd_deliver_endpoint_status *eps = NULL;
    struct xd_store_outbox_depth *depths = NULL;
    size_t n = 0;
    size_t n_depths = 0;
    struct xd_error err;
    xd_error_clear(&err);
    if (xd_deliver_endpoints(dl, r->arena, &eps, &n, &err) != XD_OK ||
        xd_store_outbox_depths(r->gw->store, r->arena, &depths, &n_depths, &err) != XD_OK) {
        xd_gw__unavailable(r, "the endpoints cannot be read right now");
        return;
    }
    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    enum xd_status st = xd_buf_append_str(b, "{\"endpoints\":[");
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        st = i > 0 ? xd_buf_append_char(b, ',') : XD_OK;
        if (st == XD_OK) {
            st = endpoint_json(b, &eps[i], depths, n_depths);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "]}");
    }
    if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the endpoints could not be rendered");
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "application/json";
}

static void enable_done(struct xd_store_op *op, void *arg)
{
    struct xd_gw_request *r = arg;
    const struct xd_store_endpoint_update *e = &op->u.endpoint;
    if (op->status == XD_OK) {
        char body[256];
        int n = snprintf(body, sizeof body,
                         "{\"partner\":\"%s\",\"name\":\"%s\",\"state\":\"enabled\","
                         "\"changed\":%s,\"messages\":%zu}",
                         e->partner, e->name, e->changed ? "true" : "false", e->messages);
        xd_gw__json(r, 200, body, (size_t)n);
    } else if (op->status == XD_EUNAVAIL || op->status == XD_EAGAIN || op->status == XD_ECLOSED) {
        xd_gw__unavailable(r, "the endpoint's state could not be stored; nothing changed");
    } else {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "store: %s",
                       op->err.message);
    }
    xd_gw__complete(r);
}

void xd_gw__h_endpoint_enable(struct xd_gw_request *r)
{
    struct xd_deliver *dl = NULL;
    if (!allowed(r, false) || (dl = engine(r)) == NULL) {
        return;
    }
    const char *partner = r->params[0];
    const char *name = r->params[1];
    struct xd_store_endpoint row;
    struct xd_error err;
    xd_error_clear(&err);
    bool known =
        xd_store_name_valid(partner) && xd_store_name_valid(name) &&
        (xd_deliver_endpoint_exists(dl, partner, name) ||
         xd_store_endpoint_get(r->gw->store, partner, name, r->arena, &row, &err) == XD_OK);
    if (!known) {
        xd_gw__problem(r, 404, "endpoint-not-found", "Not Found", NULL,
                       "there is no endpoint %s/%s", partner, name);
        return;
    }
    r->op.kind = XD_STORE_OP_ENDPOINT_UPDATE;
    r->op.u.endpoint = (struct xd_store_endpoint_update){
        .partner = partner,
        .name = name,
        .action = XD_STORE_ENDPOINT_ENABLE,
        .actor = r->token.name,
    };
    r->op.done = enable_done;
    r->op.done_arg = r;
    xd_gw__suspend(r);
    if (xd_store_submit(r->gw->store, &r->op) != XD_OK) {
        xd_gw__unavailable(r, "the store is not accepting writes right now");
        xd_gw__complete(r);
    }
}
