/* SPDX-License-Identifier: MIT
 * Exceptions of the workflows: GET /v1/exceptions, GET /v1/exceptions/{id},
 * POST /v1/exceptions/{id}/actions (src/flow; docs/workflows.md). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "canon/canon.h"
#include "flow/flow.h"
#include "gateway/gw_int.h"
#include "store/store.h"

static void send_json(struct xd_gw_request *r, int status, json_t *j)
{
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (text == NULL) {
        xd_gw__problem(r, 500, "internal", "Internal Server Error", NULL, "out of memory");
        return;
    }
    xd_gw__json(r, status, text, strlen(text));
    free(text);
}

/* A short filter value: 1-128 printable bytes. */
static bool filter_arg(struct xd_gw_request *r, const char *name, const char **out)
{
    const char *v = xd_gw__query(r, name);
    if (v != NULL && (v[0] == '\0' || strlen(v) > 128)) {
        xd_gw__problem(r, 400, "invalid-filter", "Bad Request", NULL, "%s must be 1-128 characters",
                       name);
        return false;
    }
    *out = v;
    return true;
}

void xd_gw__h_exceptions_list(struct xd_gw_request *r)
{
    struct xd_store_exception_filter f = {.limit = 100};
    if (!filter_arg(r, "type", &f.type) || !filter_arg(r, "partner", &f.partner) ||
        !filter_arg(r, "owner", &f.owner) || !filter_arg(r, "state", &f.state) ||
        !filter_arg(r, "correlation_id", &f.correlation_id) ||
        !filter_arg(r, "subject_document", &f.subject_document) ||
        !filter_arg(r, "subject_number", &f.subject_number)) {
        return;
    }
    /* What an exception is about is a document of a canonical type (a ship notice, an
     * invoice, the document an SLA awaits): another name can match nothing, so it is a typo. */
    enum xd_canon_type about;
    if (f.subject_document != NULL &&
        xd_canon_type_parse(f.subject_document, strlen(f.subject_document), &about) != XD_OK) {
        xd_gw__problem(r, 400, "invalid-filter", "Bad Request", NULL,
                       "subject_document must be a document type such as ship_notice, receipt, "
                       "invoice or po_acknowledgement");
        return;
    }
    const char *v = xd_gw__query(r, "min_age_seconds");
    int64_t now = xd_now_ms();
    if (v != NULL) {
        uint64_t age = 0;
        if (xd_parse_u64(v, strlen(v), 10ULL * 365 * 86400, &age) != XD_OK) {
            xd_gw__problem(r, 400, "invalid-filter", "Bad Request", NULL,
                           "min_age_seconds must be a whole number of seconds");
            return;
        }
        f.created_before_ms = now - (int64_t)age * 1000 + 1;
    }
    v = xd_gw__query(r, "limit");
    if (v != NULL) {
        uint64_t lim = 0;
        if (xd_parse_u64(v, strlen(v), XD_STORE_LIST_MAX, &lim) != XD_OK || lim == 0) {
            xd_gw__problem(r, 400, "invalid-limit", "Bad Request", NULL,
                           "limit must be a whole number from 1 to %d", XD_STORE_LIST_MAX);
            return;
        }
        f.limit = (size_t)lim;
    }
    struct xd_store_exception *ex = NULL;
    size_t n = 0;
    struct xd_error err;
    xd_error_clear(&err);
    if (xd_store_exception_list(r->gw->store, &f, r->arena, &ex, &n, &err) != XD_OK) {
        xd_gw__unavailable(r, "the exceptions cannot be read right now");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *x = NULL;
        if (xd_flow_exception_json(&ex[i], now, &x) == XD_OK) {
            json_array_append_new(arr, x);
        }
    }
    json_t *j = json_object();
    if (j != NULL) {
        json_object_set_new(j, "exceptions", arr);
        json_object_set_new(j, "count", json_integer((json_int_t)n));
    }
    send_json(r, 200, j);
    json_decref(j);
}

void xd_gw__h_exception_get(struct xd_gw_request *r)
{
    struct xd_store_exception e;
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_store_exception_get(r->gw->store, r->params[0], r->arena, &e, &err);
    if (st == XD_ENOTFOUND) {
        xd_gw__problem(r, 404, "exception-not-found", "Not Found", NULL, "there is no exception %s",
                       r->params[0]);
        return;
    }
    json_t *j = NULL;
    if (st != XD_OK || xd_flow_exception_json(&e, xd_now_ms(), &j) != XD_OK) {
        xd_gw__unavailable(r, "the exception cannot be read right now");
        return;
    }
    send_json(r, 200, j);
    json_decref(j);
}

void xd_gw__h_exception_action(struct xd_gw_request *r)
{
    if (r->gw->opts.flow == NULL) {
        xd_gw__unavailable(r, "the workflow engine is not running");
        return;
    }
    json_error_t je;
    json_t *o =
        json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
    const char *action = json_string_value(json_object_get(o, "action"));
    const json_t *c = json_object_get(o, "comment");
    if (!json_is_object(o) || action == NULL || (c != NULL && !json_is_string(c))) {
        json_decref(o);
        xd_gw__problem(r, 400, "malformed-request", "Bad Request", NULL,
                       "the body must be a JSON object {\"action\": \"...\", \"comment\": "
                       "\"...\"}");
        return;
    }
    struct xd_buf out;
    xd_buf_init(&out, (size_t)1 << 22);
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_flow_action(r->gw->opts.flow, r->params[0], action, json_string_value(c),
                                       r->token.name, &out, &err);
    json_decref(o);
    switch (st) {
    case XD_OK:
        xd_gw__json(r, 200, out.data, out.len);
        break;
    case XD_ENOTFOUND:
        xd_gw__problem(r, 404, "exception-not-found", "Not Found", NULL, "%s", err.message);
        break;
    case XD_EINVAL:
        xd_gw__problem(r, 422, "invalid-action", "Unprocessable Content", NULL, "%s", err.message);
        break;
    case XD_ECONFLICT:
        xd_gw__problem(r, 409, "action-not-applicable", "Conflict", NULL, "%s", err.message);
        break;
    default:
        xd_gw__unavailable(r, err.message[0] != '\0' ? err.message : "try again later");
        break;
    }
    xd_buf_cleanup(&out);
}

/* GET /v1/flows: threads per workflow state, open exceptions per type, and the most recently
 * changed threads (optionally of one state). */
void xd_gw__h_flows_list(struct xd_gw_request *r)
{
    const char *state = NULL;
    if (!filter_arg(r, "state", &state)) {
        return;
    }
    size_t limit = 50;
    const char *v = xd_gw__query(r, "limit");
    if (v != NULL) {
        uint64_t lim = 0;
        if (xd_parse_u64(v, strlen(v), XD_STORE_LIST_MAX, &lim) != XD_OK || lim == 0) {
            xd_gw__problem(r, 400, "invalid-limit", "Bad Request", NULL,
                           "limit must be a whole number from 1 to %d", XD_STORE_LIST_MAX);
            return;
        }
        limit = (size_t)lim;
    }
    struct xd_store_count *states = NULL, *excs = NULL;
    size_t n_states = 0, n_excs = 0;
    struct xd_store_flow_row *rows = NULL;
    size_t n_rows = 0;
    struct xd_error err;
    xd_error_clear(&err);
    if (xd_store_flow_counts(r->gw->store, r->arena, &states, &n_states, &excs, &n_excs, &err) !=
            XD_OK ||
        xd_store_flow_list(r->gw->store, state, limit, r->arena, &rows, &n_rows, &err) != XD_OK) {
        xd_gw__unavailable(r, "the flows cannot be read right now");
        return;
    }
    json_t *j = json_object();
    json_t *st = json_object();
    json_t *ex = json_object();
    json_t *list = json_array();
    int64_t total = 0;
    for (size_t i = 0; i < n_states; i++) {
        json_object_set_new(st, states[i].name, json_integer(states[i].count));
        total += states[i].count;
    }
    for (size_t i = 0; i < n_excs; i++) {
        json_object_set_new(ex, excs[i].name, json_integer(excs[i].count));
    }
    for (size_t i = 0; i < n_rows; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "correlation_id", json_string(rows[i].correlation_id));
        json_object_set_new(o, "po_number", rows[i].key ? json_string(rows[i].key) : json_null());
        json_object_set_new(o, "state", json_string(rows[i].state));
        json_object_set_new(o, "partner",
                            rows[i].partner ? json_string(rows[i].partner) : json_null());
        json_object_set_new(o, "owner", rows[i].owner ? json_string(rows[i].owner) : json_null());
        json_object_set_new(o, "next_step",
                            rows[i].next_step ? json_string(rows[i].next_step) : json_null());
        json_object_set_new(o, "sla", json_string(rows[i].sla));
        json_object_set_new(o, "updated_at_ms", json_integer(rows[i].updated_at_ms));
        json_array_append_new(list, o);
    }
    json_object_set_new(j, "total", json_integer(total));
    json_object_set_new(j, "states", st);
    json_object_set_new(j, "exceptions_open", ex);
    json_object_set_new(j, "flows", list);
    send_json(r, 200, j);
    json_decref(j);
}
