/*
 * Unit tests for playlists/ (pl_select) and the simulation in scheduler/plan.c:
 * fair rotation, quotas first, items that do not fit, priority first, fixed
 * order and repeats, intro and outro, content that must never be planned,
 * and the candidates' tags as the library gives them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "config/config.h"
#include "playlists/playlists.h"
#include "scheduler/plan.h"
#include "store/store.h"
#include "tests/testutil.h"

#define DAY 20600 /* a local date (2026-05-27) as days since 1970-01-01 */

/* A candidate: approved, valid always, 60 s long, unless changed after. */
static struct pl_candidate
cand(int64_t id, const char *topic)
{
	struct pl_candidate c;
	static char sha[16][65];

	memset(&c, 0, sizeof c);
	c.id = id;
	snprintf(sha[id % 16], sizeof sha[0], "%02llx%062d", (long long)id, 0);
	c.sha256 = sha[id % 16];
	c.title = "t";
	c.topic = topic;
	c.agency = "UBND xã";
	c.approved = 1;
	c.valid_from = c.valid_until = CONF_NO_DATE;
	c.duration_ms = 60000;
	return c;
}

static struct config_playlist
rotate(void)
{
	struct config_playlist p;

	memset(&p, 0, sizeof p);
	p.name = (char *)"r";
	p.mode = CONF_PL_ROTATE;
	return p;
}

/* Runs pl_select and renders the picks as "id,id,...". */
static char *
sel(const struct pl_request *req, const struct pl_candidate *c, size_t n)
{
	struct pl_pick *p;
	char *s = xstrdup(""), *t;
	size_t np, i;

	np = pl_select(req, c, n, &p);
	for (i = 0; i < np; i++) {
		xasprintf(&t, "%s%s%lld", s, i ? "," : "", (long long)c[p[i].cand].id);
		free(s);
		s = t;
	}
	free(p);
	return s;
}

/* Over 100 occurrences, equal bulletins air within one of each other. */
START_TEST(test_fairness)
{
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 180000, 0, NULL, NULL };
	struct pl_candidate c[7];
	struct pl_pick *pk;
	size_t np, i, j;
	int lo = 1 << 30, hi = 0;

	for (i = 0; i < 7; i++)
		c[i] = cand((int64_t)i + 1, "cchc");
	for (j = 0; j < 100; j++) {
		np = pl_select(&req, c, 7, &pk);
		ck_assert_uint_eq(np, 3);
		for (i = 0; i < np; i++) {
			c[pk[i].cand].airings++;
			c[pk[i].cand].last_aired = (int64_t)j * 1000 + (int64_t)i;
		}
		free(pk);
	}
	for (i = 0; i < 7; i++) {
		lo = c[i].airings < lo ? c[i].airings : lo;
		hi = c[i].airings > hi ? c[i].airings : hi;
	}
	ck_assert_int_le(hi - lo, 1);
	ck_assert_int_eq(c[0].airings + c[1].airings + c[2].airings + c[3].airings +
	    c[4].airings + c[5].airings + c[6].airings, 300);
}
END_TEST

/* Deterministic order: least aired, then least recently, then id. */
START_TEST(test_rotation_order)
{
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 180000, 0, NULL, NULL };
	struct pl_candidate c[4];
	char *s;

	c[0] = cand(1, "cchc"); c[0].airings = 2; c[0].last_aired = 100;
	c[1] = cand(2, "cchc"); c[1].airings = 1; c[1].last_aired = 500;
	c[2] = cand(3, "cchc"); c[2].airings = 1; c[2].last_aired = 200;
	c[3] = cand(4, "cchc"); c[3].airings = 2; c[3].last_aired = 50;
	s = sel(&req, c, 4);
	ck_assert_str_eq(s, "3,2,4");
	free(s);
}
END_TEST

/* Bulletins short of their minimum go first, largest shortfall per remaining slot first. */
START_TEST(test_quota_first)
{
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 180000, 0, NULL, NULL };
	struct pl_candidate c[5];
	char *s;

	c[0] = cand(1, "cchc");                                 /* never aired */
	c[1] = cand(2, "cchc"); c[1].airings = 9; c[1].min_airings = 10;
	c[1].remaining = 10;                                    /* 1 short over 10 */
	c[2] = cand(3, "cchc"); c[2].airings = 5; c[2].min_airings = 10;
	c[2].remaining = 5;                                     /* 5 over 5: urgent */
	c[3] = cand(4, "cchc"); c[3].airings = 20; c[3].min_airings = 10; /* met */
	c[4] = cand(5, "cchc"); c[4].airings = 3; c[4].min_airings = 6;
	c[4].remaining = 30;                                    /* 3 over 30 */
	s = sel(&req, c, 5);
	ck_assert_str_eq(s, "3,5,2");
	free(s);
}
END_TEST

/* An item that would not finish is not started; a later one that fits is. */
START_TEST(test_fit)
{
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 100000, 0, NULL, NULL };
	struct pl_candidate c[3];
	char *s;

	c[0] = cand(1, "cchc"); c[0].duration_ms = 60000;
	c[1] = cand(2, "cchc"); c[1].duration_ms = 50000; c[1].airings = 1;
	c[2] = cand(3, "cchc"); c[2].duration_ms = 30000; c[2].airings = 2;
	s = sel(&req, c, 3);
	ck_assert_str_eq(s, "1,3");
	free(s);
	/* With overrun, an item may start as long as it starts before the end. */
	req.allow_overrun = 1;
	s = sel(&req, c, 3);
	ck_assert_str_eq(s, "1,2");
	free(s);
	/* Nothing fits: an empty programme. */
	req.allow_overrun = 0;
	req.length_ms = 20000;
	s = sel(&req, c, 3);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* Emergency, then priority items go first in their programme. */
START_TEST(test_priority_first)
{
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 600000, 0, NULL, NULL };
	struct pl_candidate c[4];
	char *s;

	c[0] = cand(1, "cchc");
	c[1] = cand(2, "cchc"); c[1].priority = CONF_PRIO_PRIORITY; c[1].airings = 50;
	c[2] = cand(3, "cchc"); c[2].min_airings = 10; c[2].remaining = 1;
	c[3] = cand(4, "cchc"); c[3].priority = CONF_PRIO_EMERGENCY; c[3].airings = 99;
	s = sel(&req, c, 4);
	ck_assert_str_eq(s, "4,2,3,1");
	free(s);
}
END_TEST

/* Unapproved (pending, rejected, retired), expired and not-yet-valid never air. */
START_TEST(test_never_planned)
{
	struct config_playlist p = rotate(), f;
	struct pl_request req = { &p, DAY, 3600000, 0, NULL, NULL };
	char *items[] = { (char *)"1", (char *)"2", (char *)"3", (char *)"4", (char *)"5" };
	struct pl_candidate c[5];
	char *s;

	c[0] = cand(1, "cchc"); c[0].approved = 0;              /* pending or retired */
	c[1] = cand(2, "cchc"); c[1].valid_until = DAY - 1;     /* expired yesterday */
	c[2] = cand(3, "cchc"); c[2].valid_from = DAY + 1;      /* from tomorrow */
	c[3] = cand(4, "cchc"); c[3].valid_from = DAY; c[3].valid_until = DAY;
	c[4] = cand(5, "cchc"); c[4].min_airings = 100; c[4].approved = 0;
	s = sel(&req, c, 5);
	ck_assert_str_eq(s, "4");
	free(s);
	f = p;
	f.mode = CONF_PL_FIXED;
	f.items = items;
	f.nitems = 5;
	req.playlist = &f;
	s = sel(&req, c, 5);
	ck_assert_str_eq(s, "4");
	free(s);
	/* Nor as an intro. */
	req.intro = "1";
	s = sel(&req, c, 5);
	ck_assert_str_eq(s, "4");
	free(s);
}
END_TEST

/* Rotation filters: topics, agencies, tags, and items as a pool. */
START_TEST(test_filters)
{
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 3600000, 0, NULL, NULL };
	char *topics[] = { (char *)"cchc", (char *)"tthc" };
	char *agencies[] = { (char *)"TT huyện" };
	char *tags[] = { (char *)"papi" };
	const char *t1[] = { "papi", "x" };
	char *items[] = { (char *)"02000000" /* SHA-256 prefix of 2 */, (char *)"3" };
	struct pl_candidate c[4];
	char *s;

	c[0] = cand(1, "cchc");
	c[1] = cand(2, "tthc"); c[1].agency = "TT huyện"; c[1].tags = t1; c[1].ntags = 2;
	c[2] = cand(3, "danchu"); c[2].agency = "TT huyện";
	c[3] = cand(4, NULL);
	p.topics = topics;
	p.ntopics = 2;
	s = sel(&req, c, 4);
	ck_assert_str_eq(s, "1,2");
	free(s);
	p.agencies = agencies;
	p.nagencies = 1;
	s = sel(&req, c, 4);
	ck_assert_str_eq(s, "2");
	free(s);
	p.ntopics = p.nagencies = 0;
	p.tags = tags;
	p.ntags = 1;
	s = sel(&req, c, 4);
	ck_assert_str_eq(s, "2");
	free(s);
	p.ntags = 0;
	p.items = items;
	p.nitems = 2;
	s = sel(&req, c, 4);
	ck_assert_str_eq(s, "2,3");
	free(s);
}
END_TEST

/* Fixed: the listed order; at most once per occurrence unless repeat. */
START_TEST(test_fixed_and_repeat)
{
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 250000, 0, NULL, NULL };
	char *items[] = { (char *)"3", (char *)"1", (char *)"3", (char *)"99" };
	struct pl_candidate c[3];
	char *s;

	c[0] = cand(1, "cchc");
	c[1] = cand(2, "cchc");
	c[2] = cand(3, "cchc");
	p.mode = CONF_PL_FIXED;
	p.items = items;
	p.nitems = 4;
	s = sel(&req, c, 3);
	ck_assert_str_eq(s, "3,1");
	free(s);
	p.repeat = 1;
	s = sel(&req, c, 3);
	ck_assert_str_eq(s, "3,1,3,3");
	free(s);
	p.mode = CONF_PL_ROTATE;
	p.nitems = 0;
	s = sel(&req, c, 3);
	ck_assert_str_eq(s, "1,2,3,1");
	free(s);
	p.repeat = 0;
	s = sel(&req, c, 3);
	ck_assert_str_eq(s, "1,2,3");
	free(s);
}
END_TEST

/* The intro airs first, the outro last, its time kept free. */
START_TEST(test_intro_outro)
{
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 200000, 0, "10", "11" };
	struct pl_candidate c[5];
	struct pl_pick *pk;
	size_t np;
	char *s;

	c[0] = cand(1, "cchc");
	c[1] = cand(2, "cchc");
	c[2] = cand(3, "cchc");
	c[3] = cand(10, NULL); c[3].duration_ms = 20000;
	c[4] = cand(11, NULL); c[4].duration_ms = 20000;
	s = sel(&req, c, 5);
	ck_assert_str_eq(s, "10,1,2,11");
	free(s);
	np = pl_select(&req, c, 5, &pk);
	ck_assert_uint_eq(np, 4);
	ck_assert_int_eq(pk[0].role, PL_INTRO);
	ck_assert_int_eq(pk[3].role, PL_OUTRO);
	ck_assert_int_eq(pk[3].offset_ms, 140000);
	free(pk);
}
END_TEST

/* References: ids, SHA-256 prefixes; an ambiguous prefix names none. */
START_TEST(test_resolve)
{
	struct pl_candidate c[3];

	c[0] = cand(1, NULL);
	c[1] = cand(2, NULL);
	c[2] = cand(3, NULL);
	ck_assert_int_eq(pl_resolve("2", c, 3), 1);
	ck_assert_int_eq(pl_resolve("03000000", c, 3), 2);
	ck_assert_int_eq(pl_resolve("0300000000000000", c, 3), 2);
	ck_assert_int_eq(pl_resolve("00000000", c, 3), -1); /* no match */
	c[1].sha256 = c[2].sha256;
	ck_assert_int_eq(pl_resolve("03000000", c, 3), -1); /* two match */
	ck_assert_int_eq(pl_resolve("7", c, 3), -1);
}
END_TEST

/* Reads a config text; fails the test on a problem. */
static struct config *
read_conf(const char *text)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	size_t i;

	if (conf_read_string(text, "test.conf", &c, &p) != 0)
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s\n", p.lines[i]);
	ck_assert_uint_eq(p.n, 0);
	return c;
}

/*
 * The simulation: a quota that fits is met, one that cannot is reported
 * short by the right number, and rotation stays fair over 100 days.
 */
START_TEST(test_plan_quotas)
{
	struct config *cfg = read_conf(
	    "station = { code = \"T\"; name = \"T\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
	    "playlists = ( { name = \"r\"; mode = \"rotate\"; topics = [ \"cchc\" ]; } );\n"
	    "timetable = ( { name = \"S\"; days = \"daily\"; start = \"05:30\";\n"
	    "  length = \"2m\"; playlist = \"r\"; } );\n");
	struct pl_candidate c[8];
	struct sched_pool *pool;
	struct sched_plan *pl = NULL;
	char *cause = NULL;
	int32_t d0;
	int64_t from, to;
	size_t i, j;
	int count[8] = { 0 }, lo = 1000, hi = 0;

	ck_assert_int_eq(conf_date_parse("2026-06-01", &d0), 0);
	for (i = 0; i < 8; i++)
		c[i] = cand((int64_t)i + 1, "cchc");
	/* 10 airings in 10 days of 2 items a day: only quota-first can do it. */
	c[6].min_airings = 10;
	c[6].valid_until = d0 + 9;
	/* 30 airings in 10 days: impossible (one a day at most), short by 20. */
	c[7].min_airings = 30;
	c[7].valid_until = d0 + 9;
	c[7].airings = 0;
	pool = sched_pool_from(c, 8);
	ck_assert_int_eq(sched_local_to_utc("Asia/Ho_Chi_Minh", d0, 0, &from, NULL,
	    &cause), 0);
	ck_assert_int_eq(sched_local_to_utc("Asia/Ho_Chi_Minh", d0 + 100, 0, &to, NULL,
	    &cause), 0);
	ck_assert_int_eq(sched_plan_run(cfg, pool, from, to, &pl, &cause), 0);
	ck_assert_uint_eq(pl->nentries, 100);
	ck_assert_uint_eq(pl->nquotas, 2);
	ck_assert_int_eq(pl->quotas[0].short_by, 0);
	ck_assert_int_eq(pl->quotas[0].planned, 10);
	ck_assert_int_eq(pl->quotas[1].planned, 10);
	ck_assert_int_eq(pl->quotas[1].short_by, 20);
	for (i = 0; i < pl->nentries; i++) {
		ck_assert_uint_eq(pl->entries[i].nitems, 2);
		for (j = 0; j < pl->entries[i].nitems; j++)
			count[pl->entries[i].items[j].cand]++;
	}
	/* After the quota period, the six others share the time evenly. */
	for (i = 0; i < 6; i++) {
		lo = count[i] < lo ? count[i] : lo;
		hi = count[i] > hi ? count[i] : hi;
	}
	ck_assert_int_le(hi - lo, 1);
	sched_plan_free(&pl);
	sched_pool_free(&pool);
	conf_free(&cfg);
}
END_TEST

/* sched_select for one occurrence, late start: only what fits the time left. */
START_TEST(test_select_late)
{
	struct config *cfg = read_conf(
	    "station = { code = \"T\"; name = \"T\"; timezone = \"Europe/Berlin\"; };\n"
	    "playlists = ( { name = \"r\"; mode = \"rotate\"; } );\n"
	    "timetable = ( { name = \"S\"; days = \"daily\"; start = \"05:30\";\n"
	    "  length = \"3m\"; playlist = \"r\"; } );\n");
	struct sched_occurrence *o;
	struct pl_candidate c[4];
	struct sched_pool *pool;
	struct pl_pick *pk;
	char *cause = NULL;
	size_t n, np, i;

	for (i = 0; i < 4; i++)
		c[i] = cand((int64_t)i + 1, "cchc");
	pool = sched_pool_from(c, 4);
	ck_assert_int_eq(sched_next_occurrences(cfg->slots, cfg->nslots,
	    cfg->station.timezone, 1780000000000LL, 1, &o, &n, &cause), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(sched_select(cfg, pool, &o[0], o[0].start, &pk, &np, &cause), 0);
	ck_assert_uint_eq(np, 3);
	free(pk);
	ck_assert_int_eq(sched_select(cfg, pool, &o[0], o[0].start + 65000, &pk, &np,
	    &cause), 0);
	ck_assert_uint_eq(np, 1);
	free(pk);
	free(o);
	sched_pool_free(&pool);
	conf_free(&cfg);
}
END_TEST

/*
 * Tags from the library reach selection (sched_pool_load): a rotate
 * playlist with tags takes the bulletins with any of them, and with topics
 * too, those that match both; untagged bulletins match no tags playlist.
 */
START_TEST(test_pool_tags)
{
	char *dir = tu_tmpdir(), *cause = NULL;
	struct config_playlist p = rotate();
	struct pl_request req = { &p, DAY, 3600000, 0, NULL, NULL };
	char *papi[] = { (char *)"papi" }, *two[] = { (char *)"bau-cu", (char *)"papi" };
	char *cchc[] = { (char *)"cchc" };
	struct sched_pool *pool = NULL;
	struct pl_candidate *c;
	struct store *st = NULL;
	size_t n;
	char *s;

	ck_assert_msg(store_open_dir(dir, &st, &cause) == 0, "%s", cause);
	/* 1 cchc papi, 2 tthc papi+bau-cu, 3 cchc untagged, 4 tthc bau-cu. */
	ck_assert_msg(store_exec(st,
	    "INSERT INTO bulletins (id, sha256, file, title, topic, status, "
	    "approved_sha256, format, sample_rate, channels, duration_ms, size, "
	    "imported_at) SELECT column1, printf('%064d', column1), 'f', 't', "
	    "CASE column1 % 2 WHEN 1 THEN 'cchc' ELSE 'tthc' END, 'approved', "
	    "printf('%064d', column1), 'wav', 8000, 1, 60000, 1, 0 "
	    "FROM (VALUES (1), (2), (3), (4))", &cause) == 0, "%s", cause);
	ck_assert_msg(store_exec(st, "INSERT INTO bulletin_tags VALUES "
	    "(1, 'papi', 0, 't'), (2, 'papi', 0, 't'), (2, 'bau-cu', 0, 't'), "
	    "(4, 'bau-cu', 0, 't')", &cause) == 0, "%s", cause);
	ck_assert_msg(sched_pool_load(st, dir, &pool, &cause) == 0, "%s", cause);
	c = sched_pool_candidates(pool, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(c[1].ntags, 2);
	ck_assert_str_eq(c[1].tags[0], "bau-cu");
	ck_assert_str_eq(c[1].tags[1], "papi");
	ck_assert_uint_eq(c[2].ntags, 0);

	p.tags = papi;
	p.ntags = 1;
	ck_assert_str_eq(s = sel(&req, c, n), "1,2");
	free(s);
	p.tags = two;
	p.ntags = 2;
	ck_assert_str_eq(s = sel(&req, c, n), "1,2,4");
	free(s);
	p.topics = cchc;
	p.ntopics = 1;
	ck_assert_str_eq(s = sel(&req, c, n), "1");
	free(s);
	sched_pool_free(&pool);
	store_close(&st);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("playlists");
	TCase *tc = tcase_create("playlists");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_fairness);
	tcase_add_test(tc, test_rotation_order);
	tcase_add_test(tc, test_quota_first);
	tcase_add_test(tc, test_fit);
	tcase_add_test(tc, test_priority_first);
	tcase_add_test(tc, test_never_planned);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_fixed_and_repeat);
	tcase_add_test(tc, test_intro_outro);
	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_plan_quotas);
	tcase_add_test(tc, test_select_late);
	tcase_add_test(tc, test_pool_tags);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
