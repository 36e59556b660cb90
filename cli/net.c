/* Becoming loaxa-net or loaxa-link (cli/net.h says why). */
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

/* DIR/name beside the running binary, or NULL when there is none. */
static char *
net_beside_self(const char *name)
{
	char self[PATH_MAX], *prog;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) < 0)
		return NULL;
	self[n] = '\0';
	xasprintf(&prog, "%s/%s", dirname(self), name);
	if (access(prog, X_OK) == 0)
		return prog;
	free(prog);
	return NULL;
}

int
cli_net_exec(const struct cmd_entry *e, char **argv)
{
	const char *name = strcmp(e->name, "link") == 0 ? CLI_LINK_PROG :
	    CLI_NET_PROG;
	char *prog = net_beside_self(name);

	if (prog == NULL)
		xasprintf(&prog, "%s/%s", LOAXA_BINDIR, name);
	fflush(NULL);
	execv(prog, argv);
	fprintf(stderr, _("loaxa: %s: %s (make install puts it beside loaxa)\n"), prog,
	    strerror(errno));
	free(prog);
	return EXIT_FAIL;
}
