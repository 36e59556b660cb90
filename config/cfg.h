/*
 * Shared by the section readers of config/: typed getters that report wrong
 * types, ranges and unknown names as "FILE:LINE: message".
 */
#ifndef LOAXA_CFG_H
#define LOAXA_CFG_H

#include <libconfig.h>

#include "config/config.h"

struct cfg_reader {
	const char *file;
	struct config_problems *problems;
};

/* One section reader: fills its part of cfg from the group s (which may be NULL). */
struct cfg_section {
	const char *name;
	void (*read)(struct cfg_reader *, const config_setting_t *s, struct config *);
};

void cfg_problem(struct cfg_reader *, const config_setting_t *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports members of group not in names (NULL-terminated), with a suggestion. */
void cfg_check_members(struct cfg_reader *, const config_setting_t *group,
    const char *const *names);

/* The closest of names to word within a small edit distance, or NULL. */
const char *cfg_suggest(const char *word, const char *const *names);

/*
 * Getters: leave *out alone when the setting is absent; report a wrong type
 * or range. Strings must be valid UTF-8; *out is replaced by a copy.
 * Return 1 when the setting was present and good, 0 otherwise.
 */
int cfg_string(struct cfg_reader *, const config_setting_t *group, const char *name,
    char **out, int allow_empty);
int cfg_int(struct cfg_reader *, const config_setting_t *group, const char *name,
    int *out, long long min, long long max);
int cfg_float(struct cfg_reader *, const config_setting_t *group, const char *name,
    double *out, double min, double max);
int cfg_bool(struct cfg_reader *, const config_setting_t *group, const char *name,
    int *out);

/* The MQTT version of the link or fleet section: protocol = "5" or "3.1.1". */
void cfg_mqtt_protocol(struct cfg_reader *, const config_setting_t *group,
    int *v311);

/* The member name of group, checked to be a group or list of the given type. */
const config_setting_t *cfg_member(struct cfg_reader *, const config_setting_t *group,
    const char *name, int type);

/* Checks one string of an array; reports its own problem and returns 0 when bad. */
typedef int (*cfg_string_check)(struct cfg_reader *, const config_setting_t *,
    const char *, const struct config *);

int cfg_strings(struct cfg_reader *, const config_setting_t *group, const char *name,
    const char *what, char ***out, size_t *n, const struct config *,
    cfg_string_check);

/* A topic key of the topics section (else "did you mean"); a tag (common/tag.h). */
int cfg_topic_known(struct cfg_reader *, const config_setting_t *, const char *,
    const struct config *);
int cfg_tag_valid(struct cfg_reader *, const config_setting_t *, const char *,
    const struct config *);

/*
 * Parses the file at path (or, when text is not NULL, text), labelled label,
 * into *lc as every reader of ours does: a file that is not regular, larger
 * than 1 MiB or holds a NUL, and integers libconfig would wrap, are refused.
 * kind ("the configuration") names it in messages. Without includes, a
 * text with an @include directive is refused at its line. Returns 0 with
 * *lc to config_destroy, or -1 with the problems appended (and nothing to
 * destroy).
 */
int cfg_parse(const char *path, const char *text, const char *label,
    const char *kind, int includes, config_t *lc, struct config_problems *);

/* Orders problems[from..] by line, keeping the order within a line. */
void cfg_sort_problems(struct config_problems *, size_t from, const char *label);

int cfg_line(const config_setting_t *);
const char *cfg_type_name(int type);

void cfg_read_station(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_paths(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_audio(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_topics(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_reports(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_web(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_trust(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_relay(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_playlists(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_timetable(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_read_fleet(struct cfg_reader *, const config_setting_t *, struct config *);
void cfg_fleet_station_clear(struct config_fleet_station *);
void cfg_read_link(struct cfg_reader *, const config_setting_t *, struct config *);

/* Frees what one playlist or slot holds (conf_free calls them). */
void cfg_playlist_clear(struct config_playlist *);
void cfg_slot_clear(struct config_slot *);
void cfg_relay_source_clear(struct config_relay_source *);

/* A bulletin reference: an id (1 to 7 digits) or a SHA-256 prefix (8 to 64 hex digits). */
int cfg_bulletin_ref_valid(const char *);

#endif
