/* SPDX-License-Identifier: MIT
 * Lookup indexes of a profile: sorted arrays in the profile's arena, so a document of a
 * thousand lines against a catalogue of fifty thousand cross-references costs a few binary
 * searches per line, and the rules find duplicates and follow conversion chains in
 * O(n log n). Built once after decoding; the profile is immutable afterwards. */
#include <stdlib.h>
#include <string.h>

#include "partner/partner_int.h"

const char *xd_partner__item_key(const struct xd_partner_item_xref *x, enum xd_partner__item_key k)
{
    switch (k) {
    case XD_PARTNER__VENDOR_PART:
        return x->vendor_part;
    case XD_PARTNER__BUYER_PART:
        return x->buyer_part;
    default:
        return x->gtin;
    }
}

/* qsort has no context argument: the key kind being sorted goes through this, set only while
 * xd_partner__index_build sorts (profiles are parsed on one thread each, but two threads may
 * parse at once, hence thread-local). */
static _Thread_local enum xd_partner__item_key sort_key;

static int cmp_item(const void *a, const void *b)
{
    const struct xd_partner_item_xref *x = *(const struct xd_partner_item_xref *const *)a;
    const struct xd_partner_item_xref *y = *(const struct xd_partner_item_xref *const *)b;
    int c = strcmp(xd_partner__item_key(x, sort_key), xd_partner__item_key(y, sort_key));
    /* Ties in input order, so "the first entry wins" stays true and reports are stable. */
    return c != 0 ? c : (x < y ? -1 : x > y);
}

static int cmp_conv_key(const char *sku_a, const char *from_a, const char *sku_b,
                        const char *from_b)
{
    int c = strcmp(sku_a != NULL ? sku_a : "", sku_b != NULL ? sku_b : "");
    return c != 0 ? c : strcmp(from_a, from_b);
}

static int cmp_conv(const void *a, const void *b)
{
    const struct xd_partner_conversion *x = *(const struct xd_partner_conversion *const *)a;
    const struct xd_partner_conversion *y = *(const struct xd_partner_conversion *const *)b;
    int c = cmp_conv_key(x->sku, x->from, y->sku, y->from);
    return c != 0 ? c : (x < y ? -1 : x > y);
}

enum xd_status xd_partner__index_build(struct xd_partner_profile *p)
{
    struct xd_partner_profile__priv *v = p->priv_;
    const struct xd_partner_mapping *m = &p->mapping;
    for (int k = 0; k < 3; k++) {
        size_t n = 0;
        for (size_t i = 0; i < m->n_items; i++) {
            n += xd_partner__item_key(&m->items[i], (enum xd_partner__item_key)k) != NULL;
        }
        const struct xd_partner_item_xref **arr =
            n > 0 ? xd_arena_calloc(v->arena, n, sizeof *arr) : NULL;
        if (n > 0 && arr == NULL) {
            return XD_ENOMEM;
        }
        n = 0;
        for (size_t i = 0; i < m->n_items; i++) {
            if (xd_partner__item_key(&m->items[i], (enum xd_partner__item_key)k) != NULL) {
                arr[n++] = &m->items[i];
            }
        }
        sort_key = (enum xd_partner__item_key)k;
        if (n > 1) {
            qsort(arr, n, sizeof *arr, cmp_item);
        }
        v->by_id[k] = arr;
        v->n_by_id[k] = n;
    }
    size_t nc = m->units.n_conversions;
    const struct xd_partner_conversion **conv =
        nc > 0 ? xd_arena_calloc(v->arena, nc, sizeof *conv) : NULL;
    if (nc > 0 && conv == NULL) {
        return XD_ENOMEM;
    }
    for (size_t i = 0; i < nc; i++) {
        conv[i] = &m->units.conversions[i];
    }
    if (nc > 1) {
        qsort(conv, nc, sizeof *conv, cmp_conv);
    }
    v->conv = conv;
    v->n_conv = nc;
    return XD_OK;
}

/* The first entry (lowest index) at or after the key, by binary search. */
static const struct xd_partner_conversion *conv_find(const struct xd_partner_profile__priv *v,
                                                     const char *sku, const char *unit)
{
    size_t lo = 0;
    size_t hi = v->n_conv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_conv_key(v->conv[mid]->sku, v->conv[mid]->from, sku, unit) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < v->n_conv && cmp_conv_key(v->conv[lo]->sku, v->conv[lo]->from, sku, unit) == 0) {
        return v->conv[lo];
    }
    return NULL;
}

const struct xd_partner_conversion *xd_partner__conversion_next(const struct xd_partner_profile *p,
                                                                const char *sku, const char *unit)
{
    const struct xd_partner_conversion *c =
        sku != NULL && sku[0] != '\0' ? conv_find(p->priv_, sku, unit) : NULL;
    return c != NULL ? c : conv_find(p->priv_, NULL, unit);
}

const char *xd_partner_item_sku(const struct xd_partner_profile *p, const char *vendor_part,
                                const char *buyer_part, const char *gtin)
{
    /* The most specific id first: a part number names one item; a GTIN may name a pack. */
    const char *ids[3] = {vendor_part, buyer_part, gtin};
    const struct xd_partner_profile__priv *v = p->priv_;
    for (int k = 0; k < 3; k++) {
        if (ids[k] == NULL) {
            continue;
        }
        size_t lo = 0;
        size_t hi = v->n_by_id[k];
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(xd_partner__item_key(v->by_id[k][mid], (enum xd_partner__item_key)k),
                       ids[k]) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < v->n_by_id[k] &&
            strcmp(xd_partner__item_key(v->by_id[k][lo], (enum xd_partner__item_key)k), ids[k]) ==
                0) {
            return v->by_id[k][lo]->sku;
        }
    }
    return NULL;
}
