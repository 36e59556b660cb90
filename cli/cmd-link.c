/* link: the station's connection to its district's MQTT broker (link/). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/net.h"
#include "common/i18n.h"
#include "config/config.h"
#include "link/link.h"

static int
link_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct config_problems p = { 0 };
	char *cause = NULL;
	size_t i;

	(void)args;
	if (!ctx->cfg->link.enabled) {
		fprintf(stderr, _("loaxa link: %s has no link section: this station "
		    "has no broker to talk to (see loaxa(1), LINK)\n"), ctx->cfg->file);

		return EXIT_USAGE;
	}
	if (conf_link_files(ctx->cfg, &p) != 0) {
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s\n", p.lines[i]);
		conf_problems_clear(&p);
		return EXIT_USAGE;
	}
	if (link_run(ctx->cfg, &cause) != 0) {
		fprintf(stderr, "loaxa link: %s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

const struct cmd_entry cmd_link = {
	.name = "link",
	.usage = "",
	.summary = CLI_NET_LINK_SUMMARY,
	.help =
	    N_("Runs in the foreground until SIGTERM (systemd runs it as\n"
	    "loaxa-link.service). Publishes the station's state (retained, with\n"
	    "an offline last will) and every airing-log row as it is committed\n"
	    "(QoS 1, each with a station-unique msg_id, kept in the outbox until\n"
	    "the broker acknowledges it); receives the district's packages and\n"
	    "signed commands. Needs a link section in the configuration; without\n"
	    "one it says so and exits 2. It never writes the station's database\n"
	    "and never stops playout: `loaxa status` shows how it fares.\n"
	    "Topics and message formats: loaxa(1), LINK.\n"),
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.exec = link_exec,
};
