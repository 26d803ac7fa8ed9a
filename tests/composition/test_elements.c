/* The compiled element table: equal to the documented CSV sources, atomic numbers, masses and
 * the covalent / van der Waals radii of the non-metal rows equal to ASE's (independent),
 * covering every element from H to Pu (each value with a source code), both papers and the
 * shipped MPEA dataset; a formula of any of them gives descriptors or names the pair without
 * a mixing enthalpy. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/composition.h"

#define assert_near(a, b, tol)                                            \
    do {                                                                  \
        double a_ = (a), b_ = (b), t_ = (tol);                            \
        if (!(fabs(a_ - b_) <= t_))                                       \
            fail_msg("%s = %.17g, expected %.17g +- %g", #a, a_, b_, t_); \
    } while (0)

static double num(const as_table *t, size_t r, const char *col)
{
    size_t c = 0;
    assert_int_equal(as_table_find(t, col, &c), AS_OK);
    double v = NAN;
    if (!as_parse_number(as_table_cell(t, r, c), &v))
        fail_msg("not a number: %s", as_table_cell(t, r, c));
    return v;
}

static const char *str(const as_table *t, size_t r, const char *col)
{
    size_t c = 0;
    assert_int_equal(as_table_find(t, col, &c), AS_OK);
    return as_table_cell(t, r, c);
}

static void compiled_table_should_equal_data_elements_csv(void **state)
{
    (void)state;
    as_table *t = NULL;
    assert_int_equal(as_table_read_csv(AS_SOURCE_DIR "/data/elements.csv", &t), AS_OK);
    assert_int_equal(as_table_rows(t), as_element_count());
    for (size_t r = 0; r < as_table_rows(t); r++) {
        const as_element *e = as_element_by_symbol(str(t, r, "symbol"));
        assert_non_null(e);
        assert_int_equal(e->z, (int)num(t, r, "z"));
        assert_ptr_equal(as_element_by_z(e->z), e);
        assert_string_equal(e->name, str(t, r, "name"));
        /* the C literals are the CSV text: equal doubles */
        assert_near(e->mass_u, num(t, r, "mass_u"), 0);
        assert_near(e->radius_ang, num(t, r, "radius_ang"), 0);
        assert_near(e->chi_pauling, num(t, r, "chi_pauling"), 0);
        assert_near(e->vec, num(t, r, "vec"), 0);
        assert_near(e->tm_k, num(t, r, "tm_k"), 0);
        assert_string_equal(e->structure, str(t, r, "structure"));
        /* every value names its source (codes: data/ELEMENTS_SOURCES.md) */
        static const char *const src[][2] = {{"radius_src", "GFMKV"},
                                             {"chi_src", "GPAW"},
                                             {"vec_src", "SFN"},
                                             {"tm_src", "CWPEX"},
                                             {"structure_src", "KADE"}};
        for (size_t k = 0; k < sizeof src / sizeof *src; k++) {
            const char *code = str(t, r, src[k][0]);
            if (strlen(code) != 1 || !strchr(src[k][1], code[0]))
                fail_msg("%s: %s '%s'", e->symbol, src[k][0], code);
        }
    }
    for (size_t i = 1; i < as_element_count(); i++)
        assert_true(as_element_at(i - 1)->z < as_element_at(i)->z);
    assert_null(as_element_at(as_element_count()));
    assert_null(as_element_by_symbol("Am")); /* Z = 95: beyond the table */
    assert_null(as_element_by_z(95));
    as_table_free(t);
}

static void compiled_pairs_should_equal_the_takeuchi_inoue_csv(void **state)
{
    (void)state;
    as_table *t = NULL;
    assert_int_equal(as_table_read_csv(AS_SOURCE_DIR "/data/mixing_enthalpy_takeuchi2005.csv", &t),
                     AS_OK);
    /* every pair of distinct elements of the 42 transcribed (the original 43 but Te): 42
     * choose 2; the elements added later get their pairs from Miedema's model
     * (tests/composition/test_miedema.c) */
    size_t ne = 43;
    assert_int_equal(as_table_rows(t), (ne - 1) * (ne - 2) / 2);
    for (size_t r = 0; r < as_table_rows(t); r++) {
        const as_element *a = as_element_by_symbol(str(t, r, "a"));
        const as_element *b = as_element_by_symbol(str(t, r, "b"));
        assert_non_null(a);
        assert_non_null(b);
        double ab = NAN, ba = NAN;
        assert_int_equal(as_mixing_enthalpy_pair(a, b, &ab), AS_OK);
        assert_int_equal(as_mixing_enthalpy_pair(b, a, &ba), AS_OK);
        assert_near(ab, num(t, r, "dh_kj_per_mol"), 0);
        assert_near(ba, ab, 0);
    }
    const as_element *te = as_element_by_symbol("Te");
    double v = 0;
    assert_int_equal(as_mixing_enthalpy_pair(te, as_element_by_symbol("Pt"), &v), AS_EINVAL);
    assert_true(isnan(v));
    assert_int_equal(as_mixing_enthalpy_pair(te, te, &v), AS_OK);
    assert_near(v, 0, 0);
    as_table_free(t);
}

/* Spot checks against values quoted in the HEA literature from the same table (Takeuchi &
 * Inoue 2005, Table 2): the ten pairs of CoCrFeMnNi and AlCoCrFeNi. */
static void pair_values_should_match_those_quoted_for_cantor_and_alcocrfeni(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        double v;
    } q[] = {
        {"Co", "Cr", -4},  {"Co", "Fe", -1},  {"Co", "Mn", -5},  {"Co", "Ni", 0},
        {"Cr", "Fe", -1},  {"Cr", "Mn", 2},   {"Cr", "Ni", -7},  {"Fe", "Mn", 0},
        {"Fe", "Ni", -2},  {"Mn", "Ni", -8},  {"Al", "Co", -19}, {"Al", "Cr", -10},
        {"Al", "Fe", -11}, {"Al", "Ni", -22}, {"Cu", "Co", 6},   {"Cu", "Ag", 2},
    };
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        double v = NAN;
        assert_int_equal(
            as_mixing_enthalpy_pair(as_element_by_symbol(q[i].a), as_element_by_symbol(q[i].b), &v),
            AS_OK);
        assert_near(v, q[i].v, 0);
    }
}

/* Row of symbol sym in t (fails when absent). */
static size_t row_of(const as_table *t, const char *sym)
{
    for (size_t r = 0; r < as_table_rows(t); r++)
        if (!strcmp(str(t, r, "symbol"), sym))
            return r;
    fail_msg("%s not in data/elements.csv", sym);
    return 0;
}

static void atomic_numbers_masses_and_nonmetal_radii_should_equal_ase(void **state)
{
    (void)state;
    as_table *t = NULL;
    assert_int_equal(as_table_read_csv(AS_SOURCE_DIR "/data/elements.csv", &t), AS_OK);
    FILE *f = fopen(AS_SOURCE_DIR "/tests/fixtures/composition_elements_ase.csv", "r");
    assert_non_null(f);
    char line[256];
    size_t n = 0, n_cov = 0, n_vdw = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || strncmp(line, "symbol,", 7) == 0)
            continue;
        char sym[8], vdw_s[32];
        int z = 0;
        double m = 0, cov = 0;
        assert_int_equal(sscanf(line, "%7[^,],%d,%lf,%lf,%31s", sym, &z, &m, &cov, vdw_s), 5);
        const as_element *e = as_element_by_symbol(sym);
        assert_non_null(e);
        assert_int_equal(e->z, z);
        /* ASE prints 10 significant digits in the fixture */
        assert_near(e->mass_u, m, 1e-9 * m);
        /* the secondary radius sets: Cordero's covalent radii (K) and van der Waals radii (V)
         * as ASE tabulates them */
        const char *rs = str(t, row_of(t, sym), "radius_src");
        if (!strcmp(rs, "K")) {
            assert_near(e->radius_ang, cov, 1e-9);
            n_cov++;
        } else if (!strcmp(rs, "V")) {
            double vdw = NAN;
            assert_true(as_parse_number(vdw_s, &vdw));
            assert_near(e->radius_ang, vdw, 1e-9);
            n_vdw++;
        }
        n++;
    }
    fclose(f);
    assert_int_equal(n, as_element_count());
    assert_int_equal(n_cov, 8); /* H F Cl As Br I At Fr */
    assert_int_equal(n_vdw, 6); /* He Ne Ar Kr Xe Rn */
    as_table_free(t);
}

static void table_should_cover_every_element_from_h_to_pu(void **state)
{
    (void)state;
    assert_int_equal(as_element_count(), 94);
    for (int z = 1; z <= 94; z++) {
        const as_element *e = as_element_by_z(z);
        if (!e)
            fail_msg("Z = %d (%s) has no properties", z, as_element_symbol(z));
        assert_true(e->radius_ang > 0 && e->chi_pauling > 0 && e->vec > 0 && e->tm_k > 0 &&
                    e->mass_u > 0);
        assert_ptr_equal(as_element_at((size_t)z - 1), e);
    }
}

/* A formula with any element H..Pu parses; with Cu it gives every descriptor, or fails naming
 * the pair and the element without Miedema parameters (never 0, never a crash). */
static void every_element_with_cu_should_give_descriptors_or_name_the_missing_pair(void **state)
{
    (void)state;
    /* the elements without (usable) Miedema parameters */
    static const char none[] = " He F Ne Cl Ar Br Kr I Xe Po At Rn Fr Ra Ac Pa Np O S Se Te ";
    size_t n_ok = 0, n_miedema = 0, n_fail = 0;
    for (int z = 1; z <= 94; z++) {
        const char *sym = as_element_symbol(z);
        if (!strcmp(sym, "Cu"))
            continue;
        char formula[16], key[8];
        snprintf(formula, sizeof formula, "Cu3%s", sym);
        snprintf(key, sizeof key, " %s ", sym);
        as_composition c;
        assert_int_equal(as_composition_parse(formula, &c), AS_OK);
        assert_int_equal(c.n, 2);
        as_descriptors d;
        as_status st = as_composition_descriptors(&c, 1000.0, NULL, &d);
        if (st == AS_OK) {
            for (size_t j = 0; j < AS_DESC_COUNT; j++)
                assert_true(isfinite(as_descriptors_get(&d, j)));
            assert_null(strstr(none, key));
            n_ok++;
            n_miedema += d.n_pairs_miedema;
            continue;
        }
        assert_int_equal(st, AS_EINVAL);
        char want[160];
        snprintf(want, sizeof want, "no mixing enthalpy for the pair Cu-%s (", sym);
        if (strncmp(as_errmsg(), want, strlen(want)) != 0)
            fail_msg("%s: %s", formula, as_errmsg());
        if (!strcmp(sym, "H"))
            assert_non_null(strstr(as_errmsg(), "Miedema's parameters of H are not used"));
        else {
            snprintf(want, sizeof want, "no Miedema parameters for %s)", sym);
            assert_non_null(strstr(as_errmsg(), want));
            assert_non_null(strstr(none, key));
        }
        for (size_t j = 0; j < AS_DESC_COUNT; j++)
            assert_true(isnan(as_descriptors_get(&d, j)));
        /* asked for NaN instead: the other descriptors are there */
        as_descriptor_options o = as_descriptor_options_default();
        o.missing_dh_nan = 1;
        assert_int_equal(as_composition_descriptors(&c, 1000.0, &o, &d), AS_OK);
        assert_true(isfinite(d.delta_pct) && isfinite(d.vec) && isfinite(d.tm_k));
        assert_true(isnan(d.dh_mix_kj_mol));
        n_fail++;
    }
    print_message("Cu-X for X in H..Pu: %zu with descriptors (%zu from Miedema's model), %zu "
                  "without a mixing enthalpy\n",
                  n_ok, n_miedema, n_fail);
    assert_int_equal(n_ok + n_fail, 93);
    assert_int_equal(n_fail, 22); /* the 21 of `none` and H */
}

static void table_should_cover_every_element_named_by_both_papers(void **state)
{
    (void)state;
    /* seed 000: Cu Co Au Ag Cr Mn (solid-solution systems); seed 004: Pt Co and the 16 M
     * candidates; the list of dataset elements */
    static const char *const need[] = {
        "Cu", "Co", "Au", "Ag", "Cr", "Mn", "Pt", "Ni", "Fe", "Ti", "Ga", "Na", "Mg", "Sc", "Ge",
        "In", "Sn", "Sb", "Te", "Pb", "Bi", "Pd", "Al", "Zr", "Mo", "W",  "Ta", "Nb", "V",  "Hf",
        "Si", "Zn", "C",  "B",  "Re", "Y",  "Li", "Ru", "Rh", "Ir", "Os", "Ca", "Nd"};
    for (size_t i = 0; i < sizeof need / sizeof *need; i++)
        if (!as_element_by_symbol(need[i]))
            fail_msg("element %s missing", need[i]);
}

static void every_formula_of_the_shipped_mpea_dataset_should_give_descriptors(void **state)
{
    (void)state;
    as_table *t = NULL;
    assert_int_equal(as_table_read_csv(AS_SOURCE_DIR "/data/MPEA_dataset.csv", &t), AS_OK);
    double *x = NULL;
    size_t d = 0;
    as_status st = as_composition_table_descriptors(t, "FORMULA", NULL, NULL, &x, &d);
    if (st != AS_OK)
        fail_msg("%s", as_errmsg());
    size_t n = as_table_rows(t);
    for (size_t i = 0; i < n * d; i++)
        assert_true(isfinite(x[i]));
    /* plausibility over the whole set: δ in [0, 20] %, VEC in [1, 12], ΔS <= R ln 16 */
    for (size_t r = 0; r < n; r++) {
        assert_true(x[r * d + AS_DESC_DELTA] >= 0 && x[r * d + AS_DESC_DELTA] < 20);
        assert_true(x[r * d + AS_DESC_VEC] >= 1 && x[r * d + AS_DESC_VEC] <= 12);
        assert_true(x[r * d + AS_DESC_DS_MIX] <= AS_GAS_CONSTANT * log(16.0) + 1e-12);
    }
    as_free(x);
    as_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compiled_table_should_equal_data_elements_csv),
        cmocka_unit_test(compiled_pairs_should_equal_the_takeuchi_inoue_csv),
        cmocka_unit_test(pair_values_should_match_those_quoted_for_cantor_and_alcocrfeni),
        cmocka_unit_test(atomic_numbers_masses_and_nonmetal_radii_should_equal_ase),
        cmocka_unit_test(table_should_cover_every_element_from_h_to_pu),
        cmocka_unit_test(every_element_with_cu_should_give_descriptors_or_name_the_missing_pair),
        cmocka_unit_test(table_should_cover_every_element_named_by_both_papers),
        cmocka_unit_test(every_formula_of_the_shipped_mpea_dataset_should_give_descriptors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
