/* SPDX-License-Identifier: MIT
 * Shared by the crossdock x12 subcommands (cmd_x12.c, cmd_x12_tr.c): inputs streamed from a
 * file descriptor, "-" for standard input. */
#ifndef XD_CLI_CLI_X12_H
#define XD_CLI_CLI_X12_H

#include <stddef.h>

#include "core/core.h"

struct xd_cli__fd_source {
    int fd;
    const char *path;
};

/* An xd_x12_read_fn over a struct xd_cli__fd_source. */
enum xd_status xd_cli__fd_read(void *ctx, char *buf, size_t cap, size_t *got, struct xd_error *err);
/* A file descriptor for <path> ("-": standard input), -1 with errno on failure. */
int xd_cli__open_input(const char *path);
void xd_cli__close_input(int fd);

int xd_cli__x12_translate(int argc, char **argv);
int xd_cli__x12_render(int argc, char **argv);

#endif
