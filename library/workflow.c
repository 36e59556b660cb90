/*
 * The approval workflow: pending, approved, rejected, retired, each move in
 * one transaction with its audit entry; approval re-hashes the file and
 * records what was approved; bulletins past their end date retire.
 */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

/*
 * Moves bulletin id from one of the states in from (NULL-terminated) to to,
 * in one transaction with its audit entry; with approve, re-hashes the file
 * and records what was approved.
 */
static int
transition(struct library *lib, int64_t id, const char *const *from, const char *to,
    const char *action, const char *actor, const char *reason, char **cause)
{
	struct lib_bulletin b;
	char hex[65], today[11], *err = NULL;
	const char *sha;
	int64_t now = lib_now_ms();
	sqlite3_stmt *q;
	size_t i;
	int rc, ok = 0;

	if (store_begin(lib->st, &err) != 0) {
		xasprintf(cause, _("database: %s"), err);
		free(err);
		return LIB_ERR;
	}
	if ((rc = lib_get(lib, id, &b, cause)) != 0) {
		store_rollback(lib->st);
		return rc;
	}
	for (i = 0; from[i] != NULL; i++)
		if (strcmp(b.status, from[i]) == 0)
			ok = 1;
	if (!ok) {
		if (strcmp(b.status, to) == 0)
			xasprintf(cause, _("bulletin %lld is already %s"), (long long)id,
			    lib_status_word(to));
		else
			xasprintf(cause, _("bulletin %lld is %s; it cannot be %s"),
			    (long long)id, lib_status_word(b.status),
			    lib_status_word(to));
		rc = LIB_REJECTED;
		goto fail;
	}
	sha = b.sha256;
	if (strcmp(action, "approve") == 0) {
		lib_date(now, today);
		if (b.valid_until != NULL && strcmp(b.valid_until, today) < 0) {
			xasprintf(cause, _("bulletin %lld was valid only until %s"),
			    (long long)id, b.valid_until);
			rc = LIB_REJECTED;
			goto fail;
		}
		if (lib_sha256_file(b.path, hex, &err) != 0) {
			xasprintf(cause, _("%s: %s; run 'loaxa verify-library'"), b.path, err);
			free(err);
			rc = LIB_REJECTED;
			goto fail;
		}
		if (strcmp(hex, b.sha256) != 0) {
			xasprintf(cause, _("%s: the stored file no longer matches what was "
			    "imported (SHA-256 %.12s..., expected %.12s...); it cannot be "
			    "approved"), b.path, hex, b.sha256);
			rc = LIB_REJECTED;
			goto fail;
		}
		rc = lib_prepare(lib, "UPDATE bulletins SET status = ?, approved_sha256 = ?, "
		    "approved_by = ?, approved_at = ? WHERE id = ?", &q, cause);
		if (rc != 0)
			goto fail;
		lib_bind_text(q, 1, to);
		lib_bind_text(q, 2, hex);
		lib_bind_text(q, 3, actor);
		sqlite3_bind_int64(q, 4, now);
		sqlite3_bind_int64(q, 5, id);
	} else {
		/* Leaving approved forgets what was approved: it must be approved again. */
		rc = lib_prepare(lib, "UPDATE bulletins SET status = ?, approved_sha256 = NULL, "
		    "approved_by = NULL, approved_at = NULL WHERE id = ?", &q, cause);
		if (rc != 0)
			goto fail;
		lib_bind_text(q, 1, to);
		sqlite3_bind_int64(q, 2, id);
	}
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, _("cannot change the bulletin"));
		rc = LIB_ERR;
		goto fail;
	}
	if ((rc = lib_event_add(lib, id, now, actor, action, b.status, to, reason, sha,
	    cause)) != 0)
		goto fail;
	if (store_commit(lib->st, &err) != 0) {
		xasprintf(cause, _("database: %s"), err);
		free(err);
		rc = LIB_ERR;
		goto fail;
	}
	lib_bulletin_clear(&b);
	return 0;
fail:
	store_rollback(lib->st);
	lib_bulletin_clear(&b);
	return rc;
}

/* pending or rejected -> approved, recording the SHA-256 approved. */
int
lib_approve(struct library *lib, int64_t id, const char *actor, char **cause)
{
	static const char *const from[] = { "pending", "rejected", NULL };

	return transition(lib, id, from, "approved", "approve", actor, NULL, cause);
}

/* pending or approved -> rejected, with the reason. */
int
lib_reject(struct library *lib, int64_t id, const char *actor, const char *reason,
    char **cause)
{
	static const char *const from[] = { "pending", "approved", NULL };

	if (reason == NULL || reason[0] == '\0' || !lib_text_ok(reason, 1000)) {
		xasprintf(cause, _("a rejection needs a reason (one line of text)"));
		return LIB_REJECTED;
	}
	return transition(lib, id, from, "rejected", "reject", actor, reason, cause);
}

/* Any state but retired -> retired. */
int
lib_retire(struct library *lib, int64_t id, const char *actor, const char *reason,
    char **cause)
{
	static const char *const from[] = { "pending", "approved", "rejected", NULL };

	if (reason != NULL && !lib_text_ok(reason, 1000)) {
		xasprintf(cause, _("the reason must be one line of text"));
		return LIB_REJECTED;
	}
	return transition(lib, id, from, "retired", "retire", actor, reason, cause);
}

/* Retires what expired before today, each with its own audit entry. */
int
lib_expire(struct library *lib, const char *today, int *count, char **cause)
{
	static const char *const from[] = { "pending", "approved", NULL };
	sqlite3_stmt *q;
	int64_t *ids = NULL;
	size_t n = 0, i;
	char *why;
	int rc;

	*count = 0;
	if (lib_prepare(lib, "SELECT id FROM bulletins WHERE status IN ('pending', "
	    "'approved') AND valid_until IS NOT NULL AND valid_until < ?", &q,
	    cause) != 0)
		return LIB_ERR;
	lib_bind_text(q, 1, today);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, _("database"));
		free(ids);
		return LIB_ERR;
	}
	for (i = 0; i < n; i++) {
		xasprintf(&why, "validity ended before %s", today);
		rc = transition(lib, ids[i], from, "retired", "expire", "loaxa", why,
		    cause);
		free(why);
		if (rc == LIB_ERR) {
			free(ids);
			return LIB_ERR;
		}
		if (rc == 0)
			(*count)++;
		else {
			free(*cause);
			*cause = NULL;
		}
	}
	free(ids);
	return 0;
}
