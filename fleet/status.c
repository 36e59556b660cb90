/*
 * What the district sees of its stations (`fleet status`, `fleet watch`),
 * read from fleet.db: the last state of each, its last airing and the
 * slots it missed today, problems first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/json.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "fleet/fleet.h"

/* Column i as an allocated string, or NULL. */
static char *
st_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/* Today's local midnight (the district's clock), in ms. */
static int64_t
st_midnight(int64_t now_ms)
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* Fills s from the states row of its station. */
static void
st_state(sqlite3 *db, struct fleet_status *s)
{
	sqlite3_stmt *q;

	s->state = FLEET_NEVER;
	s->disk_free = -1;
	if (sqlite3_prepare_v2(db, "SELECT online, since_ms, offset_ms,"
	    " json_extract(json, '$.daemon.on_air.title'),"
	    " json_extract(json, '$.daemon.device'),"
	    " coalesce(json_extract(json, '$.daemon.last_error'),"
	    "  json_extract(json, '$.daemon_error')),"
	    " json_extract(json, '$.disk_free_bytes'), json_extract(json, '$.software')"
	    " FROM states WHERE station = ?1", -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, s->code, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		s->state = sqlite3_column_int(q, 0) ? FLEET_ONLINE : FLEET_OFFLINE;
		s->since_ms = sqlite3_column_int64(q, 1);
		if (sqlite3_column_type(q, 2) != SQLITE_NULL) {
			s->has_offset = 1;
			s->offset_ms = sqlite3_column_int64(q, 2);
		}
		if (s->state == FLEET_ONLINE) {
			s->on_air = st_text(q, 3);
			s->device = st_text(q, 4);
			s->error = st_text(q, 5);
		}
		if (sqlite3_column_type(q, 6) != SQLITE_NULL)
			s->disk_free = sqlite3_column_int64(q, 6);
		s->version = st_text(q, 7);
	}
	sqlite3_finalize(q);
}

/* Fills s's last airing and the slots it missed since midnight. */
static void
st_airings(sqlite3 *db, struct fleet_status *s, int64_t midnight)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(db, "SELECT json_extract(json, '$.title'),"
	    " json_extract(json, '$.outcome'), json_extract(json, '$.started_at_ms') AS t"
	    " FROM airings WHERE station = ?1 AND t IS NOT NULL ORDER BY t DESC"
	    " LIMIT 1", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, s->code, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW) {
			s->last_title = st_text(q, 0);
			s->last_outcome = st_text(q, 1);
			s->last_ms = sqlite3_column_int64(q, 2);
		}
		sqlite3_finalize(q);
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM airings WHERE station = ?1"
	    " AND json_extract(json, '$.outcome') = 'missed' AND"
	    " coalesce(json_extract(json, '$.slot_start_ms'),"
	    "  json_extract(json, '$.scheduled_at_ms')) >= ?2", -1, &q,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, s->code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, midnight);
		if (sqlite3_step(q) == SQLITE_ROW)
			s->missed_today = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
}

/* How bad s is: 4 offline, 3 never connected, 2 a fault, 1 a warning, 0 fine. */
static int
st_rank(const struct fleet_status *s)
{
	if (s->state == FLEET_OFFLINE)
		return 4;
	if (s->state == FLEET_NEVER)
		return 3;
	if (s->device == NULL || strcmp(s->device, "ok") != 0 || s->error != NULL)
		return 2;
	if (s->missed_today > 0 || (s->has_offset && llabs(s->offset_ms) > 60000) ||
	    (s->disk_free >= 0 && s->disk_free < 512LL * 1024 * 1024))
		return 1;
	return 0;
}

static int
st_cmp(const void *a, const void *b)
{
	const struct fleet_status *x = a, *y = b;

	if (x->problems != y->problems)
		return y->problems - x->problems;
	return strcmp(x->code, y->code);
}

void
fleet_status_rows(const struct config *cfg, sqlite3 *db, int64_t now_ms,
    struct fleet_status **out, size_t *n)
{
	const struct config_fleet *f = &cfg->fleet;
	int64_t midnight = st_midnight(now_ms);
	struct fleet_status *s;
	size_t i;

	s = xcalloc(f->nstations + 1, sizeof *s);
	for (i = 0; i < f->nstations; i++) {
		s[i].code = f->stations[i].code;
		st_state(db, &s[i]);
		st_airings(db, &s[i], midnight);
		s[i].problems = st_rank(&s[i]);
	}
	qsort(s, f->nstations, sizeof *s, st_cmp);
	*out = s;
	*n = f->nstations;
}

void
fleet_status_free(struct fleet_status *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].on_air);
		free(s[i].last_title);
		free(s[i].last_outcome);
		free(s[i].device);
		free(s[i].error);
		free(s[i].version);
	}
	free(s);
}

/* ms as local "YYYY-MM-DD HH:MM:SS" (text) or ISO 8601 with offset (iso). */
static void
st_time(char *buf, size_t size, int64_t ms, int iso)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, iso ? "%Y-%m-%dT%H:%M:%S%z" : "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *const st_names[] = { "trực tuyến", "mất kết nối",
	"chưa kết nối" };
static const char *const st_keys[] = { "online", "offline", "never" };

/* One station as a text line. */
static void
st_line(FILE *fp, const struct fleet_status *s)
{
	char t[32];

	fprintf(fp, "%s  %s", s->code, st_names[s->state]);
	if (s->since_ms > 0) {
		st_time(t, sizeof t, s->since_ms, 0);
		fprintf(fp, _(" since %s"), t);
	}
	fprintf(fp, _(" | on air: %s"), s->on_air ? s->on_air : "-");
	if (s->last_ms > 0) {
		st_time(t, sizeof t, s->last_ms, 0);
		fprintf(fp, _(" | last airing: %s '%s' %s"), t,
		    s->last_title ? s->last_title : "?",
		    s->last_outcome ? s->last_outcome : "?");
	} else
		fputs(_(" | last airing: -"), fp);
	fprintf(fp, _(" | missed today: %lld | device: %s | error: %s"),
	    (long long)s->missed_today, s->device ? s->device : "-",
	    s->error ? s->error : "-");
	if (s->disk_free >= 0)
		fprintf(fp, _(" | disk free: %.1f GB"), (double)s->disk_free / 1e9);
	else
		fputs(_(" | disk free: -"), fp);
	fprintf(fp, " | %s", s->version ? s->version : _("version -"));
	if (s->has_offset)
		fprintf(fp, _(" | clock %+.1f s\n"), (double)s->offset_ms / 1000.0);
	else
		fputs(_(" | clock -\n"), fp);

}

/* One station as a JSON object. */
static void
st_json(FILE *fp, const struct fleet_status *s)
{
	char t[40];

	fputs("{\"station\":", fp);
	json_write(fp, s->code);
	fprintf(fp, ",\"state\":\"%s\",\"since\":", st_keys[s->state]);
	if (s->since_ms > 0) {
		st_time(t, sizeof t, s->since_ms, 1);
		json_write(fp, t);
	} else
		fputs("null", fp);
	fputs(",\"on_air\":", fp);
	json_write(fp, s->on_air);
	fputs(",\"last_airing\":", fp);
	if (s->last_ms > 0) {
		st_time(t, sizeof t, s->last_ms, 1);
		fputs("{\"started_at\":", fp);
		json_write(fp, t);
		fputs(",\"title\":", fp);
		json_write(fp, s->last_title);
		fputs(",\"outcome\":", fp);
		json_write(fp, s->last_outcome);
		fputs("}", fp);
	} else
		fputs("null", fp);
	fprintf(fp, ",\"missed_today\":%lld,\"device\":", (long long)s->missed_today);
	json_write(fp, s->device);
	fputs(",\"last_error\":", fp);
	json_write(fp, s->error);
	if (s->disk_free >= 0)
		fprintf(fp, ",\"disk_free_bytes\":%lld", (long long)s->disk_free);
	else
		fputs(",\"disk_free_bytes\":null", fp);
	fputs(",\"version\":", fp);
	json_write(fp, s->version);
	if (s->has_offset)
		fprintf(fp, ",\"clock_offset_ms\":%lld", (long long)s->offset_ms);
	else
		fputs(",\"clock_offset_ms\":null", fp);
	fprintf(fp, ",\"problems\":%d}", s->problems);
}

void
fleet_status_write(FILE *fp, const struct fleet_status *s, size_t n, int json)
{
	size_t i;

	if (json)
		fputc('[', fp);
	for (i = 0; i < n; i++) {
		if (json) {
			fputs(i > 0 ? ",\n" : "\n", fp);
			st_json(fp, &s[i]);
		} else
			st_line(fp, &s[i]);
	}
	if (json)
		fputs("\n]\n", fp);
}

char *
fleet_airing_line(const char *station, const char *json, sqlite3 *db)
{
	sqlite3_stmt *q;
	char *out = NULL, t[32];

	if (sqlite3_prepare_v2(db, "SELECT coalesce(json_extract(?1, '$.started_at_ms'),"
	    " json_extract(?1, '$.scheduled_at_ms')), json_extract(?1, '$.id'),"
	    " json_extract(?1, '$.slot'), json_extract(?1, '$.title'),"
	    " json_extract(?1, '$.played_ms'), json_extract(?1, '$.outcome'),"
	    " json_extract(?1, '$.reason') WHERE json_valid(?1)", -1, &q,
	    NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		st_time(t, sizeof t, sqlite3_column_int64(q, 0), 0);
		xasprintf(&out, "%s  %s  #%lld  %s  '%s'  %.1f s  %s%s%s", station, t,
		    (long long)sqlite3_column_int64(q, 1),
		    sqlite3_column_text(q, 2) ? (const char *)sqlite3_column_text(q, 2) :
		    "-", sqlite3_column_text(q, 3) ? (const char *)
		    sqlite3_column_text(q, 3) : "-",
		    (double)sqlite3_column_int64(q, 4) / 1000.0,
		    sqlite3_column_text(q, 5) ? (const char *)sqlite3_column_text(q, 5) :
		    "?", sqlite3_column_text(q, 6) ? " " : "",
		    sqlite3_column_text(q, 6) ? (const char *)sqlite3_column_text(q, 6) :
		    "");
	}
	sqlite3_finalize(q);
	return out;
}
