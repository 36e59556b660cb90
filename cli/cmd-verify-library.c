/* loaxa verify-library: check every bulletin's file, hashes and audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"

/* Prints one problem as "PATH: what (bulletin N): detail". */
static void
verify_report(const struct lib_problem *p, void *arg)
{
	(void)arg;
	if (p->id != 0)
		fprintf(stderr, _("%s: %s (bulletin %lld): %s\n"), p->path, p->what,
		    (long long)p->id, p->detail);
	else
		fprintf(stderr, "%s: %s: %s\n", p->path, p->what, p->detail);
}

static int
verify_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct library *lib = NULL;
	struct store *st = NULL;
	char *cause = NULL;
	size_t checked, bad;
	int rc;

	(void)args;
	setenv("TZ", ctx->cfg->station.timezone, 1);
	tzset();
	if (cli_open_store(ctx, &st) != 0)
		return EXIT_FAIL;
	if (lib_new(st, ctx->cfg->paths.data, &lib, &cause) != 0 ||
	    lib_verify(lib, verify_report, NULL, &checked, &bad, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		lib_free(&lib);
		store_close(&st);
		return EXIT_FAIL;
	}
	if (bad == 0) {
		printf(ngettext("%s: %zu bulletin file checked, all intact\n",
		    "%s: %zu bulletin files checked, all intact\n", checked),
		    ctx->cfg->paths.data, checked);
		rc = EXIT_OK;
	} else {
		printf(ngettext("%s: %zu bulletin checked, %zu failed verification; "
		    "see above\n", "%s: %zu bulletins checked, %zu failed "
		    "verification; see above\n", checked), ctx->cfg->paths.data,
		    checked, bad);
		rc = EXIT_REJECTED;
	}
	lib_free(&lib);
	store_close(&st);
	return rc;
}

const struct cmd_entry cmd_verify_library = {
	.name = "verify-library",
	.usage = "",
	.summary = N_("check bulletin files, hashes and approvals against the audit trail"),
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.help = N_(
	    "Checks every bulletin as the library would have written it, so that\n"
	    "an edit of the database behind loaxa's back shows: its file is the one\n"
	    "its SHA-256 names (misfiled), is there (missing) and readable\n"
	    "(unreadable), and its bytes hash to it (changed); the approved SHA-256\n"
	    "is the content's (approval); an approval has its audit event for that\n"
	    "hash, and the bulletin's state is the one its audit trail leaves\n"
	    "(unaudited). Each problem is one line on stderr,\n"
	    "PATH: problem (bulletin ID): detail. Files no bulletin uses, left by an\n"
	    "interrupted import more than an hour ago, are removed.\n"
	    "\n"
	    "exit status: 0 all intact, 3 a bulletin failed verification (the player\n"
	    "refuses a file whose bytes are not the approved ones), 1 the library\n"
	    "cannot be read.\n"),
	.exec = verify_exec,
};
