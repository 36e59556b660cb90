/*
 * reports: what the airing log says upward. Reporting periods, the coverage
 * report (a few GROUP BY queries over the airings and bulletins tables), its
 * formats (text, CSV, JSON, HTML, XLSX), the station's Ed25519 key, signed
 * hash-chained exports and their verification, and the district merge.
 *
 * Local dates and times are in the process's time zone: the commands set TZ
 * to the station's (cfg->station.timezone) before calling in here. Times are
 * ms since the epoch, UTC, as the airing log keeps them. Functions return 0,
 * or -1 with an allocated *cause the caller frees.
 */
#ifndef LOAXA_REPORTS_H
#define LOAXA_REPORTS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config;
struct store;

/* --- Periods (reports/period.c) --- */

/* A window of whole local days, from and to inclusive. */
struct rep_period {
	char from[11], to[11]; /* YYYY-MM-DD */
	int64_t from_ms;       /* local midnight starting from */
	int64_t to_ms;         /* local midnight after to (exclusive) */
	char label[32];        /* "2026-H1", or "FROM..TO" */
};

/*
 * Parses a named period: "YYYY-H1" (6 months), "YYYY-9M" (9 months) or
 * "YYYY" (the year). With calendar 0 they follow the reporting cut-off:
 * 15 Dec of the previous year to 14 Jun, 14 Sep, 14 Dec; with calendar 1,
 * 1 Jan to 30 Jun, 30 Sep, 31 Dec.
 */
int rep_period_parse(const char *spec, int calendar, struct rep_period *, char **cause);

/* A window from two YYYY-MM-DD dates (inclusive); to may not precede from. */
int rep_period_dates(const char *from, const char *to, struct rep_period *,
    char **cause);

/* Local midnight of a YYYY-MM-DD date in ms; -1 with *cause when it is no date. */
int rep_date_ms(const char *date, int64_t *ms, char **cause);

/* The local date YYYY-MM-DD of ms. */
void rep_date(int64_t ms, char out[11]);

/* --- The coverage report (reports/coverage.c) --- */

struct rep_station {
	char *code, *name, *commune, *district, *province;
};

/* A count under a name: a missed reason, an interruption or failure reason. */
struct rep_count {
	char *key;
	int64_t n;
	int64_t played_ms;
};

struct rep_topic {
	char *key;  /* NULL for bulletins without a topic */
	char *name; /* the Vietnamese name from the config, else the key */
	int64_t bulletins, airings, completed, played_ms;
};

/*
 * One bulletin in the period. airings counts plays that started; completed
 * those that played to the end. The required minimum is met when completed
 * reaches min_airings (an interrupted play does not count towards it).
 */
struct rep_bulletin {
	int64_t id;
	char *sha256, *title, *agency, *topic, *topic_name;
	int64_t airings, completed, played_ms;
	int min_airings;
	int met;
	int64_t first_ms, last_ms; /* started_at of the first and last play; 0: none */
	size_t topic_index;        /* its topic's index in the coverage's topics */
};

/*
 * One calendar month of the period (the first and last may be partial):
 * the slot occurrences starting in it, aired, and the plays whose slot
 * occurrence starts in it (as the totals count them), per topic too.
 */
struct rep_month {
	char month[8];          /* YYYY-MM */
	int64_t slots, aired;
	int64_t airings, played_ms;
	int64_t *topic_airings; /* per topic, in the coverage's topics' order */
};

/* One relay source over a period: planned and relayed air time, interruptions. */
struct rep_relay_source {
	char *source;
	int64_t planned_ms;    /* its slots' air time in the timetable history */
	int64_t relayed_ms;    /* its audio on air */
	int64_t interruptions, interrupted_ms;
};

/* The relays of a period (the section "Tiếp sóng"). */
struct rep_relay {
	struct rep_relay_source *sources; /* by name */
	size_t nsources;
	int64_t planned_ms, relayed_ms, interruptions, interrupted_ms;
	struct rep_count *by_reason;      /* interruptions: n, played_ms their time */
	size_t nby_reason;
};

void rep_relay_clear(struct rep_relay *);

struct rep_coverage {
	struct rep_station station;
	struct rep_period period;
	/* Slot occurrences (slot, slot_start) starting in the period. */
	int64_t slots, aired, missed;
	double compliance; /* aired / slots, 0..1; negative when no slots */
	struct rep_count *missed_by;
	size_t nmissed_by;
	/* Plays of bulletins. */
	int64_t airings, completed, interrupted, failed, played_ms;
	struct rep_count *interruptions, *failures;
	size_t ninterruptions, nfailures;
	struct rep_topic *topics;
	size_t ntopics;
	struct rep_bulletin *bulletins;
	size_t nbulletins;
	int64_t quotas, quotas_met; /* bulletins with a required minimum, and met */
	struct rep_relay relay;
	/* Every month the period touches, oldest first (rep_coverage only). */
	struct rep_month *months;
	size_t nmonths;
};

/*
 * Computes the coverage of period p from db (tables airings and bulletins
 * with the store's columns), naming topics from cfg and the station from
 * cfg->station. Fills *c, which the caller frees with rep_coverage_clear.
 * Slots are those the log has (rep_coverage_sched counts the timetable's).
 * A programme belongs to the period of its slot occurrence: its items count
 * by slot_start (an operator's play by scheduled_at).
 */
int rep_coverage(sqlite3 *db, const struct config *cfg, const struct rep_period *p,
    struct rep_coverage *c, char **cause);

/* One slot occurrence a timetable scheduled: its slot's name, nominal start, end. */
struct rep_occurrence {
	char *slot;
	int64_t start, end; /* ms */
	char *relay;        /* a relay slot's source, else NULL (the caller frees it) */
};

/*
 * The timetable maths, which the caller lends (reports use only the store;
 * cli has scheduler/): occurrences returns in *out (allocated, the caller
 * frees each slot and the array) every occurrence with its nominal start in
 * [from, to) of the timetable serialised as slots (a timetables row's slots,
 * scheduler/history.h) in zone tz, or -1 with *cause.
 */
struct rep_schedule {
	int (*occurrences)(const char *tz, const char *slots, int64_t from, int64_t to,
	    struct rep_occurrence **out, size_t *n, char **cause);
	int64_t now; /* ms; an occurrence is due once its nominal end has passed */
};

/*
 * rep_coverage, counting as scheduled every occurrence of the timetable in
 * force at its start (db's table timetables, each row in force until the
 * next) that was due by s->now (and by the export's time, for an export),
 * as well as every occurrence the log has. One without a row in the log is
 * missed: "controller off" when it began before the first sign of the
 * daemon (a row that started, a timetable the daemon recorded) or after the
 * last one (meta daemon_alive_at, the last row's times), else "not logged".
 * db also needs table meta. s NULL: as rep_coverage.
 */
int rep_coverage_sched(sqlite3 *db, const struct config *cfg,
    const struct rep_period *p, const struct rep_schedule *s,
    struct rep_coverage *c, char **cause);
void rep_coverage_clear(struct rep_coverage *);

/* --- The airing log (reports/log.c) --- */

/* One row of the airing log with its bulletin's metadata; NULL where none. */
struct rep_airing {
	int64_t id, bulletin_id; /* bulletin_id 0: none */
	const char *sha256, *title, *topic, *topic_name, *agency;
	int min_airings;
	const char *slot;
	int64_t slot_start; /* 0: none */
	const char *priority;
	int64_t scheduled_at, started_at, ended_at; /* started/ended 0: never */
	int64_t played_ms;
	const char *outcome;
	const char *reason;  /* a code of the log's table (scheduler/airlog.h) */
	const char *detail;  /* what else the log knows: a file, a message */
	const char *source;  /* a relay's source by name, else NULL */
	/* A relay's interruptions, oldest first (none for anything else). */
	const struct rep_interruption *interruptions;
	size_t ninterruptions;
};

/* One interruption of a relay's airing (the store's relay_interruptions). */
struct rep_interruption {
	int64_t at, duration_ms;
	const char *reason;   /* source unreachable, source lost, source silent */
	const char *detail;   /* the relay service's message, or NULL */
	const char *fallback; /* what the fallback aired meanwhile, or NULL */
};

/*
 * Calls fn for every airing scheduled in [from_ms, to_ms), oldest first (by
 * scheduled_at, then id); fn returning non-zero stops the walk. The row's
 * strings live until fn returns.
 */
int rep_log_each(sqlite3 *db, const struct config *cfg, int64_t from_ms, int64_t to_ms,
    int (*fn)(const struct rep_airing *, void *), void *arg, char **cause);

/* --- Formats (reports/format.c, reports/xlsx.c) --- */

enum rep_format { REP_TEXT, REP_CSV, REP_JSON, REP_HTML, REP_XLSX };
enum rep_lang { REP_VI, REP_EN };

/* Parses a format name; -1 when unknown. */
int rep_format_parse(const char *);

/* A log reason (controller off, power loss, ...) in lang; others as they are. */
const char *rep_reason(enum rep_lang, const char *reason);

/* Writes s with &, <, >, " escaped for HTML. */
void rep_html_str(FILE *, const char *s);

/*
 * Writes the coverage report in fmt (not XLSX) in lang; now_ms dates the
 * HTML page. -1 with *cause when the stream fails.
 */
int rep_write(FILE *, const struct rep_coverage *, enum rep_format, enum rep_lang,
    int64_t now_ms, char **cause);

/* Writes the coverage report as an XLSX workbook at path. */
int rep_write_xlsx(const char *path, const struct rep_coverage *, enum rep_lang,
    char **cause);

/* --- The station key (reports/key.c) --- */

#define REP_KEY_FILE "station.key"

/*
 * Makes the station's Ed25519 key: writes the secret key to DATA/station.key
 * (mode 0600), records the base64 public key (also in pub) in meta
 * ('station_key'). Refused when the file exists, and when meta shows a key
 * existed unless replace (a key lost for good: the district must then list
 * the new one). -1 with *cause.
 */
int rep_key_create(struct store *, const char *datadir, int replace, char pub[45],
    char **cause);

/*
 * Checks the station's key against meta, making none: no key at all is
 * fine (until an export), a missing file where meta shows one existed, or a
 * file with another key, is an error. A key file this process may not read
 * (an operator in the station's group) is left alone; one first seen is
 * recorded in meta.
 */
int rep_key_check(struct store *, const char *datadir, char **cause);

/* Reads the station's secret key and its public key (32 bytes). */
int rep_key_load(const char *datadir, unsigned char sk[64], unsigned char pk[32],
    char **cause);

/* --- Signed exports (reports/export.c) --- */

/*
 * Writes every airing of period p to path (atomically: a temporary file
 * renamed into place), hash-chained and signed with the station's key.
 * *rows gets how many rows it wrote.
 */
int rep_export(sqlite3 *db, const struct config *cfg, const char *datadir,
    const struct rep_period *p, const char *path, size_t *rows, char **cause);

/* One thing wrong with an export. */
struct rep_problem {
	int64_t line; /* 0: the file as a whole */
	char *what;   /* "row 12 (seq 7) changed", ... */
};

/* What verifying an export found; rep_verified_clear frees it. */
struct rep_verified {
	int ok;                    /* signature and chain good, nothing wrong */
	int sig_ok;                /* the signature matches the key in the file */
	struct rep_station station;
	char *timezone;
	char key_b64[64];          /* the public key the file names */
	unsigned char key[32];
	struct rep_period period;
	size_t rows;               /* rows found in the file */
	size_t rows_signed;        /* rows the signed end line counts */
	struct rep_problem *problems;
	size_t nproblems;
	size_t changed, removed, reordered, inserted;
	/*
	 * Signed rows that no true airing writes: played longer than it was on
	 * air, on air while another row was, or through an output that was not
	 * real-time. The file is still the station's; the rows are suspect.
	 */
	struct rep_problem *flags;
	size_t nflags;
	int64_t chain_n;           /* the station's log chain when it exported */
	unsigned char chain_head[32];
	/*
	 * With keep_db: the rows and bulletins, loaded into an in-memory
	 * database with the station's schema (store_open_memory).
	 */
	struct store *store;
};

/*
 * Reads and checks the export at path: the header, every row's link in the
 * hash chain, sequence numbers, and the signature. Returns -1 with *cause
 * only when the file cannot be read or is no loaxa export at all; a
 * tampered file returns 0 with v->ok 0 and its problems listed. With keep_db,
 * v->store holds the rows (airings, bulletins) for rep_coverage.
 */
int rep_verify(const char *path, int keep_db, struct rep_verified *v, char **cause);
void rep_verified_clear(struct rep_verified *);

/* --- The district merge (reports/merge.c) --- */

/* One trusted station in a district report: accepted, rejected or missing. */
struct rep_merge_station {
	char *file;        /* the export accepted, or the first refused; NULL: none */
	char *code;
	int status;        /* REP_MERGE_OK, _REJECTED, _MISSING */
	char *why;         /* why its export was refused */
	struct rep_coverage cov; /* filled when status is REP_MERGE_OK */
	/* With REP_MERGE_OK: the rows the verification flagged (rep_verified). */
	struct rep_problem *flags;
	size_t nflags;
};

enum { REP_MERGE_OK, REP_MERGE_REJECTED, REP_MERGE_MISSING };

/* An export the merge refused. */
struct rep_merge_refused {
	char *file;
	char *code;        /* the station it names; NULL when it could not be read */
	char *why;
};

struct rep_merge {
	struct rep_period period;
	char *district;
	/* Each station of trust.stations once, in its order. */
	struct rep_merge_station *stations;
	size_t nstations;
	size_t accepted, rejected, missing; /* they add up to nstations */
	/* Every export refused, in the order given, whoever it names. */
	struct rep_merge_refused *refused;
	size_t nrefused;
	/* Over the accepted stations: the figures, reasons and topics added up. */
	struct rep_coverage total;
};

/*
 * Verifies each export against cfg->trust.stations (the code must be listed
 * with the key that signed it) and builds the district report for period p
 * (NULL: the period of the first good export). An export that fails, covers
 * another period or repeats a station is refused with the reason. Each
 * trusted station is then accepted (a good export), rejected (only refused
 * ones name it; the first says why) or missing (none names it).
 */
int rep_merge(const struct config *cfg, const char *const *files, size_t nfiles,
    const struct rep_period *p, struct rep_merge *m, char **cause);

/*
 * rep_merge counting each station's slots from the timetable history its
 * export carries (rep_coverage_sched), with s's timetable maths.
 */
int rep_merge_sched(const struct config *cfg, const char *const *files,
    size_t nfiles, const struct rep_period *p, const struct rep_schedule *s,
    struct rep_merge *m, char **cause);
void rep_merge_clear(struct rep_merge *);

/* Writes the district report in fmt (not XLSX). */
int rep_merge_write(FILE *, const struct rep_merge *, enum rep_format, enum rep_lang,
    int64_t now_ms, char **cause);

/* Writes the district report as an XLSX workbook at path. */
int rep_merge_write_xlsx(const char *path, const struct rep_merge *, enum rep_lang,
    char **cause);

#endif
