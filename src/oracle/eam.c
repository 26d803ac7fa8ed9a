/* The embedded-atom method kernel: energy, per-atom energies and forces of a periodic structure.
 *
 *   E = sum_i F_{t_i}(rho_i) + sum_{pairs} phi_{t_i t_j}(r_ij),  rho_i = sum_{j != i} f_{t_j}(r_ij)
 *   F_i = -sum_j [F'_i f'_{t_j}(r) + F'_j f'_{t_i}(r) + phi'(r)] (r_i - r_j)/r
 * Per-atom energy: F_i + 1/2 sum_j phi_ij (as LAMMPS compute pe/atom).
 *
 * Two modes:
 *  - tables (setfl) interpolated exactly as LAMMPS pair_style eam/alloy does (pair_eam.cpp:
 *    interpolate() builds per-knot cubic coefficients from 4th-order finite-difference slopes;
 *    compute() looks up knot m = floor(r/dr) + 1 of the 1-based table and evaluates the cubic in
 *    p = r/dr + 1 - m; F(rho) above rhomax is extended linearly). Same tables give the same
 *    numbers as LAMMPS up to summation order;
 *  - analytic Zhou functions (as_zhou_*), with the same cutoff and r < 0.5 Å clamp as the
 *    tables. */
#include <math.h>
#include <string.h>

#include "oracle_int.h"

void as_eam_interpolate(int n, double delta, const double *f, double *spline)
{
#define S(m, k) spline[(size_t)(m)*7 + (k)]
    for (int m = 1; m <= n; m++)
        S(m, 6) = f[m];
    S(1, 5) = S(2, 6) - S(1, 6);
    S(2, 5) = 0.5 * (S(3, 6) - S(1, 6));
    S(n - 1, 5) = 0.5 * (S(n, 6) - S(n - 2, 6));
    S(n, 5) = S(n, 6) - S(n - 1, 6);
    for (int m = 3; m <= n - 2; m++)
        S(m, 5) = ((S(m - 2, 6) - S(m + 2, 6)) + 8.0 * (S(m + 1, 6) - S(m - 1, 6))) / 12.0;
    for (int m = 1; m <= n - 1; m++) {
        S(m, 4) = 3.0 * (S(m + 1, 6) - S(m, 6)) - 2.0 * S(m, 5) - S(m + 1, 5);
        S(m, 3) = S(m, 5) + S(m + 1, 5) - 2.0 * (S(m + 1, 6) - S(m, 6));
    }
    S(n, 4) = 0.0;
    S(n, 3) = 0.0;
    for (int m = 1; m <= n; m++) {
        S(m, 2) = S(m, 5) / delta;
        S(m, 1) = 2.0 * S(m, 4) / delta;
        S(m, 0) = 3.0 * S(m, 3) / delta;
    }
#undef S
}

void as_eam_free(as_eam *e)
{
    if (!e)
        return;
    as_setfl_free(e->tab);
    as_free(e->zp);
    as_free(e->frho_spl);
    as_free(e->rhor_spl);
    as_free(e->z2r_spl);
    as_nlist_clear(&e->nl);
    as_free(e->rho);
    as_free(e->fp);
    as_free(e->type);
    as_free(e);
}

as_status as_eam_create_tab(as_setfl *tab, as_eam **out)
{
    as_status st = AS_OK;
    double *f = NULL;
    *out = NULL;
    as_eam *e = as_calloc(1, sizeof *e);
    if (!e) {
        as_setfl_free(tab);
        return AS_FAIL(AS_ENOMEM, "eam: cannot allocate");
    }
    e->tab = tab;
    e->skin = 0.3;
    int nrho = tab->nrho, nr = tab->nr;
    size_t ne = tab->n_el, np = ne * (ne + 1) / 2;
    e->rc = tab->rc;
    e->rcsq = tab->rc * tab->rc;
    e->rdr = 1.0 / tab->dr;
    e->rdrho = 1.0 / tab->drho;
    e->rhomax = (nrho - 1) * tab->drho;
    AS_CHECK(AS_ALLOC(e->frho_spl, ne * (size_t)(nrho + 1) * 7, "eam splines"));
    AS_CHECK(AS_ALLOC(e->rhor_spl, ne * (size_t)(nr + 1) * 7, "eam splines"));
    AS_CHECK(AS_ALLOC(e->z2r_spl, np * (size_t)(nr + 1) * 7, "eam splines"));
    AS_CHECK(AS_ALLOC(f, (size_t)AS_MAX(nrho, nr) + 1, "eam splines"));
    for (size_t a = 0; a < ne; a++) {
        memcpy(f + 1, tab->frho + a * (size_t)nrho, (size_t)nrho * sizeof *f);
        as_eam_interpolate(nrho, tab->drho, f, e->frho_spl + a * (size_t)(nrho + 1) * 7);
        memcpy(f + 1, tab->rhor + a * (size_t)nr, (size_t)nr * sizeof *f);
        as_eam_interpolate(nr, tab->dr, f, e->rhor_spl + a * (size_t)(nr + 1) * 7);
    }
    for (size_t p = 0; p < np; p++) {
        memcpy(f + 1, tab->z2r + p * (size_t)nr, (size_t)nr * sizeof *f);
        as_eam_interpolate(nr, tab->dr, f, e->z2r_spl + p * (size_t)(nr + 1) * 7);
    }
    as_free(f);
    *out = e;
    return AS_OK;
fail:
    as_free(f);
    as_eam_free(e);
    return st;
}

as_status as_eam_create_analytic(const char *const *elements, size_t n_el, as_eam **out)
{
    as_status st = AS_OK;
    *out = NULL;
    /* the tables carry the element list, cutoff and masses; splines are not built */
    as_setfl *tab;
    AS_TRY(as_setfl_from_zhou(elements, n_el, 5, 5, &tab));
    as_eam *e = as_calloc(1, sizeof *e);
    if (!e) {
        as_setfl_free(tab);
        return AS_FAIL(AS_ENOMEM, "eam: cannot allocate");
    }
    e->tab = tab;
    e->analytic = 1;
    e->skin = 0.3;
    e->rc = tab->rc;
    e->rcsq = tab->rc * tab->rc;
    AS_CHECK(AS_ALLOC(e->zp, n_el, "eam parameters"));
    for (size_t a = 0; a < n_el; a++)
        e->zp[a] = as_zhou_find(elements[a]);
    *out = e;
    return AS_OK;
fail:
    as_eam_free(e);
    return st;
}

int as_eam_element(const as_eam *e, const char *symbol)
{
    for (size_t a = 0; a < e->tab->n_el; a++)
        if (!strcmp(e->tab->el[a], symbol))
            return (int)a;
    return -1;
}

static size_t pair_index(int a, int b)
{
    if (a < b) {
        int t = a;
        a = b;
        b = t;
    }
    return (size_t)a * (size_t)(a + 1) / 2 + (size_t)b;
}

/* value and derivative of an r-table spline at r (LAMMPS pair_eam.cpp lookup) */
#define R_LOOKUP(e, r, m, p)      \
    do {                          \
        p = (r) * (e)->rdr + 1.0; \
        m = (int)p;               \
        if (m > (e)->tab->nr - 1) \
            m = (e)->tab->nr - 1; \
        p -= m;                   \
        if (p > 1.0)              \
            p = 1.0;              \
    } while (0)

static double analytic_f(const as_zhou_params *z, double r, double *df)
{
    if (r < 0.5) {
        if (df)
            *df = 0;
        return as_zhou_f(z, 0.5, NULL);
    }
    return as_zhou_f(z, r, df);
}

static double analytic_phi(const as_zhou_params *a, const as_zhou_params *b, double r, double *dphi)
{
    if (r < 0.5) {
        if (dphi)
            *dphi = 0;
        return as_zhou_phi_ab(a, b, 0.5, NULL);
    }
    return as_zhou_phi_ab(a, b, r, dphi);
}

as_status as_eam_compute(as_eam *e, const as_structure *s, double *energy, double *e_atom,
                         double *forces, double *stress)
{
    as_status st = AS_OK;
    size_t n = s->n;
    int map[256];
    if (s->n_symbols > 256)
        return AS_FAIL(AS_EINVAL, "eam: too many species (%zu)", s->n_symbols);
    for (size_t k = 0; k < s->n_symbols; k++) {
        map[k] = as_eam_element(e, s->symbols[k]);
        if (map[k] < 0) {
            int used = 0;
            for (size_t i = 0; i < n && !used; i++)
                used = s->species[i] == (int)k;
            if (used) {
                char list[512] = "";
                for (size_t a = 0; a < e->tab->n_el; a++) {
                    size_t L = strlen(list);
                    snprintf(list + L, sizeof list - L, "%s%s", a ? " " : "", e->tab->el[a]);
                }
                return AS_FAIL(AS_EINVAL,
                               "eam: no parameters for element '%s' (this potential "
                               "covers: %s)",
                               s->symbols[k], list);
            }
        }
    }
    if (n > e->cap) {
        as_free(e->rho);
        as_free(e->fp);
        as_free(e->type);
        e->rho = as_malloc(n * sizeof(double));
        e->fp = as_malloc(n * sizeof(double));
        e->type = as_malloc(n * sizeof(int));
        e->cap = n;
        if (!e->rho || !e->fp || !e->type) {
            e->cap = 0;
            return AS_FAIL(AS_ENOMEM, "eam: cannot allocate work arrays for %zu atoms", n);
        }
    }
    for (size_t i = 0; i < n; i++) {
        int sp = s->species[i];
        if (sp < 0 || (size_t)sp >= s->n_symbols)
            return AS_FAIL(AS_EINVAL, "eam: atom %zu has species %d outside 0..%zu", i, sp,
                           s->n_symbols);
        e->type[i] = map[sp];
    }
    AS_TRY(as_nlist_update(&e->nl, s->cell, s->pos, n, e->rc, e->skin, NULL));
    const as_nlist *nl = &e->nl;
    const double *x = nl->x;
    const size_t *owner = nl->owner;
    const int *type = e->type;
    double *rho = e->rho, *fp = e->fp;
    const double rcsq = e->rcsq;
    memset(rho, 0, n * sizeof *rho);
    if (e_atom)
        memset(e_atom, 0, n * sizeof *e_atom);
    if (forces)
        memset(forces, 0, 3 * n * sizeof *forces);
    const int nr = e->tab->nr, nrho = e->tab->nrho;
    const size_t rstride = (size_t)(nr + 1) * 7, fstride = (size_t)(nrho + 1) * 7;

    /* pass 1: densities */
    for (size_t i = 0; i < n; i++) {
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        const int ti = type[i];
        double rho_i = 0;
        for (size_t q = nl->first[i]; q < nl->first[i + 1]; q++) {
            size_t k = nl->nb[q];
            double dx = x[3 * k] - xi, dy = x[3 * k + 1] - yi, dz = x[3 * k + 2] - zi;
            double rsq = dx * dx + dy * dy + dz * dz;
            if (rsq >= rcsq)
                continue;
            size_t j = owner[k];
            int tj = type[j];
            double r = sqrt(rsq);
            if (e->analytic) {
                rho_i += analytic_f(e->zp[tj], r, NULL);
                rho[j] += analytic_f(e->zp[ti], r, NULL);
                continue;
            }
            double p;
            int m;
            R_LOOKUP(e, r, m, p);
            const double *c = e->rhor_spl + (size_t)tj * rstride + (size_t)m * 7;
            rho_i += ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
            c = e->rhor_spl + (size_t)ti * rstride + (size_t)m * 7;
            rho[j] += ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
        }
        rho[i] += rho_i;
    }
    /* pass 2: embedding energies and their derivatives */
    double etot = 0;
    for (size_t i = 0; i < n; i++) {
        double phi;
        if (e->analytic) {
            phi = as_zhou_F(e->zp[type[i]], rho[i], &fp[i]);
        } else {
            double p = rho[i] * e->rdrho + 1.0;
            int m;
            if (!(p < (double)nrho))
                m = nrho - 1;
            else {
                m = (int)p;
                if (m < 1)
                    m = 1;
                if (m > nrho - 1)
                    m = nrho - 1;
            }
            p -= m;
            if (p > 1.0)
                p = 1.0;
            const double *c = e->frho_spl + (size_t)type[i] * fstride + (size_t)m * 7;
            fp[i] = (c[0] * p + c[1]) * p + c[2];
            phi = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
            if (rho[i] > e->rhomax)
                phi += fp[i] * (rho[i] - e->rhomax);
        }
        etot += phi;
        if (e_atom)
            e_atom[i] += phi;
    }
    /* pass 3: pair energies, forces and the virial (each pair once: w = sum fpair d d^T) */
    double w[6] = {0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        const int ti = type[i];
        const double fpi = fp[i];
        double fxi = 0, fyi = 0, fzi = 0, ei = 0;
        for (size_t q = nl->first[i]; q < nl->first[i + 1]; q++) {
            size_t k = nl->nb[q];
            double dx = xi - x[3 * k], dy = yi - x[3 * k + 1], dz = zi - x[3 * k + 2];
            double rsq = dx * dx + dy * dy + dz * dz;
            if (rsq >= rcsq)
                continue;
            size_t j = owner[k];
            int tj = type[j];
            double r = sqrt(rsq);
            double recip = 1.0 / r, phi, phip, rhoip, rhojp;
            if (e->analytic) {
                analytic_f(e->zp[ti], r, &rhoip);
                analytic_f(e->zp[tj], r, &rhojp);
                phi = analytic_phi(e->zp[ti], e->zp[tj], r, &phip);
            } else {
                double p;
                int m;
                R_LOOKUP(e, r, m, p);
                const double *c = e->rhor_spl + (size_t)ti * rstride + (size_t)m * 7;
                rhoip = (c[0] * p + c[1]) * p + c[2];
                c = e->rhor_spl + (size_t)tj * rstride + (size_t)m * 7;
                rhojp = (c[0] * p + c[1]) * p + c[2];
                c = e->z2r_spl + pair_index(ti, tj) * rstride + (size_t)m * 7;
                double z2p = (c[0] * p + c[1]) * p + c[2];
                double z2 = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
                phi = z2 * recip;
                phip = z2p * recip - phi * recip;
            }
            double psip = fpi * rhojp + fp[j] * rhoip + phip;
            double fpair = -psip * recip;
            fxi += dx * fpair;
            fyi += dy * fpair;
            fzi += dz * fpair;
            if (stress) {
                w[0] += dx * dx * fpair;
                w[1] += dy * dy * fpair;
                w[2] += dz * dz * fpair;
                w[3] += dy * dz * fpair;
                w[4] += dx * dz * fpair;
                w[5] += dx * dy * fpair;
            }
            if (forces) {
                forces[3 * j] -= dx * fpair;
                forces[3 * j + 1] -= dy * fpair;
                forces[3 * j + 2] -= dz * fpair;
            }
            etot += phi;
            if (e_atom) {
                ei += 0.5 * phi;
                e_atom[j] += 0.5 * phi;
            }
        }
        if (forces) {
            forces[3 * i] += fxi;
            forces[3 * i + 1] += fyi;
            forces[3 * i + 2] += fzi;
        }
        if (e_atom)
            e_atom[i] += ei;
    }
    if (!isfinite(etot))
        return AS_FAIL(AS_EORACLE, "eam: energy is not finite (atoms on top of each other?)");
    if (energy)
        *energy = etot;
    if (stress) { /* (1/V) dE/dstrain = -w / V (ASE's sign) */
        const double *h = s->cell;
        double V = fabs(h[0] * (h[4] * h[8] - h[5] * h[7]) + h[1] * (h[5] * h[6] - h[3] * h[8]) +
                        h[2] * (h[3] * h[7] - h[4] * h[6]));
        for (int k = 0; k < 6; k++)
            stress[k] = V > 0 ? -w[k] / V : NAN;
    }
    return st;
}
