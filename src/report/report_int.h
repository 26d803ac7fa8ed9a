/* Private helpers of the report area: a growable string, HTML/XML escaping, label markup,
 * nice axis ticks, the colour map and palette, paths. Shared by plot.c, render.c, figures.c and
 * html.c, and exercised directly by tests/report. No cairo type appears here. */
#ifndef AS_REPORT_INT_H
#define AS_REPORT_INT_H

#include "alloyscout/report.h"
#include "core_int.h"

/* ---- the growable string is core's as_sbuf (core_int.h); report adds escaping ---- */
/* Append s with & < > " ' replaced by entities (valid in HTML text, attributes and XML). */
void as_sbuf_escape(as_sbuf *b, const char *s);
/* Append s with the label markup ^{..} and _{..} removed (the braced text kept). */
void as_sbuf_plain(as_sbuf *b, const char *s);

/* ---- label markup: split a label into runs of normal, raised (^{}) and lowered (_{}) text ---- */
typedef struct {
    const char *s; /* start of the run's bytes (not NUL-terminated) */
    size_t n;      /* number of bytes */
    int shift;     /* 0 normal, +1 superscript, -1 subscript */
} as_text_run;
/* Next run of label text starting at *pos (advanced past it); 0 when the label is exhausted. */
int as_text_next_run(const char *label, size_t *pos, as_text_run *run);
/* A chemical name with every digit run after a letter lowered: "Pt2CoCu" -> "Pt_{2}CoCu".
 * OUT: new string (as_free) or NULL on allocation failure. */
char *as_formula_markup(const char *name);

/* ---- axis ticks (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990) ---- */
/* A nice number near x > 0: 1, 2 or 5 times a power of ten; round = 1 picks the nearest, round =
 * 0 the smallest one >= x. */
double as_nice_number(double x, int round);
typedef struct {
    double lo, hi; /* axis range */
    double step;   /* tick spacing */
    double first;  /* first tick >= lo */
    size_t count;  /* number of ticks in [lo, hi] */
    int decimals;  /* decimals for tick labels, or -1 for %g formatting */
} as_ticks;
/* Ticks for data in [lo, hi] aiming at about `target` (>= 2) ticks. expand = 1: the range grows
 * to the enclosing tick multiples; 0: the range stays [lo, hi] (fixed ranges, heat maps).
 * integer = 1 forces whole-number steps. Degenerate or non-finite ranges are widened first. */
void as_ticks_make(double lo, double hi, int target, int expand, int integer, as_ticks *t);
/* Value of tick i (exact multiples of step, so 0 prints as "0", never "-0" or "1e-17"). */
double as_ticks_value(const as_ticks *t, size_t i);
/* Format one tick label into buf (cap bytes) with the tick's decimals. */
void as_ticks_label(const as_ticks *t, double v, char *buf, size_t cap);

/* ---- colours ---- */
/* Viridis-like map of u in [0, 1] (clamped; NaN gives mid grey) to rgb in [0, 1]: linear
 * interpolation between AS_COLORMAP_NSTOPS control points taken from matplotlib's viridis table
 * at u = k / (AS_COLORMAP_NSTOPS - 1). */
void as_colormap(double u, double rgb[3]);
#define AS_COLORMAP_NSTOPS 17
extern const double as_colormap_stops[AS_COLORMAP_NSTOPS][3];
/* Palette colour (see AS_PLOT_NCOLORS, AS_PLOT_BLACK, AS_PLOT_GREY) to rgb in [0, 1]. */
void as_palette(int color, double rgb[3]);

/* ---- paths ---- */
/* dir + "/" + base + ext (dir NULL or "" gives base + ext). OUT: new string or NULL (ENOMEM). */
char *as_path_join(const char *dir, const char *base, const char *ext);
/* mkdir -p. AS_EIO naming the path on failure, AS_ENOMEM. */
as_status as_mkdir_p(const char *dir);

/* ---- plot internals shared by plot.c and render.c ---- */
typedef enum {
    AS_SERIES_LINE,
    AS_SERIES_SCATTER,
    AS_SERIES_HIST,      /* raw values in x (n), bins in `bins` */
    AS_SERIES_HISTCOUNT, /* edges in x (n + 1), counts in y (n) */
    AS_SERIES_BARS,      /* values in y (n), errors in c (n) or NULL, names */
    AS_SERIES_HLINE,     /* value */
    AS_SERIES_VLINE,     /* value */
    AS_SERIES_DIAGONAL,
    AS_SERIES_HEATMAP, /* xs in x (n), ys in y (m), z in c (m * n) */
    AS_SERIES_TEXT     /* labels names (n) at (x, y) (n) */
} as_series_kind;

typedef struct {
    as_series_kind kind;
    char *label;
    double *x, *y, *c;
    size_t n, m, bins;
    char **names;
    int *colors; /* bars: a palette colour per bar, or NULL (the style's colour) */
    double value;
    as_plot_style style;
} as_series;

struct as_plot {
    char *title, *xlabel, *ylabel, *clabel;
    as_series *s;
    size_t ns, cap;
    int width, height;
    int xfix, yfix, cfix, xint, yint;
    double xlo, xhi, ylo, yhi, clo, chi;
    int next_color;
    /* categorical axes (as_plot_set_xcategories): labels and positions, 0 = numeric */
    char **cat[2];
    double *catpos[2];
    size_t ncat[2];
};

/* AS_EINVAL unless o has a format and a dpi in [50, 1200]. */
as_status as_plot_output_check(const as_plot_output *o);

/* v with a value that prints as zero at `decimals` decimals made +0, so that "%.*f" never
 * prints "-0.000". */
double as_unneg(double v, int decimals);

/* Common bin edges of the raw-value histograms of p: *lo, *hi, *bins. Returns 0 when p has no
 * raw-value histogram with finite values. */
int as_plot_hist_edges(const as_plot *p, double *lo, double *hi, size_t *bins);
/* Counts of the finite values x[0..n) in `bins` equal bins over [lo, hi]; the last bin is closed
 * (numpy.histogram convention); values outside are not counted. counts (bins) is overwritten. */
void as_hist_count(const double *x, size_t n, double lo, double hi, size_t bins, double *counts);

#endif
