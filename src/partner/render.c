/* SPDX-License-Identifier: MIT
 * Outbound rendering: a canonical document as one partner receives it, per the profile's
 * outbound entry for its type (canonical JSON, X12 with the partner's envelope, delimiters,
 * version and mapping, or a flat file through its map). No I/O: the caller allocates X12
 * control numbers (the store's counters) and queues the bytes. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "canon/canon.h"
#include "canon/canon_tree.h"
#include "core/arena.h"
#include "flat/flat.h"
#include "partner/partner.h"
#include "x12/x12.h"

#define RENDER_MAX ((size_t)16 * 1024 * 1024)

static unsigned char delim(const char *v, unsigned char dflt)
{
    return v != NULL && v[0] != '\0' ? (unsigned char)v[0] : dflt;
}

enum xd_status xd_partner_write_x12(const struct xd_partner_profile *p,
                                    const struct xd_canon_doc *doc, bool as_partner,
                                    const char *version, const struct xd_partner_controls *c,
                                    struct xd_buf *out, struct xd_error *err)
{
    const struct xd_partner_x12 *x = p->x12;
    const struct xd_x12_map *map = as_partner ? p->mapping.x12_read : p->mapping.x12_write;
    if (p->identifiers.isa_qualifier == NULL || p->identifiers.isa_id == NULL) {
        return xd_error_set(err, XD_EINVAL,
                            "partner %s trades X12 but has no identifiers.isa_qualifier/isa_id",
                            p->id);
    }
    if (map == NULL) {
        return xd_error_set(err, XD_EINVAL, "partner %s: mapping.x12 is not usable: %s", p->id,
                            p->mapping.x12_problem != NULL ? p->mapping.x12_problem
                                                           : "not compiled");
    }
    /* The hub as the partner knows it (x12.hub_*), else the hub's defaults. */
    bool hub_named = x != NULL && x->hub_id != NULL;
    const char *hub_qual = hub_named ? x->hub_qualifier : "ZZ";
    const char *hub_id = hub_named ? x->hub_id : "CROSSDOCK";
    const char *hub_gs = x != NULL && x->hub_gs_id != NULL ? x->hub_gs_id : hub_id;
    struct xd_x12_stamp stamp = xd_x12_stamp(c->at_ms);
    if (version == NULL) {
        version = "004010";
    }
    struct xd_x12_writer_options wo = {
        .delims = {.element = delim(x != NULL ? x->element_separator : NULL, '*'),
                   .component = delim(x != NULL ? x->component_separator : NULL, ':'),
                   .repetition = delim(x != NULL ? x->repetition_separator : NULL, '^'),
                   .segment = delim(x != NULL ? x->segment_terminator : NULL, '~')},
        .newline = x != NULL && x->newline,
        .isa_version = strncmp(version, "005", 3) == 0 ? "00501" : "00401",
        .sender_qualifier = as_partner ? p->identifiers.isa_qualifier : hub_qual,
        .sender_id = as_partner ? p->identifiers.isa_id : hub_id,
        .receiver_qualifier = as_partner ? hub_qual : p->identifiers.isa_qualifier,
        .receiver_id = as_partner ? hub_id : p->identifiers.isa_id,
        .date = stamp.date,
        .time = stamp.time,
        .isa_control = c->isa,
    };
    struct xd_x12_render_options ro = {
        .version = version,
        .app_sender = as_partner ? p->identifiers.gs_id : hub_gs,
        .app_receiver = as_partner ? hub_gs : p->identifiers.gs_id,
        .group_control = c->gs,
        .set_control = c->st,
    };
    struct xd_x12_writer *w = NULL;
    struct xd_x12_renderer *rd = NULL;
    enum xd_status st = xd_x12_writer_create(&wo, out, &w, err);
    if (st == XD_OK) {
        st = xd_x12_renderer_create(w, map, &ro, &rd);
    }
    if (st == XD_OK) {
        st = xd_x12_render(rd, doc, err);
    }
    if (st == XD_OK) {
        st = xd_x12_renderer_finish(rd, err);
    }
    if (st == XD_OK) {
        st = xd_x12_writer_finish(w, err);
    }
    if (st == XD_ENOMEM) {
        xd_error_set(err, st, "rendering X12 for %s: out of memory", p->id);
    }
    xd_x12_renderer_destroy(rd);
    xd_x12_writer_destroy(w);
    return st;
}

/* Canonical JSON (the tree <doc>, or its text when <text> is not NULL) into X12 the hub sends
 * <p>. */
static enum xd_status render_x12(const struct xd_partner_profile *p,
                                 const struct xd_partner_document *d, const json_t *doc,
                                 const char *text, size_t len, const struct xd_partner_controls *c,
                                 struct xd_buf *out, struct xd_error *err)
{
    struct xd_arena *a = xd_arena_create(0, (size_t)64 << 20);
    struct xd_diags diags;
    xd_diags_init(&diags, 5);
    struct xd_canon_doc *cd = NULL;
    enum xd_status st = a == NULL      ? XD_ENOMEM
                        : text != NULL ? xd_canon_decode(text, len, a, &cd, &diags)
                                       : xd_canon_tree_decode(doc, a, &cd, &diags);
    if (st != XD_OK) {
        xd_error_set(err, st, "rendering for %s: the document is not valid canonical JSON (%s)",
                     p->id, diags.count > 0 ? diags.items[0].message : xd_strerror(st));
    } else {
        st = xd_partner_write_x12(p, cd, false, d->version, c, out, err);
    }
    xd_diags_cleanup(&diags);
    xd_arena_destroy(a);
    return st;
}

enum xd_status xd_partner_render(const struct xd_partner_profile *p, const json_t *doc,
                                 const struct xd_partner_controls *c, struct xd_partner_rendered *r,
                                 struct xd_error *err)
{
    return xd_partner_render_stored(p, doc, NULL, 0, c, r, err);
}

enum xd_status xd_partner_render_stored(const struct xd_partner_profile *p, const json_t *doc,
                                        const char *text, size_t len,
                                        const struct xd_partner_controls *c,
                                        struct xd_partner_rendered *r, struct xd_error *err)
{
    memset(r, 0, sizeof *r);
    const char *type_name = json_string_value(json_object_get(doc, "type"));
    enum xd_canon_type type;
    if (type_name == NULL || xd_canon_type_parse(type_name, strlen(type_name), &type) != XD_OK) {
        return xd_error_set(err, XD_EINVAL, "rendering for %s: not a canonical document", p->id);
    }
    const struct xd_partner_document *d = xd_partner_document_out(p, type);
    const struct xd_partner_endpoint *ep = xd_partner_endpoint_for(p, type);
    if (ep == NULL) {
        return xd_error_set(err, XD_ENOTFOUND, "partner %s has no outbound endpoint for %s", p->id,
                            type_name);
    }
    r->endpoint = ep->name;
    xd_buf_init(&r->body, RENDER_MAX);
    enum xd_partner_format f = d != NULL ? d->format : XD_PARTNER_FORMAT_JSON;
    enum xd_status st = XD_OK;
    switch (f) {
    case XD_PARTNER_FORMAT_X12:
        r->content_type = "application/edi-x12";
        r->format = "x12";
        r->uses_controls = true;
        st = render_x12(p, d, doc, text, len, c, &r->body, err);
        break;
    case XD_PARTNER_FORMAT_CSV:
    case XD_PARTNER_FORMAT_FIXED_WIDTH: {
        r->content_type = f == XD_PARTNER_FORMAT_CSV ? "text/csv" : "text/plain";
        r->format = xd_partner_format_name(f);
        struct xd_diags diags;
        xd_diags_init(&diags, 5);
        st = d->flat == NULL ? XD_EINVAL : xd_flat_encode(d->flat, doc, &r->body, &diags);
        if (st != XD_OK) {
            xd_error_set(err, st, "rendering %s for %s: %s", type_name, p->id,
                         diags.count > 0 ? diags.items[0].message : "the flat map cannot write it");
        }
        xd_diags_cleanup(&diags);
        break;
    }
    default: {
        r->content_type = "application/json";
        r->format = "json";
        st = text != NULL ? xd_buf_append(&r->body, text, len) : xd_canon_tree_write(doc, &r->body);
        if (st != XD_OK) {
            xd_error_set(err, st, "rendering for %s: %s", p->id, xd_strerror(st));
        }
        break;
    }
    }
    if (st != XD_OK) {
        xd_buf_cleanup(&r->body);
    }
    return st;
}

void xd_partner_rendered_cleanup(struct xd_partner_rendered *r)
{
    xd_buf_cleanup(&r->body);
}
