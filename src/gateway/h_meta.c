/* SPDX-License-Identifier: MIT
 * Handlers that describe the hub: health, metrics, the OpenAPI document, JSON Schemas. */
#include <stdio.h>
#include <string.h>

#include "canon/canon.h"
#include "gateway/gw_int.h"

/* docs/openapi.json, compiled in by tools/embed.c. */
extern const unsigned char xd_gw__openapi_json[];
extern const size_t xd_gw__openapi_json_len;

void xd_gw__h_health(struct xd_gw_request *r)
{
    struct xd_store_stats s;
    xd_store_stats(r->gw->store, &s);
    char body[256];
    int n = snprintf(body, sizeof body,
                     "{\"status\":\"%s\",\"store\":\"%s\",\"version\":\"%s\",\"uptime_s\":%lld}",
                     s.healthy ? "ok" : "unavailable", s.healthy ? "ok" : "recovering", XD_VERSION,
                     (long long)((xd_now_ms() - r->gw->started_ms) / 1000));
    xd_gw__json(r, s.healthy ? 200 : 503, body, (size_t)n);
    if (!s.healthy) {
        xd_gw__add_header(r, "Retry-After", "1");
    }
}

void xd_gw__h_metrics(struct xd_gw_request *r)
{
    xd_buf_reset(&r->resp.body);
    if (xd_gw__metrics_render(r->gw, &r->resp.body) != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the metrics could not be rendered");
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void xd_gw__h_openapi(struct xd_gw_request *r)
{
    xd_gw__json(r, 200, (const char *)xd_gw__openapi_json, xd_gw__openapi_json_len);
}

void xd_gw__h_schemas(struct xd_gw_request *r)
{
    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    enum xd_status st = xd_buf_append_str(b, "{\"types\":[");
    for (int t = 0; st == XD_OK && t < XD_CANON_TYPE_COUNT; t++) {
        const char *name = xd_canon_type_name((enum xd_canon_type)t);
        st = xd_buf_printf(b, "%s{\"type\":\"%s\",\"schema\":\"/v1/schemas/%s\"}", t ? "," : "",
                           name, name);
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "]}");
    }
    if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "out of memory");
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "application/json";
}

void xd_gw__h_schema(struct xd_gw_request *r)
{
    enum xd_canon_type t;
    const char *name = r->params[0];
    if (xd_canon_type_parse(name, strlen(name), &t) != XD_OK) {
        xd_gw__problem(r, 404, "unknown-document-type", "Not Found", NULL,
                       "there is no document type '%s' (see /v1/schemas)", name);
        return;
    }
    xd_buf_reset(&r->resp.body);
    if (xd_canon_schema(t, &r->resp.body) != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the schema could not be generated");
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "application/schema+json";
}
