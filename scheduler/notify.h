/* systemd's notify protocol (READY=1, WATCHDOG=1, STATUS=...) without libsystemd. */
#ifndef LOAXA_NOTIFY_H
#define LOAXA_NOTIFY_H

#include <stdint.h>

/* Sends state to $NOTIFY_SOCKET when it is set; does nothing otherwise. */
void sched_notify(const char *state);

/* The watchdog interval asked for by systemd in ms ($WATCHDOG_USEC), or 0. */
int64_t sched_watchdog_ms(void);

#endif
