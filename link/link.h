/*
 * link: the station's side of the MQTT link to its district (loaxa link).
 * This header holds what the down handlers need; the process, its
 * connection and the up direction add theirs.
 */
#ifndef LOAXA_LINK_H
#define LOAXA_LINK_H

#include <sqlite3.h>
#include <stddef.h>

struct config;
struct store;

/* What a down handler may use: the link's environment. */
struct link_env {
	const struct config *cfg;
	struct store *st;          /* the station's database, read-only */
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
 * Handlers for PREFIX/down/pkg and PREFIX/down/cmd, called from the
 * message callback. They never block long: a whole package is moved into
 * the inbox (the daemon imports it), a command acts through the control
 * socket. Each answers on up/ack and logs a refusal on one stderr line.
 */
void link_pkg_message(struct link_env *, const void *data, size_t len);
void link_cmd_message(struct link_env *, const void *data, size_t len);

#endif
