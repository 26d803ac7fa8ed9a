/* Look-ups in the compiled element table (elements_table.c) and the Takeuchi & Inoue (2005)
 * pair table of Miedema mixing enthalpies. Sources of every number: data/ELEMENTS_SOURCES.md. */
#include <math.h>
#include <string.h>

#include "composition_int.h"

size_t as_element_count(void)
{
    return AS_ELEMENTS_N;
}

const as_element *as_element_at(size_t i)
{
    return i < AS_ELEMENTS_N ? &as_elements_table_[i] : NULL;
}

const as_element *as_element_by_symbol(const char *symbol)
{
    if (!symbol)
        return NULL;
    for (size_t i = 0; i < AS_ELEMENTS_N; i++)
        if (strcmp(as_elements_table_[i].symbol, symbol) == 0)
            return &as_elements_table_[i];
    return NULL;
}

const as_element *as_element_by_z(int z)
{
    for (size_t i = 0; i < AS_ELEMENTS_N; i++)
        if (as_elements_table_[i].z == z)
            return &as_elements_table_[i];
    return NULL;
}

size_t as_element_index_(const as_element *e)
{
    return (size_t)(e - as_elements_table_);
}

static int in_table(const as_element *e)
{
    return e && e >= as_elements_table_ && e < as_elements_table_ + AS_ELEMENTS_N;
}

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
