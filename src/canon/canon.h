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

#include "canon/canon_types.h"
#include "core/core.h"

/* "purchase_order" ...; NULL for an out-of-range value. */
const char *xd_canon_type_name(enum xd_canon_type t);
/* XD_ENOTFOUND for an unknown name. */
enum xd_status xd_canon_type_parse(const char *name, size_t len,
                                   enum xd_canon_type *out) XD_NODISCARD;

/* A decoded document. `body` points at the type's struct (struct xd_canon_purchase_order ...,
 * declared in canon_types.h), allocated in the arena the document was decoded into. Every
 * document struct starts with `struct xd_canon_header header` (id, correlation_id, source). */
struct xd_canon_doc {
    enum xd_canon_type type;
    void *body;
};

/* Limits a decoder enforces on hostile input (XD_ETOOBIG past them). Arrays, strings and
 * the problem list have their own caps (canon_defs.h, struct xd_diags). */
#define XD_CANON_MAX_DEPTH 16
#define XD_CANON_MAX_INPUT ((size_t)16 * 1024 * 1024)

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
enum xd_status xd_canon_validate(const struct xd_canon_doc *doc,
                                 struct xd_diags *diags) XD_NODISCARD;

/* Compact JSON with members in definition order and absent optional members omitted, so
 * decode(encode(d)) == d and encode(decode(j)) is j for any valid j written in that order. */
enum xd_status xd_canon_encode(const struct xd_canon_doc *doc, struct xd_buf *out) XD_NODISCARD;

/* xd_canon_validate and, for a valid document, xd_canon_encode, in one walk (each string is
 * scanned once): XD_OK with the JSON appended to <out>; XD_EINVALDOC with the problems in
 * <diags> exactly as xd_canon_validate reports them, <out> unchanged; XD_ENOMEM or XD_ETOOBIG
 * (<out>'s cap), <out> unchanged; XD_EINVAL for a NULL document or body, or a bad type. */
enum xd_status xd_canon_encode_valid(const struct xd_canon_doc *doc, struct xd_buf *out,
                                     struct xd_diags *diags) XD_NODISCARD;

/* The business keys a document carries, for correlation: ("po_number", "4500001"),
 * ("asn_number", ...). Keys of lines referring to other documents (a receipt line's
 * po_number) are included, without duplicates; an application advice about a purchase order
 * without a po_number has its document_number as one. Returns how many were written (at most
 * cap); *total receives how many exist. Strings point into the document. */
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

/* --- Added to the first contract ------------------------------------------------------------ */

/* A new document of type <t> with a zeroed body, both allocated in <a>, for translators that
 * build documents in C. XD_EINVAL for an out-of-range type, XD_ENOMEM. */
enum xd_status xd_canon_doc_create(struct xd_arena *a, enum xd_canon_type t,
                                   struct xd_canon_doc **out) XD_NODISCARD;

/* The header every document starts with, for the hub to read and assign `id` and
 * `correlation_id`. <doc> must have a valid type and a body. */
struct xd_canon_header *xd_canon_doc_header(const struct xd_canon_doc *doc);

/* True when <code> belongs to the code list named <list> ("uom", "party_role", "purpose" ...;
 * see docs/canonical-documents.md). False for an unknown list. */
bool xd_canon_code_valid(const char *list, const char *code);

/* Markdown reference of every document type, member, code list, string class and rule,
 * generated from the definitions (docs/canonical-documents.md embeds it). */
enum xd_status xd_canon_describe(struct xd_buf *out) XD_NODISCARD;

/* Problem codes the decoder and validator put in struct xd_diag.code:
 *   syntax, too_deep, too_big     not JSON, nested too deep, input too large
 *   not_object, type_unknown      the document is not an object; `type` missing or unknown
 *   required, unknown_member      a required member is missing; a member no definition has
 *   type                          wrong JSON type (a number where a decimal string belongs ...)
 *   empty, max_length, format     empty string; too long; not of the member's string class
 *   check_digit, code             bad GS1 check digit; value not in the member's code list
 *   decimal, scale, range         not a decimal string; too many fraction digits; out of bounds
 *   date, datetime                not a calendar date; not an RFC 3339 date-time
 *   min_items, max_items          empty array; too many items
 *   invalid                       a C-built member the codec cannot represent (NULL item ...)
 * and, from cross-field rules: duplicate, mismatch, order, missing, reference, inconsistent. */

#endif
