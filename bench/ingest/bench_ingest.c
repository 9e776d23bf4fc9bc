/* SPDX-License-Identifier: MIT
 * Ingest load generator: N keep-alive connections posting realistic canonical documents to
 * POST /v1/documents as fast as the hub answers, each with a unique business key and
 * Idempotency-Key. Prints documents/s, latency percentiles, (when given the hub's pid) its
 * resident memory over time, so flat memory is visible, and how far the workflow engine is
 * behind the journal (from /metrics): a rate the engine does not keep up with is not sustained.
 *
 * usage: bench_ingest URL TOKEN DOC.json [--key MEMBER] [--connections N] [--seconds S] [--pid PID]
 * MEMBER (default po_number) is the business key made unique per document.
 * One thread, epoll, a minimal HTTP/1.1 client: the generator must cost less CPU than the hub. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"

#define MAX_CONN    1024
#define REQ_MAX     (64 * 1024)
#define RESP_MAX    (64 * 1024)
#define MAX_SAMPLES (32 * 1024 * 1024)

struct conn {
    int fd;
    char req[REQ_MAX];
    size_t req_len, req_off;
    char resp[RESP_MAX];
    size_t resp_len;
    int64_t sent_ns;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static char host[64];
static int port;
static char token[256];
static char *doc_head, *doc_tail; /* the document split around the po_number value */
static uint64_t seq;
static int64_t *samples;
static size_t n_samples;
static uint64_t ok, failed;
static int with_idempotency_key = 1;

static void build_request(struct conn *c)
{
    char body[REQ_MAX / 2];
    unsigned long long n = (unsigned long long)++seq;
    int blen = snprintf(body, sizeof body, "%sBENCH-%d-%llu%s", doc_head, getpid(), n, doc_tail);
    c->req_len =
        (size_t)snprintf(c->req, sizeof c->req,
                         "POST /v1/documents HTTP/1.1\r\nHost: %s:%d\r\n"
                         "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                         "%s: bench-%d-%llu\r\nContent-Length: %d\r\n\r\n%s",
                         host, port, token, with_idempotency_key ? "Idempotency-Key" : "X-Bench-Id",
                         getpid(), n, blen, body);
    c->req_off = 0;
    c->resp_len = 0;
    c->sent_ns = now_ns();
}

static int connect_one(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        perror("connect");
        exit(1);
    }
    return fd;
}

/* A complete response is in c->resp: returns its status, or 0 when more bytes are needed. */
static int response_complete(struct conn *c)
{
    c->resp[c->resp_len] = '\0';
    char *end = strstr(c->resp, "\r\n\r\n");
    if (end == NULL) {
        return 0;
    }
    char *cl = strcasestr(c->resp, "\r\nContent-Length:");
    size_t body = cl ? strtoul(cl + 17, NULL, 10) : 0;
    if (c->resp_len < (size_t)(end + 4 - c->resp) + body) {
        return 0;
    }
    return (int)strtol(c->resp + 9, NULL, 10);
}

static void on_event(int ep, struct conn *c, uint32_t ev, int64_t deadline)
{
    if (ev & EPOLLOUT && c->req_off < c->req_len) {
        ssize_t w = write(c->fd, c->req + c->req_off, c->req_len - c->req_off);
        if (w > 0) {
            c->req_off += (size_t)w;
        }
        if (c->req_off == c->req_len) {
            struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
        }
    }
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t r = read(c->fd, c->resp + c->resp_len, RESP_MAX - 1 - c->resp_len);
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN) {
                return;
            }
            fprintf(stderr, "connection closed by the hub\n");
            exit(1);
        }
        c->resp_len += (size_t)r;
        int status = response_complete(c);
        if (status == 0) {
            return;
        }
        int64_t t = now_ns();
        if (status == 201) {
            ok++;
        } else {
            failed++;
        }
        if (n_samples < MAX_SAMPLES) {
            samples[n_samples++] = t - c->sent_ns;
        }
        if (t < deadline) {
            build_request(c);
            struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
        } else {
            epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->fd = -1;
        }
    }
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static long rss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kib;
}

/* CPU seconds (user + system) the process has used: per-document cost independent of how busy
 * the machine is. */
static double cpu_seconds(int pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL || fgets(line, sizeof line, f) == NULL) {
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    fclose(f);
    char *p = strrchr(line, ')'); /* the command name may contain spaces */
    unsigned long long ut = 0, st = 0;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) {
        return -1;
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Values of the hub's /metrics (one blocking request on its own connection): out[i] is the
 * value of the line "names[i] VALUE", -1 when absent. */
static void metrics(const char *const *names, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return;
    }
    static char resp[256 * 1024];
    int len = snprintf(resp, sizeof resp,
                       "GET /metrics HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                       "Connection: close\r\n\r\n",
                       host, port, token);
    if (write(fd, resp, (size_t)len) == len) {
        size_t got = 0;
        ssize_t r;
        while (got < sizeof resp - 1 && (r = read(fd, resp + got, sizeof resp - 1 - got)) > 0) {
            got += (size_t)r;
        }
        resp[got] = '\0';
        for (size_t i = 0; i < n; i++) {
            out[i] = xd_metric_value(resp, names[i]);
        }
    }
    close(fd);
}

static long long metric(const char *name)
{
    double v;
    metrics(&name, 1, &v);
    return (long long)v;
}

/* Where a request's time goes, from the hub's histograms: sums and counts, read before and
 * after the run. */
static const char *const timing_names[] = {
    "crossdock_journal_queue_wait_seconds_sum",
    "crossdock_journal_queue_wait_seconds_count",
    "crossdock_journal_apply_duration_seconds_sum",
    "crossdock_journal_apply_duration_seconds_count",
    "crossdock_journal_commit_duration_seconds_sum",
    "crossdock_journal_commit_duration_seconds_count",
    "crossdock_http_request_duration_seconds_sum{route=\"documents_post\",status=\"201\"}",
    "crossdock_http_request_duration_seconds_count{route=\"documents_post\",status=\"201\"}",
};
#define TIMINGS (sizeof timing_names / sizeof timing_names[0])

/* The mean of sum/count pair <i> between the two readings, in ms; -1 when unknown. A series
 * absent before the run had nothing yet (a route's histogram appears with its first request). */
static double timing_ms(const double *a, const double *b, size_t i)
{
    double n = b[i + 1] - (a[i + 1] > 0 ? a[i + 1] : 0);
    double sum = b[i] - (a[i] > 0 ? a[i] : 0);
    return b[i] < 0 || b[i + 1] < 0 || n <= 0 ? -1 : sum * 1e3 / n;
}

static void load_doc(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    static char buf[REQ_MAX / 4];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) {
        buf[--n] = '\0';
    }
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    char *k = strstr(buf, pattern);
    if (k == NULL) {
        fprintf(stderr, "%s: needs a compact %s...\" member\n", path, pattern);
        exit(2);
    }
    char *v = k + strlen(pattern);
    char *q = strchr(v, '"');
    *v = '\0';
    doc_head = buf;
    doc_tail = q;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_ingest URL TOKEN DOC.json [--key MEMBER] [--connections N] "
                        "[--seconds S] [--pid PID]\n");
        return 2;
    }
    if (sscanf(argv[1], "http://%63[^:]:%d", host, &port) != 2) {
        fprintf(stderr, "URL must be http://IPV4:PORT\n");
        return 2;
    }
    snprintf(token, sizeof token, "%s", argv[2]);
    int nconn = 64, seconds = 10, pid = 0;
    const char *key = "po_number";
    for (int i = 4; i + 1 < argc; i += 2) {
        int v = (int)strtol(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--idempotency") == 0) {
            with_idempotency_key = strcmp(argv[i + 1], "off") != 0;
        } else if (strcmp(argv[i], "--key") == 0) {
            key = argv[i + 1];
        } else if (strcmp(argv[i], "--connections") == 0) {
            nconn = v;
        } else if (strcmp(argv[i], "--seconds") == 0) {
            seconds = v;
        } else if (strcmp(argv[i], "--pid") == 0) {
            pid = v;
        }
    }
    load_doc(argv[3], key);
    if (nconn < 1 || nconn > MAX_CONN) {
        fprintf(stderr, "--connections must be 1..%d\n", MAX_CONN);
        return 2;
    }
    samples = malloc(sizeof *samples * MAX_SAMPLES);
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    int ep = epoll_create1(0);
    int64_t start = now_ns();
    int64_t deadline = start + (int64_t)seconds * 1000000000LL;
    for (int i = 0; i < nconn; i++) {
        conns[i].fd = connect_one();
        build_request(&conns[i]);
        struct epoll_event e = {.events = EPOLLOUT, .data.ptr = &conns[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &e);
    }
    double timing_before[TIMINGS], timing_after[TIMINGS];
    metrics(timing_names, TIMINGS, timing_before);
    long rss_first = pid ? rss_kib(pid) : -1, rss_max = rss_first;
    double cpu_first = pid ? cpu_seconds(pid) : -1;
    int64_t next_report = start + 10000000000LL;
    int64_t next_lag = start + 1000000000LL;
    long long lag_sum = 0, lag_max = 0, lag_last = 0, lag_samples = 0;
    uint64_t ok_at_report = 0;
    int open = nconn;
    struct epoll_event evs[256];
    while (open > 0) {
        int n = epoll_wait(ep, evs, 256, 1000);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            on_event(ep, c, evs[i].events, deadline);
            if (c->fd < 0) {
                open--;
            }
        }
        int64_t t = now_ns();
        if (t >= next_lag && t < deadline) {
            long long lag = metric("crossdock_flow_journal_lag");
            if (lag >= 0) {
                lag_sum += lag;
                lag_max = lag > lag_max ? lag : lag_max;
                lag_last = lag;
                lag_samples++;
            }
            next_lag += 1000000000LL;
        }
        if (t >= next_report) {
            long rss = pid ? rss_kib(pid) : -1;
            rss_max = rss > rss_max ? rss : rss_max;
            printf("  t=%3llds  %8.0f docs/s  hub RSS %ld KiB  workflow lag %lld\n",
                   (long long)((t - start) / 1000000000LL), (double)(ok - ok_at_report) / 10.0, rss,
                   lag_last);
            fflush(stdout);
            ok_at_report = ok;
            next_report += 10000000000LL;
        }
    }
    double elapsed = (double)(now_ns() - start) / 1e9;
    metrics(timing_names, TIMINGS, timing_after);
    double mean = 0;
    for (size_t i = 0; i < n_samples; i++) {
        mean += (double)samples[i] / 1e6 / (double)n_samples;
    }
    qsort(samples, n_samples, sizeof *samples, cmp64);
    double p50 = n_samples ? (double)samples[n_samples / 2] / 1e6 : 0;
    double p99 = n_samples ? (double)samples[n_samples * 99 / 100] / 1e6 : 0;
    double p999 = n_samples ? (double)samples[n_samples * 999 / 1000] / 1e6 : 0;
    long rss_last = pid ? rss_kib(pid) : -1;
    printf("ingest: %d connections, %.1f s: %llu documents stored (201), %llu other answers\n",
           nconn, elapsed, (unsigned long long)ok, (unsigned long long)failed);
    printf("ingest: %.0f documents/s, latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms\n",
           (double)ok / elapsed, p50, p99, p999);
    if (pid) {
        double cpu = cpu_seconds(pid) - cpu_first;
        printf("ingest: hub CPU %.2f s = %.1f us per document (%.2f cores)\n", cpu,
               ok ? cpu * 1e6 / (double)ok : 0, cpu / elapsed);
        printf("ingest: hub RSS first %ld KiB, max %ld KiB, last %ld KiB\n", rss_first, rss_max,
               rss_last);
    }
    double queued = timing_ms(timing_before, timing_after, 0);
    double applied = timing_ms(timing_before, timing_after, 2);
    double committed = timing_ms(timing_before, timing_after, 4);
    double handled = timing_ms(timing_before, timing_after, 6);
    if (queued >= 0 && applied >= 0 && committed >= 0 && handled >= 0) {
        printf("ingest: where a request's time went (means): %.2f ms seen by the load generator, "
               "%.2f ms in the hub's handler; of those, queued for the store writer %.2f ms per "
               "write, its batch applied %.2f ms and committed %.2f ms per batch\n",
               mean, handled, queued, applied, committed);
    }
    if (lag_samples > 0) {
        printf("ingest: workflow engine behind the journal by %.0f messages on average, %lld at "
               "most (sampled each second; %lld at the last sample)\n",
               (double)lag_sum / (double)lag_samples, lag_max, lag_last);
    }
    free(samples);
    free(conns);
    return failed ? 1 : 0;
}
