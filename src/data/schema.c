/* Schema: which table columns are the target, the group and the features, how each feature
 * column is typed (number or text), and the one-hot encoding of text columns. Also the JSON form
 * stored in model files. Rules: docs/data.md "Typing" and "Target values". */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloyscout/composition.h"
#include "core_int.h"
#include "data_int.h"

typedef struct {
    char *name;
    int text;        /* 1: one-hot encoded text column; 0: number */
    size_t n_levels; /* text: number of levels (features) */
    char **levels;   /* text: sorted bytewise, unique */
    size_t first;    /* index of this column's first feature */
} as_scol;

struct as_schema {
    char *target, *positive, *group; /* NULL when absent */
    size_t n_cols;
    as_scol *cols;
    size_t d;
    char **feature_names; /* (d) */
};

enum { ROLE_FEATURE = 0, ROLE_TARGET, ROLE_GROUP, ROLE_DROP };

as_schema_options as_schema_options_default(void)
{
    as_schema_options o = {NULL, NULL, NULL, NULL, NULL, 0};
    return o;
}

void as_schema_free(as_schema *s)
{
    if (!s)
        return;
    for (size_t c = 0; s->cols && c < s->n_cols; c++) {
        for (size_t k = 0; k < s->cols[c].n_levels; k++)
            as_free(s->cols[c].levels[k]);
        as_free(s->cols[c].levels);
        as_free(s->cols[c].name);
    }
    as_free(s->cols);
    if (s->feature_names)
        for (size_t j = 0; j < s->d; j++)
            as_free(s->feature_names[j]);
    as_free(s->feature_names);
    as_free(s->target);
    as_free(s->positive);
    as_free(s->group);
    as_free(s);
}

size_t as_schema_features(const as_schema *s) { return s->d; }
const char *as_schema_feature_name(const as_schema *s, size_t j) { return s->feature_names[j]; }
static const as_scol *feature_col(const as_schema *s, size_t j)
{
    size_t lo = 0, hi = s->n_cols;
    while (hi - lo > 1) { /* the last column whose first feature is <= j */
        size_t mid = lo + (hi - lo) / 2;
        if (s->cols[mid].first <= j)
            lo = mid;
        else
            hi = mid;
    }
    return &s->cols[lo];
}
const char *as_schema_feature_column(const as_schema *s, size_t j)
{
    return j < s->d ? feature_col(s, j)->name : NULL;
}
const char *as_schema_feature_level(const as_schema *s, size_t j)
{
    if (j >= s->d)
        return NULL;
    const as_scol *c = feature_col(s, j);
    return c->text ? c->levels[j - c->first] : NULL;
}
const char *as_schema_target(const as_schema *s) { return s->target; }
const char *as_schema_group(const as_schema *s) { return s->group; }

/* ---- spans: trimmed views of cell text ---- */

typedef struct {
    const char *b;
    size_t n;
} span;

static span trimmed(const char *s)
{
    const char *b, *e;
    as_data_trim(s, &b, &e);
    return (span){b, (size_t)(e - b)};
}

static int span_cmp_str(span a, const char *s)
{
    size_t m = strlen(s);
    int c = memcmp(a.b, s, AS_MIN(a.n, m));
    if (c)
        return c;
    return a.n < m ? -1 : a.n > m;
}

static int span_cmp(const void *pa, const void *pb)
{
    const span *a = pa, *b = pb;
    int c = memcmp(a->b, b->b, AS_MIN(a->n, b->n));
    if (c)
        return c;
    return a->n < b->n ? -1 : a->n > b->n;
}

/* Index of span v in the sorted unique list lv[0..n), or (size_t)-1. */
static size_t level_find(char *const *lv, size_t n, span v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = span_cmp_str(v, lv[mid]);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (size_t)-1;
}

/* Sorted unique copies of the spans v[0..n) (n >= 0; v is sorted in place). */
static as_status unique_levels(span *v, size_t n, const char *what, char ***out, size_t *n_out)
{
    as_status st;
    char **lv = NULL;
    size_t m = 0;
    *out = NULL;
    *n_out = 0;
    qsort(v, n, sizeof *v, span_cmp);
    AS_CHECK(AS_ALLOC(lv, n ? n : 1, what));
    for (size_t i = 0; i < n; i++) {
        if (m && span_cmp_str(v[i], lv[m - 1]) == 0)
            continue;
        lv[m] = as_data_strndup(v[i].b, v[i].n);
        if (!lv[m]) {
            st = AS_FAIL(AS_ENOMEM, "%s: cannot copy a value", what);
            goto fail;
        }
        m++;
    }
    *out = lv;
    *n_out = m;
    return AS_OK;
fail:
    for (size_t i = 0; lv && i < m; i++)
        as_free(lv[i]);
    as_free(lv);
    return st;
}

/* ---- target values ---- */

/* 1 / 0 for a recognized value, -2 for an empty cell, -1 for an unknown value. */
static int target_class(const char *positive, const char *cell)
{
    static const char *const pos[] = {"1", "true", "yes", "success"};
    static const char *const neg[] = {"0", "false", "no", "failure"};
    span v = trimmed(cell);
    if (v.n == 0)
        return -2;
    if (positive)
        return span_cmp_str(v, positive) == 0 ? 1 : 0;
    for (size_t i = 0; i < 4; i++) {
        if (strlen(pos[i]) == v.n && strncasecmp(v.b, pos[i], v.n) == 0)
            return 1;
        if (strlen(neg[i]) == v.n && strncasecmp(v.b, neg[i], v.n) == 0)
            return 0;
    }
    double x;
    if (as_parse_number(cell, &x)) {
        if (x == 1.0)
            return 1;
        if (x == 0.0)
            return 0;
    }
    return -1;
}

static as_status target_unknown(const as_table *t, size_t i, size_t col)
{
    size_t l, c;
    as_table_where(t, i, col, &l, &c);
    return AS_FAIL(AS_EPARSE,
                   "%s:%zu:%zu: target '%s' has value '%s', which is not one of 1/0, "
                   "true/false, yes/no, success/failure; name the positive value with --positive",
                   as_table_path(t), l, c, as_table_name(t, col), as_table_cell(t, i, col));
}

/* ---- inference ---- */

static as_status find_named(const as_table *t, const char *name, const char *what, size_t *col)
{
    as_status st = as_table_find(t, name, col);
    if (st != AS_OK)
        return as_error_prefix(st, "%s", what);
    return AS_OK;
}

/* Apply `mark` to every column named in the comma-separated list. */
static as_status mark_list(const as_table *t, const char *list, const char *what, int *flag,
                           int value)
{
    if (!list)
        return AS_OK;
    const char *p = list;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        char *name = as_data_strndup(p, n);
        if (!name)
            return AS_FAIL(AS_ENOMEM, "%s: cannot copy a column name", what);
        span s = trimmed(name);
        memmove(name, s.b, s.n);
        name[s.n] = '\0';
        if (*name) {
            size_t j;
            as_status st = find_named(t, name, what, &j);
            as_free(name);
            if (st != AS_OK)
                return st;
            flag[j] = value;
        } else {
            as_free(name);
        }
        if (!q)
            break;
        p = q + 1;
    }
    return AS_OK;
}

static as_status set_feature_names(as_schema *s)
{
    size_t d = 0;
    for (size_t c = 0; c < s->n_cols; c++) {
        s->cols[c].first = d;
        d += s->cols[c].text ? s->cols[c].n_levels : 1;
    }
    AS_TRY(AS_ALLOC(s->feature_names, d ? d : 1, "schema feature names"));
    s->d = d;
    for (size_t c = 0; c < s->n_cols; c++) {
        const as_scol *col = &s->cols[c];
        if (!col->text) {
            s->feature_names[col->first] = as_strdup(col->name);
            if (!s->feature_names[col->first])
                return AS_FAIL(AS_ENOMEM, "schema: cannot copy feature names");
            continue;
        }
        for (size_t k = 0; k < col->n_levels; k++) {
            size_t a = strlen(col->name), b = strlen(col->levels[k]);
            char *f = as_malloc(a + b + 2);
            if (!f)
                return AS_FAIL(AS_ENOMEM, "schema: cannot copy feature names");
            memcpy(f, col->name, a);
            f[a] = '=';
            memcpy(f + a + 1, col->levels[k], b + 1);
            s->feature_names[col->first + k] = f;
        }
    }
    return AS_OK;
}

static char *dup_or_null(const char *s, int *bad)
{
    if (!s)
        return NULL;
    char *d = as_strdup(s);
    if (!d)
        *bad = 1;
    return d;
}

/* Type column j over the used rows; fill *col (name already set). */
static as_status infer_column(const as_table *t, size_t j, const unsigned char *used, int forced,
                              int skip_bad, span *work, as_scol *col)
{
    size_t n = as_table_rows(t), nums = 0, texts = 0, first_num = 0, first_text = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!used[i])
            continue;
        const char *cell = as_table_cell(t, i, j);
        span v = trimmed(cell);
        if (v.n == 0)
            continue;
        work[m++] = v;
        if (as_parse_number(cell, NULL)) {
            if (!nums++)
                first_num = i;
        } else if (!texts++) {
            first_text = i;
        }
    }
    const char *path = as_table_path(t), *name = as_table_name(t, j);
    size_t l, c;
    if (nums == 0 && texts == 0) {
        as_table_where(t, (size_t)-1, j, &l, &c);
        return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: column '%s' has no values; drop it with --drop %s",
                       path, l, c, name, name);
    }
    if (nums && texts && !forced && skip_bad && texts < nums)
        return AS_OK; /* numeric; the text cells make bad rows (as_schema_encode_ex) */
    if (nums && texts && !forced) {
        if (texts <= nums) {
            as_table_where(t, first_text, j, &l, &c);
            return AS_FAIL(AS_EPARSE,
                           "%s:%zu:%zu: column '%s' mixes numbers and text: '%s' is not a "
                           "number while %zu other values are; correct it, or pass --text %s to "
                           "one-hot encode the column",
                           path, l, c, name, as_table_cell(t, first_text, j), nums, name);
        }
        as_table_where(t, first_num, j, &l, &c);
        return AS_FAIL(AS_EPARSE,
                       "%s:%zu:%zu: column '%s' mixes numbers and text: '%s' is a number while "
                       "%zu other values are text; correct it, or pass --text %s to one-hot "
                       "encode the column",
                       path, l, c, name, as_table_cell(t, first_num, j), texts, name);
    }
    if (texts == 0 && !forced)
        return AS_OK;
    col->text = 1;
    return unique_levels(work, m, name, &col->levels, &col->n_levels);
}

/* A text column with a level per row cannot generalize: it is likely an id or a formula.
 * Formulas are recognized by parsing (most levels read as alloy formulas). */
static void warn_text_column(const as_table *t, size_t j, const unsigned char *used,
                             const as_scol *col)
{
    size_t n = as_table_rows(t), filled = 0, formulas = 0;
    for (size_t i = 0; i < n; i++)
        filled += used[i] && trimmed(as_table_cell(t, i, j)).n > 0;
    for (size_t k = 0; k < col->n_levels; k++) {
        as_composition c;
        formulas += as_composition_parse(col->levels[k], &c) == AS_OK && c.n >= 2;
    }
    int unique = col->n_levels == filled && filled >= 10;
    int formula_like = col->n_levels >= 10 && formulas * 10 >= col->n_levels * 9;
    if (formula_like)
        as_log(AS_LOG_WARN,
               "column '%s' looks like alloy formulas (%zu of its %zu distinct values read as "
               "formulas) and is one-hot encoded into %zu features; pass --composition %s to "
               "compute composition descriptors from it, or --drop %s",
               col->name, formulas, col->n_levels, col->n_levels, col->name, col->name);
    else if (unique)
        as_log(AS_LOG_WARN,
               "column '%s' has a different text value in each of its %zu rows (likely an id or "
               "a formula) and is one-hot encoded into %zu features that cannot generalize; "
               "pass --drop %s (or --group %s, or --composition %s for a formula)",
               col->name, filled, col->n_levels, col->name, col->name, col->name);
}

as_status as_schema_infer(const as_table *t, const as_schema_options *opt, as_schema **out)
{
    as_status st;
    as_schema_options o = opt ? *opt : as_schema_options_default();
    size_t n = as_table_rows(t), nc = as_table_cols(t), tcol = 0, gcol = 0;
    int *role = NULL, *forced = NULL;
    unsigned char *used = NULL;
    span *work = NULL;
    as_schema *s = NULL;
    *out = NULL;

    AS_CHECK(AS_ALLOC(role, nc, "schema roles"));
    AS_CHECK(AS_ALLOC(forced, nc, "schema roles"));
    AS_CHECK(AS_ALLOC(used, n, "schema rows"));
    AS_CHECK(AS_ALLOC(work, n, "schema values"));
    AS_CHECK(AS_ALLOC(s, 1, "schema"));
    int bad = 0;
    s->target = dup_or_null(o.target, &bad);
    s->positive = dup_or_null(o.target ? o.positive : NULL, &bad);
    s->group = dup_or_null(o.group, &bad);
    if (bad) {
        st = AS_FAIL(AS_ENOMEM, "schema: cannot copy names");
        goto fail;
    }
    AS_CHECK(mark_list(t, o.drop, "drop", role, ROLE_DROP));
    AS_CHECK(mark_list(t, o.text, "text", forced, 1));
    if (o.target) {
        AS_CHECK(find_named(t, o.target, "target", &tcol));
        role[tcol] = ROLE_TARGET;
    }
    if (o.group) {
        AS_CHECK(find_named(t, o.group, "group", &gcol));
        if (o.target && gcol == tcol) {
            st = AS_FAIL(AS_EINVAL, "column '%s' cannot be both the target and the group", o.group);
            goto fail;
        }
        role[gcol] = ROLE_GROUP;
    }

    /* Rows looked at: those with a target value (training rows), all rows without a target. */
    size_t n_used = 0;
    for (size_t i = 0; i < n; i++) {
        int y = o.target ? target_class(s->positive, as_table_cell(t, i, tcol)) : 0;
        if (y == -1) {
            st = target_unknown(t, i, tcol);
            goto fail;
        }
        used[i] = y != -2;
        n_used += used[i];
    }
    if (n_used == 0) {
        st = AS_FAIL(AS_EINVAL, "%s: target column '%s' has no values", as_table_path(t), o.target);
        goto fail;
    }

    for (size_t j = 0; j < nc; j++)
        s->n_cols += role[j] == ROLE_FEATURE;
    if (s->n_cols == 0) {
        st = AS_FAIL(AS_EINVAL,
                     "%s: no feature columns remain after removing the target, group "
                     "and dropped columns",
                     as_table_path(t));
        goto fail;
    }
    AS_CHECK(AS_ALLOC(s->cols, s->n_cols, "schema columns"));
    for (size_t j = 0, c = 0; j < nc; j++) {
        if (role[j] != ROLE_FEATURE)
            continue;
        s->cols[c].name = as_strdup(as_table_name(t, j));
        if (!s->cols[c].name) {
            st = AS_FAIL(AS_ENOMEM, "schema: cannot copy a column name");
            goto fail;
        }
        AS_CHECK(infer_column(t, j, used, forced[j], o.skip_bad_rows, work, &s->cols[c]));
        if (s->cols[c].text)
            warn_text_column(t, j, used, &s->cols[c]);
        c++;
    }
    AS_CHECK(set_feature_names(s));
    as_free(role);
    as_free(forced);
    as_free(used);
    as_free(work);
    *out = s;
    return AS_OK;
fail:
    as_free(role);
    as_free(forced);
    as_free(used);
    as_free(work);
    as_schema_free(s);
    return st;
}

/* ---- encoding ---- */

void as_dataset_free(as_dataset *ds)
{
    if (!ds)
        return;
    as_free(ds->x);
    as_free(ds->y);
    as_free(ds->group);
    as_free(ds->row);
    if (ds->group_names)
        for (size_t g = 0; g < ds->n_groups; g++)
            as_free(ds->group_names[g]);
    as_free(ds->group_names);
    as_free(ds);
}

const char *as_dataset_group_name(const as_dataset *ds, size_t g) { return ds->group_names[g]; }

static as_status missing_column(const as_table *t, const char *name, const char *what)
{
    size_t j;
    as_status st = as_table_find(t, name, &j);
    return as_error_prefix(st, "%s column required by the schema", what);
}

/* Encode the cell of column `col` (table column j) for dataset row r. An unseen text level
 * leaves the features at zero and sets *unseen. */
static as_status encode_column(const as_scol *col, const as_table *t, size_t j, as_dataset *ds,
                               size_t r, int allow_missing, int *unseen)
{
    size_t i = ds->row[r], l, c;
    const char *cell = as_table_cell(t, i, j);
    double *xr = ds->x + r * ds->d;
    *unseen = 0;
    if (!col->text) {
        if (as_parse_number(cell, &xr[col->first]))
            return AS_OK;
        if (allow_missing && trimmed(cell).n == 0) {
            xr[col->first] = NAN;
            ds->n_missing++;
            return AS_OK;
        }
        as_table_where(t, i, j, &l, &c);
        if (trimmed(cell).n == 0)
            return AS_FAIL(AS_EPARSE,
                           "%s:%zu:%zu: empty value in numeric column '%s' (fill it, remove the "
                           "row, --drop %s, or impute it with --impute median)",
                           as_table_path(t), l, c, col->name, col->name);
        return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: column '%s' is numeric but '%s' is not a number",
                       as_table_path(t), l, c, col->name, cell);
    }
    span v = trimmed(cell);
    if (v.n == 0)
        return AS_OK;
    size_t k = level_find(col->levels, col->n_levels, v);
    if (k == (size_t)-1)
        *unseen = 1;
    else
        xr[col->first + k] = 1.0;
    return AS_OK;
}

static as_status encode_groups(const as_table *t, size_t gcol, as_dataset *ds)
{
    as_status st;
    span *v = NULL;
    AS_CHECK(AS_ALLOC(v, ds->n, "group values"));
    for (size_t r = 0; r < ds->n; r++) {
        v[r] = trimmed(as_table_cell(t, ds->row[r], gcol));
        if (v[r].n == 0) {
            size_t l, c;
            as_table_where(t, ds->row[r], gcol, &l, &c);
            st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: empty value in group column '%s'",
                         as_table_path(t), l, c, as_table_name(t, gcol));
            goto fail;
        }
    }
    AS_CHECK(unique_levels(v, ds->n, "group names", &ds->group_names, &ds->n_groups));
    AS_CHECK(AS_ALLOC(ds->group, ds->n, "group indices"));
    for (size_t r = 0; r < ds->n; r++)
        ds->group[r] =
            level_find(ds->group_names, ds->n_groups, trimmed(as_table_cell(t, ds->row[r], gcol)));
    as_free(v);
    return AS_OK;
fail:
    as_free(v);
    return st;
}

as_status as_schema_encode(const as_schema *s, const as_table *t, int need_target, as_dataset **out)
{
    return as_schema_encode_ex(s, t, need_target, NULL, out);
}

/* 1 when the numeric cells of row i are all encodable under eo; else 0 and, for the first bad
 * row (*n_bad == 0), the reason in msg. */
static int row_ok(const as_schema *s, const as_table *t, const size_t *src, size_t i,
                  const as_encode_options *eo, size_t n_bad, char *msg, size_t cap)
{
    for (size_t c = 0; c < s->n_cols; c++) {
        if (s->cols[c].text)
            continue;
        const char *cell = as_table_cell(t, i, src[c]);
        if (as_parse_number(cell, NULL) || (eo->allow_missing && trimmed(cell).n == 0))
            continue;
        if (n_bad == 0) {
            size_t l, col;
            as_table_where(t, i, src[c], &l, &col);
            if (trimmed(cell).n == 0)
                snprintf(msg, cap,
                         "%s:%zu:%zu: empty value in numeric column '%s' (--impute median "
                         "fills it)",
                         as_table_path(t), l, col, s->cols[c].name);
            else
                snprintf(msg, cap, "%s:%zu:%zu: column '%s' is numeric but '%s' is not a number",
                         as_table_path(t), l, col, s->cols[c].name, cell);
        }
        return 0;
    }
    return 1;
}

as_status as_dataset_keep_rows(as_dataset *ds, const unsigned char *keep)
{
    as_status st = AS_OK;
    size_t m = 0, *gmap = NULL, ng = 0;
    if (ds->group)
        AS_TRY(AS_ALLOC(gmap, ds->n_groups ? ds->n_groups : 1, "dataset groups"));
    for (size_t r = 0; r < ds->n; r++) {
        if (!keep[r])
            continue;
        if (m != r) {
            memmove(ds->x + m * ds->d, ds->x + r * ds->d, ds->d * sizeof *ds->x);
            if (ds->y)
                ds->y[m] = ds->y[r];
            if (ds->group)
                ds->group[m] = ds->group[r];
            ds->row[m] = ds->row[r];
        }
        m++;
    }
    ds->n_bad += ds->n - m;
    ds->n = m;
    if (ds->group) {
        for (size_t g = 0; g < ds->n_groups; g++)
            gmap[g] = (size_t)-1;
        for (size_t r = 0; r < m; r++)
            gmap[ds->group[r]] = 0;
        for (size_t g = 0; g < ds->n_groups; g++) {
            if (gmap[g] == (size_t)-1) {
                as_free(ds->group_names[g]);
                continue;
            }
            gmap[g] = ng;
            ds->group_names[ng++] = ds->group_names[g];
        }
        for (size_t r = 0; r < m; r++)
            ds->group[r] = gmap[ds->group[r]];
        ds->n_groups = ng;
    }
    as_free(gmap);
    return st;
}

as_status as_schema_encode_ex(const as_schema *s, const as_table *t, int need_target,
                              const as_encode_options *eop, as_dataset **out)
{
    as_encode_options eo = {0, 0};
    if (eop)
        eo = *eop;
    char bad_msg[512] = "";
    as_status st;
    size_t n = as_table_rows(t), *src = NULL, tcol = 0, gcol = 0;
    int have_target = 0, have_group = 0;
    as_dataset *ds = NULL;
    *out = NULL;

    AS_CHECK(AS_ALLOC(src, s->n_cols, "encoder columns"));
    for (size_t c = 0; c < s->n_cols; c++)
        if (as_table_find(t, s->cols[c].name, &src[c]) != AS_OK) {
            st = missing_column(t, s->cols[c].name, "feature");
            goto fail;
        }
    if (s->target) {
        have_target = as_table_find(t, s->target, &tcol) == AS_OK;
        if (!have_target && need_target) {
            st = missing_column(t, s->target, "target");
            goto fail;
        }
    } else if (need_target) {
        st = AS_FAIL(AS_EINVAL, "%s: the schema has no target column", as_table_path(t));
        goto fail;
    }
    if (s->group) {
        have_group = as_table_find(t, s->group, &gcol) == AS_OK;
        if (!have_group && need_target) {
            st = missing_column(t, s->group, "group");
            goto fail;
        }
    }

    AS_CHECK(AS_ALLOC(ds, 1, "dataset"));
    ds->d = s->d;
    AS_CHECK(AS_ALLOC(ds->row, n, "dataset rows"));
    if (have_target)
        AS_CHECK(AS_ALLOC(ds->y, n, "dataset labels"));
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        int y = have_target ? target_class(s->positive, as_table_cell(t, i, tcol)) : -2;
        if (y == -1) {
            st = target_unknown(t, i, tcol);
            goto fail;
        }
        if (y == -2 && need_target) {
            ds->n_skipped++;
            continue;
        }
        if (eo.skip_bad_rows && !row_ok(s, t, src, i, &eo, ds->n_bad, bad_msg, sizeof bad_msg)) {
            ds->n_bad++;
            continue;
        }
        if (have_target)
            ds->y[ds->n] = y == -2 ? -1 : y;
        npos += y == 1;
        ds->row[ds->n++] = i;
    }
    if (ds->n_bad)
        as_log(AS_LOG_WARN,
               "%zu row(s) with a cell that cannot be read were skipped "
               "(--on-bad-row skip); the first: %s",
               ds->n_bad, bad_msg);
    if (need_target && (npos == 0 || npos == ds->n)) {
        if (ds->n == 0)
            st = AS_FAIL(AS_EINVAL, "%s: target column '%s' has no values", as_table_path(t),
                         s->target);
        else
            st = AS_FAIL(AS_EINVAL,
                         "%s: target column '%s' has only %s values (%zu rows); training needs "
                         "both classes",
                         as_table_path(t), s->target, npos ? "positive" : "negative", ds->n);
        goto fail;
    }
    AS_CHECK(AS_ALLOC(ds->x, ds->n * (ds->d ? ds->d : 1), "dataset features"));
    for (size_t c = 0; c < s->n_cols; c++) {
        size_t unseen = 0, first = 0;
        for (size_t r = 0; r < ds->n; r++) {
            int miss;
            AS_CHECK(encode_column(&s->cols[c], t, src[c], ds, r, eo.allow_missing, &miss));
            if (miss && !unseen++)
                first = r;
        }
        if (unseen) {
            size_t l, col;
            as_table_where(t, ds->row[first], src[c], &l, &col);
            as_log(AS_LOG_WARN,
                   "%s:%zu:%zu: column '%s': value '%s' was not seen in training and is encoded "
                   "as all zeros (%zu such rows in this column)",
                   as_table_path(t), l, col, s->cols[c].name,
                   as_table_cell(t, ds->row[first], src[c]), unseen);
        }
    }
    if (have_group)
        AS_CHECK(encode_groups(t, gcol, ds));
    as_free(src);
    *out = ds;
    return AS_OK;
fail:
    as_free(src);
    as_dataset_free(ds);
    return st;
}

/* ---- JSON ---- */

as_status as_schema_to_json(const as_schema *s, as_json **out)
{
    as_status st;
    as_json *j = as_json_object(), *cols;
    *out = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "schema: cannot build JSON");
    /* cols is owned by j from here on (set_child takes it even on failure) */
    cols = as_json_array();
    AS_CHECK(as_json_set_child(j, "columns", cols));
    if (s->target)
        AS_CHECK(as_json_set_str(j, "target", s->target));
    if (s->positive)
        AS_CHECK(as_json_set_str(j, "positive", s->positive));
    if (s->group)
        AS_CHECK(as_json_set_str(j, "group", s->group));
    for (size_t c = 0; c < s->n_cols; c++) {
        as_json *o = as_json_object();
        AS_CHECK(as_json_push(cols, o)); /* takes o even on failure */
        AS_CHECK(as_json_set_str(o, "name", s->cols[c].name));
        AS_CHECK(as_json_set_str(o, "type", s->cols[c].text ? "text" : "number"));
        if (!s->cols[c].text)
            continue;
        as_json *lv = as_json_array();
        AS_CHECK(as_json_set_child(o, "levels", lv));
        for (size_t k = 0; k < s->cols[c].n_levels; k++)
            AS_CHECK(as_json_push_str(lv, s->cols[c].levels[k]));
    }
    *out = j;
    return AS_OK;
fail:
    as_json_free(j);
    return st;
}

static as_status opt_str(const as_json *j, const char *key, char **out)
{
    *out = NULL;
    as_json *v = as_json_get(j, key);
    if (!v)
        return AS_OK;
    const char *s = as_json_string(v);
    if (!s)
        return AS_FAIL(AS_EPARSE, "schema: key '%s' is not a string", key);
    *out = as_strdup(s);
    if (!*out)
        return AS_FAIL(AS_ENOMEM, "schema: cannot copy '%s'", key);
    return AS_OK;
}

as_status as_schema_from_json(const as_json *j, as_schema **out)
{
    as_status st;
    as_schema *s = NULL;
    *out = NULL;
    AS_CHECK(AS_ALLOC(s, 1, "schema"));
    if (!j || !as_json_get(j, "columns")) {
        st = AS_FAIL(AS_EPARSE, "schema: missing array 'columns'");
        goto fail;
    }
    AS_CHECK(opt_str(j, "target", &s->target));
    AS_CHECK(opt_str(j, "positive", &s->positive));
    AS_CHECK(opt_str(j, "group", &s->group));
    const as_json *cols = as_json_get(j, "columns");
    size_t nc = as_json_size(cols);
    if (nc == 0) {
        st = AS_FAIL(AS_EPARSE, "schema: 'columns' must be a non-empty array");
        goto fail;
    }
    AS_CHECK(AS_ALLOC(s->cols, nc, "schema columns"));
    s->n_cols = nc;
    for (size_t c = 0; c < nc; c++) {
        const as_json *o = as_json_at(cols, c);
        const char *name, *type;
        char where[64];
        snprintf(where, sizeof where, "schema column %zu", c);
        AS_CHECK(as_json_get_str(o, "name", where, &name));
        AS_CHECK(as_json_get_str(o, "type", where, &type));
        if (!*name) {
            st = AS_FAIL(AS_EPARSE, "%s: empty name", where);
            goto fail;
        }
        for (size_t k = 0; k < c; k++)
            if (!strcmp(s->cols[k].name, name)) {
                st = AS_FAIL(AS_EPARSE, "%s: duplicate column name '%s'", where, name);
                goto fail;
            }
        s->cols[c].name = as_strdup(name);
        if (!s->cols[c].name) {
            st = AS_FAIL(AS_ENOMEM, "schema: cannot copy a column name");
            goto fail;
        }
        if (!strcmp(type, "number"))
            continue;
        if (strcmp(type, "text")) {
            st = AS_FAIL(AS_EPARSE, "%s ('%s'): unknown type '%s' (expected number or text)", where,
                         name, type);
            goto fail;
        }
        s->cols[c].text = 1;
        const as_json *lv = as_json_get(o, "levels");
        size_t m = as_json_size(lv);
        if (m == 0) {
            st = AS_FAIL(AS_EPARSE, "%s ('%s'): 'levels' must be a non-empty array", where, name);
            goto fail;
        }
        AS_CHECK(AS_ALLOC(s->cols[c].levels, m, "schema levels"));
        for (size_t k = 0; k < m; k++) {
            const char *l = as_json_string(as_json_at(lv, k));
            if (!l) {
                st = AS_FAIL(AS_EPARSE, "%s ('%s'): level %zu is not a string", where, name, k);
                goto fail;
            }
            if (k && strcmp(s->cols[c].levels[k - 1], l) >= 0) {
                st = AS_FAIL(AS_EPARSE, "%s ('%s'): levels are not unique and sorted at level %zu",
                             where, name, k);
                goto fail;
            }
            s->cols[c].levels[k] = as_strdup(l);
            if (!s->cols[c].levels[k]) {
                st = AS_FAIL(AS_ENOMEM, "schema: cannot copy a level");
                goto fail;
            }
            s->cols[c].n_levels++;
        }
    }
    AS_CHECK(set_feature_names(s));
    *out = s;
    return AS_OK;
fail:
    as_schema_free(s);
    return st;
}
