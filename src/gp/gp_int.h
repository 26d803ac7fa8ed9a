/* Private helpers of the gp area (never installed). */
#ifndef AS_GP_INT_H
#define AS_GP_INT_H

#include "alloyscout/gp.h"
#include "core_int.h"
#include "json_int.h"

/* ---- the kernel matrix's linear algebra, src/gp/inverse.c (over core's as_cm_* kernels).
 * Symmetric matrices are row-major with the lower triangle significant; the strict upper
 * triangle is never touched. ---- */
/* A = L L^T in place. AS_ENOTPD when not positive definite. */
as_status as_gp_potrf(size_t n, double *a, size_t ld);
/* Solve L L^T x = b in place, b (n). */
as_status as_gp_potrs(size_t n, const double *l, size_t ld, double *b);
/* Lower triangle of L replaced by the lower triangle of (L L^T)^{-1} (what dpotri gives, by a
 * recursive BLAS-3 inverse). AS_ENOTPD when L has a zero on its diagonal. */
as_status as_gp_potri(size_t n, double *l, size_t ld);
/* Rows of b (m, n, ld ldb) replaced by L^{-1} row. */
as_status as_gp_trsm_rows(size_t n, const double *l, size_t ld, double *b, size_t m, size_t ldb);

/* Rebuild a GP at fixed log hyperparameters theta (no optimisation): normalization, kernel
 * matrix, factor with jitter escalation starting at `jitter`, alpha. Used by as_gp_fit and by
 * the model loader. */
as_status as_gp_build(const double *x, const double *y, size_t n, size_t d,
                      const as_gp_options *opt, const double *theta, double jitter, uint64_t seed,
                      as_gp **out);
/* Bookkeeping restored by the loader. */
void as_gp_set_starts(as_gp *gp, size_t best_start, size_t ok_starts);
/* Training inputs (n, d) and original targets (n), borrowed. */
const double *as_gp_x_train(const as_gp *gp);
/* log-space bounds lo, hi and start values t0 (as_gp_n_theta(o, d) each), in theta order */
void as_gp_theta_bounds(const as_gp_options *o, size_t d, double *lo, double *hi, double *t0);
const double *as_gp_y_train(const as_gp *gp);

/* PCA state for (de)serialization. */
as_status as_pca_to_json(const as_pca *p, as_json *obj);
as_status as_pca_from_json(const as_json *obj, const char *where, as_pca **out);

#endif
