/* SPDX-License-Identifier: MIT
 * crossdock x12: placeholder until the X12 engine lands (branch x12 replaces this file). */
#include <stdio.h>

#include "cli/cli.h"

int xd_cmd_x12(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "crossdock x12: the X12 engine is not built into this binary yet\n");
    return 2;
}
