/* Tests of the CLI progress display (src/cli/progress.c, compiled in here directly because the
 * CLI is not a library): the pure formatters against hand-computed strings, when plain lines are
 * due, and what reaches stderr when it is not a terminal and under --quiet. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/progress.c"

static void durations_should_read_as_minutes_and_seconds(void **state)
{
    (void)state;
    char b[32];
    cli_progress_duration(b, sizeof b, 0);
    assert_string_equal(b, "0:00");
    cli_progress_duration(b, sizeof b, 65.4);
    assert_string_equal(b, "1:05");
    cli_progress_duration(b, sizeof b, 719.6);
    assert_string_equal(b, "12:00");
    cli_progress_duration(b, sizeof b, 3723);
    assert_string_equal(b, "1:02:03");
    cli_progress_duration(b, sizeof b, -1);
    assert_string_equal(b, "--:--");
    cli_progress_duration(b, sizeof b, NAN);
    assert_string_equal(b, "--:--");
}

static void bar_should_fill_in_proportion_and_estimate_the_rest(void **state)
{
    (void)state;
    char b[512];
    /* 9 of 20 after 9 s: 1 s per step, 11 steps left -> ETA 0:11; 20 cells * 9/20 = 9 filled */
    cli_progress_format_bar(b, sizeof b, "cv folds", 9, 20, 9.0, 20);
    assert_string_equal(b, "cv folds [#########-----------]  45% 9/20 ETA 0:11");
    cli_progress_format_bar(b, sizeof b, "cv folds", 0, 20, 3.0, 10);
    assert_string_equal(b, "cv folds [----------]   0% 0/20 ETA --:--");
    cli_progress_format_bar(b, sizeof b, "cv folds", 25, 20, 40.0, 10); /* clamped */
    assert_string_equal(b, "cv folds [##########] 100% 20/20 ETA 0:00");
    cli_progress_format_bar(b, sizeof b, "sweeps", 7, 0, 125.0, 10);
    assert_string_equal(b, "sweeps 7 done, 2:05 elapsed");
}

static void plain_line_should_give_percent_elapsed_and_eta(void **state)
{
    (void)state;
    char b[512];
    /* 3 of 12 after 30 s: 10 s per step, 9 left -> 1:30 */
    cli_progress_format_line(b, sizeof b, "labelling", 3, 12, 30.0);
    assert_string_equal(b, "labelling: 25% (3/12), 0:30 elapsed, ETA 1:30");
    cli_progress_format_line(b, sizeof b, "labelling", 3, 0, 30.0);
    assert_string_equal(b, "labelling: 3 done, 0:30 elapsed");
}

static void plain_lines_should_be_due_every_tenth_or_every_few_seconds(void **state)
{
    (void)state;
    assert_true(cli_progress_line_due(9, 10, 100, 0.1, 5.0));    /* 9 % -> 10 % */
    assert_false(cli_progress_line_due(10, 19, 100, 0.1, 5.0));  /* still in the 10 % decile */
    assert_true(cli_progress_line_due(10, 11, 100, 5.0, 5.0));   /* time */
    assert_false(cli_progress_line_due(11, 11, 100, 60.0, 5.0)); /* no progress */
    assert_true(cli_progress_line_due(0, 1, 3, 0.0, 5.0));       /* 0 % -> 33 % */
    assert_true(cli_progress_line_due(5, 6, 0, 6.0, 5.0));       /* unknown total: time only */
    assert_false(cli_progress_line_due(5, 6, 0, 1.0, 5.0));
}

/* Run a display with stderr sent to a file; return what was written. */
static char *capture(int quiet, size_t total, size_t steps)
{
    char path[] = "/tmp/as_progress_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    cli_progress_start("work", total, quiet);
    for (size_t i = 1; i <= steps; i++)
        cli_progress_update(i);
    cli_progress_end();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    FILE *f = fdopen(fd, "r");
    fseek(f, 0, SEEK_SET);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(path);
    return buf;
}

static void quiet_should_print_nothing(void **state)
{
    (void)state;
    char *out = capture(1, 100, 100);
    assert_string_equal(out, "");
    free(out);
}

static void a_file_should_get_plain_lines_per_decile_and_a_final_line(void **state)
{
    (void)state;
    char *out = capture(0, 100, 100);
    /* no terminal: no carriage returns or escape codes */
    assert_null(strchr(out, '\r'));
    assert_null(strchr(out, '\033'));
    /* lines at 10 %, ..., 90 % (100 % is left to the final line) */
    size_t lines = 0;
    for (const char *s = out; *s; s++)
        lines += *s == '\n';
    assert_true(lines >= 10); /* more only if a step stalled for 5 s */
    assert_non_null(strstr(out, "work: 10% (10/100)"));
    assert_non_null(strstr(out, "work: 90% (90/100)"));
    assert_non_null(strstr(out, "work: done (100/100) in "));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations_should_read_as_minutes_and_seconds),
        cmocka_unit_test(bar_should_fill_in_proportion_and_estimate_the_rest),
        cmocka_unit_test(plain_line_should_give_percent_elapsed_and_eta),
        cmocka_unit_test(plain_lines_should_be_due_every_tenth_or_every_few_seconds),
        cmocka_unit_test(quiet_should_print_nothing),
        cmocka_unit_test(a_file_should_get_plain_lines_per_decile_and_a_final_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
