/*
 * What the daemon asks of the timetable, the playlists and the library, in
 * the daemon's own terms. Implemented over their APIs in scheduler/bridge.c.
 */
#ifndef LOAXA_BRIDGE_H
#define LOAXA_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "scheduler/timetable.h"

struct config;
struct store;

/*
 * One occurrence of a timetable slot. start is the nominal start, which
 * names the occurrence in the log; air_start and end are its air time after
 * the overlap rule; skipped: it has none.
 */
struct sched_occ {
	char *slot;       /* the slot's name */
	int64_t start;    /* ms since the epoch */
	int64_t air_start;
	int64_t end;
	char *priority;   /* normal, priority, emergency */
	int overrun;      /* an item may run past the end */
	int skipped;      /* no air time left: skipped for overlap */
	size_t index;     /* the slot's index in the timetable */
	struct sched_occurrence tt; /* as the timetable gave it */
};

/* One bulletin ready to air. */
struct sched_item {
	int64_t bulletin_id;
	char *path;
	char *sha256;
	char *title;
	int64_t duration_ms;
	double loudness_lufs; /* as measured at import */
	char *priority;
};

/*
 * The occurrences that start in [from, to), in order, after the overlap rule.
 * Returns 0 with an allocated array the caller frees with sched_occ_free_all.
 */
int sched_bridge_occurrences(const struct config *, int64_t from, int64_t to,
    struct sched_occ **, size_t *, char **cause);

/*
 * What airs in occ when it starts at now: the playlist's selection, with the
 * slot's intro and outro, each checked as sched_bridge_bulletin does. A
 * chosen bulletin that is refused is left out and logged as failed for the
 * occurrence. Returns 0 with an allocated array (maybe empty).
 */
int sched_bridge_select(struct store *, const struct config *,
    const struct sched_occ *, int64_t now, struct sched_item **, size_t *,
    char **cause);

/*
 * Bulletin id, checked for airing now: approved, inside its validity window,
 * its file matching the approved SHA-256. -1 with *cause saying why not, and
 * *tampered set when the file changed.
 */
int sched_bridge_bulletin(struct store *, const struct config *, int64_t id,
    int64_t now, struct sched_item *, int *tampered, char **cause);

void sched_occ_clear(struct sched_occ *);
void sched_occ_free_all(struct sched_occ **, size_t);
void sched_item_clear(struct sched_item *);
void sched_item_free_all(struct sched_item **, size_t);

#endif
