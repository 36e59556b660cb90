/*
 * Writing a district package (the format is described in package.c): every
 * file checked as an import would check it, then the headers, metadata and
 * bytes signed as they are written, to a temporary file that is put in
 * place only when the whole package is on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/file.h"
#include "common/xmalloc.h"
#include "library/internal.h"

/* A package being written: the file and the signature state. */
struct pkg_writer {
	FILE *f;
	crypto_sign_state sign;
};

/* Writes and signs len bytes. */
static void
pkg_put(struct pkg_writer *w, const void *buf, size_t len)
{
	fwrite(buf, 1, len, w->f);
	crypto_sign_update(&w->sign, buf, len);
}

/* Writes and signs a formatted header line. */
static void __attribute__((format(printf, 2, 3)))
pkg_printf(struct pkg_writer *w, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	pkg_put(w, s, strlen(s));
	free(s);
}

/* The last component of path. */
static const char *
pkg_basename(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/*
 * Checks head's retirements: SHA-256s, each once, none of them packed in
 * the same package (info holds the n entries' hashes).
 */
static int
pkg_check_retire(const struct lib_pkg_head *head, const struct audio_info *info,
    size_t n, char **cause)
{
	const char *r;
	size_t i, k;

	for (i = 0; i < head->nretire; i++) {
		r = head->retire[i];
		if (strlen(r) != 64 || !lib_pkg_sha256_ok(r)) {
			xasprintf(cause, _("retire: '%.70s' is not a SHA-256 (64 lower-case "
			    "hexadecimal digits)"), r);
			return LIB_REJECTED;
		}
		for (k = 0; k < i; k++)
			if (strcmp(head->retire[k], r) == 0) {
				xasprintf(cause, _("retire: %s is given twice"), r);
				return LIB_REJECTED;
			}
		for (k = 0; k < n; k++)
			if (strcmp(info[k].sha256, r) == 0) {
				xasprintf(cause, _("retire: %s is also packed in this package"),
				    r);
				return LIB_REJECTED;
			}
	}
	return 0;
}

/*
 * Checks the n files as an import would (and that their names can travel
 * and differ), filling info[i] for each; LIB_REJECTED with the reason.
 */
static int
pkg_check(const struct lib_pkg_entry *entries, size_t n, struct audio_info *info,
    char **cause)
{
	const char *name;
	char *why = NULL;
	size_t i, k;

	for (i = 0; i < n; i++) {
		name = pkg_basename(entries[i].path);
		if (!lib_pkg_name_ok(name)) {
			xasprintf(cause, _("%s: the file name cannot travel in a package"),
			    entries[i].path);
			return LIB_REJECTED;
		}
		for (k = 0; k < i; k++)
			if (strcmp(pkg_basename(entries[k].path), name) == 0) {
				xasprintf(cause, _("%s: two files are named %s"), entries[i].path,
				    name);
				return LIB_REJECTED;
			}
		if (lib_check_meta(&entries[i].meta, &why) != 0 ||
		    audio_probe(entries[i].path, &info[i], &why) != 0 ||
		    lib_check_probe(&info[i], &why) != 0) {
			xasprintf(cause, "%s: %s", entries[i].path, why);
			free(why);
			return LIB_REJECTED;
		}
	}
	return 0;
}

/*
 * Writes an entry's metadata lines: the packer's, else the title and artist
 * the file carries when they fit on one line.
 */
static void
pkg_write_meta(struct pkg_writer *w, const struct lib_meta *m,
    const struct audio_info *info)
{
	const char *title = m->title, *agency = m->agency;
	size_t k;

	if (title == NULL && info->title != NULL && info->title[0] != '\0' &&
	    lib_text_ok(info->title, 500))
		title = info->title;
	if (agency == NULL && info->artist != NULL && info->artist[0] != '\0' &&
	    lib_text_ok(info->artist, 500))
		agency = info->artist;
	if (title != NULL)
		pkg_printf(w, "title %s\n", title);
	if (m->topic != NULL)
		pkg_printf(w, "topic %s\n", m->topic);
	if (agency != NULL)
		pkg_printf(w, "agency %s\n", agency);
	if (m->valid_from != NULL)
		pkg_printf(w, "from %s\n", m->valid_from);
	if (m->valid_until != NULL)
		pkg_printf(w, "until %s\n", m->valid_until);
	if (m->min_airings != 0)
		pkg_printf(w, "min-airings %d\n", m->min_airings);
	if (m->priority != NULL)
		pkg_printf(w, "priority %s\n", m->priority);
	for (k = 0; k < m->ntags; k++)
		pkg_printf(w, "%s%s", k == 0 ? "tags " : " ", m->tags[k]);
	if (m->ntags > 0)
		pkg_put(w, "\n", 1);
	pkg_put(w, "\n", 1);
}

/*
 * Writes one entry: its line, its metadata, its bytes. The bytes must be
 * the ones validated (LIB_REJECTED if the file changed since); LIB_ERR when
 * the file cannot be read.
 */
static int
pkg_write_entry(struct pkg_writer *w, const struct lib_pkg_entry *e,
    const struct audio_info *info, char **cause)
{
	crypto_hash_sha256_state h;
	unsigned char buf[65536], d[crypto_hash_sha256_BYTES];
	char hex[65];
	struct stat sb;
	size_t got;
	FILE *in;

	if ((in = fopen(e->path, "rbe")) == NULL || fstat(fileno(in), &sb) != 0) {
		xasprintf(cause, "%s: %s", e->path, strerror(errno));
		if (in != NULL)
			fclose(in);
		return LIB_ERR;
	}
	if ((int64_t)sb.st_size > LIB_PKG_MAX_ENTRY) {
		xasprintf(cause, _("%s: too big for a package (at most %lld bytes)"),
		    e->path, (long long)LIB_PKG_MAX_ENTRY);
		fclose(in);
		return LIB_REJECTED;
	}
	pkg_printf(w, "entry %lld %s %s\n", (long long)sb.st_size, info->sha256,
	    pkg_basename(e->path));
	pkg_write_meta(w, &e->meta, info);
	crypto_hash_sha256_init(&h);
	while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
		pkg_put(w, buf, got);
		crypto_hash_sha256_update(&h, buf, got);
	}
	fclose(in);
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hex, sizeof hex, d, sizeof d);
	/* What was validated must be what is packed. */
	if (strcmp(hex, info->sha256) != 0) {
		xasprintf(cause, _("%s: the file changed while it was being packed"),
		    e->path);
		return LIB_REJECTED;
	}
	pkg_put(w, "\n", 1);
	return 0;
}

/* Writes the whole package to w->f, signed with sk; the caller syncs it. */
static int
pkg_write(struct pkg_writer *w, const unsigned char sk[LIB_KEY_SECRET],
    const struct lib_pkg_head *head, const struct lib_pkg_entry *entries,
    size_t n, const struct audio_info *info, char **cause)
{
	unsigned char sig[crypto_sign_BYTES];
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	size_t i;
	int rc;

	crypto_sign_init(&w->sign);
	sodium_bin2base64(b64, sizeof b64, sk + 32, 32, sodium_base64_VARIANT_ORIGINAL);
	pkg_printf(w, "%s\nsigner %s\nsigned-at %" PRId64 "\nsequence %" PRId64
	    "\nentries %zu\n\n", LIB_PKG_MAGIC, b64, head->signed_at, head->sequence,
	    n + head->nretire);
	for (i = 0; i < n; i++)
		if ((rc = pkg_write_entry(w, &entries[i], &info[i], cause)) != 0)
			return rc;
	for (i = 0; i < head->nretire; i++)
		pkg_printf(w, "retire %s\n", head->retire[i]);
	pkg_put(w, "end\n", 4);
	crypto_sign_final_create(&w->sign, sig, NULL, sk);
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig,
	    sodium_base64_VARIANT_ORIGINAL);
	fprintf(w->f, "signature %s\n", b64);
	return 0;
}

/* Validates each file, then writes the signed package atomically to out. */
int
lib_package_create(const unsigned char sk[LIB_KEY_SECRET],
    const struct lib_pkg_head *head, const struct lib_pkg_entry *entries,
    size_t n, const char *out, char **cause)
{
	struct audio_info *info;
	struct pkg_writer w = { 0 };
	char *tmp = NULL, *why = NULL;
	size_t i;
	int rc, fd;

	if (sodium_init() < 0) {
		xasprintf(cause, _("cannot initialise libsodium"));
		return LIB_ERR;
	}
	if (n + head->nretire < 1 || n + head->nretire > LIB_PKG_MAX_ENTRIES) {
		xasprintf(cause, _("a package holds from 1 to %d bulletins and "
		    "retirements"), LIB_PKG_MAX_ENTRIES);
		return LIB_REJECTED;
	}
	if (head->sequence < 1 || head->signed_at < 0) {
		xasprintf(cause, _("a package needs a sequence number above 0"));
		return LIB_REJECTED;
	}
	info = xcalloc(n + 1, sizeof *info);
	if ((rc = pkg_check(entries, n, info, cause)) != 0 ||
	    (rc = pkg_check_retire(head, info, n, cause)) != 0)
		goto out;
	rc = LIB_ERR;
	if ((fd = file_tmp_open(out, NULL, 0644, &tmp, &why)) < 0) {
		xasprintf(cause, "%s: %s", out, why);
		goto out;
	}
	fchmod(fd, 0644); /* a package is to share, whatever the umask */
	if ((w.f = fdopen(fd, "wb")) == NULL) {
		xasprintf(cause, "%s: %s", out, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if ((rc = pkg_write(&w, sk, head, entries, n, info, cause)) != 0)
		unlink(tmp);
	else if (fflush(w.f) != 0 || ferror(w.f)) {
		xasprintf(cause, _("%s: cannot write: %s"), out, strerror(errno));
		unlink(tmp);
		rc = LIB_ERR;
	} else if (file_tmp_commit(fileno(w.f), tmp, out, &why) != 0) {
		xasprintf(cause, "%s: %s", out, why);
		rc = LIB_ERR;
	}
	fclose(w.f);
out:
	for (i = 0; i < n; i++)
		audio_info_clear(&info[i]);
	free(info);
	free(tmp);
	free(why);
	return rc;
}

/*
 * Reads the counter at path into *last: one decimal number above 0. 1 when
 * there is no counter, -1 with *cause.
 */
static int
pkg_counter_read(const char *path, int64_t *last, char **cause)
{
	char buf[32], *end;
	ssize_t got;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 1;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	got = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (got < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf[got] = '\0';
	errno = 0;
	*last = strtoll(buf, &end, 10);
	if (end == buf || (*end != '\n' && *end != '\0') || errno != 0 ||
	    *last < 1 || *last == INT64_MAX) {
		xasprintf(cause, _("%s: not a package counter (one number); restore it "
		    "or remove it to start again from the time"), path);
		return -1;
	}
	return 0;
}

/*
 * Writes value to the counter at path: through a temporary file renamed in
 * place, or, with create, linked in place so that a counter made meanwhile
 * is never replaced.
 */
static int
pkg_counter_write(const char *path, int64_t value, int create, char **cause)
{
	char *tmp = NULL, *why = NULL, buf[32];
	int fd, n, rc = -1;

	if ((fd = file_tmp_open(path, NULL, 0600, &tmp, &why)) < 0) {
		xasprintf(cause, "%s: %s", path, why);
		free(why);
		return -1;
	}
	n = snprintf(buf, sizeof buf, "%" PRId64 "\n", value);
	if (write(fd, buf, (size_t)n) != n || fsync(fd) != 0)
		xasprintf(cause, _("%s: cannot write: %s"), tmp, strerror(errno));
	else if (create && link(tmp, path) != 0)
		xasprintf(cause, "%s: %s", path, strerror(errno));
	else if (!create && file_tmp_commit(fd, tmp, path, &why) != 0)
		xasprintf(cause, "%s: %s", path, why);
	else
		rc = 0;
	if (create || rc != 0)
		unlink(tmp);
	close(fd);
	free(tmp);
	free(why);
	return rc;
}

/* The next sequence from the counter beside keypath (see library.h). */
int
lib_pkg_sequence_next(const char *keypath, int64_t now, int64_t *seq,
    char **cause)
{
	char *path;
	int64_t last = 0;
	int kfd, rc;

	if ((kfd = open(keypath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    flock(kfd, LOCK_EX) != 0) {
		xasprintf(cause, "%s: %s", keypath, strerror(errno));
		if (kfd >= 0)
			close(kfd);
		return LIB_ERR;
	}
	xasprintf(&path, "%s.seq", keypath);
	if ((rc = pkg_counter_read(path, &last, cause)) >= 0) {
		*seq = rc == 1 ? (now > 0 ? now : 1) : last + 1;
		rc = pkg_counter_write(path, *seq, rc == 1, cause);
	}
	free(path);
	close(kfd);
	return rc == 0 ? 0 : LIB_ERR;
}
