/* SPDX-License-Identifier: MIT
 * Private declarations of the X12 engine: the shape of the specification tables (segments,
 * composites, transaction sets), the element checks and the tables themselves. A new set or
 * version is a new table in spec_*.c, never new code. */
#ifndef XD_X12_X12_INT_H
#define XD_X12_X12_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "x12/x12.h"

/* Keeps a rarely taken helper out of the function that runs for every segment, whose
 * prologue then stays small. */
#define XD_X12__OUT_OF_LINE __attribute__((noinline))

/* Data element types of the X12 dictionary. Nn is XD_X12__N with <decimals> = n. */
enum xd_x12__type {
    XD_X12__AN,
    XD_X12__ID,
    XD_X12__N,
    XD_X12__R,
    XD_X12__DT,
    XD_X12__TM,
    XD_X12__COMP, /* composite: see <comp> */
};

struct xd_x12__composite;

/* What a deviation from the standard is, when it is one that real partners commonly produce
 * and that still reads unambiguously: such problems are warnings unless the validation is
 * strict (docs/x12.md, "Severity"). XD_X12__DEV_NONE problems are always errors. */
enum xd_x12__deviation {
    XD_X12__DEV_NONE,
    XD_X12__DEV_RELATIONAL, /* a syntax note (P, R, E, C, L) violated, no qualifier left dangling */
    XD_X12__DEV_DELIMITER,  /* a repetition or component separator where none can be: data */
    XD_X12__DEV_OBSOLETE,   /* an element used as an older version defined it (DTM05 century) */
    XD_X12__DEV_ORDER,      /* a segment out of order inside a loop that still places it */
    XD_X12__DEV_GROUP,      /* GS01 differs from the set's group under an implementation guide */
    XD_X12__DEV_TOTALS,     /* CTT or TDS totals that do not add up */
    XD_X12__DEV_DUPLICATE,  /* the same interchange twice in one input */
    XD_X12__DEV_TERMINATOR, /* a segment terminator lost between two segments (terminator.c) */
    XD_X12__DEV_COUNT
};

/* "relational", "delimiter" ...; "" for XD_X12__DEV_NONE. */
const char *xd_x12__deviation_name(enum xd_x12__deviation d);

/* How an element relates to its neighbour, for relational notes: a qualifier names what the
 * next element is (REF01, N103, DTM01, a product ID qualifier); a unit measures the previous
 * one (PO103, TD108). A note violation that leaves one of these without its partner is an
 * error, since the reader cannot know what the sender meant. */
enum xd_x12__qual { XD_X12__Q_NONE, XD_X12__Q_NEXT, XD_X12__Q_PREV };

/* One data element (or component) position of a segment (or composite). */
struct xd_x12__elem {
    unsigned char req;        /* 'M' mandatory, 'O' optional, 'X' relational (see notes) */
    unsigned char type;       /* enum xd_x12__type */
    unsigned char decimals;   /* implied decimals of Nn */
    unsigned char qual;       /* enum xd_x12__qual */
    uint16_t min, max;        /* lengths; for N and R without sign and decimal point */
    uint16_t max5;            /* max from 005010 on when it differs, 0 = same */
    uint16_t repeat;          /* > 1 when the element repeats (005010 repetition separator) */
    const char *const *codes; /* NULL-terminated list of valid codes, NULL = not checked */
    const struct xd_x12__composite *comp;
};

/* A syntax note, compiled from its X12 spelling ("P0607" = {'P', 6, 7, bits 6 and 7}):
 * <kind> P (paired), R (at least one), E (at most one), C (if the first, then all), L (if the
 * first, then at least one more); <mask> has bit n set for each position n (< 64). Lists end
 * with kind 0. */
struct xd_x12__note {
    unsigned char kind, first, second;
    uint64_t mask;
};

struct xd_x12__composite {
    const struct xd_x12__elem *elems;
    unsigned char n;
    const struct xd_x12__note *notes; /* kind-0 terminated, or NULL */
};

/* An element that older versions defined differently and that partners still write that way:
 * DTM05 was the century (element 624) before 004010 and is a format qualifier since. */
enum xd_x12__obsolete_kind { XD_X12__OBS_CENTURY = 1 };
struct xd_x12__obsolete {
    unsigned char element, kind, date_element;
};

struct xd_x12__segdef {
    char id[4];
    unsigned char ordinal; /* its place in XD_X12__SEGMENTS (spec_segments.h) */
    const struct xd_x12__elem *elems;
    unsigned char n;
    const struct xd_x12__note *notes;
    const struct xd_x12__obsolete *obsolete; /* NULL for most segments */
};

/* A position in a transaction set table: a segment, or a loop whose first child is its
 * trigger segment. <max> 0 means unbounded (">1"). */
struct xd_x12__node {
    const struct xd_x12__segdef *seg;
    unsigned char req; /* 'M' or 'O' */
    uint32_t max;
    const char *loop_id;                 /* non-NULL for a loop */
    const struct xd_x12__node *children; /* loop body, children[0] is the trigger */
    size_t nchildren;
};

struct xd_x12__setdef {
    const char *id;                  /* ST01 */
    const char *functional_id;       /* the GS01 it travels in */
    const char *const *versions;     /* GS08 prefixes (6 characters) this table checks */
    const struct xd_x12__node *body; /* what lies between ST and SE */
    size_t nbody;
    const char *line_segments[2]; /* CTT01 may count occurrences of either */
    const char *hash_segment;     /* CTT02 = hash total of this segment's ... */
    unsigned hash_element;        /* ... element */
    bool tds_total;               /* 810: TDS01 = lines + charges - allowances + taxes */
    bool hl_structure;            /* 856-style HL parent/child checks */
};

/* A segment ID as one number, for comparisons in the hot path: two or three characters
 * packed; 0 for any other length (never a valid ID). XD_X12__ID3 spells a constant. */
#define XD_X12__ID3(a, b, c)                                                                       \
    ((uint32_t)(unsigned char)(a) | (uint32_t)(unsigned char)(b) << 8 |                            \
     (uint32_t)(unsigned char)(c) << 16)
static inline uint32_t xd_x12__id_code(struct xd_slice id)
{
    if (id.len == 2) {
        return XD_X12__ID3(id.p[0], id.p[1], 0);
    }
    return id.len == 3 ? XD_X12__ID3(id.p[0], id.p[1], id.p[2]) : 0;
}
static inline uint32_t xd_x12__id_code_str(const char *id)
{
    return id == NULL ? 0 : xd_x12__id_code((struct xd_slice){id, strlen(id)});
}

/* ------------------------------------------------------------------------------------------
 * Tables (spec_segments.c, spec_sets.c, envelope tables in envelope.c) */

const struct xd_x12__segdef *xd_x12__segdef_find(const char *id, size_t len);
const struct xd_x12__setdef *xd_x12__setdef_find(const char *set_id, size_t len,
                                                 const char *version, size_t vlen);
/* The set IDs that have a table for some version ("850", ...), NULL-terminated. */
bool xd_x12__set_known(const char *set_id, size_t len);

/* ------------------------------------------------------------------------------------------
 * Element checks (elements.c) */

/* Receives each element problem found by xd_x12__check_segment. <code> is the AK403 code. */
struct xd_x12__elem_problem {
    const char *code;
    enum xd_x12__deviation deviation;
    unsigned element, component, repetition;
    struct xd_slice value;
    const char *what; /* "too short", ... */
    /* The segment at fault when it is not the current one (totals checked at SE): */
    const char *segment_id; /* NULL = the current segment */
    uint64_t segment_position, segment_index, offset;
};

typedef enum xd_status (*xd_x12__problem_fn)(void *ctx, const struct xd_x12__elem_problem *p);

/* What the element checks derive from a segment definition (elements.c), kept per validation
 * by the definition's ordinal. */
struct xd_x12__seg_facts {
    uint64_t mandatory; /* bit n: position n (1-62) is mandatory; bit 0: the entry is filled */
    uint64_t pairs;     /* bit n: a note P on positions n and n + 1 */
    uint64_t others;    /* bit i: notes[i] is another note */
    bool indexed;       /* every note is in <pairs> or <others> (at most 64 notes) */
    /* The last presence mask that passed every check that depends only on presence (count,
     * mandatory elements, syntax notes); 1 (never a presence mask) until one has. Segments
     * of one kind are mostly written alike, so this spares re-evaluating the notes. */
    uint64_t clean_mask;
};

struct xd_x12__check_ctx {
    const struct xd_x12_delims *delims;
    bool v5; /* version 005010 or later: 005010 lengths, repetitions, codes 12/13 */
    xd_x12__problem_fn report;
    void *report_ctx;
    /* NULL, or a cache of XD_X12__SEG_ORDINALS entries (spec_segments.h), zeroed by the owner
     * and filled as segments are checked. */
    struct xd_x12__seg_facts *facts;
};

/* Check the data elements of <seg> against <def>: count, requirement, type, length, code
 * lists, composites, repetitions and syntax notes. Each problem goes to ctx->report.
 * Returns the number of problems found, or a negative status from the callback. */
long xd_x12__check_segment(const struct xd_x12__check_ctx *ctx, const struct xd_x12__segdef *def,
                           const struct xd_x12_segment *seg);

/* true when xd_x12__check_segment would find no problem in <seg>, decided from the reader's
 * masks and the present elements only; false when it finds one or cannot tell cheaply (the
 * caller then runs the full check, which reports in order). */
bool xd_x12__segment_clean(const struct xd_x12__check_ctx *ctx, const struct xd_x12__segdef *def,
                           const struct xd_x12_segment *seg);

/* Numeric value of an N0 element with leading zeros ("000042" -> 42). */
bool xd_x12__parse_count(struct xd_slice s, uint64_t *out);
/* Value of an Nn (implied decimals) or R element in hundredths... scaled to <scale>. */
bool xd_x12__parse_amount(struct xd_slice s, int implied_decimals, struct xd_decimal *out);
/* YYMMDD or CCYYMMDD is a real calendar date. */
bool xd_x12__date_valid(struct xd_slice s);
/* HHMM, HHMMSS, HHMMSSd.. is a real time of day. */
bool xd_x12__time_valid(struct xd_slice s);
/* <s> is in the NULL-terminated list. */
bool xd_x12__code_in(struct xd_slice s, const char *const *codes);

/* Split <s> at <sep> into at most <cap> parts; returns how many parts <s> has (may be more
 * than <cap>: only the first <cap> are stored). */
size_t xd_x12__split(struct xd_slice s, unsigned char sep, struct xd_slice *parts, size_t cap);

/* Copy <s> into <dst> (NUL-terminated, truncated to <cap> - 1). Inline: the translator copies
 * each segment's ID. */
static inline void xd_x12__copy(char *dst, size_t cap, struct xd_slice s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n <= 8) { /* segment IDs and codes: no call */
        for (size_t i = 0; i < n; i++) {
            dst[i] = s.p[i];
        }
    } else {
        memcpy(dst, s.p, n);
    }
    dst[n] = '\0';
}

/* ------------------------------------------------------------------------------------------
 * Set checks (setcheck.c): the loop/sequence matcher for one transaction set. */

struct xd_x12__set_state;

struct xd_x12__seq_problem {
    const char *code;                     /* AK304 */
    enum xd_x12__deviation deviation;     /* XD_X12__DEV_ORDER for a slip, else NONE */
    const struct xd_x12__segdef *missing; /* for code 3: the missing segment, else NULL */
    const char *loop_id;
    const char *what;
    /* For a missing segment found when a later one skipped it: where that was (input
     * ordinal, byte offset, position in the set); 0 = the current segment. */
    uint64_t index, offset, position;
};

/* Start checking one set against <def>. XD_ENOMEM. */
enum xd_status xd_x12__set_begin(const struct xd_x12__setdef *def, struct xd_x12__set_state **out);
/* Start over with <def> (a new set), reusing the state's memory; the table is indexed again
 * when it is not the last one's. XD_ENOMEM (the state is then unusable until a reset
 * succeeds). */
enum xd_status xd_x12__set_reset(struct xd_x12__set_state *st,
                                 const struct xd_x12__setdef *def) XD_NODISCARD;
void xd_x12__set_free(struct xd_x12__set_state *st);
/* Place the segment in the table. <id> is xd_x12__id_code(seg->id); <position> is its position in
 * the set (ST = 1). *segdef receives its definition (NULL when the segment is not part of the set,
 * so its elements cannot be checked). Problems go to <fn>. */
enum xd_status
xd_x12__set_segment(struct xd_x12__set_state *st, const struct xd_x12_segment *seg, uint32_t id,
                    uint64_t position, const struct xd_x12__segdef **segdef,
                    enum xd_status (*fn)(void *ctx, const struct xd_x12__seq_problem *p),
                    void *ctx);
/* The loops the last placed segment sits in, outermost first: *loops[0..n-1] (loop IDs of the
 * table, e.g. "PO1", "N1"), valid until the next call. */
size_t xd_x12__set_path(const struct xd_x12__set_state *st, const char *const **loops);
/* The definition of segment <id> when the set's table uses it anywhere, else NULL. */
const struct xd_x12__segdef *xd_x12__set_contains(const struct xd_x12__setdef *def,
                                                  struct xd_slice id);
/* SE reached: report mandatory segments and loops never seen. */
enum xd_status xd_x12__set_end(struct xd_x12__set_state *st,
                               enum xd_status (*fn)(void *ctx, const struct xd_x12__seq_problem *p),
                               void *ctx);

/* A segment that swallowed the next one because the terminator between them was lost
 * (terminator.c): both halves, their elements held here. */
struct xd_x12__split {
    struct xd_x12_segment first, second;
    unsigned element; /* the element of the segment as read that held the next one's ID */
    struct xd_slice elems[2][XD_X12_MAX_ELEMENTS + 1];
};
/* Find the one place where <seg> (defined by <def> in set <set>, with element errors as
 * read) splits into two segments whose elements all check cleanly under <ctx> (its report
 * callback only counts): an element ending with the ID of a segment of the set, followed by
 * that segment's elements. true and *out filled when exactly one such place exists; the
 * halves borrow <seg>'s bytes. */
bool xd_x12__split_lost_terminator(const struct xd_x12__check_ctx *ctx,
                                   const struct xd_x12__setdef *set,
                                   const struct xd_x12__segdef *def,
                                   const struct xd_x12_segment *seg, struct xd_x12__split *out);

/* Totals and HL structure (totals.c), fed with every segment of a set after the sequence
 * check. Problems are reported as element problems of the segment at fault. */
struct xd_x12__totals;
enum xd_status xd_x12__totals_begin(const struct xd_x12__setdef *def, struct xd_x12__totals **out);
/* Start over with <def> (a new set), reusing the memory. */
void xd_x12__totals_reset(struct xd_x12__totals *t, const struct xd_x12__setdef *def);
void xd_x12__totals_free(struct xd_x12__totals *t);
/* <fatal_fn> receives HL structure problems (errors), <warn_fn> totals that do not add up. */
/* <id> is xd_x12__id_code(seg->id). */
enum xd_status xd_x12__totals_segment(struct xd_x12__totals *t, const struct xd_x12_segment *seg,
                                      uint32_t id, xd_x12__problem_fn error_fn,
                                      xd_x12__problem_fn total_fn, void *ctx);
enum xd_status xd_x12__totals_end(struct xd_x12__totals *t, xd_x12__problem_fn error_fn, void *ctx);

/* ------------------------------------------------------------------------------------------
 * A set of short identifiers (control numbers, HL IDs) with a cap, for uniqueness checks
 * (idset.c). Identifiers of up to 9 ASCII characters are stored exactly; longer ones by a
 * 63-bit hash. Past <cap> entries nothing more is stored and insert answers XD_ETOOBIG. */
struct xd_x12__idset {
    uint64_t *slots; /* 0 = empty */
    uint8_t *vals;   /* one byte of caller data per slot */
    size_t mask, used, cap;
    uint64_t seed; /* where keys land and how long ones hash: unknown outside the process */
};

void xd_x12__idset_init(struct xd_x12__idset *s, size_t cap);
void xd_x12__idset_cleanup(struct xd_x12__idset *s);
void xd_x12__idset_clear(struct xd_x12__idset *s);
/* XD_OK and *found = false when added (with <val>), *found = true (and *val_out) when the
 * key was there; XD_ENOMEM; XD_ETOOBIG past the cap. */
enum xd_status xd_x12__idset_add(struct xd_x12__idset *s, struct xd_slice key, uint8_t val,
                                 bool *found, uint8_t *val_out) XD_NODISCARD;
/* Start loading the slot where <key> would be, for an add or lookup a little later: a set of
 * thousands of control numbers is evicted from the cache by the input streaming through, so
 * each lookup would otherwise wait for memory. */
void xd_x12__idset_prefetch(const struct xd_x12__idset *s, struct xd_slice key);
/* The same for the identifier after <key> when it ends in digits ("0041" -> "0042"): control
 * numbers are mostly counted up, so the next set's lookup finds its slot loaded a whole set
 * ahead. A guess: a wrong one costs a useless load and changes nothing else. */
void xd_x12__idset_prefetch_next(const struct xd_x12__idset *s, struct xd_slice key);
/* Lookup without adding. */
bool xd_x12__idset_get(const struct xd_x12__idset *s, struct xd_slice key, uint8_t *val_out);

/* Append one segment to <out>: <id>, then <values> (trailing empty ones dropped), the
 * terminator and, when <newline>, a LF. XD_EINVAL (message in <err>) when a value holds the
 * element separator or the terminator; XD_ETOOBIG past the buffer's cap. */
enum xd_status xd_x12__put_segment(struct xd_buf *out, const struct xd_x12_delims *d, bool newline,
                                   const char *id, const struct xd_slice *values, size_t n,
                                   struct xd_error *err) XD_NODISCARD;
/* ISA with its fixed-width fields padded. <isa_version> "00401"; ISA11 is the repetition
 * separator from 00402 on, else "U". */
struct xd_x12__isa_fields {
    const char *sender_qualifier, *sender_id, *receiver_qualifier, *receiver_id;
    const char *date; /* CCYYMMDD */
    const char *time; /* HHMM */
    const char *isa_version;
    uint64_t control;
    bool ack_requested;
    char usage;
};
enum xd_status xd_x12__put_isa(struct xd_buf *out, const struct xd_x12_delims *d, bool newline,
                               const struct xd_x12__isa_fields *f,
                               struct xd_error *err) XD_NODISCARD;
/* Where a writer stands, so a document refused halfway can be taken back: the bytes written
 * and the envelope counters. */
struct xd_x12__writer_mark {
    size_t len;
    unsigned state;
    uint64_t groups, gs_control, sets, segments;
    char st_control[XD_X12_CONTROL_MAX];
};
void xd_x12__writer_mark(const struct xd_x12_writer *w, struct xd_x12__writer_mark *m);
/* Back to <m>: what was written since is dropped. */
void xd_x12__writer_rewind(struct xd_x12_writer *w, const struct xd_x12__writer_mark *m);
/* The ISA sender and receiver IDs a writer was created with, and its delimiters. */
void xd_x12__writer_ids(const struct xd_x12_writer *w, const char **sender, const char **receiver);
const struct xd_x12_delims *xd_x12__writer_delims(const struct xd_x12_writer *w);
/* Delimiters usable for writing: distinct, not letters, digits or blanks. */
bool xd_x12__delims_usable(const struct xd_x12_delims *d);

/* Count <e> in <rep> and keep it when under the limit. XD_ENOMEM. */
enum xd_status xd_x12__report_add(struct xd_x12_report *rep, const struct xd_x12_error *e);

/* TA105 code describing why the reader stopped ("026" bad element separator, "004" bad
 * segment terminator, "022" not X12 ...). */
const char *xd_x12__reader_failure_code(const struct xd_x12_reader *r);

/* ------------------------------------------------------------------------------------------
 * EBCDIC (cp037) to Latin-1, with NL (0x15) read as LF. */
extern const unsigned char xd_x12__cp037[256];

#endif
