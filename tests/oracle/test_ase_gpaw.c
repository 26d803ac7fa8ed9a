/* ase:gpaw against GPAW called directly with the same parameters (PBE, PAW, plane waves 200 eV,
 * Fermi-Dirac 0.1 eV, k-point density 2 / Å^-1) on the fcc Cu primitive cell: energy to 1e-6 eV,
 * stress to 1e-6 eV/Å^3. About 10-30 s (ctest label "slow"); skipped without gpaw. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

#define SCR AS_BUILD_DIR "/oracle_ase_gpaw_scratch"
#define PY "/usr/bin/python3"

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
    assert_int_equal(system(PY " " SCR "/ref.py"), 0);
    double e_ref, s_ref[6];
    f = fopen(SCR "/ref.txt", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%lf", &e_ref), 1);
    for (int k = 0; k < 6; k++)
        assert_int_equal(fscanf(f, "%lf", &s_ref[k]), 1);
    fclose(f);

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpaw_preset_should_equal_gpaw_called_directly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
