/* Tests of the plot API: nice ticks (closed forms), the colour map (matplotlib's viridis), the
 * histogram counts (numpy.histogram), and the SVG/PNG files (decoded with cairo: size, not
 * blank, heat-map colours; SVG text; no temporary file left). References:
 * tests/fixtures/report_ref.py -> report_ref.txt. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloyscout/report.h"
#include "report/report_int.h"

#define OUT_DIR AS_BUILD_DIR "/report-test-plot"

static void near_(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}
#define assert_near(a, b, tol) near_((a), (b), (tol), __FILE__, __LINE__)

static int setup(void **state)
{
    (void)state;
    return as_mkdir_p(OUT_DIR) == AS_OK ? 0 : -1;
}

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

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Decode a PNG with cairo: size and number of distinct pixel values. */
static void png_info(const char *path, int *w, int *h, size_t *distinct)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    *w = cairo_image_surface_get_width(s);
    *h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    size_t n = (size_t)*w * (size_t)*h, k = 0;
    uint32_t *px = malloc(n * sizeof *px);
    assert_non_null(px);
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++)
            px[k++] = *(const uint32_t *)(d + (size_t)y * (size_t)stride + 4 * (size_t)x);
    qsort(px, n, sizeof *px, cmp_u32);
    *distinct = n ? 1 : 0;
    for (size_t i = 1; i < n; i++)
        *distinct += px[i] != px[i - 1];
    free(px);
    cairo_surface_destroy(s);
}

/* Pixels within tol (8-bit units, per channel) of an opaque colour. */
static size_t png_count_color(const char *path, int r, int g, int b, int tol)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    size_t c = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t p = *(const uint32_t *)(d + (size_t)y * (size_t)stride + 4 * (size_t)x);
            int pr = (int)(p >> 16 & 255), pg = (int)(p >> 8 & 255), pb = (int)(p & 255);
            c += abs(pr - r) <= tol && abs(pg - g) <= tol && abs(pb - b) <= tol;
        }
    cairo_surface_destroy(s);
    return c;
}

/* ---------------------------------- ticks ---------------------------------- */

static void ticks_should_be_multiples_of_one_two_or_five_covering_the_data(void **state)
{
    (void)state;
    as_ticks t;
    /* (0.987 - 0.013) / 5 = 0.195 -> step 0.2; range widened to 0 .. 1, six ticks */
    as_ticks_make(0.013, 0.987, 6, 1, 0, &t);
    assert_near(t.step, 0.2, 1e-15);
    assert_near(t.lo, 0.0, 1e-15);
    assert_near(t.hi, 1.0, 1e-15);
    assert_int_equal(t.count, 6);
    /* 15.9 / 4 = 3.975 -> step 5: -5 .. 15 */
    as_ticks_make(-3.7, 12.2, 5, 1, 0, &t);
    assert_near(t.step, 5.0, 0);
    assert_near(t.lo, -5.0, 0);
    assert_near(t.hi, 15.0, 0);
    assert_int_equal(t.count, 5);
    /* energies in eV/atom: 0.0123 / 5 = 0.00246 -> step 0.002, labels with 3 decimals */
    as_ticks_make(-0.0613, -0.049, 6, 1, 0, &t);
    assert_near(t.step, 0.002, 1e-18);
    assert_int_equal(t.decimals, 3);
    char buf[32];
    as_ticks_label(&t, as_ticks_value(&t, 0), buf, sizeof buf);
    assert_string_equal(buf, "-0.062");
}

static void fixed_ranges_should_keep_their_ends_and_put_ticks_inside(void **state)
{
    (void)state;
    as_ticks t;
    as_ticks_make(-0.02, 1.02, 7, 0, 0, &t); /* the ROC range: 1.04 / 6 -> 0.2 */
    assert_near(t.lo, -0.02, 0);
    assert_near(t.hi, 1.02, 0);
    assert_int_equal(t.count, 6);
    assert_near(as_ticks_value(&t, 0), 0.0, 0);
    assert_near(as_ticks_value(&t, 5), 1.0, 1e-15);
}

static void a_tick_at_zero_should_print_as_zero(void **state)
{
    (void)state;
    as_ticks t;
    as_ticks_make(-0.3, 0.3, 7, 1, 0, &t); /* step 0.1: 0 is reached as -3 * 0.1 + 3 * 0.1 */
    char buf[32];
    int seen = 0;
    for (size_t i = 0; i < t.count; i++) {
        double v = as_ticks_value(&t, i);
        as_ticks_label(&t, v, buf, sizeof buf);
        if (fabs(v) < 1e-12) {
            assert_string_equal(buf, "0.0");
            seen = 1;
        }
    }
    assert_true(seen);
}

static void integer_ticks_should_never_step_below_one(void **state)
{
    (void)state;
    as_ticks t;
    as_ticks_make(0, 3, 10, 1, 1, &t); /* 3 / 9 -> 0.5 without the integer rule */
    assert_near(t.step, 1.0, 0);
    assert_int_equal(t.decimals, 0);
}

static void degenerate_and_non_finite_ranges_should_be_widened(void **state)
{
    (void)state;
    as_ticks t;
    as_ticks_make(2.385, 2.385, 5, 1, 0, &t);
    assert_true(t.lo < 2.385 && t.hi > 2.385 && t.count >= 2);
    as_ticks_make(0, 0, 5, 1, 0, &t);
    assert_true(t.lo < 0 && t.hi > 0);
    as_ticks_make(NAN, INFINITY, 5, 1, 0, &t);
    assert_near(t.lo, 0, 0);
    assert_near(t.hi, 1, 0);
}

/* ---------------------------------- references ---------------------------------- */

static FILE *open_ref(void)
{
    FILE *f = fopen(AS_SOURCE_DIR "/tests/fixtures/report_ref.txt", "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f)); /* comment */
    return f;
}

static void colormap_should_follow_matplotlib_viridis(void **state)
{
    (void)state;
    FILE *f = open_ref();
    int n;
    assert_int_equal(fscanf(f, " viridis %d", &n), 1);
    for (int i = 0; i < n; i++) {
        double u, ref[3], rgb[3];
        assert_int_equal(fscanf(f, "%lf %lf %lf %lf", &u, &ref[0], &ref[1], &ref[2]), 4);
        as_colormap(u, rgb);
        for (int c = 0; c < 3; c++)
            assert_true(fabs(rgb[c] - ref[c]) <= 0.025); /* max deviation 0.0221 (fixture) */
    }
    fclose(f);
}

static void histogram_counts_should_match_numpy(void **state)
{
    (void)state;
    FILE *f = open_ref();
    char line[4096];
    while (fgets(line, sizeof line, f) && strncmp(line, "hist", 4) != 0) {
    }
    size_t bins, n;
    assert_int_equal(sscanf(line, "hist %zu %zu", &bins, &n), 2);
    double edges[8], counts[7], ref[7];
    for (size_t k = 0; k <= bins; k++)
        assert_int_equal(fscanf(f, "%lf", &edges[k]), 1);
    for (size_t k = 0; k < bins; k++)
        assert_int_equal(fscanf(f, "%lf", &ref[k]), 1);
    fclose(f);
    double x[200];
    for (size_t i = 0; i < n; i++)
        x[i] = 1.7 * sin(2.385 * (double)i) + 0.25;
    as_plot *p;
    assert_int_equal(as_plot_create(NULL, NULL, NULL, &p), AS_OK);
    assert_int_equal(as_plot_hist(p, x, n, bins, "x"), AS_OK);
    double lo, hi;
    size_t b;
    assert_int_equal(as_plot_hist_edges(p, &lo, &hi, &b), 1);
    assert_int_equal(b, bins);
    assert_near(lo, edges[0], 1e-15);
    assert_near(hi, edges[bins], 1e-15);
    as_hist_count(x, n, lo, hi, bins, counts);
    for (size_t k = 0; k < bins; k++)
        assert_near(counts[k], ref[k], 0);
    as_plot_free(p);
}

static void histograms_in_one_plot_should_share_bin_edges(void **state)
{
    (void)state;
    double a[3] = {0.0, 1.0, 2.0}, b[2] = {-2.0, 4.0};
    as_plot *p;
    assert_int_equal(as_plot_create(NULL, NULL, NULL, &p), AS_OK);
    assert_int_equal(as_plot_hist(p, a, 3, 4, "a"), AS_OK);
    assert_int_equal(as_plot_hist(p, b, 2, 6, "b"), AS_OK);
    double lo, hi;
    size_t bins;
    assert_int_equal(as_plot_hist_edges(p, &lo, &hi, &bins), 1);
    assert_near(lo, -2.0, 0);
    assert_near(hi, 4.0, 0);
    assert_int_equal(bins, 6);
    as_plot_free(p);
}

/* ---------------------------------- markup ---------------------------------- */

static void label_markup_should_split_into_raised_and_lowered_runs(void **state)
{
    (void)state;
    const char *s = "E_{ordering} α^{Pt-(Co/M)} x_1";
    size_t pos = 0;
    as_text_run r;
    const char *want[] = {"E", "ordering", " α", "Pt-(Co/M)", " x_1"};
    int shift[] = {0, -1, 0, 1, 0};
    for (int i = 0; i < 5; i++) {
        assert_true(as_text_next_run(s, &pos, &r));
        assert_int_equal(r.n, strlen(want[i]));
        assert_memory_equal(r.s, want[i], r.n);
        assert_int_equal(r.shift, shift[i]);
    }
    assert_false(as_text_next_run(s, &pos, &r));
    char *m = as_formula_markup("Pt2CoCu");
    assert_string_equal(m, "Pt_{2}CoCu");
    as_free(m);
    m = as_formula_markup("Pt12Co3");
    assert_string_equal(m, "Pt_{12}Co_{3}");
    as_free(m);
}

/* ---------------------------------- files ---------------------------------- */

static as_plot *sample_plot(void)
{
    as_plot *p;
    assert_int_equal(as_plot_create("Sample & <test>", "Relative energy (eV/atom)",
                                    "Configurations (count)", &p),
                     AS_OK);
    double x[50], y[50], c[50];
    for (int i = 0; i < 50; i++) {
        x[i] = -0.06 + 0.001 * i;
        y[i] = 3 + 2 * sin(0.3 * i);
        c[i] = cos(0.1 * i);
    }
    assert_int_equal(as_plot_line(p, x, y, 50, "line"), AS_OK);
    as_plot_last_style(p)->marker = AS_MARKER_SQUARE;
    assert_int_equal(as_plot_scatter(p, x, c, c, 50, "scatter", "colour (unitless)"), AS_OK);
    assert_int_equal(as_plot_hline(p, 1.5, "reference"), AS_OK);
    return p;
}

static void save_should_write_a_png_of_the_plot_size_that_is_not_blank(void **state)
{
    (void)state;
    as_plot *p = sample_plot();
    assert_int_equal(as_plot_set_size(p, 640, 480), AS_OK);
    assert_int_equal(as_plot_save(p, OUT_DIR, "sample"), AS_OK);
    as_plot_free(p);
    int w, h;
    size_t distinct;
    png_info(OUT_DIR "/sample.png", &w, &h, &distinct);
    assert_int_equal(w, 640);
    assert_int_equal(h, 480);
    assert_true(distinct > 50); /* text anti-aliasing, three series and a colour bar */
    assert_false(exists(OUT_DIR "/sample.png.tmp"));
    assert_false(exists(OUT_DIR "/sample.svg.tmp"));
}

static void svg_should_be_one_document_carrying_the_label_text(void **state)
{
    (void)state;
    as_plot *p = sample_plot();
    assert_int_equal(as_plot_save(p, OUT_DIR, "sample_svg"), AS_OK);
    as_plot_free(p);
    char *s = slurp(OUT_DIR "/sample_svg.svg");
    assert_non_null(s);
    assert_true(strncmp(s, "<?xml", 5) == 0);
    assert_non_null(strstr(s, "<svg"));
    assert_non_null(strstr(s, "width=\"800px\""));
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    assert_true(n > 6 && memcmp(s + n - 6, "</svg>", 6) == 0);
    assert_non_null(strstr(s, "<title>Sample &amp; &lt;test&gt;</title>"));
    assert_non_null(strstr(s, "Relative energy (eV/atom)"));
    assert_non_null(strstr(s, "Configurations (count)"));
    assert_non_null(strstr(s, "colour (unitless)"));
    assert_non_null(strstr(s, "series: line; scatter; reference"));
    assert_null(strstr(s, "Sample & <test>")); /* never unescaped */
    free(s);
}

static void heat_map_cells_should_take_viridis_end_colours(void **state)
{
    (void)state;
    as_plot *p;
    assert_int_equal(as_plot_create("two cells", "T (K)", "rate (K/min)", &p), AS_OK);
    double xs[2] = {700, 900}, ys[1] = {10}, z[2] = {0, 1};
    assert_int_equal(as_plot_heatmap(p, xs, 2, ys, 1, z, "p (fraction)"), AS_OK);
    assert_int_equal(as_plot_set_crange(p, 0, 1), AS_OK);
    assert_int_equal(as_plot_save(p, OUT_DIR, "heat"), AS_OK);
    as_plot_free(p);
    /* matplotlib: viridis(0) = #440154, viridis(1) = #fde725; +-1 for 8-bit rounding. Each
     * cell fills half the plot area, which is well over 50 000 px at 800 x 600. */
    assert_true(png_count_color(OUT_DIR "/heat.png", 0x44, 0x01, 0x54, 1) > 50000);
    assert_true(png_count_color(OUT_DIR "/heat.png", 0xfd, 0xe7, 0x25, 1) > 50000);
}

static void grid_should_place_panels_side_by_side(void **state)
{
    (void)state;
    as_plot *a = sample_plot(), *b = sample_plot();
    const as_plot *const both[2] = {a, b};
    assert_int_equal(as_plot_save_grid(both, 2, 2, OUT_DIR, "grid"), AS_OK);
    int w, h;
    size_t distinct;
    png_info(OUT_DIR "/grid.png", &w, &h, &distinct);
    assert_int_equal(w, 1600);
    assert_int_equal(h, 600);
    assert_int_equal(as_plot_save_grid(both, 2, 1, OUT_DIR, "grid_v"), AS_OK);
    png_info(OUT_DIR "/grid_v.png", &w, &h, &distinct);
    assert_int_equal(w, 800);
    assert_int_equal(h, 1200);
    as_plot_free(a);
    as_plot_free(b);
}

static void every_series_type_should_render_together(void **state)
{
    (void)state;
    as_plot *p;
    assert_int_equal(as_plot_create("all", "x (m)", "y (s)", &p), AS_OK);
    double v[40], e[5] = {0, 1, 2, 3, 4}, cnt[4] = {1, 3, 2, 5};
    for (int i = 0; i < 40; i++)
        v[i] = sin(2.385 * i) * 2 + 2;
    const char *names[3] = {"Pt_{2}CoCu", "Pt_{2}CoNi", "PtCo"};
    double bars[3] = {1, 2, NAN}, err[3] = {0.2, -1, 0.1};
    assert_int_equal(as_plot_hist(p, v, 40, 8, "raw"), AS_OK);
    assert_int_equal(as_plot_hist_counts(p, e, cnt, 4, "binned"), AS_OK);
    assert_int_equal(as_plot_vline(p, 2.0, "mean"), AS_OK);
    assert_int_equal(as_plot_diagonal(p), AS_OK);
    assert_int_equal(as_plot_save(p, OUT_DIR, "all"), AS_OK);
    as_plot_free(p);
    assert_int_equal(as_plot_create("bars", NULL, "E (eV/atom)", &p), AS_OK);
    assert_int_equal(as_plot_bars(p, names, bars, err, 3), AS_OK);
    assert_int_equal(as_plot_save(p, OUT_DIR, "bars"), AS_OK);
    as_plot_free(p);
    /* an empty plot still draws its axes */
    assert_int_equal(as_plot_create(NULL, NULL, NULL, &p), AS_OK);
    assert_int_equal(as_plot_save(p, NULL, OUT_DIR "/empty"), AS_OK);
    as_plot_free(p);
    assert_true(exists(OUT_DIR "/empty.png"));
}

/* ---------------------------------- errors ---------------------------------- */

static void bad_arguments_should_give_einval_with_a_message(void **state)
{
    (void)state;
    as_plot *p;
    assert_int_equal(as_plot_create("t", "x", "y", &p), AS_OK);
    assert_int_equal(as_plot_set_size(p, 100, 600), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "100 x 600"));
    assert_int_equal(as_plot_set_xrange(p, 1, 1), AS_EINVAL);
    assert_int_equal(as_plot_set_yrange(p, NAN, 1), AS_EINVAL);
    double xs[3] = {0, 2, 1}, ys[1] = {0}, z[3] = {0, 0, 0};
    assert_int_equal(as_plot_heatmap(p, xs, 3, ys, 1, z, "c"), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "xs must increase"));
    assert_int_equal(as_plot_line(p, NULL, NULL, 3, "l"), AS_EINVAL);
    assert_int_equal(as_plot_hist(p, z, 3, 0, "h"), AS_EINVAL);
    double edges[3] = {0, 1, 1};
    assert_int_equal(as_plot_hist_counts(p, edges, z, 2, "h"), AS_EINVAL);
    const char *names[1] = {"a"};
    assert_int_equal(as_plot_bars(p, names, z, NULL, 1), AS_OK);
    assert_int_equal(as_plot_bars(p, names, z, NULL, 1), AS_EINVAL);
    assert_int_equal(as_plot_hline(p, INFINITY, "r"), AS_EINVAL);
    assert_int_equal(as_plot_save(p, OUT_DIR, ""), AS_EINVAL);
    assert_null(as_plot_last_style(NULL));
    as_plot_free(p);
    as_plot_free(NULL);
}

static void saving_into_a_missing_directory_should_give_eio_and_leave_nothing(void **state)
{
    (void)state;
    as_plot *p = sample_plot();
    assert_int_equal(as_plot_save(p, OUT_DIR "/no/such/dir", "x"), AS_EIO);
    assert_non_null(strstr(as_errmsg(), "no/such/dir/x.svg"));
    as_plot_free(p);
    assert_false(exists(OUT_DIR "/no"));
}

static void failed_allocations_should_give_enomem_without_leaks(void **state)
{
    (void)state;
    /* every k-th allocation from the first on: building, adding every series type, saving */
    for (size_t k = 1; k < 400; k++) {
        as_alloc_fail_after(k);
        as_plot *p = NULL;
        as_status st = as_plot_create("t", "x (m)", "y (m)", &p);
        double x[4] = {1, 2, 3, 4}, e[3] = {0, 1, 2}, cn[2] = {1, 2};
        const char *names[2] = {"a", "b"};
        if (st == AS_OK)
            st = as_plot_line(p, x, x, 4, "l");
        if (st == AS_OK)
            st = as_plot_scatter(p, x, x, x, 4, "s", "c (m)");
        if (st == AS_OK)
            st = as_plot_hist(p, x, 4, 3, "h");
        if (st == AS_OK)
            st = as_plot_hist_counts(p, e, cn, 2, "hc");
        if (st == AS_OK)
            st = as_plot_hline(p, 1, "r");
        if (st == AS_OK)
            st = as_plot_bars(p, names, x, x, 2);
        if (st == AS_OK)
            st = as_plot_heatmap(p, x, 2, x, 2, x, "z");
        if (st == AS_OK)
            st = as_plot_save(p, OUT_DIR, "oom");
        size_t used = as_alloc_fail_after(0);
        as_plot_free(p);
        if (st == AS_OK) {
            assert_true(used < k); /* finished before the failing allocation */
            return;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_false(exists(OUT_DIR "/oom.svg.tmp"));
        assert_false(exists(OUT_DIR "/oom.png.tmp"));
    }
    fail_msg("still failing after 400 allocations");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ticks_should_be_multiples_of_one_two_or_five_covering_the_data),
        cmocka_unit_test(fixed_ranges_should_keep_their_ends_and_put_ticks_inside),
        cmocka_unit_test(a_tick_at_zero_should_print_as_zero),
        cmocka_unit_test(integer_ticks_should_never_step_below_one),
        cmocka_unit_test(degenerate_and_non_finite_ranges_should_be_widened),
        cmocka_unit_test(colormap_should_follow_matplotlib_viridis),
        cmocka_unit_test(histogram_counts_should_match_numpy),
        cmocka_unit_test(histograms_in_one_plot_should_share_bin_edges),
        cmocka_unit_test(label_markup_should_split_into_raised_and_lowered_runs),
        cmocka_unit_test(save_should_write_a_png_of_the_plot_size_that_is_not_blank),
        cmocka_unit_test(svg_should_be_one_document_carrying_the_label_text),
        cmocka_unit_test(heat_map_cells_should_take_viridis_end_colours),
        cmocka_unit_test(grid_should_place_panels_side_by_side),
        cmocka_unit_test(every_series_type_should_render_together),
        cmocka_unit_test(bad_arguments_should_give_einval_with_a_message),
        cmocka_unit_test(saving_into_a_missing_directory_should_give_eio_and_leave_nothing),
        cmocka_unit_test(failed_allocations_should_give_enomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
