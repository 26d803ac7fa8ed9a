/* Small structure builders and a LAMMPS runner shared by the oracle tests (header-only). */
#ifndef ORACLE_TEST_UTIL_H
#define ORACLE_TEST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloyscout/alloyscout.h"

/* fcc supercell (nx, ny, nz conventional cells of edge a, c/a = ca) with species from fn */
static inline as_structure *tu_fcc(double a, double ca, int nx, int ny, int nz,
                                   const char *const *syms, size_t nsym)
{
    size_t n = 4u * (size_t)(nx * ny * nz);
    as_structure *s;
    if (as_structure_create(n, nsym, &s) != AS_OK)
        return NULL;
    for (size_t k = 0; k < nsym; k++)
        snprintf(s->symbols[k], AS_SYMBOL_MAX, "%s", syms[k]);
    s->n_symbols = nsym;
    memset(s->cell, 0, sizeof s->cell);
    s->cell[0] = a * nx;
    s->cell[4] = a * ny;
    s->cell[8] = a * ca * nz;
    static const double b[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    size_t i = 0;
    for (int x = 0; x < nx; x++)
        for (int y = 0; y < ny; y++)
            for (int z = 0; z < nz; z++)
                for (int q = 0; q < 4; q++, i++) {
                    s->pos[3 * i] = (x + b[q][0]) * a;
                    s->pos[3 * i + 1] = (y + b[q][1]) * a;
                    s->pos[3 * i + 2] = (z + b[q][2]) * a * ca;
                    s->species[i] = 0;
                    /* L1_0 layering along z: planes z = 0 species 0, z = 1/2 species 1 */
                    if (nsym >= 2 && b[q][2] == 0.5)
                        s->species[i] = 1;
                }
    return s;
}

/* Random species (weights w) and random displacements of amplitude amp (Å) */
static inline void tu_shuffle(as_structure *s, as_rng *rng, const double *w, double amp)
{
    for (size_t i = 0; i < s->n; i++) {
        if (w) {
            double u = as_rng_uniform(rng), c = 0;
            int k = 0;
            for (; k < (int)s->n_symbols - 1; k++) {
                c += w[k];
                if (u < c)
                    break;
            }
            s->species[i] = k;
        }
        for (int d = 0; d < 3; d++)
            s->pos[3 * i + d] += amp * (2.0 * as_rng_uniform(rng) - 1.0);
    }
}

/* Write a LAMMPS data file for an orthogonal or restricted-triclinic cell (cell must already be
 * in that form: a along x, b in the xy plane). Types follow s->symbols order. */
static inline int tu_write_data(const as_structure *s, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "alloyscout test\n\n%zu atoms\n%zu atom types\n\n", s->n, s->n_symbols);
    fprintf(f, "0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n", s->cell[0], s->cell[4],
            s->cell[8]);
    if (s->cell[3] != 0 || s->cell[6] != 0 || s->cell[7] != 0)
        fprintf(f, "%.17g %.17g %.17g xy xz yz\n", s->cell[3], s->cell[6], s->cell[7]);
    fprintf(f, "\nMasses\n\n");
    for (size_t k = 0; k < s->n_symbols; k++)
        fprintf(f, "%zu 1.0\n", k + 1);
    fprintf(f, "\nAtoms # atomic\n\n");
    for (size_t i = 0; i < s->n; i++)
        fprintf(f, "%zu %d %.17g %.17g %.17g\n", i + 1, s->species[i] + 1, s->pos[3 * i],
                s->pos[3 * i + 1], s->pos[3 * i + 2]);
    return fclose(f);
}

/* Run /usr/bin/lmp on the input file `in` (env: words before the command, "" for none), then
 * read the energy it printed to `thermo` and the rows "id [pe] fx fy fz" of its sorted custom
 * dump `dump` (with the pe column when e_atom is not NULL): *energy, e_atom (n), forces (n, 3).
 * 0, or -2 (lmp failed), -3 (no energy), -4 (no dump), -5 (not every atom in the dump). */
static inline int tu_lammps_finish(const as_structure *s, const char *env, const char *in,
                                   const char *thermo, const char *dump, double *energy,
                                   double *e_atom, double *forces)
{
    char cmd[4096];
#if defined(__SANITIZE_ADDRESS__)
    /* lmp may load our KIM module, built with the sanitizers here: their runtimes go first
     * (alloc_dealloc_mismatch=0: Debian's KIM MEAM driver, see the Makefile's asan target) */
    const char *pre = "LD_PRELOAD=\"$(cc -print-file-name=libasan.so) "
                      "$(cc -print-file-name=libubsan.so)\" "
                      "ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0 ";
#else
    const char *pre = "";
#endif
    snprintf(cmd, sizeof cmd, "%s%s%s/usr/bin/lmp -in %s -log none -screen none > /dev/null 2>&1",
             pre, env, *env ? " " : "", in);
    if (system(cmd) != 0)
        return -2;
    FILE *f = fopen(thermo, "r");
    if (!f || fscanf(f, "%lf", energy) != 1)
        return -3;
    fclose(f);
    f = fopen(dump, "r");
    if (!f)
        return -4;
    char line[1024];
    int in_atoms = 0;
    size_t got = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "ITEM: ATOMS", 11)) {
            in_atoms = 1;
            continue;
        }
        if (!in_atoms)
            continue;
        long id;
        double pe = 0, fx, fy, fz;
        int ok = e_atom ? sscanf(line, "%ld %lf %lf %lf %lf", &id, &pe, &fx, &fy, &fz) == 5
                        : sscanf(line, "%ld %lf %lf %lf", &id, &fx, &fy, &fz) == 4;
        if (!ok || id < 1 || (size_t)id > s->n)
            break;
        if (e_atom)
            e_atom[id - 1] = pe;
        forces[3 * (id - 1)] = fx;
        forces[3 * (id - 1) + 1] = fy;
        forces[3 * (id - 1) + 2] = fz;
        got++;
    }
    fclose(f);
    return got == s->n ? 0 : -5;
}

/* Run /usr/bin/lmp on s with pair_style eam/alloy and the setfl file; fills e_atom (n) and
 * forces (n, 3) and *energy. Returns 0 on success. dir: scratch directory. */
static inline int tu_run_lammps(const as_structure *s, const char *setfl, const char *dir,
                                double *energy, double *e_atom, double *forces)
{
    char data[512], in[512], dump[512], thermo[512];
    snprintf(data, sizeof data, "%s/cell.data", dir);
    snprintf(in, sizeof in, "%s/in.eam", dir);
    snprintf(dump, sizeof dump, "%s/dump.txt", dir);
    snprintf(thermo, sizeof thermo, "%s/energy.txt", dir);
    if (tu_write_data(s, data))
        return -1;
    FILE *f = fopen(in, "w");
    if (!f)
        return -1;
    fprintf(f,
            "units metal\natom_style atomic\nboundary p p p\natom_modify map array\n"
            "read_data %s\npair_style eam/alloy\npair_coeff * * %s",
            data, setfl);
    for (size_t k = 0; k < s->n_symbols; k++)
        fprintf(f, " %s", s->symbols[k]);
    fprintf(f,
            "\nneighbor 1.0 bin\ncompute pe all pe/atom\n"
            "dump d all custom 1 %s id c_pe fx fy fz\n"
            "dump_modify d sort id format float %%.17g\n"
            "thermo_style custom step pe\nthermo_modify format float %%.17g\n"
            "variable e equal pe\nrun 0\nprint \"${e}\" file %s\n",
            dump, thermo);
    fclose(f);
    return tu_lammps_finish(s, "", in, thermo, dump, energy, e_atom, forces);
}

#endif
