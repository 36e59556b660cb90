/* The body of the airing child process (scheduler/airing.c forks it). */
#ifndef LOAXA_AIRING_CHILD_H
#define LOAXA_AIRING_CHILD_H

struct sched_airing_spec;

/*
 * Plays spec in this (child) process, writing "S at", "P ms" and finally
 * "D outcome ms reason" lines to fd. Returns the process's exit status.
 */
int sched_airing_child(const struct sched_airing_spec *, int fd);

#endif
