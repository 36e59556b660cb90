/*
 * Replay protection for what a signer sends: each signer numbers what it
 * signs, and a station takes from it, per scope, only a number above the
 * last one it took (store migration 4, signer_sequences). Packages use the
 * scope "package"; the station link's signed commands will use "command".
 */
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

/* The signer's key as the table keys it: base64, 44 characters. */
static void
seq_signer(const unsigned char key[LIB_KEY_PUBLIC], char b64[64])
{
	sodium_bin2base64(b64, 64, key, LIB_KEY_PUBLIC, sodium_base64_VARIANT_ORIGINAL);
}

/* The last number taken from key in scope, 0 when none; LIB_ERR with *cause. */
int
lib_seq_last(struct library *lib, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t *last, char **cause)
{
	sqlite3_stmt *q;
	char b64[64];
	int rc;

	*last = 0;
	seq_signer(key, b64);
	if (lib_prepare(lib, "SELECT sequence FROM signer_sequences WHERE scope = ? "
	    "AND signer = ?", &q, cause) != 0)
		return LIB_ERR;
	lib_bind_text(q, 1, scope);
	lib_bind_text(q, 2, b64);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		*last = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "database");
		return LIB_ERR;
	}
	return 0;
}

/* 0 when seq is above the last number taken from key in scope, else why not. */
int
lib_seq_newer(struct library *lib, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, char **cause)
{
	int64_t last;
	int rc;

	if ((rc = lib_seq_last(lib, scope, key, &last, cause)) != 0 || seq > last)
		return rc;
	xasprintf(cause, "replayed or older than %s %lld already %s", scope,
	    (long long)last, strcmp(scope, "package") == 0 ? "imported" : "accepted");
	return LIB_REJECTED;
}

/*
 * Takes seq (signed at signed_at, UTC seconds) from key in scope, inside
 * the caller's transaction: LIB_REJECTED, recording nothing, unless seq is
 * above the last number taken from key in that scope.
 */
int
lib_seq_take(struct library *lib, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, int64_t signed_at,
    char **cause)
{
	sqlite3_stmt *q;
	char b64[64];
	int rc;

	if ((rc = lib_seq_newer(lib, scope, key, seq, cause)) != 0)
		return rc;
	seq_signer(key, b64);
	if (lib_prepare(lib, "INSERT INTO signer_sequences (scope, signer, sequence, "
	    "signed_at, seen_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (scope, "
	    "signer) DO UPDATE SET sequence = ?3, signed_at = ?4, seen_at = ?5",
	    &q, cause) != 0)
		return LIB_ERR;
	lib_bind_text(q, 1, scope);
	lib_bind_text(q, 2, b64);
	sqlite3_bind_int64(q, 3, seq);
	sqlite3_bind_int64(q, 4, signed_at);
	sqlite3_bind_int64(q, 5, lib_now_ms());
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "cannot record the sequence");
		return LIB_ERR;
	}
	return 0;
}
