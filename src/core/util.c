/* SPDX-License-Identifier: MIT
 * Checked parsing and small file helpers. */
#include "core/util.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/check.h"
#include "core/log.h"

_Noreturn void xd__bug(const char *file, int line, const char *cond)
{
    xd_log_write(XD_LOG_ERROR, "bug", NULL, "internal invariant broken at %s:%d: %s", file, line,
                 cond);
    abort();
}

enum xd_status xd_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    if (len == 0) {
        return XD_EPARSE;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return XD_EPARSE;
        }
        if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10) {
            return XD_ETOOBIG;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max) {
        return XD_ETOOBIG;
    }
    *out = v;
    return XD_OK;
}

enum xd_status xd_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    int neg = len > 0 && s[0] == '-';
    uint64_t mag;
    enum xd_status st = xd_parse_u64(s + neg, len - (size_t)neg, (uint64_t)INT64_MAX + 1, &mag);
    if (st != XD_OK) {
        return st;
    }
    int64_t v;
    if (neg) {
        v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else if (mag > (uint64_t)INT64_MAX) {
        return XD_ETOOBIG;
    } else {
        v = (int64_t)mag;
    }
    if (v < min || v > max) {
        return XD_ETOOBIG;
    }
    *out = v;
    return XD_OK;
}

enum xd_status xd_file_read(const char *path, struct xd_buf *out, struct xd_error *err)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return xd_error_set(err, e == ENOENT ? XD_ENOTFOUND : XD_EIO, "%s: %s", path, strerror(e));
    }
    enum xd_status st = XD_OK;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            st = xd_error_set(err, XD_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (n == 0) {
            break;
        }
        st = xd_buf_append(out, chunk, (size_t)n);
        if (st == XD_ETOOBIG) {
            xd_error_set(err, st, "%s: larger than the limit of %zu bytes", path, out->max);
            break;
        }
        if (st != XD_OK) {
            xd_error_set(err, st, "%s: %s", path, xd_strerror(st));
            break;
        }
    }
    if (fd != STDIN_FILENO) {
        close(fd);
    }
    return st;
}

static enum xd_status write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return XD_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return XD_OK;
}

enum xd_status xd_fsync_dir(const char *path, struct xd_error *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return xd_error_set(err, XD_EIO, "open directory %s: %s", path, strerror(errno));
    }
    enum xd_status st = XD_OK;
    if (fsync(fd) != 0) {
        st = xd_error_set(err, XD_EIO, "fsync directory %s: %s", path, strerror(errno));
    }
    close(fd);
    return st;
}

enum xd_status xd_file_write_atomic(const char *path, const void *data, size_t len, int mode,
                                    struct xd_error *err)
{
    char tmp[PATH_MAX];
    char dir[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        return xd_error_set(err, XD_ETOOBIG, "path too long: %s", path);
    }
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == dir) {
        slash[1] = '\0';
    } else {
        *slash = '\0';
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        return xd_error_set(err, XD_EIO, "create %s: %s", tmp, strerror(errno));
    }
    enum xd_status st = write_all(fd, data, len);
    if (st != XD_OK) {
        xd_error_set(err, st, "write %s: %s", tmp, strerror(errno));
    } else if (fsync(fd) != 0) {
        st = xd_error_set(err, XD_EIO, "fsync %s: %s", tmp, strerror(errno));
    }
    close(fd);
    if (st == XD_OK && rename(tmp, path) != 0) {
        st = xd_error_set(err, XD_EIO, "rename %s: %s", path, strerror(errno));
    }
    if (st != XD_OK) {
        unlink(tmp);
        return st;
    }
    return xd_fsync_dir(dir, err);
}

enum xd_status xd_mkdirs(const char *path, int mode, struct xd_error *err)
{
    char p[PATH_MAX];
    int n = snprintf(p, sizeof p, "%s", path);
    if (n < 0 || (size_t)n >= sizeof p) {
        return xd_error_set(err, XD_ETOOBIG, "path too long: %s", path);
    }
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') {
            continue;
        }
        *s = '\0';
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
            return xd_error_set(err, XD_EIO, "mkdir %s: %s", p, strerror(errno));
        }
        *s = '/';
    }
    if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
        return xd_error_set(err, XD_EIO, "mkdir %s: %s", p, strerror(errno));
    }
    struct stat sb;
    if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        return xd_error_set(err, XD_EIO, "%s exists and is not a directory", p);
    }
    return XD_OK;
}

double xd_metric_value(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *at = strstr(text, series); at != NULL; at = strstr(at + 1, series)) {
        if ((at == text || at[-1] == '\n') && at[n] == ' ') {
            return strtod(at + n + 1, NULL);
        }
    }
    return -1;
}
