/* Shared inside fleet/ only: the connection's state. */
#ifndef LOAXA_FLEET_INTERNAL_H
#define LOAXA_FLEET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fleet/fleet.h"

struct mosquitto;
struct config;

/* One acknowledgement heard on an up/ack topic. */
struct fleet_heard {
	size_t station;   /* its index in the fleet section */
	char *msg_id;
	int ok;
	char *why;
};

/* A station's topic prefix and its index in the fleet section, for lookups. */
struct fleet_prefix {
	const char *prefix;
	size_t idx;
};

struct fleet {
	const struct config *cfg;
	struct fleet_prefix *prefixes; /* sorted by prefix */
	sqlite3 *db;                   /* fleet.db, when kept; not owned */
	int fresh;                     /* the last airing row was new */
	fleet_heard_fn heard_fn;
	void *heard_arg;
	struct mosquitto *m;
	int connack;      /* 0 waiting, 1 accepted, -1 refused (connack_rc) */
	int connack_rc;
	int session;      /* the broker kept the session (CONNACK flag) */
	int lost;         /* the libmosquitto error that ended the loop */
	int subs, subacks, sub_refused;
	int inflight;     /* publishes waiting for their PUBACK */
	int window;       /* how many may */
	int refused;      /* the first PUBACK reason code >= 0x80 */
	struct fleet_heard *heard;
	size_t nheard;
	/*
	 * What fleet_wait_acks waits for: "CODE:kind:id" of these stations;
	 * want_pos gives a station's place in want (by its index in the fleet
	 * section, -1 when not wanted), so that each acknowledgement is matched
	 * once, as it comes.
	 */
	const size_t *want;
	size_t nwant, nunique, ngot;
	const char *want_kind, *want_id;
	long *want_pos;
	struct fleet_ack *want_acks;
};

/* Runs the network until done(f) or deadline (fleet_deadline); -1 if not done. */
int fleet_loop_until(struct fleet *, int (*done)(const struct fleet *),
    int64_t deadline);
int64_t fleet_deadline(int timeout_ms);

/* Publishes at QoS 1 once at most f->window wait for their PUBACK. */
int fleet_publish_one(struct fleet *, const char *topic, const void *data,
    size_t len, int64_t deadline, char **cause);

/* Waits until every publish has its PUBACK; -1 with *cause if refused or late. */
int fleet_drain(struct fleet *, int64_t deadline, char **cause);

/* Keeps an acknowledgement (the JSON object of up/ack) station sent. */
void fleet_ack_heard(struct fleet *, size_t station, const char *json, size_t len);

/* Keeps a station's message of kind in f->db (when kept) and acks in f->heard. */
void fleet_keep_message(struct fleet *, size_t station, const char *kind,
    const char *text, size_t len, int retained);

/* A message on topic from a station: kept, then handed to heard_fn. */
void fleet_message(struct fleet *, const char *topic, const void *payload,
    size_t len, int retained);

#endif
