/* SPDX-License-Identifier: MIT
 * The crossdock command: a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"serve", xd_cmd_serve, "run the hub: HTTP API and outbound delivery on the embedded store"},
    {"token", xd_cmd_token, "create, list and revoke API access tokens"},
    {"audit", xd_cmd_audit, "verify the hash chain of the audit log"},
    {"config", xd_cmd_config, "print a documented sample configuration, or check one"},
    {"x12", xd_cmd_x12, "validate, translate, render and acknowledge X12 EDI files"},
    {"dlq", xd_cmd_dlq, "list and replay a running hub's dead-letter queue"},
    {"sim", xd_cmd_sim,
     "simulated partners for tests and demos (receiver, supplier, warehouse, erp)"},
    {"partner", xd_cmd_partner, "apply, list, show partner profiles; test samples against one"},
    {"secrets", xd_cmd_secrets, "make a master key; rotate the key credentials are sealed with"},
    {"erp", xd_cmd_erp, "ERP connector: sync master data, poll purchase orders once"},
    {"demo", xd_cmd_demo, "the hub and a simulated partner network on one machine (p2p)"},
    {"tx", xd_cmd_tx, "where a PO stands (timeline, lines, exceptions); act on exceptions"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: crossdock COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < XD_ARRAY_LEN(commands); i++) {
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\nRun 'crossdock COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("crossdock %s\n", XD_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    /* One-shot commands report problems, not progress; serve sets its own level. */
    xd_log_set_level(XD_LOG_WARN);
    for (size_t i = 0; i < XD_ARRAY_LEN(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "crossdock: unknown command '%s' (try 'crossdock --help')\n", argv[1]);
    return 2;
}
