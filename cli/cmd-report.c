/*
 * loaxa report: the coverage report of this station for a period, or with
 * --merge the district report over many stations' signed exports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/file.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/reports.h"
#include "scheduler/history.h"
#include "store/store.h"

/*
 * The reports' timetable maths (struct rep_schedule): the occurrences of a
 * timetable history row, through scheduler/timetable.c. The reports module
 * uses only the store, so cli lends it this (to `loaxa web` too).
 */
int
cli_report_occurrences(const char *tz, const char *text, int64_t from, int64_t to,
    struct rep_occurrence **out, size_t *n, char **cause)
{
	struct sched_occurrence *occ;
	struct config_slot *slots;
	size_t nslots, nocc, i;

	*out = NULL;
	*n = 0;
	if (sched_history_parse(text, &slots, &nslots, cause) != 0)
		return -1;
	if (sched_history_occurrences(slots, nslots, tz, from, to, &occ, &nocc,
	    cause) != 0) {
		sched_history_slots_free(slots, nslots);
		return -1;
	}
	*out = xcalloc(nocc + 1, sizeof **out);
	for (i = 0; i < nocc; i++) {
		(*out)[i].slot = xstrdup(slots[occ[i].slot].name);
		(*out)[i].start = occ[i].start;
		(*out)[i].end = occ[i].end;
		if (slots[occ[i].slot].relay != NULL)
			(*out)[i].relay = xstrdup(slots[occ[i].slot].relay);
	}
	*n = nocc;
	free(occ);
	sched_history_slots_free(slots, nslots);
	return 0;
}

/* The format an --out file's extension implies, or -1. */
static int
report_format_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return -1;
	if (strcmp(dot, ".txt") == 0)
		return REP_TEXT;
	return rep_format_parse(dot + 1);
}

/*
 * The period from --period or --from/--to; with neither, *p->label stays
 * empty. Prints the problem and returns -1 on a bad one.
 */
static int
report_period(const struct cmd_ctx *ctx, const char *period, const char *from,
    const char *to, struct rep_period *p)
{
	char *cause = NULL;
	int rc;

	memset(p, 0, sizeof *p);
	if (period != NULL && (from != NULL || to != NULL)) {
		fprintf(stderr, _("loaxa %s: give --period or --from and --to, not "
		    "both\n"), ctx->entry->name);
		return -1;
	}
	if ((from == NULL) != (to == NULL)) {
		fprintf(stderr, _("loaxa %s: --from and --to go together\n"),
		    ctx->entry->name);
		return -1;
	}
	if (period != NULL)
		rc = rep_period_parse(period, ctx->cfg->reports.calendar_periods, p,
		    &cause);
	else if (from != NULL)
		rc = rep_period_dates(from, to, p, &cause);
	else
		return 0;
	if (rc != 0) {
		fprintf(stderr, "loaxa %s: %s\n", ctx->entry->name, cause);
		free(cause);
	}
	return rc;
}

/*
 * Opens where the report goes: stdout, or a temporary file beside out that
 * report_close renames into place. *tmp gets its allocated path.
 */
static FILE *
report_open(const char *out, char **tmp)
{
	char *cause = NULL;
	FILE *f;
	int fd;

	*tmp = NULL;
	if (out == NULL)
		return stdout;
	if ((fd = file_tmp_open(out, NULL, 0666, tmp, &cause)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0) {
			xasprintf(&cause, "%s", strerror(errno));
			close(fd);
			unlink(*tmp);
			free(*tmp);
			*tmp = NULL;
		}
		fprintf(stderr, "%s: %s\n", out, cause);
		free(cause);
		return NULL;
	}
	return f;
}

/* Finishes the output: renames the temporary file, or removes it on failure. */
static int
report_close(FILE *f, const char *out, char *tmp, int ok)
{
	char *cause;

	if (f == stdout)
		return ok ? 0 : -1;
	if (fflush(f) != 0 || ferror(f))
		ok = 0;
	if (ok && file_tmp_commit(fileno(f), tmp, out, &cause) != 0) {
		fprintf(stderr, "%s: %s\n", out, cause);
		free(cause);
		ok = 0;
	}
	if (fclose(f) != 0)
		ok = 0;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : -1;
}

/* Writes one report (a station's or the district's) where the options say. */
static int
report_emit(const struct rep_coverage *c, const struct rep_merge *m, enum rep_format fmt,
    enum rep_lang lang, const char *out)
{
	int64_t now = (int64_t)time(NULL) * 1000;
	char *cause = NULL, *tmp;
	FILE *f;
	int rc;

	if (fmt == REP_XLSX) {
		rc = m ? rep_merge_write_xlsx(out, m, lang, &cause) :
		    rep_write_xlsx(out, c, lang, &cause);
		if (rc != 0) {
			fprintf(stderr, "%s: %s\n", out, cause);
			free(cause);
		}
		return rc;
	}
	if ((f = report_open(out, &tmp)) == NULL)
		return -1;
	rc = m ? rep_merge_write(f, m, fmt, lang, now, &cause) :
	    rep_write(f, c, fmt, lang, now, &cause);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", out ? out : _("(standard output)"), cause);
		free(cause);
	}
	return report_close(f, out, tmp, rc == 0);
}

/* The district report over the export files in argv. */
static int
report_merge(struct cmd_ctx *ctx, char **files, int nfiles, const struct rep_period *p,
    enum rep_format fmt, enum rep_lang lang, const char *out)
{
	struct rep_schedule sched = { cli_report_occurrences, (int64_t)time(NULL) * 1000 };
	struct rep_merge m;
	char *cause = NULL;
	size_t i;
	int rc;

	if (nfiles == 0) {
		fprintf(stderr, _("loaxa report: --merge needs the stations' export "
		    "files\n"));
		return cli_usage(ctx->entry);
	}
	if (rep_merge_sched(ctx->cfg, (const char *const *)files, (size_t)nfiles,
	    p->label[0] ? p : NULL, &sched, &m, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	for (i = 0; i < m.nrefused; i++)
		fprintf(stderr, _("%s: rejected: %s\n"), m.refused[i].file,
		    m.refused[i].why);
	rc = report_emit(NULL, &m, fmt, lang, out) != 0 ? EXIT_FAIL :
	    m.nrefused > 0 ? EXIT_REJECTED : EXIT_OK;
	rep_merge_clear(&m);
	return rc;
}

/* loaxa report [--period P | --from D --to D] [--format F] [--out FILE] [--lang L] */
static int
report_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *period = cli_opt(args, "period"), *from = cli_opt(args, "from");
	const char *to = cli_opt(args, "to"), *format = cli_opt(args, "format");
	const char *out = cli_opt(args, "out"), *lang_s = cli_opt(args, "lang");
	int merge = cli_opt(args, "merge") != NULL;
	struct rep_schedule sched = { cli_report_occurrences, (int64_t)time(NULL) * 1000 };
	struct rep_coverage cov;
	struct store *st = NULL;
	struct rep_period p;
	enum rep_lang lang;
	char *cause = NULL;
	int fmt, rc;

	if (!merge && args->argc != 0)
		return cli_usage(ctx->entry);
	if (lang_s == NULL)
		lang_s = "vi";
	if (format != NULL)
		fmt = rep_format_parse(format);
	else if (out != NULL && report_format_of(out) >= 0)
		fmt = report_format_of(out);
	else
		fmt = REP_TEXT;
	if (fmt < 0) {
		fprintf(stderr, _("loaxa report: unknown format '%s' (text, csv, json, "
		    "html or xlsx)\n"), format);
		return EXIT_USAGE;
	}
	if (fmt == REP_XLSX && out == NULL) {
		fprintf(stderr, _("loaxa report: XLSX needs --out FILE.xlsx\n"));
		return EXIT_USAGE;
	}
	if (strcmp(lang_s, "vi") == 0)
		lang = REP_VI;
	else if (strcmp(lang_s, "en") == 0)
		lang = REP_EN;
	else {
		fprintf(stderr, _("loaxa report: unknown language '%s' (vi or en)\n"),
		    lang_s);
		return EXIT_USAGE;
	}
	setenv("TZ", ctx->cfg->station.timezone, 1);
	tzset();
	if (report_period(ctx, period, from, to, &p) != 0)
		return EXIT_USAGE;
	if (merge)
		return report_merge(ctx, args->argv, args->argc, &p,
		    (enum rep_format)fmt, lang, out);
	if (p.label[0] == '\0') {
		fprintf(stderr, _("loaxa report: which period? --period "
		    "2026-H1|2026-9M|2026 or --from DATE --to DATE\n"));
		return cli_usage(ctx->entry);
	}
	if (cli_open_store(ctx, &st) != 0)
		return EXIT_FAIL;
	/*
	 * Slots scheduled come from the timetable history the daemon records;
	 * a store without any takes this configuration's timetable as in force
	 * since the store was created.
	 */
	if ((rc = sched_history_ensure(st, ctx->cfg, sched.now, &cause)) >= 0)
		rc = rep_coverage_sched(store_db(st), ctx->cfg, &p, &sched, &cov, &cause);
	store_close(&st);
	if (rc != 0) {
		fprintf(stderr, "%s/%s: %s\n", ctx->cfg->paths.data, STORE_DB_NAME, cause);
		free(cause);
		return EXIT_FAIL;
	}
	rc = report_emit(&cov, NULL, (enum rep_format)fmt, lang, out) == 0 ? EXIT_OK :
	    EXIT_FAIL;
	rep_coverage_clear(&cov);
	return rc;
}

const struct cmd_entry cmd_report = {
	.name = "report",
	.usage = "[--period 2026-H1|2026-9M|2026 | --from DATE --to DATE] "
	    "[--format text|csv|json|html|xlsx] [--out FILE] [--lang vi|en] "
	    "[--merge FILE...]",
	.summary = N_("the 6-month, 9-month or annual coverage report, or a district merge (báo cáo)"),
	.help = N_(
	    "The station's coverage for a period: slots scheduled, aired and missed\n"
	    "(by reason) and the compliance rate; airings and minutes per topic; per\n"
	    "bulletin the producer, airings, minutes, the required minimum and whether\n"
	    "it was met (completed airings count), first and last airing; interruptions\n"
	    "and failures.\n"
	    "\n"
	    "  --period P        YYYY-H1 (15 Dec of the year before to 14 Jun), YYYY-9M\n"
	    "                    (to 14 Sep), YYYY (to 14 Dec); with reports.periods =\n"
	    "                    \"calendar\", 1 Jan to 30 Jun, 30 Sep, 31 Dec\n"
	    "  --from D --to D   any window, YYYY-MM-DD, inclusive local days\n"
	    "  --format F        text (default), csv (UTF-8 with a BOM, for Excel), json,\n"
	    "                    html (a printable A4 page), xlsx (needs --out); the --out\n"
	    "                    file's extension picks it when --format is absent\n"
	    "  --out FILE        write there (atomically) instead of standard output\n"
	    "  --lang vi|en      labels in Vietnamese (default) or English\n"
	    "  --merge FILE...   district level: verify each station's signed export\n"
	    "                    (loaxa export) against trust.stations and report per\n"
	    "                    station, totals, per topic; each trusted station is\n"
	    "                    accepted, rejected (with why) or missing (sent\n"
	    "                    nothing); every refused export is named on stderr and\n"
	    "                    in the report, and the exit status is 3\n"),
	.flags = CMD_CONFIG,
	.args = { "period: from: to: format: out: lang: merge", 0, -1 },
	.exec = report_exec,
};
