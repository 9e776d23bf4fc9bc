/* SPDX-License-Identifier: MIT
 * Parsing entry point, the profile's lifetime (reference counted, one arena), problem lists,
 * and the small queries the rest of the hub asks of one profile. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "flat/flat.h"
#include "partner/partner_int.h"
#include "x12/x12.h"

/* ------------------------------------------------------------------------------------------ */
/* Problems */

void xd_partner_problems_init(struct xd_partner_problems *p, size_t limit)
{
    memset(p, 0, sizeof *p);
    p->limit = limit > 0 ? limit : XD_PARTNER_MAX_PROBLEMS;
}

void xd_partner_problems_cleanup(struct xd_partner_problems *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->count; i++) {
        xd_free(p->items[i].code);
        xd_free(p->items[i].path);
        xd_free(p->items[i].message);
    }
    xd_free(p->items);
    size_t limit = p->limit;
    memset(p, 0, sizeof *p);
    p->limit = limit;
}

enum xd_status xd_partner_problems_add(struct xd_partner_problems *p, const char *code,
                                       const char *path, int line, int column, const char *fmt, ...)
{
    if (p->count >= p->limit) {
        p->dropped++;
        return XD_OK;
    }
    if (p->count == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 8;
        struct xd_partner_problem *g = xd_reallocarray(p->items, ncap, sizeof *g);
        if (g == NULL) {
            p->oom = true;
            return XD_ENOMEM;
        }
        p->items = g;
        p->cap = ncap;
    }
    char msg[XD_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct xd_partner_problem *pr = &p->items[p->count];
    pr->code = xd_strdup(code);
    pr->path = xd_strdup(path != NULL ? path : "");
    pr->message = xd_strdup(msg);
    pr->line = line;
    pr->column = column;
    if (pr->code == NULL || pr->path == NULL || pr->message == NULL) {
        xd_free(pr->code);
        xd_free(pr->path);
        xd_free(pr->message);
        p->oom = true;
        return XD_ENOMEM;
    }
    p->count++;
    return XD_OK;
}

size_t xd_partner_problems_total(const struct xd_partner_problems *p)
{
    return p->count + p->dropped;
}

enum xd_status xd_partner_problem_format(const struct xd_partner_problem *pr, struct xd_buf *out)
{
    const char *path = pr->path[0] != '\0' ? pr->path : "(profile)";
    if (pr->line > 0) {
        return xd_buf_printf(out, "%s (line %d, column %d): %s", path, pr->line, pr->column,
                             pr->message);
    }
    return xd_buf_printf(out, "%s: %s", path, pr->message);
}

/* ------------------------------------------------------------------------------------------ */
/* Lifetime */

enum xd_status xd_partner__profile_new(struct xd_partner_profile **out)
{
    struct xd_partner_profile__priv *priv = xd_calloc(1, sizeof *priv);
    if (priv == NULL) {
        return XD_ENOMEM;
    }
    priv->arena = xd_arena_create(16 * 1024, 0);
    struct xd_partner_profile *p =
        priv->arena != NULL ? xd_arena_calloc(priv->arena, 1, sizeof *p) : NULL;
    if (p == NULL) {
        xd_arena_destroy(priv->arena);
        xd_free(priv);
        return XD_ENOMEM;
    }
    atomic_init(&priv->refs, 1);
    p->priv_ = priv;
    *out = p;
    return XD_OK;
}

enum xd_status xd_partner__profile_keep_json(struct xd_partner_profile *p, json_t *j)
{
    struct xd_partner_profile__priv *v = p->priv_;
    if (v->n_json == v->cap_json) {
        size_t ncap = v->cap_json ? v->cap_json * 2 : 4;
        json_t **g = xd_reallocarray(v->json, ncap, sizeof *g);
        if (g == NULL) {
            json_decref(j);
            return XD_ENOMEM;
        }
        v->json = g;
        v->cap_json = ncap;
    }
    v->json[v->n_json++] = j;
    return XD_OK;
}

enum xd_status xd_partner__profile_keep_flat(struct xd_partner_profile *p, struct xd_flat_map *m)
{
    struct xd_partner_profile__priv *v = p->priv_;
    if (v->n_flats == v->cap_flats) {
        size_t ncap = v->cap_flats ? v->cap_flats * 2 : 4;
        struct xd_flat_map **g = xd_reallocarray(v->flats, ncap, sizeof *g);
        if (g == NULL) {
            xd_flat_map_destroy(m);
            return XD_ENOMEM;
        }
        v->flats = g;
        v->cap_flats = ncap;
    }
    v->flats[v->n_flats++] = m;
    return XD_OK;
}

struct xd_partner_profile *xd_partner_profile_ref(const struct xd_partner_profile *p)
{
    if (p == NULL) {
        return NULL;
    }
    atomic_fetch_add(&p->priv_->refs, 1);
    return (struct xd_partner_profile *)p;
}

void xd_partner_profile_unref(const struct xd_partner_profile *cp)
{
    if (cp == NULL || atomic_fetch_sub(&cp->priv_->refs, 1) != 1) {
        return;
    }
    struct xd_partner_profile *p = (struct xd_partner_profile *)cp;
    struct xd_partner_profile__priv *v = p->priv_;
    for (size_t i = 0; i < p->n_credentials; i++) {
        xd_secret_destroy(p->credentials[i].value);
    }
    for (size_t i = 0; i < v->n_json; i++) {
        json_decref(v->json[i]);
    }
    for (size_t i = 0; i < v->n_flats; i++) {
        xd_flat_map_destroy(v->flats[i]);
    }
    xd_x12_map_destroy(v->x12_read);
    xd_x12_map_destroy(v->x12_write);
    xd_free(v->json);
    xd_free(v->flats);
    xd_arena_destroy(v->arena); /* the profile itself lives in it */
    xd_free(v);
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing */

enum xd_status xd_partner_parse(const char *text, size_t len, enum xd_partner_syntax syntax,
                                struct xd_partner_profile **out,
                                struct xd_partner_problems *problems)
{
    struct xd_partner__tree tree;
    enum xd_status st = xd_partner__tree_read(text, len, syntax, &tree, problems);
    if (st != XD_OK) {
        return st;
    }
    struct xd_partner_profile *p = NULL;
    st = xd_partner__profile_new(&p);
    if (st != XD_OK) {
        xd_partner__tree_cleanup(&tree);
        return st;
    }
    struct xd_partner__ctx c = {
        .problems = problems, .arena = p->priv_->arena, .tree = &tree, .profile = p};
    xd_partner__decode(&c, tree.root);
    if (!c.oom && c.n_problems == 0 && xd_partner__index_build(p) != XD_OK) {
        c.oom = true;
    }
    if (!c.oom && c.n_problems == 0) {
        xd_partner__rules_run(&c);
    }
    for (size_t i = 0; i < XD_CANON_TYPE_COUNT; i++) {
        json_decref(c.schemas[i]);
    }
    xd_partner__tree_cleanup(&tree);
    if (c.oom || (problems != NULL && problems->oom)) {
        st = XD_ENOMEM;
    } else if (c.n_problems > 0) {
        st = XD_EINVALDOC;
    }
    if (st != XD_OK) {
        xd_partner_profile_unref(p);
        return st;
    }
    *out = p;
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Queries */

const struct xd_partner_document *xd_partner_document_in(const struct xd_partner_profile *p,
                                                         enum xd_canon_type type, int format)
{
    for (size_t i = 0; i < p->n_documents; i++) {
        const struct xd_partner_document *d = &p->documents[i];
        if (d->direction == XD_PARTNER_IN && d->type == type &&
            (format < 0 || (int)d->format == format)) {
            return d;
        }
    }
    return NULL;
}

const struct xd_partner_document *xd_partner_document_out(const struct xd_partner_profile *p,
                                                          enum xd_canon_type type)
{
    for (size_t i = 0; i < p->n_documents; i++) {
        if (p->documents[i].direction == XD_PARTNER_OUT && p->documents[i].type == type) {
            return &p->documents[i];
        }
    }
    return NULL;
}

const struct xd_partner_endpoint *xd_partner_endpoint_find(const struct xd_partner_profile *p,
                                                           const char *name)
{
    for (size_t i = 0; name != NULL && i < p->outbound.n_endpoints; i++) {
        if (strcmp(p->outbound.endpoints[i].name, name) == 0) {
            return &p->outbound.endpoints[i];
        }
    }
    return NULL;
}

const struct xd_partner_endpoint *xd_partner_endpoint_for(const struct xd_partner_profile *p,
                                                          enum xd_canon_type type)
{
    const struct xd_partner_document *d = xd_partner_document_out(p, type);
    if (d == NULL) {
        return NULL;
    }
    if (d->endpoint != NULL) {
        return xd_partner_endpoint_find(p, d->endpoint);
    }
    return p->outbound.n_endpoints == 1 ? &p->outbound.endpoints[0] : NULL;
}

const struct xd_partner_credential *xd_partner_credential_find(const struct xd_partner_profile *p,
                                                               const char *name)
{
    for (size_t i = 0; name != NULL && i < p->n_credentials; i++) {
        if (strcmp(p->credentials[i].name, name) == 0) {
            return &p->credentials[i];
        }
    }
    return NULL;
}

const struct xd_partner_inbox_rule *xd_partner_inbox_match(const struct xd_partner_profile *p,
                                                           const char *file_name)
{
    const struct xd_partner_inbox *in = p->inbound.inbox;
    if (in == NULL || !in->enabled || file_name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < in->n_files; i++) {
        if (fnmatch(in->files[i].pattern, file_name, 0) == 0) {
            return &in->files[i];
        }
    }
    return NULL;
}

bool xd_partner_http_accepts(const struct xd_partner_profile *p, enum xd_partner_format f)
{
    const struct xd_partner_http_in *h = p->inbound.http;
    for (size_t i = 0; h != NULL && h->enabled && i < h->n_formats; i++) {
        if (h->formats[i] == f) {
            return true;
        }
    }
    return false;
}

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

const char *xd_partner_location_id(const struct xd_partner_profile *p, const char *code,
                                   const char *gln)
{
    for (size_t i = 0; i < p->mapping.n_locations; i++) {
        const struct xd_partner_location_xref *x = &p->mapping.locations[i];
        if (same(x->code, code) || same(x->gln, gln)) {
            return x->location_id;
        }
    }
    return NULL;
}

const char *xd_partner_party_id(const struct xd_partner_profile *p, const char *code,
                                const char *gln, const char *duns)
{
    for (size_t i = 0; i < p->mapping.n_parties; i++) {
        const struct xd_partner_party_xref *x = &p->mapping.parties[i];
        if (same(x->code, code) || same(x->gln, gln) || same(x->duns, duns)) {
            return x->party_id;
        }
    }
    return NULL;
}

const char *xd_partner_uom(const struct xd_partner_profile *p, const char *partner_code)
{
    if (partner_code == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < p->mapping.units.n_codes; i++) {
        if (strcmp(p->mapping.units.codes[i].key, partner_code) == 0) {
            return p->mapping.units.codes[i].value;
        }
    }
    return xd_canon_uom_valid(partner_code) ? partner_code : NULL;
}
