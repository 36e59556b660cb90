/*
 * Ed25519 key files: the one reader and writer of the secret key format, for
 * the district's signing keys and the station's export key alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/key.h"
#include "common/perm.h"
#include "common/xmalloc.h"

#define KEY_TAG "loaxa-ed25519-secret-key "
#define B64 sodium_base64_VARIANT_ORIGINAL

/* Writes text to a new file path with mode, refusing to overwrite; fsyncs it. */
static int
key_write_new(const char *path, const char *text, mode_t mode, char **cause)
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

int
key_generate(const char *path, int pub_file, char pub[KEY_PUBLIC_B64], char **cause)
{
	unsigned char pk[KEY_PUBLIC], sk[KEY_SECRET];
	char skb[sodium_base64_ENCODED_LEN(KEY_SECRET, B64)], *text, *pubpath;
	int rc;

	if (sodium_init() < 0) {
		xasprintf(cause, "cannot initialise libsodium");
		return -1;
	}
	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(skb, sizeof skb, sk, sizeof sk, B64);
	key_public_encode(pk, pub);
	xasprintf(&text, "%s%s\n", KEY_TAG, skb);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(skb, sizeof skb);
	rc = key_write_new(path, text, 0600, cause);
	sodium_memzero(text, strlen(text));
	free(text);
	if (rc != 0 || !pub_file)
		return rc;
	xasprintf(&pubpath, "%s.pub", path);
	xasprintf(&text, "%s\n", pub);
	rc = key_write_new(pubpath, text, 0644, cause);
	free(text);
	free(pubpath);
	/* A secret key whose public half was not written is no use: take it back. */
	if (rc != 0)
		unlink(path);
	return rc;
}

int
key_read(const char *path, unsigned char sk[KEY_SECRET], char **cause)
{
	char buf[256], *nl;
	size_t n, len;
	const char *end;
	struct stat sb;
	FILE *f;
	int fd, err;

	if (sodium_init() < 0) {
		xasprintf(cause, "cannot initialise libsodium");
		return -1;
	}
	if ((fd = file_open_regular(path, &sb)) < 0) {
		err = errno;
		xasprintf(cause, "%s: %s", path, file_open_error(fd));
		return fd == FILE_NOT_REGULAR || err == ENOENT || err == ENOTDIR ||
		    err == ELOOP ? KEY_NOT_A_KEY : -1;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	err = ferror(f) ? errno : 0;
	fclose(f);
	if (err != 0) {
		sodium_memzero(buf, sizeof buf);
		xasprintf(cause, "%s: %s", path, strerror(err));
		return -1;
	}
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if (strncmp(buf, KEY_TAG, strlen(KEY_TAG)) != 0 ||
	    sodium_base642bin(sk, KEY_SECRET, buf + strlen(KEY_TAG),
	    strlen(buf + strlen(KEY_TAG)), NULL, &len, &end, B64) != 0 ||
	    *end != '\0' || len != KEY_SECRET) {
		sodium_memzero(buf, sizeof buf);
		xasprintf(cause, "%s: not a loaxa secret key (the format `loaxa key "
		    "generate` writes)", path);
		return KEY_NOT_A_KEY;
	}
	sodium_memzero(buf, sizeof buf);
	/* A key others can read signs for them too: not used until it is closed. */
	if (perm_check_stat(path, &sb, PERM_SECRET, cause) != 0) {
		sodium_memzero(sk, KEY_SECRET);
		return -1;
	}
	return 0;
}

int
key_public_decode(const char *b64, unsigned char pk[KEY_PUBLIC])
{
	size_t len;
	const char *end;

	if (sodium_base642bin(pk, KEY_PUBLIC, b64, strlen(b64), NULL, &len, &end,
	    B64) != 0 || *end != '\0' || len != KEY_PUBLIC)
		return -1;
	return 0;
}

void
key_public_encode(const unsigned char pk[KEY_PUBLIC], char out[KEY_PUBLIC_B64])
{
	sodium_bin2base64(out, KEY_PUBLIC_B64, pk, KEY_PUBLIC, B64);
}
