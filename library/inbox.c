/*
 * The package inbox: import what the district dropped, file it as done or
 * rejected. Whoever may drop files into the inbox may also plant links and
 * folders in it, so everything here is done relative to descriptors of the
 * inbox and of its subfolders, which must be real directories of loaxa's
 * own user: no link is followed, no file is written but one created
 * exclusively, and no move replaces anything.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "library/internal.h"

/* Orders names for qsort. */
static int
inbox_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Creates (when missing) and opens the inbox's subfolder sub, without
 * following a link; it must be a directory of the user loaxa runs as.
 * Returns the descriptor; -1 with *cause naming it.
 */
static int
inbox_subdir(int ifd, const char *inbox, const char *sub, char **cause)
{
	struct stat sb;
	int fd;

	if (mkdirat(ifd, sub, 0750) != 0 && errno != EEXIST) {
		xasprintf(cause, "%s/%s: %s", inbox, sub, strerror(errno));
		return -1;
	}
	fd = openat(ifd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			xasprintf(cause, _("%s/%s: not a directory (a link or a file); "
			    "remove it and loaxa makes its own"), inbox, sub);
		else
			xasprintf(cause, "%s/%s: %s", inbox, sub, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || sb.st_uid != geteuid()) {
		xasprintf(cause, _("%s/%s: belongs to another user (uid %ld), not to "
		    "the one loaxa runs as; remove it and loaxa makes its own"), inbox,
		    sub, (long)sb.st_uid);
		close(fd);
		return -1;
	}
	return fd;
}

/* Writes why and a newline to fd, mode 0640 whatever the umask; -1 with errno. */
static int
inbox_write_why(int fd, const char *why)
{
	char *clean = utf8_clean(why);
	int rc = fchmod(fd, 0640) != 0 || dprintf(fd, "%s\n", clean) < 0 ? -1 : 0;

	free(clean);
	return rc;
}

/* Moves inbox entry name to sfd/dest, never replacing; -1 with errno. */
static int
inbox_rename(int ifd, const char *name, int sfd, const char *dest)
{
	if (renameat2(ifd, name, sfd, dest, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A file system without RENAME_NOREPLACE: a link never replaces either. */
	if (linkat(ifd, name, sfd, dest, 0) != 0)
		return -1;
	return unlinkat(ifd, name, 0);
}

/*
 * Moves inbox entry name into the subfolder sfd (called sub) under the
 * first free name of NAME, NAME.1, ...; with why, writes it to a NAME.why
 * created exclusively first, so that both names are new. Sets *dest to the
 * allocated new name; -1 with *cause.
 */
static int
inbox_move(int ifd, const char *inbox, const char *name, int sfd,
    const char *sub, const char *why, char **dest, char **cause)
{
	char *wname = NULL;
	int i, wfd = -1, e;

	for (i = 0; i < 1000; i++) {
		if (i == 0)
			*dest = xstrdup(name);
		else
			xasprintf(dest, "%s.%d", name, i);
		if (why != NULL) {
			xasprintf(&wname, "%s.why", *dest);
			wfd = openat(sfd, wname, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0640);
		}
		if ((why == NULL || wfd >= 0) &&
		    inbox_rename(ifd, name, sfd, *dest) == 0) {
			if (wfd >= 0 && inbox_write_why(wfd, why) != 0)
				(void)unlinkat(sfd, wname, 0);
			if (wfd >= 0)
				close(wfd);
			free(wname);
			return 0;
		}
		e = errno;
		if (wfd >= 0) {
			(void)unlinkat(sfd, wname, 0); /* ours: just created */
			close(wfd);
			wfd = -1;
		}
		free(wname);
		wname = NULL;
		free(*dest);
		*dest = NULL;
		if (e != EEXIST) {
			xasprintf(cause, _("%s/%s: cannot move to %s/: %s"), inbox, name,
			    sub, strerror(e));
			return -1;
		}
	}
	xasprintf(cause, _("%s/%s: no free name left in %s/"), inbox, name, sub);
	return -1;
}

/*
 * Files an imported (why NULL) or refused package into the subfolder sfd
 * and counts it in *count. Returns ret, or LIB_ERR when it could not be
 * moved, keeping the first failure in *cause.
 */
static int
inbox_file(int ifd, const char *inbox, const char *name, int sfd,
    const char *sub, const char *why, size_t *count, int ret, char **cause)
{
	char *dest, *err = NULL;

	if (inbox_move(ifd, inbox, name, sfd, sub, why, &dest, &err) == 0) {
		(*count)++;
		free(dest);
		return ret;
	}
	if (*cause == NULL)
		*cause = err;
	else
		free(err);
	return LIB_ERR;
}

/* Whether a file with these times changed within LIB_INBOX_SETTLE_MS of now. */
static int
inbox_fresh(const struct stat *sb)
{
	const struct timespec *t = &sb->st_mtim;
	struct timespec now;
	long long age;

	/* A copy that sets the old mtime back (cp -p) still sets the ctime. */
	if (sb->st_ctim.tv_sec > t->tv_sec || (sb->st_ctim.tv_sec == t->tv_sec &&
	    sb->st_ctim.tv_nsec > t->tv_nsec))
		t = &sb->st_ctim;
	clock_gettime(CLOCK_REALTIME, &now);
	age = ((long long)now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
	return age >= 0 && age < LIB_INBOX_SETTLE_MS;
}

/* Whether name in ifd is still the regular file sb describes, unchanged. */
static int
inbox_same(int ifd, const char *name, const struct stat *sb)
{
	struct stat now;

	return fstatat(ifd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(now.st_mode) && now.st_ino == sb->st_ino &&
	    now.st_dev == sb->st_dev && now.st_size == sb->st_size &&
	    now.st_mtim.tv_sec == sb->st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == sb->st_mtim.tv_nsec;
}

/* The sorted names of the regular, non-dot files in ifd; -1 with errno. */
static int
inbox_list(int ifd, char ***names, size_t *n)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int fd;

	*names = NULL;
	*n = 0;
	if ((fd = fcntl(ifd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(ifd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(sb.st_mode)) {
			*names = xreallocarray(*names, *n + 1, sizeof **names);
			(*names)[(*n)++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (*n > 0)
		qsort(*names, *n, sizeof **names, inbox_cmp);
	return 0;
}

/* Imports each package in the inbox and files it (see library.h). */
int
lib_inbox(struct library *lib, const char *inbox,
    const struct lib_trusted *trusted, size_t ntrusted, const char *const *topics,
    void (*fn)(const char *path, int rc, const struct lib_pkg_result *,
    const char *cause, void *arg), void *arg, size_t *ndone, size_t *nrejected,
    size_t *nwaiting, char **cause)
{
	struct lib_pkg_result res;
	struct stat sb;
	char **names = NULL, *path, *why;
	size_t n = 0, i;
	int ifd, done = -1, rejected = -1, rc, ret = LIB_ERR;

	*ndone = *nrejected = *nwaiting = 0;
	if ((ifd = open(inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", inbox, strerror(errno));
		return LIB_ERR;
	}
	if ((done = inbox_subdir(ifd, inbox, "done", cause)) < 0 ||
	    (rejected = inbox_subdir(ifd, inbox, "rejected", cause)) < 0)
		goto out;
	if (inbox_list(ifd, &names, &n) != 0) {
		xasprintf(cause, "%s: %s", inbox, strerror(errno));
		goto out;
	}
	ret = 0;
	for (i = 0; i < n; i++) {
		if (fstatat(ifd, names[i], &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (inbox_fresh(&sb)) {
			(*nwaiting)++;
			continue;
		}
		why = NULL;
		xasprintf(&path, "%s/%s", inbox, names[i]);
		rc = lib_package_import(lib, path, trusted, ntrusted, topics, &res, &why);
		if (rc == LIB_REJECTED && !inbox_same(ifd, names[i], &sb)) {
			/* Written to while it was read: whole next time, perhaps. */
			(*nwaiting)++;
		} else {
			if (fn != NULL)
				fn(path, rc, &res, why, arg);
			if (rc == 0 || rc == LIB_REJECTED)
				ret = inbox_file(ifd, inbox, names[i], rc == 0 ? done :
				    rejected, rc == 0 ? "done" : "rejected", why,
				    rc == 0 ? ndone : nrejected, ret, cause);
		}
		lib_pkg_result_clear(&res);
		free(why);
		free(path);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rejected >= 0)
		close(rejected);
	if (done >= 0)
		close(done);
	close(ifd);
	return ret;
}
