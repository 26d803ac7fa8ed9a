/* The synthesis-outcome workflow (seed 000, sections 2.4 and 3.1) assembled from the areas below:
 * for each training part, fit the z-score scaler on it, split off a stratified validation set of
 * real rows, resample (SMOTE + Tomek) the rest, train the MLP with early stopping on the
 * validation loss, and score the held-out part. Every member draws from its own stream
 * as_rng_stream(seed, task), so results depend only on the seed. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "alloyscout/synth.h"
#include "core_int.h"
#include "data/data_int.h"
#include "json_int.h"
#include "mlp/mlp_int.h"

/* Stream numbers: fold assignment, then one per member. */
enum { AS_TASK_FOLDS = 0, AS_TASK_FULL = 1, AS_TASK_MEMBER0 = 16 };

typedef struct {
    as_scaler *scaler;
    as_mlp *mlp;
} as_member;

struct as_synth_model {
    as_schema *schema;
    as_synth_options opt;
    size_t d;
    as_member full;
    size_t n_folds;
    as_member *fold; /* (n_folds) */
    size_t n_train, n_positive;
    char *comp_col, *temp_col; /* composition descriptors, or NULL */
};

as_synth_options as_synth_options_default(void)
{
    as_synth_options o;
    memset(&o, 0, sizeof o);
    o.mlp = as_mlp_options_default();
    o.resample = as_resample_options_default();
    o.folds = 5;
    o.threshold = 0.5;
    o.seed = 0;
    return o;
}

as_status as_synth_options_check(const as_synth_options *opt)
{
    if (opt->folds < 2)
        return AS_FAIL(AS_EINVAL, "synth: --folds %zu must be at least 2", opt->folds);
    if (!(opt->threshold > 0 && opt->threshold < 1))
        return AS_FAIL(AS_EINVAL, "synth: threshold %g must lie in (0, 1)", opt->threshold);
    return as_mlp_options_check(&opt->mlp);
}

static void member_free(as_member *m)
{
    as_scaler_free(m->scaler);
    as_mlp_free(m->mlp);
    m->scaler = NULL;
    m->mlp = NULL;
}

/* Train one member on rows idx[0..n_idx) of x (n, d) / y. */
static as_status member_fit(const double *x, const int *y, size_t d, const size_t *idx,
                            size_t n_idx, const as_synth_options *opt, uint64_t task,
                            as_member *out)
{
    as_status st = AS_OK;
    as_rng rng;
    double *xs = NULL, *xtr = NULL, *xval = NULL, *xr = NULL, *best = NULL;
    int *ys = NULL, *ytr = NULL, *yval = NULL, *yr = NULL;
    size_t *tr_idx = NULL, *val_idx = NULL, n_tr = 0, n_val = 0, n_r = 0;
    memset(out, 0, sizeof *out);
    as_rng_stream(&rng, opt->seed, task);

    AS_CHECK(AS_ALLOC(xs, n_idx * d, "synth: training rows"));
    AS_CHECK(AS_ALLOC(ys, n_idx, "synth: training labels"));
    for (size_t i = 0; i < n_idx; i++) {
        memcpy(xs + i * d, x + idx[i] * d, d * sizeof *xs);
        ys[i] = y[idx[i]];
    }
    AS_CHECK(as_scaler_fit(xs, n_idx, d, &out->scaler));
    AS_CHECK(as_scaler_transform(out->scaler, xs, n_idx, d));

    /* Validation rows are real records, split off before resampling, so early stopping never
     * judges the network on synthetic samples. */
    AS_CHECK(AS_ALLOC(tr_idx, n_idx, "synth: split"));
    AS_CHECK(AS_ALLOC(val_idx, n_idx, "synth: split"));
    if (opt->mlp.val_fraction > 0) {
        AS_CHECK(as_mlp_stratified_split(ys, n_idx, opt->mlp.val_fraction, &rng, tr_idx, &n_tr,
                                         val_idx, &n_val));
    } else {
        for (size_t i = 0; i < n_idx; i++)
            tr_idx[i] = i;
        n_tr = n_idx;
    }
    AS_CHECK(AS_ALLOC(xtr, n_tr * d, "synth: split"));
    AS_CHECK(AS_ALLOC(ytr, n_tr, "synth: split"));
    AS_CHECK(AS_ALLOC(xval, (n_val ? n_val : 1) * d, "synth: split"));
    AS_CHECK(AS_ALLOC(yval, n_val ? n_val : 1, "synth: split"));
    for (size_t i = 0; i < n_tr; i++) {
        memcpy(xtr + i * d, xs + tr_idx[i] * d, d * sizeof *xs);
        ytr[i] = ys[tr_idx[i]];
    }
    for (size_t i = 0; i < n_val; i++) {
        memcpy(xval + i * d, xs + val_idx[i] * d, d * sizeof *xs);
        yval[i] = ys[val_idx[i]];
    }
    AS_CHECK(as_resample(&opt->resample, xtr, ytr, n_tr, d, &rng, &xr, &yr, &n_r));
    AS_CHECK(as_mlp_create(d, &opt->mlp, &rng, &out->mlp));

    size_t np = as_mlp_n_params(out->mlp);
    AS_CHECK(AS_ALLOC(best, np, "synth: best weights"));
    double best_loss = INFINITY;
    size_t since_best = 0;
    for (size_t e = 0; e < opt->mlp.max_epochs; e++) {
        double tl, vl;
        AS_CHECK(as_mlp_epoch(out->mlp, xr, yr, n_r, NULL, n_r, &rng, &tl));
        if (!isfinite(tl)) {
            st = AS_FAIL(AS_ENOCONV, "synth: training loss became %g in epoch %zu", tl, e + 1);
            goto fail;
        }
        if (n_val == 0)
            continue;
        AS_CHECK(as_mlp_loss(out->mlp, xval, yval, n_val, NULL, n_val, &vl));
        if (vl < best_loss) {
            best_loss = vl;
            since_best = 0;
            memcpy(best, as_mlp_param_data(out->mlp), np * sizeof *best);
        } else if (++since_best >= opt->mlp.patience) {
            break;
        }
    }
    if (n_val > 0)
        memcpy(as_mlp_param_data(out->mlp), best, np * sizeof *best);
    goto done;
fail:
    member_free(out);
done:
    as_free(xs);
    as_free(ys);
    as_free(tr_idx);
    as_free(val_idx);
    as_free(xtr);
    as_free(ytr);
    as_free(xval);
    as_free(yval);
    as_free(xr);
    as_free(yr);
    as_free(best);
    return st;
}

/* prob (n_idx) for rows idx of raw x (n, d): scale a copy with the member's scaler, then predict. */
static as_status member_predict(const as_member *m, const double *x, size_t d, const size_t *idx,
                                size_t n_idx, double *prob)
{
    double *xs;
    AS_TRY(AS_ALLOC(xs, (n_idx ? n_idx : 1) * d, "synth: prediction rows"));
    for (size_t i = 0; i < n_idx; i++)
        memcpy(xs + i * d, x + (idx ? idx[i] : i) * d, d * sizeof *xs);
    as_status st = as_scaler_transform(m->scaler, xs, n_idx, d);
    if (st == AS_OK)
        st = as_mlp_predict(m->mlp, xs, n_idx, prob);
    as_free(xs);
    return st;
}

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
#define AS_METRIC_FIELDS(X) X(auc) X(pr_auc) X(accuracy) X(balanced_accuracy) X(precision) \
    X(recall) X(f1) X(mcc) X(brier)

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
#define NANF(f) r->mean.f = NAN; r->std.f = NAN;
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

/* Score part p: train on train_idx, predict test_idx into r->prob, compute its metrics. */
static as_status run_part(const as_dataset *ds, const as_synth_options *opt, uint64_t task,
                          const size_t *train_idx, size_t n_train, const size_t *test_idx,
                          size_t n_test, size_t p, as_synth_result *r)
{
    as_member m;
    as_status st = AS_OK;
    double *prob = NULL;
    int *yt = NULL;
    AS_TRY(member_fit(ds->x, ds->y, ds->d, train_idx, n_train, opt, task, &m));
    AS_CHECK(AS_ALLOC(prob, n_test ? n_test : 1, "synth: fold scores"));
    AS_CHECK(AS_ALLOC(yt, n_test ? n_test : 1, "synth: fold labels"));
    AS_CHECK(member_predict(&m, ds->x, ds->d, test_idx, n_test, prob));
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
    member_free(&m);
    as_free(prob);
    as_free(yt);
    return st;
}

static as_status check_dataset(const as_dataset *ds, int need_group)
{
    if (!ds || !ds->y)
        return AS_FAIL(AS_EINVAL, "synth: the data have no target column");
    if (need_group && !ds->group)
        return AS_FAIL(AS_EINVAL, "synth: the data have no group column (--group COL)");
    return AS_OK;
}

static as_status finish_result(const as_dataset *ds, const as_synth_options *opt,
                               as_synth_result *r)
{
    size_t m = 0;
    r->n_positive = 0;
    r->n_skipped = ds->n_skipped;
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
    st = as_metrics_binary(p, y, m, opt->threshold, &r->pooled);
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

/* Stratified folds; with a group column the groups stay whole (one alloy never sits in both a
 * training and a test fold). */
static as_status assign_folds(const as_dataset *ds, const as_synth_options *opt, as_rng *rng,
                              size_t *fold)
{
    if (ds->group)
        return as_stratified_group_kfold(ds->y, ds->group, ds->n, ds->n_groups, opt->folds, rng,
                                         fold);
    return as_stratified_kfold(ds->y, ds->n, opt->folds, rng, fold);
}

typedef struct {
    const as_dataset *ds;
    const as_synth_options *opt;
    const size_t *fold;
    as_synth_result *r;
} cv_ctx;

/* Fold f of cross-validation: train on the other folds, score fold f. */
static as_status cv_task(size_t f, void *arg)
{
    cv_ctx *c = arg;
    size_t *tr = NULL, *te = NULL, ntr = 0, nte = 0, n = c->ds->n;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(tr, n, "synth: folds"));
    AS_CHECK(AS_ALLOC(te, n, "synth: folds"));
    for (size_t i = 0; i < n; i++) {
        if (c->fold[i] == f)
            te[nte++] = i;
        else
            tr[ntr++] = i;
    }
    as_log(AS_LOG_INFO, "cross-validation fold %zu/%zu: %zu training rows, %zu test rows", f + 1,
           c->opt->folds, ntr, nte);
    st = run_part(c->ds, c->opt, AS_TASK_MEMBER0 + f, tr, ntr, te, nte, f, c->r);
    if (st == AS_OK && c->opt->on_part_done)
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
    AS_TRY(check_dataset(ds, 0));
    AS_TRY(as_synth_options_check(opt));
    AS_CHECK(result_alloc(ds->n, opt->folds, &r));
    AS_CHECK(AS_ALLOC(fold, ds->n, "synth: folds"));
    as_rng rng;
    as_rng_stream(&rng, opt->seed, AS_TASK_FOLDS);
    AS_CHECK(assign_folds(ds, opt, &rng, fold));
    for (size_t f = 0; f < opt->folds; f++) {
        r->part_name[f] = fold_label(f + 1);
        if (!r->part_name[f]) {
            st = AS_FAIL(AS_ENOMEM, "synth: fold name");
            goto fail;
        }
    }
    cv_ctx c = {ds, opt, fold, r};
    AS_CHECK(as_parallel_for(opt->folds, opt->threads, cv_task, &c));
    AS_CHECK(finish_result(ds, opt, r));
    *out = r;
    r = NULL;
fail:
    as_synth_result_free(r);
    as_free(fold);
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
    AS_TRY(check_dataset(ds, 1));
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
    AS_TRY(check_dataset(ds, 1));
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

/* ---- composition descriptors ---- */

as_status as_synth_add_descriptors(as_dataset *ds, const as_table *t, const char *composition,
                                   const char *temperature)
{
    double *desc = NULL, *x = NULL;
    size_t nd = 0;
    as_descriptor_options dopt = as_descriptor_options_default();
    AS_TRY(as_composition_table_descriptors(t, composition, temperature, &dopt, &desc, &nd));
    size_t d2 = ds->d + nd;
    as_status st = AS_ALLOC(x, (ds->n ? ds->n : 1) * d2, "synth: descriptors");
    if (st == AS_OK) {
        for (size_t i = 0; i < ds->n; i++) {
            memcpy(x + i * d2, ds->x + i * ds->d, ds->d * sizeof *x);
            memcpy(x + i * d2 + ds->d, desc + ds->row[i] * nd, nd * sizeof *x);
            for (size_t k = 0; k < nd; k++)
                if (!isfinite(x[i * d2 + ds->d + k])) {
                    size_t line, col;
                    as_table_where(t, ds->row[i], 0, &line, &col);
                    st = AS_FAIL(AS_EINVAL, "%s:%zu: descriptor %s is not finite (an empty "
                                 "temperature cell?)", as_table_path(t), line,
                                 as_descriptor_name(k));
                    break;
                }
            if (st != AS_OK)
                break;
        }
    }
    if (st == AS_OK) {
        as_free(ds->x);
        ds->x = x;
        ds->d = d2;
        x = NULL;
    }
    as_free(x);
    as_free(desc);
    return st;
}

/* ---- models ---- */

void as_synth_model_free(as_synth_model *m)
{
    if (!m)
        return;
    as_free(m->comp_col);
    as_free(m->temp_col);
    as_schema_free(m->schema);
    member_free(&m->full);
    if (m->fold)
        for (size_t f = 0; f < m->n_folds; f++)
            member_free(&m->fold[f]);
    as_free(m->fold);
    as_free(m);
}

const as_schema *as_synth_model_schema(const as_synth_model *m) { return m->schema; }
const as_synth_options *as_synth_model_options(const as_synth_model *m) { return &m->opt; }

static as_status schema_copy(const as_schema *s, as_schema **out)
{
    as_json *j = NULL;
    AS_TRY(as_schema_to_json(s, &j));
    as_status st = as_schema_from_json(j, out);
    as_json_free(j);
    return st;
}

typedef struct {
    const as_dataset *ds;
    const as_synth_options *opt;
    const size_t *fold;
    as_synth_model *m;
} train_ctx;

/* Task 0: the member on all rows; task f + 1: fold member f, trained on the rows outside fold f
 * with the stream as_synth_cv uses, so it is the network cross-validation scored. */
static as_status train_task(size_t task, void *arg)
{
    train_ctx *c = arg;
    const as_dataset *ds = c->ds;
    size_t *rows, n = 0;
    AS_TRY(AS_ALLOC(rows, ds->n, "synth: training rows"));
    for (size_t i = 0; i < ds->n; i++)
        if (task == 0 || c->fold[i] != task - 1)
            rows[n++] = i;
    as_status st;
    if (task == 0) {
        as_log(AS_LOG_INFO, "training the member on all %zu rows", n);
        st = member_fit(ds->x, ds->y, ds->d, rows, n, c->opt, AS_TASK_FULL, &c->m->full);
    } else {
        as_log(AS_LOG_INFO, "training fold member %zu/%zu", task, c->opt->folds);
        st = member_fit(ds->x, ds->y, ds->d, rows, n, c->opt, AS_TASK_MEMBER0 + task - 1,
                        &c->m->fold[task - 1]);
    }
    as_free(rows);
    if (st == AS_OK && c->opt->on_part_done)
        c->opt->on_part_done(c->opt->user);
    return st;
}

as_status as_synth_train(const as_schema *schema, const as_dataset *ds,
                         const as_synth_options *opt, as_synth_model **out)
{
    as_status st;
    size_t *fold = NULL;
    *out = NULL;
    AS_TRY(check_dataset(ds, 0));
    AS_TRY(as_synth_options_check(opt));
    as_synth_model *m = as_calloc(1, sizeof *m);
    if (!m)
        return AS_FAIL(AS_ENOMEM, "synth: cannot allocate a model");
    m->opt = *opt;
    m->opt.composition = m->opt.temperature = NULL;
    m->d = ds->d;
    if (opt->composition && !(m->comp_col = as_strdup(opt->composition)))
        goto nomem;
    if (opt->temperature && !(m->temp_col = as_strdup(opt->temperature)))
        goto nomem;
    m->opt.composition = m->comp_col;
    m->opt.temperature = m->temp_col;
    m->n_folds = opt->folds;
    m->n_train = ds->n;
    for (size_t i = 0; i < ds->n; i++)
        m->n_positive += ds->y[i] == 1;
    AS_CHECK(schema_copy(schema, &m->schema));
    AS_CHECK(AS_ALLOC(m->fold, opt->folds, "synth: fold members"));
    AS_CHECK(AS_ALLOC(fold, ds->n, "synth: folds"));
    as_rng rng;
    as_rng_stream(&rng, opt->seed, AS_TASK_FOLDS);
    AS_CHECK(assign_folds(ds, opt, &rng, fold));
    train_ctx c = {ds, opt, fold, m};
    AS_CHECK(as_parallel_for(opt->folds + 1, opt->threads, train_task, &c));
    *out = m;
    m = NULL;
    goto fail;
nomem:
    st = AS_FAIL(AS_ENOMEM, "synth: model");
fail:
    as_synth_model_free(m);
    as_free(fold);
    return st;
}

as_status as_synth_model_encode(const as_synth_model *m, const as_table *t, int need_target,
                                as_dataset **out)
{
    AS_TRY(as_schema_encode(m->schema, t, need_target, out));
    as_status st = AS_OK;
    if (m->comp_col)
        st = as_synth_add_descriptors(*out, t, m->comp_col, m->temp_col);
    if (st == AS_OK && (*out)->d != m->d)
        st = AS_FAIL(AS_EDIM, "synth: %s encodes to %zu features, the model has %zu",
                     as_table_path(t), (*out)->d, m->d);
    if (st != AS_OK) {
        as_dataset_free(*out);
        *out = NULL;
    }
    return st;
}

size_t as_synth_model_features(const as_synth_model *m) { return m->d; }

const char *as_synth_model_feature_name(const as_synth_model *m, size_t j)
{
    size_t ds = as_schema_features(m->schema);
    return j < ds ? as_schema_feature_name(m->schema, j) : as_descriptor_name(j - ds);
}

as_status as_synth_model_predict(const as_synth_model *m, const double *x, size_t n,
                                 double *prob, double *fold_mean, double *fold_std)
{
    as_status st = AS_OK;
    double *p = NULL, *s1 = NULL, *s2 = NULL;
    if (prob)
        AS_TRY(member_predict(&m->full, x, m->d, NULL, n, prob));
    if (!fold_mean && !fold_std)
        return AS_OK;
    AS_CHECK(AS_ALLOC(p, n ? n : 1, "synth: predictions"));
    AS_CHECK(AS_ALLOC(s1, n ? n : 1, "synth: predictions"));
    AS_CHECK(AS_ALLOC(s2, n ? n : 1, "synth: predictions"));
    for (size_t f = 0; f < m->n_folds; f++) {
        AS_CHECK(member_predict(&m->fold[f], x, m->d, NULL, n, p));
        for (size_t i = 0; i < n; i++) {
            s1[i] += p[i];
            s2[i] += p[i] * p[i];
        }
    }
    for (size_t i = 0; i < n; i++) {
        double k = (double)m->n_folds, mean = s1[i] / k;
        double var = (s2[i] - k * mean * mean) / (k > 1 ? k - 1 : 1);
        if (fold_mean)
            fold_mean[i] = mean;
        if (fold_std)
            fold_std[i] = var > 0 ? sqrt(var) : 0.0;
    }
fail:
    as_free(p);
    as_free(s1);
    as_free(s2);
    return st;
}

/* ---- model file ---- */

static as_status member_to_json(const as_member *mb, as_json **out)
{
    as_json *j = as_json_object(), *s = NULL, *n = NULL;
    as_status st = AS_OK;
    *out = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "synth: model JSON");
    AS_CHECK(as_scaler_to_json(mb->scaler, &s));
    AS_CHECK(as_json_set_child(j, "scaler", s));
    AS_CHECK(as_mlp_to_json(mb->mlp, &n));
    AS_CHECK(as_json_set_child(j, "mlp", n));
    *out = j;
    return AS_OK;
fail:
    as_json_free(j);
    return st;
}

static as_status member_from_json(const as_json *j, size_t d, const char *where, as_member *out)
{
    memset(out, 0, sizeof *out);
    as_json *s = as_json_get(j, "scaler"), *n = as_json_get(j, "mlp");
    if (!s || !n)
        return AS_FAIL(AS_EPARSE, "%s: member without 'scaler' or 'mlp'", where);
    as_status st = AS_OK;
    AS_CHECK(as_scaler_from_json(s, &out->scaler));
    AS_CHECK(as_mlp_from_json(n, &out->mlp));
    if (as_scaler_dim(out->scaler) != d || as_mlp_input_dim(out->mlp) != d) {
        st = AS_FAIL(AS_EPARSE, "%s: member expects %zu/%zu inputs, the schema has %zu", where,
                     as_scaler_dim(out->scaler), as_mlp_input_dim(out->mlp), d);
        goto fail;
    }
    return AS_OK;
fail:
    member_free(out);
    return st;
}

#define AS_SYNTH_FORMAT "alloyscout-synth"
#define AS_SYNTH_VERSION 1

as_status as_synth_model_save(const as_synth_model *m, const char *path)
{
    as_status st = AS_OK;
    as_json *j = as_json_object(), *c = NULL, *folds = NULL, *settings = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "synth: model JSON");
    AS_CHECK(as_json_set_str(j, "format", AS_SYNTH_FORMAT));
    AS_CHECK(as_json_set_num(j, "version", AS_SYNTH_VERSION));
    AS_CHECK(as_json_set_str(j, "alloyscout", as_version()));
    AS_CHECK(as_json_set_num(j, "seed", (double)m->opt.seed));
    AS_CHECK(as_json_set_num(j, "n_train", (double)m->n_train));
    AS_CHECK(as_json_set_num(j, "n_positive", (double)m->n_positive));
    settings = as_json_object();
    if (!settings) {
        st = AS_FAIL(AS_ENOMEM, "synth: model JSON");
        goto fail;
    }
    AS_CHECK(as_json_set_num(settings, "folds", (double)m->opt.folds));
    AS_CHECK(as_json_set_num(settings, "threshold", m->opt.threshold));
    AS_CHECK(as_json_set_str(settings, "resample",
                             as_resample_method_name(m->opt.resample.method)));
    AS_CHECK(as_json_set_num(settings, "smote_k", (double)m->opt.resample.smote_k));
    AS_CHECK(as_json_set_str(settings, "tomek", as_tomek_mode_name(m->opt.resample.tomek)));
    if (m->comp_col) {
        AS_CHECK(as_json_set_str(settings, "composition", m->comp_col));
        if (m->temp_col)
            AS_CHECK(as_json_set_str(settings, "temperature", m->temp_col));
    }
    AS_CHECK(as_json_set_child(j, "settings", settings));
    AS_CHECK(as_schema_to_json(m->schema, &c));
    AS_CHECK(as_json_set_child(j, "schema", c));
    AS_CHECK(member_to_json(&m->full, &c));
    AS_CHECK(as_json_set_child(j, "model", c));
    folds = as_json_array();
    if (!folds) {
        st = AS_FAIL(AS_ENOMEM, "synth: model JSON");
        goto fail;
    }
    for (size_t f = 0; f < m->n_folds; f++) {
        AS_CHECK(member_to_json(&m->fold[f], &c));
        AS_CHECK(as_json_push(folds, c));
    }
    AS_CHECK(as_json_set_child(j, "fold_models", folds));
    st = as_json_write_file(j, path);
fail:
    as_json_free(j);
    return st;
}

as_status as_synth_model_load(const char *path, as_synth_model **out)
{
    as_json *j = NULL;
    as_synth_model *m = NULL;
    as_status st;
    const char *fmt;
    double ver, seed, v;
    *out = NULL;
    AS_TRY(as_json_read_file(path, &j));
    AS_CHECK(as_json_get_str(j, "format", path, &fmt));
    if (strcmp(fmt, AS_SYNTH_FORMAT) != 0) {
        st = AS_FAIL(AS_EPARSE, "%s: format '%s' is not an alloyscout synthesis model", path, fmt);
        goto fail;
    }
    AS_CHECK(as_json_get_num(j, "version", path, &ver));
    if (ver != AS_SYNTH_VERSION) {
        st = AS_FAIL(AS_EPARSE, "%s: model file version %g; this alloyscout reads version %d",
                     path, ver, AS_SYNTH_VERSION);
        goto fail;
    }
    m = as_calloc(1, sizeof *m);
    if (!m) {
        st = AS_FAIL(AS_ENOMEM, "synth: model");
        goto fail;
    }
    m->opt = as_synth_options_default();
    AS_CHECK(as_json_get_num(j, "seed", path, &seed));
    m->opt.seed = (uint64_t)seed;
    AS_CHECK(as_json_get_num(j, "n_train", path, &v));
    m->n_train = (size_t)v;
    AS_CHECK(as_json_get_num(j, "n_positive", path, &v));
    m->n_positive = (size_t)v;
    as_json *settings = as_json_get(j, "settings");
    if (settings) {
        const char *s;
        AS_CHECK(as_json_get_num(settings, "threshold", path, &m->opt.threshold));
        if (as_json_get_str(settings, "resample", path, &s) == AS_OK)
            (void)as_resample_method_parse(s, &m->opt.resample.method);
        if (as_json_get(settings, "composition")) {
            AS_CHECK(as_json_get_str(settings, "composition", path, &s));
            if (!(m->comp_col = as_strdup(s))) {
                st = AS_FAIL(AS_ENOMEM, "synth: model");
                goto fail;
            }
            m->opt.composition = m->comp_col;
        }
        if (as_json_get(settings, "temperature")) {
            AS_CHECK(as_json_get_str(settings, "temperature", path, &s));
            if (!(m->temp_col = as_strdup(s))) {
                st = AS_FAIL(AS_ENOMEM, "synth: model");
                goto fail;
            }
            m->opt.temperature = m->temp_col;
        }
    }
    as_json *schema = as_json_get(j, "schema");
    if (!schema) {
        st = AS_FAIL(AS_EPARSE, "%s: missing key 'schema'", path);
        goto fail;
    }
    st = as_schema_from_json(schema, &m->schema);
    if (st != AS_OK) {
        as_error_prefix(st, "%s", path);
        goto fail;
    }
    m->d = as_schema_features(m->schema);
    if (m->comp_col)
        m->d += m->temp_col ? AS_DESC_COUNT : AS_DESC_COUNT - 1;
    AS_CHECK(member_from_json(as_json_get(j, "model"), m->d, path, &m->full));
    as_json *folds = as_json_get(j, "fold_models");
    m->n_folds = as_json_size(folds);
    if (m->n_folds < 2) {
        st = AS_FAIL(AS_EPARSE, "%s: 'fold_models' must hold at least 2 members", path);
        goto fail;
    }
    m->opt.folds = m->n_folds;
    AS_CHECK(AS_ALLOC(m->fold, m->n_folds, "synth: fold members"));
    for (size_t f = 0; f < m->n_folds; f++)
        AS_CHECK(member_from_json(as_json_at(folds, f), m->d, path, &m->fold[f]));
    m->opt.mlp = *as_mlp_get_options(m->full.mlp);
    *out = m;
    m = NULL;
fail:
    as_synth_model_free(m);
    as_json_free(j);
    return st;
}
