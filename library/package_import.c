/*
 * Importing a district package (the format is described in package.c): the
 * reader's two passes, the checks of each entry as an import would make
 * them, and what the entries do to the library in one transaction: add
 * new content, correct or retire what the district brought.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/file.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "library/internal.h"
#include "store/store.h"

/* Frees what a package import returned. */
void
lib_pkg_result_clear(struct lib_pkg_result *res)
{
	free(res->signer);
	free(res->ids);
	free(res->existed);
	free(res->what);
	memset(res, 0, sizeof *res);
}

/* Builds the metadata of an entry; topic must be among topics. */
static int
pkg_meta(const struct lib_pkg_item *e, const char *const *topics, struct lib_meta *m,
    char **cause)
{
	char *end, *list, *why = NULL;
	size_t i;
	int known = 0;

	memset(m, 0, sizeof *m);
	m->title = e->meta[LIB_PKG_TITLE];
	m->topic = e->meta[LIB_PKG_TOPIC];
	m->agency = e->meta[LIB_PKG_AGENCY];
	m->valid_from = e->meta[LIB_PKG_FROM];
	m->valid_until = e->meta[LIB_PKG_UNTIL];
	m->priority = e->meta[LIB_PKG_PRIORITY];
	m->tags = (const char *const *)e->tags;
	m->ntags = e->ntags;
	if (e->meta[LIB_PKG_MIN_AIRINGS] != NULL &&
	    lib_min_airings_parse(e->meta[LIB_PKG_MIN_AIRINGS], &m->min_airings) != 0) {
		xasprintf(cause, _("entry '%s': bad min-airings"), e->name);
		return LIB_REJECTED;
	}
	if (m->topic != NULL && topics != NULL) {
		for (i = 0; topics[i] != NULL; i++)
			known |= strcmp(topics[i], m->topic) == 0;
		if (!known) {
			list = xstrdup("");
			for (i = 0; topics[i] != NULL; i++) {
				xasprintf(&end, "%s%s %s", list, i ? "," : "", topics[i]);
				free(list);
				list = end;
			}
			xasprintf(cause, _("entry '%s': unknown topic '%s' (this station "
			    "knows:%s)"), e->name, m->topic, list);
			free(list);
			return LIB_REJECTED;
		}
	}
	if (lib_check_meta(m, &why) != 0) {
		xasprintf(cause, _("entry '%s': %s"), e->name, why);
		free(why);
		return LIB_REJECTED;
	}
	return 0;
}

/*
 * Whether the bulletin directory has room for size bytes of audio and still
 * LIB_PKG_RESERVE to spare, so that an import never takes the space the
 * airing log needs. LIB_ERR with *cause when not: an operational problem,
 * the package itself may be fine.
 */
static int
pkg_space(const struct library *lib, off_t size, char **cause)
{
	struct statvfs vfs;
	int64_t avail;

	if (statvfs(lib->filesdir, &vfs) != 0)
		return 0; /* unknown: the writes will say */
	avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
	if ((int64_t)size + LIB_PKG_RESERVE <= avail)
		return 0;
	xasprintf(cause, _("not enough space in %s: the package needs %lld MB and "
	    "%lld MB are free (%lld MB are kept for the airing log)"), lib->filesdir,
	    (long long)(size >> 20) + 1, (long long)(avail >> 20),
	    (long long)(LIB_PKG_RESERVE >> 20));
	return LIB_ERR;
}

/* Whether this district brought bulletin id: its import event is actor's. */
static int
pkg_ours(struct library *lib, int64_t id, const char *actor, int *ours,
    char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (lib_prepare(lib, "SELECT 1 FROM bulletin_events WHERE bulletin_id = ? "
	    "AND action = 'import' AND actor = ?", &q, cause) != 0)
		return LIB_ERR;
	sqlite3_bind_int64(q, 1, id);
	lib_bind_text(q, 2, actor);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = store_error(lib->st, _("database"));
		return LIB_ERR;
	}
	*ours = rc == SQLITE_ROW;
	return 0;
}

/* Adds "name 'old' -> 'new'" to *reason when new is given and is not old. */
static void
pkg_change(char **reason, const char *name, const char *old, const char *new)
{
	char *t;

	if (new == NULL || (old != NULL && strcmp(old, new) == 0))
		return;
	xasprintf(&t, "%s%s%s %s%s%s -> '%s'", *reason != NULL ? *reason : "",
	    *reason != NULL ? ", " : "", name, old != NULL ? "'" : "",
	    old != NULL ? old : "none", old != NULL ? "'" : "", new);
	free(*reason);
	*reason = t;
}

/*
 * Corrects bulletin b to the title, agency, validity and minimum airings
 * that entry e gives (metadata m), with a 'correct' audit event naming the
 * package, inside the caller's transaction; *changed is set when anything
 * changed. LIB_REJECTED when the validity would end before it starts.
 */
static int
pkg_correct(struct library *lib, const struct lib_bulletin *b,
    const struct lib_pkg_item *e, const struct lib_meta *m, const char *actor,
    const char *pkgname, int *changed, char **cause)
{
	const char *from = m->valid_from != NULL ? m->valid_from : b->valid_from;
	const char *until = m->valid_until != NULL ? m->valid_until : b->valid_until;
	int min = e->meta[LIB_PKG_MIN_AIRINGS] != NULL ? m->min_airings : b->min_airings;
	char *reason = NULL, *t, was[16], now[16];
	sqlite3_stmt *q;
	int rc;

	pkg_change(&reason, "title", b->title, m->title);
	pkg_change(&reason, "agency", b->agency, m->agency);
	pkg_change(&reason, "from", b->valid_from, m->valid_from);
	pkg_change(&reason, "until", b->valid_until, m->valid_until);
	snprintf(was, sizeof was, "%d", b->min_airings);
	snprintf(now, sizeof now, "%d", min);
	pkg_change(&reason, "min-airings", was, now);
	if (reason == NULL)
		return 0;
	if (from != NULL && until != NULL && strcmp(from, until) > 0) {
		xasprintf(cause, _("entry '%s': the corrected validity would end (%s) "
		    "before it starts (%s)"), e->name, until, from);
		free(reason);
		return LIB_REJECTED;
	}
	if (lib_prepare(lib, "UPDATE bulletins SET title = ?, agency = ?, valid_from = ?, "
	    "valid_until = ?, min_airings = ? WHERE id = ?", &q, cause) != 0) {
		free(reason);
		return LIB_ERR;
	}
	lib_bind_text(q, 1, m->title != NULL ? m->title : b->title);
	lib_bind_text(q, 2, m->agency != NULL ? m->agency : b->agency);
	lib_bind_text(q, 3, from);
	lib_bind_text(q, 4, until);
	sqlite3_bind_int(q, 5, min);
	sqlite3_bind_int64(q, 6, b->id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(reason);
		*cause = store_error(lib->st, _("cannot correct the bulletin"));
		return LIB_ERR;
	}
	xasprintf(&t, "%s: %s", pkgname, reason);
	free(reason);
	rc = lib_event_add(lib, b->id, lib_now_ms(), actor, "correct", b->status,
	    b->status, t, b->sha256, cause);
	free(t);
	*changed = rc == 0;
	return rc;
}

/*
 * Retires bulletin b for the package, with its audit event, inside the
 * caller's transaction. Like lib_retire, it forgets what was approved.
 */
static int
pkg_retire(struct library *lib, const struct lib_bulletin *b, const char *actor,
    const char *pkgname, char **cause)
{
	sqlite3_stmt *q;
	int rc;

	if (lib_prepare(lib, "UPDATE bulletins SET status = 'retired', approved_sha256 "
	    "= NULL, approved_by = NULL, approved_at = NULL WHERE id = ?", &q,
	    cause) != 0)
		return LIB_ERR;
	sqlite3_bind_int64(q, 1, b->id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		*cause = store_error(lib->st, _("cannot retire the bulletin"));
		return LIB_ERR;
	}
	return lib_event_add(lib, b->id, lib_now_ms(), actor, "retire", b->status,
	    "retired", pkgname, b->sha256, cause);
}

/*
 * What entry e does to bulletin id, content the library has, inside the
 * caller's transaction: an entry adds its tags and corrects the metadata,
 * a retirement retires it; only what this district (actor) brought is
 * corrected or retired. *what says which.
 */
static int
pkg_existing(struct library *lib, int64_t id, const struct lib_pkg_item *e,
    const struct lib_meta *m, const char *actor, const char *pkgname,
    const char **what, char **cause)
{
	struct lib_bulletin b;
	char *why;
	int ours = 0, changed = 0, rc;

	*what = _("already in the library");
	if (!e->retire && (rc = lib_tags_insert(lib, id, m->tags, m->ntags, actor,
	    NULL, cause)) != 0) {
		if (rc == LIB_REJECTED) {
			why = *cause;
			xasprintf(cause, _("entry '%s': %s"), e->name, why);
			free(why);
		}
		return rc;
	}
	if ((rc = pkg_ours(lib, id, actor, &ours, cause)) != 0 ||
	    (rc = lib_get(lib, id, &b, cause)) != 0)
		return rc == LIB_REJECTED ? LIB_ERR : rc;
	if (!e->retire && ours) {
		rc = pkg_correct(lib, &b, e, m, actor, pkgname, &changed, cause);
		if (changed)
			*what = _("corrected");
	} else if (e->retire && !ours)
		*what = _("not retired (not brought by this district)");
	else if (e->retire && strcmp(b.status, "retired") == 0)
		*what = _("already retired");
	else if (e->retire && (rc = pkg_retire(lib, &b, actor, pkgname, cause)) == 0)
		*what = _("retired");
	lib_bulletin_clear(&b);
	return rc;
}

/*
 * Adds, corrects and retires what the n entries say, in one transaction
 * that first takes the package's sequence from its signer (so that of two
 * imports of one package at once, one is refused). res gets the outcome.
 */
static int
pkg_apply(struct library *lib, const char *path, const struct lib_trusted *signer,
    struct lib_pkg_item *ents, size_t n, const char *const *topics,
    struct lib_pkg_result *res, char **cause)
{
	char *end, *actor = NULL, *source = NULL, *err = NULL, *title, pkgname[32];
	struct lib_meta m;
	size_t i;
	int rc;

	res->signer = xstrdup(signer->name);
	res->approved = signer->auto_approve;
	res->n = n;
	res->ids = xcalloc(n, sizeof *res->ids);
	res->existed = xcalloc(n, sizeof *res->existed);
	res->what = xcalloc(n, sizeof *res->what);
	snprintf(pkgname, sizeof pkgname, "package %lld", (long long)res->sequence);
	xasprintf(&actor, "district key '%s'", signer->name);
	if (store_begin(lib->st, &err) != 0) {
		xasprintf(cause, _("database: %s"), err);
		free(err);
		free(actor);
		return LIB_ERR;
	}
	rc = lib_seq_take(lib, LIB_PKG_SCOPE, signer->key, res->sequence,
	    res->signed_at, cause);
	for (i = 0; rc == 0 && i < n; i++) {
		memset(&m, 0, sizeof m);
		if (!ents[i].retire)
			pkg_meta(&ents[i], topics, &m, cause);
		if ((res->ids[i] = lib_id_by_sha256(lib, ents[i].sha256, cause)) < 0) {
			rc = LIB_ERR;
			break;
		}
		res->existed[i] = res->ids[i] != 0 || ents[i].retire;
		if (res->ids[i] == 0 && ents[i].retire) {
			res->what[i] = _("not in the library: nothing to retire");
			continue;
		}
		if (res->ids[i] != 0) {
			rc = pkg_existing(lib, res->ids[i], &ents[i], &m, actor, pkgname,
			    &res->what[i], cause);
			continue;
		}
		free(source);
		xasprintf(&source, "package %s, entry %s", path, ents[i].name);
		m.source = source;
		title = xstrdup(ents[i].name);
		if ((end = strrchr(title, '.')) != NULL && end != title)
			*end = '\0';
		rc = lib_insert(lib, &ents[i].info, ents[i].rel, &m, title, actor,
		    signer->auto_approve, ents[i].size, &res->ids[i], cause);
		res->what[i] = _("added");
		free(title);
	}
	free(actor);
	free(source);
	return lib_tx_end(lib, rc, cause);
}

/*
 * Verifies, validates and adds a package; all of its bulletins or none.
 * Two passes: the first checks the signature and the sequence and writes
 * nothing, so that a forged, damaged or replayed package never touches the
 * disk; the second copies the entries out and checks the signature again
 * (the file may have changed between the passes).
 */
int
lib_package_import(struct library *lib, const char *path,
    const struct lib_trusted *trusted, size_t ntrusted, const char *const *topics,
    struct lib_pkg_result *res, char **cause)
{
	struct lib_pkg_reader r;
	struct lib_pkg_item *ents = NULL;
	const struct lib_trusted *signer = NULL;
	char *why = NULL, *clean;
	struct lib_meta m;
	struct stat sb;
	size_t n = 0, i, count = 0;
	int rc, fd;

	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	if ((fd = file_open_regular(path, &sb)) == FILE_NOT_REGULAR) {
		xasprintf(cause, _("not a regular file"));
		return LIB_REJECTED;
	}
	if (fd < 0 || (r.f = fdopen(fd, "rb")) == NULL) {
		xasprintf(cause, _("cannot read: %s"), strerror(errno));
		if (fd >= 0)
			close(fd);
		return LIB_ERR;
	}
	if ((int64_t)sb.st_size > LIB_PKG_MAX_SIZE) {
		fclose(r.f);
		xasprintf(cause, _("oversized: %lld bytes (a package is at most %lld)"),
		    (long long)sb.st_size, (long long)LIB_PKG_MAX_SIZE);
		return LIB_REJECTED;
	}
	r.keep = 0;
	rc = lib_pkg_read(lib, &r, trusted, ntrusted, &signer, &res->signed_at,
	    &res->sequence, &ents, &count, &n, cause);
	lib_pkg_items_free(ents, count);
	ents = NULL;
	if (rc != 0 || (rc = lib_seq_newer(lib, LIB_PKG_SCOPE, signer->key,
	    res->sequence, cause)) != 0)
		goto out;
	if ((rc = pkg_space(lib, sb.st_size, cause)) != 0)
		goto out;
	r.keep = 1;
	if ((rc = lib_pkg_read(lib, &r, trusted, ntrusted, &signer, &res->signed_at,
	    &res->sequence, &ents, &count, &n, cause)) != 0)
		goto out;
	/* Signed by a trusted key: now check each entry as an import would. */
	for (i = 0; i < n; i++) {
		if (ents[i].retire)
			continue;
		if ((rc = pkg_meta(&ents[i], topics, &m, cause)) != 0)
			goto out;
		/* The descriptor stays open: its lock keeps a sweep off the file. */
		if (audio_probe(ents[i].tmp, &ents[i].info, &why) != 0) {
			xasprintf(cause, _("entry '%s': %s"), ents[i].name, why);
			rc = LIB_REJECTED;
			goto out;
		}
		ents[i].probed = 1;
		if (strcmp(ents[i].info.sha256, ents[i].sha256) != 0 ||
		    (rc = lib_check_probe(&ents[i].info, &why)) != 0) {
			xasprintf(cause, _("entry '%s': %s"), ents[i].name,
			    why ? why : _("changed while importing"));
			rc = LIB_REJECTED;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (ents[i].retire)
			continue;
		if (lib_tmp_commit(lib, ents[i].fd, ents[i].tmp, ents[i].sha256,
		    lib_format_ext(ents[i].info.format), &ents[i].rel, cause) != 0) {
			ents[i].fd = -1;
			rc = LIB_ERR;
			goto out;
		}
		ents[i].fd = -1;
		free(ents[i].tmp);
		ents[i].tmp = NULL;
	}
	rc = pkg_apply(lib, path, signer, ents, n, topics, res, cause);
out:
	if (rc != 0) {
		lib_pkg_result_clear(res);
		/* Text from the package reaches logs and terminals: no controls. */
		if (*cause != NULL && !lib_text_ok(*cause, SIZE_MAX)) {
			clean = utf8_clean(*cause);
			free(*cause);
			*cause = clean;
		}
	}
	lib_pkg_items_free(ents, count);
	free(why);
	fclose(r.f);
	return rc;
}

