/* Structure files: extended XYZ (the format of ASE's ase.io.extxyz: Lattice, Properties, key=value
 * pairs on the comment line, many frames) and VASP 5 POSCAR (direct and Cartesian). Readers report
 * file:line[:column] on every error; writers go through as_outfile (no partial files) and print
 * doubles with %.17g so that a file reads back exactly. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloyscout/lattice.h"
#include "core_int.h"

/* ---------- small text helpers ---------- */

typedef struct {
    FILE *f;
    const char *path; /* as shown in messages ("<stdin>" for "-") */
    char *buf;
    size_t cap;
    size_t line; /* number of the line in buf (1-based) */
    char *text;  /* the whole file, read by reader_open */
    size_t size;
} reader;

static const char *shown_name(const char *path) { return strcmp(path, "-") ? path : "<stdin>"; }

/* The whole file (path "-": standard input) into r->text, and a stream over it. */
static as_status reader_open(reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = shown_name(path);
    AS_TRY(as_read_file(path, NULL, &r->text, &r->size));
    if (r->size == 0) {
        as_free(r->text);
        r->text = NULL;
        return AS_FAIL(AS_EPARSE, "%s:1: empty file", r->path);
    }
    size_t bad = as_utf8_invalid(r->text, r->size);
    if (bad < r->size) { /* what is read is written back (comments, info): UTF-8 only */
        size_t line = 1, col = 1;
        for (size_t i = 0; i < bad; i++)
            if (r->text[i] == '\n')
                line++, col = 1;
            else
                col += ((unsigned char)r->text[i] & 0xC0) != 0x80;
        unsigned byte = (unsigned char)r->text[bad];
        as_free(r->text);
        r->text = NULL;
        return AS_FAIL(AS_EPARSE,
                       "%s:%zu:%zu: byte 0x%02X is not UTF-8 (structure files must "
                       "be UTF-8 or ASCII)",
                       r->path, line, col, byte);
    }
    r->f = fmemopen(r->text, r->size, "rb");
    if (!r->f) {
        as_free(r->text);
        r->text = NULL;
        return AS_FAIL(AS_ENOMEM, "%s: cannot read the file from memory", r->path);
    }
    return AS_OK;
}

static void reader_close(reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->buf); /* allocated by getline */
    as_free(r->text);
    r->f = NULL;
    r->buf = NULL;
    r->text = NULL;
}

/* Next line into r->buf without the newline; returns 1, or 0 at end of file. */
static int next_line(reader *r)
{
    ssize_t len = getline(&r->buf, &r->cap, r->f);
    if (len < 0)
        return 0;
    while (len > 0 && (r->buf[len - 1] == '\n' || r->buf[len - 1] == '\r'))
        r->buf[--len] = 0;
    r->line++;
    return 1;
}

/* Whether `n` atom lines of at least `min_len` bytes each (newline included) can still follow
 * in the file: a large corrupt count is reported before memory is allocated for it. Counts up
 * to 1e5 always pass; the reader then reports exactly where the atom lines run out. */
static int room_for_atoms(reader *r, size_t n, size_t min_len)
{
    if (n <= 100000)
        return 1;
    long pos = ftell(r->f);
    if (pos < 0)
        return 1; /* the line reader will tell */
    size_t left = r->size > (size_t)pos ? r->size - (size_t)pos : 0;
    return n <= (left + 1) / min_len; /* the last line may lack its newline */
}

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == 0;
}

/* Split s in place on whitespace into at most max tokens; returns the count. cols (may be NULL)
 * receives each token's 1-based column. */
static size_t split(char *s, char **tok, size_t *cols, size_t max)
{
    size_t n = 0;
    char *base = s;
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (n < max) {
            tok[n] = s;
            if (cols)
                cols[n] = (size_t)(s - base) + 1;
        }
        n++;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s)
            *s++ = 0;
    }
    return n;
}

/* A finite double from the whole token in the decimal syntax (as_parse_double: no hex, inf,
 * nan), else nonzero. */
static int parse_num(const char *t, double *v) { return as_parse_double(t, v) != AS_OK; }

static as_status dup_malloc_fail(const char *path)
{
    return AS_FAIL(AS_ENOMEM, "%s: out of memory while reading", path);
}

/* ---------- extended XYZ ---------- */

#define MAX_KV 64
#define MAX_COLS 64

typedef struct {
    char *key, *val;
} kv;

/* Parse the comment line in place into key/value pairs (values unquoted; bare keys get "T"). */
static as_status parse_comment(reader *r, char *s, kv *out, size_t *n_out)
{
    size_t n = 0;
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        size_t col = (size_t)(s - r->buf) + 1;
        char *key = s;
        while (*s && !isspace((unsigned char)*s) && *s != '=')
            s++;
        char *val = NULL;
        if (*s == '=') {
            *s++ = 0;
            if (*s == '"' || *s == '{') {
                char close = *s == '"' ? '"' : '}';
                val = ++s;
                char *w = s;
                while (*s && *s != close) {
                    if (*s == '\\' && s[1])
                        s++;
                    *w++ = *s++;
                }
                if (*s != close)
                    return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: unterminated value of '%s'", r->path,
                                   r->line, col, key);
                s++;
                *w = 0;
            } else {
                val = s;
                while (*s && !isspace((unsigned char)*s))
                    s++;
                if (*s)
                    *s++ = 0;
            }
        } else {
            if (*s)
                *s++ = 0;
            val = "T";
        }
        if (!*key)
            return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: empty key on the comment line", r->path, r->line,
                           col);
        if (strchr(key, '"'))
            return AS_FAIL(AS_EPARSE,
                           "%s:%zu:%zu: a quote inside the key '%s' on the comment "
                           "line",
                           r->path, r->line, col, key);
        if (n == MAX_KV)
            return AS_FAIL(AS_EPARSE, "%s:%zu: more than %d key=value pairs", r->path, r->line,
                           MAX_KV);
        out[n].key = key;
        out[n].val = val;
        n++;
    }
    *n_out = n;
    return AS_OK;
}

typedef struct {
    int species_col, pos_col, forces_col; /* first token index of each, -1 when absent */
    size_t n_tokens;                      /* tokens per atom line */
} columns;

static as_status parse_properties(reader *r, char *p, columns *c)
{
    c->species_col = c->pos_col = c->forces_col = -1;
    c->n_tokens = 0;
    char *save = NULL;
    for (char *name = strtok_r(p, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
        char *type = strtok_r(NULL, ":", &save);
        char *count = type ? strtok_r(NULL, ":", &save) : NULL;
        char *end;
        long k = count ? strtol(count, &end, 10) : 0;
        if (!type || !count || *end || k < 1 || k > MAX_COLS || strlen(type) != 1 ||
            !strchr("SRIL", type[0]))
            return AS_FAIL(AS_EPARSE, "%s:%zu: bad Properties entry '%s' (want name:S|R|I|L:count)",
                           r->path, r->line, name);
        if (!strcmp(name, "species") && type[0] == 'S' && k == 1)
            c->species_col = (int)c->n_tokens;
        else if (!strcmp(name, "pos") && type[0] == 'R' && k == 3)
            c->pos_col = (int)c->n_tokens;
        else if (!strcmp(name, "forces") && type[0] == 'R' && k == 3)
            c->forces_col = (int)c->n_tokens;
        c->n_tokens += (size_t)k;
        if (c->n_tokens > MAX_COLS)
            return AS_FAIL(AS_EPARSE, "%s:%zu: more than %d columns", r->path, r->line, MAX_COLS);
    }
    if (c->species_col < 0 || c->pos_col < 0)
        return AS_FAIL(AS_EPARSE, "%s:%zu: Properties lacks species:S:1 or pos:R:3", r->path,
                       r->line);
    return AS_OK;
}

/* Read one frame whose count line is in r->buf. */
static as_status read_frame(reader *r, as_structure **out)
{
    *out = NULL;
    as_structure *s = NULL;
    as_status st = AS_OK;
    char *tok[MAX_COLS + 1];
    size_t cols[MAX_COLS + 1];
    char *count_tok[2];
    size_t nt = split(r->buf, count_tok, NULL, 2);
    char *end;
    errno = 0;
    long long na = nt == 1 ? strtoll(count_tok[0], &end, 10) : -1;
    if (nt != 1 || *end || errno || na < 0 || na > 100000000)
        return AS_FAIL(AS_EPARSE, "%s:%zu: expected the number of atoms", r->path, r->line);
    size_t n = (size_t)na;
    size_t count_line = r->line;
    if (!next_line(r))
        return AS_FAIL(AS_EPARSE, "%s:%zu: missing comment line", r->path, r->line + 1);
    if (!room_for_atoms(r, n, 8)) /* "X 0 0 0\n" */
        return AS_FAIL(AS_EPARSE,
                       "%s:%zu: %zu atoms declared, but the rest of the file is too "
                       "short to hold them",
                       r->path, count_line, n);
    size_t comment_line = r->line;
    kv pairs[MAX_KV];
    size_t n_kv = 0;
    AS_TRY(parse_comment(r, r->buf, pairs, &n_kv));
    AS_CHECK(as_structure_create(n, 0, &s));
    int have_lattice = 0;
    columns c = {.species_col = 0, .pos_col = 1, .forces_col = -1, .n_tokens = 4};
    for (size_t i = 0; i < n_kv; i++) {
        const char *k = pairs[i].key;
        if (!strcasecmp(k, "Lattice")) {
            char *lt[10];
            if (split(pairs[i].val, lt, NULL, 10) != 9) {
                st = AS_FAIL(AS_EPARSE, "%s:%zu: Lattice needs 9 numbers", r->path, r->line);
                goto fail;
            }
            for (int q = 0; q < 9; q++)
                if (parse_num(lt[q], &s->cell[q])) {
                    st = AS_FAIL(AS_EPARSE, "%s:%zu: bad number '%s' in Lattice", r->path, r->line,
                                 lt[q]);
                    goto fail;
                }
            have_lattice = 1;
        } else if (!strcasecmp(k, "Properties")) {
            AS_CHECK(parse_properties(r, pairs[i].val, &c));
        } else if (!strcmp(k, "energy")) {
            if (parse_num(pairs[i].val, &s->energy)) {
                st = AS_FAIL(AS_EPARSE, "%s:%zu: bad energy '%s'", r->path, r->line, pairs[i].val);
                goto fail;
            }
            s->has_energy = 1;
        } else if (!strcasecmp(k, "pbc")) {
            continue; /* structures are periodic; written back as "T T T" */
        } else {
            for (char *q = pairs[i].val; *q; q++) /* a stray CR cannot be written back */
                if (*q == '\r' || *q == '\n')
                    *q = ' ';
            AS_CHECK(as_structure_set_info(s, k, pairs[i].val));
        }
    }
    if (!have_lattice) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu: missing Lattice=\"...\" on the comment line", r->path,
                     comment_line);
        goto fail;
    }
    if (as_cell_check(s->cell) != AS_OK) {
        st = as_error_prefix(AS_EPARSE, "%s:%zu: Lattice", r->path, comment_line);
        goto fail;
    }
    if (c.forces_col >= 0)
        AS_CHECK(as_structure_alloc_forces(s));
    for (size_t i = 0; i < n; i++) {
        if (!next_line(r)) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu: file ends after %zu of %zu atoms", r->path,
                         r->line + 1, i, n);
            goto fail;
        }
        size_t got = split(r->buf, tok, cols, MAX_COLS + 1);
        if (got != c.n_tokens) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu: expected %zu columns, got %zu (wrong atom count?)",
                         r->path, r->line, c.n_tokens, got);
            goto fail;
        }
        const char *sym = tok[c.species_col];
        int idx;
        if (strlen(sym) >= AS_SYMBOL_MAX || !as_lattice_element_z(sym)) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: unknown element '%s'", r->path, r->line,
                         cols[c.species_col], sym);
            goto fail;
        }
        AS_CHECK(as_structure_add_symbol(s, sym, &idx));
        s->species[i] = idx;
        for (int q = 0; q < 3; q++) {
            size_t t = (size_t)c.pos_col + (size_t)q;
            if (parse_num(tok[t], &s->pos[3 * i + q])) {
                st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: bad number '%s'", r->path, r->line, cols[t],
                             tok[t]);
                goto fail;
            }
        }
        if (c.forces_col >= 0)
            for (int q = 0; q < 3; q++) {
                size_t t = (size_t)c.forces_col + (size_t)q;
                if (parse_num(tok[t], &s->forces[3 * i + q])) {
                    st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: bad number '%s'", r->path, r->line,
                                 cols[t], tok[t]);
                    goto fail;
                }
            }
    }
    *out = s;
    return AS_OK;
fail:
    as_structure_free(s);
    return st;
}

/* Every frame of the extended XYZ text open in r. */
static as_status extxyz_parse(reader *r, as_structure ***frames, size_t *n_frames)
{
    as_status st = AS_OK;
    as_structure **v = NULL;
    size_t n = 0, cap = 0;
    const char *path = r->path;
    while (next_line(r)) {
        if (is_blank(r->buf))
            continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            as_structure **nv = as_realloc(v, nc * sizeof *nv);
            if (!nv) {
                st = dup_malloc_fail(path);
                goto fail;
            }
            v = nv;
            cap = nc;
        }
        AS_CHECK(read_frame(r, &v[n]));
        n++;
    }
    if (ferror(r->f)) {
        st = AS_FAIL(AS_EIO, "%s: read error", path);
        goto fail;
    }
    if (n == 0) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu: no frame in the file", path, r->line + 1);
        goto fail;
    }
    *frames = v;
    *n_frames = n;
    return AS_OK;
fail:
    as_structures_free(v, n);
    return st;
}

as_status as_extxyz_read(const char *path, as_structure ***frames, size_t *n_frames)
{
    *frames = NULL;
    *n_frames = 0;
    reader r;
    AS_TRY(reader_open(&r, path));
    as_status st = extxyz_parse(&r, frames, n_frames);
    reader_close(&r);
    return st;
}

static int is_reserved_key(const char *k)
{
    return !strcasecmp(k, "Lattice") || !strcasecmp(k, "Properties") || !strcmp(k, "energy") ||
           !strcasecmp(k, "pbc");
}

as_status as_extxyz_write_frame(FILE *f, const as_structure *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->species[i] < 0 || (size_t)s->species[i] >= s->n_symbols)
            return AS_FAIL(AS_EINVAL, "extxyz: atom %zu has species %d of %zu", i, s->species[i],
                           s->n_symbols);
    fprintf(f, "%zu\nLattice=\"", s->n);
    for (int q = 0; q < 9; q++)
        fprintf(f, q ? " %.17g" : "%.17g", s->cell[q]);
    fprintf(f, "\" Properties=species:S:1:pos:R:3%s", s->forces ? ":forces:R:3" : "");
    if (s->has_energy)
        fprintf(f, " energy=%.17g", s->energy);
    for (size_t i = 0; i < s->n_info; i++) {
        const char *k = s->info_keys[i], *v = s->info_values[i];
        if (is_reserved_key(k))
            continue;
        if (*v && !strpbrk(v, " \t=,{}\"\\")) {
            fprintf(f, " %s=%s", k, v);
            continue;
        }
        fprintf(f, " %s=\"", k); /* quoted, with '"' and '\' escaped as the reader expects */
        for (const char *c = v; *c; c++)
            fprintf(f, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
        fputc('"', f);
    }
    fprintf(f, " pbc=\"T T T\"\n");
    for (size_t i = 0; i < s->n; i++) {
        const double *p = s->pos + 3 * i;
        fprintf(f, "%-2s %.17g %.17g %.17g", s->symbols[s->species[i]], p[0], p[1], p[2]);
        if (s->forces)
            fprintf(f, " %.17g %.17g %.17g", s->forces[3 * i], s->forces[3 * i + 1],
                    s->forces[3 * i + 2]);
        fputc('\n', f);
    }
    int e = errno; /* the failed write's errno (ENOSPC, EFBIG, EIO) */
    return ferror(f) ? AS_FAIL(AS_EIO, "extxyz: write error: %s", strerror(e ? e : EIO)) : AS_OK;
}

as_status as_extxyz_write(const char *path, as_structure *const *frames, size_t n)
{
    as_outfile *o;
    AS_TRY(as_outfile_open(path, &o));
    for (size_t i = 0; i < n; i++) {
        as_status st = as_extxyz_write_frame(as_outfile_stream(o), frames[i]);
        if (st != AS_OK) {
            as_outfile_abort(o);
            return as_error_prefix(st, "cannot write %s (frame %zu)", path, i + 1);
        }
    }
    return as_outfile_commit(o);
}

/* ---------- POSCAR ---------- */

static as_status poscar_need_line(reader *r, const char *what)
{
    do {
        if (!next_line(r))
            return AS_FAIL(AS_EPARSE, "%s:%zu: file ends, expected %s", r->path, r->line + 1, what);
    } while (0);
    return AS_OK;
}

static double det3(const double *m)
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

static size_t count_tokens(const char *s)
{
    size_t n = 0;
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        n++;
        while (*s && !isspace((unsigned char)*s))
            s++;
    }
    return n;
}

/* The POSCAR text open in r: VASP 5 (a species line), any number of species blocks in any
 * order (ASE writes one block per run of equal atoms, so a species may come back), an
 * optional "Selective dynamics" line (the T/F flags are ignored), Direct or Cartesian, and a
 * scale factor that is a factor (> 0) or the cell volume in Å^3 (< 0). */
static as_status poscar_parse(reader *r, as_structure **out)
{
    const char *path = r->path;
    as_status st = AS_OK;
    as_structure *s = NULL;
    char *comment = NULL;
    char *tok[8];
    size_t cols[8];
    char **btok = NULL; /* species blocks: names and counts */
    size_t *bcol = NULL, *counts = NULL, *zs = NULL;
    double scale, cell[9];
    AS_CHECK(poscar_need_line(r, "a comment line"));
    comment = as_strdup(r->buf);
    if (!comment) {
        st = dup_malloc_fail(path);
        goto fail;
    }
    for (char *q = comment; *q; q++) /* kept as info "comment": one line */
        if (*q == '\r')
            *q = ' ';
    AS_CHECK(poscar_need_line(r, "the scale factor"));
    if (split(r->buf, tok, cols, 2) < 1 || parse_num(tok[0], &scale) || scale == 0) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu: expected a nonzero scale factor", path, r->line);
        goto fail;
    }
    for (int i = 0; i < 3; i++) {
        AS_CHECK(poscar_need_line(r, "a lattice vector"));
        if (split(r->buf, tok, cols, 4) < 3) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu: expected three numbers (lattice vector)", path,
                         r->line);
            goto fail;
        }
        for (int q = 0; q < 3; q++)
            if (parse_num(tok[q], &cell[3 * i + q])) {
                st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: bad number '%s'", path, r->line, cols[q],
                             tok[q]);
                goto fail;
            }
    }
    double vol = det3(cell);
    if (fabs(vol) == 0) {
        st =
            AS_FAIL(AS_EPARSE, "%s:%zu: the lattice vectors are linearly dependent", path, r->line);
        goto fail;
    }
    double f = scale > 0 ? scale : cbrt(-scale / fabs(vol));
    for (int q = 0; q < 9; q++)
        cell[q] *= f;
    if (as_cell_check(cell) != AS_OK) {
        st = as_error_prefix(AS_EPARSE, "%s:%zu: lattice vectors (lines %zu-%zu)", path,
                             r->line - 2, r->line - 2, r->line);
        goto fail;
    }
    /* species names (VASP 5): one per block */
    AS_CHECK(poscar_need_line(r, "the species names"));
    size_t ns = count_tokens(r->buf);
    if (ns == 0) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu: expected the species names", path, r->line);
        goto fail;
    }
    btok = as_calloc(ns, sizeof *btok);
    bcol = as_calloc(ns, sizeof *bcol);
    counts = as_calloc(ns, sizeof *counts);
    zs = as_calloc(ns, sizeof *zs);
    if (!btok || !bcol || !counts || !zs) {
        st = dup_malloc_fail(path);
        goto fail;
    }
    split(r->buf, btok, bcol, ns);
    if (isdigit((unsigned char)btok[0][0])) {
        st = AS_FAIL(AS_EPARSE,
                     "%s:%zu: expected species names (VASP 4 files without them are "
                     "not supported)",
                     path, r->line);
        goto fail;
    }
    for (size_t i = 0; i < ns; i++) {
        char *name = btok[i];
        char *sl = strchr(name, '/'); /* "Pt/abc123" as written by some tools */
        if (sl)
            *sl = 0;
        char *us = strchr(name, '_'); /* POTCAR flavours "Pt_pv" */
        if (us)
            *us = 0;
        int z = strlen(name) < AS_SYMBOL_MAX ? as_lattice_element_z(name) : 0;
        if (!z) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: unknown element '%s'", path, r->line, bcol[i],
                         name);
            goto fail;
        }
        zs[i] = (size_t)z;
    }
    AS_CHECK(poscar_need_line(r, "the species counts"));
    size_t nc = count_tokens(r->buf);
    if (nc != ns) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu: expected %zu counts, one per species block, got %zu", path,
                     r->line, ns, nc);
        goto fail;
    }
    {
        char **ctok = as_calloc(ns, sizeof *ctok);
        size_t *ccol = as_calloc(ns, sizeof *ccol);
        if (!ctok || !ccol) {
            as_free(ctok);
            as_free(ccol);
            st = dup_malloc_fail(path);
            goto fail;
        }
        split(r->buf, ctok, ccol, ns);
        for (size_t i = 0; i < ns && st == AS_OK; i++) {
            char *end;
            errno = 0;
            long long k = strtoll(ctok[i], &end, 10);
            if (*end || errno || k < 0 || k > 100000000)
                st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: bad atom count '%s'", path, r->line, ccol[i],
                             ctok[i]);
            else
                counts[i] = (size_t)k;
        }
        as_free(ctok);
        as_free(ccol);
        if (st != AS_OK)
            goto fail;
    }
    size_t n = 0;
    for (size_t i = 0; i < ns; i++) {
        if (counts[i] > 100000000 - n) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu: more than 1e8 atoms", path, r->line);
            goto fail;
        }
        n += counts[i];
    }
    if (n == 0) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu: the species counts add up to no atom", path, r->line);
        goto fail;
    }
    size_t count_line = r->line;
    AS_CHECK(poscar_need_line(r, "Direct or Cartesian"));
    char *mode = r->buf;
    while (isspace((unsigned char)*mode))
        mode++;
    if (*mode == 'S' || *mode == 's') {
        AS_CHECK(poscar_need_line(r, "Direct or Cartesian"));
        mode = r->buf;
        while (isspace((unsigned char)*mode))
            mode++;
    }
    int direct;
    if (strchr("Dd", *mode) && *mode)
        direct = 1;
    else if (strchr("CcKk", *mode) && *mode)
        direct = 0;
    else {
        st = AS_FAIL(AS_EPARSE, "%s:%zu: expected Direct or Cartesian", path, r->line);
        goto fail;
    }
    if (!room_for_atoms(r, n, 6)) { /* "0 0 0\n" */
        st = AS_FAIL(AS_EPARSE,
                     "%s:%zu: %zu atoms declared, but the rest of the file is too "
                     "short to hold them",
                     path, count_line, n);
        goto fail;
    }
    AS_CHECK(as_structure_create(n, 0, &s));
    memcpy(s->cell, cell, sizeof cell);
    AS_CHECK(as_structure_set_info(s, "comment", comment));
    size_t atom = 0;
    for (size_t sp = 0; sp < ns; sp++) {
        int idx;
        AS_CHECK(as_structure_add_symbol(s, as_lattice_element_symbol((int)zs[sp]), &idx));
        for (size_t k = 0; k < counts[sp]; k++, atom++) {
            if (!next_line(r)) {
                st = AS_FAIL(AS_EPARSE, "%s:%zu: file ends after %zu of %zu atoms", path,
                             r->line + 1, atom, n);
                goto fail;
            }
            if (split(r->buf, tok, cols, 8) < 3) {
                st = AS_FAIL(AS_EPARSE, "%s:%zu: expected three coordinates", path, r->line);
                goto fail;
            }
            double x[3];
            for (int q = 0; q < 3; q++)
                if (parse_num(tok[q], &x[q])) {
                    st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: bad number '%s'", path, r->line, cols[q],
                                 tok[q]);
                    goto fail;
                }
            double *p = s->pos + 3 * atom;
            for (int q = 0; q < 3; q++)
                p[q] = direct ? x[0] * cell[q] + x[1] * cell[3 + q] + x[2] * cell[6 + q] : x[q] * f;
            s->species[atom] = idx;
        }
    }
    *out = s;
    s = NULL;
fail:
    as_free(btok);
    as_free(bcol);
    as_free(counts);
    as_free(zs);
    as_free(comment);
    as_structure_free(s);
    return st;
}

as_status as_poscar_read(const char *path, as_structure **out)
{
    *out = NULL;
    reader r;
    AS_TRY(reader_open(&r, path));
    as_status st = poscar_parse(&r, out);
    reader_close(&r);
    return st;
}

/* Fractional coordinates of Cartesian p in cell (rows): solve f * cell = p by Cramer's rule. */
static void to_fractional(const double *cell, const double *p, double *fr)
{
    double d = det3(cell);
    for (int k = 0; k < 3; k++) {
        double m[9];
        memcpy(m, cell, sizeof m);
        for (int q = 0; q < 3; q++)
            m[3 * k + q] = p[q];
        fr[k] = det3(m) / d;
    }
}

as_status as_poscar_write(const char *path, const as_structure *s, int direct)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->species[i] < 0 || (size_t)s->species[i] >= s->n_symbols)
            return AS_FAIL(AS_EINVAL, "poscar: atom %zu has species %d of %zu", i, s->species[i],
                           s->n_symbols);
    if (s->n == 0)
        return AS_FAIL(AS_EINVAL, "poscar: cannot write a structure with no atoms");
    if (det3(s->cell) == 0)
        return AS_FAIL(AS_EINVAL, "poscar: the cell is singular");
    as_outfile *o;
    AS_TRY(as_outfile_open(path, &o));
    FILE *f = as_outfile_stream(o);
    const char *comment = as_structure_get_info(s, "comment");
    fprintf(f, "%s\n1.0\n", comment ? comment : "written by alloyscout");
    for (int i = 0; i < 3; i++)
        fprintf(f, "  %.17g %.17g %.17g\n", s->cell[3 * i], s->cell[3 * i + 1], s->cell[3 * i + 2]);
    /* runs of consecutive equal species keep the atom order */
    for (size_t i = 0; i < s->n; i++)
        if (i == 0 || s->species[i] != s->species[i - 1])
            fprintf(f, " %s", s->symbols[s->species[i]]);
    fputc('\n', f);
    for (size_t i = 0, run = 0; i < s->n; i++) {
        run++;
        if (i + 1 == s->n || s->species[i + 1] != s->species[i]) {
            fprintf(f, " %zu", run);
            run = 0;
        }
    }
    fprintf(f, "\n%s\n", direct ? "Direct" : "Cartesian");
    for (size_t i = 0; i < s->n; i++) {
        double x[3];
        if (direct)
            to_fractional(s->cell, s->pos + 3 * i, x);
        else
            memcpy(x, s->pos + 3 * i, sizeof x);
        fprintf(f, "  %.17g %.17g %.17g\n", x[0], x[1], x[2]);
    }
    if (ferror(f)) {
        int e = errno;
        as_outfile_abort(o);
        return AS_FAIL(AS_EIO, "cannot write %s: %s", path, strerror(e ? e : EIO));
    }
    return as_outfile_commit(o);
}

/* The first two lines of text: extended XYZ starts with a line holding one atom count and then
 * a comment line (which is not a lone number); a POSCAR starts with a comment and a line
 * holding the scale factor. */
static int looks_extxyz(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && (text[i] == '\n' || text[i] == '\r' || text[i] == ' ' || text[i] == '\t'))
        i++; /* blank lines before the first frame */
    char line[2][256];
    for (int k = 0; k < 2; k++) {
        size_t j = 0;
        while (i < len && text[i] != '\n' && text[i] != '\r') {
            if (j + 1 < sizeof line[k])
                line[k][j++] = text[i];
            i++;
        }
        line[k][j] = 0;
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
    }
    char *tok[3];
    size_t nt = split(line[0], tok, NULL, 3);
    if (nt != 1)
        return 0;
    for (const char *c = tok[0]; *c; c++)
        if (!isdigit((unsigned char)*c))
            return 0;
    if (strstr(line[1], "Lattice=") || strstr(line[1], "lattice="))
        return 1;
    double v;
    nt = split(line[1], tok, NULL, 3);
    return !(nt == 1 && !parse_num(tok[0], &v));
}

as_status as_structure_read_any(const char *path, as_structure ***frames, size_t *n)
{
    *frames = NULL;
    *n = 0;
    reader r;
    AS_TRY(reader_open(&r, path));
    as_status st;
    if (looks_extxyz(r.text, r.size)) { /* by content: the name may say anything */
        st = extxyz_parse(&r, frames, n);
    } else {
        as_structure **v = as_calloc(1, sizeof *v);
        st = v ? poscar_parse(&r, &v[0]) : AS_FAIL(AS_ENOMEM, "cannot allocate a frame list");
        if (st == AS_OK) {
            *frames = v;
            *n = 1;
        } else
            as_free(v);
    }
    reader_close(&r);
    return st;
}
