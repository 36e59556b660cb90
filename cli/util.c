/* What many commands share: opening the station's data. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "config/config.h"
#include "reports/reports.h"
#include "store/store.h"

int
cli_open_store(const struct cmd_ctx *ctx, struct store **st)
{
	char *cause = NULL;

	if (store_open_dir(ctx->cfg->paths.data, st, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	/* Every station gets its Ed25519 key (for signed exports) on first use. */
	if (rep_key_ensure(*st, ctx->cfg->paths.data, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		store_close(st);
		return -1;
	}
	return 0;
}
