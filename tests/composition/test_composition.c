/* Composition parsing and descriptors.
 *
 * Literature references for the descriptors (radius set of Guo & Liu 2011 / Zhang et al. 2008,
 * Takeuchi & Inoue 2005 ΔH_ij, as in those papers):
 *   CoCrFeMnNi: δ = 3.27 %, ΔH_mix = -4.16 kJ/mol, ΔS_mix = 13.38 J/(mol K), VEC = 8.0
 *   AlCoCrFeNi: δ = 5.78 %, ΔH_mix = -12.32 kJ/mol, ΔS_mix = 13.38 J/(mol K), VEC = 7.2
 * (tabulated e.g. in Guo & Liu, Prog. Nat. Sci. 21 (2011) 433 and Yang & Zhang, Mater. Chem.
 * Phys. 132 (2012) 233). The papers print δ with two decimals, so the tolerance on δ is half a
 * unit of the last printed digit (0.005 %); ΔH_mix is a sum of integers times 4 c_i c_j = 0.16
 * and is exact up to rounding (1e-12); ΔS_mix = R ln 5 = 13.3815 is printed as 13.38 (0.005). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "alloyscout/composition.h"

/* |a - b| <= tol with both values in the message (cmocka's float assert casts to float). */
#define assert_near(a, b, tol)                                            \
    do {                                                                  \
        double a_ = (a), b_ = (b), t_ = (tol);                            \
        if (!(fabs(a_ - b_) <= t_))                                       \
            fail_msg("%s = %.17g, expected %.17g +- %g", #a, a_, b_, t_); \
    } while (0)

static double frac_of(const as_composition *c, const char *sym)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->el[i]->symbol, sym) == 0)
            return c->frac[i];
    return -1;
}

static void parse_ok(const char *text, as_composition *c)
{
    as_status st = as_composition_parse(text, c);
    if (st != AS_OK)
        fail_msg("parse '%s': %s", text, as_errmsg());
}

static void expect_parse_error(const char *text, const char *msg)
{
    as_composition c;
    assert_int_equal(as_composition_parse(text, &c), AS_EPARSE);
    assert_int_equal(c.n, 0);
    if (strcmp(as_errmsg(), msg) != 0)
        fail_msg("'%s': expected '%s', got '%s'", text, msg, as_errmsg());
}

static void parse_should_give_equal_fractions_when_amounts_are_missing(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("CuCo", &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.el[0]->symbol, "Cu");
    assert_string_equal(c.el[1]->symbol, "Co");
    assert_near(c.frac[0], 0.5, 1e-15);
    assert_near(c.frac[1], 0.5, 1e-15);
}

static void parse_should_normalize_percentages_to_fractions(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("Cu50Co50", &c);
    assert_near(frac_of(&c, "Cu"), 0.5, 1e-15);
    parse_ok("Cu23.85Co76.15", &c);
    assert_near(frac_of(&c, "Cu"), 0.2385, 1e-15);
    assert_near(frac_of(&c, "Co"), 0.7615, 1e-15);
}

static void parse_should_mix_decimal_and_missing_amounts(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("Al0.5CoCrFeNi", &c);
    assert_int_equal(c.n, 5);
    assert_near(frac_of(&c, "Al"), 0.5 / 4.5, 1e-15);
    assert_near(frac_of(&c, "Ni"), 1.0 / 4.5, 1e-15);
    parse_ok("Al.5Co", &c); /* a leading decimal point is an amount */
    assert_near(frac_of(&c, "Al"), 1.0 / 3.0, 1e-15);
}

static void parse_should_accept_the_space_separated_mpea_style(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("Al0.25 Co1 Fe1 Ni1", &c);
    assert_int_equal(c.n, 4);
    assert_near(frac_of(&c, "Al"), 0.25 / 3.25, 1e-15);
    parse_ok("  \tCu1\t Co3  ", &c);
    assert_near(frac_of(&c, "Co"), 0.75, 1e-15);
}

static void parse_should_share_a_group_amount_equally_without_inner_amounts(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("Al10(HfNbTiZr)90", &c);
    assert_int_equal(c.n, 5);
    assert_near(frac_of(&c, "Al"), 0.10, 1e-15);
    assert_near(frac_of(&c, "Hf"), 0.225, 1e-15);
    assert_near(frac_of(&c, "Zr"), 0.225, 1e-15);
}

static void parse_should_share_a_group_amount_in_proportion_to_inner_amounts(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("Al10(Hf1Nb3)90", &c);
    assert_near(frac_of(&c, "Hf"), 0.225, 1e-15);
    assert_near(frac_of(&c, "Nb"), 0.675, 1e-15);
    /* nested: ((CuNi)1Co1)50Fe50 = Cu 12.5, Ni 12.5, Co 25, Fe 50 */
    parse_ok("((CuNi)1Co1)50Fe50", &c);
    assert_near(frac_of(&c, "Cu"), 0.125, 1e-15);
    assert_near(frac_of(&c, "Co"), 0.25, 1e-15);
    assert_near(frac_of(&c, "Fe"), 0.5, 1e-15);
}

static void parse_should_treat_a_group_without_amount_as_plain_grouping(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("(Co2Ni)Cr", &c);
    assert_near(frac_of(&c, "Co"), 0.5, 1e-15);
    assert_near(frac_of(&c, "Cr"), 0.25, 1e-15);
}

static void parse_should_sum_repeated_elements_and_drop_zero_amounts(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("Cu1Co2Cu1Al0", &c);
    assert_int_equal(c.n, 2);
    assert_near(frac_of(&c, "Cu"), 0.5, 1e-15);
    assert_near(frac_of(&c, "Al"), -1, 0);
}

/* issue 12: parts joined by '-', an en-dash or spaces read as written together */
static void parse_should_accept_hyphen_en_dash_and_spaces_between_parts(void **state)
{
    (void)state;
    static const char *same[] = {"Cu50-Co50", "Cu50\u2013Co50", "Cu50 - Co50", "Cu50 Co50",
                                 " Cu50\t-\tCo50 "};
    for (size_t k = 0; k < sizeof same / sizeof *same; k++) {
        as_composition c;
        parse_ok(same[k], &c);
        assert_int_equal(c.n, 2);
        assert_near(frac_of(&c, "Cu"), 0.5, 0);
        assert_near(frac_of(&c, "Co"), 0.5, 0);
    }
    as_composition c;
    parse_ok("Al0.5-(CoCrFeNi)2", &c); /* 0.5 : 4 x 0.5 */
    assert_near(frac_of(&c, "Al"), 0.5 / 2.5, 1e-15);
    assert_near(frac_of(&c, "Ni"), 0.5 / 2.5, 1e-15);
    parse_ok("Al10-(Hf-Nb-Ti-Zr)90", &c);
    assert_near(frac_of(&c, "Al"), 0.1, 1e-15);
    assert_near(frac_of(&c, "Zr"), 0.225, 1e-15);
}

static void parse_should_name_the_column_and_text_of_each_error(void **state)
{
    (void)state;
    expect_parse_error("AlXx", "column 3: unknown element 'Xx'");
    expect_parse_error("CuCoAm", "column 5: element 'Am' is not in the element table "
                                 "(data/elements.csv)");
    expect_parse_error("Cu1.2.3Co", "column 3: malformed amount '1.2.3'");
    expect_parse_error("Cu.Co", "column 3: malformed amount '.'");
    expect_parse_error("Al10(HfNb", "column 5: unmatched '('");
    expect_parse_error("CuCo)2", "column 5: unmatched ')'");
    expect_parse_error("", "column 1: empty formula");
    expect_parse_error("   ", "column 4: empty formula");
    expect_parse_error("Cu()2", "column 3: empty group '()'");
    expect_parse_error("cuCo", "column 1: expected an element symbol or '(', got 'c'");
    expect_parse_error("-CuCo", "column 1: separator '-' before the first part");
    expect_parse_error("Cu--Co", "column 3: separator '-' without a part after it");
    expect_parse_error("Cu50 -", "column 6: separator '-' without a part after it");
    expect_parse_error("(Cu-)Co", "column 4: separator '-' without a part after it");
    expect_parse_error("Cu\xe2\x80\x93",
                       "column 3: separator '\xe2\x80\x93' without a part after it");
    expect_parse_error("Cu-5Co", "column 4: expected an element symbol or '(', got '5'");
    expect_parse_error("Cu0Co0", "column 1: all amounts are zero in 'Cu0Co0'");
    expect_parse_error("Abc", "column 1: unknown element 'Abc'");
    expect_parse_error("((((((((((Cu))))))))))", "column 9: groups nested deeper than 8 at '('");
    expect_parse_error("LiBCNaMgAlSiCaScTiVCrMnFeCoNiCu",
                       "column 1: more than 16 elements in 'LiBCNaMgAlSiCaScTiVCrMnFeCoNiCu'");
}

static void descriptors_should_match_published_values_for_cocrfemnni(void **state)
{
    (void)state;
    as_composition c;
    as_descriptors d;
    parse_ok("CoCrFeMnNi", &c);
    assert_int_equal(as_composition_descriptors(&c, NAN, NULL, &d), AS_OK);
    assert_near(d.delta_pct, 3.27, 0.005);
    assert_near(d.dh_mix_kj_mol, -4.16, 1e-12);
    assert_near(d.ds_mix_j_mol_k, 13.38, 0.005);
    assert_near(d.ds_mix_j_mol_k, AS_GAS_CONSTANT * log(5.0), 1e-12);
    assert_near(d.vec, 8.0, 1e-12);
    assert_true(isnan(d.dg_mix_kj_mol));
}

static void descriptors_should_match_published_values_for_alcocrfeni(void **state)
{
    (void)state;
    as_composition c;
    as_descriptors d;
    parse_ok("AlCoCrFeNi", &c);
    assert_int_equal(as_composition_descriptors(&c, NAN, NULL, &d), AS_OK);
    assert_near(d.delta_pct, 5.78, 0.005);
    assert_near(d.dh_mix_kj_mol, -12.32, 1e-12);
    assert_near(d.vec, 7.2, 1e-12);
}

/* Closed forms for a non-equiatomic ternary with high-entropy fractions, by hand:
 * Al0.3Cu1.7Ni2.385 (Cu-Ni 4, Al-Cu -1, Al-Ni -22 kJ/mol). */
static void descriptors_should_follow_their_closed_forms(void **state)
{
    (void)state;
    as_composition c;
    as_descriptors d;
    parse_ok("Al0.3Cu1.7Ni2.385", &c);
    const double s = 0.3 + 1.7 + 2.385, ca = 0.3 / s, cc = 1.7 / s, cn = 2.385 / s;
    const double T = 1023.15;
    as_descriptor_options o = as_descriptor_options_default();
    o.omega_cap = INFINITY; /* Ω = 1635 here: no clipping */
    assert_int_equal(as_composition_descriptors(&c, T, &o, &d), AS_OK);
    double ds = -AS_GAS_CONSTANT * (ca * log(ca) + cc * log(cc) + cn * log(cn));
    double rbar = ca * 1.432 + cc * 1.278 + cn * 1.246;
    double delta = 100 * sqrt(ca * pow(1 - 1.432 / rbar, 2) + cc * pow(1 - 1.278 / rbar, 2) +
                              cn * pow(1 - 1.246 / rbar, 2));
    double xbar = ca * 1.61 + cc * 1.90 + cn * 1.91;
    double dchi =
        sqrt(ca * pow(1.61 - xbar, 2) + cc * pow(1.90 - xbar, 2) + cn * pow(1.91 - xbar, 2));
    double dh = 4 * (-1 * ca * cc + -22 * ca * cn + 4 * cc * cn);
    double tm = ca * 933.47 + cc * 1357.77 + cn * 1728;
    /* a few ulps of the sums involved */
    assert_near(d.ds_mix_j_mol_k, ds, 1e-12);
    assert_near(d.delta_pct, delta, 1e-12);
    assert_near(d.dchi, dchi, 1e-12);
    assert_near(d.vec, ca * 3 + cc * 11 + cn * 10, 1e-12);
    assert_near(d.tm_k, tm, 1e-9);
    assert_near(d.dh_mix_kj_mol, dh, 1e-12);
    assert_near(d.omega, tm * ds / fabs(dh * 1000), 1e-12);
    assert_near(d.dg_mix_kj_mol, dh - T * ds / 1000, 1e-12);
    for (size_t i = 0; i < AS_DESC_COUNT; i++)
        assert_non_null(as_descriptor_name(i));
    assert_null(as_descriptor_name(AS_DESC_COUNT));
    assert_near(as_descriptors_get(&d, AS_DESC_OMEGA), d.omega, 0);
}

static void descriptors_should_clip_omega_when_mixing_enthalpy_is_zero(void **state)
{
    (void)state;
    as_composition c;
    as_descriptors d;
    parse_ok("CoNi", &c); /* Takeuchi & Inoue: Co-Ni 0 kJ/mol */
    assert_int_equal(as_composition_descriptors(&c, NAN, NULL, &d), AS_OK);
    assert_near(d.dh_mix_kj_mol, 0, 0);
    assert_near(d.omega, 1000, 0);
    as_descriptor_options o = as_descriptor_options_default();
    o.omega_cap = 50;
    assert_int_equal(as_composition_descriptors(&c, NAN, &o, &d), AS_OK);
    assert_near(d.omega, 50, 0);
    parse_ok("Cu", &c);
    assert_int_equal(as_composition_descriptors(&c, 300, NULL, &d), AS_OK);
    assert_near(d.ds_mix_j_mol_k, 0, 0);
    assert_near(d.delta_pct, 0, 0);
    assert_near(d.omega, 0, 0);
    assert_near(d.dg_mix_kj_mol, 0, 0);
    o.omega_cap = 0;
    assert_int_equal(as_composition_descriptors(&c, 300, &o, &d), AS_EINVAL);
}

static void descriptors_should_refuse_pairs_without_tabulated_enthalpy_unless_asked(void **state)
{
    (void)state;
    as_composition c;
    as_descriptors d;
    parse_ok("Pt2CoTe", &c);
    assert_int_equal(as_composition_descriptors(&c, NAN, NULL, &d), AS_EINVAL);
    assert_string_equal(as_errmsg(), "no mixing enthalpy for the pair Pt-Te (not among the shipped "
                                     "Takeuchi & Inoue 2005 pairs; no Miedema parameters for Te)");
    assert_true(isnan(d.delta_pct));
    as_descriptor_options o = as_descriptor_options_default();
    o.missing_dh_nan = 1;
    assert_int_equal(as_composition_descriptors(&c, 1000, &o, &d), AS_OK);
    assert_true(isnan(d.dh_mix_kj_mol) && isnan(d.omega) && isnan(d.dg_mix_kj_mol));
    assert_true(d.delta_pct > 0 && d.vec > 0);
}

static void descriptors_should_reject_bad_temperatures_and_empty_compositions(void **state)
{
    (void)state;
    as_composition c;
    as_descriptors d;
    parse_ok("CuCo", &c);
    assert_int_equal(as_composition_descriptors(&c, -5, NULL, &d), AS_EINVAL);
    assert_int_equal(as_composition_descriptors(&c, INFINITY, NULL, &d), AS_EINVAL);
    as_composition empty;
    memset(&empty, 0, sizeof empty);
    assert_int_equal(as_composition_descriptors(&empty, 300, NULL, &d), AS_EINVAL);
}

static void format_should_write_symbols_with_fractions(void **state)
{
    (void)state;
    as_composition c;
    parse_ok("Cu1Co3", &c);
    char buf[64];
    size_t need = as_composition_format(&c, buf, sizeof buf);
    assert_string_equal(buf, "Cu0.25Co0.75");
    assert_int_equal(need, strlen("Cu0.25Co0.75"));
    char small[6];
    as_composition_format(&c, small, sizeof small);
    assert_string_equal(small, "Cu0.2");
}

static const char table_csv[] = "id,formula,T_K\n"
                                "1,CoCrFeMnNi,1273.15\n"
                                "2,\"Al0.25 Co1 Fe1 Ni1\",\n"
                                "3,Al10(HfNbTiZr)90,1500\n";

static void table_descriptors_should_give_one_row_per_record(void **state)
{
    (void)state;
    as_table *t = NULL;
    assert_int_equal(as_table_parse_csv(table_csv, strlen(table_csv), "mem.csv", &t), AS_OK);
    double *x = NULL;
    size_t d = 0;
    assert_int_equal(as_composition_table_descriptors(t, "formula", "T_K", NULL, &x, &d), AS_OK);
    assert_int_equal(d, AS_DESC_COUNT);
    assert_near(x[AS_DESC_DH_MIX], -4.16, 1e-12);
    assert_near(x[AS_DESC_DG_MIX], -4.16 - 1273.15 * AS_GAS_CONSTANT * log(5.0) / 1000, 1e-12);
    assert_true(isnan(x[d + AS_DESC_DG_MIX])); /* empty temperature cell */
    as_composition c;
    as_descriptors ref;
    parse_ok("Al10(HfNbTiZr)90", &c);
    assert_int_equal(as_composition_descriptors(&c, 1500, NULL, &ref), AS_OK);
    for (size_t j = 0; j < d; j++)
        assert_near(x[2 * d + j], as_descriptors_get(&ref, j), 0);
    as_free(x);
    assert_int_equal(as_composition_table_descriptors(t, "formula", NULL, NULL, &x, &d), AS_OK);
    assert_int_equal(d, AS_DESC_COUNT - 1);
    as_free(x);
    assert_int_equal(as_composition_table_descriptors(t, "nope", NULL, NULL, &x, &d), AS_EINVAL);
    assert_null(x);
    as_table_free(t);
}

static void table_descriptors_should_point_at_the_offending_character_in_the_file(void **state)
{
    (void)state;
    static const char bad[] = "id,formula\n1,CuCo\n2,Al0.5CoXxFe\n";
    as_table *t = NULL;
    assert_int_equal(as_table_parse_csv(bad, strlen(bad), "bad.csv", &t), AS_OK);
    double *x = (double *)1;
    size_t d = 0;
    assert_int_equal(as_composition_table_descriptors(t, "formula", NULL, NULL, &x, &d), AS_EPARSE);
    assert_null(x);
    /* line 3, the cell starts at column 3, 'Xx' is the 8th character of the formula */
    assert_string_equal(as_errmsg(), "bad.csv:3:10: unknown element 'Xx' (formula 'Al0.5CoXxFe')");
    as_table_free(t);

    static const char badt[] = "formula,T\nCuCo,hot\n";
    assert_int_equal(as_table_parse_csv(badt, strlen(badt), "t.csv", &t), AS_OK);
    assert_int_equal(as_composition_table_descriptors(t, "formula", "T", NULL, &x, &d), AS_EPARSE);
    assert_string_equal(as_errmsg(), "t.csv:2:6: temperature 'hot' in column 'T' is not a "
                                     "positive number of kelvin");
    as_table_free(t);

    static const char te[] = "formula\nCuCo\nPt2CoTe\n";
    assert_int_equal(as_table_parse_csv(te, strlen(te), "te.csv", &t), AS_OK);
    assert_int_equal(as_composition_table_descriptors(t, "formula", NULL, NULL, &x, &d), AS_EINVAL);
    assert_string_equal(as_errmsg(), "te.csv:3:1: no mixing enthalpy for the pair Pt-Te in "
                                     "'Pt2CoTe' (not among the shipped Takeuchi & Inoue 2005 "
                                     "pairs; no Miedema parameters for Te)");
    as_table_free(t);
}

static void table_descriptors_should_fail_cleanly_when_allocation_fails(void **state)
{
    (void)state;
    as_table *t = NULL;
    assert_int_equal(as_table_parse_csv(table_csv, strlen(table_csv), "mem.csv", &t), AS_OK);
    double *x = NULL;
    size_t d = 0;
    as_alloc_fail_after(1);
    as_status st = as_composition_table_descriptors(t, "formula", "T_K", NULL, &x, &d);
    as_alloc_fail_after(0);
    assert_int_equal(st, AS_ENOMEM);
    assert_null(x);
    as_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_should_give_equal_fractions_when_amounts_are_missing),
        cmocka_unit_test(parse_should_normalize_percentages_to_fractions),
        cmocka_unit_test(parse_should_mix_decimal_and_missing_amounts),
        cmocka_unit_test(parse_should_accept_the_space_separated_mpea_style),
        cmocka_unit_test(parse_should_share_a_group_amount_equally_without_inner_amounts),
        cmocka_unit_test(parse_should_share_a_group_amount_in_proportion_to_inner_amounts),
        cmocka_unit_test(parse_should_treat_a_group_without_amount_as_plain_grouping),
        cmocka_unit_test(parse_should_sum_repeated_elements_and_drop_zero_amounts),
        cmocka_unit_test(parse_should_accept_hyphen_en_dash_and_spaces_between_parts),
        cmocka_unit_test(parse_should_name_the_column_and_text_of_each_error),
        cmocka_unit_test(descriptors_should_match_published_values_for_cocrfemnni),
        cmocka_unit_test(descriptors_should_match_published_values_for_alcocrfeni),
        cmocka_unit_test(descriptors_should_follow_their_closed_forms),
        cmocka_unit_test(descriptors_should_clip_omega_when_mixing_enthalpy_is_zero),
        cmocka_unit_test(descriptors_should_refuse_pairs_without_tabulated_enthalpy_unless_asked),
        cmocka_unit_test(descriptors_should_reject_bad_temperatures_and_empty_compositions),
        cmocka_unit_test(format_should_write_symbols_with_fractions),
        cmocka_unit_test(table_descriptors_should_give_one_row_per_record),
        cmocka_unit_test(table_descriptors_should_point_at_the_offending_character_in_the_file),
        cmocka_unit_test(table_descriptors_should_fail_cleanly_when_allocation_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
