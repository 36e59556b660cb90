/*
 * The timetable's history: which timetable was in force from when, kept in
 * the store (table timetables) so that a report can count every slot
 * occurrence that was scheduled in a past period, aired or not.
 *
 * A timetable is kept as its zone and a normalised serialisation of its
 * slots, one slot a line of tab-separated fields (only what decides when
 * occurrences fall: name, days, date, start, length, end_clock, from,
 * until, priority, skip dates, and for a relay slot its source's name, which
 * reports count relayed hours against; a tab, newline or backslash in a
 * name is written \t, \n, \\). Playlists, intros and outros do not change when a
 * slot is scheduled, so a change to them alone records nothing.
 */
#ifndef LOAXA_HISTORY_H
#define LOAXA_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "scheduler/timetable.h"

struct config;
struct config_slot;
struct store;

/* cfg's timetable serialised as above (allocated; "" for no slots). */
char *sched_history_text(const struct config *cfg);

/*
 * Records cfg's timetable as in force from now_ms, unless it (zone and
 * slots) is the one the latest row records and the daemon recorded a row
 * before. With no history at all, first records it as in force since the
 * store was created (sched_history_ensure). The daemon calls it when it
 * starts and after every accepted reload. Returns 1 when it recorded a row,
 * 0 when the timetable had not changed, -1 with an allocated *cause.
 */
int sched_history_record(struct store *, const struct config *cfg, int64_t now_ms,
    char **cause);

/*
 * When the store has no timetable history at all, records cfg's timetable
 * as in force since the store was created (meta 'created_at'; now_ms when
 * unknown), marked as recorded by a report. Returns 1 when it recorded, 0
 * when there was a history already, -1 with *cause.
 */
int sched_history_ensure(struct store *, const struct config *cfg, int64_t now_ms,
    char **cause);

/*
 * Parses a serialisation back into slots (*out allocated, free them with
 * sched_history_slots_free; NULL when *n is 0). -1 with *cause when text is
 * not one.
 */
int sched_history_parse(const char *text, struct config_slot **out, size_t *n,
    char **cause);
void sched_history_slots_free(struct config_slot *, size_t n);

/*
 * sched_occurrences over any window, however long (in steps the timetable
 * maths accepts). As sched_occurrences.
 */
int sched_history_occurrences(const struct config_slot *slots, size_t nslots,
    const char *tz, int64_t from, int64_t to, struct sched_occurrence **out,
    size_t *n, char **cause);

#endif
