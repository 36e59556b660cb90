/*
 * Inside `loaxa link`'s process: the state of the one loop (link/link.c)
 * and the broker connection it drives (link/mqtt.c). Not for the down
 * handlers, which see only struct link_env.
 */
#ifndef LOAXA_LINK_PROCESS_H
#define LOAXA_LINK_PROCESS_H

#include <mosquitto.h>
#include <sqlite3.h>
#include <stdint.h>

#include "link/link.h"

/* Outbox rows published and not yet acknowledged, at most. */
#define LINK_WINDOW 64
/* The state is republished at least this often (ms) while nothing changes. */
#define LINK_STATE_EVERY 60000
/* The daemon is asked for its status at most this often (ms) on changes. */
#define LINK_STATE_MIN 1000
/* status.json is written at most this often (ms) for a queue that moves. */
#define LINK_STATUS_MIN 1000
/* The outbox schema version (store migration 8). */
#define LINK_MIN_SCHEMA 8
/* How long the broker keeps the station's session while it is away (s). */
#define LINK_SESSION_EXPIRY (30 * 24 * 3600)
/* A connection attempt (TCP, TLS, CONNACK) that took longer is given up (s). */
#define LINK_CONNECT_S 15

struct link_flight {
	int mid;
	int64_t id; /* outbox id */
};

struct link {
	const struct config *cfg;
	const char *datadir;
	char *dbpath, *ctlpath;
	struct store *st;
	sqlite3 *state;
	struct mosquitto *mosq;
	mosquitto_property *props;
	struct link_env env;
	char *topic_state, *topic_airing, *topic_pkg, *topic_cmd;
	int sigfd, infd, tickfd, soonfd, retryfd, waitfd;
	int donewd, rejectedwd; /* inotify watches of INBOX/done, INBOX/rejected */
	int pkg_due;         /* look at what the inbox made of delivered packages */
	int connected, stopping, hold, backoff;
	int attempt;         /* a connection attempt is under way */
	int refused;         /* the attempt's CONNACK refused: said already */
	unsigned lost;       /* the disconnect callbacks so far */
	int64_t cursor;      /* the highest outbox id published or skipped */
	struct link_flight flights[LINK_WINDOW];
	size_t nflights;
	int scan_due, state_due, state_force, status_due;
	int wal_due, recheck; /* the database changed: scan at "soon", and again */
	int64_t state_at, state_asked_at, status_at; /* monotonic ms */
	char *state_key;     /* what the last state said, times left out */
	char *said;          /* the last problem printed, not to repeat it */
	char *mosq_error;    /* libmosquitto's last error line (TLS) */
	struct link_status status;
};

/* Arms timerfd fd to fire in ms (every ms when periodic); disarms it. */
void link_timer_arm(int fd, int64_t ms, int periodic);
void link_timer_disarm(int fd);
int link_timer_armed(int fd);

/* Says a problem once on stderr and in the status (not again until it changes). */
void link_say_once(struct link *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- The broker connection (link/mqtt.c) --- */

/* Makes l's libmosquitto client: TLS, credentials, will, callbacks. -1 with *cause. */
int link_client(struct link *, char **cause);

/* Starts a connection attempt without blocking the loop. */
void link_connect(struct link *);

/* The connection is gone (rc: libmosquitto's reason): say it, retry later. */
void link_lost(struct link *, int rc);

#endif
