/* Bootstrap confidence intervals of the ROC AUC (rows, or whole groups), docs/evaluate.md.
 * The scores are sorted once; each resample is a vector of integer weights (how often each row
 * was drawn) and its AUC the weighted Mann-Whitney statistic over the tie groups of the sorted
 * scores, ties counting one half, as roc_auc_score. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "alloyscout/evaluate.h"

typedef struct {
    double s;
    size_t i;
} si_pair;

static int cmp_desc(const void *a, const void *b)
{
    double x = ((const si_pair *)a)->s, z = ((const si_pair *)b)->s;
    if (x != z)
        return x > z ? -1 : 1;
    size_t i = ((const si_pair *)a)->i, j = ((const si_pair *)b)->i;
    return (i > j) - (i < j);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, z = *(const double *)b;
    return (x > z) - (x < z);
}

/* numpy.percentile(v, 100 q) of sorted v (m >= 1), method "linear" */
static double percentile(const double *v, size_t m, double q)
{
    double h = q * (double)(m - 1);
    size_t k = (size_t)floor(h);
    if (k + 1 >= m)
        return v[m - 1];
    return v[k] + (h - (double)k) * (v[k + 1] - v[k]);
}

/* The resamples split into chunks of consecutive ones, one task each. The draws stay those of
 * the one stream: chunk c starts from the state after every draw of the resamples before it,
 * reached by replaying the stream with as_below_next's rejection test alone (a raw word is one
 * draw unless rejected), about a fifth of the cost of a resample. So every resample, and the
 * interval, is the same bit for bit whatever the thread count. */
typedef struct {
    size_t n, n_groups, n_boot, n_chunks;
    const size_t *pos, *start, *rows, *tie_end;
    const uint64_t *mask; /* (n) all ones for a positive, in score order */
    int no_ties;
    as_below below;
    uint64_t s0[4], s_end[4]; /* the stream at the start, after the last resample */
    double *auc;              /* (n_boot) each resample's AUC, NAN when it holds one class */
} boot_ctx;

static as_status boot_chunk(size_t c, void *arg)
{
    boot_ctx *x = arg;
    size_t n = x->n, b0 = x->n_boot * c / x->n_chunks, b1 = x->n_boot * (c + 1) / x->n_chunks;
    size_t per = x->start ? x->n_groups : n; /* draws per resample */
    uint64_t s[4];
    memcpy(s, x->s0, sizeof s);
    for (size_t k = 0, skip = b0 * per; k < skip;)
        k += as_below_takes(&x->below, as_xoshiro_next(s));
    uint32_t *w = NULL;
    AS_TRY(AS_ALLOC(w, n, "bootstrap: weights"));
    for (size_t b = b0; b < b1; b++) {
        memset(w, 0, n * sizeof *w);
        if (x->start) {
            size_t total = 0;
            for (size_t k = 0; k < x->n_groups; k++) {
                size_t g = as_below_next(&x->below, s);
                for (size_t r = x->start[g]; r < x->start[g + 1]; r++)
                    w[x->pos[x->rows[r]]]++;
                total += x->start[g + 1] - x->start[g];
            }
            if (total > UINT32_MAX) {
                as_free(w);
                return AS_FAIL(AS_EINVAL,
                               "bootstrap: a resample of the groups holds %zu rows, "
                               "at most 2^32 - 1",
                               total);
            }
        } else {
            for (size_t k = 0; k < n; k++)
                w[x->pos[as_below_next(&x->below, s)]]++;
        }
        /* twice the weighted Mann-Whitney count, in integers (a negative weight fb below
         * positive weight tp counts fb tp, a tie fb tb / 2), exact for a total weight below
         * 2^32; below 2^26 every sum is also exact in double, so the quotient is bit for bit the
         * one of the double sums this replaced */
        uint64_t tp = 0, fp = 0, area2 = 0;
        if (x->no_ties) {
            for (size_t e = 0; e < n; e++) {
                uint64_t we = w[e], pe = we & x->mask[e];
                area2 += (we - pe) * tp;
                tp += pe;
                fp += we - pe;
            }
            area2 *= 2;
        } else {
            for (size_t a = 0; a < n;) {
                size_t e = a, end = x->tie_end[a];
                uint64_t tb = 0, fb = 0;
                for (; e < end; e++) {
                    uint64_t we = w[e], pe = we & x->mask[e];
                    tb += pe;
                    fb += we - pe;
                }
                area2 += fb * (2 * tp + tb);
                tp += tb;
                fp += fb;
                a = e;
            }
        }
        x->auc[b] = tp == 0 || fp == 0 ? NAN : 0.5 * (double)area2 / ((double)tp * (double)fp);
    }
    if (c + 1 == x->n_chunks)
        memcpy(x->s_end, s, sizeof s);
    as_free(w);
    return AS_OK;
}

as_status as_bootstrap_auc_ci(const double *score, const int *y, const size_t *group, size_t n,
                              size_t n_groups, size_t n_boot, double level, as_rng *rng,
                              size_t n_threads, double *lo, double *hi, size_t *n_skipped)
{
    *lo = *hi = NAN;
    if (n_skipped)
        *n_skipped = 0;
    if (n_boot == 0)
        return AS_FAIL(AS_EINVAL, "bootstrap: 0 resamples");
    if (!(level > 0.0 && level < 1.0))
        return AS_FAIL(AS_EINVAL, "bootstrap: level %g must lie in (0, 1)", level);
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0 && y[i] != 1)
            return AS_FAIL(AS_EINVAL, "bootstrap: label %zu is %d, expected 0 or 1", i, y[i]);
        if (group && group[i] >= n_groups)
            return AS_FAIL(AS_EINVAL, "bootstrap: group %zu of row %zu, only %zu groups", group[i],
                           i, n_groups);
    }
    if (n == 0 || (group && n_groups == 0))
        return AS_OK;
    if (n > UINT32_MAX)
        return AS_FAIL(AS_EINVAL, "bootstrap: %zu rows, at most 2^32 - 1", n);
    as_status st = AS_OK;
    si_pair *ord = NULL;
    double *auc = NULL;
    size_t *start = NULL, *rows = NULL, *pos = NULL, *tie_end = NULL, m = 0, skipped = 0;
    uint64_t *mask = NULL;
    AS_CHECK(AS_ALLOC(ord, n, "bootstrap: order"));
    AS_CHECK(AS_ALLOC(auc, n_boot, "bootstrap: resampled AUCs"));
    AS_CHECK(AS_ALLOC(pos, n, "bootstrap: order"));
    AS_CHECK(AS_ALLOC(mask, n, "bootstrap: order"));
    AS_CHECK(AS_ALLOC(tie_end, n, "bootstrap: order"));
    for (size_t i = 0; i < n; i++)
        ord[i] = (si_pair){score[i], i};
    qsort(ord, n, sizeof *ord, cmp_desc);
    /* the weights are kept in score order (w[pos[i]] for row i), so each resample's sweep reads
     * them in sequence; the sums are the same, in the same order */
    for (size_t e = 0; e < n; e++) {
        pos[ord[e].i] = e;
        mask[e] = y[ord[e].i] != 0 ? UINT64_MAX : 0;
    }
    for (size_t a = 0; a < n;) { /* tie_end[a]: end of the run of equal scores starting at a */
        size_t e = a + 1;
        while (e < n && ord[e].s == ord[a].s)
            e++;
        tie_end[a] = e;
        a = e;
    }
    if (group) { /* rows of each group, CSR */
        AS_CHECK(AS_ALLOC(start, n_groups + 1, "bootstrap: groups"));
        AS_CHECK(AS_ALLOC(rows, n, "bootstrap: groups"));
        memset(start, 0, (n_groups + 1) * sizeof *start);
        for (size_t i = 0; i < n; i++)
            start[group[i] + 1]++;
        for (size_t g = 0; g < n_groups; g++)
            start[g + 1] += start[g];
        size_t *fill;
        AS_CHECK(AS_ALLOC(fill, n_groups, "bootstrap: groups"));
        memcpy(fill, start, n_groups * sizeof *fill);
        for (size_t i = 0; i < n; i++)
            rows[fill[group[i]]++] = i;
        as_free(fill);
    }
    int no_ties = 1;
    for (size_t a = 0; a < n; a = tie_end[a])
        no_ties &= tie_end[a] == a + 1;
    /* the draws of as_rng_below(rng, n or n_groups), its set-up done once */
    boot_ctx x = {.n = n,
                  .n_groups = n_groups,
                  .n_boot = n_boot,
                  .n_chunks = as_parallel_threads(n_boot, n_threads),
                  .pos = pos,
                  .start = start,
                  .rows = rows,
                  .tie_end = tie_end,
                  .mask = mask,
                  .no_ties = no_ties,
                  .below = as_below_init(group ? n_groups : n),
                  .auc = auc};
    memcpy(x.s0, rng->s, sizeof x.s0);
    AS_CHECK(as_parallel_for(x.n_chunks, x.n_chunks, boot_chunk, &x));
    memcpy(rng->s, x.s_end, sizeof rng->s);
    for (size_t b = 0; b < n_boot; b++) {
        if (isnan(auc[b]))
            skipped++;
        else
            auc[m++] = auc[b];
    }
    if (m >= 2) {
        qsort(auc, m, sizeof *auc, cmp_double);
        *lo = percentile(auc, m, (1.0 - level) / 2.0);
        *hi = percentile(auc, m, (1.0 + level) / 2.0);
    }
    if (n_skipped)
        *n_skipped = skipped;
fail:
    as_free(ord);
    as_free(auc);
    as_free(start);
    as_free(pos);
    as_free(mask);
    as_free(tie_end);
    as_free(rows);
    return st;
}
