/*
 * link.db: the link's own state, apart from the station's database (which
 * the link only reads). Its tables are made here with CREATE TABLE IF NOT
 * EXISTS; DOWN's handlers add theirs the same way. The daemon reads
 * meta 'acked_through' to prune its outbox (scheduler/airlog.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

#include "link/link.h"
#include "store/store.h"

static const char state_schema[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    "CREATE TABLE IF NOT EXISTS meta (\n"
    "  key   TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE TABLE IF NOT EXISTS acked (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  at INTEGER NOT NULL\n"
    ") STRICT;\n"
    "INSERT OR IGNORE INTO meta (key, value) VALUES ('acked_through', '0');\n";

int
link_state_open(const char *datadir, sqlite3 **out, char **cause)
{
	char *dir, *path;
	int rc;

	*out = NULL;
	xasprintf(&dir, "%s/%s", datadir, LINK_DIR);
	if ((mkdir(datadir, 0750) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0750) != 0 && errno != EEXIST)) {
		xasprintf(cause, _("%s: cannot create the link's directory: %s"), dir,
		    strerror(errno));
		free(dir);
		return -1;
	}
	xasprintf(&path, "%s/%s", dir, LINK_STATE_DB);
	free(dir);
	rc = store_open_side(path, state_schema, 5000, out, cause);
	free(path);
	return rc;
}

sqlite3 *
link_state_db(struct link_env *env)
{
	return env->state;
}

/* Runs a query of one integer with up to one integer parameter; def if none. */
static int64_t
state_int(sqlite3 *db, const char *sql, int64_t arg, int64_t def)
{
	sqlite3_stmt *q;
	int64_t v = def;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return def;
	if (sqlite3_bind_parameter_count(q) > 0)
		sqlite3_bind_int64(q, 1, arg);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

int64_t
link_state_acked_through(sqlite3 *db)
{
	return state_int(db, "SELECT CAST(value AS INTEGER) FROM meta"
	    " WHERE key = 'acked_through'", 0, 0);
}

int
link_state_is_acked(sqlite3 *db, int64_t id)
{
	return id <= link_state_acked_through(db) ||
	    state_int(db, "SELECT 1 FROM acked WHERE id = ?1", id, 0) == 1;
}

int
link_state_ack(sqlite3 *db, struct store *st, int64_t id, char **cause)
{
	int64_t w = link_state_acked_through(db), next;
	sqlite3_stmt *q;
	char buf[32];
	int rc;

	if (id <= w)
		return 0;
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO acked (id, at) VALUES (?1,"
	    " CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))", -1, &q,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		goto fail;
	/* Move the watermark over the acknowledged ids that follow it. */
	for (;;) {
		next = state_int(store_db(st), "SELECT min(id) FROM outbox WHERE id > ?1",
		    w, 0);
		if (next <= 0 || state_int(db, "SELECT 1 FROM acked WHERE id = ?1",
		    next, 0) != 1)
			break;
		w = next;
	}
	if (w == link_state_acked_through(db))
		return 0;
	if (sqlite3_prepare_v2(db, "UPDATE meta SET value = ?1 WHERE key ="
	    " 'acked_through'", -1, &q, NULL) != SQLITE_OK)
		goto fail;
	snprintf(buf, sizeof buf, "%lld", (long long)w);
	sqlite3_bind_text(q, 1, buf, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		goto fail;
	if (sqlite3_prepare_v2(db, "DELETE FROM acked WHERE id <= ?1", -1, &q, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, w);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	xasprintf(cause, "link.db: %s", sqlite3_errmsg(db));
	return -1;
}

int64_t
link_state_queued(sqlite3 *db, struct store *st)
{
	int64_t w = link_state_acked_through(db), n;

	if (st == NULL)
		return 0;
	n = state_int(store_db(st), "SELECT count(*) FROM outbox WHERE id > ?1", w, 0) -
	    state_int(db, "SELECT count(*) FROM acked WHERE id > ?1", w, 0);
	return n < 0 ? 0 : n;
}
