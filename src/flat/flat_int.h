/* SPDX-License-Identifier: MIT
 * Private declarations of the flat-file codec: the compiled map and the helpers the reader and
 * the writer share. A compiled map is immutable; everything here that takes a map reads it. */
#ifndef XD_FLAT_FLAT_INT_H
#define XD_FLAT_FLAT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/core.h"
#include "flat/flat.h"

enum xd_flat__format { XD_FLAT__CSV, XD_FLAT__FIXED };
enum xd_flat__charset { XD_FLAT__UTF8, XD_FLAT__LATIN1, XD_FLAT__CP1252 };
enum xd_flat__type { XD_FLAT__STRING, XD_FLAT__DECIMAL, XD_FLAT__INTEGER, XD_FLAT__DATE };
enum xd_flat__case { XD_FLAT__KEEP, XD_FLAT__UPPER, XD_FLAT__LOWER };
enum xd_flat__align { XD_FLAT__ALIGN_AUTO, XD_FLAT__LEFT, XD_FLAT__RIGHT };
enum xd_flat__role { XD_FLAT__DETAIL, XD_FLAT__HEADER, XD_FLAT__TRAILER, XD_FLAT__IGNORE };
enum xd_flat__group {
    XD_FLAT__GROUP_ROW,         /* every record is a document */
    XD_FLAT__GROUP_FILE,        /* the whole file is one document */
    XD_FLAT__GROUP_CONSECUTIVE, /* consecutive records with the same key */
    XD_FLAT__GROUP_ALL,         /* every record with the same key, wherever it is */
    XD_FLAT__GROUP_HEADER,      /* a header record starts a document, a trailer ends it */
};
enum xd_flat__quoting { XD_FLAT__QUOTE_NEEDED, XD_FLAT__QUOTE_ALWAYS };
enum xd_flat__eol { XD_FLAT__LF, XD_FLAT__CRLF };
enum xd_flat__unknown { XD_FLAT__UNKNOWN_ERROR, XD_FLAT__UNKNOWN_KEEP };

/* Hard ceilings of the configurable limits, so a profile cannot turn the caps off. */
#define XD_FLAT_MAX_RECORD_BYTES ((size_t)16 * 1024 * 1024)
#define XD_FLAT_MAX_FIELDS       ((size_t)65536)
#define XD_FLAT_MAX_ROWS         ((size_t)10000000)
#define XD_FLAT_MAX_DOCUMENTS    ((size_t)10000000)
#define XD_FLAT_MAX_ERRORS       ((size_t)10000)
/* Fields in one map, over all record types. */
#define XD_FLAT_MAX_MAP_FIELDS ((size_t)4096)
/* Arrays nest at most this deep in one path (shipment, order, pack, item is 3), and a map
 * has at most this many distinct arrays. */
#define XD_FLAT_MAX_DEPTH 8
#define XD_FLAT_MAX_NODES 64
/* Segments in one document path and tokens in one date format. */
#define XD_FLAT_MAX_SEGMENTS    16
#define XD_FLAT_DATE_MAX_TOKENS 16
/* Longest value excerpt quoted in a message. */
#define XD_FLAT_EXCERPT_MAX 48

struct xd_flat__limits {
    size_t record_bytes; /* one CSV record or fixed-width line */
    size_t fields;       /* CSV fields per record */
    size_t rows;         /* records per document */
    size_t documents;    /* documents per file */
    size_t errors;       /* problems kept per document */
};

/* A list of strings the map owns. */
struct xd_flat__strings {
    char **v;
    size_t n;
};

struct xd_flat__seg {
    char *name;
    bool array; /* "lines[]" */
};

/* A document path such as "orders[].packs[].sscc". */
struct xd_flat__path {
    char *text;
    struct xd_flat__seg *seg;
    size_t nseg;
    int node;   /* the deepest array the value lives in (index in map->nodes), -1: the root */
    size_t rel; /* first segment below that array's element (0 for the root) */
};

/* One array of the document ("lines", "orders[].packs"), found in the paths of the fields. */
struct xd_flat__node {
    char *text;                     /* path of the array itself, "orders[].packs" */
    const struct xd_flat__seg *seg; /* the defining path's segments (owned by a field) */
    size_t from, to;                /* seg[from..to] lead from the parent's element to the array */
    int parent;                     /* enclosing array, -1: the root */
    size_t depth;                   /* 1 for a top-level array */
    char *key;                      /* member that groups consecutive records into one element */
    char *number;                   /* member numbered 1, 2, ... when a record leaves it empty */
};

enum xd_flat__date_tok {
    XD_FLAT__D_LIT,    /* a literal character */
    XD_FLAT__D_YEAR4,  /* %Y */
    XD_FLAT__D_YEAR2,  /* %y: 69-99 are 19xx, 00-68 are 20xx (POSIX) */
    XD_FLAT__D_MONTH,  /* %m: two digits */
    XD_FLAT__D_MONTH1, /* %-m: one or two digits */
    XD_FLAT__D_DAY,    /* %d */
    XD_FLAT__D_DAY1,   /* %-d */
    XD_FLAT__D_MON,    /* %b: Jan..Dec, any case */
};

struct xd_flat__date {
    struct {
        enum xd_flat__date_tok kind;
        char lit;
    } tok[XD_FLAT_DATE_MAX_TOKENS];
    size_t n;
};

struct xd_flat__field {
    char *label;     /* for messages: "column 'Qty'", "field 'qty' (positions 10-17)" */
    char *column;    /* CSV header name, or a fixed-width field's name; NULL when unnamed */
    size_t position; /* CSV: 1-based position; 0 when the field goes by name */
    size_t col;      /* CSV: 0-based column in the written layout */
    size_t start;    /* fixed: 1-based first character; 0 for CSV */
    size_t length;   /* fixed: width in characters */
    bool has_source; /* reads a column or positions */
    bool has_path;
    struct xd_flat__path path;
    enum xd_flat__type type;
    enum xd_flat__case letter_case;
    enum xd_flat__align align;
    char pad;
    bool required, trim, truncate, trailing_sign;
    enum xd_flat__unknown unknown; /* a code missing from the value map */
    char *def;                     /* canonical value when the column is empty */
    char *constant; /* canonical value with no column; or a written-only column's text */
    json_t *fill;   /* def or constant as the JSON value documents get */
    json_t *map;    /* partner code -> canonical code */
    json_t *rmap;   /* canonical code -> partner code (first partner code wins) */
    struct xd_flat__date date;
    char *date_text;
    int implied; /* implied decimal places */
    char dec_sep, thou_sep;
    struct xd_flat__strings nulls; /* values that mean "empty"; the first is written for none */
};

struct xd_flat__record {
    char *tag; /* NULL for the single record type of an untagged map */
    enum xd_flat__role role;
    struct xd_flat__field *fields;
    size_t nfields;
    size_t first; /* index of fields[0] among all fields of the map */
    int *nodes;   /* arrays its paths touch, ancestors included, shallowest first */
    size_t nnodes;
    bool *leaf;     /* per nodes[i]: no other of nodes[] lies inside it */
    int *key_field; /* per nodes[i]: the field carrying the node's key, -1 */
    int home;       /* deepest node when nodes[] is one chain, -1 for the root */
    size_t *order;  /* fixed width: fields with positions, by start */
    size_t norder;
    size_t width;     /* fixed width: characters a written record has */
    int *group_field; /* per group key: the field carrying it, -1 */
};

struct xd_flat_map {
    enum xd_flat__format format;
    enum xd_flat__charset charset;
    char *document_type;
    enum xd_flat__eol eol;
    bool bom;
    size_t skip_lines;
    /* CSV */
    char delim, quote; /* quote 0: no quoting */
    bool header;
    enum xd_flat__quoting quoting;
    struct xd_flat__strings columns; /* names of the written layout */
    size_t width;                    /* columns in the written layout */
    /* fixed width */
    size_t record_length; /* 0: as long as the last field */
    /* record types */
    bool has_tag;
    size_t tag_start, tag_length; /* fixed: 1-based; CSV: tag_start is the 1-based column */
    struct xd_flat__record *records;
    size_t nrecords;
    size_t nfields; /* over all records */
    struct xd_flat__node *nodes;
    size_t nnodes;
    enum xd_flat__group group;
    struct xd_flat__strings keys; /* group keys: root-level paths */
    struct xd_flat__limits lim;
};

/* The bytes of <b>, never NULL (an empty buffer has no allocation yet). */
static inline const char *xd_flat__buf(const struct xd_buf *b)
{
    return b->data != NULL ? b->data : "";
}

/* --- text.c: encodings and message excerpts --- */

/* Offset of the first byte that is not part of valid UTF-8 (no overlongs, surrogates or NUL),
 * or <n> when all is valid. */
size_t xd_flat__utf8_check(const char *s, size_t n);
/* Code points in valid UTF-8. */
size_t xd_flat__utf8_count(const char *s, size_t n);
/* Byte offset of code point <k> in valid UTF-8 (n when k is past the end). */
size_t xd_flat__utf8_offset(const char *s, size_t n, size_t k);
/* Append <s> converted from <cs> to UTF-8 to <out>. XD_EPARSE (and the offending byte's offset
 * in *bad) for bytes the encoding does not define; XD_ENOMEM, XD_ETOOBIG from the buffer. */
enum xd_status xd_flat__to_utf8(enum xd_flat__charset cs, const char *s, size_t n,
                                struct xd_buf *out, size_t *bad);
/* Append UTF-8 <s> converted to <cs>. XD_EPARSE for characters <cs> cannot hold. */
enum xd_status xd_flat__from_utf8(enum xd_flat__charset cs, const char *s, size_t n,
                                  struct xd_buf *out, size_t *bad);
/* A printable excerpt of <s> for messages: at most XD_FLAT_EXCERPT_MAX bytes, control and
 * invalid bytes as '?', "..." when cut. <dst> needs XD_FLAT_EXCERPT_MAX + 4 bytes. */
void xd_flat__excerpt(const char *s, size_t n, char *dst, size_t cap);
const char *xd_flat__charset_name(enum xd_flat__charset cs);

/* --- value.c: one value between its written form and its canonical form --- */

/* Compile a date format ("%m/%d/%Y"). XD_EINVAL with a reason in <why>. */
enum xd_status xd_flat__date_compile(const char *fmt, struct xd_flat__date *out, char *why,
                                     size_t why_cap);
/* Written text (UTF-8, not yet trimmed) to its canonical JSON value, or NULL when empty.
 * XD_EPARSE with the reason in <why>; XD_ENOMEM. <tmp> is scratch. */
enum xd_status xd_flat__value_decode(const struct xd_flat__field *f, const char *s, size_t n,
                                     struct xd_buf *tmp, json_t **out, char *why, size_t why_cap);
/* Canonical value <v> (NULL: absent) to written text appended to <out> (UTF-8, unpadded).
 * XD_EINVAL with the reason in <why>; XD_ENOMEM; XD_ETOOBIG from <out>. */
enum xd_status xd_flat__value_encode(const struct xd_flat__field *f, const json_t *v,
                                     struct xd_buf *out, char *why, size_t why_cap);
/* Key text of a decoded value for grouping ("" for NULL). */
enum xd_status xd_flat__value_key(const json_t *v, struct xd_buf *out);

/* --- csv.c --- */

struct xd_flat__cell {
    size_t off, len; /* in the record's bytes */
    int line;        /* physical line where the field starts */
};

/* The record being read: CSV fields unescaped into <bytes>, or the fixed-width line. */
struct xd_flat__rec {
    struct xd_buf bytes;
    struct xd_flat__cell *cells;
    size_t ncells, cap;
    int line;        /* physical line where the record starts */
    bool too_many;   /* more fields than the cap; the rest were dropped */
    const char *raw; /* fixed width: the line, without its end */
    size_t raw_len;
};

void xd_flat__rec_init(struct xd_flat__rec *rec, size_t record_bytes);
void xd_flat__rec_cleanup(struct xd_flat__rec *rec);

/* Read one CSV record from data[*pos..len), advancing *pos and *line. Problems that spoil only
 * this record go into <errs>; XD_EPARSE (unterminated quote) and XD_ETOOBIG (record past the
 * cap) are fatal, with the reason in <err>. XD_ENOMEM. */
enum xd_status xd_flat__csv_read(const struct xd_flat_map *m, const char *data, size_t len,
                                 size_t *pos, int *line, struct xd_flat__rec *rec,
                                 struct xd_diags *errs, struct xd_error *err);
/* Append one field as written in a CSV file: quoted when the map or the value asks.
 * XD_EINVAL when the value needs quoting and the map has no quote character. */
enum xd_status xd_flat__csv_put(const struct xd_flat_map *m, const char *s, size_t n,
                                struct xd_buf *out);

/* --- fixed.c --- */

/* Read one line (without its CR LF or LF) into rec->raw. XD_ETOOBIG past the cap. */
enum xd_status xd_flat__line_read(const struct xd_flat_map *m, const char *data, size_t len,
                                  size_t *pos, int *line, struct xd_flat__rec *rec,
                                  struct xd_error *err);
/* Where slicing a UTF-8 line has got to, in characters and bytes. Slices taken in increasing
 * positions cost one pass over the line; a position behind it starts over. */
struct xd_flat__cursor {
    size_t ch, byte;
};
/* Characters [start, start+length) (1-based) of the line as a slice; short lines give what
 * they have. <bytes_are_chars> for single-byte encodings and ASCII lines. */
struct xd_slice xd_flat__line_slice(const struct xd_flat__rec *rec, bool bytes_are_chars,
                                    struct xd_flat__cursor *cur, size_t start, size_t length);
/* True when s[0..n) is empty or only spaces and tabs. */
bool xd_flat__blank(const char *s, size_t n);

/* --- read.c and record.c: the reader --- */

/* A document being assembled or waiting to be handed out, with its own problems. */
struct xd_flat__slot {
    json_t *json;
    struct xd_diags diags;
    char *key; /* group key (consecutive and all) */
    size_t key_len;
    size_t rows;
    int line;    /* where its first record is */
    bool open;   /* still takes records */
    bool orphan; /* records that came before any header record */
};

struct xd_flat_reader {
    const struct xd_flat_map *m;
    const char *data;
    size_t len, pos;
    int line; /* physical line of data[pos] */
    bool begun, header_done, eof;
    enum xd_status fatal;
    bool fatal_reported;
    struct xd_error err; /* the fatal problem */
    struct xd_flat__rec rec;
    size_t *col;   /* per map field: its CSV cell, from the header row or the layout */
    json_t **vals; /* per field of the record being applied */
    size_t nvals;
    struct xd_flat__cursor cur; /* fixed width: slicing the line */
    size_t nchars;              /* fixed width: the line's length in characters */
    bool single;                /* fixed width: the line's bytes are its characters */
    bool line_ok;               /* fixed width: the line is text in the map's encoding */
    struct xd_diags rec_errs;   /* problems of the record being read */
    struct xd_buf conv, tmp, key;
    struct xd_flat__slot *q; /* documents in file order: q[head..len) are alive */
    size_t qhead, qlen, qcap;
    json_t *index; /* mode all: group key -> slot */
    size_t ndocs;
};

/* Read the next record into r->rec. *blank tells an empty line or a row of empty fields.
 * Fatal problems (XD_EPARSE, XD_ETOOBIG) are described in r->err. */
enum xd_status xd_flat__record_read(struct xd_flat_reader *r, bool *blank);
/* Resolve the CSV header row's names into r->col. XD_EPARSE when a mapped column is missing. */
enum xd_status xd_flat__record_header(struct xd_flat_reader *r);
/* The record type of r->rec; NULL (with a problem in r->rec_errs) when its tag is unknown. */
enum xd_status xd_flat__record_type(struct xd_flat_reader *r, const struct xd_flat__record **out);
/* Decode the values of r->rec into r->vals, problems into r->rec_errs. */
enum xd_status xd_flat__record_values(struct xd_flat_reader *r, const struct xd_flat__record *rec);

/* --- build.c: assembling and walking documents --- */

/* Apply one decoded record to <doc>: choose or append the array elements its paths need and
 * set every value that is not already set. <vals> has one entry per field of <rec>. */
enum xd_status xd_flat__apply(const struct xd_flat_map *m, const struct xd_flat__record *rec,
                              json_t *const *vals, json_t *doc);
/* Constants, defaults and automatic line numbers, once a document is complete. */
enum xd_status xd_flat__finish(const struct xd_flat_map *m, json_t *doc);
/* The array of <node> inside <container> (the parent's element or the document); NULL when
 * absent. With <create>, missing objects and the array are made (NULL only when out of
 * memory or when the document holds something else there). */
json_t *xd_flat__node_array(const struct xd_flat_map *m, int node, json_t *container, bool create);
/* The value at seg[from..nseg) below <container>, NULL when absent. */
json_t *xd_flat__get(const struct xd_flat__seg *seg, size_t from, size_t nseg,
                     const json_t *container);

/* --- map.c and layout.c: compiling a map --- */

struct xd_flat__mctx {
    struct xd_flat_map *m;
    struct xd_diags *diags;
    enum xd_status st; /* XD_ENOMEM once an allocation failed */
    bool bad;          /* a problem was reported */
    const json_t *fields, *records, *group, *arrays, *tag;
};

/* Report a problem of the description at <path> ("fields[2].start"). */
void xd_flat__problem(struct xd_flat__mctx *c, const char *path, const char *fmt, ...)
    XD_PRINTF(3, 4);
/* Derive the arrays, the record structure, grouping and the column or position layout from the
 * parsed fields, reporting what does not fit together. */
void xd_flat__map_layout(struct xd_flat__mctx *c);
/* Whether the reader can find a CSV column of this name in a header row: not empty, no blanks
 * around it (the reader trims the header's), and not beginning with a byte order mark (as the
 * file's first column it would be taken for the file's own, and skipped). */
bool xd_flat__column_name_ok(const char *name);
/* True when node <inner> is <outer> or lies inside it (<outer> -1: the root). */
bool xd_flat__node_within(const struct xd_flat_map *m, int inner, int outer);

#endif
