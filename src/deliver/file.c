/* SPDX-License-Identifier: MIT
 * The file outbox adapter: a message becomes a file in <partners_dir>/<partner>/outbox/, the
 * folder the partner collects from (src/inbound/inbox.h: partners/<partner>/ can be an SFTP
 * chroot, with inbox/ and outbox/ inside). A file appears only complete: it is
 * written as a dot-file ending in .part, fsynced, renamed into place and the folder fsynced, so
 * a collector never sees half a message and a crash never loses an acknowledged one. Names
 * start with the zero-padded outbox seq, so sorting by name is delivery order; writing the same
 * message again (a retry after a crash) replaces the same name.
 * Runs on a worker thread; shares nothing. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "deliver/deliver_int.h"

static const struct {
    const char *media_type;
    const char *ext;
} extensions[] = {
    {"application/json", "json"},
    {"application/edi-x12", "x12"},
    {"application/edifact", "edi"},
    {"application/edi-edifact", "edi"},
    {"text/csv", "csv"},
    {"application/xml", "xml"},
    {"text/xml", "xml"},
    {"text/plain", "txt"},
};

static const char *extension(const char *content_type)
{
    size_t n = strcspn(content_type, "; \t");
    for (size_t i = 0; i < XD_ARRAY_LEN(extensions); i++) {
        if (strlen(extensions[i].media_type) == n &&
            strncasecmp(content_type, extensions[i].media_type, n) == 0) {
            return extensions[i].ext;
        }
    }
    return "bin";
}

enum xd_status xd_deliver__file_name(int64_t seq, const char *endpoint, const char *id,
                                     const char *content_type, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%020lld-%s-%s.%s", (long long)seq, endpoint, id,
                     extension(content_type));
    return n > 0 && (size_t)n < cap ? XD_OK : XD_ETOOBIG;
}

static enum xd_status write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return XD_EIO;
        }
        p += w;
        len -= (size_t)w;
    }
    return XD_OK;
}

enum xd_status xd_deliver__file_write(const char *dir, const char *name, const void *data,
                                      size_t len, struct xd_error *err)
{
    /* The same mode as the inbox's folders (inbox.c), whichever creates them first. */
    enum xd_status st = xd_mkdirs(dir, 0755, err);
    if (st != XD_OK) {
        return st;
    }
    char tmp[4096];
    char final[4096];
    int a = snprintf(tmp, sizeof tmp, "%s/.%s.part", dir, name);
    int b = snprintf(final, sizeof final, "%s/%s", dir, name);
    if (a < 0 || (size_t)a >= sizeof tmp || b < 0 || (size_t)b >= sizeof final) {
        return xd_error_set(err, XD_ETOOBIG, "file outbox path too long");
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        return xd_error_set(err, XD_EIO, "cannot create %s: %s", tmp, strerror(errno));
    }
    st = write_all(fd, data, len);
    int e = errno;
    if (st == XD_OK && fsync(fd) != 0) {
        st = XD_EIO;
        e = errno;
    }
    if (close(fd) != 0 && st == XD_OK) {
        st = XD_EIO;
        e = errno;
    }
    if (st == XD_OK && rename(tmp, final) != 0) {
        st = XD_EIO;
        e = errno;
    }
    if (st != XD_OK) {
        unlink(tmp);
        return xd_error_set(err, st, "writing %s: %s", final, strerror(e));
    }
    return xd_fsync_dir(dir, err);
}
