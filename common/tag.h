/*
 * Tags: short keys that rotate playlists select by ("papi", "bau-cu-2026").
 * One rule for the library that stores them and the configuration that
 * names them: 1 to TAG_MAX bytes of a-z, 0-9, '-' and '_', starting with a
 * letter or a digit.
 */
#ifndef LOAXA_TAG_H
#define LOAXA_TAG_H

#define TAG_MAX 32
/* 1 when s is a tag. */
int tag_ok(const char *s);

#endif
