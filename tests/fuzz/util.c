/* The fuzz targets' scratch directory and file helpers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "tests/fuzz/util.h"

static char *scratch;

/* Removes the scratch directory and what is in it. */
static void
fuzz_cleanup(void)
{
	DIR *d;
	struct dirent *de;
	char *p;

	if (scratch == NULL)
		return;
	if ((d = opendir(scratch)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
			    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
				continue;
			xasprintf(&p, "%s/%s", scratch, de->d_name);
			fuzz_empty(p);
			if (unlink(p) != 0)
				rmdir(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(scratch);
}

const char *
fuzz_dir(void)
{
	struct stat sb;
	const char *base = getenv("LOAXA_FUZZ_TMP");

	if (scratch != NULL)
		return scratch;
	/* libFuzzer ends without atexit: tests/fuzz/run names and removes a parent. */
	if (base == NULL)
		base = "/dev/shm";
	if (stat(base, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(base, W_OK) != 0)
		base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	xasprintf(&scratch, "%s/loaxa-fuzz.XXXXXX", base);
	if (mkdtemp(scratch) == NULL)
		fuzz_fail("mkdtemp %s: %s", scratch, strerror(errno));
	atexit(fuzz_cleanup);
	return scratch;
}

char *
fuzz_path(const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s", fuzz_dir(), name);
	return p;
}

void
fuzz_write(const char *path, const void *data, size_t len)
{
	const char *b = data;
	ssize_t w;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		fuzz_fail("%s: %s", path, strerror(errno));
	while (len > 0) {
		if ((w = write(fd, b, len)) < 0)
			fuzz_fail("%s: %s", path, strerror(errno));
		b += w;
		len -= (size_t)w;
	}
	close(fd);
}

void
fuzz_empty(const char *dir)
{
	DIR *d;
	struct dirent *de;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
