/* SPDX-License-Identifier: MIT
 * 997 / 999 / TA1 builder, fed by the validator as a sink. One acknowledgement interchange per
 * inbound interchange (sender and receiver swapped), one 997/999 per inbound functional group:
 * AK1, then per set AK2, its AK3/AK4 (IK3/IK4) and AK5 (IK5), then AK9. The TA1 must follow
 * the ISA but its verdict is known only at the IEA, so each acknowledgement interchange's body
 * is assembled in a buffer and written out at the inbound IEA. */
#include <stdio.h>
#include <string.h>

#include "x12/x12_int.h"

#define ACK_BODY_MAX ((size_t)1 << 30)

struct xd_x12_ack {
    struct xd_x12_ack_options opt;
    struct xd_buf *out;
    struct xd_buf body;   /* GS..GE of the current acknowledgement interchange */
    struct xd_buf errors; /* AK3/AK4 of the current set */
    struct xd_x12_sink sink;
    struct xd_x12_interchange_info isa;
    struct xd_x12_group_info gs;
    struct xd_x12_delims d;
    bool v5; /* 999, or a 997 from 005010 on: C030 carries the repetition */
    bool in_group;
    uint64_t isa_control, gs_control, st_control;
    uint64_t groups, interchanges;
    uint64_t set_segments;      /* segments of the acknowledgement set so far */
    uint64_t error_segments;    /* AK3/AK4 segments buffered for the current set */
    uint64_t segment_loops;     /* AK3 loops written for the current set */
    uint64_t last_ak3_position; /* position of the last AK3 written with code 8 */
    char last_ak3_id[4];
    char st_text[XD_X12_CONTROL_MAX];
};

static bool is999(const struct xd_x12_ack *a)
{
    return a->opt.kind == XD_X12_ACK_999;
}

#define ACK_VALUE_MAX 128 /* no acknowledgement element is longer (AK404 is 99) */

static bool is_delim(const struct xd_x12_ack *a, unsigned char c)
{
    return c == a->d.element || c == a->d.segment || (a->d.repetition && c == a->d.repetition);
}

/* Every value written passes through here: whatever an inbound envelope echoed into it, no
 * element separator, terminator or repetition separator reaches the output. Composite values
 * (AK401) keep the component separator they were built with. */
static enum xd_status put(struct xd_x12_ack *a, struct xd_buf *b, const char *id,
                          const struct xd_slice *v, size_t n)
{
    char bufs[12][ACK_VALUE_MAX];
    struct xd_slice clean[12];
    n = n < 12 ? n : 12;
    for (size_t i = 0; i < n; i++) {
        size_t len = v[i].len < ACK_VALUE_MAX ? v[i].len : ACK_VALUE_MAX;
        for (size_t k = 0; k < len; k++) {
            unsigned char c = (unsigned char)v[i].p[k];
            bufs[i][k] = (is_delim(a, c) || c < 0x20 || c == 0x7F) ? ' ' : (char)c;
        }
        clean[i] = (struct xd_slice){bufs[i], len};
    }
    return xd_x12__put_segment(b, &a->d, false, id, clean, n, NULL);
}

/* Data copied into AK404/IK404 may not hold delimiters or control characters. */
static struct xd_slice safe_copy(const struct xd_x12_ack *a, const char *value, char *buf,
                                 size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; value[i] && n + 1 < cap && n < 99; i++) {
        unsigned char c = (unsigned char)value[i];
        bool delim = c == a->d.element || c == a->d.segment || c == a->d.component ||
                     (a->d.repetition && c == a->d.repetition);
        buf[n++] = (delim || c < 0x20 || c == 0x7F) ? ' ' : (char)c;
    }
    while (n > 0 && buf[n - 1] == ' ') {
        n--;
    }
    buf[n] = '\0';
    return (struct xd_slice){buf, n};
}

/* Inbound values echoed into the acknowledgement (IDs, control numbers) may hold our
 * delimiters when the inbound envelope is broken: blank them out, cap at <cap> - 1. */
static const char *echo(const struct xd_x12_ack *a, const char *value, char *buf, size_t cap)
{
    return safe_copy(a, value, buf, cap).p;
}

static enum xd_status on_interchange_begin(void *ctx, const struct xd_x12_interchange_info *isa)
{
    struct xd_x12_ack *a = ctx;
    a->isa = *isa;
    a->d = a->opt.delims;
    if (a->d.element == 0 && a->d.component == 0 && a->d.segment == 0) {
        a->d = isa->delims;
    }
    if (!xd_x12__delims_usable(&a->d)) {
        a->d = (struct xd_x12_delims){'*', ':', '^', '~'};
    }
    xd_buf_reset(&a->body);
    a->groups = 0;
    a->in_group = false;
    return XD_OK;
}

static enum xd_status on_group_begin(void *ctx, const struct xd_x12_group_info *gs)
{
    struct xd_x12_ack *a = ctx;
    a->gs = *gs;
    if (a->opt.only_ta1) {
        return XD_OK;
    }
    char gsctl[12], stctl[12];
    snprintf(gsctl, sizeof gsctl, "%llu", (unsigned long long)a->gs_control);
    snprintf(stctl, sizeof stctl, "%04llu", (unsigned long long)a->st_control);
    snprintf(a->st_text, sizeof a->st_text, "%s", stctl);
    const char *version = a->opt.version ? a->opt.version : (is999(a) ? "005010X231A1" : "004010");
    a->v5 = is999(a) || strncmp(version, "005010", 6) >= 0;
    char snd[16], rcv[16], fid[3], ctl[12], ver[13];
    const char *sender = a->opt.gs_sender ? a->opt.gs_sender : echo(a, gs->receiver, snd, 16);
    const struct xd_slice gsv[8] = {XD_SLICE_LIT("FA"),
                                    xd_slice_from_cstr(sender),
                                    xd_slice_from_cstr(echo(a, gs->sender, rcv, sizeof rcv)),
                                    xd_slice_from_cstr(a->opt.date),
                                    xd_slice_from_cstr(a->opt.time),
                                    xd_slice_from_cstr(gsctl),
                                    XD_SLICE_LIT("X"),
                                    xd_slice_from_cstr(version)};
    enum xd_status st = put(a, &a->body, "GS", gsv, 8);
    const struct xd_slice stv[3] = {is999(a) ? XD_SLICE_LIT("999") : XD_SLICE_LIT("997"),
                                    xd_slice_from_cstr(stctl),
                                    is999(a) ? xd_slice_from_cstr(version) : XD_SLICE_LIT("")};
    if (st == XD_OK) {
        st = put(a, &a->body, "ST", stv, 3);
    }
    const struct xd_slice ak1[3] = {
        xd_slice_from_cstr(echo(a, gs->functional_id, fid, sizeof fid)),
        xd_slice_from_cstr(echo(a, gs->control, ctl, sizeof ctl)),
        is999(a) ? xd_slice_from_cstr(echo(a, gs->version, ver, sizeof ver)) : XD_SLICE_LIT("")};
    if (st == XD_OK) {
        st = put(a, &a->body, "AK1", ak1, 3);
    }
    a->set_segments = 2;
    a->in_group = st == XD_OK;
    return st;
}

static enum xd_status on_set_begin(void *ctx, const char *set_id, const char *control)
{
    struct xd_x12_ack *a = ctx;
    (void)set_id;
    (void)control;
    xd_buf_reset(&a->errors);
    a->error_segments = 0;
    a->segment_loops = 0;
    a->last_ak3_position = 0;
    a->last_ak3_id[0] = '\0';
    return XD_OK;
}

static enum xd_status put_ak3(struct xd_x12_ack *a, const struct xd_x12_error *e, const char *code)
{
    char pos[24];
    snprintf(pos, sizeof pos, "%llu", (unsigned long long)e->segment_position);
    const struct xd_slice v[4] = {xd_slice_from_cstr(e->segment_id), xd_slice_from_cstr(pos),
                                  xd_slice_from_cstr(e->loop_id), xd_slice_from_cstr(code)};
    enum xd_status st = put(a, &a->errors, is999(a) ? "IK3" : "AK3", v, 4);
    a->error_segments++;
    a->segment_loops++;
    return st;
}

static enum xd_status put_ak4(struct xd_x12_ack *a, const struct xd_x12_error *e)
{
    char c030[40], bad[XD_X12_VALUE_MAX], comp_text[12] = "";
    char comp = (char)a->d.component;
    if (e->component > 0) {
        snprintf(comp_text, sizeof comp_text, "%u", e->component);
    }
    if (a->v5 && e->repetition > 0) {
        snprintf(c030, sizeof c030, "%u%c%s%c%u", e->element, comp, comp_text, comp, e->repetition);
    } else if (e->component > 0) {
        snprintf(c030, sizeof c030, "%u%c%s", e->element, comp, comp_text);
    } else {
        snprintf(c030, sizeof c030, "%u", e->element);
    }
    const struct xd_slice v[4] = {xd_slice_from_cstr(c030), XD_SLICE_LIT(""),
                                  xd_slice_from_cstr(e->code),
                                  safe_copy(a, e->value, bad, sizeof bad)};
    enum xd_status st = put(a, &a->errors, is999(a) ? "IK4" : "AK4", v, 4);
    a->error_segments++;
    return st;
}

static enum xd_status on_error(void *ctx, const struct xd_x12_error *e)
{
    struct xd_x12_ack *a = ctx;
    if (!a->in_group || e->severity == XD_X12_NOTICE || e->segment_position == 0) {
        return XD_OK;
    }
    if (e->level != XD_X12_LEVEL_SEGMENT && e->level != XD_X12_LEVEL_ELEMENT) {
        return XD_OK;
    }
    bool new_segment =
        e->segment_position != a->last_ak3_position || strcmp(e->segment_id, a->last_ak3_id) != 0;
    if (a->segment_loops >= XD_X12_MAX_ACK_SEGMENT_ERRORS &&
        (e->level == XD_X12_LEVEL_SEGMENT || new_segment)) {
        return XD_OK; /* the AK5 code still says the set has errors */
    }
    if (e->level == XD_X12_LEVEL_SEGMENT) {
        a->last_ak3_position = 0;
        return put_ak3(a, e, e->code);
    }
    enum xd_status st = XD_OK;
    if (new_segment) {
        st = put_ak3(a, e, "8");
        a->last_ak3_position = e->segment_position;
        snprintf(a->last_ak3_id, sizeof a->last_ak3_id, "%s", e->segment_id);
    }
    return st == XD_OK ? put_ak4(a, e) : st;
}

static enum xd_status put_codes(struct xd_x12_ack *a, const char *id, char status,
                                const char *const *codes, const struct xd_slice *lead, size_t nlead)
{
    struct xd_slice v[4 + XD_X12_MAX_CODES];
    char st[2] = {status, '\0'};
    size_t n = 0;
    v[n++] = xd_slice_from_cstr(st);
    for (size_t i = 0; i < nlead; i++) {
        v[n++] = lead[i];
    }
    for (size_t i = 0; i < XD_X12_MAX_CODES && codes[i] != NULL; i++) {
        v[n++] = xd_slice_from_cstr(codes[i]);
    }
    return put(a, &a->body, id, v, n);
}

static enum xd_status on_set_end(void *ctx, const struct xd_x12_set_result *res)
{
    struct xd_x12_ack *a = ctx;
    if (!a->in_group) {
        return XD_OK;
    }
    const struct xd_slice ak2[3] = {
        xd_slice_from_cstr(res->set_id), xd_slice_from_cstr(res->control),
        is999(a) ? xd_slice_from_cstr(res->convention) : XD_SLICE_LIT("")};
    enum xd_status st = put(a, &a->body, "AK2", ak2, 3);
    if (st == XD_OK && a->errors.len > 0) {
        st = xd_buf_append(&a->body, a->errors.data, a->errors.len);
    }
    if (st == XD_OK) {
        st = put_codes(a, is999(a) ? "IK5" : "AK5", (char)res->status, res->codes, NULL, 0);
    }
    a->set_segments += 2 + a->error_segments;
    xd_buf_reset(&a->errors);
    return st;
}

static enum xd_status on_group_end(void *ctx, const struct xd_x12_group_result *res)
{
    struct xd_x12_ack *a = ctx;
    if (!a->in_group) {
        return XD_OK;
    }
    char inc[24], rec[24], acc[24], count[24], gsctl[12];
    snprintf(inc, sizeof inc, "%llu",
             (unsigned long long)(res->sets_included ? res->sets_included : res->sets_received));
    snprintf(rec, sizeof rec, "%llu", (unsigned long long)res->sets_received);
    snprintf(acc, sizeof acc, "%llu", (unsigned long long)res->sets_accepted);
    const struct xd_slice lead[3] = {xd_slice_from_cstr(inc), xd_slice_from_cstr(rec),
                                     xd_slice_from_cstr(acc)};
    enum xd_status st = put_codes(a, "AK9", (char)res->status, res->codes, lead, 3);
    a->set_segments += 2; /* AK9 and SE */
    snprintf(count, sizeof count, "%llu", (unsigned long long)a->set_segments);
    const struct xd_slice se[2] = {xd_slice_from_cstr(count), xd_slice_from_cstr(a->st_text)};
    if (st == XD_OK) {
        st = put(a, &a->body, "SE", se, 2);
    }
    snprintf(gsctl, sizeof gsctl, "%llu", (unsigned long long)a->gs_control);
    const struct xd_slice ge[2] = {XD_SLICE_LIT("1"), xd_slice_from_cstr(gsctl)};
    if (st == XD_OK) {
        st = put(a, &a->body, "GE", ge, 2);
    }
    a->gs_control++;
    a->st_control++;
    a->groups++;
    a->in_group = false;
    return st;
}

static enum xd_status on_interchange_end(void *ctx, const struct xd_x12_interchange_result *res)
{
    struct xd_x12_ack *a = ctx;
    char date[9];
    snprintf(date, sizeof date, "%s", a->opt.date);
    struct xd_x12__isa_fields f = {a->opt.sender_qualifier ? a->opt.sender_qualifier
                                                           : a->isa.receiver_qualifier,
                                   a->opt.sender_id ? a->opt.sender_id : a->isa.receiver_id,
                                   a->isa.sender_qualifier,
                                   a->isa.sender_id,
                                   date,
                                   a->opt.time,
                                   is999(a) ? "00501" : "00401",
                                   a->isa_control,
                                   false,
                                   a->opt.usage ? a->opt.usage : a->isa.usage};
    /* Padded IDs come back with their blanks; the writer pads again. */
    char sid[16], rid[16], sq[3], rq[3], tctl[10], tdate[7], ttime[5];
    echo(a, f.sender_id, sid, sizeof sid);
    echo(a, f.receiver_id, rid, sizeof rid);
    f.sender_qualifier = echo(a, f.sender_qualifier, sq, sizeof sq);
    f.receiver_qualifier = echo(a, f.receiver_qualifier, rq, sizeof rq);
    for (size_t n = strlen(sid); n > 0 && sid[n - 1] == ' '; n--) {
        sid[n - 1] = '\0';
    }
    for (size_t n = strlen(rid); n > 0 && rid[n - 1] == ' '; n--) {
        rid[n - 1] = '\0';
    }
    f.sender_id = sid;
    f.receiver_id = rid;
    if (f.usage != 'P' && f.usage != 'T' && f.usage != 'I') {
        f.usage = 'P'; /* a broken ISA15 is not echoed */
    }
    enum xd_status st = xd_x12__put_isa(a->out, &a->d, true, &f, NULL);
    if (st == XD_OK && a->opt.ta1) {
        char ta104[2] = {(char)res->status, '\0'};
        const struct xd_slice ta1[5] = {
            xd_slice_from_cstr(echo(a, a->isa.control, tctl, sizeof tctl)),
            xd_slice_from_cstr(echo(a, a->isa.date, tdate, sizeof tdate)),
            xd_slice_from_cstr(echo(a, a->isa.time, ttime, sizeof ttime)),
            xd_slice_from_cstr(ta104), xd_slice_from_cstr(res->code)};
        st = xd_x12__put_segment(a->out, &a->d, true, "TA1", ta1, 5, NULL);
    }
    /* The body was written without line breaks; put one after each terminator. */
    for (size_t i = 0; st == XD_OK && i < a->body.len; i++) {
        st = xd_buf_append_char(a->out, a->body.data[i]);
        if (st == XD_OK && (unsigned char)a->body.data[i] == a->d.segment && a->d.segment != '\n' &&
            a->d.segment != '\r') {
            st = xd_buf_append_char(a->out, '\n');
        }
    }
    char count[24], ctl[12];
    snprintf(count, sizeof count, "%llu", (unsigned long long)a->groups);
    snprintf(ctl, sizeof ctl, "%09llu", (unsigned long long)a->isa_control);
    const struct xd_slice iea[2] = {xd_slice_from_cstr(count), xd_slice_from_cstr(ctl)};
    if (st == XD_OK) {
        st = xd_x12__put_segment(a->out, &a->d, true, "IEA", iea, 2, NULL);
    }
    xd_buf_reset(&a->body);
    a->isa_control++;
    a->interchanges++;
    return st;
}

enum xd_status xd_x12_ack_create(const struct xd_x12_ack_options *opt, struct xd_buf *out,
                                 struct xd_x12_ack **ack)
{
    if (opt == NULL || out == NULL || opt->date == NULL || strlen(opt->date) != 8 ||
        opt->time == NULL || strlen(opt->time) < 4 || opt->isa_control == 0 ||
        opt->gs_control == 0 || opt->st_control == 0) {
        return XD_EINVAL;
    }
    struct xd_x12_ack *a = xd_calloc(1, sizeof *a);
    if (a == NULL) {
        return XD_ENOMEM;
    }
    a->opt = *opt;
    a->out = out;
    xd_buf_init(&a->body, ACK_BODY_MAX);
    xd_buf_init(&a->errors, ACK_BODY_MAX);
    a->isa_control = opt->isa_control;
    a->gs_control = opt->gs_control;
    a->st_control = opt->st_control;
    a->sink = (struct xd_x12_sink){
        a,          on_interchange_begin, on_group_begin,     on_set_begin, on_error,
        on_set_end, on_group_end,         on_interchange_end, NULL};
    *ack = a;
    return XD_OK;
}

const struct xd_x12_sink *xd_x12_ack_sink(struct xd_x12_ack *ack)
{
    return &ack->sink;
}

uint64_t xd_x12_ack_interchanges(const struct xd_x12_ack *ack)
{
    return ack->interchanges;
}

void xd_x12_ack_destroy(struct xd_x12_ack *ack)
{
    if (ack == NULL) {
        return;
    }
    xd_buf_cleanup(&ack->body);
    xd_buf_cleanup(&ack->errors);
    xd_free(ack);
}
