/*
 * JSON strings (RFC 8259) for every module that writes JSON: one escaper,
 * so that `list`, `log`, `probe`, the reports and the daemon's status agree.
 */
#ifndef LOAXA_JSON_H
#define LOAXA_JSON_H

#include <stdio.h>

/*
 * s as a JSON string literal, or null for NULL. '"' and '\' are escaped
 * with a backslash, every control character (below 0x20, and DEL) as
 * \u00XX; a byte that is not part of valid UTF-8 becomes U+FFFD, so the
 * output is always valid UTF-8 whatever s holds.
 */
void json_write(FILE *, const char *s);

/* The same literal as an allocated string the caller frees. */
char *json_quote(const char *s);

#endif
