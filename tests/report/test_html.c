/* Tests of the HTML report writer: escaping, shell quoting of the command line, figure
 * references, atomic writing, directory creation, a page without external resources, and the
 * error paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloyscout/report.h"
#include "report/report_int.h"

#define OUT_DIR AS_BUILD_DIR "/report-test-html"

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

static size_t count(const char *hay, const char *needle)
{
    size_t c = 0;
    for (const char *s = hay; (s = strstr(s, needle)); s += strlen(needle))
        c++;
    return c;
}

static void text_should_be_escaped_everywhere(void **state)
{
    (void)state;
    const char *evil = "<script>alert(\"x\" & 'y')</script>";
    as_report *r;
    assert_int_equal(as_report_create(OUT_DIR "/escape", evil, &r), AS_OK);
    assert_int_equal(as_report_heading(r, evil), AS_OK);
    assert_int_equal(as_report_paragraph(r, evil), AS_OK);
    assert_int_equal(as_report_warning(r, evil), AS_OK);
    assert_int_equal(as_report_keyvalue(r, evil, evil), AS_OK);
    assert_int_equal(as_report_input(r, evil, evil), AS_OK);
    const char *kv[1] = {evil};
    assert_int_equal(as_report_keyvalues(r, evil, kv, kv, 1), AS_OK);
    const char *cells[2] = {evil, NULL};
    assert_int_equal(as_report_table(r, evil, cells, 2, cells, 1), AS_OK);
    assert_int_equal(as_report_finish(r), AS_OK);
    as_report_free(r);
    char *html = slurp(OUT_DIR "/escape/index.html");
    assert_non_null(html);
    const char *escaped = "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;";
    /* title x2, heading, paragraph, warning, key, value, input name, input value, caption,
     * key, value, table caption, header cell, body cell */
    assert_int_equal(count(html, escaped), 15);
    assert_null(strstr(html, "<script>alert"));
    assert_int_equal(count(html, "<script>"), 1); /* only the page's own image check */
    free(html);
}

static void command_line_should_be_shell_quoted_and_escaped(void **state)
{
    (void)state;
    as_report *r;
    assert_int_equal(as_report_create(OUT_DIR "/cmd", "cmd", &r), AS_OK);
    char *argv[] = {"alloyscout", "synth",    "cv",      "--data", "my records.csv",
                    "--note",     "it's <x>", "--empty", "",       "--seed=42"};
    assert_int_equal(as_report_command(r, 10, argv), AS_OK);
    assert_int_equal(as_report_finish(r), AS_OK);
    as_report_free(r);
    char *html = slurp(OUT_DIR "/cmd/index.html");
    assert_non_null(html);
    /* POSIX quoting: 'it'\''s <x>', then HTML escaping */
    assert_non_null(strstr(html, "<pre id=\"command\">alloyscout synth cv --data "
                                 "&#39;my records.csv&#39; --note &#39;it&#39;\\&#39;&#39;s "
                                 "&lt;x&gt;&#39; --empty &#39;&#39; --seed=42</pre>"));
    free(html);
}

static void figures_should_reference_the_svg_with_a_png_fallback(void **state)
{
    (void)state;
    as_report *r;
    assert_int_equal(as_report_create(OUT_DIR "/fig", "figures", &r), AS_OK);
    as_plot *p;
    assert_int_equal(as_plot_create("t", "x (m)", "y (m)", &p), AS_OK);
    double x[3] = {1, 2, 3};
    assert_int_equal(as_plot_line(p, x, x, 3, NULL), AS_OK);
    assert_int_equal(as_report_plot(r, p, "a plot", "A & B"), AS_OK);
    as_plot_free(p);
    assert_int_equal(as_report_finish(r), AS_OK);
    as_report_free(r);
    assert_true(exists(OUT_DIR "/fig/a plot.svg"));
    assert_true(exists(OUT_DIR "/fig/a plot.png"));
    char *html = slurp(OUT_DIR "/fig/index.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "<img src=\"a%20plot.svg\" alt=\"A &amp; B\" "
                                 "onerror=\"this.onerror=null;this.src='a%20plot.png'\">"));
    assert_non_null(strstr(html, "<a href=\"a%20plot.png\">PNG</a>"));
    assert_non_null(strstr(html, "Figure 1."));
    free(html);
}

static void page_should_need_no_network_and_no_other_assets(void **state)
{
    (void)state;
    char *html = NULL;
    as_report *r;
    assert_int_equal(as_report_create(OUT_DIR "/offline", "offline", &r), AS_OK);
    assert_int_equal(as_report_number(r, "AUC", 0.97123456, NULL), AS_OK);
    assert_int_equal(as_report_number(r, "E", 0.054, "eV/atom"), AS_OK);
    assert_int_equal(as_report_finish(r), AS_OK);
    as_report_free(r);
    html = slurp(OUT_DIR "/offline/index.html");
    assert_non_null(html);
    assert_null(strstr(html, "http:"));
    assert_null(strstr(html, "https:"));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "url("));
    assert_non_null(strstr(html, "<th scope=\"row\">AUC</th><td>0.9712</td>"));
    assert_non_null(strstr(html, "<td>0.054 eV/atom</td>"));
    assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
    free(html);
}

static void finish_should_write_atomically_and_may_be_repeated(void **state)
{
    (void)state;
    as_report *r;
    assert_int_equal(as_report_create(OUT_DIR "/atomic", "atomic", &r), AS_OK);
    assert_int_equal(as_report_paragraph(r, "first"), AS_OK);
    assert_int_equal(as_report_finish(r), AS_OK);
    assert_false(exists(OUT_DIR "/atomic/index.html.tmp"));
    assert_int_equal(as_report_paragraph(r, "second"), AS_OK);
    assert_int_equal(as_report_finish(r), AS_OK);
    assert_false(exists(OUT_DIR "/atomic/index.html.tmp"));
    as_report_free(r);
    char *html = slurp(OUT_DIR "/atomic/index.html");
    assert_non_null(strstr(html, "<p>first</p>\n<p>second</p>"));
    free(html);
}

static void create_should_make_parent_directories(void **state)
{
    (void)state;
    as_report *r;
    assert_int_equal(as_report_create(OUT_DIR "/deep/er/still/", "deep", &r), AS_OK);
    assert_string_equal(as_report_dir(r), OUT_DIR "/deep/er/still/");
    assert_int_equal(as_report_finish(r), AS_OK);
    as_report_free(r);
    assert_true(exists(OUT_DIR "/deep/er/still/index.html"));
}

static void errors_should_name_the_path(void **state)
{
    (void)state;
    as_report *r = (as_report *)1;
    /* a regular file where a directory should be */
    FILE *f = fopen(OUT_DIR "/plainfile", "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(as_report_create(OUT_DIR "/plainfile/sub", "x", &r), AS_EIO);
    assert_null(r);
    assert_non_null(strstr(as_errmsg(), "plainfile"));
    assert_int_equal(as_report_create("", "x", &r), AS_EINVAL);
    assert_int_equal(as_report_create(OUT_DIR "/err", "x", &r), AS_OK);
    assert_int_equal(as_report_figure(r, "missing", "nope"), AS_EIO);
    assert_non_null(strstr(as_errmsg(), "missing.svg"));
    assert_int_equal(as_report_figure(r, "", "nope"), AS_EINVAL);
    assert_int_equal(as_report_table(r, NULL, NULL, 0, NULL, 0), AS_EINVAL);
    assert_int_equal(as_report_keyvalues(r, NULL, NULL, NULL, 2), AS_EINVAL);
    assert_int_equal(as_report_command(r, 2, NULL), AS_EINVAL);
    as_report_free(r);
    as_report_free(NULL);
}

static void failed_allocations_should_give_enomem_without_leaks(void **state)
{
    (void)state;
    for (size_t k = 1; k < 300; k++) {
        as_alloc_fail_after(k);
        as_report *r = NULL;
        as_status st = as_report_create(OUT_DIR "/oom", "oom", &r);
        char *argv[] = {"a", "b c"};
        const char *cells[2] = {"x", "y"};
        if (st == AS_OK)
            st = as_report_heading(r, "h");
        if (st == AS_OK)
            st = as_report_number(r, "n", 1.5, "m");
        if (st == AS_OK)
            st = as_report_input(r, "i", "v");
        if (st == AS_OK)
            st = as_report_table(r, "c", cells, 2, cells, 1);
        if (st == AS_OK)
            st = as_report_command(r, 2, argv);
        if (st == AS_OK)
            st = as_report_finish(r);
        size_t used = as_alloc_fail_after(0);
        as_report_free(r);
        if (st == AS_OK) {
            assert_true(used < k);
            return;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_false(exists(OUT_DIR "/oom/index.html.tmp"));
    }
    fail_msg("still failing after 300 allocations");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_should_be_escaped_everywhere),
        cmocka_unit_test(command_line_should_be_shell_quoted_and_escaped),
        cmocka_unit_test(figures_should_reference_the_svg_with_a_png_fallback),
        cmocka_unit_test(page_should_need_no_network_and_no_other_assets),
        cmocka_unit_test(finish_should_write_atomically_and_may_be_repeated),
        cmocka_unit_test(create_should_make_parent_directories),
        cmocka_unit_test(errors_should_name_the_path),
        cmocka_unit_test(failed_allocations_should_give_enomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
