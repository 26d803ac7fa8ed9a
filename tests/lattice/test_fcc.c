/* Tests of general fcc supercells and of finding the fcc lattice of a structure
 * (src/lattice/fcc.c, src/lattice/targets.c): the conventional cube as a supercell matrix has the
 * prototype cube's pair counts, closed forms for the L1_0 and L1_2 features in primitive and
 * skewed cells, Monte Carlo swap deltas equal recounts on a skewed cell, a structure written from
 * a supercell is found again with its matrix, and what is not fcc is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "alloyscout/lattice.h"
#include "lattice/lattice_test.h"

static const int CONV[9] = {-1, 1, 1, 1, -1, 1, 1, 1, -1};

static as_lattice *fcc_cell(const int *M, size_t shells)
{
    as_lattice_options o = as_lattice_options_default();
    o.a_ang = 3.615;
    o.n_shells = shells;
    as_lattice *lat = NULL;
    assert_int_equal(as_lattice_create_fcc(M, &o, &lat), AS_OK);
    return lat;
}

static void conventional_supercell_should_match_the_prototype_cube(void **st)
{
    (void)st;
    int M[9];
    for (int k = 0; k < 9; k++)
        M[k] = 2 * CONV[k]; /* 2x2x2 cubes: 32 sites */
    as_lattice *g = fcc_cell(M, 4), *p = NULL;
    as_lattice_options o = as_lattice_options_default();
    o.a_ang = 3.615;
    o.n_shells = 4;
    size_t size[3] = {2, 2, 2};
    assert_int_equal(as_lattice_create(AS_PROTO_FCC, size, &o, &p), AS_OK);
    assert_int_equal(as_lattice_n_sites(g), 32);
    for (size_t s = 0; s < 4; s++)
        assert_int_equal(as_lattice_shell_size(g, s), as_lattice_shell_size(p, s));
    /* the same decoration by position: Cu where x + y < a (a slab), else Ni */
    int cg[32], cp[32];
    const double *xg = as_lattice_positions(g), *xp = as_lattice_positions(p);
    for (size_t i = 0; i < 32; i++) {
        cg[i] = xg[3 * i] + 1e-9 < 3.615;
        cp[i] = xp[3 * i] + 1e-9 < 3.615;
    }
    uint64_t Cg[4 * 4], Cp[4 * 4];
    assert_int_equal(as_lattice_pair_counts(g, cg, 2, Cg), AS_OK);
    assert_int_equal(as_lattice_pair_counts(p, cp, 2, Cp), AS_OK);
    assert_memory_equal(Cg, Cp, sizeof Cg);
    as_lattice_free(g);
    as_lattice_free(p);
}

static void l10_and_l12_features_should_have_their_closed_forms(void **st)
{
    (void)st;
    /* L1_0 in the 2-site cell p1, p2, 2 p3: sites 0 and p3 ... alternate (001) planes */
    int M[9] = {1, 0, 0, 0, 1, 0, 0, 0, 2};
    as_lattice *lat = fcc_cell(M, 3);
    assert_int_equal(as_lattice_n_sites(lat), 2);
    int cfg[2] = {0, 1};
    double f[64];
    assert_int_equal(as_fcc_features(lat, cfg, 2, 3, 1, f), AS_OK);
    /* whatever the layering, a 2-site cell with one of each: alpha1 = 1 - P(B|A)/c_B */
    double alpha1 = f[2 + 3 * 3 + 3 + 0];
    double pcf1 = f[2 + 3 * 3];
    assert_near(alpha1, -pcf1 / 0.25, 1e-15);
    assert_near(f[0] + f[1], 1.0, 0);
    assert_near(f[2] + f[3] + f[4], 1.0, 1e-15); /* bond fractions of shell 1 */
    as_lattice_free(lat);
    /* L1_2 in the conventional cube: Ni on the corner */
    lat = fcc_cell(CONV, 2);
    int c4[4] = {0, 0, 0, 0};
    const double *x = as_lattice_positions(lat);
    for (size_t i = 0; i < 4; i++)
        c4[i] = fabs(x[3 * i]) + fabs(x[3 * i + 1]) + fabs(x[3 * i + 2]) < 1e-9;
    assert_int_equal(as_fcc_features(lat, c4, 2, 2, 1, f), AS_OK);
    /* c = 3/4, 1/4; shell 1: every Ni has 12 Cu: bonds Cu-Ni 12/24, Cu-Cu 12/24, Ni-Ni 0;
     * alpha1 = -1/3, alpha2 = 1 (Ni-Ni second neighbours only); triangles: 1/4 Cu3, 3/4 Cu2Ni */
    assert_near(f[0], 0.75, 0);
    assert_near(f[2], 0.5, 0);
    assert_near(f[3], 0.5, 0);
    assert_near(f[4], 0.0, 0);
    assert_near(f[2 + 6 + 2], -1.0 / 3, 1e-15);
    assert_near(f[2 + 6 + 3], 1.0, 1e-15);
    assert_near(f[2 + 6 + 4], 0.25, 0);
    assert_near(f[2 + 6 + 5], 0.75, 0);
    char name[48];
    assert_int_equal(as_fcc_features_name((const char(*)[AS_SYMBOL_MAX]) "Cu\0\0Ni\0", 2, 2, 1, 11,
                                          name, sizeof name),
                     AS_OK);
    assert_string_equal(name, "alpha2_Cu-Ni");
    /* a pure frame: alpha undefined (NAN), pcf 0 */
    memset(c4, 0, sizeof c4);
    assert_int_equal(as_fcc_features(lat, c4, 2, 2, 0, f), AS_OK);
    assert_true(isnan(f[2 + 6 + 2]));
    assert_near(f[2 + 6], 0.0, 0);
    as_lattice_free(lat);
}

static void swap_delta_should_equal_a_recount_on_a_skewed_supercell(void **st)
{
    (void)st;
    int M[9] = {2, 1, 0, -1, 2, 1, 1, -1, 2}; /* 13 sites */
    as_lattice *lat = fcc_cell(M, 3);
    size_t n = as_lattice_n_sites(lat);
    assert_int_equal(n, 13);
    as_rng rng;
    as_rng_seed(&rng, 2385);
    size_t cnt[3] = {5, 4, 4};
    int cfg[13];
    assert_int_equal(as_lattice_random_config(lat, cnt, 3, &rng, cfg), AS_OK);
    as_sro_pair pr = {1u, 6u};
    for (size_t s = 0; s < 3; s++) {
        as_mc *mc;
        assert_int_equal(as_mc_create(lat, 3, pr, s, cfg, &mc), AS_OK);
        for (int t = 0; t < 200; t++) {
            size_t a = as_rng_below(&rng, n), b = as_rng_below(&rng, n);
            int64_t before = as_mc_pair_count(mc), d = as_mc_swap_delta(mc, a, b);
            as_mc_swap(mc, a, b);
            as_mc *fresh;
            assert_int_equal(as_mc_create(lat, 3, pr, s, as_mc_config(mc), &fresh), AS_OK);
            assert_int_equal(as_mc_pair_count(fresh), before + d);
            as_mc_free(fresh);
        }
        as_mc_free(mc);
    }
    /* a translation of the cell is recognised, a species swap is not */
    int moved[13], other[13];
    as_lattice_free(lat);
    lat = fcc_cell(M, 1);
    const uint32_t *nb = as_lattice_neighbours(lat, 0);
    for (size_t i = 0; i < n; i++)
        moved[nb[i * 12]] = cfg[i]; /* translate by the first shell vector */
    assert_true(as_lattice_same_up_to_translation(lat, cfg, moved));
    memcpy(other, cfg, sizeof other);
    for (size_t i = 0; i < n; i++)
        if (other[i] == 0) {
            for (size_t j = 0; j < n; j++)
                if (other[j] == 1) {
                    other[i] = 1;
                    other[j] = 0;
                    break;
                }
            break;
        }
    /* (for this seed's configuration no translation maps it onto the swapped one) */
    assert_false(as_lattice_same_up_to_translation(lat, cfg, other));
    as_lattice_free(lat);
}

static void a_written_supercell_should_be_found_again(void **st)
{
    (void)st;
    int M[9] = {2, 0, 0, 0, 2, 1, 1, -1, 2};
    as_lattice *lat = fcc_cell(M, 3);
    size_t n = as_lattice_n_sites(lat);
    int cfg[64], back[64];
    as_rng rng;
    as_rng_seed(&rng, 7);
    size_t cnt[2] = {n / 2, n - n / 2};
    assert_int_equal(as_lattice_random_config(lat, cnt, 2, &rng, cfg), AS_OK);
    const char sym[2][AS_SYMBOL_MAX] = {"Cu", "Ni"};
    as_structure *s;
    assert_int_equal(as_lattice_to_structure(lat, cfg, sym, 2, NULL, &s), AS_OK);
    assert_non_null(as_structure_get_info(s, "supercell"));
    /* shift every atom by a lattice vector and a common offset: still found */
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            s->pos[3 * i + k] += (double)(i % 3) * s->cell[3 * (i % 3) + k] + 0.37 * (k + 1);
    as_fcc_cell fc;
    as_lattice *found;
    assert_int_equal(as_lattice_from_structure(s, sym, 2, NULL, 3, &found, back, &fc), AS_OK);
    long det = (long)fc.M[0] * (fc.M[4] * fc.M[8] - fc.M[5] * fc.M[7]) -
               (long)fc.M[1] * (fc.M[3] * fc.M[8] - fc.M[5] * fc.M[6]) +
               (long)fc.M[2] * (fc.M[3] * fc.M[7] - fc.M[4] * fc.M[6]);
    assert_int_equal(det, (long)n);
    assert_near(fc.a_ang, 3.615, 1e-12);
    assert_near(fc.strain, 0.0, 1e-12);
    double fa[64], fb[64];
    assert_int_equal(as_fcc_features(lat, cfg, 2, 3, 1, fa), AS_OK);
    assert_int_equal(as_fcc_features(found, back, 2, 3, 1, fb), AS_OK);
    for (size_t j = 0; j < as_fcc_features_dim(2, 3, 1); j++)
        assert_true(fa[j] == fb[j] || (isnan(fa[j]) && isnan(fb[j])));
    as_lattice_free(found);
    /* one atom pushed far: refused by name */
    s->pos[3 * 4 + 2] += 1.2;
    assert_int_equal(as_lattice_from_structure(s, sym, 2, NULL, 3, &found, back, NULL), AS_EINVAL);
    assert_null(found);
    assert_non_null(strstr(as_errmsg(), "atom 5"));
    as_structure_free(s);
    as_lattice_free(lat);
}

static void non_fcc_cells_and_bad_matrices_should_be_refused(void **st)
{
    (void)st;
    /* simple cubic: 6 nearest neighbours */
    as_structure *s;
    assert_int_equal(as_structure_create(1, 1, &s), AS_OK);
    strcpy(s->symbols[0], "Po");
    s->cell[0] = s->cell[4] = s->cell[8] = 3.35;
    as_fcc_cell fc;
    assert_int_equal(as_fcc_find(s, NULL, &fc), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "fcc has 12"));
    /* bcc primitive: 8 neighbours */
    double b = 2.87 / 2;
    double bcc[9] = {-b, b, b, b, -b, b, b, b, -b};
    memcpy(s->cell, bcc, sizeof bcc);
    assert_int_equal(as_fcc_find(s, NULL, &fc), AS_EINVAL);
    as_structure_free(s);
    int sing[9] = {1, 0, 0, 2, 0, 0, 0, 0, 1};
    as_lattice *lat;
    assert_int_equal(as_lattice_create_fcc(sing, NULL, &lat), AS_EINVAL);
    assert_null(lat);
    size_t counts[2];
    double frac[2] = {0.7, 0.3}, dev;
    assert_int_equal(as_lattice_counts_for_fractions(108, frac, 2, counts, &dev), AS_OK);
    assert_int_equal(counts[0], 76);
    assert_int_equal(counts[1], 32);
    frac[1] = -0.1;
    assert_int_equal(as_lattice_counts_for_fractions(108, frac, 2, counts, &dev), AS_EINVAL);
}

static void targets_should_parse_pairs_shells_and_groups(void **st)
{
    (void)st;
    const char sym[3][AS_SYMBOL_MAX] = {"Pt", "Co", "Cu"};
    as_sro_target t[4];
    size_t n;
    assert_int_equal(as_sro_targets_parse("Pt-(Co,Cu)=0.1667,Co-Cu@2=-0.05", sym, 3, t, 4, &n),
                     AS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].pair.x, 1u);
    assert_int_equal(t[0].pair.y, 6u);
    assert_int_equal(t[0].shell, 0);
    assert_near(t[0].alpha, 0.1667, 0);
    assert_int_equal(t[1].shell, 1);
    assert_near(t[1].alpha, -0.05, 0);
    assert_int_equal(as_sro_targets_parse("Pt-Co@0=0.1", sym, 3, t, 4, &n), AS_EINVAL);
    assert_int_equal(as_sro_targets_parse("Pt-Co", sym, 3, t, 4, &n), AS_EINVAL);
    assert_int_equal(as_sro_targets_parse("Pt-Zn=0", sym, 3, t, 4, &n), AS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conventional_supercell_should_match_the_prototype_cube),
        cmocka_unit_test(l10_and_l12_features_should_have_their_closed_forms),
        cmocka_unit_test(swap_delta_should_equal_a_recount_on_a_skewed_supercell),
        cmocka_unit_test(a_written_supercell_should_be_found_again),
        cmocka_unit_test(non_fcc_cells_and_bad_matrices_should_be_refused),
        cmocka_unit_test(targets_should_parse_pairs_shells_and_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
