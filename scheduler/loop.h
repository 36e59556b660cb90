/*
 * The daemon's event loop (redis ae style): descriptors registered with a
 * callback, one-shot timers on CLOCK_MONOTONIC served from one timerfd, and
 * one poll() per sched_loop_once. A module that needs to hear a descriptor
 * adds it; no caller knows where another's descriptor sits.
 *
 * Callbacks may add and delete descriptors and timers, their own included.
 * A descriptor deleted during a pass is not called again in it; one added
 * during a pass is first polled in the next.
 */
#ifndef LOAXA_LOOP_H
#define LOAXA_LOOP_H

#include <stdint.h>

struct sched_loop;

/* revents as poll() gave them for fd. */
typedef void sched_loop_fd_fn(struct sched_loop *, int fd, short revents, void *arg);
/* The timer id is spent when this is called. */
typedef void sched_loop_timer_fn(struct sched_loop *, uint64_t id, void *arg);

/* A new loop with its timerfd; NULL with *cause when the kernel refuses one. */
struct sched_loop *sched_loop_new(char **cause);

/* Frees the loop and closes its timerfd; registered descriptors stay open. */
void sched_loop_free(struct sched_loop **);

/*
 * Calls fn(loop, fd, revents, arg) when poll() reports events (POLLIN...)
 * on fd. Returns 0, or -1 when fd is negative or already registered.
 */
int sched_loop_add_fd(struct sched_loop *, int fd, short events,
    sched_loop_fd_fn *fn, void *arg);

/* Stops hearing fd (the caller closes it). Returns 0, or -1 when not registered. */
int sched_loop_del_fd(struct sched_loop *, int fd);

/*
 * Calls fn(loop, id, arg) once, at the first pass at or after at (monotonic
 * ms, sched_loop_now). Returns the timer's id (never 0, never reused).
 */
uint64_t sched_loop_add_timer(struct sched_loop *, int64_t at,
    sched_loop_timer_fn *fn, void *arg);

/* Cancels timer id; 0 and ids already spent are ignored. */
void sched_loop_del_timer(struct sched_loop *, uint64_t id);

/* Milliseconds on CLOCK_MONOTONIC, the timers' clock. */
int64_t sched_loop_now(void);

/*
 * Sleeps in poll() until a descriptor is ready or a timer is due, then calls
 * the callbacks: due timers first (earliest first), then descriptors in the
 * order they were added. Returns 0 (also when a signal cut the sleep), or -1
 * with *cause when poll() fails.
 */
int sched_loop_once(struct sched_loop *, char **cause);

#endif
