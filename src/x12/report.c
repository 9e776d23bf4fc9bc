/* SPDX-License-Identifier: MIT
 * Validation reports: a capped list of problems and their one-line rendering. */
#include <string.h>

#include "x12/x12_int.h"

void xd_x12_report_init(struct xd_x12_report *rep, size_t limit)
{
    memset(rep, 0, sizeof *rep);
    rep->limit = limit ? limit : XD_X12_DEFAULT_MAX_ERRORS;
    rep->encoding = "ascii";
}

void xd_x12_report_cleanup(struct xd_x12_report *rep)
{
    if (rep == NULL) {
        return;
    }
    xd_free(rep->items);
    rep->items = NULL;
    rep->count = 0;
    rep->cap = 0;
}

enum xd_status xd_x12__report_add(struct xd_x12_report *rep, const struct xd_x12_error *e)
{
    switch (e->severity) {
    case XD_X12_ERROR:
        rep->errors++;
        break;
    case XD_X12_WARNING:
        rep->warnings++;
        break;
    default:
        rep->notices++;
        break;
    }
    if (rep->count >= rep->limit) {
        rep->dropped++;
        return XD_OK;
    }
    if (rep->count == rep->cap) {
        size_t ncap = rep->cap ? rep->cap * 2 : 16;
        struct xd_x12_error *n = xd_reallocarray(rep->items, ncap, sizeof *n);
        if (n == NULL) {
            return XD_ENOMEM;
        }
        rep->items = n;
        rep->cap = ncap;
    }
    rep->items[rep->count++] = *e;
    return XD_OK;
}

const char *xd_x12__deviation_name(enum xd_x12__deviation d)
{
    static const char *const names[XD_X12__DEV_COUNT] = {"",         "relational", "delimiter",
                                                         "obsolete", "order",      "group",
                                                         "totals",   "duplicate",  "terminator"};
    return (size_t)d < XD_X12__DEV_COUNT ? names[d] : "";
}

const char *xd_x12_error_ack_segment(const struct xd_x12_error *e)
{
    static const char *const names[] = {"TA1", "AK9", "AK5", "AK3", "AK4"};
    return (size_t)e->level < XD_ARRAY_LEN(names) ? names[e->level] : "?";
}

static const char *severity_name(enum xd_x12_severity s)
{
    return s == XD_X12_ERROR ? "error" : (s == XD_X12_WARNING ? "warning" : "notice");
}

enum xd_status xd_x12_error_format(const struct xd_x12_error *e, struct xd_buf *out)
{
    enum xd_status st = xd_buf_printf(out, "%s:", severity_name(e->severity));
    if (st == XD_OK && e->interchange_control[0]) {
        st = xd_buf_printf(out, " ISA %s", e->interchange_control);
    }
    if (st == XD_OK && e->group_control[0]) {
        st = xd_buf_printf(out, " GS %s", e->group_control);
    }
    if (st == XD_OK && e->set_control[0]) {
        st = xd_buf_printf(out, " ST %s %s", e->set_id, e->set_control);
    }
    if (st == XD_OK && e->segment_id[0]) {
        if (e->segment_position > 0) {
            st = xd_buf_printf(out, " segment %llu %s", (unsigned long long)e->segment_position,
                               e->segment_id);
        } else {
            st = xd_buf_printf(out, " %s", e->segment_id);
        }
    }
    if (st == XD_OK && e->element > 0) {
        st = xd_buf_printf(out, " %s%02u", e->segment_id, e->element);
        if (st == XD_OK && e->component > 0) {
            st = xd_buf_printf(out, "-%u", e->component);
        }
        if (st == XD_OK && e->repetition > 1) {
            st = xd_buf_printf(out, " (repetition %u)", e->repetition);
        }
    }
    if (st == XD_OK) {
        st = xd_buf_printf(out, " (byte %llu): %s", (unsigned long long)e->offset, e->message);
    }
    if (st == XD_OK && e->value[0]) {
        st = xd_buf_append_str(out, " [\"");
        if (st == XD_OK) {
            st = xd_buf_append_json_str(out, e->value, strlen(e->value));
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(out, "\"]");
        }
    }
    if (st == XD_OK && e->code != NULL && e->code[0]) {
        st = xd_buf_printf(out, " (%s %s%s%s)", xd_x12_error_ack_segment(e), e->code,
                           e->deviation && e->deviation[0] ? ", " : "",
                           e->deviation ? e->deviation : "");
    }
    return st;
}
