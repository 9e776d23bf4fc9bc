/* Test support: run the real crossdock binary on a loopback port with a temporary data
 * directory, and talk HTTP to it with libcurl. */
#ifndef XD_TEST_HUB_H
#define XD_TEST_HUB_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_hub {
    pid_t pid;
    char dir[256];  /* temporary directory, removed by hub_teardown */
    char data[512]; /* data directory inside it */
    char log[512];  /* the server's stderr */
    uint16_t port;
    char url[64];    /* http://127.0.0.1:PORT */
    char token[128]; /* an admin token */
    char bin[1024];
};

/* Temp dir, data dir and an admin token. <data_dir> NULL: inside the temp dir. 0 on success. */
int hub_setup(struct test_hub *h, const char *data_dir);
/* Start `crossdock serve` with extra arguments (NULL-terminated, may be NULL) and wait until it
 * listens. 0 on success. Extra environment "NAME=VALUE" strings in <env> (NULL-terminated). */
int hub_start(struct test_hub *h, const char *const *extra_args, const char *const *env);
/* Send <sig> and wait for the process; returns its wait status. */
int hub_stop(struct test_hub *h, int sig);
void hub_teardown(struct test_hub *h);
/* Run the crossdock binary with arguments; capture stdout into <out> (may be NULL).
 * Returns the exit status or -1. */
int hub_run_cli(const struct test_hub *h, const char *const *args, char *out, size_t cap);
/* Count occurrences of <needle> in the server log. */
int hub_log_count(const struct test_hub *h, const char *needle);

/* A `crossdock sim receiver` process (the partner simulator). */
struct test_rcv {
    pid_t pid;
    uint16_t port;
    char log[512];
    char url[64]; /* http://127.0.0.1:PORT */
};
/* Start a receiver with its log in <dir> on <port> (0: any; give the old port to restart one
 * where the hub expects it) with extra arguments (NULL-terminated, may be NULL). 0 on success. */
int rcv_start(struct test_rcv *r, const struct test_hub *h, const char *dir, uint16_t port,
              const char *const *args);
/* Any `crossdock sim <kind>` (receiver, supplier, warehouse, erp) the same way. */
int sim_start(struct test_rcv *r, const struct test_hub *h, const char *dir, const char *kind,
              uint16_t port, const char *const *args);
/* Send <sig> and wait; returns the wait status. */
int rcv_stop(struct test_rcv *r, int sig);

struct http_resp {
    long status;
    char *body; /* NUL-terminated, free with http_resp_free */
    size_t len;
    char headers[4096];
    int curl_code; /* 0 when an answer arrived */
};

/* One request. <headers>: NULL-terminated "Name: value" strings or NULL. <token> NULL: none. */
int http_request(const char *method, const char *url, const char *token, const char *body,
                 size_t body_len, const char *const *headers, struct http_resp *out);
void http_resp_free(struct http_resp *r);
/* Value of a response header (case-insensitive name) copied into <out>; false when absent. */
bool http_header(const struct http_resp *r, const char *name, char *out, size_t cap);
/* The file at $CROSSDOCK_SRC/<rel> read into a malloc'd string (NULL on failure). */
char *test_read_src_file(const char *rel, size_t *len);

#endif
