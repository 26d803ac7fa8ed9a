#define _GNU_SOURCE /* memmem */
/* Tests of the figure builders and a full report with every figure type (the "gallery").
 * The gallery goes to $AS_REPORT_GALLERY_DIR, or <build>/report-gallery; test_browser.sh runs
 * this program with that variable set and opens the page in headless Chromium.
 *
 * Data are synthetic, made with the library's seeded generator: ROC curves from two normal score
 * distributions, energies spread around the paper's values (PtCo E_ordering 0.054 eV/atom). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloyscout/report.h"
#include "report/report_int.h"

static const char *gallery_dir(void)
{
    const char *d = getenv("AS_REPORT_GALLERY_DIR");
    return d && *d ? d : AS_BUILD_DIR "/report-gallery";
}

static char *path_of(const char *base, const char *ext)
{
    char *p = as_path_join(gallery_dir(), base, ext);
    assert_non_null(p);
    return p;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* The PNG decodes to w x h and is not blank; the SVG holds every given text. */
static void check_figure(const char *base, int w, int h, const char *const *texts, size_t nt)
{
    char *png = path_of(base, ".png"), *svg = path_of(base, ".svg");
    cairo_surface_t *s = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(s), w);
    assert_int_equal(cairo_image_surface_get_height(s), h);
    /* not blank: many pixels differ from the white background */
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    size_t nonwhite = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            nonwhite += (*(const uint32_t *)(d + (size_t)y * (size_t)stride + 4 * (size_t)x) &
                         0xffffffu) != 0xffffffu;
    assert_true(nonwhite > (size_t)w * (size_t)h / 50);
    cairo_surface_destroy(s);
    char *text = slurp(svg);
    assert_non_null(text);
    for (size_t i = 0; i < nt; i++) {
        if (!strstr(text, texts[i]))
            fail_msg("%s.svg lacks '%s'", base, texts[i]);
    }
    free(text);
    as_free(png);
    as_free(svg);
}

/* ROC curve of scores (positives ~ N(sep, 1), negatives ~ N(0, 1)): thresholds at every score,
 * AUC by the trapezoid rule. fpr, tpr hold n + 1 points. */
static double make_roc(as_rng *rng, double sep, size_t n, double *fpr, double *tpr)
{
    double *sc = malloc(n * sizeof *sc);
    int *lab = malloc(n * sizeof *lab);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        lab[i] = i % 3 == 0;
        np += (size_t)lab[i];
        sc[i] = as_rng_normal(rng) + (lab[i] ? sep : 0);
    }
    /* sort by descending score (insertion sort; n is small) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && sc[j] > sc[j - 1]; j--) {
            double t = sc[j];
            sc[j] = sc[j - 1];
            sc[j - 1] = t;
            int l = lab[j];
            lab[j] = lab[j - 1];
            lab[j - 1] = l;
        }
    size_t tp = 0, fp = 0, nn = n - np;
    double auc = 0;
    fpr[0] = tpr[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (lab[i])
            tp++;
        else
            fp++;
        fpr[i + 1] = (double)fp / (double)nn;
        tpr[i + 1] = (double)tp / (double)np;
        auc += (fpr[i + 1] - fpr[i]) * (tpr[i + 1] + tpr[i]) / 2;
    }
    free(sc);
    free(lab);
    return auc;
}

static int setup(void **state)
{
    (void)state;
    return as_mkdir_p(gallery_dir()) == AS_OK ? 0 : -1;
}

/* ---------------------------------- builders ---------------------------------- */

static void roc_figure_should_show_each_fold_and_the_pooled_auc(void **state)
{
    (void)state;
    as_rng rng;
    as_rng_seed(&rng, 2385);
    double fpr[6][41], tpr[6][41];
    as_fig_roc_curve folds[5], pooled;
    for (int f = 0; f < 5; f++) {
        folds[f].fpr = fpr[f];
        folds[f].tpr = tpr[f];
        folds[f].n = 41;
        folds[f].auc = make_roc(&rng, 2.0 + 0.2 * f, 40, fpr[f], tpr[f]);
    }
    pooled.fpr = fpr[5];
    pooled.tpr = tpr[5];
    pooled.n = 41;
    pooled.auc = make_roc(&rng, 2.5, 40, fpr[5], tpr[5]);
    assert_int_equal(
        as_fig_roc(gallery_dir(), "roc", "ROC, stratified 5-fold CV", folds, 5, &pooled), AS_OK);
    char pooled_label[64];
    snprintf(pooled_label, sizeof pooled_label, "pooled (AUC %.3f)", pooled.auc);
    const char *texts[] = {"False positive rate (fraction)",
                           "True positive rate (fraction)",
                           "fold 1 (AUC",
                           "fold 5 (AUC",
                           pooled_label,
                           "chance (AUC 0.5)"};
    check_figure("roc", 800, 600, texts, 6);
}

static void recommend_map_should_colour_probabilities_on_a_fixed_zero_to_one_scale(void **state)
{
    (void)state;
    double xs[21], ys[15], z[15 * 21];
    for (int i = 0; i < 21; i++)
        xs[i] = 600 + 20 * i;
    for (int j = 0; j < 15; j++)
        ys[j] = 1 + 3.5 * j;
    for (int j = 0; j < 15; j++)
        for (int i = 0; i < 21; i++)
            z[j * 21 + i] = 1 / (1 + exp(-((xs[i] - 800) / 60 + (ys[j] - 20) / 12)));
    assert_int_equal(as_fig_recommend_map(gallery_dir(), "recommend", "CuCo: predicted success",
                                          "Carbonization temperature (K)", xs, 21,
                                          "Cooling rate (K/min)", ys, 15, z),
                     AS_OK);
    const char *texts[] = {"Carbonization temperature (K)", "Cooling rate (K/min)",
                           "Predicted success probability (fraction)", "best: 1000, 50"};
    check_figure("recommend", 800, 600, texts, 4);
}

static void ordering_histograms_should_give_the_mean_difference_in_the_title(void **state)
{
    (void)state;
    as_rng rng;
    as_rng_seed(&rng, 4);
    double eo[300], er[300];
    for (int i = 0; i < 300; i++) {
        eo[i] = -0.050 + 0.004 * as_rng_normal(&rng);
        er[i] = 0.004 + 0.006 * as_rng_normal(&rng);
    }
    /* exact means: shift so that <er> - <eo> = 0.054 */
    double mo = 0, mr = 0;
    for (int i = 0; i < 300; i++) {
        mo += eo[i] / 300;
        mr += er[i] / 300;
    }
    for (int i = 0; i < 300; i++)
        er[i] += 0.054 - (mr - mo);
    assert_int_equal(as_fig_ordering_hist(gallery_dir(), "hist_ptco", "PtCo", eo, 300, er, 300, 0),
                     AS_OK);
    assert_int_equal(
        as_fig_ordering_hist(gallery_dir(), "hist_pt2cocu", "Pt2CoCu", eo, 300, er, 300, 25),
        AS_OK);
    const char *texts[] = {"PtCo: Eordering = 0.054 eV/atom", "Predicted relative energy (eV/atom)",
                           "Configurations (count)", "ordered (α = −1/3), n = 300",
                           "random (α = 0), n = 300"};
    check_figure("hist_ptco", 800, 600, texts, 5);
    const char *texts2[] = {"Pt2CoCu: Eordering"};
    check_figure("hist_pt2cocu", 800, 600, texts2, 1);
}

static void energy_vs_sro_should_colour_by_the_co_m_order(void **state)
{
    (void)state;
    as_rng rng;
    as_rng_seed(&rng, 5);
    static const double levels[7] = {-2.0 / 6, -1.0 / 6, 0, 1.0 / 6, 2.0 / 6, 3.0 / 6, 4.0 / 6};
    double a[140], c[140], e[140], oa[22], oc[22], oe[22];
    for (int i = 0; i < 140; i++) {
        a[i] = levels[i % 7] + 0.01 * as_rng_normal(&rng);
        c[i] = -0.4 + 0.8 * as_rng_uniform(&rng);
        e[i] = 0.16 * a[i] + 0.02 * c[i] + 0.003 * as_rng_normal(&rng);
    }
    for (int i = 0; i < 22; i++) {
        oa[i] = levels[i % 7];
        oc[i] = -0.4 + 0.8 * as_rng_uniform(&rng);
        oe[i] = 0.16 * oa[i] + 0.02 * oc[i] + 0.005 * as_rng_normal(&rng);
    }
    assert_int_equal(
        as_fig_energy_vs_sro(gallery_dir(), "sro_pt2cocu", "Cu", a, c, e, 140, oa, oc, oe, 22),
        AS_OK);
    const char *texts[] = {"Warren–Cowley αPt-(Co/Cu) (unitless)", "Relative energy (eV/atom)",
                           "αCo-Cu (unitless)", "model prediction", "oracle-labelled"};
    check_figure("sro_pt2cocu", 800, 600, texts, 5);
    assert_int_equal(
        as_fig_energy_vs_sro(gallery_dir(), "sro_ptco", NULL, a, NULL, e, 140, NULL, NULL, NULL, 0),
        AS_OK);
    const char *texts2[] = {"αPt-Co (unitless)"};
    check_figure("sro_ptco", 800, 600, texts2, 1);
}

static void ordering_bars_should_draw_the_ptco_reference(void **state)
{
    (void)state;
    const char *names[6] = {"Pt2CoFe", "Pt2CoTi", "Pt2CoGa", "Pt2CoMn", "Pt2CoCu", "Pt2CoNi"};
    double e[6] = {0.041, 0.012, 0.033, 0.047, 0.050, 0.061};
    double err[6] = {0.004, 0.006, 0.003, 0.005, 0.004, 0.003};
    assert_int_equal(as_fig_ordering_bars(gallery_dir(), "ordering", names, e, err, 6, 0.054),
                     AS_OK);
    const char *texts[] = {"Eordering (eV/atom)", "PtCo reference (0.054 eV/atom)",
                           "Candidate alloy"};
    check_figure("ordering", 800, 600, texts, 3);
}

static void learning_curve_should_stack_mae_and_r2_panels(void **state)
{
    (void)state;
    double ma[8], ra[8], mr[8], rr[8];
    for (int i = 0; i < 8; i++) {
        ma[i] = 0.030 * exp(-0.45 * i) + 0.004;
        mr[i] = 0.030 * exp(-0.25 * i) + 0.006;
        ra[i] = 1 - 0.5 * exp(-0.6 * i);
        rr[i] = 1 - 0.5 * exp(-0.35 * i);
    }
    assert_int_equal(
        as_fig_learning_curve(gallery_dir(), "learning", "Pt2CoCu", NULL, ma, ra, mr, rr, 8, 10.0),
        AS_OK);
    const char *texts[] = {
        "MAE (meV/atom)",          "R2 (unitless)",    "Active-learning round (index)",
        "active learning (max σ)", "random selection", "target 10 meV/atom"};
    check_figure("learning", 800, 960, texts, 6);
}

static void parity_title_should_give_mae_and_r2_of_the_points(void **state)
{
    (void)state;
    /* closed form: oracle 0, 0.01, 0.02, 0.03 eV/atom, predictions off by +-0.001 */
    double o[4] = {0, 0.01, 0.02, 0.03}, p[4] = {0.001, 0.009, 0.021, 0.029};
    double sg[4] = {0.001, 0.002, 0.0015, 0.003};
    assert_int_equal(as_fig_parity(gallery_dir(), "parity_small", "Pt2CoCu", o, p, sg, 4), AS_OK);
    /* MAE = 1 meV/atom; SS_res = 4e-6; SS_tot = 5e-4; R² = 0.992 */
    const char *texts[] = {"Pt2CoCu: parity, MAE 1.00 meV/atom, R2 0.992",
                           "Oracle energy (eV/atom)", "Predicted energy (eV/atom)",
                           "Predicted σ (meV/atom)", "y = x"};
    check_figure("parity_small", 800, 600, texts, 5);
    as_rng rng;
    as_rng_seed(&rng, 6);
    double oo[120], pp[120], ss[120];
    for (int i = 0; i < 120; i++) {
        oo[i] = -0.06 + 0.12 * as_rng_uniform(&rng);
        ss[i] = 0.002 + 0.006 * as_rng_uniform(&rng);
        pp[i] = oo[i] + ss[i] * as_rng_normal(&rng);
    }
    assert_int_equal(as_fig_parity(gallery_dir(), "parity", "Pt2CoCu", oo, pp, ss, 120), AS_OK);
}

static void builders_should_reject_missing_data(void **state)
{
    (void)state;
    assert_int_equal(as_fig_roc(gallery_dir(), "x", NULL, NULL, 0, NULL), AS_EINVAL);
    assert_int_equal(as_fig_ordering_hist(gallery_dir(), "x", "PtCo", NULL, 3, NULL, 0, 0),
                     AS_EINVAL);
    assert_int_equal(
        as_fig_energy_vs_sro(gallery_dir(), "x", "Cu", NULL, NULL, NULL, 3, NULL, NULL, NULL, 0),
        AS_EINVAL);
    assert_int_equal(as_fig_ordering_bars(gallery_dir(), "x", NULL, NULL, NULL, 0, 0.054),
                     AS_EINVAL);
    assert_int_equal(
        as_fig_learning_curve(gallery_dir(), "x", NULL, NULL, NULL, NULL, NULL, NULL, 3, 10),
        AS_EINVAL);
    assert_int_equal(as_fig_parity(gallery_dir(), "x", NULL, NULL, NULL, NULL, 3), AS_EINVAL);
    double xs[2] = {1, 0}, ys[1] = {0}, z[2] = {0.1, 0.2};
    assert_int_equal(
        as_fig_recommend_map(gallery_dir(), "x", NULL, "a (K)", xs, 2, "b (K)", ys, 1, z),
        AS_EINVAL);
}

/* ---------------------------------- the full page ---------------------------------- */

/* ------------------------- figures for a paper (issue 16, item 7) ------------------------- */

/* The SVG draws `text` as one <tspan> of a real <text> element (selectable, editable). */
static int svg_has_tspan(const char *base, const char *text)
{
    char *svg = path_of(base, ".svg");
    char *s = slurp(svg);
    assert_non_null(s);
    char want[256];
    snprintf(want, sizeof want, ">%s</tspan>", text);
    int found = strstr(s, want) != NULL && strstr(s, "<text") != NULL;
    free(s);
    as_free(svg);
    return found;
}

static int svg_contains(const char *base, const char *text)
{
    char *svg = path_of(base, ".svg");
    char *s = slurp(svg);
    assert_non_null(s);
    int found = strstr(s, text) != NULL;
    free(s);
    as_free(svg);
    return found;
}

static void recommend_map_should_show_the_category_values_as_tick_labels(void **state)
{
    (void)state;
    const char *xn[3] = {"CAST", "WROUGHT", "ANNEAL"};
    const char *yn[3] = {"CoCrFeNi", "Al_{0.5}CoCrFeNi", "Al_{1}CoCrFeNi"};
    double pos[3] = {0, 1, 2}, z[9];
    for (int k = 0; k < 9; k++)
        z[k] = 0.1 + 0.08 * k;
    assert_int_equal(as_fig_recommend_map_named(gallery_dir(), "recommend_named",
                                                "Predicted success", "processing", pos, xn, 3,
                                                "formula", pos, yn, 3, z),
                     AS_OK);
    const char *texts[] = {"processing", "formula", "best: ANNEAL, Al1CoCrFeNi (p = 0.740)"};
    check_figure("recommend_named", 800, 600, texts, 3);
    for (int k = 0; k < 3; k++)
        if (!svg_has_tspan("recommend_named", xn[k]))
            fail_msg("recommend_named.svg: no tick label %s", xn[k]);
    assert_true(svg_has_tspan("recommend_named", "CoCrFeNi"));
    assert_true(svg_has_tspan("recommend_named", "0.5")); /* the subscript of Al0.5 */
    /* no numeric ticks at the cell edges, and no "index" wording */
    assert_false(svg_has_tspan("recommend_named", "-0.5"));
    assert_false(svg_has_tspan("recommend_named", "2.5"));
    assert_false(svg_contains("recommend_named", "index"));
}

static void orr_volcano_should_label_every_system_and_refuse_no_finite_point(void **state)
{
    (void)state;
    const char *names[4] = {"Pt(111)", "PtCo", "Pt2CoCu", "Pt2CoSn"};
    double dg[4] = {0.80, 0.55, 1.02, NAN}, ul[4] = {0.80, 0.41, 0.70, NAN};
    /* the two-line volcano in closed form: min(dG_OH, 4 x 1.23 - 3.2 - dG_OH) */
    double cx[3] = {0.0, 0.86, 1.5}, cy[3] = {0.0, 0.86, 0.22};
    as_fig_volcano_curve cv = {cx, cy, 3, 3.2, 1.23};
    assert_int_equal(
        as_fig_orr_volcano(gallery_dir(), "orr_volcano", NULL, names, dg, ul, 4, 0, &cv), AS_OK);
    assert_true(svg_has_tspan("orr_volcano", "Pt(111)"));
    assert_true(svg_has_tspan("orr_volcano", "PtCo"));
    assert_true(svg_has_tspan("orr_volcano", "CoCu"));  /* Pt_{2}CoCu: three runs */
    assert_false(svg_has_tspan("orr_volcano", "CoSn")); /* a non-finite point is left out */
    assert_true(svg_contains("orr_volcano", "Pt(111) reference"));
    assert_true(svg_contains("orr_volcano", "equilibrium 1.23 V"));
    assert_int_equal(
        as_fig_orr_volcano(gallery_dir(), "x", NULL, names + 3, dg + 3, ul + 3, 1, -1, &cv),
        AS_EINVAL);
    assert_int_equal(as_fig_orr_volcano(gallery_dir(), "x", NULL, names, dg, ul, 3, -1, NULL),
                     AS_EINVAL);
    assert_int_equal(as_fig_orr_volcano(gallery_dir(), "x", NULL, NULL, NULL, NULL, 0, -1, &cv),
                     AS_EINVAL);
}

static void ordering_bars_should_mark_flagged_unranked_and_skipped_systems(void **state)
{
    (void)state;
    const char *names[5] = {"Pt2CoCu", "Pt2CoNi", "Pt2CoFe", "Pt2CoPb", "Pt2CoSn"};
    double e[5] = {0.050, 0.061, 0.041, 0.020, NAN};
    double err[5] = {0.004, 0.003, 0.004, 0.006, NAN};
    as_fig_bar_status st[5] = {AS_FIG_RANKED, AS_FIG_FLAGGED, AS_FIG_RANKED, AS_FIG_NOT_RANKED,
                               AS_FIG_SKIPPED};
    assert_int_equal(as_fig_ordering_bars_marked(gallery_dir(), "ordering_marked", names, e, err,
                                                 st, 5, 0.054, "PtCo"),
                     AS_OK);
    const char *texts[] = {"Candidate alloy", "flagged (!): ranked, see the notes",
                           "not ranked: see the notes", "skipped: never screened, no bar"};
    check_figure("ordering_marked", 800, 600, texts, 4);
    assert_true(svg_has_tspan("ordering_marked", "CoNi (!)"));
    assert_true(svg_has_tspan("ordering_marked", "CoPb (not ranked)"));
    assert_true(svg_has_tspan("ordering_marked", "CoSn (skipped)"));
    assert_true(svg_has_tspan("ordering_marked", "CoCu"));
}

static void learning_curve_should_end_with_the_final_model(void **state)
{
    (void)state;
    double x[4] = {20, 26, 32, 38}, ma[4] = {0.02, 0.012, 0.008, 0.006};
    double ra[4] = {0.7, 0.85, 0.92, 0.95};
    assert_int_equal(as_fig_learning_curve_final(gallery_dir(), "learning_final", "PtCo", x, ma, ra,
                                                 NULL, NULL, 4, 10.0, 44, 0.0045, 0.97),
                     AS_OK);
    const char *texts[] = {"final model (every label)", "Labelled configurations (count)"};
    check_figure("learning_final", 800, 960, texts, 2);
}

static void figure_text_should_never_show_a_negative_zero(void **state)
{
    (void)state;
    double eo[50], er[50];
    for (int i = 0; i < 50; i++) {
        eo[i] = -0.0001 + 0.000001 * (i % 7); /* mean -0.00008: "%.3f" gives "-0.000" */
        er[i] = 0.0002 - 0.00001 * (i % 5);
    }
    assert_int_equal(as_fig_ordering_hist(gallery_dir(), "negzero", "PtCo", eo, 50, er, 50, 10),
                     AS_OK);
    assert_true(svg_contains("negzero", "mean ordered 0.000 eV/atom"));
    /* no number made of a minus sign and zeros only ("-0", "-0.000"), anywhere in the file */
    char *path = path_of("negzero", ".svg");
    char *t = slurp(path);
    assert_non_null(t);
    for (const char *q = t; (q = strchr(q, '-')); q++) {
        if (q > t && ((q[-1] >= '0' && q[-1] <= '9') || q[-1] == '.' || q[-1] == 'e'))
            continue; /* inside a number or an exponent */
        size_t k = 1;
        while (q[k] == '0' || q[k] == '.')
            k++;
        if (k > 1 && !(q[k] >= '1' && q[k] <= '9'))
            fail_msg("negzero.svg holds a negative zero: '%.12s'", q);
    }
    free(t);
    as_free(path);
}

/* Bytes of a file (n set), NULL when missing. */
static unsigned char *slurp_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long L = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc((size_t)L + 1);
    *n = d ? fread(d, 1, (size_t)L, f) : 0;
    fclose(f);
    return d;
}

static void save_should_write_the_requested_formats_at_the_requested_dpi(void **state)
{
    (void)state;
    as_plot *p;
    assert_int_equal(as_plot_create("Formats", "x (m)", "y (m)", &p), AS_OK);
    double x[3] = {0, 1, 2};
    assert_int_equal(as_plot_line(p, x, x, 3, "line"), AS_OK);
    as_plot_output o;
    assert_int_equal(as_plot_output_parse("PDF,png", 300, &o), AS_OK);
    assert_int_equal(o.formats, AS_PLOT_PDF | AS_PLOT_PNG);
    const as_plot *const one[1] = {p};
    char *svg = path_of("formats", ".svg"), *png = path_of("formats", ".png"),
         *pdf = path_of("formats", ".pdf");
    remove(svg);
    assert_int_equal(as_plot_save_grid_as(one, 1, 1, gallery_dir(), "formats", &o), AS_OK);
    as_plot_free(p);
    /* PNG: 800 x 600 CSS px at 300 dpi = 2500 x 1875 px, pHYs = 300 / 0.0254 px per metre */
    size_t n = 0;
    unsigned char *d = slurp_bytes(png, &n);
    assert_non_null(d);
    assert_true(n > 41 && memcmp(d + 12, "IHDR", 4) == 0 && memcmp(d + 37, "pHYs", 4) == 0);
    uint32_t w = (uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 | d[19];
    uint32_t h = (uint32_t)d[20] << 24 | (uint32_t)d[21] << 16 | (uint32_t)d[22] << 8 | d[23];
    uint32_t ppm = (uint32_t)d[41] << 24 | (uint32_t)d[42] << 16 | (uint32_t)d[43] << 8 | d[44];
    assert_int_equal(w, 2500);
    assert_int_equal(h, 1875);
    assert_int_equal(ppm, 11811); /* round(300 / 0.0254) */
    free(d);
    cairo_surface_t *s = cairo_image_surface_create_from_png(png); /* decodes (CRCs valid) */
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
    /* PDF: a header, an end-of-file marker, 600 x 450 pt */
    d = slurp_bytes(pdf, &n);
    assert_non_null(d);
    assert_true(n > 100 && memcmp(d, "%PDF-", 5) == 0);
    assert_non_null(memmem(d + n - 16, 16, "%%EOF", 5));
    assert_non_null(memmem(d, n, "/MediaBox [ 0 0 600 450 ]", 25));
    free(d);
    FILE *f = fopen(svg, "r");
    assert_null(f); /* not requested */
    as_free(svg);
    as_free(png);
    as_free(pdf);
    assert_int_equal(as_plot_output_parse("png,gif", 96, &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "'gif'"));
    assert_int_equal(as_plot_output_parse("png,png", 96, &o), AS_EINVAL);
    assert_int_equal(as_plot_output_parse("svg", 20, &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "dpi"));
}

static void gallery_report_should_reference_every_figure(void **state)
{
    (void)state;
    as_report *r;
    assert_int_equal(as_report_create(gallery_dir(), "alloyscout report gallery", &r), AS_OK);
    assert_int_equal(as_report_number(r, "Pooled AUC", 0.9712, NULL), AS_OK);
    assert_int_equal(as_report_number(r, "PtCo ordering energy", 0.054, "eV/atom"), AS_OK);
    assert_int_equal(as_report_keyvalue(r, "Seed", "42"), AS_OK);
    assert_int_equal(as_report_warning(r, "Energies come from an EAM potential, not DFT: the "
                                          "rankings need DFT before any synthesis."),
                     AS_OK);
    assert_int_equal(as_report_heading(r, "Workflow A: solid-solution synthesis"), AS_OK);
    assert_int_equal(as_report_paragraph(r, "Stratified 5-fold cross-validation; SMOTE + Tomek "
                                            "links on the training folds only."),
                     AS_OK);
    assert_int_equal(as_report_figure(r, "roc", "ROC curves per fold and pooled (paper fig. 1e)."),
                     AS_OK);
    assert_int_equal(as_report_figure(r, "recommend",
                                      "Predicted success probability over two "
                                      "process parameters."),
                     AS_OK);
    assert_int_equal(as_report_heading(r, "Workflow B: Pt2CoM ordering screen"), AS_OK);
    const char *hdr[4] = {"candidate", "E_ordering (eV/atom)", "± (eV/atom)", "vs PtCo"};
    const char *cells[8] = {"Pt2CoCu", "0.050", "0.004", "below",
                            "Pt2CoNi", "0.061", "0.003", "above"};
    assert_int_equal(as_report_table(r, "Screening table", hdr, 4, cells, 2), AS_OK);
    const char *figs[][2] = {
        {"hist_ptco", "PtCo: predicted energies of ordered and random configurations (fig. 2a)."},
        {"hist_pt2cocu", "Pt2CoCu: the same (fig. 2a)."},
        {"sro_pt2cocu", "Relative energy vs α, coloured by α(Co-Cu) (fig. 2b)."},
        {"sro_ptco", "PtCo: relative energy vs α."},
        {"ordering", "Ordering energy per candidate with the PtCo reference (fig. 2c)."},
        {"learning", "Test MAE and R² per active-learning round."},
        {"parity", "Predicted vs oracle energies."},
        {"recommend_named", "Success probability over category values (processing, formula)."},
        {"ordering_marked", "Ordering energy with flagged, unranked and skipped systems marked."},
        {"learning_final", "Learning curve ending with the final model."},
    };
    for (size_t i = 0; i < sizeof figs / sizeof *figs; i++)
        assert_int_equal(as_report_figure(r, figs[i][0], figs[i][1]), AS_OK);
    /* a plot made here and saved through the report */
    as_plot *p;
    assert_int_equal(
        as_plot_create("Binned counts", "Relative energy (eV/atom)", "Configurations (count)", &p),
        AS_OK);
    double e[4] = {-0.06, -0.04, -0.02, 0}, c1[3] = {4, 9, 3}, c2[3] = {2, 5, 8};
    assert_int_equal(as_plot_hist_counts(p, e, c1, 3, "first"), AS_OK);
    assert_int_equal(as_plot_hist_counts(p, e, c2, 3, "second"), AS_OK);
    assert_int_equal(as_report_plot(r, p, "binned", "Pre-binned histograms."), AS_OK);
    as_plot_free(p);
    assert_int_equal(as_report_input(r, "records", "data/cuco_records.csv"), AS_OK);
    assert_int_equal(as_report_input(r, "seed", "42"), AS_OK);
    char *argv[] = {"alloyscout", "demo", "--report", "out dir", "--note", "a<b & 'c'"};
    assert_int_equal(as_report_command(r, 6, argv), AS_OK);
    assert_int_equal(as_report_finish(r), AS_OK);
    as_report_free(r);
    char *index = path_of("index", ".html");
    char *html = slurp(index);
    assert_non_null(html);
    size_t nimg = 0;
    for (const char *s = html; (s = strstr(s, "<img ")); s++)
        nimg++;
    assert_int_equal(nimg, 13);
    free(html);
    as_free(index);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roc_figure_should_show_each_fold_and_the_pooled_auc),
        cmocka_unit_test(recommend_map_should_colour_probabilities_on_a_fixed_zero_to_one_scale),
        cmocka_unit_test(ordering_histograms_should_give_the_mean_difference_in_the_title),
        cmocka_unit_test(energy_vs_sro_should_colour_by_the_co_m_order),
        cmocka_unit_test(ordering_bars_should_draw_the_ptco_reference),
        cmocka_unit_test(learning_curve_should_stack_mae_and_r2_panels),
        cmocka_unit_test(parity_title_should_give_mae_and_r2_of_the_points),
        cmocka_unit_test(builders_should_reject_missing_data),
        cmocka_unit_test(recommend_map_should_show_the_category_values_as_tick_labels),
        cmocka_unit_test(ordering_bars_should_mark_flagged_unranked_and_skipped_systems),
        cmocka_unit_test(orr_volcano_should_label_every_system_and_refuse_no_finite_point),
        cmocka_unit_test(learning_curve_should_end_with_the_final_model),
        cmocka_unit_test(figure_text_should_never_show_a_negative_zero),
        cmocka_unit_test(save_should_write_the_requested_formats_at_the_requested_dpi),
        cmocka_unit_test(gallery_report_should_reference_every_figure),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
