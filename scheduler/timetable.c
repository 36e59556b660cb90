/*
 * Timetable maths: local civil times to instants through the system's tz
 * database (localtime_r under TZ), occurrences of slots, the overlap rule.
 * See timetable.h for the rules on skipped and repeated hours and overlaps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/date.h"
#include "common/i18n.h"
#include "common/tz.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/timetable.h"

#define DAY_S 86400
#define DAY_MS 86400000LL
#define MAX_WINDOW_MS (3 * 366 * DAY_MS)

/* The TZ in force before a call, to put back after. */
struct tz_saved {
	char *old;
	int had_old;
	int changed;
};

/*
 * Makes zone the process's local time zone until tz_leave. Fails (with
 * *cause) for a zone the tz database lacks, rather than let glibc fall back
 * to UTC silently.
 */
static int
tz_enter(const char *zone, struct tz_saved *sv, char **cause)
{
	const char *cur = getenv("TZ");

	memset(sv, 0, sizeof *sv);
	if (cur != NULL && strcmp(cur, zone) == 0) {
		tzset();
		return 0;
	}
	if (!tz_known(zone)) {
		xasprintf(cause, _("unknown time zone '%s' (not in the system's tz "
		    "database)"), zone ? zone : "");
		return -1;
	}
	sv->had_old = cur != NULL;
	sv->old = cur != NULL ? xstrdup(cur) : NULL;
	sv->changed = 1;
	setenv("TZ", zone, 1);
	tzset();
	return 0;
}

/* Puts back the TZ that tz_enter replaced. */
static void
tz_leave(struct tz_saved *sv)
{
	if (!sv->changed)
		return;
	if (sv->had_old)
		setenv("TZ", sv->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(sv->old);
	sv->old = NULL;
}

/* Floor division for possibly negative numerators. */
static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int
sched_weekday(int32_t day)
{
	return (int)(((int64_t)day % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
}

/* The UTC offset, in seconds, of the current TZ at instant t (seconds). */
static long
offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/*
 * The instant (seconds) of a local civil time under the current TZ. The
 * offsets a day before and a day after bracket any change (zones do not
 * change twice within two days); a candidate is good when the tz database
 * gives it back the offset it was made with.
 */
static int64_t
local_to_utc(int32_t day, int sec, int *kind)
{
	int64_t civil = (int64_t)day * DAY_S + sec, c1, c2;
	long before = offset_at(civil - DAY_S), after = offset_at(civil + DAY_S);
	int ok1, ok2;

	c1 = civil - before;
	c2 = civil - after;
	ok1 = offset_at(c1) == before;
	ok2 = offset_at(c2) == after;
	if (ok1 && ok2) {
		if (c1 != c2) {
			*kind = SCHED_LOCAL_FOLD;
			return c1 < c2 ? c1 : c2; /* the first of the two */
		}
		*kind = SCHED_LOCAL_OK;
		return c1;
	}
	if (ok1 || ok2) {
		*kind = SCHED_LOCAL_OK;
		return ok1 ? c1 : c2;
	}
	*kind = SCHED_LOCAL_GAP;
	return c1; /* read with the offset from before the gap: moves later */
}

/* The local date and seconds after midnight of instant t (seconds), current TZ. */
static void
utc_to_local(int64_t t, int32_t *day, int *sec)
{
	int64_t civil = t + offset_at(t);

	*day = (int32_t)floordiv(civil, DAY_S);
	*sec = (int)(civil - (int64_t)*day * DAY_S);
}

int
sched_local_to_utc(const char *tz, int32_t day, int sec, int64_t *ms, int *kind,
    char **cause)
{
	struct tz_saved sv;
	int k;

	if (tz_enter(tz, &sv, cause) != 0)
		return -1;
	*ms = local_to_utc(day, sec, &k) * 1000;
	if (kind != NULL)
		*kind = k;
	tz_leave(&sv);
	return 0;
}

int
sched_utc_to_local(const char *tz, int64_t ms, int32_t *day, int *sec, char **cause)
{
	struct tz_saved sv;

	if (tz_enter(tz, &sv, cause) != 0)
		return -1;
	utc_to_local(floordiv(ms, 1000), day, sec);
	tz_leave(&sv);
	return 0;
}

int
sched_format_iso(const char *tz, int64_t ms, char *out, size_t len, char **cause)
{
	struct tz_saved sv;
	char t[DATE_ISO8601_LEN];

	if (tz_enter(tz, &sv, cause) != 0)
		return -1;
	date_iso8601(ms, t);
	tz_leave(&sv);
	snprintf(out, len, "%s", t);
	return 0;
}

/* Whether slot sl is scheduled on local date day. */
static int
slot_on(const struct config_slot *sl, int32_t day)
{
	size_t lo = 0, hi = sl->nskip, mid;

	if (sl->date != CONF_NO_DATE) {
		if (day != sl->date)
			return 0;
	} else if (!(sl->days & (1u << sched_weekday(day))))
		return 0;
	if ((sl->from != CONF_NO_DATE && day < sl->from) ||
	    (sl->until != CONF_NO_DATE && day > sl->until))
		return 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (sl->skip[mid] == day)
			return 0;
		if (sl->skip[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 1;
}

/* Orders occurrences by nominal start, then timetable order. */
static int
occ_by_start(const void *a, const void *b)
{
	const struct sched_occurrence *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Orders indexes into base by priority (highest first), then start and timetable order. */
static int
occ_by_rank(const void *a, const void *b, void *base)
{
	const struct sched_occurrence *o = base;
	const struct sched_occurrence *x = &o[*(const size_t *)a];
	const struct sched_occurrence *y = &o[*(const size_t *)b];

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	return occ_by_start(x, y);
}

/*
 * Applies the overlap rule to o[0..n), sorted by start. Occurrences overlap
 * only within a day of each other (slots last at most 24 h), so each looks
 * only at its neighbours in that range.
 */
static void
overlap_rule(struct sched_occurrence *o, size_t n)
{
	size_t *order, k, i, j, lo, hi;
	unsigned char *placed;
	int64_t a, b;
	int moved;

	if (n < 2)
		return;
	order = xreallocarray(NULL, n, sizeof *order);
	placed = xcalloc(n, 1);
	for (k = 0; k < n; k++)
		order[k] = k;
	qsort_r(order, n, sizeof *order, occ_by_rank, o);
	for (k = 0; k < n; k++) {
		i = order[k];
		for (lo = i; lo > 0 && o[lo - 1].start > o[i].start - DAY_MS - 1000; lo--)
			;
		for (hi = i + 1; hi < n && o[hi].start < o[i].end; hi++)
			;
		a = o[i].start;
		do {
			moved = 0;
			for (j = lo; j < hi; j++)
				if (placed[j] && !o[j].skipped && o[j].air_start <= a &&
				    a < o[j].air_end) {
					a = o[j].air_end;
					moved = 1;
				}
		} while (moved);
		b = o[i].end;
		for (j = lo; j < hi; j++)
			if (placed[j] && !o[j].skipped && o[j].air_start >= a &&
			    o[j].air_start < b)
				b = o[j].air_start;
		if (a >= o[i].end || b <= a) {
			o[i].skipped = 1;
			o[i].air_start = o[i].air_end = 0;
		} else {
			o[i].air_start = a;
			o[i].air_end = b;
		}
		placed[i] = 1;
	}
	free(placed);
	free(order);
}

int
sched_occurrences(const struct config_slot *slots, size_t nslots, const char *tz,
    int64_t from, int64_t to, struct sched_occurrence **out, size_t *n, char **cause)
{
	struct sched_occurrence *o = NULL, *oc;
	size_t no = 0, cap = 0, i, k;
	struct tz_saved sv;
	int32_t d0, d1, day;
	int sec, kind;
	int64_t s, e;

	*out = NULL;
	*n = 0;
	if (to <= from)
		return 0;
	if (to - from > MAX_WINDOW_MS) {
		xasprintf(cause, _("a timetable window of %lld days is too long (at "
		    "most %lld)"), (long long)((to - from) / DAY_MS),
		    (long long)(MAX_WINDOW_MS / DAY_MS));
		return -1;
	}
	if (tz_enter(tz, &sv, cause) != 0)
		return -1;
	/* Slots that start two days early can still overlap the window's first. */
	utc_to_local(floordiv(from, 1000), &d0, &sec);
	utc_to_local(floordiv(to, 1000), &d1, &sec);
	for (day = d0 - 2; day <= d1 + 1; day++)
		for (i = 0; i < nslots; i++) {
			if (!slot_on(&slots[i], day))
				continue;
			s = local_to_utc(day, slots[i].start, &kind);
			if (slots[i].end_clock) {
				sec = slots[i].start + slots[i].length;
				e = local_to_utc(day + sec / DAY_S, sec % DAY_S, &kind);
				if (e <= s) /* a clock end swallowed by a gap */
					e = s + slots[i].length;
			} else
				e = s + slots[i].length;
			if (no == cap) {
				cap = cap ? cap * 2 : 64;
				o = xreallocarray(o, cap, sizeof *o);
			}
			oc = &o[no++];
			memset(oc, 0, sizeof *oc);
			oc->slot = i;
			oc->day = day;
			oc->start = oc->air_start = s * 1000;
			oc->end = oc->air_end = e * 1000;
			oc->priority = slots[i].priority;
			oc->overrun = slots[i].allow_overrun;
		}
	tz_leave(&sv);
	if (no > 1)
		qsort(o, no, sizeof *o, occ_by_start);
	overlap_rule(o, no);
	for (i = k = 0; i < no; i++)
		if (o[i].start >= from && o[i].start < to)
			o[k++] = o[i];
	if (k == 0) {
		free(o);
		o = NULL;
	}
	*out = o;
	*n = k;
	return 0;
}

int
sched_next_occurrences(const struct config_slot *slots, size_t nslots,
    const char *tz, int64_t now, size_t max, struct sched_occurrence **out,
    size_t *n, char **cause)
{
	struct sched_occurrence *o, *res = NULL;
	size_t no, nres = 0, i;
	int64_t from = now - DAY_MS - 1000, span = 8 * DAY_MS;

	*out = NULL;
	*n = 0;
	while (nres < max && from < now + 400 * DAY_MS) {
		if (sched_occurrences(slots, nslots, tz, from, from + span, &o, &no,
		    cause) != 0) {
			free(res);
			return -1;
		}
		for (i = 0; i < no && nres < max; i++) {
			if ((o[i].skipped ? o[i].end : o[i].air_end) <= now)
				continue;
			res = xreallocarray(res, nres + 1, sizeof *res);
			res[nres++] = o[i];
		}
		free(o);
		from += span;
		span = 64 * DAY_MS;
	}
	*out = res;
	*n = nres;
	return 0;
}
