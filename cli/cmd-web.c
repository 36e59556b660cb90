/*
 * loaxa web: the operator's console in a browser (web/), a process of its
 * own beside the daemon; and `loaxa web user add`, its accounts.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/net.h"
#include "common/i18n.h"
#include "common/log.h"
#include "config/config.h"
#include "reports/reports.h"
#include "store/store.h"
#include "web/web.h"

/* Reads one line from stdin into buf without its newline; -1 at end of input. */
static int
web_read_line(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int tty = isatty(0), rc = 0;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		rc = -1;
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return rc;
}

/* loaxa web user add NAME --role ROLE: the password from stdin or a prompt. */
static int
web_user_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *role = cli_opt(args, "role"), *name = args->argv[2];
	char pass[1100], again[1100], *cause = NULL;
	struct store *st = NULL;
	int created, rc;

	if (!web_role_valid(role)) {
		fprintf(stderr, _("loaxa web: --role must be %s\n"), WEB_ROLES);
		return EXIT_USAGE;
	}
	if (!cli_text_arg("web", "NAME", name, 64))
		return EXIT_USAGE;
	if (web_read_line("Mật khẩu / password: ", pass, sizeof pass) != 0) {
		fprintf(stderr, _("loaxa web: no password given (on stdin or at the "
		    "prompt)\n"));
		return EXIT_USAGE;
	}
	if (isatty(0) && (web_read_line("Nhập lại / again: ", again, sizeof again) != 0 ||
	    strcmp(pass, again) != 0)) {
		fprintf(stderr, _("loaxa web: the passwords differ\n"));
		return EXIT_USAGE;
	}
	if (cli_open_store(ctx, &st) != 0)
		return EXIT_FAIL;
	rc = web_user_add(st, name, role, pass, &created, &cause);
	explicit_bzero(pass, sizeof pass);
	explicit_bzero(again, sizeof again);
	store_close(&st);
	if (rc != 0) {
		fprintf(stderr, "loaxa web: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	printf(created ? _("added %s (%s)\n") : _("updated %s (%s)\n"), name, role);
	return EXIT_OK;
}

/* Serves until SIGINT or SIGTERM. */
static int
web_serve(struct cmd_ctx *ctx)
{
	struct rep_schedule sched = { cli_report_occurrences, 0 };
	struct store *st = NULL;
	struct web *w = NULL;
	char *cause = NULL;
	sigset_t set;
	int sig;

	/* The station's key and schema, as every command makes sure of them. */
	if (cli_open_store(ctx, &st) != 0)
		return EXIT_FAIL;
	store_close(&st);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (web_start(ctx->cfg, &sched, &w, &cause) != 0) {
		fprintf(stderr, "loaxa web: %s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	log_info(_("loaxa web: listening on %s://%s:%d/"),
	    ctx->cfg->web.tls_cert[0] != '\0' ? "https" : "http", ctx->cfg->web.address,
	    web_port(w));
	do
		if (sigwait(&set, &sig) != 0)
			break;
	while (sig == SIGHUP);
	web_free(&w);
	return EXIT_OK;
}

static int
web_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	if (args->argc == 0) {
		if (cli_opt(args, "role") != NULL)
			return cli_usage(ctx->entry);
		return web_serve(ctx);
	}
	if (args->argc == 3 && strcmp(args->argv[0], "user") == 0 &&
	    strcmp(args->argv[1], "add") == 0)
		return web_user_exec(ctx, args);
	return cli_usage(ctx->entry);
}

const struct cmd_entry cmd_web = {
	.name = "web",
	.usage = "| web user add NAME --role operator|approver|viewer",
	.summary = CLI_NET_WEB_SUMMARY,
	.help =
	    N_("loaxa web serves the console on the 'web' section's address and port\n"
	    "(default 127.0.0.1:8080; HTTPS with tls_cert and tls_key) until it is\n"
	    "stopped. It uses the library and the airing log as the other commands\n"
	    "do and the running daemon only through its control socket; it never\n"
	    "plays audio. Run it as the station's user (systemd: loaxa-web.service).\n"
	    "\n"
	    "loaxa web user add NAME --role ROLE adds an account, or sets its role\n"
	    "and password; the password is read from standard input (asked twice\n"
	    "on a terminal), at least 8 bytes, and kept as an Argon2id hash.\n"
	    "  operator   imports, plays, stops, retires; cannot approve\n"
	    "  approver   all an operator does, and approves and rejects\n"
	    "  viewer     sees everything, changes nothing\n"
	    "\n"
	    "example:\n"
	    "  echo 'mat-khau-dai' | loaxa web user add \"Nguyễn Văn A\" --role approver\n"),
	.flags = CMD_CONFIG,
	.args = { "role:", 0, 3 },
	.exec = web_exec,
};
