/*
 * The relay section: the live sources a relay slot may name (tiếp sóng),
 * each a network stream (url) or a sound card input (capture), and how long
 * a source may deliver only silence before the slot's fallback airs. Only
 * what is named here can be relayed: clients of the relay service give a
 * name, never a URL.
 */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* Whether url is an http:// or https:// address with a host. */
static int
relay_url_ok(const char *url)
{
	const char *rest;

	if (strncmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return 0;
	return *rest != '\0' && *rest != '/' && strpbrk(url, " \t\r\n") == NULL;
}

/* Whether capture is "pulse", "pulse:SOURCE", "alsa" or "alsa:DEVICE". */
static int
relay_capture_ok(const char *capture)
{
	return strcmp(capture, "pulse") == 0 || strncmp(capture, "pulse:", 6) == 0 ||
	    strcmp(capture, "alsa") == 0 || strncmp(capture, "alsa:", 5) == 0;
}

/* Reads one source group; returns 0 when it has a problem. */
static int
relay_source(struct cfg_reader *r, const config_setting_t *g, int n, struct config *c,
    struct config_relay_source *src)
{
	static const char *const names[] = { "name", "url", "capture", NULL };
	char what[96];
	size_t i;
	int ok = 1;

	memset(src, 0, sizeof *src);
	src->line = cfg_line(g);
	cfg_check_members(r, g, names);
	if (!cfg_string(r, g, "name", &src->name, 0)) {
		if (config_setting_get_member(g, "name") == NULL)
			cfg_problem(r, g, _("relay source %d has no 'name' (slots name it "
			    "with relay = \"...\")"), n + 1);
		return 0;
	}
	snprintf(what, sizeof what, _("relay source '%s'"), src->name);
	for (i = 0; i < c->relay.nsources; i++)
		if (strcmp(c->relay.sources[i].name, src->name) == 0) {
			cfg_problem(r, config_setting_get_member(g, "name"), _("%s is "
			    "defined twice (first on line %d)"), what,
			    c->relay.sources[i].line);
			ok = 0;
		}
	cfg_string(r, g, "url", &src->url, 0);
	cfg_string(r, g, "capture", &src->capture, 0);
	if (src->url != NULL && src->capture != NULL) {
		cfg_problem(r, config_setting_get_member(g, "capture"), _("%s has both "
		    "'url' and 'capture'; give one"), what);
		ok = 0;
	} else if (src->url == NULL && src->capture == NULL) {
		cfg_problem(r, g, _("%s needs 'url' (\"https://...\") or 'capture' "
		    "(\"pulse:SOURCE\", \"alsa:hw:1\")"), what);
		ok = 0;
	} else if (src->url != NULL && !relay_url_ok(src->url)) {
		cfg_problem(r, config_setting_get_member(g, "url"), _("%s: 'url' is "
		    "\"%s\"; it must be an http:// or https:// address"), what, src->url);
		ok = 0;
	} else if (src->capture != NULL && !relay_capture_ok(src->capture)) {
		cfg_problem(r, config_setting_get_member(g, "capture"), _("%s: "
		    "'capture' is \"%s\"; it must be \"pulse:SOURCE\" or "
		    "\"alsa:DEVICE\""), what, src->capture);
		ok = 0;
	}
	return ok;
}

void
cfg_relay_source_clear(struct config_relay_source *src)
{
	free(src->name);
	free(src->url);
	free(src->capture);
	memset(src, 0, sizeof *src);
}

void
cfg_read_relay(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "sources", "silence_s", NULL };
	const config_setting_t *l, *g;
	struct config_relay_source src;
	int n;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'relay' must be a group { sources = ( ... ); ... }"));
		return;
	}
	cfg_check_members(r, s, names);
	cfg_int(r, s, "silence_s", &c->relay.silence_s, 2, 600);
	if ((l = cfg_member(r, s, "sources", CONFIG_TYPE_LIST)) == NULL)
		return;
	for (n = 0; (g = config_setting_get_elem(l, (unsigned)n)) != NULL; n++) {
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfg_problem(r, g, _("relay source %d must be a group { name = ...; "
			    "url = ...; }"), n + 1);
			continue;
		}
		if (!relay_source(r, g, n, c, &src)) {
			cfg_relay_source_clear(&src);
			continue;
		}
		c->relay.sources = xreallocarray(c->relay.sources, c->relay.nsources + 1,
		    sizeof *c->relay.sources);
		c->relay.sources[c->relay.nsources++] = src;
	}
}

const struct config_relay_source *
conf_relay_source(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->relay.nsources; i++)
		if (strcmp(c->relay.sources[i].name, name) == 0)
			return &c->relay.sources[i];
	return NULL;
}
