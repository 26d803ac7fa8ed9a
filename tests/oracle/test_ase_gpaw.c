/* ase:gpaw against GPAW called directly with the same parameters (PBE, PAW, plane waves 200 eV,
 * Fermi-Dirac 0.1 eV, k-point density 2 / Å^-1) on the fcc Cu primitive cell: energy to 1e-6 eV,
 * stress to 1e-6 eV/Å^3; and on a two-layer Cu(111) slab with 8 Å of vacuum, where the preset
 * puts one k-point along the vacuum axis: equal to GPAW with the 6x6x1 grid written out (the
 * in-plane count from the closed form ceil(2 pi kdens |b|), |b| = 2 / (sqrt(3) a)). About
 * 20-60 s (ctest label "slow"); skipped without gpaw. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

#define SCR AS_BUILD_DIR "/oracle_ase_gpaw_scratch"
#define PY "/usr/bin/python3"

/* Run the reference script, then read the energy and n more numbers it wrote to out. */
static void run_reference(const char *script, const char *out, double *e, double *v, int n)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, PY " %s", script);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%lf", e), 1);
    for (int i = 0; i < n; i++)
        assert_int_equal(fscanf(f, "%lf", &v[i]), 1);
    fclose(f);
}

static void gpaw_preset_should_equal_gpaw_called_directly(void **state)
{
    (void)state;
    if (system(PY " -c 'import gpaw' > /dev/null 2>&1") != 0)
        skip();
    mkdir(SCR, 0755);
    /* the reference: GPAW's own calls, parameters written out */
    FILE *f = fopen(SCR "/ref.py", "w");
    assert_non_null(f);
    fputs("from ase import Atoms\n"
          "from gpaw import GPAW, PW, FermiDirac\n"
          "a = Atoms('Cu', positions=[[0.01, 0.0, 0.0]],\n"
          "          cell=[[0, 1.81, 1.81], [1.81, 0, 1.81], [1.81, 1.81, 0]], pbc=True)\n"
          "a.calc = GPAW(mode=PW(200), xc='PBE', setups='paw', txt=None,\n"
          "              occupations=FermiDirac(0.1), maxiter=333,\n"
          "              kpts={'density': 2.0, 'gamma': False})\n"
          "out = open('" SCR "/ref.txt', 'w')\n"
          "out.write('%r\\n' % a.get_potential_energy())\n"
          "for v in a.get_stress(voigt=True): out.write('%r\\n' % v)\n",
          f);
    fclose(f);
    double e_ref, s_ref[6];
    run_reference(SCR "/ref.py", SCR "/ref.txt", &e_ref, s_ref, 6);

    const char *sy[1] = {"Cu"};
    as_structure *s;
    assert_int_equal(as_structure_create(1, 1, &s), AS_OK);
    snprintf(s->symbols[0], AS_SYMBOL_MAX, "%s", sy[0]);
    s->n_symbols = 1;
    double c[9] = {0, 1.81, 1.81, 1.81, 0, 1.81, 1.81, 1.81, 0};
    memcpy(s->cell, c, sizeof c);
    s->pos[0] = 0.01;
    s->pos[1] = s->pos[2] = 0;
    s->species[0] = 0;
    as_oracle *o;
    assert_int_equal(as_oracle_create("ase:gpaw:ecut=200,kdens=2", NULL, &o), AS_OK);
    assert_true(as_oracle_has_stress(o));
    double e, fo[3], st[6];
    assert_int_equal(as_oracle_energy_stress(o, s, &e, fo, st), AS_OK);
    printf("ase:gpaw %.10f eV, GPAW directly %.10f eV\n", e, e_ref);
    assert_true(fabs(e - e_ref) < 1e-6);
    for (int k = 0; k < 6; k++)
        assert_true(fabs(st[k] - s_ref[k]) < 1e-6);
    as_oracle_free(o);
    as_structure_free(s);
}

static void vacuum_axis_should_get_one_k_point(void **state)
{
    (void)state;
    if (system(PY " -c 'import gpaw' > /dev/null 2>&1") != 0)
        skip();
    mkdir(SCR, 0755);
    const double a = 2.56, dz = 2.09, c = dz + 8.0; /* Cu(111) 1x1, two layers, 8 Å gap */
    int k = (int)ceil(2.0 * acos(-1.0) * 2.0 * 2.0 / (sqrt(3.0) * a));
    assert_int_equal(k, 6);
    double cell[9] = {a, 0, 0, a / 2, a * sqrt(3.0) / 2, 0, 0, 0, c};
    double pos[6] = {0, 0, 0, a / 2, a * sqrt(3.0) / 6, dz + 0.02};
    FILE *f = fopen(SCR "/slab.py", "w");
    assert_non_null(f);
    fprintf(f,
            "from ase import Atoms\n"
            "from gpaw import GPAW, PW, FermiDirac\n"
            "a = Atoms('Cu2', positions=[[%.17g, %.17g, %.17g], [%.17g, %.17g, %.17g]],\n"
            "          cell=[[%.17g, 0, 0], [%.17g, %.17g, 0], [0, 0, %.17g]], pbc=True)\n"
            "a.calc = GPAW(mode=PW(200), xc='PBE', setups='paw', txt=None,\n"
            "              occupations=FermiDirac(0.1), maxiter=333, kpts=(%d, %d, 1))\n"
            "out = open('" SCR "/slab.txt', 'w')\n"
            "out.write('%%r\\n' %% a.get_potential_energy())\n"
            "for v in a.get_forces().ravel(): out.write('%%r\\n' %% v)\n",
            pos[0], pos[1], pos[2], pos[3], pos[4], pos[5], a, cell[3], cell[4], c, k, k);
    fclose(f);
    double e_ref, f_ref[6];
    run_reference(SCR "/slab.py", SCR "/slab.txt", &e_ref, f_ref, 6);

    as_structure *s;
    assert_int_equal(as_structure_create(2, 1, &s), AS_OK);
    snprintf(s->symbols[0], AS_SYMBOL_MAX, "Cu");
    s->n_symbols = 1;
    memcpy(s->cell, cell, sizeof cell);
    memcpy(s->pos, pos, sizeof pos);
    s->species[0] = s->species[1] = 0;
    as_oracle *o;
    unlink(SCR "/slab_gpaw.txt");
    assert_int_equal(
        as_oracle_create("ase:gpaw:ecut=200,kdens=2,txt=" SCR "/slab_gpaw.txt", NULL, &o), AS_OK);
    double e, fo[6];
    assert_int_equal(as_oracle_energy(o, s, &e, fo), AS_OK);
    printf("slab: ase:gpaw %.10f eV, GPAW %dx%dx1 directly %.10f eV, force z %.6f / %.6f\n", e, k,
           k, e_ref, fo[5], f_ref[5]);
    assert_true(fabs(e - e_ref) < 1e-6);
    for (int i = 0; i < 6; i++)
        assert_true(fabs(fo[i] - f_ref[i]) < 1e-6);
    as_oracle_free(o);
    /* GPAW's own log names the grid it used (the energy barely feels k_z across 8 Å) */
    char grid[4096];
    snprintf(grid, sizeof grid, "grep -q '%d x %d x 1 Monkhorst-Pack grid' " SCR "/slab_gpaw.txt",
             k, k);
    assert_int_equal(system(grid), 0);
    as_structure_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpaw_preset_should_equal_gpaw_called_directly),
        cmocka_unit_test(vacuum_axis_should_get_one_k_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
