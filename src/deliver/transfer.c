/* SPDX-License-Identifier: MIT
 * One delivery attempt, from a committed claim to an outcome: read the message, check where it
 * may go (the address guard: resolve, classify every address, pin the one checked), then hand
 * it to its adapter: an HTTP request in libcurl's multi handle (Idempotency-Key on every
 * request, Standard Webhooks signature for webhooks, no redirects, TLS verification on, no
 * proxy from the environment), or a file write on a worker. Outcomes go to xd_deliver__record.
 *
 * Threads: the engine thread owns every attempt, except while a worker runs its blocking step
 * (DNS, file); the engine's DNS cache is the engine's. Secrets (credentials, signing key) are
 * put on the wire and nowhere else: never logged, wiped from the attempt's copy at the end. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "deliver/deliver_int.h"

#define DNS_TTL_MS 30000
#define USER_AGENT "crossdock/" XD_VERSION
#define XFER_ARENA ((size_t)16 * 1024)

/* The attempt's own copy of its endpoint (the queue's may change while it runs): the headers
 * it uses, not all XD_DELIVER_HEADERS_MAX of them (~36 KB copied and wiped per attempt). */
static void endpoint_copy(struct xd_deliver_endpoint *dst, const struct xd_deliver_endpoint *src)
{
    size_t head = offsetof(struct xd_deliver_endpoint, headers);
    size_t tail = offsetof(struct xd_deliver_endpoint, n_headers);
    memcpy(dst, src, head);
    memcpy(dst->headers, src->headers, src->n_headers * sizeof src->headers[0]);
    memcpy((char *)dst + tail, (const char *)src + tail, sizeof *dst - tail);
}

/* The credentials go with the attempt. */
static void endpoint_wipe(struct xd_deliver_endpoint *c)
{
    explicit_bzero(&c->auth, sizeof c->auth);
    explicit_bzero(c->signing_key, sizeof c->signing_key);
    explicit_bzero(c->headers, c->n_headers * sizeof c->headers[0]);
}

static struct xd_deliver__xfer *xfer_new(struct xd_deliver *d, struct xd_deliver__queue *q,
                                         int64_t seq)
{
    /* The arena holds the message (its body up to XD_STORE_OUTBOUND_BODY_MAX) and the
     * attempt's strings. */
    struct xd_arena *a = xd_arena_create(XFER_ARENA, 0);
    struct xd_deliver__xfer *x = a != NULL ? xd_arena_calloc(a, 1, sizeof *x) : NULL;
    struct xd_deliver_endpoint *cfg = x != NULL ? xd_arena_alloc(a, sizeof *cfg) : NULL;
    if (cfg == NULL) {
        xd_arena_destroy(a);
        return NULL;
    }
    endpoint_copy(cfg, &q->cfg);
    x->d = d;
    x->q = q;
    x->seq = seq;
    x->arena = a;
    x->cfg = cfg;
    return x;
}

static void xfer_free(struct xd_deliver__xfer *x)
{
    if (x->easy != NULL) {
        curl_easy_cleanup(x->easy);
    }
    curl_slist_free_all(x->headers);
    curl_slist_free_all(x->connect_to);
    endpoint_wipe(x->cfg);
    xd_arena_destroy(x->arena);
}

static void live_add(struct xd_deliver *d, struct xd_deliver__xfer *x)
{
    x->lprev = NULL;
    x->lnext = d->live;
    if (d->live != NULL) {
        d->live->lprev = x;
    }
    d->live = x;
}

static void live_remove(struct xd_deliver *d, struct xd_deliver__xfer *x)
{
    if (x->lprev != NULL) {
        x->lprev->lnext = x->lnext;
    } else {
        d->live = x->lnext;
    }
    if (x->lnext != NULL) {
        x->lnext->lprev = x->lprev;
    }
}

/* End the attempt with an outcome and free it. */
static void finish(struct xd_deliver__xfer *x, const struct xd_deliver__outcome *o)
{
    xd_deliver__record(x->d, x->q, x->seq, x->msg.id != NULL ? &x->msg : NULL, o);
    xfer_free(x);
}

static void finish_simple(struct xd_deliver__xfer *x, enum xd_deliver__class c,
                          enum xd_deliver__effect effect, const char *error)
{
    struct xd_deliver__outcome o = {
        .c = c, .effect = effect, .error = error, .retry_after_ms = -1, .latency_us = -1};
    finish(x, &o);
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP */

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct xd_deliver__xfer *x = arg;
    size_t n = size * nmemb;
    size_t room = sizeof x->excerpt - x->excerpt_len;
    size_t take = n < room ? n : room;
    memcpy(x->excerpt + x->excerpt_len, data, take);
    x->excerpt_len += take;
    x->answer_bytes += n;
    /* A receiver that streams without end must not hold a slot forever. */
    return x->answer_bytes > XD_DELIVER__ANSWER_READ_MAX ? 0 : n;
}

/* Keep the value of header <name> from the line <data> into <out>. */
static void keep_header(const char *data, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(data, name, nl) != 0 || data[nl] != ':') {
        return;
    }
    const char *v = data + nl + 1;
    size_t vl = n - nl - 1;
    while (vl > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' ')) {
        vl--;
    }
    if (vl >= cap) {
        vl = cap - 1;
    }
    memcpy(out, v, vl);
    out[vl] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct xd_deliver__xfer *x = arg;
    size_t n = size * nmemb;
    keep_header(data, n, "Retry-After", x->retry_after, sizeof x->retry_after);
    keep_header(data, n, "Location", x->location, sizeof x->location);
    return n;
}

/* Room for the longest header line: an extra header, or the Basic credentials (base64 of
 * username ":" password) after "Authorization: Basic ". */
#define HEADER_LINE_MAX                                                                            \
    (XD_DELIVER_HEADER_NAME + XD_DELIVER_HEADER_VALUE + 64 +                                       \
     4 * ((XD_DELIVER_USERNAME_MAX + 1 + XD_DELIVER_CREDENTIAL_MAX + 2) / 3))

static bool add_header(struct xd_deliver__xfer *x, const char *fmt, const char *value)
{
    char line[HEADER_LINE_MAX];
    int n = snprintf(line, sizeof line, fmt, value);
    if (n < 0 || (size_t)n >= sizeof line) {
        return false;
    }
    struct curl_slist *l = curl_slist_append(x->headers, line);
    memset(line, 0, sizeof line); /* it may hold a credential */
    if (l == NULL) {
        return false;
    }
    x->headers = l;
    return true;
}

/* The authentication header of the endpoint, if it has one. The plaintext copies made here are
 * wiped before returning; libcurl's copy lives in the header list, freed with the attempt. */
static bool add_auth(struct xd_deliver__xfer *x)
{
    const struct xd_deliver_auth *a = &x->cfg->auth;
    switch (a->kind) {
    case XD_DELIVER_AUTH_NONE:
        return true;
    case XD_DELIVER_AUTH_BEARER:
        return add_header(x, "Authorization: Bearer %s", a->secret);
    case XD_DELIVER_AUTH_HEADER: {
        char fmt[XD_DELIVER_HEADER_NAME + 8];
        snprintf(fmt, sizeof fmt, "%s: %%s", a->header);
        return add_header(x, fmt, a->secret);
    }
    case XD_DELIVER_AUTH_BASIC:
        break;
    }
    char pair[XD_DELIVER_USERNAME_MAX + 1 + XD_DELIVER_CREDENTIAL_MAX + 1];
    char b64[4 * ((sizeof pair + 2) / 3) + 1];
    int n = snprintf(pair, sizeof pair, "%s:%s", a->username, a->secret);
    bool ok = n > 0 && (size_t)n < sizeof pair;
    if (ok) {
        xd_base64_encode((const uint8_t *)pair, (size_t)n, b64);
        ok = add_header(x, "Authorization: Basic %s", b64);
    }
    memset(pair, 0, sizeof pair);
    memset(b64, 0, sizeof b64);
    return ok;
}

static bool build_headers(struct xd_deliver__xfer *x)
{
    const struct xd_deliver_endpoint *c = x->cfg;
    const struct xd_store_outbox_msg *m = &x->msg;
    /* The Idempotency-Key header is a Structured Field string (draft-ietf-httpapi-
     * idempotency-key-header); the key is printable ASCII without quote or backslash. */
    bool ok = add_header(x, "Content-Type: %s", m->content_type) &&
              add_header(x, "Idempotency-Key: \"%s\"", m->idem_key) &&
              add_header(x, "User-Agent: %s", USER_AGENT) && add_header(x, "Expect:%s", "");
    if (ok && m->correlation_id != NULL) {
        ok = add_header(x, "X-Correlation-ID: %s", m->correlation_id);
    }
    ok = ok && add_auth(x);
    for (size_t i = 0; ok && i < c->n_headers; i++) {
        char fmt[XD_DELIVER_HEADER_NAME + 8];
        snprintf(fmt, sizeof fmt, "%s: %%s", c->headers[i].name);
        ok = add_header(x, fmt, c->headers[i].value);
    }
    if (ok && c->kind == XD_DELIVER_WEBHOOK) {
        /* Signed at each attempt: the timestamp is the attempt's, so receivers that refuse old
         * timestamps (replay protection) accept a late retry. */
        int64_t ts = xd_now_ms() / 1000;
        char sig[XD_DELIVER_SIGNATURE_MAX];
        char tsbuf[24];
        snprintf(tsbuf, sizeof tsbuf, "%lld", (long long)ts);
        ok = xd_deliver_sign(c->signing_key, c->signing_key_len, m->idem_key, ts, m->body,
                             m->body_len, sig) == XD_OK &&
             add_header(x, "webhook-id: %s", m->idem_key) &&
             add_header(x, "webhook-timestamp: %s", tsbuf) &&
             add_header(x, "webhook-signature: %s", sig);
    }
    return ok;
}

/* Connect to the checked address whatever DNS says by the time libcurl connects. */
static bool pin(struct xd_deliver__xfer *x)
{
    if (x->url.host_is_ip) {
        return true; /* nothing to resolve */
    }
    char addr[INET6_ADDRSTRLEN];
    if (inet_ntop(x->family, x->addr, addr, sizeof addr) == NULL) {
        return false;
    }
    char rule[512];
    int n = snprintf(rule, sizeof rule, x->family == AF_INET6 ? "%s:%u:[%s]:%u" : "%s:%u:%s:%u",
                     x->url.host, x->url.port, addr, x->url.port);
    if (n < 0 || (size_t)n >= sizeof rule) {
        return false;
    }
    x->connect_to = curl_slist_append(NULL, rule);
    return x->connect_to != NULL;
}

static bool easy_setup(struct xd_deliver__xfer *x)
{
    const struct xd_deliver_endpoint *c = x->cfg;
    CURL *e = x->easy;
    bool ok = curl_easy_setopt(e, CURLOPT_URL, c->url) == CURLE_OK;
    const struct {
        CURLoption opt;
        long value;
    } longs[] = {
        {CURLOPT_NOSIGNAL, 1L},
        {CURLOPT_FOLLOWLOCATION, 0L},
        {CURLOPT_SSL_VERIFYPEER, 1L},
        {CURLOPT_SSL_VERIFYHOST, 2L},
        {CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms},
        {CURLOPT_TIMEOUT_MS, (long)c->timeout_ms},
    };
    for (size_t i = 0; ok && i < XD_ARRAY_LEN(longs); i++) {
        ok = curl_easy_setopt(e, longs[i].opt, longs[i].value) == CURLE_OK;
    }
    /* An empty proxy turns off proxies from the environment: a proxy would connect to an
     * address we never checked. */
    ok =
        ok && curl_easy_setopt(e, CURLOPT_PROXY, "") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->msg.body_len) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->msg.body != NULL ? x->msg.body : "") ==
            CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEDATA, x) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HEADERDATA, x) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_PRIVATE, x) == CURLE_OK;
    if (ok && strcmp(c->method, "PUT") == 0) {
        ok = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT") == CURLE_OK;
    }
    if (ok && x->connect_to != NULL) {
        ok = curl_easy_setopt(e, CURLOPT_CONNECT_TO, x->connect_to) == CURLE_OK;
    }
    return ok;
}

static void http_start(struct xd_deliver__xfer *x)
{
    x->easy = curl_easy_init();
    if (x->easy == NULL || !pin(x) || !build_headers(x) || !easy_setup(x) ||
        curl_multi_add_handle(x->d->multi, x->easy) != CURLM_OK) {
        finish_simple(x, XD_DELIVER__RETRY, XD_DELIVER__EFFECT_NONE,
                      "could not set up the HTTP request (out of memory)");
        return;
    }
    x->t0_ns = xd_mono_ns();
    live_add(x->d, x);
}

/* Connect to the first allowed address among <n>; refuse the message when none is. */
static void choose(struct xd_deliver__xfer *x, size_t n, const int *families,
                   const uint8_t (*addrs)[16])
{
    char why[256] = "";
    for (size_t i = 0; i < n; i++) {
        char w[256];
        if (xd_deliver__addr_allowed(x->cfg, families[i], addrs[i], w, sizeof w)) {
            x->family = families[i];
            memcpy(x->addr, addrs[i], sizeof x->addr);
            http_start(x);
            return;
        }
        if (why[0] == '\0') {
            snprintf(why, sizeof why, "%s", w);
        }
    }
    char *reason =
        x->url.host_is_ip
            ? xd_arena_printf(x->arena, "refused: %s", why)
            : xd_arena_printf(x->arena, "refused: %s resolves to no allowed address (%s)",
                              x->url.host, why[0] ? why : "no address");
    finish_simple(x, XD_DELIVER__DEAD, XD_DELIVER__EFFECT_NONE,
                  reason != NULL ? reason : "refused: address not allowed");
}

/* ------------------------------------------------------------------------------------------ */
/* DNS cache (the engine's) */

static bool dns_cached(struct xd_deliver *d, struct xd_deliver__xfer *x, int64_t now)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(d->dns); i++) {
        if (d->dns[i].at_ms == 0 || now - d->dns[i].at_ms > DNS_TTL_MS ||
            strcmp(d->dns[i].host, x->url.host) != 0 || d->dns[i].error != 0) {
            continue;
        }
        int fam[XD_DELIVER__DNS_ADDRS];
        uint8_t addrs[XD_DELIVER__DNS_ADDRS][16];
        for (size_t k = 0; k < d->dns[i].n; k++) {
            fam[k] = d->dns[i].a[k].family;
            memcpy(addrs[k], d->dns[i].a[k].addr, 16);
        }
        choose(x, d->dns[i].n, fam, (const uint8_t(*)[16])addrs);
        return true;
    }
    return false;
}

static void dns_remember(struct xd_deliver *d, const struct xd_deliver__xfer *x, int64_t now)
{
    size_t slot = d->dns_next++ % XD_ARRAY_LEN(d->dns);
    for (size_t i = 0; i < XD_ARRAY_LEN(d->dns); i++) {
        if (strcmp(d->dns[i].host, x->url.host) == 0) {
            slot = i;
            break;
        }
    }
    snprintf(d->dns[slot].host, sizeof d->dns[slot].host, "%s", x->url.host);
    d->dns[slot].at_ms = now;
    d->dns[slot].error = x->resolve_error;
    d->dns[slot].n = x->n_addrs;
    for (size_t k = 0; k < x->n_addrs; k++) {
        d->dns[slot].a[k].family = x->addrs[k].family;
        memcpy(d->dns[slot].a[k].addr, x->addrs[k].addr, 16);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Attempts */

/* Copy what an attempt uses of <m> into its arena. */
static bool msg_copy(struct xd_deliver__xfer *x, const struct xd_store_outbox_msg *m)
{
    struct xd_arena *a = x->arena;
    x->msg = *m;
    x->msg.id = xd_arena_strdup(a, m->id);
    x->msg.partner = xd_arena_strdup(a, m->partner);
    x->msg.endpoint = xd_arena_strdup(a, m->endpoint);
    x->msg.content_type = xd_arena_strdup(a, m->content_type);
    x->msg.idem_key = xd_arena_strdup(a, m->idem_key);
    x->msg.source = NULL;
    x->msg.correlation_id = m->correlation_id ? xd_arena_strdup(a, m->correlation_id) : NULL;
    x->msg.body = m->body != NULL ? xd_arena_memdup(a, m->body, m->body_len + 1) : NULL;
    x->msg.last_error = NULL;
    x->msg.last_response = NULL;
    x->msg.dead_reason = NULL;
    x->msg.rerouted_from = NULL;
    return x->msg.id != NULL && x->msg.partner != NULL && x->msg.endpoint != NULL &&
           x->msg.content_type != NULL && x->msg.idem_key != NULL &&
           (m->correlation_id == NULL || x->msg.correlation_id != NULL) &&
           (m->body == NULL || x->msg.body != NULL);
}

void xd_deliver__attempt_start(struct xd_deliver *d, struct xd_deliver__queue *q, int64_t seq,
                               const struct xd_store_outbox_msg *msg)
{
    d->transfers++;
    struct xd_deliver__xfer *x = xfer_new(d, q, seq);
    if (x == NULL) {
        struct xd_deliver__outcome o = {.c = XD_DELIVER__RETRY,
                                        .error = "out of memory",
                                        .retry_after_ms = -1,
                                        .latency_us = -1};
        xd_deliver__record(d, q, seq, NULL, &o);
        return;
    }
    struct xd_error err = {0};
    if (msg != NULL && !msg_copy(x, msg)) {
        memset(&x->msg, 0, sizeof x->msg);
        finish_simple(x, XD_DELIVER__RETRY, XD_DELIVER__EFFECT_NONE, "out of memory");
        return;
    }
    if (msg == NULL && xd_store_outbox_get_seq(d->store, seq, x->arena, &x->msg, &err) != XD_OK) {
        char *why = xd_arena_printf(x->arena, "cannot read the message: %s", err.message);
        memset(&x->msg, 0, sizeof x->msg);
        finish_simple(x, XD_DELIVER__RETRY, XD_DELIVER__EFFECT_NONE,
                      why != NULL ? why : "cannot read the message");
        return;
    }
    if (!q->configured) {
        char *why =
            xd_arena_printf(x->arena, "no endpoint %s/%s is configured", q->partner, q->endpoint);
        finish_simple(x, XD_DELIVER__RETRY, XD_DELIVER__EFFECT_NONE,
                      why != NULL ? why : "endpoint not configured");
        return;
    }
    if (x->cfg->config_error[0] != '\0') {
        /* Nothing can be sent until the configuration is fixed (a credential that does not
         * open): wait under the retry policy, saying why, rather than send without it. */
        char *why = xd_arena_printf(x->arena, "endpoint %s/%s cannot be used: %s", q->partner,
                                    q->endpoint, x->cfg->config_error);
        finish_simple(x, XD_DELIVER__RETRY, XD_DELIVER__EFFECT_NONE,
                      why != NULL ? why : "endpoint configuration cannot be used");
        return;
    }
    if (x->cfg->kind == XD_DELIVER_FILE || x->cfg->kind == XD_DELIVER_ERP) {
        x->step = x->cfg->kind == XD_DELIVER_FILE ? XD_DELIVER__STEP_FILE : XD_DELIVER__STEP_ERP;
        x->t0_ns = xd_mono_ns();
        xd_deliver__workers_post(d, x);
        return;
    }
    if (xd_deliver__url_parse(x->cfg->url, &x->url, &err) != XD_OK) {
        char *why = xd_arena_printf(x->arena, "invalid endpoint URL: %s", err.message);
        finish_simple(x, XD_DELIVER__DEAD, XD_DELIVER__EFFECT_NONE,
                      why != NULL ? why : "invalid endpoint URL");
        return;
    }
    if (x->url.host_is_ip) {
        int fam[1] = {x->url.family};
        choose(x, 1, fam, (const uint8_t(*)[16])x->url.addr);
        return;
    }
    if (!dns_cached(d, x, xd_now_ms())) {
        x->step = XD_DELIVER__STEP_RESOLVE;
        xd_deliver__workers_post(d, x);
    }
}

/* The ERP connector's verdict: a refusal proves the ERP alive and goes to the dead-letter
 * queue with what the ERP answered. */
static void erp_done(struct xd_deliver__xfer *x)
{
    static const enum xd_deliver__class classes[] = {
        [XD_DELIVER_ERP_DONE] = XD_DELIVER__DELIVERED,
        [XD_DELIVER_ERP_RETRY] = XD_DELIVER__RETRY,
        [XD_DELIVER_ERP_REFUSED] = XD_DELIVER__DEAD,
    };
    enum xd_deliver__class c = classes[x->erp_result];
    struct xd_deliver__outcome o = {
        .c = c,
        .effect = c == XD_DELIVER__RETRY ? XD_DELIVER__EFFECT_FAILURE : XD_DELIVER__EFFECT_SUCCESS,
        .error = c == XD_DELIVER__DELIVERED ? NULL : x->erp_detail,
        .excerpt = x->erp_detail,
        .excerpt_len = strlen(x->erp_detail),
        .retry_after_ms = -1,
        .latency_us = (xd_mono_ns() - x->t0_ns) / 1000,
    };
    finish(x, &o);
}

void xd_deliver__attempt_step_done(struct xd_deliver *d, struct xd_deliver__xfer *x)
{
    if (x->step == XD_DELIVER__STEP_ERP) {
        erp_done(x);
        return;
    }
    if (x->step == XD_DELIVER__STEP_FILE) {
        struct xd_deliver__outcome o = {
            .c = x->file_status == XD_OK ? XD_DELIVER__DELIVERED : XD_DELIVER__RETRY,
            .effect =
                x->file_status == XD_OK ? XD_DELIVER__EFFECT_SUCCESS : XD_DELIVER__EFFECT_FAILURE,
            .error = x->file_status == XD_OK ? NULL : x->file_error,
            .retry_after_ms = -1,
            .latency_us = (xd_mono_ns() - x->t0_ns) / 1000,
        };
        finish(x, &o);
        return;
    }
    if (atomic_load(&d->stopping)) {
        xd_deliver__attempt_abandon(d, x);
        return;
    }
    dns_remember(d, x, xd_now_ms());
    if (x->resolve_error != 0 || x->n_addrs == 0) {
        char *why =
            xd_arena_printf(x->arena, "cannot resolve %s: %s", x->url.host,
                            x->resolve_error ? gai_strerror(x->resolve_error) : "no address");
        finish_simple(x, XD_DELIVER__RETRY, XD_DELIVER__EFFECT_FAILURE,
                      why != NULL ? why : "cannot resolve the host");
        return;
    }
    int fam[XD_DELIVER__DNS_ADDRS];
    uint8_t addrs[XD_DELIVER__DNS_ADDRS][16];
    for (size_t k = 0; k < x->n_addrs; k++) {
        fam[k] = x->addrs[k].family;
        memcpy(addrs[k], x->addrs[k].addr, 16);
    }
    choose(x, x->n_addrs, fam, (const uint8_t(*)[16])addrs);
}

/* What an answer (or the lack of one) means. */
static void http_outcome(struct xd_deliver__xfer *x, CURLcode rc, long status,
                         struct xd_deliver__outcome *o)
{
    bool answered = status > 0 && (rc == CURLE_OK || rc == CURLE_WRITE_ERROR);
    o->retry_after_ms = -1;
    o->excerpt = x->excerpt;
    o->excerpt_len = x->excerpt_len;
    if (!answered) {
        const char *text = NULL;
        o->c = xd_deliver__classify_curl((int)rc, &text);
        o->effect =
            o->c == XD_DELIVER__RETRY ? XD_DELIVER__EFFECT_FAILURE : XD_DELIVER__EFFECT_NONE;
        o->error = x->errbuf[0] ? xd_arena_printf(x->arena, "%s (%s)", text, x->errbuf) : text;
        if (o->error == NULL) {
            o->error = text;
        }
        return;
    }
    o->http_status = (int)status;
    o->c = xd_deliver__classify_status((int)status);
    o->effect = o->c == XD_DELIVER__RETRY     ? XD_DELIVER__EFFECT_FAILURE
                : o->c == XD_DELIVER__DISABLE ? XD_DELIVER__EFFECT_NONE
                                              : XD_DELIVER__EFFECT_SUCCESS;
    if (status >= 300 && status < 400) {
        o->error = xd_arena_printf(x->arena, "HTTP %ld: redirect not followed (Location: %s)",
                                   status, x->location[0] ? x->location : "none");
    } else if (o->c == XD_DELIVER__DISABLE) {
        o->error = xd_arena_printf(x->arena, "HTTP %ld Gone", status);
    } else if (o->c != XD_DELIVER__DELIVERED) {
        o->error = xd_arena_printf(x->arena, "HTTP %ld", status);
    }
    if (o->c != XD_DELIVER__DELIVERED && o->error == NULL) {
        o->error = "HTTP error";
    }
    int64_t delay = 0;
    if ((status == 429 || status == 503) && x->retry_after[0] != '\0' &&
        xd_deliver__retry_after(x->retry_after, xd_now_ms(), &delay) == XD_OK) {
        o->retry_after_ms = delay;
    }
}

void xd_deliver__attempt_http_done(struct xd_deliver *d, CURL *easy, CURLcode rc)
{
    struct xd_deliver__xfer *x = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
    if (XD_NEVER(x == NULL)) {
        return;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(d->multi, easy);
    live_remove(d, x);
    struct xd_deliver__outcome o = {.latency_us = (xd_mono_ns() - x->t0_ns) / 1000};
    http_outcome(x, rc, status, &o);
    finish(x, &o);
}

void xd_deliver__attempt_abandon(struct xd_deliver *d, struct xd_deliver__xfer *x)
{
    if (x->easy != NULL && x->t0_ns != 0) {
        curl_multi_remove_handle(d->multi, x->easy);
        live_remove(d, x);
    }
    struct xd_deliver__queue *q = x->q;
    struct xd_deliver__msg *m = xd_deliver__window_find(&q->win, x->seq);
    if (m != NULL) {
        m->phase = XD_DELIVER__IDLE; /* the store says delivering: the next start retries */
    }
    xd_deliver__breaker_neutral(&q->br);
    q->busy--;
    d->in_flight--;
    d->transfers--;
    atomic_store(&d->view_in_flight, d->in_flight);
    xfer_free(x);
}
