/* status, play, stop, skip, reload: talk to the running daemon over its socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/xmalloc.h"
#include "config/config.h"
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

static int
status_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *format = cli_opt(args, "format");

	if (format == NULL)
		format = "text";
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "loaxa status: --format must be text or json\n");
		return EXIT_USAGE;
	}
	return control_send(ctx, strcmp(format, "json") == 0 ? "status json" : "status");
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
		fprintf(stderr, "loaxa play: --priority must be normal, priority or "
		    "emergency\n");
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
	.summary = "what is on air now, what comes next, the device, the last error",
	.help = "Asks the running daemon (loaxa run) of this station.\n",
	.flags = CMD_CONFIG,
	.args = { "format:", 0, 0 },
	.exec = status_exec,
};

const struct cmd_entry cmd_play = {
	.name = "play",
	.usage = "ID [--priority normal|priority|emergency]",
	.summary = "air an approved bulletin now (emergency: cut what is on air)",
	.help =
	    "normal and priority plays go after the item on air; an emergency\n"
	    "fades out what is on air at once (logged interrupted, emergency), airs,\n"
	    "and the programme resumes afterwards if its slot still has time.\n"
	    "Only approved bulletins whose file is unchanged can be played.\n"
	    "\n"
	    "example:\n"
	    "  loaxa play 12 --priority emergency\n",
	.flags = CMD_CONFIG,
	.args = { "priority:", 1, 1 },
	.exec = play_exec,
};

const struct cmd_entry cmd_stop = {
	.name = "stop",
	.usage = "",
	.summary = "stop what is on air (with the fade) and the rest of its slot",
	.help = "The cut item is logged interrupted (operator stop).\n",
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.exec = control_simple,
};

const struct cmd_entry cmd_skip = {
	.name = "skip",
	.usage = "",
	.summary = "end the item on air and go on with the next one",
	.help = "The cut item is logged interrupted (skipped by operator).\n",
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.exec = control_simple,
};

const struct cmd_entry cmd_reload = {
	.name = "reload",
	.usage = "",
	.summary = "make the daemon read its configuration again",
	.help =
	    "A configuration with problems is refused (they are printed) and the\n"
	    "daemon keeps the old one. The item on air is not disturbed.\n",
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.exec = control_simple,
};
