/*
 * loaxa fleet collect: asks each station for its signed export of a period
 * (a signed command, action export), writes what comes to DIR/STATION.lxe,
 * verifies each and says which came, which failed verification and which
 * are missing. loaxa fleet broker-config: the district broker's Mosquitto
 * configuration (fleet/broker.c).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cmd-fleet.h"
#include "common/i18n.h"
#include "common/key.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "fleet/fleet.h"
#include "library/library.h"
#include "reports/reports.h"

/* One station's part in a collect. */
struct co_station {
	int got;            /* its export came and was written */
	int refused;        /* it refused the command */
	char *why;
	char *path;
};

struct co {
	const struct config *cfg;
	const char *out;
	sqlite3 *db;
	int64_t seq;
	char id[17];        /* the command's id in acknowledgements */
	size_t *idx, n, done;
	struct co_station *st; /* by index into the fleet section */
};

/* What comes on up/export and up/ack while collecting. */
static void
co_heard(void *arg, size_t station, const char *kind, const char *payload,
    size_t len, int retained)
{
	struct co *c = arg;
	struct co_station *s = &c->st[station];
	const char *code = c->cfg->fleet.stations[station].code;
	char *path, *cause = NULL, *want;
	int64_t request;

	(void)len;
	(void)retained;
	if (s->got || s->refused || c->st[station].path == NULL)
		return;
	if (strcmp(kind, "ack") == 0) {
		xasprintf(&want, "\"msg_id\":\"%s:command:%s\"", code, c->id);
		if (strstr(payload, want) != NULL && strstr(payload, "\"ok\":false")) {
			s->refused = 1;
			c->done++;
		}
		free(want);
		return;
	}
	if (strcmp(kind, "export") != 0)
		return;
	xasprintf(&path, "%s.part", s->path);
	if (fleet_export_save(c->db, payload, path, &request, &cause) != 0) {
		fprintf(stderr, "loaxa fleet collect: %s: %s\n", code, cause);
		free(cause);
	} else if (request == c->seq && rename(path, s->path) == 0) {
		s->got = 1;
		c->done++;
		printf(_("%s: export came\n"), code);
		fflush(stdout);
	}
	remove(path);
	free(path);
}

static int
co_all(void *arg)
{
	const struct co *c = arg;

	return c->done >= c->n;
}

/* Signs the export command for the targets; -1 (said). */
static int
co_sign(struct co *c, const unsigned char sk[KEY_SECRET], const char *period,
    char **text, size_t *len)
{
	const struct config_fleet *fl = &c->cfg->fleet;
	struct lib_cmd cmd = { 0 };
	unsigned char d[crypto_hash_sha256_BYTES];
	int64_t now = (int64_t)time(NULL);
	char *cause = NULL;
	size_t i;
	int rc;

	cmd.stations = xcalloc(c->n + 1, sizeof *cmd.stations);
	for (i = 0; i < c->n; i++)
		cmd.stations[i] = fl->stations[c->idx[i]].code;
	cmd.nstations = c->n;
	cmd.action = (char *)"export";
	cmd.period = (char *)period;
	cmd.signed_at = now;
	cmd.expires = now + fl->expiry;
	rc = lib_pkg_sequence_next(fl->signing_key, now, &cmd.sequence, &cause);
	if (rc == 0)
		rc = lib_cmd_sign(sk, &cmd, text, len, &cause);
	free(cmd.stations);
	if (rc != 0) {
		fleet_cli_fail("collect", EXIT_FAIL, "%s", cause);
		free(cause);
		return -1;
	}
	c->seq = cmd.sequence;
	crypto_hash_sha256(d, (const unsigned char *)*text, *len);
	sodium_bin2hex(c->id, sizeof c->id, d, 8);
	return 0;
}

/* Checks each export that came and prints one line a station; an exit status. */
static int
co_report(struct co *c, int timeout_s, const char *period)
{
	size_t i, came = 0, good = 0, failed = 0, odd = 0, missing = 0;
	char *why;
	int v;

	for (i = 0; i < c->n; i++) {
		size_t k = c->idx[i];
		const char *code = c->cfg->fleet.stations[k].code;
		struct co_station *s = &c->st[k];

		if (!s->got) {
			missing++;
			if (s->refused)
				printf(_("%s: missing: the station refused the command\n"),
				    code);
			else
				printf(_("%s: missing: no export within %d s\n"), code,
				    timeout_s);
			continue;
		}
		came++;
		v = fleet_export_check(c->cfg, k, c->db, s->path, &why);
		if (v == FLEET_EXPORT_OK) {
			good++;
			printf(_("%s: verified: %s (%s)\n"), code, s->path, why);
		} else if (v == FLEET_EXPORT_MISMATCH) {
			odd++;
			printf(_("%s: verified, but the live rows differ: %s\n"), code,
			    why);
		} else {
			failed++;
			printf(_("%s: failed verification: %s\n"), code, why);
		}
		fleet_db_export(c->db, code, c->seq, period, s->path, v ==
		    FLEET_EXPORT_OK ? "verified" : v == FLEET_EXPORT_MISMATCH ?
		    "mismatch" : "failed", why, fleet_now_ms());
		free(why);
	}
	printf(_("%zu of %zu came: %zu verified, %zu failed verification, %zu with "
	    "live rows that differ; %zu missing\n"), came, c->n, good, failed, odd,
	    missing);
	return good == c->n ? EXIT_OK : EXIT_FAIL;
}

/*
 * fleet collect --period P --out DIR [--to ...] [--timeout S]. The commands
 * go out within the timeout too: the first exports come back on the same
 * connection while the last commands wait for their PUBACK (2,000 stations:
 * more than 10 s).
 */
static int
fleet_collect(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config *cfg = ctx->cfg;
	const char *period = cli_opt(args, "period"), *to = cli_opt(args, "to");
	const char *timeout = cli_opt(args, "timeout");
	struct co c = { 0 };
	struct rep_period p;
	struct fleet *f = NULL;
	unsigned char sk[KEY_SECRET];
	char *cause = NULL, *text = NULL, *end;
	size_t i, len;
	long t = 120;
	int rc;

	c.cfg = cfg;
	c.out = cli_opt(args, "out");
	if ((rc = fleet_cli_section(cfg, "collect")) != EXIT_OK)
		return rc;
	if (period == NULL || c.out == NULL)
		return fleet_cli_fail("collect", EXIT_USAGE, _("--period and --out are "
		    "required (e.g. --period 2026-H1 --out exports/)"));
	if (strstr(period, "..") == NULL && rep_period_parse(period,
	    cfg->reports.calendar_periods, &p, &cause) != 0) {
		fleet_cli_fail("collect", EXIT_USAGE, "%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (timeout != NULL && ((t = strtol(timeout, &end, 10)) < 1 || t > 86400 ||
	    *end != '\0'))
		return fleet_cli_fail("collect", EXIT_USAGE, _("--timeout takes "
		    "seconds, 1 to 86400"));
	if (fleet_targets(cfg, to ? to : "all", &c.idx, &c.n, &cause) != 0 ||
	    key_read(cfg->fleet.signing_key, sk, &cause) != 0) {
		fleet_cli_fail("collect", EXIT_USAGE, "%s", cause);
		free(cause);
		free(c.idx);
		return EXIT_USAGE;
	}
	if (mkdir(c.out, 0750) != 0 && errno != EEXIST) {
		free(c.idx);
		return fleet_cli_fail("collect", EXIT_FAIL, "%s: %s", c.out,
		    strerror(errno));
	}
	c.st = xcalloc(cfg->fleet.nstations + 1, sizeof *c.st);
	for (i = 0; i < c.n; i++)
		xasprintf(&c.st[c.idx[i]].path, "%s/%s.lxe", c.out,
		    cfg->fleet.stations[c.idx[i]].code);
	if ((rc = fleet_cli_db(cfg, "collect", &c.db)) != EXIT_OK)
		goto out;
	if (co_sign(&c, sk, period, &text, &len) != 0) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (fleet_connect(cfg, 10000, &f, &cause) != 0 ||
	    (fleet_keep(f, c.db), fleet_on_heard(f, co_heard, &c),
	    fleet_subscribe(f, c.idx, c.n, "up/export", 10000, &cause)) != 0 ||
	    fleet_listen_acks(f, c.idx, c.n, 10000, &cause) != 0 ||
	    fleet_publish(f, c.idx, c.n, "down/cmd", text, len, (int)t * 1000,
	    &cause) != 0) {
		rc = fleet_cli_fail("collect", EXIT_FAIL, "%s", cause);
		goto out;
	}
	for (i = 0; i < c.n; i++)
		fleet_db_sent(c.db, "command", c.id, cfg->fleet.stations[c.idx[i]].code,
		    NULL, fleet_now_ms());
	printf(ngettext("command %lld (export %s) to %zu station; waiting up to "
	    "%ld s\n", "command %lld (export %s) to %zu stations; waiting up to "
	    "%ld s\n", c.n), (long long)c.seq, period, c.n, t);
	fflush(stdout);
	if (fleet_run_for(f, (int)t * 1000, co_all, &c, NULL, &cause) != 0)
		fprintf(stderr, "loaxa fleet collect: %s\n", cause);
	fleet_free(&f);
	rc = co_report(&c, (int)t, period);
out:
	sodium_memzero(sk, sizeof sk);
	free(cause);
	free(text);
	for (i = 0; c.st != NULL && i < cfg->fleet.nstations; i++)
		free(c.st[i].path);
	free(c.st);
	free(c.idx);
	fleet_free(&f);
	if (c.db != NULL)
		sqlite3_close_v2(c.db);
	return rc;
}

/* fleet broker-config --out DIR [--port N] [--bind ADDR] [--cafile ...] ... */
static int
fleet_broker(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config *cfg = ctx->cfg;
	struct fleet_broker_opts o = { 0 };
	const char *port = cli_opt(args, "port");
	char *cause = NULL, *end;
	long n = 8883;
	int rc, hashed;

	if ((rc = fleet_cli_section(cfg, "broker-config")) != EXIT_OK)
		return rc;
	if ((o.out = cli_opt(args, "out")) == NULL)
		return fleet_cli_fail("broker-config", EXIT_USAGE, _("--out DIR is "
		    "required"));
	if (port != NULL && ((n = strtol(port, &end, 10)) < 1 || n > 65535 ||
	    *end != '\0'))
		return fleet_cli_fail("broker-config", EXIT_USAGE, _("--port takes 1 "
		    "to 65535"));
	o.port = (int)n;
	o.bind = cli_opt(args, "bind");
	o.cafile = cli_opt(args, "cafile");
	o.certfile = cli_opt(args, "certfile");
	o.keyfile = cli_opt(args, "keyfile");
	o.persistence = cli_opt(args, "persistence");
	if ((o.user = cli_opt(args, "user")) == NULL)
		o.user = "mosquitto";
	if (o.certfile == NULL)
		o.certfile = "/etc/mosquitto/certs/server.crt";
	if (o.keyfile == NULL)
		o.keyfile = "/etc/mosquitto/certs/server.key";
	if (o.persistence == NULL)
		o.persistence = "/var/lib/mosquitto";
	o.district = cfg->fleet.username ? cfg->fleet.username : "district";
	if (fleet_broker_config(cfg, &o, &hashed, &cause) != 0) {
		fleet_cli_fail("broker-config", EXIT_FAIL, "%s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	printf(_("wrote %s/mosquitto.conf, acl, passwords and a .pass file for each "
	    "of %zu stations and %s\n"), o.out, cfg->fleet.nstations, o.district);
	printf(_("the broker runs as %s: chown %s/passwords, acl and the "
	    "persistence directory to it\n"), o.user, o.out);
	if (!hashed)
		printf(_("mosquitto_passwd was not found: run `mosquitto_passwd -U "
		    "%s/passwords` before starting the broker\n"), o.out);

	return EXIT_OK;
}

const struct cmd_entry fleet_collect_entry = {
	.name = "collect",
	.args = { "period: out: to: timeout:", 0, 0 },
	.exec = fleet_collect,
};

const struct cmd_entry fleet_broker_entry = {
	.name = "broker-config",
	.args = { "out: port: bind: cafile: certfile: keyfile: persistence: user:", 0, 0 },
	.exec = fleet_broker,
};
