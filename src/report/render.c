/* Drawing plots with cairo and saving them as SVG and PNG. The only file that draws; cairo's
 * types never leave src/report/.
 *
 * Layout of one panel: title on top, plot area framed, tick labels and axis labels left and
 * below, colour bar (if any) right of the area, legend inside the area in the corner that covers
 * the fewest data points. Ranges: the data range of every series with 4 % margins and nice
 * ticks inside (report_int.h, as_ticks_make), unless fixed by the caller or set by a heat map's
 * cell edges; counts and bars start at zero. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

#ifndef AS_HAVE_CAIRO
/* Built without cairo (-DAS_WITH_CAIRO=OFF, or libcairo2-dev absent): no figures. */
as_status as_report_figures_available(void)
{
    return AS_FAIL(AS_EUNSUP, "alloyscout was built without cairo: --report is not available");
}

as_status as_plot_save_grid_as(const as_plot *const *plots, size_t n, size_t ncols, const char *dir,
                               const char *basename, const as_plot_output *o)
{
    (void)plots, (void)n, (void)ncols, (void)dir, (void)basename, (void)o;
    return as_report_figures_available();
}
#else
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <dlfcn.h>
#include <stdint.h>

/* cairo is opened by the first figure (dlopen, by the soname the build found: AS_CAIRO_SONAME),
 * not linked: it and the ~20 libraries it pulls in (pixman, fontconfig, freetype, X11...) cost
 * every run ~3 ms of loading otherwise, and most runs draw nothing. The calls are the same. */
#ifndef AS_CAIRO_SONAME
#define AS_CAIRO_SONAME "libcairo.so.2"
#endif
/* clang-format off */
#define AS_CAIRO_FNS(X) \
    X(cairo_arc) X(cairo_clip) X(cairo_close_path) X(cairo_create) X(cairo_destroy) \
    X(cairo_fill) X(cairo_fill_preserve) X(cairo_font_options_create) \
    X(cairo_font_options_destroy) X(cairo_font_options_set_hint_metrics) \
    X(cairo_font_options_set_hint_style) X(cairo_get_source) X(cairo_get_user_data) \
    X(cairo_image_surface_create) X(cairo_line_to) X(cairo_move_to) X(cairo_new_sub_path) \
    X(cairo_paint) X(cairo_pattern_add_color_stop_rgb) X(cairo_pattern_create_linear) \
    X(cairo_pattern_destroy) X(cairo_pattern_get_rgba) X(cairo_pdf_surface_create_for_stream) \
    X(cairo_pdf_surface_set_metadata) X(cairo_rectangle) X(cairo_reset_clip) X(cairo_restore) \
    X(cairo_rotate) X(cairo_save) X(cairo_scale) X(cairo_select_font_face) \
    X(cairo_set_antialias) X(cairo_set_dash) X(cairo_set_font_options) X(cairo_set_font_size) \
    X(cairo_set_line_cap) X(cairo_set_line_join) X(cairo_set_line_width) X(cairo_set_source) \
    X(cairo_set_source_rgb) X(cairo_set_source_rgba) X(cairo_set_user_data) X(cairo_show_text) \
    X(cairo_status) X(cairo_status_to_string) X(cairo_stroke) X(cairo_surface_destroy) \
    X(cairo_surface_finish) X(cairo_surface_status) X(cairo_surface_write_to_png_stream) \
    X(cairo_svg_surface_create_for_stream) X(cairo_svg_surface_set_document_unit) \
    X(cairo_text_extents) X(cairo_translate) X(cairo_user_to_device)
/* clang-format on */
static struct {
    AS_CAIRO_FNS(AS_DL_FIELD)
} ca;
static as_dl_once ca_once = AS_DL_ONCE_INIT;

/* Under ca_once.lock (as_dl_once_need). */
static int ca_open(char *err, size_t cap)
{
    void *h = dlopen(AS_CAIRO_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, cap, "cannot load cairo (%s; install libcairo2)",
                 e ? e : "dlopen gave no reason");
        return 2;
    }
#define AS_CAIRO_LOAD(f)                                         \
    if (as_dl_sym(h, AS_CAIRO_SONAME, #f, &ca.f, err, cap) != 0) \
        return 2;
    AS_CAIRO_FNS(AS_CAIRO_LOAD)
#undef AS_CAIRO_LOAD
    return 1;
}

/* AS_OK once cairo is loaded, else AS_EUNSUP with the reason. */
as_status as_report_figures_available(void)
{
    return as_dl_once_need(&ca_once, ca_open, "figures");
}

#define FONT_FACE "DejaVu Sans"
#define PI 3.14159265358979323846

/* Under AddressSanitizer: fontconfig, reached through cairo's font selection, keeps its parsed
 * configuration and font patterns for the life of the process in memory that LeakSanitizer
 * reports as lost (a few hundred bytes, once). Suppress exactly those allocation stacks that pass
 * through libfontconfig, so that every program drawing text can still be leak-checked. This
 * object file is linked whenever a plot is saved, so the hook is present exactly then. */
#if defined(__SANITIZE_ADDRESS__)
#define AS_REPORT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AS_REPORT_ASAN 1
#endif
#endif
#ifdef AS_REPORT_ASAN
__attribute__((visibility("default"))) const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
#endif

typedef struct {
    double x0, y0, w, h;
} box;

typedef enum { VA_TOP, VA_MIDDLE, VA_BASELINE, VA_BOTTOM } valign;

typedef struct {
    const as_plot *p;
    double scale; /* font and line scale for the panel size */
    double fs_tick, fs_label, fs_title, fs_legend;
    box area; /* plot area in device pixels */
    as_ticks xt, yt, ct;
    int has_c;                 /* a colour scale is drawn */
    const as_series *bars;     /* the bar series, if any (categorical x) */
    const char *const *cat[2]; /* category labels of the x (0) and y (1) axis, or NULL */
    const double *cpos[2];     /* their positions (NULL: 0, 1, ...) */
    size_t ncat[2];
    int rotate_cat;                /* category labels drawn at an angle */
    double **hist;                 /* counts per series (histograms), else NULL */
    size_t *hbins;                 /* bins per series (histograms) */
    double *hedges_lo, *hedges_hi; /* bin range per series (histograms) */
} panel;

/* ------------------------------------ text ------------------------------------ */

/* Copy at most cap - 1 bytes of a run, cutting at a UTF-8 character boundary. */
static void run_copy(const as_text_run *r, char *buf, size_t cap)
{
    size_t n = r->n < cap - 1 ? r->n : cap - 1;
    while (n > 0 && n < r->n && ((unsigned char)r->s[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, r->s, n);
    buf[n] = '\0';
}

static void set_font(cairo_t *cr, double size, int bold)
{
    ca.cairo_select_font_face(cr, FONT_FACE, CAIRO_FONT_SLANT_NORMAL,
                              bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    ca.cairo_set_font_size(cr, size);
}

/* When a cairo context carries an as_sbuf under this key (the SVG pass), labels are written into
 * it as SVG <text> elements instead of being drawn as glyph outlines. */
static const cairo_user_data_key_t svg_text_key;

static void svg_num(as_sbuf *b, double v) { as_sbuf_printf(b, "%.2f", as_unneg(v, 2)); }

/* One label as a <text> element at device position (x, y), rotated by angle, runs as <tspan>s
 * at the x offsets and baselines the drawing would use. */
static void svg_text_put(cairo_t *cr, as_sbuf *out, const char *s, double x, double y, double size,
                         int bold, double cx0, double base, double angle)
{
    double r = 0, g = 0, b = 0, a = 1;
    ca.cairo_pattern_get_rgba(ca.cairo_get_source(cr), &r, &g, &b, &a);
    ca.cairo_user_to_device(cr, &x, &y);
    as_sbuf_puts(out, "<text xml:space=\"preserve\" transform=\"translate(");
    svg_num(out, x);
    as_sbuf_puts(out, " ");
    svg_num(out, y);
    as_sbuf_puts(out, ")");
    if (angle != 0) {
        as_sbuf_puts(out, " rotate(");
        svg_num(out, angle * 180 / PI);
        as_sbuf_puts(out, ")");
    }
    as_sbuf_printf(out, "\" font-family=\"%s, Verdana, sans-serif\" fill=\"#%02x%02x%02x\"",
                   FONT_FACE, (unsigned)lround(r * 255), (unsigned)lround(g * 255),
                   (unsigned)lround(b * 255));
    if (a < 1)
        as_sbuf_printf(out, " fill-opacity=\"%.3f\"", a);
    if (bold)
        as_sbuf_puts(out, " font-weight=\"bold\"");
    as_sbuf_puts(out, ">");
    char buf[512];
    size_t pos = 0;
    as_text_run run;
    double cx = cx0;
    while (as_text_next_run(s, &pos, &run)) {
        run_copy(&run, buf, sizeof buf);
        double fs = run.shift ? size * 0.7 : size;
        double rise = run.shift > 0 ? -0.38 * size : run.shift < 0 ? 0.2 * size : 0;
        as_sbuf_puts(out, "<tspan x=\"");
        svg_num(out, cx);
        as_sbuf_puts(out, "\" y=\"");
        svg_num(out, base + rise);
        as_sbuf_puts(out, "\" font-size=\"");
        svg_num(out, fs);
        as_sbuf_puts(out, "\">");
        as_sbuf_escape(out, buf);
        as_sbuf_puts(out, "</tspan>");
        set_font(cr, fs, bold);
        cairo_text_extents_t e;
        ca.cairo_text_extents(cr, buf, &e);
        cx += e.x_advance;
    }
    as_sbuf_puts(out, "</text>\n");
}

/* Width in pixels of a label with markup. */
static double text_width(cairo_t *cr, const char *s, double size, int bold)
{
    if (!s)
        return 0;
    char buf[512];
    double w = 0;
    size_t pos = 0;
    as_text_run r;
    while (as_text_next_run(s, &pos, &r)) {
        run_copy(&r, buf, sizeof buf);
        set_font(cr, r.shift ? size * 0.7 : size, bold);
        cairo_text_extents_t e;
        ca.cairo_text_extents(cr, buf, &e);
        w += e.x_advance;
    }
    return w;
}

static void text_put(cairo_t *cr, const char *s, double x, double y, double size, int bold,
                     double cx, double base, double angle);

/* Draw a label at (x, y): halign 0 left, 0.5 centre, 1 right of x; valign where y lies on the
 * text; angle in radians (counter-clockwise positive on screen is negative in cairo). */
static void text_draw(cairo_t *cr, const char *s, double x, double y, double size, int bold,
                      double halign, valign va, double angle)
{
    if (!s || !*s)
        return;
    double w = text_width(cr, s, size, bold);
    double base; /* baseline offset from y */
    switch (va) {
    case VA_TOP: base = 0.95 * size; break;
    case VA_MIDDLE: base = 0.36 * size; break;
    case VA_BOTTOM: base = -0.25 * size; break;
    default: base = 0; break;
    }
    text_put(cr, s, x, y, size, bold, -halign * w, base, angle);
}

/* Draw a label anchored at (x, y), its first run starting at (cx, base) from there (the SVG's
 * <text> is translated to (x, y) exactly: its tspans carry the offsets). */
static void text_put(cairo_t *cr, const char *s, double x, double y, double size, int bold,
                     double cx, double base, double angle)
{
    if (!s || !*s)
        return;
    as_sbuf *svg = ca.cairo_get_user_data(cr, &svg_text_key);
    if (svg) {
        svg_text_put(cr, svg, s, x, y, size, bold, cx, base, angle);
        return;
    }
    ca.cairo_save(cr);
    ca.cairo_translate(cr, x, y);
    ca.cairo_rotate(cr, angle);
    char buf[512];
    size_t pos = 0;
    as_text_run r;
    while (as_text_next_run(s, &pos, &r)) {
        run_copy(&r, buf, sizeof buf);
        double fs = r.shift ? size * 0.7 : size;
        double rise = r.shift > 0 ? -0.38 * size : r.shift < 0 ? 0.2 * size : 0;
        set_font(cr, fs, bold);
        ca.cairo_move_to(cr, cx, base + rise);
        ca.cairo_show_text(cr, buf);
        cairo_text_extents_t e;
        ca.cairo_text_extents(cr, buf, &e);
        cx += e.x_advance;
    }
    ca.cairo_restore(cr);
}

/* ------------------------------------ ranges ------------------------------------ */

typedef struct {
    double lo, hi;
    int any;
} span;

static void span_add(span *s, double v)
{
    if (!isfinite(v))
        return;
    if (!s->any) {
        s->lo = s->hi = v;
        s->any = 1;
    } else {
        s->lo = AS_MIN(s->lo, v);
        s->hi = AS_MAX(s->hi, v);
    }
}

/* Cell edge e (0..n) of centres c (n): midpoints inside, half a spacing beyond the ends. */
static double cell_edge(const double *c, size_t n, size_t e)
{
    if (n == 1)
        return e == 0 ? c[0] - 0.5 : c[0] + 0.5;
    if (e == 0)
        return c[0] - 0.5 * (c[1] - c[0]);
    if (e == n)
        return c[n - 1] + 0.5 * (c[n - 1] - c[n - 2]);
    return 0.5 * (c[e - 1] + c[e]);
}

static void panel_free(panel *pn)
{
    if (pn->hist)
        for (size_t i = 0; i < pn->p->ns; i++)
            as_free(pn->hist[i]);
    as_free(pn->hist);
    as_free(pn->hbins);
    as_free(pn->hedges_lo);
    as_free(pn->hedges_hi);
}

static double tick_label_width(cairo_t *cr, const as_ticks *t, double fs);
static double text_width(cairo_t *cr, const char *s, double size, int bold);

/* Histogram counts and the data spans of every axis. */
static as_status panel_prepare(panel *pn, const as_plot *p, span *sx, span *sy, span *sc,
                               int *x_tight, int *y_tight, int *y_zero)
{
    memset(pn, 0, sizeof *pn);
    pn->p = p;
    size_t ns = p->ns ? p->ns : 1;
    pn->hist = as_calloc(ns, sizeof *pn->hist);
    pn->hbins = as_calloc(ns, sizeof *pn->hbins);
    pn->hedges_lo = as_calloc(ns, sizeof *pn->hedges_lo);
    pn->hedges_hi = as_calloc(ns, sizeof *pn->hedges_hi);
    if (!pn->hist || !pn->hbins || !pn->hedges_lo || !pn->hedges_hi)
        return AS_FAIL(AS_ENOMEM, "plot: cannot allocate the layout");
    double hlo = 0, hhi = 1;
    size_t hb = 0;
    int has_raw = as_plot_hist_edges(p, &hlo, &hhi, &hb);
    *x_tight = *y_tight = *y_zero = 0;
    for (size_t i = 0; i < p->ns; i++) {
        const as_series *s = &p->s[i];
        switch (s->kind) {
        case AS_SERIES_LINE:
        case AS_SERIES_SCATTER:
        case AS_SERIES_TEXT:
            for (size_t k = 0; k < s->n; k++)
                if (isfinite(s->x[k]) && isfinite(s->y[k])) {
                    span_add(sx, s->x[k]);
                    span_add(sy, s->y[k]);
                }
            if (s->kind == AS_SERIES_SCATTER && s->c)
                for (size_t k = 0; k < s->n; k++)
                    span_add(sc, s->c[k]);
            break;
        case AS_SERIES_HIST:
            if (!has_raw)
                break;
            pn->hbins[i] = hb;
            pn->hedges_lo[i] = hlo;
            pn->hedges_hi[i] = hhi;
            pn->hist[i] = as_calloc(hb, sizeof(double));
            if (!pn->hist[i])
                return AS_FAIL(AS_ENOMEM, "plot: cannot allocate %zu histogram bins", hb);
            as_hist_count(s->x, s->n, hlo, hhi, hb, pn->hist[i]);
            span_add(sx, hlo);
            span_add(sx, hhi);
            span_add(sy, 0);
            for (size_t k = 0; k < hb; k++)
                span_add(sy, pn->hist[i][k]);
            *y_zero = 1;
            break;
        case AS_SERIES_HISTCOUNT:
            span_add(sx, s->x[0]);
            span_add(sx, s->x[s->n]);
            span_add(sy, 0);
            for (size_t k = 0; k < s->n; k++)
                span_add(sy, s->y[k]);
            *y_zero = 1;
            break;
        case AS_SERIES_BARS:
            pn->bars = s;
            span_add(sx, -0.6);
            span_add(sx, (double)s->n - 0.4);
            span_add(sy, 0);
            for (size_t k = 0; k < s->n; k++) {
                double e = s->c && isfinite(s->c[k]) && s->c[k] > 0 ? s->c[k] : 0;
                span_add(sy, s->y[k] + e);
                span_add(sy, s->y[k] - e);
            }
            *y_zero = 1;
            break;
        case AS_SERIES_HLINE: span_add(sy, s->value); break;
        case AS_SERIES_VLINE: span_add(sx, s->value); break;
        case AS_SERIES_HEATMAP:
            span_add(sx, cell_edge(s->x, s->n, 0));
            span_add(sx, cell_edge(s->x, s->n, s->n));
            span_add(sy, cell_edge(s->y, s->m, 0));
            span_add(sy, cell_edge(s->y, s->m, s->m));
            for (size_t k = 0; k < s->n * s->m; k++)
                span_add(sc, s->c[k]);
            *x_tight = *y_tight = 1;
            break;
        case AS_SERIES_DIAGONAL: break;
        }
    }
    if (pn->bars) {
        *x_tight = 1;
        pn->cat[0] = (const char *const *)pn->bars->names;
        pn->ncat[0] = pn->bars->n;
    }
    for (int k = 0; k < 2; k++)
        if (p->ncat[k] && !(k == 0 && pn->bars)) {
            pn->cat[k] = (const char *const *)p->cat[k];
            pn->cpos[k] = p->catpos[k];
            pn->ncat[k] = p->ncat[k];
            span *sp = k ? sy : sx;
            for (size_t i = 0; i < p->ncat[k]; i++)
                span_add(sp, p->catpos[k][i]);
        }
    return AS_OK;
}

static double cat_pos(const panel *pn, int axis, size_t i)
{
    return pn->cpos[axis] ? pn->cpos[axis][i] : (double)i;
}

/* Widest category label of an axis. */
static double cat_width(cairo_t *cr, const panel *pn, int axis)
{
    double w = 0;
    for (size_t i = 0; i < pn->ncat[axis]; i++)
        w = AS_MAX(w, text_width(cr, pn->cat[axis][i], pn->fs_tick, 0));
    return w;
}

/* Width of the y tick labels, numeric or categorical. */
static double ytick_width(cairo_t *cr, const panel *pn)
{
    return pn->ncat[1] ? cat_width(cr, pn, 1) : tick_label_width(cr, &pn->yt, pn->fs_tick);
}

/* Axis ticks for a span: fixed range, tight range, or padded and widened to nice ticks. */
static void axis_ticks(span s, int fixed, double flo, double fhi, int tight, int zero_floor,
                       int integer, int target, as_ticks *t)
{
    if (fixed) {
        as_ticks_make(flo, fhi, target, 0, integer, t);
        return;
    }
    if (!s.any) {
        s.lo = 0;
        s.hi = 1;
    }
    if (tight) {
        as_ticks_make(s.lo, s.hi, target, 0, integer, t);
        return;
    }
    /* 4 % margins so that markers do not sit on the frame (matplotlib's default is 5 %), ticks
     * at nice values inside; a count axis keeps its zero */
    double pad = 0.04 * (s.hi - s.lo);
    if (pad == 0)
        pad = s.hi != 0 ? 0.1 * fabs(s.hi) : 0.5;
    double lo = s.lo - pad, hi = s.hi + pad;
    if (zero_floor && s.lo >= 0)
        lo = 0;
    as_ticks_make(lo, hi, target, 0, integer, t);
}

/* ------------------------------------ layout ------------------------------------ */

static double tick_label_width(cairo_t *cr, const as_ticks *t, double fs)
{
    double w = 0;
    char buf[64];
    for (size_t i = 0; i < t->count; i++) {
        as_ticks_label(t, as_ticks_value(t, i), buf, sizeof buf);
        w = AS_MAX(w, text_width(cr, buf, fs, 0));
    }
    return w;
}

static int tick_target(double len_px, double per_tick_px)
{
    int t = (int)(len_px / per_tick_px);
    return t < 3 ? 3 : t > 10 ? 10 : t;
}

/* Compute ranges, ticks and the plot area inside the panel box. */
static as_status panel_layout(cairo_t *cr, panel *pn, const as_plot *p, box b)
{
    span sx = {0}, sy = {0}, sc = {0};
    int x_tight = 0, y_tight = 0, y_zero = 0;
    AS_TRY(panel_prepare(pn, p, &sx, &sy, &sc, &x_tight, &y_tight, &y_zero));
    int diag = 0;
    for (size_t i = 0; i < p->ns; i++)
        diag |= p->s[i].kind == AS_SERIES_DIAGONAL;
    if (diag && sx.any && sy.any) { /* parity: one common range on both axes */
        span u = sx;
        span_add(&u, sy.lo);
        span_add(&u, sy.hi);
        sx = sy = u;
    }
    double s = AS_MIN(b.w / 800.0, b.h / 500.0);
    s = s < 0.8 ? 0.8 : s > 2.0 ? 2.0 : s;
    pn->scale = s;
    pn->fs_tick = 14 * s;
    pn->fs_label = 16 * s;
    pn->fs_title = 18 * s;
    pn->fs_legend = 14 * s;
    pn->has_c = sc.any || p->cfix;
    double pad = 12 * s, tick = 5 * s;

    /* first guess of the area, then ticks, then margins from the measured labels, twice */
    box a = {b.x0 + 80 * s, b.y0 + 50 * s, b.w - 110 * s, b.h - 120 * s};
    for (int pass = 0; pass < 2; pass++) {
        int tx = tick_target(a.w, 90 * s), ty = tick_target(a.h, 60 * s);
        axis_ticks(sy, p->yfix, p->ylo, p->yhi, y_tight, y_zero, p->yint, ty, &pn->yt);
        if (pn->ncat[1])
            pn->yt.count = 0;
        if (pn->ncat[0] && !pn->bars) {
            axis_ticks(sx, p->xfix, p->xlo, p->xhi, x_tight, 0, p->xint, tx, &pn->xt);
            pn->xt.count = 0;
        } else if (pn->bars) {
            pn->xt.lo = -0.6;
            pn->xt.hi = (double)pn->bars->n - 0.4;
            pn->xt.count = 0;
            pn->xt.step = 1;
        } else {
            for (;; tx--) {
                axis_ticks(sx, p->xfix, p->xlo, p->xhi, x_tight, 0, p->xint, tx, &pn->xt);
                double w = tick_label_width(cr, &pn->xt, pn->fs_tick);
                if (tx <= 3 || (w + 12 * s) * (double)pn->xt.count < a.w)
                    break;
            }
        }
        if (pn->has_c) {
            double lo = p->cfix ? p->clo : sc.lo, hi = p->cfix ? p->chi : sc.hi;
            as_ticks_make(lo, hi, tick_target(a.h, 60 * s), 0, 0, &pn->ct);
        }
        double left =
            pad + (p->ylabel ? pn->fs_label * 1.4 : 0) + ytick_width(cr, pn) + tick + 6 * s;
        double right = pad + 6 * s;
        if (pn->has_c)
            right += 16 * s + 14 * s + tick + 6 * s + tick_label_width(cr, &pn->ct, pn->fs_tick) +
                     (p->clabel ? pn->fs_label * 1.5 : 0);
        else if (pn->ncat[0] && !pn->bars) {
            double wl = text_width(cr, pn->cat[0][pn->ncat[0] - 1], pn->fs_tick, 0);
            right = AS_MAX(right, wl * 0.5 + 4 * s);
        } else if (!pn->bars && pn->xt.count) { /* room for half of the last x tick label */
            char buf[64];
            as_ticks_label(&pn->xt, as_ticks_value(&pn->xt, pn->xt.count - 1), buf, sizeof buf);
            right = AS_MAX(right, text_width(cr, buf, pn->fs_tick, 0) * 0.5 + 4 * s);
        }
        double top = pad + (p->title ? pn->fs_title * 1.5 : 6 * s);
        a.x0 = b.x0 + left;
        a.w = b.w - left - right;
        double below = tick + 6 * s + pn->fs_tick * 1.2;
        pn->rotate_cat = 0;
        if (pn->ncat[0]) {
            double slot = a.w / (double)pn->ncat[0], wmax = cat_width(cr, pn, 0);
            if (wmax > 0.92 * slot) {
                pn->rotate_cat = 1; /* 40 degrees */
                below = tick + 6 * s + wmax * sin(40 * PI / 180) + pn->fs_tick;
            }
        }
        double bottom = below + (p->xlabel ? pn->fs_label * 1.6 : 0) + pad;
        a.y0 = b.y0 + top;
        a.h = b.h - top - bottom;
        if (a.w < 40 || a.h < 40)
            return AS_FAIL(AS_EINVAL, "plot '%s': %g x %g px leaves no room for the plot area",
                           p->title ? p->title : "", b.w, b.h);
    }
    pn->area = a;
    return AS_OK;
}

static double map_x(const panel *pn, double v)
{
    return pn->area.x0 + (v - pn->xt.lo) / (pn->xt.hi - pn->xt.lo) * pn->area.w;
}

static double map_y(const panel *pn, double v)
{
    return pn->area.y0 + pn->area.h - (v - pn->yt.lo) / (pn->yt.hi - pn->yt.lo) * pn->area.h;
}

static double map_c(const panel *pn, double v) { return (v - pn->ct.lo) / (pn->ct.hi - pn->ct.lo); }

/* ------------------------------------ series ------------------------------------ */

static void set_rgb(cairo_t *cr, int color, double alpha)
{
    double c[3];
    as_palette(color, c);
    ca.cairo_set_source_rgba(cr, c[0], c[1], c[2], alpha);
}

static void set_dash(cairo_t *cr, int dash, double s)
{
    if (dash == 1) {
        double d[2] = {7 * s, 4 * s};
        ca.cairo_set_dash(cr, d, 2, 0);
        ca.cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    } else if (dash == 2) {
        double d[2] = {0.1, 4 * s};
        ca.cairo_set_dash(cr, d, 2, 0);
        ca.cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    } else {
        ca.cairo_set_dash(cr, NULL, 0, 0);
        ca.cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    }
}

static void marker_path(cairo_t *cr, as_plot_marker m, double x, double y, double d)
{
    double r = d / 2;
    switch (m) {
    case AS_MARKER_SQUARE:
        ca.cairo_rectangle(cr, x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r);
        break;
    case AS_MARKER_TRIANGLE:
        ca.cairo_move_to(cr, x, y - 1.15 * r);
        ca.cairo_line_to(cr, x + r, y + 0.6 * r);
        ca.cairo_line_to(cr, x - r, y + 0.6 * r);
        ca.cairo_close_path(cr);
        break;
    case AS_MARKER_DIAMOND:
        ca.cairo_move_to(cr, x, y - 1.2 * r);
        ca.cairo_line_to(cr, x + r, y);
        ca.cairo_line_to(cr, x, y + 1.2 * r);
        ca.cairo_line_to(cr, x - r, y);
        ca.cairo_close_path(cr);
        break;
    default:
        ca.cairo_new_sub_path(cr);
        ca.cairo_arc(cr, x, y, r, 0, 2 * PI);
        break;
    }
}

/* One marker filled with rgb and outlined darker. */
static void marker_draw(cairo_t *cr, as_plot_marker m, double x, double y, double d,
                        const double rgb[3], double alpha, double s)
{
    marker_path(cr, m, x, y, d);
    ca.cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
    ca.cairo_fill_preserve(cr);
    ca.cairo_set_source_rgba(cr, rgb[0] * 0.55, rgb[1] * 0.55, rgb[2] * 0.55,
                             AS_MIN(1, alpha + 0.2));
    ca.cairo_set_line_width(cr, 0.8 * s);
    ca.cairo_set_dash(cr, NULL, 0, 0);
    ca.cairo_stroke(cr);
}

static void draw_line(cairo_t *cr, const panel *pn, const as_series *s)
{
    const as_plot_style *st = &s->style;
    double sc = pn->scale;
    set_rgb(cr, st->color, st->alpha);
    ca.cairo_set_line_width(cr, st->width_px * sc);
    ca.cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    set_dash(cr, st->dash, sc);
    int pen = 0;
    for (size_t k = 0; k < s->n; k++) {
        if (!isfinite(s->x[k]) || !isfinite(s->y[k])) {
            pen = 0;
            continue;
        }
        double x = map_x(pn, s->x[k]), y = map_y(pn, s->y[k]);
        if (pen)
            ca.cairo_line_to(cr, x, y);
        else
            ca.cairo_move_to(cr, x, y);
        pen = 1;
    }
    ca.cairo_stroke(cr);
    if (st->marker != AS_MARKER_NONE) {
        double rgb[3];
        as_palette(st->color, rgb);
        for (size_t k = 0; k < s->n; k++)
            if (isfinite(s->x[k]) && isfinite(s->y[k]))
                marker_draw(cr, st->marker, map_x(pn, s->x[k]), map_y(pn, s->y[k]),
                            st->marker_px * sc, rgb, st->alpha, sc);
    }
}

static void draw_scatter(cairo_t *cr, const panel *pn, const as_series *s)
{
    const as_plot_style *st = &s->style;
    double sc = pn->scale;
    as_plot_marker m = st->marker == AS_MARKER_NONE ? AS_MARKER_CIRCLE : st->marker;
    for (size_t k = 0; k < s->n; k++) {
        if (!isfinite(s->x[k]) || !isfinite(s->y[k]))
            continue;
        double rgb[3];
        if (s->c && pn->has_c)
            as_colormap(map_c(pn, s->c[k]), rgb);
        else
            as_palette(st->color, rgb);
        marker_draw(cr, m, map_x(pn, s->x[k]), map_y(pn, s->y[k]), st->marker_px * sc, rgb,
                    st->alpha, sc);
    }
}

/* Text labels (as_plot_text): each anchored at its data point and drawn beside it, clear of the
 * marker: up and to the right, or (when that box meets a label already drawn) below right, up
 * left or below left, the first free one. */
static void draw_text(cairo_t *cr, const panel *pn, const as_series *s)
{
    double sc = pn->scale, off = 0.5 * s->style.marker_px * sc + 2 * sc, h = pn->fs_tick;
    double(*placed)[4] = as_calloc(s->n ? s->n : 1, sizeof *placed);
    size_t np = 0;
    set_rgb(cr, s->style.color, s->style.alpha);
    for (size_t k = 0; k < s->n; k++) {
        if (!isfinite(s->x[k]) || !isfinite(s->y[k]) || !s->names[k][0])
            continue;
        double x = map_x(pn, s->x[k]), y = map_y(pn, s->y[k]);
        double w = text_width(cr, s->names[k], h, 0);
        const double cand[4][2] = {
            {off, -off}, {off, off + 0.8 * h}, {-off - w, -off}, {-off - w, off + 0.8 * h}};
        int pick = 0;
        for (int c = 0; c < 4 && placed; c++) {
            double x0 = x + cand[c][0], y1 = y + cand[c][1], y0 = y1 - 0.8 * h;
            int clash = 0;
            for (size_t q = 0; q < np && !clash; q++)
                clash = x0 < placed[q][2] && placed[q][0] < x0 + w && y0 < placed[q][3] &&
                        placed[q][1] < y1 + 0.25 * h;
            if (!clash) {
                pick = c;
                break;
            }
        }
        if (placed) {
            double x0 = x + cand[pick][0], y1 = y + cand[pick][1];
            placed[np][0] = x0;
            placed[np][1] = y1 - 0.8 * h;
            placed[np][2] = x0 + w;
            placed[np++][3] = y1 + 0.25 * h;
        }
        text_put(cr, s->names[k], x, y, h, 0, cand[pick][0], cand[pick][1], 0);
    }
    as_free(placed);
}

static void draw_hist_bins(cairo_t *cr, const panel *pn, const as_series *s, const double *edges,
                           double lo, double w, const double *counts, size_t nb)
{
    const as_plot_style *st = &s->style;
    for (size_t k = 0; k < nb; k++) {
        double e0 = edges ? edges[k] : lo + (double)k * w;
        double e1 = edges ? edges[k + 1] : lo + (double)(k + 1) * w;
        if (counts[k] <= 0 || !isfinite(counts[k]))
            continue;
        double x0 = map_x(pn, e0), x1 = map_x(pn, e1), y0 = map_y(pn, 0), y1 = map_y(pn, counts[k]);
        ca.cairo_rectangle(cr, x0, y1, x1 - x0, y0 - y1);
    }
    set_rgb(cr, st->color, st->alpha);
    ca.cairo_fill_preserve(cr);
    set_rgb(cr, st->color, 1.0);
    ca.cairo_set_line_width(cr, 1.0 * pn->scale);
    set_dash(cr, 0, pn->scale);
    ca.cairo_stroke(cr);
}

static void draw_bars(cairo_t *cr, const panel *pn, const as_series *s)
{
    const as_plot_style *st = &s->style;
    double sc = pn->scale;
    /* one path per colour: all bars at once, or each bar in its own colour */
    for (size_t g = 0; g < (s->colors ? s->n : 1); g++) {
        for (size_t k = s->colors ? g : 0; k < (s->colors ? g + 1 : s->n); k++) {
            if (!isfinite(s->y[k]))
                continue;
            double x0 = map_x(pn, (double)k - 0.32), x1 = map_x(pn, (double)k + 0.32);
            double y0 = map_y(pn, 0), y1 = map_y(pn, s->y[k]);
            ca.cairo_rectangle(cr, x0, AS_MIN(y0, y1), x1 - x0, fabs(y0 - y1));
        }
        int color = s->colors ? s->colors[g] : st->color;
        set_rgb(cr, color, st->alpha * 0.85);
        ca.cairo_fill_preserve(cr);
        set_rgb(cr, color, 1.0);
        ca.cairo_set_line_width(cr, 1.0 * sc);
        set_dash(cr, 0, sc);
        ca.cairo_stroke(cr);
    }
    if (!s->c)
        return;
    ca.cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    ca.cairo_set_line_width(cr, 1.5 * sc);
    for (size_t k = 0; k < s->n; k++) {
        double e = s->c[k];
        if (!isfinite(e) || e < 0 || !isfinite(s->y[k]))
            continue;
        double x = map_x(pn, (double)k), cap = 0.1 * (map_x(pn, 1) - map_x(pn, 0));
        double ya = map_y(pn, s->y[k] - e), yb = map_y(pn, s->y[k] + e);
        ca.cairo_move_to(cr, x, ya);
        ca.cairo_line_to(cr, x, yb);
        ca.cairo_move_to(cr, x - cap, ya);
        ca.cairo_line_to(cr, x + cap, ya);
        ca.cairo_move_to(cr, x - cap, yb);
        ca.cairo_line_to(cr, x + cap, yb);
    }
    ca.cairo_stroke(cr);
}

static void draw_heatmap(cairo_t *cr, const panel *pn, const as_series *s)
{
    /* cells are rectangles between the midpoints of the centres, drawn without anti-aliasing
     * and reaching 0.75 px under their right and upper neighbours (drawn later), so that no
     * seam shows in the PNG nor in a browser's anti-aliased rendering of the SVG; the plot-area
     * clip trims the last row and column */
    ca.cairo_save(cr);
    ca.cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (size_t j = 0; j < s->m; j++) {
        double ya = map_y(pn, cell_edge(s->y, s->m, j)),
               yb = map_y(pn, cell_edge(s->y, s->m, j + 1));
        for (size_t i = 0; i < s->n; i++) {
            double z = s->c[j * s->n + i];
            if (!isfinite(z))
                continue;
            double xa = map_x(pn, cell_edge(s->x, s->n, i));
            double xb = map_x(pn, cell_edge(s->x, s->n, i + 1));
            double rgb[3];
            as_colormap(map_c(pn, z), rgb);
            ca.cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            ca.cairo_rectangle(cr, xa, yb - 0.75, xb - xa + 0.75, ya - yb + 0.75);
            ca.cairo_fill(cr);
        }
    }
    ca.cairo_restore(cr);
}

static void draw_refline(cairo_t *cr, const panel *pn, const as_series *s)
{
    const as_plot_style *st = &s->style;
    set_rgb(cr, st->color, st->alpha);
    ca.cairo_set_line_width(cr, st->width_px * pn->scale);
    set_dash(cr, st->dash, pn->scale);
    const box *a = &pn->area;
    if (s->kind == AS_SERIES_HLINE) {
        double y = map_y(pn, s->value);
        ca.cairo_move_to(cr, a->x0, y);
        ca.cairo_line_to(cr, a->x0 + a->w, y);
    } else if (s->kind == AS_SERIES_VLINE) {
        double x = map_x(pn, s->value);
        ca.cairo_move_to(cr, x, a->y0);
        ca.cairo_line_to(cr, x, a->y0 + a->h);
    } else { /* y = x over the common part of both ranges */
        double lo = AS_MAX(pn->xt.lo, pn->yt.lo), hi = AS_MIN(pn->xt.hi, pn->yt.hi);
        if (!(lo < hi))
            return;
        ca.cairo_move_to(cr, map_x(pn, lo), map_y(pn, lo));
        ca.cairo_line_to(cr, map_x(pn, hi), map_y(pn, hi));
    }
    ca.cairo_stroke(cr);
    set_dash(cr, 0, pn->scale);
}

/* ------------------------------------ axes ------------------------------------ */

static void draw_axes(cairo_t *cr, const panel *pn, int grid)
{
    const as_plot *p = pn->p;
    const box *a = &pn->area;
    double s = pn->scale, tick = 5 * s;
    char buf[64];
    set_dash(cr, 0, s);
    if (grid) { /* light grid under the data */
        ca.cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        ca.cairo_set_line_width(cr, 1.0);
        for (size_t i = 0; i < pn->yt.count; i++) {
            double y = map_y(pn, as_ticks_value(&pn->yt, i));
            ca.cairo_move_to(cr, a->x0, y);
            ca.cairo_line_to(cr, a->x0 + a->w, y);
        }
        for (size_t i = 0; i < pn->xt.count; i++) {
            double x = map_x(pn, as_ticks_value(&pn->xt, i));
            ca.cairo_move_to(cr, x, a->y0);
            ca.cairo_line_to(cr, x, a->y0 + a->h);
        }
        ca.cairo_stroke(cr);
        return;
    }
    ca.cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    ca.cairo_set_line_width(cr, 1.2 * s);
    ca.cairo_rectangle(cr, a->x0, a->y0, a->w, a->h);
    ca.cairo_stroke(cr);
    /* y ticks and labels: numeric or categorical */
    for (size_t i = 0; i < pn->ncat[1]; i++) {
        double y = map_y(pn, cat_pos(pn, 1, i));
        ca.cairo_move_to(cr, a->x0, y);
        ca.cairo_line_to(cr, a->x0 - tick, y);
        text_draw(cr, pn->cat[1][i], a->x0 - tick - 4 * s, y, pn->fs_tick, 0, 1.0, VA_MIDDLE, 0);
    }
    for (size_t i = 0; i < pn->yt.count; i++) {
        double v = as_ticks_value(&pn->yt, i), y = map_y(pn, v);
        ca.cairo_move_to(cr, a->x0, y);
        ca.cairo_line_to(cr, a->x0 - tick, y);
        as_ticks_label(&pn->yt, v, buf, sizeof buf);
        text_draw(cr, buf, a->x0 - tick - 4 * s, y, pn->fs_tick, 0, 1.0, VA_MIDDLE, 0);
    }
    /* x ticks: numeric or categorical */
    double ylab = a->y0 + a->h + tick + 4 * s;
    if (pn->ncat[0]) {
        for (size_t i = 0; i < pn->ncat[0]; i++) {
            double x = map_x(pn, cat_pos(pn, 0, i));
            ca.cairo_move_to(cr, x, a->y0 + a->h);
            ca.cairo_line_to(cr, x, a->y0 + a->h + tick);
            if (pn->rotate_cat)
                text_draw(cr, pn->cat[0][i], x + 0.3 * pn->fs_tick, ylab, pn->fs_tick, 0, 1.0,
                          VA_TOP, -40 * PI / 180);
            else
                text_draw(cr, pn->cat[0][i], x, ylab, pn->fs_tick, 0, 0.5, VA_TOP, 0);
        }
    } else {
        for (size_t i = 0; i < pn->xt.count; i++) {
            double v = as_ticks_value(&pn->xt, i), x = map_x(pn, v);
            ca.cairo_move_to(cr, x, a->y0 + a->h);
            ca.cairo_line_to(cr, x, a->y0 + a->h + tick);
            as_ticks_label(&pn->xt, v, buf, sizeof buf);
            text_draw(cr, buf, x, ylab, pn->fs_tick, 0, 0.5, VA_TOP, 0);
        }
    }
    ca.cairo_stroke(cr);
    /* axis labels and title */
    ca.cairo_set_source_rgb(cr, 0, 0, 0);
    if (p->xlabel) {
        double below = tick + 6 * s + pn->fs_tick * 1.2;
        if (pn->rotate_cat)
            below = tick + 6 * s + cat_width(cr, pn, 0) * sin(40 * PI / 180) + pn->fs_tick;
        text_draw(cr, p->xlabel, a->x0 + a->w / 2, a->y0 + a->h + below + 2 * s, pn->fs_label, 0,
                  0.5, VA_TOP, 0);
    }
    if (p->ylabel) {
        double wt = ytick_width(cr, pn);
        double x = a->x0 - tick - 4 * s - wt - 8 * s;
        text_draw(cr, p->ylabel, x, a->y0 + a->h / 2, pn->fs_label, 0, 0.5, VA_BOTTOM, -PI / 2);
    }
    if (p->title)
        text_draw(cr, p->title, a->x0 + a->w / 2, a->y0 - 0.6 * pn->fs_title, pn->fs_title, 1, 0.5,
                  VA_BOTTOM, 0);
}

static void draw_colorbar(cairo_t *cr, const panel *pn)
{
    const box *a = &pn->area;
    double s = pn->scale, tick = 5 * s;
    double x0 = a->x0 + a->w + 14 * s, w = 16 * s;
    /* the map is piecewise linear between its stops, so a linear gradient through the same
     * stops draws it exactly */
    cairo_pattern_t *g = ca.cairo_pattern_create_linear(0, a->y0 + a->h, 0, a->y0);
    for (int k = 0; k < AS_COLORMAP_NSTOPS; k++) {
        const double *c = as_colormap_stops[k];
        ca.cairo_pattern_add_color_stop_rgb(g, (double)k / (AS_COLORMAP_NSTOPS - 1), c[0], c[1],
                                            c[2]);
    }
    ca.cairo_rectangle(cr, x0, a->y0, w, a->h);
    ca.cairo_set_source(cr, g);
    ca.cairo_fill(cr);
    ca.cairo_pattern_destroy(g);
    ca.cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    ca.cairo_set_line_width(cr, 1.0 * s);
    ca.cairo_rectangle(cr, x0, a->y0, w, a->h);
    char buf[64];
    double wt = 0;
    for (size_t i = 0; i < pn->ct.count; i++) {
        double v = as_ticks_value(&pn->ct, i);
        double y = a->y0 + a->h - map_c(pn, v) * a->h;
        ca.cairo_move_to(cr, x0 + w, y);
        ca.cairo_line_to(cr, x0 + w + tick, y);
        as_ticks_label(&pn->ct, v, buf, sizeof buf);
        text_draw(cr, buf, x0 + w + tick + 4 * s, y, pn->fs_tick, 0, 0.0, VA_MIDDLE, 0);
        wt = AS_MAX(wt, text_width(cr, buf, pn->fs_tick, 0));
    }
    ca.cairo_stroke(cr);
    if (pn->p->clabel)
        text_draw(cr, pn->p->clabel, x0 + w + tick + 4 * s + wt + 8 * s, a->y0 + a->h / 2,
                  pn->fs_label, 0, 0.5, VA_TOP, -PI / 2);
}

/* ------------------------------------ legend ------------------------------------ */

static int legend_entry(const as_series *s)
{
    return s->label && s->kind != AS_SERIES_BARS && s->kind != AS_SERIES_HEATMAP;
}

static int inside(const box *b, double x, double y)
{
    return x >= b->x0 && x <= b->x0 + b->w && y >= b->y0 && y <= b->y0 + b->h;
}

/* How many drawn points a legend box at b would cover. */
static size_t legend_cover(const panel *pn, const box *b)
{
    size_t c = 0;
    const as_plot *p = pn->p;
    for (size_t i = 0; i < p->ns; i++) {
        const as_series *s = &p->s[i];
        if (s->kind == AS_SERIES_LINE || s->kind == AS_SERIES_SCATTER) {
            for (size_t k = 0; k < s->n; k++)
                if (isfinite(s->x[k]) && isfinite(s->y[k]) &&
                    inside(b, map_x(pn, s->x[k]), map_y(pn, s->y[k])))
                    c += s->kind == AS_SERIES_LINE ? 3 : 1;
            if (s->kind == AS_SERIES_LINE) /* segment midpoints too: lines cross boxes */
                for (size_t k = 0; k + 1 < s->n; k++)
                    if (isfinite(s->x[k]) && isfinite(s->y[k]) && isfinite(s->x[k + 1]) &&
                        isfinite(s->y[k + 1]))
                        for (int f = 1; f < 4; f++) {
                            double t = f / 4.0;
                            double x = s->x[k] + t * (s->x[k + 1] - s->x[k]);
                            double y = s->y[k] + t * (s->y[k + 1] - s->y[k]);
                            c += inside(b, map_x(pn, x), map_y(pn, y)) ? 3 : 0;
                        }
        } else if (s->kind == AS_SERIES_HIST && pn->hist[i]) {
            double w = (pn->hedges_hi[i] - pn->hedges_lo[i]) / (double)pn->hbins[i];
            for (size_t k = 0; k < pn->hbins[i]; k++) {
                double x = map_x(pn, pn->hedges_lo[i] + ((double)k + 0.5) * w);
                /* a bar covers everything below its top */
                for (int f = 1; f <= 4; f++)
                    c += inside(b, x, map_y(pn, pn->hist[i][k] * f / 4.0)) ? 4 : 0;
            }
        } else if (s->kind == AS_SERIES_HISTCOUNT) {
            for (size_t k = 0; k < s->n; k++)
                for (int f = 1; f <= 4; f++)
                    c += inside(b, map_x(pn, 0.5 * (s->x[k] + s->x[k + 1])),
                                map_y(pn, s->y[k] * f / 4.0))
                             ? 4
                             : 0;
        } else if (s->kind == AS_SERIES_BARS) {
            for (size_t k = 0; k < s->n; k++)
                for (int f = 1; f <= 4; f++)
                    c += inside(b, map_x(pn, (double)k), map_y(pn, s->y[k] * f / 4.0)) ? 4 : 0;
        }
    }
    return c;
}

static void legend_swatch(cairo_t *cr, const panel *pn, const as_series *s, double x, double y,
                          double w)
{
    const as_plot_style *st = &s->style;
    double sc = pn->scale, rgb[3];
    as_palette(st->color, rgb);
    switch (s->kind) {
    case AS_SERIES_HIST:
    case AS_SERIES_HISTCOUNT:
        ca.cairo_rectangle(cr, x + 4 * sc, y - 6 * sc, w - 8 * sc, 12 * sc);
        set_rgb(cr, st->color, st->alpha);
        ca.cairo_fill_preserve(cr);
        set_rgb(cr, st->color, 1.0);
        ca.cairo_set_line_width(cr, 1.0 * sc);
        set_dash(cr, 0, sc);
        ca.cairo_stroke(cr);
        break;
    case AS_SERIES_SCATTER: {
        as_plot_marker m = st->marker == AS_MARKER_NONE ? AS_MARKER_CIRCLE : st->marker;
        if (s->c && pn->has_c)
            as_colormap(0.5, rgb);
        marker_draw(cr, m, x + w / 2, y, st->marker_px * sc, rgb, st->alpha, sc);
        break;
    }
    default:
        set_rgb(cr, st->color, st->alpha);
        ca.cairo_set_line_width(cr, st->width_px * sc);
        set_dash(cr, st->dash, sc);
        ca.cairo_move_to(cr, x, y);
        ca.cairo_line_to(cr, x + w, y);
        ca.cairo_stroke(cr);
        set_dash(cr, 0, sc);
        if (s->kind == AS_SERIES_LINE && st->marker != AS_MARKER_NONE)
            marker_draw(cr, st->marker, x + w / 2, y, st->marker_px * sc, rgb, st->alpha, sc);
        break;
    }
}

static void draw_legend(cairo_t *cr, const panel *pn)
{
    const as_plot *p = pn->p;
    double s = pn->scale, fs = pn->fs_legend;
    size_t n = 0;
    double tw = 0;
    for (size_t i = 0; i < p->ns; i++)
        if (legend_entry(&p->s[i])) {
            n++;
            tw = AS_MAX(tw, text_width(cr, p->s[i].label, fs, 0));
        }
    if (n == 0)
        return;
    double sw = 30 * s, row = fs * 1.5, padx = 8 * s, pady = 6 * s;
    box lb = {0, 0, padx + sw + 6 * s + tw + padx, 2 * pady + row * (double)n};
    const box *a = &pn->area;
    double inset = 8 * s;
    box cand[4] = {
        {a->x0 + a->w - inset - lb.w, a->y0 + inset, lb.w, lb.h}, /* top right */
        {a->x0 + inset, a->y0 + inset, lb.w, lb.h},               /* top left */
        {a->x0 + a->w - inset - lb.w, a->y0 + a->h - inset - lb.h, lb.w, lb.h},
        {a->x0 + inset, a->y0 + a->h - inset - lb.h, lb.w, lb.h},
    };
    size_t best = 0, best_c = (size_t)-1;
    for (size_t k = 0; k < 4; k++) {
        size_t c = legend_cover(pn, &cand[k]);
        if (c < best_c) {
            best_c = c;
            best = k;
        }
    }
    lb = cand[best];
    ca.cairo_rectangle(cr, lb.x0, lb.y0, lb.w, lb.h);
    ca.cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
    ca.cairo_fill_preserve(cr);
    ca.cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    ca.cairo_set_line_width(cr, 1.0 * s);
    set_dash(cr, 0, s);
    ca.cairo_stroke(cr);
    double y = lb.y0 + pady + row / 2;
    for (size_t i = 0; i < p->ns; i++) {
        const as_series *se = &p->s[i];
        if (!legend_entry(se))
            continue;
        legend_swatch(cr, pn, se, lb.x0 + padx, y, sw);
        ca.cairo_set_source_rgb(cr, 0, 0, 0);
        text_draw(cr, se->label, lb.x0 + padx + sw + 6 * s, y, fs, 0, 0.0, VA_MIDDLE, 0);
        y += row;
    }
}

/* ------------------------------------ panels ------------------------------------ */

static as_status render_panel(cairo_t *cr, const as_plot *p, box b)
{
    panel pn;
    as_status st = panel_layout(cr, &pn, p, b);
    if (st != AS_OK) {
        panel_free(&pn);
        return st;
    }
    ca.cairo_save(cr);
    draw_axes(cr, &pn, 1);
    ca.cairo_rectangle(cr, pn.area.x0, pn.area.y0, pn.area.w, pn.area.h);
    ca.cairo_clip(cr);
    /* fills first (heat map, histograms, bars), then lines and points in the order added */
    for (size_t i = 0; i < p->ns; i++) {
        const as_series *s = &p->s[i];
        if (s->kind == AS_SERIES_HEATMAP)
            draw_heatmap(cr, &pn, s);
    }
    for (size_t i = 0; i < p->ns; i++) {
        const as_series *s = &p->s[i];
        if (s->kind == AS_SERIES_HIST && pn.hist[i])
            draw_hist_bins(cr, &pn, s, NULL, pn.hedges_lo[i],
                           (pn.hedges_hi[i] - pn.hedges_lo[i]) / (double)pn.hbins[i], pn.hist[i],
                           pn.hbins[i]);
        else if (s->kind == AS_SERIES_HISTCOUNT)
            draw_hist_bins(cr, &pn, s, s->x, 0, 0, s->y, s->n);
        else if (s->kind == AS_SERIES_BARS)
            draw_bars(cr, &pn, s);
    }
    for (size_t i = 0; i < p->ns; i++) {
        const as_series *s = &p->s[i];
        switch (s->kind) {
        case AS_SERIES_LINE: draw_line(cr, &pn, s); break;
        case AS_SERIES_SCATTER: draw_scatter(cr, &pn, s); break;
        case AS_SERIES_HLINE:
        case AS_SERIES_VLINE:
        case AS_SERIES_DIAGONAL: draw_refline(cr, &pn, s); break;
        default: break;
        }
    }
    ca.cairo_reset_clip(cr);
    for (size_t i = 0; i < p->ns; i++)
        if (p->s[i].kind == AS_SERIES_TEXT)
            draw_text(cr, &pn, &p->s[i]);
    draw_axes(cr, &pn, 0);
    if (pn.has_c)
        draw_colorbar(cr, &pn);
    draw_legend(cr, &pn);
    ca.cairo_restore(cr);
    panel_free(&pn);
    return AS_OK;
}

static as_status cairo_fail(cairo_status_t cs, const char *what)
{
    if (cs == CAIRO_STATUS_NO_MEMORY)
        return AS_FAIL(AS_ENOMEM, "plot: cairo ran out of memory drawing %s", what);
    return AS_FAIL(AS_EIO, "plot: cairo failed drawing %s: %s", what,
                   ca.cairo_status_to_string(cs));
}

/* Draw all panels on a surface of size W x H. */
static as_status render_all(cairo_surface_t *surf, const as_plot *const *plots, size_t n,
                            size_t ncols, double cw, double ch, const char *what, double zoom,
                            as_sbuf *svg_text)
{
    cairo_t *cr = ca.cairo_create(surf);
    if (ca.cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        as_status st = cairo_fail(ca.cairo_status(cr), what);
        ca.cairo_destroy(cr);
        return st;
    }
    /* zoom: device units per CSS pixel (PNG dpi / 96, PDF 0.75 pt) */
    ca.cairo_scale(cr, zoom, zoom);
    if (svg_text)
        ca.cairo_set_user_data(cr, &svg_text_key, svg_text, NULL);
    /* unhinted metrics so the SVG and the PNG have the same layout */
    cairo_font_options_t *fo = ca.cairo_font_options_create();
    ca.cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    ca.cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    ca.cairo_set_font_options(cr, fo);
    ca.cairo_font_options_destroy(fo);
    ca.cairo_set_source_rgb(cr, 1, 1, 1);
    ca.cairo_paint(cr);
    as_status st = AS_OK;
    for (size_t i = 0; i < n && st == AS_OK; i++) {
        box b = {(double)(i % ncols) * cw, (double)(i / ncols) * ch, cw, ch};
        st = render_panel(cr, plots[i], b);
    }
    if (st == AS_OK && ca.cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        st = cairo_fail(ca.cairo_status(cr), what);
    ca.cairo_destroy(cr);
    return st;
}

/* ------------------------------------ files ------------------------------------ */

typedef struct {
    as_sbuf buf;
} svg_sink;

static cairo_status_t svg_write(void *closure, const unsigned char *data, unsigned int len)
{
    svg_sink *k = closure;
    as_sbuf_putn(&k->buf, (const char *)data, len);
    return k->buf.oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

/* <title> and <desc> text: the plots' titles, axis labels, colour labels and legend entries. */
static void svg_text(as_sbuf *t, as_sbuf *d, const as_plot *const *plots, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const as_plot *p = plots[i];
        as_sbuf plain = {0};
        if (p->title) {
            if (t->n)
                as_sbuf_puts(t, " | ");
            as_sbuf_plain(&plain, p->title);
            as_sbuf_escape(t, plain.s);
        }
        if (n > 1)
            as_sbuf_printf(d, "Panel %zu. ", i + 1);
        const char *names[3] = {"x axis", "y axis", "colour"};
        const char *vals[3] = {p->xlabel, p->ylabel, p->clabel};
        for (int k = 0; k < 3; k++) {
            if (!vals[k])
                continue;
            as_sbuf_reset(&plain);
            as_sbuf_plain(&plain, vals[k]);
            as_sbuf_printf(d, "%s: ", names[k]);
            as_sbuf_escape(d, plain.s);
            as_sbuf_puts(d, ". ");
        }
        int first = 1;
        for (size_t k = 0; k < p->ns; k++) {
            if (!legend_entry(&p->s[k]))
                continue;
            as_sbuf_reset(&plain);
            as_sbuf_plain(&plain, p->s[k].label);
            as_sbuf_puts(d, first ? "series: " : "; ");
            as_sbuf_escape(d, plain.s);
            first = 0;
        }
        if (!first)
            as_sbuf_puts(d, ". ");
        if (plain.oom) {
            t->oom = 1;
        }
        as_sbuf_free(&plain);
    }
}

/* Insert <title>/<desc> after the root <svg ...> start tag and the labels' <text> elements
 * before its end tag, and write the file atomically. */
static as_status write_svg(const char *path, const as_sbuf *svg, const as_sbuf *texts,
                           const as_plot *const *plots, size_t n)
{
    const char *root = svg->s ? strstr(svg->s, "<svg") : NULL;
    const char *end = root ? strchr(root, '>') : NULL;
    const char *close = svg->s ? strstr(svg->s, "</svg>") : NULL;
    if (!end || !close || close < end)
        return AS_FAIL(AS_EIO, "plot: cairo produced no <svg> element for %s", path);
    as_sbuf t = {0}, d = {0};
    svg_text(&t, &d, plots, n);
    as_status st = as_sbuf_status(&t, path);
    if (st == AS_OK)
        st = as_sbuf_status(&d, path);
    as_outfile *of = NULL;
    if (st == AS_OK)
        st = as_outfile_open(path, &of);
    if (st == AS_OK) {
        FILE *f = as_outfile_stream(of);
        size_t head = (size_t)(end + 1 - svg->s), tail = (size_t)(close - svg->s);
        fwrite(svg->s, 1, head, f);
        fprintf(f, "\n<title>%s</title>\n<desc>%s</desc>", t.s ? t.s : "", d.s ? d.s : "");
        fwrite(svg->s + head, 1, tail - head, f);
        fputs("<g id=\"labels\">\n", f);
        if (texts->n)
            fwrite(texts->s, 1, texts->n, f);
        fputs("</g>\n", f);
        fwrite(svg->s + tail, 1, svg->n - tail, f);
        st = as_outfile_commit(of);
    }
    as_sbuf_free(&t);
    as_sbuf_free(&d);
    return st;
}

/* CRC-32 of PNG chunks (ISO 3309, the polynomial 0xEDB88320 reflected), bit by bit. */
static uint32_t png_crc(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Write the PNG in png with a pHYs chunk (pixels per metre = dpi / 0.0254) after its IHDR, so
 * that layout programs place it at the intended size. */
static as_status write_png(const char *path, const as_sbuf *png, int dpi)
{
    /* signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC) */
    const size_t ihdr_end = 8 + 25;
    if (png->n < ihdr_end || memcmp(png->s + 12, "IHDR", 4) != 0)
        return AS_FAIL(AS_EIO, "plot: cairo produced no PNG header for %s", path);
    unsigned char phys[21];
    uint32_t ppm = (uint32_t)lround(dpi / 0.0254);
    put_be32(phys, 9);
    memcpy(phys + 4, "pHYs", 4);
    put_be32(phys + 8, ppm);
    put_be32(phys + 12, ppm);
    phys[16] = 1; /* unit: metre */
    put_be32(phys + 17, png_crc(phys + 4, 13));
    as_outfile *of = NULL;
    AS_TRY(as_outfile_open(path, &of));
    FILE *f = as_outfile_stream(of);
    fwrite(png->s, 1, ihdr_end, f);
    fwrite(phys, 1, sizeof phys, f);
    fwrite(png->s + ihdr_end, 1, png->n - ihdr_end, f);
    return as_outfile_commit(of);
}

/* Write the bytes of a finished surface stream atomically. */
static as_status write_bytes(const char *path, const as_sbuf *b)
{
    as_outfile *of = NULL;
    AS_TRY(as_outfile_open(path, &of));
    fwrite(b->s, 1, b->n, as_outfile_stream(of));
    return as_outfile_commit(of);
}

/* The PDF title: the plots' titles without markup. */
static char *pdf_title(const as_plot *const *plots, size_t n)
{
    as_sbuf t = {0};
    for (size_t i = 0; i < n; i++)
        if (plots[i]->title) {
            if (t.n)
                as_sbuf_puts(&t, " | ");
            as_sbuf_plain(&t, plots[i]->title);
        }
    if (t.oom) {
        as_sbuf_free(&t);
        return NULL;
    }
    if (!t.s)
        return as_strdup("");
    return t.s;
}

as_status as_plot_save_grid_as(const as_plot *const *plots, size_t n, size_t ncols, const char *dir,
                               const char *basename, const as_plot_output *o)
{
    if (!plots || n == 0 || ncols == 0)
        return AS_FAIL(AS_EINVAL, "plot: save needs n >= 1 plots and ncols >= 1");
    if (!basename || !*basename)
        return AS_FAIL(AS_EINVAL, "plot: empty file name");
    as_plot_output out = o ? *o : as_plot_default_output();
    AS_TRY(as_plot_output_check(&out));
    AS_TRY(as_report_figures_available());
    int cw = 0, ch = 0;
    for (size_t i = 0; i < n; i++) {
        if (!plots[i])
            return AS_FAIL(AS_EINVAL, "plot: panel %zu of %s is NULL", i, basename);
        cw = AS_MAX(cw, plots[i]->width);
        ch = AS_MAX(ch, plots[i]->height);
    }
    if (ncols > n)
        ncols = n;
    size_t nrows = (n + ncols - 1) / ncols;
    if (ncols * (size_t)cw > 16000 || nrows * (size_t)ch > 16000)
        return AS_FAIL(AS_EINVAL, "plot: %zu x %zu panels of %d x %d px exceed 16000 px", nrows,
                       ncols, cw, ch);
    double W = (double)(ncols * (size_t)cw), H = (double)(nrows * (size_t)ch);
    double zoom = out.dpi / 96.0;
    if (out.formats & AS_PLOT_PNG && (W * zoom > 32000 || H * zoom > 32000))
        return AS_FAIL(AS_EINVAL, "plot: %s at %d dpi would be %.0f x %.0f px (at most 32000)",
                       basename, out.dpi, W * zoom, H * zoom);
    as_status st = AS_OK;
    char *svg_path = as_path_join(dir, basename, ".svg");
    char *png_path = as_path_join(dir, basename, ".png");
    char *pdf_path = as_path_join(dir, basename, ".pdf");
    char *title = NULL;
    svg_sink sink = {{0}};
    as_sbuf texts = {0};
    cairo_surface_t *surf = NULL;
    if (!svg_path || !png_path || !pdf_path) {
        st = AS_FAIL(AS_ENOMEM, "plot: cannot build the output paths for %s", basename);
        goto done;
    }

    if (out.formats & AS_PLOT_SVG) {
        /* shapes drawn by cairo into memory, labels collected as <text>, then one document */
        surf = ca.cairo_svg_surface_create_for_stream(svg_write, &sink, W, H);
        if (ca.cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
            st = cairo_fail(ca.cairo_surface_status(surf), svg_path);
            goto done;
        }
        ca.cairo_svg_surface_set_document_unit(surf, CAIRO_SVG_UNIT_PX);
        st = render_all(surf, plots, n, ncols, cw, ch, svg_path, 1.0, &texts);
        ca.cairo_surface_finish(surf);
        if (st == AS_OK && ca.cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
            st = sink.buf.oom ? AS_FAIL(AS_ENOMEM, "plot: out of memory writing %s", svg_path)
                              : cairo_fail(ca.cairo_surface_status(surf), svg_path);
        ca.cairo_surface_destroy(surf);
        surf = NULL;
        if (st == AS_OK)
            st = as_sbuf_status(&texts, svg_path);
        if (st != AS_OK)
            goto done;
        st = write_svg(svg_path, &sink.buf, &texts, plots, n);
        if (st != AS_OK)
            goto done;
    }

    if (out.formats & AS_PLOT_PNG) {
        surf = ca.cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)lround(W * zoom),
                                             (int)lround(H * zoom));
        if (ca.cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
            st = cairo_fail(ca.cairo_surface_status(surf), png_path);
            goto done;
        }
        st = render_all(surf, plots, n, ncols, cw, ch, png_path, zoom, NULL);
        if (st != AS_OK)
            goto done;
        as_sbuf_reset(&sink.buf);
        cairo_status_t cs = ca.cairo_surface_write_to_png_stream(surf, svg_write, &sink);
        if (cs != CAIRO_STATUS_SUCCESS) {
            st = cs == CAIRO_STATUS_NO_MEMORY || sink.buf.oom
                     ? AS_FAIL(AS_ENOMEM, "plot: out of memory writing %s", png_path)
                     : AS_FAIL(AS_EIO, "cannot write %s: %s", png_path,
                               ca.cairo_status_to_string(cs));
            goto done;
        }
        ca.cairo_surface_destroy(surf);
        surf = NULL;
        st = write_png(png_path, &sink.buf, out.dpi);
        if (st != AS_OK)
            goto done;
    }

    if (out.formats & AS_PLOT_PDF) {
        /* 96 CSS px per inch, 72 pt per inch */
        as_sbuf_reset(&sink.buf);
        surf = ca.cairo_pdf_surface_create_for_stream(svg_write, &sink, W * 0.75, H * 0.75);
        if (ca.cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
            st = cairo_fail(ca.cairo_surface_status(surf), pdf_path);
            goto done;
        }
        if (!(title = pdf_title(plots, n))) {
            st = AS_FAIL(AS_ENOMEM, "plot: out of memory writing %s", pdf_path);
            goto done;
        }
        ca.cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
        ca.cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "alloyscout");
        /* a fixed date: the same figure gives the same bytes (reproducible output) */
        ca.cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE,
                                          "2000-01-01T00:00:00Z");
        st = render_all(surf, plots, n, ncols, cw, ch, pdf_path, 0.75, NULL);
        ca.cairo_surface_finish(surf);
        if (st == AS_OK && ca.cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
            st = sink.buf.oom ? AS_FAIL(AS_ENOMEM, "plot: out of memory writing %s", pdf_path)
                              : cairo_fail(ca.cairo_surface_status(surf), pdf_path);
        ca.cairo_surface_destroy(surf);
        surf = NULL;
        if (st == AS_OK)
            st = as_sbuf_status(&sink.buf, pdf_path);
        if (st == AS_OK)
            st = write_bytes(pdf_path, &sink.buf);
    }

done:
    if (surf)
        ca.cairo_surface_destroy(surf);
    as_sbuf_free(&sink.buf);
    as_sbuf_free(&texts);
    as_free(title);
    as_free(svg_path);
    as_free(png_path);
    as_free(pdf_path);
    return st;
}

#endif /* AS_HAVE_CAIRO */

as_status as_plot_save_grid(const as_plot *const *plots, size_t n, size_t ncols, const char *dir,
                            const char *basename)
{
    return as_plot_save_grid_as(plots, n, ncols, dir, basename, NULL);
}

as_status as_plot_save(const as_plot *p, const char *dir, const char *basename)
{
    if (!p)
        return AS_FAIL(AS_EINVAL, "plot: NULL plot");
    const as_plot *const one[1] = {p};
    return as_plot_save_grid(one, 1, 1, dir, basename);
}
