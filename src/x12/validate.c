/* SPDX-License-Identifier: MIT
 * The validator: envelopes (ISA/IEA, GS/GE, ST/SE) as a state machine, each set against its
 * table (setcheck.c, elements.c, totals.c), every problem as a struct xd_x12_error with the
 * acknowledgement code it will carry. Memory is flat: one set's state at a time, plus capped
 * sets of control numbers for the uniqueness checks. */
#include <stdio.h>
#include <string.h>

#include "x12/spec_segments.h"
#include "x12/x12_int.h"

#define MAX_TRACKED_CONTROLS (1u << 20) /* control numbers remembered per scope */

enum where { OUTSIDE, IN_ISA, IN_GS, IN_ST };

struct codes {
    const char *v[XD_X12_MAX_CODES];
    size_t n;
};

struct vstate {
    const struct xd_x12_validate_options *opt;
    struct xd_x12_report *rep;
    const struct xd_x12_sink *sink;
    enum xd_status failed; /* ENOMEM or a sink's status: stops everything */
    bool any_error;
    enum where where;
    const struct xd_x12_segment *seg;
    uint64_t set_position;
    /* interchange */
    struct xd_x12_interchange_info isa;
    bool isa_error;
    const char *ta1_code;
    uint64_t groups_in_isa;
    struct xd_x12__idset isa13s, gs06s, st02s;
    /* group */
    struct xd_x12_group_info gs;
    bool group_error, v5, old_dates;
    struct codes group_codes;
    uint64_t sets_in_group, sets_accepted;
    char noticed_set[4];
    /* set */
    char st01[4], st02[XD_X12_CONTROL_MAX], st03[36];
    const struct xd_x12__setdef *setdef;
    struct xd_x12__set_state *seq, *seq_mem; /* seq: the current set's, or NULL */
    struct xd_x12__totals *totals, *totals_mem;
    bool set_error, set_warning;
    struct codes set_codes;
    uint64_t set_splits; /* segments read as two (a lost terminator) */
    struct xd_x12__check_ctx check;
    struct xd_x12__split split;
    struct xd_x12__seg_facts facts[XD_X12__SEG_ORDINALS]; /* struct xd_x12__check_ctx's cache */
};

/* <src> into <dst>, cut to <cap> - 1 bytes (the fields copied are bounded by their own caps). */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    n = n < cap ? n : cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void add_code(struct codes *c, const char *code)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->v[i], code) == 0) {
            return;
        }
    }
    if (c->n < XD_X12_MAX_CODES) {
        c->v[c->n++] = code;
    }
}

static void status_of(struct vstate *v, const struct xd_x12_error *e)
{
    if (e->severity == XD_X12_NOTICE) {
        return;
    }
    if (e->severity == XD_X12_WARNING) {
        v->set_warning = v->set_warning || v->where == IN_ST;
        if (v->where == IN_ST && e->level == XD_X12_LEVEL_SET) {
            add_code(&v->set_codes, e->code); /* AK5 E with the code noted */
        }
        return;
    }
    v->any_error = true;
    switch (e->level) {
    case XD_X12_LEVEL_INTERCHANGE:
        v->isa_error = true;
        v->ta1_code = v->ta1_code ? v->ta1_code : e->code;
        break;
    case XD_X12_LEVEL_GROUP:
        v->group_error = true;
        if (e->code[0]) {
            add_code(&v->group_codes, e->code);
        }
        break;
    case XD_X12_LEVEL_SET:
        v->set_error = true;
        add_code(&v->set_codes, e->code);
        break;
    default:
        v->set_error = true;
        add_code(&v->set_codes, "5");
        break;
    }
}

struct where_at {
    const char *segment_id; /* NULL = the current segment */
    uint64_t position, index, offset;
};

/* A deviation is a warning unless the validation is strict (totals have their own switch). */
static enum xd_x12_severity severity_of(const struct vstate *v, enum xd_x12_severity sev,
                                        enum xd_x12__deviation dev)
{
    if (dev == XD_X12__DEV_NONE) {
        return sev;
    }
    bool strict = v->opt->strict || (dev == XD_X12__DEV_TOTALS && v->opt->strict_totals);
    return strict ? XD_X12_ERROR : XD_X12_WARNING;
}

static void emitv(struct vstate *v, enum xd_x12_severity sev, enum xd_x12__deviation dev,
                  enum xd_x12_level level, const char *code, const struct where_at *at, unsigned el,
                  unsigned comp, unsigned rep, struct xd_slice value, const char *loop_id,
                  const char *fmt, va_list ap) XD_PRINTF(12, 0);

static void emitv(struct vstate *v, enum xd_x12_severity sev, enum xd_x12__deviation dev,
                  enum xd_x12_level level, const char *code, const struct where_at *at, unsigned el,
                  unsigned comp, unsigned rep, struct xd_slice value, const char *loop_id,
                  const char *fmt, va_list ap)
{
    if (v->failed != XD_OK) {
        return;
    }
    struct xd_x12_error e;
    memset(&e, 0, sizeof e);
    e.severity = severity_of(v, sev, dev);
    e.deviation = xd_x12__deviation_name(dev);
    e.level = level;
    e.code = code ? code : "";
    snprintf(e.interchange_control, sizeof e.interchange_control, "%s",
             v->where != OUTSIDE ? v->isa.control : "");
    if (v->where == IN_GS || v->where == IN_ST) {
        snprintf(e.group_control, sizeof e.group_control, "%s", v->gs.control);
    }
    if (v->where == IN_ST) {
        snprintf(e.set_control, sizeof e.set_control, "%s", v->st02);
        snprintf(e.set_id, sizeof e.set_id, "%s", v->st01);
        e.segment_position = v->set_position;
    }
    if (v->seg != NULL) {
        xd_x12__copy(e.segment_id, sizeof e.segment_id, v->seg->id);
        e.segment_index = v->seg->index;
        e.offset = v->seg->offset;
    }
    if (at != NULL && at->segment_id != NULL) {
        snprintf(e.segment_id, sizeof e.segment_id, "%s", at->segment_id);
        e.segment_position = at->position ? at->position : e.segment_position;
        e.segment_index = at->index ? at->index : e.segment_index;
        e.offset = at->offset ? at->offset : e.offset;
    }
    e.element = el;
    e.component = comp;
    e.repetition = rep;
    snprintf(e.loop_id, sizeof e.loop_id, "%s", loop_id ? loop_id : "");
    xd_x12__copy(e.value, sizeof e.value, value);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    status_of(v, &e);
    if (v->rep != NULL && xd_x12__report_add(v->rep, &e) != XD_OK) {
        v->failed = XD_ENOMEM;
        return;
    }
    if (v->sink != NULL && v->sink->error != NULL) {
        enum xd_status st = v->sink->error(v->sink->ctx, &e);
        if (st != XD_OK) {
            v->failed = st;
        }
    }
}

static void emit(struct vstate *v, enum xd_x12_severity sev, enum xd_x12_level level,
                 const char *code, unsigned el, struct xd_slice value, const char *fmt, ...)
    XD_PRINTF(7, 8);

static void emit(struct vstate *v, enum xd_x12_severity sev, enum xd_x12_level level,
                 const char *code, unsigned el, struct xd_slice value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emitv(v, sev, XD_X12__DEV_NONE, level, code, NULL, el, 0, 0, value, NULL, fmt, ap);
    va_end(ap);
}

static void emit_dev(struct vstate *v, enum xd_x12__deviation dev, enum xd_x12_level level,
                     const char *code, unsigned el, struct xd_slice value, const char *fmt, ...)
    XD_PRINTF(7, 8);

static void emit_dev(struct vstate *v, enum xd_x12__deviation dev, enum xd_x12_level level,
                     const char *code, unsigned el, struct xd_slice value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emitv(v, XD_X12_WARNING, dev, level, code, NULL, el, 0, 0, value, NULL, fmt, ap);
    va_end(ap);
}

static void emit_at(struct vstate *v, enum xd_x12_severity sev, enum xd_x12__deviation dev,
                    enum xd_x12_level level, const char *code, const struct where_at *at,
                    unsigned el, unsigned comp, unsigned rep, struct xd_slice value,
                    const char *loop_id, const char *fmt, ...) XD_PRINTF(12, 13);

static void emit_at(struct vstate *v, enum xd_x12_severity sev, enum xd_x12__deviation dev,
                    enum xd_x12_level level, const char *code, const struct where_at *at,
                    unsigned el, unsigned comp, unsigned rep, struct xd_slice value,
                    const char *loop_id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emitv(v, sev, dev, level, code, at, el, comp, rep, value, loop_id, fmt, ap);
    va_end(ap);
}

static const struct xd_slice none = {"", 0};

static struct xd_slice elem(const struct xd_x12_segment *seg, size_t i)
{
    return i < seg->count ? seg->elements[i] : none;
}

/* Control numbers are compared as numbers when both are digits (leading zeros occur). */
static bool same_control(struct xd_slice a, struct xd_slice b)
{
    uint64_t x, y;
    if (xd_x12__parse_count(a, &x) && xd_x12__parse_count(b, &y)) {
        return x == y;
    }
    return xd_slice_eq(a, b);
}

/* ---- ISA ------------------------------------------------------------------------------------ */

static const char *const isa01_codes[] = {"00", "01", "02", "03", "04", "05", "06", NULL};
static const char *const isa03_codes[] = {"00", "01", NULL};
static const char *const isa05_codes[] = {
    "01", "02", "03", "04", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30",
    "31", "32", "33", "34", "35", "36", "37", "38", "AM", "NR", "SA", "SN", "ZZ", NULL};
static const char *const isa14_codes[] = {"0", "1", NULL};
static const char *const isa15_codes[] = {"P", "T", "I", NULL};

/* ISA fields: fixed width, type, the TA105 code a bad value earns, and codes when listed. */
static const struct isa_field {
    unsigned char width;
    unsigned char type;
    const char *ta1;
    const char *const *codes;
} isa_fields[16] = {
    {2, XD_X12__ID, "010", isa01_codes}, {10, XD_X12__AN, "011", NULL},
    {2, XD_X12__ID, "012", isa03_codes}, {10, XD_X12__AN, "013", NULL},
    {2, XD_X12__ID, "005", isa05_codes}, {15, XD_X12__AN, "006", NULL},
    {2, XD_X12__ID, "007", isa05_codes}, {15, XD_X12__AN, "008", NULL},
    {6, XD_X12__DT, "014", NULL},        {4, XD_X12__TM, "015", NULL},
    {1, XD_X12__AN, "016", NULL},        {5, XD_X12__N, "017", NULL},
    {9, XD_X12__N, "018", NULL},         {1, XD_X12__ID, "019", isa14_codes},
    {1, XD_X12__ID, "020", isa15_codes}, {1, XD_X12__AN, "027", NULL},
};

static bool digits(struct xd_slice s)
{
    uint64_t ignored;
    return xd_x12__parse_count(s, &ignored);
}

static void check_isa_field(struct vstate *v, unsigned i, struct xd_slice val)
{
    const struct isa_field *f = &isa_fields[i];
    unsigned el = i + 1;
    enum xd_x12_level lv = XD_X12_LEVEL_INTERCHANGE;
    if (val.len != f->width) {
        emit(v, XD_X12_ERROR, lv, f->ta1, el, val, "ISA%02u must be %u characters, found %zu", el,
             f->width, val.len);
        return;
    }
    bool ok = true;
    switch ((enum xd_x12__type)f->type) {
    case XD_X12__ID:
        ok = f->codes == NULL || xd_x12__code_in(val, f->codes);
        break;
    case XD_X12__DT:
        ok = xd_x12__date_valid(val);
        break;
    case XD_X12__TM:
        ok = xd_x12__time_valid(val);
        break;
    case XD_X12__N:
        ok = digits(val);
        break;
    default:
        break;
    }
    if (!ok) {
        emit(v, XD_X12_ERROR, lv, f->ta1, el, val, "ISA%02u has an invalid value", el);
    }
}

static void copy_field(char *dst, size_t cap, struct xd_slice s)
{
    xd_x12__copy(dst, cap, s);
}

static void fill_isa_info(struct vstate *v, const struct xd_x12_segment *seg)
{
    struct xd_x12_interchange_info *i = &v->isa;
    memset(i, 0, sizeof *i);
    copy_field(i->auth_qualifier, sizeof i->auth_qualifier, elem(seg, 1));
    copy_field(i->auth, sizeof i->auth, elem(seg, 2));
    copy_field(i->security_qualifier, sizeof i->security_qualifier, elem(seg, 3));
    copy_field(i->security, sizeof i->security, elem(seg, 4));
    copy_field(i->sender_qualifier, sizeof i->sender_qualifier, elem(seg, 5));
    copy_field(i->sender_id, sizeof i->sender_id, elem(seg, 6));
    copy_field(i->receiver_qualifier, sizeof i->receiver_qualifier, elem(seg, 7));
    copy_field(i->receiver_id, sizeof i->receiver_id, elem(seg, 8));
    copy_field(i->date, sizeof i->date, elem(seg, 9));
    copy_field(i->time, sizeof i->time, elem(seg, 10));
    copy_field(i->standards_id, sizeof i->standards_id, elem(seg, 11));
    copy_field(i->version, sizeof i->version, elem(seg, 12));
    copy_field(i->control, sizeof i->control, elem(seg, 13));
    i->ack_requested = elem(seg, 14).len ? elem(seg, 14).p[0] : '0';
    i->usage = elem(seg, 15).len ? elem(seg, 15).p[0] : 'P';
    i->delims = *seg->delims;
}

/* ---- Envelope element problems ------------------------------------------------------------ */

struct env_ctx {
    struct vstate *v;
    const char *seg; /* "GS", "GE", "ST", "SE", "IEA" */
};

/* Which acknowledgement level and code a bad envelope element earns. */
static const struct env_map {
    const char *seg;
    unsigned el; /* 0 = any other element */
    enum xd_x12_level level;
    const char *code;
} env_maps[] = {
    {"GS", 6, XD_X12_LEVEL_GROUP, "6"},
    {"GS", 0, XD_X12_LEVEL_INTERCHANGE, "024"},
    {"GE", 1, XD_X12_LEVEL_GROUP, "5"},
    {"GE", 0, XD_X12_LEVEL_GROUP, "4"},
    {"ST", 2, XD_X12_LEVEL_SET, "7"},
    {"ST", 0, XD_X12_LEVEL_SET, "6"},
    {"SE", 1, XD_X12_LEVEL_SET, "4"},
    {"SE", 0, XD_X12_LEVEL_SET, "3"},
    {"IEA", 1, XD_X12_LEVEL_INTERCHANGE, "021"},
    {"IEA", 0, XD_X12_LEVEL_INTERCHANGE, "018"},
};

static enum xd_status env_problem(void *ctx, const struct xd_x12__elem_problem *p)
{
    struct env_ctx *c = ctx;
    struct vstate *v = c->v;
    if (strcmp(c->seg, "GS") == 0 && p->element == 4 && v->old_dates &&
        xd_x12__date_valid(p->value)) {
        return XD_OK; /* before 004010 GS04 is YYMMDD */
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(env_maps); i++) {
        const struct env_map *m = &env_maps[i];
        if (strcmp(m->seg, c->seg) == 0 && (m->el == p->element || m->el == 0)) {
            emit_at(v, XD_X12_ERROR, p->deviation, m->level, m->code, NULL, p->element,
                    p->component, 0, p->value, NULL, "%s%02u: %s", c->seg, p->element, p->what);
            break;
        }
    }
    return v->failed;
}

static void check_envelope(struct vstate *v, const struct xd_x12__segdef *def,
                           const struct xd_x12_segment *seg)
{
    struct env_ctx c = {v, def->id};
    struct xd_x12__check_ctx ctx = {seg->delims, v->v5, env_problem, &c, v->facts};
    if (!xd_x12__segment_clean(&ctx, def, seg)) {
        (void)xd_x12__check_segment(&ctx, def, seg);
    }
}

/* ---- Sets ------------------------------------------------------------------------------------ */

static enum xd_status seq_problem(void *ctx, const struct xd_x12__seq_problem *p)
{
    struct vstate *v = ctx;
    if (p->missing != NULL) {
        uint64_t detected = p->position ? p->position : v->set_position;
        struct where_at at = {p->missing->id, detected, p->index, p->offset};
        emit_at(v, XD_X12_ERROR, p->deviation, XD_X12_LEVEL_SEGMENT, p->code, &at, 0, 0, 0, none,
                p->loop_id, "%s %s (detected at segment %llu)", p->missing->id, p->what,
                (unsigned long long)detected);
    } else {
        emit_at(v, XD_X12_ERROR, p->deviation, XD_X12_LEVEL_SEGMENT, p->code, NULL, 0, 0, 0, none,
                p->loop_id, "%s", p->what);
    }
    return v->failed;
}

static enum xd_status elem_problem(void *ctx, const struct xd_x12__elem_problem *p)
{
    struct vstate *v = ctx;
    emit_at(v, XD_X12_ERROR, p->deviation, XD_X12_LEVEL_ELEMENT, p->code, NULL, p->element,
            p->component, p->repetition, p->value, NULL, "%s", p->what);
    return v->failed;
}

static enum xd_status total_problem(void *ctx, const struct xd_x12__elem_problem *p)
{
    struct vstate *v = ctx;
    struct where_at at = {p->segment_id, p->segment_position, p->segment_index, p->offset};
    emit_at(v, XD_X12_WARNING, XD_X12__DEV_TOTALS, XD_X12_LEVEL_ELEMENT, p->code, &at, p->element,
            0, 0, p->value, NULL, "%s", p->what);
    return v->failed;
}

/* The set's checking state is kept for the next set: one allocation per validation. */
static void set_free(struct vstate *v)
{
    v->seq = NULL;
    v->totals = NULL;
    v->setdef = NULL;
}

static bool valid_segment_id(struct xd_slice id)
{
    if (id.len < 2 || id.len > 3 || id.p[0] < 'A' || id.p[0] > 'Z') {
        return false;
    }
    for (size_t i = 1; i < id.len; i++) {
        char c = id.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

/* The set's result for the sink (built only when there is one to take it). */
static void sink_set_end(struct vstate *v)
{
    struct xd_x12_set_result res;
    memset(&res, 0, sizeof res);
    copy_str(res.set_id, sizeof res.set_id, v->st01);
    copy_str(res.control, sizeof res.control, v->st02);
    copy_str(res.convention, sizeof res.convention, v->st03);
    res.status = v->set_error     ? XD_X12_REJECTED
                 : v->set_warning ? XD_X12_ACCEPTED_WITH_ERRORS
                                  : XD_X12_ACCEPTED;
    for (size_t i = 0; i < v->set_codes.n; i++) {
        res.codes[i] = v->set_codes.v[i];
    }
    res.segments = v->set_position;
    v->failed = v->sink->set_end(v->sink->ctx, &res);
}

static void end_set(struct vstate *v, const struct xd_x12_segment *se)
{
    if (se != NULL) {
        v->set_position++;
        check_envelope(v, &xd_x12__seg_SE, se);
        uint64_t n;
        /* After a lost terminator the sender may have counted the segments it meant or the
         * ones it wrote: either reads one way. */
        if (xd_x12__parse_count(elem(se, 1), &n) && n != v->set_position &&
            n != v->set_position - v->set_splits) {
            emit(v, XD_X12_ERROR, XD_X12_LEVEL_SET, "4", 1, elem(se, 1),
                 "SE01 says %llu segments, the set has %llu", (unsigned long long)n,
                 (unsigned long long)v->set_position);
        }
        if (elem(se, 2).len > 0 && !xd_slice_eq(elem(se, 2), xd_slice_from_cstr(v->st02))) {
            emit(v, XD_X12_ERROR, XD_X12_LEVEL_SET, "3", 2, elem(se, 2),
                 "SE02 does not match ST02 %s", v->st02);
        }
        if (v->seq != NULL && v->failed == XD_OK) {
            enum xd_status st = xd_x12__set_end(v->seq, seq_problem, v);
            v->failed = st != XD_OK && v->failed == XD_OK ? st : v->failed;
        }
        if (v->totals != NULL && v->failed == XD_OK) {
            (void)xd_x12__totals_end(v->totals, total_problem, v);
        }
    } else {
        emit(v, XD_X12_ERROR, XD_X12_LEVEL_SET, "2", 0, none,
             "transaction set %s has no SE trailer", v->st02);
    }
    v->sets_accepted += v->set_error ? 0 : 1;
    if (v->rep != NULL) {
        v->rep->sets++;
        v->rep->sets_rejected += v->set_error ? 1 : 0;
    }
    if (v->sink != NULL && v->sink->set_end != NULL && v->failed == XD_OK) {
        sink_set_end(v);
    }
    set_free(v);
    v->where = IN_GS;
}

static void set_notice(struct vstate *v)
{
    if (strcmp(v->noticed_set, v->st01) == 0) {
        return;
    }
    copy_str(v->noticed_set, sizeof v->noticed_set, v->st01);
    if (xd_x12__set_known(v->st01, strlen(v->st01))) {
        emit(v, XD_X12_NOTICE, XD_X12_LEVEL_SET, "", 0, none,
             "no %s table for version %s: checked at envelope and syntax level", v->st01,
             v->gs.version);
    } else {
        emit(v, XD_X12_NOTICE, XD_X12_LEVEL_SET, "", 0, none,
             "no table for transaction set %s: checked at envelope and syntax level", v->st01);
    }
}

/* GS01 names another group than the set's. */
static void group_mismatch(struct vstate *v, const struct xd_x12_segment *st)
{
    bool guide = strlen(v->gs.version) > 6;
    emit_at(v, XD_X12_ERROR, guide ? XD_X12__DEV_GROUP : XD_X12__DEV_NONE, XD_X12_LEVEL_SET, "6",
            NULL, 1, 0, 0, elem(st, 1), NULL,
            "a %s belongs in a functional group %s, not GS01 %s%s%s", v->st01,
            v->setdef->functional_id, v->gs.functional_id,
            guide ? "; accepted under the implementation guide " : "", guide ? v->gs.version : "");
}

static void begin_set(struct vstate *v, const struct xd_x12_segment *st)
{
    xd_x12__idset_prefetch(&v->st02s, elem(st, 2)); /* looked up below */
    xd_x12__idset_prefetch_next(&v->st02s, elem(st, 2));
    v->where = IN_ST;
    v->set_position = 1;
    v->set_error = v->set_warning = false;
    v->set_codes.n = 0;
    v->set_splits = 0;
    xd_x12__copy(v->st01, sizeof v->st01, elem(st, 1));
    xd_x12__copy(v->st02, sizeof v->st02, elem(st, 2));
    xd_x12__copy(v->st03, sizeof v->st03, elem(st, 3));
    v->sets_in_group++;
    if (v->sink != NULL && v->sink->set_begin != NULL) {
        v->failed = v->sink->set_begin(v->sink->ctx, v->st01, v->st02);
    }
    check_envelope(v, &xd_x12__seg_ST, st);
    bool dup = false;
    if (elem(st, 2).len > 0) {
        enum xd_status s = xd_x12__idset_add(&v->st02s, elem(st, 2), 0, &dup, NULL);
        if (s == XD_ENOMEM) {
            v->failed = s;
        }
    }
    if (dup) {
        emit(v, XD_X12_ERROR, XD_X12_LEVEL_SET, "23", 2, elem(st, 2),
             "ST02 is not unique within the functional group");
    }
    v->setdef =
        xd_x12__setdef_find(elem(st, 1).p, elem(st, 1).len, v->gs.version, strlen(v->gs.version));
    if (v->setdef == NULL) {
        set_notice(v);
        return;
    }
    /* Functional group codes moved between versions: checked where a table applies. Under an
     * implementation guide (GS08 longer than the version, e.g. 004010X357) the guide may name
     * its own group code, which our tables of the base standard cannot know. */
    if (v->gs.functional_id[0] && strcmp(v->setdef->functional_id, v->gs.functional_id) != 0) {
        group_mismatch(v, st);
    }
    enum xd_status s = XD_OK;
    if (v->seq_mem == NULL) {
        s = xd_x12__set_begin(v->setdef, &v->seq_mem);
    }
    if (s == XD_OK && v->totals_mem == NULL) {
        s = xd_x12__totals_begin(v->setdef, &v->totals_mem);
    }
    if (s != XD_OK) {
        v->failed = s;
        return;
    }
    s = xd_x12__set_reset(v->seq_mem, v->setdef);
    if (s != XD_OK) {
        v->failed = s;
        return;
    }
    xd_x12__totals_reset(v->totals_mem, v->setdef);
    v->seq = v->seq_mem;
    v->totals = v->totals_mem;
}

/* Hand the segment to the sink with the loops it sits in. */
static void sink_segment(struct vstate *v, const struct xd_x12_segment *seg, bool placed)
{
    if (v->sink == NULL || v->sink->segment == NULL || v->failed != XD_OK) {
        return;
    }
    const char *const *loops = NULL;
    size_t depth = v->seq != NULL ? xd_x12__set_path(v->seq, &loops) : 0;
    v->failed = v->sink->segment(v->sink->ctx, seg, loops, depth, placed);
}

static bool control_in(struct xd_slice s, const struct xd_x12_delims *d)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if ((c < 0x20 || c == 0x7F) && c != d->component && c != d->repetition) {
            return true;
        }
    }
    return false;
}

/* Without a table the elements' types are unknown, but no X12 character set has control
 * characters (other than a delimiter): they are errors in any set. The reader marked the
 * elements that hold one (exactly below the 63rd). */
static void check_characters(struct vstate *v, const struct xd_x12_segment *seg)
{
    for (size_t i = 1; seg->controls != 0 && i < seg->count; i++) {
        if (((seg->controls >> (i < 63 ? i : 63)) & 1) &&
            (i < 63 || control_in(seg->elements[i], seg->delims))) {
            emit(v, XD_X12_ERROR, XD_X12_LEVEL_ELEMENT, "6", (unsigned)i, seg->elements[i], "%s",
                 "invalid character (control character) in data element");
        }
    }
}

static enum xd_status count_error(void *ctx, const struct xd_x12__elem_problem *p)
{
    *(long *)ctx += p->deviation == XD_X12__DEV_NONE ? 1 : 0;
    return XD_OK;
}

static void set_segment(struct vstate *v, const struct xd_x12_segment *seg, uint32_t id);

/* <seg> has element errors: when it reads as two segments, one of which lost its terminator,
 * go on with the two (a warning) and return true. The first half is placed already: it has
 * the ID of <seg>. */
static bool split_segment(struct vstate *v, const struct xd_x12__segdef *def,
                          const struct xd_x12_segment *seg)
{
    struct xd_x12__check_ctx quiet = {seg->delims, v->v5, count_error, &(long){0}, v->facts};
    if (!xd_x12__split_lost_terminator(&quiet, v->setdef, def, seg, &v->split)) {
        return false;
    }
    const struct xd_x12_segment *first = &v->split.first, *second = &v->split.second;
    unsigned el = v->split.element;
    emit_dev(v, XD_X12__DEV_TERMINATOR, XD_X12_LEVEL_SEGMENT, "8", 0, seg->elements[el],
             "%.*s%02u ends with the segment ID %.*s and what follows is that segment: the "
             "terminator between them is missing; read as two segments",
             (int)seg->id.len, seg->id.p, el, (int)second->id.len, second->id.p);
    v->set_splits++;
    v->seg = first;
    if (v->failed == XD_OK) {
        enum xd_status st = xd_x12__totals_segment(v->totals, first, xd_x12__id_code(first->id),
                                                   elem_problem, total_problem, v);
        v->failed = st != XD_OK && v->failed == XD_OK ? st : v->failed;
    }
    sink_segment(v, first, true);
    v->seg = second;
    set_segment(v, second, xd_x12__id_code(second->id));
    return true;
}

/* The elements of a segment that may have a problem (out of line: most have none). true when
 * the segment was read as two (split_segment), which then went on with both. */
static XD_X12__OUT_OF_LINE bool check_elements(struct vstate *v, const struct xd_x12__segdef *def,
                                               const struct xd_x12_segment *seg)
{
    /* Checked quietly first: one with errors may be two segments whose terminator was lost. */
    long errors = 0;
    struct xd_x12__check_ctx quiet = {seg->delims, v->v5, count_error, &errors, v->facts};
    long n = xd_x12__check_segment(&quiet, def, seg);
    if (errors > 0 && seg != &v->split.second && split_segment(v, def, seg)) {
        return true;
    }
    if (n > 0) {
        v->check.delims = seg->delims;
        n = xd_x12__check_segment(&v->check, def, seg);
    }
    if (n < 0 && v->failed == XD_OK) {
        v->failed = (enum xd_status)n;
    }
    return false;
}

static void set_segment(struct vstate *v, const struct xd_x12_segment *seg, uint32_t id)
{
    v->set_position++;
    if (v->setdef == NULL || v->failed != XD_OK) {
        if (!valid_segment_id(seg->id)) {
            emit(v, XD_X12_ERROR, XD_X12_LEVEL_SEGMENT, "1", 0, none, "unrecognized segment ID");
        }
        check_characters(v, seg);
        sink_segment(v, seg, false);
        return;
    }
    const struct xd_x12__segdef *def = NULL;
    enum xd_status st = xd_x12__set_segment(v->seq, seg, id, v->set_position, &def, seq_problem, v);
    if (st != XD_OK) {
        v->failed = v->failed == XD_OK ? st : v->failed;
        return;
    }
    if (def != NULL && !xd_x12__segment_clean(&v->check, def, seg) && check_elements(v, def, seg)) {
        return;
    }
    if (v->failed == XD_OK) {
        st = xd_x12__totals_segment(v->totals, seg, id, elem_problem, total_problem, v);
        v->failed = st != XD_OK && v->failed == XD_OK ? st : v->failed;
    }
    sink_segment(v, seg, def != NULL);
}

/* ---- Groups ---------------------------------------------------------------------------------- */

static void end_group(struct vstate *v, const struct xd_x12_segment *ge)
{
    if (v->where == IN_ST) {
        end_set(v, NULL);
    }
    if (ge != NULL) {
        check_envelope(v, &xd_x12__seg_GE, ge);
        uint64_t n;
        if (xd_x12__parse_count(elem(ge, 1), &n) && n != v->sets_in_group) {
            emit(v, XD_X12_ERROR, XD_X12_LEVEL_GROUP, "5", 1, elem(ge, 1),
                 "GE01 says %llu transaction sets, the group has %llu", (unsigned long long)n,
                 (unsigned long long)v->sets_in_group);
        }
        if (elem(ge, 2).len > 0 && !same_control(elem(ge, 2), xd_slice_from_cstr(v->gs.control))) {
            emit(v, XD_X12_ERROR, XD_X12_LEVEL_GROUP, "4", 2, elem(ge, 2),
                 "GE02 does not match GS06 %s", v->gs.control);
        }
    } else {
        emit(v, XD_X12_ERROR, XD_X12_LEVEL_GROUP, "3", 0, none,
             "functional group %s has no GE trailer", v->gs.control);
    }
    struct xd_x12_group_result res;
    memset(&res, 0, sizeof res);
    uint64_t n = 0;
    res.sets_included = ge != NULL && xd_x12__parse_count(elem(ge, 1), &n) ? n : 0;
    res.sets_received = v->sets_in_group;
    res.sets_accepted = v->sets_accepted;
    if (v->group_error || (v->sets_in_group > 0 && v->sets_accepted == 0)) {
        res.status = XD_X12_REJECTED;
    } else if (v->sets_accepted < v->sets_in_group) {
        res.status = XD_X12_PARTIALLY_ACCEPTED;
    } else {
        res.status = XD_X12_ACCEPTED;
    }
    for (size_t i = 0; i < v->group_codes.n; i++) {
        res.codes[i] = v->group_codes.v[i];
    }
    if (v->rep != NULL) {
        v->rep->groups++;
    }
    if (v->sink != NULL && v->sink->group_end != NULL && v->failed == XD_OK) {
        v->failed = v->sink->group_end(v->sink->ctx, &res);
    }
    v->where = IN_ISA;
}

static void fill_group_info(struct vstate *v, const struct xd_x12_segment *gs)
{
    struct xd_x12_group_info *g = &v->gs;
    memset(g, 0, sizeof *g);
    copy_field(g->functional_id, sizeof g->functional_id, elem(gs, 1));
    copy_field(g->sender, sizeof g->sender, elem(gs, 2));
    copy_field(g->receiver, sizeof g->receiver, elem(gs, 3));
    copy_field(g->date, sizeof g->date, elem(gs, 4));
    copy_field(g->time, sizeof g->time, elem(gs, 5));
    copy_field(g->control, sizeof g->control, elem(gs, 6));
    copy_field(g->agency, sizeof g->agency, elem(gs, 7));
    copy_field(g->version, sizeof g->version, elem(gs, 8));
}

static void begin_group(struct vstate *v, const struct xd_x12_segment *gs)
{
    if (v->where == IN_ST || v->where == IN_GS) {
        end_group(v, NULL);
    }
    v->where = IN_GS;
    v->groups_in_isa++;
    v->group_error = false;
    v->group_codes.n = 0;
    v->sets_in_group = v->sets_accepted = 0;
    v->noticed_set[0] = '\0';
    xd_x12__idset_clear(&v->st02s);
    fill_group_info(v, gs);
    const char *ver = v->gs.version;
    v->v5 = strlen(ver) >= 6 && strncmp(ver, "005010", 6) >= 0;
    v->old_dates = strlen(ver) >= 6 && strncmp(ver, "004010", 6) < 0;
    v->check = (struct xd_x12__check_ctx){gs->delims, v->v5, elem_problem, v, v->facts};
    if (v->sink != NULL && v->sink->group_begin != NULL) {
        v->failed = v->sink->group_begin(v->sink->ctx, &v->gs);
    }
    check_envelope(v, &xd_x12__seg_GS, gs);
    bool dup = false;
    if (elem(gs, 6).len > 0 &&
        xd_x12__idset_add(&v->gs06s, elem(gs, 6), 0, &dup, NULL) == XD_ENOMEM) {
        v->failed = XD_ENOMEM;
    }
    if (dup) {
        emit(v, XD_X12_ERROR, XD_X12_LEVEL_GROUP, "19", 6, elem(gs, 6),
             "GS06 is not unique within the interchange");
    }
}

/* ---- Interchanges -----------------------------------------------------------------------------
 */

static void end_interchange(struct vstate *v, const struct xd_x12_segment *iea)
{
    if (v->where == IN_ST || v->where == IN_GS) {
        end_group(v, NULL);
    }
    if (iea != NULL) {
        check_envelope(v, &xd_x12__seg_IEA, iea);
        uint64_t n;
        if (xd_x12__parse_count(elem(iea, 1), &n) && n != v->groups_in_isa) {
            emit(v, XD_X12_ERROR, XD_X12_LEVEL_INTERCHANGE, "021", 1, elem(iea, 1),
                 "IEA01 says %llu functional groups, the interchange has %llu",
                 (unsigned long long)n, (unsigned long long)v->groups_in_isa);
        }
        if (elem(iea, 2).len > 0 &&
            !same_control(elem(iea, 2), xd_slice_from_cstr(v->isa.control))) {
            emit(v, XD_X12_ERROR, XD_X12_LEVEL_INTERCHANGE, "001", 2, elem(iea, 2),
                 "IEA02 does not match ISA13 %s", v->isa.control);
        }
    } else {
        emit(v, XD_X12_ERROR, XD_X12_LEVEL_INTERCHANGE, "023", 0, none,
             "interchange %s has no IEA trailer", v->isa.control);
    }
    struct xd_x12_interchange_result res = {v->isa_error ? XD_X12_REJECTED : XD_X12_ACCEPTED,
                                            v->isa_error && v->ta1_code ? v->ta1_code : "000"};
    if (v->rep != NULL) {
        v->rep->interchanges++;
    }
    if (v->sink != NULL && v->sink->interchange_end != NULL && v->failed == XD_OK) {
        v->failed = v->sink->interchange_end(v->sink->ctx, &res);
    }
    v->where = OUTSIDE;
}

static void begin_interchange(struct vstate *v, const struct xd_x12_segment *isa)
{
    if (v->where != OUTSIDE) {
        end_interchange(v, NULL);
    }
    v->where = IN_ISA;
    v->isa_error = false;
    v->ta1_code = NULL;
    v->groups_in_isa = 0;
    xd_x12__idset_clear(&v->gs06s);
    fill_isa_info(v, isa);
    if (v->sink != NULL && v->sink->interchange_begin != NULL) {
        v->failed = v->sink->interchange_begin(v->sink->ctx, &v->isa);
    }
    if (isa->count - 1 != 16) {
        emit(v, XD_X12_ERROR, XD_X12_LEVEL_INTERCHANGE, "022", 0, none,
             "ISA has %zu data elements, not 16", isa->count - 1);
    }
    for (unsigned i = 0; i < 16 && i + 1 < isa->count; i++) {
        check_isa_field(v, i, isa->elements[i + 1]);
    }
    /* The same sender and ISA13 twice in one input is a duplicate transmission: a warning
     * here, since refusing duplicates is the journal's job (it remembers across files). */
    char key[40];
    int kn = snprintf(key, sizeof key, "%s|%s|%s", v->isa.sender_qualifier, v->isa.sender_id,
                      v->isa.control);
    bool dup = false;
    if (elem(isa, 13).len > 0 &&
        xd_x12__idset_add(&v->isa13s, (struct xd_slice){key, kn > 0 ? (size_t)kn : 0}, 0, &dup,
                          NULL) == XD_ENOMEM) {
        v->failed = XD_ENOMEM;
    }
    if (dup) {
        emit_dev(v, XD_X12__DEV_DUPLICATE, XD_X12_LEVEL_INTERCHANGE, "025", 13, elem(isa, 13),
                 "duplicate interchange control number from the same sender");
    }
}

/* ---- Dispatch ---------------------------------------------------------------------------------
 */

static void outside(struct vstate *v, const char *what)
{
    emit(v, XD_X12_ERROR, XD_X12_LEVEL_INTERCHANGE, "024", 0, none, "%s", what);
}

#define ID_ISA XD_X12__ID3('I', 'S', 'A')
#define ID_IEA XD_X12__ID3('I', 'E', 'A')
#define ID_GS  XD_X12__ID3('G', 'S', 0)
#define ID_GE  XD_X12__ID3('G', 'E', 0)
#define ID_ST  XD_X12__ID3('S', 'T', 0)
#define ID_SE  XD_X12__ID3('S', 'E', 0)
#define ID_TA1 XD_X12__ID3('T', 'A', '1')

static bool is_envelope(uint32_t id)
{
    switch (id) { /* a few comparisons in a tree instead of six in a row */
    case ID_SE:
    case ID_ST:
    case ID_GE:
    case ID_GS:
    case ID_IEA:
    case ID_ISA:
        return true;
    default:
        return false;
    }
}

static void feed_envelope(struct vstate *v, const struct xd_x12_segment *seg, uint32_t id)
{
    switch (id) {
    case ID_ISA:
        begin_interchange(v, seg);
        break;
    case ID_IEA:
        if (v->where == OUTSIDE) {
            outside(v, "IEA without an interchange");
        } else {
            end_interchange(v, seg);
        }
        break;
    case ID_GS:
        if (v->where == OUTSIDE) {
            outside(v, "GS outside an interchange");
        } else {
            begin_group(v, seg);
        }
        break;
    case ID_GE:
        if (v->where == IN_GS || v->where == IN_ST) {
            end_group(v, seg);
        } else {
            outside(v, "GE without a functional group");
        }
        break;
    case ID_ST:
        if (v->where == IN_ST) {
            end_set(v, NULL);
        }
        if (v->where == IN_GS) {
            begin_set(v, seg);
        } else {
            outside(v, "ST outside a functional group");
        }
        break;
    default: /* SE */
        if (v->where == IN_ST) {
            end_set(v, seg);
        } else {
            outside(v, "segment outside a transaction set");
        }
        break;
    }
}

static void feed(struct vstate *v, const struct xd_x12_segment *seg)
{
    v->seg = seg;
    if (v->rep != NULL) {
        v->rep->segments++;
    }
    uint32_t id = xd_x12__id_code(seg->id);
    if (is_envelope(id)) {
        feed_envelope(v, seg, id);
    } else if (v->where == IN_ST) {
        set_segment(v, seg, id);
    } else if (id == ID_TA1 && v->where == IN_ISA) {
        return; /* interchange acknowledgements sit between ISA and the first GS */
    } else {
        outside(v, "segment outside a transaction set");
    }
}

static void finish(struct vstate *v)
{
    v->seg = NULL;
    if (v->where != OUTSIDE && v->failed == XD_OK) {
        end_interchange(v, NULL);
    }
    set_free(v);
    xd_x12__set_free(v->seq_mem);
    xd_x12__totals_free(v->totals_mem);
}

enum xd_status xd_x12_validate(struct xd_x12_reader *r, const struct xd_x12_validate_options *opt,
                               struct xd_x12_report *rep, const struct xd_x12_sink *sink,
                               struct xd_error *err)
{
    static const struct xd_x12_validate_options defaults = {0};
    struct vstate v;
    memset(&v, 0, sizeof v);
    v.opt = opt ? opt : &defaults;
    v.rep = rep;
    v.sink = sink;
    xd_x12__idset_init(&v.isa13s, MAX_TRACKED_CONTROLS);
    xd_x12__idset_init(&v.gs06s, MAX_TRACKED_CONTROLS);
    xd_x12__idset_init(&v.st02s, MAX_TRACKED_CONTROLS);
    enum xd_status rc = XD_OK;
    struct xd_x12_segment seg;
    bool noticed = false;
    while (v.failed == XD_OK) {
        rc = xd_x12_reader_next(r, &seg, err);
        if (rc != XD_OK) {
            break;
        }
        /* The encoding is known from the first bytes. */
        if (!noticed) {
            noticed = true;
            v.seg = &seg;
            if (strcmp(xd_x12_reader_encoding(r), "ascii") != 0) {
                emit(&v, XD_X12_NOTICE, XD_X12_LEVEL_INTERCHANGE, "", 0, none,
                     "input is EBCDIC (code page 037), decoded to ASCII");
            }
        }
        feed(&v, &seg);
    }
    if (rep != NULL) {
        rep->encoding = xd_x12_reader_encoding(r);
    }
    if (rc == XD_EPARSE || rc == XD_ETOOBIG) {
        struct xd_error e;
        xd_error_clear(&e);
        if (xd_x12_reader_next(r, &seg, &e) == XD_OK) {
            e.message[0] = '\0'; /* a failed reader keeps failing: not reached */
        }
        v.seg = NULL;
        struct where_at at = {"", 0, 0, (uint64_t)(e.offset > 0 ? e.offset : 0)};
        emit_at(&v, XD_X12_ERROR, XD_X12__DEV_NONE, XD_X12_LEVEL_INTERCHANGE,
                xd_x12__reader_failure_code(r), &at, 0, 0, 0, none, NULL, "%s", e.message);
        if (rep != NULL) {
            rep->truncated = true;
        }
    }
    finish(&v);
    xd_x12__idset_cleanup(&v.isa13s);
    xd_x12__idset_cleanup(&v.gs06s);
    xd_x12__idset_cleanup(&v.st02s);
    if (v.failed != XD_OK) {
        return v.failed;
    }
    if (rc != XD_ENOTFOUND) {
        return rc;
    }
    return v.any_error ? XD_EINVALDOC : XD_OK;
}
