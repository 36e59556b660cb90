/*
 * link: the station's side of the connection to its district's MQTT broker
 * (`loaxa link`, its own process and unit). Up: the station's state
 * (retained, with the last will) and every closed airing-log row from the
 * outbox (QoS 1, acknowledged by PUBACK into DATA/link/link.db). Down:
 * packages and signed commands (link/pkg.c, link/cmd.c). It opens the
 * station's database read-only and speaks to the daemon only through the
 * control socket and the inbox. Uses config, store, scheduler (the control
 * client), common. The protocol is in loaxa(1), LINK.
 */
#ifndef LOAXA_LINK_H
#define LOAXA_LINK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

/* The version of the topic layout and message formats (loaxa/v1/...). */
#define LINK_PROTOCOL 1

/* The link's own directory under the data directory, and its files. */
#define LINK_DIR "link"
#define LINK_STATE_DB "link.db"
#define LINK_STATUS_FILE "status.json"

/* What a down handler may use: the link's environment. */
struct link_env {
	const struct config *cfg;
	struct store *st;          /* the station's database, read-only; may be NULL */
	sqlite3 *state;            /* link.db, read-write */
	const char *inbox;         /* cfg->paths.inbox */
	/* Publishes on PREFIX/SUB (e.g. "up/ack"); 0 queued, -1 failed. */
	int (*publish)(void *arg, const char *sub, const void *data, size_t len,
	    int qos, int retain);
	void *arg;
	/* For `loaxa status`: what last happened ("package", "command"), one line. */
	void (*note)(void *arg, const char *what, const char *text);
	/* The groups this station belongs to (link.groups), for commands. */
	const char *const *groups;
	size_t ngroups;
};

/*
 * Creates the down direction's tables in link.db when missing (packages
 * being assembled, packages delivered, the command sequences taken): the
 * link calls it once at start. -1 with *cause.
 */
int link_pkg_init(sqlite3 *state, char **cause);

/*
 * Handlers for PREFIX/down/pkg and PREFIX/down/cmd, called from the link's
 * loop for every message. They never block long: a verified package is
 * moved whole into the inbox (the daemon imports it), a command acts through
 * the control socket. Each answers on up/ack and logs a refusal on one
 * stderr line.
 */
void link_pkg_message(struct link_env *, const void *data, size_t len);
void link_cmd_message(struct link_env *, const void *data, size_t len);

/*
 * At the link's start: a district timetable left half-applied by a link
 * killed while it acted (DATA/link/timetable.conf.prev still there) is
 * undone, the previous file put back and the daemon, if it runs, asked to
 * reload; one log line says so. Nothing when there is none.
 */
void link_cmd_undo(struct link_env *);

/*
 * Acknowledges what the daemon's inbox made of the packages delivered and
 * not yet answered for: "imported" (and "approved" when every bulletin is
 * approved in the library) once in INBOX/done/, "imported" not ok with the
 * inbox's reason once in INBOX/rejected/. The link calls it when the inbox
 * changes and on its tick.
 */
void link_pkg_check(struct link_env *);

/* link.db, for a handler's own tables (CREATE TABLE IF NOT EXISTS). */
sqlite3 *link_state_db(struct link_env *);

/*
 * Runs the link for cfg (which has a link section) until SIGTERM or SIGINT:
 * returns 0 then, or -1 with *cause when it cannot start (its state, the
 * broker's settings). A broker that is away is waited for, not an error.
 */
int link_run(const struct config *cfg, char **cause);

/* --- link.db (link/state.c) --- */

/*
 * Opens (creating) DATA/link/link.db with its tables: acked (outbox ids the
 * broker acknowledged above the watermark) and meta ('acked_through': every
 * outbox id at or below it is acknowledged). -1 with *cause.
 */
int link_state_open(const char *datadir, sqlite3 **out, char **cause);

/* The watermark: every outbox id at or below it was acknowledged. */
int64_t link_state_acked_through(sqlite3 *);

/* Whether outbox id was acknowledged. */
int link_state_is_acked(sqlite3 *, int64_t id);

/*
 * Records outbox id as acknowledged, then moves the watermark over every
 * acknowledged id that follows it in st's outbox. -1 with *cause.
 */
int link_state_ack(sqlite3 *, struct store *st, int64_t id, char **cause);

/* How many outbox rows of st wait for an acknowledgement. */
int64_t link_state_queued(sqlite3 *, struct store *st);

/* --- What `loaxa status` shows (link/status.c) --- */

struct link_status {
	int connected;
	int64_t since_ms;       /* connected or disconnected since; 0: never */
	char *broker;           /* host:port */
	int64_t queued;
	char *last_package;     /* one line each, or NULL */
	char *last_command;
	char *last_error;
	int64_t updated_ms;
	int pid;
};

/* Writes s to DATA/link/status.json atomically. -1 with *cause. */
int link_status_write(const char *datadir, const struct link_status *, char **cause);

/*
 * Reads DATA/link/status.json into *s (free with link_status_clear).
 * 0, or -1 when there is none or it cannot be read.
 */
int link_status_read(const char *datadir, struct link_status *s);

/* The file's JSON text as written (for status --format json), or NULL. */
char *link_status_json(const char *datadir);

void link_status_clear(struct link_status *);

#endif
