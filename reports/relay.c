/*
 * The relay section of the coverage report and of the district merge,
 * "Tiếp sóng": per source, the hours its slots were planned to relay (the
 * timetable history's occurrences, added by coverage.c) against the hours
 * its audio was on air (the relays' rows in the log), and the interruptions
 * (table relay_interruptions): how many, for how long, by reason.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/json.h"
#include "common/xmalloc.h"
#include "reports/internal.h"

/*
 * The relays' rows whose slot occurrence starts in [?1, ?2) (items are
 * scheduled within ?3 = ?2 + 2 days of it): time on air per source.
 */
static const char sql_relayed[] =
    "SELECT source, total(played_ms) FROM airings"
    " WHERE scheduled_at >= ?1 AND scheduled_at < ?3"
    "  AND slot_start >= ?1 AND slot_start < ?2"
    "  AND source IS NOT NULL AND started_at IS NOT NULL"
    " GROUP BY source";

/* Their interruptions per source and reason: how many, how long. */
static const char sql_gaps[] =
    "SELECT a.source, i.reason, count(*), total(i.duration_ms)"
    " FROM relay_interruptions i JOIN airings a ON a.id = i.airing_id"
    " WHERE a.scheduled_at >= ?1 AND a.scheduled_at < ?3"
    "  AND a.slot_start >= ?1 AND a.slot_start < ?2 AND a.source IS NOT NULL"
    " GROUP BY a.source, i.reason";

/* The entry of source in r, added (in name order) when new. */
static struct rep_relay_source *
relay_source(struct rep_relay *r, const char *source)
{
	struct rep_relay_source *s;
	size_t i;

	for (i = 0; i < r->nsources; i++) {
		int cmp = strcmp(r->sources[i].source, source);

		if (cmp == 0)
			return &r->sources[i];
		if (cmp > 0)
			break;
	}
	r->sources = xreallocarray(r->sources, r->nsources + 1, sizeof *r->sources);
	memmove(&r->sources[i + 1], &r->sources[i], (r->nsources - i) * sizeof *r->sources);
	r->nsources++;
	s = &r->sources[i];
	memset(s, 0, sizeof *s);
	s->source = xstrdup(source);
	return s;
}

void
rep_relay_plan(struct rep_relay *r, const char *source, int64_t ms)
{
	relay_source(r, source)->planned_ms += ms;
	r->planned_ms += ms;
}

/* Prepares sql bound to the period p (as sql_relayed's ?1..?3), or NULL. */
static sqlite3_stmt *
relay_prepare(sqlite3 *db, const char *sql, const struct rep_period *p)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(q, 1, p->from_ms);
	sqlite3_bind_int64(q, 2, p->to_ms);
	sqlite3_bind_int64(q, 3, p->to_ms + 2 * 86400000LL);
	return q;
}

int
rep_relay_load(sqlite3 *db, const struct rep_period *p, struct rep_relay *r, char **cause)
{
	struct rep_relay_source *s;
	sqlite3_stmt *q;
	int64_t n, ms;
	int rc;

	if ((q = relay_prepare(db, sql_relayed, p)) == NULL)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ms = (int64_t)sqlite3_column_double(q, 1);
		relay_source(r, (const char *)sqlite3_column_text(q, 0))->relayed_ms += ms;
		r->relayed_ms += ms;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE || (q = relay_prepare(db, sql_gaps, p)) == NULL)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		s = relay_source(r, (const char *)sqlite3_column_text(q, 0));
		n = sqlite3_column_int64(q, 2);
		ms = (int64_t)sqlite3_column_double(q, 3);
		s->interruptions += n;
		s->interrupted_ms += ms;
		r->interruptions += n;
		r->interrupted_ms += ms;
		rep_count_add(&r->by_reason, &r->nby_reason,
		    (const char *)sqlite3_column_text(q, 1), n, ms);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	xasprintf(cause, "relays: %s", sqlite3_errmsg(db));
	return -1;
}

void
rep_relay_add(struct rep_relay *to, const struct rep_relay *from)
{
	struct rep_relay_source *s;
	size_t i;

	for (i = 0; i < from->nsources; i++) {
		s = relay_source(to, from->sources[i].source);
		s->planned_ms += from->sources[i].planned_ms;
		s->relayed_ms += from->sources[i].relayed_ms;
		s->interruptions += from->sources[i].interruptions;
		s->interrupted_ms += from->sources[i].interrupted_ms;
	}
	for (i = 0; i < from->nby_reason; i++)
		rep_count_add(&to->by_reason, &to->nby_reason, from->by_reason[i].key,
		    from->by_reason[i].n, from->by_reason[i].played_ms);
	to->planned_ms += from->planned_ms;
	to->relayed_ms += from->relayed_ms;
	to->interruptions += from->interruptions;
	to->interrupted_ms += from->interrupted_ms;
}

void
rep_relay_clear(struct rep_relay *r)
{
	size_t i;

	for (i = 0; i < r->nsources; i++)
		free(r->sources[i].source);
	free(r->sources);
	for (i = 0; i < r->nby_reason; i++)
		free(r->by_reason[i].key);
	free(r->by_reason);
	memset(r, 0, sizeof *r);
}

/* ms as hours with two decimals ("1.25"), as the machine formats write them. */
static void
relay_hours(int64_t ms, char out[32])
{
	snprintf(out, 32, "%.2f", (double)(ms / 36000) / 100.0);
}

/* The same for people, in lang's number form ("1,25" in Vietnamese). */
static void
relay_hours_human(enum rep_lang lang, int64_t ms, char out[HUMAN_LEN])
{
	char *comma;

	relay_hours(ms, out);
	if (lang == REP_VI && (comma = strchr(out, '.')) != NULL)
		*comma = ',';
}

/* One source's row (NULL: the total's) as the text and HTML show it. */
static void
relay_row_human(enum rep_lang lang, const struct rep_relay_source *s,
    const struct rep_relay *r, char planned[HUMAN_LEN], char relayed[HUMAN_LEN],
    char n[HUMAN_LEN], char min[HUMAN_LEN])
{
	relay_hours_human(lang, s ? s->planned_ms : r->planned_ms, planned);
	relay_hours_human(lang, s ? s->relayed_ms : r->relayed_ms, relayed);
	rep_count_human(lang, s ? s->interruptions : r->interruptions, n);
	rep_minutes_human(lang, s ? s->interrupted_ms : r->interrupted_ms, min);
}

void
rep_relay_text(FILE *f, enum rep_lang lang, const struct rep_relay *r)
{
	char planned[HUMAN_LEN], relayed[HUMAN_LEN], n[HUMAN_LEN], min[HUMAN_LEN];
	size_t i;

	fprintf(f, "\n%s\n", rep_label(lang, RL_RELAY));
	if (r->nsources == 0) {
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
		return;
	}
	for (i = 0; i <= r->nsources; i++) {
		const struct rep_relay_source *s = i < r->nsources ? &r->sources[i] : NULL;

		relay_row_human(lang, s, r, planned, relayed, n, min);
		fprintf(f, "  %s: %s\n         %s %s, %s %s; %s %s (%s %s)\n",
		    rep_label(lang, s ? RL_SOURCE : RL_TOTAL), s ? s->source : "",
		    relayed, rep_label(lang, RL_RELAYED_HOURS), planned,
		    rep_label(lang, RL_PLANNED_HOURS), n, rep_label(lang, RL_GAPS), min,
		    rep_label(lang, RL_MINUTES));
	}
	fprintf(f, "  %s, %s:\n", rep_label(lang, RL_GAPS), rep_label(lang, RL_REASON));
	if (r->nby_reason == 0)
		fprintf(f, "    %s\n", rep_label(lang, RL_NONE));
	for (i = 0; i < r->nby_reason; i++) {
		rep_minutes_human(lang, r->by_reason[i].played_ms, min);
		fprintf(f, "    %s: %s (%s %s)\n", rep_reason(lang, r->by_reason[i].key),
		    rep_count_human(lang, r->by_reason[i].n, n), min,
		    rep_label(lang, RL_MINUTES));
	}
}

void
rep_relay_csv(FILE *f, enum rep_lang lang, const struct rep_relay *r)
{
	static const enum rep_label cols[] = { RL_SOURCE, RL_PLANNED_HOURS,
		RL_RELAYED_HOURS, RL_GAPS, RL_GAP_MINUTES };
	char planned[32], relayed[32], min[32];
	size_t i;

	fputs("\r\n", f);
	csv_str(f, rep_label(lang, RL_RELAY));
	fputs("\r\n", f);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		if (i > 0)
			fputc(',', f);
		csv_str(f, rep_label(lang, cols[i]));
	}
	fputs("\r\n", f);
	for (i = 0; i <= r->nsources; i++) {
		const struct rep_relay_source *s = i < r->nsources ? &r->sources[i] : NULL;

		relay_hours(s ? s->planned_ms : r->planned_ms, planned);
		relay_hours(s ? s->relayed_ms : r->relayed_ms, relayed);
		rep_minutes(s ? s->interrupted_ms : r->interrupted_ms, min);
		csv_str(f, s ? s->source : rep_label(lang, RL_TOTAL));
		fprintf(f, ",%s,%s,%" PRId64 ",%s\r\n", planned, relayed,
		    s ? s->interruptions : r->interruptions, min);
	}
	rep_csv_counts(f, lang, RL_GAPS, r->by_reason, r->nby_reason);
}

/* A JSON object's relay figures: planned_ms ... interrupted_ms. */
static void
relay_json_figures(FILE *f, int64_t planned, int64_t relayed, int64_t n, int64_t gap)
{
	char a[32], b[32];

	relay_hours(planned, a);
	relay_hours(relayed, b);
	fprintf(f, "\"planned_ms\": %" PRId64 ", \"planned_hours\": %s, \"relayed_ms\": %"
	    PRId64 ", \"relayed_hours\": %s, \"interruptions\": %" PRId64
	    ", \"interrupted_ms\": %" PRId64, planned, a, relayed, b, n, gap);
}

void
rep_relay_json(FILE *f, const struct rep_relay *r)
{
	const struct rep_relay_source *s;
	size_t i;

	fputs("{", f);
	relay_json_figures(f, r->planned_ms, r->relayed_ms, r->interruptions,
	    r->interrupted_ms);
	fputs(", \"sources\": [", f);
	for (i = 0; i < r->nsources; i++) {
		s = &r->sources[i];
		fputs(i ? ", {\"source\": " : "{\"source\": ", f);
		json_write(f, s->source);
		fputs(", ", f);
		relay_json_figures(f, s->planned_ms, s->relayed_ms, s->interruptions,
		    s->interrupted_ms);
		fputc('}', f);
	}
	fputs("], \"interruptions_by_reason\": [", f);
	for (i = 0; i < r->nby_reason; i++) {
		fputs(i ? ", {\"reason\": " : "{\"reason\": ", f);
		json_write(f, r->by_reason[i].key);
		fprintf(f, ", \"count\": %" PRId64 ", \"duration_ms\": %" PRId64 "}",
		    r->by_reason[i].n, r->by_reason[i].played_ms);
	}
	fputs("]}", f);
}

void
rep_relay_html(FILE *f, enum rep_lang lang, const struct rep_relay *r, int num)
{
	static const enum rep_label cols[] = { RL_SOURCE, RL_PLANNED_HOURS,
		RL_RELAYED_HOURS, RL_GAPS, RL_GAP_MINUTES };
	char planned[HUMAN_LEN], relayed[HUMAN_LEN], n[HUMAN_LEN], min[HUMAN_LEN];
	size_t i;

	fprintf(f, "<h2>%d. ", num);
	rep_html_str(f, rep_label(lang, RL_RELAY));
	fputs("</h2>\n", f);
	if (r->nsources == 0) {
		fputs("<p>", f);
		rep_html_str(f, rep_label(lang, RL_NONE));
		fputs("</p>\n", f);
		return;
	}
	fputs("<table class=\"grid\">\n<thead><tr>", f);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		fputs("<th>", f);
		rep_html_str(f, rep_label(lang, cols[i]));
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (i = 0; i <= r->nsources; i++) {
		const struct rep_relay_source *s = i < r->nsources ? &r->sources[i] : NULL;

		relay_row_human(lang, s, r, planned, relayed, n, min);
		fputs(s ? "<tr><td>" : "<tr class=\"total\"><td>", f);
		rep_html_str(f, s ? s->source : rep_label(lang, RL_TOTAL));
		fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", planned,
		    relayed, n, min);
	}
	fputs("</tbody>\n</table>\n", f);
	rep_html_counts(f, lang, RL_GAPS, r->by_reason, r->nby_reason);
}
