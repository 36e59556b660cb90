/*
 * The one command-line parser (tmux's args_parse): each cmd_entry declares
 * its options and how many operands it takes; main parses against that
 * before the command runs, and the command asks for what it was given.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/i18n.h"
#include "common/xmalloc.h"

/* getopt_long's code for the option declared i-th, apart from short options. */
#define ARGS_CODE 256

void
cli_help(const struct cmd_entry *e)
{
	printf(_("usage: loaxa %s%s%s\n\n%s\n"), e->name, e->usage[0] ? " " : "",
	    e->usage, _(e->summary));
	if (e->help != NULL && e->help[0] != '\0')
		printf("\n%s", _(e->help));
}

int
cli_usage(const struct cmd_entry *e)
{
	fprintf(stderr, _("usage: loaxa %s%s%s\n"), e->name, e->usage[0] ? " " : "",
	    e->usage);
	fprintf(stderr, _("Try 'loaxa %s --help' for more.\n"), e->name);
	return EXIT_USAGE;
}

/*
 * Splits spec ("name name: ...") into getopt_long's table, which the caller
 * frees with the names it points into (*buf).
 */
static struct option *
args_table(const char *spec, char **buf, size_t *n)
{
	struct option *lo = xcalloc(strlen(spec) / 2 + 2, sizeof *lo);
	char *word, *save = NULL;
	size_t len;

	*n = 0;
	*buf = xstrdup(spec);
	for (word = strtok_r(*buf, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		len = strlen(word);
		lo[*n].has_arg = word[len - 1] == ':' ? required_argument : no_argument;
		if (lo[*n].has_arg == required_argument)
			word[len - 1] = '\0';
		lo[*n].name = word;
		lo[*n].val = ARGS_CODE + (int)*n;
		(*n)++;
	}
	return lo;
}

/* How many options of lo the word --W (or --W=V) abbreviates. */
static int
args_prefixes(const struct option *lo, const char *word)
{
	size_t len;
	int n = 0;

	if (strncmp(word, "--", 2) != 0)
		return 0;
	word += 2;
	len = strcspn(word, "=");
	for (; lo->name != NULL; lo++)
		n += strncmp(lo->name, word, len) == 0;
	return n;
}

/* Prints what getopt_long refused in argv (its last word) for command e. */
static void
args_refused(const struct cmd_entry *e, const struct option *lo, char **argv)
{
	const struct option *o;

	if (optopt >= ARGS_CODE) {
		o = &lo[optopt - ARGS_CODE];
		fprintf(stderr, o->has_arg ? _("loaxa %s: option --%s needs a value\n") :
		    _("loaxa %s: option --%s takes no value\n"), e->name, o->name);
	} else if (optopt != 0)
		fprintf(stderr, _("loaxa %s: unknown option -%c\n"), e->name, optopt);
	else
		fprintf(stderr, args_prefixes(lo, argv[optind - 1]) > 1 ?
		    _("loaxa %s: ambiguous option %s\n") :
		    _("loaxa %s: unknown option %s\n"), e->name, argv[optind - 1]);
}

int
cli_args_parse(const struct cmd_entry *e, const struct cmd_args_spec *spec,
    int argc, char **argv, struct cmd_args *a)
{
	struct option *lo;
	char *buf;
	size_t n;
	int c;

	memset(a, 0, sizeof *a);
	lo = args_table(spec->options != NULL ? spec->options : "", &buf, &n);
	/* 0 resets getopt fully, so that options may also follow operands. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c < ARGS_CODE) {
			args_refused(e, lo, argv);
			break;
		}
		a->opts = xreallocarray(a->opts, a->nopts + 1, sizeof *a->opts);
		a->opts[a->nopts].name = xstrdup(lo[c - ARGS_CODE].name);
		a->opts[a->nopts].value = optarg != NULL ? optarg : "";
		a->nopts++;
	}
	a->spec = spec;
	a->argc = argc - optind;
	a->argv = argv + optind;
	free(lo);
	free(buf);
	if (c != -1 || a->argc < spec->lower ||
	    (spec->upper >= 0 && a->argc > spec->upper)) {
		cli_args_free(a);
		return cli_usage(e);
	}
	return 0;
}

/* Whether name is declared in a's spec; a misspelt name is a bug here. */
static void
args_declared(const struct cmd_args *a, const char *name)
{
	const char *s = a->spec->options, *p;
	size_t len = strlen(name);

	for (p = s; p != NULL && (p = strstr(p, name)) != NULL; p += len)
		if ((p == s || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ' ' || p[len] == ':'))
			return;
	fprintf(stderr, "loaxa: option --%s is not declared\n", name);
	abort();
}

const char *
cli_opt(const struct cmd_args *a, const char *name)
{
	const char *v, *last = NULL;
	size_t i = 0;

	while ((v = cli_opt_next(a, name, &i)) != NULL)
		last = v;
	return last;
}

const char *
cli_opt_next(const struct cmd_args *a, const char *name, size_t *i)
{
	args_declared(a, name);
	for (; *i < a->nopts; (*i)++)
		if (strcmp(a->opts[*i].name, name) == 0)
			return a->opts[(*i)++].value;
	return NULL;
}

void
cli_args_free(struct cmd_args *a)
{
	size_t i;

	for (i = 0; i < a->nopts; i++)
		free(a->opts[i].name);
	free(a->opts);
	memset(a, 0, sizeof *a);
}
