/* SPDX-License-Identifier: MIT
 * What the API and /metrics show of delivery: every endpoint with its configuration (never its
 * secrets) and live state, and the Prometheus series. Runs on the caller's thread (the HTTP
 * server's): queue views are copied under view_mu, the registry and the store are read through
 * their own thread-safe interfaces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/deliver_int.h"

bool xd_deliver_endpoint_exists(struct xd_deliver *d, const char *partner, const char *name)
{
    struct xd_deliver_endpoint e;
    bool found = d->reg.lookup(d->reg.arg, partner, name, &e) == XD_OK;
    memset(&e, 0, sizeof e);
    return found;
}

/* ------------------------------------------------------------------------------------------ */
/* Endpoint listing */

struct listing {
    struct xd_deliver *d;
    struct xd_arena *a;
    struct xd_deliver_endpoint_status *rows;
    size_t n;
    size_t cap;
};

static struct xd_deliver_endpoint_status *row_for(struct listing *l, const char *partner,
                                                  const char *name)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->rows[i].partner, partner) == 0 && strcmp(l->rows[i].name, name) == 0) {
            return &l->rows[i];
        }
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct xd_deliver_endpoint_status *g = xd_arena_calloc(l->a, cap, sizeof *g);
        if (g == NULL) {
            return NULL;
        }
        if (l->n > 0) {
            memcpy(g, l->rows, l->n * sizeof *g);
        }
        l->rows = g;
        l->cap = cap;
    }
    struct xd_deliver_endpoint_status *r = &l->rows[l->n];
    memset(r, 0, sizeof *r);
    r->partner = xd_arena_strdup(l->a, partner);
    r->name = xd_arena_strdup(l->a, name);
    r->ordered = true;
    r->max_in_flight = 1;
    r->kind = XD_DELIVER_HTTP;
    if (r->partner == NULL || r->name == NULL) {
        return NULL;
    }
    l->n++;
    return r;
}

static enum xd_status add_configured(void *arg, const struct xd_deliver_endpoint *e)
{
    struct listing *l = arg;
    struct xd_deliver_endpoint_status *r = row_for(l, e->partner, e->name);
    if (r == NULL) {
        return XD_ENOMEM;
    }
    r->configured = true;
    r->kind = e->kind;
    r->ordered = e->ordered;
    r->max_in_flight = e->ordered ? 1 : e->max_in_flight;
    if (e->config_error[0] != '\0') {
        r->config_error = xd_arena_strdup(l->a, e->config_error);
    }
    if (e->kind == XD_DELIVER_FILE) {
        r->target = xd_arena_printf(l->a, "%s/%s/outbox/", l->d->partners_dir, e->partner);
    } else {
        char url[XD_DELIVER_URL_MAX + 1];
        r->target = xd_deliver__url_redact(e->url, url, sizeof url) == XD_OK
                        ? xd_arena_strdup(l->a, url)
                        : NULL;
    }
    if (e->alternate_partner[0] != '\0') {
        r->alternate_partner = xd_arena_strdup(l->a, e->alternate_partner);
        r->alternate_endpoint =
            xd_arena_strdup(l->a, e->alternate_endpoint[0] ? e->alternate_endpoint : e->name);
    }
    return XD_OK;
}

static int by_name(const void *a, const void *b)
{
    const struct xd_deliver_endpoint_status *x = a;
    const struct xd_deliver_endpoint_status *y = b;
    int c = strcmp(x->partner, y->partner);
    return c != 0 ? c : strcmp(x->name, y->name);
}

enum xd_status xd_deliver_endpoints(struct xd_deliver *d, struct xd_arena *a,
                                    struct xd_deliver_endpoint_status **out, size_t *n_out,
                                    struct xd_error *err)
{
    struct listing l = {.d = d, .a = a};
    enum xd_status st = d->reg.each(d->reg.arg, add_configured, &l);
    if (st != XD_OK) {
        return xd_error_set(err, st, "listing endpoints: %s", xd_strerror(st));
    }
    pthread_mutex_lock(&d->view_mu);
    for (size_t i = 0; st == XD_OK && i < d->n_queues; i++) {
        const struct xd_deliver__queue *q = d->queues[i];
        struct xd_deliver_endpoint_status *r = row_for(&l, q->partner, q->endpoint);
        if (r == NULL) {
            st = XD_ENOMEM;
            break;
        }
        const struct xd_deliver__view *v = &q->view;
        r->disabled = v->disabled;
        r->disabled_reason =
            v->disabled && v->disabled_reason[0] ? xd_arena_strdup(a, v->disabled_reason) : NULL;
        r->breaker = v->breaker;
        r->consecutive_failures = v->failures;
        r->breaker_since_ms = v->breaker_since_ms;
        r->down_since_ms = v->down_since_ms;
        memcpy(r->transitions, v->transitions, sizeof r->transitions);
        r->in_flight = v->busy;
        r->delivered = v->delivered;
        r->retried = v->retried;
        r->dead = v->dead;
        r->failover_active = v->failover;
        r->rerouted = v->rerouted;
    }
    pthread_mutex_unlock(&d->view_mu);
    if (st != XD_OK) {
        return xd_error_set(err, st, "listing endpoints: out of memory");
    }
    if (l.n > 1) {
        qsort(l.rows, l.n, sizeof *l.rows, by_name);
    }
    *out = l.rows;
    *n_out = l.n;
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Metrics */

struct snap {
    char partner[XD_STORE_NAME_MAX + 1];
    char endpoint[XD_STORE_NAME_MAX + 1];
    struct xd_deliver__view v;
};

static enum xd_status render_counters(const struct snap *s, size_t n, struct xd_buf *b)
{
    enum xd_status st = xd_buf_append_str(
        b, "# HELP crossdock_delivery_attempts_total Delivery attempts by endpoint and outcome "
           "(delivered, retried, dead).\n# TYPE crossdock_delivery_attempts_total counter\n");
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        const struct {
            const char *outcome;
            uint64_t v;
        } rows[] = {
            {"delivered", s[i].v.delivered}, {"retried", s[i].v.retried}, {"dead", s[i].v.dead}};
        for (size_t k = 0; st == XD_OK && k < XD_ARRAY_LEN(rows); k++) {
            st = xd_buf_printf(b,
                               "crossdock_delivery_attempts_total{partner=\"%s\",endpoint=\"%s\","
                               "outcome=\"%s\"} %llu\n",
                               s[i].partner, s[i].endpoint, rows[k].outcome,
                               (unsigned long long)rows[k].v);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(
            b, "# HELP crossdock_delivery_rerouted_total Messages re-routed to the alternate "
               "partner (failover).\n# TYPE crossdock_delivery_rerouted_total counter\n");
    }
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        st = xd_buf_printf(b,
                           "crossdock_delivery_rerouted_total{partner=\"%s\",endpoint=\"%s\"} "
                           "%llu\n",
                           s[i].partner, s[i].endpoint, (unsigned long long)s[i].v.rerouted);
    }
    return st;
}

static enum xd_status render_breakers(const struct snap *s, size_t n, struct xd_buf *b)
{
    enum xd_status st = xd_buf_append_str(
        b, "# HELP crossdock_delivery_breaker_state 1 for the state each endpoint's circuit "
           "breaker is in.\n# TYPE crossdock_delivery_breaker_state gauge\n");
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        for (int k = 0; st == XD_OK && k < XD_DELIVER_BREAKER_STATES; k++) {
            st = xd_buf_printf(b,
                               "crossdock_delivery_breaker_state{partner=\"%s\",endpoint=\"%s\","
                               "state=\"%s\"} %d\n",
                               s[i].partner, s[i].endpoint,
                               xd_deliver_breaker_name((enum xd_deliver_breaker_state)k),
                               (int)s[i].v.breaker == k);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(
            b, "# HELP crossdock_delivery_breaker_transitions_total Breaker transitions by the "
               "state entered.\n# TYPE crossdock_delivery_breaker_transitions_total counter\n");
    }
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        for (int k = 0; st == XD_OK && k < XD_DELIVER_BREAKER_STATES; k++) {
            st = xd_buf_printf(b,
                               "crossdock_delivery_breaker_transitions_total{partner=\"%s\","
                               "endpoint=\"%s\",to=\"%s\"} %llu\n",
                               s[i].partner, s[i].endpoint,
                               xd_deliver_breaker_name((enum xd_deliver_breaker_state)k),
                               (unsigned long long)s[i].v.transitions[k]);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(
            b, "# HELP crossdock_delivery_endpoint_disabled 1 while an endpoint is disabled "
               "(410 Gone, until enabled).\n# TYPE crossdock_delivery_endpoint_disabled gauge\n"
               "# HELP crossdock_delivery_failover_active 1 while new work of an endpoint goes "
               "to its alternate.\n# TYPE crossdock_delivery_failover_active gauge\n");
    }
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        st = xd_buf_printf(b,
                           "crossdock_delivery_endpoint_disabled{partner=\"%s\",endpoint=\"%s\"} "
                           "%d\ncrossdock_delivery_failover_active{partner=\"%s\",endpoint=\"%s\"}"
                           " %d\n",
                           s[i].partner, s[i].endpoint, s[i].v.disabled ? 1 : 0, s[i].partner,
                           s[i].endpoint, s[i].v.failover ? 1 : 0);
    }
    return st;
}

static enum xd_status render_latency(const struct snap *s, size_t n, struct xd_buf *b)
{
    enum xd_status st = xd_buf_append_str(
        b, "# HELP crossdock_delivery_duration_seconds Time of one delivery attempt (request to "
           "answer, or file write).\n# TYPE crossdock_delivery_duration_seconds histogram\n");
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        uint64_t cum = 0;
        for (size_t k = 0; st == XD_OK && k < XD_DELIVER__LATENCY_BUCKETS; k++) {
            cum += s[i].v.latency[k];
            char le[32];
            if (k + 1 < XD_DELIVER__LATENCY_BUCKETS) {
                snprintf(le, sizeof le, "%g", (double)xd_deliver__latency_bounds_us[k] / 1e6);
            } else {
                snprintf(le, sizeof le, "+Inf");
            }
            st = xd_buf_printf(b,
                               "crossdock_delivery_duration_seconds_bucket{partner=\"%s\","
                               "endpoint=\"%s\",le=\"%s\"} %llu\n",
                               s[i].partner, s[i].endpoint, le, (unsigned long long)cum);
        }
        if (st == XD_OK) {
            st = xd_buf_printf(b,
                               "crossdock_delivery_duration_seconds_sum{partner=\"%s\","
                               "endpoint=\"%s\"} %.6f\n"
                               "crossdock_delivery_duration_seconds_count{partner=\"%s\","
                               "endpoint=\"%s\"} %llu\n",
                               s[i].partner, s[i].endpoint, (double)s[i].v.latency_sum_us / 1e6,
                               s[i].partner, s[i].endpoint, (unsigned long long)cum);
        }
    }
    return st;
}

/* Messages per state from the store: totals, and per endpoint. */
static enum xd_status render_depths(struct xd_deliver *d, struct xd_buf *b)
{
    struct xd_arena *a = xd_arena_create(0, 0);
    if (a == NULL) {
        return XD_ENOMEM;
    }
    struct xd_store_outbox_depth *rows = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    enum xd_status st = xd_store_outbox_depths(d->store, a, &rows, &n, &err);
    if (st != XD_OK) {
        xd_arena_destroy(a);
        /* The store is unavailable: leave the series out rather than report zeros. */
        return XD_OK;
    }
    int64_t totals[XD_OUTBOX_STATE_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        totals[rows[i].state] += rows[i].count;
    }
    st = xd_buf_append_str(b, "# HELP crossdock_outbox_messages Outbound messages by state "
                              "(delivered ones are not counted).\n"
                              "# TYPE crossdock_outbox_messages gauge\n");
    for (int k = 0; st == XD_OK && k < XD_OUTBOX_STATE_COUNT; k++) {
        if (k == XD_OUTBOX_DELIVERED) {
            continue;
        }
        st = xd_buf_printf(b, "crossdock_outbox_messages{state=\"%s\"} %lld\n",
                           xd_store_outbox_state_name((enum xd_store_outbox_state)k),
                           (long long)totals[k]);
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "# HELP crossdock_outbox_queue_depth Outbound messages by "
                                  "endpoint and state.\n"
                                  "# TYPE crossdock_outbox_queue_depth gauge\n");
    }
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        st = xd_buf_printf(b,
                           "crossdock_outbox_queue_depth{partner=\"%s\",endpoint=\"%s\",state=\""
                           "%s\"} %lld\n",
                           rows[i].partner, rows[i].endpoint,
                           xd_store_outbox_state_name(rows[i].state), (long long)rows[i].count);
    }
    xd_arena_destroy(a);
    return st;
}

enum xd_status xd_deliver_metrics_render(struct xd_deliver *d, struct xd_buf *out)
{
    pthread_mutex_lock(&d->view_mu);
    size_t n = d->n_queues;
    struct snap *s = xd_calloc(n ? n : 1, sizeof *s);
    for (size_t i = 0; s != NULL && i < n; i++) {
        snprintf(s[i].partner, sizeof s[i].partner, "%s", d->queues[i]->partner);
        snprintf(s[i].endpoint, sizeof s[i].endpoint, "%s", d->queues[i]->endpoint);
        s[i].v = d->queues[i]->view;
    }
    pthread_mutex_unlock(&d->view_mu);
    if (s == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = xd_buf_printf(out,
                                      "# HELP crossdock_delivery_in_flight Messages being "
                                      "claimed, delivered or recorded.\n"
                                      "# TYPE crossdock_delivery_in_flight gauge\n"
                                      "crossdock_delivery_in_flight %zu\n",
                                      atomic_load(&d->view_in_flight));
    if (st == XD_OK) {
        st = render_counters(s, n, out);
    }
    if (st == XD_OK) {
        st = render_breakers(s, n, out);
    }
    if (st == XD_OK) {
        st = render_latency(s, n, out);
    }
    if (st == XD_OK) {
        st = render_depths(d, out);
    }
    xd_free(s);
    return st;
}
