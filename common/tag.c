/* The tag rule (common/tag.h). */
#include <string.h>

#include "common/tag.h"

int
tag_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= TAG_MAX && s[0] != '-' && s[0] != '_' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}
