/*
 * A private, sealed copy of a file: what the airing child hashes and
 * decodes, so that a write into the stored file while it airs cannot be
 * heard (scheduler/sealed.c).
 */
#ifndef LOAXA_SEALED_H
#define LOAXA_SEALED_H

/*
 * Copies the regular file at path, as many bytes as it had when opened, into
 * an anonymous memory file (memfd) and seals it against every write, growth
 * and shrinking, for good. Returns the memfd (close-on-exec), which the
 * caller closes; -1 with *cause when the file cannot be read (cause names
 * it), -2 with *cause when the copy cannot be made (no memory).
 */
int sched_sealed_copy(const char *path, char **cause);

/* Sets buf to a path by which fd's file can be opened again ("/proc/self/fd/N"). */
void sched_sealed_path(int fd, char *buf, size_t len);

#endif
