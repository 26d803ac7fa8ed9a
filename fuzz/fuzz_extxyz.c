/* Fuzz target: the extended-XYZ reader (as_extxyz_read), and the writer on what it read.
 * Promises checked: a failure names the file and returns no frames; every frame is a
 * consistent structure; writing the frames and reading them back is exact (%.17g). */
#include <string.h>

#include "alloyscout/lattice.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[FUZZ_PATH_MAX];
    if (fuzz_tmpfile(data, size, path))
        return 0;
    as_structure **f = NULL;
    size_t n = 0;
    as_status st = as_extxyz_read(path, &f, &n);
    fuzz_unlink(path);
    if (st != AS_OK) {
        if (f || n)
            fuzz_fail("failed read returned %zu frames", n);
        fuzz_check_error(path);
        return 0;
    }
    if (n == 0)
        fuzz_fail("success with no frame");
    for (size_t k = 0; k < n; k++)
        fuzz_check_structure(f[k]);
    if (!fuzz_tmpfile((const uint8_t *)"", 0, path)) {
        as_structure **g = NULL;
        size_t m = 0;
        if (as_extxyz_write(path, f, n) != AS_OK)
            fuzz_fail("cannot write the frames back: %s", as_errmsg());
        if (as_extxyz_read(path, &g, &m) != AS_OK)
            fuzz_fail("cannot read back what was written: %s", as_errmsg());
        if (m != n)
            fuzz_fail("round trip changed the frame count %zu -> %zu", n, m);
        for (size_t k = 0; k < n; k++)
            fuzz_same_structure(f[k], g[k], 0);
        as_structures_free(g, m);
        fuzz_unlink(path);
    }
    as_structures_free(f, n);
    return 0;
}
