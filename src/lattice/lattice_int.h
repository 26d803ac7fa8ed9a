/* Private layout of the ideal lattice, shared by the files of the lattice area. */
#ifndef AS_LATTICE_INT_H
#define AS_LATTICE_INT_H

#include "alloyscout/lattice.h"
#include "core_int.h"

#define AS_LATTICE_MAX_BASIS 4

/* Integer frame: positions in units of a/2 along the cubic axes of the fcc parent lattice, where
 * the fcc sites are the integer points with an even coordinate sum. */
struct as_lattice {
    as_proto proto;
    size_t size[3]; /* n1, n2, n3 */
    size_t nb;      /* basis sites per prototype cell */
    size_t n;       /* sites = n1 n2 n3 nb */
    size_t n_shells;
    int A[9];    /* prototype cell, rows, integer frame */
    int adjA[9]; /* adjugate: A^-1 = adjA / detA */
    int detA;
    int u[AS_LATTICE_MAX_BASIS][3];     /* basis sites, integer frame */
    double fb[AS_LATTICE_MAX_BASIS][3]; /* basis sites, fractional in the prototype cell */
    int proto_species[AS_LATTICE_MAX_BASIS];
    double a_ang, c_ang;
    double pcell[9];                      /* prototype cell, Cartesian rows (Å) */
    double cell[9];                       /* supercell, Cartesian rows (Å) */
    double *pos;                          /* (n, 3) ideal Cartesian positions */
    size_t z[AS_LATTICE_MAX_SHELLS];      /* coordination per shell */
    int norm2[AS_LATTICE_MAX_SHELLS];     /* squared shell radius, integer frame */
    uint32_t *nbr[AS_LATTICE_MAX_SHELLS]; /* (n, z[s]) neighbour tables */
    /* translation table: site (c, b) moved by the vector from site 0 to a site of basis bk lands
     * on basis tr_b[b][bk] in cell c + c_k + tr_t[b][bk] */
    int tr_b[AS_LATTICE_MAX_BASIS][AS_LATTICE_MAX_BASIS];
    int tr_t[AS_LATTICE_MAX_BASIS][AS_LATTICE_MAX_BASIS][3];
    /* ---- general fcc supercells (as_lattice_create_fcc, src/lattice/fcc.c); general = 0 for
     * the prototype lattices above. Then proto = AS_PROTO_FCC, size = (1, 1, 1), nb = n. ---- */
    int general;
    int M[9];       /* supercell matrix over the primitive fcc basis */
    long S[9];      /* supercell rows, integer frame: S = M P_int */
    long H[9];      /* lower-triangular row Hermite form of S */
    long detS;      /* |det S| = 2 n */
    int32_t *canon; /* (detS) site of each canonical point, -1 if none */
    long (*iv)[3];  /* (n) integer-frame coordinates of the sites */
};

/* Site of a general lattice at integer-frame point (v0, v1, v2) (any even-sum point). */
size_t as_lat_gsite(const as_lattice *lat, long v0, long v1, long v2);
/* General-lattice versions used by sites.c and mc.c. */
void as_lat_general_free(as_lattice *lat);
as_status as_lat_general_match(const as_lattice *lat, const as_structure *s, const int *map,
                               const double *origin_frac, double tol_ang, int *config,
                               double *max_dev, size_t *worst);
int as_lat_general_same_up_to_translation(const as_lattice *lat, const int *a, const int *b);
/* Fractional coordinate (0 <= f < 1) of site i along cell vector k. */
double as_lat_site_frac(const as_lattice *lat, size_t i, int k);

/* Site index of cell (c0, c1, c2) (any integers, wrapped) and basis b. */
static inline size_t as_lat_site(const as_lattice *lat, long c0, long c1, long c2, size_t b)
{
    long n0 = (long)lat->size[0], n1 = (long)lat->size[1], n2 = (long)lat->size[2];
    c0 %= n0;
    c1 %= n1;
    c2 %= n2;
    if (c0 < 0)
        c0 += n0;
    if (c1 < 0)
        c1 += n1;
    if (c2 < 0)
        c2 += n2;
    return (((size_t)c0 * lat->size[1] + (size_t)c1) * lat->size[2] + (size_t)c2) * lat->nb + b;
}

/* Displacement vectors of shells 0..n_shells-1 in the integer frame (units a/2), in the order
 * of every neighbour table: the positive half, then the negation of each. z[s] vectors of
 * squared norm norm2[s] in vec[s]. AS_ENOMEM. */
as_status as_lat_shell_vectors(size_t n_shells, size_t *z, int *norm2, int (*vec)[64][3]);

/* mc.c: the slab-segregated start (species in xmask first along the longest cell vector, the
 * counts of base) and a shuffle of the species among the sites with sel[i] == key. */
as_status as_lat_slab_config(const as_lattice *lat, size_t K, const int *base, uint32_t xmask,
                             int *out);
as_status as_lat_shuffle_class(const as_lattice *lat, int *config, const unsigned char *sel,
                               unsigned char key, as_rng *rng);

/* Check species indices of config (n) against n_species. */
as_status as_lat_check_config(const as_lattice *lat, const int *config, size_t n_species);

#endif
