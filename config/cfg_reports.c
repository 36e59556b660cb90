/* The reports section: which reporting periods apply. */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

void
cfg_read_reports(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "periods", NULL };
	char *periods = NULL;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'reports' must be a group { ... }"));
		return;
	}
	cfg_check_members(r, s, names);
	if (cfg_string(r, s, "periods", &periods, 0)) {
		if (strcmp(periods, "calendar") == 0)
			c->reports.calendar_periods = 1;
		else if (strcmp(periods, "cutoff") == 0)
			c->reports.calendar_periods = 0;
		else
			cfg_problem(r, config_setting_get_member(s, "periods"),
			    _("'periods' is \"%s\"; it must be \"cutoff\" (15 Dec - 14 Jun, "
			    "14 Sep, 14 Dec) or \"calendar\""), periods);
	}
	free(periods);
}
