/*
 * Fuzz target: a district package through lib_package_import, into a fresh
 * library (a new database and files directory per input).
 *
 * The first byte chooses how the rest is used. Even: the rest is the
 * package file as it is, and the key its signer line names is trusted, so
 * the fuzzer explores the parsing and every refusal up to the signature
 * check. Odd: the rest is a package body that the harness makes authentic
 * before the import (as a district would sign it): the signer line names the harness's key, every entry's
 * SHA-256 is set to its data's, anything after "end" is dropped and a valid
 * signature appended; then the fuzzer reaches what a trusted district's
 * package goes through (metadata checks, audio probing, the transaction).
 *
 * Beyond not crashing: a refusal leaves no bulletin and no temporary file
 * behind, and a success adds one bulletin (or finds one) per entry, whose
 * tags are all tags, at most LIB_TAGS_MAX of them, and takes the package's
 * sequence (the same package again would be a replay). With
 * FUZZ_DEBUG set in the environment it says what became of each input.
 */
#include <dirent.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tag.h"
#include "common/xmalloc.h"
#include "library/library.h"
#include "store/store.h"
#include "tests/fuzz/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const topics[] = { "cchc", "tthc", NULL };
static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

/* A growing buffer. */
struct out {
	unsigned char *b;
	size_t n;
};

static void
put(struct out *o, const void *p, size_t n)
{
	o->b = xrealloc(o->b, o->n + n + 1);
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

/* The line at *p (up to end), without its '\n'; NULL when there is no '\n'. */
static const uint8_t *
line(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));

	if (nl == NULL)
		return NULL;
	*len = (size_t)(nl - s);
	*p = nl + 1;
	return s;
}

/*
 * Makes body authentic: our signer, each entry's true SHA-256, signed up to
 * and including "end\n" (or all of it when there is no such line).
 */
static void
make_authentic(const uint8_t *p, size_t size, struct out *o)
{
	const uint8_t *end = p + size, *l;
	unsigned char sig[crypto_sign_BYTES], d[crypto_hash_sha256_BYTES];
	char b64[128], hex[65], *head, *sp;
	crypto_sign_state st;
	unsigned long long sz;
	size_t len, i;

	for (i = 0; (l = line(&p, end, &len)) != NULL; i++) {
		if (i == 1 && len >= 7 && memcmp(l, "signer ", 7) == 0) {
			sodium_bin2base64(b64, sizeof b64, pk, sizeof pk,
			    sodium_base64_VARIANT_ORIGINAL);
			put(o, "signer ", 7);
			put(o, b64, strlen(b64));
			put(o, "\n", 1);
			continue;
		}
		if (len > 6 && memcmp(l, "entry ", 6) == 0) {
			/* A copy that is a string even when the line holds a NUL. */
			head = xmalloc(len + 1);
			memcpy(head, l, len);
			head[len] = '\0';
			sz = strtoull(head + 6, &sp, 10);
			/* The metadata lines, then sz bytes: hash them into the line. */
			if (*sp == ' ' && strlen(sp + 1) >= 64) {
				const uint8_t *q = p, *m;
				size_t mlen;

				while ((m = line(&q, end, &mlen)) != NULL && mlen != 0)
					;
				if (m != NULL && sz <= (unsigned long long)(end - q)) {
					crypto_hash_sha256(d, q, (size_t)sz);
					sodium_bin2hex(hex, sizeof hex, d, sizeof d);
					memcpy(sp + 1, hex, 64);
				}
			}
			put(o, head, len);
			put(o, "\n", 1);
			free(head);
			continue;
		}
		put(o, l, len);
		put(o, "\n", 1);
		if (len == 3 && memcmp(l, "end", 3) == 0)
			break;
	}
	if (l == NULL)
		put(o, p, (size_t)(end - p));
	crypto_sign_init(&st);
	crypto_sign_update(&st, o->b, o->n);
	crypto_sign_final_create(&st, sig, NULL, sk);
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig,
	    sodium_base64_VARIANT_ORIGINAL);
	put(o, "signature ", 10);
	put(o, b64, strlen(b64));
	put(o, "\n", 1);
}

/* The key the second line of a package names, else the harness's own. */
static void
signer_key(const unsigned char *b, size_t n, unsigned char key[LIB_KEY_PUBLIC])
{
	const unsigned char *l1, *l2;
	char *text;

	memcpy(key, pk, LIB_KEY_PUBLIC);
	if ((l1 = memchr(b, '\n', n)) == NULL ||
	    (l2 = memchr(l1 + 1, '\n', n - (size_t)(l1 + 1 - b))) == NULL ||
	    l2 - l1 < 8 || memcmp(l1 + 1, "signer ", 7) != 0)
		return;
	text = xstrndup((const char *)l1 + 8, (size_t)(l2 - l1 - 8));
	if (lib_key_decode(text, key) != 0)
		memcpy(key, pk, LIB_KEY_PUBLIC);
	free(text);
}

/* How many bulletins the library holds; fails on a bulletin with bad tags. */
static size_t
count(struct library *lib)
{
	struct lib_bulletin *b = NULL;
	size_t n = 0, i, k;
	char *cause = NULL;

	if (lib_list(lib, NULL, NULL, &b, &n, &cause) != 0)
		fuzz_fail("lib_list: %s", cause);
	for (i = 0; i < n; i++) {
		if (b[i].ntags > LIB_TAGS_MAX)
			fuzz_fail("bulletin %lld has %zu tags", (long long)b[i].id,
			    b[i].ntags);
		for (k = 0; k < b[i].ntags; k++)
			if (!tag_ok(b[i].tags[k]))
				fuzz_fail("bulletin %lld has a bad tag", (long long)b[i].id);
	}
	lib_bulletins_free(&b, n);
	return n;
}

/* The name of a temporary file in dir, or NULL. */
static const char *
tmp_left(const char *dir)
{
	static char name[256];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".tmp-", 5) == 0) {
			snprintf(name, sizeof name, "%s", de->d_name);
			closedir(d);
			return name;
		}
	closedir(d);
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *dir, *pkg, *files;
	struct lib_trusted trusted = { "Huyện thử", pk, 1 };
	unsigned char key[LIB_KEY_PUBLIC];
	struct lib_pkg_result res;
	struct library *lib = NULL;
	struct store *st = NULL;
	struct out o = { NULL, 0 };
	char *cause = NULL;
	const char *left;
	size_t before;
	int rc;

	if (dir == NULL) {
		unsigned char seed[crypto_sign_SEEDBYTES] = { 'l', 'o', 'a', 'x', 'a' };

		if (sodium_init() < 0)
			fuzz_fail("sodium_init");
		crypto_sign_seed_keypair(pk, sk, seed);
		dir = fuzz_path("data");
		pkg = fuzz_path("input.pkg");
		xasprintf(&files, "%s/%s", dir, LIB_FILES_DIR);
	}
	if (size == 0)
		return 0;
	if (data[0] & 1)
		make_authentic(data + 1, size - 1, &o);
	else {
		put(&o, data + 1, size - 1);
		signer_key(o.b, o.n, key);
		trusted.key = key;
	}
	fuzz_write(pkg, o.b, o.n);
	free(o.b);

	/* A fresh library: no database, no stored files. */
	fuzz_empty(files);
	fuzz_empty(dir);
	if (store_open_dir(dir, &st, &cause) != 0 || lib_new(st, dir, &lib, &cause) != 0)
		fuzz_fail("cannot open the library: %s", cause);
	before = count(lib);
	rc = lib_package_import(lib, pkg, &trusted, 1, topics, &res, &cause);
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "fuzz_package: %s\n", rc == 0 ? "imported" : cause);
	if (rc == 0) {
		if (res.n == 0 || res.ids == NULL)
			fuzz_fail("imported a package of no bulletin");
		if (count(lib) > before + res.n)
			fuzz_fail("more bulletins than entries");
		/* Its sequence was taken: the same package again is a replay. */
		if (lib_seq_newer(lib, "package", trusted.key, res.sequence, &cause) !=
		    LIB_REJECTED)
			fuzz_fail("package %lld imported, and still not a replay",
			    (long long)res.sequence);
		free(cause);
		cause = NULL;
		lib_pkg_result_clear(&res);
	} else {
		if (cause == NULL)
			fuzz_fail("refused without a reason");
		if (count(lib) != before)
			fuzz_fail("a refused package changed the library: %s", cause);
		free(cause);
	}
	/* Nothing temporary is left behind, whatever happened. */
	if ((left = tmp_left(files)) != NULL)
		fuzz_fail("a temporary file is left: %s", left);
	lib_free(&lib);
	store_close(&st);
	return 0;
}
