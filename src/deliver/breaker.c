/* SPDX-License-Identifier: MIT
 * The circuit breaker of one endpoint, as a state machine over explicit times (the caller
 * passes "now", so tests drive it without sleeping):
 *
 *   closed    --N consecutive failures-->  open
 *   open      --pause over-------------->  half-open (one probe may start)
 *   half-open --probe succeeds---------->  closed
 *   half-open --probe fails------------->  open (a new pause)
 *
 * Any success closes it: an attempt still under way when it opened may come back good, and an
 * endpoint that answers is up. The engine thread owns every breaker. */
#include <string.h>

#include "deliver/deliver_int.h"

static const char *const names[XD_DELIVER_BREAKER_STATES] = {
    [XD_DELIVER_BREAKER_CLOSED] = "closed",
    [XD_DELIVER_BREAKER_OPEN] = "open",
    [XD_DELIVER_BREAKER_HALF_OPEN] = "half_open",
};

const char *xd_deliver_breaker_name(enum xd_deliver_breaker_state st)
{
    return (size_t)st < XD_ARRAY_LEN(names) ? names[st] : "unknown";
}

void xd_deliver__breaker_init(struct xd_deliver__breaker *b)
{
    memset(b, 0, sizeof *b);
    b->state = XD_DELIVER_BREAKER_CLOSED;
}

static void enter(struct xd_deliver__breaker *b, enum xd_deliver_breaker_state st, int64_t now_ms)
{
    b->state = st;
    b->since_ms = now_ms;
    b->probe_out = false;
    b->transitions[st]++;
}

enum xd_deliver__gate xd_deliver__breaker_gate(struct xd_deliver__breaker *b, int64_t open_ms,
                                               int64_t now_ms, bool *changed)
{
    *changed = false;
    switch (b->state) {
    case XD_DELIVER_BREAKER_CLOSED:
        return XD_DELIVER__GATE_OPEN;
    case XD_DELIVER_BREAKER_OPEN:
        if (now_ms < b->since_ms + open_ms) {
            return XD_DELIVER__GATE_SHUT;
        }
        enter(b, XD_DELIVER_BREAKER_HALF_OPEN, now_ms);
        *changed = true;
        return XD_DELIVER__GATE_PROBE;
    case XD_DELIVER_BREAKER_HALF_OPEN:
        return b->probe_out ? XD_DELIVER__GATE_SHUT : XD_DELIVER__GATE_PROBE;
    }
    return XD_DELIVER__GATE_SHUT;
}

void xd_deliver__breaker_started(struct xd_deliver__breaker *b)
{
    if (b->state == XD_DELIVER_BREAKER_HALF_OPEN) {
        b->probe_out = true;
    }
}

bool xd_deliver__breaker_success(struct xd_deliver__breaker *b, int64_t now_ms)
{
    b->failures = 0;
    if (b->state == XD_DELIVER_BREAKER_CLOSED) {
        return false;
    }
    enter(b, XD_DELIVER_BREAKER_CLOSED, now_ms);
    b->down_since_ms = 0;
    return true;
}

bool xd_deliver__breaker_failure(struct xd_deliver__breaker *b, uint32_t failures_to_open,
                                 int64_t now_ms)
{
    switch (b->state) {
    case XD_DELIVER_BREAKER_CLOSED:
        if (++b->failures < failures_to_open) {
            return false;
        }
        enter(b, XD_DELIVER_BREAKER_OPEN, now_ms);
        b->down_since_ms = now_ms;
        return true;
    case XD_DELIVER_BREAKER_HALF_OPEN:
        enter(b, XD_DELIVER_BREAKER_OPEN, now_ms);
        return true;
    case XD_DELIVER_BREAKER_OPEN:
        return false; /* a straggler that started before it opened */
    }
    return false;
}

void xd_deliver__breaker_neutral(struct xd_deliver__breaker *b)
{
    if (b->state == XD_DELIVER_BREAKER_HALF_OPEN) {
        b->probe_out = false;
    }
}

int64_t xd_deliver__breaker_wake_ms(const struct xd_deliver__breaker *b, int64_t open_ms)
{
    return b->state == XD_DELIVER_BREAKER_OPEN ? b->since_ms + open_ms : INT64_MAX;
}

void xd_deliver__breaker_restore(struct xd_deliver__breaker *b, const char *state, int64_t since_ms,
                                 int64_t down_since_ms, int64_t open_ms)
{
    xd_deliver__breaker_init(b);
    if (state == NULL || strcmp(state, "closed") == 0) {
        return;
    }
    b->state = XD_DELIVER_BREAKER_OPEN;
    /* A probe under way died with the process: open, with the pause already over. */
    b->since_ms = strcmp(state, "half_open") == 0 ? since_ms - open_ms : since_ms;
    b->down_since_ms = down_since_ms != 0 ? down_since_ms : since_ms;
}
