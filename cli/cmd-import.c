/* loaxa import: validate audio files and add them to the bulletin library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"

/* Files at least this big get a progress line on a terminal even alone. */
#define BIG_FILE (8 * 1024 * 1024)

/*
 * Adds the tags of m to the bulletin b already holds (the same content
 * imported again), then reads b again; *added gets how many were new.
 */
static int
import_tags(struct library *lib, const struct lib_meta *m, const char *by,
    struct lib_bulletin *b, size_t *added, char **cause)
{
	int64_t id = b->id;
	int rc;

	if ((rc = lib_tag_add(lib, id, m->tags, m->ntags, cli_actor(by), added,
	    cause)) != 0)
		return rc;
	lib_bulletin_clear(b);
	return lib_get(lib, id, b, cause);
}

/* "; N tags added, it has: a, b" (or "; it has the tags a, b already"). */
static void
import_print_tags(size_t added, const struct lib_bulletin *b)
{
	size_t i;

	if (added > 0)
		printf(ngettext("; %zu tag added, its tags: ",
		    "; %zu tags added, its tags: ", added), added);
	else
		printf(_("; it has the tags already: "));
	for (i = 0; i < b->ntags; i++)
		printf("%s%s", i ? ", " : "", b->tags[i]);
}

/* Shows "[i/n] importing FILE" on a terminal; cleared by the result line. */
static void
import_progress(size_t i, size_t n, const char *path)
{
	struct stat sb;

	if (!isatty(2))
		return;
	if (n < 2 && (stat(path, &sb) != 0 || sb.st_size < BIG_FILE))
		return;
	fprintf(stderr, "\r\033[K");
	fprintf(stderr, _("[%zu/%zu] checking and importing %s ..."), i + 1, n, path);
	fflush(stderr);
}

/* Clears the progress line, if any. */
static void
import_progress_clear(void)
{
	if (isatty(2))
		fprintf(stderr, "\r\033[K");
}

static int
import_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *by = cli_opt(args, "by"), *tags[LIB_TAGS_MAX];
	int approve = cli_opt(args, "approve") != NULL, flags;
	struct library *lib = NULL;
	struct lib_bulletin b;
	struct store *st = NULL;
	struct lib_meta m;
	char *cause = NULL;
	int existed, rc, status = EXIT_OK, approved_now;
	int64_t id;
	size_t i, n, added;

	if ((rc = cli_meta(ctx, args, &m, tags)) != 0)
		return rc;
	if (approve && (by == NULL || by[0] == '\0')) {
		fprintf(stderr, _("loaxa import: --approve needs --by NAME (who "
		    "approves is recorded)\n"));
		return EXIT_USAGE;
	}
	if (by != NULL && !cli_text_arg("import", "--by", by, 500))
		return EXIT_USAGE;
	if (cli_open_library(ctx, &st, &lib) != 0)
		return EXIT_FAIL;
	flags = (approve ? LIB_IMPORT_APPROVE : 0) |
	    (cli_opt(args, "force") != NULL ? LIB_IMPORT_FORCE : 0);
	n = (size_t)args->argc;
	for (i = 0; i < n; i++) {
		const char *path = args->argv[i];

		import_progress(i, n, path);
		m.source = path;
		rc = lib_import(lib, path, &m, cli_actor(by), flags, &id, &existed,
		    &cause);
		import_progress_clear();
		if (rc != 0) {
			cli_failed(path, rc, &cause, &status);
			continue;
		}
		if (lib_get(lib, id, &b, &cause) != 0) {
			fprintf(stderr, "%s: %s\n", path, cause);
			free(cause);
			cause = NULL;
			status = EXIT_FAIL;
			continue;
		}
		if (existed && m.ntags > 0 &&
		    (rc = import_tags(lib, &m, by, &b, &added, &cause)) != 0) {
			cli_failed(path, rc, &cause, &status);
			lib_bulletin_clear(&b);
			continue;
		}
		/* --approve on content that waits for approval approves it. */
		approved_now = existed && approve && strcmp(b.status, "pending") == 0;
		if (approved_now) {
			lib_bulletin_clear(&b);
			if ((rc = lib_approve(lib, id, by, &cause)) != 0 ||
			    (rc = lib_get(lib, id, &b, &cause)) != 0) {
				cli_failed(path, rc, &cause, &status);
				continue;
			}
		}
		if (existed) {
			printf(approved_now ? _("%s: the same bulletin is already in the "
			    "library (\"%s\", %s now") : _("%s: the same bulletin is already "
			    "in the library (\"%s\", %s"), path, b.title,
			    cli_status_text(b.status));
			if (m.ntags > 0)
				import_print_tags(added, &b);
			printf("): %lld\n", (long long)id);
		} else
			printf(strcmp(b.status, "approved") == 0 ?
			    _("%s: added \"%s\", %.1f s, approved: %lld\n") :
			    _("%s: added \"%s\", %.1f s, pending approval: %lld\n"), path,
			    b.title, (double)b.duration_ms / 1000.0, (long long)id);
		fflush(stdout);
		lib_bulletin_clear(&b);
	}
	lib_free(&lib);
	store_close(&st);
	return status;
}

const struct cmd_entry cmd_import = {
	.name = "import",
	.usage = "[--title T] [--topic KEY] [--agency A] [--from DATE] [--until DATE] "
	    "[--min-airings N] [--priority normal|priority|emergency] [--tag T]... "
	    "[--approve --by NAME] [--force] FILE...",
	.summary = N_("check audio files and add them to the bulletin library (nhập bản tin)"),
	.flags = CMD_CONFIG,
	.args = { CLI_META_OPTIONS " approve by: force", 1, -1 },
	.help = N_(
	    "Each FILE (MP3, MP2, WAV, FLAC, Ogg Vorbis, Opus) is decoded once to check\n"
	    "it and measure its length, loudness and SHA-256, then copied into the\n"
	    "data directory. A damaged, truncated, unsupported, entirely silent or\n"
	    "shorter than 1 second file is refused with the reason and nothing is\n"
	    "added for it; so is one mostly silent (over half of it, and more than\n"
	    "10 s, below -50 dBFS) unless --force is given. New bulletins wait for approval unless --approve is given.\n"
	    "Each line of output ends with the bulletin's id. Importing the same\n"
	    "content again says so and gives the id it already has; it changes\n"
	    "nothing but the tags (those given are added to the ones it has) and,\n"
	    "with --approve, the status of one still pending approval.\n"
	    "\n"
	    "options (they apply to every FILE):\n"
	    "  --title T         title; else the file's title tag, else its name\n"
	    "  --topic KEY       content area, a key from the 'topics' setting\n"
	    "                    (see `loaxa check`); e.g. cchc, tthc\n"
	    "  --agency A        producer; else the file's artist tag\n"
	    "  --from DATE       first day it may air, YYYY-MM-DD\n"
	    "  --until DATE      last day it may air; after it the bulletin expires\n"
	    "  --min-airings N   how many times it must air (for the report)\n"
	    "  --priority P      normal (default), priority (first in its programme)\n"
	    "                    or emergency\n"
	    "  --tag T           a tag that rotate playlists select by (their 'tags'\n"
	    "                    setting); repeat it for more (at most 16). A tag is\n"
	    "                    1 to 32 of a-z, 0-9, - and _, e.g. papi, bau-cu-2026\n"
	    "  --approve         approve it at once (needs --by)\n"
	    "  --by NAME         who imports and approves, recorded in the history\n"
	    "  --force           take mostly silent audio too (the share is stated\n"
	    "                    when it is refused)\n"
	    "\n"
	    "exit status: 0 all added (or already there), 3 a file was refused,\n"
	    "1 the library could not be written, 2 bad options.\n"
	    "\n"
	    "example:\n"
	    "  loaxa import --topic cchc --agency \"UBND xã\" --until 2026-12-31 \\\n"
	    "      --tag papi --approve --by \"Nguyễn Văn A\" ban-tin-papi.mp3\n"),
	.exec = import_exec,
};
