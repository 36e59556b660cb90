/*
 * The district report's formats: text, CSV, JSON and an HTML page (XLSX in
 * xlsx.c), each from the merge that merge.c computes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/i18n.h"
#include "common/json.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "reports/internal.h"

/* The station's display name: its name, else its code. */
static const char *
merge_name(const struct rep_merge_station *s)
{
	if (s->status == REP_MERGE_OK && s->cov.station.name != NULL)
		return s->cov.station.name;
	return s->code ? s->code : "?";
}

/* The status label of a station. */
static const char *
merge_status(enum rep_lang lang, const struct rep_merge_station *s)
{
	return rep_label(lang, s->status == REP_MERGE_OK ? RL_ACCEPTED :
	    s->status == REP_MERGE_REJECTED ? RL_REJECTED : RL_NOTHING_SENT);
}

/* A figure of an accepted station or the total, "-" for the others. */
static void
merge_figure(const struct rep_figure *fig, const struct rep_coverage *c, char out[32])
{
	if (c == NULL)
		snprintf(out, 32, "-");
	else
		rep_figure_text(fig, c, out);
}

/* The coverage of station s, or NULL when it has none. */
static const struct rep_coverage *
merge_cov(const struct rep_merge_station *s)
{
	return s->status == REP_MERGE_OK ? &s->cov : NULL;
}

/* A terminal row: the code, then every figure right-aligned in 8 columns. */
static void
merge_text_row(FILE *f, enum rep_lang lang, const char *code,
    const struct rep_coverage *c)
{
	char v[32], h[HUMAN_LEN];
	size_t i;

	fputs("  ", f);
	utf8_pad(f, code, 14);
	for (i = 0; i < rep_nfigures; i++) {
		merge_figure(&rep_figures[i], c, v);
		fprintf(f, " %8s", human_number(REP_HUMAN(lang), v, h));
	}
}

/* The district's missed slots by reason, for the terminal. */
static void
merge_text_missed(FILE *f, const struct rep_merge *m, enum rep_lang lang)
{
	const struct rep_merge_station *s;
	const struct rep_count *n;
	char v[HUMAN_LEN];
	size_t pos = 0;

	fprintf(f, "\n%s\n", rep_label(lang, RL_MISSED_BY));
	while ((n = rep_merge_missed(m, &pos, &s)) != NULL) {
		fputs("  ", f);
		utf8_pad(f, s != NULL ? s->code : rep_label(lang, RL_TOTAL), 14);
		fputs("  ", f);
		utf8_pad(f, rep_reason(lang, n->key), 32);
		fprintf(f, " %8s\n", rep_count_human(lang, n->n, v));
	}
	if (pos == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
}

/* The district report for the terminal. */
static void
merge_text(FILE *f, const struct rep_merge *m, enum rep_lang lang)
{
	const struct rep_merge_station *s;
	const char *head;
	size_t i, j, k;

	fprintf(f, "%s\n%s: %s\n", rep_label(lang, RL_DISTRICT_REPORT),
	    rep_label(lang, RL_DISTRICT), m->district ? m->district : "-");
	rep_text_period(f, lang, &m->period);
	fprintf(f, "%s: %zu (%s: %zu, %s: %zu, %s: %zu)\n\n", rep_label(lang, RL_TRUSTED),
	    m->nstations, rep_label(lang, RL_ACCEPTED), m->accepted,
	    rep_label(lang, RL_REJECTED), m->rejected, rep_label(lang, RL_NOTHING_SENT),
	    m->missing);
	fprintf(f, "%s\n", rep_label(lang, RL_STATIONS));
	fputs("  ", f);
	utf8_pad(f, rep_label(lang, RL_CODE), 14);
	for (i = 0; i < rep_nfigures; i++) {
		head = rep_figures[i].abbr[lang == REP_EN];
		fputc(' ', f);
		utf8_pad(f, "", 8 - (int)utf8_width(head));
		fputs(head, f);
	}
	fprintf(f, "  %s\n", rep_label(lang, RL_STATUS));
	for (i = 0; i < m->nstations; i++) {
		s = &m->stations[i];
		merge_text_row(f, lang, s->code, merge_cov(s));
		if (s->status == REP_MERGE_OK)
			fprintf(f, "  %s (%s)\n", merge_status(lang, s), merge_name(s));
		else
			fprintf(f, "  %s%s%s%s%s\n", merge_status(lang, s),
			    s->file ? ": " : "", s->file ? s->file : "",
			    s->why ? ": " : "", s->why ? s->why : "");
	}
	merge_text_row(f, lang, rep_label(lang, RL_TOTAL), &m->total);
	fputc('\n', f);
	merge_text_missed(f, m, lang);
	rep_text_topics(f, lang, m->total.topics, m->total.ntopics, 0);
	fprintf(f, "\n%s\n", rep_label(lang, RL_REFUSED));
	if (m->nrefused == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
	for (i = 0; i < m->nrefused; i++)
		fprintf(f, "  %s (%s): %s\n", m->refused[i].file,
		    m->refused[i].code ? m->refused[i].code : "?", m->refused[i].why);
	fprintf(f, "\n%s\n", rep_label(lang, RL_FLAGGED));
	for (i = j = 0; i < m->nstations; i++)
		for (k = 0; k < m->stations[i].nflags; k++, j++)
			fprintf(f, "  %s: %s\n", m->stations[i].code,
			    m->stations[i].flags[k].what);
	if (j == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
	fprintf(f, "\n%s\n", rep_label(lang, RL_MISSING_STATIONS));
	if (m->missing == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
	for (i = 0; i < m->nstations; i++)
		if (m->stations[i].status == REP_MERGE_MISSING)
			fprintf(f, "  %s\n", m->stations[i].code);
	rep_relay_text(f, lang, &m->total.relay);
}

/* CSV fields: every figure of c, each after a comma (empty for none). */
static void
merge_csv_figures(FILE *f, const struct rep_coverage *c)
{
	char v[32];
	size_t i;

	for (i = 0; i < rep_nfigures; i++) {
		fputc(',', f);
		if (c != NULL) {
			rep_figure_text(&rep_figures[i], c, v);
			fputs(v, f); /* our own number: never a formula */
		}
	}
}

/* A CSV header row of labels. */
static void
merge_csv_head(FILE *f, enum rep_lang lang, const enum rep_label *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		csv_str(f, rep_label(lang, cols[i]));
	}
}

/*
 * One CSV row per station, then the totals, the exports refused, the topics
 * and the flagged rows (FILE:LINE of each, as verify names them).
 */
static void
merge_csv(FILE *f, const struct rep_merge *m, enum rep_lang lang)
{
	static const enum rep_label cols[] = { RL_CODE, RL_STATION, RL_COMMUNE,
		RL_STATUS };
	static const enum rep_label rcols[] = { RL_FILE, RL_CODE, RL_REASON };
	static const enum rep_label tcols[] = { RL_TOPIC, RL_AIRINGS, RL_COMPLETED,
		RL_MINUTES };
	static const enum rep_label fcols[] = { RL_CODE, RL_FILE, RL_FLAGGED };
	static const enum rep_label mcols[] = { RL_CODE, RL_MISSED_BY, RL_COUNT };
	const struct rep_merge_station *s;
	const struct rep_count *n;
	char min[32], *where;
	size_t i, j, pos = 0;

	fputs("\xef\xbb\xbf", f);
	csv_str(f, rep_label(lang, RL_PERIOD));
	fputc(',', f);
	csv_str(f, m->period.label);
	fprintf(f, ",%s,%s\r\n", m->period.from, m->period.to);
	csv_str(f, rep_label(lang, RL_TRUSTED));
	fprintf(f, ",%zu\r\n", m->nstations);
	csv_str(f, rep_label(lang, RL_ACCEPTED));
	fprintf(f, ",%zu\r\n", m->accepted);
	csv_str(f, rep_label(lang, RL_REJECTED));
	fprintf(f, ",%zu\r\n", m->rejected);
	csv_str(f, rep_label(lang, RL_NOTHING_SENT));
	fprintf(f, ",%zu\r\n\r\n", m->missing);
	merge_csv_head(f, lang, cols, sizeof cols / sizeof cols[0]);
	for (i = 0; i < rep_nfigures; i++) {
		fputc(',', f);
		csv_str(f, rep_label(lang, rep_figures[i].label));
	}
	fputc(',', f);
	csv_str(f, rep_label(lang, RL_REASON));
	fputs("\r\n", f);
	for (i = 0; i < m->nstations; i++) {
		s = &m->stations[i];
		csv_str(f, s->code);
		fputc(',', f);
		csv_str(f, s->status == REP_MERGE_OK ? s->cov.station.name : NULL);
		fputc(',', f);
		csv_str(f, s->status == REP_MERGE_OK ? s->cov.station.commune : NULL);
		fputc(',', f);
		csv_str(f, merge_status(lang, s));
		merge_csv_figures(f, merge_cov(s));
		fputc(',', f);
		csv_str(f, s->why);
		fputs("\r\n", f);
	}
	csv_str(f, rep_label(lang, RL_TOTAL));
	fputs(",,,", f);
	merge_csv_figures(f, &m->total);
	fputs(",\r\n\r\n", f);
	merge_csv_head(f, lang, mcols, sizeof mcols / sizeof mcols[0]);
	fputs("\r\n", f);
	while ((n = rep_merge_missed(m, &pos, &s)) != NULL) {
		csv_str(f, s != NULL ? s->code : rep_label(lang, RL_TOTAL));
		fputc(',', f);
		csv_str(f, rep_reason(lang, n->key));
		fprintf(f, ",%" PRId64 "\r\n", n->n);
	}
	fputs("\r\n", f);
	merge_csv_head(f, lang, rcols, sizeof rcols / sizeof rcols[0]);
	fputs("\r\n", f);
	for (i = 0; i < m->nrefused; i++) {
		csv_str(f, m->refused[i].file);
		fputc(',', f);
		csv_str(f, m->refused[i].code);
		fputc(',', f);
		csv_str(f, m->refused[i].why);
		fputs("\r\n", f);
	}
	fputs("\r\n", f);
	merge_csv_head(f, lang, tcols, sizeof tcols / sizeof tcols[0]);
	fputs("\r\n", f);
	for (i = 0; i < m->total.ntopics; i++) {
		rep_minutes(m->total.topics[i].played_ms, min);
		csv_str(f, m->total.topics[i].name ? m->total.topics[i].name :
		    rep_label(lang, RL_NO_TOPIC));
		fprintf(f, ",%" PRId64 ",%" PRId64 ",%s\r\n", m->total.topics[i].airings,
		    m->total.topics[i].completed, min);
	}
	fputs("\r\n", f);
	merge_csv_head(f, lang, fcols, sizeof fcols / sizeof fcols[0]);
	fputs("\r\n", f);
	for (i = 0; i < m->nstations; i++)
		for (j = 0; j < m->stations[i].nflags; j++) {
			xasprintf(&where, "%s:%" PRId64, m->stations[i].file,
			    m->stations[i].flags[j].line);
			csv_str(f, m->stations[i].code);
			fputc(',', f);
			csv_str(f, where);
			fputc(',', f);
			csv_str(f, m->stations[i].flags[j].what);
			fputs("\r\n", f);
			free(where);
		}
	rep_relay_csv(f, lang, &m->total.relay);
}

/* The district report as one JSON object. */
static void
merge_json(FILE *f, const struct rep_merge *m)
{
	const struct rep_merge_station *s;
	static const char *const status[] = { "ok", "rejected", "missing" };
	size_t i, j, n;

	fputs("{\n  \"district\": ", f);
	json_write(f, m->district);
	fprintf(f, ",\n  \"period\": {\"label\": \"%s\", \"from\": \"%s\", \"to\": \"%s\"},\n"
	    "  \"stations\": [", m->period.label, m->period.from, m->period.to);
	for (i = 0; i < m->nstations; i++) {
		s = &m->stations[i];
		fputs(i ? ",\n    {\"code\": " : "\n    {\"code\": ", f);
		json_write(f, s->code);
		fprintf(f, ", \"status\": \"%s\", \"file\": ", status[s->status]);
		json_write(f, s->file);
		fputs(", \"reason\": ", f);
		json_write(f, s->why);
		fputs(", \"flags\": [", f);
		for (j = 0; j < s->nflags; j++) {
			fprintf(f, "%s{\"line\": %" PRId64 ", \"what\": ", j ? ", " : "",
			    s->flags[j].line);
			json_write(f, s->flags[j].what);
			fputc('}', f);
		}
		fputc(']', f);
		if (s->status == REP_MERGE_OK) {
			fputs(", \"name\": ", f);
			json_write(f, s->cov.station.name);
			fputs(", \"commune\": ", f);
			json_write(f, s->cov.station.commune);
			fputs(", ", f);
			rep_json_figures(f, &s->cov, 1, ", ");
		}
		fputc('}', f);
	}
	fputs(m->nstations ? "\n  ],\n  \"refused\": [" : "],\n  \"refused\": [", f);
	for (i = 0; i < m->nrefused; i++) {
		fputs(i ? ",\n    {\"file\": " : "\n    {\"file\": ", f);
		json_write(f, m->refused[i].file);
		fputs(", \"code\": ", f);
		json_write(f, m->refused[i].code);
		fputs(", \"reason\": ", f);
		json_write(f, m->refused[i].why);
		fputc('}', f);
	}
	fprintf(f, "%s],\n  \"totals\": {\"trusted\": %zu, \"accepted\": %zu, "
	    "\"rejected\": %zu, \"missing\": %zu, ", m->nrefused ? "\n  " : "",
	    m->nstations, m->accepted, m->rejected, m->missing);
	rep_json_figures(f, &m->total, 1, ", ");
	fputs("},\n  \"topics\": [", f);
	for (i = 0; i < m->total.ntopics; i++) {
		fputs(i ? ", {\"key\": " : "{\"key\": ", f);
		json_write(f, m->total.topics[i].key);
		fputs(", \"name\": ", f);
		json_write(f, m->total.topics[i].name);
		fprintf(f, ", \"airings\": %" PRId64 ", \"completed\": %" PRId64
		    ", \"played_ms\": %" PRId64 "}", m->total.topics[i].airings,
		    m->total.topics[i].completed, m->total.topics[i].played_ms);
	}
	fputs("],\n  \"missing\": [", f);
	for (i = 0, n = 0; i < m->nstations; i++)
		if (m->stations[i].status == REP_MERGE_MISSING) {
			if (n++ > 0)
				fputs(", ", f);
			json_write(f, m->stations[i].code);
		}
	fputs("],\n  \"relays\": ", f);
	rep_relay_json(f, &m->total.relay);
	fputs("\n}\n", f);
}

/* HTML cells: every figure of c (empty for none). */
static void
merge_html_figures(FILE *f, enum rep_lang lang, const struct rep_coverage *c,
    const char *cell)
{
	char v[HUMAN_LEN];
	size_t i;

	for (i = 0; i < rep_nfigures; i++) {
		if (c != NULL)
			rep_figure_human(lang, &rep_figures[i], c, v);
		fprintf(f, "<%s class=\"n\">%s</%s>", cell, c != NULL ? v : "", cell);
	}
}

/* The district report as a printable A4 page. */
/* A commune's rate for the chart, in tenths of a percent (rounded down). */
struct merge_rate {
	const char *name;
	int64_t tenths;
};

/* Best first, then by name. */
static int
merge_rate_cmp(const void *a, const void *b)
{
	const struct merge_rate *x = a, *y = b;

	if (x->tenths != y->tenths)
		return x->tenths > y->tenths ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The chart of compliance per commune: the accepted stations that had
 * slots, best first, those under REP_THRESHOLD % marked, a line at it.
 */
static void
merge_chart(FILE *f, const struct rep_merge *m, enum rep_lang lang)
{
	struct merge_rate *r = xcalloc(m->nstations + 1, sizeof *r);
	const char **cats = xcalloc(m->nstations + 1, sizeof *cats);
	const char **vtext = xcalloc(m->nstations + 1, sizeof *vtext);
	double *v = xcalloc(m->nstations + 1, sizeof *v);
	unsigned char *marked = xcalloc(m->nstations + 1, 1);
	char (*buf)[2 * HUMAN_LEN] = xcalloc(m->nstations + 1, sizeof *buf);
	char pct[32], num[HUMAN_LEN], line[HUMAN_LEN];
	const struct rep_coverage *c;
	struct rep_chart ch;
	size_t i, n = 0;

	for (i = 0; i < m->nstations; i++) {
		c = &m->stations[i].cov;
		if (m->stations[i].status != REP_MERGE_OK || c->slots <= 0)
			continue;
		r[n].name = c->station.commune ? c->station.commune : merge_name(&m->stations[i]);
		r[n++].tenths = (c->aired > c->slots ? c->slots : c->aired) * 1000 / c->slots;
	}
	qsort(r, n, sizeof *r, merge_rate_cmp);
	for (i = 0; i < n; i++) {
		cats[i] = r[i].name;
		v[i] = (double)r[i].tenths / 10.0;
		marked[i] = r[i].tenths < REP_THRESHOLD * 10;
		snprintf(pct, sizeof pct, "%" PRId64 ".%" PRId64, r[i].tenths / 10,
		    r[i].tenths % 10);
		human_number(REP_HUMAN(lang), pct, num);
		snprintf(buf[i], sizeof buf[i], "%s%s%s", num, marked[i] ? " - " : "",
		    marked[i] ? rep_label(lang, RL_BELOW) : "");
		vtext[i] = buf[i];
	}
	snprintf(line, sizeof line, "%d %%", REP_THRESHOLD);
	memset(&ch, 0, sizeof ch);
	ch.title = rep_label(lang, RL_CHART_COMMUNES);
	ch.empty = rep_label(lang, RL_NO_STATIONS);
	ch.ncats = n;
	ch.cats = cats;
	ch.nseries = 1;
	ch.v = v;
	ch.vtext = vtext;
	ch.across = 1;
	ch.max = 100;
	ch.threshold = REP_THRESHOLD;
	ch.threshold_text = line;
	ch.marked = marked;
	rep_svg_chart(f, &ch);
	free(r);
	free(cats);
	free(vtext);
	free(v);
	free(marked);
	free(buf);
}

/* The district's missed slots by reason: a row per station and reason, then the total's. */
static void
merge_html_missed(FILE *f, const struct rep_merge *m, enum rep_lang lang)
{
	const struct rep_merge_station *s;
	const struct rep_count *n;
	char v[HUMAN_LEN];
	size_t pos = 0;

	fputs("<h2>2. ", f);
	rep_html_str(f, rep_label(lang, RL_MISSED_BY));
	fprintf(f, "</h2>\n<table class=\"grid\">\n<tr><th>%s</th><th>%s</th><th>%s</th>"
	    "</tr>\n", rep_label(lang, RL_CODE), rep_label(lang, RL_REASON),
	    rep_label(lang, RL_COUNT));
	while ((n = rep_merge_missed(m, &pos, &s)) != NULL) {
		fputs(s != NULL ? "<tr><td>" : "<tr><th>", f);
		rep_html_str(f, s != NULL ? s->code : rep_label(lang, RL_TOTAL));
		fputs(s != NULL ? "</td><td>" : "</th><td>", f);
		rep_html_str(f, rep_reason(lang, n->key));
		fprintf(f, "</td><td class=\"n\">%s</td></tr>\n",
		    rep_count_human(lang, n->n, v));
	}
	fputs("</table>\n", f);
}

/* The rows verification flagged, each as FILE:LINE and what is wrong with it. */
static void
merge_html_flags(FILE *f, const struct rep_merge *m, enum rep_lang lang)
{
	const struct rep_merge_station *s;
	size_t i, j, n = 0;

	fputs("<h2>5. ", f);
	rep_html_str(f, rep_label(lang, RL_FLAGGED));
	fputs("</h2>\n", f);
	for (i = 0; i < m->nstations; i++)
		n += m->stations[i].nflags;
	if (n == 0) {
		fputs("<p>", f);
		rep_html_str(f, rep_label(lang, RL_NONE));
		fputs("</p>\n", f);
		return;
	}
	fprintf(f, "<table class=\"grid\">\n<tr><th>%s</th><th>%s</th><th>%s</th>"
	    "</tr>\n", rep_label(lang, RL_CODE), rep_label(lang, RL_FILE),
	    rep_label(lang, RL_REASON));
	for (i = 0; i < m->nstations; i++) {
		s = &m->stations[i];
		for (j = 0; j < s->nflags; j++) {
			fputs("<tr><td>", f);
			rep_html_str(f, s->code);
			fputs("</td><td>", f);
			rep_html_str(f, s->file);
			fprintf(f, ":%" PRId64 "</td><td class=\"rejected\">", s->flags[j].line);
			rep_html_str(f, s->flags[j].what);
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</table>\n", f);
}

static void
merge_html(FILE *f, const struct rep_merge *m, enum rep_lang lang, int64_t now_ms)
{
	struct rep_station d = { 0 };
	const struct rep_merge_station *s;
	size_t i;

	d.name = m->district;
	d.commune = m->district;
	rep_html_begin(f, lang, &d, now_ms, RL_DISTRICT_REPORT, &m->period);
	fputs("<h2>1. ", f);
	rep_html_str(f, rep_label(lang, RL_STATIONS));
	fprintf(f, "</h2>\n<p>%s: %zu (%s: %zu, %s: %zu, %s: %zu)</p>\n",
	    rep_label(lang, RL_TRUSTED), m->nstations, rep_label(lang, RL_ACCEPTED),
	    m->accepted, rep_label(lang, RL_REJECTED), m->rejected,
	    rep_label(lang, RL_NOTHING_SENT), m->missing);
	fprintf(f, "<table class=\"grid wide\">\n<tr><th>%s</th><th>%s</th>",
	    rep_label(lang, RL_STATION), rep_label(lang, RL_STATUS));
	for (i = 0; i < rep_nfigures; i++)
		fprintf(f, "<th>%s</th>", rep_label(lang, rep_figures[i].label));
	fputs("</tr>\n", f);
	for (i = 0; i < m->nstations; i++) {
		s = &m->stations[i];
		fputs("<tr><td>", f);
		rep_html_str(f, merge_name(s));
		fputs(" (", f);
		rep_html_str(f, s->code);
		fprintf(f, ")</td><td%s>", s->status == REP_MERGE_REJECTED ?
		    " class=\"rejected\"" : "");
		rep_html_str(f, merge_status(lang, s));
		if (s->why != NULL) {
			fputs(": ", f);
			rep_html_str(f, s->why);
		}
		fputs("</td>", f);
		merge_html_figures(f, lang, merge_cov(s), "td");
		fputs("</tr>\n", f);
	}
	fprintf(f, "<tr><th>%s</th><th></th>", rep_label(lang, RL_TOTAL));
	merge_html_figures(f, lang, &m->total, "th");
	fputs("</tr>\n</table>\n", f);
	merge_chart(f, m, lang);
	merge_html_missed(f, m, lang);
	fputs("<h2>3. ", f);
	rep_html_str(f, rep_label(lang, RL_TOPICS));
	fprintf(f, "</h2>\n<table class=\"grid\">\n<thead><tr><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th></tr></thead>\n<tbody>\n", rep_label(lang, RL_TOPIC),
	    rep_label(lang, RL_AIRINGS), rep_label(lang, RL_COMPLETED),
	    rep_label(lang, RL_MINUTES));
	rep_html_topics(f, lang, m->total.topics, m->total.ntopics, 0);
	fputs("<h2>4. ", f);
	rep_html_str(f, rep_label(lang, RL_REFUSED));
	fputs("</h2>\n<p>", f);
	if (m->nrefused == 0)
		rep_html_str(f, rep_label(lang, RL_NONE));
	for (i = 0; i < m->nrefused; i++) {
		fputs("<span class=\"rejected\">", f);
		rep_html_str(f, m->refused[i].file);
		fputs("</span> (", f);
		rep_html_str(f, m->refused[i].code ? m->refused[i].code : "?");
		fputs("): ", f);
		rep_html_str(f, m->refused[i].why);
		fputs("<br/>", f);
	}
	fputs("</p>\n", f);
	merge_html_flags(f, m, lang);
	fputs("<h2>6. ", f);
	rep_html_str(f, rep_label(lang, RL_MISSING_STATIONS));
	fputs("</h2>\n<p>", f);
	if (m->missing == 0)
		rep_html_str(f, rep_label(lang, RL_NONE));
	for (i = 0; i < m->nstations; i++)
		if (m->stations[i].status == REP_MERGE_MISSING) {
			rep_html_str(f, m->stations[i].code);
			fputs("<br/>", f);
		}
	fputs("</p>\n", f);
	rep_relay_html(f, lang, &m->total.relay, 7);
	rep_html_end(f, lang, &d);
}

int
rep_merge_write(FILE *f, const struct rep_merge *m, enum rep_format fmt,
    enum rep_lang lang, int64_t now_ms, char **cause)
{
	switch (fmt) {
	case REP_TEXT:
		merge_text(f, m, lang);
		break;
	case REP_CSV:
		merge_csv(f, m, lang);
		break;
	case REP_JSON:
		merge_json(f, m);
		break;
	case REP_HTML:
		merge_html(f, m, lang, now_ms);
		break;
	case REP_XLSX:
		xasprintf(cause, _("XLSX goes to a file: use --out FILE.xlsx"));
		return -1;
	}
	if (fflush(f) != 0 || ferror(f)) {
		xasprintf(cause, _("cannot write the report"));
		return -1;
	}
	return 0;
}
