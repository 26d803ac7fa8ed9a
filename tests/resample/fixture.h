/* Reader for tests/fixtures/resample_ref.txt (written by tests/fixtures/resample_ref.py from
 * imbalanced-learn): datasets with imblearn's Tomek removals and SMOTE neighbour lists. */
#ifndef AS_TEST_RESAMPLE_FIXTURE_H
#define AS_TEST_RESAMPLE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[64];
    size_t n, d;
    double *x;                 /* (n, d) */
    int *y;                    /* (n) */
    size_t n_all, *all;        /* rows TomekLinks('all') removes */
    size_t n_auto, *autom;     /* rows TomekLinks('auto') removes */
    size_t n_twins, twins[16]; /* note self_neighbour pairs (a, b) flattened */
    size_t nn_m, nn_k;         /* SMOTE neighbours: nn_m minority rows, nn_k each */
    size_t *nn_row, *nn;       /* (nn_m), (nn_m, nn_k) global rows */
} rs_fixture;

static void rs_fixture_free(rs_fixture *f)
{
    free(f->x);
    free(f->y);
    free(f->all);
    free(f->autom);
    free(f->nn_row);
    free(f->nn);
    memset(f, 0, sizeof *f);
}

static int rs_read_indices(FILE *fp, const char *key, size_t *count, size_t **out)
{
    char word[64];
    if (fscanf(fp, "%63s %zu", word, count) != 2 || strcmp(word, key) != 0)
        return 0;
    *out = calloc(*count + 1, sizeof(size_t));
    for (size_t i = 0; i < *count; i++)
        if (fscanf(fp, "%zu", &(*out)[i]) != 1)
            return 0;
    return 1;
}

/* Read the next dataset; returns 1 on success, 0 at the end of the file. Aborts the test (via
 * the return value checked by the caller) on malformed content. */
static int rs_fixture_next(FILE *fp, rs_fixture *f, int *malformed)
{
    char word[64];
    memset(f, 0, sizeof *f);
    *malformed = 0;
    for (;;) {
        int c = fgetc(fp);
        while (c == ' ' || c == '\n')
            c = fgetc(fp);
        if (c == EOF)
            return 0;
        if (c == '#') {
            while (c != '\n' && c != EOF)
                c = fgetc(fp);
            continue;
        }
        ungetc(c, fp);
        break;
    }
    *malformed = 1;
    if (fscanf(fp, "%63s %63s %zu %zu", word, f->name, &f->n, &f->d) != 4 ||
        strcmp(word, "dataset") != 0)
        return 0;
    f->x = malloc(f->n * f->d * sizeof(double));
    f->y = malloc(f->n * sizeof(int));
    if (fscanf(fp, "%63s", word) != 1 || strcmp(word, "x") != 0)
        return 0;
    for (size_t i = 0; i < f->n * f->d; i++)
        if (fscanf(fp, "%lf", &f->x[i]) != 1)
            return 0;
    if (fscanf(fp, "%63s", word) != 1 || strcmp(word, "y") != 0)
        return 0;
    for (size_t i = 0; i < f->n; i++)
        if (fscanf(fp, "%d", &f->y[i]) != 1)
            return 0;
    if (!rs_read_indices(fp, "tomek_all", &f->n_all, &f->all) ||
        !rs_read_indices(fp, "tomek_auto", &f->n_auto, &f->autom))
        return 0;
    if (fscanf(fp, "%63s", word) != 1)
        return 0;
    if (strcmp(word, "note") == 0) {
        if (fscanf(fp, "%63s %zu", word, &f->n_twins) != 2 || f->n_twins > 8)
            return 0;
        for (size_t i = 0; i < 2 * f->n_twins; i++)
            if (fscanf(fp, "%zu", &f->twins[i]) != 1)
                return 0;
        if (fscanf(fp, "%63s", word) != 1)
            return 0;
    }
    if (strcmp(word, "smote_nn") != 0 || fscanf(fp, "%zu %zu", &f->nn_m, &f->nn_k) != 2)
        return 0;
    f->nn_row = calloc(f->nn_m + 1, sizeof(size_t));
    f->nn = calloc(f->nn_m * f->nn_k + 1, sizeof(size_t));
    for (size_t i = 0; i < f->nn_m; i++) {
        if (fscanf(fp, "%zu", &f->nn_row[i]) != 1)
            return 0;
        for (size_t j = 0; j < f->nn_k; j++)
            if (fscanf(fp, "%zu", &f->nn[i * f->nn_k + j]) != 1)
                return 0;
    }
    if (fscanf(fp, "%63s", word) != 1 || strcmp(word, "end") != 0)
        return 0;
    *malformed = 0;
    return 1;
}

static FILE *rs_fixture_open(void)
{
    return fopen(AS_SOURCE_DIR "/tests/fixtures/resample_ref.txt", "r");
}

#endif
