/*
 * The district merge: verify each station's signed export against the keys
 * the district trusts, compute each accepted station's coverage over its rows
 * (the same queries, on an in-memory copy), and add them up.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/json.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/internal.h"
#include "store/store.h"

/* Appends a station entry and returns it. */
static struct rep_merge_station *
merge_add(struct rep_merge *m, const char *file, const char *code, int status,
    char *why)
{
	struct rep_merge_station *s;

	m->stations = xreallocarray(m->stations, m->nstations + 1, sizeof *m->stations);
	s = &m->stations[m->nstations++];
	memset(s, 0, sizeof *s);
	s->file = file ? xstrdup(file) : NULL;
	s->code = code ? xstrdup(code) : NULL;
	s->status = status;
	s->why = why;
	if (status == REP_MERGE_REJECTED)
		m->rejected++;
	else if (status == REP_MERGE_MISSING)
		m->missing++;
	return s;
}

/* Why a verified export is refused (allocated), or NULL when it is accepted. */
static char *
merge_check(const struct config *cfg, const struct rep_verified *v,
    const struct rep_period *p, const struct rep_merge *m)
{
	const struct config_station_key *k = NULL;
	char *why;
	size_t i;

	if (!v->ok) {
		xasprintf(&why, "%s%s", v->nproblems ? v->problems[0].what :
		    "the signature does not match", v->nproblems > 1 ?
		    " (and more; run loaxa verify)" : "");
		return why;
	}
	for (i = 0; i < cfg->trust.nstations; i++)
		if (strcmp(cfg->trust.stations[i].code, v->station.code) == 0)
			k = &cfg->trust.stations[i];
	if (k == NULL) {
		xasprintf(&why, "station %s is not in trust.stations",
		    v->station.code);
		return why;
	}
	if (memcmp(k->key, v->key, 32) != 0) {
		xasprintf(&why, "signed with key %s, which is not the key "
		    "trust.stations lists for %s", v->key_b64, v->station.code);
		return why;
	}
	if (p != NULL && (strcmp(p->from, v->period.from) != 0 ||
	    strcmp(p->to, v->period.to) != 0)) {
		xasprintf(&why, "covers %s..%s, not the period %s..%s",
		    v->period.from, v->period.to, p->from, p->to);
		return why;
	}
	for (i = 0; i < m->nstations; i++)
		if (m->stations[i].status == REP_MERGE_OK &&
		    strcmp(m->stations[i].code, v->station.code) == 0) {
			xasprintf(&why, "a second export for station %s (the "
			    "first was %s)", v->station.code, m->stations[i].file);
			return why;
		}
	return NULL;
}

/* Moves the export's station identity into the coverage. */
static void
merge_identity(struct rep_coverage *c, struct rep_verified *v)
{
	free(c->station.code);
	free(c->station.name);
	free(c->station.commune);
	free(c->station.district);
	free(c->station.province);
	c->station = v->station;
	memset(&v->station, 0, sizeof v->station);
}

/* Adds an accepted station's topics into the district's. */
static void
merge_topics(struct rep_merge *m, const struct rep_coverage *c)
{
	const struct rep_topic *t;
	struct rep_topic *d;
	size_t i, j;

	for (i = 0; i < c->ntopics; i++) {
		t = &c->topics[i];
		for (j = 0; j < m->ntopics; j++) {
			d = &m->topics[j];
			if ((d->key == NULL && t->key == NULL) ||
			    (d->key != NULL && t->key != NULL && strcmp(d->key, t->key) == 0))
				break;
		}
		if (j == m->ntopics) {
			m->topics = xreallocarray(m->topics, m->ntopics + 1,
			    sizeof *m->topics);
			d = &m->topics[m->ntopics++];
			memset(d, 0, sizeof *d);
			d->key = t->key ? xstrdup(t->key) : NULL;
			d->name = t->name ? xstrdup(t->name) : NULL;
		}
		d = &m->topics[j];
		d->bulletins += t->bulletins;
		d->airings += t->airings;
		d->completed += t->completed;
		d->played_ms += t->played_ms;
	}
}

int
rep_merge(const struct config *cfg, const char *const *files, size_t nfiles,
    const struct rep_period *p, struct rep_merge *m, char **cause)
{
	struct rep_merge_station *s;
	struct rep_verified v;
	char *why, *err = NULL;
	const char *code;
	size_t i, j, len;
	int have_period = p != NULL;

	memset(m, 0, sizeof *m);
	if (p != NULL)
		m->period = *p;
	m->district = cfg->station.district ? xstrdup(cfg->station.district) : NULL;
	for (i = 0; i < nfiles; i++) {
		if (rep_verify(files[i], 1, &v, &err) != 0) {
			/* The cause names the file; the entry does already. */
			len = strlen(files[i]);
			why = xstrdup(strncmp(err, files[i], len) == 0 && err[len] == ':' ?
			    err + len + 2 : err);
			free(err);
			err = NULL;
			merge_add(m, files[i], NULL, REP_MERGE_REJECTED, why);
			continue;
		}
		if ((why = merge_check(cfg, &v, have_period ? &m->period : NULL, m)) != NULL) {
			merge_add(m, files[i], v.station.code, REP_MERGE_REJECTED, why);
			rep_verified_clear(&v);
			continue;
		}
		if (!have_period) {
			m->period = v.period;
			have_period = 1;
		}
		s = merge_add(m, files[i], v.station.code, REP_MERGE_OK, NULL);
		if (rep_coverage(store_db(v.store), cfg, &m->period, &s->cov, &err) != 0) {
			xasprintf(cause, "%s: %s", files[i], err);
			free(err);
			rep_verified_clear(&v);
			rep_merge_clear(m);
			return -1;
		}
		merge_identity(&s->cov, &v);
		rep_verified_clear(&v);
		m->slots += s->cov.slots;
		m->aired += s->cov.aired;
		m->missed += s->cov.missed;
		m->airings += s->cov.airings;
		m->completed += s->cov.completed;
		m->interrupted += s->cov.interrupted;
		m->failed += s->cov.failed;
		m->played_ms += s->cov.played_ms;
		merge_topics(m, &s->cov);
	}
	m->compliance = m->slots > 0 ? (double)m->aired / (double)m->slots : -1.0;
	if (!have_period) { /* no export was good and none was asked for */
		snprintf(m->period.label, sizeof m->period.label, "-");
		snprintf(m->period.from, sizeof m->period.from, "-");
		snprintf(m->period.to, sizeof m->period.to, "-");
	}
	/* The trusted stations that sent nothing good. */
	for (i = 0; i < cfg->trust.nstations; i++) {
		code = cfg->trust.stations[i].code;
		for (j = 0; j < m->nstations; j++)
			if (m->stations[j].status == REP_MERGE_OK &&
			    strcmp(m->stations[j].code, code) == 0)
				break;
		if (j == m->nstations)
			merge_add(m, NULL, code, REP_MERGE_MISSING, NULL);
	}
	return 0;
}

void
rep_merge_clear(struct rep_merge *m)
{
	size_t i;

	for (i = 0; i < m->nstations; i++) {
		free(m->stations[i].file);
		free(m->stations[i].code);
		free(m->stations[i].why);
		if (m->stations[i].status == REP_MERGE_OK)
			rep_coverage_clear(&m->stations[i].cov);
	}
	free(m->stations);
	for (i = 0; i < m->ntopics; i++) {
		free(m->topics[i].key);
		free(m->topics[i].name);
	}
	free(m->topics);
	free(m->district);
	memset(m, 0, sizeof *m);
}

/* --- The district report's formats --- */

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

/* The district report for the terminal. */
static void
merge_text(FILE *f, const struct rep_merge *m, enum rep_lang lang)
{
	static const char *const heads[2][6] = {
		{ "lịch", "đã phát", "bỏ lỡ", "%", "lượt", "phút" },
		{ "slots", "aired", "missed", "%", "airings", "minutes" },
	};
	const struct rep_merge_station *s;
	char pct[16], min[32];
	size_t i;

	fprintf(f, "%s\n%s: %s\n", rep_label(lang, RL_DISTRICT_REPORT),
	    rep_label(lang, RL_DISTRICT), m->district ? m->district : "-");
	rep_text_period(f, lang, &m->period);
	fputc('\n', f);
	fprintf(f, "%s\n", rep_label(lang, RL_STATIONS));
	fputs("  ", f);
	utf8_pad(f, rep_label(lang, RL_CODE), 14);
	for (i = 0; i < 6; i++) {
		fputc(' ', f);
		utf8_pad(f, "", 8 - (int)utf8_width(heads[lang == REP_EN][i]));
		fputs(heads[lang == REP_EN][i], f);
	}
	fprintf(f, "  %s\n", rep_label(lang, RL_STATUS));
	for (i = 0; i < m->nstations; i++) {
		s = &m->stations[i];
		if (s->status == REP_MERGE_OK) {
			rep_percent(s->cov.compliance, pct);
			rep_minutes(s->cov.played_ms, min);
			fprintf(f, "  %-14s %8" PRId64 " %8" PRId64 " %8" PRId64 " %8s %8"
			    PRId64 " %8s  %s (%s)\n", s->code, s->cov.slots, s->cov.aired,
			    s->cov.missed, pct, s->cov.airings, min,
			    merge_status(lang, s), merge_name(s));
		} else
			fprintf(f, "  %-14s %8s %8s %8s %8s %8s %8s  %s%s%s%s%s\n",
			    s->code ? s->code : "?", "-", "-", "-", "-", "-", "-",
			    merge_status(lang, s), s->file ? ": " : "",
			    s->file ? s->file : "", s->why ? ": " : "", s->why ? s->why : "");
	}
	rep_percent(m->compliance, pct);
	rep_minutes(m->played_ms, min);
	fputs("  ", f);
	utf8_pad(f, rep_label(lang, RL_TOTAL), 14);
	fprintf(f, " %8" PRId64 " %8" PRId64 " %8" PRId64 " %8s %8" PRId64 " %8s\n",
	    m->slots, m->aired, m->missed, pct, m->airings, min);
	fprintf(f, "\n%s\n", rep_label(lang, RL_TOPICS));
	if (m->ntopics == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
	for (i = 0; i < m->ntopics; i++) {
		rep_minutes(m->topics[i].played_ms, min);
		fprintf(f, "  %8" PRId64 " %s  %9s %s  %s\n", m->topics[i].airings,
		    rep_label(lang, RL_AIRINGS), min, rep_label(lang, RL_MINUTES),
		    m->topics[i].name ? m->topics[i].name : rep_label(lang, RL_NO_TOPIC));
	}
	fprintf(f, "\n%s\n", rep_label(lang, RL_MISSING_STATIONS));
	if (m->missing == 0)
		fprintf(f, "  %s\n", rep_label(lang, RL_NONE));
	for (i = 0; i < m->nstations; i++)
		if (m->stations[i].status == REP_MERGE_MISSING)
			fprintf(f, "  %s\n", m->stations[i].code);
}

/* One CSV row per station, then the totals, topics and missing stations. */
static void
merge_csv(FILE *f, const struct rep_merge *m, enum rep_lang lang)
{
	static const enum rep_label cols[] = { RL_CODE, RL_STATION, RL_COMMUNE,
		RL_STATUS, RL_SCHEDULED, RL_AIRED, RL_MISSED, RL_COMPLIANCE, RL_AIRINGS,
		RL_COMPLETED, RL_INTERRUPTED, RL_FAILED, RL_MINUTES, RL_QUOTAS, RL_REASON };
	const struct rep_merge_station *s;
	char pct[16], min[32];
	size_t i;

	fputs("\xef\xbb\xbf", f);
	csv_str(f, rep_label(lang, RL_PERIOD));
	fputc(',', f);
	csv_str(f, m->period.label);
	fprintf(f, ",%s,%s\r\n\r\n", m->period.from, m->period.to);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		if (i)
			fputc(',', f);
		csv_str(f, rep_label(lang, cols[i]));
	}
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
		if (s->status == REP_MERGE_OK) {
			rep_percent(s->cov.compliance, pct);
			rep_minutes(s->cov.played_ms, min);
			fprintf(f, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%s,%" PRId64 ",%"
			    PRId64 ",%" PRId64 ",%" PRId64 ",%s,%" PRId64 "/%" PRId64 ",",
			    s->cov.slots, s->cov.aired, s->cov.missed, pct, s->cov.airings,
			    s->cov.completed, s->cov.interrupted, s->cov.failed, min,
			    s->cov.quotas_met, s->cov.quotas);
		} else
			fputs(",,,,,,,,,,,", f);
		csv_str(f, s->why);
		fputs("\r\n", f);
	}
	rep_percent(m->compliance, pct);
	rep_minutes(m->played_ms, min);
	csv_str(f, rep_label(lang, RL_TOTAL));
	fprintf(f, ",,,,%" PRId64 ",%" PRId64 ",%" PRId64 ",%s,%" PRId64 ",%" PRId64 ",%"
	    PRId64 ",%" PRId64 ",%s,,\r\n\r\n", m->slots, m->aired, m->missed, pct,
	    m->airings, m->completed, m->interrupted, m->failed, min);
	csv_str(f, rep_label(lang, RL_TOPIC));
	fputc(',', f);
	csv_str(f, rep_label(lang, RL_AIRINGS));
	fputc(',', f);
	csv_str(f, rep_label(lang, RL_MINUTES));
	fputs("\r\n", f);
	for (i = 0; i < m->ntopics; i++) {
		rep_minutes(m->topics[i].played_ms, min);
		csv_str(f, m->topics[i].name ? m->topics[i].name :
		    rep_label(lang, RL_NO_TOPIC));
		fprintf(f, ",%" PRId64 ",%s\r\n", m->topics[i].airings, min);
	}
}

/* The district report as one JSON object. */
static void
merge_json(FILE *f, const struct rep_merge *m)
{
	const struct rep_merge_station *s;
	static const char *const status[] = { "ok", "rejected", "missing" };
	size_t i, n;

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
		if (s->status == REP_MERGE_OK) {
			fputs(", \"name\": ", f);
			json_write(f, s->cov.station.name);
			fputs(", \"commune\": ", f);
			json_write(f, s->cov.station.commune);
			fprintf(f, ", \"slots\": %" PRId64 ", \"aired\": %" PRId64
			    ", \"missed\": %" PRId64 ", \"compliance\": ", s->cov.slots,
			    s->cov.aired, s->cov.missed);
			if (s->cov.compliance < 0)
				fputs("null", f);
			else
				fprintf(f, "%.4f", s->cov.compliance);
			fprintf(f, ", \"airings\": %" PRId64 ", \"completed\": %" PRId64
			    ", \"interrupted\": %" PRId64 ", \"failed\": %" PRId64
			    ", \"played_ms\": %" PRId64 ", \"quotas\": {\"required\": %"
			    PRId64 ", \"met\": %" PRId64 "}", s->cov.airings,
			    s->cov.completed, s->cov.interrupted, s->cov.failed,
			    s->cov.played_ms, s->cov.quotas, s->cov.quotas_met);
		}
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"totals\": {\"stations\": %zu, \"rejected\": %zu, "
	    "\"missing\": %zu, \"slots\": %" PRId64 ", \"aired\": %" PRId64 ", \"missed\": %"
	    PRId64 ", \"compliance\": ", m->nstations - m->rejected - m->missing,
	    m->rejected, m->missing, m->slots, m->aired, m->missed);
	if (m->compliance < 0)
		fputs("null", f);
	else
		fprintf(f, "%.4f", m->compliance);
	fprintf(f, ", \"airings\": %" PRId64 ", \"completed\": %" PRId64 ", \"interrupted\": %"
	    PRId64 ", \"failed\": %" PRId64 ", \"played_ms\": %" PRId64 "},\n  \"topics\": [",
	    m->airings, m->completed, m->interrupted, m->failed, m->played_ms);
	for (i = 0; i < m->ntopics; i++) {
		fputs(i ? ", {\"key\": " : "{\"key\": ", f);
		json_write(f, m->topics[i].key);
		fputs(", \"name\": ", f);
		json_write(f, m->topics[i].name);
		fprintf(f, ", \"airings\": %" PRId64 ", \"played_ms\": %" PRId64 "}",
		    m->topics[i].airings, m->topics[i].played_ms);
	}
	fputs("],\n  \"missing\": [", f);
	for (i = 0, n = 0; i < m->nstations; i++)
		if (m->stations[i].status == REP_MERGE_MISSING) {
			if (n++ > 0)
				fputs(", ", f);
			json_write(f, m->stations[i].code);
		}
	fputs("]\n}\n", f);
}

/* The district report as a printable A4 page. */
static void
merge_html(FILE *f, const struct rep_merge *m, enum rep_lang lang, int64_t now_ms)
{
	struct rep_station d = { 0 };
	const struct rep_merge_station *s;
	char pct[16], min[32];
	size_t i;

	d.name = m->district;
	d.commune = m->district;
	rep_html_begin(f, lang, &d, now_ms, RL_DISTRICT_REPORT, &m->period);
	fputs("<h2>1. ", f);
	rep_html_str(f, rep_label(lang, RL_STATIONS));
	fprintf(f, "</h2>\n<table class=\"grid\">\n<tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
	    rep_label(lang, RL_STATION), rep_label(lang, RL_STATUS),
	    rep_label(lang, RL_SCHEDULED), rep_label(lang, RL_AIRED),
	    rep_label(lang, RL_MISSED), rep_label(lang, RL_COMPLIANCE),
	    rep_label(lang, RL_AIRINGS), rep_label(lang, RL_MINUTES));
	for (i = 0; i < m->nstations; i++) {
		s = &m->stations[i];
		fputs("<tr><td>", f);
		rep_html_str(f, merge_name(s));
		fputs(" (", f);
		rep_html_str(f, s->code ? s->code : "?");
		fprintf(f, ")</td><td%s>", s->status == REP_MERGE_REJECTED ?
		    " class=\"rejected\"" : "");
		rep_html_str(f, merge_status(lang, s));
		if (s->why != NULL) {
			fputs(": ", f);
			rep_html_str(f, s->why);
		}
		if (s->status == REP_MERGE_OK) {
			rep_percent(s->cov.compliance, pct);
			rep_minutes(s->cov.played_ms, min);
			fprintf(f, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%"
			    PRId64 "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%s"
			    "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%s</td></tr>\n",
			    s->cov.slots, s->cov.aired, s->cov.missed, pct, s->cov.airings, min);
		} else
			fputs("</td><td></td><td></td><td></td><td></td><td></td><td></td>"
			    "</tr>\n", f);
	}
	rep_percent(m->compliance, pct);
	rep_minutes(m->played_ms, min);
	fprintf(f, "<tr><th>%s</th><th></th><th>%" PRId64 "</th><th>%" PRId64 "</th><th>%"
	    PRId64 "</th><th>%s</th><th>%" PRId64 "</th><th>%s</th></tr>\n</table>\n",
	    rep_label(lang, RL_TOTAL), m->slots, m->aired, m->missed, pct, m->airings, min);
	fputs("<h2>2. ", f);
	rep_html_str(f, rep_label(lang, RL_TOPICS));
	fprintf(f, "</h2>\n<table class=\"grid\">\n<tr><th>%s</th><th>%s</th><th>%s</th>"
	    "</tr>\n", rep_label(lang, RL_TOPIC), rep_label(lang, RL_AIRINGS),
	    rep_label(lang, RL_MINUTES));
	for (i = 0; i < m->ntopics; i++) {
		rep_minutes(m->topics[i].played_ms, min);
		fputs("<tr><td>", f);
		rep_html_str(f, m->topics[i].name ? m->topics[i].name :
		    rep_label(lang, RL_NO_TOPIC));
		fprintf(f, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%s</td>"
		    "</tr>\n", m->topics[i].airings, min);
	}
	fputs("</table>\n<h2>3. ", f);
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
		xasprintf(cause, "XLSX goes to a file: use --out FILE.xlsx");
		return -1;
	}
	if (fflush(f) != 0 || ferror(f)) {
		xasprintf(cause, "cannot write the report");
		return -1;
	}
	return 0;
}
