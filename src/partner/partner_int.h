/* SPDX-License-Identifier: MIT
 * Private to src/partner: the document tree both syntaxes are read into (tree.c), the field
 * table that drives decoding, checking, output and the reference (schema.c), the decoding
 * context with its path and problem reporting (decode.c), and the cross-reference rules
 * (rules.c). The walkers recurse over the schema (a few levels), never to a depth the input
 * chooses; the tree builders are iterative or depth-capped. */
#ifndef XD_PARTNER_PARTNER_INT_H
#define XD_PARTNER_PARTNER_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "partner/partner.h"

/* ------------------------------------------------------------------------------------------ */
/* The tree (tree.c): YAML (libfyaml events, with positions) and JSON (jansson, without) are
 * both read into this, so one decoder serves both. */

enum xd_partner__nkind { XD_PARTNER__N_SCALAR, XD_PARTNER__N_SEQ, XD_PARTNER__N_MAP };

/* What a scalar is: JSON's type, or for YAML the YAML 1.2 core schema's resolution of a plain
 * scalar (quoted scalars are strings). */
enum xd_partner__stype {
    XD_PARTNER__S_NULL,
    XD_PARTNER__S_BOOL,
    XD_PARTNER__S_INT,
    XD_PARTNER__S_REAL,
    XD_PARTNER__S_STR,
};

struct xd_partner__node;

struct xd_partner__pair {
    const char *key; /* NUL-terminated */
    size_t key_len;
    int line, column;
    struct xd_partner__node *value;
};

struct xd_partner__node {
    uint8_t kind;     /* enum xd_partner__nkind */
    uint8_t stype;    /* scalars: enum xd_partner__stype */
    bool plain;       /* a YAML plain scalar: its text may be read as a string where one belongs */
    int line, column; /* 1-based; 0 for JSON input */
    const char *text; /* scalars, NUL-terminated (true/false/null and numbers as written) */
    size_t len;
    struct xd_partner__node **items; /* sequences */
    struct xd_partner__pair *pairs;  /* mappings, in input order */
    size_t n;
};

struct xd_partner__tree {
    struct xd_arena *arena;
    struct xd_partner__node *root;
    size_t nodes;
    bool yaml;
};

/* Read <len> bytes into a tree. Syntax problems go into <problems> with their line and column.
 * XD_OK; XD_EPARSE; XD_ETOOBIG (size, depth or node cap); XD_ENOMEM. */
enum xd_status xd_partner__tree_read(const char *text, size_t len, enum xd_partner_syntax syntax,
                                     struct xd_partner__tree *out,
                                     struct xd_partner_problems *problems);
void xd_partner__tree_cleanup(struct xd_partner__tree *t);
/* The deepest node a path ("a.b[2].c", "x[\"odd key\"]") leads to from <root>, and the
 * position to report at: the value's for a complete path, the last key's or container's when
 * the path leaves the tree part-way. */
void xd_partner__tree_locate(const struct xd_partner__tree *t, const char *path, int *line,
                             int *column);
/* A JSON value for a subtree (YAML plain scalars resolved by the core schema). NULL when out of
 * memory. */
struct json_t *xd_partner__node_to_json(const struct xd_partner__node *n);
/* What a YAML plain scalar of this text resolves to (core schema): enum xd_partner__stype. */
uint8_t xd_partner__plain_type(const char *s, size_t n);
/* The value of key <key> in mapping <n>, NULL when absent. */
const struct xd_partner__pair *xd_partner__map_get(const struct xd_partner__node *n,
                                                   const char *key);

/* ------------------------------------------------------------------------------------------ */
/* The field table (schema.c) */

enum xd_partner__ftype {
    XD_PARTNER__F_STR,      /* const char *, checked by a string class */
    XD_PARTNER__F_ENUM,     /* int-sized enum, by name */
    XD_PARTNER__F_BOOL,     /* bool */
    XD_PARTNER__F_INT,      /* int64_t within [min, max] */
    XD_PARTNER__F_DURATION, /* int64_t milliseconds within [min, max]: "500ms", "30s", "1h30m" */
    XD_PARTNER__F_DECIMAL,  /* struct xd_decimal, > 0 */
    XD_PARTNER__F_DOCTYPE,  /* enum xd_canon_type, with has_offset when optional */
    XD_PARTNER__F_OBJ,      /* pointer to a child struct, NULL when absent */
    XD_PARTNER__F_INL,      /* embedded child struct, defaults applied when absent */
    XD_PARTNER__F_LIST,     /* array of child structs or scalars, count at count_offset */
    XD_PARTNER__F_MAP,      /* mapping: struct xd_partner_kv or child structs keyed by name */
    XD_PARTNER__F_JSON,     /* const struct json_t *, checked by a rule (flat map, x12) */
    XD_PARTNER__F_SECRET,   /* struct xd_secret *: a credential value */
};

/* String classes: each a check with its documentation. */
enum xd_partner__sclass {
    XD_PARTNER__C_TEXT,
    XD_PARTNER__C_IDENT,
    XD_PARTNER__C_NAME,
    XD_PARTNER__C_URL,
    XD_PARTNER__C_ISA_QUALIFIER,
    XD_PARTNER__C_X12_ID,
    XD_PARTNER__C_X12_VERSION,
    XD_PARTNER__C_X12_SET,
    XD_PARTNER__C_DELIMITER,
    XD_PARTNER__C_GLN,
    XD_PARTNER__C_GTIN,
    XD_PARTNER__C_DUNS,
    XD_PARTNER__C_UOM,
    XD_PARTNER__C_CIDR,
    XD_PARTNER__C_GLOB,
    XD_PARTNER__C_HEADER_NAME,
    XD_PARTNER__C_HEADER_VALUE,
    XD_PARTNER__C_FILENAME,
    XD_PARTNER__C_MEMBER_PATH,
    XD_PARTNER__C_DATE_MEMBER,
    XD_PARTNER__C_CODE,
    XD_PARTNER__C_COUNT
};

struct xd_partner__sclass_def {
    const char *name;
    const char *doc;
    /* true when <s> (<len> bytes, NUL-terminated) belongs; else a reason in <why>. */
    bool (*check)(const char *s, size_t len, char *why, size_t cap);
};
extern const struct xd_partner__sclass_def xd_partner__sclasses[XD_PARTNER__C_COUNT];

struct xd_partner__enum {
    const char *const *names;
    const char *const *docs;
    size_t n;
};

struct xd_partner__ctx;
struct xd_partner__schema;

struct xd_partner__field {
    const char *key;
    uint8_t type;   /* enum xd_partner__ftype */
    uint8_t sclass; /* F_STR; F_MAP: the class of keys */
    bool required;
    size_t offset;
    size_t count_offset; /* F_LIST, F_MAP */
    size_t has_offset;   /* optional F_DOCTYPE: a bool set when present (0: none) */
    int64_t min, max;    /* F_STR: most bytes; F_INT, F_DURATION: bounds; F_LIST, F_MAP: items */
    const struct xd_partner__schema *child; /* F_OBJ, F_INL, F_LIST/F_MAP of objects */
    const struct xd_partner__field *elem;   /* F_LIST/F_MAP of scalars: the element */
    const struct xd_partner__enum *names;   /* F_ENUM */
    const char *def;                        /* default, as it would be written; NULL: none */
    const char *doc;
};

struct xd_partner__schema {
    const char *name;
    const char *doc;
    size_t size;
    const struct xd_partner__field *fields;
    size_t n_fields;
    /* F_MAP of these: the map key goes into a const char * at key_offset. */
    size_t key_offset;
    uint8_t key_class;
    const char *key_doc;
};

extern const struct xd_partner__schema xd_partner__profile_schema;
extern const struct xd_partner__enum xd_partner__roles, xd_partner__formats;

/* Storage size of one scalar element of a list or map value. */
size_t xd_partner__elem_size(const struct xd_partner__field *f);

/* Durations: parse "1h30m" style text (units d, h, m, s, ms); format the shortest spelling. */
bool xd_partner__duration_parse(const char *s, size_t len, int64_t *ms);
void xd_partner__duration_format(int64_t ms, char *buf, size_t cap);

/* GS1 check digit over <n> digits, the last being the check digit. */
bool xd_partner__gs1_ok(const char *s, size_t n);
/* An IPv4 or IPv6 address (for <cidr>, with a prefix length) into bytes: 4 or 16 written,
 * *bits the prefix length (the full length when <cidr> is false). */
bool xd_partner__ip_parse(const char *s, size_t len, bool cidr, uint8_t out[16], size_t *n_bytes,
                          unsigned *bits);
/* Does <addr> (n bytes) fall inside <net>/<bits>? */
bool xd_partner__ip_in(const uint8_t *addr, size_t n, const uint8_t *net, size_t net_n,
                       unsigned bits);
/* Loopback, link-local, private (RFC 1918, RFC 4193), carrier-grade NAT, unspecified. */
bool xd_partner__ip_private(const uint8_t *addr, size_t n);

/* X12 transaction sets a canonical type travels in (850 for purchase_order ...), first is
 * the default; NULL when the type has none. */
const char *const *xd_partner__x12_sets(enum xd_canon_type t);

/* ------------------------------------------------------------------------------------------ */
/* Decoding context (decode.c) */

#define XD_PARTNER__PATH_MAX 512

struct xd_partner__ctx {
    struct xd_partner_problems *problems; /* may be NULL: problems are then only counted */
    struct xd_arena *arena;               /* the profile's */
    const struct xd_partner__tree *tree;
    struct xd_partner_profile *profile;
    char path[XD_PARTNER__PATH_MAX];
    size_t path_len;
    size_t n_problems;
    bool oom;
    struct json_t *schemas[XD_CANON_TYPE_COUNT]; /* canon JSON Schemas, built when needed */
};

/* Append ".key" (or ["key"] when not a plain word) or "[i]"; return the mark to restore. */
size_t xd_partner__path_key(struct xd_partner__ctx *c, const char *key);
size_t xd_partner__path_index(struct xd_partner__ctx *c, size_t i);
void xd_partner__path_restore(struct xd_partner__ctx *c, size_t mark);
/* A problem at the current path, positioned at node <n> (NULL: looked up from the path). */
void xd_partner__report(struct xd_partner__ctx *c, const struct xd_partner__node *n,
                        const char *code, const char *fmt, ...) XD_PRINTF(4, 5);
/* A problem at an explicit path, positioned by looking the path up in the tree. */
void xd_partner__report_at(struct xd_partner__ctx *c, const char *path, const char *code,
                           const char *fmt, ...) XD_PRINTF(4, 5);

/* Decode the tree's root into c->profile (allocated by the caller, zeroed). */
void xd_partner__decode(struct xd_partner__ctx *c, const struct xd_partner__node *root);
/* Apply every default of <s> to <obj> (zeroed), recursively into embedded children. */
void xd_partner__defaults(struct xd_partner__ctx *c, const struct xd_partner__schema *s, void *obj);

/* Cross-reference rules (rules.c), run once every field decoded without a problem. */
struct xd_partner__rule {
    const char *doc;
    void (*check)(struct xd_partner__ctx *c, const struct xd_partner_profile *p);
};
extern const struct xd_partner__rule xd_partner__rules[];
extern const size_t xd_partner__n_rules;
void xd_partner__rules_run(struct xd_partner__ctx *c);
/* The canon JSON Schema node of <path> ("lines[].status", "requested_delivery_date") in
 * document type <t>, or NULL when the path names no member. Cached in the context. */
const struct json_t *xd_partner__canon_member(struct xd_partner__ctx *c, enum xd_canon_type t,
                                              const char *path);

/* ------------------------------------------------------------------------------------------ */
/* Profile internals (profile.c) */

struct xd_x12_map;

struct xd_partner_profile__priv {
    atomic_long refs;
    struct xd_arena *arena;
    struct json_t **json; /* values of F_JSON fields, released with the profile */
    size_t n_json, cap_json;
    struct xd_flat_map **flats; /* compiled flat maps */
    size_t n_flats, cap_flats;
    struct xd_x12_map *x12_read, *x12_write; /* compiled mapping.x12 (rules.c) */
    const char *x12_map_problem;             /* why it does not compile, in the arena */
    uint8_t content_hash[XD_SHA256_LEN];     /* set by apply/load */
    /* Lookup indexes (index.c), in the arena: item cross-references sorted by each partner
     * id, conversions sorted by (sku, from) with global ones under the empty sku. */
    const struct xd_partner_item_xref **by_id[3]; /* vendor_part, buyer_part, gtin */
    size_t n_by_id[3];
    const struct xd_partner_conversion **conv;
    size_t n_conv;
};

enum xd_partner__item_key { XD_PARTNER__VENDOR_PART, XD_PARTNER__BUYER_PART, XD_PARTNER__GTIN };

/* Build the indexes of a decoded profile. XD_ENOMEM. */
enum xd_status xd_partner__index_build(struct xd_partner_profile *p);
/* The partner id of kind <k> of an item cross-reference (NULL when it has none). */
const char *xd_partner__item_key(const struct xd_partner_item_xref *x, enum xd_partner__item_key k);
/* The conversion <unit> of <sku> (may be NULL) follows: the item's own, else the global one. */
const struct xd_partner_conversion *xd_partner__conversion_next(const struct xd_partner_profile *p,
                                                                const char *sku, const char *unit);

/* Allocate an empty profile with its arena. */
enum xd_status xd_partner__profile_new(struct xd_partner_profile **out);
/* Keep <j> (a new reference) / <m> until the profile goes. XD_ENOMEM (and <j>/<m> released). */
enum xd_status xd_partner__profile_keep_json(struct xd_partner_profile *p, struct json_t *j);
enum xd_status xd_partner__profile_keep_flat(struct xd_partner_profile *p, struct xd_flat_map *m);

/* The profile as a JSON value in table order (emit.c). */
struct json_t *xd_partner__to_json_value(const struct xd_partner_profile *p,
                                         enum xd_partner_emit mode);
/* A JSON value as YAML (block style). */
enum xd_status xd_partner__json_to_yaml(const struct json_t *v, struct xd_buf *out);

/* The additional data a credential is sealed with: partner id, NUL, credential name. */
enum xd_status xd_partner__credential_aad(const char *partner, const char *name,
                                          struct xd_buf *out);

#endif
