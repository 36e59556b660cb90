/*
 * loaxa plan: a dry run of the timetable, slot by slot and item by item, with
 * the daemon's own selection (scheduler/plan.h) over the library and the
 * airing log so far; then, per bulletin with a required minimum, whether the
 * plan meets it by its end date.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/json.h"
#include "common/log.h"
#include "common/now.h"
#include "config/config.h"
#include "reports/reports.h"
#include "scheduler/plan.h"
#include "store/store.h"

#define DAY_MS 86400000LL
#define PLAN_MAX_DAYS 366

enum { FMT_TABLE, FMT_JSON };

/* Milliseconds on the monotonic clock, for timing the simulation. */
static double
plan_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Where a plan without --from starts: at the nominal start of the slot on air
 * at now (or waiting behind an overlap to air), else at now. What already
 * aired before now is in the log. -1 with *cause.
 */
static int
plan_on_air(const struct config *cfg, int64_t now, int64_t *from, char **cause)
{
	struct sched_occurrence *o = NULL;
	size_t n = 0;

	*from = now;
	if (sched_next_occurrences(cfg->slots, cfg->nslots, cfg->station.timezone, now,
	    1, &o, &n, cause) != 0)
		return -1;
	if (n == 1 && o[0].start < now)
		*from = o[0].start;
	free(o);
	return 0;
}

/* The local time of ms: ISO 8601 with the offset (iso) or "YYYY-MM-DD HH:MM:SS". */
static void
plan_time(const char *tz, int64_t ms, int iso, char *out, size_t len)
{
	char *cause = NULL;

	if (sched_format_iso(tz, ms, out, len, &cause) != 0) {
		snprintf(out, len, "?");
		free(cause);
		return;
	}
	if (!iso && strlen(out) >= 19) {
		out[10] = ' ';
		out[19] = '\0';
	}
}

/* "1h02m03s"-style length for the table. */
static void
plan_len(int64_t ms, char *out, size_t len)
{
	long long s = (long long)((ms + 500) / 1000);

	if (s >= 3600)
		snprintf(out, len, "%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, len, "%lldm%02llds", s / 60, s % 60);
}

static const char *
plan_role(int role)
{
	return role == PL_INTRO ? "intro" : role == PL_OUTRO ? "outro" : "item";
}

/* Prints the plan as a table for people. */
static void
plan_table(const struct config *cfg, const struct sched_plan *pl, FILE *f)
{
	const char *tz = cfg->station.timezone;
	const struct sched_plan_entry *e;
	const struct config_slot *sl;
	const struct pl_candidate *c;
	const struct sched_plan_quota *q;
	char a[40], b[40], len[32], d[11];
	size_t i, j;

	plan_time(tz, pl->from, 0, a, sizeof a);
	plan_time(tz, pl->to, 0, b, sizeof b);
	fprintf(f, ngettext("Plan for %s \"%s\" (%s), %s to %s: %zu slot occurrence\n",
	    "Plan for %s \"%s\" (%s), %s to %s: %zu slot occurrences\n", pl->nentries),
	    cfg->station.code ? cfg->station.code : "?",
	    cfg->station.name ? cfg->station.name : "", tz, a, b, pl->nentries);
	for (i = 0; i < pl->nentries; i++) {
		e = &pl->entries[i];
		sl = &cfg->slots[e->occ.slot];
		plan_time(tz, e->occ.start, 0, a, sizeof a);
		plan_time(tz, e->occ.end, 0, b, sizeof b);
		if (sl->relay != NULL)
			fprintf(f, _("\n%s - %s  %s  [%s, relay %s, fallback %s]"), a, b + 11,
			    sl->name, conf_priority_name(sl->priority), sl->relay,
			    sl->playlist ? sl->playlist : "none");
		else
			fprintf(f, _("\n%s - %s  %s  [%s, playlist %s]"), a, b + 11, sl->name,
			    conf_priority_name(sl->priority), sl->playlist);
		if (e->occ.skipped) {
			fprintf(f, _("  skipped: overlap\n"));
			continue;
		}
		if (e->occ.air_start != e->occ.start || e->occ.air_end != e->occ.end) {
			plan_time(tz, e->occ.air_start, 0, a, sizeof a);
			plan_time(tz, e->occ.air_end, 0, b, sizeof b);
			fprintf(f, _("  (overlap: airs %s - %s)"), a + 11, b + 11);
		}
		fputc('\n', f);
		if (sl->relay != NULL) {
			plan_time(tz, e->occ.air_start, 0, a, sizeof a);
			fprintf(f, _("  %s  relay %s, live until %s\n"), a + 11, sl->relay,
			    b + 11);
			if (e->nitems > 0)
				fprintf(f, _("  fallback while the source fails:\n"));
		} else if (e->nitems == 0)
			fprintf(f, _("  missed: no content\n"));
		for (j = 0; j < e->nitems; j++) {
			c = &pl->cands[e->items[j].cand];
			plan_time(tz, e->items[j].start, 0, a, sizeof a);
			plan_len(c->duration_ms, len, sizeof len);
			fprintf(f, "  %s  #%-5lld %-9s %s%s%s  [%s%s%s]\n", a + 11,
			    (long long)c->id, len, e->items[j].role == PL_ITEM ? "" :
			    plan_role(e->items[j].role), e->items[j].role == PL_ITEM ?
			    "" : ": ", c->title ? c->title : "",
			    c->topic ? c->topic : "-", c->priority ? ", " : "",
			    c->priority ? conf_priority_name(c->priority) : "");
		}
	}
	if (pl->nquotas == 0)
		return;
	fprintf(f, _("\nRequired airings:\n"));
	for (i = 0; i < pl->nquotas; i++) {
		q = &pl->quotas[i];
		c = &pl->cands[q->cand];
		if (c->valid_until != CONF_NO_DATE)
			conf_date_format(c->valid_until, d);
		fprintf(f, _("  #%-5lld %s: %d by %s; %d aired, %d planned: "), (long long)c->id,
		    c->title ? c->title : "", q->required, c->valid_until !=
		    CONF_NO_DATE ? d : _("(no end)"), q->before, q->planned);
		if (q->short_by == 0)
			fprintf(f, _("met\n"));
		else
			fprintf(f, _("short by %d%s\n"), q->short_by, q->beyond ?
			    _(" within the planned time (its end lies beyond)") : "");
	}
}

/* Prints the plan as one JSON document. */
static void
plan_json(const struct config *cfg, const struct sched_plan *pl, FILE *f)
{
	const char *tz = cfg->station.timezone;
	const struct sched_plan_entry *e;
	const struct config_slot *sl;
	const struct pl_candidate *c;
	const struct sched_plan_quota *q;
	char a[40], d[11];
	size_t i, j;

	fputs("{\"station\": ", f);
	json_write(f, cfg->station.code);
	fputs(", \"timezone\": ", f);
	json_write(f, tz);
	plan_time(tz, pl->from, 1, a, sizeof a);
	fprintf(f, ", \"from\": \"%s\"", a);
	plan_time(tz, pl->to, 1, a, sizeof a);
	fprintf(f, ", \"to\": \"%s\", \"occurrences\": [", a);
	for (i = 0; i < pl->nentries; i++) {
		e = &pl->entries[i];
		sl = &cfg->slots[e->occ.slot];
		fputs(i ? ",\n  {\"slot\": " : "\n  {\"slot\": ", f);
		json_write(f, sl->name);
		fputs(", \"playlist\": ", f);
		json_write(f, sl->playlist);
		fprintf(f, ", \"priority\": \"%s\"", conf_priority_name(sl->priority));
		fputs(", \"relay\": ", f);
		json_write(f, sl->relay);
		fputs(", \"fallback\": ", f);
		json_write(f, sl->relay != NULL ? sl->playlist : NULL);
		plan_time(tz, e->occ.start, 1, a, sizeof a);
		fprintf(f, ", \"scheduled_at\": \"%s\"", a);
		plan_time(tz, e->occ.end, 1, a, sizeof a);
		fprintf(f, ", \"scheduled_end\": \"%s\"", a);
		if (e->occ.skipped)
			fputs(", \"start\": null, \"end\": null, \"outcome\": \"skipped\", "
			    "\"reason\": \"overlap\"", f);
		else {
			plan_time(tz, e->occ.air_start, 1, a, sizeof a);
			fprintf(f, ", \"start\": \"%s\"", a);
			plan_time(tz, e->occ.air_end, 1, a, sizeof a);
			fprintf(f, ", \"end\": \"%s\"", a);
			fprintf(f, ", \"outcome\": \"%s\", \"reason\": %s",
			    e->nitems || sl->relay ? "planned" : "missed",
			    e->nitems || sl->relay ? "null" : "\"no content\"");
		}
		fputs(", \"items\": [", f);
		for (j = 0; j < e->nitems; j++) {
			c = &pl->cands[e->items[j].cand];
			fprintf(f, "%s{\"bulletin\": %lld, \"title\": ", j ? ", " : "",
			    (long long)c->id);
			json_write(f, c->title);
			fputs(", \"topic\": ", f);
			json_write(f, c->topic);
			fputs(", \"sha256\": ", f);
			json_write(f, c->sha256);
			plan_time(tz, e->items[j].start, 1, a, sizeof a);
			fprintf(f, ", \"role\": \"%s\", \"priority\": \"%s\", \"start\": "
			    "\"%s\", \"duration_ms\": %lld}", plan_role(e->items[j].role),
			    conf_priority_name(c->priority), a, (long long)c->duration_ms);
		}
		fputs("]}", f);
	}
	fputs("\n], \"required\": [", f);
	for (i = 0; i < pl->nquotas; i++) {
		q = &pl->quotas[i];
		c = &pl->cands[q->cand];
		fprintf(f, "%s\n  {\"bulletin\": %lld, \"title\": ", i ? "," : "",
		    (long long)c->id);
		json_write(f, c->title);
		if (c->valid_until != CONF_NO_DATE) {
			conf_date_format(c->valid_until, d);
			fprintf(f, ", \"valid_until\": \"%s\"", d);
		} else
			fputs(", \"valid_until\": null", f);
		fprintf(f, ", \"min_airings\": %d, \"aired\": %d, \"planned\": %d, "
		    "\"met\": %s, \"short_by\": %d, \"end_beyond_plan\": %s}",
		    q->required, q->before, q->planned, q->short_by ? "false" : "true",
		    q->short_by, q->beyond ? "true" : "false");
	}
	fputs("\n]}\n", f);
}

static int
plan_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config *cfg = ctx->cfg;
	const char *fromarg = cli_opt(args, "from"), *v;
	struct sched_plan *pl = NULL;
	struct sched_pool *pool = NULL;
	struct store *st = NULL;
	int32_t day;
	int64_t now, from, to;
	long days = 7;
	char *cause = NULL, *end;
	int fmt = FMT_TABLE, sec;
	double t0;

	if ((v = cli_opt(args, "days")) != NULL) {
		errno = 0;
		days = strtol(v, &end, 10);
		if (errno != 0 || *end != '\0' || days < 1 || days > PLAN_MAX_DAYS) {
			fprintf(stderr, _("loaxa plan: --days '%s' must be a number from 1 "
			    "to %d\n"), v, PLAN_MAX_DAYS);
			return EXIT_USAGE;
		}
	}
	if ((v = cli_opt(args, "format")) != NULL) {
		if (strcmp(v, "json") == 0)
			fmt = FMT_JSON;
		else if (strcmp(v, "table") != 0) {
			fprintf(stderr, _("loaxa plan: unknown format '%s' (table or json)\n"),
			    v);
			return EXIT_USAGE;
		}
	}
	/* Dates in the library and on the command line are the station's. */
	setenv("TZ", cfg->station.timezone, 1);
	tzset();
	now = now_real_ms();
	if (fromarg != NULL && strcmp(fromarg, "today") != 0) {
		if (conf_date_parse(fromarg, &day) != 0) {
			fprintf(stderr, _("loaxa plan: --from '%s' is not a date YYYY-MM-DD\n"),
			    fromarg);
			return EXIT_USAGE;
		}
	} else if (sched_utc_to_local(cfg->station.timezone, now, &day, &sec,
	    &cause) != 0)
		goto fail_cause;
	if (sched_local_to_utc(cfg->station.timezone, day + (int32_t)days, 0, &to,
	    NULL, &cause) != 0)
		goto fail_cause;
	if (fromarg != NULL) {
		if (sched_local_to_utc(cfg->station.timezone, day, 0, &from, NULL,
		    &cause) != 0)
			goto fail_cause;
	} else if (plan_on_air(cfg, now, &from, &cause) != 0)
		goto fail_cause;
	if (cli_open_store(ctx, &st) != 0)
		return EXIT_FAIL;
	if (sched_pool_load(st, cfg->paths.data, &pool, &cause) != 0) {
		store_close(&st);
		goto fail_cause;
	}
	store_close(&st);
	t0 = plan_mono();
	if (sched_plan_run(cfg, pool, from, to, &pl, &cause) != 0) {
		sched_pool_free(&pool);
		goto fail_cause;
	}
	log_debug("plan: %zu occurrences simulated over %zu bulletins in %.1f ms",
	    pl->simulated, pl->ncands, plan_mono() - t0);
	if (fmt == FMT_JSON)
		plan_json(cfg, pl, stdout);
	else
		plan_table(cfg, pl, stdout);
	sched_plan_free(&pl);
	sched_pool_free(&pool);
	if (fflush(stdout) != 0) {
		fprintf(stderr, _("loaxa plan: writing the plan: %s\n"), strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;

fail_cause:
	fprintf(stderr, "loaxa plan: %s\n", cause);
	free(cause);
	return EXIT_FAIL;
}

const struct cmd_entry cmd_plan = {
	.name = "plan",
	.usage = "[--from DATE] [--days N] [--format table|json]",
	.summary = N_("dry run: what the scheduler would air, slot by slot"),
	.help =
	    N_("Simulates the timetable with the scheduler's own selection: the\n"
	    "approved bulletins in their validity window, the airing log so far,\n"
	    "the playlists' rules and the overlap rule. Prints each slot occurrence\n"
	    "and the items it would air, then, for every bulletin with a required\n"
	    "minimum of airings, whether the plan meets it by its end date or by\n"
	    "how many airings it falls short (the simulation runs on to that date,\n"
	    "at most a year ahead, even when fewer days are shown). A relay slot\n"
	    "shows its source and the bulletins its fallback would air if the\n"
	    "source failed throughout (JSON: \"relay\" and \"fallback\", null for\n"
	    "other slots); the plan counts them as not aired.\n"
	    "\n"
	    "options:\n"
	    "  --from DATE     start at local midnight of DATE (YYYY-MM-DD or today);\n"
	    "                  default: now, with the slot on air now\n"
	    "  --days N        show N days, 1 to 366 (default 7)\n"
	    "  --format F      table (default) or json\n"
	    "\n"
	    "example:\n"
	    "  loaxa plan --from 2026-09-01 --days 3\n"),
	.flags = CMD_CONFIG,
	.args = { "from: days: format:", 0, 0 },
	.exec = plan_exec,
};
