/* SPDX-License-Identifier: MIT
 * Delivery endpoints from partner profiles: a struct xd_deliver_registry over the partner
 * registry, so what the delivery engine uses for a partner's endpoint (URL, method, headers,
 * authentication with its credential opened from the sealed store, webhook signing secret,
 * timeouts, private networks, order, retry policy, circuit breaker, failover) is the profile in
 * effect, from the moment it is applied. Another registry (the --endpoints file) may stand
 * behind it for the (partner, endpoint) pairs no profile defines.
 *
 * This part joins two parts that know nothing of each other: deliver (no profiles) and
 * partner (no delivery). Only the top (cli) uses it (DESIGN.md: arrows point down).
 *
 * Threads: every function is safe from any thread. Nothing is cached here: a lookup reads the
 * current snapshot (a mutex held for a pointer copy) and opens the credentials it needs; the
 * engine caches by generation. Secrets go into the caller's struct and nowhere else. */
#ifndef XD_ENDPOINTS_ENDPOINTS_H
#define XD_ENDPOINTS_ENDPOINTS_H

#include "core/core.h"
#include "deliver/deliver.h"
#include "partner/partner.h"

struct xd_endpoints;

/* A registry over <partners> (borrowed; must outlive it), with <fallback> (copied, what it
 * points to borrowed; NULL: none) for pairs no profile defines. XD_ENOMEM. */
enum xd_status xd_endpoints_create(struct xd_partner_registry *partners,
                                   const struct xd_deliver_registry *fallback,
                                   struct xd_endpoints **out) XD_NODISCARD;
void xd_endpoints_destroy(struct xd_endpoints *e);
/* The delivery registry interface over <e> (borrowed: <e> must outlive its users):
 *   lookup: the profile's endpoint when the partner's profile defines it, else the fallback's;
 *   each: every profile endpoint, then the fallback's that no profile shadows;
 *   generation: changes whenever a profile is applied (or loaded) or the fallback changes. */
void xd_endpoints_registry(struct xd_endpoints *e, struct xd_deliver_registry *out);

/* Endpoint <pe> of profile <p> as delivery configuration, into *out:
 *   kind, url, method, headers, timeouts, ordered, allow_private_networks as they are;
 *   auth: bearer and header take the token credential, basic the password credential's
 *     username and value (opened through <partners>);
 *   signing_secret: the hmac_key credential, "whsec_" + base64 as Standard Webhooks writes it
 *     (decoded), or any other value as the key's bytes (at most XD_DELIVER_SECRET_MAX);
 *   outbound.retry and outbound.circuit_breaker (the partner's, for each of its endpoints);
 *   outbound.failover: the alternate partner, and of its endpoints the one of the same name,
 *     else its only one, else the one its profile sends the first document type this endpoint
 *     carries to; none found (or no profile in <snap>): the same name, which the engine then
 *     finds unconfigured and does not re-route to.
 * What cannot be made usable (a credential that does not open, a value delivery cannot send)
 * goes into out->config_error, never with a secret, and the secrets are left empty: XD_OK all
 * the same, the endpoint exists. XD_ENOMEM; XD_EINVAL when the id or name do not fit (a checked
 * profile never has such). <snap> may be NULL (no alternate resolution). */
enum xd_status xd_endpoints_map(struct xd_partner_registry *partners,
                                const struct xd_partner_snapshot *snap,
                                const struct xd_partner_profile *p,
                                const struct xd_partner_endpoint *pe,
                                struct xd_deliver_endpoint *out) XD_NODISCARD;

#endif
