/* Benchmark of the native EAM (Zhou 2004 Pt-Co-Cu tables) against LAMMPS on the same cells:
 *   cells   K separate 108-atom cells, one energy + forces each (neighbour list built each time)
 *   big     one 256 000-atom cell, S steps of velocity Verlet (energy + forces per step, list
 *           with a 0.3 Å skin as LAMMPS's `neighbor 0.3 bin`)
 *   relax   FIRE relaxation of one 108-atom cell to fmax 0.03 eV/Å
 * usage: bench_oracle DIR [K] [S]. Writes DIR/PtCoCu.eam.alloy, DIR/cell_<k>.data, DIR/big.data
 * and DIR/relax.data for bench/run_oracle.sh, checks the kernel against the analytic (untabulated)
 * evaluation first, and prints "name seconds per-unit" lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloyscout/alloyscout.h"
#include "../tests/oracle/oracle_test_util.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static as_structure *random_cell(int nx, uint64_t seed, double amp)
{
    const char *sy[3] = {"Pt", "Co", "Cu"};
    as_structure *s = tu_fcc(3.82, 1.0, nx, nx, nx, sy, 3);
    as_rng rng;
    as_rng_seed(&rng, seed);
    double w[3] = {0.5, 0.25, 0.25};
    tu_shuffle(s, &rng, w, amp);
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_oracle DIR [K] [S]\n");
        return 2;
    }
    const char *dir = argv[1];
    int K = argc > 2 ? atoi(argv[2]) : 200, S = argc > 3 ? atoi(argv[3]) : 20;
    char path[1024];
    const char *els[3] = {"Pt", "Co", "Cu"};
    snprintf(path, sizeof path, "%s/PtCoCu.eam.alloy", dir);
    if (as_eam_write_setfl(els, 3, 0, 0, path) != AS_OK) {
        fprintf(stderr, "%s\n", as_errmsg());
        return 1;
    }
    as_oracle *o, *ref;
    if (as_oracle_create("eam:Pt,Co,Cu", NULL, &o) ||
        as_oracle_create("eam-analytic:Pt,Co,Cu", NULL, &ref)) {
        fprintf(stderr, "%s\n", as_errmsg());
        return 1;
    }
    /* check: tabulated kernel vs the analytic functions on a 108-atom cell */
    as_structure *c0 = random_cell(3, 1, 0.1);
    double e1, e2;
    as_oracle_energy(o, c0, &e1, NULL);
    as_oracle_energy(ref, c0, &e2, NULL);
    printf("check tabulated %.10f analytic %.10f diff/atom %.2e\n", e1, e2, fabs(e1 - e2) / 108);
    if (fabs(e1 - e2) / 108 > 1e-7)
        return 1;
    as_structure_free(c0);

    /* cells */
    as_structure **cells = calloc((size_t)K, sizeof *cells);
    for (int k = 0; k < K; k++) {
        cells[k] = random_cell(3, 100 + (uint64_t)k, 0.1);
        snprintf(path, sizeof path, "%s/cell_%d.data", dir, k + 1);
        tu_write_data(cells[k], path);
    }
    double *f = malloc(3 * 256000 * sizeof *f), e, esum = 0;
    double t0 = now();
    for (int k = 0; k < K; k++) {
        as_oracle_energy(o, cells[k], &e, f);
        esum += e;
    }
    double tc = now() - t0;
    as_oracle_energy(o, cells[0], &e, NULL);
    printf("cell1 E %.12f\n", e);
    printf("cells %.6f s for %d cells: %.3e s per cell, %.3e s per atom-step (sum E %.6f)\n", tc, K,
           tc / K, tc / K / 108, esum);

    /* relax */
    as_structure *r = random_cell(3, 7, 0.15);
    snprintf(path, sizeof path, "%s/relax.data", dir);
    tu_write_data(r, path);
    as_relax_report rep;
    t0 = now();
    as_oracle_relax(o, r, NULL, &rep);
    double tr = now() - t0;
    printf("relax %.6f s, %zu steps, E %.6f -> %.6f, fmax %.4f\n", tr, rep.steps, rep.e_initial,
           rep.e_final, rep.fmax_final);

    /* big: 40^3 conventional cells = 256 000 atoms */
    as_structure *b = random_cell(40, 9, 0.05);
    snprintf(path, sizeof path, "%s/big.data", dir);
    tu_write_data(b, path);
    double *v = calloc(3 * b->n, sizeof *v);
    as_rng rng;
    as_rng_seed(&rng, 3);
    for (size_t i = 0; i < 3 * b->n; i++)
        v[i] = 0.02 * as_rng_normal(&rng);        /* Å/ps, ~300 K for Pt-like masses */
    const double dt = 0.001, m = 150.0 / 9648.53; /* ps; eV ps^2/Å^2 per g/mol */
    as_oracle_energy(o, b, &e, f);                /* first call builds the list (LAMMPS's setup) */
    t0 = now();
    for (int s = 0; s < S; s++) {
        for (size_t i = 0; i < 3 * b->n; i++) {
            v[i] += 0.5 * dt * f[i] / m;
            b->pos[i] += dt * v[i];
        }
        as_oracle_energy(o, b, &e, f);
        for (size_t i = 0; i < 3 * b->n; i++)
            v[i] += 0.5 * dt * f[i] / m;
    }
    double tb = now() - t0;
    printf("big %.6f s for %d steps of %zu atoms: %.3e s per atom-step\n", tb, S, b->n,
           tb / S / (double)b->n);
    free(v);
    free(f);
    as_structure_free(b);
    as_structure_free(r);
    for (int k = 0; k < K; k++)
        as_structure_free(cells[k]);
    free(cells);
    as_oracle_free(o);
    as_oracle_free(ref);
    return 0;
}
