/* loaxa check: validate the configuration and say so. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"

/*
 * The absolute form of path with links resolved as far as it exists, the
 * rest (not made yet) taken as written, "." and ".." applied. Allocated.
 */
static char *
check_canon(const char *path)
{
	char *abs, *head, *tail = xstrdup(""), *t, *slash, *out, *seg, *save;
	char cwd[PATH_MAX], *real;

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		abs = xstrdup(path);
	else
		xasprintf(&abs, "%s/%s", cwd, path);
	head = xstrdup(abs);
	/* Walk up to the longest part that exists. */
	while ((real = realpath(head, NULL)) == NULL &&
	    (slash = strrchr(head, '/')) != NULL && slash != head) {
		xasprintf(&t, "%s/%s", slash + 1, tail);
		free(tail);
		tail = t;
		*slash = '\0';
	}
	out = real != NULL ? real : xstrdup("");
	for (seg = strtok_r(tail, "/", &save); seg != NULL;
	    seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if ((slash = strrchr(out, '/')) != NULL)
				*slash = '\0';
			continue;
		}
		xasprintf(&t, "%s/%s", strcmp(out, "/") == 0 ? "" : out, seg);
		free(out);
		out = t;
	}
	free(abs);
	free(head);
	free(tail);
	return out;
}

/*
 * Whether the inbox keeps apart from the data directory: not the same, not
 * containing it, not inside it but as DATA/inbox (the default: a folder
 * of its own that the inbox never leaves). Prints the problem; 0 or -1.
 */
static int
check_inbox(const struct config *cfg)
{
	char *data = check_canon(cfg->paths.data);
	char *inbox = check_canon(cfg->paths.inbox);
	char *own;
	size_t nd = strlen(data), ni = strlen(inbox);
	const char *what = NULL;

	xasprintf(&own, "%s/inbox", data);
	if (strcmp(data, inbox) == 0)
		what = _("is the data directory");
	else if (ni > nd && strncmp(inbox, data, nd) == 0 && inbox[nd] == '/' &&
	    strcmp(inbox, own) != 0)
		what = _("is inside the data directory");
	else if (nd > ni && strncmp(data, inbox, ni) == 0 &&
	    (data[ni] == '/' || strcmp(inbox, "/") == 0))
		what = _("contains the data directory");
	if (what != NULL)
		fprintf(stderr, _("%s: paths.inbox '%s' %s '%s': whoever may drop "
		    "files into the inbox must not reach the library; give it a "
		    "directory apart (or DATA/inbox)\n"), cfg->file, cfg->paths.inbox,
		    what, cfg->paths.data);
	free(own);
	free(data);
	free(inbox);
	return what != NULL ? -1 : 0;
}

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
		fprintf(stderr, ngettext("%s: %zu problem\n", "%s: %zu problems\n",
		    p.n), path ? path : CONFIG_DEFAULT_LABEL, p.n);
		conf_problems_clear(&p);
		return EXIT_USAGE;
	}
	if (conf_link_files(cfg, &p) != 0) {
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s\n", p.lines[i]);
		conf_problems_clear(&p);
		conf_free(&cfg);
		return EXIT_USAGE;
	}
	if (check_inbox(cfg) != 0) {
		conf_free(&cfg);
		return EXIT_USAGE;
	}
	if (cli_check_perms(cfg) != 0) {
		fprintf(stderr, _("%s: loose permissions (above); nothing runs until "
		    "they are fixed\n"), cfg->file);
		conf_free(&cfg);
		return EXIT_USAGE;
	}
	printf(_("%s: ok (station %s \"%s\", %s, data in %s, audio %s, %zu topics)\n"),
	    cfg->file, cfg->station.code, cfg->station.name, cfg->station.timezone,
	    cfg->paths.data, cfg->audio.driver, cfg->ntopics);
	if (cfg->link.district_timetable) {
		char *tt = conf_district_timetable(cfg);

		if (access(tt, F_OK) == 0)
			printf(ngettext("%s: ok, the district's timetable (%zu slot) in "
			    "place of the file's own\n", "%s: ok, the district's timetable "
			    "(%zu slots) in place of the file's own\n", cfg->nslots), tt,
			    cfg->nslots);
		free(tt);
	}
	conf_free(&cfg);
	return EXIT_OK;
}

const struct cmd_entry cmd_check = {
	.name = "check",
	.usage = "[FILE]",
	.summary = N_("validate the configuration (and timetable); list every problem"),
	.args = { "", 0, 1 },
	.help = N_(
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
	    "  loaxa check /etc/loaxa/loaxa.conf\n"),
	.exec = check_exec,
};
