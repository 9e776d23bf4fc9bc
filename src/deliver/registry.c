/* SPDX-License-Identifier: MIT
 * Endpoint configuration: defaults, validation, and the in-memory registry with its JSON form
 * (docs/delivery.md, "Endpoint configuration"). The JSON reader is table-driven: each numeric
 * and string field is one row (object, key, offset, bounds), so a new option is one line and an
 * unknown key is an error rather than a silent typo.
 * Threads: a registry is shared by the engine and the HTTP server; one rwlock guards its
 * endpoints, and the generation counter changes under it. */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "deliver/deliver_int.h"
#include "store/store.h"

#define FILE_MAX ((size_t)4 * 1024 * 1024)

static const char *const kind_names[] = {
    [XD_DELIVER_HTTP] = "http",
    [XD_DELIVER_WEBHOOK] = "webhook",
    [XD_DELIVER_FILE] = "file",
    [XD_DELIVER_ERP] = "erp",
};

const char *xd_deliver_kind_name(enum xd_deliver_kind k)
{
    return (size_t)k < XD_ARRAY_LEN(kind_names) ? kind_names[k] : "unknown";
}

enum xd_status xd_deliver_kind_parse(const char *name, enum xd_deliver_kind *out)
{
    for (size_t i = 0; name != NULL && i < XD_ARRAY_LEN(kind_names); i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (enum xd_deliver_kind)i;
            return XD_OK;
        }
    }
    return XD_EINVAL;
}

void xd_deliver_endpoint_defaults(struct xd_deliver_endpoint *e)
{
    memset(e, 0, sizeof *e);
    e->kind = XD_DELIVER_WEBHOOK;
    snprintf(e->method, sizeof e->method, "POST");
    e->connect_timeout_ms = 5000;
    e->timeout_ms = 30000;
    e->ordered = true;
    e->max_in_flight = 8;
    e->retry.max_attempts = 10;
    e->retry.max_age_ms = (int64_t)24 * 3600 * 1000;
    e->retry.base_ms = 1000;
    e->retry.max_ms = (int64_t)5 * 60 * 1000;
    e->breaker.failures = 5;
    e->breaker.open_ms = 30000;
    e->failover_after_ms = (int64_t)5 * 60 * 1000;
}

/* ------------------------------------------------------------------------------------------ */
/* Validation */

/* Headers the engine sets itself: a configuration may not replace them. */
static const char *const reserved_headers[] = {
    "authorization",     "content-type", "content-length",
    "idempotency-key",   "webhook-id",   "webhook-timestamp",
    "webhook-signature", "host",         "transfer-encoding",
    "connection",        "expect",       "x-correlation-id",
};

static enum xd_status bad(struct xd_error *err, const char *field, const char *why)
{
    xd_error_set(err, XD_EINVAL, "%s: %s", field, why);
    xd_error_at(err, field, -1, 0);
    return XD_EINVAL;
}

static bool token_chars(const char *s)
{
    size_t n = strlen(s);
    return n > 0 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static bool printable(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s < 0x20 || *s > 0x7e) {
            return false;
        }
    }
    return true;
}

/* No control characters (a password goes into Basic credentials base64-encoded, but RFC 7617
 * excludes them all the same). */
static bool no_controls(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return false;
        }
    }
    return true;
}

static bool reserved(const char *name)
{
    for (size_t k = 0; k < XD_ARRAY_LEN(reserved_headers); k++) {
        if (strcasecmp(name, reserved_headers[k]) == 0) {
            return true;
        }
    }
    return false;
}

static enum xd_status check_headers(const struct xd_deliver_endpoint *e, struct xd_error *err)
{
    if (e->n_headers > XD_DELIVER_HEADERS_MAX) {
        return bad(err, "headers", "too many");
    }
    for (size_t i = 0; i < e->n_headers; i++) {
        const char *name = e->headers[i].name;
        if (!token_chars(name)) {
            return bad(err, "headers", "a header name must be letters, digits, '-' or '_'");
        }
        if (reserved(name)) {
            return bad(err, "headers", "sets a header the hub sets itself");
        }
        if (!printable(e->headers[i].value)) {
            return bad(err, "headers", "a header value must be printable ASCII");
        }
    }
    return XD_OK;
}

/* The messages name the field, never the secret's value. */
static enum xd_status check_auth(const struct xd_deliver_endpoint *e, struct xd_error *err)
{
    const struct xd_deliver_auth *a = &e->auth;
    if (a->kind == XD_DELIVER_AUTH_NONE) {
        return a->secret[0] == '\0' ? XD_OK : bad(err, "auth", "a secret without a type");
    }
    if (e->kind == XD_DELIVER_FILE || e->kind == XD_DELIVER_ERP) {
        return bad(err, "auth", "file and erp endpoints have no authentication");
    }
    if ((size_t)a->kind > XD_DELIVER_AUTH_HEADER || a->secret[0] == '\0') {
        return bad(err, "auth", "needs a type and a secret");
    }
    if (a->kind == XD_DELIVER_AUTH_BASIC) {
        if (!printable(a->username) || strchr(a->username, ':') != NULL) {
            return bad(err, "basic_username", "must be printable ASCII without ':'");
        }
        return no_controls(a->secret)
                   ? XD_OK
                   : bad(err, "basic_password", "must not hold control characters");
    }
    /* Bearer tokens and API keys go into a header line as they are. */
    if (!printable(a->secret)) {
        return bad(err, a->kind == XD_DELIVER_AUTH_BEARER ? "bearer_token" : "api_key",
                   "must be printable ASCII");
    }
    if (a->kind == XD_DELIVER_AUTH_HEADER) {
        if (!token_chars(a->header) || reserved(a->header)) {
            return bad(err, "api_key_header", "must be a header name the hub does not set itself");
        }
        for (size_t i = 0; i < e->n_headers; i++) {
            if (strcasecmp(e->headers[i].name, a->header) == 0) {
                return bad(err, "api_key_header", "is also among the extra headers");
            }
        }
    }
    return XD_OK;
}

static enum xd_status check_bounds(const struct xd_deliver_endpoint *e, struct xd_error *err)
{
    if (e->connect_timeout_ms < 1 || e->timeout_ms < 1 || e->connect_timeout_ms > e->timeout_ms) {
        return bad(err, "timeout_ms", "timeouts must be positive, connect no longer than total");
    }
    if (e->max_in_flight < 1 || e->max_in_flight > XD_DELIVER_IN_FLIGHT_MAX) {
        return bad(err, "max_in_flight", "must be 1..1024");
    }
    if (e->retry.max_attempts < 1 || e->retry.max_attempts > XD_DELIVER_ATTEMPTS_MAX) {
        return bad(err, "retry.max_attempts", "must be 1..1000");
    }
    if (e->retry.base_ms < 1 || e->retry.max_ms < e->retry.base_ms || e->retry.max_age_ms < 1) {
        return bad(err, "retry", "backoff_base_ms >= 1, backoff_max_ms >= base, max_age >= 1");
    }
    if (e->breaker.failures < 1 || e->breaker.open_ms < 1) {
        return bad(err, "breaker", "failures and open_ms must be at least 1");
    }
    if (e->failover_after_ms < 0 || e->n_allow > XD_DELIVER_ALLOW_MAX) {
        return bad(err, "alternate.after_ms", "must not be negative");
    }
    return XD_OK;
}

enum xd_status xd_deliver_endpoint_check(const struct xd_deliver_endpoint *e, struct xd_error *err)
{
    if (!xd_store_name_valid(e->partner)) {
        return bad(err, "partner", "must be 1-64 of [A-Za-z0-9._-], not starting with '.'");
    }
    if (!xd_store_name_valid(e->name)) {
        return bad(err, "name", "must be 1-64 of [A-Za-z0-9._-], not starting with '.'");
    }
    if ((size_t)e->kind >= XD_ARRAY_LEN(kind_names)) {
        return bad(err, "kind", "must be http, webhook, file or erp");
    }
    if (e->config_error[0] != '\0') {
        /* Known but unusable: nothing else of it is used, so nothing else need hold. */
        return printable(e->config_error) ? XD_OK
                                          : bad(err, "config_error", "must be printable ASCII");
    }
    if (e->kind != XD_DELIVER_FILE) {
        struct xd_deliver__url u;
        struct xd_error uerr = {0};
        if (xd_deliver__url_parse(e->url, &u, &uerr) != XD_OK) {
            return bad(err, "url", uerr.message);
        }
        if (strcmp(e->method, "POST") != 0 && strcmp(e->method, "PUT") != 0) {
            return bad(err, "method", "must be POST or PUT");
        }
    }
    if (e->kind == XD_DELIVER_WEBHOOK && e->signing_key_len == 0) {
        return bad(err, "webhook_secret", "a webhook endpoint needs a whsec_ signing secret");
    }
    if (e->alternate_partner[0] != '\0') {
        const char *alt_ep = e->alternate_endpoint[0] ? e->alternate_endpoint : e->name;
        if (!xd_store_name_valid(e->alternate_partner) || !xd_store_name_valid(alt_ep)) {
            return bad(err, "alternate", "partner and endpoint must be valid names");
        }
        if (strcmp(e->alternate_partner, e->partner) == 0 && strcmp(alt_ep, e->name) == 0) {
            return bad(err, "alternate", "an endpoint cannot be its own alternate");
        }
    }
    enum xd_status st = check_headers(e, err);
    if (st == XD_OK) {
        st = check_auth(e, err);
    }
    return st == XD_OK ? check_bounds(e, err) : st;
}

/* ------------------------------------------------------------------------------------------ */
/* The in-memory registry */

struct xd_deliver_memreg {
    pthread_rwlock_t lock;
    struct xd_deliver_endpoint *e;
    size_t n;
    size_t cap;
    uint64_t generation;
};

enum xd_status xd_deliver_memreg_create(struct xd_deliver_memreg **out)
{
    struct xd_deliver_memreg *r = xd_calloc(1, sizeof *r);
    if (r == NULL) {
        return XD_ENOMEM;
    }
    if (pthread_rwlock_init(&r->lock, NULL) != 0) {
        xd_free(r);
        return XD_ENOMEM;
    }
    *out = r;
    return XD_OK;
}

void xd_deliver_memreg_destroy(struct xd_deliver_memreg *r)
{
    if (r == NULL) {
        return;
    }
    pthread_rwlock_destroy(&r->lock);
    xd_free(r->e);
    xd_free(r);
}

static struct xd_deliver_endpoint *find(struct xd_deliver_memreg *r, const char *partner,
                                        const char *name)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->e[i].partner, partner) == 0 && strcmp(r->e[i].name, name) == 0) {
            return &r->e[i];
        }
    }
    return NULL;
}

/* Put <n> checked endpoints under the write lock; all or none (XD_ETOOBIG past the cap). */
static enum xd_status put_all(struct xd_deliver_memreg *r, const struct xd_deliver_endpoint *e,
                              size_t n, struct xd_error *err)
{
    pthread_rwlock_wrlock(&r->lock);
    size_t added = 0;
    for (size_t i = 0; i < n; i++) {
        added += find(r, e[i].partner, e[i].name) == NULL;
    }
    enum xd_status st = XD_OK;
    if (r->n + added > XD_DELIVER_MEMREG_MAX) {
        st = xd_error_set(err, XD_ETOOBIG, "more than %d endpoints", XD_DELIVER_MEMREG_MAX);
    } else if (r->n + added > r->cap) {
        size_t ncap = r->cap ? r->cap : 16;
        while (ncap < r->n + added) {
            ncap *= 2;
        }
        struct xd_deliver_endpoint *g = xd_reallocarray(r->e, ncap, sizeof *g);
        if (g == NULL) {
            st = xd_error_set(err, XD_ENOMEM, "out of memory");
        } else {
            r->e = g;
            r->cap = ncap;
        }
    }
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        struct xd_deliver_endpoint *slot = find(r, e[i].partner, e[i].name);
        *(slot != NULL ? slot : &r->e[r->n++]) = e[i];
    }
    if (st == XD_OK) {
        r->generation++;
    }
    pthread_rwlock_unlock(&r->lock);
    return st;
}

enum xd_status xd_deliver_memreg_put(struct xd_deliver_memreg *r,
                                     const struct xd_deliver_endpoint *e, struct xd_error *err)
{
    enum xd_status st = xd_deliver_endpoint_check(e, err);
    return st == XD_OK ? put_all(r, e, 1, err) : st;
}

static enum xd_status reg_lookup(void *arg, const char *partner, const char *name,
                                 struct xd_deliver_endpoint *out)
{
    struct xd_deliver_memreg *r = arg;
    pthread_rwlock_rdlock(&r->lock);
    const struct xd_deliver_endpoint *e = find(r, partner, name);
    if (e != NULL) {
        *out = *e;
    }
    pthread_rwlock_unlock(&r->lock);
    return e != NULL ? XD_OK : XD_ENOTFOUND;
}

static enum xd_status reg_each(void *arg, xd_deliver_each_fn fn, void *fn_arg)
{
    struct xd_deliver_memreg *r = arg;
    pthread_rwlock_rdlock(&r->lock);
    enum xd_status st = XD_OK;
    for (size_t i = 0; i < r->n && st == XD_OK; i++) {
        st = fn(fn_arg, &r->e[i]);
    }
    pthread_rwlock_unlock(&r->lock);
    return st;
}

static uint64_t reg_generation(void *arg)
{
    struct xd_deliver_memreg *r = arg;
    pthread_rwlock_rdlock(&r->lock);
    uint64_t g = r->generation;
    pthread_rwlock_unlock(&r->lock);
    return g;
}

void xd_deliver_memreg_registry(struct xd_deliver_memreg *r, struct xd_deliver_registry *out)
{
    *out = (struct xd_deliver_registry){
        .arg = r, .lookup = reg_lookup, .each = reg_each, .generation = reg_generation};
}

/* ------------------------------------------------------------------------------------------ */
/* The JSON form */

#define EP_FIELD(f) offsetof(struct xd_deliver_endpoint, f)

/* Numbers: <scale> turns the JSON unit into the stored one (max_age_s is kept in ms). */
static const struct num_field {
    const char *obj; /* NULL: the endpoint object itself */
    const char *key;
    size_t offset;
    bool is_u32;
    int64_t min, max, scale;
} nums[] = {
    {NULL, "connect_timeout_ms", EP_FIELD(connect_timeout_ms), false, 1, 600000, 1},
    {NULL, "timeout_ms", EP_FIELD(timeout_ms), false, 1, 3600000, 1},
    {NULL, "max_in_flight", EP_FIELD(max_in_flight), true, 1, XD_DELIVER_IN_FLIGHT_MAX, 1},
    {"retry", "max_attempts", EP_FIELD(retry.max_attempts), true, 1, XD_DELIVER_ATTEMPTS_MAX, 1},
    {"retry", "max_age_s", EP_FIELD(retry.max_age_ms), false, 1, 31536000, 1000},
    {"retry", "backoff_base_ms", EP_FIELD(retry.base_ms), false, 1, 86400000, 1},
    {"retry", "backoff_max_ms", EP_FIELD(retry.max_ms), false, 1, 86400000, 1},
    {"breaker", "failures", EP_FIELD(breaker.failures), true, 1, 1000, 1},
    {"breaker", "open_ms", EP_FIELD(breaker.open_ms), false, 1, 86400000, 1},
    {"alternate", "after_ms", EP_FIELD(failover_after_ms), false, 0, 2592000000, 1},
};

static const struct str_field {
    const char *obj;
    const char *key;
    size_t offset;
    size_t size;
} strs[] = {
    {NULL, "partner", EP_FIELD(partner), XD_DELIVER_NAME_MAX + 1},
    {NULL, "name", EP_FIELD(name), XD_DELIVER_NAME_MAX + 1},
    {NULL, "url", EP_FIELD(url), XD_DELIVER_URL_MAX + 1},
    {NULL, "method", EP_FIELD(method), 8},
    {"alternate", "partner", EP_FIELD(alternate_partner), XD_DELIVER_NAME_MAX + 1},
    {"alternate", "endpoint", EP_FIELD(alternate_endpoint), XD_DELIVER_NAME_MAX + 1},
    {NULL, "basic_username", EP_FIELD(auth.username), XD_DELIVER_USERNAME_MAX + 1},
    {NULL, "api_key_header", EP_FIELD(auth.header), XD_DELIVER_HEADER_NAME + 1},
};

/* Keys read by code rather than by the tables. */
static const char *const special_keys[] = {
    "kind",
    "ordered",
    "headers",
    "bearer_token",
    "bearer_token_env",
    "basic_username",
    "basic_password",
    "basic_password_env",
    "api_key_header",
    "api_key",
    "api_key_env",
    "webhook_secret",
    "webhook_secret_env",
    "allow_private",
    "retry",
    "breaker",
    "alternate",
};

struct reader {
    char where[64]; /* "endpoints[3]" */
    struct xd_error *err;
};

static enum xd_status fail_at(struct reader *rd, const char *obj, const char *key, const char *why)
{
    char field[160];
    snprintf(field, sizeof field, "%.63s.%.16s%s%.64s", rd->where, obj ? obj : "", obj ? "." : "",
             key);
    return bad(rd->err, field, why);
}

static bool same_obj(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool known_key(const char *obj, const char *key)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(nums); i++) {
        if (same_obj(nums[i].obj, obj) && strcmp(nums[i].key, key) == 0) {
            return true;
        }
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(strs); i++) {
        if (same_obj(strs[i].obj, obj) && strcmp(strs[i].key, key) == 0) {
            return true;
        }
    }
    for (size_t i = 0; obj == NULL && i < XD_ARRAY_LEN(special_keys); i++) {
        if (strcmp(special_keys[i], key) == 0) {
            return true;
        }
    }
    return false;
}

static enum xd_status no_unknown_keys(struct reader *rd, json_t *o, const char *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (!known_key(obj, key)) {
            return fail_at(rd, obj, key, "unknown option");
        }
    }
    return XD_OK;
}

static enum xd_status read_tables(struct reader *rd, json_t *ep, struct xd_deliver_endpoint *e)
{
    char *base = (char *)e;
    for (size_t i = 0; i < XD_ARRAY_LEN(nums); i++) {
        const struct num_field *f = &nums[i];
        json_t *o = f->obj ? json_object_get(ep, f->obj) : ep;
        json_t *v = o != NULL ? json_object_get(o, f->key) : NULL;
        if (v == NULL) {
            continue;
        }
        if (!json_is_integer(v) || json_integer_value(v) < f->min ||
            json_integer_value(v) > f->max) {
            char why[96];
            snprintf(why, sizeof why, "must be a whole number from %lld to %lld", (long long)f->min,
                     (long long)f->max);
            return fail_at(rd, f->obj, f->key, why);
        }
        int64_t n = (int64_t)json_integer_value(v) * f->scale;
        if (f->is_u32) {
            uint32_t u = (uint32_t)n;
            memcpy(base + f->offset, &u, sizeof u);
        } else {
            memcpy(base + f->offset, &n, sizeof n);
        }
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(strs); i++) {
        const struct str_field *f = &strs[i];
        json_t *o = f->obj ? json_object_get(ep, f->obj) : ep;
        json_t *v = o != NULL ? json_object_get(o, f->key) : NULL;
        if (v == NULL) {
            continue;
        }
        if (!json_is_string(v) || json_string_length(v) >= f->size ||
            strlen(json_string_value(v)) != json_string_length(v)) {
            return fail_at(rd, f->obj, f->key, "must be a string, not too long");
        }
        memcpy(base + f->offset, json_string_value(v), json_string_length(v) + 1);
    }
    return XD_OK;
}

/* A secret given inline or as the name of an environment variable. */
static enum xd_status read_secret(struct reader *rd, json_t *ep, const char *key, const char **out)
{
    char env_key[64];
    snprintf(env_key, sizeof env_key, "%s_env", key);
    json_t *inline_v = json_object_get(ep, key);
    json_t *env_v = json_object_get(ep, env_key);
    *out = NULL;
    if (inline_v != NULL && env_v != NULL) {
        return fail_at(rd, NULL, key, "give the secret inline or by environment, not both");
    }
    if (inline_v != NULL) {
        if (!json_is_string(inline_v)) {
            return fail_at(rd, NULL, key, "must be a string");
        }
        *out = json_string_value(inline_v);
    } else if (env_v != NULL) {
        if (!json_is_string(env_v)) {
            return fail_at(rd, NULL, env_key, "must be the name of an environment variable");
        }
        *out = getenv(json_string_value(env_v));
        if (*out == NULL) {
            return fail_at(rd, NULL, env_key, "the environment variable is not set");
        }
    }
    return XD_OK;
}

/* Authentication (at most one of bearer_token, basic_password, api_key, each inline or by
 * environment) and the webhook secret. */
static enum xd_status read_auth(struct reader *rd, json_t *ep, struct xd_deliver_endpoint *e)
{
    static const struct {
        const char *key;
        enum xd_deliver_auth_kind kind;
    } auths[] = {
        {"bearer_token", XD_DELIVER_AUTH_BEARER},
        {"basic_password", XD_DELIVER_AUTH_BASIC},
        {"api_key", XD_DELIVER_AUTH_HEADER},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(auths); i++) {
        const char *value = NULL;
        enum xd_status st = read_secret(rd, ep, auths[i].key, &value);
        if (st != XD_OK) {
            return st;
        }
        if (value == NULL) {
            continue;
        }
        if (e->auth.kind != XD_DELIVER_AUTH_NONE) {
            return fail_at(rd, NULL, auths[i].key,
                           "give one of bearer_token, basic_password "
                           "and api_key");
        }
        if (strlen(value) > XD_DELIVER_CREDENTIAL_MAX) {
            return fail_at(rd, NULL, auths[i].key, "too long");
        }
        e->auth.kind = auths[i].kind;
        snprintf(e->auth.secret, sizeof e->auth.secret, "%s", value);
    }
    if ((e->auth.username[0] != '\0') != (e->auth.kind == XD_DELIVER_AUTH_BASIC)) {
        return fail_at(rd, NULL, "basic_username", "goes with basic_password, and only with it");
    }
    if ((e->auth.header[0] != '\0') != (e->auth.kind == XD_DELIVER_AUTH_HEADER)) {
        return fail_at(rd, NULL, "api_key_header", "goes with api_key, and only with it");
    }
    const char *whsec = NULL;
    enum xd_status st = read_secret(rd, ep, "webhook_secret", &whsec);
    if (st == XD_OK && whsec != NULL &&
        xd_deliver_secret_decode(whsec, e->signing_key, &e->signing_key_len) != XD_OK) {
        st = fail_at(rd, NULL, "webhook_secret", "must be whsec_ followed by base64");
    }
    return st;
}

static enum xd_status read_specials(struct reader *rd, json_t *ep, struct xd_deliver_endpoint *e)
{
    json_t *v = json_object_get(ep, "kind");
    if (v != NULL &&
        (!json_is_string(v) || xd_deliver_kind_parse(json_string_value(v), &e->kind) != XD_OK)) {
        return fail_at(rd, NULL, "kind", "must be http, webhook or file");
    }
    v = json_object_get(ep, "ordered");
    if (v != NULL && !json_is_boolean(v)) {
        return fail_at(rd, NULL, "ordered", "must be true or false");
    }
    e->ordered = v != NULL ? json_is_true(v) : e->ordered;
    v = json_object_get(ep, "headers");
    if (v != NULL) {
        if (!json_is_object(v) || json_object_size(v) > XD_DELIVER_HEADERS_MAX) {
            return fail_at(rd, NULL, "headers", "must be an object of at most 32 names");
        }
        const char *name;
        json_t *hv;
        json_object_foreach(v, name, hv)
        {
            if (!json_is_string(hv) || strlen(name) > XD_DELIVER_HEADER_NAME ||
                json_string_length(hv) > XD_DELIVER_HEADER_VALUE) {
                return fail_at(rd, "headers", name, "must be a string, not too long");
            }
            snprintf(e->headers[e->n_headers].name, sizeof e->headers[0].name, "%s", name);
            snprintf(e->headers[e->n_headers].value, sizeof e->headers[0].value, "%s",
                     json_string_value(hv));
            e->n_headers++;
        }
    }
    v = json_object_get(ep, "allow_private");
    if (v != NULL) {
        if (!json_is_array(v) || json_array_size(v) > XD_DELIVER_ALLOW_MAX) {
            return fail_at(rd, NULL, "allow_private", "must be a list of at most 32 ranges");
        }
        size_t i;
        json_t *cv;
        json_array_foreach(v, i, cv)
        {
            if (!json_is_string(cv) ||
                xd_deliver_cidr_parse(json_string_value(cv), &e->allow[e->n_allow]) != XD_OK) {
                return fail_at(rd, NULL, "allow_private", "each entry is an address or a range");
            }
            e->n_allow++;
        }
    }
    return read_auth(rd, ep, e);
}

static enum xd_status read_endpoint(struct reader *rd, json_t *ep, struct xd_deliver_endpoint *e)
{
    xd_deliver_endpoint_defaults(e);
    if (!json_is_object(ep)) {
        return bad(rd->err, rd->where, "must be an object");
    }
    static const char *const objs[] = {"retry", "breaker", "alternate"};
    enum xd_status st = no_unknown_keys(rd, ep, NULL);
    for (size_t i = 0; st == XD_OK && i < XD_ARRAY_LEN(objs); i++) {
        json_t *o = json_object_get(ep, objs[i]);
        if (o != NULL && !json_is_object(o)) {
            st = fail_at(rd, NULL, objs[i], "must be an object");
        } else if (o != NULL) {
            st = no_unknown_keys(rd, o, objs[i]);
        }
    }
    if (st == XD_OK) {
        st = read_tables(rd, ep, e);
    }
    if (st == XD_OK) {
        st = read_specials(rd, ep, e);
    }
    if (st == XD_OK) {
        struct xd_error cerr = {0};
        if (xd_deliver_endpoint_check(e, &cerr) != XD_OK) {
            st = fail_at(rd, NULL, cerr.where,
                         strchr(cerr.message, ':') != NULL ? strchr(cerr.message, ':') + 2
                                                           : cerr.message);
        }
    }
    return st;
}

enum xd_status xd_deliver_memreg_parse(struct xd_deliver_memreg *r, const char *json, size_t len,
                                       struct xd_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return xd_error_set(err, XD_EPARSE, "line %d: %s", jerr.line, jerr.text);
    }
    json_t *list = json_object_get(root, "endpoints");
    enum xd_status st = XD_OK;
    if (!json_is_object(root) || !json_is_array(list) || json_object_size(root) != 1) {
        st = xd_error_set(err, XD_EINVAL, "expected {\"endpoints\": [...]}");
    } else if (json_array_size(list) > XD_DELIVER_MEMREG_MAX) {
        st = xd_error_set(err, XD_ETOOBIG, "more than %d endpoints", XD_DELIVER_MEMREG_MAX);
    }
    size_t n = st == XD_OK ? json_array_size(list) : 0;
    struct xd_deliver_endpoint *eps = n > 0 ? xd_calloc(n, sizeof *eps) : NULL;
    if (n > 0 && eps == NULL) {
        st = xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    for (size_t i = 0; st == XD_OK && eps != NULL && i < n; i++) {
        struct reader rd = {.err = err};
        snprintf(rd.where, sizeof rd.where, "endpoints[%zu]", i);
        st = read_endpoint(&rd, json_array_get(list, i), &eps[i]);
        for (size_t k = 0; st == XD_OK && k < i; k++) {
            if (strcmp(eps[k].partner, eps[i].partner) == 0 &&
                strcmp(eps[k].name, eps[i].name) == 0) {
                st = bad(err, rd.where, "the same partner and name as an earlier endpoint");
            }
        }
    }
    if (st == XD_OK && n > 0) {
        st = put_all(r, eps, n, err);
    }
    if (eps != NULL) {
        /* The copies hold secrets: wipe before giving the memory back. */
        memset(eps, 0, n * sizeof *eps);
    }
    xd_free(eps);
    json_decref(root);
    return st;
}

enum xd_status xd_deliver_memreg_load(struct xd_deliver_memreg *r, const char *path,
                                      struct xd_error *err)
{
    struct xd_buf b;
    xd_buf_init(&b, FILE_MAX);
    enum xd_status st = xd_file_read(path, &b, err);
    if (st == XD_OK) {
        st = xd_deliver_memreg_parse(r, b.data != NULL ? b.data : "", b.len, err);
        if (st != XD_OK) {
            char msg[XD_ERROR_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "%s", err != NULL ? err->message : "");
            xd_error_set(err, st, "%s: %s", path, msg);
        }
    }
    if (b.data != NULL) {
        memset(b.data, 0, b.len);
    }
    xd_buf_cleanup(&b);
    return st;
}
