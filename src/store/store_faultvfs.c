/* SPDX-License-Identifier: MIT
 * Test-only storage fault injection: an SQLite VFS wrapping the default "unix" one. While the
 * file <dir>/.fault-fsync exists every xSync fails with SQLITE_IOERR_FSYNC; while
 * <dir>/.fault-write exists every xWrite fails with SQLITE_FULL; while <dir>/.fault-slow
 * exists every xSync first sleeps 500 ms, a slow disk that keeps requests in flight; while
 * <dir>/.fault-fsync-db or <dir>/.fault-write-db exists xSync or xWrite fails on the main
 * database file only, which in WAL mode only a checkpoint writes and syncs (<dir>: the directory
 * of the file being written). Registered once per process and only used by stores opened
 * with CROSSDOCK_TEST_FAULTS=1; the tables below are written once under pthread_once and only read
 * afterwards, so any thread may use them. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store_int.h"

#define FAULT_VFS_NAME "crossdock-fault"

struct fault_file {
    sqlite3_file base;  /* pMethods = &fault_io */
    sqlite3_file *real; /* the wrapped file, stored right after this struct */
    char fsync_flag[PATH_MAX];
    char write_flag[PATH_MAX];
    char slow_flag[PATH_MAX];
    char db_fsync_flag[PATH_MAX]; /* these two empty unless the main database file */
    char db_write_flag[PATH_MAX];
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static pthread_once_t fault_once = PTHREAD_ONCE_INIT;
static int fault_rc = SQLITE_ERROR;

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((struct fault_file *)f)->real;
}

static bool flag_present(const char *path)
{
    return path[0] != '\0' && access(path, F_OK) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* File methods: pass through, except xWrite and xSync while their flag file exists. */

static int f_close(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xClose(r);
}

static int f_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xRead(r, buf, amt, off);
}

static int f_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    if (flag_present(((struct fault_file *)f)->write_flag) ||
        flag_present(((struct fault_file *)f)->db_write_flag)) {
        return SQLITE_FULL;
    }
    sqlite3_file *r = real_of(f);
    return r->pMethods->xWrite(r, buf, amt, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xTruncate(r, size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    if (flag_present(((struct fault_file *)f)->fsync_flag) ||
        flag_present(((struct fault_file *)f)->db_fsync_flag)) {
        return SQLITE_IOERR_FSYNC;
    }
    if (flag_present(((struct fault_file *)f)->slow_flag)) {
        usleep(500 * 1000);
    }
    sqlite3_file *r = real_of(f);
    return r->pMethods->xSync(r, flags);
}

static int f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFileSize(r, size);
}

static int f_lock(sqlite3_file *f, int lock)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xLock(r, lock);
}

static int f_unlock(sqlite3_file *f, int lock)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xUnlock(r, lock);
}

static int f_check_reserved(sqlite3_file *f, int *out)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xCheckReservedLock(r, out);
}

static int f_file_control(sqlite3_file *f, int op, void *arg)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFileControl(r, op, arg);
}

static int f_sector_size(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xSectorSize(r);
}

static int f_device_characteristics(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xDeviceCharacteristics(r);
}

static int f_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmMap(r, region, size, extend, out);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmLock(r, offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    r->pMethods->xShmBarrier(r);
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmUnmap(r, delete_flag);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFetch(r, off, amt, pp);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xUnfetch(r, off, p);
}

static const sqlite3_io_methods fault_io = {
    .iVersion = 3,
    .xClose = f_close,
    .xRead = f_read,
    .xWrite = f_write,
    .xTruncate = f_truncate,
    .xSync = f_sync,
    .xFileSize = f_file_size,
    .xLock = f_lock,
    .xUnlock = f_unlock,
    .xCheckReservedLock = f_check_reserved,
    .xFileControl = f_file_control,
    .xSectorSize = f_sector_size,
    .xDeviceCharacteristics = f_device_characteristics,
    .xShmMap = f_shm_map,
    .xShmLock = f_shm_lock,
    .xShmBarrier = f_shm_barrier,
    .xShmUnmap = f_shm_unmap,
    .xFetch = f_fetch,
    .xUnfetch = f_unfetch,
};

/* <out> = the directory of <name> + "/" + <flag>; empty when it does not fit or <name> has no
 * directory (temporary files), which disables injection for that file. */
static void flag_path(char *out, size_t cap, const char *name, const char *flag)
{
    out[0] = '\0';
    const char *slash = name != NULL ? strrchr(name, '/') : NULL;
    if (slash == NULL) {
        return;
    }
    int n = snprintf(out, cap, "%.*s/%s", (int)(slash - name), name, flag);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
    }
}

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
    (void)vfs;
    struct fault_file *f = (struct fault_file *)file;
    f->real = (sqlite3_file *)(f + 1);
    flag_path(f->fsync_flag, sizeof f->fsync_flag, name, ".fault-fsync");
    flag_path(f->write_flag, sizeof f->write_flag, name, ".fault-write");
    flag_path(f->slow_flag, sizeof f->slow_flag, name, ".fault-slow");
    f->db_fsync_flag[0] = f->db_write_flag[0] = '\0';
    if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
        flag_path(f->db_fsync_flag, sizeof f->db_fsync_flag, name, ".fault-fsync-db");
        flag_path(f->db_write_flag, sizeof f->db_write_flag, name, ".fault-write-db");
    }
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    /* SQLite calls xClose exactly when pMethods is set, whatever xOpen returned. */
    f->base.pMethods = f->real->pMethods != NULL ? &fault_io : NULL;
    return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *v_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs->xDlOpen(real_vfs, name);
}

static void v_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
    (void)vfs;
    real_vfs->xDlError(real_vfs, n, msg);
}

static void (*v_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, h, sym);
}

static void v_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    real_vfs->xDlClose(real_vfs, h);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int v_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int v_current_time_i64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int v_set_system_call(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr p)
{
    (void)vfs;
    return real_vfs->xSetSystemCall(real_vfs, name, p);
}

static sqlite3_syscall_ptr v_get_system_call(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs->xGetSystemCall(real_vfs, name);
}

static const char *v_next_system_call(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs->xNextSystemCall(real_vfs, name);
}

static void fault_register(void)
{
    real_vfs = sqlite3_vfs_find("unix");
    if (real_vfs == NULL || real_vfs->iVersion < 3) {
        return;
    }
    fault_vfs = (sqlite3_vfs){
        .iVersion = 3,
        .szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = FAULT_VFS_NAME,
        .xOpen = v_open,
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
    fault_rc = sqlite3_vfs_register(&fault_vfs, 0);
}

const char *xd_store__faultvfs_register(void)
{
    if (pthread_once(&fault_once, fault_register) != 0 || fault_rc != SQLITE_OK) {
        return NULL;
    }
    return FAULT_VFS_NAME;
}
