/* Diagnostics of a GP fit (shared inputs with different targets, a likelihood below the null
 * model's) and k-fold cross-validation of the z-score + PCA + GP model with the regression
 * metrics of scikit-learn (mean_absolute_error, mean_squared_error, r2_score) plus predictive
 * coverage and the mean negative log predictive density of a Gaussian. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gp_int.h"

#define LOG_2PI 1.8378770664093454836

/* ---- shared inputs ---- */

typedef struct {
    const double *x;
    size_t d;
} row_ctx;

static row_ctx sort_ctx; /* qsort has no context argument; set and used within one call */

static int row_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const double *xa = sort_ctx.x + a * sort_ctx.d, *xb = sort_ctx.x + b * sort_ctx.d;
    for (size_t j = 0; j < sort_ctx.d; j++)
        if (xa[j] != xb[j])
            return xa[j] < xb[j] ? -1 : 1;
    return a < b ? -1 : a > b;
}

as_status as_gp_find_duplicates(const double *x, const double *y, size_t n, size_t d,
                                as_gp_duplicates *out)
{
    memset(out, 0, sizeof *out);
    if (n < 2)
        return AS_OK;
    size_t *idx;
    AS_TRY(AS_ALLOC(idx, n, "row order"));
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sort_ctx = (row_ctx){x, d};
    qsort(idx, n, sizeof *idx, row_cmp);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && !memcmp(x + idx[a] * d, x + idx[b] * d, d * sizeof *x))
            b++;
        double lo = y[idx[a]], hi = lo;
        size_t first = idx[a];
        for (size_t t = a + 1; t < b; t++) {
            lo = AS_MIN(lo, y[idx[t]]);
            hi = AS_MAX(hi, y[idx[t]]);
            first = AS_MIN(first, idx[t]);
        }
        if (b - a > 1 && hi > lo) {
            out->n_shared++;
            out->n_rows += b - a;
            if (hi - lo > out->max_diff) {
                out->max_diff = hi - lo;
                out->example_row = first;
            }
        }
        a = b;
    }
    as_free(idx);
    return AS_OK;
}

double as_gp_lml_null(const double *y, size_t n, int normalize_y)
{
    if (n == 0)
        return 0;
    double v = 1.0;
    if (!normalize_y) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += y[i] * y[i];
        v = s / (double)n;
    } else {
        double m = 0, s = 0;
        for (size_t i = 0; i < n; i++)
            m += y[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            s += (y[i] - m) * (y[i] - m);
        if (s == 0)
            v = 1.0; /* constant targets: normalize_y divides by 1 */
    }
    if (!(v > 0))
        v = 1.0;
    return -0.5 * (double)n * (1.0 + LOG_2PI + log(v));
}

/* ---- metrics ---- */

as_status as_gp_metrics_compute(const double *y, const double *mean, const double *std, size_t n,
                                as_gp_metrics *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return AS_FAIL(AS_EINVAL, "metrics: no rows");
    double ae = 0, se = 0, ybar = 0, tot = 0, c1 = 0, c2 = 0, nll = 0;
    for (size_t i = 0; i < n; i++)
        ybar += y[i];
    ybar /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - mean[i], s = std[i];
        ae += fabs(e);
        se += e * e;
        tot += (y[i] - ybar) * (y[i] - ybar);
        c1 += fabs(e) <= s;
        c2 += fabs(e) <= 2 * s;
        nll += s > 0 ? 0.5 * (LOG_2PI + 2 * log(s)) + e * e / (2 * s * s) : INFINITY;
    }
    out->n = n;
    out->mae = ae / (double)n;
    out->rmse = sqrt(se / (double)n);
    out->r2 = tot > 0 ? 1 - se / tot : (se == 0 ? 1.0 : 0.0);
    out->cover1 = c1 / (double)n;
    out->cover2 = c2 / (double)n;
    out->nll = nll / (double)n;
    return AS_OK;
}

/* ---- folds ---- */

typedef struct {
    size_t g, size;
} gsize;

as_status as_gp_kfold(size_t n, size_t k, const size_t *group, size_t n_groups, as_rng *rng,
                      size_t *fold)
{
    if (k < 2)
        return AS_FAIL(AS_EINVAL, "cv: %zu folds; need at least 2", k);
    if (!group) {
        if (k > n)
            return AS_FAIL(AS_EINVAL, "cv: %zu folds for %zu rows", k, n);
        size_t *perm;
        AS_TRY(AS_ALLOC(perm, n, "fold order"));
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        as_rng_shuffle(rng, perm, n);
        for (size_t i = 0; i < n; i++)
            fold[perm[i]] = i % k;
        as_free(perm);
        return AS_OK;
    }
    as_status st = AS_OK;
    size_t *perm = NULL, *load = NULL, *fold_of_group = NULL;
    gsize *gs = NULL;
    size_t ng = n_groups ? n_groups : 1;
    AS_CHECK(AS_ALLOC(perm, ng, "group order"));
    AS_CHECK(AS_ALLOC(gs, ng, "group sizes"));
    AS_CHECK(AS_ALLOC(load, k, "fold sizes"));
    AS_CHECK(AS_ALLOC(fold_of_group, ng, "group folds"));
    for (size_t i = 0; i < n; i++)
        if (group[i] >= n_groups) {
            st = AS_FAIL(AS_EINVAL, "cv: row %zu has group %zu of %zu", i, group[i], n_groups);
            goto fail;
        }
    /* sizes counted into load[] first would mix units; count into fold_of_group temporarily */
    for (size_t i = 0; i < n; i++)
        fold_of_group[group[i]]++;
    for (size_t g = 0; g < n_groups; g++)
        perm[g] = g;
    as_rng_shuffle(rng, perm, n_groups);
    size_t nonempty = 0;
    for (size_t g = 0; g < n_groups; g++) {
        gs[g] = (gsize){perm[g], fold_of_group[perm[g]]};
        nonempty += gs[g].size > 0;
    }
    if (k > nonempty) {
        st = AS_FAIL(AS_EINVAL, "cv: %zu folds but %zu groups", k, nonempty);
        goto fail;
    }
    /* largest first; insertion sort keeps equal sizes in their shuffled order */
    for (size_t a = 1; a < n_groups; a++) {
        gsize v = gs[a];
        size_t b = a;
        while (b > 0 && gs[b - 1].size < v.size) {
            gs[b] = gs[b - 1];
            b--;
        }
        gs[b] = v;
    }
    for (size_t t = 0; t < n_groups; t++) {
        size_t best = 0;
        for (size_t f = 1; f < k; f++)
            if (load[f] < load[best])
                best = f;
        fold_of_group[gs[t].g] = best;
        load[best] += gs[t].size;
    }
    for (size_t i = 0; i < n; i++)
        fold[i] = fold_of_group[group[i]];
fail:
    as_free(perm);
    as_free(gs);
    as_free(load);
    as_free(fold_of_group);
    return st;
}

/* ---- cross-validation ---- */

as_status as_gpr_model_cv(const double *x, const double *y, size_t n, size_t d, const size_t *fold,
                          size_t k, double pca_fraction, const as_gp_options *opt, uint64_t seed,
                          double *mean, double *std, as_gp_metrics *per_fold, as_gp_metrics *pooled,
                          double *theta)
{
    if (k < 2)
        return AS_FAIL(AS_EINVAL, "cv: %zu folds; need at least 2", k);
    size_t *cnt;
    AS_TRY(AS_ALLOC(cnt, k, "fold counts"));
    for (size_t i = 0; i < n; i++) {
        if (fold[i] >= k) {
            as_free(cnt);
            return AS_FAIL(AS_EINVAL, "cv: row %zu is in fold %zu of %zu", i, fold[i], k);
        }
        cnt[fold[i]]++;
    }
    for (size_t f = 0; f < k; f++)
        if (cnt[f] == 0 || cnt[f] == n) {
            size_t c = cnt[f];
            as_free(cnt);
            return AS_FAIL(AS_EINVAL, "cv: fold %zu holds %zu of %zu rows", f + 1, c, n);
        }
    as_free(cnt);
    as_status st = AS_OK;
    double *xt = NULL, *yt = NULL, *xq = NULL, *yq = NULL, *mq = NULL, *sq = NULL;
    as_gpr_model *m = NULL;
    size_t nt_max = as_gp_n_theta(opt, d);
    AS_CHECK(AS_ALLOC(xt, n * d, "cv training rows"));
    AS_CHECK(AS_ALLOC(yt, n, "cv training targets"));
    AS_CHECK(AS_ALLOC(xq, n * d, "cv test rows"));
    AS_CHECK(AS_ALLOC(yq, n, "cv test targets"));
    AS_CHECK(AS_ALLOC(mq, n, "cv means"));
    AS_CHECK(AS_ALLOC(sq, n, "cv stds"));
    for (size_t f = 0; f < k; f++) {
        size_t a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == f) {
                memcpy(xq + b * d, x + i * d, d * sizeof *x);
                yq[b++] = y[i];
            } else {
                memcpy(xt + a * d, x + i * d, d * sizeof *x);
                yt[a++] = y[i];
            }
        }
        AS_CHECK(as_gpr_model_fit(xt, yt, a, d, pca_fraction, opt, seed, NULL, &m));
        AS_CHECK(as_gpr_model_predict(m, xq, b, mq, sq));
        if (per_fold)
            AS_CHECK(as_gp_metrics_compute(yq, mq, sq, b, &per_fold[f]));
        if (theta) {
            const as_gp *gp = as_gpr_model_gp(m);
            size_t nt = as_gp_n_theta_of(gp);
            for (size_t t = 0; t < nt_max; t++)
                theta[f * nt_max + t] = t < nt ? as_gp_theta(gp)[t] : NAN;
        }
        b = 0;
        for (size_t i = 0; i < n; i++)
            if (fold[i] == f) {
                mean[i] = mq[b];
                std[i] = sq[b++];
            }
        as_gpr_model_free(m);
        m = NULL;
    }
    if (pooled)
        AS_CHECK(as_gp_metrics_compute(y, mean, std, n, pooled));
fail:
    as_gpr_model_free(m);
    as_free(xt);
    as_free(yt);
    as_free(xq);
    as_free(yq);
    as_free(mq);
    as_free(sq);
    return st;
}
