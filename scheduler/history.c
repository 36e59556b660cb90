/*
 * The timetable's history in the store: serialising a timetable, recording
 * it when it comes into force, and reading it back for reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/history.h"
#include "store/store.h"

#define HIST_FIELDS 10
#define HIST_STEP_MS (366LL * 86400000) /* sched_occurrences takes up to 3 years */

/* Appends s to *out (length *len), escaping tab, newline and backslash. */
static void
hist_add(char **out, size_t *len, const char *s, int escape)
{
	size_t n = strlen(s) * 2 + 1;
	char *w;

	*out = xrealloc(*out, *len + n);
	w = *out + *len;
	for (; *s != '\0'; s++) {
		if (escape && (*s == '\t' || *s == '\n' || *s == '\\')) {
			*w++ = '\\';
			*w++ = *s == '\t' ? 't' : *s == '\n' ? 'n' : '\\';
		} else
			*w++ = *s;
	}
	*w = '\0';
	*len = (size_t)(w - *out);
}

/* A date field: YYYY-MM-DD, or "-" for none. */
static void
hist_date(char out[11], int32_t day)
{
	if (day == CONF_NO_DATE)
		snprintf(out, 11, "-");
	else
		conf_date_format(day, out);
}

char *
sched_history_text(const struct config *cfg)
{
	const struct config_slot *s;
	char *out = xstrdup(""), date[11], from[11], until[11], buf[160];
	size_t len = 0, i, j;

	for (i = 0; i < cfg->nslots; i++) {
		s = &cfg->slots[i];
		hist_add(&out, &len, s->name, 1);
		hist_date(date, s->date);
		hist_date(from, s->from);
		hist_date(until, s->until);
		snprintf(buf, sizeof buf, "\t%u\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t",
		    s->days, date, s->start, s->length, s->end_clock, from, until,
		    conf_priority_name(s->priority));
		hist_add(&out, &len, buf, 0);
		for (j = 0; j < s->nskip; j++) {
			conf_date_format(s->skip[j], date);
			hist_add(&out, &len, j > 0 ? "," : "", 0);
			hist_add(&out, &len, date, 0);
		}
		if (s->relay != NULL) {
			hist_add(&out, &len, "\t", 0);
			hist_add(&out, &len, s->relay, 1);
		}
		hist_add(&out, &len, "\n", 0);
	}
	return out;
}

/*
 * Inserts the row (zone, slots) in force from `from`, recorded by `by`,
 * when `only_if_none` finds no row at all, or when the latest row differs,
 * or when no row was recorded by `by` yet (the daemon's first row dates
 * its first sign of life even when a report recorded the same timetable).
 */
static int
hist_insert(struct store *st, const struct config *cfg, int64_t from, const char *by,
    int only_if_none, char **cause)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = NULL;
	char *text, sha[65];
	int rc = -1, same = 0, any = 0;

	text = sched_history_text(cfg);
	hex_sha256(text, sha);
	if (sqlite3_prepare_v2(db, "SELECT timezone, sha256, EXISTS (SELECT 1 FROM"
	    " timetables WHERE recorded_by = ?1) FROM timetables"
	    " ORDER BY in_force_from DESC, id DESC LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(q, 1, by, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		any = 1;
		same = strcmp((const char *)sqlite3_column_text(q, 0),
		    cfg->station.timezone) == 0 &&
		    strcmp((const char *)sqlite3_column_text(q, 1), sha) == 0 &&
		    sqlite3_column_int(q, 2);
	} else if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	q = NULL;
	if (any && (only_if_none || same)) {
		free(text);
		return 0;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO timetables (in_force_from, timezone,"
	    " slots, sha256, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5)", -1, &q,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_text(q, 2, cfg->station.timezone, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, by, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	free(text);
	return 1;
fail:
	*cause = store_error(st, _("timetable history"));
	sqlite3_finalize(q);
	free(text);
	return -1;
}

int
sched_history_record(struct store *st, const struct config *cfg, int64_t now_ms,
    char **cause)
{
	/*
	 * At the first start, the days since the store was created were under
	 * this timetable too, as a report made before it would have recorded:
	 * the count of a past period must not depend on whether one was.
	 */
	if (sched_history_ensure(st, cfg, now_ms, cause) < 0)
		return -1;
	return hist_insert(st, cfg, now_ms, "daemon", 0, cause);
}

int
sched_history_ensure(struct store *st, const struct config *cfg, int64_t now_ms,
    char **cause)
{
	sqlite3_stmt *q;
	int64_t since = now_ms;

	if (sqlite3_prepare_v2(store_db(st), "SELECT CAST(value AS INTEGER) FROM meta"
	    " WHERE key = 'created_at'", -1, &q, NULL) != SQLITE_OK) {
		*cause = store_error(st, _("timetable history"));
		return -1;
	}
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) > 0 &&
	    sqlite3_column_int64(q, 0) < now_ms)
		since = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return hist_insert(st, cfg, since, "report", 1, cause);
}

/* A date field back: "-" is none. -1 when it is neither. */
static int
hist_date_parse(const char *s, int32_t *day)
{
	if (strcmp(s, "-") == 0) {
		*day = CONF_NO_DATE;
		return 0;
	}
	return conf_date_parse(s, day);
}

/* A non-negative int field; -1 when it is not one. */
static int
hist_int(const char *s, long max, int *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < 0 || n > max)
		return -1;
	*v = (int)n;
	return 0;
}

/* Undoes the name's escapes in place. */
static void
hist_unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*w++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/* Parses one line (modified in place) into s. -1 when it is malformed. */
static int
hist_parse_line(char *line, struct config_slot *s)
{
	char *f[HIST_FIELDS + 1], *p = line, *tab, *comma;
	int i, nf, days, end_clock;

	for (i = 0, tab = line; tab != NULL; i++) {
		if (i == HIST_FIELDS + 1)
			return -1;
		f[i] = p;
		if ((tab = strchr(p, '\t')) != NULL) {
			*tab = '\0';
			p = tab + 1;
		}
	}
	if ((nf = i) < HIST_FIELDS)
		return -1;
	hist_unescape(f[0]);
	s->name = xstrdup(f[0]);
	if (nf > HIST_FIELDS) {
		hist_unescape(f[HIST_FIELDS]);
		s->relay = xstrdup(f[HIST_FIELDS]);
	}
	s->playlist = xstrdup("");
	if (hist_int(f[1], 127, &days) != 0 || hist_date_parse(f[2], &s->date) != 0 ||
	    hist_int(f[3], 86399, &s->start) != 0 ||
	    hist_int(f[4], 7 * 86400, &s->length) != 0 ||
	    hist_int(f[5], 1, &end_clock) != 0 || hist_date_parse(f[6], &s->from) != 0 ||
	    hist_date_parse(f[7], &s->until) != 0 ||
	    (s->priority = conf_priority_parse(f[8])) < 0)
		return -1;
	s->days = (unsigned)days;
	s->end_clock = end_clock;
	for (p = f[9]; *p != '\0'; p = comma != NULL ? comma + 1 : p + strlen(p)) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		s->skip = xreallocarray(s->skip, s->nskip + 1, sizeof *s->skip);
		if (conf_date_parse(p, &s->skip[s->nskip++]) != 0)
			return -1;
	}
	return 0;
}

int
sched_history_parse(const char *text, struct config_slot **out, size_t *n,
    char **cause)
{
	char *copy = xstrdup(text), *line, *nl;
	struct config_slot *v = NULL;
	size_t nv = 0;

	for (line = copy; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL) {
			xasprintf(cause, _("timetable history: slot %zu is not ended"), nv + 1);
			goto fail;
		}
		*nl = '\0';
		v = xreallocarray(v, nv + 1, sizeof *v);
		memset(&v[nv], 0, sizeof v[nv]);
		if (hist_parse_line(line, &v[nv++]) != 0) {
			xasprintf(cause, _("timetable history: slot %zu is malformed"), nv);
			goto fail;
		}
	}
	free(copy);
	*out = v;
	*n = nv;
	return 0;
fail:
	free(copy);
	sched_history_slots_free(v, nv);
	return -1;
}

void
sched_history_slots_free(struct config_slot *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].playlist);
		free(v[i].skip);
		free(v[i].relay);
	}
	free(v);
}

int
sched_history_occurrences(const struct config_slot *slots, size_t nslots,
    const char *tz, int64_t from, int64_t to, struct sched_occurrence **out,
    size_t *n, char **cause)
{
	struct sched_occurrence *all = NULL, *part;
	size_t nall = 0, npart;
	int64_t t, end;

	for (t = from; t < to; t = end) {
		end = to - t > HIST_STEP_MS ? t + HIST_STEP_MS : to;
		if (sched_occurrences(slots, nslots, tz, t, end, &part, &npart,
		    cause) != 0) {
			free(all);
			return -1;
		}
		if (npart > 0) {
			all = xreallocarray(all, nall + npart, sizeof *all);
			memcpy(all + nall, part, npart * sizeof *part);
			nall += npart;
		}
		free(part);
	}
	*out = all;
	*n = nall;
	return 0;
}
