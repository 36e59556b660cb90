/*
 * Unit tests for library/: import and its rejections, double import, the
 * workflow and its audit trail, tamper checks, keys and signed packages,
 * the sweep of temporary files that dead imports left.
 * Each test uses a real SQLite file in its own temporary directory and real
 * WAV files written with libsndfile.
 */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/tag.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"
#include "tests/testutil.h"

struct fx {
	char *dir, *data;
	struct store *st;
	struct library *lib;
};

/* A mono 16-bit WAV of secs seconds at amplitude amp (0 = silence). */
static char *
wav(const char *dir, const char *name, double secs, double amp, double freq)
{
	return tu_wav(dir, name, secs, amp, freq, 0);
}

static void
fx_open(struct fx *f)
{
	char *cause = NULL;

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	f->dir = tu_tmpdir();
	xasprintf(&f->data, "%s/data", f->dir);
	ck_assert_msg(store_open_dir(f->data, &f->st, &cause) == 0, "%s", cause);
	ck_assert_msg(lib_new(f->st, f->data, &f->lib, &cause) == 0, "%s", cause);
}

static void
fx_close(struct fx *f)
{
	lib_free(&f->lib);
	store_close(&f->st);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->data);
}

/* How many bulletins, and how many files in bulletins/. */
static void
counts(struct fx *f, size_t *rows, size_t *files)
{
	struct lib_bulletin *all;
	char *cmd, *cause = NULL, buf[32];
	FILE *p;

	ck_assert_int_eq(lib_list(f->lib, NULL, NULL, &all, rows, &cause), 0);
	lib_bulletins_free(&all, *rows);
	xasprintf(&cmd, "ls -A '%s/bulletins' | wc -l", f->data);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof buf, p));
	pclose(p);
	*files = (size_t)atoi(buf);
	free(cmd);
}

/* Imports path with meta m; returns the rc, sets *id. */
static int
imp(struct fx *f, const char *path, const struct lib_meta *m, int approve,
    int64_t *id, int *existed, char **cause)
{
	static const struct lib_meta none;

	return lib_import(f->lib, path, m ? m : &none, "tester", approve, id, existed,
	    cause);
}

/*
 * A file mostly silent is refused with its silent share, changing nothing,
 * unless forced; a short file with a quiet tail is no such file.
 */
START_TEST(test_mostly_silent)
{
	struct fx f;
	char *cause = NULL, *gap, *tail;
	size_t rows, files;
	int64_t id;
	int existed;

	fx_open(&f);
	gap = tu_wav(f.dir, "gap.wav", 2, 0.3, 440, 58);
	ck_assert_int_eq(imp(&f, gap, NULL, 0, &id, &existed, &cause), LIB_REJECTED);
	ck_assert_msg(strstr(cause, "mostly silent: 96.7%") != NULL, "%s", cause);
	ck_assert_msg(strstr(cause, "--force") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	counts(&f, &rows, &files);
	ck_assert_int_eq(rows, 0);
	ck_assert_int_eq(files, 0);
	ck_assert_msg(imp(&f, gap, NULL, LIB_IMPORT_FORCE, &id, &existed, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(existed, 0);
	counts(&f, &rows, &files);
	ck_assert_int_eq(rows, 1);
	/* 3 s of sound and 5 s of silence: over half, but not long enough to matter. */
	tail = tu_wav(f.dir, "tail.wav", 3, 0.3, 550, 5);
	ck_assert_msg(imp(&f, tail, NULL, 0, &id, &existed, &cause) == 0, "%s", cause);
	free(gap);
	free(tail);
	fx_close(&f);
}
END_TEST

START_TEST(test_rejections_change_nothing)
{
	struct fx f;
	char *cause = NULL, *good, *p;
	size_t rows, files;
	int64_t id;
	int existed;
	FILE *fp;
	struct {
		const char *name;
		const char *why;
	} cases[] = { { "short.wav", "too short" }, { "silent.wav", "silent" },
		{ "text.wav", "" }, { "trunc.wav", "" }, { "missing.wav", "" } };
	size_t i;

	fx_open(&f);
	free(wav(f.dir, "short.wav", 0.5, 0.3, 440));
	free(wav(f.dir, "silent.wav", 2, 0, 440));
	free(tu_write(f.dir, "text.wav", "not audio at all\n"));
	good = wav(f.dir, "good.wav", 3, 0.3, 440);
	/* truncated: a WAV header promising more data than is there */
	xasprintf(&p, "%s/trunc.wav", f.dir);
	{
		size_t len;
		char *all = tu_read(good, &len);

		ck_assert_ptr_nonnull(fp = fopen(p, "wb"));
		fwrite(all, 1, 3000, fp);
		fclose(fp);
		free(all);
	}
	free(p);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		xasprintf(&p, "%s/%s", f.dir, cases[i].name);
		ck_assert_int_eq(imp(&f, p, NULL, 0, &id, &existed, &cause), LIB_REJECTED);
		ck_assert_ptr_nonnull(cause);
		ck_assert_msg(strstr(cause, cases[i].why) != NULL, "%s: %s",
		    cases[i].name, cause);
		free(cause);
		cause = NULL;
		counts(&f, &rows, &files);
		ck_assert_int_eq(rows, 0);
		ck_assert_int_eq(files, 0);
		free(p);
	}
	/* Bad metadata is refused before anything is read. */
	{
		struct lib_meta m = { .valid_until = "2026-02-30" };

		ck_assert_int_eq(imp(&f, good, &m, 0, &id, &existed, &cause), LIB_REJECTED);
		free(cause);
		cause = NULL;
		m.valid_until = NULL;
		m.priority = "urgent";
		ck_assert_int_eq(imp(&f, good, &m, 0, &id, &existed, &cause), LIB_REJECTED);
		ck_assert_ptr_nonnull(strstr(cause, "priority"));
		free(cause);
	}
	counts(&f, &rows, &files);
	ck_assert_int_eq(rows, 0);
	ck_assert_int_eq(files, 0);
	free(good);
	fx_close(&f);
}
END_TEST

START_TEST(test_double_import)
{
	struct fx f;
	struct lib_meta m = { .title = "Bản tin cải cách hành chính", .topic = "cchc",
		.agency = "UBND xã Toàn Thắng" };
	struct lib_bulletin b;
	char *cause = NULL, *p, *copy;
	size_t rows, files, len;
	int64_t id1, id2;
	int existed;

	fx_open(&f);
	p = wav(f.dir, "a.wav", 2, 0.3, 440);
	ck_assert_msg(imp(&f, p, &m, 0, &id1, &existed, &cause) == 0, "%s", cause);
	ck_assert_int_eq(existed, 0);
	/* The same bytes under another name are the same bulletin. */
	copy = tu_read(p, &len);
	free(tu_write(f.dir, "b.wav", ""));
	{
		char *q;
		FILE *fp;

		xasprintf(&q, "%s/b.wav", f.dir);
		fp = fopen(q, "wb");
		fwrite(copy, 1, len, fp);
		fclose(fp);
		ck_assert_int_eq(imp(&f, q, NULL, 1, &id2, &existed, &cause), 0);
		free(q);
	}
	free(copy);
	ck_assert_int_eq(existed, 1);
	ck_assert_int_eq(id1, id2);
	counts(&f, &rows, &files);
	ck_assert_int_eq(rows, 1);
	ck_assert_int_eq(files, 1);
	ck_assert_int_eq(lib_get(f.lib, id1, &b, &cause), 0);
	ck_assert_str_eq(b.title, "Bản tin cải cách hành chính");
	ck_assert_str_eq(b.agency, "UBND xã Toàn Thắng");
	ck_assert_str_eq(b.status, "pending"); /* the second import changed nothing */
	ck_assert_int_eq(b.duration_ms, 2000);
	ck_assert_ptr_nonnull(strstr(b.path, b.sha256));
	lib_bulletin_clear(&b);
	free(p);
	fx_close(&f);
}
END_TEST

START_TEST(test_workflow_and_audit)
{
	struct fx f;
	struct lib_meta m = { .valid_until = "2020-01-01" };
	struct lib_bulletin b;
	struct lib_event *ev;
	char *cause = NULL, *p, *q;
	size_t n;
	int64_t id, old;
	int existed, count;

	fx_open(&f);
	p = wav(f.dir, "a.wav", 2, 0.3, 440);
	ck_assert_int_eq(imp(&f, p, NULL, 0, &id, &existed, &cause), 0);
	ck_assert_int_eq(lib_reject(f.lib, id, "Cán bộ B", "", &cause), LIB_REJECTED);
	free(cause);
	ck_assert_int_eq(lib_approve(f.lib, id, "Chủ tịch A", &cause), 0);
	ck_assert_int_eq(lib_approve(f.lib, id, "Chủ tịch A", &cause), LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "already approved"));
	free(cause);
	ck_assert_int_eq(lib_get(f.lib, id, &b, &cause), 0);
	ck_assert_str_eq(b.approved_sha256, b.sha256);
	ck_assert_str_eq(b.approved_by, "Chủ tịch A");
	lib_bulletin_clear(&b);
	ck_assert_int_eq(lib_reject(f.lib, id, "Cán bộ B", "sai số liệu", &cause), 0);
	ck_assert_int_eq(lib_get(f.lib, id, &b, &cause), 0);
	ck_assert_ptr_null(b.approved_sha256);
	lib_bulletin_clear(&b);
	ck_assert_int_eq(lib_retire(f.lib, id, "Cán bộ B", NULL, &cause), 0);
	ck_assert_int_eq(lib_approve(f.lib, id, "A", &cause), LIB_REJECTED);
	free(cause);
	ck_assert_int_eq(lib_approve(f.lib, 999, "A", &cause), LIB_REJECTED);
	free(cause);
	ck_assert_int_eq(lib_events(f.lib, id, &ev, &n, &cause), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(ev[0].action, "import");
	ck_assert_str_eq(ev[0].actor, "tester");
	ck_assert_str_eq(ev[1].action, "approve");
	ck_assert_str_eq(ev[1].actor, "Chủ tịch A");
	ck_assert_str_eq(ev[2].action, "reject");
	ck_assert_str_eq(ev[2].reason, "sai số liệu");
	ck_assert_str_eq(ev[2].from_status, "approved");
	ck_assert_str_eq(ev[3].to_status, "retired");
	ck_assert_int_gt(ev[0].at, 0);
	lib_events_free(&ev, n);
	/* The audit trail cannot be edited. */
	ck_assert_int_eq(store_exec(f.st, "DELETE FROM bulletin_events", &cause), -1);
	free(cause);
	/* Expiry: a bulletin valid until a past day retires itself, audited. */
	q = wav(f.dir, "old.wav", 2, 0.3, 660);
	ck_assert_int_eq(imp(&f, q, &m, 1, &old, &existed, &cause), 0);
	ck_assert_int_eq(lib_expire(f.lib, "2026-06-01", &count, &cause), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_int_eq(lib_get(f.lib, old, &b, &cause), 0);
	ck_assert_str_eq(b.status, "retired");
	lib_bulletin_clear(&b);
	ck_assert_int_eq(lib_events(f.lib, old, &ev, &n, &cause), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(ev[2].action, "expire");
	lib_events_free(&ev, n);
	free(p);
	free(q);
	fx_close(&f);
}
END_TEST

static void
count_problem(const struct lib_problem *p, void *arg)
{
	if (p->id != 0)
		(*(int *)arg)++;
}

START_TEST(test_tampered_refused)
{
	struct fx f;
	struct lib_meta m = { .valid_from = "2026-01-01", .valid_until = "2026-12-31" };
	struct lib_airing a;
	struct lib_bulletin b;
	char *cause = NULL, *p;
	size_t checked, bad;
	int64_t id, now = 1781000000000LL; /* 2026-06-09 */
	int existed, tampered, seen = 0;
	FILE *fp;

	fx_open(&f);
	p = wav(f.dir, "a.wav", 2, 0.3, 440);
	ck_assert_int_eq(imp(&f, p, &m, 0, &id, &existed, &cause), 0);
	/* Pending: refused, not for tampering. */
	ck_assert_int_eq(lib_open_for_airing(f.lib, id, now, &a, &tampered, &cause),
	    LIB_REJECTED);
	ck_assert_int_eq(tampered, 0);
	free(cause);
	ck_assert_int_eq(lib_approve(f.lib, id, "A", &cause), 0);
	ck_assert_msg(lib_open_for_airing(f.lib, id, now, &a, &tampered, &cause) == 0,
	    "%s", cause);
	ck_assert_str_eq(a.sha256, m.valid_from ? a.sha256 : "");
	lib_airing_clear(&a);
	/* Outside the window: refused. */
	ck_assert_int_eq(lib_open_for_airing(f.lib, id, 1800000000000LL, &a, &tampered,
	    &cause), LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "until 2026-12-31"));
	free(cause);
	ck_assert_int_eq(lib_verify(f.lib, count_problem, &seen, &checked, &bad,
	    &cause), 0);
	ck_assert_int_eq(bad, 0);
	/* Change one byte of the stored file. */
	ck_assert_int_eq(lib_get(f.lib, id, &b, &cause), 0);
	ck_assert_ptr_nonnull(fp = fopen(b.path, "r+b"));
	fseek(fp, 100, SEEK_SET);
	fputc(0x55, fp);
	fclose(fp);
	ck_assert_int_eq(lib_verify(f.lib, count_problem, &seen, &checked, &bad,
	    &cause), 0);
	ck_assert_int_eq(checked, 1);
	ck_assert_int_eq(bad, 1);
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(lib_open_for_airing(f.lib, id, now, &a, &tampered, &cause),
	    LIB_REJECTED);
	ck_assert_int_eq(tampered, 1);
	ck_assert_ptr_nonnull(strstr(cause, "changed"));
	free(cause);
	/* A missing file too. */
	unlink(b.path);
	ck_assert_int_eq(lib_open_for_airing(f.lib, id, now, &a, &tampered, &cause),
	    LIB_REJECTED);
	ck_assert_int_eq(tampered, 1);
	free(cause);
	ck_assert_int_eq(lib_verify(f.lib, count_problem, &seen, &checked, &bad,
	    &cause), 0);
	ck_assert_int_eq(bad, 1);
	lib_bulletin_clear(&b);
	free(p);
	fx_close(&f);
}
END_TEST

/* The problems lib_verify names, as "ID:what" words in one string. */
static void
note_problem(const struct lib_problem *p, void *arg)
{
	char **seen = arg, *s;

	xasprintf(&s, "%s %lld:%s", *seen, (long long)p->id, p->what);
	free(*seen);
	*seen = s;
}

/* Runs the SQL fmt makes on the store behind the library's back, as its owner could. */
static void __attribute__((format(printf, 2, 3)))
edit_db(struct fx *f, const char *fmt, ...)
{
	char *sql, *err = NULL;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&sql, fmt, ap);
	va_end(ap);
	ck_assert_msg(sqlite3_exec(store_db(f->st), sql, NULL, NULL, &err) == SQLITE_OK,
	    "%s: %s", sql, err);
	free(sql);
}

/* Fails unless lib_verify names problem what for id, and nbad bulletins are bad. */
static void
expect_problem(struct fx *f, int64_t id, const char *what, size_t nbad)
{
	char *seen = xstrdup(""), *cause = NULL, want[64];
	size_t checked, bad;

	ck_assert_msg(lib_verify(f->lib, note_problem, &seen, &checked, &bad,
	    &cause) == 0, "%s", cause);
	snprintf(want, sizeof want, " %lld:%s", (long long)id, what);
	ck_assert_msg(bad == nbad && (nbad == 0 || strstr(seen, want) != NULL),
	    "want%s (%zu bad), got%s (%zu bad)", want, nbad, seen, bad);
	free(seen);
}

START_TEST(test_verify_database_edits)
{
	struct fx f;
	struct lib_bulletin b;
	char *cause = NULL, *p, *q;
	int64_t id, other;
	int existed;

	fx_open(&f);
	p = wav(f.dir, "a.wav", 2, 0.3, 440);
	q = wav(f.dir, "b.wav", 2, 0.3, 660);
	ck_assert_int_eq(imp(&f, p, NULL, 1, &id, &existed, &cause), 0);
	ck_assert_int_eq(imp(&f, q, NULL, 0, &other, &existed, &cause), 0);
	ck_assert_int_eq(lib_get(f.lib, other, &b, &cause), 0);
	expect_problem(&f, 0, "", 0);

	/* The file path moved to another bulletin's file: misfiled (and changed). */
	edit_db(&f, "CREATE TEMP TABLE keep AS SELECT * FROM bulletins");
	edit_db(&f, "UPDATE bulletins SET file = (SELECT file FROM bulletins WHERE "
	    "id = %lld) WHERE id = %lld", (long long)other, (long long)id);
	expect_problem(&f, id, "misfiled", 1);
	edit_db(&f, "UPDATE bulletins SET file = (SELECT file FROM keep "
	    "WHERE keep.id = bulletins.id)");

	/* The approved hash is another content's: the file still hashes right. */
	edit_db(&f, "UPDATE bulletins SET approved_sha256 = '%s' WHERE id = %lld",
	    b.sha256, (long long)id);
	expect_problem(&f, id, "approval", 1);
	edit_db(&f, "UPDATE bulletins SET approved_sha256 = sha256 WHERE "
	    "approved_sha256 IS NOT NULL");

	/* Approved in the table, not in the audit trail. */
	edit_db(&f, "UPDATE bulletins SET status = 'approved', approved_sha256 = "
	    "sha256, approved_by = 'x', approved_at = 1 WHERE id = %lld",
	    (long long)other);
	expect_problem(&f, other, "unaudited", 1);

	/* Its approval event deleted, the trigger dropped first. */
	edit_db(&f, "DROP TRIGGER bulletin_events_no_delete");
	edit_db(&f, "DELETE FROM bulletin_events WHERE action = 'approve' AND "
	    "bulletin_id = %lld", (long long)id);
	expect_problem(&f, id, "unaudited", 2);

	/* Retired, then put back to approved behind the workflow's back. */
	edit_db(&f, "UPDATE bulletins SET status = 'pending', approved_sha256 = NULL, "
	    "approved_by = NULL, approved_at = NULL");
	ck_assert_int_eq(lib_approve(f.lib, other, "A", &cause), 0);
	ck_assert_int_eq(lib_retire(f.lib, other, "A", "old", &cause), 0);
	expect_problem(&f, 0, "", 0);
	edit_db(&f, "UPDATE bulletins SET status = 'approved', approved_sha256 = "
	    "sha256 WHERE id = %lld", (long long)other);
	expect_problem(&f, other, "unaudited", 1);

	lib_bulletin_clear(&b);
	free(p);
	free(q);
	fx_close(&f);
}
END_TEST

/* Each package these tests write takes the next sequence number. */
static int64_t pkg_seq = 1000;

/* lib_package_create with the next sequence and no retirement. */
static int
pkg_create(const unsigned char sk[64], const struct lib_pkg_entry *ents, size_t n,
    const char *out, char **cause)
{
	struct lib_pkg_head head = { 1760000000, ++pkg_seq, NULL, 0 };

	return lib_package_create(sk, &head, ents, n, out, cause);
}

/*
 * Writes a signed package by hand: one entry named name with the metadata
 * lines meta, holding file's bytes.
 */
static char *
handmade_meta(const char *dir, const unsigned char sk[64], const char *name,
    const char *meta, const char *file)
{
	crypto_sign_state s;
	unsigned char sig[64];
	char b64[100], hex[65], *head, *path, *data, *cause = NULL;
	size_t len;
	FILE *fp;

	data = tu_read(file, &len);
	ck_assert_int_eq(lib_sha256_file(file, hex, &cause), 0);
	sodium_bin2base64(b64, sizeof b64, sk + 32, 32, sodium_base64_VARIANT_ORIGINAL);
	xasprintf(&head, "LOAXA-PACKAGE 2\nsigner %s\nsigned-at 1760000000\n"
	    "sequence %lld\nentries 1\n\nentry %zu %s %s\n%s\n", b64,
	    (long long)++pkg_seq, len, hex, name, meta);
	xasprintf(&path, "%s/handmade.lxp", dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	crypto_sign_init(&s);
	fputs(head, fp);
	crypto_sign_update(&s, (unsigned char *)head, strlen(head));
	fwrite(data, 1, len, fp);
	crypto_sign_update(&s, (unsigned char *)data, len);
	fputs("\nend\n", fp);
	crypto_sign_update(&s, (const unsigned char *)"\nend\n", 5);
	crypto_sign_final_create(&s, sig, NULL, sk);
	sodium_bin2base64(b64, sizeof b64, sig, 64, sodium_base64_VARIANT_ORIGINAL);
	fprintf(fp, "signature %s\n", b64);
	fclose(fp);
	free(head);
	free(data);
	return path;
}

/* handmade_meta with the topic cchc. */
static char *
handmade(const char *dir, const unsigned char sk[64], const char *name,
    const char *file)
{
	return handmade_meta(dir, sk, name, "topic cchc\n", file);
}

START_TEST(test_packages)
{
	static const char *const topics[] = { "cchc", "tthc", NULL };
	struct fx f;
	struct lib_pkg_entry ents[2];
	struct lib_pkg_result res;
	struct lib_trusted trusted[1], other[1];
	struct lib_bulletin b;
	struct lib_event *ev;
	unsigned char sk[64], pk[32], sk2[64], pk2[32];
	char *cause = NULL, *a, *c, *key, *pkg, *bad, *bytes, pub[64], *hm;
	size_t rows, files, len, i, n;
	struct stat sb;
	FILE *fp;
	long offsets[12];

	fx_open(&f);
	a = wav(f.dir, "tin-a.wav", 2, 0.3, 440);
	c = wav(f.dir, "tin-c.wav", 2, 0.3, 880);
	xasprintf(&key, "%s/district.key", f.dir);
	ck_assert_int_eq(lib_key_generate(key, pub, sizeof pub, &cause), 0);
	ck_assert_int_eq(stat(key, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(lib_key_generate(key, pub, sizeof pub, &cause), LIB_ERR);
	free(cause);
	ck_assert_int_eq(lib_key_read(key, sk, &cause), 0);
	ck_assert_int_eq(lib_key_decode(pub, pk), 0);
	ck_assert_int_eq(memcmp(pk, sk + 32, 32), 0);
	crypto_sign_keypair(pk2, sk2);
	trusted[0] = (struct lib_trusted){ "Kim Động", pk, 1 };
	other[0] = (struct lib_trusted){ "khác", pk2, 1 };

	memset(ents, 0, sizeof ents);
	ents[0].path = a;
	ents[0].meta.topic = "cchc";
	ents[0].meta.title = "Tin số 1";
	ents[1].path = c;
	ents[1].meta.topic = "tthc";
	ents[1].meta.priority = "priority";
	xasprintf(&pkg, "%s/p.lxp", f.dir);
	ck_assert_msg(pkg_create(sk, ents, 2, pkg, &cause) == 0, "%s", cause);

	/* Untrusted key: refused, nothing added. */
	ck_assert_int_eq(lib_package_import(f.lib, pkg, other, 1, topics, &res, &cause),
	    LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "unknown key"));
	free(cause);
	counts(&f, &rows, &files);
	ck_assert_int_eq(rows, 0);
	ck_assert_int_eq(files, 0);

	/* Forged: one byte flipped anywhere. */
	bytes = tu_read(pkg, &len);
	for (i = 0; i < 12; i++)
		offsets[i] = (long)(len * i / 12);
	offsets[11] = (long)len - 5;
	xasprintf(&bad, "%s/bad.lxp", f.dir);
	for (i = 0; i < 12; i++) {
		bytes[offsets[i]] ^= 0x04;
		ck_assert_ptr_nonnull(fp = fopen(bad, "wb"));
		fwrite(bytes, 1, len, fp);
		fclose(fp);
		bytes[offsets[i]] ^= 0x04;
		ck_assert_msg(lib_package_import(f.lib, bad, trusted, 1, topics, &res,
		    &cause) == LIB_REJECTED, "offset %ld accepted", offsets[i]);
		free(cause);
		counts(&f, &rows, &files);
		ck_assert_int_eq(rows, 0);
		ck_assert_int_eq(files, 0);
	}
	/* Truncated and unsigned. */
	ck_assert_ptr_nonnull(fp = fopen(bad, "wb"));
	fwrite(bytes, 1, len / 2, fp);
	fclose(fp);
	ck_assert_int_eq(lib_package_import(f.lib, bad, trusted, 1, topics, &res,
	    &cause), LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "truncated"));
	free(cause);
	{
		char *sigline = memmem(bytes, len, "\nend\nsignature ", 15);

		ck_assert_ptr_nonnull(sigline);
		ck_assert_ptr_nonnull(fp = fopen(bad, "wb"));
		fwrite(bytes, 1, (size_t)(sigline - bytes) + 5, fp);
		fclose(fp);
		ck_assert_int_eq(lib_package_import(f.lib, bad, trusted, 1, topics, &res,
		    &cause), LIB_REJECTED);
		ck_assert_ptr_nonnull(strstr(cause, "not signed"));
		free(cause);
	}
	free(bytes);

	/* Path traversal, even correctly signed by a trusted key. */
	hm = handmade(f.dir, sk, "../../etc/passwd.wav", a);
	ck_assert_int_eq(lib_package_import(f.lib, hm, trusted, 1, topics, &res,
	    &cause), LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "plain file name"));
	free(cause);
	free(hm);
	hm = handmade(f.dir, sk, "/tmp/x.wav", a);
	ck_assert_int_eq(lib_package_import(f.lib, hm, trusted, 1, topics, &res,
	    &cause), LIB_REJECTED);
	free(cause);
	/* The hand-made one with a plain name is accepted: the format is as written. */
	free(hm);
	hm = handmade(f.dir, sk, "ok.wav", c);
	counts(&f, &rows, &files);
	ck_assert_int_eq(rows, 0);
	ck_assert_int_eq(files, 0);

	/* Unknown topic at this station: refused. */
	{
		static const char *const few[] = { "cchc", NULL };

		ck_assert_int_eq(lib_package_import(f.lib, pkg, trusted, 1, few, &res,
		    &cause), LIB_REJECTED);
		ck_assert_ptr_nonnull(strstr(cause, "unknown topic 'tthc'"));
		free(cause);
	}

	/* A valid package from a trusted auto_approve key lands approved. */
	ck_assert_msg(lib_package_import(f.lib, pkg, trusted, 1, topics, &res,
	    &cause) == 0, "%s", cause);
	ck_assert_int_eq(res.n, 2);
	ck_assert_int_eq(res.approved, 1);
	ck_assert_int_eq(lib_get(f.lib, res.ids[0], &b, &cause), 0);
	ck_assert_str_eq(b.status, "approved");
	ck_assert_str_eq(b.title, "Tin số 1");
	ck_assert_str_eq(b.topic, "cchc");
	ck_assert_ptr_nonnull(strstr(b.approved_by, "Kim Động"));
	lib_bulletin_clear(&b);
	ck_assert_int_eq(lib_get(f.lib, res.ids[1], &b, &cause), 0);
	ck_assert_str_eq(b.priority, "priority");
	ck_assert_str_eq(b.title, "tin-c");
	lib_bulletin_clear(&b);
	ck_assert_int_eq(lib_events(f.lib, res.ids[0], &ev, &n, &cause), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(ev[1].action, "approve");
	lib_events_free(&ev, n);
	lib_pkg_result_clear(&res);
	ck_assert_msg(lib_package_import(f.lib, hm, trusted, 1, topics, &res,
	    &cause) == 0, "%s", cause);
	ck_assert_int_eq(res.existed[0], 1);
	lib_pkg_result_clear(&res);
	counts(&f, &rows, &files);
	ck_assert_int_eq(rows, 2);
	ck_assert_int_eq(files, 2);

	/* Packing refuses a bad file and writes nothing. */
	{
		char *silent = wav(f.dir, "silent.wav", 2, 0, 440), *out;

		ents[1].path = silent;
		xasprintf(&out, "%s/never.lxp", f.dir);
		ck_assert_int_eq(pkg_create(sk, ents, 2, out, &cause),
		    LIB_REJECTED);
		ck_assert_ptr_nonnull(strstr(cause, "silent"));
		free(cause);
		ck_assert_int_ne(access(out, F_OK), 0);
		free(out);
		free(silent);
	}
	free(hm);
	free(bad);
	free(pkg);
	free(key);
	free(a);
	free(c);
	fx_close(&f);
}
END_TEST

/* The tags of bulletin id, joined by spaces ("" for none); the caller frees it. */
static char *
tags_of(struct fx *f, int64_t id)
{
	struct lib_bulletin b;
	char *cause = NULL, *s = xstrdup(""), *t;
	size_t i;

	ck_assert_msg(lib_get(f->lib, id, &b, &cause) == 0, "%s", cause);
	for (i = 0; i < b.ntags; i++) {
		xasprintf(&t, "%s%s%s", s, i ? " " : "", b.tags[i]);
		free(s);
		s = t;
	}
	lib_bulletin_clear(&b);
	return s;
}

/*
 * Tags: what a tag is; import stores them (sorted, once each); the same
 * content imported again changes nothing until lib_tag_add adds the new
 * ones; a bulletin has at most LIB_TAGS_MAX; refusals add nothing.
 */
START_TEST(test_tags)
{
	static const char *const good[] = { "papi", "bau-cu-2026", "a", "x_1",
		"0123456789abcdefghijklmnopqrstuv" };
	static const char *const bad[] = { "", "Papi", "a b", "-a", "_a", "é",
		"0123456789abcdefghijklmnopqrstuvw", "a,b", "a\n" };
	const char *tags[] = { "papi", "bau-cu", "papi" }, *more[LIB_TAGS_MAX + 1];
	struct lib_meta m = { .tags = tags, .ntags = 3 };
	struct lib_bulletin *all;
	struct fx f;
	char *cause = NULL, *p, *q, *t, names[LIB_TAGS_MAX + 1][8];
	size_t i, n, added, rows, files;
	int64_t id, id2;
	int existed;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(tag_ok(good[i]), "%s", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!tag_ok(bad[i]), "%s", bad[i]);

	fx_open(&f);
	p = wav(f.dir, "a.wav", 2, 0.3, 440);
	q = wav(f.dir, "b.wav", 2, 0.3, 660);
	/* A bad tag: refused by name, nothing added. */
	tags[1] = "Bau-cu";
	ck_assert_int_eq(imp(&f, p, &m, 0, &id, &existed, &cause), LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "'Bau-cu' is not a tag"));
	free(cause);
	counts(&f, &rows, &files);
	ck_assert_uint_eq(rows, 0);
	ck_assert_uint_eq(files, 0);
	tags[1] = "bau-cu";
	ck_assert_msg(imp(&f, p, &m, 1, &id, &existed, &cause) == 0, "%s", cause);
	ck_assert_str_eq(t = tags_of(&f, id), "bau-cu papi");
	free(t);
	ck_assert_msg(imp(&f, q, NULL, 1, &id2, &existed, &cause) == 0, "%s", cause);
	ck_assert_str_eq(t = tags_of(&f, id2), "");
	free(t);
	ck_assert_int_eq(lib_list(f.lib, "approved", NULL, &all, &n, &cause), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(all[0].ntags, 2);
	ck_assert_str_eq(all[0].tags[1], "papi");
	ck_assert_uint_eq(all[1].ntags, 0);
	ck_assert_ptr_null(all[1].tags);
	lib_bulletins_free(&all, n);

	/* The same content again: lib_import leaves the tags to lib_tag_add. */
	tags[0] = "xa";
	m.ntags = 1;
	ck_assert_int_eq(imp(&f, p, &m, 0, &id2, &existed, &cause), 0);
	ck_assert_int_eq(existed, 1);
	ck_assert_int_eq(id2, id);
	ck_assert_str_eq(t = tags_of(&f, id), "bau-cu papi");
	free(t);
	ck_assert_int_eq(lib_tag_add(f.lib, id, tags, 3, "tester", &added, &cause), 0);
	ck_assert_uint_eq(added, 1); /* xa; it has the others */
	ck_assert_int_eq(lib_tag_add(f.lib, id, tags, 3, "tester", &added, &cause), 0);
	ck_assert_uint_eq(added, 0);
	ck_assert_str_eq(t = tags_of(&f, id), "bau-cu papi xa");
	free(t);

	/* At most LIB_TAGS_MAX: one too many refuses them all. */
	for (i = 0; i <= LIB_TAGS_MAX; i++) {
		snprintf(names[i], sizeof names[i], "t%zu", i);
		more[i] = names[i];
	}
	ck_assert_int_eq(lib_tag_add(f.lib, id, more, LIB_TAGS_MAX - 2, "tester",
	    &added, &cause), LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "at most 16"));
	free(cause);
	ck_assert_str_eq(t = tags_of(&f, id), "bau-cu papi xa");
	free(t);
	m.tags = more;
	m.ntags = LIB_TAGS_MAX + 1;
	ck_assert_int_eq(lib_check_meta(&m, &cause), LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "at most 16"));
	free(cause);
	ck_assert_int_eq(lib_tag_add(f.lib, id, more, 1, "tester", &added, &cause), 0);
	ck_assert_int_eq(lib_tag_add(f.lib, 99, more, 1, "tester", &added, &cause),
	    LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "no bulletin 99"));
	free(cause);
	ck_assert_int_eq(lib_tag_add(f.lib, id, bad + 1, 1, "tester", &added, &cause),
	    LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "'Papi' is not a tag"));
	free(cause);
	ck_assert_str_eq(t = tags_of(&f, id), "bau-cu papi t0 xa");
	free(t);
	free(p);
	free(q);
	fx_close(&f);
}
END_TEST

/*
 * Tags travel in packages: written only when there are some, stored on
 * import, added to content the station already has; a package whose tags
 * are not tags, or too many, is refused whole.
 */
START_TEST(test_package_tags)
{
	static const char *const topics[] = { "cchc", NULL };
	const char *tags[] = { "papi", "truyen-thong" }, *moi[] = { "moi" };
	struct lib_trusted trusted[1];
	struct lib_pkg_entry ents[2];
	struct lib_pkg_result res;
	unsigned char sk[64], pk[32];
	char *cause = NULL, *a, *c, *pkg, *bytes, *hm, *t;
	size_t len, rows, files;
	struct fx f;

	fx_open(&f);
	crypto_sign_keypair(pk, sk);
	trusted[0] = (struct lib_trusted){ "Kim Động", pk, 0 };
	a = wav(f.dir, "tin-a.wav", 2, 0.3, 440);
	c = wav(f.dir, "tin-c.wav", 2, 0.3, 880);
	memset(ents, 0, sizeof ents);
	ents[0].path = a;
	ents[1].path = c;
	xasprintf(&pkg, "%s/p.lxp", f.dir);
	/* Without tags, no tags line: what any loaxa reads. */
	ck_assert_msg(pkg_create(sk, ents, 2, pkg, &cause) == 0, "%s", cause);
	bytes = tu_read(pkg, &len);
	ck_assert_ptr_null(memmem(bytes, len, "\ntags", 5));
	free(bytes);
	ents[0].meta.tags = tags;
	ents[0].meta.ntags = 2;
	ck_assert_msg(pkg_create(sk, ents, 2, pkg, &cause) == 0, "%s", cause);
	bytes = tu_read(pkg, &len);
	ck_assert_ptr_nonnull(memmem(bytes, len, "\ntags papi truyen-thong\n", 24));
	free(bytes);
	ck_assert_msg(lib_package_import(f.lib, pkg, trusted, 1, topics, &res,
	    &cause) == 0, "%s", cause);
	ck_assert_str_eq(t = tags_of(&f, res.ids[0]), "papi truyen-thong");
	free(t);
	ck_assert_str_eq(t = tags_of(&f, res.ids[1]), "");
	free(t);
	lib_pkg_result_clear(&res);

	/* Content already here: it keeps its row and takes the new tags. */
	ents[0].meta.tags = moi;
	ents[0].meta.ntags = 1;
	ents[1].meta.tags = moi;
	ents[1].meta.ntags = 1;
	ck_assert_msg(pkg_create(sk, ents, 2, pkg, &cause) == 0, "%s", cause);
	ck_assert_msg(lib_package_import(f.lib, pkg, trusted, 1, topics, &res,
	    &cause) == 0, "%s", cause);
	ck_assert_int_eq(res.existed[0], 1);
	ck_assert_int_eq(res.existed[1], 1);
	ck_assert_str_eq(t = tags_of(&f, res.ids[0]), "moi papi truyen-thong");
	free(t);
	ck_assert_str_eq(t = tags_of(&f, res.ids[1]), "moi");
	free(t);
	lib_pkg_result_clear(&res);

	/* Packing refuses a bad tag. */
	tags[1] = "Truyen-thong";
	ents[0].meta.tags = tags;
	ents[0].meta.ntags = 2;
	ck_assert_int_eq(pkg_create(sk, ents, 1, pkg, &cause), LIB_REJECTED);
	ck_assert_ptr_nonnull(strstr(cause, "'Truyen-thong' is not a tag"));
	free(cause);

	/* Signed by a trusted key and still refused: not tags, too many, empty. */
	{
		static const char *const lines[][2] = {
			{ "tags papi Xa\n", "'Xa' is not a tag" },
			{ "tags a b c d e f g h i j k l m n o p q\n", "more than 16 tags" },
			{ "tags a  b\n", "'' is not a tag" },
			{ "tags \n", "'' is not a tag" },
			{ "tags papi\ntags xa\n", "repeated metadata" },
		};
		char *w = wav(f.dir, "new.wav", 2, 0.3, 550);
		size_t i;

		for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
			hm = handmade_meta(f.dir, sk, "new.wav", lines[i][0], w);
			ck_assert_int_eq(lib_package_import(f.lib, hm, trusted, 1, topics,
			    &res, &cause), LIB_REJECTED);
			ck_assert_msg(strstr(cause, lines[i][1]) != NULL, "%s", cause);
			free(cause);
			free(hm);
		}
		free(w);
	}
	counts(&f, &rows, &files);
	ck_assert_uint_eq(rows, 2);
	ck_assert_uint_eq(files, 2);
	free(pkg);
	free(a);
	free(c);
	fx_close(&f);
}
END_TEST

/*
 * A temporary file left by an import that died (nobody holds its lock) is
 * removed by the next lib_new; one an import is still writing is not.
 */
START_TEST(test_dead_temporaries_swept)
{
	struct fx f;
	struct library *again = NULL;
	char *dead, *live, *cause = NULL;
	size_t rows, files;
	int fd;

	fx_open(&f);
	xasprintf(&dead, "%s/bulletins/.tmp-Dead01.wav", f.data);
	ck_assert_int_ge(fd = open(dead, O_WRONLY | O_CREAT | O_EXCL, 0640), 0);
	ck_assert_int_eq(write(fd, "partial", 7), 7);
	close(fd);
	/* A live one: held under lock on another descriptor, as lib_tmp_open does. */
	xasprintf(&live, "%s/bulletins/.tmp-Live01.wav", f.data);
	ck_assert_int_ge(fd = open(live, O_WRONLY | O_CREAT | O_EXCL, 0640), 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	ck_assert_msg(lib_new(f.st, f.data, &again, &cause) == 0, "%s", cause);
	lib_free(&again);
	ck_assert_int_eq(access(dead, F_OK), -1);
	ck_assert_int_eq(access(live, F_OK), 0);
	close(fd);
	ck_assert_msg(lib_new(f.st, f.data, &again, &cause) == 0, "%s", cause);
	lib_free(&again);
	ck_assert_int_eq(access(live, F_OK), -1);
	counts(&f, &rows, &files);
	ck_assert_uint_eq(files, 0);
	free(dead);
	free(live);
	fx_close(&f);
}
END_TEST

START_TEST(test_trust_config)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	unsigned char pk[32], sk[64];
	char b64[64], *text;

	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(b64, sizeof b64, pk, 32, sodium_base64_VARIANT_ORIGINAL);
	xasprintf(&text, "trust = { districts = (\n"
	    "  { name = \"Kim Động\"; key = \"%s\"; auto_approve = true; },\n"
	    "  { name = \"B\"; key = \"not base64!\"; },\n"
	    "  { name = \"C\"; key = \"AAAA\"; } );\n"
	    "  stations = ( { code = \"HY\"; key = \"%s\"; } ); };\n"
	    "station = { code = \"HY\"; name = \"X\"; };\n", b64, b64);
	ck_assert_int_eq(conf_read_string(text, "t.conf", &c, &p), -1);
	ck_assert_int_eq(p.n, 2);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "t.conf:3: "));
	ck_assert_ptr_nonnull(strstr(p.lines[0], "not valid base64"));
	ck_assert_ptr_nonnull(strstr(p.lines[1], "t.conf:4: "));
	ck_assert_ptr_nonnull(strstr(p.lines[1], "32"));
	conf_problems_clear(&p);
	free(text);
	xasprintf(&text, "trust = { districts = ( { name = \"Kim Động\"; key = \"%s\"; "
	    "auto_approve = true; } ); };\nstation = { code = \"HY\"; name = \"X\"; };\n",
	    b64);
	ck_assert_int_eq(conf_read_string(text, "t.conf", &c, &p), 0);
	ck_assert_int_eq(c->trust.ndistricts, 1);
	ck_assert_int_eq(c->trust.districts[0].auto_approve, 1);
	ck_assert_int_eq(memcmp(c->trust.districts[0].key, pk, 32), 0);
	conf_free(&c);
	free(text);
}
END_TEST

/* Appends one row of a query to the dump in arg. */
static int
dump_row(void *arg, int n, char **v, char **names)
{
	char **s = arg, *t;
	int i;

	(void)names;
	for (i = 0; i < n; i++) {
		xasprintf(&t, "%s%s%s", *s, i ? "|" : "\n", v[i] ? v[i] : "NULL");
		free(*s);
		*s = t;
	}
	return 0;
}

/* Every row of the library's tables, as text; the caller frees it. */
static char *
dump(struct fx *f)
{
	char *s = xstrdup(""), *err = NULL;

	ck_assert_msg(sqlite3_exec(store_db(f->st), "SELECT * FROM bulletins ORDER BY id;"
	    "SELECT * FROM bulletin_events ORDER BY id;"
	    "SELECT * FROM bulletin_tags ORDER BY 1, 2;"
	    "SELECT * FROM signer_sequences ORDER BY 1, 2", dump_row, &s, &err) ==
	    SQLITE_OK, "%s", err);
	return s;
}

/* Signs ents and the retirements with sk as package seq, into out. */
static void
seq_pack(const unsigned char sk[64], int64_t seq, const struct lib_pkg_entry *ents,
    size_t n, const char *const *retire, size_t nretire, const char *out)
{
	struct lib_pkg_head head = { 1760000000 + seq, seq, retire, nretire };
	char *cause = NULL;

	ck_assert_msg(lib_package_create(sk, &head, ents, n, out, &cause) == 0, "%s",
	    cause);
}

/* The last audit event of bulletin id; the caller frees its fields' array. */
static void
last_event(struct fx *f, int64_t id, char **action, char **actor, char **reason)
{
	struct lib_event *ev;
	char *cause = NULL;
	size_t n;

	ck_assert_msg(lib_events(f->lib, id, &ev, &n, &cause) == 0, "%s", cause);
	ck_assert_uint_gt(n, 0);
	*action = xstrdup(ev[n - 1].action);
	*actor = xstrdup(ev[n - 1].actor);
	*reason = xstrdup(ev[n - 1].reason ? ev[n - 1].reason : "");
	lib_events_free(&ev, n);
}

/*
 * Package sequences: a replayed or older package is refused and changes no
 * row; a newer one corrects a bulletin's metadata or retires it (with an
 * audit event naming the district and the package), only for what that
 * district brought; each signer has its own sequence; format 1 is refused
 * with its own reason; a refusal's reason holds no control character; the
 * district's counter file gives each package the next number.
 */
START_TEST(test_package_sequence)
{
	static const char *const topics[] = { "cchc", NULL };
	struct lib_trusted trusted[2];
	struct lib_pkg_entry ents[2];
	struct lib_pkg_result res;
	struct lib_bulletin b;
	unsigned char sk[64], pk[32], sk2[64], pk2[32];
	char *cause = NULL, *a, *c, *p5, *p3, *p7, *p9, *p11, *q1, *before, *after;
	char *action, *actor, *reason, sha_a[65], sha_c[65], pub[64], *key, *ctr;
	const char *retire[2];
	size_t rows, files;
	int64_t id_a, id_c, seq;
	struct fx f;
	FILE *fp;

	fx_open(&f);
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	trusted[0] = (struct lib_trusted){ "Kim Động", pk, 1 };
	trusted[1] = (struct lib_trusted){ "Ân Thi", pk2, 1 };
	a = wav(f.dir, "tin-a.wav", 2, 0.3, 440);
	c = wav(f.dir, "tin-c.wav", 2, 0.3, 880);
	ck_assert_int_eq(lib_sha256_file(a, sha_a, &cause), 0);
	ck_assert_int_eq(lib_sha256_file(c, sha_c, &cause), 0);
	memset(ents, 0, sizeof ents);
	ents[0].path = a;
	ents[0].meta.title = "Tin 1";
	xasprintf(&p5, "%s/p5.lxp", f.dir);
	xasprintf(&p3, "%s/p3.lxp", f.dir);
	xasprintf(&p7, "%s/p7.lxp", f.dir);
	xasprintf(&p9, "%s/p9.lxp", f.dir);
	xasprintf(&p11, "%s/p11.lxp", f.dir);
	xasprintf(&q1, "%s/q1.lxp", f.dir);

	/* Package 5 brings A. */
	ents[0].meta.valid_until = "2026-06-30";
	ents[0].meta.min_airings = 2;
	seq_pack(sk, 5, ents, 1, NULL, 0, p5);
	ck_assert_msg(lib_package_import(f.lib, p5, trusted, 2, topics, &res,
	    &cause) == 0, "%s", cause);
	ck_assert_int_eq(res.sequence, 5);
	ck_assert_str_eq(res.what[0], "added");
	id_a = res.ids[0];
	lib_pkg_result_clear(&res);

	/* Replayed, then older (with new content): refused, not a row changed. */
	ents[0].meta.title = "Cũ";
	ents[1].path = c;
	seq_pack(sk, 3, ents, 2, NULL, 0, p3);
	before = dump(&f);
	ck_assert_int_eq(lib_package_import(f.lib, p5, trusted, 2, topics, &res,
	    &cause), LIB_REJECTED);
	ck_assert_str_eq(cause, "replayed or older than package 5 already imported");
	free(cause);
	ck_assert_int_eq(lib_package_import(f.lib, p3, trusted, 2, topics, &res,
	    &cause), LIB_REJECTED);
	ck_assert_str_eq(cause, "replayed or older than package 5 already imported");
	free(cause);
	ck_assert_str_eq(after = dump(&f), before);
	free(after);
	counts(&f, &rows, &files);
	ck_assert_uint_eq(rows, 1);
	ck_assert_uint_eq(files, 1);

	/* Package 7 corrects A's title, agency, validity and minimum. */
	ents[0].meta.title = "Tin 1 (sửa)";
	ents[0].meta.agency = "TT VH-TT&DL Kim Động";
	ents[0].meta.valid_until = "2026-07-31";
	ents[0].meta.min_airings = 3;
	seq_pack(sk, 7, ents, 1, NULL, 0, p7);
	ck_assert_msg(lib_package_import(f.lib, p7, trusted, 2, topics, &res,
	    &cause) == 0, "%s", cause);
	ck_assert_str_eq(res.what[0], "corrected");
	ck_assert_int_eq(res.ids[0], id_a);
	lib_pkg_result_clear(&res);
	ck_assert_int_eq(lib_get(f.lib, id_a, &b, &cause), 0);
	ck_assert_str_eq(b.title, "Tin 1 (sửa)");
	ck_assert_str_eq(b.agency, "TT VH-TT&DL Kim Động");
	ck_assert_str_eq(b.valid_until, "2026-07-31");
	ck_assert_int_eq(b.min_airings, 3);
	ck_assert_str_eq(b.status, "approved");
	lib_bulletin_clear(&b);
	last_event(&f, id_a, &action, &actor, &reason);
	ck_assert_str_eq(action, "correct");
	ck_assert_ptr_nonnull(strstr(actor, "Kim Động"));
	ck_assert_ptr_nonnull(strstr(reason, "package 7: title 'Tin 1' -> "
	    "'Tin 1 (sửa)'"));
	ck_assert_ptr_nonnull(strstr(reason, "until '2026-06-30' -> '2026-07-31'"));
	ck_assert_ptr_nonnull(strstr(reason, "min-airings '2' -> '3'"));
	free(action);
	free(actor);
	free(reason);

	/* Package 9 retires A, and content this station never had. */
	retire[0] = sha_a;
	retire[1] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	seq_pack(sk, 9, NULL, 0, retire, 2, p9);
	ck_assert_msg(lib_package_import(f.lib, p9, trusted, 2, topics, &res,
	    &cause) == 0, "%s", cause);
	ck_assert_str_eq(res.what[0], "retired");
	ck_assert_int_eq(res.ids[1], 0);
	ck_assert_ptr_nonnull(strstr(res.what[1], "nothing to retire"));
	lib_pkg_result_clear(&res);
	ck_assert_int_eq(lib_get(f.lib, id_a, &b, &cause), 0);
	ck_assert_str_eq(b.status, "retired");
	ck_assert_ptr_null(b.approved_sha256);
	lib_bulletin_clear(&b);
	last_event(&f, id_a, &action, &actor, &reason);
	ck_assert_str_eq(action, "retire");
	ck_assert_ptr_nonnull(strstr(actor, "Kim Động"));
	ck_assert_str_eq(reason, "package 9");
	free(action);
	free(actor);
	free(reason);

	/* Each signer has its own sequence; one cannot retire the other's. */
	ents[0].path = c;
	memset(&ents[0].meta, 0, sizeof ents[0].meta);
	seq_pack(sk, 11, ents, 1, NULL, 0, p11);
	ck_assert_msg(lib_package_import(f.lib, p11, trusted, 2, topics, &res,
	    &cause) == 0, "%s", cause);
	id_c = res.ids[0];
	lib_pkg_result_clear(&res);
	retire[0] = sha_c;
	seq_pack(sk2, 1, NULL, 0, retire, 1, q1);
	ck_assert_msg(lib_package_import(f.lib, q1, trusted, 2, topics, &res,
	    &cause) == 0, "%s", cause);
	ck_assert_ptr_nonnull(strstr(res.what[0], "not retired"));
	lib_pkg_result_clear(&res);
	ck_assert_int_eq(lib_get(f.lib, id_c, &b, &cause), 0);
	ck_assert_str_eq(b.status, "approved");
	lib_bulletin_clear(&b);

	/* Format 1, and a reason with a control character in it. */
	ck_assert_ptr_nonnull(fp = fopen(p3, "wb"));
	fputs("LOAXA-PACKAGE 1\nsigner x\n", fp);
	fclose(fp);
	ck_assert_int_eq(lib_package_import(f.lib, p3, trusted, 2, topics, &res,
	    &cause), LIB_REJECTED);
	ck_assert_str_eq(cause, "package format 1 is no longer accepted: ask the "
	    "district to pack it again");
	free(cause);
	{
		char *w = wav(f.dir, "new.wav", 2, 0.3, 550);
		char *hm = handmade_meta(f.dir, sk, "new.wav", "priority \033[2J\n", w);

		ck_assert_int_eq(lib_package_import(f.lib, hm, trusted, 2, topics, &res,
		    &cause), LIB_REJECTED);
		ck_assert_ptr_nonnull(strstr(cause, "unknown priority"));
		ck_assert_ptr_null(strchr(cause, '\033'));
		free(cause);
		free(hm);
		free(w);
	}

	/* The writer refuses what is not a SHA-256 to retire. */
	retire[0] = "ABC";
	{
		struct lib_pkg_head head = { 1, 20, retire, 1 };

		ck_assert_int_eq(lib_package_create(sk, &head, NULL, 0, p3, &cause),
		    LIB_REJECTED);
		ck_assert_ptr_nonnull(strstr(cause, "not a SHA-256"));
		free(cause);
	}

	/* The counter beside the key: starts at the time, then one more each. */
	xasprintf(&key, "%s/district.key", f.dir);
	xasprintf(&ctr, "%s.seq", key);
	ck_assert_int_eq(lib_key_generate(key, pub, sizeof pub, &cause), 0);
	ck_assert_int_eq(lib_pkg_sequence_next(key, 1760000000, &seq, &cause), 0);
	ck_assert_int_eq(seq, 1760000000);
	ck_assert_int_eq(lib_pkg_sequence_next(key, 5, &seq, &cause), 0);
	ck_assert_int_eq(seq, 1760000001);
	ck_assert_ptr_nonnull(fp = fopen(ctr, "w"));
	fputs("nonsense\n", fp);
	fclose(fp);
	ck_assert_int_eq(lib_pkg_sequence_next(key, 5, &seq, &cause), LIB_ERR);
	ck_assert_ptr_nonnull(strstr(cause, "not a package counter"));
	free(cause);

	free(before);
	free(key);
	free(ctr);
	free(p5);
	free(p3);
	free(p7);
	free(p9);
	free(p11);
	free(q1);
	free(a);
	free(c);
	fx_close(&f);
}
END_TEST

/*
 * A minimum number of airings is read alike from an option, a form and a
 * package: a whole number from 0 to 100000, nothing before or after it.
 */
START_TEST(test_min_airings_parse)
{
	static const char *const bad[] = { "", "x", "5x", "5 ", "-1", "100001",
		"99999999999999999999", "1.5" };
	size_t i;
	int n = -7;

	ck_assert_int_eq(lib_min_airings_parse("0", &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(lib_min_airings_parse("42", &n), 0);
	ck_assert_int_eq(n, 42);
	ck_assert_int_eq(lib_min_airings_parse("100000", &n), 0);
	ck_assert_int_eq(n, 100000);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = -7;
		ck_assert_msg(lib_min_airings_parse(bad[i], &n) == -1, "took '%s'", bad[i]);
		ck_assert_int_eq(n, -7);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("library");
	TCase *tc = tcase_create("library");
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return 1;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rejections_change_nothing);
	tcase_add_test(tc, test_mostly_silent);
	tcase_add_test(tc, test_double_import);
	tcase_add_test(tc, test_workflow_and_audit);
	tcase_add_test(tc, test_tampered_refused);
	tcase_add_test(tc, test_verify_database_edits);
	tcase_add_test(tc, test_packages);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_package_tags);
	tcase_add_test(tc, test_package_sequence);
	tcase_add_test(tc, test_trust_config);
	tcase_add_test(tc, test_dead_temporaries_swept);
	tcase_add_test(tc, test_min_airings_parse);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
