/* Native EAM: the Zhou 2004 table, the setfl tabulation (reference values of
 * data/zhou2004_eam_params.md), setfl I/O, forces vs energy differences, periodic images,
 * analytic vs tabulated modes, and fcc Cu, Ni, Pt equilibrium properties vs Zhou 2004. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_int.h"
#include "oracle/oracle_test_util.h"

static void zhou_table_should_equal_the_shipped_tsv(void **state)
{
    (void)state;
    FILE *f = fopen(AS_SOURCE_DIR "/data/zhou2004_eam_params.tsv", "r");
    assert_non_null(f);
    char line[4096];
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    size_t rows = 0;
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *tok = strtok_r(line, "\t\n", &save);
        const as_zhou_params *p = as_zhou_find(tok);
        assert_non_null(p);
        const double *v = &p->re; /* the 27 numeric fields are consecutive doubles */
        for (int k = 0; k < 27; k++) {
            tok = strtok_r(NULL, "\t\n", &save);
            assert_non_null(tok);
            assert_true(strtod(tok, NULL) == v[k]);
        }
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, as_zhou_count);
    assert_int_equal(rows, 17);
}

static as_setfl *tab(const char *a, const char *b)
{
    const char *e[2] = {a, b};
    as_setfl *t = NULL;
    assert_int_equal(as_setfl_from_zhou(e, b ? 2 : 1, 2000, 2000, &t), AS_OK);
    return t;
}

#define REL(x, ref) (fabs((x) - (ref)) / fabs(ref))

/* data/zhou2004_eam_params.md, "Checks done": double-precision values of an independent
 * evaluation (15 significant digits printed, so 1e-13 relative). */
static void zhou_tables_should_reproduce_the_reference_values_for_cu_ta(void **state)
{
    (void)state;
    as_setfl *t = tab("Cu", "Ta");
    int nr = t->nr, nrho = t->nrho;
    assert_true(REL(t->rc, 6.39533777322355) < 1e-13);
    assert_true(REL(t->dr, 0.00319926852087221) < 1e-13);
    assert_true(REL(t->drho, 0.0647507672695499) < 1e-13);
    assert_true(REL(t->frho[1], -0.0175609874423954) < 1e-12);
    assert_true(REL(t->frho[100], -1.34040930396578) < 1e-12);
    assert_true(REL(t->rhor[1000], 0.522341141915283) < 1e-12);
    assert_true(REL(t->frho[nrho + 1], -0.0301224755006331) < 1e-12);
    /* pair order: (Cu,Cu), (Ta,Cu), (Ta,Ta) */
    assert_true(REL(t->z2r[1999], -7.57292691197276e-08) < 1e-9);
    for (int k = 0; k <= 156; k++)
        assert_true(REL(t->z2r[nr + k], 225.026558162788) < 1e-12);
    assert_true(REL(t->z2r[nr + 157], 224.422151855938) < 1e-12);
    assert_true(REL(t->z2r[nr + 1000], -0.996406875971577) < 1e-12);
    assert_true(REL(t->z2r[2 * nr], 315.563061994411) < 1e-12);
    as_setfl_free(t);
}

static void zhou_tables_should_reproduce_the_reference_values_for_cu_alone(void **state)
{
    (void)state;
    as_setfl *t = tab("Cu", NULL);
    assert_true(REL(t->rc, 5.71575199350182) < 1e-13);
    assert_true(REL(t->dr, 0.0028593056495757) < 1e-13);
    assert_true(REL(t->drho, 0.0500250125062531) < 1e-13);
    assert_true(t->frho[0] == 0.0);
    assert_true(REL(t->frho[1], -0.0135752720784926) < 1e-12);
    assert_true(REL(t->rhor[0], 50.8036125266405) < 1e-12);
    assert_true(REL(t->z2r[0], 128.03087798282) < 1e-12);
    assert_true(REL(t->z2r[1000], -0.510970530119159) < 1e-12);
    as_setfl_free(t);
}

static void setfl_written_and_read_back_should_give_identical_tables(void **state)
{
    (void)state;
    const char *e[3] = {"Pt", "Co", "Ni"};
    const char *path = AS_BUILD_DIR "/oracle_test_PtCoNi.eam.alloy";
    assert_int_equal(as_eam_write_setfl(e, 3, 0, 0, path), AS_OK);
    as_setfl *a, *b;
    assert_int_equal(as_setfl_from_zhou(e, 3, 2000, 2000, &a), AS_OK);
    assert_int_equal(as_setfl_read(path, &b), AS_OK);
    assert_int_equal(b->n_el, 3);
    assert_string_equal(b->el[1], "Co");
    assert_int_equal(b->z[0], 78);
    assert_true(a->rc == b->rc && a->dr == b->dr && a->drho == b->drho);
    assert_memory_equal(a->frho, b->frho, 3 * 2000 * sizeof(double));
    assert_memory_equal(a->rhor, b->rhor, 3 * 2000 * sizeof(double));
    assert_memory_equal(a->z2r, b->z2r, 6 * 2000 * sizeof(double));
    as_setfl_free(a);
    as_setfl_free(b);
    remove(path);
}

static void setfl_reader_should_name_file_line_and_column_of_a_bad_number(void **state)
{
    (void)state;
    const char *path = AS_BUILD_DIR "/oracle_test_bad.eam.alloy";
    FILE *f = fopen(path, "w");
    fprintf(f, "c1\nc2\nc3\n1 Cu\n5 0.1 5 0.1 0.4\n29 63.5 3.6 fcc\n0 1 2 3 4\n0 1 2 x3 4\n");
    fclose(f);
    as_setfl *t = (as_setfl *)1;
    assert_int_equal(as_setfl_read(path, &t), AS_EPARSE);
    assert_null(t);
    assert_non_null(strstr(as_errmsg(), "oracle_test_bad.eam.alloy:8:7"));
    f = fopen(path, "w");
    fprintf(f, "c1\nc2\nc3\n1 Cu\n5 0.1 5 0.1 0.4\n29 63.5 3.6 fcc\n0 1 2 3 4\n0 1 2\n");
    fclose(f);
    assert_int_equal(as_setfl_read(path, &t), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "unexpected end of file"));
    assert_int_equal(as_setfl_read(AS_BUILD_DIR "/no/such.eam.alloy", &t), AS_EIO);
    remove(path);
}

static as_structure *random_ptcocu(uint64_t seed, int nx, double amp)
{
    const char *sy[3] = {"Pt", "Co", "Cu"};
    as_structure *s = tu_fcc(3.82, 1.0, nx, nx, nx, sy, 3);
    as_rng rng;
    as_rng_seed(&rng, seed);
    double w[3] = {0.5, 0.25, 0.25};
    tu_shuffle(s, &rng, w, amp);
    return s;
}

/* central differences, step h = 1e-5 Å: truncation error ~ h^2 E''' ~ 1e-9, rounding
 * ~ eps |E| / h ~ 1e-14 * 600 / 1e-5 ~ 1e-9 eV/Å; the spline's first derivative is continuous
 * (C1), so 1e-6 eV/Å is a safe bound */
static void forces_should_equal_minus_the_energy_gradient(void **state)
{
    (void)state;
    const char *specs[2] = {"eam:Pt,Co,Cu", "eam-analytic:Pt,Co,Cu"};
    for (int q = 0; q < 2; q++) {
        as_oracle *o;
        assert_int_equal(as_oracle_create(specs[q], NULL, &o), AS_OK);
        as_structure *s = random_ptcocu(11, 2, 0.15);
        double e, *f = calloc(3 * s->n, sizeof *f);
        assert_int_equal(as_oracle_energy(o, s, &e, f), AS_OK);
        const double h = 1e-5;
        size_t atoms[3] = {0, 7, 31};
        for (int a = 0; a < 3; a++)
            for (int d = 0; d < 3; d++) {
                double *x = &s->pos[3 * atoms[a] + d], x0 = *x, ep, em;
                *x = x0 + h;
                assert_int_equal(as_oracle_energy(o, s, &ep, NULL), AS_OK);
                *x = x0 - h;
                assert_int_equal(as_oracle_energy(o, s, &em, NULL), AS_OK);
                *x = x0;
                assert_true(fabs(-(ep - em) / (2 * h) - f[3 * atoms[a] + d]) < 1e-6);
            }
        double sum[3] = {0, 0, 0};
        for (size_t i = 0; i < s->n; i++)
            for (int d = 0; d < 3; d++)
                sum[d] += f[3 * i + d];
        for (int d = 0; d < 3; d++)
            assert_true(fabs(sum[d]) < 1e-10); /* Newton's third law */
        free(f);
        as_structure_free(s);
        as_oracle_free(o);
    }
}

/* a 4-atom cell (edge 3.8 Å, far below the 6.2 Å cutoff) and its 3x3x3 supercell must give the
 * same energy per atom: the periodic images are complete */
static void small_cells_should_see_all_periodic_images(void **state)
{
    (void)state;
    as_oracle *o;
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &o), AS_OK);
    const char *sy[2] = {"Pt", "Co"};
    as_structure *a = tu_fcc(3.81, 0.97, 1, 1, 1, sy, 2), *b = tu_fcc(3.81, 0.97, 3, 3, 3, sy, 2);
    double ea, eb, ta;
    assert_int_equal(as_oracle_energy(o, a, &ea, NULL), AS_OK);
    assert_int_equal(as_oracle_energy(o, b, &eb, NULL), AS_OK);
    assert_true(fabs(ea / 4 - eb / 108) < 1e-12);
    /* translating every atom, and a skewed (but equivalent) cell, change nothing */
    for (size_t i = 0; i < a->n; i++)
        a->pos[3 * i] += 17.3, a->pos[3 * i + 2] -= 2.1;
    a->cell[3] += a->cell[0]; /* b' = b + a: same lattice */
    assert_int_equal(as_oracle_energy(o, a, &ta, NULL), AS_OK);
    assert_true(fabs(ta - ea) < 1e-10);
    as_structure_free(a);
    as_structure_free(b);
    as_oracle_free(o);
}

static void analytic_and_tabulated_modes_should_agree(void **state)
{
    (void)state;
    as_oracle *t, *a;
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &t), AS_OK);
    assert_int_equal(as_oracle_create("eam-analytic:Pt,Co,Cu", NULL, &a), AS_OK);
    as_structure *s = random_ptcocu(5, 3, 0.1);
    double et, ea;
    assert_int_equal(as_oracle_energy(t, s, &et, NULL), AS_OK);
    assert_int_equal(as_oracle_energy(a, s, &ea, NULL), AS_OK);
    /* cubic interpolation on dr = 3.1e-3 Å: error ~ dr^4 f'''' ~ 1e-9 eV per pair */
    assert_true(fabs(et - ea) / s->n < 1e-8);
    as_structure_free(s);
    as_oracle_free(t);
    as_oracle_free(a);
}

/* Zhou, Johnson, Wadley, PRB 69, 144113 (2004): the parameters are fitted to the experimental
 * fcc lattice constants and cohesive energies (Table I of the paper; Table III gives
 * re = a0/sqrt(2): 2.556162, 2.488746, 2.771916 Å). Cu a0 = 3.615 Å, Ec = 3.54 eV;
 * Ni 3.52 Å, 4.45 eV; Pt 3.92 Å, 5.77 eV. */
static void fcc_cu_ni_pt_should_have_the_zhou_2004_lattice_constant_and_cohesive_energy(void **s_)
{
    (void)s_;
    const char *el[3] = {"Cu", "Ni", "Pt"};
    const double a0[3] = {3.615, 3.52, 3.92}, ec[3] = {3.54, 4.45, 5.77};
    for (int k = 0; k < 3; k++) {
        as_oracle *o;
        char spec[32];
        snprintf(spec, sizeof spec, "eam:%s", el[k]);
        assert_int_equal(as_oracle_create(spec, NULL, &o), AS_OK);
        const char *sy[1] = {el[k]};
        as_structure *s = tu_fcc(3.7, 1.0, 1, 1, 1, sy, 1);
        as_cellopt_report r;
        assert_int_equal(as_oracle_optimize_cell(o, s, NULL, &r), AS_OK);
        assert_true(fabs(r.a_ang - a0[k]) < 1e-3); /* paper rounds to 3-4 digits */
        assert_true(fabs(-r.energy / 4 - ec[k]) < 1e-3);
        as_structure_free(s);
        as_oracle_free(o);
    }
}

static void unsupported_elements_should_be_named_with_the_supported_ones(void **state)
{
    (void)state;
    as_oracle *o = (as_oracle *)1;
    assert_int_equal(as_oracle_create("eam:Pt,Xx", NULL, &o), AS_EIO);
    assert_null(o);
    assert_int_equal(as_oracle_create("bogus", NULL, &o), AS_EINVAL);
    assert_int_equal(as_oracle_create("eam:Pt,Co", NULL, &o), AS_OK);
    assert_true(as_oracle_supports(o, "Co"));
    assert_false(as_oracle_supports(o, "Ga"));
    assert_string_equal(as_oracle_elements(o), "Pt Co");
    const char *sy[2] = {"Pt", "Ga"};
    as_structure *s = tu_fcc(3.9, 1.0, 1, 1, 1, sy, 2);
    double e;
    assert_int_equal(as_oracle_energy(o, s, &e, NULL), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "'Ga'"));
    assert_non_null(strstr(as_errmsg(), "Pt Co"));
    as_structure_free(s);
    as_oracle_free(o);
    /* the default covers every Zhou element */
    assert_int_equal(as_oracle_create("eam", NULL, &o), AS_OK);
    assert_true(as_oracle_supports(o, "Cr") && as_oracle_supports(o, "Zr"));
    as_oracle_free(o);
}

static void failed_allocations_should_give_enomem_without_leaks(void **state)
{
    (void)state;
    as_structure *s = random_ptcocu(3, 1, 0.05);
    for (size_t k = 1; k < 200; k++) {
        as_oracle *o = NULL;
        as_alloc_fail_after(k);
        as_status st = as_oracle_create("eam:Pt,Co,Cu", NULL, &o);
        double e;
        if (st == AS_OK)
            st = as_oracle_energy(o, s, &e, NULL);
        as_alloc_fail_after(0);
        as_oracle_free(o);
        if (st == AS_OK)
            break;
        assert_int_equal(st, AS_ENOMEM);
    }
    as_structure_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zhou_table_should_equal_the_shipped_tsv),
        cmocka_unit_test(zhou_tables_should_reproduce_the_reference_values_for_cu_ta),
        cmocka_unit_test(zhou_tables_should_reproduce_the_reference_values_for_cu_alone),
        cmocka_unit_test(setfl_written_and_read_back_should_give_identical_tables),
        cmocka_unit_test(setfl_reader_should_name_file_line_and_column_of_a_bad_number),
        cmocka_unit_test(forces_should_equal_minus_the_energy_gradient),
        cmocka_unit_test(small_cells_should_see_all_periodic_images),
        cmocka_unit_test(analytic_and_tabulated_modes_should_agree),
        cmocka_unit_test(
            fcc_cu_ni_pt_should_have_the_zhou_2004_lattice_constant_and_cohesive_energy),
        cmocka_unit_test(unsupported_elements_should_be_named_with_the_supported_ones),
        cmocka_unit_test(failed_allocations_should_give_enomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
