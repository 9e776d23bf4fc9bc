/* SPDX-License-Identifier: MIT
 * Status codes and error records shared by every part of Crossdock.
 * Fallible functions return enum xd_status (XD_OK or a negative XD_E... code); details a caller
 * or a sender needs go in an optional struct xd_error (one error) or struct xd_diags (all of
 * them, for validators that must report every problem, not only the first). */
#ifndef XD_CORE_STATUS_H
#define XD_CORE_STATUS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define XD_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#define XD_NODISCARD                __attribute__((warn_unused_result))

/* Name, value, message. The table is the one definition of every status. */
#define XD_STATUS_MAP(X)                                                                           \
    X(OK, 0, "success")                                                                            \
    X(ENOMEM, -1, "out of memory")                                                                 \
    X(EINVAL, -2, "invalid argument")                                                              \
    X(EIO, -3, "input/output error")                                                               \
    X(ETOOBIG, -4, "too large")                                                                    \
    X(EPARSE, -5, "malformed input")                                                               \
    X(EAGAIN, -6, "try again later")                                                               \
    X(ENOTFOUND, -7, "not found")                                                                  \
    X(EEXIST, -8, "already exists")                                                                \
    X(ECONFLICT, -9, "conflicts with an earlier request")                                          \
    X(EDECLINED, -10, "declined")                                                                  \
    X(EUNAVAIL, -11, "service unavailable")                                                        \
    X(EPERM, -12, "permission denied")                                                             \
    X(ECORRUPT, -13, "data is corrupt")                                                            \
    X(ECLOSED, -14, "closed")                                                                      \
    X(ETIMEOUT, -15, "timed out")                                                                  \
    X(EUNSUPPORTED, -16, "not supported")                                                          \
    X(EINVALDOC, -17, "document is invalid")

enum xd_status {
#define XD_STATUS_ENUM(name, value, msg) XD_##name = (value),
    XD_STATUS_MAP(XD_STATUS_ENUM)
#undef XD_STATUS_ENUM
};

/* Human text and symbolic name ("EPARSE") of a status; never NULL. */
const char *xd_strerror(enum xd_status st);
const char *xd_status_name(enum xd_status st);

#define XD_ERROR_MESSAGE_MAX 256
#define XD_ERROR_WHERE_MAX   160

/* One error with the position a sender needs. Members are public; a zeroed struct is empty.
 * <where> is a path in the format's own terms: "$.lines[2].quantity", "line 14", "ISA13". */
struct xd_error {
    enum xd_status code;
    char message[XD_ERROR_MESSAGE_MAX];
    char where[XD_ERROR_WHERE_MAX];
    int64_t offset; /* byte offset in the input, -1 when unknown */
    int line;       /* 1-based line, 0 when unknown */
};

/* Fill <err> (may be NULL) and return <code>, so `return xd_error_set(err, XD_EIO, ...)` reads
 * as one statement. The message is truncated with "..." rather than overflowing. */
enum xd_status xd_error_set(struct xd_error *err, enum xd_status code, const char *fmt, ...)
    XD_PRINTF(3, 4);
enum xd_status xd_error_setv(struct xd_error *err, enum xd_status code, const char *fmt, va_list ap)
    XD_PRINTF(3, 0);
/* Set the position part of <err> (NULL-safe); <where> may be NULL. */
void xd_error_at(struct xd_error *err, const char *where, int64_t offset, int line);
void xd_error_clear(struct xd_error *err);

/* A list of problems, each with a machine code, a path and a reason. Capped: past <limit>
 * entries only `dropped` grows, so hostile input cannot make the list unbounded. */
struct xd_diag {
    char *code;    /* short stable identifier, e.g. "required", "max_length" */
    char *path;    /* JSON path, YAML line, segment position ... */
    char *message; /* the reason, for a person */
};

struct xd_diags {
    struct xd_diag *items;
    size_t count;
    size_t cap;
    size_t limit;
    size_t dropped;
    int oom; /* set when an entry could not be recorded for lack of memory */
};

#define XD_DIAGS_DEFAULT_LIMIT 200

void xd_diags_init(struct xd_diags *d, size_t limit);
void xd_diags_cleanup(struct xd_diags *d);
void xd_diags_reset(struct xd_diags *d);
/* Add one problem. Returns XD_OK, or XD_ENOMEM (also recorded in d->oom). Past the limit the
 * entry is counted in `dropped` and XD_OK is returned. */
enum xd_status xd_diags_add(struct xd_diags *d, const char *code, const char *path, const char *fmt,
                            ...) XD_PRINTF(4, 5);
/* Total problems seen, recorded or dropped. */
size_t xd_diags_total(const struct xd_diags *d);

#endif
