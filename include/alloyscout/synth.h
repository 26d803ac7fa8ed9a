/* alloyscout synthesis-outcome workflow (workflow A; seed 000, sections 2.4 and 3.1):
 * z-score (fitted on the training part only) -> SMOTE + Tomek links (training part only)
 * -> MLP with early stopping on a stratified validation split of the real training rows
 * -> stratified k-fold CV, group hold-out, saved models, prediction and recommendation.
 *
 * A model ("ensemble") holds the column schema, one member trained on all rows, and one member
 * per cross-validation fold; a member is a scaler plus a network. The spread of the fold
 * members' probabilities is the uncertainty reported by predict and recommend. */
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
 * (as_mlp_options_default), SMOTE + Tomek (k 5, majority mode), 5 folds, threshold 0.5,
 * seed 0. */
typedef struct {
    as_mlp_options mlp;
    as_resample_options resample;
    size_t folds;      /* stratified folds for CV and for the uncertainty members (>= 2) */
    double threshold;  /* probability at which a record is called a success (metrics) */
    uint64_t seed;     /* every random stream derives from it (as_rng_stream) */
    size_t threads;    /* folds trained at once; 0 = one per core. Results do not depend on it */
    /* Composition descriptors (composition.h) appended to the features when not NULL: the
     * formula column and, optionally, the process-temperature column in K for dG_mix(T).
     * Borrowed; a trained model keeps copies. */
    const char *composition, *temperature;
    /* Called once per finished fold / group / member, possibly from several threads at once
     * (the callee serializes); NULL: none. */
    void (*on_part_done)(void *user);
    void *user;
} as_synth_options;

AS_API as_synth_options as_synth_options_default(void);
/* AS_EINVAL naming the option when out of range. */
AS_API as_status as_synth_options_check(const as_synth_options *opt);

/* Append the composition descriptors of column `composition` (and dG_mix(T) with the
 * temperature column, may be NULL) of t to ds->x, using ds->row to find each row. On success
 * ds->d grows by the number of descriptors. Errors name path:line:column. */
AS_API as_status as_synth_add_descriptors(as_dataset *ds, const as_table *t,
                                          const char *composition, const char *temperature);

/* ---- evaluation ---- */

/* Results of a cross-validation or hold-out run. Arrays are owned by the result. */
typedef struct {
    size_t n_samples, n_positive, n_skipped; /* rows used, positives, rows skipped (no target) */
    size_t n_parts;          /* folds (CV) or test groups (leave-one-group-out); 1 for hold-out */
    as_metrics *part;        /* (n_parts) metrics of each fold / test group */
    char **part_name;        /* (n_parts) "fold 1", or the group name(s) */
    int *part_valid;         /* (n_parts) 1 when the part's AUC is defined (both classes) */
    as_metrics mean, std;    /* mean and sample std (ddof 1) over valid parts; std NAN for one */
    double *prob;            /* (n_samples) out-of-fold probability of each row */
    int *y;                  /* (n_samples) true labels */
    size_t *part_of;         /* (n_samples) which part each row was scored in; SIZE_MAX: none */
    as_metrics pooled;       /* metrics over all out-of-fold predictions together */
} as_synth_result;

AS_API void as_synth_result_free(as_synth_result *r);

/* Stratified k-fold cross-validation of the workflow on ds (rows with a target). */
AS_API as_status as_synth_cv(const as_dataset *ds, const as_synth_options *opt,
                             as_synth_result **out);
/* Train on every group not in test_groups (indices into ds->group_names), test on the rest.
 * Needs ds->group. AS_EINVAL when a side lacks a class. */
AS_API as_status as_synth_holdout(const as_dataset *ds, const size_t *test_groups, size_t n_test,
                                  const as_synth_options *opt, as_synth_result **out);
/* One hold-out per group that has both classes in the remaining rows (groups with a single
 * class are still scored; their AUC is undefined and they are excluded from mean/std). */
AS_API as_status as_synth_leave_one_group_out(const as_dataset *ds, const as_synth_options *opt,
                                              as_synth_result **out);

/* ---- models ---- */
typedef struct as_synth_model as_synth_model;

/* Train the ensemble on ds: a member on all rows plus opt->folds fold members. The model keeps a
 * copy of the schema. */
AS_API as_status as_synth_train(const as_schema *schema, const as_dataset *ds,
                                const as_synth_options *opt, as_synth_model **out);
AS_API void as_synth_model_free(as_synth_model *m);
AS_API const as_schema *as_synth_model_schema(const as_synth_model *m);
AS_API const as_synth_options *as_synth_model_options(const as_synth_model *m);
/* Write / read the model file (JSON, format "alloyscout-synth", version 1). Reading checks the
 * format, version and every size; errors name the file and the key. */
AS_API as_status as_synth_model_save(const as_synth_model *m, const char *path);
AS_API as_status as_synth_model_load(const char *path, as_synth_model **out);

/* Encode a table for the model: its schema, then the model's composition descriptors. */
AS_API as_status as_synth_model_encode(const as_synth_model *m, const as_table *t,
                                       int need_target, as_dataset **out);
/* Feature count and names (schema features, then descriptor names). Borrowed. */
AS_API size_t as_synth_model_features(const as_synth_model *m);
AS_API const char *as_synth_model_feature_name(const as_synth_model *m, size_t j);

/* Probabilities for encoded rows x (n, d) with d = as_schema_features: prob from the member
 * trained on all rows; mean and std over the fold members (any output may be NULL). */
AS_API as_status as_synth_model_predict(const as_synth_model *m, const double *x, size_t n,
                                        double *prob, double *fold_mean, double *fold_std);

#ifdef __cplusplus
}
#endif
#endif
