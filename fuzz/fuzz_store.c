/* Fuzz target: the campaign / label store read back from an arbitrary file (as_store_open, then
 * as_label_store_get, as_label_store_count, as_store_meta_get, as_store_record_count), as
 * `--db FILE` or `screen --resume` would read it. The seed corpus holds real stores (labels of
 * the two frames below, plain and relaxed, written by `alloyscout energy --db`), so mutations
 * reach SQLite's page reader and the row checks. Promises checked: a failed open names the file
 * and gives no store; a row handed back as an ok label has a finite energy inside the window
 * (|E| / atom <= 50 eV) and, when relaxed, finite positions; a failed read has a message. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloyscout/oracle.h"
#include "fuzz.h"

static const char frames[] =
    "4\nLattice=\"3.9 0 0 0 3.9 0 0 0 3.9\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n"
    "Pt 0 0 0\nPt 1.95 1.95 0\nPt 1.95 0 1.95\nPt 0 1.95 1.95\n"
    "4\nLattice=\"3.9 0 0 0 3.9 0 0 0 3.9\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n"
    "Pt 0 0 0\nCu 1.95 1.95 0\nPt 1.95 0 1.95\nCu 0.05 1.95 1.95\n";
static as_structure **fr;
static size_t nf;
static uint64_t keys[2][2]; /* [relax][frame] */

static void setup(void)
{
    char path[FUZZ_PATH_MAX];
    /* SQLite syncs every new store: on a RAM disk 3000 inputs take 3 s instead of 15 s */
    if (!getenv("TMPDIR") && access("/dev/shm", W_OK) == 0)
        setenv("TMPDIR", "/dev/shm", 0);
    as_oracle *o = NULL;
    if (fuzz_tmpfile((const uint8_t *)frames, sizeof frames - 1, path) ||
        as_extxyz_read(path, &fr, &nf) != AS_OK || nf != 2 ||
        as_oracle_create("eam:Pt,Cu", NULL, &o) != AS_OK)
        fuzz_fail("setup: %s", as_errmsg());
    fuzz_unlink(path);
    as_relax_options ro;
    as_relax_options_default(&ro);
    for (int relax = 0; relax < 2; relax++) {
        char method[512];
        as_label_method(o, relax, &ro, method, sizeof method);
        for (size_t i = 0; i < nf; i++)
            keys[relax][i] = as_label_key(fr[i], method);
    }
    as_oracle_free(o);
}

static void remove_store(const char *path)
{
    char p[FUZZ_PATH_MAX + 8];
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    fuzz_unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fr)
        setup();
    if (size > (1u << 20))
        return 0;
    char path[FUZZ_PATH_MAX];
    if (fuzz_tmpfile(data, size, path))
        return 0;
    as_store *st = (as_store *)1;
    if (as_store_open(path, &st) != AS_OK) {
        if (st)
            fuzz_fail("failed open returned a store");
        fuzz_check_error(path);
        remove_store(path);
        return 0;
    }
    size_t count;
    if (as_label_store_count(st, &count) != AS_OK && !as_errmsg()[0])
        fuzz_fail("failed count without a message");
    for (int relax = 0; relax < 2; relax++)
        for (size_t i = 0; i < nf; i++) {
            const size_t n = fr[i]->n;
            double pos[3 * 4];
            as_label_result r;
            int found = 0;
            for (size_t k = 0; k < 3 * n; k++)
                pos[k] = NAN;
            if (as_label_store_get(st, keys[relax][i], &r, relax ? pos : NULL, n, &found) !=
                AS_OK) {
                if (!as_errmsg()[0])
                    fuzz_fail("failed lookup without a message");
                continue;
            }
            if (!found || r.status != AS_OK)
                continue;
            if (!isfinite(r.energy) || !(fabs(r.energy) / (double)n <= AS_ORACLE_E_ATOM_MAX_EV))
                fuzz_fail("frame %zu (relax %d): ok label with energy %g", i, relax, r.energy);
            if (relax && r.relaxed)
                for (size_t k = 0; k < 3 * n; k++)
                    if (!isfinite(pos[k]))
                        fuzz_fail("frame %zu: relaxed position %zu is %g", i, k, pos[k]);
        }
    char *v = NULL;
    if (as_store_meta_get(st, "campaign", &v) != AS_OK && !as_errmsg()[0])
        fuzz_fail("failed meta read without a message");
    as_free(v);
    if (as_store_record_count(st, &count) != AS_OK && !as_errmsg()[0])
        fuzz_fail("failed record count without a message");
    as_store_close(st);
    remove_store(path);
    return 0;
}
