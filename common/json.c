/* One JSON string escaper for every writer of JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

/* The longest escape of one input byte: "\u00XX" or "\ufffd". */
#define JSON_ESC_MAX 6

char *
json_quote(const char *s)
{
	const char *p;
	char *out, *o;
	size_t n;

	if (s == NULL)
		return xstrdup("null");
	o = out = xmalloc(strlen(s) * JSON_ESC_MAX + 3);
	*o++ = '"';
	for (p = s; *p != '\0'; p += n) {
		unsigned char c = (unsigned char)*p;

		n = 1;
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\u%04x", c);
		else if (c < 0x80)
			*o++ = (char)c;
		else if ((n = utf8_char(p)) == 0) {
			/* Not UTF-8: its replacement character, one a byte. */
			memcpy(o, "\\ufffd", JSON_ESC_MAX);
			o += JSON_ESC_MAX;
			n = 1;
		} else {
			memcpy(o, p, n);
			o += n;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

void
json_write(FILE *f, const char *s)
{
	char *q = json_quote(s);

	fputs(q, f);
	free(q);
}
