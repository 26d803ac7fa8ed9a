/* alloyscout report area: figures drawn with cairo (SVG + PNG), ready-made builders for the
 * figures of the two workflows, and one self-contained HTML page that shows them.
 *
 * Figures (docs/report.md): a plot is one set of linear axes with a title, axis labels (give the
 * unit in the label: "Relative energy (eV/atom)"), automatic "nice" tick ranges, a legend when
 * series carry labels, and at most one colour scale (scatter colouring or heat map) with a colour
 * bar. Labels may use a small markup: "^{...}" raises and "_{...}" lowers the enclosed text
 * ("E_{ordering} (eV/atom)", "α^{Pt-(Co/M)}"); text is UTF-8 and drawn in "DejaVu Sans".
 * Non-finite values (NaN, ±inf) are skipped when drawing and when choosing ranges.
 *
 * Saving writes basename.svg and basename.png (the default; any of SVG, PNG and PDF on request,
 * as_plot_output) into a directory, each to a temporary name first and renamed when complete.
 * SVG text is real <text> (selectable and editable in a browser, Inkscape or Illustrator), PDF
 * text is real text too, and the PNG resolution follows the output's dpi. The library only
 * writes files; it never prints. */
#ifndef ALLOYSCOUT_REPORT_H
#define ALLOYSCOUT_REPORT_H

#include "alloyscout/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================= plots ======================================= */

typedef struct as_plot as_plot;

/* Marker shapes for line points and scatter points. */
typedef enum {
    AS_MARKER_NONE = 0,
    AS_MARKER_CIRCLE,
    AS_MARKER_SQUARE,
    AS_MARKER_TRIANGLE,
    AS_MARKER_DIAMOND
} as_plot_marker;

/* Colours: 0..AS_PLOT_NCOLORS-1 index a fixed ten-colour qualitative palette (blue, orange,
 * green, red, purple, brown, pink, grey, olive, cyan); AS_PLOT_BLACK and AS_PLOT_GREY are extra. */
#define AS_PLOT_NCOLORS 10
#define AS_PLOT_BLACK (-1)
#define AS_PLOT_GREY (-2)

/* Style of one series. Each new series gets the next palette colour and the defaults below;
 * change them through as_plot_last_style right after adding the series. */
typedef struct {
    int color;             /* palette index or AS_PLOT_BLACK / AS_PLOT_GREY */
    int dash;              /* 0 solid, 1 dashed, 2 dotted (lines, reference lines, outlines) */
    as_plot_marker marker; /* line: markers at the points (default none); scatter: shape
                              (default circle) */
    double width_px;       /* line width in pixels (default 2; reference lines 1.5) */
    double marker_px;      /* marker diameter in pixels (default 8) */
    double alpha;          /* fill opacity in (0, 1]: histograms 0.5, everything else 1 */
} as_plot_style;

/* Whether this build draws figures: AS_OK with cairo, else AS_EUNSUP with the message
 * "alloyscout was built without cairo: --report is not available". Without cairo,
 * as_plot_save, as_plot_save_grid, the as_fig_* builders and as_report_create fail the same way. */
AS_API as_status as_report_figures_available(void);

/* ---- output: which files a save writes, and the PNG resolution ---- */
#define AS_PLOT_SVG 1u /* basename.svg: CSS-pixel size, text as <text> elements */
#define AS_PLOT_PNG 2u /* basename.png: size x dpi / 96 pixels, dpi recorded in its pHYs chunk */
#define AS_PLOT_PDF 4u /* basename.pdf: vector, size x 0.75 pt (96 px per inch), real text */
typedef struct {
    unsigned formats; /* a non-empty OR of AS_PLOT_SVG, AS_PLOT_PNG, AS_PLOT_PDF */
    int dpi;          /* PNG resolution in [50, 1200]; 96 = one pixel per CSS pixel */
} as_plot_output;
/* SVG + PNG at 96 dpi. */
AS_API as_plot_output as_plot_output_default(void);
/* Parse a comma-separated list of formats ("png,svg,pdf", case-insensitive, each at most once)
 * and a dpi into *out. AS_EINVAL naming the bad item or value. */
AS_API as_status as_plot_output_parse(const char *formats, int dpi, as_plot_output *out);
/* The output used by as_plot_save, as_plot_save_grid, the as_fig_* builders and as_report_figure
 * when no output is given: process-wide, like as_set_log; set it once before drawing (the CLI
 * sets it from --format and --dpi). NULL restores the default. AS_EINVAL for a bad output (the
 * setting is then unchanged). */
AS_API as_status as_plot_set_default_output(const as_plot_output *o);
AS_API as_plot_output as_plot_default_output(void);

/* Create an empty plot, 800 x 600 px. title, xlabel, ylabel may be NULL (nothing drawn) and are
 * copied. AS_ENOMEM. OUT: *out, free with as_plot_free. */
AS_API as_status as_plot_create(const char *title, const char *xlabel, const char *ylabel,
                                as_plot **out);
/* Release a plot; NULL is a no-op. */
AS_API void as_plot_free(as_plot *p);

/* Image size in pixels, each in [200, 4000] (AS_EINVAL otherwise). The SVG has the same size
 * in CSS pixels. */
AS_API as_status as_plot_set_size(as_plot *p, int width_px, int height_px);
/* Fix an axis range (lo < hi, both finite; AS_EINVAL otherwise) instead of the automatic one.
 * Ticks are then placed at nice values inside [lo, hi]. */
AS_API as_status as_plot_set_xrange(as_plot *p, double lo, double hi);
AS_API as_status as_plot_set_yrange(as_plot *p, double lo, double hi);
/* Fix the colour-scale range (lo < hi) instead of the range of the coloured values. */
AS_API as_status as_plot_set_crange(as_plot *p, double lo, double hi);
/* Use whole-number tick steps on the x and/or y axis (counts, rounds). Non-zero = on. */
AS_API void as_plot_set_integer_ticks(as_plot *p, int x_on, int y_on);

/* ---- series: data are copied; label NULL or "" leaves the series out of the legend ----
 * All return AS_OK, AS_EINVAL (NULL data with n > 0, bad counts) or AS_ENOMEM. */

/* Line through (x[i], y[i]), i < n, in the given order; a non-finite point breaks the line. */
AS_API as_status as_plot_line(as_plot *p, const double *x, const double *y, size_t n,
                              const char *label);
/* Points (x[i], y[i]). c: NULL, or n values mapped through the plot's colour scale (a
 * viridis-like map, dark violet = low, yellow = high) with a colour bar titled clabel. */
AS_API as_status as_plot_scatter(as_plot *p, const double *x, const double *y, const double *c,
                                 size_t n, const char *label, const char *clabel);
/* Text labels[i] (copied; markup allowed) next to the points (x[i], y[i]): the SVG's <text> of
 * label i is translated to the point itself, the glyphs drawn up and to the right of it by the
 * plot's marker radius; the points count in the axis ranges. Not in the legend. */
AS_API as_status as_plot_text(as_plot *p, const double *x, const double *y,
                              const char *const *labels, size_t n);
/* Histogram of n raw values in `bins` (>= 1) equal bins. All raw-value histograms in one plot
 * share common bin edges spanning the union of their values, with the largest `bins` given,
 * and are drawn semi-transparent so that overlaps stay visible. The y axis counts values. */
AS_API as_status as_plot_hist(as_plot *p, const double *values, size_t n, size_t bins,
                              const char *label);
/* Histogram already binned: edges (nbins + 1, increasing), counts (nbins). */
AS_API as_status as_plot_hist_counts(as_plot *p, const double *edges, const double *counts,
                                     size_t nbins, const char *label);
/* Bar chart over n categories (one bar series per plot; AS_EINVAL for a second): the x axis
 * becomes categorical with labels[i] under bar i (labels copied; markup allowed). errors: NULL
 * or n half-widths drawn as error bars (non-finite or negative values are skipped). */
AS_API as_status as_plot_bars(as_plot *p, const char *const *labels, const double *values,
                              const double *errors, size_t n);
/* Horizontal (vertical) reference line across the whole plot, dashed by default. */
AS_API as_status as_plot_hline(as_plot *p, double y, const char *label);
AS_API as_status as_plot_vline(as_plot *p, double x, const char *label);
/* Diagonal y = x for parity plots, labelled "y = x"; both axes then share one range. */
AS_API as_status as_plot_diagonal(as_plot *p);
/* Heat map of z (ny, nx) row-major: z[j*nx + i] is the value at (xs[i], ys[j]); xs and ys are
 * cell centres, strictly increasing (AS_EINVAL otherwise). The colour bar is titled clabel.
 * One heat map per plot (AS_EINVAL for a second); non-finite cells are left blank. */
AS_API as_status as_plot_heatmap(as_plot *p, const double *xs, size_t nx, const double *ys,
                                 size_t ny, const double *z, const char *clabel);

/* Categorical axis: ticks at positions pos[i] (NULL: 0, 1, ..., n - 1) labelled labels[i] (n
 * >= 1, copied; markup allowed) instead of numeric ticks, for heat maps over categories. Long
 * x labels are drawn at an angle. A later call replaces an earlier one. AS_EINVAL, AS_ENOMEM. */
AS_API as_status as_plot_set_xcategories(as_plot *p, const char *const *labels, const double *pos,
                                         size_t n);
AS_API as_status as_plot_set_ycategories(as_plot *p, const char *const *labels, const double *pos,
                                         size_t n);
/* Colour of each bar of the plot's bar series (n colours, palette indices or AS_PLOT_BLACK /
 * AS_PLOT_GREY), e.g. to mark flagged or unranked systems. AS_EINVAL when the plot has no bar
 * series or n differs from its count; AS_ENOMEM. */
AS_API as_status as_plot_bar_colors(as_plot *p, const int *colors, size_t n);

/* Style of the most recently added series, to modify in place; NULL when the plot has none.
 * Borrowed; valid until the next series is added or the plot is freed. */
AS_API as_plot_style *as_plot_last_style(as_plot *p);

/* Render to dir/basename.svg and dir/basename.png, or the formats of the default output
 * (as_plot_set_default_output) (dir NULL or "" = current directory; the directory must exist).
 * Each file is written to a temporary name and renamed, so no path ever holds half a file. The
 * SVG draws every label as <text> and carries the titles, axis labels and legend entries in its
 * <title> and <desc> elements too. AS_EINVAL for an empty basename, AS_EIO when a file cannot be
 * written, AS_ENOMEM. */
AS_API as_status as_plot_save(const as_plot *p, const char *dir, const char *basename);
/* Render n plots as panels of one figure, ncols per row (row-major), each panel the size of
 * the largest plot. Same files and status codes as as_plot_save. */
AS_API as_status as_plot_save_grid(const as_plot *const *plots, size_t n, size_t ncols,
                                   const char *dir, const char *basename);
/* as_plot_save_grid with an explicit output (NULL: the default output). */
AS_API as_status as_plot_save_grid_as(const as_plot *const *plots, size_t n, size_t ncols,
                                      const char *dir, const char *basename,
                                      const as_plot_output *o);

/* ======================= figure builders for the two workflows =======================
 * Each writes dir/basename.svg and .png from plain arrays (energies in eV/atom) and returns
 * the status of as_plot_save, or AS_EINVAL for missing data. Chemical names such as "Pt2CoCu"
 * are drawn with subscript digits. */

/* One ROC curve: n points of (false positive rate, true positive rate), and its AUC. */
typedef struct {
    const double *fpr, *tpr;
    size_t n;
    double auc;
} as_fig_roc_curve;

/* ROC curves per fold (thin lines, "fold k (AUC 0.xxx)") and pooled (thick black, "pooled
 * (AUC 0.xxx)") with the chance diagonal (paper 000, fig. 1e). folds may be NULL with
 * nfolds 0; pooled may be NULL. title NULL: "ROC curves". */
AS_API as_status as_fig_roc(const char *dir, const char *basename, const char *title,
                            const as_fig_roc_curve *folds, size_t nfolds,
                            const as_fig_roc_curve *pooled);

/* Predicted success probability over two varied process parameters (recommend): prob (ny, nx)
 * row-major over the grid xs (nx) x ys (ny), colour scale fixed to [0, 1]; the best cell is
 * marked with a white diamond. xlabel/ylabel name the parameters with units. */
AS_API as_status as_fig_recommend_map(const char *dir, const char *basename, const char *title,
                                      const char *xlabel, const double *xs, size_t nx,
                                      const char *ylabel, const double *ys, size_t ny,
                                      const double *prob);
/* The same over category values: xnames (nx) and ynames (ny), either may be NULL for a numeric
 * axis, are drawn as the tick labels at the cells (markup allowed) and name the best cell. */
AS_API as_status as_fig_recommend_map_named(const char *dir, const char *basename,
                                            const char *title, const char *xlabel, const double *xs,
                                            const char *const *xnames, size_t nx,
                                            const char *ylabel, const double *ys,
                                            const char *const *ynames, size_t ny,
                                            const double *prob);

/* Histograms of predicted relative energies of ordered (α = −1/3) and random (α = 0)
 * configurations of one system, on common bins, with their means as vertical lines (paper 004,
 * fig. 2a). bins 0: 30. */
AS_API as_status as_fig_ordering_hist(const char *dir, const char *basename, const char *system,
                                      const double *e_ordered, size_t n_ordered,
                                      const double *e_random, size_t n_random, size_t bins);

/* Relative energy against α^{Pt-(Co/M)}, coloured by α^{Co-M} (paper 004, fig. 2b): n model
 * predictions as circles and n_oracle oracle-labelled configurations as triangles (oracle
 * arrays may be NULL with n_oracle 0). m_element: the third element ("Cu"); NULL for binary
 * PtCo, in which case alpha_com may be NULL and points are not coloured. */
AS_API as_status as_fig_energy_vs_sro(const char *dir, const char *basename, const char *m_element,
                                      const double *alpha_ptcom, const double *alpha_com,
                                      const double *energy, size_t n,
                                      const double *oracle_alpha_ptcom,
                                      const double *oracle_alpha_com, const double *oracle_energy,
                                      size_t n_oracle);
/* The same for any host A, B: system is the title's name (digits after a letter become
 * subscripts: "Cu3Au+Pd" is drawn Cu_{3}Au+Pd), a and b the host elements of the axis labels
 * (α^{A-(B/M)}, α^{B-M}). */
AS_API as_status as_fig_energy_vs_sro_named(const char *dir, const char *basename,
                                            const char *system, const char *a, const char *b,
                                            const char *m_element, const double *alpha_ptcom,
                                            const double *alpha_com, const double *energy, size_t n,
                                            const double *oracle_alpha_ptcom,
                                            const double *oracle_alpha_com,
                                            const double *oracle_energy, size_t n_oracle);

/* Ordering energy of each candidate as bars with error bars (errors may be NULL) and a dashed
 * PtCo reference line at ptco_ref (skipped when not finite) (paper 004, fig. 2c). */
AS_API as_status as_fig_ordering_bars(const char *dir, const char *basename,
                                      const char *const *names, const double *e_ordering,
                                      const double *errors, size_t n, double ptco_ref);
/* The same with the reference line named ref_name ("CuNi reference (...)"). */
AS_API as_status as_fig_ordering_bars_named(const char *dir, const char *basename,
                                            const char *const *names, const double *e_ordering,
                                            const double *errors, size_t n, double ptco_ref,
                                            const char *ref_name);
/* Status of a system in the ordering bars. */
typedef enum {
    AS_FIG_RANKED = 0, /* blue bar */
    AS_FIG_FLAGGED,    /* orange bar, "(!)" after the name: ranked with a note */
    AS_FIG_NOT_RANKED, /* grey bar (no bar when the value is not finite), "(not ranked)" */
    AS_FIG_SKIPPED     /* no bar, "(skipped)": never screened */
} as_fig_bar_status;
/* The ordering bars with every requested system: status (n, NULL = all ranked) marks flagged,
 * unranked and skipped systems by colour and by a note after the name, with a legend of the
 * marks that occur; the reference line is named ref_name (NULL: "PtCo"). */
AS_API as_status as_fig_ordering_bars_marked(const char *dir, const char *basename,
                                             const char *const *names, const double *e_ordering,
                                             const double *errors, const as_fig_bar_status *status,
                                             size_t n, double ptco_ref, const char *ref_name);

/* Test-set MAE and R² per active-learning round, active selection against random selection, as
 * two panels side by side. n rounds; x: NULL (round index 0..n-1) or the number of labelled
 * configurations after each round. MAE in eV/atom, drawn in meV/atom. random arrays may be NULL.
 * mae_target_mev > 0 draws a dashed target line (paper: 10 meV/atom). system may be NULL. */
AS_API as_status as_fig_learning_curve(const char *dir, const char *basename, const char *system,
                                       const double *x, const double *mae_active,
                                       const double *r2_active, const double *mae_random,
                                       const double *r2_random, size_t n, double mae_target_mev);
/* The same, ending with the final model (fitted on every label after the last round) at
 * (final_x, final_mae, final_r2), drawn as a large diamond joined to the active-learning curve and
 * labelled "final model"; NAN values leave it out. */
AS_API as_status as_fig_learning_curve_final(const char *dir, const char *basename,
                                             const char *system, const double *x,
                                             const double *mae_active, const double *r2_active,
                                             const double *mae_random, const double *r2_random,
                                             size_t n, double mae_target_mev, double final_x,
                                             double final_mae, double final_r2);

/* Parity plot of predicted against oracle energies (eV/atom) with the y = x line; sigma: NULL or
 * the predicted standard deviations (eV/atom), which then colour the points (in meV/atom). The
 * title gives MAE (meV/atom) and R² computed from the points. */
AS_API as_status as_fig_parity(const char *dir, const char *basename, const char *system,
                               const double *e_oracle, const double *e_pred, const double *sigma,
                               size_t n);

/* The 4e- ORR volcano (seed 004, Nørskov et al. 2004): the limiting potential U_L (V) against
 * ΔG_OH (eV). curve: the scaling volcano to draw (from as_echem_orr_volcano_curve: the lower of
 * the O2 -> OOH* and OH* -> H2O steps under ΔG_OOH = ΔG_OH + its offset), with the offset for
 * the legend and the equilibrium potential (a dashed line). Each of the n systems is a point
 * (dg_oh_ev[i], u_limit_v[i]) (its own U_L over all four steps) labelled names[i] (chemical
 * names drawn with subscripts; the label's <text> is anchored at the point); ref: index of the
 * Pt(111) reference among them (a black diamond), or -1. Non-finite points are left out
 * (AS_EINVAL when none is finite, or without a curve of >= 2 points). */
typedef struct {
    const double *dg_oh_ev, *u_limit_v; /* (n) */
    size_t n;
    double ooh_oh_offset_ev, e_eq_v;
} as_fig_volcano_curve;
AS_API as_status as_fig_orr_volcano(const char *dir, const char *basename, const char *title,
                                    const char *const *names, const double *dg_oh_ev,
                                    const double *u_limit_v, size_t n, long ref,
                                    const as_fig_volcano_curve *curve);

/* ===================================== HTML page ===================================== */

typedef struct as_report as_report;

/* Start a report page in dir (created with its parents, like mkdir -p). title copied. AS_EIO
 * when the directory cannot be created, AS_ENOMEM. OUT: *out, free with as_report_free. */
AS_API as_status as_report_create(const char *dir, const char *title, as_report **out);
/* Release a report (does not write anything); NULL is a no-op. */
AS_API void as_report_free(as_report *r);
/* The report directory, as given. Borrowed; valid while r lives. */
AS_API const char *as_report_dir(const as_report *r);

/* Body blocks appear in the order they are added. All text is HTML-escaped. AS_ENOMEM. */
AS_API as_status as_report_heading(as_report *r, const char *text);
AS_API as_status as_report_paragraph(as_report *r, const char *text);
/* A highlighted warning box (e.g. "rankings need DFT"); shown in the body where added. */
AS_API as_status as_report_warning(as_report *r, const char *text);
/* A two-column table of n key/value strings under an optional caption (NULL: none). */
AS_API as_status as_report_keyvalues(as_report *r, const char *caption, const char *const *keys,
                                     const char *const *values, size_t n);
/* A table: header (ncols strings, may be NULL) and cells (nrows * ncols strings, row-major;
 * a NULL cell is shown empty). caption may be NULL. */
AS_API as_status as_report_table(as_report *r, const char *caption, const char *const *header,
                                 size_t ncols, const char *const *cells, size_t nrows);
/* A figure saved earlier in the report directory as basename.svg, .png and/or .pdf (the formats
 * of the default output, as_plot_default_output): shown from the SVG, else the PNG (the PNG
 * also when the SVG cannot be shown), else the PDF embedded, with a caption and links to every
 * file. AS_EIO when none of them exists in the report directory. */
AS_API as_status as_report_figure(as_report *r, const char *basename, const char *caption);
/* Save plot p into the report directory as basename.{svg,png}, then add it as a figure. */
AS_API as_status as_report_plot(as_report *r, const as_plot *p, const char *basename,
                                const char *caption);

/* The "Key numbers" summary at the top of the page, in the order added. as_report_number
 * prints the value with 4 significant digits (%.4g) and an optional unit (NULL: none). */
AS_API as_status as_report_number(as_report *r, const char *key, double value, const char *unit);
AS_API as_status as_report_keyvalue(as_report *r, const char *key, const char *value);
/* The "Inputs" table near the end of the page (files, seed, options), in the order added. */
AS_API as_status as_report_input(as_report *r, const char *name, const char *value);
/* The exact command line, shell-quoted so it can be pasted back, shown in <pre>. Replaces an
 * earlier call. */
AS_API as_status as_report_command(as_report *r, int argc, char *const *argv);

/* Write dir/index.html (through index.html.tmp and a rename). The page needs no network and no
 * other files than the figures it references. May be called again after more additions.
 * AS_EIO, AS_ENOMEM. */
AS_API as_status as_report_finish(as_report *r);

#ifdef __cplusplus
}
#endif
#endif
