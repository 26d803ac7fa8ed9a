/* Workflow-A models: composition descriptors, the ensemble (a member trained on all rows plus
 * one per cross-validation fold), prediction with the fold spread, and the model file. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "synth_int.h"

#define AS_SYNTH_FORMAT "alloyscout-synth"
#define AS_SYNTH_VERSION \
    3 /* 2: "calibration" (version 1 files load uncalibrated); 3: "domain"
                            * (version 1 and 2 files load without it) */

struct as_synth_model {
    as_schema *schema;
    as_synth_options opt;
    size_t d;
    as_synth_member full;
    size_t n_folds;
    as_synth_member *fold; /* (n_folds) */
    size_t n_train, n_positive;
    char *comp_col, *temp_col; /* composition descriptors, or NULL */
    as_calibrator *cal;        /* applied to every probability; method none when absent */
    size_t n_cal;              /* rows it was fitted on */
    as_synth_domain dom;       /* the training domain; dom.have = 0 for version 1/2 files */
    int version;               /* of the file it was read from; AS_SYNTH_VERSION when trained */
};

const as_synth_domain *as_synth_model_domain_(const as_synth_model *m) { return &m->dom; }
const as_synth_member *as_synth_model_full_(const as_synth_model *m) { return &m->full; }
const char *as_synth_model_composition_(const as_synth_model *m) { return m->comp_col; }

/* ---- composition descriptors ---- */

static as_status add_descriptors_from(as_dataset *ds, const as_table *t, const double *desc,
                                      size_t nd, int check);

as_status as_synth_add_descriptors(as_dataset *ds, const as_table *t, const char *composition,
                                   const char *temperature)
{
    double *desc = NULL;
    size_t nd = 0;
    as_descriptor_options dopt = as_descriptor_options_default();
    AS_TRY(as_composition_table_descriptors(t, composition, temperature, &dopt, &desc, &nd));
    as_status st = add_descriptors_from(ds, t, desc, nd, 1);
    as_free(desc);
    return st;
}

as_status as_synth_add_descriptors_from(as_dataset *ds, const double *desc, size_t nd)
{
    return add_descriptors_from(ds, NULL, desc, nd, 0);
}

/* Append desc (table rows x nd) to ds->x by ds->row; with check, a non-finite value is an
 * error naming t's line. */
static as_status add_descriptors_from(as_dataset *ds, const as_table *t, const double *desc,
                                      size_t nd, int check)
{
    double *x = NULL;
    size_t d2 = ds->d + nd;
    as_status st = AS_ALLOC(x, (ds->n ? ds->n : 1) * d2, "synth: descriptors");
    if (st == AS_OK) {
        for (size_t i = 0; i < ds->n; i++) {
            memcpy(x + i * d2, ds->x + i * ds->d, ds->d * sizeof *x);
            memcpy(x + i * d2 + ds->d, desc + ds->row[i] * nd, nd * sizeof *x);
            for (size_t k = 0; check && k < nd; k++)
                if (!isfinite(x[i * d2 + ds->d + k])) {
                    size_t line, col;
                    as_table_where(t, ds->row[i], 0, &line, &col);
                    st = AS_FAIL(AS_EINVAL,
                                 "%s:%zu: descriptor %s is not finite (an empty "
                                 "temperature cell?)",
                                 as_table_path(t), line, as_descriptor_name(k));
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
    as_synth_member_free(&m->full);
    if (m->fold)
        for (size_t f = 0; f < m->n_folds; f++)
            as_synth_member_free(&m->fold[f]);
    as_free(m->fold);
    as_calibrator_free(m->cal);
    as_synth_domain_free(&m->dom);
    as_free(m);
}

as_calibration_method as_synth_model_calibration(const as_synth_model *m, size_t *n_fit)
{
    if (n_fit)
        *n_fit = m->n_cal;
    return m->cal ? as_calibrator_method(m->cal) : AS_CALIBRATION_NONE;
}

/* The calibrator of the model: fold member f scores the rows of fold f (its out-of-fold
 * probabilities, exactly those cross-validation pooled), and opt.calibration is fitted to them
 * (scikit-learn's CalibratedClassifierCV with ensemble=False: cross-validated predictions
 * calibrate the estimator fitted on all rows). */
static as_status fit_model_calibration(as_synth_model *m, const as_dataset *ds, const size_t *fold)
{
    double *oof = NULL;
    size_t *rows = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(oof, ds->n, "synth: out-of-fold probabilities"));
    AS_CHECK(AS_ALLOC(rows, ds->n, "synth: out-of-fold rows"));
    for (size_t f = 0; f < m->n_folds; f++) {
        size_t k = 0;
        for (size_t i = 0; i < ds->n; i++)
            if (fold[i] == f)
                rows[k++] = i;
        double *tmp = NULL;
        AS_CHECK(AS_ALLOC(tmp, k ? k : 1, "synth: out-of-fold probabilities"));
        st = as_synth_member_predict(&m->fold[f], ds->x, ds->d, rows, k, tmp);
        for (size_t i = 0; st == AS_OK && i < k; i++)
            oof[rows[i]] = tmp[i];
        as_free(tmp);
        if (st != AS_OK)
            goto fail;
    }
    AS_CHECK(as_calibrator_fit(m->opt.calibration, oof, ds->y, ds->n, &m->cal));
    m->n_cal = m->opt.calibration == AS_CALIBRATION_NONE ? 0 : ds->n;
fail:
    as_free(oof);
    as_free(rows);
    return st;
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

/* The k + 1 members in two passes (as_synth_passes): member 0 on all rows, member f + 1 the
 * fold member f, trained on the rows outside fold f with the stream as_synth_cv uses, so it is
 * the network cross-validation scored. */
typedef struct {
    const as_dataset *ds;
    const as_synth_options *opt;
    const size_t *fold;
    as_synth_model *m;
    as_synth_passes p;
} train_ctx;

static as_status train_task(size_t task, void *arg)
{
    train_ctx *c = arg;
    const as_dataset *ds = c->ds;
    size_t k = c->p.k, i = task;
    if (task >= k) { /* a refit slot */
        if (!as_synth_passes_take(&c->p, &i))
            return AS_OK; /* the first pass of member i reported the failure */
        AS_TRY(as_synth_member_fit_refit(c->opt, &c->p.stage[i], &c->p.mem[i]));
        as_synth_member_stage_free(&c->p.stage[i]);
        *(i == 0 ? &c->m->full : &c->m->fold[i - 1]) = c->p.mem[i]; /* moved */
        memset(&c->p.mem[i], 0, sizeof c->p.mem[i]);
        if (c->opt->on_part_done)
            c->opt->on_part_done(c->opt->user);
        return AS_OK;
    }
    size_t *rows, n = 0;
    AS_TRY(AS_ALLOC(rows, ds->n, "synth: training rows"));
    for (size_t r = 0; r < ds->n; r++)
        if (i == 0 || c->fold[r] != i - 1)
            rows[n++] = r;
    if (i == 0)
        as_log(AS_LOG_INFO, "training the member on all %zu rows", n);
    else
        as_log(AS_LOG_INFO, "training fold member %zu/%zu", i, c->opt->folds);
    as_status st = as_synth_member_fit_first(ds->x, ds->y, ds->d, rows, n, c->opt,
                                             i == 0 ? AS_TASK_FULL : AS_TASK_MEMBER0 + i - 1,
                                             &c->p.mem[i], &c->p.stage[i]);
    as_free(rows);
    as_synth_passes_first_done(&c->p, i, st);
    return st;
}

as_status as_synth_train(const as_schema *schema, const as_dataset *ds, const as_synth_options *opt,
                         as_synth_model **out)
{
    as_status st;
    size_t *fold = NULL;
    *out = NULL;
    AS_TRY(as_synth_check_dataset(ds, 0));
    AS_TRY(as_synth_options_check(opt));
    as_synth_model *m = as_calloc(1, sizeof *m);
    if (!m)
        return AS_FAIL(AS_ENOMEM, "synth: cannot allocate a model");
    m->opt = *opt;
    m->version = AS_SYNTH_VERSION;
    m->opt.composition = m->opt.temperature = NULL;
    memset(&m->opt.resample.columns, 0,
           sizeof m->opt.resample.columns); /* borrowed: training only */
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
    AS_CHECK(as_synth_assign_folds(ds, opt, &rng, fold));
    train_ctx c = {.ds = ds, .opt = opt, .fold = fold, .m = m};
    st = as_synth_passes_init(&c.p, opt->folds + 1);
    if (st == AS_OK) /* the threads for k + 1 members (as before); the 2 (k + 1) tasks share them */
        st = as_parallel_for(2 * (opt->folds + 1),
                             as_parallel_threads(opt->folds + 1, opt->threads), train_task, &c);
    as_synth_passes_free(&c.p);
    AS_CHECK(st);
    AS_CHECK(fit_model_calibration(m, ds, fold));
    AS_CHECK(as_synth_domain_fit(&m->dom, &m->full, ds->x, ds->n, ds->d));
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
    as_encode_options eo = {0, m->opt.impute == AS_SYNTH_IMPUTE_MEDIAN};
    AS_TRY(as_schema_encode_ex(m->schema, t, need_target, &eo, out));
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

as_status as_synth_model_predict(const as_synth_model *m, const double *x, size_t n, double *prob,
                                 double *fold_mean, double *fold_std)
{
    as_status st = AS_OK;
    double *p = NULL, *s1 = NULL, *s2 = NULL;
    if (prob) {
        AS_TRY(as_synth_member_predict(&m->full, x, m->d, NULL, n, prob));
        if (m->cal)
            as_calibrator_apply(m->cal, prob, n, prob);
    }
    if (!fold_mean && !fold_std)
        return AS_OK;
    AS_CHECK(AS_ALLOC(p, n ? n : 1, "synth: predictions"));
    AS_CHECK(AS_ALLOC(s1, n ? n : 1, "synth: predictions"));
    AS_CHECK(AS_ALLOC(s2, n ? n : 1, "synth: predictions"));
    for (size_t f = 0; f < m->n_folds; f++) {
        AS_CHECK(as_synth_member_predict(&m->fold[f], x, m->d, NULL, n, p));
        if (m->cal)
            as_calibrator_apply(m->cal, p, n, p);
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
    AS_CHECK(
        as_json_set_str(settings, "resample", as_resample_method_name(m->opt.resample.method)));
    AS_CHECK(as_json_set_num(settings, "smote_k", (double)m->opt.resample.smote_k));
    AS_CHECK(as_json_set_str(settings, "tomek", as_tomek_mode_name(m->opt.resample.tomek)));
    AS_CHECK(as_json_set_str(settings, "smote", as_smote_mode_name(m->opt.resample.smote)));
    AS_CHECK(as_json_set_str(settings, "stop", as_mlp_stop_name(m->opt.mlp.stop)));
    AS_CHECK(as_json_set_num(settings, "refit", m->opt.refit ? 1 : 0));
    AS_CHECK(as_json_set_str(settings, "impute",
                             m->opt.impute == AS_SYNTH_IMPUTE_MEDIAN ? "median" : "none"));
    if (m->comp_col) {
        AS_CHECK(as_json_set_str(settings, "composition", m->comp_col));
        if (m->temp_col)
            AS_CHECK(as_json_set_str(settings, "temperature", m->temp_col));
    }
    AS_CHECK(as_json_set_child(j, "settings", settings));
    AS_CHECK(as_schema_to_json(m->schema, &c));
    AS_CHECK(as_json_set_child(j, "schema", c));
    AS_CHECK(as_synth_member_to_json(&m->full, &c));
    AS_CHECK(as_json_set_child(j, "model", c));
    folds = as_json_array();
    if (!folds) {
        st = AS_FAIL(AS_ENOMEM, "synth: model JSON");
        goto fail;
    }
    for (size_t f = 0; f < m->n_folds; f++) {
        AS_CHECK(as_synth_member_to_json(&m->fold[f], &c));
        AS_CHECK(as_json_push(folds, c));
    }
    AS_CHECK(as_json_set_child(j, "fold_models", folds));
    if (m->cal) {
        AS_CHECK(as_calibrator_to_json(m->cal, &c));
        if ((st = as_json_set_num(c, "n_fit", (double)m->n_cal)) != AS_OK) {
            as_json_free(c);
            goto fail;
        }
        AS_CHECK(as_json_set_child(j, "calibration", c));
    }
    if (m->dom.have)
        AS_CHECK(as_synth_domain_to_json(&m->dom, j));
    if (m->dom.have && m->dom.element_col) { /* by name, in the domain */
        as_json *ec = as_json_array();
        AS_CHECK(as_json_set_child(as_json_get(j, "domain"), "element_columns", ec));
        for (size_t k = 0; k < m->d; k++)
            if (m->dom.element_col[k])
                AS_CHECK(as_json_push_str(ec, as_schema_feature_name(m->schema, k)));
    }
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
    if (ver != AS_SYNTH_VERSION && ver != 1 && ver != 2) {
        st = AS_FAIL(AS_EPARSE, "%s: model file version %g; this alloyscout reads versions 1 to %d",
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
        /* files from before the AUC rule: the loss rule, no refit */
        m->opt.mlp.stop = AS_MLP_STOP_LOSS;
        m->opt.refit = 0;
        if (as_json_get_str(settings, "stop", path, &s) == AS_OK)
            (void)as_mlp_stop_parse(s, &m->opt.mlp.stop);
        if (as_json_get_str(settings, "impute", path, &s) == AS_OK && !strcmp(s, "median"))
            m->opt.impute = AS_SYNTH_IMPUTE_MEDIAN;
        const as_json *rf = as_json_get(settings, "refit");
        if (rf && as_json_is_number(rf))
            m->opt.refit = as_json_number(rf) != 0;
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
    AS_CHECK(as_synth_member_from_json(as_json_get(j, "model"), m->d, path, &m->full));
    as_json *folds = as_json_get(j, "fold_models");
    m->n_folds = as_json_size(folds);
    if (m->n_folds < 2) {
        st = AS_FAIL(AS_EPARSE, "%s: 'fold_models' must hold at least 2 members", path);
        goto fail;
    }
    m->opt.folds = m->n_folds;
    AS_CHECK(AS_ALLOC(m->fold, m->n_folds, "synth: fold members"));
    for (size_t f = 0; f < m->n_folds; f++)
        AS_CHECK(as_synth_member_from_json(as_json_at(folds, f), m->d, path, &m->fold[f]));
    m->opt.mlp = *as_mlp_get_options(m->full.mlp);
    m->opt.calibration = AS_CALIBRATION_NONE;
    if (ver >= 2) {
        as_json *cj = as_json_get(j, "calibration");
        if (!cj) {
            st = AS_FAIL(AS_EPARSE, "%s: missing key 'calibration' (version 2)", path);
            goto fail;
        }
        AS_CHECK(as_calibrator_from_json(cj, path, &m->cal));
        m->opt.calibration = as_calibrator_method(m->cal);
        if (as_json_get_num(cj, "n_fit", path, &v) == AS_OK && v >= 0)
            m->n_cal = (size_t)v;
    }
    if (ver >= 3) {
        as_json *dj = as_json_get(j, "domain");
        if (!dj) {
            st = AS_FAIL(AS_EPARSE, "%s: missing key 'domain' (version 3)", path);
            goto fail;
        }
        AS_CHECK(as_synth_domain_from_json(dj, m->d, path, &m->dom));
        const as_json *ec = as_json_get(dj, "element_columns");
        if (ec) {
            AS_CHECK(AS_ALLOC(m->dom.element_col, m->d ? m->d : 1, "synth: element columns"));
            memset(m->dom.element_col, 0, m->d ? m->d : 1);
            for (size_t i = 0; i < as_json_size(ec); i++) {
                const char *name = as_json_string(as_json_at(ec, i));
                size_t k = 0, ds = AS_MIN(as_schema_features(m->schema), m->d);
                while (name && k < ds && strcmp(as_schema_feature_name(m->schema, k), name))
                    k++;
                if (!name || k == ds) {
                    st = AS_FAIL(AS_EPARSE,
                                 "%s: domain 'element_columns' entry %zu (%s) is not a feature",
                                 path, i, name ? name : "not a string");
                    goto fail;
                }
                m->dom.element_col[k] = 1;
            }
        }
    }
    m->version = (int)ver;
    *out = m;
    m = NULL;
fail:
    as_synth_model_free(m);
    as_json_free(j);
    return st;
}

int as_synth_model_version(const as_synth_model *m) { return m->version; }

/* Whether numeric column col of t is the element column of element e: over the rows whose
 * formula parses and whose cell is a number, at least 95 % hold e's atomic fraction in the
 * formula, as a fraction (within 0.01) or in percent (within 1). A processing column that
 * happens to be named by an element symbol (P for a pressure, C for a cooling rate) does not. */
static int follows_formulas(const as_table *t, size_t col, size_t fcol, const as_element *e)
{
    size_t used = 0, as_frac = 0, as_pct = 0;
    for (size_t r = 0; r < as_table_rows(t); r++) {
        as_composition c;
        double v;
        if (!as_parse_number(as_table_cell(t, r, col), &v) ||
            as_composition_parse(as_table_cell(t, r, fcol), &c) != AS_OK)
            continue; /* an empty or text cell, a formula that does not read */
        double f = 0;
        for (size_t k = 0; k < c.n; k++)
            if (c.el[k] == e)
                f = c.frac[k];
        used++;
        as_frac += fabs(v - f) <= 0.01;
        as_pct += fabs(v - 100 * f) <= 1.0;
    }
    return used > 0 && (as_frac >= 0.95 * (double)used || as_pct >= 0.95 * (double)used);
}

as_status as_synth_model_set_training_elements(as_synth_model *m, const as_table *t)
{
    if (!m->comp_col || !m->dom.have)
        return AS_OK;
    size_t col;
    AS_TRY(as_table_find(t, m->comp_col, &col));
    memset(m->dom.element, 0, sizeof m->dom.element);
    for (size_t r = 0; r < as_table_rows(t); r++) {
        as_composition c;
        if (as_composition_parse(as_table_cell(t, r, col), &c) != AS_OK)
            continue; /* a row skipped in training (--on-bad-row skip) */
        for (size_t k = 0; k < c.n; k++)
            m->dom.element[c.el[k]->z] = 1;
    }
    m->dom.have_elements = 1;
    /* the element columns: numeric features named by an element symbol whose values follow
     * the formulas (recommend's formula axis sets them) */
    size_t ds = as_schema_features(m->schema);
    as_free(m->dom.element_col);
    if (!(m->dom.element_col = as_calloc(m->d ? m->d : 1, 1)))
        return AS_FAIL(AS_ENOMEM, "synth: element columns");
    for (size_t j = 0; j < ds && j < m->d; j++) {
        const char *fn = as_schema_feature_name(m->schema, j);
        const as_element *e =
            as_schema_feature_level(m->schema, j) ? NULL : as_element_by_symbol(fn);
        size_t fc;
        if (e && as_table_find(t, fn, &fc) == AS_OK)
            m->dom.element_col[j] = (unsigned char)follows_formulas(t, fc, col, e);
    }
    return AS_OK;
}

int as_synth_model_element_column_(const as_synth_model *m, size_t j)
{
    const char *fn = as_schema_feature_name(m->schema, j);
    if (m->dom.element_col)
        return j < m->d && m->dom.element_col[j];
    return fn && as_element_by_symbol(fn) != NULL; /* a file from before: every element name */
}
