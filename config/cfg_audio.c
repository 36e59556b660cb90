/* The audio section: the libao driver, its options, and loudness. */
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* libao's drivers on Debian, and "auto" (the default device, else null). */
static const char *const drivers[] = { "auto", "alsa", "pulse", "oss", "sndio",
	"null", "wav", "au", "raw", NULL };

/* Reads options = { name = "value"; ... } into the audio options. */
static void
audio_options(struct cfg_reader *r, const config_setting_t *o, struct config *c)
{
	const config_setting_t *m;
	struct config_option *opt;
	char buf[64];
	int i;

	for (i = 0; (m = config_setting_get_elem(o, (unsigned)i)) != NULL; i++) {
		c->audio.options = xreallocarray(c->audio.options,
		    c->audio.noptions + 1, sizeof *c->audio.options);
		opt = &c->audio.options[c->audio.noptions];
		switch (config_setting_type(m)) {
		case CONFIG_TYPE_STRING:
			if (!utf8_valid(config_setting_get_string(m))) {
				cfg_problem(r, m, _("option '%s' is not valid UTF-8"),
				    config_setting_name(m));
				continue;
			}
			opt->value = xstrdup(config_setting_get_string(m));
			break;
		case CONFIG_TYPE_INT:
		case CONFIG_TYPE_INT64:
			snprintf(buf, sizeof buf, "%lld",
			    (long long)config_setting_get_int64(m));
			opt->value = xstrdup(buf);
			break;
		case CONFIG_TYPE_BOOL:
			opt->value = xstrdup(config_setting_get_bool(m) ? "1" : "0");
			break;
		default:
			cfg_problem(r, m, _("driver option '%s' must be a string or an "
			    "integer"), config_setting_name(m));
			continue;
		}
		opt->name = xstrdup(config_setting_name(m));
		c->audio.noptions++;
	}
}

void
cfg_read_audio(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "driver", "options", "file", "realtime",
		"loudness_target", "true_peak", "fade_ms", NULL };
	const config_setting_t *o, *d;
	const char *hint;
	int known = 0, i;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_problem(r, s, _("'audio' must be a group { ... }"));
		return;
	}
	cfg_check_members(r, s, names);
	if (cfg_string(r, s, "driver", &c->audio.driver, 0)) {
		for (i = 0; drivers[i] != NULL; i++)
			if (strcmp(drivers[i], c->audio.driver) == 0)
				known = 1;
		if (!known) {
			d = config_setting_get_member(s, "driver");
			hint = cfg_suggest(c->audio.driver, drivers);
			if (hint != NULL)
				cfg_problem(r, d, _("unknown audio driver '%s'; did you "
				    "mean '%s'? (known: auto, alsa, pulse, oss, sndio, "
				    "null, wav, au, raw)"), c->audio.driver, hint);
			else
				cfg_problem(r, d, _("unknown audio driver '%s' (known: "
				    "auto, alsa, pulse, oss, sndio, null, wav, au, raw)"),
				    c->audio.driver);
		}
	}
	if ((o = cfg_member(r, s, "options", CONFIG_TYPE_GROUP)) != NULL)
		audio_options(r, o, c);
	cfg_string(r, s, "file", &c->audio.file, 1);
	cfg_bool(r, s, "realtime", &c->audio.realtime);
	cfg_float(r, s, "loudness_target", &c->audio.loudness_target, -40.0, -5.0);
	cfg_float(r, s, "true_peak", &c->audio.true_peak, -20.0, 0.0);
	cfg_int(r, s, "fade_ms", &c->audio.fade_ms, 0, 10000);
	if ((strcmp(c->audio.driver, "wav") == 0 || strcmp(c->audio.driver, "au") == 0 ||
	    strcmp(c->audio.driver, "raw") == 0) && c->audio.file[0] == '\0')
		cfg_problem(r, s, _("the '%s' driver writes a file: set audio.file"),
		    c->audio.driver);
}
