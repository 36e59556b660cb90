/* loaxa check: validate the configuration and say so. */
#include <stdio.h>

#include "cli/cli.h"
#include "config/config.h"

static int
check_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct config_problems p = { 0 };
	struct config *cfg = NULL;
	const char *path;
	size_t i;

	/* `loaxa check FILE` is the same as `loaxa -c FILE check`. */
	if (args->argc == 1)
		ctx->config_path = args->argv[0];
	path = conf_find(ctx->config_path);
	if (conf_read(path, &cfg, &p) != 0) {
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s\n", p.lines[i]);
		fprintf(stderr, "%s: %zu problem%s\n", path ? path : CONFIG_DEFAULT_LABEL,
		    p.n, p.n == 1 ? "" : "s");
		conf_problems_clear(&p);
		return EXIT_USAGE;
	}
	if (cli_check_perms(cfg) != 0) {
		fprintf(stderr, "%s: loose permissions (above); nothing runs until "
		    "they are fixed\n", cfg->file);
		conf_free(&cfg);
		return EXIT_USAGE;
	}
	printf("%s: ok (station %s \"%s\", %s, data in %s, audio %s, %zu topics)\n",
	    cfg->file, cfg->station.code, cfg->station.name, cfg->station.timezone,
	    cfg->paths.data, cfg->audio.driver, cfg->ntopics);
	conf_free(&cfg);
	return EXIT_OK;
}

const struct cmd_entry cmd_check = {
	.name = "check",
	.usage = "[FILE]",
	.summary = "validate the configuration (and timetable); list every problem",
	.args = { "", 0, 1 },
	.help =
	    "Reads the configuration the way every command does (-c FILE,\n"
	    "$LOAXA_CONFIG, ./loaxa.conf, /etc/loaxa/loaxa.conf, else the built-in\n"
	    "default), or FILE when given, and prints each problem as\n"
	    "FILE:LINE: message. Then it checks that no one else can change what\n"
	    "the station trusts: the file (its group and others may not write it;\n"
	    "owned by root or you), the data directory and its database (others\n"
	    "may not write them; the daemon's group may), the station key (only\n"
	    "its owner may read it) and the inbox's parent directory, naming each\n"
	    "file that fails and the command that fixes it. Exit 0 with a one-line\n"
	    "summary when it is good, 2 when it has problems.\n"
	    "\n"
	    "example:\n"
	    "  loaxa check /etc/loaxa/loaxa.conf\n",
	.exec = check_exec,
};
