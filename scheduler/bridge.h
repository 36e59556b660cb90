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

/* One bulletin ready to air. */
struct sched_item {
	int64_t bulletin_id;
	char *path;
	char *sha256;
	char *title;
	int64_t duration_ms;
	double loudness_lufs; /* as measured at import */
	int priority;         /* CONF_PRIO_* */
};

/*
 * What airs in occ when it starts at now: the playlist's selection, with the
 * slot's intro and outro, each checked as sched_bridge_bulletin does, at
 * the higher of its own and the slot's priority. occ is of cfg's timetable. A
 * chosen bulletin that is refused is left out and logged as failed for the
 * occurrence. Returns 0 with an allocated array (maybe empty).
 */
int sched_bridge_select(struct store *, const struct config *,
    const struct sched_occurrence *, int64_t now, struct sched_item **, size_t *,
    char **cause);

/*
 * Bulletin id, checked for airing now: approved, inside its validity window,
 * its file matching the approved SHA-256. -1 with *cause saying why not, and
 * *tampered set when the file changed.
 */
int sched_bridge_bulletin(struct store *, const struct config *, int64_t id,
    int64_t now, struct sched_item *, int *tampered, char **cause);

void sched_item_clear(struct sched_item *);
void sched_item_free_all(struct sched_item **, size_t);

#endif
