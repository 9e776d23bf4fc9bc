/* SPDX-License-Identifier: MIT
 * The hub's configuration: one table of options (name, type, bounds, default, where it lives,
 * what it does) that validates values, loads a YAML file, prints help and writes the
 * documented sample configuration. */
#ifndef XD_CLI_CONFIG_H
#define XD_CLI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"

struct xd_config {
    char listen[128];
    char data_dir[1024];
    size_t max_body_bytes;
    size_t http_threads;
    size_t max_connections;
    size_t connection_timeout_s;
    size_t store_queue_cap;
    size_t store_batch_max;
    bool durable;
    char log_level[16];
    /* Three-way match tolerances (decimal text, checked): src/flow. */
    char match_quantity_pct[24];
    char match_unit_price_pct[24];
    char match_amount[24];
    size_t match_hold_s; /* how long an invoice waits for goods in transit */
    size_t erp_sync_interval_s;
};

/* Every option at its default. */
void xd_config_defaults(struct xd_config *c);
/* Set option <name> from text, checking type and bounds. XD_ENOTFOUND for an unknown name,
 * XD_EINVAL with a message naming the option and what it accepts. */
enum xd_status xd_config_set(struct xd_config *c, const char *name, const char *value,
                             struct xd_error *err) XD_NODISCARD;
/* Load a YAML mapping of option: value. Errors name the file and line. */
enum xd_status xd_config_load(struct xd_config *c, const char *path,
                              struct xd_error *err) XD_NODISCARD;
/* One line per option: name, default, bounds, doc. */
void xd_config_print_help(FILE *f);
/* A YAML file with every option at its default, each preceded by its documentation. */
void xd_config_print_sample(FILE *f);

#endif
