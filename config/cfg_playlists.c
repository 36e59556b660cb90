/*
 * The playlists section: rules for what fills a slot. A fixed playlist airs
 * its items in order; a rotate playlist picks fairly among the approved
 * bulletins that match its topics, agencies and tags (and its items, when it
 * lists any). Items are bulletin ids or SHA-256 prefixes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* A playlist name: printable, no leading or trailing space, up to 64 bytes. */
static int
playlist_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && !isspace((unsigned char)s[0]) &&
	    !isspace((unsigned char)s[n - 1]);
}

int
cfg_bulletin_ref_valid(const char *s)
{
	size_t n = strlen(s), i, digits = 0, hex = 0;

	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		if (isxdigit((unsigned char)s[i]))
			hex++;
	}
	/* Up to 7 digits is an id; 8 or more hex digits, a SHA-256 prefix. */
	if (n > 0 && digits == n && n < 8)
		return s[0] != '0';
	return n >= 8 && n <= 64 && hex == n;
}

/* One playlist item as a string: a bulletin id (integer or digits) or a SHA-256 prefix. */
static char *
playlist_ref(struct cfg_reader *r, const config_setting_t *e, const char *what)
{
	char buf[32];

	switch (config_setting_type(e)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (config_setting_get_int64(e) <= 0 ||
		    config_setting_get_int64(e) > 9999999) {
			cfg_problem(r, e, _("%s: bulletin id %lld must be from 1 to 9999999"), what,
			    (long long)config_setting_get_int64(e));
			return NULL;
		}
		snprintf(buf, sizeof buf, "%lld", (long long)config_setting_get_int64(e));
		return xstrdup(buf);
	case CONFIG_TYPE_STRING:
		if (!cfg_bulletin_ref_valid(config_setting_get_string(e))) {
			cfg_problem(r, e, _("%s: '%s' is neither a bulletin id nor a SHA-256 "
			    "prefix (8 to 64 hex digits)"), what,
			    utf8_valid(config_setting_get_string(e)) ?
			    config_setting_get_string(e) : "?");
			return NULL;
		}
		return xstrdup(config_setting_get_string(e));
	default:
		cfg_problem(r, e, _("%s: an item must be a bulletin id or a SHA-256 "
		    "prefix in quotes, not %s"), what,
		    cfg_type_name(config_setting_type(e)));
		return NULL;
	}
}

/* Reads one playlist group into p; returns 0 when it has a problem. */
static int
playlist_read(struct cfg_reader *r, const config_setting_t *g, int n,
    struct config *c, struct config_playlist *p)
{
	static const char *const names[] = { "name", "mode", "items", "topics",
		"agencies", "tags", "repeat", NULL };
	static const char *const modes[] = { "fixed", "rotate", NULL };
	const config_setting_t *a, *e;
	char what[96], *mode = NULL, *ref;
	const char *hint;
	int i, ok = 1;

	memset(p, 0, sizeof *p);
	p->line = cfg_line(g);
	cfg_check_members(r, g, names);
	if (!cfg_string(r, g, "name", &p->name, 0)) {
		if (config_setting_get_member(g, "name") == NULL)
			cfg_problem(r, g, _("playlist %d has no 'name'"), n + 1);
		return 0;
	}
	if (!playlist_name_valid(p->name)) {
		cfg_problem(r, config_setting_get_member(g, "name"), _("playlist name '%s' "
		    "must be 1 to 64 bytes without leading or trailing spaces"), p->name);
		ok = 0;
	} else if (conf_playlist(c, p->name) != NULL) {
		cfg_problem(r, config_setting_get_member(g, "name"),
		    _("playlist '%s' is defined twice (first on line %d)"), p->name,
		    conf_playlist(c, p->name)->line);
		ok = 0;
	}
	snprintf(what, sizeof what, _("playlist '%s'"), p->name);
	p->mode = -1;
	if (cfg_string(r, g, "mode", &mode, 0)) {
		if (strcmp(mode, "fixed") == 0)
			p->mode = CONF_PL_FIXED;
		else if (strcmp(mode, "rotate") == 0)
			p->mode = CONF_PL_ROTATE;
		else if ((hint = cfg_suggest(mode, modes)) != NULL)
			cfg_problem(r, config_setting_get_member(g, "mode"), _("%s: unknown "
			    "mode '%s'; did you mean '%s'?"), what, mode, hint);
		else
			cfg_problem(r, config_setting_get_member(g, "mode"), _("%s: unknown "
			    "mode '%s'; it must be \"fixed\" or \"rotate\""), what, mode);
		free(mode);
	} else if (config_setting_get_member(g, "mode") == NULL)
		cfg_problem(r, g, _("%s has no 'mode' (\"fixed\" or \"rotate\")"), what);
	if (p->mode < 0)
		ok = 0;

	if ((a = config_setting_get_member(g, "items")) != NULL) {
		if (config_setting_type(a) != CONFIG_TYPE_ARRAY &&
		    config_setting_type(a) != CONFIG_TYPE_LIST) {
			cfg_problem(r, a, _("%s: 'items' must be an array [ \"ID or "
			    "SHA-256 prefix\", ... ], not %s"), what,
			    cfg_type_name(config_setting_type(a)));
			ok = 0;
		} else
			for (i = 0; (e = config_setting_get_elem(a, (unsigned)i)) != NULL;
			    i++) {
				if ((ref = playlist_ref(r, e, what)) == NULL) {
					ok = 0;
					continue;
				}
				p->items = xreallocarray(p->items, p->nitems + 1,
				    sizeof *p->items);
				p->items[p->nitems++] = ref;
			}
	}
	cfg_strings(r, g, "topics", what, &p->topics, &p->ntopics, c,
	    cfg_topic_known);
	cfg_strings(r, g, "agencies", what, &p->agencies, &p->nagencies, c, NULL);
	cfg_strings(r, g, "tags", what, &p->tags, &p->ntags, c, cfg_tag_valid);
	cfg_bool(r, g, "repeat", &p->repeat);

	if (p->mode == CONF_PL_FIXED) {
		if (p->nitems == 0 && config_setting_get_member(g, "items") == NULL)
			cfg_problem(r, g, _("%s is fixed but lists no 'items'"), what);
		else if (p->nitems == 0 && ok)
			cfg_problem(r, config_setting_get_member(g, "items"),
			    _("%s is fixed but its 'items' are empty"), what);
		if ((a = config_setting_get_member(g, "topics")) != NULL ||
		    (a = config_setting_get_member(g, "agencies")) != NULL ||
		    (a = config_setting_get_member(g, "tags")) != NULL)
			cfg_problem(r, a, _("%s: '%s' applies only to mode \"rotate\" (a "
			    "fixed playlist airs its items)"), what, config_setting_name(a));
	}
	return ok;
}

const struct config_playlist *
conf_playlist(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nplaylists; i++)
		if (strcmp(c->playlists[i].name, name) == 0)
			return &c->playlists[i];
	return NULL;
}

/* Frees what a playlist holds. */
void
cfg_playlist_clear(struct config_playlist *p)
{
	size_t i;

	free(p->name);
	for (i = 0; i < p->nitems; i++)
		free(p->items[i]);
	free(p->items);
	for (i = 0; i < p->ntopics; i++)
		free(p->topics[i]);
	free(p->topics);
	for (i = 0; i < p->nagencies; i++)
		free(p->agencies[i]);
	free(p->agencies);
	for (i = 0; i < p->ntags; i++)
		free(p->tags[i]);
	free(p->tags);
	memset(p, 0, sizeof *p);
}

void
cfg_read_playlists(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	const config_setting_t *g;
	struct config_playlist p;
	int n;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(s) == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)) {
		cfg_problem(r, s, _("'playlists' must be a list ( { name = \"...\"; "
		    "mode = \"rotate\"; ... }, ... )"));
		return;
	}
	for (n = 0; (g = config_setting_get_elem(s, (unsigned)n)) != NULL; n++) {
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfg_problem(r, g, _("playlist %d must be a group { name = ...; "
			    "mode = ...; }"), n + 1);
			continue;
		}
		/* A playlist with problems is kept by name, so that slots naming it
		 * are not reported as well; the config is refused either way. */
		playlist_read(r, g, n, c, &p);
		if (p.name == NULL)
			continue;
		c->playlists = xreallocarray(c->playlists, c->nplaylists + 1,
		    sizeof *c->playlists);
		c->playlists[c->nplaylists++] = p;
	}
}
