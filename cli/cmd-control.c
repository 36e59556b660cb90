/* status, play, stop, skip, reload: talk to the running daemon over its socket. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/date.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "link/link.h"
#include "scheduler/control.h"

/* Sends request to the daemon of this station; prints the answer. */
static int
control_send(const struct cmd_ctx *ctx, const char *request)
{
	char *path, *message = NULL, *body = NULL, *cause = NULL;
	int status;

	xasprintf(&path, "%s/%s", ctx->cfg->paths.data, SCHED_CTL_NAME);
	status = sched_ctl_request(path, request, 10000, &message, &body, &cause);
	free(path);
	if (status < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	if (body[0] != '\0')
		fputs(body, status == 0 ? stdout : stderr);
	if (status == 0) {
		if (strcmp(message, "ok") != 0)
			printf("%s\n", message);
	} else
		fprintf(stderr, "loaxa %s: %s\n", ctx->entry->name, message);
	free(message);
	free(body);
	return status > 3 ? EXIT_FAIL : status;
}

/* The commands without arguments: the request is their name. */
static int
control_simple(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	(void)args;
	return control_send(ctx, ctx->entry->name);
}

/*
 * The station link's lines of `loaxa status`, from DATA/link/status.json
 * (nothing without a link section): connected or not and since when, the
 * broker, the queue, the last package and command, the last problem.
 */
static void
status_link(const struct config *cfg)
{
	struct link_status s;
	char t[DATE_ISO8601_LEN];
	int alive;

	if (!cfg->link.enabled)
		return;
	if (link_status_read(cfg->paths.data, &s) != 0) {
		printf(_("Kết nối / link: never started (loaxa link)\n"));
		return;
	}
	alive = s.pid > 0 && (kill(s.pid, 0) == 0 || errno == EPERM);
	/* Times in the station's zone, as the daemon gives them. */
	setenv("TZ", cfg->station.timezone, 1);
	tzset();
	if (s.since_ms > 0)
		date_iso8601(s.since_ms, t);
	else
		snprintf(t, sizeof t, "%s", _("its start"));
	if (!alive)
		printf(_("Kết nối / link: not running (stopped; disconnected since %s)\n"),
		    t);
	else
		printf(s.connected ? _("Kết nối / link: connected since %s, broker %s\n") :
		    _("Kết nối / link: disconnected since %s, broker %s\n"), t,
		    s.broker ? s.broker : "?");
	printf(_("  queued for the district: %lld\n"), (long long)s.queued);
	printf(_("  last package: %s\n"), s.last_package ? s.last_package : _("none"));
	printf(_("  last command: %s\n"), s.last_command ? s.last_command : _("none"));
	if (s.last_error != NULL)
		printf(_("  last problem: %s\n"), s.last_error);
	link_status_clear(&s);
}

/* status --format json: the daemon's document, with "link" when configured. */
static int
status_json(const struct cmd_ctx *ctx)
{
	char *path, *message = NULL, *body = NULL, *cause = NULL, *link, *end, *tail;
	int status;

	xasprintf(&path, "%s/%s", ctx->cfg->paths.data, SCHED_CTL_NAME);
	status = sched_ctl_request(path, "status json", 10000, &message, &body, &cause);
	free(path);
	if (status != 0) {
		fprintf(stderr, "%s\n", status < 0 ? cause : message);
		free(cause);
		free(message);
		free(body);
		return status < 0 || status > 3 ? EXIT_FAIL : status;
	}
	link = ctx->cfg->link.enabled ? link_status_json(ctx->cfg->paths.data) : NULL;
	end = strrchr(body, '}');
	if (end != NULL && ctx->cfg->link.enabled) {
		*end = '\0';
		if (link != NULL && (tail = strrchr(link, '}')) != NULL)
			tail[1] = '\0';
		printf("%s,\"link\":%s}\n", body, link != NULL ? link : "null");
	} else
		fputs(body, stdout);
	free(link);
	free(message);
	free(body);
	return EXIT_OK;
}

static int
status_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *format = cli_opt(args, "format");
	int rc;

	if (format == NULL)
		format = "text";
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, _("loaxa status: --format must be text or json\n"));
		return EXIT_USAGE;
	}
	if (strcmp(format, "json") == 0)
		return status_json(ctx);
	rc = control_send(ctx, "status");
	fflush(stdout);
	status_link(ctx->cfg);
	return rc;
}

static int
play_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *prio = cli_opt(args, "priority");
	char *req;
	long long id;
	int rc;

	if (prio == NULL)
		prio = "normal";
	if ((id = cli_bulletin_id("play", args->argv[0])) == 0)
		return EXIT_USAGE;
	if (strcmp(prio, "normal") != 0 && strcmp(prio, "priority") != 0 &&
	    strcmp(prio, "emergency") != 0) {
		fprintf(stderr, _("loaxa play: --priority must be normal, priority or "
		    "emergency\n"));
		return EXIT_USAGE;
	}
	xasprintf(&req, "play %lld %s", id, prio);
	rc = control_send(ctx, req);
	free(req);
	return rc;
}

const struct cmd_entry cmd_status = {
	.name = "status",
	.usage = "[--format text|json]",
	.summary = N_("what is on air now, what comes next, the device, the last error"),
	.help = N_("Asks the running daemon (loaxa run) of this station.\n"),
	.flags = CMD_CONFIG,
	.args = { "format:", 0, 0 },
	.exec = status_exec,
};

const struct cmd_entry cmd_play = {
	.name = "play",
	.usage = "ID [--priority normal|priority|emergency]",
	.summary = N_("air an approved bulletin now (emergency: cut what is on air)"),
	.help = N_(
	    "normal and priority plays go after the item on air; an emergency\n"
	    "fades out what is on air at once (logged interrupted, emergency), airs,\n"
	    "and the programme resumes afterwards if its slot still has time.\n"
	    "Only approved bulletins whose file is unchanged can be played.\n"
	    "\n"
	    "example:\n"
	    "  loaxa play 12 --priority emergency\n"),
	.flags = CMD_CONFIG,
	.args = { "priority:", 1, 1 },
	.exec = play_exec,
};

const struct cmd_entry cmd_stop = {
	.name = "stop",
	.usage = "",
	.summary = N_("stop what is on air (with the fade) and the rest of its slot"),
	.help = N_("The cut item is logged interrupted (operator stop).\n"),
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.exec = control_simple,
};

const struct cmd_entry cmd_skip = {
	.name = "skip",
	.usage = "",
	.summary = N_("end the item on air and go on with the next one"),
	.help = N_("The cut item is logged interrupted (skipped by operator).\n"),
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.exec = control_simple,
};

const struct cmd_entry cmd_reload = {
	.name = "reload",
	.usage = "",
	.summary = N_("make the daemon read its configuration again"),
	.help = N_(
	    "A configuration with problems is refused (they are printed) and the\n"
	    "daemon keeps the old one. The item on air is not disturbed.\n"),
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.exec = control_simple,
};
