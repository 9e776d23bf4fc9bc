/* SPDX-License-Identifier: MIT
 * A queue's window: the oldest open messages of one (partner, endpoint) held in memory, sorted
 * by outbox seq, and the rule that decides which of them may start. The order rule of an
 * ordered queue: its oldest open message goes alone; the next one starts only after the first
 * left the queue (delivered or dead), and its claim commits in the same transaction as that
 * result, after it. The engine thread owns every window. */
#include <string.h>

#include "deliver/deliver_int.h"

enum xd_status xd_deliver__window_init(struct xd_deliver__window *w, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->m = xd_calloc(cap ? cap : 1, sizeof *w->m);
    w->scratch = xd_calloc(cap ? cap : 1, sizeof *w->scratch);
    if (w->m == NULL || w->scratch == NULL) {
        xd_free(w->m);
        xd_free(w->scratch);
        return XD_ENOMEM;
    }
    w->cap = cap ? cap : 1;
    return XD_OK;
}

void xd_deliver__window_cleanup(struct xd_deliver__window *w)
{
    xd_free(w->m);
    xd_free(w->scratch);
    memset(w, 0, sizeof *w);
}

struct xd_deliver__msg *xd_deliver__window_find(struct xd_deliver__window *w, int64_t seq)
{
    size_t lo = 0;
    size_t hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->m[mid].seq < seq) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < w->n && w->m[lo].seq == seq ? &w->m[lo] : NULL;
}

void xd_deliver__window_remove(struct xd_deliver__window *w, int64_t seq)
{
    struct xd_deliver__msg *m = xd_deliver__window_find(w, seq);
    if (m == NULL) {
        return;
    }
    size_t i = (size_t)(m - w->m);
    memmove(&w->m[i], &w->m[i + 1], (w->n - i - 1) * sizeof *w->m);
    w->n--;
}

size_t xd_deliver__window_busy(const struct xd_deliver__window *w)
{
    size_t busy = 0;
    for (size_t i = 0; i < w->n; i++) {
        busy += w->m[i].phase != XD_DELIVER__IDLE;
    }
    return busy;
}

void xd_deliver__window_merge(struct xd_deliver__window *w, const struct xd_deliver__msg *rows,
                              size_t n, bool more)
{
    /* Two sorted lists into one: the busy messages we hold and the store's rows. A busy message
     * is ours whatever the store says (it reads delivering, or the claim is not committed yet);
     * an idle message the store no longer lists left the queue. Busy messages always stay (they
     * hold claims); idle ones fill what room is left, oldest first. */
    size_t idle_room = w->cap - xd_deliver__window_busy(w);
    struct xd_deliver__msg *out = w->scratch;
    size_t k = 0;
    size_t i = 0;
    size_t j = 0;
    bool cut = false;
    for (;;) {
        while (i < w->n && w->m[i].phase == XD_DELIVER__IDLE) {
            i++;
        }
        bool have_busy = i < w->n;
        bool have_row = j < n;
        if (!have_busy && !have_row) {
            break;
        }
        if (have_busy && (!have_row || w->m[i].seq <= rows[j].seq)) {
            if (have_row && rows[j].seq == w->m[i].seq) {
                j++;
            }
            out[k++] = w->m[i++];
            continue;
        }
        if (idle_room == 0) {
            cut = true;
            j++;
            continue;
        }
        out[k] = rows[j++];
        out[k].phase = XD_DELIVER__IDLE;
        out[k].leaving = false;
        k++;
        idle_room--;
    }
    w->scratch = w->m;
    w->m = out;
    w->n = k;
    w->more = more || cut;
}

size_t xd_deliver__pick(const struct xd_deliver__window *w, bool ordered, size_t limit,
                        int64_t now_ms, bool skip_untried, size_t *out, size_t out_cap)
{
    size_t n = 0;
    if (limit > out_cap) {
        limit = out_cap;
    }
    for (size_t i = 0; i < w->n && n < limit; i++) {
        const struct xd_deliver__msg *m = &w->m[i];
        if (m->leaving) {
            continue; /* its result is committing; it no longer holds the order */
        }
        if (ordered) {
            /* The oldest message that has not left decides alone. */
            if (m->phase == XD_DELIVER__IDLE && m->next_at_ms <= now_ms &&
                !(skip_untried && m->attempts == 0)) {
                out[n++] = i;
            }
            return n;
        }
        if (m->phase == XD_DELIVER__IDLE && m->next_at_ms <= now_ms &&
            !(skip_untried && m->attempts == 0)) {
            out[n++] = i;
        }
    }
    return n;
}

int64_t xd_deliver__window_due_ms(const struct xd_deliver__window *w, bool ordered)
{
    int64_t due = INT64_MAX;
    for (size_t i = 0; i < w->n; i++) {
        const struct xd_deliver__msg *m = &w->m[i];
        if (m->leaving) {
            continue;
        }
        if (m->phase == XD_DELIVER__IDLE && m->next_at_ms < due) {
            due = m->next_at_ms;
        }
        if (ordered) {
            break; /* only the oldest can start */
        }
    }
    return due;
}
