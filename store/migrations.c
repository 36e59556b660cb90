/*
 * The schema, as an ordered list of migrations. Version N is migrations[N-1];
 * never edit a released migration, append a new one.
 */
#include <stddef.h>

#include "store/migrations.h"
#include "store/store.h"

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
	/*
	 * 2: the bulletin library. A row is one piece of content, unique by the
	 * SHA-256 of its file, kept as DATA/<file>. status is the workflow state;
	 * approved_sha256 is what was approved (the player refuses any other
	 * bytes). valid_from/valid_until are inclusive local dates, YYYY-MM-DD.
	 * bulletin_events is the append-only audit trail: who did what, when
	 * (ms since the epoch, UTC) and why.
	 */
	"CREATE TABLE bulletins (\n"
	"  id              INTEGER PRIMARY KEY,\n"
	"  sha256          TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),\n"
	"  file            TEXT NOT NULL,\n"
	"  title           TEXT NOT NULL,\n"
	"  topic           TEXT,\n"
	"  agency          TEXT,\n"
	"  priority        TEXT NOT NULL DEFAULT 'normal'\n"
	"                  CHECK (priority IN ('normal', 'priority', 'emergency')),\n"
	"  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN\n"
	"                  ('pending', 'approved', 'rejected', 'retired')),\n"
	"  valid_from      TEXT,\n"
	"  valid_until     TEXT,\n"
	"  min_airings     INTEGER NOT NULL DEFAULT 0 CHECK (min_airings >= 0),\n"
	"  format          TEXT NOT NULL,\n"
	"  sample_rate     INTEGER NOT NULL,\n"
	"  channels        INTEGER NOT NULL,\n"
	"  duration_ms     INTEGER NOT NULL CHECK (duration_ms > 0),\n"
	"  size            INTEGER NOT NULL,\n"
	"  loudness_lufs   REAL,\n"
	"  true_peak_dbtp  REAL,\n"
	"  approved_sha256 TEXT,\n"
	"  approved_by     TEXT,\n"
	"  approved_at     INTEGER,\n"
	"  source          TEXT,\n"
	"  imported_at     INTEGER NOT NULL,\n"
	"  CHECK (status <> 'approved' OR approved_sha256 IS NOT NULL)\n"
	") STRICT;\n"
	"CREATE INDEX bulletins_by_status ON bulletins (status, topic);\n"
	"CREATE TABLE bulletin_events (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  bulletin_id INTEGER NOT NULL REFERENCES bulletins (id),\n"
	"  at          INTEGER NOT NULL,\n"
	"  actor       TEXT NOT NULL,\n"
	"  action      TEXT NOT NULL CHECK (action IN\n"
	"              ('import', 'approve', 'reject', 'retire', 'expire')),\n"
	"  from_status TEXT,\n"
	"  to_status   TEXT NOT NULL,\n"
	"  reason      TEXT,\n"
	"  sha256      TEXT NOT NULL\n"
	") STRICT;\n"
	"CREATE INDEX bulletin_events_by_bulletin ON bulletin_events (bulletin_id, id);\n"
	"CREATE TRIGGER bulletin_events_no_update BEFORE UPDATE ON bulletin_events\n"
	"BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;\n"
	"CREATE TRIGGER bulletin_events_no_delete BEFORE DELETE ON bulletin_events\n"
	"BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;\n",
	/*
	 * 3: bulletin tags, the short keys (1 to 32 of a-z, 0-9, '-' and '_',
	 * starting with a letter or digit) that rotate playlists select by. A
	 * bulletin has a set of them; each row says when (ms since the epoch,
	 * UTC) and by whom it was added (an importer, or a district key for a
	 * package). A table of its own rather than a column: selection matches
	 * one tag at a time, and a re-import adds tags to a bulletin as rows.
	 */
	"CREATE TABLE bulletin_tags (\n"
	"  bulletin_id INTEGER NOT NULL REFERENCES bulletins (id),\n"
	"  tag         TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 32 AND\n"
	"              tag GLOB '[a-z0-9]*' AND tag NOT GLOB '*[^a-z0-9_-]*'),\n"
	"  added_at    INTEGER NOT NULL,\n"
	"  added_by    TEXT NOT NULL,\n"
	"  PRIMARY KEY (bulletin_id, tag)\n"
	") STRICT, WITHOUT ROWID;\n",
	/*
	 * 4: the timetable's history, so that a report counts the slot
	 * occurrences that were scheduled, not only those the log has. A row is
	 * a timetable in force from in_force_from (ms since the epoch, UTC) until
	 * the next row's: its zone and its slots as scheduler/history.c
	 * serialises them (one slot a line), with their SHA-256. recorded_by
	 * says who recorded it: the daemon when it started or reloaded, or a
	 * report that found no history and took the configuration's timetable
	 * as in force since the store was created. meta 'created_at' dates the
	 * store (for one made before this migration, its oldest row).
	 */
	"CREATE TABLE timetables (\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  in_force_from INTEGER NOT NULL,\n"
	"  timezone      TEXT NOT NULL,\n"
	"  slots         TEXT NOT NULL,\n"
	"  sha256        TEXT NOT NULL CHECK (length(sha256) = 64),\n"
	"  recorded_by   TEXT NOT NULL CHECK (recorded_by IN ('daemon', 'report'))\n"
	") STRICT;\n"
	"CREATE INDEX timetables_by_time ON timetables (in_force_from);\n"
	"INSERT OR IGNORE INTO meta (key, value) SELECT 'created_at', CAST(min(\n"
	"  CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),\n"
	"  coalesce((SELECT min(scheduled_at) FROM airings), 9000000000000000000),\n"
	"  coalesce((SELECT min(imported_at) FROM bulletins), 9000000000000000000))\n"
	"  AS TEXT);\n",
	/*
	 * 5: replay protection for what is signed. A signer (an Ed25519 public
	 * key, base64) numbers what it signs; signer_sequences keeps, per scope
	 * ('package' now, 'command' for the station link's signed commands), the
	 * highest number accepted from it, its signing time (UTC seconds) and
	 * when it was accepted (ms). Anything not numbered above it is refused.
	 * bulletin_events gains the action 'correct': a newer package from the
	 * district changed a bulletin's metadata (the table is rebuilt, as
	 * SQLite cannot alter a CHECK; DROP TABLE fires no trigger).
	 */
	"CREATE TABLE signer_sequences " STORE_SIGNER_SEQUENCES ";\n"
	"CREATE TABLE bulletin_events_new (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  bulletin_id INTEGER NOT NULL REFERENCES bulletins (id),\n"
	"  at          INTEGER NOT NULL,\n"
	"  actor       TEXT NOT NULL,\n"
	"  action      TEXT NOT NULL CHECK (action IN\n"
	"              ('import', 'approve', 'reject', 'retire', 'expire', 'correct')),\n"
	"  from_status TEXT,\n"
	"  to_status   TEXT NOT NULL,\n"
	"  reason      TEXT,\n"
	"  sha256      TEXT NOT NULL\n"
	") STRICT;\n"
	"INSERT INTO bulletin_events_new SELECT id, bulletin_id, at, actor, action,\n"
	"  from_status, to_status, reason, sha256 FROM bulletin_events;\n"
	"DROP TABLE bulletin_events;\n"
	"ALTER TABLE bulletin_events_new RENAME TO bulletin_events;\n"
	"CREATE INDEX bulletin_events_by_bulletin ON bulletin_events (bulletin_id, id);\n"
	"CREATE TRIGGER bulletin_events_no_update BEFORE UPDATE ON bulletin_events\n"
	"BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;\n"
	"CREATE TRIGGER bulletin_events_no_delete BEFORE DELETE ON bulletin_events\n"
	"BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;\n",
	/*
	 * 6: an airing's reason is one code of scheduler/airlog.h's table, what
	 * reports count by; what else is known (the file, the device's message)
	 * is its detail, which `loaxa log` shows and nothing exports. Rows
	 * written before held both in reason ("tampered: FILE: ..."): they are
	 * split, and free text the player gave becomes 'player' with the text as
	 * detail. The codes are spelt out here as they were at this version.
	 */
	"ALTER TABLE airings ADD COLUMN detail TEXT;\n"
	"UPDATE airings SET detail = ltrim(substr(reason, instr(reason, ':') + 1)),\n"
	"  reason = substr(reason, 1, instr(reason, ':') - 1)\n"
	"  WHERE reason LIKE 'tampered:%' OR reason LIKE 'refused:%'\n"
	"  OR reason LIKE 'device:%';\n"
	"UPDATE airings SET detail = substr(reason, 8), reason = 'player'\n"
	"  WHERE reason LIKE 'player %';\n"
	"UPDATE airings SET detail = reason, reason = 'silence'\n"
	"  WHERE reason LIKE 'silence for %';\n"
	"UPDATE airings SET detail = reason, reason = 'player'\n"
	"  WHERE reason IS NOT NULL AND reason NOT IN ('emergency', 'shutdown',\n"
	"  'power loss', 'operator stop', 'skipped by operator', 'stopped',\n"
	"  'controller off', 'clock change', 'controller busy', 'no content',\n"
	"  'device', 'overlap', 'operator play', 'tampered', 'refused', 'decoder',\n"
	"  'player', 'silence', 'not logged');\n",
	/*
	 * 7: the airing log's hash chain (store/chain.c) and how each airing was
	 * paced. paced is 1 when the output ran at the audio's own rate (a
	 * device, or a file or null output with audio.realtime), 0 when it ran
	 * as fast as it could, NULL for a row that did not air. airing_chain has
	 * a link per closed row, in the order rows were closed; it is
	 * append-only, as the audit trail is.
	 */
	"ALTER TABLE airings ADD COLUMN paced INTEGER CHECK (paced IN (0, 1));\n"
	"CREATE TABLE airing_chain (\n"
	"  seq       INTEGER PRIMARY KEY,\n"
	"  airing_id INTEGER NOT NULL UNIQUE,\n"
	"  link      TEXT NOT NULL CHECK (length(link) = 64)\n"
	") STRICT;\n"
	"CREATE TRIGGER airing_chain_no_update BEFORE UPDATE ON airing_chain\n"
	"BEGIN SELECT RAISE(ABORT, 'the airing log chain is append-only'); END;\n"
	"CREATE TRIGGER airing_chain_no_delete BEFORE DELETE ON airing_chain\n"
	"BEGIN SELECT RAISE(ABORT, 'the airing log chain is append-only'); END;\n",
	/*
	 * 8: the web console's accounts (an Argon2id hash of each password, as
	 * libsodium's crypto_pwhash_str writes it) and its sessions, kept by the
	 * SHA-256 of their token so that the database never holds one that works.
	 */
	"CREATE TABLE web_users (\n"
	"  name        TEXT PRIMARY KEY,\n"
	"  role        TEXT NOT NULL CHECK (role IN ('operator', 'approver', 'viewer')),\n"
	"  hash        TEXT NOT NULL,\n"
	"  created_at  INTEGER NOT NULL\n"
	") STRICT;\n"
	"CREATE TABLE web_sessions (\n"
	"  token_sha256 TEXT PRIMARY KEY,\n"
	"  user        TEXT NOT NULL REFERENCES web_users (name) ON DELETE CASCADE,\n"
	"  csrf        TEXT NOT NULL,\n"
	"  expires_at  INTEGER NOT NULL\n"
	") STRICT;\n",
	/*
	 * 9: the station link's outbox: what must go up to the district, one
	 * row per message, written in the same transaction as the row it
	 * reports (kind 'airing': ref is airings.id, inserted as the row is
	 * closed and chained). `loaxa link` publishes rows in id order and
	 * records the ids the broker acknowledged in its own database
	 * (DATA/link/link.db); the daemon deletes the acknowledged rows.
	 * AUTOINCREMENT: an id is never reused once pruned, as it is part of the
	 * message's station-unique id. created_at is ms since the epoch, UTC.
	 * Rows closed before this version are not queued.
	 */
	"CREATE TABLE outbox (\n"
	"  id         INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  kind       TEXT NOT NULL CHECK (kind IN ('airing')),\n"
	"  ref        INTEGER NOT NULL,\n"
	"  created_at INTEGER NOT NULL\n"
	") STRICT;\n",
	/*
	 * 10: relays. A relay's row names its source (relay.sources' name: the
	 * airing's own, or the missed slot's). relay_interruptions holds each
	 * interruption of a relay's airing: when it began (ms since the epoch,
	 * UTC), how long it lasted, why (a reason code: source unreachable,
	 * source lost, source silent), the service's message, and the titles of
	 * what the fallback aired meanwhile. The daemon writes them when it
	 * closes the relay's row, in the same transaction; they are append-only.
	 */
	"ALTER TABLE airings ADD COLUMN source TEXT;\n"
	"CREATE TABLE relay_interruptions (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  airing_id   INTEGER NOT NULL REFERENCES airings (id),\n"
	"  at          INTEGER NOT NULL,\n"
	"  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),\n"
	"  reason      TEXT NOT NULL,\n"
	"  detail      TEXT,\n"
	"  fallback    TEXT\n"
	") STRICT;\n"
	"CREATE INDEX relay_interruptions_by_airing ON relay_interruptions (airing_id, at);\n"
	"CREATE TRIGGER relay_interruptions_no_update BEFORE UPDATE ON relay_interruptions\n"
	"BEGIN SELECT RAISE(ABORT, 'relay interruptions are append-only'); END;\n"
	"CREATE TRIGGER relay_interruptions_no_delete BEFORE DELETE ON relay_interruptions\n"
	"BEGIN SELECT RAISE(ABORT, 'relay interruptions are append-only'); END;\n",
	/*
	 * 11: a relay's interruption is written as it begins (closed 0, its
	 * duration 0) and closed as it ends, so that a crash in the middle of
	 * one keeps it: the recovery that closes the relay's row closes it too,
	 * ending at the row's last heartbeat. Only an open interruption may
	 * change, and only in its duration, its fallback and closing; rows of
	 * before are closed.
	 */
	"ALTER TABLE relay_interruptions ADD COLUMN closed INTEGER NOT NULL DEFAULT 1\n"
	"  CHECK (closed IN (0, 1));\n"
	"DROP TRIGGER relay_interruptions_no_update;\n"
	"CREATE TRIGGER relay_interruptions_no_update BEFORE UPDATE ON relay_interruptions\n"
	"WHEN OLD.closed = 1 OR NEW.id IS NOT OLD.id OR NEW.airing_id IS NOT OLD.airing_id\n"
	"  OR NEW.at IS NOT OLD.at OR NEW.reason IS NOT OLD.reason\n"
	"  OR NEW.detail IS NOT OLD.detail\n"
	"BEGIN SELECT RAISE(ABORT, 'relay interruptions are append-only once closed'); END;\n",
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
