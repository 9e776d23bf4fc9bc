/* SPDX-License-Identifier: MIT
 * Private to src/canon (and its tests and fuzz targets): a strict JSON pull parser (RFC 8259)
 * over one buffer. The caller asks for what it expects next (a member, an item, a string ...),
 * so the decoder converts straight into its structs without building a tree. Strings come back
 * as slices of the input when they hold no escape, otherwise decoded once into the arena;
 * numbers come back as their text. Every value is checked even when skipped: UTF-8 (no overlong
 * forms, no surrogates), escapes (surrogate pairs joined, lone halves refused, \u0000 refused so
 * strings stay C strings), number grammar, duplicate member names, nesting at most
 * XD_CANON_MAX_DEPTH containers, nothing after the document. The first problem stops the parser:
 * every later call fails at once, and status, message and position say what and where.
 * One parser belongs to one thread; it allocates strings from the arena and, for duplicate
 * checks of members nobody described (skipped values, unknown members), a few tables from
 * xd_malloc that xd_canon__json_cleanup frees. */
#ifndef XD_CANON_CANON_JSON_H
#define XD_CANON_CANON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canon/canon.h"

enum xd_canon__jtype {
    XD_CANON__J_NONE, /* no value here: the parser has failed (see status) */
    XD_CANON__J_OBJECT,
    XD_CANON__J_ARRAY,
    XD_CANON__J_STRING,
    XD_CANON__J_NUMBER,
    XD_CANON__J_TRUE,
    XD_CANON__J_FALSE,
    XD_CANON__J_NULL,
};

/* A string or member name. <p> points into the input when the text had no escape (then it is
 * not NUL-terminated); otherwise at the decoded bytes in the arena, NUL-terminated. */
struct xd_canon__jstr {
    const char *p;
    size_t len;   /* bytes, decoded */
    size_t chars; /* Unicode code points */
    size_t at;    /* offset of the opening quote in the input */
    bool escaped;
};

/* Members seen in one open object, for duplicate checks when no presence bits can do it:
 * sorted runs whose sizes follow the binary digits of n (runs of 2^k merged as they fill), so
 * a lookup is a binary search per run and no input can make it quadratic (a hash table keyed
 * by attacker-chosen names could be). */
struct xd_canon__jkeys {
    struct xd_canon__jstr *items;
    struct xd_canon__jstr *scratch; /* merge buffer, as large as items */
    size_t n, cap;
};

#define XD_CANON__JSON_MSG_MAX 112

struct xd_canon__json {
    const char *text;
    const char *cur;
    const char *end;
    struct xd_arena *arena;
    char *pool; /* decoded strings: room for the rest of the input */
    size_t pool_left;
    unsigned depth;        /* containers open, at most XD_CANON_MAX_DEPTH */
    uint32_t is_object;    /* bit d: the container at depth d is an object */
    uint32_t has_elements; /* bit d: it has an element already (a ',' must come next) */
    struct xd_canon__jkeys keys[XD_CANON_MAX_DEPTH + 1];
    enum xd_status status; /* XD_OK; XD_EPARSE, XD_ETOOBIG (too deep), XD_ENOMEM once failed */
    size_t err_at;         /* offset of the byte the problem is at (the length: at the end) */
    char err[XD_CANON__JSON_MSG_MAX];
};

/* Parse <len> bytes of <text>; decoded strings are allocated in <a>. */
void xd_canon__json_init(struct xd_canon__json *j, const char *text, size_t len,
                         struct xd_arena *a);
/* Back to the first byte, as if just initialised (the arena keeps what it was given). */
void xd_canon__json_rewind(struct xd_canon__json *j);
/* Free the duplicate-check tables. NULL-safe. */
void xd_canon__json_cleanup(struct xd_canon__json *j);

/* What the next value is, after blanks; nothing is consumed. XD_CANON__J_NONE (and the parser
 * fails) when there is no value: the end of the input or a byte no value starts with. */
enum xd_canon__jtype xd_canon__json_peek(struct xd_canon__json *j);

/* Consume '{' or '[' (peek said so). False when that nests too deep. */
bool xd_canon__json_begin(struct xd_canon__json *j);
/* In an object: read the next member's name and its ':' into <key>, and return true; or
 * consume the closing '}' and return false. False too when the parser fails; tell the two apart
 * by status. Names are not checked for duplicates here (see xd_canon__json_key_unique). */
bool xd_canon__json_member(struct xd_canon__json *j, struct xd_canon__jstr *key);
/* In an array: true when an item follows (its ',' consumed), false after the closing ']' or
 * when the parser fails. */
bool xd_canon__json_item(struct xd_canon__json *j);

/* Values; peek said which. <decode>: false to only check a string (its slice is then the raw
 * text between the quotes). */
bool xd_canon__json_string(struct xd_canon__json *j, struct xd_canon__jstr *out, bool decode);
/* A number's text and whether it is an integer (no fraction, no exponent). Its value is never
 * converted here: any number RFC 8259 allows is accepted, whatever its size. */
bool xd_canon__json_number(struct xd_canon__json *j, const char **text, size_t *len, bool *integer);
/* true, false or null. */
bool xd_canon__json_literal(struct xd_canon__json *j);
/* Check and step over one whole value, duplicate member names included. */
bool xd_canon__json_skip(struct xd_canon__json *j);
/* Only blanks may follow the document. */
bool xd_canon__json_finish(struct xd_canon__json *j);

/* Fail here with "expected <what>, not <what is here>". Returns false. */
bool xd_canon__json_expected(struct xd_canon__json *j, const char *what);

/* Remember <key> as a member of the innermost open object; false (and the parser fails) when
 * that object already has a member of this name. */
bool xd_canon__json_key_unique(struct xd_canon__json *j, const struct xd_canon__jstr *key);
/* Fail at <key>: the caller found it is a duplicate (its own presence bits said so). */
void xd_canon__json_fail_duplicate(struct xd_canon__json *j, const struct xd_canon__jstr *key);

/* <s> as a NUL-terminated string in the arena (copied unless it was decoded there already);
 * NULL when out of memory (the parser then fails with XD_ENOMEM). */
const char *xd_canon__json_cstr(struct xd_canon__json *j, const struct xd_canon__jstr *s);

/* "line L, column C" of the failure (columns count characters, from 1). */
void xd_canon__json_where(const struct xd_canon__json *j, char *out, size_t cap);

#endif
