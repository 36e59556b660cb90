/*
 * The fleet section (the district's side, `loaxa fleet`): its broker, how
 * it logs in (TLS with a CA, a client certificate and key, or a user name
 * and password file), the district's signing key, the default expiry of
 * its commands and how long it waits for acknowledgements, and its
 * stations: each with its code, its topic prefix, its export key and the
 * groups it belongs to.
 */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/key.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* A group name: letters, digits, '-' and '_', up to 32, and not "all". */
static int
fleet_group_valid(struct cfg_reader *r, const config_setting_t *e, const char *v,
    const struct config *c)
{
	(void)c;
	if (conf_station_code_valid(v) && strcmp(v, "all") != 0)
		return 1;
	cfg_problem(r, e, _("group '%s' may hold only letters, digits, '-' and '_' "
	    "(at most 32), and is not 'all'"), v);
	return 0;
}

/* A topic prefix: levels without wildcards, no empty level, no '/' at an end. */
static int
fleet_prefix_valid(const char *p)
{
	size_t n = strlen(p);

	return n > 0 && n <= 200 && p[0] != '/' && p[n - 1] != '/' &&
	    strstr(p, "//") == NULL && strpbrk(p, "+#") == NULL;
}

/* Reads one station { code; prefix; key; groups; } into s; 0 when it is bad. */
static int
fleet_station(struct cfg_reader *r, const config_setting_t *g, int n,
    struct config *c, struct config_fleet_station *s)
{
	static const char *const names[] = { "code", "prefix", "key", "groups", NULL };
	const config_setting_t *k;
	char *b64 = NULL;
	size_t i;
	int ok = 1;

	memset(s, 0, sizeof *s);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, g, _("fleet station %d must be a group { code = ...; "
		    "prefix = ...; }"), n);
		return 0;
	}
	cfg_check_members(r, g, names);
	if (!cfg_string(r, g, "code", &s->code, 0)) {
		if (config_setting_get_member(g, "code") == NULL)
			cfg_problem(r, g, _("fleet station %d has no 'code'"), n);
		ok = 0;
	} else if (!conf_station_code_valid(s->code)) {
		cfg_problem(r, config_setting_get_member(g, "code"), _("station code "
		    "'%s' may hold only letters, digits, '-' and '_' (at most 32)"),
		    s->code);
		ok = 0;
	}
	if (!cfg_string(r, g, "prefix", &s->prefix, 0)) {
		if (config_setting_get_member(g, "prefix") == NULL)
			cfg_problem(r, g, _("fleet station %d has no 'prefix' (its topic "
			    "prefix, e.g. \"loaxa/v1/01/001/00001\")"), n);
		ok = 0;
	} else if (!fleet_prefix_valid(s->prefix)) {
		cfg_problem(r, config_setting_get_member(g, "prefix"), _("prefix '%s' "
		    "is not a topic prefix (levels joined by '/', no '+' or '#', no '/' "
		    "at either end)"), s->prefix);

		ok = 0;
	}
	if ((k = config_setting_get_member(g, "key")) != NULL &&
	    cfg_string(r, g, "key", &b64, 0)) {
		if (key_public_decode(b64, s->key) != 0) {
			cfg_problem(r, k, _("the key of fleet station %d is not a base64 "
			    "Ed25519 public key (32 bytes)"), n);
			ok = 0;
		} else
			s->has_key = 1;
	}
	free(b64);
	if (!cfg_strings(r, g, "groups", NULL, &s->groups, &s->ngroups, c,
	    fleet_group_valid))
		ok = 0;
	for (i = 0; ok && i < c->fleet.nstations; i++) {
		if (strcmp(c->fleet.stations[i].code, s->code) == 0) {
			cfg_problem(r, g, _("fleet station %d has the same code '%s' as "
			    "station %zu"), n, s->code, i + 1);
			ok = 0;
		} else if (strcmp(c->fleet.stations[i].prefix, s->prefix) == 0) {
			cfg_problem(r, g, _("fleet station %d has the same prefix as "
			    "station %zu"), n, i + 1);
			ok = 0;
		}
	}
	return ok;
}

/* Frees what one fleet station holds. */
void
cfg_fleet_station_clear(struct config_fleet_station *s)
{
	size_t i;

	free(s->code);
	free(s->prefix);
	for (i = 0; i < s->ngroups; i++)
		free(s->groups[i]);
	free(s->groups);
}

/* Checks that no group is also a station's code (--to would be ambiguous). */
static void
fleet_groups_apart(struct cfg_reader *r, const config_setting_t *l,
    const struct config *c)
{
	size_t i, k, g;

	for (i = 0; i < c->fleet.nstations; i++)
		for (g = 0; g < c->fleet.stations[i].ngroups; g++)
			for (k = 0; k < c->fleet.nstations; k++)
				if (strcmp(c->fleet.stations[i].groups[g],
				    c->fleet.stations[k].code) == 0)
					cfg_problem(r, l, _("group '%s' of station %s is also "
					    "a station's code"), c->fleet.stations[i].groups[g],
					    c->fleet.stations[i].code);
}

void
cfg_read_fleet(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "host", "port", "cafile", "certfile",
		"keyfile", "username", "password_file", "client_id", "signing_key",
		"expiry", "ack_timeout", "stations", "protocol", NULL };
	struct config_fleet *f = &c->fleet;
	struct config_fleet_station st;
	const config_setting_t *l, *g;
	int n;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'fleet' must be a group { host = ...; stations = "
		    "( ... ); }"));
		return;
	}
	f->present = 1;
	f->expiry = 600;
	f->ack_timeout = 30;
	cfg_check_members(r, s, names);
	if (!cfg_string(r, s, "host", &f->host, 0) &&
	    config_setting_get_member(s, "host") == NULL)
		cfg_problem(r, s, _("'host' is required in fleet (the broker's address)"));
	cfg_string(r, s, "cafile", &f->cafile, 0);
	cfg_string(r, s, "certfile", &f->certfile, 0);
	cfg_string(r, s, "keyfile", &f->keyfile, 0);
	cfg_string(r, s, "username", &f->username, 0);
	cfg_string(r, s, "password_file", &f->password_file, 0);
	cfg_string(r, s, "client_id", &f->client_id, 0);
	f->port = f->cafile != NULL ? 8883 : 1883;
	cfg_int(r, s, "port", &f->port, 1, 65535);
	cfg_int(r, s, "expiry", &f->expiry, 10, 7 * 86400);
	cfg_int(r, s, "ack_timeout", &f->ack_timeout, 1, 3600);
	cfg_mqtt_protocol(r, s, &f->mqtt_v311);
	if ((f->certfile == NULL) != (f->keyfile == NULL))
		cfg_problem(r, s, _("fleet: 'certfile' and 'keyfile' go together (the "
		    "client certificate and its key)"));
	if (f->certfile != NULL && f->cafile == NULL)
		cfg_problem(r, s, _("fleet: a client certificate needs 'cafile' (TLS)"));
	if (f->password_file != NULL && f->username == NULL)
		cfg_problem(r, s, _("fleet: 'password_file' needs 'username'"));
	if (!cfg_string(r, s, "signing_key", &f->signing_key, 0) &&
	    config_setting_get_member(s, "signing_key") == NULL)
		cfg_problem(r, s, _("'signing_key' is required in fleet (the district's "
		    "key file from `loaxa key generate`)"));
	if ((l = cfg_member(r, s, "stations", CONFIG_TYPE_LIST)) == NULL) {
		if (config_setting_get_member(s, "stations") == NULL)
			cfg_problem(r, s, _("'stations' is required in fleet: ( { code = "
			    "...; prefix = ...; }, ... )"));
		return;
	}
	for (n = 0; (g = config_setting_get_elem(l, (unsigned)n)) != NULL; n++) {
		if (!fleet_station(r, g, n + 1, c, &st)) {
			cfg_fleet_station_clear(&st);
			continue;
		}
		f->stations = xreallocarray(f->stations, f->nstations + 1,
		    sizeof *f->stations);
		f->stations[f->nstations++] = st;
	}
	fleet_groups_apart(r, l, c);
}
