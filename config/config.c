/* Finding, reading and freeing the configuration; the table of section readers. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

/* Every top-level section and its reader; later modules add theirs here. */
static const struct cfg_section sections[] = {
	{ "station", cfg_read_station },
	{ "paths", cfg_read_paths },
	{ "audio", cfg_read_audio },
	{ "topics", cfg_read_topics },
	{ "reports", cfg_read_reports },
	{ "web", cfg_read_web },
	{ "trust", cfg_read_trust },
	{ "relay", cfg_read_relay },
	{ "playlists", cfg_read_playlists },
	{ "timetable", cfg_read_timetable },
	{ "fleet", cfg_read_fleet },
	{ "link", cfg_read_link },
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
	c->web.address = xstrdup("127.0.0.1");
	c->web.port = 8080;
	c->web.tls_cert = xstrdup("");
	c->web.tls_key = xstrdup("");
	c->web.upload_max_mb = 200;
	c->relay.silence_s = 10;
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

void
cfg_sort_problems(struct config_problems *p, size_t from, const char *label)
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

/* The largest configuration file read: far more than any station needs. */
#define CONF_MAX_SIZE (1024 * 1024)

/* Adds "LABEL:LINE: message" to problems. */
static void __attribute__((format(printf, 4, 5)))
conf_line_problem(struct config_problems *p, const char *label, int line,
    const char *fmt, ...)
{
	va_list ap;
	char *msg, *full;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&full, "%s:%d: %s", label, line, msg);
	free(msg);
	p->lines = xreallocarray(p->lines, p->n + 1, sizeof *p->lines);
	p->lines[p->n++] = full;
}

/*
 * The line of text's first @include (a line whose first non-blank it is,
 * as libconfig's scanner takes it), else 0.
 */
static int
conf_include_line(const char *text)
{
	const char *s = text;
	int line = 1;

	for (;;) {
		s += strspn(s, " \t\r\f\v");
		if (strncmp(s, "@include", 8) == 0)
			return line;
		if ((s = strchr(s, '\n')) == NULL)
			return 0;
		s++;
		line++;
	}
}

/*
 * Reads the whole file at path into a string the caller frees. Reading it
 * here rather than in libconfig keeps a read error (EIO from /proc/self/mem,
 * say) ours: libconfig's scanner exits the process on one. Returns NULL with
 * the reason in *why (static text or strerror) on failure.
 */
static char *
conf_slurp(const char *path, size_t *len, const char **why)
{
	char *buf = xmalloc(CONF_MAX_SIZE + 1);
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rbe")) == NULL) {
		*why = strerror(errno);
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, CONF_MAX_SIZE + 1, f);
	if (ferror(f) || n > CONF_MAX_SIZE) {
		*why = ferror(f) ? strerror(errno) : _("larger than 1 MiB");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Whether the integer literal s (n bytes, decimal or 0x hex) is past INT_MAX. */
static int
conf_past_int(const char *s, size_t n, int hex, int negative)
{
	char digits[32];
	unsigned long long v;

	if (n >= sizeof digits)
		return 1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	errno = 0;
	v = strtoull(digits, NULL, hex ? 16 : 10);
	return errno == ERANGE || v > (negative && !hex ? 2147483648ULL : 2147483647ULL);
}

/*
 * libconfig 1.5 reads an integer without the L suffix through atoi() or a
 * cast to int: 4294967396 quietly becomes 100 and 10^20 becomes -1, values
 * no range check can tell from real ones. Finds every such literal in text
 * (strings and comments skipped) and reports it at its line; returns how
 * many it found.
 */
static size_t
conf_big_numbers(const char *text, const char *label, struct config_problems *p)
{
	const char *s = text, *start;
	size_t found = 0;
	int line = 1, hex;

	while (*s != '\0') {
		if (*s == '\n') {
			line++;
			s++;
		} else if (*s == '"') {
			for (s++; *s != '\0' && *s != '"'; s++) {
				if (*s == '\\' && s[1] != '\0')
					s++;
				if (*s == '\n')
					line++;
			}
			if (*s == '"')
				s++;
		} else if (*s == '#' || (s[0] == '/' && s[1] == '/')) {
			while (*s != '\0' && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			for (s += 2; *s != '\0' && !(s[0] == '*' && s[1] == '/'); s++)
				if (*s == '\n')
					line++;
			if (*s != '\0')
				s += 2;
		} else if (isalpha((unsigned char)*s) || *s == '*' || *s == '_') {
			while (isalnum((unsigned char)*s) || *s == '*' || *s == '_' ||
			    *s == '-')
				s++;
		} else if (isdigit((unsigned char)*s)) {
			start = s;
			hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
			if (hex)
				s += 2;
			while (hex ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s))
				s++;
			if (!hex && (*s == '.' || *s == 'e' || *s == 'E')) {
				/* A float: libconfig reads it with strtod. */
				while (isdigit((unsigned char)*s) || *s == '.' || *s == 'e' ||
				    *s == 'E' || ((*s == '-' || *s == '+') &&
				    (s[-1] == 'e' || s[-1] == 'E')))
					s++;
				continue;
			}
			if (*s != 'L' && conf_past_int(start, (size_t)(s - start), hex,
			    start > text && start[-1] == '-')) {
				conf_line_problem(p, label, line, _("the number %.*s is too big "
				    "(beyond 2147483647)"), (int)(s - start > 40 ? 40 : s - start),
				    start);
				found++;
			}
		} else
			s++;
	}
	return found;
}

int
cfg_parse(const char *path, const char *text, const char *label, const char *kind,
    int includes, config_t *lc, struct config_problems *problems)
{
	struct cfg_reader r = { label, problems };
	struct stat st;
	const char *why = NULL, *nul, *s;
	char *file_text = NULL, *line;
	size_t len = 0;
	int ok, nl;

	if (text == NULL) {
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    access(path, R_OK) != 0) {
			cfg_problem(&r, NULL, _("cannot read %s: %s"), kind,
			    stat(path, &st) == 0 && !S_ISREG(st.st_mode) ?
			    _("not a regular file") : strerror(errno));
			return -1;
		}
		if ((file_text = conf_slurp(path, &len, &why)) == NULL) {
			cfg_problem(&r, NULL, _("cannot read %s: %s"), kind, why);
			return -1;
		}
		/* libconfig would read up to the first NUL and take the rest
		 * (a block of zeros a power cut left, say) as never written. */
		if ((nul = memchr(file_text, '\0', len)) != NULL) {
			for (nl = 1, s = file_text; s < nul; s++)
				nl += *s == '\n';
			conf_line_problem(problems, label, nl, _("a NUL byte: the file "
			    "is damaged (not a text file)"));
			free(file_text);
			return -1;
		}
		text = file_text;
	}
	if (!includes && (nl = conf_include_line(text)) != 0) {
		conf_line_problem(problems, label, nl, _("@include is not allowed in "
		    "%s (it would take a file of the station's)"), kind);
		free(file_text);
		return -1;
	}
	if (conf_big_numbers(text, label, problems) != 0) {
		free(file_text);
		return -1;
	}
	config_init(lc);
	config_set_options(lc, CONFIG_OPTION_AUTOCONVERT);
	ok = config_read_string(lc, text);
	free(file_text);
	if (ok == CONFIG_TRUE)
		return 0;
	if (config_error_type(lc) == CONFIG_ERR_FILE_IO)
		cfg_problem(&r, NULL, _("cannot read %s"), kind);
	else {
		xasprintf(&line, "%s:%d: %s", label, config_error_line(lc),
		    config_error_text(lc));
		problems->lines = xreallocarray(problems->lines, problems->n + 1,
		    sizeof *problems->lines);
		problems->lines[problems->n++] = line;
	}
	config_destroy(lc);
	return -1;
}

char *
conf_district_timetable(const struct config *c)
{
	char *path;

	xasprintf(&path, "%s/%s", c->paths.data, CONF_DISTRICT_TIMETABLE);
	return path;
}

/* The district's timetable for conf_parse: its text, or NULL to read DATA's. */
struct conf_district {
	const char *text, *label;
};

/*
 * Checks that the district's timetable tree lc holds a 'timetable' (and
 * may hold 'playlists') and nothing else; sets *pl and *tt (NULL: absent).
 */
static void
conf_district_tree(struct cfg_reader *r, const config_t *lc,
    const config_setting_t **pl, const config_setting_t **tt)
{
	static const char *const names[] = { "playlists", "timetable", NULL };
	const config_setting_t *root = config_root_setting(lc);

	cfg_check_members(r, root, names);
	*pl = config_setting_get_member(root, "playlists");
	if ((*tt = config_setting_get_member(root, "timetable")) == NULL)
		cfg_problem(r, NULL, _("a district's timetable file holds a "
		    "'timetable' list (and may hold 'playlists')"));
}

int
conf_timetable_check(const char *text, const char *label,
    struct config_problems *problems)
{
	const config_setting_t *pl, *tt;
	struct cfg_reader r = { label, problems };
	size_t before = problems->n;
	config_t lc;

	if (cfg_parse(NULL, text, label, _("the district's timetable"), 0, &lc,
	    problems) != 0)
		return -1;
	conf_district_tree(&r, &lc, &pl, &tt);
	if (tt != NULL && config_setting_type(tt) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(tt) == CONFIG_TYPE_ARRAY &&
	    config_setting_length(tt) == 0))
		cfg_problem(&r, tt, _("'timetable' must be a list ( { name = \"...\"; "
		    "days = \"daily\"; start = \"05:30\"; ... }, ... )"));
	config_destroy(&lc);
	cfg_sort_problems(problems, before, label);
	return problems->n == before ? 0 : -1;
}

/*
 * Replaces c's timetable, and its playlists when the file has them, with
 * the district's timetable file's (dt's text, or the file in DATA when there
 * is one; none leaves c's own). Its problems are at its own lines.
 */
static void
conf_district(struct config *c, const struct conf_district *dt,
    struct config_problems *problems)
{
	const config_setting_t *pl, *tt;
	struct cfg_reader r = { NULL, problems };
	size_t i, before = problems->n;
	char *path = NULL;
	config_t lc;

	if (dt->text == NULL) {
		path = conf_district_timetable(c);
		if (access(path, F_OK) != 0) {
			free(path);
			return;
		}
	}
	r.file = dt->text != NULL ? dt->label : path;
	if (cfg_parse(path, dt->text, r.file, _("the district's timetable"), 0,
	    &lc, problems) != 0) {
		free(path);
		return;
	}
	conf_district_tree(&r, &lc, &pl, &tt);
	for (i = 0; i < c->nslots; i++)
		cfg_slot_clear(&c->slots[i]);
	free(c->slots);
	c->slots = NULL;
	c->nslots = 0;
	if (pl != NULL) {
		for (i = 0; i < c->nplaylists; i++)
			cfg_playlist_clear(&c->playlists[i]);
		free(c->playlists);
		c->playlists = NULL;
		c->nplaylists = 0;
		cfg_read_playlists(&r, pl, c);
	}
	cfg_read_timetable(&r, tt, c);
	config_destroy(&lc);
	cfg_sort_problems(problems, before, r.file);
	free(path);
}

/*
 * Reads from a file (text NULL) or from text, labelled label; dt, when not
 * NULL, gives the district's timetable file's text.
 */
static int
conf_parse(const char *path, const char *text, const char *label,
    const struct conf_district *dt, struct config **out,
    struct config_problems *problems)
{
	static const struct conf_district from_data = { NULL, NULL };
	struct cfg_reader r = { label, problems };
	size_t before = problems->n;
	struct config *c;
	config_t lc;

	*out = NULL;
	if (cfg_parse(path, text, label, _("the configuration"), 1, &lc,
	    problems) != 0)
		return -1;
	c = xcalloc(1, sizeof *c);
	c->file = xstrdup(label);
	conf_defaults(c);
	conf_from_tree(&r, &lc, c);
	config_destroy(&lc);
	cfg_sort_problems(problems, before, label);
	if (dt != NULL || c->link.district_timetable)
		conf_district(c, dt != NULL ? dt : &from_data, problems);
	if (problems->n != before) {
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
	return conf_parse(path, NULL, path, NULL, out, problems);
}

int
conf_read_with_timetable(const char *path, const char *text, const char *label,
    struct config **out, struct config_problems *problems)
{
	const struct conf_district dt = { text, label };

	if (path == NULL)
		return conf_parse(NULL, default_text, CONFIG_DEFAULT_LABEL, &dt, out,
		    problems);
	return conf_parse(path, NULL, path, &dt, out, problems);
}

int
conf_read_string(const char *text, const char *label, struct config **out,
    struct config_problems *problems)
{
	return conf_parse(NULL, text, label, NULL, out, problems);
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
	free(c->web.address);
	free(c->web.tls_cert);
	free(c->web.tls_key);
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
	free(c->fleet.host);
	free(c->fleet.cafile);
	free(c->fleet.certfile);
	free(c->fleet.keyfile);
	free(c->fleet.username);
	free(c->fleet.password_file);
	free(c->fleet.client_id);
	free(c->fleet.signing_key);
	for (i = 0; i < c->fleet.nstations; i++)
		cfg_fleet_station_clear(&c->fleet.stations[i]);
	free(c->fleet.stations);
	for (i = 0; i < c->relay.nsources; i++)
		cfg_relay_source_clear(&c->relay.sources[i]);
	free(c->relay.sources);
	free(c->link.host);
	free(c->link.ca_file);
	free(c->link.cert_file);
	free(c->link.key_file);
	free(c->link.username);
	free(c->link.password_file);
	free(c->link.topic_prefix);
	free(c->link.client_id);
	for (i = 0; i < c->link.ngroups; i++)
		free(c->link.groups[i]);
	free(c->link.groups);
	for (i = 0; i < c->nplaylists; i++)
		cfg_playlist_clear(&c->playlists[i]);
	free(c->playlists);
	for (i = 0; i < c->nslots; i++)
		cfg_slot_clear(&c->slots[i]);
	free(c->slots);
	free(c);
	*cp = NULL;
}
