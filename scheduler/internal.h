/*
 * scheduler/ inside: the daemon's state and what its parts call of each
 * other. daemon.c runs the loop (scheduler/loop.h) and owns the clocks,
 * signals and reload; programme.c is the state machine of what airs;
 * server.c the control socket; inbox.c the package inbox. Outcomes and
 * reasons are enums (scheduler/airlog.h) and strings only where the log is
 * written.
 */
#ifndef LOAXA_SCHEDULER_INTERNAL_H
#define LOAXA_SCHEDULER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scheduler/airlog.h"
#include "scheduler/bridge.h"
#include "scheduler/control.h"
#include "scheduler/timetable.h"

struct config;
struct sched_airing;
struct sched_airing_event;
struct sched_loop;
struct sched_run_opts;
struct store;

#define SCHED_PREROLL_MS 1500      /* the child starts this long before its instant */
#define SCHED_RELAY_PREROLL_MS 4000 /* a relay's child: time to reach its source */
#define SCHED_HEARTBEAT_MS 1000    /* the open row is updated this often */
#define SCHED_HANG_MS 5000         /* no progress for this long: the child is killed */
#define SCHED_DEVICE_RETRY_MS 2000 /* a device that will not open is retried this often */
#define SCHED_LOOKAHEAD_MS (36LL * 3600 * 1000) /* how far ahead the next slot is sought */
/*
 * A control client's request line must arrive within this, or it is dropped.
 * Waiting costs the loop nothing; loaxa's own client writes at once, and a
 * script typing through socat has this long.
 */
#define SCHED_CTL_REQUEST_MS 2000
/*
 * Clients heard at once; the next is refused. One user (other than root and
 * the daemon's own) may have SCHED_CTL_PER_USER of them, and the last
 * SCHED_CTL_RESERVED places are kept for root and the daemon's user, so that
 * an operator's script that holds connections keeps no emergency out.
 */
#define SCHED_CTL_PENDING 32
#define SCHED_CTL_PER_USER 4
#define SCHED_CTL_RESERVED 8
#define SCHED_CTL_WARN_MS 10000    /* one warning about the clients this often at most */
#define SCHED_NQUEUE 16            /* operator plays waiting */

/* The item on air (or being prepared) and what the log knows of it. */
struct sched_onair {
	struct sched_airing *child;
	struct sched_item item;
	char *slot;           /* the slot's name; NULL for an operator's play */
	struct sched_occurrence occ; /* with slot only */
	int64_t scheduled_at;
	int64_t row;          /* 0 until the first sample went out */
	int64_t started_at;
	int64_t played_ms;
	int64_t last_progress; /* monotonic ms */
	enum sched_reason stop_reason; /* set when we asked it to stop */
	int emergency;
	struct sched_relay_air *relay; /* a relay's (scheduler/relay_air.c), or NULL */
};

/* A slot occurrence being aired: its items, in order. */
struct sched_programme {
	int active;
	char *slot;              /* the slot's name (a reload frees the config's) */
	struct sched_occurrence occ;
	struct sched_item *items;
	unsigned char *refused;  /* by item: a relay's fallback reported tampered */
	size_t n, next;
	int64_t device_retry_at; /* ms; while the device will not open */
	int aired;               /* at least one item went on air */
	char *relay;             /* a relay slot's source, else NULL */
	int relay_done;          /* its relay has ended (not cut by an emergency) */
};

/* A control client whose request line is not all there yet. */
struct sched_client {
	struct sched_ctl_req req;
	uint64_t timer;      /* drops it at its deadline */
	uid_t uid;           /* who connected */
};

/* The control socket and the clients still to be heard, in accept order. */
struct sched_server {
	char *path;
	int lfd;
	struct sched_client clients[SCHED_CTL_PENDING];
	size_t n;
	int64_t warned_at;   /* monotonic ms of the last warning about clients */
	unsigned long unsaid; /* warnings held back since */
};

/* The package inbox: inotify on it and the `loaxa inbox` at work. */
struct sched_inbox {
	int fd;              /* inotify, or -1 */
	pid_t pid;           /* the import at work, or 0 */
	int due;             /* packages arrived: import them when nothing airs */
	uint64_t retry;      /* a timer: a package was still being copied in */
};

struct daemon {
	struct config *cfg;
	const struct sched_run_opts *opts;
	struct store *st;
	struct sched_loop *loop;
	int rtfd;            /* the wall-clock timer: the next slot */
	int sigfd;
	struct sched_server srv;
	struct sched_inbox inbox;

	struct sched_onair air;
	int air_active;
	struct sched_programme prog;
	struct sched_item queue[SCHED_NQUEUE]; /* operator plays; emergencies first */
	size_t nqueue;
	int64_t horizon;     /* every occurrence starting before it is handled */
	int64_t since;       /* ms: when this run began (after catching up), or its last reload */
	int device_ok;
	enum sched_reason play_reason; /* emergency or operator play: the last one */
	int64_t play_ended;  /* ms; when it ended */
	int64_t last_wall;   /* ms; the wall clock before the loop last slept */
	char *last_error;

	uint64_t tick;       /* the heartbeat and watchdog timer */
	int64_t tick_every;  /* its interval now, 0: off */
	int64_t tick_at;
	int64_t watchdog_ms;
	int64_t last_watchdog;
	int stopping;        /* SIGTERM: fading out, then exit */
	int64_t stop_deadline;
};

/* daemon.c */
/* Remembers the last error for `loaxa status` and logs it. */
void sched_daemon_error(struct daemon *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An error from the airing log itself (frees cause); the daemon goes on. */
void sched_daemon_log_failed(struct daemon *, char *cause);
/* ms since the epoch as the station's local date and time, for log lines. */
const char *sched_local_time(int64_t ms, char buf[32]);
/*
 * Re-reads the configuration. -1 with *problems allocated (one per line)
 * when the new one is bad: the old one stays.
 */
int sched_daemon_reload(struct daemon *, char **problems);

/* programme.c */
/*
 * Decides what happens now when nothing is on air, and returns when the
 * wall-clock timer must next wake the loop (0: no wall-clock wake needed).
 */
int64_t sched_prog_plan(struct daemon *);
/* Ends the programme; logs it missed for that reason when nothing of it aired. */
void sched_prog_end(struct daemon *, enum sched_reason missed);
/* Logs missed every occurrence in [from, to) that ended by to without a row. */
void sched_prog_catch_up(struct daemon *, int64_t from, int64_t to, enum sched_reason);
/*
 * The occurrence in progress or next at now: 1 with *out filled, 0 when none
 * lies ahead. With record, the ones that are over unaired are logged missed.
 */
int sched_prog_next_occurrence(struct daemon *, int64_t now,
    struct sched_occurrence *out, int record);
/* Queues an operator's play of bulletin id; -1 with *why when it is refused. */
int sched_prog_play(struct daemon *, int64_t id, int priority, char **why);
/* Empties the operator's plays still waiting (a stop); returns how many. */
size_t sched_prog_drop_queue(struct daemon *);
/* Asks the item on air to fade out; reason goes into the log. */
void sched_onair_stop(struct daemon *, enum sched_reason);
/* Every tick while an item airs: the heartbeat, and the hang check. */
void sched_onair_tick(struct daemon *);
/* Frees what the on-air record holds (the child is killed when alive). */
void sched_onair_clear(struct daemon *);
/* The level the on-air item airs at: "normal", "priority", "emergency". */
const char *sched_onair_priority(const struct sched_onair *);

/* relay_air.c: the daemon's side of a relay slot's child. */
struct sched_airing_event;
struct sched_airing_spec;
/*
 * Fills spec for the relay of the programme from start_at to its end, with
 * the programme's items as the fallback; returns what the daemon keeps of
 * it while it airs (the spec points into it).
 */
struct sched_relay_air *sched_relay_prepare(struct daemon *, int64_t start_at,
    struct sched_airing_spec *spec);
/* A relay child's own event (fault, back, a fallback item): logged. */
void sched_relay_event(struct daemon *, const struct sched_airing_event *);
/* The relay's row is open: an interruption before its first sample is written now. */
void sched_relay_started(struct daemon *);
/* The relay's source by name. */
const char *sched_relay_source(const struct sched_relay_air *);
/*
 * The relay child has ended: closes what is open (the fallback's row, the
 * interruption under way) and then the relay's row (0: it has none) with
 * its outcome, its interruptions and detail (NULL: a sum of them).
 */
int sched_relay_finish(struct daemon *, int64_t row, int64_t ended_at,
    int64_t played_ms, enum sched_outcome, enum sched_reason, const char *detail,
    char **cause);
void sched_relay_free(struct sched_relay_air **);

/* server.c */
/* Listens on the control socket and hears it in the loop; -1 with *cause. */
int sched_server_open(struct daemon *, char **cause);
/* Refuses the clients still pending, removes the socket and closes it. */
void sched_server_close(struct daemon *);

/* inbox.c */
/* Watches the inbox when one is configured; a failure only warns. */
void sched_inbox_open(struct daemon *);
/* Reaps the inbox child when it has finished (on SIGCHLD). */
void sched_inbox_reap(struct daemon *);
/* Starts `loaxa [-c FILE] inbox` when packages wait and nothing airs. */
void sched_inbox_run(struct daemon *);
/* Stops watching and waits for an import at work. */
void sched_inbox_close(struct daemon *);

#endif
