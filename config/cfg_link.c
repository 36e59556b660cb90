/*
 * The link section: how `loaxa link` reaches the district's MQTT broker
 * (host, port, TLS files, the station's credentials), under which topic
 * prefix it speaks, and its timers. Without the section the station has no
 * link. Whether the files can be read is checked by conf_link_files, not
 * here: the playout daemon reads this configuration too and must not fail
 * for a key only the link uses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/tag.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* Whether p is a topic prefix of version 1: loaxa/v1/PP/DDD/SSSSS, digits. */
int
conf_link_prefix_valid(const char *p)
{
	static const char form[] = "loaxa/v1/99/999/99999";
	size_t i;

	if (strlen(p) != sizeof form - 1)
		return 0;
	for (i = 0; form[i] != '\0'; i++) {
		if (form[i] == '9' ? (p[i] < '0' || p[i] > '9') : p[i] != form[i])
			return 0;
	}
	return 1;
}

/* An MQTT client id brokers take: 1 to 64 of letters, digits, '-' and '_'. */
static int
link_client_id_valid(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n <= 64 && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/*
 * A group the station belongs to (district commands may name it): a tag,
 * not "all", and not the station's own code (a command's targets would be
 * ambiguous).
 */
static int
link_group_valid(struct cfg_reader *r, const config_setting_t *e, const char *v,
    const struct config *c)
{
	if (!tag_ok(v))
		cfg_problem(r, e, _("group '%s' is not a group name: a group name is "
		    "1 to 32 of a-z, 0-9, '-' and '_' (lower case), starting with a "
		    "letter or digit"), v);

	else if (strcmp(v, "all") == 0)
		cfg_problem(r, e, _("'all' is not a group name (a district sends to all "
		    "stations without one)"));
	else if (c->station.code != NULL && strcmp(v, c->station.code) == 0)
		cfg_problem(r, e, _("group '%s' is the station's code; a group is a "
		    "name several stations share"), v);
	else
		return 1;
	return 0;
}

void
cfg_mqtt_protocol(struct cfg_reader *r, const config_setting_t *s, int *v311)
{
	char *v = NULL;

	*v311 = 0;
	if (!cfg_string(r, s, "protocol", &v, 0))
		return;
	if (strcmp(v, "3.1.1") == 0)
		*v311 = 1;
	else if (strcmp(v, "5") != 0)
		cfg_problem(r, config_setting_get_member(s, "protocol"),
		    _("'protocol' is \"%s\"; it must be \"5\" or \"3.1.1\" (the "
		    "MQTT version the broker speaks)"), v);
	free(v);
}

/* Reads a string member into *out and its line into *line. */
static void
link_string(struct cfg_reader *r, const config_setting_t *s, const char *name,
    char **out, int *line)
{
	if (cfg_string(r, s, name, out, 0))
		*line = cfg_line(config_setting_get_member(s, name));
}

void
cfg_read_link(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "host", "port", "ca_file", "cert_file",
		"key_file", "username", "password_file", "topic_prefix", "client_id",
		"keepalive", "reconnect_min", "reconnect_max", "groups", "protocol",
		"district_timetable", NULL };
	struct config_link *l = &c->link;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'link' must be a group { host = ...; ... }"));
		return;
	}
	l->enabled = 1;
	l->line = cfg_line(s);
	l->port = 8883;
	l->keepalive = 60;
	l->reconnect_min = 1;
	l->reconnect_max = 60;
	cfg_check_members(r, s, names);
	if (!cfg_string(r, s, "host", &l->host, 0) &&
	    config_setting_get_member(s, "host") == NULL)
		cfg_problem(r, s, _("'host' is required in link (the broker's name or "
		    "address)"));
	cfg_int(r, s, "port", &l->port, 1, 65535);
	link_string(r, s, "ca_file", &l->ca_file, &l->ca_line);
	link_string(r, s, "cert_file", &l->cert_file, &l->cert_line);
	link_string(r, s, "key_file", &l->key_file, &l->key_line);
	cfg_string(r, s, "username", &l->username, 0);
	link_string(r, s, "password_file", &l->password_file, &l->password_line);
	if (config_setting_get_member(s, "ca_file") == NULL)
		cfg_problem(r, s, _("'ca_file' is required in link (the CA that signed "
		    "the broker's certificate: the link speaks only TLS)"));
	if ((config_setting_get_member(s, "cert_file") == NULL) !=
	    (config_setting_get_member(s, "key_file") == NULL))
		cfg_problem(r, s, _("link needs both 'cert_file' and 'key_file' (the "
		    "station's client certificate and its key), or neither"));
	if ((config_setting_get_member(s, "username") == NULL) !=
	    (config_setting_get_member(s, "password_file") == NULL))
		cfg_problem(r, s, _("link needs both 'username' and 'password_file', "
		    "or neither"));
	if (config_setting_get_member(s, "cert_file") == NULL &&
	    config_setting_get_member(s, "username") == NULL)
		cfg_problem(r, s, _("link needs the station's credentials: 'cert_file' "
		    "and 'key_file', or 'username' and 'password_file'"));
	if (cfg_string(r, s, "topic_prefix", &l->topic_prefix, 0) &&
	    !conf_link_prefix_valid(l->topic_prefix))
		cfg_problem(r, config_setting_get_member(s, "topic_prefix"),
		    _("'topic_prefix' is \"%s\"; it must be loaxa/v1/PROVINCE/DISTRICT/"
		    "STATION with the administrative codes (2, 3 and 5 digits), e.g. "
		    "\"loaxa/v1/01/001/00001\""), l->topic_prefix);
	else if (config_setting_get_member(s, "topic_prefix") == NULL)
		cfg_problem(r, s, _("'topic_prefix' is required in link (e.g. "
		    "\"loaxa/v1/01/001/00001\")"));
	if (cfg_string(r, s, "client_id", &l->client_id, 0) &&
	    !link_client_id_valid(l->client_id))
		cfg_problem(r, config_setting_get_member(s, "client_id"),
		    _("'client_id' may hold only letters, digits, '-' and '_' (at "
		    "most 64)"));
	if (l->client_id == NULL && c->station.code != NULL)
		xasprintf(&l->client_id, "station-%s", c->station.code);
	cfg_strings(r, s, "groups", "link", &l->groups, &l->ngroups, c,
	    link_group_valid);
	cfg_bool(r, s, "district_timetable", &l->district_timetable);
	cfg_int(r, s, "keepalive", &l->keepalive, 5, 65535);
	cfg_mqtt_protocol(r, s, &l->mqtt_v311);
	cfg_int(r, s, "reconnect_min", &l->reconnect_min, 1, 3600);
	cfg_int(r, s, "reconnect_max", &l->reconnect_max, 1, 86400);
	if (l->reconnect_max < l->reconnect_min)
		cfg_problem(r, config_setting_get_member(s, "reconnect_max"),
		    _("'reconnect_max' (%d s) is less than 'reconnect_min' (%d s)"),
		    l->reconnect_max, l->reconnect_min);
}

/* Adds "FILE:LINE: link.NAME: PATH: why" when path is not a readable file. */
static void
link_file(const struct config *c, const char *name, const char *path, int line,
    struct config_problems *p)
{
	struct stat st;
	const char *why = NULL;
	char *msg;

	if (path == NULL)
		return;
	if (stat(path, &st) != 0 || access(path, R_OK) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = _("not a regular file");
	if (why == NULL)
		return;
	xasprintf(&msg, "%s:%d: link.%s: %s: %s", c->file, line, name, path, why);
	p->lines = xreallocarray(p->lines, p->n + 1, sizeof *p->lines);
	p->lines[p->n++] = msg;
}

int
conf_link_files(const struct config *c, struct config_problems *p)
{
	size_t before = p->n;

	if (!c->link.enabled)
		return 0;
	link_file(c, "ca_file", c->link.ca_file, c->link.ca_line, p);
	link_file(c, "cert_file", c->link.cert_file, c->link.cert_line, p);
	link_file(c, "key_file", c->link.key_file, c->link.key_line, p);
	link_file(c, "password_file", c->link.password_file, c->link.password_line, p);
	return p->n == before ? 0 : -1;
}
