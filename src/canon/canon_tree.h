/* SPDX-License-Identifier: MIT
 * JSON text to and from jansson trees, faster than jansson's own parser and encoder and with
 * the same result: loading goes through the canonical codec's pull parser (src/canon/
 * canon_json.h) and builds the tree json_loadb would build (the grammar is stricter: duplicate
 * member names and \u0000 are refused); writing produces what json_dumps(JSON_COMPACT) does,
 * byte for byte. A library of its own (xd_canon_tree), so that the codec needs no jansson. */
#ifndef XD_CANON_CANON_TREE_H
#define XD_CANON_CANON_TREE_H

#include <stddef.h>

#include <jansson.h>

#include "canon/canon.h"
#include "core/core.h"

/* <text> as a tree; strings the parser had to unescape are kept in <a> while it runs (NULL:
 * in a scratch arena of its own, for a caller without one). NULL when the text is not one
 * JSON value or memory ran out. Text nested deeper than the pull
 * parser goes (XD_CANON_MAX_DEPTH) is handed to jansson's parser. */
json_t *xd_canon_tree_load(const char *text, size_t len, struct xd_arena *a);
/* Append <v> as compact JSON to <out>. XD_ENOMEM, XD_ETOOBIG (the buffer's cap, or nesting),
 * XD_EINVAL for what JSON cannot hold (NaN, infinity) or a NULL tree. */
enum xd_status xd_canon_tree_write(const json_t *v, struct xd_buf *out) XD_NODISCARD;
/* <v>, a document as a tree (mapped, built by rules), decoded and checked as the canonical
 * codec decodes text (xd_canon_decode: its statuses, problems into <diags>), in <a>. Text
 * past XD_CANON_MAX_INPUT is one "size" problem, XD_EINVALDOC. */
enum xd_status xd_canon_tree_decode(const json_t *v, struct xd_arena *a, struct xd_canon_doc **out,
                                    struct xd_diags *diags) XD_NODISCARD;
/* <v> written into <scratch> (emptied first) and copied into <a>; NULL on any failure. */
char *xd_canon_tree_dump(const json_t *v, struct xd_buf *scratch, struct xd_arena *a);

#endif
