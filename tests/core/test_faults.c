/* core under hostile input (issue 17): the one decimal syntax (no hex, inf, nan, overflow),
 * atomic writes that never follow a planted symlink, never share a temporary file and leave none
 * behind, as_path_same, and the interrupt registry (paths removed, marked processes found). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloyscout/core.h"
#include "alloyscout/interrupt.h"

#define DIR_ AS_BUILD_DIR "/core_faults_scratch"

static void decimal_numbers_should_parse_and_nothing_else(void **state)
{
    (void)state;
    struct {
        const char *t;
        double v;
    } ok[] = {
        {"2.385", 2.385}, {"-0.5", -0.5},       {"+7", 7},       {".5", 0.5},      {"5.", 5},
        {"1e3", 1e3},     {"1.5E-07", 1.5e-07}, {"-2e+2", -200}, {"1e308", 1e308}, {"0", 0},
        {"1e-400", 0}, /* underflow: strtod's 0 */
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        double v = NAN;
        if (as_parse_double(ok[i].t, &v) != AS_OK || v != ok[i].v)
            fail_msg("'%s' gave %g", ok[i].t, v);
    }
    const char *bad[] = {"0x10",     "0x1p3", "-0x1.4p5", "inf", "-inf", "nan", "NAN",
                         "infinity", " 1",    "1 ",       "1e",  "1e+",  ".",   "-",
                         "",         "1.2.3", "1,5",      "e5",  "1e5x", "++1", "0b1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double v = 42;
        if (as_parse_double(bad[i], &v) != AS_EPARSE || v != 42)
            fail_msg("'%s' was accepted (%g)", bad[i], v);
    }
    double v = 42;
    assert_int_equal(as_parse_double("1e309", &v), AS_EINVAL); /* overflow */
    assert_int_equal(as_parse_double("-1e400", &v), AS_EINVAL);
    assert_true(v == 42);
    /* bounded variant: the byte after the token does not take part */
    assert_int_equal(as_parse_double_n("12345", 3, &v), AS_OK);
    assert_true(v == 123);
    assert_int_equal(as_parse_double_n("0x12", 1, &v), AS_OK); /* "0" */
    assert_true(v == 0);
    assert_int_equal(as_parse_double_n("0x12", 2, &v), AS_EPARSE);
    assert_int_equal(as_parse_double_n("0x12", 4, &v), AS_EPARSE);
}

/* The fast path of the number reader (exact products and quotients of doubles) gives strtod's
 * value bit for bit: a million strings of 1-20 digits, a point anywhere or none, exponents of
 * -40..40, signs, leading and trailing zeros, and the edges of the path. */
static void numbers_should_equal_strtod_bit_for_bit(void **state)
{
    (void)state;
    const char *edge[] = {"9007199254740992",
                          "9007199254740993",
                          "9007199254740991.5",
                          "1e22",
                          "1e23",
                          "1e-22",
                          "1e-23",
                          "-0",
                          "-0.0e5",
                          ".5",
                          "5.",
                          "4.9e-324",
                          "0.000000000000000000000000001",
                          "123456789012345e10",
                          "0.1",
                          "0.3",
                          "2.2250738585072014e-308",
                          "1.7976931348623157e308",
                          "00000000000000000000000001"};
    char buf[64];
    uint64_t r = 88172645463325252u;
    for (size_t k = 0; k < 1000000 + sizeof edge / sizeof *edge; k++) {
        if (k < sizeof edge / sizeof *edge)
            snprintf(buf, sizeof buf, "%s", edge[k]);
        else {
            size_t p = 0;
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            if (r % 4 == 0)
                buf[p++] = r % 8 == 0 ? '-' : '+';
            size_t nd = 1 + (r >> 8) % 20, point = (r >> 16) % (nd + 2);
            for (size_t i = 0; i < nd; i++) {
                if (i == point)
                    buf[p++] = '.';
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                buf[p++] = (char)('0' + (r % 3 == 0 ? 0 : (r >> 5) % 10));
            }
            if ((r >> 24) % 3 == 0)
                p += (size_t)snprintf(buf + p, sizeof buf - p, "e%d", (int)((r >> 32) % 81) - 40);
            buf[p] = '\0';
        }
        double v = 42, w = strtod(buf, NULL);
        as_status st = as_parse_double(buf, &v);
        if (st == AS_EINVAL && !isfinite(w))
            continue;
        if (st != AS_OK || memcmp(&v, &w, sizeof v) != 0)
            fail_msg("'%s': %.17g (status %d) against strtod's %.17g", buf, v, (int)st, w);
    }
}

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t k = fread(buf, 1, cap - 1, f);
    buf[k] = 0;
    fclose(f);
}

static void clean(void)
{
    system("rm -rf '" DIR_ "'");
    assert_int_equal(mkdir(DIR_, 0755), 0);
}

/* issue 17 item 6: the fixed <path>.tmp was opened with fopen("wb"), so a symlink planted there
 * got its target overwritten */
static void a_planted_symlink_at_the_old_temp_name_should_not_be_followed(void **state)
{
    (void)state;
    clean();
    FILE *v = fopen(DIR_ "/victim.txt", "w");
    fputs("precious", v);
    fclose(v);
    assert_int_equal(symlink(DIR_ "/victim.txt", DIR_ "/out.json.tmp"), 0);
    as_outfile *o;
    assert_int_equal(as_outfile_open(DIR_ "/out.json", &o), AS_OK);
    fputs("{}", as_outfile_stream(o));
    assert_int_equal(as_outfile_commit(o), AS_OK);
    char buf[64];
    slurp(DIR_ "/victim.txt", buf, sizeof buf);
    assert_string_equal(buf, "precious");
    slurp(DIR_ "/out.json", buf, sizeof buf);
    assert_string_equal(buf, "{}");
    /* victim, the symlink, out.json: no temporary file left */
    assert_int_equal(entries(DIR_), 3);
}

static void two_writers_should_not_share_a_temporary_file(void **state)
{
    (void)state;
    clean();
    as_outfile *a, *b;
    assert_int_equal(as_outfile_open(DIR_ "/same.txt", &a), AS_OK);
    assert_int_equal(as_outfile_open(DIR_ "/same.txt", &b), AS_OK);
    assert_int_equal(entries(DIR_), 2); /* two temporaries, nothing at the target yet */
    fputs("first writer", as_outfile_stream(a));
    fputs("second", as_outfile_stream(b));
    assert_int_equal(as_outfile_commit(b), AS_OK);
    assert_int_equal(as_outfile_commit(a), AS_OK);
    char buf[64];
    slurp(DIR_ "/same.txt", buf, sizeof buf); /* whole, never interleaved */
    assert_string_equal(buf, "first writer");
    assert_int_equal(entries(DIR_), 1);
    as_outfile *c;
    assert_int_equal(as_outfile_open(DIR_ "/aborted.txt", &c), AS_OK);
    fputs("half", as_outfile_stream(c));
    as_outfile_abort(c);
    assert_int_equal(entries(DIR_), 1);
}

static void output_files_should_get_the_umask_mode(void **state)
{
    (void)state;
    clean();
    mode_t old = umask(022);
    as_outfile *o;
    assert_int_equal(as_outfile_open(DIR_ "/mode.txt", &o), AS_OK);
    assert_int_equal(as_outfile_commit(o), AS_OK);
    umask(old);
    struct stat sb;
    assert_int_equal(stat(DIR_ "/mode.txt", &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);
}

/* a stopped run: the child gets SIGTERM while writing; the handler removes the temporary file */
static void an_interrupted_write_should_leave_no_temporary_file(void **state)
{
    (void)state;
    clean();
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        if (as_interrupt_install() != AS_OK)
            _exit(3);
        as_outfile *o;
        if (as_outfile_open(DIR_ "/big.txt", &o) != AS_OK)
            _exit(4);
        fputs("partial", as_outfile_stream(o));
        fflush(as_outfile_stream(o));
        if (write(fd[1], "x", 1) != 1)
            _exit(5);
        for (;;)
            pause();
    }
    close(fd[1]);
    char c;
    assert_int_equal(read(fd[0], &c, 1), 1);
    close(fd[0]);
    assert_int_equal(entries(DIR_), 1); /* the temporary exists */
    kill(pid, SIGTERM);
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGTERM); /* the shell sees 143 */
    assert_int_equal(entries(DIR_), 0);
}

static void interrupt_paths_should_be_removed_with_their_contents(void **state)
{
    (void)state;
    clean();
    assert_int_equal(mkdir(DIR_ "/scratch", 0755), 0);
    assert_int_equal(mkdir(DIR_ "/scratch/sub", 0755), 0);
    FILE *f = fopen(DIR_ "/scratch/sub/a.txt", "w");
    fclose(f);
    f = fopen(DIR_ "/scratch/b.txt", "w");
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        as_interrupt_install();
        as_interrupt_add_path(DIR_ "/scratch");
        as_interrupt_hold(); /* inside a polling section the first signal only records */
        raise(SIGINT);
        if (as_interrupted() != SIGINT || as_interrupt_check() != AS_EINTR)
            _exit(6);
        if (strcmp(as_errmsg(), "interrupted by SIGINT") != 0)
            _exit(7);
        as_interrupt_release();
        exit(0); /* the exit hook removes the path and ends the process by SIGINT */
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGINT);
    assert_int_equal(entries(DIR_), 0);
}

static void marked_processes_should_be_found_by_their_environment(void **state)
{
    (void)state;
    char marker[64];
    as_interrupt_marker(987654321UL, marker, sizeof marker);
    pid_t pid = fork();
    if (pid == 0) {
        setsid(); /* out of our process group and session */
        char *env[] = {"A=1", marker, NULL};
        char *argv[] = {"sleep", "30", NULL};
        execve("/bin/sleep", argv, env);
        _exit(127);
    }
    size_t found = 0;
    for (int t = 0; t < 200 && !found; t++) { /* until exec has replaced the environment */
        nanosleep(&(struct timespec){0, 10000000}, NULL);
        found = as_interrupt_kill_marked(marker, 0, 0); /* signal 0: only look */
    }
    assert_int_equal(found, 1);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%.*s", (int)(strlen(marker) - 3), marker);
    assert_int_equal(as_interrupt_kill_marked(prefix, 0, 0), 0); /* exact match only */
    assert_int_equal(as_interrupt_kill_marked(prefix, 1, SIGKILL), 1);
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
}

static void path_same_should_see_through_spelling_and_links(void **state)
{
    (void)state;
    clean();
    FILE *f = fopen(DIR_ "/db.sqlite", "w");
    fclose(f);
    assert_int_equal(symlink(DIR_ "/db.sqlite", DIR_ "/link.sqlite"), 0);
    assert_true(as_path_same(DIR_ "/db.sqlite", DIR_ "/./db.sqlite"));
    assert_true(as_path_same(DIR_ "/db.sqlite", DIR_ "/link.sqlite"));
    assert_true(as_path_same(DIR_ "/new.json", DIR_ "/../core_faults_scratch/new.json"));
    assert_false(as_path_same(DIR_ "/db.sqlite", DIR_ "/new.json"));
    assert_false(as_path_same(DIR_ "/a.json", DIR_ "/b.json"));
    assert_int_equal(chdir(DIR_), 0);
    assert_true(as_path_same("db.sqlite", DIR_ "/db.sqlite"));
    assert_true(as_path_same("x.json", "./x.json"));
    assert_int_equal(chdir(AS_BUILD_DIR), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decimal_numbers_should_parse_and_nothing_else),
        cmocka_unit_test(numbers_should_equal_strtod_bit_for_bit),
        cmocka_unit_test(a_planted_symlink_at_the_old_temp_name_should_not_be_followed),
        cmocka_unit_test(two_writers_should_not_share_a_temporary_file),
        cmocka_unit_test(output_files_should_get_the_umask_mode),
        cmocka_unit_test(an_interrupted_write_should_leave_no_temporary_file),
        cmocka_unit_test(interrupt_paths_should_be_removed_with_their_contents),
        cmocka_unit_test(marked_processes_should_be_found_by_their_environment),
        cmocka_unit_test(path_same_should_see_through_spelling_and_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
