/* The workflow engine against a real store on disk: a journal step that keeps failing (here
 * the disk refuses every write) is taken again after a wait that doubles, not at every poll,
 * and done once the disk takes writes again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../store/store_test.h"
#include "flow/flow.h"
#include "partner/partner.h"
#include "store/store.h"

static void test_failing_step_backs_off(void **state)
{
    (void)state;
    char dir[TEST_DIR_MAX];
    test_dir_make(dir);
    setenv("CROSSDOCK_TEST_FAULTS", "1", 1);
    struct xd_store *s = test_open(dir, true);
    assert_non_null(s);
    struct test_ingest po;
    test_ingest_init(&po, "purchase_order");
    test_ingest_key(&po, "po_number", "PO-BACKOFF");
    assert_int_equal(xd_store_execute(s, &po.op), XD_OK);
    int64_t seq = po.op.u.ingest.seq;
    xd_store_op_cleanup(&po.op);

    struct xd_partner_registry *partners = NULL;
    assert_int_equal(xd_partner_registry_create(NULL, &partners), XD_OK);
    struct xd_flow_options o;
    xd_flow_options_init(&o);
    o.store = s;
    o.partners = partners;
    test_flag(dir, ".fault-write", true); /* the order is journaled; its step cannot be */
    struct xd_flow *f = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_flow_start(&o, &f, &err), XD_OK);
    usleep(1200 * 1000);
    struct xd_flow_stats st;
    xd_flow_stats(f, &st);
    /* Polling every 25 ms would have failed ~48 times; waits of 25, 50, 100, 200, 400 and
     * 800 ms allow 6. */
    print_message("    %llu failed attempts in 1.2 s\n", (unsigned long long)st.failures);
    assert_true(st.failures >= 3 && st.failures <= 7);
    assert_true(st.position < seq);

    test_flag(dir, ".fault-write", false);
    for (int i = 0; i < 200 && st.position < seq; i++) {
        usleep(50 * 1000);
        xd_flow_stats(f, &st);
    }
    assert_true(st.position >= seq);
    uint64_t failures = st.failures;
    usleep(300 * 1000);
    xd_flow_stats(f, &st);
    assert_int_equal(st.failures, failures); /* done: no more attempts */
    xd_flow_stop(f);
    xd_partner_registry_destroy(partners);
    xd_store_close(s);
    test_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failing_step_backs_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
