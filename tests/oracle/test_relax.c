/* FIRE relaxation, RMSD (closed forms) and lattice-constant optimization. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

static double fmax_of(as_oracle *o, const as_structure *s)
{
    double e, m = 0, *f = calloc(3 * s->n, sizeof *f);
    assert_int_equal(as_oracle_energy(o, s, &e, f), AS_OK);
    for (size_t i = 0; i < s->n; i++)
        m = fmax(m, sqrt(f[3 * i] * f[3 * i] + f[3 * i + 1] * f[3 * i + 1] +
                         f[3 * i + 2] * f[3 * i + 2]));
    free(f);
    return m;
}

static void fire_should_bring_every_force_below_fmax_and_lower_the_energy(void **state)
{
    (void)state;
    as_oracle *o;
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &o), AS_OK);
    const char *sy[3] = {"Pt", "Co", "Cu"};
    as_structure *s = tu_fcc(3.80, 1.0, 3, 3, 3, sy, 3);
    as_rng rng;
    as_rng_seed(&rng, 42);
    double w[3] = {0.5, 0.25, 0.25};
    tu_shuffle(s, &rng, w, 0.1);
    as_relax_options opt;
    as_relax_options_default(&opt);
    assert_true(opt.fmax == 0.03); /* paper, Methods */
    as_relax_report rep;
    assert_int_equal(as_oracle_relax(o, s, &opt, &rep), AS_OK);
    assert_true(rep.converged);
    assert_true(rep.e_final < rep.e_initial);
    assert_true(fmax_of(o, s) < 0.03); /* checked independently of the report */
    assert_true(rep.rmsd > 0 && rep.rmsd < 0.2);
    assert_true(fabs(rep.rmsd_paper - rep.rmsd / sqrt((double)s->n)) < 1e-12);
    as_structure_free(s);
    as_oracle_free(o);
}

/* A native FIRE label that reaches max_steps with fmax above the tolerance is a failed label
 * (as the cmd: contract), "not converged after N steps, fmax F", unless accept_unconverged. The
 * fmax of the message is checked against the forces at the positions FIRE stopped at. */
static void label_at_the_step_limit_should_fail_unless_accept_unconverged(void **state)
{
    (void)state;
    const char *sy[3] = {"Pt", "Co", "Cu"};
    as_structure *s = tu_fcc(3.80, 1.0, 2, 2, 2, sy, 3);
    as_rng rng;
    as_rng_seed(&rng, 7);
    double w[3] = {0.5, 0.25, 0.25};
    tu_shuffle(s, &rng, w, 0.1);
    as_relax_options ro;
    as_relax_options_default(&ro);
    ro.max_steps = 3;
    for (int accept = 0; accept <= 1; accept++) {
        as_oracle_options oo;
        as_oracle_options_default(&oo);
        oo.accept_unconverged = accept;
        as_oracle *o;
        assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", &oo, &o), AS_OK);
        /* the positions after 3 steps, and fmax there (from the oracle's forces) */
        as_structure *t;
        assert_int_equal(as_structure_copy(s, &t), AS_OK);
        as_relax_report rep;
        assert_int_equal(as_oracle_relax(o, t, &ro, &rep), AS_OK); /* the low-level call */
        assert_false(rep.converged);
        assert_int_equal(rep.steps, 3);
        double fm = fmax_of(o, t);
        assert_true(fm > ro.fmax);
        as_label_result r;
        as_structure *rx = NULL;
        const as_structure *one[1] = {s};
        assert_int_equal(as_oracle_label_batch(o, one, 1, 1, &ro, &r, &rx), AS_OK);
        assert_int_equal(r.converged, -1);
        assert_int_equal(r.steps, 3);
        assert_true(fabs(r.fmax - fm) <= 1e-12 * fm);
        if (!accept) {
            assert_int_equal(r.status, AS_EORACLE);
            assert_true(isnan(r.energy));
            assert_null(rx);
            char want[128];
            snprintf(want, sizeof want, "not converged after 3 steps, fmax %.6g eV/", fm);
            assert_non_null(strstr(r.error, want));
            assert_non_null(strstr(r.error, "--accept-unconverged"));
        } else {
            assert_int_equal(r.status, AS_OK);
            assert_true(isfinite(r.energy));
            assert_non_null(rx);
            assert_memory_equal(rx->pos, t->pos, 3 * s->n * sizeof *s->pos);
            as_structure_free(rx);
        }
        /* enough steps: converged, a label either way */
        as_relax_options_default(&ro);
        assert_int_equal(as_oracle_label_batch(o, one, 1, 1, &ro, &r, NULL), AS_OK);
        assert_int_equal(r.status, AS_OK);
        assert_int_equal(r.converged, 1);
        ro.max_steps = 3;
        as_structure_free(t);
        as_oracle_free(o);
    }
    as_structure_free(s);
}

/* one atom moved by d across the periodic boundary: rms = d / sqrt(n), paper = d / n */
static void rmsd_should_use_the_minimum_image_and_both_formulas(void **state)
{
    (void)state;
    const char *sy[1] = {"Cu"};
    as_structure *a = tu_fcc(3.6, 1.0, 2, 2, 2, sy, 1), *b;
    assert_int_equal(as_structure_copy(a, &b), AS_OK);
    double d = 0.237;
    b->pos[0] = a->pos[0] - d + a->cell[0]; /* wraps to the far side */
    double rms, paper;
    assert_int_equal(as_rmsd(a, b, &rms, &paper), AS_OK);
    assert_true(fabs(rms - d / sqrt(32.0)) < 1e-12);
    assert_true(fabs(paper - d / 32.0) < 1e-12);
    as_structure *c = tu_fcc(3.6, 1.0, 1, 1, 1, sy, 1);
    assert_int_equal(as_rmsd(a, c, &rms, &paper), AS_EDIM);
    as_structure_free(a);
    as_structure_free(b);
    as_structure_free(c);
}

/* L1_0 PtCo with the Zhou potential: cubic optimization of an fcc cell must land on the 1-D
 * minimum of E(a) (checked by neighbours), tetragonal optimization must not be worse than
 * the cubic one */
static void cell_optimization_should_find_the_energy_minimum(void **state)
{
    (void)state;
    as_oracle *o;
    assert_int_equal(as_oracle_create("eam:Pt,Co", NULL, &o), AS_OK);
    const char *sy[2] = {"Pt", "Co"};
    as_structure *s = tu_fcc(3.9, 1.0, 1, 1, 1, sy, 2);
    as_cellopt_report cub, tet;
    assert_int_equal(as_oracle_optimize_cell(o, s, NULL, &cub), AS_OK);
    double a = cub.a_ang, e0 = cub.energy, ep, em;
    as_structure *t;
    assert_int_equal(as_structure_copy(s, &t), AS_OK);
    for (int k = 0; k < 9; k++)
        t->cell[k] *= 1.001;
    for (size_t i = 0; i < 3 * t->n; i++)
        t->pos[i] *= 1.001;
    assert_int_equal(as_oracle_energy(o, t, &ep, NULL), AS_OK);
    for (int k = 0; k < 9; k++)
        t->cell[k] *= 0.998 / 1.001;
    for (size_t i = 0; i < 3 * t->n; i++)
        t->pos[i] *= 0.998 / 1.001;
    assert_int_equal(as_oracle_energy(o, t, &em, NULL), AS_OK);
    assert_true(e0 < ep && e0 < em);
    assert_true(a > 3.6 && a < 4.0);
    as_cellopt_options opt;
    as_cellopt_options_default(&opt);
    opt.tetragonal = 1;
    assert_int_equal(as_oracle_optimize_cell(o, s, &opt, &tet), AS_OK);
    assert_true(tet.energy <= cub.energy + 1e-9);
    assert_true(fabs(tet.c_ang / tet.a_ang - 1.0) > 1e-4); /* L1_0 is tetragonal */
    opt.scale_lo = 0;
    assert_int_equal(as_oracle_optimize_cell(o, s, &opt, &tet), AS_EINVAL);
    as_structure_free(t);
    as_structure_free(s);
    as_oracle_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fire_should_bring_every_force_below_fmax_and_lower_the_energy),
        cmocka_unit_test(label_at_the_step_limit_should_fail_unless_accept_unconverged),
        cmocka_unit_test(rmsd_should_use_the_minimum_image_and_both_formulas),
        cmocka_unit_test(cell_optimization_should_find_the_energy_minimum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
