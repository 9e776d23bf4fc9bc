/* SPDX-License-Identifier: MIT
 * The C structs of the canonical documents, generated from canon_defs.h: one struct
 * xd_canon_<name> per definition, members in definition order. Strings are NUL-terminated UTF-8
 * (NULL: absent); arrays are a pointer and an n_<member> count; optional decimal, integer and
 * boolean members have a has_<member> flag. Decoded documents live in the decoder's arena. */
#ifndef XD_CANON_CANON_TYPES_H
#define XD_CANON_CANON_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canon/canon_codes.h"
#include "canon/canon_defs.h"
#include "core/decimal.h"

/* The document types, in the order of XD_CANON_DOCUMENTS: XD_CANON_ITEM, XD_CANON_PARTY,
 * XD_CANON_LOCATION, XD_CANON_PURCHASE_ORDER, XD_CANON_PO_ACKNOWLEDGEMENT, XD_CANON_SHIP_NOTICE,
 * XD_CANON_RECEIPT, XD_CANON_INVOICE, XD_CANON_RETURN_AUTHORIZATION, XD_CANON_SHIPPING_ORDER,
 * XD_CANON_SHIPMENT_CONFIRMATION, XD_CANON_INVENTORY_MOVEMENT, XD_CANON_INVENTORY_SNAPSHOT. */
#define XD_CANON__TYPE_ENUM(E, s) XD_CANON_##E,
enum xd_canon_type { XD_CANON_DOCUMENTS(XD_CANON__TYPE_ENUM) XD_CANON_TYPE_COUNT };
#undef XD_CANON__TYPE_ENUM

#define XD_CANON__MEMBER(S, K, m, P, A, B, key, doc) XD_CANON__MEMBER_##K(m, P, A)
#define XD_CANON__MEMBER_STRING(m, P, A)             const char *m;
#define XD_CANON__MEMBER_CODE(m, P, A)               const char *m;
#define XD_CANON__MEMBER_DATE(m, P, A)               const char *m;
#define XD_CANON__MEMBER_DATETIME(m, P, A)           const char *m;
#define XD_CANON__MEMBER_DECIMAL(m, P, A)                                                          \
    struct xd_decimal m;                                                                           \
    XD_CANON__HAS_##P(m)
#define XD_CANON__MEMBER_INT(m, P, A)                                                              \
    int64_t m;                                                                                     \
    XD_CANON__HAS_##P(m)
#define XD_CANON__MEMBER_BOOL(m, P, A)                                                             \
    bool m;                                                                                        \
    XD_CANON__HAS_##P(m)
#define XD_CANON__MEMBER_OBJECT(m, P, A) struct xd_canon_##A *m;
#define XD_CANON__MEMBER_INLINE(m, P, A) struct xd_canon_##A m;
#define XD_CANON__MEMBER_ARRAY(m, P, A)                                                            \
    struct xd_canon_##A *m;                                                                        \
    size_t n_##m;
#define XD_CANON__MEMBER_STRINGS(m, P, A)                                                          \
    const char **m;                                                                                \
    size_t n_##m;
#define XD_CANON__HAS_REQ(m)
#define XD_CANON__HAS_OPT(m) bool has_##m;

#define XD_CANON__DECLARE(name, doc)                                                               \
    struct xd_canon_##name {                                                                       \
        XD_CANON_FIELDS_##name(XD_CANON__MEMBER, name)                                             \
    };
XD_CANON_STRUCTS(XD_CANON__DECLARE)
#undef XD_CANON__DECLARE

#endif
