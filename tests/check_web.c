/*
 * Unit tests for web/ without a browser or a socket: accounts and their
 * Argon2id hashes, sessions through the store (open, look up, expire, end),
 * the CSRF check, the login rate limit, the path check, the web section's
 * configuration errors, and the hex helper the sessions use.
 */
#include <check.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"
#include "tests/testutil.h"
#include "web/internal.h"

/* A console with a store in a new directory and no listening socket. */
struct fixture {
	char *dir;
	struct web *w;
};

static void
fx_open(struct fixture *fx)
{
	char *cause = NULL, *data;
	int created;

	fx->dir = tu_tmpdir();
	xasprintf(&data, "%s/data", fx->dir);
	fx->w = xcalloc(1, sizeof *fx->w);
	ck_assert_msg(store_open_dir(data, &fx->w->st, &cause) == 0, "%s", cause);
	free(data);
	ck_assert_msg(web_user_add(fx->w->st, "duyet", "approver", "mat-khau-duyet",
	    &created, &cause) == 0, "%s", cause);
	ck_assert_int_eq(created, 1);
	ck_assert_msg(web_user_add(fx->w->st, "Nguyễn Văn A", "operator",
	    "mat-khau-vanhanh", &created, &cause) == 0, "%s", cause);
}

static void
fx_close(struct fixture *fx)
{
	store_close(&fx->w->st);
	free(fx->w);
	tu_rmtree(fx->dir);
	free(fx->dir);
}

/* The first column of the first row of sql with one text parameter, or NULL. */
static char *
query1(struct store *st, const char *sql, const char *arg)
{
	sqlite3_stmt *q;
	char *v = NULL;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	if (arg != NULL)
		sqlite3_bind_text(q, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		v = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

/* Sets when every session ends. */
static void
set_expiry(struct store *st, int64_t at)
{
	sqlite3_stmt *q;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "UPDATE web_sessions SET "
	    "expires_at = ?1", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, at);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
}

START_TEST(test_password_hash)
{
	struct fixture fx;
	char *hash, *cause = NULL;
	int created;

	fx_open(&fx);
	hash = query1(fx.w->st, "SELECT hash FROM web_users WHERE name = ?1", "duyet");
	ck_assert_ptr_nonnull(hash);
	/* An Argon2id string, never the password. */
	ck_assert_ptr_nonnull(strstr(hash, "$argon2id$"));
	ck_assert_ptr_null(strstr(hash, "mat-khau-duyet"));
	ck_assert_int_eq(crypto_pwhash_str_verify(hash, "mat-khau-duyet", 14), 0);
	ck_assert_int_ne(crypto_pwhash_str_verify(hash, "mat-khau-duyeT", 14), 0);
	/* Setting it again changes the salt, so the string. */
	ck_assert_int_eq(web_user_add(fx.w->st, "duyet", "approver", "mat-khau-duyet",
	    &created, &cause), 0);
	ck_assert_int_eq(created, 0);
	{
		char *again = query1(fx.w->st, "SELECT hash FROM web_users WHERE name = ?1",
		    "duyet");

		ck_assert_str_ne(again, hash);
		free(again);
	}
	free(hash);
	/* What an account may not be. */
	ck_assert_int_eq(web_user_add(fx.w->st, "x", "approver", "ngan", &created,
	    &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "8 to 1024 bytes"));
	free(cause);
	ck_assert_int_eq(web_user_add(fx.w->st, "x", "admin", "mat-khau-dai", &created,
	    &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, WEB_ROLES));
	free(cause);
	ck_assert_int_eq(web_user_add(fx.w->st, "a\nb", "viewer", "mat-khau-dai",
	    &created, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "one line"));
	free(cause);
	ck_assert_int_eq(web_user_add(fx.w->st, "", "viewer", "mat-khau-dai", &created,
	    &cause), -1);
	free(cause);
	fx_close(&fx);
}
END_TEST

START_TEST(test_login_and_session)
{
	struct fixture fx;
	struct web_user u;
	char token[65], token2[65], hash[65], *stored;
	const char *why = NULL;

	fx_open(&fx);
	ck_assert_int_eq(web_login(fx.w, "Nguyễn Văn A", "mat-khau-vanhanh", token, &why),
	    0);
	ck_assert_uint_eq(strlen(token), 64);
	ck_assert_int_eq(web_session(fx.w, token, &u), 0);
	ck_assert_str_eq(u.name, "Nguyễn Văn A");
	ck_assert_str_eq(u.role, "operator");
	ck_assert_uint_eq(strlen(u.csrf), 64);
	ck_assert(web_may_change(&u));
	ck_assert(!web_may_approve(&u));
	/* The store keeps the token's SHA-256, not the token. */
	hex_sha256(token, hash);
	stored = query1(fx.w->st, "SELECT user FROM web_sessions WHERE token_sha256 = ?1",
	    hash);
	ck_assert_ptr_nonnull(stored);
	free(stored);
	ck_assert_ptr_null(query1(fx.w->st, "SELECT user FROM web_sessions WHERE "
	    "token_sha256 = ?1", token));
	/* A second session has its own token and CSRF token. */
	ck_assert_int_eq(web_login(fx.w, "duyet", "mat-khau-duyet", token2, &why), 0);
	ck_assert_str_ne(token, token2);
	{
		struct web_user a;

		ck_assert_int_eq(web_session(fx.w, token2, &a), 0);
		ck_assert_str_eq(a.role, "approver");
		ck_assert(web_may_approve(&a));
		ck_assert_str_ne(a.csrf, u.csrf);
	}
	/* Unknown, short or changed tokens find nothing. */
	ck_assert_int_eq(web_session(fx.w, "", &u), -1);
	ck_assert_int_eq(web_session(fx.w, hash, &u), -1);
	token[0] = token[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(web_session(fx.w, token, &u), -1);
	/* Logging out ends that session only. */
	web_logout(fx.w, token2);
	ck_assert_int_eq(web_session(fx.w, token2, &u), -1);
	fx_close(&fx);
}
END_TEST

START_TEST(test_session_expiry)
{
	struct fixture fx;
	struct web_user u;
	char token[65], hash[65];
	const char *why = NULL;
	int created;
	char *cause = NULL;

	fx_open(&fx);
	ck_assert_int_eq(web_login(fx.w, "duyet", "mat-khau-duyet", token, &why), 0);
	hex_sha256(token, hash);
	ck_assert_int_eq(web_session(fx.w, token, &u), 0);
	set_expiry(fx.w->st, lib_now_ms() - 1);
	ck_assert_int_eq(web_session(fx.w, token, &u), -1);
	/* The next login clears sessions that ended. */
	ck_assert_int_eq(web_login(fx.w, "duyet", "mat-khau-duyet", token, &why), 0);
	ck_assert_ptr_null(query1(fx.w->st, "SELECT user FROM web_sessions WHERE "
	    "token_sha256 = ?1", hash));
	/* A new password ends the sessions of the old one. */
	ck_assert_int_eq(web_session(fx.w, token, &u), 0);
	ck_assert_int_eq(web_user_add(fx.w->st, "duyet", "approver", "mat-khau-moi",
	    &created, &cause), 0);
	ck_assert_int_eq(web_session(fx.w, token, &u), -1);
	fx_close(&fx);
}
END_TEST

START_TEST(test_session_length)
{
	struct fixture fx;
	char token[65], *left;
	const char *why = NULL;

	fx_open(&fx);
	ck_assert_int_eq(web_login(fx.w, "duyet", "mat-khau-duyet", token, &why), 0);
	left = query1(fx.w->st, "SELECT expires_at FROM web_sessions", NULL);
	ck_assert_ptr_nonnull(left);
	ck_assert(atoll(left) - lib_now_ms() > WEB_SESSION_MS - 600000LL);
	ck_assert(atoll(left) - lib_now_ms() <= WEB_SESSION_MS);
	free(left);
	fx_close(&fx);
}
END_TEST

START_TEST(test_csrf)
{
	struct web_req r;
	char other[65];

	memset(&r, 0, sizeof r);
	memset(r.user.csrf, 'a', 64);
	r.user.csrf[64] = '\0';
	/* No session, no field, a short, a wrong and the right token. */
	ck_assert(!web_csrf_ok(&r));
	r.have_user = 1;
	ck_assert(!web_csrf_ok(&r));
	r.fields[0].name = xstrdup("csrf");
	r.fields[0].value = xstrdup("aaaa");
	r.nfields = 1;
	ck_assert(!web_csrf_ok(&r));
	free(r.fields[0].value);
	memcpy(other, r.user.csrf, sizeof other);
	other[63] = 'b';
	r.fields[0].value = xstrdup(other);
	ck_assert(!web_csrf_ok(&r));
	free(r.fields[0].value);
	r.fields[0].value = xstrdup(r.user.csrf);
	ck_assert(web_csrf_ok(&r));
	/* A file field of that name is not the token. */
	r.fields[0].path = xstrdup("/nonexistent");
	ck_assert(!web_csrf_ok(&r));
	free(r.fields[0].path);
	r.fields[0].path = NULL;
	/* Nor is the token of a session that has gone. */
	r.have_user = 0;
	ck_assert(!web_csrf_ok(&r));
	free(r.fields[0].name);
	free(r.fields[0].value);
}
END_TEST

START_TEST(test_rate_limit)
{
	struct fixture fx;
	char token[65];
	const char *why = NULL;
	int i;

	fx_open(&fx);
	for (i = 0; i < WEB_FAIL_MAX; i++) {
		ck_assert_int_eq(web_login(fx.w, "duyet", "sai-mat-khau", token, &why), -1);
		ck_assert_str_eq(why, "Sai tên hoặc mật khẩu.");
	}
	/* Now even the right password waits a minute. */
	ck_assert_int_eq(web_login(fx.w, "duyet", "mat-khau-duyet", token, &why), 1);
	ck_assert_ptr_nonnull(strstr(why, "một phút"));
	/* Another name is not slowed down by it. */
	ck_assert_int_eq(web_login(fx.w, "Nguyễn Văn A", "mat-khau-vanhanh", token, &why),
	    0);
	/* A minute later (the window moved back) the name may try again. */
	for (i = 0; i < WEB_FAILS_KEPT; i++)
		if (strcmp(fx.w->fails[i].name, "duyet") == 0)
			fx.w->fails[i].first -= WEB_FAIL_WINDOW_MS;
	ck_assert_int_eq(web_login(fx.w, "duyet", "mat-khau-duyet", token, &why), 0);
	/* Unknown names count too, and a success resets the count. */
	for (i = 0; i < WEB_FAIL_MAX; i++)
		ck_assert_int_eq(web_login(fx.w, "khong-co", "x", token, &why), -1);
	ck_assert_int_eq(web_login(fx.w, "khong-co", "x", token, &why), 1);
	for (i = 0; i < WEB_FAIL_MAX - 1; i++)
		ck_assert_int_eq(web_login(fx.w, "duyet", "sai", token, &why), -1);
	ck_assert_int_eq(web_login(fx.w, "duyet", "mat-khau-duyet", token, &why), 0);
	ck_assert_int_eq(web_login(fx.w, "duyet", "sai", token, &why), -1);
	ck_assert_int_eq(web_login(fx.w, "duyet", "mat-khau-duyet", token, &why), 0);
	fx_close(&fx);
}
END_TEST

START_TEST(test_path)
{
	ck_assert(web_path_ok("/"));
	ck_assert(web_path_ok("/bulletins/12"));
	ck_assert(web_path_ok("/static/style.css"));
	ck_assert(web_path_ok("/bulletins/a.b"));
	ck_assert(!web_path_ok("/static/../loaxa.db"));
	ck_assert(!web_path_ok("/.."));
	ck_assert(!web_path_ok("/audio/..%2f"));
	ck_assert(!web_path_ok("/a\\b"));
	ck_assert(!web_path_ok("static/style.css"));
	ck_assert(!web_path_ok(""));
}
END_TEST

/* A station for the sections under test, on one line. */
#define STATION "station = { code = \"HY-KD-TT\"; name = \"Đài thử\"; };"

/* Reads text after STATION as web.conf; returns the problems' lines joined by '\n'. */
static char *
problems_of(const char *text)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *all = xstrdup(""), *next;
	size_t i;

	char *all_text;

	xasprintf(&all_text, "%s%s", STATION, text);
	if (conf_read_string(all_text, "web.conf", &c, &p) == 0)
		conf_free(&c);
	for (i = 0; i < p.n; i++) {
		xasprintf(&next, "%s%s\n", all, p.lines[i]);
		free(all);
		all = next;
	}
	conf_problems_clear(&p);
	free(all_text);
	return all;
}

START_TEST(test_config)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "web = {\n  port = 0; };",
		    "web.conf:2: 'port' is 0; it must be from 1 to 65535" },
		{ "web = {\n  port = \"8080\"; };", "web.conf:2: 'port' must be an integer" },
		{ "web = {\n\n  prot = 8080; };",
		    "web.conf:3: unknown setting 'prot' in web; did you mean 'port'?" },
		{ "web = { adress = \"127.0.0.1\"; };",
		    "web.conf:1: unknown setting 'adress' in web; did you mean 'address'?" },
		{ "web = { colour = 1; };", "unknown setting 'colour' in web\n" },
		{ "web = {\n address = \"localhost\"; };",
		    "web.conf:2: 'address' is \"localhost\"" },
		{ "web = {\n tls_key = \"/k.pem\"; };",
		    "web.conf:2: 'tls_cert' and 'tls_key' go together" },
		{ "web = {\n upload_max_mb = 4096; };", "web.conf:2: 'upload_max_mb' is 4096" },
		{ "web = 8080;", "web.conf:1: 'web' must be a group" },
	};
	struct config_problems p = { 0 };
	struct config *c = NULL;
	size_t i;
	char *s;

	/* The defaults, and a section that sets everything. */
	ck_assert_int_eq(conf_read_string(STATION, "web.conf", &c, &p), 0);
	ck_assert_str_eq(c->web.address, "127.0.0.1");
	ck_assert_int_eq(c->web.port, 8080);
	conf_free(&c);
	ck_assert_int_eq(conf_read_string(STATION "web = { address = \"::1\"; port = 8443;\n"
	    "  tls_cert = \"/c.pem\"; tls_key = \"/k.pem\"; upload_max_mb = 5; };",
	    "web.conf", &c, &p), 0);
	ck_assert_str_eq(c->web.address, "::1");
	ck_assert_int_eq(c->web.port, 8443);
	ck_assert_int_eq(c->web.upload_max_mb, 5);
	ck_assert_str_eq(c->web.tls_key, "/k.pem");
	conf_free(&c);
	/* Each problem with its file and line. */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		s = problems_of(bad[i].text);
		ck_assert_msg(strstr(s, bad[i].want) != NULL, "%s: %s", bad[i].text, s);
		free(s);
	}
}
END_TEST

START_TEST(test_hex)
{
	static const unsigned char b[] = { 0x00, 0x0f, 0xa0, 0xff };
	char out[9], h[65];

	hex_encode(b, sizeof b, out);
	ck_assert_str_eq(out, "000fa0ff");
	hex_encode(b, 0, out);
	ck_assert_str_eq(out, "");
	hex_sha256("abc", h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_sha256("", h);
	ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("web");
	TCase *tc = tcase_create("web");
	SRunner *sr;
	int failed;

	/* Argon2id at the interactive limits takes a moment per hash. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_password_hash);
	tcase_add_test(tc, test_login_and_session);
	tcase_add_test(tc, test_session_expiry);
	tcase_add_test(tc, test_session_length);
	tcase_add_test(tc, test_csrf);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
