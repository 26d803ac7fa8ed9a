/* alloyscout gpr: not built yet (issue 5). */
#include <stdio.h>

#include "cli.h"

int as_cli_gpr(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alloyscout: error: 'gpr' is not available in this build yet (issue 5)\n");
    return 2;
}
