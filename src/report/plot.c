/* Plot objects: the series a plot holds and their styles (drawing is in render.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "report_int.h"

as_status as_plot_create(const char *title, const char *xlabel, const char *ylabel, as_plot **out)
{
    *out = NULL;
    as_plot *p = as_calloc(1, sizeof *p);
    if (!p)
        return AS_FAIL(AS_ENOMEM, "plot: cannot allocate a plot");
    p->width = 800;
    p->height = 600;
    if ((title && !(p->title = as_strdup(title))) || (xlabel && !(p->xlabel = as_strdup(xlabel))) ||
        (ylabel && !(p->ylabel = as_strdup(ylabel)))) {
        as_plot_free(p);
        return AS_FAIL(AS_ENOMEM, "plot: cannot copy the labels");
    }
    *out = p;
    return AS_OK;
}

static void series_free(as_series *s)
{
    as_free(s->label);
    as_free(s->x);
    as_free(s->y);
    as_free(s->c);
    if (s->names)
        for (size_t i = 0; i < s->n; i++)
            as_free(s->names[i]);
    as_free(s->names);
    as_free(s->colors);
}

static void cats_free(as_plot *p, int axis)
{
    for (size_t i = 0; i < p->ncat[axis]; i++)
        as_free(p->cat[axis][i]);
    as_free(p->cat[axis]);
    as_free(p->catpos[axis]);
    p->cat[axis] = NULL;
    p->catpos[axis] = NULL;
    p->ncat[axis] = 0;
}

void as_plot_free(as_plot *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ns; i++)
        series_free(&p->s[i]);
    as_free(p->s);
    as_free(p->title);
    as_free(p->xlabel);
    as_free(p->ylabel);
    as_free(p->clabel);
    cats_free(p, 0);
    cats_free(p, 1);
    as_free(p);
}

as_status as_plot_set_size(as_plot *p, int width_px, int height_px)
{
    if (width_px < 200 || width_px > 4000 || height_px < 200 || height_px > 4000)
        return AS_FAIL(AS_EINVAL, "plot: size %d x %d px outside [200, 4000]", width_px, height_px);
    p->width = width_px;
    p->height = height_px;
    return AS_OK;
}

/* Fix an axis range: checked, then stored with its flag. */
static as_status set_range(const char *axis, double lo, double hi, int *fix, double *plo,
                           double *phi)
{
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return AS_FAIL(AS_EINVAL, "plot: %s range [%g, %g] must be finite with lo < hi", axis, lo,
                       hi);
    *fix = 1;
    *plo = lo;
    *phi = hi;
    return AS_OK;
}

as_status as_plot_set_xrange(as_plot *p, double lo, double hi)
{
    return set_range("x", lo, hi, &p->xfix, &p->xlo, &p->xhi);
}

as_status as_plot_set_yrange(as_plot *p, double lo, double hi)
{
    return set_range("y", lo, hi, &p->yfix, &p->ylo, &p->yhi);
}

as_status as_plot_set_crange(as_plot *p, double lo, double hi)
{
    return set_range("colour", lo, hi, &p->cfix, &p->clo, &p->chi);
}

void as_plot_set_integer_ticks(as_plot *p, int x_on, int y_on)
{
    p->xint = x_on != 0;
    p->yint = y_on != 0;
}

as_plot_style *as_plot_last_style(as_plot *p) { return p && p->ns ? &p->s[p->ns - 1].style : NULL; }

/* Append a zeroed series of the given kind with default style; the caller fills the data. */
static as_status add_series(as_plot *p, as_series_kind kind, const char *label, as_series **out)
{
    *out = NULL;
    if (p->ns == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        as_series *s = as_realloc(p->s, cap * sizeof *s);
        if (!s)
            return AS_FAIL(AS_ENOMEM, "plot: cannot grow the series list");
        p->s = s;
        p->cap = cap;
    }
    as_series *s = &p->s[p->ns];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    if (label && *label && !(s->label = as_strdup(label)))
        return AS_FAIL(AS_ENOMEM, "plot: cannot copy the series label");
    s->style.dash = 0;
    s->style.marker = kind == AS_SERIES_SCATTER ? AS_MARKER_CIRCLE : AS_MARKER_NONE;
    s->style.width_px = 2.0;
    s->style.marker_px = 8.0;
    s->style.alpha = 1.0;
    switch (kind) {
    case AS_SERIES_HIST:
    case AS_SERIES_HISTCOUNT:
        s->style.alpha = 0.5;
        s->style.color = p->next_color++;
        break;
    case AS_SERIES_HLINE:
    case AS_SERIES_VLINE:
        s->style.dash = 1;
        s->style.width_px = 1.5;
        s->style.color = p->next_color++;
        break;
    case AS_SERIES_DIAGONAL:
        s->style.dash = 1;
        s->style.width_px = 1.5;
        s->style.color = AS_PLOT_GREY;
        break;
    case AS_SERIES_HEATMAP: s->style.color = AS_PLOT_GREY; break;
    case AS_SERIES_TEXT: s->style.color = AS_PLOT_BLACK; break;
    default: s->style.color = p->next_color++; break;
    }
    p->ns++;
    *out = s;
    return AS_OK;
}

/* Drop the last series after a failure while filling it. */
static as_status drop_last(as_plot *p, as_status st)
{
    p->ns--;
    if (p->s[p->ns].style.color >= 0 && p->next_color > 0)
        p->next_color--;
    series_free(&p->s[p->ns]);
    return st;
}

static as_status copy_doubles(double **dst, const double *src, size_t n, const char *what)
{
    *dst = NULL;
    if (n == 0)
        return AS_OK;
    *dst = as_malloc(n * sizeof **dst);
    if (!*dst)
        return AS_FAIL(AS_ENOMEM, "plot: cannot copy %zu %s values", n, what);
    memcpy(*dst, src, n * sizeof **dst);
    return AS_OK;
}

static as_status set_clabel(as_plot *p, const char *clabel)
{
    if (!clabel || !*clabel || p->clabel)
        return AS_OK;
    p->clabel = as_strdup(clabel);
    return p->clabel ? AS_OK : AS_FAIL(AS_ENOMEM, "plot: cannot copy the colour label");
}

as_status as_plot_line(as_plot *p, const double *x, const double *y, size_t n, const char *label)
{
    if (n > 0 && (!x || !y))
        return AS_FAIL(AS_EINVAL, "plot: line '%s' has %zu points but NULL data",
                       label ? label : "", n);
    as_series *s;
    AS_TRY(add_series(p, AS_SERIES_LINE, label, &s));
    as_status st;
    s->n = n;
    if ((st = copy_doubles(&s->x, x, n, "x")) != AS_OK ||
        (st = copy_doubles(&s->y, y, n, "y")) != AS_OK)
        return drop_last(p, st);
    return AS_OK;
}

as_status as_plot_scatter(as_plot *p, const double *x, const double *y, const double *c, size_t n,
                          const char *label, const char *clabel)
{
    if (n > 0 && (!x || !y))
        return AS_FAIL(AS_EINVAL, "plot: scatter '%s' has %zu points but NULL data",
                       label ? label : "", n);
    as_series *s;
    AS_TRY(add_series(p, AS_SERIES_SCATTER, label, &s));
    as_status st;
    s->n = n;
    if ((st = copy_doubles(&s->x, x, n, "x")) != AS_OK ||
        (st = copy_doubles(&s->y, y, n, "y")) != AS_OK ||
        (c && (st = copy_doubles(&s->c, c, n, "colour")) != AS_OK) ||
        (c && (st = set_clabel(p, clabel)) != AS_OK))
        return drop_last(p, st);
    return AS_OK;
}

as_status as_plot_text(as_plot *p, const double *x, const double *y, const char *const *labels,
                       size_t n)
{
    if (n > 0 && (!x || !y || !labels))
        return AS_FAIL(AS_EINVAL, "plot: %zu text labels but NULL data", n);
    as_series *s;
    AS_TRY(add_series(p, AS_SERIES_TEXT, NULL, &s));
    as_status st;
    s->n = n;
    if ((st = copy_doubles(&s->x, x, n, "x")) != AS_OK ||
        (st = copy_doubles(&s->y, y, n, "y")) != AS_OK)
        return drop_last(p, st);
    s->names = as_calloc(n ? n : 1, sizeof *s->names);
    if (!s->names)
        return drop_last(p, AS_FAIL(AS_ENOMEM, "plot: cannot copy %zu text labels", n));
    for (size_t i = 0; i < n; i++)
        if (!(s->names[i] = as_strdup(labels[i] ? labels[i] : "")))
            return drop_last(p, AS_FAIL(AS_ENOMEM, "plot: cannot copy text label %zu", i));
    return AS_OK;
}

as_status as_plot_hist(as_plot *p, const double *values, size_t n, size_t bins, const char *label)
{
    if (n > 0 && !values)
        return AS_FAIL(AS_EINVAL, "plot: histogram '%s' has %zu values but NULL data",
                       label ? label : "", n);
    if (bins < 1 || bins > 100000)
        return AS_FAIL(AS_EINVAL, "plot: histogram '%s' bins %zu outside [1, 100000]",
                       label ? label : "", bins);
    as_series *s;
    AS_TRY(add_series(p, AS_SERIES_HIST, label, &s));
    as_status st;
    s->n = n;
    s->bins = bins;
    if ((st = copy_doubles(&s->x, values, n, "histogram")) != AS_OK)
        return drop_last(p, st);
    return AS_OK;
}

as_status as_plot_hist_counts(as_plot *p, const double *edges, const double *counts, size_t nbins,
                              const char *label)
{
    if (nbins < 1 || !edges || !counts)
        return AS_FAIL(AS_EINVAL, "plot: binned histogram '%s' needs nbins >= 1, edges and counts",
                       label ? label : "");
    for (size_t i = 0; i < nbins; i++)
        if (!(edges[i] < edges[i + 1]) || !isfinite(edges[i]) || !isfinite(edges[i + 1]))
            return AS_FAIL(AS_EINVAL,
                           "plot: binned histogram '%s': edges must be finite and increasing "
                           "(edge %zu = %g, edge %zu = %g)",
                           label ? label : "", i, edges[i], i + 1, edges[i + 1]);
    as_series *s;
    AS_TRY(add_series(p, AS_SERIES_HISTCOUNT, label, &s));
    as_status st;
    s->n = nbins;
    if ((st = copy_doubles(&s->x, edges, nbins + 1, "edge")) != AS_OK ||
        (st = copy_doubles(&s->y, counts, nbins, "count")) != AS_OK)
        return drop_last(p, st);
    return AS_OK;
}

as_status as_plot_bars(as_plot *p, const char *const *labels, const double *values,
                       const double *errors, size_t n)
{
    if (n < 1 || !labels || !values)
        return AS_FAIL(AS_EINVAL, "plot: a bar chart needs n >= 1 labels and values");
    for (size_t i = 0; i < p->ns; i++)
        if (p->s[i].kind == AS_SERIES_BARS)
            return AS_FAIL(AS_EINVAL, "plot: only one bar series per plot");
    as_series *s;
    AS_TRY(add_series(p, AS_SERIES_BARS, NULL, &s));
    as_status st;
    s->n = n;
    if ((st = copy_doubles(&s->y, values, n, "bar")) != AS_OK ||
        (errors && (st = copy_doubles(&s->c, errors, n, "error")) != AS_OK))
        return drop_last(p, st);
    s->names = as_calloc(n, sizeof *s->names);
    if (!s->names)
        return drop_last(p, AS_FAIL(AS_ENOMEM, "plot: cannot copy %zu bar labels", n));
    for (size_t i = 0; i < n; i++)
        if (!(s->names[i] = as_strdup(labels[i] ? labels[i] : "")))
            return drop_last(p, AS_FAIL(AS_ENOMEM, "plot: cannot copy bar label %zu", i));
    return AS_OK;
}

static as_status add_refline(as_plot *p, as_series_kind kind, double v, const char *label)
{
    if (!isfinite(v))
        return AS_FAIL(AS_EINVAL, "plot: reference line '%s' at a non-finite value",
                       label ? label : "");
    as_series *s;
    AS_TRY(add_series(p, kind, label, &s));
    s->value = v;
    return AS_OK;
}

as_status as_plot_hline(as_plot *p, double y, const char *label)
{
    return add_refline(p, AS_SERIES_HLINE, y, label);
}

as_status as_plot_vline(as_plot *p, double x, const char *label)
{
    return add_refline(p, AS_SERIES_VLINE, x, label);
}

as_status as_plot_diagonal(as_plot *p)
{
    as_series *s;
    return add_series(p, AS_SERIES_DIAGONAL, "y = x", &s);
}

as_status as_plot_heatmap(as_plot *p, const double *xs, size_t nx, const double *ys, size_t ny,
                          const double *z, const char *clabel)
{
    if (nx < 1 || ny < 1 || !xs || !ys || !z)
        return AS_FAIL(AS_EINVAL, "plot: a heat map needs nx, ny >= 1 and xs, ys, z");
    for (size_t i = 0; i < p->ns; i++)
        if (p->s[i].kind == AS_SERIES_HEATMAP)
            return AS_FAIL(AS_EINVAL, "plot: only one heat map per plot");
    for (size_t i = 0; i + 1 < nx; i++)
        if (!(xs[i] < xs[i + 1]))
            return AS_FAIL(AS_EINVAL,
                           "plot: heat map xs must increase (xs[%zu] = %g, xs[%zu] = %g)", i, xs[i],
                           i + 1, xs[i + 1]);
    for (size_t j = 0; j + 1 < ny; j++)
        if (!(ys[j] < ys[j + 1]))
            return AS_FAIL(AS_EINVAL,
                           "plot: heat map ys must increase (ys[%zu] = %g, ys[%zu] = %g)", j, ys[j],
                           j + 1, ys[j + 1]);
    for (size_t i = 0; i < nx; i++)
        if (!isfinite(xs[i]))
            return AS_FAIL(AS_EINVAL, "plot: heat map xs[%zu] is not finite", i);
    for (size_t j = 0; j < ny; j++)
        if (!isfinite(ys[j]))
            return AS_FAIL(AS_EINVAL, "plot: heat map ys[%zu] is not finite", j);
    as_series *s;
    AS_TRY(add_series(p, AS_SERIES_HEATMAP, NULL, &s));
    as_status st;
    s->n = nx;
    s->m = ny;
    if ((st = copy_doubles(&s->x, xs, nx, "heat map x")) != AS_OK ||
        (st = copy_doubles(&s->y, ys, ny, "heat map y")) != AS_OK ||
        (st = copy_doubles(&s->c, z, nx * ny, "heat map z")) != AS_OK ||
        (st = set_clabel(p, clabel)) != AS_OK)
        return drop_last(p, st);
    return AS_OK;
}

int as_plot_hist_edges(const as_plot *p, double *lo, double *hi, size_t *bins)
{
    double a = INFINITY, b = -INFINITY;
    size_t nb = 0;
    for (size_t i = 0; i < p->ns; i++) {
        const as_series *s = &p->s[i];
        if (s->kind != AS_SERIES_HIST)
            continue;
        nb = AS_MAX(nb, s->bins);
        for (size_t k = 0; k < s->n; k++)
            if (isfinite(s->x[k])) {
                a = AS_MIN(a, s->x[k]);
                b = AS_MAX(b, s->x[k]);
            }
    }
    if (!(a <= b))
        return 0;
    if (a == b) { /* one distinct value: a unit-width window around it (numpy's choice) */
        a -= 0.5;
        b += 0.5;
    }
    *lo = a;
    *hi = b;
    *bins = nb;
    return 1;
}

void as_hist_count(const double *x, size_t n, double lo, double hi, size_t bins, double *counts)
{
    for (size_t k = 0; k < bins; k++)
        counts[k] = 0;
    double w = (hi - lo) / (double)bins;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (!isfinite(v) || v < lo || v > hi)
            continue;
        size_t k = (size_t)((v - lo) / w);
        if (k >= bins)
            k = bins - 1; /* v == hi lands in the last, closed bin */
        /* guard against rounding of (v - lo) / w across an edge */
        while (k > 0 && v < lo + (double)k * w)
            k--;
        while (k + 1 < bins && v >= lo + (double)(k + 1) * w)
            k++;
        counts[k] += 1;
    }
}

static as_status set_categories(as_plot *p, int axis, const char *const *labels, const double *pos,
                                size_t n)
{
    const char *name = axis ? "y" : "x";
    if (n < 1 || !labels)
        return AS_FAIL(AS_EINVAL, "plot: %s categories need n >= 1 labels", name);
    for (size_t i = 0; pos && i < n; i++)
        if (!isfinite(pos[i]))
            return AS_FAIL(AS_EINVAL, "plot: %s category %zu at a non-finite position", name, i);
    cats_free(p, axis);
    p->cat[axis] = as_calloc(n, sizeof *p->cat[axis]);
    p->catpos[axis] = as_malloc(n * sizeof *p->catpos[axis]);
    if (!p->cat[axis] || !p->catpos[axis]) {
        as_free(p->cat[axis]);
        as_free(p->catpos[axis]);
        p->cat[axis] = NULL;
        p->catpos[axis] = NULL;
        return AS_FAIL(AS_ENOMEM, "plot: cannot copy %zu %s categories", n, name);
    }
    p->ncat[axis] = n;
    for (size_t i = 0; i < n; i++) {
        p->catpos[axis][i] = pos ? pos[i] : (double)i;
        if (!(p->cat[axis][i] = as_strdup(labels[i] ? labels[i] : ""))) {
            cats_free(p, axis);
            return AS_FAIL(AS_ENOMEM, "plot: cannot copy %s category %zu", name, i);
        }
    }
    return AS_OK;
}

as_status as_plot_set_xcategories(as_plot *p, const char *const *labels, const double *pos,
                                  size_t n)
{
    return set_categories(p, 0, labels, pos, n);
}

as_status as_plot_set_ycategories(as_plot *p, const char *const *labels, const double *pos,
                                  size_t n)
{
    return set_categories(p, 1, labels, pos, n);
}

as_status as_plot_bar_colors(as_plot *p, const int *colors, size_t n)
{
    as_series *b = NULL;
    for (size_t i = 0; i < p->ns; i++)
        if (p->s[i].kind == AS_SERIES_BARS)
            b = &p->s[i];
    if (!b || !colors || n != b->n)
        return AS_FAIL(AS_EINVAL,
                       "plot: bar colours need the bar series and one colour per bar "
                       "(%zu given)",
                       n);
    int *c = as_malloc(n * sizeof *c);
    if (!c)
        return AS_FAIL(AS_ENOMEM, "plot: cannot copy %zu bar colours", n);
    memcpy(c, colors, n * sizeof *c);
    as_free(b->colors);
    b->colors = c;
    return AS_OK;
}

double as_unneg(double v, int decimals)
{
    if (!isfinite(v))
        return v;
    char b[512];
    snprintf(b, sizeof b, "%.*f", decimals < 0 ? 0 : decimals > 30 ? 30 : decimals, v);
    if (b[0] != '-')
        return v + 0.0; /* -0.0 + 0.0 is +0.0 */
    return strspn(b + 1, "0.") == strlen(b + 1) ? 0.0 : v;
}

/* ---- output formats ---- */

/* The default output of saves without one (as_plot_set_default_output): process-wide, like the
 * log sink, set once by the CLI from --format and --dpi. */
static as_plot_output default_output = {AS_PLOT_SVG | AS_PLOT_PNG, 96};

as_plot_output as_plot_output_default(void)
{
    as_plot_output o = {AS_PLOT_SVG | AS_PLOT_PNG, 96};
    return o;
}

as_status as_plot_output_check(const as_plot_output *o)
{
    if (!o->formats || (o->formats & ~(AS_PLOT_SVG | AS_PLOT_PNG | AS_PLOT_PDF)))
        return AS_FAIL(AS_EINVAL, "plot: output formats 0x%x: expected svg, png and/or pdf",
                       o->formats);
    if (o->dpi < 50 || o->dpi > 1200)
        return AS_FAIL(AS_EINVAL, "plot: --dpi %d outside [50, 1200]", o->dpi);
    return AS_OK;
}

as_status as_plot_output_parse(const char *formats, int dpi, as_plot_output *out)
{
    as_plot_output o = {0, dpi};
    const char *p = formats ? formats : "";
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        static const char *const names[3] = {"svg", "png", "pdf"};
        unsigned bit = 0;
        for (unsigned k = 0; k < 3; k++)
            if (len == 3 && !strncasecmp(p, names[k], 3))
                bit = 1u << k;
        if (!bit)
            return AS_FAIL(AS_EINVAL, "--format '%s': '%.*s' is not svg, png or pdf", formats,
                           (int)len, p);
        if (o.formats & bit)
            return AS_FAIL(AS_EINVAL, "--format '%s': '%.*s' is given twice", formats, (int)len, p);
        o.formats |= bit;
        p = e ? e + 1 : p + len;
    }
    if (!o.formats)
        return AS_FAIL(AS_EINVAL, "--format is empty: give svg, png and/or pdf");
    AS_TRY(as_plot_output_check(&o));
    *out = o;
    return AS_OK;
}

as_status as_plot_set_default_output(const as_plot_output *o)
{
    if (!o) {
        default_output = as_plot_output_default();
        return AS_OK;
    }
    AS_TRY(as_plot_output_check(o));
    default_output = *o;
    return AS_OK;
}

as_plot_output as_plot_default_output(void) { return default_output; }
