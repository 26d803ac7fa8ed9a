/* alloyscout demo: both workflows on the shipped data, results in ./alloyscout-demo/ (or --out).
 * It runs the same commands a user would type and shows each one. */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloyscout/report.h"
#include "cli.h"

static const char *demo_help =
    "usage: alloyscout demo [--out DIR] [--seed N] [--quiet] [--no-screen]\n"
    "\n"
    "Workflow A on the shipped dataset data/mpea_synthesis.csv (Borg et al. 2020): 5-fold\n"
    "cross-validation with composition descriptors, a hold-out of two alloy systems, a trained\n"
    "model and a recommendation sweep; then a short workflow-B ordering screen (PtCo, Cu, Ni,\n"
    "Pb; 3 rounds) with the shipped Zhou 2004 EAM parameters. Results, figures and an\n"
    "index.html go to DIR (default ./alloyscout-demo/). The data are looked up in\n"
    "$ALLOYSCOUT_DATA, then <prefix>/share/alloyscout next to the program (docs/install.md).\n";

typedef struct {
    const char *seed;
    int quiet;
} demo_opts;

/* Run `alloyscout CMD ARGS... --seed SEED [--quiet]` (args NULL-terminated), showing it. */
static int run(int (*cmd)(int, char **), const char *title, char **args, const demo_opts *o)
{
    char *argv[48];
    int argc = 0;
    while (args[argc] && argc < 44) {
        argv[argc] = args[argc];
        argc++;
    }
    argv[argc++] = "--seed";
    argv[argc++] = (char *)o->seed;
    if (o->quiet)
        argv[argc++] = "--quiet";
    argv[argc] = NULL;
    printf("\n== %s\n$ alloyscout", title);
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    fflush(stdout);
    int rc = cmd(argc, argv);
    fflush(stdout);
    return rc;
}

/* A one-row base record for recommend: equiatomic AlCoCrFeNi, cast, every column filled. */
static int write_base(const char *data, const char *base)
{
    char header[8192];
    FILE *src = fopen(data, "r");
    if (!src || !fgets(header, sizeof header, src)) {
        if (src)
            fclose(src);
        return cli_error("cannot read the header of %s", data);
    }
    fclose(src);
    as_outfile *of = NULL;
    as_status st = as_outfile_open(base, &of); /* written whole or not at all */
    if (st != AS_OK)
        return cli_fail(st);
    FILE *f = as_outfile_stream(of);
    fputs(header, f);
    header[strcspn(header, "\r\n")] = '\0';
    int first = 1;
    char *save = NULL;
    for (char *tok = strtok_r(header, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const char *v = "0";
        if (!strcmp(tok, "alloy") || !strcmp(tok, "formula"))
            v = "Al1 Co1 Cr1 Fe1 Ni1";
        else if (!strcmp(tok, "system"))
            v = "AlCoCrFeNi";
        else if (!strcmp(tok, "processing"))
            v = "CAST";
        else if (!strcmp(tok, "single_phase"))
            v = "";
        else if (!strcmp(tok, "n_sources") || !strcmp(tok, "label_agreement"))
            v = "1";
        else if (!strcmp(tok, "Al") || !strcmp(tok, "Co") || !strcmp(tok, "Cr") ||
                 !strcmp(tok, "Fe") || !strcmp(tok, "Ni"))
            v = "0.2";
        fprintf(f, "%s%s", first ? "" : ",", v);
        first = 0;
    }
    fputc('\n', f);
    return (st = as_outfile_commit(of)) == AS_OK ? 0 : cli_fail(st);
}

/* The top page: links to the reports of each step and their main figures. */
static int write_index(const char *out, int with_screen)
{
    as_report *r = NULL;
    as_status st = as_report_create(out, "alloyscout demo", &r);
    char path[4096];
#define TRY(x)       \
    if (st == AS_OK) \
    st = (x)
    TRY(as_report_paragraph(r, "Both workflows of alloyscout on shipped data. Each step has its "
                               "own page: synth-cv/index.html, recommend/index.html"
                               " and screen/index.html; the numbers are in the JSON files "
                               "beside them."));
    TRY(as_report_heading(r, "Workflow A: will a synthesis give a single-phase solid solution?"));
    snprintf(path, sizeof path, "%s/synth-cv/roc.svg", out);
    if (access(path, R_OK) == 0)
        TRY(as_report_figure(r, "synth-cv/roc",
                             "5-fold cross-validation on the MPEA dataset "
                             "(see synth-cv/index.html)"));
    snprintf(path, sizeof path, "%s/recommend/recommend_map.svg", out);
    if (access(path, R_OK) == 0)
        TRY(as_report_figure(r, "recommend/recommend_map",
                             "Predicted success of AlxCoCrFeNi "
                             "over Al content (formula index 0-6: x = 0, 0.25, 0.5, 0.75, 1, "
                             "1.5, 2) and processing route (see recommend/index.html)"));
    if (with_screen) {
        TRY(as_report_heading(r, "Workflow B: which third element makes Pt-Co order?"));
        snprintf(path, sizeof path, "%s/screen/ordering_energy.svg", out);
        if (access(path, R_OK) == 0)
            TRY(as_report_figure(r, "screen/ordering_energy",
                                 "Ordering energy per candidate "
                                 "(see screen/index.html)"));
        TRY(as_report_warning(r, "The shipped EAM potential is fitted to pure metals; the "
                                 "screen's ranking exercises the workflow, decisions need DFT "
                                 "or an alloy-fitted potential (--oracle cmd:... or "
                                 "lammps:...)."));
    }
    TRY(as_report_finish(r));
#undef TRY
    as_report_free(r);
    return st == AS_OK ? 0 : cli_fail(st);
}

int as_cli_demo(int argc, char **argv)
{
    const char *out = "alloyscout-demo";
    demo_opts o = {"1", 0};
    int with_screen = 1;
    int no_screen = 0;
    const cli_opt opts[] = {
        {"out", 0, CLI_STR, &out, 0, NULL, NULL},
        {"seed", 0, CLI_STR, &o.seed, 0, NULL, NULL}, /* passed on to each command */
        {"quiet", 0, CLI_FLAG, &o.quiet, 0, NULL, NULL},
        {"no-screen", 0, CLI_FLAG, &no_screen, 0, NULL, NULL},
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    int prc = cli_parse("demo", demo_help, argc, argv, opts, NULL, 0, NULL);
    if (prc)
        return prc < 0 ? 0 : prc;
    with_screen = !no_screen;
    char data[4096];
    {
        char *found = NULL;
        as_status st = as_data_path("mpea_synthesis.csv", &found);
        if (st != AS_OK)
            return cli_fail(st);
        /* shown as the user would type it: relative to the working directory when inside it
         * (from a source tree: data/mpea_synthesis.csv) */
        char real[PATH_MAX], cwd[PATH_MAX];
        const char *shown = found;
        if (realpath(found, real) && getcwd(cwd, sizeof cwd)) {
            size_t n = strlen(cwd);
            shown = real;
            if (strncmp(real, cwd, n) == 0 && real[n] == '/')
                shown = real + n + 1;
        }
        snprintf(data, sizeof data, "%s", shown);
        as_free(found);
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST)
        return cli_error("cannot create %s: %s", out, strerror(errno));
    char p[8][4096];
    const char *names[8] = {"synth_cv.json",    "synth_cv_roc.csv",   "synth_holdout.json",
                            "synth_model.json", "recommend_base.csv", "recommend.csv",
                            "screen.json",      "screen.sqlite"};
    for (int i = 0; i < 8; i++)
        snprintf(p[i], sizeof p[i], "%s/%s", out, names[i]);
    char rep_cv[4096], rep_rec[4096], rep_screen[4096];
    snprintf(rep_cv, sizeof rep_cv, "%s/synth-cv", out);
    snprintf(rep_rec, sizeof rep_rec, "%s/recommend", out);
    snprintf(rep_screen, sizeof rep_screen, "%s/screen", out);
    char *drop = "alloy,n_sources,label_agreement";     /* holdout: groups are systems */
    char *drop_cv = "system,n_sources,label_agreement"; /* cv/train: groups are alloys */
    int rc;

    printf("alloyscout demo, workflow A (synthesis outcome) on %s\n", data);
    {
        char *a[] = {"synth",   "cv",    "--data", data,    "--target",      "single_phase",
                     "--group", "alloy", "--drop", drop_cv, "--composition", "formula",
                     "--json",  p[0],    "--roc",  p[1],    "--report",      rep_cv,
                     NULL};
        if ((rc = run(as_cli_synth, "stratified 5-fold cross-validation, each alloy in one fold", a,
                      &o)))
            return rc;
    }
    {
        char *a[] = {"synth",
                     "holdout",
                     "--data",
                     data,
                     "--target",
                     "single_phase",
                     "--group",
                     "system",
                     "--drop",
                     drop,
                     "--composition",
                     "formula",
                     "--test-group",
                     "CoCrFeMnNi,AlCoCrFeNi",
                     "--json",
                     p[2],
                     NULL};
        if ((rc = run(as_cli_synth,
                      "train on every other alloy system, test on CoCrFeMnNi and "
                      "AlCoCrFeNi",
                      a, &o)))
            return rc;
    }
    {
        char *a[] = {"synth",         "train",   "--data",  data,     "--target",
                     "single_phase",  "--group", "alloy",   "--drop", drop_cv,
                     "--composition", "formula", "--model", p[3],     NULL};
        if ((rc = run(as_cli_synth, "train the model (all rows plus 5 fold members)", a, &o)))
            return rc;
    }
    if ((rc = write_base(data, p[4])))
        return rc;
    {
        char *a[] = {"synth",
                     "recommend",
                     "--model",
                     p[3],
                     "--base",
                     p[4],
                     "--vary",
                     "formula=CoCrFeNi,Al0.25CoCrFeNi,Al0.5CoCrFeNi,Al0.75CoCrFeNi,Al1CoCrFeNi,"
                     "Al1.5CoCrFeNi,Al2CoCrFeNi",
                     "--vary",
                     "processing=CAST,WROUGHT,ANNEAL,POWDER",
                     "--top",
                     "8",
                     "--out",
                     p[5],
                     "--report",
                     rep_rec,
                     NULL};
        if ((rc = run(as_cli_synth,
                      "recommend: vary the Al content of AlxCoCrFeNi and the "
                      "processing route",
                      a, &o)))
            return rc;
    }
    if (with_screen) {
        /* a fresh campaign each time the demo runs */
        char side[4200];
        remove(p[7]);
        snprintf(side, sizeof side, "%s-wal", p[7]);
        remove(side);
        snprintf(side, sizeof side, "%s-shm", p[7]);
        remove(side);
        printf("\nalloyscout demo, workflow B (ordering screen) with the Zhou 2004 EAM\n");
        char *a[] = {"screen", "--candidates", "Cu,Ni,Pb", "--oracle",    "eam", "--db",
                     p[7],     "--rounds",     "3",        "--n-ordered", "100", "--n-random",
                     "100",    "--n-across",   "600",      "--restarts",  "10",  "--json",
                     p[6],     "--report",     rep_screen, NULL};
        if ((rc = run(as_cli_screen,
                      "a short screen: PtCo and Pt2CoM for M = Cu, Ni, Pb, 3 "
                      "active-learning rounds",
                      a, &o)))
            return rc;
    }
    if ((rc = write_index(out, with_screen)))
        return rc;
    /* every file and report directory the demo wrote, from the same list it wrote them by */
    printf("\nresults in %s/: index.html", out);
    for (int i = 0; i < 8; i++)
        if (with_screen || i < 6)
            printf(", %s", names[i]);
    printf("; reports (index.html + figures) in synth-cv/, recommend/%s\n",
           with_screen ? ", screen/" : "");
    return 0;
}
