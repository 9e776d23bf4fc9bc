/* Unit tests of src/sim/runner.c with a receiver in-process playing the hub: a chain's steps
 * go in order and each once; a refusal gives up the rest of the chain, also in the journal
 * (a restart does not send an invoice for a ship notice the hub refused); a cancellation drops
 * what a waiting chain still owes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "partner/partner.h"
#include "sim/sim_int.h"
#include "sim_test.h"

static char dir[64];

static const char profile_text[] =
    "id: tp\n"
    "name: Test\n"
    "role: supplier\n"
    "inbound:\n"
    "  http: {formats: [json]}\n"
    "outbound:\n"
    "  endpoints: [{name: e, kind: http, url: \"https://tp.example/\"}]\n"
    "documents:\n"
    "  - {type: purchase_order, direction: out, format: json}\n"
    "  - {type: po_acknowledgement, direction: in, format: json}\n";

struct world {
    struct xd_partner_profile *p;
    struct xd_sim_receiver *hub;
    struct xd_sim__partner *pt;
    struct xd_sim__journal *journal;
    struct xd_sim__runner *runner;
    struct xd_sim_send_options o;
    char journal_path[128];
};

static json_t *ack(int n)
{
    char po[16];
    snprintf(po, sizeof po, "PO-%d", n);
    return json_pack("{s:s, s:s, s:s, s:s}", "type", "po_acknowledgement", "po_number", po,
                     "status", "accepted", "ack_date", "2026-03-03");
}

/* The hub answers <status> to everything, after <fail_first> 503s with Retry-After 1. */
static void world_start_failing(struct world *w, int status, uint32_t fail_first)
{
    memset(w, 0, sizeof *w);
    struct xd_partner_problems pr;
    xd_partner_problems_init(&pr, 3);
    assert_int_equal(
        xd_partner_parse(profile_text, strlen(profile_text), XD_PARTNER_YAML, &w->p, &pr), XD_OK);
    xd_partner_problems_cleanup(&pr);
    struct xd_sim_receiver_options ro;
    xd_sim_receiver_options_init(&ro);
    ro.status = status;
    ro.keep_bodies = true;
    ro.fail_first = fail_first;
    ro.fail_status = 503;
    ro.retry_after = "1";
    assert_int_equal(xd_sim_receiver_start(&ro, &w->hub, NULL), XD_OK);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)xd_sim_receiver_port(w->hub));
    xd_sim_send_options_init(&w->o);
    w->o.hub_url = url;
    w->o.token = "t";
    w->o.workers = 2;
    w->o.backoff_ms = 10;
    assert_int_equal(xd_sim__partner_create(w->p, &w->o, &w->pt, NULL), XD_OK);
    snprintf(w->journal_path, sizeof w->journal_path, "%s/owed.journal", dir);
    unlink(w->journal_path);
    struct xd_sim__journal_chain *owed = NULL;
    size_t n = 0;
    assert_int_equal(xd_sim__journal_open(w->journal_path, &w->journal, &owed, &n, NULL), XD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(xd_sim__runner_create(w->pt, &w->o, w->journal, NULL, 0, &w->runner), XD_OK);
}

static void world_start(struct world *w, int status)
{
    world_start_failing(w, status, 0);
}

static void world_stop(struct world *w)
{
    xd_sim__runner_destroy(w->runner);
    xd_sim__journal_close(w->journal);
    xd_sim__partner_destroy(w->pt);
    xd_sim_receiver_stop(w->hub);
    xd_partner_profile_unref(w->p);
}

/* What the journal still owes, after the world stopped. */
static size_t owed_steps(const struct world *w)
{
    struct xd_sim__journal *j = NULL;
    struct xd_sim__journal_chain *owed = NULL;
    size_t n = 0, steps = 0;
    assert_int_equal(xd_sim__journal_open(w->journal_path, &j, &owed, &n, NULL), XD_OK);
    for (size_t i = 0; i < n; i++) {
        steps += owed[i].n;
    }
    xd_sim__journal_chains_free(owed, n);
    xd_sim__journal_close(j);
    return steps;
}

static void wait_for(struct world *w, uint64_t sent, uint64_t given_up, uint64_t pending)
{
    struct xd_sim_partner_stats st = {0};
    for (int i = 0; i < 500; i++) {
        xd_sim__runner_stats(w->runner, &st);
        if (st.sent >= sent && st.given_up >= given_up && st.pending == pending) {
            return;
        }
        usleep(10000);
    }
    fail_msg("sent %llu given up %llu pending %llu", (unsigned long long)st.sent,
             (unsigned long long)st.given_up, (unsigned long long)st.pending);
}

static void test_each_step_once(void **state)
{
    (void)state;
    struct world w;
    world_start(&w, 200);
    struct xd_sim__step steps[3] = {{ack(1), 30}, {ack(2), 0}, {ack(3), 10}};
    assert_int_equal(xd_sim__runner_add(w.runner, "PO-1", steps, 3), XD_OK);
    wait_for(&w, 3, 0, 0);
    struct xd_sim_receiver_stats rs;
    xd_sim_receiver_stats(w.hub, &rs);
    assert_int_equal(rs.processed, 3);
    world_stop(&w);
    assert_int_equal(owed_steps(&w), 0);
}

static void test_refusal_gives_up_the_rest(void **state)
{
    (void)state;
    struct world w;
    world_start(&w, 422);
    struct xd_sim__step steps[3] = {{ack(1), 0}, {ack(2), 0}, {ack(3), 0}};
    assert_int_equal(xd_sim__runner_add(w.runner, "PO-1", steps, 3), XD_OK);
    wait_for(&w, 0, 1, 0);
    struct xd_sim_receiver_stats rs;
    xd_sim_receiver_stats(w.hub, &rs);
    assert_int_equal(rs.requests, 1); /* the later steps never went */
    world_stop(&w);
    assert_int_equal(owed_steps(&w), 0);
}

/* The hub's Retry-After (1 s) is longer than the backoff (10 ms): it is what is waited. */
static void test_retry_after_honoured(void **state)
{
    (void)state;
    struct world w;
    world_start_failing(&w, 200, 1);
    struct xd_sim__step steps[1] = {{ack(1), 0}};
    int64_t start = xd_mono_ns();
    assert_int_equal(xd_sim__runner_add(w.runner, "PO-1", steps, 1), XD_OK);
    wait_for(&w, 1, 0, 0);
    int64_t took_ms = (xd_mono_ns() - start) / 1000000;
    assert_true(took_ms >= 900);
    world_stop(&w);
}

static void test_cancel_drops_what_waits(void **state)
{
    (void)state;
    struct world w;
    world_start(&w, 200);
    struct xd_sim__step a[2] = {{ack(1), 0}, {ack(2), 60000}};
    struct xd_sim__step b[1] = {{ack(3), 60000}};
    assert_int_equal(xd_sim__runner_add(w.runner, "PO-A", a, 2), XD_OK);
    assert_int_equal(xd_sim__runner_add(w.runner, "PO-B", b, 1), XD_OK);
    wait_for(&w, 1, 0, 2);
    assert_int_equal(xd_sim__runner_cancel(w.runner, "PO-A"), 1);
    struct xd_sim_partner_stats st;
    xd_sim__runner_stats(w.runner, &st);
    assert_int_equal(st.pending, 1); /* PO-B's */
    world_stop(&w);
    assert_int_equal(owed_steps(&w), 1);
}

static int setup(void **state)
{
    (void)state;
    return sim_test_dir_make(dir, sizeof dir, "runner");
}

static int teardown(void **state)
{
    (void)state;
    return sim_test_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_step_once),
        cmocka_unit_test(test_refusal_gives_up_the_rest),
        cmocka_unit_test(test_retry_after_honoured),
        cmocka_unit_test(test_cancel_drops_what_waits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
