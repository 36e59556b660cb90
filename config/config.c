/* Finding, reading and freeing the configuration; the table of section readers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "config/cfg.h"

/* Every top-level section and its reader; later modules add theirs here. */
static const struct cfg_section sections[] = {
	{ "station", cfg_read_station },
	{ "paths", cfg_read_paths },
	{ "audio", cfg_read_audio },
	{ "topics", cfg_read_topics },
	{ "reports", cfg_read_reports },
	{ "trust", cfg_read_trust },
	{ "playlists", cfg_read_playlists },
	{ "timetable", cfg_read_timetable },
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/*
 * The embedded default: a demo station on the null output (or the sound
 * device when one is usable), data in ./loaxa-data, the seed's seven topics.
 */
static const char default_text[] =
    "station = {\n"
    "  code = \"DEMO\";\n"
    "  name = \"Đài truyền thanh xã (trình diễn)\";\n"
    "  commune = \"Toàn Thắng\";\n"
    "  district = \"Kim Động\";\n"
    "  province = \"Hưng Yên\";\n"
    "  timezone = \"Asia/Ho_Chi_Minh\";\n"
    "};\n"
    "paths = { data = \"./loaxa-data\"; };\n"
    "audio = { driver = \"auto\"; };\n";

const char *
conf_default_text(void)
{
	return default_text;
}

/* Sets every value a file may leave out. */
static void
conf_defaults(struct config *c)
{
	c->station.timezone = xstrdup("Asia/Ho_Chi_Minh");
	c->paths.data = xstrdup("./loaxa-data");
	c->audio.driver = xstrdup("auto");
	c->audio.file = xstrdup("");
	c->audio.realtime = 1;
	c->audio.loudness_target = -16.0;
	c->audio.true_peak = -1.0;
	c->audio.fade_ms = 1500;
}

/* Runs every section reader over a parsed libconfig tree. */
static void
conf_from_tree(struct cfg_reader *r, const config_t *lc, struct config *c)
{
	const char *names[NSECTIONS + 1];
	const config_setting_t *root = config_root_setting(lc), *s;
	size_t i;

	for (i = 0; i < NSECTIONS; i++)
		names[i] = sections[i].name;
	names[NSECTIONS] = NULL;
	cfg_check_members(r, root, (const char *const *)names);
	for (i = 0; i < NSECTIONS; i++) {
		s = config_setting_get_member(root, sections[i].name);
		sections[i].read(r, s, c);
	}
}

/* The line number in a problem "LABEL:LINE: ...", or 0. */
static long
conf_problem_line(const char *problem, size_t labellen)
{
	return problem[labellen] == ':' ? strtol(problem + labellen + 1, NULL, 10) : 0;
}

/* Orders the problems from first up by line, keeping the order within a line. */
static void
conf_sort_problems(struct config_problems *p, size_t from, const char *label)
{
	size_t i, j, len = strlen(label);
	char *tmp;

	for (i = from + 1; i < p->n; i++) {
		tmp = p->lines[i];
		for (j = i; j > from && conf_problem_line(p->lines[j - 1], len) >
		    conf_problem_line(tmp, len); j--)
			p->lines[j] = p->lines[j - 1];
		p->lines[j] = tmp;
	}
}

/* Reads from a file (text NULL) or from text, labelled label. */
static int
conf_parse(const char *path, const char *text, const char *label,
    struct config **out, struct config_problems *problems)
{
	struct cfg_reader r = { label, problems };
	size_t before = problems->n;
	struct config *c;
	struct stat st;
	config_t lc;
	int ok;

	*out = NULL;
	if (text == NULL) {
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    access(path, R_OK) != 0) {
			cfg_problem(&r, NULL, "cannot read the configuration: %s",
			    stat(path, &st) == 0 && !S_ISREG(st.st_mode) ?
			    "not a regular file" : strerror(errno));
			return -1;
		}
	}
	config_init(&lc);
	config_set_options(&lc, CONFIG_OPTION_AUTOCONVERT);
	ok = text == NULL ? config_read_file(&lc, path) : config_read_string(&lc, text);
	if (ok != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			cfg_problem(&r, NULL, "cannot read the configuration");
		else {
			char *line;

			xasprintf(&line, "%s:%d: %s", label, config_error_line(&lc),
			    config_error_text(&lc));
			problems->lines = xreallocarray(problems->lines,
			    problems->n + 1, sizeof *problems->lines);
			problems->lines[problems->n++] = line;
		}
		config_destroy(&lc);
		return -1;
	}
	c = xcalloc(1, sizeof *c);
	c->file = xstrdup(label);
	conf_defaults(c);
	conf_from_tree(&r, &lc, c);
	config_destroy(&lc);
	if (problems->n != before) {
		conf_sort_problems(problems, before, label);
		conf_free(&c);
		return -1;
	}
	*out = c;
	return 0;
}

int
conf_read(const char *path, struct config **out, struct config_problems *problems)
{
	if (path == NULL)
		return conf_read_string(default_text, CONFIG_DEFAULT_LABEL, out,
		    problems);
	return conf_parse(path, NULL, path, out, problems);
}

int
conf_read_string(const char *text, const char *label, struct config **out,
    struct config_problems *problems)
{
	return conf_parse(NULL, text, label, out, problems);
}

const char *
conf_find(const char *explicit_path)
{
	static const char *const candidates[] = { "./loaxa.conf",
		"/etc/loaxa/loaxa.conf" };
	const char *env;
	size_t i;

	if (explicit_path != NULL)
		return explicit_path;
	env = getenv("LOAXA_CONFIG");
	if (env != NULL && env[0] != '\0')
		return env;
	for (i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		if (access(candidates[i], F_OK) == 0)
			return candidates[i];
	return NULL;
}

int
conf_load(const char *explicit_path, struct config **out, FILE *errs)
{
	struct config_problems p = { 0 };
	size_t i;
	int rc;

	rc = conf_read(conf_find(explicit_path), out, &p);
	for (i = 0; i < p.n; i++)
		fprintf(errs, "%s\n", p.lines[i]);
	conf_problems_clear(&p);
	return rc;
}

const struct config_topic *
conf_topic(const struct config *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->ntopics; i++)
		if (strcmp(c->topics[i].key, key) == 0)
			return &c->topics[i];
	return NULL;
}

void
conf_problems_clear(struct config_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->lines[i]);
	free(p->lines);
	p->lines = NULL;
	p->n = 0;
}

void
conf_free(struct config **cp)
{
	struct config *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	free(c->file);
	free(c->station.code);
	free(c->station.name);
	free(c->station.commune);
	free(c->station.district);
	free(c->station.province);
	free(c->station.timezone);
	free(c->paths.data);
	free(c->paths.inbox);
	free(c->audio.driver);
	for (i = 0; i < c->audio.noptions; i++) {
		free(c->audio.options[i].name);
		free(c->audio.options[i].value);
	}
	free(c->audio.options);
	free(c->audio.file);
	for (i = 0; i < c->ntopics; i++) {
		free(c->topics[i].key);
		free(c->topics[i].name);
	}
	free(c->topics);
	for (i = 0; i < c->trust.ndistricts; i++)
		free(c->trust.districts[i].name);
	free(c->trust.districts);
	for (i = 0; i < c->trust.nstations; i++)
		free(c->trust.stations[i].code);
	free(c->trust.stations);
	for (i = 0; i < c->nplaylists; i++)
		cfg_playlist_clear(&c->playlists[i]);
	free(c->playlists);
	for (i = 0; i < c->nslots; i++)
		cfg_slot_clear(&c->slots[i]);
	free(c->slots);
	free(c);
	*cp = NULL;
}
