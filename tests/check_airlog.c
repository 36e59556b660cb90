/* Unit tests for the airing log the daemon writes: rows, heartbeats, recovery. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "link/link.h"
#include "scheduler/airlog.h"
#include "store/migrations.h"
#include "store/chain.h"
#include "store/store.h"
#include "tests/testutil.h"

static char *dir;
static struct store *st;

static void
setup(void)
{
	char *cause = NULL, *path;

	dir = tu_tmpdir();
	xasprintf(&path, "%s/log.db", dir);
	ck_assert_msg(store_open(path, &st, &cause) == 0, "%s", cause);
	free(path);
}

static void
teardown(void)
{
	store_close(&st);
	tu_rmtree(dir);
	free(dir);
}

/* Reads one row's outcome, reason, played_ms and ended_at. */
static void
row(int64_t id, char *outcome, size_t olen, char *reason, size_t rlen,
    int64_t *played, int64_t *ended)
{
	sqlite3_stmt *q;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st),
	    "SELECT outcome, coalesce(reason, ''), played_ms, coalesce(ended_at, -1)"
	    " FROM airings WHERE id = ?1", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, id);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	snprintf(outcome, olen, "%s", sqlite3_column_text(q, 0));
	snprintf(reason, rlen, "%s", sqlite3_column_text(q, 1));
	*played = sqlite3_column_int64(q, 2);
	*ended = sqlite3_column_int64(q, 3);
	sqlite3_finalize(q);
}

START_TEST(test_start_heartbeat_finish)
{
	struct sched_log_item it = { 7, "ab12", "Buổi sáng", 1000, "normal", 1000, NULL };
	char *cause = NULL, outcome[32], reason[64];
	int64_t id, played, ended;

	id = sched_log_start(st, &it, 1003, &cause);
	ck_assert_int_gt(id, 0);
	row(id, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	ck_assert_str_eq(outcome, "playing");
	ck_assert_int_eq(ended, -1);
	ck_assert_int_eq(sched_log_heartbeat(st, id, 2003, 1000, &cause), 0);
	row(id, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	ck_assert_int_eq(played, 1000);
	ck_assert_int_eq(sched_log_finish(st, id, 4003, 3000, SCHED_COMPLETED, SCHED_R_NONE, NULL, &cause), 0);
	row(id, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	ck_assert_str_eq(outcome, "completed");
	ck_assert_int_eq(played, 3000);
	ck_assert_int_eq(ended, 4003);
	/* A heartbeat after the end changes nothing. */
	ck_assert_int_eq(sched_log_heartbeat(st, id, 9000, 9000, &cause), 0);
	row(id, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	ck_assert_int_eq(played, 3000);
	ck_assert(sched_log_has_occurrence(st, "Buổi sáng", 1000));
	ck_assert(!sched_log_has_occurrence(st, "Buổi sáng", 1001));
	ck_assert_int_eq(sched_log_last_alive(st), 4003);
}
END_TEST

/*
 * Every row is linked into the log's hash chain when it is closed (finished,
 * not aired, recovered), and a row changed, removed or inserted in the
 * database afterwards is named by the check.
 */
START_TEST(test_chain)
{
	struct sched_log_item it = { 3, "cd34", "Chiều", 5000, "priority", 5000, NULL };
	struct store_chain_head h, h2;
	char *cause = NULL;
	int64_t a, b, c;

	ck_assert_int_eq(store_chain_check(store_db(st), &h, &cause), 0);
	ck_assert_int_eq(h.n, 0);
	a = sched_log_start(st, &it, 5000, &cause);
	ck_assert_int_eq(sched_log_paced(st, a, 0, &cause), 0);
	b = sched_log_not_aired(st, &it, SCHED_MISSED, SCHED_R_NO_CONTENT, NULL, &cause);
	ck_assert_int_eq(sched_log_finish(st, a, 6000, 1000, SCHED_COMPLETED, SCHED_R_NONE,
	    NULL, &cause), 0);
	c = sched_log_start(st, &it, 7000, &cause);
	ck_assert_int_eq(sched_log_recover(st, &cause), 1);
	ck_assert_msg(store_chain_check(store_db(st), &h, &cause) == 0, "%s", cause);
	ck_assert_int_eq(h.n, 3);
	ck_assert_int_gt(b, 0);
	ck_assert_int_gt(c, 0);
	ck_assert_int_eq(store_exec(st, "UPDATE airings SET played_ms = 600000"
	    " WHERE id = 1", &cause), 0);
	ck_assert_int_eq(store_chain_check(store_db(st), &h2, &cause), -1);
	ck_assert_msg(strstr(cause, "row 1 was changed") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_exec(st, "UPDATE airings SET played_ms = 1000"
	    " WHERE id = 1", &cause), 0);
	ck_assert_int_eq(store_chain_check(store_db(st), &h2, &cause), 0);
	ck_assert_int_eq(memcmp(h.link, h2.link, 32), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO airings (scheduled_at, outcome)"
	    " VALUES (1, 'missed')", &cause), 0);
	ck_assert_int_eq(store_chain_check(store_db(st), &h2, &cause), -1);
	ck_assert_msg(strstr(cause, "row 4 was inserted") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_exec(st, "DELETE FROM airings WHERE id = 4;"
	    " DELETE FROM airings WHERE id = 2", &cause), 0);
	ck_assert_int_eq(store_chain_check(store_db(st), &h2, &cause), -1);
	ck_assert_msg(strstr(cause, "row 2 was removed") != NULL, "%s", cause);
	free(cause);
}
END_TEST

START_TEST(test_recover)
{
	struct sched_log_item it = { 3, "cd34", "Chiều", 5000, "priority", 5000, NULL };
	char *cause = NULL, outcome[32], reason[64];
	int64_t open, done, played, ended;

	done = sched_log_start(st, &it, 5000, &cause);
	ck_assert_int_eq(sched_log_finish(st, done, 6000, 1000, SCHED_COMPLETED, SCHED_R_NONE, NULL, &cause), 0);
	open = sched_log_start(st, &it, 6000, &cause);
	ck_assert_int_eq(sched_log_heartbeat(st, open, 8000, 2000, &cause), 0);
	/* The power is cut here: the row is still 'playing'. */
	ck_assert_int_eq(sched_log_recover(st, &cause), 1);
	row(open, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	ck_assert_str_eq(outcome, "interrupted");
	ck_assert_str_eq(reason, "power loss");
	ck_assert_int_eq(played, 2000);
	ck_assert_int_eq(ended, 8000);
	row(done, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	ck_assert_str_eq(outcome, "completed");
	ck_assert_int_eq(sched_log_recover(st, &cause), 0);
}
END_TEST

START_TEST(test_not_aired_and_alive)
{
	struct sched_log_item it = { 0, NULL, "Sáng", 10000, "normal", 10000, NULL };
	char *cause = NULL, outcome[32], reason[64];
	int64_t id, played, ended;

	id = sched_log_not_aired(st, &it, SCHED_MISSED, SCHED_R_CONTROLLER_OFF, NULL,
	    &cause);
	ck_assert_int_gt(id, 0);
	row(id, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	ck_assert_str_eq(outcome, "missed");
	ck_assert_str_eq(reason, "controller off");
	ck_assert_int_eq(sched_log_last_alive(st), 0);
	ck_assert_int_eq(sched_log_mark_alive(st, 12345, &cause), 0);
	ck_assert_int_eq(sched_log_mark_alive(st, 23456, &cause), 0);
	ck_assert_int_eq(sched_log_last_alive(st), 23456);
	/* The schema refuses an outcome outside the contract. */
	ck_assert_int_ne(sqlite3_exec(store_db(st), "INSERT INTO airings (scheduled_at,"
	    " played_ms, outcome) VALUES (1, 0, 'lost')", NULL, NULL, &cause), SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(cause, "CHECK"));
	sqlite3_free(cause);
}

/* One row's detail, "" when NULL. */
static void
detail_of(int64_t id, char *detail, size_t len)
{
	sqlite3_stmt *q;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st),
	    "SELECT coalesce(detail, '') FROM airings WHERE id = ?1", -1, &q, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(q, 1, id);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	snprintf(detail, len, "%s", sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
}

/* How many rows the log holds. */
static int64_t
rows(void)
{
	sqlite3_stmt *q;
	int64_t n;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM airings",
	    -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/*
 * The reason column holds the code alone, what else is known goes beside
 * it, and a code outside the table is never written.
 */
START_TEST(test_reason_code_and_detail)
{
	static const char why[] = "/srv/loaxa/b1.wav: the file changed since it was approved";
	struct sched_log_item it = { 4, "ef56", "Trưa", 20000, "normal", 20000, NULL };
	char *cause = NULL, outcome[32], reason[64], detail[128];
	int64_t id, open, played, ended, n;

	id = sched_log_not_aired(st, &it, SCHED_FAILED, SCHED_R_TAMPERED, why, &cause);
	ck_assert_msg(id > 0, "%s", cause);
	row(id, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	detail_of(id, detail, sizeof detail);
	ck_assert_str_eq(outcome, "failed");
	ck_assert_str_eq(reason, "tampered");
	ck_assert_str_eq(detail, why);

	open = sched_log_start(st, &it, 20000, &cause);
	ck_assert_int_eq(sched_log_finish(st, open, 21000, 1000, SCHED_FAILED, SCHED_R_DEVICE,
	    "ALSA: no such device", &cause), 0);
	row(open, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	detail_of(open, detail, sizeof detail);
	ck_assert_str_eq(reason, "device");
	ck_assert_str_eq(detail, "ALSA: no such device");

	/* A code outside the table: refused with a cause, nothing written. */
	n = rows();
	ck_assert_int_eq(sched_log_not_aired(st, &it, SCHED_MISSED,
	    (enum sched_reason)SCHED_R_NREASONS, NULL, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(sched_log_not_aired(st, &it, SCHED_MISSED, (enum sched_reason)-1,
	    "x", &cause), -1);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(rows(), n);
	open = sched_log_start(st, &it, 22000, &cause);
	ck_assert_int_eq(sched_log_finish(st, open, 23000, 1000, SCHED_FAILED,
	    (enum sched_reason)(SCHED_R_NREASONS + 5), "x", &cause), -1);
	free(cause);
	row(open, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
	ck_assert_str_eq(outcome, "playing");
	ck_assert_str_eq(reason, "");
}
END_TEST

/* Every code has its words, the words name it back, and text splits at a code. */
START_TEST(test_reason_words)
{
	const char *name, *detail;
	int r;

	ck_assert_ptr_null(sched_reason_name(SCHED_R_NONE));
	ck_assert_ptr_null(sched_reason_name(SCHED_R_NREASONS));
	for (r = SCHED_R_NONE + 1; r < SCHED_R_NREASONS; r++) {
		name = sched_reason_name((enum sched_reason)r);
		ck_assert_msg(name != NULL, "reason %d has no words", r);
		ck_assert_int_eq(sched_reason_code(name, &detail), r);
		ck_assert_str_eq(detail, "");
	}
	ck_assert_str_eq(sched_reason_name(SCHED_R_TAMPERED), "tampered");
	ck_assert_str_eq(sched_reason_name(SCHED_R_SKIPPED), "skipped by operator");
	ck_assert_int_eq(sched_reason_code("tampered: /a/b.wav: changed", &detail),
	    SCHED_R_TAMPERED);
	ck_assert_str_eq(detail, "/a/b.wav: changed");
	ck_assert_int_eq(sched_reason_code("device: ALSA: busy", &detail), SCHED_R_DEVICE);
	ck_assert_str_eq(detail, "ALSA: busy");
	/* A code must be the whole first word(s): "devices" and free text are none. */
	ck_assert_int_eq(sched_reason_code("devices: x", &detail), SCHED_R_NONE);
	ck_assert_str_eq(detail, "devices: x");
	ck_assert_int_eq(sched_reason_code("bad header", &detail), SCHED_R_NONE);
	ck_assert_str_eq(detail, "bad header");
}
END_TEST

/*
 * A log written before reasons were codes: opening it splits each free-text
 * reason into its code and detail, and leaves the codes as they were.
 */
START_TEST(test_old_reasons_split)
{
	static const char *const want[][2] = {
		{ "tampered", "/srv/b1.wav changed since it was approved" },
		{ "device", "ALSA: no such device" },
		{ "refused", "bulletin 3 has expired" },
		{ "player", "crashed (signal 6, Aborted)" },
		{ "player", "hung: no progress for 5 s" },
		{ "player", "bad frame header" },
		{ "silence", "silence for 12 s" },
		{ "controller off", "" },
		{ "", "" },
	};
	char *path, *cause = NULL, outcome[32], reason[64], detail[128];
	int64_t played, ended;
	sqlite3 *db;
	int v;
	size_t i;

	store_close(&st);
	xasprintf(&path, "%s/old.db", dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	for (v = 1; v <= 3; v++)
		ck_assert_int_eq(sqlite3_exec(db, store_migration(v), NULL, NULL, NULL),
		    SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO airings (scheduled_at, outcome,"
	    " reason) VALUES"
	    " (1, 'failed', 'tampered: /srv/b1.wav changed since it was approved'),"
	    " (2, 'missed', 'device: ALSA: no such device'),"
	    " (3, 'failed', 'refused: bulletin 3 has expired'),"
	    " (4, 'failed', 'player crashed (signal 6, Aborted)'),"
	    " (5, 'failed', 'player hung: no progress for 5 s'),"
	    " (6, 'failed', 'bad frame header'),"
	    " (7, 'completed', 'silence for 12 s'),"
	    " (8, 'missed', 'controller off'),"
	    " (9, 'completed', NULL);"
	    " PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_msg(store_open(path, &st, &cause) == 0, "%s", cause);
	free(path);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		row((int64_t)i + 1, outcome, sizeof outcome, reason, sizeof reason, &played,
		    &ended);
		detail_of((int64_t)i + 1, detail, sizeof detail);
		ck_assert_str_eq(reason, want[i][0]);
		ck_assert_str_eq(detail, want[i][1]);
	}
}
END_TEST

/* The outbox row for each closed row, in order, and none for a row still open. */
static void
outbox_refs(char *out, size_t len)
{
	sqlite3_stmt *q;
	size_t n = 0;

	out[0] = '\0';
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "SELECT kind, ref FROM outbox"
	    " ORDER BY id", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW)
		n += (size_t)snprintf(out + n, len - n, "%s%s:%lld", n ? " " : "",
		    sqlite3_column_text(q, 0), (long long)sqlite3_column_int64(q, 1));
	sqlite3_finalize(q);
}

/*
 * Every row closed (finished, not aired, recovered) queues one outbox row
 * for the station link in the same savepoint; a row still playing none.
 */
START_TEST(test_outbox)
{
	struct sched_log_item it = { 3, "cd34", "Chiều", 5000, "normal", 5000, NULL };
	char *cause = NULL, refs[256], want[256];
	int64_t a, b, c;

	a = sched_log_start(st, &it, 5000, &cause);
	outbox_refs(refs, sizeof refs);
	ck_assert_str_eq(refs, "");
	b = sched_log_not_aired(st, &it, SCHED_MISSED, SCHED_R_NO_CONTENT, NULL, &cause);
	ck_assert_int_eq(sched_log_finish(st, a, 6000, 1000, SCHED_COMPLETED, SCHED_R_NONE,
	    NULL, &cause), 0);
	c = sched_log_start(st, &it, 7000, &cause);
	ck_assert_int_eq(sched_log_recover(st, &cause), 1);
	outbox_refs(refs, sizeof refs);
	snprintf(want, sizeof want, "airing:%lld airing:%lld airing:%lld", (long long)b,
	    (long long)a, (long long)c);
	ck_assert_str_eq(refs, want);
	/* A row that cannot be chained queues nothing either. */
	ck_assert_int_eq(store_exec(st, "DROP TABLE airing_chain", &cause), 0);
	ck_assert_int_eq(sched_log_not_aired(st, &it, SCHED_MISSED, SCHED_R_NO_CONTENT,
	    NULL, &cause), -1);
	free(cause);
	outbox_refs(refs, sizeof refs);
	ck_assert_str_eq(refs, want);
}
END_TEST

/*
 * The daemon prunes the outbox rows the link had acknowledged (its
 * watermark in DATA/link/link.db moves only over acknowledged ids in
 * order), and every row when the station has no link.
 */
START_TEST(test_outbox_prune)
{
	struct sched_log_item it = { 0, NULL, "Sáng", 10000, "normal", 10000, NULL };
	char *cause = NULL, refs[256];
	sqlite3 *db;
	int i;

	for (i = 0; i < 4; i++)
		ck_assert_int_gt(sched_log_not_aired(st, &it, SCHED_MISSED,
		    SCHED_R_NO_CONTENT, NULL, &cause), 0);
	ck_assert_int_eq(sched_outbox_prune(st, dir, 1, &cause), 0);
	ck_assert_msg(link_state_open(dir, &db, &cause) == 0, "%s", cause);
	ck_assert_int_eq(link_state_ack(db, st, 1, &cause), 0);
	ck_assert_int_eq(link_state_ack(db, st, 3, &cause), 0);
	ck_assert_int_eq(link_state_acked_through(db), 1);
	ck_assert_int_eq(link_state_queued(db, st), 2);
	ck_assert_int_eq(link_state_ack(db, st, 2, &cause), 0);
	ck_assert_int_eq(link_state_acked_through(db), 3);
	ck_assert(link_state_is_acked(db, 2));
	ck_assert(!link_state_is_acked(db, 4));
	sqlite3_close(db);
	ck_assert_int_eq(sched_outbox_prune(st, dir, 1, &cause), 3);
	outbox_refs(refs, sizeof refs);
	ck_assert_str_eq(refs, "airing:4");
	ck_assert_int_eq(sched_outbox_prune(st, dir, 0, &cause), 1);
	outbox_refs(refs, sizeof refs);
	ck_assert_str_eq(refs, "");
}
END_TEST

/* Every outcome is written as the contract spells it. */
START_TEST(test_outcome_words)
{
	static const char *const words[] = { "completed", "interrupted", "failed",
		"missed", "skipped" };
	static const enum sched_outcome all[] = { SCHED_COMPLETED, SCHED_INTERRUPTED,
		SCHED_FAILED, SCHED_MISSED, SCHED_SKIPPED };
	struct sched_log_item it = { 0, NULL, "Sáng", 10000, "normal", 10000, NULL };
	char *cause = NULL, outcome[32], reason[64];
	int64_t id, played, ended;
	size_t i;

	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		id = sched_log_not_aired(st, &it, all[i], SCHED_R_OVERLAP, NULL, &cause);
		ck_assert_msg(id > 0, "%s", cause);
		row(id, outcome, sizeof outcome, reason, sizeof reason, &played, &ended);
		ck_assert_str_eq(outcome, words[i]);
		ck_assert_str_eq(sched_outcome_name(all[i]), words[i]);
	}
}
END_TEST

/* Reads one text of the store by SQL into out ("" for NULL). */
static void
query_text(const char *sql, char *out, size_t len)
{
	sqlite3_stmt *q;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	snprintf(out, len, "%s", sqlite3_column_type(q, 0) == SQLITE_NULL ? "" :
	    (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
}

/*
 * A relay's row names its source from its start; its interruptions are
 * written as it closes, all or none: an interruption with a reason outside
 * the table leaves the row open and writes none. A missed relay slot names
 * its source too.
 */
START_TEST(test_relay_row)
{
	struct sched_log_item it = { 0, NULL, "Thời sự", 5000, "normal", 5000, "VOV1" };
	struct sched_log_interruption in[2] = {
		{ 8000, 6000, SCHED_R_SOURCE_LOST, "the stream ended", "'Bản tin'" },
		{ 20000, 3000, SCHED_R_SOURCE_SILENT, NULL, NULL },
	};
	char *cause = NULL, out[256];
	int64_t id, missed;

	id = sched_log_start(st, &it, 5010, &cause);
	ck_assert_int_gt(id, 0);
	query_text("SELECT source FROM airings WHERE id = 1", out, sizeof out);
	ck_assert_str_eq(out, "VOV1");
	in[1].reason = SCHED_R_NREASONS;
	ck_assert_int_eq(sched_log_finish_relay(st, id, 35000, 30000, SCHED_COMPLETED,
	    SCHED_R_NONE, NULL, in, 2, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not a reason code"));
	free(cause);
	cause = NULL;
	query_text("SELECT outcome || ' ' || (SELECT count(*) FROM relay_interruptions)"
	    " FROM airings WHERE id = 1", out, sizeof out);
	ck_assert_str_eq(out, "playing 0");
	in[1].reason = SCHED_R_SOURCE_SILENT;
	ck_assert_msg(sched_log_finish_relay(st, id, 35000, 30000, SCHED_COMPLETED,
	    SCHED_R_NONE, NULL, in, 2, &cause) == 0, "%s", cause);
	query_text("SELECT group_concat(airing_id || '|' || at || '|' || duration_ms || '|'"
	    " || reason || '|' || coalesce(detail, '-') || '|' || coalesce(fallback, '-'),"
	    " ';') FROM (SELECT * FROM relay_interruptions ORDER BY at)", out, sizeof out);
	ck_assert_str_eq(out, "1|8000|6000|source lost|the stream ended|'Bản tin';"
	    "1|20000|3000|source silent|-|-");
	query_text("SELECT outcome FROM airings WHERE id = 1", out, sizeof out);
	ck_assert_str_eq(out, "completed");
	/* Append-only. */
	ck_assert_int_eq(store_exec(st, "DELETE FROM relay_interruptions", &cause), -1);
	free(cause);
	cause = NULL;
	missed = sched_log_not_aired(st, &it, SCHED_MISSED, SCHED_R_CONTROLLER_OFF, NULL,
	    &cause);
	ck_assert_int_gt(missed, 0);
	query_text("SELECT group_concat(coalesce(source, '-'), ',') FROM airings", out,
	    sizeof out);
	ck_assert_str_eq(out, "VOV1,VOV1");
}
END_TEST

/*
 * A relay's interruption is in the database from its beginning: open (its
 * duration 0), kept current as the fallback airs, closed as it ends, and
 * then unchangeable. One still open when the power is cut is closed with
 * its row by the recovery, at the row's last heartbeat; the row's chain link
 * is as for any other row.
 */
START_TEST(test_relay_interruption_open)
{
	struct sched_log_item it = { 0, NULL, "Thời sự", 5000, "normal", 5000, "VOV1" };
	struct store_chain_head h;
	char *cause = NULL, out[256];
	int64_t id, a, b;

	id = sched_log_start(st, &it, 5000, &cause);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(sched_log_interruption_begin(st, id, 6000, SCHED_R_NREASONS, NULL,
	    &cause), -1);
	free(cause);
	cause = NULL;
	a = sched_log_interruption_begin(st, id, 6000, SCHED_R_SOURCE_LOST, "the stream ended",
	    &cause);
	ck_assert_msg(a > 0, "%s", cause);
	query_text("SELECT duration_ms || '|' || closed || '|' || coalesce(fallback, '-')"
	    " FROM relay_interruptions", out, sizeof out);
	ck_assert_str_eq(out, "0|0|-");
	ck_assert_int_eq(sched_log_interruption_update(st, a, 7000, "'Bản tin'", 0, &cause), 0);
	ck_assert_int_eq(sched_log_interruption_update(st, a, 9000, "'Bản tin'", 1, &cause), 0);
	/* Closed: it cannot change, not even through SQL. */
	ck_assert_int_eq(sched_log_interruption_update(st, a, 20000, NULL, 1, &cause), 0);
	ck_assert_int_eq(store_exec(st, "UPDATE relay_interruptions SET duration_ms = 1",
	    &cause), -1);
	free(cause);
	cause = NULL;
	b = sched_log_interruption_begin(st, id, 12000, SCHED_R_SOURCE_SILENT, NULL, &cause);
	ck_assert_int_gt(b, a);
	ck_assert_int_eq(store_exec(st, "UPDATE relay_interruptions SET at = 1"
	    " WHERE closed = 0", &cause), -1);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(sched_log_heartbeat(st, id, 15500, 7000, &cause), 0);
	/* The power is cut here, in the second interruption. */
	ck_assert_int_eq(sched_log_recover(st, &cause), 1);
	query_text("SELECT group_concat(at || '|' || duration_ms || '|' || reason || '|'"
	    " || coalesce(fallback, '-') || '|' || closed, ';') FROM (SELECT * FROM"
	    " relay_interruptions ORDER BY at)", out, sizeof out);
	ck_assert_str_eq(out, "6000|3000|source lost|'Bản tin'|1;"
	    "12000|3500|source silent|-|1");
	query_text("SELECT outcome || '|' || reason || '|' || played_ms FROM airings", out,
	    sizeof out);
	ck_assert_str_eq(out, "interrupted|power loss|7000");
	ck_assert_msg(store_chain_check(store_db(st), &h, &cause) == 0, "%s", cause);
	ck_assert_int_eq(h.n, 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("airlog");
	TCase *tc = tcase_create("airlog");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_start_heartbeat_finish);
	tcase_add_test(tc, test_recover);
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_outbox);
	tcase_add_test(tc, test_outbox_prune);
	tcase_add_test(tc, test_not_aired_and_alive);
	tcase_add_test(tc, test_outcome_words);
	tcase_add_test(tc, test_reason_code_and_detail);
	tcase_add_test(tc, test_reason_words);
	tcase_add_test(tc, test_old_reasons_split);
	tcase_add_test(tc, test_relay_row);
	tcase_add_test(tc, test_relay_interruption_open);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
