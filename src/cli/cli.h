/* The command-line layer: one file per command, all printing happens here. */
#ifndef AS_CLI_H
#define AS_CLI_H

#include "alloyscout/alloyscout.h"
#include "opt.h"

/* Each command gets argv with argv[0] = its own name ("synth", "lattice" ...) and returns the
 * process exit code: 0 success, 1 failure, 2 usage error. */
int as_cli_synth(int argc, char **argv);
int as_cli_lattice(int argc, char **argv);
int as_cli_energy(int argc, char **argv);
int as_cli_label(int argc, char **argv);
int as_cli_gpr(int argc, char **argv);
int as_cli_screen(int argc, char **argv);
int as_cli_campaign(int argc, char **argv);
int as_cli_echem(int argc, char **argv);
int as_cli_orr(int argc, char **argv);
int as_cli_demo(int argc, char **argv);

/* Print "alloyscout: error: <msg>" to stderr and return 1. */
int cli_error(const char *fmt, ...) AS_PRINTF(1, 2);
/* Print the library's last message for a failed status and return 1. */
int cli_fail(as_status st);
/* Print a usage error with a pointer to --help and return 2. */
int cli_usage(const char *cmd, const char *fmt, ...) AS_PRINTF(2, 3);
/* Install the stderr log sink (warnings always, info unless quiet). */
void cli_log_init(int quiet);
/* Record "alloyscout" + argv (argv[0] = the command's name) as the report's command line. */
as_status cli_report_command(as_report *rep, int argc, char **argv);
/* A file named on the command line: its flag ("--json", "FILE"), path (NULL: not given) and
 * whether the command writes it. */
typedef struct {
    const char *flag, *path;
    int output;
} cli_file;
/* Refuse (usage error, 2) an output path that names an input or another output (as_path_same:
 * symlinks and hard links included), before anything is written; 0 when all are distinct. */
int cli_check_files(const char *cmd, const cli_file *f, size_t n);
#define CLI_NFILES(a) (sizeof(a) / sizeof((a)[0]))

/* A CLI_CALL option callback NAME that parses its argument with the library's
 * `as_status PARSE(const char *text, T *out)` into dest; PARSE's message is the usage error. */
#define CLI_OPT_PARSER(NAME, PARSE)                                                \
    static int NAME(const char *cmd, const char *opt, const char *arg, void *dest) \
    {                                                                              \
        (void)opt;                                                                 \
        if (PARSE(arg, dest) != AS_OK)                                             \
            return cli_usage(cmd, "%s", as_errmsg());                              \
        return 0;                                                                  \
    }

/* The ORR stage's table (orr, screen --orr; src/cli/orr.c): the settings line and column
 * header, one row per system, the footnote. cli_parse_orr_size: "AxB" (1..64 each) into *a,
 * *b (0, or a printed usage error and 2; opt names the option). */
void cli_orr_header(const char *oracle, const as_orr_slab_options *opt);
void cli_orr_row(const char *name, const as_orr_slab_result *r);
void cli_orr_footer(const as_orr_slab_options *opt);
int cli_parse_orr_size(const char *cmd, const char *opt, const char *s, size_t *a, size_t *b);
/* DIR/orr_volcano: as_fig_orr_volcano with the curve of as_echem_orr_volcano_curve. */
as_status cli_orr_volcano(const char *dir, const char *const *names, const double *dg_oh,
                          const double *u_l, size_t n, long ref, const as_orr_options *o);

/* Take the one-writer lock of path (as_lock_acquire) with "alloyscout" + argv as the command
 * named to a second process. */
as_status cli_lock(const char *path, int argc, char **argv, as_lock **out);

/* --format LIST and --dpi N of the commands with --report: checked and set as the figures'
 * default output (as_plot_set_default_output). formats NULL and dpi 0 keep SVG + PNG at 96 dpi.
 * With report (--report DIR) given, also whether figures can be drawn (cairo opens), so a run
 * that could not write its report fails before it starts. 0, or a printed error and its code. */
int cli_figure_output(const char *cmd, const char *formats, size_t dpi, const char *report);
#define CLI_FIGURE_HELP                                                                        \
    "  --format LIST        figure files, any of svg,png,pdf (default svg,png); SVG and PDF\n" \
    "                       keep the text as text (selectable, editable)\n"                    \
    "  --dpi N              PNG resolution in dots per inch, 50-1200 (default 96: one pixel\n" \
    "                       per SVG pixel; 300 for print); recorded in the PNG\n"
/* CSV reading options shared by every command that reads CSV (--delimiter, --encoding; set
 * by the two entries below in a command's option table) and the reader that applies them. */
extern as_csv_options cli_csv;
int cli_opt_delimiter(const char *cmd, const char *opt, const char *arg, void *dest);
int cli_opt_encoding(const char *cmd, const char *opt, const char *arg, void *dest);
#define CLI_OPT_DELIMITER                                              \
    {                                                                  \
        "delimiter", 0, CLI_CALL, &cli_csv, 0, cli_opt_delimiter, NULL \
    }
#define CLI_OPT_ENCODING                                             \
    {                                                                \
        "encoding", 0, CLI_CALL, &cli_csv, 0, cli_opt_encoding, NULL \
    }
#define CLI_CSV_HELP                                                               \
    "  --delimiter D        CSV field separator: , ; or tab (default: detected)\n" \
    "  --encoding E         CSV encoding: utf-8 (default) or latin-1\n"
as_status cli_read_csv(const char *path, as_table **out);

/* The oracle run options energy, label and screen share (docs/oracle.md): entries of an option
 * table writing into the as_oracle_options at O. */
/* clang-format off */
#define CLI_ORACLE_RUN_OPTS(O)                                                            \
    {"e-atom-max", 0, CLI_DOUBLE, &(O)->e_atom_max_ev, 0, NULL, NULL},                    \
    {"cell-tol", 0, CLI_DOUBLE, &(O)->cell_tol_ang, 0, NULL, NULL},                       \
    {"accept-unconverged", 0, CLI_FLAG, &(O)->accept_unconverged, 0, NULL, NULL},         \
    {"keep-workdirs", 0, CLI_FLAG, &(O)->keep_files, 0, NULL, NULL},                      \
    {"scratch", 0, CLI_STR, &(O)->workdir, 0, NULL, NULL},                                \
    {"nprocs", 0, CLI_SIZE, &(O)->nprocs, 0, NULL, NULL},                                 \
    {"oracle-version", 0, CLI_STR, &(O)->oracle_version, 0, NULL, NULL}
/* clang-format on */

#endif
