/* Binary-classification metrics as defined by scikit-learn 1.2 (sklearn/metrics/_ranking.py and
 * _classification.py): ROC curve and its area (seed 000 section 3.1, AUC 0.97), average
 * precision, and the threshold metrics with sklearn's zero-division convention (0).
 * Ranking metrics work on tie groups: scores sorted descending, one curve point per distinct
 * score, holding the cumulative true and false positives up to and including that score. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "alloyscout/evaluate.h"

typedef struct {
    double s;
    int y;
} as_scored;

static int cmp_desc(const void *a, const void *b)
{
    double x = ((const as_scored *)a)->s, z = ((const as_scored *)b)->s;
    return (x < z) - (x > z);
}

/* The cumulative counts at each distinct score, descending: tp[g], fp[g], thr[g] for
 * g = 0..*ng-1, in one new block (*tp; fp = tp + n, thr = tp + 2n; free *tp). */
typedef struct {
    size_t ng;
    double *tp, *fp, *thr;
    double n_pos, n_neg;
} as_curve;

static as_status check_labels(const double *score, const int *y, size_t n, const char *what)
{
    if (n == 0)
        return AS_FAIL(AS_EINVAL, "%s: no samples", what);
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0 && y[i] != 1)
            return AS_FAIL(AS_EINVAL, "%s: label of row %zu is %d, expected 0 or 1", what, i, y[i]);
        if (!isfinite(score[i]))
            return AS_FAIL(AS_EINVAL, "%s: score of row %zu is %g", what, i, score[i]);
    }
    return AS_OK;
}

static as_status curve_build(const double *score, const int *y, size_t n, const char *what,
                             as_curve *c)
{
    memset(c, 0, sizeof *c);
    AS_TRY(check_labels(score, y, n, what));
    as_scored *p;
    AS_TRY(AS_ALLOC(p, n, "evaluate: sorted scores"));
    as_status st = AS_ALLOC(c->tp, 3 * n, "evaluate: curve counts");
    if (st != AS_OK) {
        as_free(p);
        return st;
    }
    c->fp = c->tp + n;
    c->thr = c->tp + 2 * n;
    for (size_t i = 0; i < n; i++) {
        p[i].s = score[i];
        p[i].y = y[i];
    }
    qsort(p, n, sizeof *p, cmp_desc);
    double tp = 0.0, fp = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].y)
            tp += 1.0;
        else
            fp += 1.0;
        /* the end of a tie group: the next score differs (exact comparison, as sklearn) */
        if (i + 1 == n || p[i + 1].s != p[i].s) {
            c->tp[c->ng] = tp;
            c->fp[c->ng] = fp;
            c->thr[c->ng] = p[i].s;
            c->ng++;
        }
    }
    c->n_pos = tp;
    c->n_neg = fp;
    as_free(p);
    return AS_OK;
}

static void curve_free(as_curve *c) { as_free(c->tp); }

/* Trapezoid rule over the curve points (including the origin); counts are integers, so the sum
 * is exact until the final division by n_pos * n_neg. */
static double curve_auc(const as_curve *c)
{
    double area2 = 0.0, tp0 = 0.0, fp0 = 0.0;
    for (size_t g = 0; g < c->ng; g++) {
        area2 += (c->fp[g] - fp0) * (c->tp[g] + tp0);
        tp0 = c->tp[g];
        fp0 = c->fp[g];
    }
    return area2 / (2.0 * c->n_pos * c->n_neg);
}

/* AP = sum_k (R_k - R_{k-1}) P_k over the distinct thresholds, R_0 = 0. */
static double curve_ap(const as_curve *c)
{
    double ap = 0.0, tp0 = 0.0;
    for (size_t g = 0; g < c->ng; g++) {
        double dr = (c->tp[g] - tp0) / c->n_pos;
        double prec = c->tp[g] / (c->tp[g] + c->fp[g]);
        ap += dr * prec;
        tp0 = c->tp[g];
    }
    return ap;
}

as_status as_roc_auc(const double *score, const int *y, size_t n, double *auc)
{
    as_curve c;
    AS_TRY(curve_build(score, y, n, "roc_auc", &c));
    if (c.n_pos == 0.0 || c.n_neg == 0.0) {
        curve_free(&c);
        return AS_FAIL(AS_EINVAL,
                       "roc_auc: only one class present in y (%g positives, %g "
                       "negatives); the ROC AUC is not defined",
                       c.n_pos, c.n_neg);
    }
    *auc = curve_auc(&c);
    curve_free(&c);
    return AS_OK;
}

as_status as_grouped_auc(const double *score, const int *y, const size_t *group, size_t n,
                         size_t n_groups, double *weighted, double *mean, size_t *n_defined,
                         size_t *n_single)
{
    as_status st = AS_OK;
    size_t *start = NULL, *order = NULL, *fill = NULL, *npos = NULL;
    double *sc = NULL;
    int *yy = NULL;
    double sw = 0, s = 0, sum = 0;
    size_t nd = 0, ns = 0;
    AS_CHECK(AS_ALLOC(start, n_groups + 1, "grouped AUC"));
    AS_CHECK(AS_ALLOC(fill, n_groups + 1, "grouped AUC"));
    AS_CHECK(AS_ALLOC(npos, n_groups + 1, "grouped AUC"));
    AS_CHECK(AS_ALLOC(order, n + 1, "grouped AUC"));
    AS_CHECK(AS_ALLOC(sc, n + 1, "grouped AUC"));
    AS_CHECK(AS_ALLOC(yy, n + 1, "grouped AUC"));
    for (size_t i = 0; i < n; i++) {
        if (group[i] >= n_groups) {
            st = AS_FAIL(AS_EINVAL, "grouped AUC: row %zu has group %zu of %zu", i, group[i],
                         n_groups);
            goto fail;
        }
        start[group[i] + 1]++;
        npos[group[i]] += y[i] == 1;
    }
    for (size_t g = 0; g < n_groups; g++)
        start[g + 1] += start[g];
    for (size_t i = 0; i < n; i++)
        order[start[group[i]] + fill[group[i]]++] = i;
    for (size_t g = 0; g < n_groups; g++) {
        size_t m = start[g + 1] - start[g];
        if (m == 0)
            continue;
        if (npos[g] == 0 || npos[g] == m) {
            ns++;
            continue;
        }
        for (size_t k = 0; k < m; k++) {
            sc[k] = score[order[start[g] + k]];
            yy[k] = y[order[start[g] + k]];
        }
        double a;
        AS_CHECK(as_roc_auc(sc, yy, m, &a));
        nd++;
        sum += a;
        s += (double)m * a;
        sw += (double)m;
    }
    if (weighted)
        *weighted = nd ? s / sw : NAN;
    if (mean)
        *mean = nd ? sum / (double)nd : NAN;
    if (n_defined)
        *n_defined = nd;
    if (n_single)
        *n_single = ns;
fail:
    as_free(start);
    as_free(fill);
    as_free(npos);
    as_free(order);
    as_free(sc);
    as_free(yy);
    return st;
}

as_status as_roc_curve(const double *score, const int *y, size_t n, double **fpr, double **tpr,
                       double **thr, size_t *n_points)
{
    *fpr = *tpr = *thr = NULL;
    *n_points = 0;
    as_curve c;
    AS_TRY(curve_build(score, y, n, "roc_curve", &c));
    as_status st = AS_OK;
    double *f = NULL, *t = NULL, *h = NULL;
    if (c.n_pos == 0.0 || c.n_neg == 0.0) {
        st = AS_FAIL(AS_EINVAL,
                     "roc_curve: only one class present in y (%g positives, %g "
                     "negatives)",
                     c.n_pos, c.n_neg);
        goto fail;
    }
    size_t np = c.ng + 1;
    AS_CHECK(AS_ALLOC(f, np, "roc_curve: fpr"));
    AS_CHECK(AS_ALLOC(t, np, "roc_curve: tpr"));
    AS_CHECK(AS_ALLOC(h, np, "roc_curve: thresholds"));
    f[0] = 0.0;
    t[0] = 0.0;
    h[0] = c.thr[0] + 1.0;
    for (size_t g = 0; g < c.ng; g++) {
        f[g + 1] = c.fp[g] / c.n_neg;
        t[g + 1] = c.tp[g] / c.n_pos;
        h[g + 1] = c.thr[g];
    }
    curve_free(&c);
    *fpr = f;
    *tpr = t;
    *thr = h;
    *n_points = np;
    return AS_OK;
fail:
    as_free(f);
    as_free(t);
    as_free(h);
    curve_free(&c);
    return st;
}

as_status as_average_precision(const double *score, const int *y, size_t n, double *ap)
{
    as_curve c;
    AS_TRY(curve_build(score, y, n, "average_precision", &c));
    if (c.n_pos == 0.0) {
        curve_free(&c);
        return AS_FAIL(AS_EINVAL, "average_precision: y has no positive sample; the average "
                                  "precision is not defined");
    }
    *ap = curve_ap(&c);
    curve_free(&c);
    return AS_OK;
}

/* a / b, or 0 when b is 0 (sklearn's zero_division behaviour). */
static double ratio0(double a, double b) { return b != 0.0 ? a / b : 0.0; }

as_status as_metrics_binary(const double *prob, const int *y, size_t n, double threshold,
                            as_metrics *out)
{
    memset(out, 0, sizeof *out);
    AS_TRY(check_labels(prob, y, n, "metrics"));
    for (size_t i = 0; i < n; i++)
        if (!(prob[i] >= 0.0 && prob[i] <= 1.0))
            return AS_FAIL(AS_EINVAL, "metrics: probability of row %zu is %g, outside [0, 1]", i,
                           prob[i]);
    if (isnan(threshold))
        return AS_FAIL(AS_EINVAL, "metrics: threshold is NaN");
    size_t tn = 0, fp = 0, fn = 0, tp = 0;
    double brier = 0.0;
    for (size_t i = 0; i < n; i++) {
        int pred = prob[i] >= threshold;
        if (y[i] && pred)
            tp++;
        else if (y[i])
            fn++;
        else if (pred)
            fp++;
        else
            tn++;
        double e = prob[i] - (double)y[i];
        brier += e * e;
    }
    out->tn = tn;
    out->fp = fp;
    out->fn = fn;
    out->tp = tp;
    double TN = (double)tn, FP = (double)fp, FN = (double)fn, TP = (double)tp, N = (double)n;
    out->brier = brier / N;
    out->accuracy = (TP + TN) / N;
    out->precision = ratio0(TP, TP + FP);
    out->recall = ratio0(TP, TP + FN);
    out->f1 = ratio0(2.0 * TP, 2.0 * TP + FP + FN);
    /* balanced accuracy: mean recall over the classes present in y */
    double sum_rec = 0.0, n_cls = 0.0;
    if (TP + FN > 0.0) {
        sum_rec += TP / (TP + FN);
        n_cls += 1.0;
    }
    if (TN + FP > 0.0) {
        sum_rec += TN / (TN + FP);
        n_cls += 1.0;
    }
    out->balanced_accuracy = sum_rec / n_cls;
    /* MCC in sklearn's covariance form: t = true class counts, p = predicted class counts,
     * cov(yt, yp) = correct * n - t.p, cov(yt, yt) = n^2 - t.t, cov(yp, yp) = n^2 - p.p */
    double t0 = TN + FP, t1 = FN + TP, p0 = TN + FN, p1 = FP + TP;
    double cov_tp = (TP + TN) * N - (t0 * p0 + t1 * p1);
    double cov_tt = N * N - (t0 * t0 + t1 * t1);
    double cov_pp = N * N - (p0 * p0 + p1 * p1);
    out->mcc = cov_tt * cov_pp == 0.0 ? 0.0 : cov_tp / sqrt(cov_tt * cov_pp);

    as_curve c;
    out->auc = NAN;
    out->pr_auc = NAN;
    if (tp + fn > 0 && tn + fp > 0) {
        AS_TRY(curve_build(prob, y, n, "metrics", &c));
        out->auc = curve_auc(&c);
        out->pr_auc = curve_ap(&c);
        curve_free(&c);
    } else if (tp + fn > 0) {
        AS_TRY(curve_build(prob, y, n, "metrics", &c));
        out->pr_auc = curve_ap(&c);
        curve_free(&c);
    }
    return AS_OK;
}
