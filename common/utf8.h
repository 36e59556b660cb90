/* UTF-8 as RFC 3629 has it: the one check every module uses. */
#ifndef LOAXA_UTF8_H
#define LOAXA_UTF8_H

#include <stddef.h>

size_t utf8_char(const char *);
int utf8_valid(const char *);

#endif
