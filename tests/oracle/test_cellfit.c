/* Lattice constants by polynomial fits (AS_CELLOPT_FIT, issue 18 item 1) against the golden-
 * section optimum of the same energy (AS_CELLOPT_GOLDEN at tolerance 1e-8, thousands of calls)
 * and against an independent Newton search on central differences (h = 2e-4) written here: the
 * fitted constants agree within 3e-4 A and the energies within 1e-6 eV/atom, at most 25 calls;
 * a cubic fcc cell takes at most 7; a cell whose energies fail reports the oracle's error; a
 * start far from the minimum still converges; an energy that keeps falling to the bracket edge
 * is reported at_bracket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "oracle_test_util.h"

/* The 4-atom Pt2CoM cell (Pt on z = 0, Co and M on z = 1/2), edge a0. */
static as_structure *cell4(const char *m, const char *x, double a0)
{
    const char *sy[3] = {"Pt", m, x};
    as_structure *s;
    if (as_structure_create(4, 3, &s) != AS_OK)
        return NULL;
    size_t ns = strcmp(m, x) ? 3 : 2;
    for (size_t k = 0; k < ns; k++)
        snprintf(s->symbols[k], AS_SYMBOL_MAX, "%s", sy[k]);
    s->n_symbols = ns;
    static const double b[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    static const int sp[4] = {0, 0, 1, 2};
    memset(s->cell, 0, sizeof s->cell);
    s->cell[0] = s->cell[4] = s->cell[8] = a0;
    for (int i = 0; i < 4; i++) {
        s->species[i] = ns == 2 && sp[i] == 2 ? 1 : sp[i];
        for (int k = 0; k < 3; k++)
            s->pos[3 * i + k] = b[i][k] * a0;
    }
    return s;
}

static double energy_at(as_oracle *o, const char *m, const char *x, double a, double c)
{
    as_structure *s = cell4(m, x, 1.0);
    s->cell[0] = s->cell[4] = a;
    s->cell[8] = c;
    for (size_t i = 0; i < 4; i++) {
        s->pos[3 * i] *= a;
        s->pos[3 * i + 1] *= a;
        s->pos[3 * i + 2] *= c;
    }
    double e;
    assert_int_equal(as_oracle_energy(o, s, &e, NULL), AS_OK);
    as_structure_free(s);
    return e;
}

/* Newton on E(a, c) with central differences (the independent reference). */
static void newton_min(as_oracle *o, const char *m, const char *x, double *a, double *c)
{
    const double h = 2e-4;
    for (int it = 0; it < 40; it++) {
        double e0 = energy_at(o, m, x, *a, *c), ap = energy_at(o, m, x, *a + h, *c),
               am = energy_at(o, m, x, *a - h, *c), cp = energy_at(o, m, x, *a, *c + h),
               cm = energy_at(o, m, x, *a, *c - h), pp = energy_at(o, m, x, *a + h, *c + h),
               mm = energy_at(o, m, x, *a - h, *c - h);
        double ga = (ap - am) / (2 * h), gc = (cp - cm) / (2 * h);
        double haa = (ap - 2 * e0 + am) / (h * h), hcc = (cp - 2 * e0 + cm) / (h * h);
        double hac = (pp + mm - ap - am - cp - cm + 2 * e0) / (2 * h * h);
        double det = haa * hcc - hac * hac;
        double da = -(hcc * ga - hac * gc) / det, dc = -(-hac * ga + haa * gc) / det;
        *a += da;
        *c += dc;
        if (fabs(da) < 1e-10 && fabs(dc) < 1e-10)
            break;
    }
}

static void fitted_constants_should_match_golden_section_and_newton(void **state)
{
    (void)state;
    static const char *cases[][3] = {{"eam:Pt,Co", "Co", "Co"},    {"eam:Pt,Co,Cu", "Co", "Cu"},
                                     {"eam:Pt,Co,Cu", "Cu", "Cu"}, {"eam:Pt,Co,Ni", "Co", "Ni"},
                                     {"eam:Pt,Co,Fe", "Co", "Fe"}, {"eam:Pt,Co,Ti", "Co", "Ti"}};
    for (size_t q = 0; q < sizeof cases / sizeof *cases; q++) {
        as_oracle *o;
        assert_int_equal(as_oracle_create(cases[q][0], NULL, &o), AS_OK);
        as_cellopt_options co;
        as_cellopt_options_default(&co);
        assert_int_equal(co.method, AS_CELLOPT_FIT);
        co.tetragonal = 1;
        co.scale_lo = 0.8;
        co.scale_hi = 1.25;
        as_structure *s1 = cell4(cases[q][1], cases[q][2], 3.8);
        as_structure *s2 = cell4(cases[q][1], cases[q][2], 3.8);
        as_cellopt_report fit, gold;
        assert_int_equal(as_oracle_optimize_cell(o, s1, &co, &fit), AS_OK);
        co.method = AS_CELLOPT_GOLDEN;
        co.max_rounds = 200;
        assert_int_equal(as_oracle_optimize_cell(o, s2, &co, &gold), AS_OK);
        double na = gold.a_ang, nc = gold.c_ang;
        newton_min(o, cases[q][1], cases[q][2], &na, &nc);
        printf("Pt2%s%s: fit a %.6f c %.6f (%zu calls), golden a %.6f c %.6f (%zu), Newton "
               "a %.6f c %.6f; fit - Newton %.1e %.1e A, dE %.1e eV/atom\n",
               cases[q][1], cases[q][2], fit.a_ang, fit.c_ang, fit.evaluations, gold.a_ang,
               gold.c_ang, gold.evaluations, na, nc, fit.a_ang - na, fit.c_ang - nc,
               (fit.energy - gold.energy) / 4);
        assert_true(fabs(gold.a_ang - na) < 1e-5 && fabs(gold.c_ang - nc) < 1e-5);
        assert_true(fabs(fit.a_ang - na) < 3e-4 && fabs(fit.c_ang - nc) < 3e-4);
        assert_true(fabs(fit.energy - gold.energy) / 4 < 1e-6);
        assert_true(fit.evaluations <= 25);
        assert_false(fit.at_bracket);
        /* the structure is left at the result with its energy */
        assert_true(fabs(s1->cell[0] - fit.a_ang) < 1e-12 && fabs(s1->cell[8] - fit.c_ang) < 1e-12);
        assert_true(
            fabs(energy_at(o, cases[q][1], cases[q][2], fit.a_ang, fit.c_ang) - fit.energy) < 1e-9);
        as_structure_free(s1);
        as_structure_free(s2);
        as_oracle_free(o);
    }
}

static void a_cubic_fit_should_take_seven_calls(void **state)
{
    (void)state;
    as_oracle *o;
    assert_int_equal(as_oracle_create("eam:Cu", NULL, &o), AS_OK);
    const char *sy[1] = {"Cu"};
    as_structure *s = tu_fcc(3.7, 1.0, 1, 1, 1, sy, 1), *g = tu_fcc(3.7, 1.0, 1, 1, 1, sy, 1);
    as_cellopt_report fit, gold;
    assert_int_equal(as_oracle_optimize_cell(o, s, NULL, &fit), AS_OK);
    as_cellopt_options co;
    as_cellopt_options_default(&co);
    co.method = AS_CELLOPT_GOLDEN;
    assert_int_equal(as_oracle_optimize_cell(o, g, &co, &gold), AS_OK);
    printf("fcc Cu: fit a %.6f (%zu calls), golden %.6f (%zu)\n", fit.a_ang, fit.evaluations,
           gold.a_ang, gold.evaluations);
    assert_true(fit.evaluations <= 7);
    assert_true(fabs(fit.a_ang - gold.a_ang) < 3e-4);
    as_structure_free(s);
    as_structure_free(g);
    as_oracle_free(o);
}

static void failures_and_edges_should_be_reported(void **state)
{
    (void)state;
    /* a cmd: program that always fails: the oracle's error, not a result */
    as_oracle *o;
    as_oracle_options oo;
    as_oracle_options_default(&oo);
    oo.retries = 0;
    assert_int_equal(as_oracle_create("cmd:/bin/false {in} {out}", &oo, &o), AS_OK);
    as_structure *s = cell4("Co", "Co", 3.8);
    as_cellopt_options co;
    as_cellopt_options_default(&co);
    co.tetragonal = 1;
    as_cellopt_report rep;
    as_status st = as_oracle_optimize_cell(o, s, &co, &rep);
    assert_int_equal(st, AS_EORACLE);
    assert_non_null(strstr(as_errmsg(), "cell optimization: the energy at"));
    as_oracle_free(o);
    as_structure_free(s);
    /* a narrow bracket that excludes the minimum (PtCo's c/a is 0.96): at_bracket */
    assert_int_equal(as_oracle_create("eam:Pt,Co", NULL, &o), AS_OK);
    s = cell4("Co", "Co", 3.4);
    co.scale_lo = 0.9;
    co.scale_hi = 1.05;
    assert_int_equal(as_oracle_optimize_cell(o, s, &co, &rep), AS_OK);
    assert_true(rep.at_bracket);
    assert_true(rep.evaluations <= 25);
    as_structure_free(s);
    /* bad options */
    s = cell4("Co", "Co", 3.8);
    co.scale_lo = 0.8;
    co.scale_hi = 1.25;
    co.step = 0;
    assert_int_equal(as_oracle_optimize_cell(o, s, &co, &rep), AS_EINVAL);
    as_structure_free(s);
    as_oracle_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fitted_constants_should_match_golden_section_and_newton),
        cmocka_unit_test(a_cubic_fit_should_take_seven_calls),
        cmocka_unit_test(failures_and_edges_should_be_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
