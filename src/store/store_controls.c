/* SPDX-License-Identifier: MIT
 * A cache of reserved control numbers: the store's counters hand out blocks, the cache hands
 * them out one run at a time, so an X12 message does not cost three commits of its own for its
 * ISA13, GS06 and ST02. Every block is committed before any of its numbers is used, so a number
 * is never handed out twice, also across a crash; what a stopped hub had reserved and not used
 * is a gap, which X12 allows. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

struct block {
    char partner[XD_STORE_NAME_MAX + 1];
    char kind[33];
    int64_t next, end; /* numbers next .. end-1 are reserved and unused */
    struct block *more;
};

struct xd_store_controls {
    struct xd_store *store;
    int64_t block;
    pthread_mutex_t mu;
    struct block *blocks;
};

enum xd_status xd_store_controls_create(struct xd_store *s, int64_t block,
                                        struct xd_store_controls **out)
{
    struct xd_store_controls *c = xd_calloc(1, sizeof *c);
    if (c == NULL) {
        return XD_ENOMEM;
    }
    c->store = s;
    c->block = block < 1                            ? 1
               : block > XD_STORE_CONTROL_COUNT_MAX ? XD_STORE_CONTROL_COUNT_MAX
                                                    : block;
    pthread_mutex_init(&c->mu, NULL);
    *out = c;
    return XD_OK;
}

void xd_store_controls_destroy(struct xd_store_controls *c)
{
    if (c == NULL) {
        return;
    }
    while (c->blocks != NULL) {
        struct block *b = c->blocks;
        c->blocks = b->more;
        xd_free(b);
    }
    pthread_mutex_destroy(&c->mu);
    xd_free(c);
}

enum xd_status xd_store_controls_take(struct xd_store_controls *c, const char *partner,
                                      const char *kind, int64_t count, const char *actor,
                                      int64_t *first, struct xd_error *err)
{
    if (c == NULL || partner == NULL || kind == NULL || strlen(partner) > XD_STORE_NAME_MAX ||
        strlen(kind) > 32 || count < 1 || count > XD_STORE_CONTROL_COUNT_MAX) {
        return xd_error_set(err, XD_EINVAL, "control numbers: bad request");
    }
    pthread_mutex_lock(&c->mu);
    struct block *b = c->blocks;
    while (b != NULL && (strcmp(b->partner, partner) != 0 || strcmp(b->kind, kind) != 0)) {
        b = b->more;
    }
    enum xd_status st = XD_OK;
    if (b == NULL) {
        b = xd_calloc(1, sizeof *b);
        if (b == NULL) {
            pthread_mutex_unlock(&c->mu);
            return xd_error_set(err, XD_ENOMEM, "control numbers: out of memory");
        }
        snprintf(b->partner, sizeof b->partner, "%s", partner);
        snprintf(b->kind, sizeof b->kind, "%s", kind);
        b->more = c->blocks;
        c->blocks = b;
    }
    if (b->end - b->next < count) {
        /* The rest of the block is left unused (a gap) so the run stays consecutive. */
        int64_t want = count > c->block ? count : c->block;
        int64_t start = 0;
        st = xd_store_control_next(c->store, partner, kind, want, actor, &start, err);
        if (st == XD_OK) {
            b->next = start;
            b->end = start + want;
        }
    }
    if (st == XD_OK) {
        *first = b->next;
        b->next += count;
    }
    pthread_mutex_unlock(&c->mu);
    return st;
}
