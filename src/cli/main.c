/* alloyscout: the command-line entry point and the shared CLI helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *what;
} commands[] = {
    {"synth", as_cli_synth, "synthesis-outcome classifier: cv, holdout, train, predict, recommend"},
    {"lattice", as_cli_lattice, "alloy configurations: build, generate, features, convert"},
    {"energy", as_cli_energy, "label structures with an energy oracle"},
    {"label", as_cli_label, "label one structure file (what a cluster job runs)"},
    {"gpr", as_cli_gpr, "Gaussian-process regression: fit, predict"},
    {"screen", as_cli_screen, "ordering screen of Pt2CoM candidates (workflow B)"},
    {"campaign", as_cli_campaign, "look into a campaign store: status (systems, rounds, jobs)"},
    {"echem", as_cli_echem,
     "measurement arithmetic: fe, yield, loading, rhe, scherrer, dg, orr, "
     "calib, cdl"},
    {"demo", as_cli_demo, "run the workflows on the shipped data into ./alloyscout-demo/"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "alloyscout %s: machine-learning workflows for alloy catalysts\n\n"
            "usage: alloyscout <command> [options]\n\ncommands:\n",
            as_version());
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].what);
    fprintf(f, "  %-9s %s\n", "help", "this text; 'alloyscout help <command>' for one command");
    fprintf(f, "\nEvery command takes --help. Options shared by most: --seed N, --json FILE, "
               "--quiet.\nDocumentation: README.md and docs/.\n");
}

int main(int argc, char **argv)
{
    as_interrupt_install(); /* SIGINT/SIGTERM/SIGHUP stop children, clean up, exit 128+N */
    /* alloyscout runs independent tasks (folds, restarts, chains) on its own threads and its
     * matrix products are small: OpenBLAS's own pool would only spin (sched_yield) beside them,
     * a third of the CPU time in profiles. ALLOYSCOUT_BLAS_THREADS=N overrides. */
    const char *bt = getenv("ALLOYSCOUT_BLAS_THREADS");
    if (bt && atoi(bt) > 0)
        as_blas_threads_set(atoi(bt));
    else
        as_blas_single_threaded();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("alloyscout %s\n", as_version());
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
                if (!strcmp(argv[2], commands[i].name)) {
                    char *hargv[] = {argv[2], "--help", NULL};
                    return commands[i].fn(2, hargv);
                }
            return cli_usage("help", "unknown command '%s'", argv[2]);
        }
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "alloyscout: error: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("alloyscout: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int cli_fail(as_status st)
{
    const char *m = as_errmsg();
    return cli_error("%s", m && *m ? m : as_strerror(st));
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("alloyscout: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'alloyscout %s --help')\n", cmd);
    va_end(ap);
    return 2;
}

/* On a terminal a progress bar may own the last line of stderr: clear it before a message (the
 * next progress update draws the bar again below). */
static void cli_log_sink(as_log_level level, const char *msg, void *user)
{
    int quiet = *(int *)user;
    const char *clear = isatty(STDERR_FILENO) ? "\r\033[K" : "";
    if (level == AS_LOG_WARN)
        fprintf(stderr, "%salloyscout: warning: %s\n", clear, msg);
    else if (level == AS_LOG_INFO && !quiet)
        fprintf(stderr, "%salloyscout: %s\n", clear, msg);
}

as_status cli_report_command(as_report *rep, int argc, char **argv)
{
    char **cmd = as_calloc((size_t)argc + 2, sizeof *cmd);
    if (!cmd)
        return as_error_set(AS_ENOMEM, "report: command line");
    cmd[0] = "alloyscout";
    memcpy(cmd + 1, argv, (size_t)argc * sizeof *cmd);
    as_status st = as_report_command(rep, argc + 1, cmd);
    as_free(cmd);
    return st;
}

as_status cli_lock(const char *path, int argc, char **argv, as_lock **out)
{
    char cmd[1024];
    size_t L = (size_t)snprintf(cmd, sizeof cmd, "alloyscout");
    for (int i = 0; i < argc && L < sizeof cmd; i++)
        L += (size_t)snprintf(cmd + L, sizeof cmd - L, " %s", argv[i]);
    for (char *p = cmd; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return as_lock_acquire(path, cmd, out);
}

int cli_check_files(const char *cmd, const cli_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!f[i].path || !f[i].output)
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j == i || !f[j].path || (f[j].output && j < i) ||
                !as_path_same(f[i].path, f[j].path))
                continue;
            if (f[j].output)
                return cli_usage(
                    cmd, "%s %s and %s %s name the same file: give each output its own path",
                    f[i].flag, f[i].path, f[j].flag, f[j].path);
            return cli_usage(cmd,
                             "%s %s is the input %s %s: refusing to overwrite an input "
                             "(nothing was written)",
                             f[i].flag, f[i].path, f[j].flag, f[j].path);
        }
    }
    return 0;
}

void cli_log_init(int quiet)
{
    static int q;
    q = quiet;
    as_set_log(cli_log_sink, &q);
}

as_csv_options cli_csv;

int cli_opt_delimiter(const char *cmd, const char *opt, const char *arg, void *dest)
{
    as_csv_options *o = dest;
    (void)opt;
    if (!strcmp(arg, ",") || !strcmp(arg, "comma"))
        o->delimiter = ',';
    else if (!strcmp(arg, ";") || !strcmp(arg, "semicolon"))
        o->delimiter = ';';
    else if (!strcmp(arg, "tab") || !strcmp(arg, "\t") || !strcmp(arg, "\\t"))
        o->delimiter = '\t';
    else
        return cli_usage(cmd, "--delimiter: ',', ';' or tab, got '%s'", arg);
    return 0;
}

int cli_opt_encoding(const char *cmd, const char *opt, const char *arg, void *dest)
{
    as_csv_options *o = dest;
    (void)opt;
    static const char *const ok[] = {"utf-8",  "utf8",       "UTF-8",      "latin-1",
                                     "latin1", "iso-8859-1", "ISO-8859-1", "LATIN-1"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (!strcmp(arg, ok[i])) {
            o->encoding = arg;
            return 0;
        }
    return cli_usage(cmd, "--encoding: utf-8 or latin-1, got '%s'", arg);
}

as_status cli_read_csv(const char *path, as_table **out)
{
    return as_table_read_csv_opt(path, &cli_csv, out);
}
