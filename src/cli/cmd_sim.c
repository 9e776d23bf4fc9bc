/* SPDX-License-Identifier: MIT
 * crossdock sim: simulated partners. `crossdock sim receiver` is a partner's HTTP endpoint that
 * records what it receives, checks Standard Webhooks signatures and honours idempotency keys,
 * and fails, hangs or drops connections on request (src/sim/receiver.c). It runs until SIGTERM
 * or SIGINT and logs "receiver listening on http://HOST:PORT" when ready. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "deliver/deliver.h"
#include "gateway/gateway.h"
#include "sim/sim.h"

static void receiver_usage(FILE *f)
{
    fprintf(
        f,
        "usage: crossdock sim receiver --listen HOST:PORT [--fail-first N] [--fail-status CODE]\n"
        "           [--status CODE] [--retry-after VALUE] [--delay MS] [--drop-first N]\n"
        "           [--secret whsec_...] [--require-header 'NAME: VALUE'] [--record FILE]\n\n"
        "  --listen HOST:PORT   IPv4 address and port (port 0: any free one)\n"
        "  --drop-first N       close the connection without answering the first N requests\n"
        "  --fail-first N       then answer --fail-status (default 500) to the next N\n"
        "  --status CODE        then answer CODE (default 200); 2xx processes the message\n"
        "  --retry-after VALUE  Retry-After header on answers that are not 2xx\n"
        "  --delay MS           process, then wait MS before answering (a hanging partner)\n"
        "  --secret whsec_...   check Standard Webhooks signatures (bad ones get 401)\n"
        "  --require-header 'NAME: VALUE'\n"
        "                       every delivery must carry this header with this value\n"
        "                       (authentication); else 401. Up to 8.\n"
        "  --record FILE        append one JSON line per request; keys processed in an\n"
        "                       earlier run with the same file stay processed\n"
        "GET /_received answers what arrived, as JSON.\n");
}

/* A numeric option within bounds into <out>; false after a message. */
static bool number(const char *name, const char *v, uint64_t max, uint64_t *out)
{
    if (xd_parse_u64(v, strlen(v), max, out) != XD_OK) {
        fprintf(stderr, "crossdock sim receiver: %s must be a whole number up to %llu\n", name,
                (unsigned long long)max);
        return false;
    }
    return true;
}

static bool status_code(const char *name, const char *v, int *out)
{
    uint64_t n = 0;
    if (!number(name, v, 599, &n) || n < 100) {
        fprintf(stderr, "crossdock sim receiver: %s must be an HTTP status (100-599)\n", name);
        return false;
    }
    *out = (int)n;
    return true;
}

static bool receiver_option(struct xd_sim_receiver_options *o, const char *a, const char *v)
{
    uint64_t n = 0;
    if (strcmp(a, "--listen") == 0) {
        struct xd_gateway_options g;
        xd_gateway_options_init(&g);
        struct xd_error err = {0};
        if (xd_gateway_parse_listen(v, &g, &err) != XD_OK) {
            fprintf(stderr, "crossdock sim receiver: %s\n", err.message);
            return false;
        }
        snprintf(o->host, sizeof o->host, "%s", g.host);
        o->port = g.port;
        return true;
    }
    if (strcmp(a, "--drop-first") == 0 || strcmp(a, "--fail-first") == 0 ||
        strcmp(a, "--delay") == 0) {
        if (!number(a, v, UINT32_MAX, &n)) {
            return false;
        }
        *(strcmp(a, "--drop-first") == 0   ? &o->drop_first
          : strcmp(a, "--fail-first") == 0 ? &o->fail_first
                                           : &o->delay_ms) = (uint32_t)n;
        return true;
    }
    if (strcmp(a, "--status") == 0 || strcmp(a, "--fail-status") == 0) {
        return status_code(a, v, strcmp(a, "--status") == 0 ? &o->status : &o->fail_status);
    }
    if (strcmp(a, "--secret") == 0) {
        if (xd_deliver_secret_decode(v, o->secret, &o->secret_len) != XD_OK) {
            fprintf(stderr, "crossdock sim receiver: --secret must be whsec_ and base64\n");
            return false;
        }
        return true;
    }
    if (strcmp(a, "--require-header") == 0) {
        if (strchr(v, ':') == NULL || o->n_required_headers == XD_SIM_REQUIRED_HEADERS_MAX) {
            fprintf(stderr,
                    "crossdock sim receiver: --require-header takes 'NAME: VALUE', "
                    "at most %d times\n",
                    XD_SIM_REQUIRED_HEADERS_MAX);
            return false;
        }
        o->required_headers[o->n_required_headers++] = v;
        return true;
    }
    if (strcmp(a, "--record") == 0 || strcmp(a, "--retry-after") == 0) {
        *(strcmp(a, "--record") == 0 ? &o->record_path : &o->retry_after) = v;
        return true;
    }
    fprintf(stderr, "crossdock sim receiver: unknown option '%s'\n", a);
    return false;
}

static int sim_receiver(int argc, char **argv)
{
    struct xd_sim_receiver_options o;
    xd_sim_receiver_options_init(&o);
    bool listen = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            receiver_usage(stdout);
            return 0;
        }
        if (i + 1 >= argc || !receiver_option(&o, argv[i], argv[i + 1])) {
            if (i + 1 >= argc) {
                fprintf(stderr, "crossdock sim receiver: missing value for %s\n", argv[i]);
            }
            receiver_usage(stderr);
            return 2;
        }
        listen |= strcmp(argv[i], "--listen") == 0;
        i++;
    }
    if (!listen) {
        receiver_usage(stderr);
        return 2;
    }
    xd_log_set_level(XD_LOG_INFO);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct xd_sim_receiver *r = NULL;
    struct xd_error err = {0};
    if (xd_sim_receiver_start(&o, &r, &err) != XD_OK) {
        XD_LOG_ERROR("sim", NULL, "%s", err.message);
        return 1;
    }
    XD_LOG_INFO("sim", NULL, "receiver listening on http://%s:%u", o.host,
                (unsigned)xd_sim_receiver_port(r));
    int sig = 0;
    sigwait(&stop, &sig);
    struct xd_sim_receiver_stats st;
    xd_sim_receiver_stats(r, &st);
    xd_sim_receiver_stop(r);
    XD_LOG_INFO("sim", NULL,
                "receiver stopped: %llu requests, %llu processed, %llu duplicates, %llu dropped, "
                "%llu failed, %llu bad signatures",
                (unsigned long long)st.requests, (unsigned long long)st.processed,
                (unsigned long long)st.duplicates, (unsigned long long)st.dropped,
                (unsigned long long)st.failed, (unsigned long long)st.bad_signatures);
    return 0;
}

int xd_cmd_sim(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "receiver") == 0) {
        return sim_receiver(argc - 1, argv + 1);
    }
    fprintf(stderr, "usage: crossdock sim receiver --listen HOST:PORT [options] "
                    "(crossdock sim receiver --help)\n");
    return 2;
}
