/*
 * The bulletin library: rows in SQLite, files under their SHA-256, the
 * approval workflow with its audit trail, and the player's checked door.
 *
 * Files are written before rows: a row always has its file, and a file
 * without a row (a crash between the two) is an orphan that the next import
 * of the same content reuses and verify-library removes.
 *
 * This file holds the handle, reading rows and the audit trail; validate.c
 * checks what comes in, import.c adds bulletins and tags, workflow.c moves
 * them between states, verify.c re-hashes the files for verify-library and
 * the player; files.c is the file store, package.c (the format and its
 * reader), package_import.c and package_write.c the packages, keys.c the
 * signing keys, inbox.c the inbox.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/i18n.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

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
		xasprintf(cause, _("cannot initialise libsodium"));
		return LIB_ERR;
	}
	lib = xcalloc(1, sizeof *lib);
	lib->st = st;
	lib->datadir = xstrdup(datadir);
	xasprintf(&lib->filesdir, "%s/%s", datadir, LIB_FILES_DIR);
	if (mkdir(lib->filesdir, 0750) != 0 && errno != EEXIST) {
		xasprintf(cause, _("%s: cannot create the bulletin directory: %s"),
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
int
lib_prepare(struct library *lib, const char *sql, sqlite3_stmt **q, char **cause)
{
	if (sqlite3_prepare_v2(store_db(lib->st), sql, -1, q, NULL) != SQLITE_OK) {
		*cause = store_error(lib->st, _("database"));
		return -1;
	}
	return 0;
}

/* Binds a string or NULL. */
void
lib_bind_text(sqlite3_stmt *q, int i, const char *s)
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
	if (lib_prepare(lib, sql, &q, cause) != 0)
		return LIB_ERR;
	if (sha != NULL)
		lib_bind_text(q, 1, sha);
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
			xasprintf(cause, _("no bulletin with SHA-256 %s"), sha);
		else
			xasprintf(cause, _("no bulletin %lld in the library"), (long long)id);
		sqlite3_finalize(q);
		return LIB_REJECTED;
	}
	*cause = store_error(lib->st, _("database"));
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

	if (lib_prepare(lib, "SELECT id FROM bulletins WHERE sha256 = ?", &q, cause) != 0)
		return -1;
	lib_bind_text(q, 1, sha256);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, _("database"));
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
	if (lib_prepare(lib, "SELECT " COLUMNS " FROM bulletins WHERE "
	    "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR topic = ?2) ORDER BY id",
	    &q, cause) != 0)
		return LIB_ERR;
	lib_bind_text(q, 1, status);
	lib_bind_text(q, 2, topic);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		row_to_bulletin(lib, q, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, _("database"));
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
	if (lib_prepare(lib, "SELECT at, actor, action, from_status, to_status, reason, "
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
		*cause = store_error(lib->st, _("database"));
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

/*
 * Appends one audit entry inside the caller's transaction. An actor or a
 * reason that is not UTF-8 text (the commands check theirs) is kept with
 * U+FFFD for each bad byte, so that show and list stay valid UTF-8.
 */
int
lib_event_add(struct library *lib, int64_t id, int64_t at, const char *actor,
    const char *action, const char *from, const char *to, const char *reason,
    const char *sha256, char **cause)
{
	sqlite3_stmt *q;
	char *clean_actor = NULL, *clean_reason = NULL;
	int rc;

	if (actor != NULL && !lib_text_ok(actor, SIZE_MAX))
		actor = clean_actor = utf8_clean(actor);
	if (reason != NULL && !lib_text_ok(reason, SIZE_MAX))
		reason = clean_reason = utf8_clean(reason);
	if (lib_prepare(lib, "INSERT INTO bulletin_events (bulletin_id, at, actor, action, "
	    "from_status, to_status, reason, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    &q, cause) != 0) {
		free(clean_actor);
		free(clean_reason);
		return LIB_ERR;
	}
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, at);
	lib_bind_text(q, 3, actor);
	lib_bind_text(q, 4, action);
	lib_bind_text(q, 5, from);
	lib_bind_text(q, 6, to);
	lib_bind_text(q, 7, reason);
	lib_bind_text(q, 8, sha256);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	free(clean_actor);
	free(clean_reason);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, _("cannot record the audit entry"));
		return LIB_ERR;
	}
	return 0;
}

/*
 * Ends the transaction the caller began: commits when rc is 0, else (or when
 * the commit fails, LIB_ERR with *cause) rolls back. Returns the outcome.
 */
int
lib_tx_end(struct library *lib, int rc, char **cause)
{
	char *err = NULL;

	if (rc == 0 && store_commit(lib->st, &err) != 0) {
		xasprintf(cause, _("database: %s"), err);
		free(err);
		rc = LIB_ERR;
	}
	if (rc != 0)
		store_rollback(lib->st);
	return rc;
}

const char *
lib_status_word(const char *status)
{
	static const struct {
		const char *status, *word;
	} words[] = { { "pending", N_("pending") }, { "approved", N_("approved") },
		{ "rejected", N_("rejected") }, { "retired", N_("retired") } };
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i].status, status) == 0)
			return _(words[i].word);
	return status;
}
