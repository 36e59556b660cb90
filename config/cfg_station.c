/* The station section: identity and time zone. */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/tz.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* A station code: letters, digits, '-' and '_', up to 32. */
int
conf_station_code_valid(const char *code)
{
	size_t n = 0;

	for (; *code != '\0'; code++, n++)
		if (!((*code >= 'A' && *code <= 'Z') || (*code >= 'a' && *code <= 'z') ||
		    (*code >= '0' && *code <= '9') || *code == '-' || *code == '_'))
			return 0;
	return n > 0 && n <= 32;
}

void
cfg_read_station(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "code", "name", "commune", "district",
		"province", "timezone", NULL };

	if (s == NULL) {
		cfg_problem(r, NULL, _("the 'station' section is missing; it needs at "
		    "least code and name"));
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'station' must be a group { ... }"));
		return;
	}
	cfg_check_members(r, s, names);
	if (cfg_string(r, s, "code", &c->station.code, 0) &&
	    !conf_station_code_valid(c->station.code))
		cfg_problem(r, config_setting_get_member(s, "code"),
		    _("station code '%s' may hold only letters, digits, '-' and '_' "
		    "(at most 32)"), c->station.code);
	else if (config_setting_get_member(s, "code") == NULL)
		cfg_problem(r, s, _("'code' is required in station (e.g. \"HY-KD-TT\")"));
	if (!cfg_string(r, s, "name", &c->station.name, 0) &&
	    config_setting_get_member(s, "name") == NULL)
		cfg_problem(r, s, _("'name' is required in station"));
	cfg_string(r, s, "commune", &c->station.commune, 1);
	cfg_string(r, s, "district", &c->station.district, 1);
	cfg_string(r, s, "province", &c->station.province, 1);
	if (cfg_string(r, s, "timezone", &c->station.timezone, 0) &&
	    !tz_known(c->station.timezone))
		cfg_problem(r, config_setting_get_member(s, "timezone"),
		    _("unknown time zone '%s' (not in the system's tz database; "
		    "e.g. \"Asia/Ho_Chi_Minh\")"), c->station.timezone);
}
