/* Report labels in Vietnamese and English, and the helpers the formats share. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "reports/internal.h"

static const char *const labels[RL_COUNT_][2] = {
	[RL_REPORT] = { "BÁO CÁO KẾT QUẢ PHÁT THANH", "BROADCAST COVERAGE REPORT" },
	[RL_DISTRICT_REPORT] = { "BÁO CÁO TỔNG HỢP KẾT QUẢ PHÁT THANH CẤP XÃ",
	    "DISTRICT BROADCAST COVERAGE REPORT" },
	[RL_SUBTITLE] = { "trên hệ thống truyền thanh cơ sở",
	    "on the commune loudspeaker system" },
	[RL_STATION] = { "Đài", "Station" },
	[RL_CODE] = { "Mã đài", "Station code" },
	[RL_COMMUNE] = { "Xã", "Commune" },
	[RL_DISTRICT] = { "Huyện", "District" },
	[RL_PROVINCE] = { "Tỉnh", "Province" },
	[RL_PERIOD] = { "Kỳ báo cáo", "Period" },
	[RL_FROM] = { "Từ ngày", "From" },
	[RL_TO] = { "Đến ngày", "To" },
	[RL_SLOTS] = { "Khung giờ phát sóng", "Timetable slots" },
	[RL_SCHEDULED] = { "Số lượt theo lịch", "Scheduled" },
	[RL_AIRED] = { "Đã phát", "Aired" },
	[RL_MISSED] = { "Không phát được", "Missed" },
	[RL_COMPLIANCE] = { "Tỷ lệ thực hiện (%)", "Compliance (%)" },
	[RL_MISSED_BY] = { "Lý do không phát", "Missed, by reason" },
	[RL_REASON] = { "Lý do", "Reason" },
	[RL_COUNT] = { "Số lượt", "Count" },
	[RL_AIRINGS] = { "Lượt phát", "Airings" },
	[RL_PLAYS] = { "Lượt phát bản tin", "Bulletin airings" },
	[RL_COMPLETED] = { "Phát trọn vẹn", "Completed" },
	[RL_INTERRUPTED] = { "Bị ngắt", "Interrupted" },
	[RL_FAILED] = { "Lỗi", "Failed" },
	[RL_MINUTES] = { "Số phút", "Minutes" },
	[RL_TOPICS] = { "Theo chủ đề", "By topic" },
	[RL_TOPIC] = { "Chủ đề", "Topic" },
	[RL_BULLETINS] = { "Theo bản tin", "By bulletin" },
	[RL_NBULLETINS] = { "Số bản tin", "Bulletins" },
	[RL_BULLETIN] = { "Mã bản tin", "Bulletin id" },
	[RL_TITLE] = { "Tên bản tin", "Title" },
	[RL_PRODUCER] = { "Đơn vị sản xuất", "Producer" },
	[RL_MIN] = { "Số lượt tối thiểu", "Required minimum" },
	[RL_MET] = { "Đạt", "Met" },
	[RL_FIRST] = { "Lần phát đầu", "First airing" },
	[RL_LAST] = { "Lần phát cuối", "Last airing" },
	[RL_YES] = { "đạt", "yes" },
	[RL_NO] = { "không đạt", "no" },
	[RL_INTERRUPTIONS] = { "Bị ngắt giữa chừng", "Interruptions" },
	[RL_FAILURES] = { "Lỗi phát", "Failures" },
	[RL_NONE] = { "không có", "none" },
	[RL_QUOTAS] = { "Bản tin đạt số lượt tối thiểu", "Bulletins meeting their minimum" },
	[RL_NO_TOPIC] = { "(không có chủ đề)", "(no topic)" },
	[RL_NATION] = { "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
	    "SOCIALIST REPUBLIC OF VIET NAM" },
	[RL_MOTTO] = { "Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness" },
	[RL_PREPARER] = { "NGƯỜI LẬP BÁO CÁO", "PREPARED BY" },
	[RL_SIGN_HINT] = { "(Ký, ghi rõ họ tên)", "(signature and full name)" },
	[RL_HEAD] = { "THỦ TRƯỞNG ĐƠN VỊ", "HEAD OF UNIT" },
	[RL_RECIPIENTS] = { "Nơi nhận:", "Recipients:" },
	[RL_RECIPIENTS_TEXT] = { "- Như trên;\n- Lưu: VT.", "- As above;\n- Archive." },
	[RL_STATIONS] = { "Theo đài", "By station" },
	[RL_STATUS] = { "Tình trạng", "Status" },
	[RL_ACCEPTED] = { "hợp lệ", "verified" },
	[RL_REJECTED] = { "BỊ TỪ CHỐI", "REJECTED" },
	[RL_NOTHING_SENT] = { "không gửi số liệu", "sent nothing" },
	[RL_MISSING_STATIONS] = { "Các đài không gửi số liệu", "Stations that sent nothing" },
	[RL_TOTAL] = { "Tổng cộng", "Total" },
	[RL_FIELD] = { "Mục", "Field" },
	[RL_VALUE] = { "Giá trị", "Value" },
	[RL_QUOTAS_REQUIRED] = { "Bản tin có số lượt tối thiểu",
	    "Bulletins with a minimum" },
	[RL_MINIMUMS] = { "Số lượt tối thiểu", "Required minimums" },
	[RL_TRUSTED] = { "Số đài", "Stations" },
	[RL_REFUSED] = { "Tệp số liệu bị từ chối", "Exports refused" },
	[RL_FLAGGED] = { "Dòng nhật ký đáng ngờ (đã ký, nhưng không thể là buổi phát thật)",
	    "Flagged rows (signed, but no true airing)" },
	[RL_FILE] = { "Tệp", "File" },
	[RL_SUMMARY] = { "Tổng hợp", "Summary" },
	[RL_CHARTS] = { "Biểu đồ", "Charts" },
	[RL_CHART_MONTHS] = { "Lượt phát theo tháng, theo chủ đề",
	    "Airings per month, by topic" },
	[RL_CHART_RATE] = { "Tỷ lệ thực hiện theo tháng (%)", "Compliance per month (%)" },
	[RL_CHART_TOPICS] = { "Số phút phát theo chủ đề", "Minutes aired per topic" },
	[RL_CHART_COMMUNES] = { "Tỷ lệ thực hiện theo xã (%)",
	    "Compliance per commune (%)" },
	[RL_NO_AIRINGS] = { "Không có lượt phát nào trong kỳ báo cáo",
	    "No airings in the period" },
	[RL_NO_SLOTS] = { "Không có khung giờ phát sóng nào trong kỳ báo cáo",
	    "No timetable slots in the period" },
	[RL_NO_STATIONS] = { "Không có đài nào gửi số liệu hợp lệ",
	    "No station sent a verified export" },
	[RL_BELOW] = { "dưới ngưỡng", "below the threshold" },
	[RL_MONTH] = { "Tháng", "Month" },
	[RL_RELAY] = { "Tiếp sóng", "Relays" },
	[RL_SOURCE] = { "Nguồn", "Source" },
	[RL_RELAYED_HOURS] = { "Giờ tiếp sóng", "Hours relayed" },
	[RL_PLANNED_HOURS] = { "Giờ theo lịch", "Hours planned" },
	[RL_GAPS] = { "Gián đoạn", "Interruptions" },
	[RL_GAP_MINUTES] = { "Số phút gián đoạn", "Minutes interrupted" },
};

/* The figures' getters: a field of the coverage; the rate, out of the slots. */
#define FIG_FIELD(field) \
	static int64_t \
	fig_##field(const struct rep_coverage *c, int64_t *of) \
	{ \
		(void)of; \
		return c->field; \
	}
FIG_FIELD(slots)
FIG_FIELD(aired)
FIG_FIELD(missed)
FIG_FIELD(airings)
FIG_FIELD(completed)
FIG_FIELD(interrupted)
FIG_FIELD(failed)
FIG_FIELD(played_ms)
FIG_FIELD(quotas)
FIG_FIELD(quotas_met)
#undef FIG_FIELD

static int64_t
fig_rate(const struct rep_coverage *c, int64_t *of)
{
	*of = c->slots;
	return c->aired;
}

const struct rep_figure rep_figures[] = {
	{ "slots", "scheduled", RL_SLOTS, RL_SCHEDULED, { "lịch", "slots" }, RF_COUNT,
	    fig_slots },
	{ "slots", "aired", RL_SLOTS, RL_AIRED, { "đã phát", "aired" }, RF_COUNT,
	    fig_aired },
	{ "slots", "missed", RL_SLOTS, RL_MISSED, { "bỏ lỡ", "missed" }, RF_COUNT,
	    fig_missed },
	{ "slots", "compliance", RL_SLOTS, RL_COMPLIANCE, { "%", "%" }, RF_RATE,
	    fig_rate },
	{ "airings", "total", RL_PLAYS, RL_AIRINGS, { "lượt", "airings" }, RF_COUNT,
	    fig_airings },
	{ "airings", "completed", RL_PLAYS, RL_COMPLETED, { "trọn", "complete" },
	    RF_COUNT, fig_completed },
	{ "airings", "interrupted", RL_PLAYS, RL_INTERRUPTED, { "bị ngắt", "cut" },
	    RF_COUNT, fig_interrupted },
	{ "airings", "failed", RL_PLAYS, RL_FAILED, { "lỗi", "failed" }, RF_COUNT,
	    fig_failed },
	{ "airings", "minutes", RL_PLAYS, RL_MINUTES, { "phút", "minutes" }, RF_MINUTES,
	    fig_played_ms },
	{ "quotas", "required", RL_MINIMUMS, RL_QUOTAS_REQUIRED, { "tối thiểu", "minimums" },
	    RF_COUNT, fig_quotas },
	{ "quotas", "met", RL_MINIMUMS, RL_QUOTAS, { "đạt", "met" }, RF_COUNT,
	    fig_quotas_met },
};

const size_t rep_nfigures = sizeof rep_figures / sizeof rep_figures[0];

void
rep_figure_text(const struct rep_figure *fig, const struct rep_coverage *c,
    char out[32])
{
	int64_t of = 0, n = fig->get(c, &of);

	switch (fig->kind) {
	case RF_COUNT:
		snprintf(out, 32, "%lld", (long long)n);
		break;
	case RF_RATE:
		rep_percent(n, of, out);
		break;
	case RF_MINUTES:
		rep_minutes(n, out);
		break;
	}
}

const char *
rep_label(enum rep_lang lang, enum rep_label l)
{
	return labels[l][lang == REP_EN];
}

const char *
rep_reason(enum rep_lang lang, const char *reason)
{
	/* Every code of scheduler/airlog.h's table, and the report's "unknown". */
	static const char *const reasons[][2] = {
		{ "emergency", "tin khẩn cấp" },
		{ "shutdown", "dừng máy" },
		{ "power loss", "mất điện" },
		{ "operator stop", "người vận hành dừng" },
		{ "skipped by operator", "người vận hành bỏ qua" },
		{ "stopped", "trình phát tự dừng" },
		{ "controller off", "máy tắt" },
		{ "clock change", "đồng hồ bị chỉnh" },
		{ "controller busy", "máy đang phát mục khác" },
		{ "no content", "không có nội dung" },
		{ "device", "lỗi thiết bị" },
		{ "overlap", "trùng lịch" },
		{ "operator play", "người vận hành phát mục khác" },
		{ "tampered", "tệp bị thay đổi" },
		{ "refused", "bản tin không được phép phát" },
		{ "decoder", "tệp không giải mã được" },
		{ "player", "lỗi trình phát" },
		{ "silence", "có đoạn im lặng dài" },
		{ "not logged", "không có trong nhật ký" },
		{ "source unreachable", "không kết nối được nguồn tiếp sóng" },
		{ "source lost", "mất nguồn tiếp sóng" },
		{ "source silent", "nguồn tiếp sóng im lặng" },
		{ "unknown", "không rõ" },
	};
	size_t i;

	if (lang == REP_EN || reason == NULL)
		return reason;
	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(reasons[i][0], reason) == 0)
			return reasons[i][1];
	return reason;
}

void
rep_minutes(int64_t ms, char out[32])
{
	snprintf(out, 32, "%.1f", (double)ms / 60000.0);
}

double
rep_minutes_value(int64_t ms)
{
	char v[32], *p;
	int64_t tenths = 0;

	rep_minutes(ms, v);
	/* Digit by digit: strtod would follow the locale's decimal point. */
	for (p = v; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			tenths = tenths * 10 + (*p - '0');
	return (v[0] == '-' ? -1.0 : 1.0) * (double)tenths / 10.0;
}

/*
 * n of `of` rounded down to the given number of decimals of scale (100 for
 * a percentage, 1 for a fraction), in integers: no binary fraction can round
 * 99.95 up to 100.0. none when of is 0; n above of counts as of.
 */
static void
rate_down(int64_t n, int64_t of, int scale, int decimals, const char *none,
    char out[32])
{
	int64_t unit = 1, q;
	int i;

	if (of <= 0 || n < 0) {
		snprintf(out, 32, "%s", none);
		return;
	}
	if (n > of)
		n = of;
	for (i = 0; i < decimals; i++)
		unit *= 10;
	q = n * scale * unit / of;
	snprintf(out, 32, "%d.%0*d", (int)(q / unit), decimals, (int)(q % unit));
}

void
rep_percent(int64_t n, int64_t of, char out[32])
{
	rate_down(n, of, 100, 1, "-", out);
}

void
rep_fraction(int64_t n, int64_t of, char out[32])
{
	rate_down(n, of, 1, 4, "null", out);
}

char *
rep_figure_human(enum rep_lang lang, const struct rep_figure *fig,
    const struct rep_coverage *c, char out[HUMAN_LEN])
{
	char v[32];

	rep_figure_text(fig, c, v);
	return human_number(REP_HUMAN(lang), v, out);
}

char *
rep_count_human(enum rep_lang lang, int64_t n, char out[HUMAN_LEN])
{
	return human_count(REP_HUMAN(lang), n, out);
}

char *
rep_minutes_human(enum rep_lang lang, int64_t ms, char out[HUMAN_LEN])
{
	char v[32];

	rep_minutes(ms, v);
	return human_number(REP_HUMAN(lang), v, out);
}

char *
rep_month_human(enum rep_lang lang, const char *month, char out[HUMAN_LEN])
{
	if (lang == REP_EN || strlen(month) != 7)
		snprintf(out, HUMAN_LEN, "%s", month);
	else
		snprintf(out, HUMAN_LEN, "%.2s/%.4s", month + 5, month);
	return out;
}

char *
rep_time_human(enum rep_lang lang, int64_t ms, char out[HUMAN_LEN])
{
	if (ms == 0) {
		snprintf(out, HUMAN_LEN, "-");
		return out;
	}
	return human_datetime(REP_HUMAN(lang), ms, out);
}

void
rep_html_begin(FILE *f, enum rep_lang lang, const struct rep_station *s,
    int64_t now_ms, enum rep_label title, const struct rep_period *p)
{
	time_t t = (time_t)(now_ms / 1000);
	char from[HUMAN_LEN], to[HUMAN_LEN];
	struct tm tm;

	localtime_r(&t, &tm);
	human_day(REP_HUMAN(lang), p->from, from);
	human_day(REP_HUMAN(lang), p->to, to);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\"/>\n<title>", lang == REP_EN ? "en" : "vi");
	rep_html_str(f, rep_label(lang, title));
	fputs(" - ", f);
	rep_html_str(f, s->name ? s->name : s->code);
	fputs("</title>\n<style>\n"
	    "@page { size: A4; margin: 20mm 15mm 20mm 25mm; }\n"
	    "body { font-family: 'Times New Roman', serif; font-size: 13pt; }\n"
	    "table { border-collapse: collapse; width: 100%; margin: 6pt 0; }\n"
	    "table.grid td, table.grid th { border: 1px solid #000; padding: 2pt 4pt; }\n"
	    "table.grid th { background: #eee; }\n"
	    "table.wide { font-size: 9pt; }\n"
	    "td.n { text-align: right; }\n"
	    "table.head td, table.sign td { text-align: center; vertical-align: top; "
	    "width: 50%; }\n"
	    "h1 { text-align: center; font-size: 14pt; margin: 12pt 0 0 0; }\n"
	    "p.sub { text-align: center; margin: 0 0 12pt 0; }\n"
	    "h2 { font-size: 13pt; margin: 10pt 0 2pt 0; }\n"
	    "@page { @bottom-center { content: counter(page) \" / \" counter(pages); "
	    "font-size: 10pt; } }\n"
	    "thead { display: table-header-group; }\n"
	    "tr, td, th, div.chart, table.sign { break-inside: avoid; "
	    "page-break-inside: avoid; }\n"
	    "h2 { break-after: avoid; page-break-after: avoid; }\n"
	    "tr.section th { text-align: left; background: #f6f6f6; }\n"
	    "div.chart { margin: 6pt 0; }\n"
	    "div.chart svg { max-width: 100%; height: auto; }\n"
	    "td.t { white-space: nowrap; }\n"
	    "table.wide td:nth-child(1) { width: 24%; }\n"
	    "table.wide td:nth-child(3) { width: 24%; }\n"
	    "table.head { font-size: 11.5pt; }\n"
	    "table.head td:first-child { width: 42%; }\n"
	    "table.head td:last-child { width: 58%; }\n"
	    ".rejected { color: #a00; font-weight: bold; }\n"
	    "</style>\n</head>\n<body>\n<table class=\"head\">\n<tr><td>", f);
	rep_html_str(f, s->commune ? s->commune : "");
	fputs("<br/><b>", f);
	rep_html_str(f, s->name ? s->name : "");
	fputs("</b></td>\n<td><b>", f);
	rep_html_str(f, rep_label(lang, RL_NATION));
	fputs("</b><br/><b><u>", f);
	rep_html_str(f, rep_label(lang, RL_MOTTO));
	fputs("</u></b></td></tr>\n<tr><td>", f);
	rep_html_str(f, rep_label(lang, RL_CODE));
	fputs(": ", f);
	rep_html_str(f, s->code ? s->code : "");
	fputs("</td><td><i>", f);
	rep_html_str(f, s->commune ? s->commune : "");
	if (lang == REP_EN)
		fprintf(f, ", %04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday);
	else
		fprintf(f, ", ngày %02d tháng %02d năm %04d", tm.tm_mday, tm.tm_mon + 1,
		    tm.tm_year + 1900);
	fputs("</i></td></tr>\n</table>\n<h1>", f);
	rep_html_str(f, rep_label(lang, title));
	fputs("</h1>\n<p class=\"sub\">", f);
	rep_html_str(f, rep_label(lang, RL_SUBTITLE));
	fputs("<br/>", f);
	rep_html_str(f, rep_label(lang, RL_PERIOD));
	/* A named period says its name; --from/--to's dates follow anyway. */
	if (strchr(p->label, '.') == NULL)
		fprintf(f, " %s", p->label);
	fputs(": ", f);
	rep_html_str(f, rep_label(lang, RL_FROM));
	fprintf(f, " %s ", from);
	rep_html_str(f, lang == REP_EN ? "to" : "đến ngày");
	fprintf(f, " %s</p>\n", to);
}

void
rep_html_end(FILE *f, enum rep_lang lang, const struct rep_station *s)
{
	const char *p;

	(void)s;
	fputs("<table class=\"sign\">\n<tr><td style=\"text-align: left\"><b><i>", f);
	rep_html_str(f, rep_label(lang, RL_RECIPIENTS));
	fputs("</i></b><br/>", f);
	for (p = rep_label(lang, RL_RECIPIENTS_TEXT); *p != '\0'; p++) {
		if (*p == '\n')
			fputs("<br/>", f);
		else
			fputc(*p, f);
	}
	fputs("</td>\n<td><b>", f);
	rep_html_str(f, rep_label(lang, RL_PREPARER));
	fputs("</b><br/><i>", f);
	rep_html_str(f, rep_label(lang, RL_SIGN_HINT));
	fputs("</i><br/><br/><br/><br/></td></tr>\n<tr><td></td><td><b>", f);
	rep_html_str(f, rep_label(lang, RL_HEAD));
	fputs("</b><br/><i>", f);
	rep_html_str(f, rep_label(lang, RL_SIGN_HINT));
	fputs("</i><br/><br/><br/><br/></td></tr>\n</table>\n</body>\n</html>\n", f);
}
