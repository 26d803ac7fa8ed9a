/* Private helpers shared by every area (never installed). */
#ifndef AS_CORE_INT_H
#define AS_CORE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "alloyscout/core.h"

/* Fail through one place: return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: ...", path, line, col). */
#define AS_FAIL(st, ...) as_error_set((st), __VA_ARGS__)
/* Propagate a failing status. */
#define AS_TRY(expr)                   \
    do {                               \
        as_status as_try_st_ = (expr); \
        if (as_try_st_ != AS_OK)       \
            return as_try_st_;         \
    } while (0)
/* Propagate a failing status to the local `fail:` label with `st` set. */
#define AS_CHECK(expr)   \
    do {                 \
        st = (expr);     \
        if (st != AS_OK) \
            goto fail;   \
    } while (0)

/* Elements with properties in the element table: the rows of data/elements.csv
 * (src/core/elements_gen.py checks it; the generated tables fail to compile otherwise). */
#define AS_ELEMENTS_N 94

#define AS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define AS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Allocate n elements of type T (zeroed), failing with AS_ENOMEM and a message naming what. */
as_status as_alloc_array(void **out, size_t n, size_t size, const char *what);
#define AS_ALLOC(ptr, n, what) as_alloc_array((void **)&(ptr), (n), sizeof(*(ptr)), (what))

/* One step of xoshiro256** on a bare state (s[4]): as_rng_u64 is this; hot loops that keep the
 * state in registers call it directly and write the state back. */
static inline uint64_t as_xoshiro_next(uint64_t *s)
{
    uint64_t result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3] << 45 | s[3] >> 19;
    return result;
}

/* The draw of as_rng_below(rng, n): 64-bit words r from xoshiro256**, those at or above the
 * largest multiple of n (limit) rejected, r % n returned. as_below_init computes the limit and a
 * reciprocal once, so a loop drawing many values with one n divides only there; each remainder
 * is taken without a division. With M = floor((2^64 - 1) / n),
 * q = floor(r M / 2^64) is floor(r / n) or one less (the error of r M / 2^64 against r / n is
 * below r / 2^64 < 1), so r - q n lies in [0, 2 n) and one subtraction makes it r % n
 * (tests/core/test_core.c checks this against C's rejection and %). */
typedef struct {
    uint64_t n, limit, recip;
} as_below;

static inline as_below as_below_init(size_t n)
{
    uint64_t m = (uint64_t)n;
    return (as_below){m, UINT64_MAX - UINT64_MAX % m, UINT64_MAX / m};
}

/* Whether raw word r gives a draw (else it is rejected and the next word tried). */
static inline int as_below_takes(const as_below *b, uint64_t r) { return r < b->limit; }

/* The next draw in [0, n) from the bare xoshiro256** state s (as as_rng's s). */
static inline size_t as_below_next(const as_below *b, uint64_t *s)
{
    uint64_t r;
    do
        r = as_xoshiro_next(s);
    while (!as_below_takes(b, r));
    __extension__ typedef unsigned __int128 u128;
    uint64_t q = (uint64_t)(((u128)r * b->recip) >> 64);
    uint64_t rem = r - q * b->n;
    return (size_t)(rem >= b->n ? rem - b->n : rem);
}

/* ---- column-major BLAS/LAPACK kernels on raw buffers (src/core/linalg.c) ----
 * For an area that keeps a symmetric matrix row-major with its lower triangle significant: that
 * is the column-major upper triangle of the same buffer, so it calls these with uplo 'U' and no
 * transposed copy (LAPACKE makes one for row-major input: an n x n allocation per call). The
 * arguments are those of BLAS/LAPACK: side 'L'/'R', uplo 'U'/'L', trans 'N'/'T', non-unit
 * diagonal. AS_EDIM when a size does not fit an int or a leading dimension is too small. */
/* A = U^T U (uplo 'U') or L L^T in place; AS_ENOTPD naming the leading minor. */
as_status as_cm_potrf(char uplo, size_t n, double *a, size_t lda);
/* Solve A X = B in place in B (n, nrhs) given the factor from as_cm_potrf. */
as_status as_cm_potrs(char uplo, size_t n, size_t nrhs, const double *a, size_t lda, double *b,
                      size_t ldb);
/* B (m, n) <- alpha op(A) B (side 'L') or alpha B op(A) ('R'), A triangular. */
as_status as_cm_trmm(char side, char uplo, char trans, size_t m, size_t n, double alpha,
                     const double *a, size_t lda, double *b, size_t ldb);
/* B (m, n) <- alpha op(A)^{-1} B (side 'L') or alpha B op(A)^{-1} ('R'), A triangular. */
as_status as_cm_trsm(char side, char uplo, char trans, size_t m, size_t n, double alpha,
                     const double *a, size_t lda, double *b, size_t ldb);
/* C (n, n), triangle uplo <- alpha A A^T + beta C (trans 'N', A (n, k)) or alpha A^T A + beta C
 * (trans 'T', A (k, n)). */
as_status as_cm_syrk(char uplo, char trans, size_t n, size_t k, double alpha, const double *a,
                     size_t lda, double beta, double *c, size_t ldc);

/* ---- sbuf.c: growable string; after an allocation failure `oom` is set and later appends are
 * ignored, so a builder checks once at the end ---- */
typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} as_sbuf;

void as_sbuf_free(as_sbuf *b);
/* Empty the string, keeping its memory. */
void as_sbuf_reset(as_sbuf *b);
void as_sbuf_putn(as_sbuf *b, const char *s, size_t n);
void as_sbuf_puts(as_sbuf *b, const char *s);
void as_sbuf_printf(as_sbuf *b, const char *fmt, ...) AS_PRINTF(2, 3);
/* AS_ENOMEM (with a message naming `what`) when the buffer ran out of memory, else AS_OK. */
as_status as_sbuf_status(const as_sbuf *b, const char *what);

/* json.c: the whole file at path ("-": standard input) as a NUL-terminated string (*text: as_free; *len may be NULL).
 * Messages name `what` (may be NULL) and the path: AS_EIO, AS_ENOMEM. */
as_status as_read_file(const char *path, const char *what, char **text, size_t *len);
/* parse.c: offset of the first byte of text[0..len) that is not part of well-formed UTF-8
 * (RFC 3629), or len when the whole text is. */
size_t as_utf8_invalid(const char *text, size_t len);

/* dl.c: the address of function name in the dlopen handle into *slot, a function pointer of
 * the right type (passed as &ptr); 0, or -1 when library lib lacks it (then "lib has no name"
 * in err, when err is not NULL). */
int as_dl_sym(void *handle, const char *lib, const char *name, void *slot, char *err, size_t cap);
/* A library opened once, by the first call that needs it: open_fn runs under lock, returns 1
 * (loaded) or 2 (failed, the reason written into err), and is not run again either way;
 * as_dl_once_need then gives AS_OK, or AS_EUNSUP "what: reason". */
typedef struct {
    pthread_mutex_t lock;
    atomic_int state; /* 0 not tried, 1 loaded, 2 failed */
    char err[640];
} as_dl_once;
#define AS_DL_ONCE_INIT                     \
    {                                       \
        PTHREAD_MUTEX_INITIALIZER, 0, { 0 } \
    }
as_status as_dl_once_need(as_dl_once *o, int (*open_fn)(char *err, size_t cap), const char *what);
/* A struct member for function f of a library opened on first use: a pointer of f's own type
 * (the header's declaration), so every call through it is type-checked. */
#define AS_DL_FIELD(f) __typeof__(f) *f;

/* Start time of process pid (field 22 of /proc/<pid>/stat, clock ticks after boot), 0 when no
 * such process. */
unsigned long long as_proc_start_time(long pid);

#endif
