/* resample: SMOTE-NC (as_smote_nc, as_resample with AS_SMOTE_NC) against imbalanced-learn's
 * SMOTENC (tests/fixtures/smotenc_ref.txt, written by tests/fixtures/smotenc_ref.py). The RNGs
 * differ, so synthetic rows are not compared one by one; instead:
 * (1) invariants of our output: exactly one level per one-hot group, integer columns whole,
 *     every column within its range over the input rows -- on raw and on z-scored input;
 * (2) the vote rule where SMOTENC's choice is forced (clusters whose rows' 5 neighbours hold a
 *     clear majority of one level; SMOTENC gives that level in all of 20 runs): ours must give
 *     the same level for every synthetic row of the cluster;
 * (3) the share of each level among the synthetic rows of a larger table, averaged over 40
 *     seeds, within 0.03 of SMOTENC's average over 40 random states (the wrong rule "copy the
 *     base sample's level" is further than that from SMOTENC: checked on the fixture).
 * Plus: plain mode is as_smote bit for bit, determinism, errors, allocation failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/data.h"
#include "alloyscout/resample.h"

/* One fixture dataset, encoded as the synth workflow does: the numeric columns, then the
 * one-hot columns of each categorical column (group = categorical column index). */
typedef struct {
    size_t n, n_num, n_cat, levels[4], d;
    double *x; /* (n, d) */
    int *y, *group;
    unsigned char *integer;
    size_t n_forced;
    double forced[8][3]; /* cx cy level */
    double share[4][8], copy[4][8];
} nc_fixture;

static void fixture_free(nc_fixture *f)
{
    free(f->x);
    free(f->y);
    free(f->group);
    free(f->integer);
}

static FILE *fixture_open(void)
{
    FILE *fp = fopen(AS_SOURCE_DIR "/tests/fixtures/smotenc_ref.txt", "r");
    assert_non_null(fp);
    char line[512];
    assert_non_null(fgets(line, sizeof line, fp)); /* # versions */
    return fp;
}

/* Read the next dataset named `name` (the fixture's order: forced, dist). */
static void fixture_read(FILE *fp, const char *name, nc_fixture *f)
{
    char word[64], dname[64];
    memset(f, 0, sizeof *f);
    assert_int_equal(fscanf(fp, "%63s %63s", word, dname), 2);
    assert_string_equal(word, "dataset");
    assert_string_equal(dname, name);
    assert_int_equal(fscanf(fp, "%63s %zu %zu %zu", word, &f->n, &f->n_num, &f->n_cat), 4);
    f->d = f->n_num;
    for (size_t j = 0; j < f->n_cat; j++) {
        assert_int_equal(fscanf(fp, "%zu", &f->levels[j]), 1);
        f->d += f->levels[j];
    }
    f->x = calloc(f->n * f->d, sizeof *f->x);
    f->y = calloc(f->n, sizeof *f->y);
    f->group = calloc(f->d, sizeof *f->group);
    f->integer = calloc(f->d, 1);
    for (size_t c = 0, j = 0, off = f->n_num; c < f->d; c++) {
        if (c < f->n_num) {
            f->group[c] = -1;
            continue;
        }
        if (c >= off + f->levels[j])
            off += f->levels[j++];
        f->group[c] = (int)j;
    }
    for (size_t i = 0; i < f->n; i++) {
        double *r = f->x + i * f->d;
        for (size_t c = 0; c < f->n_num; c++)
            assert_int_equal(fscanf(fp, "%lf", &r[c]), 1);
        for (size_t j = 0, off = f->n_num; j < f->n_cat; off += f->levels[j++]) {
            size_t lv;
            assert_int_equal(fscanf(fp, "%zu", &lv), 1);
            r[off + lv] = 1.0;
        }
        assert_int_equal(fscanf(fp, "%d", &f->y[i]), 1);
    }
    size_t ni, c;
    assert_int_equal(fscanf(fp, "%63s %zu", word, &ni), 2);
    for (size_t k = 0; k < ni; k++) {
        assert_int_equal(fscanf(fp, "%zu", &c), 1);
        f->integer[c] = 1;
    }
    assert_int_equal(fscanf(fp, "%63s", word), 1);
    if (strcmp(word, "forced") == 0) {
        assert_int_equal(fscanf(fp, "%zu", &f->n_forced), 1);
        for (size_t k = 0; k < f->n_forced; k++)
            assert_int_equal(
                fscanf(fp, "%lf %lf %lf", &f->forced[k][0], &f->forced[k][1], &f->forced[k][2]), 3);
    } else {
        assert_string_equal(word, "dist");
        size_t r;
        assert_int_equal(fscanf(fp, "%zu", &r), 1);
        for (size_t j = 0; j < f->n_cat; j++) {
            assert_int_equal(fscanf(fp, "%zu", &c), 1);
            for (size_t l = 0; l < f->levels[j]; l++)
                assert_int_equal(fscanf(fp, "%lf", &f->share[j][l]), 1);
        }
        for (size_t j = 0; j < f->n_cat; j++) {
            assert_int_equal(fscanf(fp, "%63s %zu", word, &c), 2);
            for (size_t l = 0; l < f->levels[j]; l++)
                assert_int_equal(fscanf(fp, "%lf", &f->copy[j][l]), 1);
        }
    }
}

static void read_both(nc_fixture *forced, nc_fixture *dist)
{
    FILE *fp = fixture_open();
    fixture_read(fp, "forced", forced);
    fixture_read(fp, "dist", dist);
    fclose(fp);
}

static as_smote_columns raw_columns(const nc_fixture *f)
{
    as_smote_columns c = {f->group, f->integer, NULL, NULL};
    return c;
}

/* Level of categorical column j in row r (raw 0/1 values), or -1 when not exactly one. */
static int level_of(const nc_fixture *f, const double *r, size_t j)
{
    size_t off = f->n_num;
    for (size_t q = 0; q < j; q++)
        off += f->levels[q];
    int lv = -1, on = 0;
    for (size_t l = 0; l < f->levels[j]; l++)
        if (r[off + l] == 1.0) {
            lv = (int)l;
            on++;
        } else {
            assert_true(r[off + l] == 0.0);
        }
    return on == 1 ? lv : -1;
}

/* (1) on raw rows xr (n_out, d): one level per group, integers whole, ranges kept. */
static void check_invariants(const nc_fixture *f, const double *xr, size_t n_out, double tol)
{
    for (size_t c = 0; c < f->d; c++) {
        double lo = f->x[c], hi = f->x[c];
        for (size_t i = 1; i < f->n; i++) {
            lo = fmin(lo, f->x[i * f->d + c]);
            hi = fmax(hi, f->x[i * f->d + c]);
        }
        for (size_t s = f->n; s < n_out; s++) {
            double v = xr[s * f->d + c];
            assert_true(v >= lo - tol && v <= hi + tol);
            if (f->integer[c])
                assert_true(fabs(v - round(v)) <= tol);
        }
    }
    for (size_t s = f->n; s < n_out; s++)
        for (size_t j = 0; j < f->n_cat; j++) {
            /* compare after rounding to tol (z-scored input comes back within rounding) */
            double row[64];
            memcpy(row, xr + s * f->d, f->d * sizeof *row);
            for (size_t c = f->n_num; c < f->d; c++) {
                assert_true(fabs(row[c] - round(row[c])) <= tol);
                row[c] = round(row[c]);
            }
            assert_true(level_of(f, row, j) >= 0);
        }
}

static void smotenc_should_keep_one_level_per_group_integers_and_ranges(void **state)
{
    (void)state;
    nc_fixture fx[2];
    read_both(&fx[0], &fx[1]);
    for (int k = 0; k < 2; k++) {
        const nc_fixture *f = &fx[k];
        as_smote_columns cols = raw_columns(f);
        for (uint64_t seed = 1; seed <= 5; seed++) {
            as_rng rng;
            as_rng_stream(&rng, 77, seed);
            double *xo = NULL;
            int *yo = NULL;
            size_t no = 0;
            assert_int_equal(as_smote_nc(f->x, f->y, f->n, f->d, 5, &cols, &rng, &xo, &yo, &no),
                             AS_OK);
            assert_true(no > f->n);
            assert_memory_equal(xo, f->x, f->n * f->d * sizeof *xo);
            check_invariants(f, xo, no, 0.0); /* raw input: exact */
            as_free(xo);
            as_free(yo);
        }
    }
    fixture_free(&fx[0]);
    fixture_free(&fx[1]);
}

static void smotenc_should_keep_the_invariants_on_z_scored_input(void **state)
{
    (void)state;
    nc_fixture fx[2];
    read_both(&fx[0], &fx[1]);
    for (int k = 0; k < 2; k++) {
        const nc_fixture *f = &fx[k];
        as_scaler *sc = NULL;
        assert_int_equal(as_scaler_fit(f->x, f->n, f->d, &sc), AS_OK);
        double *z = malloc(f->n * f->d * sizeof *z);
        memcpy(z, f->x, f->n * f->d * sizeof *z);
        assert_int_equal(as_scaler_transform(sc, z, f->n, f->d), AS_OK);
        as_smote_columns cols = {f->group, f->integer, as_scaler_mean(sc), as_scaler_scale(sc)};
        as_resample_options o = as_resample_options_default();
        o.method = AS_RESAMPLE_SMOTE;
        o.smote = AS_SMOTE_NC;
        o.columns = cols;
        as_rng rng;
        as_rng_stream(&rng, 78, (uint64_t)k);
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        assert_int_equal(as_resample(&o, z, f->y, f->n, f->d, &rng, &xo, &yo, &no), AS_OK);
        for (size_t i = 0; i < no; i++) /* back to raw units */
            for (size_t c = 0; c < f->d; c++)
                xo[i * f->d + c] =
                    as_scaler_mean(sc)[c] + as_scaler_scale(sc)[c] * xo[i * f->d + c];
        check_invariants(f, xo, no, 1e-9);
        as_free(xo);
        as_free(yo);
        free(z);
        as_scaler_free(sc);
    }
    fixture_free(&fx[0]);
    fixture_free(&fx[1]);
}

static void smotenc_should_give_the_level_smotenc_is_forced_to(void **state)
{
    (void)state;
    nc_fixture f, g;
    read_both(&f, &g);
    assert_int_equal(f.n_forced, 4);
    as_smote_columns cols = raw_columns(&f);
    size_t checked = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        as_rng rng;
        as_rng_stream(&rng, 79, seed);
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        assert_int_equal(as_smote_nc(f.x, f.y, f.n, f.d, 5, &cols, &rng, &xo, &yo, &no), AS_OK);
        for (size_t s = f.n; s < no; s++) {
            const double *r = xo + s * f.d;
            size_t best = 0;
            double bd = INFINITY;
            for (size_t k = 0; k < f.n_forced; k++) {
                double dx = r[0] - f.forced[k][0], dy = r[1] - f.forced[k][1];
                if (dx * dx + dy * dy < bd) {
                    bd = dx * dx + dy * dy;
                    best = k;
                }
            }
            assert_int_equal(level_of(&f, r, 0), (int)f.forced[best][2]);
            checked++;
        }
        as_free(xo);
        as_free(yo);
    }
    assert_int_equal(checked, 20 * (80 - 32)); /* 80 majority, 32 minority rows */
    fixture_free(&f);
    fixture_free(&g);
}

static void smotenc_level_shares_should_match_smotenc_within_tolerance(void **state)
{
    (void)state;
    const double tol = 0.03;
    nc_fixture g, f;
    read_both(&g, &f);
    as_smote_columns cols = raw_columns(&f);
    double share[4][8] = {{0}};
    const int runs = 40;
    for (int seed = 0; seed < runs; seed++) {
        as_rng rng;
        as_rng_stream(&rng, 80, (uint64_t)seed);
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        assert_int_equal(as_smote_nc(f.x, f.y, f.n, f.d, 5, &cols, &rng, &xo, &yo, &no), AS_OK);
        for (size_t s = f.n; s < no; s++)
            for (size_t j = 0; j < f.n_cat; j++)
                share[j][level_of(&f, xo + s * f.d, j)] += 1.0 / (double)(no - f.n) / runs;
        as_free(xo);
        as_free(yo);
    }
    int power = 0;
    for (size_t j = 0; j < f.n_cat; j++)
        for (size_t l = 0; l < f.levels[j]; l++) {
            printf("column %zu level %zu: ours %.4f SMOTENC %.4f (copy rule %.4f)\n", j, l,
                   share[j][l], f.share[j][l], f.copy[j][l]);
            assert_true(fabs(share[j][l] - f.share[j][l]) < tol);
            power |= fabs(f.copy[j][l] - f.share[j][l]) > tol;
        }
    assert_true(power); /* the tolerance separates the vote from copying the base level */
    fixture_free(&f);
    fixture_free(&g);
}

static void plain_mode_should_be_as_smote_bit_for_bit(void **state)
{
    (void)state;
    nc_fixture f, g;
    read_both(&f, &g);
    as_resample_options o = as_resample_options_default();
    assert_int_equal(o.smote, AS_SMOTE_PLAIN);
    o.method = AS_RESAMPLE_SMOTE;
    o.columns = raw_columns(&f); /* ignored by plain */
    as_rng r1, r2;
    as_rng_stream(&r1, 81, 1);
    as_rng_stream(&r2, 81, 1);
    double *x1 = NULL, *x2 = NULL;
    int *y1 = NULL, *y2 = NULL;
    size_t n1 = 0, n2 = 0;
    assert_int_equal(as_resample(&o, f.x, f.y, f.n, f.d, &r1, &x1, &y1, &n1), AS_OK);
    assert_int_equal(as_smote(f.x, f.y, f.n, f.d, 5, &r2, &x2, &y2, &n2), AS_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(x1, x2, n1 * f.d * sizeof *x1);
    as_free(x1);
    as_free(x2);
    as_free(y1);
    as_free(y2);
    fixture_free(&f);
    fixture_free(&g);
}

static void smotenc_should_be_deterministic_for_a_seed(void **state)
{
    (void)state;
    nc_fixture g, f;
    read_both(&g, &f);
    as_smote_columns cols = raw_columns(&f);
    double *x[2] = {NULL, NULL};
    int *y[2] = {NULL, NULL};
    size_t n[2];
    for (int k = 0; k < 2; k++) {
        as_rng rng;
        as_rng_stream(&rng, 82, 3);
        assert_int_equal(as_smote_nc(f.x, f.y, f.n, f.d, 5, &cols, &rng, &x[k], &y[k], &n[k]),
                         AS_OK);
    }
    assert_int_equal(n[0], n[1]);
    assert_memory_equal(x[0], x[1], n[0] * f.d * sizeof *x[0]);
    for (int k = 0; k < 2; k++) {
        as_free(x[k]);
        as_free(y[k]);
    }
    fixture_free(&f);
    fixture_free(&g);
}

static void smotenc_should_reject_bad_columns_and_names(void **state)
{
    (void)state;
    const double x[] = {1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0};
    const int y[] = {1, 1, 1, 0, 0, 0, 0, 0, 0};
    const int all_cat[] = {0, 0};
    as_smote_columns c = {all_cat, NULL, NULL, NULL};
    as_rng rng;
    as_rng_seed(&rng, 1);
    double *xo = (double *)1;
    int *yo = (int *)1;
    size_t no = 7;
    assert_int_equal(as_smote_nc(x, y, 9, 2, 2, &c, &rng, &xo, &yo, &no), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "numeric"));
    assert_null(xo);
    assert_null(yo);
    const int one_num[] = {-1, 0};
    const double off[] = {0, 0}, bad_scale[] = {1, 0};
    as_smote_columns c2 = {one_num, NULL, off, bad_scale};
    assert_int_equal(as_smote_nc(x, y, 9, 2, 2, &c2, &rng, &xo, &yo, &no), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "scale"));
    as_smote_mode m;
    assert_int_equal(as_smote_mode_parse("nc", &m), AS_OK);
    assert_int_equal(m, AS_SMOTE_NC);
    assert_int_equal(as_smote_mode_parse("plain", &m), AS_OK);
    assert_int_equal(m, AS_SMOTE_PLAIN);
    assert_int_equal(as_smote_mode_parse("nominal", &m), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "plain, nc"));
    assert_string_equal(as_smote_mode_name(AS_SMOTE_NC), "nc");
    as_resample_options o = as_resample_options_default();
    o.smote = (as_smote_mode)7;
    assert_int_equal(as_resample(&o, x, y, 9, 2, &rng, &xo, &yo, &no), AS_EINVAL);
}

static void smotenc_should_fail_cleanly_on_every_allocation(void **state)
{
    (void)state;
    const double x[] = {0.5, 1, 1.5, 0, 2.5, 1, 3.5, 0, 4.5, 1,
                        5.5, 0, 6.5, 1, 7.5, 0, 8.5, 1, 9.5, 0};
    const int y[] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    const int group[] = {-1, 0};
    as_smote_columns c = {group, NULL, NULL, NULL};
    for (size_t k = 1;; k++) {
        as_rng rng;
        as_rng_seed(&rng, 1);
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        as_alloc_fail_after(k);
        as_status st = as_smote_nc(x, y, 10, 2, 2, &c, &rng, &xo, &yo, &no);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            assert_true(k > 10);
            as_free(xo);
            as_free(yo);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(xo);
        assert_null(yo);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(smotenc_should_keep_one_level_per_group_integers_and_ranges),
        cmocka_unit_test(smotenc_should_keep_the_invariants_on_z_scored_input),
        cmocka_unit_test(smotenc_should_give_the_level_smotenc_is_forced_to),
        cmocka_unit_test(smotenc_level_shares_should_match_smotenc_within_tolerance),
        cmocka_unit_test(plain_mode_should_be_as_smote_bit_for_bit),
        cmocka_unit_test(smotenc_should_be_deterministic_for_a_seed),
        cmocka_unit_test(smotenc_should_reject_bad_columns_and_names),
        cmocka_unit_test(smotenc_should_fail_cleanly_on_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
