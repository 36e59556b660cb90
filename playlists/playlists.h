/*
 * playlists: what fills one slot occurrence, as a pure function of the
 * playlist rule, the candidate bulletins with their airing history, and the
 * air time available. No database, no clock: the daemon and `loaxa plan`
 * call the same pl_select, so the plan is what airs.
 *
 * Only approved bulletins inside their validity window (local dates,
 * inclusive) are ever chosen. A fixed playlist airs its items in the listed
 * order. A rotate playlist takes the bulletins that match its topics,
 * agencies and tags (each list, when given, must match one of its entries;
 * its items, when given, restrict the pool) in this order:
 *   1. priority: emergency, then priority, then normal (they go first);
 *   2. bulletins still short of their required minimum airings, largest
 *      shortfall per remaining slot occurrence first;
 *   3. fewest airings so far;
 *   4. least recently aired (never aired first);
 *   5. lowest id (so that the order is always the same).
 * Items are taken in that order while they fit: an item that would not
 * finish before the end is not started (the next one that fits may be),
 * unless the slot allows overrun, in which case an item may start as long as
 * it starts before the end. Each bulletin airs at most once per occurrence
 * unless the playlist has repeat, in which case the order is taken again
 * while anything fits. The slot's intro airs first and its outro last, their
 * time kept free for them; the programme ends when content runs out.
 */
#ifndef LOAXA_PLAYLISTS_H
#define LOAXA_PLAYLISTS_H

#include <stddef.h>
#include <stdint.h>

struct config_playlist;

/* One bulletin that may air, with what selection needs to know. Borrowed strings. */
struct pl_candidate {
	int64_t id;
	const char *sha256;     /* full lower-case hex */
	const char *title;
	const char *topic, *agency; /* may be NULL */
	const char *const *tags; /* the bulletin's tags (bulletin_tags) */
	size_t ntags;
	int priority;           /* CONF_PRIO_* */
	int approved;           /* 1 only for status approved */
	int32_t valid_from, valid_until; /* inclusive local dates, or CONF_NO_DATE */
	int64_t duration_ms;
	int min_airings;        /* required airings by valid_until, 0 for none */
	int airings;            /* completed airings so far */
	int64_t last_aired;     /* ms since the epoch of the latest start, 0: never */
	int remaining;          /* occurrences left for it up to valid_until,
	                           this one included (the caller counts them) */
};

/* What one slot occurrence asks for. */
struct pl_request {
	const struct config_playlist *playlist;
	int32_t day;            /* the occurrence's local date, for validity */
	int64_t length_ms;      /* air time available */
	int allow_overrun;
	const char *intro, *outro; /* bulletin references, or NULL */
};

enum { PL_ITEM, PL_INTRO, PL_OUTRO };

/* One item of a programme. */
struct pl_pick {
	size_t cand;            /* index into the candidates */
	int64_t offset_ms;      /* its planned start after the programme's start */
	int role;               /* PL_ITEM, PL_INTRO, PL_OUTRO */
};

/* Whether c may air on local date day: approved, inside its validity window. */
int pl_eligible(const struct pl_candidate *c, int32_t day);

/* Whether reference ref (an id of up to 7 digits, or a SHA-256 prefix of 8 or more hex digits) names c. */
int pl_ref_matches(const char *ref, const struct pl_candidate *c);

/*
 * The index of the one candidate ref names, or -1 when none does or a
 * SHA-256 prefix names more than one.
 */
long pl_resolve(const char *ref, const struct pl_candidate *c, size_t n);

/* Whether playlist p could ever choose c (ignoring approval and dates). */
int pl_matches(const struct config_playlist *p, const struct pl_candidate *c);

/* Whether c is short of its required airings (min_airings > airings). */
int pl_short(const struct pl_candidate *c);

/*
 * The programme for one occurrence: picks in airing order. Returns the
 * number of picks, with *out allocated (the caller frees it; NULL when 0).
 * Never fails; an empty programme is 0.
 */
size_t pl_select(const struct pl_request *req, const struct pl_candidate *c,
    size_t n, struct pl_pick **out);

#endif
