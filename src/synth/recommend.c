/* Recommendation (workflow A): sweep a grid of synthesis parameters around one base record and
 * rank the grid points by the model's success probability, with the fold members' spread as the
 * uncertainty. An axis is a numeric feature (a LO:HI:STEP range or a list of numbers), a one-hot
 * text column (a list of levels), or the model's composition column (a list of formulas: each
 * sets the composition descriptors and the element columns named by symbol). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth_int.h"

struct as_synth_axis {
    char *name;
    char *values; /* the text after '=' */
};

as_status as_synth_axis_parse(const char *spec, as_synth_axis **out)
{
    *out = NULL;
    const char *eq = spec ? strchr(spec, '=') : NULL;
    if (!eq || eq == spec || !eq[1])
        return AS_FAIL(AS_EINVAL,
                       "recommend: axis '%s': expected NAME=LO:HI:STEP or "
                       "NAME=a,b,c",
                       spec ? spec : "");
    as_synth_axis *a = as_calloc(1, sizeof *a);
    if (!a)
        return AS_FAIL(AS_ENOMEM, "recommend: axis");
    size_t nl = (size_t)(eq - spec);
    a->name = as_malloc(nl + 1);
    a->values = as_strdup(eq + 1);
    if (!a->name || !a->values) {
        as_synth_axis_free(a);
        return AS_FAIL(AS_ENOMEM, "recommend: axis");
    }
    memcpy(a->name, spec, nl);
    a->name[nl] = '\0';
    *out = a;
    return AS_OK;
}

void as_synth_axis_free(as_synth_axis *a)
{
    if (!a)
        return;
    as_free(a->name);
    as_free(a->values);
    as_free(a);
}

as_synth_recommend_options as_synth_recommend_options_default(void)
{
    as_synth_recommend_options o = {2000000};
    return o;
}

/* An axis resolved against the model's features. */
typedef struct {
    const char *name;
    int text; /* 1: one-hot column (values are levels) or formulas */
    size_t n_values;
    double *num;       /* numeric values */
    char **level;      /* the values as given in a list (NULL for a range) */
    size_t *feat;      /* numeric: feat[0] is the feature; text: feature of each level */
    size_t n_feat_all; /* text: every feature of the column, to clear */
    size_t *feat_all;
    int formula;     /* 1: the model's composition column; values are formulas */
    size_t n_fx;     /* formula: features set per value (descriptors, element columns) */
    size_t *fx_feat; /* (n_fx) */
    double *fx;      /* (n_values, n_fx) */
} axis_res;

static void axis_res_free(axis_res *v)
{
    if (v->level)
        for (size_t i = 0; i < v->n_values; i++)
            as_free(v->level[i]);
    as_free(v->level);
    as_free(v->num);
    as_free(v->feat);
    as_free(v->feat_all);
    as_free(v->fx_feat);
    as_free(v->fx);
}

/* A formula axis (the model's composition column): each value sets the composition descriptors
 * and keeps the element columns named by symbol consistent with it, as fractions or percent
 * like the base record's own element columns. */
static as_status formula_axis(const as_synth_model *m, const double *base, axis_res *v)
{
    const as_synth_options *o = as_synth_model_options(m);
    const as_schema *s = as_synth_model_schema(m);
    size_t ds = as_schema_features(s), d = as_synth_model_features(m);
    size_t nd = d - ds;
    if (o->temperature)
        return AS_FAIL(AS_EINVAL,
                       "recommend: axis %s: a model with a temperature column needs "
                       "the temperature of each formula; vary the formula without it",
                       v->name);
    AS_TRY(AS_ALLOC(v->fx_feat, d, "recommend: axis"));
    for (size_t k = 0; k < nd; k++)
        v->fx_feat[v->n_fx++] = ds + k;
    double sum = 0;
    size_t first_el = v->n_fx;
    for (size_t j = 0; j < ds; j++) {
        if (as_synth_model_element_column_(m, j)) {
            v->fx_feat[v->n_fx++] = j;
            sum += base[j];
        }
    }
    double scale = fabs(sum - 1) < 1e-3 ? 1.0 : fabs(sum - 100) < 0.1 ? 100.0 : 0.0;
    if (scale == 0.0 && v->n_fx > first_el) {
        as_log(AS_LOG_WARN,
               "recommend: axis %s: the base record's element columns sum to %g, "
               "neither 1 nor 100; they are left as they are",
               v->name, sum);
        v->n_fx = first_el;
    }
    AS_TRY(AS_ALLOC(v->fx, v->n_values * v->n_fx + 1, "recommend: axis"));
    as_descriptor_options dopt = as_descriptor_options_default();
    for (size_t i = 0; i < v->n_values; i++) {
        as_composition c;
        as_descriptors dd;
        as_status st = as_composition_parse(v->level[i], &c);
        if (st == AS_OK)
            st = as_composition_descriptors(&c, NAN, &dopt, &dd);
        if (st != AS_OK)
            return as_error_prefix(st, "recommend: axis %s: '%s'", v->name, v->level[i]);
        if (v->n_fx > first_el) /* element columns: each element needs one (never a silent 0) */
            for (size_t e = 0; e < c.n; e++) {
                size_t k = first_el;
                while (k < v->n_fx &&
                       strcmp(c.el[e]->symbol, as_schema_feature_name(s, v->fx_feat[k])) != 0)
                    k++;
                if (k == v->n_fx)
                    return AS_FAIL(AS_EINVAL,
                                   "recommend: axis %s: '%s' holds %s, which the model has no "
                                   "element column for",
                                   v->name, v->level[i], c.el[e]->symbol);
            }
        double *row = v->fx + i * v->n_fx;
        for (size_t k = 0; k < nd; k++)
            row[k] = as_descriptors_get(&dd, k);
        for (size_t k = first_el; k < v->n_fx; k++) {
            const char *fn = as_schema_feature_name(s, v->fx_feat[k]);
            row[k] = 0;
            for (size_t e = 0; e < c.n; e++)
                if (!strcmp(c.el[e]->symbol, fn))
                    row[k] = scale * c.frac[e];
        }
    }
    return AS_OK;
}

/* Resolve axis a against the model's features (base: the encoded base record). */
static as_status axis_resolve(const as_synth_axis *a, const as_synth_model *m, const double *base,
                              axis_res *v)
{
    const as_schema *s = as_synth_model_schema(m);
    const char *name = a->name, *vals = a->values;
    size_t nl = strlen(name);
    memset(v, 0, sizeof *v);
    v->name = name;
    size_t d = as_schema_features(s), num_feat = SIZE_MAX;
    AS_TRY(AS_ALLOC(v->feat_all, d, "recommend: axis"));
    for (size_t j = 0; j < d; j++) {
        const char *fn = as_schema_feature_name(s, j);
        if (!strcmp(fn, name))
            num_feat = j;
        else if (!strncmp(fn, name, nl) && fn[nl] == '=')
            v->feat_all[v->n_feat_all++] = j;
    }
    const char *comp = as_synth_model_options(m)->composition;
    v->formula = comp && !strcmp(comp, name);
    if (num_feat == SIZE_MAX && v->n_feat_all == 0 && !v->formula)
        return AS_FAIL(AS_EINVAL, "recommend: axis '%s' is not a feature column of the model",
                       name);
    v->text = num_feat == SIZE_MAX;
    if (!v->text && strchr(vals, ':')) { /* numeric range LO:HI:STEP */
        double x[3] = {0, 0, 0};
        const char *p = vals;
        int ok = 1;
        for (int k = 0; k < 3 && ok; k++) { /* the one decimal syntax: no hex, inf or nan */
            const char *e = k < 2 ? strchr(p, ':') : p + strlen(p);
            ok = e && as_parse_double_n(p, (size_t)(e - p), &x[k]) == AS_OK && isfinite(x[k]);
            p = e ? e + 1 : p;
        }
        double lo = x[0], hi = x[1], step = x[2];
        if (!ok || !(step > 0) || hi < lo)
            return AS_FAIL(AS_EINVAL,
                           "recommend: axis %s: '%s' is not LO:HI:STEP (finite decimal numbers) "
                           "with LO <= HI and STEP > 0",
                           name, vals);
        double q = (hi - lo) / step; /* may overflow to inf: refused below */
        if (!(q < 100000))
            return AS_FAIL(AS_EINVAL,
                           "recommend: axis %s: '%s' gives %.3g values, more than 100000", name,
                           vals, q + 1);
        size_t n = (size_t)floor(q + 1e-9) + 1;
        AS_TRY(AS_ALLOC(v->num, n, "recommend: axis"));
        for (size_t i = 0; i < n; i++)
            v->num[i] = lo + (double)i * step;
        v->n_values = n;
    } else {
        size_t n = 1;
        for (const char *p = vals; *p; p++)
            n += *p == ',';
        AS_TRY(AS_ALLOC(v->num, n, "recommend: axis"));
        AS_TRY(AS_ALLOC(v->level, n, "recommend: axis"));
        AS_TRY(AS_ALLOC(v->feat, n, "recommend: axis"));
        const char *p = vals;
        for (size_t i = 0; i < n; i++) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            AS_TRY(AS_ALLOC(v->level[i], len + 1, "recommend: axis"));
            memcpy(v->level[i], p, len);
            v->level[i][len] = '\0';
            v->n_values = i + 1;
            if (v->formula) {
                /* set by formula_axis, once every value is known */
            } else if (v->text) {
                size_t j = 0;
                for (; j < v->n_feat_all; j++)
                    if (!strcmp(as_schema_feature_name(s, v->feat_all[j]) + nl + 1, v->level[i]))
                        break;
                if (j == v->n_feat_all)
                    return AS_FAIL(AS_EINVAL,
                                   "recommend: axis %s: '%s' is not a level the "
                                   "model knows (see the model's schema)",
                                   name, v->level[i]);
                v->feat[i] = v->feat_all[j];
            } else if (!as_parse_number(v->level[i], &v->num[i])) {
                return AS_FAIL(AS_EINVAL, "recommend: axis %s: '%s' is not a number", name,
                               v->level[i]);
            }
            p = e ? e + 1 : p + len;
        }
    }
    if (v->formula)
        return formula_axis(m, base, v);
    if (!v->text) {
        as_free(v->feat);
        AS_TRY(AS_ALLOC(v->feat, 1, "recommend: axis"));
        v->feat[0] = num_feat;
    }
    return AS_OK;
}

/* Set x (d) to grid point `id` (mixed radix over the axes, the last fastest). */
static void grid_point(const axis_res *ax, size_t n_ax, size_t id, double *x)
{
    for (size_t k = n_ax; k-- > 0;) {
        size_t i = id % ax[k].n_values;
        id /= ax[k].n_values;
        if (ax[k].formula) {
            for (size_t j = 0; j < ax[k].n_fx; j++)
                x[ax[k].fx_feat[j]] = ax[k].fx[i * ax[k].n_fx + j];
        } else if (ax[k].text) {
            for (size_t j = 0; j < ax[k].n_feat_all; j++)
                x[ax[k].feat_all[j]] = 0.0;
            x[ax[k].feat[i]] = 1.0;
        } else {
            x[ax[k].feat[0]] = ax[k].num[i];
        }
    }
}

/* The public description of a resolved axis. */
static as_status axis_values(const axis_res *v, as_synth_axis_values *out)
{
    out->kind = v->formula ? AS_SYNTH_AXIS_FORMULA
                : v->text  ? AS_SYNTH_AXIS_LEVEL
                           : AS_SYNTH_AXIS_NUMBER;
    out->n_values = v->n_values;
    AS_TRY(AS_ALLOC(out->value, v->n_values, "recommend: axis values"));
    AS_TRY(AS_ALLOC(out->position, v->n_values, "recommend: axis values"));
    if (!(out->name = as_strdup(v->name)))
        return AS_FAIL(AS_ENOMEM, "recommend: axis values");
    for (size_t i = 0; i < v->n_values; i++) {
        char buf[64];
        if (v->level) {
            out->value[i] = as_strdup(v->level[i]);
        } else {
            snprintf(buf, sizeof buf, "%.10g", v->num[i]);
            out->value[i] = as_strdup(buf);
        }
        if (!out->value[i])
            return AS_FAIL(AS_ENOMEM, "recommend: axis values");
        out->position[i] = v->text ? (double)i : v->num[i];
    }
    return AS_OK;
}

void as_synth_recommendation_free(as_synth_recommendation *r)
{
    if (!r)
        return;
    if (r->axis)
        for (size_t k = 0; k < r->n_axes; k++) {
            as_synth_axis_values *a = &r->axis[k];
            if (a->value)
                for (size_t i = 0; i < a->n_values; i++)
                    as_free(a->value[i]);
            as_free(a->value);
            as_free(a->position);
            as_free(a->name);
        }
    as_free(r->axis);
    as_free(r->x);
    as_free(r->prob);
    as_free(r->fold_mean);
    as_free(r->fold_std);
    as_free(r->rank);
    as_free(r->domain);
    as_free(r->domain_reason);
    as_free(r->reason_buf_);
    as_free(r);
}

size_t as_synth_recommendation_value(const as_synth_recommendation *r, size_t point, size_t k)
{
    for (size_t j = r->n_axes; j-- > k + 1;)
        point /= r->axis[j].n_values;
    return point % r->axis[k].n_values;
}

typedef struct {
    double prob;
    size_t id;
} rank_row;

static int rank_cmp(const void *pa, const void *pb)
{
    const rank_row *a = pa, *b = pb;
    if (a->prob != b->prob)
        return a->prob < b->prob ? 1 : -1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Each grid point against the training domain: the base record's text levels, the elements of
 * the point's formula (a formula axis) or the base record's, the ranges and the distance. */
static as_status recommend_domain(const as_synth_model *m, const as_table *base,
                                  const as_dataset *ds, as_synth_recommendation *r)
{
    const as_synth_domain *dm = as_synth_model_domain_(m);
    size_t n = r->n_points, cap = AS_SYNTH_REASON_CAP, fk = SIZE_MAX;
    AS_TRY(AS_ALLOC(r->domain, n + 1, "recommend: domain"));
    AS_TRY(AS_ALLOC(r->domain_reason, n + 1, "recommend: domain"));
    AS_TRY(AS_ALLOC(r->reason_buf_, (n + 1) * cap, "recommend: domain"));
    for (size_t g = 0; g < n; g++)
        r->domain_reason[g] = r->reason_buf_ + g * cap;
    if (!dm->have) {
        for (size_t g = 0; g < n; g++) {
            r->domain[g] = AS_SYNTH_DOMAIN_UNCHECKED;
            snprintf(r->domain_reason[g], cap,
                     "not checked: the model file (version %d) has no training domain",
                     as_synth_model_version(m));
        }
        return AS_OK;
    }
    for (size_t k = 0; k < r->n_axes; k++)
        if (r->axis[k].kind == AS_SYNTH_AXIS_FORMULA)
            fk = k;
    const char *comp = as_synth_model_composition_(m);
    size_t ccol = 0;
    int have_comp = comp && as_table_find(base, comp, &ccol) == AS_OK;
    for (size_t g = 0; g < n; g++) {
        const char *formula = fk != SIZE_MAX
                                  ? r->axis[fk].value[as_synth_recommendation_value(r, g, fk)]
                              : have_comp ? as_table_cell(base, ds->row[0], ccol)
                                          : NULL;
        if (formula)
            as_synth_domain_elements_(m, formula, &r->domain[g], r->domain_reason[g], cap);
        as_synth_domain_levels_(m, base, ds->row[0], r->x + g * r->d, &r->domain[g],
                                r->domain_reason[g], cap);
    }
    const char **names = NULL;
    AS_TRY(AS_ALLOC(names, r->d + 1, "recommend: domain"));
    for (size_t j = 0; j < r->d; j++)
        names[j] = as_synth_model_feature_name(m, j);
    as_status st = as_synth_domain_check(dm, as_synth_model_full_(m), as_synth_model_schema(m),
                                         names, r->x, n, r->domain, NULL, r->domain_reason, cap);
    as_free(names);
    for (size_t g = 0; st == AS_OK && g < n; g++)
        r->n_outside += r->domain[g] != 0;
    return st;
}

as_status as_synth_recommend(const as_synth_model *m, const as_table *base,
                             const as_synth_axis *const *axes, size_t n_axes,
                             const as_synth_recommend_options *opt, as_synth_recommendation **out)
{
    as_synth_recommend_options o = opt ? *opt : as_synth_recommend_options_default();
    as_dataset *ds = NULL;
    axis_res *ax = NULL;
    rank_row *rows = NULL;
    as_synth_recommendation *r = NULL;
    size_t n_res = 0;
    as_status st = AS_OK;
    *out = NULL;
    if (n_axes == 0)
        return AS_FAIL(AS_EINVAL, "recommend: no axis to vary");
    AS_TRY(as_synth_model_encode(m, base, 0, &ds));
    if (ds->n != 1) {
        st = AS_FAIL(AS_EINVAL,
                     "%s: the base record file must hold exactly one data row, it "
                     "holds %zu",
                     as_table_path(base), ds->n);
        goto fail;
    }
    size_t total = 1, d = ds->d;
    AS_CHECK(AS_ALLOC(ax, n_axes, "recommend: axes"));
    for (; n_res < n_axes;) {
        st = axis_resolve(axes[n_res], m, ds->x, &ax[n_res]);
        n_res++;
        if (st != AS_OK)
            goto fail;
        total *= ax[n_res - 1].n_values;
        if (total > o.max_points) {
            st = AS_FAIL(AS_EINVAL, "recommend: the grid has more than %zu points", o.max_points);
            goto fail;
        }
    }
    if (!(r = as_calloc(1, sizeof *r))) {
        st = AS_FAIL(AS_ENOMEM, "recommend: result");
        goto fail;
    }
    r->n_points = total;
    r->d = d;
    r->n_folds = as_synth_model_options(m)->folds;
    AS_CHECK(AS_ALLOC(r->axis, n_axes, "recommend: result"));
    r->n_axes = n_axes;
    for (size_t k = 0; k < n_axes; k++)
        AS_CHECK(axis_values(&ax[k], &r->axis[k]));
    if (total > SIZE_MAX / sizeof(double) / (d ? d : 1) - 1) {
        st = AS_FAIL(AS_ENOMEM, "recommend: %zu grid points", total);
        goto fail;
    }
    AS_CHECK(AS_ALLOC(r->x, total * d + 1, "recommend: grid"));
    AS_CHECK(AS_ALLOC(r->prob, total + 1, "recommend: grid"));
    AS_CHECK(AS_ALLOC(r->fold_mean, total + 1, "recommend: grid"));
    AS_CHECK(AS_ALLOC(r->fold_std, total + 1, "recommend: grid"));
    AS_CHECK(AS_ALLOC(r->rank, total + 1, "recommend: grid"));
    AS_CHECK(AS_ALLOC(rows, total + 1, "recommend: grid"));
    for (size_t g = 0; g < total; g++) {
        memcpy(r->x + g * d, ds->x, d * sizeof *r->x);
        grid_point(ax, n_axes, g, r->x + g * d);
    }
    AS_CHECK(as_synth_model_predict(m, r->x, total, r->prob, r->fold_mean, r->fold_std));
    AS_CHECK(recommend_domain(m, base, ds, r));
    for (size_t g = 0; g < total; g++)
        rows[g] = (rank_row){r->prob[g], g};
    qsort(rows, total, sizeof *rows, rank_cmp);
    for (size_t g = 0; g < total; g++)
        r->rank[g] = rows[g].id;
    *out = r;
    r = NULL;
fail:
    as_synth_recommendation_free(r);
    for (size_t k = 0; k < n_res; k++)
        axis_res_free(&ax[k]);
    as_free(ax);
    as_free(rows);
    as_dataset_free(ds);
    return st;
}

as_status as_synth_recommendation_write_csv(const as_synth_recommendation *r, const char *path)
{
    as_outfile *o;
    as_status st = AS_OK;
    const char **fields = NULL;
    size_t nf = r->n_axes + 6;
    AS_TRY(AS_ALLOC(fields, nf, "recommend: CSV"));
    if ((st = as_outfile_open(path, &o)) != AS_OK) {
        as_free(fields);
        return st;
    }
    FILE *f = as_outfile_stream(o);
    fields[0] = "rank";
    for (size_t k = 0; k < r->n_axes; k++)
        fields[k + 1] = r->axis[k].name;
    fields[r->n_axes + 1] = "probability";
    fields[r->n_axes + 2] = "fold_mean";
    fields[r->n_axes + 3] = "fold_std";
    fields[r->n_axes + 4] = "in_domain";
    fields[r->n_axes + 5] = "domain_reason";
    AS_CHECK(as_csv_write_row(f, fields, nf));
    for (size_t q = 0; q < r->n_points; q++) {
        size_t g = r->rank[q];
        char b[4][32];
        snprintf(b[0], sizeof b[0], "%zu", q + 1);
        fields[0] = b[0];
        for (size_t k = 0; k < r->n_axes; k++)
            fields[k + 1] = r->axis[k].value[as_synth_recommendation_value(r, g, k)];
        double v[3] = {r->prob[g], r->fold_mean[g], r->fold_std[g]};
        for (int k = 0; k < 3; k++) {
            snprintf(b[k + 1], sizeof b[k + 1], "%.17g", v[k]);
            fields[r->n_axes + 1 + (size_t)k] = b[k + 1];
        }
        fields[r->n_axes + 4] = r->domain[g] & AS_SYNTH_DOMAIN_UNCHECKED ? ""
                                : r->domain[g]                           ? "0"
                                                                         : "1";
        fields[r->n_axes + 5] = r->domain_reason[g];
        AS_CHECK(as_csv_write_row(f, fields, nf));
    }
    as_free(fields);
    return as_outfile_commit(o);
fail:
    as_free(fields);
    as_outfile_abort(o);
    return st;
}
