/* The one check of a label where it enters the program (docs/oracle.md, "Label validation"):
 * every backend (eam, lammps, cmd) passes its result here, and a label that fails becomes a
 * failed label with the reason, never training data. */
#include <math.h>
#include <string.h>

#include "oracle_int.h"

static const char *symbol_of(const as_structure *s, size_t i)
{
    int sp = s->species[i];
    return (sp >= 0 && (size_t)sp < s->n_symbols) ? s->symbols[sp] : "?";
}

as_status as_oracle_check_label(const as_oracle_options *opt, const as_structure *in,
                                const as_structure *out, double energy)
{
    double e_max = AS_ORACLE_E_ATOM_MAX_EV, tol = AS_ORACLE_CELL_TOL_ANG;
    if (opt && opt->e_atom_max_ev > 0)
        e_max = opt->e_atom_max_ev;
    if (opt && opt->cell_tol_ang > 0)
        tol = opt->cell_tol_ang;
    if (!isfinite(energy))
        return AS_FAIL(AS_EORACLE, "label refused: the energy %g eV is not finite", energy);
    if (in->n > 0 && !(fabs(energy) / (double)in->n <= e_max))
        return AS_FAIL(AS_EORACLE,
                       "label refused: |E| / atom = %.6g eV is outside the "
                       "plausible window of %g eV/atom (E = %.17g eV, %zu atoms)",
                       fabs(energy) / (double)in->n, e_max, energy, in->n);
    if (!out)
        return AS_OK;
    if (out->n != in->n)
        return AS_FAIL(AS_EORACLE, "label refused: the output has %zu atoms, the input %zu", out->n,
                       in->n);
    for (size_t i = 0; i < in->n; i++)
        if (strcmp(symbol_of(in, i), symbol_of(out, i)) != 0)
            return AS_FAIL(AS_EORACLE,
                           "label refused: atom %zu is %s in the output, %s in the "
                           "input (same species in the same order expected)",
                           i + 1, symbol_of(out, i), symbol_of(in, i));
    for (int k = 0; k < 9; k++)
        if (!(fabs(out->cell[k] - in->cell[k]) <= tol))
            return AS_FAIL(AS_EORACLE,
                           "label refused: the output cell differs from the input "
                           "(lattice vector %d, component %d: %.17g vs %.17g Å, "
                           "tolerance %g Å)",
                           k / 3 + 1, k % 3 + 1, out->cell[k], in->cell[k], tol);
    for (size_t i = 0; i < 3 * out->n; i++)
        if (!isfinite(out->pos[i]))
            return AS_FAIL(AS_EORACLE,
                           "label refused: output position of atom %zu is not "
                           "finite",
                           i / 3 + 1);
    return AS_OK;
}
