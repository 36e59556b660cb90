/*
 * The trust section: the district keys whose packages this station accepts
 * (auto_approve: their bulletins arrive approved) and the station keys whose
 * signed exports a district accepts. Keys are Ed25519 public keys in base64,
 * as `loaxa key generate` prints them.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* Decodes the base64 key member of g into key; reports FILE:LINE otherwise. */
static int
trust_key(struct cfg_reader *r, const config_setting_t *g, const char *what,
    unsigned char key[32])
{
	const config_setting_t *k = config_setting_get_member(g, "key");
	char *b64 = NULL;
	size_t len = 0;
	const char *end;
	int ok = 0;

	if (k == NULL) {
		cfg_problem(r, g, _("%s has no 'key' (the base64 public key that "
		    "`loaxa key generate` printed)"), what);
		return 0;
	}
	if (!cfg_string(r, g, "key", &b64, 0))
		return 0;
	if (sodium_base642bin(key, 32, b64, strlen(b64), " \t", &len, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0') {
		if (len == 32)
			cfg_problem(r, k, _("the key of %s is longer than an Ed25519 "
			    "public key (32 bytes)"), what);
		else
			cfg_problem(r, k, _("the key of %s is not valid base64"), what);
	} else if (len != 32)
		cfg_problem(r, k, _("the key of %s is %zu bytes; an Ed25519 public key "
		    "is 32 (paste what `loaxa key generate` printed)"), what, len);
	else
		ok = 1;
	free(b64);
	return ok;
}

/* Reads trust.districts: ( { name; key; auto_approve; }, ... ). */
static void
trust_districts(struct cfg_reader *r, const config_setting_t *l, struct config *c)
{
	static const char *const names[] = { "name", "key", "auto_approve", NULL };
	const config_setting_t *g;
	struct config_district d;
	char what[64];
	size_t i;
	int n;

	for (n = 0; (g = config_setting_get_elem(l, (unsigned)n)) != NULL; n++) {
		snprintf(what, sizeof what, _("district %d"), n + 1);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfg_problem(r, g, _("%s must be a group { name = ...; key = ...; }"),
			    what);
			continue;
		}
		cfg_check_members(r, g, names);
		memset(&d, 0, sizeof d);
		if (!cfg_string(r, g, "name", &d.name, 0) &&
		    config_setting_get_member(g, "name") == NULL)
			cfg_problem(r, g, _("%s has no 'name'"), what);
		cfg_bool(r, g, "auto_approve", &d.auto_approve);
		if (!trust_key(r, g, what, d.key) || d.name == NULL) {
			free(d.name);
			continue;
		}
		for (i = 0; i < c->trust.ndistricts; i++)
			if (memcmp(c->trust.districts[i].key, d.key, 32) == 0)
				cfg_problem(r, g, _("%s has the same key as '%s'"), what,
				    c->trust.districts[i].name);
		c->trust.districts = xreallocarray(c->trust.districts,
		    c->trust.ndistricts + 1, sizeof *c->trust.districts);
		c->trust.districts[c->trust.ndistricts++] = d;
	}
}

/* Reads trust.stations: ( { code; key; }, ... ). */
static void
trust_stations(struct cfg_reader *r, const config_setting_t *l, struct config *c)
{
	static const char *const names[] = { "code", "key", NULL };
	const config_setting_t *g;
	struct config_station_key s;
	char what[64];
	size_t i;
	int n;

	for (n = 0; (g = config_setting_get_elem(l, (unsigned)n)) != NULL; n++) {
		snprintf(what, sizeof what, _("station %d"), n + 1);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfg_problem(r, g, _("%s must be a group { code = ...; key = ...; }"),
			    what);
			continue;
		}
		cfg_check_members(r, g, names);
		memset(&s, 0, sizeof s);
		if (!cfg_string(r, g, "code", &s.code, 0) &&
		    config_setting_get_member(g, "code") == NULL)
			cfg_problem(r, g, _("%s has no 'code'"), what);
		if (!trust_key(r, g, what, s.key) || s.code == NULL) {
			free(s.code);
			continue;
		}
		/* Two keys for one code: which one would vouch for its exports? */
		for (i = 0; i < c->trust.nstations; i++)
			if (strcmp(c->trust.stations[i].code, s.code) == 0)
				cfg_problem(r, g, _("%s has the same code '%s' as station %zu; "
				    "list each station once, with its one key"), what, s.code,
				    i + 1);
		c->trust.stations = xreallocarray(c->trust.stations,
		    c->trust.nstations + 1, sizeof *c->trust.stations);
		c->trust.stations[c->trust.nstations++] = s;
	}
}

void
cfg_read_trust(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "districts", "stations", NULL };
	const config_setting_t *l;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'trust' must be a group { districts = ( ... ); "
		    "stations = ( ... ); }"));
		return;
	}
	cfg_check_members(r, s, names);
	if ((l = cfg_member(r, s, "districts", CONFIG_TYPE_LIST)) != NULL)
		trust_districts(r, l, c);
	if ((l = cfg_member(r, s, "stations", CONFIG_TYPE_LIST)) != NULL)
		trust_stations(r, l, c);
}
