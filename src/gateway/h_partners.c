/* SPDX-License-Identifier: MIT
 * PUT /v1/partners/{id}, GET /v1/partners/{id}, GET /v1/partners.
 *
 * PUT takes a profile in YAML (application/yaml) or its JSON form; it is parsed, checked
 * against the other partners, its credentials sealed, stored as a new version and made current,
 * all or nothing: an invalid profile gets 422 with every problem, its path and its line. Only
 * admin tokens may PUT; a partner token reads its own profile only. Credential values are never
 * returned: GET shows "***". The apply blocks this pool thread until the commit (profiles change
 * rarely; documents, which arrive by the thousand, take the suspended path instead). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway/gw_int.h"
#include "partner/partner.h"

#define PARTNER_PROBLEMS_MAX 200

static bool is_admin(const struct xd_gw_request *r)
{
    return r->token.role != NULL && strcmp(r->token.role, "admin") == 0;
}

/* May this token read partner <id>? Partner tokens only their own. */
static bool may_read(struct xd_gw_request *r, const char *id)
{
    if (r->token.role != NULL && strcmp(r->token.role, "partner") == 0) {
        return r->token.partner != NULL && strcmp(r->token.partner, id) == 0;
    }
    return true;
}

static bool no_registry(struct xd_gw_request *r)
{
    if (r->gw->opts.partners != NULL) {
        return false;
    }
    xd_gw__problem(r, 503, "unavailable", "Service Unavailable", NULL,
                   "partner profiles are not available in this hub");
    return true;
}

/* Media type without parameters, compared case-insensitively. */
static bool media_is(const char *h, const char *type)
{
    if (h == NULL) {
        return false;
    }
    size_t n = strcspn(h, ";,");
    while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t')) {
        n--;
    }
    return strlen(type) == n && strncasecmp(h, type, n) == 0;
}

bool xd_gw__is_yaml_type(const char *h)
{
    return media_is(h, "application/yaml") || media_is(h, "application/x-yaml") ||
           media_is(h, "text/yaml");
}

/* Does the Accept header ask for YAML (before JSON)? */
static bool wants_yaml(struct xd_gw_request *r)
{
    const char *a = xd_gw__header(r, "Accept");
    while (a != NULL && *a != '\0') {
        while (*a == ' ' || *a == ',') {
            a++;
        }
        if (xd_gw__is_yaml_type(a)) {
            return true;
        }
        if (media_is(a, "application/json")) {
            return false;
        }
        a += strcspn(a, ",");
    }
    return false;
}

/* 422 with every problem: path, line, column, code, message. */
static void answer_problems(struct xd_gw_request *r, const struct xd_partner_problems *pr,
                            const char *detail)
{
    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    enum xd_status st = xd_buf_printf(b, "{\"type\":\"urn:crossdock:problem:invalid-profile\","
                                         "\"title\":\"Unprocessable Content\",\"status\":422,"
                                         "\"detail\":\"");
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, detail, strlen(detail));
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "\",\"instance\":\"");
    }
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, r->path, strlen(r->path));
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, "\",\"trace_id\":\"%s\",\"errors\":[", r->trace_id);
    }
    for (size_t i = 0; st == XD_OK && i < pr->count; i++) {
        const struct xd_partner_problem *p = &pr->items[i];
        st = xd_buf_append_str(b, i ? ",{\"path\":\"" : "{\"path\":\"");
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, p->path, strlen(p->path));
        }
        if (st == XD_OK) {
            st = xd_buf_printf(b, "\",\"line\":%d,\"column\":%d,\"code\":\"", p->line, p->column);
        }
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, p->code, strlen(p->code));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\",\"message\":\"");
        }
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, p->message, strlen(p->message));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\"}");
        }
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, "]%s", pr->dropped > 0 ? "" : "}");
    }
    if (st == XD_OK && pr->dropped > 0) {
        st = xd_buf_printf(b, ",\"errors_omitted\":%zu}", pr->dropped);
    }
    if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the problem list could not be built");
        return;
    }
    r->resp.status = 422;
    r->resp.content_type = "application/problem+json";
}

static void answer_applied(struct xd_gw_request *r, const char *id,
                           const struct xd_partner_apply_result *res)
{
    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    enum xd_status st = xd_buf_append_str(b, "{\"id\":\"");
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, id, strlen(id));
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b, "\",\"version\":%lld,\"created\":%s,\"unchanged\":%s,",
                           (long long)res->version, res->created ? "true" : "false",
                           res->unchanged ? "true" : "false");
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "\"links\":{\"self\":\"/v1/partners/");
    }
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, id, strlen(id));
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "\"}}");
    }
    if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the profile was applied but the answer could not be built");
        return;
    }
    r->resp.status = res->created ? 201 : 200;
    r->resp.content_type = "application/json";
    if (res->created) {
        char *loc = xd_arena_printf(r->arena, "/v1/partners/%s", id);
        if (loc != NULL) {
            xd_gw__add_header(r, "Location", loc);
        }
    }
}

static void apply_failed(struct xd_gw_request *r, enum xd_status st, const struct xd_error *err)
{
    switch (st) {
    case XD_EUNAVAIL:
    case XD_EAGAIN:
    case XD_ECLOSED:
        xd_gw__unavailable(r, "the profile could not be stored; nothing was changed, retry later");
        return;
    case XD_ECONFLICT:
        xd_gw__problem(r, 409, "conflict", "Conflict", NULL, "%s", err->message);
        return;
    case XD_EUNSUPPORTED:
        xd_gw__problem(r, 503, "unavailable", "Service Unavailable", NULL, "%s", err->message);
        return;
    default:
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "%s",
                       err->message[0] ? err->message : xd_strerror(st));
        return;
    }
}

void xd_gw__h_partner_put(struct xd_gw_request *r)
{
    if (no_registry(r)) {
        return;
    }
    const char *id = r->params[0];
    if (!is_admin(r)) {
        xd_gw__problem(r, 403, "forbidden", "Forbidden", NULL,
                       "only admin tokens may change partner profiles");
        return;
    }
    enum xd_partner_syntax syntax =
        xd_gw__is_yaml_type(xd_gw__header(r, "Content-Type")) ? XD_PARTNER_YAML : XD_PARTNER_JSON;
    struct xd_partner_problems problems;
    xd_partner_problems_init(&problems, PARTNER_PROBLEMS_MAX);
    struct xd_partner_profile *p = NULL;
    const char *text = r->body.data != NULL ? r->body.data : "";
    enum xd_status st = xd_partner_parse(text, r->body.len, syntax, &p, &problems);
    if (st == XD_OK && strcmp(p->id, id) != 0) {
        st = XD_EINVALDOC;
        xd_partner_problems_add(&problems, "mismatch", "id", 0, 0,
                                "the profile's id '%s' is not the '%s' of the URL", p->id, id);
    }
    struct xd_error err = {0};
    struct xd_partner_apply_result res;
    if (st == XD_OK) {
        st = xd_partner_apply(r->gw->opts.partners, r->gw->store, p, r->token.name, &res, &problems,
                              &err);
        if (st == XD_OK) {
            const struct xd_log_ctx lc = {.partner = id, .action = "partner.apply"};
            XD_LOG_INFO("http", &lc, "profile %s by %s: version %lld (%s)", id, r->token.name,
                        (long long)res.version,
                        res.unchanged ? "unchanged"
                        : res.created ? "created"
                                      : "updated");
            if (r->gw->opts.partner_applied != NULL) {
                r->gw->opts.partner_applied(r->gw->opts.partner_applied_arg, id);
            }
            answer_applied(r, id, &res);
        }
    }
    if (st == XD_EPARSE || st == XD_EINVALDOC || st == XD_ETOOBIG) {
        xd_partner_problems_locate(&problems, text, r->body.len, syntax);
        answer_problems(r, &problems,
                        st == XD_EPARSE ? "the profile is not well-formed; nothing was applied"
                                        : "the profile has problems; nothing was applied");
    } else if (st == XD_ENOMEM) {
        xd_gw__unavailable(r, "out of memory");
    } else if (st != XD_OK) {
        apply_failed(r, st, &err);
    }
    xd_partner_profile_unref(p);
    xd_partner_problems_cleanup(&problems);
}

static bool parse_version(struct xd_gw_request *r, int64_t *version)
{
    const char *v = xd_gw__query(r, "version");
    uint64_t n = 0;
    *version = 0;
    if (v == NULL) {
        return true;
    }
    if (xd_parse_u64(v, strlen(v), INT64_MAX, &n) != XD_OK || n == 0) {
        xd_gw__problem(r, 400, "invalid-version", "Bad Request", NULL,
                       "version must be a whole number from 1");
        return false;
    }
    *version = (int64_t)n;
    return true;
}

void xd_gw__h_partner_get(struct xd_gw_request *r)
{
    if (no_registry(r)) {
        return;
    }
    const char *id = r->params[0];
    if (!may_read(r, id)) {
        xd_gw__problem(r, 403, "forbidden", "Forbidden", NULL,
                       "a partner token may read only its own profile");
        return;
    }
    int64_t version;
    if (!parse_version(r, &version)) {
        return;
    }
    struct xd_partner_snapshot *snap = NULL;
    const struct xd_partner_profile *p = NULL;
    struct xd_partner_profile *loaded = NULL;
    struct xd_error err = {0};
    enum xd_status st = XD_OK;
    if (version == 0) {
        snap = xd_partner_registry_acquire(r->gw->opts.partners);
        p = xd_partner_snapshot_find(snap, id);
        st = p != NULL ? XD_OK : XD_ENOTFOUND;
    } else {
        st = xd_partner_load(r->gw->store, id, version, &loaded, &err);
        p = loaded;
    }
    if (st == XD_ENOTFOUND && version > 0) {
        xd_gw__problem(r, 404, "partner-not-found", "Not Found", NULL,
                       "partner %s has no version %lld", id, (long long)version);
    } else if (st == XD_ENOTFOUND) {
        xd_gw__problem(r, 404, "partner-not-found", "Not Found", NULL, "there is no partner %s",
                       id);
    } else if (st != XD_OK) {
        XD_LOG_ERROR("http", NULL, "partner %s: %s", id, err.message);
        xd_gw__unavailable(r, "the profile cannot be read right now");
    } else {
        bool yaml = wants_yaml(r);
        xd_buf_reset(&r->resp.body);
        st = yaml ? xd_partner_to_yaml(p, XD_PARTNER_EMIT_REDACTED, &r->resp.body)
                  : xd_partner_to_json(p, XD_PARTNER_EMIT_REDACTED, &r->resp.body);
        if (st != XD_OK) {
            xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                           "the profile could not be written");
        } else {
            r->resp.status = 200;
            r->resp.content_type = yaml ? "application/yaml" : "application/json";
            char *v = xd_arena_printf(r->arena, "%lld", (long long)p->version);
            if (v != NULL) {
                xd_gw__add_header(r, "X-Partner-Version", v);
            }
        }
    }
    xd_partner_profile_unref(loaded);
    xd_partner_snapshot_release(snap);
}

void xd_gw__h_partners_list(struct xd_gw_request *r)
{
    if (no_registry(r)) {
        return;
    }
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(r->gw->opts.partners);
    struct xd_buf *b = &r->resp.body;
    xd_buf_reset(b);
    enum xd_status st = xd_buf_append_str(b, "{\"partners\":[");
    bool first = true;
    for (size_t i = 0; st == XD_OK && i < xd_partner_snapshot_count(snap); i++) {
        const struct xd_partner_profile *p = xd_partner_snapshot_at(snap, i);
        if (!may_read(r, p->id)) {
            continue;
        }
        char updated[XD_TIME_STR_MAX];
        xd_time_format(p->updated_at_ms, updated, sizeof updated);
        st = xd_buf_append_str(b, first ? "{\"id\":\"" : ",{\"id\":\"");
        first = false;
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, p->id, strlen(p->id));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, "\",\"name\":\"");
        }
        if (st == XD_OK) {
            st = xd_buf_append_json_str(b, p->name, strlen(p->name));
        }
        if (st == XD_OK) {
            st = xd_buf_printf(b, "\",\"role\":\"%s\",\"version\":%lld,\"updated_at\":\"%s\"}",
                               xd_partner_role_name(p->role), (long long)p->version, updated);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "]}");
    }
    xd_partner_snapshot_release(snap);
    if (st != XD_OK) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL,
                       "the partner list could not be built");
        return;
    }
    r->resp.status = 200;
    r->resp.content_type = "application/json";
}
