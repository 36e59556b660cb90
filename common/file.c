/*
 * A file a user names (an audio file, a package, a key, an export) may be a
 * FIFO without a writer, a device such as /dev/zero, or a directory. Opening
 * it non-blocking and refusing anything but a regular file means no command
 * waits for ever or reads without end on one.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

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
