/*
 * Text that users type or files carry (titles, names, config strings) is
 * kept only when it is UTF-8 that every reader of our JSON, CSV and HTML
 * accepts: the shortest form of each character, no UTF-16 surrogates,
 * nothing past U+10FFFF.
 */
#include "utf8.h"

/* The length in bytes of the character at s; 0 at the end or when invalid. */
size_t
utf8_char(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int c = *p;
	size_t n, i;

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		n = 1;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3;
		c &= 0x07;
	} else
		return 0;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) ||
	    (n == 3 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n + 1;
}

/* Whether all of s is UTF-8. */
int
utf8_valid(const char *s)
{
	size_t n;

	for (; *s != '\0'; s += n)
		if ((n = utf8_char(s)) == 0)
			return 0;
	return 1;
}
