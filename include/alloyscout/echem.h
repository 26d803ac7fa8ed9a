/* alloyscout echem area: the measurement arithmetic of both papers (DESIGN.md, part C).
 * Pure functions of numbers; units are in every argument name and stated again below.
 *
 * Sources: seed 000 sections 2.5-2.7 (working-electrode loading, RHE conversion, indophenol-blue
 * and Griess calibration curves, Faradaic efficiency eq. 1, yields eqs. 2-3, double-layer
 * capacitance from a scan-rate series); seed 004 Methods (adsorption energies of O* and OH*
 * eqs. 1-2 with E(H2O) = -14.22 eV and E(H2) = -6.76 eV, ΔG = ΔE + ΔE_water + ΔZPE - TΔS eq. 3,
 * Debye-Scherrer crystallite size, the ORR volcano). Derivations and conventions:
 * docs/echem.md. */
#ifndef ALLOYSCOUT_ECHEM_H
#define ALLOYSCOUT_ECHEM_H

#include <stddef.h>

#include "alloyscout/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AS_FARADAY 96485.33212 /* C/mol (CODATA 2018, exact) */
#ifndef AS_GAS_CONSTANT
#define AS_GAS_CONSTANT 8.314462618 /* J/(mol K) (CODATA 2018, exact) */
#endif

/* ==== Faradaic efficiency, yield, loading ================================================= */

/* FE = n F c V / Q (seed 000 eq. 1): n electrons per product molecule (8 for NH3 from NO3-,
 * 2 for NO2- from NO3-), c in mol/L, V in L, Q in C (> 0). Result as a fraction (1 = 100 %).
 * AS_EINVAL for n <= 0, c < 0, V <= 0, Q <= 0 or a non-finite value. */
AS_API as_status as_echem_fe(double n_electrons, double conc_mol_l, double volume_l,
                             double charge_c, double *fe);

/* Yield of a product (seed 000 eqs. 2-3): rate = c V / t. */
typedef struct {
    double rate_mg_h;           /* c V / t, mg/h */
    double per_mass_mg_h_mg;    /* rate / catalyst mass, mg h^-1 mg_cat^-1 (NaN without mass) */
    double per_area_mg_h_cm2;   /* rate / electrode area, mg h^-1 cm^-2 (NaN without area) */
    double rate_umol_h;         /* rate / molar mass, µmol/h (NaN without molar mass) */
    double per_area_umol_h_cm2; /* µmol h^-1 cm^-2 (NaN without molar mass or area) */
} as_echem_yield_result;

/* conc_mg_l: product concentration in mg/L (= µg/mL), volume_l in L, time_h in h (> 0).
 * mass_mg (catalyst mass, mg), area_cm2 (electrode area, cm^2) and molar_mass_g_mol may be NAN
 * to skip the outputs that need them. AS_EINVAL for negative or non-finite inputs, t <= 0, or a
 * mass, area or molar mass <= 0. */
AS_API as_status as_echem_yield(double conc_mg_l, double volume_l, double time_h, double mass_mg,
                                double area_cm2, double molar_mass_g_mol,
                                as_echem_yield_result *out);

/* Catalyst on a drop-cast electrode: mass = ink concentration x drop volume, loading = mass /
 * area. ink_mg_ml in mg/mL, drop_ul in µL, area_cm2 in cm^2. Seed 000: 3 mg in 1 mL of ink,
 * 5 µL on 0.196 cm^2 gives 0.015 mg and 0.0765 mg/cm^2. AS_EINVAL for values <= 0. */
AS_API as_status as_echem_loading(double ink_mg_ml, double drop_ul, double area_cm2,
                                  double *mass_mg, double *loading_mg_cm2);

/* Area of a disk electrode of diameter_mm (mm) in cm^2: pi (d / 20)^2 (the radius in cm is
 * d / 20). NaN for a NaN diameter. */
AS_API double as_echem_disk_area_cm2(double diameter_mm);

/* The product of nitrate electroreduction by name: "nh3" (n = 8 electrons, M = 17.031 g/mol) or
 * "no2" (nitrite, n = 2, M = 46.005 g/mol), into *n_electrons and *molar_mass_g_mol (either may
 * be NULL). AS_EINVAL naming the text otherwise. */
#define AS_M_NH3_G_MOL 17.031
#define AS_M_NO2_G_MOL 46.005
AS_API as_status as_echem_species_parse(const char *name, double *n_electrons,
                                        double *molar_mass_g_mol);

/* ==== potentials ========================================================================== */
typedef enum {
    AS_REF_SHE = 0,      /* standard hydrogen electrode: 0 V */
    AS_REF_AGAGCL_SAT,   /* Ag/AgCl, saturated KCl: 0.197 V */
    AS_REF_AGAGCL_3M,    /* Ag/AgCl, 3 M KCl: 0.210 V (seed 000 in situ Raman) */
    AS_REF_SCE,          /* saturated calomel electrode: 0.241 V */
    AS_REF_HGHGO_1M_KOH, /* Hg/HgO, 1 M KOH: 0.098 V (seed 000 prints 0.197 V; see docs) */
    AS_REF_HGHG2SO4_SAT, /* Hg/Hg2SO4, saturated K2SO4: 0.640 V (seed 004 RDE) */
    AS_REF_COUNT
} as_ref_electrode;

/* Potential of reference electrode r against SHE at 25 °C, in V (values and sources in
 * docs/echem.md); NaN for an invalid r. */
AS_API double as_echem_ref_e0(as_ref_electrode r);
/* Short name used on the command line: "she", "agagcl-sat", "agagcl-3m", "sce", "hghgo",
 * "hghg2so4"; NULL for an invalid r. */
AS_API const char *as_echem_ref_name(as_ref_electrode r);
/* Look up a short name. AS_EINVAL listing the accepted names when unknown. */
AS_API as_status as_echem_ref_parse(const char *name, as_ref_electrode *out);
/* Nernst slope R T ln(10) / F in V per pH unit (0.059159 V at 298.15 K). */
AS_API double as_echem_nernst_slope(double temp_k);
/* E_RHE = E_meas + E0_ref + slope pH, all in V. AS_EINVAL for a non-finite input. */
AS_API as_status as_echem_to_rhe(double e_meas_v, double e0_ref_v, double ph, double slope_v_per_ph,
                                 double *e_rhe_v);

/* ==== calibration curves ================================================================== */
/* Least-squares line y = slope x + intercept through (x_i, y_i) (absorbance against
 * concentration: indophenol blue at 655 nm for NH3, Griess at 540 nm for NO2-). */
typedef struct {
    size_t n;
    double slope, intercept;
    double r2;                     /* coefficient of determination */
    double s_yx;                   /* residual standard deviation sqrt(SSE / (n - 2)) */
    double slope_se, intercept_se; /* standard errors (as scipy.stats.linregress) */
    double x_mean, y_mean, sxx;    /* kept for inverse-prediction errors */
    double lod, loq;               /* k_lod sigma / slope and k_loq sigma / slope, in x units */
} as_echem_calib;

typedef struct {
    double k_lod;    /* default 3.3 (ICH Q2(R1): LOD = 3.3 sigma / S) */
    double k_loq;    /* default 10 (ICH Q2(R1): LOQ = 10 sigma / S) */
    double blank_sd; /* sigma from replicate blanks in y units; NAN (default): use s_yx */
} as_echem_calib_options;

AS_API as_echem_calib_options as_echem_calib_options_default(void);
/* Fit x (n), y (n), n >= 3, not all x equal. opt may be NULL. AS_EINVAL for n < 3, equal x,
 * non-finite values, or a zero slope; AS_EINVAL for options out of range. */
AS_API as_status as_echem_calib_fit(const double *x, const double *y, size_t n,
                                    const as_echem_calib_options *opt, as_echem_calib *out);
/* Inverse prediction x0 = (y0 - intercept) / slope for the mean y0 of m >= 1 replicate
 * readings, with its standard error (Miller & Miller, Statistics and Chemometrics for
 * Analytical Chemistry, eq. 5.9): s_x0 = s_yx/|b| sqrt(1/m + 1/n + (y0 - ȳ)^2 / (b^2 Sxx)).
 * x0_se may be NULL. AS_EINVAL for m = 0 or a non-finite y0. */
AS_API as_status as_echem_calib_predict(const as_echem_calib *c, double y0, size_t m, double *x0,
                                        double *x0_se);

/* ==== double-layer capacitance ============================================================ */
typedef struct {
    double cdl_mf_cm2; /* C_dl = slope / 2 of Δj = j_a - j_c against scan rate, mF/cm^2 */
    double r2;         /* of the line */
    double intercept_ma_cm2;
} as_echem_cdl_result;

/* scan_mv_s (n): scan rates in mV/s; dj_ma_cm2 (n): j_anodic - j_cathodic at one potential in
 * the non-Faradaic window, mA/cm^2 (a positive difference). n >= 2 distinct rates.
 * (mA cm^-2)/(mV s^-1) = F cm^-2, so C_dl [mF/cm^2] = 1000 slope / 2. AS_EINVAL otherwise. */
AS_API as_status as_echem_cdl(const double *scan_mv_s, const double *dj_ma_cm2, size_t n,
                              as_echem_cdl_result *out);

/* ==== Scherrer crystallite size =========================================================== */
typedef struct {
    double k;              /* shape factor, default 0.9 */
    double lambda_ang;     /* X-ray wavelength, default 1.5406 Å (Cu Kα1) */
    double instr_fwhm_deg; /* instrumental FWHM b in degrees 2θ, default 0 */
    int lorentzian;        /* 0 (default): Gaussian profiles, β = sqrt(B² - b²); 1: β = B - b */
} as_scherrer_options;

AS_API as_scherrer_options as_scherrer_options_default(void);
/* D = K λ / (β cos θ) with θ = two_theta/2 and β the sample FWHM in radians after removing the
 * instrumental broadening. two_theta_deg in (0, 180), fwhm_deg (measured B) > 0, both in
 * degrees. Result in nm. AS_EINVAL for inputs out of range or B <= b. opt may be NULL. */
AS_API as_status as_echem_scherrer(double two_theta_deg, double fwhm_deg,
                                   const as_scherrer_options *opt, double *size_nm);

/* ==== adsorption free energies and the ORR ================================================ */
typedef enum { AS_ADS_O = 0, AS_ADS_OH, AS_ADS_OOH } as_adsorbate;

/* Adsorption energy from DFT totals against H2O and H2 (seed 004 eqs. 1-2, extended to OOH*):
 *   ΔE_O   = E(O*)   - E(*) - (E_H2O - E_H2)
 *   ΔE_OH  = E(OH*)  - E(*) - (E_H2O - E_H2/2)
 *   ΔE_OOH = E(OOH*) - E(*) - (2 E_H2O - 3 E_H2/2)
 * All in eV. Seed 004's VASP-PBE references (AS_E_H2O_EV, AS_E_H2_EV): E_H2O = -14.22 eV,
 * E_H2 = -6.76 eV. The paper's sentence lists them the other way round ("H2O and H2 are
 * -6.76 eV and -14.22 eV respectively"), which cannot be: H2O holds an H2 and an O, and read
 * that way E_H2O - E_H2 = +7.46 eV would put every ΔE_O about 15 eV too high; an H2 molecule
 * in VASP's PAW-PBE comes to about -6.7 eV (docs/echem.md). */
#define AS_E_H2O_EV (-14.22)
#define AS_E_H2_EV (-6.76)
AS_API as_status as_echem_ads_energy(as_adsorbate ads, double e_ads_ev, double e_slab_ev,
                                     double e_h2o_ev, double e_h2_ev, double *de_ev);
/* "o", "oh" or "ooh" into *out; AS_EINVAL naming the text otherwise. */
AS_API as_status as_echem_adsorbate_parse(const char *name, as_adsorbate *out);
/* ΔG = ΔE + ΔZPE - T ΔS + ΔE_solv, eV (seed 004 eq. 3; seed 000 adds a 0 → 300 K thermal term
 * that can be passed in solv_ev too). temp_k >= 0, ds_ev_k in eV/K. */
AS_API as_status as_echem_dg(double de_ev, double dzpe_ev, double temp_k, double ds_ev_k,
                             double solv_ev, double *dg_ev);

typedef struct {
    double e_eq_v;           /* equilibrium potential of O2 + 4(H+ + e-) -> 2 H2O, default 1.23 V */
    double ooh_oh_offset_ev; /* scaling ΔG_OOH = ΔG_OH + offset, default 3.2 eV (Man et al.,
                              * ChemCatChem 3 (2011) 1159) */
} as_orr_options;

typedef struct {
    double dg_oh_ev, dg_o_ev, dg_ooh_ev; /* inputs (OOH from the scaling when not given) */
    double dg_step_ev[4];        /* free-energy change of the four proton-electron steps at U = 0:
                           * O2 -> OOH*, OOH* -> O*, O* -> OH*, OH* -> H2O */
    double u_limit_v;            /* limiting potential min_i(-ΔG_i)/e */
    double overpotential_v;      /* e_eq - U_L */
    int pds;                     /* 0-based index of the potential-determining step */
    double volcano_top_dg_oh_ev; /* ΔG_OH at the top of the scaling volcano: (4 e_eq - offset)/2 */
    double volcano_offset_ev;    /* ΔG_OH - top: > 0 binds OH too weakly, < 0 too strongly */
    double u_limit_volcano_v;    /* min(4 e_eq - offset - ΔG_OH, ΔG_OH): the 1-D volcano value */
} as_orr_result;

AS_API as_orr_options as_orr_options_default(void);
/* 4-electron associative ORR on the computational hydrogen electrode (Nørskov et al., J. Phys.
 * Chem. B 108 (2004) 17886). dg_ooh_ev may be NAN to use the scaling relation. All in eV.
 * AS_EINVAL for non-finite ΔG_OH or ΔG_O. opt may be NULL. */
AS_API as_status as_echem_orr(double dg_oh_ev, double dg_o_ev, double dg_ooh_ev,
                              const as_orr_options *opt, as_orr_result *out);

/* The scaling volcano as a curve for a figure: n >= 2 values of ΔG_OH evenly spaced over the
 * range of dg_oh_ev (n_pts values; non-finite ones ignored) and the volcano's top, widened by
 * 0.4 eV each side, with the top itself inserted, and U_L = as_echem_orr's u_limit_volcano_v at
 * each. x, y hold n + 1 values; *m receives the count (n or n + 1). opt may be NULL. */
AS_API as_status as_echem_orr_volcano_curve(const double *dg_oh_ev, size_t n_pts,
                                            const as_orr_options *opt, size_t n, double *x,
                                            double *y, size_t *m);

#ifdef __cplusplus
}
#endif
#endif
