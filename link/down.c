/* What the down handlers share: the trusted keys, acks, notes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/json.h"

#include "common/log.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "link/down.h"

struct lib_trusted *
link_trusted(const struct link_env *env, size_t *n)
{
	const struct config_trust *t = &env->cfg->trust;
	struct lib_trusted *tr = xcalloc(t->ndistricts + 1, sizeof *tr);
	size_t i;

	for (i = 0; i < t->ndistricts; i++) {
		tr[i].name = t->districts[i].name;
		tr[i].key = t->districts[i].key;
		tr[i].auto_approve = t->districts[i].auto_approve;
	}
	*n = t->ndistricts;
	return tr;
}

void
link_ack(struct link_env *env, const char *kind, const char *id,
    const char *fields, int ok, const char *why)
{
	char *msg_id, *qid, *qwhy, *json;

	xasprintf(&msg_id, "%s:%s:%s", env->cfg->station.code, kind, id);
	qid = json_quote(msg_id);
	qwhy = json_quote(why);
	xasprintf(&json, "{\"msg_id\":%s,%s%s\"ok\":%s,\"why\":%s}", qid,
	    fields != NULL ? fields : "", fields != NULL ? "," : "",
	    ok ? "true" : "false", qwhy);
	if (env->publish(env->arg, "up/ack", json, strlen(json), 1, 0) != 0)
		log_warn(_("link: %s: the acknowledgement could not be queued"), msg_id);
	free(json);
	free(qwhy);
	free(qid);
	free(msg_id);
}

void
link_say(struct link_env *env, const char *what, int warn, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	xvasprintf(&text, fmt, ap);
	va_end(ap);
	if (warn)
		log_warn("link: %s: %s", what, text);
	else
		log_info("link: %s: %s", what, text);
	if (env->note != NULL)
		env->note(env->arg, what, text);
	free(text);
}
