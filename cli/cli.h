/*
 * The command table: one struct cmd_entry per command, each in its own
 * cli/cmd-NAME.c, listed in cli/main.c.
 */
#ifndef LOAXA_CLI_H
#define LOAXA_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/* Exit statuses of the product contract. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,     /* operational failure */
	EXIT_USAGE = 2,    /* usage or configuration error */
	EXIT_REJECTED = 3, /* input rejected: bad audio, package, signature */
};

/* What main hands every command. */
struct cmd_ctx {
	const char *config_path; /* -c FILE, or NULL to search */
	const struct config *cfg; /* loaded when the entry has CMD_CONFIG */
	const struct cmd_entry *entry;
};

#define CMD_CONFIG 0x1 /* main loads and validates the config first */

struct cmd_entry {
	const char *name;
	const char *usage;   /* arguments after the name */
	const char *summary; /* one line for `loaxa --help` */
	const char *help;    /* the rest of `loaxa NAME --help` */
	int flags;
	/* argv[0] is the command name; returns an exit status. */
	int (*exec)(struct cmd_ctx *, int argc, char **argv);
};

/* Prints "usage: loaxa NAME USAGE" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage(const struct cmd_entry *);

/*
 * Parses argv with getopt_long after resetting it; prints the command's usage
 * on an unknown option. Returns the option, -1 at the end, or '?' (usage printed).
 */
int cli_getopt(const struct cmd_entry *, int argc, char **argv,
    const struct option *longopts);

/*
 * Parses a bulletin id (a whole number from 1 up); prints "loaxa CMD: 'S' is
 * not a bulletin id" and returns 0 when s is anything else, too big included.
 */
int64_t cli_bulletin_id(const char *cmd, const char *s);

/*
 * Whether the value of option opt (--by, --reason) is UTF-8 text on one line
 * of at most max bytes; prints "loaxa CMD: OPT must be ..." when it is not.
 */
int cli_text_arg(const char *cmd, const char *opt, const char *s, size_t max);

/*
 * Who is acting, for the audit trail: by (--by) when given, else the login
 * name ($SUDO_USER, $USER, $LOGNAME) when it is UTF-8 text, else "operator".
 */
const char *cli_actor(const char *by);

/*
 * Adds tag to tags[0..*n), which has room for LIB_TAGS_MAX, unless it is
 * there already (the strings are borrowed). -1 when it is full.
 */
int cli_tag_add(const char **tags, size_t *n, const char *tag);

struct store;

/*
 * Opens the station's data directory (cfg->paths.data), creating it on first
 * use with everything a new station needs. Prints "PATH: reason" and returns
 * -1 on failure; every command that touches the data goes through here.
 */
int cli_open_store(const struct cmd_ctx *, struct store **);

struct library;
/*
 * cli_open_store, then the bulletin library in the station's time zone (TZ is
 * set to it), with the bulletins whose validity ended before today retired.
 * Prints "PATH: reason" and returns -1 on failure.
 */
int cli_open_library(const struct cmd_ctx *, struct store **, struct library **);

#endif
