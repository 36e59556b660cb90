/* Shared inside library/ only: the handle and the file store's helpers. */
#ifndef LOAXA_LIBRARY_INTERNAL_H
#define LOAXA_LIBRARY_INTERNAL_H

#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "audio/audio.h"
#include "common/file.h"
#include "library/library.h"

struct library {
	struct store *st;
	char *datadir;
	char *filesdir; /* datadir/bulletins */
};

/* Prepares sql on the library's connection; -1 with *cause. */
int lib_prepare(struct library *, const char *sql, sqlite3_stmt **, char **cause);

/* Binds a string, or NULL, to parameter i. */
void lib_bind_text(sqlite3_stmt *, int i, const char *);

/*
 * Appends one audit entry for bulletin id inside the caller's transaction;
 * an actor or a reason that is not text is kept cleaned (common/utf8.h utf8_clean).
 */
int lib_event_add(struct library *, int64_t id, int64_t at, const char *actor,
    const char *action, const char *from, const char *to, const char *reason,
    const char *sha256, char **cause);

/*
 * Ends the caller's transaction: commits when rc is 0, else (or when the
 * commit fails: LIB_ERR with *cause) rolls back. Returns the outcome.
 */
int lib_tx_end(struct library *, int rc, char **cause);

/*
 * A bulletin's status (pending, approved, rejected, retired) in the
 * reader's language, for messages; the status itself stays the data word.
 */
const char *lib_status_word(const char *status);

/* The file extension the library stores a format under ("wav", "ogg", ...). */
const char *lib_format_ext(const char *format);

#define LIB_TMP_PREFIX FILE_TMP_INFIX

/*
 * Opens a new temporary file in the files directory ending in .ext; returns
 * the descriptor and sets *tmp to its allocated path, or -1 with *cause.
 * The descriptor holds an exclusive flock until lib_tmp_commit (or close):
 * keep it open for as long as the file is wanted.
 */
int lib_tmp_open(struct library *, const char *ext, char **tmp, char **cause);

/*
 * Removes the temporary files no process holds (left by an import that was
 * killed or cut by a power loss); returns how many.
 */
int lib_tmp_sweep(struct library *);

/*
 * Makes the temporary file tmp (descriptor fd, closed here) the stored file
 * for sha256: fsync, rename to bulletins/SHA256.EXT, fsync the directory.
 * Sets *rel to the allocated path relative to the data directory.
 */
int lib_tmp_commit(struct library *, int fd, const char *tmp, const char *sha256,
    const char *ext, char **rel, char **cause);

/*
 * Copies the file src into the files directory under sha256 (which its bytes
 * must have; LIB_REJECTED if they changed) and sets *rel. An existing stored
 * file with the right bytes is reused.
 */
int lib_store_copy(struct library *, const char *src, const char *sha256,
    const char *ext, char **rel, char **cause);

/*
 * Checks a probed file the way every import does: at least 1 s, not silent,
 * not mostly silent (LIB_SILENT_SHARE_MAX) unless force. LIB_REJECTED with
 * the reason otherwise. lib_check_probe never forces.
 */
int lib_check_audio(const struct audio_info *, int force, char **cause);
int lib_check_probe(const struct audio_info *, char **cause);

/*
 * Inserts the row and its import (and, with approve, approval) audit entries
 * for a validated, stored file, inside the caller's transaction.
 */
int lib_insert(struct library *, const struct audio_info *, const char *rel,
    const struct lib_meta *, const char *fallback_title, const char *actor,
    int approve, int64_t size, int64_t *id, char **cause);

/*
 * Adds the tags of bulletin id that it lacks, as actor, inside the caller's
 * transaction (see lib_tag_add); *added (may be NULL) counts the new ones.
 */
int lib_tags_insert(struct library *, int64_t id, const char *const *tags,
    size_t n, const char *actor, size_t *added, char **cause);

/* The id of the bulletin with this SHA-256, 0 when none, -1 on error. */
int64_t lib_id_by_sha256(struct library *, const char *sha256, char **cause);

/*
 * Packages: package.c describes the format and reads it, package_import.c
 * applies what it read to the library, package_write.c writes packages.
 */
#define LIB_PKG_MAGIC "LOAXA-PACKAGE 2"
#define LIB_PKG_SCOPE "package" /* of lib_seq_take */
#define LIB_PKG_MAX_LINE 1024
#define LIB_PKG_MAX_ENTRIES 256
#define LIB_PKG_MAX_ENTRY ((int64_t)512 * 1024 * 1024)
#define LIB_PKG_MAX_SIZE ((int64_t)2 * 1024 * 1024 * 1024)
#define LIB_PKG_RESERVE ((int64_t)16 * 1024 * 1024)

/* Whether an entry's name is a plain file name that can travel in a package. */
int lib_pkg_name_ok(const char *);

/* Whether s starts with 64 lower-case hex digits, then its end or a space. */
int lib_pkg_sha256_ok(const char *);

/* The metadata lines of an entry, in the order of lib_pkg_item.meta. */
enum {
	LIB_PKG_TITLE,
	LIB_PKG_TOPIC,
	LIB_PKG_AGENCY,
	LIB_PKG_FROM,
	LIB_PKG_UNTIL,
	LIB_PKG_MIN_AIRINGS,
	LIB_PKG_PRIORITY,
	LIB_PKG_TAGS,
	LIB_PKG_NMETA
};

/* A package being read: the file, the signature state, where we are. */
struct lib_pkg_reader {
	FILE *f;
	crypto_sign_state sign;
	int64_t pos;
	int keep; /* write the entries' bytes to temporary files */
};

/*
 * One entry as read (lib_pkg_entry is one to write), with the temporary
 * file its bytes went to.
 */
struct lib_pkg_item {
	char *name, *sha256;
	int64_t size;
	char *meta[LIB_PKG_NMETA]; /* each line's text as read, or NULL */
	char **tags;   /* meta[LIB_PKG_TAGS] split at its spaces */
	size_t ntags;
	char *tmp;
	int fd;
	struct audio_info info;
	int probed;
	char *rel;
	int retire; /* a "retire SHA256" line: no name, metadata or bytes */
};

/*
 * Reads the package r->f from the start: its header (the signer's time and
 * sequence into *signed_at and *seq), every entry (into temporary files
 * when r->keep) and the signature, which must be a trusted key's over all
 * of it; *signer points into trusted. *ents gets the *count entries, of
 * which *n were read, for lib_pkg_items_free even on failure. LIB_REJECTED
 * with the reason when the package is not one, LIB_ERR when it cannot be
 * read or a temporary file written.
 */
int lib_pkg_read(struct library *, struct lib_pkg_reader *r,
    const struct lib_trusted *trusted, size_t ntrusted,
    const struct lib_trusted **signer, int64_t *signed_at, int64_t *seq,
    struct lib_pkg_item **ents, size_t *count, size_t *n, char **cause);

/* Frees count items and removes their temporary files. */
void lib_pkg_items_free(struct lib_pkg_item *, size_t count);

#endif
