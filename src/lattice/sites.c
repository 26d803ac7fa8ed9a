/* Prototypes (fcc, L1_0, L1_2, Pt2CoM), supercells, the neighbour shells of the fcc parent
 * lattice, structures built from a configuration, and matching structures back to sites.
 *
 * Shells: every prototype site is an fcc site. In the integer frame (units a/2 along the cubic
 * axes) the fcc lattice is the set of integer points with even coordinate sum and the shells are
 * the sets of such vectors d of equal |d|^2 (2, 4, 6, 8, 10 ... -> 12, 6, 24, 12, 24 neighbours).
 * The neighbour of site (c, b) along d is found exactly by solving u_b + d = u_b' + t A for the
 * basis site b' and integer cell offset t (A: prototype cell in the integer frame), then wrapping
 * c + t into the supercell. Each d gives one neighbour, so every periodic image counts, and
 * because the frame is cubic whatever c/a is, tetragonality never splits a shell. The L1_0 cell
 * (a/sqrt2, a/sqrt2, c) is the conventional fcc cell rotated by 45 degrees about z. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lattice_int.h"

static const char *const proto_names[] = {"fcc", "l10", "l12", "pt2com"};

as_status as_proto_parse(const char *name, as_proto *out)
{
    for (int i = 0; i < 4; i++)
        if (!strcasecmp(name, proto_names[i])) {
            *out = (as_proto)i;
            return AS_OK;
        }
    if (!strcasecmp(name, "a1")) {
        *out = AS_PROTO_FCC;
        return AS_OK;
    }
    return AS_FAIL(AS_EINVAL, "unknown prototype '%s' (fcc, l10, l12, pt2com)", name);
}

const char *as_proto_name(as_proto p) { return (unsigned)p < 4 ? proto_names[p] : "?"; }

size_t as_proto_n_species(as_proto p)
{
    static const size_t k[] = {1, 2, 2, 3};
    return (unsigned)p < 4 ? k[p] : 0;
}

as_lattice_options as_lattice_options_default(void)
{
    return (as_lattice_options){.a_ang = 3.80, .c_ang = 0.0, .n_shells = 3};
}

static int idet3(const int *m)
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

static void iadj3(const int *m, int *adj)
{
    adj[0] = m[4] * m[8] - m[5] * m[7];
    adj[1] = m[2] * m[7] - m[1] * m[8];
    adj[2] = m[1] * m[5] - m[2] * m[4];
    adj[3] = m[5] * m[6] - m[3] * m[8];
    adj[4] = m[0] * m[8] - m[2] * m[6];
    adj[5] = m[2] * m[3] - m[0] * m[5];
    adj[6] = m[3] * m[7] - m[4] * m[6];
    adj[7] = m[1] * m[6] - m[0] * m[7];
    adj[8] = m[0] * m[4] - m[1] * m[3];
}

/* Split integer-frame vector v into basis b and integer cell offset t: v = u_b + t A.
 * Returns 0 on success. */
static int locate(const as_lattice *lat, const int *v, int *b, int *t)
{
    for (size_t k = 0; k < lat->nb; k++) {
        int w[3] = {v[0] - lat->u[k][0], v[1] - lat->u[k][1], v[2] - lat->u[k][2]};
        int q[3], ok = 1;
        for (int j = 0; j < 3 && ok; j++) {
            /* row vector times adj(A): (w adjA)_j = sum_i w_i adjA[i][j] */
            q[j] = w[0] * lat->adjA[j] + w[1] * lat->adjA[3 + j] + w[2] * lat->adjA[6 + j];
            ok = q[j] % lat->detA == 0;
        }
        if (ok) {
            *b = (int)k;
            for (int j = 0; j < 3; j++)
                t[j] = q[j] / lat->detA;
            return 0;
        }
    }
    return 1;
}

/* Fill prototype data: integer cell, basis, species, Cartesian cell. */
static void setup_proto(as_lattice *L)
{
    double a = L->a_ang, c = L->c_ang, at = a / sqrt(2.0);
    memset(L->pcell, 0, sizeof L->pcell);
    switch (L->proto) {
    case AS_PROTO_FCC:
    case AS_PROTO_L12: {
        static const int A[9] = {2, 0, 0, 0, 2, 0, 0, 0, 2};
        /* L1_2 (A3B): B (species 1) on the corner, A (species 0) on the face centres */
        static const int u[4][3] = {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
        memcpy(L->A, A, sizeof A);
        memcpy(L->u, u, sizeof u);
        L->nb = 4;
        for (int b = 0; b < 4; b++)
            L->proto_species[b] = L->proto == AS_PROTO_L12 && b == 0 ? 1 : 0;
        L->pcell[0] = L->pcell[4] = L->pcell[8] = a;
        break;
    }
    case AS_PROTO_L10: {
        static const int A[9] = {1, 1, 0, -1, 1, 0, 0, 0, 2};
        static const int u[2][3] = {{0, 0, 0}, {0, 1, 1}};
        memcpy(L->A, A, sizeof A);
        memcpy(L->u, u, sizeof u);
        L->nb = 2;
        L->proto_species[0] = 0;
        L->proto_species[1] = 1;
        L->pcell[0] = L->pcell[4] = at;
        L->pcell[8] = c;
        break;
    }
    case AS_PROTO_PT2COM: {
        /* L1_0 doubled along a: Pt (0,0,0), Pt (1/2,0,0), Co (1/4,1/2,1/2), M (3/4,1/2,1/2) */
        static const int A[9] = {2, 2, 0, -1, 1, 0, 0, 0, 2};
        static const int u[4][3] = {{0, 0, 0}, {1, 1, 0}, {0, 1, 1}, {1, 2, 1}};
        static const int sp[4] = {0, 0, 1, 2};
        memcpy(L->A, A, sizeof A);
        memcpy(L->u, u, sizeof u);
        memcpy(L->proto_species, sp, sizeof sp);
        L->nb = 4;
        L->pcell[0] = 2 * at;
        L->pcell[4] = at;
        L->pcell[8] = c;
        break;
    }
    }
    L->detA = idet3(L->A);
    iadj3(L->A, L->adjA);
    for (size_t b = 0; b < L->nb; b++)
        for (int j = 0; j < 3; j++)
            L->fb[b][j] = (double)(L->u[b][0] * L->adjA[j] + L->u[b][1] * L->adjA[3 + j] +
                                   L->u[b][2] * L->adjA[6 + j]) /
                          L->detA;
}

typedef struct {
    int d[3];
    int norm;
} dvec;

static int dvec_cmp(const void *pa, const void *pb)
{
    const dvec *a = pa, *b = pb;
    if (a->norm != b->norm)
        return a->norm < b->norm ? -1 : 1;
    for (int k = 0; k < 3; k++)
        if (a->d[k] != b->d[k])
            return a->d[k] > b->d[k] ? -1 : 1; /* positive first */
    return 0;
}

static int positive_half(const int *d)
{
    for (int k = 0; k < 3; k++)
        if (d[k])
            return d[k] > 0;
    return 0;
}

#define DRANGE 6 /* |d_k| <= 6 covers squared norms up to 36, more than 8 shells need */

as_status as_lat_shell_vectors(size_t n_shells, size_t *z_out, int *norm2, int (*vec)[64][3])
{
    /* displacement vectors of the fcc lattice, sorted by norm, positive half first per shell */
    size_t nd = 0, side = 2 * DRANGE + 1;
    dvec *dv;
    AS_TRY(AS_ALLOC(dv, side * side * side, "shell vectors"));
    for (int x = -DRANGE; x <= DRANGE; x++)
        for (int y = -DRANGE; y <= DRANGE; y++)
            for (int z = -DRANGE; z <= DRANGE; z++) {
                int nn = x * x + y * y + z * z;
                if (nn == 0 || ((x + y + z) & 1) || nn > DRANGE * DRANGE)
                    continue;
                dv[nd++] = (dvec){{x, y, z}, nn};
            }
    qsort(dv, nd, sizeof *dv, dvec_cmp);
    size_t start = 0;
    for (size_t s = 0; s < n_shells; s++) {
        size_t end = start;
        while (end < nd && dv[end].norm == dv[start].norm)
            end++;
        size_t z = end - start, h = 0;
        /* order: the positive half, then the negation of each in the same order */
        for (size_t k = start; k < end; k++)
            if (positive_half(dv[k].d)) {
                memcpy(vec[s][h], dv[k].d, sizeof vec[s][h]);
                h++;
            }
        for (size_t k = 0; k < h; k++)
            for (int j = 0; j < 3; j++)
                vec[s][h + k][j] = -vec[s][k][j];
        z_out[s] = z;
        norm2[s] = dv[start].norm;
        start = end;
    }
    as_free(dv);
    return AS_OK;
}

as_status as_lattice_create(as_proto proto, const size_t size[3], const as_lattice_options *opt,
                            as_lattice **out)
{
    *out = NULL;
    as_lattice_options o = opt ? *opt : as_lattice_options_default();
    if ((unsigned)proto > AS_PROTO_PT2COM)
        return AS_FAIL(AS_EINVAL, "lattice: unknown prototype %d", (int)proto);
    for (int k = 0; k < 3; k++)
        if (size[k] < 1 || size[k] > 1024)
            return AS_FAIL(AS_EINVAL, "lattice: supercell size %zu along axis %d not in 1..1024",
                           size[k], k + 1);
    if (!(o.a_ang > 0) || !isfinite(o.a_ang))
        return AS_FAIL(AS_EINVAL, "lattice: lattice constant a = %g must be > 0", o.a_ang);
    if (!(o.c_ang >= 0) || !isfinite(o.c_ang))
        return AS_FAIL(AS_EINVAL, "lattice: lattice constant c = %g must be >= 0", o.c_ang);
    if (o.n_shells < 1 || o.n_shells > AS_LATTICE_MAX_SHELLS)
        return AS_FAIL(AS_EINVAL, "lattice: n_shells = %zu not in 1..%d", o.n_shells,
                       AS_LATTICE_MAX_SHELLS);
    as_status st = AS_OK;
    int shellv[AS_LATTICE_MAX_SHELLS][64][3];
    as_lattice *L = as_calloc(1, sizeof *L);
    if (!L)
        return AS_FAIL(AS_ENOMEM, "lattice: cannot allocate");
    L->proto = proto;
    memcpy(L->size, size, sizeof L->size);
    L->n_shells = o.n_shells;
    L->a_ang = o.a_ang;
    L->c_ang = o.c_ang > 0 ? o.c_ang : o.a_ang;
    setup_proto(L);
    if (L->detA != 2 * (int)L->nb) {
        st = AS_FAIL(AS_EINVAL,
                     "lattice: internal error: prototype cell holds %d fcc sites, "
                     "basis %zu",
                     L->detA / 2, L->nb);
        goto fail;
    }
    size_t ncell = size[0] * size[1] * size[2];
    L->n = ncell * L->nb;
    if (L->n > UINT32_MAX) {
        st = AS_FAIL(AS_EINVAL, "lattice: %zu sites is too many", L->n);
        goto fail;
    }
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++)
            L->cell[3 * i + k] = (double)size[i] * L->pcell[3 * i + k];
    AS_CHECK(AS_ALLOC(L->pos, 3 * L->n, "lattice positions"));
    for (size_t c0 = 0; c0 < size[0]; c0++)
        for (size_t c1 = 0; c1 < size[1]; c1++)
            for (size_t c2 = 0; c2 < size[2]; c2++)
                for (size_t b = 0; b < L->nb; b++) {
                    size_t i = as_lat_site(L, (long)c0, (long)c1, (long)c2, b);
                    double f[3] = {c0 + L->fb[b][0], c1 + L->fb[b][1], c2 + L->fb[b][2]};
                    for (int k = 0; k < 3; k++)
                        L->pos[3 * i + k] =
                            f[0] * L->pcell[k] + f[1] * L->pcell[3 + k] + f[2] * L->pcell[6 + k];
                }
    AS_CHECK(as_lat_shell_vectors(L->n_shells, L->z, L->norm2, shellv));
    for (size_t s = 0; s < L->n_shells; s++) {
        size_t z = L->z[s];
        const int(*shell)[3] = (const int(*)[3])shellv[s];
        AS_CHECK(AS_ALLOC(L->nbr[s], L->n * z, "neighbour table"));
        /* per basis site and vector: neighbour basis and cell offset, then every cell */
        int nbb[AS_LATTICE_MAX_BASIS][64], nbt[AS_LATTICE_MAX_BASIS][64][3];
        for (size_t b = 0; b < L->nb; b++)
            for (size_t k = 0; k < z; k++) {
                int v[3] = {L->u[b][0] + shell[k][0], L->u[b][1] + shell[k][1],
                            L->u[b][2] + shell[k][2]};
                if (locate(L, v, &nbb[b][k], nbt[b][k])) {
                    st = AS_FAIL(AS_EINVAL, "lattice: internal error: no site at a shell vector");
                    goto fail;
                }
            }
        for (size_t c0 = 0; c0 < size[0]; c0++)
            for (size_t c1 = 0; c1 < size[1]; c1++)
                for (size_t c2 = 0; c2 < size[2]; c2++)
                    for (size_t b = 0; b < L->nb; b++) {
                        size_t i = as_lat_site(L, (long)c0, (long)c1, (long)c2, b);
                        uint32_t *row = L->nbr[s] + i * z;
                        for (size_t k = 0; k < z; k++)
                            row[k] = (uint32_t)as_lat_site(
                                L, (long)c0 + nbt[b][k][0], (long)c1 + nbt[b][k][1],
                                (long)c2 + nbt[b][k][2], (size_t)nbb[b][k]);
                    }
    }
    /* translations: the vector from site 0 (basis 0, cell 0) to basis bk, applied to basis b */
    for (size_t b = 0; b < L->nb; b++)
        for (size_t bk = 0; bk < L->nb; bk++) {
            int v[3];
            for (int j = 0; j < 3; j++)
                v[j] = L->u[b][j] + L->u[bk][j] - L->u[0][j];
            if (locate(L, v, &L->tr_b[b][bk], L->tr_t[b][bk])) {
                st = AS_FAIL(AS_EINVAL, "lattice: internal error: translation off the lattice");
                goto fail;
            }
        }
    *out = L;
    return AS_OK;
fail:
    as_lattice_free(L);
    return st;
}

void as_lattice_free(as_lattice *lat)
{
    if (!lat)
        return;
    for (size_t s = 0; s < AS_LATTICE_MAX_SHELLS; s++)
        as_free(lat->nbr[s]);
    as_free(lat->pos);
    as_lat_general_free(lat);
    as_free(lat);
}

size_t as_lattice_n_sites(const as_lattice *lat) { return lat->n; }
size_t as_lattice_n_shells(const as_lattice *lat) { return lat->n_shells; }
as_proto as_lattice_proto(const as_lattice *lat) { return lat->proto; }

size_t as_lattice_shell_size(const as_lattice *lat, size_t s)
{
    return s < lat->n_shells ? lat->z[s] : 0;
}

double as_lattice_shell_radius(const as_lattice *lat, size_t s)
{
    return s < lat->n_shells ? 0.5 * sqrt((double)lat->norm2[s]) : NAN;
}

const uint32_t *as_lattice_neighbours(const as_lattice *lat, size_t s)
{
    return s < lat->n_shells ? lat->nbr[s] : NULL;
}

const double *as_lattice_cell(const as_lattice *lat) { return lat->cell; }
const double *as_lattice_positions(const as_lattice *lat) { return lat->pos; }

void as_lattice_prototype_config(const as_lattice *lat, int *config)
{
    if (lat->general) {
        memset(config, 0, lat->n * sizeof *config);
        return;
    }
    for (size_t i = 0; i < lat->n; i++)
        config[i] = lat->proto_species[i % lat->nb];
}

as_status as_lat_check_config(const as_lattice *lat, const int *config, size_t n_species)
{
    for (size_t i = 0; i < lat->n; i++)
        if (config[i] < 0 || (size_t)config[i] >= n_species)
            return AS_FAIL(AS_EINVAL, "lattice: site %zu has species %d, not in 0..%zu", i,
                           config[i], n_species - 1);
    return AS_OK;
}

as_status as_lattice_to_structure(const as_lattice *lat, const int *config,
                                  const char (*symbols)[AS_SYMBOL_MAX], size_t n_species,
                                  const double *strain, as_structure **out)
{
    *out = NULL;
    if (n_species < 1 || n_species > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "lattice: %zu species not in 1..%d", n_species,
                       AS_LATTICE_MAX_SPECIES);
    AS_TRY(as_lat_check_config(lat, config, n_species));
    for (size_t p = 0; p < n_species; p++)
        if (!as_lattice_element_z(symbols[p]))
            return AS_FAIL(AS_EINVAL, "unknown element '%s'", symbols[p]);
    as_status st = AS_OK;
    as_structure *s;
    AS_TRY(as_structure_create(lat->n, n_species, &s));
    memcpy(s->symbols, symbols, n_species * sizeof *symbols);
    double cell[9];
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) {
            double v = lat->cell[3 * i + k];
            if (strain)
                for (int m = 0; m < 3; m++)
                    v += lat->cell[3 * i + m] * strain[3 * m + k];
            cell[3 * i + k] = v;
        }
    memcpy(s->cell, cell, sizeof cell);
    for (size_t c0 = 0; c0 < lat->size[0]; c0++)
        for (size_t c1 = 0; c1 < lat->size[1]; c1++)
            for (size_t c2 = 0; c2 < lat->size[2]; c2++)
                for (size_t b = 0; b < lat->nb; b++) {
                    size_t i = as_lat_site(lat, (long)c0, (long)c1, (long)c2, b);
                    /* fractional positions kept: x' = x (I + eps) */
                    const double *x = lat->pos + 3 * i;
                    for (int k = 0; k < 3; k++) {
                        double v = x[k];
                        if (strain)
                            for (int m = 0; m < 3; m++)
                                v += x[m] * strain[3 * m + k];
                        s->pos[3 * i + k] = v;
                    }
                    s->species[i] = config[i];
                }
    char buf[192];
    AS_CHECK(as_structure_set_info(s, "proto", as_proto_name(lat->proto)));
    if (lat->general) {
        const int *M = lat->M;
        snprintf(buf, sizeof buf, "%d %d %d %d %d %d %d %d %d", M[0], M[1], M[2], M[3], M[4], M[5],
                 M[6], M[7], M[8]);
        AS_CHECK(as_structure_set_info(s, "supercell", buf));
    } else {
        snprintf(buf, sizeof buf, "%zu %zu %zu", lat->size[0], lat->size[1], lat->size[2]);
        AS_CHECK(as_structure_set_info(s, "size", buf));
    }
    buf[0] = 0;
    for (size_t p = 0; p < n_species; p++) {
        if (p)
            strcat(buf, ",");
        strcat(buf, symbols[p]);
    }
    AS_CHECK(as_structure_set_info(s, "species_order", buf));
    *out = s;
    return AS_OK;
fail:
    as_structure_free(s);
    return st;
}

static double det3(const double *m)
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

as_status as_lattice_match(const as_lattice *lat, const as_structure *s,
                           const char (*symbols)[AS_SYMBOL_MAX], size_t n_species, double tol,
                           int *config)
{
    if (s->n != lat->n)
        return AS_FAIL(AS_EINVAL, "lattice: structure has %zu atoms, the %s %zux%zux%zu cell %zu",
                       s->n, as_proto_name(lat->proto), lat->size[0], lat->size[1], lat->size[2],
                       lat->n);
    double d = det3(s->cell);
    if (!(fabs(d) > 0))
        return AS_FAIL(AS_EINVAL, "lattice: the structure's cell is singular");
    int map[64];
    for (size_t p = 0; p < s->n_symbols && p < 64; p++) {
        map[p] = -1;
        for (size_t q = 0; q < n_species; q++)
            if (!strcmp(s->symbols[p], symbols[q]))
                map[p] = (int)q;
    }
    if (lat->general) {
        static const double zero[3] = {0, 0, 0};
        return as_lat_general_match(lat, s, map, zero, tol * lat->a_ang / sqrt(2.0), config, NULL,
                                    NULL);
    }
    for (size_t i = 0; i < lat->n; i++)
        config[i] = -1;
    double dnn = lat->a_ang / sqrt(2.0); /* ideal first-neighbour distance */
    for (size_t i = 0; i < s->n; i++) {
        int sp = s->species[i];
        if (sp < 0 || (size_t)sp >= s->n_symbols || sp >= 64 || map[sp] < 0)
            return AS_FAIL(AS_EINVAL, "lattice: atom %zu is '%s', not one of the species given",
                           i + 1, sp >= 0 && (size_t)sp < s->n_symbols ? s->symbols[sp] : "?");
        /* fractional coordinates in the structure's cell, scaled to prototype-cell units */
        double g[3];
        for (int k = 0; k < 3; k++) {
            double m[9];
            memcpy(m, s->cell, sizeof m);
            for (int q = 0; q < 3; q++)
                m[3 * k + q] = s->pos[3 * i + q];
            g[k] = det3(m) / d * (double)lat->size[k];
        }
        double best = INFINITY;
        long bc[3] = {0, 0, 0};
        size_t bb = 0;
        for (size_t b = 0; b < lat->nb; b++) {
            double r[3];
            long c[3];
            for (int k = 0; k < 3; k++) {
                double x = g[k] - lat->fb[b][k];
                c[k] = lround(x);
                r[k] = x - (double)c[k];
            }
            double dist2 = 0;
            for (int k = 0; k < 3; k++) {
                double v =
                    r[0] * lat->pcell[k] + r[1] * lat->pcell[3 + k] + r[2] * lat->pcell[6 + k];
                dist2 += v * v;
            }
            if (dist2 < best) {
                best = dist2;
                bb = b;
                memcpy(bc, c, sizeof c);
            }
        }
        if (sqrt(best) > tol * dnn)
            return AS_FAIL(AS_EINVAL,
                           "lattice: atom %zu is %.3g Å from the nearest %s site "
                           "(tolerance %.3g Å)",
                           i + 1, sqrt(best), as_proto_name(lat->proto), tol * dnn);
        size_t site = as_lat_site(lat, bc[0], bc[1], bc[2], bb);
        if (config[site] >= 0)
            return AS_FAIL(AS_EINVAL, "lattice: atoms %zu and another one sit on the same site",
                           i + 1);
        config[site] = map[sp];
    }
    return AS_OK;
}

int as_lattice_same_up_to_translation(const as_lattice *lat, const int *a, const int *b)
{
    if (lat->general)
        return as_lat_general_same_up_to_translation(lat, a, b);
    size_t nb = lat->nb, ncell = lat->n / nb;
    for (size_t k = 0; k < lat->n; k++) {
        size_t bk = k % nb, ck = k / nb;
        long k0 = (long)(ck / (lat->size[1] * lat->size[2]));
        long k1 = (long)(ck / lat->size[2] % lat->size[1]);
        long k2 = (long)(ck % lat->size[2]);
        int same = 1;
        for (size_t c = 0; c < ncell && same; c++) {
            long c0 = (long)(c / (lat->size[1] * lat->size[2]));
            long c1 = (long)(c / lat->size[2] % lat->size[1]);
            long c2 = (long)(c % lat->size[2]);
            for (size_t bb = 0; bb < nb; bb++) {
                const int *t = lat->tr_t[bb][bk];
                size_t j = as_lat_site(lat, c0 + k0 + t[0], c1 + k1 + t[1], c2 + k2 + t[2],
                                       (size_t)lat->tr_b[bb][bk]);
                if (a[j] != b[c * nb + bb]) {
                    same = 0;
                    break;
                }
            }
        }
        if (same)
            return 1;
    }
    return 0;
}
