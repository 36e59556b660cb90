/* loaxa verify: checks signed airing-log exports, naming every tampered row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "config/config.h"
#include "reports/reports.h"

/* The key trust.stations lists for code, or NULL. */
static const unsigned char *
verify_trusted(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < cfg->trust.nstations; i++)
		if (strcmp(cfg->trust.stations[i].code, code) == 0)
			return cfg->trust.stations[i].key;
	return NULL;
}

/* Verifies one file; prints what it found; returns an exit status. */
static int
verify_one(const struct config *cfg, const char *path)
{
	const unsigned char *key;
	struct rep_verified v;
	char *cause = NULL;
	size_t i;
	int rc = EXIT_OK;

	if (rep_verify(path, 0, &v, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EXIT_REJECTED;
	}
	key = verify_trusted(cfg, v.station.code);
	if (!v.ok) {
		for (i = 0; i < v.nproblems; i++) {
			if (v.problems[i].line > 0)
				printf("%s:%lld: %s\n", path, (long long)v.problems[i].line,
				    v.problems[i].what);
			else
				printf("%s: %s\n", path, v.problems[i].what);
		}
		if (v.changed + v.removed + v.reordered + v.inserted > 0)
			fprintf(stderr, _("%s: rejected: %zu changed, %zu removed, %zu "
			    "reordered, %zu inserted rows; %s\n"), path, v.changed,
			    v.removed, v.reordered, v.inserted, v.sig_ok ?
			    _("they are not the rows the station signed") :
			    _("and the signature does not match"));
		else
			fprintf(stderr, _("%s: rejected: %s\n"), path, v.nproblems ?
			    v.problems[0].what : _("the signature does not match"));
		rc = EXIT_REJECTED;
	} else if (key != NULL && memcmp(key, v.key, 32) != 0) {
		fprintf(stderr, _("%s: rejected: signed with key %s, not the key "
		    "trust.stations lists for %s\n"), path, v.key_b64, v.station.code);
		rc = EXIT_REJECTED;
	} else if (key == NULL) {
		/*
		 * Anyone can sign a well-formed export with a key of their own:
		 * intact says nothing until the key is the station's.
		 */
		fprintf(stderr, _("%s: untrusted: station %s signed with key %s, which "
		    "trust.stations does not list; check the key with the station, "
		    "then add { code = \"%s\"; key = \"%s\"; }\n"), path, v.station.code,
		    v.key_b64, v.station.code, v.key_b64);
		rc = EXIT_REJECTED;
	} else {
		/* Authentic, but rows no true airing writes: said, not refused. */
		for (i = 0; i < v.nflags; i++)
			printf(_("%s:%lld: flagged: %s\n"), path, (long long)v.flags[i].line,
			    v.flags[i].what);
		printf(_("%s: ok: station %s, %s (%s..%s), %zu rows, key %s (trusted)\n"),
		    path, v.station.code, v.period.label, v.period.from, v.period.to,
		    v.rows, v.key_b64);
		if (v.nflags > 0)
			printf(_("%s: %zu rows flagged (see above)\n"), path, v.nflags);
	}
	rep_verified_clear(&v);
	return rc;
}

/* loaxa verify FILE... */
static int
verify_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int i, rc = EXIT_OK, r;

	for (i = 0; i < args->argc; i++)
		if ((r = verify_one(ctx->cfg, args->argv[i])) != EXIT_OK)
			rc = r;
	return rc;
}

const struct cmd_entry cmd_verify = {
	.name = "verify",
	.usage = "FILE...",
	.summary = N_("check signed airing-log exports: signature and hash chain (kiểm tra)"),
	.help = N_(
	    "Checks each export's Ed25519 signature and every row's link in the hash\n"
	    "chain, and names each changed, removed, reordered or inserted row\n"
	    "(FILE:LINE: what, on standard output). The station must be listed in\n"
	    "trust.stations and have signed with the key listed there: an intact\n"
	    "export signed with any other key is untrusted. Rows of an authentic\n"
	    "export that no true airing writes (played longer than on air, two on\n"
	    "air at once, an output that was not real-time) are listed as\n"
	    "FILE:LINE: flagged: what; they do not change the exit status.\n"
	    "\n"
	    "exit status: 0 when every file is intact and trusted, 3 when any is\n"
	    "not (one line FILE: reason on stderr per bad or untrusted file).\n"),
	.flags = CMD_CONFIG,
	.args = { "", 1, -1 },
	.exec = verify_exec,
};
