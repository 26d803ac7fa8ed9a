/* The ORR slab geometry against closed forms of the fcc (111) face: atom count, interlayer
 * spacing a/sqrt(3), nearest-neighbour distance a/sqrt(2), the 60-degree in-plane cell, fixed
 * layers, and the sites: top straight above a top-layer atom, hcp above a second-layer atom,
 * fcc above a third-layer atom, both hollows a/sqrt(6) in plane from their three nearest top
 * atoms; the L1_0 core's order carried into the slab and an incommensurate cell refused. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "alloyscout/orr.h"

/* in-plane minimum-image distance in the slab's cell (rows a1 = (x, 0), a2 = (x, y)) */
static double dxy(const as_structure *s, const double *p, const double *q)
{
    double best = INFINITY;
    for (int i = -2; i <= 2; i++)
        for (int j = -2; j <= 2; j++) {
            double x = p[0] - q[0] + i * s->cell[0] + j * s->cell[3];
            double y = p[1] - q[1] + j * s->cell[4];
            best = fmin(best, hypot(x, y));
        }
    return best;
}

static void test_fcc_slab(void **state)
{
    (void)state;
    const double a = 3.92;
    const char *el[1] = {"Cu"};
    as_structure *core = NULL, *slab = NULL, *ad = NULL;
    unsigned char *fx = NULL;
    as_orr_slab_options opt;
    as_orr_slab_options_default(&opt);
    assert_int_equal(as_orr_core_create(el, 1, a, NAN, &core), AS_OK);
    assert_int_equal(as_orr_slab_build(core, &opt, &slab, &fx), AS_OK);
    assert_int_equal(slab->n, 16);
    assert_true(fabs(slab->cell[0] - 2 * a / sqrt(2)) < 1e-12);
    assert_true(fabs(slab->cell[3] - a / sqrt(2)) < 1e-12); /* 60 degrees */
    assert_true(fabs(slab->cell[8] - (3 * a / sqrt(3) + 20)) < 1e-12);
    size_t nfix = 0, npt = 0;
    double nn = INFINITY;
    for (size_t i = 0; i < 16; i++) {
        double zl = (slab->pos[3 * i + 2] - 10) / (a / sqrt(3));
        assert_true(fabs(zl - round(zl)) < 1e-12);
        nfix += fx[i];
        assert_int_equal(fx[i], zl < 1.5);
        int is_pt = !strcmp(slab->symbols[slab->species[i]], "Pt");
        npt += is_pt;
        assert_int_equal(is_pt, zl > 2.5);
        for (size_t j = 0; j < i; j++) {
            double d = hypot(dxy(slab, &slab->pos[3 * i], &slab->pos[3 * j]),
                             slab->pos[3 * i + 2] - slab->pos[3 * j + 2]);
            nn = fmin(nn, d);
        }
    }
    assert_int_equal(nfix, 8);
    assert_int_equal(npt, 4);
    assert_true(fabs(nn - a / sqrt(2)) < 1e-12);
    /* sites: which layer lies straight below, and the in-plane distance to the top atoms */
    for (int site = 0; site < AS_ORR_N_SITES; site++) {
        assert_int_equal(as_orr_add_adsorbate(slab, &opt, AS_ADS_OH, site, &ad), AS_OK);
        assert_int_equal(ad->n, 18);
        const double *o = &ad->pos[3 * 16], *h = &ad->pos[3 * 17];
        assert_true(fabs(h[2] - o[2] - 0.98) < 1e-12);
        double zt = 10 + 3 * a / sqrt(3);
        assert_true(fabs(o[2] - zt - (site == AS_ORR_SITE_TOP ? 1.8 : 1.2)) < 1e-12);
        /* layer of the atom straight below (in plane): top -> 3, hcp -> 2, fcc -> 1 (ABC:
         * the layer two below the top, i.e. layer L-3 = 1 of 4) */
        int want = site == AS_ORR_SITE_TOP ? 3 : site == AS_ORR_SITE_HCP ? 2 : 1;
        int found = -1;
        double dtop = INFINITY;
        for (size_t i = 0; i < 16; i++) {
            int layer = (int)lround((slab->pos[3 * i + 2] - 10) / (a / sqrt(3)));
            double d = dxy(slab, o, &slab->pos[3 * i]);
            if (d < 1e-9 && layer >= 1)
                found = found < 0 ? layer : (layer > found ? layer : found);
            if (layer == 3)
                dtop = fmin(dtop, d);
        }
        assert_int_equal(found, want);
        assert_true(fabs(dtop - (site == AS_ORR_SITE_TOP ? 0 : a / sqrt(6))) < 1e-12);
        as_structure_free(ad);
        ad = NULL;
    }
    as_free(fx);
    as_structure_free(slab);
    as_structure_free(core);
}

static void test_l10_slab(void **state)
{
    (void)state;
    const char *el[2] = {"Pt", "Co"};
    as_structure *core = NULL, *slab = NULL;
    as_orr_slab_options opt;
    as_orr_slab_options_default(&opt);
    assert_int_equal(as_orr_core_create(el, 2, 3.81, 3.71, &core), AS_OK);
    assert_int_equal(as_orr_slab_build(core, &opt, &slab, NULL), AS_OK);
    /* every (111) layer of L1_0 is half A, half B; the top one is the shell */
    for (int layer = 0; layer < 3; layer++) {
        int npt = 0;
        for (int i = 0; i < 4; i++)
            npt += !strcmp(slab->symbols[slab->species[4 * layer + i]], "Pt");
        assert_int_equal(npt, 2);
    }
    as_structure_free(slab);
    slab = NULL;
    opt.size_a = opt.size_b = 1;
    assert_int_equal(as_orr_slab_build(core, &opt, &slab, NULL), AS_EINVAL);
    assert_null(slab);
    opt.size_a = opt.size_b = 2;
    opt.fixed_layers = 4;
    assert_int_equal(as_orr_slab_build(core, &opt, &slab, NULL), AS_EINVAL);
    as_structure_free(core);
}

/* The volcano curve of the figure against the closed form of the scaling volcano:
 * U_L = min(dG_OH, 4 x 1.23 - 3.2 - dG_OH), its top at dG_OH = 0.86 eV inserted, the range the
 * points and the top widened by 0.4 eV each side; and the result's JSON read back bit for bit. */
static void test_volcano_curve_and_json(void **state)
{
    (void)state;
    double pts[3] = {-1.5, NAN, 0.2}, x[242], y[242];
    size_t m = 0;
    assert_int_equal(as_echem_orr_volcano_curve(pts, 3, NULL, 241, x, y, &m), AS_OK);
    assert_int_equal(m, 242);
    assert_true(fabs(x[0] - (-1.9)) < 1e-12);
    assert_true(fabs(x[m - 1] - (0.86 + 0.4)) < 1e-12);
    int top = 0;
    for (size_t k = 0; k < m; k++) {
        double want = fmin(x[k], 4 * 1.23 - 3.2 - x[k]);
        assert_true(fabs(y[k] - want) < 1e-12);
        top += fabs(x[k] - 0.86) < 1e-12 && fabs(y[k] - 0.86) < 1e-12;
        if (k)
            assert_true(x[k] > x[k - 1]);
    }
    assert_int_equal(top, 1);
    assert_int_equal(as_echem_orr_volcano_curve(pts, 3, NULL, 1, x, y, &m), AS_EINVAL);

    as_orr_slab_result r, back;
    memset(&r, 0, sizeof r);
    r.a_ang = 3.9218101234567891;
    r.c_ang = 3.5;
    r.n_slab = 16;
    r.e_slab_ev = -12.345678901234567;
    r.e_h2o_ev = 0.1;
    r.e_h2_ev = 1.0 / 3.0;
    for (int a = 0; a < 2; a++)
        for (int k = 0; k < AS_ORR_N_SITES; k++) {
            r.de_ev[a][k] = k == 1 ? NAN : -1.0 / (double)(3 + a + k);
            r.converged[a][k] = k != 1;
            r.steps[a][k] = (size_t)(10 * a + k);
            r.shift_ang[a][k] = 0.01 * k;
        }
    r.best_site[0] = 2;
    r.best_site[1] = 0;
    r.de_o_ev = r.de_ev[0][2];
    r.de_oh_ev = r.de_ev[1][0];
    r.dg_o_ev = r.de_o_ev + 0.05;
    r.dg_oh_ev = r.de_oh_ev + 0.35 - 0.5;
    r.oracle_relaxations = 7;
    as_orr_options oo = as_orr_options_default();
    assert_int_equal(as_echem_orr(r.dg_oh_ev, r.dg_o_ev, NAN, &oo, &r.orr), AS_OK);
    as_json *j = as_json_object();
    assert_int_equal(as_orr_result_json(&r, j), AS_OK);
    char *text = as_json_print(j);
    as_json *k = NULL;
    assert_int_equal(as_json_parse(text, "t", &k), AS_OK);
    assert_int_equal(as_orr_result_from_json(k, NULL, "t", &back), AS_OK);
    assert_memory_equal(&r.a_ang, &back.a_ang, sizeof r.a_ang);
    assert_memory_equal(&r.e_slab_ev, &back.e_slab_ev, sizeof r.e_slab_ev);
    assert_memory_equal(&r.orr.u_limit_v, &back.orr.u_limit_v, sizeof r.orr.u_limit_v);
    for (int a = 0; a < 2; a++)
        for (int s = 0; s < AS_ORR_N_SITES; s++) {
            if (s == 1)
                assert_true(isnan(back.de_ev[a][s]));
            else
                assert_memory_equal(&r.de_ev[a][s], &back.de_ev[a][s], sizeof(double));
            assert_int_equal(r.converged[a][s], back.converged[a][s]);
            assert_int_equal(r.steps[a][s], back.steps[a][s]);
        }
    assert_int_equal(back.best_site[0], 2);
    assert_int_equal(back.best_site[1], 0);
    assert_int_equal(back.oracle_relaxations, 7);
    as_free(text);
    as_json_free(j);
    as_json_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcc_slab),
        cmocka_unit_test(test_l10_slab),
        cmocka_unit_test(test_volcano_curve_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
