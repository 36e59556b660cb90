/* loaxa: the commune loudspeaker scheduler. main, global options, the command table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "cli/net.h"
#include "common/log.h"
#include "config/config.h"

extern const struct cmd_entry cmd_check;
extern const struct cmd_entry cmd_import;
extern const struct cmd_entry cmd_list;
extern const struct cmd_entry cmd_show;
extern const struct cmd_entry cmd_approve;
extern const struct cmd_entry cmd_reject;
extern const struct cmd_entry cmd_retire;
extern const struct cmd_entry cmd_verify_library;
extern const struct cmd_entry cmd_inbox;
extern const struct cmd_entry cmd_key;
extern const struct cmd_entry cmd_package;
extern const struct cmd_entry cmd_fleet;
extern const struct cmd_entry cmd_log;
extern const struct cmd_entry cmd_report;
extern const struct cmd_entry cmd_export;
extern const struct cmd_entry cmd_verify;
extern const struct cmd_entry cmd_plan;
extern const struct cmd_entry cmd_probe;
extern const struct cmd_entry cmd_play_file;
extern const struct cmd_entry cmd_run;
extern const struct cmd_entry cmd_relay;
extern const struct cmd_entry cmd_status;
extern const struct cmd_entry cmd_play;
extern const struct cmd_entry cmd_stop;
extern const struct cmd_entry cmd_skip;
extern const struct cmd_entry cmd_reload;
extern const struct cmd_entry cmd_web;
extern const struct cmd_entry cmd_link;

#if defined(LOAXA_LINK)
/* loaxa-link (cli/net.h says why): the station link alone. */
static const struct cmd_entry *const commands[] = {
	&cmd_link,
	NULL,
};
#elif defined(LOAXA_NET)
/* loaxa-net (cli/net.h says why): the district's and the console's commands. */
static const struct cmd_entry *const commands[] = {
	&cmd_fleet,
	&cmd_web,
	NULL,
};
#else
/* Every command, in the order `loaxa --help` lists them. */
static const struct cmd_entry *const commands[] = {
	&cmd_check,
	&cmd_import,
	&cmd_list,
	&cmd_show,
	&cmd_approve,
	&cmd_reject,
	&cmd_retire,
	&cmd_verify_library,
	&cmd_inbox,
	&cmd_key,
	&cmd_package,
	&cmd_fleet,
	&cmd_log,
	&cmd_report,
	&cmd_export,
	&cmd_verify,
	&cmd_plan,
	&cmd_probe,
	&cmd_play_file,
	&cmd_run,
	&cmd_relay,
	&cmd_status,
	&cmd_play,
	&cmd_stop,
	&cmd_skip,
	&cmd_reload,
	&cmd_web,
	&cmd_link,
	NULL,
};
#endif

static void
main_help(FILE *f)
{
	const struct cmd_entry *const *e;

	fprintf(f, _(
	    "loaxa %s - the commune loudspeaker scheduler (đài truyền thanh xã)\n"
	    "\n"
	    "Plays approved bulletins on a timetable, logs every airing, and writes\n"
	    "the 6-month and annual coverage reports.\n"
	    "\n"
	    "usage: loaxa [-c FILE] [-v] COMMAND [ARGS...]\n"
	    "\n"
	    "commands:\n"), LOAXA_VERSION);
	for (e = commands; *e != NULL; e++)
		fprintf(f, "  %-14s %s\n", (*e)->name, _((*e)->summary));
	fputs(_(
	    "\n"
	    "options:\n"
	    "  -c, --config FILE  use FILE (otherwise $LOAXA_CONFIG, ./loaxa.conf,\n"
	    "                     /etc/loaxa/loaxa.conf, or the built-in default)\n"
	    "  -v, --verbose      print debugging messages\n"
	    "  -h, --help         this help; `loaxa COMMAND --help` for one command\n"
	    "  -V, --version      print the version\n"
	    "\n"
	    "exit status: 0 success, 1 operational failure, 2 usage or configuration\n"
	    "error, 3 input rejected (bad audio, package or signature).\n"
	    "See loaxa(1) and the example configuration, examples/loaxa.conf.\n"), f);
}

/* The entry called name in the NULL-terminated table, or NULL. */
static const struct cmd_entry *
find_command(const struct cmd_entry *const *table, const char *name)
{
	for (; *table != NULL; table++)
		if (strcmp((*table)->name, name) == 0)
			return *table;
	return NULL;
}

/*
 * Runs e on argv (argv[0] its name): its subcommand when it has them, on the
 * arguments parsed against the entry's declaration. Returns the exit status.
 */
static int
run_command(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv)
{
	const struct cmd_entry *run = e;
	struct cmd_args args;
	int rc;

	if (e->subs != NULL) {
		if (argc < 2 || (run = find_command(e->subs, argv[1])) == NULL)
			return cli_usage(e);
		argc--;
		argv++;
	}
	if ((rc = cli_args_parse(e, &run->args, argc, argv, &args)) != 0)
		return rc;
	rc = run->exec(ctx, &args);
	cli_args_free(&args);
	return rc;
}

static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_ctx ctx = { 0 };
	struct config *cfg = NULL;
	const struct cmd_entry *e;
	int c, rc;

	i18n_init();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.config_path = optarg;
			break;
		case 'v':
			log_set_verbose(1);
			break;
		case 'h':
			main_help(stdout);
			return EXIT_OK;
		case 'V':
			printf("loaxa %s\n", LOAXA_VERSION);
			return EXIT_OK;
		default:
			fprintf(stderr, _("loaxa: unknown option or missing value: %s\n"),
			    argv[optind - 1]);
			fprintf(stderr, _("Try 'loaxa --help'.\n"));
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc &&
		    (e = find_command(commands, argv[optind + 1])) != NULL) {
			if (e->flags & CMD_NET)
				return cli_net_exec(e, argv);
			cli_help(e);
			return EXIT_OK;
		}
		main_help(stdout);
		return EXIT_OK;
	}
	if ((e = find_command(commands, argv[optind])) == NULL) {
		fprintf(stderr, _("loaxa: unknown command '%s'; try 'loaxa --help'\n"),
		    argv[optind]);
		return EXIT_USAGE;
	}
	if (e->flags & CMD_NET)
		return cli_net_exec(e, argv);
	argc -= optind;
	argv += optind;
	if (wants_help(argc, argv)) {
		cli_help(e);
		return EXIT_OK;
	}
	ctx.entry = e;
	if (e->flags & CMD_CONFIG) {
		if (conf_load(ctx.config_path, &cfg, stderr) != 0)
			return EXIT_USAGE;
		ctx.cfg = cfg;
	}
	rc = run_command(&ctx, e, argc, argv);
	conf_free(&cfg);
	return rc;
}
