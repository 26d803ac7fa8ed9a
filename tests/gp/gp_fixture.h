/* Reader for tests/fixtures/gp_ref.txt (records `name count v1 ... vcount`, written by
 * tests/fixtures/gp_ref.py from scikit-learn). Test-only helper. */
#ifndef AS_TEST_GP_FIXTURE_H
#define AS_TEST_GP_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[64];
    size_t n;
    double *v;
} fx_rec;

typedef struct {
    fx_rec *r;
    size_t n;
} fx_file;

static fx_file fx_load_path(const char *path)
{
    fx_file f = {NULL, 0};
    FILE *in = fopen(path, "r");
    if (!in)
        return f;
    char name[64];
    int c;
    while ((c = fgetc(in)) != EOF) {
        if (c == '#') {
            while ((c = fgetc(in)) != EOF && c != '\n')
                ;
            continue;
        }
        if (c == '\n')
            continue;
        ungetc(c, in);
        size_t n;
        if (fscanf(in, "%63s %zu", name, &n) != 2)
            break;
        f.r = realloc(f.r, (f.n + 1) * sizeof *f.r);
        fx_rec *r = &f.r[f.n++];
        strcpy(r->name, name);
        r->n = n;
        r->v = malloc((n ? n : 1) * sizeof *r->v);
        for (size_t i = 0; i < n; i++)
            if (fscanf(in, "%lf", &r->v[i]) != 1)
                r->n = i;
    }
    fclose(in);
    return f;
}

static inline fx_file fx_load(void)
{
    return fx_load_path(AS_SOURCE_DIR "/tests/fixtures/gp_ref.txt");
}

static const double *fx_get(const fx_file *f, const char *name, size_t *n)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->r[i].name, name)) {
            if (n)
                *n = f->r[i].n;
            return f->r[i].v;
        }
    fprintf(stderr, "fixture record '%s' missing\n", name);
    abort();
}

static void fx_free(fx_file *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->r[i].v);
    free(f->r);
    f->r = NULL;
    f->n = 0;
}

#endif
