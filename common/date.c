/* Dates as people write them, and instants as ISO 8601, in the process's zone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/date.h"

int
date_split(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int i, leap;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*y < DATE_YEAR_MIN || *y > DATE_YEAR_MAX || *m < 1 || *m > 12 || *d < 1)
		return -1;
	leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	return *d <= mdays[*m - 1] + (*m == 2 && leap) ? 0 : -1;
}

int
date_valid(const char *s)
{
	int y, m, d;

	return date_split(s, &y, &m, &d) == 0;
}

char *
date_iso8601(int64_t ms, char out[DATE_ISO8601_LEN])
{
	/* The second at or before ms, so that the milliseconds are never negative. */
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)t * 1000);
	long off;
	struct tm tm;
	char date[24];

	if (localtime_r(&t, &tm) == NULL)
		gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(out, DATE_ISO8601_LEN, "%.19s.%03u%c%02u:%02u", date,
	    (unsigned)frac % 1000u, off < 0 ? '-' : '+', (unsigned)(labs(off) / 60 % 24),
	    (unsigned)(labs(off) % 60));
	return out;
}
