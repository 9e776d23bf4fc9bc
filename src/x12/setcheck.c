/* SPDX-License-Identifier: MIT
 * Places each segment of a transaction set in its table: order, loops and their repeats,
 * maximum use, mandatory segments. The classic X12 rule: look for the segment from the
 * current position forward in the innermost loop, then in each enclosing loop (which closes
 * the inner ones); a loop's first segment starts a new iteration. A segment found nowhere
 * changes nothing, so one stray segment does not derail the rest of the set. */
#include <string.h>

#include "x12/x12_int.h"

struct frame {
    const struct xd_x12__node *nodes;
    size_t n;
    size_t pos;     /* current position */
    uint32_t count; /* uses of nodes[pos]: segment repeats, or loop iterations */
    const char *loop_id;
};

struct xd_x12__set_state {
    const struct xd_x12__setdef *def;
    struct frame stack[XD_X12_MAX_LOOP_DEPTH];
    size_t depth;
};

typedef enum xd_status (*seq_fn)(void *ctx, const struct xd_x12__seq_problem *p);

enum xd_status xd_x12__set_begin(const struct xd_x12__setdef *def, struct xd_x12__set_state **out)
{
    struct xd_x12__set_state *st = xd_calloc(1, sizeof *st);
    if (st == NULL) {
        return XD_ENOMEM;
    }
    st->def = def;
    st->stack[0] = (struct frame){def->body, def->nbody, 0, 0, NULL};
    st->depth = 1;
    *out = st;
    return XD_OK;
}

void xd_x12__set_free(struct xd_x12__set_state *st)
{
    xd_free(st);
}

static bool id_eq(const struct xd_x12__segdef *d, struct xd_slice id)
{
    return id.len >= 2 && id.len <= 3 && d->id[0] == id.p[0] && d->id[1] == id.p[1] &&
           d->id[id.len] == '\0' && (id.len == 2 || d->id[2] == id.p[2]);
}

static enum xd_status report(seq_fn fn, void *ctx, const char *code,
                             const struct xd_x12__segdef *missing, const char *loop_id,
                             const char *what)
{
    struct xd_x12__seq_problem p = {code, missing, loop_id, what};
    return fn(ctx, &p);
}

/* Mandatory positions of <f> from <from> up to (not including) <to> that were never used. */
static enum xd_status missing_between(const struct frame *f, size_t from, size_t to, seq_fn fn,
                                      void *ctx)
{
    for (size_t i = from; i < to && i < f->n; i++) {
        if (f->nodes[i].req == 'M') {
            enum xd_status st = report(fn, ctx, "3", f->nodes[i].seg,
                                       f->nodes[i].loop_id ? f->nodes[i].loop_id : f->loop_id,
                                       f->nodes[i].loop_id ? "mandatory loop missing"
                                                           : "mandatory segment missing");
            if (st != XD_OK) {
                return st;
            }
        }
    }
    return XD_OK;
}

/* First position of <f> not yet passed: pos itself when it was never used. */
static size_t unseen_from(const struct frame *f)
{
    return f->count > 0 ? f->pos + 1 : f->pos;
}

static enum xd_status close_frame(const struct frame *f, seq_fn fn, void *ctx)
{
    return missing_between(f, unseen_from(f), f->n, fn, ctx);
}

/* Is the segment anywhere in the table? (for "out of sequence" versus "not in set") */
static bool tree_contains(const struct xd_x12__setdef *def, struct xd_slice id)
{
    struct {
        const struct xd_x12__node *nodes;
        size_t n;
    } todo[XD_X12_MAX_LOOP_DEPTH * 8];
    size_t top = 0;
    todo[top].nodes = def->body;
    todo[top].n = def->nbody;
    top++;
    while (top > 0) {
        top--;
        const struct xd_x12__node *nodes = todo[top].nodes;
        size_t n = todo[top].n;
        for (size_t i = 0; i < n; i++) {
            if (id_eq(nodes[i].seg, id)) {
                return true;
            }
            if (nodes[i].children != NULL && top < XD_ARRAY_LEN(todo)) {
                todo[top].nodes = nodes[i].children;
                todo[top].n = nodes[i].nchildren;
                top++;
            }
        }
    }
    return false;
}

static bool valid_id(struct xd_slice id)
{
    if (id.len < 2 || id.len > 3) {
        return false;
    }
    for (size_t i = 0; i < id.len; i++) {
        char c = id.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return id.p[0] >= 'A' && id.p[0] <= 'Z';
}

/* Search frame <f> for <id> from its current position; SIZE_MAX when absent. A loop frame
 * never matches its own trigger: that starts a new iteration one level up. */
static size_t find_in_frame(const struct frame *f, bool is_loop, struct xd_slice id)
{
    size_t start = f->pos;
    if (is_loop && start == 0) {
        start = 1;
    }
    for (size_t i = start; i < f->n; i++) {
        if (id_eq(f->nodes[i].seg, id)) {
            return i;
        }
    }
    return SIZE_MAX;
}

enum xd_status xd_x12__set_segment(struct xd_x12__set_state *st, const struct xd_x12_segment *seg,
                                   const struct xd_x12__segdef **segdef, seq_fn fn, void *ctx)
{
    *segdef = NULL;
    size_t d = st->depth, idx = SIZE_MAX;
    while (d > 0) {
        idx = find_in_frame(&st->stack[d - 1], d > 1, seg->id);
        if (idx != SIZE_MAX) {
            break;
        }
        d--;
    }
    if (idx == SIZE_MAX) {
        if (!valid_id(seg->id)) {
            return report(fn, ctx, "1", NULL, NULL, "unrecognized segment ID");
        }
        if (tree_contains(st->def, seg->id)) {
            return report(fn, ctx, "7", NULL, NULL, "segment not in proper sequence");
        }
        return report(fn, ctx, "6", NULL, NULL, "segment not in defined transaction set");
    }
    enum xd_status rc = XD_OK;
    while (st->depth > d) {
        rc = close_frame(&st->stack[st->depth - 1], fn, ctx);
        if (rc != XD_OK) {
            return rc;
        }
        st->depth--;
    }
    struct frame *f = &st->stack[d - 1];
    if (idx != f->pos || f->count == 0) {
        rc = missing_between(f, unseen_from(f), idx, fn, ctx);
        if (rc != XD_OK) {
            return rc;
        }
        f->pos = idx;
        f->count = 0;
    }
    const struct xd_x12__node *node = &f->nodes[idx];
    f->count++;
    if (node->max != 0 && f->count > node->max) {
        rc = report(fn, ctx, node->children ? "4" : "5", NULL, node->loop_id,
                    node->children ? "loop occurs over maximum times"
                                   : "segment exceeds maximum use");
        if (rc != XD_OK) {
            return rc;
        }
    }
    if (node->children != NULL) {
        if (st->depth == XD_X12_MAX_LOOP_DEPTH) {
            return XD_ETOOBIG; /* a table error, not an input error */
        }
        st->stack[st->depth++] =
            (struct frame){node->children, node->nchildren, 0, 1, node->loop_id};
    }
    *segdef = node->seg;
    return XD_OK;
}

enum xd_status xd_x12__set_end(struct xd_x12__set_state *st, seq_fn fn, void *ctx)
{
    while (st->depth > 0) {
        enum xd_status rc = close_frame(&st->stack[st->depth - 1], fn, ctx);
        if (rc != XD_OK) {
            return rc;
        }
        st->depth--;
    }
    return XD_OK;
}
