/* Calibration of success probabilities as scikit-learn 1.2 does it (sklearn/calibration.py,
 * sklearn/isotonic.py): the uniform-bin reliability curve and its expected calibration error,
 * Platt scaling (_sigmoid_calibration, here on the logit of the probability) and isotonic
 * regression (pool-adjacent-violators, interpolated, clipped). docs/evaluate.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "alloyscout/evaluate.h"

struct as_calibrator {
    as_calibration_method method;
    double a, b; /* Platt */
    size_t n;    /* isotonic: fitted points */
    double *x, *y;
};

static as_status check_prob(const double *prob, const int *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!(prob[i] >= 0.0 && prob[i] <= 1.0))
            return AS_FAIL(AS_EINVAL, "calibration: probability %zu is %g, not in [0, 1]", i,
                           prob[i]);
        if (y[i] != 0 && y[i] != 1)
            return AS_FAIL(AS_EINVAL, "calibration: label %zu is %d, expected 0 or 1", i, y[i]);
    }
    return AS_OK;
}

/* numpy's searchsorted(linspace(0, 1, n_bins + 1)[1:-1], p): the number of inner edges below p */
static size_t bin_of(double p, size_t n_bins)
{
    double step = 1.0 / (double)n_bins;
    size_t b = 0;
    while (b + 1 < n_bins && (double)(b + 1) * step < p)
        b++;
    return b;
}

as_status as_calibration_curve(const double *prob, const int *y, size_t n, size_t n_bins,
                               double *prob_true, double *prob_pred, size_t *count, size_t *n_out)
{
    *n_out = 0;
    if (n_bins == 0)
        return AS_FAIL(AS_EINVAL, "calibration: 0 bins");
    AS_TRY(check_prob(prob, y, n));
    double *sp, *sy;
    size_t *c;
    AS_TRY(AS_ALLOC(sp, n_bins, "calibration: bins"));
    sy = as_calloc(n_bins, sizeof *sy);
    c = as_calloc(n_bins, sizeof *c);
    if (!sy || !c) {
        as_free(sp);
        as_free(sy);
        as_free(c);
        return AS_FAIL(AS_ENOMEM, "calibration: bins");
    }
    memset(sp, 0, n_bins * sizeof *sp);
    for (size_t i = 0; i < n; i++) {
        size_t b = bin_of(prob[i], n_bins);
        sp[b] += prob[i];
        sy[b] += y[i];
        c[b]++;
    }
    for (size_t b = 0; b < n_bins; b++)
        if (c[b]) {
            prob_true[*n_out] = sy[b] / (double)c[b];
            prob_pred[*n_out] = sp[b] / (double)c[b];
            count[*n_out] = c[b];
            (*n_out)++;
        }
    as_free(sp);
    as_free(sy);
    as_free(c);
    return AS_OK;
}

as_status as_expected_calibration_error(const double *prob, const int *y, size_t n, size_t n_bins,
                                        double *ece)
{
    *ece = NAN;
    if (n_bins == 0)
        return AS_FAIL(AS_EINVAL, "calibration: 0 bins");
    double *pt, *pp;
    size_t *c, k;
    AS_TRY(AS_ALLOC(pt, n_bins, "calibration: bins"));
    pp = as_malloc(n_bins * sizeof *pp);
    c = as_malloc(n_bins * sizeof *c);
    as_status st = !pp || !c ? AS_FAIL(AS_ENOMEM, "calibration: bins")
                             : as_calibration_curve(prob, y, n, n_bins, pt, pp, c, &k);
    if (st == AS_OK && n > 0) {
        double e = 0.0;
        for (size_t b = 0; b < k; b++)
            e += (double)c[b] * fabs(pt[b] - pp[b]);
        *ece = e / (double)n;
    }
    as_free(pt);
    as_free(pp);
    as_free(c);
    return st;
}

as_status as_calibration_parse(const char *s, as_calibration_method *out)
{
    if (s && strcmp(s, "none") == 0)
        *out = AS_CALIBRATION_NONE;
    else if (s && strcmp(s, "platt") == 0)
        *out = AS_CALIBRATION_PLATT;
    else if (s && strcmp(s, "isotonic") == 0)
        *out = AS_CALIBRATION_ISOTONIC;
    else
        return AS_FAIL(AS_EINVAL, "calibration '%s' unknown (expected none, platt or isotonic)",
                       s ? s : "");
    return AS_OK;
}

const char *as_calibration_name(as_calibration_method m)
{
    return m == AS_CALIBRATION_PLATT ? "platt" : m == AS_CALIBRATION_ISOTONIC ? "isotonic" : "none";
}

static double logit_clip(double p)
{
    double z = log(p) - log1p(-p);
    return z > 36.0 ? 36.0 : z < -36.0 ? -36.0 : z;
}

/* log(1 + exp(z)) without overflow */
static double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

/* Platt's objective sum -(t log P + (1 - t) log(1 - P)), P = 1 / (1 + exp(a f + b)); with
 * z = a f + b: -t log P = t softplus(z), -(1 - t) log(1 - P) = (1 - t) softplus(-z). */
static double platt_obj(const double *f, const double *t, size_t n, double a, double b)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double z = a * f[i] + b;
        s += t[i] * softplus(z) + (1.0 - t[i]) * softplus(-z);
    }
    return s;
}

static as_status fit_platt(const double *prob, const int *y, size_t n, as_calibrator *c)
{
    double *f, *t;
    AS_TRY(AS_ALLOC(f, 2 * n, "calibration: Platt"));
    t = f + n;
    double n1 = 0, n0;
    for (size_t i = 0; i < n; i++)
        n1 += y[i];
    n0 = (double)n - n1;
    for (size_t i = 0; i < n; i++) {
        f[i] = logit_clip(prob[i]);
        t[i] = y[i] ? (n1 + 1.0) / (n1 + 2.0) : 1.0 / (n0 + 2.0);
    }
    /* Newton with backtracking from scikit-learn's start (0, log((n0 + 1) / (n1 + 1))) */
    double a = 0.0, b = log((n0 + 1.0) / (n1 + 1.0)), obj = platt_obj(f, t, n, a, b);
    int ok = 0;
    for (int it = 0; it < 500; it++) {
        double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
        for (size_t i = 0; i < n; i++) {
            double z = a * f[i] + b, q = 1.0 / (1.0 + exp(-z)); /* 1 - P */
            double g = q - (1.0 - t[i]), w = q * (1.0 - q);
            ga += g * f[i];
            gb += g;
            haa += w * f[i] * f[i];
            hab += w * f[i];
            hbb += w;
        }
        if (fabs(ga) < 1e-10 * (double)n && fabs(gb) < 1e-10 * (double)n) {
            ok = 1;
            break;
        }
        /* Newton direction on the (convex) objective, a little damping for a singular
         * Hessian; steepest descent if that is no descent direction */
        double damp = 1e-10 * (haa + hbb) + 1e-300;
        haa += damp;
        hbb += damp;
        double det = haa * hbb - hab * hab;
        double da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det;
        if (!(det > 0) || !(ga * da + gb * db < 0)) {
            da = -ga;
            db = -gb;
        }
        double step = 1.0, nobj = obj;
        int moved = 0;
        for (int ls = 0; ls < 60; ls++, step *= 0.5) {
            nobj = platt_obj(f, t, n, a + step * da, b + step * db);
            if (nobj <= obj + 1e-4 * step * (ga * da + gb * db)) {
                moved = 1;
                break;
            }
        }
        if (!moved || obj - nobj <= 1e-15 * fabs(obj)) {
            /* no decrease left at double precision: the optimum to rounding */
            if (moved) {
                a += step * da;
                b += step * db;
            }
            ok = 1;
            break;
        }
        a += step * da;
        b += step * db;
        obj = nobj;
    }
    as_free(f);
    if (!ok || !isfinite(a) || !isfinite(b))
        return AS_FAIL(AS_ENOCONV, "calibration: Platt scaling did not converge");
    c->a = a;
    c->b = b;
    return AS_OK;
}

typedef struct {
    double p;
    int y;
} py_pair;

static int cmp_py(const void *u, const void *v)
{
    const py_pair *a = u, *b = v;
    if (a->p != b->p)
        return a->p < b->p ? -1 : 1;
    return (a->y > b->y) - (a->y < b->y);
}

static as_status fit_isotonic(const double *prob, const int *y, size_t n, as_calibrator *c)
{
    py_pair *s;
    double *x, *v, *w;
    AS_TRY(AS_ALLOC(s, n, "calibration: isotonic"));
    x = as_malloc(n * sizeof *x);
    v = as_malloc(n * sizeof *v);
    w = as_malloc(n * sizeof *w);
    if (!x || !v || !w) {
        as_free(s);
        as_free(x);
        as_free(v);
        as_free(w);
        return AS_FAIL(AS_ENOMEM, "calibration: isotonic");
    }
    for (size_t i = 0; i < n; i++)
        s[i] = (py_pair){prob[i], y[i]};
    qsort(s, n, sizeof *s, cmp_py);
    /* equal p pooled: mean label, weight = count (sklearn's _make_unique) */
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double sum = 0;
        while (j < n && s[j].p == s[i].p)
            sum += s[j++].y;
        x[m] = s[i].p;
        v[m] = sum / (double)(j - i);
        w[m] = (double)(j - i);
        m++;
        i = j;
    }
    as_free(s);
    /* pool adjacent violators over blocks: block k covers [start[k], start[k+1]) */
    size_t *start = as_malloc((m + 1) * sizeof *start), nb = 0;
    double *bv = as_malloc(m * sizeof *bv), *bw = as_malloc(m * sizeof *bw);
    if (!start || !bv || !bw) {
        as_free(start);
        as_free(bv);
        as_free(bw);
        as_free(x);
        as_free(v);
        as_free(w);
        return AS_FAIL(AS_ENOMEM, "calibration: isotonic");
    }
    for (size_t i = 0; i < m; i++) {
        start[nb] = i;
        bv[nb] = v[i];
        bw[nb] = w[i];
        nb++;
        while (nb > 1 && bv[nb - 2] >= bv[nb - 1]) {
            double ww = bw[nb - 2] + bw[nb - 1];
            bv[nb - 2] = (bv[nb - 2] * bw[nb - 2] + bv[nb - 1] * bw[nb - 1]) / ww;
            bw[nb - 2] = ww;
            nb--;
        }
    }
    start[nb] = m;
    for (size_t k = 0; k < nb; k++)
        for (size_t i = start[k]; i < start[k + 1]; i++)
            v[i] = bv[k];
    as_free(start);
    as_free(bv);
    as_free(bw);
    /* keep the ends of each constant run (sklearn's trim_duplicates; same interpolation) */
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || i == m - 1 || v[i] != v[i - 1] || v[i] != v[i + 1]) {
            x[k] = x[i];
            v[k] = v[i];
            k++;
        }
    as_free(w);
    c->x = x;
    c->y = v;
    c->n = k;
    return AS_OK;
}

as_status as_calibrator_fit(as_calibration_method m, const double *prob, const int *y, size_t n,
                            as_calibrator **out)
{
    *out = NULL;
    if (m != AS_CALIBRATION_NONE && m != AS_CALIBRATION_PLATT && m != AS_CALIBRATION_ISOTONIC)
        return AS_FAIL(AS_EINVAL, "calibration: method %d unknown", (int)m);
    AS_TRY(check_prob(prob, y, n));
    size_t n1 = 0;
    for (size_t i = 0; i < n; i++)
        n1 += y[i] == 1;
    if (m != AS_CALIBRATION_NONE && (n1 == 0 || n1 == n))
        return AS_FAIL(AS_EINVAL, "calibration: %s needs both classes (%zu rows, %zu positive)",
                       as_calibration_name(m), n, n1);
    as_calibrator *c = as_calloc(1, sizeof *c);
    if (!c)
        return AS_FAIL(AS_ENOMEM, "calibration: calibrator");
    c->method = m;
    c->a = c->b = NAN;
    as_status st = AS_OK;
    if (m == AS_CALIBRATION_PLATT)
        st = fit_platt(prob, y, n, c);
    else if (m == AS_CALIBRATION_ISOTONIC)
        st = fit_isotonic(prob, y, n, c);
    if (st != AS_OK) {
        as_calibrator_free(c);
        return st;
    }
    *out = c;
    return AS_OK;
}

void as_calibrator_free(as_calibrator *c)
{
    if (!c)
        return;
    as_free(c->x);
    as_free(c->y);
    as_free(c);
}

as_calibration_method as_calibrator_method(const as_calibrator *c) { return c->method; }

void as_calibrator_platt(const as_calibrator *c, double *a, double *b)
{
    *a = c->method == AS_CALIBRATION_PLATT ? c->a : NAN;
    *b = c->method == AS_CALIBRATION_PLATT ? c->b : NAN;
}

/* numpy's interp(p, x, y) with p clipped to [x[0], x[n-1]] */
static double interp(const double *x, const double *y, size_t n, double p)
{
    if (n == 1 || p <= x[0])
        return y[0];
    if (p >= x[n - 1])
        return y[n - 1];
    size_t lo = 0, hi = n - 1; /* x[lo] <= p < x[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] <= p)
            lo = mid;
        else
            hi = mid;
    }
    double slope = (y[hi] - y[lo]) / (x[hi] - x[lo]);
    return slope * (p - x[lo]) + y[lo];
}

void as_calibrator_apply(const as_calibrator *c, const double *prob, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        double p = prob[i];
        if (c->method == AS_CALIBRATION_PLATT)
            out[i] = 1.0 / (1.0 + exp(c->a * logit_clip(p) + c->b));
        else if (c->method == AS_CALIBRATION_ISOTONIC)
            out[i] = interp(c->x, c->y, c->n, p);
        else
            out[i] = p;
    }
}

as_status as_calibrator_to_json(const as_calibrator *c, as_json **out)
{
    as_json *j = as_json_object();
    as_status st = AS_OK;
    *out = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "calibration: JSON");
    AS_CHECK(as_json_set_str(j, "method", as_calibration_name(c->method)));
    if (c->method == AS_CALIBRATION_PLATT) {
        AS_CHECK(as_json_set_num(j, "a", c->a));
        AS_CHECK(as_json_set_num(j, "b", c->b));
    } else if (c->method == AS_CALIBRATION_ISOTONIC) {
        AS_CHECK(as_json_set_doubles(j, "x", c->x, c->n));
        AS_CHECK(as_json_set_doubles(j, "y", c->y, c->n));
    }
    *out = j;
    return AS_OK;
fail:
    as_json_free(j);
    return st;
}

as_status as_calibrator_from_json(const as_json *j, const char *where, as_calibrator **out)
{
    const char *ms;
    as_calibration_method m;
    *out = NULL;
    AS_TRY(as_json_get_str(j, "method", where, &ms));
    if (as_calibration_parse(ms, &m) != AS_OK)
        return AS_FAIL(AS_EPARSE, "%s: calibration method '%s' unknown", where, ms);
    as_calibrator *c = as_calloc(1, sizeof *c);
    if (!c)
        return AS_FAIL(AS_ENOMEM, "calibration: calibrator");
    c->method = m;
    c->a = c->b = NAN;
    as_status st = AS_OK;
    if (m == AS_CALIBRATION_PLATT) {
        AS_CHECK(as_json_get_num(j, "a", where, &c->a));
        AS_CHECK(as_json_get_num(j, "b", where, &c->b));
        if (!isfinite(c->a) || !isfinite(c->b)) {
            st = AS_FAIL(AS_EPARSE, "%s: Platt parameters not finite", where);
            goto fail;
        }
    } else if (m == AS_CALIBRATION_ISOTONIC) {
        size_t n = as_json_size(as_json_get(j, "x"));
        if (n == 0 || as_json_size(as_json_get(j, "y")) != n) {
            st = AS_FAIL(AS_EPARSE, "%s: isotonic 'x' and 'y' must be arrays of one length", where);
            goto fail;
        }
        c->n = n;
        c->x = as_malloc(n * sizeof *c->x);
        c->y = as_malloc(n * sizeof *c->y);
        if (!c->x || !c->y) {
            st = AS_FAIL(AS_ENOMEM, "calibration: calibrator");
            goto fail;
        }
        AS_CHECK(as_json_get_doubles(j, "x", where, c->x, n));
        AS_CHECK(as_json_get_doubles(j, "y", where, c->y, n));
        for (size_t i = 0; i < n; i++)
            if (!isfinite(c->x[i]) || !isfinite(c->y[i]) || (i && c->x[i] <= c->x[i - 1])) {
                st = AS_FAIL(AS_EPARSE, "%s: isotonic point %zu not finite or not increasing",
                             where, i);
                goto fail;
            }
    }
    *out = c;
    return AS_OK;
fail:
    as_calibrator_free(c);
    return st;
}
