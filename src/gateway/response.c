/* SPDX-License-Identifier: MIT
 * Building responses: JSON bodies, RFC 9457 problem details, extra headers. */
#include <stdio.h>
#include <string.h>

#include "gateway/gw_int.h"

const char *xd_gw__header(struct xd_gw_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *xd_gw__query(struct xd_gw_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void xd_gw__add_header(struct xd_gw_request *r, const char *name, const char *value)
{
    struct gw_response *resp = &r->resp;
    for (size_t i = 0; i < resp->n_headers; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0) {
            resp->headers[i].value = value;
            return;
        }
    }
    if (XD_NEVER(resp->n_headers == GW_MAX_HEADERS)) {
        return;
    }
    resp->headers[resp->n_headers].name = name;
    resp->headers[resp->n_headers].value = value;
    resp->n_headers++;
}

void xd_gw__finish(struct xd_gw_request *r)
{
    atomic_store_explicit(&r->state, GW_STATE_DONE, memory_order_release);
}

/* When even the error body cannot be built, answer a bare 500 rather than a wrong status. */
static void fallback_500(struct xd_gw_request *r)
{
    static const char body[] = "{\"type\":\"urn:crossdock:problem:internal\",\"title\":\"Internal "
                               "Server Error\",\"status\":500}";
    xd_buf_reset(&r->resp.body);
    r->resp.status = 500;
    r->resp.content_type = "application/problem+json";
    if (xd_buf_append(&r->resp.body, body, sizeof body - 1) != XD_OK) {
        xd_buf_cleanup(&r->resp.body);
    }
}

void xd_gw__json(struct xd_gw_request *r, int status, const char *json, size_t len)
{
    xd_buf_reset(&r->resp.body);
    r->resp.status = status;
    r->resp.content_type = "application/json";
    if (xd_buf_append(&r->resp.body, json, len) != XD_OK) {
        fallback_500(r);
    }
}

static enum xd_status json_member(struct xd_buf *b, const char *key, const char *value, bool comma)
{
    enum xd_status st = xd_buf_printf(b, "%s\"%s\":\"", comma ? "," : "", key);
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, value, strlen(value));
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(b, '"');
    }
    return st;
}

static enum xd_status problem_errors(struct xd_buf *b, const struct xd_diags *d)
{
    enum xd_status st = xd_buf_append_str(b, ",\"errors\":[");
    for (size_t i = 0; st == XD_OK && i < d->count; i++) {
        st = xd_buf_append_str(b, i ? ",{" : "{");
        if (st == XD_OK) {
            st = json_member(b, "path", d->items[i].path, false);
        }
        if (st == XD_OK) {
            st = json_member(b, "code", d->items[i].code, true);
        }
        if (st == XD_OK) {
            st = json_member(b, "message", d->items[i].message, true);
        }
        if (st == XD_OK) {
            st = xd_buf_append_char(b, '}');
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(b, ']');
    }
    if (st == XD_OK && d->dropped > 0) {
        st = xd_buf_printf(b, ",\"errors_omitted\":%zu", d->dropped);
    }
    return st;
}

void xd_gw__problem(struct xd_gw_request *r, int status, const char *slug, const char *title,
                    const struct xd_diags *diags, const char *detail_fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, detail_fmt);
    vsnprintf(detail, sizeof detail, detail_fmt, ap);
    va_end(ap);

    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    r->resp.status = status;
    r->resp.content_type = "application/problem+json";
    enum xd_status st = xd_buf_printf(b, "{\"type\":\"urn:crossdock:problem:%s\"", slug);
    if (st == XD_OK) {
        st = json_member(b, "title", title, true);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, ",\"status\":%d", status);
    }
    if (st == XD_OK) {
        st = json_member(b, "detail", detail, true);
    }
    if (st == XD_OK) {
        st = json_member(b, "instance", r->path, true);
    }
    if (st == XD_OK) {
        st = json_member(b, "trace_id", r->trace_id, true);
    }
    if (st == XD_OK && diags != NULL && diags->count > 0) {
        st = problem_errors(b, diags);
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(b, '}');
    }
    if (st != XD_OK) {
        fallback_500(r);
    }
    if (status >= 500 || status == 401 || status == 403) {
        XD_LOG_WARN("http", NULL, "%s %s -> %d %s: %s", xd_gw__method_name(r->method), r->path,
                    status, slug, detail);
    }
}

void xd_gw__unavailable(struct xd_gw_request *r, const char *detail)
{
    xd_gw__problem(r, 503, "unavailable", "Service Unavailable", NULL, "%s", detail);
    xd_gw__add_header(r, "Retry-After", "1");
}
