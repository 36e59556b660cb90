/*
 * The bulletin library: rows in SQLite, files under their SHA-256, the
 * approval workflow with its audit trail, and the player's checked door.
 *
 * Files are written before rows: a row always has its file, and a file
 * without a row (a crash between the two) is an orphan that the next import
 * of the same content reuses and verify-library removes.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/tag.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

#define ORPHAN_AGE_S 3600

/* The last column is the bulletin's tags, separated by spaces (tags have none). */
#define COLUMNS \
	"id, sha256, file, title, topic, agency, priority, status, valid_from, " \
	"valid_until, min_airings, format, sample_rate, channels, duration_ms, " \
	"size, loudness_lufs, true_peak_dbtp, approved_sha256, approved_by, " \
	"approved_at, source, imported_at, (SELECT group_concat(tag, ' ') FROM " \
	"bulletin_tags WHERE bulletin_id = bulletins.id)"

/*
 * Opens the files directory and takes the store; sodium must work. Sweeps
 * the temporary files that dead imports left behind.
 */
int
lib_new(struct store *st, const char *datadir, struct library **out, char **cause)
{
	struct library *lib;

	*out = NULL;
	if (sodium_init() < 0) {
		xasprintf(cause, "cannot initialise libsodium");
		return LIB_ERR;
	}
	lib = xcalloc(1, sizeof *lib);
	lib->st = st;
	lib->datadir = xstrdup(datadir);
	xasprintf(&lib->filesdir, "%s/%s", datadir, LIB_FILES_DIR);
	if (mkdir(lib->filesdir, 0750) != 0 && errno != EEXIST) {
		xasprintf(cause, "%s: cannot create the bulletin directory: %s",
		    lib->filesdir, strerror(errno));
		lib_free(&lib);
		return LIB_ERR;
	}
	lib_tmp_sweep(lib);
	*out = lib;
	return 0;
}

/* Frees the handle (not the store) and sets *libp to NULL. */
void
lib_free(struct library **libp)
{
	struct library *lib = *libp;

	if (lib == NULL)
		return;
	free(lib->datadir);
	free(lib->filesdir);
	free(lib);
	*libp = NULL;
}

/* Prepares sql on the library's connection; -1 with *cause naming what. */
static int
prepare(struct library *lib, const char *sql, sqlite3_stmt **q, char **cause)
{
	if (sqlite3_prepare_v2(store_db(lib->st), sql, -1, q, NULL) != SQLITE_OK) {
		*cause = store_error(lib->st, "database");
		return -1;
	}
	return 0;
}

/* Binds a string or NULL. */
static void
bind_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(q, i);
	else
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
}

/* A copy of a text column, or NULL. */
static char *
col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);

	return s == NULL ? NULL : xstrdup((const char *)s);
}

/* Orders strings by their bytes, for qsort. */
static int
tag_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Splits the space-separated tags of column i into b->tags, sorted. */
static void
row_tags(sqlite3_stmt *q, int i, struct lib_bulletin *b)
{
	char *all = col_text(q, i), *t, *save = NULL;

	if (all == NULL)
		return;
	for (t = strtok_r(all, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
		b->tags = xreallocarray(b->tags, b->ntags + 1, sizeof *b->tags);
		b->tags[b->ntags++] = xstrdup(t);
	}
	free(all);
	if (b->ntags > 1)
		qsort(b->tags, b->ntags, sizeof *b->tags, tag_cmp);
}

/* Fills b from a row selected with COLUMNS. */
static void
row_to_bulletin(struct library *lib, sqlite3_stmt *q, struct lib_bulletin *b)
{
	memset(b, 0, sizeof *b);
	b->id = sqlite3_column_int64(q, 0);
	b->sha256 = col_text(q, 1);
	xasprintf(&b->path, "%s/%s", lib->datadir, sqlite3_column_text(q, 2));
	b->title = col_text(q, 3);
	b->topic = col_text(q, 4);
	b->agency = col_text(q, 5);
	b->priority = col_text(q, 6);
	b->status = col_text(q, 7);
	b->valid_from = col_text(q, 8);
	b->valid_until = col_text(q, 9);
	b->min_airings = sqlite3_column_int(q, 10);
	b->format = col_text(q, 11);
	b->sample_rate = sqlite3_column_int(q, 12);
	b->channels = sqlite3_column_int(q, 13);
	b->duration_ms = sqlite3_column_int64(q, 14);
	b->size = sqlite3_column_int64(q, 15);
	b->loudness_lufs = sqlite3_column_type(q, 16) == SQLITE_NULL ? -HUGE_VAL :
	    sqlite3_column_double(q, 16);
	b->true_peak_dbtp = sqlite3_column_type(q, 17) == SQLITE_NULL ? -HUGE_VAL :
	    sqlite3_column_double(q, 17);
	b->approved_sha256 = col_text(q, 18);
	b->approved_by = col_text(q, 19);
	b->approved_at = sqlite3_column_int64(q, 20);
	b->source = col_text(q, 21);
	b->imported_at = sqlite3_column_int64(q, 22);
	row_tags(q, 23, b);
}

/* Frees the strings of b and zeroes it. */
void
lib_bulletin_clear(struct lib_bulletin *b)
{
	free(b->sha256);
	free(b->path);
	free(b->title);
	free(b->topic);
	free(b->agency);
	free(b->priority);
	free(b->status);
	free(b->valid_from);
	free(b->valid_until);
	free(b->format);
	free(b->approved_sha256);
	free(b->approved_by);
	free(b->source);
	while (b->ntags > 0)
		free(b->tags[--b->ntags]);
	free(b->tags);
	memset(b, 0, sizeof *b);
}

/* Frees an array from lib_list and sets *bp to NULL. */
void
lib_bulletins_free(struct lib_bulletin **bp, size_t n)
{
	size_t i;

	if (*bp == NULL)
		return;
	for (i = 0; i < n; i++)
		lib_bulletin_clear(&(*bp)[i]);
	free(*bp);
	*bp = NULL;
}

/* One row by a column's value (id or sha256); LIB_REJECTED when none. */
static int
get_by(struct library *lib, const char *sql, int64_t id, const char *sha,
    struct lib_bulletin *b, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	memset(b, 0, sizeof *b);
	if (prepare(lib, sql, &q, cause) != 0)
		return LIB_ERR;
	if (sha != NULL)
		bind_text(q, 1, sha);
	else
		sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		row_to_bulletin(lib, q, b);
		sqlite3_finalize(q);
		return 0;
	}
	if (rc == SQLITE_DONE) {
		if (sha != NULL)
			xasprintf(cause, "no bulletin with SHA-256 %s", sha);
		else
			xasprintf(cause, "no bulletin %lld in the library", (long long)id);
		sqlite3_finalize(q);
		return LIB_REJECTED;
	}
	*cause = store_error(lib->st, "database");
	sqlite3_finalize(q);
	return LIB_ERR;
}

/* Bulletin id; LIB_REJECTED when there is none. */
int
lib_get(struct library *lib, int64_t id, struct lib_bulletin *b, char **cause)
{
	return get_by(lib, "SELECT " COLUMNS " FROM bulletins WHERE id = ?", id, NULL,
	    b, cause);
}

/* Bulletin by its full SHA-256; LIB_REJECTED when there is none. */
int
lib_find_sha256(struct library *lib, const char *sha256, struct lib_bulletin *b,
    char **cause)
{
	return get_by(lib, "SELECT " COLUMNS " FROM bulletins WHERE sha256 = ?", 0,
	    sha256, b, cause);
}

/* The id for sha256, 0 when none; -1 with *cause on a database error. */
int64_t
lib_id_by_sha256(struct library *lib, const char *sha256, char **cause)
{
	sqlite3_stmt *q;
	int64_t id = 0;
	int rc;

	if (prepare(lib, "SELECT id FROM bulletins WHERE sha256 = ?", &q, cause) != 0)
		return -1;
	bind_text(q, 1, sha256);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "database");
		id = -1;
	}
	sqlite3_finalize(q);
	return id;
}

/* Every bulletin matching the optional status and topic, by id. */
int
lib_list(struct library *lib, const char *status, const char *topic,
    struct lib_bulletin **out, size_t *n, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	*out = NULL;
	*n = 0;
	if (prepare(lib, "SELECT " COLUMNS " FROM bulletins WHERE "
	    "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR topic = ?2) ORDER BY id",
	    &q, cause) != 0)
		return LIB_ERR;
	bind_text(q, 1, status);
	bind_text(q, 2, topic);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		row_to_bulletin(lib, q, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "database");
		sqlite3_finalize(q);
		lib_bulletins_free(out, *n);
		*n = 0;
		return LIB_ERR;
	}
	sqlite3_finalize(q);
	return 0;
}

/* The audit trail of one bulletin, oldest first. */
int
lib_events(struct library *lib, int64_t id, struct lib_event **out, size_t *n,
    char **cause)
{
	sqlite3_stmt *q;
	struct lib_event *e;
	int rc;

	*out = NULL;
	*n = 0;
	if (prepare(lib, "SELECT at, actor, action, from_status, to_status, reason, "
	    "sha256 FROM bulletin_events WHERE bulletin_id = ? ORDER BY id", &q,
	    cause) != 0)
		return LIB_ERR;
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		e = &(*out)[(*n)++];
		e->at = sqlite3_column_int64(q, 0);
		e->actor = col_text(q, 1);
		e->action = col_text(q, 2);
		e->from_status = col_text(q, 3);
		e->to_status = col_text(q, 4);
		e->reason = col_text(q, 5);
		e->sha256 = col_text(q, 6);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "database");
		lib_events_free(out, *n);
		*n = 0;
		return LIB_ERR;
	}
	return 0;
}

/* Frees an array from lib_events and sets *ep to NULL. */
void
lib_events_free(struct lib_event **ep, size_t n)
{
	size_t i;

	if (*ep == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((*ep)[i].actor);
		free((*ep)[i].action);
		free((*ep)[i].from_status);
		free((*ep)[i].to_status);
		free((*ep)[i].reason);
		free((*ep)[i].sha256);
	}
	free(*ep);
	*ep = NULL;
}

static char *text_clean(const char *);

/*
 * Appends one audit entry inside the caller's transaction. An actor or a
 * reason that is not UTF-8 text (the commands check theirs) is kept with
 * U+FFFD for each bad byte, so that show and list stay valid UTF-8.
 */
static int
add_event(struct library *lib, int64_t id, int64_t at, const char *actor,
    const char *action, const char *from, const char *to, const char *reason,
    const char *sha256, char **cause)
{
	sqlite3_stmt *q;
	char *clean_actor = NULL, *clean_reason = NULL;
	int rc;

	if (actor != NULL && !lib_text_ok(actor, SIZE_MAX))
		actor = clean_actor = text_clean(actor);
	if (reason != NULL && !lib_text_ok(reason, SIZE_MAX))
		reason = clean_reason = text_clean(reason);
	if (prepare(lib, "INSERT INTO bulletin_events (bulletin_id, at, actor, action, "
	    "from_status, to_status, reason, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    &q, cause) != 0) {
		free(clean_actor);
		free(clean_reason);
		return LIB_ERR;
	}
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, at);
	bind_text(q, 3, actor);
	bind_text(q, 4, action);
	bind_text(q, 5, from);
	bind_text(q, 6, to);
	bind_text(q, 7, reason);
	bind_text(q, 8, sha256);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	free(clean_actor);
	free(clean_reason);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "cannot record the audit entry");
		return LIB_ERR;
	}
	return 0;
}

/* The length of the UTF-8 character at p that is not a control; 0 when it is one or invalid. */
static size_t
text_char(const unsigned char *p)
{
	if (*p < 0x20 || *p == 0x7f)
		return 0;
	return utf8_char((const char *)p);
}

int
lib_text_ok(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (strlen(s) > max)
		return 0;
	for (; *p != '\0'; p += n)
		if ((n = text_char(p)) == 0)
			return 0;
	return 1;
}

/*
 * A copy of s (a file name as given) fit for the library's text: each byte
 * that is not part of a UTF-8 character, and each control, becomes U+FFFD,
 * so that list and show (JSON, CSV) stay valid UTF-8. The caller frees it.
 */
static char *
text_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;
	size_t n;

	for (; *p != '\0'; p += n) {
		if ((n = text_char(p)) == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		} else {
			memcpy(o, p, n);
			o += n;
		}
	}
	*o = '\0';
	return out;
}

/* Checks the importer's metadata: text, dates, priority, minimum airings, tags. */
int
lib_check_meta(const struct lib_meta *m, char **cause)
{
	const char *const *f;
	const char *fields[] = { m->title, m->topic, m->agency };
	static const char *const names[] = { "title", "topic", "agency" };
	size_t i;

	f = fields;
	for (i = 0; i < 3; i++)
		if (f[i] != NULL && (!lib_text_ok(f[i], 500) || f[i][0] == '\0')) {
			xasprintf(cause, "the %s must be non-empty UTF-8 text on one line "
			    "(at most 500 bytes)", names[i]);
			return LIB_REJECTED;
		}
	if (m->valid_from != NULL && !lib_date_valid(m->valid_from)) {
		xasprintf(cause, "'%s' is not a date: give the start as YYYY-MM-DD",
		    m->valid_from);
		return LIB_REJECTED;
	}
	if (m->valid_until != NULL && !lib_date_valid(m->valid_until)) {
		xasprintf(cause, "'%s' is not a date: give the end as YYYY-MM-DD",
		    m->valid_until);
		return LIB_REJECTED;
	}
	if (m->valid_from != NULL && m->valid_until != NULL &&
	    strcmp(m->valid_from, m->valid_until) > 0) {
		xasprintf(cause, "the validity ends (%s) before it starts (%s)",
		    m->valid_until, m->valid_from);
		return LIB_REJECTED;
	}
	if (m->priority != NULL && strcmp(m->priority, "normal") != 0 &&
	    strcmp(m->priority, "priority") != 0 &&
	    strcmp(m->priority, "emergency") != 0) {
		xasprintf(cause, "unknown priority '%s' (normal, priority or emergency)",
		    m->priority);
		return LIB_REJECTED;
	}
	if (m->min_airings < 0 || m->min_airings > 100000) {
		xasprintf(cause, "the minimum number of airings must be from 0 to 100000");
		return LIB_REJECTED;
	}
	for (i = 0; i < m->ntags; i++)
		if (!tag_ok(m->tags[i])) {
			xasprintf(cause, "'%s' is not a tag: a tag is " TAG_RULE,
			    lib_text_ok(m->tags[i], SIZE_MAX) ? m->tags[i] : "?");
			return LIB_REJECTED;
		}
	if (m->ntags > LIB_TAGS_MAX) {
		xasprintf(cause, "%zu tags; a bulletin has at most %d", m->ntags,
		    LIB_TAGS_MAX);
		return LIB_REJECTED;
	}
	return 0;
}

/*
 * Ends the transaction the caller began: commits when rc is 0, else (or when
 * the commit fails, LIB_ERR with *cause) rolls back. Returns the outcome.
 */
static int
tx_end(struct library *lib, int rc, char **cause)
{
	char *err = NULL;

	if (rc == 0 && store_commit(lib->st, &err) != 0) {
		xasprintf(cause, "database: %s", err);
		free(err);
		rc = LIB_ERR;
	}
	if (rc != 0)
		store_rollback(lib->st);
	return rc;
}

/* How many tags bulletin id has; -1 with *cause on a database error. */
static int
tag_count(struct library *lib, int64_t id, char **cause)
{
	sqlite3_stmt *q;
	int n = -1;

	if (prepare(lib, "SELECT count(*) FROM bulletin_tags WHERE bulletin_id = ?",
	    &q, cause) != 0)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	else
		*cause = store_error(lib->st, "database");
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
	if (prepare(lib, "INSERT OR IGNORE INTO bulletin_tags (bulletin_id, tag, "
	    "added_at, added_by) VALUES (?, ?, ?, ?)", &q, cause) != 0)
		return LIB_ERR;
	/* As in the audit trail: who added it stays valid UTF-8 text. */
	if (!lib_text_ok(actor, SIZE_MAX))
		actor = clean = text_clean(actor);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(q, 1, id);
		bind_text(q, 2, tags[i]);
		sqlite3_bind_int64(q, 3, now);
		bind_text(q, 4, actor);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			*cause = store_error(lib->st, "cannot add the tag");
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
		xasprintf(cause, "bulletin %lld would have %d tags; a bulletin has at "
		    "most %d", (long long)id, have, LIB_TAGS_MAX);
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
		xasprintf(cause, "database: %s", err);
		free(err);
		return LIB_ERR;
	}
	if ((rc = lib_get(lib, id, &b, cause)) == 0) {
		lib_bulletin_clear(&b);
		rc = lib_tags_insert(lib, id, tags, n, actor, added, cause);
	}
	if ((rc = tx_end(lib, rc, cause)) != 0)
		*added = 0;
	return rc;
}

/* Refuses audio shorter than a second or entirely silent. */
int
lib_check_probe(const struct audio_info *info, char **cause)
{
	if (info->duration_ms < LIB_MIN_DURATION_MS) {
		xasprintf(cause, "too short (%.1f s; a bulletin lasts at least 1 s)",
		    (double)info->duration_ms / 1000.0);
		return LIB_REJECTED;
	}
	if (info->silent) {
		xasprintf(cause, "entirely silent (no sound above the silence "
		    "threshold)");
		return LIB_REJECTED;
	}
	return 0;
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
	if (prepare(lib, "INSERT INTO bulletins (sha256, file, title, topic, agency, "
	    "priority, status, valid_from, valid_until, min_airings, format, "
	    "sample_rate, channels, duration_ms, size, loudness_lufs, true_peak_dbtp, "
	    "approved_sha256, approved_by, approved_at, source, imported_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &q,
	    cause) != 0)
		return LIB_ERR;
	bind_text(q, 1, info->sha256);
	bind_text(q, 2, rel);
	bind_text(q, 3, title);
	bind_text(q, 4, m->topic);
	bind_text(q, 5, agency);
	bind_text(q, 6, m->priority != NULL ? m->priority : "normal");
	bind_text(q, 7, approve ? "approved" : "pending");
	bind_text(q, 8, m->valid_from);
	bind_text(q, 9, m->valid_until);
	sqlite3_bind_int(q, 10, m->min_airings);
	bind_text(q, 11, info->format);
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
	bind_text(q, 18, approve ? info->sha256 : NULL);
	bind_text(q, 19, approve ? actor : NULL);
	if (approve)
		sqlite3_bind_int64(q, 20, now);
	else
		sqlite3_bind_null(q, 20);
	bind_text(q, 21, m->source);
	sqlite3_bind_int64(q, 22, now);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "cannot add the bulletin");
		return LIB_ERR;
	}
	*id = sqlite3_last_insert_rowid(store_db(lib->st));
	if (add_event(lib, *id, now, actor, "import", NULL, "pending", m->source,
	    info->sha256, cause) != 0)
		return LIB_ERR;
	if (approve && add_event(lib, *id, now, actor, "approve", "pending",
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
	char *source = m->source != NULL ? text_clean(m->source) : NULL;
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
    const char *actor, int approve, int64_t *id, int *existed, char **cause)
{
	struct audio_info info;
	char *rel = NULL, *title, *err = NULL;
	struct stat sb;
	int rc;

	*id = 0;
	*existed = 0;
	if ((rc = lib_check_meta(m, cause)) != 0)
		return rc;
	if (stat(path, &sb) != 0) {
		xasprintf(cause, "cannot read the file: %s", strerror(errno));
		return LIB_REJECTED;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "not a regular file");
		return LIB_REJECTED;
	}
	if (audio_probe(path, &info, cause) != 0)
		return LIB_REJECTED;
	if ((rc = lib_check_probe(&info, cause)) != 0)
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
		xasprintf(cause, "database: %s", err);
		free(err);
		rc = LIB_ERR;
		goto out;
	}
	title = base_title(path);
	rc = lib_insert(lib, &info, rel, m, title, actor, approve, (int64_t)sb.st_size,
	    id, cause);
	free(title);
	if ((rc = tx_end(lib, rc, cause)) != 0) {
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

/*
 * Moves bulletin id from one of the states in from (NULL-terminated) to to,
 * in one transaction with its audit entry; with approve, re-hashes the file
 * and records what was approved.
 */
static int
transition(struct library *lib, int64_t id, const char *const *from, const char *to,
    const char *action, const char *actor, const char *reason, char **cause)
{
	struct lib_bulletin b;
	char hex[65], today[11], *err = NULL;
	const char *sha;
	int64_t now = lib_now_ms();
	sqlite3_stmt *q;
	size_t i;
	int rc, ok = 0;

	if (store_begin(lib->st, &err) != 0) {
		xasprintf(cause, "database: %s", err);
		free(err);
		return LIB_ERR;
	}
	if ((rc = lib_get(lib, id, &b, cause)) != 0) {
		store_rollback(lib->st);
		return rc;
	}
	for (i = 0; from[i] != NULL; i++)
		if (strcmp(b.status, from[i]) == 0)
			ok = 1;
	if (!ok) {
		if (strcmp(b.status, to) == 0)
			xasprintf(cause, "bulletin %lld is already %s", (long long)id, to);
		else
			xasprintf(cause, "bulletin %lld is %s; it cannot be %s",
			    (long long)id, b.status, to);
		rc = LIB_REJECTED;
		goto fail;
	}
	sha = b.sha256;
	if (strcmp(action, "approve") == 0) {
		lib_date(now, today);
		if (b.valid_until != NULL && strcmp(b.valid_until, today) < 0) {
			xasprintf(cause, "bulletin %lld was valid only until %s",
			    (long long)id, b.valid_until);
			rc = LIB_REJECTED;
			goto fail;
		}
		if (lib_sha256_file(b.path, hex, &err) != 0) {
			xasprintf(cause, "%s: %s; run 'loaxa verify-library'", b.path, err);
			free(err);
			rc = LIB_REJECTED;
			goto fail;
		}
		if (strcmp(hex, b.sha256) != 0) {
			xasprintf(cause, "%s: the stored file no longer matches what was "
			    "imported (SHA-256 %.12s..., expected %.12s...); it cannot be "
			    "approved", b.path, hex, b.sha256);
			rc = LIB_REJECTED;
			goto fail;
		}
		rc = prepare(lib, "UPDATE bulletins SET status = ?, approved_sha256 = ?, "
		    "approved_by = ?, approved_at = ? WHERE id = ?", &q, cause);
		if (rc != 0)
			goto fail;
		bind_text(q, 1, to);
		bind_text(q, 2, hex);
		bind_text(q, 3, actor);
		sqlite3_bind_int64(q, 4, now);
		sqlite3_bind_int64(q, 5, id);
	} else {
		/* Leaving approved forgets what was approved: it must be approved again. */
		rc = prepare(lib, "UPDATE bulletins SET status = ?, approved_sha256 = NULL, "
		    "approved_by = NULL, approved_at = NULL WHERE id = ?", &q, cause);
		if (rc != 0)
			goto fail;
		bind_text(q, 1, to);
		sqlite3_bind_int64(q, 2, id);
	}
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "cannot change the bulletin");
		rc = LIB_ERR;
		goto fail;
	}
	if ((rc = add_event(lib, id, now, actor, action, b.status, to, reason, sha,
	    cause)) != 0)
		goto fail;
	if (store_commit(lib->st, &err) != 0) {
		xasprintf(cause, "database: %s", err);
		free(err);
		rc = LIB_ERR;
		goto fail;
	}
	lib_bulletin_clear(&b);
	return 0;
fail:
	store_rollback(lib->st);
	lib_bulletin_clear(&b);
	return rc;
}

/* pending or rejected -> approved, recording the SHA-256 approved. */
int
lib_approve(struct library *lib, int64_t id, const char *actor, char **cause)
{
	static const char *const from[] = { "pending", "rejected", NULL };

	return transition(lib, id, from, "approved", "approve", actor, NULL, cause);
}

/* pending or approved -> rejected, with the reason. */
int
lib_reject(struct library *lib, int64_t id, const char *actor, const char *reason,
    char **cause)
{
	static const char *const from[] = { "pending", "approved", NULL };

	if (reason == NULL || reason[0] == '\0' || !lib_text_ok(reason, 1000)) {
		xasprintf(cause, "a rejection needs a reason (one line of text)");
		return LIB_REJECTED;
	}
	return transition(lib, id, from, "rejected", "reject", actor, reason, cause);
}

/* Any state but retired -> retired. */
int
lib_retire(struct library *lib, int64_t id, const char *actor, const char *reason,
    char **cause)
{
	static const char *const from[] = { "pending", "approved", "rejected", NULL };

	if (reason != NULL && !lib_text_ok(reason, 1000)) {
		xasprintf(cause, "the reason must be one line of text");
		return LIB_REJECTED;
	}
	return transition(lib, id, from, "retired", "retire", actor, reason, cause);
}

/* Retires what expired before today, each with its own audit entry. */
int
lib_expire(struct library *lib, const char *today, int *count, char **cause)
{
	static const char *const from[] = { "pending", "approved", NULL };
	sqlite3_stmt *q;
	int64_t *ids = NULL;
	size_t n = 0, i;
	char *why;
	int rc;

	*count = 0;
	if (prepare(lib, "SELECT id FROM bulletins WHERE status IN ('pending', "
	    "'approved') AND valid_until IS NOT NULL AND valid_until < ?", &q,
	    cause) != 0)
		return LIB_ERR;
	bind_text(q, 1, today);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "database");
		free(ids);
		return LIB_ERR;
	}
	for (i = 0; i < n; i++) {
		xasprintf(&why, "validity ended before %s", today);
		rc = transition(lib, ids[i], from, "retired", "expire", "loaxa", why,
		    cause);
		free(why);
		if (rc == LIB_ERR) {
			free(ids);
			return LIB_ERR;
		}
		if (rc == 0)
			(*count)++;
		else {
			free(*cause);
			*cause = NULL;
		}
	}
	free(ids);
	return 0;
}

/* Whether name is a stored file some row names (relative LIB_FILES_DIR/name). */
static int
file_known(struct library *lib, const char *name, char **cause)
{
	sqlite3_stmt *q;
	char *rel;
	int rc;

	if (prepare(lib, "SELECT 1 FROM bulletins WHERE file = ?", &q, cause) != 0)
		return -1;
	xasprintf(&rel, "%s/%s", LIB_FILES_DIR, name);
	bind_text(q, 1, rel);
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
