/* Look-ups in the Takeuchi & Inoue (2005) pair table of Miedema mixing enthalpies
 * (mixing_table.c; the elements themselves are core's one table, src/core/elements.c).
 * Sources of every number: data/ELEMENTS_SOURCES.md. */
#include <math.h>
#include <string.h>

#include "composition_int.h"

size_t as_element_index_(const as_element *e) { return (size_t)as_mixing_row_[e->z]; }

static int in_table(const as_element *e) { return e && e == as_element_by_z(e->z); }

as_status as_mixing_enthalpy_pair(const as_element *a, const as_element *b, double *dh_kj_mol)
{
    if (!dh_kj_mol)
        return AS_FAIL(AS_EINVAL, "mixing enthalpy: NULL output");
    *dh_kj_mol = NAN;
    if (!in_table(a) || !in_table(b))
        return AS_FAIL(AS_EINVAL, "mixing enthalpy: element not in the element table");
    double v = as_elements_dh_[as_element_index_(a)][as_element_index_(b)];
    if (isnan(v))
        return AS_FAIL(AS_EINVAL,
                       "no tabulated mixing enthalpy for the pair %s-%s (Takeuchi & Inoue 2005 "
                       "has none)",
                       a->symbol, b->symbol);
    *dh_kj_mol = v;
    return AS_OK;
}
