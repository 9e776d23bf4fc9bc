/* SPDX-License-Identifier: MIT
 * crossdock erp: the ERP connector from the shell, on a data directory (beside a running hub or
 * without one): `sync` pulls the ERP's products, suppliers and warehouses into the hub as
 * canonical item, party and location documents; `poll` fetches changed purchase orders once,
 * exactly as the hub's poller does. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "erp/erp.h"
#include "inbound/pipeline.h"
#include "partner/partner.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: crossdock erp sync --data DIR --partner ERP\n"
               "       crossdock erp poll --data DIR --partner ERP\n\n"
               "sync: products, suppliers and warehouses of the ERP partner's ERP into the hub\n"
               "      (canonical item, party and location documents of that partner).\n"
               "poll: purchase orders changed in the ERP since the stored cursor, once.\n"
               "The partner's profile (role erp, an erp section) must be applied to the hub.\n");
}

struct erp_env {
    struct xd_store *store;
    struct xd_secret_key *key;
    struct xd_partner_registry *partners;
};

static void env_close(struct erp_env *v)
{
    xd_partner_registry_destroy(v->partners);
    xd_secret_key_destroy(v->key);
    xd_store_close(v->store);
}

static int run(const char *what, const char *data, const char *partner)
{
    struct erp_env v = {0};
    struct xd_error err = {0};
    struct xd_store_options o;
    xd_store_options_init(&o, data);
    char source[1200];
    if (xd_store_open(&o, &v.store, &err) != XD_OK ||
        xd_secret_key_load(data, &v.key, source, sizeof source, &err) != XD_OK ||
        xd_partner_registry_create(v.key, &v.partners) != XD_OK ||
        xd_partner_registry_load(v.partners, v.store, &err) != XD_OK) {
        fprintf(stderr, "crossdock erp %s: %s\n", what,
                err.message[0] ? err.message : "out of memory");
        env_close(&v);
        return 1;
    }
    struct xd_partner_snapshot *snap = xd_partner_registry_acquire(v.partners);
    const struct xd_partner_profile *p =
        snap != NULL ? xd_partner_snapshot_find(snap, partner) : NULL;
    int rc = 1;
    if (p == NULL || p->role != XD_PARTNER_ROLE_ERP || p->erp == NULL) {
        fprintf(stderr,
                "crossdock erp %s: %s is not an applied ERP partner (role erp, erp section)\n",
                what, partner);
    } else if (strcmp(what, "sync") == 0) {
        struct xd_inbound_ctx ctx = {.store = v.store, .partners = v.partners};
        size_t stored = 0;
        if (xd_erp_sync(&ctx, p, &stored, &err) != XD_OK) {
            fprintf(stderr, "crossdock erp sync: %s\n", err.message);
        } else {
            printf("%zu master data document(s) journaled%s\n", stored,
                   stored == 0 ? " (unchanged since the last sync)" : "");
            rc = 0;
        }
    } else {
        struct xd_inbound_ctx ctx = {.store = v.store, .partners = v.partners};
        size_t n = 0;
        if (xd_erp_poll(&ctx, p, 1000, &n, &err) != XD_OK) {
            fprintf(stderr, "crossdock erp poll: %s\n", err.message);
        } else {
            printf("%zu purchase order message(s) journaled\n", n);
            rc = 0;
        }
    }
    xd_partner_snapshot_release(snap);
    env_close(&v);
    return rc;
}

int xd_cmd_erp(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    const char *data = NULL, *partner = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--data") == 0) {
            data = argv[i + 1];
        } else if (strcmp(argv[i], "--partner") == 0) {
            partner = argv[i + 1];
        } else {
            data = NULL;
            break;
        }
    }
    if (argc != 6 || data == NULL || partner == NULL ||
        (strcmp(argv[1], "sync") != 0 && strcmp(argv[1], "poll") != 0)) {
        usage(stderr);
        return 2;
    }
    return run(argv[1], data, partner);
}
