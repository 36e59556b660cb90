/* UTF-8 as RFC 3629 has it: the one check every module uses, and text columns. */
#ifndef LOAXA_UTF8_H
#define LOAXA_UTF8_H

#include <stddef.h>
#include <stdio.h>

size_t utf8_char(const char *);
int utf8_valid(const char *);

/*
 * The columns s takes on a terminal: one a character, none for a combining
 * mark (Vietnamese written decomposed, NFD, carries its tones as U+0300..),
 * one for each byte that is not valid UTF-8. 0 for NULL.
 */
size_t utf8_width(const char *s);

/*
 * Writes s cut or padded with spaces to width columns as utf8_width counts
 * them; a cut never splits a character or leaves its marks behind, and a
 * byte that is not valid UTF-8 is written as '?'. NULL is written as "".
 */
void utf8_pad(FILE *, const char *s, int width);

/*
 * A copy of s fit to print or store as text: each byte that is not part of
 * a UTF-8 character, and each control character (a terminal escape, a new
 * line that would forge a log line), becomes U+FFFD. The caller frees it.
 */
char *utf8_clean(const char *s);

#endif
