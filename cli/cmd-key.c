/* loaxa key generate: a district's Ed25519 signing key for packages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "library/library.h"

static int
key_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	char pub[64], *cause = NULL;
	int c;

	if (argc < 2 || strcmp(argv[1], "generate") != 0)
		return cli_usage(ctx->entry);
	while ((c = cli_getopt(ctx->entry, argc - 1, argv + 1, opts)) != -1) {
		if (c != 'o')
			return EXIT_USAGE;
		out = optarg;
	}
	if (out == NULL || optind + 1 < argc)
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
	.exec = key_exec,
};
