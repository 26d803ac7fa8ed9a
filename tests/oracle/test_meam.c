/* The meam oracle against LAMMPS (/usr/bin/lmp) run directly: the assembled binary Pt-Co model
 * equals `pair_style kim MEAM_LAMMPS_KimSeolJi_2017_PtCo__MO_545073984441_000` (energies and
 * forces, 1e-8); the assembled Pt-Co-Cu ternary reproduces the Pt-Co model on Pt-Co structures
 * and the packaged Pt-Cu files (extracted here with Python's ctypes, element list put in the
 * order of the parameter file by hand) on Pt-Cu structures; the ternary screening rule in the
 * written parameter file; the PtCo L1_0 ordering energy has DFT's sign; uncovered systems are
 * refused with the missing pair. Skipped without lmp, the KIM package or openkim-models. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

#define SCR AS_BUILD_DIR "/oracle_meam_scratch"
#define KIMDIR "/usr/lib/x86_64-linux-gnu/kim-api/portable-models"
#define PTCO "MEAM_LAMMPS_KimSeolJi_2017_PtCo__MO_545073984441_000"
#define PTCU "MEAM_LAMMPS_KimSeolJi_2017_PtCu__MO_070797404269_000"
#define MODULE AS_BUILD_DIR "/alloyscout-kim/alloyscout_meam_model.so"

static int have_all(void)
{
    struct stat sb;
    return access("/usr/bin/lmp", X_OK) == 0 && stat(KIMDIR "/" PTCO, &sb) == 0 &&
           access(MODULE, R_OK) == 0;
}

/* lmp on s with pair_style kim MODEL (env: extra environment, may be ""); energy and forces */
static int run_kim(const as_structure *s, const char *env, const char *model, double *energy,
                   double *forces)
{
    char data[512], in[512], dump[512], thermo[512];
    snprintf(data, sizeof data, SCR "/cell.data");
    snprintf(in, sizeof in, SCR "/in.kim");
    snprintf(dump, sizeof dump, SCR "/dump.txt");
    snprintf(thermo, sizeof thermo, SCR "/energy.txt");
    if (tu_write_data(s, data))
        return -1;
    FILE *f = fopen(in, "w");
    if (!f)
        return -1;
    fprintf(f,
            "units metal\natom_style atomic\nboundary p p p\natom_modify map array\n"
            "read_data %s\npair_style kim %s\npair_coeff * *",
            data, model);
    for (size_t k = 0; k < s->n_symbols; k++)
        fprintf(f, " %s", s->symbols[k]);
    fprintf(f,
            "\ndump d all custom 1 %s id fx fy fz\n"
            "dump_modify d sort id format float %%.17g\n"
            "variable e equal pe\nrun 0\nprint \"${e}\" file %s\n",
            dump, thermo);
    fclose(f);
    return tu_lammps_finish(s, env, in, thermo, dump, energy, NULL, forces);
}

/* 108-atom fcc cells of two elements: random, L1_0 tetragonal, pure A, A3B-ish */
static as_structure *binary_cell(const char *a, const char *b, int kind, uint64_t seed)
{
    const char *sy[2] = {a, b};
    as_rng rng;
    as_rng_seed(&rng, seed);
    as_structure *s = NULL;
    double w[2] = {0.5, 0.5}, w3[2] = {0.75, 0.25};
    switch (kind) {
    case 0:
        s = tu_fcc(3.80, 1.0, 3, 3, 3, sy, 2);
        tu_shuffle(s, &rng, w, 0.08);
        break;
    case 1:
        s = tu_fcc(3.82, 0.96, 3, 3, 3, sy, 2); /* L1_0 layers */
        tu_shuffle(s, &rng, NULL, 0.04);
        break;
    case 2:
        s = tu_fcc(3.92, 1.0, 3, 3, 3, sy, 2);
        for (size_t i = 0; i < s->n; i++)
            s->species[i] = 0;
        tu_shuffle(s, &rng, NULL, 0.05);
        break;
    default:
        s = tu_fcc(3.86, 1.0, 3, 3, 3, sy, 2);
        tu_shuffle(s, &rng, w3, 0.06);
        break;
    }
    return s;
}

static void compare(as_oracle *o, const as_structure *s, const char *env, const char *model)
{
    size_t n = s->n;
    double e, le, *f = calloc(3 * n, 8), *lf = calloc(3 * n, 8);
    assert_int_equal(as_oracle_energy(o, s, &e, f), AS_OK);
    assert_int_equal(run_kim(s, env, model, &le, lf), 0);
    if (fabs(e - le) >= 1e-8)
        printf("%s: %.12f vs %s %.12f\n", as_oracle_describe(o), e, model, le);
    assert_true(fabs(e - le) < 1e-8);
    for (size_t k = 0; k < 3 * n; k++)
        assert_true(fabs(f[k] - lf[k]) < 1e-8);
    free(f);
    free(lf);
}

static void binary_pt_co_should_equal_the_kim_model(void **state)
{
    (void)state;
    if (!have_all())
        skip();
    mkdir(SCR, 0755);
    as_oracle *o;
    assert_int_equal(as_oracle_create("meam:Pt,Co", NULL, &o), AS_OK);
    assert_string_equal(as_oracle_describe(o), "meam:openkim-2nn-v1[Pt,Co]");
    assert_true(as_oracle_supports(o, "Co") && !as_oracle_supports(o, "Cu"));
    for (int kind = 0; kind < 4; kind++) {
        as_structure *s = binary_cell("Pt", "Co", kind, 11 + (uint64_t)kind);
        compare(o, s, "", PTCO);
        /* the other way round: Co as type 1 */
        snprintf(s->symbols[0], AS_SYMBOL_MAX, "Co");
        snprintf(s->symbols[1], AS_SYMBOL_MAX, "Pt");
        compare(o, s, "", PTCO);
        as_structure_free(s);
    }
    as_oracle_free(o);
}

/* the packaged Pt-Cu files, element list in parameter-file order (Cu Pt), as a KIM model */
static void fixed_ptcu_collection(char *env, size_t cap)
{
    mkdir(SCR "/ptcu", 0755);
    mkdir(SCR "/ptcu/models", 0755);
    mkdir(SCR "/ptcu/models/ref_ptcu", 0755);
    remove(SCR "/ptcu/models/ref_ptcu/libkim-api-portable-model.so");
    assert_int_equal(symlink(MODULE, SCR "/ptcu/models/ref_ptcu/libkim-api-portable-model.so"), 0);
    FILE *f = fopen(SCR "/ptcu/extract.py", "w");
    assert_non_null(f);
    fputs("import ctypes\n"
          "lib = ctypes.CDLL('" KIMDIR "/" PTCU "/libkim-api-portable-model.so')\n"
          "def get(name):\n"
          "    n = ctypes.c_uint.in_dll(lib, name + '_len').value\n"
          "    return ctypes.string_at(ctypes.addressof(ctypes.c_char.in_dll(lib, name)), n)\n"
          "open('" SCR "/ptcu/library.meam', 'wb').write(get('library_meam'))\n"
          "open('" SCR "/ptcu/param.meam', 'wb').write(get('PtCu_meam'))\n"
          "open('" SCR "/ptcu/elems.meam', 'w').write('# Ec(1,1) = 3.54 is Cu\\nCu Pt\\n')\n",
          f);
    fclose(f);
    assert_int_equal(system("/usr/bin/python3 " SCR "/ptcu/extract.py"), 0);
    snprintf(env, cap,
             "KIM_API_PORTABLE_MODELS_DIR=" SCR "/ptcu/models ALLOYSCOUT_MEAM_DIR=" SCR
             "/ptcu ALLOYSCOUT_MEAM_MODEL=ref_ptcu");
}

static void ternary_should_reproduce_each_binary(void **state)
{
    (void)state;
    if (!have_all())
        skip();
    mkdir(SCR, 0755);
    char env[1024];
    fixed_ptcu_collection(env, sizeof env);
    as_oracle *o, *ptcu, *sys;
    assert_int_equal(as_oracle_create("meam:Pt,Co,Cu", NULL, &o), AS_OK);
    assert_int_equal(as_oracle_create("meam:Cu,Pt", NULL, &ptcu), AS_OK);
    assert_int_equal(as_oracle_create("meam", NULL, &sys), AS_OK);
    for (int kind = 0; kind < 4; kind += 1) {
        as_structure *s = binary_cell("Pt", "Co", kind, 21 + (uint64_t)kind);
        compare(o, s, "", PTCO);
        compare(sys, s, "", PTCO);
        as_structure_free(s);
        s = binary_cell("Pt", "Cu", kind, 31 + (uint64_t)kind);
        compare(o, s, env, "ref_ptcu");
        compare(ptcu, s, env, "ref_ptcu");
        as_structure_free(s);
    }
    /* "meam": the system of a Pt-Co-Mn structure has no Pt-Mn model */
    const char *mn[3] = {"Pt", "Co", "Mn"};
    as_structure *s = tu_fcc(3.8, 1.0, 1, 1, 1, mn, 3);
    double e;
    assert_int_equal(as_oracle_energy(sys, s, &e, NULL), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "Pt-Mn"));
    char why[256];
    assert_false(as_oracle_supports_system(sys, mn, 3, why, sizeof why));
    assert_non_null(strstr(why, "Pt-Mn"));
    const char *cu[3] = {"Pt", "Co", "Cu"};
    assert_true(as_oracle_supports_system(sys, cu, 3, why, sizeof why));
    assert_true(as_oracle_supports_system(o, cu, 3, why, sizeof why));
    assert_false(as_oracle_supports_system(o, mn, 3, why, sizeof why));
    as_structure_free(s);
    as_oracle_free(o);
    as_oracle_free(ptcu);
    as_oracle_free(sys);
}

/* value of KEY(i,j,k) = V in a parameter file */
static double param(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    double v = NAN;
    size_t L = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, L) && line[L] == ' ')
            v = atof(strchr(line, '=') + 1);
    fclose(f);
    return v;
}

static void written_files_should_follow_the_combination_rules(void **state)
{
    (void)state;
    if (!have_all())
        skip();
    mkdir(SCR, 0755);
    mkdir(SCR "/w", 0755);
    const char *el[3] = {"Pt", "Co", "Cu"};
    char pc[2048];
    assert_int_equal(as_meam_write(el, 3, SCR "/w", pc, sizeof pc), AS_OK);
    /* l12 Pt3Co (Pt-Co), Cu3Pt (Pt-Cu as indexed) and Cu3Co put Cu, Pt, Co in that order */
    assert_string_equal(pc, "* * " SCR "/w/library.meam Cu Pt Co " SCR "/w/param.meam Pt Co Cu");
    const char *p = SCR "/w/param.meam";
    assert_true(param(p, "Ec(1,1)") == 3.54 && param(p, "Ec(2,2)") == 5.77 &&
                param(p, "Ec(3,3)") == 4.41);
    assert_true(param(p, "rc") == 4.5);
    /* Cmin(i,j,k) = [(sqrt Cmin(i,i,k) + sqrt Cmin(j,j,k)) / 2]^2 for the unfitted triples */
    for (int w = 0; w < 2; w++)
        for (int i = 1; i <= 3; i++)
            for (int j = i + 1; j <= 3; j++)
                for (int k = 1; k <= 3; k++) {
                    if (k == i || k == j)
                        continue;
                    char kij[64], kii[64], kjj[64];
                    const char *c = w ? "Cmax" : "Cmin";
                    snprintf(kij, sizeof kij, "%s(%d,%d,%d)", c, i, j, k);
                    snprintf(kii, sizeof kii, "%s(%d,%d,%d)", c, i, i, k);
                    snprintf(kjj, sizeof kjj, "%s(%d,%d,%d)", c, j, j, k);
                    double r = 0.5 * (sqrt(param(p, kii)) + sqrt(param(p, kjj)));
                    assert_true(fabs(param(p, kij) - r * r) < 1e-14);
                }
    /* Cu-Co screened by Pt: Cmin(Cu,Cu,Pt) = 1.21 (Pt-Cu), Cmin(Co,Co,Pt) = 0.49 (Pt-Co) */
    assert_true(fabs(param(p, "Cmin(1,3,2)") - 0.81) < 1e-14);
    as_oracle *o;
    assert_int_equal(as_oracle_create("meam:Pt,Co,Mn", NULL, &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "Pt-Mn"));
    assert_int_equal(as_oracle_create("meam:Pt,Xx", NULL, &o), AS_EINVAL);
    assert_int_equal(as_oracle_create("meam:Pt,,Co", NULL, &o), AS_EINVAL);
}

/* E per atom after a cell optimization and a relaxation */
static double relaxed_e(as_oracle *o, as_structure *s, int tetragonal)
{
    as_cellopt_options co;
    as_cellopt_options_default(&co);
    co.tetragonal = tetragonal;
    co.tol = 1e-5;
    co.max_rounds = 4;
    assert_int_equal(as_oracle_optimize_cell(o, s, &co, NULL), AS_OK);
    as_relax_report rep;
    assert_int_equal(as_oracle_relax(o, s, NULL, &rep), AS_OK);
    return rep.e_final / (double)s->n;
}

static void ptco_l10_should_order_as_dft_says(void **state)
{
    (void)state;
    if (!have_all())
        skip();
    as_oracle *o;
    assert_int_equal(as_oracle_create("meam:Pt,Co", NULL, &o), AS_OK);
    const char *sy[2] = {"Pt", "Co"};
    as_structure *l10 = tu_fcc(3.80, 1.0, 3, 3, 3, sy, 2);
    double e_l10 = relaxed_e(o, l10, 1), e_rand = 0;
    for (int r = 0; r < 2; r++) {
        as_structure *s = tu_fcc(3.80, 1.0, 3, 3, 3, sy, 2);
        as_rng rng;
        as_rng_seed(&rng, 100 + (uint64_t)r);
        /* exactly half Co: shuffle the L1_0 species */
        for (size_t i = s->n - 1; i > 0; i--) {
            size_t j = (size_t)(as_rng_uniform(&rng) * (double)(i + 1));
            int t = s->species[i];
            s->species[i] = s->species[j];
            s->species[j] = t;
        }
        e_rand += relaxed_e(o, s, 0) / 2;
        as_structure_free(s);
    }
    printf("meam PtCo: E(random) - E(L1_0) = %.4f eV/atom (DFT, seed paper: 0.054)\n",
           e_rand - e_l10);
    assert_true(e_rand - e_l10 > 0.01);
    as_structure_free(l10);
    as_oracle_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binary_pt_co_should_equal_the_kim_model),
        cmocka_unit_test(ternary_should_reproduce_each_binary),
        cmocka_unit_test(written_files_should_follow_the_combination_rules),
        cmocka_unit_test(ptco_l10_should_order_as_dft_says),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
