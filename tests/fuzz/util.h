/*
 * What the fuzz targets share: a private scratch directory (in /dev/shm when
 * there is one, so that a file per input costs no disk) and whole-file writes.
 * Fuzz targets stop the process on any failure here: it is the harness's,
 * not the code under test's.
 */
#ifndef LOAXA_FUZZ_UTIL_H
#define LOAXA_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The scratch directory, created on first use inside $LOAXA_FUZZ_TMP (else
 * /dev/shm, else $TMPDIR) and removed at a normal exit; libFuzzer's own
 * exits skip that, so tests/fuzz/run removes $LOAXA_FUZZ_TMP itself.
 */
const char *fuzz_dir(void);

/* fuzz_dir()/name, allocated. */
char *fuzz_path(const char *name);

/* Writes len bytes of data to path, replacing it. */
void fuzz_write(const char *path, const void *data, size_t len);

/* Removes every file in dir (not subdirectories' contents). */
void fuzz_empty(const char *dir);

/* Aborts with msg: a broken promise the fuzzer reports as a crash. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
