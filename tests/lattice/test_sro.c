/* Warren-Cowley order and fingerprints against closed forms: ordered L1_0 (-1/3), ordered L1_2
 * (-1/3), Pt and Co/M segregated into two slabs of the 108-atom Pt2CoM cell (+2/3, the paper's
 * upper end), pair symmetry, translation invariance, the bond total n z / 2, and the packed
 * counting path against a plain loop over the neighbour table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/lattice.h"
#include "lattice/lattice_test.h"

static const char sym3[3][AS_SYMBOL_MAX] = {"Pt", "Co", "Cu"};

static as_lattice *make(as_proto p, size_t n1, size_t n2, size_t n3)
{
    size_t size[3] = {n1, n2, n3};
    as_lattice_options o = as_lattice_options_default();
    o.c_ang = 3.71;
    as_lattice *lat = NULL;
    assert_int_equal(as_lattice_create(p, size, &o, &lat), AS_OK);
    return lat;
}

/* Rounding: alpha is one quotient of exact integers, so closed forms agree to 1 ulp-ish. */
#define TOL 1e-15

static void ordered_l10_should_give_alpha_minus_one_third_in_every_cell(void **st)
{
    (void)st;
    static const size_t sizes[][3] = {{1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {2, 3, 1}};
    for (size_t k = 0; k < 4; k++) {
        as_lattice *lat = make(AS_PROTO_L10, sizes[k][0], sizes[k][1], sizes[k][2]);
        int *cfg = calloc(as_lattice_n_sites(lat), sizeof *cfg);
        as_lattice_prototype_config(lat, cfg);
        double a;
        /* each Pt has 8 Co of 12 first neighbours: 1 - (8/12)/0.5 */
        assert_int_equal(as_lattice_sro(lat, cfg, 2, (as_sro_pair){1, 2}, 0, &a), AS_OK);
        assert_near(a, -1.0 / 3, TOL);
        /* second shell (a,0,0): Pt-Pt only; alpha = 1 - 0 / 0.5 = 1 */
        assert_int_equal(as_lattice_sro(lat, cfg, 2, (as_sro_pair){1, 2}, 1, &a), AS_OK);
        assert_near(a, 1.0, TOL);
        free(cfg);
        as_lattice_free(lat);
    }
}

static void ordered_pt2com_should_give_alpha_pt_com_minus_one_third(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int cfg[108];
    as_lattice_prototype_config(lat, cfg);
    double a;
    assert_int_equal(as_lattice_sro(lat, cfg, 3, (as_sro_pair){1, 6}, 0, &a), AS_OK);
    assert_near(a, -1.0 / 3, TOL);
    as_lattice_free(lat);
}

static void ordered_l12_should_give_alpha_minus_one_third(void **st)
{
    (void)st;
    /* Pt3Co: each Pt has 4 Co among 12: 1 - (4/12)/(1/4) = -1/3; each Co 12 Pt: 1 - 1/(3/4) */
    as_lattice *lat = make(AS_PROTO_L12, 2, 2, 2);
    int cfg[32];
    as_lattice_prototype_config(lat, cfg);
    double a, b;
    assert_int_equal(as_lattice_sro(lat, cfg, 2, (as_sro_pair){1, 2}, 0, &a), AS_OK);
    assert_int_equal(as_lattice_sro(lat, cfg, 2, (as_sro_pair){2, 1}, 0, &b), AS_OK);
    assert_near(a, -1.0 / 3, TOL);
    assert_near(b, -1.0 / 3, TOL);
    as_lattice_free(lat);
}

/* Pt on the half of the 108 cell with x < 3 a/sqrt2, Co/M on the other half, alternating. */
static void slab_config(const as_lattice *lat, int *cfg)
{
    const double *x = as_lattice_positions(lat), *cell = as_lattice_cell(lat);
    size_t m = 0;
    for (size_t i = 0; i < as_lattice_n_sites(lat); i++)
        cfg[i] = x[3 * i] < 0.5 * cell[0] - 1e-9 ? 0 : 1 + (int)(m++ % 2);
}

static void pt_and_com_slabs_should_give_plus_two_thirds(void **st)
{
    (void)st;
    /* slab normal to the long axis: (110) planes of 9 sites, 12 in the cell, 6 of Pt. A site
     * has 2 neighbours in its plane, 4 in each adjacent plane and 1 two planes away, so each
     * of the two interfaces carries 9 (4 + 1) + 9 (1) = 54 Pt-Co/M pairs: N = 108 and
     * alpha = 1 - 108 / (54 * 12 * 0.5) = 2/3 */
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int cfg[108];
    slab_config(lat, cfg);
    size_t npt = 0;
    for (int i = 0; i < 108; i++)
        npt += cfg[i] == 0;
    assert_int_equal(npt, 54);
    double a;
    assert_int_equal(as_lattice_sro(lat, cfg, 3, (as_sro_pair){1, 6}, 0, &a), AS_OK);
    assert_near(a, 2.0 / 3, TOL);
    as_lattice_free(lat);
}

static void alpha_should_be_symmetric_in_the_pair(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 2, 3, 2);
    size_t n = as_lattice_n_sites(lat), cnt[3] = {n / 2, n / 4, n / 4};
    int *cfg = calloc(n, sizeof *cfg);
    as_rng rng;
    as_rng_seed(&rng, 2385);
    assert_int_equal(as_lattice_random_config(lat, cnt, 3, &rng, cfg), AS_OK);
    static const as_sro_pair pairs[] = {{1, 2}, {1, 6}, {2, 4}, {3, 4}, {1, 1}};
    for (size_t k = 0; k < 5; k++)
        for (size_t s = 0; s < 3; s++) {
            double a, b;
            as_sro_pair r = {pairs[k].y, pairs[k].x};
            assert_int_equal(as_lattice_sro(lat, cfg, 3, pairs[k], s, &a), AS_OK);
            assert_int_equal(as_lattice_sro(lat, cfg, 3, r, s, &b), AS_OK);
            assert_near(a, b, 1e-14);
        }
    free(cfg);
    as_lattice_free(lat);
}

/* Plain count over the full neighbour table, the definition itself. */
static void naive_counts(const as_lattice *lat, const int *cfg, size_t K, uint64_t *C)
{
    size_t n = as_lattice_n_sites(lat);
    memset(C, 0, as_lattice_n_shells(lat) * K * K * sizeof *C);
    for (size_t s = 0; s < as_lattice_n_shells(lat); s++) {
        size_t z = as_lattice_shell_size(lat, s);
        const uint32_t *t = as_lattice_neighbours(lat, s);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < z; k++)
                C[(s * K + (size_t)cfg[i]) * K + (size_t)cfg[t[i * z + k]]]++;
    }
}

static void pair_counts_should_equal_a_plain_count_over_the_table(void **st)
{
    (void)st;
    as_rng rng;
    as_rng_seed(&rng, 77);
    static const size_t sizes[][3] = {{1, 1, 1}, {2, 2, 2}, {5, 4, 3}};
    for (size_t k = 0; k < 3; k++)
        for (size_t K = 1; K <= 6; K++) { /* <= 4 takes the packed path, 5 and 6 the plain one */
            as_lattice *lat = make(AS_PROTO_FCC, sizes[k][0], sizes[k][1], sizes[k][2]);
            size_t n = as_lattice_n_sites(lat);
            int *cfg = calloc(n, sizeof *cfg);
            for (size_t i = 0; i < n; i++)
                cfg[i] = (int)as_rng_below(&rng, K);
            uint64_t a[3 * 36], b[3 * 36];
            assert_int_equal(as_lattice_pair_counts(lat, cfg, K, a), AS_OK);
            naive_counts(lat, cfg, K, b);
            assert_memory_equal(a, b, 3 * K * K * sizeof *a);
            free(cfg);
            as_lattice_free(lat);
        }
}

static void fingerprint_should_follow_the_documented_order_and_bond_total(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int cfg[108];
    as_rng rng;
    as_rng_seed(&rng, 11);
    size_t cnt[3] = {54, 27, 27};
    assert_int_equal(as_lattice_random_config(lat, cnt, 3, &rng, cfg), AS_OK);
    double fp[15];
    assert_int_equal(as_fingerprint_dim(3), 15);
    assert_int_equal(as_fingerprint_dim(2), 6);
    assert_int_equal(as_lattice_fingerprint(lat, cfg, 3, fp), AS_OK);
    /* entries 0..8: alpha of (Pt-Co, Pt-Cu, Co-Cu) x shells 1..3 */
    static const as_sro_pair pr[3] = {{1, 2}, {1, 4}, {2, 4}};
    for (size_t p = 0; p < 3; p++)
        for (size_t s = 0; s < 3; s++) {
            double a;
            assert_int_equal(as_lattice_sro(lat, cfg, 3, pr[p], s, &a), AS_OK);
            assert_near(fp[3 * p + s], a, 0);
        }
    /* the six bond counts add up to n z1 / 2 = 648 */
    double tot = 0;
    for (int k = 9; k < 15; k++)
        tot += fp[k];
    assert_near(tot, 648, 0);
    static const char *names[15] = {"alpha1_Pt-Co", "alpha2_Pt-Co", "alpha3_Pt-Co", "alpha1_Pt-Cu",
                                    "alpha2_Pt-Cu", "alpha3_Pt-Cu", "alpha1_Co-Cu", "alpha2_Co-Cu",
                                    "alpha3_Co-Cu", "bonds_Pt-Co",  "bonds_Pt-Cu",  "bonds_Co-Cu",
                                    "bonds_Pt-Pt",  "bonds_Co-Co",  "bonds_Cu-Cu"};
    for (size_t k = 0; k < 15; k++) {
        char buf[32];
        assert_int_equal(as_fingerprint_name(sym3, 3, k, buf, sizeof buf), AS_OK);
        assert_string_equal(buf, names[k]);
    }
    char buf[32];
    assert_int_equal(as_fingerprint_name(sym3, 3, 15, buf, sizeof buf), AS_EINVAL);
    as_lattice_free(lat);
}

static void ordered_pt2com_bonds_should_match_the_closed_form(void **st)
{
    (void)st;
    /* ordered Pt2CoM 108 cell: Pt-Pt in-plane 4 per Pt -> 54*4/2 = 108 bonds; each Pt has 8
     * Co/M: 432 Pt-Co/M bonds, 216 each; Co-M: Co/M planes alternate Co, M along a (the doubled
     * axis): each Co has 4 in-plane Co/M neighbours, 2 Co and 2 M -> Co-M 27*2 = 54, Co-Co 27 */
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int cfg[108];
    as_lattice_prototype_config(lat, cfg);
    double fp[15];
    assert_int_equal(as_lattice_fingerprint(lat, cfg, 3, fp), AS_OK);
    static const double bonds[6] = {216, 216, 54, 108, 27, 27};
    for (int k = 0; k < 6; k++)
        assert_near(fp[9 + k], bonds[k], 0);
    as_lattice_free(lat);
}

static void fingerprint_should_not_change_under_a_lattice_translation(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int cfg[108], moved[108];
    as_rng rng;
    as_rng_seed(&rng, 5);
    size_t cnt[3] = {54, 27, 27};
    assert_int_equal(as_lattice_random_config(lat, cnt, 3, &rng, cfg), AS_OK);
    /* translate by the shell-1 vector of column 0: site i's species moves to its neighbour */
    const uint32_t *t = as_lattice_neighbours(lat, 0);
    for (size_t i = 0; i < 108; i++)
        moved[t[i * 12]] = cfg[i];
    double a[15], b[15];
    assert_int_equal(as_lattice_fingerprint(lat, cfg, 3, a), AS_OK);
    assert_int_equal(as_lattice_fingerprint(lat, moved, 3, b), AS_OK);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(as_lattice_same_up_to_translation(lat, cfg, moved), 1);
    /* swapping two unlike sites breaks the equivalence (the composition stays) */
    size_t i = 0, j = 1;
    while (moved[j] == moved[i])
        j++;
    int tmp = moved[i];
    moved[i] = moved[j];
    moved[j] = tmp;
    assert_int_equal(as_lattice_same_up_to_translation(lat, cfg, moved), 0);
    as_lattice_free(lat);
}

static void binary_fingerprint_should_have_six_entries(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_L10, 3, 3, 3);
    int cfg[54];
    as_lattice_prototype_config(lat, cfg);
    double fp[6];
    assert_int_equal(as_lattice_fingerprint(lat, cfg, 2, fp), AS_OK);
    assert_near(fp[0], -1.0 / 3, TOL);
    assert_near(fp[3], 27 * 8, 0); /* Pt-Co bonds */
    assert_near(fp[4], 27 * 2, 0); /* Pt-Pt: 4 in-plane per Pt / 2 */
    assert_near(fp[5], 27 * 2, 0);
    as_lattice_free(lat);
}

static void pair_text_should_parse_groups_and_reject_junk(void **st)
{
    (void)st;
    as_sro_pair p;
    double v;
    int has;
    assert_int_equal(as_sro_pair_parse("Pt-(Co,Cu)=0.1667", sym3, 3, &p, &v, &has), AS_OK);
    assert_int_equal(p.x, 1);
    assert_int_equal(p.y, 6);
    assert_int_equal(has, 1);
    assert_near(v, 0.1667, 0);
    assert_int_equal(as_sro_pair_parse("(Co/Cu)-Pt", sym3, 3, &p, &v, &has), AS_OK);
    assert_int_equal(p.x, 6);
    assert_int_equal(p.y, 1);
    assert_int_equal(has, 0);
    assert_int_equal(as_sro_pair_parse("Pt-Ni", sym3, 3, &p, &v, &has), AS_EINVAL);
    assert_int_equal(as_sro_pair_parse("Pt-(Co,Cu", sym3, 3, &p, &v, &has), AS_EINVAL);
    assert_int_equal(as_sro_pair_parse("Pt-Co=x", sym3, 3, &p, &v, &has), AS_EINVAL);
    assert_int_equal(as_sro_pair_parse("PtCo", sym3, 3, &p, &v, &has), AS_EINVAL);
    assert_int_equal(as_sro_pair_parse("Pt-Co=1", sym3, 3, &p, NULL, NULL), AS_EINVAL);
    /* the text back: the form the parser reads, a group in parentheses; cut like snprintf */
    char buf[32];
    assert_int_equal(as_sro_pair_format(as_sro_pair_host(3), sym3, 3, buf, sizeof buf), 10);
    assert_string_equal(buf, "Pt-(Co,Cu)");
    assert_int_equal(as_sro_pair_format((as_sro_pair){6, 1}, sym3, 3, buf, sizeof buf), 10);
    assert_string_equal(buf, "(Co,Cu)-Pt");
    assert_int_equal(as_sro_pair_format((as_sro_pair){4, 2}, sym3, 3, buf, sizeof buf), 5);
    assert_string_equal(buf, "Cu-Co");
    assert_int_equal(as_sro_pair_format(as_sro_pair_host(3), sym3, 3, buf, 5), 10);
    assert_string_equal(buf, "Pt-(");
    assert_int_equal(as_sro_pair_parse("(Co,Cu)-Pt", sym3, 3, &p, NULL, NULL), AS_OK);
    assert_int_equal(p.x, 6);
}

static void species_out_of_range_should_be_rejected(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_FCC, 1, 1, 1);
    int cfg[4] = {0, 1, 3, 0};
    double fp[15], a;
    assert_int_equal(as_lattice_fingerprint(lat, cfg, 3, fp), AS_EINVAL);
    assert_int_equal(as_lattice_sro(lat, cfg, 3, (as_sro_pair){1, 2}, 0, &a), AS_EINVAL);
    assert_int_equal(as_lattice_sro(lat, cfg, 4, (as_sro_pair){1, 2}, 7, &a), AS_EINVAL);
    /* an empty group gives NAN, not a failure */
    int ok[4] = {0, 0, 1, 1};
    assert_int_equal(as_lattice_sro(lat, ok, 3, (as_sro_pair){1, 4}, 0, &a), AS_OK);
    assert_true(isnan(a));
    as_lattice_free(lat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ordered_l10_should_give_alpha_minus_one_third_in_every_cell),
        cmocka_unit_test(ordered_pt2com_should_give_alpha_pt_com_minus_one_third),
        cmocka_unit_test(ordered_l12_should_give_alpha_minus_one_third),
        cmocka_unit_test(pt_and_com_slabs_should_give_plus_two_thirds),
        cmocka_unit_test(alpha_should_be_symmetric_in_the_pair),
        cmocka_unit_test(pair_counts_should_equal_a_plain_count_over_the_table),
        cmocka_unit_test(fingerprint_should_follow_the_documented_order_and_bond_total),
        cmocka_unit_test(ordered_pt2com_bonds_should_match_the_closed_form),
        cmocka_unit_test(fingerprint_should_not_change_under_a_lattice_translation),
        cmocka_unit_test(binary_fingerprint_should_have_six_entries),
        cmocka_unit_test(pair_text_should_parse_groups_and_reject_junk),
        cmocka_unit_test(species_out_of_range_should_be_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
