#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

/* The one process-wide logging switch, set once by main from -v. */
static int verbose;

void
log_set_verbose(int v)
{
	verbose = v;
}

int
log_verbose(void)
{
	return verbose;
}

static void log_vprint(const char *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/*
 * Writes one line. The message often carries what others wrote (a file name
 * dropped in the inbox, a control request, a package's text): it is cleaned
 * so that a control character can neither forge a second line in the
 * journal nor send escapes to an operator's terminal.
 */
static void
log_vprint(const char *prefix, const char *fmt, va_list ap)
{
	char *msg, *clean;

	xvasprintf(&msg, fmt, ap);
	clean = utf8_clean(msg);
	fprintf(stderr, "loaxa: %s%s\n", prefix, clean);
	free(clean);
	free(msg);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	log_vprint("debug: ", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(_("warning: "), fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("", fmt, ap);
	va_end(ap);
}
