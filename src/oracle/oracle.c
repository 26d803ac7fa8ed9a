/* The oracle interface: spec parsing, dispatch to the backends (native EAM, LAMMPS library,
 * external command), FIRE relaxation (Bitzek et al., PRL 97, 170201 (2006), in the mass-free
 * form of ASE's ase.optimize.FIRE), lattice-constant optimization by golden-section search,
 * RMSD (seed 004, Methods: RMSD = (1/n) sqrt(sum |X'_i - X_i|^2)), and batch labelling with or
 * without the SQLite store. */
#define _GNU_SOURCE /* realpath, st_mtim */
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oracle_int.h"

typedef enum { BK_EAM, BK_LAMMPS, BK_CMD, BK_ASE, BK_MEAM } backend;

struct as_oracle {
    backend kind;
    as_eam *eam;
    as_lmp *lmp;
    as_cmd *cmd;
    as_ase *ase;
    as_meam *meam;
    char *desc;
    char *elements; /* space separated, or "any" */
    as_oracle_options opt;
    char *workdir;
    char *deps;    /* as_oracle_dependencies */
    char *version; /* copy of opt.oracle_version (as_oracle_get_options) */
    int relaxing;  /* 1 inside one FIRE run: the eam neighbour list may be reused */
    size_t
        relax_calls; /* calls made inside that run: an ase worker keeps its calculator after the first */
};

void as_oracle_options_default(as_oracle_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->jobs = 1;
    opt->timeout_s = 0; /* the oracle's default */
    opt->retries = 1;
    opt->skin_ang = 0.3;
    opt->nrho = 2000;
    opt->nr = 2000;
    opt->e_atom_max_ev = AS_ORACLE_E_ATOM_MAX_EV;
    opt->cell_tol_ang = AS_ORACLE_CELL_TOL_ANG;
}

void as_relax_options_default(as_relax_options *opt)
{
    opt->fmax = 0.03;
    opt->max_steps = 2000;
    opt->dt = 0.1;
    opt->dt_max = 1.0;
    opt->max_step = 0.2;
    opt->n_min = 5;
    opt->f_inc = 1.1;
    opt->f_dec = 0.5;
    opt->alpha_start = 0.1;
    opt->f_alpha = 0.99;
}

void as_cellopt_options_default(as_cellopt_options *opt)
{
    opt->tetragonal = 0;
    opt->scale_lo = 0.9;
    opt->scale_hi = 1.1;
    opt->tol = 1e-8;
    opt->max_rounds = 30;
    opt->method = AS_CELLOPT_FIT;
    opt->start_a = opt->start_c = 1.0;
    opt->step = 0.02;
    opt->max_evals = 25;
    opt->energy_at_result = 1;
    opt->hess[0] = opt->hess[1] = opt->hess[2] = 0;
}

void as_oracle_free(as_oracle *o)
{
    if (!o)
        return;
    as_eam_free(o->eam);
    as_lmp_free(o->lmp);
    as_cmd_free(o->cmd);
    as_ase_free(o->ase);
    as_meam_free(o->meam);
    as_free(o->desc);
    as_free(o->elements);
    as_free(o->workdir);
    as_free(o->deps);
    as_free(o->version);
    as_free(o);
}

/* ---- timeouts (issue 19) ---- */
#define AS_TIMEOUT_DFT_S (48.0 * 3600.0)

double as_oracle_timeout_default(const char *spec)
{
    if (!spec)
        return INFINITY;
    if (!strncmp(spec, "cmd:", 4))
        return AS_TIMEOUT_DFT_S;
    if (!strcmp(spec, "ase:emt"))
        return 3600.0;
    if (!strncmp(spec, "ase:", 4)) /* gpaw, FILE.py: first-principles codes */
        return AS_TIMEOUT_DFT_S;
    if (!strncmp(spec, "lammps:", 7) || !strcmp(spec, "meam") || !strncmp(spec, "meam:", 5))
        return 600.0; /* one structure of a classical potential takes well under a second */
    return INFINITY;  /* eam, eam-analytic: computed in this process, no timeout */
}

static int parse_seconds(const char *v, size_t L, double *t)
{
    char buf[64];
    if (L == 0 || L >= sizeof buf)
        return -1;
    memcpy(buf, v, L);
    buf[L] = '\0';
    if (!strcmp(buf, "none") || !strcmp(buf, "inf")) {
        *t = INFINITY;
        return 0;
    }
    char *end = NULL;
    double x = strtod(buf, &end);
    if (end == buf || *end || !(x > 0) || !isfinite(x))
        return -1;
    *t = x;
    return 0;
}

as_status as_oracle_timeout_for(const char *text, const char *spec, double *timeout_s)
{
    *timeout_s = 0;
    if (!text || !*text)
        return AS_OK;
    size_t best = 0;
    int any = 0;
    for (const char *p = text; *p;) {
        const char *q = strchr(p, ',');
        size_t L = q ? (size_t)(q - p) : strlen(p);
        const char *eq = memchr(p, '=', L);
        double t;
        if (!eq) {
            if (parse_seconds(p, L, &t) != 0)
                return AS_FAIL(AS_EINVAL,
                               "--timeout '%s': '%.*s' is not a number of seconds > 0 or "
                               "'none' (expected S, none, or KEY=S,KEY=S.. with KEY an "
                               "oracle spec prefix such as cmd or ase:gpaw)",
                               text, (int)L, p);
            if (!any) {
                *timeout_s = t;
                any = 1;
            }
        } else {
            size_t K = (size_t)(eq - p);
            if (K == 0 || parse_seconds(eq + 1, L - K - 1, &t) != 0)
                return AS_FAIL(AS_EINVAL,
                               "--timeout '%s': '%.*s' is not KEY=SECONDS (KEY an oracle spec "
                               "prefix such as cmd or ase:gpaw; SECONDS > 0 or none)",
                               text, (int)L, p);
            if (spec && !strncmp(spec, p, K) && K > best) {
                best = K;
                *timeout_s = t;
                any = 1;
            }
        }
        p = q ? q + 1 : p + L;
    }
    return AS_OK;
}

double as_oracle_timeout(const as_oracle *o) { return o->opt.timeout_s; }
const as_oracle_options *as_oracle_get_options(const as_oracle *o) { return &o->opt; }

/* ---- the files an oracle depends on (issue 19): content hashes cached by file identity ---- */
typedef struct {
    char path[PATH_MAX];
    dev_t dev;
    ino_t ino;
    off_t size;
    long long mtime_ns;
    uint64_t hash;
} dep_entry;
static dep_entry *dep_cache;
static size_t dep_n, dep_cap;
static pthread_mutex_t dep_lock = PTHREAD_MUTEX_INITIALIZER;

int as_dep_hash_file(const char *path, uint64_t *h)
{
    struct stat sb;
    char real[PATH_MAX];
    if (!path || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || !realpath(path, real))
        return 0;
    long long mt = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
    uint64_t fh = 0;
    int have = 0;
    pthread_mutex_lock(&dep_lock);
    for (size_t i = 0; i < dep_n && !have; i++) {
        dep_entry *e = &dep_cache[i];
        if (e->dev == sb.st_dev && e->ino == sb.st_ino && e->size == sb.st_size &&
            e->mtime_ns == mt && !strcmp(e->path, real)) {
            fh = e->hash;
            have = 1;
        }
    }
    pthread_mutex_unlock(&dep_lock);
    if (!have) {
        FILE *f = fopen(real, "rb");
        if (!f)
            return 0;
        static unsigned char buf[1 << 16];
        size_t k;
        fh = AS_HASH64_INIT;
        pthread_mutex_lock(&dep_lock); /* buf is shared */
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            fh = as_hash64(fh, buf, k);
        fclose(f);
        if (dep_n == dep_cap) {
            size_t nc = dep_cap ? 2 * dep_cap : 32;
            dep_entry *ne = as_realloc(dep_cache, nc * sizeof *ne);
            if (ne) {
                dep_cache = ne;
                dep_cap = nc;
            }
        }
        if (dep_n < dep_cap) {
            dep_entry *e = &dep_cache[dep_n++];
            snprintf(e->path, sizeof e->path, "%s", real);
            e->dev = sb.st_dev;
            e->ino = sb.st_ino;
            e->size = sb.st_size;
            e->mtime_ns = mt;
            e->hash = fh;
        }
        pthread_mutex_unlock(&dep_lock);
    }
    *h = as_hash64_str(*h, real);
    *h = as_hash64(*h, &fh, sizeof fh);
    return 1;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int as_dep_hash_dir(const char *dir, uint64_t *h)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (e->d_name[0] != '.' && (names[n] = as_strdup(e->d_name)))
            n++;
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        any |= as_dep_hash_file(path, h);
        as_free(names[i]);
    }
    return any;
}

/* a KIM model (portable, simulator) or driver of this name in a KIM collection: its files */
static int hash_kim_item(const char *name, uint64_t *h)
{
    static const char *const envs[3] = {
        "KIM_API_PORTABLE_MODELS_DIR", "KIM_API_SIMULATOR_MODELS_DIR", "KIM_API_MODEL_DRIVERS_DIR"};
    static const char *const kinds[3] = {"portable-models", "simulator-models", "model-drivers"};
    char path[PATH_MAX];
    if (!name[0] || strchr(name, '/') || strlen(name) < 8)
        return 0;
    for (int k = 0; k < 3; k++) {
        const char *v = getenv(envs[k]);
        for (const char *p = v; p && *p;) {
            const char *q = strchr(p, ':');
            size_t L = q ? (size_t)(q - p) : strlen(p);
            snprintf(path, sizeof path, "%.*s/%s", (int)L, p, name);
            if (as_dep_hash_dir(path, h))
                return 1;
            p = q ? q + 1 : p + L;
        }
    }
    const char *home = getenv("HOME");
    if (home) { /* the user collection: ~/.kim-api/<version>/<kind>/ */
        snprintf(path, sizeof path, "%s/.kim-api", home);
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            for (int k = 0; k < 3; k++) {
                snprintf(path, sizeof path, "%s/.kim-api/%s/%s/%s", home, e->d_name, kinds[k],
                         name);
                if (as_dep_hash_dir(path, h)) {
                    closedir(d);
                    return 1;
                }
            }
        }
        if (d)
            closedir(d);
    }
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "/usr/lib/x86_64-linux-gnu/kim-api/%s/%s", kinds[k], name);
        if (as_dep_hash_dir(path, h))
            return 1;
    }
    return 0;
}

/* a word of a spec: an existing file (also after "KEY="), or a KIM item */
static int hash_word(const char *w, uint64_t *h)
{
    if (!w[0] || strchr(w, '{'))
        return 0;
    if (as_dep_hash_file(w, h))
        return 1;
    const char *eq = strchr(w, '=');
    if (eq && as_dep_hash_file(eq + 1, h))
        return 1;
    return hash_kim_item(w, h);
}

/* argv[0] of a cmd: program, through PATH as execvp finds it */
static int hash_program(const char *prog, uint64_t *h)
{
    if (strchr(prog, '/'))
        return as_dep_hash_file(prog, h);
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        const char *q = strchr(p, ':');
        size_t L = q ? (size_t)(q - p) : strlen(p);
        char full[PATH_MAX];
        snprintf(full, sizeof full, "%.*s/%s", (int)L, L ? p : ".", prog);
        if (access(full, X_OK) == 0 && as_dep_hash_file(full, h))
            return 1;
        p = q ? q + 1 : p + L;
    }
    return 0;
}

/* the builtin Zhou 2004 parameters, as numbers */
static void hash_zhou_table(uint64_t *h)
{
    char buf[64];
    for (size_t i = 0; i < as_zhou_count; i++) {
        const as_zhou_params *z = &as_zhou_table[i];
        const double v[27] = {z->re,    z->fe,  z->rhoe,  z->rhos,   z->alpha, z->beta, z->A,
                              z->B,     z->cai, z->ramda, z->Fi0,    z->Fi1,   z->Fi2,  z->Fi3,
                              z->Fm0,   z->Fm1, z->Fm2,   z->Fm3,    z->fnn,   z->Fn,   z->ielement,
                              z->amass, z->Fm4, z->beta1, z->ramda1, z->rhol,  z->rhoh};
        *h = as_hash64_str(*h, z->el);
        for (int k = 0; k < 27; k++) {
            int L = snprintf(buf, sizeof buf, " %.17g", v[k]);
            *h = as_hash64(*h, buf, (size_t)L);
        }
    }
}

static as_status compute_deps(as_oracle *o, const char *spec)
{
    uint64_t h = AS_HASH64_INIT;
    int any = 0;
    switch (o->kind) {
    case BK_EAM:
        if (strstr(o->desc, "zhou2004")) { /* setfl files: their hash is in the description */
            hash_zhou_table(&h);
            any = 1;
        }
        break;
    case BK_MEAM:
        as_meam_dep_hash(o->meam, &h);
        any = 1;
        break;
    case BK_CMD:
        any |= hash_program(as_cmd_word(o->cmd, 0), &h);
        for (size_t i = 1; as_cmd_word(o->cmd, i); i++)
            any |= hash_word(as_cmd_word(o->cmd, i), &h);
        break;
    case BK_LAMMPS: {
        char *t = as_strdup(spec + 7), *save = NULL;
        if (!t)
            return AS_FAIL(AS_ENOMEM, "oracle: cannot allocate");
        for (char *w = strtok_r(t, " \t;", &save); w; w = strtok_r(NULL, " \t;", &save))
            any |= hash_word(w, &h);
        as_free(t);
        break;
    }
    case BK_ASE: /* ase:FILE.py: the file's hash is in the description */ break;
    }
    const char *ver = o->opt.oracle_version;
    size_t cap = 64 + (ver ? strlen(ver) : 0);
    o->deps = as_malloc(cap);
    if (!o->deps)
        return AS_FAIL(AS_ENOMEM, "oracle: cannot allocate");
    o->deps[0] = '\0';
    size_t L = 0;
    if (any)
        L = (size_t)snprintf(o->deps, cap, "deps=%016llx", (unsigned long long)h);
    if (ver && *ver)
        snprintf(o->deps + L, cap - L, "%sversion=%s", L ? " " : "", ver);
    /* kept (a copy) for whoever must pass it on: the Slurm executor's label command */
    o->opt.oracle_version = NULL;
    if (ver && *ver) {
        if (!(o->version = as_strdup(ver)))
            return AS_FAIL(AS_ENOMEM, "oracle: cannot allocate");
        o->opt.oracle_version = o->version;
    }
    return AS_OK;
}

const char *as_oracle_dependencies(const as_oracle *o) { return o->deps ? o->deps : ""; }

/* The file's bytes through the library's one hash (as_hash64, 64-bit FNV-1a). */
static as_status file_hash(const char *path, uint64_t *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return AS_FAIL(AS_EIO, "cannot open %s", path);
    unsigned char buf[65536];
    size_t k;
    *h = AS_HASH64_INIT;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        *h = as_hash64(*h, buf, k);
    fclose(f);
    return AS_OK;
}

/* Split "Pt,Co,Cu" into symbols if every one is in the Zhou table. Returns the count, 0 if the
 * text is not such a list. */
static size_t parse_zhou_list(const char *text, char (*sym)[AS_SYMBOL_MAX], size_t cap)
{
    size_t n = 0;
    const char *p = text;
    while (*p) {
        const char *q = p;
        while (*q && *q != ',')
            q++;
        size_t L = (size_t)(q - p);
        if (L == 0 || L >= AS_SYMBOL_MAX || n == cap)
            return 0;
        memcpy(sym[n], p, L);
        sym[n][L] = '\0';
        if (!as_zhou_find(sym[n]))
            return 0;
        n++;
        p = *q ? q + 1 : q;
    }
    return n;
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static as_status set_elements_from_tab(as_oracle *o, const as_setfl *t)
{
    size_t cap = t->n_el * (AS_SYMBOL_MAX + 1) + 1;
    o->elements = as_malloc(cap);
    if (!o->elements)
        return AS_FAIL(AS_ENOMEM, "oracle: cannot allocate");
    o->elements[0] = '\0';
    for (size_t a = 0; a < t->n_el; a++) {
        if (a)
            strcat(o->elements, " ");
        strcat(o->elements, t->el[a]);
    }
    return AS_OK;
}

static as_status set_desc(as_oracle *o, const char *fmt_prefix, const as_setfl *t,
                          const char *suffix)
{
    size_t cap = strlen(fmt_prefix) + (t ? t->n_el * (AS_SYMBOL_MAX + 1) : 0) +
                 (suffix ? strlen(suffix) : 0) + 64;
    o->desc = as_malloc(cap);
    if (!o->desc)
        return AS_FAIL(AS_ENOMEM, "oracle: cannot allocate");
    size_t L = (size_t)snprintf(o->desc, cap, "%s", fmt_prefix);
    if (t) {
        L += (size_t)snprintf(o->desc + L, cap - L, "[");
        for (size_t a = 0; a < t->n_el; a++)
            L += (size_t)snprintf(o->desc + L, cap - L, "%s%s", a ? "," : "", t->el[a]);
        L += (size_t)snprintf(o->desc + L, cap - L, "]");
    }
    if (suffix)
        snprintf(o->desc + L, cap - L, "%s", suffix);
    return AS_OK;
}

static as_status create_eam(as_oracle *o, const char *arg, int analytic)
{
    char sym[32][AS_SYMBOL_MAX];
    const char *names[32];
    size_t n = 0;
    if (!arg) {
        n = as_zhou_count;
        for (size_t i = 0; i < n; i++)
            names[i] = as_zhou_table[i].el;
    } else {
        n = (!file_exists(arg)) ? parse_zhou_list(arg, sym, 32) : 0;
        for (size_t i = 0; i < n; i++)
            names[i] = sym[i];
    }
    char suffix[96];
    if (analytic) {
        if (arg && n == 0)
            return AS_FAIL(AS_EINVAL,
                           "oracle spec 'eam-analytic:%s': expected a comma-separated "
                           "list of Zhou 2004 elements",
                           arg);
        AS_TRY(as_eam_create_analytic(names, n, &o->eam));
        AS_TRY(set_elements_from_tab(o, o->eam->tab));
        return set_desc(o, "eam-analytic:zhou2004", o->eam->tab, NULL);
    }
    as_setfl *t;
    if (n > 0) {
        AS_TRY(as_setfl_from_zhou(names, n, o->opt.nrho, o->opt.nr, &t));
        snprintf(suffix, sizeof suffix, " nrho=%d nr=%d", o->opt.nrho, o->opt.nr);
        AS_TRY(as_eam_create_tab(t, &o->eam));
        AS_TRY(set_elements_from_tab(o, o->eam->tab));
        return set_desc(o, "eam:zhou2004", o->eam->tab, suffix);
    }
    if (!file_exists(arg))
        return AS_FAIL(AS_EIO,
                       "oracle spec 'eam:%s': no such setfl file (and not a list of "
                       "Zhou 2004 elements)",
                       arg);
    uint64_t h;
    AS_TRY(file_hash(arg, &h));
    AS_TRY(as_setfl_read(arg, &t));
    snprintf(suffix, sizeof suffix, "#%016llx", (unsigned long long)h);
    AS_TRY(as_eam_create_tab(t, &o->eam));
    AS_TRY(set_elements_from_tab(o, o->eam->tab));
    return set_desc(o, "eam:setfl", o->eam->tab, suffix);
}

as_status as_oracle_create(const char *spec, const as_oracle_options *opt, as_oracle **out)
{
    as_status st = AS_OK;
    *out = NULL;
    if (!spec || !*spec)
        return AS_FAIL(AS_EINVAL, "oracle: empty spec (try 'eam')");
    as_oracle *o = as_calloc(1, sizeof *o);
    if (!o)
        return AS_FAIL(AS_ENOMEM, "oracle: cannot allocate");
    if (opt)
        o->opt = *opt;
    else
        as_oracle_options_default(&o->opt);
    if (o->opt.jobs == 0)
        o->opt.jobs = 1;
    if (o->opt.nrho <= 0)
        o->opt.nrho = 2000;
    if (o->opt.nr <= 0)
        o->opt.nr = 2000;
    if (!(o->opt.e_atom_max_ev > 0))
        o->opt.e_atom_max_ev = AS_ORACLE_E_ATOM_MAX_EV;
    if (!(o->opt.cell_tol_ang > 0))
        o->opt.cell_tol_ang = AS_ORACLE_CELL_TOL_ANG;
    o->opt.timeouts = NULL; /* resolved here */
    if (opt && opt->timeouts) {
        double t = 0;
        AS_CHECK(as_oracle_timeout_for(opt->timeouts, spec, &t));
        if (t > 0)
            o->opt.timeout_s = t;
    }
    if (!(o->opt.timeout_s > 0))
        o->opt.timeout_s = as_oracle_timeout_default(spec);
    if (o->opt.workdir) {
        o->workdir = as_strdup(o->opt.workdir);
        if (!o->workdir) {
            st = AS_FAIL(AS_ENOMEM, "oracle: cannot allocate");
            goto fail;
        }
        o->opt.workdir = o->workdir;
    }
    if (!strcmp(spec, "eam")) {
        o->kind = BK_EAM;
        AS_CHECK(create_eam(o, NULL, 0));
    } else if (!strncmp(spec, "eam:", 4)) {
        o->kind = BK_EAM;
        AS_CHECK(create_eam(o, spec + 4, 0));
    } else if (!strcmp(spec, "eam-analytic")) {
        o->kind = BK_EAM;
        AS_CHECK(create_eam(o, NULL, 1));
    } else if (!strncmp(spec, "eam-analytic:", 13)) {
        o->kind = BK_EAM;
        AS_CHECK(create_eam(o, spec + 13, 1));
    } else if (!strncmp(spec, "lammps:", 7)) {
        o->kind = BK_LAMMPS;
        AS_CHECK(as_lmp_create(spec + 7, &o->lmp));
        o->desc = as_strdup(spec);
        o->elements = as_strdup("any");
    } else if (!strcmp(spec, "meam") || !strncmp(spec, "meam:", 5)) {
        o->kind = BK_MEAM;
        AS_CHECK(as_meam_create(spec[4] ? spec + 5 : NULL, &o->meam, &o->desc, &o->elements));
    } else if (!strncmp(spec, "ase:", 4)) {
        o->kind = BK_ASE;
        AS_CHECK(as_ase_create(spec + 4, &o->opt, &o->ase, &o->desc, &o->elements));
    } else if (!strncmp(spec, "cmd:", 4)) {
        o->kind = BK_CMD;
        AS_CHECK(as_cmd_create(spec + 4, &o->opt, &o->cmd));
        o->desc = as_strdup(spec);
        o->elements = as_strdup("any");
    } else {
        st = AS_FAIL(AS_EINVAL,
                     "oracle: unknown spec '%s' (expected eam, eam:FILE, "
                     "eam:EL,EL,.., eam-analytic, lammps:STYLE;COEFF, meam[:EL,..], "
                     "ase:emt, ase:gpaw[:K=V,..], ase:FILE.py or cmd:PROGRAM ARGS)",
                     spec);
        goto fail;
    }
    if (!o->desc || !o->elements) {
        st = AS_FAIL(AS_ENOMEM, "oracle: cannot allocate");
        goto fail;
    }
    if (o->eam)
        o->eam->skin = o->opt.skin_ang >= 0 ? o->opt.skin_ang : 0;
    if (o->lmp)
        as_lmp_set_timeout(o->lmp, o->opt.timeout_s);
    if (o->meam)
        as_meam_set_timeout(o->meam, o->opt.timeout_s);
    AS_CHECK(compute_deps(o, spec));
    *out = o;
    return AS_OK;
fail:
    as_oracle_free(o);
    return st;
}

const char *as_oracle_describe(const as_oracle *o) { return o->desc; }
const char *as_oracle_elements(const as_oracle *o) { return o->elements; }
int as_oracle_has_forces(const as_oracle *o) { return o->kind != BK_CMD; }

int as_oracle_supports_system(const as_oracle *o, const char *const *elements, size_t n, char *why,
                              size_t cap)
{
    if (why && cap)
        why[0] = '\0';
    if (o->kind == BK_MEAM) {
        for (size_t i = 0; i < n; i++)
            if (!as_meam_fixed_supports(o->meam, elements[i])) {
                if (why)
                    snprintf(why, cap, "%s does not cover %s", o->desc, elements[i]);
                return 0;
            }
        return as_meam_covers(elements, n, why, cap);
    }
    for (size_t i = 0; i < n; i++)
        if (!as_oracle_supports(o, elements[i])) {
            if (why)
                snprintf(why, cap, "%s does not cover %s (covered: %s)", o->desc, elements[i],
                         o->elements);
            return 0;
        }
    return 1;
}

int as_oracle_has_stress(const as_oracle *o)
{
    return o->kind == BK_EAM || (o->kind == BK_ASE && as_ase_has_stress(o->ase));
}

/* 1 when symbol is a word of the space-separated list (or the list is "any") */
static int in_list(const char *list, const char *symbol)
{
    if (!strcmp(list, "any"))
        return 1;
    size_t L = strlen(symbol);
    for (const char *p = list; (p = strstr(p, symbol)); p += L)
        if ((p == list || p[-1] == ' ') && (p[L] == ' ' || p[L] == '\0'))
            return 1;
    return 0;
}

int as_oracle_supports(const as_oracle *o, const char *symbol)
{
    if (o->kind == BK_MEAM)
        return as_meam_fixed_supports(o->meam, symbol);
    if (o->kind == BK_ASE)
        return in_list(o->elements, symbol);
    if (o->kind != BK_EAM)
        return 1;
    return as_eam_element(o->eam, symbol) >= 0;
}

as_status as_oracle_energy_atoms(as_oracle *o, const as_structure *s, double *energy,
                                 double *e_atom, double *forces)
{
    double e = NAN;
    switch (o->kind) {
    case BK_EAM: /* the label check (finite, plausible per atom) for every native result */
        /* a neighbour list kept from another structure holds the same pairs within the cutoff
         * but in another order (and other image shifts): the sums would differ in the last
         * bits with what was computed before. Only the steps of one relaxation reuse it (and
         * a call at exactly the positions it was built at) */
        if (!o->relaxing)
            as_nlist_forget_unless_at(&o->eam->nl, s->cell, s->pos, s->n);
        AS_TRY(as_eam_compute(o->eam, s, &e, e_atom, forces, NULL));
        AS_TRY(as_oracle_check_label(&o->opt, s, NULL, e));
        if (energy)
            *energy = e;
        return AS_OK;
    case BK_LAMMPS:
        AS_TRY(as_lmp_compute(o->lmp, s, &e, e_atom, forces));
        AS_TRY(as_oracle_check_label(&o->opt, s, NULL, e));
        if (energy)
            *energy = e;
        return AS_OK;
    case BK_ASE:
        AS_TRY(as_ase_compute(o->ase, s, o->relaxing && o->relax_calls++ > 0, &e, e_atom, forces,
                              NULL));
        AS_TRY(as_oracle_check_label(&o->opt, s, NULL, e));
        if (energy)
            *energy = e;
        return AS_OK;
    case BK_MEAM:
        AS_TRY(as_meam_compute(o->meam, s, &e, e_atom, forces));
        AS_TRY(as_oracle_check_label(&o->opt, s, NULL, e));
        if (energy)
            *energy = e;
        return AS_OK;
    case BK_CMD: /* checked in cmd.c against the program's output structure */
        if (e_atom || forces)
            return AS_FAIL(AS_EUNSUP, "oracle %s gives no forces or per-atom energies", o->desc);
        {
            as_label_result r;
            const as_structure *one[1] = {s};
            AS_TRY(as_cmd_run_batch(o->cmd, one, 1, 0, 0.03, &r, NULL, NULL, NULL));
            if (r.status != AS_OK)
                return AS_FAIL(r.status, "%s", r.error);
            if (energy)
                *energy = r.energy;
            return AS_OK;
        }
    }
    return AS_FAIL(AS_EINVAL, "oracle: bad backend");
}

as_status as_oracle_energy(as_oracle *o, const as_structure *s, double *energy, double *forces)
{
    return as_oracle_energy_atoms(o, s, energy, NULL, forces);
}

as_status as_oracle_energy_stress(as_oracle *o, const as_structure *s, double *energy,
                                  double *forces, double *stress)
{
    double e;
    if (o->kind == BK_EAM) {
        if (!o->relaxing) /* as in as_oracle_energy_atoms: no list from another structure */
            as_nlist_forget_unless_at(&o->eam->nl, s->cell, s->pos, s->n);
        AS_TRY(as_eam_compute(o->eam, s, &e, NULL, forces, stress));
    } else if (o->kind == BK_ASE)
        AS_TRY(as_ase_compute(o->ase, s, 0, &e, NULL, forces, stress));
    else
        return AS_FAIL(AS_EUNSUP, "oracle %s gives no stress", o->desc);
    AS_TRY(as_oracle_check_label(&o->opt, s, NULL, e));
    if (energy)
        *energy = e;
    return AS_OK;
}

/* ---- RMSD ---- */
as_status as_rmsd(const as_structure *a, const as_structure *b, double *rms, double *paper)
{
    if (a->n != b->n)
        return AS_FAIL(AS_EDIM, "rmsd: structures have %zu and %zu atoms", a->n, b->n);
    double inv[9];
    AS_TRY(as_cell_inverse(a->cell, inv, NULL));
    double sum = 0;
    for (size_t i = 0; i < a->n; i++) {
        double d[3], u[3];
        for (int k = 0; k < 3; k++)
            d[k] = b->pos[3 * i + k] - a->pos[3 * i + k];
        for (int k = 0; k < 3; k++) {
            u[k] = d[0] * inv[k] + d[1] * inv[3 + k] + d[2] * inv[6 + k];
            u[k] -= nearbyint(u[k]);
        }
        /* minimum image in a skewed cell: try the neighbouring images too */
        double best = INFINITY;
        for (int s0 = -1; s0 <= 1; s0++)
            for (int s1 = -1; s1 <= 1; s1++)
                for (int s2 = -1; s2 <= 1; s2++) {
                    double v[3] = {u[0] + s0, u[1] + s1, u[2] + s2}, c2 = 0;
                    for (int k = 0; k < 3; k++) {
                        double c =
                            v[0] * a->cell[k] + v[1] * a->cell[3 + k] + v[2] * a->cell[6 + k];
                        c2 += c * c;
                    }
                    if (c2 < best)
                        best = c2;
                }
        sum += best;
    }
    double n = a->n ? (double)a->n : 1.0;
    if (rms)
        *rms = sqrt(sum / n);
    if (paper)
        *paper = sqrt(sum) / n;
    return AS_OK;
}

/* ---- FIRE ---- */
static double max_force(const double *f, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = f[3 * i] * f[3 * i] + f[3 * i + 1] * f[3 * i + 1] + f[3 * i + 2] * f[3 * i + 2];
        if (v > m)
            m = v;
    }
    return sqrt(m);
}

/* Zero the forces on fixed atoms (ASE's FixAtoms.adjust_forces): they neither move nor count
 * in the convergence test. */
static void fix_forces(double *f, size_t n, const unsigned char *fixed)
{
    if (!fixed)
        return;
    for (size_t i = 0; i < n; i++)
        if (fixed[i])
            f[3 * i] = f[3 * i + 1] = f[3 * i + 2] = 0.0;
}

static as_status fire(as_oracle *o, as_structure *s, const as_relax_options *opt,
                      const unsigned char *fixed, as_relax_report *rep, double *f_out)
{
    as_status st = AS_OK;
    size_t n3 = 3 * s->n;
    double *f = NULL, *v = NULL, *dr = NULL, e;
    AS_CHECK(AS_ALLOC(f, n3 + 1, "relax forces"));
    AS_CHECK(AS_ALLOC(v, n3 + 1, "relax velocities"));
    AS_CHECK(AS_ALLOC(dr, n3 + 1, "relax steps"));
    AS_CHECK(as_oracle_energy(o, s, &e, f));
    fix_forces(f, s->n, fixed);
    rep->e_initial = e;
    double dt = opt->dt, a = opt->alpha_start;
    size_t n_pos = 0, step = 0;
    int have_v = 0;
    double fm = max_force(f, s->n);
    while (fm >= opt->fmax && step < opt->max_steps) {
        if (have_v) {
            double vf = 0, vv = 0, ff = 0;
            for (size_t k = 0; k < n3; k++) {
                vf += v[k] * f[k];
                vv += v[k] * v[k];
                ff += f[k] * f[k];
            }
            if (vf > 0) {
                double sc = a * sqrt(vv) / sqrt(ff);
                for (size_t k = 0; k < n3; k++)
                    v[k] = (1.0 - a) * v[k] + sc * f[k];
                if (n_pos > opt->n_min) {
                    dt = AS_MIN(dt * opt->f_inc, opt->dt_max);
                    a *= opt->f_alpha;
                }
                n_pos++;
            } else {
                memset(v, 0, n3 * sizeof *v);
                a = opt->alpha_start;
                dt *= opt->f_dec;
                n_pos = 0;
            }
        }
        have_v = 1;
        double nd = 0;
        for (size_t k = 0; k < n3; k++) {
            v[k] += dt * f[k];
            dr[k] = dt * v[k];
            nd += dr[k] * dr[k];
        }
        nd = sqrt(nd);
        double sc = nd > opt->max_step ? opt->max_step / nd : 1.0;
        for (size_t k = 0; k < n3; k++)
            s->pos[k] += sc * dr[k];
        AS_CHECK(as_oracle_energy(o, s, &e, f));
        fix_forces(f, s->n, fixed);
        fm = max_force(f, s->n);
        step++;
    }
    rep->e_final = e;
    rep->fmax_final = fm;
    rep->steps = step;
    rep->converged = fm < opt->fmax;
    if (f_out)
        memcpy(f_out, f, n3 * sizeof *f);
fail:
    as_free(f);
    as_free(v);
    as_free(dr);
    return st;
}

/* f_out (n, 3; may be NULL): the forces at the end (native backends) */
static as_status relax_one(as_oracle *o, as_structure *s, const as_relax_options *opt,
                           const unsigned char *fixed, as_relax_report *rep, double *f_out)
{
    as_status st = AS_OK;
    as_structure *start = NULL;
    as_relax_options dflt;
    if (!opt) {
        as_relax_options_default(&dflt);
        opt = &dflt;
    }
    if (!(opt->fmax > 0) || !(opt->dt > 0) || !(opt->dt_max > 0) || !(opt->max_step > 0))
        return AS_FAIL(AS_EINVAL, "relax: fmax %g, dt %g, dt_max %g and max_step %g must be > 0",
                       opt->fmax, opt->dt, opt->dt_max, opt->max_step);
    memset(rep, 0, sizeof *rep);
    AS_TRY(as_structure_copy(s, &start));
    if (o->kind == BK_CMD && fixed) {
        st = AS_FAIL(AS_EUNSUP, "relax: fixed atoms need a backend with forces (not cmd:)");
        goto fail;
    }
    if (o->kind == BK_CMD) {
        as_label_result r;
        as_structure *relaxed = NULL;
        const as_structure *one[1] = {s};
        AS_CHECK(as_cmd_run_batch(o->cmd, one, 1, 1, opt->fmax, &r, &relaxed, NULL, NULL));
        if (r.status != AS_OK) {
            st = AS_FAIL(r.status, "%s", r.error);
            goto fail;
        }
        if (relaxed) { /* positions are Cartesian in the returned cell */
            memcpy(s->pos, relaxed->pos, 3 * s->n * sizeof *s->pos);
            memcpy(s->cell, relaxed->cell, sizeof s->cell);
            if (f_out && relaxed->forces)
                memcpy(f_out, relaxed->forces, 3 * s->n * sizeof *f_out);
            as_structure_free(relaxed);
        }
        rep->e_initial = NAN;
        rep->e_final = r.energy;
        rep->fmax_final = r.fmax;
        rep->converged = r.converged == 1;
    } else { /* one run: a fresh neighbour list at the start, reused along the run only */
        if (o->eam)
            as_nlist_forget_unless_at(&o->eam->nl, s->cell, s->pos, s->n);
        o->relaxing = 1;
        o->relax_calls = 0;
        st = fire(o, s, opt, fixed, rep, f_out);
        o->relaxing = 0;
        if (st != AS_OK)
            goto fail;
    }
    s->energy = rep->e_final;
    s->has_energy = 1;
    AS_CHECK(as_rmsd(start, s, &rep->rmsd, &rep->rmsd_paper));
fail:
    as_structure_free(start);
    return st;
}

as_status as_oracle_relax(as_oracle *o, as_structure *s, const as_relax_options *opt,
                          as_relax_report *rep)
{
    as_relax_report tmp;
    return relax_one(o, s, opt, NULL, rep ? rep : &tmp, NULL);
}

as_status as_oracle_relax_fixed(as_oracle *o, as_structure *s, const as_relax_options *opt,
                                const unsigned char *fixed, as_relax_report *rep)
{
    as_relax_report tmp;
    return relax_one(o, s, opt, fixed, rep ? rep : &tmp, NULL);
}

/* ---- lattice constants ---- */
typedef struct {
    as_oracle *o;
    as_structure *s;
    const double *cell0, *frac0;
    size_t evals;
} cellfun;

/* Scale the cell rows by (sa, sa, sc), positions following at fixed fractional coordinates. */
static as_status cell_energy_set(cellfun *c, double sa, double sc)
{
    as_structure *s = c->s;
    for (int k = 0; k < 3; k++) {
        s->cell[k] = c->cell0[k] * sa;
        s->cell[3 + k] = c->cell0[3 + k] * sa;
        s->cell[6 + k] = c->cell0[6 + k] * sc;
    }
    for (size_t i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) {
            const double *u = c->frac0 + 3 * i;
            s->pos[3 * i + k] = u[0] * s->cell[k] + u[1] * s->cell[3 + k] + u[2] * s->cell[6 + k];
        }
    return AS_OK;
}

static as_status cell_energy(cellfun *c, double sa, double sc, double *e)
{
    AS_TRY(cell_energy_set(c, sa, sc));
    c->evals++;
    return as_oracle_energy(c->o, c->s, e, NULL);
}

/* golden-section search of the scale of `which` (0: a (and c if tied), 2: c) */
static as_status golden(cellfun *c, const as_cellopt_options *opt, int tied, int which, double *sa,
                        double *sc, double *emin)
{
    const double g = (sqrt(5.0) - 1.0) / 2.0;
    double lo = opt->scale_lo, hi = opt->scale_hi;
    double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1, f2;
#define EVAL(x, f)                                                                      \
    do {                                                                                \
        double a_ = which == 2 ? *sa : (x), c_ = which == 2 ? (x) : (tied ? (x) : *sc); \
        AS_TRY(cell_energy(c, a_, c_, &(f)));                                           \
    } while (0)
    EVAL(x1, f1);
    EVAL(x2, f2);
    while (hi - lo > opt->tol * 0.5 * (hi + lo)) {
        if (f1 < f2) {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            EVAL(x1, f1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            EVAL(x2, f2);
        }
    }
    double x = 0.5 * (lo + hi), f;
    EVAL(x, f);
#undef EVAL
    if (x - opt->scale_lo < 2 * opt->tol || opt->scale_hi - x < 2 * opt->tol)
        as_log(AS_LOG_WARN, "cell optimization: the optimum %.6f lies on the bracket [%g, %g]", x,
               opt->scale_lo, opt->scale_hi);
    if (which == 2)
        *sc = x;
    else {
        *sa = x;
        if (tied)
            *sc = x;
    }
    *emin = f;
    return AS_OK;
}

/* ---- lattice constants by a polynomial fit of E (method AS_CELLOPT_FIT) ----
 * The coordinates are u = 1/s^2 for each scale factor s (the Eulerian strain of Birch's
 * equation of state, in which E is close to quadratic far from the minimum). A stencil of six
 * energies (centre, +-h along each coordinate, and (+h, +h) for the cross term; three when tied)
 * gives the quadratic model and its Newton step. Stage A (h = 2 step): while the model has no
 * minimum or its minimum lies farther than 3 h, move by 3 h, double h (at most 0.08) and repeat.
 * Stage B (h / 10 around the model's minimum): repeat while the Newton step exceeds twice the
 * stencil step (at most three times). Then one energy at the result. Every stencil is one batch (cmd:
 * its programs run at once with options.jobs). */
typedef struct {
    cellfun *c;
    const as_cellopt_options *opt;
    size_t evals;
    int dim;
    /* stress capture (methods STRESS and AUTO): the points of the last batch in u, their
     * energies and dE/du; cap_ok = 1 when every point of it brought a stress */
    int capture, cap_ok;
    size_t ncap;
    double cp[6][2], ce[6], cg[6][2];
    char cap_why[256];
    double hess[3]; /* the stress route's final Hessian */
} cellfit;

static double u_to_s(double u) { return 1.0 / sqrt(u); }

/* dE/du (u = 1/s^2; dim 1: all rows scaled together, dim 2: rows 0, 1 and row 2) of the structure
 * s, whose rows are the start rows scaled by (sa, sa, sc), from its stress (Voigt, ASE's sign:
 * dE = V sigma : eps). With h' = h (I + eps)^T, dE/dh_ij = V (h^-T sigma)_ij, so scaling row i by
 * (1 + t) changes E by t V (h^-T sigma h^T)_ii. */
static as_status stress_grad(const as_structure *s, const double *v, int dim, double sa, double sc,
                             double *g)
{
    const double *h = s->cell;
    double inv[9];
    AS_TRY(as_cell_inverse(h, inv, NULL));
    double V = fabs(h[0] * (h[4] * h[8] - h[5] * h[7]) + h[1] * (h[5] * h[6] - h[3] * h[8]) +
                    h[2] * (h[3] * h[7] - h[4] * h[6]));
    const double sig[9] = {v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2]};
    double R[3];
    for (int i = 0; i < 3; i++) {
        R[i] = 0;
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 3; j++)
                R[i] += inv[k * 3 + i] * sig[k * 3 + j] * h[i * 3 + j];
        R[i] *= V;
    }
    /* dE/ds = sum of R_i / s over the rows s scales; du/ds = -2 / s^3 */
    if (dim == 1)
        g[0] = (R[0] + R[1] + R[2]) / sa * (-sa * sa * sa / 2);
    else {
        g[0] = (R[0] + R[1]) / sa * (-sa * sa * sa / 2);
        g[1] = R[2] / sc * (-sc * sc * sc / 2);
    }
    for (int k = 0; k < dim; k++)
        if (!isfinite(g[k]))
            return AS_FAIL(AS_EORACLE, "cell optimization: the stress is not finite");
    return AS_OK;
}

/* Energies at n points (u coordinates ua[i], uc[i]) as one batch; a failed point (after the
 * oracle's retries) fails the call with the oracle's message. With f->capture, the points,
 * energies and (when every point brought a stress) the gradients dE/du are kept in f. */
static as_status fit_eval(cellfit *f, size_t n, const double *ua, const double *uc, double *e)
{
    if (f->evals + n > f->opt->max_evals)
        return AS_FAIL(AS_ENOCONV,
                       "cell optimization: no minimum of E(a%s) found within %zu "
                       "oracle calls",
                       f->opt->tetragonal ? ", c" : "", f->opt->max_evals);
    cellfun *c = f->c;
    as_status st = AS_OK;
    as_structure *pts[6] = {0};
    as_label_result res[6];
    const int native_stress = f->capture && as_oracle_has_stress(c->o);
    double sig[6][6];
    if (f->capture) {
        f->ncap = n;
        f->cap_ok = 1;
        f->cap_why[0] = '\0';
    }
    for (size_t i = 0; i < n; i++) {
        AS_CHECK(cell_energy_set(c, u_to_s(ua[i]), u_to_s(uc[i])));
        AS_CHECK(as_structure_copy(c->s, &pts[i]));
    }
    f->evals += n;
    c->evals += n;
    if (native_stress)
        for (size_t i = 0; i < n; i++) {
            memset(&res[i], 0, sizeof res[i]);
            res[i].status = as_oracle_energy_stress(c->o, pts[i], &res[i].energy, NULL, sig[i]);
            if (res[i].status == AS_ENOMEM || res[i].status == AS_EINTR) {
                st = res[i].status;
                goto fail;
            }
            if (res[i].status != AS_OK)
                snprintf(res[i].error, sizeof res[i].error, "%s", as_errmsg());
            res[i].has_stress = res[i].status == AS_OK;
            memcpy(res[i].stress, sig[i], sizeof res[i].stress);
        }
    else
        AS_CHECK(
            as_oracle_label_batch(c->o, (const as_structure *const *)pts, n, 0, NULL, res, NULL));
    for (size_t i = 0; i < n; i++) {
        if (res[i].status != AS_OK) {
            st = AS_FAIL(res[i].status,
                         "cell optimization: the energy at a x %.6g, c x %.6g "
                         "failed: %s",
                         u_to_s(ua[i]), u_to_s(uc[i]), res[i].error);
            goto fail;
        }
        e[i] = res[i].energy;
        if (!f->capture)
            continue;
        f->cp[i][0] = ua[i];
        f->cp[i][1] = uc[i];
        f->ce[i] = e[i];
        if (!res[i].has_stress) {
            if (f->cap_ok)
                snprintf(f->cap_why, sizeof f->cap_why, "the oracle %s returned no stress",
                         as_oracle_describe(c->o));
            f->cap_ok = 0;
        } else if (f->cap_ok) {
            AS_CHECK(
                stress_grad(pts[i], res[i].stress, f->dim, u_to_s(ua[i]), u_to_s(uc[i]), f->cg[i]));
        }
    }
fail:
    for (size_t i = 0; i < n; i++)
        as_structure_free(pts[i]);
    return st;
}

static double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* The quadratic model at p (dim 1 or 2) from a stencil of step h: gradient g, Hessian H
 * (H[0] = d2/du2, H[1] cross, H[2] = d2/dv2). */
static as_status fit_stage(cellfit *f, int dim, const double *p, double h, double *g, double *H)
{
    double ua[6], uc[6], e[6];
    size_t n = 0;
#define PT(da, dc) (ua[n] = p[0] + (da), uc[n] = dim == 2 ? p[1] + (dc) : p[0] + (da), n++)
    PT(0, 0);
    PT(-h, 0);
    PT(h, 0);
    if (dim == 2) {
        PT(0, -h);
        PT(0, h);
        PT(h, h);
    }
#undef PT
    AS_TRY(fit_eval(f, n, ua, uc, e));
    g[0] = (e[2] - e[1]) / (2 * h);
    H[0] = (e[2] - 2 * e[0] + e[1]) / (h * h);
    if (dim == 2) {
        g[1] = (e[4] - e[3]) / (2 * h);
        H[2] = (e[4] - 2 * e[0] + e[3]) / (h * h);
        H[1] = (e[5] - e[0] - (g[0] + g[1]) * h - 0.5 * (H[0] + H[2]) * h * h) / (h * h);
    }
    return AS_OK;
}

/* The Newton step -H^-1 g; 0 when H is not positive definite (no minimum in the model). */
static int newton_step(int dim, const double *g, const double *H, double *d)
{
    if (dim == 1) {
        if (!(H[0] > 0))
            return 0;
        d[0] = -g[0] / H[0];
        return 1;
    }
    double det = H[0] * H[2] - H[1] * H[1];
    if (!(H[0] > 0) || !(det > 0))
        return 0;
    d[0] = -(H[2] * g[0] - H[1] * g[1]) / det;
    d[1] = -(-H[1] * g[0] + H[0] * g[1]) / det;
    return 1;
}

/* ---- lattice constants from stresses (AS_CELLOPT_STRESS) ----
 * Each call gives E and g = dE/du (u = 1/s^2, from the stress). The Hessian comes from a stencil
 * by least squares on the gradient differences, then every call is one Newton step on g = 0
 * (step at most 0.12 in u, inside the bracket), the Hessian updated by Powell's symmetric
 * Broyden formula, inside a trust region (the step minimizes the model within max |du| <=
 * radius; a higher energy rejects the point and shrinks the radius). Converged when the next
 * Newton step is below 2e-6 in u (about 1e-6 in the scale factor): the last point accepted is
 * the result, with its energy. The stencil and every step no longer than 0.02 in u are checked:
 * the energy difference against the trapezoid of the gradients (10 % of the larger |g . s| plus
 * 1e-6 eV per atom); a missing or inconsistent stress hands the cell to the energy fit. */
static int grad_consistent(int dim, const double *pa, double ea, const double *ga, const double *pb,
                           double eb, const double *gb, size_t n_atoms, double *dev, double *tol)
{
    double pred = 0, ta = 0, tb = 0;
    for (int k = 0; k < dim; k++) {
        double dk = pb[k] - pa[k];
        pred += 0.5 * (ga[k] + gb[k]) * dk;
        ta += ga[k] * dk;
        tb += gb[k] * dk;
    }
    *dev = (eb - ea) - pred;
    *tol = 0.1 * AS_MAX(fabs(ta), fabs(tb)) + 1e-6 * (double)n_atoms;
    return fabs(*dev) <= *tol;
}

/* The step minimizing the quadratic model g.d + d.J.d / 2 within max|d_k| <= radius (dim 1 or
 * 2; J = {d2/du2, cross, d2/dv2}): the Newton step when J is positive definite and the step
 * fits (returns 1), else (J + lambda I)^-1 (-g) with lambda found by bisection so that the
 * step reaches the radius (returns 0). */
static int tr_step(int dim, const double *g, const double *J, double radius, double *d)
{
    if (newton_step(dim, g, J, d)) {
        double len = fabs(d[0]);
        if (dim == 2)
            len = AS_MAX(len, fabs(d[1]));
        if (len <= radius)
            return 1;
    }
    /* the smallest eigenvalue of J */
    double lmin = J[0];
    if (dim == 2) {
        double m = 0.5 * (J[0] + J[2]), q = hypot(0.5 * (J[0] - J[2]), J[1]);
        lmin = m - q;
    }
    double gn = dim == 2 ? hypot(g[0], g[1]) : fabs(g[0]);
    double l_lo = AS_MAX(0.0, -lmin), l_hi = l_lo + 2 * gn / radius + 1e-300;
    if (!(gn > 0)) {
        d[0] = d[1] = 0;
        return 0;
    }
    for (int it = 0; it < 100; it++) {
        double l = 0.5 * (l_lo + l_hi), H[3] = {J[0] + l, J[1], J[2] + l}, t[2] = {0, 0};
        double len = 0;
        if (newton_step(dim, g, H, t)) {
            len = fabs(t[0]);
            if (dim == 2)
                len = AS_MAX(len, fabs(t[1]));
        } else
            len = INFINITY;
        if (len > radius)
            l_lo = l;
        else
            l_hi = l;
    }
    double H[3] = {J[0] + l_hi, J[1], J[2] + l_hi};
    if (!newton_step(dim, g, H, d))
        for (int k = 0; k < dim; k++)
            d[k] = -radius * g[k] / gn;
    return 0;
}

/* From the f->ncap points of f's capture (point 0 the start). *fallback = 1 with f->cap_why
 * when a call brings no stress or a step's stresses disagree with its energies. */
static as_status stress_iterate(cellfit *f, double lo, double hi, double *p, double *e,
                                int *at_bracket, int *fallback)
{
    const int dim = f->dim;
    const size_t nat = f->c->s->n;
    const double trust = 0.12, tol_u = 1e-5;
    *fallback = 0;
    *at_bracket = 0;
    double x[2] = {f->cp[0][0], f->cp[0][1]}, gx[2] = {f->cg[0][0], f->cg[0][1]}, ex = f->ce[0];
    double A[3] = {0, 0, 0}, B[2][2] = {{0, 0}, {0, 0}}, J[3] = {0, 0, 0};
    for (size_t i = 1; i < f->ncap; i++) {
        double dev, tol, dp[2] = {0, 0}, dg[2] = {0, 0};
        if (!grad_consistent(dim, f->cp[0], f->ce[0], f->cg[0], f->cp[i], f->ce[i], f->cg[i], nat,
                             &dev, &tol)) {
            snprintf(f->cap_why, sizeof f->cap_why,
                     "the stresses of %s disagree with its energies (dE - trapezoid of dE/du "
                     "%.3g eV, tolerance %.3g eV)",
                     as_oracle_describe(f->c->o), dev, tol);
            *fallback = 1;
            return AS_OK;
        }
        for (int k = 0; k < dim; k++) {
            dp[k] = f->cp[i][k] - f->cp[0][k];
            dg[k] = f->cg[i][k] - f->cg[0][k];
        }
        A[0] += dp[0] * dp[0];
        if (dim == 2) {
            A[1] += dp[0] * dp[1];
            A[2] += dp[1] * dp[1];
        }
        for (int k = 0; k < dim; k++)
            for (int r = 0; r < dim; r++)
                B[k][r] += dp[k] * dg[r];
    }
    if (f->ncap == 1) { /* a Hessian given */
        J[0] = f->opt->hess[0];
        J[1] = dim == 2 ? f->opt->hess[1] : 0;
        J[2] = dim == 2 ? f->opt->hess[2] : 0;
    } else if (dim == 1) {
        J[0] = B[0][0] / A[0];
    } else { /* X = A^-1 B, X[k][r] = dg_r / du_k; symmetrized */
        double det = A[0] * A[2] - A[1] * A[1], X[2][2];
        for (int r = 0; r < 2; r++) {
            X[0][r] = (A[2] * B[0][r] - A[1] * B[1][r]) / det;
            X[1][r] = (-A[1] * B[0][r] + A[0] * B[1][r]) / det;
        }
        J[0] = X[0][0];
        J[1] = 0.5 * (X[0][1] + X[1][0]);
        J[2] = X[1][1];
    }
    double radius = trust;
    int edge_hits = 0;
    for (;;) {
        double d[2] = {0, 0}, q[2] = {x[0], x[1]}, slen = 0;
        int newton = tr_step(dim, gx, J, radius, d);
        int clamped = 0;
        for (int k = 0; k < dim; k++) {
            q[k] = clampd(x[k] + d[k], lo, hi);
            clamped |= q[k] != x[k] + d[k];
            slen = AS_MAX(slen, fabs(q[k] - x[k]));
        }
        if (slen < tol_u && (newton || clamped)) {
            *at_bracket = clamped;
            break;
        }
        if (radius < tol_u) /* the model cannot find a lower point any more */
            break;
        double qc = dim == 2 ? q[1] : q[0], eq;
        f->capture = 1;
        AS_TRY(fit_eval(f, 1, &q[0], &qc, &eq));
        if (!f->cap_ok) {
            *fallback = 1;
            return AS_OK;
        }
        double gq[2] = {f->cg[0][0], f->cg[0][1]}, dev, tol;
        /* the trapezoid is exact for a quadratic E: tested on steps no longer than the stencil
         * (a longer step sees the cubic terms) */
        if (slen <= 0.02 + 1e-12 && !grad_consistent(dim, x, ex, gx, q, eq, gq, nat, &dev, &tol)) {
            snprintf(f->cap_why, sizeof f->cap_why,
                     "the stresses of %s disagree with its energies (dE - trapezoid of dE/du "
                     "%.3g eV, tolerance %.3g eV)",
                     as_oracle_describe(f->c->o), dev, tol);
            *fallback = 1;
            return AS_OK;
        }
        /* the predicted change of the model, for the trust radius */
        double sv[2] = {0, 0}, r[2] = {0, 0}, ss = 0, rs = 0, pred = 0;
        for (int k = 0; k < dim; k++)
            sv[k] = q[k] - x[k];
        if (dim == 1)
            pred = gx[0] * sv[0] + 0.5 * J[0] * sv[0] * sv[0];
        else
            pred = gx[0] * sv[0] + gx[1] * sv[1] +
                   0.5 * (J[0] * sv[0] * sv[0] + 2 * J[1] * sv[0] * sv[1] + J[2] * sv[1] * sv[1]);
        /* Powell's symmetric Broyden update with s = q - x, y = gq - gx */
        if (dim == 1) {
            r[0] = (gq[0] - gx[0]) - J[0] * sv[0];
        } else {
            r[0] = (gq[0] - gx[0]) - (J[0] * sv[0] + J[1] * sv[1]);
            r[1] = (gq[1] - gx[1]) - (J[1] * sv[0] + J[2] * sv[1]);
        }
        for (int k = 0; k < dim; k++) {
            ss += sv[k] * sv[k];
            rs += r[k] * sv[k];
        }
        if (ss > 0) {
            J[0] += (2 * r[0] * sv[0]) / ss - rs * sv[0] * sv[0] / (ss * ss);
            if (dim == 2) {
                J[1] += (r[0] * sv[1] + r[1] * sv[0]) / ss - rs * sv[0] * sv[1] / (ss * ss);
                J[2] += (2 * r[1] * sv[1]) / ss - rs * sv[1] * sv[1] / (ss * ss);
            }
        }
        /* accept a point that is not higher (within the energies' rounding) */
        const double slack = 1e-9 * (double)nat;
        double rho = pred < 0 ? (eq - ex) / pred : 0;
        if (eq <= ex + slack) {
            for (int k = 0; k < dim; k++) {
                x[k] = q[k];
                gx[k] = gq[k];
            }
            ex = eq;
            /* twice on an edge of the bracket with the energy still falling outwards: no
             * minimum inside (the result is on the edge) */
            int out = 0;
            for (int k = 0; k < dim; k++)
                out |= (x[k] <= lo && gx[k] > 0) || (x[k] >= hi && gx[k] < 0);
            if (out && ++edge_hits >= 2) {
                *at_bracket = 1;
                break;
            }
            if (rho > 0.75 && slen > 0.9 * radius)
                radius = AS_MIN(2 * radius, 2 * trust);
            else if (rho < 0.25)
                radius = AS_MAX(slen / 4, tol_u / 2);
        } else {
            radius = slen / 4;
        }
    }
    f->capture = 0;
    for (int k = 0; k < dim; k++)
        if (x[k] - lo < 1e-3 * (hi - lo) || hi - x[k] < 1e-3 * (hi - lo))
            *at_bracket = 1;
    p[0] = x[0];
    p[1] = dim == 2 ? x[1] : x[0];
    *e = ex;
    memcpy(f->hess, J, sizeof f->hess);
    return AS_OK;
}

/* The forward stencil (start, start + step along each coordinate; one batch), then
 * stress_iterate. */
static as_status stress_cell(cellfit *f, double lo, double hi, const double *p0, double *p,
                             double *e, int *at_bracket, int *fallback)
{
    const int dim = f->dim;
    const double h = f->opt->step;
    double c0[2] = {0, 0}, ua[3], uc[3], en[3];
    size_t n = 0;
    for (int k = 0; k < dim; k++)
        c0[k] = clampd(p0[k], lo, hi - h);
    const double *H0 = f->opt->hess;
    const int given =
        dim == 1 ? H0[0] > 0 : H0[0] > 0 && H0[2] > 0 && H0[0] * H0[2] > H0[1] * H0[1];
    ua[n] = c0[0], uc[n] = dim == 2 ? c0[1] : c0[0], n++;
    if (!given) {
        ua[n] = c0[0] + h, uc[n] = dim == 2 ? c0[1] : c0[0] + h, n++;
        if (dim == 2)
            ua[n] = c0[0], uc[n] = c0[1] + h, n++;
    }
    f->capture = 1;
    AS_TRY(fit_eval(f, n, ua, uc, en));
    if (!f->cap_ok) {
        *fallback = 1;
        f->capture = 0;
        return AS_OK;
    }
    return stress_iterate(f, lo, hi, p, e, at_bracket, fallback);
}

/* Lattice constants by FIT, STRESS or AUTO (method); *used receives the route that gave the
 * result, why the reason the energies took over from the stresses ("" when they did not). */
static as_status fit_cell(cellfun *c, const as_cellopt_options *opt, int method, double *sa,
                          double *sc, double *e, int *at_bracket, int *used, char *why, size_t cap,
                          double *hess)
{
    cellfit f;
    memset(&f, 0, sizeof f);
    f.c = c;
    f.opt = opt;
    const int dim = opt->tetragonal ? 2 : 1;
    f.dim = dim;
    /* the bracket in u: s in [lo, hi] is u in [1/hi^2, 1/lo^2] */
    const double lo = 1.0 / (opt->scale_hi * opt->scale_hi);
    const double hi = 1.0 / (opt->scale_lo * opt->scale_lo);
    double h = 2 * opt->step, p[2], g[2], H[3], d[2];
    p[0] = 1.0 / (opt->start_a * opt->start_a);
    p[1] = dim == 2 ? 1.0 / (opt->start_c * opt->start_c) : p[0];
    *at_bracket = 0;
    *used = AS_CELLOPT_FIT;
    why[0] = '\0';
    if (method == AS_CELLOPT_STRESS || (method == AS_CELLOPT_AUTO && as_oracle_has_stress(c->o))) {
        int fb = 0;
        double q[2];
        AS_TRY(stress_cell(&f, lo, hi, p, q, e, at_bracket, &fb));
        if (!fb) {
            *used = AS_CELLOPT_STRESS;
            *sa = u_to_s(q[0]);
            *sc = u_to_s(dim == 2 ? q[1] : q[0]);
            memcpy(hess, f.hess, sizeof f.hess);
            return AS_OK;
        }
        snprintf(why, cap, "%s", f.cap_why);
        as_log(AS_LOG_WARN, "cell optimization: %s; fitting energies (%zu calls used)", why,
               f.evals);
        *at_bracket = 0;
    }
    /* AUTO with a cmd: program: the first stencil tells whether it writes stress */
    int probe = method == AS_CELLOPT_AUTO && c->o->kind == BK_CMD;
    for (;;) { /* stage A */
        for (int k = 0; k < dim; k++)
            p[k] = clampd(p[k], lo + h, hi - h);
        f.capture = probe;
        AS_TRY(fit_stage(&f, dim, p, h, g, H));
        if (probe) {
            probe = f.capture = 0;
            if (f.cap_ok) {
                int fb = 0;
                double q[2];
                AS_TRY(stress_iterate(&f, lo, hi, q, e, at_bracket, &fb));
                if (!fb) {
                    *used = AS_CELLOPT_STRESS;
                    *sa = u_to_s(q[0]);
                    *sc = u_to_s(dim == 2 ? q[1] : q[0]);
                    memcpy(hess, f.hess, sizeof f.hess);
                    return AS_OK;
                }
                snprintf(why, cap, "%s", f.cap_why);
                as_log(AS_LOG_WARN, "cell optimization: %s; fitting energies", why);
                f.capture = 0;
                *at_bracket = 0;
            }
        }
        int ok = newton_step(dim, g, H, d);
        if (!ok) { /* no minimum in the model: downhill */
            double gn = dim == 2 ? hypot(g[0], g[1]) : fabs(g[0]);
            if (!(gn > 0))
                return AS_FAIL(AS_ENOCONV, "cell optimization: the energy does not change "
                                           "with the cell");
            for (int k = 0; k < dim; k++)
                d[k] = -3 * h * g[k] / gn;
        }
        double len = 0;
        for (int k = 0; k < dim; k++)
            len = AS_MAX(len, fabs(d[k]));
        if (len > 3 * h)
            for (int k = 0; k < dim; k++)
                d[k] *= 3 * h / len;
        /* a step blocked by the bracket edge: no minimum inside */
        int moved = 0, edge = 0;
        for (int k = 0; k < dim; k++) {
            double q = clampd(p[k] + d[k], lo + h, hi - h);
            if (fabs(q - p[k]) < 1e-12 && fabs(d[k]) > 1e-12)
                edge = 1;
            moved |= fabs(q - (p[k] + d[k])) > 1e-12;
            p[k] = q;
        }
        if (edge) {
            *at_bracket = 1;
            break;
        }
        if (ok && len <= 3 * h && !moved)
            break;
        if (h < 0.08)
            h *= 2;
    }
    if (!*at_bracket) {
        const double hb = h / 10;
        for (int it = 0; it < 3; it++) { /* stage B */
            AS_TRY(fit_stage(&f, dim, p, hb, g, H));
            if (!newton_step(dim, g, H, d))
                return AS_FAIL(AS_ENOCONV, "cell optimization: no minimum near a x %.6g",
                               u_to_s(p[0]));
            double len = 0;
            for (int k = 0; k < dim; k++) {
                len = AS_MAX(len, fabs(d[k]));
                p[k] = clampd(p[k] + d[k], lo, hi);
            }
            if (len <= 2 * hb)
                break;
        }
        for (int k = 0; k < dim; k++)
            if (p[k] - lo < 1e-3 * (hi - lo) || hi - p[k] < 1e-3 * (hi - lo))
                *at_bracket = 1;
    }
    double ta = p[0], tc = dim == 2 ? p[1] : p[0];
    if (opt->energy_at_result)
        AS_TRY(fit_eval(&f, 1, &ta, &tc, e));
    else
        *e = NAN;
    *sa = u_to_s(ta);
    *sc = u_to_s(tc);
    return AS_OK;
}

as_status as_oracle_optimize_cell(as_oracle *o, as_structure *s, const as_cellopt_options *opt,
                                  as_cellopt_report *rep)
{
    as_status st = AS_OK;
    as_cellopt_options dflt;
    if (!opt) {
        as_cellopt_options_default(&dflt);
        opt = &dflt;
    }
    if (!(opt->scale_lo > 0) || !(opt->scale_hi > opt->scale_lo) || !(opt->tol > 0))
        return AS_FAIL(AS_EINVAL,
                       "cell optimization: need 0 < scale_lo < scale_hi and tol > 0 "
                       "(got %g, %g, %g)",
                       opt->scale_lo, opt->scale_hi, opt->tol);
    const int fitted = opt->method == AS_CELLOPT_FIT || opt->method == AS_CELLOPT_STRESS ||
                       opt->method == AS_CELLOPT_AUTO;
    if (!fitted && opt->method != AS_CELLOPT_GOLDEN)
        return AS_FAIL(AS_EINVAL, "cell optimization: unknown method %d", opt->method);
    if (fitted && (!(opt->step > 0) || !(opt->scale_lo + 2 * opt->step < opt->scale_hi) ||
                   !(opt->start_a > 0) || !(opt->start_c > 0)))
        return AS_FAIL(AS_EINVAL,
                       "cell optimization: the fit step %g must be > 0 and fit "
                       "twice in [%g, %g], and the start factors (%g, %g) > 0",
                       opt->step, opt->scale_lo, opt->scale_hi, opt->start_a, opt->start_c);
    double cell0[9], inv[9], *frac = NULL;
    memcpy(cell0, s->cell, sizeof cell0);
    AS_TRY(as_cell_inverse(cell0, inv, NULL));
    AS_CHECK(AS_ALLOC(frac, 3 * s->n + 1, "cell optimization"));
    for (size_t i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) {
            const double *r = s->pos + 3 * i;
            frac[3 * i + k] = r[0] * inv[k] + r[1] * inv[3 + k] + r[2] * inv[6 + k];
        }
    cellfun c = {o, s, cell0, frac, 0};
    double sa = 1.0, sc = 1.0, e = NAN;
    int at_bracket = 0, used = opt->method;
    char why[256] = "";
    double hess[3] = {0, 0, 0};
    if (fitted) {
        AS_CHECK(fit_cell(&c, opt, opt->method, &sa, &sc, &e, &at_bracket, &used, why, sizeof why,
                          hess));
        /* the structure at the result (its energy was the last evaluation) */
        AS_CHECK(cell_energy_set(&c, sa, sc));
    } else {
        if (!opt->tetragonal) {
            AS_CHECK(golden(&c, opt, 1, 0, &sa, &sc, &e));
        } else {
            for (size_t round = 0; round < opt->max_rounds; round++) {
                double pa = sa, pc = sc;
                AS_CHECK(golden(&c, opt, 0, 0, &sa, &sc, &e));
                AS_CHECK(golden(&c, opt, 0, 2, &sa, &sc, &e));
                if (fabs(sa - pa) < 4 * opt->tol && fabs(sc - pc) < 4 * opt->tol)
                    break;
            }
        }
        AS_CHECK(cell_energy(&c, sa, sc, &e));
        double tol = 1e-3 * (opt->scale_hi - opt->scale_lo);
        at_bracket = sa - opt->scale_lo < tol || opt->scale_hi - sa < tol ||
                     sc - opt->scale_lo < tol || opt->scale_hi - sc < tol;
    }
    s->energy = e;
    s->has_energy = isfinite(e);
    if (rep) {
        rep->scale_a = sa;
        rep->scale_c = sc;
        rep->a_ang =
            sqrt(s->cell[0] * s->cell[0] + s->cell[1] * s->cell[1] + s->cell[2] * s->cell[2]);
        rep->c_ang =
            sqrt(s->cell[6] * s->cell[6] + s->cell[7] * s->cell[7] + s->cell[8] * s->cell[8]);
        rep->energy = e;
        rep->evaluations = c.evals;
        rep->at_bracket = at_bracket;
        rep->method = used;
        memcpy(rep->hess, hess, sizeof rep->hess);
        snprintf(rep->fallback, sizeof rep->fallback, "%s", why);
    }
fail:
    as_free(frac);
    return st;
}

/* ---- labelling ---- */
static void result_fail(as_label_result *r, as_status st, const char *msg)
{
    r->status = st;
    r->energy = NAN;
    snprintf(r->error, sizeof r->error, "%s", msg);
}

static void label_native(as_oracle *o, const as_structure *s, int relax,
                         const as_relax_options *opt, as_label_result *r, as_structure **relaxed)
{
    as_relax_options dflt;
    if (!opt) {
        as_relax_options_default(&dflt);
        opt = &dflt;
    }
    memset(r, 0, sizeof *r);
    r->fmax = NAN;
    r->attempts = 1;
    r->converged = 0;
    as_structure *c = NULL;
    as_status st = as_structure_copy(s, &c);
    if (st == AS_OK) {
        if (relax) {
            as_relax_report rep;
            st = as_structure_alloc_forces(c);
            if (st == AS_OK)
                st = relax_one(o, c, opt, NULL, &rep, c->forces); /* the final forces are kept */
            if (st == AS_OK) {
                r->converged = rep.converged ? 1 : -1;
                r->energy = rep.e_final;
                r->rmsd = rep.rmsd;
                r->rmsd_paper = rep.rmsd_paper;
                r->fmax = rep.fmax_final;
                r->steps = rep.steps;
                r->relaxed = 1;
                if (!rep.converged) { /* the step limit: as the cmd: contract (docs/oracle.md) */
                    char why[300];
                    snprintf(why, sizeof why,
                             "not converged after %zu steps, fmax %.6g eV/Å > %.6g eV/Å", rep.steps,
                             rep.fmax_final, opt->fmax);
                    if (o->opt.accept_unconverged)
                        as_log(AS_LOG_WARN, "%s; kept (--accept-unconverged)", why);
                    else {
                        char msg[400];
                        snprintf(msg, sizeof msg, "%s (--accept-unconverged keeps such labels)",
                                 why);
                        result_fail(r, AS_EORACLE, msg);
                        r->relaxed = 0; /* fmax, steps and converged = -1 tell what it reached */
                        r->rmsd = r->rmsd_paper = 0;
                        as_structure_free(c);
                        c = NULL;
                    }
                }
            }
        } else {
            st = as_oracle_energy(o, c, &r->energy, NULL);
        }
    }
    if (st != AS_OK) {
        result_fail(r, st, as_errmsg());
        as_structure_free(c);
        c = NULL;
    }
    if (relaxed)
        *relaxed = c;
    else
        as_structure_free(c);
}

/* completion of one cmd structure: RMSD of the returned positions, then (with a store) commit */
typedef struct {
    const as_structure *const *s;
    int relax;
    as_label_store *store;
    const char *method;
    const uint64_t *keys;
    size_t *n_computed;
} cmd_ctx;

static as_status cmd_finish(void *user, size_t i, const as_label_result *cr,
                            const as_structure *relaxed)
{
    cmd_ctx *c = user;
    as_label_result *r = (as_label_result *)cr;
    r->relaxed = 0;
    if (r->status == AS_OK && relaxed) {
        as_rmsd(c->s[i], relaxed, &r->rmsd, &r->rmsd_paper);
        r->relaxed = c->relax;
    }
    if (c->store) {
        AS_TRY(as_label_store_put_final(c->store, c->keys[i], c->method, c->s[i], r, relaxed));
        if (c->n_computed)
            (*c->n_computed)++;
    }
    return AS_OK;
}

as_status as_oracle_label_batch(as_oracle *o, const as_structure *const *s, size_t n, int relax,
                                const as_relax_options *opt, as_label_result *results,
                                as_structure **relaxed)
{
    if (relaxed)
        for (size_t i = 0; i < n; i++)
            relaxed[i] = NULL;
    if (o->kind == BK_CMD) {
        cmd_ctx ctx = {s, relax, NULL, NULL, NULL, NULL};
        as_relax_options d;
        if (!opt) {
            as_relax_options_default(&d);
            opt = &d;
        }
        return as_cmd_run_batch(o->cmd, s, n, relax, opt->fmax, results, relaxed, cmd_finish, &ctx);
    }
    for (size_t i = 0; i < n; i++)
        label_native(o, s[i], relax, opt, &results[i], relaxed ? &relaxed[i] : NULL);
    return AS_OK;
}

/* ---- with the store ---- */
void as_label_method(const as_oracle *o, int relax, const as_relax_options *opt, char *buf,
                     size_t cap)
{
    as_relax_options d;
    if (!opt) {
        as_relax_options_default(&d);
        opt = &d;
    }
    const char *deps = as_oracle_dependencies(o);
    if (relax)
        snprintf(buf, cap, "%s%s%s relax fmax=%.17g", o->desc, deps[0] ? " " : "", deps, opt->fmax);
    else
        snprintf(buf, cap, "%s%s%s", o->desc, deps[0] ? " " : "", deps);
}

as_status as_oracle_label_stored(as_oracle *o, as_label_store *store, const as_structure *const *s,
                                 size_t n, int relax, const as_relax_options *opt,
                                 as_label_result *results, as_structure **relaxed,
                                 size_t *n_computed)
{
    as_status st = AS_OK;
    char method[2048];
    uint64_t *keys = NULL;
    size_t *todo = NULL, nt = 0;
    const as_structure **sub = NULL;
    as_label_result *rs = NULL;
    as_structure **rx = NULL;
    double *buf = NULL;
    if (n_computed)
        *n_computed = 0;
    if (relaxed)
        for (size_t i = 0; i < n; i++)
            relaxed[i] = NULL;
    as_label_method(o, relax, opt, method, sizeof method);
    AS_CHECK(AS_ALLOC(keys, n + 1, "label keys"));
    AS_CHECK(AS_ALLOC(todo, n + 1, "label keys"));
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        keys[i] = as_label_key(s[i], method);
        as_free(buf);
        buf = NULL;
        AS_CHECK(AS_ALLOC(buf, 3 * s[i]->n + 1, "label positions"));
        AS_CHECK(as_label_store_get(store, keys[i], &results[i], buf, s[i]->n, &found));
        if (!found || results[i].status != AS_OK) { /* stored failures are tried again */
            todo[nt++] = i;
            continue;
        }
        if (relaxed && results[i].status == AS_OK && results[i].relaxed) {
            AS_CHECK(as_structure_copy(s[i], &relaxed[i]));
            memcpy(relaxed[i]->pos, buf, 3 * s[i]->n * sizeof *buf);
            AS_CHECK(as_label_store_get_final(store, keys[i], relaxed[i], NULL, &found));
            relaxed[i]->energy = results[i].energy;
            relaxed[i]->has_energy = 1;
        }
    }
    /* compute the missing ones; each finished label is committed at once */
    if (o->kind == BK_CMD && nt > 0) {
        const as_structure **sub2 = NULL;
        uint64_t *k2 = NULL;
        as_label_result *r2 = NULL;
        as_structure **x2 = NULL;
        AS_CHECK(AS_ALLOC(sub2, nt, "label batch"));
        st = AS_ALLOC(k2, nt, "label batch");
        if (st == AS_OK)
            st = AS_ALLOC(r2, nt, "label batch");
        if (st == AS_OK)
            st = AS_ALLOC(x2, nt, "label batch");
        if (st == AS_OK) {
            for (size_t q = 0; q < nt; q++) {
                sub2[q] = s[todo[q]];
                k2[q] = keys[todo[q]];
            }
            cmd_ctx ctx = {sub2, relax, store, method, k2, n_computed};
            as_relax_options d;
            if (!opt) {
                as_relax_options_default(&d);
                opt = &d;
            }
            st = as_cmd_run_batch(o->cmd, sub2, nt, relax, opt->fmax, r2, x2, cmd_finish, &ctx);
            for (size_t q = 0; q < nt; q++) {
                results[todo[q]] = r2[q];
                if (relaxed && r2[q].relaxed)
                    relaxed[todo[q]] = x2[q];
                else
                    as_structure_free(x2[q]);
            }
        }
        as_free(sub2);
        as_free(k2);
        as_free(r2);
        as_free(x2);
        goto fail;
    }
    size_t chunk = 1;
    AS_CHECK(AS_ALLOC(sub, chunk, "label batch"));
    AS_CHECK(AS_ALLOC(rs, chunk, "label batch"));
    AS_CHECK(AS_ALLOC(rx, chunk, "label batch"));
    for (size_t t0 = 0; t0 < nt; t0 += chunk) {
        size_t m = AS_MIN(chunk, nt - t0);
        for (size_t q = 0; q < m; q++)
            sub[q] = s[todo[t0 + q]];
        AS_CHECK(as_oracle_label_batch(o, sub, m, relax, opt, rs, rx));
        for (size_t q = 0; q < m; q++) {
            size_t i = todo[t0 + q];
            results[i] = rs[q];
            st = as_label_store_put_final(store, keys[i], method, s[i], &rs[q], rx[q]);
            if (st != AS_OK) {
                for (size_t w = q; w < m; w++)
                    as_structure_free(rx[w]);
                goto fail;
            }
            if (relaxed)
                relaxed[i] = rx[q];
            else
                as_structure_free(rx[q]);
            rx[q] = NULL;
            if (n_computed)
                (*n_computed)++;
        }
    }
fail:
    as_free(keys);
    as_free(todo);
    as_free(sub);
    as_free(rs);
    as_free(rx);
    as_free(buf);
    return st;
}
