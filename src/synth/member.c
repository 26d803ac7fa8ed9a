/* One member of the workflow-A ensemble: fit the z-score scaler on the training part, split off
 * a stratified validation set of real rows, resample (SMOTE + Tomek) the rest, train the MLP
 * with early stopping on the validation loss (as_mlp_fit, the one training loop). Every member
 * draws from its own stream as_rng_stream(seed, task), so results depend only on the seed. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synth_int.h"

as_synth_options as_synth_options_default(void)
{
    as_synth_options o;
    memset(&o, 0, sizeof o);
    o.mlp = as_mlp_options_default();
    o.mlp.stop = AS_MLP_STOP_AUC; /* chosen by ranking: docs/synth.md, "Early stopping" */
    o.mlp.precision = 32; /* 1.3-1.5x faster, the same AUC: docs/synth.md, "Float training" */
    o.refit = 1;
    o.calibration = AS_CALIBRATION_PLATT;
    o.resample = as_resample_options_default();
    o.resample.smote = AS_SMOTE_NC; /* chosen by AUC on the shipped data: docs/synth.md */
    o.folds = 5;
    o.threshold = 0.5;
    o.seed = 0;
    return o;
}

as_status as_synth_options_check(const as_synth_options *opt)
{
    if (opt->folds < 2)
        return AS_FAIL(AS_EINVAL, "synth: --folds %zu must be at least 2", opt->folds);
    if (opt->calibration != AS_CALIBRATION_NONE && opt->calibration != AS_CALIBRATION_PLATT &&
        opt->calibration != AS_CALIBRATION_ISOTONIC)
        return AS_FAIL(AS_EINVAL, "synth: calibration %d unknown", (int)opt->calibration);
    if (!(opt->threshold > 0 && opt->threshold < 1))
        return AS_FAIL(AS_EINVAL, "synth: threshold %g must lie in (0, 1)", opt->threshold);
    return as_mlp_options_check(&opt->mlp);
}

void as_synth_member_free(as_synth_member *m)
{
    as_free(m->impute);
    m->impute = NULL;
    as_scaler_free(m->scaler);
    as_mlp_free(m->mlp);
    m->scaler = NULL;
    m->mlp = NULL;
}

/* scikit-learn's compute_class_weight("balanced"): w_c = n / (2 n_c) over the rows the network
 * trains on (1 for a class that is absent) */
static void balanced_weights(const int *y, size_t n, double *w)
{
    size_t n1 = 0;
    for (size_t i = 0; i < n; i++)
        n1 += y[i] == 1;
    w[0] = n1 < n ? (double)n / (2.0 * (double)(n - n1)) : 1.0;
    w[1] = n1 > 0 ? (double)n / (2.0 * (double)n1) : 1.0;
}

as_status as_synth_column_groups(const as_schema *s, size_t d, int *group)
{
    size_t nf = as_schema_features(s);
    if (d < nf)
        return AS_FAIL(AS_EINVAL, "synth: %zu columns, the schema encodes %zu", d, nf);
    for (size_t j = 0; j < d; j++) {
        group[j] = -1;
        if (j >= nf || !as_schema_feature_level(s, j))
            continue;
        const char *col = as_schema_feature_column(s, j);
        for (size_t q = 0; q <= j && group[j] < 0; q++)
            if (as_schema_feature_level(s, q) && strcmp(as_schema_feature_column(s, q), col) == 0)
                group[j] = (int)q;
    }
    return AS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of the finite values of each column (numpy.nanmedian: the mean of the two middle
 * values for an even count); 0 for a column without any value. */
static as_status fit_medians(const double *x, size_t n, size_t d, double *med)
{
    double *v;
    AS_TRY(AS_ALLOC(v, n ? n : 1, "synth: imputer"));
    for (size_t j = 0; j < d; j++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(x[i * d + j]))
                v[m++] = x[i * d + j];
        qsort(v, m, sizeof *v, cmp_double);
        med[j] = m == 0 ? 0.0 : m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
    }
    as_free(v);
    return AS_OK;
}

static void fill_missing(const double *med, double *x, size_t n, size_t d)
{
    for (size_t i = 0; i < n * d; i++)
        if (isnan(x[i]))
            x[i] = med[i % d];
}

void as_synth_member_stage_free(as_synth_member_stage *stage)
{
    as_free(stage->xs);
    as_free(stage->ys);
    as_free(stage->integer);
    stage->xs = NULL;
    stage->ys = NULL;
    stage->integer = NULL;
}

/* Validation rows are real records, split off before resampling, so early stopping never
 * judges the network on synthetic samples. */
as_status as_synth_member_fit_first(const double *x, const int *y, size_t d, const size_t *idx,
                                    size_t n_idx, const as_synth_options *opt, uint64_t task,
                                    as_synth_member *out, as_synth_member_stage *stage)
{
    as_status st = AS_OK;
    double *xs = NULL, *xtr = NULL, *xval = NULL, *xr = NULL;
    int *ys = NULL, *ytr = NULL, *yval = NULL, *yr = NULL;
    size_t *tr_idx = NULL, *val_idx = NULL, n_tr = 0, n_val = 0, n_r = 0;
    as_mlp_report rep = {0};
    unsigned char *integer = NULL;
    memset(out, 0, sizeof *out);
    memset(stage, 0, sizeof *stage);
    as_rng_stream(&stage->rng, opt->seed, task);
    as_rng *rng = &stage->rng;

    AS_CHECK(AS_ALLOC(xs, n_idx * d, "synth: training rows"));
    AS_CHECK(AS_ALLOC(ys, n_idx, "synth: training labels"));
    for (size_t i = 0; i < n_idx; i++) {
        memcpy(xs + i * d, x + idx[i] * d, d * sizeof *xs);
        ys[i] = y[idx[i]];
    }
    if (opt->impute == AS_SYNTH_IMPUTE_MEDIAN) {
        AS_CHECK(AS_ALLOC(out->impute, d, "synth: imputer"));
        AS_CHECK(fit_medians(xs, n_idx, d, out->impute));
        fill_missing(out->impute, xs, n_idx, d);
    }
    AS_CHECK(as_scaler_fit_ex(xs, n_idx, d, 0, &out->scaler)); /* named once: encode */
    as_resample_options ro = opt->resample;
    if (ro.smote == AS_SMOTE_NC) {
        /* integer columns: the raw training values are all whole numbers; SMOTE-NC rounds in
         * raw units through the scaler just fitted */
        AS_CHECK(AS_ALLOC(integer, d, "synth: integer columns"));
        for (size_t c = 0; c < d; c++) {
            int whole = !(ro.columns.group && ro.columns.group[c] >= 0);
            for (size_t i = 0; i < n_idx && whole; i++)
                whole = xs[i * d + c] == floor(xs[i * d + c]);
            integer[c] = (unsigned char)whole;
        }
        ro.columns.integer = integer;
        ro.columns.offset = as_scaler_mean(out->scaler);
        ro.columns.scale = as_scaler_scale(out->scaler);
    }
    AS_CHECK(as_scaler_transform(out->scaler, xs, n_idx, d));

    AS_CHECK(AS_ALLOC(tr_idx, n_idx, "synth: split"));
    AS_CHECK(AS_ALLOC(val_idx, n_idx, "synth: split"));
    if (opt->mlp.val_fraction > 0) {
        AS_CHECK(as_mlp_stratified_split(ys, n_idx, opt->mlp.val_fraction, rng, tr_idx, &n_tr,
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
    AS_CHECK(as_resample(&ro, xtr, ytr, n_tr, d, rng, &xr, &yr, &n_r));
    as_mlp_options o1 = opt->mlp;
    if (opt->class_weight_balanced)
        balanced_weights(yr, n_r, o1.class_weight);
    AS_CHECK(as_mlp_create(d, &o1, rng, &out->mlp));
    AS_CHECK(as_mlp_fit(out->mlp, xr, yr, n_r, xval, yval, n_val, rng, &rep));
    stage->need_refit = opt->refit && n_val > 0;
    stage->best_epoch = rep.best_epoch;
    stage->n_idx = n_idx;
    stage->d = d;
    stage->ro = ro;
    if (stage->need_refit) { /* the refit's rows and columns pass to the stage */
        stage->xs = xs;
        stage->ys = ys;
        stage->integer = integer;
        xs = NULL;
        ys = NULL;
        integer = NULL;
    }
    goto done;
fail:
    as_synth_member_free(out);
done:
    as_mlp_report_free(&rep);
    as_free(integer);
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
    return st;
}

/* The validation rows chose the epoch count; now train that many epochs on every training row
 * (resampled afresh), so no real row is lost to validation. */
as_status as_synth_member_fit_refit(const as_synth_options *opt, as_synth_member_stage *stage,
                                    as_synth_member *out)
{
    as_status st = AS_OK;
    double *xr = NULL;
    int *yr = NULL;
    size_t n_r = 0, d = stage->d;
    if (!stage->need_refit)
        return AS_OK;
    as_mlp_options o2 = opt->mlp;
    o2.max_epochs = stage->best_epoch;
    as_mlp_free(out->mlp);
    out->mlp = NULL;
    AS_CHECK(as_resample(&stage->ro, stage->xs, stage->ys, stage->n_idx, d, &stage->rng, &xr, &yr,
                         &n_r));
    if (opt->class_weight_balanced)
        balanced_weights(yr, n_r, o2.class_weight);
    AS_CHECK(as_mlp_create(d, &o2, &stage->rng, &out->mlp));
    AS_CHECK(as_mlp_fit(out->mlp, xr, yr, n_r, NULL, NULL, 0, &stage->rng, NULL));
    stage->need_refit = 0;
fail:
    as_free(xr);
    as_free(yr);
    return st;
}

as_status as_synth_member_fit(const double *x, const int *y, size_t d, const size_t *idx,
                              size_t n_idx, const as_synth_options *opt, uint64_t task,
                              as_synth_member *out)
{
    as_synth_member_stage stage;
    as_status st = as_synth_member_fit_first(x, y, d, idx, n_idx, opt, task, out, &stage);
    if (st == AS_OK) {
        st = as_synth_member_fit_refit(opt, &stage, out);
        if (st != AS_OK)
            as_synth_member_free(out);
    }
    as_synth_member_stage_free(&stage);
    return st;
}

/* prob (n_idx) for rows idx of raw x (n, d): scale a copy with the member's scaler, then predict. */
as_status as_synth_member_predict(const as_synth_member *m, const double *x, size_t d,
                                  const size_t *idx, size_t n_idx, double *prob)
{
    double *xs;
    AS_TRY(AS_ALLOC(xs, (n_idx ? n_idx : 1) * d, "synth: prediction rows"));
    for (size_t i = 0; i < n_idx; i++)
        memcpy(xs + i * d, x + (idx ? idx[i] : i) * d, d * sizeof *xs);
    if (m->impute)
        fill_missing(m->impute, xs, n_idx, d);
    as_status st = as_scaler_transform(m->scaler, xs, n_idx, d);
    if (st == AS_OK)
        st = as_mlp_predict(m->mlp, xs, n_idx, prob);
    as_free(xs);
    return st;
}

as_status as_synth_member_scale(const as_synth_member *m, const double *x, size_t n, size_t d,
                                double *z)
{
    memcpy(z, x, n * d * sizeof *z);
    if (m->impute)
        fill_missing(m->impute, z, n, d);
    return as_scaler_transform(m->scaler, z, n, d);
}

as_status as_synth_member_to_json(const as_synth_member *mb, as_json **out)
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
    if (mb->impute) {
        as_json *a = as_json_array();
        AS_CHECK(as_json_set_child(j, "impute_median", a));
        for (size_t k = 0; k < as_scaler_dim(mb->scaler); k++)
            AS_CHECK(as_json_push_num(a, mb->impute[k]));
    }
    *out = j;
    return AS_OK;
fail:
    as_json_free(j);
    return st;
}

as_status as_synth_member_from_json(const as_json *j, size_t d, const char *where,
                                    as_synth_member *out)
{
    memset(out, 0, sizeof *out);
    as_json *s = as_json_get(j, "scaler"), *n = as_json_get(j, "mlp");
    if (!s || !n)
        return AS_FAIL(AS_EPARSE, "%s: member without 'scaler' or 'mlp'", where);
    as_status st = AS_OK;
    st = as_scaler_from_json(s, &out->scaler);
    if (st == AS_OK)
        st = as_mlp_from_json(n, &out->mlp);
    if (st != AS_OK) { /* "M.json: scaler: missing array 'scale'" */
        as_error_prefix(st, "%s", where);
        goto fail;
    }
    if (as_scaler_dim(out->scaler) != d || as_mlp_input_dim(out->mlp) != d) {
        st = AS_FAIL(AS_EPARSE, "%s: member expects %zu/%zu inputs, the schema has %zu", where,
                     as_scaler_dim(out->scaler), as_mlp_input_dim(out->mlp), d);
        goto fail;
    }
    const as_json *im = as_json_get(j, "impute_median");
    if (im) {
        if (as_json_size(im) != d) {
            st = AS_FAIL(AS_EPARSE, "%s: member 'impute_median' has %zu values, the schema %zu",
                         where, as_json_size(im), d);
            goto fail;
        }
        AS_CHECK(AS_ALLOC(out->impute, d, "synth: imputer"));
        for (size_t k = 0; k < d; k++) {
            const as_json *e = as_json_at(im, k);
            if (!as_json_is_number(e)) {
                st = AS_FAIL(AS_EPARSE, "%s: member 'impute_median' value %zu is not a number",
                             where, k);
                goto fail;
            }
            out->impute[k] = as_json_number(e);
        }
    }
    return AS_OK;
fail:
    as_synth_member_free(out);
    return st;
}

as_status as_synth_check_dataset(const as_dataset *ds, int need_group)
{
    if (!ds || !ds->y)
        return AS_FAIL(AS_EINVAL, "synth: the data have no target column");
    if (need_group && !ds->group)
        return AS_FAIL(AS_EINVAL, "synth: the data have no group column (--group COL)");
    return AS_OK;
}

/* Stratified folds; with a group column the groups stay whole (one alloy never sits in both a
 * training and a test fold). */
as_status as_synth_assign_folds(const as_dataset *ds, const as_synth_options *opt, as_rng *rng,
                                size_t *fold)
{
    if (ds->group)
        return as_stratified_group_kfold(ds->y, ds->group, ds->n, ds->n_groups, opt->folds, rng,
                                         fold);
    return as_stratified_kfold(ds->y, ds->n, opt->folds, rng, fold);
}

/* ---- two passes over k members (synth_int.h) ---- */

as_status as_synth_passes_init(as_synth_passes *p, size_t k)
{
    memset(p, 0, sizeof *p);
    p->k = k;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->done, NULL);
    p->ready = 1;
    if (!(p->mem = as_calloc(k, sizeof *p->mem)) || !(p->stage = as_calloc(k, sizeof *p->stage)) ||
        !(p->first = as_calloc(k, 1)) || !(p->taken = as_calloc(k, 1)))
        return AS_FAIL(AS_ENOMEM, "synth: %zu members", k);
    return AS_OK;
}

void as_synth_passes_free(as_synth_passes *p)
{
    for (size_t f = 0; p->mem && p->stage && f < p->k; f++) {
        as_synth_member_free(&p->mem[f]);
        as_synth_member_stage_free(&p->stage[f]);
    }
    as_free(p->mem);
    as_free(p->stage);
    as_free(p->first);
    as_free(p->taken);
    if (p->ready) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->done);
    }
    memset(p, 0, sizeof *p);
}

void as_synth_passes_first_done(as_synth_passes *p, size_t f, as_status st)
{
    pthread_mutex_lock(&p->lock);
    p->first[f] = st == AS_OK ? 1 : 2;
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->lock);
}

int as_synth_passes_take(as_synth_passes *p, size_t *f)
{
    pthread_mutex_lock(&p->lock);
    size_t best;
    for (;;) {
        best = SIZE_MAX;
        double most = -1.0;
        for (size_t g = 0; g < p->k; g++) {
            if (p->taken[g] || p->first[g] == 0)
                continue;
            const as_synth_member_stage *sg = &p->stage[g];
            double w = p->first[g] != 1 ? -0.5 /* failed: nothing to do */
                       : sg->need_refit ? (double)sg->best_epoch * (double)sg->n_idx
                                        : 0.0;
            if (w > most) {
                most = w;
                best = g;
            }
        }
        if (best != SIZE_MAX)
            break;
        pthread_cond_wait(&p->done, &p->lock);
    }
    p->taken[best] = 1;
    int ok = p->first[best] == 1;
    pthread_mutex_unlock(&p->lock);
    *f = best;
    return ok;
}
