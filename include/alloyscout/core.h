/* alloyscout core: status codes and messages, allocation, the explicit random generator,
 * a log sink, and the dense-matrix view shared by every area.
 *
 * Conventions (docs/conventions.md): doubles everywhere, size_t for sizes and indices,
 * matrices flat and row-major with an explicit leading dimension. */
#ifndef ALLOYSCOUT_CORE_H
#define ALLOYSCOUT_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define AS_API __attribute__((visibility("default")))
#define AS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define AS_API
#define AS_PRINTF(a, b)
#endif

/* Status codes. Every function that can fail returns one; AS_OK is 0. */
typedef enum {
    AS_OK = 0,
    AS_ENOMEM,  /* an allocation failed */
    AS_EINVAL,  /* an argument or option is out of range */
    AS_EDIM,    /* array shapes do not conform */
    AS_EIO,     /* a file could not be opened, read or written */
    AS_EPARSE,  /* malformed input text (the message names file:line:column) */
    AS_ENOTPD,  /* a matrix is not positive definite */
    AS_ENOCONV, /* an iteration did not converge */
    AS_EDB,     /* the SQLite store failed */
    AS_EORACLE, /* an energy oracle failed */
    AS_EUNSUP,  /* not supported by this build or backend */
    AS_EINTR,   /* stopped by a signal (SIGINT, SIGTERM, SIGHUP; see alloyscout/interrupt.h) */
    AS_ETIMEOUT /* an external program or worker exceeded its wall-clock limit (issue 19) */
} as_status;

/* Detail of this thread's last failure: the message given to as_error_set. Borrowed; valid
 * until the next failure on this thread. Empty string when nothing failed yet. */
AS_API const char *as_errmsg(void);
/* Fixed one-line text for a status code. */
AS_API const char *as_strerror(as_status st);
/* Record a failure message for this thread and return st. All library failures pass here
 * (set a breakpoint on it). */
AS_API as_status as_error_set(as_status st, const char *fmt, ...) AS_PRINTF(2, 3);
/* Prefix the current message with more context ("reading foo.csv: <old message>"). */
AS_API as_status as_error_prefix(as_status st, const char *fmt, ...) AS_PRINTF(2, 3);

/* ---- allocation: all library memory passes here so a test can make the k-th call fail ---- */
AS_API void *as_malloc(size_t size);
AS_API void *as_calloc(size_t n, size_t size);
AS_API void *as_realloc(void *p, size_t size);
AS_API void as_free(void *p);
AS_API char *as_strdup(const char *s);
/* Testing hook: make the k-th allocation from now (1-based) and all later ones fail; k = 0
 * turns failures off. Returns the number of allocations counted since the last call. */
AS_API size_t as_alloc_fail_after(size_t k);

/* ---- log sink: the library never prints; messages go to the caller's function ---- */
typedef enum { AS_LOG_DEBUG = 0, AS_LOG_INFO, AS_LOG_WARN } as_log_level;
typedef void (*as_log_fn)(as_log_level level, const char *msg, void *user);
/* Install a sink (NULL: silent, the default). */
AS_API void as_set_log(as_log_fn fn, void *user);
AS_API void as_log(as_log_level level, const char *fmt, ...) AS_PRINTF(2, 3);

/* ---- random numbers: xoshiro256** with explicit state, seeded through splitmix64 ---- */
typedef struct {
    uint64_t s[4];
} as_rng;
/* Seed a generator. */
AS_API void as_rng_seed(as_rng *rng, uint64_t seed);
/* An independent stream for task number `task` (fold, chain, restart) under one seed, so results
 * do not depend on how many draws another task made or on the thread count. */
AS_API void as_rng_stream(as_rng *rng, uint64_t seed, uint64_t task);
AS_API uint64_t as_rng_u64(as_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
AS_API double as_rng_uniform(as_rng *rng);
/* Uniform integer in [0, n); n > 0. Unbiased (rejection). */
AS_API size_t as_rng_below(as_rng *rng, size_t n);
/* Standard normal deviate (polar Box-Muller; no cached state). */
AS_API double as_rng_normal(as_rng *rng);
/* Fisher-Yates shuffle of idx[0..n). */
AS_API void as_rng_shuffle(as_rng *rng, size_t *idx, size_t n);

/* ---- dense matrices ---- */
/* A view: rows x cols, row-major, ld >= cols. Owns nothing. */
typedef struct {
    size_t rows, cols, ld;
    double *data;
} as_matrix;

/* C = alpha * op(A) op(B) + beta * C through BLAS (dgemm). trans_a/trans_b: 0 or 1.
 * Returns AS_EDIM when the shapes do not conform. C must not alias A or B. */
AS_API as_status as_gemm(int trans_a, int trans_b, double alpha, const as_matrix *a,
                         const as_matrix *b, double beta, as_matrix *c);
/* Cholesky factor in place: A (n, n) -> lower L with A = L L^T (upper part left as is).
 * AS_ENOTPD with the failing column in the message when A is not positive definite. */
AS_API as_status as_cholesky(as_matrix *a);
/* Solve L L^T X = B in place in B (n, m) given the factor from as_cholesky. */
AS_API as_status as_cholesky_solve(const as_matrix *l, as_matrix *b);
/* Symmetric eigen-decomposition: A (n, n) is overwritten by eigenvectors as columns,
 * w (n) receives eigenvalues in ascending order. */
AS_API as_status as_eigh(as_matrix *a, double *w);

/* ---- the element table: one for the whole library ----
 * Every element H..Og (Z = 1..118, IUPAC symbols) and, for the 94 with a row in
 * data/elements.csv (H..Pu), the properties the composition descriptors use. Compiled in
 * (src/core/elements_table.c, generated by src/core/elements_gen.py from
 * data/element_symbols.csv and data/elements.csv; sources: data/ELEMENTS_SOURCES.md). Units:
 * radii in Å, melting points in K. */
#define AS_ELEMENT_Z_MAX 118
typedef struct {
    int z;                 /* atomic number */
    const char *symbol;    /* "Cu" */
    const char *name;      /* "copper" */
    double mass_u;         /* standard atomic weight (IUPAC), g/mol */
    double radius_ang;     /* atomic (metallic) radius used for the size mismatch δ, Å */
    double chi_pauling;    /* Pauling electronegativity (He, Ne, Ar: Allen scale) */
    double vec;            /* valence electrons counted as in Guo et al. (s + d; s + p for
                            * p-block elements; 3 for the f-block; 8 for noble gases) */
    double tm_k;           /* melting point at 1 atm, K (C: sublimation; He, As: at higher p) */
    const char *structure; /* room-temperature / ground-state structure: "fcc", "bcc", "hcp",
                            * "dhcp", "diamond", "graphite", "alpha-Mn", "tetragonal",
                            * "orthorhombic", "rhombohedral", "trigonal" */
} as_element;

/* Atomic number 1..AS_ELEMENT_Z_MAX of a chemical symbol ("Pt" -> 78; case-sensitive), 0 when
 * it is not one. */
AS_API int as_element_z(const char *symbol);
/* Chemical symbol of atomic number z (1..AS_ELEMENT_Z_MAX), NULL outside. Static string. */
AS_API const char *as_element_symbol(int z);
/* The elements with properties: their number (94) and element i (< count) in order of atomic
 * number. The returned pointers refer to static data and never change. */
AS_API size_t as_element_count(void);
AS_API const as_element *as_element_at(size_t i);
/* Element with properties with the exact (case-sensitive) symbol, or NULL when the symbol is not
 * an element or the element has no properties in the table. */
AS_API const as_element *as_element_by_symbol(const char *symbol);
/* Element with properties with atomic number z, or NULL (as as_element_by_symbol). */
AS_API const as_element *as_element_by_z(int z);

/* ---- files written whole or not at all ---- */
/* as_outfile_open creates a new temporary file beside `path` (same directory, a unique name
 * ".<name>.<random>.tmp", opened with O_CREAT | O_EXCL | O_NOFOLLOW, so a planted file or symlink
 * is never followed or shared with another writer; mode 0666 minus the umask). as_outfile_commit
 * flushes it, fsyncs it, renames it over path and fsyncs the directory; as_outfile_abort closes
 * and removes it. A user's path never holds half a file, and the temporary name is registered
 * with the interrupt facility (alloyscout/interrupt.h) so a stopped run removes it.
 * path "-" is the standard output: the text is held in memory and written to stdout by
 * as_outfile_commit only (as_outfile_abort writes nothing), so a failure prints no partial text. */
typedef struct as_outfile as_outfile;
AS_API as_status as_outfile_open(const char *path, as_outfile **out);
AS_API FILE *as_outfile_stream(as_outfile *f);
AS_API as_status as_outfile_commit(as_outfile *f);
AS_API void as_outfile_abort(as_outfile *f);

/* 1 when paths a and b name the same file: the same device and inode when both exist; when
 * one (or both) does not exist yet, the same absolute path after resolving the existing parent
 * directories (so "out.json" and "./out.json" match). Used to refuse an output path that equals
 * an input path (--json equal to --db) before anything is written. */
AS_API int as_path_same(const char *a, const char *b);

/* ---- one writer per file ---- */
/* as_lock_acquire takes the lock of `path` (a campaign or label store, a journal): the file
 * "<path>.lock", locked with an open-file-description fcntl lock and holding this process's pid,
 * start time and `command` (the command line, for the message of the next one). The kernel
 * drops the lock when the process ends in any way, kill -9 included: a lock file left behind is
 * taken over with a warning (naming the old pid and whether it still runs). AS_EIO when another
 * process (or this one, through another as_lock) holds it: the message names its pid and
 * command; or when the lock file cannot be created (the message names it and errno).
 * as_lock_release removes the file and unlocks; NULL does nothing. */
typedef struct as_lock as_lock;
AS_API as_status as_lock_acquire(const char *path, const char *command, as_lock **out);
AS_API void as_lock_release(as_lock *lk);

/* ---- numbers: the one decimal syntax of every input file (docs/conventions.md) ---- */
/* Parse the whole of text as a decimal number: an optional sign, digits with an optional
 * decimal point (at least one digit), an optional exponent e/E[sign]digits. Nothing else: no
 * blanks, no hex ("0x1p3"), no "inf"/"nan", no trailing characters. A value too large for a
 * double is refused; one too small becomes 0 or subnormal as strtod gives it. Returns AS_OK and
 * *out, AS_EPARSE for text outside the syntax, AS_EINVAL for an overflow; it does not set
 * as_errmsg (it runs on every cell of a CSV file): the caller names the file and position. */
AS_API as_status as_parse_double(const char *text, double *out);
/* The same on text[0..len) (no terminating NUL needed). */
AS_API as_status as_parse_double_n(const char *text, size_t len, double *out);

/* ---- the shipped data files (data/ in the source tree, <prefix>/share/alloyscout installed) ----
 * Find the shipped data file `name` ("mpea_synthesis.csv"; no absolute path, no "..") and
 * return its path in *out (free with as_free). The places tried, in order:
 *   1. $ALLOYSCOUT_DATA/name, when the variable is set and not empty;
 *   2. <dir of the running program>/../share/alloyscout/name (an installed program);
 *   3. <dir of the running program>/share/alloyscout/name (the build tree links it there);
 *   4. <dir of liballoyscout>/../share/alloyscout/name (any program using an installed library).
 * No path of the build machine is compiled in. AS_EIO when the file is in none of them (the
 * message lists every path tried), AS_EINVAL for a bad name, AS_ENOMEM. */
AS_API as_status as_data_path(const char *name, char **out);

/* ---- independent tasks on several threads ---- */
/* Run fn(task, ctx) for task = 0 .. n_tasks-1 on up to n_threads threads (0: one per online
 * core). Tasks must be independent and write only their own outputs, so results do not depend
 * on the thread count. Returns AS_OK, or the status of the lowest-numbered failing task with its
 * message (as_errmsg) carried over to the calling thread; the other tasks still run. */
typedef as_status (*as_task_fn)(size_t task, void *ctx);
AS_API as_status as_parallel_for(size_t n_tasks, size_t n_threads, as_task_fn fn, void *ctx);
/* The same pool, for tasks that need per-thread scratch: fn(task, worker, ctx) also gets the
 * number of the thread running it, worker < as_parallel_threads(n_tasks, n_threads), so a
 * caller can give each worker its own workspace. Tasks go to whichever thread is free, so the
 * worker a task lands on varies from run to run: a task's result must depend only on its
 * index and inputs, never on the worker or its scratch's earlier contents. With more than one
 * thread the tasks run with one BLAS thread (as_blas_threads_set(1), restored afterwards). */
typedef as_status (*as_worker_task_fn)(size_t task, size_t worker, void *ctx);
AS_API as_status as_parallel_for_worker(size_t n_tasks, size_t n_threads, as_worker_task_fn fn,
                                        void *ctx);
/* Threads as_parallel_for* uses for n_tasks tasks when asked for n_threads (0: one per online
 * core): at least 1, at most n_tasks and 64. */
AS_API size_t as_parallel_threads(size_t n_tasks, size_t n_threads);

/* The project's one hash: 64-bit FNV-1a. Start with AS_HASH64_INIT (the FNV offset basis) and
 * chain calls to hash several pieces: h = as_hash64(h, p, n). Stable across runs and machines;
 * used for label keys, file contents and random-stream names. */
#define AS_HASH64_INIT 14695981039346656037ULL
AS_API uint64_t as_hash64(uint64_t h, const void *data, size_t len);
/* as_hash64 of a NUL-terminated string (without the NUL). */
AS_API uint64_t as_hash64_str(uint64_t h, const char *s);

/* Set OpenBLAS's thread count (process-wide; n <= 0 leaves it); returns the previous one.
 * OpenBLAS is loaded by the first call that needs it: before that the count is kept, applied by
 * the load, and the previous one returned is the one set before, or 0 (OpenBLAS's default). */
AS_API int as_blas_threads_set(int n);
/* One BLAS thread, and OpenBLAS's idle worker pool stopped (it spins for a while after start). */
AS_API void as_blas_single_threaded(void);

/* Library version string ("0.1.0"). */
AS_API const char *as_version(void);

#ifdef __cplusplus
}
#endif
#endif
