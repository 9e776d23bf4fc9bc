/* SPDX-License-Identifier: MIT
 * Renderer for outbound X12: segments with the chosen delimiters, the fixed-width ISA, and an
 * envelope writer that counts segments, sets and groups for SE01, GE01 and IEA01. Control
 * numbers come from the caller (the store allocates them per partner). */
#include <stdio.h>
#include <string.h>

#include "x12/x12_int.h"

#define SEG_VALUES_MAX 64
#define GS_ID_MIN      2 /* GS02, GS03: AN 2/15 */
#define GS_ID_MAX      15

static const struct xd_x12_delims default_delims = {'*', ':', '^', '~'};

static bool usable(unsigned char c)
{
    return c != 0 && c != ' ' && c < 0x80 &&
           !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

bool xd_x12__delims_usable(const struct xd_x12_delims *d)
{
    if (!usable(d->element) || !usable(d->component) || !usable(d->segment)) {
        return false;
    }
    if (d->element == d->component || d->element == d->segment || d->component == d->segment) {
        return false;
    }
    if (d->repetition != 0 && (!usable(d->repetition) || d->repetition == d->element ||
                               d->repetition == d->component || d->repetition == d->segment)) {
        return false;
    }
    return true;
}

enum xd_status xd_x12__put_segment(struct xd_buf *out, const struct xd_x12_delims *d, bool newline,
                                   const char *id, const struct xd_slice *values, size_t n,
                                   struct xd_error *err)
{
    while (n > 0 && values[n - 1].len == 0) {
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        const struct xd_slice v = values[i];
        if ((v.len > 0 && memchr(v.p, d->element, v.len) != NULL) ||
            (v.len > 0 && memchr(v.p, d->segment, v.len) != NULL)) {
            return xd_error_set(err, XD_EINVAL,
                                "%s%02zu holds a delimiter ('%c' or '%c'); X12 has no escape", id,
                                i + 1, d->element, d->segment);
        }
    }
    size_t before = out->len;
    enum xd_status st = xd_buf_append_str(out, id);
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        st = xd_buf_append_char(out, (char)d->element);
        if (st == XD_OK && values[i].len > 0) {
            st = xd_buf_append(out, values[i].p, values[i].len);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(out, (char)d->segment);
    }
    if (st == XD_OK && newline && d->segment != '\n' && d->segment != '\r') {
        st = xd_buf_append_char(out, '\n');
    }
    if (st != XD_OK) {
        out->len = before;
        if (out->data != NULL) {
            out->data[before] = '\0';
        }
        return xd_error_set(err, st, "cannot write %s: %s", id, xd_strerror(st));
    }
    return XD_OK;
}

/* Copy <s> left-aligned into <dst>, padded with blanks to <width>. */
static enum xd_status pad(char *dst, const char *s, size_t width, const char *name,
                          struct xd_error *err)
{
    size_t n = s ? strlen(s) : 0;
    if (n > width) {
        return xd_error_set(err, XD_EINVAL, "%s '%s' is longer than %zu characters", name, s,
                            width);
    }
    memset(dst, ' ', width);
    if (n > 0) {
        memcpy(dst, s, n);
    }
    dst[width] = '\0';
    return XD_OK;
}

enum xd_status xd_x12__put_isa(struct xd_buf *out, const struct xd_x12_delims *d, bool newline,
                               const struct xd_x12__isa_fields *f, struct xd_error *err)
{
    char sq[3], sid[16], rq[3], rid[16], date[7], time[5], ver[6], ctl[10], rep[2], comp[2];
    enum xd_status st = pad(sq, f->sender_qualifier, 2, "sender qualifier", err);
    if (st == XD_OK) {
        st = pad(sid, f->sender_id, 15, "sender ID", err);
    }
    if (st == XD_OK) {
        st = pad(rq, f->receiver_qualifier, 2, "receiver qualifier", err);
    }
    if (st == XD_OK) {
        st = pad(rid, f->receiver_id, 15, "receiver ID", err);
    }
    if (st != XD_OK) {
        return st;
    }
    if (f->date == NULL || strlen(f->date) != 8 || f->time == NULL || strlen(f->time) < 4 ||
        f->control > 999999999) {
        return xd_error_set(err, XD_EINVAL,
                            "ISA needs a CCYYMMDD date, an HHMM time and a "
                            "control number of at most 9 digits");
    }
    snprintf(date, sizeof date, "%s", f->date + 2);
    snprintf(time, sizeof time, "%.4s", f->time);
    snprintf(ver, sizeof ver, "%s", f->isa_version ? f->isa_version : "00401");
    snprintf(ctl, sizeof ctl, "%09llu", (unsigned long long)f->control);
    uint64_t v = 0;
    bool has_rep = xd_parse_u64(ver, strlen(ver), 99999, &v) == XD_OK && v >= 402;
    rep[0] = has_rep && d->repetition ? (char)d->repetition : 'U';
    rep[1] = '\0';
    comp[0] = (char)d->component;
    comp[1] = '\0';
    char usage[2] = {f->usage ? f->usage : 'P', '\0'};
    const struct xd_slice vals[16] = {
        XD_SLICE_LIT("00"),        XD_SLICE_LIT("          "),
        XD_SLICE_LIT("00"),        XD_SLICE_LIT("          "),
        xd_slice_from_cstr(sq),    xd_slice_from_cstr(sid),
        xd_slice_from_cstr(rq),    xd_slice_from_cstr(rid),
        xd_slice_from_cstr(date),  xd_slice_from_cstr(time),
        xd_slice_from_cstr(rep),   xd_slice_from_cstr(ver),
        xd_slice_from_cstr(ctl),   f->ack_requested ? XD_SLICE_LIT("1") : XD_SLICE_LIT("0"),
        xd_slice_from_cstr(usage), xd_slice_from_cstr(comp)};
    return xd_x12__put_segment(out, d, newline, "ISA", vals, 16, err);
}

/* ---- The envelope writer ------------------------------------------------------------------- */

enum wstate { W_INTERCHANGE, W_GROUP, W_SET, W_DONE };

struct xd_x12_writer {
    struct xd_buf *out;
    struct xd_x12_delims d;
    bool newline;
    enum wstate state;
    uint64_t isa_control, groups;
    uint64_t gs_control, sets;
    char st_control[XD_X12_CONTROL_MAX];
    uint64_t segments;
    char date[9], time[5];
    char sender[16], receiver[16];
};

void xd_x12__writer_mark(const struct xd_x12_writer *w, struct xd_x12__writer_mark *m)
{
    m->len = w->out->len;
    m->state = (unsigned)w->state;
    m->groups = w->groups;
    m->gs_control = w->gs_control;
    m->sets = w->sets;
    m->segments = w->segments;
    memcpy(m->st_control, w->st_control, sizeof m->st_control);
}

void xd_x12__writer_rewind(struct xd_x12_writer *w, const struct xd_x12__writer_mark *m)
{
    if (m->len <= w->out->len) {
        w->out->len = m->len;
        if (w->out->data != NULL) {
            w->out->data[m->len] = '\0';
        }
    }
    w->state = (enum wstate)m->state;
    w->groups = m->groups;
    w->gs_control = m->gs_control;
    w->sets = m->sets;
    w->segments = m->segments;
    memcpy(w->st_control, m->st_control, sizeof w->st_control);
}

void xd_x12__writer_ids(const struct xd_x12_writer *w, const char **sender, const char **receiver)
{
    *sender = w->sender;
    *receiver = w->receiver;
}

const struct xd_x12_delims *xd_x12__writer_delims(const struct xd_x12_writer *w)
{
    return &w->d;
}

struct xd_x12_stamp xd_x12_stamp(int64_t epoch_ms)
{
    char iso[XD_TIME_STR_MAX]; /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
    xd_time_format(epoch_ms, iso, sizeof iso);
    struct xd_x12_stamp st;
    snprintf(st.date, sizeof st.date, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
    snprintf(st.time, sizeof st.time, "%.2s%.2s", iso + 11, iso + 14);
    return st;
}

enum xd_status xd_x12_writer_create(const struct xd_x12_writer_options *opt, struct xd_buf *out,
                                    struct xd_x12_writer **w, struct xd_error *err)
{
    struct xd_x12_delims d = opt->delims;
    if (d.element == 0 && d.component == 0 && d.segment == 0) {
        d = default_delims;
    }
    if (!xd_x12__delims_usable(&d)) {
        return xd_error_set(err, XD_EINVAL,
                            "delimiters must be distinct single bytes that are not letters, "
                            "digits or blanks");
    }
    struct xd_x12__isa_fields f = {opt->sender_qualifier,
                                   opt->sender_id,
                                   opt->receiver_qualifier,
                                   opt->receiver_id,
                                   opt->date,
                                   opt->time,
                                   opt->isa_version,
                                   opt->isa_control,
                                   opt->ack_requested,
                                   opt->usage};
    if (f.sender_qualifier == NULL || f.sender_id == NULL || f.receiver_qualifier == NULL ||
        f.receiver_id == NULL) {
        return xd_error_set(err, XD_EINVAL, "sender and receiver qualifiers and IDs are required");
    }
    struct xd_x12_writer *wr = xd_calloc(1, sizeof *wr);
    if (wr == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = xd_x12__put_isa(out, &d, opt->newline, &f, err);
    if (st != XD_OK) {
        xd_free(wr);
        return st;
    }
    wr->out = out;
    wr->d = d;
    wr->newline = opt->newline;
    wr->isa_control = opt->isa_control;
    snprintf(wr->date, sizeof wr->date, "%s", opt->date);
    snprintf(wr->time, sizeof wr->time, "%.4s", opt->time);
    snprintf(wr->sender, sizeof wr->sender, "%s", opt->sender_id);
    snprintf(wr->receiver, sizeof wr->receiver, "%s", opt->receiver_id);
    *w = wr;
    return XD_OK;
}

void xd_x12_writer_destroy(struct xd_x12_writer *w)
{
    xd_free(w);
}

static enum xd_status wrong_state(struct xd_error *err, const char *what)
{
    return xd_error_set(err, XD_EINVAL, "%s is not allowed here", what);
}

enum xd_status xd_x12_writer_group_begin(struct xd_x12_writer *w, const char *functional_id,
                                         const char *app_sender, const char *app_receiver,
                                         uint64_t control, const char *version,
                                         struct xd_error *err)
{
    if (w->state != W_INTERCHANGE) {
        return wrong_state(err, "GS");
    }
    if (control == 0 || control > 999999999) {
        return xd_error_set(err, XD_EINVAL, "GS06 must be 1 to 999999999");
    }
    size_t ls = app_sender ? strlen(app_sender) : 0, lr = app_receiver ? strlen(app_receiver) : 0;
    if (ls < GS_ID_MIN || ls > GS_ID_MAX || lr < GS_ID_MIN || lr > GS_ID_MAX) {
        return xd_error_set(err, XD_EINVAL,
                            "GS02 '%s' and GS03 '%s' must be %d to %d characters (the ISA IDs "
                            "unless application IDs are given)",
                            app_sender ? app_sender : "", app_receiver ? app_receiver : "",
                            GS_ID_MIN, GS_ID_MAX);
    }
    char ctl[12];
    snprintf(ctl, sizeof ctl, "%llu", (unsigned long long)control);
    const struct xd_slice vals[8] = {xd_slice_from_cstr(functional_id),
                                     xd_slice_from_cstr(app_sender),
                                     xd_slice_from_cstr(app_receiver),
                                     xd_slice_from_cstr(w->date),
                                     xd_slice_from_cstr(w->time),
                                     xd_slice_from_cstr(ctl),
                                     XD_SLICE_LIT("X"),
                                     xd_slice_from_cstr(version ? version : "004010")};
    enum xd_status st = xd_x12__put_segment(w->out, &w->d, w->newline, "GS", vals, 8, err);
    if (st == XD_OK) {
        w->state = W_GROUP;
        w->gs_control = control;
        w->sets = 0;
    }
    return st;
}

enum xd_status xd_x12_writer_set_begin(struct xd_x12_writer *w, const char *set_id,
                                       uint64_t control, const char *convention,
                                       struct xd_error *err)
{
    if (w->state != W_GROUP) {
        return wrong_state(err, "ST");
    }
    if (control == 0 || control > 999999999) {
        return xd_error_set(err, XD_EINVAL, "ST02 must be 1 to 999999999");
    }
    snprintf(w->st_control, sizeof w->st_control, "%04llu", (unsigned long long)control);
    const struct xd_slice vals[3] = {xd_slice_from_cstr(set_id), xd_slice_from_cstr(w->st_control),
                                     xd_slice_from_cstr(convention)};
    enum xd_status st = xd_x12__put_segment(w->out, &w->d, w->newline, "ST", vals, 3, err);
    if (st == XD_OK) {
        w->state = W_SET;
        w->segments = 1;
    }
    return st;
}

enum xd_status xd_x12_writer_segment(struct xd_x12_writer *w, const char *id,
                                     const struct xd_slice *values, size_t n, struct xd_error *err)
{
    if (w->state != W_SET) {
        return wrong_state(err, id);
    }
    enum xd_status st = xd_x12__put_segment(w->out, &w->d, w->newline, id, values, n, err);
    w->segments += st == XD_OK ? 1 : 0;
    return st;
}

enum xd_status xd_x12_writer_set_end(struct xd_x12_writer *w, struct xd_error *err)
{
    if (w->state != W_SET) {
        return wrong_state(err, "SE");
    }
    char count[24];
    snprintf(count, sizeof count, "%llu", (unsigned long long)(w->segments + 1));
    const struct xd_slice vals[2] = {xd_slice_from_cstr(count), xd_slice_from_cstr(w->st_control)};
    enum xd_status st = xd_x12__put_segment(w->out, &w->d, w->newline, "SE", vals, 2, err);
    if (st == XD_OK) {
        w->state = W_GROUP;
        w->sets++;
    }
    return st;
}

enum xd_status xd_x12_writer_group_end(struct xd_x12_writer *w, struct xd_error *err)
{
    if (w->state != W_GROUP) {
        return wrong_state(err, "GE");
    }
    char count[24], ctl[12];
    snprintf(count, sizeof count, "%llu", (unsigned long long)w->sets);
    snprintf(ctl, sizeof ctl, "%llu", (unsigned long long)w->gs_control);
    const struct xd_slice vals[2] = {xd_slice_from_cstr(count), xd_slice_from_cstr(ctl)};
    enum xd_status st = xd_x12__put_segment(w->out, &w->d, w->newline, "GE", vals, 2, err);
    if (st == XD_OK) {
        w->state = W_INTERCHANGE;
        w->groups++;
    }
    return st;
}

enum xd_status xd_x12_writer_finish(struct xd_x12_writer *w, struct xd_error *err)
{
    if (w->state != W_INTERCHANGE) {
        return wrong_state(err, "IEA");
    }
    char count[24], ctl[12];
    snprintf(count, sizeof count, "%llu", (unsigned long long)w->groups);
    snprintf(ctl, sizeof ctl, "%09llu", (unsigned long long)w->isa_control);
    const struct xd_slice vals[2] = {xd_slice_from_cstr(count), xd_slice_from_cstr(ctl)};
    enum xd_status st = xd_x12__put_segment(w->out, &w->d, w->newline, "IEA", vals, 2, err);
    if (st == XD_OK) {
        w->state = W_DONE;
    }
    return st;
}
