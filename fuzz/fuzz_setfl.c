/* Fuzz target: the LAMMPS eam/alloy (setfl) reader, through the oracle spec "eam:FILE".
 * Promises checked: a failure names the file; a success lists the file's elements and
 * describes itself as a setfl oracle. */
#include <string.h>

#include "alloyscout/oracle.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[FUZZ_PATH_MAX], spec[4200];
    if (fuzz_tmpfile(data, size, path))
        return 0;
    snprintf(spec, sizeof spec, "eam:%s", path);
    as_oracle *o = NULL;
    as_status st = as_oracle_create(spec, NULL, &o);
    if (st != AS_OK) {
        if (o)
            fuzz_fail("failed create returned an oracle");
        fuzz_check_error(path);
    } else {
        const char *el = as_oracle_elements(o);
        if (!el || !*el)
            fuzz_fail("a setfl oracle without elements");
        if (strncmp(as_oracle_describe(o), "eam:setfl", 9))
            fuzz_fail("description '%s' is not a setfl one", as_oracle_describe(o));
        as_oracle_free(o);
    }
    fuzz_unlink(path);
    return 0;
}
