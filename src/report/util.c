/* Report helpers: growable strings, HTML/XML escaping, the ^{}/_{} label markup, nice axis ticks
 * (Heckbert, "Nice numbers for graph labels", Graphics Gems I, 1990), the viridis-like colour
 * map (control points from matplotlib's viridis table), the series palette (matplotlib's tab10)
 * and mkdir -p. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "report_int.h"

/* ---------------------------------- strings ---------------------------------- */

void as_sbuf_escape(as_sbuf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *ent = NULL;
        switch (*s) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: break;
        }
        if (ent) {
            as_sbuf_putn(b, run, (size_t)(s - run));
            as_sbuf_puts(b, ent);
            run = s + 1;
        }
    }
    as_sbuf_putn(b, run, (size_t)(s - run));
}

void as_sbuf_plain(as_sbuf *b, const char *s)
{
    if (!s)
        return;
    size_t pos = 0;
    as_text_run r;
    while (as_text_next_run(s, &pos, &r))
        as_sbuf_putn(b, r.s, r.n);
}

/* ---------------------------------- markup ---------------------------------- */

int as_text_next_run(const char *label, size_t *pos, as_text_run *run)
{
    const char *s = label + *pos;
    if (!*s)
        return 0;
    if ((s[0] == '^' || s[0] == '_') && s[1] == '{') {
        const char *close = strchr(s + 2, '}');
        if (close) {
            run->s = s + 2;
            run->n = (size_t)(close - (s + 2));
            run->shift = s[0] == '^' ? 1 : -1;
            *pos += (size_t)(close + 1 - s);
            return 1;
        }
    }
    /* a normal run ends before the next markup opener */
    size_t i = 1;
    while (s[i] && !((s[i] == '^' || s[i] == '_') && s[i + 1] == '{' && strchr(s + i + 2, '}')))
        i++;
    run->s = s;
    run->n = i;
    run->shift = 0;
    *pos += i;
    return 1;
}

char *as_formula_markup(const char *name)
{
    if (!name)
        return NULL;
    as_sbuf b = {0};
    for (const char *s = name; *s;) {
        if (*s >= '0' && *s <= '9' && s > name &&
            ((s[-1] >= 'a' && s[-1] <= 'z') || (s[-1] >= 'A' && s[-1] <= 'Z'))) {
            const char *e = s;
            while (*e >= '0' && *e <= '9')
                e++;
            as_sbuf_puts(&b, "_{");
            as_sbuf_putn(&b, s, (size_t)(e - s));
            as_sbuf_puts(&b, "}");
            s = e;
        } else {
            as_sbuf_putn(&b, s, 1);
            s++;
        }
    }
    if (b.oom || !b.s) {
        if (!b.oom && !b.s)
            return as_strdup("");
        as_sbuf_free(&b);
        return NULL;
    }
    return b.s;
}

/* ---------------------------------- ticks ---------------------------------- */

double as_nice_number(double x, int round)
{
    double e = floor(log10(x));
    double p = pow(10.0, e);
    double f = x / p;
    double nf;
    if (round)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * p;
}

void as_ticks_make(double lo, double hi, int target, int expand, int integer, as_ticks *t)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi < lo) {
        double tmp = lo;
        lo = hi;
        hi = tmp;
    }
    /* a range too small to resolve in doubles is widened around its centre */
    double mag = AS_MAX(fabs(lo), fabs(hi));
    if (hi - lo <= mag * 1e-12 || hi - lo < 1e-300) {
        double d = mag > 0 ? mag * 0.1 : 0.5;
        if (integer)
            d = AS_MAX(d, 1.0);
        lo -= d;
        hi += d;
    }
    if (target < 2)
        target = 2;
    /* Heckbert first rounds the range up to a nice number, which can halve the tick count
     * ([0, 1.04] gives steps of 0.5); the step is taken from the raw range instead. */
    double step = as_nice_number((hi - lo) / (target - 1), 1);
    if (integer && step < 1)
        step = 1;
    if (expand) {
        lo = floor(lo / step) * step;
        hi = ceil(hi / step) * step;
    }
    t->lo = lo;
    t->hi = hi;
    t->step = step;
    /* ticks are integers k times step; a relative slack keeps ticks that sit on the ends */
    double slack = step * 1e-9;
    double k0 = ceil((lo - slack) / step);
    double k1 = floor((hi + slack) / step);
    t->first = k0 * step;
    t->count = k1 >= k0 ? (size_t)(k1 - k0) + 1 : 0;
    mag = AS_MAX(fabs(lo), fabs(hi));
    if (mag >= 1e6 || step < 1e-5)
        t->decimals = -1;
    else {
        int dec = (int)-floor(log10(step) + 1e-9);
        t->decimals = dec > 0 ? dec : 0;
    }
}

double as_ticks_value(const as_ticks *t, size_t i)
{
    double k = round(t->first / t->step) + (double)i;
    double v = k * t->step;
    return k == 0 ? 0.0 : v;
}

void as_ticks_label(const as_ticks *t, double v, char *buf, size_t cap)
{
    if (fabs(v) < t->step * 1e-9)
        v = 0;
    if (t->decimals < 0)
        snprintf(buf, cap, "%.3g", v);
    else
        snprintf(buf, cap, "%.*f", t->decimals, v);
}

/* ---------------------------------- colours ---------------------------------- */

/* viridis at u = k/16, k = 0..16: matplotlib's _viridis_data rows round(255 k / 16) = 0, 16,
 * 32, ..., 128, 143, ..., 239, 255. Linear interpolation between them stays within 0.023 of
 * matplotlib's 256-entry map (tests/fixtures/report_viridis_ref.py). */
const double as_colormap_stops[AS_COLORMAP_NSTOPS][3] = {
    {0.267004, 0.004874, 0.329415}, {0.282327, 0.094955, 0.417331}, {0.278826, 0.175490, 0.483397},
    {0.258965, 0.251537, 0.524736}, {0.229739, 0.322361, 0.545706}, {0.199430, 0.387607, 0.554642},
    {0.172719, 0.448791, 0.557885}, {0.149039, 0.508051, 0.557250}, {0.127568, 0.566949, 0.550556},
    {0.120081, 0.622161, 0.534946}, {0.153894, 0.680203, 0.504172}, {0.239374, 0.735588, 0.455688},
    {0.360741, 0.785964, 0.387814}, {0.506271, 0.828786, 0.300362}, {0.668054, 0.861999, 0.196293},
    {0.835270, 0.886029, 0.102646}, {0.993248, 0.906157, 0.143936},
};

void as_colormap(double u, double rgb[3])
{
    if (isnan(u)) {
        rgb[0] = rgb[1] = rgb[2] = 0.6;
        return;
    }
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double f = u * (AS_COLORMAP_NSTOPS - 1);
    int k = (int)floor(f);
    if (k >= AS_COLORMAP_NSTOPS - 1)
        k = AS_COLORMAP_NSTOPS - 2;
    double w = f - k;
    const double *a = as_colormap_stops[k], *b = as_colormap_stops[k + 1];
    for (int i = 0; i < 3; i++)
        rgb[i] = a[i] + w * (b[i] - a[i]);
}

void as_palette(int color, double rgb[3])
{
    static const unsigned char tab10[AS_PLOT_NCOLORS][3] = {
        {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
    };
    if (color == AS_PLOT_BLACK) {
        rgb[0] = rgb[1] = rgb[2] = 0.0;
        return;
    }
    if (color == AS_PLOT_GREY || color < 0) {
        rgb[0] = rgb[1] = rgb[2] = 0.45;
        return;
    }
    const unsigned char *c = tab10[color % AS_PLOT_NCOLORS];
    for (int i = 0; i < 3; i++)
        rgb[i] = c[i] / 255.0;
}

/* ---------------------------------- paths ---------------------------------- */

char *as_path_join(const char *dir, const char *base, const char *ext)
{
    as_sbuf b = {0};
    if (dir && *dir) {
        as_sbuf_puts(&b, dir);
        if (dir[strlen(dir) - 1] != '/')
            as_sbuf_puts(&b, "/");
    }
    as_sbuf_puts(&b, base);
    as_sbuf_puts(&b, ext);
    if (b.oom) {
        as_sbuf_free(&b);
        return NULL;
    }
    return b.s;
}

static as_status mkdir_one(const char *path)
{
    if (mkdir(path, 0777) == 0)
        return AS_OK;
    int e = errno;
    struct stat sb;
    if (e == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return AS_OK;
    if (e == EEXIST)
        return AS_FAIL(AS_EIO, "cannot create directory %s: a file of that name exists", path);
    return AS_FAIL(AS_EIO, "cannot create directory %s: %s", path, strerror(e));
}

as_status as_mkdir_p(const char *dir)
{
    if (!dir || !*dir)
        return AS_FAIL(AS_EINVAL, "report: empty directory name");
    char *p = as_strdup(dir);
    if (!p)
        return AS_FAIL(AS_ENOMEM, "report: cannot copy directory name %s", dir);
    as_status st = AS_OK;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (s[-1] != '/')
            st = mkdir_one(p);
        *s = '/';
        if (st != AS_OK)
            goto done;
    }
    st = mkdir_one(p);
done:
    as_free(p);
    return st;
}
