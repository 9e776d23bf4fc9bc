/* SPDX-License-Identifier: MIT
 * JSON-lines logger. Each line is assembled in a stack buffer and written at once. */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"

#define LOG_LINE_MAX 4096

atomic_int xd_log__level = XD_LOG_INFO;
static atomic_int log_fd = 2;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void xd_log_set_level(enum xd_log_level level)
{
    atomic_store(&xd_log__level, (int)level);
}

void xd_log_set_fd(int fd)
{
    atomic_store(&log_fd, fd);
}

enum xd_status xd_log_level_parse(const char *name, enum xd_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum xd_log_level)i;
            return XD_OK;
        }
    }
    return XD_EINVAL;
}

static enum xd_status add_field(struct xd_buf *b, const char *key, const char *value)
{
    if (value == NULL) {
        return XD_OK;
    }
    enum xd_status st = xd_buf_printf(b, ",\"%s\":\"", key);
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, value, strlen(value));
    }
    if (st == XD_OK) {
        st = xd_buf_append_char(b, '"');
    }
    return st;
}

void xd_log_write(enum xd_log_level level, const char *component, const struct xd_log_ctx *ctx,
                  const char *fmt, ...)
{
    char msg[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) {
        snprintf(msg, sizeof msg, "(unformattable log message)");
    }
    char ts[XD_TIME_STR_MAX];
    xd_time_format(xd_now_ms(), ts, sizeof ts);

    struct xd_buf b;
    xd_buf_init(&b, 2 * LOG_LINE_MAX);
    enum xd_status st = xd_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\"", ts,
                                      level_names[level <= XD_LOG_DEBUG ? level : XD_LOG_DEBUG]);
    if (st == XD_OK) {
        st = add_field(&b, "component", component);
    }
    if (st == XD_OK && ctx != NULL) {
        st = add_field(&b, "correlation_id", ctx->correlation_id);
        if (st == XD_OK) {
            st = add_field(&b, "partner", ctx->partner);
        }
        if (st == XD_OK) {
            st = add_field(&b, "action", ctx->action);
        }
    }
    if (st == XD_OK) {
        st = add_field(&b, "msg", msg);
    }
    if (st == XD_OK) {
        st = xd_buf_append(&b, "}\n", 2);
    }
    if (st != XD_OK) {
        /* Out of memory or over the cap: say so in a fixed line rather than stay silent. */
        static const char oom[] = "{\"level\":\"error\",\"msg\":\"log line lost\"}\n";
        ssize_t w = write(atomic_load(&log_fd), oom, sizeof oom - 1);
        (void)w;
        xd_buf_cleanup(&b);
        return;
    }
    const char *p = b.data;
    size_t left = b.len;
    while (left > 0) {
        ssize_t w = write(atomic_load(&log_fd), p, left);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break; /* nowhere else to report a failing stderr */
        }
        p += w;
        left -= (size_t)w;
    }
    xd_buf_cleanup(&b);
}
