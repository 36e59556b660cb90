/*
 * District packages: bulletins and their metadata in one signed file that can
 * travel by email or USB. This file reads and imports them; package_write.c
 * writes them.
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
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/file.h"
#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

/* A package being read: the file, the signature state, where we are. */
struct pkg_reader {
	FILE *f;
	crypto_sign_state sign;
	int64_t pos;
	int keep; /* write the entries' bytes to temporary files */
};

/* One entry as read, with the temporary file its bytes went to. */
struct pkg_entry {
	char *name, *sha256;
	int64_t size;
	char *meta[8]; /* title topic agency from until min-airings priority tags */
	char **tags;   /* meta[7] split at its spaces */
	size_t ntags;
	char *tmp;
	int fd;
	struct audio_info info;
	int probed;
	char *rel;
	int retire; /* a "retire SHA256" line: no name, metadata or bytes */
};

static const char *const meta_keys[] = { "title", "topic", "agency", "from",
	"until", "min-airings", "priority", "tags" };
#define META_TAGS 7
#define NMETA (sizeof meta_keys / sizeof meta_keys[0])

/*
 * Reads one line (without its '\n') into buf; signs it unless nosign.
 * LIB_REJECTED with the reason at EOF or on an over-long line.
 */
static int
pkg_line(struct pkg_reader *r, char *buf, int nosign, char **cause)
{
	size_t n = 0;
	int c;

	for (;;) {
		if ((c = fgetc(r->f)) == EOF) {
			if (ferror(r->f)) {
				xasprintf(cause, "cannot read: %s", strerror(errno));
				return LIB_ERR;
			}
			xasprintf(cause, "truncated: the package ends at byte %lld before "
			    "it is complete", (long long)(r->pos + (int64_t)n));
			return LIB_REJECTED;
		}
		if (c == '\n')
			break;
		if (c == '\0' || n >= LIB_PKG_MAX_LINE) {
			xasprintf(cause, "malformed: bad header line at byte %lld",
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
pkg_bad(char **cause, const struct pkg_reader *r, const char *what)
{
	xasprintf(cause, "malformed: %s (near byte %lld)", what, (long long)r->pos);
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
pkg_entry_clear(struct pkg_entry *e)
{
	size_t i;

	if (e->fd >= 0)
		close(e->fd);
	if (e->tmp != NULL)
		unlink(e->tmp);
	free(e->tmp);
	free(e->name);
	free(e->sha256);
	for (i = 0; i < NMETA; i++)
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
 * meta[META_TAGS]); at most LIB_TAGS_MAX. Each is checked with the rest of
 * the metadata (pkg_meta).
 */
static int
pkg_tags(const struct pkg_reader *r, struct pkg_entry *e, char **cause)
{
	char *t = e->meta[META_TAGS], *sp;

	e->tags = xcalloc(LIB_TAGS_MAX, sizeof *e->tags);
	for (;;) {
		if (e->ntags == LIB_TAGS_MAX) {
			xasprintf(cause, "oversized: entry '%s' has more than %d tags "
			    "(near byte %lld)", e->name, LIB_TAGS_MAX, (long long)r->pos);
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
pkg_entry_header(struct pkg_reader *r, struct pkg_entry *e, char *line,
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
			return pkg_bad(cause, r, "bad SHA-256 to retire");
		e->retire = 1;
		e->sha256 = xstrdup(line + 7);
		xasprintf(&e->name, "retire %.12s", e->sha256);
		return 0;
	}
	if (strncmp(line, "entry ", 6) != 0)
		return pkg_bad(cause, r, "expected an entry");
	size = strtoll(line + 6, &end, 10);
	if (end == line + 6 || *end != ' ' || size < 0)
		return pkg_bad(cause, r, "bad entry size");
	if (size > LIB_PKG_MAX_ENTRY) {
		xasprintf(cause, "oversized: an entry of %lld bytes (at most %lld)",
		    size, (long long)LIB_PKG_MAX_ENTRY);
		return LIB_REJECTED;
	}
	e->size = size;
	sp = end + 1;
	if (strlen(sp) < 66 || sp[64] != ' ' || !lib_pkg_sha256_ok(sp))
		return pkg_bad(cause, r, "bad entry SHA-256");
	e->sha256 = xstrndup(sp, 64);
	if (!lib_pkg_name_ok(sp + 65)) {
		xasprintf(cause, "refused: entry name '%.100s' is not a plain file name "
		    "(no directories, '..' or absolute paths)", sp + 65);
		return LIB_REJECTED;
	}
	e->name = xstrdup(sp + 65);
	for (;;) {
		if ((rc = pkg_line(r, line, 0, cause)) != 0)
			return rc;
		if (line[0] == '\0')
			return 0;
		if ((sp = strchr(line, ' ')) == NULL)
			return pkg_bad(cause, r, "bad metadata line");
		*sp = '\0';
		for (k = 0; k < NMETA && strcmp(meta_keys[k], line) != 0; k++)
			;
		if (k == NMETA || e->meta[k] != NULL)
			return pkg_bad(cause, r, "unknown or repeated metadata");
		e->meta[k] = xstrdup(sp + 1);
		if (k == META_TAGS && (rc = pkg_tags(r, e, cause)) != 0)
			return rc;
	}
}

/*
 * Reads an entry's bytes, signing and hashing them, and copies them to a
 * temporary file when r->keep.
 */
static int
pkg_entry_data(struct library *lib, struct pkg_reader *r, struct pkg_entry *e,
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
			xasprintf(cause, "truncated: the package ends at byte %lld inside "
			    "entry '%s'", (long long)r->pos, e->name);
			return LIB_REJECTED;
		}
		crypto_sign_update(&r->sign, buf, got);
		crypto_hash_sha256_update(&h, buf, got);
		if (r->keep && (w = write(e->fd, buf, got)) != (ssize_t)got) {
			xasprintf(cause, "%s: cannot write: %s", e->tmp, strerror(errno));
			return LIB_ERR;
		}
		left -= (int64_t)got;
		r->pos += (int64_t)got;
	}
	if ((c = fgetc(r->f)) != '\n') {
		if (c == EOF)
			xasprintf(cause, "truncated: the package ends after entry '%s'",
			    e->name);
		else
			return pkg_bad(cause, r, "entry data longer than its size");
		return LIB_REJECTED;
	}
	crypto_sign_update(&r->sign, (const unsigned char *)"\n", 1);
	r->pos++;
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hex, sizeof hex, d, sizeof d);
	if (strcmp(hex, e->sha256) != 0) {
		xasprintf(cause, "forged or damaged: entry '%s' does not match its "
		    "SHA-256", e->name);
		return LIB_REJECTED;
	}
	return 0;
}

/* Frees what a package import returned. */
void
lib_pkg_result_clear(struct lib_pkg_result *res)
{
	free(res->signer);
	free(res->ids);
	free(res->existed);
	free(res->what);
	memset(res, 0, sizeof *res);
}

/* Builds the metadata of an entry; topic must be among topics. */
static int
pkg_meta(const struct pkg_entry *e, const char *const *topics, struct lib_meta *m,
    char **cause)
{
	char *end, *why = NULL;
	size_t i;
	long v;
	int known = 0;

	memset(m, 0, sizeof *m);
	m->title = e->meta[0];
	m->topic = e->meta[1];
	m->agency = e->meta[2];
	m->valid_from = e->meta[3];
	m->valid_until = e->meta[4];
	m->priority = e->meta[6];
	m->tags = (const char *const *)e->tags;
	m->ntags = e->ntags;
	if (e->meta[5] != NULL) {
		v = strtol(e->meta[5], &end, 10);
		if (end == e->meta[5] || *end != '\0' || v < 0 || v > 100000) {
			xasprintf(cause, "entry '%s': bad min-airings", e->name);
			return LIB_REJECTED;
		}
		m->min_airings = (int)v;
	}
	if (m->topic != NULL && topics != NULL) {
		for (i = 0; topics[i] != NULL; i++)
			known |= strcmp(topics[i], m->topic) == 0;
		if (!known) {
			xasprintf(cause, "entry '%s': unknown topic '%s' (this station "
			    "knows:", e->name, m->topic);
			for (i = 0; topics[i] != NULL; i++) {
				char *t;

				xasprintf(&t, "%s%s %s", *cause, i ? "," : "", topics[i]);
				free(*cause);
				*cause = t;
			}
			xasprintf(&end, "%s)", *cause);
			free(*cause);
			*cause = end;
			return LIB_REJECTED;
		}
	}
	if (lib_check_meta(m, &why) != 0) {
		xasprintf(cause, "entry '%s': %s", e->name, why);
		free(why);
		return LIB_REJECTED;
	}
	return 0;
}

/*
 * Whether the bulletin directory has room for size bytes of audio and still
 * LIB_PKG_RESERVE to spare, so that an import never takes the space the
 * airing log needs. LIB_ERR with *cause when not: an operational problem,
 * the package itself may be fine.
 */
static int
pkg_space(const struct library *lib, off_t size, char **cause)
{
	struct statvfs vfs;
	int64_t avail;

	if (statvfs(lib->filesdir, &vfs) != 0)
		return 0; /* unknown: the writes will say */
	avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
	if ((int64_t)size + LIB_PKG_RESERVE <= avail)
		return 0;
	xasprintf(cause, "not enough space in %s: the package needs %lld MB and "
	    "%lld MB are free (%lld MB are kept for the airing log)", lib->filesdir,
	    (long long)(size >> 20) + 1, (long long)(avail >> 20),
	    (long long)(LIB_PKG_RESERVE >> 20));
	return LIB_ERR;
}

/*
 * Reads the header line "word NUMBER" into *v, from 0 (1 with positive) to
 * INT64_MAX - 1; LIB_REJECTED naming what when it is not that.
 */
static int
pkg_number(struct pkg_reader *r, char *line, const char *word, int positive,
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
		xasprintf(cause, "malformed: no %s line (near byte %lld)", word,
		    (long long)r->pos);
		return LIB_REJECTED;
	}
	errno = 0;
	x = strtoll(line + len + 1, &end, 10);
	if (*end != '\0' || errno != 0 || x == INT64_MAX || x < positive) {
		xasprintf(cause, "malformed: bad %s (near byte %lld)", word,
		    (long long)r->pos);
		return LIB_REJECTED;
	}
	*v = x;
	return 0;
}

/* The first line: this format, else why not. */
static int
pkg_magic(struct pkg_reader *r, char *line, char **cause)
{
	int rc;

	if ((rc = pkg_line(r, line, 0, cause)) == LIB_ERR)
		return rc;
	if (rc == 0 && strcmp(line, LIB_PKG_MAGIC) == 0)
		return 0;
	if (rc != 0)
		free(*cause);
	if (rc == 0 && strcmp(line, "LOAXA-PACKAGE 1") == 0)
		xasprintf(cause, "package format 1 is no longer accepted: ask the "
		    "district to pack it again");
	else
		xasprintf(cause, "not a loaxa package (it must start with '%s')",
		    LIB_PKG_MAGIC);
	return LIB_REJECTED;
}

/* Refuses content retired twice, or both packed and retired. */
static int
pkg_unique(const struct pkg_entry *ents, size_t n, char **cause)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++)
			if ((ents[i].retire || ents[k].retire) &&
			    strcmp(ents[i].sha256, ents[k].sha256) == 0) {
				xasprintf(cause, "malformed: %s and %s are the same content",
				    ents[k].name, ents[i].name);
				return LIB_REJECTED;
			}
	return 0;
}

/*
 * Reads the package from the start: its header (the signer's time and
 * sequence into *signed_at and *seq), every entry (into temporary files
 * when r->keep) and the signature, which must be a trusted key's over all
 * of it. *ents gets the *count entries, of which *n were read.
 */
static int
pkg_read(struct library *lib, struct pkg_reader *r,
    const struct lib_trusted *trusted, size_t ntrusted,
    const struct lib_trusted **signer, int64_t *signed_at, int64_t *seq,
    struct pkg_entry **ents, size_t *count, size_t *n, char **cause)
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
		return pkg_bad(cause, r, "no signer key");
	for (i = 0; i < ntrusted; i++)
		if (sodium_memcmp(trusted[i].key, pk, sizeof pk) == 0)
			*signer = &trusted[i];
	if (*signer == NULL) {
		xasprintf(cause, "signed by an unknown key %s; it is not in this "
		    "station's trust.districts", line + 7);
		return LIB_REJECTED;
	}
	if ((rc = pkg_number(r, line, "signed-at", 0, signed_at, cause)) != 0 ||
	    (rc = pkg_number(r, line, "sequence", 1, seq, cause)) != 0)
		return rc;
	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
	c64 = strncmp(line, "entries ", 8) == 0 ? strtoll(line + 8, &end, 10) : -1;
	if (c64 < 1 || *end != '\0')
		return pkg_bad(cause, r, "bad entry count");
	if (c64 > LIB_PKG_MAX_ENTRIES) {
		xasprintf(cause, "oversized: %lld entries (at most %d)", c64,
		    LIB_PKG_MAX_ENTRIES);
		return LIB_REJECTED;
	}
	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
	if (line[0] != '\0')
		return pkg_bad(cause, r, "header not ended by a blank line");
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
		return pkg_bad(cause, r, "expected 'end'");
	if ((rc = pkg_unique(*ents, *n, cause)) != 0)
		return rc;
	if ((c = fgetc(r->f)) == EOF) {
		xasprintf(cause, "not signed: the package has no signature");
		return LIB_REJECTED;
	}
	ungetc(c, r->f);
	if ((rc = pkg_line(r, line, 1, cause)) != 0)
		return rc;
	if (strncmp(line, "signature ", 10) != 0 || sodium_base642bin(sig, sizeof sig,
	    line + 10, strlen(line + 10), NULL, &siglen, (const char **)&end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0' ||
	    siglen != sizeof sig) {
		xasprintf(cause, "not signed: no valid signature line");
		return LIB_REJECTED;
	}
	if (fgetc(r->f) != EOF)
		return pkg_bad(cause, r, "data after the signature");
	if (crypto_sign_final_verify(&r->sign, sig, pk) != 0) {
		xasprintf(cause, "forged or damaged: the signature does not match the "
		    "contents (signer '%s')", (*signer)->name);
		return LIB_REJECTED;
	}
	return 0;
}

/* Frees count entries and their temporary files. */
static void
pkg_entries_free(struct pkg_entry *ents, size_t count)
{
	size_t i;

	for (i = 0; ents != NULL && i < count; i++)
		pkg_entry_clear(&ents[i]);
	free(ents);
}


/* Whether this district brought bulletin id: its import event is actor's. */
static int
pkg_ours(struct library *lib, int64_t id, const char *actor, int *ours,
    char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (lib_prepare(lib, "SELECT 1 FROM bulletin_events WHERE bulletin_id = ? "
	    "AND action = 'import' AND actor = ?", &q, cause) != 0)
		return LIB_ERR;
	sqlite3_bind_int64(q, 1, id);
	lib_bind_text(q, 2, actor);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "database");
		return LIB_ERR;
	}
	*ours = rc == SQLITE_ROW;
	return 0;
}

/* Adds "name 'old' -> 'new'" to *reason when new is given and is not old. */
static void
pkg_change(char **reason, const char *name, const char *old, const char *new)
{
	char *t;

	if (new == NULL || (old != NULL && strcmp(old, new) == 0))
		return;
	xasprintf(&t, "%s%s%s %s%s%s -> '%s'", *reason != NULL ? *reason : "",
	    *reason != NULL ? ", " : "", name, old != NULL ? "'" : "",
	    old != NULL ? old : "none", old != NULL ? "'" : "", new);
	free(*reason);
	*reason = t;
}

/*
 * Corrects bulletin b to the title, agency, validity and minimum airings
 * that entry e gives (metadata m), with a 'correct' audit event naming the
 * package, inside the caller's transaction; *changed is set when anything
 * changed. LIB_REJECTED when the validity would end before it starts.
 */
static int
pkg_correct(struct library *lib, const struct lib_bulletin *b,
    const struct pkg_entry *e, const struct lib_meta *m, const char *actor,
    const char *pkgname, int *changed, char **cause)
{
	const char *from = m->valid_from != NULL ? m->valid_from : b->valid_from;
	const char *until = m->valid_until != NULL ? m->valid_until : b->valid_until;
	int min = e->meta[5] != NULL ? m->min_airings : b->min_airings;
	char *reason = NULL, *t, was[16], now[16];
	sqlite3_stmt *q;
	int rc;

	pkg_change(&reason, "title", b->title, m->title);
	pkg_change(&reason, "agency", b->agency, m->agency);
	pkg_change(&reason, "from", b->valid_from, m->valid_from);
	pkg_change(&reason, "until", b->valid_until, m->valid_until);
	snprintf(was, sizeof was, "%d", b->min_airings);
	snprintf(now, sizeof now, "%d", min);
	pkg_change(&reason, "min-airings", was, now);
	if (reason == NULL)
		return 0;
	if (from != NULL && until != NULL && strcmp(from, until) > 0) {
		xasprintf(cause, "entry '%s': the corrected validity would end (%s) "
		    "before it starts (%s)", e->name, until, from);
		free(reason);
		return LIB_REJECTED;
	}
	if (lib_prepare(lib, "UPDATE bulletins SET title = ?, agency = ?, valid_from = ?, "
	    "valid_until = ?, min_airings = ? WHERE id = ?", &q, cause) != 0) {
		free(reason);
		return LIB_ERR;
	}
	lib_bind_text(q, 1, m->title != NULL ? m->title : b->title);
	lib_bind_text(q, 2, m->agency != NULL ? m->agency : b->agency);
	lib_bind_text(q, 3, from);
	lib_bind_text(q, 4, until);
	sqlite3_bind_int(q, 5, min);
	sqlite3_bind_int64(q, 6, b->id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(reason);
		*cause = store_error(lib->st, "cannot correct the bulletin");
		return LIB_ERR;
	}
	xasprintf(&t, "%s: %s", pkgname, reason);
	free(reason);
	rc = lib_event_add(lib, b->id, lib_now_ms(), actor, "correct", b->status,
	    b->status, t, b->sha256, cause);
	free(t);
	*changed = rc == 0;
	return rc;
}

/*
 * Retires bulletin b for the package, with its audit event, inside the
 * caller's transaction. Like lib_retire, it forgets what was approved.
 */
static int
pkg_retire(struct library *lib, const struct lib_bulletin *b, const char *actor,
    const char *pkgname, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (lib_prepare(lib, "UPDATE bulletins SET status = 'retired', approved_sha256 "
	    "= NULL, approved_by = NULL, approved_at = NULL WHERE id = ?", &q,
	    cause) != 0)
		return LIB_ERR;
	sqlite3_bind_int64(q, 1, b->id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, "cannot retire the bulletin");
		return LIB_ERR;
	}
	return lib_event_add(lib, b->id, lib_now_ms(), actor, "retire", b->status,
	    "retired", pkgname, b->sha256, cause);
}

/*
 * What entry e does to bulletin id, content the library has, inside the
 * caller's transaction: an entry adds its tags and corrects the metadata,
 * a retirement retires it; only what this district (actor) brought is
 * corrected or retired. *what says which.
 */
static int
pkg_existing(struct library *lib, int64_t id, const struct pkg_entry *e,
    const struct lib_meta *m, const char *actor, const char *pkgname,
    const char **what, char **cause)
{
	struct lib_bulletin b;
	char *why;
	int ours = 0, changed = 0, rc;

	*what = "already in the library";
	if (!e->retire && (rc = lib_tags_insert(lib, id, m->tags, m->ntags, actor,
	    NULL, cause)) != 0) {
		if (rc == LIB_REJECTED) {
			why = *cause;
			xasprintf(cause, "entry '%s': %s", e->name, why);
			free(why);
		}
		return rc;
	}
	if ((rc = pkg_ours(lib, id, actor, &ours, cause)) != 0 ||
	    (rc = lib_get(lib, id, &b, cause)) != 0)
		return rc == LIB_REJECTED ? LIB_ERR : rc;
	if (!e->retire && ours) {
		rc = pkg_correct(lib, &b, e, m, actor, pkgname, &changed, cause);
		if (changed)
			*what = "corrected";
	} else if (e->retire && !ours)
		*what = "not retired (not brought by this district)";
	else if (e->retire && strcmp(b.status, "retired") == 0)
		*what = "already retired";
	else if (e->retire && (rc = pkg_retire(lib, &b, actor, pkgname, cause)) == 0)
		*what = "retired";
	lib_bulletin_clear(&b);
	return rc;
}

/*
 * Adds, corrects and retires what the n entries say, in one transaction
 * that first takes the package's sequence from its signer (so that of two
 * imports of one package at once, one is refused). res gets the outcome.
 */
static int
pkg_apply(struct library *lib, const char *path, const struct lib_trusted *signer,
    struct pkg_entry *ents, size_t n, const char *const *topics,
    struct lib_pkg_result *res, char **cause)
{
	char *end, *actor = NULL, *source = NULL, *err = NULL, *title, pkgname[32];
	struct lib_meta m;
	size_t i;
	int rc;

	res->signer = xstrdup(signer->name);
	res->approved = signer->auto_approve;
	res->n = n;
	res->ids = xcalloc(n, sizeof *res->ids);
	res->existed = xcalloc(n, sizeof *res->existed);
	res->what = xcalloc(n, sizeof *res->what);
	snprintf(pkgname, sizeof pkgname, "package %lld", (long long)res->sequence);
	xasprintf(&actor, "district key '%s'", signer->name);
	if (store_begin(lib->st, &err) != 0) {
		xasprintf(cause, "database: %s", err);
		free(err);
		free(actor);
		return LIB_ERR;
	}
	rc = lib_seq_take(lib, LIB_PKG_SCOPE, signer->key, res->sequence,
	    res->signed_at, cause);
	for (i = 0; rc == 0 && i < n; i++) {
		memset(&m, 0, sizeof m);
		if (!ents[i].retire)
			pkg_meta(&ents[i], topics, &m, cause);
		if ((res->ids[i] = lib_id_by_sha256(lib, ents[i].sha256, cause)) < 0) {
			rc = LIB_ERR;
			break;
		}
		res->existed[i] = res->ids[i] != 0 || ents[i].retire;
		if (res->ids[i] == 0 && ents[i].retire) {
			res->what[i] = "not in the library: nothing to retire";
			continue;
		}
		if (res->ids[i] != 0) {
			rc = pkg_existing(lib, res->ids[i], &ents[i], &m, actor, pkgname,
			    &res->what[i], cause);
			continue;
		}
		free(source);
		xasprintf(&source, "package %s, entry %s", path, ents[i].name);
		m.source = source;
		title = xstrdup(ents[i].name);
		if ((end = strrchr(title, '.')) != NULL && end != title)
			*end = '\0';
		rc = lib_insert(lib, &ents[i].info, ents[i].rel, &m, title, actor,
		    signer->auto_approve, ents[i].size, &res->ids[i], cause);
		res->what[i] = "added";
		free(title);
	}
	free(actor);
	free(source);
	return lib_tx_end(lib, rc, cause);
}

/*
 * Verifies, validates and adds a package; all of its bulletins or none.
 * Two passes: the first checks the signature and the sequence and writes
 * nothing, so that a forged, damaged or replayed package never touches the
 * disk; the second copies the entries out and checks the signature again
 * (the file may have changed between the passes).
 */
int
lib_package_import(struct library *lib, const char *path,
    const struct lib_trusted *trusted, size_t ntrusted, const char *const *topics,
    struct lib_pkg_result *res, char **cause)
{
	struct pkg_reader r;
	struct pkg_entry *ents = NULL;
	const struct lib_trusted *signer = NULL;
	char *why = NULL, *clean;
	struct lib_meta m;
	struct stat sb;
	size_t n = 0, i, count = 0;
	int rc, fd;

	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	if ((fd = file_open_regular(path, &sb)) == FILE_NOT_REGULAR) {
		xasprintf(cause, "not a regular file");
		return LIB_REJECTED;
	}
	if (fd < 0 || (r.f = fdopen(fd, "rb")) == NULL) {
		xasprintf(cause, "cannot read: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return LIB_ERR;
	}
	if ((int64_t)sb.st_size > LIB_PKG_MAX_SIZE) {
		fclose(r.f);
		xasprintf(cause, "oversized: %lld bytes (a package is at most %lld)",
		    (long long)sb.st_size, (long long)LIB_PKG_MAX_SIZE);
		return LIB_REJECTED;
	}
	r.keep = 0;
	rc = pkg_read(lib, &r, trusted, ntrusted, &signer, &res->signed_at,
	    &res->sequence, &ents, &count, &n, cause);
	pkg_entries_free(ents, count);
	ents = NULL;
	if (rc != 0 || (rc = lib_seq_newer(lib, LIB_PKG_SCOPE, signer->key,
	    res->sequence, cause)) != 0)
		goto out;
	if ((rc = pkg_space(lib, sb.st_size, cause)) != 0)
		goto out;
	r.keep = 1;
	if ((rc = pkg_read(lib, &r, trusted, ntrusted, &signer, &res->signed_at,
	    &res->sequence, &ents, &count, &n, cause)) != 0)
		goto out;
	/* Signed by a trusted key: now check each entry as an import would. */
	for (i = 0; i < n; i++) {
		if (ents[i].retire)
			continue;
		if ((rc = pkg_meta(&ents[i], topics, &m, cause)) != 0)
			goto out;
		/* The descriptor stays open: its lock keeps a sweep off the file. */
		if (audio_probe(ents[i].tmp, &ents[i].info, &why) != 0) {
			xasprintf(cause, "entry '%s': %s", ents[i].name, why);
			rc = LIB_REJECTED;
			goto out;
		}
		ents[i].probed = 1;
		if (strcmp(ents[i].info.sha256, ents[i].sha256) != 0 ||
		    (rc = lib_check_probe(&ents[i].info, &why)) != 0) {
			xasprintf(cause, "entry '%s': %s", ents[i].name,
			    why ? why : "changed while importing");
			rc = LIB_REJECTED;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (ents[i].retire)
			continue;
		if (lib_tmp_commit(lib, ents[i].fd, ents[i].tmp, ents[i].sha256,
		    lib_format_ext(ents[i].info.format), &ents[i].rel, cause) != 0) {
			ents[i].fd = -1;
			rc = LIB_ERR;
			goto out;
		}
		ents[i].fd = -1;
		free(ents[i].tmp);
		ents[i].tmp = NULL;
	}
	rc = pkg_apply(lib, path, signer, ents, n, topics, res, cause);
out:
	if (rc != 0) {
		lib_pkg_result_clear(res);
		/* Text from the package reaches logs and terminals: no controls. */
		if (*cause != NULL && !lib_text_ok(*cause, SIZE_MAX)) {
			clean = lib_text_clean(*cause);
			free(*cause);
			*cause = clean;
		}
	}
	pkg_entries_free(ents, count);
	free(why);
	fclose(r.f);
	return rc;
}
