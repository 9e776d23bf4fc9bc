/* Which messages of a queue may start: order per queue (only the oldest open message goes, the
 * next only when it is leaving), unordered queues up to their limit, due times, messages about
 * to be re-routed; and the window merge that keeps attempts under way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "deliver/deliver_int.h"

static void fill(struct xd_deliver__window *w, size_t n, int64_t next_at)
{
    struct xd_deliver__msg rows[16];
    for (size_t i = 0; i < n; i++) {
        rows[i] = (struct xd_deliver__msg){.seq = (int64_t)(10 * (i + 1)), .next_at_ms = next_at};
    }
    xd_deliver__window_merge(w, rows, n, false);
}

static void test_ordered(void **state)
{
    (void)state;
    struct xd_deliver__window w;
    assert_int_equal(xd_deliver__window_init(&w, 8), XD_OK);
    fill(&w, 4, 0);
    size_t out[8];
    /* Only the oldest, whatever the limit. */
    assert_int_equal(xd_deliver__pick(&w, true, 8, 100, false, out, 8), 1);
    assert_int_equal(w.m[out[0]].seq, 10);
    /* While it is under way, nothing else. */
    w.m[0].phase = XD_DELIVER__SENDING;
    assert_int_equal(xd_deliver__pick(&w, true, 8, 100, false, out, 8), 0);
    /* Settling as a retry still holds the order... */
    w.m[0].phase = XD_DELIVER__SETTLING;
    assert_int_equal(xd_deliver__pick(&w, true, 8, 100, false, out, 8), 0);
    /* ...settling as delivered or dead does not: the next may be claimed behind it. */
    w.m[0].leaving = true;
    assert_int_equal(xd_deliver__pick(&w, true, 8, 100, false, out, 8), 1);
    assert_int_equal(w.m[out[0]].seq, 20);
    /* The head waits for its backoff, and so does everything behind it. */
    w.m[1].next_at_ms = 500;
    assert_int_equal(xd_deliver__pick(&w, true, 8, 100, false, out, 8), 0);
    assert_int_equal(xd_deliver__window_due_ms(&w, true), 500);
    assert_int_equal(xd_deliver__pick(&w, true, 8, 500, false, out, 8), 1);
    /* A message never attempted is not started while failover moves such messages away; one
     * that was attempted goes on (it probes the endpoint). */
    assert_int_equal(xd_deliver__pick(&w, true, 8, 500, true, out, 8), 0);
    w.m[1].attempts = 2;
    assert_int_equal(xd_deliver__pick(&w, true, 8, 500, true, out, 8), 1);
    /* The limit may forbid it (breaker open, no free slot). */
    assert_int_equal(xd_deliver__pick(&w, true, 0, 500, false, out, 8), 0);
    xd_deliver__window_cleanup(&w);
}

static void test_unordered(void **state)
{
    (void)state;
    struct xd_deliver__window w;
    assert_int_equal(xd_deliver__window_init(&w, 8), XD_OK);
    fill(&w, 6, 0);
    w.m[1].phase = XD_DELIVER__SENDING;
    w.m[3].next_at_ms = 1000;
    size_t out[8];
    size_t n = xd_deliver__pick(&w, false, 3, 100, false, out, 8);
    assert_int_equal(n, 3);
    assert_int_equal(w.m[out[0]].seq, 10);
    assert_int_equal(w.m[out[1]].seq, 30);
    assert_int_equal(w.m[out[2]].seq, 50);
    assert_int_equal(xd_deliver__pick(&w, false, 8, 100, false, out, 2), 2);
    assert_int_equal(xd_deliver__window_due_ms(&w, false), 0);
    xd_deliver__window_cleanup(&w);
}

static void test_merge_keeps_busy(void **state)
{
    (void)state;
    struct xd_deliver__window w;
    assert_int_equal(xd_deliver__window_init(&w, 4), XD_OK);
    fill(&w, 3, 0); /* 10 20 30 */
    w.m[1].phase = XD_DELIVER__SENDING;
    w.m[1].attempts = 3;
    /* The store now lists 5 (replayed, older), 20 (ours) and 40; 10 and 30 left (re-routed).
     * The window has room for 4 and one of them is busy. */
    struct xd_deliver__msg rows[] = {
        {.seq = 5}, {.seq = 20, .attempts = 1}, {.seq = 40}, {.seq = 50}, {.seq = 60}};
    xd_deliver__window_merge(&w, rows, 5, false);
    assert_int_equal(w.n, 4);
    assert_int_equal(w.m[0].seq, 5);
    assert_int_equal(w.m[1].seq, 20);
    assert_int_equal(w.m[1].phase, XD_DELIVER__SENDING);
    assert_int_equal(w.m[1].attempts, 3); /* ours, not the store's */
    assert_int_equal(w.m[2].seq, 40);
    assert_int_equal(w.m[3].seq, 50);
    assert_true(w.more); /* 60 did not fit */
    assert_non_null(xd_deliver__window_find(&w, 40));
    assert_null(xd_deliver__window_find(&w, 30));
    xd_deliver__window_remove(&w, 5);
    assert_int_equal(w.m[0].seq, 20);
    assert_int_equal(w.n, 3);
    /* A full window of busy messages keeps them all, even if the store lists others first. */
    for (size_t i = 0; i < w.n; i++) {
        w.m[i].phase = XD_DELIVER__SETTLING;
    }
    struct xd_deliver__msg older[] = {{.seq = 1}, {.seq = 2}};
    xd_deliver__window_merge(&w, older, 2, false);
    assert_int_equal(w.m[0].seq, 1);
    assert_int_equal(xd_deliver__window_busy(&w), 3);
    assert_true(w.more);
    xd_deliver__window_cleanup(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordered),
        cmocka_unit_test(test_unordered),
        cmocka_unit_test(test_merge_keeps_busy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
