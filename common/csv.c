/* One CSV field writer for every CSV that loaxa writes. */
#include <stdio.h>
#include <string.h>

#include "common/csv.h"

void
csv_str(FILE *f, const char *s)
{
	size_t len;
	int formula, quote;
	const char *p;

	if (s == NULL)
		return;
	len = strlen(s);
	formula = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	quote = strpbrk(s, ",\"\r\n") != NULL ||
	    (len > 0 && (s[0] == ' ' || s[len - 1] == ' '));
	if (quote)
		fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	if (quote)
		fputc('"', f);
}
