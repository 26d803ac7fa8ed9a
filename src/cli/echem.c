/* alloyscout echem: not built yet (issue 7). */
#include <stdio.h>

#include "cli.h"

int as_cli_echem(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alloyscout: error: 'echem' is not available in this build yet (issue 7)\n");
    return 2;
}
