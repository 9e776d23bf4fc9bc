/* SPDX-License-Identifier: MIT
 * The delivery registry over partner profiles (endpoints.h): the mapping of one profile
 * endpoint to delivery configuration, and lookup, each and generation over the registry's
 * current snapshot with a fallback registry behind it.
 * Threads: no state of its own besides what create was given; every call takes its own
 * snapshot. Plaintext credentials live in a struct xd_secret for the moment they are copied
 * into the caller's configuration, then are destroyed (wiped). */
#include "endpoints/endpoints.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct xd_endpoints {
    struct xd_partner_registry *partners;
    struct xd_deliver_registry fallback;
    bool has_fallback;
};

enum xd_status xd_endpoints_create(struct xd_partner_registry *partners,
                                   const struct xd_deliver_registry *fallback,
                                   struct xd_endpoints **out)
{
    struct xd_endpoints *e = xd_calloc(1, sizeof *e);
    if (e == NULL) {
        return XD_ENOMEM;
    }
    e->partners = partners;
    if (fallback != NULL) {
        e->fallback = *fallback;
        e->has_fallback = true;
    }
    *out = e;
    return XD_OK;
}

void xd_endpoints_destroy(struct xd_endpoints *e)
{
    xd_free(e);
}

/* ------------------------------------------------------------------------------------------ */
/* One endpoint */

static void wipe_secrets(struct xd_deliver_endpoint *out)
{
    memset(&out->auth, 0, sizeof out->auth);
    memset(out->signing_key, 0, sizeof out->signing_key);
    out->signing_key_len = 0;
}

/* Mark the endpoint unusable with a reason (never a secret) and drop its secrets. */
static enum xd_status unusable(struct xd_deliver_endpoint *out, const char *fmt, ...)
    XD_PRINTF(2, 3);

static enum xd_status unusable(struct xd_deliver_endpoint *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->config_error, sizeof out->config_error, fmt, ap);
    va_end(ap);
    wipe_secrets(out);
    return XD_OK;
}

/* Copy <src> into <dst> of <cap> bytes; false when it does not fit. */
static bool copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;
    if (n >= cap) {
        return false;
    }
    memcpy(dst, src != NULL ? src : "", n);
    dst[n] = '\0';
    return true;
}

/* Open credential <name> of <p>. XD_OK with *out, XD_ENOMEM, or any other status with the
 * endpoint marked unusable (*out NULL). */
static enum xd_status open_credential(struct xd_partner_registry *partners,
                                      const struct xd_partner_profile *p, const char *what,
                                      const char *name, struct xd_secret **out,
                                      struct xd_deliver_endpoint *e)
{
    struct xd_error err;
    xd_error_clear(&err);
    *out = NULL;
    enum xd_status st = xd_partner_credential_open(partners, p, name, out, &err);
    if (st == XD_ENOMEM) {
        return st;
    }
    if (st != XD_OK) {
        unusable(e, "%s: credential %s cannot be opened: %s", what, name, err.message);
        return st;
    }
    return XD_OK;
}

/* The secret's bytes as a C string into <dst>; false when they hold a NUL or do not fit. */
static bool secret_text(const struct xd_secret *s, char *dst, size_t cap)
{
    size_t len = 0;
    const uint8_t *v = xd_secret_reveal(s, &len);
    if (len >= cap || memchr(v, '\0', len) != NULL) {
        return false;
    }
    memcpy(dst, v, len);
    dst[len] = '\0';
    return true;
}

static enum xd_status map_auth(struct xd_partner_registry *partners,
                               const struct xd_partner_profile *p, const struct xd_partner_auth *a,
                               struct xd_deliver_endpoint *out)
{
    static const enum xd_deliver_auth_kind kinds[] = {
        [XD_PARTNER_AUTH_BEARER] = XD_DELIVER_AUTH_BEARER,
        [XD_PARTNER_AUTH_BASIC] = XD_DELIVER_AUTH_BASIC,
        [XD_PARTNER_AUTH_HEADER] = XD_DELIVER_AUTH_HEADER,
    };
    struct xd_secret *sec = NULL;
    enum xd_status st = open_credential(partners, p, "auth", a->credential, &sec, out);
    if (st != XD_OK) {
        return st == XD_ENOMEM ? st : XD_OK;
    }
    out->auth.kind = kinds[a->type];
    bool ok = secret_text(sec, out->auth.secret, sizeof out->auth.secret);
    xd_secret_destroy(sec);
    if (!ok) {
        return unusable(out, "auth: credential %s is longer than %d bytes or holds a NUL",
                        a->credential, XD_DELIVER_CREDENTIAL_MAX);
    }
    if (a->type == XD_PARTNER_AUTH_HEADER &&
        !copy(out->auth.header, sizeof out->auth.header, a->header)) {
        return unusable(out, "auth.header: longer than %d bytes", XD_DELIVER_HEADER_NAME);
    }
    if (a->type == XD_PARTNER_AUTH_BASIC) {
        const struct xd_partner_credential *cr = xd_partner_credential_find(p, a->credential);
        if (cr == NULL || !copy(out->auth.username, sizeof out->auth.username, cr->username)) {
            return unusable(out,
                            "auth: the username of credential %s is missing or longer "
                            "than %d bytes",
                            a->credential, XD_DELIVER_USERNAME_MAX);
        }
    }
    return XD_OK;
}

/* Standard Webhooks secrets are "whsec_" + base64; a key given any other way is its bytes. */
static enum xd_status map_signing(struct xd_partner_registry *partners,
                                  const struct xd_partner_profile *p, const char *name,
                                  struct xd_deliver_endpoint *out)
{
    struct xd_secret *sec = NULL;
    enum xd_status st = open_credential(partners, p, "signing_secret", name, &sec, out);
    if (st != XD_OK) {
        return st == XD_ENOMEM ? st : XD_OK;
    }
    size_t len = 0;
    const uint8_t *v = xd_secret_reveal(sec, &len);
    const char *why = NULL;
    if (len >= 6 && memcmp(v, "whsec_", 6) == 0) {
        if (xd_deliver_secret_decode((const char *)v, out->signing_key, &out->signing_key_len) !=
            XD_OK) {
            why = "is whsec_ but not followed by base64 of at most 256 bytes";
        }
    } else if (len > sizeof out->signing_key) {
        why = "is longer than 256 bytes";
    } else {
        memcpy(out->signing_key, v, len);
        out->signing_key_len = len;
    }
    xd_secret_destroy(sec);
    return why != NULL ? unusable(out, "signing_secret: credential %s %s", name, why) : XD_OK;
}

/* Of the alternate partner's endpoints: the same name, its only one, or where it receives the
 * first document type <p> sends to <pe>. NULL when none fits. */
static const char *alternate_endpoint(const struct xd_partner_profile *p,
                                      const struct xd_partner_endpoint *pe,
                                      const struct xd_partner_profile *alt)
{
    if (xd_partner_endpoint_find(alt, pe->name) != NULL) {
        return pe->name;
    }
    if (alt->outbound.n_endpoints == 1) {
        return alt->outbound.endpoints[0].name;
    }
    for (size_t i = 0; i < p->n_documents; i++) {
        const struct xd_partner_document *d = &p->documents[i];
        if (d->direction != XD_PARTNER_OUT || xd_partner_endpoint_for(p, d->type) != pe) {
            continue;
        }
        const struct xd_partner_endpoint *ae = xd_partner_endpoint_for(alt, d->type);
        if (ae != NULL) {
            return ae->name;
        }
    }
    return NULL;
}

/* What the profile holds as plain values: copied, bounded. False (and unusable) when something
 * does not fit the delivery configuration. */
static bool map_plain(const struct xd_partner_profile *p, const struct xd_partner_endpoint *pe,
                      struct xd_deliver_endpoint *out)
{
    static const enum xd_deliver_kind kinds[] = {
        [XD_PARTNER_ENDPOINT_HTTP] = XD_DELIVER_HTTP,
        [XD_PARTNER_ENDPOINT_WEBHOOK] = XD_DELIVER_WEBHOOK,
        [XD_PARTNER_ENDPOINT_FILE] = XD_DELIVER_FILE,
        [XD_PARTNER_ENDPOINT_ERP] = XD_DELIVER_ERP,
    };
    out->kind = kinds[pe->kind];
    snprintf(out->method, sizeof out->method, "%s",
             pe->method == XD_PARTNER_METHOD_PUT ? "PUT" : "POST");
    /* An erp endpoint is the ERP's API: its URL is shown as the endpoint's target. */
    const char *url = pe->kind == XD_PARTNER_ENDPOINT_ERP && p->erp != NULL ? p->erp->url : pe->url;
    if (pe->kind != XD_PARTNER_ENDPOINT_FILE && !copy(out->url, sizeof out->url, url)) {
        unusable(out, "url: longer than %d bytes", XD_DELIVER_URL_MAX);
        return false;
    }
    if (pe->n_headers > XD_DELIVER_HEADERS_MAX ||
        pe->n_allow_private_networks > XD_DELIVER_ALLOW_MAX) {
        unusable(out, "more than %d headers or private networks", XD_DELIVER_HEADERS_MAX);
        return false;
    }
    for (size_t i = 0; i < pe->n_headers; i++) {
        if (!copy(out->headers[i].name, sizeof out->headers[i].name, pe->headers[i].key) ||
            !copy(out->headers[i].value, sizeof out->headers[i].value, pe->headers[i].value)) {
            unusable(out, "headers: %.64s is too long", pe->headers[i].key);
            return false;
        }
    }
    out->n_headers = pe->n_headers;
    for (size_t i = 0; i < pe->n_allow_private_networks; i++) {
        if (xd_deliver_cidr_parse(pe->allow_private_networks[i], &out->allow[i]) != XD_OK) {
            unusable(out, "allow_private_networks: %.64s is not an address range",
                     pe->allow_private_networks[i]);
            return false;
        }
    }
    out->n_allow = pe->n_allow_private_networks;
    out->connect_timeout_ms = pe->connect_timeout_ms;
    out->timeout_ms = pe->timeout_ms;
    out->ordered = pe->ordered;
    out->max_in_flight = (uint32_t)pe->max_in_flight;
    const struct xd_partner_outbound *ob = &p->outbound;
    out->retry.max_attempts = (uint32_t)ob->retry.max_attempts;
    out->retry.max_age_ms = ob->retry.max_age_ms;
    out->retry.base_ms = ob->retry.backoff_base_ms;
    out->retry.max_ms = ob->retry.backoff_max_ms;
    out->breaker.failures = (uint32_t)ob->circuit_breaker.failures_to_open;
    out->breaker.open_ms = ob->circuit_breaker.pause_ms;
    return true;
}

enum xd_status xd_endpoints_map(struct xd_partner_registry *partners,
                                const struct xd_partner_snapshot *snap,
                                const struct xd_partner_profile *p,
                                const struct xd_partner_endpoint *pe,
                                struct xd_deliver_endpoint *out)
{
    xd_deliver_endpoint_defaults(out);
    if (!copy(out->partner, sizeof out->partner, p->id) ||
        !copy(out->name, sizeof out->name, pe->name)) {
        return XD_EINVAL; /* profile ids and endpoint names are at most 64 bytes */
    }
    const struct xd_partner_failover *fo = p->outbound.failover;
    if (fo != NULL) {
        const struct xd_partner_profile *alt =
            snap != NULL ? xd_partner_snapshot_find(snap, fo->alternate) : NULL;
        const char *alt_ep = alt != NULL ? alternate_endpoint(p, pe, alt) : NULL;
        snprintf(out->alternate_partner, sizeof out->alternate_partner, "%s", fo->alternate);
        snprintf(out->alternate_endpoint, sizeof out->alternate_endpoint, "%s",
                 alt_ep != NULL ? alt_ep : "");
        out->failover_after_ms = fo->after_ms;
    }
    if (!map_plain(p, pe, out)) {
        return XD_OK;
    }
    enum xd_status st = XD_OK;
    if (pe->auth != NULL) {
        st = map_auth(partners, p, pe->auth, out);
    }
    if (st == XD_OK && out->config_error[0] == '\0' && pe->signing_secret != NULL) {
        st = map_signing(partners, p, pe->signing_secret, out);
    }
    if (st != XD_OK) {
        wipe_secrets(out);
        return st;
    }
    struct xd_error err;
    xd_error_clear(&err);
    if (out->config_error[0] == '\0' && xd_deliver_endpoint_check(out, &err) != XD_OK) {
        /* The profile's own rules passed; this is what delivery cannot send (its messages
         * name fields, never secret values). */
        unusable(out, "%s", err.message);
    }
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* The registry interface */

static enum xd_status reg_lookup(void *arg, const char *partner, const char *name,
                                 struct xd_deliver_endpoint *out)
{
    struct xd_endpoints *e = arg;
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(e->partners);
    const struct xd_partner_profile *p = xd_partner_snapshot_find(snap, partner);
    const struct xd_partner_endpoint *pe =
        p != NULL && name != NULL ? xd_partner_endpoint_find(p, name) : NULL;
    enum xd_status st = XD_ENOTFOUND;
    if (pe != NULL) {
        st = xd_endpoints_map(e->partners, snap, p, pe, out);
    }
    xd_partner_snapshot_release(snap);
    if (pe == NULL && e->has_fallback) {
        st = e->fallback.lookup(e->fallback.arg, partner, name, out);
    }
    return st;
}

struct each_ctx {
    const struct xd_partner_snapshot *snap;
    xd_deliver_each_fn fn;
    void *fn_arg;
};

/* The fallback's endpoints that no profile defines. */
static enum xd_status each_unshadowed(void *arg, const struct xd_deliver_endpoint *ep)
{
    struct each_ctx *c = arg;
    const struct xd_partner_profile *p = xd_partner_snapshot_find(c->snap, ep->partner);
    if (p != NULL && xd_partner_endpoint_find(p, ep->name) != NULL) {
        return XD_OK;
    }
    return c->fn(c->fn_arg, ep);
}

static enum xd_status reg_each(void *arg, xd_deliver_each_fn fn, void *fn_arg)
{
    struct xd_endpoints *e = arg;
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(e->partners);
    /* One configuration at a time (it is large, and holds secrets only while fn runs). */
    struct xd_deliver_endpoint *ep = xd_malloc(sizeof *ep);
    enum xd_status st = ep != NULL ? XD_OK : XD_ENOMEM;
    for (size_t i = 0; st == XD_OK && i < xd_partner_snapshot_count(snap); i++) {
        const struct xd_partner_profile *p = xd_partner_snapshot_at(snap, i);
        for (size_t k = 0; st == XD_OK && k < p->outbound.n_endpoints; k++) {
            st = xd_endpoints_map(e->partners, snap, p, &p->outbound.endpoints[k], ep);
            if (st == XD_OK) {
                st = fn(fn_arg, ep);
            }
            wipe_secrets(ep);
        }
    }
    if (ep != NULL) {
        memset(ep, 0, sizeof *ep);
        xd_free(ep);
    }
    if (st == XD_OK && e->has_fallback) {
        struct each_ctx c = {.snap = snap, .fn = fn, .fn_arg = fn_arg};
        st = e->fallback.each(e->fallback.arg, each_unshadowed, &c);
    }
    xd_partner_snapshot_release(snap);
    return st;
}

/* Both counters only grow, so their sum changes whenever either does. */
static uint64_t reg_generation(void *arg)
{
    struct xd_endpoints *e = arg;
    uint64_t g = xd_partner_registry_generation(e->partners);
    return e->has_fallback ? g + e->fallback.generation(e->fallback.arg) : g;
}

void xd_endpoints_registry(struct xd_endpoints *e, struct xd_deliver_registry *out)
{
    *out = (struct xd_deliver_registry){
        .arg = e, .lookup = reg_lookup, .each = reg_each, .generation = reg_generation};
}
