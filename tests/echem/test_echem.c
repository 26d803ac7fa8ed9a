/* Measurement arithmetic against worked numbers of the papers, closed forms, and numpy/scipy
 * references in tests/fixtures/echem_ref.txt (made by tests/fixtures/echem_ref.py). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "alloyscout/echem.h"

#define assert_near(a, b, tol)                                            \
    do {                                                                  \
        double a_ = (a), b_ = (b), t_ = (tol);                            \
        if (!(fabs(a_ - b_) <= t_))                                       \
            fail_msg("%s = %.17g, expected %.17g +- %g", #a, a_, b_, t_); \
    } while (0)

/* Relative tolerance for a handful of flops on O(1) numbers against numpy: 1e-12. */
#define REL 1e-12

static double ref(const char *key)
{
    FILE *f = fopen(AS_SOURCE_DIR "/tests/fixtures/echem_ref.txt", "r");
    assert_non_null(f);
    char k[128];
    double v = NAN;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        double x;
        if (sscanf(line, "%127s %lf", k, &x) == 2 && strcmp(k, key) == 0) {
            v = x;
            break;
        }
    }
    fclose(f);
    if (isnan(v))
        fail_msg("no reference value %s", key);
    return v;
}

static void loading_should_reproduce_the_paper_0_0765_mg_per_cm2(void **state)
{
    (void)state;
    /* seed 000 §2.5: 3 mg in 500 + 470 + 30 µL of ink, 5 µL on 0.196 cm^2 -> 0.0765 mg/cm^2
     * (printed with 4 decimals: tolerance half a unit of the last digit) */
    double m = 0, l = 0;
    assert_int_equal(as_echem_loading(3.0 / 1.0, 5.0, 0.196, &m, &l), AS_OK);
    assert_near(m, 0.015, 1e-15);
    assert_near(l, 0.0765, 0.00005);
    assert_near(l, 0.015 / 0.196, 1e-15);
    assert_int_equal(as_echem_loading(3, 0, 0.196, &m, &l), AS_EINVAL);
    assert_true(isnan(m));
}

static void faradaic_efficiency_should_match_the_numpy_reference(void **state)
{
    (void)state;
    double fe = 0;
    assert_int_equal(as_echem_fe(8, 12.6e-3 / 17.031, 0.030, 18.6, &fe), AS_OK);
    assert_near(fe, ref("fe_nh3"), REL);
    /* closed form: one mole of electrons' worth of product per F coulombs is 100 % */
    assert_int_equal(as_echem_fe(2, 0.5, 2.0, 2 * AS_FARADAY, &fe), AS_OK);
    assert_near(fe, 1.0, 1e-15);
    assert_int_equal(as_echem_fe(8, 1e-3, 0.03, 0, &fe), AS_EINVAL);
    assert_int_equal(as_echem_fe(0, 1e-3, 0.03, 1, &fe), AS_EINVAL);
    assert_int_equal(as_echem_fe(8, -1, 0.03, 1, &fe), AS_EINVAL);
    assert_int_equal(as_echem_fe(8, 1, NAN, 1, &fe), AS_EINVAL);
}

static void yield_should_divide_the_amount_by_time_mass_and_area(void **state)
{
    (void)state;
    /* 12.6 mg/L in 30 mL over 2 h on 0.015 mg catalyst and 0.196 cm^2 */
    as_echem_yield_result y;
    assert_int_equal(as_echem_yield(12.6, 0.030, 2.0, 0.015, 0.196, 17.031, &y), AS_OK);
    assert_near(y.rate_mg_h, 12.6 * 0.030 / 2.0, 1e-15);
    assert_near(y.per_mass_mg_h_mg, 0.189 / 0.015, 1e-13);
    assert_near(y.per_area_mg_h_cm2, 0.189 / 0.196, 1e-13);
    assert_near(y.rate_umol_h, 189.0 / 17.031, 1e-12);
    assert_near(y.per_area_umol_h_cm2, 189.0 / 17.031 / 0.196, 1e-12);
    assert_int_equal(as_echem_yield(12.6, 0.030, 2.0, NAN, NAN, NAN, &y), AS_OK);
    assert_true(isnan(y.per_mass_mg_h_mg) && isnan(y.per_area_mg_h_cm2) && isnan(y.rate_umol_h));
    assert_int_equal(as_echem_yield(12.6, 0.030, 0, NAN, NAN, NAN, &y), AS_EINVAL);
    assert_int_equal(as_echem_yield(12.6, 0.030, 1, -1, NAN, NAN, &y), AS_EINVAL);
}

static void rhe_conversion_should_follow_the_papers_formula(void **state)
{
    (void)state;
    /* seed 000: E_RHE = E_Hg/HgO + 0.197 V + 0.0591 pH, 1 M KOH (pH 14) */
    double e = 0;
    assert_int_equal(as_echem_to_rhe(-1.3, 0.197, 14, 0.0591, &e), AS_OK);
    assert_near(e, -1.3 + 0.197 + 0.0591 * 14, 1e-15);
    /* Nernst slope at 25 °C: 59.16 mV per pH (textbook) */
    assert_near(as_echem_nernst_slope(298.15), 0.059159, 5e-7);
    as_ref_electrode r;
    assert_int_equal(as_echem_ref_parse("hghgo", &r), AS_OK);
    assert_int_equal(r, AS_REF_HGHGO_1M_KOH);
    assert_near(as_echem_ref_e0(r), 0.098, 0);
    assert_int_equal(as_echem_ref_parse("agagcl-sat", &r), AS_OK);
    assert_near(as_echem_ref_e0(r), 0.197, 0);
    assert_int_equal(as_echem_ref_parse("sce", &r), AS_OK);
    assert_near(as_echem_ref_e0(r), 0.241, 0);
    for (int i = 0; i < AS_REF_COUNT; i++)
        assert_non_null(as_echem_ref_name((as_ref_electrode)i));
    assert_null(as_echem_ref_name(AS_REF_COUNT));
    assert_true(isnan(as_echem_ref_e0(AS_REF_COUNT)));
    assert_int_equal(as_echem_ref_parse("calomel", &r), AS_EINVAL);
    assert_int_equal(as_echem_to_rhe(NAN, 0, 14, 0.059, &e), AS_EINVAL);
}

static void check_calib(const char *name, const double *x, const double *y, size_t n)
{
    as_echem_calib c;
    assert_int_equal(as_echem_calib_fit(x, y, n, NULL, &c), AS_OK);
    char k[64];
#define R(field)                                  \
    snprintf(k, sizeof k, "%s_%s", name, #field); \
    assert_near(c.field, ref(k), REL *fmax(1.0, fabs(ref(k))));
    R(slope);
    R(intercept);
    R(r2);
    R(slope_se);
    R(intercept_se);
    R(s_yx);
    R(lod);
    R(loq);
#undef R
    double x0 = 0, se = 0;
    assert_int_equal(as_echem_calib_predict(&c, 0.6543, 1, &x0, &se), AS_OK);
    snprintf(k, sizeof k, "%s_x0_0.6543_1", name);
    assert_near(x0, ref(k), REL);
    snprintf(k, sizeof k, "%s_x0se_0.6543_1", name);
    assert_near(se, ref(k), REL);
    assert_int_equal(as_echem_calib_predict(&c, 0.2871, 3, &x0, &se), AS_OK);
    snprintf(k, sizeof k, "%s_x0_0.2871_3", name);
    assert_near(x0, ref(k), REL);
    snprintf(k, sizeof k, "%s_x0se_0.2871_3", name);
    assert_near(se, ref(k), REL);
}

static void calibration_should_match_scipy_linregress_for_indophenol_blue(void **state)
{
    (void)state;
    static const double x[] = {0, 0.2, 0.5, 1.0, 2.0, 4.0};
    static const double y[] = {0.0412, 0.1093, 0.2226, 0.4108, 0.7934, 1.5562};
    check_calib("ib", x, y, 6);
}

static void calibration_should_match_scipy_linregress_for_griess(void **state)
{
    (void)state;
    static const double x[] = {0, 0.1, 0.25, 0.5, 1.0, 2.0};
    static const double y[] = {0.0087, 0.0731, 0.1702, 0.3391, 0.6625, 1.3318};
    check_calib("griess", x, y, 6);
}

static void calibration_should_use_blank_sd_and_reject_degenerate_input(void **state)
{
    (void)state;
    static const double x[] = {0, 1, 2, 3};
    static const double y[] = {0.1, 0.3, 0.5, 0.7}; /* exact line: s_yx = 0, r2 = 1 */
    as_echem_calib c;
    as_echem_calib_options o = as_echem_calib_options_default();
    o.blank_sd = 0.004;
    o.k_lod = 3;
    assert_int_equal(as_echem_calib_fit(x, y, 4, &o, &c), AS_OK);
    assert_near(c.slope, 0.2, 1e-15);
    assert_near(c.r2, 1, 1e-15);
    assert_near(c.lod, 3 * 0.004 / 0.2, 1e-15);
    static const double same[] = {1, 1, 1};
    assert_int_equal(as_echem_calib_fit(same, y, 3, NULL, &c), AS_EINVAL);
    assert_int_equal(as_echem_calib_fit(x, y, 2, NULL, &c), AS_EINVAL);
    static const double flat[] = {0.5, 0.5, 0.5, 0.5};
    assert_int_equal(as_echem_calib_fit(x, flat, 4, NULL, &c), AS_EINVAL);
    o.k_lod = 0;
    assert_int_equal(as_echem_calib_fit(x, y, 4, &o, &c), AS_EINVAL);
    double x0;
    assert_int_equal(as_echem_calib_fit(x, y, 4, NULL, &c), AS_OK);
    assert_int_equal(as_echem_calib_predict(&c, 0.4, 0, &x0, NULL), AS_EINVAL);
}

static void cdl_should_be_half_the_slope_of_delta_j_against_scan_rate(void **state)
{
    (void)state;
    /* the paper's scan rates 20, 40, 60, 80, 100 mV/s */
    static const double nu[] = {20, 40, 60, 80, 100};
    static const double dj[] = {0.1432, 0.2815, 0.4291, 0.5663, 0.7139};
    as_echem_cdl_result r;
    assert_int_equal(as_echem_cdl(nu, dj, 5, &r), AS_OK);
    assert_near(r.cdl_mf_cm2, ref("cdl_mf_cm2"), REL * 4);
    assert_near(r.r2, ref("cdl_r2"), REL);
    static const double neg[] = {-20, 40};
    assert_int_equal(as_echem_cdl(neg, dj, 2, &r), AS_EINVAL);
    assert_int_equal(as_echem_cdl(nu, dj, 1, &r), AS_EINVAL);
}

static void scherrer_should_match_the_closed_form_with_both_broadening_corrections(void **state)
{
    (void)state;
    as_scherrer_options o = as_scherrer_options_default();
    double d = 0;
    assert_int_equal(as_echem_scherrer(41.3, 2.85, &o, &d), AS_OK);
    assert_near(d, ref("scherrer_41.3_2.85_0_0"), REL);
    o.instr_fwhm_deg = 0.12;
    assert_int_equal(as_echem_scherrer(41.3, 2.85, &o, &d), AS_OK);
    assert_near(d, ref("scherrer_41.3_2.85_0.12_0"), REL);
    o.lorentzian = 1;
    assert_int_equal(as_echem_scherrer(41.3, 2.85, &o, &d), AS_OK);
    assert_near(d, ref("scherrer_41.3_2.85_0.12_1"), REL);
    o.lorentzian = 0;
    o.instr_fwhm_deg = 0.08;
    assert_int_equal(as_echem_scherrer(69.1, 0.387, &o, &d), AS_OK);
    assert_near(d, ref("scherrer_69.1_0.387_0.08_0"), REL);
    /* a FWHM of ~2.85° at the (111) peak gives the ~3 nm of seed 004 (2.94, 3.19 nm) */
    o.instr_fwhm_deg = 0;
    assert_int_equal(as_echem_scherrer(41.3, 2.85, &o, &d), AS_OK);
    assert_true(d > 2.9 && d < 3.2);
    o.instr_fwhm_deg = 3;
    assert_int_equal(as_echem_scherrer(41.3, 2.85, &o, &d), AS_EINVAL);
    assert_int_equal(as_echem_scherrer(180, 2.85, NULL, &d), AS_EINVAL);
    assert_int_equal(as_echem_scherrer(40, 0, NULL, &d), AS_EINVAL);
}

static void adsorption_energies_should_follow_seed_004_equations(void **state)
{
    (void)state;
    double de = 0;
    /* seed 004's VASP-PBE references, in the physical order: H2O (H2 + O) below H2 */
    assert_true(AS_E_H2O_EV == -14.22 && AS_E_H2_EV == -6.76);
    /* E(O*) = -290.123, E(*) = -284.5 with E_H2O = -14.22, E_H2 = -6.76: dE_O = 1.837 eV */
    assert_int_equal(as_echem_ads_energy(AS_ADS_O, -290.123, -284.5, AS_E_H2O_EV, AS_E_H2_EV, &de),
                     AS_OK);
    assert_near(de, -290.123 + 284.5 + 14.22 - 6.76, 1e-12);
    assert_int_equal(as_echem_ads_energy(AS_ADS_OH, -294.387, -284.5, AS_E_H2O_EV, AS_E_H2_EV, &de),
                     AS_OK);
    assert_near(de, -294.387 + 284.5 - (-14.22 + 3.38), 1e-12);
    assert_int_equal(as_echem_ads_energy(AS_ADS_OOH, -298.6, -284.5, AS_E_H2O_EV, AS_E_H2_EV, &de),
                     AS_OK);
    assert_near(de, -298.6 + 284.5 - (2 * -14.22 + 1.5 * 6.76), 1e-12);
    assert_int_equal(as_echem_ads_energy((as_adsorbate)7, 0, 0, 0, 0, &de), AS_EINVAL);
    double dg = 0;
    /* ΔG = ΔE + ΔZPE - TΔS + ΔE_solv */
    assert_int_equal(as_echem_dg(0.85, 0.33, 298.15, -6.71e-4, -0.5, &dg), AS_OK);
    assert_near(dg, 0.85 + 0.33 + 298.15 * 6.71e-4 - 0.5, 1e-12);
    assert_int_equal(as_echem_dg(0.85, 0.33, -1, 0, 0, &dg), AS_EINVAL);
}

static void orr_limiting_potential_should_be_the_smallest_step_and_peak_at_0_86_ev(void **state)
{
    (void)state;
    as_orr_result r;
    /* ΔG_OH = 0.80, ΔG_O = 1.60, scaling OOH = 4.00 eV: steps -0.92, -2.40, -0.80, -0.80 */
    assert_int_equal(as_echem_orr(0.80, 1.60, NAN, NULL, &r), AS_OK);
    assert_near(r.dg_ooh_ev, 4.00, 1e-15);
    assert_near(r.dg_step_ev[0], 4.00 - 4.92, 1e-12);
    assert_near(r.dg_step_ev[1], 1.60 - 4.00, 1e-12);
    assert_near(r.dg_step_ev[2], 0.80 - 1.60, 1e-12);
    assert_near(r.dg_step_ev[3], -0.80, 1e-15);
    assert_near(r.u_limit_v, 0.80, 1e-12);
    assert_int_equal(r.pds, 2); /* O* -> OH* reached 0.80 first */
    assert_near(r.overpotential_v, 0.43, 1e-12);
    assert_near(r.volcano_top_dg_oh_ev, 0.86, 1e-12);
    assert_near(r.volcano_offset_ev, -0.06, 1e-12);
    assert_near(r.u_limit_volcano_v, 0.80, 1e-12);
    /* weak binding: OOH formation limits */
    assert_int_equal(as_echem_orr(1.20, 2.60, NAN, NULL, &r), AS_OK);
    assert_int_equal(r.pds, 0);
    assert_near(r.u_limit_v, 4.92 - 4.40, 1e-12);
    assert_near(r.u_limit_volcano_v, 0.52, 1e-12);
    /* explicit ΔG_OOH overrides the scaling; the ideal catalyst has U_L = 1.23 V */
    assert_int_equal(as_echem_orr(1.23, 2.46, 3.69, NULL, &r), AS_OK);
    assert_near(r.u_limit_v, 1.23, 1e-12);
    assert_near(r.overpotential_v, 0, 1e-12);
    assert_int_equal(as_echem_orr(NAN, 1, NAN, NULL, &r), AS_EINVAL);
}

/* The choices the CLI used to make itself: a 5 mm disk is the 0.196 cm^2 of seed 000
 * (pi 0.25^2 = 0.19634954...), NH3 is the 8-electron product, nitrite the 2-electron one. */
static void names_and_disk_area_should_give_the_papers_values(void **state)
{
    (void)state;
    assert_true(fabs(as_echem_disk_area_cm2(5.0) - 0.19634954084936207) <= 1e-16);
    double n = 0, m = 0;
    assert_int_equal(as_echem_species_parse("nh3", &n, &m), AS_OK);
    assert_true(n == 8 && m == 17.031);
    assert_int_equal(as_echem_species_parse("no2", &n, &m), AS_OK);
    assert_true(n == 2 && m == 46.005);
    assert_int_equal(as_echem_species_parse("NH3", &n, &m), AS_EINVAL);
    assert_int_equal(as_echem_species_parse(NULL, NULL, NULL), AS_EINVAL);
    as_adsorbate a = AS_ADS_O;
    assert_int_equal(as_echem_adsorbate_parse("ooh", &a), AS_OK);
    assert_int_equal(a, AS_ADS_OOH);
    assert_int_equal(as_echem_adsorbate_parse("oh", &a), AS_OK);
    assert_int_equal(a, AS_ADS_OH);
    assert_int_equal(as_echem_adsorbate_parse("h", &a), AS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loading_should_reproduce_the_paper_0_0765_mg_per_cm2),
        cmocka_unit_test(faradaic_efficiency_should_match_the_numpy_reference),
        cmocka_unit_test(yield_should_divide_the_amount_by_time_mass_and_area),
        cmocka_unit_test(rhe_conversion_should_follow_the_papers_formula),
        cmocka_unit_test(calibration_should_match_scipy_linregress_for_indophenol_blue),
        cmocka_unit_test(calibration_should_match_scipy_linregress_for_griess),
        cmocka_unit_test(calibration_should_use_blank_sd_and_reject_degenerate_input),
        cmocka_unit_test(cdl_should_be_half_the_slope_of_delta_j_against_scan_rate),
        cmocka_unit_test(scherrer_should_match_the_closed_form_with_both_broadening_corrections),
        cmocka_unit_test(adsorption_energies_should_follow_seed_004_equations),
        cmocka_unit_test(orr_limiting_potential_should_be_the_smallest_step_and_peak_at_0_86_ev),
        cmocka_unit_test(names_and_disk_area_should_give_the_papers_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
