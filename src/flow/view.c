/* SPDX-License-Identifier: MIT
 * Views of the flows for people (GET /v1/transactions/{id}, GET /v1/exceptions, crossdock tx
 * show): a thread's state, timeline, lines and exceptions as JSON, read from the store. */
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/clock.h"
#include "flow/flow.h"
#include "store/store.h"

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *time_json(int64_t ms)
{
    char buf[XD_TIME_STR_MAX];
    xd_time_format(ms, buf, sizeof buf);
    return json_string(buf);
}

enum xd_status xd_flow_exception_json(const struct xd_store_exception *e, int64_t now_ms,
                                      json_t **out)
{
    json_t *j = json_loads(e->body, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return XD_ECORRUPT;
    }
    json_object_del(j, "created_at_ms");
    int rc = json_object_set_new(j, "state", json_string(e->state));
    rc |= json_object_set_new(j, "created_at", time_json(e->created_at_ms));
    rc |= json_object_set_new(j, "updated_at", time_json(e->updated_at_ms));
    int64_t age = now_ms > e->created_at_ms ? (now_ms - e->created_at_ms) / 1000 : 0;
    rc |= json_object_set_new(j, "age_seconds", json_integer(age));
    if (rc != 0) {
        json_decref(j);
        return XD_ENOMEM;
    }
    *out = j;
    return XD_OK;
}

/* The lines as people read them: ordered, confirmed, shipped, received, invoiced. */
static json_t *lines_json(const json_t *data)
{
    json_t *arr = json_array();
    const char *k = NULL;
    json_t *l = NULL;
    json_object_foreach((json_t *)json_object_get(data, "lines"), k, l)
    {
        json_array_append(arr, l);
    }
    return arr;
}

enum xd_status xd_flow_view(struct xd_store *s, const char *correlation_id, json_t **out,
                            struct xd_error *err)
{
    *out = NULL;
    struct xd_arena *a = xd_arena_create(0, (size_t)256 << 20);
    if (a == NULL) {
        return xd_error_set(err, XD_ENOMEM, "flow view: out of memory");
    }
    struct xd_store_flow_row row;
    enum xd_status st = xd_store_flow_get(s, correlation_id, a, &row, err);
    if (st == XD_ENOTFOUND) {
        xd_arena_destroy(a);
        return XD_OK;
    }
    struct xd_store_flow_event *ev = NULL;
    size_t n_ev = 0;
    struct xd_store_exception *ex = NULL;
    size_t n_ex = 0;
    if (st == XD_OK) {
        st = xd_store_flow_events(s, correlation_id, a, &ev, &n_ev, err);
    }
    if (st == XD_OK) {
        struct xd_store_exception_filter f = {.correlation_id = correlation_id};
        st = xd_store_exception_list(s, &f, a, &ex, &n_ex, err);
    }
    json_t *data = st == XD_OK ? json_loads(row.data, 0, NULL) : NULL;
    json_t *j = json_object();
    json_t *tl = json_array();
    json_t *xs = json_array();
    if (st == XD_OK && (data == NULL || j == NULL || tl == NULL || xs == NULL)) {
        st = xd_error_set(err, XD_ENOMEM, "flow view: out of memory");
    }
    int64_t now = xd_now_ms();
    for (size_t i = 0; st == XD_OK && i < n_ev; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "at", time_json(ev[i].at_ms));
        json_object_set_new(e, "event", json_string(ev[i].event));
        json_object_set_new(e, "from", str_or_null(ev[i].from_state));
        json_object_set_new(e, "to", json_string(ev[i].to_state));
        json_object_set_new(e, "document_id", str_or_null(ev[i].document_id));
        json_object_set_new(e, "partner", str_or_null(ev[i].partner));
        json_object_set_new(e, "channel", str_or_null(ev[i].channel));
        json_t *d = ev[i].detail != NULL ? json_loads(ev[i].detail, 0, NULL) : NULL;
        json_object_set_new(e, "detail", d != NULL ? d : json_null());
        json_array_append_new(tl, e);
    }
    for (size_t i = 0; st == XD_OK && i < n_ex; i++) {
        json_t *x = NULL;
        st = xd_flow_exception_json(&ex[i], now, &x);
        if (st == XD_OK) {
            json_array_append_new(xs, x);
        }
    }
    if (st == XD_OK) {
        json_object_set_new(j, "flow", json_string(row.flow));
        json_object_set_new(j, "state", json_string(row.state));
        json_object_set_new(j, "po_number", str_or_null(row.key));
        json_object_set_new(j, "partner", str_or_null(row.partner));
        json_object_set_new(j, "owner", str_or_null(row.owner));
        json_object_set_new(j, "next_step", str_or_null(row.next_step));
        json_object_set_new(j, "sla", json_string(row.sla));
        json_object_set_new(j, "version", json_integer(row.version));
        json_object_set_new(j, "created_at", time_json(row.created_at_ms));
        json_object_set_new(j, "updated_at", time_json(row.updated_at_ms));
        const char *const roles[] = {"supplier", "warehouse", "erp"};
        json_t *parts = json_object();
        for (size_t i = 0; i < XD_ARRAY_LEN(roles); i++) {
            json_object_set(parts, roles[i],
                            json_object_get(data, roles[i]) != NULL
                                ? json_object_get(data, roles[i])
                                : json_null());
        }
        json_object_set_new(j, "participants", parts);
        json_object_set_new(j, "lines", lines_json(data));
        json_t *extra[] = {json_object_get(data, "variances"), json_object_get(data, "invoices"),
                           json_object_get(data, "asn_accuracy")};
        const char *names[] = {"variances", "invoices", "asn_accuracy"};
        for (size_t i = 0; i < XD_ARRAY_LEN(names); i++) {
            if (extra[i] != NULL) {
                json_object_set(j, names[i], extra[i]);
            }
        }
        json_t *invs = json_object_get(j, "invoices");
        const char *k = NULL;
        json_t *inv = NULL;
        json_object_foreach(invs, k, inv)
        {
            json_object_del(inv, "body"); /* the invoice itself is in the thread's documents */
        }
        json_object_set(j, "timeline", tl);
        json_object_set(j, "exceptions", xs);
        *out = j;
        j = NULL;
    }
    json_decref(j);
    json_decref(tl);
    json_decref(xs);
    json_decref(data);
    xd_arena_destroy(a);
    return st;
}
