/* LAMMPS eam/alloy (setfl) tables: tabulation of the Zhou 2004 functions with the conventions of
 * LAMMPS's generators (create_eam.py / Zhou04_create_v2.f, data/zhou2004_eam_params.md,
 * "Tabulation conventions"), reading any setfl file, and writing one.
 *
 * Layout: three comment lines; "N el1 el2 ..."; "nrho drho nr dr rc"; per element a line
 * "Z mass a lattice" then nrho values of F(rho) and nr values of f(r); then the pair tables
 * r*phi(r) for i = 1..N, j = 1..i. Values are whitespace separated across lines. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_int.h"

void as_setfl_free(as_setfl *t)
{
    if (!t)
        return;
    as_free(t->el);
    as_free(t->z);
    as_free(t->mass);
    as_free(t->blat);
    as_free(t->lattype);
    as_free(t->frho);
    as_free(t->rhor);
    as_free(t->z2r);
    as_free(t);
}

static as_status setfl_alloc(size_t n_el, int nrho, int nr, as_setfl **out)
{
    as_status st = AS_OK;
    *out = NULL;
    as_setfl *t = as_calloc(1, sizeof *t);
    if (!t)
        return AS_FAIL(AS_ENOMEM, "setfl: cannot allocate");
    t->n_el = n_el;
    t->nrho = nrho;
    t->nr = nr;
    size_t np = n_el * (n_el + 1) / 2;
    AS_CHECK(AS_ALLOC(t->el, n_el, "setfl elements"));
    AS_CHECK(AS_ALLOC(t->z, n_el, "setfl elements"));
    AS_CHECK(AS_ALLOC(t->mass, n_el, "setfl elements"));
    AS_CHECK(AS_ALLOC(t->blat, n_el, "setfl elements"));
    AS_CHECK(AS_ALLOC(t->lattype, n_el, "setfl elements"));
    AS_CHECK(AS_ALLOC(t->frho, n_el * (size_t)nrho, "setfl F table"));
    AS_CHECK(AS_ALLOC(t->rhor, n_el * (size_t)nr, "setfl density table"));
    AS_CHECK(AS_ALLOC(t->z2r, np * (size_t)nr, "setfl pair table"));
    *out = t;
    return AS_OK;
fail:
    as_setfl_free(t);
    return st;
}

as_status as_setfl_from_zhou(const char *const *elements, size_t n_el, int nrho, int nr,
                             as_setfl **out)
{
    *out = NULL;
    if (n_el == 0)
        return AS_FAIL(AS_EINVAL, "eam: no elements given");
    if (nrho < 5 || nr < 5)
        return AS_FAIL(AS_EINVAL, "eam: grids need at least 5 points (nrho %d, nr %d)", nrho, nr);
    const as_zhou_params *zp[128];
    if (n_el > 128)
        return AS_FAIL(AS_EINVAL, "eam: too many elements (%zu)", n_el);
    for (size_t i = 0; i < n_el; i++) {
        zp[i] = as_zhou_find(elements[i]);
        if (!zp[i])
            return AS_FAIL(AS_EINVAL, "eam: element '%s' is not in the Zhou 2004 table",
                           elements[i]);
        for (size_t j = 0; j < i; j++)
            if (zp[j] == zp[i])
                return AS_FAIL(AS_EINVAL, "eam: element '%s' given twice", elements[i]);
    }
    as_setfl *t;
    AS_TRY(setfl_alloc(n_el, nrho, nr, &t));
    /* 2. blat = sqrt(2) re, rc = (sqrt(10)/2) max(blat) */
    double blat_max = 0;
    for (size_t i = 0; i < n_el; i++) {
        memcpy(t->el[i], zp[i]->el, AS_SYMBOL_MAX);
        t->z[i] = (int)zp[i]->ielement;
        t->mass[i] = zp[i]->amass;
        t->blat[i] = sqrt(2.0) * zp[i]->re;
        strcpy(t->lattype[i], "fcc");
        if (t->blat[i] > blat_max)
            blat_max = t->blat[i];
    }
    t->rc = sqrt(10.0) / 2.0 * blat_max;
    t->dr = t->rc / (nr - 1); /* 3. r_k = k dr, last point exactly rc */
    const double rst = 0.5;   /* 4. inner clamp */
    double fmax = 0;
    for (size_t a = 0; a < n_el; a++)
        for (int k = 0; k < nr; k++) {
            double r = k * t->dr;
            if (r < rst)
                r = rst;
            double f = as_zhou_f(zp[a], r, NULL);
            t->rhor[a * (size_t)nr + k] = f; /* 5. */
            if (f > fmax)
                fmax = f;
        }
    /* 6. rhomax = max(largest f, 2 max rhoe, 100) */
    double rhomax = AS_MAX(fmax, 100.0);
    for (size_t a = 0; a < n_el; a++)
        rhomax = AS_MAX(rhomax, 2.0 * zp[a]->rhoe);
    t->drho = rhomax / (nrho - 1);
    for (size_t a = 0; a < n_el; a++)
        for (int k = 0; k < nrho; k++)
            t->frho[a * (size_t)nrho + k] = k == 0 ? 0.0 : as_zhou_F(zp[a], k * t->drho, NULL);
    /* 7. z2r = r phi(r) with the clamped r, lower triangle */
    size_t p = 0;
    for (size_t i = 0; i < n_el; i++)
        for (size_t j = 0; j <= i; j++, p++)
            for (int k = 0; k < nr; k++) {
                double r = k * t->dr;
                if (r < rst)
                    r = rst;
                t->z2r[p * (size_t)nr + k] = r * as_zhou_phi_ab(zp[i], zp[j], r, NULL);
            }
    snprintf(t->comment[0], sizeof t->comment[0],
             "Zhou, Johnson, Wadley, Phys. Rev. B 69, 144113 (2004) EAM, written by alloyscout");
    snprintf(t->comment[1], sizeof t->comment[1],
             "generator conventions of LAMMPS tools/eam_database (nr=%d nrho=%d rst=0.5)", nr,
             nrho);
    snprintf(t->comment[2], sizeof t->comment[2], "elements:");
    for (size_t i = 0; i < n_el; i++) {
        size_t L = strlen(t->comment[2]);
        snprintf(t->comment[2] + L, sizeof t->comment[2] - L, " %s", t->el[i]);
    }
    *out = t;
    return AS_OK;
}

/* ---- reading ---- */
typedef struct {
    const char *path;
    char *buf;
    size_t pos, len, line, line_start;
} reader;

static void skip_space(reader *r)
{
    while (r->pos < r->len && isspace((unsigned char)r->buf[r->pos])) {
        if (r->buf[r->pos] == '\n') {
            r->line++;
            r->line_start = r->pos + 1;
        }
        r->pos++;
    }
}

/* next line as a NUL-terminated string (in place); NULL at end */
static char *next_line(reader *r)
{
    if (r->pos >= r->len)
        return NULL;
    char *s = r->buf + r->pos;
    char *nl = memchr(s, '\n', r->len - r->pos);
    size_t L = nl ? (size_t)(nl - s) : r->len - r->pos;
    s[L] = '\0';
    r->pos += L + 1;
    r->line++;
    r->line_start = r->pos;
    return s;
}

static as_status next_number(reader *r, double *v, const char *what)
{
    skip_space(r);
    if (r->pos >= r->len)
        return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: unexpected end of file, expected %s", r->path,
                       r->line, r->pos - r->line_start + 1, what);
    const char *s = r->buf + r->pos;
    size_t L = 0; /* the token: up to whitespace, a NUL or the end of the buffer */
    while (s + L < r->buf + r->len && s[L] && !isspace((unsigned char)s[L]))
        L++;
    /* the decimal syntax of docs/conventions.md: no hex, inf or nan */
    if (as_parse_double_n(s, L, v) != AS_OK)
        return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: expected %s, got '%.*s'", r->path, r->line,
                       r->pos - r->line_start + 1, what, (int)AS_MIN(L, (size_t)24), s);
    r->pos += L;
    return AS_OK;
}

/* Move the cursor to the start of the next line after skipping the rest of the current one
 * only if it holds nothing but spaces. */
static void to_line_start(reader *r)
{
    while (r->pos < r->len &&
           (r->buf[r->pos] == ' ' || r->buf[r->pos] == '\t' || r->buf[r->pos] == '\r'))
        r->pos++;
    if (r->pos < r->len && r->buf[r->pos] == '\n') {
        r->pos++;
        r->line++;
        r->line_start = r->pos;
    }
}

as_status as_setfl_read(const char *path, as_setfl **out)
{
    as_status st = AS_OK;
    as_setfl *t = NULL;
    reader r = {path, NULL, 0, 0, 1, 0};
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return AS_FAIL(AS_EIO, "cannot open setfl file %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long L = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (L < 0) {
        fclose(f);
        return AS_FAIL(AS_EIO, "cannot read setfl file %s", path);
    }
    r.buf = as_malloc((size_t)L + 1);
    if (!r.buf) {
        fclose(f);
        return AS_FAIL(AS_ENOMEM, "setfl: cannot allocate %ld bytes for %s", L, path);
    }
    r.len = fread(r.buf, 1, (size_t)L, f);
    r.buf[r.len] = '\0';
    fclose(f);
    char comments[3][256];
    for (int i = 0; i < 3; i++) {
        char *s = next_line(&r);
        if (!s) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu:1: unexpected end of file in the comment lines", path,
                         r.line);
            goto fail;
        }
        snprintf(comments[i], sizeof comments[i], "%s", s);
    }
    /* element line */
    size_t el_line = r.line;
    char *s = next_line(&r);
    if (!s) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu:1: expected the element line 'N el1 el2 ...'", path,
                     el_line);
        goto fail;
    }
    char *end;
    long ne = strtol(s, &end, 10);
    if (end == s || ne < 1 || ne > 128) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu:1: expected the number of elements, got '%.20s'", path,
                     el_line, s);
        goto fail;
    }
    char names[128][AS_SYMBOL_MAX];
    {
        char *p = end;
        for (long i = 0; i < ne; i++) {
            while (*p && isspace((unsigned char)*p))
                p++;
            size_t k = 0;
            char *w0 = p;
            while (*p && !isspace((unsigned char)*p))
                p++;
            k = (size_t)(p - w0);
            if (k == 0 || k >= AS_SYMBOL_MAX) {
                st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: expected %ld element symbols", path, el_line,
                             (size_t)(w0 - s) + 1, ne);
                goto fail;
            }
            memcpy(names[i], w0, k);
            names[i][k] = '\0';
        }
    }
    double v[5];
    const char *what[5] = {"nrho", "drho", "nr", "dr", "cutoff"};
    for (int i = 0; i < 5; i++)
        AS_CHECK(next_number(&r, &v[i], what[i]));
    if (v[0] < 5 || v[0] > 1e7 || v[0] != floor(v[0]) || v[2] < 5 || v[2] > 1e7 ||
        v[2] != floor(v[2]) || !(v[1] > 0) || !(v[3] > 0) || !(v[4] > 0)) {
        st = AS_FAIL(AS_EPARSE, "%s:%zu:1: bad grid line (nrho %g drho %g nr %g dr %g cut %g)",
                     path, r.line, v[0], v[1], v[2], v[3], v[4]);
        goto fail;
    }
    { /* a corrupt grid line is reported before tables are allocated for it: every number
         * takes at least two bytes ("0 ") */
        double need = (double)ne * (v[0] + v[2]) + v[2] * (double)ne * (double)(ne + 1) / 2;
        if (2 * need > (double)r.len + 1) {
            st = AS_FAIL(AS_EPARSE,
                         "%s:%zu:1: the grid (nrho %g, nr %g, %ld elements) needs "
                         "%.0f numbers, more than the file's %zu bytes can hold",
                         path, r.line, v[0], v[2], ne, need, r.len);
            goto fail;
        }
    }
    AS_CHECK(setfl_alloc((size_t)ne, (int)v[0], (int)v[2], &t));
    t->drho = v[1];
    t->dr = v[3];
    t->rc = v[4];
    memcpy(t->comment, comments, sizeof comments);
    to_line_start(&r);
    for (size_t a = 0; a < t->n_el; a++) {
        memcpy(t->el[a], names[a], AS_SYMBOL_MAX);
        skip_space(&r);
        size_t hl = r.line;
        s = next_line(&r);
        double z = 0, m = 0, lat = 0;
        char lt[16] = "";
        char w[3][64];
        int nw = s ? sscanf(s, "%63s %63s %63s %15s", w[0], w[1], w[2], lt) : 0;
        if (nw < 3 || as_parse_double(w[0], &z) || as_parse_double(w[1], &m) ||
            as_parse_double(w[2], &lat)) { /* decimal syntax: sscanf's %lf takes hex too */
            st = AS_FAIL(AS_EPARSE, "%s:%zu:1: expected 'Z mass a lattice' for element %s", path,
                         hl, names[a]);
            goto fail;
        }
        if (!(z >= 0 && z <= 200 && z == floor(z)) || !isfinite(m) || !isfinite(lat)) {
            st = AS_FAIL(AS_EPARSE,
                         "%s:%zu:1: bad element line for %s (Z %g, mass %g, a %g): Z "
                         "must be an atomic number, mass and a finite",
                         path, hl, names[a], z, m, lat);
            goto fail;
        }
        t->z[a] = (int)z;
        t->mass[a] = m;
        t->blat[a] = lat;
        snprintf(t->lattype[a], sizeof t->lattype[a], "%s", lt);
        for (int k = 0; k < t->nrho; k++)
            AS_CHECK(next_number(&r, &t->frho[a * (size_t)t->nrho + k], "an F(rho) value"));
        for (int k = 0; k < t->nr; k++)
            AS_CHECK(next_number(&r, &t->rhor[a * (size_t)t->nr + k], "a density value"));
        to_line_start(&r);
    }
    size_t np = t->n_el * (t->n_el + 1) / 2;
    for (size_t p = 0; p < np; p++)
        for (int k = 0; k < t->nr; k++)
            AS_CHECK(next_number(&r, &t->z2r[p * (size_t)t->nr + k], "a pair value r*phi"));
    as_free(r.buf);
    *out = t;
    return AS_OK;
fail:
    as_free(r.buf);
    as_setfl_free(t);
    return st;
}

/* ---- writing ---- */
static void write_values(FILE *f, const double *v, int n)
{
    for (int k = 0; k < n; k++)
        fprintf(f, "%24.16E%s", v[k], (k % 5 == 4 || k == n - 1) ? "\n" : "");
}

as_status as_setfl_write(const as_setfl *t, const char *path)
{
    as_outfile *o;
    AS_TRY(as_outfile_open(path, &o));
    FILE *f = as_outfile_stream(o);
    for (int i = 0; i < 3; i++)
        fprintf(f, "%s\n", t->comment[i][0] ? t->comment[i] : "#");
    fprintf(f, "%zu", t->n_el);
    for (size_t a = 0; a < t->n_el; a++)
        fprintf(f, " %s", t->el[a]);
    fprintf(f, "\n%d %.17g %d %.17g %.17g\n", t->nrho, t->drho, t->nr, t->dr, t->rc);
    for (size_t a = 0; a < t->n_el; a++) {
        fprintf(f, "%d %.17g %.17g %s\n", t->z[a], t->mass[a], t->blat[a],
                t->lattype[a][0] ? t->lattype[a] : "fcc");
        write_values(f, t->frho + a * (size_t)t->nrho, t->nrho);
        write_values(f, t->rhor + a * (size_t)t->nr, t->nr);
    }
    size_t np = t->n_el * (t->n_el + 1) / 2;
    for (size_t p = 0; p < np; p++)
        write_values(f, t->z2r + p * (size_t)t->nr, t->nr);
    if (ferror(f)) {
        as_outfile_abort(o);
        return AS_FAIL(AS_EIO, "cannot write %s", path);
    }
    return as_outfile_commit(o);
}

as_status as_eam_write_setfl(const char *const *elements, size_t n_el, int nrho, int nr,
                             const char *path)
{
    as_setfl *t;
    AS_TRY(as_setfl_from_zhou(elements, n_el, nrho > 0 ? nrho : 2000, nr > 0 ? nr : 2000, &t));
    as_status st = as_setfl_write(t, path);
    as_setfl_free(t);
    return st;
}
