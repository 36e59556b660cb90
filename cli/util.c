/* What many commands share: opening the station's data, parsing arguments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/perm.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "reports/reports.h"
#include "store/store.h"

/* Checks path for kind; prints the problem and counts it in *bad. */
static void
perm_one(const char *path, enum perm_kind kind, int *bad)
{
	char *cause = NULL;

	if (perm_check(path, kind, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		(*bad)++;
	}
}

/* Checks the directory that holds path (PERM_PARENT). */
static void
perm_parent(const char *path, int *bad)
{
	char *dir = xstrdup(path), *slash;
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, strlen(path) + 1, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	perm_one(dir, PERM_PARENT, bad);
	free(dir);
}

int
cli_check_perms(const struct config *cfg)
{
	static const char *const db[] = { STORE_DB_NAME, STORE_DB_NAME "-wal",
		STORE_DB_NAME "-shm" };
	char *path;
	size_t i;
	int bad = 0;

	if (strcmp(cfg->file, CONFIG_DEFAULT_LABEL) != 0) {
		perm_one(cfg->file, PERM_OWNER, &bad);
		perm_parent(cfg->file, &bad);
	}
	perm_one(cfg->paths.data, PERM_GROUP, &bad);
	for (i = 0; i < sizeof db / sizeof db[0]; i++) {
		xasprintf(&path, "%s/%s", cfg->paths.data, db[i]);
		perm_one(path, PERM_GROUP, &bad);
		free(path);
	}
	xasprintf(&path, "%s/%s", cfg->paths.data, REP_KEY_FILE);
	perm_one(path, PERM_SECRET, &bad);
	free(path);
	perm_parent(cfg->paths.inbox, &bad);
	return bad > 0 ? -1 : 0;
}

int
cli_open_store(const struct cmd_ctx *ctx, struct store **st)
{
	char *cause = NULL;

	if (store_open_dir(ctx->cfg->paths.data, st, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	/* A station key lost since it was made is an error, never a new key. */
	if (rep_key_check(*st, ctx->cfg->paths.data, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		store_close(st);
		return -1;
	}
	return 0;
}

int
cli_open_library(const struct cmd_ctx *ctx, struct store **st, struct library **lib)
{
	char today[16], *cause = NULL;
	int expired;

	setenv("TZ", ctx->cfg->station.timezone, 1);
	tzset();
	if (cli_open_store(ctx, st) != 0)
		return -1;
	if (lib_new(*st, ctx->cfg->paths.data, lib, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		store_close(st);
		return -1;
	}
	/* What ended before today retires now, whichever command comes first. */
	lib_date(lib_now_ms(), today);
	if (lib_expire(*lib, today, &expired, &cause) != 0) {
		fprintf(stderr, "%s: %s\n", ctx->cfg->paths.data, cause);
		free(cause);
	}
	return 0;
}

int64_t
cli_bulletin_id(const char *cmd, const char *s)
{
	char *end;
	long long id;

	errno = 0;
	id = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || id <= 0) {
		fprintf(stderr, _("loaxa %s: '%s' is not a bulletin id (see loaxa "
		    "list)\n"), cmd, s);
		return 0;
	}
	return id;
}

int
cli_text_arg(const char *cmd, const char *opt, const char *s, size_t max)
{
	if (lib_text_ok(s, max))
		return 1;
	fprintf(stderr, _("loaxa %s: %s must be UTF-8 text on one line (at most %zu "
	    "bytes)\n"), cmd, opt, max);
	return 0;
}

int
cli_tag_add(const char **tags, size_t *n, const char *tag)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(tags[i], tag) == 0)
			return 0;
	if (*n >= LIB_TAGS_MAX)
		return -1;
	tags[(*n)++] = tag;
	return 0;
}

const char *
cli_actor(const char *by)
{
	static const char *const names[] = { "SUDO_USER", "USER", "LOGNAME" };
	const char *v;
	size_t i;

	if (by != NULL)
		return by;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((v = getenv(names[i])) != NULL && v[0] != '\0' && lib_text_ok(v, 200))
			return v;
	return "operator";
}

const char *
cli_status_text(const char *status)
{
	if (strcmp(status, "pending") == 0)
		return _("pending");
	if (strcmp(status, "approved") == 0)
		return _("approved");
	if (strcmp(status, "rejected") == 0)
		return _("rejected");
	if (strcmp(status, "retired") == 0)
		return _("retired");
	return status;
}

void
cli_failed(const char *operand, int rc, char **cause, int *status)
{
	fprintf(stderr, "%s: %s\n", operand, *cause);
	free(*cause);
	*cause = NULL;
	if (rc == LIB_ERR)
		*status = EXIT_FAIL;
	else if (*status == EXIT_OK)
		*status = EXIT_REJECTED;
}

void
cli_trust(const struct config *cfg, struct lib_trusted **trusted,
    const char ***topics)
{
	size_t i;

	*trusted = xcalloc(cfg->trust.ndistricts + 1, sizeof **trusted);
	for (i = 0; i < cfg->trust.ndistricts; i++) {
		(*trusted)[i].name = cfg->trust.districts[i].name;
		(*trusted)[i].key = cfg->trust.districts[i].key;
		(*trusted)[i].auto_approve = cfg->trust.districts[i].auto_approve;
	}
	*topics = xcalloc(cfg->ntopics + 1, sizeof **topics);
	for (i = 0; i < cfg->ntopics; i++)
		(*topics)[i] = cfg->topics[i].key;
}

/* Prints "loaxa CMD: unknown topic 'T'; known topics: ..." to stderr. */
static void
cli_bad_topic(const struct config *cfg, const char *cmd, const char *topic)
{
	size_t i;

	fprintf(stderr, _("loaxa %s: unknown topic '%s'; known topics:"), cmd, topic);
	for (i = 0; i < cfg->ntopics; i++)
		fprintf(stderr, "%s %s", i ? "," : "", cfg->topics[i].key);
	fprintf(stderr, "\n");
}

int
cli_meta(const struct cmd_ctx *ctx, const struct cmd_args *args, struct lib_meta *m,
    const char **tags)
{
	const char *cmd = ctx->entry->name, *v;
	char *cause = NULL;
	size_t i = 0;

	memset(m, 0, sizeof *m);
	m->title = cli_opt(args, "title");
	m->topic = cli_opt(args, "topic");
	m->agency = cli_opt(args, "agency");
	m->valid_from = cli_opt(args, "from");
	m->valid_until = cli_opt(args, "until");
	m->priority = cli_opt(args, "priority");
	m->tags = tags;
	while ((v = cli_opt_next(args, "tag", &i)) != NULL)
		if (cli_tag_add(tags, &m->ntags, v) != 0) {
			fprintf(stderr, _("loaxa %s: --tag: a bulletin has at most %d "
			    "tags\n"), cmd, LIB_TAGS_MAX);
			return EXIT_USAGE;
		}
	if ((v = cli_opt(args, "min-airings")) != NULL &&
	    lib_min_airings_parse(v, &m->min_airings) != 0) {
		fprintf(stderr, _("loaxa %s: --min-airings must be a whole number "
		    "from 0 to 100000, not '%s'\n"), cmd, v);
		return EXIT_USAGE;
	}
	if (m->topic != NULL && conf_topic(ctx->cfg, m->topic) == NULL) {
		cli_bad_topic(ctx->cfg, cmd, m->topic);
		return EXIT_USAGE;
	}
	if (lib_check_meta(m, &cause) != 0) {
		fprintf(stderr, "loaxa %s: %s\n", cmd, cause);
		free(cause);
		return EXIT_USAGE;
	}
	return 0;
}
