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

/*
 * Writes an 8 kHz mono 16-bit WAV to dir/name: secs of a sine at freq and
 * amplitude amp (0..1 of full scale), then quiet_secs of digital silence.
 * Returns the allocated path; aborts when it cannot be written.
 */
char *tu_wav(const char *dir, const char *name, double secs, double amp, double freq,
    double quiet_secs);

#endif
