/*
 * store: the one place that opens SQLite. WAL, foreign keys, a busy timeout,
 * synchronous=FULL; schema migrations keyed on PRAGMA user_version; a database
 * from a newer loaxa is refused. Uses only common/.
 */
#ifndef LOAXA_STORE_H
#define LOAXA_STORE_H

#include <sqlite3.h>

struct store;

#define STORE_DB_NAME "loaxa.db"

/*
 * Opens (creating when missing) the database at path and brings its schema
 * up to date. Returns 0 and a handle, or -1 with an allocated *cause.
 */
int store_open(const char *path, struct store **out, char **cause);

/*
 * Creates the data directory (mode 0750) when missing and opens its
 * database, STORE_DB_NAME inside it.
 */
int store_open_dir(const char *datadir, struct store **out, char **cause);

/*
 * A private in-memory database with the current schema (the same migrations),
 * for data from elsewhere that the modules' SQL must read as it reads the
 * station's own: an export under verification. Gone when closed.
 */
int store_open_memory(struct store **out, char **cause);

/*
 * Opens the database at path read-only (SQLITE_OPEN_READONLY), for a
 * process that only reads what another one writes (the station link reads
 * the daemon's log). Nothing is created or migrated: a missing file, or a
 * schema older than min_version or newer than this loaxa's, is refused
 * with *cause. In WAL mode its -wal and -shm must exist (the writer keeps
 * them while it runs) unless the directory is writable.
 */
int store_open_readonly(const char *path, int min_version, struct store **out,
    char **cause);

void store_close(struct store **);

/*
 * Opens (creating) a side database of a process of its own, path (the
 * link's link.db, the district's fleet.db): waits up to busy_ms for a lock
 * and runs schema (CREATE ... IF NOT EXISTS). 0 with *out, or -1 with an
 * allocated *cause naming path.
 */
int store_open_side(const char *path, const char *schema, int busy_ms, sqlite3 **out,
    char **cause);

/* The connection, for the modules' own prepared statements. */
sqlite3 *store_db(struct store *);

/*
 * The columns of table signer_sequences (migration 5), for the other
 * databases that keep sequences by the same rule (library/sequence.c).
 */
#define STORE_SIGNER_SEQUENCES "(\n" \
	"  scope     TEXT NOT NULL CHECK (scope IN ('package', 'command')),\n" \
	"  signer    TEXT NOT NULL,\n" \
	"  sequence  INTEGER NOT NULL CHECK (sequence > 0),\n" \
	"  signed_at INTEGER NOT NULL,\n" \
	"  seen_at   INTEGER NOT NULL,\n" \
	"  PRIMARY KEY (scope, signer)\n" \
	") STRICT, WITHOUT ROWID"

/* The schema version this program writes. */
int store_schema_version(void);

/* Runs SQL without results; -1 with *cause on error. */
int store_exec(struct store *, const char *sql, char **cause);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; -1 with *cause on error. */
int store_begin(struct store *, char **cause);
int store_commit(struct store *, char **cause);
void store_rollback(struct store *);

/* Allocates "what: SQLite's message" for the connection's last error. */
char *store_error(struct store *, const char *what);

#endif
