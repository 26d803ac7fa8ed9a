/* The ase: backend against ASE run directly in Python (/usr/bin/python3, Debian's python3-ase):
 * ase:emt energies, forces and stress on cubic and skewed cells (1e-10), a FIRE relaxation on the
 * worker's forces against ase.optimize.FIRE with the same parameters, a user file
 * (ase:FILE.py) whose calculator crashes, raises or hangs (failed labels with the message, the
 * worker restarted, the other structures labelled), and bad specs. Skipped when ASE is absent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

#define SCR AS_BUILD_DIR "/oracle_ase_scratch"
#define PY "/usr/bin/python3"

static int have_ase(void)
{
    return system(PY " -c 'import ase.calculators.emt' > /dev/null 2>&1") == 0;
}

/* n, cell (9), then Z x y z per atom, all %.17g: the reference script builds its own Atoms */
static void write_plain(FILE *f, const as_structure *s)
{
    fprintf(f, "%zu\n", s->n);
    for (int k = 0; k < 9; k++)
        fprintf(f, "%.17g ", s->cell[k]);
    fprintf(f, "\n");
    for (size_t i = 0; i < s->n; i++)
        fprintf(f, "%d %.17g %.17g %.17g\n", as_lattice_element_z(s->symbols[s->species[i]]),
                s->pos[3 * i], s->pos[3 * i + 1], s->pos[3 * i + 2]);
}

static const char *ref_py =
    "import sys\n"
    "import numpy as np\n"
    "from ase import Atoms\n"
    "from ase.calculators.emt import EMT\n"
    "from ase.optimize import FIRE\n"
    "tok = open(sys.argv[1]).read().split()\n"
    "relax = sys.argv[2] == '1'\n"
    "out = open(sys.argv[3], 'w')\n"
    "p = 0\n"
    "while p < len(tok):\n"
    "    n = int(tok[p]); p += 1\n"
    "    cell = np.array([float(x) for x in tok[p:p + 9]]).reshape(3, 3); p += 9\n"
    "    z = []; pos = []\n"
    "    for i in range(n):\n"
    "        z.append(int(tok[p])); pos.append([float(x) for x in tok[p + 1:p + 4]]); p += 4\n"
    "    a = Atoms(numbers=z, positions=pos, cell=cell, pbc=True)\n"
    "    a.calc = EMT()\n"
    "    steps = 0\n"
    "    if relax:\n"
    "        opt = FIRE(a, logfile=None, maxstep=0.2, dt=0.1, dtmax=1.0, Nmin=5, finc=1.1,\n"
    "                   fdec=0.5, astart=0.1, fa=0.99)\n"
    "        opt.run(fmax=0.03, steps=2000)\n"
    "        steps = opt.nsteps\n"
    "    out.write('%r %d\\n' % (a.get_potential_energy(), steps))\n"
    "    for v in a.get_forces().ravel(): out.write('%r\\n' % v)\n"
    "    for v in a.get_stress(voigt=True): out.write('%r\\n' % v)\n"
    "    for v in a.get_positions().ravel(): out.write('%r\\n' % v)\n";

/* reference energy, steps, forces (3n), stress (6), final positions (3n) per structure */
static void reference(as_structure **s, size_t m, int relax, double *e, int *steps, double **f,
                      double **stress, double **pos)
{
    char path[512], cmd[2048];
    snprintf(path, sizeof path, SCR "/ref.py");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(ref_py, fp);
    fclose(fp);
    fp = fopen(SCR "/in.txt", "w");
    assert_non_null(fp);
    for (size_t q = 0; q < m; q++)
        write_plain(fp, s[q]);
    fclose(fp);
    snprintf(cmd, sizeof cmd, PY " %s " SCR "/in.txt %d " SCR "/out.txt", path, relax);
    assert_int_equal(system(cmd), 0);
    fp = fopen(SCR "/out.txt", "r");
    assert_non_null(fp);
    for (size_t q = 0; q < m; q++) {
        size_t n = s[q]->n;
        assert_int_equal(fscanf(fp, "%lf %d", &e[q], &steps[q]), 2);
        f[q] = calloc(3 * n, sizeof(double));
        stress[q] = calloc(6, sizeof(double));
        pos[q] = calloc(3 * n, sizeof(double));
        for (size_t k = 0; k < 3 * n; k++)
            assert_int_equal(fscanf(fp, "%lf", &f[q][k]), 1);
        for (size_t k = 0; k < 6; k++)
            assert_int_equal(fscanf(fp, "%lf", &stress[q][k]), 1);
        for (size_t k = 0; k < 3 * n; k++)
            assert_int_equal(fscanf(fp, "%lf", &pos[q][k]), 1);
    }
    fclose(fp);
}

/* test structures: random Pt-Cu-Ni fcc (32 atoms), L1_0 PtCu (4), a skewed primitive cell */
static size_t structures(as_structure **s)
{
    const char *sy[3] = {"Pt", "Cu", "Ni"};
    as_rng rng;
    as_rng_seed(&rng, 7);
    double w[3] = {0.4, 0.3, 0.3};
    s[0] = tu_fcc(3.72, 1.0, 2, 2, 2, sy, 3);
    tu_shuffle(s[0], &rng, w, 0.08);
    s[1] = tu_fcc(3.80, 0.95, 1, 1, 1, sy, 2);
    tu_shuffle(s[1], &rng, NULL, 0.05);
    /* fcc primitive (a = 3.9) with a second atom, rows not aligned to any axis */
    as_structure *p;
    assert_int_equal(as_structure_create(2, 2, &p), AS_OK);
    snprintf(p->symbols[0], AS_SYMBOL_MAX, "Pt");
    snprintf(p->symbols[1], AS_SYMBOL_MAX, "Au");
    p->n_symbols = 2;
    double c[9] = {0, 3.9, 3.9, 3.9, 0, 3.9, 3.9, 3.9, 0};
    for (int k = 0; k < 9; k++)
        p->cell[k] = c[k];
    double r[6] = {0.02, -0.01, 0.03, 3.9, 3.85, 3.95};
    for (int k = 0; k < 6; k++)
        p->pos[k] = r[k];
    p->species[0] = 0;
    p->species[1] = 1;
    s[2] = p;
    return 3;
}

static void emt_should_equal_ase_emt_called_directly(void **state)
{
    (void)state;
    if (!have_ase())
        skip();
    mkdir(SCR, 0755);
    as_structure *s[3];
    size_t m = structures(s);
    double e[3], *f[3], *st[3], *pos[3];
    int steps[3];
    reference(s, m, 0, e, steps, f, st, pos);
    as_oracle *o;
    assert_int_equal(as_oracle_create("ase:emt", NULL, &o), AS_OK);
    assert_string_equal(as_oracle_describe(o), "ase:emt");
    assert_true(as_oracle_has_forces(o) && as_oracle_has_stress(o));
    assert_true(as_oracle_supports(o, "Pt") && as_oracle_supports(o, "Au"));
    assert_false(as_oracle_supports(o, "Co"));
    for (size_t q = 0; q < m; q++) {
        size_t n = s[q]->n;
        double en, en2, *ff = calloc(3 * n, 8), sig[6], *ea = calloc(n, 8);
        assert_int_equal(as_oracle_energy_stress(o, s[q], &en, ff, sig), AS_OK);
        assert_true(fabs(en - e[q]) < 1e-10);
        for (size_t k = 0; k < 3 * n; k++)
            assert_true(fabs(ff[k] - f[q][k]) < 1e-10);
        for (int k = 0; k < 6; k++)
            assert_true(fabs(sig[k] - st[q][k]) < 1e-10);
        /* per-atom energies sum to the total */
        assert_int_equal(as_oracle_energy_atoms(o, s[q], &en2, ea, NULL), AS_OK);
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += ea[i];
        assert_true(fabs(sum - en2) < 1e-10 && fabs(en2 - e[q]) < 1e-10);
        free(ff);
        free(ea);
        free(f[q]);
        free(st[q]);
        free(pos[q]);
    }
    as_oracle_free(o);
    for (size_t q = 0; q < m; q++)
        as_structure_free(s[q]);
}

static void fire_on_the_worker_forces_should_follow_ase_fire(void **state)
{
    (void)state;
    if (!have_ase())
        skip();
    mkdir(SCR, 0755);
    as_structure *s[3];
    size_t m = structures(s);
    double e[3], *f[3], *st[3], *pos[3];
    int steps[3];
    reference(s, 2, 1, e, steps, f, st, pos);
    as_oracle *o;
    assert_int_equal(as_oracle_create("ase:emt", NULL, &o), AS_OK);
    for (size_t q = 0; q < 2; q++) {
        as_relax_report rep;
        assert_int_equal(as_oracle_relax(o, s[q], NULL, &rep), AS_OK);
        assert_true(rep.converged);
        assert_int_equal((int)rep.steps, steps[q]);
        assert_true(fabs(rep.e_final - e[q]) < 1e-10);
        for (size_t k = 0; k < 3 * s[q]->n; k++)
            assert_true(fabs(s[q]->pos[k] - pos[q][k]) < 1e-8);
        free(f[q]);
        free(st[q]);
        free(pos[q]);
    }
    as_oracle_free(o);
    for (size_t q = 0; q < m; q++)
        as_structure_free(s[q]);
}

/* n atoms of fcc Pt */
static as_structure *pt_cell(int n)
{
    const char *sy[1] = {"Pt"};
    as_structure *s = tu_fcc(3.92, 1.0, 1, 1, 2, sy, 1);
    s->n = (size_t)n; /* fewer atoms: a vacancy cell, still a valid structure */
    return s;
}

static void crashes_errors_and_hangs_should_be_failed_labels(void **state)
{
    (void)state;
    if (!have_ase())
        skip();
    mkdir(SCR, 0755);
    FILE *fp = fopen(SCR "/calc.py", "w");
    assert_non_null(fp);
    fputs("import os, time\n"
          "from ase.calculators.emt import EMT\n"
          "def calculator(atoms):\n"
          "    if len(atoms) == 3:\n"
          "        os.kill(os.getpid(), 9)\n"
          "    if len(atoms) == 5:\n"
          "        raise RuntimeError('SCF not converged (test)')\n"
          "    if len(atoms) == 7:\n"
          "        time.sleep(60)\n"
          "    return EMT()\n",
          fp);
    fclose(fp);
    as_oracle_options opt;
    as_oracle_options_default(&opt);
    opt.timeout_s = 4;
    as_oracle *o;
    assert_int_equal(as_oracle_create("ase:" SCR "/calc.py", &opt, &o), AS_OK);
    assert_non_null(strstr(as_oracle_describe(o), "ase:file:"));
    int sizes[7] = {4, 3, 4, 5, 4, 7, 6};
    as_structure *s[7];
    for (int q = 0; q < 7; q++)
        s[q] = pt_cell(sizes[q]);
    as_label_result r[7];
    assert_int_equal(as_oracle_label_batch(o, (const as_structure *const *)s, 7, 0, NULL, r, NULL),
                     AS_OK);
    /* the good ones equal EMT through ase:emt */
    as_oracle *emt;
    assert_int_equal(as_oracle_create("ase:emt", NULL, &emt), AS_OK);
    for (int q = 0; q < 7; q++) {
        if (sizes[q] == 3) {
            assert_int_equal(r[q].status, AS_EORACLE);
            assert_non_null(strstr(r[q].error, "signal 9"));
        } else if (sizes[q] == 5) {
            assert_int_equal(r[q].status, AS_EORACLE);
            assert_non_null(strstr(r[q].error, "RuntimeError: SCF not converged (test)"));
        } else if (sizes[q] == 7) { /* a timeout is recorded as such (issue 19) */
            assert_int_equal(r[q].status, AS_ETIMEOUT);
            assert_non_null(strstr(r[q].error, "timed out"));
        } else {
            double e;
            assert_int_equal(r[q].status, AS_OK);
            assert_int_equal(as_oracle_energy(emt, s[q], &e, NULL), AS_OK);
            assert_true(fabs(r[q].energy - e) < 1e-12);
        }
    }
    as_oracle_free(emt);
    as_oracle_free(o);
    for (int q = 0; q < 7; q++)
        as_structure_free(s[q]);
}

static void bad_specs_should_be_refused(void **state)
{
    (void)state;
    as_oracle *o;
    assert_int_equal(as_oracle_create("ase:gpaw:foo=1", NULL, &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "unknown key 'foo'"));
    assert_int_equal(as_oracle_create("ase:gpaw:mode=fd", NULL, &o), AS_EINVAL);
    assert_int_equal(as_oracle_create("ase:gpaw:ecut=-3", NULL, &o), AS_EINVAL);
    assert_int_equal(as_oracle_create("ase:gpaw:kpts=4x4", NULL, &o), AS_EINVAL);
    assert_int_equal(as_oracle_create("ase:nope", NULL, &o), AS_EINVAL);
    assert_int_equal(as_oracle_create("ase:/no/such/file.py", NULL, &o), AS_EIO);
    assert_int_equal(as_oracle_create("ase:gpaw:ecut=450,kdens=4,mag_Fe=2.2", NULL, &o), AS_OK);
    assert_non_null(strstr(as_oracle_describe(o), "ecut=450"));
    assert_non_null(strstr(as_oracle_describe(o), "kdens=4,"));
    assert_non_null(strstr(as_oracle_describe(o), "mag_Fe=2.2"));
    /* elements: those with a PAW setup (gpaw-data ships Pt, Co, Cu; none for element 118) */
    if (access("/usr/share/gpaw-setups/Pt.PBE.gz", R_OK) == 0) {
        assert_true(as_oracle_supports(o, "Pt") && as_oracle_supports(o, "Co"));
        assert_false(as_oracle_supports(o, "Og"));
    }
    as_oracle_free(o);
    /* a file without calculator(): the label fails with the reason */
    mkdir(SCR, 0755);
    FILE *fp = fopen(SCR "/nocalc.py", "w");
    fputs("x = 1\n", fp);
    fclose(fp);
    if (!have_ase())
        return;
    assert_int_equal(as_oracle_create("ase:" SCR "/nocalc.py", NULL, &o), AS_OK);
    as_structure *s = pt_cell(4);
    double e;
    assert_int_equal(as_oracle_energy(o, s, &e, NULL), AS_EORACLE);
    assert_non_null(strstr(as_errmsg(), "defines no function calculator(atoms)"));
    as_structure_free(s);
    as_oracle_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(emt_should_equal_ase_emt_called_directly),
        cmocka_unit_test(fire_on_the_worker_forces_should_follow_ase_fire),
        cmocka_unit_test(crashes_errors_and_hangs_should_be_failed_labels),
        cmocka_unit_test(bad_specs_should_be_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
