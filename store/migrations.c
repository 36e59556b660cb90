/*
 * The schema, as an ordered list of migrations. Version N is migrations[N-1];
 * never edit a released migration, append a new one.
 */
#include <stddef.h>

#include "store/migrations.h"

static const char *const migrations[] = {
	/*
	 * 1: the store's own facts (station key, creation time), and the airing
	 * log. Times are milliseconds since the Unix epoch, UTC. A row is one play
	 * of one bulletin, or one slot occurrence that did not air (bulletin_id
	 * NULL, outcome missed or skipped). outcome 'playing' marks a row whose
	 * airing is under way; heartbeat_at and played_ms are kept current while
	 * it plays, so that a row left 'playing' after a crash can be closed as
	 * interrupted with what played. slot and slot_start identify the slot
	 * occurrence (NULL for a play the operator asked for).
	 */
	"CREATE TABLE meta (\n"
	"  key   TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	") STRICT;\n"
	"CREATE TABLE airings (\n"
	"  id           INTEGER PRIMARY KEY,\n"
	"  bulletin_id  INTEGER,\n"
	"  sha256       TEXT,\n"
	"  slot         TEXT,\n"
	"  slot_start   INTEGER,\n"
	"  priority     TEXT NOT NULL DEFAULT 'normal'\n"
	"               CHECK (priority IN ('normal', 'priority', 'emergency')),\n"
	"  scheduled_at INTEGER NOT NULL,\n"
	"  started_at   INTEGER,\n"
	"  ended_at     INTEGER,\n"
	"  heartbeat_at INTEGER,\n"
	"  played_ms    INTEGER NOT NULL DEFAULT 0 CHECK (played_ms >= 0),\n"
	"  outcome      TEXT NOT NULL CHECK (outcome IN ('playing', 'completed',\n"
	"               'interrupted', 'failed', 'missed', 'skipped')),\n"
	"  reason       TEXT\n"
	") STRICT;\n"
	"CREATE INDEX airings_by_time ON airings (scheduled_at);\n"
	"CREATE INDEX airings_by_bulletin ON airings (bulletin_id, scheduled_at);\n"
	"CREATE INDEX airings_open ON airings (outcome) WHERE outcome = 'playing';\n",
};

const char *
store_migration(int version)
{
	if (version < 1 || (size_t)version > sizeof migrations / sizeof migrations[0])
		return NULL;
	return migrations[version - 1];
}

int
store_latest_version(void)
{
	return (int)(sizeof migrations / sizeof migrations[0]);
}
