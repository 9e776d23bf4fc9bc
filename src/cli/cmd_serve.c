/* SPDX-License-Identifier: MIT
 * crossdock serve: open the store, start outbound delivery and the HTTP API, run until SIGTERM
 * or SIGINT, then stop gracefully (stop accepting, finish what was accepted, let deliveries
 * under way finish or leave them for the next start, commit, exit 0). Delivery endpoints come
 * from the partner profiles in effect; an --endpoints file adds those no profile defines. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "core/decimal.h"
#include "deliver/deliver.h"
#include "endpoints/endpoints.h"
#include "erp/erp.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "inbound/inbox.h"
#include "inbound/pipeline.h"
#include "partner/partner.h"
#include "store/store.h"

static void serve_usage(FILE *f)
{
    fprintf(f, "usage: crossdock serve [--data DIR] [--listen HOST:PORT] [--config FILE]\n"
               "                       [--endpoints FILE]\n\n"
               "Runs the hub. Delivery endpoints come from the partner profiles applied to it;\n"
               "--endpoints names a JSON file of more (docs/delivery.md), used for the partner\n"
               "and endpoint names no profile defines (tests, partners without a profile).\n"
               "Options (in a --config YAML file, or as flags where shown):\n");
    xd_config_print_help(f);
}

/* Parse flags over the defaults and the config file. Returns -1 to go on, else an exit code. */
static int serve_args(int argc, char **argv, struct xd_config *cfg, const char **endpoints)
{
    const char *config_path = NULL, *data = NULL, *listen = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            serve_usage(stdout);
            return 0;
        }
        const char **slot = strcmp(a, "--config") == 0      ? &config_path
                            : strcmp(a, "--data") == 0      ? &data
                            : strcmp(a, "--listen") == 0    ? &listen
                            : strcmp(a, "--endpoints") == 0 ? endpoints
                                                            : NULL;
        if (slot == NULL || i + 1 >= argc) {
            fprintf(stderr, "crossdock serve: %s '%s'\n",
                    slot == NULL ? "unknown option" : "missing value for", a);
            serve_usage(stderr);
            return 2;
        }
        *slot = argv[++i];
    }
    struct xd_error err;
    xd_error_clear(&err);
    xd_config_defaults(cfg);
    if ((config_path != NULL && xd_config_load(cfg, config_path, &err) != XD_OK) ||
        (data != NULL && xd_config_set(cfg, "data_dir", data, &err) != XD_OK) ||
        (listen != NULL && xd_config_set(cfg, "listen", listen, &err) != XD_OK)) {
        fprintf(stderr, "crossdock serve: %s\n", err.message);
        return 2;
    }
    return -1;
}

/* What delivery needs beside the store: the endpoints file (when given) and the registry
 * over the profiles. Torn down after the engine stops. */
struct delivery {
    struct xd_deliver_memreg *file;
    struct xd_endpoints *endpoints;
    struct xd_erp_pool *erp; /* ERP connectors of erp endpoints */
    struct xd_deliver *engine;
};

static void delivery_cleanup(struct delivery *dl)
{
    xd_deliver_stop(dl->engine);
    xd_erp_pool_destroy(dl->erp);
    xd_endpoints_destroy(dl->endpoints);
    xd_deliver_memreg_destroy(dl->file);
    memset(dl, 0, sizeof *dl);
}

/* An endpoint of the file that a profile also defines is not used: say so once, at start
 * (a later apply may shadow more; GET /v1/endpoints shows what is in effect). */
static enum xd_status warn_shadowed(void *arg, const struct xd_deliver_endpoint *e)
{
    const struct xd_partner_snapshot *snap = arg;
    const struct xd_partner_profile *p = xd_partner_snapshot_find(snap, e->partner);
    if (p != NULL && xd_partner_endpoint_find(p, e->name) != NULL) {
        XD_LOG_WARN("serve", NULL,
                    "endpoints file: %s/%s is defined by the partner's profile, which is used",
                    e->partner, e->name);
    }
    return XD_OK;
}

/* The delivery engine over the partner profiles, with the endpoints in <endpoints_file>
 * (NULL: none) for the pairs no profile defines. */
static enum xd_status delivery_start(const struct xd_config *cfg, struct xd_store *store,
                                     struct xd_partner_registry *partners,
                                     const char *endpoints_file, struct delivery *dl,
                                     struct xd_error *err)
{
    struct xd_deliver_registry file_reg;
    if (endpoints_file != NULL) {
        enum xd_status st = xd_deliver_memreg_create(&dl->file);
        if (st != XD_OK) {
            return xd_error_set(err, st, "out of memory");
        }
        if ((st = xd_deliver_memreg_load(dl->file, endpoints_file, err)) != XD_OK) {
            return st;
        }
        xd_deliver_memreg_registry(dl->file, &file_reg);
        struct xd_partner_snapshot *snap = xd_partner_registry_acquire(partners);
        (void)file_reg.each(file_reg.arg, warn_shadowed, snap);
        xd_partner_snapshot_release(snap);
    }
    if (xd_endpoints_create(partners, endpoints_file != NULL ? &file_reg : NULL, &dl->endpoints) !=
        XD_OK) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    char partners_dir[sizeof cfg->data_dir + 16];
    snprintf(partners_dir, sizeof partners_dir, "%s/partners", cfg->data_dir);
    struct xd_deliver_options o;
    xd_deliver_options_init(&o);
    o.store = store;
    o.partners_dir = partners_dir;
    if (xd_erp_pool_create(partners, &dl->erp) != XD_OK) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    o.erp_post = xd_erp_deliver;
    o.erp_arg = dl->erp;
    xd_endpoints_registry(dl->endpoints, &o.registry);
    return xd_deliver_start(&o, &dl->engine, err);
}

/* ------------------------------------------------------------------------------------------ */
/* File inboxes: partners/<id>/inbox of every partner whose profile has one */

struct inbox_glue {
    const char *data_dir;
    struct xd_inbound_ctx ctx;
};

static void ensure_inbox(void *arg, const char *id)
{
    struct inbox_glue *g = arg;
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(g->ctx.partners);
    const struct xd_partner_profile *p = snap ? xd_partner_snapshot_find_inbox(snap, id) : NULL;
    struct xd_error err;
    xd_error_clear(&err);
    if (p != NULL && xd_inbox_ensure_partner(g->data_dir, id, &err) != XD_OK) {
        const struct xd_log_ctx lc = {.partner = id, .action = "inbox.create"};
        XD_LOG_ERROR("inbox", &lc, "cannot create the inbox of %s: %s", id, err.message);
    }
    xd_partner_snapshot_release(snap);
}

static enum xd_inbox_verdict inbox_file(void *arg, const struct xd_inbox_file *f, char *reason,
                                        size_t cap)
{
    struct inbox_glue *g = arg;
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(g->ctx.partners);
    bool open = snap != NULL && xd_partner_snapshot_find_inbox(snap, f->partner) != NULL;
    xd_partner_snapshot_release(snap);
    if (!open) {
        snprintf(reason, cap, "partner %s has no file inbox in its profile (inbound.inbox)",
                 f->partner);
        return XD_INBOX_REJECTED;
    }
    struct xd_inbound_request req = {
        .partner = f->partner,
        .channel = "inbox",
        .file_name = f->name,
        .data = f->data,
        .len = f->len,
        .actor = "inbox",
    };
    struct xd_inbound_result res;
    xd_inbound_result_init(&res);
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_inbound_process(&g->ctx, &req, &res, &err);
    enum xd_inbox_verdict v = XD_INBOX_ACCEPTED;
    if (st == XD_EUNAVAIL || st == XD_EAGAIN || st == XD_ECLOSED || st == XD_ENOMEM ||
        st == XD_EIO) {
        snprintf(reason, cap, "%s", err.message);
        v = XD_INBOX_RETRY; /* storage trouble: nothing acknowledged, the file stays */
    } else if (st != XD_OK) {
        snprintf(reason, cap, "cannot be recorded: %s", err.message);
        v = XD_INBOX_REJECTED; /* the same file would fail the same way again */
    } else if (res.outcome == XD_INBOUND_REFUSED ||
               (res.outcome == XD_INBOUND_STORED && strcmp(res.status, "rejected") == 0)) {
        snprintf(reason, cap, "%s", res.reason);
        v = XD_INBOX_REJECTED;
    } else {
        const struct xd_log_ctx lc = {.partner = f->partner, .action = "inbox.receive"};
        XD_LOG_INFO("inbox", &lc, "%s: %s, %zu document(s)%s", f->name, res.status, res.documents,
                    res.outcome == XD_INBOUND_DUPLICATE ? " (a copy of one received before)" : "");
    }
    xd_inbound_result_cleanup(&res);
    return v;
}

static void ensure_every_inbox(struct inbox_glue *g)
{
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(g->ctx.partners);
    for (size_t i = 0; snap != NULL && i < xd_partner_snapshot_count(snap); i++) {
        ensure_inbox(g, xd_partner_snapshot_at(snap, i)->id);
    }
    xd_partner_snapshot_release(snap);
}

/* The three-way match tolerances of the configuration (checked decimals by then). */
static enum xd_status tolerances(const struct xd_config *c, struct xd_flow_tolerances *t,
                                 struct xd_error *err)
{
    const char *v[] = {c->match_quantity_pct, c->match_unit_price_pct, c->match_amount};
    struct xd_decimal *d[] = {&t->quantity_pct, &t->unit_price_pct, &t->amount};
    for (size_t i = 0; i < XD_ARRAY_LEN(v); i++) {
        if (xd_decimal_parse(v[i], strlen(v[i]), XD_DECIMAL_STRICT, d[i]) != XD_OK) {
            return xd_error_set(err, XD_EINVAL, "match tolerance '%s' is not a decimal", v[i]);
        }
    }
    t->hold_ms = (int64_t)c->match_hold_s * 1000; /* at most a year: the table's bound */
    return XD_OK;
}

int xd_cmd_serve(int argc, char **argv)
{
    struct xd_config cfg;
    const char *endpoints = NULL;
    int rc = serve_args(argc, argv, &cfg, &endpoints);
    if (rc >= 0) {
        return rc;
    }
    enum xd_log_level lvl = XD_LOG_INFO;
    if (xd_log_level_parse(cfg.log_level, &lvl) == XD_OK) {
        xd_log_set_level(lvl);
    }
    struct xd_error err;
    xd_error_clear(&err);
    struct xd_gateway_options gopts;
    xd_gateway_options_init(&gopts);
    if (xd_gateway_parse_listen(cfg.listen, &gopts, &err) != XD_OK) {
        fprintf(stderr, "crossdock serve: %s\n", err.message);
        return 2;
    }
    gopts.max_body_bytes = cfg.max_body_bytes;
    gopts.threads = (unsigned)cfg.http_threads;
    gopts.max_connections = (unsigned)cfg.max_connections;
    gopts.connection_timeout_s = (unsigned)cfg.connection_timeout_s;

    /* Block the stop signals in every thread we start; this thread waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct xd_store_options sopts;
    xd_store_options_init(&sopts, cfg.data_dir);
    sopts.queue_cap = cfg.store_queue_cap;
    sopts.batch_max = cfg.store_batch_max;
    sopts.durable = cfg.durable;
    struct xd_store *store = NULL;
    if (xd_store_open(&sopts, &store, &err) != XD_OK) {
        XD_LOG_ERROR("serve", NULL, "cannot open the store in %s: %s", cfg.data_dir, err.message);
        return 1;
    }
    /* The master key seals partner credentials; without it no profile can be applied, and a
     * wrong one would only be noticed at the first delivery: refuse to start instead. */
    struct xd_secret_key *key = NULL;
    char key_source[1100];
    if (xd_secret_key_load(cfg.data_dir, &key, key_source, sizeof key_source, &err) != XD_OK) {
        XD_LOG_ERROR("serve", NULL, "secret key: %s", err.message);
        xd_store_close(store);
        return 1;
    }
    char key_id[XD_SECRET_KEY_ID_HEX + 1];
    xd_secret_key_id(key, key_id);
    XD_LOG_INFO("serve", NULL, "secret key %s from %s", key_id, key_source);
    struct xd_partner_registry *partners = NULL;
    if (xd_partner_registry_create(key, &partners) != XD_OK ||
        xd_partner_registry_load(partners, store, &err) != XD_OK) {
        XD_LOG_ERROR("serve", NULL, "partner profiles: %s",
                     partners == NULL ? "out of memory" : err.message);
        xd_partner_registry_destroy(partners);
        xd_secret_key_destroy(key);
        xd_store_close(store);
        return 1;
    }
    gopts.partners = partners;
    struct delivery dl = {0};
    if (delivery_start(&cfg, store, partners, endpoints, &dl, &err) != XD_OK) {
        XD_LOG_ERROR("serve", NULL, "cannot start delivery: %s", err.message);
        delivery_cleanup(&dl);
        xd_partner_registry_destroy(partners);
        xd_secret_key_destroy(key);
        xd_store_close(store);
        return 1;
    }
    gopts.deliver = dl.engine;
    /* X12 control numbers for the acknowledgements and for what the workflow sends, reserved
     * 64 at a time instead of one commit per number. */
    struct xd_store_controls *controls = NULL;
    if (xd_store_controls_create(store, 64, &controls) != XD_OK) {
        XD_LOG_ERROR("serve", NULL, "out of memory");
        delivery_cleanup(&dl);
        xd_partner_registry_destroy(partners);
        xd_secret_key_destroy(key);
        xd_store_close(store);
        return 1;
    }
    struct inbox_glue glue = {.data_dir = cfg.data_dir,
                              .ctx = {.store = store, .partners = partners, .controls = controls}};
    gopts.inbound = &glue.ctx;
    gopts.partner_applied = ensure_inbox;
    gopts.partner_applied_arg = &glue;
    ensure_every_inbox(&glue);
    struct xd_inbox_options iopts;
    xd_inbox_options_init(&iopts, cfg.data_dir);
    iopts.handler = inbox_file;
    iopts.arg = &glue;
    struct xd_inbox *inbox = NULL;
    if (xd_inbox_start(&iopts, &inbox, &err) != XD_OK) {
        XD_LOG_ERROR("serve", NULL, "cannot watch the inboxes: %s", err.message);
        delivery_cleanup(&dl);
        xd_partner_registry_destroy(partners);
        xd_secret_key_destroy(key);
        xd_store_controls_destroy(controls);
        xd_store_close(store);
        return 1;
    }
    struct xd_flow_options fopts;
    xd_flow_options_init(&fopts);
    fopts.store = store;
    fopts.partners = partners;
    fopts.controls = controls;
    struct xd_flow *flow = NULL;
    if (tolerances(&cfg, &fopts.tolerances, &err) != XD_OK ||
        xd_flow_start(&fopts, &flow, &err) != XD_OK) {
        XD_LOG_ERROR("serve", NULL, "cannot start the workflow engine: %s", err.message);
        xd_inbox_stop(inbox);
        delivery_cleanup(&dl);
        xd_partner_registry_destroy(partners);
        xd_secret_key_destroy(key);
        xd_store_controls_destroy(controls);
        xd_store_close(store);
        return 1;
    }
    gopts.flow = flow;
    struct xd_gateway *gw = NULL;
    if (xd_gateway_start(&gopts, store, &gw, &err) != XD_OK) {
        XD_LOG_ERROR("serve", NULL, "%s", err.message);
        xd_flow_stop(flow);
        xd_inbox_stop(inbox);
        delivery_cleanup(&dl);
        xd_partner_registry_destroy(partners);
        xd_secret_key_destroy(key);
        xd_store_controls_destroy(controls);
        xd_store_close(store);
        return 1;
    }
    struct xd_erp_poller *poller = NULL;
    if (xd_erp_poller_start(&glue.ctx, (int64_t)cfg.erp_sync_interval_s * 1000, &poller, &err) !=
        XD_OK) {
        XD_LOG_ERROR("serve", NULL, "%s", err.message);
        xd_gateway_stop(gw);
        xd_inbox_stop(inbox);
        xd_flow_stop(flow);
        delivery_cleanup(&dl);
        xd_partner_registry_destroy(partners);
        xd_secret_key_destroy(key);
        xd_store_controls_destroy(controls);
        xd_store_close(store);
        return 1;
    }
    XD_LOG_INFO("serve", NULL, "crossdock %s listening on http://%s:%u (data %s)", XD_VERSION,
                gopts.host, (unsigned)xd_gateway_port(gw), cfg.data_dir);
    int sig = 0;
    sigwait(&stop, &sig);
    XD_LOG_INFO("serve", NULL, "%s received: finishing accepted requests",
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
    xd_erp_poller_stop(poller);
    xd_gateway_stop(gw);
    xd_inbox_stop(inbox);
    xd_flow_stop(flow);
    delivery_cleanup(&dl);
    xd_partner_registry_destroy(partners);
    xd_secret_key_destroy(key);
    xd_store_controls_destroy(controls);
    xd_store_close(store);
    XD_LOG_INFO("serve", NULL, "stopped cleanly");
    return 0;
}
