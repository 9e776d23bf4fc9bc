/* SPDX-License-Identifier: MIT
 * The simulated ERP: a receiver (receiver.c) that keeps every posting the hub delivers
 * (GET /_received lists them with their documents) and counts them by document type and by
 * po_number (GET /_summary); and, on request, a thread issuing N purchase orders to the hub
 * (POST {hub}/v1/documents, one Idempotency-Key per order, kept across retries) at a rate.
 * Threads: the receiver hands postings over one at a time; counts are under e->mu; the order
 * thread owns its own state and publishes progress under e->mu. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "canon/canon_tree.h"
#include "sim/sim_int.h"

#define ORDER_ATTEMPTS 30
#define ANSWER_KEPT    4096u
#define ORDER_TIMEOUT  10000u
#define SUMMARY_PO_MAX 100000u /* po_numbers counted per order; past it only by type */
#define RECORD_MAX     ((size_t)512 * 1024 * 1024)

struct xd_sim_erp {
    struct xd_sim_erp_options o;
    char *hub_url, *token, *supplier, *location, *prefix;
    struct xd_sim_receiver *receiver;
    struct issuer {
        struct xd_sim_erp *e;
        uint32_t index; /* issues orders index, index + connections ... */
        pthread_t thread;
    } issuers[XD_SIM_ERP_CONNECTIONS_MAX];
    uint32_t n_issuers, issuers_left;
    char run[16]; /* a run prefix from the clock keeps two runs' po_numbers apart */

    pthread_mutex_t mu;
    bool stop;
    json_t *by_type; /* {"invoice": 3, ...} */
    json_t *by_po;   /* {"4500012345": {"po_acknowledgement": 1, ...}} */
    uint64_t postings, not_documents;
    uint64_t issued, failed;
    bool orders_done;
};

void xd_sim_erp_options_init(struct xd_sim_erp_options *o)
{
    memset(o, 0, sizeof *o);
    xd_sim_receiver_options_init(&o->listen);
    o->rate_per_s = 10;
}

/* ------------------------------------------------------------------------------------------ */
/* Postings */

static bool count(json_t *obj, const char *key)
{
    json_int_t n = json_integer_value(json_object_get(obj, key));
    return json_object_set_new(obj, key, json_integer(n + 1)) == 0;
}

/* The order numbers a posting is about: its own po_number, its orders' and its lines'. */
static void po_numbers(const json_t *doc, const char **out, size_t cap, size_t *n)
{
    const char *own = json_string_value(json_object_get(doc, "po_number"));
    if (own != NULL && *n < cap) {
        out[(*n)++] = own;
    }
    const char *lists[] = {"orders", "lines"};
    for (size_t l = 0; l < XD_ARRAY_LEN(lists); l++) {
        size_t i;
        const json_t *e;
        json_array_foreach(json_object_get(doc, lists[l]), i, e)
        {
            const char *po = json_string_value(json_object_get(e, "po_number"));
            bool seen = po == NULL;
            for (size_t k = 0; !seen && k < *n; k++) {
                seen = strcmp(out[k], po) == 0;
            }
            if (!seen && *n < cap) {
                out[(*n)++] = po;
            }
        }
    }
}

/* Count one posting (under mu); false when out of memory. */
static bool tally(struct xd_sim_erp *e, const json_t *doc)
{
    const char *type = json_string_value(json_object_get(doc, "type"));
    e->postings++;
    if (type == NULL) {
        /* Kept (and listed) all the same: the ERP's side of a bad delivery is worth seeing. */
        e->not_documents++;
        return true;
    }
    bool ok = count(e->by_type, type);
    const char *pos[16];
    size_t n = 0;
    po_numbers(doc, pos, XD_ARRAY_LEN(pos), &n);
    for (size_t i = 0; ok && i < n; i++) {
        json_t *per = json_object_get(e->by_po, pos[i]);
        if (per == NULL && json_object_size(e->by_po) < SUMMARY_PO_MAX) {
            per = json_object();
            ok = per != NULL && json_object_set_new(e->by_po, pos[i], per) == 0;
        }
        ok = ok && (per == NULL || count(per, type));
    }
    return ok;
}

static int on_posting(void *ctx, const struct xd_sim_delivery *d, struct xd_buf *answer)
{
    (void)answer;
    struct xd_sim_erp *e = ctx;
    json_t *doc = xd_canon_tree_load(d->body, d->body_len, NULL);
    pthread_mutex_lock(&e->mu);
    bool ok = tally(e, doc);
    pthread_mutex_unlock(&e->mu);
    json_decref(doc);
    return ok ? 200 : 503;
}

/* The counts of an earlier run with the same record file: its processed postings again. */
static enum xd_status tally_record_file(struct xd_sim_erp *e, const char *path,
                                        struct xd_error *err)
{
    struct xd_buf b;
    xd_buf_init(&b, RECORD_MAX);
    enum xd_status st = xd_file_read(path, &b, err);
    if (st == XD_ENOTFOUND) {
        xd_buf_cleanup(&b);
        return XD_OK;
    }
    for (size_t off = 0; st == XD_OK && off < b.len;) {
        const char *line = b.data + off;
        const char *nl = memchr(line, '\n', b.len - off);
        size_t len = nl != NULL ? (size_t)(nl - line) : b.len - off;
        off += len + 1;
        json_t *rec = json_loadb(line, len, 0, NULL);
        if (json_is_true(json_object_get(rec, "processed")) &&
            !tally(e, json_object_get(rec, "document"))) {
            st = xd_error_set(err, XD_ENOMEM, "out of memory");
        }
        json_decref(rec);
    }
    xd_buf_cleanup(&b);
    return st;
}

static int on_get(void *ctx, const char *path, struct xd_buf *out)
{
    struct xd_sim_erp *e = ctx;
    if (strcmp(path, "/_summary") != 0) {
        return 404;
    }
    pthread_mutex_lock(&e->mu);
    json_t *j =
        json_pack("{s:I, s:I, s:O, s:O, s:{s:I, s:I, s:b}}", "postings", (json_int_t)e->postings,
                  "not_documents", (json_int_t)e->not_documents, "by_type", e->by_type,
                  "by_po_number", e->by_po, "orders", "issued", (json_int_t)e->issued, "failed",
                  (json_int_t)e->failed, "done", e->orders_done);
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    pthread_mutex_unlock(&e->mu);
    json_decref(j);
    int status = text != NULL && xd_buf_append_str(out, text) == XD_OK ? 200 : 500;
    free(text);
    return status;
}

/* ------------------------------------------------------------------------------------------ */
/* Orders */

static bool stopping(struct xd_sim_erp *e)
{
    pthread_mutex_lock(&e->mu);
    bool s = e->stop;
    pthread_mutex_unlock(&e->mu);
    return s;
}

/* Sleep <ms> in small steps so a stop is not kept waiting. */
static void nap(struct xd_sim_erp *e, int64_t ms)
{
    while (ms > 0 && !stopping(e)) {
        int64_t step = ms < 50 ? ms : 50;
        usleep((useconds_t)step * 1000);
        ms -= step;
    }
}

/* Post one order until the hub takes it, refuses it, or the attempts run out. */
static bool post_order(struct xd_sim_erp *e, struct xd_sim__http *client, const char *url,
                       const char *po_number, const char *body)
{
    char key[96];
    snprintf(key, sizeof key, "erp-po-%s", po_number);
    int64_t wait = 200;
    for (int attempt = 1; attempt <= ORDER_ATTEMPTS && !stopping(e); attempt++) {
        struct xd_buf answer;
        xd_buf_init(&answer, ANSWER_KEPT);
        struct xd_error err = {0};
        long status = 0;
        enum xd_status st = xd_sim__http_post(client, url, e->token, "application/json", key, body,
                                              strlen(body), ORDER_TIMEOUT, &status, &answer, &err);
        bool retry = st == XD_EIO || (st == XD_OK && (status >= 500 || status == 429));
        if (st == XD_OK && status >= 200 && status <= 299) {
            xd_buf_cleanup(&answer);
            return true;
        }
        if (!retry) {
            XD_LOG_ERROR("sim", NULL, "erp: purchase order %s refused (%ld): %.300s", po_number,
                         status, answer.len > 0 ? answer.data : err.message);
            xd_buf_cleanup(&answer);
            return false;
        }
        XD_LOG_WARN("sim", NULL, "erp: purchase order %s, attempt %d: %s", po_number, attempt,
                    st == XD_OK ? "the hub answered 5xx" : err.message);
        xd_buf_cleanup(&answer);
        int64_t asked = xd_sim__http_retry_after_ms(client);
        nap(e, asked > wait ? asked : wait);
        wait = wait < 10000 ? wait * 2 : wait;
    }
    return false;
}

/* One of the --connections issuers: every n-th order on a kept-alive connection of its own,
 * each at its due time (--rate overall). */
static void *issue_orders(void *arg)
{
    struct issuer *is = arg;
    struct xd_sim_erp *e = is->e;
    char url[1024];
    snprintf(url, sizeof url, "%s/v1/documents", e->hub_url);
    unsigned seed = (e->o.seed != 0 ? e->o.seed : (unsigned)xd_now_ms()) + is->index * 7919u;
    struct xd_sim__http *client = NULL;
    if (xd_sim__http_create(&client) != XD_OK) {
        client = NULL; /* a connection per order then */
    }
    int64_t start = xd_mono_ns();
    for (uint32_t i = is->index; i < e->o.orders && !stopping(e); i += e->n_issuers) {
        int64_t due = start + (int64_t)i * 1000000000LL / e->o.rate_per_s;
        int64_t ahead = (due - xd_mono_ns()) / 1000000;
        if (ahead > 0) {
            nap(e, ahead);
        }
        char po_number[40], today[16];
        snprintf(po_number, sizeof po_number, "%.6s%.6s%07u", e->prefix, e->run, i + 1);
        xd_sim__date(xd_now_ms(), today, sizeof today);
        json_t *po = NULL;
        char *body = NULL;
        if (xd_sim__purchase_order_build(po_number, e->supplier, e->location, today, &seed, &po) ==
            XD_OK) {
            body = json_dumps(po, JSON_COMPACT | JSON_PRESERVE_ORDER);
        }
        bool ok = body != NULL && post_order(e, client, url, po_number, body);
        free(body);
        json_decref(po);
        pthread_mutex_lock(&e->mu);
        e->issued += ok;
        e->failed += !ok;
        pthread_mutex_unlock(&e->mu);
    }
    xd_sim__http_destroy(client);
    pthread_mutex_lock(&e->mu);
    bool last = --e->issuers_left == 0;
    e->orders_done = last;
    pthread_mutex_unlock(&e->mu);
    if (last) {
        XD_LOG_INFO("sim", NULL, "erp: %llu purchase order(s) issued, %llu failed",
                    (unsigned long long)e->issued, (unsigned long long)e->failed);
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */

static void erp_free(struct xd_sim_erp *e)
{
    json_decref(e->by_type);
    json_decref(e->by_po);
    xd_free(e->hub_url);
    xd_free(e->token);
    xd_free(e->supplier);
    xd_free(e->location);
    xd_free(e->prefix);
    pthread_mutex_destroy(&e->mu);
    xd_free(e);
}

enum xd_status xd_sim_erp_start(const struct xd_sim_erp_options *o, struct xd_sim_erp **out,
                                struct xd_error *err)
{
    if (o->orders > 0 && (o->hub_url == NULL || o->token == NULL)) {
        return xd_error_set(err, XD_EINVAL, "--orders needs --hub and --token");
    }
    if (o->orders > 0 && o->rate_per_s == 0) {
        return xd_error_set(err, XD_EINVAL, "--rate must be at least 1");
    }
    if (o->connections > XD_SIM_ERP_CONNECTIONS_MAX) {
        return xd_error_set(err, XD_EINVAL, "--connections must be 1 to %d",
                            XD_SIM_ERP_CONNECTIONS_MAX);
    }
    struct xd_sim_erp *e = xd_calloc(1, sizeof *e);
    if (e == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&e->mu, NULL);
    e->o = *o;
    e->hub_url = o->hub_url != NULL ? xd_strdup(o->hub_url) : NULL;
    e->token = o->token != NULL ? xd_strdup(o->token) : NULL;
    e->supplier = xd_strdup(o->supplier != NULL ? o->supplier : "acme-fasteners");
    e->location = xd_strdup(o->location != NULL ? o->location : "DC-CHI");
    e->prefix = xd_strdup(o->prefix != NULL ? o->prefix : "PO");
    e->by_type = json_object();
    e->by_po = json_object();
    if ((o->hub_url != NULL && e->hub_url == NULL) || (o->token != NULL && e->token == NULL) ||
        e->supplier == NULL || e->location == NULL || e->prefix == NULL || e->by_type == NULL ||
        e->by_po == NULL) {
        erp_free(e);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    for (size_t n = e->hub_url != NULL ? strlen(e->hub_url) : 0; n > 0 && e->hub_url[n - 1] == '/';
         n--) {
        e->hub_url[n - 1] = '\0';
    }
    enum xd_status st =
        o->listen.record_path != NULL ? tally_record_file(e, o->listen.record_path, err) : XD_OK;
    if (st != XD_OK) {
        erp_free(e);
        return st;
    }
    struct xd_sim_receiver_options ro = o->listen;
    ro.keep_bodies = true;
    ro.handle = on_posting;
    ro.handle_ctx = e;
    ro.get = on_get;
    ro.get_ctx = e;
    st = xd_sim_receiver_start(&ro, &e->receiver, err);
    if (st != XD_OK) {
        erp_free(e);
        return st;
    }
    e->orders_done = o->orders == 0;
    snprintf(e->run, sizeof e->run, "%06lld", (long long)((xd_now_ms() / 1000) % 1000000));
    uint32_t want = o->connections == 0 ? 1 : o->connections;
    if (o->orders > 0) {
        e->issuers_left = want;
        for (uint32_t i = 0; i < want; i++) {
            e->issuers[i] = (struct issuer){.e = e, .index = i};
        }
        e->n_issuers = want;
        for (uint32_t i = 0; i < want; i++) {
            if (pthread_create(&e->issuers[i].thread, NULL, issue_orders, &e->issuers[i]) != 0) {
                /* Those started finish their share; the rest is counted as failed. */
                pthread_mutex_lock(&e->mu);
                e->stop = true;
                pthread_mutex_unlock(&e->mu);
                for (uint32_t k = 0; k < i; k++) {
                    pthread_join(e->issuers[k].thread, NULL);
                }
                xd_sim_receiver_stop(e->receiver);
                erp_free(e);
                return xd_error_set(err, XD_ENOMEM, "cannot start the order threads");
            }
        }
    }
    *out = e;
    return XD_OK;
}

uint16_t xd_sim_erp_port(const struct xd_sim_erp *e)
{
    return xd_sim_receiver_port(e->receiver);
}

bool xd_sim_erp_orders_done(struct xd_sim_erp *e, uint64_t *issued, uint64_t *failed)
{
    pthread_mutex_lock(&e->mu);
    bool done = e->orders_done;
    *issued = e->issued;
    *failed = e->failed;
    pthread_mutex_unlock(&e->mu);
    return done;
}

void xd_sim_erp_stop(struct xd_sim_erp *e)
{
    if (e == NULL) {
        return;
    }
    pthread_mutex_lock(&e->mu);
    e->stop = true;
    pthread_mutex_unlock(&e->mu);
    for (uint32_t i = 0; i < e->n_issuers; i++) {
        pthread_join(e->issuers[i].thread, NULL);
    }
    xd_sim_receiver_stop(e->receiver);
    erp_free(e);
}
