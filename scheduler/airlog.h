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

/*
 * Why something stopped or did not air: the log's reason column holds one of
 * these codes and nothing else, so that reports can count by it; what else
 * is known (a file, the device's message) goes into the detail column.
 */
enum sched_reason {
	SCHED_R_NONE,            /* no reason: NULL */
	SCHED_R_EMERGENCY,       /* "emergency": an emergency cut in or kept it off air */
	SCHED_R_SHUTDOWN,        /* "shutdown": the daemon was stopped */
	SCHED_R_POWER_LOSS,      /* "power loss": the row was left open by a crash */
	SCHED_R_OPERATOR_STOP,   /* "operator stop" */
	SCHED_R_SKIPPED,         /* "skipped by operator" */
	SCHED_R_STOPPED,         /* "stopped": the player stopped unasked */
	SCHED_R_CONTROLLER_OFF,  /* "controller off" */
	SCHED_R_CLOCK_CHANGE,    /* "clock change": the clock jumped over it */
	SCHED_R_CONTROLLER_BUSY, /* "controller busy": something else aired */
	SCHED_R_NO_CONTENT,      /* "no content" */
	SCHED_R_DEVICE,          /* "device": the output would not open or failed */
	SCHED_R_OVERLAP,         /* "overlap": a higher priority slot left it no time */
	SCHED_R_OPERATOR_PLAY,   /* "operator play": an operator's play kept it off air */
	SCHED_R_TAMPERED,        /* "tampered": the file is not what was approved */
	SCHED_R_REFUSED,         /* "refused": the library would not give it to air */
	SCHED_R_DECODER,         /* "decoder": the file does not decode */
	SCHED_R_PLAYER,          /* "player": it crashed, hung or failed while airing */
	SCHED_R_SILENCE,         /* "silence": it aired with a long silence in it */
	SCHED_R_NOT_LOGGED,      /* "not logged": scheduled, and nothing was logged */
	SCHED_R_SOURCE_UNREACHABLE, /* "source unreachable": a relay's source would not open */
	SCHED_R_SOURCE_LOST,     /* "source lost": it ended or stalled while relayed */
	SCHED_R_SOURCE_SILENT,   /* "source silent": it gave only silence */
	SCHED_R_NREASONS         /* not a reason: how many codes there are */
};

/* The reason's code as the log writes it; NULL for SCHED_R_NONE and outside the table. */
const char *sched_reason_name(enum sched_reason);

/*
 * The code that text begins with ("tampered: ..." or just "tampered"), with
 * *detail pointing past it and its ": " (at "" when there is nothing after
 * it); SCHED_R_NONE with *detail = text when text begins with no code.
 */
enum sched_reason sched_reason_code(const char *text, const char **detail);

/* Where an airing comes from and what it is. */
struct sched_log_item {
	int64_t bulletin_id; /* 0: none (a missed slot) */
	const char *sha256;  /* NULL when none */
	const char *slot;    /* NULL for an operator's play */
	int64_t slot_start;  /* ms; the slot occurrence's start, 0 when none */
	const char *priority; /* normal, priority, emergency */
	int64_t scheduled_at; /* ms */
	const char *source;  /* a relay's source by name; NULL for anything else */
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
 * Closes an open row with its outcome (completed, interrupted, failed),
 * reason and detail (NULL: none), and a relay's interruptions still open
 * (ending at ended_at). A reason outside the table is refused: -1 with
 * *cause, and the row is left as it was.
 */
int sched_log_finish(struct store *, int64_t id, int64_t ended_at, int64_t played_ms,
    enum sched_outcome, enum sched_reason, const char *detail, char **cause);

/*
 * One interruption of a relay: from at (ms), for duration_ms, why (a
 * reason code), what else is known (NULL: nothing), and what the fallback
 * aired meanwhile (titles; NULL: nothing).
 */
struct sched_log_interruption {
	int64_t at, duration_ms;
	enum sched_reason reason;
	const char *detail;
	const char *fallback;
};

/*
 * sched_log_finish for a relay's row, writing its n interruptions (besides
 * those written as they began) in the same transaction: the row is closed
 * with all of them or none. A reason outside the table (the row's or an
 * interruption's) writes nothing.
 */
int sched_log_finish_relay(struct store *, int64_t id, int64_t ended_at,
    int64_t played_ms, enum sched_outcome, enum sched_reason, const char *detail,
    const struct sched_log_interruption *, size_t n, char **cause);

/*
 * Writes that relay row airing_id's source failed at `at` (why, and what
 * else is known: NULL nothing), as soon as it happens: an open
 * interruption, of duration 0 until it is updated, that a crash keeps
 * (closing the row closes it, at the row's end). Returns its id, or -1 with
 * *cause (a reason outside the table writes nothing).
 */
int64_t sched_log_interruption_begin(struct store *, int64_t airing_id, int64_t at,
    enum sched_reason, const char *detail, char **cause);

/*
 * Keeps open interruption id current: its length until `until`, what the
 * fallback has aired in it (titles; NULL: nothing), and, with closed, ends
 * it; it cannot change after that.
 */
int sched_log_interruption_update(struct store *, int64_t id, int64_t until,
    const char *fallback, int closed, char **cause);

/*
 * Records an item or slot that did not air (outcome missed, skipped or
 * failed) with its reason and detail (NULL: none). Returns the row id, or -1
 * with *cause (a reason outside the table writes nothing).
 */
int64_t sched_log_not_aired(struct store *, const struct sched_log_item *,
    enum sched_outcome, enum sched_reason, const char *detail, char **cause);

/*
 * Closes every row left 'playing' (the power was cut or the process killed)
 * as interrupted ("power loss"), ending at its last heartbeat with what had
 * played by then, and a relay's interruption left open with it. Returns how
 * many rows it closed, or -1.
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

/*
 * Deletes the outbox rows the station link has had acknowledged: those at or
 * below meta 'acked_through' of DATA/link/link.db (link/state.c). Without a
 * link section (linked 0) nothing goes up, so every row goes. Returns how
 * many rows went, or -1 with *cause.
 */
int sched_outbox_prune(struct store *, const char *datadir, int linked, char **cause);

/* Records in meta that the daemon was alive at now (start, clean stop). */
int sched_log_mark_alive(struct store *, int64_t now, char **cause);

#endif
