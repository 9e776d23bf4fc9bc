/* SPDX-License-Identifier: MIT
 * The workflow operation (XD_STORE_OP_FLOW) and the workflow reads: one step of the flow engine
 * (src/flow) commits the threads' states, their timeline, timers, exceptions, the outbound
 * messages and the engine's journal cursor in one transaction. */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

static enum xd_status bad(struct xd_error *err, const char *field, const char *why)
{
    xd_error_set(err, XD_EINVAL, "%s: %s", field, why);
    xd_error_at(err, field, -1, 0);
    return XD_EINVAL;
}

/* A required short text (a state, an event, an owner ...). */
static enum xd_status need(struct xd_error *err, const char *field, const char *v)
{
    if (v == NULL || v[0] == '\0') {
        return bad(err, field, "required");
    }
    return strnlen(v, XD_STORE_FLOW_TEXT_MAX + 1) > XD_STORE_FLOW_TEXT_MAX
               ? bad(err, field, "too long")
               : XD_OK;
}

static enum xd_status optional(struct xd_error *err, const char *field, const char *v)
{
    return v == NULL ? XD_OK : need(err, field, v);
}

static enum xd_status json_text(struct xd_error *err, const char *field, const char *v, bool req)
{
    if (v == NULL) {
        return req ? bad(err, field, "required") : XD_OK;
    }
    return strnlen(v, XD_STORE_FLOW_DATA_MAX + 1) > XD_STORE_FLOW_DATA_MAX
               ? bad(err, field, "larger than XD_STORE_FLOW_DATA_MAX")
               : XD_OK;
}

static enum xd_status thread_id(struct xd_error *err, const char *field, const char *v)
{
    if (v == NULL || v[0] == '\0') {
        return bad(err, field, "required");
    }
    return strnlen(v, XD_CORRELATION_ID_MAX + 1) > XD_CORRELATION_ID_MAX
               ? bad(err, field, "longer than XD_CORRELATION_ID_MAX")
               : XD_OK;
}

static bool counts_ok(const void *p, size_t n)
{
    return n <= XD_STORE_FLOW_ITEMS_MAX && (n == 0 || p != NULL);
}

enum xd_status xd_store__flow_validate(struct xd_store_op *op)
{
    const struct xd_store_flow *f = &op->u.flow;
    struct xd_error *err = &op->err;
    if (!counts_ok(f->rows, f->n_rows) || !counts_ok(f->events, f->n_events) ||
        !counts_ok(f->timers, f->n_timers) || !counts_ok(f->timers_closed, f->n_timers_closed) ||
        !counts_ok(f->exceptions, f->n_exceptions)) {
        return bad(err, "flow", "a count is over XD_STORE_FLOW_ITEMS_MAX or its array is NULL");
    }
    enum xd_status st = need(err, "flow.actor", f->actor);
    for (size_t i = 0; st == XD_OK && i < f->n_rows; i++) {
        const struct xd_store_flow_row *r = &f->rows[i];
        st = thread_id(err, "flow.rows[].correlation_id", r->correlation_id);
        if (st == XD_OK) {
            st = need(err, "flow.rows[].flow", r->flow);
        }
        if (st == XD_OK) {
            st = need(err, "flow.rows[].state", r->state);
        }
        if (st == XD_OK) {
            st = need(err, "flow.rows[].sla", r->sla);
        }
        const char *opt[] = {r->partner, r->owner, r->next_step};
        for (size_t k = 0; st == XD_OK && k < XD_ARRAY_LEN(opt); k++) {
            st = optional(err, "flow.rows[]", opt[k]);
        }
        if (st == XD_OK && r->key != NULL && strlen(r->key) > XD_STORE_KEY_VALUE_MAX) {
            st = bad(err, "flow.rows[].key", "too long");
        }
        if (st == XD_OK) {
            st = json_text(err, "flow.rows[].data", r->data, true);
        }
        if (st == XD_OK && r->version < 0) {
            st = bad(err, "flow.rows[].version", "negative");
        }
    }
    for (size_t i = 0; st == XD_OK && i < f->n_events; i++) {
        const struct xd_store_flow_event *e = &f->events[i];
        st = thread_id(err, "flow.events[].correlation_id", e->correlation_id);
        if (st == XD_OK) {
            st = need(err, "flow.events[].event", e->event);
        }
        if (st == XD_OK) {
            st = need(err, "flow.events[].to_state", e->to_state);
        }
        if (st == XD_OK) {
            st = json_text(err, "flow.events[].detail", e->detail, false);
        }
    }
    for (size_t i = 0; st == XD_OK && i < f->n_timers; i++) {
        const struct xd_store_timer *t = &f->timers[i];
        st = thread_id(err, "flow.timers[].correlation_id", t->correlation_id);
        if (st == XD_OK && (t->id == NULL || t->id[0] == '\0' || strlen(t->id) > 512)) {
            st = bad(err, "flow.timers[].id", "required, up to 512 bytes");
        }
        if (st == XD_OK) {
            st = need(err, "flow.timers[].kind", t->kind);
        }
        if (st == XD_OK) {
            st = json_text(err, "flow.timers[].payload", t->payload, false);
        }
    }
    for (size_t i = 0; st == XD_OK && i < f->n_timers_closed; i++) {
        if (f->timers_closed[i] == NULL) {
            st = bad(err, "flow.timers_closed[]", "required");
        }
    }
    for (size_t i = 0; st == XD_OK && i < f->n_exceptions; i++) {
        const struct xd_store_exception *e = &f->exceptions[i];
        st = need(err, "flow.exceptions[].id", e->id);
        if (st == XD_OK) {
            st = thread_id(err, "flow.exceptions[].correlation_id", e->correlation_id);
        }
        if (st == XD_OK) {
            st = need(err, "flow.exceptions[].type", e->type);
        }
        if (st == XD_OK) {
            st = need(err, "flow.exceptions[].owner", e->owner);
        }
        if (st == XD_OK) {
            st = need(err, "flow.exceptions[].state", e->state);
        }
        if (st == XD_OK) {
            st = json_text(err, "flow.exceptions[].body", e->body, true);
        }
        if (st == XD_OK &&
            ((e->subject_document != NULL && strlen(e->subject_document) > XD_STORE_KEY_NAME_MAX) ||
             (e->subject_number != NULL && strlen(e->subject_number) > XD_STORE_KEY_VALUE_MAX))) {
            st = bad(err, "flow.exceptions[].subject", "too long");
        }
    }
    if (st == XD_OK && f->n_outbox > 0) {
        st = xd_store__outbound_validate(f->outbox, f->n_outbox, false, "flow.outbox", err);
    }
    if (st == XD_OK && f->cursor != NULL) {
        st = need(err, "flow.cursor", f->cursor);
        if (st == XD_OK && (f->cursor_from < 0 || f->cursor_to < f->cursor_from)) {
            st = bad(err, "flow.cursor_to", "a cursor only moves forward");
        }
    }
    if (st == XD_OK && f->audit_action != NULL) {
        st = need(err, "flow.audit_object", f->audit_object);
    }
    return st;
}

enum xd_status xd_store__flow_apply(struct xd_store__apply *x)
{
    struct xd_store_flow *f = &x->op->u.flow;
    struct xd_store *s = x->s;
    int64_t at = f->at_ms != 0 ? f->at_ms : xd_now_ms();
    enum xd_status st = xd_store__fail(x, s->be->flow_apply(s->wconn, f, at, &x->op->err));
    if (st == XD_OK && f->n_outbox > 0) {
        st = xd_store__outbound_write(x, f->outbox, f->n_outbox, NULL, "flow", f->actor);
    }
    /* Exceptions are for people: each change of one is audited with what it now holds. */
    for (size_t i = 0; st == XD_OK && i < f->n_exceptions; i++) {
        const struct xd_store_exception *e = &f->exceptions[i];
        char action[32 + XD_STORE_FLOW_TEXT_MAX];
        char object[16 + XD_STORE_FLOW_TEXT_MAX];
        snprintf(action, sizeof action, "exception.%s", e->state);
        snprintf(object, sizeof object, "exception:%s", e->id);
        st = xd_store__audit_op(x, f->actor, action, object, NULL, e->body);
    }
    if (st == XD_OK && f->audit_action != NULL) {
        st = xd_store__audit_op(x, f->actor, f->audit_action, f->audit_object, NULL, f->audit);
    }
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Reads */

/* Take a reader, run <body>, give it back. */
#define WITH_READER(s, err, body)                                                                  \
    do {                                                                                           \
        struct xd_store__conn *c = NULL;                                                           \
        enum xd_status st_ = xd_store__reader_take((s), &c, (err));                                \
        if (st_ != XD_OK) {                                                                        \
            return st_;                                                                            \
        }                                                                                          \
        st_ = (body);                                                                              \
        xd_store__reader_give((s), c, st_);                                                        \
        return st_;                                                                                \
    } while (0)

static enum xd_status missing(struct xd_error *err)
{
    return xd_error_set(err, XD_EINVAL, "store read: arguments are required");
}

static size_t clamp(size_t limit)
{
    return limit == 0 || limit > XD_STORE_LIST_MAX ? XD_STORE_LIST_MAX : limit;
}

enum xd_status xd_store_docs_after(struct xd_store *s, int64_t after_seq, size_t limit,
                                   struct xd_arena *a, struct xd_store_doc **out, size_t *n_out,
                                   struct xd_error *err)
{
    if (s == NULL || a == NULL || out == NULL || n_out == NULL) {
        return missing(err);
    }
    size_t lim =
        limit == 0 || limit > XD_STORE_MESSAGE_DOCS_MAX + 1 ? XD_STORE_MESSAGE_DOCS_MAX + 1 : limit;
    WITH_READER(s, err, s->be->docs_after(c, after_seq, lim, a, out, n_out, err));
}

enum xd_status xd_store_cursor_get(struct xd_store *s, const char *name, int64_t *out,
                                   struct xd_error *err)
{
    if (s == NULL || name == NULL || out == NULL) {
        return missing(err);
    }
    WITH_READER(s, err, s->be->cursor_get(c, name, out, err));
}

enum xd_status xd_store_journal_head(struct xd_store *s, int64_t *out, struct xd_error *err)
{
    if (s == NULL || out == NULL) {
        return missing(err);
    }
    WITH_READER(s, err, s->be->journal_head(c, out, err));
}

enum xd_status xd_store_flow_get(struct xd_store *s, const char *correlation_id, struct xd_arena *a,
                                 struct xd_store_flow_row *out, struct xd_error *err)
{
    if (s == NULL || correlation_id == NULL || a == NULL || out == NULL) {
        return missing(err);
    }
    WITH_READER(s, err, s->be->flow_get(c, correlation_id, a, out, err));
}

enum xd_status xd_store_flow_events(struct xd_store *s, const char *correlation_id,
                                    struct xd_arena *a, struct xd_store_flow_event **out,
                                    size_t *n_out, struct xd_error *err)
{
    if (s == NULL || correlation_id == NULL || a == NULL || out == NULL || n_out == NULL) {
        return missing(err);
    }
    WITH_READER(s, err, s->be->flow_events(c, correlation_id, a, out, n_out, err));
}

enum xd_status xd_store_flow_list(struct xd_store *s, const char *state, size_t limit,
                                  struct xd_arena *a, struct xd_store_flow_row **out, size_t *n_out,
                                  struct xd_error *err)
{
    if (s == NULL || a == NULL || out == NULL || n_out == NULL) {
        return missing(err);
    }
    WITH_READER(s, err, s->be->flow_list(c, state, clamp(limit), a, out, n_out, err));
}

enum xd_status xd_store_flow_counts(struct xd_store *s, struct xd_arena *a,
                                    struct xd_store_count **states, size_t *n_states,
                                    struct xd_store_count **exceptions, size_t *n_exceptions,
                                    struct xd_error *err)
{
    if (s == NULL || a == NULL || states == NULL || n_states == NULL || exceptions == NULL ||
        n_exceptions == NULL) {
        return missing(err);
    }
    WITH_READER(s, err, s->be->flow_counts(c, a, states, n_states, exceptions, n_exceptions, err));
}

enum xd_status xd_store_timers_due(struct xd_store *s, int64_t now_ms, size_t limit,
                                   struct xd_arena *a, struct xd_store_timer **out, size_t *n_out,
                                   struct xd_error *err)
{
    if (s == NULL || a == NULL || out == NULL || n_out == NULL) {
        return missing(err);
    }
    WITH_READER(s, err, s->be->timers_due(c, now_ms, clamp(limit), a, out, n_out, err));
}

enum xd_status xd_store_exception_get(struct xd_store *s, const char *id, struct xd_arena *a,
                                      struct xd_store_exception *out, struct xd_error *err)
{
    if (s == NULL || id == NULL || a == NULL || out == NULL) {
        return missing(err);
    }
    WITH_READER(s, err, s->be->exception_get(c, id, a, out, err));
}

enum xd_status xd_store_exception_list(struct xd_store *s,
                                       const struct xd_store_exception_filter *f,
                                       struct xd_arena *a, struct xd_store_exception **out,
                                       size_t *n_out, struct xd_error *err)
{
    if (s == NULL || f == NULL || a == NULL || out == NULL || n_out == NULL) {
        return missing(err);
    }
    struct xd_store_exception_filter g = *f;
    g.limit = clamp(f->limit);
    WITH_READER(s, err, s->be->exception_list(c, &g, a, out, n_out, err));
}
