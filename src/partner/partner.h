/* SPDX-License-Identifier: MIT
 * Partner profiles: who a trading partner is (identifiers), how its messages reach the hub
 * (inbound channels), where the hub sends it documents (outbound endpoints, retries, breaker,
 * failover), which format and version each document type travels in, how its codes map to ours
 * (items, units, locations, parties, code lists, X12 choices), what it promises (SLAs), the
 * credentials the hub uses with it, and, for the ERP, the connector settings.
 *
 * A profile is written in YAML (or its JSON form). One table of fields (schema.c) drives the
 * parser, the checks, the JSON/YAML output and the reference in docs/partner-profiles.md.
 * Parsing is pure (bytes in, profile out); the registry, which the rest of the hub queries, and
 * applying a profile to the store live beside it (registry.c, apply.c).
 *
 * A parsed profile is immutable and reference counted: the registry's snapshots share it, and
 * any thread may read it while it holds a reference. Everything it points to lives as long as
 * the profile. */
#ifndef XD_PARTNER_PARTNER_H
#define XD_PARTNER_PARTNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canon/canon.h"
#include "core/core.h"

struct json_t; /* jansson */
struct xd_canon_doc;
struct xd_flat_map;
struct xd_x12_map;
struct xd_store;

/* ------------------------------------------------------------------------------------------ */
/* Caps (a profile past them is refused with a problem, never truncated) */

#define XD_PARTNER_MAX_BYTES    ((size_t)4 * 1024 * 1024) /* profile text */
#define XD_PARTNER_MAX_DEPTH    32                        /* nesting of YAML/JSON */
#define XD_PARTNER_MAX_NODES    400000                    /* scalars, lists and maps */
#define XD_PARTNER_ID_MAX       64
#define XD_PARTNER_MAX_PROBLEMS 200 /* default cap of a problem list */
#define XD_PARTNER_REGISTRY_MAX 10000

/* ------------------------------------------------------------------------------------------ */
/* The model. Strings are NUL-terminated UTF-8, NULL when absent; arrays are a pointer and an
 * n_ count. Durations are milliseconds. */

enum xd_partner_role {
    XD_PARTNER_ROLE_SUPPLIER,
    XD_PARTNER_ROLE_WAREHOUSE,
    XD_PARTNER_ROLE_3PL,
    XD_PARTNER_ROLE_CARRIER,
    XD_PARTNER_ROLE_CUSTOMER,
    XD_PARTNER_ROLE_MARKETPLACE,
    XD_PARTNER_ROLE_ERP,
};

enum xd_partner_format {
    XD_PARTNER_FORMAT_JSON,
    XD_PARTNER_FORMAT_X12,
    XD_PARTNER_FORMAT_CSV,
    XD_PARTNER_FORMAT_FIXED_WIDTH,
};

enum xd_partner_direction { XD_PARTNER_IN, XD_PARTNER_OUT };

enum xd_partner_endpoint_kind {
    XD_PARTNER_ENDPOINT_HTTP,    /* plain HTTP(S) requests to the partner's API */
    XD_PARTNER_ENDPOINT_WEBHOOK, /* HTTP POST signed the Standard Webhooks way */
    XD_PARTNER_ENDPOINT_FILE,    /* a file in partners/<id>/outbox for the partner to collect */
    XD_PARTNER_ENDPOINT_ERP,     /* the ERP connector of the erp section (role erp) */
};

enum xd_partner_method { XD_PARTNER_METHOD_POST, XD_PARTNER_METHOD_PUT };

enum xd_partner_auth_kind {
    XD_PARTNER_AUTH_BEARER, /* Authorization: Bearer <token> */
    XD_PARTNER_AUTH_BASIC,  /* Authorization: Basic username:password */
    XD_PARTNER_AUTH_HEADER, /* <header>: <token>, an API key header */
};

enum xd_partner_credential_kind {
    XD_PARTNER_CREDENTIAL_TOKEN,    /* bearer token, API key */
    XD_PARTNER_CREDENTIAL_PASSWORD, /* with a username */
    XD_PARTNER_CREDENTIAL_HMAC_KEY, /* webhook signing secret */
};

enum xd_partner_x12_ack { XD_PARTNER_ACK_997, XD_PARTNER_ACK_999, XD_PARTNER_ACK_NONE };
enum xd_partner_unknown { XD_PARTNER_UNKNOWN_KEEP, XD_PARTNER_UNKNOWN_ERROR };
enum xd_partner_erp_connector { XD_PARTNER_ERP_TRYTON };
enum xd_partner_invoice_state { XD_PARTNER_INVOICE_DRAFT, XD_PARTNER_INVOICE_POSTED };

struct xd_partner_kv {
    const char *key;
    const char *value;
};

struct xd_partner_identifiers {
    const char *isa_qualifier; /* ISA05/ISA07: ZZ, 01, 08, 12 ... */
    const char *isa_id;        /* ISA06/ISA08 */
    const char *gs_id;         /* GS02/GS03 application code */
    const char *gln;
    const char *duns;
};

/* X12 envelope settings for this partner (the translation mapping is mapping.x12). */
struct xd_partner_x12 {
    enum xd_partner_x12_ack acknowledgement; /* sent back for every inbound interchange */
    bool ta1;                                /* also a TA1 per interchange */
    const char *hub_qualifier;               /* our ISA qualifier and id as this partner knows */
    const char *hub_id;                      /*   them; NULL: the hub's defaults */
    const char *hub_gs_id;
    const char *element_separator; /* one character each; outbound interchanges */
    const char *component_separator;
    const char *repetition_separator;
    const char *segment_terminator;
    bool newline; /* LF after each segment terminator */
};

struct xd_partner_http_in {
    bool enabled;
    enum xd_partner_format *formats; /* accepted on POST /v1/inbound/{partner} */
    size_t n_formats;
};

struct xd_partner_inbox_rule {
    const char *pattern; /* glob on the file name: '*' and '?' */
    enum xd_partner_format format;
    bool has_document;
    enum xd_canon_type document; /* required for csv and fixed_width */
};

struct xd_partner_inbox {
    bool enabled;
    struct xd_partner_inbox_rule *files; /* first match wins */
    size_t n_files;
};

struct xd_partner_inbound {
    struct xd_partner_http_in *http; /* NULL: no HTTP channel */
    struct xd_partner_inbox *inbox;  /* NULL: no file inbox */
};

struct xd_partner_auth {
    enum xd_partner_auth_kind type;
    const char *credential; /* name in credentials */
    const char *header;     /* type header: the header's name */
};

struct xd_partner_endpoint {
    const char *name;
    enum xd_partner_endpoint_kind kind;
    const char *url; /* http, webhook */
    enum xd_partner_method method;
    struct xd_partner_kv *headers; /* extra request headers (never secrets: use auth) */
    size_t n_headers;
    struct xd_partner_auth *auth; /* NULL: none */
    const char *signing_secret;   /* webhook: credential of type hmac_key */
    int64_t connect_timeout_ms;
    int64_t timeout_ms;
    const char **allow_private_networks; /* CIDRs the URL may resolve into */
    size_t n_allow_private_networks;
    bool ordered;          /* deliver one at a time in order */
    int64_t max_in_flight; /* attempts at once when not ordered */
    const char *filename;  /* file: name template */
};

struct xd_partner_retry {
    int64_t max_attempts;
    int64_t max_age_ms;
    int64_t backoff_base_ms;
    int64_t backoff_max_ms;
};

struct xd_partner_breaker {
    int64_t failures_to_open;
    int64_t pause_ms;
};

struct xd_partner_failover {
    const char *alternate; /* partner id */
    int64_t after_ms;      /* breaker open this long before new work goes to the alternate */
};

struct xd_partner_outbound {
    struct xd_partner_endpoint *endpoints;
    size_t n_endpoints;
    struct xd_partner_retry retry;
    struct xd_partner_breaker circuit_breaker;
    struct xd_partner_failover *failover; /* NULL: none */
};

struct xd_partner_document {
    enum xd_canon_type type;
    enum xd_partner_direction direction;
    enum xd_partner_format format;
    const char *version;            /* x12: 004010 ...; NULL: the format's default */
    const char *x12_set;            /* x12: transaction set (850 ...); defaulted from the type */
    const char *endpoint;           /* out: endpoint name; NULL: the only endpoint */
    const struct json_t *map;       /* csv, fixed_width: the flat map as written */
    const struct xd_flat_map *flat; /* ... compiled */
};

struct xd_partner_item_xref {
    const char *sku;
    const char *vendor_part;
    const char *buyer_part;
    const char *gtin;
};

struct xd_partner_conversion {
    const char *from; /* canonical uom codes */
    const char *to;
    struct xd_decimal factor; /* 1 from = factor to */
    const char *sku;          /* NULL: every item */
};

struct xd_partner_units {
    struct xd_partner_kv *codes; /* partner spelling -> canonical uom */
    size_t n_codes;
    struct xd_partner_conversion *conversions;
    size_t n_conversions;
};

struct xd_partner_location_xref {
    const char *location_id;
    const char *code;
    const char *gln;
};

struct xd_partner_party_xref {
    const char *party_id;
    const char *code;
    const char *gln;
    const char *duns;
};

struct xd_partner_code_list {
    enum xd_canon_type document;
    const char *path; /* "lines[].status" */
    struct xd_partner_kv *map;
    size_t n_map;
    enum xd_partner_unknown unknown;
};

struct xd_partner_mapping {
    struct xd_partner_item_xref *items;
    size_t n_items;
    enum xd_partner_unknown unknown_items;
    struct xd_partner_units units;
    struct xd_partner_location_xref *locations;
    size_t n_locations;
    struct xd_partner_party_xref *parties;
    size_t n_parties;
    struct xd_partner_code_list *code_lists;
    size_t n_code_lists;
    const struct json_t *x12; /* the X12 engine's mapping description, NULL when none */
    /* ... compiled with the profile (rules.c): to read the partner's interchanges, with the
     * unit spellings of units.codes as its "uom" table unless it has its own; to write them,
     * as it is. Both NULL when the engine refuses the description: x12_problem says why. */
    const struct xd_x12_map *x12_read;
    const struct xd_x12_map *x12_write;
    const char *x12_problem;
};

struct xd_partner_sla {
    enum xd_canon_type expect; /* the document the partner owes */
    bool has_after;
    enum xd_canon_type after; /* due <within> after this document */
    int64_t within_ms;
    const char *before; /* or: due <lead> before this date, "purchase_order.member" */
    enum xd_canon_type before_document;
    const char *before_member;
    int64_t lead_ms;
    int64_t at_risk_ms; /* at risk this long before it is due; 0: never flagged */
};

struct xd_partner_credential {
    const char *name;
    enum xd_partner_credential_kind type;
    const char *username;    /* password */
    struct xd_secret *value; /* supplied in the profile text: plaintext until applied */
    const uint8_t *sealed;   /* stored form (registry), NULL in a freshly parsed profile */
    size_t sealed_len;
};

struct xd_partner_erp {
    enum xd_partner_erp_connector connector;
    const char *url;
    const char *database;
    const char *credential; /* password credential for the ERP user */
    int64_t poll_interval_ms;
    enum xd_partner_invoice_state invoice_state;
    struct xd_partner_kv *products; /* ERP product code -> SKU */
    size_t n_products;
    struct xd_partner_kv *parties; /* ERP party code -> partner id */
    size_t n_parties;
    struct xd_partner_kv *locations; /* ERP location code -> location id */
    size_t n_locations;
    struct xd_partner_kv *units; /* ERP unit symbol -> canonical uom */
    size_t n_units;
};

struct xd_partner_profile__priv;

struct xd_partner_profile {
    const char *id;
    const char *name;
    enum xd_partner_role role;
    struct xd_partner_identifiers identifiers;
    struct xd_partner_x12 *x12; /* NULL: the partner does not use X12 */
    struct xd_partner_inbound inbound;
    struct xd_partner_outbound outbound;
    struct xd_partner_document *documents;
    size_t n_documents;
    struct xd_partner_mapping mapping;
    struct xd_partner_sla *slas;
    size_t n_slas;
    struct xd_partner_credential *credentials;
    size_t n_credentials;
    struct xd_partner_erp *erp; /* role erp only */
    /* Set when the profile came from the store: its version and when it was applied. */
    int64_t version;
    int64_t updated_at_ms;
    struct xd_partner_profile__priv *priv_;
};

const char *xd_partner_role_name(enum xd_partner_role r);
const char *xd_partner_format_name(enum xd_partner_format f);

/* ------------------------------------------------------------------------------------------ */
/* Problems: every one with a path ("outbound.endpoints[0].url"), and for YAML its line and
 * column (1-based; 0 when unknown, as in JSON input and for problems of the whole file). */

enum xd_partner_syntax { XD_PARTNER_YAML, XD_PARTNER_JSON };

struct xd_partner_problem {
    char *code; /* syntax, unknown_key, duplicate_key, type, required, empty, max_length,
                   format, enum, range, reference, conflict, cycle, unsupported, map ... */
    char *path;
    char *message;
    int line;
    int column;
};

struct xd_partner_problems {
    struct xd_partner_problem *items;
    size_t count;
    size_t cap;
    size_t limit;
    size_t dropped; /* past the limit: counted, not kept */
    bool oom;
};

void xd_partner_problems_init(struct xd_partner_problems *p, size_t limit);
void xd_partner_problems_cleanup(struct xd_partner_problems *p);
enum xd_status xd_partner_problems_add(struct xd_partner_problems *p, const char *code,
                                       const char *path, int line, int column, const char *fmt, ...)
    XD_PRINTF(6, 7);
size_t xd_partner_problems_total(const struct xd_partner_problems *p);
/* Fill in line and column of problems that have a path but no position (those found after
 * parsing, such as conflicts with other partners) from the YAML text they are about. */
void xd_partner_problems_locate(struct xd_partner_problems *problems, const char *text, size_t len,
                                enum xd_partner_syntax syntax);
/* "path (line L, column C): message" or "path: message", for people. */
enum xd_status xd_partner_problem_format(const struct xd_partner_problem *pr,
                                         struct xd_buf *out) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Parsing and writing */

/* Parse and check a profile: syntax, every field's type and bounds, unknown keys (with a
 * "did you mean"), required fields, and the cross-references inside the profile (endpoints
 * and credentials referred to exist and fit, unit conversions without cycles, flat maps that
 * compile, code list paths that exist in the canonical document ...). Every problem goes into
 * <problems> (may be NULL). XD_OK with *out (one reference, the caller's); XD_EPARSE (not
 * YAML/JSON); XD_ETOOBIG (past a cap); XD_EINVALDOC (problems); XD_ENOMEM. Pure: no I/O. */
enum xd_status xd_partner_parse(const char *text, size_t len, enum xd_partner_syntax syntax,
                                struct xd_partner_profile **out,
                                struct xd_partner_problems *problems) XD_NODISCARD;

/* References: parsed profiles start with one; the last unref frees everything and wipes
 * plaintext credential values. NULL-safe. */
struct xd_partner_profile *xd_partner_profile_ref(const struct xd_partner_profile *p);
void xd_partner_profile_unref(const struct xd_partner_profile *p);

/* How credentials are written. Values are never written as they are. */
enum xd_partner_emit {
    XD_PARTNER_EMIT_STORED = 0,   /* no value member at all: the stored, audited form */
    XD_PARTNER_EMIT_REDACTED = 1, /* "value": "***" for every credential: what the API shows */
};

/* The profile as compact JSON (members in table order, every field with its effective value)
 * or as YAML; parsing either gives the same profile back. */
enum xd_status xd_partner_to_json(const struct xd_partner_profile *p, enum xd_partner_emit mode,
                                  struct xd_buf *out) XD_NODISCARD;
enum xd_status xd_partner_to_yaml(const struct xd_partner_profile *p, enum xd_partner_emit mode,
                                  struct xd_buf *out) XD_NODISCARD;

/* Markdown reference of every field and rule (docs/partner-profiles.md embeds it). */
enum xd_status xd_partner_describe(struct xd_buf *out) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Queries on one profile */

/* The inbound entry for (type, format) or, with format < 0, the first inbound entry of type. */
const struct xd_partner_document *xd_partner_document_in(const struct xd_partner_profile *p,
                                                         enum xd_canon_type type, int format);
/* The outbound entry of <type>, NULL when the partner does not receive it. */
const struct xd_partner_document *xd_partner_document_out(const struct xd_partner_profile *p,
                                                          enum xd_canon_type type);
/* The endpoint an outbound document goes to: its entry's, else the only one. NULL when none. */
const struct xd_partner_endpoint *xd_partner_endpoint_for(const struct xd_partner_profile *p,
                                                          enum xd_canon_type type);
const struct xd_partner_endpoint *xd_partner_endpoint_find(const struct xd_partner_profile *p,
                                                           const char *name);
const struct xd_partner_credential *xd_partner_credential_find(const struct xd_partner_profile *p,
                                                               const char *name);
/* The inbox rule a file name matches (first match), NULL when none or no inbox. */
const struct xd_partner_inbox_rule *xd_partner_inbox_match(const struct xd_partner_profile *p,
                                                           const char *file_name);
/* Does the HTTP channel accept <format>? */
bool xd_partner_http_accepts(const struct xd_partner_profile *p, enum xd_partner_format f);

/* The SKU an item cross-reference gives for a partner's ids (any may be NULL), NULL when none. */
const char *xd_partner_item_sku(const struct xd_partner_profile *p, const char *vendor_part,
                                const char *buyer_part, const char *gtin);
/* Our location id for a partner's location code or GLN, NULL when none. */
const char *xd_partner_location_id(const struct xd_partner_profile *p, const char *code,
                                   const char *gln);
/* Our party id for a partner's code, GLN or D-U-N-S, NULL when none. */
const char *xd_partner_party_id(const struct xd_partner_profile *p, const char *code,
                                const char *gln, const char *duns);
/* The canonical uom for a partner's spelling (units.codes; a canonical code maps to itself),
 * NULL when neither. */
const char *xd_partner_uom(const struct xd_partner_profile *p, const char *partner_code);
/* Convert <qty> of <sku> (may be NULL) from one uom to another along the profile's
 * conversions (item ones first, then global ones; forward multiplies, backward divides).
 * XD_ENOTFOUND when no chain joins them; XD_EINVAL when a backward division is not exact at
 * 6 fraction digits (the message says by how much); XD_ETOOBIG on overflow. */
enum xd_status xd_partner_convert(const struct xd_partner_profile *p, const char *sku,
                                  struct xd_decimal qty, const char *from, const char *to,
                                  struct xd_decimal *out, struct xd_error *err) XD_NODISCARD;

/* Apply the inbound mapping to one canonical document in JSON form (an object with "type"),
 * in place: unit spellings, item cross-references (a line without sku gets one; a sku that
 * contradicts the cross-reference is a problem), unit conversions (quantities multiplied,
 * prices divided and rounded half-even to 6 fraction digits, totals.total_quantity adjusted),
 * location and party codes, code lists. What was changed goes into <notes> (may be NULL) as
 * "path: message"; what cannot be mapped into <problems> (may be NULL). XD_OK, XD_EINVALDOC
 * (problems), XD_EINVAL (not a document object), XD_ENOMEM. The inbound pipeline and
 * `crossdock partner test` both call this, before canon validates the document. */
enum xd_status xd_partner_map_inbound(const struct xd_partner_profile *p, struct json_t *doc,
                                      struct xd_diags *notes,
                                      struct xd_diags *problems) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Outbound rendering: a canonical document as <p> receives it (render.c). */

/* X12 control numbers for one interchange (the store's per-partner counters) and its time. */
struct xd_partner_controls {
    uint64_t isa, gs, st;
    int64_t at_ms;
};
struct xd_partner_rendered {
    const char *endpoint;     /* the profile's endpoint for the type (borrowed from <p>) */
    const char *content_type; /* "application/edi-x12", "application/json", "text/csv" ... */
    const char *format;       /* "x12", "json", "csv", "fixed_width" */
    bool uses_controls;       /* the control numbers were used (X12) */
    struct xd_buf body;
};
/* Render <doc> (a canonical document object) per the profile's outbound entry for its type
 * (none: canonical JSON) for the endpoint that entry names (else the profile's only one).
 * XD_OK; XD_ENOTFOUND (no endpoint for the type); XD_EINVAL (err says what cannot be written:
 * no X12 identifiers, a code the map does not translate ...); XD_ENOMEM; XD_ETOOBIG. */
enum xd_status xd_partner_render(const struct xd_partner_profile *p, const struct json_t *doc,
                                 const struct xd_partner_controls *c, struct xd_partner_rendered *r,
                                 struct xd_error *err) XD_NODISCARD;
/* The same for a document the hub stores, <text> (<len> bytes) being <doc>'s canonical JSON as
 * the journal holds it (a valid document, encoded by the canonical codec): X12 is written from
 * the text decoded and JSON is the text itself, where the tree would first be written out as
 * text again (the bytes are the same: xd_canon_tree_write of a valid document's tree is its
 * canonical encoding); a flat file is written from the tree. */
enum xd_status xd_partner_render_stored(const struct xd_partner_profile *p,
                                        const struct json_t *doc, const char *text, size_t len,
                                        const struct xd_partner_controls *c,
                                        struct xd_partner_rendered *r,
                                        struct xd_error *err) XD_NODISCARD;
void xd_partner_rendered_cleanup(struct xd_partner_rendered *r);
/* One X12 interchange holding <doc> between the hub and <p>: written by the hub to the partner
 * (as the profile's outbound entries say) or, <as_partner>, by the partner to the hub (the
 * simulators); the partner's identifiers, the hub's as the partner knows them (x12.hub_*,
 * else ZZ/CROSSDOCK), the profile's delimiters and its compiled map. <version> NULL: 004010.
 * XD_EINVAL (message in <err>) for what cannot be written. */
enum xd_status xd_partner_write_x12(const struct xd_partner_profile *p,
                                    const struct xd_canon_doc *doc, bool as_partner,
                                    const char *version, const struct xd_partner_controls *c,
                                    struct xd_buf *out, struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Onboarding harness: one sample partner file through the profile, no I/O, no state. */

struct xd_partner_sample_options {
    const char *file_name; /* for inbox pattern matching; may be NULL */
    int format;            /* enum xd_partner_format, or -1 to detect */
    int document;          /* enum xd_canon_type for flat files, or -1 to infer */
};

/* X12: what the interchange envelopes said, for the inbound pipeline (dedupe key, sender check,
 * acknowledgement control numbers) without reading the message again. */
struct xd_partner_x12_envelopes {
    unsigned interchanges, groups, sets;
    bool test;              /* some interchange has ISA15 T */
    bool foreign;           /* some interchange's ISA05/06 is not this partner */
    char first_control[10]; /* ISA13 of the first interchange */
    char sender[40];        /* the first foreign sender, "qualifier/id" */
};

struct xd_partner_sample {
    enum xd_partner_format format;
    struct json_t *documents; /* array of canonical documents as mapped (owned) */
    /* One boolean per document: true when it mapped and validated without a problem (what
     * the inbound pipeline stores); false ones are in <documents> as far as they got. */
    struct json_t *valid;
    size_t n_refused;         /* documents (X12 sets) refused before they became JSON at all */
    struct xd_diags notes;    /* what the mapping changed */
    struct xd_diags problems; /* format, mapping and canonical validation problems */
    char detail[256];         /* a sentence on what was done (X12: what was checked) */
    bool passed;
    struct xd_partner_x12_envelopes x12; /* format X12 only */
};

void xd_partner_sample_init(struct xd_partner_sample *s);
void xd_partner_sample_cleanup(struct xd_partner_sample *s);
/* Read <len> bytes of <data> as the partner would send them: detect or take the format,
 * decode (canonical JSON as is, flat files through the profile's map, X12 through the X12
 * engine's validation and the profile's envelope identifiers), apply the mapping, validate with
 * canon. s->passed tells the verdict. XD_OK (whatever the verdict), XD_ENOMEM. */
enum xd_status xd_partner_sample_run(const struct xd_partner_profile *p,
                                     const struct xd_partner_sample_options *o, const char *data,
                                     size_t len, struct xd_partner_sample *s) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Registry: the profiles in effect, for the rest of the hub.
 *
 * Readers take a snapshot (a mutex held for a pointer copy and a reference count increment)
 * and look up in it without any lock; applying a profile builds a new snapshot (copy on write,
 * sharing the unchanged profiles) and swaps it in. A snapshot stays valid, unchanged, until
 * released. */

struct xd_partner_registry;
struct xd_partner_snapshot;

/* <key> (borrowed, may be NULL: credentials then cannot be opened) must outlive the registry. */
enum xd_status xd_partner_registry_create(const struct xd_secret_key *key,
                                          struct xd_partner_registry **out) XD_NODISCARD;
void xd_partner_registry_destroy(struct xd_partner_registry *r);
/* Replace the whole content with the current version of every profile in the store (at start).
 * A stored profile that no longer parses is an error naming it (XD_ECORRUPT). */
enum xd_status xd_partner_registry_load(struct xd_partner_registry *r, struct xd_store *s,
                                        struct xd_error *err) XD_NODISCARD;
/* Insert or replace one profile (takes a reference of its own). XD_ENOMEM, XD_ETOOBIG. */
enum xd_status xd_partner_registry_put(struct xd_partner_registry *r,
                                       const struct xd_partner_profile *p) XD_NODISCARD;

struct xd_partner_snapshot *xd_partner_registry_acquire(struct xd_partner_registry *r);
/* A number that changes whenever the content changes (every put, every load; an apply of
 * unchanged content puts too). Lock-free; a snapshot acquired after reading it is at least as
 * new as the number says. For caches of what is derived from profiles (delivery endpoints). */
uint64_t xd_partner_registry_generation(struct xd_partner_registry *r);
void xd_partner_snapshot_release(struct xd_partner_snapshot *s);
size_t xd_partner_snapshot_count(const struct xd_partner_snapshot *s);
/* Profiles sorted by id. */
const struct xd_partner_profile *xd_partner_snapshot_at(const struct xd_partner_snapshot *s,
                                                        size_t i);
/* By id (also: the partner a token speaks for, the folder name of an inbox). */
const struct xd_partner_profile *xd_partner_snapshot_find(const struct xd_partner_snapshot *s,
                                                          const char *id);
/* By X12 interchange sender (ISA05 qualifier and ISA06 id, trailing blanks ignored). */
const struct xd_partner_profile *xd_partner_snapshot_find_isa(const struct xd_partner_snapshot *s,
                                                              const char *qualifier,
                                                              const char *isa_id);
/* By X12 application code (GS02). */
const struct xd_partner_profile *xd_partner_snapshot_find_gs(const struct xd_partner_snapshot *s,
                                                             const char *gs_id);
/* By inbox folder (partners/<folder>/inbox): the profile of that id, when its inbox is on. */
const struct xd_partner_profile *xd_partner_snapshot_find_inbox(const struct xd_partner_snapshot *s,
                                                                const char *folder);

/* The plaintext of a stored credential of <p>, for the delivery engine and connectors. The
 * caller owns *out (xd_secret_destroy). XD_ENOTFOUND (no such credential), XD_EPERM (sealed
 * with another key), XD_ECORRUPT (tampered), XD_EUNSUPPORTED (registry without a key). */
enum xd_status xd_partner_credential_open(const struct xd_partner_registry *r,
                                          const struct xd_partner_profile *p, const char *name,
                                          struct xd_secret **out,
                                          struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------ */
/* Applying a profile (PUT /v1/partners/{id}, crossdock partner apply) */

struct xd_partner_apply_result {
    bool created;
    bool unchanged; /* same content as the current version: no new version */
    int64_t version;
};

/* Store <p> as the partner's next version and make it current in <r>, all or nothing:
 *   - checks against the other profiles (X12 and GS identifiers not claimed by another
 *     partner, a failover alternate of a compatible role when it exists);
 *   - credentials: a value given is sealed with the registry's key (partner id and credential
 *     name as additional data); a credential without a value (or "***") keeps the value stored
 *     in the current version, and is a problem when there is none;
 *   - unchanged content (profile and every credential value) makes no new version;
 *   - a new version is committed with an audit record (before/after without secrets), then the
 *     registry is updated.
 * Applies are serialized per registry. XD_OK with <res>; XD_EINVALDOC with <problems>;
 * XD_EUNAVAIL/XD_EAGAIN (store); XD_EUNSUPPORTED (no key); XD_ENOMEM. Blocks until the commit. */
enum xd_status xd_partner_apply(struct xd_partner_registry *r, struct xd_store *s,
                                const struct xd_partner_profile *p, const char *actor,
                                struct xd_partner_apply_result *res,
                                struct xd_partner_problems *problems,
                                struct xd_error *err) XD_NODISCARD;

/* Re-seal every stored credential of every version with <new_key> (rotation of the master
 * key), in one transaction with an audit record. Opens each with <old_key> first: any that
 * does not open stops everything (nothing changes). *count receives how many were re-sealed. */
enum xd_status xd_partner_rekey(struct xd_store *s, const struct xd_secret_key *old_key,
                                const struct xd_secret_key *new_key, const char *actor,
                                int64_t *count, struct xd_error *err) XD_NODISCARD;

/* A profile as stored (version <version>, 0 = current), parsed again, with its sealed
 * credentials attached. XD_ENOTFOUND, XD_ECORRUPT (stored text no longer parses). */
enum xd_status xd_partner_load(struct xd_store *s, const char *id, int64_t version,
                               struct xd_partner_profile **out, struct xd_error *err) XD_NODISCARD;

#endif
