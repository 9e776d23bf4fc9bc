/* SPDX-License-Identifier: MIT
 * The route table: every endpoint of the HTTP API in one place. docs/openapi.json documents
 * exactly these (a test compares the two). */
#include <string.h>

#include "gateway/gw_int.h"

/* clang-format off */
const struct gw_route xd_gw__routes[] = {
    {"/v1/health",                       GW_GET | GW_HEAD, "health",          false, false, xd_gw__h_health, GW_ROLES_STAFF},
    {"/v1/documents",                    GW_POST,          "documents_post",  true,  true,  xd_gw__h_document_post, GW_ROLES_ALL},
    {"/v1/documents/{id}",               GW_GET | GW_HEAD, "documents_get",   true,  false, xd_gw__h_document_get, GW_ROLES_ALL},
    {"/v1/documents/{id}/raw",           GW_GET | GW_HEAD, "documents_raw",   true,  false, xd_gw__h_document_raw, GW_ROLES_ALL},
    {"/v1/transactions/{correlation_id}", GW_GET | GW_HEAD, "transactions_get", true, false, xd_gw__h_transaction_get, GW_ROLES_ALL},
    {"/v1/schemas",                      GW_GET | GW_HEAD, "schemas_list",    true,  false, xd_gw__h_schemas, GW_ROLES_ALL},
    {"/v1/schemas/{type}",               GW_GET | GW_HEAD, "schemas_get",     true,  false, xd_gw__h_schema, GW_ROLES_ALL},
    {"/v1/partners",                     GW_GET | GW_HEAD, "partners_list",   true,  false, xd_gw__h_partners_list, GW_ROLES_ALL},
    {"/v1/partners/{id}",                GW_GET | GW_HEAD, "partners_get",    true,  false, xd_gw__h_partner_get, GW_ROLES_ALL},
    {"/v1/partners/{id}",                GW_PUT,           "partners_put",    true,  GW_BODY_JSON_YAML, xd_gw__h_partner_put, GW_ROLES_STAFF},
    {"/v1/openapi.json",                 GW_GET | GW_HEAD, "openapi",         true,  false, xd_gw__h_openapi, GW_ROLES_ALL},
    {"/v1/outbox",                       GW_GET | GW_HEAD, "outbox_list",     true,  false, xd_gw__h_outbox_list, GW_ROLES_STAFF},
    {"/v1/outbox",                       GW_POST,          "outbox_post",     true,  true,  xd_gw__h_outbox_post, GW_ROLES_STAFF},
    {"/v1/outbox/{id}",                  GW_GET | GW_HEAD, "outbox_get",      true,  false, xd_gw__h_outbox_get, GW_ROLES_STAFF},
    {"/v1/dlq",                          GW_GET | GW_HEAD, "dlq_list",        true,  false, xd_gw__h_dlq_list, GW_ROLES_STAFF},
    {"/v1/dlq/replay",                   GW_POST,          "dlq_replay",      true,  true,  xd_gw__h_dlq_replay, GW_ROLES_STAFF},
    {"/v1/endpoints",                    GW_GET | GW_HEAD, "endpoints_list",  true,  false, xd_gw__h_endpoints_list, GW_ROLES_STAFF},
    {"/v1/endpoints/{partner}/{name}/enable", GW_POST,     "endpoint_enable", true,  false, xd_gw__h_endpoint_enable, GW_ROLES_STAFF},
    {"/v1/inbound/{partner}",            GW_POST,          "inbound_post",    true,  GW_BODY_ANY, xd_gw__h_inbound_post, GW_ROLES_ALL},
    {"/v1/flows",                        GW_GET | GW_HEAD, "flows_list",      true,  false, xd_gw__h_flows_list, GW_ROLES_STAFF},
    {"/v1/exceptions",                   GW_GET | GW_HEAD, "exceptions_list", true,  false, xd_gw__h_exceptions_list, GW_ROLES_STAFF},
    {"/v1/exceptions/{id}",              GW_GET | GW_HEAD, "exceptions_get",  true,  false, xd_gw__h_exception_get, GW_ROLES_STAFF},
    {"/v1/exceptions/{id}/actions",      GW_POST,          "exceptions_action", true, true, xd_gw__h_exception_action, GW_ROLES_STAFF},
    {"/metrics",                         GW_GET | GW_HEAD, "metrics",         false, false, xd_gw__h_metrics, GW_ROLES_STAFF},
};
/* clang-format on */
const size_t xd_gw__route_count = sizeof xd_gw__routes / sizeof xd_gw__routes[0];

static const struct {
    const char *name;
    enum gw_method method;
} methods[] = {
    {"GET", GW_GET},       {"HEAD", GW_HEAD},   {"POST", GW_POST},       {"PUT", GW_PUT},
    {"DELETE", GW_DELETE}, {"PATCH", GW_PATCH}, {"OPTIONS", GW_OPTIONS},
};

enum gw_method xd_gw__method_parse(const char *m)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(methods); i++) {
        if (strcmp(m, methods[i].name) == 0) {
            return methods[i].method;
        }
    }
    return 0;
}

const char *xd_gw__method_name(enum gw_method m)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(methods); i++) {
        if (methods[i].method == m) {
            return methods[i].name;
        }
    }
    return "OTHER";
}

/* Match <path> against <pattern>; on success store the {param} segments (decoded in place in
 * the arena copy) into r->params. A parameter segment is 1..255 bytes, never empty. */
static bool match(struct xd_gw_request *r, const char *pattern, const char *path)
{
    size_t np = 0;
    const char *params[GW_MAX_PARAMS] = {0};
    while (*pattern != '\0' && *path != '\0') {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            size_t seg = strcspn(path, "/");
            if (close == NULL || seg == 0 || seg > 255 || np == GW_MAX_PARAMS) {
                return false;
            }
            params[np] = xd_arena_strndup(r->arena, path, seg);
            if (params[np] == NULL) {
                return false;
            }
            np++;
            pattern = close + 1;
            path += seg;
            continue;
        }
        if (*pattern != *path) {
            return false;
        }
        pattern++;
        path++;
    }
    if (*pattern != '\0' || *path != '\0') {
        return false;
    }
    memcpy(r->params, params, sizeof params);
    return true;
}

unsigned xd_gw__route(struct xd_gw_request *r)
{
    unsigned allowed = 0;
    r->route = GW_ROUTE_NONE;
    for (size_t i = 0; i < xd_gw__route_count; i++) {
        if (!match(r, xd_gw__routes[i].pattern, r->path)) {
            continue;
        }
        allowed |= xd_gw__routes[i].methods;
        if ((xd_gw__routes[i].methods & r->method) != 0) {
            r->route = i;
            return allowed;
        }
    }
    return allowed;
}
