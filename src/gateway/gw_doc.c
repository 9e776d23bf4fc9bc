/* SPDX-License-Identifier: MIT
 * Documents as the hub stores them and as clients see them. The stored body carries the id and
 * source the hub assigned; the correlation id is the thread's and is filled in when shown, so
 * the writer can decide it (by business key) without rewriting the body. */
#include <string.h>

#include "canon/canon.h"
#include "canon/canon_types.h"
#include "gateway/gw_int.h"

enum xd_status xd_gw__doc_stamp(struct xd_gw_request *r, struct xd_canon_doc *doc, const char *id,
                                const char *received_at, const char **correlation_hint,
                                struct xd_buf *out, struct xd_diags *diags)
{
    struct xd_canon_header *h = xd_canon_doc_header(doc);
    if (h->id != NULL) {
        enum xd_status st =
            xd_diags_add(diags, "read_only", "$.id", "the id is assigned by the hub; leave it out");
        return st == XD_OK ? XD_EINVALDOC : st;
    }
    *correlation_hint = h->correlation_id;
    h->correlation_id = NULL;
    h->id = id;
    struct xd_canon_source *src = h->source;
    if (src == NULL) {
        src = xd_arena_calloc(r->arena, 1, sizeof *src);
        if (src == NULL) {
            return XD_ENOMEM;
        }
        h->source = src;
    }
    /* A partner token speaks for its partner only, whatever the body claims. Other callers (the
     * ERP, connectors) may describe where a document they relay came from. */
    if (r->token.partner != NULL) {
        src->partner = r->token.partner;
    }
    if (src->channel == NULL) {
        src->channel = "http";
    }
    if (src->format == NULL) {
        src->format = "json";
    }
    src->message_id = id;
    src->received_at = received_at;
    return xd_canon_encode(doc, out);
}

enum xd_status xd_gw__doc_render(struct xd_gw_request *r, const struct xd_store_doc *d,
                                 struct xd_buf *out)
{
    struct xd_diags diags;
    xd_diags_init(&diags, 4);
    struct xd_canon_doc *doc = NULL;
    enum xd_status st = xd_canon_decode(d->body, d->body_len, r->arena, &doc, &diags);
    if (st != XD_OK) {
        /* Stored bodies were valid when stored; a failure here means the definition changed
         * incompatibly or the database was edited. Say which document. */
        XD_LOG_ERROR("http", NULL, "stored document %s no longer decodes: %s (%s)", d->id,
                     xd_strerror(st), diags.count ? diags.items[0].message : "");
        xd_diags_cleanup(&diags);
        return st;
    }
    xd_diags_cleanup(&diags);
    xd_canon_doc_header(doc)->correlation_id = d->correlation_id;
    return xd_canon_encode(doc, out);
}
