/*
 * loaxa key generate: a district's Ed25519 signing key for packages; loaxa
 * key station: the station's key for its airing-log exports.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "config/config.h"
#include "library/library.h"
#include "reports/reports.h"
#include "store/store.h"

/* key generate: a new key pair in --out and --out.pub. */
static int
key_generate(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *out = cli_opt(args, "out");
	char pub[64], *cause = NULL;

	if (out == NULL)
		return cli_usage(ctx->entry);
	if (lib_key_generate(out, pub, sizeof pub, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	fprintf(stderr, _("%s: secret key written (mode 0600); keep it safe and "
	    "never send it. Public key also in %s.pub.\n"
	    "Paste this into each commune station's trust section:\n"), out, out);
	fprintf(stderr, "  trust = { districts = ( { name = \"...\"; key = \"%s\"; "
	    "auto_approve = true; } ); };\n", pub);
	printf("%s\n", pub);
	return EXIT_OK;
}

/* key station [--replace]: the station's export key, made once, by hand. */
static int
key_station(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct config *cfg = NULL;
	struct store *st = NULL;
	char pub[64], *cause = NULL;
	int rc = EXIT_OK;

	if (conf_load(ctx->config_path, &cfg, stderr) != 0)
		return EXIT_USAGE;
	if (store_open_dir(cfg->paths.data, &st, &cause) != 0 ||
	    rep_key_create(st, cfg->paths.data, cli_opt(args, "replace") != NULL, pub,
	    &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		rc = EXIT_FAIL;
	} else {
		fprintf(stderr, _("%s/%s: this station's export key (mode 0600); keep "
		    "a copy with the backups and never send it.\n"
		    "Give the district this line for its trust.stations:\n"),
		    cfg->paths.data, REP_KEY_FILE);
		fprintf(stderr, "  { code = \"%s\"; key = \"%s\"; }\n",
		    cfg->station.code, pub);
		printf("%s\n", pub);
	}
	store_close(&st);
	conf_free(&cfg);
	return rc;
}

static const struct cmd_entry key_generate_entry = {
	.name = "generate",
	.args = { "out:", 0, 0 },
	.exec = key_generate,
};

static const struct cmd_entry key_station_entry = {
	.name = "station",
	.args = { "replace", 0, 0 },
	.exec = key_station,
};

static const struct cmd_entry *const key_subs[] = { &key_generate_entry,
	&key_station_entry, NULL };

const struct cmd_entry cmd_key = {
	.name = "key",
	.usage = "generate --out NAME.key | station [--replace]",
	.summary = N_("make a district signing key, or the station's export key (khóa ký)"),
	.help = N_(
	    "generate: creates an Ed25519 key pair. The secret key goes to NAME.key\n"
	    "(readable only by you; it is never overwritten) and signs the packages\n"
	    "made with `loaxa package create --key NAME.key`. The public key is\n"
	    "printed on stdout and written to NAME.key.pub: paste it into the trust\n"
	    "section of every commune station that should accept those packages.\n"
	    "\n"
	    "station: creates the station's own key, DATA/station.key (mode 0600),\n"
	    "which signs its `loaxa export` files; once, as the daemon's user. The\n"
	    "public key is printed on stdout, with the line the district adds to\n"
	    "its trust.stations. The data directory remembers the key: if the file\n"
	    "is lost, restore it from a backup; exports stop until then, because a\n"
	    "new key is a new identity the district does not trust. Only when it is\n"
	    "lost for good does --replace make a new one (send the district the new\n"
	    "public key).\n"
	    "\n"
	    "A secret key that its group or others can read or write is refused\n"
	    "wherever it is used.\n"
	    "\n"
	    "examples:\n"
	    "  loaxa key generate --out kim-dong.key\n"
	    "  sudo -u loaxa loaxa key station\n"),
	.subs = key_subs,
};
