/* LAPACK/BLAS wrappers used by the gp area (declared in src/gp/gp_int.h).
 *
 * The GP keeps symmetric matrices row-major with the lower triangle significant. A row-major
 * lower triangle is the column-major upper triangle of the same buffer, so these wrappers call
 * LAPACK in column-major order with uplo = 'U'. This avoids the transposed copy that
 * LAPACKE makes for row-major input (an n x n allocation per call at n = 3000). */
#include <cblas.h>
#include <lapacke.h>

#include "core_int.h"

/* Declarations live in src/gp/gp_int.h; repeated here so this file stands alone. */
as_status as_gp_potrf(size_t n, double *a, size_t ld);
as_status as_gp_potrs(size_t n, const double *l, size_t ld, double *b);
as_status as_gp_potri(size_t n, double *l, size_t ld);
void as_gp_trsm_rows(size_t n, const double *l, size_t ld, double *b, size_t m, size_t ldb);

/* A (n, n) row-major, lower triangle used: A = L L^T in place (lower triangle). */
as_status as_gp_potrf(size_t n, double *a, size_t ld)
{
    if (n == 0)
        return AS_OK;
    lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)n, a,
                                          (lapack_int)ld);
    if (info > 0)
        return AS_FAIL(AS_ENOTPD, "gp: kernel matrix not positive definite (leading minor %d "
                                  "of %zu)", (int)info, n);
    if (info < 0)
        return AS_FAIL(AS_EINVAL, "gp: LAPACK dpotrf argument %d invalid", (int)-info);
    return AS_OK;
}

/* Solve L L^T x = b in place for one right-hand side b (n). */
as_status as_gp_potrs(size_t n, const double *l, size_t ld, double *b)
{
    if (n == 0)
        return AS_OK;
    lapack_int info = LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'U', (lapack_int)n, 1, l,
                                          (lapack_int)ld, b, (lapack_int)n);
    if (info != 0)
        return AS_FAIL(AS_EINVAL, "gp: LAPACK dpotrs info %d", (int)info);
    return AS_OK;
}

/* Given the factor L (lower triangle, row-major), overwrite the lower triangle with the lower
 * triangle of (L L^T)^{-1}. */
as_status as_gp_potri(size_t n, double *l, size_t ld)
{
    if (n == 0)
        return AS_OK;
    lapack_int info = LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'U', (lapack_int)n, l,
                                          (lapack_int)ld);
    if (info > 0)
        return AS_FAIL(AS_ENOTPD, "gp: Cholesky factor singular at %d", (int)info);
    if (info < 0)
        return AS_FAIL(AS_EINVAL, "gp: LAPACK dpotri argument %d invalid", (int)-info);
    return AS_OK;
}

/* B (m, n) row-major, each row a right-hand side: row_q <- L^{-1} row_q, i.e. V = L^{-1} B^T.
 * In column-major terms B is (n, m) with ld ldb and L is U^T, so this is U^T X = B. */
void as_gp_trsm_rows(size_t n, const double *l, size_t ld, double *b, size_t m, size_t ldb)
{
    if (n == 0 || m == 0)
        return;
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, (int)n, (int)m,
                1.0, l, (int)ld, b, (int)ldb);
}

/* OpenBLAS thread count: work split over our own threads (as_parallel_for, the GP restarts)
 * runs with single-threaded BLAS, so every task's arithmetic is the same whatever the thread
 * count and OpenBLAS's spinning pool does not compete with our threads; then it is restored. */
void blas_thread_shutdown_(void); /* exported by OpenBLAS's pthread build */

/* Going down to one thread also stops OpenBLAS's idle worker pool: its workers spin
 * (sched_yield) for a while after every start, which in a short run costs a whole core, and
 * openblas_set_num_threads starts them again even when the count does not change. Single-
 * threaded calls do not use the pool; OpenBLAS starts it again when more threads are set. */
int as_blas_threads_set(int n)
{
    int prev = openblas_get_num_threads();
    if (n != prev) {
        openblas_set_num_threads(n);
        if (n == 1)
            blas_thread_shutdown_();
    }
    return prev;
}

void as_blas_single_threaded(void) { as_blas_threads_set(1); }
