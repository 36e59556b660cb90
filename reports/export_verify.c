/*
 * Verification of a signed airing-log export (its format: export.c): the
 * signature, the hash chain and each row's digest, so that a changed,
 * removed, reordered or inserted row is named; the rows loaded into an
 * in-memory database of the station's schema for the coverage SQL; and the
 * flags for signed rows that no true airing writes.
 */
#include <errno.h>
#include <fcntl.h>
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

#define EX_WALL_SLACK_MS 2000 /* played time may exceed wall time by this */
#define EX_BCOLS 11 /* "bulletin" and its ten fields */

/* What was read of the row numbered seq. */
struct vx_seq {
	uint64_t dig;           /* its own digest */
	int64_t line;
	unsigned char seen;
	unsigned char unlinked; /* it does not link to the row before it */
};

/*
 * When a row was on air, for the overlap check, and what it aired in: the
 * row's id, its slot (a digest of its name) and the slot's start.
 */
struct vx_span {
	int64_t from, to, seq, line, id, slot_start;
	uint64_t slot;
	int relay;
};

/* A relay's interruption: its row's id and when (ms) it began and ended. */
struct vx_gap {
	int64_t relay, from, to;
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
	int64_t *relays;        /* the ids of the relay rows, from the header */
	size_t nrelays;
	struct vx_gap *gaps;    /* the relays' interruptions, from the header */
	size_t ngaps;
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

/* Binds field f to parameter i of q: NULL, an integer (when numeric), or text. */
static void
vx_bind(sqlite3_stmt *q, int i, const char *f, int integer)
{
	int ok = 1;
	int64_t v;

	if (f == NULL)
		sqlite3_bind_null(q, i);
	else if (integer && (v = rep_ex_int(f, &ok), ok))
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
		*cause = store_error(st, _("in-memory database"));
		sqlite3_finalize(x->ins);
		x->ins = NULL;
		goto fail;
	}
	/* Relay lines name rows that come after them: kept until the rows are in. */
	if (store_exec(st, "CREATE TEMP TABLE vx_relay (id INTEGER, source TEXT);"
	    " CREATE TEMP TABLE vx_gap (id INTEGER, at INTEGER, duration_ms INTEGER,"
	    " reason TEXT, fallback TEXT)", cause) != 0) {
		sqlite3_finalize(x->ins);
		sqlite3_finalize(x->insb);
		x->ins = x->insb = NULL;
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
		vx_problem(x->v, line, _("a %s the station's schema refuses: %s"), what,
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
			vx_problem(v, line, _("the station key is not a base64 Ed25519 key"));
	} else if (strcmp(f[0], "period") == 0 && n == 6) {
		snprintf(v->period.label, sizeof v->period.label, "%s", f[1] ? f[1] : "");
		snprintf(v->period.from, sizeof v->period.from, "%s", f[2] ? f[2] : "");
		snprintf(v->period.to, sizeof v->period.to, "%s", f[3] ? f[3] : "");
		v->period.from_ms = rep_ex_int(f[4], &ok);
		v->period.to_ms = rep_ex_int(f[5], &ok);
		if (!ok)
			vx_problem(v, line, _("the period is malformed"));
	} else if (strcmp(f[0], "bulletin") == 0 && n == EX_BCOLS) {
		if (x->insb != NULL) {
			for (i = 1; i < EX_BCOLS; i++)
				vx_bind(x->insb, i, f[i], i == 1 || i == 7);
			vx_insert(x, x->insb, line, _("bulletin"));
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
	} else if (strcmp(f[0], "relay") == 0 && n == 3) {
		x->relays = xreallocarray(x->relays, x->nrelays + 1, sizeof *x->relays);
		x->relays[x->nrelays] = rep_ex_int(f[1], &ok);
		if (ok)
			x->nrelays++;
		if (v->store != NULL)
			vx_history(store_db(v->store), "INSERT INTO temp.vx_relay (id, source)"
			    " VALUES (?1, ?2)", f + 1, 2);
	} else if (strcmp(f[0], "interruption") == 0 && n == 6) {
		x->gaps = xreallocarray(x->gaps, x->ngaps + 1, sizeof *x->gaps);
		x->gaps[x->ngaps].relay = rep_ex_int(f[1], &ok);
		x->gaps[x->ngaps].from = rep_ex_int(f[2], &ok);
		x->gaps[x->ngaps].to = x->gaps[x->ngaps].from + rep_ex_int(f[3], &ok);
		if (ok)
			x->ngaps++;
		if (v->store != NULL)
			vx_history(store_db(v->store), "INSERT INTO temp.vx_gap (id, at,"
			    " duration_ms, reason, fallback) VALUES (?1, ?2, ?3, ?4, ?5)",
			    f + 1, 5);
	} else if (strcmp(f[0], "chain") == 0 && n == 3) {
		v->chain_n = rep_ex_int(f[1], &ok);
		if (!ok || rep_ex_unhex(f[2], v->chain_head) != 0)
			vx_problem(v, line, _("the log chain's head is malformed"));
	} else if (strcmp(f[0], "columns") == 0) {
		if (n != EX_NCOLS + 1)
			vx_problem(v, line, _("unexpected columns"));
	} else
		vx_problem(v, line, _("unknown header line '%.40s'"), f[0]);
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
	started = rep_ex_int(f[8], &ok);
	ended = rep_ex_int(f[9], &ok);
	played = rep_ex_int(f[10], &ok);
	if (!ok)
		return;
	if (played > ended - started + EX_WALL_SLACK_MS)
		vx_flag(x->v, line, _("row %lld played %lld s in %lld s on air (more "
		    "than its wall time)"), (long long)seq, (long long)(played / 1000),
		    (long long)((ended - started) / 1000));
	if (f[13] != NULL && strcmp(f[13], "0") == 0)
		vx_flag(x->v, line, _("row %lld aired through an output that was not "
		    "real-time (audio.realtime false): not heard as logged"), (long long)seq);
	if (ended > started) {
		x->spans = xreallocarray(x->spans, x->nspans + 1, sizeof *x->spans);
		x->spans[x->nspans++] = (struct vx_span){ started, ended, seq, line,
			rep_ex_int(f[1], &ok), f[5] != NULL ? rep_ex_int(f[5], &ok) : 0,
			f[4] != NULL ? rep_ex_digest(f[4], strlen(f[4])) : 0, 0 };
	}
}

static int
vx_id_cmp(const void *a, const void *b)
{
	const int64_t *p = a, *q = b;

	return *p < *q ? -1 : *p > *q;
}

/*
 * Whether a and b are a relay's row and a bulletin of the same slot
 * occurrence aired within one of the relay's interruptions: its fallback,
 * on air inside the relay's row by design.
 */
static int
vx_fallback_pair(const struct vx *x, const struct vx_span *a,
    const struct vx_span *b)
{
	const struct vx_span *r = a->relay ? a : b, *fb = a->relay ? b : a;
	size_t i;

	if (a->relay == b->relay || a->slot == 0 || a->slot != b->slot ||
	    a->slot_start != b->slot_start)
		return 0;
	for (i = 0; i < x->ngaps; i++)
		if (x->gaps[i].relay == r->id &&
		    fb->from >= x->gaps[i].from - EX_WALL_SLACK_MS &&
		    fb->to <= x->gaps[i].to + EX_WALL_SLACK_MS)
			return 1;
	return 0;
}

static int
vx_span_cmp(const void *a, const void *b)
{
	const struct vx_span *p = a, *q = b;

	return p->from < q->from ? -1 : p->from > q->from ? 1 :
	    p->seq < q->seq ? -1 : p->seq > q->seq;
}

/*
 * Flags each row that was on air while another was: one loudspeaker. A
 * relay's fallback bulletins are on air inside its row, not beside it, so
 * the sweep keeps the latest-ending relay row and the latest-ending other
 * row apart: a relay row that covers its slot must not hide two bulletins
 * that overlap each other inside it.
 */
static void
vx_overlaps(struct vx *x)
{
	const struct vx_span *last[2] = { NULL, NULL }, *s, *o;
	size_t i, k;

	if (x->nspans < 2) /* none is NULL, which qsort may not be given */
		return;
	if (x->nrelays > 0) {
		qsort(x->relays, x->nrelays, sizeof *x->relays, vx_id_cmp);
		for (i = 0; i < x->nspans; i++)
			x->spans[i].relay = bsearch(&x->spans[i].id, x->relays,
			    x->nrelays, sizeof *x->relays, vx_id_cmp) != NULL;
	}
	qsort(x->spans, x->nspans, sizeof *x->spans, vx_span_cmp);
	for (i = 0; i < x->nspans; i++) {
		s = &x->spans[i];
		for (k = 0; k < 2; k++) {
			o = last[k];
			if (o != NULL && s->from < o->to && !vx_fallback_pair(x, o, s)) {
				vx_flag(x->v, s->line, _("rows %lld and %lld overlap: both "
				    "on air at once"), (long long)o->seq, (long long)s->seq);
				break;
			}
		}
		if (last[s->relay] == NULL || s->to > last[s->relay]->to)
			last[s->relay] = s;
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
		vx_problem(x->v, line, _("a damaged index line"));
		x->idx_bad = 1;
		return;
	}
	for (p = end; *p == '\t'; p = end) {
		if (strlen(p + 1) < 16 || (p[17] != '\t' && p[17] != '\0')) {
			vx_problem(x->v, line, _("a damaged index line"));
			x->idx_bad = 1;
			return;
		}
		i = x->nidx++;
		x->idx = xreallocarray(x->idx, x->nidx, sizeof *x->idx);
		x->idx[i] = strtoull(p + 1, &end, 16);
		if (end != p + 17) {
			vx_problem(x->v, line, _("a damaged index line"));
			x->idx_bad = 1;
			return;
		}
	}
	if (*p != '\0') {
		vx_problem(x->v, line, _("a damaged index line"));
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
			vx_problem(v, x->seq[i].line, _("row %zu changed"), i);
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
	if ((tab = strchr(text, '\t')) == NULL || (*tab = '\0', rep_ex_unhex(text, stated)) != 0) {
		vx_problem(v, line, _("a row without its hash (inserted or damaged)"));
		v->inserted++;
		return;
	}
	text = tab + 1;
	rep_ex_link(h, x->prev, text, strlen(text));
	dig = rep_ex_digest(text, strlen(text));
	linked = sodium_memcmp(h, stated, 32) == 0;
	memcpy(x->prev, stated, 32);
	n = rep_ex_split(text, f, EX_NCOLS);
	seq = n == EX_NCOLS ? rep_ex_int(f[0], &ok) : 0;
	if (n != EX_NCOLS || !ok || seq < 1 || seq > 100000000) {
		vx_problem(v, line, _("a malformed row (changed or inserted)"));
		v->changed++;
		x->prev_seq = -1;
		return;
	}
	if (vx_seen(x, seq)) {
		vx_problem(v, line, _("row %lld inserted (a second row %lld)"),
		    (long long)seq, (long long)seq);
		v->inserted++;
	} else {
		x->seq[seq].dig = dig;
		x->seq[seq].line = line;
		if (x->prev_seq > 0 && seq < x->prev_seq) {
			vx_problem(v, line, _("row %lld out of order (reordered)"), (long long)seq);
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
		vx_insert(x, x->ins, line, _("row"));
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

	n = rep_ex_split(text, f, 3);
	if (n != 3 || rep_ex_unhex(f[1], last) != 0 || f[2] == NULL ||
	    sodium_base642bin(sig, sizeof sig, f[2], strlen(f[2]), NULL, &len, &end,
	    EX_B64) != 0 || *end != '\0' || len != 64) {
		vx_problem(v, line, _("the signed end line is damaged"));
		return;
	}
	rows = rep_ex_int(f[0], &ok);
	if (!ok || rows < 0) {
		vx_problem(v, line, _("the signed end line is damaged"));
		return;
	}
	v->rows_signed = (size_t)rows;
	x->end_read = 1;
	rep_ex_hex(h0, h0hex);
	crypto_generichash_final(&x->is, ih, 32);
	rep_ex_hex(ih, hihex);
	msg = rep_ex_signed_text(h0hex, v->rows_signed, f[1], hihex);
	v->sig_ok = crypto_sign_verify_detached(sig, (const unsigned char *)msg,
	    strlen(msg), v->key) == 0;
	free(msg);
	if (!v->sig_ok)
		vx_problem(v, line, _("the signature does not match the station key %s"),
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
			vx_problem(v, 0, _("row %zu removed"), i);
		else
			vx_problem(v, 0, _("rows %zu-%zu removed"), i, j - 1);
	}
	/* Without a row count from the end line, rows past it are not "inserted". */
	for (i = v->rows_signed + 1; x->end_read && i <= top; i++)
		if (i < x->nseq && x->seq[i].seen) {
			vx_problem(v, 0, _("row %zu inserted (the export was signed with %zu "
			    "rows)"), i, v->rows_signed);
			v->inserted++;
		}
}

/* Frees what a verification pass holds besides v. */
static void
vx_free(struct vx *x)
{
	free(x->seq);
	free(x->idx);
	free(x->spans);
	free(x->relays);
	free(x->gaps);
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
		xasprintf(&why, _("%s: a loaxa airing-log export whose line endings were "
		    "converted to CRLF (by a Windows copy or a text editor): convert "
		    "them back to LF (dos2unix) and verify it again"), path);
	else if (len >= 13 && strncmp(line, "loaxa-export\t", 13) == 0)
		xasprintf(&why, _("%s: a loaxa airing-log export of another format than "
		    "this loaxa's (%s): export it again"), path, EX_MAGIC + 13);
	else
		xasprintf(&why, _("%s: not a loaxa airing-log export"), path);
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
		xasprintf(cause, _("cannot initialise libsodium"));
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
	if ((len = rep_ex_getline(line, fp)) < 0 ||
	    (size_t)len != strlen(EX_MAGIC) + 1 ||
	    (strncmp(line, EX_MAGIC "\n", (size_t)len) != 0 &&
	    strncmp(line, EX_MAGIC_2 "\n", (size_t)len) != 0)) {
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
	while ((len = rep_ex_getline(line, fp)) != -1) {
		lineno++;
		if (len == -2) {
			if (where == HEAD)
				break;
			vx_problem(v, lineno, _("a line longer than %d bytes (damaged)"),
			    EX_MAX_LINE);
			break;
		}
		if (len == -3) {
			vx_problem(v, lineno, _("a NUL byte in the line (damaged)"));
			continue;
		}
		if (line[len - 1] != '\n') {
			vx_problem(v, lineno, _("the file ends in the middle of a line "
			    "(truncated)"));
			break;
		}
		line[--len] = '\0';
		if (where == HEAD && strncmp(line, "header\t", 7) == 0) {
			crypto_generichash_final(&hs, h0, 32);
			if (rep_ex_unhex(line + 7, stated0) != 0 ||
			    sodium_memcmp(h0, stated0, 32) != 0) {
				vx_problem(v, lineno, _("the header (station, key, period or "
				    "bulletins) was changed"));
				if (rep_ex_unhex(line + 7, stated0) != 0)
					memcpy(stated0, h0, 32);
			}
			memcpy(x.prev, stated0, 32);
			where = ROWS;
		} else if (where == HEAD) {
			line[len] = '\n';
			crypto_generichash_update(&hs, (const unsigned char *)line,
			    (size_t)len + 1);
			line[len] = '\0';
			if ((n = rep_ex_split(line, f, EX_NCOLS + 1)) > EX_NCOLS + 1 || f[0] == NULL)
				vx_problem(v, lineno, _("a malformed header line"));
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
			vx_problem(v, lineno, _("a line after the signed end (inserted)"));
			v->inserted++;
		} else {
			vx_problem(v, lineno, _("not a row (inserted or damaged)"));
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
			xasprintf(cause, _("%s: not a loaxa airing-log export (line %lld is "
			    "longer than %d bytes)"), path, (long long)lineno, EX_MAX_LINE);
		else
			xasprintf(cause, _("%s: not a loaxa airing-log export (no header)"),
			    path);
		vx_free(&x);
		rep_verified_clear(v);
		return -1;
	}
	if (where != END)
		vx_problem(v, 0, _("no signed end line: the export is truncated"));
	else {
		vx_changed(&x);
		vx_removed(&x);
		if (x.end_line > 0 && v->changed + v->removed + v->inserted +
		    v->reordered == 0)
			vx_problem(v, x.end_line, _("the last row is not the one that was "
			    "signed (rows added or removed at the end)"));
	}
	vx_overlaps(&x);
	if (v->station.code == NULL || v->key_b64[0] == '\0' || v->period.label[0] == '\0')
		vx_problem(v, 0, _("the header lacks the station, key or period"));
	else if (!conf_station_code_valid(v->station.code)) {
		vx_code_shown(v->station.code, shown);
		vx_problem(v, 0, _("the station code '%s' is not a valid station code "
		    "(letters, digits, '-' and '_', at most 32)"), shown);
	}
	vx_free(&x);
	if (v->store != NULL && store_exec(v->store, "UPDATE airings SET source ="
	    " (SELECT r.source FROM temp.vx_relay r WHERE r.id = airings.id)"
	    " WHERE id IN (SELECT id FROM temp.vx_relay);"
	    " INSERT INTO relay_interruptions (airing_id, at, duration_ms, reason, fallback)"
	    " SELECT g.id, g.at, g.duration_ms, g.reason, g.fallback FROM temp.vx_gap g"
	    " WHERE g.id IN (SELECT id FROM airings)", &err) != 0) {
		vx_problem(v, 0, "the relays: %s", err);
		free(err);
		err = NULL;
	}
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

	rep_station_clear(&v->station);
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
