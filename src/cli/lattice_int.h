/* What the lattice subcommands (src/cli/lattice.c: build, convert; lattice_generate.c:
 * generate) write alike: the structure file of a set of configurations, its JSON summary and
 * the choice of POSCAR. Implemented in src/cli/lattice_out.c. */
#ifndef AS_CLI_LATTICE_INT_H
#define AS_CLI_LATTICE_INT_H

#include "cli.h"

/* The cell and species that configurations of a lattice command stand on, and where they go. */
typedef struct {
    const as_lattice *lat;
    as_proto proto;
    const size_t *size;               /* (3) repetitions of the prototype cell */
    const int *supercell;             /* (9) a general fcc supercell matrix, or NULL: size */
    const char (*sym)[AS_SYMBOL_MAX]; /* (K) species in the lattice's order */
    size_t K;
    unsigned long long seed;
    const char *out, *format; /* structure file; --format (NULL: from out's name) */
    int cartesian;            /* POSCAR with Cartesian coordinates */
} cli_lattice_out;

/* Whether a structure goes out as POSCAR: --format poscar, else a name with POSCAR or CONTCAR in
 * it or ending in .vasp / .poscar (any case). */
int cli_lattice_use_poscar(const char *format, const char *out);

/* Write configs (count, n sites) to w->out: extended XYZ frames, or a POSCAR of one. Info per
 * frame: config (its index), kind (kinds[c], unless kinds is NULL), and for K >= 2 sro_pair (pr)
 * and sro_alpha1, then sro_targets when targets_text is not NULL. */
as_status cli_lattice_write_frames(const cli_lattice_out *w, const int *configs, size_t count,
                                   const char *const *kinds, as_sro_pair pr,
                                   const char *targets_text);

/* The JSON summary of configs at path (as_outfile: complete or absent): proto, size or
 * supercell, sites, seed, elements, sro_pair, target_alpha (when target is not NULL), and per
 * configuration the species counts and alpha1 of pr (null when undefined or K < 2). 0, or the
 * printed error and 1. */
int cli_lattice_write_json(const cli_lattice_out *w, const char *path, const int *configs,
                           size_t count, as_sro_pair pr, const double *target);

#endif
