/* loaxa verify-library: re-hash every stored bulletin file. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"

/* Prints one problem as "PATH: what (bulletin N): detail". */
static void
verify_report(const struct lib_problem *p, void *arg)
{
	(void)arg;
	if (p->id != 0)
		fprintf(stderr, "%s: %s (bulletin %lld): %s\n", p->path, p->what,
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
		printf("%s: %zu bulletin file%s checked, all intact\n",
		    ctx->cfg->paths.data, checked, checked == 1 ? "" : "s");
		rc = EXIT_OK;
	} else {
		printf("%s: %zu bulletin file%s checked, %zu missing or changed; "
		    "they will not air\n", ctx->cfg->paths.data, checked,
		    checked == 1 ? "" : "s", bad);
		rc = EXIT_FAIL;
	}
	lib_free(&lib);
	store_close(&st);
	return rc;
}

const struct cmd_entry cmd_verify_library = {
	.name = "verify-library",
	.usage = "",
	.summary = "check that no bulletin file is missing or changed",
	.flags = CMD_CONFIG,
	.args = { "", 0, 0 },
	.help =
	    "Re-reads every bulletin file in the data directory and compares its\n"
	    "SHA-256 with the one recorded at approval (or import). Each missing\n"
	    "or changed file is printed as PATH: problem; such a bulletin will not\n"
	    "air. Files no bulletin uses, left by an interrupted import more than an\n"
	    "hour ago, are removed.\n"
	    "\n"
	    "exit status: 0 all intact, 1 a file is missing or changed (or the\n"
	    "library cannot be read).\n",
	.exec = verify_exec,
};
