/*
 * The package chunk of the link protocol (version 1), written by the
 * district (fleet/) and read by the station (link/pkg.c): text header
 * lines, a blank line, then the chunk's bytes.
 *
 *   LOAXA-CHUNK 1\n
 *   package SHA256\n        the whole package's SHA-256: its id and its check
 *   size BYTES\n            the whole package, 1 to LINK_PKG_MAX
 *   chunk-size BYTES\n      every chunk's length but the last's, 1 to LINK_CHUNK_MAX
 *   index I\n               0 to count - 1, count = ceil(size / chunk-size)
 *   count N\n
 *   sha256 SHA256\n         this chunk's bytes' SHA-256
 *   \n
 *   the chunk's bytes: chunk-size, or what is left for the last one
 */
#ifndef LOAXA_LINK_CHUNK_H
#define LOAXA_LINK_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#define LINK_CHUNK_MAGIC "LOAXA-CHUNK 1"
#define LINK_CHUNK_MAX (256 * 1024)
#define LINK_PKG_MAX ((int64_t)200 * 1024 * 1024)

struct link_chunk {
	char package[65];  /* the whole package's SHA-256, lower-case hex */
	int64_t size, chunk_size, index, count;
	char sha256[65];   /* this chunk's */
	const unsigned char *data; /* into the message */
	size_t len;
};

/*
 * Reads the message (len bytes) into *c, checking the header's numbers
 * against each other and the data's length (not its hash). -1 with the
 * reason in *cause. c->package is set as soon as it is read ("" before).
 */
int link_chunk_parse(const void *msg, size_t len, struct link_chunk *c,
    char **cause);

/*
 * The message of chunk index of the package pkg (size bytes, SHA-256
 * package, lower-case hex) cut in chunk_size pieces: its header and its
 * bytes, in *msg (allocated, the caller frees it). Returns its length.
 */
size_t link_chunk_make(const unsigned char *pkg, int64_t size, const char *package,
    int64_t chunk_size, int64_t index, unsigned char **msg);

#endif
