/*
 * Unit tests for scheduler/timetable.c: occurrences of slots (weekdays,
 * one-off dates, from/until, skip dates, midnight crossings), the skipped and
 * repeated hours in Europe/Berlin and America/New_York, and the overlap rule.
 * Table-driven: a timetable in config syntax, a window, the occurrences
 * expected, written in local time with the UTC offset.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/timetable.h"

#define PL "playlists = ( { name = \"p\"; mode = \"rotate\"; } );\n"

/* Reads a config of the slots text in zone tz; fails the test on a problem. */
static struct config *
tt_config(const char *tz, const char *slots)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *text;
	size_t i;

	xasprintf(&text, "station = { code = \"T\"; name = \"T\"; timezone = \"%s\"; };\n"
	    PL "timetable = ( %s );\n", tz, slots);
	if (conf_read_string(text, "test.conf", &c, &p) != 0)
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s\n", p.lines[i]);
	ck_assert_uint_eq(p.n, 0);
	conf_problems_clear(&p);
	free(text);
	return c;
}

/* The instant of local "YYYY-MM-DD HH:MM" in tz. */
static int64_t
tt_at(const char *tz, const char *local)
{
	char date[11], *cause = NULL;
	int32_t day;
	int64_t ms;
	int h, m;

	memcpy(date, local, 10);
	date[10] = '\0';
	ck_assert_int_eq(conf_date_parse(date, &day), 0);
	ck_assert_int_eq(sscanf(local + 11, "%d:%d", &h, &m), 2);
	ck_assert_int_eq(sched_local_to_utc(tz, day, h * 3600 + m * 60, &ms, NULL,
	    &cause), 0);
	return ms;
}

/* Local ISO time of ms in tz without the milliseconds: 2026-03-29T03:30:00+02:00. */
static void
tt_iso(const char *tz, int64_t ms, char *out)
{
	char buf[40], *cause = NULL;

	ck_assert_int_eq(sched_format_iso(tz, ms, buf, sizeof buf, &cause), 0);
	memcpy(out, buf, 19);
	strcpy(out + 19, buf + 23);
}

/* The occurrences of c in [from, to) as "NAME START END[ air A B| skipped]; ...". */
static char *
tt_render(const struct config *c, int64_t from, int64_t to)
{
	const char *tz = c->station.timezone;
	struct sched_occurrence *o = NULL;
	char *cause = NULL, *s = xstrdup(""), *t, a[40], b[40], x[40], y[40];
	size_t n, i;

	ck_assert_int_eq(sched_occurrences(c->slots, c->nslots, tz, from, to, &o, &n,
	    &cause), 0);
	for (i = 0; i < n; i++) {
		tt_iso(tz, o[i].start, a);
		tt_iso(tz, o[i].end, b);
		if (o[i].skipped)
			xasprintf(&t, "%s%s%s %s %s skipped", s, i ? "; " : "",
			    c->slots[o[i].slot].name, a, b);
		else if (o[i].air_start != o[i].start || o[i].air_end != o[i].end) {
			tt_iso(tz, o[i].air_start, x);
			tt_iso(tz, o[i].air_end, y);
			xasprintf(&t, "%s%s%s %s %s air %s %s", s, i ? "; " : "",
			    c->slots[o[i].slot].name, a, b, x + 11, y + 11);
		} else
			xasprintf(&t, "%s%s%s %s %s", s, i ? "; " : "",
			    c->slots[o[i].slot].name, a, b);
		free(s);
		s = t;
	}
	free(o);
	return s;
}

static const struct tt_case {
	const char *what, *tz, *slots, *from, *to, *want;
} cases[] = {
	{ "weekdays", "Asia/Ho_Chi_Minh",
	  "{ name = \"C\"; days = \"weekdays\"; start = \"17:00\"; end = \"17:30\"; playlist = \"p\"; }",
	  "2026-12-04 00:00", "2026-12-09 00:00", /* Fri .. Tue */
	  "C 2026-12-04T17:00:00+07:00 2026-12-04T17:30:00+07:00; "
	  "C 2026-12-07T17:00:00+07:00 2026-12-07T17:30:00+07:00; "
	  "C 2026-12-08T17:00:00+07:00 2026-12-08T17:30:00+07:00" },
	{ "weekend and a list of days", "Asia/Ho_Chi_Minh",
	  "{ name = \"W\"; days = \"weekend\"; start = \"07:00\"; length = \"15m\"; playlist = \"p\"; },"
	  "{ name = \"L\"; days = [ \"mon\", \"thu\" ]; start = \"06:00:30\"; length = \"90s\"; playlist = \"p\"; }",
	  "2026-12-03 00:00", "2026-12-08 00:00", /* Thu .. Mon */
	  "L 2026-12-03T06:00:30+07:00 2026-12-03T06:02:00+07:00; "
	  "W 2026-12-05T07:00:00+07:00 2026-12-05T07:15:00+07:00; "
	  "W 2026-12-06T07:00:00+07:00 2026-12-06T07:15:00+07:00; "
	  "L 2026-12-07T06:00:30+07:00 2026-12-07T06:02:00+07:00" },
	{ "a one-off date", "Asia/Ho_Chi_Minh",
	  "{ name = \"QK\"; date = \"2026-09-02\"; start = \"07:00:00\"; length = \"1h30m\"; playlist = \"p\"; }",
	  "2026-08-01 00:00", "2026-10-01 00:00",
	  "QK 2026-09-02T07:00:00+07:00 2026-09-02T08:30:00+07:00" },
	{ "a one-off date outside the window", "Asia/Ho_Chi_Minh",
	  "{ name = \"QK\"; date = \"2026-09-02\"; start = \"07:00\"; length = \"20m\"; playlist = \"p\"; }",
	  "2026-09-02 07:01", "2026-10-01 00:00", "" },
	{ "from and until", "Asia/Ho_Chi_Minh",
	  "{ name = \"S\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\";"
	  "  from = \"2026-06-02\"; until = \"2026-06-03\"; }",
	  "2026-06-01 00:00", "2026-06-06 00:00",
	  "S 2026-06-02T05:30:00+07:00 2026-06-02T06:00:00+07:00; "
	  "S 2026-06-03T05:30:00+07:00 2026-06-03T06:00:00+07:00" },
	{ "skip dates", "Asia/Ho_Chi_Minh",
	  "{ name = \"S\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\";"
	  "  skip = [ \"2026-06-04\", \"2026-06-02\" ]; }",
	  "2026-06-01 00:00", "2026-06-05 00:00",
	  "S 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00; "
	  "S 2026-06-03T05:30:00+07:00 2026-06-03T06:00:00+07:00" },
	{ "crossing midnight, end before start", "Asia/Ho_Chi_Minh",
	  "{ name = \"N\"; days = [ \"sat\" ]; start = \"23:30\"; end = \"00:30\"; playlist = \"p\"; }",
	  "2026-12-05 00:00", "2026-12-07 00:00",
	  "N 2026-12-05T23:30:00+07:00 2026-12-06T00:30:00+07:00" },
	{ "crossing midnight: only its start counts for the window", "Asia/Ho_Chi_Minh",
	  "{ name = \"N\"; days = [ \"sat\" ]; start = \"23:30\"; length = \"1h\"; playlist = \"p\"; }",
	  "2026-12-06 00:00", "2026-12-07 00:00", "" },
	{ "window edges: [from, to)", "Asia/Ho_Chi_Minh",
	  "{ name = \"S\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; }",
	  "2026-06-01 05:30", "2026-06-02 05:30",
	  "S 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00" },
	/* Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET. */
	{ "Berlin spring forward: a start in the gap moves later by the gap", "Europe/Berlin",
	  "{ name = \"G\"; days = \"daily\"; start = \"02:30\"; length = \"30m\"; playlist = \"p\"; }",
	  "2026-03-28 00:00", "2026-03-31 00:00",
	  "G 2026-03-28T02:30:00+01:00 2026-03-28T03:00:00+01:00; "
	  "G 2026-03-29T03:30:00+02:00 2026-03-29T04:00:00+02:00; "
	  "G 2026-03-30T02:30:00+02:00 2026-03-30T03:00:00+02:00" },
	{ "Berlin spring forward: a slot across the gap ends at its clock end", "Europe/Berlin",
	  "{ name = \"X\"; date = \"2026-03-29\"; start = \"01:30\"; end = \"03:30\"; playlist = \"p\"; }",
	  "2026-03-29 00:00", "2026-03-30 00:00",
	  "X 2026-03-29T01:30:00+01:00 2026-03-29T03:30:00+02:00" },
	{ "Berlin fall back: a start in the repeated hour airs once, the first time", "Europe/Berlin",
	  "{ name = \"F\"; days = \"daily\"; start = \"02:30\"; length = \"20m\"; playlist = \"p\"; }",
	  "2026-10-24 00:00", "2026-10-27 00:00",
	  "F 2026-10-24T02:30:00+02:00 2026-10-24T02:50:00+02:00; "
	  "F 2026-10-25T02:30:00+02:00 2026-10-25T02:50:00+02:00; "
	  "F 2026-10-26T02:30:00+01:00 2026-10-26T02:50:00+01:00" },
	{ "Berlin fall back: a clock end after the repeated hour", "Europe/Berlin",
	  "{ name = \"F\"; date = \"2026-10-25\"; start = \"02:30\"; end = \"03:00\"; playlist = \"p\"; }",
	  "2026-10-25 00:00", "2026-10-26 00:00",
	  "F 2026-10-25T02:30:00+02:00 2026-10-25T03:00:00+01:00" },
	/* America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST. */
	{ "New York spring forward", "America/New_York",
	  "{ name = \"G\"; days = \"daily\"; start = \"02:15\"; end = \"02:45\"; playlist = \"p\"; },"
	  "{ name = \"M\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; }",
	  "2026-03-08 00:00", "2026-03-10 00:00",
	  "G 2026-03-08T03:15:00-04:00 2026-03-08T03:45:00-04:00; "
	  "M 2026-03-08T05:30:00-04:00 2026-03-08T06:00:00-04:00; "
	  "G 2026-03-09T02:15:00-04:00 2026-03-09T02:45:00-04:00; "
	  "M 2026-03-09T05:30:00-04:00 2026-03-09T06:00:00-04:00" },
	{ "New York fall back", "America/New_York",
	  "{ name = \"F\"; days = \"daily\"; start = \"01:30\"; length = \"20m\"; playlist = \"p\"; },"
	  "{ name = \"M\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; }",
	  "2026-10-31 00:00", "2026-11-02 00:00",
	  "F 2026-10-31T01:30:00-04:00 2026-10-31T01:50:00-04:00; "
	  "M 2026-10-31T05:30:00-04:00 2026-10-31T06:00:00-04:00; "
	  "F 2026-11-01T01:30:00-04:00 2026-11-01T01:50:00-04:00; "
	  "M 2026-11-01T05:30:00-05:00 2026-11-01T06:00:00-05:00" },
	{ "New York: a length across fall back is real time", "America/New_York",
	  "{ name = \"L\"; date = \"2026-11-01\"; start = \"00:30\"; length = \"2h\"; playlist = \"p\"; }",
	  "2026-11-01 00:00", "2026-11-02 00:00",
	  "L 2026-11-01T00:30:00-04:00 2026-11-01T01:30:00-05:00" },
	/* The overlap rule. */
	{ "overlap, equal priority: the later starts when the earlier ends", "Asia/Ho_Chi_Minh",
	  "{ name = \"A\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; },"
	  "{ name = \"B\"; days = \"daily\"; start = \"05:45\"; end = \"06:15\"; playlist = \"p\"; }",
	  "2026-06-01 00:00", "2026-06-02 00:00",
	  "A 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00; "
	  "B 2026-06-01T05:45:00+07:00 2026-06-01T06:15:00+07:00 air 06:00:00+07:00 06:15:00+07:00" },
	{ "overlap, equal priority: no time left, skipped", "Asia/Ho_Chi_Minh",
	  "{ name = \"A\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; },"
	  "{ name = \"B\"; days = \"daily\"; start = \"05:40\"; end = \"05:50\"; playlist = \"p\"; }",
	  "2026-06-01 00:00", "2026-06-02 00:00",
	  "A 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00; "
	  "B 2026-06-01T05:40:00+07:00 2026-06-01T05:50:00+07:00 skipped" },
	{ "overlap, equal start and priority: timetable order keeps the air", "Asia/Ho_Chi_Minh",
	  "{ name = \"A\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; },"
	  "{ name = \"B\"; days = \"daily\"; start = \"05:30\"; end = \"06:10\"; playlist = \"p\"; }",
	  "2026-06-01 00:00", "2026-06-02 00:00",
	  "A 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00; "
	  "B 2026-06-01T05:30:00+07:00 2026-06-01T06:10:00+07:00 air 06:00:00+07:00 06:10:00+07:00" },
	{ "overlap: a higher priority inside a lower one cuts it short", "Asia/Ho_Chi_Minh",
	  "{ name = \"A\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; },"
	  "{ name = \"B\"; days = \"daily\"; start = \"05:45\"; end = \"05:50\"; playlist = \"p\"; priority = \"priority\"; }",
	  "2026-06-01 00:00", "2026-06-02 00:00",
	  "A 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00 air 05:30:00+07:00 05:45:00+07:00; "
	  "B 2026-06-01T05:45:00+07:00 2026-06-01T05:50:00+07:00" },
	{ "overlap: a lower one starting inside a higher one starts late", "Asia/Ho_Chi_Minh",
	  "{ name = \"A\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; priority = \"emergency\"; },"
	  "{ name = \"B\"; days = \"daily\"; start = \"05:40\"; end = \"06:10\"; playlist = \"p\"; }",
	  "2026-06-01 00:00", "2026-06-02 00:00",
	  "A 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00; "
	  "B 2026-06-01T05:40:00+07:00 2026-06-01T06:10:00+07:00 air 06:00:00+07:00 06:10:00+07:00" },
	{ "overlap: a higher priority wins over an earlier, equal window", "Asia/Ho_Chi_Minh",
	  "{ name = \"A\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; },"
	  "{ name = \"B\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; priority = \"priority\"; }",
	  "2026-06-01 00:00", "2026-06-02 00:00",
	  "A 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00 skipped; "
	  "B 2026-06-01T05:30:00+07:00 2026-06-01T06:00:00+07:00" },
	{ "overlap across midnight and the window's start", "Asia/Ho_Chi_Minh",
	  "{ name = \"N\"; days = \"daily\"; start = \"23:00\"; length = \"2h\"; playlist = \"p\"; },"
	  "{ name = \"E\"; days = \"daily\"; start = \"00:30\"; end = \"01:30\"; playlist = \"p\"; }",
	  "2026-06-02 00:00", "2026-06-02 12:00",
	  "E 2026-06-02T00:30:00+07:00 2026-06-02T01:30:00+07:00 air 01:00:00+07:00 01:30:00+07:00" },
};

START_TEST(test_occurrences)
{
	const struct tt_case *tc = &cases[_i];
	struct config *c = tt_config(tc->tz, tc->slots);
	char *got;

	got = tt_render(c, tt_at(tc->tz, tc->from), tt_at(tc->tz, tc->to));
	ck_assert_msg(strcmp(got, tc->want) == 0, "%s:\n got: %s\nwant: %s", tc->what,
	    got, tc->want);
	free(got);
	conf_free(&c);
}
END_TEST

/* Local times in gaps and folds say so; the wrapper leaves TZ as it was. */
START_TEST(test_local_kinds)
{
	static const struct {
		const char *tz, *date;
		int sec, kind;
		const char *want;
	} k[] = {
		{ "Europe/Berlin", "2026-03-29", 2 * 3600 + 1800, SCHED_LOCAL_GAP, "2026-03-29T03:30:00+02:00" },
		{ "Europe/Berlin", "2026-10-25", 2 * 3600 + 1800, SCHED_LOCAL_FOLD, "2026-10-25T02:30:00+02:00" },
		{ "Europe/Berlin", "2026-10-25", 3 * 3600, SCHED_LOCAL_OK, "2026-10-25T03:00:00+01:00" },
		{ "America/New_York", "2026-03-08", 2 * 3600, SCHED_LOCAL_GAP, "2026-03-08T03:00:00-04:00" },
		{ "America/New_York", "2026-11-01", 3600 + 59 * 60, SCHED_LOCAL_FOLD, "2026-11-01T01:59:00-04:00" },
		{ "Asia/Ho_Chi_Minh", "2026-03-29", 2 * 3600 + 1800, SCHED_LOCAL_OK, "2026-03-29T02:30:00+07:00" },
	};
	char *cause = NULL, got[40];
	int32_t day;
	int64_t ms;
	size_t i;
	int kind;

	setenv("TZ", "UTC", 1);
	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		ck_assert_int_eq(conf_date_parse(k[i].date, &day), 0);
		ck_assert_int_eq(sched_local_to_utc(k[i].tz, day, k[i].sec, &ms, &kind,
		    &cause), 0);
		ck_assert_int_eq(kind, k[i].kind);
		tt_iso(k[i].tz, ms, got);
		ck_assert_str_eq(got, k[i].want);
	}
	ck_assert_str_eq(getenv("TZ"), "UTC");
	ck_assert_int_eq(sched_local_to_utc("Mars/Olympus", day, 0, &ms, NULL, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "unknown time zone 'Mars/Olympus'"));
	free(cause);
}
END_TEST

/* The same occurrence comes out the same whatever window asks for it. */
START_TEST(test_window_independent)
{
	struct config *c = tt_config("Europe/Berlin",
	    "{ name = \"A\"; days = \"daily\"; start = \"23:00\"; length = \"3h\"; playlist = \"p\"; },"
	    "{ name = \"B\"; days = \"daily\"; start = \"01:00\"; end = \"02:30\"; playlist = \"p\"; },"
	    "{ name = \"C\"; days = [ \"sun\" ]; start = \"01:30\"; length = \"10m\"; playlist = \"p\"; priority = \"priority\"; }");
	const char *tz = c->station.timezone;
	int64_t from = tt_at(tz, "2026-03-20 00:00"), to = tt_at(tz, "2026-04-10 00:00");
	char *all, *parts, *t, *p;
	int64_t cut;

	all = tt_render(c, from, to);
	parts = xstrdup("");
	for (cut = from; cut < to; cut += 7 * 3600 * 1000LL) {
		p = tt_render(c, cut, cut + 7 * 3600 * 1000LL < to ?
		    cut + 7 * 3600 * 1000LL : to);
		xasprintf(&t, "%s%s%s", parts, parts[0] && p[0] ? "; " : "", p);
		free(parts);
		free(p);
		parts = t;
	}
	ck_assert_str_eq(parts, all);
	ck_assert_msg(strstr(all, "B 2026-03-29T01:00:00+01:00 2026-03-29T03:30:00+02:00 air 01:40:00+01:00 03:30:00+02:00") != NULL, "%s", all);
	free(all);
	free(parts);
	conf_free(&c);
}
END_TEST

/* The next occurrences from an instant: the one on air, then the following. */
START_TEST(test_next)
{
	struct config *c = tt_config("Asia/Ho_Chi_Minh",
	    "{ name = \"S\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\"; },"
	    "{ name = \"C\"; days = \"daily\"; start = \"17:00\"; end = \"17:30\"; playlist = \"p\"; },"
	    "{ name = \"Y\"; date = \"2027-09-02\"; start = \"07:00\"; length = \"20m\"; playlist = \"p\"; }");
	struct sched_occurrence *o;
	char *cause = NULL, a[40];
	size_t n;

	ck_assert_int_eq(sched_next_occurrences(c->slots, c->nslots, c->station.timezone,
	    tt_at("Asia/Ho_Chi_Minh", "2026-06-01 05:45"), 3, &o, &n, &cause), 0);
	ck_assert_uint_eq(n, 3);
	tt_iso(c->station.timezone, o[0].start, a);
	ck_assert_str_eq(a, "2026-06-01T05:30:00+07:00");
	tt_iso(c->station.timezone, o[2].start, a);
	ck_assert_str_eq(a, "2026-06-02T05:30:00+07:00");
	free(o);
	conf_free(&c);
	/* Far ahead: a one-off more than a year later is still found. */
	c = tt_config("Asia/Ho_Chi_Minh",
	    "{ name = \"Y\"; date = \"2027-05-02\"; start = \"07:00\"; length = \"20m\"; playlist = \"p\"; }");
	ck_assert_int_eq(sched_next_occurrences(c->slots, c->nslots, c->station.timezone,
	    tt_at("Asia/Ho_Chi_Minh", "2026-06-01 05:45"), 5, &o, &n, &cause), 0);
	ck_assert_uint_eq(n, 1);
	free(o);
	conf_free(&c);
}
END_TEST

/*
 * One occurrence carries what the daemon needs of its slot: the priority and
 * whether an item may overrun; end is the nominal end and air_end what the
 * overlap rule leaves of it.
 */
START_TEST(test_occurrence_fields)
{
	struct config *c = tt_config("Asia/Ho_Chi_Minh",
	    "{ name = \"A\"; days = \"daily\"; start = \"05:30\"; end = \"06:00\"; playlist = \"p\";"
	    " allow_overrun = true; },"
	    "{ name = \"E\"; days = \"daily\"; start = \"05:50\"; end = \"06:10\"; playlist = \"p\";"
	    " priority = \"emergency\"; }");
	struct sched_occurrence *o;
	char *cause = NULL;
	int64_t at = tt_at("Asia/Ho_Chi_Minh", "2026-06-01 05:00");
	size_t n;

	ck_assert_int_eq(sched_occurrences(c->slots, c->nslots, c->station.timezone, at,
	    at + 3600 * 1000, &o, &n, &cause), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(o[0].slot, 0);
	ck_assert_int_eq(o[0].overrun, 1);
	ck_assert_int_eq(o[0].priority, CONF_PRIO_NORMAL);
	ck_assert_int_eq(o[0].end, tt_at("Asia/Ho_Chi_Minh", "2026-06-01 06:00"));
	ck_assert_int_eq(o[0].air_end, tt_at("Asia/Ho_Chi_Minh", "2026-06-01 05:50"));
	ck_assert_uint_eq(o[1].slot, 1);
	ck_assert_int_eq(o[1].overrun, 0);
	ck_assert_int_eq(o[1].priority, CONF_PRIO_EMERGENCY);
	ck_assert_int_eq(o[1].end, o[1].air_end);
	free(o);
	conf_free(&c);
}
END_TEST

/* Weekdays from day numbers; dates round-trip. */
START_TEST(test_calendar)
{
	char out[11];
	int32_t d;

	ck_assert_int_eq(sched_weekday(0), 4); /* 1970-01-01, a Thursday */
	ck_assert_int_eq(conf_date_parse("2026-09-02", &d), 0);
	ck_assert_int_eq(sched_weekday(d), 3); /* a Wednesday */
	conf_date_format(d, out);
	ck_assert_str_eq(out, "2026-09-02");
	ck_assert_int_eq(conf_date_parse("2028-02-29", &d), 0);
	ck_assert_int_eq(conf_date_parse("2026-02-29", &d), -1);
	ck_assert_int_eq(conf_date_parse("2026-9-02", &d), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("timetable");
	TCase *tc = tcase_create("timetable");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_occurrences, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_local_kinds);
	tcase_add_test(tc, test_window_independent);
	tcase_add_test(tc, test_next);
	tcase_add_test(tc, test_occurrence_fields);
	tcase_add_test(tc, test_calendar);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
