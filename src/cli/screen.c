/* alloyscout screen: not built yet (issue 5). */
#include <stdio.h>

#include "cli.h"

int as_cli_screen(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alloyscout: error: 'screen' is not available in this build yet (issue 5)\n");
    return 2;
}
