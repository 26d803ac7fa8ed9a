/* The configuration choices shared by the CLI and the campaign (src/lattice/configs.c):
 * the paper's 22 starting structures, the host-(rest) pair, the base arrangement, and what a
 * structure file leaves unsaid. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "alloyscout/lattice.h"

static void paper_set_should_have_22_structures_at_multiples_of_one_sixth(void **st)
{
    (void)st;
    size_t total = 0;
    for (size_t g = 0; g < AS_LATTICE_PAPER_LEVELS; g++) {
        total += as_lattice_paper_count(g);
        /* alpha = (g - 2) / 6, the levels of seed 004 Methods */
        assert_true(fabs(as_lattice_paper_alpha(g) - ((double)g - 2) / 6) <= 1e-16);
    }
    assert_int_equal(total, 22);
    assert_int_equal(as_lattice_paper_count(0), 1);
    assert_int_equal(as_lattice_paper_count(AS_LATTICE_PAPER_LEVELS - 1), 1);
    assert_true(isnan(as_lattice_paper_alpha(AS_LATTICE_PAPER_LEVELS)));
    assert_int_equal(as_lattice_paper_count(AS_LATTICE_PAPER_LEVELS), 0);
}

static void host_pair_should_set_species_0_against_the_rest(void **st)
{
    (void)st;
    as_sro_pair p = as_sro_pair_host(3);
    assert_int_equal(p.x, 1);
    assert_int_equal(p.y, 6);
    p = as_sro_pair_host(2);
    assert_int_equal(p.y, 2);
}

static void base_config_should_split_fcc_equally_and_keep_prototype_decorations(void **st)
{
    (void)st;
    as_lattice *lat = NULL;
    size_t size[3] = {3, 3, 3};
    as_lattice_options o = as_lattice_options_default();
    assert_int_equal(as_lattice_create(AS_PROTO_FCC, size, &o, &lat), AS_OK);
    size_t n = as_lattice_n_sites(lat), cnt[3] = {0};
    int cfg[108];
    as_rng rng;
    as_rng_seed(&rng, 2385);
    assert_int_equal(n, 108);
    assert_int_equal(as_lattice_base_config(lat, 3, &rng, cfg), AS_OK);
    for (size_t i = 0; i < n; i++)
        cnt[cfg[i]]++;
    assert_int_equal(cnt[0], 36);
    assert_int_equal(cnt[1], 36);
    assert_int_equal(cnt[2], 36);
    as_lattice_free(lat);
    assert_int_equal(as_lattice_create(AS_PROTO_PT2COM, size, &o, &lat), AS_OK);
    int proto[108];
    as_lattice_prototype_config(lat, proto);
    assert_int_equal(as_lattice_base_config(lat, 3, &rng, cfg), AS_OK);
    assert_memory_equal(cfg, proto, sizeof proto);
    as_lattice_free(lat);
}

static void cube_size_should_follow_from_the_atom_count(void **st)
{
    (void)st;
    size_t size[3] = {0};
    assert_int_equal(as_proto_cube_size(AS_PROTO_PT2COM, 108, size), AS_OK);
    assert_int_equal(size[0], 3);
    assert_int_equal(as_proto_cube_size(AS_PROTO_L10, 2 * 64, size), AS_OK);
    assert_int_equal(size[2], 4);
    assert_int_equal(as_proto_cube_size(AS_PROTO_FCC, 100, size), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "100 atoms is not a cube of fcc cells"));
}

static void species_order_should_be_by_count_then_first_appearance(void **st)
{
    (void)st;
    as_structure *s = NULL;
    assert_int_equal(as_structure_create(6, 0, &s), AS_OK);
    int co, pt, cu;
    assert_int_equal(as_structure_add_symbol(s, "Co", &co), AS_OK);
    assert_int_equal(as_structure_add_symbol(s, "Cu", &cu), AS_OK);
    assert_int_equal(as_structure_add_symbol(s, "Pt", &pt), AS_OK);
    int sp[6] = {cu, pt, co, pt, pt, co}; /* Pt 3, Co 2, Cu 1 (Cu appears first) */
    memcpy(s->species, sp, sizeof sp);
    char sym[AS_LATTICE_MAX_SPECIES][AS_SYMBOL_MAX];
    size_t k = 0;
    assert_int_equal(as_structure_species_order(s, sym, &k), AS_OK);
    assert_int_equal(k, 3);
    assert_string_equal(sym[0], "Pt");
    assert_string_equal(sym[1], "Co");
    assert_string_equal(sym[2], "Cu");
    as_structure_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paper_set_should_have_22_structures_at_multiples_of_one_sixth),
        cmocka_unit_test(host_pair_should_set_species_0_against_the_rest),
        cmocka_unit_test(base_config_should_split_fcc_equally_and_keep_prototype_decorations),
        cmocka_unit_test(cube_size_should_follow_from_the_atom_count),
        cmocka_unit_test(species_order_should_be_by_count_then_first_appearance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
