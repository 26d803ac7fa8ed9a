/* The BLAS/LAPACK boundary: the only file that includes cblas.h and lapacke.h. Row-major
 * wrappers on as_matrix views (public, core.h), column-major kernels on raw buffers for the GP's
 * in-place factorizations (core_int.h), and OpenBLAS's thread count. */
#include <cblas.h>
#include <dlfcn.h>
#include <lapacke.h>
#include <limits.h>
#include <stdio.h>

#include "core_int.h"

/* ---- OpenBLAS and LAPACKE, loaded on first use ----
 * Linked at start, the two cost every run 4-5 ms (mapping and relocating them, OpenBLAS's
 * constructor starting its thread pool) out of the ~50 ms a whole 5-fold synth cv takes, and only
 * the GP, the lattice relaxations and large MLP blocks multiply or factor matrices. So they are
 * opened (dlopen, by the sonames the build found: AS_OPENBLAS_SONAME, AS_LAPACKE_SONAME) by the
 * first call that needs them; OpenBLAS RTLD_GLOBAL, so LAPACKE's LAPACK calls the same BLAS as
 * when linked. The calls are the same functions with the same arguments: results are unchanged.
 * A thread count set before the load (as_blas_threads_set) is applied when it happens. */
#ifndef AS_OPENBLAS_SONAME
#define AS_OPENBLAS_SONAME "libopenblas.so.0"
#endif
#ifndef AS_LAPACKE_SONAME
#define AS_LAPACKE_SONAME "liblapacke.so.3"
#endif
/* clang-format off */
#define AS_BLAS_FNS(X) \
    X(cblas_dgemm) X(cblas_dsyrk) X(cblas_dtrmm) X(cblas_dtrsm) \
    X(openblas_get_num_threads) X(openblas_set_num_threads)
#define AS_LAPACKE_FNS(X) \
    X(LAPACKE_dpotrf) X(LAPACKE_dpotrf_work) X(LAPACKE_dpotrs) X(LAPACKE_dpotrs_work) \
    X(LAPACKE_dsyevd)
/* clang-format on */
static struct {
    AS_BLAS_FNS(AS_DL_FIELD) AS_LAPACKE_FNS(AS_DL_FIELD) void (*shutdown)(void);
} la;
static as_dl_once la_once = AS_DL_ONCE_INIT;
static int la_want; /* thread count asked for before the load (0: none; under la_once.lock) */

static void la_apply_threads(int n);

/* Under la_once.lock (as_dl_once_need). */
static int la_open(char *err, size_t cap)
{
    void *h = dlopen(AS_OPENBLAS_SONAME, RTLD_NOW | RTLD_GLOBAL), *hl = NULL;
    if (!h || !(hl = dlopen(AS_LAPACKE_SONAME, RTLD_NOW | RTLD_GLOBAL))) {
        const char *e = dlerror();
        snprintf(err, cap, "cannot load %s (%s; install libopenblas0 and liblapacke)",
                 h ? "LAPACKE" : "OpenBLAS", e ? e : "dlopen gave no reason");
        return 2;
    }
#define AS_FN_LOAD(f)                                               \
    if (as_dl_sym(h, AS_OPENBLAS_SONAME, #f, &la.f, err, cap) != 0) \
        return 2;
#define AS_FN_LOAD_L(f)                                             \
    if (as_dl_sym(hl, AS_LAPACKE_SONAME, #f, &la.f, err, cap) != 0) \
        return 2;
    AS_BLAS_FNS(AS_FN_LOAD)
    AS_LAPACKE_FNS(AS_FN_LOAD_L)
#undef AS_FN_LOAD
#undef AS_FN_LOAD_L
    /* blas_thread_shutdown_ is not part of OpenBLAS's documented API (its pthread build exports
     * it): used only when the BLAS in use has it (see below) */
    if (as_dl_sym(h, AS_OPENBLAS_SONAME, "blas_thread_shutdown_", &la.shutdown, NULL, 0) != 0)
        la.shutdown = NULL;
    if (la_want > 0)
        la_apply_threads(la_want);
    return 1;
}

/* AS_OK once the libraries are loaded, else AS_EUNSUP with the reason. */
static as_status la_need(void) { return as_dl_once_need(&la_once, la_open, "linear algebra"); }

static int as_mat_ok(const as_matrix *m) { return m && m->data && m->ld >= m->cols; }

as_status as_gemm(int trans_a, int trans_b, double alpha, const as_matrix *a, const as_matrix *b,
                  double beta, as_matrix *c)
{
    /* A: (m, k) after op; B: (k, n) after op; C: (m, n) */
    if (!as_mat_ok(a) || !as_mat_ok(b) || !as_mat_ok(c))
        return AS_FAIL(AS_EINVAL, "gemm: matrix without data or with ld < cols");
    size_t m = trans_a ? a->cols : a->rows, ka = trans_a ? a->rows : a->cols;
    size_t kb = trans_b ? b->cols : b->rows, n = trans_b ? b->rows : b->cols;
    if (ka != kb || c->rows != m || c->cols != n)
        return AS_FAIL(AS_EDIM, "gemm: (%zu x %zu) times (%zu x %zu) into (%zu x %zu)", m, ka, kb,
                       n, c->rows, c->cols);
    if (m == 0 || n == 0)
        return AS_OK;
    AS_TRY(la_need());
    la.cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
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
    AS_TRY(la_need());
    lapack_int info =
        la.LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)a->rows, a->data, (lapack_int)a->ld);
    if (info > 0)
        return AS_FAIL(AS_ENOTPD, "cholesky: leading minor %d is not positive definite", (int)info);
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
    AS_TRY(la_need());
    lapack_int info =
        la.LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)l->rows, (lapack_int)b->cols, l->data,
                          (lapack_int)l->ld, b->data, (lapack_int)b->ld);
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
    AS_TRY(la_need());
    lapack_int info = la.LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'L', (lapack_int)a->rows, a->data,
                                        (lapack_int)a->ld, w);
    if (info > 0)
        return AS_FAIL(AS_ENOCONV, "eigh: LAPACK dsyevd did not converge (info %d)", (int)info);
    if (info < 0)
        return AS_FAIL(AS_EINVAL, "eigh: LAPACK argument %d invalid", (int)-info);
    return AS_OK;
}

/* ---- column-major kernels (core_int.h) ---- */

/* Sizes BLAS can take (int) and a leading dimension that holds `rows`. */
static int cm_ok(size_t rows, size_t cols, size_t ld)
{
    return rows <= INT_MAX && cols <= INT_MAX && ld <= INT_MAX && ld >= (rows ? rows : 1);
}

static CBLAS_UPLO cm_uplo(char u) { return u == 'L' ? CblasLower : CblasUpper; }
static CBLAS_TRANSPOSE cm_trans(char t) { return t == 'T' ? CblasTrans : CblasNoTrans; }

as_status as_cm_potrf(char uplo, size_t n, double *a, size_t lda)
{
    if (!cm_ok(n, n, lda) || (uplo != 'U' && uplo != 'L'))
        return AS_FAIL(AS_EDIM, "potrf: n %zu, lda %zu, uplo '%c'", n, lda, uplo);
    if (n == 0)
        return AS_OK;
    AS_TRY(la_need());
    lapack_int info =
        la.LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, uplo, (lapack_int)n, a, (lapack_int)lda);
    if (info > 0)
        return AS_FAIL(AS_ENOTPD, "matrix not positive definite (leading minor %d of %zu)",
                       (int)info, n);
    if (info < 0)
        return AS_FAIL(AS_EINVAL, "cholesky: LAPACK dpotrf argument %d invalid", (int)-info);
    return AS_OK;
}

as_status as_cm_potrs(char uplo, size_t n, size_t nrhs, const double *a, size_t lda, double *b,
                      size_t ldb)
{
    if (!cm_ok(n, n, lda) || !cm_ok(n, nrhs, ldb) || (uplo != 'U' && uplo != 'L'))
        return AS_FAIL(AS_EDIM, "potrs: n %zu, nrhs %zu, lda %zu, ldb %zu", n, nrhs, lda, ldb);
    if (n == 0 || nrhs == 0)
        return AS_OK;
    AS_TRY(la_need());
    lapack_int info =
        la.LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, uplo, (lapack_int)n, (lapack_int)nrhs, a,
                               (lapack_int)lda, b, (lapack_int)ldb);
    if (info != 0)
        return AS_FAIL(AS_EINVAL, "cholesky_solve: LAPACK dpotrs info %d", (int)info);
    return AS_OK;
}

as_status as_cm_trmm(char side, char uplo, char trans, size_t m, size_t n, double alpha,
                     const double *a, size_t lda, double *b, size_t ldb)
{
    size_t ka = side == 'L' ? m : n;
    if (!cm_ok(ka, ka, lda) || !cm_ok(m, n, ldb))
        return AS_FAIL(AS_EDIM, "trmm: (%zu x %zu) with lda %zu, ldb %zu", m, n, lda, ldb);
    if (m == 0 || n == 0)
        return AS_OK;
    AS_TRY(la_need());
    la.cblas_dtrmm(CblasColMajor, side == 'L' ? CblasLeft : CblasRight, cm_uplo(uplo),
                   cm_trans(trans), CblasNonUnit, (int)m, (int)n, alpha, a, (int)lda, b, (int)ldb);
    return AS_OK;
}

as_status as_cm_trsm(char side, char uplo, char trans, size_t m, size_t n, double alpha,
                     const double *a, size_t lda, double *b, size_t ldb)
{
    size_t ka = side == 'L' ? m : n;
    if (!cm_ok(ka, ka, lda) || !cm_ok(m, n, ldb))
        return AS_FAIL(AS_EDIM, "trsm: (%zu x %zu) with lda %zu, ldb %zu", m, n, lda, ldb);
    if (m == 0 || n == 0)
        return AS_OK;
    AS_TRY(la_need());
    la.cblas_dtrsm(CblasColMajor, side == 'L' ? CblasLeft : CblasRight, cm_uplo(uplo),
                   cm_trans(trans), CblasNonUnit, (int)m, (int)n, alpha, a, (int)lda, b, (int)ldb);
    return AS_OK;
}

as_status as_cm_syrk(char uplo, char trans, size_t n, size_t k, double alpha, const double *a,
                     size_t lda, double beta, double *c, size_t ldc)
{
    size_t ar = trans == 'T' ? k : n, ac = trans == 'T' ? n : k;
    if (!cm_ok(ar, ac, lda) || !cm_ok(n, n, ldc))
        return AS_FAIL(AS_EDIM, "syrk: n %zu, k %zu, lda %zu, ldc %zu", n, k, lda, ldc);
    if (n == 0)
        return AS_OK;
    AS_TRY(la_need());
    la.cblas_dsyrk(CblasColMajor, cm_uplo(uplo), cm_trans(trans), (int)n, (int)k, alpha, a,
                   (int)lda, beta, c, (int)ldc);
    return AS_OK;
}

/* ---- OpenBLAS thread count ----
 * Work split over our own threads (as_parallel_for, the GP restarts) runs with single-threaded
 * BLAS, so every task's arithmetic is the same whatever the thread count and OpenBLAS's spinning
 * pool does not compete with our threads; then it is restored.
 *
 * Going down to one thread also stops OpenBLAS's idle worker pool: its workers spin
 * (sched_yield) for a while after every start, which in a short run costs a whole core, and
 * openblas_set_num_threads starts them again even when the count does not change. Single-
 * threaded calls do not use the pool; OpenBLAS starts it again when more threads are set.
 * Before the libraries are loaded the count asked for is kept and applied by the load; the
 * previous count reported then is the one asked for before, or 0 (OpenBLAS's own default). */
static void la_apply_threads(int n)
{
    if (n != la.openblas_get_num_threads()) {
        la.openblas_set_num_threads(n);
        if (n == 1 && la.shutdown)
            la.shutdown();
    }
}

int as_blas_threads_set(int n)
{
    pthread_mutex_lock(&la_once.lock);
    int prev;
    if (atomic_load_explicit(&la_once.state, memory_order_relaxed) == 1) {
        prev = la.openblas_get_num_threads();
        if (n > 0)
            la_apply_threads(n);
    } else {
        prev = la_want;
        la_want = n > 0 ? n : 0;
    }
    pthread_mutex_unlock(&la_once.lock);
    return prev;
}

void as_blas_single_threaded(void) { as_blas_threads_set(1); }
