/* Ready-made figures of the two workflows, built from plain arrays on the plot API.
 *   ROC per fold and pooled ........ paper 000 (solid-solution synthesis), fig. 1e
 *   ordered vs random histograms ... paper 004 (Pt2CoM screening), fig. 2a
 *   energy vs α, coloured by α ..... paper 004, fig. 2b
 *   ordering-energy bars ........... paper 004, fig. 2c (E_ordering = <E_random> - <E_ordered>)
 *   MAE / R² per round, parity ..... paper 004, Supplementary Figs. S2-S5
 *   recommend heat map ............. workflow A, `synth recommend`
 *   ORR volcano .................... paper 004, the ORR criterion (U_L against ΔG_OH)
 * Energies arrive in eV/atom; MAE and σ are drawn in meV/atom. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

/* Unit labels for dimensionless quantities and energies (one place, so every figure agrees). */
#define UNITLESS "(unitless)"
#define EV_ATOM "(eV/atom)"

/* Save and free; the first failure wins. */
static as_status finish(as_plot *p, as_status st, const char *dir, const char *base)
{
    if (st == AS_OK)
        st = as_plot_save(p, dir, base);
    as_plot_free(p);
    return st;
}

static double mean_finite(const double *x, size_t n, size_t *count)
{
    double s = 0;
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            s += x[i];
            c++;
        }
    if (count)
        *count = c;
    return c ? s / (double)c : NAN;
}

/* ------------------------------------ ROC ------------------------------------ */

static void roc_label(char *buf, size_t cap, const char *name, double auc)
{
    if (isfinite(auc))
        snprintf(buf, cap, "%s (AUC %.3f)", name, as_unneg(auc, 3));
    else
        snprintf(buf, cap, "%s", name);
}

as_status as_fig_roc(const char *dir, const char *basename, const char *title,
                     const as_fig_roc_curve *folds, size_t nfolds, const as_fig_roc_curve *pooled)
{
    if ((nfolds > 0 && !folds) || (nfolds == 0 && !pooled))
        return AS_FAIL(AS_EINVAL, "figure %s: ROC needs fold curves or a pooled curve",
                       basename ? basename : "");
    for (size_t f = 0; f < nfolds; f++)
        if (folds[f].n > 0 && (!folds[f].fpr || !folds[f].tpr))
            return AS_FAIL(AS_EINVAL, "figure %s: ROC fold %zu has NULL rates",
                           basename ? basename : "", f + 1);
    as_plot *p = NULL;
    AS_TRY(as_plot_create(title ? title : "ROC curves", "False positive rate (fraction)",
                          "True positive rate (fraction)", &p));
    as_status st = as_plot_set_xrange(p, -0.02, 1.02);
    if (st == AS_OK)
        st = as_plot_set_yrange(p, -0.02, 1.02);
    static const double chance[2] = {0, 1};
    if (st == AS_OK)
        st = as_plot_line(p, chance, chance, 2, "chance (AUC 0.5)");
    if (st == AS_OK) {
        as_plot_style *s = as_plot_last_style(p);
        s->color = AS_PLOT_GREY;
        s->dash = 1;
        s->width_px = 1.2;
        p->next_color = 0;
    }
    char label[96];
    for (size_t f = 0; f < nfolds && st == AS_OK; f++) {
        char name[32];
        snprintf(name, sizeof name, "fold %zu", f + 1);
        roc_label(label, sizeof label, name, folds[f].auc);
        st = as_plot_line(p, folds[f].fpr, folds[f].tpr, folds[f].n, label);
        if (st == AS_OK) {
            as_plot_style *s = as_plot_last_style(p);
            s->width_px = 1.5;
            s->alpha = 0.85;
        }
    }
    if (st == AS_OK && pooled) {
        roc_label(label, sizeof label, nfolds ? "pooled" : "ROC", pooled->auc);
        st = as_plot_line(p, pooled->fpr, pooled->tpr, pooled->n, label);
        if (st == AS_OK) {
            as_plot_style *s = as_plot_last_style(p);
            s->color = AS_PLOT_BLACK;
            s->width_px = 3;
        }
    }
    return finish(p, st, dir, basename);
}

/* ------------------------------------ recommend ------------------------------------ */

as_status as_fig_recommend_map(const char *dir, const char *basename, const char *title,
                               const char *xlabel, const double *xs, size_t nx, const char *ylabel,
                               const double *ys, size_t ny, const double *prob)
{
    return as_fig_recommend_map_named(dir, basename, title, xlabel, xs, NULL, nx, ylabel, ys, NULL,
                                      ny, prob);
}

/* "name" of a category value or the number itself. */
static void cell_name(char *buf, size_t cap, const char *const *names, const double *v, size_t i)
{
    if (names) {
        as_sbuf b = {0};
        as_sbuf_plain(&b, names[i] ? names[i] : "");
        snprintf(buf, cap, "%s", b.s ? b.s : "");
        as_sbuf_free(&b);
    } else {
        snprintf(buf, cap, "%.4g", as_unneg(v[i], 4) + 0.0);
    }
}

as_status as_fig_recommend_map_named(const char *dir, const char *basename, const char *title,
                                     const char *xlabel, const double *xs,
                                     const char *const *xnames, size_t nx, const char *ylabel,
                                     const double *ys, const char *const *ynames, size_t ny,
                                     const double *prob)
{
    as_plot *p = NULL;
    AS_TRY(as_plot_create(title ? title : "Predicted success probability", xlabel, ylabel, &p));
    as_status st =
        as_plot_heatmap(p, xs, nx, ys, ny, prob, "Predicted success probability (fraction)");
    if (st == AS_OK)
        st = as_plot_set_crange(p, 0, 1);
    if (st == AS_OK && xnames)
        st = as_plot_set_xcategories(p, xnames, xs, nx);
    if (st == AS_OK && ynames)
        st = as_plot_set_ycategories(p, ynames, ys, ny);
    if (st == AS_OK) {
        size_t best = (size_t)-1;
        for (size_t k = 0; k < nx * ny; k++)
            if (isfinite(prob[k]) && (best == (size_t)-1 || prob[k] > prob[best]))
                best = k;
        if (best != (size_t)-1) {
            double bx = xs[best % nx], by = ys[best / nx];
            char label[256], xn[96], yn[96];
            cell_name(xn, sizeof xn, xnames, xs, best % nx);
            cell_name(yn, sizeof yn, ynames, ys, best / nx);
            snprintf(label, sizeof label, "best: %s, %s (p = %.3f)", xn, yn, prob[best]);
            st = as_plot_scatter(p, &bx, &by, NULL, 1, label, NULL);
            if (st == AS_OK) {
                as_plot_style *s = as_plot_last_style(p);
                s->marker = AS_MARKER_DIAMOND;
                s->marker_px = 16;
                s->color = 3; /* red: visible on every viridis colour */
            }
        }
    }
    return finish(p, st, dir, basename);
}

/* ------------------------------------ ordering histograms ------------------------------------ */

as_status as_fig_ordering_hist(const char *dir, const char *basename, const char *system,
                               const double *e_ordered, size_t n_ordered, const double *e_random,
                               size_t n_random, size_t bins)
{
    if ((n_ordered && !e_ordered) || (n_random && !e_random) || n_ordered + n_random == 0)
        return AS_FAIL(AS_EINVAL, "figure %s: histograms need ordered and/or random energies",
                       basename ? basename : "");
    if (bins == 0)
        bins = 30;
    size_t co = 0, cr = 0;
    double mo = n_ordered ? mean_finite(e_ordered, n_ordered, &co) : NAN;
    double mr = n_random ? mean_finite(e_random, n_random, &cr) : NAN;
    char *sys = as_formula_markup(system ? system : "");
    if (!sys)
        return AS_FAIL(AS_ENOMEM, "figure %s: cannot copy the system name", basename);
    char title[256];
    if (isfinite(mo) && isfinite(mr))
        snprintf(title, sizeof title, "%s: E_{ordering} = %.3f eV/atom", sys, as_unneg(mr - mo, 3));
    else
        snprintf(title, sizeof title, "%s: predicted energies", sys);
    as_free(sys);
    as_plot *p = NULL;
    AS_TRY(
        as_plot_create(title, "Predicted relative energy " EV_ATOM, "Configurations (count)", &p));
    as_status st = AS_OK;
    char label[128];
    int col_o = 0, col_r = 1;
    if (n_ordered) {
        snprintf(label, sizeof label, "ordered (α = −1/3), n = %zu", co);
        st = as_plot_hist(p, e_ordered, n_ordered, bins, label);
        if (st == AS_OK)
            as_plot_last_style(p)->color = col_o;
    }
    if (st == AS_OK && n_random) {
        snprintf(label, sizeof label, "random (α = 0), n = %zu", cr);
        st = as_plot_hist(p, e_random, n_random, bins, label);
        if (st == AS_OK)
            as_plot_last_style(p)->color = col_r;
    }
    if (st == AS_OK && isfinite(mo)) {
        snprintf(label, sizeof label, "mean ordered %.3f eV/atom", as_unneg(mo, 3));
        st = as_plot_vline(p, mo, label);
        if (st == AS_OK)
            as_plot_last_style(p)->color = col_o;
    }
    if (st == AS_OK && isfinite(mr)) {
        snprintf(label, sizeof label, "mean random %.3f eV/atom", as_unneg(mr, 3));
        st = as_plot_vline(p, mr, label);
        if (st == AS_OK)
            as_plot_last_style(p)->color = col_r;
    }
    return finish(p, st, dir, basename);
}

/* ------------------------------------ energy vs SRO ------------------------------------ */

as_status as_fig_energy_vs_sro(const char *dir, const char *basename, const char *m_element,
                               const double *alpha_ptcom, const double *alpha_com,
                               const double *energy, size_t n, const double *oracle_alpha_ptcom,
                               const double *oracle_alpha_com, const double *oracle_energy,
                               size_t n_oracle)
{
    char system[64];
    if (m_element && *m_element)
        snprintf(system, sizeof system, "Pt_{2}Co%s", m_element);
    else
        snprintf(system, sizeof system, "PtCo");
    return as_fig_energy_vs_sro_named(dir, basename, system, "Pt", "Co", m_element, alpha_ptcom,
                                      alpha_com, energy, n, oracle_alpha_ptcom, oracle_alpha_com,
                                      oracle_energy, n_oracle);
}

as_status as_fig_energy_vs_sro_named(const char *dir, const char *basename, const char *system,
                                     const char *a, const char *b, const char *m_element,
                                     const double *alpha_ptcom, const double *alpha_com,
                                     const double *energy, size_t n,
                                     const double *oracle_alpha_ptcom,
                                     const double *oracle_alpha_com, const double *oracle_energy,
                                     size_t n_oracle)
{
    int ternary = m_element && *m_element;
    if ((n && (!alpha_ptcom || !energy || (ternary && !alpha_com))) ||
        (n_oracle && (!oracle_alpha_ptcom || !oracle_energy || (ternary && !oracle_alpha_com))) ||
        n + n_oracle == 0)
        return AS_FAIL(AS_EINVAL,
                       "figure %s: energy vs SRO needs α and energies (and α^{Co-M} "
                       "for a ternary)",
                       basename ? basename : "");
    char title[128], xlabel[128], clabel[128];
    if (!system || !a || !b)
        return AS_FAIL(AS_EINVAL, "figure %s: energy vs SRO needs the system and host names",
                       basename ? basename : "");
    char *marked = as_formula_markup(system); /* "Pt2CoCu" -> "Pt_{2}CoCu" */
    if (!marked)
        return AS_FAIL(AS_ENOMEM, "figure %s: cannot copy the name", basename ? basename : "");
    snprintf(title, sizeof title, "%s: relative energy vs short-range order", marked);
    as_free(marked);
    if (ternary) {
        snprintf(xlabel, sizeof xlabel, "Warren–Cowley α^{%s-(%s/%s)} " UNITLESS, a, b, m_element);
        snprintf(clabel, sizeof clabel, "α^{%s-%s} " UNITLESS, b, m_element);
    } else {
        snprintf(xlabel, sizeof xlabel, "Warren–Cowley α^{%s-%s} " UNITLESS, a, b);
        clabel[0] = '\0';
    }
    as_plot *p = NULL;
    AS_TRY(as_plot_create(title, xlabel, "Relative energy " EV_ATOM, &p));
    as_status st = AS_OK;
    if (n) {
        st = as_plot_scatter(p, alpha_ptcom, energy, ternary ? alpha_com : NULL, n,
                             "model prediction", clabel);
        if (st == AS_OK) {
            as_plot_style *s = as_plot_last_style(p);
            s->marker_px = 7;
            s->alpha = 0.85;
        }
    }
    if (st == AS_OK && n_oracle) {
        st =
            as_plot_scatter(p, oracle_alpha_ptcom, oracle_energy, ternary ? oracle_alpha_com : NULL,
                            n_oracle, "oracle-labelled", clabel);
        if (st == AS_OK) {
            as_plot_style *s = as_plot_last_style(p);
            s->marker = AS_MARKER_TRIANGLE;
            s->marker_px = 11;
        }
    }
    return finish(p, st, dir, basename);
}

/* ------------------------------------ ordering bars ------------------------------------ */

as_status as_fig_ordering_bars(const char *dir, const char *basename, const char *const *names,
                               const double *e_ordering, const double *errors, size_t n,
                               double ptco_ref)
{
    return as_fig_ordering_bars_marked(dir, basename, names, e_ordering, errors, NULL, n, ptco_ref,
                                       "PtCo");
}

as_status as_fig_ordering_bars_named(const char *dir, const char *basename,
                                     const char *const *names, const double *e_ordering,
                                     const double *errors, size_t n, double ptco_ref,
                                     const char *ref_name)
{
    return as_fig_ordering_bars_marked(dir, basename, names, e_ordering, errors, NULL, n, ptco_ref,
                                       ref_name);
}

/* Bar colour and name note of each status; the legend text of the mark. */
static const struct {
    int color;
    const char *note, *legend;
} bar_mark[4] = {
    {0, "", "ranked"},
    {1, " (!)", "flagged (!): ranked, see the notes"},
    {AS_PLOT_GREY, " (not ranked)", "not ranked: see the notes"},
    {AS_PLOT_GREY, " (skipped)", "skipped: never screened, no bar"},
};

as_status as_fig_ordering_bars_marked(const char *dir, const char *basename,
                                      const char *const *names, const double *e_ordering,
                                      const double *errors, const as_fig_bar_status *status,
                                      size_t n, double ptco_ref, const char *ref_name)
{
    if (n == 0 || !names || !e_ordering)
        return AS_FAIL(AS_EINVAL, "figure %s: ordering bars need n >= 1 names and energies",
                       basename ? basename : "");
    char **marked = as_calloc(n, sizeof *marked);
    if (!marked)
        return AS_FAIL(AS_ENOMEM, "figure %s: cannot copy %zu names", basename, n);
    as_status st = AS_OK;
    as_plot *p = NULL;
    double *vals = as_malloc(n * sizeof *vals);
    int *colors = as_malloc(n * sizeof *colors);
    int used[4] = {0, 0, 0, 0};
    if (!vals || !colors)
        st = AS_FAIL(AS_ENOMEM, "figure %s: cannot copy %zu values", basename, n);
    for (size_t i = 0; i < n && st == AS_OK; i++) {
        unsigned k = status && (unsigned)status[i] < 4 ? (unsigned)status[i] : 0;
        used[k] = 1;
        colors[i] = bar_mark[k].color;
        vals[i] = k == AS_FIG_SKIPPED ? NAN : e_ordering[i];
        char *m = as_formula_markup(names[i] ? names[i] : "");
        size_t L = m ? strlen(m) + strlen(bar_mark[k].note) + 1 : 0;
        if (m && (marked[i] = as_malloc(L)))
            snprintf(marked[i], L, "%s%s", m, bar_mark[k].note);
        as_free(m);
        if (!marked[i])
            st = AS_FAIL(AS_ENOMEM, "figure %s: cannot copy name %zu", basename, i);
    }
    if (st == AS_OK)
        st = as_plot_create("Ordering energy per candidate", "Candidate alloy",
                            "E_{ordering} " EV_ATOM, &p);
    if (st == AS_OK)
        st = as_plot_bars(p, (const char *const *)marked, vals, errors, n);
    if (st == AS_OK && status) {
        st = as_plot_bar_colors(p, colors, n);
        /* a legend of the marks that occur (empty series carry the swatches) */
        for (unsigned k = 0; k < 3 && st == AS_OK && (used[1] || used[2] || used[3]); k++)
            if (used[k]) {
                st = as_plot_scatter(p, NULL, NULL, NULL, 0, bar_mark[k].legend, NULL);
                if (st == AS_OK) {
                    as_plot_style *ms = as_plot_last_style(p);
                    ms->marker = AS_MARKER_SQUARE;
                    ms->marker_px = 12;
                    ms->color = bar_mark[k].color;
                }
            }
        if (st == AS_OK && used[3]) {
            st = as_plot_scatter(p, NULL, NULL, NULL, 0, bar_mark[3].legend, NULL);
            if (st == AS_OK) {
                as_plot_style *ms = as_plot_last_style(p);
                ms->marker = AS_MARKER_SQUARE;
                ms->marker_px = 12;
                ms->color = AS_PLOT_GREY;
                ms->alpha = 0.15;
            }
        }
    }
    if (st == AS_OK && isfinite(ptco_ref)) {
        char label[96];
        snprintf(label, sizeof label, "%.40s reference (%.3f eV/atom)",
                 ref_name ? ref_name : "PtCo", as_unneg(ptco_ref, 3));
        st = as_plot_hline(p, ptco_ref, label);
        if (st == AS_OK) {
            as_plot_style *s = as_plot_last_style(p);
            s->color = 3; /* red, as in the paper */
            s->width_px = 2;
        }
    }
    for (size_t i = 0; i < n; i++)
        as_free(marked[i]);
    as_free(marked);
    as_free(vals);
    as_free(colors);
    if (!p)
        return st;
    return finish(p, st, dir, basename);
}

/* ------------------------------------ learning curve ------------------------------------ */

static as_status curve_pair(as_plot *p, const double *x, const double *active, const double *random,
                            size_t n, double scale)
{
    double *ya = as_malloc(n * sizeof *ya), *yr = as_malloc(n * sizeof *yr);
    as_status st = AS_OK;
    if (!ya || !yr) {
        st = AS_FAIL(AS_ENOMEM, "figure: cannot allocate %zu curve values", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        ya[i] = active[i] * scale;
        yr[i] = random ? random[i] * scale : NAN;
    }
    st = as_plot_line(p, x, ya, n, "active learning (max σ)");
    if (st == AS_OK) {
        as_plot_style *s = as_plot_last_style(p);
        s->marker = AS_MARKER_CIRCLE;
        s->color = 0;
    }
    if (st == AS_OK && random) {
        st = as_plot_line(p, x, yr, n, "random selection");
        if (st == AS_OK) {
            as_plot_style *s = as_plot_last_style(p);
            s->marker = AS_MARKER_SQUARE;
            s->dash = 1;
            s->color = 1;
        }
    }
done:
    as_free(ya);
    as_free(yr);
    return st;
}

as_status as_fig_learning_curve(const char *dir, const char *basename, const char *system,
                                const double *x, const double *mae_active, const double *r2_active,
                                const double *mae_random, const double *r2_random, size_t n,
                                double mae_target_mev)
{
    return as_fig_learning_curve_final(dir, basename, system, x, mae_active, r2_active, mae_random,
                                       r2_random, n, mae_target_mev, NAN, NAN, NAN);
}

/* The final model: a dotted segment from the last round and a large diamond. */
static as_status final_point(as_plot *p, double x0, double y0, double x, double y)
{
    if (!isfinite(x) || !isfinite(y))
        return AS_OK;
    double sx[2] = {x0, x}, sy[2] = {y0, y};
    if (isfinite(x0) && isfinite(y0)) {
        AS_TRY(as_plot_line(p, sx, sy, 2, NULL));
        as_plot_style *s = as_plot_last_style(p);
        s->color = 0;
        s->dash = 2;
    }
    AS_TRY(as_plot_scatter(p, &x, &y, NULL, 1, "final model (every label)", NULL));
    as_plot_style *s = as_plot_last_style(p);
    s->marker = AS_MARKER_DIAMOND;
    s->marker_px = 15;
    s->color = AS_PLOT_BLACK;
    return AS_OK;
}

as_status as_fig_learning_curve_final(const char *dir, const char *basename, const char *system,
                                      const double *x, const double *mae_active,
                                      const double *r2_active, const double *mae_random,
                                      const double *r2_random, size_t n, double mae_target_mev,
                                      double final_x, double final_mae, double final_r2)
{
    if (n == 0 || !mae_active || !r2_active)
        return AS_FAIL(AS_EINVAL, "figure %s: learning curve needs n >= 1 rounds of MAE and R²",
                       basename ? basename : "");
    double *xs = as_malloc(n * sizeof *xs);
    if (!xs)
        return AS_FAIL(AS_ENOMEM, "figure %s: cannot allocate %zu rounds", basename, n);
    for (size_t i = 0; i < n; i++)
        xs[i] = x ? x[i] : (double)i;
    char *sys = as_formula_markup(system ? system : "");
    as_plot *pm = NULL, *pr = NULL;
    as_status st = AS_OK;
    if (!sys) {
        st = AS_FAIL(AS_ENOMEM, "figure %s: cannot copy the system name", basename);
        goto done;
    }
    const char *xlabel = x ? "Labelled configurations (count)" : "Active-learning round (index)";
    char t1[160], t2[160];
    snprintf(t1, sizeof t1, "%s%sTest MAE per round", sys, *sys ? ": " : "");
    snprintf(t2, sizeof t2, "%s%sTest R^{2} per round", sys, *sys ? ": " : "");
    if ((st = as_plot_create(t1, xlabel, "MAE (meV/atom)", &pm)) != AS_OK ||
        (st = as_plot_create(t2, xlabel, "R^{2} " UNITLESS, &pr)) != AS_OK)
        goto done;
    as_plot_set_integer_ticks(pm, 1, 0);
    as_plot_set_integer_ticks(pr, 1, 0);
    /* R² never exceeds 1: the axis ends just above 1 instead of at a padded nice value */
    double rmin = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(r2_active[i]))
            rmin = AS_MIN(rmin, r2_active[i]);
        if (r2_random && isfinite(r2_random[i]))
            rmin = AS_MIN(rmin, r2_random[i]);
    }
    if (isfinite(final_r2) && isfinite(final_x))
        rmin = AS_MIN(rmin, final_r2);
    if (isfinite(rmin) && rmin < 1 &&
        (st = as_plot_set_yrange(pr, rmin - 0.05 * (1 - rmin), 1 + 0.05 * (1 - rmin))) != AS_OK)
        goto done;
    if ((st = as_plot_set_size(pm, 800, 480)) != AS_OK ||
        (st = as_plot_set_size(pr, 800, 480)) != AS_OK ||
        (st = curve_pair(pm, xs, mae_active, mae_random, n, 1000.0)) != AS_OK ||
        (st = curve_pair(pr, xs, r2_active, r2_random, n, 1.0)) != AS_OK)
        goto done;
    if (!x)
        final_x = isfinite(final_x) ? final_x : (double)n;
    if ((st = final_point(pm, xs[n - 1], mae_active[n - 1] * 1000, final_x, final_mae * 1000)) !=
            AS_OK ||
        (st = final_point(pr, xs[n - 1], r2_active[n - 1], final_x, final_r2)) != AS_OK)
        goto done;
    if (mae_target_mev > 0 && isfinite(mae_target_mev)) {
        char label[96];
        snprintf(label, sizeof label, "target %.3g meV/atom", mae_target_mev + 0.0);
        if ((st = as_plot_hline(pm, mae_target_mev, label)) != AS_OK)
            goto done;
        as_plot_last_style(pm)->color = 3;
    }
    const as_plot *const panels[2] = {pm, pr};
    st = as_plot_save_grid(panels, 2, 1, dir, basename);
done:
    as_plot_free(pm);
    as_plot_free(pr);
    as_free(sys);
    as_free(xs);
    return st;
}

/* ------------------------------------ parity ------------------------------------ */

as_status as_fig_parity(const char *dir, const char *basename, const char *system,
                        const double *e_oracle, const double *e_pred, const double *sigma, size_t n)
{
    if (n == 0 || !e_oracle || !e_pred)
        return AS_FAIL(AS_EINVAL,
                       "figure %s: parity plot needs n >= 1 oracle and predicted "
                       "energies",
                       basename ? basename : "");
    /* MAE and R² = 1 - SS_res / SS_tot (scikit-learn's r2_score) over the finite pairs */
    size_t c = 0;
    double mo = 0, mae = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(e_oracle[i]) && isfinite(e_pred[i])) {
            mo += e_oracle[i];
            mae += fabs(e_pred[i] - e_oracle[i]);
            c++;
        }
    double ss_res = 0, ss_tot = 0;
    if (c) {
        mo /= (double)c;
        mae /= (double)c;
        for (size_t i = 0; i < n; i++)
            if (isfinite(e_oracle[i]) && isfinite(e_pred[i])) {
                ss_res += (e_pred[i] - e_oracle[i]) * (e_pred[i] - e_oracle[i]);
                ss_tot += (e_oracle[i] - mo) * (e_oracle[i] - mo);
            }
    }
    char *sys = as_formula_markup(system ? system : "");
    if (!sys)
        return AS_FAIL(AS_ENOMEM, "figure %s: cannot copy the system name", basename);
    char title[200];
    int k = snprintf(title, sizeof title, "%s%sparity", sys, *sys ? ": " : "");
    if (c && k > 0 && (size_t)k < sizeof title) {
        k += snprintf(title + k, sizeof title - (size_t)k, ", MAE %.2f meV/atom",
                      as_unneg(mae * 1000, 2));
        if (ss_tot > 0 && (size_t)k < sizeof title)
            snprintf(title + k, sizeof title - (size_t)k, ", R^{2} %.3f",
                     as_unneg(1 - ss_res / ss_tot, 3));
    }
    as_free(sys);
    as_plot *p = NULL;
    AS_TRY(as_plot_create(title, "Oracle energy " EV_ATOM, "Predicted energy " EV_ATOM, &p));
    as_status st = AS_OK;
    double *smev = NULL;
    if (sigma) {
        smev = as_malloc(n * sizeof *smev);
        if (!smev)
            st = AS_FAIL(AS_ENOMEM, "figure %s: cannot allocate %zu σ values", basename, n);
        else
            for (size_t i = 0; i < n; i++)
                smev[i] = sigma[i] * 1000;
    }
    if (st == AS_OK)
        st = as_plot_diagonal(p);
    if (st == AS_OK)
        st = as_plot_scatter(p, e_oracle, e_pred, smev, n, "test configurations",
                             "Predicted σ (meV/atom)");
    as_free(smev);
    return finish(p, st, dir, basename);
}

as_status as_fig_orr_volcano(const char *dir, const char *basename, const char *title,
                             const char *const *names, const double *dg_oh_ev,
                             const double *u_limit_v, size_t n, long ref,
                             const as_fig_volcano_curve *cv)
{
    size_t good = 0;
    for (size_t i = 0; names && dg_oh_ev && u_limit_v && i < n; i++)
        good += isfinite(dg_oh_ev[i]) && isfinite(u_limit_v[i]);
    if (!good || !cv || cv->n < 2 || !cv->dg_oh_ev || !cv->u_limit_v)
        return AS_FAIL(AS_EINVAL,
                       "figure %s: the volcano needs its curve and at least one finite system",
                       basename ? basename : "");
    as_plot *p = NULL;
    char curve[96], eq[64];
    snprintf(curve, sizeof curve, "scaling volcano (ΔG_{OOH} = ΔG_{OH} + %.2f eV)",
             cv->ooh_oh_offset_ev);
    snprintf(eq, sizeof eq, "equilibrium %.2f V", cv->e_eq_v);
    AS_TRY(as_plot_create(title ? title : "4e^{−} ORR volcano", "ΔG_{OH} (eV)",
                          "limiting potential U_{L} (V)", &p));
    as_status st = as_plot_line(p, cv->dg_oh_ev, cv->u_limit_v, cv->n, curve);
    if (st == AS_OK) {
        as_plot_last_style(p)->color = AS_PLOT_GREY;
        st = as_plot_hline(p, cv->e_eq_v, eq);
    }
    double *px = as_malloc(3 * (n + 1) * sizeof *px);
    char **lab = as_calloc(n + 1, sizeof *lab);
    if (st == AS_OK && (!px || !lab))
        st = AS_FAIL(AS_ENOMEM, "figure %s: cannot allocate %zu points", basename, n);
    if (st == AS_OK) {
        double *py = px + n + 1, *qx = px + 2 * (n + 1);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(dg_oh_ev[i]) && isfinite(u_limit_v[i]) && (long)i != ref) {
                px[m] = dg_oh_ev[i];
                py[m++] = u_limit_v[i];
            }
        if (m) {
            st = as_plot_scatter(p, px, py, NULL, m, "systems (U_{L} over the four steps)", NULL);
            if (st == AS_OK)
                as_plot_last_style(p)->marker_px = 9;
        }
        if (st == AS_OK && ref >= 0 && (size_t)ref < n && isfinite(dg_oh_ev[ref]) &&
            isfinite(u_limit_v[ref])) {
            qx[0] = u_limit_v[ref];
            st = as_plot_scatter(p, &dg_oh_ev[ref], qx, NULL, 1, "Pt(111) reference", NULL);
            if (st == AS_OK) {
                as_plot_style *sy = as_plot_last_style(p);
                sy->marker = AS_MARKER_DIAMOND;
                sy->color = AS_PLOT_BLACK;
                sy->marker_px = 11;
            }
        }
        for (size_t i = 0; st == AS_OK && i < n; i++) {
            lab[i] = as_formula_markup(names[i] ? names[i] : "");
            if (!lab[i])
                st = AS_FAIL(AS_ENOMEM, "figure %s: cannot copy a name", basename);
        }
        if (st == AS_OK)
            st = as_plot_text(p, dg_oh_ev, u_limit_v, (const char *const *)lab, n);
    }
    for (size_t i = 0; lab && i < n; i++)
        as_free(lab[i]);
    as_free(lab);
    as_free(px);
    return finish(p, st, dir, basename);
}
