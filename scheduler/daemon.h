/*
 * The scheduler daemon: one event loop (scheduler/loop.h) over a wall-clock
 * timerfd (cancelled on clock changes), monotonic timers for heartbeats,
 * hang detection and the systemd watchdog, signalfd, the control socket, the
 * inbox and the airing child's pipe.
 */
#ifndef LOAXA_DAEMON_H
#define LOAXA_DAEMON_H

#include <stdint.h>

struct config;

struct sched_run_opts {
	const char *config_path; /* what reload reads again; NULL: the search order */
	int64_t run_for_ms;      /* stop by itself after this long; 0: until a signal */
};

/*
 * Runs the daemon on cfg (which it takes over and frees) until SIGTERM or
 * SIGINT or the run_for time. Returns an exit status; on a failure to start
 * prints the reason.
 */
int sched_run(struct config *cfg, const struct sched_run_opts *);

#endif
