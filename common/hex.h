/*
 * Bytes as lower-case hex, the form every digest and token of the station
 * takes in its store, its files and its messages.
 */
#ifndef LOAXA_HEX_H
#define LOAXA_HEX_H

#include <stddef.h>

/* Writes the n bytes of in as 2n lower-case hex digits and a NUL to out. */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* The SHA-256 of the text s (without its NUL) as 64 hex digits and a NUL. */
void hex_sha256(const char *s, char out[65]);

#endif
