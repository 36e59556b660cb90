/*
 * web: the operator's console in a browser (`loaxa web`), in Vietnamese, for
 * a phone or a PC. An HTTP(S) server on libmicrohttpd that uses the library,
 * the airing log, the plan and the reports through the same code as the CLI,
 * and the running daemon only through its control socket: it never plays
 * audio. Accounts and sessions live in the station's store (migration 7).
 *
 * Functions return 0, or -1 with an allocated *cause the caller frees.
 */
#ifndef LOAXA_WEB_H
#define LOAXA_WEB_H

#include <stdint.h>

struct config;
struct store;
struct rep_schedule;
struct web;

/* The roles of an account: what it may do through the console. */
#define WEB_ROLES "operator, approver or viewer"

/* Whether role is one of WEB_ROLES. */
int web_role_valid(const char *role);

/*
 * Adds the account name with role and password (hashed with Argon2id by
 * libsodium's crypto_pwhash_str), or sets the role and password of the
 * account of that name. A name is UTF-8 text on one line, 1 to 64 bytes; a
 * password at least 8 bytes. *created is 1 for a new account.
 */
int web_user_add(struct store *, const char *name, const char *role,
    const char *password, int *created, char **cause);

/*
 * Starts the console for cfg's station on cfg->web's address and port
 * (HTTPS when a certificate and key are set), on its own thread. sched is
 * lent for the reports (the timetable maths the reports module does not
 * have) and must outlive the server. *out is freed by web_free, which stops
 * it.
 */
int web_start(const struct config *cfg, const struct rep_schedule *sched,
    struct web **out, char **cause);
void web_free(struct web **);

/* The port the server listens on (the one the kernel chose for port 0). */
int web_port(const struct web *);

#endif
