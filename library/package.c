/*
 * District packages: bulletins and their metadata in one signed file that can
 * travel by email or USB. This file describes the format and reads it;
 * package_import.c checks what was read and applies it to the library;
 * package_write.c writes packages.
 *
 * The format is self-describing text headers around raw audio bytes:
 *
 *   LOAXA-PACKAGE 2\n
 *   signer BASE64(Ed25519 public key, 32 bytes)\n
 *   signed-at SECONDS\n                         the signer's clock, UTC
 *   sequence SEQ\n                              1 <= SEQ < 2^63
 *   entries N\n                                  1 <= N <= LIB_PKG_MAX_ENTRIES
 *   \n
 *   then N times, an entry or a retirement:
 *     entry SIZE SHA256 NAME\n                   NAME: a plain file name
 *     title TEXT\n                               the metadata lines, each
 *     topic KEY\n                                optional, in any order:
 *     agency TEXT\n                              title topic agency from until
 *     from YYYY-MM-DD\n                          min-airings priority tags
 *     until YYYY-MM-DD\n
 *     min-airings N\n
 *     priority normal|priority|emergency\n
 *     tags TAG[ TAG...]\n                        1 to LIB_TAGS_MAX tags, one space
 *     \n                                         between each
 *     SIZE bytes of audio\n
 *   or
 *     retire SHA256\n                            retire that content
 *   end\n
 *   signature BASE64(64 bytes)\n
 *
 * The signature is Ed25519ph (libsodium's crypto_sign_init/update/final)
 * over every byte from the start up to and including "end\n", so it covers
 * the signer, the metadata and the audio; nothing may follow the signature
 * line. Lines are at most LIB_PKG_MAX_LINE bytes, an entry at most
 * LIB_PKG_MAX_ENTRY bytes, the whole file at most LIB_PKG_MAX_SIZE; and
 * the file must fit in the data directory with LIB_PKG_RESERVE to spare.
 * Importing reads the file twice: the signature is checked before anything
 * is written, and again as the entries are copied out.
 * NAME never becomes a path: stored files are named by their SHA-256; a
 * NAME with a '/', '\\', a leading '.', or control characters is refused.
 *
 * A station takes a package only when its sequence is above the last one
 * it took from that signer (lib_seq_take), so that a replayed or older
 * package changes nothing, and a newer one may correct the metadata of
 * content the station has (the same SHA-256) or retire it. Format 1 had no
 * sequence: it is refused, with a reason that says to pack it again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "library/internal.h"

/*
 * Whether s is a SHA-256 as packages write it: 64 lower-case hex digits.
 * Here with the reading, so that what only verifies (the link) does not
 * bring in the writer and the audio it probes.
 */
int
lib_pkg_sha256_ok(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0' || s[64] == ' ';
}

static const char *const meta_keys[] = { "title", "topic", "agency", "from",
	"until", "min-airings", "priority", "tags" };
_Static_assert(sizeof meta_keys / sizeof meta_keys[0] == LIB_PKG_NMETA,
    "one key a metadata line");

/*
 * Reads one line (without its '\n') into buf; signs it unless nosign.
 * LIB_REJECTED with the reason at EOF or on an over-long line.
 */
static int
pkg_line(struct lib_pkg_reader *r, char *buf, int nosign, char **cause)
{
	size_t n = 0;
	int c;

	for (;;) {
		if ((c = fgetc(r->f)) == EOF) {
			if (ferror(r->f)) {
				xasprintf(cause, _("cannot read: %s"), strerror(errno));
				return LIB_ERR;
			}
			xasprintf(cause, _("truncated: the package ends at byte %lld before "
			    "it is complete"), (long long)(r->pos + (int64_t)n));
			return LIB_REJECTED;
		}
		if (c == '\n')
			break;
		if (c == '\0' || n >= LIB_PKG_MAX_LINE) {
			xasprintf(cause, _("malformed: bad header line at byte %lld"),
			    (long long)r->pos);
			return LIB_REJECTED;
		}
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if (!nosign) {
		crypto_sign_update(&r->sign, (const unsigned char *)buf, n);
		crypto_sign_update(&r->sign, (const unsigned char *)"\n", 1);
	}
	r->pos += (int64_t)n + 1;
	return 0;
}

/* A refusal for a line that is not what the format says. */
static int
pkg_bad(char **cause, const struct lib_pkg_reader *r, const char *what)
{
	xasprintf(cause, _("malformed: %s (near byte %lld)"), what, (long long)r->pos);
	return LIB_REJECTED;
}

/* A plain file name: no directories, no leading dot, printable, bounded. */
int
lib_pkg_name_ok(const char *s)
{
	const unsigned char *p;

	if (s[0] == '\0' || s[0] == '.' || strlen(s) > 255)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return 0;
	return 1;
}

/* The extension of a name for its temporary file: [a-z0-9]{1,5}, else "bin". */
static void
pkg_ext(const char *name, char ext[8])
{
	const char *dot = strrchr(name, '.');
	size_t i, n;

	strcpy(ext, "bin");
	if (dot == NULL || (n = strlen(dot + 1)) < 1 || n > 5)
		return;
	for (i = 0; i < n; i++) {
		char c = dot[1 + i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			strcpy(ext, "bin");
			return;
		}
		ext[i] = c;
	}
	ext[n] = '\0';
}

/* Frees what an entry holds and removes its temporary file. */
static void
pkg_entry_clear(struct lib_pkg_item *e)
{
	size_t i;

	if (e->fd >= 0)
		close(e->fd);
	if (e->tmp != NULL)
		unlink(e->tmp);
	free(e->tmp);
	free(e->name);
	free(e->sha256);
	for (i = 0; i < LIB_PKG_NMETA; i++)
		free(e->meta[i]);
	free(e->tags);
	if (e->probed)
		audio_info_clear(&e->info);
	free(e->rel);
	memset(e, 0, sizeof *e);
	e->fd = -1;
}

/*
 * Splits the tags line of e at each space into e->tags (pointers into
 * meta[LIB_PKG_TAGS]); at most LIB_TAGS_MAX. Each is checked with the rest of
 * the metadata when the package is imported.
 */
static int
pkg_tags(const struct lib_pkg_reader *r, struct lib_pkg_item *e, char **cause)
{
	char *t = e->meta[LIB_PKG_TAGS], *sp;

	e->tags = xcalloc(LIB_TAGS_MAX, sizeof *e->tags);
	for (;;) {
		if (e->ntags == LIB_TAGS_MAX) {
			xasprintf(cause, _("oversized: entry '%s' has more than %d tags "
			    "(near byte %lld)"), e->name, LIB_TAGS_MAX, (long long)r->pos);
			return LIB_REJECTED;
		}
		e->tags[e->ntags++] = t;
		if ((sp = strchr(t, ' ')) == NULL)
			return 0;
		*sp = '\0';
		t = sp + 1;
	}
}

/* Reads an entry's header and metadata lines (through the blank line). */
static int
pkg_entry_header(struct lib_pkg_reader *r, struct lib_pkg_item *e, char *line,
    char **cause)
{
	char *sp, *end;
	long long size;
	size_t k;
	int rc;

	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
	if (strncmp(line, "retire ", 7) == 0) {
		if (strlen(line + 7) != 64 || !lib_pkg_sha256_ok(line + 7))
			return pkg_bad(cause, r, _("bad SHA-256 to retire"));
		e->retire = 1;
		e->sha256 = xstrdup(line + 7);
		xasprintf(&e->name, "retire %.12s", e->sha256);
		return 0;
	}
	if (strncmp(line, "entry ", 6) != 0)
		return pkg_bad(cause, r, _("expected an entry"));
	size = strtoll(line + 6, &end, 10);
	if (end == line + 6 || *end != ' ' || size < 0)
		return pkg_bad(cause, r, _("bad entry size"));
	if (size > LIB_PKG_MAX_ENTRY) {
		xasprintf(cause, _("oversized: an entry of %lld bytes (at most %lld)"),
		    size, (long long)LIB_PKG_MAX_ENTRY);
		return LIB_REJECTED;
	}
	e->size = size;
	sp = end + 1;
	if (strlen(sp) < 66 || sp[64] != ' ' || !lib_pkg_sha256_ok(sp))
		return pkg_bad(cause, r, _("bad entry SHA-256"));
	e->sha256 = xstrndup(sp, 64);
	if (!lib_pkg_name_ok(sp + 65)) {
		xasprintf(cause, _("refused: entry name '%.100s' is not a plain file name "
		    "(no directories, '..' or absolute paths)"), sp + 65);
		return LIB_REJECTED;
	}
	e->name = xstrdup(sp + 65);
	for (;;) {
		if ((rc = pkg_line(r, line, 0, cause)) != 0)
			return rc;
		if (line[0] == '\0')
			return 0;
		if ((sp = strchr(line, ' ')) == NULL)
			return pkg_bad(cause, r, _("bad metadata line"));
		*sp = '\0';
		for (k = 0; k < LIB_PKG_NMETA && strcmp(meta_keys[k], line) != 0; k++)
			;
		if (k == LIB_PKG_NMETA || e->meta[k] != NULL)
			return pkg_bad(cause, r, _("unknown or repeated metadata"));
		e->meta[k] = xstrdup(sp + 1);
		if (k == LIB_PKG_TAGS && (rc = pkg_tags(r, e, cause)) != 0)
			return rc;
	}
}

/*
 * Reads an entry's bytes, signing and hashing them, and copies them to a
 * temporary file when r->keep.
 */
static int
pkg_entry_data(struct library *lib, struct lib_pkg_reader *r, struct lib_pkg_item *e,
    char **cause)
{
	crypto_hash_sha256_state h;
	unsigned char buf[65536], d[crypto_hash_sha256_BYTES];
	char ext[8], hex[65];
	int64_t left = e->size;
	size_t want, got;
	ssize_t w;
	int c;

	if (e->retire)
		return 0;
	pkg_ext(e->name, ext);
	if (r->keep && (e->fd = lib_tmp_open(lib, ext, &e->tmp, cause)) < 0)
		return LIB_ERR;
	crypto_hash_sha256_init(&h);
	while (left > 0) {
		want = left < (int64_t)sizeof buf ? (size_t)left : sizeof buf;
		if ((got = fread(buf, 1, want, r->f)) == 0) {
			xasprintf(cause, _("truncated: the package ends at byte %lld inside "
			    "entry '%s'"), (long long)r->pos, e->name);
			return LIB_REJECTED;
		}
		crypto_sign_update(&r->sign, buf, got);
		crypto_hash_sha256_update(&h, buf, got);
		if (r->keep && (w = write(e->fd, buf, got)) != (ssize_t)got) {
			xasprintf(cause, _("%s: cannot write: %s"), e->tmp, strerror(errno));
			return LIB_ERR;
		}
		left -= (int64_t)got;
		r->pos += (int64_t)got;
	}
	if ((c = fgetc(r->f)) != '\n') {
		if (c == EOF)
			xasprintf(cause, _("truncated: the package ends after entry '%s'"),
			    e->name);
		else
			return pkg_bad(cause, r, _("entry data longer than its size"));
		return LIB_REJECTED;
	}
	crypto_sign_update(&r->sign, (const unsigned char *)"\n", 1);
	r->pos++;
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hex, sizeof hex, d, sizeof d);
	if (strcmp(hex, e->sha256) != 0) {
		xasprintf(cause, _("forged or damaged: entry '%s' does not match its "
		    "SHA-256"), e->name);
		return LIB_REJECTED;
	}
	return 0;
}

/*
 * Reads the header line "word NUMBER" into *v, from 0 (1 with positive) to
 * INT64_MAX - 1; LIB_REJECTED naming what when it is not that.
 */
static int
pkg_number(struct lib_pkg_reader *r, char *line, const char *word, int positive,
    int64_t *v, char **cause)
{
	size_t len = strlen(word);
	long long x;
	char *end;
	int rc;

	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
	if (strncmp(line, word, len) != 0 || line[len] != ' ' ||
	    line[len + 1] < '0' || line[len + 1] > '9') {
		xasprintf(cause, _("malformed: no %s line (near byte %lld)"), word,
		    (long long)r->pos);
		return LIB_REJECTED;
	}
	errno = 0;
	x = strtoll(line + len + 1, &end, 10);
	if (*end != '\0' || errno != 0 || x == INT64_MAX || x < positive) {
		xasprintf(cause, _("malformed: bad %s (near byte %lld)"), word,
		    (long long)r->pos);
		return LIB_REJECTED;
	}
	*v = x;
	return 0;
}

/* The first line: this format, else why not. */
static int
pkg_magic(struct lib_pkg_reader *r, char *line, char **cause)
{
	int rc;

	if ((rc = pkg_line(r, line, 0, cause)) == LIB_ERR)
		return rc;
	if (rc == 0 && strcmp(line, LIB_PKG_MAGIC) == 0)
		return 0;
	if (rc != 0)
		free(*cause);
	if (rc == 0 && strcmp(line, "LOAXA-PACKAGE 1") == 0)
		xasprintf(cause, _("package format 1 is no longer accepted: ask the "
		    "district to pack it again"));
	else
		xasprintf(cause, _("not a loaxa package (it must start with '%s')"),
		    LIB_PKG_MAGIC);
	return LIB_REJECTED;
}

/* Refuses content retired twice, or both packed and retired. */
static int
pkg_unique(const struct lib_pkg_item *ents, size_t n, char **cause)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++)
			if ((ents[i].retire || ents[k].retire) &&
			    strcmp(ents[i].sha256, ents[k].sha256) == 0) {
				xasprintf(cause, _("malformed: %s and %s are the same content"),
				    ents[k].name, ents[i].name);
				return LIB_REJECTED;
			}
	return 0;
}

/*
 * One pass over the whole file, signing as it goes: the signature is
 * checked last, over all that was read.
 */
int
lib_pkg_read(struct library *lib, struct lib_pkg_reader *r,
    const struct lib_trusted *trusted, size_t ntrusted,
    const struct lib_trusted **signer, int64_t *signed_at, int64_t *seq,
    struct lib_pkg_item **ents, size_t *count, size_t *n, char **cause)
{
	unsigned char pk[LIB_KEY_PUBLIC], sig[crypto_sign_BYTES];
	char line[LIB_PKG_MAX_LINE + 1], *end;
	size_t i, siglen;
	long long c64;
	int rc, c;

	*signer = NULL;
	*ents = NULL;
	*count = *n = 0;
	r->pos = 0;
	rewind(r->f);
	crypto_sign_init(&r->sign);
	if ((rc = pkg_magic(r, line, cause)) != 0)
		return rc;
	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
	if (strncmp(line, "signer ", 7) != 0 || lib_key_decode(line + 7, pk) != 0)
		return pkg_bad(cause, r, _("no signer key"));
	for (i = 0; i < ntrusted; i++)
		if (sodium_memcmp(trusted[i].key, pk, sizeof pk) == 0)
			*signer = &trusted[i];
	if (*signer == NULL) {
		xasprintf(cause, _("signed by an unknown key %s; it is not in this "
		    "station's trust.districts"), line + 7);
		return LIB_REJECTED;
	}
	if ((rc = pkg_number(r, line, "signed-at", 0, signed_at, cause)) != 0 ||
	    (rc = pkg_number(r, line, "sequence", 1, seq, cause)) != 0)
		return rc;
	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
	c64 = strncmp(line, "entries ", 8) == 0 ? strtoll(line + 8, &end, 10) : -1;
	if (c64 < 1 || *end != '\0')
		return pkg_bad(cause, r, _("bad entry count"));
	if (c64 > LIB_PKG_MAX_ENTRIES) {
		xasprintf(cause, _("oversized: %lld entries (at most %d)"), c64,
		    LIB_PKG_MAX_ENTRIES);
		return LIB_REJECTED;
	}
	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
	if (line[0] != '\0')
		return pkg_bad(cause, r, _("header not ended by a blank line"));
	*count = (size_t)c64;
	*ents = xcalloc(*count, sizeof **ents);
	for (i = 0; i < *count; i++)
		(*ents)[i].fd = -1;
	for (*n = 0; *n < *count; ) {
		rc = pkg_entry_header(r, &(*ents)[*n], line, cause);
		if (rc == 0)
			rc = pkg_entry_data(lib, r, &(*ents)[*n], cause);
		++*n;
		if (rc != 0)
			return rc;
	}
	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
	if (strcmp(line, "end") != 0)
		return pkg_bad(cause, r, _("expected 'end'"));
	if ((rc = pkg_unique(*ents, *n, cause)) != 0)
		return rc;
	if ((c = fgetc(r->f)) == EOF) {
		xasprintf(cause, _("not signed: the package has no signature"));
		return LIB_REJECTED;
	}
	ungetc(c, r->f);
	if ((rc = pkg_line(r, line, 1, cause)) != 0)
		return rc;
	if (strncmp(line, "signature ", 10) != 0 || sodium_base642bin(sig, sizeof sig,
	    line + 10, strlen(line + 10), NULL, &siglen, (const char **)&end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0' ||
	    siglen != sizeof sig) {
		xasprintf(cause, _("not signed: no valid signature line"));
		return LIB_REJECTED;
	}
	if (fgetc(r->f) != EOF)
		return pkg_bad(cause, r, _("data after the signature"));
	if (crypto_sign_final_verify(&r->sign, sig, pk) != 0) {
		xasprintf(cause, _("forged or damaged: the signature does not match the "
		    "contents (signer '%s')"), (*signer)->name);
		return LIB_REJECTED;
	}
	return 0;
}

/* Frees count entries and their temporary files. */
void
lib_pkg_items_free(struct lib_pkg_item *ents, size_t count)
{
	size_t i;

	for (i = 0; ents != NULL && i < count; i++)
		pkg_entry_clear(&ents[i]);
	free(ents);
}

/*
 * Checks the package at path as an import would read it (format, entry
 * hashes, a trusted key's signature), copying nothing: for the station
 * link, which hands only verified packages to the inbox.
 */
int
lib_package_verify(const char *path, const struct lib_trusted *trusted,
    size_t ntrusted, const struct lib_trusted **signer, int64_t *seq,
    char **cause)
{
	return lib_package_verify_list(path, trusted, ntrusted, signer, seq, NULL,
	    cause);
}

int
lib_package_verify_list(const char *path, const struct lib_trusted *trusted,
    size_t ntrusted, const struct lib_trusted **signer, int64_t *seq,
    char **shas, char **cause)
{
	struct lib_pkg_reader r = { 0 };
	struct lib_pkg_item *ents = NULL;
	size_t count = 0, n = 0, i, len = 0;
	int64_t signed_at;
	int rc;

	if (shas != NULL)
		*shas = NULL;
	if (sodium_init() < 0) {
		xasprintf(cause, _("cannot initialise libsodium"));
		return LIB_ERR;
	}
	if ((r.f = fopen(path, "rbe")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return LIB_ERR;
	}
	rc = lib_pkg_read(NULL, &r, trusted, ntrusted, signer, &signed_at, seq,
	    &ents, &count, &n, cause);
	if (rc == 0 && shas != NULL) {
		*shas = xcalloc(n * 65 + 1, 1);
		for (i = 0; i < n; i++)
			len += (size_t)sprintf(*shas + len, "%s%s", i > 0 ? " " : "",
			    ents[i].sha256);
	}
	lib_pkg_items_free(ents, count);
	fclose(r.f);
	return rc;
}
