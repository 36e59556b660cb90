/*
 * The command table: one struct cmd_entry per command, each in its own
 * cli/cmd-NAME.c, listed in cli/main.c.
 */
#ifndef LOAXA_CLI_H
#define LOAXA_CLI_H

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

/*
 * What a command takes (tmux's args template): its long options, separated
 * by spaces, each "name" (a flag) or "name:" (takes a value), and how many
 * operands, from lower to upper (-1: no limit). Main parses against it
 * before exec (cli_args_parse), so no command parses its own.
 */
struct cmd_args_spec {
	const char *options;
	int lower, upper;
};

/* A command line as parsed: the operands, and the options in the order given. */
struct cmd_args {
	int argc;
	char **argv;
	const struct cmd_args_spec *spec;
	struct cmd_arg {
		char *name;
		const char *value; /* "" for a flag */
	} *opts;
	size_t nopts;
};

/* What main hands every command. */
struct cmd_ctx {
	const char *config_path; /* -c FILE, or NULL to search */
	const struct config *cfg; /* loaded when the entry has CMD_CONFIG */
	const struct cmd_entry *entry; /* the command as typed, for messages */
};

#define CMD_CONFIG 0x1 /* main loads and validates the config first */
#define CMD_NET 0x2    /* runs in loaxa-net or loaxa-link: main execs it (cli/net.h) */

struct cmd_entry {
	const char *name;
	const char *usage;   /* arguments after the name */
	const char *summary; /* one line for `loaxa --help` */
	const char *help;    /* the rest of `loaxa NAME --help` */
	int flags;
	struct cmd_args_spec args;
	/* Its subcommands (argv[1]: package create), NULL-terminated, or NULL. */
	const struct cmd_entry *const *subs;
	/* Runs the command on its parsed arguments; returns an exit status. */
	int (*exec)(struct cmd_ctx *, const struct cmd_args *);
};

/* Prints "usage: loaxa NAME USAGE" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage(const struct cmd_entry *);

/* Prints `loaxa NAME --help`: the usage, the summary and the help. */
void cli_help(const struct cmd_entry *);

/*
 * Parses argv (argv[0] is the command's name) against spec into *a, which
 * the caller frees with cli_args_free. An unknown option, a missing value or
 * the wrong number of operands prints one line and e's usage and returns
 * EXIT_USAGE (with nothing to free); else 0.
 */
int cli_args_parse(const struct cmd_entry *e, const struct cmd_args_spec *spec,
    int argc, char **argv, struct cmd_args *a);
void cli_args_free(struct cmd_args *);

/*
 * The value of option name (declared in the spec) given last, "" for a flag
 * given, or NULL when it was not given.
 */
const char *cli_opt(const struct cmd_args *, const char *name);

/*
 * For an option given more than once (--tag): the next value from *i on (0
 * at first), or NULL after the last.
 */
const char *cli_opt_next(const struct cmd_args *, const char *name, size_t *i);

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
 * A bulletin's status (pending, approved, rejected, retired) in the
 * reader's language, for messages; the word itself stays the data.
 */
const char *cli_status_text(const char *status);

/*
 * Adds tag to tags[0..*n), which has room for LIB_TAGS_MAX, unless it is
 * there already (the strings are borrowed). -1 when it is full.
 */
int cli_tag_add(const char **tags, size_t *n, const char *tag);

/*
 * Reports a library call on one operand that failed with rc (LIB_ERR or
 * LIB_REJECTED): prints "OPERAND: cause" to stderr, frees *cause (and sets
 * it to NULL), and folds rc into the exit *status: EXIT_FAIL for LIB_ERR,
 * else EXIT_REJECTED unless *status says worse already.
 */
void cli_failed(const char *operand, int rc, char **cause, int *status);

struct lib_meta;
struct lib_trusted;

/*
 * What the library takes to check a package, from the configuration: the
 * trusted district keys (*trusted, cfg->trust.ndistricts of them) and the
 * station's topic keys (*topics, NULL-terminated). The strings are
 * borrowed from cfg; the caller frees the two arrays.
 */
void cli_trust(const struct config *cfg, struct lib_trusted **trusted,
    const char ***topics);

/* The options of the metadata flags that import and package create share. */
#define CLI_META_OPTIONS "title: topic: agency: from: until: min-airings: " \
    "priority: tag:"

/*
 * Fills m from the metadata flags (CLI_META_OPTIONS) in args, borrowing the
 * strings, the tags in tags (room for LIB_TAGS_MAX), and checks them as the
 * library will, the topic against the configuration's. Returns 0, or
 * EXIT_USAGE after printing "loaxa CMD: reason".
 */
int cli_meta(const struct cmd_ctx *, const struct cmd_args *, struct lib_meta *m,
    const char **tags);

/*
 * Checks that no one else can change what the station trusts: the
 * configuration file (only its owner, root or the user running loaxa, may
 * write it, nor may others replace it in its directory), the data directory
 * and its database (the daemon's group may write them, others not), the
 * station key (no one but its owner may read it) and the inbox's parent
 * directory. Prints each problem as "PATH: who can what; run FIX" and
 * returns -1 when there is any.
 */
int cli_check_perms(const struct config *);

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

/*
 * The timetable maths that struct rep_schedule lends the reports: every
 * occurrence of a timetable history row (slots) in [from, to) in zone tz.
 */
struct rep_occurrence;
int cli_report_occurrences(const char *tz, const char *slots, int64_t from,
    int64_t to, struct rep_occurrence **out, size_t *n, char **cause);

#endif
