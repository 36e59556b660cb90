/*
 * A Mosquitto configuration for the district's broker (`fleet
 * broker-config`): one TLS listener, persistence on, a user per station
 * (station-CODE, the name a client certificate's CN gives too) and one for
 * the district, and an ACL that names every station's full prefix: a
 * station reads and writes under its own PREFIX/up/ and reads its own
 * PREFIX/down/; only the district reads every up/ and writes every down/.
 * No `pattern` lines: %c is whatever client id a client chooses.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "config/config.h"
#include "fleet/fleet.h"

extern char **environ;

/* Opens DIR/name for writing with mode; NULL with *cause. */
static FILE *
br_open(const char *dir, const char *name, mode_t mode, char **cause)
{
	char *path;
	FILE *f = NULL;
	int fd;

	xasprintf(&path, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0 ||
	    fchmod(fd, mode) != 0 || (f = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	free(path);
	return f;
}

/* Closes f, checking that everything was written. */
static int
br_close(FILE *f, const char *dir, const char *name, char **cause)
{
	if (ferror(f) | fclose(f)) {
		xasprintf(cause, "%s/%s: cannot write it", dir, name);
		return -1;
	}
	return 0;
}

/* A fresh password: 24 characters of URL-safe base64. */
static void
br_password(char out[33])
{
	unsigned char r[18];

	randombytes_buf(r, sizeof r);
	sodium_bin2base64(out, 33, r, sizeof r, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Runs mosquitto_passwd -U on path; 1 when it hashed the file. */
static int
br_hash(const char *path)
{
	char *argv[] = { (char *)"mosquitto_passwd", (char *)"-U", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return 0;
	}
	posix_spawn_file_actions_destroy(&fa);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
}

/* Writes the user's password to DIR/USER.pass and its line to pw. */
static int
br_user(const char *dir, const char *user, FILE *pw, char **cause)
{
	char pass[33], *name;
	FILE *f;
	int rc;

	br_password(pass);
	xasprintf(&name, "%s.pass", user);
	if ((f = br_open(dir, name, 0600, cause)) == NULL) {
		free(name);
		return -1;
	}
	fprintf(f, "%s\n", pass);
	rc = br_close(f, dir, name, cause);
	free(name);
	fprintf(pw, "%s:%s\n", user, pass);
	sodium_memzero(pass, sizeof pass);
	return rc;
}

static int
br_conf(const struct config *cfg, const struct fleet_broker_opts *o, char **cause)
{
	FILE *f;

	if ((f = br_open(o->out, "mosquitto.conf", 0644, cause)) == NULL)
		return -1;
	fprintf(f, "# The district broker of %s, written by `loaxa fleet "
	    "broker-config`.\n# Install: copy this directory to /etc/mosquitto/loaxa, "
	    "include this file\n# from /etc/mosquitto/mosquitto.conf (or use it as "
	    "that file), then\n# systemctl restart mosquitto. Give each commune its "
	    "station-CODE.pass.\n", cfg->station.name ? cfg->station.name :
	    cfg->station.code);
	fprintf(f, "# It reads the files below as this user: chown them to it.\n"
	    "user %s\nper_listener_settings false\nallow_anonymous false\n", o->user);
	fprintf(f, "password_file %s/passwords\nacl_file %s/acl\n", o->out, o->out);
	fprintf(f, "persistence true\npersistence_location %s/\n"
	    "autosave_interval 60\n", o->persistence);
	fprintf(f, "# Chunks of a package wait for a station that is away.\n"
	    "max_queued_messages 100000\nmax_queued_bytes 0\n"
	    "persistent_client_expiration 30d\nmessage_size_limit 0\n"
	    "connection_messages true\n\n");
	fprintf(f, "listener %d%s%s\nprotocol mqtt\n", o->port, o->bind ? " " : "",
	    o->bind ? o->bind : "");
	fprintf(f, "certfile %s\nkeyfile %s\n", o->certfile, o->keyfile);
	if (o->cafile != NULL)
		fprintf(f, "cafile %s\n", o->cafile);
	fprintf(f, "tls_version tlsv1.2\nrequire_certificate false\n"
	    "# With client certificates (the CN station-CODE or %s) in place of\n"
	    "# passwords: cafile of your CA, then\n#require_certificate true\n"
	    "#use_identity_as_username true\n", o->district);
	return br_close(f, o->out, "mosquitto.conf", cause);
}

int
fleet_broker_config(const struct config *cfg, const struct fleet_broker_opts *o,
    int *hashed, char **cause)
{
	const struct config_fleet *fl = &cfg->fleet;
	char *user, *path, *other = NULL;
	FILE *acl, *pw;
	size_t i;
	int rc = 0;

	*hashed = 0;
	if (sodium_init() < 0) {
		xasprintf(cause, "cannot initialise libsodium");
		return -1;
	}
	if (mkdir(o->out, 0750) != 0 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", o->out, strerror(errno));
		return -1;
	}
	if (br_conf(cfg, o, cause) != 0)
		return -1;
	if ((acl = br_open(o->out, "acl", 0644, cause)) == NULL)
		return -1;
	if ((pw = br_open(o->out, "passwords", 0600, cause)) == NULL) {
		fclose(acl);
		return -1;
	}
	fprintf(acl, "# Each station only under its own prefix; only %s writes "
	    "down.\n", o->district);
	for (i = 0; i < fl->nstations && rc == 0; i++) {
		xasprintf(&user, "station-%s", fl->stations[i].code);
		fprintf(acl, "\nuser %s\ntopic readwrite %s/up/#\ntopic read %s/down/#\n",
		    user, fl->stations[i].prefix, fl->stations[i].prefix);
		rc = br_user(o->out, user, pw, cause);
		free(user);
	}
	fprintf(acl, "\nuser %s\n", o->district);
	for (i = 0; i < fl->nstations; i++)
		fprintf(acl, "topic read %s/up/#\ntopic write %s/down/#\n",
		    fl->stations[i].prefix, fl->stations[i].prefix);
	if (rc == 0)
		rc = br_user(o->out, o->district, pw, cause);
	if (br_close(acl, o->out, "acl", rc == 0 ? cause : &other) != 0)
		rc = -1;
	if (br_close(pw, o->out, "passwords", rc == 0 ? cause : &other) != 0)
		rc = -1;
	free(other);
	if (rc != 0)
		return -1;
	xasprintf(&path, "%s/passwords", o->out);
	*hashed = br_hash(path);
	free(path);
	return 0;
}
