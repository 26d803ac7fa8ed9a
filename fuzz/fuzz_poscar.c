/* Fuzz target: the POSCAR reader (as_poscar_read), and the writer on what it read.
 * Promises checked: a failure names the file; a structure is consistent; writing it
 * (Cartesian and direct) and reading it back gives the same atoms (direct coordinates pass
 * through the inverse cell, so that comparison allows rounding). */
#include <math.h>
#include <string.h>

#include "alloyscout/lattice.h"
#include "fuzz.h"

/* |det| / product of the row lengths: 1 for orthogonal rows, 0 for dependent ones */
static double orthogonality(const double *c)
{
    double det = c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) +
                 c[2] * (c[3] * c[7] - c[4] * c[6]);
    double p = 1;
    for (int i = 0; i < 3; i++)
        p *= sqrt(c[3 * i] * c[3 * i] + c[3 * i + 1] * c[3 * i + 1] + c[3 * i + 2] * c[3 * i + 2]);
    return p > 0 ? fabs(det) / p : 0;
}

static void round_trip(const as_structure *s, int direct)
{
    char path[FUZZ_PATH_MAX];
    if (fuzz_tmpfile((const uint8_t *)"", 0, path))
        return;
    as_structure *b = NULL;
    if (as_poscar_write(path, s, direct) == AS_OK) {
        if (as_poscar_read(path, &b) != AS_OK)
            fuzz_fail("cannot read back what was written (direct %d): %s", direct, as_errmsg());
        /* direct coordinates pass through the inverse cell: compare only where it is
         * well conditioned (a skewed cell loses digits that no writer can keep) */
        if (!direct)
            fuzz_same_structure(s, b, 0);
        else if (orthogonality(s->cell) > 1e-3)
            fuzz_same_structure(s, b, 1e-9);
        as_structure_free(b);
    } else if (!direct) {
        fuzz_fail("cannot write the structure back: %s", as_errmsg());
    }
    fuzz_unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[FUZZ_PATH_MAX];
    if (fuzz_tmpfile(data, size, path))
        return 0;
    as_structure *s = NULL;
    as_status st = as_poscar_read(path, &s);
    fuzz_unlink(path);
    if (st != AS_OK) {
        if (s)
            fuzz_fail("failed read returned a structure");
        fuzz_check_error(path);
        return 0;
    }
    fuzz_check_structure(s);
    round_trip(s, 0);
    round_trip(s, 1);
    as_structure_free(s);
    return 0;
}
