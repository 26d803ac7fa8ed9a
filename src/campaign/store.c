/* The campaign tables in the SQLite file (the only file of this area that includes sqlite3.h). */
#include <sqlite3.h>
#include <string.h>

#include "alloyscout/campaign.h"
#include "core_int.h"

struct as_campaign_db {
    sqlite3 *db;
};

static as_status db_fail(as_campaign_db *d, const char *what)
{
    return AS_FAIL(AS_EDB, "campaign store: %s: %s", what, d->db ? sqlite3_errmsg(d->db) : "");
}

as_status as_campaign_db_open(const char *path, as_campaign_db **out)
{
    *out = NULL;
    as_campaign_db *d = as_calloc(1, sizeof *d);
    if (!d)
        return AS_FAIL(AS_ENOMEM, "campaign store: cannot allocate");
    if (sqlite3_open(path, &d->db) != SQLITE_OK) {
        as_status st = AS_FAIL(AS_EDB, "campaign store: cannot open %s: %s", path,
                               d->db ? sqlite3_errmsg(d->db) : "out of memory");
        as_campaign_db_close(d);
        return st;
    }
    sqlite3_busy_timeout(d->db, 10000);
    const char *schema =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "CREATE TABLE IF NOT EXISTS campaign_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS campaign_record(system TEXT NOT NULL, round INTEGER NOT NULL,"
        " json TEXT NOT NULL, PRIMARY KEY(system, round));";
    char *err = NULL;
    if (sqlite3_exec(d->db, schema, NULL, NULL, &err) != SQLITE_OK) {
        as_status st = AS_FAIL(AS_EDB, "campaign store: %s is not a usable SQLite file: %s", path,
                               err ? err : "");
        sqlite3_free(err);
        as_campaign_db_close(d);
        return st;
    }
    *out = d;
    return AS_OK;
}

void as_campaign_db_close(as_campaign_db *d)
{
    if (!d)
        return;
    sqlite3_close(d->db);
    as_free(d);
}

as_status as_campaign_db_get(as_campaign_db *d, const char *key, char **value)
{
    sqlite3_stmt *q = NULL;
    *value = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT value FROM campaign_meta WHERE key = ?", -1, &q,
                           NULL) != SQLITE_OK)
        return db_fail(d, "read");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    as_status st = AS_OK;
    if (rc == SQLITE_ROW) {
        *value = as_strdup((const char *)sqlite3_column_text(q, 0));
        if (!*value)
            st = AS_FAIL(AS_ENOMEM, "campaign store: out of memory");
    } else if (rc != SQLITE_DONE) {
        st = db_fail(d, "read");
    }
    sqlite3_finalize(q);
    return st;
}

static as_status exec2(as_campaign_db *d, const char *sql, const char *a, const char *b,
                       sqlite3_int64 n, int use_n)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(d->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(d, "write");
    sqlite3_bind_text(q, 1, a, -1, SQLITE_TRANSIENT);
    if (use_n) {
        sqlite3_bind_int64(q, 2, n);
        sqlite3_bind_text(q, 3, b, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(q, 2, b, -1, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? AS_OK : db_fail(d, "write");
}

as_status as_campaign_db_set(as_campaign_db *d, const char *key, const char *value)
{
    return exec2(d, "INSERT OR REPLACE INTO campaign_meta(key, value) VALUES(?, ?)", key, value,
                 0, 0);
}

as_status as_campaign_db_put(as_campaign_db *d, const char *system, size_t round,
                             const char *json)
{
    sqlite3_int64 r = round == (size_t)-1 ? -1 : (sqlite3_int64)round;
    return exec2(d, "INSERT OR REPLACE INTO campaign_record(system, round, json) VALUES(?, ?, ?)",
                 system, json, r, 1);
}

as_status as_campaign_db_count(as_campaign_db *d, size_t *count)
{
    sqlite3_stmt *q = NULL;
    *count = 0;
    if (sqlite3_prepare_v2(d->db, "SELECT count(*) FROM campaign_record", -1, &q, NULL) !=
        SQLITE_OK)
        return db_fail(d, "count");
    if (sqlite3_step(q) == SQLITE_ROW)
        *count = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return AS_OK;
}
