/* The BLAS/LAPACK boundary: the only file that includes cblas.h and lapacke.h. */
#include <cblas.h>
#include <lapacke.h>

#include "core_int.h"

static int as_mat_ok(const as_matrix *m) { return m && m->data && m->ld >= m->cols; }

as_status as_gemm(int trans_a, int trans_b, double alpha, const as_matrix *a,
                  const as_matrix *b, double beta, as_matrix *c)
{
    /* A: (m, k) after op; B: (k, n) after op; C: (m, n) */
    if (!as_mat_ok(a) || !as_mat_ok(b) || !as_mat_ok(c))
        return AS_FAIL(AS_EINVAL, "gemm: matrix without data or with ld < cols");
    size_t m = trans_a ? a->cols : a->rows, ka = trans_a ? a->rows : a->cols;
    size_t kb = trans_b ? b->cols : b->rows, n = trans_b ? b->rows : b->cols;
    if (ka != kb || c->rows != m || c->cols != n)
        return AS_FAIL(AS_EDIM, "gemm: (%zu x %zu) times (%zu x %zu) into (%zu x %zu)", m, ka,
                       kb, n, c->rows, c->cols);
    if (m == 0 || n == 0)
        return AS_OK;
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)ka, alpha, a->data,
                (int)a->ld, b->data, (int)b->ld, beta, c->data, (int)c->ld);
    return AS_OK;
}

as_status as_cholesky(as_matrix *a)
{
    if (!as_mat_ok(a) || a->rows != a->cols)
        return AS_FAIL(AS_EDIM, "cholesky: matrix is %zu x %zu, not square", a ? a->rows : 0,
                       a ? a->cols : 0);
    if (a->rows == 0)
        return AS_OK;
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)a->rows, a->data,
                                     (lapack_int)a->ld);
    if (info > 0)
        return AS_FAIL(AS_ENOTPD, "cholesky: leading minor %d is not positive definite",
                       (int)info);
    if (info < 0)
        return AS_FAIL(AS_EINVAL, "cholesky: LAPACK argument %d invalid", (int)-info);
    return AS_OK;
}

as_status as_cholesky_solve(const as_matrix *l, as_matrix *b)
{
    if (!as_mat_ok(l) || !as_mat_ok(b) || l->rows != l->cols || b->rows != l->rows)
        return AS_FAIL(AS_EDIM, "cholesky_solve: factor %zu x %zu, right-hand side %zu x %zu",
                       l ? l->rows : 0, l ? l->cols : 0, b ? b->rows : 0, b ? b->cols : 0);
    if (l->rows == 0 || b->cols == 0)
        return AS_OK;
    lapack_int info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)l->rows,
                                     (lapack_int)b->cols, l->data, (lapack_int)l->ld, b->data,
                                     (lapack_int)b->ld);
    if (info != 0)
        return AS_FAIL(AS_EINVAL, "cholesky_solve: LAPACK info %d", (int)info);
    return AS_OK;
}

as_status as_eigh(as_matrix *a, double *w)
{
    if (!as_mat_ok(a) || a->rows != a->cols || !w)
        return AS_FAIL(AS_EDIM, "eigh: matrix is not square");
    if (a->rows == 0)
        return AS_OK;
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'L', (lapack_int)a->rows, a->data,
                                     (lapack_int)a->ld, w);
    if (info > 0)
        return AS_FAIL(AS_ENOCONV, "eigh: LAPACK dsyevd did not converge (info %d)", (int)info);
    if (info < 0)
        return AS_FAIL(AS_EINVAL, "eigh: LAPACK argument %d invalid", (int)-info);
    return AS_OK;
}
