/*
 * The two clocks in milliseconds: the wall clock for what is recorded (the
 * airing log, the audit trail), the monotonic clock for timers and deadlines.
 */
#ifndef LOAXA_NOW_H
#define LOAXA_NOW_H

#include <stdint.h>

/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t now_real_ms(void);

/* Milliseconds on CLOCK_MONOTONIC, for timers and deadlines. */
int64_t now_mono_ms(void);

#endif
