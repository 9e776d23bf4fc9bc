/* SPDX-License-Identifier: MIT
 * Cross-reference rules: what no single field can check on its own. They run once every field
 * decoded cleanly (so a rule never repeats a field's problem), each reports at the path of the
 * field at fault, and the table at the end, with a sentence per rule, is also the "Rules" part
 * of docs/partner-profiles.md. A few rules complete the profile as they go: the default X12
 * set and version of a document, an x12 section with its defaults, the compiled flat maps. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "flat/flat.h"
#include "partner/partner_int.h"
#include "x12/x12.h"

#define X12_DEFAULT_VERSION "004010"

/* A path built from a format, for rules that report outside the decoder's walk. */
static const char *pathf(char *buf, size_t cap, const char *fmt, ...) XD_PRINTF(3, 4);

static const char *pathf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return buf;
}

/* credentials.<name> or credentials["<name>"], as the decoder writes map keys. */
static const char *cred_path(char *buf, size_t cap, const char *name, const char *suffix)
{
    bool plain = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name);
    return pathf(buf, cap, plain ? "credentials.%s%s" : "credentials[\"%s\"]%s", name, suffix);
}

static bool eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char *type_name(enum xd_canon_type t)
{
    return xd_canon_type_name(t);
}

/* ------------------------------------------------------------------------------------------ */
/* Endpoints */

/* The host of an http(s) URL (brackets of an IPv6 literal removed) into <out>. */
static void url_host(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p != NULL ? p + 3 : url;
    size_t n;
    if (*p == '[') {
        p++;
        n = strcspn(p, "]");
    } else {
        n = strcspn(p, ":/?");
    }
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(out, p, n);
    out[n] = '\0';
}

static bool allowed_address(const struct xd_partner_endpoint *e, const uint8_t *a, size_t n)
{
    for (size_t i = 0; i < e->n_allow_private_networks; i++) {
        const char *cidr = e->allow_private_networks[i];
        uint8_t net[16];
        size_t nn;
        unsigned bits;
        if (xd_partner__ip_parse(cidr, strlen(cidr), true, net, &nn, &bits) &&
            xd_partner__ip_in(a, n, net, nn, bits)) {
            return true;
        }
    }
    return false;
}

/* A URL naming a private address outright is refused here already; names that resolve to one
 * are the delivery engine's to refuse, at connection time. */
static void check_url_address(struct xd_partner__ctx *c, const struct xd_partner_endpoint *e,
                              size_t i)
{
    char host[256];
    char path[96];
    url_host(e->url, host, sizeof host);
    uint8_t a[16];
    size_t n;
    unsigned bits;
    bool localhost = strcasecmp(host, "localhost") == 0 ||
                     (strlen(host) > 10 && strcasecmp(host + strlen(host) - 10, ".localhost") == 0);
    if (localhost) {
        static const uint8_t loop[4] = {127, 0, 0, 1};
        memcpy(a, loop, 4);
        n = 4;
    } else if (!xd_partner__ip_parse(host, strlen(host), false, a, &n, &bits)) {
        return;
    }
    if (xd_partner__ip_private(a, n) && !allowed_address(e, a, n)) {
        xd_partner__report_at(c, pathf(path, sizeof path, "outbound.endpoints[%zu].url", i),
                              "private_address",
                              "%s is a loopback, link-local or private address; add its range to "
                              "allow_private_networks to allow it",
                              host);
    }
}

static void rule_endpoints(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    char path[96];
    for (size_t i = 0; i < p->outbound.n_endpoints; i++) {
        const struct xd_partner_endpoint *e = &p->outbound.endpoints[i];
        for (size_t j = 0; j < i; j++) {
            if (eq(e->name, p->outbound.endpoints[j].name)) {
                xd_partner__report_at(
                    c, pathf(path, sizeof path, "outbound.endpoints[%zu].name", i), "conflict",
                    "endpoint name '%s' is already used by endpoints[%zu]", e->name, j);
            }
        }
        bool erp = e->kind == XD_PARTNER_ENDPOINT_ERP;
        bool file = e->kind == XD_PARTNER_ENDPOINT_FILE || erp; /* no address of its own */
        bool webhook = e->kind == XD_PARTNER_ENDPOINT_WEBHOOK;
        const struct {
            bool bad;
            const char *field;
            const char *code;
            const char *msg;
        } checks[] = {
            {!file && e->url == NULL, "url", "required", "http and webhook endpoints need a url"},
            {file && e->url != NULL, "url", "unexpected",
             erp ? "an erp endpoint posts to erp.url" : "a file endpoint has no url"},
            {file && !erp && e->filename == NULL, "filename", "required",
             "a file endpoint needs a filename template"},
            {(!file || erp) && e->filename != NULL, "filename", "unexpected",
             "only file endpoints have a filename"},
            {file && e->auth != NULL, "auth", "unexpected",
             erp ? "an erp endpoint logs in with erp.credential" : "a file endpoint has no auth"},
            {file && e->n_headers > 0, "headers", "unexpected",
             "file and erp endpoints have no headers"},
            {erp && (p->role != XD_PARTNER_ROLE_ERP || p->erp == NULL), "kind", "unexpected",
             "only a partner with role erp and an erp section has an erp endpoint"},
            {webhook && e->signing_secret == NULL, "signing_secret", "required",
             "webhooks are signed: name an hmac_key credential"},
            {!webhook && e->signing_secret != NULL, "signing_secret", "unexpected",
             "only webhook endpoints are signed"},
            {webhook && e->method != XD_PARTNER_METHOD_POST, "method", "enum",
             "webhooks are sent with POST"},
            {file && e->n_allow_private_networks > 0, "allow_private_networks", "unexpected",
             "a file endpoint has no network address"},
            {e->connect_timeout_ms > e->timeout_ms, "connect_timeout", "range",
             "must not be longer than timeout"},
            {e->auth != NULL && e->auth->type == XD_PARTNER_AUTH_HEADER && e->auth->header == NULL,
             "auth.header", "required", "auth type header needs the header's name"},
            {e->auth != NULL && e->auth->type != XD_PARTNER_AUTH_HEADER && e->auth->header != NULL,
             "auth.header", "unexpected", "only auth type header names a header"},
        };
        for (size_t k = 0; k < XD_ARRAY_LEN(checks); k++) {
            if (checks[k].bad) {
                xd_partner__report_at(
                    c, pathf(path, sizeof path, "outbound.endpoints[%zu].%s", i, checks[k].field),
                    checks[k].code, "%s", checks[k].msg);
            }
        }
        if (e->url != NULL) {
            check_url_address(c, e, i);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Credentials */

static const char *const credential_kind_names[] = {"token", "password", "hmac_key"};

static void need_credential(struct xd_partner__ctx *c, const struct xd_partner_profile *p,
                            const char *path, const char *name,
                            enum xd_partner_credential_kind kind, bool *used)
{
    for (size_t i = 0; i < p->n_credentials; i++) {
        const struct xd_partner_credential *cr = &p->credentials[i];
        if (!eq(cr->name, name)) {
            continue;
        }
        used[i] = true;
        if (cr->type != kind) {
            xd_partner__report_at(c, path, "reference", "credential '%s' is a %s; this needs a %s",
                                  name, credential_kind_names[cr->type],
                                  credential_kind_names[kind]);
        }
        return;
    }
    xd_partner__report_at(c, path, "reference", "there is no credential '%s' under credentials",
                          name);
}

static void rule_credentials(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    bool used[32] = {false};
    char path[128];
    for (size_t i = 0; i < p->outbound.n_endpoints; i++) {
        const struct xd_partner_endpoint *e = &p->outbound.endpoints[i];
        if (e->auth != NULL) {
            enum xd_partner_credential_kind k = e->auth->type == XD_PARTNER_AUTH_BASIC
                                                    ? XD_PARTNER_CREDENTIAL_PASSWORD
                                                    : XD_PARTNER_CREDENTIAL_TOKEN;
            need_credential(c, p,
                            pathf(path, sizeof path, "outbound.endpoints[%zu].auth.credential", i),
                            e->auth->credential, k, used);
        }
        if (e->signing_secret != NULL) {
            need_credential(c, p,
                            pathf(path, sizeof path, "outbound.endpoints[%zu].signing_secret", i),
                            e->signing_secret, XD_PARTNER_CREDENTIAL_HMAC_KEY, used);
        }
    }
    if (p->erp != NULL) {
        need_credential(c, p, "erp.credential", p->erp->credential, XD_PARTNER_CREDENTIAL_PASSWORD,
                        used);
    }
    for (size_t i = 0; i < p->n_credentials; i++) {
        const struct xd_partner_credential *cr = &p->credentials[i];
        bool password = cr->type == XD_PARTNER_CREDENTIAL_PASSWORD;
        if (password && cr->username == NULL) {
            xd_partner__report_at(c, cred_path(path, sizeof path, cr->name, ".username"),
                                  "required", "a password credential needs a username");
        } else if (!password && cr->username != NULL) {
            xd_partner__report_at(c, cred_path(path, sizeof path, cr->name, ".username"),
                                  "unexpected", "only password credentials have a username");
        }
        if (!used[i]) {
            xd_partner__report_at(c, cred_path(path, sizeof path, cr->name, ""), "unused",
                                  "credential '%s' is not used by any endpoint or connector "
                                  "(remove it, so no stale secret is kept)",
                                  cr->name);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Documents */

static bool set_allowed(enum xd_canon_type t, const char *set)
{
    const char *const *sets = xd_partner__x12_sets(t);
    for (size_t i = 0; sets != NULL && sets[i] != NULL; i++) {
        if (strcmp(sets[i], set) == 0) {
            return true;
        }
    }
    return false;
}

static void flat_map_problems(struct xd_partner__ctx *c, size_t i, const struct xd_diags *d)
{
    char path[XD_PARTNER__PATH_MAX];
    for (size_t k = 0; k < d->count; k++) {
        pathf(path, sizeof path, "documents[%zu].map%s%s", i, d->items[k].path[0] ? "." : "",
              d->items[k].path);
        xd_partner__report_at(c, path, "map", "%s", d->items[k].message);
    }
    if (d->dropped > 0) {
        pathf(path, sizeof path, "documents[%zu].map", i);
        xd_partner__report_at(c, path, "map", "and %zu more problems in the map", d->dropped);
    }
}

static void compile_map(struct xd_partner__ctx *c, struct xd_partner_document *d, size_t i)
{
    char path[96];
    struct xd_diags diags;
    xd_diags_init(&diags, 50);
    struct xd_flat_map *m = NULL;
    enum xd_status st = xd_flat_map_create(d->map, &m, &diags);
    if (st == XD_ENOMEM || diags.oom) {
        c->oom = true;
    } else if (st != XD_OK) {
        flat_map_problems(c, i, &diags);
    } else {
        const char *want = d->format == XD_PARTNER_FORMAT_CSV ? "csv" : "fixed";
        const char *fmt = json_string_value(json_object_get(d->map, "format"));
        if (strcmp(xd_flat_map_document_type(m), type_name(d->type)) != 0) {
            xd_partner__report_at(c,
                                  pathf(path, sizeof path, "documents[%zu].map.document_type", i),
                                  "conflict", "the map makes %s documents, the entry is for %s",
                                  xd_flat_map_document_type(m), type_name(d->type));
        }
        if (fmt == NULL || strcmp(fmt, want) != 0) {
            xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].map.format", i),
                                  "conflict", "the entry's format %s needs a map of format %s",
                                  xd_partner_format_name(d->format), want);
        }
        if (xd_partner__profile_keep_flat(c->profile, m) != XD_OK) {
            c->oom = true;
        } else {
            d->flat = m;
        }
    }
    xd_diags_cleanup(&diags);
}

static void x12_document(struct xd_partner__ctx *c, struct xd_partner_document *d, size_t i)
{
    char path[96];
    char why[160];
    if (xd_partner__x12_sets(d->type) == NULL) {
        xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].type", i), "enum",
                              "no X12 transaction set carries %s", type_name(d->type));
        return;
    }
    if (d->x12_set == NULL) {
        d->x12_set = xd_partner__x12_sets(d->type)[0];
    } else if (!set_allowed(d->type, d->x12_set)) {
        xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].set", i), "enum",
                              "X12 %s does not carry %s (use %s)", d->x12_set, type_name(d->type),
                              xd_partner__x12_sets(d->type)[0]);
    }
    if (d->version == NULL) {
        d->version = X12_DEFAULT_VERSION;
    } else if (!xd_partner__sclasses[XD_PARTNER__C_X12_VERSION].check(
                   d->version, strlen(d->version), why, sizeof why)) {
        xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].version", i), "format",
                              "'%s' %s", d->version, why);
    }
}

static void document_endpoint(struct xd_partner__ctx *c, const struct xd_partner_profile *p,
                              const struct xd_partner_document *d, size_t i)
{
    char path[96];
    const struct xd_partner_endpoint *e = NULL;
    if (d->endpoint != NULL) {
        e = xd_partner_endpoint_find(p, d->endpoint);
        if (e == NULL) {
            xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].endpoint", i),
                                  "reference", "there is no endpoint '%s' under outbound.endpoints",
                                  d->endpoint);
        }
    } else if (p->outbound.n_endpoints == 1) {
        e = &p->outbound.endpoints[0];
    } else {
        xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu]", i),
                              p->outbound.n_endpoints == 0 ? "reference" : "required",
                              p->outbound.n_endpoints == 0
                                  ? "an outbound document needs an endpoint under "
                                    "outbound.endpoints"
                                  : "name the endpoint: there are several");
    }
    bool json_only =
        e != NULL && (e->kind == XD_PARTNER_ENDPOINT_WEBHOOK || e->kind == XD_PARTNER_ENDPOINT_ERP);
    if (json_only && d->format != XD_PARTNER_FORMAT_JSON) {
        xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].format", i), "conflict",
                              "%s endpoint '%s' carries json only",
                              e->kind == XD_PARTNER_ENDPOINT_ERP ? "erp" : "webhook", e->name);
    }
}

/* The X12 engine's maps of the partner, compiled once with the profile. Reading checks units
 * against the canonical code list, so the profile's unit spellings (mapping.units.codes) feed
 * the read map's "uom" unless mapping.x12 names its own; writing uses mapping.x12 as it is. A
 * description the engine refuses leaves both NULL and says why (the harness and the renderer
 * report it when they need the map). */
static struct xd_x12_map *x12_map(struct xd_partner__ctx *c, json_t *spec,
                                  struct xd_partner_profile__priv *v)
{
    struct xd_diags diags;
    xd_diags_init(&diags, 1);
    struct xd_x12_map *m = NULL;
    enum xd_status st = xd_x12_map_create(spec, &m, &diags);
    if (st == XD_ENOMEM || diags.oom) {
        c->oom = true;
    } else if (st != XD_OK && v->x12_map_problem == NULL) {
        const char *why = diags.count > 0 ? diags.items[0].message : xd_strerror(st);
        v->x12_map_problem = xd_arena_strndup(c->arena, why, strlen(why));
    }
    xd_diags_cleanup(&diags);
    return m;
}

static void compile_x12_maps(struct xd_partner__ctx *c, struct xd_partner_profile *p)
{
    struct xd_partner_profile__priv *v = c->profile->priv_;
    const struct xd_partner_units *u = &p->mapping.units;
    json_t *spec = p->mapping.x12 != NULL ? json_deep_copy(p->mapping.x12) : json_object();
    if (spec != NULL && u->n_codes > 0 && json_object_get(spec, "uom") == NULL) {
        json_t *uom = json_object();
        for (size_t i = 0; uom != NULL && i < u->n_codes; i++) {
            if (json_object_set_new(uom, u->codes[i].key, json_string(u->codes[i].value)) != 0) {
                json_decref(uom);
                uom = NULL;
            }
        }
        if (uom == NULL || json_object_set_new(spec, "uom", uom) != 0) {
            json_decref(spec);
            spec = NULL;
        }
    }
    if (spec == NULL) {
        c->oom = true;
        return;
    }
    xd_x12_map_destroy(v->x12_read);
    xd_x12_map_destroy(v->x12_write);
    v->x12_read = x12_map(c, spec, v);
    v->x12_write = x12_map(c, (json_t *)p->mapping.x12, v);
    json_decref(spec);
    p->mapping.x12_read = v->x12_read;
    p->mapping.x12_write = v->x12_write;
    p->mapping.x12_problem = v->x12_map_problem;
}

static void rule_documents(struct xd_partner__ctx *c, const struct xd_partner_profile *cp)
{
    struct xd_partner_profile *p = c->profile;
    (void)cp;
    char path[96];
    bool any_x12 = false;
    for (size_t i = 0; i < p->n_documents; i++) {
        struct xd_partner_document *d = &p->documents[i];
        for (size_t j = 0; j < i; j++) {
            const struct xd_partner_document *o = &p->documents[j];
            bool dup = o->type == d->type && o->direction == d->direction &&
                       (d->direction == XD_PARTNER_OUT || o->format == d->format);
            if (dup) {
                xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu]", i), "conflict",
                                      "%s %s is already configured by documents[%zu]%s",
                                      type_name(d->type),
                                      d->direction == XD_PARTNER_IN ? "in" : "out", j,
                                      d->direction == XD_PARTNER_OUT ? " (one format per "
                                                                       "outbound type)"
                                                                     : "");
            }
        }
        bool flat =
            d->format == XD_PARTNER_FORMAT_CSV || d->format == XD_PARTNER_FORMAT_FIXED_WIDTH;
        bool x12 = d->format == XD_PARTNER_FORMAT_X12;
        any_x12 |= x12;
        if (flat && d->map == NULL) {
            xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].map", i), "required",
                                  "%s documents need a flat map",
                                  xd_partner_format_name(d->format));
        } else if (!flat && d->map != NULL) {
            xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].map", i),
                                  "unexpected", "only csv and fixed_width documents have a map");
        } else if (flat) {
            compile_map(c, d, i);
        }
        if (x12) {
            x12_document(c, d, i);
        } else if (d->x12_set != NULL || d->version != NULL) {
            xd_partner__report_at(
                c, pathf(path, sizeof path, "documents[%zu].%s", i, d->x12_set ? "set" : "version"),
                "unexpected", "set and version are for x12 documents");
        }
        if (d->direction == XD_PARTNER_OUT) {
            document_endpoint(c, p, d, i);
        } else if (d->endpoint != NULL) {
            xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu].endpoint", i),
                                  "unexpected", "only outbound documents go to an endpoint");
        }
    }
    if (any_x12 && (p->identifiers.isa_qualifier == NULL || p->identifiers.isa_id == NULL)) {
        xd_partner__report_at(c, "identifiers", "required",
                              "X12 documents need identifiers.isa_qualifier and isa_id (the hub "
                              "checks every interchange's sender against them)");
    }
    if (any_x12 && p->x12 == NULL) {
        p->x12 = xd_arena_calloc(c->arena, 1, sizeof *p->x12);
        if (p->x12 == NULL) {
            c->oom = true;
            return;
        }
        const struct xd_partner__field *f = &xd_partner__profile_schema.fields[0];
        while (strcmp(f->key, "x12") != 0) {
            f++;
        }
        xd_partner__defaults(c, f->child, p->x12);
    }
    if (!any_x12 && p->mapping.x12 != NULL) {
        xd_partner__report_at(c, "mapping.x12", "unexpected",
                              "X12 mapping choices without any x12 document");
    }
    compile_x12_maps(c, p);
}

/* ------------------------------------------------------------------------------------------ */
/* Inbound channels */

static bool has_in_format(const struct xd_partner_profile *p, enum xd_partner_format f)
{
    for (size_t i = 0; i < p->n_documents; i++) {
        if (p->documents[i].direction == XD_PARTNER_IN && p->documents[i].format == f) {
            return true;
        }
    }
    return false;
}

static bool inbox_takes(const struct xd_partner_profile *p, const struct xd_partner_document *d)
{
    const struct xd_partner_inbox *in = p->inbound.inbox;
    for (size_t i = 0; in != NULL && in->enabled && i < in->n_files; i++) {
        const struct xd_partner_inbox_rule *r = &in->files[i];
        if (r->format == d->format && (!r->has_document || r->document == d->type)) {
            return true;
        }
    }
    return false;
}

static void rule_inbound(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    char path[96];
    const struct xd_partner_http_in *h = p->inbound.http;
    for (size_t i = 0; h != NULL && i < h->n_formats; i++) {
        for (size_t j = 0; j < i; j++) {
            if (h->formats[j] == h->formats[i]) {
                xd_partner__report_at(c, pathf(path, sizeof path, "inbound.http.formats[%zu]", i),
                                      "conflict", "%s is listed twice",
                                      xd_partner_format_name(h->formats[i]));
            }
        }
        if (!has_in_format(p, h->formats[i])) {
            xd_partner__report_at(c, pathf(path, sizeof path, "inbound.http.formats[%zu]", i),
                                  "reference", "no inbound document (under documents) is %s",
                                  xd_partner_format_name(h->formats[i]));
        }
    }
    const struct xd_partner_inbox *in = p->inbound.inbox;
    for (size_t i = 0; in != NULL && i < in->n_files; i++) {
        const struct xd_partner_inbox_rule *r = &in->files[i];
        bool flat =
            r->format == XD_PARTNER_FORMAT_CSV || r->format == XD_PARTNER_FORMAT_FIXED_WIDTH;
        for (size_t j = 0; j < i; j++) {
            if (eq(in->files[j].pattern, r->pattern)) {
                xd_partner__report_at(
                    c, pathf(path, sizeof path, "inbound.inbox.files[%zu].pattern", i), "conflict",
                    "pattern '%s' is already used by files[%zu]", r->pattern, j);
            }
        }
        if (flat && !r->has_document) {
            xd_partner__report_at(c, pathf(path, sizeof path, "inbound.inbox.files[%zu]", i),
                                  "required", "%s files need their document type",
                                  xd_partner_format_name(r->format));
        } else if (r->has_document ? xd_partner_document_in(p, r->document, (int)r->format) == NULL
                                   : !has_in_format(p, r->format)) {
            xd_partner__report_at(c, pathf(path, sizeof path, "inbound.inbox.files[%zu]", i),
                                  "reference", "no inbound document (under documents) is %s%s%s",
                                  r->has_document ? type_name(r->document) : "",
                                  r->has_document ? " in " : "", xd_partner_format_name(r->format));
        }
    }
    if (p->role == XD_PARTNER_ROLE_ERP) {
        return; /* the ERP's documents come through its connector */
    }
    for (size_t i = 0; i < p->n_documents; i++) {
        const struct xd_partner_document *d = &p->documents[i];
        if (d->direction == XD_PARTNER_IN && !xd_partner_http_accepts(p, d->format) &&
            !inbox_takes(p, d)) {
            xd_partner__report_at(c, pathf(path, sizeof path, "documents[%zu]", i), "reference",
                                  "no enabled inbound channel takes %s %s (inbound.http.formats or "
                                  "an inbox rule)",
                                  type_name(d->type), xd_partner_format_name(d->format));
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Identifiers, X12, outbound policy */

static void rule_identifiers(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    const struct xd_partner_identifiers *id = &p->identifiers;
    if ((id->isa_qualifier == NULL) != (id->isa_id == NULL)) {
        xd_partner__report_at(
            c, id->isa_id == NULL ? "identifiers.isa_id" : "identifiers.isa_qualifier", "required",
            "isa_qualifier and isa_id go together");
    }
    const struct xd_partner_x12 *x = p->x12;
    if (x == NULL) {
        return;
    }
    if ((x->hub_qualifier == NULL) != (x->hub_id == NULL)) {
        xd_partner__report_at(c, x->hub_id == NULL ? "x12.hub_id" : "x12.hub_qualifier", "required",
                              "hub_qualifier and hub_id go together");
    }
    const char *const delims[] = {x->element_separator, x->component_separator,
                                  x->repetition_separator, x->segment_terminator};
    static const char *const names[] = {"element_separator", "component_separator",
                                        "repetition_separator", "segment_terminator"};
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < i; j++) {
            if (eq(delims[i], delims[j])) {
                char path[64];
                xd_partner__report_at(c, pathf(path, sizeof path, "x12.%s", names[i]), "conflict",
                                      "'%s' is already the %s", delims[i], names[j]);
            }
        }
    }
}

static void rule_outbound(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    const struct xd_partner_outbound *o = &p->outbound;
    if (o->retry.backoff_max_ms < o->retry.backoff_base_ms) {
        xd_partner__report_at(c, "outbound.retry.backoff_max", "range",
                              "must not be shorter than backoff_base");
    }
    if (o->failover != NULL && eq(o->failover->alternate, p->id)) {
        xd_partner__report_at(c, "outbound.failover.alternate", "reference",
                              "a partner cannot be its own alternate");
    }
    if (o->failover != NULL && o->n_endpoints == 0) {
        xd_partner__report_at(c, "outbound.failover", "reference",
                              "failover needs endpoints whose breaker can open");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Mapping */

static void rule_items(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    static const char *const kinds[] = {"vendor_part", "buyer_part", "gtin"};
    char path[96];
    const struct xd_partner_mapping *m = &p->mapping;
    const struct xd_partner_profile__priv *v = p->priv_;
    for (size_t i = 0; i < m->n_items; i++) {
        const struct xd_partner_item_xref *x = &m->items[i];
        if (x->vendor_part == NULL && x->buyer_part == NULL && x->gtin == NULL) {
            xd_partner__report_at(c, pathf(path, sizeof path, "mapping.items[%zu]", i), "required",
                                  "give the partner's vendor_part, buyer_part or gtin for %s",
                                  x->sku);
        }
    }
    /* Neighbours in a sorted index share an id; the same id naming two SKUs is ambiguous (the
     * same SKU twice is only redundant). */
    for (int k = 0; k < 3; k++) {
        enum xd_partner__item_key key = (enum xd_partner__item_key)k;
        for (size_t i = 1; i < v->n_by_id[k]; i++) {
            const struct xd_partner_item_xref *x = v->by_id[k][i];
            const struct xd_partner_item_xref *y = v->by_id[k][i - 1];
            if (!eq(xd_partner__item_key(x, key), xd_partner__item_key(y, key)) ||
                eq(x->sku, y->sku)) {
                continue;
            }
            size_t xi = (size_t)(x - m->items);
            size_t yi = (size_t)(y - m->items);
            size_t later = xi > yi ? xi : yi;
            size_t first = xi > yi ? yi : xi;
            xd_partner__report_at(
                c, pathf(path, sizeof path, "mapping.items[%zu].%s", later, kinds[k]), "conflict",
                "'%s' already maps to %s in items[%zu]", xd_partner__item_key(x, key),
                m->items[first].sku, first);
        }
    }
}

static void rule_units(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    char path[96];
    const struct xd_partner_units *u = &p->mapping.units;
    const struct xd_partner_profile__priv *v = p->priv_;
    bool ambiguous = false;
    for (size_t i = 0; i < u->n_conversions; i++) {
        const struct xd_partner_conversion *cv = &u->conversions[i];
        if (strcmp(cv->from, cv->to) == 0) {
            xd_partner__report_at(c,
                                  pathf(path, sizeof path, "mapping.units.conversions[%zu].to", i),
                                  "conflict", "converts %s to itself", cv->from);
            ambiguous = true;
        }
    }
    for (size_t i = 1; i < v->n_conv; i++) {
        const struct xd_partner_conversion *x = v->conv[i];
        const struct xd_partner_conversion *y = v->conv[i - 1];
        bool same_scope =
            (x->sku == NULL) == (y->sku == NULL) && (x->sku == NULL || eq(x->sku, y->sku));
        if (!same_scope || strcmp(x->from, y->from) != 0) {
            continue;
        }
        size_t xi = (size_t)(x - u->conversions);
        size_t yi = (size_t)(y - u->conversions);
        xd_partner__report_at(
            c, pathf(path, sizeof path, "mapping.units.conversions[%zu]", xi > yi ? xi : yi),
            "conflict", "%s already converts%s%s by conversions[%zu]", x->from,
            x->sku ? " for " : "", x->sku ? x->sku : "", xi > yi ? yi : xi);
        ambiguous = true;
    }
    if (ambiguous) {
        return; /* a cycle check over ambiguous conversions would only add noise */
    }
    /* Follow each conversion's chain for its item (global ones stand for every item). A chain
     * longer than the number of conversions has come back to a unit it left. */
    for (size_t i = 0; i < u->n_conversions; i++) {
        const struct xd_partner_conversion *cv = &u->conversions[i];
        const struct xd_partner_conversion *at = cv;
        for (size_t steps = 0; at != NULL && steps <= u->n_conversions; steps++) {
            if (strcmp(at->to, cv->from) == 0) {
                xd_partner__report_at(c,
                                      pathf(path, sizeof path, "mapping.units.conversions[%zu]", i),
                                      "cycle", "converting %s%s%s comes back to %s", cv->from,
                                      cv->sku ? " of " : "", cv->sku ? cv->sku : "", cv->from);
                return;
            }
            at = xd_partner__conversion_next(p, cv->sku, at->to);
        }
    }
}

static void rule_locations_parties(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    char path[96];
    const struct xd_partner_mapping *m = &p->mapping;
    for (size_t i = 0; i < m->n_locations; i++) {
        const struct xd_partner_location_xref *x = &m->locations[i];
        if (x->code == NULL && x->gln == NULL) {
            xd_partner__report_at(c, pathf(path, sizeof path, "mapping.locations[%zu]", i),
                                  "required", "give the partner's code or gln for %s",
                                  x->location_id);
        }
        for (size_t j = 0; j < i; j++) {
            const struct xd_partner_location_xref *y = &m->locations[j];
            const char *clash = eq(x->code, y->code) ? "code" : eq(x->gln, y->gln) ? "gln" : NULL;
            if (clash != NULL) {
                xd_partner__report_at(
                    c, pathf(path, sizeof path, "mapping.locations[%zu].%s", i, clash), "conflict",
                    "already maps to %s in locations[%zu]", y->location_id, j);
            }
        }
    }
    for (size_t i = 0; i < m->n_parties; i++) {
        const struct xd_partner_party_xref *x = &m->parties[i];
        if (x->code == NULL && x->gln == NULL && x->duns == NULL) {
            xd_partner__report_at(c, pathf(path, sizeof path, "mapping.parties[%zu]", i),
                                  "required", "give the partner's code, gln or duns for %s",
                                  x->party_id);
        }
        for (size_t j = 0; j < i; j++) {
            const struct xd_partner_party_xref *y = &m->parties[j];
            const char *clash = eq(x->code, y->code)   ? "code"
                                : eq(x->gln, y->gln)   ? "gln"
                                : eq(x->duns, y->duns) ? "duns"
                                                       : NULL;
            if (clash != NULL) {
                xd_partner__report_at(
                    c, pathf(path, sizeof path, "mapping.parties[%zu].%s", i, clash), "conflict",
                    "already maps to %s in parties[%zu]", y->party_id, j);
            }
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Canonical members (code lists, SLA dates): looked up in canon's JSON Schema. */

static const json_t *resolve_ref(const json_t *root, const json_t *node)
{
    const char *ref = json_string_value(json_object_get(node, "$ref"));
    if (ref == NULL || strncmp(ref, "#/$defs/", 8) != 0) {
        return node;
    }
    return json_object_get(json_object_get(root, "$defs"), ref + 8);
}

const json_t *xd_partner__canon_member(struct xd_partner__ctx *c, enum xd_canon_type t,
                                       const char *path)
{
    if (c->schemas[t] == NULL) {
        struct xd_buf b;
        xd_buf_init(&b, (size_t)4 * 1024 * 1024);
        if (xd_canon_schema(t, &b) == XD_OK) {
            c->schemas[t] = json_loadb(b.data, b.len, 0, NULL);
        }
        xd_buf_cleanup(&b);
        if (c->schemas[t] == NULL) {
            c->oom = true;
            return NULL;
        }
    }
    const json_t *root = c->schemas[t];
    const json_t *node = root;
    const char *p = path;
    while (*p != '\0') {
        size_t n = strcspn(p, ".[");
        char name[80];
        if (n == 0 || n >= sizeof name) {
            return NULL;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        node = json_object_get(json_object_get(node, "properties"), name);
        if (node == NULL) {
            return NULL;
        }
        node = resolve_ref(root, node);
        bool is_array = eq(json_string_value(json_object_get(node, "type")), "array");
        bool brackets = p[0] == '[' && p[1] == ']';
        if (is_array != brackets) {
            return NULL;
        }
        if (brackets) {
            node = resolve_ref(root, json_object_get(node, "items"));
            p += 2;
        }
        if (*p == '.') {
            p++;
        }
    }
    return node;
}

static bool enum_has(const json_t *en, const char *code)
{
    size_t i;
    json_t *v;
    json_array_foreach(en, i, v)
    {
        if (eq(json_string_value(v), code)) {
            return true;
        }
    }
    return false;
}

static void rule_code_lists(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    char path[160];
    const struct xd_partner_mapping *m = &p->mapping;
    for (size_t i = 0; i < m->n_code_lists && !c->oom; i++) {
        const struct xd_partner_code_list *cl = &m->code_lists[i];
        for (size_t j = 0; j < i; j++) {
            if (m->code_lists[j].document == cl->document && eq(m->code_lists[j].path, cl->path)) {
                xd_partner__report_at(c, pathf(path, sizeof path, "mapping.code_lists[%zu]", i),
                                      "conflict", "%s %s is already translated by code_lists[%zu]",
                                      type_name(cl->document), cl->path, j);
            }
        }
        const json_t *node = xd_partner__canon_member(c, cl->document, cl->path);
        if (node == NULL || !eq(json_string_value(json_object_get(node, "type")), "string")) {
            xd_partner__report_at(c, pathf(path, sizeof path, "mapping.code_lists[%zu].path", i),
                                  "reference",
                                  "%s has no text member %s (see "
                                  "docs/canonical-documents.md; lists are written name[])",
                                  type_name(cl->document), cl->path);
            continue;
        }
        const json_t *en = json_object_get(node, "enum");
        for (size_t k = 0; en != NULL && k < cl->n_map; k++) {
            if (!enum_has(en, cl->map[k].value)) {
                char seg[120];
                bool plain =
                    strspn(cl->map[k].key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
                                           "VWXYZ0123456789_") == strlen(cl->map[k].key);
                snprintf(seg, sizeof seg, plain ? ".%s" : "[\"%s\"]", cl->map[k].key);
                xd_partner__report_at(
                    c, pathf(path, sizeof path, "mapping.code_lists[%zu].map%s", i, seg), "code",
                    "'%s' is not a code of %s %s", cl->map[k].value, type_name(cl->document),
                    cl->path);
            }
        }
    }
}

static void rule_slas(struct xd_partner__ctx *c, const struct xd_partner_profile *cp)
{
    struct xd_partner_profile *p = c->profile;
    (void)cp;
    char path[96];
    for (size_t i = 0; i < p->n_slas && !c->oom; i++) {
        struct xd_partner_sla *s = &p->slas[i];
        bool before = s->before != NULL;
        if (s->has_after == before) {
            xd_partner__report_at(c, pathf(path, sizeof path, "slas[%zu]", i), "required",
                                  "give either after (with within) or before");
            continue;
        }
        if (s->has_after && s->within_ms == 0) {
            xd_partner__report_at(c, pathf(path, sizeof path, "slas[%zu].within", i), "required",
                                  "after needs within: how long after it is due");
        }
        if (before && s->within_ms != 0) {
            xd_partner__report_at(c, pathf(path, sizeof path, "slas[%zu].within", i), "unexpected",
                                  "within goes with after; before takes lead");
        }
        if (s->has_after && s->lead_ms != 0) {
            xd_partner__report_at(c, pathf(path, sizeof path, "slas[%zu].lead", i), "unexpected",
                                  "lead goes with before");
        }
        if (s->has_after && s->after == s->expect) {
            xd_partner__report_at(c, pathf(path, sizeof path, "slas[%zu].after", i), "conflict",
                                  "a document cannot be due after itself");
        }
        if (s->has_after && s->within_ms != 0 && s->at_risk_ms >= s->within_ms) {
            xd_partner__report_at(c, pathf(path, sizeof path, "slas[%zu].at_risk", i), "range",
                                  "must be shorter than within");
        }
        if (before) {
            const char *dot = strchr(s->before, '.');
            enum xd_canon_type t;
            const json_t *node = NULL;
            if (xd_canon_type_parse(s->before, (size_t)(dot - s->before), &t) == XD_OK) {
                s->before_document = t;
                s->before_member = dot + 1;
                node = xd_partner__canon_member(c, t, dot + 1);
            }
            const char *fmt = json_string_value(json_object_get(node, "format"));
            if (!eq(fmt, "date") && !eq(fmt, "date-time")) {
                xd_partner__report_at(c, pathf(path, sizeof path, "slas[%zu].before", i),
                                      "reference", "%s is not a date member of a document type",
                                      s->before);
            }
        }
        for (size_t j = 0; j < i; j++) {
            const struct xd_partner_sla *o = &p->slas[j];
            if (o->expect == s->expect && o->has_after == s->has_after &&
                (s->has_after ? o->after == s->after : eq(o->before, s->before))) {
                xd_partner__report_at(c, pathf(path, sizeof path, "slas[%zu]", i), "conflict",
                                      "the same SLA as slas[%zu]", j);
            }
        }
    }
}

static void rule_erp(struct xd_partner__ctx *c, const struct xd_partner_profile *p)
{
    /* An ERP without an erp section has no connector: the hub posts to its endpoints like to
     * any partner's (a simulator, an ERP's own REST intake). */
    if (p->role != XD_PARTNER_ROLE_ERP && p->erp != NULL) {
        xd_partner__report_at(c, "erp", "unexpected", "only a partner with role erp has one");
    }
    /* The database names a path segment of the ERP's URL (Tryton: <url>/<database>/). */
    const char *db = p->erp != NULL ? p->erp->database : NULL;
    for (size_t i = 0; db != NULL && db[i] != '\0'; i++) {
        char ch = db[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
        if (!ok) {
            xd_partner__report_at(c, "erp.database", "format",
                                  "'%s': only letters, digits, '_', '-' and '.' (it is part of "
                                  "the ERP's URL)",
                                  db);
            break;
        }
    }
}

const struct xd_partner__rule xd_partner__rules[] = {
    {"Endpoint names are unique. http and webhook endpoints have a url; webhook endpoints a "
     "signing_secret and method POST; file endpoints a filename and no url, auth, headers or "
     "allow_private_networks; erp endpoints (role erp with an erp section only) post to erp.url "
     "and have no url, filename, auth, headers or allow_private_networks. connect_timeout is at "
     "most timeout; auth type header names its "
     "header. A url whose host is a loopback, link-local or private address (or localhost) "
     "must fall inside allow_private_networks.",
     rule_endpoints},
    {"Every credential named (auth.credential, signing_secret, erp.credential) exists and is of "
     "the kind it needs: bearer and header auth a token, basic auth and the ERP a password, "
     "signing a hmac_key. Password credentials have a username, others none. Every credential "
     "is used.",
     rule_credentials},
    {"One entry per type, direction and format, and one outbound entry per type. csv and "
     "fixed_width entries have a flat map that compiles and makes documents of their type and "
     "format; others have none. set and version are for x12 (defaults: the type's usual set, "
     "004010), and the set must carry the type. An outbound entry names an existing endpoint, "
     "or there is exactly one; webhook and erp endpoints carry json. X12 documents need "
     "identifiers.isa_qualifier and isa_id; mapping.x12 needs an x12 document.",
     rule_documents},
    {"Each format inbound.http accepts, and each inbox rule, has an inbound document entry of "
     "that format (and type, when the rule names one); csv and fixed_width rules name their "
     "type; patterns are unique. Every inbound document arrives on an enabled channel (the "
     "ERP's through its connector).",
     rule_inbound},
    {"identifiers.isa_qualifier and isa_id go together, as do x12.hub_qualifier and hub_id; the "
     "four X12 delimiters differ.",
     rule_identifiers},
    {"retry.backoff_max is at least backoff_base. A failover alternate is another partner, and "
     "failover needs endpoints.",
     rule_outbound},
    {"Each item cross-reference gives at least one partner id, and no partner id maps to two "
     "SKUs.",
     rule_items},
    {"A conversion goes between two different units; a unit has at most one conversion per item "
     "and one for all items; following conversions never comes back to where it started, for "
     "any item.",
     rule_units},
    {"Each location cross-reference gives a code or gln, each party one a code, gln or duns; none "
     "maps to two of ours.",
     rule_locations_parties},
    {"A code list names a text member of its document type (lists written name[]); codes it maps "
     "to belong to that member's code list; one code list per document and member.",
     rule_code_lists},
    {"An SLA has either after with within, or before (a date member of a document type, such as "
     "purchase_order.requested_delivery_date) with an optional lead; at_risk is shorter than "
     "within; no two SLAs expect the same document from the same anchor.",
     rule_slas},
    {"Only a partner with role erp has an erp section (without one, an ERP has no connector and "
     "gets its postings on its endpoints). erp.database is letters, digits, _ - and . (a "
     "segment of the ERP's URL).",
     rule_erp},
};
const size_t xd_partner__n_rules = XD_ARRAY_LEN(xd_partner__rules);

void xd_partner__rules_run(struct xd_partner__ctx *c)
{
    for (size_t i = 0; i < xd_partner__n_rules && !c->oom; i++) {
        xd_partner__rules[i].check(c, c->profile);
    }
}
