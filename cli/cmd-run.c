/* loaxa run: the scheduler daemon, in the foreground. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "config/config.h"
#include "scheduler/daemon.h"

/* Parses "90s", "20m", "1h30m" or plain seconds into ms; -1 when bad. */
static long long
run_duration(const char *s)
{
	long long total = 0, v;
	char *end;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		v = strtoll(s, &end, 10);
		if (end == s || v < 0)
			return -1;
		switch (*end) {
		case 'h':
			v *= 3600;
			end++;
			break;
		case 'm':
			v *= 60;
			end++;
			break;
		case 's':
			end++;
			break;
		case '\0':
			break;
		default:
			return -1;
		}
		total += v;
		s = end;
	}
	return total * 1000;
}

static int
run_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct sched_run_opts ro = { ctx->config_path, 0 };
	const char *v = cli_opt(args, "for");
	struct config *cfg = NULL;

	if (v != NULL && (ro.run_for_ms = run_duration(v)) <= 0) {
		fprintf(stderr, _("loaxa run: --for '%s': give a duration such as 90s, "
		    "20m or 1h30m\n"), v);
		return EXIT_USAGE;
	}
	/* The daemon owns its configuration, to replace it on reload. */
	if (conf_load(ctx->config_path, &cfg, stderr) != 0)
		return EXIT_USAGE;
	if (cli_check_perms(cfg) != 0) {
		conf_free(&cfg);
		return EXIT_USAGE;
	}
	return sched_run(cfg, &ro);
}

const struct cmd_entry cmd_run = {
	.name = "run",
	.usage = "[--for DURATION]",
	.summary = N_("the scheduler daemon: air the timetable, log every airing"),
	.args = { "for:", 0, 0 },
	.help = N_(
	    "Runs in the foreground until stopped (systemd runs it as a service).\n"
	    "It airs each slot of the timetable on time, logs every airing in the\n"
	    "data directory, and listens on DATA/control.sock for `loaxa status`,\n"
	    "`play`, `stop`, `skip` and `reload`. SIGHUP reloads the configuration\n"
	    "(a bad one is refused and the old one kept); SIGTERM fades out, logs\n"
	    "the airing as interrupted (shutdown) and exits.\n"
	    "\n"
	    "After a power cut it closes the airing that was cut (interrupted, power\n"
	    "loss) and logs the slots that passed while it was off (missed,\n"
	    "controller off). District packages copied into the inbox\n"
	    "(paths.inbox) are imported as `loaxa inbox` does, when nothing airs.\n"
	    "\n"
	    "options:\n"
	    "  --for DURATION   stop by itself after DURATION (90s, 20m, 1h30m)\n"),
	.exec = run_exec,
};
