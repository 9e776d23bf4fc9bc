/* Unit tests of src/sim/journal.c: what a simulated partner still owes survives a restart,
 * a rendered message comes back byte for byte with its key, finished chains are dropped when
 * the journal is reopened, and a line cut short by a crash is skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/sim_int.h"

static char dir[64], path[128];

static void add(struct xd_sim__journal *j, const char *what, size_t n, uint64_t *id)
{
    struct xd_sim__step steps[4];
    for (size_t i = 0; i < n; i++) {
        steps[i].doc = json_pack("{s:s, s:i}", "what", what, "step", (int)i);
        steps[i].offset_ms = (int64_t)(100 * (i + 1));
    }
    struct xd_error err = {0};
    assert_int_equal(xd_sim__journal_add(j, what, steps, n, 1000, id, &err), XD_OK);
    for (size_t i = 0; i < n; i++) {
        json_decref(steps[i].doc);
    }
}

static struct xd_sim__journal *reopen(struct xd_sim__journal *j,
                                      struct xd_sim__journal_chain **chains, size_t *n)
{
    xd_sim__journal_close(j);
    struct xd_sim__journal *again = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_sim__journal_open(path, &again, chains, n, &err), XD_OK);
    return again;
}

static void test_owed_chains_survive(void **state)
{
    (void)state;
    struct xd_sim__journal *j = NULL;
    struct xd_sim__journal_chain *chains = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    assert_int_equal(xd_sim__journal_open(path, &j, &chains, &n, &err), XD_OK);
    assert_int_equal(n, 0);
    uint64_t a = 0, b = 0;
    add(j, "a", 3, &a);
    add(j, "b", 2, &b);
    assert_true(b > a);
    /* a: step 0 sent, step 1 rendered (with bytes that are not text). b: all sent. */
    assert_int_equal(xd_sim__journal_done(j, a, 0, &err), XD_OK);
    struct xd_sim__message m = {
        .body = "ISA*00*\x01~\n", .len = 10, .content_type = "application/edi-x12"};
    snprintf(m.key, sizeof m.key, "tp-isa-000000042");
    snprintf(m.what, sizeof m.what, "ship_notice ASN-1");
    assert_int_equal(xd_sim__journal_rendered(j, a, 1, &m, &err), XD_OK);
    assert_int_equal(xd_sim__journal_done(j, b, 0, &err), XD_OK);
    assert_int_equal(xd_sim__journal_done(j, b, 1, &err), XD_OK);
    j = reopen(j, &chains, &n);
    assert_int_equal(n, 1);
    assert_int_equal(chains[0].id, a);
    assert_string_equal(chains[0].tag, "a");
    assert_int_equal(chains[0].base_wall_ms, 1000);
    assert_int_equal(chains[0].n, 2); /* steps 1 and 2 still owed */
    assert_int_equal(json_integer_value(json_object_get(chains[0].steps[0].doc, "step")), 1);
    assert_int_equal(chains[0].steps[0].offset_ms, 200);
    assert_non_null(chains[0].msg);
    assert_int_equal(chains[0].msg->len, 10);
    assert_memory_equal(chains[0].msg->body, "ISA*00*\x01~\n", 10);
    assert_string_equal(chains[0].msg->key, "tp-isa-000000042");
    assert_string_equal(chains[0].msg->content_type, "application/edi-x12");
    xd_sim__journal_chains_free(chains, n);
    /* Compacted: the rendered step sent now, reopened again, one step is left, not rendered;
     * new chains get new ids. */
    assert_int_equal(xd_sim__journal_done(j, a, 0, &err), XD_OK);
    uint64_t c = 0;
    add(j, "c", 1, &c);
    assert_true(c > b);
    j = reopen(j, &chains, &n);
    assert_int_equal(n, 2);
    size_t ia = chains[0].id == a ? 0 : 1;
    assert_string_equal(chains[ia].tag, "a"); /* kept by the compaction */
    assert_int_equal(chains[ia].n, 1);
    assert_null(chains[ia].msg);
    assert_int_equal(json_integer_value(json_object_get(chains[ia].steps[0].doc, "step")), 2);
    xd_sim__journal_chains_free(chains, n);
    xd_sim__journal_close(j);
    unlink(path);
}

static void test_torn_tail_skipped(void **state)
{
    (void)state;
    struct xd_sim__journal *j = NULL;
    struct xd_sim__journal_chain *chains = NULL;
    size_t n = 0;
    struct xd_error err = {0};
    assert_int_equal(xd_sim__journal_open(path, &j, &chains, &n, &err), XD_OK);
    uint64_t a = 0;
    add(j, "a", 2, &a);
    xd_sim__journal_close(j);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("{\"c\": 1, \"s\"", f); /* a crash in the middle of a line */
    fclose(f);
    assert_int_equal(xd_sim__journal_open(path, &j, &chains, &n, &err), XD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(chains[0].n, 2);
    xd_sim__journal_chains_free(chains, n);
    xd_sim__journal_close(j);
    unlink(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/xd-sim-journal.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(path, sizeof path, "%s/state.journal", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owed_chains_survive),
        cmocka_unit_test(test_torn_tail_skipped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
