/* SPDX-License-Identifier: MIT
 * libmicrohttpd plumbing: request lifecycle, body collection with a cap, early refusals
 * (401, 413, 415 before the body is read), suspension while the store commits, graceful stop.
 *
 * Threads: access handlers run on libmicrohttpd's pool threads, one request at a time per
 * connection. xd_gw__complete runs on the store's writer thread; it only publishes the
 * response (state DONE, release order) and resumes the connection; xd_gw__wake resumes it
 * for the handler's resume function to answer on the pool thread. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gateway/gw_int.h"

void xd_gateway_options_init(struct xd_gateway_options *o)
{
    snprintf(o->host, sizeof o->host, "127.0.0.1");
    o->port = 8080;
    o->max_body_bytes = 1024 * 1024;
    o->threads = 2;
    o->partners = NULL;
    o->max_connections = 1024;
    o->connection_timeout_s = 60;
    o->deliver = NULL;
}

enum xd_status xd_gateway_parse_listen(const char *text, struct xd_gateway_options *o,
                                       struct xd_error *err)
{
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text) {
        return xd_error_set(err, XD_EINVAL, "listen address '%s' is not HOST:PORT", text);
    }
    size_t hlen = (size_t)(colon - text);
    if (hlen >= INET_ADDRSTRLEN) {
        return xd_error_set(err, XD_EINVAL, "listen host in '%s' is not an IPv4 address", text);
    }
    char tmp[INET_ADDRSTRLEN];
    memcpy(tmp, text, hlen);
    tmp[hlen] = '\0';
    struct in_addr a;
    if (inet_pton(AF_INET, tmp, &a) != 1) {
        return xd_error_set(err, XD_EINVAL, "listen host '%s' is not an IPv4 address", tmp);
    }
    uint64_t port;
    if (xd_parse_u64(colon + 1, strlen(colon + 1), 65535, &port) != XD_OK) {
        return xd_error_set(err, XD_EINVAL, "listen port in '%s' is not 0-65535", text);
    }
    memcpy(o->host, tmp, hlen + 1);
    o->port = (uint16_t)port;
    return XD_OK;
}

static struct xd_gw_request *request_new(struct xd_gateway *gw, struct MHD_Connection *conn,
                                         const char *url, const char *method)
{
    struct xd_arena *a = xd_arena_create(16 * 1024, GW_REQUEST_ARENA);
    if (a == NULL) {
        return NULL;
    }
    struct xd_gw_request *r = xd_arena_calloc(a, 1, sizeof *r);
    if (r == NULL) {
        xd_arena_destroy(a);
        return NULL;
    }
    r->gw = gw;
    r->conn = conn;
    r->arena = a;
    r->t0_ns = xd_mono_ns();
    r->method = xd_gw__method_parse(method);
    r->path = xd_arena_strdup(a, url);
    r->route = GW_ROUTE_NONE;
    xd_buf_init(&r->body, gw->opts.max_body_bytes);
    xd_buf_init(&r->resp.body, GW_RESPONSE_MAX);
    atomic_init(&r->state, GW_STATE_READING);
    if (r->path == NULL) {
        xd_arena_destroy(a);
        return NULL;
    }
    atomic_fetch_add(&gw->in_flight, 1);
    return r;
}

static void request_free(struct xd_gw_request *r)
{
    xd_gw__idem_release(r);
    xd_store_op_cleanup(&r->op);
    xd_buf_cleanup(&r->body);
    xd_buf_cleanup(&r->resp.body);
    struct xd_gateway *gw = r->gw;
    xd_arena_destroy(r->arena);
    atomic_fetch_sub(&gw->in_flight, 1);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct xd_gw_request *r = *con_cls;
    if (r != NULL) {
        request_free(r);
        *con_cls = NULL;
    }
}

/* W3C trace context: keep the caller's trace id, answer with our own span id. */
static void trace_begin(struct xd_gw_request *r)
{
    const char *tp = xd_gw__header(r, "traceparent");
    uint8_t rnd[16];
    bool have = false;
    if (tp != NULL && strlen(tp) == 55 && tp[2] == '-' && tp[35] == '-' && tp[52] == '-' &&
        strncmp(tp, "ff", 2) != 0) {
        uint8_t tmp[16];
        have = xd_hex_decode(tp + 3, 32, tmp, 16) && xd_hex_decode(tp + 36, 16, tmp, 8) &&
               xd_hex_decode(tp + 53, 2, tmp, 1) && xd_hex_decode(tp, 2, tmp, 1) &&
               strspn(tp + 3, "0") < 32 && strspn(tp + 36, "0") < 16;
        if (have) {
            memcpy(r->trace_id, tp + 3, 32);
            r->trace_id[32] = '\0';
            memcpy(r->trace_flags, tp + 53, 2);
            r->trace_flags[2] = '\0';
        }
    }
    if (xd_random_id_bytes(rnd, sizeof rnd) != XD_OK) {
        memset(rnd, 0x5a, sizeof rnd); /* never fatal: tracing is best effort */
    }
    if (!have) {
        xd_hex_encode(rnd, 16, r->trace_id);
        memcpy(r->trace_flags, "00", 3);
    }
    xd_hex_encode(rnd, 8, r->span_id);
    char *out = xd_arena_printf(r->arena, "00-%s-%s-%s", r->trace_id, r->span_id, r->trace_flags);
    if (out != NULL) {
        xd_gw__add_header(r, "traceparent", out);
    }
}

/* X-Correlation-ID: 1-128 characters of [A-Za-z0-9._:-]; anything else is ignored (and the
 * request gets a 400 on routes that use it, see handlers). */
static void correlation_begin(struct xd_gw_request *r)
{
    const char *c = xd_gw__header(r, "X-Correlation-ID");
    if (c == NULL) {
        return;
    }
    size_t n = strlen(c);
    if (n == 0 || n > XD_CORRELATION_ID_MAX ||
        strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != n) {
        r->caller_correlation_id = "";
        return;
    }
    r->caller_correlation_id = c;
    xd_gw__add_header(r, "X-Correlation-ID", c);
}

/* Content-Type of a JSON request: application/json with optional parameters. */
static bool is_json_type(const char *ct)
{
    if (ct == NULL) {
        return false;
    }
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) {
        n--;
    }
    return n == 16 && strncasecmp(ct, "application/json", 16) == 0;
}

static bool role_allowed(const struct gw_route *rt, const char *role)
{
    unsigned roles = rt->roles != 0 ? rt->roles : GW_ROLES_STAFF;
    unsigned bit = role == NULL                    ? 0
                   : strcmp(role, "admin") == 0    ? GW_ROLE_ADMIN
                   : strcmp(role, "operator") == 0 ? GW_ROLE_OPERATOR
                   : strcmp(role, "partner") == 0  ? GW_ROLE_PARTNER
                                                   : 0;
    return (roles & bit) != 0;
}

/* Checks made as soon as the headers are in, before any body byte is read. Returns false when
 * a response is already set. */
static bool request_begin(struct xd_gw_request *r)
{
    trace_begin(r);
    correlation_begin(r);
    if (atomic_load(&r->gw->stopping)) {
        xd_gw__unavailable(r, "the hub is shutting down");
        return false;
    }
    unsigned allowed = xd_gw__route(r);
    if (r->route == GW_ROUTE_NONE) {
        if (allowed == 0) {
            xd_gw__problem(r, 404, "not-found", "Not Found", NULL, "no resource at %s", r->path);
        } else {
            xd_gw__problem(r, 405, "method-not-allowed", "Method Not Allowed", NULL,
                           "%s does not support this method", r->path);
        }
        return false;
    }
    const struct gw_route *rt = &xd_gw__routes[r->route];
    if (rt->auth && !xd_gw__authenticate(r)) {
        return false;
    }
    if (rt->auth && !role_allowed(rt, r->token.role)) {
        xd_gw__problem(r, 403, "forbidden", "Forbidden", NULL, "a %s token cannot use %s",
                       r->token.role != NULL ? r->token.role : "(roleless)", rt->pattern);
        return false;
    }
    if (rt->body) {
        const char *cl = xd_gw__header(r, "Content-Length");
        uint64_t len;
        if (cl != NULL && xd_parse_u64(cl, strlen(cl), UINT64_MAX, &len) == XD_OK &&
            len > r->gw->opts.max_body_bytes) {
            xd_gw__problem(r, 413, "body-too-large", "Content Too Large", NULL,
                           "the body has %llu bytes; the limit is %zu", (unsigned long long)len,
                           r->gw->opts.max_body_bytes);
            return false;
        }
        const char *ct = xd_gw__header(r, "Content-Type");
        bool yaml_ok = rt->body == GW_BODY_JSON_YAML;
        if (rt->body != GW_BODY_ANY && !is_json_type(ct) && !(yaml_ok && xd_gw__is_yaml_type(ct))) {
            xd_gw__problem(r, 415, "unsupported-media-type", "Unsupported Media Type", NULL,
                           "the body must be application/json%s, not %s",
                           yaml_ok ? " or application/yaml" : "", ct ? ct : "(none)");
            return false;
        }
    }
    return true;
}

static enum MHD_Result send_response(struct xd_gw_request *r)
{
    /* The answer is decided (and any write committed): the key is free for the next request
     * now, not when libmicrohttpd reports the connection done, which can be after the client
     * already sent its retry (it would get a spurious 409). */
    xd_gw__idem_release(r);
    struct gw_response *resp = &r->resp;
    size_t len = 0;
    char *data = xd_buf_steal(&resp->body, &len);
    if (data == NULL) {
        return MHD_NO;
    }
    struct MHD_Response *mr =
        MHD_create_response_from_buffer_with_free_callback(len, data, xd_free);
    if (mr == NULL) {
        xd_free(data);
        return MHD_NO;
    }
    if (resp->content_type != NULL) {
        MHD_add_response_header(mr, "Content-Type", resp->content_type);
    }
    for (size_t i = 0; i < resp->n_headers; i++) {
        MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value);
    }
    if (r->body_too_big || atomic_load(&r->gw->stopping)) {
        MHD_add_response_header(mr, "Connection", "close");
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)resp->status, mr);
    MHD_destroy_response(mr);
    xd_gw__metrics_observe(r->gw->metrics, r->route, resp->status, xd_mono_ns() - r->t0_ns);
    return ret;
}

static enum MHD_Result resumed(struct xd_gw_request *r)
{
    atomic_store_explicit(&r->state, GW_STATE_DONE, memory_order_relaxed);
    r->resume(r);
    return send_response(r);
}

static enum MHD_Result dispatch(struct xd_gw_request *r)
{
    if (r->body_too_big) {
        xd_gw__problem(r, 413, "body-too-large", "Content Too Large", NULL,
                       "the body is larger than the limit of %zu bytes",
                       r->gw->opts.max_body_bytes);
        return send_response(r);
    }
    xd_gw__routes[r->route].handler(r);
    int state = atomic_load_explicit(&r->state, memory_order_acquire);
    if (state == GW_STATE_WAITING) {
        return MHD_YES; /* suspended; the store's completion resumes us */
    }
    if (state == GW_STATE_RESUMED) {
        return resumed(r); /* the store was faster than the handler's return */
    }
    return send_response(r);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)version;
    struct xd_gw_request *r = *con_cls;
    if (r == NULL) {
        r = request_new(cls, conn, url, method);
        if (r == NULL) {
            return MHD_NO; /* out of memory: drop the connection rather than lie */
        }
        *con_cls = r;
        if (!request_begin(r)) {
            atomic_store(&r->state, GW_STATE_DONE);
            return send_response(r);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* Bodies sent to routes that take none are read and ignored. */
        bool wanted = r->route != GW_ROUTE_NONE && xd_gw__routes[r->route].body;
        if (wanted && !r->body_too_big &&
            xd_buf_append(&r->body, upload_data, *upload_data_size) != XD_OK) {
            r->body_too_big = true; /* over the cap (or out of memory): drain, then 413 */
            xd_buf_cleanup(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    switch (atomic_load_explicit(&r->state, memory_order_acquire)) {
    case GW_STATE_READING:
        return dispatch(r);
    case GW_STATE_RESUMED:
        return resumed(r);
    case GW_STATE_DONE:
        return send_response(r);
    default:
        return MHD_YES;
    }
}

void xd_gw__suspend(struct xd_gw_request *r)
{
    atomic_store_explicit(&r->state, GW_STATE_WAITING, memory_order_release);
    MHD_suspend_connection(r->conn);
}

void xd_gw__complete(struct xd_gw_request *r)
{
    atomic_store_explicit(&r->state, GW_STATE_DONE, memory_order_release);
    MHD_resume_connection(r->conn);
}

void xd_gw__wake(struct xd_gw_request *r)
{
    atomic_store_explicit(&r->state, GW_STATE_RESUMED, memory_order_release);
    MHD_resume_connection(r->conn);
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n') {
        msg[--n] = '\0';
    }
    XD_LOG_WARN("http", NULL, "%s", msg);
}

enum xd_status xd_gateway_start(const struct xd_gateway_options *o, struct xd_store *store,
                                struct xd_gateway **out, struct xd_error *err)
{
    struct xd_gateway *gw = xd_calloc(1, sizeof *gw);
    if (gw == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory starting the HTTP server");
    }
    gw->opts = *o;
    gw->store = store;
    gw->started_ms = xd_now_ms();
    gw->metrics = xd_gw__metrics_create(xd_gw__route_count + 1);
    gw->idem = xd_gw__idem_create();
    gw->tokens = xd_gw__tokens_create();
    if (gw->metrics == NULL || gw->idem == NULL || gw->tokens == NULL) {
        xd_gateway_stop(gw);
        return xd_error_set(err, XD_ENOMEM, "out of memory starting the HTTP server");
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) {
        xd_gateway_stop(gw);
        return xd_error_set(err, XD_EINVAL, "listen host '%s' is not an IPv4 address", o->host);
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_TURBO | MHD_USE_ERROR_LOG;
    /* clang-format off */
    gw->daemon = MHD_start_daemon(
        flags, o->port, NULL, NULL, access_handler, gw,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, gw,
        MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads ? o->threads : 1),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->connection_timeout_s,
        /* libmicrohttpd zeroes a connection's whole memory pool between requests; requests keep
         * only their headers there (bodies are copied out as they arrive), so a small pool
         * saves most of a 32 KiB memset per request. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(8 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, gw,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_END);
    /* clang-format on */
    if (gw->daemon == NULL) {
        int e = errno;
        xd_gateway_stop(gw);
        return xd_error_set(err, XD_EIO, "cannot listen on %s:%u: %s", o->host, (unsigned)o->port,
                            e ? strerror(e) : "libmicrohttpd refused");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(gw->daemon, MHD_DAEMON_INFO_BIND_PORT);
    gw->port = info != NULL ? info->port : o->port;
    *out = gw;
    return XD_OK;
}

uint16_t xd_gateway_port(const struct xd_gateway *gw)
{
    return gw->port;
}

void xd_gateway_stop(struct xd_gateway *gw)
{
    if (gw == NULL) {
        return;
    }
    atomic_store(&gw->stopping, 1);
    if (gw->daemon != NULL) {
        /* Stop accepting; requests already accepted finish (their writes commit and their
         * answers go out) before the daemon is torn down. Suspended connections must all be
         * resumed before MHD_stop_daemon, which the store's completions guarantee. */
        MHD_socket lsock = MHD_quiesce_daemon(gw->daemon);
        if (lsock != MHD_INVALID_SOCKET) {
            close(lsock);
        }
        int64_t deadline = xd_mono_ns() + 30LL * 1000000000LL;
        while (atomic_load(&gw->in_flight) > 0 && xd_mono_ns() < deadline) {
            usleep(2000);
        }
        MHD_stop_daemon(gw->daemon);
    }
    xd_gw__tokens_destroy(gw->tokens);
    xd_gw__idem_destroy(gw->idem);
    xd_gw__metrics_destroy(gw->metrics);
    xd_free(gw);
}
