/* The native EAM against LAMMPS (/usr/bin/lmp, pair_style eam/alloy, compute pe/atom, forces
 * dumped with %.17g) on the setfl files alloyscout writes from the Zhou 2004 parameters:
 * fcc, L1_0 and random Pt-Co-Cu and Pt-Co-Ni cells (108 atoms, cutoff larger than half the
 * cell), and the lammps: library backend where it is compiled in. Skipped when lmp is absent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

#define DIR AS_BUILD_DIR "/oracle_lmp_scratch"

static int have_lmp(void) { return access("/usr/bin/lmp", X_OK) == 0; }

static as_structure *cell(int kind, uint64_t seed)
{
    const char *cu[3] = {"Pt", "Co", "Cu"}, *ni[3] = {"Pt", "Co", "Ni"};
    as_rng rng;
    as_rng_seed(&rng, seed);
    double w[3] = {0.5, 0.25, 0.25};
    as_structure *s = NULL;
    switch (kind) {
    case 0: /* fcc Pt, rattled so no distance sits on the cutoff */
        s = tu_fcc(3.93, 1.0, 3, 3, 3, cu, 1);
        tu_shuffle(s, &rng, NULL, 0.05);
        break;
    case 1: /* L1_0 PtCo, tetragonal c/a = 0.96 */
        s = tu_fcc(3.85, 0.96, 3, 3, 3, cu, 2);
        tu_shuffle(s, &rng, NULL, 0.05);
        break;
    case 2: /* random Pt-Co-Cu */
        s = tu_fcc(3.82, 1.0, 3, 3, 3, cu, 3);
        tu_shuffle(s, &rng, w, 0.12);
        break;
    default: /* random Pt-Co-Ni */
        s = tu_fcc(3.80, 1.0, 3, 3, 3, ni, 3);
        tu_shuffle(s, &rng, w, 0.12);
        break;
    }
    return s;
}

/* The same tables and the same spline: the differences are only summation order, ~1e-13 eV.
 * Tolerances of the issue: per-atom energy 1e-6 eV, forces 1e-5 eV/Å. */
static void compare(as_oracle *o, const as_structure *s, const char *setfl)
{
    size_t n = s->n;
    double e, le, *ea = calloc(n, 8), *f = calloc(3 * n, 8), *lea = calloc(n, 8),
                  *lf = calloc(3 * n, 8);
    assert_int_equal(as_oracle_energy_atoms(o, s, &e, ea, f), AS_OK);
    assert_int_equal(tu_run_lammps(s, setfl, DIR, &le, lea, lf), 0);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(fabs(ea[i] - lea[i]) < 1e-6);
        sum += ea[i];
        for (int d = 0; d < 3; d++)
            assert_true(fabs(f[3 * i + d] - lf[3 * i + d]) < 1e-5);
    }
    assert_true(fabs(e - le) < 1e-6 * n);
    assert_true(fabs(sum - e) < 1e-9);
    free(ea);
    free(f);
    free(lea);
    free(lf);
}

static void native_eam_should_match_lammps_on_the_setfl_it_writes(void **state)
{
    (void)state;
    if (!have_lmp())
        skip();
    mkdir(DIR, 0755);
    const char *cu[3] = {"Pt", "Co", "Cu"}, *ni[3] = {"Pt", "Co", "Ni"};
    const char *fcu = DIR "/PtCoCu.eam.alloy", *fni = DIR "/PtCoNi.eam.alloy";
    assert_int_equal(as_eam_write_setfl(cu, 3, 0, 0, fcu), AS_OK);
    assert_int_equal(as_eam_write_setfl(ni, 3, 0, 0, fni), AS_OK);
    /* eam:FILE (read back) and eam:EL,.. (tables built in memory) */
    as_oracle *ocu_file, *ocu_mem, *oni_file, *oni_mem;
    assert_int_equal(as_oracle_create("eam:" DIR "/PtCoCu.eam.alloy", NULL, &ocu_file), AS_OK);
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &ocu_mem), AS_OK);
    assert_int_equal(as_oracle_create("eam:" DIR "/PtCoNi.eam.alloy", NULL, &oni_file), AS_OK);
    assert_int_equal(as_oracle_create("eam:Pt,Co,Ni", NULL, &oni_mem), AS_OK);
    for (int kind = 0; kind < 4; kind++) {
        as_structure *s = cell(kind, 100 + (uint64_t)kind);
        int is_ni = kind == 3;
        compare(is_ni ? oni_file : ocu_file, s, is_ni ? fni : fcu);
        /* the tables built in memory are the ones written: identical numbers */
        double e_file, e_mem;
        assert_int_equal(as_oracle_energy(is_ni ? oni_file : ocu_file, s, &e_file, NULL), AS_OK);
        assert_int_equal(as_oracle_energy(is_ni ? oni_mem : ocu_mem, s, &e_mem, NULL), AS_OK);
        assert_true(e_file == e_mem);
        as_structure_free(s);
    }
    as_oracle_free(ocu_file);
    as_oracle_free(ocu_mem);
    as_oracle_free(oni_file);
    as_oracle_free(oni_mem);
}

static void lammps_library_backend_should_match_the_native_eam(void **state)
{
    (void)state;
    mkdir(DIR, 0755);
    const char *cu[3] = {"Pt", "Co", "Cu"};
    const char *fcu = DIR "/PtCoCu_lib.eam.alloy";
    assert_int_equal(as_eam_write_setfl(cu, 3, 0, 0, fcu), AS_OK);
    as_oracle *lib, *nat;
    as_status st =
        as_oracle_create("lammps:eam/alloy;* * " DIR "/PtCoCu_lib.eam.alloy Pt Co Cu", NULL, &lib);
    if (st == AS_EUNSUP)
        skip(); /* built without liblammps */
    assert_int_equal(st, AS_OK);
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &nat), AS_OK);
    as_structure *s = cell(2, 7);
    /* a skewed cell exercises the rotation into LAMMPS's triclinic form */
    s->cell[3] += 0.3 * s->cell[0];
    size_t n = s->n;
    double e1, e2, *a1 = calloc(n, 8), *a2 = calloc(n, 8), *f1 = calloc(3 * n, 8),
                   *f2 = calloc(3 * n, 8);
    st = as_oracle_energy_atoms(lib, s, &e1, a1, f1);
    if (st == AS_EUNSUP)
        skip(); /* liblammps without exceptions */
    assert_int_equal(st, AS_OK);
    assert_int_equal(as_oracle_energy_atoms(nat, s, &e2, a2, f2), AS_OK);
    for (size_t i = 0; i < n; i++) {
        assert_true(fabs(a1[i] - a2[i]) < 1e-6);
        for (int d = 0; d < 3; d++)
            assert_true(fabs(f1[3 * i + d] - f2[3 * i + d]) < 1e-5);
    }
    free(a1);
    free(a2);
    free(f1);
    free(f2);
    as_structure_free(s);
    as_oracle_free(lib);
    as_oracle_free(nat);
}

/* lib vs native on one structure: per-atom energies 1e-6 eV, forces 1e-5 eV/Å */
static void lib_matches_native(as_oracle *lib, as_oracle *nat, const as_structure *s)
{
    size_t n = s->n;
    double e1, e2, *a1 = calloc(n, 8), *a2 = calloc(n, 8), *f1 = calloc(3 * n, 8),
                   *f2 = calloc(3 * n, 8);
    assert_int_equal(as_oracle_energy_atoms(lib, s, &e1, a1, f1), AS_OK);
    assert_int_equal(as_oracle_energy_atoms(nat, s, &e2, a2, f2), AS_OK);
    assert_true(fabs(e1 - e2) < 1e-6 * (double)n);
    for (size_t i = 0; i < n; i++) {
        assert_true(fabs(a1[i] - a2[i]) < 1e-6);
        for (int d = 0; d < 3; d++)
            assert_true(fabs(f1[3 * i + d] - f2[3 * i + d]) < 1e-5);
    }
    free(a1);
    free(a2);
    free(f1);
    free(f2);
}

/* The lammps: backend keeps one worker process per oracle: moved atoms in the same box reuse its
 * LAMMPS instance, another cell gets a new one, and a LAMMPS error (a cell too skewed for
 * LAMMPS's triclinic box) ends that worker, is reported with the log's last words, and the next
 * structure is computed by a new worker. Every energy is checked against the native EAM. */
static void lammps_worker_should_reuse_its_instance_and_survive_a_lammps_error(void **state)
{
    (void)state;
    mkdir(DIR, 0755);
    const char *cu[3] = {"Pt", "Co", "Cu"};
    assert_int_equal(as_eam_write_setfl(cu, 3, 0, 0, DIR "/PtCoCu_w.eam.alloy"), AS_OK);
    as_oracle *lib, *nat;
    as_status st =
        as_oracle_create("lammps:eam/alloy;* * " DIR "/PtCoCu_w.eam.alloy Pt Co Cu", NULL, &lib);
    if (st == AS_EUNSUP)
        skip(); /* built without liblammps */
    assert_int_equal(st, AS_OK);
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &nat), AS_OK);
    as_structure *s = cell(2, 11), *t = cell(1, 12), *skew = NULL;
    lib_matches_native(lib, nat, s);
    for (int step = 0; step < 3; step++) { /* same box and atoms, new positions */
        for (size_t k = 0; k < 3 * s->n; k++)
            s->pos[k] += 0.01 * (double)((k * 7 + (size_t)step) % 5) - 0.02;
        lib_matches_native(lib, nat, s);
    }
    lib_matches_native(lib, nat, t); /* another cell */
    assert_int_equal(as_structure_copy(t, &skew), AS_OK);
    for (int k = 0; k < 3; k++)
        skew->cell[3 + k] += 0.9 * skew->cell[k]; /* tilt xy = 0.9 lx: LAMMPS refuses it */
    double e;
    assert_int_equal(as_oracle_energy(lib, skew, &e, NULL), AS_EORACLE);
    if (!strstr(as_errmsg(), "lammps failed") || !strstr(as_errmsg(), "skew"))
        fail_msg("message: %s", as_errmsg());
    lib_matches_native(lib, nat, s); /* a new worker */
    lib_matches_native(lib, nat, t);
    as_structure_free(s);
    as_structure_free(t);
    as_structure_free(skew);
    as_oracle_free(lib);
    as_oracle_free(nat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(native_eam_should_match_lammps_on_the_setfl_it_writes),
        cmocka_unit_test(lammps_library_backend_should_match_the_native_eam),
        cmocka_unit_test(lammps_worker_should_reuse_its_instance_and_survive_a_lammps_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
