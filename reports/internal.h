/* Shared inside reports/ only: labels in two languages and format helpers. */
#ifndef LOAXA_REPORTS_INTERNAL_H
#define LOAXA_REPORTS_INTERNAL_H

#include <sys/types.h>

#include "common/human.h"
#include "reports/reports.h"

/*
 * The condition on bulletins b that owed airings during a period (its dates
 * ?1..?2, its instants [?3, ?4)): a required minimum, valid then, approved
 * before the period ended, and not retired before it began. One imported
 * after the period, or retired long before it, owed that period nothing.
 * The station's report, its export and the verified export share it.
 */
#define REP_SQL_OWED \
    "b.min_airings > 0 AND b.status IN ('approved', 'retired')" \
    " AND coalesce(b.valid_from, '0000-00-00') <= ?2" \
    " AND coalesce(b.valid_until, '9999-99-99') >= ?1" \
    " AND coalesce((SELECT min(e.at) FROM bulletin_events e" \
    "  WHERE e.bulletin_id = b.id AND e.to_status = 'approved')," \
    "  b.approved_at, b.imported_at) < ?4" \
    " AND NOT (b.status = 'retired' AND coalesce((SELECT max(e.at)" \
    "  FROM bulletin_events e WHERE e.bulletin_id = b.id" \
    "  AND e.to_status = 'retired'), ?3) < ?3)"

/*
 * The first and last instants the daemon is known to have been alive (NULL
 * when it never ran), and the time of the export db came from (NULL for a
 * station's own store): rows that started or ended, timetables the daemon
 * recorded, meta daemon_alive_at, and the values an export carries (meta
 * first_alive, exported_at). The station's report, its export and the
 * verified export share it, so that all three reckon alike.
 */
#define REP_SQL_ALIVE \
    "SELECT (SELECT min(t) FROM (SELECT min(started_at) AS t FROM airings" \
    "  UNION ALL SELECT min(in_force_from) FROM timetables" \
    "  WHERE recorded_by = 'daemon'" \
    "  UNION ALL SELECT CAST(value AS INTEGER) FROM meta" \
    "  WHERE key = 'first_alive'))," \
    " (SELECT max(t) FROM (SELECT max(started_at) AS t FROM airings" \
    "  UNION ALL SELECT max(ended_at) FROM airings" \
    "  UNION ALL SELECT CAST(value AS INTEGER) FROM meta" \
    "  WHERE key = 'daemon_alive_at'))," \
    " (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'exported_at')"

enum rep_label {
	RL_REPORT, RL_DISTRICT_REPORT, RL_SUBTITLE, RL_STATION, RL_CODE, RL_COMMUNE,
	RL_DISTRICT, RL_PROVINCE, RL_PERIOD, RL_FROM, RL_TO, RL_SLOTS, RL_SCHEDULED,
	RL_AIRED, RL_MISSED, RL_COMPLIANCE, RL_MISSED_BY, RL_REASON, RL_COUNT,
	RL_AIRINGS, RL_PLAYS, RL_COMPLETED, RL_INTERRUPTED, RL_FAILED, RL_MINUTES,
	RL_TOPICS, RL_TOPIC, RL_BULLETINS, RL_NBULLETINS, RL_BULLETIN, RL_TITLE, RL_PRODUCER, RL_MIN, RL_MET,
	RL_FIRST, RL_LAST, RL_YES, RL_NO, RL_INTERRUPTIONS, RL_FAILURES, RL_NONE,
	RL_QUOTAS, RL_NO_TOPIC, RL_NATION, RL_MOTTO, RL_PREPARER, RL_SIGN_HINT,
	RL_HEAD, RL_RECIPIENTS, RL_RECIPIENTS_TEXT, RL_STATIONS, RL_STATUS,
	RL_ACCEPTED, RL_REJECTED, RL_NOTHING_SENT, RL_MISSING_STATIONS, RL_TOTAL, RL_FIELD, RL_VALUE,
	RL_QUOTAS_REQUIRED, RL_MINIMUMS, RL_TRUSTED, RL_REFUSED, RL_FILE, RL_SUMMARY,
	RL_FLAGGED,
	RL_CHARTS, RL_CHART_MONTHS, RL_CHART_RATE, RL_CHART_TOPICS, RL_CHART_COMMUNES,
	RL_NO_AIRINGS, RL_NO_SLOTS, RL_NO_STATIONS, RL_BELOW, RL_MONTH,
	RL_RELAY, RL_SOURCE, RL_RELAYED_HOURS, RL_PLANNED_HOURS, RL_GAPS, RL_GAP_MINUTES,
	RL_COUNT_
};

/* The label in lang. */
const char *rep_label(enum rep_lang, enum rep_label);


/* ms as minutes with one decimal ("12.5"). */
void rep_minutes(int64_t ms, char out[32]);

/*
 * The minutes rep_minutes writes, as a number (12.5): a workbook holds the
 * figure the other formats show, not a finer one that it would round apart.
 */
double rep_minutes_value(int64_t ms);

/*
 * n of `of` as a percentage rounded down to one decimal, so that a rate is
 * never shown as a better one (1,999 of 2,000 is "99.9"); "-" when of is 0.
 */
void rep_percent(int64_t n, int64_t of, char out[32]);

/* The same rate as a fraction rounded down to four decimals ("0.9995"), or "null". */
void rep_fraction(int64_t n, int64_t of, char out[32]);

/* How a figure is shown. */
enum rep_figure_kind {
	RF_COUNT,   /* a whole number */
	RF_RATE,    /* n of `of`, rounded down (rep_percent, rep_fraction) */
	RF_MINUTES, /* ms, shown as minutes with one decimal */
};

/*
 * One figure of a report's summary. Every format renders the same list,
 * rep_figures, in its order: text, CSV and HTML as label and value (a
 * section title before each group), XLSX as cells, JSON as {"group":
 * {"key": value}}, and the district report as one column per figure.
 */
struct rep_figure {
	const char *group, *key;  /* where it sits in JSON */
	enum rep_label section;   /* the title of its group */
	enum rep_label label;
	const char *abbr[2];      /* a column head in the terminal: vi, en */
	enum rep_figure_kind kind;
	int64_t (*get)(const struct rep_coverage *, int64_t *of);
};

extern const struct rep_figure rep_figures[];
extern const size_t rep_nfigures;

/* A figure's value as text: "12", "99.9" or "-" for a rate, "12.5" minutes. */
void rep_figure_text(const struct rep_figure *, const struct rep_coverage *,
    char out[32]);

/* Frees a station's identity and leaves it empty. */
void rep_station_clear(struct rep_station *);

/* A CSV header row of labels, without its line end. */
void rep_csv_head(FILE *, enum rep_lang, const enum rep_label *cols, size_t n);

/* Adds a count under key to *v (a new entry when key is new). */
void rep_count_add(struct rep_count **v, size_t *n, const char *key, int64_t count,
    int64_t played_ms);

/*
 * Writes the figures of c as JSON members, one object per group ("slots":
 * {...}, "airings": {...}, ...) with sep between them; with lists, the
 * slots carry missed_by.
 */
void rep_json_figures(FILE *, const struct rep_coverage *c, int lists, const char *sep);

/* The language of common/human.h that lang's readers read. */
#define REP_HUMAN(lang) ((lang) == REP_EN ? HUMAN_EN : HUMAN_VI)

/*
 * For people (text, HTML): a figure, a count, minutes of ms ("1.234,5" in
 * Vietnamese), and an instant to the minute ("-" for none). The digits are
 * those of the machine formats; only the separators differ. Each returns out.
 */
char *rep_figure_human(enum rep_lang, const struct rep_figure *,
    const struct rep_coverage *, char out[HUMAN_LEN]);
char *rep_count_human(enum rep_lang, int64_t n, char out[HUMAN_LEN]);
char *rep_minutes_human(enum rep_lang, int64_t ms, char out[HUMAN_LEN]);
char *rep_time_human(enum rep_lang, int64_t ms, char out[HUMAN_LEN]);

void rep_text_period(FILE *, enum rep_lang, const struct rep_period *);

/*
 * The topics for people, the same figures in text and HTML as in the other
 * formats: bulletins (when asked: a district's sum would count a bulletin
 * once per station), airings, completed, minutes. Text writes its section
 * title; HTML the rows and the table's end, after the caller's head row.
 */
void rep_text_topics(FILE *, enum rep_lang, const struct rep_topic *, size_t n,
    int bulletins);
void rep_html_topics(FILE *, enum rep_lang, const struct rep_topic *, size_t n,
    int bulletins);

/*
 * The district's missed slots by reason, one row at a time: each accepted
 * station's reasons, then the total's. Call with *pos 0; returns the count
 * at *pos and advances it, with *s the station (NULL for the total), or
 * NULL after the last.
 */
const struct rep_count *rep_merge_missed(const struct rep_merge *, size_t *pos,
    const struct rep_merge_station **s);

/* The HTML page's start: styles for A4, the state's header, place and date. */
void rep_html_begin(FILE *, enum rep_lang, const struct rep_station *, int64_t now_ms,
    enum rep_label title, const struct rep_period *);

/* Stations under this compliance rate (%) are marked in the district report. */
#define REP_THRESHOLD 90

/*
 * A bar chart as inline SVG (reports/chart.c): whole-pixel geometry, no
 * script, black text and print-safe fills. Categories are months, topics
 * or communes; each has nseries values stacked (one: a plain bar).
 */
struct rep_chart {
	const char *title;
	const char *empty;           /* written instead when nothing is above 0 */
	size_t ncats;
	const char *const *cats;
	size_t nseries;
	const char *const *series;   /* names for the legend when nseries > 1 */
	const double *v;             /* ncats * nseries values, category by category */
	const char *const *vtext;    /* the figure written by each bar, or NULL */
	int across;                  /* bars across (long names), else columns */
	double max;                  /* the axis's end; 0: the largest value, rounded up */
	double threshold;            /* a dashed line there; negative: none */
	const char *threshold_text;
	const unsigned char *marked; /* categories under the threshold, or NULL */
};

void rep_svg_chart(FILE *, const struct rep_chart *);

/* The station report's charts: airings per month by topic, rate per month, minutes per topic. */
void rep_html_charts(FILE *, const struct rep_coverage *, enum rep_lang);

/* A YYYY-MM month for readers: vi "12/2025", en as it is. */
char *rep_month_human(enum rep_lang, const char *month, char out[HUMAN_LEN]);

/* A block of counts under title: reason, count, minutes (CSV; HTML with its heading). */
void rep_csv_counts(FILE *, enum rep_lang, enum rep_label title, const struct rep_count *,
    size_t n);
void rep_html_counts(FILE *, enum rep_lang, enum rep_label title,
    const struct rep_count *, size_t n);

/*
 * The relay section (reports/relay.c), "Tiếp sóng": hours relayed per
 * source against hours planned, and the interruptions, in each format.
 * HTML writes its numbered heading n.
 */
void rep_relay_text(FILE *, enum rep_lang, const struct rep_relay *);
void rep_relay_csv(FILE *, enum rep_lang, const struct rep_relay *);
void rep_relay_json(FILE *, const struct rep_relay *);
void rep_relay_html(FILE *, enum rep_lang, const struct rep_relay *, int n);

/* Adds the planned air time ms of one occurrence of a relay of source. */
void rep_relay_plan(struct rep_relay *, const char *source, int64_t ms);

/*
 * Adds the relays of the log in db whose slot occurrence starts in p: the
 * time relayed per source, the interruptions by source and reason. -1 with
 * *cause.
 */
int rep_relay_load(sqlite3 *db, const struct rep_period *p, struct rep_relay *,
    char **cause);

/* Adds from's figures to to's (the district's sum). */
void rep_relay_add(struct rep_relay *to, const struct rep_relay *from);

/* The signature block and the page's end. */
void rep_html_end(FILE *, enum rep_lang, const struct rep_station *);

/*
 * The airing-log export (export.c describes its format and writes it,
 * export_verify.c checks it, export_format.c holds what both use).
 */
#define EX_MAGIC "loaxa-export\t3"
#define EX_MAGIC_2 "loaxa-export\t2" /* without relays: still read */
#define EX_COLUMNS "seq\tid\tbulletin\tsha256\tslot\tslot_start\tpriority\t" \
	"scheduled_at\tstarted_at\tended_at\tplayed_ms\toutcome\treason\tpaced"
#define EX_NCOLS 14
#define EX_MAX_LINE 65536 /* no line of an export is longer */
#define EX_B64 sodium_base64_VARIANT_ORIGINAL

/* The chain: h = BLAKE2b-256(prev || text). h may be prev. */
void rep_ex_link(unsigned char h[32], const unsigned char prev[32], const char *text,
    size_t len);
/* Lower-case hex of 32 bytes. */
void rep_ex_hex(const unsigned char h[32], char out[65]);
/* A row's own digest: BLAKE2b-64 of its text. */
uint64_t rep_ex_digest(const char *text, size_t len);
/* The message the signature covers; the caller frees it. */
char *rep_ex_signed_text(const char *h0hex, size_t n, const char *hnhex,
    const char *hihex);
/*
 * Splits line at its tabs into at most max fields, each unescaped in place
 * (\N is NULL). Returns the number of fields, or max + 1 when there are more.
 */
int rep_ex_split(char *line, char **fields, int max);
/* Decodes 64 hex digits; -1 unless exactly that. */
int rep_ex_unhex(const char *s, unsigned char out[32]);
/* Parses a decimal integer field; 0 and *ok 0 when it is not one. */
int64_t rep_ex_int(const char *s, int *ok);
/*
 * Reads a line of at most EX_MAX_LINE bytes into line (EX_MAX_LINE + 1
 * bytes): its length, -1 at the end of the file, -2 on a longer line, -3 on
 * a line with a NUL byte.
 */
ssize_t rep_ex_getline(char *line, FILE *fp);

#endif
