/* Bytes as hex (common/hex.h), through libsodium. */
#include <sodium.h>
#include <string.h>

#include "common/hex.h"

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

void
hex_sha256(const char *s, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	hex_encode(h, sizeof h, out);
}
