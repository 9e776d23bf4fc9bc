/* SPDX-License-Identifier: MIT
 * Structured logging: one JSON object per line on stderr, written with one write(2) so lines
 * from different threads never interleave. The level is tested before any argument is
 * evaluated. Never pass a secret as an argument: log its name, not its value. */
#ifndef XD_CORE_LOG_H
#define XD_CORE_LOG_H

#include <stdatomic.h>
#include <stdbool.h>

#include "core/status.h"

enum xd_log_level {
    XD_LOG_ERROR = 0,
    XD_LOG_WARN = 1,
    XD_LOG_INFO = 2,
    XD_LOG_DEBUG = 3,
};

/* What the line is about; every member optional. */
struct xd_log_ctx {
    const char *correlation_id;
    const char *partner;
    const char *action;
};

/* Private: the current level, read by xd_log_enabled. */
extern atomic_int xd_log__level;

static inline bool xd_log_enabled(enum xd_log_level level)
{
    return (int)level <= atomic_load_explicit(&xd_log__level, memory_order_relaxed);
}

void xd_log_set_level(enum xd_log_level level);
/* "error", "warn", "info", "debug"; XD_EINVAL for anything else. */
enum xd_status xd_log_level_parse(const char *name, enum xd_log_level *out);
/* Send lines to <fd> instead of stderr (tests). */
void xd_log_set_fd(int fd);

void xd_log_write(enum xd_log_level level, const char *component, const struct xd_log_ctx *ctx,
                  const char *fmt, ...) XD_PRINTF(4, 5);

#define XD_LOG(level, component, ctx, ...)                                                         \
    do {                                                                                           \
        if (xd_log_enabled(level)) {                                                               \
            xd_log_write((level), (component), (ctx), __VA_ARGS__);                                \
        }                                                                                          \
    } while (0)

#define XD_LOG_ERROR(component, ctx, ...) XD_LOG(XD_LOG_ERROR, component, ctx, __VA_ARGS__)
#define XD_LOG_WARN(component, ctx, ...)  XD_LOG(XD_LOG_WARN, component, ctx, __VA_ARGS__)
#define XD_LOG_INFO(component, ctx, ...)  XD_LOG(XD_LOG_INFO, component, ctx, __VA_ARGS__)
#define XD_LOG_DEBUG(component, ctx, ...) XD_LOG(XD_LOG_DEBUG, component, ctx, __VA_ARGS__)

#endif
