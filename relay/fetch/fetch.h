/*
 * The relay service's inside (the loaxa-relay program): one worker process
 * per client, which opens the named source through FFmpeg and writes its
 * PCM to the client (relay/relay.h's protocol).
 */
#ifndef LOAXA_RELAY_FETCH_H
#define LOAXA_RELAY_FETCH_H

struct config_relay_source;

#define RELAY_OPEN_MS 10000   /* a source must give its first audio within this */
#define RELAY_STALL_MS 5000   /* no bytes for this long: the source is lost */

/*
 * Serves src to the client on fd until the source ends or fails, or the
 * client goes: "OK" and PCM, or "ERR source unreachable: why". Returns the
 * worker's exit status (0 when the client went, 1 when the source failed).
 */
int relay_fetch_serve(const struct config_relay_source *src, int fd);

#endif
