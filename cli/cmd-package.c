/* loaxa package create | import: signed bulletin packages from the district. */
#include <libconfig.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"

/* Prints "unknown topic" with the known keys, prefixed by where. */
static void
package_bad_topic(const struct config *cfg, const char *where, const char *topic)
{
	size_t i;

	fprintf(stderr, "%s: unknown topic '%s'; known topics:", where, topic);
	for (i = 0; i < cfg->ntopics; i++)
		fprintf(stderr, "%s %s", i ? "," : "", cfg->topics[i].key);
	fprintf(stderr, "\n");
}

/* A string member of g, or def; NULL-safe. */
static const char *
manifest_str(const config_setting_t *g, const char *name, const char *def)
{
	const char *v;

	return config_setting_lookup_string(g, name, &v) == CONFIG_TRUE ? v : def;
}

/*
 * Reads the manifest (see examples/package.conf) into *ents, each entry's
 * defaults from def. Paths are relative to the manifest's directory; their
 * strings live in *paths and lc. Prints FILE:LINE problems; -1 on any.
 */
static int
manifest_read(const char *path, config_t *lc, const struct lib_meta *def,
    const struct config *cfg, struct lib_pkg_entry **ents, size_t *n, char ***paths)
{
	static const char *const names[] = { "file", "title", "topic", "agency",
		"from", "until", "min_airings", "priority", NULL };
	const config_setting_t *list, *g, *m;
	struct lib_pkg_entry *e;
	const char *slash, *file;
	char *dir;
	int i, j, k, bad = 0, known;

	config_init(lc);
	if (config_read_file(lc, path) != CONFIG_TRUE) {
		fprintf(stderr, "%s:%d: %s\n", path, config_error_line(lc),
		    config_error_text(lc) ? config_error_text(lc) : "cannot read");
		return -1;
	}
	list = config_lookup(lc, "bulletins");
	if (list == NULL || !config_setting_is_list(list) ||
	    config_setting_length(list) == 0) {
		fprintf(stderr, "%s: needs bulletins = ( { file = \"...\"; ... }, ... );\n",
		    path);
		return -1;
	}
	slash = strrchr(path, '/');
	dir = slash != NULL ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	for (i = 0; (g = config_setting_get_elem(list, (unsigned)i)) != NULL; i++) {
		if (!config_setting_is_group(g)) {
			fprintf(stderr, "%s:%d: each bulletin is a group { file = ...; }\n",
			    path, config_setting_source_line(g));
			bad = 1;
			continue;
		}
		for (j = 0; (m = config_setting_get_elem(g, (unsigned)j)) != NULL; j++) {
			for (known = 0, k = 0; names[k] != NULL; k++)
				known |= strcmp(names[k], config_setting_name(m)) == 0;
			if (!known) {
				fprintf(stderr, "%s:%d: unknown setting '%s' (file, title, "
				    "topic, agency, from, until, min_airings, priority)\n",
				    path, config_setting_source_line(m),
				    config_setting_name(m));
				bad = 1;
			}
		}
		if ((file = manifest_str(g, "file", NULL)) == NULL) {
			fprintf(stderr, "%s:%d: bulletin %d has no 'file'\n", path,
			    config_setting_source_line(g), i + 1);
			bad = 1;
			continue;
		}
		*ents = xreallocarray(*ents, *n + 1, sizeof **ents);
		*paths = xreallocarray(*paths, *n + 1, sizeof **paths);
		if (file[0] == '/')
			(*paths)[*n] = xstrdup(file);
		else
			xasprintf(&(*paths)[*n], "%s/%s", dir, file);
		e = &(*ents)[(*n)];
		e->path = (*paths)[*n];
		(*n)++;
		e->meta = *def;
		e->meta.title = manifest_str(g, "title", def->title);
		e->meta.topic = manifest_str(g, "topic", def->topic);
		e->meta.agency = manifest_str(g, "agency", def->agency);
		e->meta.valid_from = manifest_str(g, "from", def->valid_from);
		e->meta.valid_until = manifest_str(g, "until", def->valid_until);
		e->meta.priority = manifest_str(g, "priority", def->priority);
		config_setting_lookup_int(g, "min_airings", &e->meta.min_airings);
		if (e->meta.topic != NULL && conf_topic(cfg, e->meta.topic) == NULL) {
			char *where;

			xasprintf(&where, "%s:%d", path, config_setting_source_line(g));
			package_bad_topic(cfg, where, e->meta.topic);
			free(where);
			bad = 1;
		}
	}
	free(dir);
	return bad ? -1 : 0;
}

/* package create: validate, pack and sign. */
static int
package_create(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "manifest", required_argument, NULL, 'M' },
		{ "title", required_argument, NULL, 't' },
		{ "topic", required_argument, NULL, 'T' },
		{ "agency", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "min-airings", required_argument, NULL, 'm' },
		{ "priority", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *out = NULL, *manifest = NULL;
	struct lib_pkg_entry *ents = NULL;
	struct lib_meta def = { 0 };
	unsigned char sk[LIB_KEY_SECRET];
	char **paths = NULL, *cause = NULL, *end;
	config_t lc;
	int c, rc, have_lc = 0;
	size_t n = 0, nman = 0, i;
	long v;

	while ((c = cli_getopt(ctx->entry, argc, argv, opts)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'o': out = optarg; break;
		case 'M': manifest = optarg; break;
		case 't': def.title = optarg; break;
		case 'T': def.topic = optarg; break;
		case 'a': def.agency = optarg; break;
		case 'f': def.valid_from = optarg; break;
		case 'u': def.valid_until = optarg; break;
		case 'p': def.priority = optarg; break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || v < 0 || v > 100000) {
				fprintf(stderr, "loaxa package: --min-airings must be a whole "
				    "number from 0 to 100000\n");
				return EXIT_USAGE;
			}
			def.min_airings = (int)v;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (key == NULL || out == NULL || (manifest == NULL && optind >= argc)) {
		fprintf(stderr, "loaxa package create: needs --key, --out and audio "
		    "files or --manifest\n");
		return cli_usage(ctx->entry);
	}
	if (def.topic != NULL && conf_topic(ctx->cfg, def.topic) == NULL) {
		package_bad_topic(ctx->cfg, "loaxa package", def.topic);
		return EXIT_USAGE;
	}
	if (lib_check_meta(&def, &cause) != 0) {
		fprintf(stderr, "loaxa package: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (manifest != NULL) {
		have_lc = 1;
		rc = manifest_read(manifest, &lc, &def, ctx->cfg, &ents, &n, &paths);
		nman = n;
		if (rc != 0) {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	for (; optind < argc; optind++) {
		ents = xreallocarray(ents, n + 1, sizeof *ents);
		ents[n].path = argv[optind];
		ents[n].meta = def;
		n++;
	}
	if ((rc = lib_key_read(key, sk, &cause)) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		rc = rc == LIB_REJECTED ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	rc = lib_package_create(sk, ents, n, out, &cause);
	sodium_memzero(sk, sizeof sk);
	if (rc != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		rc = rc == LIB_REJECTED ? EXIT_REJECTED : EXIT_FAIL;
		goto out;
	}
	printf("%s: %zu bulletin%s packed and signed\n", out, n, n == 1 ? "" : "s");
	rc = EXIT_OK;
out:
	for (i = 0; i < nman; i++)
		free(paths[i]);
	free(paths);
	free(ents);
	if (have_lc)
		config_destroy(&lc);
	return rc;
}

/* package import: verify against the trust keys and add. */
static int
package_import(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct config *cfg = ctx->cfg;
	struct lib_pkg_result res;
	struct lib_trusted *trusted;
	struct library *lib = NULL;
	struct lib_bulletin b;
	struct store *st = NULL;
	const char **topics;
	char *cause = NULL;
	int c, rc, status = EXIT_OK;
	size_t i, k;

	while ((c = cli_getopt(ctx->entry, argc, argv, opts)) != -1)
		return EXIT_USAGE;
	if (optind >= argc)
		return cli_usage(ctx->entry);
	setenv("TZ", cfg->station.timezone, 1);
	tzset();
	if (cli_open_store(ctx, &st) != 0)
		return EXIT_FAIL;
	if (lib_new(st, cfg->paths.data, &lib, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		store_close(&st);
		return EXIT_FAIL;
	}
	trusted = xcalloc(cfg->trust.ndistricts + 1, sizeof *trusted);
	for (i = 0; i < cfg->trust.ndistricts; i++) {
		trusted[i].name = cfg->trust.districts[i].name;
		trusted[i].key = cfg->trust.districts[i].key;
		trusted[i].auto_approve = cfg->trust.districts[i].auto_approve;
	}
	topics = xcalloc(cfg->ntopics + 1, sizeof *topics);
	for (i = 0; i < cfg->ntopics; i++)
		topics[i] = cfg->topics[i].key;
	for (; optind < argc; optind++) {
		rc = lib_package_import(lib, argv[optind], trusted, cfg->trust.ndistricts,
		    topics, &res, &cause);
		if (rc != 0) {
			fprintf(stderr, "%s: %s\n", argv[optind], cause);
			free(cause);
			cause = NULL;
			if (rc == LIB_ERR)
				status = EXIT_FAIL;
			else if (status == EXIT_OK)
				status = EXIT_REJECTED;
			continue;
		}
		for (k = 0; k < res.n; k++) {
			if (lib_get(lib, res.ids[k], &b, &cause) != 0) {
				free(cause);
				cause = NULL;
				continue;
			}
			printf("%s: %s \"%s\" from '%s', %s: %lld\n", argv[optind],
			    res.existed[k] ? "already in the library:" : "added", b.title,
			    res.signer, b.status, (long long)b.id);
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

static int
package_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return package_create(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return package_import(ctx, argc - 1, argv + 1);
	return cli_usage(ctx->entry);
}

const struct cmd_entry cmd_package = {
	.name = "package",
	.usage = "create --key K.key --out FILE [--manifest M.conf] [--topic KEY] "
	    "[--agency A] [--title T] [--from DATE] [--until DATE] [--min-airings N] "
	    "[--priority P] [AUDIO...] | import FILE...",
	.summary = "signed bulletin packages: district packs, commune imports (gói bản tin)",
	.flags = CMD_CONFIG,
	.help =
	    "package create (district side): checks every AUDIO file as `loaxa import`\n"
	    "does, then packs the files and their metadata into one FILE signed with\n"
	    "the secret key from `loaxa key generate`. The flags give the metadata of\n"
	    "every file; a manifest (see examples/package.conf) gives it per file. If\n"
	    "one file is bad, no package is written (exit 3).\n"
	    "\n"
	    "package import (commune side): checks the signature against the keys in\n"
	    "this station's trust.districts and adds every bulletin, or none. An\n"
	    "unsigned, forged, damaged, truncated or oversized package, one from an\n"
	    "unknown key, or one whose entries name paths (../, /) is refused with\n"
	    "exit 3. Bulletins from a key with auto_approve = true arrive approved by\n"
	    "that key; others wait for `loaxa approve`.\n"
	    "\n"
	    "examples:\n"
	    "  loaxa package create --key kim-dong.key --out ban-tin-thang-6.lxp \\\n"
	    "      --topic cchc --agency \"TT VH-TT&DL Kim Động\" --until 2026-06-30 *.mp3\n"
	    "  loaxa package import /media/usb/ban-tin-thang-6.lxp\n",
	.exec = package_exec,
};
