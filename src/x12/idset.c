/* SPDX-License-Identifier: MIT
 * Open-addressing set of short identifiers for the uniqueness checks of control numbers and
 * HL IDs. Up to 9 ASCII characters pack exactly into 63 bits (7 bits each, left-aligned, so
 * lengths differ) and are stored odd; anything longer is hashed (FNV-1a) and stored even.
 * The identifiers are a partner's: each set has a seed nobody outside the process knows, so
 * that no one can choose identifiers that all land on one slot (probing them would take time
 * quadratic in their number) or long ones that hash alike (read as duplicates). */
#include <string.h>

#include "x12/x12_int.h"

#define IDSET_MIN_SLOTS 64

static uint64_t key_of(const struct xd_x12__idset *s, struct xd_slice k)
{
    bool ascii = k.len <= 9;
    for (size_t i = 0; ascii && i < k.len; i++) {
        ascii = (unsigned char)k.p[i] > 0 && (unsigned char)k.p[i] < 0x80;
    }
    if (ascii) {
        uint64_t v = 0;
        for (size_t i = 0; i < 9; i++) {
            v = (v << 7) | (i < k.len ? (uint64_t)(unsigned char)k.p[i] : 0);
        }
        return (v << 1) | 1u; /* exact keys are odd, so never 0 (the empty marker) */
    }
    uint64_t h = 1469598103934665603ULL ^ s->seed;
    for (size_t i = 0; i < k.len; i++) {
        h = (h ^ (unsigned char)k.p[i]) * 1099511628211ULL;
    }
    h &= ~1ULL; /* hashed keys are even */
    return h != 0 ? h : 2;
}

/* murmur3's 64-bit finalizer: every bit of <k> moves every bit of the result (packed keys
 * differ in their high bits only). */
static uint64_t mix(uint64_t k)
{
    uint64_t h = k ^ (k >> 33);
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
}

/* The seed: where the program and this set were placed in memory (address space layout
 * randomization picks both anew at every start) and how many sets came before. The codec
 * reads nothing to get it. */
static uint64_t seed_of(const struct xd_x12__idset *s)
{
    static _Atomic uint64_t count;
    static const char anchor;
    uint64_t h = mix((uint64_t)(uintptr_t)&anchor ^ (uint64_t)count++ * 0x9E3779B97F4A7C15ULL);
    return mix(h ^ (uint64_t)(uintptr_t)s);
}

void xd_x12__idset_init(struct xd_x12__idset *s, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->cap = cap;
    s->seed = seed_of(s);
}

void xd_x12__idset_cleanup(struct xd_x12__idset *s)
{
    xd_free(s->slots);
    xd_free(s->vals);
    s->slots = NULL;
    s->vals = NULL;
    s->mask = 0;
    s->used = 0;
}

void xd_x12__idset_clear(struct xd_x12__idset *s)
{
    if (s->slots != NULL) {
        memset(s->slots, 0, (s->mask + 1) * sizeof *s->slots);
    }
    s->used = 0;
}

/* Where the search for <k> starts. */
static size_t home(const struct xd_x12__idset *s, uint64_t k)
{
    return (size_t)mix(k ^ s->seed) & s->mask;
}

static size_t find(const struct xd_x12__idset *s, uint64_t k)
{
    size_t i = home(s, k);
    while (s->slots[i] != 0 && s->slots[i] != k) {
        i = (i + 1) & s->mask;
    }
    return i;
}

static enum xd_status grow(struct xd_x12__idset *s)
{
    size_t n = s->slots ? (s->mask + 1) * 2 : IDSET_MIN_SLOTS;
    uint64_t *slots = xd_calloc(n, sizeof *slots);
    uint8_t *vals = xd_calloc(n, 1);
    if (slots == NULL || vals == NULL) {
        xd_free(slots);
        xd_free(vals);
        return XD_ENOMEM;
    }
    struct xd_x12__idset old = *s;
    s->slots = slots;
    s->vals = vals;
    s->mask = n - 1;
    for (size_t i = 0; old.slots != NULL && i <= old.mask; i++) {
        if (old.slots[i] != 0) {
            size_t j = find(s, old.slots[i]);
            s->slots[j] = old.slots[i];
            s->vals[j] = old.vals[i];
        }
    }
    xd_free(old.slots);
    xd_free(old.vals);
    return XD_OK;
}

void xd_x12__idset_prefetch(const struct xd_x12__idset *s, struct xd_slice key)
{
    if (s->slots != NULL) {
        __builtin_prefetch(&s->slots[home(s, key_of(s, key))]);
    }
}

void xd_x12__idset_prefetch_next(const struct xd_x12__idset *s, struct xd_slice key)
{
    char next[9];
    if (s->slots == NULL || key.len == 0 || key.len > sizeof next) {
        return;
    }
    /* <key> plus one, in as many digits ("0041" -> "0042"); nothing past all nines. */
    size_t i = key.len;
    for (size_t k = 0; k < key.len; k++) { /* a few bytes: no call */
        next[k] = key.p[k];
    }
    while (i > 0 && next[i - 1] == '9') {
        next[--i] = '0';
    }
    if (i == 0 || next[i - 1] < '0' || next[i - 1] > '8') {
        return;
    }
    next[i - 1]++;
    __builtin_prefetch(&s->slots[home(s, key_of(s, (struct xd_slice){next, key.len}))]);
}

bool xd_x12__idset_get(const struct xd_x12__idset *s, struct xd_slice key, uint8_t *val_out)
{
    if (s->slots == NULL) {
        return false;
    }
    size_t i = find(s, key_of(s, key));
    if (s->slots[i] == 0) {
        return false;
    }
    if (val_out != NULL) {
        *val_out = s->vals[i];
    }
    return true;
}

enum xd_status xd_x12__idset_add(struct xd_x12__idset *s, struct xd_slice key, uint8_t val,
                                 bool *found, uint8_t *val_out)
{
    uint64_t k = key_of(s, key);
    if (s->slots != NULL) {
        size_t i = find(s, k);
        if (s->slots[i] == k) {
            *found = true;
            if (val_out != NULL) {
                *val_out = s->vals[i];
            }
            return XD_OK;
        }
    }
    *found = false;
    if (s->used >= s->cap) {
        return XD_ETOOBIG;
    }
    if (s->slots == NULL || (s->used + 1) * 4 > (s->mask + 1) * 3) {
        enum xd_status st = grow(s);
        if (st != XD_OK) {
            return st;
        }
    }
    size_t i = find(s, k);
    s->slots[i] = k;
    s->vals[i] = val;
    s->used++;
    return XD_OK;
}
