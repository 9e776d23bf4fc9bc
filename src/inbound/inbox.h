/* SPDX-License-Identifier: MIT
 * File inboxes: one folder per partner that an SFTP server (or anything else) writes into.
 * A file is taken only when complete, handed to a handler that journals it, and only then moved
 * to the archive; a file that cannot be processed goes to quarantine with a reason file beside
 * it, never deleted and never retried in a loop.
 *
 * Layout under the data directory (a partner's folder can be an SFTP chroot: it and its parents
 * are not writable by the partner, only inbox/ and outbox/ inside it are):
 *   partners/<partner>/inbox/        files arrive here
 *   partners/<partner>/outbox/       files for the partner to collect
 *   archive/<partner>/<YYYY-MM-DD>/  processed files, outside the partner's reach
 *   quarantine/<partner>/            refused files, each with <name>.reason.txt
 *
 * Threads: one inbox thread owns the inotify descriptor and all state below; the handler runs
 * on it. Start and stop are called from the owner of the struct. */
#ifndef XD_INBOUND_INBOX_H
#define XD_INBOUND_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct xd_inbox;

/* A complete file, read into memory for the handler. */
struct xd_inbox_file {
    const char *partner; /* the folder name under partners/ */
    const char *name;    /* file name inside inbox/ */
    const char *path;    /* full path */
    const char *data;    /* contents (not NUL-terminated), valid during the call */
    size_t len;
    int64_t mtime_ms;
    uint8_t sha256[XD_SHA256_LEN];
};

enum xd_inbox_verdict {
    XD_INBOX_ACCEPTED, /* journaled durably: move to the archive */
    XD_INBOX_REJECTED, /* the file itself is bad: quarantine with the reason */
    XD_INBOX_RETRY,    /* not the file's fault (storage down): leave it, try again later */
};

/* Decide what happens to a file; write a one-line reason for REJECTED and RETRY. */
typedef enum xd_inbox_verdict (*xd_inbox_handler_fn)(void *arg, const struct xd_inbox_file *f,
                                                     char *reason, size_t reason_cap);

struct xd_inbox_options {
    const char *data_dir;
    size_t max_file_bytes; /* larger files are quarantined unread (default 64 MiB) */
    int quiet_ms;          /* a file seen only as created must stay unchanged this long (2000) */
    int rescan_ms;         /* full rescan of every inbox, catching lost events (5000) */
    int retry_ms;          /* first wait after RETRY, doubling to 60 s (1000) */
    xd_inbox_handler_fn handler;
    void *arg;
};

void xd_inbox_options_init(struct xd_inbox_options *o, const char *data_dir);

/* Create partners/<partner>/{inbox,outbox}. <partner> must be a plain name (no '/', not '.' or
 * '..'). Idempotent. */
enum xd_status xd_inbox_ensure_partner(const char *data_dir, const char *partner,
                                       struct xd_error *err) XD_NODISCARD;

/* Start watching every partners/<p>/inbox (folders created later are picked up). Files
 * already present are processed once they are quiet. */
enum xd_status xd_inbox_start(const struct xd_inbox_options *o, struct xd_inbox **out,
                              struct xd_error *err) XD_NODISCARD;
/* Finish the file being processed, stop the thread. NULL-safe. */
void xd_inbox_stop(struct xd_inbox *ib);

struct xd_inbox_stats {
    uint64_t accepted, rejected, retried;
};
void xd_inbox_stats(struct xd_inbox *ib, struct xd_inbox_stats *out);

#endif
