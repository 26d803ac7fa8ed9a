/* The CLI's one option parser (src/cli/opt.c), compiled into this test with a cli_usage that
 * records the message instead of printing it. Each case is what a user types. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli/opt.c" /* src/ is on the include path; opt.c is not part of any library */

static char last_msg[512];

int cli_usage(const char *cmd, const char *fmt, ...)
{
    (void)cmd;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    return 2;
}

typedef struct {
    const char *out;
    size_t jobs;
    uint64_t seed;
    double temp;
    int quiet, quiet_seen;
    cli_list vary;
    const char *pos[3];
    size_t npos;
} parsed;

static int call_upper(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)cmd, (void)opt;
    *(int *)dest = arg[0] >= 'A' && arg[0] <= 'Z';
    return 0;
}

static int upper;

/* Parse a NULL-terminated argument list (without the command name). */
static int parse(parsed *p, const char *const *args)
{
    char *argv[32] = {"test"};
    int argc = 1;
    while (args[argc - 1])
        argv[argc] = (char *)args[argc - 1], argc++;
    memset(p, 0, sizeof *p);
    last_msg[0] = 0;
    const cli_opt opts[] = {
        {"out", 'o', CLI_STR, &p->out, 0, NULL, NULL},
        {"jobs", 'j', CLI_SIZE, &p->jobs, 0, NULL, NULL},
        {"seed", 0, CLI_U64, &p->seed, 0, NULL, NULL},
        {"temperature", 0, CLI_DOUBLE, &p->temp, 0, NULL, NULL},
        {"quiet", 'q', CLI_FLAG, &p->quiet, 0, NULL, &p->quiet_seen},
        {"vary", 0, CLI_LIST, &p->vary, 0, NULL, NULL},
        {"upper", 0, CLI_CALL, &upper, 0, call_upper, NULL},
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    return cli_parse("test", "usage: test\n", argc, argv, opts, p->pos, 3, &p->npos);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void long_options_should_take_separate_and_equals_values(void **state)
{
    (void)state;
    parsed p;
    assert_int_equal(parse(&p, ARGS("--out", "a.csv", "--seed=18446744073709551615",
                                    "--temperature=2.385e-1", "--jobs", "3")),
                     0);
    assert_string_equal(p.out, "a.csv");
    assert_true(p.seed == UINT64_MAX);
    assert_true(p.temp == 0.2385);
    assert_int_equal(p.jobs, 3);
    assert_int_equal(parse(&p, ARGS("--out=")), 0); /* an empty value is a value */
    assert_string_equal(p.out, "");
    assert_int_equal(parse(&p, ARGS("--out=x=y")), 0); /* only the first '=' splits */
    assert_string_equal(p.out, "x=y");
}

static void short_options_should_take_attached_and_separate_values(void **state)
{
    (void)state;
    parsed p;
    assert_int_equal(parse(&p, ARGS("-j4", "-o", "f")), 0);
    assert_int_equal(p.jobs, 4);
    assert_string_equal(p.out, "f");
    assert_int_equal(parse(&p, ARGS("-j", "12", "-q")), 0);
    assert_int_equal(p.jobs, 12);
    assert_int_equal(p.quiet, 1);
    assert_int_equal(p.quiet_seen, 1);
}

static void double_dash_should_end_options_and_single_dash_be_positional(void **state)
{
    (void)state;
    parsed p;
    assert_int_equal(parse(&p, ARGS("-", "--", "--out", "-q")), 0);
    assert_int_equal(p.npos, 3);
    assert_string_equal(p.pos[0], "-");
    assert_string_equal(p.pos[1], "--out");
    assert_string_equal(p.pos[2], "-q");
    assert_null(p.out);
    assert_int_equal(p.quiet, 0);
    assert_int_equal(parse(&p, ARGS("a", "b", "c", "d")), 2);
    assert_string_equal(last_msg, "unexpected argument 'd' (at most 3)");
}

static void unknown_options_should_be_usage_errors_naming_them(void **state)
{
    (void)state;
    parsed p;
    assert_int_equal(parse(&p, ARGS("--outt", "x")), 2);
    assert_string_equal(last_msg, "unknown option '--outt'");
    assert_int_equal(parse(&p, ARGS("--bogus=1")), 2);
    assert_string_equal(last_msg, "unknown option '--bogus'");
    assert_int_equal(parse(&p, ARGS("-x")), 2);
    assert_string_equal(last_msg, "unknown option '-x'");
    assert_int_equal(parse(&p, ARGS("--quiet=1")), 2);
    assert_string_equal(last_msg, "--quiet takes no value");
    assert_int_equal(parse(&p, ARGS("-qq")), 2);
    assert_string_equal(last_msg, "-q takes no value");
}

static void a_missing_value_should_be_a_usage_error(void **state)
{
    (void)state;
    parsed p;
    assert_int_equal(parse(&p, ARGS("--out")), 2);
    assert_string_equal(last_msg, "--out needs a value");
    assert_int_equal(parse(&p, ARGS("-q", "-j")), 2);
    assert_string_equal(last_msg, "-j needs a value");
}

static void hex_inf_nan_and_blanks_should_be_refused(void **state)
{
    (void)state;
    parsed p;
    static const char *const bad_double[] = {"0x1p3", "inf", "-inf", "nan", "NaN", " 1",
                                             "1 ",    "1,5", "",     "e5",  "1e",  "--1"};
    char arg[64];
    for (size_t i = 0; i < sizeof bad_double / sizeof *bad_double; i++) {
        snprintf(arg, sizeof arg, "--temperature=%s", bad_double[i]);
        if (parse(&p, ARGS(arg)) != 2)
            fail_msg("'%s' was accepted as a double", bad_double[i]);
        assert_non_null(strstr(last_msg, "--temperature expects"));
    }
    static const char *const bad_int[] = {"0x10", "-1", "+1", "1.0", "1e3", "inf", " 7", ""};
    for (size_t i = 0; i < sizeof bad_int / sizeof *bad_int; i++) {
        snprintf(arg, sizeof arg, "--jobs=%s", bad_int[i]);
        if (parse(&p, ARGS(arg)) != 2)
            fail_msg("'%s' was accepted as a size", bad_int[i]);
        assert_non_null(strstr(last_msg, "--jobs expects a non-negative integer"));
    }
    assert_int_equal(parse(&p, ARGS("--jobs=010")), 0); /* decimal, not octal */
    assert_int_equal(p.jobs, 10);
}

static void overflow_should_be_refused(void **state)
{
    (void)state;
    parsed p;
    assert_int_equal(parse(&p, ARGS("--seed", "18446744073709551616")), 2);
    assert_string_equal(last_msg, "--seed expects a non-negative integer, got "
                                  "'18446744073709551616'");
    assert_int_equal(parse(&p, ARGS("--temperature", "1e400")), 2);
    assert_string_equal(last_msg, "--temperature expects a finite decimal number, got '1e400'");
    assert_int_equal(parse(&p, ARGS("--temperature", "-1e309")), 2);
    /* underflow to a subnormal or zero is a finite number, kept */
    assert_int_equal(parse(&p, ARGS("--temperature", "1e-400")), 0);
    assert_true(p.temp == 0);
}

static void lists_and_calls_should_collect_values(void **state)
{
    (void)state;
    parsed p;
    assert_int_equal(parse(&p, ARGS("--vary", "a=1", "--vary=b=2", "--upper", "Pt")), 0);
    assert_int_equal(p.vary.n, 2);
    assert_string_equal(p.vary.v[0], "a=1");
    assert_string_equal(p.vary.v[1], "b=2");
    assert_int_equal(upper, 1);
}

static void help_should_win_over_errors_but_not_after_double_dash(void **state)
{
    (void)state;
    parsed p;
    fflush(stdout);
    FILE *saved = stdout;
    stdout = fopen("/dev/null", "w"); /* the help text goes to stdout */
    int a = parse(&p, ARGS("--bogus", "-h"));
    int b = parse(&p, ARGS("--out", "x", "--help"));
    fclose(stdout);
    stdout = saved;
    assert_int_equal(a, -1);
    assert_int_equal(b, -1);
    assert_int_equal(parse(&p, ARGS("--", "--help")), 0);
    assert_string_equal(p.pos[0], "--help");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_options_should_take_separate_and_equals_values),
        cmocka_unit_test(short_options_should_take_attached_and_separate_values),
        cmocka_unit_test(double_dash_should_end_options_and_single_dash_be_positional),
        cmocka_unit_test(unknown_options_should_be_usage_errors_naming_them),
        cmocka_unit_test(a_missing_value_should_be_a_usage_error),
        cmocka_unit_test(hex_inf_nan_and_blanks_should_be_refused),
        cmocka_unit_test(overflow_should_be_refused),
        cmocka_unit_test(lists_and_calls_should_collect_values),
        cmocka_unit_test(help_should_win_over_errors_but_not_after_double_dash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
