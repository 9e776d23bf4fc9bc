/* SPDX-License-Identifier: MIT
 * Helpers shared by the store's tests (store_test.h). */
#include "store_test.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

void test_dir_make(char dir[TEST_DIR_MAX])
{
    snprintf(dir, TEST_DIR_MAX, "/tmp/xd-store-test-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void test_dir_remove(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void test_flag(const char *dir, const char *name, bool on)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = on ? fopen(path, "w") : NULL;
    if (on ? f == NULL : unlink(path) != 0) {
        fprintf(stderr, "test_flag %s %s failed\n", on ? "create" : "remove", path);
        abort();
    }
    if (f != NULL) {
        fclose(f);
    }
}

void test_ingest_init(struct test_ingest *t, const char *doc_type)
{
    memset(t, 0, sizeof *t);
    struct xd_store_ingest *in = &t->op.u.ingest;
    t->op.kind = XD_STORE_OP_INGEST;
    if (xd_id_new(in->id) != XD_OK) {
        abort();
    }
    int n = snprintf(t->body, sizeof t->body, "{\"type\":\"%s\",\"id\":\"%s\",\"lines\":[",
                     doc_type, in->id);
    for (int i = 0; n > 0 && (size_t)n < sizeof t->body - 120; i++) {
        n += snprintf(t->body + n, sizeof t->body - (size_t)n,
                      "%s{\"line\":%d,\"sku\":\"SKU-%05d\",\"qty\":\"12.50\",\"uom\":\"EA\"}",
                      i ? "," : "", i + 1, i * 7);
    }
    snprintf(t->body + n, sizeof t->body - (size_t)n, "]}");
    in->doc_type = doc_type;
    in->partner = "acme";
    in->channel = "http";
    in->format = "json";
    in->content_type = "application/json";
    in->raw = t->body;
    in->raw_len = strlen(t->body);
    in->body = t->body;
    in->body_len = strlen(t->body);
    in->keys = t->keys;
    in->received_at_ms = xd_now_ms();
    in->actor = "test";
}

void test_ingest_key(struct test_ingest *t, const char *name, const char *value)
{
    struct xd_store_ingest *in = &t->op.u.ingest;
    size_t i = in->n_keys++;
    snprintf(t->key_names[i], sizeof t->key_names[i], "%s", name);
    snprintf(t->key_values[i], sizeof t->key_values[i], "%s", value);
    t->keys[i].name = t->key_names[i];
    t->keys[i].value = t->key_values[i];
}

void test_ingest_hint(struct test_ingest *t, const char *hint)
{
    snprintf(t->hint, sizeof t->hint, "%s", hint);
    t->op.u.ingest.correlation_hint = t->hint;
}

void test_ingest_idem(struct test_ingest *t, const char *scope, const char *key)
{
    struct xd_store_ingest *in = &t->op.u.ingest;
    snprintf(t->idem_scope, sizeof t->idem_scope, "%s", scope);
    snprintf(t->idem_key, sizeof t->idem_key, "%s", key);
    in->idem_scope = t->idem_scope;
    in->idem_key = t->idem_key;
    xd_sha256(t->body, strlen(t->body), in->request_hash);
    in->respond = test_respond;
    in->respond_arg = in;
}

enum xd_status test_respond(void *arg, const char *correlation_id, int *http_status,
                            struct xd_buf *body)
{
    const struct xd_store_ingest *in = arg;
    *http_status = 201;
    return xd_buf_printf(body, "{\"id\":\"%s\",\"correlation_id\":\"%s\"}", in->id, correlation_id);
}

struct xd_store *test_open(const char *dir, bool durable)
{
    struct xd_store_options o;
    xd_store_options_init(&o, dir);
    o.durable = durable;
    struct xd_store *s = NULL;
    struct xd_error err = {0};
    if (xd_store_open(&o, &s, &err) != XD_OK) {
        fprintf(stderr, "test_open %s: %s\n", dir, err.message);
        return NULL;
    }
    return s;
}

static sqlite3 *raw_open(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/crossdock.db", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "open %s: %s\n", path, sqlite3_errmsg(db));
        abort();
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

void test_sql(const char *dir, const char *sql)
{
    sqlite3 *db = raw_open(dir);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, msg);
        abort();
    }
    sqlite3_close(db);
}

int64_t test_sql_int(const char *dir, const char *sql, const char *param)
{
    sqlite3 *db = raw_open(dir);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        abort();
    }
    if (param != NULL) {
        sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    }
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Rows of `<explain> <sql>` whose column <col> holds <what> (<exact>: is it). */
static int explain_rows(const char *dir, const char *explain, const char *sql, int col,
                        const char *what, bool exact)
{
    sqlite3 *db = raw_open(dir);
    char q[1024];
    snprintf(q, sizeof q, "%s %s", explain, sql);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        abort();
    }
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, col);
        n += v != NULL && (exact ? strcmp(v, what) == 0 : strstr(v, what) != NULL);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

bool test_sql_plan_uses(const char *dir, const char *sql, const char *what)
{
    return explain_rows(dir, "EXPLAIN QUERY PLAN", sql, 3, what, false) > 0;
}

int test_sql_opcodes(const char *dir, const char *sql, const char *opcode)
{
    return explain_rows(dir, "EXPLAIN", sql, 1, opcode, true);
}

bool test_wait_healthy(struct xd_store *s, int timeout_ms)
{
    struct xd_store_stats st;
    for (int waited = 0;; waited += 20) {
        xd_store_stats(s, &st);
        if (st.healthy || waited >= timeout_ms) {
            return st.healthy;
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}
