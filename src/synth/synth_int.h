/* Private helpers of the synth area (workflow A): one member of an ensemble (a scaler and a
 * network), trained on a set of rows, shared by cross-validation, hold-out and training. */
#ifndef AS_SYNTH_INT_H
#define AS_SYNTH_INT_H

#include <pthread.h>

#include "alloyscout/synth.h"
#include "core_int.h"
#include "json_int.h"

/* Stream numbers: fold assignment, then one per member. */
enum { AS_TASK_FOLDS = 0, AS_TASK_FULL = 1, AS_TASK_BOOT = 2, AS_TASK_MEMBER0 = 16 };

typedef struct {
    double *impute; /* (d) medians of the training rows filling NaN cells, or NULL */
    as_scaler *scaler;
    as_mlp *mlp;
} as_synth_member;

void as_synth_member_free(as_synth_member *m);
/* Train one member on rows idx[0..n_idx) of x (n, d) / y with the stream (opt->seed, task):
 * fit the scaler on those rows, split off a stratified validation set of real rows, resample
 * the rest, train the network with early stopping on the validation rows (as_mlp_fit). */
as_status as_synth_member_fit(const double *x, const int *y, size_t d, const size_t *idx,
                              size_t n_idx, const as_synth_options *opt, uint64_t task,
                              as_synth_member *out);
/* The same in two stages, so that a scheduler can run the first passes of several members
 * before their refits (eval.c): as_synth_member_fit_first does everything up to the
 * early-stopped pass and leaves in *stage what the refit needs (the stream where the first
 * pass left it, the scaled rows, the epoch count); stage->need_refit says whether
 * as_synth_member_fit_refit must still run. Fitting in two stages gives the same member bit
 * for bit as as_synth_member_fit. The stage is freed by as_synth_member_stage_free (both
 * functions free nothing of it on failure). */
typedef struct {
    as_rng rng;
    double *xs; /* (n_idx, d) the member's rows, imputed and scaled */
    int *ys;
    size_t n_idx, d, best_epoch;
    unsigned char *integer; /* SMOTE-NC integer columns (ro.columns.integer) */
    as_resample_options ro;
    int need_refit;
} as_synth_member_stage;
as_status as_synth_member_fit_first(const double *x, const int *y, size_t d, const size_t *idx,
                                    size_t n_idx, const as_synth_options *opt, uint64_t task,
                                    as_synth_member *out, as_synth_member_stage *stage);
as_status as_synth_member_fit_refit(const as_synth_options *opt, as_synth_member_stage *stage,
                                    as_synth_member *out);
void as_synth_member_stage_free(as_synth_member_stage *stage);

/* k members trained in two passes on a thread pool (cross-validation in eval.c, as_synth_train
 * in model.c): 2 k tasks, tasks 0..k-1 the members' first passes (as_synth_member_fit_first into
 * mem[f], stage[f]), tasks k..2k-1 refit slots. The pool hands tasks out in index order, so
 * every first pass starts before any refit. A refit slot takes, of the members whose first pass
 * is done and whose refit nobody has taken, the one with the most refit work (epochs times
 * rows), and waits only while every remaining member's first pass still runs: a long refit does
 * not start last and run alone while the other thread idles. Every member is the same as
 * as_synth_member_fit's, whatever the thread count and whichever slot refits it. */
typedef struct {
    size_t k;
    as_synth_member *mem;         /* (k) */
    as_synth_member_stage *stage; /* (k) what the refits need */
    unsigned char *first;         /* (k) 0 running, 1 done, 2 failed */
    unsigned char *taken;         /* (k) 1: a refit slot has taken the member */
    pthread_mutex_t lock;
    pthread_cond_t done;
    int ready; /* lock and done initialized */
} as_synth_passes;
/* AS_ENOMEM; call as_synth_passes_free either way. */
as_status as_synth_passes_init(as_synth_passes *p, size_t k);
/* Frees the members and stages still held, and the rest. */
void as_synth_passes_free(as_synth_passes *p);
/* The first pass of member f ended with st (its slot may then take it). */
void as_synth_passes_first_done(as_synth_passes *p, size_t f, as_status st);
/* A refit slot: waits for and takes a member, *f; 1 when its first pass succeeded (refit it),
 * 0 when it failed (that task reported the failure: nothing to do). */
int as_synth_passes_take(as_synth_passes *p, size_t *f);
/* prob (n_idx) for rows idx (NULL: 0..n_idx-1) of raw x (n, d). */
as_status as_synth_member_predict(const as_synth_member *m, const double *x, size_t d,
                                  const size_t *idx, size_t n_idx, double *prob);
/* {"scaler": ..., "mlp": ...} and back (d: expected inputs; where: file name for messages). */
as_status as_synth_member_to_json(const as_synth_member *mb, as_json **out);
as_status as_synth_member_from_json(const as_json *j, size_t d, const char *where,
                                    as_synth_member *out);

/* Append precomputed descriptors desc (table rows x nd, indexed by ds->row) to ds->x. */
as_status as_synth_add_descriptors_from(as_dataset *ds, const double *desc, size_t nd);

/* Scale rows x (n, d) as the member does before its network (imputation, then the scaler)
 * into z (n, d). */
as_status as_synth_member_scale(const as_synth_member *m, const double *x, size_t n, size_t d,
                                double *z);

/* The training domain (domain.c). */
#define AS_SYNTH_DOMAIN_QUANTILE 0.99
#define AS_SYNTH_REASON_CAP 400 /* bytes of one row's domain_reason */
typedef struct {
    int have;                   /* 0: a version 1/2 model file, nothing to compare with */
    size_t d, n;                /* features; training rows */
    double *lo, *hi;            /* (d) training range of each feature, NAN: not checked */
    double *train;              /* (n, d) training rows scaled by the all-rows member */
    double quantile, threshold; /* the LOO nearest-neighbour distance quantile and its value */
    int have_elements;          /* element[] filled (as_synth_model_set_training_elements) */
    unsigned char element[AS_ELEMENT_Z_MAX + 1];
    /* (d) 1: feature j is the element column of its symbol (its values follow the formulas),
     * decided on the training table (as_synth_model_set_training_elements); NULL: not known (a
     * file from before), recommend then takes every column named by an element symbol */
    unsigned char *element_col;
} as_synth_domain;
void as_synth_domain_free(as_synth_domain *dm);
as_status as_synth_domain_fit(as_synth_domain *dm, const as_synth_member *full, const double *x,
                              size_t n, size_t d);
/* Range and distance checks of rows x (n, d): ORs AS_SYNTH_DOMAIN_* into flags[i], appends
 * reasons to reason[i] (capacity reason_cap, NUL-terminated), nn_dist[i] (may be NULL). */
as_status as_synth_domain_check(const as_synth_domain *dm, const as_synth_member *full,
                                const as_schema *schema, const char *const *feature_names,
                                const double *x, size_t n, unsigned *flags, double *nn_dist,
                                char **reason, size_t reason_cap);
as_status as_synth_domain_to_json(const as_synth_domain *dm, as_json *model);
as_status as_synth_domain_from_json(const as_json *o, size_t d, const char *path,
                                    as_synth_domain *dm);
/* The model's domain (NULL-safe accessors for output.c / recommend.c). */
const as_synth_domain *as_synth_model_domain_(const as_synth_model *m);
const as_synth_member *as_synth_model_full_(const as_synth_model *m);
/* Whether feature j is an element column (recommend's formula axis sets it from the formula). */
int as_synth_model_element_column_(const as_synth_model *m, size_t j);
const char *as_synth_model_composition_(const as_synth_model *m);
/* Element check of one formula, level check of one table row (x: its encoded features). */
void as_synth_domain_elements_(const as_synth_model *m, const char *formula, unsigned *fl,
                               char *reason, size_t cap);
void as_synth_domain_levels_(const as_synth_model *m, const as_table *t, size_t row,
                             const double *x, unsigned *fl, char *reason, size_t cap);

/* AS_EINVAL when ds has no target (or no group column with need_group). */
as_status as_synth_check_dataset(const as_dataset *ds, int need_group);
/* Stratified folds; with a group column the groups stay whole. */
as_status as_synth_assign_folds(const as_dataset *ds, const as_synth_options *opt, as_rng *rng,
                                size_t *fold);

#endif
