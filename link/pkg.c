/*
 * District packages down the link: chunks (link/chunk.h) assembled in
 * DATA/link/incoming/SHA256/package, outside the inbox, with the chunks
 * already written kept in link.db, so that a delivery cut by a broker
 * restart or a killed link resumes where it stopped. A chunk is written and
 * synced before its row commits: a row always means bytes on disk, and a
 * chunk written without its row is only written again. When every chunk is
 * there and the whole file has the package's SHA-256 and a trusted
 * district's signature, it is moved into the inbox under SHA256.lxp (the
 * daemon imports it) and acknowledged on up/ack; a refused one is removed
 * and acknowledged with why. Chunks that arrive twice change nothing.
 * What the daemon's inbox then made of it is acknowledged too, once it
 * shows: "imported" when the package is in INBOX/done/ (and "approved" when
 * every bulletin it brought is approved in the station's library, as a key
 * with auto_approve makes them at once and an operator's `loaxa approve`
 * later: link_approving keeps it until then, within LINK_PKG_APPROVE_S and
 * LINK_PKG_APPROVING), or "imported" not ok with the inbox's reason when it
 * is in INBOX/rejected/ (link_pkg_check).
 *
 * Bounded: a package is at most LINK_PKG_MAX bytes and at most
 * LINK_PKG_INCOMING packages are in progress; one that had no chunk for
 * LINK_PKG_STALE_S makes room for a new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"
#include "common/i18n.h"

#include "common/xmalloc.h"
#include "config/config.h"
#include "link/chunk.h"
#include "link/down.h"
#include "store/store.h"

#define LINK_PKG_INCOMING 4
#define LINK_PKG_STALE_S (2 * 24 * 3600)
#define LINK_DIR "link"
#define LINK_INCOMING "link/incoming"

static const char pkg_schema[] =
    "CREATE TABLE IF NOT EXISTS link_incoming (\n"
    "  package    TEXT PRIMARY KEY,\n"
    "  size       INTEGER NOT NULL,\n"
    "  chunk_size INTEGER NOT NULL,\n"
    "  count      INTEGER NOT NULL,\n"
    "  started_at INTEGER NOT NULL,\n"
    "  updated_at INTEGER NOT NULL\n"
    ") STRICT;\n"
    "CREATE TABLE IF NOT EXISTS link_chunks (\n"
    "  package TEXT NOT NULL,\n"
    "  idx     INTEGER NOT NULL,\n"
    "  PRIMARY KEY (package, idx)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS link_delivered (\n"
    "  package TEXT PRIMARY KEY,\n"
    "  at      INTEGER NOT NULL\n"
    ") STRICT;\n"
    /* Delivered, and what the daemon made of it not yet acknowledged. */
    "CREATE TABLE IF NOT EXISTS link_importing (\n"
    "  package   TEXT PRIMARY KEY,\n"
    "  bulletins TEXT NOT NULL,\n"   /* their SHA-256s, space-separated */
    "  at        INTEGER NOT NULL\n"
    ") STRICT;\n"
    /* Imported, and not every bulletin approved yet: "approved" to come. */
    "CREATE TABLE IF NOT EXISTS link_approving (\n"
    "  package   TEXT PRIMARY KEY,\n"
    "  bulletins TEXT NOT NULL,\n"
    "  at        INTEGER NOT NULL\n"
    ") STRICT;\n";

/* A delivered package whose import shows nowhere after this is forgotten. */
#define LINK_PKG_IMPORT_S (7 * 24 * 3600)
/*
 * An imported package still waiting for an operator's approval after this
 * is not watched any more (no "approved" will come for it), nor are the
 * oldest beyond the last LINK_PKG_APPROVING.
 */
#define LINK_PKG_APPROVE_S (30 * 24 * 3600)
#define LINK_PKG_APPROVING 1000

int
link_pkg_init(sqlite3 *state, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(state, pkg_schema, NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(state, lib_seq_schema, NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "link.db: %s", err != NULL ? err : "cannot create tables");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/*
 * Runs one statement, package (when not NULL) bound to ?1 and the integers
 * a and b to ?2 and ?3 where it has them. Returns the first column of its
 * first row, 0 when it has none, -1 on an error.
 */
static int64_t
pkg_sql(sqlite3 *db, const char *sql, const char *package, int64_t a, int64_t b)
{
	sqlite3_stmt *q;
	int64_t v = -1;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (package != NULL)
		sqlite3_bind_text(q, 1, package, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(q) >= 2)
		sqlite3_bind_int64(q, 2, a);
	if (sqlite3_bind_parameter_count(q) >= 3)
		sqlite3_bind_int64(q, 3, b);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else if (rc == SQLITE_DONE)
		v = 0;
	sqlite3_finalize(q);
	return v;
}

/* DATA/link/incoming/PACKAGE[/name]: allocated. */
static char *
pkg_path(const struct link_env *env, const char *package, const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s/%s%s%s", env->cfg->paths.data, LINK_INCOMING, package,
	    name != NULL ? "/" : "", name != NULL ? name : "");
	return p;
}

/* Forgets a package in progress: its rows and its directory. */
static void
pkg_forget(struct link_env *env, const char *package)
{
	char *file = pkg_path(env, package, "package"), *dir = pkg_path(env, package, NULL);

	pkg_sql(env->state, "DELETE FROM link_chunks WHERE package = ?1", package, 0, 0);
	pkg_sql(env->state, "DELETE FROM link_incoming WHERE package = ?1", package,
	    0, 0);
	unlink(file);
	rmdir(dir);
	free(file);
	free(dir);
}

/* Creates dir (and DATA/link, DATA/link/incoming) when missing, mode 0750. */
static int
pkg_mkdirs(const struct link_env *env, const char *package, char **cause)
{
	const char *subs[] = { LINK_DIR, LINK_INCOMING };
	char *p;
	size_t i;
	int rc = 0;

	for (i = 0; i < 3 && rc == 0; i++) {
		if (i < 2)
			xasprintf(&p, "%s/%s", env->cfg->paths.data, subs[i]);
		else
			p = pkg_path(env, package, NULL);
		if (mkdir(p, 0750) != 0 && errno != EEXIST) {
			xasprintf(cause, "%s: %s", p, strerror(errno));
			rc = -1;
		}
		free(p);
	}
	return rc;
}

/*
 * Makes room for package c (new): drops what went stale, then refuses when
 * LINK_PKG_INCOMING are still in progress. 0, or -1 with *cause.
 */
static int
pkg_admit(struct link_env *env, const struct link_chunk *c, int64_t now,
    char **cause)
{
	sqlite3_stmt *q;
	char stale[65];

	while (sqlite3_prepare_v2(env->state, "SELECT package FROM link_incoming "
	    "WHERE updated_at < ?1 LIMIT 1", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, now - LINK_PKG_STALE_S);
		stale[0] = '\0';
		if (sqlite3_step(q) == SQLITE_ROW)
			snprintf(stale, sizeof stale, "%s",
			    (const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		if (stale[0] == '\0')
			break;
		link_say(env, "package", 1, _("%.12s: dropped, no chunk came for %d "
		    "days"), stale, LINK_PKG_STALE_S / 86400);
		pkg_forget(env, stale);
	}
	if (pkg_sql(env->state, "SELECT count(*) FROM link_incoming", NULL, 0, 0) >=
	    LINK_PKG_INCOMING) {
		xasprintf(cause, "refused: %d packages are already in progress; send it "
		    "again once they arrived", LINK_PKG_INCOMING);
		return -1;
	}
	if (pkg_mkdirs(env, c->package, cause) != 0)
		return -1;
	if (sqlite3_prepare_v2(env->state, "INSERT INTO link_incoming (package, "
	    "size, chunk_size, count, started_at, updated_at) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?5)", -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, "link.db: %s", sqlite3_errmsg(env->state));
		return -1;
	}
	sqlite3_bind_text(q, 1, c->package, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, c->size);
	sqlite3_bind_int64(q, 3, c->chunk_size);
	sqlite3_bind_int64(q, 4, c->count);
	sqlite3_bind_int64(q, 5, now);
	if (sqlite3_step(q) != SQLITE_DONE) {
		xasprintf(cause, "link.db: %s", sqlite3_errmsg(env->state));
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_finalize(q);
	return 0;
}

/* Writes c's bytes at their place in the package file and syncs them. */
static int
pkg_write(const struct link_env *env, const struct link_chunk *c, char **cause)
{
	char *path = pkg_path(env, c->package, "package");
	ssize_t w;
	int fd, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640)) < 0)
		xasprintf(cause, "%s: %s", path, strerror(errno));
	else if ((w = pwrite(fd, c->data, c->len, c->index * c->chunk_size)) !=
	    (ssize_t)c->len || fdatasync(fd) != 0)
		xasprintf(cause, "%s: cannot write: %s", path,
		    w < 0 ? strerror(errno) : "short write or sync");
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

/* Syncs the directory dir, so that a rename into it survives a power cut. */
static void
pkg_sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Copies src to the inbox's dst through a hidden temporary file (another filesystem). */
static int
pkg_copy(const struct link_env *env, const char *src, const char *dst, char **cause)
{
	char *tmp = NULL, *why = NULL, *dir, buf[65536];
	ssize_t got = 0;
	int in, out, rc = -1;

	xasprintf(&dir, "%s/", env->inbox);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (out = file_tmp_open(dir, NULL, 0640, &tmp, &why)) < 0) {
		xasprintf(cause, "%s: %s", in < 0 ? src : env->inbox,
		    in < 0 ? strerror(errno) : why);
		if (in >= 0)
			close(in);
		free(why);
		free(dir);
		return -1;
	}
	while ((got = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)got) != got) {
			got = -1;
			break;
		}
	if (got < 0 || fsync(out) != 0)
		xasprintf(cause, "%s: cannot copy: %s", dst, strerror(errno));
	else if (link(tmp, dst) != 0 && errno != EEXIST)
		xasprintf(cause, "%s: %s", dst, strerror(errno));
	else
		rc = 0;
	unlink(tmp);
	pkg_sync_dir(env->inbox);
	close(in);
	close(out);
	free(tmp);
	free(dir);
	return rc;
}

/*
 * Moves the verified package file into the inbox as SHA256.lxp without
 * replacing anything there (the same name holds the same bytes).
 */
static int
pkg_deliver(const struct link_env *env, const char *package, const char *file,
    char **cause)
{
	char *dst;
	int rc = 0;

	xasprintf(&dst, "%s/%s.lxp", env->inbox, package);
	if (renameat2(AT_FDCWD, file, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
		pkg_sync_dir(env->inbox);
	else if (errno == EXDEV || errno == EINVAL || errno == ENOSYS)
		rc = pkg_copy(env, file, dst, cause);
	else if (errno != EEXIST) {
		xasprintf(cause, "%s: %s", dst, strerror(errno));
		rc = -1;
	}
	free(dst);
	return rc;
}

/* Runs sql (an insert) with package, bulletins (NULL: "") and now as ?1..?3. */
static void
pkg_track(sqlite3 *db, const char *sql, const char *package, const char *bulletins)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, package, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, bulletins != NULL ? bulletins : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (int64_t)time(NULL));
	sqlite3_step(q);
	sqlite3_finalize(q);
}

/*
 * The whole package is there: checks its SHA-256 and signature and moves it
 * into the inbox. 0 with *what set, or -1 with *cause (refused: removed).
 */
static int
pkg_finish(struct link_env *env, const char *package, const char **what,
    char **cause)
{
	const struct lib_trusted *signer;
	struct lib_trusted *tr;
	char *file = pkg_path(env, package, "package"), hex[65], *why = NULL;
	char *shas = NULL;
	int64_t seq;
	size_t n;
	int rc;

	*what = "arrived";
	if ((rc = lib_sha256_file(file, hex, &why)) == 0 && strcmp(hex, package) != 0) {
		xasprintf(&why, "damaged: the assembled package's SHA-256 is %.12s..., "
		    "not the one announced; send it again", hex);
		rc = -1;
	}
	if (rc == 0) {
		tr = link_trusted(env, &n);
		rc = lib_package_verify_list(file, tr, n, &signer, &seq, &shas, &why);
		free(tr);
	}
	if (rc == 0)
		rc = pkg_deliver(env, package, file, &why);
	if (rc == 0) {
		pkg_sql(env->state, "INSERT OR IGNORE INTO link_delivered (package, at) "
		    "VALUES (?1, ?2)", package, (int64_t)time(NULL), 0);
		pkg_track(env->state, "INSERT OR IGNORE INTO link_importing (package, "
		    "bulletins, at) VALUES (?1, ?2, ?3)", package, shas);
	}
	free(shas);
	pkg_forget(env, package);
	free(file);
	if (rc != 0)
		xasprintf(cause, "refused: %s", why);
	free(why);
	return rc == 0 ? 0 : -1;
}

/* Acknowledges package: arrived or refused, with why. */
static void
pkg_ack(struct link_env *env, const char *package, int ok, const char *what,
    const char *why)
{
	char *fields;

	xasprintf(&fields, "\"package\":\"%s\",\"what\":\"%s\"", package, what);
	link_ack(env, "package", package[0] != '\0' ? package : "unknown", fields,
	    ok, why);
	free(fields);
}

/* Takes chunk c: 0, or -1 with *cause (not recorded). *done when the package is whole. */
static int
pkg_take(struct link_env *env, const struct link_chunk *c, int64_t now, int *done,
    char **cause)
{
	unsigned char d[crypto_hash_sha256_BYTES];
	char hex[65];
	int64_t have;

	*done = 0;
	have = pkg_sql(env->state, "SELECT count(*) FROM link_incoming WHERE "
	    "package = ?1 AND size = ?2 AND chunk_size = ?3", c->package, c->size,
	    c->chunk_size);
	if (pkg_sql(env->state, "SELECT count(*) FROM link_incoming WHERE package = ?1",
	    c->package, 0, 0) > 0 && have == 0) {
		/* Announced again with another size or cut: start it again. */
		pkg_forget(env, c->package);
	}
	if (have <= 0 && pkg_admit(env, c, now, cause) != 0)
		return -1;
	if (pkg_sql(env->state, "SELECT 1 FROM link_chunks WHERE package = ?1 AND "
	    "idx = ?2", c->package, c->index, 0) == 1)
		return 0; /* twice: harmless */
	crypto_hash_sha256(d, c->data, c->len);
	sodium_bin2hex(hex, sizeof hex, d, sizeof d);
	if (strcmp(hex, c->sha256) != 0) {
		xasprintf(cause, "chunk %lld of %.12s is damaged (its SHA-256 does not "
		    "match); it stays missing", (long long)c->index, c->package);
		return -1;
	}
	if (pkg_write(env, c, cause) != 0)
		return -1;
	if (pkg_sql(env->state, "INSERT OR IGNORE INTO link_chunks (package, idx) "
	    "VALUES (?1, ?2)", c->package, c->index, 0) < 0 ||
	    pkg_sql(env->state, "UPDATE link_incoming SET updated_at = ?2 WHERE "
	    "package = ?1", c->package, now, 0) < 0) {
		xasprintf(cause, "link.db: %s", sqlite3_errmsg(env->state));
		return -1;
	}
	*done = pkg_sql(env->state, "SELECT count(*) FROM link_chunks WHERE "
	    "package = ?1", c->package, 0, 0) == c->count;
	return 0;
}

void
link_pkg_message(struct link_env *env, const void *data, size_t len)
{
	struct link_chunk c;
	const char *what = NULL;
	char *why = NULL;
	int64_t now = (int64_t)time(NULL);
	int done = 0;

	if (link_chunk_parse(data, len, &c, &why) != 0) {
		link_say(env, "package", 1, "%s", why);
		if (c.package[0] != '\0')
			pkg_ack(env, c.package, 0, "refused", why);
		free(why);
		return;
	}
	if (pkg_sql(env->state, "SELECT 1 FROM link_delivered WHERE package = ?1",
	    c.package, 0, 0) == 1) {
		if (c.index == c.count - 1)
			pkg_ack(env, c.package, 1, "arrived", NULL);
		return;
	}
	if (pkg_take(env, &c, now, &done, &why) != 0) {
		link_say(env, "package", 1, "%.12s: %s", c.package, why);
		if (strncmp(why, "refused", 7) == 0)
			pkg_ack(env, c.package, 0, "refused", why);
		free(why);
		return;
	}
	if (!done)
		return;
	if (pkg_finish(env, c.package, &what, &why) != 0) {
		link_say(env, "package", 1, "%.12s: %s", c.package, why);
		pkg_ack(env, c.package, 0, "refused", why);
		free(why);
		return;
	}
	link_say(env, "package", 0, _("%.12s: %s (%lld bytes), moved into the inbox"),
	    c.package, what, (long long)c.size);
	pkg_ack(env, c.package, 1, what, NULL);
}

/*
 * Whether every bulletin of shas (space-separated SHA-256s; none: 0) is
 * approved in the station's library.
 */
static int
pkg_all_approved(struct link_env *env, const char *shas)
{
	sqlite3_stmt *q;
	int n = 0, want = 0;

	if (env->st == NULL || shas[0] == '\0' ||
	    sqlite3_prepare_v2(store_db(env->st), "SELECT count(*) FROM bulletins "
	    "WHERE status = 'approved' AND instr(' ' || ?1 || ' ', ' ' || sha256 || "
	    "' ') > 0", -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, shas, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	for (want = 1; (shas = strchr(shas, ' ')) != NULL; shas++)
		want++;
	return n == want;
}

/*
 * The first line of the inbox's reason file path (allocated), a stand-in
 * when there is none, or NULL while it is still empty (the inbox creates it
 * before it files the package and writes it after).
 */
static char *
pkg_inbox_why(const char *path)
{
	char line[512];
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return xstrdup("refused by the station's inbox");
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line[0] != '\0' ? xstrdup(line) : NULL;
}

/*
 * What the inbox made of package (bulletins: its SHA-256s): acknowledges
 * it and returns 1, or 0 when it shows nowhere yet.
 */
static int
pkg_check_one(struct link_env *env, const char *package, const char *bulletins)
{
	char *done, *rejected, *file, *why;
	int found = 1;

	xasprintf(&done, "%s/done/%s.lxp", env->inbox, package);
	xasprintf(&rejected, "%s/rejected/%s.lxp", env->inbox, package);
	if (access(done, F_OK) == 0) {
		pkg_ack(env, package, 1, "imported", NULL);
		if (pkg_all_approved(env, bulletins)) {
			pkg_ack(env, package, 1, "approved", NULL);
			link_say(env, "package", 0, _("%.12s: imported and approved"),
			    package);
		} else {
			pkg_track(env->state, "INSERT OR IGNORE INTO link_approving "
			    "(package, bulletins, at) VALUES (?1, ?2, ?3)", package,
			    bulletins);
			link_say(env, "package", 0, _("%.12s: imported"), package);
		}
	} else if (access(rejected, F_OK) == 0) {
		xasprintf(&file, "%s.why", rejected);
		if ((why = pkg_inbox_why(file)) != NULL) {
			pkg_ack(env, package, 0, "imported", why);
			link_say(env, "package", 1, _("%.12s: not imported: %s"), package,
			    why);
			free(why);
		} else
			found = 0;
		free(file);
	} else
		found = 0;
	free(rejected);
	free(done);
	return found;
}

/* A package link_pkg_check looks at: a row of link_importing or link_approving. */
struct pkg_pending {
	char *package, *bulletins;
	int64_t at;
};

/*
 * The rows of table (package, bulletins, at), oldest first, into *rows
 * (allocated, *n of them; the caller frees each and the array).
 */
static void
pkg_pending_read(sqlite3 *db, const char *table, struct pkg_pending **rows,
    size_t *n)
{
	sqlite3_stmt *q;
	char *sql;

	*rows = NULL;
	*n = 0;
	xasprintf(&sql, "SELECT package, bulletins, at FROM %s ORDER BY at", table);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		while (sqlite3_step(q) == SQLITE_ROW) {
			*rows = xreallocarray(*rows, *n + 1, sizeof **rows);
			(*rows)[*n].package = xstrdup((const char *)sqlite3_column_text(q,
			    0));
			(*rows)[*n].bulletins = xstrdup((const char *)
			    sqlite3_column_text(q, 1));
			(*rows)[(*n)++].at = sqlite3_column_int64(q, 2);
		}
		sqlite3_finalize(q);
	}
	free(sql);
}

void
link_pkg_check(struct link_env *env)
{
	struct pkg_pending *rows;
	int64_t now = (int64_t)time(NULL);
	size_t n, i;

	/* Read first: acknowledging publishes, and the statement must not span it. */
	pkg_pending_read(env->state, "link_importing", &rows, &n);
	for (i = 0; i < n; i++) {
		/* One that shows nowhere for days is not waited for any more. */
		if (pkg_check_one(env, rows[i].package, rows[i].bulletins) ||
		    now - rows[i].at > LINK_PKG_IMPORT_S)
			pkg_sql(env->state, "DELETE FROM link_importing WHERE "
			    "package = ?1", rows[i].package, 0, 0);
		free(rows[i].package);
		free(rows[i].bulletins);
	}
	free(rows);
	/* Imported and waiting for an operator: approved since? */
	pkg_sql(env->state, "DELETE FROM link_approving WHERE at < ?2 OR package "
	    "NOT IN (SELECT package FROM link_approving ORDER BY at DESC LIMIT ?3)",
	    NULL, now - LINK_PKG_APPROVE_S, LINK_PKG_APPROVING);
	pkg_pending_read(env->state, "link_approving", &rows, &n);
	for (i = 0; i < n; i++) {
		if (pkg_all_approved(env, rows[i].bulletins)) {
			pkg_ack(env, rows[i].package, 1, "approved", NULL);
			link_say(env, "package", 0, _("%.12s: approved"), rows[i].package);
			pkg_sql(env->state, "DELETE FROM link_approving WHERE "
			    "package = ?1", rows[i].package, 0, 0);
		}
		free(rows[i].package);
		free(rows[i].bulletins);
	}
	free(rows);
}
