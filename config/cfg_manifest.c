/*
 * Package manifests: the per-bulletin metadata `loaxa package create
 * --manifest` packs, read and checked by the same reader as loaxa.conf.
 */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* The settings of one bulletin. */
static const char *const manifest_names[] = { "file", "title", "topic", "agency",
	"from", "until", "min_airings", "priority", "tags", NULL };

/* Reads the date setting name of g (the start when start) into *out and *day. */
static void
manifest_date(struct cfg_reader *r, const config_setting_t *g, const char *name,
    int start, char **out, int32_t *day)
{
	if (cfg_string(r, g, name, out, 0) && conf_date_parse(*out, day) != 0)
		cfg_problem(r, config_setting_get_member(g, name), start ?
		    _("'%s' is not a date: give the start as YYYY-MM-DD") :
		    _("'%s' is not a date: give the end as YYYY-MM-DD"), *out);
}

/* Reads the file setting of g (required) into e, relative to dir. */
static void
manifest_file(struct cfg_reader *r, const config_setting_t *g, int k,
    const char *dir, struct conf_manifest_entry *e)
{
	char *file = NULL;

	if (config_setting_get_member(g, "file") == NULL)
		cfg_problem(r, g, _("bulletin %d has no 'file'"), k + 1);
	else if (cfg_string(r, g, "file", &file, 0) && file[0] != '/') {
		xasprintf(&e->file, "%s/%s", dir, file);
		free(file);
	} else
		e->file = file;
}

/* Reads bulletin g (the k-th) into e, reporting each problem. */
static void
manifest_entry(struct cfg_reader *r, const config_setting_t *g, int k,
    const char *dir, const struct config *cfg, struct conf_manifest_entry *e)
{
	int32_t from = CONF_NO_DATE, until = CONF_NO_DATE;

	e->line = cfg_line(g);
	e->min_airings = -1;
	cfg_check_members(r, g, manifest_names);
	manifest_file(r, g, k, dir, e);
	cfg_string(r, g, "title", &e->title, 0);
	cfg_string(r, g, "agency", &e->agency, 0);
	if (cfg_string(r, g, "topic", &e->topic, 0))
		cfg_topic_known(r, config_setting_get_member(g, "topic"), e->topic, cfg);
	manifest_date(r, g, "from", 1, &e->from, &from);
	manifest_date(r, g, "until", 0, &e->until, &until);
	if (from != CONF_NO_DATE && until != CONF_NO_DATE && until < from)
		cfg_problem(r, config_setting_get_member(g, "until"), _("the validity "
		    "ends (%s) before it starts (%s)"), e->until, e->from);
	if (cfg_string(r, g, "priority", &e->priority, 0) &&
	    conf_priority_parse(e->priority) < 0)
		cfg_problem(r, config_setting_get_member(g, "priority"), _("unknown "
		    "priority '%s' (normal, priority or emergency)"), e->priority);
	cfg_int(r, g, "min_airings", &e->min_airings, 0, 100000);
	cfg_strings(r, g, "tags", NULL, &e->tags, &e->ntags, cfg, cfg_tag_valid);
}

/* The directory of path, which relative file names are under. */
static char *
manifest_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

int
conf_manifest_read(const char *path, const struct config *cfg,
    struct conf_manifest **out, struct config_problems *problems)
{
	static const char *const root_names[] = { "bulletins", NULL };
	struct cfg_reader r = { path, problems };
	const config_setting_t *list, *g;
	struct conf_manifest *m;
	size_t before = problems->n;
	char *dir;
	config_t lc;
	int i;

	*out = NULL;
	if (cfg_parse(path, NULL, path, _("the manifest"), 1, &lc, problems) != 0)
		return -1;
	cfg_check_members(&r, config_root_setting(&lc), root_names);
	list = cfg_member(&r, config_root_setting(&lc), "bulletins", CONFIG_TYPE_LIST);
	if (list == NULL || config_setting_length(list) == 0) {
		if (problems->n == before)
			cfg_problem(&r, NULL, _("needs bulletins = ( { file = \"...\"; ... }, "
			    "... );"));
		config_destroy(&lc);
		return -1;
	}
	m = xcalloc(1, sizeof *m);
	m->file = xstrdup(path);
	m->n = (size_t)config_setting_length(list);
	m->entries = xcalloc(m->n, sizeof *m->entries);
	dir = manifest_dir(path);
	for (i = 0; (g = config_setting_get_elem(list, (unsigned)i)) != NULL; i++) {
		if (!config_setting_is_group(g))
			cfg_problem(&r, g, _("each bulletin is a group { file = ...; }"));
		else
			manifest_entry(&r, g, i, dir, cfg, &m->entries[i]);
	}
	free(dir);
	config_destroy(&lc);
	if (problems->n != before) {
		cfg_sort_problems(problems, before, path);
		conf_manifest_free(&m);
		return -1;
	}
	*out = m;
	return 0;
}

void
conf_manifest_free(struct conf_manifest **mp)
{
	struct conf_manifest *m = *mp;
	struct conf_manifest_entry *e;
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++) {
		e = &m->entries[i];
		free(e->file);
		free(e->title);
		free(e->topic);
		free(e->agency);
		free(e->from);
		free(e->until);
		free(e->priority);
		for (j = 0; j < e->ntags; j++)
			free(e->tags[j]);
		free(e->tags);
	}
	free(m->entries);
	free(m->file);
	free(m);
	*mp = NULL;
}
