/*
 * What airs: the candidates (approved bulletins from the library with their
 * airing history from the log), the selection for one occurrence as the
 * daemon makes it, and the forward simulation `loaxa plan` prints. Both go
 * through the same code: remaining-occurrence counts for quotas, then
 * pl_select (playlists/playlists.h).
 *
 * "Remaining" for a bulletin short of its required airings is the number of
 * non-skipped occurrences, from the one being filled up to the end of the
 * bulletin's valid_until (local), of slots whose playlist could choose it;
 * without a valid_until, up to SCHED_QUOTA_DAYS ahead.
 */
#ifndef LOAXA_PLAN_H
#define LOAXA_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "playlists/playlists.h"
#include "scheduler/timetable.h"

struct config;
struct store;
struct sched_pool;

#define SCHED_QUOTA_DAYS 366

/*
 * Loads the approved bulletins (through the library) and, from the airing
 * log, how many times each completed and when each last started. Returns 0
 * and a new pool, or -1 with an allocated *cause.
 */
int sched_pool_load(struct store *, const char *datadir, struct sched_pool **out,
    char **cause);

/* A pool over copies of c[0..n) (strings are copied too): for tests and benches. */
struct sched_pool *sched_pool_from(const struct pl_candidate *c, size_t n);

/* The pool's candidates, sorted by id; the pool owns them. */
struct pl_candidate *sched_pool_candidates(struct sched_pool *, size_t *n);

void sched_pool_free(struct sched_pool **);

/*
 * The programme of occurrence occ of cfg's timetable when it starts at now
 * (ms; the air time is from max(now, air_start) to air_end). Returns 0 with
 * *out allocated (indexes into the pool's candidates; NULL when *n is 0), or
 * -1 with *cause. An empty programme is not an error.
 */
int sched_select(const struct config *cfg, struct sched_pool *,
    const struct sched_occurrence *occ, int64_t now, struct pl_pick **out,
    size_t *n, char **cause);

/* One item of a planned programme. */
struct sched_plan_item {
	size_t cand;        /* index into plan->cands */
	int64_t start;      /* ms */
	int role;           /* PL_ITEM, PL_INTRO, PL_OUTRO */
};

/*
 * One occurrence of the plan and what airs in it; for a relay slot, what
 * its fallback would air if the source failed all through it (not counted
 * as aired by the plan's quotas).
 */
struct sched_plan_entry {
	struct sched_occurrence occ;
	struct sched_plan_item *items;
	size_t nitems;
};

/* How a bulletin with a required minimum fares. */
struct sched_plan_quota {
	size_t cand;
	int required;
	int before;         /* completed before the plan starts */
	int planned;        /* planned by its end (or by the horizon) */
	int64_t until_end;  /* ms: the end of its valid_until, 0 when none */
	int beyond;         /* its end lies past the simulated horizon */
	int short_by;       /* 0 when met */
};

/* A simulated plan. Its candidates' strings belong to the pool: free the plan first. */
struct sched_plan {
	struct pl_candidate *cands; /* as at the plan's start */
	size_t ncands;
	struct sched_plan_entry *entries; /* occurrences starting in [from, to) */
	size_t nentries;
	struct sched_plan_quota *quotas;
	size_t nquotas;
	int64_t from, to, horizon; /* simulated from..horizon (>= to) */
	size_t simulated;          /* occurrences simulated in all */
};

/*
 * Simulates the timetable from from to to (ms), and on to the latest end
 * date of a bulletin with a required minimum (at most SCHED_QUOTA_DAYS past
 * from), choosing each programme with sched_select's rules and counting each
 * planned item as aired. The pool is not changed. Returns 0 and a plan the
 * caller frees with sched_plan_free, or -1 with *cause.
 */
int sched_plan_run(const struct config *cfg, struct sched_pool *, int64_t from,
    int64_t to, struct sched_plan **out, char **cause);

void sched_plan_free(struct sched_plan **);

#endif
