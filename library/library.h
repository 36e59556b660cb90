/*
 * library: the bulletin store. Import and validation (one audio_probe pass),
 * files kept in DATA/bulletins under their SHA-256, the approval workflow with
 * its audit trail, tamper checks, and signed district packages.
 *
 * Uses audio/ (to validate) and store/ (the bulletins and bulletin_events
 * tables, migration 2; bulletin_tags, migration 3). Functions return 0 on success, LIB_ERR (-1) on an
 * operational failure and LIB_REJECTED (-2) when the input itself is refused
 * (bad audio, bad package, bad signature, a request the workflow forbids);
 * either way *cause is an allocated reason the caller frees.
 *
 * Dates (valid_from, valid_until) are "YYYY-MM-DD", inclusive, in the local
 * time of the process (the commands and the daemon set TZ to the station's).
 */
#ifndef LOAXA_LIBRARY_H
#define LOAXA_LIBRARY_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct library;

#define LIB_ERR (-1)
#define LIB_REJECTED (-2)

#define LIB_MIN_DURATION_MS 1000
/*
 * Audio more than LIB_SILENT_SHARE_MAX percent silent, and silent for more
 * than LIB_SILENT_MIN_MS in all, is refused unless forced: a 10-hour file
 * with 2 s of sound would hold a slot for hours and count as hours aired.
 */
#define LIB_SILENT_SHARE_MAX 50
#define LIB_SILENT_MIN_MS 10000
#define LIB_FILES_DIR "bulletins"

/* A bulletin has at most LIB_TAGS_MAX tags (common/tag.h says what a tag is). */
#define LIB_TAGS_MAX 16

/* What the importer says about a bulletin; NULL fields take the defaults. */
struct lib_meta {
	const char *title;       /* else the file's title tag, else its name */
	const char *topic;       /* a topic key, or NULL for none */
	const char *agency;      /* producer; else the artist tag */
	const char *valid_from;  /* YYYY-MM-DD or NULL */
	const char *valid_until; /* YYYY-MM-DD or NULL */
	int min_airings;         /* required airings, 0 for none */
	const char *priority;    /* normal (default), priority, emergency */
	const char *source;      /* where it came from, for the audit trail */
	const char *const *tags; /* ntags tags (repeats are one); may be NULL */
	size_t ntags;
};

/* One bulletin as stored. Strings are allocated; lib_bulletin_clear frees them. */
struct lib_bulletin {
	int64_t id;
	char *sha256;
	char *path;      /* absolute or relative to the cwd: DATA/bulletins/... */
	char *title, *topic, *agency; /* topic and agency may be NULL */
	char *priority;
	char *status;    /* pending, approved, rejected, retired */
	char *valid_from, *valid_until; /* may be NULL */
	int min_airings;
	char *format;
	int sample_rate, channels;
	int64_t duration_ms, size;
	double loudness_lufs, true_peak_dbtp;
	char *approved_sha256, *approved_by; /* NULL unless approved */
	int64_t approved_at; /* ms since the epoch, 0 unless approved */
	char *source;
	int64_t imported_at;
	char **tags;     /* ntags tags in byte order; NULL when none */
	size_t ntags;
};

/* One entry of the audit trail. */
struct lib_event {
	int64_t at;       /* ms since the epoch */
	char *actor;
	char *action;     /* import, approve, reject, retire, expire */
	char *from_status, *to_status; /* from_status NULL for import */
	char *reason;     /* may be NULL */
	char *sha256;
};

/* A bulletin the player may open: what the daemon needs to air it. */
struct lib_airing {
	int64_t id;
	char *path;
	char *sha256;
	char *title;
	char *topic;
	char *priority;
	int64_t duration_ms;
	double loudness_lufs;  /* measured at import */
};

/* A trusted district key, as the station's config lists it. */
struct lib_trusted {
	const char *name;
	const unsigned char *key; /* 32 bytes, Ed25519 public */
	int auto_approve;
};

/*
 * A handle over the store st (borrowed, not closed by lib_free) and the data
 * directory datadir, whose bulletins/ subdirectory it creates when missing.
 * It removes the temporary files there that an import killed or cut by a
 * power loss left (those no live process holds).
 */
int lib_new(struct store *st, const char *datadir, struct library **out, char **cause);
void lib_free(struct library **);

/*
 * Validates path with one decode pass and adds it: the file is copied into
 * the library under its SHA-256 (atomically), then the row and its audit
 * entry are inserted in one transaction. With LIB_IMPORT_APPROVE in flags,
 * it is approved by actor at once; with LIB_IMPORT_FORCE, mostly silent
 * audio is taken too. Sets *id, and *existed to 1 (changing nothing, tags
 * included: see lib_tag_add) when the same content is already in the
 * library. LIB_REJECTED for bad audio.
 */
#define LIB_IMPORT_APPROVE 0x1
#define LIB_IMPORT_FORCE 0x2
int lib_import(struct library *, const char *path, const struct lib_meta *,
    const char *actor, int flags, int64_t *id, int *existed, char **cause);

/* Validates metadata (text, dates, priority, min_airings, tags); LIB_REJECTED. */
int lib_check_meta(const struct lib_meta *, char **cause);

/* The most airings a bulletin may require. */
#define LIB_MIN_AIRINGS_MAX 100000

/*
 * A minimum number of airings written as text (an option, a form field, a
 * package's min-airings): a whole number from 0 to LIB_MIN_AIRINGS_MAX.
 * Returns 0 with *n set, or -1 (the caller says why in its own words).
 */
int lib_min_airings_parse(const char *s, int *n);


/*
 * Adds to bulletin id those of tags[0..n) it lacks, as actor, in one
 * transaction; *added gets how many were new. LIB_REJECTED for a bad tag,
 * an unknown id, or when the bulletin would have more than LIB_TAGS_MAX.
 */
int lib_tag_add(struct library *, int64_t id, const char *const *tags, size_t n,
    const char *actor, size_t *added, char **cause);

/* Fills *b with bulletin id; LIB_REJECTED when there is none. */
int lib_get(struct library *, int64_t id, struct lib_bulletin *b, char **cause);

/* The bulletin whose SHA-256 is sha256 (full, lower-case); LIB_REJECTED when none. */
int lib_find_sha256(struct library *, const char *sha256, struct lib_bulletin *b,
    char **cause);

/*
 * The bulletins with the given status and topic (either NULL for any), by id.
 * *out is an allocated array the caller frees with lib_bulletins_free.
 */
int lib_list(struct library *, const char *status, const char *topic,
    struct lib_bulletin **out, size_t *n, char **cause);
void lib_bulletin_clear(struct lib_bulletin *);
void lib_bulletins_free(struct lib_bulletin **, size_t);

/* The audit trail of bulletin id, oldest first; free with lib_events_free. */
int lib_events(struct library *, int64_t id, struct lib_event **out, size_t *n,
    char **cause);
void lib_events_free(struct lib_event **, size_t);

/*
 * Workflow. approve: pending (or rejected) -> approved, recording the SHA-256
 * of the file as it is now (refused when the file no longer matches the
 * imported one, or when its validity already ended). reject: pending or
 * approved -> rejected, with a reason. retire: any but retired -> retired.
 * Each writes an audit entry in the same transaction. LIB_REJECTED for a
 * transition the workflow forbids or an unknown id.
 */
int lib_approve(struct library *, int64_t id, const char *actor, char **cause);
int lib_reject(struct library *, int64_t id, const char *actor, const char *reason,
    char **cause);
int lib_retire(struct library *, int64_t id, const char *actor, const char *reason,
    char **cause);

/*
 * Retires every pending or approved bulletin whose valid_until is before
 * today (YYYY-MM-DD), as actor "loaxa" with action expire. *count gets how many.
 */
int lib_expire(struct library *, const char *today, int *count, char **cause);

/* Today's date in local time, as YYYY-MM-DD, for now_ms (ms since the epoch). */
void lib_date(int64_t now_ms, char out[11]);

/* Milliseconds since the epoch, now. */
int64_t lib_now_ms(void);

/* One problem verify-library found. */
struct lib_problem {
	int64_t id;        /* the bulletin, or 0 for a file without one */
	const char *path;
	const char *what;  /* "misfiled", "missing", "unreadable", "changed",
	                      "approval", "unaudited", or "orphan" */
	const char *detail;
};

/*
 * Checks every bulletin against what the library itself would have written,
 * so that an edit of the database behind its back shows: its file is the
 * one its SHA-256 names (misfiled), is there (missing) and readable, and
 * hashes to it (changed); what was approved is that content (approval); an
 * approval has its 'approve' event for that hash and the state is the one
 * the audit trail leaves (unaudited). Calls fn for each problem; orphan
 * files (no row) older than an hour are removed and reported as such.
 * *checked gets the number of bulletins checked, *bad the number with a
 * problem.
 */
int lib_verify(struct library *, void (*fn)(const struct lib_problem *, void *),
    void *arg, size_t *checked, size_t *bad, char **cause);

/*
 * The one way the player gets a bulletin: refuses (LIB_REJECTED) unless it is
 * approved, now_ms is inside its validity window, and its file's SHA-256 is
 * the approved one (re-hashed now; *tampered is set when it is not). Fills
 * *a, which the caller frees with lib_airing_clear.
 */
int lib_open_for_airing(struct library *, int64_t id, int64_t now_ms,
    struct lib_airing *a, int *tampered, char **cause);
void lib_airing_clear(struct lib_airing *);

/* SHA-256 of a file's bytes as lower-case hex; -1 with *cause. */
int lib_sha256_file(const char *path, char out[65], char **cause);

/* Checks a YYYY-MM-DD date (a real day); 1 when good. */
int lib_date_valid(const char *);

/* 1 when s is valid UTF-8 without control characters, at most max bytes. */
int lib_text_ok(const char *s, size_t max);

/* --- Keys and packages (library/package*.c, library/keys.c) --- */

#define LIB_KEY_PUBLIC 32
#define LIB_KEY_SECRET 64

/*
 * Generates an Ed25519 key pair, writes the secret key to path (mode 0600,
 * refusing to overwrite) and the public key to path's ".pub" sibling, and
 * puts the base64 public key in pub_b64 (at least 45 bytes).
 */
int lib_key_generate(const char *path, char *pub_b64, size_t len, char **cause);

/* Reads a secret key file written by lib_key_generate. */
int lib_key_read(const char *path, unsigned char sk[LIB_KEY_SECRET], char **cause);

/* Decodes a base64 public key; -1 unless it is exactly 32 bytes. */
int lib_key_decode(const char *b64, unsigned char pk[LIB_KEY_PUBLIC]);

/*
 * Replay protection (library/sequence.c): what a signer sends is numbered,
 * and a station takes from it, per scope ("package", "command"), only a
 * number above the last it took. lib_seq_last sets *last to that number (0
 * for none). lib_seq_newer refuses (LIB_REJECTED: "replayed or older than
 * package N already imported") a seq that is not above it. lib_seq_take,
 * inside the caller's transaction, does the same, else records seq (signed
 * at signed_at, UTC seconds) as the last.
 */
int lib_seq_last(struct library *, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t *last, char **cause);
int lib_seq_newer(struct library *, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, char **cause);
int lib_seq_take(struct library *, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, int64_t signed_at,
    char **cause);

/*
 * The same rule on any SQLite connection db whose schema has lib_seq_schema's
 * table (CREATE TABLE IF NOT EXISTS signer_sequences): the station link keeps
 * the commands it took in its own database, as it may not write the
 * station's. The lib_seq_* above are these on the library's store.
 */
struct sqlite3;
extern const char lib_seq_schema[];
int lib_seq_db_last(struct sqlite3 *db, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t *last, char **cause);
int lib_seq_db_newer(struct sqlite3 *db, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, char **cause);
int lib_seq_db_take(struct sqlite3 *db, const char *scope,
    const unsigned char key[LIB_KEY_PUBLIC], int64_t seq, int64_t signed_at,
    char **cause);

/* One bulletin to pack: its file and the metadata that travels with it. */
struct lib_pkg_entry {
	const char *path;
	struct lib_meta meta; /* source is ignored */
};

/* What signs a package, beside its entries. */
struct lib_pkg_head {
	int64_t signed_at;          /* the signer's time, UTC seconds */
	int64_t sequence;           /* above every earlier package of this key */
	const char *const *retire;  /* SHA-256s (lower-case hex) to retire */
	size_t nretire;
};

/*
 * Validates every file as import does and writes a signed package to out
 * (atomically): the n entries, then head's retirements (n + nretire from
 * 1 to 256). LIB_REJECTED, writing nothing, when any file or SHA-256 is bad.
 */
int lib_package_create(const unsigned char sk[LIB_KEY_SECRET],
    const struct lib_pkg_head *head, const struct lib_pkg_entry *entries,
    size_t n, const char *out, char **cause);

/*
 * The next sequence number for the key at keypath, from the counter file
 * beside it (keypath.seq, one decimal number), which it advances durably
 * before returning, holding a lock on the key file meanwhile. A missing
 * counter is created exclusively, starting at now (UTC seconds), so that a
 * lost counter starts again above every number it gave.
 */
int lib_pkg_sequence_next(const char *keypath, int64_t now, int64_t *seq,
    char **cause);

/*
 * Reads the package at path as lib_package_import would (format, each
 * entry's SHA-256, a trusted key's signature over the whole) without
 * writing anything; *signer points into trusted and *seq gets the package's
 * sequence. LIB_REJECTED with the reason for an unsigned, foreign, damaged
 * or malformed package; LIB_ERR when it cannot be read. Whether its
 * sequence is new is the importer's matter.
 */
int lib_package_verify(const char *path, const struct lib_trusted *trusted,
    size_t ntrusted, const struct lib_trusted **signer, int64_t *seq,
    char **cause);

/*
 * lib_package_verify that also lists its bulletins' SHA-256s in *shas
 * (allocated, separated by spaces) when it is good.
 */
int lib_package_verify_list(const char *path, const struct lib_trusted *trusted,
    size_t ntrusted, const struct lib_trusted **signer, int64_t *seq,
    char **shas, char **cause);

/*
 * District commands (library/command.c describes the text format): what a
 * district asks a station to do, signed with its key. The strings are
 * allocated; lib_cmd_clear frees them.
 */
#define LIB_CMD_MAX 65536
#define LIB_CMD_SCOPE "command" /* of lib_seq_db_take */
struct lib_cmd {
	unsigned char signer[LIB_KEY_PUBLIC]; /* set by lib_cmd_verify */
	int64_t signed_at, expires;  /* UTC seconds */
	int64_t sequence;            /* above the signer's last, per station */
	char **stations, **groups;   /* the targets (at least one of them) */
	size_t nstations, ngroups;
	char *action;                /* play, stop, export, timetable */
	char *bulletin, *priority;   /* play: an id or a SHA-256; its priority */
	char *period;                /* export: 2026-H1, ..., or FROM..TO */
	char *file, *timetable;      /* timetable: the file's name and its text */
};
/* The largest timetable file a command carries (base64 in it, a third more). */
#define LIB_CMD_TIMETABLE_MAX 32768
void lib_cmd_clear(struct lib_cmd *);

/* The longest name a timetable file travels under, in bytes. */
#define LIB_CMD_FILE_MAX 64

/*
 * The name a timetable file travels under: the base name of path with each
 * space, control character, byte that is not UTF-8 and '/' made '-', cut
 * to LIB_CMD_FILE_MAX bytes between characters ("timetable.conf" when
 * nothing is left). Allocated.
 */
char *lib_cmd_file_name(const char *path);

/*
 * Checks that the len bytes of text, the timetable file name, are what a
 * command may carry: at most LIB_CMD_TIMETABLE_MAX bytes of UTF-8 without
 * a NUL. 0, or LIB_REJECTED with "NAME:LINE: reason (byte offset N)" or
 * "NAME: reason".
 */
int lib_cmd_timetable_text(const char *name, const char *text, size_t len,
    char **cause);

/*
 * Writes c signed with sk into *out (allocated, *len bytes, text).
 * LIB_REJECTED, writing nothing, when c is not a command the format allows.
 */
int lib_cmd_sign(const unsigned char sk[LIB_KEY_SECRET], const struct lib_cmd *c,
    char **out, size_t *len, char **cause);

/*
 * Reads the len bytes at data into *c (clear it afterwards whatever the
 * result) and checks them: a trusted key's signature over them (*signer
 * points into trusted), a well-formed command, not expired at now (UTC
 * seconds). LIB_REJECTED with the reason (unsigned, unknown key, forged,
 * malformed, expired) otherwise. The targets and the sequence are the
 * caller's to check: lib_cmd_for, lib_seq_db_take.
 */
int lib_cmd_verify(const void *data, size_t len, const struct lib_trusted *trusted,
    size_t ntrusted, int64_t now, struct lib_cmd *c,
    const struct lib_trusted **signer, char **cause);

/* Whether c names station, or one of the ngroups groups it belongs to. */
int lib_cmd_for(const struct lib_cmd *c, const char *station,
    const char *const *groups, size_t ngroups);

/* What a package import did. */
struct lib_pkg_result {
	char *signer;      /* the trusted key's name */
	int approved;      /* bulletins arrived approved (auto_approve key) */
	int64_t sequence, signed_at; /* the package's */
	size_t n;
	int64_t *ids;      /* one per entry, 0 for a retirement of absent content */
	int *existed;      /* 1 where the content was already in the library */
	const char **what; /* per entry: "added", "already in the library", ... */
};
void lib_pkg_result_clear(struct lib_pkg_result *);

/*
 * Verifies the package at path against the trusted keys and adds all of its
 * bulletins in one transaction, or none. topics (NULL-terminated) are the
 * known topic keys. The package's sequence must be above the last taken
 * from its signer (lib_seq_take). An entry whose content is already in the
 * library adds its tags to that bulletin (lib_tag_add) and, when that
 * district brought it, corrects its title, agency, validity and minimum
 * airings (an audit event 'correct'); a retirement retires it. LIB_REJECTED
 * for an unsigned, forged, unknown-signer, replayed, truncated, oversized
 * or malformed package, or one with bad audio; the reason is clean text.
 */
int lib_package_import(struct library *, const char *path,
    const struct lib_trusted *trusted, size_t ntrusted,
    const char *const *topics, struct lib_pkg_result *res, char **cause);

/*
 * A package file changed less than this long ago may still be being copied
 * in: the inbox leaves it for a later pass rather than read half of it.
 */
#define LIB_INBOX_SETTLE_MS 2000

/*
 * Imports every package file in the inbox directory (oldest name first,
 * skipping dot files and anything but regular files): each imported one is
 * moved to inbox/done/, each refused one to inbox/rejected/ with NAME.why
 * beside it saying why, both under a free name (NAME.1, ... when taken):
 * nothing is ever replaced, and no link is followed. done/ and rejected/
 * must be directories of the user loaxa runs as (else LIB_ERR, before any
 * import). One that failed for an operational reason, or that changed
 * within LIB_INBOX_SETTLE_MS or during its import (still being copied in),
 * stays for the next pass. fn (may be NULL) hears about each package read.
 * *ndone, *nrejected and *nwaiting (the ones still being written) count them.
 */
int lib_inbox(struct library *, const char *inbox,
    const struct lib_trusted *trusted, size_t ntrusted, const char *const *topics,
    void (*fn)(const char *path, int rc, const struct lib_pkg_result *,
    const char *cause, void *arg), void *arg, size_t *ndone, size_t *nrejected,
    size_t *nwaiting, char **cause);

#endif
