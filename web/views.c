/*
 * Lịch phát, Nhật ký, Báo cáo: the plan as `loaxa plan` computes it (one
 * week as a grid by day and hour, with the quota warnings), the airing log
 * by dates with paging, and the coverage reports through reports/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "reports/reports.h"
#include "scheduler/history.h"
#include "scheduler/plan.h"
#include "store/store.h"
#include "web/internal.h"

#define PLAN_DAYS 7
#define LOG_PAGE 50

/* Shows cause as the page's error. */
static void
view_fail(struct web_page *p, char *cause)
{
	fputs("<p class=\"err\" id=\"message\">", p->f);
	web_h(p->f, cause);
	fputs("</p>", p->f);
	free(cause);
}

/* A day's column head as Vietnamese write it: the weekday, then dd/mm. */
static void
view_day_head(FILE *f, const char date[11])
{
	static const char *const wd[] = { "CN", "T2", "T3", "T4", "T5", "T6", "T7" };
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) {
		fprintf(f, "<th class=\"day\">%s</th>", date);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = 12;
	if (timegm(&tm) == (time_t)-1)
		tm.tm_wday = 0;
	fprintf(f, "<th class=\"day\">%s %.2s/%.2s</th>", wd[tm.tm_wday % 7], date + 8,
	    date + 5);
}

/* "HH:MM" of ms in the station's zone. */
static void
view_hm(const char *tz, int64_t ms, char out[16], int32_t *day, int *hour)
{
	char *cause = NULL;
	int sec = 0;

	if (sched_utc_to_local(tz, ms, day, &sec, &cause) != 0) {
		free(cause);
		*day = 0;
	}
	*hour = sec / 3600;
	snprintf(out, 16, "%02d:%02d", sec / 3600, sec / 60 % 60);
}

void
web_plan(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	const struct config *cfg = w->cfg;
	const char *tz = cfg->station.timezone;
	struct sched_pool *pool = NULL;
	struct sched_plan *pl = NULL;
	const struct sched_plan_entry *e;
	const struct pl_candidate *cd;
	char *cause = NULL, hm[16], d[11];
	int32_t today, day;
	int64_t from, to;
	int sec, hour, h, used[24] = { 0 };
	size_t i, j, k;
	FILE *f = p->f;

	(void)c;
	(void)rest;
	web_html_begin(p, w, &r->user, "Lịch phát", "/plan");
	if (sched_utc_to_local(tz, lib_now_ms(), &today, &sec, &cause) != 0 ||
	    sched_local_to_utc(tz, today, 0, &from, NULL, &cause) != 0 ||
	    sched_local_to_utc(tz, today + PLAN_DAYS, 0, &to, NULL, &cause) != 0 ||
	    sched_pool_load(w->st, cfg->paths.data, &pool, &cause) != 0 ||
	    sched_plan_run(cfg, pool, from, to, &pl, &cause) != 0) {
		view_fail(p, cause);
		sched_pool_free(&pool);
		web_html_end(p);
		return;
	}
	for (i = 0; i < pl->nquotas; i++) {
		if (pl->quotas[i].short_by == 0)
			continue;
		cd = &pl->cands[pl->quotas[i].cand];
		fprintf(f, "<p class=\"warn\">#%lld ", (long long)cd->id);
		web_h(f, cd->title);
		fprintf(f, ": cần %d lượt, đã phát %d, dự kiến %d, còn thiếu %d%s</p>",
		    pl->quotas[i].required, pl->quotas[i].before, pl->quotas[i].planned,
		    pl->quotas[i].short_by, pl->quotas[i].beyond ?
		    " trong tuần này (hạn cuối còn xa hơn)" : "");
	}
	for (i = 0; i < pl->nentries; i++) {
		view_hm(tz, pl->entries[i].occ.start, hm, &day, &hour);
		used[hour] = 1;
	}
	if (pl->nentries == 0)
		goto empty;
	fputs("<div class=\"scroll\"><table id=\"plan\"><thead><tr><th>Giờ</th>", f);
	for (k = 0; k < PLAN_DAYS; k++) {
		conf_date_format(today + (int32_t)k, d);
		view_day_head(f, d);
	}
	fputs("</tr></thead><tbody>", f);
	for (h = 0; h < 24; h++) {
		if (!used[h])
			continue;
		fprintf(f, "<tr><th>%02d:00</th>", h);
		for (k = 0; k < PLAN_DAYS; k++) {
			fputs("<td>", f);
			for (i = 0; i < pl->nentries; i++) {
				e = &pl->entries[i];
				view_hm(tz, e->occ.start, hm, &day, &hour);
				if (hour != h || day != today + (int32_t)k)
					continue;
				fprintf(f, "<div class=\"slot%s\"><b>%s</b> ", e->nitems == 0 ||
				    e->occ.skipped ? " missed" : "", hm);
				web_h(f, cfg->slots[e->occ.slot].name);
				if (e->occ.skipped)
					fputs("<br>bỏ qua: trùng lịch", f);
				else if (e->nitems == 0)
					fputs("<br>không có nội dung", f);
				for (j = 0; j < e->nitems; j++) {
					fputs("<br>• ", f);
					web_h(f, pl->cands[e->items[j].cand].title);
				}
				fputs("</div>", f);
			}
			fputs("</td>", f);
		}
		fputs("</tr>", f);
	}
	fputs("</tbody></table></div>", f);
empty:
	if (pl->nentries == 0)
		fputs("<p class=\"muted\">Không có khung giờ nào trong tuần tới.</p>", f);
	sched_plan_free(&pl);
	sched_pool_free(&pool);
	web_html_end(p);
}

/* The log's rows, copied out of rep_log_each's walk. */
struct view_rows {
	struct view_row {
		int64_t id, scheduled_at, played_ms;
		char *title, *slot, *outcome, *reason;
	} *v;
	size_t n;
};

static int
view_row(const struct rep_airing *a, void *arg)
{
	struct view_rows *rows = arg;
	struct view_row *x;

	rows->v = xreallocarray(rows->v, rows->n + 1, sizeof *rows->v);
	x = &rows->v[rows->n++];
	x->id = a->id;
	x->scheduled_at = a->scheduled_at;
	x->played_ms = a->played_ms;
	x->title = xstrdup(a->title != NULL ? a->title : "");
	x->slot = xstrdup(a->slot != NULL ? a->slot : "phát ngay");
	x->outcome = xstrdup(a->outcome);
	x->reason = a->reason != NULL ? xstrdup(rep_reason(REP_VI, a->reason)) : NULL;
	return 0;
}

static const char *
view_outcome(const char *o)
{
	static const char *const vi[][2] = { { "completed", "hoàn thành" },
	    { "interrupted", "bị ngắt" }, { "failed", "lỗi" }, { "missed", "bỏ lỡ" },
	    { "skipped", "bỏ qua" }, { "playing", "đang phát" } };
	size_t i;

	for (i = 0; i < sizeof vi / sizeof vi[0]; i++)
		if (strcmp(vi[i][0], o) == 0)
			return vi[i][1];
	return o;
}

void
web_log(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	const char *from = web_arg(c, "from"), *to = web_arg(c, "to");
	const char *pg = web_arg(c, "page");
	struct view_rows rows = { NULL, 0 };
	struct rep_period per;
	char dfrom[11], dto[11], *cause = NULL, t[40];
	long page = pg != NULL ? strtol(pg, NULL, 10) : 1;
	int64_t now = lib_now_ms();
	size_t i, first, last;
	FILE *f = p->f;

	(void)rest;
	web_html_begin(p, w, &r->user, "Nhật ký", "/log");
	lib_date(now - 6 * 86400000LL, dfrom);
	lib_date(now, dto);
	if (from == NULL)
		from = dfrom;
	if (to == NULL)
		to = dto;
	if (page < 1)
		page = 1;
	fputs("<form method=\"get\" action=\"/log\" class=\"card filters\"><label>Từ "
	    "ngày <input type=\"date\" name=\"from\" value=\"", f);
	web_h(f, from);
	fputs("\"></label><label>Đến ngày <input type=\"date\" name=\"to\" value=\"", f);
	web_h(f, to);
	fputs("\"></label><button type=\"submit\">Xem</button></form>", f);
	if (rep_period_dates(from, to, &per, &cause) != 0 ||
	    rep_log_each(store_db(w->st), w->cfg, per.from_ms, per.to_ms, view_row,
	    &rows, &cause) != 0) {
		p->status = MHD_HTTP_BAD_REQUEST;
		view_fail(p, cause);
		web_html_end(p);
		return;
	}
	first = (size_t)(page - 1) * LOG_PAGE;
	last = first + LOG_PAGE < rows.n ? first + LOG_PAGE : rows.n;
	fputs("<div class=\"scroll\"><table id=\"log\"><thead><tr><th>Giờ</th>"
	    "<th>Bản tin</th><th class=\"opt\">Khung giờ</th><th>Kết quả</th>"
	    "<th class=\"opt\">Đã phát</th></tr></thead><tbody>", f);
	for (i = first; i < last; i++) {
		struct view_row *x = &rows.v[rows.n - 1 - i];

		if (sched_format_iso(w->cfg->station.timezone, x->scheduled_at, t,
		    sizeof t, &cause) != 0) {
			free(cause);
			cause = NULL;
			snprintf(t, sizeof t, "?");
		}
		/* As Vietnamese write it: dd/mm/yyyy HH:MM. */
		if (strlen(t) >= 16)
			fprintf(f, "<tr><td>%.2s/%.2s/%.4s %.5s</td><td>", t + 8, t + 5, t,
			    t + 11);
		else
			fprintf(f, "<tr><td>%s</td><td>", t);
		web_h(f, x->title);
		fputs("</td><td class=\"opt\">", f);
		web_h(f, x->slot);
		fprintf(f, "</td><td class=\"oc-%s\">%s", x->outcome,
		    view_outcome(x->outcome));
		if (x->reason != NULL) {
			fputs(": ", f);
			web_h(f, x->reason);
		}
		fprintf(f, "</td><td class=\"opt\">%.0f giây</td></tr>\n",
		    (double)x->played_ms / 1000.0);
	}
	fputs("</tbody></table></div>", f);
	fprintf(f, "<p class=\"muted\">%zu lượt phát.", rows.n);
	if (page > 1 || last < rows.n)
		fprintf(f, " Trang %ld.", page);
	if (page > 1)
		fprintf(f, " <a href=\"/log?from=%s&amp;to=%s&amp;page=%ld\">Trang "
		    "trước</a>", per.from, per.to, page - 1);
	if (last < rows.n)
		fprintf(f, " <a href=\"/log?from=%s&amp;to=%s&amp;page=%ld\">Trang sau</a>",
		    per.from, per.to, page + 1);
	fputs("</p>", f);
	for (i = 0; i < rows.n; i++) {
		free(rows.v[i].title);
		free(rows.v[i].slot);
		free(rows.v[i].outcome);
		free(rows.v[i].reason);
	}
	free(rows.v);
	web_html_end(p);
}

/*
 * The period of ?period= (default: the reporting year that holds today, the
 * next year's from the 15 December cut-off on); -1 with *cause.
 */
static int
view_period(struct web *w, struct MHD_Connection *c, struct rep_period *per,
    char **cause)
{
	const char *spec = web_arg(c, "period");
	char def[16], today[11];

	if (spec == NULL) {
		lib_date(lib_now_ms(), today);
		snprintf(def, sizeof def, "%d", atoi(today) +
		    (!w->cfg->reports.calendar_periods && strcmp(today + 5, "12-15") >= 0));
		spec = def;
	}
	return rep_period_parse(spec, w->cfg->reports.calendar_periods, per, cause);
}

/* The coverage report of the request's period, as `loaxa report` computes it. */
static int
view_coverage(struct web *w, struct MHD_Connection *c, struct rep_coverage *cov,
    struct rep_period *per, char **cause)
{
	struct rep_schedule s = *w->sched;

	s.now = lib_now_ms();
	if (view_period(w, c, per, cause) != 0)
		return -1;
	if (sched_history_ensure(w->st, w->cfg, s.now, cause) < 0)
		return -1;
	return rep_coverage_sched(store_db(w->st), w->cfg, per, &s, cov, cause);
}

void
web_reports(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	static const char *const kinds[][2] = { { "-H1", "6 tháng" },
	    { "-9M", "9 tháng" }, { "", "cả năm" } };
	struct rep_period per;
	char *cause = NULL, today[11], spec[16];
	int year, y;
	size_t k;
	FILE *f = p->f;

	(void)rest;
	web_html_begin(p, w, &r->user, "Báo cáo", "/reports");
	if (view_period(w, c, &per, &cause) != 0) {
		p->status = MHD_HTTP_BAD_REQUEST;
		view_fail(p, cause);
		web_html_end(p);
		return;
	}
	lib_date(lib_now_ms(), today);
	year = atoi(today);
	fputs("<form method=\"get\" action=\"/reports\" class=\"card filters\"><label>"
	    "Kỳ báo cáo <select name=\"period\" id=\"period\">", f);
	for (y = year; y >= year - 1; y--)
		for (k = 0; k < 3; k++) {
			snprintf(spec, sizeof spec, "%d%s", y, kinds[k][0]);
			fprintf(f, "<option value=\"%s\"%s>%d, %s</option>", spec,
			    strcmp(spec, per.label) == 0 ? " selected" : "", y, kinds[k][1]);
		}
	fprintf(f, "</select></label><button type=\"submit\">Xem</button></form>"
	    "<p class=\"card\">Tải về: <a id=\"dl-xlsx\" href=\"/reports/file?period=%s"
	    "&amp;format=xlsx\">XLSX</a> · <a id=\"dl-csv\" href=\"/reports/file?"
	    "period=%s&amp;format=csv\">CSV</a> · <a id=\"dl-lxe\" href=\"/reports/file"
	    "?period=%s&amp;format=lxe\">bản xuất có chữ ký (.lxe)</a></p>"
	    "<iframe title=\"Báo cáo\" sandbox src=\"/reports/view?period=%s\">"
	    "</iframe>", per.label, per.label, per.label, per.label);
	web_html_end(p);
}

void
web_report_view(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	struct rep_coverage cov;
	struct rep_period per;
	char *cause = NULL;

	(void)r;
	(void)rest;
	if (view_coverage(w, c, &cov, &per, &cause) != 0) {
		web_text(p, MHD_HTTP_BAD_REQUEST, "%s", cause);
		free(cause);
		return;
	}
	p->csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'";
	if (rep_write(p->f, &cov, REP_HTML, REP_VI, lib_now_ms(), &cause) != 0) {
		web_text(p, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", cause);
		free(cause);
	}
	rep_coverage_clear(&cov);
}

/* Serves the file at path (then removes it and its directory dir). */
static void
view_send_file(struct web_page *p, char *dir, char *path, const char *type,
    const char *name)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	unlink(path);
	rmdir(dir);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		web_text(p, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s: %s", path,
		    strerror(errno));
		return;
	}
	p->fd = fd;
	p->fd_len = (uint64_t)sb.st_size;
	p->type = type;
	xasprintf(&p->disposition, "attachment; filename=\"%s\"", name);
}

void
web_report_file(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	const char *format = web_arg(c, "format");
	struct rep_coverage cov;
	struct rep_period per;
	char *cause = NULL, *dir, *path, name[80];
	size_t rows;
	int rc;

	(void)r;
	(void)rest;
	if (format == NULL || (strcmp(format, "xlsx") != 0 &&
	    strcmp(format, "csv") != 0 && strcmp(format, "lxe") != 0)) {
		web_text(p, MHD_HTTP_BAD_REQUEST, "format is xlsx, csv or lxe");
		return;
	}
	if (strcmp(format, "lxe") == 0 ? view_period(w, c, &per, &cause) :
	    view_coverage(w, c, &cov, &per, &cause)) {
		web_text(p, MHD_HTTP_BAD_REQUEST, "%s", cause);
		free(cause);
		return;
	}
	snprintf(name, sizeof name, "bao-cao-%s-%s.%s", w->cfg->station.code != NULL ?
	    w->cfg->station.code : "loaxa", per.label, format);
	if (strcmp(format, "csv") == 0) {
		p->type = "text/csv; charset=utf-8";
		xasprintf(&p->disposition, "attachment; filename=\"%s\"", name);
		if (rep_write(p->f, &cov, REP_CSV, REP_VI, lib_now_ms(), &cause) != 0) {
			web_text(p, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", cause);
			free(cause);
		}
		rep_coverage_clear(&cov);
		return;
	}
	xasprintf(&dir, "%s/web-report-XXXXXX", w->cfg->paths.data);
	if (mkdtemp(dir) == NULL) {
		web_text(p, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s: %s", dir, strerror(errno));
		free(dir);
		if (strcmp(format, "xlsx") == 0)
			rep_coverage_clear(&cov);
		return;
	}
	xasprintf(&path, "%s/%s", dir, name);
	if (strcmp(format, "xlsx") == 0) {
		rc = rep_write_xlsx(path, &cov, REP_VI, &cause);
		rep_coverage_clear(&cov);
	} else
		rc = rep_export(store_db(w->st), w->cfg, w->cfg->paths.data, &per, path,
		    &rows, &cause);
	if (rc != 0) {
		unlink(path);
		rmdir(dir);
		web_text(p, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", cause);
		free(cause);
	} else
		view_send_file(p, dir, path, strcmp(format, "xlsx") == 0 ?
		    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" :
		    "application/octet-stream", name);
	free(path);
	free(dir);
}
