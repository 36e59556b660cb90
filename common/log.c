#include <stdarg.h>
#include <stdio.h>

#include "log.h"

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

static void
log_vprint(const char *prefix, const char *fmt, va_list ap)
{
	fputs("loaxa: ", stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
	log_vprint("warning: ", fmt, ap);
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
