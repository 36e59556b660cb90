/* loaxa approve, reject, retire: the approval workflow, each change audited. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"

extern const struct cmd_entry cmd_approve, cmd_reject, cmd_retire;

/*
 * The three commands in one, told apart by their entry: checks --by and
 * --reason, then applies the transition to each id. Returns 0, 3 when one
 * was refused, 1 on failure.
 */
static int
approve_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct cmd_entry *e = ctx->entry;
	const char *cmd = e->name, *by = cli_opt(args, "by");
	const char *reason = cli_opt(args, "reason");
	struct library *lib = NULL;
	struct store *st = NULL;
	struct lib_bulletin b;
	char *cause = NULL;
	int64_t *ids;
	int i, n = args->argc, rc, status = EXIT_OK;

	if (e != &cmd_retire && (by == NULL || by[0] == '\0')) {
		fprintf(stderr, _("loaxa %s: --by NAME is required (who decides is "
		    "recorded)\n"), cmd);
		return EXIT_USAGE;
	}
	if (e == &cmd_reject && (reason == NULL || reason[0] == '\0')) {
		fprintf(stderr, _("loaxa reject: --reason R is required\n"));
		return EXIT_USAGE;
	}
	if (e == &cmd_approve && reason != NULL) {
		fprintf(stderr, _("loaxa approve: --reason is for reject and retire\n"));
		return EXIT_USAGE;
	}
	/* The audit trail keeps who and why as text; refuse what is not. */
	if ((by != NULL && !cli_text_arg(cmd, "--by", by, 500)) ||
	    (reason != NULL && !cli_text_arg(cmd, "--reason", reason, 1000)))
		return EXIT_USAGE;
	ids = xcalloc((size_t)n, sizeof *ids);
	for (i = 0; i < n; i++)
		if ((ids[i] = cli_bulletin_id(cmd, args->argv[i])) == 0) {
			free(ids);
			return EXIT_USAGE;
		}
	if (cli_open_library(ctx, &st, &lib) != 0) {
		free(ids);
		return EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (e == &cmd_approve)
			rc = lib_approve(lib, ids[i], by, &cause);
		else if (e == &cmd_reject)
			rc = lib_reject(lib, ids[i], by, reason, &cause);
		else
			rc = lib_retire(lib, ids[i], cli_actor(by), reason, &cause);
		if (rc != 0) {
			cli_failed(args->argv[i], rc, &cause, &status);
			continue;
		}
		if (lib_get(lib, ids[i], &b, &cause) == 0) {
			if (e == &cmd_approve)
				printf(_("bulletin %lld \"%s\" approved by %s (SHA-256 %s)\n"),
				    (long long)b.id, b.title, by, b.approved_sha256);
			else
				printf(_("bulletin %lld \"%s\" %s\n"), (long long)b.id, b.title,
				    cli_status_text(b.status));
			lib_bulletin_clear(&b);
		} else {
			free(cause);
			cause = NULL;
		}
	}
	free(ids);
	lib_free(&lib);
	store_close(&st);
	return status;
}

const struct cmd_entry cmd_approve = {
	.name = "approve",
	.usage = "--by NAME ID...",
	.summary = N_("approve bulletins for airing (duyệt bản tin)"),
	.flags = CMD_CONFIG,
	.args = { "by: reason:", 1, -1 },
	.help = N_(
	    "Approves each pending (or earlier rejected) bulletin. The file's SHA-256\n"
	    "is checked and recorded: if the file is ever changed afterwards it will\n"
	    "not air. A bulletin whose validity has ended cannot be approved.\n"
	    "Who approved and when is kept in the history (`loaxa show ID`).\n"
	    "\n"
	    "exit status: 0 done, 3 a bulletin could not be approved, 2 bad options.\n"
	    "\n"
	    "example:\n"
	    "  loaxa approve --by \"Nguyễn Văn A\" 12 13\n"),
	.exec = approve_exec,
};

const struct cmd_entry cmd_reject = {
	.name = "reject",
	.usage = "--by NAME --reason R ID",
	.summary = N_("refuse a bulletin, saying why (từ chối)"),
	.flags = CMD_CONFIG,
	.args = { "by: reason:", 1, 1 },
	.help = N_(
	    "Marks a pending or approved bulletin rejected: it will not air. The\n"
	    "reason, who and when are kept in the history. It can be approved later.\n"
	    "\n"
	    "example:\n"
	    "  loaxa reject --by \"Nguyễn Văn A\" --reason \"sai số liệu\" 12\n"),
	.exec = approve_exec,
};

const struct cmd_entry cmd_retire = {
	.name = "retire",
	.usage = "[--by NAME] [--reason R] ID...",
	.summary = N_("take bulletins out of use for good (ngừng phát)"),
	.flags = CMD_CONFIG,
	.args = { "by: reason:", 1, -1 },
	.help = N_(
	    "Retires bulletins that should no longer air. They stay in the library\n"
	    "and in the reports; the history records who retired them and why\n"
	    "(--by defaults to your login name). Bulletins also retire by themselves\n"
	    "the day after their --until date.\n"
	    "\n"
	    "example:\n"
	    "  loaxa retire --reason \"hết đợt tuyên truyền\" 12\n"),
	.exec = approve_exec,
};
