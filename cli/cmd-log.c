/* loaxa log: the airing log as a table, CSV or JSON, in the station's time zone. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/csv.h"
#include "common/date.h"
#include "common/json.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/reports.h"
#include "store/store.h"

enum log_format { LOG_TABLE, LOG_CSV, LOG_JSON };

struct log_out {
	FILE *f;
	enum log_format fmt;
	const char *station;
	size_t n;
};

/* A time as ISO 8601, or empty when there is none. */
static const char *
log_time(int64_t ms, char buf[DATE_ISO8601_LEN])
{
	if (ms == 0)
		buf[0] = '\0';
	else
		date_iso8601(ms, buf);
	return buf;
}

/* Writes one JSON time field value. */
static void
log_json_time(FILE *f, int64_t ms)
{
	char buf[DATE_ISO8601_LEN];

	if (ms == 0)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", log_time(ms, buf));
}

/* How long a relay was interrupted, all its interruptions together. */
static int64_t
log_interrupted_ms(const struct rep_airing *a)
{
	int64_t ms = 0;
	size_t i;

	for (i = 0; i < a->ninterruptions; i++)
		ms += a->interruptions[i].duration_ms;
	return ms;
}

/* A relay's interruptions as a JSON array. */
static void
log_json_interruptions(FILE *f, const struct rep_airing *a)
{
	size_t i;

	fputs(", \"interruptions\": [", f);
	for (i = 0; i < a->ninterruptions; i++) {
		const struct rep_interruption *in = &a->interruptions[i];

		fputs(i ? ", {\"at\": " : "{\"at\": ", f);
		log_json_time(f, in->at);
		fprintf(f, ", \"duration_ms\": %" PRId64 ", \"reason\": ", in->duration_ms);
		json_write(f, in->reason);
		fputs(", \"detail\": ", f);
		json_write(f, in->detail);
		fputs(", \"fallback\": ", f);
		json_write(f, in->fallback);
		fputc('}', f);
	}
	fputc(']', f);
}

/* A relay's interruptions in the table, a line each under its row. */
static void
log_table_interruptions(FILE *f, const struct rep_airing *a)
{
	char at[DATE_ISO8601_LEN];
	size_t i;

	for (i = 0; i < a->ninterruptions; i++) {
		const struct rep_interruption *in = &a->interruptions[i];

		fprintf(f, _("%-8s interrupted %.8s for %" PRId64 " s: %s%s%s; fallback: %s\n"),
		    "", log_time(in->at, at) + 11, (in->duration_ms + 500) / 1000,
		    in->reason, in->detail ? ": " : "", in->detail ? in->detail : "",
		    in->fallback ? in->fallback : _("nothing"));
	}
}

/* Writes one airing in the chosen format. */
static int
log_row(const struct rep_airing *a, void *arg)
{
	struct log_out *o = arg;
	char s[DATE_ISO8601_LEN], st[DATE_ISO8601_LEN], en[DATE_ISO8601_LEN];
	FILE *f = o->f;

	if (o->fmt == LOG_JSON) {
		fprintf(f, "%s\n  {\"id\": %" PRId64 ", \"station\": ", o->n ? "," : "",
		    a->id);
		json_write(f, o->station);
		fputs(", \"bulletin\": ", f);
		if (a->bulletin_id)
			fprintf(f, "%" PRId64, a->bulletin_id);
		else
			fputs("null", f);
		fputs(", \"title\": ", f);
		json_write(f, a->title);
		fputs(", \"topic\": ", f);
		json_write(f, a->topic);
		fputs(", \"topic_name\": ", f);
		json_write(f, a->topic_name);
		fputs(", \"agency\": ", f);
		json_write(f, a->agency);
		fputs(", \"sha256\": ", f);
		json_write(f, a->sha256);
		fputs(", \"slot\": ", f);
		json_write(f, a->slot);
		fputs(", \"slot_start\": ", f);
		log_json_time(f, a->slot_start);
		fputs(", \"priority\": ", f);
		json_write(f, a->priority);
		fputs(", \"scheduled_at\": ", f);
		log_json_time(f, a->scheduled_at);
		fputs(", \"started_at\": ", f);
		log_json_time(f, a->started_at);
		fputs(", \"ended_at\": ", f);
		log_json_time(f, a->ended_at);
		fprintf(f, ", \"played_ms\": %" PRId64 ", \"outcome\": ", a->played_ms);
		json_write(f, a->outcome);
		fputs(", \"reason\": ", f);
		json_write(f, a->reason);
		fputs(", \"detail\": ", f);
		json_write(f, a->detail);
		fputs(", \"source\": ", f);
		json_write(f, a->source);
		if (a->source != NULL)
			log_json_interruptions(f, a);
		fputc('}', f);
	} else if (o->fmt == LOG_CSV) {
		fprintf(f, "%" PRId64 ",", a->id);
		csv_str(f, o->station);
		fputc(',', f);
		if (a->bulletin_id)
			fprintf(f, "%" PRId64, a->bulletin_id);
		fputc(',', f);
		csv_str(f, a->title);
		fputc(',', f);
		csv_str(f, a->topic);
		fputc(',', f);
		csv_str(f, a->sha256);
		fputc(',', f);
		csv_str(f, a->slot);
		fprintf(f, ",%s,%s,%s,%s,%" PRId64 ",%s,", a->priority,
		    log_time(a->scheduled_at, s), log_time(a->started_at, st),
		    log_time(a->ended_at, en), a->played_ms, a->outcome);
		csv_str(f, a->reason);
		fputc(',', f);
		csv_str(f, a->detail);
		fputc(',', f);
		csv_str(f, a->source);
		if (a->source != NULL)
			fprintf(f, ",%zu,%" PRId64, a->ninterruptions, log_interrupted_ms(a));
		else
			fputs(",,", f);
		fputs("\r\n", f);
	} else {
		if (log_time(a->scheduled_at, s)[0] == '\0')
			fprintf(f, "%-8" PRId64 " %-19s  ", a->id, "-");
		else
			fprintf(f, "%-8" PRId64 " %.10s %.8s  ", a->id, s, s + 11);
		utf8_pad(f, a->slot ? a->slot : "-", 16);
		if (a->bulletin_id)
			fprintf(f, " %-6" PRId64 " ", a->bulletin_id);
		else
			fputs(" -      ", f);
		if (a->source != NULL && a->title == NULL) {
			char *t;

			xasprintf(&t, _("relay %s"), a->source);
			utf8_pad(f, t, 28);
			free(t);
		} else
			utf8_pad(f, a->title ? a->title : "", 28);
		fprintf(f, " %7.1f  %-11s %s%s%s\n", (double)a->played_ms / 60000.0,
		    a->outcome, a->reason ? a->reason : "", a->detail ? ": " : "",
		    a->detail ? a->detail : "");
		log_table_interruptions(f, a);
	}
	o->n++;
	return 0;
}

/* Parses the window: --from and --to dates (inclusive), either may be absent. */
static int
log_window(const char *from, const char *to, int64_t *from_ms, int64_t *to_ms)
{
	char *cause = NULL;

	*from_ms = 0;
	*to_ms = INT64_MAX;
	if (from != NULL && rep_date_ms(from, from_ms, &cause) != 0) {
		fprintf(stderr, _("loaxa log: --from: %s\n"), cause);
		free(cause);
		return -1;
	}
	if (to != NULL) {
		struct rep_period day;

		if (rep_date_ms(to, to_ms, &cause) != 0 ||
		    rep_period_dates(to, to, &day, &cause) != 0) {
			fprintf(stderr, _("loaxa log: --to: %s\n"), cause);
			free(cause);
			return -1;
		}
		*to_ms = day.to_ms; /* the next local midnight, whatever the zone's DST */
	}
	if (*to_ms <= *from_ms) {
		fprintf(stderr, _("loaxa log: --to %s is before --from %s\n"), to, from);
		return -1;
	}
	return 0;
}

/* loaxa log [--from DATE] [--to DATE] [--format table|csv|json] */
/*
 * The table's headings in the reader's language, padded by the columns the
 * terminal shows (a Vietnamese heading has more bytes than letters).
 */
static void
log_head(void)
{
	const char *min = _("MINUTES");

	utf8_pad(stdout, _("ID"), 8);
	fputc(' ', stdout);
	utf8_pad(stdout, _("SCHEDULED"), 19);
	fputs("  ", stdout);
	utf8_pad(stdout, _("SLOT"), 16);
	fputc(' ', stdout);
	utf8_pad(stdout, _("ITEM"), 6);
	fputc(' ', stdout);
	utf8_pad(stdout, _("TITLE"), 28);
	fputc(' ', stdout);
	utf8_pad(stdout, "", 7 - (int)utf8_width(min));
	fputs(min, stdout);
	fputs("  ", stdout);
	utf8_pad(stdout, _("OUTCOME"), 11);
	printf(" %s\n", _("REASON"));
}

static int
log_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *from = cli_opt(args, "from"), *to = cli_opt(args, "to");
	const char *format = cli_opt(args, "format");
	struct log_out o = { stdout, LOG_TABLE, NULL, 0 };
	struct store *st = NULL;
	int64_t from_ms, to_ms;
	char *cause = NULL;
	int rc;

	if (format == NULL)
		format = "table";
	if (strcmp(format, "table") == 0)
		o.fmt = LOG_TABLE;
	else if (strcmp(format, "csv") == 0)
		o.fmt = LOG_CSV;
	else if (strcmp(format, "json") == 0)
		o.fmt = LOG_JSON;
	else {
		fprintf(stderr, _("loaxa log: unknown format '%s' (table, csv or json)\n"),
		    format);
		return EXIT_USAGE;
	}
	setenv("TZ", ctx->cfg->station.timezone, 1);
	tzset();
	if (log_window(from, to, &from_ms, &to_ms) != 0)
		return EXIT_USAGE;
	if (cli_open_store(ctx, &st) != 0)
		return EXIT_FAIL;
	o.station = ctx->cfg->station.code;
	if (o.fmt == LOG_JSON)
		fputc('[', stdout);
	else if (o.fmt == LOG_CSV)
		/* UTF-8 with a byte-order mark, so that Excel shows Vietnamese intact. */
		fputs("\xef\xbb\xbf" "id,station,bulletin,title,topic,sha256,slot,priority,"
		    "scheduled_at,started_at,ended_at,played_ms,outcome,reason,detail,source,"
		    "interruptions,interrupted_ms\r\n", stdout);
	else
		log_head();
	rc = rep_log_each(store_db(st), ctx->cfg, from_ms, to_ms, log_row, &o, &cause);
	store_close(&st);
	if (o.fmt == LOG_JSON)
		fputs(o.n ? "\n]\n" : "]\n", stdout);
	if (rc != 0) {
		fprintf(stderr, "%s/%s: %s\n", ctx->cfg->paths.data, STORE_DB_NAME, cause);
		free(cause);
		return EXIT_FAIL;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, _("loaxa log: cannot write the output\n"));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

const struct cmd_entry cmd_log = {
	.name = "log",
	.usage = "[--from DATE] [--to DATE] [--format table|csv|json]",
	.summary = N_("the airing log: every play, interruption, failure, missed slot (nhật ký phát)"),
	.help =
	    N_("One row per airing (or per slot that did not air), oldest first.\n"
	    "\n"
	    "  --from DATE, --to DATE   YYYY-MM-DD, inclusive whole days in the\n"
	    "                           station's time zone (default: everything)\n"
	    "  --format FORMAT          table (default), csv (opens in Excel), json\n"
	    "\n"
	    "JSON is an array of objects with id, station, bulletin, title, topic,\n"
	    "sha256, slot, priority, scheduled_at, started_at, ended_at (ISO 8601 with\n"
	    "milliseconds and the UTC offset; null where it never started), played_ms,\n"
	    "outcome (completed, interrupted, failed, missed, skipped, or playing while\n"
	    "on air), reason (a code: controller off, device, tampered, ...; see\n"
	    "loaxa(1)) and detail (what else is known: the file, the device's\n"
	    "message), source (a relay's source by name, else null) and, on a\n"
	    "relay's row, interruptions: an array of objects with at, duration_ms,\n"
	    "reason (source unreachable, source lost, source silent), detail and\n"
	    "fallback (what the fallback aired meanwhile). CSV has the same columns,\n"
	    "a relay's interruptions as their count and total (interrupted_ms).\n"),
	.flags = CMD_CONFIG,
	.args = { "from: to: format:", 0, 0 },
	.exec = log_exec,
};
