/*
 * The stored files checked against their rows: verify-library re-hashes
 * them all and removes old orphans, and the player opens a bulletin only
 * when its bytes are still the approved ones.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

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

/*
 * What the audit trail says of bulletin b: whether an 'approve' event names
 * the approved content, and the state its newest event left it in (NULL
 * when it has none; the caller frees it). -1 with *cause.
 */
static int
audit_of(struct library *lib, const struct lib_bulletin *b, int *approve_seen,
    char **last, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (lib_prepare(lib, "SELECT EXISTS (SELECT 1 FROM bulletin_events WHERE "
	    "bulletin_id = ?1 AND action = 'approve' AND sha256 = ?2), (SELECT "
	    "to_status FROM bulletin_events WHERE bulletin_id = ?1 ORDER BY id DESC "
	    "LIMIT 1)", &q, cause) != 0)
		return -1;
	sqlite3_bind_int64(q, 1, b->id);
	lib_bind_text(q, 2, b->approved_sha256);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*approve_seen = sqlite3_column_int(q, 0);
		*last = sqlite3_column_type(q, 1) == SQLITE_NULL ? NULL :
		    xstrdup((const char *)sqlite3_column_text(q, 1));
	} else
		*cause = store_error(lib->st, _("cannot read the audit trail"));
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Calls fn with one problem of bulletin b, its detail formatted from fmt. */
static void __attribute__((format(printf, 5, 6)))
problem(void (*fn)(const struct lib_problem *, void *), void *arg,
    const struct lib_bulletin *b, const char *what, const char *fmt, ...)
{
	struct lib_problem p = { b->id, b->path, what, NULL };
	char *detail;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&detail, fmt, ap);
	va_end(ap);
	p.detail = detail;
	fn(&p, arg);
	free(detail);
}

/*
 * Checks bulletin b as the workflow would have left it: its file where its
 * hash names it, the file's bytes that hash, what was approved that content,
 * and its approval and state in the audit trail. Calls fn per problem;
 * returns how many it found, or -1 with *cause when the store fails.
 */
static int
verify_one(struct library *lib, const struct lib_bulletin *b,
    void (*fn)(const struct lib_problem *, void *), void *arg, char **cause)
{
	struct stat sb;
	char hex[65], *err = NULL, *named, *last = NULL;
	int n = 0, approve_seen = 0;

	xasprintf(&named, "%s/%s/%s.%s", lib->datadir, LIB_FILES_DIR, b->sha256,
	    lib_format_ext(b->format));
	if (strcmp(b->path, named) != 0) {
		problem(fn, arg, b, "misfiled", _("the file of this content is %s"),
		    named);
		n++;
	}
	free(named);
	if (stat(b->path, &sb) != 0 && errno == ENOENT) {
		problem(fn, arg, b, "missing", _("the file is gone"));
		n++;
	} else if (lib_sha256_file(b->path, hex, &err) != 0) {
		problem(fn, arg, b, "unreadable", "%s", err);
		free(err);
		n++;
	} else if (strcmp(hex, b->sha256) != 0) {
		problem(fn, arg, b, "changed", _("SHA-256 is %s, expected %s"), hex,
		    b->sha256);
		n++;
	}
	if (b->approved_sha256 != NULL && strcmp(b->approved_sha256, b->sha256) != 0) {
		problem(fn, arg, b, "approval", _("the approved SHA-256 %s is not the "
		    "content's, %s"), b->approved_sha256, b->sha256);
		n++;
	}
	if (audit_of(lib, b, &approve_seen, &last, cause) != 0)
		return -1;
	if (b->approved_sha256 != NULL && !approve_seen) {
		problem(fn, arg, b, "unaudited", _("approved, but the audit trail has no "
		    "approval of SHA-256 %s"), b->approved_sha256);
		n++;
	} else if (last == NULL || strcmp(last, b->status) != 0) {
		problem(fn, arg, b, "unaudited", _("the bulletin is %s, but its audit "
		    "trail leaves it %s"), lib_status_word(b->status), last != NULL ?
		    lib_status_word(last) : _("unrecorded"));
		n++;
	}
	free(last);
	return n;
}

/*
 * Checks every bulletin (verify_one); reports and removes old orphan files.
 */
int
lib_verify(struct library *lib, void (*fn)(const struct lib_problem *, void *),
    void *arg, size_t *checked, size_t *bad, char **cause)
{
	struct lib_bulletin *all;
	struct lib_problem p;
	struct dirent *de;
	struct stat sb;
	size_t n, i;
	char *path;
	DIR *d;
	int known, found;

	*checked = *bad = 0;
	if (lib_list(lib, NULL, NULL, &all, &n, cause) != 0)
		return LIB_ERR;
	for (i = 0; i < n; i++) {
		(*checked)++;
		if ((found = verify_one(lib, &all[i], fn, arg, cause)) < 0) {
			lib_bulletins_free(&all, n);
			return LIB_ERR;
		}
		if (found > 0)
			(*bad)++;
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
			p.detail = _("a file no bulletin uses (left by an interrupted "
			    "import); removed");
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
		xasprintf(cause, _("bulletin %lld is %s, not approved"), (long long)id,
		    lib_status_word(b.status));
	else if (b.valid_from != NULL && strcmp(today, b.valid_from) < 0)
		xasprintf(cause, _("bulletin %lld is valid only from %s"), (long long)id,
		    b.valid_from);
	else if (b.valid_until != NULL && strcmp(today, b.valid_until) > 0)
		xasprintf(cause, _("bulletin %lld was valid only until %s"), (long long)id,
		    b.valid_until);
	else if (lib_sha256_file(b.path, hex, &err) != 0) {
		*tampered = 1;
		xasprintf(cause, _("%s: %s (bulletin %lld); not aired"), b.path, err,
		    (long long)id);
		free(err);
	} else if (strcmp(hex, b.approved_sha256) != 0) {
		*tampered = 1;
		xasprintf(cause, _("%s: the file changed since it was approved (SHA-256 "
		    "%.12s..., approved %.12s...); not aired"), b.path, hex,
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
