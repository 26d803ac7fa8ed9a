/* alloyscout resample area: exact Euclidean nearest neighbours (k-d tree plus a brute-force
 * reference), SMOTE over-sampling and Tomek-link cleaning for two-class data.
 *
 * Source: seed 000, sections 2.4 and 3.1 (features z-scored, then SMOTE balances the minority
 * class and Tomek links clean the class boundary). Definitions follow imbalanced-learn 0.10
 * (SMOTE with sampling_strategy='auto'; TomekLinks); docs/resample.md lists the differences.
 *
 * Conventions: x is (n, d) row-major with leading dimension d; labels y are int 0 or 1; the
 * minority class is the rarer label (on equal counts label 1 is called minority, label 0
 * majority). Distances are squared Euclidean, summed over features in index order.
 * Nearest-neighbour ties (equal squared distance) are broken by the lower sample index, in the
 * tree and in the brute-force reference alike, so every result here is deterministic. */
#ifndef ALLOYSCOUT_RESAMPLE_H
#define ALLOYSCOUT_RESAMPLE_H

#include "alloyscout/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- nearest neighbours ---- */

/* Marker for "exclude no sample" in the knn functions. */
#define AS_KNN_NO_EXCLUDE ((size_t)-1)

/* A k-d tree over n points of dimension d: median splits on the dimension of largest variance,
 * leaves of at most AS_KDTREE_LEAF_SIZE points, a bounding box per node. Search is exact. */
typedef struct as_kdtree as_kdtree;
#define AS_KDTREE_LEAF_SIZE 16

/* Build a tree over x (n, d). The tree keeps its own copy of the points, so x may be changed or
 * freed afterwards. n >= 1, d >= 1 and every coordinate finite (else AS_EINVAL); AS_ENOMEM.
 * OUT: *out, free with as_kdtree_free; NULL on failure. Cost O(n d log n) time, O(n d) memory. */
AS_API as_status as_kdtree_build(const double *x, size_t n, size_t d, as_kdtree **out);

/* The k nearest points of the tree to q (d values), skipping the point whose index (row of the
 * x given to as_kdtree_build) is `exclude` (AS_KNN_NO_EXCLUDE skips none). Results in idx (k)
 * and dist2 (k, squared distances) sorted by (dist2, index) ascending: ties go to
 * the lower index. k must be >= 1 and no more than the number of eligible points, q finite, idx
 * and dist2 non-NULL (else AS_EINVAL). Does not allocate; safe to call from several threads on
 * one tree. */
AS_API as_status as_kdtree_knn(const as_kdtree *t, const double *q, size_t k, size_t exclude,
                               size_t *idx, double *dist2);

/* The k nearest other points of every tree point: for input row i, idx[i k + r] and
 * dist2[i k + r] (r < k), each row sorted by (dist2, index), the point itself excluded; the
 * same answers as as_kdtree_knn(t, x_i, k, i, ...) for each i, found faster (the points of one
 * leaf walk the tree together). idx (n k) and dist2 (n k) are caller-owned. k in [1, n - 1]
 * (else AS_EINVAL); allocates O(n k) scratch once before the search (AS_ENOMEM). */
AS_API as_status as_kdtree_knn_self(const as_kdtree *t, size_t k, size_t *idx, double *dist2);

/* Number of points and dimension of a tree. */
AS_API size_t as_kdtree_size(const as_kdtree *t);
AS_API size_t as_kdtree_dim(const as_kdtree *t);

/* Release a tree; NULL is a no-op. */
AS_API void as_kdtree_free(as_kdtree *t);

/* Brute-force reference with the same contract as as_kdtree_knn over x (n, d) (x must be
 * finite; not checked): O(n d) per query. Kept beside the tree to check it (tests, bench). */
/* Pairwise search is used below this many points (cheaper than a tree in many dimensions). */
#define AS_KNN_BRUTE_MAX 1024
/* The k nearest other points of every point of x (n, d), like as_kdtree_knn_self (same answer,
 * ties to the lower index): pairwise for n <= AS_KNN_BRUTE_MAX, the k-d tree above. idx, dist2:
 * (n, k) caller-owned. AS_EINVAL (k not in 1..n-1, non-finite input), AS_ENOMEM. */
AS_API as_status as_knn_self(const double *x, size_t n, size_t d, size_t k, size_t *idx,
                             double *dist2);
AS_API as_status as_knn_brute(const double *x, size_t n, size_t d, const double *q, size_t k,
                              size_t exclude, size_t *idx, double *dist2);

/* ---- SMOTE and Tomek links ---- */

typedef enum {
    AS_RESAMPLE_NONE = 0,   /* copy the data unchanged */
    AS_RESAMPLE_SMOTE,      /* over-sample the minority class to the majority count */
    AS_RESAMPLE_TOMEK,      /* remove Tomek-link members (see as_tomek_mode) */
    AS_RESAMPLE_SMOTE_TOMEK /* SMOTE, then Tomek links on the result (the paper's pipeline) */
} as_resample_method;

typedef enum {
    AS_TOMEK_MAJORITY = 0, /* remove the majority member of each link (the paper's description;
                              imblearn TomekLinks(sampling_strategy='auto')) */
    AS_TOMEK_ALL           /* remove both members (imblearn SMOTETomek's default,
                              TomekLinks(sampling_strategy='all')) */
} as_tomek_mode;

/* Which SMOTE makes the synthetic rows. */
typedef enum {
    AS_SMOTE_PLAIN = 0, /* every column interpolated (imblearn SMOTE) */
    AS_SMOTE_NC         /* one-hot groups voted, integer columns rounded, ranges kept (SMOTE-NC) */
} as_smote_mode;

/* What the columns of x (d of them) hold, for AS_SMOTE_NC. Every pointer is borrowed and may be
 * NULL; all-NULL means every column is continuous.
 * - group (d): -1 for a numeric column, g >= 0 for a column of one-hot group g (the levels of
 *   one text column; group ids need not be contiguous). A row has the level of column c when
 *   its raw value there is above 0.5.
 * - integer (d): 1 for a numeric column whose raw values are integers.
 * - offset, scale (d): raw value = offset[c] + scale[c] x[c] (the inverse of a z-score fitted
 *   beforehand; scale > 0); NULL: x holds raw values. Rounding and the one-hot 0/1 are done in
 *   raw units, so SMOTE-NC may run on standardized features. */
typedef struct {
    const int *group;
    const unsigned char *integer;
    const double *offset, *scale;
} as_smote_columns;

typedef struct {
    as_resample_method method; /* default AS_RESAMPLE_SMOTE_TOMEK */
    size_t smote_k;            /* SMOTE neighbours; default 5; needs 1 <= k < minority count */
    as_tomek_mode tomek;       /* default AS_TOMEK_MAJORITY */
    as_smote_mode smote;       /* default AS_SMOTE_PLAIN */
    as_smote_columns columns;  /* for AS_SMOTE_NC; default all NULL */
} as_resample_options;

/* Defaults: smote-tomek, k = 5, majority mode, plain SMOTE. */
AS_API as_resample_options as_resample_options_default(void);

/* Parse "none", "smote", "tomek" or "smote-tomek" (AS_EINVAL listing the valid values). */
AS_API as_status as_resample_method_parse(const char *s, as_resample_method *out);
/* Parse "majority" or "all" (AS_EINVAL listing the valid values). */
AS_API as_status as_tomek_mode_parse(const char *s, as_tomek_mode *out);
/* Parse "plain" or "nc" (AS_EINVAL listing the valid values). */
AS_API as_status as_smote_mode_parse(const char *s, as_smote_mode *out);
AS_API const char *as_smote_mode_name(as_smote_mode m);
/* Names matching the parsers ("smote-tomek", "all" ...); "?" for an out-of-range value. */
AS_API const char *as_resample_method_name(as_resample_method m);
AS_API const char *as_tomek_mode_name(as_tomek_mode m);

/* Resample x (n, d) with labels y (n, values 0 or 1) as opt says.
 * - SMOTE: see as_smote (opt->smote AS_SMOTE_PLAIN) or as_smote_nc with opt->columns (NC).
 * - TOMEK: the Tomek links of (x, y) (see as_tomek_links) are found and their majority members
 *   (AS_TOMEK_MAJORITY) or both members (AS_TOMEK_ALL) removed; kept rows stay in input order.
 * - SMOTE_TOMEK: SMOTE, then Tomek removal on the SMOTE output. In majority mode the majority
 *   class is the one of the input (y), since SMOTE leaves the classes tied.
 * OUT: x_out (n_out, d) and y_out (n_out), newly allocated (free with as_free), NULL on failure;
 * n_out their row count; the inputs are not changed. Status: AS_EINVAL (bad option, label not
 * 0/1, n = 0, d = 0, a non-finite feature, the SMOTE conditions, rng NULL for a SMOTE method),
 * AS_ENOMEM. rng is used by the SMOTE methods only (may be NULL otherwise). */
AS_API as_status as_resample(const as_resample_options *opt, const double *x, const int *y,
                             size_t n, size_t d, as_rng *rng, double **x_out, int **y_out,
                             size_t *n_out);

/* SMOTE (Chawla et al. 2002; imblearn sampling_strategy='auto'): let m and M be the minority and
 * majority counts. M - m new minority samples are made, each as x_i + u (x_j - x_i) with i a
 * uniformly drawn minority sample, j uniformly one of the k nearest other minority samples of i
 * (exact, ties to the lower index) and u ~ U[0, 1). Output: the n input rows unchanged and in
 * order, then the M - m new rows (label = minority). When m == M the input is copied (k is then
 * not checked against m, as imblearn skips such a class).
 * Errors (AS_EINVAL): k = 0; only one class present; k >= m ("SMOTE needs k=5 < number of
 * minority samples (3)"), which includes a single minority sample. No reduction of k is made.
 * OUT and ownership as for as_resample. */
AS_API as_status as_smote(const double *x, const int *y, size_t n, size_t d, size_t k, as_rng *rng,
                          double **x_out, int **y_out, size_t *n_out);

/* SMOTE-NC (Chawla et al. 2002, section 6.1; as imblearn 0.10 SMOTENC, with integer columns and
 * ranges added): as as_smote, with these changes.
 * - Neighbours: found on a copy of the minority rows in which every one-hot column holds
 *   med / 2 where the row has that level and 0 elsewhere, med being the median over the numeric
 *   columns of their population standard deviation (ddof 0) in the minority rows (so two rows of
 *   different levels differ by med^2 / 2 in squared distance, as imblearn).
 * - Numeric columns are interpolated as in SMOTE; an integer column is then rounded to the
 *   nearest integer in raw units (halves away from zero); every numeric column is clamped to
 *   its [min, max] over the n input rows.
 * - Each one-hot group takes the level held by most of the k neighbours of sample i (the k the
 *   pair was drawn from); a tie between levels is broken uniformly at random with rng (imblearn
 *   permutes the tied levels); the chosen column is set to raw 1, the rest of its group to raw
 *   0. A group none of the neighbours has a level of stays all 0.
 * cols NULL (or all NULL) gives the plain SMOTE draws with clamping. AS_EINVAL as as_smote,
 * and when every column is one-hot (no numeric column, as imblearn) or a scale is not > 0. */
AS_API as_status as_smote_nc(const double *x, const int *y, size_t n, size_t d, size_t k,
                             const as_smote_columns *cols, as_rng *rng, double **x_out, int **y_out,
                             size_t *n_out);

/* Tomek links of (x, y): pairs (i, j) of opposite labels where j is the nearest other sample of
 * i and i the nearest other sample of j (ties to the lower index), as imblearn's
 * TomekLinks.is_tomek with nearest-neighbour column 1. Each sample is in at most one link.
 * OUT: a (n_links) the majority member, b (n_links) the minority member of each link, sorted by
 * a ascending; newly allocated (free with as_free; a non-NULL pointer of no elements when there
 * are no links), NULL on failure. Majority = the more frequent label, 0 on a tie. A single
 * class, or n = 1, gives no links. Status: AS_EINVAL (n = 0, d = 0, label not 0/1), AS_ENOMEM.
 * Cost: one tree build and n exact 1-NN queries. */
AS_API as_status as_tomek_links(const double *x, const int *y, size_t n, size_t d, size_t **a,
                                size_t **b, size_t *n_links);

#ifdef __cplusplus
}
#endif
#endif
