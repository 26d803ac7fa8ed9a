/* alloyscout synth: not built yet (issue 2). */
#include <stdio.h>

#include "cli.h"

int as_cli_synth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alloyscout: error: 'synth' is not available in this build yet (issue 2)\n");
    return 2;
}
