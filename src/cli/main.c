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
    {"gpr", as_cli_gpr, "Gaussian-process regression: fit, predict, cv"},
    {"screen", as_cli_screen, "ordering screen of Pt2CoM candidates (workflow B)"},
    {"campaign", as_cli_campaign, "look into a campaign store: status (systems, rounds, jobs)"},
    {"echem", as_cli_echem,
     "measurement arithmetic: fe, yield, loading, rhe, scherrer, dg, orr, "
     "calib, cdl"},
    {"orr", as_cli_orr, "ORR stage: Pt-shell slabs, O*/OH* adsorption, dG, volcano"},
    {"demo", as_cli_demo, "run the workflows on the shipped data into ./alloyscout-demo/"},
};

/* The subcommands of a command, from the first line of its own --help (the one source, also
 * read by cmake/gen-man.cmake and tests/cli/test_help_consistency.sh): "usage: alloyscout CMD
 * <a|b|c>", or "usage: alloyscout CMD <subcommand>" followed by a list of "  name   what" lines.
 * The help is captured by running the command with --help into a temporary file. *n = 0 for a
 * command without subcommands. */
#define MAX_SUBS 24
typedef struct {
    char name[24], what[200];
} subcommand;

static char *help_text(size_t i)
{
    FILE *tmp = tmpfile();
    if (!tmp)
        return NULL;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
        if (saved >= 0)
            close(saved);
        fclose(tmp);
        return NULL;
    }
    char name[32], flag[] = "--help";
    snprintf(name, sizeof name, "%s", commands[i].name);
    char *hargv[] = {name, flag, NULL};
    commands[i].fn(2, hargv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    long n = ftell(tmp);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    rewind(tmp);
    if (text) {
        size_t got = fread(text, 1, (size_t)n, tmp);
        text[got] = '\0';
    }
    fclose(tmp);
    return text;
}

/* The "what" text of subcommand `name` in a help: the rest of a line "  name   what". */
static void sub_what(const char *help, const char *name, char *out, size_t cap)
{
    size_t L = strlen(name);
    out[0] = '\0';
    for (const char *l = help; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, "  ", 2) && !strncmp(l + 2, name, L) && l[2 + L] == ' ' &&
            l[3 + L] == ' ') {
            const char *w = l + 2 + L;
            while (*w == ' ')
                w++;
            size_t n = strcspn(w, "\n");
            snprintf(out, cap, "%.*s", (int)n, w);
            /* continuation lines: indented deeper than the names */
            for (const char *c = w + n; *c == '\n' && !strncmp(c + 1, "      ", 6);) {
                const char *t = c + 1;
                while (*t == ' ')
                    t++;
                size_t m = strcspn(t, "\n"), used = strlen(out);
                snprintf(out + used, cap - used, " %.*s", (int)m, t);
                c = t + m;
            }
            return;
        }
}

static size_t command_subs(size_t i, subcommand *subs)
{
    char *help = help_text(i);
    size_t n = 0;
    if (!help)
        return 0;
    char head[64];
    snprintf(head, sizeof head, "usage: alloyscout %s <", commands[i].name);
    const char *u = strstr(help, head);
    if (u && !strncmp(u + strlen(head), "subcommand>", 11)) {
        /* the list: consecutive "  name   what" lines after the usage line */
        int in = 0;
        for (const char *l = strchr(u, '\n'); l && n < MAX_SUBS; l = strchr(l + 1, '\n')) {
            const char *p = l + 1;
            size_t w = 0;
            while (p[2 + w] >= 'a' && p[2 + w] <= 'z')
                w++;
            int item = !strncmp(p, "  ", 2) && w > 0 && w < sizeof subs->name && p[2 + w] == ' ' &&
                       p[3 + w] == ' ';
            if (!item && in)
                break;
            if (item) {
                in = 1;
                snprintf(subs[n].name, sizeof subs[n].name, "%.*s", (int)w, p + 2);
                sub_what(help, subs[n].name, subs[n].what, sizeof subs[n].what);
                n++;
            }
        }
    } else if (u) {
        const char *p = u + strlen(head), *end = strchr(p, '>');
        while (end && p < end && n < MAX_SUBS) {
            size_t w = strcspn(p, "|>");
            snprintf(subs[n].name, sizeof subs[n].name, "%.*s", (int)w, p);
            sub_what(help, subs[n].name, subs[n].what, sizeof subs[n].what);
            n++;
            p += w + 1;
        }
    }
    free(help);
    return n;
}

static void usage(FILE *f)
{
    fprintf(f,
            "alloyscout %s: machine-learning workflows for alloy catalysts\n\n"
            "usage: alloyscout <command> [options]\n\ncommands:\n",
            as_version());
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].what);
    fprintf(f, "  %-9s %s\n", "help", "this text; 'alloyscout help <command>' for one command");
    if (f == stdout) { /* every subcommand, read from each command's own --help */
        fprintf(f, "\nsubcommands ('alloyscout <command> <subcommand> --help' for the options of "
                   "each):\n");
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
            subcommand subs[MAX_SUBS];
            size_t n = command_subs(i, subs);
            for (size_t k = 0; k < n; k++) {
                char both[64];
                snprintf(both, sizeof both, "%.30s %.23s", commands[i].name, subs[k].name);
                /* the text wrapped at 96 columns, continuation lines under its start */
                const char *w = subs[k].what;
                fprintf(f, "    %-18s", both);
                int col = 23;
                while (*w) {
                    size_t n = strcspn(w, " ");
                    if (col > 24 && col + 1 + (int)n > 96) {
                        fprintf(f, "\n%23s", "");
                        col = 23;
                    }
                    fprintf(f, " %.*s", (int)n, w);
                    col += 1 + (int)n;
                    w += n;
                    while (*w == ' ')
                        w++;
                }
                fputc('\n', f);
            }
        }
    }
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

int cli_figure_output(const char *cmd, const char *formats, size_t dpi, const char *report)
{
    /* cairo is opened on first use: with --report, find out now, before any work is done */
    if (report && as_report_figures_available() != AS_OK)
        return cli_fail(AS_EUNSUP);
    if (!formats && !dpi)
        return 0;
    if (dpi > 100000)
        return cli_usage(cmd, "--dpi %zu outside [50, 1200]", dpi);
    as_plot_output o;
    if (as_plot_output_parse(formats ? formats : "svg,png", dpi ? (int)dpi : 96, &o) != AS_OK ||
        as_plot_set_default_output(&o) != AS_OK)
        return cli_usage(cmd, "%s", as_errmsg());
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
