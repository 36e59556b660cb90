/* Becoming loaxa-net (cli/net.h says why). */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/net.h"
#include "common/i18n.h"

#include "common/xmalloc.h"

#ifndef LOAXA_BINDIR
#define LOAXA_BINDIR "/usr/local/bin"
#endif

/* DIR/loaxa-net beside the running binary, or NULL when there is none. */
static char *
net_beside_self(void)
{
	char self[PATH_MAX], *prog;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) < 0)
		return NULL;
	self[n] = '\0';
	xasprintf(&prog, "%s/%s", dirname(self), CLI_NET_PROG);
	if (access(prog, X_OK) == 0)
		return prog;
	free(prog);
	return NULL;
}

int
cli_net_exec(char **argv)
{
	char *prog = net_beside_self();

	if (prog == NULL)
		xasprintf(&prog, "%s/%s", LOAXA_BINDIR, CLI_NET_PROG);
	fflush(NULL);
	execv(prog, argv);
	fprintf(stderr, _("loaxa: %s: %s (make install puts it beside loaxa)\n"), prog,
	    strerror(errno));
	free(prog);
	return EXIT_FAIL;
}
