/*
 * Numbers, dates and durations as the people who read them write them.
 * Vietnamese: a decimal comma and a dot between thousands (1.234,5), dates
 * dd/mm/yyyy, times HH:MM, durations "1 giờ 05 phút". English: 1,234.5,
 * ISO dates (2026-12-06 13:20), "1 h 05 min". Machine formats (JSON, CSV,
 * exports) never come through here: they keep ISO 8601 and a decimal dot.
 * Every function writes into out (HUMAN_LEN bytes) and returns it.
 */
#ifndef LOAXA_HUMAN_H
#define LOAXA_HUMAN_H

#include <stdint.h>

#define HUMAN_LEN 48

enum human_lang { HUMAN_VI, HUMAN_EN };

/*
 * A number written by the program with a decimal dot ("-1234.5", "12",
 * "99.9"), regrouped in lang; anything else (a "-" for no value) is copied
 * as it is. Only separators change, never a digit: the figure stays the
 * one the machine formats give.
 */
char *human_number(enum human_lang, const char *num, char out[HUMAN_LEN]);

/* A whole number: vi "1.234", en "1,234". */
char *human_count(enum human_lang, int64_t n, char out[HUMAN_LEN]);

/* A calendar date YYYY-MM-DD: vi "06/12/2026", en as it is; others as they are. */
char *human_day(enum human_lang, const char *date, char out[HUMAN_LEN]);

/* The local date of ms: vi "06/12/2026", en "2026-12-06". */
char *human_date(enum human_lang, int64_t ms, char out[HUMAN_LEN]);

/* The local date and time of ms to the minute: vi "06/12/2026 13:20". */
char *human_datetime(enum human_lang, int64_t ms, char out[HUMAN_LEN]);

/* The same to the second: vi "06/12/2026 13:20:05" (the daemon's log). */
char *human_datetime_s(enum human_lang, int64_t ms, char out[HUMAN_LEN]);

/*
 * A duration, rounded down: from an hour "1 giờ 05 phút" (en "1 h 05 min"),
 * from a minute "5 phút 07 giây" or "5 phút", else "7 giây" (en "7 s").
 */
char *human_duration(enum human_lang, int64_t ms, char out[HUMAN_LEN]);

#endif
