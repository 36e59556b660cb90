/* Numbers, dates and durations for people, in Vietnamese or English. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/human.h"

char *
human_number(enum human_lang lang, const char *num, char out[HUMAN_LEN])
{
	const char thousands = lang == HUMAN_VI ? '.' : ',';
	const char point = lang == HUMAN_VI ? ',' : '.';
	const char *p = num, *dot;
	size_t digits, i, o = 0;

	if (*p == '-')
		p++;
	for (digits = 0; p[digits] >= '0' && p[digits] <= '9'; digits++)
		;
	dot = p + digits;
	if (digits == 0 || (*dot != '\0' && *dot != '.') ||
	    (*dot == '.' && strspn(dot + 1, "0123456789") != strlen(dot + 1)) ||
	    strlen(num) + strlen(num) / 3 + 1 >= HUMAN_LEN) {
		snprintf(out, HUMAN_LEN, "%s", num);
		return out;
	}
	if (*num == '-')
		out[o++] = '-';
	for (i = 0; i < digits; i++) {
		if (i > 0 && (digits - i) % 3 == 0)
			out[o++] = thousands;
		out[o++] = p[i];
	}
	if (*dot == '.') {
		out[o++] = point;
		for (p = dot + 1; *p != '\0'; p++)
			out[o++] = *p;
	}
	out[o] = '\0';
	return out;
}

char *
human_count(enum human_lang lang, int64_t n, char out[HUMAN_LEN])
{
	char num[32];

	snprintf(num, sizeof num, "%" PRId64, n);
	return human_number(lang, num, out);
}

char *
human_day(enum human_lang lang, const char *date, char out[HUMAN_LEN])
{
	if (lang == HUMAN_EN || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
		snprintf(out, HUMAN_LEN, "%s", date);
	else
		snprintf(out, HUMAN_LEN, "%.2s/%.2s/%.4s", date + 8, date + 5, date);
	return out;
}

/* What of an instant to write: its date, its time to the minute, to the second. */
enum human_part { HUMAN_DATE, HUMAN_MINUTE, HUMAN_SECOND };

/* ms in local time, to part, in lang (literal formats: -Wformat-nonliteral). */
static char *
human_time(enum human_lang lang, int64_t ms, enum human_part part,
    char out[HUMAN_LEN])
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	size_t n = 0;

	if (localtime_r(&t, &tm) == NULL)
		gmtime_r(&t, &tm);
	if (lang == HUMAN_VI)
		n = strftime(out, HUMAN_LEN, "%d/%m/%Y", &tm);
	else
		n = strftime(out, HUMAN_LEN, "%Y-%m-%d", &tm);
	if (part == HUMAN_MINUTE)
		n += strftime(out + n, HUMAN_LEN - n, " %H:%M", &tm);
	else if (part == HUMAN_SECOND)
		n += strftime(out + n, HUMAN_LEN - n, " %H:%M:%S", &tm);
	out[n] = '\0';
	return out;
}

char *
human_date(enum human_lang lang, int64_t ms, char out[HUMAN_LEN])
{
	return human_time(lang, ms, HUMAN_DATE, out);
}

char *
human_datetime(enum human_lang lang, int64_t ms, char out[HUMAN_LEN])
{
	return human_time(lang, ms, HUMAN_MINUTE, out);
}

char *
human_datetime_s(enum human_lang lang, int64_t ms, char out[HUMAN_LEN])
{
	return human_time(lang, ms, HUMAN_SECOND, out);
}

char *
human_duration(enum human_lang lang, int64_t ms, char out[HUMAN_LEN])
{
	static const char *const unit[][3] = { { "giờ", "phút", "giây" },
		{ "h", "min", "s" } };
	const char *const *u = unit[lang == HUMAN_EN];
	int64_t s = ms > 0 ? ms / 1000 : 0;
	int64_t h = s / 3600, m = s / 60 % 60;

	s %= 60;
	if (h > 0)
		snprintf(out, HUMAN_LEN, "%" PRId64 " %s %02" PRId64 " %s", h, u[0], m, u[1]);
	else if (m > 0 && s > 0)
		snprintf(out, HUMAN_LEN, "%" PRId64 " %s %02" PRId64 " %s", m, u[1], s, u[2]);
	else if (m > 0)
		snprintf(out, HUMAN_LEN, "%" PRId64 " %s", m, u[1]);
	else
		snprintf(out, HUMAN_LEN, "%" PRId64 " %s", s, u[2]);
	return out;
}
