/* SPDX-License-Identifier: MIT
 * Corpus replayer: feeds every file named on the command line (directories are walked one level
 * deep) to LLVMFuzzerTestOneInput, so a normal test build checks that nothing in the corpus
 * crashes or leaks. The real fuzzing build links libFuzzer instead of this file. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DRIVER_MAX_INPUT (64u * 1024 * 1024)

static int run_file(const char *path)
{
    struct xd_buf b;
    struct xd_error err;
    xd_error_clear(&err);
    xd_buf_init(&b, DRIVER_MAX_INPUT);
    if (xd_file_read(path, &b, &err) != XD_OK) {
        fprintf(stderr, "%s\n", err.message);
        xd_buf_cleanup(&b);
        return 1;
    }
    /* A private copy of exactly the input's size, so ASan sees reads past its end. */
    size_t len = b.len;
    uint8_t *copy = xd_memdup(b.data ? b.data : "", len);
    xd_buf_cleanup(&b);
    if (copy == NULL) {
        return 1;
    }
    LLVMFuzzerTestOneInput(copy, len);
    xd_free(copy);
    return 0;
}

int main(int argc, char **argv)
{
    int ran = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (d == NULL) {
            failed += run_file(argv[i]);
            ran++;
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') {
                continue;
            }
            char path[4096];
            int n = snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (n < 0 || (size_t)n >= sizeof path) {
                failed++;
                continue;
            }
            failed += run_file(path);
            ran++;
        }
        closedir(d);
    }
    printf("replayed %d inputs, %d unreadable\n", ran, failed);
    return failed ? 1 : 0;
}
