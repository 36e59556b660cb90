/*
 * Signed, hash-chained exports of the airing log, and their verification.
 *
 * The file is UTF-8 text, one record a line, fields separated by tabs (a tab,
 * newline, carriage return or backslash inside a field is written \t, \n, \r,
 * \\; SQL NULL is \N):
 *
 *   loaxa-export	2
 *   station	CODE            name, commune, district, province, timezone alike
 *   key	BASE64              the station's Ed25519 public key
 *   period	LABEL	FROM	TO	FROM_MS	TO_MS
 *   chain	N	HEAD            the station's log chain (store/chain.h) when exported
 *   bulletin	ID	SHA256	TITLE	TOPIC	TOPIC_NAME	AGENCY	MIN_AIRINGS	STATUS	VALID_FROM	VALID_UNTIL
 *   alive	FIRST	LAST	EXPORTED_AT   when the daemon was first and last alive (REP_SQL_ALIVE)
 *   timetable	IN_FORCE_FROM	RECORDED_BY	TIMEZONE	SHA256	SLOTS   the timetable history
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
#include "common/key.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/internal.h"
#include "store/chain.h"
#include "store/store.h"

#define EX_MAGIC "loaxa-export\t2"
#define EX_COLUMNS "seq\tid\tbulletin\tsha256\tslot\tslot_start\tpriority\t" \
	"scheduled_at\tstarted_at\tended_at\tplayed_ms\toutcome\treason\tpaced"
#define EX_NCOLS 14
#define EX_INDEX_LINE 2048 /* row digests an index line */
#define EX_WALL_SLACK_MS 2000 /* played time may exceed wall time by this */
#define EX_MAX_LINE 65536 /* no line of an export is longer */
#define EX_BCOLS 11 /* "bulletin" and its ten fields */
#define B64 sodium_base64_VARIANT_ORIGINAL

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

/* The chain: h = BLAKE2b-256(prev || text). h may be prev. */
static void
ex_link(unsigned char h[32], const unsigned char prev[32], const char *text,
    size_t len)
{
	crypto_generichash_state s;

	crypto_generichash_init(&s, NULL, 0, 32);
	crypto_generichash_update(&s, prev, 32);
	crypto_generichash_update(&s, (const unsigned char *)text, len);
	crypto_generichash_final(&s, h, 32);
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

/* Lower-case hex of 32 bytes. */
static void
hex32(const unsigned char h[32], char out[65])
{
	sodium_bin2hex(out, 65, h, 32);
}

/* A row's own digest: BLAKE2b-64 of its text. */
static uint64_t
ex_digest(const char *text, size_t len)
{
	unsigned char d[8];
	uint64_t v = 0;
	int i;

	crypto_generichash(d, sizeof d, (const unsigned char *)text, len, NULL, 0);
	for (i = 0; i < 8; i++)
		v = v << 8 | d[i];
	return v;
}

/* The message the signature covers. */
static char *
ex_signed_text(const char *h0hex, size_t n, const char *hnhex, const char *hihex)
{
	char *m;

	xasprintf(&m, "%s\t%zu\t%s\t%s", h0hex, n, hnhex, hihex);
	return m;
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
	xasprintf(cause, "export: %s", sqlite3_errmsg(db));
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
	hex32(head.link, hex);
	snprintf(line, sizeof line, "chain\t%" PRId64 "\t%s\n", head.n, hex);
	buf_add(b, line, strlen(line));
	if (sqlite3_prepare_v2(db, sql_ex_bulletins, -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, "export: %s", sqlite3_errmsg(db));
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
		xasprintf(cause, "export: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (ex_history(db, b, cause) != 0)
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
	hex32(h, h0hex);
	fwrite(b.s, 1, b.len, f);
	fprintf(f, "header\t%s\n", h0hex);
	if (sqlite3_prepare_v2(db, sql_ex_rows, -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, "export: %s", sqlite3_errmsg(db));
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
		ex_link(h, h, b.s + 69, b.len - 69);
		if (n > ndig) {
			ndig = ndig * 2 + 1024;
			dig = xreallocarray(dig, ndig, sizeof *dig);
		}
		dig[n - 1] = ex_digest(b.s + 69, b.len - 69);
		hex32(h, hex);
		memcpy(b.s + 4, hex, 64);
		buf_add(&b, "\n", 1);
		fwrite(b.s, 1, b.len, f);
	}
	if (rc != SQLITE_DONE) {
		xasprintf(cause, "export: %s", sqlite3_errmsg(db));
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
	hex32(ih, hihex);
	hex32(h, hex);
	msg = ex_signed_text(h0hex, n, hex, hihex);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), sk);
	free(msg);
	sodium_bin2base64(sigb64, sizeof sigb64, sig, sizeof sig, B64);
	fprintf(f, "end\t%zu\t%s\t%s\n", n, hex, sigb64);
	if (fflush(f) != 0 || ferror(f)) {
		xasprintf(cause, "%s: cannot write: %s", path, strerror(errno));
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

/* --- Verification --- */

/* What was read of the row numbered seq. */
struct vx_seq {
	uint64_t dig;           /* its own digest */
	int64_t line;
	unsigned char seen;
	unsigned char unlinked; /* it does not link to the row before it */
};

/* When a row was on air, for the overlap check. */
struct vx_span {
	int64_t from, to, seq, line;
};

/* The state of a verification pass. */
struct vx {
	struct rep_verified *v;
	unsigned char prev[32]; /* the stated hash of the line before */
	int64_t prev_seq;       /* the seq of the row before, 0 at the header */
	struct vx_seq *seq;     /* seq[n] for n up to nseq */
	size_t nseq;
	uint64_t *idx;          /* the index's digests, of rows 1..nidx */
	size_t nidx;
	int idx_bad;            /* an index line could not be read */
	crypto_generichash_state is; /* over the index lines */
	struct vx_span *spans;
	size_t nspans;
	int end_read;           /* the end line's row count could be read */
	int64_t end_line;       /* the end line, when its last hash is not the rows' */
	sqlite3_stmt *ins, *insb;
};

/* Adds an entry to a list of problems or flags; line 0 for the whole file. */
static void
vx_add(struct rep_problem **list, size_t *n, int64_t line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void
vx_add(struct rep_problem **list, size_t *n, int64_t line, const char *fmt, va_list ap)
{
	char *what;

	xvasprintf(&what, fmt, ap);
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[*n].line = line;
	(*list)[*n].what = what;
	(*n)++;
}

/* Adds a problem: the export is not what the station signed. */
static void
vx_problem(struct rep_verified *v, int64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
vx_problem(struct rep_verified *v, int64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vx_add(&v->problems, &v->nproblems, line, fmt, ap);
	va_end(ap);
}

/* Adds a flag: a signed row that cannot be a true airing. */
static void
vx_flag(struct rep_verified *v, int64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
vx_flag(struct rep_verified *v, int64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vx_add(&v->flags, &v->nflags, line, fmt, ap);
	va_end(ap);
}

/* Undoes the escapes of one field in place; \N alone is NULL. */
static char *
vx_unescape(char *s)
{
	char *r = s, *w = s;

	if (strcmp(s, "\\N") == 0)
		return NULL;
	for (; *r != '\0'; r++) {
		if (*r == '\\' && r[1] != '\0') {
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return s;
}

/*
 * Splits line at its tabs (escaped tabs are two characters, so every tab is
 * a separator) into at most max fields, unescaping each in place. Returns
 * the number of fields, or max + 1 when there are more.
 */
static int
vx_split(char *line, char **fields, int max)
{
	char *p = line, *tab;
	int n = 0;

	for (;;) {
		if (n == max)
			return max + 1;
		if ((tab = strchr(p, '\t')) != NULL)
			*tab = '\0';
		fields[n++] = vx_unescape(p);
		if (tab == NULL)
			return n;
		p = tab + 1;
	}
}

/* Decodes 64 hex digits; -1 unless exactly that. */
static int
vx_hex32(const char *s, unsigned char out[32])
{
	size_t len = 0;
	const char *end;

	if (s == NULL || strlen(s) != 64 ||
	    sodium_hex2bin(out, 32, s, 64, NULL, &len, &end) != 0 || len != 32)
		return -1;
	return 0;
}

/* Parses a decimal integer field; 0 and *ok 0 when it is not one. */
static int64_t
vx_int(const char *s, int *ok)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0') {
		*ok = 0;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		*ok = 0;
	return (int64_t)v;
}

/* Binds field f to parameter i of q: NULL, an integer (when numeric), or text. */
static void
vx_bind(sqlite3_stmt *q, int i, const char *f, int integer)
{
	int ok = 1;
	int64_t v;

	if (f == NULL)
		sqlite3_bind_null(q, i);
	else if (integer && (v = vx_int(f, &ok), ok))
		sqlite3_bind_int64(q, i, v);
	else
		sqlite3_bind_text(q, i, f, -1, SQLITE_TRANSIENT);
}

/*
 * Creates the in-memory database the rows are loaded into: the station's
 * own schema (store/'s migrations), so that the coverage SQL reads it as it
 * reads a station's data. A station exports only the bulletins that were in
 * service during the period (REP_SQL_OWED): here they carry no history and
 * no audio facts, and approved_at 0 says they were in service from the
 * start; the file's topic_name (?5) is the station's name for the topic,
 * which the district's configuration gives again.
 */
static int
vx_db_open(struct vx *x, char **cause)
{
	struct store *st;

	if (store_open_memory(&st, cause) != 0)
		return -1;
	if (store_begin(st, cause) != 0)
		goto fail;
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO airings (id, bulletin_id,"
	    " sha256, slot, slot_start, priority, scheduled_at, started_at, ended_at,"
	    " played_ms, outcome, reason, paced) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13)", -1, &x->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db(st), "INSERT OR REPLACE INTO bulletins (id,"
	    " sha256, title, topic, agency, min_airings, status, valid_from,"
	    " valid_until, approved_sha256, approved_at, file, format, sample_rate,"
	    " channels, duration_ms, size, imported_at) VALUES (?1, ?2, ?3, ?4, ?6,"
	    " ?7, ?8, ?9, ?10, ?2, 0, '', '', 0, 0, 1, 0, 0)", -1, &x->insb,
	    NULL) != SQLITE_OK) {
		*cause = store_error(st, "in-memory database");
		sqlite3_finalize(x->ins);
		x->ins = NULL;
		goto fail;
	}
	x->v->store = st;
	return 0;
fail:
	store_close(&st);
	return -1;
}

/* Runs an insert of q; a line the schema refuses is a problem of the file. */
static void
vx_insert(struct vx *x, sqlite3_stmt *q, int64_t line, const char *what)
{
	if (sqlite3_step(q) != SQLITE_DONE)
		vx_problem(x->v, line, "a %s the station's schema refuses: %s", what,
		    sqlite3_errmsg(sqlite3_db_handle(q)));
	sqlite3_reset(q);
}

/*
 * Runs sql on db (when the rows are kept) with the n fields f bound: the
 * timetable history and the alive line, a few lines an export.
 */
static void
vx_history(sqlite3 *db, const char *sql, char **f, int n)
{
	sqlite3_stmt *q;
	int i;

	if (db == NULL || sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return;
	for (i = 0; i < n; i++)
		vx_bind(q, i + 1, f[i], 1);
	sqlite3_step(q);
	sqlite3_finalize(q);
}

/* Reads one header line (already split) into v. */
static void
vx_header_line(struct vx *x, char **f, int n, int64_t line)
{
	struct rep_verified *v = x->v;
	int ok = 1, i;
	char **dst = NULL;

	if (strcmp(f[0], "station") == 0)
		dst = &v->station.code;
	else if (strcmp(f[0], "name") == 0)
		dst = &v->station.name;
	else if (strcmp(f[0], "commune") == 0)
		dst = &v->station.commune;
	else if (strcmp(f[0], "district") == 0)
		dst = &v->station.district;
	else if (strcmp(f[0], "province") == 0)
		dst = &v->station.province;
	else if (strcmp(f[0], "timezone") == 0)
		dst = &v->timezone;
	if (dst != NULL) {
		if (n == 2 && *dst == NULL && f[1] != NULL)
			*dst = xstrdup(f[1]);
		return;
	}
	if (strcmp(f[0], "key") == 0 && n == 2 && f[1] != NULL) {
		snprintf(v->key_b64, sizeof v->key_b64, "%s", f[1]);
		if (key_public_decode(f[1], v->key) != 0)
			vx_problem(v, line, "the station key is not a base64 Ed25519 key");
	} else if (strcmp(f[0], "period") == 0 && n == 6) {
		snprintf(v->period.label, sizeof v->period.label, "%s", f[1] ? f[1] : "");
		snprintf(v->period.from, sizeof v->period.from, "%s", f[2] ? f[2] : "");
		snprintf(v->period.to, sizeof v->period.to, "%s", f[3] ? f[3] : "");
		v->period.from_ms = vx_int(f[4], &ok);
		v->period.to_ms = vx_int(f[5], &ok);
		if (!ok)
			vx_problem(v, line, "the period is malformed");
	} else if (strcmp(f[0], "bulletin") == 0 && n == EX_BCOLS) {
		if (x->insb != NULL) {
			for (i = 1; i < EX_BCOLS; i++)
				vx_bind(x->insb, i, f[i], i == 1 || i == 7);
			vx_insert(x, x->insb, line, "bulletin");
		}
	} else if (strcmp(f[0], "alive") == 0 && n == 4) {
		if (v->store != NULL)
			vx_history(store_db(v->store), "INSERT INTO meta (key, value)"
			    " VALUES ('first_alive', ?1), ('daemon_alive_at', ?2),"
			    " ('exported_at', ?3)", f + 1, 3);
	} else if (strcmp(f[0], "timetable") == 0 && n == 6) {
		if (v->store != NULL)
			vx_history(store_db(v->store), "INSERT INTO timetables"
			    " (in_force_from, recorded_by, timezone, sha256, slots)"
			    " VALUES (?1, ?2, ?3, ?4, ?5)", f + 1, 5);
	} else if (strcmp(f[0], "chain") == 0 && n == 3) {
		v->chain_n = vx_int(f[1], &ok);
		if (!ok || vx_hex32(f[2], v->chain_head) != 0)
			vx_problem(v, line, "the log chain's head is malformed");
	} else if (strcmp(f[0], "columns") == 0) {
		if (n != EX_NCOLS + 1)
			vx_problem(v, line, "unexpected columns");
	} else
		vx_problem(v, line, "unknown header line '%.40s'", f[0]);
}

/* Marks seq seen; returns 1 when it had been seen before. */
static int
vx_seen(struct vx *x, int64_t seq)
{
	size_t i = (size_t)seq;
	int was;

	if (i >= x->nseq) {
		size_t n = i * 2 + 1024;

		x->seq = xreallocarray(x->seq, n, sizeof *x->seq);
		memset(x->seq + x->nseq, 0, (n - x->nseq) * sizeof *x->seq);
		x->nseq = n;
	}
	was = x->seq[i].seen;
	x->seq[i].seen = 1;
	return was;
}

/*
 * Flags what a row says that no true airing does: more played than the
 * time it was on air, an output that did not run at the audio's rate. f
 * holds the row's fields after its hash.
 */
static void
vx_row_flags(struct vx *x, char **f, int64_t seq, int64_t line)
{
	int ok = 1;
	int64_t started, ended, played;

	if (f[8] == NULL || f[9] == NULL)
		return;
	started = vx_int(f[8], &ok);
	ended = vx_int(f[9], &ok);
	played = vx_int(f[10], &ok);
	if (!ok)
		return;
	if (played > ended - started + EX_WALL_SLACK_MS)
		vx_flag(x->v, line, "row %" PRId64 " played %" PRId64 " s in %" PRId64
		    " s on air (more than its wall time)", seq, played / 1000,
		    (ended - started) / 1000);
	if (f[13] != NULL && strcmp(f[13], "0") == 0)
		vx_flag(x->v, line, "row %" PRId64 " aired through an output that was not "
		    "real-time (audio.realtime false): not heard as logged", seq);
	if (ended > started) {
		x->spans = xreallocarray(x->spans, x->nspans + 1, sizeof *x->spans);
		x->spans[x->nspans++] = (struct vx_span){ started, ended, seq, line };
	}
}

static int
vx_span_cmp(const void *a, const void *b)
{
	const struct vx_span *p = a, *q = b;

	return p->from < q->from ? -1 : p->from > q->from ? 1 :
	    p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* Flags each row that was on air while another was: one loudspeaker. */
static void
vx_overlaps(struct vx *x)
{
	const struct vx_span *last = NULL;
	size_t i;

	qsort(x->spans, x->nspans, sizeof *x->spans, vx_span_cmp);
	for (i = 0; i < x->nspans; i++) {
		if (last != NULL && x->spans[i].from < last->to)
			vx_flag(x->v, x->spans[i].line, "rows %" PRId64 " and %" PRId64
			    " overlap: both on air at once", last->seq, x->spans[i].seq);
		if (last == NULL || x->spans[i].to > last->to)
			last = &x->spans[i];
	}
}

/* Reads an index line: the digests of rows FIRST on. */
static void
vx_index(struct vx *x, char *text, int64_t line)
{
	char *p = text, *end;
	unsigned long long first;
	size_t i;

	errno = 0;
	first = strtoull(p, &end, 10);
	if (errno != 0 || end == p || first != x->nidx + 1) {
		vx_problem(x->v, line, "a damaged index line");
		x->idx_bad = 1;
		return;
	}
	for (p = end; *p == '\t'; p = end) {
		if (strlen(p + 1) < 16 || (p[17] != '\t' && p[17] != '\0')) {
			vx_problem(x->v, line, "a damaged index line");
			x->idx_bad = 1;
			return;
		}
		i = x->nidx++;
		x->idx = xreallocarray(x->idx, x->nidx, sizeof *x->idx);
		x->idx[i] = strtoull(p + 1, &end, 16);
		if (end != p + 17) {
			vx_problem(x->v, line, "a damaged index line");
			x->idx_bad = 1;
			return;
		}
	}
	if (*p != '\0') {
		vx_problem(x->v, line, "a damaged index line");
		x->idx_bad = 1;
	}
}

/*
 * Names the changed rows: with a signed index, each row whose own digest is
 * not the one the station signed (so a row changed with every hash after it
 * recomputed is named, and not the row after it); without one, each row
 * that does not link to the row before it.
 */
static void
vx_changed(struct vx *x)
{
	struct rep_verified *v = x->v;
	int signed_index = v->sig_ok && !x->idx_bad && x->nidx == v->rows_signed;
	size_t i;
	int bad;

	for (i = 1; i < x->nseq; i++) {
		if (!x->seq[i].seen)
			continue;
		if (signed_index)
			bad = i <= x->nidx && x->idx[i - 1] != x->seq[i].dig;
		else
			bad = x->seq[i].unlinked;
		if (bad) {
			vx_problem(v, x->seq[i].line, "row %zu changed", i);
			v->changed++;
		}
	}
}

/* Checks one row line: its link in the chain and its sequence number. */
static void
vx_row(struct vx *x, char *text, int64_t line)
{
	struct rep_verified *v = x->v;
	unsigned char stated[32], h[32];
	char *tab, *f[EX_NCOLS + 1];
	int ok = 1, n, linked, i;
	uint64_t dig;
	int64_t seq;

	v->rows++;
	if ((tab = strchr(text, '\t')) == NULL || (*tab = '\0', vx_hex32(text, stated)) != 0) {
		vx_problem(v, line, "a row without its hash (inserted or damaged)");
		v->inserted++;
		return;
	}
	text = tab + 1;
	ex_link(h, x->prev, text, strlen(text));
	dig = ex_digest(text, strlen(text));
	linked = sodium_memcmp(h, stated, 32) == 0;
	memcpy(x->prev, stated, 32);
	n = vx_split(text, f, EX_NCOLS);
	seq = n == EX_NCOLS ? vx_int(f[0], &ok) : 0;
	if (n != EX_NCOLS || !ok || seq < 1 || seq > 100000000) {
		vx_problem(v, line, "a malformed row (changed or inserted)");
		v->changed++;
		x->prev_seq = -1;
		return;
	}
	if (vx_seen(x, seq)) {
		vx_problem(v, line, "row %" PRId64 " inserted (a second row %" PRId64 ")",
		    seq, seq);
		v->inserted++;
	} else {
		x->seq[seq].dig = dig;
		x->seq[seq].line = line;
		if (x->prev_seq > 0 && seq < x->prev_seq) {
			vx_problem(v, line, "row %" PRId64 " out of order (reordered)", seq);
			v->reordered++;
		} else
			x->seq[seq].unlinked = !linked && x->prev_seq == seq - 1;
		vx_row_flags(x, f, seq, line);
	}
	x->prev_seq = seq;
	if (x->ins != NULL) {
		for (i = 1; i < EX_NCOLS; i++)
			vx_bind(x->ins, i, f[i], i == 1 || i == 2 || i == 5 ||
			    (i >= 7 && i <= 10) || i == 13);
		vx_insert(x, x->ins, line, "row");
	}
}

/* Checks the end line: the count, the last hash, and the signature. */
static void
vx_end(struct vx *x, char *text, int64_t line, const unsigned char h0[32])
{
	struct rep_verified *v = x->v;
	unsigned char last[32], sig[64], ih[32];
	char *f[4], h0hex[65], hihex[65], *msg;
	size_t len = 0;
	const char *end;
	int64_t rows;
	int ok = 1, n;

	n = vx_split(text, f, 3);
	if (n != 3 || vx_hex32(f[1], last) != 0 || f[2] == NULL ||
	    sodium_base642bin(sig, sizeof sig, f[2], strlen(f[2]), NULL, &len, &end,
	    B64) != 0 || *end != '\0' || len != 64) {
		vx_problem(v, line, "the signed end line is damaged");
		return;
	}
	rows = vx_int(f[0], &ok);
	if (!ok || rows < 0) {
		vx_problem(v, line, "the signed end line is damaged");
		return;
	}
	v->rows_signed = (size_t)rows;
	x->end_read = 1;
	hex32(h0, h0hex);
	crypto_generichash_final(&x->is, ih, 32);
	hex32(ih, hihex);
	msg = ex_signed_text(h0hex, v->rows_signed, f[1], hihex);
	v->sig_ok = crypto_sign_verify_detached(sig, (const unsigned char *)msg,
	    strlen(msg), v->key) == 0;
	free(msg);
	if (!v->sig_ok)
		vx_problem(v, line, "the signature does not match the station key %s",
		    v->key_b64);
	if (sodium_memcmp(last, x->prev, 32) != 0)
		x->end_line = line;
}

/* Reports the sequence numbers never seen, as ranges of removed rows. */
static void
vx_removed(struct vx *x)
{
	struct rep_verified *v = x->v;
	size_t i, j, top = v->rows_signed;

	for (i = 1; i < x->nseq; i++)
		if (x->seq[i].seen && i > top)
			top = i;
	for (i = 1; i <= top; i = j) {
		if (i < x->nseq && x->seq[i].seen) {
			j = i + 1;
			continue;
		}
		for (j = i; j <= top && j < x->nseq && !x->seq[j].seen; j++)
			;
		/* Past the rows seen, all are missing: one range, however many
		 * the end line claims (it may be forged). */
		if (j <= top && j >= x->nseq)
			j = top + 1;
		v->removed += j - i;
		if (j - i == 1)
			vx_problem(v, 0, "row %zu removed", i);
		else
			vx_problem(v, 0, "rows %zu-%zu removed", i, j - 1);
	}
	/* Without a row count from the end line, rows past it are not "inserted". */
	for (i = v->rows_signed + 1; x->end_read && i <= top; i++)
		if (i < x->nseq && x->seq[i].seen) {
			vx_problem(v, 0, "row %zu inserted (the export was signed with %zu "
			    "rows)", i, v->rows_signed);
			v->inserted++;
		}
}

/*
 * Reads a line of at most EX_MAX_LINE bytes into line (EX_MAX_LINE + 1
 * bytes), so that a file of one endless line is never read into memory
 * whole. Returns its length with the '\n' (none on a last line that was
 * cut), -1 at the end of the file, -2 on a longer line, -3 on a line with
 * a NUL byte.
 */
static ssize_t
vx_getline(char *line, FILE *fp)
{
	size_t n;

	if (fgets(line, EX_MAX_LINE + 1, fp) == NULL)
		return -1;
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		return (ssize_t)n;
	if (n == EX_MAX_LINE)
		return -2;
	return n > 0 && feof(fp) ? (ssize_t)n : -3;
}

/* Frees what a verification pass holds besides v. */
static void
vx_free(struct vx *x)
{
	free(x->seq);
	free(x->idx);
	free(x->spans);
	sqlite3_finalize(x->ins);
	sqlite3_finalize(x->insb);
}

/* Why the first line is not an export's, allocated. */
static char *
vx_not_export(const char *path, const char *line, ssize_t len)
{
	char *why;

	if (len == (ssize_t)strlen(EX_MAGIC) + 2 &&
	    strncmp(line, EX_MAGIC "\r\n", (size_t)len) == 0)
		xasprintf(&why, "%s: a loaxa airing-log export whose line endings were "
		    "converted to CRLF (by a Windows copy or a text editor): convert "
		    "them back to LF (dos2unix) and verify it again", path);
	else if (len >= 13 && strncmp(line, "loaxa-export\t", 13) == 0)
		xasprintf(&why, "%s: a loaxa airing-log export of another format than "
		    "this loaxa's (%s): export it again", path, EX_MAGIC + 13);
	else
		xasprintf(&why, "%s: not a loaxa airing-log export", path);
	return why;
}

/* The station code as it may be printed: a '?' for each byte not shown. */
static void
vx_code_shown(const char *code, char out[41])
{
	size_t i;

	for (i = 0; i < 40 && code[i] != '\0'; i++)
		out[i] = code[i] > 0x20 && code[i] < 0x7f ? code[i] : '?';
	out[i] = '\0';
}

int
rep_verify(const char *path, int keep_db, struct rep_verified *v, char **cause)
{
	enum { HEAD, ROWS, END } where = HEAD;
	unsigned char h0[32], stated0[32];
	crypto_generichash_state hs;
	char *line, *f[EX_NCOLS + 2], *err = NULL, shown[41];
	struct vx x;
	int64_t lineno = 0;
	ssize_t len;
	struct stat sb;
	FILE *fp;
	int fd;
	int n;

	memset(v, 0, sizeof *v);
	memset(&x, 0, sizeof x);
	x.v = v;
	if (sodium_init() < 0) {
		xasprintf(cause, "cannot initialise libsodium");
		return -1;
	}
	if ((fd = file_open_regular(path, &sb)) < 0) {
		xasprintf(cause, "%s: %s", path, file_open_error(fd));
		return -1;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	line = xmalloc(EX_MAX_LINE + 1);
	if ((len = vx_getline(line, fp)) < 0 ||
	    strncmp(line, EX_MAGIC "\n", (size_t)len) != 0 ||
	    (size_t)len != strlen(EX_MAGIC) + 1) {
		*cause = vx_not_export(path, line, len);
		free(line);
		fclose(fp);
		return -1;
	}
	if (keep_db && vx_db_open(&x, cause) != 0) {
		free(line);
		fclose(fp);
		return -1;
	}
	crypto_generichash_init(&hs, NULL, 0, 32);
	crypto_generichash_init(&x.is, NULL, 0, 32);
	crypto_generichash_update(&hs, (const unsigned char *)line, (size_t)len);
	lineno = 1;
	while ((len = vx_getline(line, fp)) != -1) {
		lineno++;
		if (len == -2) {
			if (where == HEAD)
				break;
			vx_problem(v, lineno, "a line longer than %d bytes (damaged)",
			    EX_MAX_LINE);
			break;
		}
		if (len == -3) {
			vx_problem(v, lineno, "a NUL byte in the line (damaged)");
			continue;
		}
		if (line[len - 1] != '\n') {
			vx_problem(v, lineno, "the file ends in the middle of a line "
			    "(truncated)");
			break;
		}
		line[--len] = '\0';
		if (where == HEAD && strncmp(line, "header\t", 7) == 0) {
			crypto_generichash_final(&hs, h0, 32);
			if (vx_hex32(line + 7, stated0) != 0 ||
			    sodium_memcmp(h0, stated0, 32) != 0) {
				vx_problem(v, lineno, "the header (station, key, period or "
				    "bulletins) was changed");
				if (vx_hex32(line + 7, stated0) != 0)
					memcpy(stated0, h0, 32);
			}
			memcpy(x.prev, stated0, 32);
			where = ROWS;
		} else if (where == HEAD) {
			line[len] = '\n';
			crypto_generichash_update(&hs, (const unsigned char *)line,
			    (size_t)len + 1);
			line[len] = '\0';
			if ((n = vx_split(line, f, EX_NCOLS + 1)) > EX_NCOLS + 1 || f[0] == NULL)
				vx_problem(v, lineno, "a malformed header line");
			else
				vx_header_line(&x, f, n, lineno);
		} else if (where == ROWS && strncmp(line, "row\t", 4) == 0)
			vx_row(&x, line + 4, lineno);
		else if (where == ROWS && strncmp(line, "index\t", 6) == 0) {
			line[len] = '\n';
			crypto_generichash_update(&x.is, (const unsigned char *)line,
			    (size_t)len + 1);
			line[len] = '\0';
			vx_index(&x, line + 6, lineno);
		}
		else if (where == ROWS && strncmp(line, "end\t", 4) == 0) {
			vx_end(&x, line + 4, lineno, stated0);
			where = END;
		} else if (where == END) {
			vx_problem(v, lineno, "a line after the signed end (inserted)");
			v->inserted++;
		} else {
			vx_problem(v, lineno, "not a row (inserted or damaged)");
			v->inserted++;
		}
	}
	if (ferror(fp)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(line);
		fclose(fp);
		rep_verified_clear(v);
		vx_free(&x);
		return -1;
	}
	free(line);
	fclose(fp);
	if (where == HEAD) {
		if (len == -2)
			xasprintf(cause, "%s: not a loaxa airing-log export (line %lld is "
			    "longer than %d bytes)", path, (long long)lineno, EX_MAX_LINE);
		else
			xasprintf(cause, "%s: not a loaxa airing-log export (no header)",
			    path);
		vx_free(&x);
		rep_verified_clear(v);
		return -1;
	}
	if (where != END)
		vx_problem(v, 0, "no signed end line: the export is truncated");
	else {
		vx_changed(&x);
		vx_removed(&x);
		if (x.end_line > 0 && v->changed + v->removed + v->inserted +
		    v->reordered == 0)
			vx_problem(v, x.end_line, "the last row is not the one that was "
			    "signed (rows added or removed at the end)");
	}
	vx_overlaps(&x);
	if (v->station.code == NULL || v->key_b64[0] == '\0' || v->period.label[0] == '\0')
		vx_problem(v, 0, "the header lacks the station, key or period");
	else if (!conf_station_code_valid(v->station.code)) {
		vx_code_shown(v->station.code, shown);
		vx_problem(v, 0, "the station code '%s' is not a valid station code "
		    "(letters, digits, '-' and '_', at most 32)", shown);
	}
	vx_free(&x);
	if (v->store != NULL && store_commit(v->store, &err) != 0) {
		vx_problem(v, 0, "%s", err);
		free(err);
	}
	v->ok = v->sig_ok && v->nproblems == 0;
	return 0;
}

void
rep_verified_clear(struct rep_verified *v)
{
	size_t i;

	free(v->station.code);
	free(v->station.name);
	free(v->station.commune);
	free(v->station.district);
	free(v->station.province);
	free(v->timezone);
	for (i = 0; i < v->nproblems; i++)
		free(v->problems[i].what);
	free(v->problems);
	for (i = 0; i < v->nflags; i++)
		free(v->flags[i].what);
	free(v->flags);
	store_close(&v->store);
	memset(v, 0, sizeof *v);
}
