/* SPDX-License-Identifier: MIT
 * Places each segment of a transaction set in its table: order, loops and their repeats,
 * maximum use, mandatory segments. The classic X12 rule: look for the segment from the
 * current position forward in the innermost loop, then in each enclosing loop (which closes
 * the inner ones); a loop's first segment starts a new iteration. A segment found nowhere
 * forward but at an earlier, still unused position of a loop on the stack is a slip: it is
 * placed there with a warning (docs/x12.md, "Severity"), which is why mandatory segments are
 * reported missing only when their loop closes. A segment found nowhere changes nothing, so
 * one stray segment does not derail the rest of the set. For speed the set's table is indexed
 * once per table (struct index: segment IDs packed as integers, mandatory positions as bit
 * masks), so the search compares integers and a closing loop looks only at what is missing. */
#include <string.h>

#include "x12/x12_int.h"

#define NO_LIST UINT32_MAX

/* One node list of the table (the body, or a loop's children) in the index. */
struct list_info {
    uint64_t mandatory; /* bit i: nodes[i] is mandatory */
    uint32_t first;     /* where its nodes start in ids[] and sub[] */
    bool wide;          /* more than 64 nodes: searched one by one, not through jumps[] */
};

/* Where segment <id> sits in list <list>: bit i for nodes[i]. positions 0 = an empty slot. */
struct jump {
    uint64_t positions;
    uint32_t list, id;
};

/* The last search from one position of a list: the segment ID looked for and where it was
 * found (NOT_FOUND). Sets are mostly written alike, so the same position is mostly followed by
 * the same segment: this answers before the hash of jumps[] is computed and its slot loaded.
 * Filled as {0, NOT_FOUND}, which is also the answer for code 0 (no table ID packs to 0). */
struct memo {
    uint32_t code, idx;
};
#define NOT_FOUND UINT32_MAX

/* The set table indexed: per node its packed segment ID and the list of its children
 * (NO_LIST for a plain segment, or a loop nested deeper than the matcher goes). */
struct index {
    const struct xd_x12__setdef *def; /* what it was built for, NULL = nothing yet */
    struct list_info *lists;
    uint32_t *ids, *sub;
    struct memo *memo; /* per list, one per start position 0..n: at first + list */
    size_t nlists, nnodes, lists_cap, nodes_cap, memo_cap;
    struct jump *jumps; /* open addressing, at most half full */
    size_t jump_mask, jumps_cap;
};

struct frame {
    const struct xd_x12__node *nodes;
    const uint32_t *ids, *sub; /* the index's entries for nodes[0..n-1] */
    struct memo *memo;         /* its entries for start positions 0..n */
    uint64_t mandatory;
    uint32_t list; /* its number in the index */
    bool wide;
    size_t n;
    size_t pos;     /* current position */
    uint32_t count; /* uses of nodes[pos]: segment repeats, or loop iterations */
    const char *loop_id;
    uint64_t seen;    /* bit i: nodes[i] used in this iteration of the frame */
    uint64_t skipped; /* bit i: a later segment jumped over nodes[i] */
    uint64_t skip_index, skip_offset, skip_position; /* where the first jump happened */
};

struct xd_x12__set_state {
    const struct xd_x12__setdef *def;
    struct index ix;
    struct frame stack[XD_X12_MAX_LOOP_DEPTH];
    size_t depth;
    const char *path[XD_X12_MAX_LOOP_DEPTH]; /* loop IDs of stack[1..depth-1] */
};

typedef enum xd_status (*seq_fn)(void *ctx, const struct xd_x12__seq_problem *p);

/* Count the lists and nodes of <nodes> and the lists below it, up to the matcher's depth. */
static void index_count(const struct xd_x12__node *nodes, size_t n, size_t depth, size_t *lists,
                        size_t *total)
{
    *lists += 1;
    *total += n;
    for (size_t i = 0; i < n; i++) {
        if (nodes[i].children != NULL && depth + 1 < XD_X12_MAX_LOOP_DEPTH) {
            index_count(nodes[i].children, nodes[i].nchildren, depth + 1, lists, total);
        }
    }
}

static size_t jump_hash(uint32_t list, uint32_t id)
{
    return (size_t)((id * 0x9E3779B1u) ^ (list * 0x85EBCA77u) ^ (id >> 13));
}

static void jump_add(struct index *ix, uint32_t list, uint32_t id, size_t pos)
{
    size_t i = jump_hash(list, id) & ix->jump_mask;
    while (ix->jumps[i].positions != 0 && (ix->jumps[i].list != list || ix->jumps[i].id != id)) {
        i = (i + 1) & ix->jump_mask;
    }
    ix->jumps[i].list = list;
    ix->jumps[i].id = id;
    ix->jumps[i].positions |= (uint64_t)1 << pos;
}

/* Positions of segment <id> in list <list> (not a wide one). */
static uint64_t jump_find(const struct index *ix, uint32_t list, uint32_t id)
{
    for (size_t i = jump_hash(list, id) & ix->jump_mask;; i = (i + 1) & ix->jump_mask) {
        const struct jump *j = &ix->jumps[i];
        if (j->positions == 0 || (j->list == list && j->id == id)) {
            return j->positions;
        }
    }
}

/* Fill the index for <nodes> (counted above); returns its list number. */
static uint32_t index_fill(struct index *ix, const struct xd_x12__node *nodes, size_t n,
                           size_t depth)
{
    uint32_t list = (uint32_t)ix->nlists++;
    uint32_t first = (uint32_t)ix->nnodes;
    ix->nnodes += n;
    uint64_t mandatory = 0;
    for (size_t i = 0; i < n; i++) {
        ix->ids[first + i] = xd_x12__id_code_str(nodes[i].seg->id);
        ix->sub[first + i] = NO_LIST;
        if (nodes[i].req == 'M' && i < 64) {
            mandatory |= (uint64_t)1 << i;
        }
        if (n <= 64) {
            jump_add(ix, list, ix->ids[first + i], i);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (nodes[i].children != NULL && depth + 1 < XD_X12_MAX_LOOP_DEPTH) {
            ix->sub[first + i] = index_fill(ix, nodes[i].children, nodes[i].nchildren, depth + 1);
        }
    }
    ix->lists[list].mandatory = mandatory;
    ix->lists[list].first = first;
    ix->lists[list].wide = n > 64;
    return list;
}

/* Index <def>'s table, reusing the memory of the last one when it is large enough. */
static enum xd_status index_build(struct index *ix, const struct xd_x12__setdef *def)
{
    size_t lists = 0, total = 0;
    ix->def = NULL;
    index_count(def->body, def->nbody, 0, &lists, &total);
    if (lists > ix->lists_cap) {
        struct list_info *l = xd_malloc(lists * sizeof *l);
        if (l == NULL) {
            return XD_ENOMEM;
        }
        xd_free(ix->lists);
        ix->lists = l;
        ix->lists_cap = lists;
    }
    if (total > ix->nodes_cap) {
        uint32_t *ids = xd_malloc(total * sizeof *ids);
        uint32_t *sub = ids != NULL ? xd_malloc(total * sizeof *sub) : NULL;
        if (sub == NULL) {
            xd_free(ids);
            return XD_ENOMEM;
        }
        xd_free(ix->ids);
        xd_free(ix->sub);
        ix->ids = ids;
        ix->sub = sub;
        ix->nodes_cap = total;
    }
    if (total + lists > ix->memo_cap) {
        struct memo *memo = xd_malloc((total + lists) * sizeof *memo);
        if (memo == NULL) {
            return XD_ENOMEM;
        }
        xd_free(ix->memo);
        ix->memo = memo;
        ix->memo_cap = total + lists;
    }
    for (size_t i = 0; i < total + lists; i++) {
        ix->memo[i] = (struct memo){0, NOT_FOUND};
    }
    size_t slots = 16;
    while (slots < 2 * total) {
        slots *= 2;
    }
    if (slots > ix->jumps_cap) {
        struct jump *j = xd_malloc(slots * sizeof *j);
        if (j == NULL) {
            return XD_ENOMEM;
        }
        xd_free(ix->jumps);
        ix->jumps = j;
        ix->jumps_cap = slots;
    }
    memset(ix->jumps, 0, slots * sizeof *ix->jumps);
    ix->jump_mask = slots - 1;
    ix->nlists = ix->nnodes = 0;
    (void)index_fill(ix, def->body, def->nbody, 0);
    ix->def = def;
    return XD_OK;
}

static void frame_init(struct frame *f, const struct index *ix, uint32_t list,
                       const struct xd_x12__node *nodes, size_t n, uint32_t count,
                       const char *loop_id)
{
    /* Field by field: a memset of the frame compiles to rep stos, slow to start. */
    const struct list_info *li = &ix->lists[list];
    f->nodes = nodes;
    f->ids = ix->ids + li->first;
    f->sub = ix->sub + li->first;
    f->memo = ix->memo + li->first + list;
    f->mandatory = li->mandatory;
    f->list = list;
    f->wide = li->wide;
    f->n = n;
    f->pos = 0;
    f->count = count;
    f->loop_id = loop_id;
    f->seen = count > 0 ? 1 : 0; /* a loop frame starts on its trigger */
    f->skipped = 0;
    f->skip_index = f->skip_offset = f->skip_position = 0;
}

enum xd_status xd_x12__set_begin(const struct xd_x12__setdef *def, struct xd_x12__set_state **out)
{
    struct xd_x12__set_state *st = xd_calloc(1, sizeof *st);
    if (st == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status rc = xd_x12__set_reset(st, def);
    if (rc != XD_OK) {
        xd_x12__set_free(st);
        return rc;
    }
    *out = st;
    return XD_OK;
}

enum xd_status xd_x12__set_reset(struct xd_x12__set_state *st, const struct xd_x12__setdef *def)
{
    if (st->ix.def != def) {
        enum xd_status rc = index_build(&st->ix, def);
        if (rc != XD_OK) {
            return rc;
        }
    }
    st->def = def;
    frame_init(&st->stack[0], &st->ix, 0, def->body, def->nbody, 0, NULL);
    st->depth = 1;
    return XD_OK;
}

void xd_x12__set_free(struct xd_x12__set_state *st)
{
    if (st == NULL) {
        return;
    }
    xd_free(st->ix.lists);
    xd_free(st->ix.ids);
    xd_free(st->ix.sub);
    xd_free(st->ix.memo);
    xd_free(st->ix.jumps);
    xd_free(st);
}

size_t xd_x12__set_path(const struct xd_x12__set_state *st, const char *const **loops)
{
    *loops = st->path;
    return st->depth - 1;
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
    struct xd_x12__seq_problem p = {code, XD_X12__DEV_NONE, missing, loop_id, what, 0, 0, 0};
    return fn(ctx, &p);
}

/* Mandatory positions of <f> never used in this iteration, reported when the frame closes (a
 * later segment may still supply one out of order). Those a segment jumped over are reported
 * at that segment. */
static enum xd_status close_frame(const struct frame *f, seq_fn fn, void *ctx)
{
    for (uint64_t missing = f->mandatory & ~f->seen; missing != 0; missing &= missing - 1) {
        size_t i = (size_t)__builtin_ctzll(missing);
        const struct xd_x12__node *node = &f->nodes[i];
        struct xd_x12__seq_problem p = {"3",
                                        XD_X12__DEV_NONE,
                                        node->seg,
                                        node->loop_id ? node->loop_id : f->loop_id,
                                        node->loop_id ? "mandatory loop missing"
                                                      : "mandatory segment missing",
                                        0,
                                        0,
                                        0};
        if ((f->skipped >> i) & 1) {
            p.index = f->skip_index;
            p.offset = f->skip_offset;
            p.position = f->skip_position;
        }
        enum xd_status st = fn(ctx, &p);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

const struct xd_x12__segdef *xd_x12__set_contains(const struct xd_x12__setdef *def,
                                                  struct xd_slice id)
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
                return nodes[i].seg;
            }
            if (nodes[i].children != NULL && top < XD_ARRAY_LEN(todo)) {
                todo[top].nodes = nodes[i].children;
                todo[top].n = nodes[i].nchildren;
                top++;
            }
        }
    }
    return NULL;
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

/* Search frame <f> for <id> from <start>; SIZE_MAX when absent. */
static size_t search_frame(const struct index *ix, const struct frame *f, size_t start,
                           uint32_t code)
{
    if (!f->wide) {
        /* start < n <= 64, or start == 1 in a loop of one node (then nothing follows). */
        uint64_t later = start < 64 ? ~(uint64_t)0 << start : 0;
        uint64_t at = jump_find(ix, f->list, code) & later;
        return at != 0 ? (size_t)__builtin_ctzll(at) : SIZE_MAX;
    }
    for (size_t i = start; i < f->n; i++) {
        if (f->ids[i] == code) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Search frame <f> for <id> from its current position; SIZE_MAX when absent. A loop frame
 * never matches its own trigger: that starts a new iteration one level up. */
static size_t find_in_frame(const struct index *ix, const struct frame *f, bool is_loop,
                            uint32_t code)
{
    size_t start = f->pos;
    if (is_loop && start == 0) {
        start = 1;
    }
    /* Most segments repeat the current position or take the next one: those two are
     * compared first (the first match from <start> either way), then the last answer from
     * this position, then the index. */
    if (start < f->n && f->ids[start] == code) {
        return start;
    }
    if (start + 1 < f->n && f->ids[start + 1] == code) {
        return start + 1;
    }
    struct memo *m = &f->memo[start];
    if (m->code != code) {
        size_t idx = search_frame(ix, f, start, code);
        m->code = code;
        m->idx = idx == SIZE_MAX ? NOT_FOUND : (uint32_t)idx;
    }
    return m->idx == NOT_FOUND ? SIZE_MAX : m->idx;
}

/* A slip: <id> is a plain segment (not a loop trigger) at an earlier position of frame <f>,
 * still usable there (never seen, or allowed more than once). SIZE_MAX when it is not. */
static size_t find_slip(const struct frame *f, bool is_loop, uint32_t code)
{
    for (size_t i = f->pos; i-- > (is_loop ? 1u : 0u);) {
        const struct xd_x12__node *node = &f->nodes[i];
        if (f->ids[i] != code) {
            continue;
        }
        bool used_up = node->max == 1 && ((f->seen >> i) & 1);
        return node->children == NULL && !used_up ? i : SIZE_MAX;
    }
    return SIZE_MAX;
}

static enum xd_status close_to(struct xd_x12__set_state *st, size_t depth, seq_fn fn, void *ctx)
{
    while (st->depth > depth) {
        enum xd_status rc = close_frame(&st->stack[st->depth - 1], fn, ctx);
        if (rc != XD_OK) {
            return rc;
        }
        st->depth--;
    }
    return XD_OK;
}

/* Not found forward anywhere: accept it where it slipped, in the innermost frame that has it
 * earlier, as a warning (XD_X12__DEV_ORDER); otherwise report why it does not fit. */
static enum xd_status place_backward(struct xd_x12__set_state *st, const struct xd_x12_segment *seg,
                                     const struct xd_x12__segdef **segdef, seq_fn fn, void *ctx)
{
    if (!valid_id(seg->id)) {
        return report(fn, ctx, "1", NULL, NULL, "unrecognized segment ID");
    }
    for (size_t d = st->depth; d > 0; d--) {
        struct frame *f = &st->stack[d - 1];
        size_t idx = find_slip(f, d > 1, xd_x12__id_code(seg->id));
        if (idx == SIZE_MAX) {
            continue;
        }
        enum xd_status rc = close_to(st, d, fn, ctx);
        if (rc != XD_OK) {
            return rc;
        }
        f->seen |= (uint64_t)1 << idx;
        *segdef = f->nodes[idx].seg;
        struct xd_x12__seq_problem p = {
            "7",
            XD_X12__DEV_ORDER,
            NULL,
            f->loop_id,
            "segment not in proper sequence; read at its place in the loop",
            0,
            0,
            0};
        return fn(ctx, &p);
    }
    if (xd_x12__set_contains(st->def, seg->id) != NULL) {
        return report(fn, ctx, "7", NULL, NULL, "segment not in proper sequence");
    }
    return report(fn, ctx, "6", NULL, NULL, "segment not in defined transaction set");
}

/* Positions of <f> from its current one up to <to> that a segment now jumps over. */
static void note_skipped(struct frame *f, size_t to, const struct xd_x12_segment *seg,
                         uint64_t position)
{
    size_t from = f->count > 0 ? f->pos + 1 : f->pos;
    uint64_t before = f->skipped;
    to = to < f->n ? to : f->n;
    if (from < to) {
        /* Bits from..to-1 (to <= 64: the table's frames have at most 64 positions). */
        uint64_t upto = to >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << to) - 1;
        uint64_t range = upto & ~(((uint64_t)1 << from) - 1);
        f->skipped |= range & f->mandatory & ~f->seen;
    }
    if (before == 0 && f->skipped != 0) {
        f->skip_index = seg->index;
        f->skip_offset = seg->offset;
        f->skip_position = position;
    }
}

enum xd_status xd_x12__set_segment(struct xd_x12__set_state *st, const struct xd_x12_segment *seg,
                                   uint32_t code, uint64_t position,
                                   const struct xd_x12__segdef **segdef, seq_fn fn, void *ctx)
{
    *segdef = NULL;
    size_t d = st->depth, idx = SIZE_MAX;
    while (d > 0) {
        idx = find_in_frame(&st->ix, &st->stack[d - 1], d > 1, code);
        if (idx != SIZE_MAX) {
            break;
        }
        d--;
    }
    if (idx == SIZE_MAX) {
        return place_backward(st, seg, segdef, fn, ctx);
    }
    enum xd_status rc = close_to(st, d, fn, ctx);
    if (rc != XD_OK) {
        return rc;
    }
    struct frame *f = &st->stack[d - 1];
    if (idx != f->pos || f->count == 0) {
        note_skipped(f, idx, seg, position);
        f->pos = idx;
        f->count = 0;
    }
    const struct xd_x12__node *node = &f->nodes[idx];
    f->count++;
    f->seen |= (uint64_t)1 << idx;
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
        st->path[st->depth - 1] = node->loop_id;
        frame_init(&st->stack[st->depth++], &st->ix, f->sub[idx], node->children, node->nchildren,
                   1, node->loop_id);
    }
    *segdef = node->seg;
    return XD_OK;
}

enum xd_status xd_x12__set_end(struct xd_x12__set_state *st, seq_fn fn, void *ctx)
{
    return close_to(st, 0, fn, ctx);
}
