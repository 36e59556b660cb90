/*
 * District signing keys: Ed25519 through libsodium. A secret key file is one
 * line "loaxa-ed25519-secret-key BASE64(64 bytes)", mode 0600; the public
 * key travels as BASE64(32 bytes) into a station's trust section.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/xmalloc.h"
#include "library/internal.h"

#define KEY_TAG "loaxa-ed25519-secret-key "

/* Writes text to a new file path with mode, refusing to overwrite; fsyncs it. */
static int
write_new(const char *path, const char *text, mode_t mode, char **cause)
{
	size_t len = strlen(text);
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
		xasprintf(cause, "%s: %s", path, errno == EEXIST ?
		    "already exists; a key is never overwritten" : strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) != 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		xasprintf(cause, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Generates a key pair; the secret key file is 0600, the .pub beside it 0644.
 * Neither may exist already; on failure neither is left behind.
 */
int
lib_key_generate(const char *path, char *pub_b64, size_t len, char **cause)
{
	unsigned char pk[LIB_KEY_PUBLIC], sk[LIB_KEY_SECRET];
	char skb[sodium_base64_ENCODED_LEN(LIB_KEY_SECRET,
	    sodium_base64_VARIANT_ORIGINAL)], *text, *pubpath;
	char pub[sodium_base64_ENCODED_LEN(LIB_KEY_PUBLIC,
	    sodium_base64_VARIANT_ORIGINAL)];
	int rc;

	if (sodium_init() < 0 || len < sodium_base64_ENCODED_LEN(LIB_KEY_PUBLIC,
	    sodium_base64_VARIANT_ORIGINAL)) {
		xasprintf(cause, "cannot initialise libsodium");
		return LIB_ERR;
	}
	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(skb, sizeof skb, sk, sizeof sk,
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(pub, sizeof pub, pk, sizeof pk,
	    sodium_base64_VARIANT_ORIGINAL);
	xasprintf(&text, "%s%s\n", KEY_TAG, skb);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(skb, sizeof skb);
	rc = write_new(path, text, 0600, cause);
	sodium_memzero(text, strlen(text));
	free(text);
	if (rc != 0)
		return LIB_ERR;
	xasprintf(&pubpath, "%s.pub", path);
	xasprintf(&text, "%s\n", pub);
	rc = write_new(pubpath, text, 0644, cause);
	free(text);
	free(pubpath);
	/* A secret key whose public half was not written is no use: take it back. */
	if (rc != 0) {
		unlink(path);
		return LIB_ERR;
	}
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
	char buf[256], *nl;
	size_t n, len;
	const char *end;
	struct stat sb;
	FILE *f;
	int fd, err;

	if (sodium_init() < 0) {
		xasprintf(cause, "cannot initialise libsodium");
		return LIB_ERR;
	}
	if ((fd = file_open_regular(path, &sb)) < 0) {
		err = errno;
		xasprintf(cause, "%s: %s", path, file_open_error(fd));
		return fd == FILE_NOT_REGULAR || err == ENOENT || err == ENOTDIR ||
		    err == ELOOP ? LIB_REJECTED : LIB_ERR;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return LIB_ERR;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if (strncmp(buf, KEY_TAG, strlen(KEY_TAG)) != 0 ||
	    sodium_base642bin(sk, LIB_KEY_SECRET, buf + strlen(KEY_TAG),
	    strlen(buf + strlen(KEY_TAG)), NULL, &len, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0' ||
	    len != LIB_KEY_SECRET) {
		sodium_memzero(buf, sizeof buf);
		xasprintf(cause, "%s: not a loaxa secret key (make one with `loaxa key "
		    "generate`)", path);
		return LIB_REJECTED;
	}
	sodium_memzero(buf, sizeof buf);
	return 0;
}

/* Decodes a base64 Ed25519 public key; -1 unless exactly 32 bytes. */
int
lib_key_decode(const char *b64, unsigned char pk[LIB_KEY_PUBLIC])
{
	size_t len;
	const char *end;

	if (sodium_base642bin(pk, LIB_KEY_PUBLIC, b64, strlen(b64), NULL, &len, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0' ||
	    len != LIB_KEY_PUBLIC)
		return -1;
	return 0;
}
