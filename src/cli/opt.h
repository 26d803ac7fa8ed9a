/* The one option parser of the command line: every command describes its options in a table of
 * cli_opt and calls cli_parse, which accepts them in any order as "--name VALUE",
 * "--name=VALUE", "-x VALUE" or "-xVALUE", stops at "--", treats "-" as a positional argument
 * (standard input or output), prints a usage error naming the option on bad input and handles
 * --help / -h. Numbers are decimal only: hex, "inf" and "nan" are refused. */
#ifndef AS_CLI_OPT_H
#define AS_CLI_OPT_H

#include <stddef.h>
#include <stdint.h>

#include "alloyscout/lattice.h" /* AS_SYMBOL_MAX */

typedef enum {
    CLI_FLAG,   /* no value: *(int *)dest = value (1 when value is 0) */
    CLI_STR,    /* *(const char **)dest = the argument (borrowed from argv) */
    CLI_LIST,   /* repeatable: appended to *(cli_list *)dest */
    CLI_SIZE,   /* *(size_t *)dest, a non-negative decimal integer */
    CLI_U64,    /* *(uint64_t *)dest */
    CLI_DOUBLE, /* *(double *)dest, a finite decimal number */
    CLI_CALL    /* call(cmd, opt, arg, dest): 0 or an exit code (it prints its own error) */
} cli_kind;

typedef struct cli_opt {
    const char *name; /* long name without the dashes ("seed"); NULL ends the table */
    char short_name;  /* 'j', or 0 */
    cli_kind kind;
    void *dest;
    int value; /* CLI_FLAG: the value stored (0 means 1); CLI_CALL: 1 when it takes no
                          argument (arg is then NULL) */
    int (*call)(const char *cmd, const char *opt, const char *arg, void *dest);
    int *seen; /* set to 1 when the option was given (may be NULL) */
} cli_opt;

#define CLI_LIST_MAX 64
typedef struct {
    const char *v[CLI_LIST_MAX];
    size_t n;
} cli_list;

/* Parse argv[1 .. argc-1] (argv[0] is the command's name, used in messages as cmd) against the
 * table opts (ended by an entry with name NULL). Positional arguments go to pos (borrowed argv
 * pointers, at most max_pos; more is a usage error) and their count to *n_pos (pos and n_pos may
 * be NULL when the command takes none). --help or -h prints help to stdout.
 * Returns 0 on success, -1 when help was printed (exit 0), 2 after printing a usage error. */
int cli_parse(const char *cmd, const char *help, int argc, char **argv, const cli_opt *opts,
              const char **pos, size_t max_pos, size_t *n_pos);

/* The number parsers cli_parse uses, for values found elsewhere (a list item): 0 on success,
 * else a printed usage error and 2. */
int cli_parse_u64(const char *cmd, const char *opt, const char *s, unsigned long long *out);
int cli_parse_size(const char *cmd, const char *opt, const char *s, size_t *out);
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);

/* Value parsers shared by several commands (0, or a printed usage error and 2).
 * cli_parse_elements: "Pt,Co,Cu" into at most cap distinct element symbols (each as_element_z
 * known), *n of them; opt names the option in messages.
 * cli_parse_size3: "N" or "N1,N2,N3" (each 1..1024) into size[3]. */
int cli_parse_elements(const char *cmd, const char *opt, const char *s, char (*sym)[AS_SYMBOL_MAX],
                       size_t cap, size_t *n);
int cli_parse_size3(const char *cmd, const char *opt, const char *s, size_t size[3]);

#endif
