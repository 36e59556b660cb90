/* loaxa package create | import: signed bulletin packages from the district. */
#include <libconfig.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
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

/* A manifest as read: its entries' paths and tags, which ents point into. */
struct manifest {
	config_t lc;            /* holds the strings */
	int have_lc;
	char **paths;           /* per entry */
	const char *(*tags)[LIB_TAGS_MAX]; /* per entry */
	size_t n;
};

/* The settings of one bulletin in a manifest. */
static const char *const manifest_names[] = { "file", "title", "topic", "agency",
	"from", "until", "min_airings", "priority", "tags", NULL };

/* Whether name is one of manifest_names. */
static int
manifest_known(const char *name)
{
	size_t i;

	for (i = 0; manifest_names[i] != NULL; i++)
		if (strcmp(manifest_names[i], name) == 0)
			return 1;
	return 0;
}

/* The string settings, and where each goes in a struct lib_meta. */
static const struct {
	const char *name;
	size_t off;
} manifest_strings[] = {
	{ "title", offsetof(struct lib_meta, title) },
	{ "topic", offsetof(struct lib_meta, topic) },
	{ "agency", offsetof(struct lib_meta, agency) },
	{ "from", offsetof(struct lib_meta, valid_from) },
	{ "until", offsetof(struct lib_meta, valid_until) },
	{ "priority", offsetof(struct lib_meta, priority) },
};

/* What a setting holds, in the words the configuration's errors use. */
static const char *
manifest_type(const config_setting_t *s)
{
	static const char *const names[] = {
		[CONFIG_TYPE_GROUP] = "a group { ... }",
		[CONFIG_TYPE_INT] = "an integer", [CONFIG_TYPE_INT64] = "an integer",
		[CONFIG_TYPE_FLOAT] = "a number", [CONFIG_TYPE_STRING] = "a string",
		[CONFIG_TYPE_BOOL] = "true or false",
		[CONFIG_TYPE_ARRAY] = "an array [ ... ]",
		[CONFIG_TYPE_LIST] = "a list ( ... )",
	};
	int t = config_setting_type(s);

	return t >= 0 && (size_t)t < sizeof names / sizeof names[0] &&
	    names[t] != NULL ? names[t] : "nothing";
}

/* Prints "MANIFEST:LINE: message" for setting s. */
static void __attribute__((format(printf, 3, 4)))
manifest_problem(const char *path, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", path, config_setting_source_line(s));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Checks meta, which holds one setting s of a bulletin (or, at the end, all
 * of them), as import would; prints the problem at s's line. 0 when bad.
 */
static int
manifest_check(const char *path, const config_setting_t *s,
    const struct lib_meta *meta)
{
	char *why = NULL;

	if (lib_check_meta(meta, &why) == 0)
		return 1;
	manifest_problem(path, s, "%s", why);
	free(why);
	return 0;
}

/*
 * Reads the string settings of bulletin g over m (which holds the flags'
 * values), each checked on its own. Returns 0 after printing the problems.
 */
static int
manifest_strs(const char *path, const config_setting_t *g, const struct config *cfg,
    struct lib_meta *m)
{
	const config_setting_t *s;
	struct lib_meta one;
	const char *v;
	char *where;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof manifest_strings / sizeof manifest_strings[0]; i++) {
		if ((s = config_setting_get_member(g, manifest_strings[i].name)) == NULL)
			continue;
		if (config_setting_type(s) != CONFIG_TYPE_STRING) {
			manifest_problem(path, s, "'%s' must be a string in quotes, not %s",
			    manifest_strings[i].name, manifest_type(s));
			ok = 0;
			continue;
		}
		v = config_setting_get_string(s);
		memset(&one, 0, sizeof one);
		*(const char **)((char *)&one + manifest_strings[i].off) = v;
		if (!manifest_check(path, s, &one)) {
			ok = 0;
			continue;
		}
		if (one.topic != NULL && conf_topic(cfg, v) == NULL) {
			xasprintf(&where, "%s:%d", path, config_setting_source_line(s));
			package_bad_topic(cfg, where, v);
			free(where);
			ok = 0;
			continue;
		}
		*(const char **)((char *)m + manifest_strings[i].off) = v;
	}
	return ok;
}

/* Reads min_airings of bulletin g into m; 0 after printing the problem. */
static int
manifest_min_airings(const char *path, const config_setting_t *g, struct lib_meta *m)
{
	const config_setting_t *s = config_setting_get_member(g, "min_airings");
	long long v;

	if (s == NULL)
		return 1;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		manifest_problem(path, s, "'min_airings' must be an integer, not %s",
		    manifest_type(s));
		return 0;
	}
	v = config_setting_get_int64(s);
	if (v < 0 || v > 100000) {
		manifest_problem(path, s, "'min_airings' is %lld; it must be from 0 to "
		    "100000", v);
		return 0;
	}
	m->min_airings = (int)v;
	return 1;
}

/*
 * Adds the tags of bulletin g to tags[0..*n) (those of --tag); 0 after
 * printing the problems.
 */
static int
manifest_tags(const char *path, const config_setting_t *g, const char **tags,
    size_t *n)
{
	const config_setting_t *s = config_setting_get_member(g, "tags"), *e;
	struct lib_meta one = { .ntags = 1 };
	const char *v;
	int i, ok = 1;

	if (s == NULL)
		return 1;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		manifest_problem(path, s, "'tags' must be an array [ \"...\", ... ], "
		    "not %s", manifest_type(s));
		return 0;
	}
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL; i++) {
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			manifest_problem(path, e, "each of 'tags' must be a string in "
			    "quotes, not %s", manifest_type(e));
			ok = 0;
			continue;
		}
		v = config_setting_get_string(e);
		one.tags = &v;
		if (!manifest_check(path, e, &one))
			ok = 0;
		else if (ok && cli_tag_add(tags, n, v) != 0) {
			manifest_problem(path, s, "a bulletin has at most %d tags (those "
			    "of --tag included)", LIB_TAGS_MAX);
			return 0;
		}
	}
	return ok;
}

/*
 * Reads one bulletin g of the manifest into e (its path and tags kept in
 * man's slot k), its defaults from def. 0 after printing the problems.
 */
static int
manifest_entry(const char *path, const char *dir, const config_setting_t *g, int k,
    const struct lib_meta *def, const struct config *cfg, struct manifest *man,
    struct lib_pkg_entry *e)
{
	const config_setting_t *s, *m;
	const char **tags = man->tags[k];
	int j, ok = 1;

	for (j = 0; (m = config_setting_get_elem(g, (unsigned)j)) != NULL; j++)
		if (!manifest_known(config_setting_name(m))) {
			manifest_problem(path, m, "unknown setting '%s' (file, title, "
			    "topic, agency, from, until, min_airings, priority, tags)",
			    config_setting_name(m));
			ok = 0;
		}
	if ((s = config_setting_get_member(g, "file")) == NULL) {
		manifest_problem(path, g, "bulletin %d has no 'file'", k + 1);
		ok = 0;
	} else if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    config_setting_get_string(s)[0] == '\0') {
		manifest_problem(path, s, "'file' must be a file name in quotes, not %s",
		    config_setting_type(s) == CONFIG_TYPE_STRING ? "empty" :
		    manifest_type(s));
		ok = 0;
	} else if (config_setting_get_string(s)[0] == '/')
		man->paths[k] = xstrdup(config_setting_get_string(s));
	else
		xasprintf(&man->paths[k], "%s/%s", dir, config_setting_get_string(s));
	e->path = man->paths[k];
	e->meta = *def;
	memcpy(tags, def->tags, def->ntags * sizeof *tags);
	e->meta.ntags = def->ntags;
	ok &= manifest_strs(path, g, cfg, &e->meta);
	ok &= manifest_min_airings(path, g, &e->meta);
	ok &= manifest_tags(path, g, tags, &e->meta.ntags);
	e->meta.tags = tags;
	/* Each setting is good alone; together, the validity must not end first. */
	if (ok && (s = config_setting_get_member(g, "until")) == NULL &&
	    (s = config_setting_get_member(g, "from")) == NULL)
		s = g;
	return ok && manifest_check(path, s, &e->meta);
}

/*
 * Reads the manifest (see examples/package.conf) into man and *ents, each
 * entry's defaults from def (the flags). Paths are relative to the
 * manifest's directory. Every setting is checked for its type and value;
 * each problem is printed as MANIFEST:LINE: message. -1 on any.
 */
static int
manifest_read(const char *path, struct manifest *man, const struct lib_meta *def,
    const struct config *cfg, struct lib_pkg_entry **ents, size_t *n)
{
	const config_setting_t *list, *g;
	const char *slash;
	char *dir;
	int i, bad = 0;

	config_init(&man->lc);
	man->have_lc = 1;
	if (config_read_file(&man->lc, path) != CONFIG_TRUE) {
		fprintf(stderr, "%s:%d: %s\n", path, config_error_line(&man->lc),
		    config_error_text(&man->lc) ? config_error_text(&man->lc) :
		    "cannot read");
		return -1;
	}
	for (i = 0; (g = config_setting_get_elem(config_root_setting(&man->lc),
	    (unsigned)i)) != NULL; i++)
		if (strcmp(config_setting_name(g), "bulletins") != 0) {
			manifest_problem(path, g, "unknown setting '%s' (a manifest holds "
			    "bulletins = ( ... ))", config_setting_name(g));
			bad = 1;
		}
	list = config_lookup(&man->lc, "bulletins");
	if (list == NULL || !config_setting_is_list(list) ||
	    config_setting_length(list) == 0) {
		fprintf(stderr, "%s: needs bulletins = ( { file = \"...\"; ... }, ... );\n",
		    path);
		return -1;
	}
	slash = strrchr(path, '/');
	dir = slash != NULL ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	man->n = (size_t)config_setting_length(list);
	man->paths = xcalloc(man->n, sizeof *man->paths);
	man->tags = xcalloc(man->n, sizeof *man->tags);
	*ents = xcalloc(man->n, sizeof **ents);
	for (i = 0; (g = config_setting_get_elem(list, (unsigned)i)) != NULL; i++) {
		if (!config_setting_is_group(g)) {
			manifest_problem(path, g, "each bulletin is a group { file = ...; }");
			bad = 1;
			continue;
		}
		if (!manifest_entry(path, dir, g, i, def, cfg, man, &(*ents)[i]))
			bad = 1;
	}
	*n = man->n;
	free(dir);
	return bad ? -1 : 0;
}

/* Frees what manifest_read kept. */
static void
manifest_free(struct manifest *man)
{
	size_t i;

	for (i = 0; i < man->n; i++)
		free(man->paths[i]);
	free(man->paths);
	free(man->tags);
	if (man->have_lc)
		config_destroy(&man->lc);
	memset(man, 0, sizeof *man);
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
		{ "tag", required_argument, NULL, 'g' },
		{ "retire", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *out = NULL, *manifest = NULL, *tags[LIB_TAGS_MAX];
	const char **retire = NULL;
	struct lib_pkg_head head = { 0 };
	struct lib_pkg_entry *ents = NULL;
	struct lib_meta def = { 0 };
	struct manifest man = { 0 };
	unsigned char sk[LIB_KEY_SECRET];
	char *cause = NULL, *end;
	int c, rc;
	size_t n = 0;
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
		case 'R':
			retire = xreallocarray(retire, head.nretire + 1, sizeof *retire);
			retire[head.nretire++] = optarg;
			break;
		case 'g':
			if (cli_tag_add(tags, &def.ntags, optarg) != 0) {
				fprintf(stderr, "loaxa package: --tag: a bulletin has at most "
				    "%d tags\n", LIB_TAGS_MAX);
				return EXIT_USAGE;
			}
			break;
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
			free(retire);
			return EXIT_USAGE;
		}
	}
	def.tags = tags;
	head.retire = retire;
	if (key == NULL || out == NULL || (manifest == NULL && optind >= argc &&
	    head.nretire == 0)) {
		fprintf(stderr, "loaxa package create: needs --key, --out and audio "
		    "files, --manifest or --retire\n");
		free(retire);
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
	if (manifest != NULL &&
	    manifest_read(manifest, &man, &def, ctx->cfg, &ents, &n) != 0) {
		rc = EXIT_USAGE;
		goto out;
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
	printf("%s: %zu bulletin%s packed and signed, ", out, n, n == 1 ? "" : "s");
	if (head.nretire > 0)
		printf("%zu retirement%s, ", head.nretire, head.nretire == 1 ? "" : "s");
	printf("package %lld\n", (long long)head.sequence);
	rc = EXIT_OK;
out:
	manifest_free(&man);
	free(ents);
	free(retire);
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
	if (cli_open_library(ctx, &st, &lib) != 0)
		return EXIT_FAIL;
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
			if (res.ids[k] == 0) {
				printf("%s: %s\n", argv[optind], res.what[k]);
				continue;
			}
			if (lib_get(lib, res.ids[k], &b, &cause) != 0) {
				free(cause);
				cause = NULL;
				continue;
			}
			printf("%s: %s%s \"%s\" from '%s', %s", argv[optind], res.what[k],
			    res.existed[k] ? ":" : "", b.title, res.signer, b.status);
			for (i = 0; i < b.ntags; i++)
				printf("%s%s", i ? " " : ", tags ", b.tags[i]);
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
	    "[--priority P] [--tag T]... [--retire SHA256]... [AUDIO...] | "
	    "import FILE...",
	.summary = "signed bulletin packages: district packs, commune imports (gói bản tin)",
	.flags = CMD_CONFIG,
	.help =
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
	    "  loaxa package import /media/usb/ban-tin-thang-6.lxp\n",
	.exec = package_exec,
};
