/* Workflow A's inputs and outputs: the training table's encoding, test-group names, and the
 * files a run writes (result JSON, ROC curves, prediction CSV). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "synth_int.h"

/* Descriptors of every row; with skip, rows whose formula cannot be read leave ds (counted in
 * ds->n_bad) with one warning naming the first. */
static as_status add_descriptors(as_dataset *ds, const as_table *t, const char *comp,
                                 const char *temp, int skip)
{
    if (!skip)
        return as_synth_add_descriptors(ds, t, comp, temp);
    as_status st = AS_OK;
    double *desc = NULL;
    unsigned char *bad = NULL, *keep = NULL;
    size_t nd = 0, n_bad = 0, n = as_table_rows(t);
    char msg[600];
    as_descriptor_options dopt = as_descriptor_options_default();
    AS_CHECK(AS_ALLOC(bad, n, "synth: bad rows"));
    AS_CHECK(AS_ALLOC(keep, ds->n ? ds->n : 1, "synth: bad rows"));
    AS_CHECK(as_composition_table_descriptors_lenient(t, comp, temp, &dopt, &desc, &nd, bad, &n_bad,
                                                      msg, sizeof msg));
    size_t removed = 0;
    for (size_t r = 0; r < ds->n; r++) {
        keep[r] = !bad[ds->row[r]];
        for (size_t k = 0; keep[r] && k < nd; k++)
            keep[r] = isfinite(desc[ds->row[r] * nd + k]) != 0;
        removed += !keep[r];
    }
    if (removed) {
        as_log(AS_LOG_WARN,
               "%zu row(s) whose formula in column '%s' cannot be read were skipped "
               "(--on-bad-row skip); the first: %s",
               removed, comp, n_bad ? msg : "a descriptor is not finite (an empty temperature?)");
        AS_CHECK(as_dataset_keep_rows(ds, keep));
    }
    st = as_synth_add_descriptors_from(ds, desc, nd);
fail:
    as_free(desc);
    as_free(bad);
    as_free(keep);
    return st;
}

/* One warning naming the feature columns that are constant over all training rows. */
static void warn_constant(const as_schema *s, const as_dataset *ds)
{
    size_t ns = as_schema_features(s), n_const = 0;
    char list[400];
    size_t len = 0, listed = 0;
    list[0] = '\0';
    for (size_t j = 0; j < ds->d; j++) {
        double v0 = ds->x[j];
        size_t i = 1;
        while (i < ds->n &&
               (ds->x[i * ds->d + j] == v0 || (isnan(v0) && isnan(ds->x[i * ds->d + j]))))
            i++;
        if (i < ds->n)
            continue;
        n_const++;
        const char *name = j < ns ? as_schema_feature_name(s, j) : as_descriptor_name(j - ns);
        if (len + strlen(name) + 8 < sizeof list && listed < 12) {
            len +=
                (size_t)snprintf(list + len, sizeof list - len, "%s'%s'", listed ? ", " : "", name);
            listed++;
        }
    }
    if (n_const)
        as_log(AS_LOG_WARN,
               "%zu feature column(s) have the same value in all %zu training rows and carry no "
               "information (scale set to 1): %s%s",
               n_const, ds->n, list, listed < n_const ? ", ..." : "");
}

as_status as_synth_encode_training(const as_table *t, const as_schema_options *schema_opt,
                                   const as_synth_options *opt, as_schema **schema, as_dataset **ds)
{
    as_status st = AS_OK;
    as_schema_options so = schema_opt ? *schema_opt : as_schema_options_default();
    char *drop = NULL;
    *schema = NULL;
    *ds = NULL;
    if (opt->temperature && !opt->composition)
        return AS_FAIL(AS_EINVAL, "synth: a temperature column needs a composition column");
    if (opt->composition) {
        /* the formula column feeds the descriptors, not the one-hot encoder */
        size_t n = strlen(opt->composition) + (so.drop ? strlen(so.drop) : 0) + 2;
        AS_TRY(AS_ALLOC(drop, n, "synth: dropped columns"));
        snprintf(drop, n, "%s%s%s", so.drop ? so.drop : "", so.drop ? "," : "", opt->composition);
        so.drop = drop;
    }
    so.skip_bad_rows = opt->skip_bad_rows;
    AS_CHECK(as_schema_infer(t, &so, schema));
    as_encode_options eo = {opt->skip_bad_rows, opt->impute == AS_SYNTH_IMPUTE_MEDIAN};
    AS_CHECK(as_schema_encode_ex(*schema, t, 1, &eo, ds));
    if (opt->composition)
        AS_CHECK(add_descriptors(*ds, t, opt->composition, opt->temperature, opt->skip_bad_rows));
    if ((*ds)->n_skipped)
        as_log(AS_LOG_WARN, "%zu row(s) with an empty '%s' were skipped", (*ds)->n_skipped,
               so.target);
    if ((*ds)->n_missing)
        as_log(AS_LOG_WARN,
               "%zu empty numeric cell(s) will be imputed with the median of each member's "
               "training rows (--impute median)",
               (*ds)->n_missing);
    {
        size_t pos = 0;
        for (size_t i = 0; i < (*ds)->n; i++)
            pos += (*ds)->y[i] == 1;
        if (pos == 0 || pos == (*ds)->n) {
            st = AS_FAIL(AS_EINVAL, "%s: after skipping unreadable rows only %s rows remain",
                         as_table_path(t), pos ? "positive" : "negative");
            goto fail;
        }
    }
    warn_constant(*schema, *ds);
    size_t pos = 0;
    for (size_t i = 0; i < (*ds)->n; i++)
        pos += (*ds)->y[i] == 1;
    as_log(AS_LOG_INFO, "%s: %zu rows (%zu positive, %zu negative), %zu features", as_table_path(t),
           (*ds)->n, pos, (*ds)->n - pos, (*ds)->d);
    as_free(drop);
    return AS_OK;
fail:
    as_free(drop);
    as_dataset_free(*ds);
    as_schema_free(*schema);
    *ds = NULL;
    *schema = NULL;
    return st;
}

as_status as_synth_find_groups(const as_dataset *ds, const char *names, size_t **groups,
                               size_t *n_groups)
{
    as_status st = AS_OK;
    size_t *g = NULL, n = 0;
    *groups = NULL;
    *n_groups = 0;
    if (!ds->group)
        return AS_FAIL(AS_EINVAL, "synth: the data have no group column");
    size_t cap = 1;
    for (const char *p = names; *p; p++)
        cap += *p == ',';
    AS_TRY(AS_ALLOC(g, cap, "synth: test groups"));
    for (const char *p = names; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 0) {
            size_t k = 0;
            while (k < ds->n_groups &&
                   !(strlen(ds->group_names[k]) == len && !strncmp(ds->group_names[k], p, len)))
                k++;
            if (k == ds->n_groups) {
                st = AS_FAIL(AS_EINVAL, "test group '%.*s' does not occur in the group column",
                             (int)len, p);
                goto fail;
            }
            g[n++] = k;
        }
        p = e ? e + 1 : p + len;
    }
    if (n == 0) {
        st = AS_FAIL(AS_EINVAL, "synth: no test group named in '%s'", names);
        goto fail;
    }
    *groups = g;
    *n_groups = n;
    return AS_OK;
fail:
    as_free(g);
    return st;
}

as_status as_synth_result_roc(const as_synth_result *r, size_t part, double **fpr, double **tpr,
                              double **thr, size_t *n_points)
{
    double *p = NULL;
    int *y = NULL;
    as_status st = AS_OK;
    *fpr = *tpr = *thr = NULL;
    *n_points = 0;
    if (part > r->n_parts)
        return AS_FAIL(AS_EINVAL, "synth: part %zu out of range (%zu parts)", part, r->n_parts);
    AS_CHECK(AS_ALLOC(p, r->n_samples ? r->n_samples : 1, "synth: ROC curve"));
    AS_CHECK(AS_ALLOC(y, r->n_samples ? r->n_samples : 1, "synth: ROC curve"));
    size_t m = 0;
    for (size_t i = 0; i < r->n_samples; i++)
        if (r->part_of[i] != SIZE_MAX && (part == r->n_parts || r->part_of[i] == part)) {
            p[m] = r->prob[i];
            y[m++] = r->y[i];
        }
    st = as_roc_curve(p, y, m, fpr, tpr, thr, n_points);
fail:
    as_free(p);
    as_free(y);
    return st;
}

as_status as_synth_result_write_roc(const as_synth_result *r, const char *path)
{
    as_outfile *o;
    as_status st = AS_OK;
    double *fpr = NULL, *tpr = NULL, *thr = NULL;
    AS_TRY(as_outfile_open(path, &o));
    FILE *f = as_outfile_stream(o);
    fputs("curve,fpr,tpr,threshold\n", f);
    for (size_t part = 0; part <= r->n_parts; part++) { /* part == n_parts: pooled */
        if (part < r->n_parts && !r->part_valid[part])
            continue;
        size_t np;
        AS_CHECK(as_synth_result_roc(r, part, &fpr, &tpr, &thr, &np));
        const char *name = part == r->n_parts ? "pooled" : r->part_name[part];
        for (size_t i = 0; i < np; i++) {
            char a[32], b[32], c[32];
            snprintf(a, sizeof a, "%.17g", fpr[i]);
            snprintf(b, sizeof b, "%.17g", tpr[i]);
            snprintf(c, sizeof c, "%.17g", thr[i]);
            const char *fields[4] = {name, a, b, c};
            AS_CHECK(as_csv_write_row(f, fields, 4));
        }
        as_free(fpr);
        as_free(tpr);
        as_free(thr);
        fpr = tpr = thr = NULL;
    }
    return as_outfile_commit(o);
fail:
    as_free(fpr);
    as_free(tpr);
    as_free(thr);
    as_outfile_abort(o);
    return st;
}

as_status as_synth_dataset_write_csv(const as_schema *s, const as_dataset *ds, const char *path)
{
    as_outfile *o;
    as_status st = AS_OK;
    size_t ns = as_schema_features(s);
    if (ds->d < ns)
        return AS_FAIL(AS_EDIM, "synth: dataset of %zu features, schema of %zu", ds->d, ns);
    size_t nf = ds->d + (ds->y ? 1 : 0) + (ds->group ? 1 : 0);
    const char **fields = NULL;
    char *num = NULL;
    AS_TRY(AS_ALLOC(fields, nf, "synth: feature row"));
    st = AS_ALLOC(num, nf * 32, "synth: feature row");
    if (st != AS_OK) {
        as_free(fields);
        return st;
    }
    st = as_outfile_open(path, &o);
    if (st != AS_OK) {
        as_free(fields);
        as_free(num);
        return st;
    }
    FILE *f = as_outfile_stream(o);
    for (size_t j = 0; j < ds->d; j++)
        fields[j] = j < ns ? as_schema_feature_name(s, j) : as_descriptor_name(j - ns);
    size_t k = ds->d;
    if (ds->y)
        fields[k++] = as_schema_target(s);
    if (ds->group)
        fields[k++] = as_schema_group(s);
    AS_CHECK(as_csv_write_row(f, fields, nf));
    for (size_t i = 0; i < ds->n; i++) {
        for (size_t j = 0; j < ds->d; j++) {
            snprintf(num + j * 32, 32, "%.17g", ds->x[i * ds->d + j]);
            fields[j] = num + j * 32;
        }
        k = ds->d;
        if (ds->y) {
            snprintf(num + k * 32, 32, "%d", ds->y[i]);
            fields[k] = num + k * 32;
            k++;
        }
        if (ds->group)
            fields[k++] = ds->group_names[ds->group[i]];
        AS_CHECK(as_csv_write_row(f, fields, nf));
    }
    as_free(fields);
    as_free(num);
    return as_outfile_commit(o);
fail:
    as_free(fields);
    as_free(num);
    as_outfile_abort(o);
    return st;
}

#define AS_METRICS(X) \
    X(auc) X(pr_auc) X(accuracy) X(balanced_accuracy) X(precision) X(recall) X(f1) X(mcc) X(brier)

void as_synth_mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double s = 0, q = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            s += v[i];
            m++;
        }
    *mean = m ? s / (double)m : NAN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            q += (v[i] - *mean) * (v[i] - *mean);
    *sd = m > 1 ? sqrt(q / (double)(m - 1)) : NAN;
}

/* {"mean", "sd" (ddof 1), "values"} of n values (NaN ones left out of mean and sd) */
static as_status repeat_json(as_json *parent, const char *key, const double *v, size_t n)
{
    as_status st = AS_OK;
    as_json *o = as_json_object();
    AS_CHECK(as_json_set_child(parent, key, o));
    double mean, sd;
    as_synth_mean_sd(v, n, &mean, &sd);
    AS_CHECK(as_json_set_num(o, "mean", mean));
    AS_CHECK(as_json_set_num(o, "sd", sd));
    AS_CHECK(as_json_set_doubles(o, "values", v, n));
fail:
    return st;
}

/* A new object with the metrics of m (out NULL on failure). */
static as_status metrics_json(const as_metrics *m, as_json **out)
{
    as_json *j = as_json_object();
    as_status st = AS_OK;
    *out = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "synth: result JSON");
#define PUT(f)       \
    if (st == AS_OK) \
        st = as_json_set_num(j, #f, m->f);
    AS_METRICS(PUT)
#undef PUT
    double cm[4] = {(double)m->tn, (double)m->fp, (double)m->fn, (double)m->tp};
    if (st == AS_OK)
        st = as_json_set_doubles(j, "confusion_tn_fp_fn_tp", cm, 4);
    if (st != AS_OK) {
        as_json_free(j);
        return st;
    }
    *out = j;
    return AS_OK;
}

/* j[key] = {"mean", "std", "pooled", "folds": v (n)}. */
static as_status summary_json(as_json *j, const char *key, double mean, double std, double pooled,
                              const double *v, size_t n)
{
    as_json *c = as_json_object();
    if (!c)
        return AS_FAIL(AS_ENOMEM, "synth: result JSON");
    as_status st = as_json_set_num(c, "mean", mean);
    if (st == AS_OK)
        st = as_json_set_num(c, "std", std);
    if (st == AS_OK)
        st = as_json_set_num(c, "pooled", pooled);
    if (st == AS_OK)
        st = as_json_set_doubles(c, "folds", v, n);
    if (st != AS_OK) {
        as_json_free(c);
        return st;
    }
    return as_json_set_child(j, key, c); /* takes c, also on failure */
}

/* "calibration": {"bins": 10, "none": {"ece", "brier", "prob_true", "prob_pred", "count"},
 * "platt": {...}, "isotonic": {...}} (platt and isotonic cross-fitted; null ece when absent) */
static as_status calibration_json(const as_synth_result *r, as_json *j)
{
    as_status st = AS_OK;
    as_json *cal = as_json_object(), *k = NULL;
    if (!cal)
        return AS_FAIL(AS_ENOMEM, "synth: result JSON");
    AS_CHECK(as_json_set_num(cal, "bins", AS_SYNTH_CAL_BINS));
    for (int m = 0; m < 3; m++) {
        const as_synth_calibration *c = &r->cal[m];
        double cnt[AS_SYNTH_CAL_BINS];
        for (size_t b = 0; b < c->n_bins; b++)
            cnt[b] = (double)c->count[b];
        if (!(k = as_json_object())) {
            st = AS_FAIL(AS_ENOMEM, "synth: result JSON");
            goto fail;
        }
        AS_CHECK(as_json_set_num(k, "ece", c->ece));
        AS_CHECK(as_json_set_num(k, "brier", c->brier));
        AS_CHECK(as_json_set_doubles(k, "prob_true", c->prob_true, c->n_bins));
        AS_CHECK(as_json_set_doubles(k, "prob_pred", c->prob_pred, c->n_bins));
        AS_CHECK(as_json_set_doubles(k, "count", cnt, c->n_bins));
        st = as_json_set_child(cal, as_calibration_name((as_calibration_method)m), k);
        k = NULL;
        if (st != AS_OK)
            goto fail;
    }
    return as_json_set_child(j, "calibration", cal);
fail:
    as_json_free(k);
    as_json_free(cal);
    return st;
}

int as_synth_folds_verdict(const as_synth_result *g, const as_synth_result *r)
{
    double a = r->pooled.auc;
    return a > g->auc_ci_hi ? 1 : a < g->auc_ci_lo ? -1 : 0;
}

/* "comparisons": one object per other evaluation recorded beside r. */
static as_status comparisons_json(const as_synth_result *r, const as_synth_comparison *compare,
                                  size_t n_compare, as_json *j)
{
    as_status st = AS_OK;
    as_json *arr = as_json_array();
    if (!arr)
        return AS_FAIL(AS_ENOMEM, "synth: result JSON");
    AS_CHECK(as_json_set_child(j, "comparisons", arr)); /* j owns arr from here */
    for (size_t k = 0; k < n_compare; k++) {
        const as_synth_comparison *c = &compare[k];
        as_json *o = as_json_object();
        if (!o)
            return AS_FAIL(AS_ENOMEM, "synth: result JSON");
        AS_CHECK(as_json_push(arr, o)); /* takes o, also on failure */
        AS_CHECK(as_json_set_str(o, "name", c->name));
        AS_CHECK(as_json_set_str(o, "options", c->options));
        AS_CHECK(as_json_set_num(o, "auc_mean", c->r->mean.auc));
        AS_CHECK(as_json_set_num(o, "auc_pooled", c->r->pooled.auc));
        AS_CHECK(as_json_set_num(o, "auc_ci_lo", c->r->auc_ci_lo));
        AS_CHECK(as_json_set_num(o, "auc_ci_hi", c->r->auc_ci_hi));
        AS_CHECK(as_json_set_num(o, "ece", c->r->cal[AS_CALIBRATION_NONE].ece));
        AS_CHECK(as_json_set_num(o, "brier", c->r->cal[AS_CALIBRATION_NONE].brier));
        if (c->random_folds) {
            AS_CHECK(as_json_set_num(o, "difference", c->r->pooled.auc - r->pooled.auc));
            AS_CHECK(as_json_set_bool(o, "beyond_ci", as_synth_folds_verdict(r, c->r) != 0));
        }
    }
fail:
    return st;
}

as_status as_synth_result_write_json(const as_synth_result *r, const as_synth_run_info *info,
                                     const char *path)
{
    return as_synth_result_write_json_compared(r, info, NULL, 0, path);
}

as_status as_synth_result_write_json_compared(const as_synth_result *r,
                                              const as_synth_run_info *info,
                                              const as_synth_comparison *compare, size_t n_compare,
                                              const char *path)
{
    as_status st = AS_OK;
    as_json *j = as_json_object(), *c = NULL;
    double *v = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "synth: result JSON");
    AS_CHECK(as_json_set_str(j, "command", info->command));
    AS_CHECK(as_json_set_str(j, "data", info->data));
    AS_CHECK(as_json_set_num(j, "seed", (double)info->seed));
    AS_CHECK(as_json_set_num(j, "n_samples", (double)r->n_samples));
    AS_CHECK(as_json_set_num(j, "n_positive", (double)r->n_positive));
    AS_CHECK(as_json_set_num(j, "n_skipped", (double)r->n_skipped));
    AS_CHECK(as_json_set_num(j, "n_bad_rows", (double)r->n_bad));
    AS_CHECK(as_json_set_num(j, "n_imputed", (double)r->n_missing));
    AS_CHECK(AS_ALLOC(v, r->n_parts ? r->n_parts : 1, "synth: result JSON"));
    /* per metric: {"mean", "std", "pooled", "folds": [...]} (null for parts with one class) */
#define PUTM(f)                                       \
    for (size_t p = 0; p < r->n_parts; p++)           \
        v[p] = r->part_valid[p] ? r->part[p].f : NAN; \
    AS_CHECK(summary_json(j, #f, r->mean.f, r->std.f, r->pooled.f, v, r->n_parts));
    AS_METRICS(PUTM)
#undef PUTM
    c = as_json_array();
    if (!c) {
        st = AS_FAIL(AS_ENOMEM, "synth: result JSON");
        goto fail;
    }
    AS_CHECK(as_json_set_child(j, "parts", c)); /* j owns c from here */
    for (size_t p = 0; p < r->n_parts; p++) {
        as_json *pj = NULL;
        if (r->part_valid[p]) {
            AS_CHECK(metrics_json(&r->part[p], &pj));
        } else if (!(pj = as_json_object())) {
            st = AS_FAIL(AS_ENOMEM, "synth: result JSON");
            goto fail;
        }
        st = as_json_set_str(pj, "name", r->part_name[p]);
        if (st == AS_OK)
            st = as_json_set_bool(pj, "auc_defined", r->part_valid[p]);
        if (st != AS_OK) {
            as_json_free(pj);
            goto fail;
        }
        AS_CHECK(as_json_push(c, pj)); /* takes pj, also on failure */
    }
    AS_CHECK(calibration_json(r, j));
    {
        as_json *ci = as_json_object();
        if (!ci) {
            st = AS_FAIL(AS_ENOMEM, "synth: result JSON");
            goto fail;
        }
        if ((st = as_json_set_num(ci, "level", 0.95)) != AS_OK ||
            (st = as_json_set_num(ci, "lo", r->auc_ci_lo)) != AS_OK ||
            (st = as_json_set_num(ci, "hi", r->auc_ci_hi)) != AS_OK ||
            (st = as_json_set_str(ci, "resample", r->ci_groups ? "groups" : "rows")) != AS_OK ||
            (st = as_json_set_num(ci, "n_groups", (double)r->ci_groups)) != AS_OK ||
            (st = as_json_set_num(ci, "n_boot", AS_SYNTH_BOOT)) != AS_OK) {
            as_json_free(ci);
            goto fail;
        }
        AS_CHECK(as_json_set_child(j, "auc_pooled_ci", ci));
    }
    if (r->groups_defined || r->groups_single) {
        as_json *g = as_json_object();
        AS_CHECK(as_json_set_child(j, "auc_by_group", g));
        AS_CHECK(as_json_set_num(g, "weighted", r->auc_group_weighted));
        AS_CHECK(as_json_set_num(g, "mean", r->auc_group_mean));
        AS_CHECK(as_json_set_num(g, "groups_defined", (double)r->groups_defined));
        AS_CHECK(as_json_set_num(g, "groups_single_class", (double)r->groups_single));
    }
    if (r->n_repeats) {
        as_json *rp = as_json_object();
        AS_CHECK(as_json_set_child(j, "repeats", rp));
        AS_CHECK(as_json_set_num(rp, "n", (double)r->n_repeats));
        AS_CHECK(repeat_json(rp, "auc_mean", r->repeat_auc_mean, r->n_repeats));
        AS_CHECK(repeat_json(rp, "auc_pooled", r->repeat_auc_pooled, r->n_repeats));
        if (r->groups_defined || r->groups_single)
            AS_CHECK(repeat_json(rp, "auc_group_weighted", r->repeat_auc_group, r->n_repeats));
    }
    if (n_compare)
        AS_CHECK(comparisons_json(r, compare, n_compare, j));
    st = as_json_write_file(j, path);
fail:
    as_free(v);
    as_json_free(j);
    return st;
}

/* One warning: how many rows lie outside the training domain, by kind, and the first one. */
static void domain_summary(const as_synth_model *m, const as_table *t, const as_dataset *ds,
                           const unsigned *flags, size_t n_out)
{
    if (ds->n && (flags[0] & AS_SYNTH_DOMAIN_UNCHECKED)) {
        as_log(AS_LOG_WARN,
               "rows not checked against the training domain: the model file (version %d) has "
               "none; retrain to get the in_domain column",
               as_synth_model_version(m));
        return;
    }
    if (!n_out)
        return;
    static const struct {
        unsigned bit;
        const char *what;
    } kinds[] = {{AS_SYNTH_DOMAIN_ELEMENT, "unseen elements"},
                 {AS_SYNTH_DOMAIN_LEVEL, "unseen text levels"},
                 {AS_SYNTH_DOMAIN_RANGE, "values outside the training range"},
                 {AS_SYNTH_DOMAIN_DISTANCE, "far from every training row"}};
    char buf[300] = "";
    size_t len = 0, first = 0;
    for (size_t k = 0; k < 4; k++) {
        size_t c = 0;
        for (size_t i = 0; i < ds->n; i++)
            c += (flags[i] & kinds[k].bit) != 0;
        if (c)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%zu %s", len ? ", " : "", c,
                                    kinds[k].what);
    }
    while (first < ds->n && !flags[first])
        first++;
    size_t line = 0;
    as_table_where(t, ds->row[first], 0, &line, NULL);
    as_log(AS_LOG_WARN,
           "%zu of %zu rows outside the training domain: %s (first: %s:%zu; see the in_domain "
           "and domain_reason columns)",
           n_out, ds->n, buf, as_table_path(t), line);
}

as_status as_synth_predict_table(const as_synth_model *m, const as_table *t, const char *path,
                                 size_t *n_rows)
{
    as_dataset *ds = NULL;
    double *p = NULL, *fm = NULL, *fs = NULL;
    as_outfile *o = NULL;
    const char **fields = NULL;
    unsigned *flags = NULL;
    char **reason = NULL, *reason_buf = NULL;
    as_status st;
    if (n_rows)
        *n_rows = 0;
    AS_TRY(as_synth_model_encode(m, t, 0, &ds));
    size_t n = ds->n, cols = as_table_cols(t);
    AS_CHECK(AS_ALLOC(p, n + 1, "synth: predictions"));
    AS_CHECK(AS_ALLOC(fm, n + 1, "synth: predictions"));
    AS_CHECK(AS_ALLOC(fs, n + 1, "synth: predictions"));
    AS_CHECK(AS_ALLOC(fields, cols + 5, "synth: predictions"));
    AS_CHECK(AS_ALLOC(flags, n + 1, "synth: domain"));
    AS_CHECK(AS_ALLOC(reason, n + 1, "synth: domain"));
    AS_CHECK(AS_ALLOC(reason_buf, (n + 1) * AS_SYNTH_REASON_CAP, "synth: domain"));
    for (size_t i = 0; i < n; i++)
        reason[i] = reason_buf + i * AS_SYNTH_REASON_CAP;
    AS_CHECK(as_synth_model_predict(m, ds->x, n, p, fm, fs));
    size_t n_out = 0;
    AS_CHECK(as_synth_model_domain_check(m, t, ds, flags, reason, AS_SYNTH_REASON_CAP, &n_out));
    domain_summary(m, t, ds, flags, n_out);
    /* an input column named like an output (a re-run on a predictions file) is replaced in
     * its place, so no name appears twice */
    static const char *const out_names[5] = {"probability", "fold_mean", "fold_std", "in_domain",
                                             "domain_reason"};
    size_t at[5], extra = 0;
    for (int k = 0; k < 5; k++) {
        at[k] = (size_t)-1;
        for (size_t c = 0; c < cols; c++)
            if (!strcmp(as_table_name(t, c), out_names[k]))
                at[k] = c;
        if (at[k] == (size_t)-1)
            at[k] = cols + extra++;
    }
    AS_CHECK(as_outfile_open(path, &o));
    FILE *f = as_outfile_stream(o);
    for (size_t c = 0; c < cols; c++)
        fields[c] = as_table_name(t, c);
    for (int k = 0; k < 5; k++)
        fields[at[k]] = out_names[k];
    AS_CHECK(as_csv_write_row(f, fields, cols + extra));
    for (size_t i = 0; i < n; i++) {
        char b[3][32];
        double v[3] = {p[i], fm[i], fs[i]};
        for (size_t c = 0; c < cols; c++)
            fields[c] = as_table_cell(t, ds->row[i], c);
        for (int k = 0; k < 3; k++) {
            snprintf(b[k], sizeof b[k], "%.17g", v[k]);
            fields[at[k]] = b[k];
        }
        fields[at[3]] = flags[i] & AS_SYNTH_DOMAIN_UNCHECKED ? "" : flags[i] ? "0" : "1";
        fields[at[4]] = reason[i];
        AS_CHECK(as_csv_write_row(f, fields, cols + extra));
    }
    st = as_outfile_commit(o);
    o = NULL;
    if (st == AS_OK && n_rows)
        *n_rows = n;
fail:
    as_outfile_abort(o);
    as_free(fields);
    as_free(flags);
    as_free(reason);
    as_free(reason_buf);
    as_free(p);
    as_free(fm);
    as_free(fs);
    as_dataset_free(ds);
    return st;
}
