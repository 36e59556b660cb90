/*
 * The station's Ed25519 key, which signs its airing-log exports. The secret
 * key is DATA/station.key, one line "loaxa-ed25519-secret-key BASE64(64
 * bytes)", mode 0600 (the format `loaxa key generate` writes); the base64
 * public key is kept in meta as 'station_key' so that a lost key file is
 * noticed rather than silently replaced by a new identity.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "reports/reports.h"
#include "store/store.h"

#define KEY_TAG "loaxa-ed25519-secret-key "
#define B64 sodium_base64_VARIANT_ORIGINAL

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

/* Records the public key in meta (once; an existing value is kept). */
static int
key_meta_set(struct store *st, const char *b64, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "INSERT OR IGNORE INTO meta (key, value)"
	    " VALUES ('station_key', ?1)", -1, &q, NULL) != SQLITE_OK) {
		*cause = store_error(st, "station key");
		return -1;
	}
	sqlite3_bind_text(q, 1, b64, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(st, "station key");
		return -1;
	}
	return 0;
}

int
rep_key_load(const char *datadir, unsigned char sk[64], unsigned char pk[32],
    char **cause)
{
	char *path, buf[256], *nl;
	size_t len = 0;
	const char *end;
	FILE *f;
	int ok;

	if (sodium_init() < 0) {
		xasprintf(cause, "cannot initialise libsodium");
		return -1;
	}
	xasprintf(&path, "%s/%s", datadir, REP_KEY_FILE);
	if ((f = fopen(path, "re")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	ok = fgets(buf, sizeof buf, f) != NULL;
	fclose(f);
	if (ok && (nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	ok = ok && strncmp(buf, KEY_TAG, strlen(KEY_TAG)) == 0 &&
	    sodium_base642bin(sk, 64, buf + strlen(KEY_TAG),
	    strlen(buf + strlen(KEY_TAG)), NULL, &len, &end, B64) == 0 &&
	    *end == '\0' && len == 64;
	sodium_memzero(buf, sizeof buf);
	if (!ok) {
		xasprintf(cause, "%s: not a loaxa secret key", path);
		free(path);
		return -1;
	}
	free(path);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	return 0;
}

/* Generates the key pair and writes DATA/station.key (0600, never overwritten). */
static int
key_generate(const char *datadir, char pub[64], char **cause)
{
	unsigned char pk[32], sk[64];
	char skb[sodium_base64_ENCODED_LEN(64, B64)], *text, *path;
	size_t len;
	int fd, rc = 0;

	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(skb, sizeof skb, sk, sizeof sk, B64);
	sodium_bin2base64(pub, 64, pk, sizeof pk, B64);
	sodium_memzero(sk, sizeof sk);
	xasprintf(&text, "%s%s\n", KEY_TAG, skb);
	sodium_memzero(skb, sizeof skb);
	len = strlen(text);
	xasprintf(&path, "%s/%s", datadir, REP_KEY_FILE);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		rc = -1;
	} else if (fchmod(fd, 0600) != 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		xasprintf(cause, "%s: cannot write: %s", path, strerror(errno));
		unlink(path);
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	sodium_memzero(text, len);
	free(text);
	free(path);
	return rc;
}

int
rep_key_ensure(struct store *st, const char *datadir, char **cause)
{
	unsigned char sk[64], pk[32];
	char pub[64], *path, *known;
	struct stat sb;
	int rc;

	if (sodium_init() < 0) {
		xasprintf(cause, "cannot initialise libsodium");
		return -1;
	}
	known = key_meta(st);
	xasprintf(&path, "%s/%s", datadir, REP_KEY_FILE);
	if (stat(path, &sb) != 0) {
		if (known != NULL) {
			xasprintf(cause, "%s: missing; this station's exports are signed "
			    "with public key %s: restore the key file from a backup",
			    path, known);
			free(known);
			free(path);
			return -1;
		}
		free(path);
		if (key_generate(datadir, pub, cause) != 0)
			return -1;
		return key_meta_set(st, pub, cause);
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
	sodium_bin2base64(pub, sizeof pub, pk, sizeof pk, B64);
	rc = 0;
	if (known == NULL)
		rc = key_meta_set(st, pub, cause);
	else if (strcmp(known, pub) != 0) {
		xasprintf(cause, "%s/%s: not the key this station's data was created "
		    "with (%s)", datadir, REP_KEY_FILE, known);
		rc = -1;
	}
	free(known);
	return rc;
}
