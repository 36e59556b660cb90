/* The paths section: the data directory and the package inbox. */
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

void
cfg_read_paths(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "data", "inbox", NULL };

	if (s != NULL && config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'paths' must be a group { ... }"));
		s = NULL;
	}
	if (s != NULL) {
		cfg_check_members(r, s, names);
		cfg_string(r, s, "data", &c->paths.data, 0);
		cfg_string(r, s, "inbox", &c->paths.inbox, 0);
	}
	if (c->paths.inbox == NULL)
		xasprintf(&c->paths.inbox, "%s/inbox", c->paths.data);
}
