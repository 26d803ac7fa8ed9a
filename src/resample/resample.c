/* SMOTE over-sampling, Tomek links and the combined resampling of seed 000 (sections 2.4 and
 * 3.1: z-scored features, SMOTE to balance the classes, Tomek links to clean the boundary).
 *
 * SMOTE: Chawla, Bowyer, Hall and Kegelmeyer, JAIR 16 (2002) 321; sampling as imbalanced-learn
 * 0.10 SMOTE(sampling_strategy='auto'): the minority count is raised to the majority count with
 * new = x_i + u (x_j - x_i), i uniform over the minority, j uniform over the k nearest other
 * minority samples of i, u ~ U[0, 1).
 * Tomek links: Tomek, IEEE Trans. SMC 6 (1976) 769; as imbalanced-learn TomekLinks.is_tomek:
 * (i, j) of opposite labels, each the nearest other sample of the other. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "resample_int.h"

as_resample_options as_resample_options_default(void)
{
    as_resample_options o;
    o.method = AS_RESAMPLE_SMOTE_TOMEK;
    o.smote_k = 5;
    o.tomek = AS_TOMEK_MAJORITY;
    o.smote = AS_SMOTE_PLAIN;
    o.columns.group = NULL;
    o.columns.integer = NULL;
    o.columns.offset = NULL;
    o.columns.scale = NULL;
    return o;
}

static const char *const method_names[] = {"none", "smote", "tomek", "smote-tomek"};
static const char *const tomek_names[] = {"majority", "all"};

as_status as_resample_method_parse(const char *s, as_resample_method *out)
{
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, method_names[i]) == 0) {
            *out = (as_resample_method)i;
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL,
                   "resample: unknown method '%s' (valid: none, smote, tomek, smote-tomek)",
                   s ? s : "(null)");
}

as_status as_tomek_mode_parse(const char *s, as_tomek_mode *out)
{
    for (int i = 0; i < 2; i++)
        if (s && strcmp(s, tomek_names[i]) == 0) {
            *out = (as_tomek_mode)i;
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL, "resample: unknown Tomek mode '%s' (valid: majority, all)",
                   s ? s : "(null)");
}

const char *as_resample_method_name(as_resample_method m)
{
    return ((unsigned)m < 4) ? method_names[m] : "?";
}

const char *as_tomek_mode_name(as_tomek_mode m) { return ((unsigned)m < 2) ? tomek_names[m] : "?"; }

static const char *const smote_names[] = {"plain", "nc"};

as_status as_smote_mode_parse(const char *s, as_smote_mode *out)
{
    for (int i = 0; i < 2; i++)
        if (s && strcmp(s, smote_names[i]) == 0) {
            *out = (as_smote_mode)i;
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL, "resample: unknown SMOTE '%s' (valid: plain, nc)", s ? s : "(null)");
}

const char *as_smote_mode_name(as_smote_mode m) { return ((unsigned)m < 2) ? smote_names[m] : "?"; }

as_status as_resample_count_labels(const int *y, size_t n, const char *who, size_t counts[2])
{
    counts[0] = counts[1] = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0 && y[i] != 1)
            return AS_FAIL(AS_EINVAL, "%s: label y[%zu] = %d, labels must be 0 or 1", who, i, y[i]);
        counts[y[i]]++;
    }
    return AS_OK;
}

static as_status check_input(const char *who, const double *x, const int *y, size_t n, size_t d)
{
    if (n == 0 || d == 0)
        return AS_FAIL(AS_EINVAL, "%s: needs at least one sample and one feature (n=%zu, d=%zu)",
                       who, n, d);
    if (!x || !y)
        return AS_FAIL(AS_EINVAL, "%s: x or y is NULL", who);
    if (n > (size_t)-1 / d / sizeof(double))
        return AS_FAIL(AS_ENOMEM, "%s: %zu x %zu values overflow", who, n, d);
    return AS_OK;
}

/* Copy (x, y) into newly allocated arrays with room for `extra` more rows. */
static as_status copy_with_room(const double *x, const int *y, size_t n, size_t d, size_t extra,
                                double **xo, int **yo)
{
    as_status st = AS_OK;
    *xo = NULL;
    *yo = NULL;
    if (extra > (size_t)-1 / d / sizeof(double) - n)
        return AS_FAIL(AS_ENOMEM, "resample: %zu + %zu rows overflow", n, extra);
    AS_CHECK(AS_ALLOC(*xo, (n + extra) * d, "resampled features"));
    AS_CHECK(AS_ALLOC(*yo, n + extra, "resampled labels"));
    memcpy(*xo, x, n * d * sizeof(double));
    memcpy(*yo, y, n * sizeof(int));
    return AS_OK;
fail:
    as_free(*xo);
    *xo = NULL;
    return st;
}

/* Raw value of column c of row v (as_smote_columns: offset + scale x). */
static double raw_of(const as_smote_columns *cols, const double *v, size_t c)
{
    return cols->scale ? cols->offset[c] + cols->scale[c] * v[c] : v[c];
}

static double from_raw(const as_smote_columns *cols, double r, size_t c)
{
    return cols->scale ? (r - cols->offset[c]) / cols->scale[c] : r;
}

static int cmp_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

/* SMOTE-NC state: the column layout and the per-column ranges of the input. */
typedef struct {
    const as_smote_columns *cols;
    double *lo, *hi; /* (d) min / max of each column over the n input rows */
    size_t *first;   /* first column of each group, n_groups of them */
    size_t *next;    /* (d) next column of the same group, d when none */
    size_t n_groups;
    unsigned *votes; /* (d) scratch */
    size_t *tied;    /* (d) scratch */
} nc_state;

static void nc_state_free(nc_state *z)
{
    as_free(z->lo);
    as_free(z->hi);
    as_free(z->first);
    as_free(z->next);
    as_free(z->votes);
    as_free(z->tied);
}

static int is_cat(const as_smote_columns *cols, size_t c)
{
    return cols->group && cols->group[c] >= 0;
}

/* Build the layout; xe (m, d) gets the minority rows encoded for the neighbour search. */
static as_status nc_prepare(nc_state *z, const as_smote_columns *cols, const double *x, size_t n,
                            size_t d, const double *xm, size_t m, double *xe)
{
    as_status st = AS_OK;
    double *sd = NULL;
    size_t n_num = 0;
    memset(z, 0, sizeof *z);
    z->cols = cols;
    AS_CHECK(AS_ALLOC(z->lo, d, "smote-nc ranges"));
    AS_CHECK(AS_ALLOC(z->hi, d, "smote-nc ranges"));
    AS_CHECK(AS_ALLOC(z->first, d, "smote-nc groups"));
    AS_CHECK(AS_ALLOC(z->next, d, "smote-nc groups"));
    AS_CHECK(AS_ALLOC(z->votes, d, "smote-nc votes"));
    AS_CHECK(AS_ALLOC(z->tied, d, "smote-nc votes"));
    AS_CHECK(AS_ALLOC(sd, d, "smote-nc spreads"));
    for (size_t c = 0; c < d; c++) {
        if (cols->scale && !(cols->scale[c] > 0)) {
            st = AS_FAIL(AS_EINVAL, "smote-nc: scale of column %zu is %g, must be > 0", c,
                         cols->scale[c]);
            goto fail;
        }
        z->next[c] = d;
        z->lo[c] = z->hi[c] = x[c];
        for (size_t i = 1; i < n; i++) {
            double v = x[i * d + c];
            z->lo[c] = v < z->lo[c] ? v : z->lo[c];
            z->hi[c] = v > z->hi[c] ? v : z->hi[c];
        }
        if (!is_cat(cols, c)) {
            double mean = 0, var = 0;
            for (size_t i = 0; i < m; i++)
                mean += xm[i * d + c];
            mean /= (double)m;
            for (size_t i = 0; i < m; i++)
                var += (xm[i * d + c] - mean) * (xm[i * d + c] - mean);
            sd[n_num++] = sqrt(var / (double)m);
            continue;
        }
        size_t p = c; /* link c after the last earlier column of its group, or start a group */
        for (size_t q = c; q-- > 0;)
            if (is_cat(cols, q) && cols->group[q] == cols->group[c]) {
                p = q;
                break;
            }
        if (p == c)
            z->first[z->n_groups++] = c;
        else
            z->next[p] = c;
    }
    if (n_num == 0) {
        st = AS_FAIL(AS_EINVAL, "smote-nc: every column is one-hot; SMOTE-NC needs a numeric "
                                "column (use --smote plain)");
        goto fail;
    }
    qsort(sd, n_num, sizeof *sd, cmp_double);
    double med = n_num % 2 ? sd[n_num / 2] : 0.5 * (sd[n_num / 2 - 1] + sd[n_num / 2]);
    for (size_t i = 0; i < m; i++)
        for (size_t c = 0; c < d; c++)
            xe[i * d + c] = !is_cat(cols, c)                    ? xm[i * d + c]
                            : raw_of(cols, xm + i * d, c) > 0.5 ? 0.5 * med
                                                                : 0.0;
    as_free(sd);
    return AS_OK;
fail:
    as_free(sd);
    nc_state_free(z);
    memset(z, 0, sizeof *z);
    return st;
}

/* Finish synthetic row xn (numeric columns interpolated already): round, clamp, vote. */
static void nc_finish(nc_state *z, const double *xm, size_t d, const size_t *nb, size_t k,
                      as_rng *rng, double *xn)
{
    const as_smote_columns *cols = z->cols;
    for (size_t c = 0; c < d; c++) {
        if (is_cat(cols, c))
            continue;
        double v = xn[c];
        if (cols->integer && cols->integer[c]) {
            double r = round(raw_of(cols, xn, c));
            double rlo = ceil(raw_of(cols, z->lo, c) - 1e-9),
                   rhi = floor(raw_of(cols, z->hi, c) + 1e-9);
            r = r < rlo ? rlo : r > rhi ? rhi : r;
            v = from_raw(cols, r, c);
        }
        xn[c] = v < z->lo[c] ? z->lo[c] : v > z->hi[c] ? z->hi[c] : v;
    }
    for (size_t g = 0; g < z->n_groups; g++) {
        unsigned best = 0;
        size_t nt = 0;
        for (size_t c = z->first[g]; c < d; c = z->next[c]) {
            unsigned v = 0;
            for (size_t r = 0; r < k; r++)
                v += raw_of(cols, xm + nb[r] * d, c) > 0.5;
            z->votes[c] = v;
            if (v > best) {
                best = v;
                nt = 0;
            }
            if (v == best && v > 0)
                z->tied[nt++] = c;
        }
        size_t win = nt == 0 ? d : nt == 1 ? z->tied[0] : z->tied[as_rng_below(rng, nt)];
        for (size_t c = z->first[g]; c < d; c = z->next[c])
            xn[c] = from_raw(cols, c == win ? 1.0 : 0.0, c);
    }
}

static as_status smote_core(const double *x, const int *y, size_t n, size_t d, size_t k,
                            const as_smote_columns *cols, as_rng *rng, double **x_out, int **y_out,
                            size_t *n_out)
{
    nc_state nc;
    double *xe = NULL;
    memset(&nc, 0, sizeof nc);
    as_status st = AS_OK;
    double *xo = NULL, *xm = NULL, *dist2 = NULL;
    int *yo = NULL;
    size_t *nn = NULL;
    size_t counts[2];
    *x_out = NULL;
    *y_out = NULL;
    *n_out = 0;
    AS_TRY(check_input("smote", x, y, n, d));
    AS_TRY(as_resample_count_labels(y, n, "smote", counts));
    if (k == 0)
        return AS_FAIL(AS_EINVAL, "smote: k=0 neighbours, must be >= 1");
    if (counts[0] == 0 || counts[1] == 0)
        return AS_FAIL(AS_EINVAL, "smote: needs both classes, only label %d is present",
                       counts[0] ? 0 : 1);
    int minority = counts[1] <= counts[0] ? 1 : 0;
    size_t m = counts[minority], big = counts[1 - minority], extra = big - m;
    if (extra == 0) {
        AS_CHECK(copy_with_room(x, y, n, d, 0, &xo, &yo));
        goto done;
    }
    if (k >= m)
        return AS_FAIL(AS_EINVAL, "SMOTE needs k=%zu < number of minority samples (%zu)", k, m);
    if (!rng)
        return AS_FAIL(AS_EINVAL, "smote: rng is NULL");
    if (m > (size_t)-1 / k)
        return AS_FAIL(AS_ENOMEM, "smote: %zu x %zu neighbours overflow", m, k);

    /* Minority rows and their k nearest other minority samples (minority-local numbering). */
    AS_CHECK(AS_ALLOC(xm, m * d, "smote minority features"));
    for (size_t i = 0, c = 0; i < n; i++)
        if (y[i] == minority) {
            memcpy(xm + c * d, x + i * d, d * sizeof(double));
            c++;
        }
    AS_CHECK(AS_ALLOC(nn, m * k, "smote neighbours"));
    AS_CHECK(AS_ALLOC(dist2, m * k, "smote distances"));
    if (cols) {
        AS_CHECK(AS_ALLOC(xe, m * d, "smote-nc encoded minority"));
        AS_CHECK(nc_prepare(&nc, cols, x, n, d, xm, m, xe));
    }
    AS_CHECK(as_knn_self(cols ? xe : xm, m, d, k, nn, dist2));

    AS_CHECK(copy_with_room(x, y, n, d, extra, &xo, &yo));
    for (size_t s = 0; s < extra; s++) {
        /* One draw over the m k (sample, neighbour) pairs, as imblearn does. */
        size_t pair = as_rng_below(rng, m * k);
        size_t i = pair / k, j = nn[pair];
        double u = as_rng_uniform(rng);
        const double *xi = xm + i * d, *xj = xm + j * d;
        double *xn = xo + (n + s) * d;
        for (size_t c = 0; c < d; c++)
            xn[c] = xi[c] + u * (xj[c] - xi[c]);
        if (cols)
            nc_finish(&nc, xm, d, nn + i * k, k, rng, xn);
        yo[n + s] = minority;
    }
done:
    *x_out = xo;
    *y_out = yo;
    *n_out = n + extra;
    xo = NULL;
    yo = NULL;
fail:
    nc_state_free(&nc);
    as_free(xe);
    as_free(xm);
    as_free(nn);
    as_free(dist2);
    as_free(xo);
    as_free(yo);
    return st;
}

as_status as_smote(const double *x, const int *y, size_t n, size_t d, size_t k, as_rng *rng,
                   double **x_out, int **y_out, size_t *n_out)
{
    return smote_core(x, y, n, d, k, NULL, rng, x_out, y_out, n_out);
}

as_status as_smote_nc(const double *x, const int *y, size_t n, size_t d, size_t k,
                      const as_smote_columns *cols, as_rng *rng, double **x_out, int **y_out,
                      size_t *n_out)
{
    static const as_smote_columns none = {NULL, NULL, NULL, NULL};
    return smote_core(x, y, n, d, k, cols ? cols : &none, rng, x_out, y_out, n_out);
}

static as_status smote_opt(const as_resample_options *opt, const double *x, const int *y, size_t n,
                           size_t d, as_rng *rng, double **x_out, int **y_out, size_t *n_out)
{
    if (opt->smote == AS_SMOTE_NC)
        return as_smote_nc(x, y, n, d, opt->smote_k, &opt->columns, rng, x_out, y_out, n_out);
    return as_smote(x, y, n, d, opt->smote_k, rng, x_out, y_out, n_out);
}

/* Nearest other sample of every row (ties to the lower index); nn (n) caller-owned. n >= 2. */
static as_status nearest_other(const double *x, size_t n, size_t d, size_t *nn)
{
    as_status st = AS_OK;
    double *d2 = NULL;
    AS_CHECK(AS_ALLOC(d2, n, "tomek distances"));
    AS_CHECK(as_knn_self(x, n, d, 1, nn, d2));
fail:
    as_free(d2);
    return st;
}

as_status as_tomek_links_with_majority(const double *x, const int *y, size_t n, size_t d,
                                       int majority, size_t **a, size_t **b, size_t *n_links)
{
    as_status st = AS_OK;
    size_t *nn = NULL, *la = NULL, *lb = NULL, count = 0;
    size_t counts[2];
    *a = NULL;
    *b = NULL;
    *n_links = 0;
    AS_TRY(check_input("tomek", x, y, n, d));
    AS_TRY(as_resample_count_labels(y, n, "tomek", counts));
    if (majority != 0 && majority != 1)
        return AS_FAIL(AS_EINVAL, "tomek: majority label %d must be 0 or 1", majority);
    if (n >= 2 && counts[0] > 0 && counts[1] > 0) {
        AS_CHECK(AS_ALLOC(nn, n, "tomek neighbours"));
        AS_CHECK(nearest_other(x, n, d, nn));
        for (size_t i = 0; i < n; i++)
            if (y[i] == majority && y[nn[i]] != majority && nn[nn[i]] == i)
                count++;
    }
    AS_CHECK(AS_ALLOC(la, count, "tomek links"));
    AS_CHECK(AS_ALLOC(lb, count, "tomek links"));
    for (size_t i = 0, c = 0; c < count; i++)
        if (y[i] == majority && y[nn[i]] != majority && nn[nn[i]] == i) {
            la[c] = i;
            lb[c] = nn[i];
            c++;
        }
    *a = la;
    *b = lb;
    *n_links = count;
    la = lb = NULL;
fail:
    as_free(nn);
    as_free(la);
    as_free(lb);
    return st;
}

as_status as_tomek_links(const double *x, const int *y, size_t n, size_t d, size_t **a, size_t **b,
                         size_t *n_links)
{
    size_t counts[2];
    *a = NULL;
    *b = NULL;
    *n_links = 0;
    AS_TRY(check_input("tomek", x, y, n, d));
    AS_TRY(as_resample_count_labels(y, n, "tomek", counts));
    return as_tomek_links_with_majority(x, y, n, d, counts[1] > counts[0] ? 1 : 0, a, b, n_links);
}

/* Remove Tomek-link members from (x, y) (n rows), writing the kept rows to new arrays. */
static as_status tomek_remove(const double *x, const int *y, size_t n, size_t d, int majority,
                              as_tomek_mode mode, double **x_out, int **y_out, size_t *n_out)
{
    as_status st = AS_OK;
    size_t *la = NULL, *lb = NULL, nl = 0;
    unsigned char *drop = NULL;
    double *xo = NULL;
    int *yo = NULL;
    AS_CHECK(as_tomek_links_with_majority(x, y, n, d, majority, &la, &lb, &nl));
    AS_CHECK(AS_ALLOC(drop, n, "tomek removal mask"));
    for (size_t l = 0; l < nl; l++) {
        drop[la[l]] = 1;
        if (mode == AS_TOMEK_ALL)
            drop[lb[l]] = 1;
    }
    size_t kept = n - nl * (mode == AS_TOMEK_ALL ? 2 : 1);
    AS_CHECK(AS_ALLOC(xo, kept * d, "tomek kept features"));
    AS_CHECK(AS_ALLOC(yo, kept, "tomek kept labels"));
    for (size_t i = 0, c = 0; i < n; i++)
        if (!drop[i]) {
            memcpy(xo + c * d, x + i * d, d * sizeof(double));
            yo[c] = y[i];
            c++;
        }
    *x_out = xo;
    *y_out = yo;
    *n_out = kept;
    xo = NULL;
    yo = NULL;
fail:
    as_free(la);
    as_free(lb);
    as_free(drop);
    as_free(xo);
    as_free(yo);
    return st;
}

as_status as_resample(const as_resample_options *opt, const double *x, const int *y, size_t n,
                      size_t d, as_rng *rng, double **x_out, int **y_out, size_t *n_out)
{
    as_status st = AS_OK;
    double *xs = NULL;
    int *ys = NULL;
    size_t ns = 0, counts[2];
    *x_out = NULL;
    *y_out = NULL;
    *n_out = 0;
    if (!opt)
        return AS_FAIL(AS_EINVAL, "resample: options are NULL");
    if ((unsigned)opt->method > AS_RESAMPLE_SMOTE_TOMEK)
        return AS_FAIL(AS_EINVAL, "resample: method %d out of range", (int)opt->method);
    if ((unsigned)opt->tomek > AS_TOMEK_ALL)
        return AS_FAIL(AS_EINVAL, "resample: Tomek mode %d out of range", (int)opt->tomek);
    if ((unsigned)opt->smote > AS_SMOTE_NC)
        return AS_FAIL(AS_EINVAL, "resample: SMOTE mode %d out of range", (int)opt->smote);
    AS_TRY(check_input("resample", x, y, n, d));
    AS_TRY(as_resample_count_labels(y, n, "resample", counts));
    int majority = counts[1] > counts[0] ? 1 : 0;
    switch (opt->method) {
    case AS_RESAMPLE_NONE:
        AS_CHECK(copy_with_room(x, y, n, d, 0, &xs, &ys));
        *x_out = xs;
        *y_out = ys;
        *n_out = n;
        return AS_OK;
    case AS_RESAMPLE_SMOTE: return smote_opt(opt, x, y, n, d, rng, x_out, y_out, n_out);
    case AS_RESAMPLE_TOMEK:
        return tomek_remove(x, y, n, d, majority, opt->tomek, x_out, y_out, n_out);
    case AS_RESAMPLE_SMOTE_TOMEK:
        AS_CHECK(smote_opt(opt, x, y, n, d, rng, &xs, &ys, &ns));
        AS_CHECK(tomek_remove(xs, ys, ns, d, majority, opt->tomek, x_out, y_out, n_out));
        break;
    }
fail:
    as_free(xs);
    as_free(ys);
    return st;
}
