/* The ASE backend ("ase:emt", "ase:gpaw[:KEY=VALUE,..]", "ase:FILE.py"): one persistent Python
 * worker per oracle (Debian's python3-ase; the worker's source is embedded below and started
 * with `python3 -u -c`) holds the calculator and labels structure after structure over a socket
 * pair. Framing (little endian):
 *   request  u64 n, u32 flags (1: stress, 2: per-atom energies, 4: the next step of the
 *            relaxation the previous request belonged to), f64 cell[9] (rows), i32 Z[n], f64 pos[3n]
 *   reply    i32 code (0 ok, 1 calculator error, 2 worker could not start), u32 len, len bytes
 *            of message, then for code 0: f64 energy, forces[3n], stress[6] (Voigt, NaN when
 *            not computed), e_atom[n] (NaN when not computed)
 * The worker sends one reply (code 0 "ready" or 2) when it has built its calculator. A
 * calculator exception is a failed label with its message and the worker goes on; a worker that
 * dies or exceeds the timeout (its process group gets SIGKILL) fails that structure and a new
 * worker is started for the next one. The worker ends when its socket closes (as_oracle_free)
 * and, on Linux, when alloyscout dies (PR_SET_PDEATHSIG). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "oracle_int.h"

/* The worker (Python 3, run as python3 -u -c WORKER FD KIND ARG). */
static const char worker_py[] =
    "import math, os, struct, sys\n"
    "fd = int(sys.argv[1])\n"
    "rf = os.fdopen(fd, 'rb', buffering=0)\n"
    "wf = os.fdopen(os.dup(fd), 'wb', buffering=0)\n"
    "kind, arg = sys.argv[2], sys.argv[3]\n"
    "MAG = {'Fe': 3.0, 'Co': 2.0, 'Ni': 1.0, 'Mn': 4.0, 'Cr': 3.0}\n"
    "\n"
    "\n"
    "def readn(k):\n"
    "    b = bytearray()\n"
    "    while len(b) < k:\n"
    "        c = rf.read(k - len(b))\n"
    "        if not c:\n"
    "            sys.exit(0)\n"
    "        b += c\n"
    "    return bytes(b)\n"
    "\n"
    "\n"
    "def reply(code, msg, payload=b''):\n"
    "    m = msg.encode('utf-8', 'replace')[:4000]\n"
    "    wf.write(struct.pack('<iI', code, len(m)) + m + payload)\n"
    "\n"
    "\n"
    "def vacuum_axes(atoms, kvac):\n"
    "    # an axis whose atoms leave an empty gap of at least kvac Å across the cell (slab,\n"
    "    # molecule in a box) gets one k-point: a mesh along vacuum adds cost, not physics\n"
    "    import numpy as np\n"
    "    out = [False, False, False]\n"
    "    if kvac <= 0 or len(atoms) == 0:\n"
    "        return out\n"
    "    frac = atoms.get_scaled_positions(wrap=True)\n"
    "    rec = atoms.cell.reciprocal()\n"
    "    for i in range(3):\n"
    "        f = np.sort(frac[:, i])\n"
    "        gap = max(np.max(np.diff(f)) if len(f) > 1 else 0.0, f[0] + 1.0 - f[-1])\n"
    "        out[i] = bool(gap / np.linalg.norm(rec[i]) >= kvac)\n"
    "    return out\n"
    "\n"
    "\n"
    "def factory():\n"
    "    if kind == 'emt':\n"
    "        from ase.calculators.emt import EMT\n"
    "        calc = EMT()\n"
    "        return lambda atoms: calc\n"
    "    if kind == 'gpaw':\n"
    "        p = dict(w.split('=', 1) for w in arg.split(',') if w)\n"
    "        from gpaw import GPAW, PW, FermiDirac\n"
    "        mag = dict(MAG)\n"
    "        for k, v in p.items():\n"
    "            if k.startswith('mag_'):\n"
    "                mag[k[4:]] = float(v)\n"
    "\n"
    "        def make(atoms):\n"
    "            kw = {'xc': p['xc'], 'setups': p['setups'], 'txt': p['txt'] or None,\n"
    "                  'occupations': FermiDirac(float(p['smear'])),\n"
    "                  'maxiter': int(p['maxiter'])}\n"
    "            if p['mode'] == 'pw':\n"
    "                kw['mode'] = PW(float(p['ecut']))\n"
    "            else:\n"
    "                kw['mode'] = 'lcao'\n"
    "                kw['basis'] = p['basis']\n"
    "            vac = vacuum_axes(atoms, float(p['kvac']))\n"
    "            if p['kpts']:\n"
    "                kw['kpts'] = [1 if v else int(x) for x, v in zip(p['kpts'].split('x'), vac)]\n"
    "            elif not any(vac):\n"
    "                kw['kpts'] = {'density': float(p['kdens']), 'gamma': p['gamma'] == '1'}\n"
    "            else:\n"
    "                from ase.calculators.calculator import kpts2sizeandoffsets\n"
    "                from ase.dft.kpoints import monkhorst_pack\n"
    "                t = atoms.copy()\n"
    "                t.pbc = [not v for v in vac]\n"
    "                size, off = kpts2sizeandoffsets(density=float(p['kdens']),\n"
    "                                                gamma=p['gamma'] == '1', atoms=t)\n"
    "                kw['kpts'] = monkhorst_pack(size) + off\n"
    "            m = [mag.get(s, 0.0) for s in atoms.get_chemical_symbols()]\n"
    "            spin = p['spin'] == '1' or (p['spin'] == 'auto' and any(m))\n"
    "            if spin:\n"
    "                atoms.set_initial_magnetic_moments(m)\n"
    "                kw['spinpol'] = True\n"
    "            return GPAW(**kw)\n"
    "        return make\n"
    "    import importlib.util\n"
    "    spec = importlib.util.spec_from_file_location('alloyscout_user_calculator', arg)\n"
    "    mod = importlib.util.module_from_spec(spec)\n"
    "    spec.loader.exec_module(mod)\n"
    "    if not callable(getattr(mod, 'calculator', None)):\n"
    "        raise RuntimeError('%s defines no function calculator(atoms)' % arg)\n"
    "    return mod.calculator\n"
    "\n"
    "\n"
    "def main():\n"
    "    try:\n"
    "        import numpy as np\n"
    "        from ase import Atoms\n"
    "        make = factory()\n"
    "    except BaseException as e:\n"
    "        reply(2, '%s: %s' % (type(e).__name__, e))\n"
    "        return\n"
    "    reply(0, 'ready')\n"
    "    prev = None\n"
    "    while True:\n"
    "        n, flags = struct.unpack('<QI', readn(12))\n"
    "        cell = np.frombuffer(readn(72), '<f8').reshape(3, 3)\n"
    "        z = np.frombuffer(readn(4 * n), '<i4')\n"
    "        pos = np.frombuffer(readn(24 * n), '<f8').reshape(n, 3)\n"
    "        try:\n"
    "            key = (z.tobytes(), cell.tobytes())\n"
    "            if flags & 4 and prev is not None and prev[0] == key:\n"
    "                atoms = prev[1]\n"
    "                atoms.set_positions(pos)\n"
    "            else:\n"
    "                prev = None\n"
    "                atoms = Atoms(numbers=z, positions=pos, cell=cell, pbc=True)\n"
    "                atoms.calc = make(atoms)\n"
    "            prev = (key, atoms)\n"
    "            e = atoms.get_potential_energy()\n"
    "            f = np.ascontiguousarray(atoms.get_forces(), '<f8')\n"
    "            s = np.full(6, math.nan)\n"
    "            if flags & 1:\n"
    "                if 'stress' in getattr(atoms.calc, 'implemented_properties', ()):\n"
    "                    s = np.asarray(atoms.get_stress(voigt=True), '<f8')\n"
    "            ea = np.full(n, math.nan)\n"
    "            if flags & 2:\n"
    "                ea = np.asarray(atoms.get_potential_energies(), '<f8')\n"
    "            if f.shape != (n, 3) or not math.isfinite(e):\n"
    "                raise RuntimeError('calculator returned energy %r and forces of shape %r'\n"
    "                                   % (e, f.shape))\n"
    "        except Exception as ex:\n"
    "            prev = None\n"
    "            reply(1, '%s: %s' % (type(ex).__name__, ex))\n"
    "            continue\n"
    "        reply(0, '', struct.pack('<d', e) + f.tobytes() + s.tobytes() + ea.tobytes())\n"
    "\n"
    "\n"
    "main()\n";

typedef enum { ASE_EMT, ASE_GPAW, ASE_FILE } ase_kind;

struct as_ase {
    ase_kind kind;
    char *python; /* interpreter path */
    char *arg;    /* gpaw: normalized KEY=VALUE list; file: absolute path */
    char *name;   /* "ase:emt" ... for messages */
    double timeout_s;
    pthread_mutex_t lock;
    pid_t pid;
    int sock;
    char logpath[64];
};

/* ---- the gpaw preset ---- */
static const struct {
    const char *key, *dflt, *what;
} gpaw_keys[] = {
    {"mode", "pw", "pw (plane waves) or lcao"},
    {"ecut", "400", "plane-wave cutoff, eV"},
    /* ASE kpts={'density': d}: ceil(2 pi d / a) points along an axis of length a (8 at 3.8 Å) */
    {"kdens", "4.5", "k-point density, points per reciprocal Å"},
    {"kpts", "", "explicit Monkhorst-Pack grid AxBxC (overrides kdens)"},
    {"gamma", "0", "1: Gamma-centred grid from kdens"},
    {"kvac", "4", "an axis with an empty gap of at least this many Å gets one k-point (0: off)"},
    {"smear", "0.1", "Fermi-Dirac width, eV"},
    {"xc", "PBE", "exchange-correlation functional"},
    {"setups", "paw", "PAW setups"},
    {"basis", "dzp", "LCAO basis"},
    {"spin", "auto", "auto (spin-polarized when Fe, Co, Ni, Mn or Cr is present), 0 or 1"},
    {"maxiter", "333", "SCF iterations before the label fails"},
    {"txt", "", "GPAW log file (empty: none)"},
};
#define N_GPAW_KEYS (sizeof gpaw_keys / sizeof *gpaw_keys)

static int valid_number(const char *v, int integer)
{
    char *end;
    if (!*v)
        return 0;
    if (integer) {
        long k = strtol(v, &end, 10);
        return *end == '\0' && k > 0;
    }
    double x = strtod(v, &end);
    return *end == '\0' && isfinite(x) && x >= 0;
}

/* "ecut=450,kdens=4" -> the full normalized list "mode=pw,ecut=450,..." (every key, in table
 * order, then mag_EL overrides sorted as given) */
static as_status gpaw_params(const char *text, char **out)
{
    *out = NULL;
    char val[N_GPAW_KEYS][256];
    char mag[1024] = "";
    for (size_t k = 0; k < N_GPAW_KEYS; k++)
        snprintf(val[k], sizeof val[k], "%s", gpaw_keys[k].dflt);
    const char *p = text ? text : "";
    while (*p) {
        const char *q = p;
        while (*q && *q != ',')
            q++;
        const char *eq = memchr(p, '=', (size_t)(q - p));
        if (!eq || eq == p)
            return AS_FAIL(AS_EINVAL, "oracle spec 'ase:gpaw:%s': expected KEY=VALUE, got '%.*s'",
                           text, (int)(q - p), p);
        size_t kl = (size_t)(eq - p), vl = (size_t)(q - eq - 1);
        char v[256];
        if (vl >= sizeof v || strchr(eq + 1, ';'))
            return AS_FAIL(AS_EINVAL, "oracle spec 'ase:gpaw:%s': value of '%.*s' too long", text,
                           (int)kl, p);
        memcpy(v, eq + 1, vl);
        v[vl] = '\0';
        int found = 0;
        for (size_t k = 0; k < N_GPAW_KEYS; k++)
            if (strlen(gpaw_keys[k].key) == kl && !strncmp(gpaw_keys[k].key, p, kl)) {
                snprintf(val[k], sizeof val[k], "%s", v);
                found = 1;
            }
        if (!found && kl > 4 && !strncmp(p, "mag_", 4)) {
            char el[AS_SYMBOL_MAX];
            snprintf(el, sizeof el, "%.*s", (int)(kl - 4), p + 4);
            if (kl - 4 >= AS_SYMBOL_MAX || as_lattice_element_z(el) <= 0 ||
                !valid_number(v[0] == '-' ? v + 1 : v, 0))
                return AS_FAIL(AS_EINVAL,
                               "oracle spec 'ase:gpaw:%s': '%.*s' needs an element "
                               "and a number (mag_Fe=2.5)",
                               text, (int)(q - p), p);
            size_t L = strlen(mag);
            snprintf(mag + L, sizeof mag - L, ",mag_%s=%s", el, v);
            found = 1;
        }
        if (!found) {
            char keys[512] = "";
            for (size_t k = 0; k < N_GPAW_KEYS; k++) {
                size_t L = strlen(keys);
                snprintf(keys + L, sizeof keys - L, "%s%s", k ? ", " : "", gpaw_keys[k].key);
            }
            return AS_FAIL(AS_EINVAL,
                           "oracle spec 'ase:gpaw:%s': unknown key '%.*s' (known: %s, "
                           "mag_EL)",
                           text, (int)kl, p, keys);
        }
        p = *q ? q + 1 : q;
    }
    /* check the values */
    for (size_t k = 0; k < N_GPAW_KEYS; k++) {
        const char *key = gpaw_keys[k].key, *v = val[k];
        int ok = 1;
        if (!strcmp(key, "mode"))
            ok = !strcmp(v, "pw") || !strcmp(v, "lcao");
        else if (!strcmp(key, "ecut") || !strcmp(key, "kdens") || !strcmp(key, "smear") ||
                 !strcmp(key, "kvac"))
            ok = valid_number(v, 0) && (strcmp(key, "ecut") || atof(v) > 0);
        else if (!strcmp(key, "maxiter"))
            ok = valid_number(v, 1);
        else if (!strcmp(key, "gamma"))
            ok = !strcmp(v, "0") || !strcmp(v, "1");
        else if (!strcmp(key, "spin"))
            ok = !strcmp(v, "auto") || !strcmp(v, "0") || !strcmp(v, "1");
        else if (!strcmp(key, "kpts") && *v) {
            int a, b, c;
            char tail;
            ok = sscanf(v, "%dx%dx%d%c", &a, &b, &c, &tail) == 3 && a > 0 && b > 0 && c > 0;
        } else if (!strcmp(key, "xc") || !strcmp(key, "setups") || !strcmp(key, "basis"))
            ok = *v != '\0';
        if (!ok)
            return AS_FAIL(AS_EINVAL, "oracle spec 'ase:gpaw': bad %s '%s' (%s)", key, v,
                           gpaw_keys[k].what);
    }
    size_t cap = N_GPAW_KEYS * 300 + sizeof mag;
    char *s = as_malloc(cap);
    if (!s)
        return AS_FAIL(AS_ENOMEM, "ase: cannot allocate");
    size_t L = 0;
    for (size_t k = 0; k < N_GPAW_KEYS; k++)
        L += (size_t)snprintf(s + L, cap - L, "%s%s=%s", k ? "," : "", gpaw_keys[k].key, val[k]);
    snprintf(s + L, cap - L, "%s", mag);
    *out = s;
    return AS_OK;
}

static const char *find_python(void)
{
    const char *env = getenv("ALLOYSCOUT_PYTHON");
    if (env && *env)
        return env;
    /* the system interpreter (Debian's python3-ase lives there), not a pyenv/venv shim */
    if (access("/usr/bin/python3", X_OK) == 0)
        return "/usr/bin/python3";
    return "python3";
}

void as_ase_free(as_ase *a);

/* Elements with a PAW setup for this functional ("El.XC.gz" in $GPAW_SETUP_PATH, then
 * /usr/share/gpaw-setups and /usr/local/share/gpaw-setups), by atomic number; "any" when no
 * setup directory is found or setups are not the default PAW ones. */
static char *gpaw_elements(const char *params)
{
    char xc[64] = "PBE", setups[64] = "paw";
    const char *p = strstr(params, "xc=");
    if (p)
        sscanf(p + 3, "%63[^,]", xc);
    p = strstr(params, "setups=");
    if (p)
        sscanf(p + 7, "%63[^,]", setups);
    if (strcmp(setups, "paw"))
        return as_strdup("any");
    char dirs[4096] = "";
    const char *env = getenv("GPAW_SETUP_PATH");
    snprintf(dirs, sizeof dirs, "%s%s/usr/share/gpaw-setups:/usr/local/share/gpaw-setups",
             env && *env ? env : "", env && *env ? ":" : "");
    char *out = as_malloc(120 * 4);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (int z = 1; z <= 118; z++) {
        const char *el = as_lattice_element_symbol(z);
        if (!el)
            continue;
        int found = 0;
        for (const char *d = dirs; *d && !found;) {
            const char *e = strchr(d, ':');
            size_t L = e ? (size_t)(e - d) : strlen(d);
            char path[4200];
            snprintf(path, sizeof path, "%.*s/%s.%s.gz", (int)L, d, el, xc);
            found = access(path, R_OK) == 0;
            d = e ? e + 1 : d + L;
        }
        if (found) {
            size_t L = strlen(out);
            snprintf(out + L, 120 * 4 - L, "%s%s", L ? " " : "", el);
        }
    }
    if (!out[0]) {
        as_free(out);
        return as_strdup("any");
    }
    return out;
}

static uint64_t file_fnv(FILE *f)
{
    unsigned char buf[65536];
    size_t k;
    uint64_t h = AS_HASH64_INIT;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        h = as_hash64(h, buf, k);
    return h;
}

as_status as_ase_create(const char *spec, const as_oracle_options *opt, as_ase **out, char **desc,
                        char **elements)
{
    as_status st = AS_OK;
    *out = NULL;
    *desc = *elements = NULL;
    if (!(opt->timeout_s > 0))
        return AS_FAIL(AS_EINVAL, "ase oracle: timeout %g s must be > 0", opt->timeout_s);
    as_ase *a = as_calloc(1, sizeof *a);
    if (!a)
        return AS_FAIL(AS_ENOMEM, "ase: cannot allocate");
    pthread_mutex_init(&a->lock, NULL);
    a->sock = -1;
    a->timeout_s = opt->timeout_s;
    a->python = as_strdup(find_python());
    char *d = NULL;
    if (!strcmp(spec, "emt")) {
        a->kind = ASE_EMT;
        a->arg = as_strdup("");
        d = as_strdup("ase:emt");
        /* ASE's EMT parameters (ase/calculators/emt.py) */
        *elements = as_strdup("H C N O Al Ni Cu Pd Ag Pt Au");
    } else if (!strcmp(spec, "gpaw") || !strncmp(spec, "gpaw:", 5)) {
        a->kind = ASE_GPAW;
        AS_CHECK(gpaw_params(spec[4] ? spec + 5 : "", &a->arg));
        size_t cap = strlen(a->arg) + 16;
        d = as_malloc(cap);
        if (d)
            snprintf(d, cap, "ase:gpaw[%s]", a->arg);
        *elements = gpaw_elements(a->arg);
    } else {
        a->kind = ASE_FILE;
        size_t L = strlen(spec);
        if (L < 4 || strcmp(spec + L - 3, ".py")) {
            st = AS_FAIL(AS_EINVAL,
                         "oracle spec 'ase:%s': expected ase:emt, ase:gpaw[:KEY=VALUE,"
                         "..] or ase:FILE.py (a file defining calculator(atoms))",
                         spec);
            goto fail;
        }
        char *abs = realpath(spec, NULL);
        FILE *f = abs ? fopen(abs, "rb") : NULL;
        if (!f) {
            free(abs);
            st = AS_FAIL(AS_EIO, "oracle spec 'ase:%s': cannot open %s: %s", spec, spec,
                         strerror(errno));
            goto fail;
        }
        uint64_t h = file_fnv(f);
        fclose(f);
        a->arg = as_strdup(abs);
        size_t cap = strlen(abs) + 40;
        d = as_malloc(cap);
        if (d)
            snprintf(d, cap, "ase:file:%s#%016llx", abs, (unsigned long long)h);
        free(abs);
        *elements = as_strdup("any");
    }
    {
        size_t cap = strlen(spec) + 8;
        a->name = as_malloc(cap);
        if (a->name)
            snprintf(a->name, cap, "ase:%s", a->kind == ASE_GPAW ? "gpaw" : spec);
    }
    if (!a->python || !a->arg || !a->name || !d || !*elements) {
        st = AS_FAIL(AS_ENOMEM, "ase: cannot allocate");
        goto fail;
    }
    *desc = d;
    *out = a;
    return AS_OK;
fail:
    as_free(d);
    as_free(*elements);
    *elements = NULL;
    as_ase_free(a);
    return st;
}

/* ---- the worker process ---- */
static void worker_stop(as_ase *a, int kill_it)
{
    if (a->sock >= 0)
        close(a->sock); /* the worker reads end of file and exits */
    a->sock = -1;
    if (a->pid > 0) {
        int ws;
        if (kill_it)
            kill(-a->pid, SIGKILL); /* the calculator's children too (own process group) */
        else {
            /* give it a moment to leave by itself, then make sure */
            for (int k = 0; k < 200; k++) {
                pid_t r = waitpid(a->pid, &ws, WNOHANG);
                if (r == a->pid || (r < 0 && errno != EINTR))
                    goto reaped;
                struct timespec ts = {0, 10000000};
                nanosleep(&ts, NULL);
            }
            kill(-a->pid, SIGKILL);
        }
        while (waitpid(a->pid, &ws, 0) < 0 && errno == EINTR)
            ;
    }
reaped:
    a->pid = 0;
    if (a->logpath[0])
        unlink(a->logpath);
    a->logpath[0] = '\0';
}

void as_ase_free(as_ase *a)
{
    if (!a)
        return;
    worker_stop(a, 0);
    pthread_mutex_destroy(&a->lock);
    as_free(a->python);
    as_free(a->arg);
    as_free(a->name);
    as_free(a);
}

static void log_tail(const char *path, char *tail, size_t size)
{
    tail[0] = '\0';
    FILE *lf = path[0] ? fopen(path, "rb") : NULL;
    if (!lf)
        return;
    fseek(lf, 0, SEEK_END);
    long L = ftell(lf);
    fseek(lf, L > (long)size - 1 ? L - ((long)size - 1) : 0, SEEK_SET);
    size_t k = fread(tail, 1, size - 1, lf);
    tail[k] = '\0';
    fclose(lf);
    while (k > 0 && (tail[k - 1] == '\n' || tail[k - 1] == ' '))
        tail[--k] = '\0';
    for (size_t i = 0; i < k; i++)
        if (tail[i] == '\n')
            tail[i] = ' ';
}

/* what happened to a worker that stopped answering */
static void worker_fate(as_ase *a, int rc, char *buf, size_t size)
{
    if (rc == -2) {
        snprintf(buf, size, "timed out after %g s (worker killed)", a->timeout_s);
        return;
    }
    int ws = 0;
    pid_t r = 0;
    for (int k = 0; k < 100 && r == 0; k++) {
        r = waitpid(a->pid, &ws, WNOHANG);
        if (r == 0) {
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
        }
    }
    if (r == a->pid) {
        a->pid = 0; /* reaped */
        if (WIFSIGNALED(ws))
            snprintf(buf, size, "worker died (signal %d)", WTERMSIG(ws));
        else
            snprintf(buf, size, "worker exited with status %d", WEXITSTATUS(ws));
    } else
        snprintf(buf, size, "worker closed its pipe");
}

static as_status read_reply(as_ase *a, double deadline, int32_t *code, char *msg, size_t cap)
{
    uint32_t head[2];
    int rc = as_worker_recv_all(a->sock, head, sizeof head, deadline);
    if (rc == 0) {
        *code = (int32_t)head[0];
        size_t L = head[1];
        char tmp[4096];
        if (L >= sizeof tmp)
            rc = -1;
        else if ((rc = as_worker_recv_all(a->sock, tmp, L, deadline)) == 0) {
            tmp[L] = '\0';
            snprintf(msg, cap, "%s", tmp);
            return AS_OK;
        }
    }
    char fate[128], tail[400];
    worker_fate(a, rc, fate, sizeof fate);
    log_tail(a->logpath, tail, sizeof tail);
    as_status st = AS_FAIL(rc == -2 ? AS_ETIMEOUT : AS_EORACLE, "%s: %s%s%s", a->name, fate,
                           tail[0] ? "; log: " : "", tail);
    worker_stop(a, 1);
    return st;
}

static as_status worker_start(as_ase *a)
{
    int sv[2];
    snprintf(a->logpath, sizeof a->logpath, "/tmp/alloyscout-ase-XXXXXX");
    int lfd = mkstemp(a->logpath);
    if (lfd < 0) {
        a->logpath[0] = '\0';
        return AS_FAIL(AS_EIO, "%s: cannot create a log file in /tmp: %s", a->name,
                       strerror(errno));
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        close(lfd);
        worker_stop(a, 0);
        return AS_FAIL(AS_EORACLE, "%s: socketpair failed: %s", a->name, strerror(errno));
    }
    const char *kind = a->kind == ASE_EMT ? "emt" : a->kind == ASE_GPAW ? "gpaw" : "file";
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        close(lfd);
        worker_stop(a, 0);
        return AS_FAIL(AS_EORACLE, "%s: fork failed: %s", a->name, strerror(errno));
    }
    if (pid == 0) {
        setpgid(0, 0);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (getppid() != parent)
            _exit(1);
        int hi = fcntl(sv[1], F_DUPFD, 10);
        int nul = open("/dev/null", O_RDONLY);
        if (hi < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(lfd, 1) < 0 || dup2(lfd, 2) < 0 ||
            dup2(hi, 3) < 0)
            _exit(126);
        char *argv[] = {a->python, "-u", "-c", (char *)worker_py, "3", (char *)kind, a->arg, NULL};
        execvp(a->python, argv);
        dprintf(2, "cannot run %s: %s\n", a->python, strerror(errno));
        _exit(127);
    }
    close(sv[1]);
    close(lfd);
    setpgid(pid, pid); /* also from this side, so kill(-pid) works at once */
    a->pid = pid;
    a->sock = sv[0];
    int32_t code;
    char msg[4096];
    AS_TRY(read_reply(a, as_worker_now_s() + a->timeout_s, &code, msg, sizeof msg));
    if (code != 0) {
        as_status st =
            AS_FAIL(AS_EORACLE, "%s: the worker could not set up the calculator: %s", a->name, msg);
        worker_stop(a, 1);
        return st;
    }
    return AS_OK;
}

as_status as_ase_compute(as_ase *a, const as_structure *s, int cont, double *energy, double *e_atom,
                         double *forces, double *stress)
{
    as_status st = AS_OK;
    size_t n = s->n;
    int32_t *z = NULL;
    double *res = NULL;
    AS_CHECK(AS_ALLOC(z, n + 1, "ase atoms"));
    AS_CHECK(AS_ALLOC(res, 1 + 3 * n + 6 + n, "ase results"));
    for (size_t i = 0; i < n; i++) {
        int sp = s->species[i];
        int zz = (sp >= 0 && (size_t)sp < s->n_symbols) ? as_lattice_element_z(s->symbols[sp]) : 0;
        if (zz <= 0) {
            st = AS_FAIL(AS_EINVAL, "%s: atom %zu has no chemical element ('%s')", a->name, i,
                         (sp >= 0 && (size_t)sp < s->n_symbols) ? s->symbols[sp] : "?");
            goto fail;
        }
        z[i] = zz;
    }
    pthread_mutex_lock(&a->lock);
    st = a->pid ? AS_OK : worker_start(a);
    if (st == AS_OK) {
        uint64_t n64 = n;
        uint32_t flags = (stress ? 1u : 0u) | (e_atom ? 2u : 0u) | (cont ? 4u : 0u);
        double t0 = as_worker_now_s();
        if (as_worker_send_all(a->sock, &n64, sizeof n64) ||
            as_worker_send_all(a->sock, &flags, sizeof flags) ||
            as_worker_send_all(a->sock, s->cell, 9 * sizeof(double)) ||
            as_worker_send_all(a->sock, z, n * sizeof *z) ||
            as_worker_send_all(a->sock, s->pos, 3 * n * sizeof(double))) {
            int32_t code;
            char msg[64];
            /* the worker is gone: read_reply reports how */
            st = read_reply(a, t0 + 1.0, &code, msg, sizeof msg);
            if (st == AS_OK) {
                st = AS_FAIL(AS_EORACLE, "%s: the worker stopped reading", a->name);
                worker_stop(a, 1);
            }
        } else {
            int32_t code;
            char msg[4096];
            st = read_reply(a, t0 + a->timeout_s, &code, msg, sizeof msg);
            if (st == AS_OK && code != 0)
                st = AS_FAIL(AS_EORACLE, "%s: %s", a->name, msg);
            else if (st == AS_OK) {
                int rc = as_worker_recv_all(a->sock, res, (1 + 3 * n + 6 + n) * sizeof *res,
                                            t0 + a->timeout_s);
                if (rc) {
                    char fate[128];
                    worker_fate(a, rc, fate, sizeof fate);
                    st = AS_FAIL(rc == -2 ? AS_ETIMEOUT : AS_EORACLE, "%s: %s", a->name, fate);
                    worker_stop(a, 1);
                }
            }
        }
    }
    pthread_mutex_unlock(&a->lock);
    if (st != AS_OK)
        goto fail;
    if (stress && !isfinite(res[1 + 3 * n])) {
        st = AS_FAIL(AS_EUNSUP, "%s: the calculator gives no stress", a->name);
        goto fail;
    }
    if (e_atom && !isfinite(res[1 + 3 * n + 6])) {
        st = AS_FAIL(AS_EUNSUP, "%s: the calculator gives no per-atom energies", a->name);
        goto fail;
    }
    if (energy)
        *energy = res[0];
    if (forces)
        memcpy(forces, res + 1, 3 * n * sizeof *res);
    if (stress)
        memcpy(stress, res + 1 + 3 * n, 6 * sizeof *res);
    if (e_atom)
        memcpy(e_atom, res + 1 + 3 * n + 6, n * sizeof *res);
fail:
    as_free(z);
    as_free(res);
    return st;
}

int as_ase_has_stress(const as_ase *a)
{
    return a->kind == ASE_EMT || a->kind == ASE_FILE ||
           (a->kind == ASE_GPAW && strstr(a->arg, "mode=pw"));
}
