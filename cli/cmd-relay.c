/*
 * loaxa relay: the relay service. It is a program of its own, loaxa-relay,
 * installed beside loaxa: the only process of the station with network,
 * and the only one that maps FFmpeg (relay/fetch/main.c says why). This
 * command finds it beside the running binary and becomes it.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/xmalloc.h"

static int
relay_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char self[PATH_MAX], *prog;
	const char *argv[5];
	ssize_t n;
	int i = 0;

	(void)args;
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) < 0) {
		fprintf(stderr, "loaxa relay: /proc/self/exe: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	self[n] = '\0';
	xasprintf(&prog, "%s/loaxa-relay", dirname(self));
	argv[i++] = prog;
	if (ctx->config_path != NULL) {
		argv[i++] = "-c";
		argv[i++] = ctx->config_path;
	}
	if (log_verbose())
		argv[i++] = "-v";
	argv[i] = NULL;
	fflush(NULL);
	execv(prog, (char *const *)argv);
	fprintf(stderr, "loaxa relay: %s: %s\n", prog, strerror(errno));
	free(prog);
	return EXIT_FAIL;
}

const struct cmd_entry cmd_relay = {
	.name = "relay",
	.usage = "",
	.summary = N_("the relay service: bring the configured live sources to the player"),
	.args = { "", 0, 0 },
	.help =
	    N_("Runs in the foreground until stopped (packaging/loaxa-relay.service).\n"
	    "It listens on DATA/relay.sock; when a relay slot airs, the player asks\n"
	    "it for a source by its name in relay.sources, and it fetches (HTTP,\n"
	    "HTTPS with the certificate checked, Icecast, HLS) or captures (pulse,\n"
	    "alsa) and decodes that source. It is the only loaxa process with\n"
	    "network: `loaxa run` has none. A client can name only a configured\n"
	    "source, never an address.\n"),
	.exec = relay_exec,
};
