/* SPDX-License-Identifier: MIT
 * Workflow engine benchmark: what one step costs, measured alone. N purchase orders (the
 * example, each with a po_number of its own, so each starts its own thread as an ERP's orders
 * do) are journaled first; then the engine starts, takes every one, and the CPU time its thread
 * and the store's threads spent meanwhile is divided by the steps. Nothing else runs: no HTTP,
 * no load generator, so the figure is steadier than bench/ingest's and tells what the engine's
 * share of a document is.
 *
 * Without --routed no profile names the order's supplier: every order raises an unroutable
 * exception (what the engine does beside bench/ingest). With --routed the example supplier's
 * profile (examples/partners/acme-fasteners.yaml) is in effect: every order is rendered as an
 * X12 850 and queued for it, with its SLA timers. The outcome is checked before any figure is
 * printed: a flow for every order and, per mode, that many unroutable exceptions or none. */
#include <dirent.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "canon/canon.h"
#include "canon/canon_types.h"
#include "core/core.h"
#include "flow/flow.h"
#include "partner/partner.h"
#include "store/store.h"

#define WINDOW 256 /* journal writes in flight while the orders are loaded */

struct slot {
    struct xd_store_op op;
    struct xd_store_key key;
    char po_number[32];
    struct xd_buf body;
    struct loader *l;
    struct slot *next;
};

struct loader {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct slot *free;
    long done, failed;
    int64_t last_seq;
};

static void on_done(struct xd_store_op *op, void *arg)
{
    struct slot *sl = arg;
    struct loader *l = sl->l;
    pthread_mutex_lock(&l->mu);
    if (op->status != XD_OK) {
        l->failed++;
    } else if (op->u.ingest.seq > l->last_seq) {
        l->last_seq = op->u.ingest.seq;
    }
    l->done++;
    sl->next = l->free;
    l->free = sl;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

/* Journal <n> copies of <po>, each with its own id and po_number, as POST /v1/documents would
 * (the canonical encoding, the po_number as business key). The journal's last seq, or -1. */
static int64_t load_orders(struct xd_store *s, struct xd_canon_doc *doc, long n)
{
    struct xd_canon_purchase_order *po = doc->body;
    /* Dates a month ahead: the supplier's SLAs are due, none missed while the bench runs. */
    char ahead[16];
    time_t t = time(NULL) + 30 * 86400;
    struct tm tm;
    strftime(ahead, sizeof ahead, "%Y-%m-%d", gmtime_r(&t, &tm));
    po->requested_ship_date = po->requested_delivery_date = po->cancel_after_date = ahead;
    struct loader l = {.last_seq = -1};
    pthread_mutex_init(&l.mu, NULL);
    pthread_cond_init(&l.cv, NULL);
    struct slot *slots = xd_calloc(WINDOW, sizeof *slots);
    for (int i = 0; i < WINDOW; i++) {
        slots[i].l = &l;
        xd_buf_init(&slots[i].body, (size_t)1 << 20);
        slots[i].next = l.free;
        l.free = &slots[i];
    }
    int64_t stamp = xd_now_ms();
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&l.mu);
        while (l.free == NULL) {
            pthread_cond_wait(&l.cv, &l.mu);
        }
        struct slot *sl = l.free;
        l.free = sl->next;
        pthread_mutex_unlock(&l.mu);

        xd_store_op_cleanup(&sl->op);
        memset(&sl->op, 0, sizeof sl->op);
        struct xd_store_ingest *in = &sl->op.u.ingest;
        snprintf(sl->po_number, sizeof sl->po_number, "FB-%lld-%ld", (long long)stamp, i);
        xd_buf_reset(&sl->body);
        if (xd_id_new(in->id) != XD_OK) {
            fprintf(stderr, "bench_flow: no randomness for ids\n");
            exit(1);
        }
        po->header.id = in->id;
        po->header.correlation_id = NULL;
        po->po_number = sl->po_number;
        if (xd_canon_encode(doc, &sl->body) != XD_OK) {
            fprintf(stderr, "bench_flow: cannot encode the order\n");
            exit(1);
        }
        sl->key = (struct xd_store_key){"po_number", sl->po_number};
        sl->op.kind = XD_STORE_OP_INGEST;
        sl->op.done = on_done;
        sl->op.done_arg = sl;
        in->doc_type = "purchase_order";
        in->partner = "bench";
        in->channel = "http";
        in->format = "json";
        in->content_type = "application/json";
        in->body = sl->body.data;
        in->body_len = sl->body.len;
        in->keys = &sl->key;
        in->n_keys = 1;
        in->received_at_ms = xd_now_ms();
        in->actor = "bench";
        enum xd_status st;
        while ((st = xd_store_submit(s, &sl->op)) == XD_EAGAIN) {
            sched_yield();
        }
        if (st != XD_OK) {
            fprintf(stderr, "bench_flow: submit: %s\n", sl->op.err.message);
            exit(1);
        }
    }
    pthread_mutex_lock(&l.mu);
    while (l.done < n) {
        pthread_cond_wait(&l.cv, &l.mu);
    }
    pthread_mutex_unlock(&l.mu);
    for (int i = 0; i < WINDOW; i++) {
        xd_store_op_cleanup(&slots[i].op);
        xd_buf_cleanup(&slots[i].body);
    }
    xd_free(slots);
    pthread_mutex_destroy(&l.mu);
    pthread_cond_destroy(&l.cv);
    if (l.failed > 0) {
        fprintf(stderr, "bench_flow: %ld of %ld orders were not journaled\n", l.failed, n);
        return -1;
    }
    return l.last_seq;
}

/* CPU time so far of this process's threads named <comm>, in ns (the scheduler's own account,
 * /proc/self/task/TID/schedstat, not the tick-sampled stat). */
static int64_t thread_cpu_ns(const char *comm)
{
    DIR *d = opendir("/proc/self/task");
    if (d == NULL) {
        return 0;
    }
    int64_t total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[300], name[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL) {
            continue;
        }
        bool same = fgets(name, sizeof name, f) != NULL && strncmp(name, comm, strlen(comm)) == 0 &&
                    (name[strlen(comm)] == '\n' || name[strlen(comm)] == '\0');
        fclose(f);
        snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", e->d_name);
        long long ns = 0;
        if (same && (f = fopen(path, "r")) != NULL) {
            if (fscanf(f, "%lld", &ns) == 1) {
                total += ns;
            }
            fclose(f);
        }
    }
    closedir(d);
    return total;
}

static const char *const threads[] = {"xd-flow", "xd-store", "xd-checkpoint"};
#define N_THREADS (sizeof threads / sizeof threads[0])

static void cpu_sample(int64_t out[N_THREADS])
{
    for (size_t i = 0; i < N_THREADS; i++) {
        out[i] = thread_cpu_ns(threads[i]);
    }
}

static struct xd_partner_profile *supplier_profile(void)
{
    const char *path = XD_SOURCE_DIR "/examples/partners/acme-fasteners.yaml";
    struct xd_buf text;
    xd_buf_init(&text, (size_t)1 << 20);
    struct xd_error err = {0};
    struct xd_partner_profile *p = NULL;
    struct xd_partner_problems problems;
    xd_partner_problems_init(&problems, 8);
    if (xd_file_read(path, &text, &err) != XD_OK ||
        xd_partner_parse(text.data, text.len, XD_PARTNER_YAML, &p, &problems) != XD_OK) {
        fprintf(stderr, "bench_flow: %s: %s\n", path,
                err.message[0] ? err.message : "does not parse as a partner profile");
    }
    xd_partner_problems_cleanup(&problems);
    xd_buf_cleanup(&text);
    return p;
}

/* Whether the engine did what each order asks: <n> flows, and <n> unroutable exceptions
 * (unroutable) or no exception at all (routed). Prints what it found otherwise. */
static bool outcome_ok(struct xd_store *s, long n, bool routed)
{
    struct xd_arena *a = xd_arena_create(1 << 16, 1 << 24);
    struct xd_store_count *states = NULL, *excs = NULL;
    size_t n_states = 0, n_excs = 0;
    struct xd_error err = {0};
    if (a == NULL ||
        xd_store_flow_counts(s, a, &states, &n_states, &excs, &n_excs, &err) != XD_OK) {
        fprintf(stderr, "bench_flow: cannot count the flows: %s\n", err.message);
        xd_arena_destroy(a);
        return false;
    }
    int64_t flows = 0, unroutable = 0, other = 0;
    for (size_t i = 0; i < n_states; i++) {
        flows += states[i].count;
    }
    for (size_t i = 0; i < n_excs; i++) {
        if (strcmp(excs[i].name, "unroutable") == 0) {
            unroutable += excs[i].count;
        } else {
            other += excs[i].count;
            fprintf(stderr, "bench_flow: %lld open %s exceptions\n", (long long)excs[i].count,
                    excs[i].name);
        }
    }
    xd_arena_destroy(a);
    bool ok = flows == n && other == 0 && unroutable == (routed ? 0 : n);
    if (!ok) {
        fprintf(stderr,
                "bench_flow: expected %ld flows and %ld unroutable exceptions, found %lld and "
                "%lld\n",
                n, routed ? 0 : n, (long long)flows, (long long)unroutable);
    }
    return ok;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_flow [--orders N (20000)] [--routed] [--dir DIR]\n");
    exit(2);
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"crossdock.db", "crossdock.db-wal", "crossdock.db-shm"};
    char path[300];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    long orders = 20000;
    bool routed = false;
    char dir[256] = "";
    static const struct option opts[] = {{"orders", required_argument, NULL, 'n'},
                                         {"routed", no_argument, NULL, 'r'},
                                         {"dir", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int64_t v = 0;
        switch (c) {
        case 'n':
            if (xd_parse_i64(optarg, strlen(optarg), 1, 10000000, &v) != XD_OK) {
                usage();
            }
            orders = (long)v;
            break;
        case 'r':
            routed = true;
            break;
        case 'd':
            snprintf(dir, sizeof dir, "%s", optarg);
            break;
        default:
            usage();
        }
    }
    if (optind != argc) {
        usage();
    }
    bool own_dir = dir[0] == '\0';
    if (own_dir) {
        snprintf(dir, sizeof dir, "/tmp/xd-bench-flow-XXXXXX");
        if (mkdtemp(dir) == NULL) {
            perror("mkdtemp");
            return 1;
        }
    }

    /* The example order, decoded once; each journaled copy is encoded from it. */
    struct xd_buf text;
    xd_buf_init(&text, (size_t)1 << 20);
    struct xd_error err = {0};
    struct xd_arena *a = xd_arena_create(1 << 16, 1 << 24);
    struct xd_canon_doc *doc = NULL;
    struct xd_diags diags;
    xd_diags_init(&diags, 16);
    const char *example = XD_SOURCE_DIR "/examples/documents/purchase_order.json";
    if (a == NULL || xd_file_read(example, &text, &err) != XD_OK ||
        xd_canon_decode(text.data, text.len, a, &doc, &diags) != XD_OK ||
        doc->type != XD_CANON_PURCHASE_ORDER) {
        fprintf(stderr, "bench_flow: %s: not a valid purchase order\n", example);
        return 1;
    }

    struct xd_store_options so;
    xd_store_options_init(&so, dir);
    struct xd_store *s = NULL;
    struct xd_store_controls *controls = NULL;
    struct xd_partner_registry *partners = NULL;
    if (xd_store_open(&so, &s, &err) != XD_OK) {
        fprintf(stderr, "bench_flow: open %s: %s\n", dir, err.message);
        return 1;
    }
    if (xd_store_controls_create(s, 64, &controls) != XD_OK ||
        xd_partner_registry_create(NULL, &partners) != XD_OK) {
        fprintf(stderr, "bench_flow: out of memory\n");
        return 1;
    }
    if (routed) {
        struct xd_partner_profile *p = supplier_profile();
        if (p == NULL || xd_partner_registry_put(partners, p) != XD_OK) {
            return 1;
        }
        xd_partner_profile_unref(p);
    }
    printf("flow bench: %ld purchase orders, %s, durable store in %s\n", orders,
           routed ? "routed (an X12 850 rendered and queued for each)"
                  : "unroutable (an exception for each)",
           dir);
    int64_t t_load = xd_mono_ns();
    int64_t last = load_orders(s, doc, orders);
    if (last < 0) {
        return 1;
    }
    printf("journaled    %ld orders in %.2f s (not measured below)\n", orders,
           (double)(xd_mono_ns() - t_load) / 1e9);

    struct xd_flow_options fo;
    xd_flow_options_init(&fo);
    fo.store = s;
    fo.partners = partners;
    fo.controls = controls;
    struct xd_flow *f = NULL;
    struct xd_store_stats st0, st1;
    int64_t cpu0[N_THREADS], cpu1[N_THREADS];
    xd_store_stats(s, &st0);
    cpu_sample(cpu0);
    int64_t t0 = xd_mono_ns();
    if (xd_flow_start(&fo, &f, &err) != XD_OK) {
        fprintf(stderr, "bench_flow: cannot start the engine: %s\n", err.message);
        return 1;
    }
    struct xd_flow_stats fs;
    do {
        usleep(1000);
        xd_flow_stats(f, &fs);
    } while (fs.position < last);
    double secs = (double)(xd_mono_ns() - t0) / 1e9;
    cpu_sample(cpu1);
    xd_store_stats(s, &st1);
    xd_flow_stop(f);

    bool ok = fs.set_aside == 0 && outcome_ok(s, orders, routed);
    if (ok) {
        uint64_t commits = st1.batches - st0.batches;
        printf("steps        %llu in %.2f s: %.0f steps/s, %llu engine commits (%.0f steps each), "
               "%llu store commits\n",
               (unsigned long long)fs.steps, secs, (double)fs.steps / secs,
               (unsigned long long)fs.commits,
               fs.commits ? (double)fs.steps / (double)fs.commits : 0.0,
               (unsigned long long)commits);
        printf("CPU per step");
        double sum = 0;
        for (size_t i = 0; i < N_THREADS; i++) {
            double us = (double)(cpu1[i] - cpu0[i]) / 1e3 / (double)fs.steps;
            sum += us;
            printf(" %s %.1f us,", threads[i], us);
        }
        printf(" together %.1f us\n", sum);
    }
    xd_store_controls_destroy(controls);
    xd_store_close(s);
    xd_partner_registry_destroy(partners);
    xd_diags_cleanup(&diags);
    xd_arena_destroy(a);
    xd_buf_cleanup(&text);
    if (own_dir) {
        remove_dir(dir);
    }
    return ok ? 0 : 1;
}
