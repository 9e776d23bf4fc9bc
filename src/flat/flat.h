/* SPDX-License-Identifier: MIT
 * Flat files: CSV (RFC 4180) and fixed-width records mapped to and from canonical documents by a
 * partner's mapping (docs/flat-files.md). Documents are jansson objects addressed by paths such
 * as "po_number" or "lines[].quantity"; the caller validates them with canon afterwards.
 *
 * Pure library: bytes in, documents out, no I/O. A map is immutable once created and may be
 * shared by threads; a reader belongs to one thread. Every problem in the input is reported in
 * a struct xd_diags as path "line 7, column 'qty' (lines[].quantity)" and message "'twelve' is
 * not a number". */
#ifndef XD_FLAT_FLAT_H
#define XD_FLAT_FLAT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"

/* jansson's json_t (jansson.h declares `typedef struct json_t json_t`). */
struct json_t;

struct xd_flat_map;
struct xd_flat_reader;

/* Build a map from its JSON description (a partner profile embeds it; YAML profiles convert
 * to JSON first). <spec> is borrowed and may be freed after the call. Every problem of the
 * description goes into <diags> (may be NULL) with its JSON path ("fields[2].date_format").
 * XD_OK with *out set; XD_EINVAL when the description is wrong; XD_ENOMEM. */
enum xd_status xd_flat_map_create(const struct json_t *spec, struct xd_flat_map **out,
                                  struct xd_diags *diags) XD_NODISCARD;
/* NULL-safe. */
void xd_flat_map_destroy(struct xd_flat_map *m);
/* The canonical type the map produces ("purchase_order"). */
const char *xd_flat_map_document_type(const struct xd_flat_map *m);

/* A reader over <len> bytes at <data>, which are borrowed and must outlive the reader (they may
 * be a mapped file: the reader never copies the input, and holds at most the documents being
 * assembled). <m> must outlive the reader. XD_OK or XD_ENOMEM. */
enum xd_status xd_flat_reader_create(const struct xd_flat_map *m, const void *data, size_t len,
                                     struct xd_flat_reader **out) XD_NODISCARD;
/* NULL-safe. */
void xd_flat_reader_destroy(struct xd_flat_reader *r);

/* The next document, in file order.
 *   XD_OK         *doc is a new reference the caller owns (json_decref), or NULL at the end.
 *   XD_EINVALDOC  one document had problems; they were added to <diags> and the document was
 *                 dropped. Call again for the next one.
 *   XD_EPARSE, XD_ETOOBIG  the file cannot be read on (an unterminated quote, a header without
 *                 a mapped column, a cap passed); the reason is in <diags> and every later call
 *                 answers the same. Documents completed before that point come first.
 *   XD_ENOMEM     out of memory; the reader is unusable.
 * <diags> may be NULL. *doc is written only on XD_OK. */
enum xd_status xd_flat_reader_next(struct xd_flat_reader *r, struct json_t **doc,
                                   struct xd_diags *diags) XD_NODISCARD;

/* The whole input at once: *docs receives a new JSON array of every document, only when there
 * was no problem at all. Otherwise the first failing status of xd_flat_reader_next (XD_EINVALDOC
 * when only documents were invalid), with every problem in <diags>. */
enum xd_status xd_flat_decode(const struct xd_flat_map *m, const void *data, size_t len,
                              struct json_t **docs, struct xd_diags *diags) XD_NODISCARD;

/* Encoding appends to <out>, whose cap bounds the output (XD_ETOOBIG past it). On any failure
 * <out> is restored to the length it had, so no half-written record is left behind.
 *
 * xd_flat_encode_begin: the byte order mark and the header row, as the map asks.
 * xd_flat_encode_doc: the records of one document (an object); <index> numbers it in messages
 *   ("document 3, lines[2].quantity (column 'Qty')"). Values that cannot be written (a value
 *   wider than its fixed-width field, a code missing from a value map, a required value absent)
 *   are all reported in <diags>: XD_EINVALDOC.
 * xd_flat_encode: begin, then every document of <docs> (an array, or one object); it also
 *   refuses documents the reader would merge (neighbours with the same group key, any two with
 *   the same key in mode all, more than one in mode file). Callers of encode_doc keep to that
 *   themselves. XD_EINVAL when <docs> is neither an array nor an object. */
enum xd_status xd_flat_encode_begin(const struct xd_flat_map *m, struct xd_buf *out) XD_NODISCARD;
enum xd_status xd_flat_encode_doc(const struct xd_flat_map *m, const struct json_t *doc,
                                  size_t index, struct xd_buf *out,
                                  struct xd_diags *diags) XD_NODISCARD;
enum xd_status xd_flat_encode(const struct xd_flat_map *m, const struct json_t *docs,
                              struct xd_buf *out, struct xd_diags *diags) XD_NODISCARD;

#endif
