/*
 * The station's Ed25519 key, which signs its airing-log exports. The secret
 * key is DATA/station.key in the key-file format of common/key.h (the one
 * `loaxa key generate` writes), mode 0600, made only when the operator asks
 * (`loaxa key station`); the base64 public key is kept in meta as
 * 'station_key' so that a lost key file is noticed rather than silently
 * replaced by a new identity, which the district would not trust.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/key.h"
#include "common/xmalloc.h"
#include "reports/reports.h"
#include "store/store.h"

/* The public key meta records, as an allocated string, or NULL when none. */
static char *
key_meta(struct store *st)
{
	sqlite3_stmt *q;
	char *v = NULL;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT value FROM meta WHERE key = 'station_key'", -1, &q, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

/*
 * Records the public key in meta: once (an existing value is kept), or,
 * with replace, over the one a lost key file had.
 */
static int
key_meta_set(struct store *st, const char *b64, int replace, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO meta (key, value) VALUES "
	    "('station_key', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1 WHERE ?2",
	    -1, &q, NULL) != SQLITE_OK) {
		*cause = store_error(st, _("station key"));
		return -1;
	}
	sqlite3_bind_text(q, 1, b64, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, replace != 0);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(st, _("station key"));
		return -1;
	}
	return 0;
}

/* The path of the station's key file; the caller frees it. */
static char *
key_path(const char *datadir)
{
	char *path;

	xasprintf(&path, "%s/%s", datadir, REP_KEY_FILE);
	return path;
}

int
rep_key_load(const char *datadir, unsigned char sk[KEY_SECRET],
    unsigned char pk[KEY_PUBLIC], char **cause)
{
	char *path;
	int rc;

	path = key_path(datadir);
	rc = key_read(path, sk, cause);
	free(path);
	if (rc != 0)
		return -1;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	return 0;
}

int
rep_key_create(struct store *st, const char *datadir, int replace,
    char pub[KEY_PUBLIC_B64], char **cause)
{
	char *path = key_path(datadir), *known;
	struct stat sb;
	int rc = -1;

	known = key_meta(st);
	if (lstat(path, &sb) == 0)
		xasprintf(cause, _("%s: already exists%s%s; a station keeps one key "
		    "(the district's trust.stations lists it)"), path,
		    known != NULL ? _(", public key ") : "", known != NULL ? known : "");
	else if (known != NULL && !replace)
		xasprintf(cause, _("%s: missing, but this station's exports were signed "
		    "with public key %s: restore the key file from a backup; only if "
		    "it is lost for good, make a new one with --replace and give the "
		    "district its public key"), path, known);
	else if (key_generate(path, 0, pub, cause) == 0) {
		rc = key_meta_set(st, pub, replace, cause);
		if (rc != 0)
			unlink(path);
	}
	free(known);
	free(path);
	return rc;
}

int
rep_key_check(struct store *st, const char *datadir, char **cause)
{
	unsigned char sk[KEY_SECRET], pk[KEY_PUBLIC];
	char pub[KEY_PUBLIC_B64], *path, *known;
	struct stat sb;
	int rc;

	if (sodium_init() < 0) {
		xasprintf(cause, _("cannot initialise libsodium"));
		return -1;
	}
	known = key_meta(st);
	path = key_path(datadir);
	if (lstat(path, &sb) != 0) {
		rc = 0;
		if (known != NULL) {
			xasprintf(cause, _("%s: missing; this station's exports are signed "
			    "with public key %s: restore the key file from a backup"),
			    path, known);
			rc = -1;
		}
		free(known);
		free(path);
		return rc;
	}
	/*
	 * An operator in the station's group may read the data but not the
	 * secret key (0600): that is no reason to refuse reading the log.
	 */
	if (access(path, R_OK) != 0) {
		free(path);
		free(known);
		return 0;
	}
	free(path);
	if (rep_key_load(datadir, sk, pk, cause) != 0) {
		free(known);
		return -1;
	}
	sodium_memzero(sk, sizeof sk);
	key_public_encode(pk, pub);
	rc = 0;
	if (known == NULL)
		rc = key_meta_set(st, pub, 0, cause);
	else if (strcmp(known, pub) != 0) {
		xasprintf(cause, _("%s/%s: not the key this station's data was created "
		    "with (%s)"), datadir, REP_KEY_FILE, known);
		rc = -1;
	}
	free(known);
	return rc;
}
