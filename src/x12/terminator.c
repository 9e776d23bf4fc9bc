/* SPDX-License-Identifier: MIT
 * Lost segment terminators: a segment that swallowed the next one because the terminator
 * between them is missing ("REF*ZZ*ASIAQTY*17*403.32*FT" written for
 * "REF*ZZ*ASIA~QTY*17*403.32*FT"). The validator asks only for segments that have element
 * errors as read, so valid input never comes here; a split is made only where exactly one
 * reading gives two segments that the set's table knows and whose elements all check. */
#include <string.h>

#include "x12/x12_int.h"

/* The reader's per-element marks (struct xd_x12_segment), computed again for a half. */
static void fill_marks(struct xd_x12_segment *s)
{
    const struct xd_x12_delims *d = s->delims;
    s->present = s->components = s->repetitions = s->controls = 0;
    for (size_t i = 0; i < s->count; i++) {
        unsigned shift = i < 63 ? (unsigned)i : 63;
        struct xd_slice v = s->elements[i];
        s->present |= (uint64_t)(v.len > 0) << shift;
        for (size_t k = 0; k < v.len; k++) {
            unsigned char c = (unsigned char)v.p[k];
            s->components |= (uint64_t)(c == d->component) << shift;
            s->repetitions |= (uint64_t)(d->repetition != 0 && c == d->repetition) << shift;
            s->controls |= (uint64_t)(c < 0x20 || c == 0x7F) << shift;
        }
    }
}

/* <seg> read as two segments: elements[0..el] with the last <idlen> bytes of elements[el]
 * taken off, and a segment whose ID is those bytes, followed by elements[el+1..]. */
static void build(const struct xd_x12_segment *seg, size_t el, size_t idlen,
                  struct xd_x12__split *out)
{
    struct xd_slice v = seg->elements[el];
    struct xd_slice id = {v.p + v.len - idlen, idlen};
    struct xd_x12_segment *a = &out->first, *b = &out->second;
    *a = *seg;
    *b = *seg;
    memcpy(out->elems[0], seg->elements, (el + 1) * sizeof *seg->elements);
    out->elems[0][el].len = v.len - idlen;
    a->elements = out->elems[0];
    a->count = el + 1;
    a->raw.len = (size_t)(id.p - seg->raw.p);
    out->elems[1][0] = id;
    memcpy(out->elems[1] + 1, seg->elements + el + 1, (seg->count - el - 1) * sizeof id);
    b->id = id;
    b->elements = out->elems[1];
    b->count = seg->count - el;
    b->raw = (struct xd_slice){id.p, seg->raw.len - a->raw.len};
    b->offset = seg->offset + a->raw.len;
    out->element = (unsigned)el;
    fill_marks(a);
    fill_marks(b);
}

/* Both halves check without a single problem. */
static bool clean(const struct xd_x12__check_ctx *ctx, const struct xd_x12__segdef *def,
                  const struct xd_x12__segdef *next, const struct xd_x12__split *s)
{
    return xd_x12__check_segment(ctx, def, &s->first) == 0 &&
           xd_x12__check_segment(ctx, next, &s->second) == 0;
}

/* Places looked at per segment at most (elements ending with something shaped like a segment
 * ID): a hostile file of damaged segments costs a bounded amount of work per segment. A
 * segment with more is not split. */
#define MAX_TRIES 32

/* A segment ID's shape: an upper-case letter, then upper-case letters or digits. */
static bool id_shaped(const char *p, size_t n)
{
    if (p[0] < 'A' || p[0] > 'Z') {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9'))) {
            return false;
        }
    }
    return true;
}

bool xd_x12__split_lost_terminator(const struct xd_x12__check_ctx *ctx,
                                   const struct xd_x12__setdef *set,
                                   const struct xd_x12__segdef *def,
                                   const struct xd_x12_segment *seg, struct xd_x12__split *out)
{
    size_t found = 0, at = 0, at_len = 0, tries = 0;
    /* The last element cannot be the one: the next segment would have no elements. */
    for (size_t el = 1; el + 1 < seg->count && found < 2; el++) {
        struct xd_slice v = seg->elements[el];
        for (size_t idlen = 2; idlen <= 3 && idlen < v.len; idlen++) {
            const char *id = v.p + v.len - idlen;
            if (!id_shaped(id, idlen)) {
                continue;
            }
            if (++tries > MAX_TRIES) {
                return false; /* too many possible readings to look at */
            }
            const struct xd_x12__segdef *next =
                xd_x12__set_contains(set, (struct xd_slice){id, idlen});
            if (next == NULL) {
                continue;
            }
            build(seg, el, idlen, out);
            if (clean(ctx, def, next, out)) {
                found++;
                at = el;
                at_len = idlen;
            }
        }
    }
    if (found != 1) {
        return false;
    }
    build(seg, at, at_len, out);
    return true;
}
