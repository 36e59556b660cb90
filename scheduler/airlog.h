/*
 * The airing log, as the daemon writes it: a row when an airing starts, a
 * heartbeat while it plays, the outcome when it ends, a row per slot that
 * could not air, and recovery of rows a crash left open.
 */
#ifndef LOAXA_AIRLOG_H
#define LOAXA_AIRLOG_H

#include <stdint.h>

struct store;

/* How an airing ended, or why it has none: the log's outcome column. */
enum sched_outcome {
	SCHED_COMPLETED,
	SCHED_INTERRUPTED,
	SCHED_FAILED,
	SCHED_MISSED,
	SCHED_SKIPPED,
};

/* The outcome's word in the log: "completed", "interrupted", ... */
const char *sched_outcome_name(enum sched_outcome);

/* Where an airing comes from and what it is. */
struct sched_log_item {
	int64_t bulletin_id; /* 0: none (a missed slot) */
	const char *sha256;  /* NULL when none */
	const char *slot;    /* NULL for an operator's play */
	int64_t slot_start;  /* ms; the slot occurrence's start, 0 when none */
	const char *priority; /* normal, priority, emergency */
	int64_t scheduled_at; /* ms */
};

/* The current time in ms since the epoch (CLOCK_REALTIME). */
int64_t sched_log_now_ms(void);

/*
 * Records that item started playing at started_at. Returns the row id, or -1
 * with *cause set.
 */
int64_t sched_log_start(struct store *, const struct sched_log_item *, int64_t started_at,
    char **cause);

/*
 * Records how an open row's airing is paced: 1 when the output runs at the
 * audio's rate, 0 when it runs as fast as it can (audio.realtime false), so
 * that a report can tell an airing from a fast copy to a file.
 */
int sched_log_paced(struct store *, int64_t id, int paced, char **cause);

/* Keeps an open row current: what has played by now. */
int sched_log_heartbeat(struct store *, int64_t id, int64_t now, int64_t played_ms,
    char **cause);

/*
 * Closes an open row with its outcome (completed, interrupted, failed) and
 * reason (NULL: none).
 */
int sched_log_finish(struct store *, int64_t id, int64_t ended_at, int64_t played_ms,
    enum sched_outcome, const char *reason, char **cause);

/* Records an item or slot that did not air: outcome missed, skipped or failed. */
int64_t sched_log_not_aired(struct store *, const struct sched_log_item *,
    enum sched_outcome, const char *reason, char **cause);

/*
 * Closes every row left 'playing' (the power was cut or the process killed)
 * as interrupted ("power loss"), ending at its last heartbeat with what had
 * played by then. Returns how many rows it closed, or -1.
 */
int sched_log_recover(struct store *, char **cause);

/* Whether the slot occurrence (slot, slot_start) has any row yet. */
int sched_log_has_occurrence(struct store *, const char *slot, int64_t slot_start);

/*
 * Whether bulletin id has a row in the slot occurrence (slot, slot_start)
 * (id 0: whether the operator stopped it). A restarted daemon airs what is
 * left of a slot in progress, without what it logged already.
 */
int sched_log_in_occurrence(struct store *, const char *slot, int64_t slot_start,
    int64_t id);

/* The latest instant the log knows the station was alive, in ms (0: never). */
int64_t sched_log_last_alive(struct store *);

/* Records in meta that the daemon was alive at now (start, clean stop). */
int sched_log_mark_alive(struct store *, int64_t now, char **cause);

#endif
