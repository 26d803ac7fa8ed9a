/* alloyscout synth area: the synthesis-outcome workflow (workflow A; seed 000, sections 2.4, 3.1):
 * z-score (fitted on the training part only) -> SMOTE + Tomek links (training part only)
 * -> MLP with early stopping on a stratified validation split of the real training rows
 * -> stratified k-fold CV, group hold-out, saved models, prediction and recommendation.
 *
 * A model ("ensemble") holds the column schema, one member trained on all rows, and one member
 * per cross-validation fold; a member is a scaler plus a network. The spread of the fold
 * members' probabilities is the uncertainty reported by predict and recommend.
 *
 * Everything `alloyscout synth` does goes through this header: encode a training table
 * (as_synth_encode_training), evaluate (as_synth_cv / _holdout / _leave_one_group_out) and write
 * the result (as_synth_result_write_json / _write_roc), train and save a model, predict a table
 * into a CSV (as_synth_predict_table), and sweep a grid of parameters (as_synth_recommend). The
 * library never prints; progress comes through on_part_done, messages through as_log. */
#ifndef ALLOYSCOUT_SYNTH_H
#define ALLOYSCOUT_SYNTH_H

#include "alloyscout/composition.h"
#include "alloyscout/core.h"
#include "alloyscout/data.h"
#include "alloyscout/evaluate.h"
#include "alloyscout/mlp.h"
#include "alloyscout/resample.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Settings of the whole workflow. Defaults (as_synth_options_default): the paper's MLP
 * (as_mlp_options_default), SMOTE-NC + Tomek (k 5, majority mode; set resample.columns.group
 * with as_synth_column_groups so that one-hot groups are voted, else only integer columns and
 * ranges are kept), 5 folds, threshold 0.5, seed 0. */
typedef struct {
    as_mlp_options mlp;
    as_resample_options resample;
    size_t folds;     /* stratified folds for CV and for the uncertainty members (>= 2) */
    double threshold; /* probability at which a record is called a success (metrics) */
    uint64_t seed;    /* every random stream derives from it (as_rng_stream) */
    /* 1: the validation rows only choose the epoch count (the best epoch under mlp.stop);
     * the member is then trained that many epochs on all its training rows. 0: the member
     * is the early-stopped network itself (the rule before 0.2). Default 1. */
    int refit;
    /* The calibration a trained model fits on its fold members' out-of-fold probabilities and
     * applies to every prediction (as_synth_train). Default AS_CALIBRATION_PLATT. */
    as_calibration_method calibration;
    /* 1: weight each class's loss by n / (2 n_c) over the rows the network trains on
     * (scikit-learn's class_weight="balanced"; mlp class_weight) -- the alternative to
     * resampling, meant with resample method none. Default 0. */
    int class_weight_balanced;
    size_t threads; /* folds trained at once; 0 = one per core. Results do not depend on it */
    /* 1: as_synth_encode_training skips (and counts, ds->n_bad) rows it cannot read -- a
     * formula that does not parse, a text cell in a numeric column -- instead of failing on
     * the first. Default 0 (strict). */
    int skip_bad_rows;
    /* How empty numeric cells are filled: AS_SYNTH_IMPUTE_NONE (default: they are an error)
     * or AS_SYNTH_IMPUTE_MEDIAN (each member fills them with the median of its own training
     * rows, so a test fold never informs its imputer; the model keeps the medians). */
    int impute;
    /* Composition descriptors (composition.h) appended to the features when not NULL: the
     * formula column and, optionally, the process-temperature column in K for dG_mix(T).
     * Borrowed; a trained model keeps copies. */
    const char *composition, *temperature;
    /* Called once per finished fold / group / member, possibly from several threads at once
     * (the callee serializes); NULL: none. */
    void (*on_part_done)(void *user);
    void *user;
} as_synth_options;

enum { AS_SYNTH_IMPUTE_NONE = 0, AS_SYNTH_IMPUTE_MEDIAN = 1 };

AS_API as_synth_options as_synth_options_default(void);
/* The one-hot groups of the encoded columns for SMOTE-NC (opt.resample.columns.group): group[j]
 * (d entries) is -1 for a numeric feature or a composition descriptor (j >= the schema's
 * feature count) and, for a one-hot feature, the index of the first feature of its text
 * column. AS_EINVAL when d is below the schema's feature count. */
AS_API as_status as_synth_column_groups(const as_schema *s, size_t d, int *group);
/* AS_EINVAL naming the option when out of range. */
AS_API as_status as_synth_options_check(const as_synth_options *opt);

/* Append the composition descriptors of column `composition` (and dG_mix(T) with the
 * temperature column, may be NULL) of t to ds->x, using ds->row to find each row. On success
 * ds->d grows by the number of descriptors. Errors name path:line:column. */
AS_API as_status as_synth_add_descriptors(as_dataset *ds, const as_table *t,
                                          const char *composition, const char *temperature);

/* Infer the schema of training table t under schema_opt (the composition column of opt, when
 * set, is added to the dropped columns: it feeds the descriptors, not the one-hot encoder),
 * encode it with the target (rows with an empty target are skipped, with a warning through
 * as_log) and append the composition descriptors of opt. Logs the row and class counts
 * (AS_LOG_INFO). OUT: *schema, *ds (free with as_schema_free / as_dataset_free), NULL on
 * failure. Errors as as_schema_infer / as_schema_encode / as_synth_add_descriptors, and
 * AS_EINVAL for opt->temperature without opt->composition. */
AS_API as_status as_synth_encode_training(const as_table *t, const as_schema_options *schema_opt,
                                          const as_synth_options *opt, as_schema **schema,
                                          as_dataset **ds);

/* ---- evaluation ---- */

/* Reliability bins of the calibration report (as_calibration_curve). */
#define AS_SYNTH_CAL_BINS 10
/* Calibration of a set of probabilities against the labels. */
typedef struct {
    double ece, brier; /* expected calibration error (AS_SYNTH_CAL_BINS bins) and Brier score;
                         * NAN when not computed */
    size_t n_bins;     /* non-empty bins below */
    double prob_true[AS_SYNTH_CAL_BINS], prob_pred[AS_SYNTH_CAL_BINS];
    size_t count[AS_SYNTH_CAL_BINS];
} as_synth_calibration;

/* Results of a cross-validation or hold-out run. Arrays are owned by the result. */
typedef struct {
    size_t n_samples, n_positive, n_skipped; /* rows used, positives, rows skipped (no target) */
    size_t n_bad;                            /* rows skipped as unreadable (skip_bad_rows) */
    size_t n_missing;                        /* empty numeric cells imputed (impute) */
    size_t n_parts;       /* folds (CV) or test groups (leave-one-group-out); 1 for hold-out */
    as_metrics *part;     /* (n_parts) metrics of each fold / test group */
    char **part_name;     /* (n_parts) "fold 1", or the group name(s) */
    int *part_valid;      /* (n_parts) 1 when the part's AUC is defined (both classes) */
    as_metrics mean, std; /* mean and sample std (ddof 1) over valid parts; std NAN for one */
    double *prob;         /* (n_samples) out-of-fold probability of each row */
    int *y;               /* (n_samples) true labels */
    size_t *part_of;      /* (n_samples) which part each row was scored in; SIZE_MAX: none */
    as_metrics pooled;    /* metrics over all out-of-fold predictions together */
    /* Calibration of the pooled out-of-fold probabilities, indexed by as_calibration_method:
     * [NONE] the raw probabilities; [PLATT], [ISOTONIC] cross-fitted: the rows of each part
     * are calibrated by a calibrator fitted on the other parts' rows, so no row calibrates
     * itself. Those two have ece NAN when a part's complement lacks a class or there is one
     * part (a hold-out). */
    as_synth_calibration cal[3];
    /* 95 % percentile bootstrap interval of the pooled out-of-fold AUC (as_bootstrap_auc_ci,
     * AS_SYNTH_BOOT resamples, stream (seed, 2)): whole groups are resampled when the data have
     * a group column and the scored rows span at least 5 groups (ci_groups = their number),
     * else rows (ci_groups = 0). NAN when undefined. */
    double auc_ci_lo, auc_ci_hi;
    size_t ci_groups;
    /* With a group column: the ROC AUC within each group over its scored rows (as_grouped_auc),
     * averaged weighted by group size and plainly; groups_defined hold both classes,
     * groups_single one class only (their AUC is undefined). NAN / 0 without groups. */
    double auc_group_weighted, auc_group_mean;
    size_t groups_defined, groups_single;
    /* Repeated CV (as_synth_cv_repeated): n_repeats >= 1 values per repeat of the fold-mean
     * AUC, the pooled AUC and the size-weighted per-group AUC (repeat 0 is this result); NULL
     * with n_repeats 0 for a single run. */
    size_t n_repeats;
    double *repeat_auc_mean, *repeat_auc_pooled, *repeat_auc_group;
} as_synth_result;
#define AS_SYNTH_BOOT 2000

AS_API void as_synth_result_free(as_synth_result *r);
/* Mean and sample standard deviation (ddof 1) of the n values of v, NaN ones left out (the
 * repeat_* arrays' summary): *mean NAN when none is left, *sd NAN when fewer than two. */
AS_API void as_synth_mean_sd(const double *v, size_t n, double *mean, double *sd);

/* Stratified k-fold cross-validation of the workflow on ds (rows with a target). */
AS_API as_status as_synth_cv(const as_dataset *ds, const as_synth_options *opt,
                             as_synth_result **out);
/* Repeated stratified k-fold CV: as_synth_cv `repeats` times, repeat 0 with opt->seed (so one
 * repeat is as_synth_cv exactly) and repeat k with a seed drawn from as_rng_stream(opt->seed,
 * 1000 + k), which changes the folds and the networks' streams. *out is repeat 0's result with
 * n_repeats and the repeat_* arrays filled. AS_EINVAL for repeats = 0. */
AS_API as_status as_synth_cv_repeated(const as_dataset *ds, const as_synth_options *opt,
                                      size_t repeats, as_synth_result **out);
/* Train on every group not in test_groups (indices into ds->group_names), test on the rest.
 * Needs ds->group. AS_EINVAL when a side lacks a class. */
AS_API as_status as_synth_holdout(const as_dataset *ds, const size_t *test_groups, size_t n_test,
                                  const as_synth_options *opt, as_synth_result **out);
/* One hold-out per group that has both classes in the remaining rows (groups with a single
 * class are still scored; their AUC is undefined and they are excluded from mean/std). */
AS_API as_status as_synth_leave_one_group_out(const as_dataset *ds, const as_synth_options *opt,
                                              as_synth_result **out);

/* Indices into ds->group_names of the comma-separated group names in `names` ("CuCo,CuAu"),
 * in the order given. OUT: *groups (free with as_free), *n_groups. AS_EINVAL naming a value that
 * is not a group of ds (or an empty list, or ds without a group column); AS_ENOMEM. */
AS_API as_status as_synth_find_groups(const as_dataset *ds, const char *names, size_t **groups,
                                      size_t *n_groups);

/* The ROC curve (as_roc_curve) of the out-of-fold predictions of part p (< r->n_parts), or of
 * all scored rows pooled for p == r->n_parts. OUT: three new arrays of *n_points (free with
 * as_free). AS_EINVAL when that part has a single class. */
AS_API as_status as_synth_result_roc(const as_synth_result *r, size_t part, double **fpr,
                                     double **tpr, double **thr, size_t *n_points);

/* Write the encoded dataset ds of schema s as CSV (atomically): one column per feature (the
 * schema's feature names, then the composition descriptors' names), then the target (1/0)
 * and the group value when ds has them; numbers with 17 significant digits. This is exactly
 * what the scaler and the network see, for use with other tools (bench/peer_pipeline_sklearn.py).
 * AS_EIO naming path, AS_ENOMEM. */
AS_API as_status as_synth_dataset_write_csv(const as_schema *s, const as_dataset *ds,
                                            const char *path);

/* Another evaluation of the same rows recorded beside a result: --compare-balancing's class
 * weights and plain SMOTE (same folds and seed), --group's random folds. */
typedef struct {
    const char *name;         /* what differs, in words: "class weights", "random folds" */
    const char *options;      /* the same as options: "--resample none --class-weight balanced" */
    const as_synth_result *r; /* its result */
    int random_folds;         /* 1: r is the random-fold check of a grouped result */
} as_synth_comparison;

/* For a grouped result g and the random-fold result r of the same rows: +1 when r's pooled AUC
 * lies above g's 95 % bootstrap interval (random folds overstate it), -1 below, 0 within. */
AS_API int as_synth_folds_verdict(const as_synth_result *g, const as_synth_result *r);

/* What a result file records besides the result. */
typedef struct {
    const char *command; /* "cross-validation", "group hold-out", "leave-one-group-out" */
    const char *data;    /* the training table's path */
    uint64_t seed;
} as_synth_run_info;

/* Write r as JSON to path (atomically): command, data, seed, n_samples, n_positive, n_skipped;
 * per metric {"mean", "std", "pooled", "folds": [...]} (null for a part with one class); and
 * "parts": each part's metrics, name and auc_defined. Doubles read back bit for bit. */
AS_API as_status as_synth_result_write_json(const as_synth_result *r, const as_synth_run_info *info,
                                            const char *path);
/* The same, with n_compare other evaluations of the same rows as "comparisons": name, options,
 * auc_mean, auc_pooled, auc_ci_lo/hi, ece and brier as predicted, and for the random-fold check
 * difference (its pooled AUC minus r's) and beyond_ci (as_synth_folds_verdict != 0). */
AS_API as_status as_synth_result_write_json_compared(const as_synth_result *r,
                                                     const as_synth_run_info *info,
                                                     const as_synth_comparison *compare,
                                                     size_t n_compare, const char *path);
/* Write the ROC curves as CSV (curve,fpr,tpr,threshold; 17 significant digits): each part with
 * both classes under its name, then all scored rows pooled ("pooled"). */
AS_API as_status as_synth_result_write_roc(const as_synth_result *r, const char *path);

/* ---- models ---- */
typedef struct as_synth_model as_synth_model;

/* Train the ensemble on ds: a member on all rows plus opt->folds fold members. The model keeps a
 * copy of the schema. */
AS_API as_status as_synth_train(const as_schema *schema, const as_dataset *ds,
                                const as_synth_options *opt, as_synth_model **out);
AS_API void as_synth_model_free(as_synth_model *m);
AS_API const as_schema *as_synth_model_schema(const as_synth_model *m);
AS_API const as_synth_options *as_synth_model_options(const as_synth_model *m);
/* Write / read the model file (JSON, format "alloyscout-synth", version 2: version 1 plus
 * "calibration", the calibrator as_calibrator_to_json wrote). Version 1 files still load, as
 * uncalibrated (method none). Reading checks the format, version and every size; errors name
 * the file and the key. */
AS_API as_status as_synth_model_save(const as_synth_model *m, const char *path);
AS_API as_status as_synth_model_load(const char *path, as_synth_model **out);

/* ---- the training domain (docs/synth.md, "Knows when it is guessing") ----
 * A model trained by this version (file version 3) keeps the range of every numeric feature,
 * the text levels, the elements of the training formulas and the training rows in the all-rows
 * member's scaled feature space, with the 99th percentile of their leave-one-out
 * nearest-neighbour distances. A row is outside the domain when it has an element or text
 * level not seen in training, a numeric feature outside the training range, or a nearest
 * training row farther than that percentile. Version 1 and 2 files carry no domain. */
enum {
    AS_SYNTH_DOMAIN_ELEMENT = 1u,   /* an element not in any training formula */
    AS_SYNTH_DOMAIN_LEVEL = 2u,     /* a text level not seen in training */
    AS_SYNTH_DOMAIN_RANGE = 4u,     /* a numeric feature outside the training range */
    AS_SYNTH_DOMAIN_DISTANCE = 8u,  /* far from every training row */
    AS_SYNTH_DOMAIN_UNCHECKED = 16u /* the model has no domain (file version 1 or 2) */
};
/* Record the elements of the training table's composition column (every formula that parses)
 * in the model's domain, and decide its element columns: the numeric columns named by an
 * element symbol whose values follow the formulas (at least 95 % of the rows hold the element's
 * atomic fraction, within 0.01, or its percent, within 1), which recommend's formula axis then
 * sets from each formula; a column such as P (a pressure) that does not follow them is left
 * alone. A no-op for a model without composition column. as_synth_train cannot see the
 * formulas, so call this after it with the training table (the CLI does). */
AS_API as_status as_synth_model_set_training_elements(as_synth_model *m, const as_table *t);
/* The model file version the model was read from (AS 3 when trained in this process). */
AS_API int as_synth_model_version(const as_synth_model *m);
/* Check the rows of table t, encoded as ds by as_synth_model_encode: flags[i] (ds->n entries)
 * gets the AS_SYNTH_DOMAIN_* bits of row i (0: inside), reason[i] (ds->n buffers of
 * reason_cap bytes) why, "" when inside. OUT: *n_outside (may be NULL). AS_ENOMEM. */
AS_API as_status as_synth_model_domain_check(const as_synth_model *m, const as_table *t,
                                             const as_dataset *ds, unsigned *flags, char **reason,
                                             size_t reason_cap, size_t *n_outside);

/* Encode a table for the model: its schema, then the model's composition descriptors. */
AS_API as_status as_synth_model_encode(const as_synth_model *m, const as_table *t, int need_target,
                                       as_dataset **out);
/* Feature count and names (schema features, then descriptor names). Borrowed. */
AS_API size_t as_synth_model_features(const as_synth_model *m);
AS_API const char *as_synth_model_feature_name(const as_synth_model *m, size_t j);

/* The calibration the model applies (fitted by as_synth_train on the fold members'
 * out-of-fold probabilities, as scikit-learn's CalibratedClassifierCV(ensemble=False)), and
 * the number of rows it was fitted on (0 for none). */
AS_API as_calibration_method as_synth_model_calibration(const as_synth_model *m, size_t *n_fit);

/* Probabilities for encoded rows x (n, d) with d = as_schema_features: prob from the member
 * trained on all rows; mean and std over the fold members (any output may be NULL). All are
 * calibrated with the model's calibrator (each fold member's probability before the mean). */
AS_API as_status as_synth_model_predict(const as_synth_model *m, const double *x, size_t n,
                                        double *prob, double *fold_mean, double *fold_std);

/* Predict every row of table t (columns as in the training table; the target may be absent)
 * and write a CSV to path (atomically): t's columns, then probability, fold_mean and fold_std
 * with 17 significant digits, in_domain (1 inside the training domain, 0 outside, empty for a
 * model file without domain) and domain_reason; one AS_LOG_WARN line counts the rows outside
 * by kind. An input column already named like one of these (a predictions file predicted
 * again) is replaced in its place, so no column name repeats. path "-" is standard output.
 * OUT: *n_rows (may be NULL) rows written. Errors as
 * as_synth_model_encode; AS_EIO; no file is left on failure. */
AS_API as_status as_synth_predict_table(const as_synth_model *m, const as_table *t,
                                        const char *path, size_t *n_rows);

/* ---- recommendation: sweep a grid of parameters around a base record ---- */

/* One varied parameter, parsed from "NAME=LO:HI:STEP" (a numeric feature column: LO, LO+STEP,
 * ... up to HI) or "NAME=a,b,c" (numbers for a numeric column, levels of a one-hot text column,
 * or formulas for the model's composition column: the descriptors and the element columns
 * follow each formula). The values are checked against the model by as_synth_recommend.
 * AS_EINVAL for a spec without NAME= or values; AS_ENOMEM. */
typedef struct as_synth_axis as_synth_axis;
AS_API as_status as_synth_axis_parse(const char *spec, as_synth_axis **out);
AS_API void as_synth_axis_free(as_synth_axis *a);

typedef struct {
    size_t max_points; /* refuse grids larger than this (default 2000000) */
} as_synth_recommend_options;
AS_API as_synth_recommend_options as_synth_recommend_options_default(void);

typedef enum {
    AS_SYNTH_AXIS_NUMBER, /* a numeric feature column */
    AS_SYNTH_AXIS_LEVEL,  /* a one-hot text column: each value is one of its levels */
    AS_SYNTH_AXIS_FORMULA /* the model's composition column */
} as_synth_axis_kind;

/* The values of one axis as resolved against the model. */
typedef struct {
    char *name;
    as_synth_axis_kind kind;
    size_t n_values;
    char **value;     /* (n_values) as given in a list, "%.10g" for a LO:HI:STEP range */
    double *position; /* (n_values) the number; 0, 1, ... for levels and formulas */
} as_synth_axis_values;

/* The grid, its predictions and its ranking. Grid point id g is mixed radix over the axes, the
 * last axis fastest: g = ((i_0 n_1 + i_1) n_2 + i_2) ... (as_synth_recommendation_value). */
typedef struct {
    size_t n_axes;
    as_synth_axis_values *axis;   /* (n_axes) */
    size_t n_points, d;           /* grid points, features per point */
    double *x;                    /* (n_points, d) encoded features of each point: the base
                                 * record with the axes' values set */
    double *prob;                 /* (n_points) probability of the member trained on all rows */
    double *fold_mean, *fold_std; /* (n_points) over the fold members */
    size_t *rank;                 /* (n_points) point ids by descending prob, ties by id */
    size_t n_folds;               /* fold members behind fold_mean / fold_std */
    unsigned *domain;             /* (n_points) AS_SYNTH_DOMAIN_* bits, 0: inside */
    char **domain_reason;         /* (n_points) why a point is outside ("" inside) */
    size_t n_outside;             /* points with domain != 0 */
    char *reason_buf_;            /* storage of domain_reason (private) */
} as_synth_recommendation;

/* Encode `base` (a table with exactly one data row) with the model, build the grid over
 * axes[0..n_axes) (n_axes >= 1) and predict every point (as_synth_model_predict). opt NULL:
 * defaults. OUT: *out, free with as_synth_recommendation_free. AS_EINVAL naming the axis for a
 * name that is not a feature column of the model, a level the model does not know, a value that
 * is not a number, a bad range, a formula axis on a model with a temperature column, or a grid
 * above opt->max_points; errors of as_synth_model_encode; AS_ENOMEM. */
AS_API as_status as_synth_recommend(const as_synth_model *m, const as_table *base,
                                    const as_synth_axis *const *axes, size_t n_axes,
                                    const as_synth_recommend_options *opt,
                                    as_synth_recommendation **out);
AS_API void as_synth_recommendation_free(as_synth_recommendation *r);
/* Index of the value of axis k at grid point `point`. */
AS_API size_t as_synth_recommendation_value(const as_synth_recommendation *r, size_t point,
                                            size_t k);
/* Write every grid point in rank order as CSV to path (atomically): rank, one column per axis
 * (the value text), probability, fold_mean, fold_std (17 significant digits), in_domain (1/0;
 * empty for a model without domain) and domain_reason. */
AS_API as_status as_synth_recommendation_write_csv(const as_synth_recommendation *r,
                                                   const char *path);

#ifdef __cplusplus
}
#endif
#endif
