/* Measurement arithmetic of seed 000 (sections 2.5-2.7) and seed 004 (Methods); the formulas
 * and their units are listed in include/alloyscout/echem.h and derived in docs/echem.md. */
#include <math.h>
#include <string.h>

#include "alloyscout/echem.h"
#include "core_int.h"

static int fin(double x) { return isfinite(x); }

as_status as_echem_fe(double n_electrons, double conc_mol_l, double volume_l, double charge_c,
                      double *fe)
{
    if (!fe)
        return AS_FAIL(AS_EINVAL, "fe: NULL output");
    *fe = NAN;
    if (!(fin(n_electrons) && n_electrons > 0))
        return AS_FAIL(AS_EINVAL, "fe: electron number %g must be > 0", n_electrons);
    if (!(fin(conc_mol_l) && conc_mol_l >= 0))
        return AS_FAIL(AS_EINVAL, "fe: concentration %g mol/L must be >= 0", conc_mol_l);
    if (!(fin(volume_l) && volume_l > 0))
        return AS_FAIL(AS_EINVAL, "fe: volume %g L must be > 0", volume_l);
    if (!(fin(charge_c) && charge_c > 0))
        return AS_FAIL(AS_EINVAL, "fe: charge %g C must be > 0 (give |Q|)", charge_c);
    double mol = conc_mol_l * volume_l;
    *fe = n_electrons * AS_FARADAY * mol / charge_c;
    return AS_OK;
}

as_status as_echem_yield(double conc_mg_l, double volume_l, double time_h, double mass_mg,
                         double area_cm2, double molar_mass_g_mol, as_echem_yield_result *out)
{
    if (!out)
        return AS_FAIL(AS_EINVAL, "yield: NULL output");
    out->rate_mg_h = out->per_mass_mg_h_mg = out->per_area_mg_h_cm2 = NAN;
    out->rate_umol_h = out->per_area_umol_h_cm2 = NAN;
    if (!(fin(conc_mg_l) && conc_mg_l >= 0))
        return AS_FAIL(AS_EINVAL, "yield: concentration %g mg/L must be >= 0", conc_mg_l);
    if (!(fin(volume_l) && volume_l > 0))
        return AS_FAIL(AS_EINVAL, "yield: volume %g L must be > 0", volume_l);
    if (!(fin(time_h) && time_h > 0))
        return AS_FAIL(AS_EINVAL, "yield: time %g h must be > 0", time_h);
    if (!isnan(mass_mg) && !(fin(mass_mg) && mass_mg > 0))
        return AS_FAIL(AS_EINVAL, "yield: catalyst mass %g mg must be > 0", mass_mg);
    if (!isnan(area_cm2) && !(fin(area_cm2) && area_cm2 > 0))
        return AS_FAIL(AS_EINVAL, "yield: area %g cm^2 must be > 0", area_cm2);
    if (!isnan(molar_mass_g_mol) && !(fin(molar_mass_g_mol) && molar_mass_g_mol > 0))
        return AS_FAIL(AS_EINVAL, "yield: molar mass %g g/mol must be > 0", molar_mass_g_mol);
    double rate = conc_mg_l * volume_l / time_h; /* mg/h */
    out->rate_mg_h = rate;
    out->per_mass_mg_h_mg = rate / mass_mg; /* NaN propagates when absent */
    out->per_area_mg_h_cm2 = rate / area_cm2;
    out->rate_umol_h = rate / molar_mass_g_mol * 1000.0; /* mg/h / (g/mol) = mmol/h */
    out->per_area_umol_h_cm2 = out->rate_umol_h / area_cm2;
    return AS_OK;
}

as_status as_echem_loading(double ink_mg_ml, double drop_ul, double area_cm2, double *mass_mg,
                           double *loading_mg_cm2)
{
    if (!mass_mg || !loading_mg_cm2)
        return AS_FAIL(AS_EINVAL, "loading: NULL output");
    *mass_mg = *loading_mg_cm2 = NAN;
    if (!(fin(ink_mg_ml) && ink_mg_ml > 0))
        return AS_FAIL(AS_EINVAL, "loading: ink concentration %g mg/mL must be > 0", ink_mg_ml);
    if (!(fin(drop_ul) && drop_ul > 0))
        return AS_FAIL(AS_EINVAL, "loading: drop volume %g uL must be > 0", drop_ul);
    if (!(fin(area_cm2) && area_cm2 > 0))
        return AS_FAIL(AS_EINVAL, "loading: area %g cm^2 must be > 0", area_cm2);
    double m = ink_mg_ml * drop_ul / 1000.0; /* mg/mL x mL */
    *mass_mg = m;
    *loading_mg_cm2 = m / area_cm2;
    return AS_OK;
}

/* ---- potentials ---- */
static const struct {
    const char *name;
    double e0;
} refs[AS_REF_COUNT] = {
    {"she", 0.0},   {"agagcl-sat", 0.197}, {"agagcl-3m", 0.210},
    {"sce", 0.241}, {"hghgo", 0.098},      {"hghg2so4", 0.640},
};

double as_echem_ref_e0(as_ref_electrode r) { return (unsigned)r < AS_REF_COUNT ? refs[r].e0 : NAN; }

const char *as_echem_ref_name(as_ref_electrode r)
{
    return (unsigned)r < AS_REF_COUNT ? refs[r].name : NULL;
}

as_status as_echem_ref_parse(const char *name, as_ref_electrode *out)
{
    for (int i = 0; i < AS_REF_COUNT; i++)
        if (name && strcmp(name, refs[i].name) == 0) {
            *out = (as_ref_electrode)i;
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL,
                   "unknown reference electrode '%s' (accepted: she, agagcl-sat, agagcl-3m, sce, "
                   "hghgo, hghg2so4)",
                   name ? name : "");
}

double as_echem_nernst_slope(double temp_k)
{
    return AS_GAS_CONSTANT * temp_k * log(10.0) / AS_FARADAY;
}

as_status as_echem_to_rhe(double e_meas_v, double e0_ref_v, double ph, double slope_v_per_ph,
                          double *e_rhe_v)
{
    if (!e_rhe_v)
        return AS_FAIL(AS_EINVAL, "rhe: NULL output");
    *e_rhe_v = NAN;
    if (!fin(e_meas_v) || !fin(e0_ref_v) || !fin(ph) || !fin(slope_v_per_ph))
        return AS_FAIL(AS_EINVAL, "rhe: non-finite input (E %g V, E0 %g V, pH %g, slope %g)",
                       e_meas_v, e0_ref_v, ph, slope_v_per_ph);
    *e_rhe_v = e_meas_v + e0_ref_v + slope_v_per_ph * ph;
    return AS_OK;
}

/* ---- straight lines ---- */
/* Least squares through centred sums (stable for large offsets). */
static as_status line_fit(const double *x, const double *y, size_t n, const char *what,
                          double *slope, double *icpt, double *r2, double *sse, double *xm,
                          double *ym, double *sxx_out)
{
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fin(x[i]) || !fin(y[i]))
            return AS_FAIL(AS_EINVAL, "%s: point %zu is not finite", what, i + 1);
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (!(sxx > 0))
        return AS_FAIL(AS_EINVAL, "%s: all x values are equal", what);
    double b = sxy / sxx, a = my - b * mx;
    double e = 0;
    for (size_t i = 0; i < n; i++) {
        double r = y[i] - (a + b * x[i]);
        e += r * r;
    }
    *slope = b;
    *icpt = a;
    *r2 = syy > 0 ? 1.0 - e / syy : 1.0;
    *sse = e;
    *xm = mx;
    *ym = my;
    *sxx_out = sxx;
    return AS_OK;
}

as_echem_calib_options as_echem_calib_options_default(void)
{
    as_echem_calib_options o;
    o.k_lod = 3.3;
    o.k_loq = 10.0;
    o.blank_sd = NAN;
    return o;
}

as_status as_echem_calib_fit(const double *x, const double *y, size_t n,
                             const as_echem_calib_options *opt, as_echem_calib *out)
{
    if (!out || !x || !y)
        return AS_FAIL(AS_EINVAL, "calibration: NULL argument");
    memset(out, 0, sizeof *out);
    as_echem_calib_options o = opt ? *opt : as_echem_calib_options_default();
    if (!(o.k_lod > 0) || !(o.k_loq > 0))
        return AS_FAIL(AS_EINVAL, "calibration: LOD/LOQ factors %g, %g must be > 0", o.k_lod,
                       o.k_loq);
    if (!isnan(o.blank_sd) && !(fin(o.blank_sd) && o.blank_sd >= 0))
        return AS_FAIL(AS_EINVAL, "calibration: blank standard deviation %g must be >= 0",
                       o.blank_sd);
    if (n < 3)
        return AS_FAIL(AS_EINVAL, "calibration: need at least 3 standards, got %zu", n);
    double b, a, r2, sse, xm, ym, sxx;
    AS_TRY(line_fit(x, y, n, "calibration", &b, &a, &r2, &sse, &xm, &ym, &sxx));
    if (b == 0)
        return AS_FAIL(AS_EINVAL, "calibration: the slope is zero");
    double s = sqrt(sse / (double)(n - 2));
    double sumx2 = sxx + (double)n * xm * xm;
    out->n = n;
    out->slope = b;
    out->intercept = a;
    out->r2 = r2;
    out->s_yx = s;
    out->slope_se = s / sqrt(sxx);
    out->intercept_se = s * sqrt(sumx2 / ((double)n * sxx));
    out->x_mean = xm;
    out->y_mean = ym;
    out->sxx = sxx;
    double sigma = isnan(o.blank_sd) ? s : o.blank_sd;
    out->lod = o.k_lod * sigma / fabs(b);
    out->loq = o.k_loq * sigma / fabs(b);
    return AS_OK;
}

as_status as_echem_calib_predict(const as_echem_calib *c, double y0, size_t m, double *x0,
                                 double *x0_se)
{
    if (!c || !x0)
        return AS_FAIL(AS_EINVAL, "calibration: NULL argument");
    *x0 = NAN;
    if (x0_se)
        *x0_se = NAN;
    if (m == 0 || !fin(y0) || c->n < 3 || c->slope == 0)
        return AS_FAIL(AS_EINVAL, "calibration: cannot invert reading %g (m = %zu)", y0, m);
    double b = c->slope;
    *x0 = (y0 - c->intercept) / b;
    if (x0_se) {
        double dy = y0 - c->y_mean;
        *x0_se = c->s_yx / fabs(b) *
                 sqrt(1.0 / (double)m + 1.0 / (double)c->n + dy * dy / (b * b * c->sxx));
    }
    return AS_OK;
}

as_status as_echem_cdl(const double *scan_mv_s, const double *dj_ma_cm2, size_t n,
                       as_echem_cdl_result *out)
{
    if (!out || !scan_mv_s || !dj_ma_cm2)
        return AS_FAIL(AS_EINVAL, "cdl: NULL argument");
    out->cdl_mf_cm2 = out->r2 = out->intercept_ma_cm2 = NAN;
    if (n < 2)
        return AS_FAIL(AS_EINVAL, "cdl: need at least 2 scan rates, got %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!(scan_mv_s[i] > 0))
            return AS_FAIL(AS_EINVAL, "cdl: scan rate %g mV/s (point %zu) must be > 0",
                           scan_mv_s[i], i + 1);
    double b, a, r2, sse, xm, ym, sxx;
    AS_TRY(line_fit(scan_mv_s, dj_ma_cm2, n, "cdl", &b, &a, &r2, &sse, &xm, &ym, &sxx));
    /* (mA/cm^2)/(mV/s) = F/cm^2; Δj = 2 C_dl ν */
    out->cdl_mf_cm2 = 1000.0 * b / 2.0;
    out->r2 = r2;
    out->intercept_ma_cm2 = a;
    return AS_OK;
}

as_scherrer_options as_scherrer_options_default(void)
{
    as_scherrer_options o;
    o.k = 0.9;
    o.lambda_ang = 1.5406;
    o.instr_fwhm_deg = 0.0;
    o.lorentzian = 0;
    return o;
}

as_status as_echem_scherrer(double two_theta_deg, double fwhm_deg, const as_scherrer_options *opt,
                            double *size_nm)
{
    if (!size_nm)
        return AS_FAIL(AS_EINVAL, "scherrer: NULL output");
    *size_nm = NAN;
    as_scherrer_options o = opt ? *opt : as_scherrer_options_default();
    if (!(fin(o.k) && o.k > 0) || !(fin(o.lambda_ang) && o.lambda_ang > 0))
        return AS_FAIL(AS_EINVAL, "scherrer: K %g and wavelength %g A must be > 0", o.k,
                       o.lambda_ang);
    if (!(fin(o.instr_fwhm_deg) && o.instr_fwhm_deg >= 0))
        return AS_FAIL(AS_EINVAL, "scherrer: instrumental FWHM %g deg must be >= 0",
                       o.instr_fwhm_deg);
    if (!(two_theta_deg > 0 && two_theta_deg < 180))
        return AS_FAIL(AS_EINVAL, "scherrer: 2theta %g deg must be in (0, 180)", two_theta_deg);
    if (!(fin(fwhm_deg) && fwhm_deg > 0))
        return AS_FAIL(AS_EINVAL, "scherrer: FWHM %g deg must be > 0", fwhm_deg);
    if (!(fwhm_deg > o.instr_fwhm_deg))
        return AS_FAIL(AS_EINVAL,
                       "scherrer: measured FWHM %g deg is not larger than the instrumental %g deg",
                       fwhm_deg, o.instr_fwhm_deg);
    const double rad = 3.14159265358979323846 / 180.0;
    double beta_deg = o.lorentzian
                          ? fwhm_deg - o.instr_fwhm_deg
                          : sqrt(fwhm_deg * fwhm_deg - o.instr_fwhm_deg * o.instr_fwhm_deg);
    double beta = beta_deg * rad;
    double theta = 0.5 * two_theta_deg * rad;
    double d_ang = o.k * o.lambda_ang / (beta * cos(theta));
    *size_nm = d_ang / 10.0;
    return AS_OK;
}

as_status as_echem_ads_energy(as_adsorbate ads, double e_ads_ev, double e_slab_ev, double e_h2o_ev,
                              double e_h2_ev, double *de_ev)
{
    if (!de_ev)
        return AS_FAIL(AS_EINVAL, "adsorption energy: NULL output");
    *de_ev = NAN;
    if (!fin(e_ads_ev) || !fin(e_slab_ev) || !fin(e_h2o_ev) || !fin(e_h2_ev))
        return AS_FAIL(AS_EINVAL, "adsorption energy: non-finite energy");
    double ref;
    switch (ads) {
    case AS_ADS_O: ref = e_h2o_ev - e_h2_ev; break;
    case AS_ADS_OH: ref = e_h2o_ev - 0.5 * e_h2_ev; break;
    case AS_ADS_OOH: ref = 2.0 * e_h2o_ev - 1.5 * e_h2_ev; break;
    default: return AS_FAIL(AS_EINVAL, "adsorption energy: unknown adsorbate %d", (int)ads);
    }
    *de_ev = e_ads_ev - e_slab_ev - ref;
    return AS_OK;
}

as_status as_echem_dg(double de_ev, double dzpe_ev, double temp_k, double ds_ev_k, double solv_ev,
                      double *dg_ev)
{
    if (!dg_ev)
        return AS_FAIL(AS_EINVAL, "dG: NULL output");
    *dg_ev = NAN;
    if (!fin(de_ev) || !fin(dzpe_ev) || !fin(ds_ev_k) || !fin(solv_ev))
        return AS_FAIL(AS_EINVAL, "dG: non-finite input");
    if (!(fin(temp_k) && temp_k >= 0))
        return AS_FAIL(AS_EINVAL, "dG: temperature %g K must be >= 0", temp_k);
    *dg_ev = de_ev + dzpe_ev - temp_k * ds_ev_k + solv_ev;
    return AS_OK;
}

as_orr_options as_orr_options_default(void)
{
    as_orr_options o;
    o.e_eq_v = 1.23;
    o.ooh_oh_offset_ev = 3.2;
    return o;
}

as_status as_echem_orr(double dg_oh_ev, double dg_o_ev, double dg_ooh_ev, const as_orr_options *opt,
                       as_orr_result *out)
{
    if (!out)
        return AS_FAIL(AS_EINVAL, "orr: NULL output");
    memset(out, 0, sizeof *out);
    as_orr_options o = opt ? *opt : as_orr_options_default();
    if (!fin(o.e_eq_v) || !fin(o.ooh_oh_offset_ev))
        return AS_FAIL(AS_EINVAL, "orr: non-finite option");
    if (!fin(dg_oh_ev) || !fin(dg_o_ev) || !(isnan(dg_ooh_ev) || fin(dg_ooh_ev)))
        return AS_FAIL(AS_EINVAL, "orr: non-finite free energy (OH %g, O %g, OOH %g eV)", dg_oh_ev,
                       dg_o_ev, dg_ooh_ev);
    double g_ooh = isnan(dg_ooh_ev) ? dg_oh_ev + o.ooh_oh_offset_ev : dg_ooh_ev;
    double total = 4.0 * o.e_eq_v; /* 4.92 eV for O2 + 4(H+ + e-) -> 2 H2O at U = 0 */
    out->dg_oh_ev = dg_oh_ev;
    out->dg_o_ev = dg_o_ev;
    out->dg_ooh_ev = g_ooh;
    out->dg_step_ev[0] = g_ooh - total;      /* O2 + * -> OOH* */
    out->dg_step_ev[1] = dg_o_ev - g_ooh;    /* OOH* -> O* + H2O */
    out->dg_step_ev[2] = dg_oh_ev - dg_o_ev; /* O* -> OH* */
    out->dg_step_ev[3] = -dg_oh_ev;          /* OH* -> H2O + * */
    int pds = 0;
    double ul = -out->dg_step_ev[0];
    for (int i = 1; i < 4; i++)
        if (-out->dg_step_ev[i] < ul) {
            ul = -out->dg_step_ev[i];
            pds = i;
        }
    out->u_limit_v = ul;
    out->pds = pds;
    out->overpotential_v = o.e_eq_v - ul;
    out->volcano_top_dg_oh_ev = 0.5 * (total - o.ooh_oh_offset_ev);
    out->volcano_offset_ev = dg_oh_ev - out->volcano_top_dg_oh_ev;
    out->u_limit_volcano_v = AS_MIN(total - o.ooh_oh_offset_ev - dg_oh_ev, dg_oh_ev);
    return AS_OK;
}

as_status as_echem_orr_volcano_curve(const double *dg_oh_ev, size_t n_pts,
                                     const as_orr_options *opt, size_t n, double *x, double *y,
                                     size_t *m)
{
    *m = 0;
    if (n < 2 || !x || !y || (n_pts && !dg_oh_ev))
        return AS_FAIL(AS_EINVAL, "orr volcano: the curve needs n >= 2 points and outputs");
    as_orr_result r;
    AS_TRY(as_echem_orr(0.0, 0.0, NAN, opt, &r));
    double top = r.volcano_top_dg_oh_ev, lo = top, hi = top;
    for (size_t i = 0; i < n_pts; i++)
        if (fin(dg_oh_ev[i])) {
            lo = AS_MIN(lo, dg_oh_ev[i]);
            hi = AS_MAX(hi, dg_oh_ev[i]);
        }
    lo -= 0.4;
    hi += 0.4;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double v = lo + (hi - lo) * (double)i / (double)(n - 1);
        if (k && x[k - 1] < top && v > top) /* the kink itself */
            x[k++] = top;
        x[k++] = v;
    }
    for (size_t i = 0; i < k; i++) {
        AS_TRY(as_echem_orr(x[i], x[i], NAN, opt, &r));
        y[i] = r.u_limit_volcano_v;
    }
    *m = k;
    return AS_OK;
}

double as_echem_disk_area_cm2(double diameter_mm)
{
    return 3.14159265358979323846 * pow(diameter_mm / 20.0, 2); /* mm -> cm radius */
}

as_status as_echem_species_parse(const char *name, double *n_electrons, double *molar_mass_g_mol)
{
    double n, m;
    if (name && !strcmp(name, "nh3"))
        n = 8, m = AS_M_NH3_G_MOL;
    else if (name && !strcmp(name, "no2"))
        n = 2, m = AS_M_NO2_G_MOL;
    else
        return AS_FAIL(AS_EINVAL, "species must be nh3 or no2, got '%s'", name ? name : "");
    if (n_electrons)
        *n_electrons = n;
    if (molar_mass_g_mol)
        *molar_mass_g_mol = m;
    return AS_OK;
}

as_status as_echem_adsorbate_parse(const char *name, as_adsorbate *out)
{
    static const char *const names[] = {"o", "oh", "ooh"};
    for (int i = 0; i < 3; i++)
        if (name && !strcmp(name, names[i])) {
            *out = (as_adsorbate)i;
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL, "adsorbate must be o, oh or ooh, got '%s'", name ? name : "");
}
