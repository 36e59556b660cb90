/*
 * One airing in its own process: decoding and output run in a child so that
 * a decoder that crashes, aborts or hangs cannot stop the scheduler. The
 * child prepares the file and the device ahead of time, waits for the
 * scheduled instant, plays, and reports over a pipe.
 */
#ifndef LOAXA_AIRING_H
#define LOAXA_AIRING_H

#include <stdint.h>
#include <sys/types.h>

#include "scheduler/airlog.h"

struct audio_option;
struct config_audio;
struct player_opts;
struct sched_airing;

/* A bulletin a relay's child airs while its source fails. */
struct sched_fallback {
	const char *path;
	const char *sha256;
	double loudness_lufs;
	int64_t duration_ms;
	int refused;               /* reported tampered in this slot already: not aired */
};

struct sched_airing_spec {
	const char *path;          /* the stored file */
	const char *expect_sha256; /* refuse to play when the file differs; may be NULL */
	int64_t start_at;          /* ms since the epoch: first sample out then */
	const struct config_audio *audio;
	int normalize;
	double loudness_lufs;      /* known loudness; NaN: measure it first */
	int64_t duration_ms;       /* the length measured at import; 0 unknown */
	/* A relay (path NULL): its source, the service's socket, when it ends. */
	const char *relay_source;
	const char *relay_sock;
	int64_t end_at;            /* ms since the epoch: faded out by then */
	int silence_s;             /* only silence this long is a fault */
	const struct sched_fallback *fallback; /* airs while the source fails */
	size_t nfallback;
};

/*
 * The player's options for the configured audio ca, which airings and
 * play-file use (scheduler/player_opts.c): defaults, output, level, fade;
 * then libao's options, allocated for the caller to free after the output.
 */
void sched_player_opts(const struct config_audio *ca, struct player_opts *po);
struct audio_option *sched_player_out_options(const struct config_audio *ca,
    struct player_opts *po);

enum sched_airing_event_kind {
	SCHED_AIRING_STARTED,  /* at: when the first sample went out */
	SCHED_AIRING_PROGRESS, /* played_ms */
	SCHED_AIRING_DONE,     /* outcome, reason and detail, played_ms */
	SCHED_AIRING_FAULT,    /* a relay's source failed at: reason, detail */
	SCHED_AIRING_BACK,     /* a relay's source is back on air at */
	SCHED_AIRING_FB_START, /* fallback item index went on air at */
	SCHED_AIRING_FB_END,   /* fallback item index ended: played_ms, end, detail */
	SCHED_AIRING_FB_REFUSED, /* fallback item index would not air: reason, detail */
};

/* How the child says its item ended. */
enum sched_airing_end {
	SCHED_AIRING_COMPLETED,
	SCHED_AIRING_STOPPED, /* asked to stop (SIGTERM) */
	SCHED_AIRING_FAILED,  /* also anything the child says that is not ours */
};

struct sched_airing_event {
	enum sched_airing_event_kind kind;
	int64_t at;
	int64_t played_ms;
	enum sched_airing_end end;
	size_t index;     /* FB_START, FB_END: which fallback item */
	int device;       /* the reason is the device's ("device: ..."): it would not open */
	enum sched_reason reason; /* the log's code, SCHED_R_NONE when none */
	char detail[128]; /* what else is known, for the log's detail; "" when nothing */
};

/* Forks the child. Returns 0 and a handle, or -1 with *cause. */
int sched_airing_spawn(const struct sched_airing_spec *, struct sched_airing **,
    char **cause);

/* The fd to poll for events. */
int sched_airing_fd(const struct sched_airing *);
pid_t sched_airing_pid(const struct sched_airing *);

/*
 * Reads the next event. Returns 1 with *ev filled, 0 when nothing complete is
 * pending yet, -1 when the child is gone without saying how it ended (*ev is
 * then a DONE event, failed, for the reason "player" with the detail: crashed,
 * killed by signal N...).
 */
int sched_airing_read(struct sched_airing *, struct sched_airing_event *ev);

/* Asks the child to fade out and stop (SIGTERM). */
void sched_airing_stop(struct sched_airing *);

/* Kills the child at once (SIGKILL): it hangs. */
void sched_airing_kill(struct sched_airing *);

/* Waits for the child (killing it when still alive) and frees the handle. */
void sched_airing_free(struct sched_airing **);

#endif
