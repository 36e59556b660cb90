/*
 * The sealed copy of a bulletin. The stored file can be written by whoever
 * owns it at any moment of an airing; a copy in a memfd sealed with
 * F_SEAL_WRITE, F_SEAL_GROW, F_SEAL_SHRINK and F_SEAL_SEAL cannot be changed
 * by anyone, this process included, so the bytes hashed are the bytes
 * decoded. Bulletins are a few MB: the copy costs that much memory for the
 * length of one airing, and a few ms before it (bench/sealed.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/xmalloc.h"
#include "scheduler/sealed.h"

#define SEALS (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)

/* Copies size bytes of in into out; -1 with errno (0: in ended early). */
static int
sealed_fill(int in, int out, off_t size)
{
	off_t at = 0;
	ssize_t n;

	while (at < size) {
		n = sendfile(out, in, &at, (size_t)(size - at));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
	}
	return 0;
}

int
sched_sealed_copy(const char *path, char **cause)
{
	struct stat st;
	int in, mfd, rc = -2;

	if ((in = file_open_regular(path, &st)) < 0) {
		xasprintf(cause, "%s: %s", path, file_open_error(in));
		return -1;
	}
	if ((mfd = memfd_create("loaxa-airing", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0) {
		xasprintf(cause, "a private copy of %s: memfd_create: %s", path,
		    strerror(errno));
		close(in);
		return -2;
	}
	if (sealed_fill(in, mfd, st.st_size) != 0) {
		/* A file that shrinks under us, or fails to read, is the file's fault. */
		if (errno == 0 || errno == EIO) {
			rc = -1;
			xasprintf(cause, "%s: %s", path, errno == 0 ?
			    "shrank while it was read" : strerror(errno));
		} else
			xasprintf(cause, "a private copy of %s (%lld bytes): %s", path,
			    (long long)st.st_size, strerror(errno));
	} else if (fcntl(mfd, F_ADD_SEALS, SEALS) != 0)
		xasprintf(cause, "a private copy of %s: sealing: %s", path, strerror(errno));
	else
		rc = 0;
	close(in);
	if (rc != 0) {
		close(mfd);
		return rc;
	}
	return mfd;
}

void
sched_sealed_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}
