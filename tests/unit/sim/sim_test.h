/* SPDX-License-Identifier: MIT
 * Helpers of the simulator tests: a scratch directory per test group. */
#ifndef XD_TESTS_SIM_TEST_H
#define XD_TESTS_SIM_TEST_H

#include <stddef.h>

/* Make /tmp/xd-sim-<name>.XXXXXX into <dir>; 0 or -1 (cmocka's setup convention). */
int sim_test_dir_make(char *dir, size_t cap, const char *name);
/* Remove it and everything in it; 0 or -1. */
int sim_test_dir_remove(const char *dir);

#endif
