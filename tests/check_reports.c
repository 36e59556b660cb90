/*
 * Unit tests for reports/: periods and their cut-off days, known answers on a
 * constructed airing log in a real SQLite file, every format parsing back,
 * signed exports and each kind of tampering, and the district merge.
 */
#include <check.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/human.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/internal.h"
#include "reports/reports.h"
#include "scheduler/history.h"
#include "scheduler/airlog.h"
#include "store/chain.h"
#include "store/store.h"
#include "tests/testutil.h"

#define MIN (60 * 1000)

/* Local time in the station's zone as ms. */
static int64_t
at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

static void
setup_tz(void)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
}

/* A config from text, failing the test on problems. */
static struct config *
config_text(const char *text)
{
	struct config_problems p = { 0 };
	struct config *cfg = NULL;

	if (conf_read_string(text, "test.conf", &cfg, &p) != 0)
		ck_abort_msg("config: %s", p.n ? p.lines[0] : "?");
	conf_problems_clear(&p);
	return cfg;
}

/* Runs sql without parameters, failing the test on an error. */
static void
exec(struct store *st, const char *sql)
{
	char *cause = NULL;

	ck_assert_msg(store_exec(st, sql, &cause) == 0, "%s: %s", sql, cause);
}

/* Inserts a bulletin row directly, as the library would have stored it. */
static void
add_bulletin(struct store *st, int64_t id, const char *title, const char *topic,
    const char *agency, int min_airings, const char *from, const char *until)
{
	sqlite3_stmt *q;
	char sha[65];

	snprintf(sha, sizeof sha, "%064lld", (long long)id);
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st),
	    "INSERT INTO bulletins (id, sha256, file, title, topic, agency, status,"
	    " valid_from, valid_until, min_airings, format, sample_rate, channels,"
	    " duration_ms, size, approved_sha256, approved_by, approved_at, imported_at)"
	    " VALUES (?1, ?2, 'f', ?3, ?4, ?5, 'approved', ?6, ?7, ?8, 'wav', 48000, 1,"
	    " 300000, 1000, ?2, 'test', 1, 1)", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, sha, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, agency, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, until, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 8, min_airings);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
}

/*
 * Inserts an airing. bulletin 0: none. slot NULL: an operator's play.
 * started 0: never started. The row starts at the slot's start plus offset.
 */
static void
add_airing(struct store *st, int64_t bulletin, const char *slot, int64_t slot_start,
    int64_t started, int64_t played, const char *outcome, const char *reason,
    const char *priority)
{
	sqlite3_stmt *q;
	char sha[65];

	snprintf(sha, sizeof sha, "%064lld", (long long)bulletin);
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st),
	    "INSERT INTO airings (bulletin_id, sha256, slot, slot_start, priority,"
	    " scheduled_at, started_at, ended_at, played_ms, outcome, reason)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", -1, &q, NULL),
	    SQLITE_OK);
	if (bulletin) {
		sqlite3_bind_int64(q, 1, bulletin);
		sqlite3_bind_text(q, 2, sha, -1, SQLITE_TRANSIENT);
	}
	if (slot) {
		sqlite3_bind_text(q, 3, slot, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, slot_start);
	}
	sqlite3_bind_text(q, 5, priority ? priority : "normal", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, slot ? slot_start : started);
	if (started) {
		sqlite3_bind_int64(q, 7, started);
		sqlite3_bind_int64(q, 8, started + played);
	}
	sqlite3_bind_int64(q, 9, played);
	sqlite3_bind_text(q, 10, outcome, -1, SQLITE_STATIC);
	if (reason)
		sqlite3_bind_text(q, 11, reason, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
}

/*
 * The constructed log (station time, UTC+7). In 2026-H1 (15 Dec 2025 to
 * 14 Jun 2026): 8 slot occurrences, 4 aired, missed: 2 controller off, 1 no
 * content, 1 tampered. Bulletin 1 (cchc, minimum 3): 4 airings, 3 completed,
 * 16 min, met. Bulletin 2 (cchc, minimum 2): 1 airing, 3 min, not met.
 * Bulletin 3 (tthc): 1 emergency play, 2 min. Bulletin 4 (danchu, minimum 5,
 * valid Jan-Mar): never aired, not met. Bulletin 5 valid only in 2027.
 */
static void
fill_log(struct store *st)
{
	const char *S = "Buổi sáng";

	exec(st, "BEGIN");
	add_bulletin(st, 1, "Cải cách hành chính, PAPI", "cchc", "TT VH-TT&DL Kim Động", 3,
	    NULL, NULL);
	add_bulletin(st, 2, "Chỉ số PAPI 2025", "cchc", "Sở Nội vụ, \"Hưng Yên\"", 2,
	    NULL, NULL);
	add_bulletin(st, 3, "Thông báo khẩn: lũ", "tthc", NULL, 0, NULL, NULL);
	add_bulletin(st, 4, "Quy chế dân chủ", "danchu", "UBND xã", 5, "2026-01-01",
	    "2026-03-31");
	add_bulletin(st, 5, "Năm sau", "danchu", "UBND xã", 5, "2027-01-01", NULL);
	/* Just before the period: not counted. */
	add_airing(st, 0, S, at(2025, 12, 14, 23, 59), 0, 0, "missed", "controller off",
	    NULL);
	/* The first day. */
	add_airing(st, 1, S, at(2025, 12, 15, 0, 0), at(2025, 12, 15, 0, 0), 5 * MIN,
	    "completed", NULL, NULL);
	add_airing(st, 1, S, at(2026, 1, 5, 5, 30), at(2026, 1, 5, 5, 30), 5 * MIN,
	    "completed", NULL, NULL);
	add_airing(st, 2, S, at(2026, 1, 5, 5, 30), at(2026, 1, 5, 5, 35), 3 * MIN,
	    "completed", NULL, NULL);
	add_airing(st, 1, S, at(2026, 1, 6, 5, 30), at(2026, 1, 6, 5, 30), 1 * MIN,
	    "interrupted", "emergency", NULL);
	add_airing(st, 3, NULL, 0, at(2026, 1, 6, 5, 31), 2 * MIN, "completed", NULL,
	    "emergency");
	add_airing(st, 0, S, at(2026, 1, 7, 5, 30), 0, 0, "missed", "controller off", NULL);
	add_airing(st, 0, S, at(2026, 1, 8, 5, 30), 0, 0, "missed", "controller off", NULL);
	add_airing(st, 0, S, at(2026, 1, 9, 5, 30), 0, 0, "missed", "no content", NULL);
	add_airing(st, 2, S, at(2026, 1, 10, 5, 30), 0, 0, "failed", "tampered", NULL);
	/* The last day, late. */
	add_airing(st, 1, S, at(2026, 6, 14, 23, 0), at(2026, 6, 14, 23, 0), 5 * MIN,
	    "completed", NULL, NULL);
	/* The day after: not counted. */
	add_airing(st, 1, S, at(2026, 6, 15, 5, 30), at(2026, 6, 15, 5, 30), 5 * MIN,
	    "completed", NULL, NULL);
	exec(st, "COMMIT");
}

/* A store in a new temp dir, filled with the constructed log. */
static struct store *
open_filled(char **dir)
{
	struct store *st = NULL;
	char *cause = NULL, *data;

	*dir = tu_tmpdir();
	xasprintf(&data, "%s/data", *dir);
	ck_assert_msg(store_open_dir(data, &st, &cause) == 0, "%s", cause);
	free(data);
	fill_log(st);
	return st;
}

/* Numbers, dates and durations as Vietnamese and English readers write them. */
START_TEST(test_human_formats)
{
	static const char *const nums[][3] = {
		{ "1234.5", "1.234,5", "1,234.5" }, { "0.1", "0,1", "0.1" },
		{ "12", "12", "12" }, { "999", "999", "999" }, { "1000", "1.000", "1,000" },
		{ "-1234567.25", "-1.234.567,25", "-1,234,567.25" },
		{ "99.9", "99,9", "99.9" }, { "-", "-", "-" }, { "", "", "" },
		{ "null", "null", "null" }, { "1.2.3", "1.2.3", "1.2.3" },
	};
	static const struct { int64_t ms; const char *vi, *en; } durs[] = {
		{ 3900000, "1 giờ 05 phút", "1 h 05 min" },
		{ 3959999, "1 giờ 05 phút", "1 h 05 min" },
		{ 36000000 + 60000, "10 giờ 01 phút", "10 h 01 min" },
		{ 307000, "5 phút 07 giây", "5 min 07 s" },
		{ 300000, "5 phút", "5 min" },
		{ 7999, "7 giây", "7 s" }, { 0, "0 giây", "0 s" },
	};
	char out[HUMAN_LEN];
	size_t i;

	setup_tz();
	for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		ck_assert_str_eq(human_number(HUMAN_VI, nums[i][0], out), nums[i][1]);
		ck_assert_str_eq(human_number(HUMAN_EN, nums[i][0], out), nums[i][2]);
	}
	ck_assert_str_eq(human_count(HUMAN_VI, 4321, out), "4.321");
	ck_assert_str_eq(human_count(HUMAN_VI, 1234567, out), "1.234.567");
	ck_assert_str_eq(human_count(HUMAN_EN, 1234567, out), "1,234,567");
	ck_assert_str_eq(human_count(HUMAN_VI, -5, out), "-5");
	for (i = 0; i < sizeof durs / sizeof durs[0]; i++) {
		ck_assert_str_eq(human_duration(HUMAN_VI, durs[i].ms, out), durs[i].vi);
		ck_assert_str_eq(human_duration(HUMAN_EN, durs[i].ms, out), durs[i].en);
	}
	ck_assert_str_eq(human_datetime(HUMAN_VI, at(2026, 12, 6, 13, 20) + 59999, out),
	    "06/12/2026 13:20");
	ck_assert_str_eq(human_datetime(HUMAN_EN, at(2026, 12, 6, 13, 20), out),
	    "2026-12-06 13:20");
	ck_assert_str_eq(human_datetime_s(HUMAN_VI, at(2026, 12, 6, 13, 20) + 5000, out),
	    "06/12/2026 13:20:05");
	ck_assert_str_eq(human_date(HUMAN_VI, at(2026, 1, 2, 0, 0), out), "02/01/2026");
	ck_assert_str_eq(human_day(HUMAN_VI, "2026-12-06", out), "06/12/2026");
	ck_assert_str_eq(human_day(HUMAN_EN, "2026-12-06", out), "2026-12-06");
	ck_assert_str_eq(human_day(HUMAN_VI, "2026-H1", out), "2026-H1");
	/* A workbook's minutes are the figure shown, even on a tie (9,185.25). */
	rep_minutes(551115000, out);
	ck_assert_str_eq(out, "9185.2");
	ck_assert(rep_minutes_value(551115000) == 9185.2);
	ck_assert(rep_minutes_value(-6000) == -0.1);
}
END_TEST

START_TEST(test_periods)
{
	struct rep_period p;
	char *cause = NULL;

	setup_tz();
	ck_assert_int_eq(rep_period_parse("2026-H1", 0, &p, &cause), 0);
	ck_assert_str_eq(p.from, "2025-12-15");
	ck_assert_str_eq(p.to, "2026-06-14");
	ck_assert_str_eq(p.label, "2026-H1");
	ck_assert_int_eq(p.from_ms, at(2025, 12, 15, 0, 0));
	ck_assert_int_eq(p.to_ms, at(2026, 6, 15, 0, 0));
	/* 17:00 UTC on 14 Dec is midnight in Hanoi. */
	ck_assert_int_eq(p.from_ms, 1765731600000LL);
	ck_assert_int_eq(rep_period_parse("2026-9M", 0, &p, &cause), 0);
	ck_assert_str_eq(p.from, "2025-12-15");
	ck_assert_str_eq(p.to, "2026-09-14");
	ck_assert_int_eq(p.to_ms, at(2026, 9, 15, 0, 0));
	ck_assert_int_eq(rep_period_parse("2026", 0, &p, &cause), 0);
	ck_assert_str_eq(p.from, "2025-12-15");
	ck_assert_str_eq(p.to, "2026-12-14");
	ck_assert_int_eq(p.to_ms, at(2026, 12, 15, 0, 0));
	/* Calendar periods. */
	ck_assert_int_eq(rep_period_parse("2026-H1", 1, &p, &cause), 0);
	ck_assert_str_eq(p.from, "2026-01-01");
	ck_assert_str_eq(p.to, "2026-06-30");
	ck_assert_int_eq(p.to_ms, at(2026, 7, 1, 0, 0));
	ck_assert_int_eq(rep_period_parse("2026-9M", 1, &p, &cause), 0);
	ck_assert_str_eq(p.to, "2026-09-30");
	ck_assert_int_eq(rep_period_parse("2026", 1, &p, &cause), 0);
	ck_assert_str_eq(p.from, "2026-01-01");
	ck_assert_str_eq(p.to, "2026-12-31");
	ck_assert_int_eq(p.to_ms, at(2027, 1, 1, 0, 0));
	/* Any window. */
	ck_assert_int_eq(rep_period_dates("2024-02-29", "2024-02-29", &p, &cause), 0);
	ck_assert_int_eq(p.to_ms - p.from_ms, 86400000LL);
	/* Refusals. */
	ck_assert_int_eq(rep_period_parse("2026-H3", 0, &p, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "2026-H3"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(rep_period_parse("26", 0, &p, &cause), -1);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(rep_period_dates("2026-02-30", "2026-03-01", &p, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "2026-02-30"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(rep_period_dates("2026-03-02", "2026-03-01", &p, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "before"));
	free(cause);
	/* Only digits: no sign or space inside a month or a day. */
	cause = NULL;
	ck_assert_int_eq(rep_period_dates("2026-+1-01", "2026-03-01", &p, &cause), -1);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(rep_date_ms("2026-01- 1", &p.from_ms, &cause), -1);
	free(cause);
}
END_TEST

/* The bulletin with id in c, or NULL. */
static const struct rep_bulletin *
find_bulletin(const struct rep_coverage *c, int64_t id)
{
	size_t i;

	for (i = 0; i < c->nbulletins; i++)
		if (c->bulletins[i].id == id)
			return &c->bulletins[i];
	return NULL;
}

/* The count under key in v, or -1. */
static int64_t
find_count(const struct rep_count *v, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].key, key) == 0)
			return v[i].n;
	return -1;
}

START_TEST(test_coverage_known_answers)
{
	struct config *cfg = config_text("station = { code = \"HY-KD-TT\"; "
	    "name = \"Đài truyền thanh xã Toàn Thắng\"; commune = \"Toàn Thắng\"; };");
	const struct rep_bulletin *b;
	struct rep_coverage c;
	struct rep_period p;
	struct store *st;
	char *dir, *cause = NULL;

	setup_tz();
	st = open_filled(&dir);
	ck_assert_int_eq(rep_period_parse("2026-H1", 0, &p, &cause), 0);
	ck_assert_msg(rep_coverage(store_db(st), cfg, &p, &c, &cause) == 0, "%s", cause);
	ck_assert_str_eq(c.station.code, "HY-KD-TT");
	ck_assert_int_eq(c.slots, 8);
	ck_assert_int_eq(c.aired, 4);
	ck_assert_int_eq(c.missed, 4);
	ck_assert(c.compliance > 0.4999 && c.compliance < 0.5001);
	ck_assert_int_eq(c.nmissed_by, 3);
	ck_assert_int_eq(find_count(c.missed_by, c.nmissed_by, "controller off"), 2);
	ck_assert_int_eq(find_count(c.missed_by, c.nmissed_by, "no content"), 1);
	ck_assert_int_eq(find_count(c.missed_by, c.nmissed_by, "tampered"), 1);
	ck_assert_int_eq(c.airings, 6);
	ck_assert_int_eq(c.completed, 5);
	ck_assert_int_eq(c.interrupted, 1);
	ck_assert_int_eq(c.failed, 1);
	ck_assert_int_eq(c.played_ms, 21 * MIN);
	ck_assert_int_eq(find_count(c.interruptions, c.ninterruptions, "emergency"), 1);
	ck_assert_int_eq(c.interruptions[0].played_ms, 1 * MIN);
	ck_assert_int_eq(find_count(c.failures, c.nfailures, "tampered"), 1);
	/* Per bulletin. */
	ck_assert_int_eq(c.nbulletins, 4);
	ck_assert_ptr_null(find_bulletin(&c, 5));
	ck_assert_ptr_nonnull(b = find_bulletin(&c, 1));
	ck_assert_int_eq(b->airings, 4);
	ck_assert_int_eq(b->completed, 3);
	ck_assert_int_eq(b->played_ms, 16 * MIN);
	ck_assert_int_eq(b->min_airings, 3);
	ck_assert_int_eq(b->met, 1);
	ck_assert_str_eq(b->agency, "TT VH-TT&DL Kim Động");
	ck_assert_int_eq(b->first_ms, at(2025, 12, 15, 0, 0));
	ck_assert_int_eq(b->last_ms, at(2026, 6, 14, 23, 0));
	ck_assert_ptr_nonnull(strstr(b->topic_name, "cải cách hành chính"));
	ck_assert_ptr_nonnull(b = find_bulletin(&c, 2));
	ck_assert_int_eq(b->airings, 1);
	ck_assert_int_eq(b->played_ms, 3 * MIN);
	ck_assert_int_eq(b->met, 0);
	ck_assert_ptr_nonnull(b = find_bulletin(&c, 4));
	ck_assert_int_eq(b->airings, 0);
	ck_assert_int_eq(b->first_ms, 0);
	ck_assert_int_eq(b->met, 0);
	ck_assert_int_eq(c.quotas, 3);
	ck_assert_int_eq(c.quotas_met, 1);
	/* Per topic, in the config's order. */
	ck_assert_int_eq(c.ntopics, 3);
	ck_assert_str_eq(c.topics[0].key, "cchc");
	ck_assert_int_eq(c.topics[0].bulletins, 2);
	ck_assert_int_eq(c.topics[0].airings, 5);
	ck_assert_int_eq(c.topics[0].played_ms, 19 * MIN);
	ck_assert_str_eq(c.topics[1].key, "tthc");
	ck_assert_int_eq(c.topics[1].airings, 1);
	ck_assert_str_eq(c.topics[2].key, "danchu");
	ck_assert_int_eq(c.topics[2].airings, 0);
	ck_assert_ptr_nonnull(strstr(c.topics[2].name, "dân chủ"));
	rep_coverage_clear(&c);

	/* The cut-off days: a window of the last day alone, and the day after. */
	ck_assert_int_eq(rep_period_dates("2026-06-14", "2026-06-14", &p, &cause), 0);
	ck_assert_int_eq(rep_coverage(store_db(st), cfg, &p, &c, &cause), 0);
	ck_assert_int_eq(c.slots, 1);
	ck_assert_int_eq(c.aired, 1);
	rep_coverage_clear(&c);
	ck_assert_int_eq(rep_period_dates("2026-06-15", "2026-06-15", &p, &cause), 0);
	ck_assert_int_eq(rep_coverage(store_db(st), cfg, &p, &c, &cause), 0);
	ck_assert_int_eq(c.slots, 1);
	ck_assert_int_eq(c.airings, 1);
	rep_coverage_clear(&c);
	ck_assert_int_eq(rep_period_dates("2025-12-14", "2025-12-14", &p, &cause), 0);
	ck_assert_int_eq(rep_coverage(store_db(st), cfg, &p, &c, &cause), 0);
	ck_assert_int_eq(c.slots, 1);
	ck_assert_int_eq(c.missed, 1);
	ck_assert_int_eq(c.airings, 0);
	rep_coverage_clear(&c);
	/* An empty period: no slots, compliance unknown rather than 0 or 100%. */
	ck_assert_int_eq(rep_period_dates("2020-01-01", "2020-12-31", &p, &cause), 0);
	ck_assert_int_eq(rep_coverage(store_db(st), cfg, &p, &c, &cause), 0);
	ck_assert_int_eq(c.slots, 0);
	ck_assert(c.compliance < 0);
	rep_coverage_clear(&c);

	store_close(&st);
	conf_free(&cfg);
	tu_rmtree(dir);
	free(dir);
}
END_TEST


/* Whether a program is on the PATH. */
static int
have(const char *prog)
{
	char *cmd;
	int rc;

	xasprintf(&cmd, "command -v %s >/dev/null 2>&1", prog);
	rc = system(cmd);
	free(cmd);
	return rc == 0;
}

/* Runs "prog 'path'" with the shell; its exit status. */
static int
shell(const char *prog, const char *path)
{
	char *cmd;
	int rc;

	xasprintf(&cmd, "%s '%s' >/dev/null", prog, path);
	rc = system(cmd);
	free(cmd);
	return rc;
}

/*
 * Reads a CSV file back (RFC 4180: quoted fields, doubled quotes, CRLF) and
 * returns the number of rows; *fields gets the field count of row want and
 * *text a copy of its field wantf.
 */
static int
csv_read(const char *path, int want, int *fields, int wantf, char **text)
{
	size_t len;
	char *data = tu_read(path, &len), *p, field[1024];
	int row = 0, nf = 0, q = 0, fl = 0;

	ck_assert_ptr_nonnull(data);
	ck_assert_msg(len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0, "no BOM");
	*text = NULL;
	for (p = data + 3; *p != '\0'; p++) {
		if (q) {
			if (*p == '"' && p[1] == '"')
				field[fl++] = *++p;
			else if (*p == '"')
				q = 0;
			else
				field[fl++] = *p;
		} else if (*p == '"')
			q = 1;
		else if (*p == ',' || *p == '\r' || *p == '\n') {
			if (*p == '\n')
				continue;
			field[fl] = '\0';
			if (row == want && nf == wantf)
				*text = xstrdup(field);
			nf++;
			fl = 0;
			if (*p == '\r') {
				if (row == want)
					*fields = nf;
				row++;
				nf = 0;
			}
		} else
			field[fl++] = *p;
		ck_assert_int_lt(fl, (int)sizeof field - 1);
	}
	ck_assert_int_eq(q, 0);
	free(data);
	return row;
}

START_TEST(test_formats)
{
	struct config *cfg = config_text("station = { code = \"HY-KD-TT\"; "
	    "name = \"Đài <Toàn Thắng> & Co\"; commune = \"Toàn Thắng\"; };");
	static const char *const ext[] = { "txt", "csv", "json", "html" };
	struct rep_coverage c;
	struct rep_period p;
	struct store *st;
	char *dir, *cause = NULL, *path, *text = NULL, *all;
	int fmt, lang, rows, fields = 0, i;
	size_t len;
	FILE *f;

	setup_tz();
	st = open_filled(&dir);
	ck_assert_int_eq(rep_period_parse("2026-H1", 0, &p, &cause), 0);
	ck_assert_int_eq(rep_coverage(store_db(st), cfg, &p, &c, &cause), 0);
	for (lang = REP_VI; lang <= REP_EN; lang++) {
		for (fmt = REP_TEXT; fmt <= REP_HTML; fmt++) {
			xasprintf(&path, "%s/r%d.%s", dir, lang, ext[fmt]);
			ck_assert_ptr_nonnull(f = fopen(path, "w"));
			ck_assert_msg(rep_write(f, &c, fmt, lang, at(2026, 6, 20, 9, 0),
			    &cause) == 0, "%s", cause);
			fclose(f);
			all = tu_read(path, &len);
			if (fmt == REP_JSON && have("python3"))
				ck_assert_int_eq(shell("python3 -m json.tool", path), 0);
			if (fmt == REP_HTML) {
				/* Well-formed, charts included (HTML 4 knows no SVG). */
				if (have("xmllint"))
					ck_assert_int_eq(shell("xmllint --noout", path), 0);
				/* Escaped, with the header and the place and date. */
				ck_assert_ptr_nonnull(strstr(all, "Đài &lt;Toàn Thắng&gt; &amp; Co"));
				ck_assert_ptr_nonnull(strstr(all, lang == REP_VI ?
				    "Toàn Thắng, ngày 20 tháng 06 năm 2026" :
				    "Toàn Thắng, 2026-06-20"));
				ck_assert_ptr_nonnull(strstr(all, lang == REP_VI ?
				    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" :
				    "SOCIALIST REPUBLIC OF VIET NAM"));
			}
			if (fmt == REP_CSV) {
				rows = csv_read(path, 0, &fields, 0, &text);
				ck_assert_int_gt(rows, 20);
				ck_assert_int_eq(fields, 2);
				ck_assert_str_eq(text, lang == REP_VI ? "Mục" : "Field");
				free(text);
				/* The bulletins block: find bulletin 2's title read back. */
				for (i = 0; i < rows; i++) {
					fields = 0;
					csv_read(path, i, &fields, 1, &text);
					if (fields == 11 && text != NULL &&
					    strcmp(text, "Chỉ số PAPI 2025") == 0) {
						free(text);
						csv_read(path, i, &fields, 2, &text);
						ck_assert_str_eq(text, "Sở Nội vụ, \"Hưng Yên\"");
						free(text);
						break;
					}
					free(text);
				}
				ck_assert_int_lt(i, rows);
			}
			if (fmt == REP_TEXT)
				ck_assert_ptr_nonnull(strstr(all, lang == REP_VI ?
				    "Tỷ lệ thực hiện (%)" : "Compliance (%)"));
			free(all);
			free(path);
		}
	}
	rep_coverage_clear(&c);
	store_close(&st);
	conf_free(&cfg);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Whether one line of text holds both a and b. */
static int
line_has(const char *text, const char *a, const char *b)
{
	const char *p, *e;
	size_t len;
	char *line;
	int found = 0;

	for (p = text; !found && *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		len = (size_t)(e - p);
		line = xmalloc(len + 1);
		memcpy(line, p, len);
		line[len] = '\0';
		found = strstr(line, a) != NULL && strstr(line, b) != NULL;
		free(line);
	}
	return found;
}

/*
 * A coverage with figures that each differ: 1 of 2,000 slots missed, 4,321
 * airings of which 3,975 completed, 317 interrupted, 29 failed, 123.4 min;
 * 5 of 6 minimums met. No lists, so each number can only come from its figure.
 */
static void
figures_coverage(struct rep_coverage *c, int64_t slots, int64_t aired)
{
	char *cause = NULL;

	memset(c, 0, sizeof *c);
	ck_assert_int_eq(rep_period_parse("2026-H1", 0, &c->period, &cause), 0);
	c->station.code = xstrdup("HY-KD-TT");
	c->station.name = xstrdup("Đài Toàn Thắng");
	c->slots = slots;
	c->aired = aired;
	c->missed = slots - aired;
	c->compliance = (double)aired / (double)slots;
	c->airings = 4321;
	c->completed = 3975;
	c->interrupted = 317;
	c->failed = 29;
	c->played_ms = 1234 * MIN / 10;
	c->quotas = 6;
	c->quotas_met = 5;
}

/* The report in fmt (vi) as text; XLSX converted to CSV by gnumeric's ssconvert. */
static char *
figures_render(const char *dir, const struct rep_coverage *c, int fmt)
{
	char *path, *cmd, *cause = NULL, *all;
	FILE *f;

	xasprintf(&path, "%s/fig.%d", dir, fmt);
	if (fmt == REP_XLSX) {
		ck_assert_msg(rep_write_xlsx(path, c, REP_VI, &cause) == 0, "%s", cause);
		xasprintf(&cmd, "ssconvert -S '%s' '%s/fig.csv' >/dev/null 2>&1", path, dir);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		free(path);
		xasprintf(&path, "%s/fig.csv.0", dir);
	} else {
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		ck_assert_msg(rep_write(f, c, fmt, REP_VI, at(2026, 6, 20, 9, 0),
		    &cause) == 0, "%s", cause);
		fclose(f);
	}
	ck_assert_ptr_nonnull(all = tu_read(path, NULL));
	free(path);
	return all;
}

/* A rate is never rounded up: 1 of 2,000 or of 100,000 slots missed is 99.9 %. */
START_TEST(test_rate_rounds_down)
{
	static const int64_t cases[][2] = { { 2000, 1999 }, { 100000, 99999 } };
	static const char *const json[] = { "\"compliance\": 0.9995",
		"\"compliance\": 0.9999" };
	struct rep_coverage c;
	char *dir = tu_tmpdir(), *all;
	size_t i;
	int fmt;

	setup_tz();
	for (i = 0; i < 2; i++) {
		figures_coverage(&c, cases[i][0], cases[i][1]);
		for (fmt = REP_TEXT; fmt <= REP_XLSX; fmt++) {
			if (fmt == REP_XLSX && !have("ssconvert"))
				continue;
			all = figures_render(dir, &c, fmt);
			/* (100.000 slots is a count, in Vietnamese.) */
			ck_assert_msg(!line_has(all, "Tỷ lệ thực hiện", "100") &&
			    strstr(all, "\"compliance\": 1") == NULL && strstr(all, "1.0000") ==
			    NULL, "format %d rounds %lld of %lld up", fmt,
			    (long long)cases[i][1], (long long)cases[i][0]);
			/* XLSX holds the rate as a fraction shown as 0.0%. */
			if (fmt == REP_JSON)
				ck_assert_msg(strstr(all, json[i]) != NULL, "%s", all);
			else
				ck_assert_msg(line_has(all, "Tỷ lệ thực hiện", fmt == REP_XLSX ?
				    "0.999," : fmt == REP_CSV ? "99.9" : "99,9"),
				    "format %d: %s", fmt, all);
			free(all);
		}
		rep_coverage_clear(&c);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Every format carries every figure of the summary, each beside its label. */
START_TEST(test_figures_everywhere)
{
	/* Label, the machine's form (CSV, XLSX's value), the reader's, JSON. */
	static const char *const want[][4] = {
		{ "Số lượt theo lịch", "2000", "2.000", "\"scheduled\": 2000" },
		{ "Đã phát", "1999", "1.999", "\"aired\": 1999" },
		{ "Không phát được", "1", "1", "\"missed\": 1," },
		{ "Tỷ lệ thực hiện", "99.9", "99,9", "\"compliance\": 0.9995" },
		{ "Lượt phát", "4321", "4.321", "\"total\": 4321" },
		{ "Phát trọn vẹn", "3975", "3.975", "\"completed\": 3975" },
		{ "Bị ngắt", "317", "317", "\"interrupted\": 317" },
		{ "Lỗi", "29", "29", "\"failed\": 29" },
		{ "Số phút", "123.4", "123,4", "\"minutes\": 123.4" },
		{ "Bản tin có số lượt tối thiểu", "6", "6", "\"required\": 6" },
		{ "Bản tin đạt số lượt tối thiểu", "5", "5", "\"met\": 5" },
	};
	struct rep_coverage c;
	char *dir = tu_tmpdir(), *all;
	size_t i;
	int fmt;

	setup_tz();
	figures_coverage(&c, 2000, 1999);
	for (fmt = REP_TEXT; fmt <= REP_XLSX; fmt++) {
		if (fmt == REP_XLSX && !have("ssconvert"))
			continue;
		all = figures_render(dir, &c, fmt);
		for (i = 0; i < sizeof want / sizeof want[0]; i++)
			if (fmt == REP_JSON)
				ck_assert_msg(strstr(all, want[i][3]) != NULL,
				    "JSON lacks %s", want[i][3]);
			else
				ck_assert_msg(line_has(all, want[i][0], fmt == REP_XLSX &&
				    i == 3 ? "0.999," : want[i][fmt == REP_TEXT ||
				    fmt == REP_HTML ? 2 : 1]), "format %d lacks %s %s", fmt,
				    want[i][0], want[i][fmt == REP_TEXT || fmt == REP_HTML ? 2 : 1]);
		free(all);
	}
	rep_coverage_clear(&c);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_station_key)
{
	char *dir = tu_tmpdir(), *cause = NULL, *path, *data, pub[45], pub2[45];
	unsigned char sk[64], pk[32], pk2[32];
	struct store *st = NULL;
	struct stat sb;

	xasprintf(&data, "%s/data", dir);
	xasprintf(&path, "%s/%s", data, REP_KEY_FILE);
	ck_assert_int_eq(store_open_dir(data, &st, &cause), 0);
	/* Opening the data makes no key: only rep_key_create does. */
	ck_assert_msg(rep_key_check(st, data, &cause) == 0, "%s", cause);
	ck_assert_int_ne(stat(path, &sb), 0);
	ck_assert_msg(rep_key_create(st, data, 0, pub, &cause) == 0, "%s", cause);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(rep_key_load(data, sk, pk, &cause), 0);
	/* Again: refused, the same key stays. */
	ck_assert_int_eq(rep_key_create(st, data, 0, pub2, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "already exists"));
	free(cause);
	ck_assert_int_eq(rep_key_check(st, data, &cause), 0);
	ck_assert_int_eq(rep_key_load(data, sk, pk2, &cause), 0);
	ck_assert_int_eq(memcmp(pk, pk2, 32), 0);
	/* A key others can read is not used. */
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(rep_key_load(data, sk, pk2, &cause), -1);
	ck_assert_msg(strstr(cause, "others can read this secret key; run chmod 600")
	    != NULL, "%s", cause);
	free(cause);
	ck_assert_int_eq(chmod(path, 0600), 0);
	/* A lost key file is not silently replaced by a new identity. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rep_key_check(st, data, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "restore"));
	ck_assert_ptr_nonnull(strstr(cause, path));
	free(cause);
	ck_assert_int_eq(rep_key_create(st, data, 0, pub2, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, pub));
	free(cause);
	ck_assert_int_ne(stat(path, &sb), 0);
	/* Unless the operator says it is lost for good. */
	ck_assert_msg(rep_key_create(st, data, 1, pub2, &cause) == 0, "%s", cause);
	ck_assert_str_ne(pub, pub2);
	ck_assert_msg(rep_key_check(st, data, &cause) == 0, "%s", cause);
	store_close(&st);
	tu_rmtree(dir);
	free(path);
	free(data);
	free(dir);
}
END_TEST

/* The timetable maths for the reports, as cli lends it, through scheduler/. */
static int
tt_occurrences(const char *tz, const char *text, int64_t from, int64_t to,
    struct rep_occurrence **out, size_t *n, char **cause)
{
	struct config_slot *sl = NULL;
	struct sched_occurrence *o = NULL;
	size_t ns = 0, no = 0, i;

	ck_assert_msg(sched_history_parse(text, &sl, &ns, cause) == 0, "%s", *cause);
	ck_assert_msg(sched_history_occurrences(sl, ns, tz, from, to, &o, &no, cause) == 0,
	    "%s", *cause);
	*out = xcalloc(no + 1, sizeof **out);
	for (*n = 0; *n < no; (*n)++) {
		i = *n;
		(*out)[i] = (struct rep_occurrence){ xstrdup(sl[o[i].slot].name),
		    o[i].start, o[i].end, sl[o[i].slot].relay ?
		    xstrdup(sl[o[i].slot].relay) : NULL };
	}
	free(o);
	sched_history_slots_free(sl, ns);
	return 0;
}

/*
 * Slots scheduled come from the timetable in force, not from the log. From
 * 1 Feb 2026 the timetable has "Sáng" daily at 05:30 (20 min); from 6 Mar
 * 12:00 also "Tối" on weekdays at 23:50 (20 min). The log: the daemon's
 * first play on 2 Mar, last alive 8 Mar 00:00. The figures for 1-10 Mar are
 * counted here from the calendar: every occurrence without a row is missed,
 * controller off before 2 Mar 05:30 or after 8 Mar 00:00, else not logged.
 * The Tối programme of 6 Mar crosses midnight: both its items count on 6 Mar.
 */
START_TEST(test_scheduled_from_history)
{
	static const char *const base =
	    "station = { code = \"HY-KD-TT\"; name = \"Đài\"; };\n"
	    "playlists = ( { name = \"p\"; mode = \"rotate\"; topics = [ \"cchc\" ]; } );\n"
	    "timetable = ( { name = \"Sáng\"; days = \"daily\"; start = \"05:30\";"
	    " length = \"20m\"; playlist = \"p\"; }%s );\n";
	struct rep_schedule sched = { tt_occurrences, 0 };
	struct config *a, *b;
	struct rep_coverage c, e;
	struct rep_verified v;
	struct rep_period p;
	struct store *st;
	char *dir = tu_tmpdir(), *data, *cause = NULL, *text, *out, pub[45];
	int64_t first, last, t, tb, starts[32];
	int64_t slots = 0, aired = 0, off = 0, unlogged = 0, nocontent = 0;
	size_t i, n = 0, rows;
	int d;

	setup_tz();
	sched.now = at(2026, 3, 20, 0, 0);
	xasprintf(&text, base, "");
	a = config_text(text);
	free(text);
	xasprintf(&text, base, ", { name = \"Tối\"; days = \"weekdays\"; start = \"23:50\";"
	    " length = \"20m\"; playlist = \"p\"; }");
	b = config_text(text);
	free(text);
	xasprintf(&data, "%s/data", dir);
	ck_assert_int_eq(store_open_dir(data, &st, &cause), 0);
	ck_assert_int_eq(rep_key_create(st, data, 0, pub, &cause), 0);
	/* The report's fallback, then the daemon's record of a reload. */
	ck_assert_int_eq(sched_history_ensure(st, a, at(2026, 2, 1, 0, 0), &cause), 1);
	ck_assert_int_eq(sched_history_ensure(st, b, at(2026, 2, 2, 0, 0), &cause), 0);
	tb = at(2026, 3, 6, 12, 0);
	ck_assert_int_eq(sched_history_record(st, b, tb, &cause), 1);
	ck_assert_int_eq(sched_history_record(st, b, tb + 1000, &cause), 0);
	add_bulletin(st, 1, "Tin", "cchc", NULL, 0, NULL, NULL);
	add_airing(st, 1, "Sáng", at(2026, 3, 2, 5, 30), at(2026, 3, 2, 5, 30), 5 * MIN,
	    "completed", NULL, NULL);
	add_airing(st, 0, "Sáng", at(2026, 3, 3, 5, 30), 0, 0, "missed", "no content",
	    NULL);
	add_airing(st, 1, "Sáng", at(2026, 3, 4, 5, 30), at(2026, 3, 4, 5, 30), 5 * MIN,
	    "completed", NULL, NULL);
	add_airing(st, 1, "Tối", at(2026, 3, 6, 23, 50), at(2026, 3, 6, 23, 50), 5 * MIN,
	    "completed", NULL, NULL);
	exec(st, "INSERT INTO airings (bulletin_id, sha256, slot, slot_start,"
	    " scheduled_at, started_at, ended_at, played_ms, outcome) SELECT 1,"
	    " sha256, slot, slot_start, slot_start + 900000, slot_start + 900000,"
	    " slot_start + 1200000, 300000, 'completed' FROM airings WHERE slot = 'Tối'");
	exec(st, "INSERT INTO meta VALUES ('daemon_alive_at', '1772902800000')");
	first = at(2026, 3, 2, 5, 30);
	last = at(2026, 3, 8, 0, 0);
	ck_assert_int_eq(last, 1772902800000LL);

	/* The calendar, by hand. */
	for (d = 1; d <= 10; d++) {
		time_t secs;
		struct tm tm;

		starts[n++] = at(2026, 3, d, 5, 30);
		t = at(2026, 3, d, 23, 50);
		secs = (time_t)(t / 1000);
		localtime_r(&secs, &tm);
		if (t >= tb && tm.tm_wday >= 1 && tm.tm_wday <= 5)
			starts[n++] = t;
	}
	for (i = 0; i < n; i++) {
		slots++;
		if (starts[i] == at(2026, 3, 2, 5, 30) || starts[i] == at(2026, 3, 4, 5, 30) ||
		    starts[i] == at(2026, 3, 6, 23, 50))
			aired++;
		else if (starts[i] == at(2026, 3, 3, 5, 30))
			nocontent++;
		else if (starts[i] < first || starts[i] > last)
			off++;
		else
			unlogged++;
	}
	ck_assert_int_eq(slots, 10 + 3); /* Tối: Fri 6, Mon 9, Tue 10 */

	ck_assert_int_eq(rep_period_dates("2026-03-01", "2026-03-10", &p, &cause), 0);
	ck_assert_msg(rep_coverage_sched(store_db(st), a, &p, &sched, &c, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(c.slots, slots);
	ck_assert_int_eq(c.aired, aired);
	ck_assert_int_eq(c.missed, off + unlogged + nocontent);
	for (i = 0; i < c.nmissed_by; i++) {
		const struct rep_count *k = &c.missed_by[i];

		ck_assert_int_eq(k->n, strcmp(k->key, "controller off") == 0 ? off :
		    strcmp(k->key, "not logged") == 0 ? unlogged :
		    strcmp(k->key, "no content") == 0 ? nocontent : -1);
	}
	ck_assert_int_eq(c.nmissed_by, 3);
	ck_assert_int_eq(c.airings, 4);
	rep_coverage_clear(&c);
	/* Not yet due: what the timetable has after now does not count (Sáng 1-4 Mar
	 * do; the logged Tối of 6 Mar counts as the log has it). */
	sched.now = at(2026, 3, 5, 0, 0);
	ck_assert_int_eq(rep_coverage_sched(store_db(st), a, &p, &sched, &c, &cause), 0);
	ck_assert_int_eq(c.slots, 4 + 1);
	ck_assert_int_eq(c.aired, 3);
	rep_coverage_clear(&c);
	sched.now = at(2026, 3, 20, 0, 0);

	/* The programme across midnight belongs to 6 Mar, whole. */
	ck_assert_int_eq(rep_period_dates("2026-03-06", "2026-03-06", &p, &cause), 0);
	ck_assert_int_eq(rep_coverage_sched(store_db(st), a, &p, &sched, &c, &cause), 0);
	ck_assert_int_eq(c.airings, 2);
	ck_assert_int_eq(c.played_ms, 10 * MIN);
	rep_coverage_clear(&c);
	ck_assert_int_eq(rep_period_dates("2026-03-07", "2026-03-10", &p, &cause), 0);
	ck_assert_int_eq(rep_coverage_sched(store_db(st), a, &p, &sched, &c, &cause), 0);
	ck_assert_int_eq(c.airings, 0);
	rep_coverage_clear(&c);

	/* The signed export carries the history: the merge's figure is the same. */
	ck_assert_int_eq(rep_period_dates("2026-03-01", "2026-03-10", &p, &cause), 0);
	xasprintf(&out, "%s/h.lxe", dir);
	ck_assert_msg(rep_export(store_db(st), a, data, &p, out, &rows, &cause) == 0, "%s",
	    cause);
	ck_assert_int_eq(rep_verify(out, 1, &v, &cause), 0);
	ck_assert_msg(v.ok, "%s", v.nproblems ? v.problems[0].what : "?");
	ck_assert_int_eq(rep_coverage_sched(store_db(st), a, &p, &sched, &c, &cause), 0);
	ck_assert_int_eq(rep_coverage_sched(store_db(v.store), a, &p, &sched, &e, &cause), 0);
	ck_assert_int_eq(e.slots, c.slots);
	ck_assert_int_eq(e.aired, c.aired);
	ck_assert_int_eq(e.nmissed_by, c.nmissed_by);
	for (i = 0; i < c.nmissed_by; i++) {
		ck_assert_str_eq(e.missed_by[i].key, c.missed_by[i].key);
		ck_assert_int_eq(e.missed_by[i].n, c.missed_by[i].n);
	}
	rep_coverage_clear(&c);
	rep_coverage_clear(&e);
	rep_verified_clear(&v);
	free(out);
	free(data);
	store_close(&st);
	conf_free(&a);
	conf_free(&b);
	free(dir);
}
END_TEST

/* A station: data dir under dir, its key, the constructed log; returns the store. */
static struct store *
station(const char *dir, const char *code, char **data)
{
	struct store *st = NULL;
	char *cause = NULL, pub[45];

	xasprintf(data, "%s/%s", dir, code);
	ck_assert_int_eq(store_open_dir(*data, &st, &cause), 0);
	ck_assert_int_eq(rep_key_create(st, *data, 0, pub, &cause), 0);
	fill_log(st);
	return st;
}

/* A config for station code (with trust text appended). */
static struct config *
station_config(const char *code, const char *trust)
{
	struct config *cfg;
	char *text;

	xasprintf(&text, "station = { code = \"%s\"; name = \"Đài %s\"; "
	    "commune = \"Xã\"; district = \"Kim Động\"; };\n%s", code, code,
	    trust ? trust : "");
	cfg = config_text(text);
	free(text);
	return cfg;
}

/* Writes a file from lines, applying edit to the list first. */
static char *
rewrite(const char *dir, const char *name, const char *src,
    void (*edit)(char **lines, size_t *n))
{
	char *data = tu_read(src, NULL), *p, *lines[256], *path;
	size_t n = 0, i;
	FILE *f;

	for (p = strtok(data, "\n"); p != NULL; p = strtok(NULL, "\n"))
		lines[n++] = p;
	edit(lines, &n);
	xasprintf(&path, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[i]);
	fclose(f);
	free(data);
	return path;
}

/* The index of the k-th (from 1) row line. */
static size_t
row_index(char **lines, size_t n, int k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(lines[i], "row\t", 4) == 0 && --k == 0)
			return i;
	ck_abort_msg("no row");
	return 0;
}

static char changed_line[1024];

static void
edit_change(char **l, size_t *n)
{
	size_t i = row_index(l, *n, 3);
	char *p;

	snprintf(changed_line, sizeof changed_line, "%s", l[i]);
	ck_assert_ptr_nonnull(p = strstr(changed_line, "\t180000\t"));
	memcpy(p, "\t900000\t", 8);
	l[i] = changed_line;
}

static void
edit_remove(char **l, size_t *n)
{
	size_t i = row_index(l, *n, 4);

	memmove(&l[i], &l[i + 1], (*n - i - 1) * sizeof *l);
	(*n)--;
}

static void
edit_reorder(char **l, size_t *n)
{
	size_t i = row_index(l, *n, 5);
	char *t = l[i];

	l[i] = l[i + 1];
	l[i + 1] = t;
}

static void
edit_insert(char **l, size_t *n)
{
	size_t i = row_index(l, *n, 2);

	memmove(&l[i + 1], &l[i], (*n - i) * sizeof *l);
	(*n)++;
}

static char sig_line[1024];

static void
edit_signature(char **l, size_t *n)
{
	char *p;

	snprintf(sig_line, sizeof sig_line, "%s", l[*n - 1]);
	p = strrchr(sig_line, '\t') + 3;
	*p = *p == 'A' ? 'B' : 'A';
	l[*n - 1] = sig_line;
}

static void
edit_truncate(char **l, size_t *n)
{
	(void)l;
	*n -= 3;
}

static char header_line[256];

static void
edit_header(char **l, size_t *n)
{
	(void)n;
	snprintf(header_line, sizeof header_line, "%s", "name\tĐài giả mạo");
	l[2] = header_line;
}

/* Rewrites row k's played time and recomputes every row hash after it. */
static void
edit_recompute(char **l, size_t *n)
{
	static char rows[64][1024];
	unsigned char h[32];
	char hex[65], *p;
	size_t i, k = row_index(l, *n, 3), r = 0;
	crypto_generichash_state s;

	ck_assert_int_eq(sodium_hex2bin(h, 32, l[k - 1] + (strncmp(l[k - 1], "row\t",
	    4) == 0 ? 4 : 7), 64, NULL, NULL, NULL), 0);
	for (i = k; i < *n && strncmp(l[i], "row\t", 4) == 0; i++, r++) {
		snprintf(rows[r], sizeof rows[r], "%s", l[i]);
		if (i == k) {
			ck_assert_ptr_nonnull(p = strstr(rows[r], "\t180000\t"));
			memcpy(p, "\t120000\t", 8);
		}
		crypto_generichash_init(&s, NULL, 0, 32);
		crypto_generichash_update(&s, h, 32);
		crypto_generichash_update(&s, (unsigned char *)rows[r] + 69,
		    strlen(rows[r] + 69));
		crypto_generichash_final(&s, h, 32);
		sodium_bin2hex(hex, sizeof hex, h, 32);
		memcpy(rows[r] + 4, hex, 64);
		l[i] = rows[r];
	}
}

/* Converts every line ending to CRLF. */
static void
edit_crlf(char **l, size_t *n)
{
	static char lines[256][1024];
	size_t i;

	for (i = 0; i < *n; i++) {
		snprintf(lines[i], sizeof lines[i], "%s\r", l[i]);
		l[i] = lines[i];
	}
}

/* The first column of the first row of sql on db, as an allocated string. */
static char *
text_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	char *v;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	v = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

/* Every table, index and trigger with its SQL, and the schema version. */
static const char sql_schema[] =
    "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), char(10))"
    " || char(10) || (SELECT user_version FROM pragma_user_version)"
    " FROM (SELECT * FROM sqlite_master ORDER BY type, name)";

START_TEST(test_export_verify)
{
	struct config *cfg = station_config("HY-KD-TT", NULL);
	struct rep_verified v;
	struct rep_period p;
	struct store *st;
	char *dir = tu_tmpdir(), *data, *cause = NULL, *out, *bad;
	size_t rows;

	setup_tz();
	st = station(dir, "HY-KD-TT", &data);
	ck_assert_int_eq(rep_period_parse("2026-H1", 0, &p, &cause), 0);
	xasprintf(&out, "%s/a.lxe", dir);
	ck_assert_msg(rep_export(store_db(st), cfg, data, &p, out, &rows, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(rows, 10);
	ck_assert_int_eq(rep_verify(out, 1, &v, &cause), 0);
	ck_assert_msg(v.ok, "%s", v.nproblems ? v.problems[0].what : "?");
	ck_assert_int_eq(v.sig_ok, 1);
	ck_assert_int_eq(v.rows, 10);
	ck_assert_str_eq(v.station.code, "HY-KD-TT");
	ck_assert_str_eq(v.period.from, "2025-12-15");
	/* The rows and bulletins came through: the same coverage from the copy. */
	{
		struct rep_coverage a, b;

		ck_assert_int_eq(rep_coverage(store_db(st), cfg, &p, &a, &cause), 0);
		ck_assert_int_eq(rep_coverage(store_db(v.store), cfg, &p, &b, &cause), 0);
		ck_assert_int_eq(a.slots, b.slots);
		ck_assert_int_eq(a.aired, b.aired);
		ck_assert_int_eq(a.played_ms, b.played_ms);
		ck_assert_int_eq(a.nbulletins, b.nbulletins);
		ck_assert_int_eq(a.quotas_met, b.quotas_met);
		ck_assert_int_eq(b.nbulletins, 4); /* bulletin 4 owed, never aired */
		ck_assert_int_eq(a.nmissed_by, b.nmissed_by);
		rep_coverage_clear(&a);
		rep_coverage_clear(&b);
	}
	/* The copy has the station's own schema: the coverage SQL reads both alike. */
	{
		char *a = text_of(store_db(st), sql_schema);
		char *b = text_of(store_db(v.store), sql_schema);

		ck_assert_str_eq(b, a);
		free(a);
		free(b);
		a = text_of(store_db(v.store), "SELECT count(*) FROM airings");
		ck_assert_str_eq(a, "10");
		free(a);
	}
	rep_verified_clear(&v);

	bad = rewrite(dir, "changed", out, edit_change);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_int_eq(v.changed, 1);
	ck_assert_int_eq(v.removed + v.reordered + v.inserted, 0);
	ck_assert_ptr_nonnull(strstr(v.problems[0].what, "row 3 changed"));
	ck_assert_ptr_null(v.store); /* no database without keep_db */
	rep_verified_clear(&v);
	free(bad);

	bad = rewrite(dir, "removed", out, edit_remove);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_int_eq(v.removed, 1);
	ck_assert_int_eq(v.changed + v.reordered + v.inserted, 0);
	ck_assert_ptr_nonnull(strstr(v.problems[0].what, "row 4 removed"));
	rep_verified_clear(&v);
	free(bad);

	bad = rewrite(dir, "reordered", out, edit_reorder);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_int_eq(v.reordered, 1);
	ck_assert_int_eq(v.changed + v.removed + v.inserted, 0);
	rep_verified_clear(&v);
	free(bad);

	bad = rewrite(dir, "inserted", out, edit_insert);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_int_eq(v.inserted, 1);
	ck_assert_int_eq(v.changed + v.removed + v.reordered, 0);
	rep_verified_clear(&v);
	free(bad);

	bad = rewrite(dir, "signature", out, edit_signature);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_int_eq(v.sig_ok, 0);
	ck_assert_int_eq(v.changed + v.removed + v.reordered + v.inserted, 0);
	rep_verified_clear(&v);
	free(bad);

	bad = rewrite(dir, "truncated", out, edit_truncate);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_ptr_nonnull(strstr(v.problems[0].what, "truncated"));
	rep_verified_clear(&v);
	free(bad);

	/* Row 3 changed and every hash after it recomputed: row 3 is named. */
	bad = rewrite(dir, "recomputed", out, edit_recompute);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_int_eq(v.changed, 1);
	ck_assert_int_eq(v.removed + v.reordered + v.inserted, 0);
	ck_assert_msg(strstr(v.problems[0].what, "row 3 changed") != NULL, "%s",
	    v.problems[0].what);
	ck_assert_int_eq(v.nproblems, 1);
	rep_verified_clear(&v);
	free(bad);

	/* Line endings converted to CRLF: named as such. */
	bad = rewrite(dir, "crlf", out, edit_crlf);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), -1);
	ck_assert_msg(strstr(cause, "CRLF") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	free(bad);

	bad = rewrite(dir, "header", out, edit_header);
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_ptr_nonnull(strstr(v.problems[0].what, "header"));
	rep_verified_clear(&v);
	free(bad);

	/* Not an export; no file. */
	bad = tu_write(dir, "junk", "loaxa-export\t2\n");
	ck_assert_int_eq(rep_verify(bad, 0, &v, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not a loaxa"));
	free(cause);
	cause = NULL;
	free(bad);
	ck_assert_int_eq(rep_verify("/nonexistent.lxe", 0, &v, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent.lxe"));
	free(cause);

	store_close(&st);
	conf_free(&cfg);
	tu_rmtree(dir);
	free(out);
	free(data);
	free(dir);
}
END_TEST

/*
 * What no true airing writes is flagged though the export is the station's:
 * more played than the time on air, two rows on air at once, an output that
 * was not real-time. A station code that is not one is refused, and a row
 * changed in the database after it was closed stops the export.
 */
START_TEST(test_export_flags)
{
	struct config *cfg = station_config("HY-KD-TT", NULL);
	struct rep_verified v;
	struct rep_period p;
	struct store *st;
	char *dir = tu_tmpdir(), *data, *cause = NULL, *out;
	size_t rows, i;
	int played = 0, overlap = 0, paced = 0;

	setup_tz();
	st = station(dir, "HY-KD-TT", &data);
	ck_assert_int_eq(rep_period_parse("2026-H1", 0, &p, &cause), 0);
	/* A 10-hour file "completed" in 8 s through a file output, not paced. */
	add_airing(st, 1, NULL, 0, at(2026, 2, 1, 8, 0), 600 * MIN, "completed", NULL,
	    NULL);
	exec(st, "UPDATE airings SET ended_at = started_at + 8000, paced = 0"
	    " WHERE id = (SELECT max(id) FROM airings)");
	/* Two rows on air at once. */
	add_airing(st, 2, NULL, 0, at(2026, 2, 2, 8, 0), 5 * MIN, "completed", NULL, NULL);
	add_airing(st, 3, NULL, 0, at(2026, 2, 2, 8, 2), 5 * MIN, "completed", NULL, NULL);
	xasprintf(&out, "%s/f.lxe", dir);
	ck_assert_msg(rep_export(store_db(st), cfg, data, &p, out, &rows, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(rep_verify(out, 1, &v, &cause), 0);
	ck_assert_msg(v.ok, "%s", v.nproblems ? v.problems[0].what : "?");
	for (i = 0; i < v.nflags; i++) {
		played += strstr(v.flags[i].what, "more than its wall time") != NULL;
		overlap += strstr(v.flags[i].what, "overlap") != NULL;
		paced += strstr(v.flags[i].what, "not real-time") != NULL;
	}
	ck_assert_int_eq(played, 1);
	ck_assert_int_eq(overlap, 1);
	ck_assert_int_eq(paced, 1);
	ck_assert_int_eq(v.nflags, 3);
	rep_verified_clear(&v);

	/* A station code with '=' (a spreadsheet formula) is refused. */
	free(cfg->station.code);
	cfg->station.code = xstrdup("=HYPERLINK(\"x\")");
	ck_assert_int_eq(rep_export(store_db(st), cfg, data, &p, out, &rows, &cause), 0);
	ck_assert_int_eq(rep_verify(out, 0, &v, &cause), 0);
	ck_assert_int_eq(v.ok, 0);
	ck_assert_msg(strstr(v.problems[0].what, "not a valid station code") != NULL,
	    "%s", v.problems[0].what);
	rep_verified_clear(&v);

	/* A row closed through the log, then changed behind loaxa's back. */
	ck_assert_int_eq(store_chain_close(st, 3, &cause), 0);
	ck_assert_int_eq(store_chain_close(st, 4, &cause), 0);
	exec(st, "UPDATE airings SET played_ms = 3600000 WHERE id = 3");
	ck_assert_int_eq(rep_export(store_db(st), cfg, data, &p, out, &rows, &cause), -1);
	ck_assert_msg(strstr(cause, "row 3 was changed") != NULL, "%s", cause);
	free(cause);

	store_close(&st);
	conf_free(&cfg);
	tu_rmtree(dir);
	free(out);
	free(data);
	free(dir);
}
END_TEST

/* A history entry for bulletin id, as the library would have recorded it. */
static void
add_event(struct store *st, int64_t id, int64_t when, const char *action,
    const char *to)
{
	sqlite3_stmt *q;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st),
	    "INSERT INTO bulletin_events (bulletin_id, at, actor, action, to_status,"
	    " sha256) VALUES (?1, ?2, 'test', ?3, ?4, printf('%064d', ?1))", -1, &q,
	    NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, when);
	sqlite3_bind_text(q, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, to, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
}

/*
 * A required minimum counts only in periods when the bulletin was in
 * service: bulletin 6 was approved after 2026-H1 ended, bulletin 7 retired
 * before it began, bulletin 8 retired during it. The station's report and
 * the report from its verified export agree.
 */
START_TEST(test_quota_in_service)
{
	struct config *cfg = station_config("HY-KD-TT", NULL);
	struct rep_coverage c;
	struct rep_verified v;
	struct rep_period p;
	struct store *st;
	char *dir = tu_tmpdir(), *data, *cause = NULL, *out;
	size_t rows;
	int pass;

	setup_tz();
	st = station(dir, "HY-KD-TT", &data);
	add_bulletin(st, 6, "Duyệt sau kỳ", "cchc", "UBND xã", 2, NULL, NULL);
	add_event(st, 6, at(2026, 7, 1, 8, 0), "approve", "approved");
	add_bulletin(st, 7, "Thôi phát trước kỳ", "cchc", "UBND xã", 2, NULL, NULL);
	add_event(st, 7, at(2025, 1, 2, 8, 0), "approve", "approved");
	add_event(st, 7, at(2025, 11, 1, 8, 0), "retire", "retired");
	add_bulletin(st, 8, "Thôi phát trong kỳ", "cchc", "UBND xã", 2, NULL, NULL);
	add_event(st, 8, at(2025, 10, 1, 8, 0), "approve", "approved");
	add_event(st, 8, at(2026, 3, 1, 8, 0), "retire", "retired");
	exec(st, "UPDATE bulletins SET approved_at = NULL, status = 'retired'"
	    " WHERE id IN (7, 8)");
	ck_assert_int_eq(rep_period_parse("2026-H1", 0, &p, &cause), 0);
	xasprintf(&out, "%s/q.lxe", dir);
	ck_assert_msg(rep_export(store_db(st), cfg, data, &p, out, &rows, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(rep_verify(out, 1, &v, &cause), 0);
	ck_assert(v.ok);
	for (pass = 0; pass < 2; pass++) {
		ck_assert_msg(rep_coverage(store_db(pass ? v.store : st), cfg, &p, &c,
		    &cause) == 0, "%s", cause);
		ck_assert_int_eq(c.quotas, 4); /* 1, 2, 4 and 8 */
		ck_assert_int_eq(c.quotas_met, 1);
		ck_assert_ptr_null(find_bulletin(&c, 6));
		ck_assert_ptr_null(find_bulletin(&c, 7));
		ck_assert_ptr_nonnull(find_bulletin(&c, 8));
		ck_assert_int_eq(find_bulletin(&c, 8)->met, 0);
		rep_coverage_clear(&c);
	}
	/* In 2026 as a whole, bulletin 6 was in service too. */
	ck_assert_int_eq(rep_period_parse("2026", 0, &p, &cause), 0);
	ck_assert_int_eq(rep_coverage(store_db(st), cfg, &p, &c, &cause), 0);
	ck_assert_int_eq(c.quotas, 5);
	ck_assert_ptr_nonnull(find_bulletin(&c, 6));
	rep_coverage_clear(&c);
	rep_verified_clear(&v);
	store_close(&st);
	conf_free(&cfg);
	tu_rmtree(dir);
	free(dir);
	free(data);
	free(out);
}
END_TEST

/* The base64 public key of the station whose data is data. */
static char *
pub_b64(const char *data)
{
	unsigned char sk[64], pk[32];
	char *cause = NULL, *out = xmalloc(64);

	ck_assert_int_eq(rep_key_load(data, sk, pk, &cause), 0);
	sodium_bin2base64(out, 64, pk, 32, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

START_TEST(test_merge)
{
	static const char *const codes[] = { "A", "B", "C" };
	struct config *cfg, *scfg;
	struct store *st;
	struct rep_merge m;
	struct rep_period p;
	char *dir = tu_tmpdir(), *data[4], *keys[3], *files[4], *cause = NULL, *trust;
	char *buf, *want, *cmd;
	const char *fl[4];
	size_t rows, i, len;
	FILE *out;

	setup_tz();
	ck_assert_int_eq(rep_period_parse("2026-H1", 0, &p, &cause), 0);
	for (i = 0; i < 3; i++) {
		st = station(dir, codes[i], &data[i]);
		if (i == 1) /* B's output was not real-time for one airing */
			exec(st, "UPDATE airings SET paced = 0 WHERE id = 2");
		keys[i] = pub_b64(data[i]);
		scfg = station_config(codes[i], NULL);
		xasprintf(&files[i], "%s/%s.lxe", dir, codes[i]);
		ck_assert_int_eq(rep_export(store_db(st), scfg, data[i], &p, files[i],
		    &rows, &cause), 0);
		store_close(&st);
		conf_free(&scfg);
	}
	/* A forger with its own key writes an export claiming to be C. */
	st = station(dir, "forger", &data[3]);
	scfg = station_config("C", NULL);
	xasprintf(&files[3], "%s/forged.lxe", dir);
	ck_assert_int_eq(rep_export(store_db(st), scfg, data[3], &p, files[3], &rows,
	    &cause), 0);
	store_close(&st);
	conf_free(&scfg);

	xasprintf(&trust, "trust = { stations = ( { code = \"A\"; key = \"%s\"; },"
	    " { code = \"B\"; key = \"%s\"; }, { code = \"C\"; key = \"%s\"; },"
	    " { code = \"D\"; key = \"%s\"; } ); };", keys[0], keys[1], keys[2], keys[0]);
	cfg = station_config("KD", trust);
	fl[0] = files[0];
	fl[1] = files[1];
	fl[2] = files[3]; /* the forgery instead of C's */
	ck_assert_msg(rep_merge(cfg, fl, 3, NULL, &m, &cause) == 0, "%s", cause);
	ck_assert_str_eq(m.period.label, "2026-H1");
	/* Each trusted station once: A, B accepted, C rejected (forged), D missing. */
	ck_assert_int_eq(m.nstations, 4);
	ck_assert_int_eq(m.stations[0].status, REP_MERGE_OK);
	ck_assert_int_eq(m.stations[1].status, REP_MERGE_OK);
	ck_assert_str_eq(m.stations[2].code, "C");
	ck_assert_int_eq(m.stations[2].status, REP_MERGE_REJECTED);
	ck_assert_ptr_nonnull(strstr(m.stations[2].why, "not the key trust.stations"));
	ck_assert_str_eq(m.stations[3].code, "D");
	ck_assert_int_eq(m.stations[3].status, REP_MERGE_MISSING);
	ck_assert_int_eq(m.accepted, 2);
	ck_assert_int_eq(m.rejected, 1);
	ck_assert_int_eq(m.missing, 1);
	ck_assert_int_eq(m.nrefused, 1);
	ck_assert_str_eq(m.refused[0].file, files[3]);
	/* Totals: twice one station's known answers. */
	ck_assert_int_eq(m.total.slots, 16);
	ck_assert_int_eq(m.total.aired, 8);
	ck_assert_int_eq(m.total.airings, 12);
	ck_assert_int_eq(m.total.played_ms, 42 * MIN);
	ck_assert(m.total.compliance > 0.4999 && m.total.compliance < 0.5001);
	ck_assert_int_eq(m.total.ntopics, 3);
	ck_assert_str_eq(m.total.topics[0].key, "cchc");
	ck_assert_int_eq(m.total.topics[0].airings, 10);
	ck_assert_str_eq(m.stations[0].cov.station.name, "Đài A");
	ck_assert_int_eq(m.stations[0].nflags, 0);
	rep_merge_clear(&m);

	/* With the genuine C, and the tampered copy of B for a period asked for. */
	fl[2] = files[2];
	ck_assert_int_eq(rep_merge(cfg, fl, 3, &p, &m, &cause), 0);
	ck_assert_int_eq(m.rejected, 0);
	ck_assert_int_eq(m.missing, 1);
	ck_assert_int_eq(m.total.slots, 24);
	ck_assert_int_eq(m.stations[1].nflags, 1);
	ck_assert_ptr_nonnull(strstr(m.stations[1].flags[0].what, "not real-time"));
	/* Every format carries the flags: JSON per station, CSV as a section. */
	ck_assert_ptr_nonnull(out = open_memstream(&buf, &len));
	ck_assert_int_eq(rep_merge_write(out, &m, REP_JSON, REP_VI, 0, &cause), 0);
	fclose(out);
	xasprintf(&want, "\"flags\": [{\"line\": %" PRId64 ", \"what\": \"row ",
	    m.stations[1].flags[0].line);
	ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "\"code\": \"A\", \"status\": \"ok\", "
	    "\"file\": "));
	free(want);
	free(buf);
	ck_assert_ptr_nonnull(out = open_memstream(&buf, &len));
	ck_assert_int_eq(rep_merge_write(out, &m, REP_CSV, REP_EN, 0, &cause), 0);
	fclose(out);
	xasprintf(&want, "\r\nB,%s:%" PRId64 ",row ", files[1],
	    m.stations[1].flags[0].line);
	ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
	free(want);
	free(buf);
	/* HTML too, and the missed slots by reason, each station's and the total's. */
	ck_assert_int_gt(m.total.nmissed_by, 0);
	ck_assert_ptr_nonnull(out = open_memstream(&buf, &len));
	ck_assert_int_eq(rep_merge_write(out, &m, REP_HTML, REP_VI, 0, &cause), 0);
	fclose(out);
	xasprintf(&want, "<tr><td>B</td><td>%s:%" PRId64 "</td><td class=\"rejected\">row ",
	    files[1], m.stations[1].flags[0].line);
	ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
	free(want);
	xasprintf(&want, "<tr><th>Tổng cộng</th><td>%s</td><td class=\"n\">%" PRId64
	    "</td></tr>", rep_reason(REP_VI, m.total.missed_by[0].key),
	    m.total.missed_by[0].n);
	ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
	free(want);
	xasprintf(&want, "<tr><td>A</td><td>%s</td><td class=\"n\">%" PRId64
	    "</td></tr>", rep_reason(REP_VI, m.stations[0].cov.missed_by[0].key),
	    m.stations[0].cov.missed_by[0].n);
	ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
	free(want);
	free(buf);
	/* The workbook's strings hold the flag and the reasons' title. */
	if (have("unzip")) {
		xasprintf(&want, "%s/merge.xlsx", dir);
		ck_assert_msg(rep_merge_write_xlsx(want, &m, REP_VI, &cause) == 0, "%s",
		    cause);
		buf = xmalloc(1 << 20);
		xasprintf(&cmd, "unzip -p '%s' xl/sharedStrings.xml", want);
		ck_assert_ptr_nonnull(out = popen(cmd, "r"));
		len = fread(buf, 1, (1 << 20) - 1, out);
		buf[len] = '\0';
		ck_assert_int_eq(pclose(out), 0);
		ck_assert_msg(strstr(buf, "not real-time") != NULL, "%s", buf);
		ck_assert_msg(strstr(buf, "Lý do không phát") != NULL, "%s", buf);
		free(cmd);
		free(buf);
		free(want);
	}
	rep_merge_clear(&m);
	/* The genuine C and a forgery of it: C is accepted once, the forgery refused. */
	fl[3] = files[3];
	ck_assert_int_eq(rep_merge(cfg, fl, 4, &p, &m, &cause), 0);
	ck_assert_int_eq(m.nstations, 4);
	ck_assert_int_eq(m.stations[2].status, REP_MERGE_OK);
	ck_assert_int_eq(m.accepted, 3);
	ck_assert_int_eq(m.rejected, 0);
	ck_assert_int_eq(m.missing, 1);
	ck_assert_int_eq(m.nrefused, 1);
	ck_assert_str_eq(m.refused[0].code, "C");
	ck_assert_int_eq(m.total.slots, 24);
	rep_merge_clear(&m);
	ck_assert_int_eq(rep_period_parse("2026", 0, &p, &cause), 0);
	ck_assert_int_eq(rep_merge(cfg, fl, 1, &p, &m, &cause), 0);
	ck_assert_int_eq(m.nstations, 4);
	ck_assert_int_eq(m.rejected, 1);
	ck_assert_int_eq(m.missing, 3);
	ck_assert_str_eq(m.stations[0].code, "A");
	ck_assert_ptr_nonnull(strstr(m.stations[0].why, "covers 2025-12-15..2026-06-14"));
	rep_merge_clear(&m);

	conf_free(&cfg);
	free(trust);
	for (i = 0; i < 4; i++) {
		free(data[i]);
		free(files[i]);
		if (i < 3)
			free(keys[i]);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * Every reason code the log can hold has its own Vietnamese label, so that
 * a Vietnamese report never prints one in English; English keeps the code.
 */
START_TEST(test_reason_labels)
{
	const char *name, *vi, *seen[SCHED_R_NREASONS] = { 0 };
	int r, k;

	for (r = SCHED_R_NONE + 1; r < SCHED_R_NREASONS; r++) {
		name = sched_reason_name((enum sched_reason)r);
		ck_assert_ptr_nonnull(name);
		ck_assert_str_eq(rep_reason(REP_EN, name), name);
		vi = rep_reason(REP_VI, name);
		ck_assert_msg(vi != NULL && strcmp(vi, name) != 0,
		    "reason '%s' has no Vietnamese label", name);
		for (k = SCHED_R_NONE + 1; k < r; k++)
			ck_assert_msg(strcmp(seen[k], vi) != 0, "'%s' and '%s' share '%s'",
			    sched_reason_name((enum sched_reason)k), name, vi);
		seen[r] = vi;
	}
	/* The report's own word for a slot with no reason. */
	ck_assert_str_ne(rep_reason(REP_VI, "unknown"), "unknown");
}
END_TEST

/*
 * The relay section: hours planned per source from the timetable history
 * (a relay slot "Thời sự" of VOV1, 05:00 for 30 minutes daily), hours
 * relayed from the relays' rows, and their interruptions by reason, in
 * text, CSV, JSON and HTML.
 */
START_TEST(test_relay_section)
{
	struct rep_schedule sched = { tt_occurrences, 0 };
	struct sched_log_interruption in = { 0, 300000, SCHED_R_SOURCE_LOST, "ended",
		"'Bản tin'" };
	char *dir = tu_tmpdir(), *data, *cause = NULL, *buf = NULL, *out, pub[45];
	struct rep_coverage c, e;
	struct rep_verified v;
	struct rep_period p;
	struct config *cfg;
	struct store *st;
	int64_t day, at, id;
	size_t len = 0, rows;
	FILE *f;

	setup_tz();
	cfg = config_text("station = { code = \"RL-1\"; name = \"Đài\"; };\n"
	    "relay = { sources = ( { name = \"VOV1\"; url = \"http://127.0.0.1:1/a\"; } ); };\n"
	    "playlists = ( { name = \"p\"; mode = \"rotate\"; topics = [ \"cchc\" ]; } );\n"
	    "timetable = ( { name = \"Thời sự\"; days = \"daily\"; start = \"05:00\";"
	    " length = \"30m\"; relay = \"VOV1\"; fallback = \"p\"; } );\n");
	xasprintf(&data, "%s/data", dir);
	ck_assert_int_eq(store_open_dir(data, &st, &cause), 0);
	ck_assert_int_eq(rep_key_create(st, data, 0, pub, &cause), 0);
	ck_assert_int_eq(rep_date_ms("2026-03-01", &day, &cause), 0);
	ck_assert_int_eq(rep_period_dates("2026-03-01", "2026-03-02", &p, &cause), 0);
	ck_assert_int_eq(sched_history_ensure(st, cfg, day - 86400000LL * 28, &cause), 1);
	at = day + 5 * 3600000LL;
	{
		struct sched_log_item it = { 0, NULL, "Thời sự", at, "normal", at, "VOV1" };

		id = sched_log_start(st, &it, at, &cause);
		ck_assert_int_gt(id, 0);
		in.at = at + 60000;
		ck_assert_int_eq(sched_log_finish_relay(st, id, at + 1800000, 1500000,
		    SCHED_COMPLETED, SCHED_R_NONE, NULL, &in, 1, &cause), 0);
	}
	sched.now = day + 10 * 86400000LL;
	ck_assert_msg(rep_coverage_sched(store_db(st), cfg, &p, &sched, &c, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(c.relay.nsources, 1);
	ck_assert_str_eq(c.relay.sources[0].source, "VOV1");
	ck_assert_int_eq(c.relay.planned_ms, 3600000);
	ck_assert_int_eq(c.relay.sources[0].relayed_ms, 1500000);
	ck_assert_int_eq(c.relay.interruptions, 1);
	ck_assert_int_eq(c.relay.interrupted_ms, 300000);
	ck_assert_int_eq(c.relay.nby_reason, 1);
	ck_assert_str_eq(c.relay.by_reason[0].key, "source lost");
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(rep_write(f, &c, REP_TEXT, REP_VI, 0, &cause), 0);
	ck_assert_int_eq(rep_write(f, &c, REP_CSV, REP_VI, 0, &cause), 0);
	ck_assert_int_eq(rep_write(f, &c, REP_JSON, REP_VI, 0, &cause), 0);
	ck_assert_int_eq(rep_write(f, &c, REP_HTML, REP_VI, 0, &cause), 0);
	fclose(f);
	ck_assert_msg(strstr(buf, "Tiếp sóng\n  Nguồn: VOV1\n         0,41 Giờ tiếp sóng,"
	    " 1,00 Giờ theo lịch; 1 Gián đoạn (5,0 Số phút)") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "VOV1,1.00,0.41,1,5.0\r\n") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "\"relays\": {\"planned_ms\": 3600000, \"planned_hours\":"
	    " 1.00, \"relayed_ms\": 1500000") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "<td>VOV1</td><td class=\"n\">1,00</td>") != NULL, "%s",
	    buf);
	free(buf);
	/* The workbook has the sheet Tiếp sóng with the source and the reason. */
	if (have("unzip")) {
		char *xl, *cmd;
		FILE *unzip;

		xasprintf(&xl, "%s/r.xlsx", dir);
		ck_assert_msg(rep_write_xlsx(xl, &c, REP_VI, &cause) == 0, "%s", cause);
		buf = xmalloc(1 << 16);
		xasprintf(&cmd, "unzip -p '%s' xl/workbook.xml xl/sharedStrings.xml", xl);
		ck_assert_ptr_nonnull(unzip = popen(cmd, "r"));
		len = fread(buf, 1, (1 << 16) - 1, unzip);
		buf[len] = '\0';
		ck_assert_int_eq(pclose(unzip), 0);
		ck_assert_msg(strstr(buf, "name=\"Tiếp sóng\"") != NULL, "%s", buf);
		ck_assert_msg(strstr(buf, "VOV1") != NULL, "%s", buf);
		ck_assert_msg(strstr(buf, "Giờ theo lịch") != NULL, "%s", buf);
		ck_assert_msg(strstr(buf, rep_reason(REP_VI, "source lost")) != NULL, "%s",
		    buf);
		free(cmd);
		free(buf);
		free(xl);
	}
	/* The signed export carries the relays: the verified rows give the same figures. */
	xasprintf(&out, "%s/r.lxe", dir);
	ck_assert_msg(rep_export(store_db(st), cfg, data, &p, out, &rows, &cause) == 0, "%s",
	    cause);
	ck_assert_int_eq(rep_verify(out, 1, &v, &cause), 0);
	ck_assert_msg(v.ok, "%s", v.nproblems ? v.problems[0].what : "?");
	ck_assert_int_eq(rep_coverage_sched(store_db(v.store), cfg, &p, &sched, &e, &cause),
	    0);
	ck_assert_int_eq(e.relay.nsources, 1);
	ck_assert_int_eq(e.relay.planned_ms, c.relay.planned_ms);
	ck_assert_int_eq(e.relay.relayed_ms, c.relay.relayed_ms);
	ck_assert_int_eq(e.relay.interrupted_ms, 300000);
	ck_assert_str_eq(e.relay.by_reason[0].key, "source lost");
	ck_assert_int_eq(v.nflags, 0);
	rep_coverage_clear(&e);
	rep_verified_clear(&v);
	/*
	 * The slot's fallback bulletins: one inside the interruption is the
	 * relay's own (not an overlap); one that overlaps it, and one outside
	 * every interruption of the relay, are flagged, though the relay's row
	 * covers the slot and the later bulletin ends after the first.
	 */
	{
		static const int64_t fb[3][2] = { { 61000, 120000 }, { 62000, 150000 },
			{ 900000, 60000 } };
		struct sched_log_item it = { 0, NULL, "Thời sự", at, "normal", at, NULL };
		int k;

		for (k = 0; k < 3; k++) {
			id = sched_log_start(st, &it, at + fb[k][0], &cause);
			ck_assert_int_gt(id, 0);
			ck_assert_int_eq(sched_log_finish(st, id, at + fb[k][0] + fb[k][1],
			    fb[k][1], SCHED_COMPLETED, SCHED_R_NONE, NULL, &cause), 0);
		}
	}
	ck_assert_msg(rep_export(store_db(st), cfg, data, &p, out, &rows, &cause) == 0, "%s",
	    cause);
	ck_assert_int_eq(rep_verify(out, 0, &v, &cause), 0);
	ck_assert_msg(v.ok, "%s", v.nproblems ? v.problems[0].what : "?");
	ck_assert_int_eq(v.nflags, 2);
	ck_assert_msg(strstr(v.flags[0].what, "rows 2 and 3 overlap") != NULL, "%s",
	    v.flags[0].what);
	ck_assert_msg(strstr(v.flags[1].what, "rows 1 and 4 overlap") != NULL, "%s",
	    v.flags[1].what);
	rep_verified_clear(&v);
	free(out);
	rep_coverage_clear(&c);
	store_close(&st);
	conf_free(&cfg);
	tu_rmtree(dir);
	free(dir);
	free(data);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("reports");
	TCase *tc = tcase_create("reports");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_human_formats);
	tcase_add_test(tc, test_periods);
	tcase_add_test(tc, test_coverage_known_answers);
	tcase_add_test(tc, test_formats);
	tcase_add_test(tc, test_rate_rounds_down);
	tcase_add_test(tc, test_figures_everywhere);
	tcase_add_test(tc, test_station_key);
	tcase_add_test(tc, test_export_verify);
	tcase_add_test(tc, test_export_flags);
	tcase_add_test(tc, test_quota_in_service);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_scheduled_from_history);
	tcase_add_test(tc, test_reason_labels);
	tcase_add_test(tc, test_relay_section);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
