/*
 * Accounts, sessions and the login rate limit. Passwords are kept as
 * libsodium's Argon2id strings (crypto_pwhash_str); a session is a random
 * token in an HttpOnly, SameSite=Strict cookie, of which the store keeps only
 * the SHA-256, with a random CSRF token every form of the session carries.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "library/library.h"
#include "store/store.h"
#include "web/internal.h"

int
web_role_valid(const char *role)
{
	return role != NULL && (strcmp(role, "operator") == 0 ||
	    strcmp(role, "approver") == 0 || strcmp(role, "viewer") == 0);
}

/* 32 random bytes as hex. */
static void
auth_random(char out[65])
{
	unsigned char b[32];

	randombytes_buf(b, sizeof b);
	hex_encode(b, sizeof b, out);
}

int
web_user_add(struct store *st, const char *name, const char *role,
    const char *password, int *created, char **cause)
{
	char hash[crypto_pwhash_STRBYTES];
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	int rc;

	if (!lib_text_ok(name, 64) || name[0] == '\0') {
		xasprintf(cause, _("an account name is UTF-8 text on one line, 1 to 64 bytes"));
		return -1;
	}
	if (!web_role_valid(role)) {
		xasprintf(cause, _("the role is %s, not '%s'"), WEB_ROLES, role);
		return -1;
	}
	if (strlen(password) < 8 || strlen(password) > 1024) {
		xasprintf(cause, _("a password has 8 to 1024 bytes"));
		return -1;
	}
	if (sodium_init() < 0 || crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		xasprintf(cause, _("hashing the password failed (out of memory)"));
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM web_users WHERE name = ?1", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	*created = sqlite3_step(s) != SQLITE_ROW;
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "INSERT INTO web_users (name, role, hash, "
	    "created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET "
	    "role = excluded.role, hash = excluded.hash", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, lib_now_ms());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	/* A new password ends the sessions opened with the old one. */
	if (sqlite3_prepare_v2(db, "DELETE FROM web_sessions WHERE user = ?1", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	*cause = store_error(st, "web account");
	return -1;
}

/* The rate-limit slot of name (a free or the oldest one when it has none). */
static struct web_fail *
auth_fail_slot(struct web *w, const char *name, int64_t now)
{
	struct web_fail *f, *oldest = &w->fails[0];
	size_t i;

	for (i = 0; i < WEB_FAILS_KEPT; i++) {
		f = &w->fails[i];
		if (strcmp(f->name, name) == 0)
			return f;
		if (f->first < oldest->first)
			oldest = f;
	}
	f = oldest;
	if (now - f->first < WEB_FAIL_WINDOW_MS && f->count > 0 && f->name[0] != '\0' &&
	    f->count >= WEB_FAIL_MAX)
		return f; /* every slot is slowing a name down: share the oldest */
	snprintf(f->name, sizeof f->name, "%s", name);
	f->count = 0;
	f->first = now;
	return f;
}

/*
 * Checks name and password; on success, opens a session and puts its token
 * in token. Returns 0, 1 when the name is slowed down (too many failures in
 * the last minute, whatever the password), -1 for a wrong name or password;
 * *why is a message for the login page.
 */
int
web_login(struct web *w, const char *name, const char *password, char token[65],
    const char **why)
{
	sqlite3 *db = store_db(w->st);
	sqlite3_stmt *s = NULL;
	char hash[65], csrf[65], stored[crypto_pwhash_STRBYTES] = "";
	int64_t now = lib_now_ms();
	struct web_fail *f;
	int ok = 0, rc;

	if (strlen(name) > 64) {
		*why = "Sai tên hoặc mật khẩu.";
		return -1;
	}
	f = auth_fail_slot(w, name, now);
	if (now - f->first >= WEB_FAIL_WINDOW_MS) {
		f->count = 0;
		f->first = now;
	}
	if (f->count >= WEB_FAIL_MAX) {
		*why = "Sai quá nhiều lần: tên này bị khóa một phút, hãy thử lại sau.";
		return 1;
	}
	if (sodium_init() >= 0 && sqlite3_prepare_v2(db, "SELECT hash FROM web_users "
	    "WHERE name = ?1", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
			snprintf(stored, sizeof stored, "%s",
			    (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	if (stored[0] != '\0')
		ok = crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
	if (!ok) {
		if (f->count++ == 0)
			f->first = now;
		*why = "Sai tên hoặc mật khẩu.";
		return -1;
	}
	f->count = 0;
	auth_random(token);
	auth_random(csrf);
	hex_sha256(token, hash);
	if (sqlite3_prepare_v2(db, "INSERT INTO web_sessions (token_sha256, user, csrf, "
	    "expires_at) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK) {
		*why = "Không ghi được phiên đăng nhập.";
		return -1;
	}
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now + WEB_SESSION_MS);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*why = "Không ghi được phiên đăng nhập.";
		return -1;
	}
	/* Sessions that ended go when a new one starts. */
	if (sqlite3_prepare_v2(db, "DELETE FROM web_sessions WHERE expires_at < ?1",
	    -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, now);
		sqlite3_step(s);
		sqlite3_finalize(s);
	}
	return 0;
}

/* Fills *u with the account of a live session token; -1 when there is none. */
int
web_session(struct web *w, const char *token, struct web_user *u)
{
	sqlite3_stmt *s = NULL;
	char hash[65];
	int rc = -1;

	if (strlen(token) != 64)
		return -1;
	hex_sha256(token, hash);
	if (sqlite3_prepare_v2(store_db(w->st), "SELECT s.user, u.role, s.csrf FROM "
	    "web_sessions s JOIN web_users u ON u.name = s.user WHERE "
	    "s.token_sha256 = ?1 AND s.expires_at > ?2", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, lib_now_ms());
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(u->name, sizeof u->name, "%s", sqlite3_column_text(s, 0));
		snprintf(u->role, sizeof u->role, "%s", sqlite3_column_text(s, 1));
		snprintf(u->csrf, sizeof u->csrf, "%s", sqlite3_column_text(s, 2));
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

void
web_logout(struct web *w, const char *token)
{
	sqlite3_stmt *s = NULL;
	char hash[65];

	if (token == NULL || strlen(token) != 64)
		return;
	hex_sha256(token, hash);
	if (sqlite3_prepare_v2(store_db(w->st), "DELETE FROM web_sessions WHERE "
	    "token_sha256 = ?1", -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_step(s);
	sqlite3_finalize(s);
}

/* Whether the form carries this session's CSRF token. */
int
web_csrf_ok(const struct web_req *r)
{
	const char *t = web_field(r, "csrf");

	return r->have_user && t != NULL && strlen(t) == 64 &&
	    sodium_memcmp(t, r->user.csrf, 64) == 0;
}

int
web_may_change(const struct web_user *u)
{
	return strcmp(u->role, "viewer") != 0;
}

int
web_may_approve(const struct web_user *u)
{
	return strcmp(u->role, "approver") == 0;
}
