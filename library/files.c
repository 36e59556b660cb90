/*
 * The file side of the library: content-addressed files in DATA/bulletins,
 * written atomically (temporary file, fsync, rename, fsync of the directory),
 * and SHA-256 over a file's bytes. A temporary file is flock'ed by the
 * process writing it, so that one left by a process that died is known as
 * such and swept away by the next lib_new.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/date.h"
#include "common/file.h"
#include "common/now.h"
#include "common/xmalloc.h"
#include "library/internal.h"

#define COPY_BUF 65536

/* Maps a probe format to the extension its stored file gets. */
const char *
lib_format_ext(const char *format)
{
	static const struct {
		const char *format, *ext;
	} map[] = { { "mp3", "mp3" }, { "mp2", "mp2" }, { "wav", "wav" },
		{ "flac", "flac" }, { "vorbis", "ogg" }, { "ogg", "ogg" },
		{ "opus", "opus" } };
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].format, format) == 0)
			return map[i].ext;
	return "bin";
}

/* Hashes what is left to read of fd into lower-case hex; -1 with *cause. */
static int
sha256_fd(int fd, char out[65], char **cause)
{
	crypto_hash_sha256_state h;
	unsigned char buf[COPY_BUF], d[crypto_hash_sha256_BYTES];
	ssize_t r;

	crypto_hash_sha256_init(&h);
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, _("cannot read: %s"), strerror(errno));
			return -1;
		}
		crypto_hash_sha256_update(&h, buf, (size_t)r);
	}
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(out, 65, d, sizeof d);
	return 0;
}

/* Hashes the file at path into lower-case hex; -1 with *cause (no file name). */
int
lib_sha256_file(const char *path, char out[65], char **cause)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		xasprintf(cause, "%s", strerror(errno));
		return -1;
	}
	rc = sha256_fd(fd, out, cause);
	close(fd);
	return rc;
}

/*
 * Whether the stored file at path is one the library wrote and may keep:
 * a regular file (not a link) of the user loaxa runs as, with one link and
 * no write bit for group or others, whose bytes hash to sha256. Anything
 * else (planted there, hard-linked from elsewhere, writable by another)
 * is not adopted: it is copied anew over it.
 */
static int
stored_own(const char *path, const char *sha256)
{
	struct stat sb;
	char hex[65], *err = NULL;
	int fd, ok;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == geteuid() && sb.st_nlink == 1 &&
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
	    sha256_fd(fd, hex, &err) == 0 && strcmp(hex, sha256) == 0;
	free(err);
	close(fd);
	return ok;
}

/* Writes all of buf to fd, retrying short writes; -1 with errno. */
static int
write_all(int fd, const unsigned char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Opens a temporary file DIR/.tmp-XXXXXX.EXT, mode 0640, for writing, and
 * holds an exclusive flock on it until it is committed or removed: a
 * temporary file nobody holds belongs to an import that died, and
 * lib_tmp_sweep removes it. A sweep that took the file between its creation
 * and our lock has unlinked it; then we start again with a new name.
 */
int
lib_tmp_open(struct library *lib, const char *ext, char **tmp, char **cause)
{
	struct stat sb;
	char *dir, *tail, *why;
	int fd = -1, tries;

	xasprintf(&dir, "%s/", lib->filesdir);
	xasprintf(&tail, ".%s", ext);
	for (tries = 0; tries < 10; tries++) {
		if ((fd = file_tmp_open(dir, tail, 0640, tmp, &why)) < 0) {
			xasprintf(cause, "%s: %s", lib->filesdir, why);
			free(why);
			break;
		}
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &sb) == 0 && sb.st_nlink > 0) {
			fchmod(fd, 0640);
			break;
		}
		close(fd);
		fd = -1;
		free(*tmp);
		*tmp = NULL;
	}
	free(dir);
	free(tail);
	if (fd >= 0 || tries < 10) /* held, or *cause says why not */
		return fd;
	xasprintf(cause, _("%s: cannot keep a temporary file: %s"), lib->filesdir,
	    strerror(errno ? errno : EAGAIN));
	return -1;
}

/*
 * Removes the temporary files of imports that died (killed, power cut): the
 * ones no process holds the flock of. Files it may not open or remove (a
 * reader without write access) are left alone. Returns how many it removed.
 */
int
lib_tmp_sweep(struct library *lib)
{
	struct stat held, named;
	struct dirent *de;
	int dfd, fd, n = 0;
	DIR *d;

	if ((d = opendir(lib->filesdir)) == NULL)
		return 0;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, LIB_TMP_PREFIX, strlen(LIB_TMP_PREFIX)) != 0)
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
		if (fd < 0)
			continue;
		/* Still the same file under that name once locked: then unlink. */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &held) == 0 &&
		    fstatat(dfd, de->d_name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
		    held.st_ino == named.st_ino && held.st_dev == named.st_dev &&
		    S_ISREG(held.st_mode) && unlinkat(dfd, de->d_name, 0) == 0)
			n++;
		close(fd);
	}
	closedir(d);
	return n;
}

/* Renames the synced temporary file to its content name; closes fd either way. */
int
lib_tmp_commit(struct library *lib, int fd, const char *tmp, const char *sha256,
    const char *ext, char **rel, char **cause)
{
	char *final, *why;

	xasprintf(rel, "%s/%s.%s", LIB_FILES_DIR, sha256, ext);
	xasprintf(&final, "%s/%s", lib->datadir, *rel);
	/* The lock is held until the rename: a sweep never takes a live file. */
	if (file_tmp_commit(fd, tmp, final, &why) != 0) {
		xasprintf(cause, _("%s: cannot store the file: %s"), final, why);
		free(why);
		free(*rel);
		*rel = NULL;
	}
	close(fd);
	free(final);
	return *rel != NULL ? 0 : -1;
}

/* Copies src into the store, checking its bytes still hash to sha256. */
int
lib_store_copy(struct library *lib, const char *src, const char *sha256,
    const char *ext, char **rel, char **cause)
{
	crypto_hash_sha256_state h;
	unsigned char buf[COPY_BUF], d[crypto_hash_sha256_BYTES];
	char hex[65], *final, *tmp;
	struct stat sb;
	ssize_t r;
	int in, out, own;

	/* An orphan from an earlier, interrupted import is reused when intact. */
	xasprintf(&final, "%s/%s/%s.%s", lib->datadir, LIB_FILES_DIR, sha256, ext);
	own = stored_own(final, sha256);
	free(final);
	if (own) {
		xasprintf(rel, "%s/%s.%s", LIB_FILES_DIR, sha256, ext);
		return 0;
	}
	if ((in = file_open_regular(src, &sb)) < 0) {
		xasprintf(cause, "%s", file_open_error(in));
		return in == FILE_NOT_REGULAR ? LIB_REJECTED : LIB_ERR;
	}
	if ((out = lib_tmp_open(lib, ext, &tmp, cause)) < 0) {
		close(in);
		return LIB_ERR;
	}
	crypto_hash_sha256_init(&h);
	while ((r = read(in, buf, sizeof buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || write_all(out, buf, (size_t)r) != 0) {
			xasprintf(cause, _("cannot copy into the library: %s"),
			    strerror(errno));
			goto fail;
		}
		crypto_hash_sha256_update(&h, buf, (size_t)r);
	}
	close(in);
	in = -1;
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hex, sizeof hex, d, sizeof d);
	if (strcmp(hex, sha256) != 0) {
		xasprintf(cause, _("the file changed while it was being imported"));
		close(out);
		unlink(tmp);
		free(tmp);
		return LIB_REJECTED;
	}
	if (lib_tmp_commit(lib, out, tmp, sha256, ext, rel, cause) != 0) {
		free(tmp);
		return LIB_ERR;
	}
	free(tmp);
	return 0;
fail:
	if (in >= 0)
		close(in);
	close(out);
	unlink(tmp);
	free(tmp);
	return LIB_ERR;
}

/* Local date of now_ms; falls back to UTC when localtime fails. */
void
lib_date(int64_t now_ms, char out[11])
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The realtime clock in ms; the audit trail and validity use wall time. */
int64_t
lib_now_ms(void)
{
	return now_real_ms();
}

/* A real calendar day written YYYY-MM-DD (common/date.h's rule). */
int
lib_date_valid(const char *s)
{
	return date_valid(s);
}
