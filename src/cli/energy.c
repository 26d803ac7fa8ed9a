/* alloyscout energy: not built yet (issue 4). */
#include <stdio.h>

#include "cli.h"

int as_cli_energy(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alloyscout: error: 'energy' is not available in this build yet (issue 4)\n");
    return 2;
}
