/* SPDX-License-Identifier: MIT */
#include "sim_test.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

int sim_test_dir_make(char *dir, size_t cap, const char *name)
{
    int n = snprintf(dir, cap, "/tmp/xd-sim-%s.XXXXXX", name);
    return n > 0 && (size_t)n < cap && mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int sim_test_dir_remove(const char *dir)
{
    return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
