/* SPDX-License-Identifier: MIT
 * The configuration table and what is derived from it (validation, YAML loading, help, sample).
 * Adding an option is one line in `options`. */
#include "cli/config.h"

#include <stddef.h>
#include <string.h>

#include <libfyaml.h>

#include "core/decimal.h"

enum opt_type { OPT_SIZE, OPT_BOOL, OPT_STRING, OPT_LEVEL, OPT_DECIMAL };

struct option_def {
    const char *name;
    enum opt_type type;
    size_t offset;
    size_t size; /* of the field, for strings */
    uint64_t min, max;
    const char *def;
    const char *doc;
};

#define STR_OPT(field) offsetof(struct xd_config, field), sizeof(((struct xd_config *)0)->field)
#define NUM_OPT(field) offsetof(struct xd_config, field), sizeof(size_t)

/* clang-format off */
static const struct option_def options[] = {
    {"listen", OPT_STRING, STR_OPT(listen), 0, 0, "127.0.0.1:8080",
     "IPv4 address and port the HTTP API listens on."},
    {"data_dir", OPT_STRING, STR_OPT(data_dir), 0, 0, "./crossdock-data",
     "Directory of the embedded store (journal, documents, audit log)."},
    {"max_body_bytes", OPT_SIZE, NUM_OPT(max_body_bytes), 1024, 64u * 1024 * 1024, "1048576",
     "Largest request body accepted; larger ones get 413."},
    {"http_threads", OPT_SIZE, NUM_OPT(http_threads), 1, 64, "2",
     "Threads serving HTTP requests."},
    {"max_connections", OPT_SIZE, NUM_OPT(max_connections), 16, 65536, "1024",
     "Concurrent HTTP connections; more are refused."},
    {"connection_timeout_s", OPT_SIZE, NUM_OPT(connection_timeout_s), 1, 3600, "60",
     "Idle keep-alive connections are closed after this many seconds."},
    {"store_queue_cap", OPT_SIZE, NUM_OPT(store_queue_cap), 16, 4u * 1024 * 1024, "65536",
     "Writes waiting for the journal writer before new ones get 503."},
    {"store_batch_max", OPT_SIZE, NUM_OPT(store_batch_max), 1, 65536, "2048",
     "Most writes committed in one transaction (group commit)."},
    {"durable", OPT_BOOL, offsetof(struct xd_config, durable), sizeof(bool), 0, 1, "true",
     "fsync every commit. Turn off only for throwaway test data."},
    {"log_level", OPT_LEVEL, STR_OPT(log_level), 0, 0, "info",
     "Least severe log level written: error, warn, info or debug."},
    {"match_quantity_pct", OPT_DECIMAL, STR_OPT(match_quantity_pct), 0, 0, "0",
     "Three-way match: how far (percent) an invoiced quantity may exceed the received one."},
    {"match_unit_price_pct", OPT_DECIMAL, STR_OPT(match_unit_price_pct), 0, 0, "0",
     "Three-way match: how far (percent) an invoiced price may differ from the agreed one."},
    {"match_amount", OPT_DECIMAL, STR_OPT(match_amount), 0, 0, "0.00",
     "Three-way match: how far the invoice's goods subtotal may differ from their value."},
    {"match_hold_s", OPT_SIZE, NUM_OPT(match_hold_s), 1, 31536000, "1209600",
     "Seconds an invoice billing goods shipped but not received is held (three-way match), "
     "and a receipt naming a ship notice not yet come is held from the ERP."},
    {"erp_sync_interval_s", OPT_SIZE, NUM_OPT(erp_sync_interval_s), 0, 604800, "3600",
     "Seconds between master data syncs from each ERP partner (0: only `crossdock erp sync`)."},
};
/* clang-format on */

static const struct option_def *find(const char *name)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(options); i++) {
        if (strcmp(options[i].name, name) == 0) {
            return &options[i];
        }
    }
    return NULL;
}

static enum xd_status apply(struct xd_config *c, const struct option_def *o, const char *v,
                            struct xd_error *err)
{
    char *field = (char *)c + o->offset;
    switch (o->type) {
    case OPT_SIZE: {
        uint64_t n;
        if (xd_parse_u64(v, strlen(v), o->max, &n) != XD_OK || n < o->min) {
            return xd_error_set(err, XD_EINVAL, "%s: '%s' is not a whole number from %llu to %llu",
                                o->name, v, (unsigned long long)o->min, (unsigned long long)o->max);
        }
        size_t sz = (size_t)n;
        memcpy(field, &sz, sizeof sz);
        return XD_OK;
    }
    case OPT_BOOL: {
        bool b;
        if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0) {
            b = true;
        } else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0) {
            b = false;
        } else {
            return xd_error_set(err, XD_EINVAL, "%s: '%s' is not true or false", o->name, v);
        }
        memcpy(field, &b, sizeof b);
        return XD_OK;
    }
    case OPT_LEVEL: {
        enum xd_log_level lvl;
        if (xd_log_level_parse(v, &lvl) != XD_OK) {
            return xd_error_set(err, XD_EINVAL, "%s: '%s' is not error, warn, info or debug",
                                o->name, v);
        }
        break;
    }
    case OPT_DECIMAL: {
        struct xd_decimal d;
        if (xd_decimal_parse(v, strlen(v), XD_DECIMAL_STRICT, &d) != XD_OK ||
            xd_decimal_is_negative(d)) {
            return xd_error_set(err, XD_EINVAL, "%s: '%s' is not a decimal number >= 0 (\"0.5\")",
                                o->name, v);
        }
        break;
    }
    case OPT_STRING:
        break;
    }
    size_t n = strlen(v);
    if (n == 0 || n >= o->size) {
        return xd_error_set(err, XD_EINVAL, "%s: must be 1 to %zu characters", o->name,
                            o->size - 1);
    }
    memcpy(field, v, n + 1);
    return XD_OK;
}

void xd_config_defaults(struct xd_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < XD_ARRAY_LEN(options); i++) {
        enum xd_status st = apply(c, &options[i], options[i].def, NULL);
        XD_BUG_ON(st != XD_OK); /* a default outside its own bounds is a bug in the table */
    }
}

enum xd_status xd_config_set(struct xd_config *c, const char *name, const char *value,
                             struct xd_error *err)
{
    const struct option_def *o = find(name);
    if (o == NULL) {
        return xd_error_set(err, XD_ENOTFOUND, "unknown option '%s'", name);
    }
    return apply(c, o, value, err);
}

static int node_line(struct fy_node *n)
{
    struct fy_token *t = fy_node_is_scalar(n) ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t != NULL ? fy_token_start_mark(t) : NULL;
    return m != NULL ? m->line + 1 : 1;
}

enum xd_status xd_config_load(struct xd_config *c, const char *path, struct xd_error *err)
{
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
    struct fy_document *doc = fy_document_build_from_file(&cfg, path);
    if (doc == NULL) {
        return xd_error_set(err, XD_EPARSE, "%s: not a readable YAML file", path);
    }
    enum xd_status st = XD_OK;
    struct fy_node *root = fy_document_root(doc);
    if (root == NULL) {
        goto done; /* an empty file keeps every default */
    }
    if (!fy_node_is_mapping(root)) {
        st = xd_error_set(err, XD_EINVAL, "%s:%d: expected a mapping of option: value", path,
                          node_line(root));
        goto done;
    }
    void *iter = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(root, &iter)) != NULL) {
        struct fy_node *k = fy_node_pair_key(pair);
        struct fy_node *v = fy_node_pair_value(pair);
        const char *key = fy_node_get_scalar0(k);
        const char *val = v != NULL ? fy_node_get_scalar0(v) : NULL;
        if (key == NULL || val == NULL) {
            st = xd_error_set(err, XD_EINVAL, "%s:%d: each option must be a plain 'name: value'",
                              path, node_line(k));
            goto done;
        }
        struct xd_error e2;
        xd_error_clear(&e2);
        if (xd_config_set(c, key, val, &e2) != XD_OK) {
            st = xd_error_set(err, XD_EINVAL, "%s:%d: %s", path, node_line(k), e2.message);
            goto done;
        }
    }
done:
    fy_document_destroy(doc);
    return st;
}

void xd_config_print_help(FILE *f)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(options); i++) {
        const struct option_def *o = &options[i];
        fprintf(f, "  %-22s default %s", o->name, o->def);
        if (o->type == OPT_SIZE) {
            fprintf(f, " (%llu..%llu)", (unsigned long long)o->min, (unsigned long long)o->max);
        }
        fprintf(f, "\n      %s\n", o->doc);
    }
}

void xd_config_print_sample(FILE *f)
{
    fprintf(f, "# Crossdock hub configuration (crossdock serve --config FILE).\n"
               "# Every option is shown at its default; delete what you do not change.\n"
               "# Command-line flags (--data, --listen) override this file.\n");
    for (size_t i = 0; i < XD_ARRAY_LEN(options); i++) {
        const struct option_def *o = &options[i];
        fprintf(f, "\n# %s\n", o->doc);
        if (o->type == OPT_SIZE) {
            fprintf(f, "# %llu to %llu.\n", (unsigned long long)o->min, (unsigned long long)o->max);
        }
        fprintf(f, "%s: %s\n", o->name, o->def);
    }
}
