/*
 * fleet: the district's side of the station link. It connects to the
 * district's broker as the fleet section says, publishes signed packages
 * (in chunks, link/chunk.h) and signed commands (library/command.c) to its
 * stations' PREFIX/down/pkg and PREFIX/down/cmd, and hears their
 * acknowledgements on PREFIX/up/ack. Uses config, library, link (the chunk
 * format), common.
 */
#ifndef LOAXA_FLEET_H
#define LOAXA_FLEET_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct fleet;

/*
 * The stations --to names: a station code, a group, or "all"; *idx gets
 * their indexes into cfg->fleet.stations (allocated, the caller frees it).
 * -1 with *cause for a name that is neither (with the nearest one).
 */
int fleet_targets(const struct config *cfg, const char *to, size_t **idx,
    size_t *n, char **cause);

/*
 * Connects to the broker of cfg's fleet section (MQTT 5, TLS when it has a
 * CA), waiting up to timeout_ms for its answer; 0 and a handle, or -1 with
 * *cause (refused, unreachable, a bad certificate).
 */
int fleet_connect(const struct config *cfg, int timeout_ms, struct fleet **out,
    char **cause);
void fleet_free(struct fleet **);

/* Subscribes to the n stations' PREFIX/up/ack, waiting for the broker. */
int fleet_listen_acks(struct fleet *, const size_t *idx, size_t n, int timeout_ms,
    char **cause);

/*
 * Publishes len bytes at QoS 1 on PREFIX/sub of each of the n stations,
 * waiting for every PUBACK; -1 with *cause when the broker refused one
 * (its reason code) or did not answer in timeout_ms.
 */
int fleet_publish(struct fleet *, const size_t *idx, size_t n, const char *sub,
    const void *data, size_t len, int timeout_ms, char **cause);

/*
 * Publishes the package pkg (size bytes, SHA-256 sha) to the n stations'
 * PREFIX/down/pkg in chunks of LINK_CHUNK_MAX, a window of them in flight.
 */
int fleet_send_package(struct fleet *, const size_t *idx, size_t n,
    const unsigned char *pkg, int64_t size, const char *sha, int timeout_ms,
    char **cause);

/* One station's answer. */
struct fleet_ack {
	int got;    /* an acknowledgement came */
	int ok;
	char *why;  /* allocated, NULL when none */
};

/*
 * Waits up to timeout_ms for the acknowledgement "CODE:kind:id" of each of
 * the n stations (acks[i] for idx[i]), returning as soon as all came.
 * Frees nothing; clear with fleet_acks_clear.
 */
void fleet_wait_acks(struct fleet *, const size_t *idx, size_t n, const char *kind,
    const char *id, int timeout_ms, struct fleet_ack *acks);
void fleet_acks_clear(struct fleet_ack *, size_t n);

#endif
