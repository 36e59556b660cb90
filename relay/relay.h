/*
 * relay: live sources (tiếp sóng) brought to the airing child. The network
 * and the decoders of streams live in the relay service (`loaxa relay`,
 * relay/fetch/, a program of its own with network rights); the playout
 * daemon keeps none. The airing child connects to the service's unix socket
 * in the data directory and speaks this protocol:
 *
 *   child:   "SOURCE <name>\n"        a source of the configuration, by name:
 *                                     never a URL, so nothing else can air
 *   service: "OK <rate> <channels>\n" then interleaved native float PCM
 *                                     until the source ends or fails
 *        or: "ERR <reason>: <detail>\n" and the end (reason: "unknown
 *                                     source", "source unreachable")
 *
 * A source that fails after OK simply ends (EOF); the service says why in
 * its own log. This module is the client's side and uses only common/.
 */
#ifndef LOAXA_RELAY_H
#define LOAXA_RELAY_H

#include <stddef.h>

#define RELAY_RATE 48000        /* every source is resampled to this */
#define RELAY_CHANNELS 2
#define RELAY_SOCKET "relay.sock" /* in the data directory */
#define RELAY_NAME_MAX 200      /* bytes of a source's name on the wire */

/*
 * Connects to the relay service at sock and asks for source. Returns a
 * non-blocking fd, or -1 with *cause (the service is not running).
 */
int relay_client_open(const char *sock, const char *source, char **cause);

/*
 * Reads the service's answer line, a byte at a time so that no PCM is
 * taken with it, into line (size bytes, NUL-terminated, without the
 * newline). Returns 1 when the line is complete, 0 while it is not, -1 when
 * the service closed or failed before it.
 */
int relay_client_header(int fd, char *line, size_t size, size_t *len);

/* The path of the relay service's socket in data; the caller frees it. */
char *relay_socket_path(const char *data);

#endif
