/*
 * The stored files checked against their rows: verify-library re-hashes
 * them all and removes old orphans, and the player opens a bulletin only
 * when its bytes are still the approved ones.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/xmalloc.h"
#include "library/internal.h"

#define ORPHAN_AGE_S 3600

/* Whether name is a stored file some row names (relative LIB_FILES_DIR/name). */
static int
file_known(struct library *lib, const char *name, char **cause)
{
	sqlite3_stmt *q;
	char *rel;
	int rc;

	if (lib_prepare(lib, "SELECT 1 FROM bulletins WHERE file = ?", &q, cause) != 0)
		return -1;
	xasprintf(&rel, "%s/%s", LIB_FILES_DIR, name);
	lib_bind_text(q, 1, rel);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	free(rel);
	return rc == SQLITE_ROW;
}

/* Re-hashes every stored file; reports and removes old orphans. */
int
lib_verify(struct library *lib, void (*fn)(const struct lib_problem *, void *),
    void *arg, size_t *checked, size_t *bad, char **cause)
{
	struct lib_bulletin *all;
	struct lib_problem p;
	struct dirent *de;
	struct stat sb;
	size_t n, i;
	char hex[65], *err = NULL, *path, *detail;
	const char *want;
	DIR *d;
	int known;

	*checked = *bad = 0;
	if (lib_list(lib, NULL, NULL, &all, &n, cause) != 0)
		return LIB_ERR;
	for (i = 0; i < n; i++) {
		(*checked)++;
		want = all[i].approved_sha256 != NULL ? all[i].approved_sha256 :
		    all[i].sha256;
		memset(&p, 0, sizeof p);
		p.id = all[i].id;
		p.path = all[i].path;
		detail = NULL;
		if (stat(all[i].path, &sb) != 0 && errno == ENOENT) {
			p.what = "missing";
			p.detail = "the file is gone";
		} else if (lib_sha256_file(all[i].path, hex, &err) != 0) {
			p.what = "unreadable";
			p.detail = detail = err;
			err = NULL;
		} else if (strcmp(hex, want) != 0) {
			p.what = "changed";
			xasprintf(&detail, "SHA-256 is %s, expected %s", hex, want);
			p.detail = detail;
		}
		if (p.what != NULL) {
			(*bad)++;
			fn(&p, arg);
		}
		free(detail);
	}
	lib_bulletins_free(&all, n);
	if ((d = opendir(lib->filesdir)) == NULL) {
		xasprintf(cause, "%s: %s", lib->filesdir, strerror(errno));
		return LIB_ERR;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((known = file_known(lib, de->d_name, cause)) < 0) {
			closedir(d);
			return LIB_ERR;
		}
		if (known)
			continue;
		xasprintf(&path, "%s/%s", lib->filesdir, de->d_name);
		/* Young orphans may belong to an import under way: leave them. */
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_mtime + ORPHAN_AGE_S < (lib_now_ms() / 1000) &&
		    unlink(path) == 0) {
			memset(&p, 0, sizeof p);
			p.path = path;
			p.what = "orphan";
			p.detail = "a file no bulletin uses (left by an interrupted "
			    "import); removed";
			fn(&p, arg);
		}
		free(path);
	}
	closedir(d);
	return 0;
}

/* Frees the strings of a and zeroes it. */
void
lib_airing_clear(struct lib_airing *a)
{
	free(a->path);
	free(a->sha256);
	free(a->title);
	free(a->topic);
	free(a->priority);
	memset(a, 0, sizeof *a);
}

/* The player's door: approved, in its window, and its bytes the approved ones. */
int
lib_open_for_airing(struct library *lib, int64_t id, int64_t now_ms,
    struct lib_airing *a, int *tampered, char **cause)
{
	struct lib_bulletin b;
	char today[11], hex[65], *err = NULL;
	int rc;

	memset(a, 0, sizeof *a);
	*tampered = 0;
	if ((rc = lib_get(lib, id, &b, cause)) != 0)
		return rc;
	lib_date(now_ms, today);
	rc = LIB_REJECTED;
	if (strcmp(b.status, "approved") != 0 || b.approved_sha256 == NULL)
		xasprintf(cause, "bulletin %lld is %s, not approved", (long long)id,
		    b.status);
	else if (b.valid_from != NULL && strcmp(today, b.valid_from) < 0)
		xasprintf(cause, "bulletin %lld is valid only from %s", (long long)id,
		    b.valid_from);
	else if (b.valid_until != NULL && strcmp(today, b.valid_until) > 0)
		xasprintf(cause, "bulletin %lld was valid only until %s", (long long)id,
		    b.valid_until);
	else if (lib_sha256_file(b.path, hex, &err) != 0) {
		*tampered = 1;
		xasprintf(cause, "%s: %s (bulletin %lld); not aired", b.path, err,
		    (long long)id);
		free(err);
	} else if (strcmp(hex, b.approved_sha256) != 0) {
		*tampered = 1;
		xasprintf(cause, "%s: the file changed since it was approved (SHA-256 "
		    "%.12s..., approved %.12s...); not aired", b.path, hex,
		    b.approved_sha256);
	} else
		rc = 0;
	if (rc == 0) {
		a->id = b.id;
		a->path = b.path;
		a->sha256 = b.approved_sha256;
		a->title = b.title;
		a->topic = b.topic;
		a->priority = b.priority;
		a->duration_ms = b.duration_ms;
		a->loudness_lufs = b.loudness_lufs;
		b.path = b.approved_sha256 = b.title = b.topic = b.priority = NULL;
	}
	lib_bulletin_clear(&b);
	return rc;
}
