/*
 * A file a user names (an audio file, a package, a key, an export) may be a
 * FIFO without a writer, a device such as /dev/zero, or a directory. Opening
 * it non-blocking and refusing anything but a regular file means no command
 * waits for ever or reads without end on one.
 *
 * Every file loaxa writes for others to read (a stored bulletin, a package,
 * a report, an export) is written to a temporary file beside it, fsynced,
 * renamed over the name and its directory fsynced: after a crash or a power
 * cut the name holds the old file or the whole new one, never a part.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "xmalloc.h"

/*
 * Opens path read-only (close-on-exec) and fills *sb. Returns the
 * descriptor, in blocking mode again; -1 with errno when it cannot be
 * opened, FILE_NOT_REGULAR when it is not a regular file.
 */
int
file_open_regular(const char *path, struct stat *sb)
{
	int fd, fl;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, sb) != 0) {
		fl = errno;
		close(fd);
		errno = fl;
		return -1;
	}
	if (!S_ISREG(sb->st_mode)) {
		close(fd);
		return FILE_NOT_REGULAR;
	}
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/* What a failed file_open_regular means, for a message. */
const char *
file_open_error(int rc)
{
	return rc == FILE_NOT_REGULAR ? "not a regular file" : strerror(errno);
}

/*
 * Six characters of [0-9A-Za-z] from getrandom, or from the clock and the
 * process id when it fails: a guess only makes creation fail and try again.
 */
static void
tmp_chars(char out[6])
{
	static const char set[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz";
	unsigned char r[6];
	struct timespec ts;
	uint64_t v;
	size_t i;

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)getpid() << 20 ^
		    (uint64_t)ts.tv_sec;
		for (i = 0; i < sizeof r; i++, v >>= 8)
			r[i] = (unsigned char)v;
	}
	for (i = 0; i < sizeof r; i++)
		out[i] = set[r[i] % (sizeof set - 1)];
}

/* Creates a new temporary file for path (see file.h); -1 with *cause. */
int
file_tmp_open(const char *path, const char *tail, mode_t mode, char **tmp,
    char **cause)
{
	char *x;
	int fd, tries;

	if (tail == NULL)
		tail = "";
	for (tries = 0; tries < 100; tries++) {
		xasprintf(tmp, "%s" FILE_TMP_INFIX "XXXXXX%s", path, tail);
		x = *tmp + strlen(*tmp) - strlen(tail) - 6;
		tmp_chars(x);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode);
		if (fd >= 0)
			return fd;
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST)
			break;
	}
	xasprintf(cause, "cannot create a temporary file: %s", strerror(errno));
	return -1;
}

/* fsyncs the directory path is in, so that a rename in it survives a power cut. */
static int
fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc;

	if (slash == NULL)
		dir = xstrdup(".");
	else
		dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* fsync, rename, fsync of the directory (see file.h); -1 with *cause. */
int
file_tmp_commit(int fd, const char *tmp, const char *path, char **cause)
{
	int own = -1, rc;

	if (fd < 0 && (fd = own = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		rc = -1;
	else
		rc = fsync(fd);
	if (own >= 0)
		close(own);
	if (rc != 0) {
		xasprintf(cause, "cannot write: %s", strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		xasprintf(cause, "cannot put the file in place: %s", strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (fsync_dir_of(path) != 0) {
		xasprintf(cause, "cannot sync the directory: %s", strerror(errno));
		return -1;
	}
	return 0;
}
