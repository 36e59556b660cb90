/*
 * Text that users type or files carry (titles, names, config strings) is
 * kept only when it is UTF-8 that every reader of our JSON, CSV and HTML
 * accepts: the shortest form of each character, no UTF-16 surrogates,
 * nothing past U+10FFFF.
 */
#include <string.h>

#include "common/utf8.h"
#include "common/xmalloc.h"

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

/* The code point of the valid n-byte character at s. */
static unsigned int
utf8_decode(const char *s, size_t n)
{
	static const unsigned char lead[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	const unsigned char *p = (const unsigned char *)s;
	unsigned int c = p[0] & lead[n];
	size_t i;

	for (i = 1; i < n; i++)
		c = (c << 6) | (p[i] & 0x3f);
	return c;
}

/* Whether c is a combining mark that takes no column of its own. */
static int
utf8_combining(unsigned int c)
{
	return (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) ||
	    (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
	    (c >= 0xfe20 && c <= 0xfe2f);
}

/*
 * The columns of the character at s, which takes *n bytes: 0 for a
 * combining mark, 1 otherwise, an invalid byte counting as 1 (*n 1, *bad 1).
 */
static int
utf8_cols(const char *s, size_t *n, int *bad)
{
	*bad = (*n = utf8_char(s)) == 0;
	if (*bad) {
		*n = 1;
		return 1;
	}
	return !utf8_combining(utf8_decode(s, *n));
}

size_t
utf8_width(const char *s)
{
	size_t cols = 0, n;
	int bad;

	for (; s != NULL && *s != '\0'; s += n)
		cols += (size_t)utf8_cols(s, &n, &bad);
	return cols;
}

void
utf8_pad(FILE *f, const char *s, int width)
{
	int cols = 0, w, bad;
	size_t n;

	for (; s != NULL && *s != '\0'; s += n) {
		w = utf8_cols(s, &n, &bad);
		/* A mark goes with the character before it, if that was written. */
		if (cols + w > width || (w == 0 && cols == 0 && width <= 0))
			break;
		if (bad)
			fputc('?', f);
		else
			fwrite(s, 1, n, f);
		cols += w;
	}
	for (; cols < width; cols++)
		fputc(' ', f);
}

char *
utf8_clean(const char *s)
{
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;
	size_t n;

	for (; *s != '\0'; s += n) {
		n = (unsigned char)*s < 0x20 || *s == 0x7f ? 0 : utf8_char(s);
		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		} else {
			memcpy(o, s, n);
			o += n;
		}
	}
	*o = '\0';
	return out;
}
