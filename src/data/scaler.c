/* Z-score standardization fitted on training rows only: z = (x - mean) / scale, where scale is
 * the population standard deviation (ddof = 0), as scikit-learn's StandardScaler
 * (sklearn/preprocessing/_data.py). Mean and variance are computed in two passes (mean, then the
 * sum of squared deviations), which is exact for constant columns up to the rounding of the mean.
 * A column counts as constant when var <= n*eps*var + (n*mean*eps)^2, scikit-learn's
 * _is_constant_feature bound on the rounding error of the variance; its scale is then 1. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core_int.h"
#include "data_int.h"

struct as_scaler {
    size_t d;
    double *mean;  /* (d) */
    double *scale; /* (d), > 0 */
};

void as_scaler_free(as_scaler *s)
{
    if (!s)
        return;
    as_free(s->mean);
    as_free(s->scale);
    as_free(s);
}

size_t as_scaler_dim(const as_scaler *s) { return s->d; }
const double *as_scaler_mean(const as_scaler *s) { return s->mean; }
const double *as_scaler_scale(const as_scaler *s) { return s->scale; }

static as_status scaler_alloc(size_t d, as_scaler **out)
{
    as_status st;
    as_scaler *s = NULL;
    *out = NULL;
    AS_CHECK(AS_ALLOC(s, 1, "scaler"));
    s->d = d;
    AS_CHECK(AS_ALLOC(s->mean, d, "scaler mean"));
    AS_CHECK(AS_ALLOC(s->scale, d, "scaler scale"));
    *out = s;
    return AS_OK;
fail:
    as_scaler_free(s);
    return st;
}

as_status as_scaler_fit(const double *x, size_t n, size_t d, as_scaler **out)
{
    return as_scaler_fit_ex(x, n, d, 1, out);
}

as_status as_scaler_fit_ex(const double *x, size_t n, size_t d, int warn, as_scaler **out)
{
    /* x: (n, d) row-major, ld = d */
    *out = NULL;
    if (n == 0 || d == 0)
        return AS_FAIL(AS_EINVAL, "scaler: cannot fit on %zu rows x %zu columns", n, d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            if (!isfinite(x[i * d + j]))
                return AS_FAIL(AS_EINVAL, "scaler: value at row %zu, column %zu is not finite", i,
                               j);
    as_scaler *s;
    AS_TRY(scaler_alloc(d, &s));
    /* Columns whose largest |x| is so big that n squared deviations could overflow (1e308:
     * the variance became inf and the column looked "constant") are summed as x * 2^-e with
     * 2^e >= max |x|. A power of two scales every rounding step exactly, so the result equals
     * the unscaled one wherever that one did not overflow; other columns are not touched. */
    for (size_t j = 0; j < d; j++)
        s->scale[j] = 0; /* the largest |x| first */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            s->scale[j] = AS_MAX(s->scale[j], fabs(x[i * d + j]));
    const double big = 0x1p400; /* (2 * 2^400)^2 * n < DBL_MAX for any n < 2^220 */
    int *ex = NULL;
    as_status st0 = AS_ALLOC(ex, d, "scaler exponents");
    if (st0 != AS_OK) {
        as_scaler_free(s);
        return st0;
    }
    for (size_t j = 0; j < d; j++) {
        if (s->scale[j] > big)
            frexp(s->scale[j], &ex[j]);
        s->scale[j] = 0;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            s->mean[j] += ex[j] ? ldexp(x[i * d + j], -ex[j]) : x[i * d + j];
    for (size_t j = 0; j < d; j++)
        s->mean[j] /= (double)n;
    /* scale is used as the accumulator of squared deviations first */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double v = ex[j] ? ldexp(x[i * d + j], -ex[j]) : x[i * d + j];
            double dev = v - s->mean[j];
            s->scale[j] += dev * dev;
        }
    size_t n_const = 0, first_const = 0;
    for (size_t j = 0; j < d; j++) {
        double var = s->scale[j] / (double)n;
        double nm = (double)n * s->mean[j] * DBL_EPSILON;
        if (ex[j] && !(var <= (double)n * DBL_EPSILON * var + nm * nm)) { /* back to units of x */
            s->mean[j] = ldexp(s->mean[j], ex[j]);
            s->scale[j] = ldexp(sqrt(var), ex[j]);
            continue;
        }
        if (ex[j]) {
            s->mean[j] = ldexp(s->mean[j], ex[j]);
            var = 0; /* constant in scaled units: constant */
        }
        if (var <= (double)n * DBL_EPSILON * var + nm * nm) {
            if (!n_const++)
                first_const = j;
            s->scale[j] = 1.0;
        } else {
            s->scale[j] = sqrt(var);
        }
    }
    as_free(ex);
    /* one line for all constant columns; the scaler knows no column names, so callers that do
     * (synth) warn about them by name */
    if (n_const == 1)
        as_log(warn ? AS_LOG_WARN : AS_LOG_DEBUG,
               "scaler: feature column %zu is constant (value %.17g); its scale is set to 1",
               first_const, s->mean[first_const]);
    else if (n_const)
        as_log(warn ? AS_LOG_WARN : AS_LOG_DEBUG,
               "scaler: %zu feature columns are constant (the first is column %zu); their scale "
               "is set to 1",
               n_const, first_const);
    *out = s;
    return AS_OK;
}

as_status as_scaler_transform(const as_scaler *s, double *x, size_t n, size_t d)
{
    /* x: (n, d) row-major, ld = d, overwritten by z */
    if (d != s->d)
        return AS_FAIL(AS_EDIM, "scaler: fitted on %zu columns, given %zu", s->d, d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double z = (x[i * d + j] - s->mean[j]) / s->scale[j];
            if (!isfinite(z) && isfinite(x[i * d + j])) /* x - mean overflowed (|x| ~ 1e308) */
                z = x[i * d + j] / s->scale[j] - s->mean[j] / s->scale[j];
            x[i * d + j] = z;
        }
    return AS_OK;
}

as_status as_scaler_to_json(const as_scaler *s, as_json **out)
{
    as_status st;
    as_json *j = as_json_object();
    *out = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "scaler: cannot build JSON");
    AS_CHECK(as_json_set_doubles(j, "mean", s->mean, s->d));
    AS_CHECK(as_json_set_doubles(j, "scale", s->scale, s->d));
    *out = j;
    return AS_OK;
fail:
    as_json_free(j);
    return st;
}

as_status as_scaler_from_json(const as_json *j, as_scaler **out)
{
    as_status st;
    as_scaler *s = NULL;
    *out = NULL;
    size_t d = as_json_size(as_json_get(j, "mean"));
    if (d == 0)
        return AS_FAIL(AS_EPARSE, "scaler: 'mean' must be a non-empty array of numbers");
    AS_TRY(scaler_alloc(d, &s));
    AS_CHECK(as_json_get_doubles(j, "mean", "scaler", s->mean, d));
    AS_CHECK(as_json_get_doubles(j, "scale", "scaler", s->scale, d));
    for (size_t k = 0; k < d; k++) {
        if (!isfinite(s->mean[k])) {
            st = AS_FAIL(AS_EPARSE, "scaler: mean[%zu] is not a finite number", k);
            goto fail;
        }
        if (!isfinite(s->scale[k]) || !(s->scale[k] > 0)) {
            st = AS_FAIL(AS_EPARSE, "scaler: scale[%zu] must be a finite number > 0", k);
            goto fail;
        }
    }
    *out = s;
    return AS_OK;
fail:
    as_scaler_free(s);
    return st;
}
