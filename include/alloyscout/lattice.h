/* alloyscout lattice area: atomic structures (cells with species), prototypes, supercells,
 * structure files, neighbour shells, short-range order, fingerprints and Monte Carlo.
 *
 * Conventions (docs/conventions.md): lengths in Å, energies in eV; lattice vectors are the ROWS
 * of cell[9] (cell[3*i + k] is component k of vector i); positions are Cartesian.
 * Warren-Cowley order of the pair (X, Y) in shell s (X, Y species or groups of species):
 *     alpha = 1 - N_XY(s) / (N_X z_s c_Y),    c_Y = N_Y / n,
 * with N_XY(s) the number of ordered (i in X, j in Y) neighbour pairs of shell s, every periodic
 * image counted, N_X the number of X sites and z_s the coordination of shell s. It equals
 * 1 - P_s(Y | X)/c_Y = 1 - P_s(X | Y)/c_X (seed 004, Methods, eq. 4). Negative: X-Y bonds are
 * preferred (ordering); positive: segregation; 0: random. Ordered L1_0: alpha_1 = -1/3. */
#ifndef ALLOYSCOUT_LATTICE_H
#define ALLOYSCOUT_LATTICE_H

#include "alloyscout/core.h"

#define AS_SYMBOL_MAX 4 /* chemical symbol plus terminator */

/* Smallest accepted thickness of a cell (the distance between opposite faces, V / |a_i x a_j|),
 * Å. Thinner cells (a flat or nearly singular lattice) are refused by every reader and by the
 * neighbour list before any arithmetic that converts widths to integers. */
#define AS_CELL_MIN_WIDTH_ANG 1e-3
/* AS_OK when the cell (lattice vectors as rows, Å) has finite entries and every thickness is
 * at least AS_CELL_MIN_WIDTH_ANG; else AS_EINVAL naming the lattice vector and the thickness. */
AS_API as_status as_cell_check(const double *cell);

/* A periodic atomic structure. Transparent: positions and species may be edited in place.
 * Create with as_structure_create, release with as_structure_free. */
typedef struct {
    size_t n;                       /* atoms */
    double cell[9];                 /* lattice vectors as rows, Å */
    double *pos;                    /* (n, 3) Cartesian positions, Å */
    int *species;                   /* (n) index into symbols */
    size_t n_symbols;               /* distinct species known to this structure */
    char (*symbols)[AS_SYMBOL_MAX]; /* (n_symbols) chemical symbols, "Pt", "Co" ... */
    double energy;                  /* total energy in eV when known, else NAN */
    int has_energy;
    /* ---- added by the lattice area (issue 3); all owned by the structure ---- */
    double *forces;     /* (n, 3) forces in eV/Å, NULL when absent */
    size_t n_info;      /* extra key=value pairs (extended XYZ comment line) */
    char **info_keys;   /* (n_info) keys */
    char **info_values; /* (n_info) values as text, without quotes */
} as_structure;

/* New structure with n atoms and room for n_symbols species, zeroed (energy NAN, no forces,
 * no info). AS_ENOMEM. */
AS_API as_status as_structure_create(size_t n, size_t n_symbols, as_structure **out);
/* Deep copy (forces and info included). AS_ENOMEM. */
AS_API as_status as_structure_copy(const as_structure *s, as_structure **out);
AS_API void as_structure_free(as_structure *s);
/* Set (replace or add) the info pair key=value; both are copied. Keys are non-empty and hold
 * no space, '=' or '"'; values hold no line break (CR or LF) (AS_EINVAL otherwise); the
 * extended-XYZ writer quotes and escapes what needs it. AS_ENOMEM. */
AS_API as_status as_structure_set_info(as_structure *s, const char *key, const char *value);
/* The value of key, or NULL. Borrowed: valid until the structure changes. */
AS_API const char *as_structure_get_info(const as_structure *s, const char *key);
/* Allocate s->forces as zeros when it is NULL. AS_ENOMEM. */
AS_API as_status as_structure_alloc_forces(as_structure *s);
/* Index of symbol sym in s->symbols, appending it when absent (s->symbols grows). AS_EINVAL
 * for a symbol that is not an element 1..103; AS_ENOMEM. */
AS_API as_status as_structure_add_symbol(as_structure *s, const char *sym, int *index);
/* Elements a structure may hold: Z = 1..103 (H..Lr) of core's element table (as_element_z). */
#define AS_LATTICE_Z_MAX 103
/* Atomic number 1..AS_LATTICE_Z_MAX of a chemical symbol ("Pt" -> 78; case-sensitive), 0 if
 * none: as_element_z restricted to the elements a structure may hold. */
AS_API int as_lattice_element_z(const char *sym);
/* Chemical symbol of atomic number z (1..AS_LATTICE_Z_MAX), NULL outside. */
AS_API const char *as_lattice_element_symbol(int z);

/* ---- structure files ---- */
/* Extended XYZ (ASE's format), any number of frames. Comment line: Lattice="9 numbers"
 * (required), Properties=species:S:1:pos:R:3[:forces:R:3] (other columns are skipped on read),
 * energy=E, pbc="T T T", other key=value pairs kept in info. Values may be quoted "..." or bare.
 * Errors name file:line (AS_EPARSE: wrong atom count, bad number, missing Lattice, unknown
 * element ...; AS_EIO). OUT: *frames is an array of *n_frames new structures, free with
 * as_structures_free; NULL / 0 on failure. A file with no frame is an error. */
AS_API as_status as_extxyz_read(const char *path, as_structure ***frames, size_t *n_frames);
/* Write frames to path atomically (numbers with %.17g, so reading back is exact). */
AS_API as_status as_extxyz_write(const char *path, as_structure *const *frames, size_t n);
/* Append one frame to an open stream. AS_EIO on a write error. */
AS_API as_status as_extxyz_write_frame(FILE *f, const as_structure *s);
/* Free an array of structures and the array itself; NULL is a no-op. */
AS_API void as_structures_free(as_structure **frames, size_t n);
/* VASP 5 POSCAR/CONTCAR: comment, scale (> 0 factor, < 0 volume in Å^3), three lattice rows,
 * species names, counts (any number of species blocks, a species may come back in a later
 * block as in ASE's unsorted files), optional "Selective dynamics" (flags ignored), Direct or
 * Cartesian, positions. The comment line becomes info "comment". AS_EPARSE with file:line,
 * AS_EIO. */
AS_API as_status as_poscar_read(const char *path, as_structure **out);
/* Write a POSCAR (scale 1). direct != 0: fractional coordinates, else Cartesian. Atoms keep
 * their order: consecutive runs of one species form one block, so a species may appear in
 * several blocks (as ASE writes unsorted files). */
AS_API as_status as_poscar_write(const char *path, const as_structure *s, int direct);
/* Read either format, told apart by content (a first line holding one atom count and a
 * second line that is not a lone number: extended XYZ, all frames; else POSCAR, one frame), so
 * the file may have any name. path "-" reads standard input (as do as_extxyz_read and
 * as_poscar_read). */
AS_API as_status as_structure_read_any(const char *path, as_structure ***frames, size_t *n);

/* ---- prototypes and the ideal lattice ---- */
/* Every prototype is a decoration of the fcc lattice. Species are numbered by the prototype:
 *   AS_PROTO_FCC     A1, conventional cubic cell a x a x a, 4 sites, 1 sublattice (species 0).
 *   AS_PROTO_L10     L1_0 (P4/mmm), primitive tetragonal cell a/sqrt2 x a/sqrt2 x c, 2 sites:
 *                    species 0 at (0,0,0), species 1 at (1/2,1/2,1/2).  PtCo: Pt,Co.
 *   AS_PROTO_L12     L1_2 (Pm-3m), cubic a x a x a, 4 sites: species 0 on the three face centres,
 *                    species 1 on the corner (A3B, e.g. Pt3Co: Pt,Co).
 *   AS_PROTO_PT2COM  the L1_0 cell doubled along a: 2a/sqrt2 x a/sqrt2 x c, 4 sites: species 0
 *                    at (0,0,0) and (1/2,0,0), species 1 at (1/4,1/2,1/2), species 2 at
 *                    (3/4,1/2,1/2) (Pt2CoM: Pt,Co,M). 3x3x3 = 108 sites, 54/27/27. */
typedef enum { AS_PROTO_FCC = 0, AS_PROTO_L10, AS_PROTO_L12, AS_PROTO_PT2COM } as_proto;
/* Parse "fcc"/"a1", "l10", "l12", "pt2com" (case-insensitive). AS_EINVAL. */
AS_API as_status as_proto_parse(const char *name, as_proto *out);
AS_API const char *as_proto_name(as_proto p);
/* Number of species the prototype places (fcc 1, L1_0 2, L1_2 2, Pt2CoM 3). */
AS_API size_t as_proto_n_species(as_proto p);

#define AS_LATTICE_MAX_SPECIES 8
#define AS_LATTICE_MAX_SHELLS 8

typedef struct {
    double a_ang;    /* cubic fcc lattice constant a, Å (in-plane a for tetragonal cells). 3.80 */
    double c_ang;    /* c of the tetragonal prototypes (L1_0, Pt2CoM), Å; 0 means c = a. 0 */
    size_t n_shells; /* neighbour shells tabulated (1..8). 3 */
} as_lattice_options;
AS_API as_lattice_options as_lattice_options_default(void);

/* The ideal lattice of one supercell: sites, their ideal positions, and per shell a neighbour
 * table built on the fcc parent lattice with a cubic metric, so tetragonality or relaxation
 * never splits a shell. Every periodic image counts: in a 1x1x1 cell a site may appear several
 * times in another's (or its own) list. A configuration of this cell is an int array of species
 * indices over the sites. Sites are ordered cell by cell (n1 outermost, n3 innermost), then
 * basis site, like ASE's Atoms.repeat. Immutable after creation; safe to share across threads. */
typedef struct as_lattice as_lattice;
/* size[3]: repetitions n1, n2, n3 >= 1 of the prototype cell. AS_EINVAL (bad size, options),
 * AS_ENOMEM. */
AS_API as_status as_lattice_create(as_proto proto, const size_t size[3],
                                   const as_lattice_options *opt, as_lattice **out);
AS_API void as_lattice_free(as_lattice *lat);
AS_API size_t as_lattice_n_sites(const as_lattice *lat);
AS_API size_t as_lattice_n_shells(const as_lattice *lat);
AS_API as_proto as_lattice_proto(const as_lattice *lat);
/* Coordination z_s of shell s (0-based: shell 1 of the papers is s = 0); fcc: 12, 6, 24, 12 ...*/
AS_API size_t as_lattice_shell_size(const as_lattice *lat, size_t s);
/* Ideal radius of shell s in units of a (sqrt(1/2), 1, sqrt(3/2) ...). */
AS_API double as_lattice_shell_radius(const as_lattice *lat, size_t s);
/* Neighbour table of shell s: (n_sites, z_s) row-major site indices. The first z_s/2 columns are
 * the displacement vectors d of one half, column k + z_s/2 holds -d of column k. Borrowed. */
AS_API const uint32_t *as_lattice_neighbours(const as_lattice *lat, size_t s);
/* Supercell lattice vectors (rows, Å) and ideal Cartesian site positions (n, 3). Borrowed. */
AS_API const double *as_lattice_cell(const as_lattice *lat);
AS_API const double *as_lattice_positions(const as_lattice *lat);
/* The prototype's own decoration (species 0 .. as_proto_n_species - 1) into config (n). For fcc
 * every site gets species 0. */
AS_API void as_lattice_prototype_config(const as_lattice *lat, int *config);
/* A structure of this cell with species config (n) and symbols (n_species). strain: NULL or a
 * 3x3 strain eps (row-major); the cell becomes cell (I + eps) and fractional positions are kept.
 * The structure records info proto, size and species_order. AS_EINVAL for a species index out of
 * range or a bad symbol; AS_ENOMEM. */
AS_API as_status as_lattice_to_structure(const as_lattice *lat, const int *config,
                                         const char (*symbols)[AS_SYMBOL_MAX], size_t n_species,
                                         const double *strain, as_structure **out);
/* Match the atoms of s (ideal or relaxed, same cell shape up to strain) to the lattice sites by
 * fractional position, and write config[site] = index into symbols of the atom's species.
 * tol: largest allowed distance of an atom from its site as a fraction of the first-neighbour
 * distance (0.35 is safe for relaxed cells). AS_EINVAL: atom count differs, an atom is too far
 * from every site, two atoms claim one site, or a species is not in symbols. */
AS_API as_status as_lattice_match(const as_lattice *lat, const as_structure *s,
                                  const char (*symbols)[AS_SYMBOL_MAX], size_t n_species,
                                  double tol, int *config);
/* 1 when configurations a and b (n sites) are equal up to a translation of the lattice (by any
 * fcc vector, i.e. any site onto any other), else 0. Early-exit compare; O(n) typically. */
AS_API int as_lattice_same_up_to_translation(const as_lattice *lat, const int *a, const int *b);

/* ---- short-range order and fingerprints ---- */
/* A pair of species groups: bit p of x (y) set when species p belongs to group X (Y). */
typedef struct {
    uint32_t x, y;
} as_sro_pair;
/* Parse "Pt-Co", "Pt-(Co,Cu)", "(Co,Cu)-Pt" against symbols, optionally followed by "=value"
 * (value may be NULL when no value is wanted; then "=..." is an error). AS_EINVAL naming the
 * text. */
AS_API as_status as_sro_pair_parse(const char *text, const char (*symbols)[AS_SYMBOL_MAX],
                                   size_t n_species, as_sro_pair *pair, double *value,
                                   int *has_value);
/* The text of pair, the form as_sro_pair_parse reads: "Pt-Co", a group of several in
 * parentheses "Pt-(Co,Cu)" (species in symbols' order; bits at or above n_species, at most
 * AS_LATTICE_MAX_SPECIES, are ignored). Writes at most cap - 1 characters and a terminator to
 * buf (cap > 0); returns the length of the whole text, as snprintf does. */
AS_API size_t as_sro_pair_format(as_sro_pair pair, const char (*symbols)[AS_SYMBOL_MAX],
                                 size_t n_species, char *buf, size_t cap);
/* The host-(rest) pair: species 0 against every other of n_species ("Pt-(Co,M)"). */
AS_API as_sro_pair as_sro_pair_host(size_t n_species);
/* Ordered pair counts: counts[(s * K + p) * K + q] = number of (i, j) with config[i] = p,
 * j a shell-s neighbour of i (images counted), config[j] = q, for s < n_shells, K = n_species
 * (<= AS_LATTICE_MAX_SPECIES). Symmetric in p, q. No allocation. AS_EINVAL for a species out of
 * range. */
AS_API as_status as_lattice_pair_counts(const as_lattice *lat, const int *config, size_t n_species,
                                        uint64_t *counts);
/* Warren-Cowley alpha of pair in shell s (0-based). NAN when group X or Y is empty. AS_EINVAL. */
AS_API as_status as_lattice_sro(const as_lattice *lat, const int *config, size_t n_species,
                                as_sro_pair pair, size_t s, double *alpha);
/* Length of the fingerprint for K species and 3 shells: 3 P + P + K with P = K(K-1)/2
 * (K = 3: 15, K = 2: 6). */
AS_API size_t as_fingerprint_dim(size_t n_species);
/* The paper's fingerprint into out (as_fingerprint_dim): first alpha of every unordered pair
 * (p, q), p < q, in the order (0,1), (0,2), ..., (1,2), ... with shells 1, 2, 3 innermost
 * (K = 3: Pt-Co s1 s2 s3, Pt-M s1 s2 s3, Co-M s1 s2 s3), then the number of first-shell bonds
 * (unordered, images counted) of the same unlike pairs in the same order, then of the like pairs
 * (0,0), (1,1), ... (Pt-Pt, Co-Co, M-M). Needs n_shells >= 3. No allocation. AS_EINVAL. */
AS_API as_status as_lattice_fingerprint(const as_lattice *lat, const int *config, size_t n_species,
                                        double *out);
/* Name of fingerprint entry idx into buf ("alpha1_Pt-Co", "bonds_Pt-Pt"). AS_EINVAL. */
AS_API as_status as_fingerprint_name(const char (*symbols)[AS_SYMBOL_MAX], size_t n_species,
                                     size_t idx, char *buf, size_t cap);

/* ---- any fcc supercell, and finding the fcc lattice of a structure (src/lattice/fcc.c) ---- */
/* The primitive fcc basis of this library, in units of the cubic lattice constant a:
 *     p1 = (0, 1/2, 1/2),  p2 = (1/2, 0, 1/2),  p3 = (1/2, 1/2, 0)   (rows of P).
 * A supercell matrix M (integer, row-major, det M != 0) gives the cell M P with |det M| sites;
 * the conventional cubic cell is M = (-1 1 1 / 1 -1 1 / 1 1 -1). */
/* The ideal lattice of the supercell M P with cubic constant opt->a_ang (c_ang is ignored) and
 * opt->n_shells shells. Sites are ordered by their integer coordinates (units a/2) reduced into
 * the cell; every function of the lattice API accepts the result (as_lattice_proto gives
 * AS_PROTO_FCC; the structure it writes records info "supercell" = M instead of "size").
 * AS_EINVAL (det M = 0, more than 2^31 sites, bad options), AS_ENOMEM. */
AS_API as_status as_lattice_create_fcc(const int M[9], const as_lattice_options *opt,
                                       as_lattice **out);
/* Supercell matrix of a lattice made by as_lattice_create_fcc into M (9); 0 for a prototype
 * lattice (M untouched), 1 otherwise. */
AS_API int as_lattice_supercell(const as_lattice *lat, int M[9]);

/* Largest distance of an atom from its ideal site, as a fraction of the nearest-neighbour
 * distance, accepted by default when structures are matched to a lattice. */
#define AS_LATTICE_SITE_TOL_FRAC 0.35

typedef struct {
    double site_tol_frac; /* largest distance of an atom from its site, in nearest-neighbour
                             distances. AS_LATTICE_SITE_TOL_FRAC */
    double max_strain;    /* largest principal stretch |lambda - 1| of the cell's lattice from the
                             ideal fcc lattice of the same volume (bcc is 0.21 away). 0.1 */
} as_fcc_options;
AS_API as_fcc_options as_fcc_options_default(void);

/* What as_fcc_find learnt about a structure. */
typedef struct {
    int M[9];         /* supercell matrix: cell = M P' with P' the primitive basis below */
    double prim[9];   /* P': primitive fcc vectors of the structure's lattice (rows, Å, the
                             structure's own frame and strain); the ideal lattice is M P */
    double a_ang;     /* cubic constant of the ideal fcc lattice of the cell's volume:
                             a = (4 V / n)^(1/3) */
    double dnn_ang;   /* nearest-neighbour distance a / sqrt 2 */
    double strain;    /* largest principal stretch deviation of P' from ideal */
    double origin[3]; /* fractional coordinates (in the cell) of the site lattice's origin */
    size_t n_sites;   /* |det M| = number of atoms */
} as_fcc_cell;

/* Find the fcc lattice on which the atoms of s sit: the nearest-neighbour vectors (clustered
 * from the displacements of up to 16 atoms to all atoms and their periodic images), the
 * primitive basis among them closest to an ideal fcc basis, the integer supercell matrix of the
 * cell, and the origin that puts most atoms on sites. Works for primitive, conventional and
 * non-orthogonal cells, any integer supercell matrix, atoms outside the cell and 1-atom cells.
 * AS_EINVAL with the reason when s is not an fcc arrangement with one atom per site: not 12
 * nearest-neighbour directions, strain above opt->max_strain, a cell that is not an integer
 * supercell, a site count that differs from the atom count. Atoms far from their sites are
 * reported by as_lattice_from_structure. opt may be NULL (defaults). */
AS_API as_status as_fcc_find(const as_structure *s, const as_fcc_options *opt, as_fcc_cell *out);

/* as_fcc_find, then the ideal lattice (as_lattice_create_fcc with a = cell.a_ang and n_shells
 * shells), then every atom mapped to its site: config (s->n, caller-allocated) receives, per
 * site, the index into symbols (n_species) of the atom's species. AS_EINVAL naming the atom,
 * its species and its distance from the nearest site when it is farther than
 * opt->site_tol_frac nearest-neighbour distances; two atoms on one site; a species that is not
 * in symbols. OUT: *lat (free with as_lattice_free), NULL on failure; cell may be NULL. */
AS_API as_status as_lattice_from_structure(const as_structure *s,
                                           const char (*symbols)[AS_SYMBOL_MAX], size_t n_species,
                                           const as_fcc_options *opt, size_t n_shells,
                                           as_lattice **lat, int *config, as_fcc_cell *cell);

/* ---- intensive features of any fcc configuration (src/lattice/features.c) ---- */
/* For K species in a fixed order, S shells (1 <= S <= the lattice's shells) and optionally the
 * nearest-neighbour triangles, the vector (as_fcc_features_dim entries):
 *   c_p                 K concentrations N_p / n
 *   bondfrac{s}_p-q     for each shell s, each unordered pair p <= q: the fraction of the
 *                       shell's n z_s / 2 bonds (images counted) that join p and q (sums to 1)
 *   pcf{s}_p-q          for each shell, each p < q: pair correlation P_s(p, q) - c_p c_q, with
 *                       P_s(p, q) the fraction of ordered shell-s neighbour pairs (i, j) with i
 *                       of p and j of q; 0 in a pure or random frame, always defined
 *   alpha{s}_p-q        for each shell, each p < q: Warren-Cowley 1 - P_s(p, q) / (c_p c_q)
 *                       = -pcf / (c_p c_q); NAN when c_p or c_q is 0
 *   trip_p-q-r          (triplets != 0) for each p <= q <= r: the fraction of the 8 n
 *                       nearest-neighbour triangles whose corners hold p, q, r
 * Every entry is a quotient of integer counts rounded once, so equal configurations in
 * different cells give bit-identical vectors. No allocation. AS_EINVAL (species out of range,
 * shells). */
AS_API size_t as_fcc_features_dim(size_t n_species, size_t n_shells, int triplets);
AS_API as_status as_fcc_features(const as_lattice *lat, const int *config, size_t n_species,
                                 size_t n_shells, int triplets, double *out);
/* Column name of entry idx ("c_Cu", "bondfrac1_Cu-Ni", "pcf2_Cu-Ni", "alpha1_Cu-Ni",
 * "trip_Cu-Cu-Ni") into buf. AS_EINVAL. */
AS_API as_status as_fcc_features_name(const char (*symbols)[AS_SYMBOL_MAX], size_t n_species,
                                      size_t n_shells, int triplets, size_t idx, char *buf,
                                      size_t cap);

/* ---- configurations and Monte Carlo towards a target order ---- */
/* Random arrangement with counts[p] sites of species p (sum = n sites). AS_EINVAL. */
AS_API as_status as_lattice_random_config(const as_lattice *lat, const size_t *counts,
                                          size_t n_species, as_rng *rng, int *config);
/* The ordered configuration of the screen: species 0 on the prototype's species-0 sublattice
 * (for L1_0 and Pt2CoM: the Pt layers, alpha^{Pt-(others)}_1 = -1/3), the other species at the
 * prototype's counts shuffled over the remaining sites. AS_EINVAL. */
AS_API as_status as_lattice_ordered_config(const as_lattice *lat, size_t n_species, as_rng *rng,
                                           int *config);

typedef struct {
    double temperature; /* Metropolis temperature on |N - N*| (pair counts) during the walk. 2 */
    size_t walk_sweeps; /* attempted swaps per site in the decorrelating walk. 20 */
    size_t max_sweeps;  /* attempted swaps per site in the final descent before giving up. 500 */
    size_t max_tries;   /* attempts to find a configuration distinct from the earlier ones. 50 */
    double warn_tol;    /* warn when the nearest reachable alpha misses the target by more. 1e-3 */
} as_mc_options;
AS_API as_mc_options as_mc_options_default(void);

/* Monte Carlo state for one lattice and one target pair in one shell: the configuration, per-site
 * group flags, the current pair count N_XY and site lists for O(1) move proposals. A swap's
 * change of N_XY is computed from the two sites' neighbour lists: O(z), independent of n. */
typedef struct as_mc as_mc;
/* shell: 0-based. config (n): copied. AS_EINVAL (species out of range, empty group), AS_ENOMEM.*/
AS_API as_status as_mc_create(const as_lattice *lat, size_t n_species, as_sro_pair pair,
                              size_t shell, const int *config, as_mc **out);
AS_API void as_mc_free(as_mc *mc);
/* Current configuration (n). Borrowed; changes with every accepted swap. */
AS_API const int *as_mc_config(const as_mc *mc);
/* Current N_XY and alpha. */
AS_API int64_t as_mc_pair_count(const as_mc *mc);
AS_API double as_mc_alpha(const as_mc *mc);
/* alpha for a pair count N, and the pair count whose alpha is nearest to alpha among the
 * reachable ones (N_XY has the parity of the cell's counts; clamped to [0, N_X z]). */
AS_API double as_mc_alpha_of(const as_mc *mc, int64_t count);
AS_API int64_t as_mc_nearest_count(const as_mc *mc, double alpha);
/* Change of N_XY if sites a and b were swapped (0 for equal species). */
AS_API int64_t as_mc_swap_delta(const as_mc *mc, size_t a, size_t b);
/* Swap sites a and b and update N_XY. */
AS_API void as_mc_swap(as_mc *mc, size_t a, size_t b);
/* n_attempts proposals of swapping a random X site with a random non-X site, accepted by
 * Metropolis on E = |N_XY - target| at temperature temp (temp 0: only moves with dE <= 0).
 * Stops early when stop_at_target and N_XY == target. *accepted (may be NULL) += accepted. */
AS_API void as_mc_sweep(as_mc *mc, int64_t target, double temp, size_t n_attempts,
                        int stop_at_target, as_rng *rng, size_t *accepted);
/* Replace the configuration (n) and recompute N_XY. AS_EINVAL. */
AS_API as_status as_mc_set_config(as_mc *mc, const int *config);

/* ---- the configurations callers start from ---- */
/* The base arrangement of n_species on lat, config (n) OUT: the prototype's decoration
 * (as_lattice_prototype_config), except that fcc with several species gets a random equal split
 * (the remainder to the first species) drawn from rng. AS_EINVAL. */
AS_API as_status as_lattice_base_config(const as_lattice *lat, size_t n_species, as_rng *rng,
                                        int *config);
/* The paper's 22 starting structures (seed 004 Methods): alpha of the host-(rest) pair at
 * AS_LATTICE_PAPER_LEVELS levels, -2/6, -1/6, 0, 1/6, 2/6, 3/6, 4/6, with 1, 4, 4, 4, 4, 4, 1
 * configurations. as_lattice_paper_alpha(level) (NAN past the last level) and
 * as_lattice_paper_count(level) (0 past it). */
#define AS_LATTICE_PAPER_LEVELS 7
AS_API double as_lattice_paper_alpha(size_t level);
AS_API size_t as_lattice_paper_count(size_t level);
/* The species of s in the order a fingerprint uses when the file does not say: by count, most
 * first, ties by first appearance. symbols: room for AS_LATTICE_MAX_SPECIES, OUT with
 * *n_species. AS_EINVAL for more than AS_LATTICE_MAX_SPECIES species. */
AS_API as_status as_structure_species_order(const as_structure *s, char (*symbols)[AS_SYMBOL_MAX],
                                            size_t *n_species);
/* The cubic supercell k x k x k of proto that holds n_atoms sites, into size[3]. AS_EINVAL when
 * n_atoms is no such cube. */
AS_API as_status as_proto_cube_size(as_proto proto, size_t n_atoms, size_t size[3]);

/* Generate count configurations of the composition of base (n) whose alpha of pair in shell 0
 * equals the reachable value nearest to target_alpha (as_log warns when that misses the target
 * by more than opt->warn_tol), each distinct from the others (and from the `n_prev` rows of
 * prev, may be NULL) up to a lattice translation. Arrangements inside groups that leave alpha
 * unchanged (Co/M when the pair is Pt-(Co,M)) are shuffled at random. The start of each chain is
 * the base arrangement, a random one, or a slab-segregated one, whichever alpha is nearest the
 * target. configs: (count, n) OUT. achieved (may be NULL): the alpha reached. AS_ENOCONV when a
 * configuration cannot be reached or made distinct within the options' limits; AS_EINVAL. */
AS_API as_status as_lattice_generate(const as_lattice *lat, size_t n_species, const int *base,
                                     as_sro_pair pair, double target_alpha, size_t count,
                                     const int *prev, size_t n_prev, const as_mc_options *opt,
                                     as_rng *rng, int *configs, double *achieved);

/* ---- compositions, multi-shell multi-pair targets, reachable ranges (src/lattice/targets.c) --*/
/* Site counts (K) of species with fractions frac (K, >= 0, any positive sum: normalized) on
 * n_sites sites, by largest remainder (ties to the lower index); *max_dev (may be NULL) gets the
 * largest |count / n - fraction|. AS_EINVAL (negative, non-finite or all-zero fractions). */
AS_API as_status as_lattice_counts_for_fractions(size_t n_sites, const double *frac, size_t K,
                                                 size_t *counts, double *max_dev);
/* The configuration of a prototype lattice's decoration changed to the given counts (K, sum =
 * sites): sites of species in excess (taken at random) become species in deficit, lowest index
 * first. For fcc (one species) this is a random arrangement. AS_EINVAL. */
AS_API as_status as_lattice_config_with_counts(const as_lattice *lat, const size_t *counts,
                                               size_t K, as_rng *rng, int *config);

/* One short-range-order target: Warren-Cowley alpha of pair in shell (0-based). */
typedef struct {
    as_sro_pair pair;
    size_t shell;
    double alpha;
} as_sro_target;
/* Parse targets "X-Y[@S]=A[,X-Y[@S]=A ...]" (S: shell 1..8, default 1; X, Y species or groups as
 * for as_sro_pair_parse, e.g. 'Ag-Pd@1=-0.1,Ag-Pd@2=0.05' or 'Pt-(Co,Cu)=0.1667') into out (up
 * to cap). AS_EINVAL naming the item. */
AS_API as_status as_sro_targets_parse(const char *text, const char (*symbols)[AS_SYMBOL_MAX],
                                      size_t n_species, as_sro_target *out, size_t cap, size_t *n);

/* Estimate the reachable range of alpha of pair in shell for the composition of base (n): the
 * starts base, random and slab-segregated, then Monte Carlo that drives the pair count to its
 * largest and smallest values (annealed from opt->temperature to 0, opt->max_sweeps sweeps). A
 * lower bound on the true range: what this search cannot reach, as_lattice_generate does not
 * either. lo_config / hi_config (n each, may be NULL) get the extreme configurations. rng: a
 * stream of its own, so the caller's other draws do not change. AS_EINVAL (empty group). */
AS_API as_status as_lattice_sro_range(const as_lattice *lat, size_t n_species, const int *base,
                                      as_sro_pair pair, size_t shell, const as_mc_options *opt,
                                      as_rng *rng, double *lo, double *hi, int *lo_config,
                                      int *hi_config);

/* Like as_lattice_generate for several targets at once (pairs and shells): Monte Carlo swaps of
 * any two unlike sites with Metropolis acceptance on E = sum_t |N_t - N_t*| (pair counts; N_t*
 * the reachable count nearest to each alpha, a warning when that misses by more than
 * opt->warn_tol), a walk at opt->temperature, then a descent at 0. Sites of species that every
 * target treats alike are shuffled among themselves. configs (count, n) OUT, distinct from each
 * other and from prev (n_prev, n) up to translation; achieved (count, n_targets, may be NULL).
 * AS_ENOCONV when the targets are not reached together: the message names the nearest
 * combination reached ("Ag-Pd@1=-0.0952,Ag-Pd@2=0.0417"); AS_EINVAL. */
AS_API as_status as_lattice_generate_targets(const as_lattice *lat, size_t n_species,
                                             const char (*symbols)[AS_SYMBOL_MAX], const int *base,
                                             const as_sro_target *targets, size_t n_targets,
                                             size_t count, const int *prev, size_t n_prev,
                                             const as_mc_options *opt, as_rng *rng, int *configs,
                                             double *achieved);

#endif
