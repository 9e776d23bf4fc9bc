/* SPDX-License-Identifier: MIT
 * Migrations of a database written by an earlier hub: fixtures/schema6.sql (one order carried
 * through procure to pay by the schema-6 hub) opened by today's store. Every row must survive,
 * the keys must still find them, and the audit chain must still verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store_test.h"

static char *read_fixture(const char *name)
{
    const char *src = getenv("CROSSDOCK_SRC");
    assert_non_null(src);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/unit/store/fixtures/%s", src, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
}

static int64_t count(const char *dir, const char *sql)
{
    return test_sql_int(dir, sql, NULL);
}

/* A new database is made with 8 KiB pages, in WAL mode, and keeps them across reopening. */
static void test_new_database(void **state)
{
    (void)state;
    char dir[TEST_DIR_MAX];
    test_dir_make(dir);
    struct xd_store *s = test_open(dir, true);
    struct test_ingest in;
    test_ingest_init(&in, "purchase_order");
    assert_int_equal(xd_store_execute(s, &in.op), XD_OK);
    xd_store_op_cleanup(&in.op);
    xd_store_close(s);
    assert_int_equal(count(dir, "PRAGMA page_size"), 8192);
    s = test_open(dir, true);
    assert_int_equal(count(dir, "PRAGMA page_size"), 8192);
    assert_int_equal(count(dir, "SELECT count(*) FROM documents"), 1);
    xd_store_close(s);
    test_dir_remove(dir);
}

static void test_schema6(void **state)
{
    (void)state;
    char dir[TEST_DIR_MAX];
    test_dir_make(dir);
    char *sql = read_fixture("schema6.sql");
    char path[TEST_DIR_MAX + 32];
    snprintf(path, sizeof path, "%s/crossdock.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    free(sql);
    assert_int_equal(count(dir, "PRAGMA user_version"), 6);
    /* Exceptions as schema 6 kept them: the subject only in the body (schema 8 gives it
     * columns and an index). */
    test_sql(dir, "INSERT INTO exceptions (id, correlation_id, type, partner, owner, state, body,"
                  " created_at, updated_at) VALUES"
                  " ('x-about', 'c1', 'receipt_variance', NULL, 'warehouse', 'open',"
                  " '{\"subject\":{\"document\":\"ship_notice\",\"number\":\"ASN-9\"}}', 1, 1),"
                  " ('x-none', 'c1', 'sla_missed', NULL, 'supplier', 'open', '{}', 2, 2)");

    /* What schema 6 holds, to compare after the migration. */
    const char *flows = "SELECT count(*) * 1000000 + sum(version) * 10000 + sum(length(data)) "
                        "FROM flows";
    const char *idem = "SELECT count(*) * 1000000 + sum(length(body)) + sum(http_status) "
                       "FROM idempotency";
    int64_t flows_before = count(dir, flows), idem_before = count(dir, idem);
    int64_t audit_before = count(dir, "SELECT count(*) FROM audit");
    assert_true(flows_before > 1000000);
    assert_true(idem_before > 8000000);

    struct xd_store *s = test_open(dir, true);
    assert_int_equal(count(dir, "PRAGMA user_version"), 13);
    /* Schema 13: the documents' feed finds its start by docno; no index on seq is left. */
    assert_int_equal(count(dir, "SELECT count(*) FROM sqlite_schema WHERE name = 'documents_seq'"),
                     0);
    /* Schema 12: a thread is its documents; the table of threads is gone. */
    assert_int_equal(count(dir, "SELECT count(*) FROM sqlite_schema WHERE name = 'threads'"), 0);
    /* Schema 10: the writer keeps the counts; no trigger is left to keep them twice. */
    assert_int_equal(count(dir, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), 0);
    /* A database keeps the page size it was made with (new ones get 8 KiB pages). */
    assert_int_equal(count(dir, "PRAGMA page_size"), 4096);
    /* Schema 9: the delivery queue's partial index, with its WHERE in the form queries use. */
    assert_true(test_sql_plan_uses(dir,
                                   "SELECT seq FROM outbox WHERE partner = 'a' AND endpoint = 'b' "
                                   "AND state NOT IN ('delivered', 'dead') AND seq > 0 LIMIT 1",
                                   "outbox_queue"));
    assert_int_equal(count(dir, flows), flows_before);
    assert_int_equal(count(dir, idem), idem_before);
    assert_int_equal(count(dir, "SELECT count(*) FROM audit"), audit_before + 1); /* migrate */
    assert_int_equal(count(dir, "SELECT count(*) FROM pragma_integrity_check "
                                "WHERE integrity_check <> 'ok'"),
                     0);

    /* The flow by its thread, as the engine reads it. */
    struct xd_arena *a = xd_arena_create(0, 0);
    assert_non_null(a);
    struct xd_store_flow_row row;
    assert_int_equal(xd_store_flow_get(s, "no-such-thread", a, &row, NULL), XD_ENOTFOUND);
    char cid[128];
    {
        struct xd_store_flow_row *rows = NULL;
        size_t n = 0;
        assert_int_equal(xd_store_flow_list(s, "closed", 10, a, &rows, &n, NULL), XD_OK);
        assert_int_equal(n, 1);
        snprintf(cid, sizeof cid, "%s", rows[0].correlation_id);
    }
    assert_int_equal(xd_store_flow_get(s, cid, a, &row, NULL), XD_OK);
    assert_string_equal(row.state, "closed");
    assert_int_equal(row.version,
                     count(dir, "SELECT version FROM flows")); /* the one row, unchanged */
    assert_non_null(strstr(row.data, "\"po_number\""));

    /* Every document's raw bytes, journaled before schema 11 (whole, or NULL for its body),
     * read back as they were stored. */
    {
        struct xd_store_doc *docs = NULL;
        size_t n = 0;
        assert_int_equal(xd_store_thread_docs(s, cid, 0, a, &docs, &n, NULL), XD_OK);
        assert_true(n >= 5);
        for (size_t i = 0; i < n; i++) {
            struct xd_store_raw raw;
            assert_int_equal(xd_store_doc_raw(s, docs[i].id, a, &raw, NULL), XD_OK);
            char q[256];
            snprintf(q, sizeof q,
                     "SELECT CAST(coalesce(j.raw, d.body) AS TEXT) = ? FROM documents d "
                     "JOIN journal j ON j.seq = d.seq WHERE d.id = '%s'",
                     docs[i].id);
            assert_int_equal(test_sql_int(dir, q, raw.bytes), 1);
        }
    }

    /* The ERP's order, posted with an Idempotency-Key: a retry is still recognised. */
    struct test_ingest again;
    test_ingest_init(&again, "purchase_order");
    test_ingest_idem(&again, "01a225cd-ecd8-7add-95e2-8b164fb0321c", "erp-po-PO9305820000001");
    assert_int_equal(xd_store_execute(s, &again.op), XD_EEXIST);
    assert_int_equal(again.op.idem_http_status, 201);
    assert_non_null(strstr(again.op.idem_body, "\"correlation_id\""));
    xd_store_op_cleanup(&again.op);
    /* ... and a new key is stored beside the old ones. */
    struct test_ingest fresh;
    test_ingest_init(&fresh, "purchase_order");
    test_ingest_idem(&fresh, "01a225cd-ecd8-7add-95e2-8b164fb0321c", "erp-po-new");
    assert_int_equal(xd_store_execute(s, &fresh.op), XD_OK);
    xd_store_op_cleanup(&fresh.op);
    /* The exceptions about ASN-9, found by their new columns. */
    struct xd_store_exception *xs = NULL;
    size_t nx = 0;
    struct xd_store_exception_filter f = {.subject_number = "ASN-9", .limit = 10};
    assert_int_equal(xd_store_exception_list(s, &f, a, &xs, &nx, NULL), XD_OK);
    assert_int_equal(nx, 1);
    assert_string_equal(xs[0].id, "x-about");
    f = (struct xd_store_exception_filter){.subject_document = "ship_notice", .limit = 10};
    assert_int_equal(xd_store_exception_list(s, &f, a, &xs, &nx, NULL), XD_OK);
    assert_int_equal(nx, 1);
    /* The counts the migration made agree with counting the rows. */
    struct xd_store_count *st = NULL, *ex = NULL;
    size_t nst = 0, nex = 0;
    assert_int_equal(xd_store_flow_counts(s, a, &st, &nst, &ex, &nex, NULL), XD_OK);
    assert_int_equal(nst, 1);
    assert_string_equal(st[0].name, "closed");
    assert_int_equal(st[0].count, count(dir, "SELECT count(*) FROM flows"));
    assert_int_equal(nex, 2);
    assert_string_equal(ex[0].name, "receipt_variance");
    assert_int_equal(ex[0].count,
                     count(dir, "SELECT count(*) FROM exceptions WHERE type = 'receipt_variance' "
                                "AND state = 'open'"));
    assert_string_equal(ex[1].name, "sla_missed");
    xd_arena_destroy(a);
    xd_store_close(s);

    int64_t checked = 0;
    assert_int_equal(xd_store_audit_verify(dir, &checked, NULL), XD_OK);
    assert_int_equal(checked, audit_before + 2); /* migrate, and the new order */
    test_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_database),
        cmocka_unit_test(test_schema6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
