/* SPDX-License-Identifier: MIT
 * Status names and messages, error records and diagnostic lists. */
#include "core/status.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

const char *xd_strerror(enum xd_status st)
{
    switch (st) {
#define XD_STATUS_MSG(name, value, msg)                                                            \
    case XD_##name:                                                                                \
        return msg;
        XD_STATUS_MAP(XD_STATUS_MSG)
#undef XD_STATUS_MSG
    }
    return "unknown status";
}

const char *xd_status_name(enum xd_status st)
{
    switch (st) {
#define XD_STATUS_NAME(name, value, msg)                                                           \
    case XD_##name:                                                                                \
        return #name;
        XD_STATUS_MAP(XD_STATUS_NAME)
#undef XD_STATUS_NAME
    }
    return "EUNKNOWN";
}

/* Write <fmt> into <dst>; on truncation end the text with "..." so a reader sees it was cut. */
static void format_truncating(char *dst, size_t cap, const char *fmt, va_list ap)
{
    int n = vsnprintf(dst, cap, fmt, ap);
    if (n < 0) {
        snprintf(dst, cap, "(unformattable message)");
    } else if ((size_t)n >= cap && cap > 4) {
        memcpy(dst + cap - 4, "...", 4);
    }
}

enum xd_status xd_error_setv(struct xd_error *err, enum xd_status code, const char *fmt, va_list ap)
{
    if (err == NULL) {
        return code;
    }
    err->code = code;
    format_truncating(err->message, sizeof err->message, fmt, ap);
    return code;
}

enum xd_status xd_error_set(struct xd_error *err, enum xd_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xd_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void xd_error_at(struct xd_error *err, const char *where, int64_t offset, int line)
{
    if (err == NULL) {
        return;
    }
    if (where != NULL) {
        snprintf(err->where, sizeof err->where, "%s", where);
    }
    err->offset = offset;
    err->line = line;
}

void xd_error_clear(struct xd_error *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        err->offset = -1;
    }
}

void xd_diags_init(struct xd_diags *d, size_t limit)
{
    memset(d, 0, sizeof *d);
    d->limit = limit ? limit : XD_DIAGS_DEFAULT_LIMIT;
}

void xd_diags_reset(struct xd_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        xd_free(d->items[i].code);
        xd_free(d->items[i].path);
        xd_free(d->items[i].message);
    }
    d->count = 0;
    d->dropped = 0;
    d->oom = 0;
}

void xd_diags_cleanup(struct xd_diags *d)
{
    if (d == NULL) {
        return;
    }
    xd_diags_reset(d);
    xd_free(d->items);
    d->items = NULL;
    d->cap = 0;
}

size_t xd_diags_total(const struct xd_diags *d)
{
    return d->count + d->dropped;
}

enum xd_status xd_diags_add(struct xd_diags *d, const char *code, const char *path, const char *fmt,
                            ...)
{
    if (d->count >= d->limit) {
        d->dropped++;
        return XD_OK;
    }
    if (d->count == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 8;
        struct xd_diag *n = xd_reallocarray(d->items, ncap, sizeof *n);
        if (n == NULL) {
            d->oom = 1;
            d->dropped++;
            return XD_ENOMEM;
        }
        d->items = n;
        d->cap = ncap;
    }
    char msg[XD_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    format_truncating(msg, sizeof msg, fmt, ap);
    va_end(ap);

    struct xd_diag *it = &d->items[d->count];
    it->code = xd_strdup(code ? code : "error");
    it->path = xd_strdup(path ? path : "");
    it->message = xd_strdup(msg);
    if (it->code == NULL || it->path == NULL || it->message == NULL) {
        xd_free(it->code);
        xd_free(it->path);
        xd_free(it->message);
        d->oom = 1;
        d->dropped++;
        return XD_ENOMEM;
    }
    d->count++;
    return XD_OK;
}
