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

#include <sqlite3.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct fleet;

/* The district's own database, under paths.data. */
#define FLEET_DB "fleet.db"

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

/*
 * fleet_connect with client id id (NULL: district-PID) and, when
 * persistent, a session the broker keeps for 7 days (clean start false), so
 * that what the stations send while the district is away waits for it.
 */
int fleet_connect_as(const struct config *cfg, int timeout_ms, const char *id,
    int persistent, struct fleet **out, char **cause);
void fleet_free(struct fleet **);

/*
 * Connects again after the connection fell (libmosquitto's reconnect: the
 * same client id, credentials and session properties), waiting up to
 * timeout_ms for the broker's answer. 0 once it accepted, *session 1 when
 * it still had the session (its subscriptions and what came for them
 * meanwhile); -1 with *cause.
 */
int fleet_reconnect(struct fleet *, int timeout_ms, int *session, char **cause);

/*
 * Keeps what arrives in db from now on (states, airing rows, acks): the
 * caller still owns db. NULL keeps nothing.
 */
void fleet_keep(struct fleet *, sqlite3 *db);

/*
 * Called for every message from a station after it was kept: the station's
 * index, the topic's KIND (PREFIX/up/KIND), the payload as a string, and
 * whether the broker retained it. NULL for none.
 */
typedef void (*fleet_heard_fn)(void *arg, size_t station, const char *kind,
    const char *payload, size_t len, int retained);
void fleet_on_heard(struct fleet *, fleet_heard_fn, void *arg);

/* In a fleet_heard_fn: whether the airing row just heard was new to fleet.db. */
int fleet_last_fresh(const struct fleet *);

/* Subscribes to the n stations' PREFIX/sub (e.g. "up/#"), waiting for the broker. */
int fleet_subscribe(struct fleet *, const size_t *idx, size_t n, const char *sub,
    int timeout_ms, char **cause);

/* Subscribes to the n stations' PREFIX/up/ack, waiting for the broker. */
int fleet_listen_acks(struct fleet *, const size_t *idx, size_t n, int timeout_ms,
    char **cause);

/*
 * Runs the connection for up to timeout_ms, or until done(arg) is true (done
 * may be NULL), or *stop is set (may be NULL). 0, or -1 when the
 * connection fell (*cause says why).
 */
int fleet_run_for(struct fleet *, int timeout_ms, int (*done)(void *), void *arg,
    volatile int *stop, char **cause);

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

/* The wall clock in milliseconds since the epoch. */
int64_t fleet_now_ms(void);

/* --- fleet.db (fleet/state.c) --- */

/* Opens (creating) DATA/fleet.db with its tables. -1 with *cause. */
int fleet_db_open(const struct config *cfg, sqlite3 **out, char **cause);

/*
 * Keeps a station's state message (JSON): online or offline since when, the
 * last sign of life, and, for a message heard live (not retained), its
 * clock's offset from ours. -1 when it is no state or SQLite failed.
 */
int fleet_db_state(sqlite3 *, const char *station, const char *json, int retained,
    int64_t now_ms);

/* Keeps an airing row once per msg_id; *fresh 1 when it was new. */
int fleet_db_airing(sqlite3 *, const char *station, const char *json,
    int64_t now_ms, int *fresh);

/* Keeps an acknowledgement once per msg_id and "what". */
int fleet_db_ack(sqlite3 *, const char *station, const char *json, int64_t now_ms);

/* Records that kind ref (a package with its bulletins, a command) went to station. */
int fleet_db_sent(sqlite3 *, const char *kind, const char *ref, const char *station,
    const char *bulletins, int64_t now_ms);

/* Records an export collected and what its verification said. */
int fleet_db_export(sqlite3 *, const char *station, int64_t request,
    const char *period, const char *file, const char *verdict, const char *why,
    int64_t now_ms);

/* --- Exports collected (fleet/collect.c) --- */

/*
 * Writes the export an up/export message (json) carries to path
 * (atomically); *request gets the command sequence it answers. -1 with
 * *cause when it carries none or cannot be written.
 */
int fleet_export_save(sqlite3 *db, const char *json, const char *path,
    int64_t *request, char **cause);

enum { FLEET_EXPORT_OK, FLEET_EXPORT_FAILED, FLEET_EXPORT_MISMATCH };

/*
 * Verifies the export at path as station idx's (the existing verifier, the
 * code, the section's key for it) and matches the airing rows db received
 * live in its period against it. FLEET_EXPORT_* with *why (allocated).
 */
int fleet_export_check(const struct config *cfg, size_t idx, sqlite3 *db,
    const char *path, char **why);

/* --- A broker for the district (fleet/broker.c) --- */

/* Where broker-config puts things and how the broker listens. */
struct fleet_broker_opts {
	const char *out;        /* the directory written */
	const char *bind;       /* listener address; NULL: every address */
	int port;               /* 8883 */
	const char *cafile, *certfile, *keyfile; /* the broker's TLS files */
	const char *persistence; /* persistence_location */
	const char *district;   /* the district's user name */
	const char *user;       /* the system user mosquitto runs as */
};

/*
 * Writes mosquitto.conf, acl, passwords (hashed by mosquitto_passwd when it
 * is installed) and one USER.pass per user into o->out. -1 with *cause.
 */
int fleet_broker_config(const struct config *cfg, const struct fleet_broker_opts *o,
    int *hashed, char **cause);

/* --- What the district sees (fleet/status.c) --- */

/* One station's line of `fleet status`. */
struct fleet_status {
	const char *code;
	int state;              /* FLEET_ONLINE, FLEET_OFFLINE, FLEET_NEVER */
	int64_t since_ms;       /* 0: unknown */
	char *on_air;           /* the title on air, or NULL */
	char *last_title, *last_outcome;
	int64_t last_ms;        /* the last airing's start; 0: none */
	int64_t missed_today;
	char *device, *error, *version;
	int64_t disk_free;      /* -1: unknown */
	int has_offset;
	int64_t offset_ms;      /* the station's clock minus the district's */
	int problems;           /* 0 fine; higher first */
};
enum { FLEET_ONLINE, FLEET_OFFLINE, FLEET_NEVER };

/*
 * Every station of cfg's fleet section as fleet.db has it, problems first
 * (offline, never connected, then online with a fault, then the rest, by
 * code within each). *out is allocated; fleet_status_free frees it.
 */
void fleet_status_rows(const struct config *cfg, sqlite3 *db, int64_t now_ms,
    struct fleet_status **out, size_t *n);
void fleet_status_free(struct fleet_status *, size_t n);

/* Writes the rows as text lines or one JSON array. */
void fleet_status_write(FILE *, const struct fleet_status *, size_t n, int json);

/* One line of `fleet watch` for an airing message (JSON), without newline. */
char *fleet_airing_line(const char *station, const char *json, sqlite3 *db);

#endif
