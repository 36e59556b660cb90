/* The web section: where `loaxa web` listens, its HTTPS key pair, the upload limit. */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

void
cfg_read_web(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "address", "port", "tls_cert", "tls_key",
	    "upload_max_mb", NULL };
	const config_setting_t *at;
	int have_cert, have_key;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'web' must be a group { ... }"));
		return;
	}
	cfg_check_members(r, s, names);
	if (cfg_string(r, s, "address", &c->web.address, 0) &&
	    strspn(c->web.address, "0123456789.:abcdefABCDEF") !=
	    strlen(c->web.address))
		cfg_problem(r, config_setting_get_member(s, "address"),
		    _("'address' is \"%s\"; it must be an IPv4 or IPv6 address such as "
		    "\"127.0.0.1\""), c->web.address);
	cfg_int(r, s, "port", &c->web.port, 1, 65535);
	cfg_int(r, s, "upload_max_mb", &c->web.upload_max_mb, 1, 2048);
	have_cert = cfg_string(r, s, "tls_cert", &c->web.tls_cert, 1) &&
	    c->web.tls_cert[0] != '\0';
	have_key = cfg_string(r, s, "tls_key", &c->web.tls_key, 1) &&
	    c->web.tls_key[0] != '\0';
	if (have_cert != have_key) {
		at = config_setting_get_member(s, have_cert ? "tls_cert" : "tls_key");
		cfg_problem(r, at, _("'tls_cert' and 'tls_key' go together: HTTPS needs "
		    "both the certificate and its private key"));
	}
}
