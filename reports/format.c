/* The coverage report as text, CSV (UTF-8 with a BOM), JSON and printable HTML. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "common/csv.h"
#include "common/date.h"
#include "common/i18n.h"
#include "common/json.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "reports/internal.h"

int
rep_format_parse(const char *s)
{
	static const char *const names[] = { "text", "csv", "json", "html", "xlsx" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

void
rep_html_str(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* An airing time for a report, or "-" when there is none. */
static void
fmt_time(int64_t ms, char out[32])
{
	if (ms == 0)
		snprintf(out, 32, "-");
	else
		date_iso8601(ms, out);
}

/* Writes "  LABEL      VALUE" with the label padded to 32 characters. */
static void
text_kv(FILE *f, const char *label, const char *value)
{
	fputs("  ", f);
	utf8_pad(f, label, 32);
	fprintf(f, " %8s\n", value);
}

/* The summary's figures, each group under its title. */
static void
text_figures(FILE *f, const struct rep_coverage *c, enum rep_lang lang)
{
	const struct rep_figure *fig;
	char v[HUMAN_LEN], d[HUMAN_LEN];
	int64_t of;
	size_t i;

	for (i = 0; i < rep_nfigures; i++) {
		fig = &rep_figures[i];
		if (i == 0 || fig->section != rep_figures[i - 1].section)
			fprintf(f, "%s%s\n", i ? "\n" : "", rep_label(lang, fig->section));
		rep_figure_human(lang, fig, c, v);
		text_kv(f, rep_label(lang, fig->label), v);
		if (fig->kind == RF_MINUTES && fig->get(c, &of) >= 3600000) {
			fputs("  ", f);
			utf8_pad(f, "", 32);
			fprintf(f, " (%s)\n", human_duration(REP_HUMAN(lang),
			    fig->get(c, &of), d));
		}
	}
}

/* Writes a list of counts as "  reason: n" lines. */
static void
text_counts(FILE *f, enum rep_lang lang, const struct rep_count *v, size_t n)
{
	char min[HUMAN_LEN], num[HUMAN_LEN];
	size_t i;

	if (n == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
	for (i = 0; i < n; i++) {
		rep_minutes_human(lang, v[i].played_ms, min);
		fputs("  ", f);
		utf8_pad(f, rep_reason(lang, v[i].key), 32);
		fprintf(f, " %8s", rep_count_human(lang, v[i].n, num));
		if (v[i].played_ms > 0)
			fprintf(f, "  (%s %s)", min, rep_label(lang, RL_MINUTES));
		fputc('\n', f);
	}
}

void
rep_text_topics(FILE *f, enum rep_lang lang, const struct rep_topic *t, size_t n,
    int bulletins)
{
	char min[HUMAN_LEN], v[HUMAN_LEN];
	size_t i;

	fprintf(f, "\n%s\n", rep_label(lang, RL_TOPICS));
	if (n == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
	for (i = 0; i < n; i++) {
		fprintf(f, "  %s\n        ", t[i].name ? t[i].name :
		    rep_label(lang, RL_NO_TOPIC));
		if (bulletins)
			fprintf(f, " %s %s,", rep_count_human(lang, t[i].bulletins, v),
			    rep_label(lang, RL_NBULLETINS));
		fprintf(f, " %s %s,", rep_count_human(lang, t[i].airings, v),
		    rep_label(lang, RL_AIRINGS));
		fprintf(f, " %s %s,", rep_count_human(lang, t[i].completed, v),
		    rep_label(lang, RL_COMPLETED));
		fprintf(f, " %s %s\n", rep_minutes_human(lang, t[i].played_ms, min),
		    rep_label(lang, RL_MINUTES));
	}
}

/* The report for the terminal. */
static void
write_text(FILE *f, const struct rep_coverage *c, enum rep_lang lang)
{
	const struct rep_bulletin *b;
	char min[HUMAN_LEN], n[HUMAN_LEN], first[HUMAN_LEN], last[HUMAN_LEN];
	size_t i;

	fprintf(f, "%s\n", rep_label(lang, RL_REPORT));
	fprintf(f, "%s: %s (%s)\n", rep_label(lang, RL_STATION),
	    c->station.name ? c->station.name : "", c->station.code ? c->station.code : "");
	fprintf(f, "%s: %s, %s: %s, %s: %s\n", rep_label(lang, RL_COMMUNE),
	    c->station.commune ? c->station.commune : "-", rep_label(lang, RL_DISTRICT),
	    c->station.district ? c->station.district : "-",
	    rep_label(lang, RL_PROVINCE), c->station.province ? c->station.province : "-");
	rep_text_period(f, lang, &c->period);
	fputc('\n', f);

	text_figures(f, c, lang);
	fprintf(f, "\n%s\n", rep_label(lang, RL_MISSED_BY));
	text_counts(f, lang, c->missed_by, c->nmissed_by);
	rep_text_topics(f, lang, c->topics, c->ntopics, 1);

	fprintf(f, "\n%s\n", rep_label(lang, RL_BULLETINS));
	if (c->nbulletins == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
	for (i = 0; i < c->nbulletins; i++) {
		b = &c->bulletins[i];
		rep_minutes_human(lang, b->played_ms, min);
		rep_time_human(lang, b->first_ms, first);
		rep_time_human(lang, b->last_ms, last);
		fprintf(f, "  #%-5" PRId64 " ", b->id);
		utf8_pad(f, b->title, 40);
		fprintf(f, " %6s %s, ", rep_count_human(lang, b->airings, n),
		    rep_label(lang, RL_AIRINGS));
		fprintf(f, "%s %s, %s %s", rep_count_human(lang, b->completed, n),
		    rep_label(lang, RL_COMPLETED), min, rep_label(lang, RL_MINUTES));
		if (b->min_airings > 0)
			fprintf(f, ", %s %d: %s", rep_label(lang, RL_MIN), b->min_airings,
			    rep_label(lang, b->met ? RL_YES : RL_NO));
		fprintf(f, "\n         %s: %s; %s: %s\n         %s .. %s\n",
		    rep_label(lang, RL_PRODUCER), b->agency ? b->agency : "-",
		    rep_label(lang, RL_TOPIC), b->topic_name ? b->topic_name : "-",
		    first, last);
	}

	fprintf(f, "\n%s\n", rep_label(lang, RL_INTERRUPTIONS));
	text_counts(f, lang, c->interruptions, c->ninterruptions);
	fprintf(f, "%s\n", rep_label(lang, RL_FAILURES));
	text_counts(f, lang, c->failures, c->nfailures);
	rep_relay_text(f, lang, &c->relay);
}

/* The period line: its name and dates, or the dates alone when --from/--to gave them. */
void
rep_text_period(FILE *f, enum rep_lang lang, const struct rep_period *p)
{
	char from[HUMAN_LEN], to[HUMAN_LEN];

	human_day(REP_HUMAN(lang), p->from, from);
	human_day(REP_HUMAN(lang), p->to, to);
	if (strchr(p->label, '.') != NULL)
		fprintf(f, "%s: %s .. %s\n", rep_label(lang, RL_PERIOD), from, to);
	else
		fprintf(f, "%s: %s (%s .. %s)\n", rep_label(lang, RL_PERIOD), p->label,
		    from, to);
}

/* A CSV row of two fields. */
static void
csv_pair(FILE *f, const char *k, const char *v)
{
	csv_str(f, k);
	fputc(',', f);
	csv_str(f, v);
	fputs("\r\n", f);
}

void
rep_csv_head(FILE *f, enum rep_lang lang, const enum rep_label *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		csv_str(f, rep_label(lang, cols[i]));
	}
}

/* A CSV block of counts: reason, count, minutes. */
void
rep_csv_counts(FILE *f, enum rep_lang lang, enum rep_label title,
    const struct rep_count *v, size_t n)
{
	const enum rep_label cols[] = { title, RL_COUNT, RL_MINUTES };
	char min[32];
	size_t i;

	fputs("\r\n", f);
	rep_csv_head(f, lang, cols, sizeof cols / sizeof cols[0]);
	fputs("\r\n", f);
	for (i = 0; i < n; i++) {
		rep_minutes(v[i].played_ms, min);
		csv_str(f, rep_reason(lang, v[i].key));
		fprintf(f, ",%" PRId64 ",%s\r\n", v[i].n, min);
	}
}

/*
 * CSV for spreadsheets: a byte-order mark, then blocks separated by an empty
 * line, each with its own header row (identity, totals, missed reasons,
 * topics, bulletins, interruptions, failures).
 */
static void
write_csv(FILE *f, const struct rep_coverage *c, enum rep_lang lang)
{
	static const enum rep_label cols[] = { RL_BULLETIN, RL_TITLE, RL_PRODUCER,
		RL_TOPIC, RL_AIRINGS, RL_COMPLETED, RL_MINUTES, RL_MIN, RL_MET, RL_FIRST,
		RL_LAST };
	static const enum rep_label tcols[] = { RL_TOPIC, RL_NBULLETINS, RL_AIRINGS,
		RL_COMPLETED, RL_MINUTES };
	const struct rep_bulletin *b;
	char value[32], min[32], first[32], last[32];
	size_t i;

	fputs("\xef\xbb\xbf", f);
	csv_pair(f, rep_label(lang, RL_FIELD), rep_label(lang, RL_VALUE));
	csv_pair(f, rep_label(lang, RL_CODE), c->station.code);
	csv_pair(f, rep_label(lang, RL_STATION), c->station.name);
	csv_pair(f, rep_label(lang, RL_COMMUNE), c->station.commune);
	csv_pair(f, rep_label(lang, RL_DISTRICT), c->station.district);
	csv_pair(f, rep_label(lang, RL_PROVINCE), c->station.province);
	csv_pair(f, rep_label(lang, RL_PERIOD), c->period.label);
	csv_pair(f, rep_label(lang, RL_FROM), c->period.from);
	csv_pair(f, rep_label(lang, RL_TO), c->period.to);
	for (i = 0; i < rep_nfigures; i++) {
		rep_figure_text(&rep_figures[i], c, value);
		/* Our own number or "-": as it is (csv_str would take "-" for a formula). */
		csv_str(f, rep_label(lang, rep_figures[i].label));
		fprintf(f, ",%s\r\n", value);
	}

	rep_csv_counts(f, lang, RL_MISSED_BY, c->missed_by, c->nmissed_by);

	fputs("\r\n", f);
	rep_csv_head(f, lang, tcols, sizeof tcols / sizeof tcols[0]);
	fputs("\r\n", f);
	for (i = 0; i < c->ntopics; i++) {
		rep_minutes(c->topics[i].played_ms, min);
		csv_str(f, c->topics[i].name ? c->topics[i].name :
		    rep_label(lang, RL_NO_TOPIC));
		fprintf(f, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%s\r\n",
		    c->topics[i].bulletins, c->topics[i].airings, c->topics[i].completed,
		    min);
	}

	fputs("\r\n", f);
	rep_csv_head(f, lang, cols, sizeof cols / sizeof cols[0]);
	fputs("\r\n", f);
	for (i = 0; i < c->nbulletins; i++) {
		b = &c->bulletins[i];
		rep_minutes(b->played_ms, min);
		fmt_time(b->first_ms, first);
		fmt_time(b->last_ms, last);
		fprintf(f, "%" PRId64 ",", b->id);
		csv_str(f, b->title);
		fputc(',', f);
		csv_str(f, b->agency);
		fputc(',', f);
		csv_str(f, b->topic_name);
		fprintf(f, ",%" PRId64 ",%" PRId64 ",%s,%d,", b->airings, b->completed, min,
		    b->min_airings);
		csv_str(f, b->min_airings > 0 ?
		    rep_label(lang, b->met ? RL_YES : RL_NO) : "");
		fprintf(f, ",%s,%s\r\n", b->first_ms ? first : "", b->last_ms ? last : "");
	}

	rep_csv_counts(f, lang, RL_INTERRUPTIONS, c->interruptions, c->ninterruptions);
	rep_csv_counts(f, lang, RL_FAILURES, c->failures, c->nfailures);
	rep_relay_csv(f, lang, &c->relay);
}

/* A JSON array of counts. */
static void
json_counts(FILE *f, const struct rep_count *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i ? ", {\"reason\": " : "{\"reason\": ", f);
		json_write(f, v[i].key);
		fprintf(f, ", \"count\": %" PRId64 ", \"played_ms\": %" PRId64 "}", v[i].n,
		    v[i].played_ms);
	}
	fputc(']', f);
}

void
rep_json_figures(FILE *f, const struct rep_coverage *c, int lists, const char *sep)
{
	const struct rep_figure *fig;
	int64_t n, of = 0;
	char v[32];
	size_t i;

	for (i = 0; i < rep_nfigures; i++) {
		fig = &rep_figures[i];
		if (i > 0 && strcmp(fig->group, rep_figures[i - 1].group) == 0)
			fputs(", ", f);
		else if (i > 0)
			fprintf(f, "}%s\"%s\": {", sep, fig->group);
		else
			fprintf(f, "\"%s\": {", fig->group);
		n = fig->get(c, &of);
		if (fig->kind == RF_MINUTES)
			fprintf(f, "\"played_ms\": %" PRId64 ", ", n);
		if (fig->kind == RF_RATE)
			rep_fraction(n, of, v);
		else
			rep_figure_text(fig, c, v);
		fprintf(f, "\"%s\": %s", fig->key, v);
		if (lists && strcmp(fig->group, "slots") == 0 && (i + 1 == rep_nfigures ||
		    strcmp(rep_figures[i + 1].group, "slots") != 0)) {
			fputs(", \"missed_by\": ", f);
			json_counts(f, c->missed_by, c->nmissed_by);
		}
	}
	fputc('}', f);
}

/* A JSON time, or null. */
static void
json_time(FILE *f, int64_t ms)
{
	char t[32];

	if (ms == 0) {
		fputs("null", f);
		return;
	}
	date_iso8601(ms, t);
	fprintf(f, "\"%s\"", t);
}

/* The station object, shared with the district report. */
static void
json_station(FILE *f, const struct rep_station *s)
{
	fputs("{\"code\": ", f);
	json_write(f, s->code);
	fputs(", \"name\": ", f);
	json_write(f, s->name);
	fputs(", \"commune\": ", f);
	json_write(f, s->commune);
	fputs(", \"district\": ", f);
	json_write(f, s->district);
	fputs(", \"province\": ", f);
	json_write(f, s->province);
	fputc('}', f);
}

/* The report as one JSON object (machine-readable; field names are English). */
static void
write_json(FILE *f, const struct rep_coverage *c)
{
	const struct rep_bulletin *b;
	size_t i;

	fputs("{\n  \"station\": ", f);
	json_station(f, &c->station);
	fprintf(f, ",\n  \"period\": {\"label\": \"%s\", \"from\": \"%s\", \"to\": \"%s\"},\n",
	    c->period.label, c->period.from, c->period.to);
	fputs("  ", f);
	rep_json_figures(f, c, 1, ",\n  ");
	fputs(",\n", f);
	fputs("  \"interruptions\": ", f);
	json_counts(f, c->interruptions, c->ninterruptions);
	fputs(",\n  \"failures\": ", f);
	json_counts(f, c->failures, c->nfailures);
	fputs(",\n  \"relays\": ", f);
	rep_relay_json(f, &c->relay);
	fputs(",\n", f);
	fputs("  \"topics\": [", f);
	for (i = 0; i < c->ntopics; i++) {
		fputs(i ? ",\n    {\"key\": " : "\n    {\"key\": ", f);
		json_write(f, c->topics[i].key);
		fputs(", \"name\": ", f);
		json_write(f, c->topics[i].name);
		fprintf(f, ", \"bulletins\": %" PRId64 ", \"airings\": %" PRId64
		    ", \"completed\": %" PRId64 ", \"played_ms\": %" PRId64
		    ", \"minutes\": %.1f}", c->topics[i].bulletins, c->topics[i].airings,
		    c->topics[i].completed, c->topics[i].played_ms,
		    (double)c->topics[i].played_ms / 60000.0);
	}
	fputs(c->ntopics ? "\n  ],\n  \"bulletins\": [" : "],\n  \"bulletins\": [", f);
	for (i = 0; i < c->nbulletins; i++) {
		b = &c->bulletins[i];
		fprintf(f, "%s\n    {\"id\": %" PRId64 ", \"sha256\": ", i ? "," : "", b->id);
		json_write(f, b->sha256);
		fputs(", \"title\": ", f);
		json_write(f, b->title);
		fputs(", \"agency\": ", f);
		json_write(f, b->agency);
		fputs(", \"topic\": ", f);
		json_write(f, b->topic);
		fputs(", \"topic_name\": ", f);
		json_write(f, b->topic_name);
		fprintf(f, ", \"airings\": %" PRId64 ", \"completed\": %" PRId64
		    ", \"played_ms\": %" PRId64 ", \"minutes\": %.1f, \"min_airings\": %d"
		    ", \"met\": %s, \"first_airing\": ", b->airings, b->completed,
		    b->played_ms, (double)b->played_ms / 60000.0, b->min_airings,
		    b->met ? "true" : "false");
		json_time(f, b->first_ms);
		fputs(", \"last_airing\": ", f);
		json_time(f, b->last_ms);
		fputc('}', f);
	}
	fputs(c->nbulletins ? "\n  ]\n}\n" : "]\n}\n", f);
}

void
rep_html_counts(FILE *f, enum rep_lang lang, enum rep_label title,
    const struct rep_count *v, size_t n)
{
	char min[HUMAN_LEN], num[HUMAN_LEN];
	size_t i;

	fputs("<h2>", f);
	rep_html_str(f, rep_label(lang, title));
	fputs("</h2>\n", f);
	if (n == 0) {
		fputs("<p>", f);
		rep_html_str(f, rep_label(lang, RL_NONE));
		fputs("</p>\n", f);
		return;
	}
	fprintf(f, "<table class=\"grid\">\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "</tr></thead>\n<tbody>\n", rep_label(lang, RL_REASON),
	    rep_label(lang, RL_COUNT), rep_label(lang, RL_MINUTES));
	for (i = 0; i < n; i++) {
		rep_minutes_human(lang, v[i].played_ms, min);
		fputs("<tr><td>", f);
		rep_html_str(f, rep_reason(lang, v[i].key));
		fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
		    rep_count_human(lang, v[i].n, num), min);
	}
	fputs("</tbody>\n</table>\n", f);
}

void
rep_html_topics(FILE *f, enum rep_lang lang, const struct rep_topic *t, size_t n,
    int bulletins)
{
	char v[HUMAN_LEN];
	size_t i;

	for (i = 0; i < n; i++) {
		fputs("<tr><td>", f);
		rep_html_str(f, t[i].name ? t[i].name : rep_label(lang, RL_NO_TOPIC));
		fputs("</td>", f);
		if (bulletins)
			fprintf(f, "<td class=\"n\">%s</td>", rep_count_human(lang,
			    t[i].bulletins, v));
		fprintf(f, "<td class=\"n\">%s</td>", rep_count_human(lang, t[i].airings, v));
		fprintf(f, "<td class=\"n\">%s</td>", rep_count_human(lang, t[i].completed,
		    v));
		fprintf(f, "<td class=\"n\">%s</td></tr>\n", rep_minutes_human(lang,
		    t[i].played_ms, v));
	}
	fputs("</tbody>\n</table>\n", f);
}

/* An HTML row of a label and a value. */
static void
html_pair(FILE *f, const char *k, const char *v)
{
	fputs("<tr><td>", f);
	rep_html_str(f, k);
	fputs("</td><td class=\"n\">", f);
	rep_html_str(f, v);
	fputs("</td></tr>\n", f);
}

/* A table's head row, repeated on every page the table runs onto. */
static void
html_head(FILE *f, const char *cls, enum rep_lang lang, const enum rep_label *cols,
    size_t n)
{
	size_t i;

	fprintf(f, "<table class=\"%s\">\n<thead><tr>", cls);
	for (i = 0; i < n; i++) {
		fputs("<th>", f);
		rep_html_str(f, rep_label(lang, cols[i]));
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
}

/* A numbered section's title. */
static void
html_h2(FILE *f, int n, const char *title)
{
	fprintf(f, "<h2>%d. ", n);
	rep_html_str(f, title);
	fputs("</h2>\n", f);
}

/* The printable A4 page: the administrative header, the tables, the signatures. */
static void
write_html(FILE *f, const struct rep_coverage *c, enum rep_lang lang, int64_t now_ms)
{
	static const enum rep_label scols[] = { RL_FIELD, RL_VALUE };
	static const enum rep_label tcols[] = { RL_TOPIC, RL_NBULLETINS, RL_AIRINGS,
		RL_COMPLETED, RL_MINUTES };
	static const enum rep_label bcols[] = { RL_TITLE, RL_PRODUCER, RL_TOPIC,
		RL_AIRINGS, RL_COMPLETED, RL_MINUTES, RL_MIN, RL_MET, RL_FIRST, RL_LAST };
	const struct rep_figure *fig;
	const struct rep_bulletin *b;
	char value[HUMAN_LEN], min[HUMAN_LEN], n1[HUMAN_LEN], n2[HUMAN_LEN];
	char first[HUMAN_LEN], last[HUMAN_LEN];
	size_t i;

	rep_html_begin(f, lang, &c->station, now_ms, RL_REPORT, &c->period);
	html_h2(f, 1, rep_label(lang, RL_SUMMARY));
	html_head(f, "grid", lang, scols, 2);
	for (i = 0; i < rep_nfigures; i++) {
		fig = &rep_figures[i];
		if (i == 0 || fig->section != rep_figures[i - 1].section) {
			fputs("<tr class=\"section\"><th colspan=\"2\">", f);
			rep_html_str(f, rep_label(lang, fig->section));
			fputs("</th></tr>\n", f);
		}
		rep_figure_human(lang, fig, c, value);
		html_pair(f, rep_label(lang, fig->label), value);
	}
	fputs("</tbody>\n</table>\n", f);
	rep_html_counts(f, lang, RL_MISSED_BY, c->missed_by, c->nmissed_by);
	rep_html_charts(f, c, lang);

	html_h2(f, 2, rep_label(lang, RL_TOPICS));
	html_head(f, "grid", lang, tcols, sizeof tcols / sizeof tcols[0]);
	rep_html_topics(f, lang, c->topics, c->ntopics, 1);
	html_h2(f, 3, rep_label(lang, RL_BULLETINS));
	html_head(f, "grid wide", lang, bcols, sizeof bcols / sizeof bcols[0]);
	for (i = 0; i < c->nbulletins; i++) {
		b = &c->bulletins[i];
		rep_minutes_human(lang, b->played_ms, min);
		rep_time_human(lang, b->first_ms, first);
		rep_time_human(lang, b->last_ms, last);
		fputs("<tr><td>", f);
		rep_html_str(f, b->title);
		fputs("</td><td>", f);
		rep_html_str(f, b->agency);
		fputs("</td><td>", f);
		rep_html_str(f, b->topic_name);
		fprintf(f, "</td><td class=\"n\">%s</td>", rep_count_human(lang,
		    b->airings, n1));
		fprintf(f, "<td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td><td>%s</td><td class=\"t\">%s</td>"
		    "<td class=\"t\">%s</td></tr>\n", rep_count_human(lang, b->completed, n1),
		    min, rep_count_human(lang, b->min_airings, n2), b->min_airings > 0 ?
		    rep_label(lang, b->met ? RL_YES : RL_NO) : "", first, last);
	}
	fputs("</tbody>\n</table>\n", f);
	rep_html_counts(f, lang, RL_INTERRUPTIONS, c->interruptions, c->ninterruptions);
	rep_html_counts(f, lang, RL_FAILURES, c->failures, c->nfailures);
	rep_relay_html(f, lang, &c->relay, 4);
	rep_html_end(f, lang, &c->station);
}

int
rep_write(FILE *f, const struct rep_coverage *c, enum rep_format fmt,
    enum rep_lang lang, int64_t now_ms, char **cause)
{
	switch (fmt) {
	case REP_TEXT:
		write_text(f, c, lang);
		break;
	case REP_CSV:
		write_csv(f, c, lang);
		break;
	case REP_JSON:
		write_json(f, c);
		break;
	case REP_HTML:
		write_html(f, c, lang, now_ms);
		break;
	case REP_XLSX:
		xasprintf(cause, _("XLSX goes to a file: use --out FILE.xlsx"));
		return -1;
	}
	if (fflush(f) != 0 || ferror(f)) {
		xasprintf(cause, _("cannot write the report: %s"), strerror(errno));
		return -1;
	}
	return 0;
}
