/* SPDX-License-Identifier: MIT
 * Request counters and latency histograms by route and status, and their Prometheus text
 * exposition together with the store's journal figures and outbound delivery's.
 * Threads: counters are relaxed atomics bumped by any pool thread; rendering reads them. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "deliver/deliver.h"
#include "flow/flow.h"
#include "gateway/gw_int.h"

static const int status_codes[] = {200, 201, 204, 400, 401, 403, 404, 405,
                                   409, 413, 415, 422, 429, 500, 503, 0};
#define N_STATUS (sizeof status_codes / sizeof status_codes[0])

/* Latency bucket bounds in microseconds; the last bucket is +Inf. */
static const uint64_t latency_us[GW_METRIC_BUCKETS - 1] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 1000000};

struct route_metrics {
    atomic_uint_fast64_t by_status[N_STATUS];
    atomic_uint_fast64_t latency[N_STATUS][GW_METRIC_BUCKETS];
    atomic_uint_fast64_t latency_sum_ns[N_STATUS];
};

struct gw_metrics {
    size_t routes;
    struct route_metrics r[];
};

struct gw_metrics *xd_gw__metrics_create(size_t routes)
{
    struct gw_metrics *m = xd_calloc(1, sizeof *m + routes * sizeof(struct route_metrics));
    if (m != NULL) {
        m->routes = routes;
    }
    return m;
}

void xd_gw__metrics_destroy(struct gw_metrics *m)
{
    xd_free(m);
}

void xd_gw__metrics_observe(struct gw_metrics *m, size_t route, int status, int64_t elapsed_ns)
{
    if (route >= m->routes) {
        route = m->routes - 1; /* unrouted requests (404/405) share the last row */
    }
    struct route_metrics *rm = &m->r[route];
    size_t si = N_STATUS - 1;
    for (size_t i = 0; i + 1 < N_STATUS; i++) {
        if (status_codes[i] == status) {
            si = i;
            break;
        }
    }
    atomic_fetch_add_explicit(&rm->by_status[si], 1, memory_order_relaxed);
    size_t bi = GW_METRIC_BUCKETS - 1;
    for (size_t i = 0; i < GW_METRIC_BUCKETS - 1; i++) {
        if (elapsed_ns <= (int64_t)latency_us[i] * 1000) {
            bi = i;
            break;
        }
    }
    atomic_fetch_add_explicit(&rm->latency[si][bi], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rm->latency_sum_ns[si], (uint64_t)elapsed_ns, memory_order_relaxed);
}

/* The status label of status_codes[s]. */
static void status_label(size_t s, char code[8])
{
    if (status_codes[s] == 0) {
        snprintf(code, 8, "other");
    } else {
        snprintf(code, 8, "%d", status_codes[s]);
    }
}

static const char *route_label(size_t i)
{
    return i < xd_gw__route_count ? xd_gw__routes[i].name : "unmatched";
}

static enum xd_status render_requests(struct gw_metrics *m, struct xd_buf *b)
{
    enum xd_status st = xd_buf_append_str(
        b, "# HELP crossdock_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE crossdock_http_requests_total counter\n");
    for (size_t i = 0; st == XD_OK && i < m->routes; i++) {
        for (size_t s = 0; st == XD_OK && s < N_STATUS; s++) {
            uint64_t v = atomic_load_explicit(&m->r[i].by_status[s], memory_order_relaxed);
            if (v == 0) {
                continue;
            }
            char code[8];
            status_label(s, code);
            st =
                xd_buf_printf(b, "crossdock_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
                              route_label(i), code, (unsigned long long)v);
        }
    }
    return st;
}

/* A histogram: <n> buckets whose upper bounds in microseconds are <bounds_us> (the last is
 * +Inf), <labels> ("" or 'a="x",b="y"') on every line. */
static enum xd_status render_hist(struct xd_buf *b, const char *name, const char *labels,
                                  const uint64_t *bounds_us, const uint64_t *counts, size_t n,
                                  uint64_t sum_ns)
{
    const char *sep = labels[0] != '\0' ? "," : "";
    enum xd_status st = XD_OK;
    uint64_t cum = 0;
    for (size_t k = 0; st == XD_OK && k < n; k++) {
        cum += counts[k];
        char le[32];
        if (k + 1 < n) {
            snprintf(le, sizeof le, "%g", (double)bounds_us[k] / 1e6);
        } else {
            snprintf(le, sizeof le, "+Inf");
        }
        st = xd_buf_printf(b, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels, sep, le,
                           (unsigned long long)cum);
    }
    const char *open = labels[0] != '\0' ? "{" : "";
    const char *close = labels[0] != '\0' ? "}" : "";
    if (st == XD_OK) {
        st =
            xd_buf_printf(b, "%s_sum%s%s%s %.6f\n%s_count%s%s%s %llu\n", name, open, labels, close,
                          (double)sum_ns / 1e9, name, open, labels, close, (unsigned long long)cum);
    }
    return st;
}

/* One histogram per route and status that answered at least once: a refusal answered in
 * microseconds does not hide the latency of the requests that did the work. */
static enum xd_status render_latency(struct gw_metrics *m, struct xd_buf *b)
{
    static const char name[] = "crossdock_http_request_duration_seconds";
    enum xd_status st = xd_buf_printf(b,
                                      "# HELP %s Time from request headers to response, by route "
                                      "and status.\n# TYPE %s histogram\n",
                                      name, name);
    for (size_t i = 0; st == XD_OK && i < m->routes; i++) {
        for (size_t s = 0; st == XD_OK && s < N_STATUS; s++) {
            uint64_t counts[GW_METRIC_BUCKETS];
            uint64_t total = 0;
            for (size_t k = 0; k < GW_METRIC_BUCKETS; k++) {
                counts[k] = atomic_load_explicit(&m->r[i].latency[s][k], memory_order_relaxed);
                total += counts[k];
            }
            if (total == 0) {
                continue;
            }
            char code[8], labels[160];
            status_label(s, code);
            snprintf(labels, sizeof labels, "route=\"%s\",status=\"%s\"", route_label(i), code);
            st =
                render_hist(b, name, labels, latency_us, counts, GW_METRIC_BUCKETS,
                            atomic_load_explicit(&m->r[i].latency_sum_ns[s], memory_order_relaxed));
        }
    }
    return st;
}

/* A histogram of the store's durations (buckets xd_store_commit_buckets_us). */
static enum xd_status render_seconds(struct xd_buf *b, const char *name, const char *help,
                                     const uint64_t hist[XD_STORE_TIME_BUCKETS], uint64_t sum_ns)
{
    enum xd_status st = xd_buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    return st == XD_OK ? render_hist(b, name, "", xd_store_commit_buckets_us, hist,
                                     XD_STORE_TIME_BUCKETS, sum_ns)
                       : st;
}

static enum xd_status render_store(const struct xd_store_stats *s, struct xd_buf *b)
{
    static const char *const batch_le[8] = {"1", "3", "7", "15", "63", "255", "1023", "+Inf"};
    enum xd_status st = xd_buf_append_str(
        b, "# HELP crossdock_journal_batch_size Operations committed per transaction.\n"
           "# TYPE crossdock_journal_batch_size histogram\n");
    uint64_t cum = 0;
    for (size_t k = 0; st == XD_OK && k < 8; k++) {
        cum += s->batch_size_hist[k];
        st = xd_buf_printf(b, "crossdock_journal_batch_size_bucket{le=\"%s\"} %llu\n", batch_le[k],
                           (unsigned long long)cum);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b,
                           "crossdock_journal_batch_size_sum %llu\n"
                           "crossdock_journal_batch_size_count %llu\n",
                           (unsigned long long)(s->ops_committed + s->ops_failed),
                           (unsigned long long)s->batches);
    }
    if (st == XD_OK) {
        st = render_seconds(b, "crossdock_journal_commit_duration_seconds",
                            "Time to commit a batch, fsync included.", s->commit_hist,
                            s->commit_ns_sum);
    }
    if (st == XD_OK) {
        st = render_seconds(b, "crossdock_journal_queue_wait_seconds",
                            "Time a write operation waited in the queue for the writer to take "
                            "it.",
                            s->queue_wait_hist, s->queue_wait_ns_sum);
    }
    if (st == XD_OK) {
        st = render_seconds(b, "crossdock_journal_apply_duration_seconds",
                            "Time the writer spent applying a batch, from taking it off the "
                            "queue to its commit.",
                            s->apply_hist, s->apply_ns_sum);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(
            b,
            "# HELP crossdock_journal_ops_total Write operations by outcome.\n"
            "# TYPE crossdock_journal_ops_total counter\n"
            "crossdock_journal_ops_total{outcome=\"committed\"} %llu\n"
            "crossdock_journal_ops_total{outcome=\"failed\"} %llu\n"
            "# HELP crossdock_journal_queue_depth Write operations waiting for the writer.\n"
            "# TYPE crossdock_journal_queue_depth gauge\n"
            "crossdock_journal_queue_depth %llu\n"
            "# HELP crossdock_journal_position The journal's last committed sequence number.\n"
            "# TYPE crossdock_journal_position gauge\n"
            "crossdock_journal_position %lld\n"
            "# HELP crossdock_store_healthy 1 when the store accepts writes.\n"
            "# TYPE crossdock_store_healthy gauge\n"
            "crossdock_store_healthy %d\n",
            (unsigned long long)s->ops_committed, (unsigned long long)s->ops_failed,
            (unsigned long long)s->queue_depth, (long long)s->journal_seq, s->healthy ? 1 : 0);
    }
    return st;
}

/* The workflow engine's counters, and the flows by state and open exceptions by type. */
static enum xd_status render_flow(struct xd_gateway *gw, const struct xd_store_stats *s,
                                  struct xd_buf *b)
{
    struct xd_flow_stats f;
    xd_flow_stats(gw->opts.flow, &f);
    int64_t lag = s->journal_seq > f.position ? s->journal_seq - f.position : 0;
    enum xd_status st = xd_buf_printf(
        b,
        "# HELP crossdock_flow_steps_total Documents, timers and actions the workflow engine "
        "processed.\n"
        "# TYPE crossdock_flow_steps_total counter\n"
        "crossdock_flow_steps_total %llu\n"
        "# HELP crossdock_flow_commits_total Step transactions by outcome.\n"
        "# TYPE crossdock_flow_commits_total counter\n"
        "crossdock_flow_commits_total{outcome=\"committed\"} %llu\n"
        "crossdock_flow_commits_total{outcome=\"conflict\"} %llu\n"
        "crossdock_flow_commits_total{outcome=\"failed\"} %llu\n"
        "# HELP crossdock_flow_set_aside_total Journal messages, timers and dead letters whose "
        "steps kept failing, set aside with processing_failed exceptions.\n"
        "# TYPE crossdock_flow_set_aside_total counter\n"
        "crossdock_flow_set_aside_total %llu\n"
        "# HELP crossdock_flow_journal_position Journal sequence the engine has processed.\n"
        "# TYPE crossdock_flow_journal_position gauge\n"
        "crossdock_flow_journal_position %lld\n"
        "# HELP crossdock_flow_journal_lag Journal messages committed but not yet processed by "
        "the engine.\n"
        "# TYPE crossdock_flow_journal_lag gauge\n"
        "crossdock_flow_journal_lag %lld\n",
        (unsigned long long)f.steps, (unsigned long long)f.commits, (unsigned long long)f.conflicts,
        (unsigned long long)f.failures, (unsigned long long)f.set_aside, (long long)f.position,
        (long long)lag);
    struct xd_arena *a = xd_arena_create(0, (size_t)16 << 20);
    struct xd_store_count *states = NULL, *excs = NULL;
    size_t n_states = 0, n_excs = 0;
    if (st == XD_OK && a != NULL &&
        xd_store_flow_counts(gw->store, a, &states, &n_states, &excs, &n_excs, NULL) == XD_OK) {
        st = xd_buf_printf(b, "# HELP crossdock_flows Transaction threads by workflow state.\n"
                              "# TYPE crossdock_flows gauge\n");
        for (size_t i = 0; st == XD_OK && i < n_states; i++) {
            st = xd_buf_printf(b, "crossdock_flows{state=\"%s\"} %lld\n", states[i].name,
                               (long long)states[i].count);
        }
        if (st == XD_OK) {
            st = xd_buf_printf(b, "# HELP crossdock_exceptions_open Open exceptions by type.\n"
                                  "# TYPE crossdock_exceptions_open gauge\n");
        }
        for (size_t i = 0; st == XD_OK && i < n_excs; i++) {
            st = xd_buf_printf(b, "crossdock_exceptions_open{type=\"%s\"} %lld\n", excs[i].name,
                               (long long)excs[i].count);
        }
    }
    xd_arena_destroy(a);
    return st;
}

enum xd_status xd_gw__metrics_render(struct xd_gateway *gw, struct xd_buf *out)
{
    struct xd_store_stats s;
    xd_store_stats(gw->store, &s);
    enum xd_status st = render_requests(gw->metrics, out);
    if (st == XD_OK) {
        st = render_latency(gw->metrics, out);
    }
    if (st == XD_OK) {
        st = render_store(&s, out);
    }
    if (st == XD_OK && gw->opts.deliver != NULL) {
        st = xd_deliver_metrics_render(gw->opts.deliver, out);
    }
    if (st == XD_OK && gw->opts.flow != NULL) {
        st = render_flow(gw, &s, out);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(out,
                           "# HELP crossdock_http_in_flight Requests accepted and not answered.\n"
                           "# TYPE crossdock_http_in_flight gauge\n"
                           "crossdock_http_in_flight %ld\n"
                           "# HELP crossdock_uptime_seconds Seconds since the server started.\n"
                           "# TYPE crossdock_uptime_seconds gauge\n"
                           "crossdock_uptime_seconds %lld\n",
                           atomic_load(&gw->in_flight) - 1,
                           (long long)((xd_now_ms() - gw->started_ms) / 1000));
    }
    return st;
}
