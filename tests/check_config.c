/* Unit tests for config/: the embedded default, the example, every kind of problem. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/utf8.h"
#include "common/xmalloc.h"
#include "config/cfg.h"
#include "config/config.h"
#include "tests/testutil.h"

static struct dirent **fixtures;
static int nfixtures;

static int
is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

START_TEST(test_default)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;

	ck_assert_int_eq(conf_read(NULL, &c, &p), 0);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_str_eq(c->file, CONFIG_DEFAULT_LABEL);
	ck_assert_str_eq(c->station.timezone, "Asia/Ho_Chi_Minh");
	ck_assert_str_eq(c->paths.data, "./loaxa-data");
	ck_assert_str_eq(c->paths.inbox, "./loaxa-data/inbox");
	ck_assert_str_eq(c->audio.driver, "auto");
	ck_assert_int_eq(c->audio.realtime, 1);
	ck_assert(c->audio.loudness_target == -16.0);
	ck_assert(c->audio.true_peak == -1.0);
	/* The seed plan's seven content areas, with Vietnamese names. */
	ck_assert_uint_eq(c->ntopics, 7);
	ck_assert_ptr_nonnull(conf_topic(c, "cchc"));
	ck_assert_ptr_nonnull(strstr(conf_topic(c, "cchc")->name, "cải cách hành chính"));
	ck_assert_ptr_null(conf_topic(c, "nope"));
	conf_free(&c);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_example)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *path;
	size_t i;

	xasprintf(&path, "%s/examples/loaxa.conf", tu_srcdir());
	if (conf_read(path, &c, &p) != 0)
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s\n", p.lines[i]);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->station.code, "HY-KD-TT");
	ck_assert_str_eq(c->station.name, "Đài truyền thanh xã Toàn Thắng");
	ck_assert_uint_ge(c->audio.noptions, 1);
	ck_assert_uint_eq(c->ntopics, 7);
	conf_free(&c);
	free(path);
}
END_TEST

/* The example's link section, commented out there, is good when uncommented. */
START_TEST(test_example_link)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *path, line[512], *text = xstrdup(""), *old;
	FILE *f;
	size_t i;
	int in_link = 0;

	xasprintf(&path, "%s/examples/loaxa.conf", tu_srcdir());
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f) != NULL) {
		in_link |= strncmp(line, "#link", 5) == 0;
		old = text;
		xasprintf(&text, "%s%s", old, in_link && line[0] == '#' ? line + 1 : line);
		free(old);
		in_link &= strncmp(line, "#};", 3) != 0;
	}
	fclose(f);
	if (conf_read_string(text, "example", &c, &p) != 0)
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s\n", p.lines[i]);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_int_eq(c->link.enabled, 1);
	ck_assert_str_eq(c->link.topic_prefix, "loaxa/v1/33/325/12345");
	ck_assert_str_eq(c->link.cert_file, "/etc/loaxa/link/station.crt");
	conf_free(&c);
	free(text);
	free(path);
}
END_TEST

START_TEST(test_values)
{
	static const char text[] =
	    "station = { code = \"HY-KD-TT\"; name = \"Đài Toàn Thắng\";\n"
	    "  timezone = \"Europe/Berlin\"; };\n"
	    "paths = { data = \"/srv/loaxa\"; };\n"
	    "audio = { driver = \"wav\"; file = \"/tmp/out.wav\"; realtime = false;\n"
	    "  loudness_target = -23; true_peak = -2.5; fade_ms = 0;\n"
	    "  options = { dev = \"hw:0\"; buffer_time = 500; }; };\n"
	    "topics = ( { key = \"le\"; name = \"Ngày lễ\"; } );\n"
	    "reports = { periods = \"calendar\"; };\n";
	struct config_problems p = { 0 };
	struct config *c = NULL;

	ck_assert_int_eq(conf_read_string(text, "t.conf", &c, &p), 0);
	ck_assert_str_eq(c->station.timezone, "Europe/Berlin");
	ck_assert_str_eq(c->paths.inbox, "/srv/loaxa/inbox");
	ck_assert_str_eq(c->audio.driver, "wav");
	ck_assert_int_eq(c->audio.realtime, 0);
	ck_assert(c->audio.loudness_target == -23.0);
	ck_assert(c->audio.true_peak == -2.5);
	ck_assert_int_eq(c->audio.fade_ms, 0);
	ck_assert_uint_eq(c->audio.noptions, 2);
	ck_assert_str_eq(c->audio.options[1].name, "buffer_time");
	ck_assert_str_eq(c->audio.options[1].value, "500");
	ck_assert_uint_eq(c->ntopics, 1);
	ck_assert_str_eq(c->topics[0].name, "Ngày lễ");
	ck_assert_int_eq(c->reports.calendar_periods, 1);
	conf_free(&c);
}
END_TEST

/* Every problem is reported, not just the first, in line order. */
START_TEST(test_all_problems)
{
	static const char text[] =
	    "stationn = 1;\n"
	    "station = { code = \"A\"; name = \"B\"; timezone = \"X/Y\"; };\n"
	    "audio = { fade_ms = -1; true_peak = \"x\"; };\n";
	struct config_problems p = { 0 };
	struct config *c = NULL;

	ck_assert_int_eq(conf_read_string(text, "m.conf", &c, &p), -1);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(p.n, 4);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "m.conf:1: unknown setting 'stationn'"));
	ck_assert_ptr_nonnull(strstr(p.lines[1], "m.conf:2: unknown time zone 'X/Y'"));
	ck_assert_ptr_nonnull(strstr(p.lines[2], "m.conf:3: "));
	ck_assert_ptr_nonnull(strstr(p.lines[3], "m.conf:3: "));
	conf_problems_clear(&p);
}
END_TEST

/*
 * The link section: defaults, the client id from the station code, and each
 * mistake at its line with what it should be (a prefix of the wrong form, a
 * certificate without its key, a misspelt setting).
 */
START_TEST(test_link)
{
	static const char good[] =
	    "station = { code = \"HY-KD-TT\"; name = \"A\"; };\n"
	    "link = { host = \"broker.example\"; ca_file = \"/etc/ca.crt\";\n"
	    "  username = \"station-00001\"; password_file = \"/etc/pw\";\n"
	    "  topic_prefix = \"loaxa/v1/33/325/12345\"; };\n";
	static const char bad[] =
	    "station = { code = \"HY-KD-TT\"; name = \"A\"; };\n"
	    "link = { host = \"b\"; ca_file = \"/c\"; cert_file = \"/x\";\n"
	    "  topic_prefix = \"loaxa/v1/33/325/#\";\n"
	    "  keepalive = 1; hostt = \"x\";\n"
	    "  reconnect_min = 30; reconnect_max = 10; };\n";
	struct config_problems p = { 0 };
	struct config *c = NULL;

	ck_assert_int_eq(conf_read_string(good, "l.conf", &c, &p), 0);
	ck_assert_int_eq(c->link.enabled, 1);
	ck_assert_int_eq(c->link.port, 8883);
	ck_assert_int_eq(c->link.keepalive, 60);
	ck_assert_str_eq(c->link.client_id, "station-HY-KD-TT");
	ck_assert_int_eq(c->link.password_line, 3);
	conf_free(&c);
	ck_assert_int_eq(conf_read_string(bad, "l.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 5);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "l.conf:2: link needs both 'cert_file' and"));
	ck_assert_ptr_nonnull(strstr(p.lines[1], "l.conf:3: 'topic_prefix' is"));
	ck_assert_ptr_nonnull(strstr(p.lines[2], "l.conf:4: "));
	ck_assert_ptr_nonnull(strstr(p.lines[3], "l.conf:4: "));
	ck_assert_ptr_nonnull(strstr(p.lines[2], "did you mean") != NULL ? p.lines[2] : strstr(p.lines[3], "did you mean"));
	ck_assert_ptr_nonnull(strstr(p.lines[4], "l.conf:5: 'reconnect_max' (10 s)"));
	conf_problems_clear(&p);
	ck_assert(conf_link_prefix_valid("loaxa/v1/01/001/00001"));
	ck_assert(!conf_link_prefix_valid("loaxa/v1/01/001/0000"));
	ck_assert(!conf_link_prefix_valid("loaxa/v1/01/001/+0000"));
	ck_assert(!conf_link_prefix_valid("loaxa/v2/01/001/00001"));
	/* Without the section, no link. */
	ck_assert_int_eq(conf_read(NULL, &c, &p), 0);
	ck_assert_int_eq(c->link.enabled, 0);
	conf_free(&c);
}
END_TEST

/* The MQTT version of the link and fleet sections: "5" (default) or "3.1.1". */
START_TEST(test_mqtt_protocol)
{
	static const char link[] =
	    "station = { code = \"00001\"; name = \"A\"; };\n"
	    "link = { host = \"b\"; ca_file = \"/c\"; username = \"u\";\n"
	    "  password_file = \"/p\"; topic_prefix = \"loaxa/v1/33/325/12345\";\n";
	static const char fleet[] =
	    "station = { code = \"D\"; name = \"A\"; };\n"
	    "fleet = { host = \"b\"; signing_key = \"/k\";\n"
	    "  stations = ( { code = \"00001\"; prefix = \"loaxa/v1/33/325/00001\"; } );\n";
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *text;

	xasprintf(&text, "%s};\n", link);
	ck_assert_int_eq(conf_read_string(text, "m.conf", &c, &p), 0);
	ck_assert_int_eq(c->link.mqtt_v311, 0);
	conf_free(&c);
	free(text);
	xasprintf(&text, "%s  protocol = \"3.1.1\"; };\n", link);
	ck_assert_int_eq(conf_read_string(text, "m.conf", &c, &p), 0);
	ck_assert_int_eq(c->link.mqtt_v311, 1);
	conf_free(&c);
	free(text);
	xasprintf(&text, "%s  protocol = \"3.1.1\"; };\n", fleet);
	ck_assert_int_eq(conf_read_string(text, "m.conf", &c, &p), 0);
	ck_assert_int_eq(c->fleet.mqtt_v311, 1);
	conf_free(&c);
	free(text);
	xasprintf(&text, "%s  protocol = \"5\"; };\n", fleet);
	ck_assert_int_eq(conf_read_string(text, "m.conf", &c, &p), 0);
	ck_assert_int_eq(c->fleet.mqtt_v311, 0);
	conf_free(&c);
	free(text);
	xasprintf(&text, "%s  protocol = \"3\"; };\n", link);
	ck_assert_int_eq(conf_read_string(text, "m.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "m.conf:4: 'protocol' is \"3\"; it "
	    "must be \"5\" or \"3.1.1\""));
	conf_problems_clear(&p);
	free(text);
	xasprintf(&text, "%s  protocol = 5; };\n", fleet);
	ck_assert_int_eq(conf_read_string(text, "m.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "m.conf:4: "));
	conf_problems_clear(&p);
	free(text);
}
END_TEST

/* The link's groups: names like tags, neither "all" nor the station's code. */
START_TEST(test_link_groups)
{
	static const char head[] =
	    "station = { code = \"00001\"; name = \"A\"; };\n"
	    "link = { host = \"b\"; ca_file = \"/c\"; username = \"u\";\n"
	    "  password_file = \"/p\"; topic_prefix = \"loaxa/v1/33/325/12345\";\n";
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *text;

	xasprintf(&text, "%s  groups = [ \"ven-song\", \"xa_mien_nui\" ]; };\n", head);
	ck_assert_int_eq(conf_read_string(text, "g.conf", &c, &p), 0);
	ck_assert_uint_eq(c->link.ngroups, 2);
	ck_assert_str_eq(c->link.groups[0], "ven-song");
	ck_assert_str_eq(c->link.groups[1], "xa_mien_nui");
	conf_free(&c);
	free(text);
	xasprintf(&text, "%s  groups = [ \"all\", \"00001\", \"Ven Song\" ]; };\n",
	    head);
	ck_assert_int_eq(conf_read_string(text, "g.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "g.conf:4: 'all' is not a group name"));
	ck_assert_ptr_nonnull(strstr(p.lines[1], "g.conf:4: group '00001' is the "
	    "station's code"));
	ck_assert_ptr_nonnull(strstr(p.lines[2], "g.conf:4: group 'Ven Song' is not"));
	conf_problems_clear(&p);
	free(text);
}
END_TEST

/*
 * link.district_timetable: the district's file in DATA/link replaces the
 * timetable (and the playlists it has); without the setting it is ignored;
 * its problems are at its own lines.
 */
START_TEST(test_district_timetable)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *dir, *sub, *conf, *text, *tt, *inc, *itext;

	dir = tu_tmpdir();
	xasprintf(&sub, "%s/link", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	xasprintf(&text, "station = { code = \"00001\"; name = \"A\"; };\n"
	    "paths = { data = \"%s\"; };\n"
	    "playlists = ( { name = \"tin\"; mode = \"rotate\"; } );\n"
	    "timetable = ( { name = \"own\"; days = \"daily\"; start = \"05:30\";\n"
	    "  length = \"30m\"; playlist = \"tin\"; } );\n"
	    "link = { host = \"b\"; ca_file = \"/c\"; username = \"u\";\n"
	    "  password_file = \"/p\"; topic_prefix = \"loaxa/v1/33/325/12345\";\n"
	    "  district_timetable = %s; };\n", dir, "true");
	conf = tu_write(dir, "st.conf", text);
	/* No file yet: the station's own. */
	ck_assert_int_eq(conf_read(conf, &c, &p), 0);
	ck_assert_uint_eq(c->nslots, 1);
	ck_assert_str_eq(c->slots[0].name, "own");
	conf_free(&c);
	tt = tu_write(sub, "timetable.conf", "playlists = ( { name = \"huyen\"; "
	    "mode = \"rotate\"; } );\ntimetable = ( { name = \"district\"; "
	    "days = \"daily\"; start = \"17:00\";\n  length = \"20m\"; "
	    "playlist = \"huyen\"; } );\n");
	ck_assert_int_eq(conf_read(conf, &c, &p), 0);
	ck_assert_uint_eq(c->nslots, 1);
	ck_assert_str_eq(c->slots[0].name, "district");
	ck_assert_uint_eq(c->nplaylists, 1);
	ck_assert_str_eq(c->playlists[c->slots[0].playlist_index].name, "huyen");
	conf_free(&c);
	/* What the link checks before it writes: problems at the file's lines. */
	ck_assert_int_eq(conf_read_with_timetable(conf, "timetable = ( { name = "
	    "\"x\"; days = \"daily\";\n start = \"17:00\"; length = \"20m\"; "
	    "playlist = \"huyen\"; } );\nextra = 1;\n", "lich.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "lich.conf:2: "));
	ck_assert_ptr_nonnull(strstr(p.lines[0], "unknown playlist 'huyen'"));
	ck_assert_ptr_nonnull(strstr(p.lines[1], "lich.conf:3: "));
	conf_problems_clear(&p);
	/*
	 * @include would take a file of the station's in place of what the
	 * district signed: refused at its line, given or in DATA.
	 */
	xasprintf(&inc, "%s/local.conf", dir);
	free(tu_write(dir, "local.conf", "timetable = ( );\n"));
	xasprintf(&itext, "# week 50\n  @include \"%s\"\n", inc);
	ck_assert_int_eq(conf_read_with_timetable(conf, itext, "lich.conf", &c, &p),
	    -1);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.lines[0], "lich.conf:2: @include is not allowed in the "
	    "district's timetable (it would take a file of the station's)");
	conf_problems_clear(&p);
	free(tt);
	tt = tu_write(sub, "timetable.conf", itext);
	ck_assert_int_eq(conf_read(conf, &c, &p), -1);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "link/timetable.conf:2: @include "
	    "is not allowed"));
	conf_problems_clear(&p);
	unlink(tt);
	free(itext);
	free(inc);
	free(text);
	free(conf);
	/* Not opted in: the file is not read. */
	xasprintf(&text, "station = { code = \"00001\"; name = \"A\"; };\n"
	    "paths = { data = \"%s\"; };\n"
	    "playlists = ( { name = \"tin\"; mode = \"rotate\"; } );\n"
	    "timetable = ( { name = \"own\"; days = \"daily\"; start = \"05:30\";\n"
	    "  length = \"30m\"; playlist = \"tin\"; } );\n", dir);
	conf = tu_write(dir, "plain.conf", text);
	ck_assert_int_eq(conf_read(conf, &c, &p), 0);
	ck_assert_str_eq(c->slots[0].name, "own");
	conf_free(&c);
	free(text);
	free(conf);
	free(tt);
	free(sub);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_unreadable)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *dir = tu_tmpdir();

	ck_assert_int_eq(conf_read("/nonexistent/loaxa.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.lines[0],
	    "/nonexistent/loaxa.conf: cannot read the configuration: No such file or directory");
	conf_problems_clear(&p);
	ck_assert_int_eq(conf_read(dir, &c, &p), -1);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "not a regular file"));
	conf_problems_clear(&p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_search_order)
{
	char *dir = tu_tmpdir(), *old = getcwd(NULL, 0), *f;

	ck_assert_int_eq(chdir(dir), 0);
	unsetenv("LOAXA_CONFIG");
	ck_assert_str_eq(conf_find("/x.conf"), "/x.conf");
	if (access("/etc/loaxa/loaxa.conf", F_OK) != 0)
		ck_assert_ptr_null(conf_find(NULL));
	f = tu_write(dir, "loaxa.conf", "station = { code = \"A\"; name = \"B\"; };\n");
	ck_assert_str_eq(conf_find(NULL), "./loaxa.conf");
	setenv("LOAXA_CONFIG", "/env.conf", 1);
	ck_assert_str_eq(conf_find(NULL), "/env.conf");
	ck_assert_str_eq(conf_find("/x.conf"), "/x.conf");
	unsetenv("LOAXA_CONFIG");
	ck_assert_int_eq(chdir(old), 0);
	tu_rmtree(dir);
	free(f);
	free(dir);
	free(old);
}
END_TEST

START_TEST(test_suggest)
{
	static const char *const names[] = { "timezone", "province", "code", NULL };

	ck_assert_str_eq(cfg_suggest("timezon", names), "timezone");
	ck_assert_str_eq(cfg_suggest("provnice", names), "province");
	ck_assert_str_eq(cfg_suggest("cod", names), "code");
	ck_assert_ptr_null(cfg_suggest("colour", names));
	ck_assert_ptr_null(cfg_suggest("x", names));
}
END_TEST

START_TEST(test_utf8)
{
	ck_assert(utf8_valid("Đài truyền thanh xã Toàn Thắng"));
	ck_assert(utf8_valid(""));
	ck_assert(!utf8_valid("\xff"));
	ck_assert(!utf8_valid("\xc0\xaf"));         /* overlong '/' */
	ck_assert(!utf8_valid("\xed\xa0\x80"));     /* surrogate */
	ck_assert(!utf8_valid("\xe1\xba"));         /* cut short */
	ck_assert(!utf8_valid("\xe0\x80\xaf"));     /* overlong, 3 bytes */
	ck_assert(!utf8_valid("\xf4\x90\x80\x80")); /* past U+10FFFF */
	ck_assert(utf8_valid("\xf0\x9f\x93\xbb"));  /* U+1F4FB, a radio */
	ck_assert_uint_eq(utf8_char("\xe1\xba\xa3"), 3);
	ck_assert_uint_eq(utf8_char("\x1f"), 1);     /* a control is UTF-8 */
	ck_assert_uint_eq(utf8_char(""), 0);
}
END_TEST

/* A rotate playlist's tags must be tags a bulletin can carry (lower case). */
START_TEST(test_playlist_tags)
{
	static const char good[] =
	    "station = { code = \"A\"; name = \"B\"; };\n"
	    "playlists = ( { name = \"p\"; mode = \"rotate\";\n"
	    "  tags = [ \"papi\", \"bau-cu_2026\" ]; } );\n";
	static const char bad[] =
	    "station = { code = \"A\"; name = \"B\"; };\n"
	    "playlists = ( { name = \"p\"; mode = \"rotate\";\n"
	    "  tags = [ \"papi\",\n \"Papi\", \"a b\" ]; } );\n";
	struct config_problems p = { 0 };
	struct config *c = NULL;

	ck_assert_int_eq(conf_read_string(good, "t.conf", &c, &p), 0);
	ck_assert_uint_eq(c->playlists[0].ntags, 2);
	ck_assert_str_eq(c->playlists[0].tags[1], "bau-cu_2026");
	conf_free(&c);
	ck_assert_int_eq(conf_read_string(bad, "t.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "t.conf:4: 'Papi' is not a tag"));
	ck_assert_ptr_nonnull(strstr(p.lines[1], "t.conf:4: 'a b' is not a tag"));
	conf_problems_clear(&p);
}
END_TEST

/* The fleet section: its stations and groups, and every mistake at its line. */
START_TEST(test_fleet)
{
	static const char good[] =
	    "station = { code = \"D\"; name = \"District\"; };\n"
	    "fleet = { host = \"127.0.0.1\"; cafile = \"ca.crt\"; certfile = \"d.crt\";\n"
	    "  keyfile = \"d.key\"; signing_key = \"district.key\";\n"
	    "  stations = ( { code = \"00001\"; prefix = \"loaxa/v1/01/001/00001\";\n"
	    "    groups = [ \"river\" ]; },\n"
	    "    { code = \"00004\"; prefix = \"loaxa/v1/01/001/00004\"; } ); };\n";
	static const char bad[] =
	    "station = { code = \"D\"; name = \"District\"; };\n"
	    "fleet = { host = \"127.0.0.1\"; exipry = 60;\n"
	    "  stations = ( { code = \"00001\"; prefix = \"a/b\"; },\n"
	    "    { code = \"00004\"; prefix = \"loaxa/v1/+/00004\"; },\n"
	    "    { code = \"00005\"; prefix = \"a/c\"; groups = [ \"all\" ]; },\n"
	    "    { code = \"00001\"; prefix = \"a/d\"; } ); };\n";
	static const char *const want[] = {
	    "t.conf:2: unknown setting 'exipry' in fleet; did you mean 'expiry'?",
	    "t.conf:2: 'signing_key' is required",
	    "t.conf:4: prefix 'loaxa/v1/+/00004' is not a topic prefix",
	    "t.conf:5: group 'all'",
	    "t.conf:6: fleet station 4 has the same code '00001' as station 1" };
	struct config_problems p = { 0 };
	struct config *c = NULL;
	size_t i;

	ck_assert_int_eq(conf_read_string(good, "t.conf", &c, &p), 0);
	ck_assert(c->fleet.present);
	ck_assert_int_eq(c->fleet.port, 8883);
	ck_assert_int_eq(c->fleet.expiry, 600);
	ck_assert_uint_eq(c->fleet.nstations, 2);
	ck_assert_str_eq(c->fleet.stations[0].groups[0], "river");
	ck_assert_uint_eq(c->fleet.stations[1].ngroups, 0);
	conf_free(&c);
	ck_assert_int_eq(conf_read_string(bad, "t.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 5);
	for (i = 0; i < 5; i++)
		ck_assert_msg(strstr(p.lines[i], want[i]) != NULL, "%s", p.lines[i]);
	conf_problems_clear(&p);
}
END_TEST

/*
 * Relay sources are named in the relay section; a relay slot names one of
 * them (else "did you mean") and a fallback playlist, and has no playlist.
 */
START_TEST(test_relay)
{
	static const char good[] =
	    "station = { code = \"A\"; name = \"B\"; };\n"
	    "relay = { sources = ( { name = \"VOV1\"; url = \"https://x.vn/vov1\"; },\n"
	    "  { name = \"Đài tỉnh\"; url = \"http://127.0.0.1:8000/a.mp3\"; },\n"
	    "  { name = \"FM\"; capture = \"pulse:tuner\"; } ); silence_s = 7; };\n"
	    "playlists = ( { name = \"p\"; mode = \"rotate\"; } );\n"
	    "timetable = ( { name = \"s\"; days = \"daily\"; start = \"05:00\";\n"
	    "  end = \"05:30\"; relay = \"VOV1\"; fallback = \"p\"; } );\n";
	static const char bad[] =
	    "station = { code = \"A\"; name = \"B\"; };\n"
	    "relay = { sources = ( { name = \"VOV1\"; url = \"http://x\"; },\n"
	    "  { name = \"X\"; url = \"ftp://x\"; }, { name = \"FM\"; capture = \"oss\"; } ); };\n"
	    "playlists = ( { name = \"p\"; mode = \"rotate\"; } );\n"
	    "timetable = ( { name = \"s\"; days = \"daily\"; start = \"05:00\";\n"
	    "  end = \"05:30\"; relay = \"VOV2\"; fallback = \"p\"; },\n"
	    "  { name = \"t\"; days = \"daily\"; start = \"06:00\";\n"
	    "  end = \"06:30\"; relay = \"VOV1\"; } );\n";
	struct config_problems p = { 0 };
	struct config *c = NULL;

	ck_assert_int_eq(conf_read_string(good, "t.conf", &c, &p), 0);
	ck_assert_uint_eq(c->relay.nsources, 3);
	ck_assert_int_eq(c->relay.silence_s, 7);
	ck_assert_str_eq(c->relay.sources[2].capture, "pulse:tuner");
	ck_assert_str_eq(c->slots[0].relay, "VOV1");
	ck_assert_str_eq(c->slots[0].playlist, "p");
	ck_assert_ptr_nonnull(conf_relay_source(c, "Đài tỉnh"));
	ck_assert_ptr_null(conf_relay_source(c, "VOV2"));
	conf_free(&c);
	ck_assert_int_eq(conf_read_string(bad, "t.conf", &c, &p), -1);
	ck_assert_uint_eq(p.n, 4);
	ck_assert_ptr_nonnull(strstr(p.lines[0], "t.conf:3: relay source 'X': 'url'"));
	ck_assert_ptr_nonnull(strstr(p.lines[1], "t.conf:3: relay source 'FM': 'capture'"));
	ck_assert_ptr_nonnull(strstr(p.lines[2], "t.conf:6: slot 's': unknown relay "
	    "source 'VOV2'; did you mean 'VOV1'?"));
	ck_assert_ptr_nonnull(strstr(p.lines[3], "t.conf:7: slot 't': a relay slot "
	    "needs 'fallback'"));
	conf_problems_clear(&p);
}
END_TEST

/* Reads manifest text from a file in dir against c; the problems go in p. */
static int
manifest_read_text(const char *dir, const char *text, const struct config *c,
    struct conf_manifest **m, struct config_problems *p)
{
	char *path = tu_write(dir, "m.conf", text);
	int rc;

	rc = conf_manifest_read(path, c, m, p);
	free(path);
	return rc;
}

/*
 * A package manifest is read as loaxa.conf is: every setting checked at its
 * line, integers libconfig would wrap refused, misspellings answered with
 * the nearest name, paths under the manifest's directory.
 */
START_TEST(test_manifest)
{
	static const char good[] =
	    "bulletins = ( { file = \"a.wav\"; title = \"Tin bầu cử\"; topic = \"cchc\";\n"
	    "  from = \"2026-06-01\"; until = \"2026-06-30\"; min_airings = 8;\n"
	    "  priority = \"priority\"; tags = [ \"bau-cu\", \"papi\" ]; },\n"
	    "  { file = \"/srv/b.mp3\"; } );\n";
	static const char *const bad[][2] = {
		{ "bulletins = ( { file = \"a.wav\";\n  min_airings = 4294967396; } );\n",
		  ":2: the number 4294967396 is too big" },
		{ "bulletins = ( { file = \"a.wav\";\n  min_airing = 8; } );\n",
		  ":2: unknown setting 'min_airing'; did you mean 'min_airings'?" },
		{ "bulletins = ( { file = \"a.wav\"; min_airings = 100001; } );\n",
		  ":1: 'min_airings' is 100001; it must be from 0 to 100000" },
		{ "bulletins = ( { file = \"a.wav\";\n topic = \"cchx\"; } );\n",
		  ":2: unknown topic 'cchx'; did you mean 'cchc'?" },
		{ "bulletins = ( { file = \"a.wav\"; from = \"2026-07-01\";\n"
		  " until = \"2026-06-30\"; } );\n", ":2: the validity ends" },
		{ "bulletins = ( { file = \"a.wav\"; until = \"2026-02-29\"; } );\n",
		  ":1: '2026-02-29' is not a date" },
		{ "bulletins = ( { file = \"a.wav\"; priority = \"urgent\"; } );\n",
		  ":1: unknown priority 'urgent'" },
		{ "bulletins = ( { title = \"x\"; } );\n", ":1: bulletin 1 has no 'file'" },
		{ "bulletin = ( { file = \"a.wav\"; } );\n",
		  ":1: unknown setting 'bulletin'; did you mean 'bulletins'?" },
		{ "bulletins = ( { file = \"a.wav\"; tags = [ \"Papi\" ]; } );\n",
		  ":1: 'Papi' is not a tag" },
	};
	struct config_problems p = { 0 };
	struct conf_manifest *m = NULL;
	struct config *c = NULL;
	char *dir = tu_tmpdir(), *want;
	size_t i;

	ck_assert_int_eq(conf_read(NULL, &c, &p), 0);
	ck_assert_int_eq(manifest_read_text(dir, good, c, &m, &p), 0);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_uint_eq(m->n, 2);
	xasprintf(&want, "%s/a.wav", dir);
	ck_assert_str_eq(m->entries[0].file, want);
	free(want);
	ck_assert_str_eq(m->entries[0].title, "Tin bầu cử");
	ck_assert_str_eq(m->entries[0].until, "2026-06-30");
	ck_assert_int_eq(m->entries[0].min_airings, 8);
	ck_assert_uint_eq(m->entries[0].ntags, 2);
	ck_assert_str_eq(m->entries[0].tags[1], "papi");
	ck_assert_str_eq(m->entries[1].file, "/srv/b.mp3");
	ck_assert_ptr_null(m->entries[1].title);
	ck_assert_int_eq(m->entries[1].min_airings, -1);
	ck_assert_int_eq(m->entries[1].line, 4);
	conf_manifest_free(&m);
	ck_assert_ptr_null(m);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(manifest_read_text(dir, bad[i][0], c, &m, &p), -1);
		ck_assert_ptr_null(m);
		ck_assert_uint_ge(p.n, 1);
		ck_assert_msg(strstr(p.lines[0], bad[i][1]) != NULL, "got \"%s\", want "
		    "\"%s\"", p.lines[0], bad[i][1]);
		conf_problems_clear(&p);
	}
	conf_free(&c);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * Each .conf file in tests/data/config starts with "# expect: LINE: text": reading
 * it must fail with a problem "FILE:LINE: ...text..." (LINE 0: "FILE: text").
 */
START_TEST(test_fixture)
{
	struct config_problems p = { 0 };
	struct config *c = NULL;
	char *path, *text, *want, *nl, *expect;
	size_t i;
	int line, found = 0;

	xasprintf(&path, "%s/tests/data/config/%s", tu_srcdir(), fixtures[_i]->d_name);
	text = tu_read(path, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strncmp(text, "# expect: ", 10) == 0, "%s: no expect line", path);
	line = atoi(text + 10);
	expect = strchr(text + 10, ':') + 2;
	if ((nl = strchr(expect, '\n')) != NULL)
		*nl = '\0';
	if (line > 0)
		xasprintf(&want, "%s:%d: ", path, line);
	else
		xasprintf(&want, "%s: ", path);
	ck_assert_int_eq(conf_read(path, &c, &p), -1);
	ck_assert_ptr_null(c);
	for (i = 0; i < p.n; i++)
		if (strncmp(p.lines[i], want, strlen(want)) == 0 &&
		    strstr(p.lines[i], expect) != NULL)
			found = 1;
	for (i = 0; !found && i < p.n; i++)
		fprintf(stderr, "got: %s\n", p.lines[i]);
	ck_assert_msg(found, "%s: no problem \"%s...%s\"", path, want, expect);
	conf_problems_clear(&p);
	free(want);
	free(text);
	free(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	SRunner *sr;
	char *dir;
	int failed;

	xasprintf(&dir, "%s/tests/data/config", tu_srcdir());
	nfixtures = scandir(dir, &fixtures, is_conf, alphasort);
	free(dir);
	if (nfixtures < 20) {
		fprintf(stderr, "check_config: too few fixtures in tests/data/config\n");
		return 1;
	}
	tcase_add_test(tc, test_default);
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_all_problems);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_search_order);
	tcase_add_test(tc, test_suggest);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_playlist_tags);
	tcase_add_test(tc, test_fleet);
	tcase_add_test(tc, test_relay);
	tcase_add_test(tc, test_manifest);
	tcase_add_test(tc, test_link);
	tcase_add_test(tc, test_link_groups);
	tcase_add_test(tc, test_district_timetable);
	tcase_add_test(tc, test_mqtt_protocol);
	tcase_add_test(tc, test_example_link);
	tcase_add_loop_test(tc, test_fixture, 0, nfixtures);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	while (nfixtures-- > 0)
		free(fixtures[nfixtures]);
	free(fixtures);
	return failed == 0 ? 0 : 1;
}
