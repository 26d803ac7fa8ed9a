/* Stratified k-fold assignment (seed 000 section 2.4: "Stratified K-Fold Cross Validation ...
 * maintaining the same proportion of successful and unsuccessful synthesis outcomes"). Each
 * class's rows are shuffled and dealt to the folds round-robin; the deal continues from class to
 * class, so per-class fold counts differ by at most one and so do the fold sizes. */
#include <stdlib.h>

#include "core_int.h"
#include "alloyscout/evaluate.h"

typedef struct {
    int label;
    size_t row;
} as_labelled;

static int cmp_label_row(const void *a, const void *b)
{
    const as_labelled *x = a, *z = b;
    if (x->label != z->label)
        return (x->label > z->label) - (x->label < z->label);
    return (x->row > z->row) - (x->row < z->row);
}

as_status as_stratified_kfold(const int *y, size_t n, size_t k, as_rng *rng, size_t *fold)
{
    if (k < 2)
        return AS_FAIL(AS_EINVAL, "kfold: k = %zu folds, need at least 2", k);
    if (n < k)
        return AS_FAIL(AS_EINVAL, "kfold: %zu samples cannot fill %zu folds", n, k);
    as_status st = AS_OK;
    as_labelled *p = NULL;
    size_t *rows = NULL;
    AS_CHECK(AS_ALLOC(p, n, "kfold: labels"));
    AS_CHECK(AS_ALLOC(rows, n, "kfold: class members"));
    for (size_t i = 0; i < n; i++) {
        p[i].label = y[i];
        p[i].row = i;
    }
    qsort(p, n, sizeof *p, cmp_label_row);
    /* check every class first, so a failure leaves fold untouched */
    for (size_t s = 0, e; s < n; s = e) {
        for (e = s + 1; e < n && p[e].label == p[s].label; e++)
            ;
        if (e - s < k) {
            st = AS_FAIL(AS_EINVAL, "kfold: class %d has %zu members, fewer than k = %zu folds",
                         p[s].label, e - s, k);
            goto fail;
        }
    }
    size_t next = 0;
    for (size_t s = 0, e; s < n; s = e) {
        for (e = s + 1; e < n && p[e].label == p[s].label; e++)
            ;
        size_t m = e - s;
        for (size_t i = 0; i < m; i++)
            rows[i] = p[s + i].row;
        as_rng_shuffle(rng, rows, m);
        for (size_t i = 0; i < m; i++) {
            fold[rows[i]] = next;
            next = (next + 1) % k;
        }
    }
fail:
    as_free(p);
    as_free(rows);
    return st;
}
