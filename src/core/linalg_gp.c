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

/* The inverse below works on the column-major upper triangle U (K = U^T U, U = L^T) by
 * recursive halving: BLAS-3 calls on the off-diagonal blocks, plain loops on blocks of at most
 * AS_INV_BLOCK. LAPACK's dpotri (dtrtri + dlauum) spends most of its time in unblocked
 * level-2 code at the sizes a GP fit sees (n = 50..500): at n = 300 the triangular inverse is
 * 2.5x faster this way (bench/RESULTS.md, GPR). Checked against dpotri in tests/core. */
#define AS_INV_BLOCK 16

/* split point: half, rounded to a multiple of the base block above it */
static size_t inv_split(size_t n)
{
    size_t n1 = n / 2;
    if (n1 > AS_INV_BLOCK)
        n1 = (n1 + AS_INV_BLOCK / 2) / AS_INV_BLOCK * AS_INV_BLOCK;
    return n1;
}

/* U <- U^{-1}, U (n, n) upper, column-major with leading dimension ld. For U = [A B; 0 C]:
 * U^{-1} = [A^{-1}, -A^{-1} B C^{-1}; 0, C^{-1}]. */
static void trtri_upper(size_t n, double *u, size_t ld)
{
    if (n <= AS_INV_BLOCK) {
        double t[AS_INV_BLOCK];
        for (size_t j = 0; j < n; j++) { /* column j of the inverse from columns 0..j-1 */
            double *uj = u + j * ld, r = 1.0 / uj[j];
            uj[j] = r;
            for (size_t i = 0; i < j; i++) {
                double s = 0;
                for (size_t k = i; k < j; k++)
                    s += u[i + k * ld] * uj[k];
                t[i] = s;
            }
            for (size_t i = 0; i < j; i++)
                uj[i] = -t[i] * r;
        }
        return;
    }
    size_t n1 = inv_split(n), n2 = n - n1;
    double *b = u + n1 * ld, *c = b + n1;
    trtri_upper(n1, u, ld);
    trtri_upper(n2, c, ld);
    cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, (int)n1,
                (int)n2, -1.0, u, (int)ld, b, (int)ld);
    cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)n1,
                (int)n2, 1.0, c, (int)ld, b, (int)ld);
}

/* upper triangle of U U^T in place. For U = [A B; 0 C]:
 * U U^T = [A A^T + B B^T, B C^T; ., C C^T]. */
static void lauum_upper(size_t n, double *u, size_t ld)
{
    if (n <= AS_INV_BLOCK) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) {
                double s = 0;
                for (size_t k = j; k < n; k++)
                    s += u[i + k * ld] * u[j + k * ld];
                u[i + j * ld] = s;
            }
        return;
    }
    size_t n1 = inv_split(n), n2 = n - n1;
    double *b = u + n1 * ld, *c = b + n1;
    lauum_upper(n1, u, ld);
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, (int)n1, (int)n2, 1.0, b, (int)ld,
                1.0, u, (int)ld);
    cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, (int)n1,
                (int)n2, 1.0, c, (int)ld, b, (int)ld);
    lauum_upper(n2, c, ld);
}

/* Given the factor L (lower triangle, row-major), overwrite the lower triangle with the lower
 * triangle of (L L^T)^{-1} (what LAPACK's dpotri gives). */
as_status as_gp_potri(size_t n, double *l, size_t ld)
{
    for (size_t i = 0; i < n; i++)
        if (!(l[i * ld + i] != 0))
            return AS_FAIL(AS_ENOTPD, "gp: Cholesky factor singular at %zu", i + 1);
    trtri_upper(n, l, ld);
    lauum_upper(n, l, ld);
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
