/* The body of the airing child process (scheduler/airing.c forks it). */
#ifndef LOAXA_AIRING_CHILD_H
#define LOAXA_AIRING_CHILD_H

#include <signal.h>
#include <stdarg.h>

struct sched_airing_spec;

/*
 * Readies a child process: SIGTERM sets the returned flag (fade out), the
 * daemon's blocked signals are taken back, the daemon's death stops it.
 */
const volatile sig_atomic_t *sched_child_init(void);

/* Writes one report line to fd; -1 (and the stop flag set) when the daemon is gone. */
int sched_child_vsay(int fd, const char *fmt, va_list ap);

/*
 * Plays spec in this (child) process, writing "S at", "P ms" and finally
 * "D outcome ms reason" lines to fd. Returns the process's exit status.
 */
int sched_airing_child(const struct sched_airing_spec *, int fd);

/*
 * Airs the relay spec names from its start to its end in this (child)
 * process (scheduler/relay_child.c): the airing child's lines, and besides
 *   F <at> <reason>: <detail>  the source failed at <at>; the fallback airs
 *   R <at>                     the source is back on air at <at>
 *   B <i> <at>                 fallback item i went on air at <at>
 *   E <i> <ms> <outcome> <why> it ended after <ms>; stopped, <why> says
 *                              what ended it (the source came back...)
 *   X <i> <reason>: <detail>   fallback item i would not air: tampered (its
 *                              copy is not the approved file), not tried
 *                              again in this slot, nor in a child whose spec
 *                              marks it refused; player (the controller's
 *                              own failure), said once, tried again later
 */
int sched_relay_child(const struct sched_airing_spec *, int fd);

#endif
