/* loaxa package create | import: signed bulletin packages from the district. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"

/*
 * Prints the problems of a manifest that conf_manifest_read found and frees
 * them; returns EXIT_USAGE.
 */
static int
package_problems(struct config_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		fprintf(stderr, "%s\n", p->lines[i]);
	conf_problems_clear(p);
	return EXIT_USAGE;
}

/*
 * Fills ents[0..m->n) from the manifest m over def (the flags' values); each
 * entry's tags, those of --tag and its own, go in tags[k]. Checks each as
 * import would; prints MANIFEST:LINE: message and returns -1 on a problem.
 */
static int
package_manifest(const struct conf_manifest *m, const struct lib_meta *def,
    const char *(*tags)[LIB_TAGS_MAX], struct lib_pkg_entry *ents)
{
	const struct conf_manifest_entry *e;
	struct lib_meta *meta;
	char *why = NULL;
	size_t k, j;
	int bad = 0;

	for (k = 0; k < m->n; k++) {
		e = &m->entries[k];
		meta = &ents[k].meta;
		ents[k].path = e->file;
		*meta = *def;
		memcpy(tags[k], def->tags, def->ntags * sizeof *tags[k]);
		meta->tags = tags[k];
		meta->title = e->title != NULL ? e->title : def->title;
		meta->topic = e->topic != NULL ? e->topic : def->topic;
		meta->agency = e->agency != NULL ? e->agency : def->agency;
		meta->valid_from = e->from != NULL ? e->from : def->valid_from;
		meta->valid_until = e->until != NULL ? e->until : def->valid_until;
		meta->priority = e->priority != NULL ? e->priority : def->priority;
		if (e->min_airings >= 0)
			meta->min_airings = e->min_airings;
		for (j = 0; j < e->ntags; j++)
			if (cli_tag_add(tags[k], &meta->ntags, e->tags[j]) != 0) {
				fprintf(stderr, _("%s:%d: a bulletin has at most %d tags "
				    "(those of --tag included)\n"), m->file, e->line,
				    LIB_TAGS_MAX);
				bad = 1;
				break;
			}
		if (j == e->ntags && lib_check_meta(meta, &why) != 0) {
			fprintf(stderr, "%s:%d: %s\n", m->file, e->line, why);
			free(why);
			why = NULL;
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* package create: validate, pack and sign. */
static int
package_create(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *key = cli_opt(args, "key"), *out = cli_opt(args, "out");
	const char *manifest = cli_opt(args, "manifest"), *tags[LIB_TAGS_MAX];
	const char *(*mtags)[LIB_TAGS_MAX] = NULL;
	struct config_problems problems = { 0 };
	struct conf_manifest *man = NULL;
	const char **retire = NULL, *v;
	struct lib_pkg_head head = { 0 };
	struct lib_pkg_entry *ents = NULL;
	struct lib_meta def;
	unsigned char sk[LIB_KEY_SECRET];
	char *cause = NULL;
	size_t n = 0, k = 0;
	int i, rc;

	while ((v = cli_opt_next(args, "retire", &k)) != NULL) {
		retire = xreallocarray(retire, head.nretire + 1, sizeof *retire);
		retire[head.nretire++] = v;
	}
	head.retire = retire;
	if (key == NULL || out == NULL || (manifest == NULL && args->argc == 0 &&
	    head.nretire == 0)) {
		fprintf(stderr, _("loaxa package create: needs --key, --out and audio "
		    "files, --manifest or --retire\n"));
		free(retire);
		return cli_usage(ctx->entry);
	}
	if ((rc = cli_meta(ctx, args, &def, tags)) != 0)
		goto out;
	if (manifest != NULL) {
		if (conf_manifest_read(manifest, ctx->cfg, &man, &problems) != 0) {
			rc = package_problems(&problems);
			goto out;
		}
		n = man->n;
		ents = xcalloc(n, sizeof *ents);
		mtags = xcalloc(n, sizeof *mtags);
		if (package_manifest(man, &def, mtags, ents) != 0) {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	for (i = 0; i < args->argc; i++) {
		ents = xreallocarray(ents, n + 1, sizeof *ents);
		ents[n].path = args->argv[i];
		ents[n].meta = def;
		n++;
	}
	if ((rc = lib_key_read(key, sk, &cause)) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		rc = rc == LIB_REJECTED ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	head.signed_at = (int64_t)time(NULL);
	if ((rc = lib_pkg_sequence_next(key, head.signed_at, &head.sequence,
	    &cause)) == 0)
		rc = lib_package_create(sk, &head, ents, n, out, &cause);
	sodium_memzero(sk, sizeof sk);
	if (rc != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		rc = rc == LIB_REJECTED ? EXIT_REJECTED : EXIT_FAIL;
		goto out;
	}
	printf(ngettext("%s: %zu bulletin packed and signed, ",
	    "%s: %zu bulletins packed and signed, ", n), out, n);
	if (head.nretire > 0)
		printf(ngettext("%zu retirement, ", "%zu retirements, ", head.nretire),
		    head.nretire);
	printf(_("package %lld\n"), (long long)head.sequence);
	rc = EXIT_OK;
out:
	conf_manifest_free(&man);
	free(mtags);
	free(ents);
	free(retire);
	return rc;
}

/* package import: verify against the trust keys and add. */
static int
package_import(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config *cfg = ctx->cfg;
	struct lib_pkg_result res;
	struct lib_trusted *trusted;
	struct library *lib = NULL;
	struct lib_bulletin b;
	struct store *st = NULL;
	const char **topics;
	char *cause = NULL;
	int f, rc, status = EXIT_OK;
	size_t i, k;

	if (cli_open_library(ctx, &st, &lib) != 0)
		return EXIT_FAIL;
	cli_trust(cfg, &trusted, &topics);
	for (f = 0; f < args->argc; f++) {
		rc = lib_package_import(lib, args->argv[f], trusted, cfg->trust.ndistricts,
		    topics, &res, &cause);
		if (rc != 0) {
			cli_failed(args->argv[f], rc, &cause, &status);
			continue;
		}
		for (k = 0; k < res.n; k++) {
			if (res.ids[k] == 0) {
				printf("%s: %s\n", args->argv[f], res.what[k]);
				continue;
			}
			if (lib_get(lib, res.ids[k], &b, &cause) != 0) {
				free(cause);
				cause = NULL;
				continue;
			}
			printf(_("%s: %s%s \"%s\" from '%s', %s"), args->argv[f],
			    res.what[k], res.existed[k] ? ":" : "", b.title, res.signer,
			    cli_status_text(b.status));
			for (i = 0; i < b.ntags; i++)
				printf("%s%s", i ? " " : _(", tags "), b.tags[i]);
			printf(": %lld\n", (long long)b.id);
			lib_bulletin_clear(&b);
		}
		lib_pkg_result_clear(&res);
	}
	free(trusted);
	free(topics);
	lib_free(&lib);
	store_close(&st);
	return status;
}

static const struct cmd_entry package_create_entry = {
	.name = "create",
	.args = { "key: out: manifest: retire: " CLI_META_OPTIONS, 0, -1 },
	.exec = package_create,
};

static const struct cmd_entry package_import_entry = {
	.name = "import",
	.args = { "", 1, -1 },
	.exec = package_import,
};

static const struct cmd_entry *const package_subs[] = { &package_create_entry,
	&package_import_entry, NULL };

const struct cmd_entry cmd_package = {
	.name = "package",
	.usage = "create --key K.key --out FILE [--manifest M.conf] [--topic KEY] "
	    "[--agency A] [--title T] [--from DATE] [--until DATE] [--min-airings N] "
	    "[--priority P] [--tag T]... [--retire SHA256]... [AUDIO...] | "
	    "import FILE...",
	.summary = N_("signed bulletin packages: district packs, commune imports (gói bản tin)"),
	.flags = CMD_CONFIG,
	.help = N_(
	    "package create (district side): checks every AUDIO file as `loaxa import`\n"
	    "does, then packs the files and their metadata into one FILE signed with\n"
	    "the secret key from `loaxa key generate`. The flags give the metadata of\n"
	    "every file (as for `loaxa import`); a manifest (see examples/package.conf)\n"
	    "gives it per file, and its tags are added to those of --tag (repeatable,\n"
	    "at most 16 a bulletin). A setting of the manifest that is unknown, of the\n"
	    "wrong type or a bad value is printed as MANIFEST:LINE: message (exit 2);\n"
	    "if one file is bad, no package is written (exit 3). Each package takes\n"
	    "the next sequence number from the counter K.key.seq beside the key.\n"
	    "--retire SHA256 (repeatable) tells the stations to retire that content.\n"
	    "\n"
	    "package import (commune side): checks the signature against the keys in\n"
	    "this station's trust.districts and adds every bulletin, or none. An\n"
	    "unsigned, forged, damaged, truncated or oversized package, one from an\n"
	    "unknown key, or one whose entries name paths (../, /) is refused with\n"
	    "exit 3. Bulletins from a key with auto_approve = true arrive approved by\n"
	    "that key; others wait for `loaxa approve`. A package whose sequence is\n"
	    "not above the last one imported from that key is refused (exit 3).\n"
	    "Content the library already has takes the package's tags and, when\n"
	    "that district brought it, its title, agency, validity and minimum\n"
	    "airings; a retirement retires it.\n"
	    "\n"
	    "examples:\n"
	    "  loaxa package create --key kim-dong.key --out ban-tin-thang-6.lxp \\\n"
	    "      --topic cchc --agency \"TT VH-TT&DL Kim Động\" --until 2026-06-30 \\\n"
	    "      --tag papi *.mp3\n"
	    "  loaxa package import /media/usb/ban-tin-thang-6.lxp\n"),
	.subs = package_subs,
};
