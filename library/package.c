/*
 * District packages: bulletins and their metadata in one signed file that can
 * travel by email or USB. This file reads and imports them; package_write.c
 * writes them.
 *
 * The format is self-describing text headers around raw audio bytes:
 *
 *   LOAXA-PACKAGE 1\n
 *   signer BASE64(Ed25519 public key, 32 bytes)\n
 *   entries N\n                                  1 <= N <= LIB_PKG_MAX_ENTRIES
 *   \n
 *   then N times:
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
 * The tags line came after the first stations were installed. A package
 * without tags is written exactly as before, so that any loaxa reads it; a
 * loaxa older than the tags refuses one with tags (unknown metadata) rather
 * than dropping them, hence the version stays 1.
 */
#include <errno.h>
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
	size_t i, k;
	int rc;

	if ((rc = pkg_line(r, line, 0, cause)) != 0)
		return rc;
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
	if (strlen(sp) < 66 || sp[64] != ' ')
		return pkg_bad(cause, r, "bad entry SHA-256");
	for (i = 0; i < 64; i++)
		if (!((sp[i] >= '0' && sp[i] <= '9') || (sp[i] >= 'a' && sp[i] <= 'f')))
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
 * Reads the package from the start: its header, every entry (into temporary
 * files when r->keep) and the signature, which must be a trusted key's over
 * all of it. *ents gets the *count entries, of which *n were read.
 */
static int
pkg_read(struct library *lib, struct pkg_reader *r,
    const struct lib_trusted *trusted, size_t ntrusted,
    const struct lib_trusted **signer, struct pkg_entry **ents, size_t *count,
    size_t *n, char **cause)
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
	if ((rc = pkg_line(r, line, 0, cause)) != 0 || strcmp(line, LIB_PKG_MAGIC) != 0) {
		if (rc == 0 || rc == LIB_REJECTED) {
			if (rc != 0)
				free(*cause);
			xasprintf(cause, "not a loaxa package (it must start with '%s')",
			    LIB_PKG_MAGIC);
			rc = LIB_REJECTED;
		}
		return rc;
	}
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

/*
 * Verifies, validates and adds a package; all of its bulletins or none.
 * Two passes: the first checks the signature and writes nothing, so that a
 * forged or damaged package never touches the disk; the second copies the
 * entries out and checks the signature again (the file may have changed
 * between the passes).
 */
int
lib_package_import(struct library *lib, const char *path,
    const struct lib_trusted *trusted, size_t ntrusted, const char *const *topics,
    struct lib_pkg_result *res, char **cause)
{
	struct pkg_reader r;
	struct pkg_entry *ents = NULL;
	const struct lib_trusted *signer = NULL;
	char *end, *actor = NULL, *source = NULL;
	char *err = NULL, *why = NULL, *title;
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
	rc = pkg_read(lib, &r, trusted, ntrusted, &signer, &ents, &count, &n, cause);
	pkg_entries_free(ents, count);
	ents = NULL;
	if (rc != 0)
		goto out;
	if ((rc = pkg_space(lib, sb.st_size, cause)) != 0)
		goto out;
	r.keep = 1;
	if ((rc = pkg_read(lib, &r, trusted, ntrusted, &signer, &ents, &count, &n,
	    cause)) != 0)
		goto out;
	/* Signed by a trusted key: now check each entry as an import would. */
	for (i = 0; i < n; i++) {
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
	res->signer = xstrdup(signer->name);
	res->approved = signer->auto_approve;
	res->n = n;
	res->ids = xcalloc(n, sizeof *res->ids);
	res->existed = xcalloc(n, sizeof *res->existed);
	xasprintf(&actor, "district key '%s'", signer->name);
	if (store_begin(lib->st, &err) != 0) {
		xasprintf(cause, "database: %s", err);
		rc = LIB_ERR;
		goto out;
	}
	for (i = 0; i < n; i++) {
		pkg_meta(&ents[i], topics, &m, cause);
		if ((res->ids[i] = lib_id_by_sha256(lib, ents[i].sha256, cause)) != 0) {
			if (res->ids[i] < 0) {
				rc = LIB_ERR;
				break;
			}
			res->existed[i] = 1;
			/* The same content again: it keeps its row, and takes the tags. */
			if ((rc = lib_tags_insert(lib, res->ids[i], m.tags, m.ntags, actor,
			    NULL, cause)) != 0) {
				if (rc == LIB_REJECTED) {
					why = *cause;
					xasprintf(cause, "entry '%s': %s", ents[i].name, why);
				}
				break;
			}
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
		free(title);
		if (rc != 0)
			break;
	}
	if (rc == 0 && store_commit(lib->st, &err) != 0) {
		xasprintf(cause, "database: %s", err);
		rc = LIB_ERR;
	}
	if (rc != 0)
		store_rollback(lib->st);
out:
	if (rc != 0)
		lib_pkg_result_clear(res);
	pkg_entries_free(ents, count);
	free(actor);
	free(source);
	free(err);
	free(why);
	fclose(r.f);
	return rc;
}
