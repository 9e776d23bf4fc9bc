/* SPDX-License-Identifier: MIT
 * POST /v1/documents, GET /v1/documents/{id}, GET /v1/transactions/{correlation_id}.
 *
 * A posted document is decoded and validated (every problem reported with its JSON path),
 * stamped with its id and source, then handed to the store's writer; the answer goes out only
 * after the commit. With an Idempotency-Key the store keeps the answer, so a retry gets the
 * same status and body, a different body under the same key gets 422 and a retry while the
 * first is still in flight gets 409. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "canon/canon.h"
#include "flow/flow.h"
#include "gateway/gw_int.h"

#define THREAD_LIST_DEFAULT 1000
#define THREAD_LIST_MAX     10000

/* Everything the writer-thread callbacks need, in the request arena. */
struct post_ctx {
    struct xd_gw_request *r;
    const char *type_name;
    char received_at[XD_TIME_STR_MAX];
    struct xd_canon_key keys[XD_STORE_KEY_MAX];
    size_t n_keys;
};

/* The 201 body; a pure function of what the store recorded, so the copy kept for idempotent
 * replays and the live answer are the same bytes. */
static enum xd_status created_body(const struct post_ctx *c, const char *correlation_id,
                                   struct xd_buf *b)
{
    const struct xd_store_ingest *in = &c->r->op.u.ingest;
    enum xd_status st =
        xd_buf_append_strs(b, "{\"id\":\"", in->id, "\",\"correlation_id\":\"", NULL);
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, correlation_id, strlen(correlation_id));
    }
    if (st == XD_OK) {
        st = xd_buf_append_strs(b, "\",\"type\":\"", c->type_name, "\",\"received_at\":\"",
                                c->received_at, "\",\"keys\":[", NULL);
    }
    for (size_t i = 0; st == XD_OK && i < c->n_keys; i++) {
        st = xd_buf_append_strs(b, i ? ",{\"name\":\"" : "{\"name\":\"", c->keys[i].name,
                                "\",\"value\":\"", NULL);
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, c->keys[i].value, strlen(c->keys[i].value));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\"}");
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_strs(b, "],\"links\":{\"self\":\"/v1/documents/", in->id,
                                "\",\"transaction\":\"/v1/transactions/", NULL);
    }
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, correlation_id, strlen(correlation_id));
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "\"}}");
    }
    return st;
}

static enum xd_status respond_stored(void *arg, const char *correlation_id, int *http_status,
                                     struct xd_buf *body)
{
    *http_status = 201;
    return created_body(arg, correlation_id, body);
}

static void answer_created(struct xd_gw_request *r, const struct post_ctx *c,
                           const char *correlation_id)
{
    xd_buf_reset(&r->resp.body);
    if (created_body(c, correlation_id, &r->resp.body) != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the document was stored but the answer could not be built");
        return;
    }
    r->resp.status = 201;
    r->resp.content_type = "application/json";
    char *loc = xd_arena_printf(r->arena, "/v1/documents/%s", r->op.u.ingest.id);
    if (loc != NULL) {
        xd_gw__add_header(r, "Location", loc);
    }
    if (r->caller_correlation_id == NULL || r->caller_correlation_id[0] == '\0') {
        char *cid = xd_arena_strdup(r->arena, correlation_id);
        if (cid != NULL) {
            xd_gw__add_header(r, "X-Correlation-ID", cid);
        }
    }
}

/* Pool thread, once the ingest committed or failed: the answer. */
static void ingest_answer(struct xd_gw_request *r)
{
    const struct post_ctx *c = r->resume_arg;
    const struct xd_store_op *op = &r->op;
    switch (op->status) {
    case XD_OK:
        answer_created(r, c, op->u.ingest.correlation_id);
        break;
    case XD_EEXIST:
        xd_gw__idem_replay(r, op->u.ingest.request_hash, op->idem_request_hash,
                           op->idem_http_status, op->idem_body, op->idem_body_len);
        break;
    case XD_EUNAVAIL:
    case XD_EAGAIN:
    case XD_ECLOSED:
        xd_gw__unavailable(r, "the document could not be stored durably; nothing was kept, "
                              "retry later");
        break;
    default:
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "store: %s",
                       op->err.message[0] ? op->err.message : xd_strerror(op->status));
        break;
    }
}

/* Writer thread: nothing but the wake-up, the writer serves everyone. */
static void ingest_done(struct xd_store_op *op, void *arg)
{
    (void)op;
    const struct post_ctx *c = arg;
    xd_gw__wake(c->r);
}

/* Decode and validate; on failure the problem response is set. */
static struct xd_canon_doc *decode_document(struct xd_gw_request *r)
{
    struct xd_diags diags;
    xd_diags_init(&diags, 100);
    struct xd_canon_doc *doc = NULL;
    enum xd_status st =
        xd_canon_decode(r->body.data ? r->body.data : "", r->body.len, r->arena, &doc, &diags);
    switch (st) {
    case XD_OK:
        break;
    case XD_EPARSE:
        xd_gw__problem(r, 400, "malformed-json", "Bad Request", &diags,
                       "the body is not well-formed JSON");
        break;
    case XD_ETOOBIG:
        xd_gw__problem(r, 400, "too-deep", "Bad Request", &diags,
                       "the body nests deeper than %d levels", XD_CANON_MAX_DEPTH);
        break;
    case XD_ENOTFOUND:
        xd_gw__problem(r, 422, "unknown-document-type", "Unprocessable Content", &diags,
                       "the document's type is missing or unknown (see /v1/schemas)");
        break;
    case XD_EINVALDOC:
        xd_gw__problem(r, 422, "invalid-document", "Unprocessable Content", &diags,
                       "the document has %zu problem(s)", xd_diags_total(&diags));
        break;
    default:
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "decode: %s",
                       xd_strerror(st));
        break;
    }
    xd_diags_cleanup(&diags);
    return st == XD_OK ? doc : NULL;
}

/* Check the headers that shape the request; false when an error answer is set. */
static bool post_headers(struct xd_gw_request *r, const char **idem_key)
{
    if (r->caller_correlation_id != NULL && r->caller_correlation_id[0] == '\0') {
        xd_gw__problem(r, 400, "invalid-correlation-id", "Bad Request", NULL,
                       "X-Correlation-ID must be 1-%d characters of A-Z a-z 0-9 . _ : -",
                       XD_CORRELATION_ID_MAX);
        return false;
    }
    /* The ingest checks the key in its transaction: no look-up here on the way to the store. */
    return xd_gw__idem_claim_key(r, idem_key, r->op.u.ingest.request_hash);
}

void xd_gw__h_document_post(struct xd_gw_request *r)
{
    const char *idem_key = NULL;
    if (!post_headers(r, &idem_key)) {
        return;
    }
    struct xd_canon_doc *doc = decode_document(r);
    if (doc == NULL) {
        /* A retry of a stored request is answered as stored even if the body would not pass
         * today, and a key used before for another body says so rather than why this one
         * fails. */
        (void)xd_gw__idem_answer_stored(r, idem_key, r->op.u.ingest.request_hash);
        return;
    }
    struct post_ctx *c = xd_arena_calloc(r->arena, 1, sizeof *c);
    if (c == NULL) {
        xd_gw__unavailable(r, "out of memory");
        return;
    }
    c->r = r;
    c->type_name = xd_canon_type_name(doc->type);
    struct xd_store_ingest *in = &r->op.u.ingest;
    int64_t now = xd_now_ms();
    xd_time_format(now, c->received_at, sizeof c->received_at);
    if (xd_id_new(in->id) != XD_OK) {
        xd_gw__unavailable(r, "no randomness available for an id");
        return;
    }
    struct xd_diags diags;
    xd_diags_init(&diags, 20);
    struct xd_buf stored;
    xd_buf_init(&stored, r->gw->opts.max_body_bytes * 4 + 4096);
    const char *hint = NULL;
    enum xd_status st = xd_gw__doc_stamp(r, doc, in->id, c->received_at, &hint, &stored, &diags);
    if (st != XD_OK) {
        if (st == XD_EINVALDOC) {
            xd_gw__problem(r, 422, "invalid-document", "Unprocessable Content", &diags,
                           "the document has %zu problem(s)", xd_diags_total(&diags));
            (void)xd_gw__idem_answer_stored(r, idem_key, r->op.u.ingest.request_hash);
        } else {
            xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                           "the document could not be encoded: %s", xd_strerror(st));
        }
        xd_diags_cleanup(&diags);
        xd_buf_cleanup(&stored);
        return;
    }
    xd_diags_cleanup(&diags);
    size_t total = 0;
    c->n_keys = xd_canon_keys(doc, c->keys, XD_STORE_KEY_MAX, &total);
    struct xd_store_key *keys = xd_arena_calloc(r->arena, c->n_keys + 1, sizeof *keys);
    char *body = xd_arena_memdup(r->arena, stored.data ? stored.data : "", stored.len + 1);
    size_t body_len = stored.len;
    xd_buf_cleanup(&stored);
    if (keys == NULL || body == NULL) {
        xd_gw__unavailable(r, "out of memory");
        return;
    }
    if (total > XD_STORE_KEY_MAX) {
        XD_LOG_WARN("http", NULL, "document %s has %zu business keys; the first %d correlate",
                    in->id, total, XD_STORE_KEY_MAX);
    }
    for (size_t i = 0; i < c->n_keys; i++) {
        keys[i].name = c->keys[i].name;
        keys[i].value = c->keys[i].value;
    }
    r->op.kind = XD_STORE_OP_INGEST;
    in->doc_type = c->type_name;
    in->partner = r->token.partner ? r->token.partner : r->token.name;
    in->channel = "http";
    in->format = "json";
    in->content_type = "application/json";
    in->body = body;
    in->body_len = body_len;
    /* The raw bytes are journaled only when they differ from the canonical form. */
    bool same = r->body.len == body_len && memcmp(r->body.data, body, body_len) == 0;
    in->raw = same ? NULL : r->body.data;
    in->raw_len = same ? 0 : r->body.len;
    in->keys = keys;
    in->n_keys = c->n_keys;
    in->correlation_hint = r->caller_correlation_id ? r->caller_correlation_id : hint;
    in->trace_id = r->trace_id;
    in->received_at_ms = now;
    in->actor = r->token.name;
    if (idem_key != NULL) {
        in->idem_scope = r->token.id;
        in->idem_key = idem_key;
        in->respond = respond_stored;
        in->respond_arg = c;
    }
    r->op.done = ingest_done;
    r->op.done_arg = c;
    r->resume = ingest_answer;
    r->resume_arg = c;
    xd_gw__suspend(r);
    st = xd_store_submit(r->gw->store, &r->op);
    if (st != XD_OK) {
        /* Not queued: done will not run, so answer here and resume ourselves. XD_EINVAL means
         * the gateway built an operation the store refuses: our bug, not the caller's. */
        if (st == XD_EINVAL) {
            xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "store refused: %s",
                           r->op.err.message);
        } else {
            xd_gw__unavailable(r, st == XD_EAGAIN ? "too many documents waiting to be stored"
                                                  : "the store is not accepting writes right now");
        }
        xd_gw__complete(r);
    }
}

/* Whether the read of document r->params[0] (<st>, <err>; sent by <partner>) may be answered;
 * if not, the answer is made: 404, 500 for a damaged row, 503, or 403 to another partner. */
static bool doc_readable(struct xd_gw_request *r, enum xd_status st, const struct xd_error *err,
                         const char *partner)
{
    if (st == XD_ENOTFOUND) {
        xd_gw__problem(r, 404, "document-not-found", "Not Found", NULL, "there is no document %s",
                       r->params[0]);
        return false;
    }
    if (st == XD_ECORRUPT) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "%s", err->message);
        return false;
    }
    if (st != XD_OK) {
        xd_gw__unavailable(r, "the document cannot be read right now");
        return false;
    }
    /* A partner sees what it sent, nothing of another partner's. */
    if (r->token.partner != NULL && strcmp(partner, r->token.partner) != 0) {
        xd_gw__problem(r, 403, "forbidden", "Forbidden", NULL, "document %s is not partner %s's",
                       r->params[0], r->token.partner);
        return false;
    }
    return true;
}

void xd_gw__h_document_get(struct xd_gw_request *r)
{
    struct xd_store_doc d = {0};
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_store_doc_get(r->gw->store, r->params[0], r->arena, &d, &err);
    if (!doc_readable(r, st, &err, d.partner)) {
        return;
    }
    xd_buf_reset(&r->resp.body);
    if (xd_gw__doc_render(r, &d, &r->resp.body) != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the stored document could not be rendered");
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "application/json";
}

/* A stored content type goes back as it came unless it cannot be a header value. */
static const char *raw_content_type(const char *type)
{
    if (type == NULL || type[0] == '\0') {
        return "application/octet-stream";
    }
    for (const char *p = type; *p != '\0'; p++) {
        if (*p < 0x20 || *p > 0x7e) {
            return "application/octet-stream";
        }
    }
    return type;
}

void xd_gw__h_document_raw(struct xd_gw_request *r)
{
    struct xd_store_raw raw = {0};
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_store_doc_raw(r->gw->store, r->params[0], r->arena, &raw, &err);
    if (!doc_readable(r, st, &err, raw.partner)) {
        return;
    }
    xd_buf_reset(&r->resp.body);
    if (xd_buf_append(&r->resp.body, raw.bytes, raw.len) != XD_OK) {
        xd_gw__unavailable(r, "out of memory");
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = raw_content_type(raw.content_type);
}

static size_t query_limit(struct xd_gw_request *r, bool *bad)
{
    const char *v = xd_gw__query(r, "limit");
    uint64_t n = THREAD_LIST_DEFAULT;
    *bad = false;
    if (v != NULL && (xd_parse_u64(v, strlen(v), THREAD_LIST_MAX, &n) != XD_OK || n == 0)) {
        *bad = true;
    }
    return (size_t)n;
}

void xd_gw__h_transaction_get(struct xd_gw_request *r)
{
    bool bad;
    size_t limit = query_limit(r, &bad);
    if (bad) {
        xd_gw__problem(r, 400, "invalid-limit", "Bad Request", NULL,
                       "limit must be a whole number from 1 to %d", THREAD_LIST_MAX);
        return;
    }
    struct xd_store_doc *docs = NULL;
    size_t n = 0;
    struct xd_error err;
    xd_error_clear(&err);
    const char *cid = r->params[0];
    enum xd_status st =
        xd_store_thread_docs(r->gw->store, cid, limit + 1, r->arena, &docs, &n, &err);
    if (st == XD_ENOTFOUND) {
        /* Not a correlation id: people also look a thread up by its PO number. */
        char *by_key = xd_arena_alloc(r->arena, XD_CORRELATION_ID_MAX + 1);
        if (by_key != NULL && xd_store_thread_by_key(r->gw->store, "po_number", cid, by_key,
                                                     XD_CORRELATION_ID_MAX + 1, &err) == XD_OK) {
            cid = by_key;
            st = xd_store_thread_docs(r->gw->store, cid, limit + 1, r->arena, &docs, &n, &err);
        }
    }
    if (st == XD_ENOTFOUND) {
        xd_gw__problem(r, 404, "transaction-not-found", "Not Found", NULL,
                       "there is no transaction with correlation id %s", r->params[0]);
        return;
    }
    if (st != XD_OK) {
        xd_gw__unavailable(r, "the transaction cannot be read right now");
        return;
    }
    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    st = xd_buf_append_str(b, "{\"correlation_id\":\"");
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, cid, strlen(cid));
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "\",\"documents\":[");
    }
    /* A partner token sees its own documents of the thread, and no thread it has none in. */
    if (r->token.partner != NULL) {
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(docs[i].partner, r->token.partner) == 0) {
                docs[kept++] = docs[i];
            }
        }
        if (kept == 0) {
            xd_gw__problem(r, 403, "forbidden", "Forbidden", NULL,
                           "transaction %s holds no document of partner %s", r->params[0],
                           r->token.partner);
            return;
        }
        n = kept;
    }
    size_t shown = n > limit ? limit : n;
    for (size_t i = 0; st == XD_OK && i < shown; i++) {
        st = i ? xd_buf_append_char(b, ',') : XD_OK;
        if (st == XD_OK) {
            st = xd_gw__doc_render(r, &docs[i], b);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, "],\"truncated\":%s", n > limit ? "true" : "false");
    }
    /* The workflow's view (state, timeline, exceptions) for the hub's own people. */
    json_t *flow = NULL;
    if (st == XD_OK && r->token.partner == NULL &&
        xd_flow_view(r->gw->store, cid, &flow, &err) == XD_OK && flow != NULL) {
        char *text = json_dumps(flow, JSON_COMPACT | JSON_PRESERVE_ORDER);
        st = text != NULL ? xd_buf_append_str(b, ",\"flow\":") : XD_ENOMEM;
        if (st == XD_OK) {
            st = xd_buf_append_str(b, text);
        }
        free(text);
        json_decref(flow);
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(b, '}');
    }
    if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the transaction could not be rendered: %s", xd_strerror(st));
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "application/json";
}
