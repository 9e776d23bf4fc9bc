/* SPDX-License-Identifier: MIT
 * The inbound pipeline (pipeline.h): profile, format, envelope, documents, acknowledgement, one
 * store operation. */
#include "inbound/pipeline.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "canon/canon.h"
#include "canon/canon_tree.h"
#include "canon/canon_types.h"
#include "partner/partner.h"
#include "store/store.h"
#include "x12/x12.h"

#define ANSWER_MAX        ((size_t)60 * 1024) /* within the store's stored-answer cap */
#define ANSWER_PROBLEMS   50                  /* problems listed in an answer */
#define EXTRA_MAX         ((size_t)40 * 1024)
#define ACK_MAX           ((size_t)4 * 1024 * 1024)
#define MESSAGE_ARENA_MAX ((size_t)512 << 20)

void xd_inbound_result_init(struct xd_inbound_result *r)
{
    memset(r, 0, sizeof *r);
    xd_buf_init(&r->answer, ANSWER_MAX);
}

void xd_inbound_result_cleanup(struct xd_inbound_result *r)
{
    xd_buf_cleanup(&r->answer);
}

/* ------------------------------------------------------------------------------------------ */
/* Refusals: nothing journaled, a problem for the caller */

/* A problem+json refusal of type urn:crossdock:problem:<type>, its detail res->reason. */
static enum xd_status refused(struct xd_inbound_result *res, const char *type, int status,
                              const char *title)
{
    res->outcome = XD_INBOUND_REFUSED;
    res->http_status = status;
    xd_buf_reset(&res->answer);
    enum xd_status st = xd_buf_printf(&res->answer,
                                      "{\"type\":\"urn:crossdock:problem:%s\","
                                      "\"title\":\"%s\",\"status\":%d,\"detail\":\"",
                                      type, title, status);
    if (st == XD_OK) {
        st = xd_buf_append_json_str(&res->answer, res->reason, strlen(res->reason));
    }
    return st == XD_OK ? xd_buf_append_str(&res->answer, "\"}") : st;
}

static enum xd_status refuse(struct xd_inbound_result *res, int status, const char *title,
                             const char *fmt, ...) XD_PRINTF(4, 5);

static enum xd_status refuse(struct xd_inbound_result *res, int status, const char *title,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof res->reason, fmt, ap);
    va_end(ap);
    return refused(res, "inbound-refused", status, title);
}

/* ------------------------------------------------------------------------------------------ */
/* Format */

static int format_of_content_type(const char *ct)
{
    if (ct == NULL) {
        return -1;
    }
    size_t n = strcspn(ct, "; \t");
    static const struct {
        const char *type;
        enum xd_partner_format format;
    } types[] = {
        {"application/json", XD_PARTNER_FORMAT_JSON},
        {"application/edi-x12", XD_PARTNER_FORMAT_X12},
        {"application/x12", XD_PARTNER_FORMAT_X12},
        {"text/csv", XD_PARTNER_FORMAT_CSV},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(types); i++) {
        if (strlen(types[i].type) == n && strncasecmp(ct, types[i].type, n) == 0) {
            return (int)types[i].format;
        }
    }
    return -1; /* text/plain, application/octet-stream ...: look at the bytes */
}

/* ------------------------------------------------------------------------------------------ */
/* The acknowledgement */

struct ack {
    struct xd_buf text;
    char control[16];
    const char *kind; /* "997", "999" */
};

/* The endpoint an acknowledgement travels on: the one the partner's X12 documents go to,
 * else its only endpoint. NULL when it has none. */
static const char *ack_endpoint(const struct xd_partner_profile *p)
{
    for (size_t i = 0; i < p->n_documents; i++) {
        const struct xd_partner_document *d = &p->documents[i];
        if (d->direction == XD_PARTNER_OUT && d->format == XD_PARTNER_FORMAT_X12) {
            const struct xd_partner_endpoint *ep =
                d->endpoint != NULL ? xd_partner_endpoint_find(p, d->endpoint) : NULL;
            if (ep != NULL) {
                return ep->name;
            }
            break;
        }
    }
    return p->outbound.n_endpoints >= 1 ? p->outbound.endpoints[0].name : NULL;
}

/* <count> consecutive control numbers for the partner's acknowledgements. */
static enum xd_status controls(const struct xd_inbound_ctx *ctx, const char *partner,
                               const char *kind, int64_t count, int64_t *first,
                               struct xd_error *err)
{
    return ctx->controls != NULL
               ? xd_store_controls_take(ctx->controls, partner, kind, count, "inbound", first, err)
               : xd_store_control_next(ctx->store, partner, kind, count, "inbound", first, err);
}

static enum xd_status build_ack(const struct xd_inbound_ctx *ctx,
                                const struct xd_partner_profile *p,
                                const struct xd_partner_x12_envelopes *env, const char *data,
                                size_t len, struct ack *ack, struct xd_error *err)
{
    enum xd_partner_x12_ack want = p->x12 != NULL ? p->x12->acknowledgement : XD_PARTNER_ACK_997;
    if (want == XD_PARTNER_ACK_NONE || env->interchanges == 0) {
        return XD_ENOTFOUND;
    }
    ack->kind = want == XD_PARTNER_ACK_999 ? "999" : "997";
    /* Control numbers: never reused, also across a crash (the store's counters); a message
     * that fails after this leaves a gap, which X12 allows. */
    int64_t isa = 0, gs = 0, st_first = 0;
    uint64_t groups = env->groups > 0 ? env->groups : 1;
    enum xd_status st = controls(ctx, p->id, "isa", env->interchanges, &isa, err);
    if (st == XD_OK) {
        st = controls(ctx, p->id, "gs", (int64_t)groups, &gs, err);
    }
    if (st == XD_OK) {
        st = controls(ctx, p->id, "st", (int64_t)groups, &st_first, err);
    }
    if (st != XD_OK) {
        return st;
    }
    struct xd_x12_stamp stamp = xd_x12_stamp(xd_now_ms());
    struct xd_x12_ack_options o = {
        .kind = want == XD_PARTNER_ACK_999 ? XD_X12_ACK_999 : XD_X12_ACK_997,
        .ta1 = p->x12 != NULL && p->x12->ta1,
        .isa_control = (uint64_t)isa,
        .gs_control = (uint64_t)gs,
        .st_control = (uint64_t)st_first,
        .date = stamp.date,
        .time = stamp.time,
    };
    if (p->x12 != NULL && p->x12->hub_id != NULL) {
        o.sender_qualifier = p->x12->hub_qualifier;
        o.sender_id = p->x12->hub_id;
        o.gs_sender = p->x12->hub_gs_id != NULL ? p->x12->hub_gs_id : p->x12->hub_id;
    }
    xd_buf_init(&ack->text, ACK_MAX);
    struct xd_x12_ack *b = NULL;
    st = xd_x12_ack_create(&o, &ack->text, &b);
    struct xd_x12_reader *rd = NULL;
    if (st == XD_OK) {
        st = xd_x12_reader_create_mem(data, len, &rd);
    }
    if (st == XD_OK) {
        st = xd_x12_validate(rd, NULL, NULL, xd_x12_ack_sink(b), err);
        /* Invalid X12 is what the acknowledgement reports; only a failure to write it is ours. */
        st = st == XD_ENOMEM || st == XD_ETOOBIG ? st : XD_OK;
    }
    xd_x12_reader_destroy(rd);
    xd_x12_ack_destroy(b);
    if (st == XD_OK && ack->text.len == 0) {
        st = XD_ENOTFOUND; /* nothing the builder could acknowledge */
    }
    if (st != XD_OK) {
        xd_buf_cleanup(&ack->text);
        return st == XD_ENOTFOUND
                   ? st
                   : xd_error_set(err, st, "building the %s: %s", ack->kind, xd_strerror(st));
    }
    snprintf(ack->control, sizeof ack->control, "%09lld", (long long)isa);
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Documents as the store records them */

struct doc_build {
    struct xd_arena *arena;
    const char *partner;
    const char *channel; /* canonical channel code: http, file */
    const char *format;
    const char *message_id;
    const char *received_at;
};

/* Decode a mapped, valid document again to stamp what the hub assigns (id, source) and to
 * read its business keys. */
static enum xd_status build_doc(const struct doc_build *b, json_t *doc, struct xd_store_ingest *out)
{
    struct xd_diags diags;
    xd_diags_init(&diags, 4);
    struct xd_canon_doc *cd = NULL;
    enum xd_status st = xd_canon_tree_decode(doc, b->arena, &cd, &diags);
    xd_diags_cleanup(&diags);
    if (st != XD_OK) {
        return st == XD_ENOMEM ? st : XD_EINVALDOC;
    }
    if (xd_id_new(out->id) != XD_OK) {
        return XD_EIO;
    }
    struct xd_canon_header *h = xd_canon_doc_header(cd);
    h->id = xd_arena_strdup(b->arena, out->id);
    h->correlation_id = NULL; /* threads follow business keys, not what a partner claims */
    struct xd_canon_source *src = h->source;
    if (src == NULL) {
        src = xd_arena_calloc(b->arena, 1, sizeof *src);
        h->source = src;
    }
    if (h->id == NULL || src == NULL) {
        return XD_ENOMEM;
    }
    src->partner = b->partner; /* the channel's partner, whatever the body says */
    src->channel = b->channel;
    src->format = b->format;
    src->message_id = b->message_id;
    src->received_at = b->received_at;
    struct xd_buf body;
    xd_buf_init(&body, XD_CANON_MAX_INPUT);
    st = xd_canon_encode(cd, &body);
    if (st == XD_OK) {
        size_t n = 0;
        char *p = xd_buf_steal(&body, &n);
        out->body = p != NULL ? xd_arena_memdup(b->arena, p, n + 1) : NULL;
        out->body_len = n;
        xd_free(p);
        st = out->body != NULL ? XD_OK : XD_ENOMEM;
    }
    xd_buf_cleanup(&body);
    struct xd_canon_key keys[XD_STORE_KEY_MAX];
    size_t total = 0;
    size_t n = st == XD_OK ? xd_canon_keys(cd, keys, XD_STORE_KEY_MAX, &total) : 0;
    struct xd_store_key *sk = n > 0 ? xd_arena_calloc(b->arena, n, sizeof *sk) : NULL;
    if (n > 0 && sk == NULL) {
        return XD_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        sk[i].name = keys[i].name;
        sk[i].value = keys[i].value;
    }
    out->keys = sk;
    out->n_keys = n;
    out->doc_type = xd_canon_type_name(cd->type);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* The answer's extra members: problems and notes as the harness found them, the ack */

static enum xd_status diags_json(struct xd_buf *b, const char *name, const struct xd_diags *d)
{
    enum xd_status st = xd_buf_append_strs(b, "\"", name, "\":[", NULL);
    for (size_t i = 0; st == XD_OK && i < d->count && i < ANSWER_PROBLEMS; i++) {
        const struct xd_diag *x = &d->items[i];
        st = xd_buf_append_strs(b, i ? ",{\"code\":\"" : "{\"code\":\"", NULL);
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, x->code, strlen(x->code));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\",\"path\":\"");
        }
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, x->path, strlen(x->path));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\",\"message\":\"");
        }
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, x->message, strlen(x->message));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\"}");
        }
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, "],\"%s_total\":%zu", name, xd_diags_total(d));
    }
    return st;
}

static enum xd_status answer_extra(struct xd_buf *b, const struct xd_partner_sample *s,
                                   const struct ack *ack, bool has_ack, const char *ack_note)
{
    enum xd_status st = diags_json(b, "problems", &s->problems);
    if (st == XD_OK) {
        st = xd_buf_append_char(b, ',');
    }
    if (st == XD_OK) {
        st = diags_json(b, "notes", &s->notes);
    }
    if (st == XD_OK && has_ack) {
        st = xd_buf_append_strs(b, ",\"acknowledgement\":{\"kind\":\"", ack->kind,
                                "\",\"interchange\":\"", ack->control, "\",\"x12\":\"", NULL);
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, ack->text.data, ack->text.len);
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\"}");
        }
    }
    if (st == XD_OK && ack_note != NULL) {
        st = xd_buf_append_strs(b, ",\"acknowledgement_note\":\"", ack_note, "\"", NULL);
    }
    return st;
}

/* The first problems, on one line, for a quarantine reason or a log. */
static void summarize(char *out, size_t cap, const char *lead, const struct xd_diags *d)
{
    size_t n = (size_t)snprintf(out, cap, "%s", lead);
    for (size_t i = 0; i < d->count && i < 3 && n < cap; i++) {
        n += (size_t)snprintf(out + n, cap - n, "%s%s%s%s", i ? "; " : ": ", d->items[i].path,
                              d->items[i].path[0] ? " " : "", d->items[i].message);
    }
    if (d->count > 3 && n < cap) {
        snprintf(out + n, cap - n, " (and %zu more)", xd_diags_total(d) - 3);
    }
}

/* ------------------------------------------------------------------------------------------ */

struct message_run {
    const struct xd_inbound_ctx *ctx;
    struct xd_inbound_result *res;
    struct xd_partner_snapshot *snap;
    const struct xd_partner_profile *p;
    struct xd_partner_sample sample;
    struct ack ack;
    bool has_ack;
    struct xd_arena *arena;
    struct xd_store_op op;
    struct xd_store_outbound out;
    struct xd_buf extra;
    char detail[XD_STORE_DETAIL_MAX + 1];
    char dedupe[96];
    bool pending;            /* the op is built: the store has the last word */
    xd_inbound_done_fn done; /* xd_inbound_start's completion */
    void *done_arg;
};

/* Everything before the commit: read, check, map, build the acknowledgement and the store
 * operation (m->pending), or refuse (<res> final). */
static enum xd_status prepare(struct message_run *m, const struct xd_inbound_request *req,
                              struct xd_error *err)
{
    const struct xd_partner_profile *p = m->p;
    struct xd_inbound_result *res = m->res;
    bool http = strcmp(req->channel, "http") == 0;
    bool erp = strcmp(req->channel, "erp") == 0;
    if (http && (p->inbound.http == NULL || !p->inbound.http->enabled)) {
        return refuse(res, 403, "Forbidden", "partner %s has no HTTP inbound channel", p->id);
    }
    struct xd_partner_sample_options so = {
        .file_name = req->file_name,
        .format = http  ? format_of_content_type(req->content_type)
                  : erp ? XD_PARTNER_FORMAT_JSON
                        : -1,
        .document = -1,
    };
    enum xd_status st = xd_partner_sample_run(p, &so, req->data, req->len, &m->sample);
    if (st != XD_OK) {
        return xd_error_set(err, st, "reading the message: %s", xd_strerror(st));
    }
    struct xd_partner_sample *s = &m->sample;
    bool decoded = json_array_size(s->documents) > 0 || s->n_refused > 0;
    if (http && decoded && !xd_partner_http_accepts(p, s->format)) {
        return refuse(res, 415, "Unsupported Media Type",
                      "partner %s does not send %s over HTTP (inbound.http.formats)", p->id,
                      xd_partner_format_name(s->format));
    }
    bool x12 = decoded && s->format == XD_PARTNER_FORMAT_X12;
    const struct xd_partner_x12_envelopes *env = &s->x12; /* read by the harness's pass */
    struct xd_store_message *msg = &m->op.u.message;
    m->op.kind = XD_STORE_OP_MESSAGE;
    if (xd_id_new(msg->id) != XD_OK) {
        return xd_error_set(err, XD_EIO, "no randomness for an id");
    }
    int64_t now = xd_now_ms();
    char received[XD_TIME_STR_MAX];
    xd_time_format(now, received, sizeof received);
    msg->partner = p->id;
    msg->channel = req->channel;
    msg->format = decoded ? xd_partner_format_name(s->format) : "unknown";
    /* A Content-Type past what the journal keeps is the sender's noise, not a reason to lose
     * the message. */
    bool ct_ok = req->content_type != NULL && strlen(req->content_type) <= 200;
    msg->content_type = ct_ok ? req->content_type
                        : x12 ? "application/edi-x12"
                              : "application/octet-stream";
    msg->file_name = req->file_name;
    msg->raw = req->data;
    msg->raw_len = req->len;
    msg->trace_id = req->trace_id;
    msg->received_at_ms = now;
    msg->actor = req->actor;
    msg->idem_scope = req->idem_scope;
    msg->idem_key = req->idem_key;
    xd_sha256(req->data, req->len, msg->request_hash);
    memcpy(msg->idem_hash, req->idem_hash != NULL ? req->idem_hash : msg->request_hash,
           XD_SHA256_LEN);
    if (x12 && env->interchanges > 0) {
        snprintf(m->dedupe, sizeof m->dedupe, "isa:%s:%s+%u", env->foreign ? env->sender : "own",
                 env->first_control, env->interchanges);
        msg->dedupe_key = m->dedupe;
    }
    if (req->dedupe_key != NULL) {
        msg->dedupe_key = req->dedupe_key;
        if (req->dedupe_hash != NULL) {
            memcpy(msg->request_hash, req->dedupe_hash, XD_SHA256_LEN);
        }
    }
    msg->cursor_name = req->cursor_name;
    msg->cursor_value = req->cursor_value;

    /* Who sent it: an interchange from anyone but the channel's partner is refused whole. */
    const char *status = NULL;
    if (x12 && env->foreign) {
        snprintf(m->detail, sizeof m->detail,
                 "interchange sender %s is not partner %s (%s/%s): refused whole", env->sender,
                 p->id, p->identifiers.isa_qualifier ? p->identifiers.isa_qualifier : "-",
                 p->identifiers.isa_id ? p->identifiers.isa_id : "-");
        status = "rejected";
        msg->http_status = 403;
    }
    bool test = x12 && env->test;
    const char *ack_note = NULL;
    if (status == NULL && x12) {
        st = build_ack(m->ctx, p, env, req->data, req->len, &m->ack, err);
        if (st != XD_OK && st != XD_ENOTFOUND) {
            return st;
        }
        m->has_ack = st == XD_OK;
        const char *ep = m->has_ack ? ack_endpoint(p) : NULL;
        if (m->has_ack && ep != NULL) {
            if (xd_id_new(m->out.id) != XD_OK) {
                return xd_error_set(err, XD_EIO, "no randomness for an id");
            }
            m->out.partner = p->id;
            m->out.endpoint = ep;
            m->out.content_type = "application/edi-x12";
            m->out.body = m->ack.text.data;
            m->out.body_len = m->ack.text.len;
            msg->outbox = &m->out;
            msg->n_outbox = 1;
        } else if (m->has_ack) {
            ack_note = "the partner has no outbound endpoint: the acknowledgement is only in "
                       "this answer";
        }
    }

    /* The documents: every valid one, unless the interchange is a test. */
    size_t n = json_array_size(s->documents);
    size_t valid = 0;
    for (size_t i = 0; i < n; i++) {
        valid += json_is_true(json_array_get(s->valid, i));
    }
    size_t total = n + s->n_refused;
    if (status == NULL && !test && valid > 0) {
        msg->docs = xd_arena_calloc(m->arena, valid, sizeof *msg->docs);
        if (msg->docs == NULL) {
            return xd_error_set(err, XD_ENOMEM, "out of memory");
        }
        struct doc_build b = {
            .arena = m->arena,
            .partner = p->id,
            .channel = http  ? "http"
                       : erp ? "erp"
                             : "file",
            .format = msg->format,
            .message_id = msg->id,
            .received_at = received,
        };
        for (size_t i = 0; i < n; i++) {
            if (!json_is_true(json_array_get(s->valid, i))) {
                continue;
            }
            st = build_doc(&b, json_array_get(s->documents, i), &msg->docs[msg->n_docs]);
            if (st == XD_EINVALDOC) {
                continue; /* cannot happen: the harness decoded the same text */
            }
            if (st != XD_OK) {
                return xd_error_set(err, st, "recording a document: %s", xd_strerror(st));
            }
            msg->n_docs++;
        }
    }
    if (status == NULL) {
        if (test) {
            status = "test";
            snprintf(m->detail, sizeof m->detail,
                     "test interchange (ISA15 T): acknowledged, %zu of %zu document(s) valid, "
                     "none passed on",
                     valid, total);
        } else if (msg->n_docs > 0 && msg->n_docs == total) {
            status = "accepted";
        } else if (msg->n_docs > 0) {
            status = "partial";
            summarize(m->detail, sizeof m->detail, "some documents were refused", &s->problems);
        } else {
            status = "rejected";
            summarize(m->detail, sizeof m->detail,
                      total == 0 ? "no document could be read" : "every document was refused",
                      &s->problems);
        }
        msg->http_status = strcmp(status, "rejected") == 0 ? 422 : 201;
    }
    msg->status = status;
    msg->detail = m->detail[0] != '\0' ? m->detail : NULL;
    st = answer_extra(&m->extra, s, &m->ack, m->has_ack, ack_note);
    if (st != XD_OK) {
        /* Too much to tell: the answer keeps the counts, the journal keeps the bytes. */
        xd_buf_reset(&m->extra);
        st = xd_buf_printf(&m->extra, "\"problems_total\":%zu,\"notes_total\":%zu",
                           xd_diags_total(&s->problems), xd_diags_total(&s->notes));
        if (st != XD_OK) {
            return xd_error_set(err, st, "out of memory");
        }
    }
    msg->answer_extra = m->extra.data;
    m->pending = true;
    return XD_OK;
}

/* After the commit: what the store said (<st>) into <res>. */
static enum xd_status finish(struct message_run *m, enum xd_status st, struct xd_error *err)
{
    struct xd_inbound_result *res = m->res;
    const struct xd_store_message *msg = &m->op.u.message;
    const char *status = msg->status; /* decided before the commit */
    res->status = status;
    if (st == XD_EEXIST) {
        res->outcome = XD_INBOUND_DUPLICATE;
        res->http_status = m->op.idem_http_status;
        snprintf(res->reason, sizeof res->reason, "already received (%s)",
                 msg->idem_key != NULL ? "Idempotency-Key" : "same interchange");
        xd_buf_reset(&res->answer);
        return xd_buf_append(&res->answer, m->op.idem_body, m->op.idem_body_len);
    }
    if (st == XD_ECONFLICT && msg->key_conflict) {
        /* The caller's key came with other bytes: the IETF draft's answer, as for documents. */
        snprintf(res->reason, sizeof res->reason,
                 "this Idempotency-Key was already used for a different request");
        return refused(res, "idempotency-key-reused", 422, "Unprocessable Content");
    }
    if (st == XD_ECONFLICT) {
        return refuse(res, 409, "Conflict", "%s", m->op.err.message);
    }
    if (st != XD_OK) {
        *err = m->op.err;
        return st;
    }
    res->outcome = XD_INBOUND_STORED;
    res->http_status = msg->http_status;
    res->documents = msg->n_docs;
    snprintf(res->reason, sizeof res->reason, "%.500s", m->detail[0] ? m->detail : status);
    xd_buf_reset(&res->answer);
    return xd_store_message_answer(msg, &res->answer);
}

static void message_free(struct message_run *m)
{
    xd_store_op_cleanup(&m->op);
    xd_buf_cleanup(&m->extra);
    if (m->has_ack) {
        xd_buf_cleanup(&m->ack.text);
    }
    xd_partner_sample_cleanup(&m->sample);
    xd_arena_destroy(m->arena);
    xd_partner_snapshot_release(m->snap);
    xd_free(m);
}

/* The run of one message, prepared: *out NULL when <res> is already final (a refusal) or on
 * failure. */
static enum xd_status message_prepare(const struct xd_inbound_ctx *ctx,
                                      const struct xd_inbound_request *req,
                                      struct xd_inbound_result *res, struct message_run **out,
                                      struct xd_error *err)
{
    *out = NULL;
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(ctx->partners);
    const struct xd_partner_profile *p =
        snap != NULL ? xd_partner_snapshot_find(snap, req->partner) : NULL;
    if (p == NULL) {
        xd_partner_snapshot_release(snap);
        return refuse(res, 404, "Not Found", "no partner %s", req->partner);
    }
    if (req->len == 0) {
        xd_partner_snapshot_release(snap);
        return refuse(res, 400, "Bad Request", "the message is empty");
    }
    struct message_run *m = xd_calloc(1, sizeof *m);
    struct xd_arena *a = m != NULL ? xd_arena_create(64 * 1024, MESSAGE_ARENA_MAX) : NULL;
    if (a == NULL) {
        xd_free(m);
        xd_partner_snapshot_release(snap);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    m->ctx = ctx;
    m->res = res;
    m->snap = snap;
    m->p = p;
    m->arena = a;
    xd_partner_sample_init(&m->sample);
    xd_buf_init(&m->extra, EXTRA_MAX);
    enum xd_status st = prepare(m, req, err); /* after it the op holds what the commit needs */
    if (st != XD_OK || !m->pending) {
        message_free(m);
        return st;
    }
    *out = m;
    return XD_OK;
}

enum xd_status xd_inbound_process(const struct xd_inbound_ctx *ctx,
                                  const struct xd_inbound_request *req,
                                  struct xd_inbound_result *res, struct xd_error *err)
{
    struct message_run *m = NULL;
    enum xd_status st = message_prepare(ctx, req, res, &m, err);
    if (m != NULL) {
        st = finish(m, xd_store_execute(ctx->store, &m->op), err);
        message_free(m);
    }
    return st;
}

/* The store's completion, on its writer thread: only tell the caller. */
static void job_done(struct xd_store_op *op, void *arg)
{
    (void)op;
    struct message_run *m = arg;
    m->done(m->done_arg);
}

enum xd_status xd_inbound_start(const struct xd_inbound_ctx *ctx,
                                const struct xd_inbound_request *req, struct xd_inbound_result *res,
                                xd_inbound_done_fn done, void *done_arg,
                                struct xd_inbound_job **job, struct xd_error *err)
{
    *job = NULL;
    struct message_run *m = NULL;
    enum xd_status st = message_prepare(ctx, req, res, &m, err);
    if (m == NULL) {
        return st;
    }
    m->done = done;
    m->done_arg = done_arg;
    m->op.done = job_done;
    m->op.done_arg = m;
    st = xd_store_submit(ctx->store, &m->op);
    if (st != XD_OK) {
        st = finish(m, st, err); /* not queued: the store said no at once */
        message_free(m);
        return st;
    }
    *job = (struct xd_inbound_job *)m;
    return XD_OK;
}

enum xd_status xd_inbound_finish(struct xd_inbound_job *job, struct xd_error *err)
{
    struct message_run *m = (struct message_run *)job;
    enum xd_status st = finish(m, m->op.status, err);
    message_free(m);
    return st;
}
