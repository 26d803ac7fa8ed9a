/* Look-ups in the Takeuchi & Inoue (2005) pair table of Miedema mixing enthalpies, and Miedema's
 * model itself for the pairs that table lacks (mixing_table.c; the elements themselves are core's one table, src/core/elements.c).
 * Sources of every number: data/ELEMENTS_SOURCES.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "composition_int.h"

size_t as_element_index_(const as_element *e) { return (size_t)as_mixing_row_[e->z]; }

static int in_table(const as_element *e) { return e && e == as_element_by_z(e->z); }

/* Miedema's chemical enthalpy of mixing of the equiatomic liquid A-B, kJ/mol, with the surface
 * concentrations of the volume-corrected atoms (V^2/3 (1 + a c_s (phi_A - phi_B))) and no
 * transformation enthalpies (as Takeuchi & Inoue's table): the same expression as matminer's
 * Miedema.deltaH_chem(struct='ss') at x = 0.5, with the hybridization term R of a transition
 * metal and a non-transition element scaled by 0.73 for the liquid (Niessen et al., CALPHAD 7
 * (1983) 51). NAN when either element has no parameters. */
double as_miedema_dh_(const as_element *ea, const as_element *eb)
{
    const as_miedema_param *a = &as_miedema_[as_element_index_(ea)];
    const as_miedema_param *b = &as_miedema_[as_element_index_(eb)];
    if (ea == eb)
        return 0.0;
    if (!a->have || !b->have)
        return NAN;
    const double x = 0.5;
    double va0 = pow(a->vm, 2.0 / 3.0), vb0 = pow(b->vm, 2.0 / 3.0);
    double csa = x * va0 / (x * va0 + (1 - x) * vb0), csb = 1 - csa;
    double va = va0 * (1 + a->a * csb * (a->phi - b->phi));
    double vb = vb0 * (1 + b->a * csa * (b->phi - a->phi));
    double cb = (1 - x) * vb / (x * va + (1 - x) * vb);
    int ta = a->transition, tb = b->transition;
    double p, r = 0;
    if (ta && tb)
        p = 14.1;
    else if (!ta && !tb)
        p = 10.7;
    else {
        p = 12.35;
        r = 0.73 * a->r * b->r * p;
    }
    double q = 9.4 * p;
    double na = cbrt(a->nws), nb = cbrt(b->nws);
    double eta = 2.0 *
                 (-p * (a->phi - b->phi) * (a->phi - b->phi) - r + q * (na - nb) * (na - nb)) /
                 (1.0 / na + 1.0 / nb);
    return cb * x * va * eta;
}

const char *as_mixing_gap_(const as_element *a, const as_element *b, char *buf, size_t cap)
{
    const as_miedema_param *pa = &as_miedema_[as_element_index_(a)];
    const as_miedema_param *pb = &as_miedema_[as_element_index_(b)];
    if (!pa->have && !pb->have && !pa->shipped && !pb->shipped && a != b)
        snprintf(buf, cap, "no Miedema parameters for %s and %s", a->symbol, b->symbol);
    else {
        const as_element *e = !pa->have ? a : b;
        const as_miedema_param *p = !pa->have ? pa : pb;
        if (p->shipped)
            snprintf(buf, cap, "Miedema's parameters of %s are not used: %s", e->symbol,
                     p->note ? p->note : "see data/ELEMENTS_SOURCES.md");
        else
            snprintf(buf, cap, "no Miedema parameters for %s", e->symbol);
    }
    return buf;
}

double as_pair_dh_(const as_element *a, const as_element *b, int *miedema)
{
    double v = as_elements_dh_[as_element_index_(a)][as_element_index_(b)];
    *miedema = 0;
    if (!isnan(v))
        return v;
    v = as_miedema_dh_(a, b);
    *miedema = !isnan(v);
    return v;
}

as_status as_mixing_enthalpy_miedema(const as_element *a, const as_element *b, double *dh_kj_mol)
{
    if (!dh_kj_mol)
        return AS_FAIL(AS_EINVAL, "mixing enthalpy: NULL output");
    *dh_kj_mol = NAN;
    if (!in_table(a) || !in_table(b))
        return AS_FAIL(AS_EINVAL, "mixing enthalpy: element not in the element table");
    double v = as_miedema_dh_(a, b);
    char why[200];
    if (isnan(v))
        return AS_FAIL(AS_EINVAL, "no Miedema enthalpy for the pair %s-%s (%s)", a->symbol,
                       b->symbol, as_mixing_gap_(a, b, why, sizeof why));
    *dh_kj_mol = v;
    return AS_OK;
}

as_status as_mixing_enthalpy_pair_source(const as_element *a, const as_element *b,
                                         double *dh_kj_mol, as_dh_source *source)
{
    if (source)
        *source = AS_DH_NONE;
    as_status st = as_mixing_enthalpy_pair(a, b, dh_kj_mol);
    if (st == AS_OK && source)
        *source = isnan(as_elements_dh_[as_element_index_(a)][as_element_index_(b)])
                      ? AS_DH_MIEDEMA
                      : AS_DH_TAKEUCHI;
    return st;
}

as_status as_mixing_enthalpy_pair(const as_element *a, const as_element *b, double *dh_kj_mol)
{
    if (!dh_kj_mol)
        return AS_FAIL(AS_EINVAL, "mixing enthalpy: NULL output");
    *dh_kj_mol = NAN;
    if (!in_table(a) || !in_table(b))
        return AS_FAIL(AS_EINVAL, "mixing enthalpy: element not in the element table");
    int m;
    double v = as_pair_dh_(a, b, &m);
    char why[200];
    if (isnan(v))
        return AS_FAIL(AS_EINVAL,
                       "no mixing enthalpy for the pair %s-%s (not among the shipped Takeuchi & "
                       "Inoue 2005 pairs; %s)",
                       a->symbol, b->symbol, as_mixing_gap_(a, b, why, sizeof why));
    *dh_kj_mol = v;
    return AS_OK;
}
