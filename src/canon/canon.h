/* SPDX-License-Identifier: MIT
 * Canonical business documents: the one shape every partner format is translated into and out
 * of. One definition per type (canon_defs.h, an X-macro table) drives the C structs, the JSON
 * codec, the validator and the JSON Schema, so they cannot drift apart.
 *
 * Pure library: bytes in, documents out; no I/O. Documents live in the caller's arena.
 * Quantities and money are struct xd_decimal in C and decimal strings in JSON ("12.50"). */
#ifndef XD_CANON_CANON_H
#define XD_CANON_CANON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

/* The document types, in the order of canon_defs.h. */
enum xd_canon_type {
    XD_CANON_ITEM,
    XD_CANON_PARTY,
    XD_CANON_LOCATION,
    XD_CANON_PURCHASE_ORDER,
    XD_CANON_PO_ACKNOWLEDGEMENT,
    XD_CANON_SHIP_NOTICE,
    XD_CANON_RECEIPT,
    XD_CANON_INVOICE,
    XD_CANON_RETURN_AUTHORIZATION,
    XD_CANON_SHIPPING_ORDER,
    XD_CANON_SHIPMENT_CONFIRMATION,
    XD_CANON_INVENTORY_MOVEMENT,
    XD_CANON_INVENTORY_SNAPSHOT,
    XD_CANON_TYPE_COUNT
};

/* "purchase_order" ...; NULL for an out-of-range value. */
const char *xd_canon_type_name(enum xd_canon_type t);
/* XD_ENOTFOUND for an unknown name. */
enum xd_status xd_canon_type_parse(const char *name, size_t len, enum xd_canon_type *out)
    XD_NODISCARD;

/* A decoded document. `body` points at the type's struct (struct xd_canon_purchase_order ...,
 * declared in canon_types.h), allocated in the arena the document was decoded into. */
struct xd_canon_doc {
    enum xd_canon_type type;
    void *body;
};

/* Limits a decoder enforces on hostile input (XD_ETOOBIG past them). */
#define XD_CANON_MAX_DEPTH 16

/* Decode JSON text into a document allocated in <a>, checking it against its definition:
 * syntax, the `type` member, unknown members, member types, required members, lengths, code
 * lists, decimal and date formats, and the type's cross-field rules. Every problem goes into
 * <diags> with its JSON path ("$.lines[2].quantity") and a reason.
 * Returns XD_OK; XD_EPARSE (not JSON: one diag with line and column); XD_ENOTFOUND (`type`
 * missing or unknown: one diag at "$.type"); XD_EINVALDOC (at least one problem in diags);
 * XD_ETOOBIG (nesting deeper than XD_CANON_MAX_DEPTH); XD_ENOMEM. *out is set only on XD_OK. */
enum xd_status xd_canon_decode(const char *json, size_t len, struct xd_arena *a,
                               struct xd_canon_doc **out, struct xd_diags *diags) XD_NODISCARD;

/* Check a document built in C (by a translator) the same way decode checks JSON. XD_OK or
 * XD_EINVALDOC with every problem in <diags>. */
enum xd_status xd_canon_validate(const struct xd_canon_doc *doc, struct xd_diags *diags)
    XD_NODISCARD;

/* Compact JSON with members in definition order and absent optional members omitted, so
 * decode(encode(d)) == d and encode(decode(j)) is j for any valid j written in that order. */
enum xd_status xd_canon_encode(const struct xd_canon_doc *doc, struct xd_buf *out) XD_NODISCARD;

/* The business keys a document carries, for correlation: ("po_number", "4500001"),
 * ("asn_number", ...). Keys of lines referring to other documents (a receipt line's
 * po_number) are included, without duplicates. Returns how many were written (at most cap);
 * *total receives how many exist. Strings point into the document. */
struct xd_canon_key {
    const char *name;
    const char *value;
};
size_t xd_canon_keys(const struct xd_canon_doc *doc, struct xd_canon_key *keys, size_t cap,
                     size_t *total);

/* JSON Schema (draft 2020-12) of one type, generated from its definition. */
enum xd_status xd_canon_schema(enum xd_canon_type t, struct xd_buf *out) XD_NODISCARD;

/* Units of measure (X12 355 / UN/ECE Rec 20 subset): true when <code> is one we accept. */
bool xd_canon_uom_valid(const char *code);

#endif
