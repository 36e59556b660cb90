/*
 * The coverage report: two GROUP BY queries over the airing log (slot
 * occurrences; plays by bulletin, outcome and reason), the metadata of the
 * bulletins they name, and one query for the bulletins that owed airings;
 * per-bulletin, per-outcome and per-topic sums are added up in C. Two more
 * queries break the slots and the plays down by calendar month for charts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/internal.h"
#include "reports/reports.h"

/*
 * The period's slot occurrences, one row each: reason NULL when it aired.
 * A temporary table, so that the log's occurrences and the timetable's are
 * counted once each.
 */
static const char sql_occ_table[] =
    "CREATE TEMP TABLE IF NOT EXISTS rep_occ (slot TEXT NOT NULL,"
    " slot_start INTEGER NOT NULL, reason TEXT,"
    " PRIMARY KEY (slot, slot_start)) WITHOUT ROWID;"
    "DELETE FROM temp.rep_occ;";

/*
 * Slot occurrences in the log starting in [?1, ?2): aired when any of its
 * rows started; otherwise missed for the reason its missed/skipped row
 * gives. Items are planned at or after their slot's start and within a day
 * of it, so the range on scheduled_at (?3 = ?2 + 2 days) lets the index do
 * the work.
 */
static const char sql_log_occ[] =
    "INSERT INTO temp.rep_occ (slot, slot_start, reason)"
    " SELECT slot, slot_start,"
    " CASE WHEN max(started_at IS NOT NULL) THEN NULL ELSE"
    "  coalesce(max(CASE WHEN outcome IN ('missed', 'skipped') THEN reason END),"
    "  max(reason), 'unknown') END"
    " FROM airings"
    " WHERE scheduled_at >= ?1 AND scheduled_at < ?3"
    "  AND slot_start >= ?1 AND slot_start < ?2 AND slot IS NOT NULL"
    " GROUP BY slot_start, slot";

/*
 * A scheduled occurrence (?1, ?2) the log may lack: then it was missed with
 * the controller off before the first sign of life ?3 (NULL: never) or
 * after the last ?4, else not logged.
 */
static const char sql_sched_occ[] =
    "INSERT OR IGNORE INTO temp.rep_occ (slot, slot_start, reason)"
    " VALUES (?1, ?2, CASE WHEN ?3 IS NULL OR ?2 < ?3 OR ?2 > ?4"
    " THEN 'controller off' ELSE 'not logged' END)";

/* The timetables in force, oldest first. */
static const char sql_timetables[] =
    "SELECT in_force_from, timezone, slots FROM timetables"
    " ORDER BY in_force_from, id";

static const char sql_alive[] = REP_SQL_ALIVE;

static const char sql_slots[] =
    "SELECT reason, count(*) FROM temp.rep_occ"
    " GROUP BY reason ORDER BY count(*) DESC, reason";

/*
 * Plays of the period by bulletin, outcome and reason: those whose slot
 * occurrence starts in [?1, ?2) (an operator's play: scheduled then), so
 * that a programme across midnight or the period's end counts whole where
 * its slot does. One pass over the rows in time order (the time index keeps
 * the table reads sequential; the bulletin index would make them random;
 * items are scheduled at or after their slot's start, within ?3 = ?2 + 2
 * days), summed per bulletin and per outcome in C.
 */
static const char sql_plays[] =
    "SELECT bulletin_id, outcome, reason, count(*), count(started_at),"
    " total(played_ms), min(started_at), max(started_at)"
    " FROM airings INDEXED BY airings_by_time"
    " WHERE scheduled_at >= ?1 AND scheduled_at < ?3 AND bulletin_id IS NOT NULL"
    "  AND coalesce(slot_start, scheduled_at) >= ?1"
    "  AND coalesce(slot_start, scheduled_at) < ?2"
    " GROUP BY bulletin_id, outcome, reason";

/* One bulletin's metadata. */
static const char sql_bulletin[] =
    "SELECT id, sha256, title, agency, topic, min_airings FROM bulletins"
    " WHERE id = ?1";

/* Bulletins that owed airings during the period (REP_SQL_OWED). */
static const char sql_owed[] =
    "SELECT b.id, b.sha256, b.title, b.agency, b.topic, b.min_airings"
    " FROM bulletins b WHERE " REP_SQL_OWED;

/* The period's slot occurrences per local month (YYYY-MM): all, and aired. */
static const char sql_month_slots[] =
    "SELECT strftime('%Y-%m', slot_start / 1000, 'unixepoch', 'localtime'),"
    " count(*), count(*) - count(reason)"
    " FROM temp.rep_occ GROUP BY 1";

/*
 * The plays of sql_plays per local month of their slot occurrence and
 * bulletin: airings started, minutes.
 */
static const char sql_month_plays[] =
    "SELECT strftime('%Y-%m', coalesce(slot_start, scheduled_at) / 1000,"
    " 'unixepoch', 'localtime'), bulletin_id, count(started_at), total(played_ms)"
    " FROM airings INDEXED BY airings_by_time"
    " WHERE scheduled_at >= ?1 AND scheduled_at < ?3 AND bulletin_id IS NOT NULL"
    "  AND coalesce(slot_start, scheduled_at) >= ?1"
    "  AND coalesce(slot_start, scheduled_at) < ?2"
    " GROUP BY 1, 2";

/* A copy of column i, or NULL. */
static char *
cov_text(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);

	return s == NULL ? NULL : xstrdup((const char *)s);
}

/*
 * Prepares sql and binds the period's bounds: dates, its dates as ?1 ?2 and
 * its instants as ?3 ?4; otherwise its instants as ?1 ?2 (and ?3, two days
 * past its end). -1 with *cause.
 */
static int
cov_prepare(sqlite3 *db, const char *sql, const struct rep_period *p, int dates,
    sqlite3_stmt **q, char **cause)
{
	if (sqlite3_prepare_v2(db, sql, -1, q, NULL) != SQLITE_OK) {
		xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
		return -1;
	}
	if (dates) {
		sqlite3_bind_text(*q, 1, p->from, -1, SQLITE_STATIC);
		sqlite3_bind_text(*q, 2, p->to, -1, SQLITE_STATIC);
		sqlite3_bind_int64(*q, 3, p->from_ms);
		sqlite3_bind_int64(*q, 4, p->to_ms);
	} else {
		sqlite3_bind_int64(*q, 1, p->from_ms);
		sqlite3_bind_int64(*q, 2, p->to_ms);
		if (sqlite3_bind_parameter_count(*q) >= 3)
			sqlite3_bind_int64(*q, 3, p->to_ms + 2 * 86400000LL);
	}
	return 0;
}

/* Finishes a statement after its rows; -1 with *cause when stepping failed. */
static int
cov_done(sqlite3 *db, sqlite3_stmt *q, int rc, char **cause)
{
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

void
rep_count_add(struct rep_count **v, size_t *n, const char *key, int64_t count,
    int64_t played_ms)
{
	size_t i;

	for (i = 0; i < *n && strcmp((*v)[i].key, key) != 0; i++)
		;
	if (i == *n) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[i].key = xstrdup(key);
		(*v)[i].n = 0;
		(*v)[i].played_ms = 0;
		(*n)++;
	}
	(*v)[i].n += count;
	(*v)[i].played_ms += played_ms;
}

/* Orders counts by count, most first, then by key. */
static int
cov_count_cmp(const void *a, const void *b)
{
	const struct rep_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Runs a statement that returns no rows; -1 with *cause. */
static int
cov_run(sqlite3 *db, sqlite3_stmt *q, char **cause)
{
	return cov_done(db, q, sqlite3_step(q), cause);
}

/*
 * Adds to temp.rep_occ the occurrences of timetable `slots` (zone tz) that
 * start in [from, to) and were due by now, missed unless the log has them;
 * a relay slot's air time to the hours planned for its source.
 */
static int
cov_sched_add(sqlite3 *db, const struct rep_schedule *s, sqlite3_stmt *ins,
    const char *tz, const char *slots, int64_t from, int64_t to, int64_t now,
    struct rep_relay *relay, char **cause)
{
	struct rep_occurrence *o = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (from >= to)
		return 0;
	if (s->occurrences(tz, slots, from, to, &o, &n, cause) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (rc == 0 && o[i].end <= now) {
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, o[i].slot, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 2, o[i].start);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
				rc = -1;
			}
			if (o[i].relay != NULL)
				rep_relay_plan(relay, o[i].relay, o[i].end - o[i].start);
		}
		free(o[i].slot);
		free(o[i].relay);
	}
	free(o);
	return rc;
}

/*
 * Adds the occurrences the timetable history scheduled in the period: each
 * timetable from its in_force_from to the next one's.
 */
static int
cov_sched(sqlite3 *db, const struct rep_period *p, const struct rep_schedule *s,
    struct rep_relay *relay, char **cause)
{
	sqlite3_stmt *alive, *tt, *ins;
	char *tz = NULL, *slots = NULL;
	int64_t now = s->now, from = 0, next;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db, sql_alive, -1, &alive, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(db, sql_sched_occ, -1, &ins, NULL) != SQLITE_OK) {
		sqlite3_finalize(alive);
		goto fail;
	}
	if (sqlite3_step(alive) == SQLITE_ROW) {
		sqlite3_bind_value(ins, 3, sqlite3_column_value(alive, 0));
		sqlite3_bind_value(ins, 4, sqlite3_column_value(alive, 1));
		if (sqlite3_column_type(alive, 2) != SQLITE_NULL &&
		    sqlite3_column_int64(alive, 2) < now)
			now = sqlite3_column_int64(alive, 2);
	}
	sqlite3_finalize(alive);
	if (sqlite3_prepare_v2(db, sql_timetables, -1, &tt, NULL) != SQLITE_OK) {
		sqlite3_finalize(ins);
		goto fail;
	}
	while (rc == 0 && (step = sqlite3_step(tt)) == SQLITE_ROW) {
		next = sqlite3_column_int64(tt, 0);
		if (tz != NULL)
			rc = cov_sched_add(db, s, ins, tz, slots, from > p->from_ms ?
			    from : p->from_ms, next < p->to_ms ? next : p->to_ms, now,
			    relay, cause);
		free(tz);
		free(slots);
		from = next;
		tz = cov_text(tt, 1);
		slots = cov_text(tt, 2);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
		rc = -1;
	}
	if (rc == 0 && tz != NULL && slots != NULL)
		rc = cov_sched_add(db, s, ins, tz, slots, from > p->from_ms ? from :
		    p->from_ms, p->to_ms, now, relay, cause);
	free(tz);
	free(slots);
	sqlite3_finalize(tt);
	sqlite3_finalize(ins);
	return rc;
fail:
	xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
	return -1;
}

/* Lists every month from the period's first day to its last, all zero. */
static void
cov_months_init(struct rep_coverage *c)
{
	int y = atoi(c->period.from), m = atoi(c->period.from + 5);
	int ty = atoi(c->period.to), tm = atoi(c->period.to + 5);

	while (y < ty || (y == ty && m <= tm)) {
		c->months = xreallocarray(c->months, c->nmonths + 1, sizeof *c->months);
		memset(&c->months[c->nmonths], 0, sizeof *c->months);
		snprintf(c->months[c->nmonths++].month, 8, "%04u-%02u",
		    (unsigned)y % 10000u, (unsigned)m % 100u);
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
}

/* The month named by column 0 of q, or NULL when it is none of the period's. */
static struct rep_month *
cov_month(struct rep_coverage *c, sqlite3_stmt *q)
{
	const char *s = (const char *)sqlite3_column_text(q, 0);
	size_t i;

	for (i = 0; s != NULL && i < c->nmonths; i++)
		if (strcmp(c->months[i].month, s) == 0)
			return &c->months[i];
	return NULL;
}

/* Adds the slot occurrences of temp.rep_occ to their months. */
static int
cov_month_slots(sqlite3 *db, struct rep_coverage *c, char **cause)
{
	struct rep_month *mo;
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, sql_month_slots, -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if ((mo = cov_month(c, q)) != NULL) {
			mo->slots += sqlite3_column_int64(q, 1);
			mo->aired += sqlite3_column_int64(q, 2);
		}
	return cov_done(db, q, rc, cause);
}

/* Adds the plays to their months, per topic (once the topics are known). */
static int
cov_month_plays(sqlite3 *db, const struct rep_period *p, struct rep_coverage *c,
    char **cause)
{
	struct rep_month *mo;
	sqlite3_stmt *q;
	int64_t id;
	size_t i;
	int rc;

	for (i = 0; i < c->nmonths; i++)
		c->months[i].topic_airings = xcalloc(c->ntopics + 1, sizeof (int64_t));
	if (cov_prepare(db, sql_month_plays, p, 0, &q, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((mo = cov_month(c, q)) == NULL)
			continue;
		id = sqlite3_column_int64(q, 1);
		mo->airings += sqlite3_column_int64(q, 2);
		mo->played_ms += (int64_t)sqlite3_column_double(q, 3);
		for (i = 0; i < c->nbulletins && c->bulletins[i].id != id; i++)
			;
		if (i < c->nbulletins)
			mo->topic_airings[c->bulletins[i].topic_index] +=
			    sqlite3_column_int64(q, 2);
	}
	return cov_done(db, q, rc, cause);
}

/*
 * Counts slot occurrences: scheduled, aired, and missed by reason; those
 * of the log, and with s those of the timetable history.
 */
static int
cov_slots(sqlite3 *db, const struct rep_period *p, const struct rep_schedule *s,
    struct rep_coverage *c, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_exec(db, sql_occ_table, NULL, NULL, NULL) != SQLITE_OK) {
		xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
		return -1;
	}
	if (cov_prepare(db, sql_log_occ, p, 0, &q, cause) != 0 ||
	    cov_run(db, q, cause) != 0)
		return -1;
	if (s != NULL && cov_sched(db, p, s, &c->relay, cause) != 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql_slots, -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(q, 1);

		c->slots += n;
		if (sqlite3_column_type(q, 0) == SQLITE_NULL)
			c->aired += n;
		else {
			c->missed += n;
			rep_count_add(&c->missed_by, &c->nmissed_by,
			    (const char *)sqlite3_column_text(q, 0), n, 0);
		}
	}
	c->compliance = c->slots > 0 ? (double)c->aired / (double)c->slots : -1.0;
	rc = cov_done(db, q, rc, cause);
	if (rc == 0)
		rc = cov_month_slots(db, c, cause);
	sqlite3_exec(db, "DELETE FROM temp.rep_occ", NULL, NULL, NULL);
	return rc;
}

/* The Vietnamese name of topic key (the key itself when the config lacks it). */
static char *
cov_topic_name(const struct config *cfg, const char *key)
{
	const struct config_topic *t;

	if (key == NULL)
		return NULL;
	t = cfg != NULL ? conf_topic(cfg, key) : NULL;
	return xstrdup(t != NULL ? t->name : key);
}

/*
 * Appends bulletin id with its metadata from q (sql_bulletin or sql_owed
 * columns; q NULL when the library no longer has it) and returns it.
 */
static struct rep_bulletin *
cov_bulletin_add(struct rep_coverage *c, const struct config *cfg, int64_t id,
    sqlite3_stmt *q)
{
	struct rep_bulletin *b;

	c->bulletins = xreallocarray(c->bulletins, c->nbulletins + 1,
	    sizeof *c->bulletins);
	b = &c->bulletins[c->nbulletins++];
	memset(b, 0, sizeof *b);
	b->id = id;
	if (q != NULL) {
		b->sha256 = cov_text(q, 1);
		b->title = cov_text(q, 2);
		b->agency = cov_text(q, 3);
		b->topic = cov_text(q, 4);
		b->min_airings = sqlite3_column_int(q, 5);
	}
	if (b->title == NULL)
		xasprintf(&b->title, "#%lld", (long long)id);
	b->topic_name = cov_topic_name(cfg, b->topic);
	return b;
}

/* The rank of a topic in the config's list; unknown topics and none come last. */
static size_t
cov_topic_rank(const struct config *cfg, const char *key)
{
	size_t i, n = cfg != NULL ? cfg->ntopics : 0;

	if (key == NULL)
		return n + 1;
	for (i = 0; i < n; i++)
		if (strcmp(cfg->topics[i].key, key) == 0)
			return i;
	return n;
}

/* Orders bulletins by topic (the config's order), then title, then id. */
static int
cov_bulletin_cmp(const void *a, const void *b, void *arg)
{
	const struct rep_bulletin *x = a, *y = b;
	const struct config *cfg = arg;
	size_t rx = cov_topic_rank(cfg, x->topic), ry = cov_topic_rank(cfg, y->topic);
	int d;

	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (rx == (cfg != NULL ? cfg->ntopics : 0) &&
	    (d = strcmp(x->topic, y->topic)) != 0)
		return d;
	if ((d = strcmp(x->title, y->title)) != 0)
		return d;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The bulletin with id in c (added with its metadata when new). */
static struct rep_bulletin *
cov_bulletin(struct rep_coverage *c, const struct config *cfg, sqlite3_stmt *meta,
    int64_t id)
{
	size_t i;
	int found;

	for (i = c->nbulletins; i > 0; i--)
		if (c->bulletins[i - 1].id == id)
			return &c->bulletins[i - 1];
	sqlite3_reset(meta);
	sqlite3_bind_int64(meta, 1, id);
	found = sqlite3_step(meta) == SQLITE_ROW;
	return cov_bulletin_add(c, cfg, id, found ? meta : NULL);
}

/*
 * The plays: per bulletin (airings started, completed, minutes, first and
 * last), per outcome, and interruptions and failures by reason.
 */
static int
cov_plays(sqlite3 *db, const struct config *cfg, const struct rep_period *p,
    struct rep_coverage *c, char **cause)
{
	const char *outcome, *reason;
	struct rep_bulletin *b;
	sqlite3_stmt *q, *meta;
	int64_t n, ms, first, last;
	int rc;

	if (sqlite3_prepare_v2(db, sql_bulletin, -1, &meta, NULL) != SQLITE_OK) {
		xasprintf(cause, _("coverage report: %s"), sqlite3_errmsg(db));
		return -1;
	}
	if (cov_prepare(db, sql_plays, p, 0, &q, cause) != 0) {
		sqlite3_finalize(meta);
		return -1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		b = cov_bulletin(c, cfg, meta, sqlite3_column_int64(q, 0));
		/* An export's rows may lack an outcome (\N): it counts as none. */
		if ((outcome = (const char *)sqlite3_column_text(q, 1)) == NULL)
			outcome = "";
		reason = (const char *)sqlite3_column_text(q, 2);
		if (reason == NULL)
			reason = "unknown";
		n = sqlite3_column_int64(q, 3);
		ms = (int64_t)sqlite3_column_double(q, 5);
		b->airings += sqlite3_column_int64(q, 4);
		b->played_ms += ms;
		first = sqlite3_column_int64(q, 6);
		last = sqlite3_column_int64(q, 7);
		if (first != 0 && (b->first_ms == 0 || first < b->first_ms))
			b->first_ms = first;
		if (last > b->last_ms)
			b->last_ms = last;
		if (strcmp(outcome, "completed") == 0) {
			b->completed += n;
			c->completed += n;
		} else if (strcmp(outcome, "interrupted") == 0) {
			c->interrupted += n;
			rep_count_add(&c->interruptions, &c->ninterruptions, reason, n, ms);
		} else if (strcmp(outcome, "failed") == 0) {
			c->failed += n;
			rep_count_add(&c->failures, &c->nfailures, reason, n, ms);
		}
	}
	sqlite3_finalize(meta);
	if (cov_done(db, q, rc, cause) != 0)
		return -1;
	if (c->ninterruptions > 1)
		qsort(c->interruptions, c->ninterruptions, sizeof *c->interruptions,
		    cov_count_cmp);
	if (c->nfailures > 1)
		qsort(c->failures, c->nfailures, sizeof *c->failures, cov_count_cmp);
	return 0;
}

/* The owed bulletins that never aired, the order, and the quotas met. */
static int
cov_owed(sqlite3 *db, const struct config *cfg, const struct rep_period *p,
    struct rep_coverage *c, char **cause)
{
	sqlite3_stmt *q;
	size_t i, aired = c->nbulletins;
	int rc;

	if (cov_prepare(db, sql_owed, p, 1, &q, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);

		for (i = 0; i < aired && c->bulletins[i].id != id; i++)
			;
		if (i == aired)
			cov_bulletin_add(c, cfg, id, q);
	}
	if (cov_done(db, q, rc, cause) != 0)
		return -1;
	if (c->nbulletins > 1)
		qsort_r(c->bulletins, c->nbulletins, sizeof *c->bulletins,
		    cov_bulletin_cmp, (void *)(uintptr_t)cfg);
	for (i = 0; i < c->nbulletins; i++) {
		c->bulletins[i].met = c->bulletins[i].completed >=
		    c->bulletins[i].min_airings;
		if (c->bulletins[i].min_airings > 0) {
			c->quotas++;
			c->quotas_met += c->bulletins[i].met;
		}
	}
	return 0;
}

/* Adds the bulletins up per topic, in the bulletins' (topic) order. */
static void
cov_topics(struct rep_coverage *c)
{
	struct rep_bulletin *b;
	struct rep_topic *t = NULL;
	size_t i;

	for (i = 0; i < c->nbulletins; i++) {
		b = &c->bulletins[i];
		if (t == NULL || (t->key == NULL) != (b->topic == NULL) ||
		    (t->key != NULL && strcmp(t->key, b->topic) != 0)) {
			c->topics = xreallocarray(c->topics, c->ntopics + 1,
			    sizeof *c->topics);
			t = &c->topics[c->ntopics++];
			memset(t, 0, sizeof *t);
			t->key = b->topic ? xstrdup(b->topic) : NULL;
			t->name = b->topic_name ? xstrdup(b->topic_name) : NULL;
		}
		b->topic_index = c->ntopics - 1;
		t->bulletins++;
		t->airings += b->airings;
		t->completed += b->completed;
		t->played_ms += b->played_ms;
	}
}

int
rep_coverage(sqlite3 *db, const struct config *cfg, const struct rep_period *p,
    struct rep_coverage *c, char **cause)
{
	return rep_coverage_sched(db, cfg, p, NULL, c, cause);
}

int
rep_coverage_sched(sqlite3 *db, const struct config *cfg, const struct rep_period *p,
    const struct rep_schedule *s, struct rep_coverage *c, char **cause)
{
	size_t i;

	memset(c, 0, sizeof *c);
	c->period = *p;
	if (cfg != NULL) {
		c->station.code = cfg->station.code ? xstrdup(cfg->station.code) : NULL;
		c->station.name = cfg->station.name ? xstrdup(cfg->station.name) : NULL;
		c->station.commune = cfg->station.commune ?
		    xstrdup(cfg->station.commune) : NULL;
		c->station.district = cfg->station.district ?
		    xstrdup(cfg->station.district) : NULL;
		c->station.province = cfg->station.province ?
		    xstrdup(cfg->station.province) : NULL;
	}
	cov_months_init(c);
	if (cov_slots(db, p, s, c, cause) != 0 || cov_plays(db, cfg, p, c, cause) != 0 ||
	    cov_owed(db, cfg, p, c, cause) != 0 ||
	    rep_relay_load(db, p, &c->relay, cause) != 0) {
		rep_coverage_clear(c);
		return -1;
	}
	cov_topics(c);
	if (cov_month_plays(db, p, c, cause) != 0) {
		rep_coverage_clear(c);
		return -1;
	}
	for (i = 0; i < c->nbulletins; i++) {
		c->airings += c->bulletins[i].airings;
		c->played_ms += c->bulletins[i].played_ms;
	}
	return 0;
}

/* Frees a list of counts. */
static void
cov_counts_free(struct rep_count *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

void
rep_station_clear(struct rep_station *s)
{
	free(s->code);
	free(s->name);
	free(s->commune);
	free(s->district);
	free(s->province);
	memset(s, 0, sizeof *s);
}

void
rep_coverage_clear(struct rep_coverage *c)
{
	size_t i;

	rep_station_clear(&c->station);
	cov_counts_free(c->missed_by, c->nmissed_by);
	cov_counts_free(c->interruptions, c->ninterruptions);
	cov_counts_free(c->failures, c->nfailures);
	rep_relay_clear(&c->relay);
	for (i = 0; i < c->ntopics; i++) {
		free(c->topics[i].key);
		free(c->topics[i].name);
	}
	free(c->topics);
	for (i = 0; i < c->nbulletins; i++) {
		free(c->bulletins[i].sha256);
		free(c->bulletins[i].title);
		free(c->bulletins[i].agency);
		free(c->bulletins[i].topic);
		free(c->bulletins[i].topic_name);
	}
	free(c->bulletins);
	for (i = 0; i < c->nmonths; i++)
		free(c->months[i].topic_airings);
	free(c->months);
	memset(c, 0, sizeof *c);
}
