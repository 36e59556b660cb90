/*
 * loaxa fleet: the district's side of the station link. send publishes a
 * signed package to stations, play, stop and timetable send them signed
 * commands;
 * each waits for the stations' acknowledgements and says who answered.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cmd-fleet.h"
#include "cli/net.h"
#include "common/file.h"
#include "common/i18n.h"
#include "common/key.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "fleet/fleet.h"
#include "library/library.h"
#include "link/chunk.h"

/* What every fleet command starts from: the section, the key, the targets. */
struct fleet_job {
	const struct config *cfg;
	const char *cmd;         /* "send", "play", "stop" for messages */
	unsigned char sk[KEY_SECRET];
	size_t *idx, n;
	int timeout_ms;
	const char *bulletins;   /* what a package holds, for fleet.db */
};

/* Prints "loaxa fleet CMD: why" and returns status. */
static int __attribute__((format(printf, 3, 4)))
fleet_fail(const struct fleet_job *j, int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "loaxa fleet %s: ", j->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* Checks the section, reads the key and resolves --to; an exit status. */
static int
fleet_job_start(struct cmd_ctx *ctx, const struct cmd_args *args,
    const char *cmd, struct fleet_job *j)
{
	const char *to = cli_opt(args, "to"), *timeout = cli_opt(args, "timeout");
	char *cause = NULL, *end;
	long t;

	memset(j, 0, sizeof *j);
	j->cfg = ctx->cfg;
	j->cmd = cmd;
	if (!j->cfg->fleet.present)
		return fleet_fail(j, EXIT_USAGE, _("%s has no fleet section (the "
		    "district's broker, key and stations)"), j->cfg->file);
	if (to == NULL)
		return fleet_fail(j, EXIT_USAGE, _("--to STATION|GROUP|all is required"));
	j->timeout_ms = j->cfg->fleet.ack_timeout * 1000;
	if (timeout != NULL) {
		t = strtol(timeout, &end, 10);
		if (*end != '\0' || t < 1 || t > 3600)
			return fleet_fail(j, EXIT_USAGE, _("--timeout takes seconds, 1 "
			    "to 3600"));
		j->timeout_ms = (int)t * 1000;
	}
	if (fleet_targets(j->cfg, to, &j->idx, &j->n, &cause) != 0) {
		fleet_fail(j, EXIT_USAGE, "%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (key_read(j->cfg->fleet.signing_key, j->sk, &cause) != 0) {
		fleet_fail(j, EXIT_USAGE, "%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static void
fleet_job_end(struct fleet_job *j)
{
	sodium_memzero(j->sk, sizeof j->sk);
	free(j->idx);
}

/*
 * Connects, listens for acknowledgements, runs send(f, j, arg), then waits
 * for the acknowledgement kind:id of every target and prints them. 0 when
 * every station acknowledged and took it, else EXIT_FAIL.
 */
static int
fleet_run(struct fleet_job *j, const char *kind, const char *id,
    int (*send)(struct fleet *, struct fleet_job *, void *, char **), void *arg)
{
	struct fleet *f = NULL;
	struct fleet_ack *acks;
	char *cause = NULL;
	size_t i, good = 0;
	sqlite3 *db = NULL;

	if (fleet_cli_db(j->cfg, j->cmd, &db) != EXIT_OK)
		return EXIT_FAIL;
	if (fleet_connect(j->cfg, 10000, &f, &cause) != 0 ||
	    (fleet_keep(f, db), fleet_listen_acks(f, j->idx, j->n, 10000,
	    &cause)) != 0 || send(f, j, arg, &cause) != 0) {
		fleet_fail(j, EXIT_FAIL, "%s", cause);
		free(cause);
		fleet_free(&f);
		sqlite3_close_v2(db);
		return EXIT_FAIL;
	}
	for (i = 0; i < j->n; i++)
		fleet_db_sent(db, kind, id, j->cfg->fleet.stations[j->idx[i]].code,
		    j->bulletins, fleet_now_ms());
	acks = xcalloc(j->n, sizeof *acks);
	fleet_wait_acks(f, j->idx, j->n, kind, id, j->timeout_ms, acks);
	for (i = 0; i < j->n; i++) {
		const char *code = j->cfg->fleet.stations[j->idx[i]].code;

		if (!acks[i].got)
			printf(_("%s: no acknowledgement within %d s\n"), code,
			    j->timeout_ms / 1000);
		else if (!acks[i].ok)
			printf(_("%s: refused: %s\n"), code,
			    acks[i].why ? acks[i].why : "?");
		else {
			printf(_("%s: acknowledged\n"), code);
			good++;
		}
	}
	printf(ngettext("%zu of %zu station acknowledged\n",
	    "%zu of %zu stations acknowledged\n", j->n), good, j->n);
	fleet_acks_clear(acks, j->n);
	free(acks);
	fleet_free(&f);
	sqlite3_close_v2(db);
	return good == j->n ? EXIT_OK : EXIT_FAIL;
}

/* The package to send, read whole. */
struct fleet_pkg {
	unsigned char *data;
	int64_t size;
	char sha[65];
	char *bulletins;
};

static int
fleet_send_pkg(struct fleet *f, struct fleet_job *j, void *arg, char **cause)
{
	struct fleet_pkg *p = arg;

	return fleet_send_package(f, j->idx, j->n, p->data, p->size, p->sha,
	    j->timeout_ms + 60000, cause);
}

/* Reads the package at path, checked to be one this district signed. */
static int
fleet_read_package(struct fleet_job *j, const char *path, struct fleet_pkg *p)
{
	struct lib_trusted self = { "this district", j->sk + 32, 0 };
	const struct lib_trusted *signer;
	unsigned char d[crypto_hash_sha256_BYTES];
	char *cause = NULL;
	size_t got;
	int64_t seq;
	FILE *fp;
	int rc;

	if ((rc = lib_package_verify_list(path, &self, 1, &signer, &seq, &p->bulletins,
	    &cause)) != 0) {
		fleet_fail(j, 0, "%s: %s", path, cause);
		free(cause);
		return rc == LIB_REJECTED ? EXIT_REJECTED : EXIT_FAIL;
	}
	if ((fp = fopen(path, "rbe")) == NULL || fseeko(fp, 0, SEEK_END) != 0 ||
	    (p->size = ftello(fp)) < 1 || p->size > LINK_PKG_MAX ||
	    fseeko(fp, 0, SEEK_SET) != 0) {
		if (fp != NULL)
			fclose(fp);
		return fleet_fail(j, EXIT_REJECTED, _("%s: unreadable, or larger than "
		    "the link takes (%lld bytes)"), path, (long long)LINK_PKG_MAX);
	}
	p->data = xmalloc((size_t)p->size);
	got = fread(p->data, 1, (size_t)p->size, fp);
	fclose(fp);
	if (got != (size_t)p->size)
		return fleet_fail(j, EXIT_FAIL, _("%s: cannot read it whole"), path);
	crypto_hash_sha256(d, p->data, (size_t)p->size);
	sodium_bin2hex(p->sha, sizeof p->sha, d, sizeof d);
	return EXIT_OK;
}

/* fleet send PACKAGE --to ... */
static int
fleet_send(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct fleet_pkg p = { 0 };
	struct fleet_job j;
	int rc;

	if ((rc = fleet_job_start(ctx, args, "send", &j)) == EXIT_OK &&
	    (rc = fleet_read_package(&j, args->argv[0], &p)) == EXIT_OK) {
		printf(ngettext("sending %s (%.12s..., %lld bytes) to %zu station\n",
		    "sending %s (%.12s..., %lld bytes) to %zu stations\n", j.n),
		    args->argv[0], p.sha, (long long)p.size, j.n);
		fflush(stdout);
		j.bulletins = p.bulletins;
		rc = fleet_run(&j, "package", p.sha, fleet_send_pkg, &p);
	}
	free(p.data);
	free(p.bulletins);
	fleet_job_end(&j);
	return rc;
}

/* The signed command to publish. */
struct fleet_text {
	char *text;
	size_t len;
};

static int
fleet_send_cmd(struct fleet *f, struct fleet_job *j, void *arg, char **cause)
{
	struct fleet_text *t = arg;

	return fleet_publish(f, j->idx, j->n, "down/cmd", t->text, t->len, 10000,
	    cause);
}

/*
 * Signs a command of action for --to (a station, a group, or every station
 * of the section), numbered from the counter beside the key, sends it and
 * waits for the acknowledgements.
 */
static int
fleet_command(struct fleet_job *j, const char *to, struct lib_cmd *c)
{
	const struct config_fleet *fl = &j->cfg->fleet;
	struct fleet_text t = { 0 };
	unsigned char d[crypto_hash_sha256_BYTES];
	char *cause = NULL, *one = (char *)to, id[17];
	int64_t now = (int64_t)time(NULL);
	size_t i, g;
	int rc;

	c->stations = NULL;
	for (i = 0; i < fl->nstations; i++) {
		if (strcmp(to, "all") == 0)
			c->stations = xreallocarray(c->stations, c->nstations + 1,
			    sizeof *c->stations);
		if (strcmp(to, "all") == 0)
			c->stations[c->nstations++] = fl->stations[i].code;
		else if (strcmp(to, fl->stations[i].code) == 0) {
			c->stations = &one;
			c->nstations = 1;
		}
		for (g = 0; g < fl->stations[i].ngroups; g++)
			if (c->nstations == 0 && strcmp(to, fl->stations[i].groups[g]) == 0) {
				c->groups = &one;
				c->ngroups = 1;
			}
	}
	c->signed_at = now;
	c->expires = now + fl->expiry;
	if (lib_pkg_sequence_next(fl->signing_key, now, &c->sequence, &cause) != 0 ||
	    lib_cmd_sign(j->sk, c, &t.text, &t.len, &cause) != 0) {
		rc = fleet_fail(j, EXIT_FAIL, "%s", cause);
		free(cause);
	} else {
		crypto_hash_sha256(d, (const unsigned char *)t.text, t.len);
		sodium_bin2hex(id, sizeof id, d, 8);
		printf(ngettext("command %lld (%s) to %zu station, valid for %d s\n",
		    "command %lld (%s) to %zu stations, valid for %d s\n", j->n),
		    (long long)c->sequence, c->action, j->n,
		    fl->expiry);
		fflush(stdout);
		rc = fleet_run(j, "command", id, fleet_send_cmd, &t);
	}
	if (c->stations != &one)
		free(c->stations);
	free(t.text);
	return rc;
}

/* fleet play ID|SHA256 --to ... [--priority P] */
static int
fleet_play(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *prio = cli_opt(args, "priority"), *ref = args->argv[0];
	struct lib_cmd c = { 0 };
	struct fleet_job j;
	size_t n = strlen(ref), i;
	int rc, ok = n == 64 || (n >= 1 && n <= 18 && ref[0] != '0');

	for (i = 0; i < n; i++)
		if (!((ref[i] >= '0' && ref[i] <= '9') ||
		    (n == 64 && ref[i] >= 'a' && ref[i] <= 'f')))
			ok = 0;
	if (prio == NULL)
		prio = "normal";
	if ((rc = fleet_job_start(ctx, args, "play", &j)) != EXIT_OK) {
		fleet_job_end(&j);
		return rc;
	}
	if (!ok)
		rc = fleet_fail(&j, EXIT_USAGE, _("'%s' is neither a bulletin id nor "
		    "a SHA-256 (64 lower-case hexadecimal digits)"), ref);
	else if (conf_priority_parse(prio) < 0)
		rc = fleet_fail(&j, EXIT_USAGE, _("--priority must be normal, priority "
		    "or emergency"));

	else {
		c.action = (char *)"play";
		c.bulletin = (char *)ref;
		c.priority = (char *)prio;
		rc = fleet_command(&j, cli_opt(args, "to"), &c);
	}
	fleet_job_end(&j);
	return rc;
}

/* fleet stop --to ... */
static int
fleet_stop(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct lib_cmd c = { 0 };
	struct fleet_job j;
	int rc;

	if ((rc = fleet_job_start(ctx, args, "stop", &j)) == EXIT_OK) {
		c.action = (char *)"stop";
		rc = fleet_command(&j, cli_opt(args, "to"), &c);
	}
	fleet_job_end(&j);
	return rc;
}

/*
 * Reads the timetable file at path into *text (allocated, *len bytes) and
 * checks what the district can without a station: UTF-8 text, libconfig
 * syntax, no @include, a timetable list. EXIT_OK, or the exit status after
 * one line a problem naming the file.
 */
static int
fleet_timetable_read(const struct fleet_job *j, const char *path, char **text,
    size_t *len)
{
	struct config_problems p = { 0 };
	char *cause = NULL;
	size_t i;
	FILE *fp;
	int rc = EXIT_OK;

	*text = xmalloc(LIB_CMD_TIMETABLE_MAX + 2);
	if ((fp = fopen(path, "re")) == NULL)
		return fleet_fail(j, EXIT_REJECTED, _("%s: cannot read: %s"), path,
		    strerror(errno));
	*len = fread(*text, 1, LIB_CMD_TIMETABLE_MAX + 1, fp);
	(*text)[*len] = '\0';
	if (ferror(fp))
		rc = fleet_fail(j, EXIT_REJECTED, _("%s: cannot read: %s"), path,
		    strerror(errno));
	fclose(fp);
	if (rc != EXIT_OK)
		return rc;
	if (lib_cmd_timetable_text(path, *text, *len, &cause) != 0) {
		rc = fleet_fail(j, EXIT_REJECTED, "%s", cause);
		free(cause);
		return rc;
	}
	if (conf_timetable_check(*text, path, &p) != 0) {
		for (i = 0; i < p.n; i++)
			fleet_fail(j, EXIT_REJECTED, "%s", p.lines[i]);
		rc = EXIT_REJECTED;
	}
	conf_problems_clear(&p);
	return rc;
}

/*
 * fleet timetable FILE --to ...: the file inside a signed command, under
 * its base name made fit to travel (a space becomes '-').
 */
static int
fleet_timetable(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *path = args->argv[0];
	struct lib_cmd c = { 0 };
	struct fleet_job j;
	char *text = NULL, *name = NULL;
	size_t n = 0;
	int rc;

	if ((rc = fleet_job_start(ctx, args, "timetable", &j)) == EXIT_OK &&
	    (rc = fleet_timetable_read(&j, path, &text, &n)) == EXIT_OK) {
		name = lib_cmd_file_name(path);
		c.action = (char *)"timetable";
		c.file = name;
		c.timetable = text;
		rc = fleet_command(&j, cli_opt(args, "to"), &c);
	}
	free(name);
	free(text);
	fleet_job_end(&j);
	return rc;
}

static const struct cmd_entry fleet_send_entry = {
	.name = "send",
	.args = { "to: timeout:", 1, 1 },
	.exec = fleet_send,
};

static const struct cmd_entry fleet_play_entry = {
	.name = "play",
	.args = { "to: priority: timeout:", 1, 1 },
	.exec = fleet_play,
};

static const struct cmd_entry fleet_stop_entry = {
	.name = "stop",
	.args = { "to: timeout:", 0, 0 },
	.exec = fleet_stop,
};

static const struct cmd_entry fleet_timetable_entry = {
	.name = "timetable",
	.args = { "to: timeout:", 1, 1 },
	.exec = fleet_timetable,
};

static const struct cmd_entry *const fleet_subs[] = { &fleet_send_entry,
	&fleet_play_entry, &fleet_stop_entry, &fleet_timetable_entry,
	&fleet_status_entry, &fleet_watch_entry,
	&fleet_deliveries_entry, &fleet_collect_entry, &fleet_broker_entry, NULL };

const struct cmd_entry cmd_fleet = {
	.name = "fleet",
	.usage = "send PACKAGE.lxp --to STATION|GROUP|all | "
	    "play ID|SHA256 --to ... [--priority P] | stop --to ... [--timeout S] | "
	    "timetable FILE --to ... | "
	    "status [--format F] | watch | deliveries | collect --period P --out DIR | "
	    "broker-config --out DIR",
	.summary = CLI_NET_FLEET_SUMMARY,
	.flags = CMD_CONFIG,
	.help =
	    N_("Speaks to the stations of the fleet section through the district's\n"
	    "MQTT broker. --to names a station code, a group of the section, or all.\n"
	    "\n"
	    "fleet send: publishes PACKAGE (made by `loaxa package create` with the\n"
	    "section's signing_key; another key's or an unsigned package is refused,\n"
	    "exit 3, nothing sent) to each station in chunks of 256 KiB; a station\n"
	    "offline gets it from the broker when it comes back.\n"
	    "fleet play, fleet stop: a command signed with signing_key, valid for\n"
	    "the section's expiry (default 10 minutes), numbered from the counter\n"
	    "KEY.seq beside the key: the station airs the bulletin (its id there, or\n"
	    "its SHA-256) at the priority, or stops what is on air.\n"
	    "fleet timetable: the same for a timetable FILE (a 'timetable' list and\n"
	    "optionally 'playlists', the station's syntax, at most 32 KiB): a station\n"
	    "whose link section has district_timetable = true checks it as loaxa\n"
	    "check does, takes it in place of its own and reloads; one with problems\n"
	    "is refused with its FILE:LINE and changes nothing. The file is checked\n"
	    "here first (UTF-8, syntax, no @include, a 'timetable' list): a problem\n"
	    "is exit 3, nothing sent. It travels under its name with '-' for each\n"
	    "space.\n"
	    "\n"
	    "Each waits up to --timeout (default the section's ack_timeout, 30 s)\n"
	    "for the stations' acknowledgements and prints one line a station:\n"
	    "acknowledged, refused and why, or no acknowledgement. Exit 0 when all\n"
	    "acknowledged, 1 otherwise, 2 for an unknown station or group or a\n"
	    "fleet section with mistakes.\n"
	    "\n"
	    "fleet status, watch, deliveries, collect, broker-config: see loaxa(1);\n"
	    "what arrives is kept in DATA/fleet.db.\n"
	    "\n"
	    "examples:\n"
	    "  loaxa fleet send ban-tin-thang-6.lxp --to all\n"
	    "  loaxa fleet play 3f2a...e9 --to ven-song --priority emergency\n"
	    "  loaxa fleet stop --to 00001\n"
	    "  loaxa fleet timetable lich-tuan-50.conf --to all\n"),
	.subs = fleet_subs,
};
