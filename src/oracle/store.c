/* The label store: one SQLite file (the only place of this area that sees sqlite3.h), tables
 * prefixed label_ so a campaign (issue 5) can keep its own tables in the same file.
 * Key: 64-bit FNV-1a of a canonical text of the structure (cell, per-atom species symbol and
 * position, every length rounded to an integer number of 1e-6 Å) followed by the method text
 * (oracle description and relaxation settings). WAL journal; every label is its own committed
 * transaction, so a process killed at any point keeps every label it had finished. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "oracle_int.h"

struct as_label_store {
    sqlite3 *db;
    sqlite3_stmt *get, *put, *count;
    char *path;
};

static uint64_t fnv(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static long long round6(double x)
{
    return (long long)llround(x * 1e6);
}

uint64_t as_label_key(const as_structure *s, const char *method)
{
    uint64_t h = 14695981039346656037ULL;
    char buf[160];
    int L = snprintf(buf, sizeof buf, "n=%zu\ncell", s->n);
    h = fnv(h, buf, (size_t)L);
    for (int k = 0; k < 9; k++) {
        L = snprintf(buf, sizeof buf, " %lld", round6(s->cell[k]));
        h = fnv(h, buf, (size_t)L);
    }
    for (size_t i = 0; i < s->n; i++) {
        int sp = s->species[i];
        const char *sym = (sp >= 0 && (size_t)sp < s->n_symbols) ? s->symbols[sp] : "?";
        L = snprintf(buf, sizeof buf, "\n%s %lld %lld %lld", sym, round6(s->pos[3 * i]),
                     round6(s->pos[3 * i + 1]), round6(s->pos[3 * i + 2]));
        h = fnv(h, buf, (size_t)L);
    }
    h = fnv(h, "\nmethod ", 8);
    h = fnv(h, method, strlen(method));
    return h;
}

static as_status db_fail(as_label_store *st, const char *what)
{
    return AS_FAIL(AS_EDB, "label store %s: %s: %s", st->path ? st->path : "", what,
                   sqlite3_errmsg(st->db));
}

void as_label_store_close(as_label_store *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->get);
    sqlite3_finalize(st->put);
    sqlite3_finalize(st->count);
    sqlite3_close(st->db);
    as_free(st->path);
    as_free(st);
}

as_status as_label_store_open(const char *path, as_label_store **out)
{
    as_status s = AS_OK;
    *out = NULL;
    as_label_store *st = as_calloc(1, sizeof *st);
    if (!st)
        return AS_FAIL(AS_ENOMEM, "label store: cannot allocate");
    st->path = as_strdup(path);
    if (!st->path) {
        as_free(st);
        return AS_FAIL(AS_ENOMEM, "label store: cannot allocate");
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        s = st->db ? db_fail(st, "cannot open")
                   : AS_FAIL(AS_EDB, "label store %s: cannot open", path);
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 10000);
    const char *schema =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS label_result("
        " key INTEGER PRIMARY KEY,"      /* as_label_key as a signed 64-bit integer */
        " method TEXT NOT NULL,"
        " n_atoms INTEGER NOT NULL,"
        " status INTEGER NOT NULL,"      /* as_status: 0 = ok */
        " energy REAL,"                  /* eV */
        " energy_per_atom REAL,"
        " rmsd REAL, rmsd_paper REAL, fmax REAL,"
        " steps INTEGER, relaxed INTEGER, attempts INTEGER,"
        " error TEXT,"
        " positions BLOB,"               /* relaxed (n, 3) doubles, native byte order */
        " created TEXT DEFAULT CURRENT_TIMESTAMP);";
    char *err = NULL;
    if (sqlite3_exec(st->db, schema, NULL, NULL, &err) != SQLITE_OK) {
        s = AS_FAIL(AS_EDB, "label store %s: cannot create tables: %s", path,
                    err ? err : "unknown error");
        sqlite3_free(err);
        goto fail;
    }
    if (sqlite3_prepare_v2(st->db,
                           "SELECT status, energy, rmsd, rmsd_paper, fmax, steps, relaxed, "
                           "attempts, error, positions, n_atoms FROM label_result WHERE key = ?",
                           -1, &st->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO label_result(key, method, n_atoms, status, "
                           "energy, energy_per_atom, rmsd, rmsd_paper, fmax, steps, relaxed, "
                           "attempts, error, positions) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "SELECT COUNT(*) FROM label_result", -1, &st->count,
                           NULL) != SQLITE_OK) {
        s = db_fail(st, "cannot prepare statements");
        goto fail;
    }
    *out = st;
    return AS_OK;
fail:
    as_label_store_close(st);
    return s;
}

static double col_double(sqlite3_stmt *q, int c)
{
    return sqlite3_column_type(q, c) == SQLITE_NULL ? NAN : sqlite3_column_double(q, c);
}

as_status as_label_store_get(as_label_store *st, uint64_t key, as_label_result *out,
                             double *relaxed_pos, size_t n, int *found)
{
    as_status s = AS_OK;
    *found = 0;
    sqlite3_reset(st->get);
    sqlite3_bind_int64(st->get, 1, (sqlite3_int64)key);
    int rc = sqlite3_step(st->get);
    if (rc == SQLITE_DONE)
        goto done;
    if (rc != SQLITE_ROW) {
        s = db_fail(st, "lookup failed");
        goto done;
    }
    memset(out, 0, sizeof *out);
    out->status = (as_status)sqlite3_column_int(st->get, 0);
    out->energy = col_double(st->get, 1);
    out->rmsd = col_double(st->get, 2);
    out->rmsd_paper = col_double(st->get, 3);
    out->fmax = col_double(st->get, 4);
    out->steps = (size_t)sqlite3_column_int64(st->get, 5);
    out->relaxed = sqlite3_column_int(st->get, 6);
    out->attempts = (size_t)sqlite3_column_int64(st->get, 7);
    const unsigned char *e = sqlite3_column_text(st->get, 8);
    snprintf(out->error, sizeof out->error, "%s", e ? (const char *)e : "");
    if (relaxed_pos && sqlite3_column_type(st->get, 9) == SQLITE_BLOB &&
        (size_t)sqlite3_column_int64(st->get, 10) == n &&
        (size_t)sqlite3_column_bytes(st->get, 9) == 3 * n * sizeof(double))
        memcpy(relaxed_pos, sqlite3_column_blob(st->get, 9), 3 * n * sizeof(double));
    *found = 1;
done:
    sqlite3_reset(st->get);
    return s;
}

static void bind_double(sqlite3_stmt *q, int c, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(q, c, v);
    else
        sqlite3_bind_null(q, c);
}

as_status as_label_store_put(as_label_store *st, uint64_t key, const char *method,
                             const as_structure *s, const as_label_result *r,
                             const double *relaxed_pos)
{
    sqlite3_stmt *q = st->put;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)key);
    sqlite3_bind_text(q, 2, method, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)s->n);
    sqlite3_bind_int(q, 4, (int)r->status);
    bind_double(q, 5, r->energy);
    bind_double(q, 6, s->n ? r->energy / (double)s->n : NAN);
    bind_double(q, 7, r->rmsd);
    bind_double(q, 8, r->rmsd_paper);
    bind_double(q, 9, r->fmax);
    sqlite3_bind_int64(q, 10, (sqlite3_int64)r->steps);
    sqlite3_bind_int(q, 11, r->relaxed);
    sqlite3_bind_int64(q, 12, (sqlite3_int64)r->attempts);
    sqlite3_bind_text(q, 13, r->error, -1, SQLITE_TRANSIENT);
    if (relaxed_pos)
        sqlite3_bind_blob(q, 14, relaxed_pos, (int)(3 * s->n * sizeof(double)), SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 14);
    int rc = sqlite3_step(q); /* autocommit: one transaction per label */
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return db_fail(st, "cannot store a label");
    return AS_OK;
}

as_status as_label_store_count(as_label_store *st, size_t *count)
{
    sqlite3_reset(st->count);
    if (sqlite3_step(st->count) != SQLITE_ROW) {
        sqlite3_reset(st->count);
        return db_fail(st, "cannot count labels");
    }
    *count = (size_t)sqlite3_column_int64(st->count, 0);
    sqlite3_reset(st->count);
    return AS_OK;
}
