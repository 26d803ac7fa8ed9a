/* Stratified k-fold assignment (seed 000 section 2.4: "Stratified K-Fold Cross Validation ...
 * maintaining the same proportion of successful and unsuccessful synthesis outcomes"). Each
 * class's rows are shuffled and dealt to the folds round-robin; the deal continues from class to
 * class, so per-class fold counts differ by at most one and so do the fold sizes. */
#include <math.h>
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

typedef struct {
    size_t g, size, pos;
} group_count;

static int cmp_group_size(const void *pa, const void *pb)
{
    const group_count *a = pa, *b = pb;
    return a->size < b->size ? 1 : a->size > b->size ? -1 : 0;
}

as_status as_stratified_group_kfold(const int *y, const size_t *group, size_t n, size_t n_groups,
                                    size_t k, as_rng *rng, size_t *fold)
{
    if (k < 2)
        return AS_FAIL(AS_EINVAL, "kfold: k = %zu folds, need at least 2", k);
    as_status st = AS_OK;
    group_count *gc = NULL;
    size_t *order = NULL, *gfold = NULL, *fp = NULL, *fn = NULL, tot_pos = 0, tot_neg = 0;
    AS_CHECK(AS_ALLOC(gc, n_groups + 1, "kfold: groups"));
    AS_CHECK(AS_ALLOC(order, n_groups + 1, "kfold: groups"));
    AS_CHECK(AS_ALLOC(gfold, n_groups + 1, "kfold: groups"));
    AS_CHECK(AS_ALLOC(fp, k, "kfold: folds"));
    AS_CHECK(AS_ALLOC(fn, k, "kfold: folds"));
    for (size_t i = 0; i < n; i++) {
        if (group[i] >= n_groups || (y[i] != 0 && y[i] != 1)) {
            st = AS_FAIL(AS_EINVAL, "kfold: row %zu has group %zu (of %zu) and label %d", i,
                         group[i], n_groups, y[i]);
            goto fail;
        }
        gc[group[i]].size++;
        gc[group[i]].pos += y[i] == 1;
        tot_pos += y[i] == 1;
    }
    tot_neg = n - tot_pos;
    size_t used = 0;
    for (size_t g = 0; g < n_groups; g++)
        if (gc[g].size)
            order[used++] = g;
    if (used < k) {
        st = AS_FAIL(AS_EINVAL, "kfold: %zu groups cannot fill %zu folds", used, k);
        goto fail;
    }
    as_rng_shuffle(rng, order, used);
    group_count *list = NULL;
    AS_CHECK(AS_ALLOC(list, used, "kfold: groups"));
    for (size_t i = 0; i < used; i++) {
        list[i] = gc[order[i]];
        list[i].g = order[i];
    }
    /* stable: insertion sort keeps the shuffled order among equal sizes */
    for (size_t i = 1; i < used; i++) {
        group_count t = list[i];
        size_t j = i;
        while (j > 0 && cmp_group_size(&list[j - 1], &t) > 0) {
            list[j] = list[j - 1];
            j--;
        }
        list[j] = t;
    }
    for (size_t i = 0; i < used; i++) {
        size_t best = 0;
        double best_cost = INFINITY;
        for (size_t f = 0; f < k; f++) {
            double sp = tot_pos ? (double)(fp[f] + list[i].pos) / (double)tot_pos : 0.0;
            double sn =
                tot_neg ? (double)(fn[f] + list[i].size - list[i].pos) / (double)tot_neg : 0.0;
            double cost = sp > sn ? sp : sn;
            if (cost < best_cost) {
                best_cost = cost;
                best = f;
            }
        }
        gfold[list[i].g] = best;
        fp[best] += list[i].pos;
        fn[best] += list[i].size - list[i].pos;
    }
    as_free(list);
    for (size_t f = 0; f < k; f++)
        if ((tot_pos && fp[f] == 0) || (tot_neg && fn[f] == 0)) {
            st = AS_FAIL(AS_EINVAL,
                         "kfold: fold %zu gets no %s row: too few groups hold that "
                         "class for %zu folds",
                         f + 1, fp[f] == 0 ? "positive" : "negative", k);
            goto fail;
        }
    for (size_t i = 0; i < n; i++)
        fold[i] = gfold[group[i]];
fail:
    as_free(gc);
    as_free(order);
    as_free(gfold);
    as_free(fp);
    as_free(fn);
    return st;
}
