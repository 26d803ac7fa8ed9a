/* Evaluation of workflow A: stratified k-fold cross-validation, group hold-out and
 * leave-one-group-out. Each part trains one member (member.c) on its training rows and scores
 * the held-out rows; folds and groups run in parallel and results do not depend on the thread
 * count. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "synth_int.h"

/* ---- results ---- */

void as_synth_result_free(as_synth_result *r)
{
    if (!r)
        return;
    if (r->part_name)
        for (size_t i = 0; i < r->n_parts; i++)
            as_free(r->part_name[i]);
    as_free(r->part_name);
    as_free(r->part);
    as_free(r->part_valid);
    as_free(r->prob);
    as_free(r->y);
    as_free(r->part_of);
    as_free(r->repeat_auc_mean);
    as_free(r->repeat_auc_pooled);
    as_free(r->repeat_auc_group);
    as_free(r);
}

static as_status result_alloc(size_t n, size_t n_parts, as_synth_result **out)
{
    as_synth_result *r = as_calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return AS_FAIL(AS_ENOMEM, "synth: cannot allocate a result");
    r->n_parts = n_parts;
    r->n_samples = n;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(r->part, n_parts, "synth: result"));
    AS_CHECK(AS_ALLOC(r->part_name, n_parts, "synth: result"));
    AS_CHECK(AS_ALLOC(r->part_valid, n_parts, "synth: result"));
    AS_CHECK(AS_ALLOC(r->prob, n ? n : 1, "synth: result"));
    AS_CHECK(AS_ALLOC(r->y, n ? n : 1, "synth: result"));
    AS_CHECK(AS_ALLOC(r->part_of, n ? n : 1, "synth: result"));
    for (size_t i = 0; i < n; i++) {
        r->part_of[i] = SIZE_MAX;
        r->prob[i] = NAN;
    }
    *out = r;
    return AS_OK;
fail:
    as_synth_result_free(r);
    return st;
}

/* Mean and sample standard deviation of each metric over the valid parts. */
#define AS_METRIC_FIELDS(X) \
    X(auc) X(pr_auc) X(accuracy) X(balanced_accuracy) X(precision) X(recall) X(f1) X(mcc) X(brier)

static void summarize(as_synth_result *r)
{
    size_t k = 0;
    memset(&r->mean, 0, sizeof r->mean);
    memset(&r->std, 0, sizeof r->std);
    for (size_t p = 0; p < r->n_parts; p++) {
        if (!r->part_valid[p])
            continue;
        k++;
#define ADD(f) r->mean.f += r->part[p].f;
        AS_METRIC_FIELDS(ADD)
#undef ADD
        r->mean.tn += r->part[p].tn;
        r->mean.fp += r->part[p].fp;
        r->mean.fn += r->part[p].fn;
        r->mean.tp += r->part[p].tp;
    }
    if (k == 0) {
#define NANF(f)      \
    r->mean.f = NAN; \
    r->std.f = NAN;
        AS_METRIC_FIELDS(NANF)
#undef NANF
        return;
    }
#define DIV(f) r->mean.f /= (double)k;
    AS_METRIC_FIELDS(DIV)
#undef DIV
    for (size_t p = 0; p < r->n_parts; p++) {
        if (!r->part_valid[p])
            continue;
#define VAR(f) r->std.f += (r->part[p].f - r->mean.f) * (r->part[p].f - r->mean.f);
        AS_METRIC_FIELDS(VAR)
#undef VAR
    }
#define SD(f) r->std.f = k > 1 ? sqrt(r->std.f / (double)(k - 1)) : NAN;
    AS_METRIC_FIELDS(SD)
#undef SD
}

/* Score part p with the trained member m: predict test_idx into r->prob, compute its metrics. */
static as_status score_part(const as_dataset *ds, const as_synth_options *opt,
                            const as_synth_member *m, const size_t *test_idx, size_t n_test,
                            size_t p, as_synth_result *r)
{
    as_status st = AS_OK;
    double *prob = NULL;
    int *yt = NULL;
    AS_CHECK(AS_ALLOC(prob, n_test ? n_test : 1, "synth: fold scores"));
    AS_CHECK(AS_ALLOC(yt, n_test ? n_test : 1, "synth: fold labels"));
    AS_CHECK(as_synth_member_predict(m, ds->x, ds->d, test_idx, n_test, prob));
    int has0 = 0, has1 = 0;
    for (size_t i = 0; i < n_test; i++) {
        size_t row = test_idx[i];
        r->prob[row] = prob[i];
        r->part_of[row] = p;
        yt[i] = ds->y[row];
        has0 |= yt[i] == 0;
        has1 |= yt[i] == 1;
    }
    r->part_valid[p] = has0 && has1;
    if (r->part_valid[p])
        AS_CHECK(as_metrics_binary(prob, yt, n_test, opt->threshold, &r->part[p]));
    else
        memset(&r->part[p], 0, sizeof r->part[p]);
fail:
    as_free(prob);
    as_free(yt);
    return st;
}

/* Score part p: train on train_idx, predict test_idx into r->prob, compute its metrics. */
static as_status run_part(const as_dataset *ds, const as_synth_options *opt, uint64_t task,
                          const size_t *train_idx, size_t n_train, const size_t *test_idx,
                          size_t n_test, size_t p, as_synth_result *r)
{
    as_synth_member m;
    AS_TRY(as_synth_member_fit(ds->x, ds->y, ds->d, train_idx, n_train, opt, task, &m));
    as_status st = score_part(ds, opt, &m, test_idx, n_test, p, r);
    as_synth_member_free(&m);
    return st;
}

static as_status fill_calibration(const double *p, const int *y, size_t n, as_synth_calibration *c)
{
    as_metrics mm;
    AS_TRY(as_calibration_curve(p, y, n, AS_SYNTH_CAL_BINS, c->prob_true, c->prob_pred, c->count,
                                &c->n_bins));
    AS_TRY(as_expected_calibration_error(p, y, n, AS_SYNTH_CAL_BINS, &c->ece));
    AS_TRY(as_metrics_binary(p, y, n, 0.5, &mm));
    c->brier = mm.brier;
    return AS_OK;
}

/* r->cal: the raw pooled out-of-fold probabilities, then Platt and isotonic cross-fitted over
 * the parts (each part's rows calibrated by a calibrator fitted on the other parts' rows). */
static as_status calibration_report(as_synth_result *r, size_t n)
{
    as_status st = AS_OK;
    double *p = NULL, *q = NULL, *fp = NULL, *cal = NULL;
    int *y = NULL, *fy = NULL;
    size_t m = 0;
    for (int k = 0; k < 3; k++) {
        memset(&r->cal[k], 0, sizeof r->cal[k]);
        r->cal[k].ece = r->cal[k].brier = NAN;
    }
    AS_CHECK(AS_ALLOC(p, n ? n : 1, "synth: calibration"));
    AS_CHECK(AS_ALLOC(q, n ? n : 1, "synth: calibration"));
    AS_CHECK(AS_ALLOC(fp, n ? n : 1, "synth: calibration"));
    AS_CHECK(AS_ALLOC(cal, n ? n : 1, "synth: calibration"));
    AS_CHECK(AS_ALLOC(y, n ? n : 1, "synth: calibration"));
    AS_CHECK(AS_ALLOC(fy, n ? n : 1, "synth: calibration"));
    for (size_t i = 0; i < n; i++)
        if (r->part_of[i] != SIZE_MAX) {
            p[m] = r->prob[i];
            y[m++] = r->y[i];
        }
    if (m == 0)
        goto fail;
    AS_CHECK(fill_calibration(p, y, m, &r->cal[AS_CALIBRATION_NONE]));
    if (r->n_parts < 2)
        goto fail;
    for (int k = AS_CALIBRATION_PLATT; k <= AS_CALIBRATION_ISOTONIC; k++) {
        int ok = 1;
        for (size_t part = 0; ok && part < r->n_parts; part++) {
            size_t nf = 0, n1 = 0;
            for (size_t i = 0; i < n; i++)
                if (r->part_of[i] != SIZE_MAX && r->part_of[i] != part) {
                    fp[nf] = r->prob[i];
                    fy[nf] = r->y[i];
                    n1 += fy[nf++] == 1;
                }
            if (n1 == 0 || n1 == nf) {
                ok = 0;
                break;
            }
            as_calibrator *c = NULL;
            AS_CHECK(as_calibrator_fit((as_calibration_method)k, fp, fy, nf, &c));
            for (size_t i = 0; i < n; i++)
                if (r->part_of[i] == part)
                    as_calibrator_apply(c, &r->prob[i], 1, &cal[i]);
            as_calibrator_free(c);
        }
        if (!ok)
            continue;
        size_t mm = 0;
        for (size_t i = 0; i < n; i++)
            if (r->part_of[i] != SIZE_MAX)
                q[mm++] = cal[i];
        AS_CHECK(fill_calibration(q, y, m, &r->cal[k]));
    }
fail:
    as_free(p);
    as_free(q);
    as_free(fp);
    as_free(cal);
    as_free(y);
    as_free(fy);
    return st;
}

/* r->auc_ci_*: the bootstrap interval of the pooled AUC over the m scored rows p / y (in row
 * order), resampling groups (renumbered over the scored rows) when there are at least 5. */
static as_status auc_interval(const as_dataset *ds, const as_synth_options *opt, as_synth_result *r,
                              const double *p, const int *y, size_t m)
{
    as_status st = AS_OK;
    size_t *g = NULL, *map = NULL, ng = 0;
    r->auc_ci_lo = r->auc_ci_hi = NAN;
    r->ci_groups = 0;
    if (m == 0 || isnan(r->pooled.auc))
        return AS_OK;
    if (ds->group) {
        AS_CHECK(AS_ALLOC(g, m, "synth: bootstrap groups"));
        AS_CHECK(AS_ALLOC(map, ds->n_groups ? ds->n_groups : 1, "synth: bootstrap groups"));
        for (size_t k = 0; k < ds->n_groups; k++)
            map[k] = SIZE_MAX;
        size_t k = 0;
        for (size_t i = 0; i < ds->n; i++)
            if (r->part_of[i] != SIZE_MAX) {
                size_t gi = ds->group[i];
                if (map[gi] == SIZE_MAX)
                    map[gi] = ng++;
                g[k++] = map[gi];
            }
    }
    as_rng rng;
    as_rng_stream(&rng, opt->seed, AS_TASK_BOOT);
    int by_group = ng >= 5;
    AS_CHECK(as_bootstrap_auc_ci(p, y, by_group ? g : NULL, m, by_group ? ng : 0, AS_SYNTH_BOOT,
                                 0.95, &rng, opt->threads, &r->auc_ci_lo, &r->auc_ci_hi, NULL));
    r->ci_groups = by_group ? ng : 0;
fail:
    as_free(g);
    as_free(map);
    return st;
}

static as_status finish_result(const as_dataset *ds, const as_synth_options *opt,
                               as_synth_result *r)
{
    size_t m = 0;
    r->n_positive = 0;
    r->n_skipped = ds->n_skipped;
    r->n_bad = ds->n_bad;
    r->n_missing = ds->n_missing;
    for (size_t i = 0; i < ds->n; i++) {
        r->y[i] = ds->y[i];
        r->n_positive += ds->y[i] == 1;
    }
    summarize(r);
    /* pooled metrics over the rows that were scored */
    double *p = NULL;
    int *y = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(p, ds->n ? ds->n : 1, "synth: pooled"));
    AS_CHECK(AS_ALLOC(y, ds->n ? ds->n : 1, "synth: pooled"));
    for (size_t i = 0; i < ds->n; i++)
        if (r->part_of[i] != SIZE_MAX) {
            p[m] = r->prob[i];
            y[m++] = ds->y[i];
        }
    AS_CHECK(as_metrics_binary(p, y, m, opt->threshold, &r->pooled));
    AS_CHECK(calibration_report(r, ds->n));
    AS_CHECK(auc_interval(ds, opt, r, p, y, m));
    r->auc_group_weighted = r->auc_group_mean = NAN;
    if (ds->group) {
        size_t *g = NULL;
        AS_CHECK(AS_ALLOC(g, m + 1, "synth: groups"));
        for (size_t i = 0, k = 0; i < ds->n; i++)
            if (r->part_of[i] != SIZE_MAX)
                g[k++] = ds->group[i];
        st = as_grouped_auc(p, y, g, m, ds->n_groups, &r->auc_group_weighted, &r->auc_group_mean,
                            &r->groups_defined, &r->groups_single);
        as_free(g);
    }
fail:
    as_free(p);
    as_free(y);
    return st;
}

static char *fold_label(size_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "fold %zu", i);
    return as_strdup(buf);
}

/* Cross-validation: the folds' members in two passes (as_synth_passes), each scored after its
 * refit. */
typedef struct {
    const as_dataset *ds;
    const as_synth_options *opt;
    const size_t *fold;
    as_synth_result *r;
    as_synth_passes p;
} cv_ctx;

/* Training rows (tr) and test rows (te) of fold f. */
static void fold_rows(const cv_ctx *c, size_t f, size_t *tr, size_t *ntr, size_t *te, size_t *nte)
{
    *ntr = *nte = 0;
    for (size_t i = 0; i < c->ds->n; i++) {
        if (c->fold[i] == f)
            te[(*nte)++] = i;
        else
            tr[(*ntr)++] = i;
    }
}

static as_status cv_task(size_t task, void *arg)
{
    cv_ctx *c = arg;
    size_t k = c->opt->folds, f = task % k, *tr = NULL, *te = NULL, ntr = 0, nte = 0;
    as_status st = AS_OK;
    if (task >= k && !as_synth_passes_take(&c->p, &f))
        return AS_OK; /* the first pass of fold f reported the failure */
    AS_CHECK(AS_ALLOC(tr, c->ds->n, "synth: folds"));
    AS_CHECK(AS_ALLOC(te, c->ds->n, "synth: folds"));
    fold_rows(c, f, tr, &ntr, te, &nte);
    if (task < k) {
        as_log(AS_LOG_INFO, "cross-validation fold %zu/%zu: %zu training rows, %zu test rows",
               f + 1, k, ntr, nte);
        st = as_synth_member_fit_first(c->ds->x, c->ds->y, c->ds->d, tr, ntr, c->opt,
                                       AS_TASK_MEMBER0 + f, &c->p.mem[f], &c->p.stage[f]);
        as_synth_passes_first_done(&c->p, f, st);
        goto fail;
    }
    AS_CHECK(as_synth_member_fit_refit(c->opt, &c->p.stage[f], &c->p.mem[f]));
    as_synth_member_stage_free(&c->p.stage[f]);
    AS_CHECK(score_part(c->ds, c->opt, &c->p.mem[f], te, nte, f, c->r));
    as_synth_member_free(&c->p.mem[f]);
    if (c->opt->on_part_done)
        c->opt->on_part_done(c->opt->user);
fail:
    as_free(tr);
    as_free(te);
    return st;
}

as_status as_synth_cv(const as_dataset *ds, const as_synth_options *opt, as_synth_result **out)
{
    as_status st;
    as_synth_result *r = NULL;
    size_t *fold = NULL;
    *out = NULL;
    AS_TRY(as_synth_check_dataset(ds, 0));
    AS_TRY(as_synth_options_check(opt));
    AS_CHECK(result_alloc(ds->n, opt->folds, &r));
    AS_CHECK(AS_ALLOC(fold, ds->n, "synth: folds"));
    as_rng rng;
    as_rng_stream(&rng, opt->seed, AS_TASK_FOLDS);
    AS_CHECK(as_synth_assign_folds(ds, opt, &rng, fold));
    for (size_t f = 0; f < opt->folds; f++) {
        r->part_name[f] = fold_label(f + 1);
        if (!r->part_name[f]) {
            st = AS_FAIL(AS_ENOMEM, "synth: fold name");
            goto fail;
        }
    }
    cv_ctx c = {.ds = ds, .opt = opt, .fold = fold, .r = r};
    size_t k = opt->folds;
    st = as_synth_passes_init(&c.p, k);
    if (st == AS_OK) /* the threads for k folds (as before); the 2 k tasks share them */
        st = as_parallel_for(2 * k, as_parallel_threads(k, opt->threads), cv_task, &c);
    as_synth_passes_free(&c.p);
    AS_CHECK(st);
    AS_CHECK(finish_result(ds, opt, r));
    *out = r;
    r = NULL;
fail:
    as_synth_result_free(r);
    as_free(fold);
    return st;
}

as_status as_synth_cv_repeated(const as_dataset *ds, const as_synth_options *opt, size_t repeats,
                               as_synth_result **out)
{
    as_status st = AS_OK;
    as_synth_result *r = NULL, *q = NULL;
    *out = NULL;
    if (repeats == 0)
        return AS_FAIL(AS_EINVAL, "synth: --repeats must be at least 1");
    AS_TRY(as_synth_cv(ds, opt, &r));
    r->n_repeats = repeats;
    AS_CHECK(AS_ALLOC(r->repeat_auc_mean, repeats, "synth: repeats"));
    AS_CHECK(AS_ALLOC(r->repeat_auc_pooled, repeats, "synth: repeats"));
    AS_CHECK(AS_ALLOC(r->repeat_auc_group, repeats, "synth: repeats"));
    for (size_t k = 0; k < repeats; k++) {
        const as_synth_result *x = r;
        if (k) {
            as_synth_options o = *opt;
            as_rng rng;
            as_rng_stream(&rng, opt->seed, 1000 + k);
            o.seed = as_rng_u64(&rng);
            AS_CHECK(as_synth_cv(ds, &o, &q));
            x = q;
        }
        r->repeat_auc_mean[k] = x->mean.auc;
        r->repeat_auc_pooled[k] = x->pooled.auc;
        r->repeat_auc_group[k] = x->auc_group_weighted;
        as_synth_result_free(q);
        q = NULL;
    }
    *out = r;
    r = NULL;
fail:
    as_synth_result_free(q);
    as_synth_result_free(r);
    return st;
}

/* Hold out the groups flagged in is_test (n_groups), train on the rest. */
static as_status holdout_part(const as_dataset *ds, const as_synth_options *opt,
                              const unsigned char *is_test, size_t p, uint64_t task,
                              as_synth_result *r)
{
    size_t *tr = NULL, *te = NULL, ntr = 0, nte = 0;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(tr, ds->n, "synth: hold-out"));
    AS_CHECK(AS_ALLOC(te, ds->n, "synth: hold-out"));
    size_t pos = 0;
    for (size_t i = 0; i < ds->n; i++) {
        if (is_test[ds->group[i]])
            te[nte++] = i;
        else {
            tr[ntr++] = i;
            pos += ds->y[i] == 1;
        }
    }
    if (nte == 0)
        st = AS_FAIL(AS_EINVAL, "synth: the test group(s) %s have no rows", r->part_name[p]);
    else if (pos == 0 || pos == ntr)
        st = AS_FAIL(AS_EINVAL, "synth: training on every group but %s leaves a single class",
                     r->part_name[p]);
    else
        st = run_part(ds, opt, task, tr, ntr, te, nte, p, r);
fail:
    as_free(tr);
    as_free(te);
    return st;
}

as_status as_synth_holdout(const as_dataset *ds, const size_t *test_groups, size_t n_test,
                           const as_synth_options *opt, as_synth_result **out)
{
    as_status st;
    as_synth_result *r = NULL;
    unsigned char *is_test = NULL;
    *out = NULL;
    AS_TRY(as_synth_check_dataset(ds, 1));
    AS_TRY(as_synth_options_check(opt));
    if (n_test == 0)
        return AS_FAIL(AS_EINVAL, "synth: no test group named (--test-group V[,V...])");
    AS_CHECK(result_alloc(ds->n, 1, &r));
    AS_CHECK(AS_ALLOC(is_test, ds->n_groups, "synth: hold-out"));
    char name[512] = "";
    for (size_t i = 0; i < n_test; i++) {
        if (test_groups[i] >= ds->n_groups) {
            st = AS_FAIL(AS_EINVAL, "synth: test group index %zu out of range", test_groups[i]);
            goto fail;
        }
        is_test[test_groups[i]] = 1;
        size_t len = strlen(name);
        snprintf(name + len, sizeof name - len, "%s%s", i ? "," : "",
                 ds->group_names[test_groups[i]]);
    }
    r->part_name[0] = as_strdup(name);
    if (!r->part_name[0]) {
        st = AS_FAIL(AS_ENOMEM, "synth: group name");
        goto fail;
    }
    AS_CHECK(holdout_part(ds, opt, is_test, 0, AS_TASK_MEMBER0, r));
    AS_CHECK(finish_result(ds, opt, r));
    *out = r;
    r = NULL;
fail:
    as_synth_result_free(r);
    as_free(is_test);
    return st;
}

typedef struct {
    const as_dataset *ds;
    const as_synth_options *opt;
    as_synth_result *r;
} logo_ctx;

static as_status logo_task(size_t g, void *arg)
{
    logo_ctx *c = arg;
    unsigned char *is_test = NULL;
    AS_TRY(AS_ALLOC(is_test, c->ds->n_groups, "synth: leave-one-group-out"));
    is_test[g] = 1;
    as_log(AS_LOG_INFO, "leave-one-group-out %zu/%zu: %s", g + 1, c->ds->n_groups,
           c->ds->group_names[g]);
    as_status st = holdout_part(c->ds, c->opt, is_test, g, AS_TASK_MEMBER0 + g, c->r);
    as_free(is_test);
    if (st == AS_OK && c->opt->on_part_done)
        c->opt->on_part_done(c->opt->user);
    return st;
}

as_status as_synth_leave_one_group_out(const as_dataset *ds, const as_synth_options *opt,
                                       as_synth_result **out)
{
    as_status st;
    as_synth_result *r = NULL;
    *out = NULL;
    AS_TRY(as_synth_check_dataset(ds, 1));
    AS_TRY(as_synth_options_check(opt));
    AS_CHECK(result_alloc(ds->n, ds->n_groups, &r));
    for (size_t g = 0; g < ds->n_groups; g++) {
        r->part_name[g] = as_strdup(ds->group_names[g]);
        if (!r->part_name[g]) {
            st = AS_FAIL(AS_ENOMEM, "synth: group name");
            goto fail;
        }
    }
    logo_ctx c = {ds, opt, r};
    AS_CHECK(as_parallel_for(ds->n_groups, opt->threads, logo_task, &c));
    AS_CHECK(finish_result(ds, opt, r));
    *out = r;
    r = NULL;
fail:
    as_synth_result_free(r);
    return st;
}
