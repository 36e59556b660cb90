/*
 * Charts drawn by loaxa itself: inline SVG in the HTML reports, with no
 * script and no external service, so that a page prints as it shows.
 * Coordinates are whole pixels written with %d: no locale's decimal comma
 * can reach them.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/xmalloc.h"
#include "reports/internal.h"

#define CHART_W 640
#define CHART_LABEL_CHARS 34

/* Fills that stay apart in colour and in grey on a black-and-white printer. */
static const char *const chart_fills[] = { "#1f4e79", "#c55a11", "#7f9f3f",
	"#ffc000", "#5b9bd5", "#a5a5a5", "#70309f", "#264478", "#9e480e", "#43682b" };
#define CHART_NFILLS (sizeof chart_fills / sizeof chart_fills[0])

/* Writes s as SVG text, cut to max characters with an ellipsis. */
static void
chart_text(FILE *f, const char *s, size_t max)
{
	const char *p = s;
	size_t n = 0, len;
	char *cut;

	if (s == NULL)
		return;
	while (*p != '\0' && n < max) {
		len = utf8_char(p);
		p += len ? len : 1;
		n++;
	}
	if (*p == '\0') {
		rep_html_str(f, s);
		return;
	}
	cut = xstrndup(s, (size_t)(p - s));
	rep_html_str(f, cut);
	fputs("\xe2\x80\xa6", f);
	free(cut);
}

/* 1, 2 or 5 times a power of ten at or above v: the axis's end. */
static double
chart_nice(double v)
{
	double unit = 1;

	if (v <= 0)
		return 1;
	while (unit * 10 <= v)
		unit *= 10;
	if (v <= unit)
		return unit;
	if (v <= 2 * unit)
		return 2 * unit;
	if (v <= 5 * unit)
		return 5 * unit;
	return 10 * unit;
}

/* The stacked total of category i. */
static double
chart_total(const struct rep_chart *ch, size_t i)
{
	double t = 0;
	size_t k;

	for (k = 0; k < ch->nseries; k++)
		t += ch->v[i * ch->nseries + k] > 0 ? ch->v[i * ch->nseries + k] : 0;
	return t;
}

/* The legend under a stacked chart, from y; returns the height it took. */
static int
chart_legend(FILE *f, const struct rep_chart *ch, int y)
{
	size_t k;
	int x = 10, h = 0;

	for (k = 0; ch->nseries > 1 && k < ch->nseries; k++) {
		if (x > CHART_W - 200) {
			x = 10;
			h += 16;
		}
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		    "<text x=\"%d\" y=\"%d\">", x, y + h, chart_fills[k % CHART_NFILLS],
		    x + 14, y + h + 9);
		chart_text(f, ch->series[k], 26);
		fputs("</text>\n", f);
		x += 200;
	}
	return ch->nseries > 1 ? h + 16 : 0;
}

/* Columns, one a category, series stacked; the axis on the left. */
static void
chart_columns(FILE *f, const struct rep_chart *ch, double max, int y0)
{
	const int left = 48, right = 10, plot = 170, top = y0 + 14;
	const int slot = (CHART_W - left - right) / (int)ch->ncats;
	const int bar = slot > 8 ? slot * 2 / 3 : slot;
	size_t i, k, every = ch->ncats / 14 + 1;
	int x, y, h, g, ty;
	double base;
	char t[HUMAN_LEN];

	for (g = 0; g <= 4; g++) {
		y = top + plot - plot * g / 4;
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\""
		    " stroke-width=\"%s\"/>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    left, y, CHART_W - right, y, g ? "0.5" : "1", left - 4, y + 4);
		snprintf(t, sizeof t, "%" PRId64, (int64_t)(max * g / 4));
		rep_html_str(f, t);
		fputs("</text>\n", f);
	}
	for (i = 0; i < ch->ncats; i++) {
		x = left + slot * (int)i + (slot - bar) / 2;
		base = 0;
		for (k = 0; k < ch->nseries; k++) {
			double v = ch->v[i * ch->nseries + k];

			if (v <= 0)
				continue;
			y = top + plot - (int)((base + v) * plot / max + 0.5);
			h = top + plot - (int)(base * plot / max + 0.5) - y;
			base += v;
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
			    " fill=\"%s\"/>\n", x, y, bar, h, ch->marked && ch->marked[i] ?
			    "#c00000" : chart_fills[k % CHART_NFILLS]);
		}
		ty = top + plot - (int)(chart_total(ch, i) * plot / max + 0.5) - 3;
		if (ch->vtext != NULL && ch->ncats <= 24) {
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
			    x + bar / 2, ty);
			rep_html_str(f, ch->vtext[i]);
			fputs("</text>\n", f);
		}
		if (i % every == 0) {
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
			    x + bar / 2, top + plot + 14);
			chart_text(f, ch->cats[i], 12);
			fputs("</text>\n", f);
		}
	}
}

/* Bars across, one a category, its name on the left and its figure after it. */
static void
chart_across(FILE *f, const struct rep_chart *ch, double max, int y0)
{
	const int left = 230, right = 120, row = 20, width = CHART_W - left - right;
	size_t i;
	int y, w;

	for (i = 0; i < ch->ncats; i++) {
		y = y0 + 6 + row * (int)i;
		w = (int)(chart_total(ch, i) * width / max + 0.5);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, y + 13);
		chart_text(f, ch->cats[i], CHART_LABEL_CHARS);
		fprintf(f, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
		    " fill=\"%s\"/>\n<text x=\"%d\" y=\"%d\"%s>", left, y + 2, w, row - 6,
		    ch->marked && ch->marked[i] ? "#c00000" : chart_fills[0], left + w + 4,
		    y + 13, ch->marked && ch->marked[i] ? " font-weight=\"bold\"" : "");
		if (ch->vtext != NULL)
			rep_html_str(f, ch->vtext[i]);
		fputs("</text>\n", f);
	}
	if (ch->threshold >= 0 && ch->threshold <= max) {
		w = left + (int)(ch->threshold * width / max + 0.5);
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\""
		    " stroke-dasharray=\"4 3\"/>\n<text x=\"%d\" y=\"%d\""
		    " text-anchor=\"middle\">", w, y0, w, y0 + 8 + row * (int)ch->ncats, w,
		    y0 + 20 + row * (int)ch->ncats);
		rep_html_str(f, ch->threshold_text);
		fputs("</text>\n", f);
	}
}

void
rep_svg_chart(FILE *f, const struct rep_chart *ch)
{
	double max = ch->max, t;
	size_t i;
	int height, any = 0, legend_y;

	for (i = 0; i < ch->ncats; i++) {
		t = chart_total(ch, i);
		any |= t > 0;
		if (ch->max <= 0 && t > max)
			max = t;
	}
	if (ch->max <= 0)
		max = chart_nice(max);
	if (!any)
		height = 80;
	else if (ch->across)
		height = 24 + 20 * (int)ch->ncats + (ch->threshold >= 0 ? 26 : 8);
	else
		height = 24 + 14 + 170 + 22;
	legend_y = height;
	if (any && ch->nseries > 1)
		height += 16 * (int)((ch->nseries + 2) / 3) + 4;
	fprintf(f, "<div class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\""
	    " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\""
	    " font-family=\"'Times New Roman', serif\" font-size=\"11\">\n<title>",
	    CHART_W, height, CHART_W, height);
	rep_html_str(f, ch->title);
	fprintf(f, "</title>\n<text x=\"%d\" y=\"14\" text-anchor=\"middle\""
	    " font-size=\"13\" font-weight=\"bold\">", CHART_W / 2);
	rep_html_str(f, ch->title);
	fputs("</text>\n", f);
	if (!any) {
		fprintf(f, "<rect x=\"1\" y=\"22\" width=\"%d\" height=\"%d\" fill=\"none\""
		    " stroke=\"#888\"/>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\""
		    " font-size=\"12\" font-style=\"italic\">", CHART_W - 2, height - 24,
		    CHART_W / 2, 22 + (height - 22) / 2 + 4);
		rep_html_str(f, ch->empty);
		fputs("</text>\n</svg>\n</div>\n", f);
		return;
	}
	if (ch->across)
		chart_across(f, ch, max, 22);
	else
		chart_columns(f, ch, max, 22);
	chart_legend(f, ch, legend_y);
	fputs("</svg>\n</div>\n", f);
}

void
rep_html_charts(FILE *f, const struct rep_coverage *c, enum rep_lang lang)
{
	const size_t nm = c->nmonths, nt = c->ntopics;
	const char **cats = xcalloc(nm + nt + 1, sizeof *cats);
	const char **series = xcalloc(nt + 1, sizeof *series);
	const char **vtext = xcalloc(nm + nt + 1, sizeof *vtext);
	double *v = xcalloc(nm * (nt + 1) + nt + 1, sizeof *v);
	char (*buf)[HUMAN_LEN] = xcalloc(3 * (nm + nt) + 1, sizeof *buf);
	struct rep_chart ch;
	size_t i, k;

	fputs("<h2>", f);
	rep_html_str(f, rep_label(lang, RL_CHARTS));
	fputs("</h2>\n", f);
	for (k = 0; k < nt; k++)
		series[k] = c->topics[k].name ? c->topics[k].name :
		    rep_label(lang, RL_NO_TOPIC);
	for (i = 0; i < nm; i++) {
		cats[i] = rep_month_human(lang, c->months[i].month, buf[i]);
		vtext[i] = rep_count_human(lang, c->months[i].airings, buf[nm + nt + i]);
		for (k = 0; k < nt; k++)
			v[i * nt + k] = (double)c->months[i].topic_airings[k];
	}
	memset(&ch, 0, sizeof ch);
	ch.title = rep_label(lang, RL_CHART_MONTHS);
	ch.empty = rep_label(lang, RL_NO_AIRINGS);
	ch.ncats = nt > 0 ? nm : 0;
	ch.cats = cats;
	ch.nseries = nt;
	ch.series = series;
	ch.v = v;
	ch.vtext = vtext;
	ch.threshold = -1;
	rep_svg_chart(f, &ch);

	for (i = 0; i < nm; i++) {
		/* The rate as the tables show it: rounded down to 0.1. */
		rep_percent(c->months[i].aired, c->months[i].slots,
		    buf[2 * (nm + nt) + i]);
		v[i] = c->months[i].slots > 0 ? (double)(c->months[i].aired * 1000 /
		    c->months[i].slots) / 10.0 : 0;
		vtext[i] = human_number(REP_HUMAN(lang), buf[2 * (nm + nt) + i],
		    buf[nm + nt + i]);
	}
	ch.title = rep_label(lang, RL_CHART_RATE);
	ch.empty = rep_label(lang, RL_NO_SLOTS);
	ch.ncats = c->slots > 0 ? nm : 0;
	ch.nseries = 1;
	ch.series = NULL;
	ch.max = 100;
	rep_svg_chart(f, &ch);

	for (k = 0; k < nt; k++) {
		cats[k] = series[k];
		v[k] = (double)c->topics[k].played_ms / 60000.0;
		vtext[k] = rep_minutes_human(lang, c->topics[k].played_ms, buf[nm + nt + k]);
	}
	ch.title = rep_label(lang, RL_CHART_TOPICS);
	ch.empty = rep_label(lang, RL_NO_AIRINGS);
	ch.ncats = nt;
	ch.across = 1;
	ch.max = 0;
	rep_svg_chart(f, &ch);
	free(cats);
	free(series);
	free(vtext);
	free(v);
	free(buf);
}
