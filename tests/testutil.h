/* Helpers shared by the unit tests: temporary directories, files, running the binary. */
#ifndef LOAXA_TESTUTIL_H
#define LOAXA_TESTUTIL_H

#include <stddef.h>

/* A new directory under $TMPDIR; the caller removes it with tu_rmtree. */
char *tu_tmpdir(void);
void tu_rmtree(const char *);

/* Writes text to dir/name and returns the allocated path. */
char *tu_write(const char *dir, const char *name, const char *text);

/* The source tree's root ($LOAXA_SRCDIR, else "."). */
const char *tu_srcdir(void);

/* Reads a whole file into an allocated string, or NULL. */
char *tu_read(const char *path, size_t *len);

#endif
