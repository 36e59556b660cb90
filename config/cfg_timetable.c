/*
 * The timetable section: when programmes air. A slot runs on weekdays (or on
 * one date), from a local start time for an end time or a length, filled by a
 * playlist of the playlists section (read before this one). Dates are local
 * YYYY-MM-DD; the calendar arithmetic here is the proleptic Gregorian one and
 * involves no time zone (scheduler/timetable.c turns local times into instants
 * through the system's tz database).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/date.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

#define DAY_SECONDS 86400

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static int32_t
days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

int
conf_date_parse(const char *s, int32_t *day)
{
	int y, m, d;

	if (date_split(s, &y, &m, &d) != 0)
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

void
conf_date_format(int32_t day, char out[11])
{
	int z = day + 719468, era, doe, yoe, y, doy, mp, d, m;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
	    (unsigned)d % 100u);
}

static const char *const priorities[] = { "normal", "priority", "emergency", NULL };

const char *
conf_priority_name(int p)
{
	return p >= CONF_PRIO_NORMAL && p <= CONF_PRIO_EMERGENCY ? priorities[p] : "?";
}

int
conf_priority_parse(const char *s)
{
	int i;

	for (i = 0; priorities[i] != NULL; i++)
		if (strcmp(priorities[i], s) == 0)
			return i;
	return -1;
}

/* Parses HH:MM or HH:MM:SS (00:00 to 23:59:59) into seconds; -1 when bad. */
static int
clock_parse(const char *s)
{
	size_t n = strlen(s), i;
	int h, m, sec = 0;

	if (n != 5 && n != 8)
		return -1;
	for (i = 0; i < n; i++)
		if ((i % 3 == 2) ? s[i] != ':' : !isdigit((unsigned char)s[i]))
			return -1;
	h = atoi(s);
	m = atoi(s + 3);
	if (n == 8)
		sec = atoi(s + 6);
	if (h > 23 || m > 59 || sec > 59)
		return -1;
	return h * 3600 + m * 60 + sec;
}

/* Parses a length like "20m", "90s", "1h30m", "1h2m3s" into seconds; -1 when bad. */
static int
length_parse(const char *s)
{
	static const char units[] = "hms";
	static const int scale[] = { 3600, 60, 1 };
	long total = 0, v;
	int last = -1, u;
	char *end;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = strtol(s, &end, 10);
		if (*end == '\0' || strchr(units, *end) == NULL || v > DAY_SECONDS)
			return -1;
		u = (int)(strchr(units, *end) - units);
		if (u <= last)
			return -1;
		last = u;
		total += v * scale[u];
		s = end + 1;
	}
	return total > 0 && total <= DAY_SECONDS ? (int)total : -1;
}

/* Weekday bits (1 << tm_wday) of a word: daily, weekdays, weekend, mon..sun. */
static unsigned
days_word(const char *w)
{
	static const char *const names[] = { "sun", "mon", "tue", "wed", "thu", "fri",
		"sat", NULL };
	int i;

	if (strcmp(w, "daily") == 0)
		return 0x7f;
	if (strcmp(w, "weekdays") == 0)
		return 0x3e;
	if (strcmp(w, "weekend") == 0)
		return 0x41;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(w, names[i]) == 0)
			return 1u << i;
	return 0;
}

/* Reports an unknown day word with the nearest known one. */
static void
days_unknown(struct cfg_reader *r, const config_setting_t *s, const char *what,
    const char *w)
{
	static const char *const words[] = { "daily", "weekdays", "weekend", "mon",
		"tue", "wed", "thu", "fri", "sat", "sun", NULL };
	const char *hint = cfg_suggest(w, words);

	if (hint != NULL)
		cfg_problem(r, s, _("%s: unknown day '%s'; did you mean '%s'?"), what, w, hint);
	else
		cfg_problem(r, s, _("%s: unknown day '%s'; use \"daily\", \"weekdays\", "
		    "\"weekend\" or a list of \"mon\" .. \"sun\""), what, w);
}

/* Reads days: one word, or an array of day names; returns 0 when bad. */
static int
slot_days(struct cfg_reader *r, const config_setting_t *d, const char *what,
    unsigned *out)
{
	const config_setting_t *e;
	const char *w;
	unsigned bits;
	int i;

	*out = 0;
	if (config_setting_type(d) == CONFIG_TYPE_STRING) {
		w = config_setting_get_string(d);
		if ((*out = days_word(w)) == 0) {
			days_unknown(r, d, what, utf8_valid(w) ? w : "?");
			return 0;
		}
		return 1;
	}
	if (config_setting_type(d) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(d) != CONFIG_TYPE_LIST) {
		cfg_problem(r, d, _("%s: 'days' must be \"daily\", \"weekdays\", "
		    "\"weekend\" or an array [ \"mon\", ... ], not %s"), what,
		    cfg_type_name(config_setting_type(d)));
		return 0;
	}
	for (i = 0; (e = config_setting_get_elem(d, (unsigned)i)) != NULL; i++) {
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cfg_problem(r, e, _("%s: each day must be a string like \"mon\""), what);
			return 0;
		}
		w = config_setting_get_string(e);
		if ((bits = days_word(w)) == 0) {
			days_unknown(r, e, what, utf8_valid(w) ? w : "?");
			return 0;
		}
		*out |= bits;
	}
	if (*out == 0) {
		cfg_problem(r, d, _("%s: 'days' is empty; name at least one day"), what);
		return 0;
	}
	return 1;
}

/* Reads the date setting name of g into *day; returns 1 when present and good. */
static int
slot_date(struct cfg_reader *r, const config_setting_t *g, const char *name,
    const char *what, int32_t *day)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char *v = NULL;
	int ok;

	if (s == NULL || !cfg_string(r, g, name, &v, 0))
		return 0;
	ok = conf_date_parse(v, day) == 0;
	if (!ok)
		cfg_problem(r, s, _("%s: '%s' is \"%s\"; it must be a date YYYY-MM-DD"),
		    what, name, utf8_valid(v) ? v : "?");
	free(v);
	return ok;
}

/* Reads a clock-time setting; returns seconds after midnight, or -1. */
static int
slot_clock(struct cfg_reader *r, const config_setting_t *g, const char *name,
    const char *what)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char *v = NULL;
	int sec;

	if (s == NULL || !cfg_string(r, g, name, &v, 0))
		return -1;
	if ((sec = clock_parse(v)) < 0)
		cfg_problem(r, s, _("%s: '%s' is \"%s\"; it must be a time HH:MM or "
		    "HH:MM:SS from 00:00 to 23:59:59"), what, name, v);
	free(v);
	return sec;
}

/* Reads a bulletin reference (intro, outro): an id or a SHA-256 prefix. */
static void
slot_ref(struct cfg_reader *r, const config_setting_t *g, const char *name,
    const char *what, char **out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char buf[32];

	if (s == NULL)
		return;
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		if (config_setting_get_int64(s) <= 0 ||
		    config_setting_get_int64(s) > 9999999) {
			cfg_problem(r, s, _("%s: '%s' must be a bulletin id from 1 to 9999999"), what,
			    name);
			return;
		}
		snprintf(buf, sizeof buf, "%lld", (long long)config_setting_get_int64(s));
		*out = xstrdup(buf);
		return;
	}
	if (!cfg_string(r, g, name, out, 0))
		return;
	if (!cfg_bulletin_ref_valid(*out)) {
		cfg_problem(r, s, _("%s: '%s' is \"%s\"; it must be a bulletin id or a "
		    "SHA-256 prefix (8 to 64 hex digits)"), what, name, *out);
		free(*out);
		*out = NULL;
	}
}

/* Reads skip: an array of dates, kept sorted. */
static void
slot_skip(struct cfg_reader *r, const config_setting_t *g, const char *what,
    struct config_slot *sl)
{
	const config_setting_t *a = config_setting_get_member(g, "skip"), *e;
	const char *v;
	int32_t day;
	size_t j;
	int i;

	if (a == NULL)
		return;
	if (config_setting_type(a) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(a) != CONFIG_TYPE_LIST) {
		cfg_problem(r, a, _("%s: 'skip' must be an array of dates [ \"YYYY-MM-DD\", "
		    "... ], not %s"), what, cfg_type_name(config_setting_type(a)));
		return;
	}
	for (i = 0; (e = config_setting_get_elem(a, (unsigned)i)) != NULL; i++) {
		v = config_setting_type(e) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(e) : NULL;
		if (v == NULL || conf_date_parse(v, &day) != 0) {
			if (v != NULL)
				cfg_problem(r, e, _("%s: each date in 'skip' must be a "
				    "date \"YYYY-MM-DD\" (not \"%s\")"), what,
				    utf8_valid(v) ? v : "");
			else
				cfg_problem(r, e, _("%s: each date in 'skip' must be a "
				    "date \"YYYY-MM-DD\""), what);
			continue;
		}
		sl->skip = xreallocarray(sl->skip, sl->nskip + 1, sizeof *sl->skip);
		for (j = sl->nskip; j > 0 && sl->skip[j - 1] > day; j--)
			sl->skip[j] = sl->skip[j - 1];
		sl->skip[j] = day;
		sl->nskip++;
	}
}

/* Reports an unknown playlist, suggesting the nearest defined one. */
static void
slot_unknown_playlist(struct cfg_reader *r, const config_setting_t *s,
    const char *what, const char *name, const struct config *c)
{
	const char **names;
	const char *hint;
	size_t i;

	names = xcalloc(c->nplaylists + 1, sizeof *names);
	for (i = 0; i < c->nplaylists; i++)
		names[i] = c->playlists[i].name;
	hint = cfg_suggest(name, names);
	if (hint != NULL)
		cfg_problem(r, s, _("%s: unknown playlist '%s'; did you mean '%s'?"), what,
		    name, hint);
	else if (c->nplaylists == 0)
		cfg_problem(r, s, _("%s: unknown playlist '%s' (the playlists section "
		    "defines none)"), what, name);
	else
		cfg_problem(r, s, _("%s: unknown playlist '%s' (not in the playlists "
		    "section)"), what, name);
	free(names);
}

/* Reads the playlist named by member name of g into sl; 0 when it has a problem. */
static int
slot_playlist(struct cfg_reader *r, const config_setting_t *g, const char *name,
    const char *what, const struct config *c, struct config_slot *sl)
{
	const config_setting_t *d = config_setting_get_member(g, name);

	if (!cfg_string(r, g, name, &sl->playlist, 0))
		return 0;
	if (conf_playlist(c, sl->playlist) == NULL) {
		slot_unknown_playlist(r, d, what, sl->playlist, c);
		return 0;
	}
	sl->playlist_index = (size_t)(conf_playlist(c, sl->playlist) - c->playlists);
	return 1;
}

/*
 * Reads a relay slot's source (one of the relay section's, else "did you
 * mean") and its fallback playlist, which airs while the source fails and
 * is required: a relay never leaves dead air. Returns 0 on a problem.
 */
static int
slot_relay(struct cfg_reader *r, const config_setting_t *g, const char *what,
    const struct config *c, struct config_slot *sl)
{
	const config_setting_t *d = config_setting_get_member(g, "relay");
	const char **names, *hint;
	int ok = 1;
	size_t i;

	if (config_setting_get_member(g, "playlist") != NULL) {
		cfg_problem(r, config_setting_get_member(g, "playlist"), _("%s: a relay "
		    "slot has no 'playlist'; its 'fallback' airs while the source "
		    "fails"), what);
		ok = 0;
	}
	if (config_setting_get_member(g, "intro") != NULL ||
	    config_setting_get_member(g, "outro") != NULL) {
		cfg_problem(r, g, _("%s: a relay slot has no 'intro' or 'outro'"), what);
		ok = 0;
	}
	if (cfg_string(r, g, "relay", &sl->relay, 0) &&
	    conf_relay_source(c, sl->relay) == NULL) {
		names = xcalloc(c->relay.nsources + 1, sizeof *names);
		for (i = 0; i < c->relay.nsources; i++)
			names[i] = c->relay.sources[i].name;
		hint = cfg_suggest(sl->relay, names);
		if (hint != NULL)
			cfg_problem(r, d, _("%s: unknown relay source '%s'; did you mean "
			    "'%s'?"), what, sl->relay, hint);
		else
			cfg_problem(r, d, _("%s: unknown relay source '%s' (not in "
			    "relay.sources)"), what, sl->relay);
		free(names);
		ok = 0;
	} else if (sl->relay == NULL)
		ok = 0;
	if (config_setting_get_member(g, "fallback") == NULL) {
		cfg_problem(r, g, _("%s: a relay slot needs 'fallback' (a playlist "
		    "that airs while the source fails)"), what);
		return 0;
	}
	return slot_playlist(r, g, "fallback", what, c, sl) && ok;
}

/* Reads one slot group into sl; returns 0 when it has a problem. */
static int
slot_read(struct cfg_reader *r, const config_setting_t *g, int n, struct config *c,
    struct config_slot *sl)
{
	static const char *const names[] = { "name", "days", "date", "start", "end",
		"length", "playlist", "from", "until", "skip", "priority", "intro",
		"outro", "allow_overrun", "relay", "fallback", NULL };
	const config_setting_t *d, *e;
	char what[96], *v = NULL;
	int end, ok = 1;
	size_t i;

	memset(sl, 0, sizeof *sl);
	sl->line = cfg_line(g);
	sl->date = sl->from = sl->until = CONF_NO_DATE;
	cfg_check_members(r, g, names);
	if (!cfg_string(r, g, "name", &sl->name, 0)) {
		if (config_setting_get_member(g, "name") == NULL)
			cfg_problem(r, g, _("slot %d has no 'name' (it names the slot in "
			    "the airing log)"), n + 1);
		snprintf(what, sizeof what, _("slot %d"), n + 1);
		ok = 0;
	} else {
		snprintf(what, sizeof what, _("slot '%s'"), sl->name);
		for (i = 0; i < c->nslots; i++)
			if (strcmp(c->slots[i].name, sl->name) == 0) {
				cfg_problem(r, config_setting_get_member(g, "name"),
				    _("slot '%s' is defined twice (first on line %d); slot "
				    "names must differ"), sl->name, c->slots[i].line);
				ok = 0;
				break;
			}
	}

	d = config_setting_get_member(g, "days");
	e = config_setting_get_member(g, "date");
	if (d != NULL && e != NULL) {
		cfg_problem(r, e, _("%s has both 'days' and 'date'; a slot runs on "
		    "weekdays or on one date"), what);
		ok = 0;
	} else if (d != NULL) {
		ok &= slot_days(r, d, what, &sl->days);
	} else if (e != NULL) {
		ok &= slot_date(r, g, "date", what, &sl->date);
	} else {
		cfg_problem(r, g, _("%s needs 'days' (\"daily\", \"weekdays\", "
		    "\"weekend\", [ \"mon\", ... ]) or 'date' (\"YYYY-MM-DD\")"), what);
		ok = 0;
	}

	if (config_setting_get_member(g, "start") == NULL) {
		cfg_problem(r, g, _("%s has no 'start' (HH:MM or HH:MM:SS)"), what);
		ok = 0;
	} else if ((sl->start = slot_clock(r, g, "start", what)) < 0)
		ok = 0;

	d = config_setting_get_member(g, "end");
	e = config_setting_get_member(g, "length");
	if (d != NULL && e != NULL) {
		cfg_problem(r, e, _("%s has both 'end' and 'length'; give one"), what);
		ok = 0;
	} else if (d != NULL) {
		if ((end = slot_clock(r, g, "end", what)) < 0)
			ok = 0;
		else if (sl->start >= 0 && end == sl->start) {
			cfg_problem(r, d, _("%s ends when it starts; give a later 'end' "
			    "(an earlier one runs past midnight)"), what);
			ok = 0;
		} else if (sl->start >= 0) {
			sl->length = (end - sl->start + DAY_SECONDS) % DAY_SECONDS;
			sl->end_clock = 1;
		}
	} else if (e != NULL) {
		if (cfg_string(r, g, "length", &v, 0) &&
		    (sl->length = length_parse(v)) < 0) {
			cfg_problem(r, e, _("%s: 'length' is \"%s\"; write it like \"20m\", "
			    "\"90s\" or \"1h30m\" (at most 24h)"), what, v);
			ok = 0;
		} else if (v == NULL)
			ok = 0;
		free(v);
		v = NULL;
	} else {
		cfg_problem(r, g, _("%s needs 'end' (HH:MM) or 'length' (\"20m\", "
		    "\"1h30m\")"), what);
		ok = 0;
	}

	if (config_setting_get_member(g, "relay") != NULL)
		ok &= slot_relay(r, g, what, c, sl);
	else if (config_setting_get_member(g, "fallback") != NULL) {
		cfg_problem(r, config_setting_get_member(g, "fallback"), _("%s: "
		    "'fallback' is for a relay slot (relay = \"SOURCE\")"), what);
		ok = 0;
	} else if (config_setting_get_member(g, "playlist") == NULL) {
		cfg_problem(r, g, _("%s has no 'playlist' (or 'relay')"), what);
		ok = 0;
	} else
		ok &= slot_playlist(r, g, "playlist", what, c, sl);

	if (config_setting_get_member(g, "from") != NULL &&
	    !slot_date(r, g, "from", what, &sl->from))
		ok = 0;
	if (config_setting_get_member(g, "until") != NULL &&
	    !slot_date(r, g, "until", what, &sl->until))
		ok = 0;
	if (sl->from != CONF_NO_DATE && sl->until != CONF_NO_DATE &&
	    sl->until < sl->from) {
		cfg_problem(r, config_setting_get_member(g, "until"), _("%s: 'until' is "
		    "before 'from'"), what);
		ok = 0;
	}
	slot_skip(r, g, what, sl);

	sl->priority = CONF_PRIO_NORMAL;
	if (cfg_string(r, g, "priority", &v, 0)) {
		if ((sl->priority = conf_priority_parse(v)) < 0) {
			cfg_problem(r, config_setting_get_member(g, "priority"), _("%s: "
			    "priority '%s' must be \"normal\", \"priority\" or "
			    "\"emergency\""), what, v);
			sl->priority = CONF_PRIO_NORMAL;
			ok = 0;
		}
		free(v);
	}
	slot_ref(r, g, "intro", what, &sl->intro);
	slot_ref(r, g, "outro", what, &sl->outro);
	cfg_bool(r, g, "allow_overrun", &sl->allow_overrun);
	return ok;
}

void
cfg_slot_clear(struct config_slot *sl)
{
	free(sl->name);
	free(sl->playlist);
	free(sl->skip);
	free(sl->intro);
	free(sl->outro);
	free(sl->relay);
	memset(sl, 0, sizeof *sl);
}

void
cfg_read_timetable(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	const config_setting_t *g;
	struct config_slot sl;
	int n;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(s) == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)) {
		cfg_problem(r, s, _("'timetable' must be a list ( { name = \"...\"; "
		    "days = \"daily\"; start = \"05:30\"; ... }, ... )"));
		return;
	}
	for (n = 0; (g = config_setting_get_elem(s, (unsigned)n)) != NULL; n++) {
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfg_problem(r, g, _("slot %d must be a group { name = ...; "
			    "days = ...; start = ...; ... }"), n + 1);
			continue;
		}
		if (!slot_read(r, g, n, c, &sl) || sl.name == NULL) {
			cfg_slot_clear(&sl);
			continue;
		}
		c->slots = xreallocarray(c->slots, c->nslots + 1, sizeof *c->slots);
		c->slots[c->nslots++] = sl;
	}
}
