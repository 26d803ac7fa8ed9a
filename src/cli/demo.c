/* alloyscout demo: not built yet (issue 2). */
#include <stdio.h>

#include "cli.h"

int as_cli_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alloyscout: error: 'demo' is not available in this build yet (issue 2)\n");
    return 2;
}
