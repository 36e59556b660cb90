/* Typed, reporting getters shared by the section readers. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/tag.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* The line of s in its file, or 0 when libconfig does not know it. */
int
cfg_line(const config_setting_t *s)
{
	return s != NULL ? (int)config_setting_source_line(s) : 0;
}

/* Appends "FILE:LINE: message" for setting s (line 0 when s is NULL). */
void
cfg_problem(struct cfg_reader *r, const config_setting_t *s, const char *fmt, ...)
{
	struct config_problems *p = r->problems;
	char *msg, *line;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (cfg_line(s) > 0)
		xasprintf(&line, "%s:%d: %s", r->file, cfg_line(s), msg);
	else
		xasprintf(&line, "%s: %s", r->file, msg);
	free(msg);
	p->lines = xreallocarray(p->lines, p->n + 1, sizeof *p->lines);
	p->lines[p->n++] = line;
}

const char *
cfg_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return _("a group { ... }");
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return _("an integer");
	case CONFIG_TYPE_FLOAT:
		return _("a number");
	case CONFIG_TYPE_STRING:
		return _("a string");
	case CONFIG_TYPE_BOOL:
		return _("true or false");
	case CONFIG_TYPE_ARRAY:
		return _("an array [ ... ]");
	case CONFIG_TYPE_LIST:
		return _("a list ( ... )");
	default:
		return _("nothing");
	}
}

/*
 * Edit distance between a and b, capped for long words: insertions,
 * deletions, substitutions and swaps of two neighbours each count one, so
 * that a typing slip such as "prot" for "port" is one edit away, not two.
 */
static size_t
cfg_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	unsigned char d[64][64];

	if (la >= 63 || lb >= 63)
		return 64;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (size_t)(a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1U < best)
				best = d[i - 1][j] + 1U;
			if (d[i][j - 1] + 1U < best)
				best = d[i][j - 1] + 1U;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1U < best)
				best = d[i - 2][j - 2] + 1U;
			d[i][j] = (unsigned char)best;
		}
	return d[la][lb];
}

const char *
cfg_suggest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t d, bestd = (size_t)-1, limit;

	limit = strlen(word) <= 4 ? 1 : strlen(word) <= 8 ? 2 : 3;
	for (; *names != NULL; names++) {
		d = cfg_distance(word, *names);
		if (d <= limit && d < bestd) {
			best = *names;
			bestd = d;
		}
	}
	return best;
}

void
cfg_check_members(struct cfg_reader *r, const config_setting_t *group,
    const char *const *names)
{
	const config_setting_t *m;
	const char *name, *hint, *const *n;
	const char *where = config_setting_name(group);
	int i, known;

	for (i = 0; (m = config_setting_get_elem(group, (unsigned)i)) != NULL; i++) {
		name = config_setting_name(m);
		if (name == NULL)
			continue;
		known = 0;
		for (n = names; *n != NULL; n++)
			if (strcmp(*n, name) == 0)
				known = 1;
		if (known)
			continue;
		hint = cfg_suggest(name, names);
		if (hint != NULL && where != NULL)
			cfg_problem(r, m, _("unknown setting '%s' in %s; did you mean "
			    "'%s'?"), name, where, hint);
		else if (hint != NULL)
			cfg_problem(r, m, _("unknown setting '%s'; did you mean '%s'?"),
			    name, hint);
		else if (where != NULL)
			cfg_problem(r, m, _("unknown setting '%s' in %s"), name, where);
		else
			cfg_problem(r, m, _("unknown setting '%s'"), name);
	}
}

/* The member of group called name, or NULL; group may be NULL. */
static config_setting_t *
cfg_get(const config_setting_t *group, const char *name)
{
	return group != NULL ? config_setting_get_member(group, name) : NULL;
}

int
cfg_string(struct cfg_reader *r, const config_setting_t *group, const char *name,
    char **out, int allow_empty)
{
	config_setting_t *s = cfg_get(group, name);
	const char *v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_problem(r, s, _("'%s' must be a string in quotes, not %s"), name,
		    cfg_type_name(config_setting_type(s)));
		return 0;
	}
	v = config_setting_get_string(s);
	if (!utf8_valid(v)) {
		cfg_problem(r, s, _("'%s' is not valid UTF-8 text"), name);
		return 0;
	}
	if (!allow_empty && v[0] == '\0') {
		cfg_problem(r, s, _("'%s' must not be empty"), name);
		return 0;
	}
	free(*out);
	*out = xstrdup(v);
	return 1;
}

int
cfg_int(struct cfg_reader *r, const config_setting_t *group, const char *name,
    int *out, long long min, long long max)
{
	config_setting_t *s = cfg_get(group, name);
	long long v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		cfg_problem(r, s, _("'%s' must be an integer, not %s"), name,
		    cfg_type_name(config_setting_type(s)));
		return 0;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		cfg_problem(r, s, _("'%s' is %lld; it must be from %lld to %lld"), name,
		    v, min, max);
		return 0;
	}
	*out = (int)v;
	return 1;
}

int
cfg_float(struct cfg_reader *r, const config_setting_t *group, const char *name,
    double *out, double min, double max)
{
	config_setting_t *s = cfg_get(group, name);
	double v;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	default:
		cfg_problem(r, s, _("'%s' must be a number, not %s"), name,
		    cfg_type_name(config_setting_type(s)));
		return 0;
	}
	if (!isfinite(v) || v < min || v > max) {
		cfg_problem(r, s, _("'%s' is %g; it must be from %g to %g"), name, v, min,
		    max);
		return 0;
	}
	*out = v;
	return 1;
}

int
cfg_bool(struct cfg_reader *r, const config_setting_t *group, const char *name,
    int *out)
{
	config_setting_t *s = cfg_get(group, name);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_problem(r, s, _("'%s' must be true or false, not %s"), name,
		    cfg_type_name(config_setting_type(s)));
		return 0;
	}
	*out = config_setting_get_bool(s);
	return 1;
}

const config_setting_t *
cfg_member(struct cfg_reader *r, const config_setting_t *group, const char *name,
    int type)
{
	config_setting_t *s = cfg_get(group, name);

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != type &&
	    !(type == CONFIG_TYPE_LIST && config_setting_type(s) == CONFIG_TYPE_ARRAY &&
	      config_setting_length(s) == 0)) {
		cfg_problem(r, s, _("'%s' must be %s, not %s"), name, cfg_type_name(type),
		    cfg_type_name(config_setting_type(s)));
		return NULL;
	}
	return s;
}

/*
 * Reads the array name of g as strings into *out (allocated), checking each
 * with check (may be NULL; it reports its own problem and returns 0). what
 * (may be NULL) starts each message. Returns 0 when one had a problem.
 */
int
cfg_strings(struct cfg_reader *r, const config_setting_t *g, const char *name,
    const char *what, char ***out, size_t *n, const struct config *c,
    cfg_string_check check)
{
	const config_setting_t *a = config_setting_get_member(g, name), *e;
	const char *v, *sep = what != NULL ? ": " : "";
	int i, ok = 1;

	if (what == NULL)
		what = "";
	if (a == NULL)
		return 1;
	if (config_setting_type(a) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(a) != CONFIG_TYPE_LIST) {
		cfg_problem(r, a, _("%s%s'%s' must be an array [ \"...\", ... ], not %s"),
		    what, sep, name, cfg_type_name(config_setting_type(a)));
		return 0;
	}
	for (i = 0; (e = config_setting_get_elem(a, (unsigned)i)) != NULL; i++) {
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cfg_problem(r, e, _("%s%seach of '%s' must be a string in quotes, "
			    "not %s"), what, sep, name, cfg_type_name(config_setting_type(e)));
			ok = 0;
			continue;
		}
		v = config_setting_get_string(e);
		if (!utf8_valid(v) || v[0] == '\0') {
			cfg_problem(r, e, _("%s%s'%s' holds an empty or non-UTF-8 string"),
			    what, sep, name);
			ok = 0;
			continue;
		}
		if (check != NULL && !check(r, e, v, c)) {
			ok = 0;
			continue;
		}
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = xstrdup(v);
	}
	return ok;
}

int
cfg_topic_known(struct cfg_reader *r, const config_setting_t *e, const char *v,
    const struct config *c)
{
	const char **keys;
	const char *hint;
	size_t i;

	if (conf_topic(c, v) != NULL)
		return 1;
	keys = xcalloc(c->ntopics + 1, sizeof *keys);
	for (i = 0; i < c->ntopics; i++)
		keys[i] = c->topics[i].key;
	hint = cfg_suggest(v, keys);
	if (hint != NULL)
		cfg_problem(r, e, _("unknown topic '%s'; did you mean '%s'?"), v, hint);
	else
		cfg_problem(r, e, _("unknown topic '%s' (not in the topics section)"), v);
	free(keys);
	return 0;
}

int
cfg_tag_valid(struct cfg_reader *r, const config_setting_t *e, const char *v,
    const struct config *c)
{
	(void)c;
	if (tag_ok(v))
		return 1;
	cfg_problem(r, e, _("'%s' is not a tag: a tag is 1 to 32 of a-z, 0-9, '-' "
	    "and '_' (lower case), starting with a letter or digit"), v);
	return 0;
}
