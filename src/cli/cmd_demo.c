/* SPDX-License-Identifier: MIT
 * crossdock demo --scenario p2p: the hub and a simulated network (an ERP, a supplier trading
 * X12, a warehouse on JSON) on a fresh data directory, all real processes on loopback ports
 * talking over their real channels. With --exit: N purchase orders through the happy path, a
 * summary, exit 0 only when every one closed matched. Without: a steady mix of orders and
 * problems until Ctrl-C, so a newcomer sees a living network. */
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/remote.h"

extern char **environ;

#define CHILDREN_MAX 8

struct demo {
    char dir[512];
    char exe[1024];
    pid_t pids[CHILDREN_MAX];
    const char *names[CHILDREN_MAX];
    size_t n;
    unsigned hub, sup, wh, erp; /* ports */
    char admin[256], sup_token[256], wh_token[256];
    char workers[16]; /* the supplier's and the warehouse's sending threads */
    struct xd_remote remote;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: crossdock demo --scenario p2p [--orders N] [--rate PER_SECOND] [--exit]\n"
            "                      [--data DIR] [--partner-workers N]\n\n"
            "  --orders N   purchase orders the simulated ERP issues (default 20; without --exit:\n"
            "               a steady stream)\n"
            "  --rate R     orders per second (default 50 with --exit, 2 without)\n"
            "  --exit       run the N orders through the happy path, print a summary and exit:\n"
            "               0 only when every order closed matched\n"
            "  --data DIR   the hub's data directory (default: a fresh one under /tmp)\n"
            "  --partner-workers N\n"
            "               threads the simulated supplier and warehouse each send with\n"
            "               (default 4, at most 64): more load on the hub, longer queues\n");
}

/* A free loopback port (the kernel's choice; released for the child to bind). */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        port = ntohs(a.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

/* Run ourselves with <argv> (NULL-terminated, argv[0] ignored); stdout and stderr into
 * <dir>/<log> (or stdout into <out> when given). Returns the pid, or -1. */
static pid_t spawn(struct demo *d, char **argv, const char *log)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", d->dir, log);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    /* Its own process group: Ctrl-C reaches the demo, which stops the network in order. */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    argv[0] = d->exe;
    pid_t pid = -1;
    int rc = posix_spawn(&pid, d->exe, &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

/* Run ourselves to completion, stdout into <out> (trailing newline cut). 0 on exit status 0. */
static int run_capture(struct demo *d, char **argv, char *out, size_t cap)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    argv[0] = d->exe;
    pid_t pid = -1;
    int rc = posix_spawn(&pid, d->exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    while (rc == 0 && (got = read(fds[0], out + n, cap - 1 - n)) > 0) {
        n += (size_t)got;
        if (n + 1 >= cap) {
            break;
        }
    }
    close(fds[0]);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r')) {
        out[--n] = '\0';
    }
    int status = 0;
    if (rc != 0 || waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return -1;
    }
    int rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) != 0 ? -1 : rc;
}

static void child(struct demo *d, pid_t pid, const char *name)
{
    if (pid > 0 && d->n < CHILDREN_MAX) {
        d->pids[d->n] = pid;
        d->names[d->n++] = name;
    }
}

/* Stop the network and say how much CPU each part used (where a cycle's cost goes). */
static void stop_all(struct demo *d, bool report)
{
    /* Simulators first, then the hub (it finishes what it accepted). */
    double cpu[CHILDREN_MAX] = {0};
    for (size_t i = d->n; i-- > 0;) {
        if (d->pids[i] <= 0) {
            continue; /* already reaped */
        }
        kill(d->pids[i], SIGTERM);
        struct rusage ru;
        if (wait4(d->pids[i], NULL, 0, &ru) == d->pids[i]) {
            cpu[i] = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        }
    }
    if (report && d->n > 0) {
        printf("  CPU seconds:");
        for (size_t i = 0; i < d->n; i++) {
            printf(" %s %.2f", d->names[i], cpu[i]);
        }
        printf("\n");
    }
    d->n = 0;
}

/* GET <path> as JSON; NULL when the hub does not answer 200. */
static json_t *get(struct demo *d, const char *path)
{
    struct xd_buf b;
    xd_buf_init(&b, (size_t)64 << 20);
    long status = 0;
    struct xd_error err = {0};
    json_t *j = NULL;
    if (xd_remote_call(&d->remote, "GET", path, NULL, &status, &b, &err) == XD_OK &&
        status == 200) {
        json_error_t je;
        j = json_loadb(b.data, b.len, 0, &je);
    }
    xd_buf_cleanup(&b);
    return j;
}

/* How busy the hub's store writer was over the run, and what a write and an inbound message
 * waited: the first thing to look at when the cycles per second do not move. */
static void print_writer(struct demo *d, double elapsed)
{
    struct xd_buf b;
    xd_buf_init(&b, (size_t)16 << 20);
    long status = 0;
    struct xd_error err = {0};
    if (xd_remote_call(&d->remote, "GET", "/metrics", NULL, &status, &b, &err) != XD_OK ||
        status != 200 || xd_buf_append_char(&b, '\0') != XD_OK) {
        xd_buf_cleanup(&b);
        return;
    }
    const char *t = b.data;
    double commits = xd_metric_value(t, "crossdock_journal_commit_duration_seconds_count");
    double commit_s = xd_metric_value(t, "crossdock_journal_commit_duration_seconds_sum");
    double apply_s = xd_metric_value(t, "crossdock_journal_apply_duration_seconds_sum");
    double writes = xd_metric_value(t, "crossdock_journal_queue_wait_seconds_count");
    double wait_s = xd_metric_value(t, "crossdock_journal_queue_wait_seconds_sum");
    double in_n =
        xd_metric_value(t, "crossdock_http_request_duration_seconds_count{route=\"inbound_post\","
                           "status=\"201\"}");
    double in_s =
        xd_metric_value(t, "crossdock_http_request_duration_seconds_sum{route=\"inbound_post\","
                           "status=\"201\"}");
    if (commits > 0 && commit_s >= 0 && apply_s >= 0 && writes > 0 && wait_s >= 0) {
        printf("  store writer: %.0f commits/s of %.1f writes, busy %.0f %% of the run (%.2f ms "
               "applying and %.2f ms committing per commit); a write waited %.2f ms to be taken",
               commits / elapsed, writes / commits, (apply_s + commit_s) * 100 / elapsed,
               apply_s * 1e3 / commits, commit_s * 1e3 / commits, wait_s * 1e3 / writes);
        if (in_n > 0 && in_s >= 0) {
            printf("; an inbound message was answered in %.2f ms", in_s * 1e3 / in_n);
        }
        printf("\n");
    }
    xd_buf_cleanup(&b);
}

/* The demo's partner profiles. Their endpoints are unordered: the simulators take messages in
 * any order (what a thread sends follows its steps, which wait for each other anyway), so the
 * hub may deliver several at once. A real ERP that must see a shipment before its receipt keeps
 * the default, ordered (docs/delivery.md). */
static int profiles(struct demo *d)
{
    char text[4096];
    snprintf(text, sizeof text,
             "# The demo's supplier: trades X12 004010; orders go out as 850s, its 855, 856 and\n"
             "# 810 come back over HTTP.\n"
             "id: demo-supplier\nname: Demo Fasteners\nrole: supplier\n"
             "identifiers: {isa_qualifier: ZZ, isa_id: DEMOSUP, gs_id: DEMOSUP}\n"
             "x12: {hub_qualifier: ZZ, hub_id: DEMOHUB, hub_gs_id: DEMOHUB, "
             "component_separator: \">\"}\n"
             "inbound:\n  http: {formats: [x12]}\n"
             "outbound:\n  endpoints:\n"
             "    - {name: edi, kind: http, url: \"http://127.0.0.1:%u/edi\", "
             "allow_private_networks: [\"127.0.0.0/8\"], ordered: false, max_in_flight: 32}\n"
             "  retry: {max_attempts: 100, max_age: 1h, backoff_base: 200ms, backoff_max: 2s}\n"
             "documents:\n"
             "  - {type: purchase_order, direction: out, format: x12, version: \"004010\"}\n"
             "  - {type: po_acknowledgement, direction: in, format: x12, version: \"004010\"}\n"
             "  - {type: ship_notice, direction: in, format: x12, version: \"004010\"}\n"
             "  - {type: invoice, direction: in, format: x12, version: \"004010\"}\n"
             "mapping:\n  items:\n"
             "    - {sku: NW-20417, vendor_part: SH-NIT-L-100, gtin: \"00614141204175\"}\n"
             "    - {sku: NW-10042, vendor_part: HB-M8-40-Z, gtin: \"061414120876\"}\n"
             "    - {sku: NW-31190, vendor_part: TP-DUCT-48}\n"
             "slas:\n"
             "  - {expect: po_acknowledgement, after: purchase_order, within: 1m, at_risk: 30s}\n",
             d->sup);
    int rc = write_file(d->dir, "demo-supplier.yaml", text);
    snprintf(text, sizeof text,
             "# The demo's warehouse: ship notices in, receipts out, JSON over HTTP.\n"
             "id: demo-wms\nname: Demo Chicago DC\nrole: warehouse\n"
             "inbound:\n  http: {formats: [json]}\n"
             "outbound:\n  endpoints:\n"
             "    - {name: api, kind: http, url: \"http://127.0.0.1:%u/asn\", "
             "allow_private_networks: [\"127.0.0.0/8\"], ordered: false, max_in_flight: 32}\n"
             "  retry: {max_attempts: 100, max_age: 1h, backoff_base: 200ms, backoff_max: 2s}\n"
             "documents:\n"
             "  - {type: ship_notice, direction: out, format: json}\n"
             "  - {type: receipt, direction: in, format: json}\n"
             "mapping:\n  locations:\n    - {location_id: DC-CHI, code: CHI01}\n",
             d->wh);
    rc |= write_file(d->dir, "demo-wms.yaml", text);
    snprintf(text, sizeof text,
             "# The demo's ERP: issues orders on the API, takes every posting as JSON.\n"
             "id: demo-erp\nname: Demo ERP\nrole: erp\n"
             "outbound:\n  endpoints:\n"
             "    - {name: postings, kind: http, url: \"http://127.0.0.1:%u/erp\", "
             "allow_private_networks: [\"127.0.0.0/8\"], ordered: false, max_in_flight: 32}\n"
             "  retry: {max_attempts: 100, max_age: 1h, backoff_base: 200ms, backoff_max: 2s}\n"
             "documents:\n"
             "  - {type: purchase_order, direction: in, format: json}\n"
             "  - {type: po_acknowledgement, direction: out, format: json}\n"
             "  - {type: ship_notice, direction: out, format: json}\n"
             "  - {type: receipt, direction: out, format: json}\n"
             "  - {type: invoice, direction: out, format: json}\n",
             d->erp);
    rc |= write_file(d->dir, "demo-erp.yaml", text);
    return rc;
}

static int token(struct demo *d, const char *name, const char *role, const char *partner, char *out,
                 size_t cap)
{
    char data[600];
    snprintf(data, sizeof data, "%s/data", d->dir);
    char *argv[] = {NULL,
                    "token",
                    "create",
                    "--data",
                    data,
                    "--name",
                    (char *)name,
                    "--role",
                    (char *)role,
                    partner ? "--partner" : NULL,
                    (char *)partner,
                    NULL};
    return run_capture(d, argv, out, cap);
}

static int wait_health(struct demo *d)
{
    for (int i = 0; i < 300; i++) {
        json_t *h = get(d, "/v1/health");
        if (h != NULL) {
            json_decref(h);
            return 0;
        }
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* Wait until the child <pid> accepts connections on <port>. Its port was free when chosen,
 * but another process may have taken it since (the kernel hands the same ephemeral ports to
 * outgoing connections): then the simulator exits, and the demo says so instead of waiting
 * on a network whose supplier never answers. */
static int wait_listening(struct demo *d, pid_t pid, unsigned port, const char *name,
                          const char *log)
{
    for (int i = 0; i < 200; i++) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "crossdock demo: the %s simulator stopped at start (see %s/%s)\n", name,
                    d->dir, log);
            for (size_t k = 0; k < d->n; k++) {
                if (d->pids[k] == pid) {
                    d->pids[k] = -1; /* reaped: stop_all must not signal its number */
                }
            }
            return -1;
        }
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        bool up = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        if (fd >= 0) {
            close(fd);
        }
        if (up) {
            return 0;
        }
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "crossdock demo: the %s simulator does not listen on port %u (see %s/%s)\n",
            name, port, d->dir, log);
    return -1;
}

/* Start the simulator <name> (log <name>.log) and wait until it listens on <port>. */
static int start_sim(struct demo *d, char **argv, const char *name, unsigned port)
{
    char log[32];
    snprintf(log, sizeof log, "%s.log", name);
    pid_t pid = spawn(d, argv, log);
    if (pid <= 0) {
        fprintf(stderr, "crossdock demo: the %s simulator did not start\n", name);
        return -1;
    }
    child(d, pid, name);
    return wait_listening(d, pid, port, name, log);
}

/* No outbound message waits or is under way: what the flows sent has arrived. */
static bool outbox_drained(struct demo *d)
{
    const char *const states[] = {"pending", "delivering"};
    for (size_t i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/outbox?state=%s&limit=1", states[i]);
        json_t *j = get(d, path);
        size_t n = j != NULL ? json_array_size(json_object_get(j, "messages")) : 1;
        json_decref(j);
        if (n > 0) {
            return false;
        }
    }
    return true;
}

static int64_t jint(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

static void print_counts(const char *title, const json_t *o)
{
    printf("  %s:", title);
    const char *k;
    json_t *v;
    int any = 0;
    json_object_foreach((json_t *)o, k, v)
    {
        printf(" %s %lld", k, (long long)json_integer_value(v));
        any = 1;
    }
    printf("%s\n", any ? "" : " none");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int start_network(struct demo *d, unsigned orders, const char *rate, bool problems)
{
    char data[600], listen[32], url[64];
    snprintf(data, sizeof data, "%s/data", d->dir);
    snprintf(listen, sizeof listen, "127.0.0.1:%u", d->hub);
    snprintf(url, sizeof url, "http://%s", listen);
    if (profiles(d) != 0 || token(d, "demo-admin", "admin", NULL, d->admin, sizeof d->admin) ||
        token(d, "demo-supplier", "partner", "demo-supplier", d->sup_token, sizeof d->sup_token) ||
        token(d, "demo-wms", "partner", "demo-wms", d->wh_token, sizeof d->wh_token)) {
        fprintf(stderr, "crossdock demo: cannot prepare %s\n", d->dir);
        return -1;
    }
    snprintf(d->remote.url, sizeof d->remote.url, "%s", url);
    snprintf(d->remote.token, sizeof d->remote.token, "%s", d->admin);
    char *serve[] = {NULL, "serve", "--data", data, "--listen", listen, NULL};
    child(d, spawn(d, serve, "hub.log"), "hub");
    if (d->n != 1 || wait_health(d) != 0) {
        fprintf(stderr, "crossdock demo: the hub did not start (see %s/hub.log)\n", d->dir);
        return -1;
    }
    char p1[600], p2[600], p3[600], out[256];
    snprintf(p1, sizeof p1, "%s/demo-supplier.yaml", d->dir);
    snprintf(p2, sizeof p2, "%s/demo-wms.yaml", d->dir);
    snprintf(p3, sizeof p3, "%s/demo-erp.yaml", d->dir);
    char *apply[] = {NULL, "partner", "apply", p1, p2, p3, "--url", url, "--token", d->admin, NULL};
    if (run_capture(d, apply, out, sizeof out) != 0) {
        fprintf(stderr, "crossdock demo: the partner profiles were refused\n");
        return -1;
    }
    char sl[64], wl[64], el[64], n[32];
    snprintf(sl, sizeof sl, "127.0.0.1:%u", d->sup);
    snprintf(wl, sizeof wl, "127.0.0.1:%u", d->wh);
    snprintf(el, sizeof el, "127.0.0.1:%u", d->erp);
    snprintf(n, sizeof n, "%u", orders);
    /* The steady demo shows problems: every 7th order a rejected line, every 5th a partial
     * shipment, every 9th a price error, every 6th a short receipt. */
    char *sup_happy[] = {NULL, "sim",          "supplier",   "--profile",
                         p1,   "--listen",     sl,           "--hub",
                         url,  "--token",      d->sup_token, "--ack-delay",
                         "20", "--ship-delay", "40",         "--invoice-delay",
                         "80", "--workers",    d->workers,   NULL};
    char *sup_mixed[] = {NULL,   "sim",          "supplier",   "--profile",
                         p1,     "--listen",     sl,           "--hub",
                         url,    "--token",      d->sup_token, "--every",
                         "5",    "--partial",    "60",         "--ack-delay",
                         "500",  "--ship-delay", "1500",       "--invoice-delay",
                         "3000", "--workers",    d->workers,   NULL};
    if (start_sim(d, problems ? sup_mixed : sup_happy, "supplier", d->sup) != 0) {
        return -1;
    }
    char *wh_happy[] = {NULL, "sim",       "warehouse", "--profile", p2,          "--listen",
                        wl,   "--hub",     url,         "--token",   d->wh_token, "--receive-delay",
                        "30", "--workers", d->workers,  NULL};
    char *wh_mixed[] = {
        NULL,   "sim",       "warehouse", "--profile", p2,  "--listen", wl,    "--hub",
        url,    "--token",   d->wh_token, "--every",   "6", "--short",  "1:1", "--receive-delay",
        "1000", "--workers", d->workers,  NULL};
    if (start_sim(d, problems ? wh_mixed : wh_happy, "warehouse", d->wh) != 0) {
        return -1;
    }
    char *erp[] = {NULL,
                   "sim",
                   "erp",
                   "--listen",
                   el,
                   "--hub",
                   url,
                   "--token",
                   d->admin,
                   "--orders",
                   n,
                   "--rate",
                   (char *)rate,
                   "--supplier",
                   "demo-supplier",
                   "--location",
                   "DC-CHI",
                   "--connections",
                   problems ? "1" : "16",
                   NULL};
    return start_sim(d, erp, "erp", d->erp);
}

/* <text> as a count from 1 to <max> into *out; false (said on stderr) otherwise. */
static bool count_arg(const char *option, const char *text, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    *out = strtoul(text, &end, 10);
    if (text[0] == '-' || end == text || *end != '\0' || *out == 0 || *out > max) {
        fprintf(stderr, "crossdock demo: %s must be 1 to %lu\n", option, max);
        return false;
    }
    return true;
}

int xd_cmd_demo(int argc, char **argv)
{
    const char *scenario = NULL, *data = NULL, *rate = NULL;
    unsigned long orders = 0, workers = 4;
    bool exit_after = false;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--scenario") == 0 && v != NULL) {
            scenario = argv[++i];
        } else if (strcmp(argv[i], "--orders") == 0 && v != NULL) {
            if (!count_arg("--orders", argv[++i], 1000000, &orders)) {
                return 2;
            }
        } else if (strcmp(argv[i], "--rate") == 0 && v != NULL) {
            rate = argv[++i];
        } else if (strcmp(argv[i], "--partner-workers") == 0 && v != NULL) {
            if (!count_arg("--partner-workers", argv[++i], 64, &workers)) {
                return 2;
            }
        } else if (strcmp(argv[i], "--data") == 0 && v != NULL) {
            data = argv[++i];
        } else if (strcmp(argv[i], "--exit") == 0) {
            exit_after = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (scenario == NULL || strcmp(scenario, "p2p") != 0) {
        fprintf(stderr, "crossdock demo: --scenario p2p is the one scenario there is\n");
        return 2;
    }
    if (orders == 0) {
        orders = exit_after ? 20 : 1000000;
    }
    if (rate == NULL) {
        rate = exit_after ? "50" : "2";
    }
    struct demo d = {0};
    ssize_t n = readlink("/proc/self/exe", d.exe, sizeof d.exe - 1);
    if (n <= 0) {
        fprintf(stderr, "crossdock demo: cannot find its own executable\n");
        return 1;
    }
    d.exe[n] = '\0';
    snprintf(d.workers, sizeof d.workers, "%lu", workers);
    if (data != NULL) {
        if (mkdir(data, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "crossdock demo: %s: %s\n", data, strerror(errno));
            return 1;
        }
        snprintf(d.dir, sizeof d.dir, "%s", data);
    } else {
        snprintf(d.dir, sizeof d.dir, "/tmp/crossdock-demo-XXXXXX");
        if (mkdtemp(d.dir) == NULL) {
            fprintf(stderr, "crossdock demo: cannot make a directory in /tmp\n");
            return 1;
        }
    }
    d.hub = free_port(), d.sup = free_port(), d.wh = free_port(), d.erp = free_port();
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    double t0 = now_s();
    if (start_network(&d, (unsigned)orders, rate, !exit_after) != 0) {
        stop_all(&d, false);
        return 1;
    }
    printf("crossdock demo: hub http://127.0.0.1:%u, admin token %s\n"
           "  supplier 127.0.0.1:%u (X12), warehouse 127.0.0.1:%u (JSON), ERP 127.0.0.1:%u; "
           "logs and data in %s\n",
           d.hub, d.admin, d.sup, d.wh, d.erp, d.dir);
    fflush(stdout);
    /* Wait: every order closed (or, with --exit, no progress for 30 s). */
    int64_t closed = 0, total = 0, last_closed = -1;
    double last_progress = now_s(), last_print = 0;
    json_t *sum = NULL;
    while (!stop_requested) {
        json_decref(sum);
        sum = get(&d, "/v1/flows?state=closed&limit=1"); /* the index on state: no sort */
        const json_t *st = json_object_get(sum, "states");
        closed = jint(st, "closed");
        total = jint(sum, "total");
        if (closed != last_closed) {
            last_closed = closed;
            last_progress = now_s();
        }
        if (exit_after && closed >= (int64_t)orders && outbox_drained(&d)) {
            break; /* every order closed and every message delivered (the ERP has it all) */
        }
        if (exit_after && now_s() - last_progress > 30) {
            break;
        }
        if (!exit_after && now_s() - last_print >= 5) {
            last_print = now_s();
            printf("[%5.0fs] %lld orders, %lld closed;", now_s() - t0, (long long)total,
                   (long long)closed);
            print_counts("open exceptions", json_object_get(sum, "exceptions_open"));
            fflush(stdout);
        }
        /* Four looks a second: counting the flows is a query over every thread, and the
         * benchmark measures the hub, not this loop. */
        struct timespec ts = {0, 250 * 1000000L};
        nanosleep(&ts, NULL);
    }
    double elapsed = now_s() - t0;
    json_t *metrics = get(&d, "/v1/flows?limit=1");
    int64_t ex_total = 0;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(metrics, "exceptions_open"), k, v)
    {
        ex_total += json_integer_value(v);
    }
    /* Each closed PO is five documents through the hub: order, acknowledgement, ship notice,
     * receipt, invoice. */
    bool drained = outbox_drained(&d);
    printf("\nsummary: %lld of %lld purchase orders closed, %s, in %.1f s "
           "(%.1f POs/s, about %.0f documents/s)\n",
           (long long)closed, (long long)(exit_after ? (int64_t)orders : total),
           drained ? "every message delivered" : "messages still waiting in the outbox", elapsed,
           (double)closed / elapsed, (double)closed * 5 / elapsed);
    print_counts("by state", json_object_get(metrics, "states"));
    print_counts("open exceptions by type", json_object_get(metrics, "exceptions_open"));
    print_writer(&d, elapsed);
    json_decref(metrics);
    json_decref(sum);
    stop_all(&d, true);
    if (exit_after) {
        bool ok = closed == (int64_t)orders && total == (int64_t)orders && ex_total == 0 && drained;
        printf("%s\n", ok ? "every order closed matched" : "NOT every order closed matched");
        return ok ? 0 : 1;
    }
    return 0;
}
