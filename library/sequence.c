/*
 * Replay protection for what a signer sends: each signer numbers what it
 * signs, and a station takes from it, per scope, only a number above the
 * last one it took (store migration 4, signer_sequences). Packages use the
 * scope "package"; the station link's signed commands use "command".
 *
 * The rule works on any SQLite connection that has the table: the
 * station's database (the daemon takes packages there) and the link's own
 * link.db (the link may not write the station's database, yet must refuse
 * a replayed command): one rule, one SQL, for both.
 */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

const char lib_seq_schema[] =
    "CREATE TABLE IF NOT EXISTS signer_sequences " STORE_SIGNER_SEQUENCES ";\n";

/* The signer's key as the table keys it: base64, 44 characters. */
static void
seq_signer(const unsigned char key[LIB_KEY_PUBLIC], char b64[64])
{
	sodium_bin2base64(b64, 64, key, LIB_KEY_PUBLIC, sodium_base64_VARIANT_ORIGINAL);
}

/* "what: SQLite's message" for db's last error. */
static char *
seq_error(sqlite3 *db, const char *what)
{
	char *s;

	xasprintf(&s, "%s: %s", what, sqlite3_errmsg(db));
	return s;
}

/* The last number taken from key in scope, 0 when none; LIB_ERR with *cause. */
int
lib_seq_db_last(sqlite3 *db, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t *last, char **cause)
{
	sqlite3_stmt *q;
	char b64[64];
	int rc;

	*last = 0;
	seq_signer(key, b64);
	if (sqlite3_prepare_v2(db, "SELECT sequence FROM signer_sequences WHERE "
	    "scope = ? AND signer = ?", -1, &q, NULL) != SQLITE_OK) {
		*cause = seq_error(db, "database");
		return LIB_ERR;
	}
	lib_bind_text(q, 1, scope);
	lib_bind_text(q, 2, b64);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		*last = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = seq_error(db, "database");
		return LIB_ERR;
	}
	return 0;
}

/* 0 when seq is above the last number taken from key in scope, else why not. */
int
lib_seq_db_newer(sqlite3 *db, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, char **cause)
{
	int64_t last;
	int rc;

	if ((rc = lib_seq_db_last(db, scope, key, &last, cause)) != 0 || seq > last)
		return rc;
	if (strcmp(scope, "package") == 0)
		xasprintf(cause, _("replayed or older than package %lld already "
		    "imported"), (long long)last);
	else
		xasprintf(cause, _("replayed or older than %s %lld already accepted"),
		    scope, (long long)last);
	return LIB_REJECTED;
}

/*
 * Takes seq (signed at signed_at, UTC seconds) from key in scope, inside
 * the caller's transaction: LIB_REJECTED, recording nothing, unless seq is
 * above the last number taken from key in that scope.
 */
int
lib_seq_db_take(sqlite3 *db, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, int64_t signed_at,
    char **cause)
{
	sqlite3_stmt *q;
	char b64[64];
	int rc;

	if ((rc = lib_seq_db_newer(db, scope, key, seq, cause)) != 0)
		return rc;
	seq_signer(key, b64);
	if (sqlite3_prepare_v2(db, "INSERT INTO signer_sequences (scope, signer, "
	    "sequence, signed_at, seen_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT "
	    "(scope, signer) DO UPDATE SET sequence = ?3, signed_at = ?4, "
	    "seen_at = ?5", -1, &q, NULL) != SQLITE_OK) {
		*cause = seq_error(db, "database");
		return LIB_ERR;
	}
	lib_bind_text(q, 1, scope);
	lib_bind_text(q, 2, b64);
	sqlite3_bind_int64(q, 3, seq);
	sqlite3_bind_int64(q, 4, signed_at);
	sqlite3_bind_int64(q, 5, lib_now_ms());
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = seq_error(db, "cannot record the sequence");
		return LIB_ERR;
	}
	return 0;
}

int
lib_seq_last(struct library *lib, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t *last, char **cause)
{
	return lib_seq_db_last(store_db(lib->st), scope, key, last, cause);
}

int
lib_seq_newer(struct library *lib, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, char **cause)
{
	return lib_seq_db_newer(store_db(lib->st), scope, key, seq, cause);
}

int
lib_seq_take(struct library *lib, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, int64_t signed_at,
    char **cause)
{
	return lib_seq_db_take(store_db(lib->st), scope, key, seq, signed_at, cause);
}
