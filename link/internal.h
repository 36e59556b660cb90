/* Shared inside link/: the messages that go up (link/up.c). */
#ifndef LOAXA_LINK_INTERNAL_H
#define LOAXA_LINK_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "link/link.h"

struct config;
struct store;

/* Writes the station-unique id "STATION:KIND:ID" as a JSON string. */
void link_msg_id(FILE *, const char *station, const char *kind, int64_t id);

/*
 * The up/airing message of outbox row outbox_id, which reports airing
 * airing_id: the row, its bulletin's title, topic and producer, and its
 * link in the log's hash chain. An allocated string, or NULL with *cause.
 */
char *link_up_airing(struct store *, const char *station, int64_t outbox_id,
    int64_t airing_id, char **cause);

/* What the up/state message says. */
struct link_state_facts {
	int online;
	int64_t sent_at_ms;   /* the station's clock when it was sent */
	int64_t since_ms;     /* connected since */
	int64_t queued;       /* outbox rows not yet acknowledged */
	int64_t disk_free;    /* bytes free for the data directory */
	const char *daemon_json;  /* the daemon's status document, or NULL */
	const char *daemon_error; /* why there is none, or NULL */
};

/* The up/state message (online false: the last will). Allocated. */
char *link_up_state(const struct config *, const struct link_state_facts *);

#endif
