/* SPDX-License-Identifier: MIT
 * SQLite VFS shims of the embedded backend (store_vfs.c, store_faultvfs.c): each wraps another
 * VFS and passes every call through except the few it is for. */
#ifndef XD_STORE_STORE_VFS_H
#define XD_STORE_STORE_VFS_H

#include <sqlite3.h>

/* The head of a shim's file; the wrapped VFS's file is stored right after the shim's struct,
 * and <real> points at it. */
struct xd_store__shim_file {
    sqlite3_file base;
    sqlite3_file *real;
};

/* File methods that pass every call to <real> (copy, then replace those the shim is for). */
extern const sqlite3_io_methods xd_store__shim_io;

/* Fill <v> as a shim named <name> over <base> (kept in pAppData) whose files are <file_size>
 * bytes of its own plus the base's, opened by <open>; every other VFS method passes through.
 * Register it with sqlite3_vfs_register. */
void xd_store__shim_vfs(sqlite3_vfs *v, sqlite3_vfs *base, const char *name, int file_size,
                        int (*open)(sqlite3_vfs *, const char *, sqlite3_file *, int, int *));

/* The write-ahead log writer over the VFS <base> (NULL: SQLite's default), registered once:
 * its name, NULL when SQLite refused it. For durable stores only (store_vfs.c says why). */
const char *xd_store__walvfs_register(const char *base);

#endif
