/* SPDX-License-Identifier: MIT
 * The registry's structures, shared by registry.c and apply.c (which holds apply_mu across an
 * apply and replaces the whole content at load). */
#ifndef XD_PARTNER_REGISTRY_INT_H
#define XD_PARTNER_REGISTRY_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "partner/partner.h"

struct xd_partner_snapshot {
    atomic_long refs;
    const struct xd_partner_profile **by_id; /* sorted by id; one reference each */
    size_t n;
    const struct xd_partner_profile **by_isa; /* with ISA identifiers, by (qualifier, id) */
    size_t n_isa;
    const struct xd_partner_profile **by_gs; /* with a GS id, by it */
    size_t n_gs;
};

struct xd_partner_registry {
    pthread_mutex_t mu;       /* current */
    pthread_mutex_t wmu;      /* building snapshots */
    pthread_mutex_t apply_mu; /* whole applies (apply.c) */
    struct xd_partner_snapshot *current;
    const struct xd_secret_key *key;
    atomic_uint_fast64_t generation; /* + 1 at every swap of current (put, load) */
};

/* Replace the whole content with <n> profiles whose references (and the array, xd_malloc'd)
 * the registry takes over, also on failure. */
enum xd_status xd_partner__registry_replace(struct xd_partner_registry *r,
                                            const struct xd_partner_profile **profiles, size_t n);

#endif
