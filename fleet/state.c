/*
 * fleet.db: what the district keeps of what its stations sent (DATA/fleet.db,
 * its own SQLite file, tables made here with CREATE TABLE IF NOT EXISTS):
 * each station's last state, every airing row (once per msg_id), the
 * acknowledgements, the exports collected and what was sent. Messages are
 * kept as the JSON they came in; the queries read them with SQLite's JSON
 * functions, so no field is lost to a parser here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "fleet/fleet.h"
#include "store/store.h"

static const char fleet_schema[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    "CREATE TABLE IF NOT EXISTS states (\n"
    "  station     TEXT PRIMARY KEY,\n"
    "  online      INTEGER NOT NULL,\n"
    "  since_ms    INTEGER,\n"         /* online or offline since */
    "  seen_ms     INTEGER NOT NULL,\n" /* last sign of life */
    "  offset_ms   INTEGER,\n"         /* station's clock minus ours */
    "  offset_at_ms INTEGER,\n"
    "  json        TEXT NOT NULL\n"     /* the last state as it came */
    ") STRICT;\n"
    "CREATE TABLE IF NOT EXISTS airings (\n"
    "  msg_id      TEXT PRIMARY KEY,\n"
    "  station     TEXT NOT NULL,\n"
    "  airing_id   INTEGER,\n"
    "  received_ms INTEGER NOT NULL,\n"
    "  json        TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX IF NOT EXISTS airings_station ON airings (station, airing_id);\n"
    "CREATE TABLE IF NOT EXISTS acks (\n"
    "  msg_id      TEXT NOT NULL,\n"
    "  what        TEXT NOT NULL,\n"   /* arrived, imported, ...; '' for commands */
    "  station     TEXT NOT NULL,\n"
    "  ok          INTEGER NOT NULL,\n"
    "  why         TEXT,\n"
    "  received_ms INTEGER NOT NULL,\n"
    "  json        TEXT NOT NULL,\n"
    "  PRIMARY KEY (msg_id, what)\n"
    ") STRICT;\n"
    "CREATE TABLE IF NOT EXISTS exports (\n"
    "  station     TEXT NOT NULL,\n"
    "  request     INTEGER NOT NULL,\n"
    "  period      TEXT,\n"
    "  received_ms INTEGER NOT NULL,\n"
    "  file        TEXT,\n"
    "  verdict     TEXT,\n"            /* verified, failed, mismatch */
    "  why         TEXT,\n"
    "  PRIMARY KEY (station, request)\n"
    ") STRICT;\n"
    "CREATE TABLE IF NOT EXISTS sent (\n"
    "  id          INTEGER PRIMARY KEY,\n"
    "  kind        TEXT NOT NULL,\n"   /* package, command */
    "  ref         TEXT NOT NULL,\n"   /* the package's SHA-256, the command's id */
    "  station     TEXT NOT NULL,\n"
    "  sent_ms     INTEGER NOT NULL,\n"
    "  bulletins   TEXT\n"             /* a package's bulletins' SHA-256s */
    ") STRICT;\n";

int
fleet_db_open(const struct config *cfg, sqlite3 **out, char **cause)
{
	char *path;
	int rc;

	*out = NULL;
	if (mkdir(cfg->paths.data, 0750) != 0 && errno != EEXIST) {
		xasprintf(cause, _("%s: cannot create the data directory: %s"),

		    cfg->paths.data, strerror(errno));
		return -1;
	}
	xasprintf(&path, "%s/%s", cfg->paths.data, FLEET_DB);
	rc = store_open_side(path, fleet_schema, 10000, out, cause);
	free(path);
	return rc;
}

/*
 * Runs sql with the arguments fmt names: 't' a text, 'i' an int64_t, 'n'
 * NULL (takes no argument). 0, or -1 when SQLite refused.
 */
static int
fleet_db_exec(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *q;
	va_list ap;
	const char *s;
	int i, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	va_start(ap, fmt);
	for (i = 0; fmt[i] != '\0'; i++) {
		switch (fmt[i]) {
		case 't':
			s = va_arg(ap, const char *);
			sqlite3_bind_text(q, i + 1, s, -1, SQLITE_TRANSIENT);
			break;
		case 'i':
			sqlite3_bind_int64(q, i + 1, va_arg(ap, int64_t));
			break;
		default:
			sqlite3_bind_null(q, i + 1);
		}
	}
	va_end(ap);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The integer an SQL expression over ?1 (a JSON text) gives, or dflt. */
static int64_t
fleet_json_int(sqlite3 *db, const char *json, const char *path, int64_t dflt,
    int *null)
{
	sqlite3_stmt *q;
	int64_t v = dflt;

	*null = 1;
	if (sqlite3_prepare_v2(db, "SELECT json_extract(?1, ?2) WHERE json_valid(?1)",
	    -1, &q, NULL) != SQLITE_OK)
		return dflt;
	sqlite3_bind_text(q, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		v = sqlite3_column_int64(q, 0);
		*null = 0;
	}
	sqlite3_finalize(q);
	return v;
}

int
fleet_db_state(sqlite3 *db, const char *station, const char *json, int retained,
    int64_t now_ms)
{
	sqlite3_stmt *q;
	int64_t online, sent, since, prev_seen = 0, prev_since = 0;
	int null, prev = 0, prev_online = 0, prev_since_null = 1;

	online = fleet_json_int(db, json, "$.online", -1, &null);
	if (null)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT online, since_ms, seen_ms FROM states"
	    " WHERE station = ?1", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW) {
			prev = 1;
			prev_online = sqlite3_column_int(q, 0);
			prev_since_null = sqlite3_column_type(q, 1) == SQLITE_NULL;
			prev_since = sqlite3_column_int64(q, 1);
			prev_seen = sqlite3_column_int64(q, 2);
		}
		sqlite3_finalize(q);
	}
	if (online) {
		sent = fleet_json_int(db, json, "$.sent_at_ms", now_ms, &null);
		since = fleet_json_int(db, json, "$.connected_since_ms", sent, &null);
		/* Only a message heard as it was sent says the clock's offset. */
		if (!retained)
			return fleet_db_exec(db, "INSERT OR REPLACE INTO states (station,"
			    " online, since_ms, seen_ms, offset_ms, offset_at_ms, json)"
			    " VALUES (?1, 1, ?2, ?3, ?4, ?3, ?5)", "tiiit", station, since,
			    now_ms, sent - now_ms, json);
		return fleet_db_exec(db, "INSERT INTO states (station, online, since_ms,"
		    " seen_ms, json) VALUES (?1, 1, ?2, ?3, ?4) ON CONFLICT (station) DO"
		    " UPDATE SET online = 1, since_ms = ?2, seen_ms = max(seen_ms, ?3),"
		    " json = ?4", "tiit", station, since, sent, json);
	}
	/*
	 * Offline (the last will): since now when heard live; from a retained
	 * will, since the last sign of life we had, if any.
	 */
	if (!retained && (!prev || prev_online))
		since = now_ms;
	else if (prev && !prev_online && !prev_since_null)
		since = prev_since;
	else
		since = prev ? prev_seen : 0;
	if (since <= 0)
		return fleet_db_exec(db, "INSERT INTO states (station, online, seen_ms,"
		    " json) VALUES (?1, 0, 0, ?2) ON CONFLICT (station) DO UPDATE SET"
		    " online = 0, json = ?2", "tt", station, json);
	return fleet_db_exec(db, "INSERT INTO states (station, online, since_ms,"
	    " seen_ms, json) VALUES (?1, 0, ?2, ?3, ?4) ON CONFLICT (station) DO"
	    " UPDATE SET online = 0, since_ms = ?2, json = ?4", "tiit", station, since,
	    prev ? prev_seen : (int64_t)0, json);
}

int
fleet_db_airing(sqlite3 *db, const char *station, const char *json, int64_t now_ms,
    int *fresh)
{
	sqlite3_stmt *q;
	int rc;

	*fresh = 0;
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO airings (msg_id, station,"
	    " airing_id, received_ms, json) SELECT json_extract(?2, '$.msg_id'), ?1,"
	    " json_extract(?2, '$.id'), ?3, ?2 WHERE json_valid(?2) AND"
	    " json_type(?2, '$.msg_id') = 'text'", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now_ms);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return -1;
	*fresh = sqlite3_changes(db) > 0;
	return 0;
}

int
fleet_db_ack(sqlite3 *db, const char *station, const char *json, int64_t now_ms)
{
	return fleet_db_exec(db, "INSERT OR IGNORE INTO acks (msg_id, what, station,"
	    " ok, why, received_ms, json) SELECT json_extract(?2, '$.msg_id'),"
	    " coalesce(json_extract(?2, '$.what'), ''), ?1,"
	    " coalesce(json_extract(?2, '$.ok'), 0), json_extract(?2, '$.why'), ?3, ?2"
	    " WHERE json_valid(?2) AND json_type(?2, '$.msg_id') = 'text'", "tti",
	    station, json, now_ms);
}

int
fleet_db_sent(sqlite3 *db, const char *kind, const char *ref, const char *station,
    const char *bulletins, int64_t now_ms)
{
	return fleet_db_exec(db, "INSERT INTO sent (kind, ref, station, sent_ms,"
	    " bulletins) VALUES (?1, ?2, ?3, ?4, ?5)", bulletins ? "tttit" : "tttin",
	    kind, ref, station, now_ms, bulletins);
}

int
fleet_db_export(sqlite3 *db, const char *station, int64_t request,
    const char *period, const char *file, const char *verdict, const char *why,
    int64_t now_ms)
{
	return fleet_db_exec(db, "INSERT OR REPLACE INTO exports (station, request,"
	    " period, received_ms, file, verdict, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	    " ?7)", why ? "titittt" : "titittn", station, request, period, now_ms,
	    file, verdict, why);
}
