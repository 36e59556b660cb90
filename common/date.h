/* Calendar dates (YYYY-MM-DD) and instants as ISO 8601, in local time. */
#ifndef LOAXA_DATE_H
#define LOAXA_DATE_H

#include <stdint.h>

#define DATE_YEAR_MIN 1970
#define DATE_YEAR_MAX 9999

/* "2026-06-14T05:30:00.123+07:00" and its NUL, with room to spare. */
#define DATE_ISO8601_LEN 32

/*
 * Splits s into year, month and day; 0 when s is exactly YYYY-MM-DD (ten
 * characters, digits and two '-') and a real day from DATE_YEAR_MIN to
 * DATE_YEAR_MAX, -1 otherwise (the outputs are then unspecified).
 */
int date_split(const char *s, int *y, int *m, int *d);

/* 1 when s is such a date. */
int date_valid(const char *s);

/*
 * ms since the epoch in the process's time zone (TZ), with milliseconds and
 * the UTC offset: "2026-06-14T05:30:00.123+07:00". Returns out.
 */
char *date_iso8601(int64_t ms, char out[DATE_ISO8601_LEN]);

#endif
