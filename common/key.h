/*
 * Ed25519 key files through libsodium, for the district's signing keys
 * (library/) and the station's export key (reports/). A secret key file is
 * one line "loaxa-ed25519-secret-key BASE64(64 bytes)", mode 0600; a public
 * key travels as BASE64(32 bytes).
 */
#ifndef LOAXA_KEY_H
#define LOAXA_KEY_H

#include <stddef.h>

#define KEY_PUBLIC 32
#define KEY_SECRET 64
/* A public key in base64 and its NUL. */
#define KEY_PUBLIC_B64 45

/* key_read: the file is missing, not a regular file, or not a key. */
#define KEY_NOT_A_KEY (-2)

/*
 * Generates a key pair and writes the secret key to path (0600); with
 * pub_file also the base64 public key to path".pub" (0644). Neither file may
 * exist already, and on failure neither is left behind. pub gets the base64
 * public key. -1 with *cause on failure.
 */
int key_generate(const char *path, int pub_file, char pub[KEY_PUBLIC_B64],
    char **cause);

/*
 * Reads the secret key file at path without waiting on it (a FIFO is no key
 * file). 0, KEY_NOT_A_KEY or -1 (cannot be read, or its group or others may
 * read or write it), with *cause.
 */
int key_read(const char *path, unsigned char sk[KEY_SECRET], char **cause);

/* Decodes a base64 public key; -1 unless it is exactly KEY_PUBLIC bytes. */
int key_public_decode(const char *b64, unsigned char pk[KEY_PUBLIC]);

/* The base64 of a public key. */
void key_public_encode(const unsigned char pk[KEY_PUBLIC], char out[KEY_PUBLIC_B64]);

#endif
