/* loaxa list and loaxa show: the library as a table, CSV or JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/csv.h"
#include "common/date.h"
#include "common/i18n.h"
#include "common/json.h"
#include "common/tag.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"

enum list_format { FMT_TABLE, FMT_CSV, FMT_JSON };

/* Parses --format; -1 after printing the problem. */
static int
list_format(const char *cmd, const char *s)
{
	if (strcmp(s, "table") == 0)
		return FMT_TABLE;
	if (strcmp(s, "csv") == 0)
		return FMT_CSV;
	if (strcmp(s, "json") == 0)
		return FMT_JSON;
	fprintf(stderr, _("loaxa %s: unknown format '%s' (table, csv or json)\n"), cmd,
	    s);
	return -1;
}

/* ms since the epoch as local ISO 8601 with milliseconds and offset; "" for 0. */
static void
iso_time(int64_t ms, char buf[DATE_ISO8601_LEN])
{
	if (ms == 0)
		buf[0] = '\0';
	else
		date_iso8601(ms, buf);
}

/* A number, or null when not finite. */
static void
json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.2f", v);
	else
		fputs("null", f);
}

/* Room for every tag of a bulletin, separated by at most two bytes. */
#define TAGS_TEXT (LIB_TAGS_MAX * (TAG_MAX + 2) + 1)

/* The tags of b joined by sep into buf ("" for none). */
static void
tags_text(const struct lib_bulletin *b, const char *sep, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < b->ntags && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? sep : "",
		    b->tags[i]);
}

/* The fields of one bulletin as JSON members (without braces). */
static void
json_bulletin(FILE *f, const struct lib_bulletin *b)
{
	char t[64];
	size_t i;

	fprintf(f, "\"id\":%lld,\"title\":", (long long)b->id);
	json_write(f, b->title);
	fputs(",\"topic\":", f);
	json_write(f, b->topic);
	fputs(",\"agency\":", f);
	json_write(f, b->agency);
	fputs(",\"tags\":[", f);
	for (i = 0; i < b->ntags; i++) {
		fputs(i ? "," : "", f);
		json_write(f, b->tags[i]);
	}
	fputs("],\"status\":", f);
	json_write(f, b->status);
	fputs(",\"priority\":", f);
	json_write(f, b->priority);
	fputs(",\"sha256\":", f);
	json_write(f, b->sha256);
	fprintf(f, ",\"duration_ms\":%lld,\"valid_from\":", (long long)b->duration_ms);
	json_write(f, b->valid_from);
	fputs(",\"valid_until\":", f);
	json_write(f, b->valid_until);
	fprintf(f, ",\"min_airings\":%d,\"format\":", b->min_airings);
	json_write(f, b->format);
	fprintf(f, ",\"sample_rate\":%d,\"channels\":%d,\"size\":%lld,"
	    "\"loudness_lufs\":", b->sample_rate, b->channels, (long long)b->size);
	json_num(f, b->loudness_lufs);
	fputs(",\"true_peak_dbtp\":", f);
	json_num(f, b->true_peak_dbtp);
	fputs(",\"approved_sha256\":", f);
	json_write(f, b->approved_sha256);
	fputs(",\"approved_by\":", f);
	json_write(f, b->approved_by);
	iso_time(b->approved_at, t);
	fputs(",\"approved_at\":", f);
	json_write(f, t[0] ? t : NULL);
	iso_time(b->imported_at, t);
	fputs(",\"imported_at\":", f);
	json_write(f, t);
	fputs(",\"source\":", f);
	json_write(f, b->source);
	fputs(",\"path\":", f);
	json_write(f, b->path);
}

/* UTF-8 with a byte-order mark, so that Excel shows Vietnamese titles intact. */
static const char csv_header[] = "\xef\xbb\xbf" "id,title,topic,agency,status,priority,sha256,"
    "duration_ms,valid_from,valid_until,min_airings,format,loudness_lufs,"
    "true_peak_dbtp,approved_by,approved_at,imported_at,path,tags\n";

/* One CSV row in csv_header's order; the tags separated by spaces. */
static void
csv_bulletin(FILE *f, const struct lib_bulletin *b)
{
	char t[64], tags[TAGS_TEXT];

	fprintf(f, "%lld,", (long long)b->id);
	csv_str(f, b->title);
	fputc(',', f);
	csv_str(f, b->topic);
	fputc(',', f);
	csv_str(f, b->agency);
	fprintf(f, ",%s,%s,%s,%lld,", b->status, b->priority, b->sha256,
	    (long long)b->duration_ms);
	csv_str(f, b->valid_from);
	fputc(',', f);
	csv_str(f, b->valid_until);
	fprintf(f, ",%d,%s,", b->min_airings, b->format);
	if (isfinite(b->loudness_lufs))
		fprintf(f, "%.2f", b->loudness_lufs);
	fputc(',', f);
	if (isfinite(b->true_peak_dbtp))
		fprintf(f, "%.2f", b->true_peak_dbtp);
	fputc(',', f);
	csv_str(f, b->approved_by);
	iso_time(b->approved_at, t);
	fprintf(f, ",%s,", t);
	iso_time(b->imported_at, t);
	fprintf(f, "%s,", t);
	csv_str(f, b->path);
	tags_text(b, " ", tags, sizeof tags);
	fprintf(f, ",%s\n", tags);
}

/* "m:ss" for a duration. */
static void
mmss(int64_t ms, char *buf, size_t len)
{
	snprintf(buf, len, "%lld:%02lld", (long long)(ms / 60000),
	    (long long)(ms / 1000 % 60));
}

/* A column heading right-aligned in width columns, as the terminal counts them. */
static void
list_right(const char *s, int width)
{
	utf8_pad(stdout, "", width - (int)utf8_width(s));
	fputs(s, stdout);
}

/*
 * The table's headings, in the reader's language, padded by the columns the
 * terminal shows (a Vietnamese heading has more bytes than letters).
 */
static void
list_head(void)
{
	list_right(_("ID"), 5);
	fputs("  ", stdout);
	utf8_pad(stdout, _("STATUS"), 8);
	fputs("  ", stdout);
	utf8_pad(stdout, _("PRIORITY"), 9);
	fputs("  ", stdout);
	utf8_pad(stdout, _("TOPIC"), 11);
	fputs("  ", stdout);
	list_right(_("LENGTH"), 6);
	fputs("  ", stdout);
	utf8_pad(stdout, _("VALID"), 23);
	fputs("  ", stdout);
	utf8_pad(stdout, _("TAGS"), 11);
	printf("  %s\n", _("TITLE"));
}

static int
list_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const statuses[] = { "pending", "approved", "rejected",
		"retired", NULL };
	const char *status = cli_opt(args, "status"), *topic = cli_opt(args, "topic");
	const char *format = cli_opt(args, "format");
	struct lib_bulletin *all = NULL;
	struct library *lib = NULL;
	struct store *st = NULL;
	char *cause = NULL, len[32], valid[32];
	char tags[TAGS_TEXT];
	int fmt = FMT_TABLE, ok, rc = EXIT_OK;
	size_t n, i;

	if (format != NULL && (fmt = list_format("list", format)) < 0)
		return EXIT_USAGE;
	if (status != NULL) {
		for (ok = 0, i = 0; statuses[i] != NULL; i++)
			ok |= strcmp(statuses[i], status) == 0;
		if (!ok) {
			fprintf(stderr, _("loaxa list: unknown status '%s' (pending, "
			    "approved, rejected or retired)\n"), status);
			return EXIT_USAGE;
		}
	}
	if (topic != NULL && conf_topic(ctx->cfg, topic) == NULL) {
		fprintf(stderr, _("loaxa %s: unknown topic '%s'; known topics:"), "list",
		    topic);
		for (i = 0; i < ctx->cfg->ntopics; i++)
			fprintf(stderr, "%s %s", i ? "," : "", ctx->cfg->topics[i].key);
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	if (cli_open_library(ctx, &st, &lib) != 0)
		return EXIT_FAIL;
	if (lib_list(lib, status, topic, &all, &n, &cause) != 0) {
		fprintf(stderr, "%s: %s\n", ctx->cfg->paths.data, cause);
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	if (fmt == FMT_JSON) {
		fputc('[', stdout);
		for (i = 0; i < n; i++) {
			fputs(i ? ",\n{" : "\n{", stdout);
			json_bulletin(stdout, &all[i]);
			fputc('}', stdout);
		}
		fputs("\n]\n", stdout);
	} else if (fmt == FMT_CSV) {
		fputs(csv_header, stdout);
		for (i = 0; i < n; i++)
			csv_bulletin(stdout, &all[i]);
	} else if (n == 0 && status != NULL && topic != NULL)
		printf(_("no bulletins %s in topic %s\n"), cli_status_text(status), topic);
	else if (n == 0 && status != NULL)
		printf(_("no bulletins %s\n"), cli_status_text(status));
	else if (n == 0 && topic != NULL)
		printf(_("no bulletins in topic %s\n"), topic);
	else if (n == 0)
		printf(_("no bulletins\n"));
	else {
		list_head();
		for (i = 0; i < n; i++) {
			mmss(all[i].duration_ms, len, sizeof len);
			snprintf(valid, sizeof valid, "%s..%s",
			    all[i].valid_from ? all[i].valid_from : "",
			    all[i].valid_until ? all[i].valid_until : "");
			tags_text(&all[i], ",", tags, sizeof tags);
			printf("%5lld  %-8s  %-9s  %-11s  %6s  ",
			    (long long)all[i].id, all[i].status, all[i].priority,
			    all[i].topic ? all[i].topic : "-", len);
			utf8_pad(stdout, strcmp(valid, "..") == 0 ? _("always") : valid, 23);
			printf("  %-11s  %s\n", tags[0] ? tags : "-", all[i].title);
		}
	}
	lib_bulletins_free(&all, n);
out:
	lib_free(&lib);
	store_close(&st);
	return rc;
}

const struct cmd_entry cmd_list = {
	.name = "list",
	.usage = "[--status S] [--topic KEY] [--format table|csv|json]",
	.summary = N_("list the bulletins in the library (danh sách bản tin)"),
	.flags = CMD_CONFIG,
	.args = { "status: topic: format:", 0, 0 },
	.help = N_(
	    "Lists every bulletin with its id, status, priority, topic, length,\n"
	    "validity, tags and title. Only approved bulletins inside their validity\n"
	    "air. JSON gives the tags as an array \"tags\"; CSV as a column \"tags\",\n"
	    "separated by spaces.\n"
	    "\n"
	    "options:\n"
	    "  --status S      only pending, approved, rejected or retired ones\n"
	    "  --topic KEY     only this topic\n"
	    "  --format F      table (default), csv (opens in Excel) or json\n"
	    "\n"
	    "examples:\n"
	    "  loaxa list --status pending\n"
	    "  loaxa list --format csv > ban-tin.csv\n"),
	.exec = list_exec,
};

static int
show_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct library *lib = NULL;
	struct store *st = NULL;
	struct lib_bulletin b;
	struct lib_event *ev = NULL;
	const struct config_topic *tp;
	char *cause = NULL, t[64], len[32];
	char tags[TAGS_TEXT];
	const char *format = cli_opt(args, "format");
	int fmt = FMT_TABLE, rc = EXIT_OK;
	long long id;
	size_t n = 0, i;

	if (format != NULL && (fmt = list_format("show", format)) < 0)
		return EXIT_USAGE;
	if ((id = cli_bulletin_id("show", args->argv[0])) == 0)
		return EXIT_USAGE;
	if (cli_open_library(ctx, &st, &lib) != 0)
		return EXIT_FAIL;
	if ((rc = lib_get(lib, id, &b, &cause)) != 0 ||
	    (rc = lib_events(lib, id, &ev, &n, &cause)) != 0) {
		fprintf(stderr, "%s: %s\n", rc == LIB_REJECTED ? args->argv[0] :
		    ctx->cfg->paths.data, cause);
		free(cause);
		if (rc == 0)
			lib_bulletin_clear(&b);
		rc = rc == LIB_REJECTED ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	if (fmt == FMT_JSON) {
		fputc('{', stdout);
		json_bulletin(stdout, &b);
		fputs(",\"history\":[", stdout);
		for (i = 0; i < n; i++) {
			iso_time(ev[i].at, t);
			printf("%s{\"at\":\"%s\",\"actor\":", i ? "," : "", t);
			json_write(stdout, ev[i].actor);
			printf(",\"action\":\"%s\",\"from\":", ev[i].action);
			json_write(stdout, ev[i].from_status);
			printf(",\"to\":\"%s\",\"reason\":", ev[i].to_status);
			json_write(stdout, ev[i].reason);
			printf(",\"sha256\":\"%s\"}", ev[i].sha256);
		}
		fputs("]}\n", stdout);
	} else if (fmt == FMT_CSV) {
		fputs(csv_header, stdout);
		csv_bulletin(stdout, &b);
	} else {
		tp = b.topic ? conf_topic(ctx->cfg, b.topic) : NULL;
		mmss(b.duration_ms, len, sizeof len);
		printf(_("bulletin %lld: %s\n"), (long long)b.id, b.title);
		printf(_("  status       %s\n"), cli_status_text(b.status));
		printf(_("  topic        %s%s%s%s\n"), b.topic ? b.topic : "-",
		    tp ? " (" : "", tp ? tp->name : "", tp ? ")" : "");
		printf(_("  agency       %s\n"), b.agency ? b.agency : "-");
		tags_text(&b, ", ", tags, sizeof tags);
		printf(_("  tags         %s\n"), tags[0] ? tags : "-");
		printf(_("  priority     %s\n"), b.priority);
		printf(_("  valid        %s .. %s\n"), b.valid_from ? b.valid_from :
		    _("any day"), b.valid_until ? b.valid_until : _("no end"));
		printf(_("  min airings  %d\n"), b.min_airings);
		printf(_("  audio        %s, %d Hz, %d ch, %s (%lld ms), %lld bytes\n"),
		    b.format, b.sample_rate, b.channels, len, (long long)b.duration_ms,
		    (long long)b.size);
		if (isfinite(b.loudness_lufs))
			printf(_("  loudness     %.1f LUFS, true peak %.1f dBTP\n"),
			    b.loudness_lufs, b.true_peak_dbtp);
		printf(_("  sha256       %s\n"), b.sha256);
		if (b.approved_sha256 != NULL) {
			iso_time(b.approved_at, t);
			printf(_("  approved     by %s at %s (SHA-256 %s)\n"), b.approved_by,
			    t, b.approved_sha256);
		}
		printf(_("  file         %s\n"), b.path);
		printf(_("  source       %s\n"), b.source ? b.source : "-");
		printf(_("history:\n"));
		for (i = 0; i < n; i++) {
			iso_time(ev[i].at, t);
			printf(_("  %s  %-8s %s -> %s by %s%s%s\n"), t, ev[i].action,
			    ev[i].from_status ? ev[i].from_status : _("(new)"),
			    ev[i].to_status, ev[i].actor, ev[i].reason ? ": " : "",
			    ev[i].reason ? ev[i].reason : "");
		}
	}
	lib_events_free(&ev, n);
	lib_bulletin_clear(&b);
out:
	lib_free(&lib);
	store_close(&st);
	return rc;
}

const struct cmd_entry cmd_show = {
	.name = "show",
	.usage = "[--format table|csv|json] ID",
	.summary = N_("one bulletin: its details and its approval history"),
	.flags = CMD_CONFIG,
	.args = { "format:", 1, 1 },
	.help = N_(
	    "Shows everything the library knows about bulletin ID (from `loaxa list`):\n"
	    "title, topic, producer, tags, validity, audio measurements, the SHA-256\n"
	    "that was approved, and every change with who made it, when and why.\n"
	    "\n"
	    "options:\n"
	    "  --format F   table (default), csv or json (json includes the history)\n"
	    "\n"
	    "example:\n"
	    "  loaxa show 12\n"),
	.exec = show_exec,
};
