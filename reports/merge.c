/*
 * The district merge: verify each station's signed export against the keys
 * the district trusts, compute each accepted station's coverage over its rows
 * (the same queries, on an in-memory copy, with the timetable history the
 * export carries), and add them up. merge_format.c writes the district report.
 */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/internal.h"
#include "store/store.h"

/* Notes an export refused, naming the station it claims (code may be NULL). */
static void
merge_refuse(struct rep_merge *m, const char *file, const char *code, char *why)
{
	struct rep_merge_refused *r;

	m->refused = xreallocarray(m->refused, m->nrefused + 1, sizeof *m->refused);
	r = &m->refused[m->nrefused++];
	r->file = xstrdup(file);
	r->code = code ? xstrdup(code) : NULL;
	r->why = why;
}

/* The trusted station with code, or NULL. */
static struct rep_merge_station *
merge_station(struct rep_merge *m, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < m->nstations; i++)
		if (strcmp(m->stations[i].code, code) == 0)
			return &m->stations[i];
	return NULL;
}

/* Why a verified export is refused (allocated), or NULL when it is accepted. */
static char *
merge_check(const struct config *cfg, const struct rep_verified *v,
    const struct rep_period *p, struct rep_merge *m)
{
	const struct config_station_key *k = NULL;
	const struct rep_merge_station *s;
	char *why;
	size_t i;

	if (!v->ok) {
		xasprintf(&why, "%s%s", v->nproblems ? v->problems[0].what :
		    _("the signature does not match"), v->nproblems > 1 ?
		    _(" (and more; run loaxa verify)") : "");
		return why;
	}
	for (i = 0; i < cfg->trust.nstations; i++)
		if (strcmp(cfg->trust.stations[i].code, v->station.code) == 0)
			k = &cfg->trust.stations[i];
	if (k == NULL) {
		xasprintf(&why, _("station %s is not in trust.stations"),
		    v->station.code);
		return why;
	}
	if (memcmp(k->key, v->key, 32) != 0) {
		xasprintf(&why, _("signed with key %s, which is not the key "
		    "trust.stations lists for %s"), v->key_b64, v->station.code);
		return why;
	}
	if (p != NULL && (strcmp(p->from, v->period.from) != 0 ||
	    strcmp(p->to, v->period.to) != 0)) {
		xasprintf(&why, _("covers %s..%s, not the period %s..%s"),
		    v->period.from, v->period.to, p->from, p->to);
		return why;
	}
	if ((s = merge_station(m, v->station.code)) != NULL &&
	    s->status == REP_MERGE_OK) {
		xasprintf(&why, _("a second export for station %s (the first was %s)"),
		    v->station.code, s->file);
		return why;
	}
	return NULL;
}

/* Moves the export's station identity into the coverage. */
static void
merge_identity(struct rep_coverage *c, struct rep_verified *v)
{
	rep_station_clear(&c->station);
	c->station = v->station;
	memset(&v->station, 0, sizeof v->station);
}

/* Adds an accepted station's topics into the district's. */
static void
merge_topics(struct rep_coverage *total, const struct rep_coverage *c)
{
	const struct rep_topic *t;
	struct rep_topic *d;
	size_t i, j;

	for (i = 0; i < c->ntopics; i++) {
		t = &c->topics[i];
		for (j = 0; j < total->ntopics; j++) {
			d = &total->topics[j];
			if ((d->key == NULL && t->key == NULL) ||
			    (d->key != NULL && t->key != NULL && strcmp(d->key, t->key) == 0))
				break;
		}
		if (j == total->ntopics) {
			total->topics = xreallocarray(total->topics, total->ntopics + 1,
			    sizeof *total->topics);
			d = &total->topics[total->ntopics++];
			memset(d, 0, sizeof *d);
			d->key = t->key ? xstrdup(t->key) : NULL;
			d->name = t->name ? xstrdup(t->name) : NULL;
		}
		d = &total->topics[j];
		d->bulletins += t->bulletins;
		d->airings += t->airings;
		d->completed += t->completed;
		d->played_ms += t->played_ms;
	}
}

/* Adds a list of counts into another. */
static void
merge_counts(struct rep_count **v, size_t *n, const struct rep_count *add, size_t nadd)
{
	size_t i;

	for (i = 0; i < nadd; i++)
		rep_count_add(v, n, add[i].key, add[i].n, add[i].played_ms);
}

/* Adds an accepted station's figures, reasons and topics into the total. */
static void
merge_total(struct rep_coverage *t, const struct rep_coverage *c)
{
	t->slots += c->slots;
	t->aired += c->aired;
	t->missed += c->missed;
	t->airings += c->airings;
	t->completed += c->completed;
	t->interrupted += c->interrupted;
	t->failed += c->failed;
	t->played_ms += c->played_ms;
	t->quotas += c->quotas;
	t->quotas_met += c->quotas_met;
	merge_counts(&t->missed_by, &t->nmissed_by, c->missed_by, c->nmissed_by);
	merge_counts(&t->interruptions, &t->ninterruptions, c->interruptions,
	    c->ninterruptions);
	merge_counts(&t->failures, &t->nfailures, c->failures, c->nfailures);
	merge_topics(t, c);
	rep_relay_add(&t->relay, &c->relay);
}

/*
 * Takes one export: refused (with why), or accepted into its station's entry.
 * -1 with *cause only when the coverage of an accepted export fails.
 */
static int
merge_file(const struct config *cfg, const struct rep_schedule *sched,
    struct rep_merge *m, const char *file, int *have_period, char **cause)
{
	struct rep_merge_station *s;
	struct rep_verified v;
	char *why, *err = NULL;
	size_t len;

	if (rep_verify(file, 1, &v, &err) != 0) {
		/* The cause names the file; the entry does already. */
		len = strlen(file);
		why = xstrdup(strncmp(err, file, len) == 0 && err[len] == ':' ?
		    err + len + 2 : err);
		free(err);
		merge_refuse(m, file, NULL, why);
		return 0;
	}
	if ((why = merge_check(cfg, &v, *have_period ? &m->period : NULL, m)) != NULL) {
		merge_refuse(m, file, v.station.code, why);
		rep_verified_clear(&v);
		return 0;
	}
	if (!*have_period) {
		m->period = v.period;
		*have_period = 1;
	}
	s = merge_station(m, v.station.code);
	s->status = REP_MERGE_OK;
	s->file = xstrdup(file);
	if (rep_coverage_sched(store_db(v.store), cfg, &m->period, sched, &s->cov, &err) != 0) {
		xasprintf(cause, "%s: %s", file, err);
		free(err);
		rep_verified_clear(&v);
		return -1;
	}
	merge_identity(&s->cov, &v);
	s->flags = v.flags;
	s->nflags = v.nflags;
	v.flags = NULL;
	v.nflags = 0;
	rep_verified_clear(&v);
	merge_total(&m->total, &s->cov);
	return 0;
}

int
rep_merge(const struct config *cfg, const char *const *files, size_t nfiles,
    const struct rep_period *p, struct rep_merge *m, char **cause)
{
	return rep_merge_sched(cfg, files, nfiles, p, NULL, m, cause);
}

int
rep_merge_sched(const struct config *cfg, const char *const *files, size_t nfiles,
    const struct rep_period *p, const struct rep_schedule *sched, struct rep_merge *m,
    char **cause)
{
	struct rep_merge_station *s;
	const struct rep_merge_refused *r;
	int have_period = p != NULL;
	size_t i;

	memset(m, 0, sizeof *m);
	if (p != NULL)
		m->period = *p;
	m->district = cfg->station.district ? xstrdup(cfg->station.district) : NULL;
	m->nstations = cfg->trust.nstations;
	m->stations = xcalloc(m->nstations + 1, sizeof *m->stations);
	for (i = 0; i < m->nstations; i++) {
		m->stations[i].code = xstrdup(cfg->trust.stations[i].code);
		m->stations[i].status = REP_MERGE_MISSING;
	}
	for (i = 0; i < nfiles; i++)
		if (merge_file(cfg, sched, m, files[i], &have_period, cause) != 0) {
			rep_merge_clear(m);
			return -1;
		}
	/* A station that sent only refused exports is rejected, for the first. */
	for (i = 0; i < m->nrefused; i++) {
		r = &m->refused[i];
		if ((s = merge_station(m, r->code)) != NULL &&
		    s->status == REP_MERGE_MISSING) {
			s->status = REP_MERGE_REJECTED;
			s->file = xstrdup(r->file);
			s->why = xstrdup(r->why);
		}
	}
	for (i = 0; i < m->nstations; i++) {
		m->accepted += m->stations[i].status == REP_MERGE_OK;
		m->rejected += m->stations[i].status == REP_MERGE_REJECTED;
		m->missing += m->stations[i].status == REP_MERGE_MISSING;
	}
	if (!have_period) { /* no export was good and none was asked for */
		snprintf(m->period.label, sizeof m->period.label, "-");
		snprintf(m->period.from, sizeof m->period.from, "-");
		snprintf(m->period.to, sizeof m->period.to, "-");
	}
	m->total.period = m->period;
	m->total.compliance = m->total.slots > 0 ?
	    (double)m->total.aired / (double)m->total.slots : -1.0;
	return 0;
}

void
rep_merge_clear(struct rep_merge *m)
{
	size_t i, j;

	for (i = 0; i < m->nstations; i++) {
		free(m->stations[i].file);
		free(m->stations[i].code);
		free(m->stations[i].why);
		for (j = 0; j < m->stations[i].nflags; j++)
			free(m->stations[i].flags[j].what);
		free(m->stations[i].flags);
		if (m->stations[i].status == REP_MERGE_OK)
			rep_coverage_clear(&m->stations[i].cov);
	}
	free(m->stations);
	for (i = 0; i < m->nrefused; i++) {
		free(m->refused[i].file);
		free(m->refused[i].code);
		free(m->refused[i].why);
	}
	free(m->refused);
	rep_coverage_clear(&m->total);
	free(m->district);
	memset(m, 0, sizeof *m);
}

const struct rep_count *
rep_merge_missed(const struct rep_merge *m, size_t *pos, const struct rep_merge_station **s)
{
	const struct rep_coverage *c;
	size_t i, k = *pos;

	for (i = 0; i <= m->nstations; i++) {
		*s = i < m->nstations ? &m->stations[i] : NULL;
		if (*s != NULL && (*s)->status != REP_MERGE_OK)
			continue;
		c = *s != NULL ? &(*s)->cov : &m->total;
		if (k < c->nmissed_by) {
			(*pos)++;
			return &c->missed_by[k];
		}
		k -= c->nmissed_by;
	}
	return NULL;
}
