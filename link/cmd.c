/*
 * District commands down the link (library/command.c has the format). A
 * command acts only when it is signed by a key in trust.districts, has not
 * expired, names this station or one of its groups (link.groups), and its
 * sequence is above the last one taken from that key; the sequences are
 * kept in link.db with the library's rule (lib_seq_db_take), as the link
 * may not write the station's database. The sequence is taken before the
 * command acts, so that a link killed while acting never acts twice.
 *
 * play and stop go through the control socket as `loaxa play ID --priority P`
 * and `loaxa stop` do, the play asked "by" the signing district; export
 * makes the signed export of the period (reports/) in DATA/link and
 * publishes it on up/export. timetable, on a station whose operator opted
 * in (link.district_timetable), checks the district's file with the
 * configuration's reader, puts it in place as DATA/link/timetable.conf and
 * asks the daemon to reload; a file with problems, or one the daemon
 * refuses, leaves the previous one in place. Every command is answered on
 * up/ack; every refusal is also one stderr line.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"
#include "common/i18n.h"
#include "common/json.h"
#include "common/log.h"

#include "common/xmalloc.h"
#include "config/config.h"
#include "link/down.h"
#include "reports/reports.h"
#include "scheduler/control.h"
#include "store/store.h"

/* The largest export published (the envelope is base64, a third more). */
#define CMD_EXPORT_MAX ((long)48 * 1024 * 1024)

/* Sends request to the daemon; 0, or -1 with its answer or why in *cause. */
static int
cmd_control(struct link_env *env, const char *request, char **cause)
{
	char *path, *message = NULL, *body = NULL;
	int status;

	xasprintf(&path, "%s/%s", env->cfg->paths.data, SCHED_CTL_NAME);
	status = sched_ctl_request(path, request, 10000, &message, &body, cause);
	free(path);
	if (status < 0)
		return -1;
	if (status != 0)
		xasprintf(cause, "the daemon refused: %s%s%.*s", message,
		    body != NULL && *body != '\0' ? ": " : "",
		    body != NULL ? (int)strcspn(body, "\n") : 0, body != NULL ? body : "");
	free(message);
	free(body);
	return status == 0 ? 0 : -1;
}

/* The id of the bulletin with this SHA-256 in the station's library, else -1. */
static int64_t
cmd_bulletin_id(struct link_env *env, const char *sha256, char **cause)
{
	sqlite3_stmt *q;
	int64_t id = -1;

	if (env->st == NULL || sqlite3_prepare_v2(store_db(env->st),
	    "SELECT id FROM bulletins WHERE sha256 = ?", -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, "cannot read the station's library");
		return -1;
	}
	sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (id < 0)
		xasprintf(cause, "no bulletin with SHA-256 %.12s... in this station's "
		    "library", sha256);
	return id;
}

/* play: through the control socket, asked by the district signer. */
static int
cmd_play(struct link_env *env, const struct lib_cmd *c, const char *signer,
    char **cause)
{
	long long id;
	char *req;
	int rc;

	if (strlen(c->bulletin) == 64) {
		if ((id = cmd_bulletin_id(env, c->bulletin, cause)) < 0)
			return -1;
	} else
		id = strtoll(c->bulletin, NULL, 10);
	xasprintf(&req, "play %lld %s by %s", id, c->priority, signer);
	rc = cmd_control(env, req, cause);
	free(req);
	return rc;
}

/* The period of an export command: a named one, or FROM..TO. */
static int
cmd_period(const struct link_env *env, const char *spec, struct rep_period *p,
    char **cause)
{
	const char *dots = strstr(spec, "..");
	char from[11];

	if (dots == NULL)
		return rep_period_parse(spec, env->cfg->reports.calendar_periods, p,
		    cause);
	if (dots - spec != 10) {
		xasprintf(cause, "bad period '%s'", spec);
		return -1;
	}
	memcpy(from, spec, 10);
	from[10] = '\0';
	return rep_period_dates(from, dots + 2, p, cause);
}

/* Publishes the export file at path on up/export in its JSON envelope. */
static int
cmd_publish_export(struct link_env *env, const struct lib_cmd *c,
    const struct rep_period *p, const char *path, size_t rows, char **cause)
{
	char *msg_id, *qid, *qper, *b64, *json;
	unsigned char *buf;
	size_t blen;
	long n;
	FILE *f;
	int rc;

	if ((f = fopen(path, "rbe")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || n > CMD_EXPORT_MAX || fseek(f, 0, SEEK_SET) != 0) {
		xasprintf(cause, "%s: cannot read the export, or larger than %ld bytes",
		    path, CMD_EXPORT_MAX);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		xasprintf(cause, "%s: cannot read the export", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	blen = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, buf, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
	free(buf);
	xasprintf(&msg_id, "%s:export:%lld", env->cfg->station.code,
	    (long long)c->sequence);
	qid = json_quote(msg_id);
	qper = json_quote(p->label);
	xasprintf(&json, "{\"msg_id\":%s,\"request\":%lld,\"period\":%s,\"from\":\"%s\","
	    "\"to\":\"%s\",\"rows\":%zu,\"lxe\":\"%s\"}", qid, (long long)c->sequence,
	    qper, p->from, p->to, rows, b64);
	rc = env->publish(env->arg, "up/export", json, strlen(json), 1, 0);
	if (rc != 0)
		xasprintf(cause, "the export could not be queued for the broker");
	free(json);
	free(qper);
	free(qid);
	free(msg_id);
	free(b64);
	return rc == 0 ? 0 : -1;
}

/* export: the signed export of the period, into DATA/link, then up/export. */
static int
cmd_export(struct link_env *env, const struct lib_cmd *c, char **cause)
{
	struct rep_period p;
	char *path;
	size_t rows = 0;
	int rc;

	if (env->st == NULL) {
		xasprintf(cause, "cannot read the station's airing log");
		return -1;
	}
	setenv("TZ", env->cfg->station.timezone, 1);
	tzset();
	if (cmd_period(env, c->period, &p, cause) != 0)
		return -1;
	xasprintf(&path, "%s/link/export-%lld.lxe", env->cfg->paths.data,
	    (long long)c->sequence);
	rc = rep_export(store_db(env->st), env->cfg, env->cfg->paths.data, &p, path,
	    &rows, cause);
	if (rc == 0)
		rc = cmd_publish_export(env, c, &p, path, rows, cause);
	unlink(path);
	free(path);
	return rc;
}

/* Writes len bytes of text to path whole or not at all; -1 with *cause. */
static int
cmd_write(const char *path, const char *text, size_t len, char **cause)
{
	char *tmp = NULL, *err = NULL;
	int fd, rc = -1;

	if ((fd = file_tmp_open(path, NULL, 0640, &tmp, &err)) >= 0) {
		if (write(fd, text, len) == (ssize_t)len)
			rc = file_tmp_commit(fd, tmp, path, &err);
		else {
			unlink(tmp);
			err = xstrdup(strerror(errno));
		}
		close(fd);
	}
	if (rc != 0)
		xasprintf(cause, "%s: %s", path, err);
	free(err);
	free(tmp);
	return rc;
}

/*
 * The problems of the district's timetable c with this station's
 * configuration, "FILE:LINE: message" joined by "; ", or NULL when none.
 */
static char *
cmd_timetable_problems(struct link_env *env, const struct lib_cmd *c)
{
	struct config_problems p = { 0 };
	struct config *cfg = NULL;
	char *out = NULL, *more;
	size_t i;

	if (conf_read_with_timetable(env->cfg->file, c->timetable, c->file, &cfg,
	    &p) == 0) {
		conf_free(&cfg);
		return NULL;
	}
	for (i = 0; i < p.n; i++) {
		xasprintf(&more, "%s%s%s", out != NULL ? out : "", out != NULL ? "; " : "",
		    p.lines[i]);
		free(out);
		out = more;
	}
	conf_problems_clear(&p);
	return out != NULL ? out : xstrdup("the configuration cannot be read");
}

/*
 * Puts the timetable kept in prev back as path: prev's file, or no file
 * when prev is empty (a district's timetable never is). 0, or -1 with errno.
 */
static int
cmd_put_back(const char *path, const char *prev)
{
	struct stat st;

	if (stat(prev, &st) != 0)
		return -1;
	if (st.st_size > 0)
		return rename(prev, path);
	if (unlink(path) != 0 && errno != ENOENT)
		return -1;
	return unlink(prev);
}

/*
 * timetable: checks the district's file, puts it in place and asks the
 * daemon to reload; when the daemon refuses, the previous file goes back.
 * Until the daemon has answered, the previous state stays as PATH.prev
 * (empty for no file), so that a link killed meanwhile undoes the command
 * at its next start (link_cmd_undo) rather than leave it to the daemon's.
 */
static int
cmd_timetable(struct link_env *env, const struct lib_cmd *c, char **cause)
{
	char *path, *prev, *why;
	int rc = -1;

	if (!env->cfg->link.district_timetable) {
		xasprintf(cause, "this station does not take timetables from the "
		    "district (link.district_timetable is not true)");
		return -1;
	}
	if ((why = cmd_timetable_problems(env, c)) != NULL) {
		xasprintf(cause, "the timetable has problems, nothing changed: %s", why);
		free(why);
		return -1;
	}
	path = conf_district_timetable(env->cfg);
	xasprintf(&prev, "%s.prev", path);
	unlink(prev);
	if (link(path, prev) != 0) {
		if (errno != ENOENT)
			xasprintf(cause, "%s: cannot keep the previous timetable: %s",
			    prev, strerror(errno));
		else if (cmd_write(prev, "", 0, cause) == 0)
			rc = 0;
	} else
		rc = 0;
	if (rc == 0) {
		if ((rc = cmd_write(path, c->timetable, strlen(c->timetable),
		    cause)) == 0)
			rc = cmd_control(env, "reload", cause);
		if (rc != 0 && cmd_put_back(path, prev) != 0)
			log_error(_("link: %s: cannot put the previous timetable back: %s"),
			    path, strerror(errno));
		if (rc == 0)
			unlink(prev);
	}
	free(prev);
	free(path);
	return rc;
}

void
link_cmd_undo(struct link_env *env)
{
	char *path, *prev, *why = NULL;

	path = conf_district_timetable(env->cfg);
	xasprintf(&prev, "%s.prev", path);
	if (access(prev, F_OK) == 0) {
		if (cmd_put_back(path, prev) != 0)
			log_error(_("link: %s: cannot put the previous timetable back: %s"),
			    path, strerror(errno));
		else {
			log_warn(_("link: an unfinished district timetable was undone "
			    "(the link stopped before it was acknowledged): %s is as "
			    "it was before"), path);
			if (cmd_control(env, "reload", &why) != 0)
				log_debug("link: no reload after the undo: %s", why);
			free(why);
		}
	}
	free(prev);
	free(path);
}

static int cmd_sequence_take(struct link_env *, const struct lib_cmd *, char **);

/*
 * Takes c's sequence in link.db in one transaction of its own, committed
 * before the command acts; LIB_REJECTED when replayed. The link reads
 * messages inside a transaction of link.db (its PUBACKs): that one is
 * committed first and opened again after.
 */
static int
cmd_sequence(struct link_env *env, const struct lib_cmd *c, char **cause)
{
	int rc, outer = !sqlite3_get_autocommit(env->state);

	if (outer)
		sqlite3_exec(env->state, "COMMIT", NULL, NULL, NULL);
	rc = cmd_sequence_take(env, c, cause);
	if (outer)
		sqlite3_exec(env->state, "BEGIN", NULL, NULL, NULL);
	return rc;
}

static int
cmd_sequence_take(struct link_env *env, const struct lib_cmd *c, char **cause)
{
	int rc;

	if (sqlite3_exec(env->state, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		xasprintf(cause, "link.db: %s", sqlite3_errmsg(env->state));
		return LIB_ERR;
	}
	rc = lib_seq_db_take(env->state, LIB_CMD_SCOPE, c->signer, c->sequence,
	    c->signed_at, cause);
	if (rc == 0 && sqlite3_exec(env->state, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		xasprintf(cause, "link.db: %s", sqlite3_errmsg(env->state));
		rc = LIB_ERR;
	}
	if (rc != 0)
		sqlite3_exec(env->state, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Checks c (verified) is for this station and new, then acts; -1 with *cause. */
static int
cmd_run(struct link_env *env, const struct lib_cmd *c, const char *signer,
    char **cause)
{
	if (!lib_cmd_for(c, env->cfg->station.code, env->groups, env->ngroups)) {
		xasprintf(cause, "not for this station: command %lld of '%s' names "
		    "neither %s nor a group it belongs to", (long long)c->sequence,
		    signer, env->cfg->station.code);
		return -1;
	}
	if (cmd_sequence(env, c, cause) != 0)
		return -1;
	if (strcmp(c->action, "play") == 0)
		return cmd_play(env, c, signer, cause);
	if (strcmp(c->action, "stop") == 0)
		return cmd_control(env, "stop", cause);
	if (strcmp(c->action, "timetable") == 0)
		return cmd_timetable(env, c, cause);
	return cmd_export(env, c, cause);
}

void
link_cmd_message(struct link_env *env, const void *data, size_t len)
{
	const struct lib_trusted *signer = NULL;
	struct lib_trusted *tr;
	struct lib_cmd c;
	unsigned char d[crypto_hash_sha256_BYTES];
	char id[17], *why = NULL, *fields, *qsigner, *qaction;
	size_t n;
	int rc;

	/* The ack's id: the command's own hash, the same for a copy of it. */
	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(id, sizeof id, d, 8);
	tr = link_trusted(env, &n);
	rc = lib_cmd_verify(data, len, tr, n, (int64_t)time(NULL), &c, &signer, &why);
	if (rc == 0)
		rc = cmd_run(env, &c, signer->name, &why);
	qsigner = json_quote(signer != NULL ? signer->name : NULL);
	qaction = json_quote(c.action);
	xasprintf(&fields, "\"command_seq\":%lld,\"signer\":%s,\"action\":%s",
	    (long long)c.sequence, qsigner, qaction);
	if (rc != 0)
		link_say(env, "command", 1, _("refused: %s"), why);
	else
		link_say(env, "command", 0, _("accepted: %s (sequence %lld of '%s')"),
		    c.action, (long long)c.sequence, signer->name);
	link_ack(env, "command", id, fields, rc == 0, why);
	free(fields);
	free(qaction);
	free(qsigner);
	free(why);
	free(tr);
	lib_cmd_clear(&c);
}
