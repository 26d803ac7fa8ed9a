/* The store: one SQLite file with one connection (the only file of the library that includes
 * sqlite3.h), holding the labels of the oracle area and the records of a campaign, under one
 * format version.
 *
 * Format: the file's application id (PRAGMA application_id) says it is an alloyscout store, its
 * user_version the format (AS_STORE_FORMAT). Format 1 (before issue 11) had neither mark; a
 * format-1 file holding only labels is stamped with the current format on open (label keys and
 * columns did not change), one holding a campaign is refused, and so is any other SQLite file
 * with tables of its own or a store of another format. From format 2 on, a format only adds:
 * a new table goes into store_schema (CREATE TABLE IF NOT EXISTS), a new column of an existing
 * table into store_columns; an older file of format >= 2 gets both on open (existing rows keep
 * their values, new columns are NULL) and is stamped with the current format. A change that is
 * not additive raises AS_STORE_FORMAT and says in open_checked what an older file gets.
 *
 * Labels (table label_result): key = as_hash64 of a canonical text of the structure (cell,
 * per-atom species symbol and position, every length rounded to an integer number of 1e-6 Å)
 * followed by the method text (oracle description and relaxation settings).
 * Campaign records: campaign_meta (key, value) and campaign_record (system, round, json).
 * WAL journal, synchronous=NORMAL: every write is its own committed transaction, so a process
 * killed at any point keeps everything it had written. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "alloyscout/json.h"
#include "oracle_int.h"

#define AS_STORE_APPLICATION_ID 0x41537374 /* "ASst" */

struct as_store {
    sqlite3 *db;
    sqlite3_stmt *get, *put, *count, *get_final;
    char *path;
    double e_atom_max_ev; /* read-back window (as_store_set_e_atom_max) */
    size_t n_corrupt;     /* rows refused by as_label_store_get */
};

static long long round6(double x) { return (long long)llround(x * 1e6); }

uint64_t as_label_key(const as_structure *s, const char *method)
{
    uint64_t h = AS_HASH64_INIT;
    char buf[160];
    int L = snprintf(buf, sizeof buf, "n=%zu\ncell", s->n);
    h = as_hash64(h, buf, (size_t)L);
    for (int k = 0; k < 9; k++) {
        L = snprintf(buf, sizeof buf, " %lld", round6(s->cell[k]));
        h = as_hash64(h, buf, (size_t)L);
    }
    for (size_t i = 0; i < s->n; i++) {
        int sp = s->species[i];
        const char *sym = (sp >= 0 && (size_t)sp < s->n_symbols) ? s->symbols[sp] : "?";
        L = snprintf(buf, sizeof buf, "\n%s %lld %lld %lld", sym, round6(s->pos[3 * i]),
                     round6(s->pos[3 * i + 1]), round6(s->pos[3 * i + 2]));
        h = as_hash64(h, buf, (size_t)L);
    }
    h = as_hash64(h, "\nmethod ", 8);
    return as_hash64_str(h, method);
}

static as_status db_fail(as_store *st, const char *what)
{
    return AS_FAIL(AS_EDB, "store %s: %s: %s", st->path ? st->path : "", what,
                   sqlite3_errmsg(st->db));
}

/* Every table of the current format. */
static const char *store_schema =
    "CREATE TABLE IF NOT EXISTS label_result("
    " key INTEGER PRIMARY KEY," /* as_label_key as a signed 64-bit integer */
    " method TEXT NOT NULL,"
    " n_atoms INTEGER NOT NULL,"
    " status INTEGER NOT NULL," /* as_status: 0 = ok */
    " energy REAL,"             /* eV */
    " energy_per_atom REAL,"
    " rmsd REAL, rmsd_paper REAL, fmax REAL,"
    " steps INTEGER, relaxed INTEGER, attempts INTEGER,"
    " error TEXT,"
    " positions BLOB," /* relaxed (n, 3) doubles, native byte order */
    " created TEXT DEFAULT CURRENT_TIMESTAMP);"
    "CREATE TABLE IF NOT EXISTS campaign_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS campaign_record(system TEXT NOT NULL, round INTEGER NOT NULL,"
    " json TEXT NOT NULL, PRIMARY KEY(system, round));"
    /* issue 15: the latest state of each label's cluster job (executor.h, as_store_job_put) */
    "CREATE TABLE IF NOT EXISTS job("
    " key INTEGER PRIMARY KEY," /* as_label_key, as label_result.key */
    " system TEXT NOT NULL,"    /* "Pt2CoCu", or the input file of `energy` */
    " round INTEGER NOT NULL,"  /* 0-based round; -1 setup, -2 finish (validation), -3 none */
    " job_id TEXT, job_name TEXT, dir TEXT,"
    " state TEXT NOT NULL," /* as_job_state_name */
    " attempts INTEGER NOT NULL,"
    " reason TEXT,"   /* why the current state (a failure, a failed label), else NULL */
    " failures TEXT," /* every job failure so far, 'attempt N: REASON' lines */
    " submitted TEXT DEFAULT CURRENT_TIMESTAMP, updated TEXT DEFAULT CURRENT_TIMESTAMP);";

/* Columns added to existing tables after format 2, in the order they came: table, column,
 * declaration. Added on open where missing (format 2 files). */
static const struct {
    const char *table, *column, *decl;
} store_columns[] = {
    {"label_result", "created", "TEXT"}, /* present since format 2: the list starts here */
    {"label_result", "source", "TEXT"},  /* provenance of a label no oracle computed (--labels) */
    /* issue 19: what a cmd: program returns (docs/oracle.md, "The cmd: contract") */
    {"label_result", "forces", "BLOB"},       /* (n, 3) doubles at the end, eV/Å */
    {"label_result", "stress", "BLOB"},       /* 6 doubles, Voigt xx yy zz yz xz xy, eV/Å^3 */
    {"label_result", "cell", "BLOB"},         /* 9 doubles, the final cell (rows), Å */
    {"label_result", "converged", "INTEGER"}, /* 1, 0, NULL: no verdict */
    {"label_result", "metadata", "TEXT"},     /* JSON object of the program's other key=value */
    {"label_result", "workdir", "TEXT"},      /* the job directory when kept */
};

/* One integer from a query (0 when it gives no row). */
static int query_int(as_store *st, const char *sql, sqlite3_int64 *v)
{
    sqlite3_stmt *q = NULL;
    *v = 0;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            *v = sqlite3_column_int64(q, 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(q);
    return rc;
}

/* Is `column` a column of `table`? */
static int has_column(as_store *st, const char *table, const char *column, int *yes)
{
    char sql[160];
    sqlite3_int64 n = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
             table, column);
    int rc = query_int(st, sql, &n);
    *yes = n > 0;
    return rc;
}

static as_status create_schema(as_store *st)
{
    char sql[256];
    char *err = NULL;
    if (sqlite3_exec(st->db, store_schema, NULL, NULL, &err) != SQLITE_OK) {
        as_status s = AS_FAIL(AS_EDB, "store %s: cannot create tables: %s", st->path,
                              err ? err : "unknown error");
        sqlite3_free(err);
        return s;
    }
    for (size_t i = 0; i < sizeof store_columns / sizeof store_columns[0]; i++) {
        int yes = 0;
        if (has_column(st, store_columns[i].table, store_columns[i].column, &yes) != SQLITE_OK)
            return db_fail(st, "cannot read the columns");
        if (yes)
            continue;
        snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", store_columns[i].table,
                 store_columns[i].column, store_columns[i].decl);
        if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return db_fail(st, "cannot add a column");
    }
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d;PRAGMA user_version=%d;",
             AS_STORE_APPLICATION_ID, AS_STORE_FORMAT);
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(st, "cannot write the format version");
    return AS_OK;
}

/* Inside the write transaction: accept the current format, create a new store in an empty file,
 * stamp a format-1 label store, refuse everything else with the reason. */
static as_status open_checked(as_store *st)
{
    sqlite3_int64 app, version, n_tables, n_ours, has_campaign = 0;
    if (query_int(st, "PRAGMA application_id", &app) != SQLITE_OK)
        return AS_FAIL(AS_EDB, "store %s: not an SQLite file: %s", st->path,
                       sqlite3_errmsg(st->db));
    if (query_int(st, "PRAGMA user_version", &version) != SQLITE_OK ||
        query_int(st,
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT "
                  "LIKE 'sqlite_%'",
                  &n_tables) != SQLITE_OK ||
        query_int(st,
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                  "('label_result', 'campaign_meta', 'campaign_record')",
                  &n_ours) != SQLITE_OK)
        return db_fail(st, "cannot read the format");
    if (app == AS_STORE_APPLICATION_ID) {
        if (version == AS_STORE_FORMAT) /* tables added since the file was made (additive) */
            return create_schema(st);
        if (version >= 2 && version < AS_STORE_FORMAT) {
            as_log(AS_LOG_INFO,
                   "%s: store of format %lld, now format %d (tables and columns "
                   "added, existing rows unchanged)",
                   st->path, (long long)version, AS_STORE_FORMAT);
            return create_schema(st);
        }
        if (version > AS_STORE_FORMAT)
            return AS_FAIL(AS_EDB,
                           "%s: store format %lld, written by a newer alloyscout; this "
                           "alloyscout reads format %d",
                           st->path, (long long)version, AS_STORE_FORMAT);
        return AS_FAIL(AS_EDB,
                       "%s: store format %lld, this alloyscout reads format %d; re-run "
                       "without --resume into a new --db",
                       st->path, (long long)version, AS_STORE_FORMAT);
    }
    if (app != 0 || version != 0 || n_tables != n_ours)
        return AS_FAIL(AS_EDB,
                       "%s: an SQLite file but not an alloyscout store (application id "
                       "%lld, user version %lld, %lld tables of its own): choose another file",
                       st->path, (long long)app, (long long)version,
                       (long long)(n_tables - n_ours));
    if (n_tables == 0)
        return create_schema(st);
    /* format 1: a campaign in it drew its random streams with the old system hash */
    sqlite3_int64 has_meta = 0;
    if (query_int(st,
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                  "'campaign_meta'",
                  &has_meta) != SQLITE_OK ||
        (has_meta &&
         query_int(st, "SELECT count(*) FROM campaign_meta", &has_campaign) != SQLITE_OK))
        return db_fail(st, "cannot read the format");
    if (has_campaign)
        return AS_FAIL(AS_EDB,
                       "%s: campaign format 1, this alloyscout reads format %d (its "
                       "screen draws other random streams, so the campaign cannot be "
                       "continued); re-run without --resume into a new --db",
                       st->path, AS_STORE_FORMAT);
    as_log(AS_LOG_INFO, "%s: label store of format 1, now format %d (labels unchanged)", st->path,
           AS_STORE_FORMAT);
    return create_schema(st);
}

void as_store_close(as_store *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->get);
    sqlite3_finalize(st->put);
    sqlite3_finalize(st->count);
    sqlite3_finalize(st->get_final);
    sqlite3_close(st->db);
    as_free(st->path);
    as_free(st);
}

as_status as_store_open(const char *path, as_store **out)
{
    as_status s = AS_OK;
    *out = NULL;
    as_store *st = as_calloc(1, sizeof *st);
    if (!st)
        return AS_FAIL(AS_ENOMEM, "store: cannot allocate");
    st->e_atom_max_ev = AS_ORACLE_E_ATOM_MAX_EV;
    st->path = as_strdup(path);
    if (!st->path) {
        as_free(st);
        return AS_FAIL(AS_ENOMEM, "store: cannot allocate");
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int e = st->db ? sqlite3_system_errno(st->db) : 0;
        s = AS_FAIL(AS_EDB, "store %s: cannot open: %s%s%s%s", path,
                    st->db ? sqlite3_errmsg(st->db) : "out of memory", e ? " (" : "",
                    e ? strerror(e) : "", e ? ")" : "");
        goto fail;
    }
    /* SQLite opens a file it cannot write read-only without saying so */
    if (sqlite3_db_readonly(st->db, "main") == 1) {
        s = AS_FAIL(AS_EDB,
                    "%s: read-only: the store must be writable (every label is committed as "
                    "soon as it is computed)",
                    path);
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 10000);
    /* the format is checked (and a new store made) under the write lock, so two processes
     * opening a new file at once cannot both create it */
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        s = AS_FAIL(AS_EDB, "store %s: not a usable SQLite file: %s", path, sqlite3_errmsg(st->db));
        goto fail;
    }
    s = open_checked(st);
    if (sqlite3_exec(st->db, s == AS_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK &&
        s == AS_OK)
        s = db_fail(st, "cannot commit");
    if (s != AS_OK)
        goto fail;
    /* the journal mode is set after the check, so a foreign file is never changed */
    if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;", NULL, NULL,
                     NULL) != SQLITE_OK) {
        s = db_fail(st, "cannot set the journal mode");
        goto fail;
    }
    if (sqlite3_prepare_v2(st->db,
                           "SELECT status, energy, rmsd, rmsd_paper, fmax, steps, relaxed, "
                           "attempts, error, positions, n_atoms, method, converged, stress, "
                           "workdir FROM label_result WHERE key = ?",
                           -1, &st->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO label_result(key, method, n_atoms, status, "
                           "energy, energy_per_atom, rmsd, rmsd_paper, fmax, steps, relaxed, "
                           "attempts, error, positions, forces, stress, cell, converged, "
                           "metadata, workdir) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "SELECT n_atoms, positions, cell, forces, metadata FROM label_result "
                           "WHERE key = ?",
                           -1, &st->get_final, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "SELECT COUNT(*) FROM label_result", -1, &st->count, NULL) !=
            SQLITE_OK) {
        s = db_fail(st, "cannot prepare statements");
        goto fail;
    }
    *out = st;
    return AS_OK;
fail:
    as_store_close(st);
    return s;
}

const char *as_store_path(const as_store *st) { return st->path; }

static double col_double(sqlite3_stmt *q, int c)
{
    return sqlite3_column_type(q, c) == SQLITE_NULL ? NAN : sqlite3_column_double(q, c);
}

void as_store_set_e_atom_max(as_store *st, double e_atom_max_ev)
{
    st->e_atom_max_ev = e_atom_max_ev > 0 ? e_atom_max_ev : AS_ORACLE_E_ATOM_MAX_EV;
}

size_t as_store_corrupt_count(const as_store *st) { return st->n_corrupt; }

static const char *type_name(int t)
{
    switch (t) {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a real";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "a blob";
    default: return "NULL";
    }
}

/* The checks of a row read back (docs/oracle.md, "Rows read back from the store"): what is
 * wrong with it, or NULL when it can be used. n > 0: the caller's atom count (0: not
 * checked). want_pos: the caller reads the relaxed positions. */
static const char *row_problem(as_store *st, sqlite3_stmt *q, size_t n, int want_pos, char *why,
                               size_t cap)
{
    static const char *const real_cols[] = {"status", "energy", "rmsd", "rmsd_paper", "fmax"};
    static const char *const int_cols[] = {"steps", "relaxed", "attempts"};
    int t = sqlite3_column_type(q, 0);
    if (t != SQLITE_INTEGER) {
        snprintf(why, cap, "status is %s, not an integer", type_name(t));
        return why;
    }
    t = sqlite3_column_type(q, 10);
    if (t != SQLITE_INTEGER || sqlite3_column_int64(q, 10) <= 0) {
        snprintf(why, cap, "n_atoms is %s, not a positive integer",
                 t == SQLITE_INTEGER ? "<= 0" : type_name(t));
        return why;
    }
    size_t n_row = (size_t)sqlite3_column_int64(q, 10);
    if (n > 0 && n_row != n) {
        snprintf(why, cap, "n_atoms is %zu, the structure has %zu", n_row, n);
        return why;
    }
    for (int c = 1; c <= 4; c++) {
        t = sqlite3_column_type(q, c);
        if (t == SQLITE_TEXT || t == SQLITE_BLOB) {
            snprintf(why, cap, "%s is stored as %s, not a number", real_cols[c], type_name(t));
            return why;
        }
        if (t != SQLITE_NULL && !isfinite(sqlite3_column_double(q, c))) {
            snprintf(why, cap, "%s is %g, not finite", real_cols[c], sqlite3_column_double(q, c));
            return why;
        }
    }
    for (int c = 5; c <= 7; c++) {
        t = sqlite3_column_type(q, c);
        if (t != SQLITE_NULL && (t != SQLITE_INTEGER || sqlite3_column_int64(q, c) < 0)) {
            snprintf(why, cap, "%s is %s, not a count", int_cols[c - 5],
                     t == SQLITE_INTEGER ? "negative" : type_name(t));
            return why;
        }
    }
    t = sqlite3_column_type(q, 9);
    if (t != SQLITE_NULL && t != SQLITE_BLOB) {
        snprintf(why, cap, "positions are %s, not a blob", type_name(t));
        return why;
    }
    if (sqlite3_column_int(q, 0) != AS_OK)
        return NULL; /* a failed label: tried again by the callers anyway */
    t = sqlite3_column_type(q, 1);
    if (n > 0 && t == SQLITE_NULL) {
        snprintf(why, cap, "status ok without an energy (NULL)");
        return why;
    }
    if (t != SQLITE_NULL) {
        double e = sqlite3_column_double(q, 1), epa = fabs(e) / (double)n_row;
        if (!(epa <= st->e_atom_max_ev)) {
            snprintf(why, cap,
                     "|E| / atom = %.6g eV is outside the plausible window of %g eV/atom "
                     "(E = %.17g eV, %zu atoms)",
                     epa, st->e_atom_max_ev, e, n_row);
            return why;
        }
    }
    if (want_pos && sqlite3_column_int(q, 6)) {
        size_t bytes = (size_t)sqlite3_column_bytes(q, 9);
        if (t = sqlite3_column_type(q, 9), t != SQLITE_BLOB) {
            snprintf(why, cap, "relaxed without positions (NULL)");
            return why;
        }
        if (bytes != 3 * n_row * sizeof(double)) {
            snprintf(why, cap, "positions blob of %zu bytes, %zu atoms need %zu", bytes, n_row,
                     3 * n_row * sizeof(double));
            return why;
        }
        const unsigned char *b = sqlite3_column_blob(q, 9);
        for (size_t i = 0; i < 3 * n_row; i++) {
            double x;
            memcpy(&x, b + i * sizeof x, sizeof x);
            if (!isfinite(x)) {
                snprintf(why, cap, "position %zu of atom %zu is not finite", i % 3 + 1, i / 3 + 1);
                return why;
            }
        }
    }
    return NULL;
}

as_status as_label_store_get(as_store *st, uint64_t key, as_label_result *out, double *relaxed_pos,
                             size_t n, int *found)
{
    as_status s = AS_OK;
    char why[160];
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
    const char *bad = row_problem(st, st->get, n, relaxed_pos != NULL, why, sizeof why);
    if (bad) { /* reported and treated as missing: the caller computes it again */
        const unsigned char *m = sqlite3_column_text(st->get, 11);
        st->n_corrupt++;
        as_log(AS_LOG_WARN, "%s: stored label %016llx (%s) is unusable: %s; computing it again",
               st->path, (unsigned long long)key, m ? (const char *)m : "no method", bad);
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
    if (sqlite3_column_type(st->get, 12) != SQLITE_NULL) /* 1 / 0 -> 1 / -1; NULL -> 0 */
        out->converged = sqlite3_column_int(st->get, 12) ? 1 : -1;
    if (sqlite3_column_type(st->get, 13) == SQLITE_BLOB &&
        sqlite3_column_bytes(st->get, 13) == (int)(6 * sizeof(double))) {
        memcpy(out->stress, sqlite3_column_blob(st->get, 13), 6 * sizeof(double));
        out->has_stress = 1;
    }
    const unsigned char *wd = sqlite3_column_text(st->get, 14);
    snprintf(out->workdir, sizeof out->workdir, "%s", wd ? (const char *)wd : "");
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

/* the info pairs of a structure as a JSON object (NULL when none) */
static char *metadata_json(const as_structure *f)
{
    if (!f || f->n_info == 0)
        return NULL;
    as_json *o = as_json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < f->n_info; i++)
        if (as_json_set_str(o, f->info_keys[i], f->info_values[i]) != AS_OK) {
            as_json_free(o);
            return NULL;
        }
    char *t = as_json_print(o);
    as_json_free(o);
    return t;
}

static as_status put_row(as_store *st, uint64_t key, const char *method, const as_structure *s,
                         const as_label_result *r, const double *pos, const as_structure *final)
{
    sqlite3_stmt *q = st->put;
    char *meta = metadata_json(final);
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
    if (pos)
        sqlite3_bind_blob(q, 14, pos, (int)(3 * s->n * sizeof(double)), SQLITE_TRANSIENT);
    if (final && final->forces && final->n == s->n)
        sqlite3_bind_blob(q, 15, final->forces, (int)(3 * s->n * sizeof(double)), SQLITE_TRANSIENT);
    if (r->has_stress)
        sqlite3_bind_blob(q, 16, r->stress, (int)(6 * sizeof(double)), SQLITE_TRANSIENT);
    if (final)
        sqlite3_bind_blob(q, 17, final->cell, (int)(9 * sizeof(double)), SQLITE_TRANSIENT);
    if (r->converged) /* 1 converged, 0 not; NULL: no verdict */
        sqlite3_bind_int(q, 18, r->converged > 0);
    if (meta)
        sqlite3_bind_text(q, 19, meta, -1, SQLITE_TRANSIENT);
    if (r->workdir[0])
        sqlite3_bind_text(q, 20, r->workdir, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q); /* autocommit: one transaction per label */
    sqlite3_reset(q);
    as_free(meta);
    if (rc != SQLITE_DONE)
        return db_fail(st, "cannot store a label");
    return AS_OK;
}

as_status as_label_store_set_source(as_store *st, uint64_t key, const char *source)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "UPDATE label_result SET source = ?1 WHERE key = ?2", -1, &q,
                           NULL) != SQLITE_OK)
        return db_fail(st, "cannot prepare a source update");
    sqlite3_bind_text(q, 1, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)key);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return db_fail(st, "cannot set the source of a label");
    if (sqlite3_changes(st->db) != 1)
        return AS_FAIL(AS_EINVAL, "store %s: no label %016llx to give a source", st->path,
                       (unsigned long long)key);
    return AS_OK;
}

as_status as_label_store_get_source(as_store *st, uint64_t key, char **source)
{
    sqlite3_stmt *q = NULL;
    as_status s = AS_OK;
    *source = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT source FROM label_result WHERE key = ?1", -1, &q,
                           NULL) != SQLITE_OK)
        return db_fail(st, "cannot prepare a source lookup");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_TEXT) {
        *source = as_strdup((const char *)sqlite3_column_text(q, 0));
        if (!*source)
            s = AS_FAIL(AS_ENOMEM, "store: source");
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        s = db_fail(st, "cannot read the source of a label");
    }
    sqlite3_finalize(q);
    return s;
}

as_status as_label_store_put(as_store *st, uint64_t key, const char *method, const as_structure *s,
                             const as_label_result *r, const double *relaxed_pos)
{
    return put_row(st, key, method, s, r, relaxed_pos, NULL);
}

as_status as_label_store_put_final(as_store *st, uint64_t key, const char *method,
                                   const as_structure *s, const as_label_result *r,
                                   const as_structure *final)
{
    if (final && final->n != s->n)
        final = NULL;
    return put_row(st, key, method, s, r, final ? final->pos : NULL, final);
}

as_status as_label_store_get_final(as_store *st, uint64_t key, as_structure *final, char **metadata,
                                   int *found)
{
    as_status s = AS_OK;
    sqlite3_stmt *q = st->get_final;
    *found = 0;
    if (metadata)
        *metadata = NULL;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE)
        goto done;
    if (rc != SQLITE_ROW) {
        s = db_fail(st, "lookup failed");
        goto done;
    }
    *found = 1;
    size_t n = (size_t)sqlite3_column_int64(q, 0), b3 = 3 * final->n * sizeof(double);
    if (n != final->n)
        goto done;
    if (sqlite3_column_type(q, 1) == SQLITE_BLOB && (size_t)sqlite3_column_bytes(q, 1) == b3)
        memcpy(final->pos, sqlite3_column_blob(q, 1), b3);
    if (sqlite3_column_type(q, 2) == SQLITE_BLOB && sqlite3_column_bytes(q, 2) == 9 * 8)
        memcpy(final->cell, sqlite3_column_blob(q, 2), 9 * sizeof(double));
    if (sqlite3_column_type(q, 3) == SQLITE_BLOB && (size_t)sqlite3_column_bytes(q, 3) == b3) {
        if ((s = as_structure_alloc_forces(final)) != AS_OK)
            goto done;
        memcpy(final->forces, sqlite3_column_blob(q, 3), b3);
    }
    const unsigned char *m = sqlite3_column_text(q, 4);
    if (metadata && m && !(*metadata = as_strdup((const char *)m)))
        s = AS_FAIL(AS_ENOMEM, "store: out of memory");
done:
    sqlite3_reset(q);
    return s;
}

as_status as_label_store_count(as_store *st, size_t *count)
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

/* ---- campaign records ---- */

as_status as_store_meta_get(as_store *st, const char *key, char **value)
{
    sqlite3_stmt *q = NULL;
    *value = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM campaign_meta WHERE key = ?", -1, &q, NULL) !=
        SQLITE_OK)
        return db_fail(st, "cannot read campaign_meta");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    as_status s = AS_OK;
    if (rc == SQLITE_ROW) {
        *value = as_strdup((const char *)sqlite3_column_text(q, 0));
        if (!*value)
            s = AS_FAIL(AS_ENOMEM, "store: out of memory");
    } else if (rc != SQLITE_DONE) {
        s = db_fail(st, "cannot read campaign_meta");
    }
    sqlite3_finalize(q);
    return s;
}

/* Run one statement binding text a, then (with use_n) the integer n and text b, else text b. */
static as_status write2(as_store *st, const char *sql, const char *a, const char *b,
                        sqlite3_int64 n, int use_n)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, "cannot write");
    sqlite3_bind_text(q, 1, a, -1, SQLITE_TRANSIENT);
    if (use_n) {
        sqlite3_bind_int64(q, 2, n);
        sqlite3_bind_text(q, 3, b, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(q, 2, b, -1, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? AS_OK : db_fail(st, "cannot write");
}

as_status as_store_meta_set(as_store *st, const char *key, const char *value)
{
    return write2(st, "INSERT OR REPLACE INTO campaign_meta(key, value) VALUES(?, ?)", key, value,
                  0, 0);
}

as_status as_store_record_put(as_store *st, const char *system, size_t round, const char *json)
{
    sqlite3_int64 r = round == (size_t)-1 ? -1 : (sqlite3_int64)round;
    return write2(st, "INSERT OR REPLACE INTO campaign_record(system, round, json) VALUES(?, ?, ?)",
                  system, json, r, 1);
}

as_status as_store_record_count(as_store *st, size_t *count)
{
    sqlite3_int64 n;
    *count = 0;
    if (query_int(st, "SELECT count(*) FROM campaign_record", &n) != SQLITE_OK)
        return db_fail(st, "cannot count campaign records");
    *count = (size_t)n;
    return AS_OK;
}

as_status as_store_record_ids(as_store *st, as_store_record_id **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT system, round FROM campaign_record ORDER BY system, round", -1,
                           &q, NULL) != SQLITE_OK)
        return db_fail(st, "cannot read campaign records");
    as_store_record_id *v = NULL;
    size_t nv = 0, cap = 0;
    as_status s = AS_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (nv == cap) {
            cap = cap ? 2 * cap : 32;
            as_store_record_id *w = as_realloc(v, cap * sizeof *v);
            if (!w) {
                s = AS_FAIL(AS_ENOMEM, "store: %zu records", cap);
                break;
            }
            v = w;
        }
        const unsigned char *t = sqlite3_column_text(q, 0);
        snprintf(v[nv].system, sizeof v[nv].system, "%s", t ? (const char *)t : "");
        v[nv].round = (long)sqlite3_column_int64(q, 1);
        nv++;
    }
    if (s == AS_OK && rc != SQLITE_DONE)
        s = db_fail(st, "cannot read campaign records");
    sqlite3_finalize(q);
    if (s != AS_OK) {
        as_free(v);
        return s;
    }
    *out = v;
    *n = nv;
    return AS_OK;
}

/* ---- cluster jobs (issue 15; the executor's records, executor.h) ---- */

as_status as_store_job_put(as_store *st, const as_store_job *j)
{
    static const char *sql =
        "INSERT INTO job(key, system, round, job_id, job_name, dir, state, attempts, reason,"
        " failures) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, ''),"
        " CASE WHEN ?7 = 'failed' THEN 'attempt ' || ?8 || ': ' || ?9 END)"
        " ON CONFLICT(key) DO UPDATE SET system = excluded.system, round = excluded.round,"
        " job_id = excluded.job_id, job_name = excluded.job_name, dir = excluded.dir,"
        " state = excluded.state, attempts = excluded.attempts, reason = excluded.reason,"
        " failures = CASE WHEN excluded.state = 'failed' THEN coalesce(job.failures || char(10),"
        " '') || 'attempt ' || excluded.attempts || ': ' || coalesce(excluded.reason, '')"
        " ELSE job.failures END,"
        " submitted = CASE WHEN excluded.state = 'submitting' THEN CURRENT_TIMESTAMP"
        " ELSE job.submitted END, updated = CURRENT_TIMESTAMP";
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, "cannot write a job");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)j->key);
    sqlite3_bind_text(q, 2, j->system, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)j->round);
    sqlite3_bind_text(q, 4, j->job_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, j->job_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 6, j->dir, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 7, j->state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 8, (sqlite3_int64)j->attempts);
    sqlite3_bind_text(q, 9, j->reason, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q); /* autocommit: committed before the executor acts on it */
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? AS_OK : db_fail(st, "cannot write a job");
}

static void col_text(sqlite3_stmt *q, int c, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(q, c);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

as_status as_store_jobs(as_store *st, as_store_job **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT key, system, round, job_id, job_name, dir, state, attempts,"
            " reason, failures, submitted, updated FROM job"
            " ORDER BY system, round, submitted, job_name, length(job_id), job_id, key",
            -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, "cannot read the jobs");
    as_store_job *v = NULL;
    size_t nv = 0, cap = 0;
    as_status s = AS_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (nv == cap) {
            cap = cap ? 2 * cap : 64;
            as_store_job *w = as_realloc(v, cap * sizeof *v);
            if (!w) {
                s = AS_FAIL(AS_ENOMEM, "store: %zu jobs", cap);
                break;
            }
            v = w;
        }
        as_store_job *j = &v[nv++];
        memset(j, 0, sizeof *j);
        j->key = (uint64_t)sqlite3_column_int64(q, 0);
        col_text(q, 1, j->system, sizeof j->system);
        j->round = (long)sqlite3_column_int64(q, 2);
        col_text(q, 3, j->job_id, sizeof j->job_id);
        col_text(q, 4, j->job_name, sizeof j->job_name);
        col_text(q, 5, j->dir, sizeof j->dir);
        col_text(q, 6, j->state, sizeof j->state);
        sqlite3_int64 a = sqlite3_column_int64(q, 7);
        j->attempts = a > 0 ? (size_t)a : 1;
        col_text(q, 8, j->reason, sizeof j->reason);
        col_text(q, 9, j->failures, sizeof j->failures);
        col_text(q, 10, j->submitted, sizeof j->submitted);
        col_text(q, 11, j->updated, sizeof j->updated);
    }
    if (s == AS_OK && rc != SQLITE_DONE)
        s = db_fail(st, "cannot read the jobs");
    sqlite3_finalize(q);
    if (s != AS_OK) {
        as_free(v);
        return s;
    }
    *out = v;
    *n = nv;
    return AS_OK;
}
