/* The "meam" backend: Pt-Co-M second-nearest-neighbour MEAM models assembled from the binary
 * 2NN-MEAM models of Debian's openkim-models (one group's work on one unary database), run in
 * the LAMMPS worker (lammps.c) through `pair_style kim` and the MEAM_LAMMPS__MD driver.
 *
 * Sources: the element, library and parameter files embedded in each KIM portable model
 * (libkim-api-portable-model.so exports them as <name>_meam / <name>_meam_len; they are read
 * from the ELF dynamic symbol table, nothing is loaded or run). Combination (docs/oracle.md):
 *   - unary terms of an element (its library entry and every parameter whose indices are all
 *     that element) come from the first model of the pair table below that the system uses and
 *     that contains it; rc, delr and the other global keywords from the first pair of the table
 *     in the system (all used models must agree on augt1, erose_form, ialloy ...);
 *   - binary cross terms (X(i,j), Cmin/Cmax(i,i,j), (j,j,i), (i,j,i), (i,j,j)) from the pair's
 *     model;
 *   - unfitted ternary screening: Cmin(i,j,k) = [(sqrt Cmin(i,i,k) + sqrt Cmin(j,j,k))/2]^2, the
 *     same for Cmax (unless one model holds all three elements and gives the value);
 *   - the element order of each model's parameter file is read from Ec(k,k) against the
 *     library's esub (the packaged Pt-Cu and Pt-Ni models index their parameter file in the
 *     other order than their element list);
 *   - an asymmetric reference structure (l12 A3B: the lower index fills the face centres; c11,
 *     lin, zig, tri) keeps its majority element first, so the assembled element order is a
 *     topological order of those constraints.
 * The KIM-API can only load models from shared libraries: a small module of ours
 * (src/oracle/kim/alloyscout_meam_model.c) reads the assembled files named by environment
 * variables that the LAMMPS worker receives. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <limits.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oracle_int.h"

#ifndef AS_OPENKIM_MODELS_DIR
#define AS_OPENKIM_MODELS_DIR "/usr/lib/x86_64-linux-gnu/kim-api/portable-models"
#endif
#define AS_MEAM_MODULE_DIR "alloyscout-kim"
#define AS_MEAM_MODULE_FILE "alloyscout_meam_model.so"

/* The KIM model module: $ALLOYSCOUT_MEAM_MODULE, else alloyscout-kim/ beside the library (the
 * build tree, where tests link it statically: beside the test program) or in the installed
 * <libdir>, else <program dir>/../lib/alloyscout-kim/. Returns 0 when found. */
static int find_module(char *buf, size_t cap)
{
    const char *env = getenv("ALLOYSCOUT_MEAM_MODULE");
    if (env && *env) {
        snprintf(buf, cap, "%s", env);
        return access(buf, R_OK);
    }
    char dir[PATH_MAX];
    Dl_info info;
    if (dladdr((void *)&find_module, &info) && info.dli_fname && realpath(info.dli_fname, dir)) {
        char *slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, cap, "%s/%s/%s", dir, AS_MEAM_MODULE_DIR, AS_MEAM_MODULE_FILE);
            if (access(buf, R_OK) == 0)
                return 0;
        }
    }
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n > 0) {
        dir[n] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, cap, "%s/../lib/%s/%s", dir, AS_MEAM_MODULE_DIR, AS_MEAM_MODULE_FILE);
            if (access(buf, R_OK) == 0)
                return 0;
        }
    }
    return -1;
}
#define KIM_ITEM "alloyscout_meam"

/* The pair table: the first row containing an element gives its unary terms. */
static const struct {
    const char *a, *b, *model, *cite;
} pair_src[] = {
    {"Pt", "Co", "MEAM_LAMMPS_KimSeolJi_2017_PtCo__MO_545073984441_000", "Kim, Seol & Ji 2017"},
    {"Pt", "Cu", "MEAM_LAMMPS_KimSeolJi_2017_PtCu__MO_070797404269_000", "Kim, Seol & Ji 2017"},
    {"Pt", "Ni", "MEAM_LAMMPS_KimSeolJi_2017_PtNi__MO_020840179467_000", "Kim, Seol & Ji 2017"},
    {"Pt", "Ti", "MEAM_LAMMPS_KimSeolJi_2017_PtTi__MO_280985530673_000", "Kim, Seol & Ji 2017"},
    {"Pt", "Fe", "MEAM_LAMMPS_KimLee_2006_PtFe__MO_343168101490_000", "Kim & Lee 2006"},
    {"Pt", "Al", "MEAM_LAMMPS_KimSeolJi_2017_PtAl__MO_793141037706_000", "Kim, Seol & Ji 2017"},
    {"Pt", "Mo", "MEAM_LAMMPS_KimSeolJi_2017_PtMo__MO_831380044253_000", "Kim, Seol & Ji 2017"},
    {"Pt", "V", "MEAM_LAMMPS_KimSeolJi_2017_PtV__MO_912978207512_000", "Kim, Seol & Ji 2017"},
    {"Cu", "Co", "MEAM_LAMMPS_WangOhLee_2020_CuCo__MO_694335101831_000", "Wang, Oh & Lee 2020"},
    {"Co", "Fe", "MEAM_LAMMPS_ChoiKimSeol_2017_CoFe__MO_179158257180_000", "Choi, Kim & Seol 2017"},
    {"Co", "Mn", "MEAM_LAMMPS_ChoiKimSeol_2017_CoMn__MO_808662295149_000", "Choi, Kim & Seol 2017"},
    {"Co", "Cr", "MEAM_LAMMPS_ChoiKimSeol_2017_CoCr__MO_410167849923_000", "Choi, Kim & Seol 2017"},
    {"Co", "Ti", "MEAM_LAMMPS_OhSeolLee_2020_CoTi__MO_862371677648_000", "Oh, Seol & Lee 2020"},
    {"Co", "V", "MEAM_LAMMPS_OhSeolLee_2020_CoV__MO_771146361182_000", "Oh, Seol & Lee 2020"},
    {"Co", "Ni", "MEAM_LAMMPS_ChoiJoSohn_2018_CoNiCrFeMn__MO_115454747503_000",
     "Choi, Jo & Sohn 2018"},
    {"Ni", "Cr", "MEAM_LAMMPS_ChoiJoSohn_2018_CoNiCrFeMn__MO_115454747503_000",
     "Choi, Jo & Sohn 2018"},
    {"Ni", "Fe", "MEAM_LAMMPS_ChoiJoSohn_2018_CoNiCrFeMn__MO_115454747503_000",
     "Choi, Jo & Sohn 2018"},
    {"Ni", "Mn", "MEAM_LAMMPS_ChoiJoSohn_2018_CoNiCrFeMn__MO_115454747503_000",
     "Choi, Jo & Sohn 2018"},
    {"Cr", "Fe", "MEAM_LAMMPS_ChoiJoSohn_2018_CoNiCrFeMn__MO_115454747503_000",
     "Choi, Jo & Sohn 2018"},
    {"Cr", "Mn", "MEAM_LAMMPS_ChoiJoSohn_2018_CoNiCrFeMn__MO_115454747503_000",
     "Choi, Jo & Sohn 2018"},
    {"Fe", "Mn", "MEAM_LAMMPS_ChoiJoSohn_2018_CoNiCrFeMn__MO_115454747503_000",
     "Choi, Jo & Sohn 2018"},
};
#define N_PAIRS (sizeof pair_src / sizeof *pair_src)
static const char *const canon[] = {"Pt", "Co", "Cu", "Ni", "Ti", "Fe",
                                    "Al", "Mo", "V",  "Mn", "Cr"};
#define N_CANON (sizeof canon / sizeof *canon)
#define MAX_EL 8

static int canon_rank(const char *el)
{
    for (size_t k = 0; k < N_CANON; k++)
        if (!strcmp(canon[k], el))
            return (int)k;
    return -1;
}

const char *as_meam_elements_text(void) { return "Pt Co Cu Ni Ti Fe Al Mo V Mn Cr"; }

/* ---- reading the files embedded in a KIM portable model ---- */
typedef struct {
    unsigned char *data;
    size_t size;
    const Elf64_Shdr *sh;
    size_t n_sh;
    const Elf64_Sym *sym;
    size_t n_sym;
    const char *str;
    size_t n_str;
} elf_view;

static as_status elf_open(const char *path, elf_view *v)
{
    memset(v, 0, sizeof *v);
    FILE *f = fopen(path, "rb");
    if (!f)
        return AS_FAIL(AS_EIO, "meam: cannot open %s: %s (is openkim-models installed?)", path,
                       strerror(errno));
    fseek(f, 0, SEEK_END);
    long L = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (L <= 0 || !(v->data = as_malloc((size_t)L)) ||
        fread(v->data, 1, (size_t)L, f) != (size_t)L) {
        fclose(f);
        as_free(v->data);
        v->data = NULL;
        return AS_FAIL(AS_EIO, "meam: cannot read %s", path);
    }
    fclose(f);
    v->size = (size_t)L;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)v->data;
    if (v->size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_shoff > v->size || (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > v->size - eh->e_shoff)
        goto bad;
    v->sh = (const Elf64_Shdr *)(v->data + eh->e_shoff);
    v->n_sh = eh->e_shnum;
    for (size_t k = 0; k < v->n_sh; k++)
        if (v->sh[k].sh_type == SHT_DYNSYM) {
            const Elf64_Shdr *s = &v->sh[k];
            if (s->sh_link >= v->n_sh || s->sh_offset > v->size ||
                s->sh_size > v->size - s->sh_offset)
                goto bad;
            const Elf64_Shdr *t = &v->sh[s->sh_link];
            if (t->sh_offset > v->size || t->sh_size > v->size - t->sh_offset)
                goto bad;
            v->sym = (const Elf64_Sym *)(v->data + s->sh_offset);
            v->n_sym = s->sh_size / sizeof(Elf64_Sym);
            v->str = (const char *)(v->data + t->sh_offset);
            v->n_str = t->sh_size;
        }
    if (!v->sym)
        goto bad;
    return AS_OK;
bad:
    as_free(v->data);
    v->data = NULL;
    return AS_FAIL(AS_EPARSE, "meam: %s is not a 64-bit ELF shared library with symbols", path);
}

/* bytes of a defined symbol, NULL if absent or out of the file */
static const unsigned char *elf_symbol(const elf_view *v, const char *name, size_t *len)
{
    for (size_t i = 0; i < v->n_sym; i++) {
        const Elf64_Sym *s = &v->sym[i];
        if (s->st_name >= v->n_str || s->st_shndx == SHN_UNDEF || s->st_shndx >= v->n_sh)
            continue;
        if (strncmp(v->str + s->st_name, name, v->n_str - s->st_name))
            continue;
        const Elf64_Shdr *sec = &v->sh[s->st_shndx];
        if (sec->sh_type == SHT_NOBITS || s->st_value < sec->sh_addr ||
            s->st_value - sec->sh_addr > sec->sh_size || s->st_size > sec->sh_size ||
            s->st_value - sec->sh_addr + s->st_size > sec->sh_size)
            return NULL;
        size_t off = (size_t)(sec->sh_offset + (s->st_value - sec->sh_addr));
        if (off > v->size || s->st_size > v->size - off)
            return NULL;
        *len = (size_t)s->st_size;
        return v->data + off;
    }
    return NULL;
}

/* the embedded file <base>: its data symbol and the unsigned int <base>_len */
static char *elf_file(const elf_view *v, const char *base)
{
    char name[128];
    size_t ls, ld;
    snprintf(name, sizeof name, "%s_len", base);
    const unsigned char *pl = elf_symbol(v, name, &ls);
    const unsigned char *pd = elf_symbol(v, base, &ld);
    if (!pl || !pd || ls < 4)
        return NULL;
    unsigned int L;
    memcpy(&L, pl, 4);
    if (L > ld)
        return NULL;
    char *s = as_malloc((size_t)L + 1);
    if (!s)
        return NULL;
    memcpy(s, pd, L);
    s[L] = '\0';
    return s;
}

/* the parameter file's symbol: the one <X>_meam that is neither elems_meam nor library_meam */
static int elf_param_name(const elf_view *v, char *out, size_t cap)
{
    for (size_t i = 0; i < v->n_sym; i++) {
        const Elf64_Sym *s = &v->sym[i];
        if (s->st_name >= v->n_str || s->st_shndx == SHN_UNDEF)
            continue;
        const char *nm = v->str + s->st_name;
        size_t L = strnlen(nm, v->n_str - s->st_name);
        if (L > 5 && L < cap && !strcmp(nm + L - 5, "_meam") && strcmp(nm, "elems_meam") &&
            strcmp(nm, "library_meam")) {
            memcpy(out, nm, L + 1);
            return 1;
        }
    }
    return 0;
}

/* ---- a parsed model ---- */
#define LIB_TOK 19
typedef struct {
    char el[AS_SYMBOL_MAX];
    char tok[LIB_TOK][40]; /* 'El' 'lat' z ielement atwt alpha b0 b1 b2 b3 alat esub asub t0 t1
                              t2 t3 rozero ibar, verbatim */
} lib_entry;

typedef struct {
    char key[24];
    int nidx, idx[3]; /* 1-based file indices */
    char val[48];
} par_entry;

typedef struct {
    int pair; /* first pair_src row using this model */
    size_t n_el;
    char el[MAX_EL][AS_SYMBOL_MAX]; /* element of parameter-file index k + 1 (after the fix) */
    int reordered;
    lib_entry lib[MAX_EL];
    size_t n_lib;
    par_entry *p;
    size_t n_p;
} model;

static void model_clear(model *m)
{
    as_free(m->p);
    memset(m, 0, sizeof *m);
}

static void trim(char *s)
{
    size_t L = strlen(s);
    while (L && (s[L - 1] == ' ' || s[L - 1] == '\t' || s[L - 1] == '\r' || s[L - 1] == '\n'))
        s[--L] = '\0';
    size_t k = 0;
    while (s[k] == ' ' || s[k] == '\t')
        k++;
    memmove(s, s + k, L - k + 1);
}

static as_status parse_library(const char *txt, const char *src, model *m)
{
    /* whitespace tokens outside comments, 19 per element */
    char tok[LIB_TOK][40];
    size_t nt = 0;
    const char *p = txt;
    while (*p) {
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
            continue;
        }
        const char *q = p;
        while (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' && *q != '#')
            q++;
        if ((size_t)(q - p) >= sizeof tok[0])
            return AS_FAIL(AS_EPARSE, "meam: %s library: token too long", src);
        memcpy(tok[nt], p, (size_t)(q - p));
        tok[nt][q - p] = '\0';
        nt++;
        p = q;
        if (nt == LIB_TOK) {
            if (m->n_lib == MAX_EL)
                return AS_FAIL(AS_EPARSE, "meam: %s library: more than %d elements", src, MAX_EL);
            lib_entry *e = &m->lib[m->n_lib++];
            memcpy(e->tok, tok, sizeof tok);
            char *a = tok[0];
            size_t L = strlen(a);
            if (L < 3 || a[0] != '\'' || a[L - 1] != '\'' || L - 2 >= AS_SYMBOL_MAX)
                return AS_FAIL(AS_EPARSE, "meam: %s library: expected 'El', got %s", src, a);
            memcpy(e->el, a + 1, L - 2);
            e->el[L - 2] = '\0';
            nt = 0;
        }
    }
    if (nt != 0 || m->n_lib == 0)
        return AS_FAIL(AS_EPARSE, "meam: %s library: %zu tokens left over (19 per element)", src,
                       nt);
    return AS_OK;
}

static as_status parse_params(const char *txt, const char *src, model *m)
{
    size_t cap = 64;
    m->p = as_malloc(cap * sizeof *m->p);
    if (!m->p)
        return AS_FAIL(AS_ENOMEM, "meam: cannot allocate");
    const char *p = txt;
    size_t line = 0;
    while (*p) {
        line++;
        const char *e = strchr(p, '\n');
        size_t L = e ? (size_t)(e - p) : strlen(p);
        char buf[256];
        if (L >= sizeof buf)
            return AS_FAIL(AS_EPARSE, "meam: %s parameters:%zu: line too long", src, line);
        memcpy(buf, p, L);
        buf[L] = '\0';
        p = e ? e + 1 : p + L;
        char *h = strchr(buf, '#');
        if (h)
            *h = '\0';
        trim(buf);
        if (!buf[0])
            continue;
        char *eq = strchr(buf, '=');
        if (!eq)
            return AS_FAIL(AS_EPARSE, "meam: %s parameters:%zu: expected KEY = VALUE", src, line);
        *eq = '\0';
        par_entry pe;
        memset(&pe, 0, sizeof pe);
        char *val = eq + 1;
        trim(val);
        trim(buf);
        char *par = strchr(buf, '(');
        if (par) {
            *par = '\0';
            char *close = strchr(par + 1, ')');
            if (!close)
                return AS_FAIL(AS_EPARSE, "meam: %s parameters:%zu: missing ')'", src, line);
            *close = '\0';
            for (char *t = strtok(par + 1, ","); t; t = strtok(NULL, ",")) {
                if (pe.nidx == 3)
                    return AS_FAIL(AS_EPARSE, "meam: %s parameters:%zu: too many indices", src,
                                   line);
                pe.idx[pe.nidx] = atoi(t);
                if (pe.idx[pe.nidx] < 1 || pe.idx[pe.nidx] > MAX_EL)
                    return AS_FAIL(AS_EPARSE, "meam: %s parameters:%zu: bad index '%s'", src, line,
                                   t);
                pe.nidx++;
            }
        }
        trim(buf);
        if (strlen(buf) >= sizeof pe.key || strlen(val) >= sizeof pe.val || !buf[0] || !val[0])
            return AS_FAIL(AS_EPARSE, "meam: %s parameters:%zu: bad entry", src, line);
        strcpy(pe.key, buf);
        strcpy(pe.val, val);
        if (m->n_p == cap) {
            cap *= 2;
            par_entry *np = realloc(m->p, cap * sizeof *np);
            if (!np)
                return AS_FAIL(AS_ENOMEM, "meam: cannot allocate");
            m->p = np;
        }
        m->p[m->n_p++] = pe;
    }
    return AS_OK;
}

static const par_entry *par_find(const model *m, const char *key, int nidx, int i, int j, int k)
{
    for (size_t q = 0; q < m->n_p; q++) {
        const par_entry *e = &m->p[q];
        if (strcmp(e->key, key) || e->nidx != nidx)
            continue;
        if ((nidx < 1 || e->idx[0] == i) && (nidx < 2 || e->idx[1] == j) &&
            (nidx < 3 || e->idx[2] == k))
            return e;
    }
    return NULL;
}

static const lib_entry *lib_find(const model *m, const char *el)
{
    for (size_t k = 0; k < m->n_lib; k++)
        if (!strcmp(m->lib[k].el, el))
            return &m->lib[k];
    return NULL;
}

static int model_index(const model *m, const char *el)
{
    for (size_t k = 0; k < m->n_el; k++)
        if (!strcmp(m->el[k], el))
            return (int)k + 1;
    return 0;
}

static as_status model_load(const char *dir, int pair, model *m)
{
    as_status st = AS_OK;
    memset(m, 0, sizeof *m);
    m->pair = pair;
    const char *name = pair_src[pair].model;
    char path[4096], pname[128];
    snprintf(path, sizeof path, "%s/%s/libkim-api-portable-model.so", dir, name);
    elf_view v;
    AS_TRY(elf_open(path, &v));
    char *elems = elf_file(&v, "elems_meam"), *lib = elf_file(&v, "library_meam"), *par = NULL;
    if (elf_param_name(&v, pname, sizeof pname))
        par = elf_file(&v, pname);
    if (!elems || !lib || !par) {
        st =
            AS_FAIL(AS_EPARSE, "meam: %s holds no MEAM element, library and parameter files", path);
        goto fail;
    }
    AS_CHECK(parse_library(lib, name, m));
    AS_CHECK(parse_params(par, name, m));
    /* the element list: the words of non-comment lines */
    for (char *line = strtok(elems, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[strspn(line, " \t")] == '#')
            continue;
        char *save = NULL;
        for (char *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
            if (m->n_el == MAX_EL || strlen(w) >= AS_SYMBOL_MAX) {
                st = AS_FAIL(AS_EPARSE, "meam: %s: bad element list", name);
                goto fail;
            }
            snprintf(m->el[m->n_el++], AS_SYMBOL_MAX, "%s", w);
        }
    }
    for (size_t k = 0; k < m->n_el; k++)
        if (!lib_find(m, m->el[k])) {
            st = AS_FAIL(AS_EPARSE, "meam: %s: element %s is not in its library", name, m->el[k]);
            goto fail;
        }
    /* which element each parameter index means: Ec(k,k) is the element's esub */
    {
        char fixed[MAX_EL][AS_SYMBOL_MAX];
        int same = 1;
        for (size_t k = 0; k < m->n_el; k++) {
            const par_entry *ec = par_find(m, "Ec", 2, (int)k + 1, (int)k + 1, 0);
            if (!ec) {
                st = AS_FAIL(AS_EPARSE, "meam: %s: no Ec(%zu,%zu) to identify element %zu", name,
                             k + 1, k + 1, k + 1);
                goto fail;
            }
            double e = atof(ec->val);
            int hit = -1, n_hit = 0;
            for (size_t q = 0; q < m->n_el; q++)
                if (fabs(atof(lib_find(m, m->el[q])->tok[11]) - e) < 1e-6) {
                    hit = (int)q;
                    n_hit++;
                }
            if (n_hit != 1) {
                st = AS_FAIL(AS_EPARSE,
                             "meam: %s: Ec(%zu,%zu) = %s matches the esub of %d "
                             "library elements",
                             name, k + 1, k + 1, ec->val, n_hit);
                goto fail;
            }
            snprintf(fixed[k], AS_SYMBOL_MAX, "%s", m->el[hit]);
            if (hit != (int)k)
                same = 0;
        }
        for (size_t k = 0; k < m->n_el; k++)
            for (size_t q = k + 1; q < m->n_el; q++)
                if (!strcmp(fixed[k], fixed[q])) {
                    st = AS_FAIL(AS_EPARSE, "meam: %s: two parameter indices are %s", name,
                                 fixed[k]);
                    goto fail;
                }
        if (!same) {
            memcpy(m->el, fixed, sizeof fixed);
            m->reordered = 1;
        }
    }
fail:
    as_free(v.data);
    as_free(elems);
    as_free(lib);
    as_free(par);
    if (st != AS_OK)
        model_clear(m);
    return st;
}

static int find_pair(const char *a, const char *b)
{
    for (size_t k = 0; k < N_PAIRS; k++)
        if ((!strcmp(pair_src[k].a, a) && !strcmp(pair_src[k].b, b)) ||
            (!strcmp(pair_src[k].a, b) && !strcmp(pair_src[k].b, a)))
            return (int)k;
    return -1;
}

static int asymmetric_lattice(const char *v)
{
    return strstr(v, "l12") || strstr(v, "c11") || strstr(v, "lin") || strstr(v, "zig") ||
           strstr(v, "tri");
}

int as_meam_covers(const char *const *el, size_t n, char *why, size_t cap)
{
    if (why && cap)
        why[0] = '\0';
    if (n == 0 || n > MAX_EL) {
        if (why)
            snprintf(why, cap, "meam: %zu elements (1 to %d)", n, MAX_EL);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (canon_rank(el[i]) < 0) {
            if (why)
                snprintf(why, cap, "meam: no 2NN-MEAM model for %s (covered: %s)", el[i],
                         as_meam_elements_text());
            return 0;
        }
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(el[i], el[j])) {
                if (why)
                    snprintf(why, cap, "meam: element %s given twice", el[i]);
                return 0;
            }
            if (find_pair(el[i], el[j]) < 0) {
                if (why)
                    snprintf(why, cap,
                             "meam: no 2NN-MEAM model for the %s-%s pair (Pt-Co-M: "
                             "M = Cu, Ni, Ti, Fe, V; pairs: docs/oracle.md)",
                             el[j], el[i]);
                return 0;
            }
        }
    }
    return 1;
}

static void emit(FILE *f, const char *key, int nidx, const int *idx, const char *val)
{
    fprintf(f, "%s", key);
    if (nidx) {
        fprintf(f, "(");
        for (int k = 0; k < nidx; k++)
            fprintf(f, "%s%d", k ? "," : "", idx[k]);
        fprintf(f, ")");
    }
    fprintf(f, " = %s\n", val);
}

static as_status write_text(const char *dir, const char *name, const char *text)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return AS_FAIL(AS_EIO, "meam: cannot write %s: %s", tmp, strerror(errno));
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path)) {
        remove(tmp);
        return AS_FAIL(AS_EIO, "meam: cannot write %s", path);
    }
    return AS_OK;
}

as_status as_meam_write(const char *const *elements, size_t n, const char *dir, char *pair_coeff,
                        size_t cap)
{
    as_status st = AS_OK;
    char why[256];
    if (pair_coeff && cap)
        pair_coeff[0] = '\0';
    if (!as_meam_covers(elements, n, why, sizeof why))
        return AS_FAIL(AS_EINVAL, "%s", why);
    const char *kdir = getenv("ALLOYSCOUT_OPENKIM_DIR");
    if (!kdir || !*kdir)
        kdir = AS_OPENKIM_MODELS_DIR;
    model *mods = as_calloc(N_PAIRS, sizeof *mods);
    size_t n_mod = 0;
    int pair_model[MAX_EL][MAX_EL]; /* index into mods */
    int unary_model[MAX_EL];
    char *plib = NULL, *ppar = NULL, *pel = NULL;
    size_t lcap = 0, pcap = 0, ecap = 0;
    FILE *fl = NULL, *fp = NULL, *fe = NULL;
    if (!mods)
        return AS_FAIL(AS_ENOMEM, "meam: cannot allocate");
    /* load the models of the pairs (and, for one element, of its first pair) */
    for (size_t r = 0; r < N_PAIRS; r++) {
        int ia = -1, ib = -1;
        for (size_t i = 0; i < n; i++) {
            if (!strcmp(elements[i], pair_src[r].a))
                ia = (int)i;
            if (!strcmp(elements[i], pair_src[r].b))
                ib = (int)i;
        }
        int use = (ia >= 0 && ib >= 0) || (n == 1 && (ia >= 0 || ib >= 0) && n_mod == 0);
        if (!use)
            continue;
        size_t m = 0;
        for (; m < n_mod; m++)
            if (!strcmp(pair_src[mods[m].pair].model, pair_src[r].model))
                break;
        if (m == n_mod) {
            AS_CHECK(model_load(kdir, (int)r, &mods[m]));
            n_mod++;
        }
        if (ia >= 0 && ib >= 0)
            pair_model[ia][ib] = pair_model[ib][ia] = (int)m;
    }
    for (size_t i = 0; i < n; i++) {
        unary_model[i] = -1;
        for (size_t m = 0; m < n_mod && unary_model[i] < 0; m++)
            if (model_index(&mods[m], elements[i]))
                unary_model[i] = (int)m;
    }
    /* the global keywords: from the first model; the others must agree (rc and delr aside) */
    const model *base = &mods[0];
    for (size_t m = 1; m < n_mod; m++)
        for (size_t q = 0; q < mods[m].n_p; q++) {
            const par_entry *e = &mods[m].p[q];
            if (e->nidx || !strcmp(e->key, "rc") || !strcmp(e->key, "delr"))
                continue;
            const par_entry *b = par_find(base, e->key, 0, 0, 0, 0);
            if (!b || atof(b->val) != atof(e->val)) {
                st = AS_FAIL(AS_EINVAL, "meam: %s sets %s = %s but %s sets %s",
                             pair_src[mods[m].pair].model, e->key, e->val,
                             pair_src[base->pair].model, b ? b->val : "nothing");
                goto fail;
            }
        }
    /* the element order: asymmetric reference structures keep their first element first */
    int before[MAX_EL][MAX_EL];
    memset(before, 0, sizeof before);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j)
                continue;
            const model *m = &mods[pair_model[i][j]];
            int p = model_index(m, elements[i]), q = model_index(m, elements[j]);
            const par_entry *lt = p < q ? par_find(m, "lattce", 2, p, q, 0) : NULL;
            if (lt && asymmetric_lattice(lt->val))
                before[i][j] = 1;
        }
    int order[MAX_EL], placed[MAX_EL] = {0}, pos_of[MAX_EL];
    for (size_t r = 0; r < n; r++) {
        int pick = -1;
        for (size_t i = 0; i < n && pick < 0; i++) {
            if (placed[i])
                continue;
            int ok = 1;
            for (size_t j = 0; j < n; j++)
                if (!placed[j] && before[j][i])
                    ok = 0;
            if (ok)
                pick = (int)i;
        }
        if (pick < 0) {
            st = AS_FAIL(AS_EINVAL, "meam: the reference structures of these pairs need "
                                    "contradictory element orders");
            goto fail;
        }
        placed[pick] = 1;
        order[r] = pick;
        pos_of[pick] = (int)r + 1;
    }
    fl = open_memstream(&plib, &lcap);
    fp = open_memstream(&ppar, &pcap);
    fe = open_memstream(&pel, &ecap);
    if (!fl || !fp || !fe) {
        st = AS_FAIL(AS_ENOMEM, "meam: cannot allocate");
        goto fail;
    }
    fprintf(fe, "# elements of the assembled model, in parameter-file order\n");
    fprintf(fl, "# 2NN-MEAM library assembled by alloyscout from openkim-models\n"
                "# elt lat z ielement atwt / alpha b0 b1 b2 b3 alat esub asub / t0 t1 t2 t3 "
                "rozero ibar\n");
    fprintf(fp, "# 2NN-MEAM parameters assembled by alloyscout (docs/oracle.md)\n");
    for (size_t r = 0; r < n; r++) {
        int i = order[r];
        const model *m = &mods[unary_model[i]];
        fprintf(fe, "%s%s", r ? " " : "", elements[i]);
        fprintf(fp, "# %s: unary terms from %s (%s)\n", elements[i], pair_src[m->pair].model,
                pair_src[m->pair].cite);
        const lib_entry *le = lib_find(m, elements[i]);
        for (int t = 0; t < LIB_TOK; t++)
            fprintf(fl, "%s%s", le->tok[t], (t == 4 || t == 12 || t == 18) ? "\n" : " ");
    }
    fprintf(fe, "\n");
    for (size_t q = 0; q < base->n_p; q++)
        if (base->p[q].nidx == 0)
            emit(fp, base->p[q].key, 0, NULL, base->p[q].val);
    /* unary terms */
    for (size_t r = 0; r < n; r++) {
        int i = order[r];
        const model *m = &mods[unary_model[i]];
        int fi = model_index(m, elements[i]);
        for (size_t q = 0; q < m->n_p; q++) {
            const par_entry *e = &m->p[q];
            int all = e->nidx > 0;
            for (int k = 0; k < e->nidx; k++)
                all &= e->idx[k] == fi;
            if (!all)
                continue;
            int idx[3] = {(int)r + 1, (int)r + 1, (int)r + 1};
            emit(fp, e->key, e->nidx, idx, e->val);
        }
    }
    /* binary terms, with the values of Cmin/Cmax(i,i,k) kept for the ternary rule */
    double cmin_iik[MAX_EL][MAX_EL], cmax_iik[MAX_EL][MAX_EL]; /* [i][k] by element */
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            const model *m = &mods[pair_model[a][b]];
            int fa = model_index(m, elements[a]), fb = model_index(m, elements[b]);
            fprintf(fp, "# %s-%s: %s (%s)%s\n", elements[a], elements[b], pair_src[m->pair].model,
                    pair_src[m->pair].cite,
                    m->reordered ? "; parameter-file element order read from Ec(i,i)" : "");
            for (size_t q = 0; q < m->n_p; q++) {
                const par_entry *e = &m->p[q];
                if (e->nidx < 2)
                    continue;
                int has_a = 0, has_b = 0, other = 0;
                for (int k = 0; k < e->nidx; k++) {
                    has_a |= e->idx[k] == fa;
                    has_b |= e->idx[k] == fb;
                    other |= e->idx[k] != fa && e->idx[k] != fb;
                }
                if (!has_a || !has_b || other)
                    continue;
                int idx[3];
                for (int k = 0; k < e->nidx; k++)
                    idx[k] = e->idx[k] == fa ? pos_of[a] : pos_of[b];
                if (idx[0] > idx[1]) { /* pair indices in increasing order (LAMMPS reads i<j) */
                    if (e->nidx == 2 && !strcmp(e->key, "lattce") && asymmetric_lattice(e->val)) {
                        st = AS_FAIL(AS_EINVAL, "meam: internal: lattce(%d,%d) out of order",
                                     idx[0], idx[1]);
                        goto fail;
                    }
                    int t = idx[0];
                    idx[0] = idx[1];
                    idx[1] = t;
                }
                if (e->nidx == 3 && (e->idx[0] != e->idx[1]) && e->idx[0] > e->idx[1])
                    continue; /* Cmin(j,i,k): the same as Cmin(i,j,k), written once */
                emit(fp, e->key, e->nidx, idx, e->val);
                if (e->nidx == 3 && e->idx[0] == e->idx[1] && e->idx[2] != e->idx[0]) {
                    size_t ii = e->idx[0] == fa ? a : b, kk = e->idx[0] == fa ? b : a;
                    if (!strcmp(e->key, "Cmin"))
                        cmin_iik[ii][kk] = atof(e->val);
                    else if (!strcmp(e->key, "Cmax"))
                        cmax_iik[ii][kk] = atof(e->val);
                }
            }
            /* both screening values must be there for the ternary rule */
            if (!par_find(m, "Cmin", 3, fa, fa, fb) || !par_find(m, "Cmin", 3, fb, fb, fa) ||
                !par_find(m, "Cmax", 3, fa, fa, fb) || !par_find(m, "Cmax", 3, fb, fb, fa)) {
                st = AS_FAIL(AS_EPARSE, "meam: %s lacks Cmin/Cmax(i,i,j) for %s-%s",
                             pair_src[m->pair].model, elements[a], elements[b]);
                goto fail;
            }
        }
    /* ternary screening */
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            for (size_t c = 0; c < n; c++) {
                if (c == a || c == b)
                    continue;
                int I = pos_of[a], J = pos_of[b];
                size_t x = a, y = b;
                if (I > J) {
                    int t = I;
                    I = J;
                    J = t;
                    x = b;
                    y = a;
                }
                int idx[3] = {I, J, pos_of[c]};
                /* a model holding all three may give it */
                const model *m = &mods[pair_model[a][b]];
                int fa = model_index(m, elements[x]), fb = model_index(m, elements[y]),
                    fc = model_index(m, elements[c]);
                for (int w = 0; w < 2; w++) {
                    const char *key = w ? "Cmax" : "Cmin";
                    const par_entry *e = NULL;
                    if (fa && fb && fc && pair_model[a][c] == pair_model[a][b] &&
                        pair_model[b][c] == pair_model[a][b])
                        e = par_find(m, key, 3, AS_MIN(fa, fb), AS_MAX(fa, fb), fc);
                    if (e) {
                        emit(fp, key, 3, idx, e->val);
                        continue;
                    }
                    double ci = w ? cmax_iik[x][c] : cmin_iik[x][c];
                    double cj = w ? cmax_iik[y][c] : cmin_iik[y][c];
                    double v = 0.5 * (sqrt(ci) + sqrt(cj));
                    char val[48];
                    /* equal inputs give the input (not its square root squared) */
                    snprintf(val, sizeof val, "%.17g", ci == cj ? ci : v * v);
                    emit(fp, key, 3, idx, val);
                }
            }
    if (fclose(fl) | fclose(fp) | fclose(fe)) {
        fl = fp = fe = NULL;
        st = AS_FAIL(AS_ENOMEM, "meam: cannot write the files in memory");
        goto fail;
    }
    fl = fp = fe = NULL;
    AS_CHECK(write_text(dir, "library.meam", plib));
    AS_CHECK(write_text(dir, "param.meam", ppar));
    AS_CHECK(write_text(dir, "elems.meam", pel));
    if (pair_coeff && cap) {
        size_t L = (size_t)snprintf(pair_coeff, cap, "* * %s/library.meam", dir);
        for (size_t r = 0; r < n && L < cap; r++)
            L += (size_t)snprintf(pair_coeff + L, cap - L, " %s", elements[order[r]]);
        if (L < cap)
            L += (size_t)snprintf(pair_coeff + L, cap - L, " %s/param.meam", dir);
        for (size_t i = 0; i < n && L < cap; i++)
            L += (size_t)snprintf(pair_coeff + L, cap - L, " %s", elements[i]);
    }
fail:
    if (fl)
        fclose(fl);
    if (fp)
        fclose(fp);
    if (fe)
        fclose(fe);
    free(plib);
    free(ppar);
    free(pel);
    for (size_t m = 0; m < n_mod; m++)
        model_clear(&mods[m]);
    as_free(mods);
    return st;
}

/* ---- the oracle: one assembled model (and LAMMPS worker) per element set ---- */
typedef struct {
    char key[128];  /* "Pt,Co,Cu" in canonical order */
    char dir[4096]; /* scratch directory with the files and the KIM collection link */
    as_lmp *lmp;
} meam_model;

struct as_meam {
    int fixed;
    meam_model m[16];
    size_t n_m;
    char module[4096];
    double timeout_s; /* as_lmp_set_timeout of each model's worker */
};

static void model_remove(meam_model *mm)
{
    as_lmp_free(mm->lmp);
    mm->lmp = NULL;
    if (!mm->dir[0])
        return;
    static const char *files[] = {"library.meam",
                                  "param.meam",
                                  "elems.meam",
                                  "kim.log",
                                  "models/" KIM_ITEM "/libkim-api-portable-model.so",
                                  ("models/" KIM_ITEM),
                                  "models"};
    char path[4200];
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        snprintf(path, sizeof path, "%s/%s", mm->dir, files[k]);
        if (remove(path) != 0 && errno != ENOENT)
            (void)0;
    }
    rmdir(mm->dir);
    mm->dir[0] = '\0';
}

void as_meam_free(as_meam *me)
{
    if (!me)
        return;
    for (size_t k = 0; k < me->n_m; k++)
        model_remove(&me->m[k]);
    as_free(me);
}

/* sort into canonical order and join with commas */
static as_status canonical(const char *const *el, size_t n, const char **sorted, char *key,
                           size_t cap)
{
    char why[256];
    if (!as_meam_covers(el, n, why, sizeof why))
        return AS_FAIL(AS_EINVAL, "%s", why);
    for (size_t i = 0; i < n; i++)
        sorted[i] = el[i];
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && canon_rank(sorted[j]) < canon_rank(sorted[j - 1]); j--) {
            const char *t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    size_t L = 0;
    key[0] = '\0';
    for (size_t i = 0; i < n; i++)
        L += (size_t)snprintf(key + L, cap - L, "%s%s", i ? "," : "", sorted[i]);
    return AS_OK;
}

static as_status model_make(as_meam *me, const char *const *el, size_t n, meam_model **out)
{
    as_status st = AS_OK;
    const char *sorted[MAX_EL];
    char key[128];
    AS_TRY(canonical(el, n, sorted, key, sizeof key));
    for (size_t k = 0; k < me->n_m; k++)
        if (!strcmp(me->m[k].key, key)) {
            *out = &me->m[k];
            return AS_OK;
        }
    if (me->n_m == sizeof me->m / sizeof *me->m)
        return AS_FAIL(AS_EINVAL, "meam: more than %zu element sets in one oracle",
                       sizeof me->m / sizeof *me->m);
    meam_model *mm = &me->m[me->n_m];
    memset(mm, 0, sizeof *mm);
    snprintf(mm->key, sizeof mm->key, "%s", key);
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(mm->dir, sizeof mm->dir, "%s/alloyscout-meam-XXXXXX", base);
    if (!mkdtemp(mm->dir)) {
        mm->dir[0] = '\0';
        return AS_FAIL(AS_EIO, "meam: cannot create a scratch directory in %s: %s", base,
                       strerror(errno));
    }
    char path[4200], spec[1024];
    AS_CHECK(as_meam_write(sorted, n, mm->dir, NULL, 0));
    snprintf(path, sizeof path, "%s/models", mm->dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/models/" KIM_ITEM, mm->dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/models/" KIM_ITEM "/libkim-api-portable-model.so", mm->dir);
    if (symlink(me->module, path) != 0) {
        st = AS_FAIL(AS_EIO, "meam: cannot link %s: %s", path, strerror(errno));
        goto fail;
    }
    size_t L = (size_t)snprintf(spec, sizeof spec, "kim " KIM_ITEM ";* *");
    for (size_t i = 0; i < n; i++)
        L += (size_t)snprintf(spec + L, sizeof spec - L, " %s", sorted[i]);
    AS_CHECK(as_lmp_create(spec, &mm->lmp));
    snprintf(path, sizeof path, "%s/models", mm->dir);
    AS_CHECK(as_lmp_setenv(mm->lmp, "KIM_API_PORTABLE_MODELS_DIR", path));
    AS_CHECK(as_lmp_setenv(mm->lmp, "ALLOYSCOUT_MEAM_DIR", mm->dir));
    AS_CHECK(as_lmp_setenv(mm->lmp, "ALLOYSCOUT_MEAM_MODEL", KIM_ITEM));
    AS_CHECK(as_lmp_set_cwd(mm->lmp, mm->dir)); /* the KIM-API writes kim.log there */
    as_lmp_set_timeout(mm->lmp, me->timeout_s);
    me->n_m++;
    *out = mm;
    return AS_OK;
fail:
    model_remove(mm);
    return st;
}

as_status as_meam_create(const char *list, as_meam **out, char **desc, char **elements)
{
    as_status st = AS_OK;
    *out = NULL;
    *desc = *elements = NULL;
    as_meam *me = as_calloc(1, sizeof *me);
    if (!me)
        return AS_FAIL(AS_ENOMEM, "meam: cannot allocate");
#ifndef AS_HAVE_MEAM_MODULE
    st = AS_FAIL(AS_EUNSUP, "meam: this build has no LAMMPS library (the meam oracle runs "
                            "through LAMMPS's KIM package; install liblammps-dev and rebuild)");
    goto fail;
#endif
    if (find_module(me->module, sizeof me->module) != 0) {
        st = AS_FAIL(AS_EUNSUP,
                     "meam: the KIM model module %s is missing (looked in "
                     "alloyscout-kim/ beside liballoyscout and the program, and "
                     "$ALLOYSCOUT_MEAM_MODULE)",
                     AS_MEAM_MODULE_FILE);
        goto fail;
    }
    if (list) {
        char sym[MAX_EL][AS_SYMBOL_MAX];
        const char *names[MAX_EL];
        size_t n = 0;
        const char *p = list;
        while (*p) {
            const char *q = p;
            while (*q && *q != ',')
                q++;
            size_t L = (size_t)(q - p);
            if (L == 0 || L >= AS_SYMBOL_MAX || n == MAX_EL) {
                st = AS_FAIL(AS_EINVAL,
                             "oracle spec 'meam:%s': expected a comma-separated list "
                             "of elements",
                             list);
                goto fail;
            }
            memcpy(sym[n], p, L);
            sym[n][L] = '\0';
            names[n] = sym[n];
            n++;
            p = *q ? q + 1 : q;
        }
        meam_model *mm;
        AS_CHECK(model_make(me, names, n, &mm));
        me->fixed = 1;
        size_t cap = strlen(mm->key) + 64;
        *desc = as_malloc(cap);
        *elements = as_strdup(mm->key);
        if (*desc)
            snprintf(*desc, cap, "meam:openkim-2nn-v1[%s]", mm->key);
        if (*elements)
            for (char *c = *elements; *c; c++)
                if (*c == ',')
                    *c = ' ';
    } else {
        *desc = as_strdup("meam:openkim-2nn-v1[system]");
        *elements = as_strdup(as_meam_elements_text());
    }
    if (!*desc || !*elements) {
        st = AS_FAIL(AS_ENOMEM, "meam: cannot allocate");
        goto fail;
    }
    *out = me;
    return AS_OK;
fail:
    as_free(*desc);
    as_free(*elements);
    *desc = *elements = NULL;
    as_meam_free(me);
    return st;
}

int as_meam_fixed_supports(const as_meam *me, const char *el)
{
    if (!me->fixed)
        return canon_rank(el) >= 0;
    const char *k = me->m[0].key;
    size_t L = strlen(el);
    for (const char *p = k; (p = strstr(p, el)); p += L)
        if ((p == k || p[-1] == ',') && (p[L] == ',' || p[L] == '\0'))
            return 1;
    return 0;
}

as_status as_meam_compute(as_meam *me, const as_structure *s, double *energy, double *e_atom,
                          double *forces)
{
    meam_model *mm;
    if (me->fixed)
        mm = &me->m[0];
    else {
        /* the system: every symbol the structure declares */
        const char *names[MAX_EL];
        if (s->n_symbols == 0 || s->n_symbols > MAX_EL)
            return AS_FAIL(AS_EINVAL, "meam: a structure with %zu species (1 to %d)", s->n_symbols,
                           MAX_EL);
        for (size_t k = 0; k < s->n_symbols; k++)
            names[k] = s->symbols[k];
        AS_TRY(model_make(me, names, s->n_symbols, &mm));
    }
    return as_lmp_compute(mm->lmp, s, energy, e_atom, forces);
}

void as_meam_dep_hash(const as_meam *m, uint64_t *h)
{
    as_dep_hash_file(m->module, h);
    /* every portable model a system may read its element, library and parameter files from */
    for (size_t r = 0; r < N_PAIRS; r++) {
        int seen = 0;
        for (size_t q = 0; q < r && !seen; q++)
            seen = !strcmp(pair_src[q].model, pair_src[r].model);
        if (seen)
            continue;
        char path[PATH_MAX];
        const char *kdir = getenv("ALLOYSCOUT_OPENKIM_DIR");
        if (!kdir || !*kdir)
            kdir = AS_OPENKIM_MODELS_DIR;
        snprintf(path, sizeof path, "%s/%s/libkim-api-portable-model.so", kdir, pair_src[r].model);
        *h = as_hash64_str(*h, pair_src[r].model);
        as_dep_hash_file(path, h);
    }
}

void as_meam_set_timeout(as_meam *m, double timeout_s)
{
    m->timeout_s = timeout_s;
    for (size_t i = 0; i < m->n_m; i++)
        if (m->m[i].lmp)
            as_lmp_set_timeout(m->m[i].lmp, timeout_s);
}
