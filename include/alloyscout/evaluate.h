/* alloyscout evaluate area: stratified k-fold assignment (seed 000 section 2.4: stratified
 * 5-fold cross-validation) and the binary-classification metrics of section 3.1 (ROC curve and
 * AUC) plus the usual threshold metrics. Every metric follows scikit-learn's definition and
 * zero-division convention (0); docs/evaluate.md lists them.
 *
 * Labels y are 0 (negative) or 1 (positive) unless stated otherwise; scores may be any finite
 * numbers where higher means "more likely positive". */
#ifndef ALLOYSCOUT_EVALUATE_H
#define ALLOYSCOUT_EVALUATE_H

#include "alloyscout/core.h"
#include "alloyscout/json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Assign each of the n rows to one of k folds, stratified by label: the rows of each class (any
 * int labels, classes taken in ascending label order) are shuffled with rng and dealt
 * round-robin, the deal continuing across classes, so that the counts of each class in any two
 * folds differ by at most 1, and so do the fold sizes. fold (n, caller-allocated) receives
 * values 0..k-1. AS_EINVAL when k < 2 or a class has fewer than k members (the message names
 * the class and its count); AS_ENOMEM. */
AS_API as_status as_stratified_kfold(const int *y, size_t n, size_t k, as_rng *rng, size_t *fold);

/* Stratified k folds that keep groups whole: all rows of a group (group (n), values
 * 0..n_groups-1) land in one fold. Groups are shuffled with rng, taken largest first (a stable
 * sort, so equal sizes keep the shuffled order), and each goes to the fold where, after adding
 * it, the larger of the two class shares (fold's positives / all positives, negatives likewise)
 * is smallest; ties to the lower fold. y holds 0/1. AS_EINVAL when k < 2, fewer than k groups
 * have rows, or a fold would hold no row of a class; AS_ENOMEM. */
AS_API as_status as_stratified_group_kfold(const int *y, const size_t *group, size_t n,
                                           size_t n_groups, size_t k, as_rng *rng, size_t *fold);

/* Metrics of success probabilities prob (n, in [0, 1]) against labels y (n), with a row
 * predicted positive when prob >= threshold (the convention of the ROC curve's thresholds).
 *   auc                area under the ROC curve (as_roc_auc); NAN when y holds one class
 *   pr_auc             average precision (as_average_precision); NAN when y has no positive
 *   accuracy           (tp + tn) / n
 *   balanced_accuracy  mean recall over the classes present in y
 *   precision          tp / (tp + fp), 0 when nothing is predicted positive
 *   recall             tp / (tp + fn), 0 when y has no positive
 *   f1                 2 tp / (2 tp + fp + fn), 0 when that is 0 / 0
 *   mcc                Matthews correlation (sklearn's covariance form), 0 when undefined
 *   brier              mean (prob - y)^2
 * AS_EINVAL (n == 0, a label not 0/1, prob outside [0, 1] or NaN). */
typedef struct {
    double auc, pr_auc, accuracy, balanced_accuracy, precision, recall, f1, mcc, brier;
    size_t tn, fp, fn, tp;
} as_metrics;
AS_API as_status as_metrics_binary(const double *prob, const int *y, size_t n, double threshold,
                                   as_metrics *out);

/* Area under the ROC curve, equal to scikit-learn's roc_auc_score: scores sorted descending,
 * tied scores form one step (trapezoid over the tie group). AS_EINVAL when y holds only one
 * class, a label is not 0/1 or a score is not finite; AS_ENOMEM. */
AS_API as_status as_roc_auc(const double *score, const int *y, size_t n, double *auc);

/* ROC AUC within each group (group[i] < n_groups): roc_auc_score over the rows of every group
 * that holds both classes, then their mean and their average weighted by the group's row count
 * (NAN when no group has both classes). OUT (any may be NULL): *weighted, *mean, *n_defined
 * groups with both classes, *n_single groups with rows of one class only (their AUC is
 * undefined and they are left out). AS_EINVAL for a group index >= n_groups; AS_ENOMEM. */
AS_API as_status as_grouped_auc(const double *score, const int *y, const size_t *group, size_t n,
                                size_t n_groups, double *weighted, double *mean, size_t *n_defined,
                                size_t *n_single);

/* The ROC curve as scikit-learn 1.2's roc_curve(y, score, drop_intermediate=False): one point
 * per distinct score in descending order (predict positive when score >= thr), preceded by the
 * point (0, 0) whose threshold is max(score) + 1 (scikit-learn >= 1.3 puts +inf there).
 * OUT: *fpr, *tpr, *thr (each *n_points, new arrays, free with as_free); all NULL on failure.
 * Status as as_roc_auc. */
AS_API as_status as_roc_curve(const double *score, const int *y, size_t n, double **fpr,
                              double **tpr, double **thr, size_t *n_points);

/* Average precision, equal to scikit-learn's average_precision_score:
 * AP = sum over distinct thresholds (descending) of (R_k - R_{k-1}) P_k. AS_EINVAL when y has no
 * positive (scikit-learn warns and returns 0 there), a label is not 0/1 or a score is not
 * finite; AS_ENOMEM. */
AS_API as_status as_average_precision(const double *score, const int *y, size_t n, double *ap);

/* ---- uncertainty of the AUC ---- */

/* Percentile bootstrap confidence interval (level in (0, 1), e.g. 0.95) of the ROC AUC of
 * score (n) against y (n): n_boot resamples drawn with rng, each of n rows drawn with
 * replacement (group NULL), or -- with group (n, values 0..n_groups-1) -- of n_groups groups
 * drawn with replacement, each bringing all its rows (the cluster bootstrap: rows of one group
 * are not independent). A resample holding one class has no AUC and is skipped (counted in
 * *n_skipped). The bounds are numpy's percentile (linear interpolation) of the resampled AUCs at
 * (1 - level) / 2 and (1 + level) / 2. The resamples run on n_threads threads (0: one per
 * core); every draw is the one the serial loop makes, so the result does not depend on the
 * thread count, and rng ends where the serial loop leaves it. OUT: *lo, *hi (NAN when fewer than
 * 2 resamples had an AUC), *n_skipped (may be NULL). AS_EINVAL (n_boot 0, a level outside
 * (0, 1), a label not 0/1, a group index >= n_groups), AS_ENOMEM. */
AS_API as_status as_bootstrap_auc_ci(const double *score, const int *y, const size_t *group,
                                     size_t n, size_t n_groups, size_t n_boot, double level,
                                     as_rng *rng, size_t n_threads, double *lo, double *hi,
                                     size_t *n_skipped);

/* ---- calibration (docs/evaluate.md, "Calibration") ---- */

/* The reliability curve of scikit-learn's calibration_curve(y, prob, n_bins,
 * strategy="uniform"): n_bins equal bins on [0, 1] with inner edges i / n_bins, a probability
 * equal to an edge counting in the lower bin (numpy's searchsorted); for each non-empty bin in
 * increasing order the share of positives prob_true, the mean probability prob_pred and the
 * count. Arrays (n_bins each) are caller-allocated; *n_out receives the number of non-empty
 * bins. AS_EINVAL for n_bins 0, a probability outside [0, 1] or a label not 0/1. */
AS_API as_status as_calibration_curve(const double *prob, const int *y, size_t n, size_t n_bins,
                                      double *prob_true, double *prob_pred, size_t *count,
                                      size_t *n_out);
/* Expected calibration error over the same bins: sum over bins of (count / n) |prob_true -
 * prob_pred|. Status as as_calibration_curve; NAN for n == 0. */
AS_API as_status as_expected_calibration_error(const double *prob, const int *y, size_t n,
                                               size_t n_bins, double *ece);

typedef enum {
    AS_CALIBRATION_NONE = 0, /* identity */
    /* Platt scaling on the logit of the probability, z = logit(p) (clipped to +-36): the
     * calibrated probability is 1 / (1 + exp(a z + b)), a and b minimizing the cross-entropy
     * against Platt's smoothed targets (n+ + 1) / (n+ + 2) and 1 / (n- + 2), as scikit-learn's
     * CalibratedClassifierCV(method="sigmoid") (_sigmoid_calibration) on that score. Newton's
     * method, to machine precision */
    AS_CALIBRATION_PLATT = 1,
    /* isotonic regression of the labels on p (scikit-learn's IsotonicRegression(
     * out_of_bounds="clip"), method="isotonic"): equal p pooled, pool-adjacent-violators,
     * prediction by linear interpolation between the fitted points, clipped at both ends */
    AS_CALIBRATION_ISOTONIC = 2
} as_calibration_method;
/* "none" / "platt" / "isotonic"; AS_EINVAL naming the text otherwise. */
AS_API as_status as_calibration_parse(const char *s, as_calibration_method *out);
AS_API const char *as_calibration_name(as_calibration_method m);

typedef struct as_calibrator as_calibrator;
/* Fit a calibrator of method m to probabilities prob (n, in [0, 1]) with labels y (n, 0/1;
 * both classes needed unless m is NONE). OUT: *out (free with as_calibrator_free). AS_EINVAL
 * (bad input, one class), AS_ENOCONV (Platt did not converge), AS_ENOMEM. */
AS_API as_status as_calibrator_fit(as_calibration_method m, const double *prob, const int *y,
                                   size_t n, as_calibrator **out);
AS_API void as_calibrator_free(as_calibrator *c);
AS_API as_calibration_method as_calibrator_method(const as_calibrator *c);
/* Platt's a and b (NAN for other methods). */
AS_API void as_calibrator_platt(const as_calibrator *c, double *a, double *b);
/* Calibrated probabilities of prob (n) into out (n; may alias prob). Thread-safe. */
AS_API void as_calibrator_apply(const as_calibrator *c, const double *prob, size_t n, double *out);
/* As JSON (json.h): {"method": "platt", "a": .., "b": ..} or {"method": "isotonic", "x": [..],
 * "y": [..]} or {"method": "none"}; doubles round-trip bit for bit. from_json: AS_EPARSE naming
 * `where` and the key. */
AS_API as_status as_calibrator_to_json(const as_calibrator *c, as_json **out);
AS_API as_status as_calibrator_from_json(const as_json *j, const char *where, as_calibrator **out);

#ifdef __cplusplus
}
#endif
#endif
