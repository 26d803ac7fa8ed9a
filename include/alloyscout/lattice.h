/* alloyscout lattice area: atomic structures (cells with species), prototypes, supercells,
 * structure files, neighbour shells, short-range order, fingerprints and Monte Carlo.
 *
 * Conventions (docs/conventions.md): lengths in Å, energies in eV; lattice vectors are the ROWS
 * of cell[9] (cell[3*i + k] is component k of vector i); positions are Cartesian. */
#ifndef ALLOYSCOUT_LATTICE_H
#define ALLOYSCOUT_LATTICE_H

#include "alloyscout/core.h"

#define AS_SYMBOL_MAX 4 /* chemical symbol plus terminator */

/* A periodic atomic structure. Transparent: positions and species may be edited in place.
 * Create with as_structure_create, release with as_structure_free. */
typedef struct {
    size_t n;               /* atoms */
    double cell[9];         /* lattice vectors as rows, Å */
    double *pos;            /* (n, 3) Cartesian positions, Å */
    int *species;           /* (n) index into symbols */
    size_t n_symbols;       /* distinct species known to this structure */
    char (*symbols)[AS_SYMBOL_MAX]; /* (n_symbols) chemical symbols, "Pt", "Co" ... */
    double energy;          /* total energy in eV when known, else NAN */
    int has_energy;
} as_structure;

/* New structure with n atoms and room for n_symbols species, zeroed (energy NAN). */
AS_API as_status as_structure_create(size_t n, size_t n_symbols, as_structure **out);
/* Deep copy. */
AS_API as_status as_structure_copy(const as_structure *s, as_structure **out);
AS_API void as_structure_free(as_structure *s);

#endif
