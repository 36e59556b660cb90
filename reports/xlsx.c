/*
 * The coverage and district reports as XLSX workbooks, through libxlsxwriter.
 *
 * libxlsxwriter is opened with dlopen when a workbook is written, not linked:
 * it brings OpenSSL's libcrypto, about 1.6 MB resident in every process that
 * maps it, and the scheduler daemon, which never writes a workbook, must stay
 * under 10 MB. The header still gives the types and the prototypes that the
 * table below takes its types from.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "common/file.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "reports/internal.h"

#define XLSX_SONAME "libxlsxwriter.so.4" /* Debian 12's libxlsxwriter4 */

/* The functions used here, each with the type of its prototype. */
#define XLSX_FUNCS(X) \
	X(workbook_new) X(workbook_close) X(workbook_add_worksheet) \
	X(workbook_add_format) X(format_set_bold) X(format_set_bg_color) \
	X(format_set_border) X(format_set_font_size) X(format_set_num_format) \
	X(worksheet_set_column) X(worksheet_write_string) \
	X(worksheet_write_number) X(lxw_strerror) \
	X(workbook_add_chart) X(chart_add_series) X(chart_series_set_categories) \
	X(chart_series_set_values) X(chart_series_set_name) X(chart_title_set_name) \
	X(chart_axis_set_name) X(chart_axis_set_num_format) X(chart_axis_set_max) \
	X(chart_axis_set_min) X(chart_legend_set_position) X(worksheet_insert_chart_opt)

static struct {
#define XLSX_FIELD(f) __typeof__(&f) f;
	XLSX_FUNCS(XLSX_FIELD)
#undef XLSX_FIELD
} xlsx;
static const char *xlsx_error;
static pthread_once_t xlsx_once = PTHREAD_ONCE_INIT;

static void
xlsx_load_once(void)
{
	void *h = dlopen(XLSX_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		xlsx_error = dlerror();
		return;
	}
#define XLSX_SYM(f) \
	if (xlsx_error == NULL && (*(void **)&xlsx.f = dlsym(h, #f)) == NULL) \
		xlsx_error = dlerror();
	XLSX_FUNCS(XLSX_SYM)
#undef XLSX_SYM
}

/* Loads libxlsxwriter once; -1 with *cause when it cannot. */
static int
xlsx_load(char **cause)
{
	pthread_once(&xlsx_once, xlsx_load_once);
	if (xlsx_error != NULL) {
		xasprintf(cause, _("XLSX output needs %s (apt-get install libxlsxwriter4): %s"),
		    XLSX_SONAME, xlsx_error);
		return -1;
	}
	return 0;
}

/* From here on, every call goes through the table. */
#define workbook_new xlsx.workbook_new
#define workbook_close xlsx.workbook_close
#define workbook_add_worksheet xlsx.workbook_add_worksheet
#define workbook_add_format xlsx.workbook_add_format
#define format_set_bold xlsx.format_set_bold
#define format_set_bg_color xlsx.format_set_bg_color
#define format_set_border xlsx.format_set_border
#define format_set_font_size xlsx.format_set_font_size
#define format_set_num_format xlsx.format_set_num_format
#define worksheet_set_column xlsx.worksheet_set_column
#define worksheet_write_string xlsx.worksheet_write_string
#define worksheet_write_number xlsx.worksheet_write_number
#define lxw_strerror xlsx.lxw_strerror
#define workbook_add_chart xlsx.workbook_add_chart
#define chart_add_series xlsx.chart_add_series
#define chart_series_set_categories xlsx.chart_series_set_categories
#define chart_series_set_values xlsx.chart_series_set_values
#define chart_series_set_name xlsx.chart_series_set_name
#define chart_title_set_name xlsx.chart_title_set_name
#define chart_axis_set_name xlsx.chart_axis_set_name
#define chart_axis_set_num_format xlsx.chart_axis_set_num_format
#define chart_axis_set_max xlsx.chart_axis_set_max
#define chart_axis_set_min xlsx.chart_axis_set_min
#define chart_legend_set_position xlsx.chart_legend_set_position
#define worksheet_insert_chart_opt xlsx.worksheet_insert_chart_opt

/* A workbook being written to a temporary file beside its destination. */
struct xl {
	lxw_workbook *wb;
	lxw_format *bold, *title, *pct, *min, *count, *when;
	char *tmp;
};

/* Starts a workbook for path; -1 with *cause. */
static int
xl_open(struct xl *x, const char *path, char **cause)
{
	int fd;

	memset(x, 0, sizeof *x);
	if (xlsx_load(cause) != 0)
		return -1;
	if ((fd = file_tmp_open(path, NULL, 0666, &x->tmp, cause)) < 0)
		return -1;
	close(fd);
	if ((x->wb = workbook_new(x->tmp)) == NULL) {
		xasprintf(cause, _("cannot start the workbook"));
		unlink(x->tmp);
		free(x->tmp);
		return -1;
	}
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	format_set_bg_color(x->bold, 0xEEEEEE);
	format_set_border(x->bold, LXW_BORDER_THIN);
	x->title = workbook_add_format(x->wb);
	format_set_bold(x->title);
	format_set_font_size(x->title, 14);
	/*
	 * Numbers stay numbers: the formats group thousands and show one
	 * decimal, and a spreadsheet in a Vietnamese locale writes them with its
	 * separators (1.234,5); times are date cells shown dd/mm/yyyy hh:mm.
	 */
	x->pct = workbook_add_format(x->wb);
	format_set_num_format(x->pct, "0.0%");
	x->min = workbook_add_format(x->wb);
	format_set_num_format(x->min, "#,##0.0");
	x->count = workbook_add_format(x->wb);
	format_set_num_format(x->count, "#,##0");
	x->when = workbook_add_format(x->wb);
	format_set_num_format(x->when, "dd/mm/yyyy hh:mm");
	return 0;
}

/* Closes the workbook and renames it into place; -1 with *cause. */
static int
xl_close(struct xl *x, const char *path, char **cause)
{
	lxw_error e = workbook_close(x->wb);
	int rc = 0;

	if (e != LXW_NO_ERROR) {
		xasprintf(cause, _("cannot write the workbook: %s"), lxw_strerror(e));
		rc = -1;
		unlink(x->tmp);
	} else if (file_tmp_commit(-1, x->tmp, path, cause) != 0)
		rc = -1;
	free(x->tmp);
	return rc;
}

/* Writes a string cell (nothing for NULL). */
static void
xl_str(lxw_worksheet *ws, int r, int c, const char *s, lxw_format *f)
{
	if (s != NULL)
		worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s, f);
}

/* Writes a number cell. */
static void
xl_num(lxw_worksheet *ws, int r, int c, double v, lxw_format *f)
{
	worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, v, f);
}

/*
 * Writes ms as a date cell: days since 1899-12-30 in local time (what a
 * spreadsheet calls a date), shown dd/mm/yyyy hh:mm.
 */
static void
xl_when(struct xl *x, lxw_worksheet *ws, int r, int c, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	xl_num(ws, r, c, (double)(ms + (int64_t)tm.tm_gmtoff * 1000) / 86400000.0 +
	    25569.0, x->when);
}

/* A chart of type under title, its series to come. */
static lxw_chart *
xl_chart(struct xl *x, uint8_t type, const char *title)
{
	lxw_chart *ch = workbook_add_chart(x->wb, type);

	chart_title_set_name(ch, title);
	return ch;
}

/* Places chart ch, with its series, on ws beside the figures, from row r. */
static void
xl_chart_put(lxw_worksheet *ws, lxw_chart *ch, int r)
{
	lxw_chart_options o = { .x_offset = 0, .y_offset = 0, .x_scale = 1.4,
		.y_scale = 1.2 };

	worksheet_insert_chart_opt(ws, (lxw_row_t)r, 8, ch, &o);
}

/*
 * The charts sheet: the figures per month (and per topic) as cells, and
 * native charts over them: airings per month by topic (stacked), the
 * compliance rate per month, minutes per topic. With nothing to show, the
 * charts stay, empty, under a title that says so.
 */
static void
xl_charts(struct xl *x, const struct rep_coverage *c, enum rep_lang lang)
{
	const char *sheet = lang == REP_EN ? "Charts" : "Biểu đồ";
	const int nm = (int)c->nmonths, nt = (int)c->ntopics, t0 = nm + 3;
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, sheet);
	lxw_chart_series *se;
	lxw_chart *ch;
	char m[HUMAN_LEN], *title;
	int i, k;

	worksheet_set_column(ws, 0, 0, 14, NULL);
	worksheet_set_column(ws, 1, (lxw_col_t)(nt + 3), 14, NULL);
	xl_str(ws, 0, 0, rep_label(lang, RL_MONTH), x->bold);
	xl_str(ws, 0, 1, rep_label(lang, RL_SCHEDULED), x->bold);
	xl_str(ws, 0, 2, rep_label(lang, RL_AIRED), x->bold);
	xl_str(ws, 0, 3, rep_label(lang, RL_COMPLIANCE), x->bold);
	xl_str(ws, 0, 4, rep_label(lang, RL_AIRINGS), x->bold);
	for (k = 0; k < nt; k++)
		xl_str(ws, 0, 5 + k, c->topics[k].name ? c->topics[k].name :
		    rep_label(lang, RL_NO_TOPIC), x->bold);
	for (i = 0; i < nm; i++) {
		const struct rep_month *mo = &c->months[i];

		xl_str(ws, i + 1, 0, rep_month_human(lang, mo->month, m), NULL);
		xl_num(ws, i + 1, 1, (double)mo->slots, x->count);
		xl_num(ws, i + 1, 2, (double)mo->aired, x->count);
		if (mo->slots > 0)
			xl_num(ws, i + 1, 3, (double)(mo->aired * 1000 / mo->slots) / 1000.0,
			    x->pct);
		xl_num(ws, i + 1, 4, (double)mo->airings, x->count);
		for (k = 0; k < nt; k++)
			xl_num(ws, i + 1, 5 + k, (double)mo->topic_airings[k], x->count);
	}
	xl_str(ws, t0, 0, rep_label(lang, RL_TOPIC), x->bold);
	xl_str(ws, t0, 1, rep_label(lang, RL_MINUTES), x->bold);
	for (k = 0; k < nt; k++) {
		xl_str(ws, t0 + 1 + k, 0, c->topics[k].name ? c->topics[k].name :
		    rep_label(lang, RL_NO_TOPIC), NULL);
		xl_num(ws, t0 + 1 + k, 1, rep_minutes_value(c->topics[k].played_ms), x->min);
	}

	xasprintf(&title, "%s%s%s", rep_label(lang, RL_CHART_MONTHS),
	    c->airings > 0 ? "" : " - ", c->airings > 0 ? "" :
	    rep_label(lang, RL_NO_AIRINGS));
	ch = xl_chart(x, LXW_CHART_COLUMN_STACKED, title);
	free(title);
	for (k = 0; k < (nt > 0 ? nt : 1); k++) {
		se = chart_add_series(ch, NULL, NULL);
		chart_series_set_categories(se, sheet, 1, 0, (lxw_row_t)(nm > 0 ? nm : 1), 0);
		chart_series_set_values(se, sheet, 1, (lxw_col_t)(nt > 0 ? 5 + k : 4),
		    (lxw_row_t)(nm > 0 ? nm : 1), (lxw_col_t)(nt > 0 ? 5 + k : 4));
		chart_series_set_name(se, nt > 0 && c->topics[k].name ? c->topics[k].name :
		    rep_label(lang, nt > 0 ? RL_NO_TOPIC : RL_AIRINGS));
	}
	chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
	xl_chart_put(ws, ch, 0);

	xasprintf(&title, "%s%s%s", rep_label(lang, RL_CHART_RATE),
	    c->slots > 0 ? "" : " - ", c->slots > 0 ? "" : rep_label(lang, RL_NO_SLOTS));
	ch = xl_chart(x, LXW_CHART_COLUMN, title);
	free(title);
	se = chart_add_series(ch, NULL, NULL);
	chart_series_set_categories(se, sheet, 1, 0, (lxw_row_t)(nm > 0 ? nm : 1), 0);
	chart_series_set_values(se, sheet, 1, 3, (lxw_row_t)(nm > 0 ? nm : 1), 3);
	chart_series_set_name(se, rep_label(lang, RL_COMPLIANCE));
	chart_axis_set_min(ch->y_axis, 0);
	chart_axis_set_max(ch->y_axis, 1);
	chart_axis_set_num_format(ch->y_axis, "0%");
	chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
	xl_chart_put(ws, ch, 18);

	xasprintf(&title, "%s%s%s", rep_label(lang, RL_CHART_TOPICS),
	    c->airings > 0 ? "" : " - ", c->airings > 0 ? "" :
	    rep_label(lang, RL_NO_AIRINGS));
	ch = xl_chart(x, LXW_CHART_BAR, title);
	free(title);
	se = chart_add_series(ch, NULL, NULL);
	chart_series_set_categories(se, sheet, (lxw_row_t)(t0 + 1), 0,
	    (lxw_row_t)(t0 + (nt > 0 ? nt : 1)), 0);
	chart_series_set_values(se, sheet, (lxw_row_t)(t0 + 1), 1,
	    (lxw_row_t)(t0 + (nt > 0 ? nt : 1)), 1);
	chart_series_set_name(se, rep_label(lang, RL_MINUTES));
	chart_axis_set_num_format(ch->x_axis, "#,##0");
	chart_axis_set_name(ch->y_axis, rep_label(lang, RL_TOPIC));
	chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
	xl_chart_put(ws, ch, 36);
}

/* Writes a figure of c as a number cell (a rate rounded down; none without slots). */
static void
xl_figure(struct xl *x, lxw_worksheet *ws, int r, int col, const struct rep_figure *fig,
    const struct rep_coverage *c)
{
	int64_t of = 0, n = fig->get(c, &of);

	switch (fig->kind) {
	case RF_COUNT:
		xl_num(ws, r, col, (double)n, x->count);
		break;
	case RF_RATE:
		/* In thousandths, rounded down, so that 0.0% shows no better rate. */
		if (of > 0)
			xl_num(ws, r, col, (double)((n > of ? of : n) * 1000 / of) / 1000.0,
			    x->pct);
		break;
	case RF_MINUTES:
		xl_num(ws, r, col, rep_minutes_value(n), x->min);
		break;
	}
}

/* A header row of labels. */
static void
xl_head(struct xl *x, lxw_worksheet *ws, int r, enum rep_lang lang,
    const enum rep_label *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		xl_str(ws, r, (int)i, rep_label(lang, cols[i]), x->bold);
}

/* Rows of counts (reason, count, minutes) under a heading; returns the next row. */
static int
xl_counts(struct xl *x, lxw_worksheet *ws, int r, enum rep_lang lang,
    enum rep_label title, const struct rep_count *v, size_t n)
{
	static const enum rep_label cols[] = { RL_REASON, RL_COUNT, RL_MINUTES };
	size_t i;

	xl_str(ws, r++, 0, rep_label(lang, title), x->title);
	xl_head(x, ws, r++, lang, cols, 3);
	for (i = 0; i < n; i++, r++) {
		xl_str(ws, r, 0, rep_reason(lang, v[i].key), NULL);
		xl_num(ws, r, 1, (double)v[i].n, x->count);
		xl_num(ws, r, 2, rep_minutes_value(v[i].played_ms), x->min);
	}
	return r + 1;
}

/* Hours of ms as the other formats write them: two decimals, rounded down. */
static double
xl_hours(int64_t ms)
{
	return (double)(ms / 36000) / 100.0;
}

/* The sheet "Tiếp sóng": per source and in all, then the interruptions by reason. */
static void
xl_relay(struct xl *x, const struct rep_relay *rl, enum rep_lang lang)
{
	static const enum rep_label cols[] = { RL_SOURCE, RL_PLANNED_HOURS,
		RL_RELAYED_HOURS, RL_GAPS, RL_GAP_MINUTES };
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, rep_label(lang, RL_RELAY));
	const struct rep_relay_source *s;
	size_t i;
	int r = 0;

	worksheet_set_column(ws, 0, 0, 36, NULL);
	worksheet_set_column(ws, 1, 4, 16, NULL);
	xl_str(ws, r++, 0, rep_label(lang, RL_RELAY), x->title);
	xl_head(x, ws, r++, lang, cols, sizeof cols / sizeof cols[0]);
	for (i = 0; i <= rl->nsources; i++, r++) {
		s = i < rl->nsources ? &rl->sources[i] : NULL;
		xl_str(ws, r, 0, s ? s->source : rep_label(lang, RL_TOTAL), s ? NULL : x->bold);
		xl_num(ws, r, 1, xl_hours(s ? s->planned_ms : rl->planned_ms), NULL);
		xl_num(ws, r, 2, xl_hours(s ? s->relayed_ms : rl->relayed_ms), NULL);
		xl_num(ws, r, 3, (double)(s ? s->interruptions : rl->interruptions), x->count);
		xl_num(ws, r, 4, rep_minutes_value(s ? s->interrupted_ms :
		    rl->interrupted_ms), x->min);
	}
	xl_counts(x, ws, r + 1, lang, RL_GAPS, rl->by_reason, rl->nby_reason);
}

int
rep_write_xlsx(const char *path, const struct rep_coverage *c, enum rep_lang lang,
    char **cause)
{
	static const enum rep_label tcols[] = { RL_TOPIC, RL_NBULLETINS, RL_AIRINGS,
		RL_COMPLETED, RL_MINUTES };
	static const enum rep_label bcols[] = { RL_BULLETIN, RL_TITLE, RL_PRODUCER,
		RL_TOPIC, RL_AIRINGS, RL_COMPLETED, RL_MINUTES, RL_MIN, RL_MET, RL_FIRST,
		RL_LAST };
	const struct rep_figure *fig;
	const struct rep_bulletin *b;
	lxw_worksheet *ws;
	struct xl x;
	size_t i;
	int r = 0;

	if (xl_open(&x, path, cause) != 0)
		return -1;
	ws = workbook_add_worksheet(x.wb, lang == REP_EN ? "Summary" : "Tổng hợp");
	worksheet_set_column(ws, 0, 0, 36, NULL);
	worksheet_set_column(ws, 1, 3, 16, NULL);
	xl_str(ws, r++, 0, rep_label(lang, RL_REPORT), x.title);
	xl_str(ws, r, 0, rep_label(lang, RL_STATION), NULL);
	xl_str(ws, r++, 1, c->station.name, NULL);
	xl_str(ws, r, 0, rep_label(lang, RL_CODE), NULL);
	xl_str(ws, r++, 1, c->station.code, NULL);
	xl_str(ws, r, 0, rep_label(lang, RL_COMMUNE), NULL);
	xl_str(ws, r++, 1, c->station.commune, NULL);
	xl_str(ws, r, 0, rep_label(lang, RL_DISTRICT), NULL);
	xl_str(ws, r++, 1, c->station.district, NULL);
	xl_str(ws, r, 0, rep_label(lang, RL_PROVINCE), NULL);
	xl_str(ws, r++, 1, c->station.province, NULL);
	xl_str(ws, r, 0, rep_label(lang, RL_PERIOD), NULL);
	xl_str(ws, r, 1, c->period.label, NULL);
	xl_str(ws, r, 2, c->period.from, NULL);
	xl_str(ws, r++, 3, c->period.to, NULL);
	r++;
	for (i = 0; i < rep_nfigures; i++) {
		fig = &rep_figures[i];
		if (i == 0 || fig->section != rep_figures[i - 1].section)
			xl_str(ws, r++, 0, rep_label(lang, fig->section), x.title);
		xl_str(ws, r, 0, rep_label(lang, fig->label), NULL);
		xl_figure(&x, ws, r++, 1, fig, c);
	}
	r++;
	r = xl_counts(&x, ws, r, lang, RL_MISSED_BY, c->missed_by, c->nmissed_by);
	r = xl_counts(&x, ws, r, lang, RL_INTERRUPTIONS, c->interruptions,
	    c->ninterruptions);
	xl_counts(&x, ws, r, lang, RL_FAILURES, c->failures, c->nfailures);

	ws = workbook_add_worksheet(x.wb, lang == REP_EN ? "Topics" : "Chủ đề");
	worksheet_set_column(ws, 0, 0, 60, NULL);
	xl_head(&x, ws, 0, lang, tcols, 5);
	for (i = 0; i < c->ntopics; i++) {
		r = (int)i + 1;
		xl_str(ws, r, 0, c->topics[i].name ? c->topics[i].name :
		    rep_label(lang, RL_NO_TOPIC), NULL);
		xl_num(ws, r, 1, (double)c->topics[i].bulletins, x.count);
		xl_num(ws, r, 2, (double)c->topics[i].airings, x.count);
		xl_num(ws, r, 3, (double)c->topics[i].completed, x.count);
		xl_num(ws, r, 4, rep_minutes_value(c->topics[i].played_ms), x.min);
	}

	ws = workbook_add_worksheet(x.wb, lang == REP_EN ? "Bulletins" : "Bản tin");
	worksheet_set_column(ws, 1, 3, 36, NULL);
	worksheet_set_column(ws, 9, 10, 30, NULL);
	xl_head(&x, ws, 0, lang, bcols, sizeof bcols / sizeof bcols[0]);
	for (i = 0; i < c->nbulletins; i++) {
		b = &c->bulletins[i];
		r = (int)i + 1;
		xl_num(ws, r, 0, (double)b->id, NULL);
		xl_str(ws, r, 1, b->title, NULL);
		xl_str(ws, r, 2, b->agency, NULL);
		xl_str(ws, r, 3, b->topic_name, NULL);
		xl_num(ws, r, 4, (double)b->airings, x.count);
		xl_num(ws, r, 5, (double)b->completed, x.count);
		xl_num(ws, r, 6, rep_minutes_value(b->played_ms), x.min);
		xl_num(ws, r, 7, b->min_airings, NULL);
		if (b->min_airings > 0)
			xl_str(ws, r, 8, rep_label(lang, b->met ? RL_YES : RL_NO), NULL);
		if (b->first_ms) {
			xl_when(&x, ws, r, 9, b->first_ms);
			xl_when(&x, ws, r, 10, b->last_ms);
		}
	}
	xl_charts(&x, c, lang);
	xl_relay(&x, &c->relay, lang);
	return xl_close(&x, path, cause);
}

/* A row of the district's stations: every figure of c from column 3 (none: empty). */
static void
xl_merge_figures(struct xl *x, lxw_worksheet *ws, int r, const struct rep_coverage *c)
{
	size_t i;

	for (i = 0; c != NULL && i < rep_nfigures; i++)
		xl_figure(x, ws, r, 3 + (int)i, &rep_figures[i], c);
}

int
rep_merge_write_xlsx(const char *path, const struct rep_merge *m, enum rep_lang lang,
    char **cause)
{
	static const enum rep_label cols[] = { RL_CODE, RL_STATION, RL_STATUS };
	static const enum rep_label rcols[] = { RL_FILE, RL_CODE, RL_REASON };
	static const enum rep_label tcols[] = { RL_TOPIC, RL_AIRINGS, RL_COMPLETED,
		RL_MINUTES };
	static const enum rep_label mcols[] = { RL_CODE, RL_REASON, RL_COUNT };
	static const enum rep_label fcols[] = { RL_CODE, RL_FILE, RL_REASON };
	static const enum rep_label counts[] = { RL_TRUSTED, RL_ACCEPTED, RL_REJECTED,
		RL_NOTHING_SENT };
	const size_t nc = sizeof cols / sizeof cols[0], why = nc + rep_nfigures;
	const struct rep_merge_station *s;
	const struct rep_merge_refused *rf;
	const struct rep_count *mc;
	char *where;
	size_t i, j, pos = 0, n[4] = { m->nstations, m->accepted, m->rejected,
		m->missing };
	lxw_worksheet *ws;
	struct xl x;
	int r = 0;

	if (xl_open(&x, path, cause) != 0)
		return -1;
	ws = workbook_add_worksheet(x.wb, lang == REP_EN ? "Stations" : "Các đài");
	worksheet_set_column(ws, 0, 0, 16, NULL);
	worksheet_set_column(ws, 1, 2, 36, NULL);
	worksheet_set_column(ws, (lxw_col_t)why, (lxw_col_t)why, 60, NULL);
	xl_str(ws, r++, 0, rep_label(lang, RL_DISTRICT_REPORT), x.title);
	xl_str(ws, r, 0, rep_label(lang, RL_DISTRICT), NULL);
	xl_str(ws, r++, 1, m->district, NULL);
	xl_str(ws, r, 0, rep_label(lang, RL_PERIOD), NULL);
	xl_str(ws, r, 1, m->period.label, NULL);
	xl_str(ws, r, 2, m->period.from, NULL);
	xl_str(ws, r++, 3, m->period.to, NULL);
	for (i = 0; i < 4; i++, r++) {
		xl_str(ws, r, 0, rep_label(lang, counts[i]), NULL);
		xl_num(ws, r, 1, (double)n[i], NULL);
	}
	r++;
	xl_head(&x, ws, r, lang, cols, nc);
	for (i = 0; i < rep_nfigures; i++)
		xl_str(ws, r, (int)(nc + i), rep_label(lang, rep_figures[i].label), x.bold);
	xl_str(ws, r++, (int)why, rep_label(lang, RL_REASON), x.bold);
	for (i = 0; i < m->nstations; i++, r++) {
		s = &m->stations[i];
		xl_str(ws, r, 0, s->code, NULL);
		xl_str(ws, r, 2, rep_label(lang, s->status == REP_MERGE_OK ? RL_ACCEPTED :
		    s->status == REP_MERGE_REJECTED ? RL_REJECTED : RL_NOTHING_SENT), NULL);
		xl_str(ws, r, (int)why, s->why, NULL);
		if (s->status != REP_MERGE_OK)
			continue;
		xl_str(ws, r, 1, s->cov.station.name, NULL);
		xl_merge_figures(&x, ws, r, &s->cov);
	}
	xl_str(ws, r, 0, rep_label(lang, RL_TOTAL), x.bold);
	xl_merge_figures(&x, ws, r, &m->total);
	r += 2;
	xl_str(ws, r++, 0, rep_label(lang, RL_MISSED_BY), x.title);
	xl_head(&x, ws, r++, lang, mcols, 3);
	for (; (mc = rep_merge_missed(m, &pos, &s)) != NULL; r++) {
		xl_str(ws, r, 0, s != NULL ? s->code : rep_label(lang, RL_TOTAL),
		    s != NULL ? NULL : x.bold);
		xl_str(ws, r, 1, rep_reason(lang, mc->key), NULL);
		xl_num(ws, r, 2, (double)mc->n, x.count);
	}
	r++;
	xl_str(ws, r++, 0, rep_label(lang, RL_REFUSED), x.title);
	xl_head(&x, ws, r++, lang, rcols, 3);
	for (i = 0; i < m->nrefused; i++, r++) {
		rf = &m->refused[i];
		xl_str(ws, r, 0, rf->file, NULL);
		xl_str(ws, r, 1, rf->code, NULL);
		xl_str(ws, r, 2, rf->why, NULL);
	}
	r++;
	xl_str(ws, r++, 0, rep_label(lang, RL_FLAGGED), x.title);
	xl_head(&x, ws, r++, lang, fcols, 3);
	for (i = 0; i < m->nstations; i++)
		for (j = 0; j < m->stations[i].nflags; j++, r++) {
			s = &m->stations[i];
			xasprintf(&where, "%s:%" PRId64, s->file, s->flags[j].line);
			xl_str(ws, r, 0, s->code, NULL);
			xl_str(ws, r, 1, where, NULL);
			xl_str(ws, r, 2, s->flags[j].what, NULL);
			free(where);
		}

	ws = workbook_add_worksheet(x.wb, lang == REP_EN ? "Topics" : "Chủ đề");
	worksheet_set_column(ws, 0, 0, 60, NULL);
	xl_head(&x, ws, 0, lang, tcols, 4);
	for (i = 0; i < m->total.ntopics; i++) {
		r = (int)i + 1;
		xl_str(ws, r, 0, m->total.topics[i].name ? m->total.topics[i].name :
		    rep_label(lang, RL_NO_TOPIC), NULL);
		xl_num(ws, r, 1, (double)m->total.topics[i].airings, x.count);
		xl_num(ws, r, 2, (double)m->total.topics[i].completed, x.count);
		xl_num(ws, r, 3, rep_minutes_value(m->total.topics[i].played_ms), x.min);
	}
	xl_relay(&x, &m->total.relay, lang);
	return xl_close(&x, path, cause);
}
