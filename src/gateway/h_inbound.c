/* SPDX-License-Identifier: MIT
 * POST /v1/inbound/{partner}: a partner's message (X12, CSV, fixed width, JSON) through the
 * inbound pipeline (src/inbound/pipeline.h). A partner token posts as its own partner only;
 * staff tokens may post for any partner (re-injecting a message a partner mailed in).
 *
 * The message's store operation is queued and the connection suspended until it committed, so
 * no server thread waits for the disk: concurrent messages share one commit, like documents. */
#include <string.h>

#include "gateway/gw_int.h"
#include "inbound/pipeline.h"

struct inbound_post {
    struct xd_inbound_result res;
    struct xd_inbound_job *job;
};

static void answer(struct xd_gw_request *r, struct xd_inbound_result *res, enum xd_status st,
                   const struct xd_error *err)
{
    if (st == XD_EUNAVAIL || st == XD_EAGAIN || st == XD_ECLOSED) {
        xd_gw__unavailable(r, "the message could not be stored; nothing was kept, send it again");
    } else if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "%s", err->message);
    } else {
        xd_gw__json(r, res->http_status, res->answer.data, res->answer.len);
        if (res->outcome == XD_INBOUND_REFUSED) {
            r->resp.content_type = "application/problem+json";
        } else if (res->outcome == XD_INBOUND_DUPLICATE) {
            xd_gw__add_header(r, "Idempotent-Replayed", "true");
        }
    }
    xd_inbound_result_cleanup(res);
}

/* On a pool thread, once the store completed the message's operation. */
static void resume(struct xd_gw_request *r)
{
    struct inbound_post *c = r->resume_arg;
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_inbound_finish(c->job, &err);
    answer(r, &c->res, st, &err);
}

/* On the store's writer thread: nothing but the wake-up. */
static void committed(void *arg)
{
    xd_gw__wake(arg);
}

void xd_gw__h_inbound_post(struct xd_gw_request *r)
{
    const struct xd_inbound_ctx *ctx = r->gw->opts.inbound;
    if (ctx == NULL) {
        xd_gw__unavailable(r, "the inbound pipeline is not running");
        return;
    }
    const char *partner = r->params[0];
    if (r->token.partner != NULL && strcmp(r->token.partner, partner) != 0) {
        xd_gw__problem(r, 403, "forbidden", "Forbidden", NULL,
                       "a token of partner %s cannot post as partner %s", r->token.partner,
                       partner);
        return;
    }
    const char *idem_key = NULL;
    uint8_t idem_hash[XD_SHA256_LEN];
    /* The store checks the key in the message's transaction (a replay is answered as first
     * stored, other bytes under it 422): no look-up here on the way to the store, only when
     * the message is refused before it (below). */
    if (!xd_gw__idem_claim_key(r, &idem_key, idem_hash)) {
        return; /* malformed or in flight */
    }
    struct inbound_post *c = xd_arena_calloc(r->arena, 1, sizeof *c);
    if (c == NULL) {
        xd_gw__unavailable(r, "out of memory");
        return;
    }
    struct xd_inbound_request req = {
        .partner = partner,
        .channel = "http",
        .content_type = xd_gw__header(r, "Content-Type"),
        .data = r->body.data,
        .len = r->body.len,
        .actor = r->token.name,
        .idem_scope = idem_key != NULL ? r->token.id : NULL,
        .idem_key = idem_key,
        .idem_hash = idem_hash,
        .trace_id = r->trace_id[0] != '\0' ? r->trace_id : NULL,
    };
    xd_inbound_result_init(&c->res);
    struct xd_error err;
    xd_error_clear(&err);
    r->resume = resume;
    r->resume_arg = c;
    /* Suspended first: the completion may resume the connection before start returns. */
    xd_gw__suspend(r);
    enum xd_status st = xd_inbound_start(ctx, &req, &c->res, committed, r, &c->job, &err);
    if (c->job == NULL) {
        /* Refused before the store (no channel now, a format it no longer takes ...): a retry
         * of a request stored earlier is still answered as stored. A store that said no at
         * once is no refusal: nothing to look up. */
        bool refused = st == XD_OK && c->res.outcome == XD_INBOUND_REFUSED;
        if (refused && xd_gw__idem_answer_stored(r, idem_key, idem_hash)) {
            xd_inbound_result_cleanup(&c->res);
        } else {
            answer(r, &c->res, st, &err);
        }
        xd_gw__complete(r);
    }
}
