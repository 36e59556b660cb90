/*
 * loaxa fleet status, watch, deliveries: what the district sees of its
 * stations, kept in DATA/fleet.db. status reads every station's retained
 * state from the broker first; watch stays connected (a persistent session)
 * and keeps fleet.db current, printing each airing row as it comes.
 */
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd-fleet.h"
#include "common/i18n.h"
#include "common/json.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "fleet/fleet.h"

/* The longest wait between two attempts to reach a broker that went away. */
#define VIEW_RECONNECT_MAX_S 30

int
fleet_cli_fail(const char *cmd, int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "loaxa fleet %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int
fleet_cli_section(const struct config *cfg, const char *cmd)
{
	if (cfg->fleet.present)
		return EXIT_OK;
	return fleet_cli_fail(cmd, EXIT_USAGE, _("%s has no fleet section (the "
	    "district's broker, key and stations)"), cfg->file ? cfg->file :
	    _("the configuration"));
}

int
fleet_cli_db(const struct config *cfg, const char *cmd, sqlite3 **db)
{
	char *cause = NULL;

	if (fleet_db_open(cfg, db, &cause) == 0)
		return EXIT_OK;
	fleet_cli_fail(cmd, EXIT_FAIL, "%s", cause);
	free(cause);
	return EXIT_FAIL;
}

/* Every station of the section, by index. */
static size_t *
view_all(const struct config *cfg)
{
	size_t *idx = xcalloc(cfg->fleet.nstations + 1, sizeof *idx), i;

	for (i = 0; i < cfg->fleet.nstations; i++)
		idx[i] = i;
	return idx;
}

/* Seconds from an option, lo to hi, or -1 (said). */
static int
view_seconds(const char *cmd, const char *name, const char *v, int dflt, int lo,
    int hi)
{
	char *end;
	long t;

	if (v == NULL)
		return dflt;
	t = strtol(v, &end, 10);
	if (*end != '\0' || end == v || t < lo || t > hi) {
		fleet_cli_fail(cmd, EXIT_USAGE, _("--%s takes seconds, %d to %d"), name,
		    lo, hi);

		return -1;
	}
	return (int)t;
}

/* Which stations' state status has heard. */
struct view_heard {
	char *seen;
	size_t nseen, n;
};

static void
view_state_heard(void *arg, size_t station, const char *kind, const char *payload,
    size_t len, int retained)
{
	struct view_heard *h = arg;

	(void)payload;
	(void)len;
	(void)retained;
	if (strcmp(kind, "state") == 0 && !h->seen[station]) {
		h->seen[station] = 1;
		h->nseen++;
	}
}

static int
view_all_heard(void *arg)
{
	const struct view_heard *h = arg;

	return h->nseen >= h->n;
}

/* fleet status [--format text|json] [--wait S] */
static int
fleet_status(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config *cfg = ctx->cfg;
	const char *fmt = cli_opt(args, "format");
	struct view_heard h = { 0 };
	struct fleet_status *rows;
	struct fleet *f = NULL;
	char *cause = NULL;
	size_t *idx, n;
	sqlite3 *db;
	int rc, wait, json;

	if ((rc = fleet_cli_section(cfg, "status")) != EXIT_OK)
		return rc;
	if (fmt != NULL && strcmp(fmt, "text") != 0 && strcmp(fmt, "json") != 0)
		return fleet_cli_fail("status", EXIT_USAGE, _("--format must be text "
		    "or json"));
	json = fmt != NULL && strcmp(fmt, "json") == 0;
	if ((wait = view_seconds("status", "wait", cli_opt(args, "wait"), 3, 0,
	    600)) < 0)
		return EXIT_USAGE;
	if ((rc = fleet_cli_db(cfg, "status", &db)) != EXIT_OK)
		return rc;
	idx = view_all(cfg);
	h.n = cfg->fleet.nstations;
	h.seen = xcalloc(h.n + 1, 1);
	/* The retained states: each station's, or as many as come in --wait. */
	if (fleet_connect(cfg, 10000, &f, &cause) != 0 ||
	    (fleet_keep(f, db), fleet_on_heard(f, view_state_heard, &h),
	    fleet_subscribe(f, idx, h.n, "up/state", 10000, &cause)) != 0 ||
	    fleet_run_for(f, wait * 1000, view_all_heard, &h, NULL, &cause) != 0) {
		fprintf(stderr, _("loaxa fleet status: %s; showing what %s/%s holds\n"),
		    cause, cfg->paths.data, FLEET_DB);
		free(cause);
		rc = EXIT_FAIL;
	}
	fleet_free(&f);
	fleet_status_rows(cfg, db, fleet_now_ms(), &rows, &n);
	fleet_status_write(stdout, rows, n, json);
	fleet_status_free(rows, n);
	sqlite3_close_v2(db);
	free(h.seen);
	free(idx);
	return rc;
}

static volatile sig_atomic_t view_stop;

static void
view_on_signal(int sig)
{
	(void)sig;
	view_stop = 1;
}

/* What watch prints: each airing row new to fleet.db. */
struct view_watch {
	const struct config *cfg;
	struct fleet *f;
	sqlite3 *db;
};

static void
view_watch_heard(void *arg, size_t station, const char *kind, const char *payload,
    size_t len, int retained)
{
	struct view_watch *w = arg;
	char *line;

	(void)len;
	(void)retained;
	if (strcmp(kind, "airing") != 0 || !fleet_last_fresh(w->f))
		return;
	line = fleet_airing_line(w->cfg->fleet.stations[station].code, payload, w->db);
	if (line != NULL) {
		printf("%s\n", line);
		fflush(stdout);
	}
	free(line);
}

/* Sleeps ms milliseconds, or less when SIGINT or SIGTERM came. */
static void
view_nap(int ms)
{
	for (; ms > 0 && !view_stop; ms -= 100)
		poll(NULL, 0, ms < 100 ? ms : 100);
}

/*
 * After the connection fell: one line, then libmosquitto's reconnect every
 * 1 s, doubling up to VIEW_RECONNECT_MAX_S, until the broker is back (one
 * line) or a signal came. The persistent session brings what the stations
 * sent meanwhile; without it (a broker that lost it), subscribes again.
 * 0, or -1 when a subscription failed (*cause).
 */
static int
view_reconnect(struct view_watch *w, const size_t *idx, const char *why,
    char **cause)
{
	int64_t lost = fleet_now_ms();
	int delay = 1, session;
	char *err = NULL, *said = NULL;

	fprintf(stderr, _("loaxa fleet watch: lost the broker (%s); connecting "
	    "again\n"), why);
	while (!view_stop) {
		view_nap(delay * 1000);
		if (view_stop)
			break;
		if (fleet_reconnect(w->f, 10000, &session, &err) == 0) {
			fprintf(stderr, _("loaxa fleet watch: the broker is back after "
			    "%lld s%s\n"), (long long)(fleet_now_ms() - lost) / 1000,
			    session ? _("; it kept what came meanwhile") :
			    _("; it lost the session: subscribing again"));
			free(said);
			return session ? 0 : fleet_subscribe(w->f, idx,
			    w->cfg->fleet.nstations, "up/#", 10000, cause);
		}
		/* A refusal (bad credentials, a changed ACL) is said once, and
		   again only when the reason changes: it will not mend itself. */
		if (said == NULL || strcmp(said, err) != 0)
			fprintf(stderr, _("loaxa fleet watch: still no broker: %s\n"),
			    err);
		free(said);
		said = err;
		err = NULL;
		if ((delay *= 2) > VIEW_RECONNECT_MAX_S)
			delay = VIEW_RECONNECT_MAX_S;
	}
	free(said);
	return 0;
}

/* fleet watch: until SIGINT or SIGTERM, through broker restarts. */
static int
fleet_watch(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config *cfg = ctx->cfg;
	struct view_watch w = { cfg, NULL, NULL };
	struct sigaction sa;
	char *cause = NULL, *err = NULL, *id;
	size_t *idx;
	int rc;

	(void)args;
	if ((rc = fleet_cli_section(cfg, "watch")) != EXIT_OK)
		return rc;
	if ((rc = fleet_cli_db(cfg, "watch", &w.db)) != EXIT_OK)
		return rc;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = view_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	xasprintf(&id, "%s-watch", cfg->fleet.client_id ? cfg->fleet.client_id :
	    "district");
	idx = view_all(cfg);
	if (fleet_connect_as(cfg, 10000, id, 1, &w.f, &cause) != 0 ||
	    (fleet_keep(w.f, w.db), fleet_on_heard(w.f, view_watch_heard, &w),
	    fleet_subscribe(w.f, idx, cfg->fleet.nstations, "up/#", 10000,
	    &cause)) != 0) {
		rc = fleet_cli_fail("watch", EXIT_FAIL, "%s", cause);
	} else {
		fprintf(stderr, ngettext("loaxa fleet watch: listening to %zu station, "
		    "keeping %s/%s\n", "loaxa fleet watch: listening to %zu stations, "
		    "keeping %s/%s\n", cfg->fleet.nstations), cfg->fleet.nstations,
		    cfg->paths.data, FLEET_DB);
		while (!view_stop && rc == EXIT_OK) {
			if (fleet_run_for(w.f, 1000, NULL, NULL, &view_stop, &cause) == 0)
				continue;
			if (view_reconnect(&w, idx, cause, &err) != 0)
				rc = fleet_cli_fail("watch", EXIT_FAIL, "%s", err);
			free(cause);
			free(err);
			cause = err = NULL;
		}
	}
	free(cause);
	fleet_free(&w.f);
	sqlite3_close_v2(w.db);
	free(idx);
	free(id);
	return rc;
}

/*
 * fleet deliveries: each package sent, per station: arrived (its
 * acknowledgement), imported and approved (an acknowledgement that says so,
 * or an airing of one of its bulletins, which only an imported, approved
 * bulletin can have), and the airings of its bulletins since it was sent.
 */
static int
fleet_deliveries(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config *cfg = ctx->cfg;
	const char *fmt = cli_opt(args, "format");
	sqlite3_stmt *q;
	sqlite3 *db;
	int rc, json, first = 1;

	if ((rc = fleet_cli_section(cfg, "deliveries")) != EXIT_OK)
		return rc;
	if (fmt != NULL && strcmp(fmt, "text") != 0 && strcmp(fmt, "json") != 0)
		return fleet_cli_fail("deliveries", EXIT_USAGE, _("--format must be text "
		    "or json"));
	json = fmt != NULL && strcmp(fmt, "json") == 0;
	if ((rc = fleet_cli_db(cfg, "deliveries", &db)) != EXIT_OK)
		return rc;
	if (sqlite3_prepare_v2(db,
	    "WITH s AS (SELECT ref, station, min(sent_ms) AS sent_ms, max(bulletins) AS"
	    "  bulletins FROM sent WHERE kind = 'package' GROUP BY ref, station),"
	    " a AS (SELECT s.ref, s.station, count(x.msg_id) AS n FROM s LEFT JOIN"
	    "  airings x ON x.station = s.station AND"
	    "  json_extract(x.json, '$.outcome') IN ('completed', 'interrupted') AND"
	    "  json_extract(x.json, '$.started_at_ms') >= s.sent_ms AND"
	    "  instr(' ' || s.bulletins || ' ', ' ' || json_extract(x.json,"
	    "  '$.sha256') || ' ') > 0 GROUP BY s.ref, s.station)"
	    " SELECT s.ref, s.station, s.sent_ms,"
	    "  (SELECT min(received_ms) FROM acks k WHERE k.msg_id = s.station ||"
	    "   ':package:' || s.ref AND k.ok AND k.what = 'arrived'),"
	    "  (SELECT why FROM acks k WHERE k.msg_id = s.station || ':package:' ||"
	    "   s.ref AND NOT k.ok),"
	    "  (SELECT count(*) FROM acks k WHERE k.msg_id = s.station || ':package:' ||"
	    "   s.ref AND k.ok AND k.what = 'imported') OR a.n > 0,"
	    "  (SELECT count(*) FROM acks k WHERE k.msg_id = s.station || ':package:' ||"
	    "   s.ref AND k.ok AND k.what = 'approved') OR a.n > 0, a.n"
	    " FROM s JOIN a USING (ref, station) ORDER BY s.sent_ms, s.ref, s.station",
	    -1, &q, NULL) != SQLITE_OK) {
		rc = fleet_cli_fail("deliveries", EXIT_FAIL, "fleet.db: %s",
		    sqlite3_errmsg(db));
		sqlite3_close_v2(db);
		return rc;
	}
	if (json)
		fputs("[", stdout);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(q, 0);
		const char *st = (const char *)sqlite3_column_text(q, 1);
		const char *why = (const char *)sqlite3_column_text(q, 4);
		int arrived = sqlite3_column_type(q, 3) != SQLITE_NULL;
		int imported = sqlite3_column_int(q, 5), approved = sqlite3_column_int(q, 6);
		long long aired = sqlite3_column_int64(q, 7);

		if (json) {
			printf("%s\n{\"package\":\"%s\",\"station\":", first ? "" : ",", ref);
			json_write(stdout, st);
			printf(",\"arrived\":%s,\"refused\":", arrived ? "true" : "false");
			json_write(stdout, why);
			printf(",\"imported\":%s,\"approved\":%s,\"airings\":%lld}",
			    imported ? "true" : "false", approved ? "true" : "false", aired);
		} else
			printf(_("%.12s  %s  arrived: %s  imported: %s  approved: %s  "
			    "airings since: %lld%s%s\n"), ref, st, why ? _("refused") :
			    arrived ? _("yes") : _("no"), imported ? _("yes") : "?",
			    approved ? _("yes") : "?", aired, why ? _("  why: ") : "",
			    why ? why : "");

		first = 0;
	}
	if (json)
		fputs("\n]\n", stdout);
	else if (first)
		printf(_("no package sent yet\n"));

	sqlite3_finalize(q);
	sqlite3_close_v2(db);
	return EXIT_OK;
}

const struct cmd_entry fleet_status_entry = {
	.name = "status",
	.args = { "format: wait:", 0, 0 },
	.exec = fleet_status,
};

const struct cmd_entry fleet_watch_entry = {
	.name = "watch",
	.args = { "", 0, 0 },
	.exec = fleet_watch,
};

const struct cmd_entry fleet_deliveries_entry = {
	.name = "deliveries",
	.args = { "format:", 0, 0 },
	.exec = fleet_deliveries,
};
