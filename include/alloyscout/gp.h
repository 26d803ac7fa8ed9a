/* alloyscout gp area: principal component analysis and Gaussian-process regression with the
 * kernel of seed 004 (Methods, "Machine Learning", eq. 11):
 *
 *     k(x, x') = C^2 exp(-|x - x'|^2 / (2 l^2))   [+ s delta(x, x') with a fitted white noise]
 *
 * fitted by maximising the log-marginal-likelihood (LML) with bounded L-BFGS in log space and
 * random restarts, plus the "model" used by workflow B and `alloyscout gpr`: z-score, PCA
 * keeping a variance fraction (0.99 in the paper), then the GP.
 *
 * Conventions (docs/gp.md): inputs are flat row-major double arrays x (n, d) with ld = d;
 * hyperparameters are handled as theta = natural logs in the order
 *     [log C^2, log l (one, or d with ARD), log s (only with the noise term)],
 * which is scikit-learn's order for ConstantKernel * RBF + WhiteKernel. C^2 is scikit-learn's
 * constant_value and l its length_scale; the default bounds are [1e-5, 1e3] on both (see
 * docs/gp.md for why this reading of the paper's "C^2 and l^2 in [1e-5, 1e3]").
 * Objects are opaque; getters return borrowed pointers valid until the object is freed. */
#ifndef ALLOYSCOUT_GP_H
#define ALLOYSCOUT_GP_H

/* Largest |value| accepted in GP inputs and targets (fit and predict): n squared deviations of
 * such values (n < 2^60) still fit in a double, so no variance or distance overflows. */
#define AS_GP_VALUE_MAX 1e140

#include "alloyscout/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================= PCA ======================================= */

typedef struct as_pca as_pca;

/* Fit a PCA to x (n, d), n >= 2. With standardize = 1 every column is first z-scored with its
 * mean and population standard deviation (a zero deviation counts as 1, as in scikit-learn's
 * StandardScaler); the PCA then centres the (scaled) data and keeps the fewest components whose
 * cumulative explained-variance ratio exceeds var_fraction (scikit-learn's PCA(n_components=f)
 * rule: the first k with cumsum > f). var_fraction >= 1 keeps all d components; var_fraction
 * = 0 keeps no PCA at all: the transform is then the (optional) z-score only, with k = d.
 * Components are unit vectors with their largest-magnitude entry positive (scikit-learn fixes
 * signs differently, so compare projections up to sign). Explained variances use 1/(n-1).
 * OUT: *out, free with as_pca_free; NULL on failure.
 * Status: AS_EINVAL (n < 2, d == 0, var_fraction < 0 or NaN, non-finite x), AS_ENOMEM,
 * AS_ENOCONV (eigen-solver). */
AS_API as_status as_pca_fit(const double *x, size_t n, size_t d, double var_fraction,
                            int standardize, as_pca **out);
AS_API void as_pca_free(as_pca *p);
/* Project xq (m, d) into z (m, k) where k = as_pca_dim_out(p). z must not alias xq.
 * Status: AS_EINVAL for NULL arrays with m > 0. */
AS_API as_status as_pca_transform(const as_pca *p, const double *xq, size_t m, double *z);
AS_API size_t as_pca_dim_in(const as_pca *p);  /* d */
AS_API size_t as_pca_dim_out(const as_pca *p); /* k */
/* Components (k, d) row-major, each a unit vector in the standardized input space; NULL when
 * the PCA was disabled (var_fraction = 0). Borrowed. */
AS_API const double *as_pca_components(const as_pca *p);
/* Explained variances of all min(n-1, d) eigen-directions in decreasing order (length
 * as_pca_rank(p)) and their ratios; the first k are the kept ones. Borrowed; NULL when disabled. */
AS_API const double *as_pca_explained_variance(const as_pca *p);
AS_API const double *as_pca_explained_variance_ratio(const as_pca *p);
AS_API size_t as_pca_rank(const as_pca *p);
/* Column means and standard deviations (d) used by the z-score; std is all ones when
 * standardize was 0. Borrowed. */
AS_API const double *as_pca_mean(const as_pca *p);
AS_API const double *as_pca_scale(const as_pca *p);

/* ======================================= GPR ======================================= */

typedef struct {
    size_t restarts;           /* 50: random restarts after the first start at the *_init values
                              (scikit-learn's n_restarts_optimizer); total starts = restarts+1 */
    int optimize;              /* 1; 0 keeps the *_init hyperparameters (scikit-learn
                              optimizer=None) */
    double c2_init;            /* 1.0: C^2 (constant_value) at the first start */
    double c2_lo, c2_hi;       /* 1e-5, 1e3: bounds on C^2 */
    double ls_init;            /* 1.0: length scale l at the first start (every feature with ARD) */
    double ls_lo, ls_hi;       /* 1e-5, 1e3: bounds on l */
    int ard;                   /* 0: one l; 1: one l per feature */
    int noise;                 /* 0: no noise term; 1: fitted white noise s on the diagonal */
    double noise_init;         /* 1.0: s at the first start */
    double noise_lo, noise_hi; /* 1e-5, 1e5: bounds on s (scikit-learn WhiteKernel default) */
    int normalize_y;           /* 1: fit on (y - mean) / std (population std; 0 counts as 1) */
    double jitter;             /* 1e-10: alpha added to the diagonal (scikit-learn's alpha) */
    double jitter_max;         /* 1e-4: largest jitter tried when the matrix at the final
                              hyperparameters is not positive definite; escalation goes up by
                              10x from jitter_max * 1e-6, each step with a warning */
    double ftol_rel;           /* 1e-12: L-BFGS relative tolerance on the LML */
    double xtol_rel;           /* 1e-10: L-BFGS relative tolerance on theta */
    size_t max_eval;           /* 1000: LML evaluations per start */
    double bound_tol;          /* 1e-5: |theta - log bound| below which a fitted hyperparameter is
                              reported as stuck at that bound */
    size_t predict_batch;      /* 1024: query rows per block in prediction (scratch is
                              predict_batch * (n + d + 1) doubles) */
    size_t threads;            /* 0: threads running the starts (0 = as_gp_default_threads()).
                              During the starts OpenBLAS is set to one thread (a process-wide
                              setting, restored afterwards), so the fit is bit-identical for
                              any thread count */
} as_gp_options;

/* The documented defaults above. */
AS_API as_gp_options as_gp_options_default(void);
/* AS_EINVAL naming the field when an option is out of range (bounds must satisfy
 * 0 < lo <= init <= hi, jitter >= 0, jitter_max >= jitter, ...). */
AS_API as_status as_gp_options_check(const as_gp_options *opt);
/* Move each initial value that lies outside its bounds (after the caller changed the bounds) to
 * the geometric midpoint of the bounds, sqrt(lo hi): C^2, the length scale and the noise. A value
 * inside its bounds is kept. Bounds that as_gp_options_check would refuse are left as they are. */
AS_API void as_gp_options_center_inits(as_gp_options *opt);
/* Online processors (sysconf), at least 1: the thread count used when opt->threads is 0. */
AS_API size_t as_gp_default_threads(void);
/* Number of hyperparameters: 1 + (ard ? d : 1) + (noise ? 1 : 0). */
AS_API size_t as_gp_n_theta(const as_gp_options *opt, size_t d);

typedef struct as_gp as_gp;
typedef struct as_gp_workspace as_gp_workspace;

/* Scratch for fits with up to n_max samples and d_max features: two n_max^2 matrices and two
 * n_max vectors, plus one n_max^2 matrix and one n_max vector per extra thread (added on the
 * first threaded fit and kept). Sized once and reused across fits (the active-learning loop
 * refits every round). A workspace must not be used by two fits at the same time. Status: AS_ENOMEM, AS_EINVAL. */
AS_API as_status as_gp_workspace_create(size_t n_max, size_t d_max, as_gp_workspace **out);
AS_API void as_gp_workspace_free(as_gp_workspace *w);

/* Fit a GP to x (n, d) and y (n), n >= 1. With opt->optimize, runs 1 + opt->restarts bounded
 * L-BFGS maximisations of the LML in log space: start 0 at the *_init values, start r >= 1 at a
 * point drawn log-uniformly within the bounds from as_rng_stream(seed, r). The best LML wins
 * (ties: lowest start index), so the result depends on seed only, not on opt->threads (starts
 * are spread over that many POSIX threads, each with its own part of the workspace). If the
 * matrix at the chosen hyperparameters is not positive definite with opt->jitter, jitter escalates (warning naming the value used) up to opt->jitter_max.
 * Hyperparameters that end within bound_tol of a bound are reported with a warning and through
 * as_gp_at_bound. x and y are copied. w: NULL (a temporary one is made) or a workspace with
 * n_max >= n and d_max >= d. OUT: *out, NULL on failure.
 * Status: AS_EINVAL (options, non-finite data, n == 0, d == 0), AS_EDIM (workspace too small),
 * AS_ENOTPD (not positive definite even with jitter_max), AS_ENOMEM. When no start gives a
 * positive-definite matrix, a warning is logged and the *_init values are used. */
AS_API as_status as_gp_fit(const double *x, const double *y, size_t n, size_t d,
                           const as_gp_options *opt, uint64_t seed, as_gp_workspace *w,
                           as_gp **out);
AS_API void as_gp_free(as_gp *gp);

/* Log-marginal-likelihood of (x, y) under opt's kernel at theta (length as_gp_n_theta) and, if
 * grad is not NULL, its gradient with respect to theta (written, not accumulated). y is
 * normalized first when opt->normalize_y. Uses jitter opt->jitter without escalation.
 * w: NULL or a large enough workspace. Status: AS_ENOTPD (matrix not positive definite),
 * AS_EINVAL, AS_EDIM, AS_ENOMEM. */
AS_API as_status as_gp_lml(const double *x, const double *y, size_t n, size_t d,
                           const as_gp_options *opt, const double *theta, as_gp_workspace *w,
                           double *lml, double *grad);

/* Predictive mean and standard deviation at xq (m, d) in the units of y. std is the square
 * root of max(0, k(x,x) - k*^T K^{-1} k*) times the y scale; like scikit-learn, k(x,x) includes
 * the noise term s when it is fitted. std may be NULL. Uses scratch inside gp, so one gp must not
 * predict from two threads at once (use as_gp_predict_r for that).
 * Status: AS_EINVAL (NULL arrays), AS_ENOMEM. */
AS_API as_status as_gp_predict(as_gp *gp, const double *xq, size_t m, double *mean, double *std);
/* Same, with caller scratch work of length >= as_gp_predict_work_len(gp). Thread-safe. */
AS_API size_t as_gp_predict_work_len(const as_gp *gp);
AS_API as_status as_gp_predict_r(const as_gp *gp, const double *xq, size_t m, double *mean,
                                 double *std, double *work);

/* Joint posterior of the latent function f (without the noise term) at xq (m, d):
 * cov (m, m, row-major, symmetric) = [k(q_a, q_b) - k_a^T K^{-1} k_b] times the y scale squared
 * (docs/gp.md, "Posterior covariance and batch selection"); mean (m) as as_gp_predict, may be
 * NULL. The diagonal is clipped at 0. cov must not alias xq. Uses scratch inside gp (not
 * thread-safe on one gp). Status: AS_EINVAL (NULL arrays), AS_ENOMEM. */
AS_API as_status as_gp_predict_cov(const as_gp *gp, const double *xq, size_t m, double *mean,
                                   double *cov);
/* The linear functional F = sum_j w[j] f(xw_j) over xw (nw, d), and a batch of candidate points
 * xc (nc, d) chosen greedily to lower its posterior variance: pick k is the candidate whose
 * (noisy) label lowers Var[F | data, picks 0..k-1] most, the earlier picks conditioned on by
 * rank-one updates, so a batch does not repeat what an earlier pick already told (a candidate is
 * never picked twice; ties go to the lowest index). A new label carries the training noise
 * s + jitter. OUT: picked (batch) candidate indices in the order chosen, *n_picked =
 * min(batch, nc) unless every remaining candidate has zero variance; var (batch + 1): Var F
 * before any pick and after each (in y units squared; entries past *n_picked are not written);
 * mean (may be NULL): the posterior mean of F. batch 0 gives just Var F. Uses scratch inside gp
 * (not thread-safe on one gp). Status: AS_EINVAL (NULL arrays), AS_ENOMEM. */
AS_API as_status as_gp_functional_batch(const as_gp *gp, const double *xw, const double *w,
                                        size_t nw, const double *xc, size_t nc, size_t batch,
                                        size_t *picked, size_t *n_picked, double *var,
                                        double *mean);

/* Fitted state. Arrays are borrowed. */
AS_API size_t as_gp_n(const as_gp *gp);
AS_API size_t as_gp_d(const as_gp *gp);
AS_API size_t as_gp_n_theta_of(const as_gp *gp);
AS_API const double *as_gp_theta(const as_gp *gp);         /* log hyperparameters, see top */
AS_API double as_gp_c2(const as_gp *gp);                   /* C^2 */
AS_API const double *as_gp_length_scales(const as_gp *gp); /* 1 or d values */
AS_API double as_gp_noise(const as_gp *gp);                /* s; 0 without the noise term */
AS_API double as_gp_lml_value(const as_gp *gp);            /* LML at theta (normalized y) */
AS_API double as_gp_jitter_used(const as_gp *gp);
AS_API uint64_t as_gp_seed(const as_gp *gp);
AS_API const as_gp_options *as_gp_options_of(const as_gp *gp);
/* Per hyperparameter: -1 stuck at the lower bound, +1 at the upper bound, 0 inside. Returns
 * the number stuck. flags may be NULL. */
AS_API size_t as_gp_at_bound(const as_gp *gp, int *flags);
/* Index of the start that won and the number of starts that gave a finite LML. */
AS_API size_t as_gp_best_start(const as_gp *gp);
AS_API size_t as_gp_ok_starts(const as_gp *gp);
/* LML evaluations the fit made over all starts (0 for a model that was loaded, not fitted). */
AS_API size_t as_gp_evaluations(const as_gp *gp);

/* ================================ z-score + PCA + GP ================================ */

typedef struct as_gpr_model as_gpr_model;

/* Fit the workflow-B model: z-score x (n, d), PCA keeping pca_fraction of the variance
 * (0 = no PCA, z-score only), then as_gp_fit on the projected inputs. Status as for
 * as_pca_fit and as_gp_fit. OUT: *out, NULL on failure. */
AS_API as_status as_gpr_model_fit(const double *x, const double *y, size_t n, size_t d,
                                  double pca_fraction, const as_gp_options *opt, uint64_t seed,
                                  as_gp_workspace *w, as_gpr_model **out);
AS_API void as_gpr_model_free(as_gpr_model *m);
/* Mean and std (may be NULL) at xq (m, d) in the original feature space. Not thread-safe on
 * one model (see as_gp_predict). */
AS_API as_status as_gpr_model_predict(as_gpr_model *m, const double *xq, size_t nq, double *mean,
                                      double *std);
/* Borrowed parts. */
AS_API const as_pca *as_gpr_model_pca(const as_gpr_model *m);
AS_API as_gp *as_gpr_model_gp(const as_gpr_model *m);
AS_API size_t as_gpr_model_d(const as_gpr_model *m);
/* Feature names (optional, d of them) stored in the model file; names may be NULL to clear.
 * Copied. as_gpr_model_feature_name returns NULL when none was set. */
AS_API as_status as_gpr_model_set_features(as_gpr_model *m, const char *const *names);
AS_API const char *as_gpr_model_feature_name(const as_gpr_model *m, size_t j);
/* Target name (optional); copied; NULL when unset. */
AS_API as_status as_gpr_model_set_target(as_gpr_model *m, const char *name);
AS_API const char *as_gpr_model_target(const as_gpr_model *m);

/* JSON model file (format "alloyscout-gpr", version 1; docs/gp.md): scaler, PCA, options,
 * hyperparameters, training inputs and targets, seed. The file is written atomically. Load
 * refactors the kernel matrix, so predictions of a loaded model equal the saved one's.
 * Status: AS_EIO, AS_EPARSE (syntax, missing keys, wrong format or version, arrays of the wrong
 * length, with the file name), AS_ENOTPD, AS_ENOMEM. */
AS_API as_status as_gpr_model_save(const as_gpr_model *m, const char *path);
AS_API as_status as_gpr_model_load(const char *path, as_gpr_model **out);

/* ============================ diagnostics and cross-validation ============================ */
/* (src/gp/cv.c) */

/* Rows whose inputs are identical but whose targets differ: a GP without a noise term cannot
 * fit them (the kernel matrix is singular and the fit collapses). */
typedef struct {
    size_t n_shared;    /* distinct input vectors shared by rows with different targets */
    size_t n_rows;      /* rows holding those vectors */
    double max_diff;    /* largest target spread (max - min) on one shared vector */
    size_t example_row; /* first row (0-based) of the vector with that spread */
} as_gp_duplicates;
/* Find them in x (n, d) and y (n) (exact equality of every feature). AS_ENOMEM. */
AS_API as_status as_gp_find_duplicates(const double *x, const double *y, size_t n, size_t d,
                                       as_gp_duplicates *out);
/* LML of the model "every target independent, mean and variance of the targets" on y (n):
 * -n/2 (1 + log(2 pi v)) with v the population variance (v = 1 after normalize_y, so the
 * value is -1.4189 n), or the mean square of y without normalization. A fitted LML below it
 * means the GP explains the data worse than no model at all: the fit is degenerate. */
AS_API double as_gp_lml_null(const double *y, size_t n, int normalize_y);

/* Regression metrics of predictions (mean, std) against y over n rows:
 *   mae, rmse     mean absolute and root-mean-square error
 *   r2            1 - SS_res / SS_tot (scikit-learn's r2_score: 1 when both are 0, 0 when only
 *                 SS_tot is)
 *   cover1/2      fraction of rows with |y - mean| <= 1 std (2 std)
 *   nll           mean negative log predictive density, 1/2 log(2 pi std^2) + (y - mean)^2 /
 *                 (2 std^2); +inf when a std is 0 */
typedef struct {
    size_t n;
    double mae, rmse, r2, cover1, cover2, nll;
} as_gp_metrics;
AS_API as_status as_gp_metrics_compute(const double *y, const double *mean, const double *std,
                                       size_t n, as_gp_metrics *out);

/* Assign n rows to k folds (fold (n), values 0..k-1). Without groups (group NULL) the rows are
 * shuffled with rng and dealt round-robin (fold sizes differ by at most 1). With groups (group
 * (n), values 0..n_groups-1) every group stays whole: groups are shuffled, taken largest first
 * (stable) and each goes to the fold with the fewest rows so far (ties: lowest fold).
 * AS_EINVAL when k < 2 or k exceeds the rows (groups with rows); AS_ENOMEM. */
AS_API as_status as_gp_kfold(size_t n, size_t k, const size_t *group, size_t n_groups, as_rng *rng,
                             size_t *fold);

/* Cross-validate the workflow-B model: for each fold f < k, as_gpr_model_fit on the rows with
 * fold[i] != f (z-score, PCA and GP fitted on those rows only, with opt and seed), predictions
 * for the rows of fold f into mean (n) and std (n). per_fold (k, may be NULL) and pooled (may be
 * NULL) get the metrics; theta (may be NULL) gets the fitted log hyperparameters of each fold,
 * (k, as_gp_n_theta(opt, d)) with unused entries NAN (the PCA may keep fewer features).
 * Status as for as_gpr_model_fit; AS_EINVAL when a fold is empty or holds every row. */
AS_API as_status as_gpr_model_cv(const double *x, const double *y, size_t n, size_t d,
                                 const size_t *fold, size_t k, double pca_fraction,
                                 const as_gp_options *opt, uint64_t seed, double *mean, double *std,
                                 as_gp_metrics *per_fold, as_gp_metrics *pooled, double *theta);

#ifdef __cplusplus
}
#endif
#endif
