/* loaxa export: a signed, hash-chained copy of the airing log for a period. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/reports.h"
#include "scheduler/history.h"
#include "store/store.h"

/* loaxa export (--period P | --from D --to D) --out FILE */
static int
export_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *period = cli_opt(args, "period"), *from = cli_opt(args, "from");
	const char *to = cli_opt(args, "to"), *out = cli_opt(args, "out");
	struct store *st = NULL;
	struct rep_period p;
	unsigned char sk[64], pk[32];
	char *cause = NULL, *key, pub[64];
	size_t rows;
	int rc;

	if (out == NULL ||
	    (period == NULL) == (from == NULL || to == NULL) ||
	    (period != NULL && (from != NULL || to != NULL)))
		return cli_usage(ctx->entry);
	setenv("TZ", ctx->cfg->station.timezone, 1);
	tzset();
	rc = period != NULL ? rep_period_parse(period, ctx->cfg->reports.calendar_periods,
	    &p, &cause) : rep_period_dates(from, to, &p, &cause);
	if (rc != 0) {
		fprintf(stderr, "loaxa export: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (cli_check_perms(ctx->cfg) != 0)
		return EXIT_USAGE;
	if (cli_open_store(ctx, &st) != 0)
		return EXIT_FAIL;
	xasprintf(&key, "%s/%s", ctx->cfg->paths.data, REP_KEY_FILE);
	if (access(key, F_OK) != 0 && errno == ENOENT) {
		fprintf(stderr, _("%s: this station has no export key yet; make it "
		    "once with `loaxa key station` and give the district its public "
		    "key\n"), key);
		free(key);
		store_close(&st);
		return EXIT_FAIL;
	}
	free(key);
	/* The export carries the timetable history: as loaxa report, make one. */
	if (sched_history_ensure(st, ctx->cfg, (int64_t)time(NULL) * 1000, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		store_close(&st);
		return EXIT_FAIL;
	}
	rc = rep_export(store_db(st), ctx->cfg, ctx->cfg->paths.data, &p, out, &rows,
	    &cause);
	store_close(&st);
	if (rc != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	if (rep_key_load(ctx->cfg->paths.data, sk, pk, &cause) == 0) {
		sodium_memzero(sk, sizeof sk);
		sodium_bin2base64(pub, sizeof pub, pk, sizeof pk,
		    sodium_base64_VARIANT_ORIGINAL);
	} else {
		free(cause);
		snprintf(pub, sizeof pub, "?");
	}
	printf(_("%s: %zu airings of station %s, %s (%s..%s), signed with key %s\n"),
	    out, rows, ctx->cfg->station.code ? ctx->cfg->station.code : "?", p.label,
	    p.from, p.to, pub);
	return EXIT_OK;
}

const struct cmd_entry cmd_export = {
	.name = "export",
	.usage = "(--period 2026-H1|2026-9M|2026 | --from DATE --to DATE) --out FILE",
	.summary = N_("a signed, tamper-evident airing-log export for the district (xuất nhật ký)"),
	.help = N_(
	    "Writes every airing of the period, with the metadata of the bulletins\n"
	    "it names, to FILE: each row's SHA-256 covers the row before it, and the\n"
	    "station's Ed25519 key (made once with `loaxa key station`) signs\n"
	    "the whole. The district checks it with `loaxa verify FILE` and merges\n"
	    "many with `loaxa report --merge`; it trusts the public key the file\n"
	    "names once it is listed in its trust.stations.\n"
	    "\n"
	    "  --period P        YYYY-H1, YYYY-9M, YYYY (as for loaxa report)\n"
	    "  --from D --to D   any window, YYYY-MM-DD, inclusive local days\n"
	    "  --out FILE        where to write it (replaced atomically)\n"),
	.flags = CMD_CONFIG,
	.args = { "period: from: to: out:", 0, 0 },
	.exec = export_exec,
};
