/*
 * What the export's writer (export.c, which describes the format) and its
 * verifier (export_verify.c) share: the chain's hashes, the message the
 * signature covers, and reading a line and its fields back.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/xmalloc.h"
#include "reports/internal.h"

/* The chain: h = BLAKE2b-256(prev || text). h may be prev. */
void
rep_ex_link(unsigned char h[32], const unsigned char prev[32], const char *text,
    size_t len)
{
	crypto_generichash_state s;

	crypto_generichash_init(&s, NULL, 0, 32);
	crypto_generichash_update(&s, prev, 32);
	crypto_generichash_update(&s, (const unsigned char *)text, len);
	crypto_generichash_final(&s, h, 32);
}

/* Lower-case hex of 32 bytes. */
void
rep_ex_hex(const unsigned char h[32], char out[65])
{
	sodium_bin2hex(out, 65, h, 32);
}

/* A row's own digest: BLAKE2b-64 of its text. */
uint64_t
rep_ex_digest(const char *text, size_t len)
{
	unsigned char d[8];
	uint64_t v = 0;
	int i;

	crypto_generichash(d, sizeof d, (const unsigned char *)text, len, NULL, 0);
	for (i = 0; i < 8; i++)
		v = v << 8 | d[i];
	return v;
}

/* The message the signature covers. */
char *
rep_ex_signed_text(const char *h0hex, size_t n, const char *hnhex, const char *hihex)
{
	char *m;

	xasprintf(&m, "%s\t%zu\t%s\t%s", h0hex, n, hnhex, hihex);
	return m;
}

/* Undoes the escapes of one field in place; \N alone is NULL. */
static char *
ex_unescape(char *s)
{
	char *r = s, *w = s;

	if (strcmp(s, "\\N") == 0)
		return NULL;
	for (; *r != '\0'; r++) {
		if (*r == '\\' && r[1] != '\0') {
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return s;
}

/*
 * Splits line at its tabs (escaped tabs are two characters, so every tab is
 * a separator) into at most max fields, unescaping each in place. Returns
 * the number of fields, or max + 1 when there are more.
 */
int
rep_ex_split(char *line, char **fields, int max)
{
	char *p = line, *tab;
	int n = 0;

	for (;;) {
		if (n == max)
			return max + 1;
		if ((tab = strchr(p, '\t')) != NULL)
			*tab = '\0';
		fields[n++] = ex_unescape(p);
		if (tab == NULL)
			return n;
		p = tab + 1;
	}
}

/* Decodes 64 hex digits; -1 unless exactly that. */
int
rep_ex_unhex(const char *s, unsigned char out[32])
{
	size_t len = 0;
	const char *end;

	if (s == NULL || strlen(s) != 64 ||
	    sodium_hex2bin(out, 32, s, 64, NULL, &len, &end) != 0 || len != 32)
		return -1;
	return 0;
}

/* Parses a decimal integer field; 0 and *ok 0 when it is not one. */
int64_t
rep_ex_int(const char *s, int *ok)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0') {
		*ok = 0;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		*ok = 0;
	return (int64_t)v;
}

/*
 * Reads a line of at most EX_MAX_LINE bytes into line (EX_MAX_LINE + 1
 * bytes), so that a file of one endless line is never read into memory
 * whole. Returns its length with the '\n' (none on a last line that was
 * cut), -1 at the end of the file, -2 on a longer line, -3 on a line with
 * a NUL byte.
 */
ssize_t
rep_ex_getline(char *line, FILE *fp)
{
	size_t n;

	if (fgets(line, EX_MAX_LINE + 1, fp) == NULL)
		return -1;
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		return (ssize_t)n;
	if (n == EX_MAX_LINE)
		return -2;
	return n > 0 && feof(fp) ? (ssize_t)n : -3;
}
