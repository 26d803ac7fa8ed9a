/* Monte Carlo towards a target alpha: the O(z) swap delta against a full recount (tiny cells with
 * images included), exact targets, the paper's 22-seed set, nearest reachable values with a
 * warning, distinctness up to translation, ordered and random configurations, determinism. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/lattice.h"
#include "lattice/lattice_test.h"

static as_lattice *make(as_proto p, size_t n1, size_t n2, size_t n3)
{
    size_t size[3] = {n1, n2, n3};
    as_lattice *lat = NULL;
    assert_int_equal(as_lattice_create(p, size, NULL, &lat), AS_OK);
    return lat;
}

/* N_XY from the definition: ordered pairs over the full shell-1 table. */
static int64_t recount(const as_lattice *lat, const int *cfg, as_sro_pair pr)
{
    size_t n = as_lattice_n_sites(lat), z = as_lattice_shell_size(lat, 0);
    const uint32_t *t = as_lattice_neighbours(lat, 0);
    int64_t N = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < z; k++)
            N += (pr.x >> cfg[i] & 1) && (pr.y >> cfg[t[i * z + k]] & 1);
    return N;
}

static void swap_delta_should_equal_a_full_recount_in_small_and_large_cells(void **st)
{
    (void)st;
    static const size_t sizes[][3] = {{1, 1, 1}, {2, 1, 1}, {2, 2, 2}, {3, 3, 3}};
    static const as_sro_pair pairs[] = {{1, 6}, {1, 2}, {2, 4}, {6, 1}, {3, 6}};
    as_rng rng;
    as_rng_seed(&rng, 2385);
    for (int p = 1; p < 4; p += 2)
        for (size_t k = 0; k < 4; k++)
            for (size_t q = 0; q < 5; q++) {
                as_lattice *lat = make((as_proto)p, sizes[k][0], sizes[k][1], sizes[k][2]);
                size_t n = as_lattice_n_sites(lat);
                int *cfg = calloc(n, sizeof *cfg);
                for (size_t i = 0; i < n; i++)
                    cfg[i] = (int)(i % 3);
                as_mc *mc;
                assert_int_equal(as_mc_create(lat, 3, pairs[q], 0, cfg, &mc), AS_OK);
                assert_int_equal(as_mc_pair_count(mc), recount(lat, cfg, pairs[q]));
                for (int it = 0; it < 200; it++) {
                    size_t a = as_rng_below(&rng, n), b = as_rng_below(&rng, n);
                    int64_t before = as_mc_pair_count(mc), d = as_mc_swap_delta(mc, a, b);
                    as_mc_swap(mc, a, b);
                    assert_int_equal(as_mc_pair_count(mc), before + d);
                    assert_int_equal(as_mc_pair_count(mc),
                                     recount(lat, as_mc_config(mc), pairs[q]));
                }
                as_mc_free(mc);
                free(cfg);
                as_lattice_free(lat);
            }
}

static void base_config(const as_lattice *lat, int *cfg) { as_lattice_prototype_config(lat, cfg); }

static void generate_should_hit_one_sixth_exactly_with_distinct_configurations(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int base[108], out[4 * 108];
    base_config(lat, base);
    as_rng rng;
    as_rng_seed(&rng, 1);
    double got;
    as_sro_pair pr = {1, 6};
    assert_int_equal(
        as_lattice_generate(lat, 3, base, pr, 1.0 / 6, 4, NULL, 0, NULL, &rng, out, &got), AS_OK);
    assert_near(got, 1.0 / 6, 1e-15);
    for (int c = 0; c < 4; c++) {
        double a;
        size_t cnt[3] = {0};
        for (int i = 0; i < 108; i++)
            cnt[out[c * 108 + i]]++;
        assert_int_equal(cnt[0], 54);
        assert_int_equal(cnt[1], 27);
        assert_int_equal(cnt[2], 27);
        assert_int_equal(as_lattice_sro(lat, out + c * 108, 3, pr, 0, &a), AS_OK);
        assert_near(a, 1.0 / 6, 1e-15);
        for (int d = 0; d < c; d++)
            assert_int_equal(as_lattice_same_up_to_translation(lat, out + c * 108, out + d * 108),
                             0);
    }
    as_lattice_free(lat);
}

static void paper_set_alphas_should_all_be_reached_including_both_ends(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int base[108], *out = calloc(22 * 108, sizeof *out);
    base_config(lat, base);
    static const double al[7] = {-2.0 / 6, -1.0 / 6, 0, 1.0 / 6, 2.0 / 6, 3.0 / 6, 4.0 / 6};
    static const size_t cnt[7] = {1, 4, 4, 4, 4, 4, 1};
    as_rng rng;
    as_rng_seed(&rng, 7);
    size_t made = 0;
    for (int g = 0; g < 7; g++) {
        assert_int_equal(as_lattice_generate(lat, 3, base, (as_sro_pair){1, 6}, al[g], cnt[g], out,
                                             made, NULL, &rng, out + made * 108, NULL),
                         AS_OK);
        for (size_t c = made; c < made + cnt[g]; c++) {
            double a;
            assert_int_equal(as_lattice_sro(lat, out + c * 108, 3, (as_sro_pair){1, 6}, 0, &a),
                             AS_OK);
            assert_near(a, al[g], 1e-15);
        }
        made += cnt[g];
    }
    assert_int_equal(made, 22);
    free(out);
    as_lattice_free(lat);
}

static char last_warning[512];
static void capture(as_log_level level, const char *msg, void *user)
{
    (void)user;
    if (level == AS_LOG_WARN)
        snprintf(last_warning, sizeof last_warning, "%s", msg);
}

static void unreachable_target_should_give_the_nearest_value_and_warn(void **st)
{
    (void)st;
    /* in the 108 cell N_Pt,(Co,M) is even, so alpha moves in steps of 2/324 = 1/162; 0.1 lies
     * between 16/162 (0.0988) and 17/162 (0.1049): nearest is 16/162 */
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int base[108], out[108];
    base_config(lat, base);
    as_rng rng;
    as_rng_seed(&rng, 3);
    double got;
    last_warning[0] = 0;
    as_set_log(capture, NULL);
    assert_int_equal(as_lattice_generate(lat, 3, base, (as_sro_pair){1, 6}, 0.1, 1, NULL, 0, NULL,
                                         &rng, out, &got),
                     AS_OK);
    as_set_log(NULL, NULL);
    assert_near(got, 16.0 / 162, 1e-15);
    assert_non_null(strstr(last_warning, "not reachable"));
    /* beyond the end: alpha 2 asks for N < 0; the nearest reachable count 0 is not reachable in
     * this cell, so generation gives up with AS_ENOCONV */
    as_mc_options o = as_mc_options_default();
    o.max_tries = 2;
    o.max_sweeps = 10;
    assert_int_equal(as_lattice_generate(lat, 3, base, (as_sro_pair){1, 6}, 2.0, 1, NULL, 0, &o,
                                         &rng, out, &got),
                     AS_ENOCONV);
    as_lattice_free(lat);
}

static void ordered_configs_should_keep_pt_layers_and_shuffle_co_and_m(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int proto[108], a[108], b[108];
    as_lattice_prototype_config(lat, proto);
    as_rng rng;
    as_rng_seed(&rng, 9);
    assert_int_equal(as_lattice_ordered_config(lat, 3, &rng, a), AS_OK);
    assert_int_equal(as_lattice_ordered_config(lat, 3, &rng, b), AS_OK);
    for (int i = 0; i < 108; i++)
        assert_int_equal(a[i] == 0, proto[i] == 0);
    assert_memory_not_equal(a, b, sizeof a);
    double al;
    assert_int_equal(as_lattice_sro(lat, a, 3, (as_sro_pair){1, 6}, 0, &al), AS_OK);
    assert_near(al, -1.0 / 3, 1e-15);
    assert_int_equal(as_lattice_ordered_config(lat, 2, &rng, a), AS_EINVAL);
    as_lattice_free(lat);
}

static void random_configs_should_keep_the_composition_and_average_alpha_near_zero(void **st)
{
    (void)st;
    /* E[alpha] for a uniformly random arrangement at fixed composition is
     * 1 - (N_Y) / ((n - 1) c_Y) = 1 - n / (n - 1) = -1/107 for X-Y = Pt-(Co,M) (a Pt's neighbour
     * is one of the other n - 1 sites... images aside); average of 300 configurations: standard
     * error about 0.05 / sqrt(300) = 0.003; tolerance 0.015 */
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    size_t cnt[3] = {54, 27, 27};
    int cfg[108];
    as_rng rng;
    as_rng_seed(&rng, 300);
    double mean = 0;
    for (int k = 0; k < 300; k++) {
        assert_int_equal(as_lattice_random_config(lat, cnt, 3, &rng, cfg), AS_OK);
        size_t c[3] = {0};
        for (int i = 0; i < 108; i++)
            c[cfg[i]]++;
        assert_int_equal(c[0], 54);
        assert_int_equal(c[2], 27);
        double a;
        as_lattice_sro(lat, cfg, 3, (as_sro_pair){1, 6}, 0, &a);
        mean += a / 300;
    }
    assert_near(mean, -1.0 / 107, 0.015);
    size_t bad[3] = {54, 27, 26};
    assert_int_equal(as_lattice_random_config(lat, bad, 3, &rng, cfg), AS_EINVAL);
    as_lattice_free(lat);
}

static void the_same_seed_should_give_the_same_configurations(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3);
    int base[108], a[3 * 108], b[3 * 108];
    base_config(lat, base);
    for (int r = 0; r < 2; r++) {
        as_rng rng;
        as_rng_seed(&rng, 42);
        assert_int_equal(as_lattice_generate(lat, 3, base, (as_sro_pair){1, 6}, 0.5, 3, NULL, 0,
                                             NULL, &rng, r ? b : a, NULL),
                         AS_OK);
    }
    assert_memory_equal(a, b, sizeof a);
    as_lattice_free(lat);
}

static void sweeps_on_a_large_cell_should_reach_the_target(void **st)
{
    (void)st;
    /* 16^3 fcc (16384 sites), Pt-Co 50/50: walk from random towards alpha = -0.2 */
    as_lattice *lat = make(AS_PROTO_FCC, 16, 16, 16);
    size_t n = as_lattice_n_sites(lat), cnt[2] = {n / 2, n / 2};
    int *cfg = calloc(n, sizeof *cfg);
    as_rng rng;
    as_rng_seed(&rng, 13);
    assert_int_equal(as_lattice_random_config(lat, cnt, 2, &rng, cfg), AS_OK);
    as_mc *mc;
    assert_int_equal(as_mc_create(lat, 2, (as_sro_pair){1, 2}, 0, cfg, &mc), AS_OK);
    int64_t target = as_mc_nearest_count(mc, -0.2);
    size_t acc = 0;
    as_mc_sweep(mc, target, 0.0, 50 * n, 1, &rng, &acc);
    assert_int_equal(as_mc_pair_count(mc), target);
    assert_int_equal(as_mc_pair_count(mc), recount(lat, as_mc_config(mc), (as_sro_pair){1, 2}));
    assert_near(as_mc_alpha(mc), -0.2, 2.0 / (double)(n / 2 * 12 / 2));
    assert_true(acc > 0);
    as_mc_free(mc);
    free(cfg);
    as_lattice_free(lat);
}

static void failing_allocations_in_generate_should_give_enomem(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 2, 2, 2);
    int base[32], out[2 * 32];
    base_config(lat, base);
    for (size_t k = 1; k < 40; k++) {
        as_rng rng;
        as_rng_seed(&rng, 1);
        as_alloc_fail_after(k);
        as_status s = as_lattice_generate(lat, 3, base, (as_sro_pair){1, 6}, 0.0, 2, NULL, 0, NULL,
                                          &rng, out, NULL);
        as_alloc_fail_after(0);
        if (s == AS_OK)
            break;
        assert_int_equal(s, AS_ENOMEM);
    }
    as_lattice_free(lat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(swap_delta_should_equal_a_full_recount_in_small_and_large_cells),
        cmocka_unit_test(generate_should_hit_one_sixth_exactly_with_distinct_configurations),
        cmocka_unit_test(paper_set_alphas_should_all_be_reached_including_both_ends),
        cmocka_unit_test(unreachable_target_should_give_the_nearest_value_and_warn),
        cmocka_unit_test(ordered_configs_should_keep_pt_layers_and_shuffle_co_and_m),
        cmocka_unit_test(random_configs_should_keep_the_composition_and_average_alpha_near_zero),
        cmocka_unit_test(the_same_seed_should_give_the_same_configurations),
        cmocka_unit_test(sweeps_on_a_large_cell_should_reach_the_target),
        cmocka_unit_test(failing_allocations_in_generate_should_give_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
