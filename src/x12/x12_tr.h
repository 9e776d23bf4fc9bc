/* SPDX-License-Identifier: MIT
 * Private to the X12 translator (inbound: segments to canonical documents; outbound: canonical
 * documents to segments). One specification per transaction set (spec_*.c) drives both
 * directions: *bindings* tie an element (or component) to a canonical member with a
 * conversion; inbound *rules* say which bindings or handler a segment in a given loop uses;
 * outbound *steps* say in which order segments are written from which objects. What differs
 * between partners comes from struct xd_x12_map (map.c). */
#ifndef XD_X12_X12_TR_H
#define XD_X12_X12_TR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canon/canon.h"
#include "x12/x12_int.h"

/* ---- The map (map.c) ----------------------------------------------------------------------- */

#define XD_X12_MAP_MAX_CODES   8    /* codes one member accepts (N101 SU, SE, VN ...) */
#define XD_X12_MAP_MAX_ENTRIES 128  /* members per category in one layer of a description */
#define XD_X12_MAP_MAX_XREF    4096 /* location and party cross-reference entries */
#define XD_X12_MAP_CODE_MAX    4    /* an X12 code: SAC02 has 4 characters, most 2 or 3 */

enum xd_x12__map_cat {
    XD_X12__CAT_ITEM_IDS,   /* item member -> product ID qualifiers (235) */
    XD_X12__CAT_PARTIES,    /* party member -> N101 entity codes (98) */
    XD_X12__CAT_REFERENCES, /* member -> REF01 / N901 qualifiers (128) */
    XD_X12__CAT_DATES,      /* member -> DTM01 (374); "member.g62" -> G6201 (432) */
    XD_X12__CAT_QUANTITIES, /* member -> QTY01 (673) */
    XD_X12__CAT_CODES,      /* "list.canonical" -> X12 codes, overriding the code tables */
    XD_X12__CAT_UOM,        /* partner unit -> canonical unit */
    XD_X12__CAT_COUNT
};

/* The codes of <member> for document type <t> (its override, else the description's, else the
 * default); *codes is NULL and 0 is returned when there are none. The first code is the one
 * written. */
size_t xd_x12__map_codes(const struct xd_x12_map *m, enum xd_canon_type t, enum xd_x12__map_cat cat,
                         const char *member, const char *const **codes);
const char *xd_x12__map_uom_in(const struct xd_x12_map *m, enum xd_canon_type t, const char *code);
const char *xd_x12__map_uom_out(const struct xd_x12_map *m, enum xd_canon_type t, const char *code);
/* Cross-references: (N103, N104) -> location_id / party_id, and back. */
const char *xd_x12__map_xref_id(const struct xd_x12_map *m, bool location, const char *qualifier,
                                const char *code);
bool xd_x12__map_xref_code(const struct xd_x12_map *m, bool location, const char *id,
                           const char **qualifier, const char **code);
const char *xd_x12__map_assigned_qualifier(const struct xd_x12_map *m);
const char *xd_x12__map_currency(const struct xd_x12_map *m);
const char *xd_x12__map_rma_status(const struct xd_x12_map *m);
int xd_x12__map_time_offset(const struct xd_x12_map *m);
bool xd_x12__map_hub_ids(const struct xd_x12_map *m);

/* ---- Code tables (trcodes.c) --------------------------------------------------------------- */

/* X12 code lists with a canonical counterpart. The map overrides them by list name. */
#define XD_X12__LISTS(L)                                                                           \
    L(PURPOSE, "purpose")                                                                          \
    L(ORDER_TYPE, "order_type")                                                                    \
    L(ACK_STATUS, "ack_status")                                                                    \
    L(LINE_ACK, "line_ack_status")                                                                 \
    L(LINE_CHANGE, "line_change")                                                                  \
    L(FREIGHT, "freight_terms")                                                                    \
    L(TRANSPORT, "transport_mode")                                                                 \
    L(SERVICE, "service_level")                                                                    \
    L(PACK_KIND, "pack_kind")                                                                      \
    L(INVOICE_TYPE, "invoice_type")                                                                \
    L(CHARGE, "charge_code")                                                                       \
    L(TAX, "tax_type")                                                                             \
    L(TERMS_BASIS, "terms_basis")                                                                  \
    L(CONTACT_ROLE, "contact_role")                                                                \
    L(ORDER_STATUS, "order_status")                                                                \
    L(LINE_STATUS, "shipment_line_status")                                                         \
    L(RETURN_REASON, "return_reason")                                                              \
    L(DISPOSITION, "disposition")                                                                  \
    L(CONDITION, "receipt_condition")                                                              \
    L(WEIGHT_UNIT, "weight_unit")                                                                  \
    L(ADVICE_STATUS, "advice_status")                                                              \
    L(ADVISED_DOC, "advised_document")                                                             \
    L(ADVICE_PROBLEM, "advice_problem")

#define XD_X12__LIST_ENUM(E, name) XD_X12__L_##E,
enum xd_x12__list { XD_X12__LISTS(XD_X12__LIST_ENUM) XD_X12__L_COUNT };
#undef XD_X12__LIST_ENUM

/* The lists with the map's overrides applied. xd_x12__map_code_lists compiles them once per
 * map and type (safe to call from the threads that share a map); the map owns them. */
struct xd_x12__codes;
enum xd_status xd_x12__codes_create(const struct xd_x12_map *m, enum xd_canon_type t,
                                    struct xd_x12__codes **out) XD_NODISCARD;
void xd_x12__codes_destroy(struct xd_x12__codes *c);
enum xd_status xd_x12__map_code_lists(const struct xd_x12_map *m, enum xd_canon_type t,
                                      const struct xd_x12__codes **out) XD_NODISCARD;
/* X12 code -> canonical code, NULL when the list has none for it. */
const char *xd_x12__codes_in(const struct xd_x12__codes *c, enum xd_x12__list l, struct xd_slice v);
/* Canonical code -> the X12 code written, NULL when the list has none. */
const char *xd_x12__codes_out(const struct xd_x12__codes *c, enum xd_x12__list l, const char *v);
const char *xd_x12__list_name(enum xd_x12__list l);

/* Time codes (623) <-> offsets in minutes east of UTC. */
bool xd_x12__time_code_offset(struct xd_slice code, int *minutes);
const char *xd_x12__time_code_of(int minutes);

/* ---- Bindings, scopes, rules, steps -------------------------------------------------------- */

enum xd_x12__conv {
    XD_X12__CV_STR,      /* string, trailing blanks dropped */
    XD_X12__CV_DATE,     /* DT CCYYMMDD (YYMMDD in older versions) <-> "YYYY-MM-DD" */
    XD_X12__CV_DEC,      /* R <-> decimal, scale as written */
    XD_X12__CV_N2,       /* N2, two implied decimals <-> decimal */
    XD_X12__CV_INT,      /* N0 <-> integer */
    XD_X12__CV_CODE,     /* ID <-> canonical code through a code table */
    XD_X12__CV_UOM,      /* 355 unit <-> canonical uom through the map */
    XD_X12__CV_FIXED,    /* written as <fixed>, not read */
    XD_X12__CV_BOOL,     /* "Y" / "N" <-> bool */
    XD_X12__CV_DATETIME, /* date, time and time code <-> RFC 3339 (qualifier handlers) */
    XD_X12__CV_TEXT,     /* free text continued by the MSG segments that follow (N9) */
    XD_X12__CV_STRINGS,  /* each occurrence appends to a STRINGS member; <has> = its count */
    XD_X12__CV_CARRIER,  /* an N1 loop that names the carrier: N102 name, N104 SCAC */
    XD_X12__CV_SSCC,     /* an SSCC, read without the label's application identifier (00) */
    XD_X12__CV_GTIN,     /* a GTIN or UPC: left out, with a note, when its check digit is wrong */
};

/* An element (component when <comp> > 0) and a member of the scope's struct.
 * <fixed>: for CV_FIXED the value written (only when element <when> holds something, or
 * always when <when> is 0); for a member of a mandatory element, written when the member is
 * absent and read back as absent ("NE" for BEG02 without order_type).
 * <dflt>: written when the member is absent, read like any value. */
struct xd_x12__bind {
    const char *name;
    uint8_t el, comp, conv, list, when;
    uint16_t off, has;
    const char *fixed, *dflt;
};

/* Objects the bindings write into. The dynamic ones are set by handlers (the current line,
 * party, ...); the others are OBJECT members of one of them, created when first written. */
enum xd_x12__scope_id {
    XD_X12__SC_SAME, /* in a member list: the rule's or step's own scope */
    XD_X12__SC_ROOT,
    XD_X12__SC_LINE,    /* the current element of the document's lines */
    XD_X12__SC_PARTY,   /* the party_ref of the current N1 loop */
    XD_X12__SC_ORDER,   /* 856: asn_order of the current HL O */
    XD_X12__SC_PACK,    /* 856: asn_pack; 945: sc_package */
    XD_X12__SC_ITEM,    /* 856: asn_item */
    XD_X12__SC_EXTRA,   /* the element a rule just appended (a tax, a charge, a content) */
    XD_X12__SC_DYNAMIC, /* scopes from here on are OBJECT members */
    XD_X12__SC_MAX = 24
};

struct xd_x12__scope {
    uint8_t parent; /* scope holding the member */
    uint16_t off;   /* the OBJECT member (a pointer) in the parent */
    uint16_t size;  /* of the object created */
};

/* A member a qualifier selects (REF01/N901, DTM01/G6201, QTY01, N101, item ID qualifiers),
 * or that a labelled reference names (REF*ZZ*value*LABEL, LABEL = the name in capitals).
 * The value is element <el> of the segment (0: the usual one, REF02/N902). For N1
 * candidates a CV_STR member is a location_id (the N1 names the document's location) and
 * CV_CARRIER a carrier object; any other is a party_ref. */
struct xd_x12__member {
    const char *name; /* canonical member name: the map's key */
    uint16_t off, has;
    uint8_t conv, list, scope, el;
};

struct xd_x12__tr;
struct xd_x12__rule;
typedef void (*xd_x12__handler)(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                                const struct xd_x12__rule *r);

/* Inbound: a segment <seg> whose innermost loop is <loop> ("" = the set's top level) inside
 * <parent> (NULL = any) is handled by <fn> (NULL = apply the bindings to <scope>). */
struct xd_x12__rule {
    char seg[4];
    const char *loop, *parent;
    xd_x12__handler fn;
    uint8_t scope;
    uint8_t key_el; /* when > 0: only when element <key_el> equals <key> */
    const char *key;
    char level; /* when set: only under an HL (or 945 LX) of this kind (xd_x12__tr.level) */
    const struct xd_x12__bind *binds;
    size_t nbinds;
    const struct xd_x12__member *members; /* candidates of a qualifier handler */
    size_t nmembers;
    const void *arg; /* handler-specific */
};

struct xd_x12__out;
struct xd_x12__step;
typedef enum xd_status (*xd_x12__writer)(struct xd_x12__out *o, const struct xd_x12__step *s);

/* Outbound: write segment <seg> from <scope> with its bindings (when a bound member is
 * present, or always when <required>), or call <fn>. */
struct xd_x12__step {
    char seg[4];
    uint8_t scope;
    bool required;
    uint8_t ids_from; /* item ID pairs of the scope's object from this element (0 = none) */
    xd_x12__writer fn;
    const struct xd_x12__bind *binds;
    size_t nbinds;
    const struct xd_x12__member *members;
    size_t nmembers;
    const void *arg;
};

/* A transaction set's translation both ways. */
struct xd_x12__tspec {
    const char *set_id;
    const char *group; /* GS01 */
    enum xd_canon_type type;
    const struct xd_x12__scope *scopes; /* index - XD_X12__SC_DYNAMIC */
    size_t nscopes;
    const struct xd_x12__rule *rules;
    size_t nrules;
    void (*begin)(struct xd_x12__tr *t);  /* may be NULL */
    void (*finish)(struct xd_x12__tr *t); /* derived members, before canonical validation */
    const struct xd_x12__step *steps;     /* NULL: no outbound translation */
    size_t nsteps;
    /* party_ref members the interchange sender and receiver stand for when no N1 names them
     * (an 850 comes from the buyer to the supplier); 0 = none. */
    uint16_t sender_party, receiver_party;
};

/* The specification for ST01 <set_id> (and, outbound, for canonical type <t>). */
const struct xd_x12__tspec *xd_x12__tspec_for_set(struct xd_slice set_id);
/* Outbound: the specification a document is written with (a purchase order with purpose
 * change or cancel is an 860, any other an 850). NULL when none. */
const struct xd_x12__tspec *xd_x12__tspec_for_doc(const struct xd_canon_doc *doc);

/* ---- Inbound state (translate.c) ----------------------------------------------------------- */

#define XD_X12__TR_MAX_HL 8 /* HL levels remembered per kind for parent lookups */

/* Where an object came from, for messages: an entry per created object. */
struct xd_x12__prov {
    const void *obj;
    char seg[4];
    uint64_t position;
};

/* The map's codes for one member, remembered by the member name's address (the handlers'
 * names are the tables' string constants, and the map does not change while a translator
 * lives): a lookup costs a compare instead of a walk over the map's entries. */
#define XD_X12__TR_MEMO 64 /* entries, a power of two */
struct xd_x12__tr_memo {
    const char *member; /* NULL = empty */
    const char *const *codes;
    size_t n;
    uint8_t cat, type, g62;
};

/* The members of an item ID list the map gives a qualifier (trcommon.c), remembered. */
#define XD_X12__TR_QUAL_MEMO 16 /* entries */
struct xd_x12__tr_qual {
    const struct xd_x12__member *members; /* NULL = empty */
    uint32_t code;                        /* the qualifier's bytes */
    uint32_t mask;                        /* bit i: members[i] */
    uint8_t len;                          /* of the qualifier, at most 4 */
    uint8_t type;
};

struct xd_x12__tr {
    const struct xd_x12_map *map;
    struct xd_x12__tr_memo memo[XD_X12__TR_MEMO];
    struct xd_x12__tr_qual qual_memo[XD_X12__TR_QUAL_MEMO];
    const struct xd_x12__codes *codes;
    const struct xd_x12__tspec *spec;
    struct xd_arena *arena;
    char *pool, *pool_end; /* free bytes of the block short values are cut from (tr_strdup) */
    struct xd_canon_doc *doc;
    void *obj[XD_X12__SC_MAX]; /* current objects by scope */
    const struct xd_x12_delims *delims;
    uint64_t position; /* of the current segment in the set */
    char seg_id[4];
    struct xd_diags *problems; /* conversion problems, then canonical ones */
    struct xd_diags *notes;
    struct xd_diags *warnings;
    bool failed; /* out of memory in the arena (capped) */
    struct xd_x12__prov *prov;
    size_t nprov, capprov;
    void *state;                   /* set-specific, allocated by spec->begin in the arena */
    const char **text;             /* the member MSG segments continue (N9 with CV_TEXT) */
    const char **party_location;   /* the location_id the current N1 loop names */
    char level;                    /* kind of the current HL (856) or LX (945) */
    const char *sender, *receiver; /* ISA06, ISA08 without padding */
    const char *sender_qual, *receiver_qual;
    const char *group_date; /* GS04 */
};

/* xd_x12__map_codes for the current specification's type, <cat> and <member> (with ".g62"
 * appended when <g62>), through t->memo. */
size_t xd_x12__tr_map_codes(struct xd_x12__tr *t, enum xd_x12__map_cat cat, const char *member,
                            bool g62, const char *const **codes);

/* A GS1 key of <len> digits (GTIN-8/12/13/14, SSCC-18) with its check digit right. */
bool xd_x12__gs1_ok(struct xd_slice v);

/* A conversion problem at the current segment, element <el>. */
void xd_x12__tr_problem(struct xd_x12__tr *t, unsigned el, const char *fmt, ...) XD_PRINTF(3, 4);
/* Make the segment that made <obj> the current one (for notes written after the set's end);
 * without one, the envelope segment <seg> ("GS"). */
void xd_x12__tr_at(struct xd_x12__tr *t, const void *obj, const char *seg);
/* A note (the document stays valid): something left out or assumed. */
void xd_x12__tr_note(struct xd_x12__tr *t, unsigned el, const char *fmt, ...) XD_PRINTF(3, 4);
/* A warning (the document stays valid): something the sender got wrong, and what the
 * translation did about it. */
void xd_x12__tr_warn(struct xd_x12__tr *t, unsigned el, const char *fmt, ...) XD_PRINTF(3, 4);
/* The object of <scope>, created (zeroed) for object scopes; NULL when a dynamic scope is not
 * open or memory ran out. */
void *xd_x12__tr_scope(struct xd_x12__tr *t, uint8_t scope);
/* Append a zeroed element to the array at <arr_off>/<count_off> of <parent> (elements of
 * <size> bytes); the array moves when it grows (capacities are powers of two, in the arena).
 * Records the current segment as the element's origin. NULL when out of memory. */
void *xd_x12__tr_append(struct xd_x12__tr *t, void *parent, size_t arr_off, size_t count_off,
                        size_t size);
/* A new object (zeroed) for an OBJECT member, recorded as coming from the current segment. */
void *xd_x12__tr_object(struct xd_x12__tr *t, void *parent, size_t off, size_t size);
/* Remove element <index> of the array at <arr_off>/<count_off> of <parent> (elements of
 * <size> bytes); the ones after it move down with their origins. */
void xd_x12__tr_remove(struct xd_x12__tr *t, void *parent, size_t arr_off, size_t count_off,
                       size_t size, size_t index);
/* Lines of quantity 0 order, bill, ship or return nothing: each is removed with a warning
 * naming its segment (<qty_el>: the element of the quantity). Offsets as for
 * xd_x12__tr_remove; <qty_off> is the line's quantity (a struct xd_decimal). Returns how
 * many were removed. */
size_t xd_x12__tr_drop_zero_lines(struct xd_x12__tr *t, void *parent, size_t arr_off,
                                  size_t count_off, size_t size, size_t qty_off, unsigned qty_el);
/* Lines whose ID is no number (kept in line_id) are numbered by their place (xd_x12__h_line);
 * after lines were dropped that place moved: each gets its place among the lines left, which
 * is what reading the rendered document gives it (the line's element carries the ID, not
 * the number). A number another line also has then makes the document invalid. */
struct xd_x12__lines;
void xd_x12__tr_number_by_place(void *parent, const struct xd_x12__lines *lines);
void xd_x12__tr_origin(struct xd_x12__tr *t, const void *obj);
/* Apply bindings to <obj>. */
void xd_x12__tr_bind(struct xd_x12__tr *t, void *obj, const struct xd_x12__bind *b, size_t n,
                     const struct xd_x12_segment *seg);
/* Apply bindings to the object of <scope>, created only when some value is there to bind. */
void xd_x12__tr_bind_scope(struct xd_x12__tr *t, uint8_t scope, const struct xd_x12__bind *b,
                           size_t n, const struct xd_x12_segment *seg);
/* One element's value converted into the member at <obj> + <off> (and its has_ flag). False
 * (with a problem recorded) when it does not convert. */
bool xd_x12__tr_set(struct xd_x12__tr *t, void *obj, uint16_t off, uint16_t has, uint8_t conv,
                    uint8_t list, struct xd_slice v, unsigned el);
/* <v> without trailing blanks. */
static inline struct xd_slice xd_x12__trim(struct xd_slice v)
{
    while (v.len > 0 && v.p[v.len - 1] == ' ') {
        v.len--;
    }
    return v;
}

/* Component <comp> (> 0) of element <el> of <seg>, trailing blanks dropped. */
struct xd_slice xd_x12__tr_component(const struct xd_x12_segment *seg, unsigned el, unsigned comp);

/* Element <el> (component <comp>) of <seg>, trailing blanks dropped. Inline: the handlers read
 * about thirty elements per purchase order. */
static inline struct xd_slice xd_x12__tr_elem(const struct xd_x12_segment *seg, unsigned el,
                                              unsigned comp)
{
    if (comp > 0) {
        return xd_x12__tr_component(seg, el, comp);
    }
    return xd_x12__trim(el < seg->count ? seg->elements[el] : (struct xd_slice){"", 0});
}
char *xd_x12__tr_strdup(struct xd_x12__tr *t, struct xd_slice v);
/* "YYYY-MM-DDTHH:MM:SS+hh:mm" from a date, a time and a time code (any may be empty). */
const char *xd_x12__tr_datetime(struct xd_x12__tr *t, struct xd_slice date, struct xd_slice time,
                                struct xd_slice zone, unsigned el);

/* Common inbound handlers (trcommon.c); <members> of the rule are their candidates. */
void xd_x12__h_bind(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                    const struct xd_x12__rule *r);
void xd_x12__h_party(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                     const struct xd_x12__rule *r);
/* The current N1 loop ends (another begins, or the set does): an incomplete address goes. */
void xd_x12__tr_party_close(struct xd_x12__tr *t);
void xd_x12__h_party_detail(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                            const struct xd_x12__rule *r);
void xd_x12__h_ref(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                   const struct xd_x12__rule *r);
void xd_x12__h_dtm(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                   const struct xd_x12__rule *r);
void xd_x12__h_note(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                    const struct xd_x12__rule *r);
void xd_x12__h_line(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                    const struct xd_x12__rule *r);
/* QTY-like: element 1 qualifier selects a member (map "quantities"), element 2 its value;
 * <arg> may name a uom member (struct xd_x12__member) filled from element 3 (component 1). */
void xd_x12__h_qty(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                   const struct xd_x12__rule *r);
/* Item IDs in qualifier/ID pairs from element <first> on, into <obj>'s members. */
void xd_x12__tr_item_ids(struct xd_x12__tr *t, void *obj, const struct xd_x12_segment *seg,
                         unsigned first, const struct xd_x12__member *members, size_t n);
/* Item IDs in the pairs at elements pos[0], pos[1] ... (0-terminated), read and written. */
void xd_x12__tr_item_pairs(struct xd_x12__tr *t, void *obj, const struct xd_x12_segment *seg,
                           const uint8_t *pos, const struct xd_x12__member *members, size_t n);
void xd_x12__out_item_pairs(struct xd_x12__out *o, const void *obj, const uint8_t *pos,
                            const struct xd_x12__member *members, size_t n);
/* A string member grown by <v> (notes and instructions split over several segments). */
void xd_x12__tr_append_text(struct xd_x12__tr *t, const char **member, struct xd_slice v);

/* Argument of xd_x12__h_line: append an element to an array of <owner> (a scope), make it
 * <scope>, number it when <numbered> (from element <number_el>, or its ordinal), read item
 * IDs from element <ids_from> on, then apply the rule's bindings to it. */
struct xd_x12__lines {
    uint8_t owner;
    uint16_t arr_off, count_off, size;
    bool numbered;
    uint16_t number_off, id_off; /* line_number (INT), line_id (STRING, 0 = none) */
    uint8_t number_el;
    uint8_t ids_from;
    uint8_t scope;
};

/* Argument of the reference handlers: where references no member takes go (references[] of
 * the rule's scope; without it they are dropped). */
struct xd_x12__refs {
    uint16_t arr_off, count_off;
};

/* ---- Outbound state (render.c) ------------------------------------------------------------- */

/* The shortest identification code an N1 carries (N104): an interchange ID shorter than that
 * can name no party or location on the way out. */
#define XD_X12__N104_MIN   2
#define XD_X12__OUT_VALUES 48 /* elements one written segment may have */
#define XD_X12__OUT_TEXT   64 /* formatted value (decimal, date) */

struct xd_x12__out {
    const struct xd_x12_map *map;
    const struct xd_x12__codes *codes;
    const struct xd_x12__tspec *spec;
    const struct xd_canon_doc *doc;
    struct xd_x12_writer *w;
    const struct xd_x12_delims *delims;
    const void *obj[XD_X12__SC_MAX];
    struct xd_error *err;
    uint64_t hl; /* HL counter (856) */
    bool v5;     /* writing 005010 or later: its element lengths */
    struct xd_slice vals[XD_X12__OUT_VALUES];
    char text[XD_X12__OUT_VALUES][XD_X12__OUT_TEXT];
    size_t n;
    unsigned lost; /* an element that could not be set (too long a copy, past the last): the
                    * segment is refused rather than written without it */
};

/* Start a segment (no values yet). */
void xd_x12__out_begin(struct xd_x12__out *o);
/* Set element <el> (1-based) to <v> (borrowed until the segment is written) or to <s>
 * (copied; XD_X12__OUT_TEXT - 1 bytes at most). What cannot be set makes the segment's write
 * fail. */
void xd_x12__out_set(struct xd_x12__out *o, unsigned el, struct xd_slice v);
void xd_x12__out_setf(struct xd_x12__out *o, unsigned el, const char *s);
/* Apply the bindings of <b> from <obj>. Returns how many bound members were present. */
size_t xd_x12__out_bind(struct xd_x12__out *o, const void *obj, const struct xd_x12__bind *b,
                        size_t n);
/* Write the segment built so far. */
enum xd_status xd_x12__out_write(struct xd_x12__out *o, const char *id) XD_NODISCARD;
/* Member value as an element: XD_EINVAL (message in o->err) when a code has no X12 code. */
enum xd_status xd_x12__out_member(struct xd_x12__out *o, unsigned el, const void *obj, uint16_t off,
                                  uint16_t has, uint8_t conv, uint8_t list,
                                  bool *present) XD_NODISCARD;
/* The object of a scope (NULL when absent). */
const void *xd_x12__out_scope(const struct xd_x12__out *o, uint8_t scope);
/* Run steps in order. */
enum xd_status xd_x12__out_steps(struct xd_x12__out *o, const struct xd_x12__step *s,
                                 size_t n) XD_NODISCARD;
/* Item ID pairs of <obj> from element <first>. Returns the element after the last one. */
unsigned xd_x12__out_item_ids(struct xd_x12__out *o, const void *obj, unsigned first,
                              const struct xd_x12__member *members, size_t n);
/* An X12 datetime: date, time (HHMM or HHMMSS) and time code of an RFC 3339 string. */
bool xd_x12__out_datetime(struct xd_x12__out *o, const char *rfc3339, char date[9], char time[7],
                          const char **zone);

/* Common outbound writers (render.c). */
enum xd_status xd_x12__w_seg(struct xd_x12__out *o, const struct xd_x12__step *s) XD_NODISCARD;
enum xd_status xd_x12__w_parties(struct xd_x12__out *o, const struct xd_x12__step *s) XD_NODISCARD;
enum xd_status xd_x12__w_refs(struct xd_x12__out *o, const struct xd_x12__step *s) XD_NODISCARD;
enum xd_status xd_x12__w_dtms(struct xd_x12__out *o, const struct xd_x12__step *s) XD_NODISCARD;
enum xd_status xd_x12__w_note(struct xd_x12__out *o, const struct xd_x12__step *s) XD_NODISCARD;
enum xd_status xd_x12__w_lines(struct xd_x12__out *o, const struct xd_x12__step *s) XD_NODISCARD;

/* Argument of xd_x12__w_lines: iterate the root's lines, writing <steps> for each. */
struct xd_x12__each {
    uint16_t arr_off, count_off, size;
    uint8_t scope;
    const struct xd_x12__step *steps;
    size_t nsteps;
};

/* Argument of xd_x12__w_parties: the party members to write, in order. */
struct xd_x12__party_list {
    const struct xd_x12__member *parties;
    size_t n;
    bool refs; /* the N1 loop has REF (hub and secondary IDs) */
    bool per;  /* ... and PER */
};

/* Table helpers (spec_*.c). B*: bindings; M*: members. <st> is a canonical struct name. */
#define XD_X12__B(e, cv, st, m)                                                                    \
    {                                                                                              \
#m, (e), 0, XD_X12__CV_##cv, 0, 0, XD_X12__OFF(st, m), 0, NULL, NULL                       \
    }
#define XD_X12__BH(e, cv, st, m)                                                                   \
    {                                                                                              \
#m, (e), 0, XD_X12__CV_##cv, 0, 0, XD_X12__OFF(st, m), XD_X12__HAS(st, m), NULL, NULL      \
    }
#define XD_X12__BC(e, l, st, m)                                                                    \
    {                                                                                              \
#m, (e), 0, XD_X12__CV_CODE, XD_X12__L_##l, 0, XD_X12__OFF(st, m), 0, NULL, NULL           \
    }
/* a code whose absence is written as <absent> (a mandatory X12 element) */
#define XD_X12__BCA(e, l, st, m, absent)                                                           \
    {                                                                                              \
#m, (e), 0, XD_X12__CV_CODE, XD_X12__L_##l, 0, XD_X12__OFF(st, m), 0, (absent), NULL       \
    }
/* a constant, written when element <w> holds something (0: always) */
#define XD_X12__BF(e, val, w)                                                                      \
    {                                                                                              \
        NULL, (e), 0, XD_X12__CV_FIXED, 0, (w), 0, 0, (val), NULL                                  \
    }
#define XD_X12__M(st, m, cv)                                                                       \
    {                                                                                              \
#m, XD_X12__OFF(st, m), 0, XD_X12__CV_##cv, 0, 0, 0                                        \
    }
#define XD_X12__MH(st, m, cv)                                                                      \
    {                                                                                              \
#m, XD_X12__OFF(st, m), XD_X12__HAS(st, m), XD_X12__CV_##cv, 0, 0, 0                       \
    }

/* Member/offset helpers for the tables. */
#define XD_X12__OFF(st, m) ((uint16_t)offsetof(struct xd_canon_##st, m))
#define XD_X12__HAS(st, m) ((uint16_t)offsetof(struct xd_canon_##st, has_##m))
#define XD_X12__SIZE(st)   ((uint16_t)sizeof(struct xd_canon_##st))

#endif
