/* SPDX-License-Identifier: MIT
 * The registry of translation specifications: by ST01 inbound, by document outbound. */
#include <string.h>

#include "x12/x12_spec.h"

static const struct xd_x12__tspec *const specs[] = {
    &xd_x12__spec_850, &xd_x12__spec_860, &xd_x12__spec_855, &xd_x12__spec_856,
    &xd_x12__spec_810, &xd_x12__spec_940, &xd_x12__spec_945, &xd_x12__spec_944,
    &xd_x12__spec_846, &xd_x12__spec_180, &xd_x12__spec_824,
};

const struct xd_x12__tspec *xd_x12__tspec_for_set(struct xd_slice set_id)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(specs); i++) {
        if (xd_slice_eq_cstr(set_id, specs[i]->set_id)) {
            return specs[i];
        }
    }
    return NULL;
}

const struct xd_x12__tspec *xd_x12__tspec_for_doc(const struct xd_canon_doc *doc)
{
    if (doc->type == XD_CANON_PURCHASE_ORDER) {
        const struct xd_canon_purchase_order *po = doc->body;
        bool change = po->purpose != NULL &&
                      (strcmp(po->purpose, "change") == 0 || strcmp(po->purpose, "cancel") == 0);
        return change ? &xd_x12__spec_860 : &xd_x12__spec_850;
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(specs); i++) {
        if (specs[i]->type == doc->type && specs[i]->steps != NULL) {
            return specs[i];
        }
    }
    return NULL;
}
