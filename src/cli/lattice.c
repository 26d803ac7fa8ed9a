/* alloyscout lattice: not built yet (issue 3). */
#include <stdio.h>

#include "cli.h"

int as_cli_lattice(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alloyscout: error: 'lattice' is not available in this build yet (issue 3)\n");
    return 2;
}
