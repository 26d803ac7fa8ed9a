/* The GP's dense linear algebra (declared in gp_int.h): Cholesky factor, solve and inverse of
 * the kernel matrix, and the triangular solve of prediction.
 *
 * The GP keeps symmetric matrices row-major with the lower triangle significant. A row-major
 * lower triangle is the column-major upper triangle of the same buffer, so these call core's
 * column-major kernels (as_cm_*, src/core/linalg.c, the only place BLAS/LAPACK are seen) with
 * uplo 'U'. This avoids the transposed copy that LAPACKE makes for row-major input (an n x n
 * allocation per call at n = 3000). */
#include <stdio.h>

#include "gp_int.h"

/* A (n, n) row-major, lower triangle used: A = L L^T in place (lower triangle). */
as_status as_gp_potrf(size_t n, double *a, size_t ld)
{
    as_status st = as_cm_potrf('U', n, a, ld);
    if (st == AS_ENOTPD) { /* "gp: kernel matrix not positive definite (leading minor ...)" */
        char what[256];
        snprintf(what, sizeof what, "%s", as_errmsg());
        return AS_FAIL(st, "gp: kernel %s", what);
    }
    return st;
}

/* Solve L L^T x = b in place for one right-hand side b (n). */
as_status as_gp_potrs(size_t n, const double *l, size_t ld, double *b)
{
    return as_cm_potrs('U', n, 1, l, ld, b, n ? n : 1);
}

/* The inverse below works on the column-major upper triangle U (K = U^T U, U = L^T) by
 * recursive halving: BLAS-3 calls on the off-diagonal blocks, plain loops on blocks of at most
 * AS_INV_BLOCK. LAPACK's dpotri (dtrtri + dlauum) spends most of its time in unblocked
 * level-2 code at the sizes a GP fit sees (n = 50..500): at n = 300 the triangular inverse is
 * 2.5x faster this way (bench/RESULTS.md, GPR). Checked against LAPACK's own dpotri in
 * tests/gp/test_inverse.c. */
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
static as_status trtri_upper(size_t n, double *u, size_t ld)
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
        return AS_OK;
    }
    size_t n1 = inv_split(n), n2 = n - n1;
    double *b = u + n1 * ld, *c = b + n1;
    AS_TRY(trtri_upper(n1, u, ld));
    AS_TRY(trtri_upper(n2, c, ld));
    AS_TRY(as_cm_trmm('L', 'U', 'N', n1, n2, -1.0, u, ld, b, ld));
    return as_cm_trmm('R', 'U', 'N', n1, n2, 1.0, c, ld, b, ld);
}

/* upper triangle of U U^T in place. For U = [A B; 0 C]:
 * U U^T = [A A^T + B B^T, B C^T; ., C C^T]. */
static as_status lauum_upper(size_t n, double *u, size_t ld)
{
    if (n <= AS_INV_BLOCK) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) {
                double s = 0;
                for (size_t k = j; k < n; k++)
                    s += u[i + k * ld] * u[j + k * ld];
                u[i + j * ld] = s;
            }
        return AS_OK;
    }
    size_t n1 = inv_split(n), n2 = n - n1;
    double *b = u + n1 * ld, *c = b + n1;
    AS_TRY(lauum_upper(n1, u, ld));
    AS_TRY(as_cm_syrk('U', 'N', n1, n2, 1.0, b, ld, 1.0, u, ld));
    AS_TRY(as_cm_trmm('R', 'U', 'T', n1, n2, 1.0, c, ld, b, ld));
    return lauum_upper(n2, c, ld);
}

/* Given the factor L (lower triangle, row-major), overwrite the lower triangle with the lower
 * triangle of (L L^T)^{-1} (what LAPACK's dpotri gives). */
as_status as_gp_potri(size_t n, double *l, size_t ld)
{
    for (size_t i = 0; i < n; i++)
        if (!(l[i * ld + i] != 0))
            return AS_FAIL(AS_ENOTPD, "gp: Cholesky factor singular at %zu", i + 1);
    AS_TRY(trtri_upper(n, l, ld));
    return lauum_upper(n, l, ld);
}

/* B (m, n) row-major, each row a right-hand side: row_q <- L^{-1} row_q, i.e. V = L^{-1} B^T.
 * In column-major terms B is (n, m) with ld ldb and L is U^T, so this is U^T X = B. */
as_status as_gp_trsm_rows(size_t n, const double *l, size_t ld, double *b, size_t m, size_t ldb)
{
    return as_cm_trsm('L', 'U', 'T', n, m, 1.0, l, ld, b, ldb);
}
