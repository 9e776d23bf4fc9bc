/* SPDX-License-Identifier: MIT
 * Small checked helpers: integer parsing with bounds (instead of atoi), whole-file reads with a
 * cap, durable file replacement. */
#ifndef XD_CORE_UTIL_H
#define XD_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

#define XD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parse all <len> bytes of <s> as a base-10 integer within [min, max]. No sign for the
 * unsigned form, no blanks. XD_EPARSE when malformed, XD_ETOOBIG when out of bounds. */
enum xd_status xd_parse_i64(const char *s, size_t len, int64_t min, int64_t max,
                            int64_t *out) XD_NODISCARD;
enum xd_status xd_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out) XD_NODISCARD;

/* Read a whole file ("-" = standard input) into <out> (initialised by the caller; its cap
 * bounds the size: XD_ETOOBIG past it). XD_ENOTFOUND, XD_EIO with a message in <err>. */
enum xd_status xd_file_read(const char *path, struct xd_buf *out,
                            struct xd_error *err) XD_NODISCARD;

/* Replace <path> durably: write a temporary file beside it, fsync it, rename over <path>,
 * fsync the directory. <mode> as for open(2). */
enum xd_status xd_file_write_atomic(const char *path, const void *data, size_t len, int mode,
                                    struct xd_error *err) XD_NODISCARD;

/* mkdir -p with <mode> for the directories it creates. */
enum xd_status xd_mkdirs(const char *path, int mode, struct xd_error *err) XD_NODISCARD;

/* fsync the directory <path> (after creating or renaming entries in it). */
enum xd_status xd_fsync_dir(const char *path, struct xd_error *err) XD_NODISCARD;

/* The value of the sample <series> (a metric name with its labels, exactly as the hub writes
 * them: 'crossdock_x_total{route="a"}') in the Prometheus text <text>, from the line that starts
 * with it and a blank; -1 when there is none. For the hub's own readers of /metrics. */
double xd_metric_value(const char *text, const char *series);

#endif
