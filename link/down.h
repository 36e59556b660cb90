/* Shared by the down handlers of link/ (pkg.c, cmd.c) only. */
#ifndef LOAXA_LINK_DOWN_H
#define LOAXA_LINK_DOWN_H

#include <stdarg.h>

#include "library/library.h"
#include "link/link.h"

/* The trusted district keys of env's configuration; the caller frees the array. */
struct lib_trusted *link_trusted(const struct link_env *, size_t *n);

/*
 * Publishes on up/ack, QoS 1, the JSON object {"msg_id": "CODE:kind:id",
 * then fields (already JSON members, without braces), "ok", "why"}.
 */
void link_ack(struct link_env *, const char *kind, const char *id,
    const char *fields, int ok, const char *why);

/*
 * Tells `loaxa status` (env->note) what happened, and, when warn, logs it on
 * one stderr line: "link: WHAT: TEXT".
 */
void link_say(struct link_env *, const char *what, int warn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
