/* SPDX-License-Identifier: MIT
 * Store benchmark: N threads each keep W ingests of ~1 KB in flight (W = 1: one blocking caller
 * per thread, like a connection waiting for its 201), every ingest with a business key and a
 * unique idempotency key, durable by default. Prints ops/s, per-op latency percentiles, the
 * batch-size histogram and commit latency. Each thread owns its slots; done callbacks (writer
 * thread) hand a slot back under the thread's mutex. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "store/store.h"

struct worker;

struct slot {
    struct xd_store_op op;
    struct xd_store_key key;
    char key_value[48];
    char idem_key[48];
    int64_t t0_ns;
    struct worker *w;
    struct slot *next;
};

struct worker {
    struct xd_store *s;
    int index;
    long quota;
    int window;
    const char *body;
    const char *raw; /* NULL: the raw bytes are the body (what the HTTP API sends) */
    size_t body_len;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct slot *free;
    long completed;
    long failed;
    uint32_t *lat_us; /* one per completed op */
    struct slot *slots;
};

static enum xd_status respond(void *arg, const char *correlation_id, int *http_status,
                              struct xd_buf *body)
{
    const struct xd_store_ingest *in = arg;
    *http_status = 201;
    return xd_buf_printf(body, "{\"id\":\"%s\",\"correlation_id\":\"%s\"}", in->id, correlation_id);
}

static void on_done(struct xd_store_op *op, void *arg)
{
    struct slot *sl = arg;
    struct worker *w = sl->w;
    int64_t us = (xd_mono_ns() - sl->t0_ns) / 1000;
    pthread_mutex_lock(&w->mu);
    if (op->status != XD_OK) {
        w->failed++;
    }
    w->lat_us[w->completed++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    sl->next = w->free;
    w->free = sl;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void slot_prepare(struct worker *w, struct slot *sl, long i)
{
    xd_store_op_cleanup(&sl->op);
    memset(&sl->op, 0, sizeof sl->op);
    struct xd_store_ingest *in = &sl->op.u.ingest;
    sl->op.kind = XD_STORE_OP_INGEST;
    sl->op.done = on_done;
    sl->op.done_arg = sl;
    if (xd_id_new(in->id) != XD_OK) {
        abort();
    }
    /* Four documents per purchase order: the later ones join the first one's thread. */
    snprintf(sl->key_value, sizeof sl->key_value, "PO-%d-%ld", w->index, i / 4);
    snprintf(sl->idem_key, sizeof sl->idem_key, "%s", in->id);
    sl->key = (struct xd_store_key){"po_number", sl->key_value};
    in->doc_type = "purchase_order";
    in->partner = "bench";
    in->channel = "http";
    in->format = "json";
    in->content_type = "application/json";
    in->raw = w->raw;
    in->raw_len = w->raw != NULL ? w->body_len : 0;
    in->body = w->body;
    in->body_len = w->body_len;
    in->keys = &sl->key;
    in->n_keys = 1;
    in->received_at_ms = xd_now_ms();
    in->actor = "bench";
    in->idem_scope = "bench-token";
    in->idem_key = sl->idem_key;
    xd_sha256(sl->idem_key, strlen(sl->idem_key), in->request_hash);
    in->respond = respond;
    in->respond_arg = in;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (long i = 0; i < w->quota; i++) {
        pthread_mutex_lock(&w->mu);
        while (w->free == NULL) {
            pthread_cond_wait(&w->cv, &w->mu);
        }
        struct slot *sl = w->free;
        w->free = sl->next;
        pthread_mutex_unlock(&w->mu);
        slot_prepare(w, sl, i);
        sl->t0_ns = xd_mono_ns();
        enum xd_status st;
        while ((st = xd_store_submit(w->s, &sl->op)) == XD_EAGAIN) {
            sched_yield();
        }
        if (st != XD_OK) {
            fprintf(stderr, "submit: %s\n", sl->op.err.message);
            exit(1);
        }
    }
    pthread_mutex_lock(&w->mu);
    while (w->completed < w->quota) {
        pthread_cond_wait(&w->cv, &w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_store [-t threads] [-w window] [-n total] [-s body_bytes] "
                    "[-d dir] [-D (not durable)] [-R (raw bytes differ from the body)]\n");
    exit(2);
}

static void report(struct xd_store *s, struct worker *w, int threads, long total, double secs)
{
    struct xd_store_stats st;
    xd_store_stats(s, &st);
    uint32_t *all = xd_malloc((size_t)total * sizeof *all);
    long n = 0;
    long failed = 0;
    for (int i = 0; i < threads; i++) {
        memcpy(all + n, w[i].lat_us, (size_t)w[i].completed * sizeof *all);
        n += w[i].completed;
        failed += w[i].failed;
    }
    qsort(all, (size_t)n, sizeof *all, cmp_u32);
    printf("ingests      %ld (%ld failed) in %.2f s: %.0f ops/s\n", n, failed, secs, n / secs);
    printf("latency      p50 %u us, p99 %u us, max %u us\n", all[n / 2], all[n * 99 / 100],
           all[n - 1]);
    printf("batches      %llu, mean %.1f ops/batch\n", (unsigned long long)st.batches,
           st.batches ? (double)st.ops_committed / (double)st.batches : 0.0);
    static const char *const names[] = {"1",     "2-3",    "4-7",      "8-15",
                                        "16-63", "64-255", "256-1023", "1024+"};
    printf("batch sizes ");
    for (int b = 0; b < 8; b++) {
        printf(" %s:%llu", names[b], (unsigned long long)st.batch_size_hist[b]);
    }
    printf("\ncommit       mean %.0f us, max %.0f us\n",
           st.batches ? (double)st.commit_ns_sum / (double)st.batches / 1000.0 : 0.0,
           (double)st.commit_ns_max / 1000.0);
    xd_free(all);
}

int main(int argc, char **argv)
{
    int threads = 4;
    int window = 64;
    long total = 200000;
    long body_bytes = 1024;
    bool durable = true;
    bool raw_differs = false;
    char dir[256] = "";
    int c;
    while ((c = getopt(argc, argv, "t:w:n:s:d:DR")) != -1) {
        int64_t v = 0;
        if (c != 'd' && c != 'D' && c != 'R' && c != '?' &&
            xd_parse_i64(optarg, strlen(optarg), 1, 100000000, &v) != XD_OK) {
            usage();
        }
        switch (c) {
        case 't':
            threads = (int)v;
            break;
        case 'w':
            window = (int)v;
            break;
        case 'n':
            total = v;
            break;
        case 's':
            body_bytes = v;
            break;
        case 'd':
            snprintf(dir, sizeof dir, "%s", optarg);
            break;
        case 'D':
            durable = false;
            break;
        case 'R':
            raw_differs = true;
            break;
        default:
            usage();
        }
    }
    if (body_bytes < 16) {
        usage();
    }
    bool own_dir = dir[0] == '\0';
    if (own_dir) {
        snprintf(dir, sizeof dir, "/tmp/xd-bench-store-XXXXXX");
        if (mkdtemp(dir) == NULL) {
            perror("mkdtemp");
            return 1;
        }
    }
    char *body = xd_malloc((size_t)body_bytes + 1);
    memset(body, 'x', (size_t)body_bytes);
    memcpy(body, "{\"lines\":\"", 10);
    memcpy(body + body_bytes - 2, "\"}", 2);
    body[body_bytes] = '\0';
    /* Same length, other bytes: as if the sender's JSON had other whitespace. */
    char *raw = NULL;
    if (raw_differs) {
        raw = xd_memdup(body, (size_t)body_bytes + 1);
        memset(raw + 10, 'y', (size_t)body_bytes - 12);
    }

    struct xd_store_options o;
    xd_store_options_init(&o, dir);
    o.durable = durable;
    struct xd_store *s = NULL;
    struct xd_error err = {0};
    if (xd_store_open(&o, &s, &err) != XD_OK) {
        fprintf(stderr, "open %s: %s\n", dir, err.message);
        return 1;
    }
    printf("store bench: %d threads x window %d, %ld ingests of %ld bytes (raw %s), durable %s, "
           "dir %s\n",
           threads, window, total, body_bytes, raw_differs ? "differs" : "= body",
           durable ? "yes" : "no", dir);
    struct worker *w = xd_calloc((size_t)threads, sizeof *w);
    pthread_t *th = xd_calloc((size_t)threads, sizeof *th);
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){
            .s = s, .index = i, .window = window, .body = body, .body_len = (size_t)body_bytes};
        w[i].quota = total / threads + (i < total % threads);
        w[i].lat_us = xd_calloc((size_t)w[i].quota + 1, sizeof *w[i].lat_us);
        w[i].slots = xd_calloc((size_t)window, sizeof *w[i].slots);
        pthread_mutex_init(&w[i].mu, NULL);
        pthread_cond_init(&w[i].cv, NULL);
        for (int k = 0; k < window; k++) {
            w[i].slots[k].w = &w[i];
            w[i].slots[k].next = w[i].free;
            w[i].free = &w[i].slots[k];
        }
    }
    int64_t t0 = xd_mono_ns();
    for (int i = 0; i < threads; i++) {
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
    }
    double secs = (double)(xd_mono_ns() - t0) / 1e9;
    report(s, w, threads, total, secs);
    xd_store_close(s);
    for (int i = 0; i < threads; i++) {
        for (int k = 0; k < window; k++) {
            xd_store_op_cleanup(&w[i].slots[k].op);
        }
        xd_free(w[i].slots);
        xd_free(w[i].lat_us);
        pthread_mutex_destroy(&w[i].mu);
        pthread_cond_destroy(&w[i].cv);
    }
    xd_free(w);
    xd_free(th);
    xd_free(body);
    xd_free(raw);
    if (own_dir) {
        char path[300];
        const char *files[] = {"crossdock.db", "crossdock.db-wal", "crossdock.db-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            unlink(path);
        }
        rmdir(dir);
    }
    return 0;
}
