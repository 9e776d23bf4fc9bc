/* SPDX-License-Identifier: MIT
 * X12 EDI engine: a streaming tokenizer, envelope and transaction-set validation driven by
 * tables, 997/999/TA1 acknowledgements, and a renderer for outbound interchanges.
 *
 * Pure library: bytes in (a buffer or a read callback), segments, errors and acknowledgements
 * out; no file or network I/O, no clock. Memory stays flat however large the input: segments
 * are slices into the reader's window, valid until the next call to xd_x12_reader_next.
 * One reader, validator or acknowledgement builder is used by one thread at a time. */
#ifndef XD_X12_X12_H
#define XD_X12_X12_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canon/canon.h"
#include "core/core.h"

/* Caps on hostile input, each answered with an error rather than unbounded memory. */
#define XD_X12_MAX_ELEMENTS           256u         /* data elements in one segment */
#define XD_X12_MAX_SEGMENT_BYTES      (64u * 1024) /* one segment, terminator excluded */
#define XD_X12_DEFAULT_WINDOW         (256u * 1024)
#define XD_X12_MAX_LOOP_DEPTH         16u     /* nesting of loops in a set table */
#define XD_X12_MAX_HL_PER_SET         200000u /* the 856 HL loop's maximum repeat */
#define XD_X12_DEFAULT_MAX_ERRORS     1000u   /* errors kept in a report */
#define XD_X12_MAX_ACK_SEGMENT_ERRORS 100u    /* AK3/IK3 loops written per set */

/* ------------------------------------------------------------------------------------------
 * Tokenizer */

/* The delimiters of one interchange, read from its ISA. <repetition> is 0 when the version
 * (ISA12 before 00402) or the sender defines none. */
struct xd_x12_delims {
    unsigned char element;
    unsigned char component;
    unsigned char repetition;
    unsigned char segment;
};

/* One segment, borrowed from the reader: valid until the next xd_x12_reader_next call.
 * elements[0] is the segment ID; elements[1..count-1] are the data elements as written
 * (composites and repetitions are not split here: the validator does that where the table
 * says an element is composite or repeats). */
struct xd_x12_segment {
    struct xd_slice id;
    const struct xd_slice *elements;
    size_t count;
    struct xd_slice raw; /* the whole segment without its terminator */
    uint64_t offset;     /* byte offset of its first byte in the input */
    uint64_t index;      /* 1-based ordinal of the segment in the input */
    const struct xd_x12_delims *delims;
    /* Found while splitting, so checks need not scan again. Bit i stands for elements[i]
     * (i < 63); bit 63 for any element from 63 on. */
    uint64_t present;     /* the element is not empty */
    uint64_t components;  /* it holds the component separator */
    uint64_t repetitions; /* it holds the repetition separator */
    uint64_t controls;    /* it holds a control character (below 0x20, or 0x7F) */
};

/* Fill <buf> with up to <cap> bytes; *got = 0 means end of input. A failure status stops the
 * reader and is returned by xd_x12_reader_next. */
typedef enum xd_status (*xd_x12_read_fn)(void *ctx, char *buf, size_t cap, size_t *got,
                                         struct xd_error *err);

struct xd_x12_reader;

/* A reader over a caller's buffer: no copy unless the input is EBCDIC (then one decoded
 * copy). <data> must outlive the reader. XD_ENOMEM. */
enum xd_status xd_x12_reader_create_mem(const char *data, size_t len,
                                        struct xd_x12_reader **out) XD_NODISCARD;
/* A streaming reader: <fn> is called for more bytes; the reader keeps a window of
 * <window_bytes> (0 = XD_X12_DEFAULT_WINDOW, at least 2 * XD_X12_MAX_SEGMENT_BYTES is used),
 * so memory does not grow with the input. XD_ENOMEM. */
enum xd_status xd_x12_reader_create(xd_x12_read_fn fn, void *ctx, size_t window_bytes,
                                    struct xd_x12_reader **out) XD_NODISCARD;
void xd_x12_reader_destroy(struct xd_x12_reader *r);

/* Next segment into <seg>. XD_OK; XD_ENOTFOUND at the end of input; XD_EPARSE when the input
 * is not X12 (no ISA where one must start) or an ISA's delimiters cannot be used (message in
 * <err>, with its byte offset); XD_ETOOBIG for a segment longer than XD_X12_MAX_SEGMENT_BYTES
 * or with more than XD_X12_MAX_ELEMENTS elements; whatever the read callback returned. After
 * a failure every later call returns the same status. */
enum xd_status xd_x12_reader_next(struct xd_x12_reader *r, struct xd_x12_segment *seg,
                                  struct xd_error *err) XD_NODISCARD;
/* "ascii" or "ebcdic-cp037" (decoded on the fly; EBCDIC NL 0x15 reads as LF). */
const char *xd_x12_reader_encoding(const struct xd_x12_reader *r);

/* ------------------------------------------------------------------------------------------
 * Validation results */

/* Where an error sits, which decides the acknowledgement segment that carries its code. */
enum xd_x12_level {
    XD_X12_LEVEL_INTERCHANGE, /* TA1: TA105 (886) */
    XD_X12_LEVEL_GROUP,       /* AK9: AK905.. (716) */
    XD_X12_LEVEL_SET,         /* AK5/IK5: AK502.. (718) */
    XD_X12_LEVEL_SEGMENT,     /* AK3/IK3: AK304 (720) */
    XD_X12_LEVEL_ELEMENT,     /* AK4/IK4: AK403 (723) */
};

enum xd_x12_severity {
    XD_X12_ERROR,   /* the unit is rejected */
    XD_X12_WARNING, /* accepted, noted (AK5 E): a deviation that still reads unambiguously */
    XD_X12_NOTICE,  /* information only: no table for this version or set, EBCDIC input */
};

#define XD_X12_CONTROL_MAX 16  /* control numbers and IDs, with NUL */
#define XD_X12_VALUE_MAX   100 /* copy of the bad data (AK404 allows 99) */
#define XD_X12_TEXT_MAX    200

struct xd_x12_error {
    enum xd_x12_severity severity;
    enum xd_x12_level level;
    const char *code; /* the X12 code at <level>: "022", "5", "4", "7", "6"; static */
    char interchange_control[XD_X12_CONTROL_MAX]; /* ISA13, "" when none yet */
    char group_control[XD_X12_CONTROL_MAX];       /* GS06 */
    char set_control[XD_X12_CONTROL_MAX];         /* ST02 */
    char set_id[4];                               /* ST01 */
    char segment_id[4];
    uint64_t segment_position; /* in the set, ST = 1; 0 outside a set */
    uint64_t segment_index;    /* in the input, 1-based */
    uint64_t offset;           /* byte offset of the segment */
    unsigned element;          /* 1-based, 0 when the error is about the whole segment */
    unsigned component;        /* 1-based inside a composite, 0 when not */
    unsigned repetition;       /* 1-based repetition, 0 when the element does not repeat */
    char loop_id[8];           /* AK303: the loop the segment belongs to, "" when none */
    char value[XD_X12_VALUE_MAX];
    char message[XD_X12_TEXT_MAX];
    /* For a warning (or, under strict validation, an error) that is a known real-world
     * deviation: "relational", "delimiter", "obsolete", "order", "group", "totals",
     * "duplicate", "terminator" (docs/x12.md, "Severity"); "" otherwise. Static. */
    const char *deviation;
};

/* One line: "ISA 000000010 GS 8 ST 0007 seg 5 BEG02: data element too short (AK4 4)". */
enum xd_status xd_x12_error_format(const struct xd_x12_error *e, struct xd_buf *out) XD_NODISCARD;
/* Name of the acknowledgement segment that carries <e>'s code: "TA1", "AK9", "AK5", "AK3",
 * "AK4". */
const char *xd_x12_error_ack_segment(const struct xd_x12_error *e);

/* The collected result of a validation. Members are readable; init/cleanup pair. */
struct xd_x12_report {
    uint64_t interchanges, groups, sets, segments;
    uint64_t errors, warnings, notices; /* all seen, recorded or not */
    uint64_t sets_rejected;
    struct xd_x12_error *items; /* first <limit> problems, in input order */
    size_t count, cap, limit;
    uint64_t dropped;
    bool truncated; /* the input could not be read to its end (fatal error recorded) */
    const char *encoding;
};

void xd_x12_report_init(struct xd_x12_report *rep, size_t limit);
void xd_x12_report_cleanup(struct xd_x12_report *rep);

/* ------------------------------------------------------------------------------------------
 * Streaming consumers of a validation (the acknowledgement builder is one) */

enum xd_x12_ack_status {
    XD_X12_ACCEPTED = 'A',
    XD_X12_ACCEPTED_WITH_ERRORS = 'E',
    XD_X12_PARTIALLY_ACCEPTED = 'P',
    XD_X12_REJECTED = 'R',
};

#define XD_X12_MAX_CODES 5 /* AK502..AK506, AK905..AK909 */

struct xd_x12_interchange_info {
    char auth_qualifier[3], auth[11], security_qualifier[3], security[11];
    char sender_qualifier[3], sender_id[16], receiver_qualifier[3], receiver_id[16];
    char date[7], time[5], standards_id[2], version[6], control[10];
    char ack_requested, usage; /* ISA14, ISA15 */
    struct xd_x12_delims delims;
};

struct xd_x12_group_info {
    char functional_id[3], sender[16], receiver[16], date[9], time[9], control[10];
    char agency[3], version[13];
};

struct xd_x12_set_result {
    char set_id[4], control[XD_X12_CONTROL_MAX], convention[36]; /* ST01, ST02, ST03 */
    enum xd_x12_ack_status status;                               /* A, E or R */
    const char *codes[XD_X12_MAX_CODES]; /* AK502.. (NULL-terminated when fewer) */
    uint64_t segments;
};

struct xd_x12_group_result {
    enum xd_x12_ack_status status;
    const char *codes[XD_X12_MAX_CODES];
    uint64_t sets_included; /* GE01 as written, 0 when missing */
    uint64_t sets_received, sets_accepted;
};

struct xd_x12_interchange_result {
    enum xd_x12_ack_status status; /* A, E or R for TA104 */
    const char *code;              /* TA105: "000" when there is no interchange error */
};

/* Every member may be NULL. Events arrive in input order; the info structs are borrowed for
 * the duration of the call. */
struct xd_x12_sink {
    void *ctx;
    enum xd_status (*interchange_begin)(void *ctx, const struct xd_x12_interchange_info *isa);
    enum xd_status (*group_begin)(void *ctx, const struct xd_x12_group_info *gs);
    enum xd_status (*set_begin)(void *ctx, const char *set_id, const char *control);
    enum xd_status (*error)(void *ctx, const struct xd_x12_error *e);
    enum xd_status (*set_end)(void *ctx, const struct xd_x12_set_result *res);
    enum xd_status (*group_end)(void *ctx, const struct xd_x12_group_result *res);
    enum xd_status (*interchange_end)(void *ctx, const struct xd_x12_interchange_result *res);
    /* Each segment between ST and SE, after its checks. <loops>[0..depth-1] are the IDs of
     * the loops it sits in, outermost first (depth 0: the set's top level); <placed> is false
     * when the set has no table for its version (loops is NULL then) or the segment fits
     * nowhere in it. */
    enum xd_status (*segment)(void *ctx, const struct xd_x12_segment *seg, const char *const *loops,
                              size_t depth, bool placed);
};

struct xd_x12_validate_options {
    bool strict_totals; /* CTT/TDS totals that do not add up are errors, not warnings */
    bool strict;        /* every deviation (xd_x12_error.deviation) is an error */
};

/* Validate every segment <r> yields, to the end of input: envelopes, then each set against
 * its table when one exists for its version (004010 and 005010), else at envelope and syntax
 * level with a notice. Problems go into <rep> (may be NULL) and to <sink> (may be NULL).
 * Returns XD_OK when nothing is in error (warnings and notices allowed), XD_EINVALDOC when
 * something is, XD_EPARSE when the input is not X12 or cannot be tokenized further (recorded
 * in <rep> as an interchange error too), XD_ENOMEM, or a status a sink callback returned. */
enum xd_status xd_x12_validate(struct xd_x12_reader *r, const struct xd_x12_validate_options *opt,
                               struct xd_x12_report *rep, const struct xd_x12_sink *sink,
                               struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------
 * Acknowledgements */

enum xd_x12_ack_kind { XD_X12_ACK_997, XD_X12_ACK_999 };

struct xd_x12_ack_options {
    enum xd_x12_ack_kind kind;
    bool ta1;             /* add a TA1 for each interchange */
    bool only_ta1;        /* TA1 alone, no functional acknowledgement */
    uint64_t isa_control; /* ISA13 of the first acknowledgement interchange, then +1 */
    uint64_t gs_control;  /* GS06 of the first group, then +1 */
    uint64_t st_control;  /* ST02 of the first set, then +1 */
    const char *version;  /* GS08; NULL = "004010" (997) or "005010X231A1" (999) */
    const char *date;     /* YYYYMMDD of the acknowledgement; required */
    const char *time;     /* HHMM; required */
    /* Our identifiers; NULL = the inbound ISA/GS receiver (the ack goes back to the sender). */
    const char *sender_qualifier, *sender_id, *gs_sender;
    struct xd_x12_delims delims; /* all zero = the inbound interchange's */
    char usage;                  /* ISA15; 0 = the inbound one */
};

struct xd_x12_ack;

/* An acknowledgement builder writing into <out> (the caller's buffer, capped by its init).
 * Feed it by passing xd_x12_ack_sink(ack) to xd_x12_validate. XD_EINVAL for missing date or
 * time, XD_ENOMEM. */
enum xd_status xd_x12_ack_create(const struct xd_x12_ack_options *opt, struct xd_buf *out,
                                 struct xd_x12_ack **ack) XD_NODISCARD;
const struct xd_x12_sink *xd_x12_ack_sink(struct xd_x12_ack *ack);
/* Number of acknowledgement interchanges written so far. */
uint64_t xd_x12_ack_interchanges(const struct xd_x12_ack *ack);
void xd_x12_ack_destroy(struct xd_x12_ack *ack);

/* ------------------------------------------------------------------------------------------
 * Renderer for outbound interchanges */

struct xd_x12_writer_options {
    struct xd_x12_delims delims; /* all zero = '*', ':', '^', '~' */
    bool newline;                /* write LF after each segment terminator */
    const char *isa_version;     /* ISA12, NULL = "00401" */
    char usage;                  /* ISA15, 0 = 'P' */
    bool ack_requested;          /* ISA14 */
    const char *sender_qualifier, *sender_id, *receiver_qualifier, *receiver_id;
    const char *date; /* YYYYMMDD */
    const char *time; /* HHMM */
    uint64_t isa_control;
};

/* The envelope's date and time of <epoch_ms> (UTC): "YYYYMMDD" and "HHMM", as the writer and
 * the acknowledgement builder take them. */
struct xd_x12_stamp {
    char date[9];
    char time[5];
};
struct xd_x12_stamp xd_x12_stamp(int64_t epoch_ms);

struct xd_x12_writer;

/* Starts an interchange (writes its ISA) into <out>. XD_EINVAL with a message when an ID is
 * too long, a delimiter is unusable or two delimiters collide. */
enum xd_status xd_x12_writer_create(const struct xd_x12_writer_options *opt, struct xd_buf *out,
                                    struct xd_x12_writer **w, struct xd_error *err) XD_NODISCARD;
void xd_x12_writer_destroy(struct xd_x12_writer *w);
enum xd_status xd_x12_writer_group_begin(struct xd_x12_writer *w, const char *functional_id,
                                         const char *app_sender, const char *app_receiver,
                                         uint64_t control, const char *version,
                                         struct xd_error *err) XD_NODISCARD;
enum xd_status xd_x12_writer_set_begin(struct xd_x12_writer *w, const char *set_id,
                                       uint64_t control, const char *convention,
                                       struct xd_error *err) XD_NODISCARD;
/* One segment: <id> and <n> element values (empty slices for absent elements; trailing empty
 * ones are dropped). A value holding the element separator or the segment terminator is
 * refused with XD_EINVAL (X12 has no escape); the component and repetition separators are
 * allowed, since composites and repeats are written with them. */
enum xd_status xd_x12_writer_segment(struct xd_x12_writer *w, const char *id,
                                     const struct xd_slice *values, size_t n,
                                     struct xd_error *err) XD_NODISCARD;
enum xd_status xd_x12_writer_set_end(struct xd_x12_writer *w, struct xd_error *err) XD_NODISCARD;
enum xd_status xd_x12_writer_group_end(struct xd_x12_writer *w, struct xd_error *err) XD_NODISCARD;
/* Writes IEA; the writer then accepts nothing more. */
enum xd_status xd_x12_writer_finish(struct xd_x12_writer *w, struct xd_error *err) XD_NODISCARD;

/* ------------------------------------------------------------------------------------------
 * Translation (docs/x12.md, "Translation" and "Mapping")
 *
 * A partner's mapping: which qualifiers carry which canonical members, code overrides, units,
 * location and party cross-references. Built from a JSON description (a partner profile
 * embeds it) over defaults; NULL spec = the defaults. <spec> is borrowed. Every problem of
 * the description goes to <diags> (may be NULL) with its path ("$.item_ids.sku"). XD_OK,
 * XD_EINVAL (a bad description), XD_ENOMEM. Immutable once built; threads may share it. */
struct json_t;
struct xd_x12_map;
enum xd_status xd_x12_map_create(const struct json_t *spec, struct xd_x12_map **out,
                                 struct xd_diags *diags) XD_NODISCARD;
void xd_x12_map_destroy(struct xd_x12_map *m);

/* Transaction sets translated inbound: 850, 855, 856, 810, 860, 940, 945, 944, 846, 180. */
#define XD_X12_TR_ARENA_CAP    ((size_t)256 << 20) /* one translated document (and its copies) */
#define XD_X12_TR_JSON_CAP     ((size_t)256 << 20) /* one translated document as JSON */
#define XD_X12_TR_MAX_PROBLEMS 50u                 /* problems kept per set */

/* The outcome of one transaction set. Everything is borrowed for the duration of the
 * callback: the document lives in an arena reused by the next set (memory stays flat). */
struct xd_x12_translation {
    const char *set_id, *control;    /* ST01, ST02 */
    const char *interchange, *group; /* ISA13, GS06 */
    uint64_t segment_index;          /* input ordinal of the ST */
    /* XD_OK: <doc> is a valid canonical document. XD_EINVALDOC: the set has X12 errors (in
     * the validation report) and is not translated. XD_EUNSUPPORTED: no canonical document
     * for this set (997, 943 ...). XD_EINVAL: the set is valid X12 but does not make a valid
     * canonical document: <problems> says why, each naming the segment. XD_ETOOBIG, XD_ENOMEM:
     * the document is valid but its JSON is larger than XD_X12_TR_JSON_CAP, or memory ran out
     * (<doc> and <json> are NULL). */
    enum xd_status status;
    const struct xd_canon_doc *doc;
    /* With XD_OK: <doc> as compact JSON, the bytes xd_canon_encode writes, <json_len> of them
     * and a NUL (validated and encoded in one walk: xd_canon_encode_valid). NULL otherwise. */
    const char *json;
    size_t json_len;
    const struct xd_diags *problems;
    /* What the translation left out or assumed, the document being valid all the same: a code
     * with no canonical counterpart for an optional member (diagnostic code "no_code"), a date
     * taken from the envelope ("note"). */
    const struct xd_diags *notes;
    /* What the sender got wrong and the translation corrected, the document being valid all
     * the same (docs/x12.md, "Translation warnings"): a GTIN with a wrong check digit kept as
     * the supplier's part number, a line of quantity 0 dropped, an acknowledgement dated
     * before its order, a TDS01 that is not the sum. Each names the segment and says what
     * was done. */
    const struct xd_diags *warnings;
};

typedef enum xd_status (*xd_x12_doc_fn)(void *ctx, const struct xd_x12_translation *t);

/* Validate every segment <r> yields (as xd_x12_validate, into <rep> which may be NULL) and
 * translate each transaction set into a canonical document handed to <fn> as its SE is
 * read, source (format, version, sender and receiver IDs, control numbers, test flag) filled
 * from the envelope. <map> may be NULL (defaults). A status <fn> returns other than XD_OK
 * stops the translation and is returned. Otherwise the status of the validation (XD_OK,
 * XD_EINVALDOC, XD_EPARSE ...). Memory does not grow with the input. */
enum xd_status xd_x12_translate(struct xd_x12_reader *r, const struct xd_x12_map *map,
                                const struct xd_x12_validate_options *opt,
                                struct xd_x12_report *rep, xd_x12_doc_fn fn, void *ctx,
                                struct xd_error *err) XD_NODISCARD;

/* Outbound: write canonical documents into one interchange (xd_x12_writer), one functional
 * group per run of documents of the same group, one set per document, with the partner's
 * mapping. Types rendered: purchase_order (850, or 860 when purpose is change or cancel),
 * po_acknowledgement (855), ship_notice (856), invoice (810), shipping_order (940),
 * shipment_confirmation (945), inventory_snapshot (846). */
struct xd_x12_render_options {
    const char *version;      /* GS08: "004010" (default) or "005010" */
    const char *app_sender;   /* GS02; NULL = the ISA sender ID */
    const char *app_receiver; /* GS03; NULL = the ISA receiver ID */
    uint64_t group_control;   /* GS06 of the first group, then +1 */
    uint64_t set_control;     /* ST02 of the first set, then +1 */
};

struct xd_x12_renderer;

/* A renderer writing through <w> (the caller creates it with the delimiters, IDs and ISA
 * control number, and finishes it after the last document). <map> may be NULL. XD_ENOMEM. */
enum xd_status xd_x12_renderer_create(struct xd_x12_writer *w, const struct xd_x12_map *map,
                                      const struct xd_x12_render_options *opt,
                                      struct xd_x12_renderer **out) XD_NODISCARD;
/* Write one document as a transaction set. XD_EUNSUPPORTED for a type with no outbound
 * set, XD_EINVAL (message in <err>) when a member has no X12 form (a code the map does not
 * translate, a delimiter inside a value), XD_ETOOBIG past the writer's buffer. */
enum xd_status xd_x12_render(struct xd_x12_renderer *rd, const struct xd_canon_doc *doc,
                             struct xd_error *err) XD_NODISCARD;
/* Close the open functional group (the caller then finishes the writer). */
enum xd_status xd_x12_renderer_finish(struct xd_x12_renderer *rd,
                                      struct xd_error *err) XD_NODISCARD;
void xd_x12_renderer_destroy(struct xd_x12_renderer *rd);

#endif
