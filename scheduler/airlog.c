/* The airing log's writes; every statement is prepared and bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/now.h"
#include "common/xmalloc.h"
#include "scheduler/airlog.h"
#include "store/chain.h"
#include "store/store.h"

int64_t
sched_log_now_ms(void)
{
	return now_real_ms();
}

const char *
sched_outcome_name(enum sched_outcome o)
{
	switch (o) {
	case SCHED_COMPLETED: return "completed";
	case SCHED_INTERRUPTED: return "interrupted";
	case SCHED_FAILED: return "failed";
	case SCHED_MISSED: return "missed";
	case SCHED_SKIPPED: return "skipped";
	}
	return "failed";
}

/* The one table of reason codes: the words the log's reason column holds. */
static const char *const reason_names[SCHED_R_NREASONS] = {
	[SCHED_R_EMERGENCY] = "emergency",
	[SCHED_R_SHUTDOWN] = "shutdown",
	[SCHED_R_POWER_LOSS] = "power loss",
	[SCHED_R_OPERATOR_STOP] = "operator stop",
	[SCHED_R_SKIPPED] = "skipped by operator",
	[SCHED_R_STOPPED] = "stopped",
	[SCHED_R_CONTROLLER_OFF] = "controller off",
	[SCHED_R_CLOCK_CHANGE] = "clock change",
	[SCHED_R_CONTROLLER_BUSY] = "controller busy",
	[SCHED_R_NO_CONTENT] = "no content",
	[SCHED_R_DEVICE] = "device",
	[SCHED_R_OVERLAP] = "overlap",
	[SCHED_R_OPERATOR_PLAY] = "operator play",
	[SCHED_R_TAMPERED] = "tampered",
	[SCHED_R_REFUSED] = "refused",
	[SCHED_R_DECODER] = "decoder",
	[SCHED_R_PLAYER] = "player",
	[SCHED_R_SILENCE] = "silence",
	[SCHED_R_NOT_LOGGED] = "not logged",
	[SCHED_R_SOURCE_UNREACHABLE] = "source unreachable",
	[SCHED_R_SOURCE_LOST] = "source lost",
	[SCHED_R_SOURCE_SILENT] = "source silent",
};

const char *
sched_reason_name(enum sched_reason r)
{
	if ((int)r <= SCHED_R_NONE || (int)r >= SCHED_R_NREASONS)
		return NULL;
	return reason_names[r];
}

enum sched_reason
sched_reason_code(const char *text, const char **detail)
{
	size_t len;
	int r;

	for (r = SCHED_R_NONE + 1; r < SCHED_R_NREASONS; r++) {
		len = strlen(reason_names[r]);
		if (strncmp(text, reason_names[r], len) != 0)
			continue;
		if (text[len] == '\0') {
			*detail = text + len;
			return (enum sched_reason)r;
		}
		if (text[len] == ':') {
			*detail = text + len + 1 + (text[len + 1] == ' ');
			return (enum sched_reason)r;
		}
	}
	*detail = text;
	return SCHED_R_NONE;
}

/* Prepares sql, or sets *cause. */
static sqlite3_stmt *
sched_log_prepare(struct store *st, const char *sql, char **cause)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
		*cause = store_error(st, "airing log");
		return NULL;
	}
	return q;
}

/* Steps a statement that returns no row and finalises it. */
static int
sched_log_run(struct store *st, sqlite3_stmt *q, char **cause)
{
	int rc = sqlite3_step(q);

	if (rc != SQLITE_DONE) {
		*cause = store_error(st, "airing log");
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_finalize(q);
	return 0;
}

/* Writes what else a closing row carries (a relay's interruptions), or -1. */
typedef int (*sched_log_extra)(struct store *, int64_t id, const void *arg,
    char **cause);

/*
 * Queues the closed row id for the station link (store migration 8's
 * outbox), inside the caller's savepoint.
 */
static int
sched_log_outbox(struct store *st, int64_t id, char **cause)
{
	sqlite3_stmt *q = sched_log_prepare(st,
	    "INSERT INTO outbox (kind, ref, created_at) VALUES ('airing', ?1, ?2)", cause);

	if (q == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, sched_log_now_ms());
	return sched_log_run(st, q, cause);
}

/*
 * Ends the interruptions of relay row id still open (a crash cut them, or
 * the row closed first) at the row's end, inside the caller's savepoint.
 */
static int
sched_log_close_interruptions(struct store *st, int64_t id, char **cause)
{
	sqlite3_stmt *q = sched_log_prepare(st,
	    "UPDATE relay_interruptions SET closed = 1, duration_ms = max(0,"
	    " coalesce((SELECT ended_at FROM airings WHERE id = ?1), at) - at)"
	    " WHERE airing_id = ?1 AND closed = 0", cause);

	if (q == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return sched_log_run(st, q, cause);
}

/*
 * Steps q, which closes a row (id, or the row q inserts when id is 0), runs
 * extra (when not NULL), ends the relay interruptions left open in it,
 * links the row into the log's hash chain and queues it in the outbox for
 * the station link, all or none. Finalises q. Returns the row's id, or -1.
 */
static int64_t
sched_log_close(struct store *st, sqlite3_stmt *q, int64_t id, sched_log_extra extra,
    const void *arg, char **cause)
{
	char *undo = NULL;

	if (store_exec(st, "SAVEPOINT airlog_close", cause) != 0) {
		sqlite3_finalize(q);
		return -1;
	}
	if (sched_log_run(st, q, cause) != 0)
		goto fail;
	if (id == 0)
		id = sqlite3_last_insert_rowid(store_db(st));
	if (extra != NULL && extra(st, id, arg, cause) != 0)
		goto fail;
	if (sched_log_close_interruptions(st, id, cause) != 0)
		goto fail;
	if (store_chain_close(st, id, cause) != 0 || sched_log_outbox(st, id, cause) != 0)
		goto fail;
	if (store_exec(st, "RELEASE airlog_close", cause) != 0)
		goto fail;
	return id;
fail:
	if (store_exec(st, "ROLLBACK TO airlog_close; RELEASE airlog_close", &undo) != 0)
		free(undo);
	return -1;
}

static void
bind_text_or_null(sqlite3_stmt *q, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

static void
bind_item(sqlite3_stmt *q, const struct sched_log_item *it)
{
	if (it->bulletin_id > 0)
		sqlite3_bind_int64(q, 1, it->bulletin_id);
	else
		sqlite3_bind_null(q, 1);
	bind_text_or_null(q, 2, it->sha256);
	bind_text_or_null(q, 3, it->slot);
	if (it->slot != NULL)
		sqlite3_bind_int64(q, 4, it->slot_start);
	else
		sqlite3_bind_null(q, 4);
	sqlite3_bind_text(q, 5, it->priority ? it->priority : "normal", -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 6, it->scheduled_at);
	bind_text_or_null(q, 10, it->source);
}

int64_t
sched_log_start(struct store *st, const struct sched_log_item *it, int64_t started_at,
    char **cause)
{
	sqlite3_stmt *q = sched_log_prepare(st,
	    "INSERT INTO airings (bulletin_id, sha256, slot, slot_start, priority,"
	    " scheduled_at, started_at, heartbeat_at, played_ms, outcome, source)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 0, 'playing', ?10)", cause);

	if (q == NULL)
		return -1;
	bind_item(q, it);
	sqlite3_bind_int64(q, 7, started_at);
	if (sched_log_run(st, q, cause) != 0)
		return -1;
	return sqlite3_last_insert_rowid(store_db(st));
}

int
sched_log_paced(struct store *st, int64_t id, int paced, char **cause)
{
	sqlite3_stmt *q = sched_log_prepare(st,
	    "UPDATE airings SET paced = ?2 WHERE id = ?1 AND outcome = 'playing'", cause);

	if (q == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int(q, 2, paced != 0);
	return sched_log_run(st, q, cause);
}

int
sched_log_heartbeat(struct store *st, int64_t id, int64_t now, int64_t played_ms,
    char **cause)
{
	sqlite3_stmt *q = sched_log_prepare(st,
	    "UPDATE airings SET heartbeat_at = ?2, played_ms = ?3"
	    " WHERE id = ?1 AND outcome = 'playing'", cause);

	if (q == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_bind_int64(q, 3, played_ms < 0 ? 0 : played_ms);
	return sched_log_run(st, q, cause);
}

/*
 * Prepares sql, a write of an outcome with its reason: NULL with *cause when
 * the reason is not a code of the table (nothing is written then).
 */
static sqlite3_stmt *
sched_log_prepare_outcome(struct store *st, const char *sql, enum sched_reason reason,
    char **cause)
{
	if (reason != SCHED_R_NONE && sched_reason_name(reason) == NULL) {
		xasprintf(cause, "airing log: %d is not a reason code", (int)reason);
		return NULL;
	}
	return sched_log_prepare(st, sql, cause);
}

/* Binds the outcome, the reason's code and the detail at i, i + 1, i + 2. */
static void
bind_outcome(sqlite3_stmt *q, int i, enum sched_outcome outcome, enum sched_reason reason,
    const char *detail)
{
	sqlite3_bind_text(q, i, sched_outcome_name(outcome), -1, SQLITE_STATIC);
	bind_text_or_null(q, i + 1, sched_reason_name(reason));
	bind_text_or_null(q, i + 2, detail);
}

/* A relay's interruptions, as sched_log_finish_relay hands them on. */
struct relay_interruptions {
	const struct sched_log_interruption *v;
	size_t n;
};

/* Inserts a relay's interruptions for row id (a sched_log_extra). */
static int
insert_interruptions(struct store *st, int64_t id, const void *arg, char **cause)
{
	const struct relay_interruptions *ri = arg;
	sqlite3_stmt *q;
	size_t i;

	for (i = 0; i < ri->n; i++) {
		if (sched_reason_name(ri->v[i].reason) == NULL) {
			xasprintf(cause, "airing log: %d is not a reason code",
			    (int)ri->v[i].reason);
			return -1;
		}
		if ((q = sched_log_prepare(st, "INSERT INTO relay_interruptions (airing_id,"
		    " at, duration_ms, reason, detail, fallback)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", cause)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, ri->v[i].at);
		sqlite3_bind_int64(q, 3, ri->v[i].duration_ms < 0 ? 0 : ri->v[i].duration_ms);
		sqlite3_bind_text(q, 4, sched_reason_name(ri->v[i].reason), -1, SQLITE_STATIC);
		bind_text_or_null(q, 5, ri->v[i].detail);
		bind_text_or_null(q, 6, ri->v[i].fallback);
		if (sched_log_run(st, q, cause) != 0)
			return -1;
	}
	return 0;
}

int64_t
sched_log_interruption_begin(struct store *st, int64_t airing_id, int64_t at,
    enum sched_reason reason, const char *detail, char **cause)
{
	sqlite3_stmt *q;

	if (sched_reason_name(reason) == NULL) {
		xasprintf(cause, "airing log: %d is not a reason code", (int)reason);
		return -1;
	}
	if ((q = sched_log_prepare(st, "INSERT INTO relay_interruptions (airing_id, at,"
	    " duration_ms, reason, detail, closed) VALUES (?1, ?2, 0, ?3, ?4, 0)",
	    cause)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, airing_id);
	sqlite3_bind_int64(q, 2, at);
	sqlite3_bind_text(q, 3, sched_reason_name(reason), -1, SQLITE_STATIC);
	bind_text_or_null(q, 4, detail);
	if (sched_log_run(st, q, cause) != 0)
		return -1;
	return sqlite3_last_insert_rowid(store_db(st));
}

int
sched_log_interruption_update(struct store *st, int64_t id, int64_t until,
    const char *fallback, int closed, char **cause)
{
	sqlite3_stmt *q = sched_log_prepare(st,
	    "UPDATE relay_interruptions SET duration_ms = max(0, ?2 - at), fallback = ?3,"
	    " closed = ?4 WHERE id = ?1 AND closed = 0", cause);

	if (q == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, until);
	bind_text_or_null(q, 3, fallback);
	sqlite3_bind_int(q, 4, closed != 0);
	return sched_log_run(st, q, cause);
}

int
sched_log_finish_relay(struct store *st, int64_t id, int64_t ended_at, int64_t played_ms,
    enum sched_outcome outcome, enum sched_reason reason, const char *detail,
    const struct sched_log_interruption *v, size_t n, char **cause)
{
	struct relay_interruptions ri = { v, n };
	sqlite3_stmt *q = sched_log_prepare_outcome(st,
	    "UPDATE airings SET ended_at = ?2, heartbeat_at = ?2, played_ms = ?3,"
	    " outcome = ?4, reason = ?5, detail = ?6 WHERE id = ?1", reason, cause);

	if (q == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, ended_at);
	sqlite3_bind_int64(q, 3, played_ms < 0 ? 0 : played_ms);
	bind_outcome(q, 4, outcome, reason, detail);
	return sched_log_close(st, q, id, n > 0 ? insert_interruptions : NULL, &ri,
	    cause) < 0 ? -1 : 0;
}

int
sched_log_finish(struct store *st, int64_t id, int64_t ended_at, int64_t played_ms,
    enum sched_outcome outcome, enum sched_reason reason, const char *detail,
    char **cause)
{
	return sched_log_finish_relay(st, id, ended_at, played_ms, outcome, reason, detail,
	    NULL, 0, cause);
}

int64_t
sched_log_not_aired(struct store *st, const struct sched_log_item *it,
    enum sched_outcome outcome, enum sched_reason reason, const char *detail,
    char **cause)
{
	sqlite3_stmt *q = sched_log_prepare_outcome(st,
	    "INSERT INTO airings (bulletin_id, sha256, slot, slot_start, priority,"
	    " scheduled_at, played_ms, outcome, reason, detail, source)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10)", reason, cause);

	if (q == NULL)
		return -1;
	bind_item(q, it);
	bind_outcome(q, 7, outcome, reason, detail);
	return sched_log_close(st, q, 0, NULL, NULL, cause);
}

int
sched_log_recover(struct store *st, char **cause)
{
	sqlite3_stmt *q;
	int64_t id;
	int n = 0;

	for (;;) {
		/* One row at a time, each closed and linked into the chain. */
		if ((q = sched_log_prepare(st, "SELECT min(id) FROM airings"
		    " WHERE outcome = 'playing'", cause)) == NULL)
			return -1;
		id = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
		sqlite3_finalize(q);
		if (id <= 0)
			return n;
		if ((q = sched_log_prepare(st, "UPDATE airings SET outcome = 'interrupted',"
		    " reason = ?2, detail = NULL, ended_at = coalesce(heartbeat_at, started_at)"
		    " WHERE id = ?1", cause)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_text(q, 2, sched_reason_name(SCHED_R_POWER_LOSS), -1,
		    SQLITE_STATIC);
		if (sched_log_close(st, q, id, NULL, NULL, cause) < 0)
			return -1;
		n++;
	}
}

int
sched_log_has_occurrence(struct store *st, const char *slot, int64_t slot_start)
{
	sqlite3_stmt *q;
	int found;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT 1 FROM airings WHERE slot = ?1 AND slot_start = ?2 LIMIT 1",
	    -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, slot, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, slot_start);
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return found;
}

int
sched_log_in_occurrence(struct store *st, const char *slot, int64_t slot_start, int64_t id)
{
	sqlite3_stmt *q;
	int found;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT 1 FROM airings WHERE slot = ?1 AND slot_start = ?2"
	    " AND (bulletin_id = ?3 OR (?3 = 0 AND reason = ?4)) LIMIT 1",
	    -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, slot, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, slot_start);
	sqlite3_bind_int64(q, 3, id);
	sqlite3_bind_text(q, 4, sched_reason_name(SCHED_R_OPERATOR_STOP), -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return found;
}

int64_t
sched_log_last_alive(struct store *st)
{
	sqlite3_stmt *q;
	int64_t t = 0;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT max(coalesce((SELECT max(max(coalesce(heartbeat_at, 0),"
	    " coalesce(ended_at, 0))) FROM airings), 0),"
	    " coalesce((SELECT CAST(value AS INTEGER) FROM meta"
	    " WHERE key = 'daemon_alive_at'), 0))", -1, &q, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		t = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return t;
}

int
sched_log_mark_alive(struct store *st, int64_t now, char **cause)
{
	sqlite3_stmt *q = sched_log_prepare(st,
	    "INSERT INTO meta (key, value) VALUES ('daemon_alive_at', ?1)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value", cause);
	char buf[32];

	if (q == NULL)
		return -1;
	snprintf(buf, sizeof buf, "%lld", (long long)now);
	sqlite3_bind_text(q, 1, buf, -1, SQLITE_TRANSIENT);
	return sched_log_run(st, q, cause);
}

/* The link's watermark in DATA/link/link.db, read-only; 0 when there is none. */
static int64_t
sched_outbox_acked(const char *datadir)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q;
	int64_t w = 0;
	char *path;

	xasprintf(&path, "%s/link/link.db", datadir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT CAST(value AS INTEGER) FROM meta"
	    " WHERE key = 'acked_through'", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			w = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close_v2(db);
	free(path);
	return w;
}

int
sched_outbox_prune(struct store *st, const char *datadir, int linked, char **cause)
{
	sqlite3_stmt *q = sched_log_prepare(st, "DELETE FROM outbox WHERE ?1 = 0"
	    " OR id <= ?2", cause);

	if (q == NULL)
		return -1;
	sqlite3_bind_int(q, 1, linked);
	sqlite3_bind_int64(q, 2, linked ? sched_outbox_acked(datadir) : 0);
	if (sched_log_run(st, q, cause) != 0)
		return -1;
	return sqlite3_changes(store_db(st));
}
