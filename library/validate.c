/*
 * What comes into the library is checked here, the same for an import,
 * a package and a tag: text that list and show can print (UTF-8, no
 * controls), real dates, known priorities, tags, and audio that lasts and
 * is not silent, nor mostly silent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/tag.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "library/internal.h"

/* The length of the UTF-8 character at p that is not a control; 0 when it is one or invalid. */
static size_t
text_char(const unsigned char *p)
{
	if (*p < 0x20 || *p == 0x7f)
		return 0;
	return utf8_char((const char *)p);
}

/* Whether s is at most max bytes of UTF-8 without controls (one line). */
int
lib_text_ok(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (strlen(s) > max)
		return 0;
	for (; *p != '\0'; p += n)
		if ((n = text_char(p)) == 0)
			return 0;
	return 1;
}

/* Checks the importer's metadata: text, dates, priority, minimum airings, tags. */
int
lib_check_meta(const struct lib_meta *m, char **cause)
{
	const char *const *f;
	const char *fields[] = { m->title, m->topic, m->agency };
	static const char *const msgs[] = {
		N_("the title must be non-empty UTF-8 text on one line (at most 500 "
		    "bytes)"),
		N_("the topic must be non-empty UTF-8 text on one line (at most 500 "
		    "bytes)"),
		N_("the agency must be non-empty UTF-8 text on one line (at most 500 "
		    "bytes)"),
	};
	size_t i;

	f = fields;
	for (i = 0; i < 3; i++)
		if (f[i] != NULL && (!lib_text_ok(f[i], 500) || f[i][0] == '\0')) {
			*cause = xstrdup(_(msgs[i]));
			return LIB_REJECTED;
		}
	if (m->valid_from != NULL && !lib_date_valid(m->valid_from)) {
		xasprintf(cause, _("'%s' is not a date: give the start as YYYY-MM-DD"),
		    m->valid_from);
		return LIB_REJECTED;
	}
	if (m->valid_until != NULL && !lib_date_valid(m->valid_until)) {
		xasprintf(cause, _("'%s' is not a date: give the end as YYYY-MM-DD"),
		    m->valid_until);
		return LIB_REJECTED;
	}
	if (m->valid_from != NULL && m->valid_until != NULL &&
	    strcmp(m->valid_from, m->valid_until) > 0) {
		xasprintf(cause, _("the validity ends (%s) before it starts (%s)"),
		    m->valid_until, m->valid_from);
		return LIB_REJECTED;
	}
	if (m->priority != NULL && strcmp(m->priority, "normal") != 0 &&
	    strcmp(m->priority, "priority") != 0 &&
	    strcmp(m->priority, "emergency") != 0) {
		xasprintf(cause, _("unknown priority '%s' (normal, priority or emergency)"),
		    m->priority);
		return LIB_REJECTED;
	}
	if (m->min_airings < 0 || m->min_airings > LIB_MIN_AIRINGS_MAX) {
		xasprintf(cause, _("the minimum number of airings must be from 0 to 100000"));
		return LIB_REJECTED;
	}
	for (i = 0; i < m->ntags; i++)
		if (!tag_ok(m->tags[i])) {
			xasprintf(cause, _("'%s' is not a tag: a tag is 1 to 32 of a-z, "
			    "0-9, '-' and '_' (lower case), starting with a letter or "
			    "digit"),
			    lib_text_ok(m->tags[i], SIZE_MAX) ? m->tags[i] : "?");
			return LIB_REJECTED;
		}
	if (m->ntags > LIB_TAGS_MAX) {
		xasprintf(cause, _("%zu tags; a bulletin has at most %d"), m->ntags,
		    LIB_TAGS_MAX);
		return LIB_REJECTED;
	}
	return 0;
}

/* Refuses audio shorter than a second, entirely silent or, unless forced, mostly silent. */
int
lib_check_audio(const struct audio_info *info, int force, char **cause)
{
	double share;

	if (info->duration_ms < LIB_MIN_DURATION_MS) {
		xasprintf(cause, _("too short (%.1f s; a bulletin lasts at least 1 s)"),
		    (double)info->duration_ms / 1000.0);
		return LIB_REJECTED;
	}
	if (info->silent) {
		xasprintf(cause, _("entirely silent (no sound above the silence "
		    "threshold)"));
		return LIB_REJECTED;
	}
	share = 100.0 * (double)info->silent_ms / (double)info->duration_ms;
	if (!force && share > LIB_SILENT_SHARE_MAX &&
	    info->silent_ms > LIB_SILENT_MIN_MS) {
		xasprintf(cause, _("mostly silent: %.1f%% of it (%.0f s of %.0f s) is "
		    "below %.0f dBFS; cut the silence, or import it anyway with "
		    "--force"), share, (double)info->silent_ms / 1000.0,
		    (double)info->duration_ms / 1000.0, AUDIO_SILENCE_DBFS);
		return LIB_REJECTED;
	}
	return 0;
}

int
lib_check_probe(const struct audio_info *info, char **cause)
{
	return lib_check_audio(info, 0, cause);
}

int
lib_min_airings_parse(const char *s, int *n)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < 0 || v > LIB_MIN_AIRINGS_MAX)
		return -1;
	*n = (int)v;
	return 0;
}
