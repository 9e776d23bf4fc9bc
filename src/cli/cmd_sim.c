/* SPDX-License-Identifier: MIT
 * crossdock sim: simulated partners. `crossdock sim receiver` is a partner's HTTP endpoint that
 * records what it receives, checks Standard Webhooks signatures and honours idempotency keys,
 * and fails, hangs or drops connections on request (src/sim/receiver.c). `sim supplier`,
 * `sim warehouse` and `sim erp` answer like real partners over the hub's real channels
 * (src/sim/trading.c, erp.c; docs/simulators.md). Each runs until SIGTERM or SIGINT and logs
 * "<kind> listening on http://HOST:PORT" when ready. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "deliver/deliver.h"
#include "gateway/gateway.h"
#include "partner/partner.h"
#include "sim/sim.h"

static void receiver_usage(FILE *f)
{
    fprintf(
        f,
        "usage: crossdock sim receiver --listen HOST:PORT [--fail-first N] [--fail-status CODE]\n"
        "           [--status CODE] [--retry-after VALUE] [--delay MS] [--drop-first N] "
        "[--down-for MS]\n"
        "           [--secret whsec_...] [--require-header 'NAME: VALUE'] [--record FILE]\n\n"
        "  --listen HOST:PORT   IPv4 address and port (port 0: any free one)\n"
        "  --drop-first N       close the connection without answering the first N requests\n"
        "  --fail-first N       then answer --fail-status (default 500) to the next N\n"
        "  --status CODE        then answer CODE (default 200); 2xx processes the message\n"
        "  --retry-after VALUE  Retry-After header on answers that are not 2xx\n"
        "  --delay MS           process, then wait MS before answering (a hanging partner)\n"
        "  --down-for MS        answer 503 to every request for MS after start\n"
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
        strcmp(a, "--delay") == 0 || strcmp(a, "--down-for") == 0) {
        if (!number(a, v, UINT32_MAX, &n)) {
            return false;
        }
        *(strcmp(a, "--drop-first") == 0   ? &o->drop_first
          : strcmp(a, "--fail-first") == 0 ? &o->fail_first
          : strcmp(a, "--down-for") == 0   ? &o->down_for_ms
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
    for (int i = 1; i < argc; i += 2) { /* option value pairs */
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

/* ------------------------------------------------------------------------------------------ */
/* supplier, warehouse, erp: one table of options */

enum opt_kind { OPT_STR, OPT_U32, OPT_I64, OPT_FLAG, OPT_LINE_QTY, OPT_LISTEN };

/* Everything the three commands take; each option names the commands it belongs to. */
struct sim_args {
    const char *profile, *listen_text, *hub, *token, *inbox, *state, *record, *location;
    const char *supplier, *prefix;
    uint32_t workers, max_attempts, down_for, every, timeout;
    uint32_t ack_delay, ship_delay, invoice_delay, partial, price_error, receive_delay;
    uint32_t orders, rate, seed, connections;
    int64_t reject_line;
    bool duplicate_asn;
    struct line_qty {
        int64_t line;
        char qty[XD_DECIMAL_STR_MAX];
    } change, short_qty, over, damaged;
    struct xd_sim_receiver_options listen;
};

#define FOR_S 1u /* supplier */
#define FOR_W 2u /* warehouse */
#define FOR_E 4u /* erp */

static const struct sim_opt {
    const char *name;
    enum opt_kind kind;
    size_t offset;
    unsigned commands;
    const char *arg; /* what the value is, "" for a flag */
    const char *help;
} sim_opts[] = {
    {"--profile", OPT_STR, offsetof(struct sim_args, profile), FOR_S | FOR_W, "FILE",
     "the partner's profile (YAML or .json)"},
    {"--listen", OPT_LISTEN, offsetof(struct sim_args, listen), FOR_S | FOR_W | FOR_E, "HOST:PORT",
     "where the hub delivers to this partner (port 0: any)"},
    {"--hub", OPT_STR, offsetof(struct sim_args, hub), FOR_S | FOR_W | FOR_E, "URL",
     "the hub, e.g. http://127.0.0.1:8080"},
    {"--token", OPT_STR, offsetof(struct sim_args, token), FOR_S | FOR_W | FOR_E, "TOKEN",
     "the partner's token (crossdock token create --role partner)"},
    {"--inbox", OPT_STR, offsetof(struct sim_args, inbox), FOR_S | FOR_W, "DIR",
     "send as files into the hub's <data>/partners/<id>/inbox"},
    {"--state", OPT_STR, offsetof(struct sim_args, state), FOR_S | FOR_W, "FILE",
     "control numbers, what is owed and keys, kept across restarts"},
    {"--record", OPT_STR, offsetof(struct sim_args, record), FOR_S | FOR_W | FOR_E, "FILE",
     "one JSON line per delivery received; keys stay processed"},
    {"--workers", OPT_U32, offsetof(struct sim_args, workers), FOR_S | FOR_W, "N",
     "threads sending (default 4)"},
    {"--max-attempts", OPT_U32, offsetof(struct sim_args, max_attempts), FOR_S | FOR_W, "N",
     "per message before giving up (default 30)"},
    {"--timeout", OPT_U32, offsetof(struct sim_args, timeout), FOR_S | FOR_W, "MS",
     "per request to the hub (default 10000)"},
    {"--down-for", OPT_U32, offsetof(struct sim_args, down_for), FOR_S | FOR_W | FOR_E, "MS",
     "answer 503 to every delivery for MS after start"},
    {"--every", OPT_U32, offsetof(struct sim_args, every), FOR_S | FOR_W, "N",
     "problems apply to every Nth document only"},
    {"--ack-delay", OPT_U32, offsetof(struct sim_args, ack_delay), FOR_S, "MS",
     "acknowledgement after MS (default 100)"},
    {"--ship-delay", OPT_U32, offsetof(struct sim_args, ship_delay), FOR_S, "MS",
     "ship notice after MS (default 200)"},
    {"--invoice-delay", OPT_U32, offsetof(struct sim_args, invoice_delay), FOR_S, "MS",
     "invoice after MS (default 300)"},
    {"--reject-line", OPT_I64, offsetof(struct sim_args, reject_line), FOR_S, "N",
     "PO line N rejected: not shipped, not invoiced"},
    {"--change-qty", OPT_LINE_QTY, offsetof(struct sim_args, change), FOR_S, "LINE:QTY",
     "the ack confirms QTY for PO line LINE"},
    {"--partial", OPT_U32, offsetof(struct sim_args, partial), FOR_S, "PERCENT",
     "ship that share first, the rest later (back order)"},
    {"--price-error", OPT_U32, offsetof(struct sim_args, price_error), FOR_S, "PERCENT",
     "invoice's first line priced that much too high"},
    {"--duplicate-asn", OPT_FLAG, offsetof(struct sim_args, duplicate_asn), FOR_S, "",
     "send every ship notice twice"},
    {"--receive-delay", OPT_U32, offsetof(struct sim_args, receive_delay), FOR_W, "MS",
     "receipt after MS (default 200)"},
    {"--short", OPT_LINE_QTY, offsetof(struct sim_args, short_qty), FOR_W, "LINE:QTY",
     "PO line LINE received QTY short"},
    {"--over", OPT_LINE_QTY, offsetof(struct sim_args, over), FOR_W, "LINE:QTY",
     "PO line LINE received QTY over"},
    {"--damaged", OPT_LINE_QTY, offsetof(struct sim_args, damaged), FOR_W, "LINE:QTY",
     "QTY of PO line LINE received damaged"},
    {"--location", OPT_STR, offsetof(struct sim_args, location), FOR_W | FOR_E, "ID",
     "location (warehouse: when the ASN names none; erp: ship_to)"},
    {"--orders", OPT_U32, offsetof(struct sim_args, orders), FOR_E, "N",
     "issue N purchase orders to the hub (POST /v1/documents)"},
    {"--rate", OPT_U32, offsetof(struct sim_args, rate), FOR_E, "PER_SECOND",
     "orders per second (default 10)"},
    {"--supplier", OPT_STR, offsetof(struct sim_args, supplier), FOR_E, "ID",
     "supplier.party_id of the orders (default acme-fasteners)"},
    {"--prefix", OPT_STR, offsetof(struct sim_args, prefix), FOR_E, "TEXT",
     "po_number prefix, at most 6 characters (default PO)"},
    {"--seed", OPT_U32, offsetof(struct sim_args, seed), FOR_E, "N",
     "catalogue choices (default: from the clock)"},
    {"--connections", OPT_U32, offsetof(struct sim_args, connections), FOR_E, "N",
     "orders posted at once, one connection each, 1-64 (default 1)"},
};

static void sim_usage(FILE *f, const char *command, unsigned which)
{
    fprintf(f, "usage: crossdock sim %s %s[options]\n\n", command,
            which == FOR_E ? "--listen HOST:PORT "
                           : "--profile FILE --listen HOST:PORT --hub URL --token TOKEN ");
    for (size_t i = 0; i < XD_ARRAY_LEN(sim_opts); i++) {
        if (sim_opts[i].commands & which) {
            char left[40];
            snprintf(left, sizeof left, "%s %s", sim_opts[i].name, sim_opts[i].arg);
            fprintf(f, "  %-24s %s\n", left, sim_opts[i].help);
        }
    }
    fprintf(f, "GET /_received lists what arrived%s; see docs/simulators.md.\n",
            which == FOR_E ? ", GET /_summary counts it by type and po_number" : "");
}

/* "LINE:QTY" with LINE a PO line number and QTY a decimal. */
static bool line_qty(const char *v, struct line_qty *out)
{
    const char *colon = strchr(v, ':');
    int64_t line = 0;
    if (colon == NULL || xd_parse_i64(v, (size_t)(colon - v), 1, 999999, &line) != XD_OK ||
        strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof out->qty) {
        return false;
    }
    out->line = line;
    snprintf(out->qty, sizeof out->qty, "%s", colon + 1);
    return true;
}

static bool sim_option(struct sim_args *a, const struct sim_opt *o, const char *v,
                       const char *command)
{
    char *field = (char *)a + o->offset;
    uint64_t n = 0;
    struct xd_error err = {0};
    struct xd_gateway_options g;
    switch (o->kind) {
    case OPT_STR:
        *(const char **)(void *)field = v;
        return true;
    case OPT_U32:
        if (xd_parse_u64(v, strlen(v), UINT32_MAX, &n) == XD_OK) {
            *(uint32_t *)(void *)field = (uint32_t)n;
            return true;
        }
        break;
    case OPT_I64:
        if (xd_parse_u64(v, strlen(v), 999999, &n) == XD_OK) {
            *(int64_t *)(void *)field = (int64_t)n;
            return true;
        }
        break;
    case OPT_LINE_QTY:
        if (line_qty(v, (struct line_qty *)(void *)field)) {
            return true;
        }
        break;
    case OPT_LISTEN:
        xd_gateway_options_init(&g);
        if (xd_gateway_parse_listen(v, &g, &err) == XD_OK) {
            snprintf(a->listen.host, sizeof a->listen.host, "%s", g.host);
            a->listen.port = g.port;
            a->listen_text = v;
            return true;
        }
        fprintf(stderr, "crossdock sim %s: %s\n", command, err.message);
        return false;
    case OPT_FLAG:
        break;
    }
    fprintf(stderr, "crossdock sim %s: %s %s: '%s' is not valid (%s)\n", command, o->name, o->arg,
            v, o->help);
    return false;
}

/* 0 when parsed, 1 for --help (printed), 2 after a message. */
static int sim_parse(int argc, char **argv, const char *command, unsigned which, struct sim_args *a)
{
    memset(a, 0, sizeof *a);
    xd_sim_receiver_options_init(&a->listen);
    a->workers = 4;
    a->max_attempts = 30;
    a->timeout = 10000;
    a->ack_delay = 100;
    a->ship_delay = 200;
    a->invoice_delay = 300;
    a->receive_delay = 200;
    a->rate = 10;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            sim_usage(stdout, command, which);
            return 1;
        }
        const struct sim_opt *o = NULL;
        for (size_t k = 0; k < XD_ARRAY_LEN(sim_opts); k++) {
            if (strcmp(argv[i], sim_opts[k].name) == 0 && (sim_opts[k].commands & which)) {
                o = &sim_opts[k];
            }
        }
        if (o == NULL) {
            fprintf(stderr, "crossdock sim %s: unknown option '%s'\n", command, argv[i]);
            return 2;
        }
        if (o->kind == OPT_FLAG) {
            *(bool *)(void *)((char *)a + o->offset) = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "crossdock sim %s: missing value for %s\n", command, argv[i]);
            return 2;
        }
        if (!sim_option(a, o, argv[++i], command)) {
            return 2;
        }
    }
    if (a->listen_text == NULL || (which != FOR_E && a->profile == NULL)) {
        fprintf(stderr, "crossdock sim %s: %s required\n", command,
                which == FOR_E ? "--listen is" : "--profile and --listen are");
        sim_usage(stderr, command, which);
        return 2;
    }
    a->listen.record_path = a->record;
    a->listen.down_for_ms = a->down_for;
    return 0;
}

static struct xd_partner_profile *load_profile(const char *path, const char *command)
{
    struct xd_buf text;
    xd_buf_init(&text, XD_PARTNER_MAX_BYTES);
    struct xd_error err = {0};
    if (xd_file_read(path, &text, &err) != XD_OK) {
        fprintf(stderr, "crossdock sim %s: %s\n", command, err.message);
        xd_buf_cleanup(&text);
        return NULL;
    }
    size_t n = strlen(path);
    bool json = n > 5 && strcmp(path + n - 5, ".json") == 0;
    struct xd_partner_problems pr;
    xd_partner_problems_init(&pr, 20);
    struct xd_partner_profile *p = NULL;
    enum xd_status st = xd_partner_parse(text.data != NULL ? text.data : "", text.len,
                                         json ? XD_PARTNER_JSON : XD_PARTNER_YAML, &p, &pr);
    for (size_t i = 0; st != XD_OK && i < pr.count; i++) {
        fprintf(stderr, "%s:%d:%d: %s: %s\n", path, pr.items[i].line, pr.items[i].column,
                pr.items[i].path, pr.items[i].message);
    }
    if (st != XD_OK) {
        fprintf(stderr, "crossdock sim %s: %s: %s\n", command, path, xd_strerror(st));
    }
    xd_partner_problems_cleanup(&pr);
    xd_buf_cleanup(&text);
    return p;
}

static void send_options(const struct sim_args *a, struct xd_sim_send_options *s)
{
    xd_sim_send_options_init(s);
    s->hub_url = a->hub;
    s->token = a->token;
    s->inbox_dir = a->inbox;
    s->state_path = a->state;
    s->workers = a->workers;
    s->max_attempts = a->max_attempts;
    s->timeout_ms = a->timeout;
}

static void block_signals(sigset_t *stop)
{
    xd_log_set_level(XD_LOG_INFO);
    sigemptyset(stop);
    sigaddset(stop, SIGTERM);
    sigaddset(stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, stop, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int sim_trading(int argc, char **argv, bool supplier)
{
    const char *command = supplier ? "supplier" : "warehouse";
    struct sim_args a;
    int rc = sim_parse(argc, argv, command, supplier ? FOR_S : FOR_W, &a);
    if (rc != 0) {
        return rc == 1 ? 0 : rc;
    }
    struct xd_partner_profile *p = load_profile(a.profile, command);
    if (p == NULL) {
        return 2;
    }
    sigset_t stop;
    block_signals(&stop);
    struct xd_sim_partner *sp = NULL;
    struct xd_error err = {0};
    enum xd_status st;
    if (supplier) {
        struct xd_sim_supplier_options o;
        xd_sim_supplier_options_init(&o);
        o.listen = a.listen;
        send_options(&a, &o.send);
        o.ack_delay_ms = a.ack_delay;
        o.ship_delay_ms = a.ship_delay;
        o.invoice_delay_ms = a.invoice_delay;
        o.every = a.every;
        o.reject_line = a.reject_line;
        o.change_line = a.change.line;
        snprintf(o.change_qty, sizeof o.change_qty, "%s", a.change.qty);
        o.partial_percent = a.partial;
        o.price_error_percent = a.price_error;
        o.duplicate_asn = a.duplicate_asn;
        st = xd_sim_supplier_start(p, &o, &sp, &err);
    } else {
        struct xd_sim_warehouse_options o;
        xd_sim_warehouse_options_init(&o);
        o.listen = a.listen;
        send_options(&a, &o.send);
        o.receive_delay_ms = a.receive_delay;
        o.every = a.every;
        o.short_line = a.short_qty.line;
        snprintf(o.short_qty, sizeof o.short_qty, "%s", a.short_qty.qty);
        o.over_line = a.over.line;
        snprintf(o.over_qty, sizeof o.over_qty, "%s", a.over.qty);
        o.damaged_line = a.damaged.line;
        snprintf(o.damaged_qty, sizeof o.damaged_qty, "%s", a.damaged.qty);
        o.location_id = a.location;
        st = xd_sim_warehouse_start(p, &o, &sp, &err);
    }
    if (st != XD_OK) {
        XD_LOG_ERROR("sim", NULL, "%s %s: %s", command, p->id, err.message);
        xd_partner_profile_unref(p);
        return 1;
    }
    XD_LOG_INFO("sim", NULL, "%s %s listening on http://%s:%u", command, p->id, a.listen.host,
                (unsigned)xd_sim_partner_port(sp));
    XD_LOG_INFO("sim", NULL, "%s %s sends with %u thread(s)", command, p->id, (unsigned)a.workers);
    int sig = 0;
    sigwait(&stop, &sig);
    struct xd_sim_partner_stats s;
    xd_sim_partner_stats(sp, &s);
    xd_sim_partner_stop(sp);
    XD_LOG_INFO("sim", NULL,
                "%s %s stopped: %llu received, %llu refused, %llu sent, %llu retried, %llu given "
                "up, %llu pending",
                command, p->id, (unsigned long long)s.received, (unsigned long long)s.refused,
                (unsigned long long)s.sent, (unsigned long long)s.retried,
                (unsigned long long)s.given_up, (unsigned long long)s.pending);
    xd_partner_profile_unref(p);
    return 0;
}

static int sim_erp(int argc, char **argv)
{
    struct sim_args a;
    int rc = sim_parse(argc, argv, "erp", FOR_E, &a);
    if (rc != 0) {
        return rc == 1 ? 0 : rc;
    }
    struct xd_sim_erp_options o;
    xd_sim_erp_options_init(&o);
    o.listen = a.listen;
    o.hub_url = a.hub;
    o.token = a.token;
    o.orders = a.orders;
    o.rate_per_s = a.rate;
    o.supplier = a.supplier;
    o.location = a.location;
    o.prefix = a.prefix;
    o.seed = a.seed;
    o.connections = a.connections;
    sigset_t stop;
    block_signals(&stop);
    struct xd_sim_erp *e = NULL;
    struct xd_error err = {0};
    if (xd_sim_erp_start(&o, &e, &err) != XD_OK) {
        XD_LOG_ERROR("sim", NULL, "erp: %s", err.message);
        return 1;
    }
    XD_LOG_INFO("sim", NULL, "erp listening on http://%s:%u", a.listen.host,
                (unsigned)xd_sim_erp_port(e));
    int sig = 0;
    sigwait(&stop, &sig);
    uint64_t issued = 0, failed = 0;
    xd_sim_erp_orders_done(e, &issued, &failed);
    xd_sim_erp_stop(e);
    XD_LOG_INFO("sim", NULL, "erp stopped: %llu order(s) issued, %llu failed",
                (unsigned long long)issued, (unsigned long long)failed);
    return 0;
}

int xd_cmd_sim(int argc, char **argv)
{
    const char *what = argc >= 2 ? argv[1] : "";
    if (strcmp(what, "receiver") == 0) {
        return sim_receiver(argc - 1, argv + 1);
    }
    if (strcmp(what, "supplier") == 0 || strcmp(what, "warehouse") == 0) {
        return sim_trading(argc - 1, argv + 1, strcmp(what, "supplier") == 0);
    }
    if (strcmp(what, "erp") == 0) {
        return sim_erp(argc - 1, argv + 1);
    }
    fprintf(stderr, "usage: crossdock sim receiver|supplier|warehouse|erp [options] "
                    "(crossdock sim KIND --help)\n");
    return 2;
}
