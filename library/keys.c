/*
 * District signing keys: the key-file format of common/key.h, with the
 * library's return codes. The public key travels as BASE64(32 bytes) into a
 * station's trust section; `loaxa key generate` also writes it beside the
 * secret key, as path".pub".
 */
#include <stdio.h>

#include "common/i18n.h"
#include "common/key.h"
#include "common/xmalloc.h"
#include "library/internal.h"

/*
 * Generates a key pair; the secret key file is 0600, the .pub beside it 0644.
 * Neither may exist already; on failure neither is left behind.
 */
int
lib_key_generate(const char *path, char *pub_b64, size_t len, char **cause)
{
	char pub[KEY_PUBLIC_B64];

	if (len < sizeof pub) {
		xasprintf(cause, _("no room for a public key"));
		return LIB_ERR;
	}
	if (key_generate(path, 1, pub, cause) != 0)
		return LIB_ERR;
	snprintf(pub_b64, len, "%s", pub);
	return 0;
}

/*
 * Reads a secret key file; LIB_REJECTED when it is not one (missing, not a
 * regular file, or not a key), LIB_ERR when it cannot be read.
 */
int
lib_key_read(const char *path, unsigned char sk[LIB_KEY_SECRET], char **cause)
{
	int rc = key_read(path, sk, cause);

	return rc == 0 ? 0 : rc == KEY_NOT_A_KEY ? LIB_REJECTED : LIB_ERR;
}

/* Decodes a base64 Ed25519 public key; -1 unless exactly 32 bytes. */
int
lib_key_decode(const char *b64, unsigned char pk[LIB_KEY_PUBLIC])
{
	return key_public_decode(b64, pk);
}
