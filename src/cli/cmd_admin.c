/* SPDX-License-Identifier: MIT
 * Administration commands that work on a data directory directly: token create,
 * audit verify, config sample. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "store/store.h"

#define TOKEN_PREFIX "xdt_"

static const char *const roles[] = {"admin", "operator", "partner"};

/* Find "--name value" pairs; returns false (after a message) on anything unexpected. */
static bool take_opts(int argc, char **argv, const char *cmd, const char *const *names,
                      const char **values, size_t n)
{
    for (int i = 1; i < argc; i++) {
        size_t k = 0;
        while (k < n && strcmp(argv[i], names[k]) != 0) {
            k++;
        }
        if (k == n || i + 1 >= argc) {
            fprintf(stderr, "crossdock %s: %s '%s'\n", cmd,
                    k == n ? "unknown option" : "missing value for", argv[i]);
            return false;
        }
        values[k] = argv[++i];
    }
    return true;
}

static struct xd_store *open_store(const char *cmd, const char *dir)
{
    struct xd_store_options o;
    xd_store_options_init(&o, dir);
    struct xd_store *s = NULL;
    struct xd_error err;
    xd_error_clear(&err);
    if (xd_store_open(&o, &s, &err) != XD_OK) {
        fprintf(stderr, "crossdock %s: %s\n", cmd, err.message);
        return NULL;
    }
    return s;
}

static int token_create(int argc, char **argv)
{
    static const char *const names[] = {"--data", "--name", "--role", "--partner"};
    const char *v[4] = {"./crossdock-data", NULL, "admin", NULL};
    if (!take_opts(argc, argv, "token create", names, v, 4)) {
        return 2;
    }
    bool role_ok = false;
    for (size_t i = 0; i < XD_ARRAY_LEN(roles); i++) {
        role_ok |= strcmp(v[2], roles[i]) == 0;
    }
    if (v[1] == NULL || v[1][0] == '\0' || strlen(v[1]) > 100 || !role_ok ||
        (strcmp(v[2], "partner") == 0) != (v[3] != NULL)) {
        fprintf(stderr, "usage: crossdock token create --data DIR --name NAME "
                        "[--role admin|operator|partner] [--partner ID (with role partner)]\n");
        return 2;
    }
    uint8_t secret[32];
    char token[sizeof TOKEN_PREFIX + 64];
    struct xd_store_op op;
    memset(&op, 0, sizeof op);
    op.kind = XD_STORE_OP_TOKEN_CREATE;
    struct xd_store_token_create *t = &op.u.token;
    if (xd_random_bytes(secret, sizeof secret) != XD_OK || xd_id_new(t->id) != XD_OK) {
        fprintf(stderr, "crossdock token create: no randomness available\n");
        return 1;
    }
    memcpy(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
    xd_hex_encode(secret, sizeof secret, token + sizeof TOKEN_PREFIX - 1);
    xd_sha256(token, strlen(token), t->token_hash);
    t->name = v[1];
    t->role = v[2];
    t->partner = v[3];
    t->actor = "cli:token-create";

    struct xd_store *s = open_store("token create", v[0]);
    if (s == NULL) {
        return 1;
    }
    enum xd_status st = xd_store_execute(s, &op);
    if (st != XD_OK) {
        fprintf(stderr, "crossdock token create: %s\n",
                op.err.message[0] ? op.err.message : xd_strerror(st));
    }
    xd_store_op_cleanup(&op);
    xd_store_close(s);
    if (st != XD_OK) {
        return 1;
    }
    printf("%s\n", token);
    return 0;
}

static int token_list(int argc, char **argv)
{
    static const char *const names[] = {"--data"};
    const char *v[1] = {"./crossdock-data"};
    if (!take_opts(argc, argv, "token list", names, v, 1)) {
        return 2;
    }
    struct xd_store *s = open_store("token list", v[0]);
    struct xd_arena *a = xd_arena_create(0, 0);
    if (s == NULL || a == NULL) {
        xd_store_close(s);
        xd_arena_destroy(a);
        return 1;
    }
    struct xd_store_token *t = NULL;
    size_t n = 0;
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_store_token_list(s, a, &t, &n, &err);
    if (st == XD_OK) {
        printf("%-36s  %-20s  %-8s  %-16s  %-24s  %s\n", "ID", "NAME", "ROLE", "PARTNER", "CREATED",
               "REVOKED");
        for (size_t i = 0; i < n; i++) {
            char created[XD_TIME_STR_MAX], revoked[XD_TIME_STR_MAX] = "-";
            xd_time_format(t[i].created_at_ms, created, sizeof created);
            if (t[i].revoked_at_ms != 0) {
                xd_time_format(t[i].revoked_at_ms, revoked, sizeof revoked);
            }
            printf("%-36s  %-20s  %-8s  %-16s  %-24s  %s\n", t[i].id, t[i].name, t[i].role,
                   t[i].partner ? t[i].partner : "-", created, revoked);
        }
    } else {
        fprintf(stderr, "crossdock token list: %s\n", err.message);
    }
    xd_arena_destroy(a);
    xd_store_close(s);
    return st == XD_OK ? 0 : 1;
}

static int token_revoke(int argc, char **argv)
{
    static const char *const names[] = {"--data"};
    const char *v[1] = {"./crossdock-data"};
    if (argc < 2 || !xd_id_valid(argv[1], strlen(argv[1])) ||
        !take_opts(argc - 1, argv + 1, "token revoke", names, v, 1)) {
        fprintf(stderr, "usage: crossdock token revoke ID --data DIR (ID from token list)\n");
        return 2;
    }
    struct xd_store *s = open_store("token revoke", v[0]);
    if (s == NULL) {
        return 1;
    }
    struct xd_store_op op;
    memset(&op, 0, sizeof op);
    op.kind = XD_STORE_OP_TOKEN_REVOKE;
    snprintf(op.u.revoke.id, sizeof op.u.revoke.id, "%s", argv[1]);
    op.u.revoke.actor = "cli:token-revoke";
    enum xd_status st = xd_store_execute(s, &op);
    if (st == XD_OK) {
        printf("%s %s\n", argv[1],
               op.u.revoke.was_active ? "revoked (the hub stops accepting it within 5 s)"
                                      : "was already revoked");
    } else {
        fprintf(stderr, "crossdock token revoke: %s\n",
                op.err.message[0] ? op.err.message : xd_strerror(st));
    }
    xd_store_op_cleanup(&op);
    xd_store_close(s);
    return st == XD_OK ? 0 : 1;
}

int xd_cmd_token(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0) {
        return token_create(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        return token_list(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0) {
        return token_revoke(argc - 1, argv + 1);
    }
    fprintf(stderr, "usage: crossdock token create --data DIR --name NAME [--role ROLE]\n"
                    "       crossdock token list --data DIR\n"
                    "       crossdock token revoke ID --data DIR\n");
    return 2;
}

int xd_cmd_audit(int argc, char **argv)
{
    static const char *const names[] = {"--data"};
    const char *v[1] = {"./crossdock-data"};
    if (argc < 2 || strcmp(argv[1], "verify") != 0 ||
        !take_opts(argc - 1, argv + 1, "audit verify", names, v, 1)) {
        fprintf(stderr, "usage: crossdock audit verify --data DIR\n");
        return 2;
    }
    struct xd_error err;
    xd_error_clear(&err);
    int64_t n = 0;
    enum xd_status st = xd_store_audit_verify(v[0], &n, &err);
    if (st == XD_OK) {
        printf("audit log intact: %lld records verified\n", (long long)n);
        return 0;
    }
    fprintf(stderr, "crossdock audit verify: %s\n", err.message[0] ? err.message : xd_strerror(st));
    return 1;
}

int xd_cmd_config(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "sample") == 0) {
        xd_config_print_sample(stdout);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "check") == 0) {
        struct xd_config c;
        struct xd_error err;
        xd_error_clear(&err);
        xd_config_defaults(&c);
        if (xd_config_load(&c, argv[2], &err) != XD_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        printf("%s: valid\n", argv[2]);
        return 0;
    }
    fprintf(stderr, "usage: crossdock config sample | crossdock config check FILE\n");
    return 2;
}
