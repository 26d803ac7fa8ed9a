/* Principal component analysis after an optional z-score, as in seed 004 Methods "Machine
 * Learning": features standardized to mean 0 and standard deviation 1, then the principal
 * components holding 99 % of the variance are kept.
 *
 *   z = (x - mean) / scale,   C = Z^T Z / (n - 1),   C v_j = lambda_j v_j (descending)
 *   keep the first k with sum_{j<=k} lambda_j / sum_j lambda_j > var_fraction
 * (scikit-learn's PCA(n_components=f) rule), projection p = z V_k^T. The eigen-decomposition of
 * the d x d covariance is used instead of an SVD of Z: d is small (15 in the paper). */
#include <math.h>
#include <string.h>

#include "gp_int.h"

struct as_pca {
    size_t d, k, rank;
    int standardize, enabled;
    double var_fraction;
    double *mean, *scale; /* (d) */
    double *comp;         /* (k, d), NULL when disabled */
    double *ev, *evr;     /* (rank) */
};

void as_pca_free(as_pca *p)
{
    if (!p)
        return;
    as_free(p->mean);
    as_free(p->scale);
    as_free(p->comp);
    as_free(p->ev);
    as_free(p->evr);
    as_free(p);
}

/* Fix the sign of a unit vector: largest-magnitude entry positive (first one on ties). */
static void sign_fix(double *v, size_t d)
{
    size_t jm = 0;
    for (size_t j = 1; j < d; j++)
        if (fabs(v[j]) > fabs(v[jm]))
            jm = j;
    if (v[jm] < 0)
        for (size_t j = 0; j < d; j++)
            v[j] = -v[j];
}

as_status as_pca_fit(const double *x, size_t n, size_t d, double var_fraction, int standardize,
                     as_pca **out)
{
    as_status st = AS_OK;
    as_pca *p = NULL;
    double *z = NULL, *cov = NULL, *w = NULL;
    if (!out)
        return AS_FAIL(AS_EINVAL, "pca: out pointer is NULL");
    *out = NULL;
    if (!x || n < 2 || d == 0)
        return AS_FAIL(AS_EINVAL, "pca: need n >= 2 samples and d >= 1 features (got %zu, %zu)", n,
                       d);
    if (!(var_fraction >= 0))
        return AS_FAIL(AS_EINVAL, "pca: variance fraction %g must be >= 0", var_fraction);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i]))
            return AS_FAIL(AS_EINVAL, "pca: input (%zu, %zu) is not finite", i / d, i % d);
    AS_CHECK(AS_ALLOC(p, 1, "pca"));
    p->d = d;
    p->standardize = standardize != 0;
    p->var_fraction = var_fraction;
    p->enabled = var_fraction > 0;
    AS_CHECK(AS_ALLOC(p->mean, d, "pca mean"));
    AS_CHECK(AS_ALLOC(p->scale, d, "pca scale"));
    for (size_t j = 0; j < d; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            m += x[i * d + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (x[i * d + j] - m) * (x[i * d + j] - m);
        v = sqrt(v / (double)n); /* population std, as StandardScaler */
        p->mean[j] = m;
        p->scale[j] = (standardize && v > 0) ? v : 1.0;
    }
    if (!p->enabled) {
        p->k = d;
        *out = p;
        return AS_OK;
    }
    AS_CHECK(AS_ALLOC(z, n * d, "pca scaled data"));
    AS_CHECK(AS_ALLOC(cov, d * d, "pca covariance"));
    AS_CHECK(AS_ALLOC(w, d, "pca eigenvalues"));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            z[i * d + j] = (x[i * d + j] - p->mean[j]) / p->scale[j];
    as_matrix Z = {n, d, d, z}, C = {d, d, d, cov};
    AS_CHECK(as_gemm(1, 0, 1.0 / (double)(n - 1), &Z, &Z, 0.0, &C));
    AS_CHECK(as_eigh(&C, w)); /* columns of cov: eigenvectors, w ascending */
    p->rank = AS_MIN(n, d);
    AS_CHECK(AS_ALLOC(p->ev, p->rank, "pca explained variance"));
    AS_CHECK(AS_ALLOC(p->evr, p->rank, "pca explained variance ratio"));
    double total = 0;
    for (size_t j = 0; j < d; j++)
        total += w[j] > 0 ? w[j] : 0;
    for (size_t r = 0; r < p->rank; r++) {
        double lam = w[d - 1 - r];
        p->ev[r] = lam > 0 ? lam : 0;
        p->evr[r] = total > 0 ? p->ev[r] / total : 0;
    }
    size_t k = p->rank;
    double cum = 0;
    for (size_t r = 0; r < p->rank; r++) {
        cum += p->evr[r];
        if (cum > var_fraction) {
            k = r + 1;
            break;
        }
    }
    p->k = k;
    AS_CHECK(AS_ALLOC(p->comp, k * d, "pca components"));
    for (size_t r = 0; r < k; r++) {
        for (size_t j = 0; j < d; j++)
            p->comp[r * d + j] = cov[j * d + (d - 1 - r)];
        sign_fix(p->comp + r * d, d);
    }
    *out = p;
    goto done;
fail:
    as_pca_free(p);
done:
    as_free(z);
    as_free(cov);
    as_free(w);
    return st;
}

as_status as_pca_transform(const as_pca *p, const double *xq, size_t m, double *z)
{
    if (!p || (m > 0 && (!xq || !z)))
        return AS_FAIL(AS_EINVAL, "pca: transform with a NULL model, input or output");
    size_t d = p->d, k = p->k;
    double zi[d];
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < d; j++)
            zi[j] = (xq[i * d + j] - p->mean[j]) / p->scale[j];
        if (!p->enabled) {
            memcpy(z + i * d, zi, d * sizeof *zi);
            continue;
        }
        for (size_t r = 0; r < k; r++) {
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += zi[j] * p->comp[r * d + j];
            z[i * k + r] = s;
        }
    }
    return AS_OK;
}

size_t as_pca_dim_in(const as_pca *p) { return p->d; }
size_t as_pca_dim_out(const as_pca *p) { return p->k; }
size_t as_pca_rank(const as_pca *p) { return p->enabled ? p->rank : 0; }
const double *as_pca_components(const as_pca *p) { return p->comp; }
const double *as_pca_explained_variance(const as_pca *p) { return p->ev; }
const double *as_pca_explained_variance_ratio(const as_pca *p) { return p->evr; }
const double *as_pca_mean(const as_pca *p) { return p->mean; }
const double *as_pca_scale(const as_pca *p) { return p->scale; }

/* ---- JSON: {standardize, var_fraction, d, k, rank, mean, scale, components,
 *             explained_variance} ---- */

as_status as_pca_to_json(const as_pca *p, as_json *o)
{
    AS_TRY(as_json_set_num(o, "standardize", p->standardize));
    AS_TRY(as_json_set_num(o, "var_fraction", p->var_fraction));
    AS_TRY(as_json_set_num(o, "d", (double)p->d));
    AS_TRY(as_json_set_num(o, "k", (double)p->k));
    AS_TRY(as_json_set_doubles(o, "mean", p->mean, p->d));
    AS_TRY(as_json_set_doubles(o, "scale", p->scale, p->d));
    if (p->enabled) {
        AS_TRY(as_json_set_num(o, "rank", (double)p->rank));
        AS_TRY(as_json_set_doubles(o, "components", p->comp, p->k * p->d));
        AS_TRY(as_json_set_doubles(o, "explained_variance", p->ev, p->rank));
    }
    return AS_OK;
}

static as_status get_size(const as_json *o, const char *key, const char *where, size_t lo,
                          size_t hi, size_t *out)
{
    double v;
    AS_TRY(as_json_get_num(o, key, where, &v));
    if (!(v >= (double)lo && v <= (double)hi) || v != floor(v))
        return AS_FAIL(AS_EPARSE, "%s: '%s' = %g is not an integer in [%zu, %zu]", where, key, v,
                       lo, hi);
    *out = (size_t)v;
    return AS_OK;
}

as_status as_pca_from_json(const as_json *o, const char *where, as_pca **out)
{
    as_status st = AS_OK;
    as_pca *p = NULL;
    *out = NULL;
    AS_CHECK(AS_ALLOC(p, 1, "pca"));
    double sd;
    AS_CHECK(as_json_get_num(o, "standardize", where, &sd));
    p->standardize = sd != 0;
    AS_CHECK(as_json_get_num(o, "var_fraction", where, &p->var_fraction));
    AS_CHECK(get_size(o, "d", where, 1, (size_t)1 << 20, &p->d));
    p->enabled = p->var_fraction > 0;
    AS_CHECK(get_size(o, "k", where, 1, p->d, &p->k));
    AS_CHECK(AS_ALLOC(p->mean, p->d, "pca mean"));
    AS_CHECK(AS_ALLOC(p->scale, p->d, "pca scale"));
    AS_CHECK(as_json_get_doubles(o, "mean", where, p->mean, p->d));
    AS_CHECK(as_json_get_doubles(o, "scale", where, p->scale, p->d));
    for (size_t j = 0; j < p->d; j++)
        if (!(p->scale[j] > 0)) {
            st = AS_FAIL(AS_EPARSE, "%s: scale %zu = %g must be > 0", where, j, p->scale[j]);
            goto fail;
        }
    if (p->enabled) {
        AS_CHECK(get_size(o, "rank", where, p->k, p->d, &p->rank));
        AS_CHECK(AS_ALLOC(p->comp, p->k * p->d, "pca components"));
        AS_CHECK(AS_ALLOC(p->ev, p->rank, "pca explained variance"));
        AS_CHECK(AS_ALLOC(p->evr, p->rank, "pca explained variance ratio"));
        AS_CHECK(as_json_get_doubles(o, "components", where, p->comp, p->k * p->d));
        AS_CHECK(as_json_get_doubles(o, "explained_variance", where, p->ev, p->rank));
        double total = 0;
        for (size_t r = 0; r < p->rank; r++)
            total += p->ev[r];
        for (size_t r = 0; r < p->rank; r++)
            p->evr[r] = total > 0 ? p->ev[r] / total : 0;
    } else if (p->k != p->d) {
        st = AS_FAIL(AS_EPARSE, "%s: k = %zu must equal d = %zu without PCA", where, p->k, p->d);
        goto fail;
    }
    *out = p;
    return AS_OK;
fail:
    as_pca_free(p);
    return st;
}
