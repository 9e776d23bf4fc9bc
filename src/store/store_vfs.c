/* SPDX-License-Identifier: MIT
 * SQLite VFS shims: the pass-through both shims are made of, and the write-ahead log writer.
 *
 * SQLite appends a transaction to the WAL two writes per page, a 24-byte frame header and then
 * the page: a commit of 60 pages is 120 system calls, a third of the store writer's time in
 * bench/ingest (docs/performance.md, session 9). The WAL writer gathers the writes to a WAL
 * file that continue one another in a buffer and writes it with one call when SQLite syncs the
 * file. A durable store (synchronous=FULL) syncs the WAL at every commit before it publishes
 * the commit in the WAL index, so no other connection ever looks in the file for a frame the
 * buffer still holds; the writer's own reads, size queries, truncation and closing write the
 * buffer first. A write that does not continue the buffer, or would overflow it, writes it
 * first too. A failed write surfaces at the sync (or the read ...) that wrote the buffer, with
 * the code the wrapped VFS gave, and fails the commit as a failed sync does. Without syncs
 * (durable: false) committed frames would stay in the buffer: such stores do not use it. */
#include "store/store_vfs.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Pass-through */

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((struct xd_store__shim_file *)f)->real;
}

static int p_close(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xClose(r);
}

static int p_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xRead(r, buf, amt, off);
}

static int p_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xWrite(r, buf, amt, off);
}

static int p_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xTruncate(r, size);
}

static int p_sync(sqlite3_file *f, int flags)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xSync(r, flags);
}

static int p_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFileSize(r, size);
}

static int p_lock(sqlite3_file *f, int lock)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xLock(r, lock);
}

static int p_unlock(sqlite3_file *f, int lock)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xUnlock(r, lock);
}

static int p_check_reserved(sqlite3_file *f, int *out)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xCheckReservedLock(r, out);
}

static int p_file_control(sqlite3_file *f, int op, void *arg)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFileControl(r, op, arg);
}

static int p_sector_size(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xSectorSize(r);
}

static int p_device_characteristics(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xDeviceCharacteristics(r);
}

static int p_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmMap(r, region, size, extend, out);
}

static int p_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmLock(r, offset, n, flags);
}

static void p_shm_barrier(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    r->pMethods->xShmBarrier(r);
}

static int p_shm_unmap(sqlite3_file *f, int delete_flag)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmUnmap(r, delete_flag);
}

static int p_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFetch(r, off, amt, pp);
}

static int p_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xUnfetch(r, off, p);
}

const sqlite3_io_methods xd_store__shim_io = {
    .iVersion = 3,
    .xClose = p_close,
    .xRead = p_read,
    .xWrite = p_write,
    .xTruncate = p_truncate,
    .xSync = p_sync,
    .xFileSize = p_file_size,
    .xLock = p_lock,
    .xUnlock = p_unlock,
    .xCheckReservedLock = p_check_reserved,
    .xFileControl = p_file_control,
    .xSectorSize = p_sector_size,
    .xDeviceCharacteristics = p_device_characteristics,
    .xShmMap = p_shm_map,
    .xShmLock = p_shm_lock,
    .xShmBarrier = p_shm_barrier,
    .xShmUnmap = p_shm_unmap,
    .xFetch = p_fetch,
    .xUnfetch = p_unfetch,
};

static sqlite3_vfs *base_of(sqlite3_vfs *v)
{
    return v->pAppData;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    return base_of(v)->xDelete(base_of(v), name, sync_dir);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    return base_of(v)->xAccess(base_of(v), name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
    return base_of(v)->xFullPathname(base_of(v), name, n, out);
}

static void *v_dl_open(sqlite3_vfs *v, const char *name)
{
    return base_of(v)->xDlOpen(base_of(v), name);
}

static void v_dl_error(sqlite3_vfs *v, int n, char *msg)
{
    base_of(v)->xDlError(base_of(v), n, msg);
}

static void (*v_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    return base_of(v)->xDlSym(base_of(v), h, sym);
}

static void v_dl_close(sqlite3_vfs *v, void *h)
{
    base_of(v)->xDlClose(base_of(v), h);
}

static int v_randomness(sqlite3_vfs *v, int n, char *out)
{
    return base_of(v)->xRandomness(base_of(v), n, out);
}

static int v_sleep(sqlite3_vfs *v, int us)
{
    return base_of(v)->xSleep(base_of(v), us);
}

static int v_current_time(sqlite3_vfs *v, double *out)
{
    return base_of(v)->xCurrentTime(base_of(v), out);
}

static int v_get_last_error(sqlite3_vfs *v, int n, char *out)
{
    return base_of(v)->xGetLastError(base_of(v), n, out);
}

static int v_current_time_i64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    return base_of(v)->xCurrentTimeInt64(base_of(v), out);
}

static int v_set_system_call(sqlite3_vfs *v, const char *name, sqlite3_syscall_ptr p)
{
    return base_of(v)->xSetSystemCall(base_of(v), name, p);
}

static sqlite3_syscall_ptr v_get_system_call(sqlite3_vfs *v, const char *name)
{
    return base_of(v)->xGetSystemCall(base_of(v), name);
}

static const char *v_next_system_call(sqlite3_vfs *v, const char *name)
{
    return base_of(v)->xNextSystemCall(base_of(v), name);
}

void xd_store__shim_vfs(sqlite3_vfs *v, sqlite3_vfs *base, const char *name, int file_size,
                        int (*open)(sqlite3_vfs *, const char *, sqlite3_file *, int, int *))
{
    *v = (sqlite3_vfs){
        .iVersion = 3,
        .szOsFile = file_size + base->szOsFile,
        .mxPathname = base->mxPathname,
        .zName = name,
        .pAppData = base,
        .xOpen = open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_full_pathname,
        .xDlOpen = v_dl_open,
        .xDlError = v_dl_error,
        .xDlSym = v_dl_sym,
        .xDlClose = v_dl_close,
        .xRandomness = v_randomness,
        .xSleep = v_sleep,
        .xCurrentTime = v_current_time,
        .xGetLastError = v_get_last_error,
        .xCurrentTimeInt64 = v_current_time_i64,
        .xSetSystemCall = v_set_system_call,
        .xGetSystemCall = v_get_system_call,
        .xNextSystemCall = v_next_system_call,
    };
}

/* ------------------------------------------------------------------------------------------ */
/* The write-ahead log writer */

/* Bytes gathered at most; a larger transaction writes them as the buffer fills. */
#define WAL_BUFFER (4 << 20)

struct wal_file {
    struct xd_store__shim_file shim;
    char *buf; /* NULL until the first write */
    size_t len;
    sqlite3_int64 off; /* where buf[0] goes in the file */
};

/* Write what the buffer holds, in pieces SQLite's unix VFS takes whole (it writes at most
 * 128 KiB less one byte per call, and a longer write fails as a full disk). */
#define WRITE_PIECE (64 << 10)

static int flush(struct wal_file *w)
{
    sqlite3_file *r = w->shim.real;
    int rc = SQLITE_OK;
    for (size_t done = 0; rc == SQLITE_OK && done < w->len; done += WRITE_PIECE) {
        size_t n = w->len - done < WRITE_PIECE ? w->len - done : WRITE_PIECE;
        rc = r->pMethods->xWrite(r, w->buf + done, (int)n, w->off + (sqlite3_int64)done);
    }
    w->len = 0; /* written or failed: a failed write is reported now and not retried */
    return rc;
}

static int w_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 off)
{
    struct wal_file *w = (struct wal_file *)f;
    if (amt < 0 || amt > WRITE_PIECE) {
        int rc = flush(w);
        return rc != SQLITE_OK ? rc : p_write(f, data, amt, off);
    }
    if (w->len > 0 &&
        (off != w->off + (sqlite3_int64)w->len || w->len + (size_t)amt > WAL_BUFFER)) {
        int rc = flush(w);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    if (w->buf == NULL && (w->buf = malloc(WAL_BUFFER)) == NULL) {
        return SQLITE_NOMEM;
    }
    if (w->len == 0) {
        w->off = off;
    }
    memcpy(w->buf + w->len, data, (size_t)amt);
    w->len += (size_t)amt;
    return SQLITE_OK;
}

static int w_read(sqlite3_file *f, void *data, int amt, sqlite3_int64 off)
{
    int rc = flush((struct wal_file *)f);
    return rc != SQLITE_OK ? rc : p_read(f, data, amt, off);
}

static int w_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = flush((struct wal_file *)f);
    return rc != SQLITE_OK ? rc : p_truncate(f, size);
}

static int w_sync(sqlite3_file *f, int flags)
{
    int rc = flush((struct wal_file *)f);
    return rc != SQLITE_OK ? rc : p_sync(f, flags);
}

static int w_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    int rc = flush((struct wal_file *)f);
    return rc != SQLITE_OK ? rc : p_file_size(f, size);
}

static int w_close(sqlite3_file *f)
{
    struct wal_file *w = (struct wal_file *)f;
    int rc = flush(w);
    int closed = p_close(f);
    free(w->buf);
    w->buf = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

static const sqlite3_io_methods wal_io = {
    .iVersion = 3,
    .xClose = w_close,
    .xRead = w_read,
    .xWrite = w_write,
    .xTruncate = w_truncate,
    .xSync = w_sync,
    .xFileSize = w_file_size,
    .xLock = p_lock,
    .xUnlock = p_unlock,
    .xCheckReservedLock = p_check_reserved,
    .xFileControl = p_file_control,
    .xSectorSize = p_sector_size,
    .xDeviceCharacteristics = p_device_characteristics,
    .xShmMap = p_shm_map,
    .xShmLock = p_shm_lock,
    .xShmBarrier = p_shm_barrier,
    .xShmUnmap = p_shm_unmap,
    .xFetch = p_fetch,
    .xUnfetch = p_unfetch,
};

static int w_open(sqlite3_vfs *v, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
    struct wal_file *w = (struct wal_file *)file;
    memset(w, 0, sizeof *w);
    w->shim.real = (sqlite3_file *)(w + 1);
    int rc = base_of(v)->xOpen(base_of(v), name, w->shim.real, flags, out_flags);
    /* SQLite calls xClose exactly when pMethods is set, whatever xOpen returned. */
    const sqlite3_io_methods *m = (flags & SQLITE_OPEN_WAL) != 0 ? &wal_io : &xd_store__shim_io;
    w->shim.base.pMethods = w->shim.real->pMethods != NULL ? m : NULL;
    return rc;
}

/* One writer per wrapped VFS: SQLite's default and, in test mode, the fault VFS. */
static struct {
    pthread_mutex_t mu;
    struct {
        sqlite3_vfs vfs;
        char name[64];
        bool registered;
    } of[2];
} wal_vfs = {.mu = PTHREAD_MUTEX_INITIALIZER};

const char *xd_store__walvfs_register(const char *base_name)
{
    sqlite3_vfs *base = sqlite3_vfs_find(base_name);
    if (base == NULL || base->iVersion < 3) {
        return NULL;
    }
    const char *name = NULL;
    pthread_mutex_lock(&wal_vfs.mu);
    for (size_t i = 0; i < sizeof wal_vfs.of / sizeof wal_vfs.of[0] && name == NULL; i++) {
        if (wal_vfs.of[i].registered && wal_vfs.of[i].vfs.pAppData == base) {
            name = wal_vfs.of[i].name;
        } else if (!wal_vfs.of[i].registered) {
            snprintf(wal_vfs.of[i].name, sizeof wal_vfs.of[i].name, "crossdock-wal-%s",
                     base->zName);
            xd_store__shim_vfs(&wal_vfs.of[i].vfs, base, wal_vfs.of[i].name,
                               (int)sizeof(struct wal_file), w_open);
            if (sqlite3_vfs_register(&wal_vfs.of[i].vfs, 0) == SQLITE_OK) {
                wal_vfs.of[i].registered = true;
                name = wal_vfs.of[i].name;
            } else {
                break;
            }
        }
    }
    pthread_mutex_unlock(&wal_vfs.mu);
    return name;
}
