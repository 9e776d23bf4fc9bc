/* SPDX-License-Identifier: MIT
 * Delivery throughput and recovery, in one process: a durable store in a temporary directory,
 * the delivery engine, and the simulated receiver on a loopback port (all on this machine's
 * cores, as a small hub would be). Runs without arguments in about 20 s:
 *
 *   1. ordered:   N messages over 32 partners (one in flight per partner, order kept)
 *   2. unordered: N messages over 4 endpoints that allow 64 in flight each
 *   3. recovery:  the receiver answers 503 while messages pile up and breakers open; then it
 *                 comes back, and the time until the outbox is empty is measured
 *
 * usage: bench_deliver [-n MESSAGES] [-p PARTNERS] [--no-fsync] */
#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deliver/deliver.h"
#include "sim/sim.h"
#include "store/store.h"

#define BODY_BYTES    600
#define ENQUEUE_BATCH 512
#define PHASE_LIMIT_S 8

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static double now_s(void)
{
    return (double)xd_mono_ns() / 1e9;
}

struct bench {
    char dir[64];
    struct xd_store *store;
    struct xd_deliver_memreg *reg;
    struct xd_sim_receiver *rcv;
    struct xd_deliver *engine;
    bool durable;
};

static void die(const char *what, const struct xd_error *err)
{
    fprintf(stderr, "bench_deliver: %s: %s\n", what, err != NULL ? err->message : "");
    exit(1);
}

static void add_endpoint(struct bench *b, const char *partner, bool ordered, int64_t base_ms,
                         int64_t max_ms)
{
    struct xd_deliver_endpoint e;
    xd_deliver_endpoint_defaults(&e);
    snprintf(e.partner, sizeof e.partner, "%s", partner);
    snprintf(e.name, sizeof e.name, "orders");
    e.kind = XD_DELIVER_HTTP;
    snprintf(e.url, sizeof e.url, "http://127.0.0.1:%u/in/%s", xd_sim_receiver_port(b->rcv),
             partner);
    e.ordered = ordered;
    e.max_in_flight = 64;
    e.retry.base_ms = base_ms;
    e.retry.max_ms = max_ms;
    e.retry.max_attempts = 1000;
    e.breaker.failures = 5;
    e.breaker.open_ms = 500;
    if (xd_deliver_cidr_parse("127.0.0.0/8", &e.allow[e.n_allow++]) != XD_OK) {
        die("allow-list", NULL);
    }
    struct xd_error err = {0};
    if (xd_deliver_memreg_put(b->reg, &e, &err) != XD_OK) {
        die("endpoint", &err);
    }
}

/* Enqueue <n> messages round-robin over <partners> (named <prefix>-<i>). */
static void enqueue(struct bench *b, const char *prefix, int partners, int n)
{
    static char body[BODY_BYTES + 1];
    memset(body, 'x', BODY_BYTES);
    body[0] = '"';
    body[BODY_BYTES - 1] = '"';
    struct xd_store_outbound *m = calloc(ENQUEUE_BATCH, sizeof *m);
    char(*names)[32] = calloc((size_t)partners, 32);
    for (int p = 0; p < partners; p++) {
        snprintf(names[p], 32, "%s-%d", prefix, p);
    }
    for (int done = 0; done < n;) {
        int k = n - done < ENQUEUE_BATCH ? n - done : ENQUEUE_BATCH;
        for (int i = 0; i < k; i++) {
            memset(&m[i], 0, sizeof m[i]);
            if (xd_id_new(m[i].id) != XD_OK) {
                die("id", NULL);
            }
            m[i].partner = names[(done + i) % partners];
            m[i].endpoint = "orders";
            m[i].content_type = "application/json";
            m[i].body = body;
            m[i].body_len = BODY_BYTES;
            m[i].source = "bench";
        }
        struct xd_store_op op = {.kind = XD_STORE_OP_OUTBOX_ENQUEUE};
        op.u.enqueue =
            (struct xd_store_outbox_enqueue){.msgs = m, .n_msgs = (size_t)k, .actor = "bench"};
        if (xd_store_execute(b->store, &op) != XD_OK) {
            die("enqueue", &op.err);
        }
        done += k;
    }
    free(names);
    free(m);
}

/* Messages not yet delivered (pending, delivering, disabled, dead). */
static int64_t open_messages(struct bench *b)
{
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_store_outbox_depth *d = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    if (xd_store_outbox_depths(b->store, a, &d, &n, &err) != XD_OK) {
        die("depths", &err);
    }
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += d[i].count;
    }
    xd_arena_destroy(a);
    return total;
}

/* Wait until the receiver processed <target> messages in all, or the phase's time is up; the
 * seconds it took. The store's count is read once at the end (reading it often would load the
 * machine being measured): *left is what is still not delivered then. */
static double drain(struct bench *b, double t0, uint64_t target, int64_t *left)
{
    double t = 0;
    for (;;) {
        struct xd_sim_receiver_stats st;
        xd_sim_receiver_stats(b->rcv, &st);
        t = now_s() - t0;
        if (st.processed >= target || t > PHASE_LIMIT_S) {
            break;
        }
        usleep(2000);
    }
    /* The last results commit right after the answers: give them a moment. */
    for (int i = 0; i < 100 && (*left = open_messages(b)) > 0; i++) {
        usleep(10000);
    }
    return t;
}

static void start_engine(struct bench *b)
{
    struct xd_deliver_options o;
    xd_deliver_options_init(&o);
    o.store = b->store;
    char partners[128];
    snprintf(partners, sizeof partners, "%s/partners", b->dir);
    o.partners_dir = partners;
    xd_deliver_memreg_registry(b->reg, &o.registry);
    struct xd_error err = {0};
    if (xd_deliver_start(&o, &b->engine, &err) != XD_OK) {
        die("engine", &err);
    }
}

static void setup(struct bench *b)
{
    snprintf(b->dir, sizeof b->dir, "/tmp/crossdock-bench-deliver-XXXXXX");
    if (mkdtemp(b->dir) == NULL) {
        die("mkdtemp", NULL);
    }
    struct xd_store_options so;
    xd_store_options_init(&so, b->dir);
    so.durable = b->durable;
    struct xd_error err = {0};
    if (xd_store_open(&so, &b->store, &err) != XD_OK) {
        die("store", &err);
    }
    if (xd_deliver_memreg_create(&b->reg) != XD_OK) {
        die("registry", NULL);
    }
    struct xd_sim_receiver_options ro;
    xd_sim_receiver_options_init(&ro);
    ro.max_records = 0; /* count, do not keep: the benchmark sends hundreds of thousands */
    if (xd_sim_receiver_start(&ro, &b->rcv, &err) != XD_OK) {
        die("receiver", &err);
    }
}

static void teardown(struct bench *b)
{
    xd_deliver_stop(b->engine);
    xd_sim_receiver_stop(b->rcv);
    xd_store_close(b->store);
    xd_deliver_memreg_destroy(b->reg);
    nftw(b->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void throughput(bool ordered, int partners, int n, bool durable)
{
    struct bench b = {.durable = durable};
    setup(&b);
    const char *prefix = ordered ? "ord" : "any";
    for (int p = 0; p < partners; p++) {
        char name[32];
        snprintf(name, sizeof name, "%s-%d", prefix, p);
        add_endpoint(&b, name, ordered, 100, 1000);
    }
    enqueue(&b, prefix, partners, n);
    double t0 = now_s();
    start_engine(&b);
    int64_t left = 0;
    double t = drain(&b, t0, (uint64_t)n, &left);
    struct xd_sim_receiver_stats st;
    xd_sim_receiver_stats(b.rcv, &st);
    printf("%-9s %2d endpoints%s: %6lld delivered in %5.2f s = %6.0f deliveries/s "
           "(%llu duplicates, %lld left)\n",
           ordered ? "ordered" : "unordered", partners, ordered ? "" : " x 64 in flight",
           (long long)st.processed, t, (double)st.processed / t, (unsigned long long)st.duplicates,
           (long long)left);
    teardown(&b);
}

static void recovery(int partners, int n, bool durable)
{
    struct bench b = {.durable = durable};
    setup(&b);
    for (int p = 0; p < partners; p++) {
        char name[32];
        snprintf(name, sizeof name, "rec-%d", p);
        add_endpoint(&b, name, true, 100, 1000);
    }
    xd_sim_receiver_set_status(b.rcv, 503);
    start_engine(&b);
    enqueue(&b, "rec", partners, n);
    sleep(2); /* every partner fails, backs off, and its breaker opens */
    struct xd_sim_receiver_stats before;
    xd_sim_receiver_stats(b.rcv, &before);
    double t0 = now_s();
    xd_sim_receiver_set_status(b.rcv, 200);
    int64_t left = 0;
    double t = drain(&b, t0, (uint64_t)n, &left);
    printf("recovery  %2d endpoints: %6d messages queued during a 2 s outage (%llu failed "
           "attempts); empty %5.2f s after the receiver came back%s\n",
           partners, n, (unsigned long long)before.failed, t, left ? " (NOT EMPTY)" : "");
    teardown(&b);
}

int main(int argc, char **argv)
{
    int n = 20000;
    int partners = 32;
    bool durable = true;
    for (int i = 1; i < argc; i++) {
        uint64_t v = 0;
        if (strcmp(argv[i], "--no-fsync") == 0) {
            durable = false;
        } else if ((strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-p") == 0) && i + 1 < argc &&
                   xd_parse_u64(argv[i + 1], strlen(argv[i + 1]), 10000000, &v) == XD_OK && v > 0) {
            *(strcmp(argv[i], "-n") == 0 ? &n : &partners) = (int)v;
            i++;
        } else {
            fprintf(stderr, "usage: bench_deliver [-n MESSAGES] [-p PARTNERS] [--no-fsync]\n");
            return 2;
        }
    }
    xd_log_set_level(XD_LOG_ERROR);
    printf("bench_deliver: %d messages of %d bytes, durable store %s, receiver in process\n", n,
           BODY_BYTES, durable ? "(fsync at commit)" : "(no fsync)");
    throughput(true, partners, n, durable);
    throughput(false, 4, n, durable);
    recovery(16, n / 4, durable);
    return 0;
}
