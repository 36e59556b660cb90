/*
 * Timetable maths, pure: which slot occurrences fall in a window of time, in
 * the station's time zone through the system's tz database (no clock reads,
 * no database). The daemon and `loaxa plan` both call these.
 *
 * Local times that do not exist or exist twice follow RFC 5545 (iCalendar):
 *  - a start or end inside a skipped hour (spring forward) is read with the
 *    UTC offset from before the change, so it moves later by the size of the
 *    gap: 02:30 on the day Berlin goes from 02:00 CET to 03:00 CEST airs at
 *    03:30 CEST; the slot keeps its length;
 *  - a start or end inside a repeated hour (fall back) is its first
 *    occurrence: 01:30 on the day New York goes back from 02:00 EDT to
 *    01:00 EST airs at 01:30 EDT, once.
 * A slot with 'end' ends at that local clock time (the next day when it is
 * not after start); one with 'length' lasts that many real seconds.
 *
 * Overlapping occurrences follow one rule, applied in order of priority
 * (highest first), then nominal start, then timetable order: each takes the
 * air time that is still free from its nominal start. So a higher priority
 * wins the air; a lower one that it overlaps is cut short when the higher one
 * starts inside it, or starts late when it starts inside the higher one; at
 * equal priority the earlier slot keeps the air and the later one starts when
 * it ends. An occurrence left with no time before its nominal end is skipped
 * (reason "overlap"). An occurrence that is cut short does not resume.
 *
 * These functions set TZ for the duration of a call (restoring it after) when
 * it is not already the zone asked for: call them from one thread.
 */
#ifndef LOAXA_TIMETABLE_H
#define LOAXA_TIMETABLE_H

#include <stddef.h>
#include <stdint.h>

struct config_slot;

/*
 * One occurrence of a timetable slot, for the daemon and `loaxa plan`
 * alike. Instants are ms since the epoch (UTC). start and end are as
 * the timetable says; air_start and air_end are what the overlap rule leaves
 * of them, the air time.
 */
struct sched_occurrence {
	size_t slot;        /* index of the slot in the timetable */
	int32_t day;        /* the local date it is scheduled on (days since 1970-01-01) */
	int64_t start;      /* nominal start: names the occurrence (slot_start in the log) */
	int64_t end;        /* nominal end */
	int64_t air_start;  /* after the overlap rule; start unless delayed */
	int64_t air_end;    /* after the overlap rule; end unless cut short */
	int priority;       /* CONF_PRIO_* of the slot */
	int overrun;        /* the slot's allow_overrun: its last item may run past air_end */
	int skipped;        /* 1: no air time left: skipped for overlap */
};

/* How a local time maps to an instant (sched_local_to_utc). */
enum { SCHED_LOCAL_OK, SCHED_LOCAL_GAP, SCHED_LOCAL_FOLD };

/*
 * Every occurrence of slots[0..nslots) whose nominal start is in [from, to)
 * (ms), with the overlap rule applied (occurrences just outside the window
 * count for it), ordered by nominal start then timetable order. tz is a zone
 * of the system's tz database. Returns 0 with *out allocated (the caller
 * frees it; NULL when *n is 0), or -1 with an allocated *cause (unknown zone,
 * window longer than 3 years).
 */
int sched_occurrences(const struct config_slot *slots, size_t nslots, const char *tz,
    int64_t from, int64_t to, struct sched_occurrence **out, size_t *n, char **cause);

/*
 * Up to max occurrences that are on air at now or later (air_end > now,
 * skipped ones included), looking up to 400 days ahead. As sched_occurrences.
 */
int sched_next_occurrences(const struct config_slot *slots, size_t nslots,
    const char *tz, int64_t now, size_t max, struct sched_occurrence **out,
    size_t *n, char **cause);

/*
 * The instant (ms) of local date day at sec seconds after midnight in tz,
 * by the rules above; *kind (may be NULL) says whether the time was in a gap
 * or a fold. -1 with *cause for an unknown zone.
 */
int sched_local_to_utc(const char *tz, int32_t day, int sec, int64_t *ms, int *kind,
    char **cause);

/* The local date and the seconds after local midnight of instant ms in tz. */
int sched_utc_to_local(const char *tz, int64_t ms, int32_t *day, int *sec,
    char **cause);

/*
 * Formats ms as local time in tz: ISO 8601 with milliseconds and the UTC
 * offset ("2026-12-07T05:30:00.000+07:00") into out (at least 32 bytes).
 */
int sched_format_iso(const char *tz, int64_t ms, char *out, size_t len, char **cause);

/* The weekday (0 Sunday .. 6 Saturday) of a date in days since 1970-01-01. */
int sched_weekday(int32_t day);

#endif
