/* Opening SQLite with the pragmas loaxa relies on, and migrating its schema. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "store/migrations.h"
#include "store/store.h"

struct store {
	sqlite3 *db;
	char *path;
};

char *
store_error(struct store *st, const char *what)
{
	char *cause;

	xasprintf(&cause, "%s: %s", what, sqlite3_errmsg(st->db));
	return cause;
}

int
store_exec(struct store *st, const char *sql, char **cause)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		xasprintf(cause, "%s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_begin(struct store *st, char **cause)
{
	return store_exec(st, "BEGIN IMMEDIATE", cause);
}

int
store_commit(struct store *st, char **cause)
{
	return store_exec(st, "COMMIT", cause);
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

int
store_schema_version(void)
{
	return store_latest_version();
}

/* Reads PRAGMA user_version; -1 with *cause when the file is not a database. */
static int
store_user_version(struct store *st, int *version, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK) {
		*cause = store_error(st, _("not a loaxa database"));
		return -1;
	}
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(q);
		*cause = store_error(st, _("not a loaxa database"));
		return -1;
	}
	*version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return 0;
}

/* Applies every migration after the current version, each in its own transaction. */
static int
store_migrate(struct store *st, char **cause)
{
	int version, latest = store_latest_version(), v;
	char *sql, *err = NULL;

	if (store_user_version(st, &version, cause) != 0)
		return -1;
	if (version > latest) {
		xasprintf(cause, _("the database was written by a newer loaxa (schema %d; "
		    "this loaxa %s knows up to %d): upgrade loaxa, do not edit the "
		    "database"), version, LOAXA_VERSION, latest);
		return -1;
	}
	for (v = version + 1; v <= latest; v++) {
		if (store_begin(st, &err) != 0)
			goto fail;
		if (store_exec(st, store_migration(v), &err) != 0) {
			store_rollback(st);
			goto fail;
		}
		xasprintf(&sql, "PRAGMA user_version = %d", v);
		if (store_exec(st, sql, &err) != 0 || store_commit(st, &err) != 0) {
			free(sql);
			store_rollback(st);
			goto fail;
		}
		free(sql);
	}
	return 0;
fail:
	xasprintf(cause, _("cannot update the schema to version %d: %s"), v, err);
	free(err);
	return -1;
}

/* The pragmas every connection gets, then the schema brought up to date. */
static int
store_setup(struct store *st, char **cause)
{
	static const char pragmas[] =
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = FULL;";
	char *err = NULL;

	if (store_exec(st, pragmas, &err) != 0 || store_migrate(st, &err) != 0) {
		xasprintf(cause, "%s: %s", st->path, err);
		free(err);
		return -1;
	}
	return 0;
}

/* Opens st->path with flags, a busy timeout and extended codes; -1 with *cause. */
static int
store_connect(struct store *st, int flags, char **cause)
{
	int rc = sqlite3_open_v2(st->path, &st->db, flags | SQLITE_OPEN_FULLMUTEX, NULL);

	if (rc != SQLITE_OK) {
		xasprintf(cause, _("%s: cannot open the database: %s"), st->path,
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	return 0;
}

int
store_open(const char *path, struct store **out, char **cause)
{
	struct store *st;
	sqlite3_stmt *q;
	int fd;

	*out = NULL;
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	/* Create the file ourselves so that it is never readable by others. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		xasprintf(cause, _("%s: cannot open the database: %s"), path,
		    strerror(errno));
		goto fail;
	}
	close(fd);
	if (store_connect(st, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, cause) != 0)
		goto fail;
	/* journal_mode answers with a row; anything but "wal" means it did not take. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &q, NULL) !=
	    SQLITE_OK || sqlite3_step(q) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(q, 0), "wal") != 0) {
		xasprintf(cause, _("%s: not a loaxa database or cannot use WAL: %s"), path,
		    sqlite3_errmsg(st->db));
		sqlite3_finalize(q);
		goto fail;
	}
	sqlite3_finalize(q);
	if (store_setup(st, cause) != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(&st);
	return -1;
}

int
store_open_memory(struct store **out, char **cause)
{
	struct store *st;
	int rc;

	*out = NULL;
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup("in-memory database");
	rc = sqlite3_open_v2(":memory:", &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY, NULL);
	if (rc != SQLITE_OK) {
		xasprintf(cause, "%s: %s", st->path,
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		store_close(&st);
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (store_setup(st, cause) != 0) {
		store_close(&st);
		return -1;
	}
	*out = st;
	return 0;
}

int
store_open_readonly(const char *path, int min_version, struct store **out, char **cause)
{
	struct store *st;
	char *err = NULL;
	int version;

	*out = NULL;
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	if (store_connect(st, SQLITE_OPEN_READONLY, cause) != 0)
		goto fail;
	if (store_user_version(st, &version, &err) != 0) {
		xasprintf(cause, "%s: %s", path, err);
		free(err);
		goto fail;
	}
	if (version < min_version || version > store_latest_version()) {
		xasprintf(cause, _("%s: the database has schema %d; this loaxa %s reads "
		    "%d to %d (start `loaxa run` of this version once)"), path, version,
		    LOAXA_VERSION, min_version, store_latest_version());
		goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(&st);
	return -1;
}

int
store_open_dir(const char *datadir, struct store **out, char **cause)
{
	char *path;
	int rc;

	if (mkdir(datadir, 0750) != 0 && errno != EEXIST) {
		xasprintf(cause, _("%s: cannot create the data directory: %s"), datadir,
		    strerror(errno));
		*out = NULL;
		return -1;
	}
	xasprintf(&path, "%s/%s", datadir, STORE_DB_NAME);
	rc = store_open(path, out, cause);
	free(path);
	return rc;
}

void
store_close(struct store **stp)
{
	struct store *st = *stp;

	if (st == NULL)
		return;
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
	*stp = NULL;
}

int
store_open_side(const char *path, const char *schema, int busy_ms, sqlite3 **out,
    char **cause)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	*out = NULL;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, busy_ms);
		rc = sqlite3_exec(db, schema, NULL, NULL, &msg);
	}
	if (rc != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, msg ? msg : db ? sqlite3_errmsg(db) :
		    sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close_v2(db);
		return -1;
	}
	*out = db;
	return 0;
}
