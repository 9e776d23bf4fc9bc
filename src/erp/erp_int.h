/* SPDX-License-Identifier: MIT
 * Inside the ERP part: the connector handle every connector shares, the Tryton JSON-RPC client
 * (rpc.c) and the Tryton connector's operations (tryton.c). One thread uses a handle at a
 * time. */
#ifndef XD_ERP_ERP_INT_H
#define XD_ERP_ERP_INT_H

#include <stdatomic.h>

#include <jansson.h>

#include "erp/erp.h"
#include "partner/partner.h"

struct xd_erp {
    const struct xd_erp_ops *ops;
    const struct xd_partner_profile *p; /* a reference of its own */
    char rpc_url[2200];                 /* <erp.url>/<database>/ */
    char username[128];
    struct xd_secret *password;
    char *session; /* "Session <base64 user:uid:session>" once logged in, else NULL */
    json_t *context;
    int64_t timeout_ms;
    void *curl; /* CURL *, created at the first call */
    /* When set and true, a call under way is abandoned (the poller stopping): XD_ECLOSED. */
    const atomic_bool *cancel;
};

/* A Tryton error answer, split for the caller: the exception's name ("UserError") and its
 * message; <refused> when retrying the same call cannot help (a user, access or validation
 * error), false for concurrency, rate limits and server failures. */
struct xd_erp__fault {
    char name[64];
    char message[XD_ERP_DETAIL_MAX];
    bool refused;
};

/* Call <method> with <params> (a JSON array; stolen, also on failure); the handle's context is
 * appended when <with_context>. Logs in first when there is no session, and once more when the
 * session was refused. XD_OK with *result (the caller's reference); XD_EDECLINED: Tryton answered
 * an error (<fault>, and err says "Tryton answered <name>: <message>"); XD_EUNAVAIL: no answer,
 * an HTTP error, or an answer that is not JSON-RPC; XD_ETOOBIG; XD_ENOMEM. */
enum xd_status xd_erp__call(struct xd_erp *e, const char *method, json_t *params, bool with_context,
                            json_t **result, struct xd_erp__fault *fault, struct xd_error *err);
/* Shorthand for model.<model>.<method>. */
enum xd_status xd_erp__model(struct xd_erp *e, const char *model, const char *method,
                             json_t *params, json_t **result, struct xd_erp__fault *fault,
                             struct xd_error *err);
void xd_erp__rpc_close(struct xd_erp *e);

/* Tryton's Decimal and date values. */
json_t *xd_erp__decimal(const char *text);
json_t *xd_erp__date(const char *yyyy_mm_dd);
/* A Decimal, float or integer answer as a decimal string into <out>; false when none. */
bool xd_erp__number_text(const json_t *v, char *out, size_t cap);
/* A date or datetime answer as "YYYY-MM-DD" (or with "THH:MM:SS.ffffff" for datetimes) */
bool xd_erp__date_text(const json_t *v, char *out, size_t cap);

extern const struct xd_erp_ops xd_erp__tryton;

#endif
