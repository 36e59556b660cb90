/* The clocks in milliseconds (common/now.h). */
#include <time.h>

#include "common/now.h"

/* ts in whole milliseconds, rounded down. */
static int64_t
now_ms(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

int64_t
now_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return now_ms(&ts);
}

int64_t
now_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return now_ms(&ts);
}
