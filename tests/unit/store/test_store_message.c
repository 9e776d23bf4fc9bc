/* Inbound partner messages in the store: the raw bytes journaled once with the outcome, every
 * document in its thread, the acknowledgement in the outbox, all in one transaction; the same
 * interchange again answered with the first answer and nothing written; the same control
 * number over other bytes a conflict; a rejected message journaled without holding its number;
 * a failing message leaving nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_test.h"

static char dir[TEST_DIR_MAX];
static struct xd_store *s;

static int setup(void **state)
{
    (void)state;
    test_dir_make(dir);
    s = test_open(dir, false);
    return s == NULL;
}

static int teardown(void **state)
{
    (void)state;
    xd_store_close(s);
    test_dir_remove(dir);
    return 0;
}

static const char raw[] = "ISA*00*...~ (the bytes as the partner sent them)";

struct msg {
    struct xd_store_op op;
    struct xd_store_ingest docs[2];
    struct xd_store_key keys[2];
    struct xd_store_outbound ack;
};

static void msg_init(struct msg *m, const char *status, const char *dedupe, const char *bytes,
                     size_t n_docs, const char *po)
{
    memset(m, 0, sizeof *m);
    m->op.kind = XD_STORE_OP_MESSAGE;
    struct xd_store_message *x = &m->op.u.message;
    assert_int_equal(xd_id_new(x->id), XD_OK);
    x->partner = "acme";
    x->channel = "http";
    x->format = "x12";
    x->content_type = "application/edi-x12";
    x->raw = bytes;
    x->raw_len = strlen(bytes);
    x->status = status;
    x->detail = strcmp(status, "rejected") == 0 ? "every document was refused" : NULL;
    x->received_at_ms = 1;
    x->actor = "test";
    x->dedupe_key = dedupe;
    x->http_status = strcmp(status, "rejected") == 0 ? 422 : 201;
    xd_sha256(bytes, strlen(bytes), x->request_hash);
    for (size_t i = 0; i < n_docs; i++) {
        struct xd_store_ingest *d = &m->docs[i];
        assert_int_equal(xd_id_new(d->id), XD_OK);
        d->doc_type = i == 0 ? "po_acknowledgement" : "ship_notice";
        d->body = "{\"type\":\"po_acknowledgement\"}";
        d->body_len = strlen(d->body);
        m->keys[i] = (struct xd_store_key){"po_number", po};
        d->keys = &m->keys[i];
        d->n_keys = 1;
    }
    x->docs = n_docs > 0 ? m->docs : NULL;
    x->n_docs = n_docs;
    assert_int_equal(xd_id_new(m->ack.id), XD_OK);
    m->ack.partner = "acme";
    m->ack.endpoint = "edi";
    m->ack.content_type = "application/edi-x12";
    m->ack.body = "ISA*997~";
    m->ack.body_len = 8;
    x->outbox = &m->ack;
    x->n_outbox = 1;
}

static int64_t count(const char *sql)
{
    return test_sql_int(dir, sql, NULL);
}

static void test_one_transaction(void **state)
{
    (void)state;
    struct msg m;
    msg_init(&m, "accepted", "isa:own:000000001+1", raw, 2, "PO-1");
    assert_int_equal(xd_store_execute(s, &m.op), XD_OK);
    /* Both documents share the PO's thread; the ack joins it too. */
    assert_string_equal(m.docs[0].correlation_id, m.docs[1].correlation_id);
    assert_int_equal(count("SELECT count(*) FROM journal WHERE status = 'accepted' AND "
                           "raw IS NOT NULL AND format = 'x12'"),
                     1);
    assert_int_equal(count("SELECT count(*) FROM documents"), 2);
    assert_int_equal(count("SELECT count(*) FROM documents d JOIN journal j ON d.seq = j.seq"), 2);
    assert_int_equal(count("SELECT count(*) FROM outbox WHERE partner = 'acme' AND source LIKE "
                           "'message:%'"),
                     1);
    assert_int_equal(count("SELECT count(*) FROM audit WHERE action = 'message.receive'"), 1);
    xd_store_op_cleanup(&m.op);

    /* The same interchange: the first answer, nothing written. */
    struct msg again;
    msg_init(&again, "accepted", "isa:own:000000001+1", raw, 2, "PO-1");
    assert_int_equal(xd_store_execute(s, &again.op), XD_EEXIST);
    assert_int_equal(again.op.idem_http_status, 201);
    assert_non_null(strstr(again.op.idem_body, m.op.u.message.id));
    xd_store_op_cleanup(&again.op);
    assert_int_equal(count("SELECT count(*) FROM journal"), 1);
    assert_int_equal(count("SELECT count(*) FROM documents"), 2);
    assert_int_equal(count("SELECT count(*) FROM outbox"), 1);

    /* The same number over other bytes: a conflict. */
    struct msg other;
    msg_init(&other, "accepted", "isa:own:000000001+1", "ISA*other bytes~", 1, "PO-2");
    assert_int_equal(xd_store_execute(s, &other.op), XD_ECONFLICT);
    assert_non_null(strstr(other.op.err.message, "different message"));
    xd_store_op_cleanup(&other.op);
    assert_int_equal(count("SELECT count(*) FROM journal"), 1);
}

/* A caller's Idempotency-Key beside the dedupe key: which of the two came with other bytes is
 * told (key_conflict), so that the caller answers the key's conflict or the interchange's. */
static void keyed(struct msg *m, const char *key, const char *dedupe, const char *bytes)
{
    msg_init(m, "accepted", dedupe, bytes, 1, "PO-K");
    struct xd_store_message *x = &m->op.u.message;
    x->idem_scope = "token-1";
    x->idem_key = key;
    memcpy(x->idem_hash, x->request_hash, XD_SHA256_LEN);
}

static void test_key_conflict_is_told(void **state)
{
    (void)state;
    struct msg m;
    keyed(&m, "k-1", "isa:own:000000050+1", "ISA*fifty~");
    assert_int_equal(xd_store_execute(s, &m.op), XD_OK);
    xd_store_op_cleanup(&m.op);
    keyed(&m, "k-1", "isa:own:000000051+1", "ISA*fifty-one~");
    assert_int_equal(xd_store_execute(s, &m.op), XD_ECONFLICT);
    assert_true(m.op.u.message.key_conflict);
    xd_store_op_cleanup(&m.op);
    keyed(&m, "k-2", "isa:own:000000050+1", "ISA*fifty, other bytes~");
    assert_int_equal(xd_store_execute(s, &m.op), XD_ECONFLICT);
    assert_false(m.op.u.message.key_conflict);
    xd_store_op_cleanup(&m.op);
    keyed(&m, "k-1", "isa:own:000000050+1", "ISA*fifty~");
    assert_int_equal(xd_store_execute(s, &m.op), XD_EEXIST);
    xd_store_op_cleanup(&m.op);
    assert_int_equal(count("SELECT count(*) FROM journal"), 1);
}

static void test_rejected_is_kept_and_frees_its_number(void **state)
{
    (void)state;
    struct msg m;
    msg_init(&m, "rejected", "isa:own:000000007+1", "ISA*broken~", 0, NULL);
    assert_int_equal(xd_store_execute(s, &m.op), XD_OK);
    xd_store_op_cleanup(&m.op);
    assert_int_equal(count("SELECT count(*) FROM journal WHERE status = 'rejected' AND detail "
                           "LIKE 'every document%' AND raw = CAST('ISA*broken~' AS BLOB)"),
                     1);
    /* The corrected interchange under the same number is a new message. */
    struct msg fixed;
    msg_init(&fixed, "accepted", "isa:own:000000007+1", "ISA*fixed~", 1, "PO-7");
    assert_int_equal(xd_store_execute(s, &fixed.op), XD_OK);
    xd_store_op_cleanup(&fixed.op);
    assert_int_equal(count("SELECT count(*) FROM journal"), 2);
}

static void test_failure_leaves_nothing(void **state)
{
    (void)state;
    struct msg m;
    msg_init(&m, "accepted", NULL, "ISA*first~", 1, "PO-9");
    assert_int_equal(xd_store_execute(s, &m.op), XD_OK);
    xd_store_op_cleanup(&m.op);
    /* A second message whose document id is taken: the whole message is refused. */
    struct msg dup;
    msg_init(&dup, "accepted", NULL, "ISA*second~", 2, "PO-10");
    memcpy(dup.docs[1].id, m.docs[0].id, sizeof dup.docs[1].id);
    assert_int_not_equal(xd_store_execute(s, &dup.op), XD_OK);
    xd_store_op_cleanup(&dup.op);
    assert_int_equal(count("SELECT count(*) FROM journal"), 1);
    assert_int_equal(count("SELECT count(*) FROM documents"), 1);
    assert_int_equal(count("SELECT count(*) FROM outbox"), 1);
    assert_int_equal(count("SELECT count(*) FROM thread_keys WHERE value = 'PO-10'"), 0);
}

static void test_validation(void **state)
{
    (void)state;
    struct msg m;
    msg_init(&m, "maybe", NULL, raw, 0, NULL);
    assert_int_equal(xd_store_execute(s, &m.op), XD_EINVAL);
    assert_non_null(strstr(m.op.err.message, "message.status"));
    msg_init(&m, "accepted", NULL, raw, 0, NULL);
    m.op.u.message.raw_len = 0;
    assert_int_equal(xd_store_execute(s, &m.op), XD_EINVAL);
    assert_non_null(strstr(m.op.err.message, "message.raw"));
}

static char cursor[XD_STORE_CURSOR_VALUE_MAX + 1];

static enum xd_status cursor_now(void)
{
    struct xd_error err = {0};
    return xd_store_poll_cursor_get(s, "erp:test:purchase", cursor, sizeof cursor, &err);
}

/* A poller's cursor moves with the message it passes, in its transaction: a message that fails
 * leaves the cursor where it was; a duplicate does not move it (the poller sets it alone). */
static void test_cursor_moves_with_the_message(void **state)
{
    (void)state;
    assert_int_equal(cursor_now(), XD_ENOTFOUND);
    struct msg m;
    msg_init(&m, "accepted", "tryton:purchase:1:a", "{\"po\":1}", 1, "PO-20");
    m.op.u.message.cursor_name = "erp:test:purchase";
    m.op.u.message.cursor_value = "2026-03-02T10:00:00.000000|1";
    assert_int_equal(xd_store_execute(s, &m.op), XD_OK);
    xd_store_op_cleanup(&m.op);
    assert_int_equal(cursor_now(), XD_OK);
    assert_string_equal(cursor, "2026-03-02T10:00:00.000000|1");

    /* The same message again: recognised, the cursor stays. */
    struct msg again;
    msg_init(&again, "accepted", "tryton:purchase:1:a", "{\"po\":1}", 1, "PO-20");
    again.op.u.message.cursor_name = "erp:test:purchase";
    again.op.u.message.cursor_value = "2026-03-02T11:00:00.000000|1";
    assert_int_equal(xd_store_execute(s, &again.op), XD_EEXIST);
    xd_store_op_cleanup(&again.op);
    assert_int_equal(cursor_now(), XD_OK);
    assert_string_equal(cursor, "2026-03-02T10:00:00.000000|1");

    /* A message that fails (a document id already stored) moves nothing. */
    struct msg bad;
    msg_init(&bad, "accepted", "tryton:purchase:2:b", "{\"po\":2}", 1, "PO-21");
    memcpy(bad.docs[0].id, m.docs[0].id, sizeof bad.docs[0].id);
    bad.op.u.message.cursor_name = "erp:test:purchase";
    bad.op.u.message.cursor_value = "2026-03-02T12:00:00.000000|2";
    assert_int_not_equal(xd_store_execute(s, &bad.op), XD_OK);
    xd_store_op_cleanup(&bad.op);
    assert_int_equal(cursor_now(), XD_OK);
    assert_string_equal(cursor, "2026-03-02T10:00:00.000000|1");

    /* Alone. */
    struct xd_store_op op = {.kind = XD_STORE_OP_CURSOR_SET};
    op.u.cursor.name = "erp:test:purchase";
    op.u.cursor.value = "2026-03-02T13:00:00.000000|3";
    assert_int_equal(xd_store_execute(s, &op), XD_OK);
    xd_store_op_cleanup(&op);
    assert_int_equal(cursor_now(), XD_OK);
    assert_string_equal(cursor, "2026-03-02T13:00:00.000000|3");

    /* Half a cursor, or an empty value, is refused. */
    struct xd_store_op half = {.kind = XD_STORE_OP_CURSOR_SET};
    half.u.cursor.name = "erp:test:purchase";
    half.u.cursor.value = "";
    assert_int_equal(xd_store_execute(s, &half), XD_EINVAL);
    struct msg no_value;
    msg_init(&no_value, "accepted", NULL, "{\"po\":4}", 0, NULL);
    no_value.op.u.message.cursor_name = "erp:test:purchase";
    assert_int_equal(xd_store_execute(s, &no_value.op), XD_EINVAL);
    assert_int_equal(count("SELECT count(*) FROM poll_cursors"), 1);
}

/* The bytes document <id> arrived in, read back. */
static void assert_raw(const char *id, const char *want, size_t len)
{
    struct xd_arena *a = xd_arena_create(4096, 1 << 20);
    struct xd_store_raw r;
    assert_int_equal(xd_store_doc_raw(s, id, a, &r, NULL), XD_OK);
    assert_int_equal(r.len, len);
    assert_memory_equal(r.bytes, want, len);
    xd_arena_destroy(a);
}

/* A message of one JSON document (an ERP's order) is journaled as its difference from the
 * document's canonical body, like an ingest; X12 and a message of several documents whole. All
 * read back as received, through each of their documents. */
static void test_raw_bytes(void **state)
{
    (void)state;
    static const char body[] = "{\"type\":\"po_acknowledgement\",\"id\":\"0193\",\"lines\":["
                               "{\"line\":1,\"sku\":\"A-1\",\"qty\":\"12\"},"
                               "{\"line\":2,\"sku\":\"B-2\",\"qty\":\"7\"}]}";
    static const char json[] = "{\"type\":\"po_acknowledgement\",\"lines\":["
                               "{\"line\":1,\"sku\":\"A-1\",\"qty\":\"12\"},"
                               "{\"line\":2,\"sku\":\"B-2\",\"qty\":\"7\"}]}";
    struct msg one;
    msg_init(&one, "accepted", NULL, json, 1, "PO-RAW-1");
    one.op.u.message.format = "json";
    one.op.u.message.content_type = "application/json";
    one.docs[0].body = body;
    one.docs[0].body_len = strlen(body);
    assert_int_equal(xd_store_execute(s, &one.op), XD_OK);
    /* All of it is the body's: its first 30 bytes ({"type":"po_acknowledgement"," ) and the
     * rest from "lines" on; nothing is left between. */
    char q[160];
    snprintf(q, sizeof q,
             "SELECT raw_prefix * 100000 + raw_suffix * 10 + length(raw) FROM journal "
             "WHERE id = '%s'",
             one.op.u.message.id);
    assert_int_equal(count(q), 30 * 100000 + (int64_t)(strlen(json) - 30) * 10);
    assert_raw(one.docs[0].id, json, strlen(json));

    struct msg x12;
    msg_init(&x12, "accepted", "isa:own:000000077+1", raw, 1, "PO-RAW-2");
    assert_int_equal(xd_store_execute(s, &x12.op), XD_OK);
    snprintf(q, sizeof q, "SELECT length(raw) FROM journal WHERE id = '%s' AND raw_prefix IS NULL",
             x12.op.u.message.id);
    assert_int_equal(count(q), strlen(raw));
    assert_raw(x12.docs[0].id, raw, strlen(raw));

    struct msg two;
    msg_init(&two, "accepted", NULL, json, 2, "PO-RAW-3");
    two.docs[0].body = body;
    two.docs[0].body_len = strlen(body);
    assert_int_equal(xd_store_execute(s, &two.op), XD_OK);
    snprintf(q, sizeof q, "SELECT length(raw) FROM journal WHERE id = '%s' AND raw_prefix IS NULL",
             two.op.u.message.id);
    assert_int_equal(count(q), strlen(json));
    assert_raw(two.docs[0].id, json, strlen(json));
    assert_raw(two.docs[1].id, json, strlen(json));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_conflict_is_told, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected_is_kept_and_frees_its_number, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failure_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_moves_with_the_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
