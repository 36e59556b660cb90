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
 * Finds, reads and validates the configuration; on failure prints every
 * problem to errs and returns -1.
 */
int conf_load(const char *explicit_path, struct config **out, FILE *errs);

/* The embedded default configuration text. */
const char *conf_default_text(void);

/* The topic with this key, or NULL. */
const struct config_topic *conf_topic(const struct config *, const char *key);

void conf_free(struct config **);
void conf_problems_clear(struct config_problems *);

#endif
