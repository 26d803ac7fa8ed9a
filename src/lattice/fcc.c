/* Any fcc supercell (an integer matrix over the primitive fcc basis) and finding the fcc lattice
 * of a structure someone else made (primitive, conventional, non-orthogonal, any supercell).
 *
 * Integer frame (as in sites.c): units a/2 along the cubic axes, the fcc sites are the integer
 * points of even coordinate sum, the primitive basis is P_int = (0 1 1 / 1 0 1 / 1 1 0). The
 * supercell M P has rows S = M P_int in that frame. Points are reduced modulo the supercell with
 * the lower-triangular row Hermite form H of S (rows (h0 0 0), (h3 h4 0), (h6 h7 h8)): subtract
 * multiples of row 3, row 2, row 1 so that 0 <= v2 < h8, 0 <= v1 < h4, 0 <= v0 < h0. The
 * reduced point is unique, so a dense table of h0 h4 h8 = |det S| = 2 n entries maps it to its
 * site; a neighbour is the site of (site + shell vector) reduced, every periodic image counts.
 *
 * Finding the lattice: displacement vectors from a few atoms to every atom and periodic image
 * whose length is near the nearest-neighbour distance of an fcc crystal of the cell's density,
 * d = (sqrt2 V / n)^(1/3), are clustered; an fcc arrangement gives 12 clusters. Among triples of
 * the 12 mean vectors the one closest to an ideal primitive basis (principal stretches of
 * F^T F with F = P0^-1 V) is taken, the cell is expressed in it (M = C V^-1, rounded) and the
 * origin is the atom that puts the most atoms within tolerance of a site. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_int.h"

#define PI 3.14159265358979323846

static const int P_INT[9] = {0, 1, 1, 1, 0, 1, 1, 1, 0};

static long floordiv(long a, long b)
{
    long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Row operations (unimodular) turning H into lower-triangular form with positive diagonal. */
static void hnf_lower(long *H)
{
    for (int c = 2; c >= 0; c--) {
        for (int r = 0; r < c; r++)
            while (H[3 * r + c] != 0) {
                long q = H[3 * c + c] / H[3 * r + c];
                for (int k = 0; k < 3; k++) {
                    H[3 * c + k] -= q * H[3 * r + k];
                    long t = H[3 * r + k];
                    H[3 * r + k] = H[3 * c + k];
                    H[3 * c + k] = t;
                }
            }
        if (H[3 * c + c] < 0)
            for (int k = 0; k < 3; k++)
                H[3 * c + k] = -H[3 * c + k];
    }
}

static long canon_index(const as_lattice *L, long v0, long v1, long v2)
{
    const long *H = L->H;
    long k = floordiv(v2, H[8]);
    v0 -= k * H[6];
    v1 -= k * H[7];
    v2 -= k * H[8];
    k = floordiv(v1, H[4]);
    v0 -= k * H[3];
    v1 -= k * H[4];
    v0 -= floordiv(v0, H[0]) * H[0];
    return (v0 * H[4] + v1) * H[8] + v2;
}

size_t as_lat_gsite(const as_lattice *lat, long v0, long v1, long v2)
{
    return (size_t)lat->canon[canon_index(lat, v0, v1, v2)];
}

void as_lat_general_free(as_lattice *lat)
{
    as_free(lat->canon);
    as_free(lat->iv);
}

static long ldet3(const long *m)
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

static double det3(const double *m)
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/* Inverse of a 3x3 matrix (row-major); returns the determinant (0: singular, inv untouched). */
static double inv3(const double *m, double *inv)
{
    double d = det3(m);
    if (d == 0)
        return 0;
    inv[0] = (m[4] * m[8] - m[5] * m[7]) / d;
    inv[1] = (m[2] * m[7] - m[1] * m[8]) / d;
    inv[2] = (m[1] * m[5] - m[2] * m[4]) / d;
    inv[3] = (m[5] * m[6] - m[3] * m[8]) / d;
    inv[4] = (m[0] * m[8] - m[2] * m[6]) / d;
    inv[5] = (m[2] * m[3] - m[0] * m[5]) / d;
    inv[6] = (m[3] * m[7] - m[4] * m[6]) / d;
    inv[7] = (m[1] * m[6] - m[0] * m[7]) / d;
    inv[8] = (m[0] * m[4] - m[1] * m[3]) / d;
    return d;
}

/* c = a b (3x3, row-major) */
static void mul3(const double *a, const double *b, double *c)
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
}

/* row vector times matrix: y = x m */
static void vecmat(const double *x, const double *m, double *y)
{
    for (int j = 0; j < 3; j++)
        y[j] = x[0] * m[j] + x[1] * m[3 + j] + x[2] * m[6 + j];
}

as_status as_lattice_create_fcc(const int M[9], const as_lattice_options *opt, as_lattice **out)
{
    *out = NULL;
    as_lattice_options o = opt ? *opt : as_lattice_options_default();
    if (!(o.a_ang > 0) || !isfinite(o.a_ang))
        return AS_FAIL(AS_EINVAL, "lattice: lattice constant a = %g must be > 0", o.a_ang);
    if (o.n_shells < 1 || o.n_shells > AS_LATTICE_MAX_SHELLS)
        return AS_FAIL(AS_EINVAL, "lattice: n_shells = %zu not in 1..%d", o.n_shells,
                       AS_LATTICE_MAX_SHELLS);
    for (int k = 0; k < 9; k++)
        if (M[k] < -4096 || M[k] > 4096)
            return AS_FAIL(AS_EINVAL, "lattice: supercell matrix entry %d is too large", M[k]);
    long S[9];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            S[3 * i + j] = (long)M[3 * i] * P_INT[j] + (long)M[3 * i + 1] * P_INT[3 + j] +
                           (long)M[3 * i + 2] * P_INT[6 + j];
    long dS = ldet3(S);
    if (dS == 0)
        return AS_FAIL(AS_EINVAL, "lattice: the supercell matrix is singular");
    long adS = dS < 0 ? -dS : dS;
    if (adS / 2 > (long)INT32_MAX)
        return AS_FAIL(AS_EINVAL, "lattice: %ld sites is too many", adS / 2);
    as_status st = AS_OK;
    int shellv[AS_LATTICE_MAX_SHELLS][64][3];
    as_lattice *L = as_calloc(1, sizeof *L);
    if (!L)
        return AS_FAIL(AS_ENOMEM, "lattice: cannot allocate");
    L->proto = AS_PROTO_FCC;
    L->general = 1;
    L->size[0] = L->size[1] = L->size[2] = 1;
    L->n_shells = o.n_shells;
    L->a_ang = L->c_ang = o.a_ang;
    memcpy(L->M, M, sizeof L->M);
    memcpy(L->S, S, sizeof S);
    memcpy(L->H, S, sizeof S);
    hnf_lower(L->H);
    L->detS = adS;
    L->n = (size_t)(adS / 2);
    L->nb = L->n;
    for (int i = 0; i < 9; i++) {
        L->cell[i] = 0.5 * o.a_ang * (double)S[i];
        L->pcell[i] = L->cell[i];
    }
    AS_CHECK(AS_ALLOC(L->canon, (size_t)adS, "site table"));
    AS_CHECK(AS_ALLOC(L->iv, L->n, "site coordinates"));
    AS_CHECK(AS_ALLOC(L->pos, 3 * L->n, "lattice positions"));
    {
        const long *H = L->H;
        size_t i = 0;
        long idx = 0;
        for (long v0 = 0; v0 < H[0]; v0++)
            for (long v1 = 0; v1 < H[4]; v1++)
                for (long v2 = 0; v2 < H[8]; v2++, idx++) {
                    if ((v0 + v1 + v2) & 1) {
                        L->canon[idx] = -1;
                        continue;
                    }
                    L->canon[idx] = (int32_t)i;
                    L->iv[i][0] = v0;
                    L->iv[i][1] = v1;
                    L->iv[i][2] = v2;
                    i++;
                }
        if (i != L->n) {
            st = AS_FAIL(AS_EINVAL, "lattice: internal error: %zu sites, expected %zu", i, L->n);
            goto fail;
        }
    }
    /* ideal positions wrapped into the cell: f = v S^-1 mod 1, x = f cell */
    for (size_t i = 0; i < L->n; i++)
        for (int k = 0; k < 3; k++)
            L->pos[3 * i + k] = 0.0;
    for (size_t i = 0; i < L->n; i++) {
        double f[3];
        for (int k = 0; k < 3; k++)
            f[k] = as_lat_site_frac(L, i, k);
        vecmat(f, L->cell, L->pos + 3 * i);
    }
    AS_CHECK(as_lat_shell_vectors(L->n_shells, L->z, L->norm2, shellv));
    for (size_t s = 0; s < L->n_shells; s++) {
        size_t z = L->z[s];
        AS_CHECK(AS_ALLOC(L->nbr[s], L->n * z, "neighbour table"));
        for (size_t i = 0; i < L->n; i++)
            for (size_t k = 0; k < z; k++)
                L->nbr[s][i * z + k] = (uint32_t)as_lat_gsite(L, L->iv[i][0] + shellv[s][k][0],
                                                              L->iv[i][1] + shellv[s][k][1],
                                                              L->iv[i][2] + shellv[s][k][2]);
    }
    *out = L;
    return AS_OK;
fail:
    as_lattice_free(L);
    return st;
}

int as_lattice_supercell(const as_lattice *lat, int M[9])
{
    if (!lat->general)
        return 0;
    memcpy(M, lat->M, sizeof lat->M);
    return 1;
}

double as_lat_site_frac(const as_lattice *lat, size_t i, int k)
{
    if (!lat->general) {
        size_t per[3] = {lat->size[1] * lat->size[2] * lat->nb, lat->size[2] * lat->nb, lat->nb};
        size_t c = (i / per[k]) % lat->size[k];
        return ((double)c + lat->fb[i % lat->nb][k]) / (double)lat->size[k];
    }
    /* f_k = (v adj(S))_k / det S, reduced to [0, 1) with integer arithmetic */
    const long *S = lat->S;
    long adj[9] = {S[4] * S[8] - S[5] * S[7], S[2] * S[7] - S[1] * S[8], S[1] * S[5] - S[2] * S[4],
                   S[5] * S[6] - S[3] * S[8], S[0] * S[8] - S[2] * S[6], S[2] * S[3] - S[0] * S[5],
                   S[3] * S[7] - S[4] * S[6], S[1] * S[6] - S[0] * S[7], S[0] * S[4] - S[1] * S[3]};
    long d = ldet3(S);
    const long *v = lat->iv[i];
    long num = v[0] * adj[k] + v[1] * adj[3 + k] + v[2] * adj[6 + k];
    if (d < 0) {
        d = -d;
        num = -num;
    }
    num -= floordiv(num, d) * d;
    return (double)num / (double)d;
}

int as_lat_general_same_up_to_translation(const as_lattice *lat, const int *a, const int *b)
{
    size_t n = lat->n;
    for (size_t k = 0; k < n; k++) {
        long t[3] = {lat->iv[k][0] - lat->iv[0][0], lat->iv[k][1] - lat->iv[0][1],
                     lat->iv[k][2] - lat->iv[0][2]};
        int same = 1;
        for (size_t j = 0; j < n && same; j++)
            same = a[as_lat_gsite(lat, lat->iv[j][0] + t[0], lat->iv[j][1] + t[1],
                                  lat->iv[j][2] + t[2])] == b[j];
        if (same)
            return 1;
    }
    return 0;
}

/* Integer-frame point (real w) -> nearest fcc point v (even sum). */
static void nearest_fcc(const double *w, long *v)
{
    double r[3];
    for (int k = 0; k < 3; k++) {
        v[k] = lround(w[k]);
        r[k] = w[k] - (double)v[k];
    }
    if ((v[0] + v[1] + v[2]) & 1) {
        int m = 0;
        for (int k = 1; k < 3; k++)
            if (fabs(r[k]) > fabs(r[m]))
                m = k;
        v[m] += r[m] >= 0 ? 1 : -1;
    }
}

as_status as_lat_general_match(const as_lattice *lat, const as_structure *s, const int *map,
                               const double *origin_frac, double tol_ang, int *config,
                               double *max_dev, size_t *worst)
{
    if (s->n != lat->n)
        return AS_FAIL(AS_EINVAL, "lattice: structure has %zu atoms, the fcc supercell %zu sites",
                       s->n, lat->n);
    double Ci[9], Sd[9], Si[9];
    if (inv3(s->cell, Ci) == 0)
        return AS_FAIL(AS_EINVAL, "lattice: the structure's cell is singular");
    for (int k = 0; k < 9; k++)
        Sd[k] = (double)lat->S[k];
    inv3(Sd, Si);
    for (size_t i = 0; i < lat->n; i++)
        config[i] = -1;
    size_t *owner;
    AS_TRY(AS_ALLOC(owner, lat->n, "site owners"));
    double worst_d = 0;
    size_t worst_i = 0;
    for (size_t i = 0; i < s->n; i++) {
        int sp = s->species[i];
        const char *sym = sp >= 0 && (size_t)sp < s->n_symbols ? s->symbols[sp] : "?";
        if (sp < 0 || (size_t)sp >= s->n_symbols || sp >= 64 || map[sp] < 0) {
            as_free(owner);
            return AS_FAIL(AS_EINVAL, "lattice: atom %zu is '%s', not one of the species given",
                           i + 1, sym);
        }
        double g[3], w[3], r[3], rf[3], rc[3];
        vecmat(s->pos + 3 * i, Ci, g);
        for (int k = 0; k < 3; k++)
            g[k] -= origin_frac[k];
        vecmat(g, Sd, w);
        long v[3];
        nearest_fcc(w, v);
        for (int k = 0; k < 3; k++)
            r[k] = w[k] - (double)v[k];
        vecmat(r, Si, rf);
        vecmat(rf, s->cell, rc);
        double dist = sqrt(rc[0] * rc[0] + rc[1] * rc[1] + rc[2] * rc[2]);
        if (dist > worst_d || i == 0) {
            worst_d = dist;
            worst_i = i;
        }
        if (dist > tol_ang) {
            as_free(owner);
            return AS_FAIL(AS_EINVAL,
                           "lattice: atom %zu (%s) is %.3g Å from the nearest fcc "
                           "site (tolerance %.3g Å)",
                           i + 1, sym, dist, tol_ang);
        }
        size_t site = as_lat_gsite(lat, v[0], v[1], v[2]);
        if (config[site] >= 0) {
            size_t other = owner[site];
            as_free(owner);
            return AS_FAIL(AS_EINVAL, "lattice: atoms %zu and %zu sit on the same fcc site",
                           other + 1, i + 1);
        }
        config[site] = map[sp];
        owner[site] = i;
    }
    as_free(owner);
    if (max_dev)
        *max_dev = worst_d;
    if (worst)
        *worst = worst_i;
    return AS_OK;
}

as_fcc_options as_fcc_options_default(void)
{
    return (as_fcc_options){.site_tol_frac = AS_LATTICE_SITE_TOL_FRAC, .max_strain = 0.1};
}

/* Eigenvalues of a symmetric 3x3 matrix (trigonometric method). */
static void eig3sym(const double *A, double *e)
{
    double p1 = A[1] * A[1] + A[2] * A[2] + A[5] * A[5];
    double q = (A[0] + A[4] + A[8]) / 3.0;
    double p2 =
        (A[0] - q) * (A[0] - q) + (A[4] - q) * (A[4] - q) + (A[8] - q) * (A[8] - q) + 2 * p1;
    double p = sqrt(p2 / 6.0);
    if (p < 1e-300) {
        e[0] = e[1] = e[2] = q;
        return;
    }
    double B[9];
    for (int k = 0; k < 9; k++)
        B[k] = (A[k] - (k % 4 == 0 ? q : 0)) / p;
    double r = det3(B) / 2.0;
    double phi = r <= -1 ? PI / 3 : r >= 1 ? 0 : acos(r) / 3;
    e[0] = q + 2 * p * cos(phi);
    e[2] = q + 2 * p * cos(phi + 2 * PI / 3);
    e[1] = 3 * q - e[0] - e[2];
}

/* Largest |stretch - 1| of basis V (rows) from the ideal primitive fcc basis of its volume. */
static double basis_strain(const double *V)
{
    double dv = fabs(det3(V));
    if (!(dv > 0))
        return INFINITY;
    double a = cbrt(4.0 * dv); /* |det P| = a^3 / 4 */
    double P0[9], P0i[9], Ft[9], FtF[9], e[3];
    for (int k = 0; k < 9; k++)
        P0[k] = 0.5 * a * P_INT[k];
    inv3(P0, P0i);
    mul3(P0i, V, Ft);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            FtF[3 * i + j] = Ft[3 * i] * Ft[3 * j] + Ft[3 * i + 1] * Ft[3 * j + 1] +
                             Ft[3 * i + 2] * Ft[3 * j + 2];
    eig3sym(FtF, e);
    double worst = 0;
    for (int k = 0; k < 3; k++) {
        double l = sqrt(e[k] > 0 ? e[k] : 0);
        worst = AS_MAX(worst, fabs(l - 1));
    }
    return worst;
}

#define MAX_CLUSTERS 256
#define MAX_CENTRES 16

typedef struct {
    double sum[3], mean[3];
    size_t count, first;
} cluster;

static int cluster_cmp(const void *pa, const void *pb)
{
    const cluster *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Distance of atom i from the nearest site of the lattice with origin o (fractional). */
static double site_distance(const as_structure *s, const double *Ci, const double *Sd,
                            const double *Si, const double *o, size_t i, double *res_frac)
{
    double g[3], w[3], r[3], rf[3], rc[3];
    long v[3];
    vecmat(s->pos + 3 * i, Ci, g);
    for (int k = 0; k < 3; k++)
        g[k] -= o[k];
    vecmat(g, Sd, w);
    nearest_fcc(w, v);
    for (int k = 0; k < 3; k++)
        r[k] = w[k] - (double)v[k];
    vecmat(r, Si, rf);
    vecmat(rf, s->cell, rc);
    if (res_frac)
        memcpy(res_frac, rf, sizeof rf);
    return sqrt(rc[0] * rc[0] + rc[1] * rc[1] + rc[2] * rc[2]);
}

as_status as_fcc_find(const as_structure *s, const as_fcc_options *opt, as_fcc_cell *out)
{
    as_fcc_options o = opt ? *opt : as_fcc_options_default();
    memset(out, 0, sizeof *out);
    size_t n = s->n;
    if (n == 0)
        return AS_FAIL(AS_EINVAL, "fcc: the structure has no atoms");
    if (!(o.site_tol_frac > 0 && o.site_tol_frac < 0.5) || !(o.max_strain > 0))
        return AS_FAIL(AS_EINVAL,
                       "fcc: site tolerance %g must be in (0, 0.5) and max strain %g "
                       "> 0",
                       o.site_tol_frac, o.max_strain);
    const double *C = s->cell;
    double Ci[9], detC = inv3(C, Ci);
    if (detC == 0 || !isfinite(detC))
        return AS_FAIL(AS_EINVAL, "fcc: the cell is singular");
    double vol = fabs(detC);
    double d_est = cbrt(sqrt(2.0) * vol / (double)n);
    /* image ranges: fractional coordinate k of a vector of length r is at most r |column k| */
    long R[3];
    for (int k = 0; k < 3; k++) {
        double c = sqrt(Ci[k] * Ci[k] + Ci[3 + k] * Ci[3 + k] + Ci[6 + k] * Ci[6 + k]);
        R[k] = (long)ceil(1.3 * d_est * c) + 1;
        if (R[k] > 50)
            return AS_FAIL(AS_EINVAL,
                           "fcc: the cell is too thin (%ld images along axis %d "
                           "would be needed)",
                           R[k], k + 1);
    }
    cluster *cl;
    AS_TRY(AS_ALLOC(cl, MAX_CLUSTERS, "neighbour clusters"));
    size_t ncl = 0, centres = AS_MIN(n, (size_t)MAX_CENTRES), seen = 0;
    double *g;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(g, 3 * n, "fractional positions"));
    for (size_t i = 0; i < n; i++)
        vecmat(s->pos + 3 * i, Ci, g + 3 * i);
    for (size_t i = 0; i < centres; i++)
        for (size_t j = 0; j < n; j++) {
            double dl[3];
            for (int k = 0; k < 3; k++) {
                dl[k] = g[3 * j + k] - g[3 * i + k];
                dl[k] -= floor(dl[k] + 0.5);
            }
            for (long k0 = -R[0]; k0 <= R[0]; k0++)
                for (long k1 = -R[1]; k1 <= R[1]; k1++)
                    for (long k2 = -R[2]; k2 <= R[2]; k2++) {
                        double f[3] = {dl[0] + (double)k0, dl[1] + (double)k1, dl[2] + (double)k2};
                        double r[3];
                        vecmat(f, C, r);
                        double len = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
                        if (len < 0.75 * d_est || len > 1.25 * d_est)
                            continue;
                        size_t c = 0;
                        for (; c < ncl; c++) {
                            double e0 = r[0] - cl[c].mean[0], e1 = r[1] - cl[c].mean[1],
                                   e2 = r[2] - cl[c].mean[2];
                            if (e0 * e0 + e1 * e1 + e2 * e2 < 0.0625 * d_est * d_est)
                                break;
                        }
                        if (c == ncl) {
                            if (ncl == MAX_CLUSTERS)
                                continue;
                            memset(&cl[c], 0, sizeof cl[c]);
                            cl[c].first = seen;
                            ncl++;
                        }
                        cl[c].count++;
                        for (int k = 0; k < 3; k++) {
                            cl[c].sum[k] += r[k];
                            cl[c].mean[k] = cl[c].sum[k] / (double)cl[c].count;
                        }
                        seen++;
                    }
        }
    qsort(cl, ncl, sizeof *cl, cluster_cmp);
    size_t strong = 0;
    for (size_t c = 0; c < ncl; c++)
        strong += 2 * cl[c].count >= centres;
    if (strong != 12) {
        st = AS_FAIL(AS_EINVAL,
                     "fcc: not an fcc arrangement: the atoms have %zu nearest-neighbour "
                     "directions near %.3g Å, fcc has 12",
                     strong, d_est);
        goto fail;
    }
    /* the primitive basis among the 12 closest to ideal */
    double best = INFINITY, V[9] = {0};
    for (size_t a = 0; a < 12; a++)
        for (size_t b = a + 1; b < 12; b++)
            for (size_t c = b + 1; c < 12; c++) {
                double W[9];
                memcpy(W, cl[a].mean, 3 * sizeof(double));
                memcpy(W + 3, cl[b].mean, 3 * sizeof(double));
                memcpy(W + 6, cl[c].mean, 3 * sizeof(double));
                double e = basis_strain(W);
                if (e < best - 1e-12) {
                    best = e;
                    memcpy(V, W, sizeof W);
                }
            }
    if (!(best <= o.max_strain)) {
        st = AS_FAIL(AS_EINVAL,
                     "fcc: not an fcc lattice: the nearest fcc basis is strained by "
                     "%.3g (limit %.3g)",
                     best, o.max_strain);
        goto fail;
    }
    if ((det3(V) < 0) != (detC < 0))
        for (int k = 0; k < 9; k++)
            V[k] = -V[k];
    double Vi[9], Mr[9];
    inv3(V, Vi);
    mul3(C, Vi, Mr);
    double worst_frac = 0;
    for (int k = 0; k < 9; k++) {
        out->M[k] = (int)lround(Mr[k]);
        worst_frac = AS_MAX(worst_frac, fabs(Mr[k] - out->M[k]));
    }
    if (worst_frac > 0.25) {
        st = AS_FAIL(AS_EINVAL,
                     "fcc: the cell is not an integer supercell of the fcc lattice its "
                     "atoms span (a supercell matrix entry is %.2f from an integer)",
                     worst_frac);
        goto fail;
    }
    {
        long Ml[9];
        for (int k = 0; k < 9; k++)
            Ml[k] = out->M[k];
        long dM = ldet3(Ml);
        if (dM != (long)n) {
            st = AS_FAIL(AS_EINVAL,
                         "fcc: the cell holds %ld sites of the fcc lattice its atoms "
                         "span but %zu atoms (vacancies, interstitials or several "
                         "lattices are not supported)",
                         dM < 0 ? -dM : dM, n);
            goto fail;
        }
    }
    /* exact basis commensurate with the cell: V = M^-1 C */
    {
        double Md[9], Mi[9];
        for (int k = 0; k < 9; k++)
            Md[k] = out->M[k];
        inv3(Md, Mi);
        mul3(Mi, C, out->prim);
    }
    out->strain = basis_strain(out->prim);
    out->a_ang = cbrt(4.0 * vol / (double)n);
    out->dnn_ang = out->a_ang / sqrt(2.0);
    out->n_sites = n;
    /* origin: the atom that puts the most atoms within tolerance, then the mean residual */
    {
        double Sd[9], Si[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Sd[3 * i + j] = out->M[3 * i] * P_INT[j] + out->M[3 * i + 1] * P_INT[3 + j] +
                                out->M[3 * i + 2] * P_INT[6 + j];
        inv3(Sd, Si);
        double tol = o.site_tol_frac * out->dnn_ang;
        size_t best_in = 0, best_o = 0;
        for (size_t c = 0; c < centres; c++) {
            size_t in = 0;
            for (size_t i = 0; i < n; i++)
                in += site_distance(s, Ci, Sd, Si, g + 3 * c, i, NULL) <= tol;
            if (in > best_in) {
                best_in = in;
                best_o = c;
            }
        }
        double mean[3] = {0, 0, 0}, rf[3];
        size_t in = 0;
        for (size_t i = 0; i < n; i++)
            if (site_distance(s, Ci, Sd, Si, g + 3 * best_o, i, rf) <= tol) {
                for (int k = 0; k < 3; k++)
                    mean[k] += rf[k];
                in++;
            }
        for (int k = 0; k < 3; k++)
            out->origin[k] = g[3 * best_o + k] + (in ? mean[k] / (double)in : 0);
    }
fail:
    as_free(g);
    as_free(cl);
    if (st != AS_OK)
        memset(out, 0, sizeof *out);
    return st;
}

as_status as_lattice_from_structure(const as_structure *s, const char (*symbols)[AS_SYMBOL_MAX],
                                    size_t n_species, const as_fcc_options *opt, size_t n_shells,
                                    as_lattice **lat, int *config, as_fcc_cell *cell)
{
    *lat = NULL;
    as_fcc_options o = opt ? *opt : as_fcc_options_default();
    as_fcc_cell fc;
    AS_TRY(as_fcc_find(s, &o, &fc));
    as_lattice_options lo = as_lattice_options_default();
    lo.a_ang = fc.a_ang;
    lo.n_shells = n_shells;
    as_lattice *L;
    AS_TRY(as_lattice_create_fcc(fc.M, &lo, &L));
    int map[64];
    for (size_t p = 0; p < s->n_symbols && p < 64; p++) {
        map[p] = -1;
        for (size_t q = 0; q < n_species; q++)
            if (!strcmp(s->symbols[p], symbols[q]))
                map[p] = (int)q;
    }
    as_status st = as_lat_general_match(L, s, map, fc.origin, o.site_tol_frac * fc.dnn_ang, config,
                                        NULL, NULL);
    if (st != AS_OK) {
        as_lattice_free(L);
        return st;
    }
    if (cell)
        *cell = fc;
    *lat = L;
    return AS_OK;
}
