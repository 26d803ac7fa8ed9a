/* The training domain of a model (issue 12 item 5): what predict and recommend compare each new
 * row with, so that a prediction far from the training data says so.
 *  - the range [min, max] of every numeric feature (table numbers and composition descriptors)
 *    over the training rows;
 *  - the text levels (the schema's one-hot levels: an unseen level encodes as all zeros);
 *  - the elements of the training formulas (as_synth_model_set_training_elements);
 *  - the distance of a row to its nearest training row in the all-rows member's scaled feature
 *    space (Euclidean, after imputation), against the 99th percentile (numpy's linear rule) of
 *    the training rows' leave-one-out nearest-neighbour distances.
 * The model file (version 3) stores all of it; version 1 and 2 files have none. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth_int.h"

void as_synth_domain_free(as_synth_domain *dm)
{
    as_free(dm->lo);
    as_free(dm->hi);
    as_free(dm->train);
    as_free(dm->element_col);
    memset(dm, 0, sizeof *dm);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile(v, 100 q) with the default linear interpolation; v sorted in place */
static double percentile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)floor(pos);
    if (i + 1 >= n)
        return v[n - 1];
    double f = pos - (double)i;
    return v[i] + f * (v[i + 1] - v[i]);
}

static double dist2(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double u = a[j] - b[j];
        s += u * u;
    }
    return s;
}

as_status as_synth_domain_fit(as_synth_domain *dm, const as_synth_member *full, const double *x,
                              size_t n, size_t d)
{
    as_status st = AS_OK;
    double *nn = NULL;
    memset(dm, 0, sizeof *dm);
    dm->d = d;
    dm->n = n;
    dm->quantile = AS_SYNTH_DOMAIN_QUANTILE;
    AS_CHECK(AS_ALLOC(dm->lo, d, "synth: domain"));
    AS_CHECK(AS_ALLOC(dm->hi, d, "synth: domain"));
    AS_CHECK(AS_ALLOC(dm->train, n * d + 1, "synth: domain"));
    for (size_t j = 0; j < d; j++) {
        dm->lo[j] = INFINITY;
        dm->hi[j] = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double v = x[i * d + j];
            if (isnan(v))
                continue;
            dm->lo[j] = fmin(dm->lo[j], v);
            dm->hi[j] = fmax(dm->hi[j], v);
        }
        if (dm->lo[j] > dm->hi[j]) /* no value at all (every cell imputed): not checked */
            dm->lo[j] = dm->hi[j] = NAN;
    }
    AS_CHECK(as_synth_member_scale(full, x, n, d, dm->train));
    AS_CHECK(AS_ALLOC(nn, n + 1, "synth: domain"));
    for (size_t i = 0; i < n; i++) {
        double best = INFINITY;
        for (size_t k = 0; k < n; k++)
            if (k != i)
                best = fmin(best, dist2(dm->train + i * d, dm->train + k * d, d));
        nn[i] = sqrt(best);
    }
    dm->threshold = n > 1 ? percentile(nn, n, dm->quantile) : INFINITY;
    dm->have = 1;
fail:
    as_free(nn);
    if (st != AS_OK)
        as_synth_domain_free(dm);
    return st;
}

static void add_reason(char *buf, size_t cap, const char *fmt, ...) AS_PRINTF(3, 4);
static void add_reason(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 8 >= cap)
        return;
    if (len)
        len += (size_t)snprintf(buf + len, cap - len, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
}

as_status as_synth_domain_check(const as_synth_domain *dm, const as_synth_member *full,
                                const as_schema *schema, const char *const *feature_names,
                                const double *x, size_t n, unsigned *flags, double *nn_dist,
                                char **reason, size_t reason_cap)
{
    size_t d = dm->d, ns = as_schema_features(schema);
    double *z = NULL;
    AS_TRY(AS_ALLOC(z, d + 1, "synth: domain"));
    as_status st = AS_OK;
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        char *buf = reason[i];
        unsigned fl = flags[i];
        /* range of every numeric feature (one-hot features are the levels, checked apart) */
        size_t n_range = 0;
        for (size_t j = 0; j < d; j++) {
            if (j < ns && as_schema_feature_level(schema, j))
                continue;
            double v = xi[j];
            if (isnan(v) || isnan(dm->lo[j]) || (v >= dm->lo[j] && v <= dm->hi[j]))
                continue;
            if (n_range++ < 3)
                add_reason(buf, reason_cap, "%s %.6g outside the training range %.6g..%.6g",
                           feature_names[j], v, dm->lo[j], dm->hi[j]);
        }
        if (n_range > 3)
            add_reason(buf, reason_cap, "%zu more features outside their range", n_range - 3);
        if (n_range)
            fl |= AS_SYNTH_DOMAIN_RANGE;
        /* unseen text levels: a non-empty cell of a text column that encodes as all zeros is
         * flagged by the caller (it sees the table); here the distance */
        AS_CHECK(as_synth_member_scale(full, xi, 1, d, z));
        double best = INFINITY;
        for (size_t k = 0; k < dm->n; k++)
            best = fmin(best, dist2(z, dm->train + k * d, d));
        best = sqrt(best);
        if (nn_dist)
            nn_dist[i] = best;
        if (best > dm->threshold) {
            fl |= AS_SYNTH_DOMAIN_DISTANCE;
            add_reason(buf, reason_cap,
                       "nearest training row at %.3g > %.3g (the %g%% quantile of the training "
                       "rows' nearest-neighbour distances, scaled features)",
                       best, dm->threshold, 100 * dm->quantile);
        }
        flags[i] = fl;
    }
fail:
    as_free(z);
    return st;
}

as_status as_synth_domain_to_json(const as_synth_domain *dm, as_json *j)
{
    as_status st = AS_OK;
    as_json *o = as_json_object();
    AS_CHECK(as_json_set_child(j, "domain", o));
    AS_CHECK(as_json_set_num(o, "n_train", (double)dm->n));
    AS_CHECK(as_json_set_num(o, "quantile", dm->quantile));
    if (isfinite(dm->threshold))
        AS_CHECK(as_json_set_num(o, "nn_threshold", dm->threshold));
    AS_CHECK(as_json_set_doubles(o, "min", dm->lo, dm->d));
    AS_CHECK(as_json_set_doubles(o, "max", dm->hi, dm->d));
    AS_CHECK(as_json_set_doubles(o, "train_scaled", dm->train, dm->n * dm->d));
    if (dm->have_elements) {
        as_json *e = as_json_array();
        AS_CHECK(as_json_set_child(o, "elements", e));
        for (int z = 1; z <= AS_ELEMENT_Z_MAX; z++)
            if (dm->element[z])
                AS_CHECK(as_json_push_str(e, as_element_symbol(z)));
    }
fail:
    return st;
}

/* a value that is not a number (null: a column without values) reads as NAN when nan_ok */
static as_status get_doubles(const as_json *o, const char *key, size_t n, const char *path,
                             int nan_ok, double *out)
{
    const as_json *a = as_json_get(o, key);
    if (!a || as_json_size(a) != n)
        return AS_FAIL(AS_EPARSE, "%s: domain '%s' must hold %zu numbers", path, key, n);
    for (size_t i = 0; i < n; i++) {
        const as_json *v = as_json_at(a, i);
        if (!as_json_is_number(v) && nan_ok) {
            out[i] = NAN;
            continue;
        }
        if (!as_json_is_number(v))
            return AS_FAIL(AS_EPARSE, "%s: domain '%s' value %zu is not a number", path, key, i);
        out[i] = as_json_number(v);
    }
    return AS_OK;
}

as_status as_synth_domain_from_json(const as_json *o, size_t d, const char *path,
                                    as_synth_domain *dm)
{
    as_status st = AS_OK;
    double v;
    memset(dm, 0, sizeof *dm);
    dm->d = d;
    AS_CHECK(as_json_get_num(o, "n_train", path, &v));
    if (!(v >= 1 && v < 1e9)) {
        st = AS_FAIL(AS_EPARSE, "%s: domain 'n_train' %g out of range", path, v);
        goto fail;
    }
    dm->n = (size_t)v;
    AS_CHECK(as_json_get_num(o, "quantile", path, &dm->quantile));
    const as_json *th = as_json_get(o, "nn_threshold");
    dm->threshold = th && as_json_is_number(th) ? as_json_number(th) : INFINITY;
    AS_CHECK(AS_ALLOC(dm->lo, d, "synth: domain"));
    AS_CHECK(AS_ALLOC(dm->hi, d, "synth: domain"));
    AS_CHECK(AS_ALLOC(dm->train, dm->n * d + 1, "synth: domain"));
    AS_CHECK(get_doubles(o, "min", d, path, 1, dm->lo));
    AS_CHECK(get_doubles(o, "max", d, path, 1, dm->hi));
    AS_CHECK(get_doubles(o, "train_scaled", dm->n * d, path, 0, dm->train));
    const as_json *e = as_json_get(o, "elements");
    if (e) {
        dm->have_elements = 1;
        for (size_t i = 0; i < as_json_size(e); i++) {
            const char *s = as_json_string(as_json_at(e, i));
            int z = s ? as_element_z(s) : 0;
            if (!z) {
                st = AS_FAIL(AS_EPARSE, "%s: domain 'elements' entry %zu is not an element", path,
                             i);
                goto fail;
            }
            dm->element[z] = 1;
        }
    }
    dm->have = 1;
    return AS_OK;
fail:
    as_synth_domain_free(dm);
    return st;
}

void as_synth_domain_elements_(const as_synth_model *m, const char *formula, unsigned *fl,
                               char *reason, size_t cap)
{
    const as_synth_domain *dm = as_synth_model_domain_(m);
    as_composition c;
    if (!dm->have_elements || as_composition_parse(formula, &c) != AS_OK)
        return;
    for (size_t k = 0; k < c.n; k++)
        if (!dm->element[c.el[k]->z]) {
            *fl |= AS_SYNTH_DOMAIN_ELEMENT;
            add_reason(reason, cap, "element %s not in any training formula", c.el[k]->symbol);
        }
}

static int blank(const char *s);

/* text levels: a non-empty cell whose one-hot features are all zero */
void as_synth_domain_levels_(const as_synth_model *m, const as_table *t, size_t row,
                             const double *x, unsigned *fl, char *reason, size_t cap)
{
    const as_schema *s = as_synth_model_schema(m);
    size_t ns = as_schema_features(s);
    for (size_t j = 0; j < ns;) {
        const char *col = as_schema_feature_column(s, j);
        if (!as_schema_feature_level(s, j)) {
            j++;
            continue;
        }
        size_t j1 = j;
        while (j1 < ns && as_schema_feature_level(s, j1) &&
               !strcmp(as_schema_feature_column(s, j1), col))
            j1++;
        size_t tc;
        if (as_table_find(t, col, &tc) == AS_OK) {
            double sum = 0;
            for (size_t k = j; k < j1; k++)
                sum += x[k];
            const char *cell = as_table_cell(t, row, tc);
            if (sum == 0 && !blank(cell)) {
                *fl |= AS_SYNTH_DOMAIN_LEVEL;
                add_reason(reason, cap, "%s '%s' not seen in training", col, cell);
            }
        }
        j = j1;
    }
}

static int blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

as_status as_synth_model_domain_check(const as_synth_model *m, const as_table *t,
                                      const as_dataset *ds, unsigned *flags, char **reason,
                                      size_t reason_cap, size_t *n_outside)
{
    const as_synth_domain *dm = as_synth_model_domain_(m);
    const as_schema *s = as_synth_model_schema(m);
    size_t n = ds->n, d = ds->d;
    as_status st = AS_OK;
    const char **names = NULL;
    if (n_outside)
        *n_outside = 0;
    for (size_t i = 0; i < n; i++) {
        flags[i] = 0;
        reason[i][0] = '\0';
    }
    if (!dm->have) {
        for (size_t i = 0; i < n; i++) {
            flags[i] = AS_SYNTH_DOMAIN_UNCHECKED;
            snprintf(reason[i], reason_cap,
                     "not checked: the model file (version %d) has no training domain",
                     as_synth_model_version(m));
        }
        return AS_OK;
    }
    AS_CHECK(AS_ALLOC(names, d, "synth: domain"));
    for (size_t j = 0; j < d; j++)
        names[j] = as_synth_model_feature_name(m, j);
    const char *comp = as_synth_model_composition_(m);
    size_t ccol = 0;
    int have_comp = comp && as_table_find(t, comp, &ccol) == AS_OK;
    for (size_t i = 0; i < n; i++) {
        if (have_comp)
            as_synth_domain_elements_(m, as_table_cell(t, ds->row[i], ccol), &flags[i], reason[i],
                                      reason_cap);
        as_synth_domain_levels_(m, t, ds->row[i], ds->x + i * d, &flags[i], reason[i], reason_cap);
    }
    AS_CHECK(as_synth_domain_check(dm, as_synth_model_full_(m), s, names, ds->x, n, flags, NULL,
                                   reason, reason_cap));
    if (n_outside)
        for (size_t i = 0; i < n; i++)
            *n_outside += flags[i] != 0;
fail:
    as_free(names);
    return st;
}
