/* Reporting periods and local dates and times, in the process's time zone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/date.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "reports/reports.h"

/* Local midnight of y-m-d in ms; mktime normalises days past the month's end. */
static int64_t
period_midnight(int y, int m, int d)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

int
rep_date_ms(const char *date, int64_t *ms, char **cause)
{
	int y, m, d;

	if (date_split(date, &y, &m, &d) != 0) {
		xasprintf(cause, _("'%s' is not a date (YYYY-MM-DD)"), date);
		return -1;
	}
	*ms = period_midnight(y, m, d);
	return 0;
}

/* Fills p from inclusive day numbers; the end day may run past its month. */
static void
period_fill(struct rep_period *p, int y0, int m0, int d0, int y1, int m1, int d1)
{
	snprintf(p->from, sizeof p->from, "%04d-%02d-%02d", y0, m0, d0);
	snprintf(p->to, sizeof p->to, "%04d-%02d-%02d", y1, m1, d1);
	p->from_ms = period_midnight(y0, m0, d0);
	p->to_ms = period_midnight(y1, m1, d1 + 1);
}

int
rep_period_dates(const char *from, const char *to, struct rep_period *p, char **cause)
{
	int y0, m0, d0, y1, m1, d1;

	memset(p, 0, sizeof *p);
	if (date_split(from, &y0, &m0, &d0) != 0) {
		xasprintf(cause, _("--from '%s' is not a date (YYYY-MM-DD)"), from);
		return -1;
	}
	if (date_split(to, &y1, &m1, &d1) != 0) {
		xasprintf(cause, _("--to '%s' is not a date (YYYY-MM-DD)"), to);
		return -1;
	}
	if (strcmp(to, from) < 0) {
		xasprintf(cause, _("--to %s is before --from %s"), to, from);
		return -1;
	}
	period_fill(p, y0, m0, d0, y1, m1, d1);
	snprintf(p->label, sizeof p->label, "%s..%s", from, to);
	return 0;
}

int
rep_period_parse(const char *spec, int calendar, struct rep_period *p, char **cause)
{
	int year, n = 0, end;
	const char *kind;

	memset(p, 0, sizeof *p);
	if (sscanf(spec, "%4d%n", &year, &n) != 1 || n != 4 || year < 1971 ||
	    year > 9998) {
		xasprintf(cause, _("unknown period '%s' (YYYY-H1, YYYY-9M, YYYY, or "
		    "--from and --to)"), spec);
		return -1;
	}
	kind = spec + 4;
	if (strcmp(kind, "") == 0)
		end = 12;
	else if (strcmp(kind, "-H1") == 0 || strcmp(kind, "-h1") == 0)
		end = 6;
	else if (strcmp(kind, "-9M") == 0 || strcmp(kind, "-9m") == 0)
		end = 9;
	else {
		xasprintf(cause, _("unknown period '%s' (YYYY-H1, YYYY-9M, YYYY, or "
		    "--from and --to)"), spec);
		return -1;
	}
	if (calendar)
		period_fill(p, year, 1, 1, year, end + 1, 0);
	else
		period_fill(p, year - 1, 12, 15, year, end, 14);
	if (calendar) /* the last day of the month, as a date */
		rep_date(p->to_ms - 1, p->to);
	snprintf(p->label, sizeof p->label, "%04d%s", year,
	    end == 12 ? "" : end == 6 ? "-H1" : "-9M");
	return 0;
}

void
rep_date(int64_t ms, char out[11])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	if (strftime(out, 11, "%Y-%m-%d", &tm) == 0)
		out[0] = '\0';
}
