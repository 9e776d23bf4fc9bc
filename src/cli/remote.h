/* SPDX-License-Identifier: MIT
 * Commands that talk to a running hub over its HTTP API: where it is (--url, CROSSDOCK_URL,
 * default http://127.0.0.1:8080), who we are (--token, CROSSDOCK_TOKEN), and one request. */
#ifndef XD_CLI_REMOTE_H
#define XD_CLI_REMOTE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/core.h"

#define XD_REMOTE_ANSWER_MAX ((size_t)64 * 1024 * 1024)

struct xd_remote {
    char url[512];
    char token[600];
};

/* Take --url and --token out of argv (compacting it; *argc shrinks), fill in the environment's
 * values and the default. False (after a message on stderr) when a value is missing or there is
 * no token at all. */
bool xd_remote_init(struct xd_remote *r, const char *cmd, int *argc, char **argv);

/* One request: <path> (with its query) relative to the URL, <body> JSON or NULL. *status is the
 * HTTP status; <answer> (initialised by the caller) the body. XD_EIO with a message when the hub
 * could not be reached. */
enum xd_status xd_remote_call(const struct xd_remote *r, const char *method, const char *path,
                              const char *body, long *status, struct xd_buf *answer,
                              struct xd_error *err) XD_NODISCARD;

/* Print a problem+json answer (title, detail, errors) to <f>. */
void xd_remote_print_problem(FILE *f, const char *cmd, long status, const struct xd_buf *answer);

#endif
