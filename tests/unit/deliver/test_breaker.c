/* The circuit breaker's state machine, driven with explicit times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "deliver/deliver_int.h"

#define OPEN_MS 1000

static enum xd_deliver__gate gate(struct xd_deliver__breaker *b, int64_t now, bool *changed)
{
    return xd_deliver__breaker_gate(b, OPEN_MS, now, changed);
}

static void test_closed_opens_after_n_consecutive(void **state)
{
    (void)state;
    struct xd_deliver__breaker b;
    xd_deliver__breaker_init(&b);
    bool changed = true;
    assert_int_equal(gate(&b, 0, &changed), XD_DELIVER__GATE_OPEN);
    assert_false(changed);
    assert_false(xd_deliver__breaker_failure(&b, 3, 10));
    assert_false(xd_deliver__breaker_failure(&b, 3, 20));
    /* A success in between resets the count: failures must be consecutive. */
    assert_false(xd_deliver__breaker_success(&b, 30));
    assert_false(xd_deliver__breaker_failure(&b, 3, 40));
    assert_false(xd_deliver__breaker_failure(&b, 3, 50));
    assert_int_equal(b.state, XD_DELIVER_BREAKER_CLOSED);
    assert_true(xd_deliver__breaker_failure(&b, 3, 60));
    assert_int_equal(b.state, XD_DELIVER_BREAKER_OPEN);
    assert_int_equal(b.since_ms, 60);
    assert_int_equal(b.down_since_ms, 60);
    assert_int_equal(b.transitions[XD_DELIVER_BREAKER_OPEN], 1);
    assert_int_equal(xd_deliver__breaker_wake_ms(&b, OPEN_MS), 60 + OPEN_MS);
}

static void test_open_half_open_probe_closed(void **state)
{
    (void)state;
    struct xd_deliver__breaker b;
    xd_deliver__breaker_init(&b);
    assert_true(xd_deliver__breaker_failure(&b, 1, 0));
    bool changed = false;
    assert_int_equal(gate(&b, OPEN_MS - 1, &changed), XD_DELIVER__GATE_SHUT);
    assert_false(changed);
    /* A straggler failing while open changes nothing. */
    assert_false(xd_deliver__breaker_failure(&b, 1, 500));
    assert_int_equal(b.since_ms, 0);
    assert_int_equal(gate(&b, OPEN_MS, &changed), XD_DELIVER__GATE_PROBE);
    assert_true(changed);
    assert_int_equal(b.state, XD_DELIVER_BREAKER_HALF_OPEN);
    /* One probe only. */
    xd_deliver__breaker_started(&b);
    assert_int_equal(gate(&b, OPEN_MS + 1, &changed), XD_DELIVER__GATE_SHUT);
    assert_false(changed);
    assert_true(xd_deliver__breaker_success(&b, OPEN_MS + 50));
    assert_int_equal(b.state, XD_DELIVER_BREAKER_CLOSED);
    assert_int_equal(b.down_since_ms, 0);
    assert_int_equal(b.failures, 0);
    assert_int_equal(gate(&b, OPEN_MS + 60, &changed), XD_DELIVER__GATE_OPEN);
    assert_int_equal(b.transitions[XD_DELIVER_BREAKER_OPEN], 1);
    assert_int_equal(b.transitions[XD_DELIVER_BREAKER_HALF_OPEN], 1);
    assert_int_equal(b.transitions[XD_DELIVER_BREAKER_CLOSED], 1);
}

static void test_failed_probe_reopens_keeping_down_since(void **state)
{
    (void)state;
    struct xd_deliver__breaker b;
    xd_deliver__breaker_init(&b);
    assert_true(xd_deliver__breaker_failure(&b, 2, 0) == false);
    assert_true(xd_deliver__breaker_failure(&b, 2, 100));
    bool changed = false;
    assert_int_equal(gate(&b, 100 + OPEN_MS, &changed), XD_DELIVER__GATE_PROBE);
    xd_deliver__breaker_started(&b);
    assert_true(xd_deliver__breaker_failure(&b, 2, 1200));
    assert_int_equal(b.state, XD_DELIVER_BREAKER_OPEN);
    assert_int_equal(b.since_ms, 1200);     /* a new pause */
    assert_int_equal(b.down_since_ms, 100); /* still down since the first opening */
    assert_int_equal(gate(&b, 1200 + OPEN_MS - 1, &changed), XD_DELIVER__GATE_SHUT);
    /* A probe that said nothing (refused before sending) gives its slot back. */
    assert_int_equal(gate(&b, 1200 + OPEN_MS, &changed), XD_DELIVER__GATE_PROBE);
    xd_deliver__breaker_started(&b);
    xd_deliver__breaker_neutral(&b);
    assert_int_equal(gate(&b, 1200 + OPEN_MS + 1, &changed), XD_DELIVER__GATE_PROBE);
    assert_int_equal(b.transitions[XD_DELIVER_BREAKER_OPEN], 2);
}

static void test_restore(void **state)
{
    (void)state;
    struct xd_deliver__breaker b;
    bool changed = false;
    xd_deliver__breaker_restore(&b, "closed", 5, 0, OPEN_MS);
    assert_int_equal(b.state, XD_DELIVER_BREAKER_CLOSED);
    xd_deliver__breaker_restore(&b, "open", 5000, 4000, OPEN_MS);
    assert_int_equal(b.state, XD_DELIVER_BREAKER_OPEN);
    assert_int_equal(gate(&b, 5999, &changed), XD_DELIVER__GATE_SHUT);
    assert_int_equal(gate(&b, 6000, &changed), XD_DELIVER__GATE_PROBE);
    assert_int_equal(b.down_since_ms, 4000);
    /* A half-open breaker comes back open with its pause over: one probe goes first. */
    xd_deliver__breaker_restore(&b, "half_open", 5000, 4000, OPEN_MS);
    assert_int_equal(b.state, XD_DELIVER_BREAKER_OPEN);
    assert_int_equal(gate(&b, 5000, &changed), XD_DELIVER__GATE_PROBE);
    assert_string_equal(xd_deliver_breaker_name(XD_DELIVER_BREAKER_HALF_OPEN), "half_open");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_opens_after_n_consecutive),
        cmocka_unit_test(test_open_half_open_probe_closed),
        cmocka_unit_test(test_failed_probe_reopens_keeping_down_since),
        cmocka_unit_test(test_restore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
