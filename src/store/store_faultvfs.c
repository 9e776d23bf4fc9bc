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
#include "store/store_vfs.h"

#define FAULT_VFS_NAME "crossdock-fault"

struct fault_file {
    struct xd_store__shim_file shim; /* base.pMethods = &fault_io */
    char fsync_flag[PATH_MAX];
    char write_flag[PATH_MAX];
    char slow_flag[PATH_MAX];
    char db_fsync_flag[PATH_MAX]; /* these two empty unless the main database file */
    char db_write_flag[PATH_MAX];
};

static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_io; /* the pass-through, but for xWrite and xSync */
static pthread_once_t fault_once = PTHREAD_ONCE_INIT;
static int fault_rc = SQLITE_ERROR;

static bool flag_present(const char *path)
{
    return path[0] != '\0' && access(path, F_OK) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* File methods: pass through, except xWrite and xSync while their flag file exists. */

static int f_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    if (flag_present(((struct fault_file *)f)->write_flag) ||
        flag_present(((struct fault_file *)f)->db_write_flag)) {
        return SQLITE_FULL;
    }
    return xd_store__shim_io.xWrite(f, buf, amt, off);
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
    return xd_store__shim_io.xSync(f, flags);
}

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
    sqlite3_vfs *base = vfs->pAppData;
    struct fault_file *f = (struct fault_file *)file;
    f->shim.real = (sqlite3_file *)(f + 1);
    flag_path(f->fsync_flag, sizeof f->fsync_flag, name, ".fault-fsync");
    flag_path(f->write_flag, sizeof f->write_flag, name, ".fault-write");
    flag_path(f->slow_flag, sizeof f->slow_flag, name, ".fault-slow");
    f->db_fsync_flag[0] = f->db_write_flag[0] = '\0';
    if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
        flag_path(f->db_fsync_flag, sizeof f->db_fsync_flag, name, ".fault-fsync-db");
        flag_path(f->db_write_flag, sizeof f->db_write_flag, name, ".fault-write-db");
    }
    int rc = base->xOpen(base, name, f->shim.real, flags, out_flags);
    /* SQLite calls xClose exactly when pMethods is set, whatever xOpen returned. */
    f->shim.base.pMethods = f->shim.real->pMethods != NULL ? &fault_io : NULL;
    return rc;
}

static void fault_register(void)
{
    sqlite3_vfs *base = sqlite3_vfs_find("unix");
    if (base == NULL || base->iVersion < 3) {
        return;
    }
    fault_io = xd_store__shim_io;
    fault_io.xWrite = f_write;
    fault_io.xSync = f_sync;
    xd_store__shim_vfs(&fault_vfs, base, FAULT_VFS_NAME, (int)sizeof(struct fault_file), v_open);
    fault_rc = sqlite3_vfs_register(&fault_vfs, 0);
}

const char *xd_store__faultvfs_register(void)
{
    if (pthread_once(&fault_once, fault_register) != 0 || fault_rc != SQLITE_OK) {
        return NULL;
    }
    return FAULT_VFS_NAME;
}
