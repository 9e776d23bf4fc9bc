/* SPDX-License-Identifier: MIT
 * The crossdock command: dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("usage: crossdock COMMAND [ARGS]\n");
        return argc < 2 ? 2 : 0;
    }
    fprintf(stderr, "crossdock: unknown command '%s'\n", argv[1]);
    return 2;
}
