/*
 * Adding bulletins: a file validated, stored under its SHA-256, then its
 * row, its audit entries and its tags in one transaction; and tags added
 * to a bulletin that is already there.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/i18n.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

/* How many tags bulletin id has; -1 with *cause on a database error. */
static int
tag_count(struct library *lib, int64_t id, char **cause)
{
	sqlite3_stmt *q;
	int n = -1;

	if (lib_prepare(lib, "SELECT count(*) FROM bulletin_tags WHERE bulletin_id = ?",
	    &q, cause) != 0)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	else
		*cause = store_error(lib->st, _("database"));
	sqlite3_finalize(q);
	return n;
}

/* Adds the tags id lacks; the caller holds the transaction. */
int
lib_tags_insert(struct library *lib, int64_t id, const char *const *tags, size_t n,
    const char *actor, size_t *added, char **cause)
{
	sqlite3_stmt *q;
	int64_t now = lib_now_ms();
	char *clean = NULL;
	size_t i, k = 0;
	int rc, have;

	if (added != NULL)
		*added = 0;
	if (n == 0)
		return 0;
	if (lib_prepare(lib, "INSERT OR IGNORE INTO bulletin_tags (bulletin_id, tag, "
	    "added_at, added_by) VALUES (?, ?, ?, ?)", &q, cause) != 0)
		return LIB_ERR;
	/* As in the audit trail: who added it stays valid UTF-8 text. */
	if (!lib_text_ok(actor, SIZE_MAX))
		actor = clean = utf8_clean(actor);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(q, 1, id);
		lib_bind_text(q, 2, tags[i]);
		sqlite3_bind_int64(q, 3, now);
		lib_bind_text(q, 4, actor);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			*cause = store_error(lib->st, _("cannot add the tag"));
			sqlite3_finalize(q);
			free(clean);
			return LIB_ERR;
		}
		k += (size_t)sqlite3_changes(store_db(lib->st));
	}
	sqlite3_finalize(q);
	free(clean);
	if ((have = tag_count(lib, id, cause)) < 0)
		return LIB_ERR;
	if (have > LIB_TAGS_MAX) {
		xasprintf(cause, _("bulletin %lld would have %d tags; a bulletin has at "
		    "most %d"), (long long)id, have, LIB_TAGS_MAX);
		return LIB_REJECTED;
	}
	if (added != NULL)
		*added = k;
	return 0;
}

/* lib_tags_insert in a transaction of its own, for a bulletin that exists. */
int
lib_tag_add(struct library *lib, int64_t id, const char *const *tags, size_t n,
    const char *actor, size_t *added, char **cause)
{
	struct lib_meta m = { .tags = tags, .ntags = n };
	struct lib_bulletin b;
	char *err = NULL;
	int rc;

	*added = 0;
	if ((rc = lib_check_meta(&m, cause)) != 0)
		return rc;
	if (store_begin(lib->st, &err) != 0) {
		xasprintf(cause, _("database: %s"), err);
		free(err);
		return LIB_ERR;
	}
	if ((rc = lib_get(lib, id, &b, cause)) == 0) {
		lib_bulletin_clear(&b);
		rc = lib_tags_insert(lib, id, tags, n, actor, added, cause);
	}
	if ((rc = lib_tx_end(lib, rc, cause)) != 0)
		*added = 0;
	return rc;
}

/* Inserts the row and its audit entries; the caller holds the transaction. */
static int
insert_row(struct library *lib, const struct audio_info *info, const char *rel,
    const struct lib_meta *m, const char *fallback_title, const char *actor,
    int approve, int64_t size, int64_t *id, char **cause)
{
	const char *title, *agency;
	int64_t now = lib_now_ms();
	sqlite3_stmt *q;
	int rc;

	title = m->title;
	if (title == NULL && info->title != NULL && info->title[0] != '\0' &&
	    lib_text_ok(info->title, 500))
		title = info->title;
	if (title == NULL)
		title = fallback_title;
	agency = m->agency;
	if (agency == NULL && info->artist != NULL && info->artist[0] != '\0' &&
	    lib_text_ok(info->artist, 500))
		agency = info->artist;
	if (lib_prepare(lib, "INSERT INTO bulletins (sha256, file, title, topic, agency, "
	    "priority, status, valid_from, valid_until, min_airings, format, "
	    "sample_rate, channels, duration_ms, size, loudness_lufs, true_peak_dbtp, "
	    "approved_sha256, approved_by, approved_at, source, imported_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &q,
	    cause) != 0)
		return LIB_ERR;
	lib_bind_text(q, 1, info->sha256);
	lib_bind_text(q, 2, rel);
	lib_bind_text(q, 3, title);
	lib_bind_text(q, 4, m->topic);
	lib_bind_text(q, 5, agency);
	lib_bind_text(q, 6, m->priority != NULL ? m->priority : "normal");
	lib_bind_text(q, 7, approve ? "approved" : "pending");
	lib_bind_text(q, 8, m->valid_from);
	lib_bind_text(q, 9, m->valid_until);
	sqlite3_bind_int(q, 10, m->min_airings);
	lib_bind_text(q, 11, info->format);
	sqlite3_bind_int(q, 12, info->sample_rate);
	sqlite3_bind_int(q, 13, info->channels);
	sqlite3_bind_int64(q, 14, info->duration_ms);
	sqlite3_bind_int64(q, 15, size);
	if (isfinite(info->loudness_lufs))
		sqlite3_bind_double(q, 16, info->loudness_lufs);
	else
		sqlite3_bind_null(q, 16);
	if (isfinite(info->true_peak_dbtp))
		sqlite3_bind_double(q, 17, info->true_peak_dbtp);
	else
		sqlite3_bind_null(q, 17);
	lib_bind_text(q, 18, approve ? info->sha256 : NULL);
	lib_bind_text(q, 19, approve ? actor : NULL);
	if (approve)
		sqlite3_bind_int64(q, 20, now);
	else
		sqlite3_bind_null(q, 20);
	lib_bind_text(q, 21, m->source);
	sqlite3_bind_int64(q, 22, now);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, _("cannot add the bulletin"));
		return LIB_ERR;
	}
	*id = sqlite3_last_insert_rowid(store_db(lib->st));
	if (lib_event_add(lib, *id, now, actor, "import", NULL, "pending", m->source,
	    info->sha256, cause) != 0)
		return LIB_ERR;
	if (approve && lib_event_add(lib, *id, now, actor, "approve", "pending",
	    "approved", "approved on import", info->sha256, cause) != 0)
		return LIB_ERR;
	return lib_tags_insert(lib, *id, m->tags, m->ntags, actor, NULL, cause);
}

/* insert_row, with the file name it came from made valid text. */
int
lib_insert(struct library *lib, const struct audio_info *info, const char *rel,
    const struct lib_meta *m, const char *fallback_title, const char *actor,
    int approve, int64_t size, int64_t *id, char **cause)
{
	struct lib_meta clean = *m;
	char *source = m->source != NULL ? utf8_clean(m->source) : NULL;
	int rc;

	clean.source = source;
	rc = insert_row(lib, info, rel, &clean, fallback_title, actor, approve, size,
	    id, cause);
	free(source);
	return rc;
}

/* The file's name without directories and extension, for a fallback title. */
static char *
base_title(const char *path)
{
	const char *b = strrchr(path, '/');
	char *t, *dot;

	t = xstrdup(b != NULL ? b + 1 : path);
	if ((dot = strrchr(t, '.')) != NULL && dot != t)
		*dot = '\0';
	if (!lib_text_ok(t, 500) || t[0] == '\0') {
		free(t);
		t = xstrdup("(untitled)");
	}
	return t;
}

/* Validates path, stores its bytes, then adds the row in one transaction. */
int
lib_import(struct library *lib, const char *path, const struct lib_meta *m,
    const char *actor, int flags, int64_t *id, int *existed, char **cause)
{
	int approve = (flags & LIB_IMPORT_APPROVE) != 0;
	struct audio_info info;
	char *rel = NULL, *title, *err = NULL;
	struct stat sb;
	int rc;

	*id = 0;
	*existed = 0;
	if ((rc = lib_check_meta(m, cause)) != 0)
		return rc;
	if (stat(path, &sb) != 0) {
		xasprintf(cause, _("cannot read the file: %s"), strerror(errno));
		return LIB_REJECTED;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, _("not a regular file"));
		return LIB_REJECTED;
	}
	if (audio_probe(path, &info, cause) != 0)
		return LIB_REJECTED;
	if ((rc = lib_check_audio(&info, (flags & LIB_IMPORT_FORCE) != 0, cause)) != 0)
		goto out;
	if ((*id = lib_id_by_sha256(lib, info.sha256, cause)) != 0) {
		rc = *id < 0 ? LIB_ERR : 0;
		*existed = *id > 0;
		goto out;
	}
	if ((rc = lib_store_copy(lib, path, info.sha256,
	    lib_format_ext(info.format), &rel, cause)) != 0)
		goto out;
	if (store_begin(lib->st, &err) != 0) {
		xasprintf(cause, _("database: %s"), err);
		free(err);
		rc = LIB_ERR;
		goto out;
	}
	title = base_title(path);
	rc = lib_insert(lib, &info, rel, m, title, actor, approve, (int64_t)sb.st_size,
	    id, cause);
	free(title);
	if ((rc = lib_tx_end(lib, rc, cause)) != 0) {
		*id = 0;
		/* Someone else added the same content meanwhile: it is the same bulletin. */
		if ((*id = lib_id_by_sha256(lib, info.sha256, &err)) > 0) {
			free(*cause);
			*cause = NULL;
			*existed = 1;
			rc = 0;
		} else {
			free(err);
			*id = 0;
		}
	}
out:
	free(rel);
	audio_info_clear(&info);
	return rc;
}
