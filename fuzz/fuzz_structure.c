/* Checks shared by the POSCAR and extended-XYZ targets (fuzz/fuzz.h). */
#include <math.h>
#include <string.h>

#include "alloyscout/lattice.h"
#include "fuzz.h"

void fuzz_check_structure(const void *p)
{
    const as_structure *s = p;
    if (!s)
        fuzz_fail("success without a structure");
    if (s->n > 0 && (!s->pos || !s->species))
        fuzz_fail("%zu atoms without positions or species", s->n);
    for (size_t k = 0; k < 9; k++)
        if (!isfinite(s->cell[k]))
            fuzz_fail("non-finite cell component %zu", k);
    for (size_t i = 0; i < s->n; i++) {
        if (s->species[i] < 0 || (size_t)s->species[i] >= s->n_symbols)
            fuzz_fail("atom %zu has species %d of %zu", i, s->species[i], s->n_symbols);
        for (int k = 0; k < 3; k++)
            if (!isfinite(s->pos[3 * i + k]))
                fuzz_fail("atom %zu has a non-finite coordinate", i);
    }
    for (size_t k = 0; k < s->n_symbols; k++)
        if (strnlen(s->symbols[k], AS_SYMBOL_MAX) >= AS_SYMBOL_MAX)
            fuzz_fail("symbol %zu not terminated", k);
}

static int close_enough(double a, double b, double tol, double scale)
{
    if (tol == 0)
        return a == b;
    return fabs(a - b) <= tol * fmax(scale, fmax(fabs(a), fabs(b)));
}

void fuzz_same_structure(const void *pa, const void *pb, double tol)
{
    const as_structure *a = pa, *b = pb;
    double scale = 1; /* positions are as exact as the largest length in the cell allows */
    for (size_t k = 0; k < 9; k++)
        scale = fmax(scale, fabs(a->cell[k]));
    if (a->n != b->n)
        fuzz_fail("round trip changed the atom count %zu -> %zu", a->n, b->n);
    for (size_t k = 0; k < 9; k++)
        if (!close_enough(a->cell[k], b->cell[k], tol, 1))
            fuzz_fail("round trip changed cell component %zu: %.17g -> %.17g", k, a->cell[k],
                      b->cell[k]);
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->symbols[a->species[i]], b->symbols[b->species[i]]))
            fuzz_fail("round trip changed the element of atom %zu", i);
        double at = scale; /* a coordinate is as exact as the atom's largest one allows */
        for (int k = 0; k < 3; k++)
            at = fmax(at, fmax(fabs(a->pos[3 * i + k]), fabs(b->pos[3 * i + k])));
        for (int k = 0; k < 3; k++)
            if (!close_enough(a->pos[3 * i + k], b->pos[3 * i + k], tol, at))
                fuzz_fail("round trip moved atom %zu: %.17g -> %.17g", i, a->pos[3 * i + k],
                          b->pos[3 * i + k]);
    }
}
