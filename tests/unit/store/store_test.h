/* SPDX-License-Identifier: MIT
 * Helpers shared by the store's tests: temporary data directories, ingest operations with a
 * canned body and keys, a respond callback, and raw SQL on a store's database file. */
#ifndef XD_TESTS_STORE_TEST_H
#define XD_TESTS_STORE_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define TEST_DIR_MAX 64

/* mkdtemp under /tmp; aborts the test run when it cannot. */
void test_dir_make(char dir[TEST_DIR_MAX]);
/* rm -rf <dir>. */
void test_dir_remove(const char *dir);
/* Create (on) or remove the file <dir>/<name>: the fault VFS's flags (.fault-write ...). */
void test_flag(const char *dir, const char *name, bool on);

/* An ingest with its own storage for everything the op borrows. */
struct test_ingest {
    struct xd_store_op op;
    struct xd_store_key keys[XD_STORE_KEY_MAX];
    char key_names[XD_STORE_KEY_MAX][32];
    char key_values[XD_STORE_KEY_MAX][64];
    char body[1200];
    char idem_scope[64];
    char idem_key[64];
    char hint[XD_CORRELATION_ID_MAX + 1];
};

/* A purchase order ingest with a fresh id and a ~1 KB body; no keys, no idempotency. */
void test_ingest_init(struct test_ingest *t, const char *doc_type);
void test_ingest_key(struct test_ingest *t, const char *name, const char *value);
void test_ingest_hint(struct test_ingest *t, const char *hint);
/* Idempotency with test_respond: stores 201 and {"id":...,"correlation_id":...}. */
void test_ingest_idem(struct test_ingest *t, const char *scope, const char *key);

enum xd_status test_respond(void *arg, const char *correlation_id, int *http_status,
                            struct xd_buf *body);

struct xd_store *test_open(const char *dir, bool durable);

/* Run SQL on <dir>/crossdock.db with a connection of its own (the test's "attacker"). */
void test_sql(const char *dir, const char *sql);
/* First column of the first row of <sql> as an integer (with one optional text parameter). */
int64_t test_sql_int(const char *dir, const char *sql, const char *param);

/* Whether SQLite's plan for <sql> (EXPLAIN QUERY PLAN) mentions <what>: an index's name. */
bool test_sql_plan_uses(const char *dir, const char *sql, const char *what);

/* How many times the program SQLite compiles <sql> to (EXPLAIN) holds the opcode <opcode>. */
int test_sql_opcodes(const char *dir, const char *sql, const char *opcode);

/* Poll xd_store_stats until healthy or <timeout_ms> passed; returns the final state. */
bool test_wait_healthy(struct xd_store *s, int timeout_ms);

#endif
