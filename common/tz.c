/* The tz database check (common/tz.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/tz.h"
#include "common/xmalloc.h"

int
tz_known(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char *path, magic[4];
	struct stat st;
	FILE *f;
	int ok = 0;

	if (zone == NULL || zone[0] == '\0' || zone[0] == '/' ||
	    strstr(zone, "..") != NULL)
		return 0;
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	xasprintf(&path, "%s/%s", dir, zone);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (f = fopen(path, "rb")) != NULL) {
		ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
		fclose(f);
	}
	free(path);
	return ok;
}
