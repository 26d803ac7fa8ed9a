/* alloyscout gpr cv: k-fold cross-validation of the workflow-B regression model (z-score, PCA,
 * GPR) on a CSV table, with per-fold and pooled MAE, RMSE, R^2, 1/2-sigma coverage and NLL; and
 * the fit diagnostics 'gpr fit' prints too (shared inputs with different targets, an LML below
 * the no-model value). The science (folds, metrics, checks) lives in src/gp/cv.c. */
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* gpr.c uses these too */
int gpr_column_selected(const char *name, const char *features, const char *drop);
void gpr_warn_fit_inputs(const double *x, const double *y, size_t n, size_t d, int noise);
void gpr_warn_fit_lml(const as_gpr_model *m, const double *y, size_t n);
int as_cli_gpr_cv(int argc, char **argv);

/* 1 when name matches one of the comma-separated glob patterns of list */
static int in_patterns(const char *list, const char *name)
{
    char pat[256];
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l < sizeof pat) {
            memcpy(pat, p, l);
            pat[l] = 0;
            if (!fnmatch(pat, name, 0))
                return 1;
        }
        p = e ? e + 1 : NULL;
    }
    return 0;
}

int gpr_column_selected(const char *name, const char *features, const char *drop)
{
    if (drop && in_patterns(drop, name))
        return 0;
    return !features || in_patterns(features, name);
}

void gpr_warn_fit_inputs(const double *x, const double *y, size_t n, size_t d, int noise)
{
    as_gp_duplicates dup;
    if (as_gp_find_duplicates(x, y, n, d, &dup) != AS_OK || dup.n_shared == 0)
        return;
    as_log(AS_LOG_WARN,
           "%zu input vector%s shared by %zu rows with different targets (largest spread %.6g, "
           "rows like %zu): the features cannot tell those structures apart%s",
           dup.n_shared, dup.n_shared == 1 ? " is" : "s are", dup.n_rows, dup.max_diff,
           dup.example_row + 1,
           noise ? "; the noise term absorbs the spread, add features (more shells, --triplets) "
                   "to resolve it"
                 : " and a fit without a noise term collapses on them: drop --no-noise");
}

void gpr_warn_fit_lml(const as_gpr_model *m, const double *y, size_t n)
{
    const as_gp *gp = as_gpr_model_gp(m);
    const as_gp_options *o = as_gp_options_of(gp);
    double lml = as_gp_lml_value(gp), null = as_gp_lml_null(y, n, o->normalize_y);
    if (!(lml >= null))
        as_log(AS_LOG_WARN,
               "LML = %.6g is below %.6g, the value of no model at all (each target independent "
               "with the targets' mean and variance): the fit is degenerate%s",
               lml, null,
               o->noise ? " (inputs that do not determine the target?)"
                        : " (duplicate inputs with different targets? fit the noise term: drop "
                          "--no-noise)");
}

static const char cv_help[] =
    "usage: alloyscout gpr cv --data F.csv --target COL [--folds K] [--group COL] [options]\n\n"
    "K-fold cross-validation of the 'gpr fit' model: for each fold, the z-score, PCA and GP\n"
    "(hyperparameters by maximum likelihood, as 'gpr fit') are fitted on the other folds and\n"
    "predict the held-out rows. Reports MAE, RMSE, R^2, the fraction of held-out targets within\n"
    "1 and 2 predicted standard deviations, and the mean negative log predictive density (NLL),\n"
    "per fold and pooled over all held-out predictions.\n\n"
    "  --data FILE        CSV with a header row\n"
    "  --target COL       the column to regress\n"
    "  --features PATS    comma-separated glob patterns of the feature columns (default: every\n"
    "                     column but the target, the group and --drop), e.g. 'c_*,pcf*'\n"
    "  --drop PATS        columns (glob patterns) to leave out\n"
    "  --folds K          folds (default 5)\n"
    "  --group COL        rows with equal values of COL stay in one fold\n"
    "  --pca F            PCA variance fraction (0.99; 0 = z-score only)\n"
    "  --restarts N       random restarts of each fold's fit (50)\n"
    "  --no-noise         no white-noise term (default: fitted, as in 'gpr fit' and 'screen')\n"
    "  --ard              one length scale per (PCA) feature\n"
    "  --no-normalize-y   fit raw targets\n"
    "  --threads N        threads of the restarts (0 = all; results do not depend on it)\n"
    "  --seed N           folds and restarts (default 0)\n"
    "  --out FILE         CSV of every row's held-out prediction: row, fold, target, mean, std\n"
    "  --json FILE        the folds, per-fold hyperparameters and metrics as JSON\n"
    "  --quiet            no progress text\n"
    "  --delimiter D      CSV field separator: , ; or tab (default: detected)\n"
    "  --encoding E       CSV encoding: utf-8 (default) or latin-1\n";

typedef struct {
    const char *data, *target, *features, *drop, *group, *out, *json;
    size_t folds, restarts, threads;
    double pca;
    unsigned long long seed;
    int no_noise, ard, no_norm, quiet;
} cv_args;

static void print_row(const char *label, const as_gp_metrics *m)
{
    printf("%-10s %5zu %12.6g %12.6g %9.4f %7.3f %7.3f %10.4f\n", label, m->n, m->mae, m->rmse,
           m->r2, m->cover1, m->cover2, m->nll);
}

static as_status metrics_json(as_json *obj, const as_gp_metrics *m)
{
    as_status st = as_json_set_num(obj, "n", (double)m->n);
    if (st == AS_OK)
        st = as_json_set_num(obj, "mae", m->mae);
    if (st == AS_OK)
        st = as_json_set_num(obj, "rmse", m->rmse);
    if (st == AS_OK)
        st = as_json_set_num(obj, "r2", m->r2);
    if (st == AS_OK)
        st = as_json_set_num(obj, "cover1", m->cover1);
    if (st == AS_OK)
        st = as_json_set_num(obj, "cover2", m->cover2);
    if (st == AS_OK && isfinite(m->nll))
        st = as_json_set_num(obj, "nll", m->nll);
    return st;
}

static int write_cv_json(const cv_args *a, const as_gp_options *opt, size_t n, size_t d,
                         const size_t *fold, const double *y, const double *mean, const double *sd,
                         const as_gp_metrics *pf, const as_gp_metrics *pooled, const double *theta,
                         size_t nt)
{
    as_json *j = as_json_object(), *folds = as_json_array(), *rows = as_json_array();
    as_status st = j && folds && rows ? AS_OK : as_error_set(AS_ENOMEM, "gpr cv: summary");
    char sd_txt[32];
    snprintf(sd_txt, sizeof sd_txt, "%llu", a->seed);
    if (st == AS_OK)
        st = as_json_set_str(j, "command", "gpr cv");
    if (st == AS_OK)
        st = as_json_set_str(j, "data", a->data);
    if (st == AS_OK)
        st = as_json_set_str(j, "target", a->target);
    if (st == AS_OK)
        st = as_json_set_str(j, "seed", sd_txt);
    if (st == AS_OK)
        st = as_json_set_num(j, "n", (double)n);
    if (st == AS_OK)
        st = as_json_set_num(j, "d", (double)d);
    if (st == AS_OK)
        st = as_json_set_num(j, "k", (double)a->folds);
    if (st == AS_OK)
        st = as_json_set_num(j, "pca", a->pca);
    if (st == AS_OK)
        st = as_json_set_bool(j, "noise", opt->noise);
    if (st == AS_OK)
        st = as_json_set_bool(j, "normalize_y", opt->normalize_y);
    if (st == AS_OK && a->group)
        st = as_json_set_str(j, "group", a->group);
    for (size_t f = 0; f < a->folds && st == AS_OK; f++) {
        as_json *o = as_json_object();
        st = o ? metrics_json(o, &pf[f]) : as_error_set(AS_ENOMEM, "gpr cv: summary");
        size_t used = 0;
        while (used < nt && !isnan(theta[f * nt + used]))
            used++;
        if (st == AS_OK)
            st = as_json_set_doubles(o, "theta", theta + f * nt, used);
        if (st == AS_OK) {
            st = as_json_push(folds, o);
        } else {
            as_json_free(o);
        }
    }
    for (size_t i = 0; i < n && st == AS_OK; i++) {
        as_json *o = as_json_object();
        st = o ? as_json_set_num(o, "fold", (double)fold[i])
               : as_error_set(AS_ENOMEM, "gpr cv: summary");
        if (st == AS_OK)
            st = as_json_set_num(o, "y", y[i]);
        if (st == AS_OK)
            st = as_json_set_num(o, "mean", mean[i]);
        if (st == AS_OK)
            st = as_json_set_num(o, "std", sd[i]);
        if (st == AS_OK) {
            st = as_json_push(rows, o);
        } else {
            as_json_free(o);
        }
    }
    as_json *pj = as_json_object();
    if (st == AS_OK)
        st = pj ? metrics_json(pj, pooled) : as_error_set(AS_ENOMEM, "summary");
    if (st == AS_OK) {
        st = as_json_set_child(j, "pooled", pj);
        pj = NULL;
    }
    if (st == AS_OK) {
        st = as_json_set_child(j, "folds", folds);
        folds = NULL;
    }
    if (st == AS_OK) {
        st = as_json_set_child(j, "rows", rows);
        rows = NULL;
    }
    if (st == AS_OK)
        st = as_json_write_file(j, a->json);
    as_json_free(pj);
    as_json_free(folds);
    as_json_free(rows);
    as_json_free(j);
    return st == AS_OK ? 0 : cli_fail(st);
}

int as_cli_gpr_cv(int argc, char **argv)
{
    const char *cmd = "gpr cv";
    cv_args a = {.folds = 5, .restarts = 50, .pca = 0.99};
    const cli_opt opts[] = {
        {"data", 0, CLI_STR, &a.data, 0, NULL, NULL},
        {"target", 0, CLI_STR, &a.target, 0, NULL, NULL},
        {"features", 0, CLI_STR, &a.features, 0, NULL, NULL},
        {"drop", 0, CLI_STR, &a.drop, 0, NULL, NULL},
        {"group", 0, CLI_STR, &a.group, 0, NULL, NULL},
        {"folds", 0, CLI_SIZE, &a.folds, 0, NULL, NULL},
        {"pca", 0, CLI_DOUBLE, &a.pca, 0, NULL, NULL},
        {"restarts", 0, CLI_SIZE, &a.restarts, 0, NULL, NULL},
        {"threads", 0, CLI_SIZE, &a.threads, 0, NULL, NULL},
        {"no-noise", 0, CLI_FLAG, &a.no_noise, 0, NULL, NULL},
        {"ard", 0, CLI_FLAG, &a.ard, 0, NULL, NULL},
        {"no-normalize-y", 0, CLI_FLAG, &a.no_norm, 0, NULL, NULL},
        {"seed", 0, CLI_U64, &a.seed, 0, NULL, NULL},
        {"out", 0, CLI_STR, &a.out, 0, NULL, NULL},
        {"json", 0, CLI_STR, &a.json, 0, NULL, NULL},
        {"quiet", 0, CLI_FLAG, &a.quiet, 0, NULL, NULL},
        CLI_OPT_DELIMITER,
        CLI_OPT_ENCODING,
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    int rc = cli_parse(cmd, cv_help, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!a.data || !a.target)
        return cli_usage(cmd, "needs --data and --target");
    const cli_file files[] = {{"--data", a.data, 0}, {"--out", a.out, 1}, {"--json", a.json, 1}};
    if ((rc = cli_check_files(cmd, files, CLI_NFILES(files))))
        return rc;
    if (a.folds < 2)
        return cli_usage(cmd, "--folds must be >= 2");
    if (!(a.pca >= 0 && a.pca <= 1))
        return cli_usage(cmd, "--pca expects a fraction in [0, 1]");
    as_gp_options opt = as_gp_options_default();
    opt.restarts = a.restarts;
    opt.threads = a.threads;
    opt.noise = !a.no_noise;
    opt.ard = a.ard;
    opt.normalize_y = !a.no_norm;
    cli_log_init(a.quiet);
    as_table *t = NULL;
    double *x = NULL, *y = NULL, *mean = NULL, *sd = NULL, *theta = NULL;
    size_t *cols = NULL, *fold = NULL, *grp = NULL, tcol, gcol = (size_t)-1;
    as_gp_metrics *pf = NULL, pooled;
    as_outfile *of = NULL;
    as_status st = cli_read_csv(a.data, &t);
    if (st != AS_OK)
        return cli_fail(st);
    if ((st = as_table_find(t, a.target, &tcol)) != AS_OK)
        goto fail;
    if (a.group && (st = as_table_find(t, a.group, &gcol)) != AS_OK)
        goto fail;
    size_t n = as_table_rows(t), nc = as_table_cols(t), d = 0;
    cols = as_calloc(nc, sizeof *cols);
    if (!cols) {
        st = as_error_set(AS_ENOMEM, "gpr cv: columns");
        goto fail;
    }
    for (size_t c = 0; c < nc; c++)
        if (c != tcol && c != gcol && gpr_column_selected(as_table_name(t, c), a.features, a.drop))
            cols[d++] = c;
    if (d == 0) {
        st = as_error_set(AS_EINVAL, "%s: no feature columns selected", a.data);
        goto fail;
    }
    size_t nt = as_gp_n_theta(&opt, d);
    x = as_calloc(n * d + 1, sizeof *x);
    y = as_calloc(n + 1, sizeof *y);
    mean = as_calloc(n + 1, sizeof *mean);
    sd = as_calloc(n + 1, sizeof *sd);
    fold = as_calloc(n + 1, sizeof *fold);
    grp = as_calloc(n + 1, sizeof *grp);
    pf = as_calloc(a.folds, sizeof *pf);
    theta = as_calloc(a.folds * nt, sizeof *theta);
    if (!x || !y || !mean || !sd || !fold || !grp || !pf || !theta) {
        st = as_error_set(AS_ENOMEM, "gpr cv: %zu rows", n);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        if ((st = as_table_number(t, i, tcol, &y[i])) != AS_OK)
            goto fail;
        for (size_t j = 0; j < d; j++)
            if ((st = as_table_number(t, i, cols[j], &x[i * d + j])) != AS_OK)
                goto fail;
    }
    size_t ng = 0;
    if (a.group)
        for (size_t i = 0; i < n; i++) {
            const char *v = as_table_cell(t, i, gcol);
            size_t r = 0;
            while (r < i && strcmp(as_table_cell(t, r, gcol), v))
                r++;
            grp[i] = r < i ? grp[r] : ng++;
        }
    as_rng rng;
    as_rng_stream(&rng, a.seed, UINT64_C(0x6770726376)); /* "gprcv": the fold draw */
    if ((st = as_gp_kfold(n, a.folds, a.group ? grp : NULL, ng, &rng, fold)) != AS_OK)
        goto fail;
    if (!a.quiet)
        fprintf(stderr,
                "alloyscout: gpr cv: %zu rows, %zu features, %zu folds%s%s, %zu starts "
                "per fold\n",
                n, d, a.folds, a.group ? " by " : "", a.group ? a.group : "", a.restarts + 1);
    gpr_warn_fit_inputs(x, y, n, d, opt.noise);
    if ((st = as_gpr_model_cv(x, y, n, d, fold, a.folds, a.pca, &opt, a.seed, mean, sd, pf, &pooled,
                              theta)) != AS_OK)
        goto fail;
    if (a.out) {
        if ((st = as_outfile_open(a.out, &of)) != AS_OK)
            goto fail;
        FILE *f = as_outfile_stream(of);
        fprintf(f, "row,fold,%s,mean,std\n", a.target);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%zu,%zu,%.17g,%.17g,%.17g\n", i, fold[i] + 1, y[i], mean[i], sd[i]);
        st = as_outfile_commit(of);
        of = NULL;
        if (st != AS_OK)
            goto fail;
    }
    if (a.json &&
        (rc = write_cv_json(&a, &opt, n, d, fold, y, mean, sd, pf, &pooled, theta, nt)) != 0)
        goto done;
    printf("part           n          MAE         RMSE        R2  cover1  cover2        NLL\n");
    for (size_t f = 0; f < a.folds; f++) {
        char label[32];
        snprintf(label, sizeof label, "fold %zu", f + 1);
        print_row(label, &pf[f]);
    }
    print_row("pooled", &pooled);
    {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            m += y[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (y[i] - m) * (y[i] - m);
        printf("\ntarget %s: mean %.6g, std %.6g; cover1/cover2: fraction within 1/2 predicted "
               "std (0.683/0.954 when calibrated)\n",
               a.target, m, sqrt(v / (double)n));
    }
    rc = 0;
    goto done;
fail:
    rc = cli_fail(st);
done:
    if (of)
        as_outfile_abort(of);
    as_table_free(t);
    as_free(cols);
    as_free(x);
    as_free(y);
    as_free(mean);
    as_free(sd);
    as_free(fold);
    as_free(grp);
    as_free(pf);
    as_free(theta);
    return rc;
}
