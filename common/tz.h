/*
 * Time zones of the system's tz database, the one check for the
 * configuration that names a zone and the timetable maths that enters it.
 */
#ifndef LOAXA_TZ_H
#define LOAXA_TZ_H

/*
 * 1 when zone names a zone of the tz database ($TZDIR, else
 * /usr/share/zoneinfo): a relative path with no "..", naming a regular file
 * that starts with the TZif magic. glibc would take any other name as UTC.
 */
int tz_known(const char *zone);

#endif
