/*
 * config: the libconfig file read into a validated, read-only struct.
 *
 * Search order: an explicit path (-c), $LOAXA_CONFIG, ./loaxa.conf,
 * /etc/loaxa/loaxa.conf, else the embedded default. Every problem is one line
 * "FILE:LINE: message". Each top-level section has its own reader
 * (config/cfg_SECTION.c) listed in config/config.c. Uses only common/.
 */
#ifndef LOAXA_CONFIG_H
#define LOAXA_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_DEFAULT_LABEL "(built-in default)"

struct config_option {
	char *name;
	char *value;
};

struct config_topic {
	char *key;  /* short ASCII key used on the command line */
	char *name; /* Vietnamese name shown in reports */
};

/* Bulletin priority levels (Circular 39/2020/TT-BTTTT), lowest first. */
enum { CONF_PRIO_NORMAL, CONF_PRIO_PRIORITY, CONF_PRIO_EMERGENCY };

/* A local date as days since 1970-01-01 (proleptic Gregorian); none: CONF_NO_DATE. */
#define CONF_NO_DATE INT32_MIN

enum { CONF_PL_FIXED, CONF_PL_ROTATE };

/* A playlist: what fills a slot (config/cfg_playlists.c). */
struct config_playlist {
	char *name;
	int mode;           /* CONF_PL_FIXED: items in order; CONF_PL_ROTATE */
	char **items;       /* bulletin ids or SHA-256 prefixes; rotate: the pool */
	size_t nitems;
	char **topics;      /* rotate: any of these topic keys (none: any) */
	size_t ntopics;
	char **agencies;    /* rotate: any of these producers (none: any) */
	size_t nagencies;
	char **tags;        /* rotate: any of these tags (none: any) */
	size_t ntags;
	int repeat;         /* an item may air more than once per occurrence */
	int line;           /* where it is defined, for messages */
};

/* A timetable slot (config/cfg_timetable.c). Times are local to the station. */
struct config_slot {
	char *name;
	unsigned days;      /* bit (1 << tm_wday) per weekday; 0 for a one-off */
	int32_t date;       /* the one-off's date, else CONF_NO_DATE */
	int start;          /* seconds after local midnight */
	int length;         /* seconds; with end_clock, end - start (mod 24 h) */
	int end_clock;      /* 1: the slot ends at the local clock time start+length */
	char *playlist;
	size_t playlist_index; /* into config.playlists */
	int32_t from, until;   /* inclusive dates, or CONF_NO_DATE */
	int32_t *skip;      /* dates without this slot, sorted */
	size_t nskip;
	int priority;       /* CONF_PRIO_* */
	char *intro, *outro; /* bulletin id or SHA-256 prefix, or NULL */
	int allow_overrun;  /* the last item may run past the end */
	char *relay;        /* a relay slot: the source's name, else NULL;
	                     * playlist is then its fallback */
	int line;
};

/* A live source a relay slot may name (config/cfg_relay.c). */
struct config_relay_source {
	char *name;         /* what slots and the relay service's clients say */
	char *url;          /* a network stream (http, https), or NULL */
	char *capture;      /* "pulse:SOURCE" or "alsa:DEVICE", or NULL */
	int line;
};

struct config {
	char *file; /* where it was read, or CONFIG_DEFAULT_LABEL */

	struct config_station {
		char *code, *name, *commune, *district, *province;
		char *timezone; /* checked against the system's tz database */
	} station;

	struct config_paths {
		char *data;
		char *inbox;
	} paths;

	struct config_audio {
		char *driver; /* a libao driver name, or "auto" */
		struct config_option *options;
		size_t noptions;
		char *file;   /* output file for wav, au, raw */
		int realtime; /* pace file and null outputs at the real rate */
		double loudness_target; /* LUFS */
		double true_peak;       /* dBTP ceiling */
		int fade_ms;
	} audio;

	struct config_topic *topics;
	size_t ntopics;

	struct config_trust {
		struct config_district {
			char *name;
			unsigned char key[32]; /* Ed25519 public key */
			int auto_approve;      /* its bulletins arrive approved */
		} *districts;
		size_t ndistricts;
		struct config_station_key {
			char *code;
			unsigned char key[32];
		} *stations;
		size_t nstations;
	} trust;

	struct config_reports {
		int calendar_periods; /* 1: Jan-Jun / Jan-Dec; 0: 15 Dec cut-off */
	} reports;

	struct config_web {
		char *address;     /* where `loaxa web` listens, default 127.0.0.1 */
		int port;          /* default 8080 */
		char *tls_cert, *tls_key; /* PEM files for HTTPS, "" for plain HTTP */
		int upload_max_mb; /* the largest upload taken, default 200 */
	} web;
	/* The district's side, `loaxa fleet` (config/cfg_fleet.c). */
	struct config_fleet {
		int present;        /* the section is there */
		char *host;
		int port;           /* default 8883 with cafile, else 1883 */
		char *cafile, *certfile, *keyfile; /* TLS; may be NULL */
		char *username, *password_file;    /* may be NULL */
		char *client_id;    /* default district-HOSTNAME-PID */
		char *signing_key;  /* the district's Ed25519 secret key file */
		int expiry;         /* seconds a command stays valid; 600 */
		int ack_timeout;    /* seconds to wait for acknowledgements; 30 */
		int mqtt_v311;      /* protocol = "3.1.1": MQTT 3.1.1, else 5 */
		struct config_fleet_station {
			char *code;
			char *prefix;   /* its topics: PREFIX/up/..., PREFIX/down/... */
			unsigned char key[32]; /* its export key, when has_key */
			int has_key;
			char **groups;
			size_t ngroups;
		} *stations;
		size_t nstations;
	} fleet;
	struct config_relay {
		struct config_relay_source *sources;
		size_t nsources;
		int silence_s;  /* only silence this long: the fallback airs */
	} relay;
	/* The station link (config/cfg_link.c); enabled 0 without a section. */
	struct config_link {
		int enabled;
		char *host;
		int port;
		char *ca_file, *cert_file, *key_file; /* PEM files */
		char *username, *password_file;       /* the password: its first line */
		char *topic_prefix; /* loaxa/v1/PROVINCE/DISTRICT/STATION */
		char *client_id;    /* default "station-" + station.code */
		int keepalive;      /* seconds */
		int reconnect_min, reconnect_max; /* back-off, seconds */
		int mqtt_v311;      /* protocol = "3.1.1": MQTT 3.1.1, else 5 */
		char **groups;      /* the groups district commands may name */
		size_t ngroups;
		int district_timetable; /* take the district's timetable file */
		int line, ca_line, cert_line, key_line, password_line;
	} link;

	struct config_playlist *playlists;
	size_t nplaylists;
	struct config_slot *slots; /* the timetable, in file order */
	size_t nslots;
};

/* Problems found while reading, each "FILE:LINE: message". */
struct config_problems {
	char **lines;
	size_t n;
};

/* The path the search order picks, or NULL for the embedded default. */
const char *conf_find(const char *explicit_path);

/*
 * Reads and validates a file (or, with path NULL, the embedded default).
 * Returns 0 and a new config in *out, or -1 with every problem appended to
 * *problems and *out NULL. The caller frees both.
 */
int conf_read(const char *path, struct config **out, struct config_problems *problems);

/* As config_read, from text, with label standing for the file name. */
int conf_read_string(const char *text, const char *label, struct config **out,
    struct config_problems *problems);

/*
 * The district's timetable file, DATA/link/timetable.conf (allocated): what
 * `loaxa link` writes when a signed district command brings a timetable.
 * With link.district_timetable = true, conf_read takes its timetable (and
 * its playlists, when it has them) in place of the file's own; without the
 * file, the file's own stay. It holds only 'timetable' and 'playlists',
 * problems are reported at its own lines.
 */
#define CONF_DISTRICT_TIMETABLE "link/timetable.conf"
char *conf_district_timetable(const struct config *);

/*
 * conf_read of path with the district timetable file's text given (text,
 * labelled label) rather than read from DATA: how the link checks a
 * timetable before it writes it. Problems as conf_read's.
 */
int conf_read_with_timetable(const char *path, const char *text, const char *label,
    struct config **out, struct config_problems *problems);

/*
 * What can be checked of a district's timetable text without a station's
 * configuration (the district's side, before it signs): libconfig syntax,
 * no @include, a 'timetable' list and nothing but 'playlists' beside
 * it. 0, or -1 with "LABEL:LINE: message" problems appended.
 */
int conf_timetable_check(const char *text, const char *label,
    struct config_problems *problems);

/*
 * Finds, reads and validates the configuration; on failure prints every
 * problem to errs and returns -1.
 */
int conf_load(const char *explicit_path, struct config **out, FILE *errs);

/* The embedded default configuration text. */
const char *conf_default_text(void);

/* Parses "YYYY-MM-DD" (a real day) into *day; 0, or -1 when it is not a date. */
int conf_date_parse(const char *, int32_t *day);

/* Writes day as "YYYY-MM-DD" into out. */
void conf_date_format(int32_t day, char out[11]);

/* The name of a CONF_PRIO_* level: "normal", "priority", "emergency". */
const char *conf_priority_name(int);

/* The CONF_PRIO_* level called name, or -1. */
int conf_priority_parse(const char *);

/* The playlist called name, or NULL. */
const struct config_playlist *conf_playlist(const struct config *, const char *name);

/* The relay source called name, or NULL. */
const struct config_relay_source *conf_relay_source(const struct config *,
    const char *name);

/* The topic with this key, or NULL. */
const struct config_topic *conf_topic(const struct config *, const char *key);

/* Whether code is a station code: letters, digits, '-' and '_', 1 to 32. */
int conf_station_code_valid(const char *code);

/*
 * One bulletin of a package manifest (examples/package.conf), read by
 * conf_manifest_read; a setting left out is NULL (min_airings -1).
 */
struct conf_manifest_entry {
	char *file;         /* the audio file; a relative name is under the manifest's directory */
	char *title, *topic, *agency;
	char *from, *until; /* YYYY-MM-DD, real days, from not after until */
	char *priority;     /* normal, priority or emergency */
	int min_airings;    /* 0 to 100000, or -1 */
	char **tags;        /* each a tag (common/tag.h) */
	size_t ntags;
	int line;           /* where its group { ... } starts */
};

struct conf_manifest {
	char *file;         /* as given */
	struct conf_manifest_entry *entries;
	size_t n;
};

/*
 * Reads the manifest at path with the configuration's reader and checks:
 * every setting for its name (with the nearest known one), type and value,
 * its topic against cfg's topics. Returns 0 and a new manifest in *out, or
 * -1 with every problem ("FILE:LINE: message") appended to *problems.
 */
int conf_manifest_read(const char *path, const struct config *cfg,
    struct conf_manifest **out, struct config_problems *problems);
void conf_manifest_free(struct conf_manifest **);

/* Whether p is a version-1 topic prefix: loaxa/v1/PP/DDD/SSSSS (digits). */
int conf_link_prefix_valid(const char *p);

/*
 * Checks that the link's files (CA, certificate, key, password) are
 * readable regular files; appends "FILE:LINE: link.NAME: PATH: why" for each
 * that is not and returns -1. 0 without a link section.
 */
int conf_link_files(const struct config *, struct config_problems *);

void conf_free(struct config **);
void conf_problems_clear(struct config_problems *);

#endif
