/*
 * Signed, hash-chained exports of the airing log: the format, and writing
 * it. export_verify.c checks a file against it; export_format.c holds what
 * both share (the chain's hashes, the signed message, reading fields back).
 *
 * The file is UTF-8 text, one record a line, fields separated by tabs (a tab,
 * newline, carriage return or backslash inside a field is written \t, \n, \r,
 * \\; SQL NULL is \N):
 *
 *   loaxa-export	3         (format 2, without relay and interruption lines, is read too)
 *   station	CODE            name, commune, district, province, timezone alike
 *   key	BASE64              the station's Ed25519 public key
 *   period	LABEL	FROM	TO	FROM_MS	TO_MS
 *   chain	N	HEAD            the station's log chain (store/chain.h) when exported
 *   bulletin	ID	SHA256	TITLE	TOPIC	TOPIC_NAME	AGENCY	MIN_AIRINGS	STATUS	VALID_FROM	VALID_UNTIL
 *   alive	FIRST	LAST	EXPORTED_AT   when the daemon was first and last alive (REP_SQL_ALIVE)
 *   timetable	IN_FORCE_FROM	RECORDED_BY	TIMEZONE	SHA256	SLOTS   the timetable history
 *   relay	ID	SOURCE      a relay's row and its source (format 3)
 *   interruption	ID	AT	DURATION_MS	REASON	FALLBACK   a relay's interruption (format 3)
 *   columns	seq	id	bulletin	...
 *   header	H0              H0 = BLAKE2b-256 of every byte above
 *   row	H	SEQ	ID	BULLETIN	SHA256	SLOT	SLOT_START	PRIORITY	SCHEDULED_AT	STARTED_AT	ENDED_AT	PLAYED_MS	OUTCOME	REASON	PACED
 *   index	FIRST	D...         each row's own digest, from row FIRST on
 *   end	N	HN	SIGNATURE
 *
 * Row i's H is BLAKE2b-256(H(i-1) as 32 bytes || the row's text after its
 * hash and tab), so each row's hash covers the one before it (BLAKE2b, not
 * SHA-256, because it is several times faster in libsodium and a year's log
 * is a million rows; Python's hashlib.blake2b(digest_size=32) checks it); SEQ numbers the rows
 * from 1 so that removed, reordered and inserted rows can be named. A row's
 * digest D is BLAKE2b-64 of the same text, alone; the index lines carry them
 * in order, 16 hex digits each, EX_INDEX_LINE a line. The signature is
 * Ed25519 over "H0<TAB>N<TAB>HN<TAB>HI", HI the BLAKE2b-256 of the index
 * lines: through the chain it covers the header and every row, and through
 * the index each row alone, so that a row changed with every hash after it
 * recomputed is still named.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"
#include "common/i18n.h"
#include "common/key.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/internal.h"
#include "store/chain.h"
#include "store/store.h"

#define EX_INDEX_LINE 2048 /* row digests an index line */

/* A growable line buffer. */
struct buf {
	char *s;
	size_t len, cap;
};

/* Appends n bytes. */
static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Appends a tab (unless first) and a text field, escaped; NULL is \N. */
static void
buf_text(struct buf *b, const char *s, int first)
{
	const char *p;

	if (!first)
		buf_add(b, "\t", 1);
	if (s == NULL) {
		buf_add(b, "\\N", 2);
		return;
	}
	for (p = s; *p != '\0'; p++) {
		size_t run = strcspn(p, "\t\n\r\\");

		buf_add(b, p, run);
		p += run;
		switch (*p) {
		case '\t': buf_add(b, "\\t", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		default: return;
		}
	}
}

/* Appends a decimal integer (without printf: a million rows, a dozen each). */
static void
buf_int(struct buf *b, int64_t v)
{
	char d[24], *p = d + sizeof d;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(d + sizeof d - p));
}

/* Appends a tab and column i of q: an integer, text, or \N. */
static void
buf_col(struct buf *b, sqlite3_stmt *q, int i)
{
	switch (sqlite3_column_type(q, i)) {
	case SQLITE_NULL:
		buf_text(b, NULL, 0);
		break;
	case SQLITE_INTEGER:
		buf_add(b, "\t", 1);
		buf_int(b, (int64_t)sqlite3_column_int64(q, i));
		break;
	default:
		buf_text(b, (const char *)sqlite3_column_text(q, i), 0);
	}
}

/* Bulletins the rows name, and those owed airings during the period. */
/*
 * The rows of a period [?1, ?2): by their slot occurrence's start (an
 * operator's play by scheduled_at), so that a programme that crosses the
 * period's end goes whole with its slot; items are scheduled at or after
 * their slot's start and within a day of it.
 */

static const char sql_ex_bulletins[] =
    "SELECT b.id, b.sha256, b.title, b.topic, b.agency, b.min_airings, b.status,"
    " b.valid_from, b.valid_until FROM bulletins b"
    " WHERE b.id IN (SELECT bulletin_id FROM airings"
    "  WHERE scheduled_at >= ?3 AND scheduled_at < ?4 + 172800000"
    "  AND coalesce(slot_start, scheduled_at) >= ?3"
    "  AND coalesce(slot_start, scheduled_at) < ?4 AND bulletin_id IS NOT NULL)"
    " OR (" REP_SQL_OWED ")"
    " ORDER BY b.id";

static const char sql_ex_rows[] =
    "SELECT id, bulletin_id, sha256, slot, slot_start, priority, scheduled_at,"
    " started_at, ended_at, played_ms, outcome, reason, paced FROM airings"
    " WHERE scheduled_at >= ?1 AND scheduled_at < ?2 + 172800000"
    "  AND coalesce(slot_start, scheduled_at) >= ?1"
    "  AND coalesce(slot_start, scheduled_at) < ?2"
    " ORDER BY scheduled_at, id";

static const char sql_ex_alive[] = REP_SQL_ALIVE;

static const char sql_ex_timetables[] =
    "SELECT in_force_from, recorded_by, timezone, sha256, slots FROM timetables"
    " ORDER BY in_force_from, id";

/* The relays among the rows of sql_ex_rows, and their interruptions. */
static const char sql_ex_relays[] =
    "SELECT id, source FROM airings"
    " WHERE scheduled_at >= ?1 AND scheduled_at < ?2 + 172800000"
    "  AND coalesce(slot_start, scheduled_at) >= ?1"
    "  AND coalesce(slot_start, scheduled_at) < ?2 AND source IS NOT NULL"
    " ORDER BY scheduled_at, id";

static const char sql_ex_gaps[] =
    "SELECT i.airing_id, i.at, i.duration_ms, i.reason, i.fallback"
    " FROM relay_interruptions i JOIN airings a ON a.id = i.airing_id"
    " WHERE a.scheduled_at >= ?1 AND a.scheduled_at < ?2 + 172800000"
    "  AND coalesce(a.slot_start, a.scheduled_at) >= ?1"
    "  AND coalesce(a.slot_start, a.scheduled_at) < ?2"
    " ORDER BY a.scheduled_at, a.id, i.at, i.id";

/*
 * Appends a line "word<TAB>column..." for each row of sql with period p's
 * instants bound: the relay and interruption lines.
 */
static int
ex_lines(sqlite3 *db, const char *sql, const char *word, const struct rep_period *p,
    struct buf *b, char **cause)
{
	sqlite3_stmt *q;
	int rc, i;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, "export: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(q, 1, p->from_ms);
	sqlite3_bind_int64(q, 2, p->to_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		buf_text(b, word, 1);
		for (i = 0; i < sqlite3_column_count(q); i++)
			buf_col(b, q, i);
		buf_add(b, "\n", 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, "export: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/*
 * Appends the alive line and the timetable history, so that a merge counts
 * the slots the station's timetable scheduled as the station's report does.
 */
static int
ex_history(sqlite3 *db, struct buf *b, char **cause)
{
	sqlite3_stmt *q;
	int rc, i;

	if (sqlite3_prepare_v2(db, sql_ex_alive, -1, &q, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(q) == SQLITE_ROW) {
		buf_text(b, "alive", 1);
		buf_col(b, q, 0);
		buf_col(b, q, 1);
		buf_add(b, "\t", 1);
		buf_int(b, (int64_t)time(NULL) * 1000);
		buf_add(b, "\n", 1);
	}
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(db, sql_ex_timetables, -1, &q, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		buf_text(b, "timetable", 1);
		for (i = 0; i < 5; i++)
			buf_col(b, q, i);
		buf_add(b, "\n", 1);
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return 0;
fail:
	xasprintf(cause, _("export: %s"), sqlite3_errmsg(db));
	return -1;
}

/* Appends a header line "key<TAB>value". */
static void
ex_kv(struct buf *b, const char *key, const char *value)
{
	buf_add(b, key, strlen(key));
	buf_text(b, value, 0);
	buf_add(b, "\n", 1);
}

/* Writes the header lines into b. */
static int
ex_header(sqlite3 *db, const struct config *cfg, const struct rep_period *p,
    const unsigned char pk[32], struct buf *b, char **cause)
{
	const struct config_topic *t;
	struct store_chain_head head;
	char pub[KEY_PUBLIC_B64], line[160], hex[65];
	const char *topic;
	sqlite3_stmt *q;
	int rc, i;

	key_public_encode(pk, pub);
	buf_add(b, EX_MAGIC "\n", strlen(EX_MAGIC) + 1);
	ex_kv(b, "station", cfg->station.code);
	ex_kv(b, "name", cfg->station.name);
	ex_kv(b, "commune", cfg->station.commune);
	ex_kv(b, "district", cfg->station.district);
	ex_kv(b, "province", cfg->station.province);
	ex_kv(b, "timezone", cfg->station.timezone);
	snprintf(line, sizeof line, "key\t%s\nperiod\t", pub);
	buf_add(b, line, strlen(line));
	buf_text(b, p->label, 1);
	snprintf(line, sizeof line, "\t%s\t%s\t%" PRId64 "\t%" PRId64 "\n", p->from, p->to,
	    p->from_ms, p->to_ms);
	buf_add(b, line, strlen(line));
	/* A log changed behind loaxa's back is not signed as the station's. */
	if (store_chain_check(db, &head, cause) != 0)
		return -1;
	rep_ex_hex(head.link, hex);
	snprintf(line, sizeof line, "chain\t%" PRId64 "\t%s\n", head.n, hex);
	buf_add(b, line, strlen(line));
	if (sqlite3_prepare_v2(db, sql_ex_bulletins, -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, _("export: %s"), sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(q, 1, p->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, p->to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, p->from_ms);
	sqlite3_bind_int64(q, 4, p->to_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		buf_text(b, "bulletin", 1);
		for (i = 0; i < 9; i++) {
			buf_col(b, q, i);
			if (i == 3) { /* the topic's name, as this station's config has it */
				topic = (const char *)sqlite3_column_text(q, 3);
				t = topic ? conf_topic(cfg, topic) : NULL;
				buf_text(b, t ? t->name : topic, 0);
			}
		}
		buf_add(b, "\n", 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, _("export: %s"), sqlite3_errmsg(db));
		return -1;
	}
	if (ex_history(db, b, cause) != 0 ||
	    ex_lines(db, sql_ex_relays, "relay", p, b, cause) != 0 ||
	    ex_lines(db, sql_ex_gaps, "interruption", p, b, cause) != 0)
		return -1;
	buf_add(b, "columns\t" EX_COLUMNS "\n", strlen("columns\t" EX_COLUMNS "\n"));
	return 0;
}

int
rep_export(sqlite3 *db, const struct config *cfg, const char *datadir,
    const struct rep_period *p, const char *path, size_t *rows, char **cause)
{
	unsigned char sk[64], pk[32], h[32], ih[32], sig[64];
	char hex[65], h0hex[65], hihex[65], sigb64[128], *tmp, *msg, *err, zeros[66];
	crypto_generichash_state is;
	uint64_t *dig = NULL;
	size_t ndig = 0, k;
	struct buf b = { 0 };
	sqlite3_stmt *q = NULL;
	FILE *f = NULL;
	size_t n = 0;
	int fd, rc, i;

	*rows = 0;
	memset(zeros, '0', 64);
	zeros[64] = '\t';
	zeros[65] = '\0';
	if (rep_key_load(datadir, sk, pk, cause) != 0)
		return -1;
	if ((fd = file_tmp_open(path, NULL, 0666, &tmp, &err)) < 0) {
		xasprintf(cause, "%s: %s", path, err);
		free(err);
		sodium_memzero(sk, sizeof sk);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	if (ex_header(db, cfg, p, pk, &b, cause) != 0)
		goto fail;
	crypto_generichash(h, 32, (const unsigned char *)b.s, b.len, NULL, 0);
	rep_ex_hex(h, h0hex);
	fwrite(b.s, 1, b.len, f);
	fprintf(f, "header\t%s\n", h0hex);
	if (sqlite3_prepare_v2(db, sql_ex_rows, -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, _("export: %s"), sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_bind_int64(q, 1, p->from_ms);
	sqlite3_bind_int64(q, 2, p->to_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* "row<TAB>" 64 hex digits "<TAB>", filled in once hashed */
		b.len = 0;
		buf_add(&b, "row\t", 4);
		buf_add(&b, zeros, 65);
		buf_int(&b, (int64_t)++n);
		for (i = 0; i < EX_NCOLS - 1; i++)
			buf_col(&b, q, i);
		rep_ex_link(h, h, b.s + 69, b.len - 69);
		if (n > ndig) {
			ndig = ndig * 2 + 1024;
			dig = xreallocarray(dig, ndig, sizeof *dig);
		}
		dig[n - 1] = rep_ex_digest(b.s + 69, b.len - 69);
		rep_ex_hex(h, hex);
		memcpy(b.s + 4, hex, 64);
		buf_add(&b, "\n", 1);
		fwrite(b.s, 1, b.len, f);
	}
	if (rc != SQLITE_DONE) {
		xasprintf(cause, _("export: %s"), sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_finalize(q);
	q = NULL;
	crypto_generichash_init(&is, NULL, 0, 32);
	for (k = 0; k < n; k++) {
		char d[18];

		if (k % EX_INDEX_LINE == 0) {
			b.len = 0;
			buf_add(&b, "index\t", 6);
			buf_int(&b, (int64_t)k + 1);
		}
		snprintf(d, sizeof d, "\t%016" PRIx64, dig[k]);
		buf_add(&b, d, 17);
		if (k + 1 == n || (k + 1) % EX_INDEX_LINE == 0) {
			buf_add(&b, "\n", 1);
			crypto_generichash_update(&is, (const unsigned char *)b.s, b.len);
			fwrite(b.s, 1, b.len, f);
		}
	}
	crypto_generichash_final(&is, ih, 32);
	rep_ex_hex(ih, hihex);
	rep_ex_hex(h, hex);
	msg = rep_ex_signed_text(h0hex, n, hex, hihex);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), sk);
	free(msg);
	sodium_bin2base64(sigb64, sizeof sigb64, sig, sizeof sig, EX_B64);
	fprintf(f, "end\t%zu\t%s\t%s\n", n, hex, sigb64);
	if (fflush(f) != 0 || ferror(f)) {
		xasprintf(cause, _("%s: cannot write: %s"), path, strerror(errno));
		goto fail;
	}
	if (file_tmp_commit(fileno(f), tmp, path, &err) != 0) {
		xasprintf(cause, "%s: %s", path, err);
		free(err);
		goto fail;
	}
	fclose(f);
	sodium_memzero(sk, sizeof sk);
	free(tmp);
	free(b.s);
	free(dig);
	*rows = n;
	return 0;
fail:
	sodium_memzero(sk, sizeof sk);
	sqlite3_finalize(q);
	if (f != NULL)
		fclose(f);
	unlink(tmp);
	free(tmp);
	free(b.s);
	free(dig);
	return -1;
}
