/* loaxa inbox: import the packages waiting in the inbox directory. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/perm.h"
#include "common/utf8.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"

/* Passes made for packages still being copied in, LIB_INBOX_SETTLE_MS apart. */
#define INBOX_PASSES 15

/* Prints what happened to one package. */
static void
inbox_report(const char *path, int rc, const struct lib_pkg_result *res,
    const char *cause, void *arg)
{
	/* The name is the dropper's choice: never a terminal escape on our output. */
	char *name = utf8_clean(path), *why;
	size_t i, fresh = 0;

	(void)arg;
	if (rc != 0) {
		why = utf8_clean(cause);
		fprintf(stderr, "%s: %s\n", name, why);
		free(why);
		free(name);
		return;
	}
	for (i = 0; i < res->n; i++)
		fresh += !res->existed[i];
	printf(res->approved ? ngettext("%s: %zu bulletin from '%s' (%zu new, "
	    "approved by the district):", "%s: %zu bulletins from '%s' (%zu new, "
	    "approved by the district):", res->n) : ngettext("%s: %zu bulletin from "
	    "'%s' (%zu new, pending approval):", "%s: %zu bulletins from '%s' (%zu "
	    "new, pending approval):", res->n), name, res->n, res->signer, fresh);
	for (i = 0; i < res->n; i++)
		printf(" %lld", (long long)res->ids[i]);
	printf("\n");
	free(name);
}

static int
inbox_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config *cfg = ctx->cfg;
	struct lib_trusted *trusted;
	struct library *lib = NULL;
	struct store *st = NULL;
	const char **topics;
	char *cause = NULL, *why;
	size_t done = 0, rejected = 0, d, r, waiting;
	int rc, pass;

	(void)args;
	/* What it reads came from outside (the daemon runs it as its child). */
	perm_close_proc();
	if (cli_open_library(ctx, &st, &lib) != 0)
		return EXIT_FAIL;
	cli_trust(cfg, &trusted, &topics);
	/* A package still being copied in is waited for, a while. */
	for (pass = 1;; pass++) {
		rc = lib_inbox(lib, cfg->paths.inbox, trusted, cfg->trust.ndistricts,
		    topics, inbox_report, NULL, &d, &r, &waiting, &cause);
		done += d;
		rejected += r;
		if (rc != 0 || waiting == 0 || pass == INBOX_PASSES)
			break;
		usleep(LIB_INBOX_SETTLE_MS * 1000);
	}
	if (rc != 0) {
		why = utf8_clean(cause);
		fprintf(stderr, "%s\n", why);
		free(why);
		free(cause);
		rc = EXIT_FAIL;
	} else {
		printf(ngettext("%s: %zu package imported, %zu rejected",
		    "%s: %zu packages imported, %zu rejected", done), cfg->paths.inbox,
		    done, rejected);
		if (waiting > 0)
			printf(_(", %zu still being written (left for the next run)"),
			    waiting);
		printf("\n");
		rc = rejected > 0 ? EXIT_REJECTED : EXIT_OK;
	}
	free(trusted);
	free(topics);
	lib_free(&lib);
	store_close(&st);
	return rc;
}

const struct cmd_entry cmd_inbox = {
	.name = "inbox",
	.usage = "",
	.summary = N_("import the district packages waiting in the inbox (hộp thư gói tin)"),
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.help = N_(
	    "Imports every package file in the inbox directory (paths.inbox) the\n"
	    "way `loaxa package import` does. Each imported package is moved to\n"
	    "inbox/done/; each refused one (unsigned, forged, from an unknown key,\n"
	    "damaged, bad audio) to inbox/rejected/ with a NAME.why file saying why.\n"
	    "Nothing in done/ or rejected/ is ever replaced (a taken name gets\n"
	    "NAME.1, ...); both must be directories of the user loaxa runs as,\n"
	    "or nothing is imported. A package changed in the last 2 seconds may\n"
	    "still be being copied in: it is waited for (up to 30 seconds), then\n"
	    "left for the next run. Copy a package in under a name starting with\n"
	    "'.', then rename it: the inbox never sees half of it.\n"
	    "The running scheduler does the same by itself.\n"
	    "\n"
	    "exit status: 0 all imported (or none waiting), 3 a package was refused,\n"
	    "1 the library could not be written.\n"),
	.exec = inbox_exec,
};
