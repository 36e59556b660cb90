/*
 * Unit tests for the link's down direction: package chunks assembled (out
 * of order, twice, across a restart of the assembler on the same link.db,
 * a damaged chunk, a wrong total hash, an unsigned or foreign package) and
 * signed district commands (signing, an untrusted key, expired, forged,
 * replayed, for another station, for a group the station is in), the last
 * acting through a control socket played by a child process.
 */
#include <check.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "link/chunk.h"
#include "link/link.h"
#include "scheduler/control.h"
#include "tests/testutil.h"

/* A station with a link: its directories, link.db, the acks it published. */
struct fx {
	char *dir, *data, *inbox, *dbpath;
	struct config cfg;
	struct config_district district;
	unsigned char pk[32], sk[64];
	struct link_env env;
	char acks[16384];
	size_t nacks;
	const char *groups[2];
};

static int
fx_publish(void *arg, const char *sub, const void *data, size_t len, int qos,
    int retain)
{
	struct fx *f = arg;
	size_t room = sizeof f->acks - strlen(f->acks);

	ck_assert_str_eq(sub, "up/ack");
	ck_assert_int_eq(qos, 1);
	ck_assert_int_eq(retain, 0);
	ck_assert_uint_lt(len, room);
	strncat(f->acks, data, len);
	strcat(f->acks, "\n");
	f->nacks++;
	return 0;
}

static void
fx_opendb(struct fx *f)
{
	char *cause = NULL;

	ck_assert_int_eq(sqlite3_open(f->dbpath, &f->env.state), SQLITE_OK);
	ck_assert_msg(link_pkg_init(f->env.state, &cause) == 0, "%s", cause);
}

static void
fx_open(struct fx *f)
{
	memset(f, 0, sizeof *f);
	ck_assert_int_eq(sodium_init() >= 0, 1);
	f->dir = tu_tmpdir();
	xasprintf(&f->data, "%s/data", f->dir);
	xasprintf(&f->inbox, "%s/inbox", f->dir);
	xasprintf(&f->dbpath, "%s/link.db", f->dir);
	ck_assert_int_eq(mkdir(f->data, 0750), 0);
	ck_assert_int_eq(mkdir(f->inbox, 0750), 0);
	crypto_sign_keypair(f->pk, f->sk);
	f->district.name = (char *)"TT huyện";
	memcpy(f->district.key, f->pk, 32);
	f->cfg.station.code = (char *)"00001";
	f->cfg.station.timezone = (char *)"Asia/Ho_Chi_Minh";
	f->cfg.paths.data = f->data;
	f->cfg.paths.inbox = f->inbox;
	f->cfg.trust.districts = &f->district;
	f->cfg.trust.ndistricts = 1;
	f->groups[0] = "river";
	f->env.cfg = &f->cfg;
	f->env.inbox = f->inbox;
	f->env.publish = fx_publish;
	f->env.arg = f;
	f->env.groups = f->groups;
	f->env.ngroups = 1;
	fx_opendb(f);
}

static void
fx_close(struct fx *f)
{
	sqlite3_close(f->env.state);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->data);
	free(f->inbox);
	free(f->dbpath);
}

/* A package of one WAV signed with sk; its bytes in *pkg, SHA-256 in sha. */
static size_t
make_package(struct fx *f, const unsigned char *sk, unsigned char **pkg,
    char sha[65])
{
	struct lib_pkg_entry e = { 0 };
	struct lib_pkg_head head = { .signed_at = 1000, .sequence = 7 };
	char *out, *cause = NULL;
	size_t len;

	e.path = tu_wav(f->dir, "bulletin.wav", 3.0, 0.5, 440, 0);
	xasprintf(&out, "%s/p.lxp", f->dir);
	ck_assert_msg(lib_package_create(sk, &head, &e, 1, out, &cause) == 0, "%s",
	    cause);
	ck_assert_msg(lib_sha256_file(out, sha, &cause) == 0, "%s", cause);
	*pkg = (unsigned char *)tu_read(out, &len);
	ck_assert_ptr_nonnull(*pkg);
	unlink(out);
	free(out);
	free((char *)e.path);
	return len;
}

/* Sends chunk i of the package. */
static void
send_chunk(struct fx *f, const unsigned char *pkg, size_t size, const char *id,
    int64_t chunk, int64_t i)
{
	unsigned char *msg;
	size_t len = link_chunk_make(pkg, (int64_t)size, id, chunk, i, &msg);

	link_pkg_message(&f->env, msg, len);
	free(msg);
}

/* Whether the inbox holds SHA.lxp with the package's bytes. */
static int
in_inbox(struct fx *f, const char *sha, const unsigned char *pkg, size_t size)
{
	char *path, *got;
	size_t len = 0;
	int same;

	xasprintf(&path, "%s/%s.lxp", f->inbox, sha);
	got = tu_read(path, &len);
	same = got != NULL && len == size && memcmp(got, pkg, size) == 0;
	free(got);
	free(path);
	return same;
}

#define CHUNK 4096

START_TEST(pkg_out_of_order_and_twice)
{
	struct fx f;
	unsigned char *pkg;
	char sha[65];
	size_t size, n, i;

	fx_open(&f);
	size = make_package(&f, f.sk, &pkg, sha);
	n = (size + CHUNK - 1) / CHUNK;
	ck_assert_uint_gt(n, 3);
	/* Backwards, each one twice, the last one first. */
	for (i = n; i-- > 0; ) {
		send_chunk(&f, pkg, size, sha, CHUNK, (int64_t)i);
		if (i > 0)
			ck_assert_msg(!in_inbox(&f, sha, pkg, size), "early at %zu", i);
		send_chunk(&f, pkg, size, sha, CHUNK, (int64_t)i);
	}
	ck_assert(in_inbox(&f, sha, pkg, size));
	ck_assert_msg(strstr(f.acks, "\"ok\":true") != NULL, "%s", f.acks);
	ck_assert_msg(strstr(f.acks, "\"msg_id\":\"00001:package:") != NULL, "%s",
	    f.acks);
	ck_assert_uint_eq(f.nacks, 1);
	/* A late copy of the last chunk is acknowledged again, nothing else. */
	send_chunk(&f, pkg, size, sha, CHUNK, (int64_t)n - 1);
	send_chunk(&f, pkg, size, sha, CHUNK, 0);
	ck_assert_uint_eq(f.nacks, 2);
	free(pkg);
	fx_close(&f);
}
END_TEST

START_TEST(pkg_resumes_after_restart)
{
	struct fx f;
	unsigned char *pkg;
	char sha[65];
	sqlite3_stmt *q;
	size_t size, n, i;

	fx_open(&f);
	size = make_package(&f, f.sk, &pkg, sha);
	n = (size + CHUNK - 1) / CHUNK;
	for (i = 0; i < n / 2; i++)
		send_chunk(&f, pkg, size, sha, CHUNK, (int64_t)i);
	/* The link is killed: a new one opens the same link.db. */
	sqlite3_close(f.env.state);
	fx_opendb(&f);
	ck_assert_int_eq(sqlite3_prepare_v2(f.env.state, "SELECT count(*) FROM "
	    "link_chunks WHERE package = ?", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, sha, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int64(q, 0), (int64_t)(n / 2));
	sqlite3_finalize(q);
	/* Only the rest comes: what it had is not asked for again. */
	for (i = n / 2; i < n; i++)
		send_chunk(&f, pkg, size, sha, CHUNK, (int64_t)i);
	ck_assert(in_inbox(&f, sha, pkg, size));
	ck_assert_msg(strstr(f.acks, "\"ok\":true") != NULL, "%s", f.acks);
	free(pkg);
	fx_close(&f);
}
END_TEST

START_TEST(pkg_damaged_chunk_stays_missing)
{
	struct fx f;
	unsigned char *pkg, *msg;
	char sha[65];
	size_t size, n, i, len;

	fx_open(&f);
	size = make_package(&f, f.sk, &pkg, sha);
	n = (size + CHUNK - 1) / CHUNK;
	len = link_chunk_make(pkg, (int64_t)size, sha, CHUNK, 1, &msg);
	msg[len - 10] ^= 0x55; /* damaged on the way, its header intact */
	link_pkg_message(&f.env, msg, len);
	free(msg);
	for (i = 0; i < n; i++)
		if (i != 1)
			send_chunk(&f, pkg, size, sha, CHUNK, (int64_t)i);
	ck_assert(!in_inbox(&f, sha, pkg, size));
	ck_assert_uint_eq(f.nacks, 0);
	send_chunk(&f, pkg, size, sha, CHUNK, 1);
	ck_assert(in_inbox(&f, sha, pkg, size));
	ck_assert_uint_eq(f.nacks, 1);
	free(pkg);
	fx_close(&f);
}
END_TEST

START_TEST(pkg_wrong_total_hash_refused)
{
	struct fx f;
	unsigned char *pkg;
	char sha[65], wrong[65], *dir;
	size_t size, n, i;
	struct stat sb;

	fx_open(&f);
	size = make_package(&f, f.sk, &pkg, sha);
	n = (size + CHUNK - 1) / CHUNK;
	memcpy(wrong, sha, 65);
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	for (i = 0; i < n; i++)
		send_chunk(&f, pkg, size, wrong, CHUNK, (int64_t)i);
	ck_assert(!in_inbox(&f, wrong, pkg, size));
	ck_assert(!in_inbox(&f, sha, pkg, size));
	ck_assert_msg(strstr(f.acks, "\"ok\":false") != NULL &&
	    strstr(f.acks, "damaged") != NULL, "%s", f.acks);
	xasprintf(&dir, "%s/link/incoming/%s", f.data, wrong);
	ck_assert_int_ne(stat(dir, &sb), 0);
	free(dir);
	free(pkg);
	fx_close(&f);
}
END_TEST

START_TEST(pkg_foreign_signer_refused)
{
	struct fx f;
	unsigned char *pkg, pk[32], sk[64];
	char sha[65];
	size_t size, n, i;

	fx_open(&f);
	crypto_sign_keypair(pk, sk);
	size = make_package(&f, sk, &pkg, sha);
	n = (size + CHUNK - 1) / CHUNK;
	for (i = 0; i < n; i++)
		send_chunk(&f, pkg, size, sha, CHUNK, (int64_t)i);
	ck_assert(!in_inbox(&f, sha, pkg, size));
	ck_assert_msg(strstr(f.acks, "\"ok\":false") != NULL &&
	    strstr(f.acks, "trust.districts") != NULL, "%s", f.acks);
	free(pkg);
	fx_close(&f);
}
END_TEST

START_TEST(pkg_bounds)
{
	struct fx f;
	struct link_chunk c;
	char *msg, *cause = NULL;
	unsigned char *pkg;
	char sha[65], id[65];
	size_t size, k;

	fx_open(&f);
	xasprintf(&msg, "%s\npackage %064d\nsize %lld\nchunk-size 4\nindex 0\n"
	    "count 1\nsha256 %064d\n\nabcd", LINK_CHUNK_MAGIC, 0,
	    (long long)LINK_PKG_MAX + 1, 0);
	ck_assert_int_eq(link_chunk_parse(msg, strlen(msg), &c, &cause), -1);
	ck_assert_msg(strstr(cause, "above") != NULL, "%s", cause);
	free(cause);
	link_pkg_message(&f.env, msg, strlen(msg));
	ck_assert_msg(strstr(f.acks, "\"ok\":false") != NULL, "%s", f.acks);
	free(msg);
	/* Four packages in progress: a fifth is refused until one is done. */
	size = make_package(&f, f.sk, &pkg, sha);
	f.acks[0] = '\0';
	for (k = 0; k < 5; k++) {
		memcpy(id, sha, 65);
		id[63] = (char)('0' + k);
		send_chunk(&f, pkg, size, id, CHUNK, 0);
	}
	ck_assert_msg(strstr(f.acks, "in progress") != NULL, "%s", f.acks);
	free(pkg);
	fx_close(&f);
}
END_TEST

/* A command of action for the targets, signed with sk, expiring in ttl s. */
static char *
command(const unsigned char *sk, const char *action, const char *station,
    const char *group, int64_t seq, int64_t ttl, size_t *len)
{
	struct lib_cmd c = { 0 };
	char *st = (char *)station, *gr = (char *)group, *out = NULL, *cause = NULL;

	c.signed_at = (int64_t)time(NULL) - 60;
	c.expires = c.signed_at + ttl;
	c.sequence = seq;
	c.stations = station != NULL ? &st : NULL;
	c.nstations = station != NULL;
	c.groups = group != NULL ? &gr : NULL;
	c.ngroups = group != NULL;
	c.action = (char *)action;
	if (strcmp(action, "play") == 0) {
		c.bulletin = (char *)"12";
		c.priority = (char *)"emergency";
	}
	ck_assert_msg(lib_cmd_sign(sk, &c, &out, len, &cause) == 0, "%s", cause);
	return out;
}

START_TEST(cmd_sign_verify)
{
	struct fx f;
	struct lib_trusted tr = { "TT huyện", NULL, 0 };
	const struct lib_trusted *signer;
	struct lib_cmd c;
	unsigned char pk[32], sk[64];
	char *text, *cause = NULL;
	size_t len;
	int64_t now = (int64_t)time(NULL);

	fx_open(&f);
	tr.key = f.pk;
	text = command(f.sk, "play", "00001", "river", 5, 600, &len);
	ck_assert_msg(lib_cmd_verify(text, len, &tr, 1, now, &c, &signer, &cause) == 0,
	    "%s", cause);
	ck_assert_str_eq(c.action, "play");
	ck_assert_str_eq(c.bulletin, "12");
	ck_assert_str_eq(c.priority, "emergency");
	ck_assert_int_eq(c.sequence, 5);
	ck_assert_ptr_eq(signer, &tr);
	ck_assert(lib_cmd_for(&c, "00001", NULL, 0));
	ck_assert(!lib_cmd_for(&c, "00004", NULL, 0));
	ck_assert(lib_cmd_for(&c, "00004", f.groups, 1));
	lib_cmd_clear(&c);
	/* Expired. */
	ck_assert_int_eq(lib_cmd_verify(text, len, &tr, 1, now + 3600, &c, &signer,
	    &cause), LIB_REJECTED);
	ck_assert_msg(strstr(cause, "expired") != NULL, "%s", cause);
	free(cause);
	lib_cmd_clear(&c);
	/* Changed on the way: "12" to "13". */
	*strstr(text, "bulletin 12") = 'B';
	ck_assert_int_eq(lib_cmd_verify(text, len, &tr, 1, now, &c, &signer, &cause),
	    LIB_REJECTED);
	ck_assert_msg(strstr(cause, "forged") != NULL, "%s", cause);
	free(cause);
	lib_cmd_clear(&c);
	free(text);
	/* Signed by a key the station does not trust. */
	crypto_sign_keypair(pk, sk);
	text = command(sk, "stop", "00001", NULL, 6, 600, &len);
	ck_assert_int_eq(lib_cmd_verify(text, len, &tr, 1, now, &c, &signer, &cause),
	    LIB_REJECTED);
	ck_assert_msg(strstr(cause, "trust.districts") != NULL, "%s", cause);
	free(cause);
	lib_cmd_clear(&c);
	free(text);
	/* Without its signature. */
	text = command(f.sk, "stop", "00001", NULL, 6, 600, &len);
	*strstr(text, "signature ") = '\0';
	len = strlen(text);
	ck_assert_int_eq(lib_cmd_verify(text, len, &tr, 1, now, &c, &signer, &cause),
	    LIB_REJECTED);
	ck_assert_msg(strstr(cause, "not signed") != NULL, "%s", cause);
	free(cause);
	lib_cmd_clear(&c);
	free(text);
	fx_close(&f);
}
END_TEST

/* A timetable travels whole inside a command; a misplaced file is refused. */
START_TEST(cmd_timetable_text)
{
	static const char tt[] = "# lịch tuần\ntimetable = ( { name = \"Chiều\"; "
	    "days = \"daily\";\n  start = \"17:00\"; length = \"20m\"; "
	    "playlist = \"tin\"; } );\n";
	struct fx f;
	struct lib_trusted tr = { "TT huyện", NULL, 0 };
	const struct lib_trusted *signer;
	struct lib_cmd c = { 0 }, got;
	char *st = (char *)"00001", *text = NULL, *cause = NULL;
	size_t len;
	int64_t now = (int64_t)time(NULL);

	fx_open(&f);
	tr.key = f.pk;
	c.signed_at = now;
	c.expires = now + 600;
	c.sequence = 9;
	c.stations = &st;
	c.nstations = 1;
	c.action = (char *)"timetable";
	c.file = (char *)"lich-tuan.conf";
	c.timetable = (char *)tt;
	ck_assert_msg(lib_cmd_sign(f.sk, &c, &text, &len, &cause) == 0, "%s", cause);
	ck_assert_msg(lib_cmd_verify(text, len, &tr, 1, now, &got, &signer, &cause) == 0,
	    "%s", cause);
	ck_assert_str_eq(got.action, "timetable");
	ck_assert_str_eq(got.file, "lich-tuan.conf");
	ck_assert_str_eq(got.timetable, tt);
	lib_cmd_clear(&got);
	free(text);
	c.file = (char *)"../etc/loaxa.conf";
	ck_assert_int_eq(lib_cmd_sign(f.sk, &c, &text, &len, &cause), LIB_REJECTED);
	ck_assert_msg(strstr(cause, "file name") != NULL, "%s", cause);
	free(cause);
	/* A Vietnamese name travels with '-' for its spaces; bad text is named. */
	text = lib_cmd_file_name("/srv/huyen/lịch tuần 50.conf");
	ck_assert_str_eq(text, "lịch-tuần-50.conf");
	free(text);
	text = lib_cmd_file_name("a\tb\341c.conf");
	ck_assert_str_eq(text, "a-b-c.conf");
	free(text);
	text = lib_cmd_file_name("dir/");
	ck_assert_str_eq(text, "timetable.conf");
	free(text);
	c.file = (char *)"lich-tuan.conf";
	c.timetable = (char *)"timetable = ( );\n# l\341ch\n";
	ck_assert_int_eq(lib_cmd_sign(f.sk, &c, &text, &len, &cause), LIB_REJECTED);
	ck_assert_str_eq(cause, "lich-tuan.conf:2: not UTF-8 text: byte offset 20");
	free(cause);
	c.timetable = (char *)tt;
	c.action = (char *)"stop";
	ck_assert_int_eq(lib_cmd_sign(f.sk, &c, &text, &len, &cause), LIB_REJECTED);
	ck_assert_msg(strstr(cause, "only a timetable") != NULL, "%s", cause);
	free(cause);
	fx_close(&f);
}
END_TEST

/*
 * A child that plays the daemon's control socket for n requests, writing
 * each request line to DIR/requests and answering "0 ok".
 */
static pid_t
fake_daemon(struct fx *f, int n)
{
	struct sched_ctl_req r;
	char *path, *log, *cause = NULL;
	pid_t pid;
	FILE *out;
	int lfd, fd, i;

	xasprintf(&path, "%s/%s", f->data, SCHED_CTL_NAME);
	xasprintf(&log, "%s/requests", f->dir);
	ck_assert_msg(sched_ctl_listen(path, &lfd, &cause) == 0, "%s", cause);
	if ((pid = fork()) == 0) {
		for (i = 0; i < n; i++) {
			while ((fd = sched_ctl_accept(lfd, &cause)) < 0)
				usleep(10000);
			memset(&r, 0, sizeof r);
			r.fd = fd;
			while (sched_ctl_read_some(&r, &cause) == 0)
				usleep(1000);
			out = fopen(log, "a");
			fprintf(out, "%s\n", r.buf);
			fclose(out);
			sched_ctl_reply(fd, 0, "ok", NULL);
		}
		_exit(0);
	}
	close(lfd);
	free(path);
	free(log);
	return pid;
}

START_TEST(cmd_refused_and_accepted)
{
	struct fx f;
	char *text, *log, *req;
	size_t len;
	pid_t pid;
	int status;

	fx_open(&f);
	pid = fake_daemon(&f, 2);
	/* For another station. */
	text = command(f.sk, "stop", "00004", NULL, 10, 600, &len);
	link_cmd_message(&f.env, text, len);
	free(text);
	ck_assert_msg(strstr(f.acks, "not for this station") != NULL, "%s", f.acks);
	/* For a group this station is in: it plays, by the district. */
	text = command(f.sk, "play", "00004", "river", 11, 600, &len);
	link_cmd_message(&f.env, text, len);
	ck_assert_msg(strstr(f.acks, "\"ok\":true") != NULL, "%s", f.acks);
	/* The same again, and an older one: replayed. */
	f.acks[0] = '\0';
	link_cmd_message(&f.env, text, len);
	free(text);
	ck_assert_msg(strstr(f.acks, "replayed") != NULL, "%s", f.acks);
	f.acks[0] = '\0';
	text = command(f.sk, "stop", "00001", NULL, 9, 600, &len);
	link_cmd_message(&f.env, text, len);
	free(text);
	ck_assert_msg(strstr(f.acks, "replayed") != NULL, "%s", f.acks);
	/* Expired: refused, its sequence not taken; then a good stop. */
	f.acks[0] = '\0';
	text = command(f.sk, "stop", "00001", NULL, 12, 30, &len);
	link_cmd_message(&f.env, text, len);
	free(text);
	ck_assert_msg(strstr(f.acks, "expired") != NULL, "%s", f.acks);
	text = command(f.sk, "stop", "00001", NULL, 12, 600, &len);
	link_cmd_message(&f.env, text, len);
	free(text);
	ck_assert_msg(strstr(f.acks, "\"ok\":true") != NULL, "%s", f.acks);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	xasprintf(&log, "%s/requests", f.dir);
	req = tu_read(log, &len);
	ck_assert_ptr_nonnull(req);
	ck_assert_str_eq(req, "play 12 emergency by TT huyện\nstop\n");
	free(req);
	free(log);
	fx_close(&f);
}
END_TEST

/*
 * A timetable left half-applied (timetable.conf.prev beside it) is undone
 * at the link's start: the previous file back, or none when .prev is empty.
 */
START_TEST(cmd_timetable_undo)
{
	struct fx f;
	char *sub, *tt, *prev, *got;
	size_t len;

	fx_open(&f);
	xasprintf(&sub, "%s/link", f.data);
	ck_assert_int_eq(mkdir(sub, 0750), 0);
	/* Nothing unfinished: nothing changes. */
	free(tu_write(sub, "timetable.conf", "new"));
	link_cmd_undo(&f.env);
	xasprintf(&tt, "%s/timetable.conf", sub);
	xasprintf(&prev, "%s.prev", tt);
	got = tu_read(tt, &len);
	ck_assert_str_eq(got, "new");
	free(got);
	/* The previous file comes back. */
	free(tu_write(sub, "timetable.conf.prev", "old"));
	link_cmd_undo(&f.env);
	got = tu_read(tt, &len);
	ck_assert_str_eq(got, "old");
	free(got);
	ck_assert_int_ne(access(prev, F_OK), 0);
	/* There was none: the new one goes. */
	free(tu_write(sub, "timetable.conf.prev", ""));
	link_cmd_undo(&f.env);
	ck_assert_int_ne(access(tt, F_OK), 0);
	ck_assert_int_ne(access(prev, F_OK), 0);
	ck_assert_uint_eq(f.nacks, 0);
	free(prev);
	free(tt);
	free(sub);
	fx_close(&f);
}
END_TEST

Suite *link_suite(void);

Suite *
link_suite(void)
{
	Suite *s = suite_create("link");
	TCase *tc = tcase_create("down");

	tcase_add_test(tc, pkg_out_of_order_and_twice);
	tcase_add_test(tc, pkg_resumes_after_restart);
	tcase_add_test(tc, pkg_damaged_chunk_stays_missing);
	tcase_add_test(tc, pkg_wrong_total_hash_refused);
	tcase_add_test(tc, pkg_foreign_signer_refused);
	tcase_add_test(tc, pkg_bounds);
	tcase_add_test(tc, cmd_sign_verify);
	tcase_add_test(tc, cmd_timetable_text);
	tcase_add_test(tc, cmd_timetable_undo);
	tcase_add_test(tc, cmd_refused_and_accepted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(link_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
