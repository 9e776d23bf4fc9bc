/* SPDX-License-Identifier: MIT
 * The inbox watcher. Completion rules: a file closed after writing (IN_CLOSE_WRITE) or renamed
 * into the inbox (IN_MOVED_TO) is complete at once. A file that only appears (IN_CREATE: a hard
 * link, as OpenSSH's server makes for a plain SFTP rename, or a file found at start or by a
 * rescan) is complete when its size and mtime have not changed for quiet_ms. Temporary names
 * (.name, *.part, *.tmp, *.filepart, name~) are never taken.
 *
 * Threads: everything here belongs to the inbox thread, except `stop` and the stats counters
 * (atomics) which the owner reads. */
#include "inbound/inbox.h"

#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define INBOX_MAX_PARTNERS 1024
#define INBOX_MAX_PENDING  4096
#define INBOX_NAME_MAX     255
#define INBOX_RETRY_MAX_MS 60000
#define INBOX_REASON_MAX   512

struct watch {
    int wd;
    char partner[INBOX_NAME_MAX + 1];
};

struct pending {
    char partner[INBOX_NAME_MAX + 1];
    char name[INBOX_NAME_MAX + 1];
    bool ready;   /* complete by an event: take at once */
    int64_t size; /* last seen, for the quiet rule */
    int64_t mtime_ns;
    int64_t stable_since_ms;
    int64_t retry_at_ms; /* 0: not waiting for a retry */
    int retry_ms;
};

struct xd_inbox {
    struct xd_inbox_options o;
    char data_dir[PATH_MAX];
    int fd;
    int root_wd;
    pthread_t thread;
    atomic_int stop;
    struct watch watches[INBOX_MAX_PARTNERS];
    size_t n_watches;
    struct pending *pending;
    size_t n_pending;
    int64_t next_rescan_ms;
    atomic_uint_fast64_t accepted, rejected, retried;
};

void xd_inbox_options_init(struct xd_inbox_options *o, const char *data_dir)
{
    memset(o, 0, sizeof *o);
    o->data_dir = data_dir;
    o->max_file_bytes = 64u * 1024 * 1024;
    o->quiet_ms = 2000;
    o->rescan_ms = 5000;
    o->retry_ms = 1000;
}

static bool plain_name(const char *n)
{
    size_t len = strlen(n);
    return len > 0 && len <= INBOX_NAME_MAX && strchr(n, '/') == NULL && strcmp(n, ".") != 0 &&
           strcmp(n, "..") != 0;
}

/* Names writers use while a file is incomplete. */
static bool temporary_name(const char *n)
{
    static const char *const suffixes[] = {".part", ".tmp", ".filepart", "~"};
    if (n[0] == '.') {
        return true;
    }
    size_t len = strlen(n);
    for (size_t i = 0; i < XD_ARRAY_LEN(suffixes); i++) {
        size_t sl = strlen(suffixes[i]);
        if (len >= sl && strcmp(n + len - sl, suffixes[i]) == 0) {
            return true;
        }
    }
    return false;
}

static enum xd_status path_join(char *out, size_t cap, struct xd_error *err, const char *fmt, ...)
    XD_PRINTF(4, 5);
static enum xd_status path_join(char *out, size_t cap, struct xd_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        return xd_error_set(err, XD_ETOOBIG, "path too long");
    }
    return XD_OK;
}

enum xd_status xd_inbox_ensure_partner(const char *data_dir, const char *partner,
                                       struct xd_error *err)
{
    if (!plain_name(partner)) {
        return xd_error_set(err, XD_EINVAL, "'%s' cannot name a partner folder", partner);
    }
    char p[PATH_MAX];
    static const char *const subdirs[] = {"inbox", "outbox"};
    for (size_t i = 0; i < XD_ARRAY_LEN(subdirs); i++) {
        enum xd_status st =
            path_join(p, sizeof p, err, "%s/partners/%s/%s", data_dir, partner, subdirs[i]);
        if (st == XD_OK) {
            st = xd_mkdirs(p, 0755, err);
        }
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Watches and the pending list */

static const char *partner_of(struct xd_inbox *ib, int wd)
{
    for (size_t i = 0; i < ib->n_watches; i++) {
        if (ib->watches[i].wd == wd) {
            return ib->watches[i].partner;
        }
    }
    return NULL;
}

static void watch_partner(struct xd_inbox *ib, const char *partner)
{
    if (!plain_name(partner) || ib->n_watches == INBOX_MAX_PARTNERS) {
        return;
    }
    char p[PATH_MAX];
    if (path_join(p, sizeof p, NULL, "%s/partners/%s/inbox", ib->data_dir, partner) != XD_OK) {
        return;
    }
    int wd = inotify_add_watch(ib->fd, p,
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_ONLYDIR);
    if (wd < 0) {
        return; /* no inbox folder yet: the next rescan tries again */
    }
    if (partner_of(ib, wd) != NULL) {
        return;
    }
    struct watch *w = &ib->watches[ib->n_watches++];
    w->wd = wd;
    snprintf(w->partner, sizeof w->partner, "%s", partner);
}

static struct pending *pending_find(struct xd_inbox *ib, const char *partner, const char *name)
{
    for (size_t i = 0; i < ib->n_pending; i++) {
        if (strcmp(ib->pending[i].name, name) == 0 &&
            strcmp(ib->pending[i].partner, partner) == 0) {
            return &ib->pending[i];
        }
    }
    return NULL;
}

/* Note a file; <ready> when an event proved it complete. */
static void pending_note(struct xd_inbox *ib, const char *partner, const char *name, bool ready)
{
    if (temporary_name(name) || !plain_name(name)) {
        return;
    }
    int64_t now = xd_now_ms();
    struct pending *p = pending_find(ib, partner, name);
    if (p == NULL) {
        if (ib->n_pending == INBOX_MAX_PENDING) {
            return; /* the rescan finds it again once the backlog shrinks */
        }
        p = &ib->pending[ib->n_pending++];
        memset(p, 0, sizeof *p);
        snprintf(p->partner, sizeof p->partner, "%s", partner);
        snprintf(p->name, sizeof p->name, "%s", name);
        p->size = -1;
        p->stable_since_ms = now;
    }
    if (ready) {
        p->ready = true;
    } else if (!p->ready) {
        p->stable_since_ms = now; /* it changed: the quiet period starts again */
    }
}

static void pending_remove(struct xd_inbox *ib, struct pending *p)
{
    size_t i = (size_t)(p - ib->pending);
    ib->pending[i] = ib->pending[--ib->n_pending];
}

/* Watch every partners/<p>/inbox and note every file in them. */
static void rescan(struct xd_inbox *ib)
{
    char root[PATH_MAX];
    if (path_join(root, sizeof root, NULL, "%s/partners", ib->data_dir) != XD_OK) {
        return;
    }
    DIR *d = opendir(root);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        watch_partner(ib, e->d_name);
        char in[PATH_MAX];
        if (path_join(in, sizeof in, NULL, "%s/%s/inbox", root, e->d_name) != XD_OK) {
            continue;
        }
        DIR *f = opendir(in);
        struct dirent *fe;
        while (f != NULL && (fe = readdir(f)) != NULL) {
            /* Links too: take() quarantines them rather than leave them there forever. */
            if (fe->d_type == DT_REG || fe->d_type == DT_LNK || fe->d_type == DT_UNKNOWN) {
                if (pending_find(ib, e->d_name, fe->d_name) == NULL) {
                    pending_note(ib, e->d_name, fe->d_name, false);
                }
            }
        }
        if (f != NULL) {
            closedir(f);
        }
    }
    closedir(d);
}

static void read_events(struct xd_inbox *ib)
{
    _Alignas(struct inotify_event) char buf[16384];
    for (;;) {
        ssize_t n = read(ib->fd, buf, sizeof buf);
        if (n <= 0) {
            return;
        }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)(void *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                ib->next_rescan_ms = 0; /* events were lost: look at everything */
                continue;
            }
            if (ev->len == 0) {
                continue;
            }
            if (ev->wd == ib->root_wd) {
                if (ev->mask & IN_ISDIR) {
                    watch_partner(ib, ev->name);
                    ib->next_rescan_ms = 0;
                }
                continue;
            }
            const char *partner = partner_of(ib, ev->wd);
            if (partner == NULL || (ev->mask & IN_ISDIR)) {
                continue;
            }
            pending_note(ib, partner, ev->name, (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) != 0);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Taking a file */

/* rename <from> into <dir>/<name>, adding .1, .2 ... when the name is taken; fsync <dir>. */
static enum xd_status move_into(const char *from, const char *dir, const char *name, char *moved,
                                size_t moved_cap, struct xd_error *err)
{
    enum xd_status st = xd_mkdirs(dir, 0750, err);
    if (st != XD_OK) {
        return st;
    }
    for (int k = 0; k < 1000; k++) {
        st = k == 0 ? path_join(moved, moved_cap, err, "%s/%s", dir, name)
                    : path_join(moved, moved_cap, err, "%s/%s.%d", dir, name, k);
        if (st != XD_OK) {
            return st;
        }
        struct stat sb;
        if (lstat(moved, &sb) == 0) {
            continue;
        }
        if (rename(from, moved) != 0) {
            return xd_error_set(err, XD_EIO, "rename %s to %s: %s", from, moved, strerror(errno));
        }
        return xd_fsync_dir(dir, err);
    }
    return xd_error_set(err, XD_EEXIST, "%s: 1000 files of that name already", dir);
}

static void quarantine(struct xd_inbox *ib, const struct xd_inbox_file *f, const char *reason)
{
    char dir[PATH_MAX], moved[PATH_MAX], note_path[PATH_MAX + 16];
    struct xd_error err;
    xd_error_clear(&err);
    if (path_join(dir, sizeof dir, &err, "%s/quarantine/%s", ib->data_dir, f->partner) != XD_OK ||
        move_into(f->path, dir, f->name, moved, sizeof moved, &err) != XD_OK) {
        XD_LOG_ERROR("inbox", (&(struct xd_log_ctx){.partner = f->partner}),
                     "cannot quarantine %s (%s): %s; it stays in the inbox", f->path, reason,
                     err.message);
        return;
    }
    char ts[XD_TIME_STR_MAX], hex[XD_SHA256_HEX_LEN + 1];
    xd_time_format(xd_now_ms(), ts, sizeof ts);
    xd_hex_encode(f->sha256, XD_SHA256_LEN, hex);
    char note[INBOX_REASON_MAX + 512];
    int n = snprintf(note, sizeof note,
                     "file: %s\npartner: %s\nquarantined_at: %s\nsize: %zu\nsha256: %s\n"
                     "reason: %s\n",
                     f->name, f->partner, ts, f->len, f->data ? hex : "(not read)", reason);
    snprintf(note_path, sizeof note_path, "%s.reason.txt", moved);
    if (n < 0 || xd_file_write_atomic(note_path, note, (size_t)n, 0640, &err) != XD_OK) {
        XD_LOG_ERROR("inbox", NULL, "cannot write %s: %s", note_path, err.message);
    }
    XD_LOG_WARN("inbox", (&(struct xd_log_ctx){.partner = f->partner, .action = "quarantine"}),
                "%s quarantined as %s: %s", f->name, moved, reason);
}

static void archive(struct xd_inbox *ib, const struct xd_inbox_file *f)
{
    char dir[PATH_MAX], moved[PATH_MAX], day[XD_TIME_STR_MAX];
    xd_time_format(xd_now_ms(), day, sizeof day);
    day[10] = '\0';
    struct xd_error err;
    xd_error_clear(&err);
    if (path_join(dir, sizeof dir, &err, "%s/archive/%s/%s", ib->data_dir, f->partner, day) !=
            XD_OK ||
        move_into(f->path, dir, f->name, moved, sizeof moved, &err) != XD_OK) {
        /* Journaled already: if it stays, the next look finds it again and the journal's
         * duplicate check answers ACCEPTED without storing it twice. */
        XD_LOG_ERROR("inbox", (&(struct xd_log_ctx){.partner = f->partner}),
                     "%s was journaled but cannot be archived: %s", f->path, err.message);
    }
}

/* Read the whole file. XD_ETOOBIG past the cap; XD_ENOTFOUND when it went away. */
static enum xd_status read_file(struct xd_inbox *ib, const char *path, struct xd_buf *b,
                                struct stat *sb)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        /* ELOOP: a symbolic link (a partner can make one over SFTP, pointing anywhere outside
         * its chroot). Never followed, and not worth a retry: not a regular file. */
        return errno == ENOENT ? XD_ENOTFOUND : errno == ELOOP ? XD_EINVAL : XD_EIO;
    }
    enum xd_status st = XD_OK;
    if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
        st = XD_EINVAL;
    } else if ((uint64_t)sb->st_size > ib->o.max_file_bytes) {
        st = XD_ETOOBIG;
    }
    char chunk[65536];
    while (st == XD_OK) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            st = n == 0 ? XD_OK : XD_EIO;
            break;
        }
        st = xd_buf_append(b, chunk, (size_t)n);
    }
    close(fd);
    return st;
}

/* Take one complete file. Returns false when it must stay pending (retry or not yet quiet). */
static bool take(struct xd_inbox *ib, struct pending *p)
{
    char path[PATH_MAX];
    if (path_join(path, sizeof path, NULL, "%s/partners/%s/inbox/%s", ib->data_dir, p->partner,
                  p->name) != XD_OK) {
        return true;
    }
    struct stat sb;
    struct xd_buf b;
    xd_buf_init(&b, ib->o.max_file_bytes);
    enum xd_status st = read_file(ib, path, &b, &sb);
    struct xd_inbox_file f = {.partner = p->partner, .name = p->name, .path = path};
    if (st == XD_ENOTFOUND) {
        xd_buf_cleanup(&b);
        return true; /* gone: nothing to do */
    }
    char reason[INBOX_REASON_MAX] = "";
    enum xd_inbox_verdict v;
    if (st == XD_ETOOBIG) {
        snprintf(reason, sizeof reason, "larger than the limit of %zu bytes", ib->o.max_file_bytes);
        v = XD_INBOX_REJECTED;
    } else if (st == XD_EINVAL) {
        snprintf(reason, sizeof reason, "not a regular file");
        v = XD_INBOX_REJECTED;
    } else if (st != XD_OK) {
        snprintf(reason, sizeof reason, "cannot read: %s", xd_strerror(st));
        v = XD_INBOX_RETRY;
    } else {
        f.data = b.data ? b.data : "";
        f.len = b.len;
        f.mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
        xd_sha256(f.data, f.len, f.sha256);
        v = ib->o.handler(ib->o.arg, &f, reason, sizeof reason);
    }
    bool done = true;
    switch (v) {
    /* Counted before the file moves, so whoever sees it moved also sees it counted. */
    case XD_INBOX_ACCEPTED:
        atomic_fetch_add(&ib->accepted, 1);
        archive(ib, &f);
        break;
    case XD_INBOX_REJECTED:
        atomic_fetch_add(&ib->rejected, 1);
        quarantine(ib, &f, reason[0] ? reason : "refused");
        break;
    case XD_INBOX_RETRY:
        p->retry_ms = p->retry_ms ? p->retry_ms * 2 : ib->o.retry_ms;
        if (p->retry_ms > INBOX_RETRY_MAX_MS) {
            p->retry_ms = INBOX_RETRY_MAX_MS;
        }
        p->retry_at_ms = xd_now_ms() + p->retry_ms;
        atomic_fetch_add(&ib->retried, 1);
        XD_LOG_WARN("inbox", (&(struct xd_log_ctx){.partner = p->partner}),
                    "%s left in the inbox, retry in %d ms: %s", p->name, p->retry_ms, reason);
        done = false;
        break;
    }
    xd_buf_cleanup(&b);
    return done;
}

/* Is a file noted only as created still changing? Updates the quiet-period bookkeeping. */
static bool quiet(struct xd_inbox *ib, struct pending *p, int64_t now)
{
    char path[PATH_MAX];
    struct stat sb;
    if (path_join(path, sizeof path, NULL, "%s/partners/%s/inbox/%s", ib->data_dir, p->partner,
                  p->name) != XD_OK ||
        lstat(path, &sb) != 0) {
        return true; /* gone or unreachable: take() finds out and drops it */
    }
    int64_t mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
    if (sb.st_size != p->size || mtime != p->mtime_ns) {
        p->size = sb.st_size;
        p->mtime_ns = mtime;
        p->stable_since_ms = now;
        return false;
    }
    return now - p->stable_since_ms >= ib->o.quiet_ms;
}

static void process_due(struct xd_inbox *ib)
{
    int64_t now = xd_now_ms();
    for (size_t i = 0; i < ib->n_pending && !atomic_load(&ib->stop);) {
        struct pending *p = &ib->pending[i];
        bool due = p->retry_at_ms != 0 ? now >= p->retry_at_ms : (p->ready || quiet(ib, p, now));
        if (due && take(ib, p)) {
            pending_remove(ib, p); /* the last entry moved into slot i: look at it next */
            continue;
        }
        i++;
    }
}

static void *inbox_main(void *arg)
{
    pthread_setname_np(pthread_self(), "xd-inbox"); /* shown by top -H, perf, gdb */
    struct xd_inbox *ib = arg;
    while (!atomic_load(&ib->stop)) {
        int64_t now = xd_now_ms();
        if (now >= ib->next_rescan_ms) {
            rescan(ib);
            ib->next_rescan_ms = now + ib->o.rescan_ms;
        }
        process_due(ib);
        struct pollfd pfd = {.fd = ib->fd, .events = POLLIN};
        int timeout = ib->n_pending > 0 ? 100 : 250;
        if (poll(&pfd, 1, timeout) > 0) {
            read_events(ib);
        }
    }
    return NULL;
}

enum xd_status xd_inbox_start(const struct xd_inbox_options *o, struct xd_inbox **out,
                              struct xd_error *err)
{
    if (o->handler == NULL || o->data_dir == NULL) {
        return xd_error_set(err, XD_EINVAL, "inbox: a data directory and a handler are needed");
    }
    struct xd_inbox *ib = xd_calloc(1, sizeof *ib);
    struct pending *pend = xd_calloc(INBOX_MAX_PENDING, sizeof *pend);
    if (ib == NULL || pend == NULL) {
        xd_free(ib);
        xd_free(pend);
        return xd_error_set(err, XD_ENOMEM, "inbox: out of memory");
    }
    ib->o = *o;
    ib->pending = pend;
    snprintf(ib->data_dir, sizeof ib->data_dir, "%s", o->data_dir);
    char root[PATH_MAX];
    enum xd_status st = path_join(root, sizeof root, err, "%s/partners", ib->data_dir);
    if (st == XD_OK) {
        st = xd_mkdirs(root, 0755, err);
    }
    ib->fd = st == XD_OK ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
    if (st == XD_OK && ib->fd < 0) {
        st = xd_error_set(err, XD_EIO, "inotify: %s", strerror(errno));
    }
    if (st == XD_OK) {
        ib->root_wd = inotify_add_watch(ib->fd, root, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
        if (ib->root_wd < 0) {
            st = xd_error_set(err, XD_EIO, "watch %s: %s", root, strerror(errno));
        }
    }
    if (st == XD_OK && pthread_create(&ib->thread, NULL, inbox_main, ib) != 0) {
        st = xd_error_set(err, XD_EIO, "inbox: cannot start its thread");
    }
    if (st != XD_OK) {
        if (ib->fd >= 0) {
            close(ib->fd);
        }
        xd_free(pend);
        xd_free(ib);
        return st;
    }
    *out = ib;
    return XD_OK;
}

void xd_inbox_stop(struct xd_inbox *ib)
{
    if (ib == NULL) {
        return;
    }
    atomic_store(&ib->stop, 1);
    pthread_join(ib->thread, NULL);
    close(ib->fd);
    xd_free(ib->pending);
    xd_free(ib);
}

void xd_inbox_stats(struct xd_inbox *ib, struct xd_inbox_stats *out)
{
    out->accepted = atomic_load(&ib->accepted);
    out->rejected = atomic_load(&ib->rejected);
    out->retried = atomic_load(&ib->retried);
}
