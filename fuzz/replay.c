/* main() for the fuzz targets when libFuzzer is not used: run a seed corpus and a fixed number
 * of seeded mutations of it through LLVMFuzzerTestOneInput. Deterministic: mutation k is made
 * from as_rng_stream(seed, k), so a failure is reproduced with --only k (and --dump FILE writes
 * that input). Mutations: bit flips, special bytes, deleted, repeated and swapped spans,
 * special tokens (nan, 1e999, huge counts, quotes, line ends), truncation and splices of two
 * corpus inputs; 1 to 5 of them stacked.
 *
 * usage: fuzz_NAME [--mutations N] [--seed S] [--only K] [--dump FILE] [--verbose] CORPUS...
 * (CORPUS: files or directories of files). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloyscout/core.h"
#include "fuzz.h"

#define MAX_LEN 65536
#define AS_MIN(a, b) ((a) < (b) ? (a) : (b))

typedef struct {
    uint8_t *d;
    size_t n;
} buf;

static buf *corpus;
static size_t n_corpus;

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    buf b = {malloc(MAX_LEN), 0};
    b.n = fread(b.d, 1, MAX_LEN, f);
    fclose(f);
    corpus = realloc(corpus, (n_corpus + 1) * sizeof *corpus);
    corpus[n_corpus++] = b;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        perror(path);
        exit(2);
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
        sprintf(names[n++], "%s/%s", path, e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, by_name); /* readdir order is not stable */
    for (size_t i = 0; i < n; i++) {
        add_file(names[i]);
        free(names[i]);
    }
    free(names);
}

static size_t pick(as_rng *r, size_t n) { return n ? as_rng_below(r, n) : 0; }

static void insert(buf *b, size_t at, const uint8_t *s, size_t len)
{
    if (b->n + len > MAX_LEN)
        len = MAX_LEN - b->n;
    memmove(b->d + at + len, b->d + at, b->n - at);
    memcpy(b->d + at, s, len);
    b->n += len;
}

static void mutate_once(as_rng *r, buf *b)
{
    static const uint8_t bytes[] = {0,   '\n', '\r', '"', ',', ' ', '\t', '-', '+',  '.',  'e',
                                    'E', '0',  '9',  '=', ':', 'T', 'F',  '#', 0x7f, 0xc3, 0xff};
    static const char *const tokens[] = {"nan",
                                         "inf",
                                         "-inf",
                                         "1e999",
                                         "-1e999",
                                         "1e-320",
                                         "-0",
                                         "0",
                                         "-1",
                                         "4294967297",
                                         "99999999999999999999",
                                         "2147483648",
                                         "1000000000",
                                         "\"",
                                         "\"\"",
                                         "\n",
                                         "\r\n",
                                         "\n\n",
                                         ",",
                                         ",,",
                                         " ",
                                         "=",
                                         "Lattice=\"",
                                         "Properties=species:S:1:pos:R:3",
                                         "Properties=species:S:1:pos:R:3:forces:R:3",
                                         "pbc=\"T T T\"",
                                         "energy=",
                                         "Direct",
                                         "Cartesian",
                                         "Selective dynamics",
                                         "Pt Co",
                                         "1 1",
                                         "Xx",
                                         "0.0 0.0 0.0"};
    size_t at = pick(r, b->n + 1);
    switch (pick(r, 8)) {
    case 0: /* flip a bit */
        if (b->n)
            b->d[pick(r, b->n)] ^= (uint8_t)(1u << pick(r, 8));
        break;
    case 1: /* a special byte in place of one */
        if (b->n)
            b->d[pick(r, b->n)] = bytes[pick(r, sizeof bytes)];
        break;
    case 2: { /* delete a span */
        size_t len = pick(r, AS_MIN(b->n - AS_MIN(at, b->n), (size_t)64) + 1);
        if (at < b->n) {
            memmove(b->d + at, b->d + at + len, b->n - at - len);
            b->n -= len;
        }
        break;
    }
    case 3: { /* repeat a span */
        if (!b->n)
            break;
        size_t from = pick(r, b->n), len = 1 + pick(r, AS_MIN(b->n - from, (size_t)256));
        uint8_t tmp[256];
        memcpy(tmp, b->d + from, len);
        insert(b, at, tmp, len);
        break;
    }
    case 4: { /* a special token */
        const char *t = tokens[pick(r, sizeof tokens / sizeof *tokens)];
        insert(b, at, (const uint8_t *)t, strlen(t));
        break;
    }
    case 5: /* truncate */ b->n = at; break;
    case 6: { /* splice: the start of this one, the rest of another */
        const buf *o = &corpus[pick(r, n_corpus)];
        size_t from = pick(r, o->n + 1), len = AS_MIN(o->n - from, MAX_LEN - at);
        memcpy(b->d + at, o->d + from, len);
        b->n = at + len;
        break;
    }
    default: { /* replace a number-looking run of digits by a token */
        size_t i = at;
        while (i < b->n && !(b->d[i] >= '0' && b->d[i] <= '9'))
            i++;
        size_t j = i;
        while (j < b->n && ((b->d[j] >= '0' && b->d[j] <= '9') || b->d[j] == '.'))
            j++;
        if (i < b->n) {
            memmove(b->d + i, b->d + j, b->n - j);
            b->n -= j - i;
            const char *t = tokens[pick(r, 13)];
            insert(b, i, (const uint8_t *)t, strlen(t));
        }
        break;
    }
    }
}

static void make_mutation(uint64_t seed, size_t k, buf *out)
{
    as_rng r;
    as_rng_stream(&r, seed, k);
    const buf *base = &corpus[pick(&r, n_corpus)];
    memcpy(out->d, base->d, base->n);
    out->n = base->n;
    size_t times = 1 + pick(&r, 5);
    for (size_t t = 0; t < times; t++)
        mutate_once(&r, out);
}

int main(int argc, char **argv)
{
    size_t mutations = 1000, only = (size_t)-1;
    uint64_t seed = 1;
    const char *dump = NULL;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mutations") && i + 1 < argc)
            mutations = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dump = argv[++i];
        else if (!strcmp(argv[i], "--verbose"))
            verbose = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr,
                    "usage: %s [--mutations N] [--seed S] [--only K] [--dump FILE] "
                    "[--verbose] CORPUS...\n",
                    argv[0]);
            return 2;
        } else
            add_path(argv[i]);
    }
    if (n_corpus == 0) {
        fprintf(stderr, "%s: no corpus given\n", argv[0]);
        return 2;
    }
    buf m = {malloc(MAX_LEN), 0};
    if (only != (size_t)-1) {
        make_mutation(seed, only, &m);
        if (dump) {
            FILE *f = fopen(dump, "wb");
            if (!f || fwrite(m.d, 1, m.n, f) != m.n || fclose(f) != 0) {
                perror(dump);
                return 1;
            }
        }
        LLVMFuzzerTestOneInput(m.d, m.n);
        return 0;
    }
    for (size_t i = 0; i < n_corpus; i++)
        LLVMFuzzerTestOneInput(corpus[i].d, corpus[i].n);
    for (size_t k = 0; k < mutations; k++) {
        if (verbose)
            fprintf(stderr, "mutation %zu\n", k);
        make_mutation(seed, k, &m);
        LLVMFuzzerTestOneInput(m.d, m.n);
    }
    printf("%s: %zu corpus inputs and %zu mutations (seed %llu): every promise kept\n", argv[0],
           n_corpus, mutations, (unsigned long long)seed);
    for (size_t i = 0; i < n_corpus; i++)
        free(corpus[i].d);
    free(corpus);
    free(m.d);
    return 0;
}
