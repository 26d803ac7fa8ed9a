/* alloyscout gpr: fit the workflow-B regression model (z-score, PCA, GPR; seed 004 Methods
 * "Machine Learning") to a CSV table, and predict mean and standard deviation for new rows. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/data.h"
#include "alloyscout/gp.h"
#include "alloyscout/json.h"
#include "cli.h"

/* src/cli/gpr_cv.c: 'gpr cv', column selection by glob patterns and the fit diagnostics */
int as_cli_gpr_cv(int argc, char **argv);
int gpr_column_selected(const char *name, const char *features, const char *drop);
void gpr_warn_fit_inputs(const double *x, const double *y, size_t n, size_t d, int noise);
void gpr_warn_fit_lml(const as_gpr_model *m, const double *y, size_t n);

static const char *gpr_help =
    "usage: alloyscout gpr <fit|predict|cv> [options]\n"
    "\n"
    "Gaussian-process regression with k(x,x') = C^2 exp(-|x-x'|^2 / (2 l^2)) after z-scoring\n"
    "and PCA, fitted by maximising the log-marginal-likelihood (L-BFGS in log space, restarts).\n"
    "\n"
    "  fit      fit the GP on a CSV table and write the model (JSON)\n"
    "  predict  mean and std of a saved model on new rows\n"
    "  cv       k-fold (or grouped) cross-validation of the GP\n"
    "\n"
    "  gpr fit     --data F.csv --target COL --model G.json [--pca 0.99] [--restarts 50]\n"
    "  gpr predict --model G.json --data X.csv --out P.csv\n"
    "  gpr cv      --data F.csv --target COL [--folds 5] [--group COL]\n"
    "\n"
    "'alloyscout gpr <subcommand> --help' lists the options of each.\n";

static const char *gpr_fit_help =
    "usage: alloyscout gpr fit --data F.csv --target COL --model G.json [options]\n"
    "\n"
    "Fit the Gaussian process (z-score, PCA, LML maximised with restarts) and write the model.\n"
    "\n"
    "  --data FILE        CSV with a header row; every column except the target (and --drop)\n"
    "                     is a feature and must be numeric\n"
    "  --target COL       the column to regress\n"
    "  --drop COLS        comma-separated columns (glob patterns) to leave out of the features\n"
    "  --features PATS    comma-separated glob patterns of the feature columns (default: all\n"
    "                     but the target and --drop), e.g. 'c_*,bondfrac*,pcf*'\n"
    "  --pca F            keep the fewest principal components whose variance fraction exceeds\n"
    "                     F (0.99, the paper); 0 = z-score only, no PCA\n"
    "  --restarts N       random restarts after the first start (50, the paper)\n"
    "  --no-noise         no white-noise term (default: a fitted white-noise term s, bounds\n"
    "                     1e-5..1e5, as in 'screen'; --noise is accepted and is the default)\n"
    "  --ard              one length scale per (PCA) feature\n"
    "  --no-normalize-y   fit raw targets (default: targets are z-scored inside the GP)\n"
    "  --c2-bounds LO:HI  bounds on C^2 (1e-5:1e3)\n"
    "  --ls-bounds LO:HI  bounds on the length scale l (1e-5:1e3)\n"
    "  --jitter A         added to the kernel diagonal (1e-10)\n"
    "  --threads N        threads running the restarts (0 = all processors; the result does\n"
    "                     not depend on it)\n"
    "  --model FILE       model file to write (JSON, docs/gp.md)\n"
    "  --seed N (0), --json FILE (summary), --quiet\n"
    "CSV: --delimiter , ; or tab (default: detected), --encoding utf-8 (default) or latin-1;\n"
    "FILE - is standard input\n";

static const char *gpr_predict_help =
    "usage: alloyscout gpr predict --model G.json --data X.csv --out P.csv [options]\n"
    "\n"
    "Predict the mean and standard deviation of a saved model on new rows.\n"
    "\n"
    "  --model FILE       a model written by 'gpr fit'\n"
    "  --data FILE        CSV holding (at least) the model's feature columns\n"
    "  --out FILE         CSV: the input columns plus 'mean' and 'std' (input columns of\n"
    "                     those names are replaced in place)\n"
    "  --json FILE (summary), --quiet\n"
    "CSV: --delimiter , ; or tab (default: detected), --encoding utf-8 (default) or latin-1;\n"
    "FILE - is standard input/output\n";

typedef struct {
    const char *data, *target, *drop, *model, *out, *json, *features;
    double pca;
    uint64_t seed;
    int quiet;
    as_gp_options opt;
} gpr_args;

/* n zeroed elements of `size` bytes into *(void **)out, or AS_ENOMEM naming what. */
static as_status alloc(void *out, size_t n, size_t size, const char *what)
{
    void *p = as_calloc(n ? n : 1, size);
    *(void **)out = p;
    return p ? AS_OK : as_error_set(AS_ENOMEM, "gpr: cannot allocate %s", what);
}
#define ALLOC(ptr, n, what) alloc(&(ptr), (n), sizeof *(ptr), (what))

static int parse_bounds(const char *opt, const char *s, double *lo, double *hi)
{
    char buf[128];
    const char *colon = s ? strchr(s, ':') : NULL;
    if (!colon || strlen(s) >= sizeof buf)
        return cli_usage("gpr", "%s expects LO:HI, got '%s'", opt, s ? s : "");
    memcpy(buf, s, (size_t)(colon - s));
    buf[colon - s] = 0;
    if (cli_parse_double("gpr", opt, buf, lo) || cli_parse_double("gpr", opt, colon + 1, hi))
        return 2;
    return 0;
}

static int write_fit_json(const char *path, const as_gpr_model *m, size_t n, uint64_t seed)
{
    as_gp *gp = as_gpr_model_gp(m);
    size_t nt = as_gp_n_theta_of(gp), k = as_gp_d(gp);
    int flags[64];
    size_t stuck = as_gp_at_bound(gp, nt <= 64 ? flags : NULL);
    char sd[32];
    snprintf(sd, sizeof sd, "%" PRIu64, seed);
    as_json *j = as_json_object();
    as_status st = j ? AS_OK : as_error_set(AS_ENOMEM, "gpr: cannot build the summary");
    if (st == AS_OK)
        st = as_json_set_str(j, "command", "gpr fit");
    if (st == AS_OK)
        st = as_json_set_str(j, "seed", sd);
    if (st == AS_OK)
        st = as_json_set_num(j, "n", (double)n);
    if (st == AS_OK)
        st = as_json_set_num(j, "d", (double)as_gpr_model_d(m));
    if (st == AS_OK)
        st = as_json_set_num(j, "pca_components", (double)k);
    if (st == AS_OK)
        st = as_json_set_num(j, "c2", as_gp_c2(gp));
    if (st == AS_OK)
        st = as_json_set_doubles(j, "length_scales", as_gp_length_scales(gp),
                                 as_gp_options_of(gp)->ard ? k : 1);
    if (st == AS_OK)
        st = as_json_set_num(j, "noise", as_gp_noise(gp));
    if (st == AS_OK)
        st = as_json_set_num(j, "lml", as_gp_lml_value(gp));
    if (st == AS_OK)
        st = as_json_set_num(j, "jitter", as_gp_jitter_used(gp));
    if (st == AS_OK)
        st = as_json_set_num(j, "starts", (double)(as_gp_options_of(gp)->restarts + 1));
    if (st == AS_OK)
        st = as_json_set_num(j, "ok_starts", (double)as_gp_ok_starts(gp));
    if (st == AS_OK)
        st = as_json_set_num(j, "best_start", (double)as_gp_best_start(gp));
    if (st == AS_OK)
        st = as_json_set_num(j, "at_bound", (double)stuck);
    if (st == AS_OK)
        st = as_json_write_file(j, path);
    as_json_free(j);
    return st == AS_OK ? 0 : cli_fail(st);
}

static int gpr_fit(const gpr_args *a)
{
    if (!a->data || !a->target || !a->model)
        return cli_usage("gpr", "fit needs --data, --target and --model");
    as_table *t = NULL;
    as_gpr_model *m = NULL;
    double *x = NULL, *y = NULL;
    size_t *cols = NULL, tcol;
    const char **names = NULL;
    int rc = 1;
    as_status st = cli_read_csv(a->data, &t);
    if (st != AS_OK)
        return cli_fail(st);
    if ((st = as_table_find(t, a->target, &tcol)) != AS_OK)
        goto fail;
    size_t n = as_table_rows(t), nc = as_table_cols(t), d = 0;
    if ((st = ALLOC(cols, nc, "feature columns")) != AS_OK ||
        (st = ALLOC(names, nc, "feature names")) != AS_OK)
        goto fail;
    for (size_t c = 0; c < nc; c++)
        if (c != tcol && gpr_column_selected(as_table_name(t, c), a->features, a->drop)) {
            names[d] = as_table_name(t, c);
            cols[d++] = c;
        }
    if (d == 0) {
        st = as_error_set(AS_EINVAL, "%s: no feature columns besides the target '%s'", a->data,
                          a->target);
        goto fail;
    }
    if (n < 2) {
        st = as_error_set(AS_EINVAL, "%s: need at least 2 rows to fit, got %zu", a->data, n);
        goto fail;
    }
    if ((st = ALLOC(x, n * d, "features")) != AS_OK || (st = ALLOC(y, n, "targets")) != AS_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if ((st = as_table_number(t, i, tcol, &y[i])) != AS_OK)
            goto fail;
        for (size_t j = 0; j < d; j++)
            if ((st = as_table_number(t, i, cols[j], &x[i * d + j])) != AS_OK)
                goto fail;
    }
    if (!a->quiet)
        fprintf(stderr, "alloyscout: gpr fit: %zu rows, %zu features, %zu starts\n", n, d,
                a->opt.restarts + 1);
    gpr_warn_fit_inputs(x, y, n, d, a->opt.noise);
    if ((st = as_gpr_model_fit(x, y, n, d, a->pca, &a->opt, a->seed, NULL, &m)) != AS_OK)
        goto fail;
    gpr_warn_fit_lml(m, y, n);
    if ((st = as_gpr_model_set_features(m, names)) != AS_OK ||
        (st = as_gpr_model_set_target(m, a->target)) != AS_OK ||
        (st = as_gpr_model_save(m, a->model)) != AS_OK)
        goto fail;
    as_gp *gp = as_gpr_model_gp(m);
    if (!a->quiet)
        fprintf(stderr,
                "alloyscout: gpr fit: %zu PCA components, C^2 = %.6g, l = %.6g%s, "
                "LML = %.10g -> %s\n",
                as_gp_d(gp), as_gp_c2(gp), as_gp_length_scales(gp)[0], a->opt.ard ? " (first)" : "",
                as_gp_lml_value(gp), a->model);
    rc = a->json ? write_fit_json(a->json, m, n, a->seed) : 0;
    goto done;
fail:
    rc = cli_fail(st);
done:
    as_gpr_model_free(m);
    as_table_free(t);
    as_free(x);
    as_free(y);
    as_free(cols);
    as_free(names);
    return rc;
}

static int gpr_predict(const gpr_args *a)
{
    if (!a->model || !a->data || !a->out)
        return cli_usage("gpr", "predict needs --model, --data and --out");
    as_gpr_model *m = NULL;
    as_table *t = NULL;
    as_outfile *of = NULL;
    double *x = NULL, *mean = NULL, *sd = NULL;
    size_t *cols = NULL;
    const char **fields = NULL;
    int rc = 1;
    as_status st = as_gpr_model_load(a->model, &m);
    if (st != AS_OK)
        return cli_fail(st);
    if ((st = cli_read_csv(a->data, &t)) != AS_OK)
        goto fail;
    size_t n = as_table_rows(t), nc = as_table_cols(t), d = as_gpr_model_d(m);
    if ((st = ALLOC(cols, d, "feature columns")) != AS_OK)
        goto fail;
    for (size_t j = 0; j < d; j++) {
        const char *name = as_gpr_model_feature_name(m, j);
        if (!name) {
            st = as_error_set(AS_EINVAL, "%s: the model has no feature names", a->model);
            goto fail;
        }
        if ((st = as_table_find(t, name, &cols[j])) != AS_OK)
            goto fail;
    }
    if ((st = ALLOC(x, n * d, "features")) != AS_OK || (st = ALLOC(mean, n, "means")) != AS_OK ||
        (st = ALLOC(sd, n, "stds")) != AS_OK || (st = ALLOC(fields, nc + 2, "fields")) != AS_OK)
        goto fail;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            if ((st = as_table_number(t, i, cols[j], &x[i * d + j])) != AS_OK)
                goto fail;
    if ((st = as_gpr_model_predict(m, x, n, mean, sd)) != AS_OK)
        goto fail;
    if ((st = as_outfile_open(a->out, &of)) != AS_OK)
        goto fail;
    FILE *f = as_outfile_stream(of);
    /* input columns named mean or std (a predictions file predicted again) are replaced in
     * their place: no column name appears twice */
    size_t at_mean = (size_t)-1, at_sd = (size_t)-1, nout = nc;
    for (size_t c = 0; c < nc; c++) {
        if (!strcmp(as_table_name(t, c), "mean"))
            at_mean = c;
        if (!strcmp(as_table_name(t, c), "std"))
            at_sd = c;
    }
    if (at_mean == (size_t)-1)
        at_mean = nout++;
    if (at_sd == (size_t)-1)
        at_sd = nout++;
    for (size_t c = 0; c < nc; c++)
        fields[c] = as_table_name(t, c);
    fields[at_mean] = "mean";
    fields[at_sd] = "std";
    if ((st = as_csv_write_row(f, fields, nout)) != AS_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        char mb[32], sb[32];
        snprintf(mb, sizeof mb, "%.17g", mean[i]);
        snprintf(sb, sizeof sb, "%.17g", sd[i]);
        for (size_t c = 0; c < nc; c++)
            fields[c] = as_table_cell(t, i, c);
        fields[at_mean] = mb;
        fields[at_sd] = sb;
        if ((st = as_csv_write_row(f, fields, nout)) != AS_OK)
            goto fail;
    }
    if (a->json) { /* the summary first: when it cannot be written, neither is the CSV */
        as_json *j = as_json_object();
        st = j ? as_json_set_str(j, "command", "gpr predict")
               : as_error_set(AS_ENOMEM, "gpr: cannot build the summary");
        if (st == AS_OK)
            st = as_json_set_num(j, "rows", (double)n);
        if (st == AS_OK)
            st = as_json_set_str(j, "out", a->out);
        if (st == AS_OK)
            st = as_json_write_file(j, a->json);
        as_json_free(j);
        if (st != AS_OK)
            goto fail;
    }
    st = as_outfile_commit(of);
    of = NULL;
    if (st != AS_OK) {
        if (a->json && strcmp(a->json, "-"))
            remove(a->json);
        goto fail;
    }
    if (!a->quiet)
        fprintf(stderr, "alloyscout: gpr predict: %zu rows -> %s\n", n, a->out);
    rc = 0;
    goto done;
fail:
    rc = cli_fail(st);
done:
    if (of)
        as_outfile_abort(of);
    as_gpr_model_free(m);
    as_table_free(t);
    as_free(x);
    as_free(mean);
    as_free(sd);
    as_free(cols);
    as_free(fields);
    return rc;
}

typedef struct {
    double *lo, *hi;
} bounds;

static int opt_bounds(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)cmd;
    bounds *b = dest;
    return parse_bounds(opt, arg, b->lo, b->hi);
}

static int opt_pca(const char *cmd, const char *opt, const char *arg, void *dest)
{
    double *pca = dest;
    if (cli_parse_double(cmd, opt, arg, pca))
        return 2;
    if (!(*pca >= 0 && *pca <= 1))
        return cli_usage(cmd, "--pca expects a fraction in [0, 1], got '%s'", arg);
    return 0;
}

int as_cli_gpr(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(gpr_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "cv"))
        return as_cli_gpr_cv(argc - 1, argv + 1);
    if (strcmp(sub, "fit") && strcmp(sub, "predict"))
        return cli_usage("gpr", "unknown subcommand '%s' (fit, predict or cv)", sub);
    gpr_args a;
    memset(&a, 0, sizeof a);
    a.pca = 0.99;
    a.opt = as_gp_options_default();
    a.opt.noise = 1; /* fitted white noise by default, as the screen does */
    int no_norm = 0, no_noise = 0;
    bounds c2b = {&a.opt.c2_lo, &a.opt.c2_hi}, lsb = {&a.opt.ls_lo, &a.opt.ls_hi};
    const cli_opt opts[] = {
        {"data", 0, CLI_STR, &a.data, 0, NULL, NULL},
        {"target", 0, CLI_STR, &a.target, 0, NULL, NULL},
        {"drop", 0, CLI_STR, &a.drop, 0, NULL, NULL},
        {"pca", 0, CLI_CALL, &a.pca, 0, opt_pca, NULL},
        {"restarts", 0, CLI_SIZE, &a.opt.restarts, 0, NULL, NULL},
        {"noise", 0, CLI_FLAG, &a.opt.noise, 0, NULL, NULL},
        {"no-noise", 0, CLI_FLAG, &no_noise, 0, NULL, NULL},
        {"features", 0, CLI_STR, &a.features, 0, NULL, NULL},
        {"ard", 0, CLI_FLAG, &a.opt.ard, 0, NULL, NULL},
        {"no-normalize-y", 0, CLI_FLAG, &no_norm, 0, NULL, NULL},
        {"c2-bounds", 0, CLI_CALL, &c2b, 0, opt_bounds, NULL},
        {"ls-bounds", 0, CLI_CALL, &lsb, 0, opt_bounds, NULL},
        {"jitter", 0, CLI_DOUBLE, &a.opt.jitter, 0, NULL, NULL},
        {"threads", 0, CLI_SIZE, &a.opt.threads, 0, NULL, NULL},
        {"model", 0, CLI_STR, &a.model, 0, NULL, NULL},
        {"out", 0, CLI_STR, &a.out, 0, NULL, NULL},
        {"seed", 0, CLI_U64, &a.seed, 0, NULL, NULL},
        {"json", 0, CLI_STR, &a.json, 0, NULL, NULL},
        {"quiet", 0, CLI_FLAG, &a.quiet, 0, NULL, NULL},
        CLI_OPT_DELIMITER,
        CLI_OPT_ENCODING,
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    int fit = !strcmp(sub, "fit");
    int rc = cli_parse(fit ? "gpr fit" : "gpr predict", fit ? gpr_fit_help : gpr_predict_help,
                       argc - 1, argv + 1, opts, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (no_norm)
        a.opt.normalize_y = 0;
    if (no_noise)
        a.opt.noise = 0;
    if (a.opt.jitter > a.opt.jitter_max)
        a.opt.jitter_max = a.opt.jitter;
    as_gp_options_center_inits(&a.opt);
    as_status st = as_gp_options_check(&a.opt);
    if (st != AS_OK)
        return cli_usage("gpr", "%s", as_errmsg());
    const cli_file files[] = {{"--data", a.data, 0},
                              {"--model", a.model, fit},
                              {"--out", a.out, 1},
                              {"--json", a.json, 1}};
    if ((rc = cli_check_files(fit ? "gpr fit" : "gpr predict", files, CLI_NFILES(files))))
        return rc;
    cli_log_init(a.quiet);
    return fit ? gpr_fit(&a) : gpr_predict(&a);
}
