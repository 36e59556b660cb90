/*
 * Unit tests for reports/: periods and their cut-off days, known answers on a
 * constructed airing log in a real SQLite file, every format parsing back,
 * signed exports and each kind of tampering, and the district merge.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/reports.h"
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
}
END_TEST

START_TEST(test_iso8601)
{
	char t[32];

	setup_tz();
	rep_iso8601(at(2026, 12, 7, 5, 30) + 123, t);
	ck_assert_str_eq(t, "2026-12-07T05:30:00.123+07:00");
	setenv("TZ", "America/St_Johns", 1); /* -03:30 in winter */
	tzset();
	rep_iso8601(1765731600000LL, t);
	ck_assert_str_eq(t, "2025-12-14T13:30:00.000-03:30");
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

int
main(void)
{
	Suite *s = suite_create("reports");
	TCase *tc = tcase_create("reports");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_periods);
	tcase_add_test(tc, test_iso8601);
	tcase_add_test(tc, test_coverage_known_answers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
