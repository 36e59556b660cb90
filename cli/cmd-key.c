/* loaxa key generate: a district's Ed25519 signing key for packages. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "library/library.h"

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
	fprintf(stderr, "%s: secret key written (mode 0600); keep it safe and never "
	    "send it. Public key also in %s.pub.\n"
	    "Paste this into each commune station's trust section:\n"
	    "  trust = { districts = ( { name = \"...\"; key = \"%s\"; "
	    "auto_approve = true; } ); };\n", out, out, pub);
	printf("%s\n", pub);
	return EXIT_OK;
}

static const struct cmd_entry key_generate_entry = {
	.name = "generate",
	.args = { "out:", 0, 0 },
	.exec = key_generate,
};

static const struct cmd_entry *const key_subs[] = { &key_generate_entry, NULL };

const struct cmd_entry cmd_key = {
	.name = "key",
	.usage = "generate --out NAME.key",
	.summary = "make a district signing key for bulletin packages (khóa ký)",
	.help =
	    "Creates an Ed25519 key pair. The secret key goes to NAME.key (readable\n"
	    "only by you; it is never overwritten) and signs the packages made with\n"
	    "`loaxa package create --key NAME.key`. The public key is printed on\n"
	    "stdout and written to NAME.key.pub: paste it into the trust section of\n"
	    "every commune station that should accept those packages.\n"
	    "\n"
	    "example:\n"
	    "  loaxa key generate --out kim-dong.key\n",
	.subs = key_subs,
};
